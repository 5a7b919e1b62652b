#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# slurm-array.sh: build a catalogue on a Slurm cluster, one album per
# array task.  Submit it with as many tasks as there are albums:
#
#   n=$(ls /shared/catalogue/*/album.xml | wc -l)
#   sbatch --array=0-$((n - 1))%16 slurm-array.sh /shared/catalogue
#
# (%16: at most 16 albums at once).  Each task builds the album whose
# index in the sorted list is its SLURM_ARRAY_TASK_ID, into the album's
# own out/, with --if-changed: run the array again after changes and
# only the changed albums are built.  The catalogue must be on storage
# every node mounts at the same path.
#SBATCH --job-name=premaster
#SBATCH --cpus-per-task=4
#SBATCH --mem=4G
#SBATCH --time=01:00:00
#SBATCH --output=premaster-%A_%a.log

set -u
export LC_ALL=C # one album order on every node
catalogue=${1:?usage: sbatch --array=0-N slurm-array.sh CATALOGUE}
mapfile -t albums < <(find "$catalogue" -mindepth 2 -maxdepth 2 \
	-name album.xml | sort)
album=${albums[$SLURM_ARRAY_TASK_ID]:?no album for task $SLURM_ARRAY_TASK_ID}

# 0: built and fit, or up to date; 1: not fit (see the album's
# out/report/verify.txt); 75: another build holds the album's lock, and
# the next run of the array builds it
exec premaster build --if-changed --no-progress \
	-j "${SLURM_CPUS_PER_TASK:-1}" "$album"

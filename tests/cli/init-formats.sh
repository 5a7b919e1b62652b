#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# init-formats.sh: premaster init takes every format premaster reads, in
# the order given: WAV, AIFF, FLAC and Ogg mixes become tracks in
# argument order (not by name or format), a lossy one with a warning;
# mixes/* takes them all; a file named only by its number is "Track NN";
# a file that is not audio is refused, named.
. "${top_srcdir:-.}/tests/lib.sh"

cd "$T" || exit 99
mkdir mixes
mkfixture -s 1 --fade 0.1 music 5s "mixes/c.wav" || exit 99
mkfixture -s 2 --fade 0.1 -F flac music 5s "mixes/a.flac" || exit 99
mkfixture -s 3 --fade 0.1 -F aiff music 5s "mixes/b.aiff" || exit 99
mkfixture -s 4 --fade 0.1 -F ogg music 5s "mixes/d.ogg" || exit 99
mkfixture -s 5 --fade 0.1 music 5s "mixes/03.wav" || exit 99

t_expect 0 "init takes WAV, FLAC, AIFF, Ogg in the order given" \
	premaster init -o order.xml mixes/c.wav mixes/a.flac mixes/b.aiff \
	mixes/d.ogg mixes/03.wav
t_is "the tracks follow the arguments" \
	"$(sed -n 's/.*<source file="\([^"]*\)".*/\1/p' order.xml | tr '\n' ' ')" \
	"mixes/c.wav mixes/a.flac mixes/b.aiff mixes/d.ogg mixes/03.wav "
t_is "titles from the names; a number alone is 'Track NN'" \
	"$(sed -n 's/.*<title>\([^<]*\)<\/title>.*/\1/p' order.xml | tail -n 5 | tr '\n' ' ')" \
	"c a b d Track 03 "
t_stderr_has "the lossy Ogg draws a warning" "'mixes/d.ogg' is lossy"
t_expect 0 "mixes/* takes every mix whatever its format" \
	premaster init -o all.xml mixes/*
t_is "five tracks, in the shell's order" \
	"$(sed -n 's/.*<source file="\([^"]*\)".*/\1/p' all.xml | tr '\n' ' ')" \
	"mixes/03.wav mixes/a.flac mixes/b.aiff mixes/c.wav mixes/d.ogg "
t_expect 0 "and the album builds" premaster build -q all.xml -o out
t_expect 0 "a single mix makes an album" premaster init -o one.xml mixes/c.wav
t_expect 0 "which builds and is fit (a disc of one track)" \
	premaster build -q one.xml -o one

echo "notes" >mixes/notes.txt
t_expect 65 "a file that is not audio is refused" \
	premaster init -o bad.xml mixes/*
t_stderr_has "naming it" "mixes/notes.txt"
t_ok "and nothing is written" test ! -e bad.xml
t_done

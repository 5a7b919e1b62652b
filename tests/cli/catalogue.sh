#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# catalogue.sh: the GNU parallel example (examples/catalogue/build-all.sh)
# on a catalogue of three small generated albums: every album is built
# and verify finds it fit; a second run finds them all up to date; after
# one album's source changes, a run through GNU parallel's --sshlogin
# path (":" is this machine) rebuilds that album alone.
. "${top_srcdir:-.}/tests/lib.sh"

script="$top_srcdir/examples/catalogue/build-all.sh"
cd "$T" || exit 99

# run STATUS "description" ARGS...: the example script, not under
# $PM_TEST_WRAPPER (it is a shell script; premaster is what is tested)
run() {
	want=$1
	desc=$2
	shift 2
	sh "$script" "$@" >"$T/.stdout" 2>"$T/.stderr"
	got=$?
	if [ "$got" = "$want" ]; then
		t_result 0 "$desc"
	else
		t_result 1 "$desc"
		echo "# exit status $got, wanted $want: build-all.sh $*"
		sed -e 's/^/#   stderr: /' "$T/.stderr" | head -n 20
	fi
}
command -v parallel >/dev/null 2>&1 || {
	echo "Bail out! GNU parallel is needed (apt-get install parallel)"
	exit 99
}
for a in one two three; do
	mkdir -p "catalogue/$a" || exit 99
	i=0
	for s in 1 2; do
		i=$((i + 1))
		mkfixture -s "$s$i${#a}" --fade 0.1 music 5s \
			"catalogue/$a/0$i Song.wav" || exit 99
	done
	(cd "catalogue/$a" && pm premaster init -q --title "Album $a" \
		--artist Tester ./*.wav) || exit 99
	# a CD and one streaming profile keep the run short
	sed '/<vinyl>/,/<\/vinyl>/d; /<streaming profile="apple"/d;
	     /<streaming profile="bandcamp"/d' "catalogue/$a/album.xml" \
		>a.xml && mv a.xml "catalogue/$a/album.xml" || exit 99
done

run 0 "build-all.sh builds the catalogue" -p 2 catalogue
cp "$T/.stdout" run.out
cp "$T/.stderr" run.err
for a in one two three; do
	grep -q -F "0	$T/catalogue/$a/album.xml" run.out
	t_result $? "it reports album $a fit"
	grep -q '"fit": true' "catalogue/$a/out/report/verify.json"
	t_result $? "album $a passed verify"
	t_ok "album $a has its DDP" premaster ddpmake --list "catalogue/$a/out/ddp"
	t_ok "and its streaming files" \
		test -s "catalogue/$a/out/streaming/spotify/01-Song.flac"
done
grep -q "albums: 3 fit, 0 not" run.err
t_result $? "and sums it up"

# a rebuilt DDP is a new IMAGE.DAT file
stamp() { stat -c %i "catalogue/$1/out/ddp/IMAGE.DAT"; }
before_one=$(stamp one)
before_two=$(stamp two)
before_three=$(stamp three)
run 0 "a second run succeeds" catalogue
t_is "and rebuilds nothing: every album is up to date" \
	"$(stamp one) $(stamp two) $(stamp three)" \
	"$before_one $before_two $before_three"

mkfixture -s 99 --fade 0.1 music 5s "catalogue/two/01 Song.wav" || exit 99
run 0 "after a change, a run through --sshlogin (this machine)" \
	-S : -j 2 catalogue
t_ok "rebuilds the changed album" test "$(stamp two)" != "$before_two"
t_is "and leaves the others" "$(stamp one)" "$before_one"
grep -q '"fit": true' catalogue/two/out/report/verify.json
t_result $? "which is fit again"

# a broken album does not stop the others, and the run says so
printf 'not xml' >catalogue/three/album.xml
run 1 "a broken album makes the run fail" catalogue
t_stdout_has "naming it with its status" "65	$T/catalogue/three/album.xml"
t_stderr_has "counted in the summary" "albums: 2 fit, 1 not"
t_done

#!/bin/sh
# SPDX-License-Identifier: MIT
# build, sign and export killed (kill -9) at moments spread over their run:
# nothing partial ever stands under the final name, and after the re-run no
# temporary file or folder remains, including leftovers of dead writers
# under the old-style names (OUT.tmp-PID, OUT.tmp-PID-N).
# Regression 2026-12 (issue 11 item 4): killed runs left OUT.tmp-XXXXXX,
# .casefile-sign-XXXXXX, OUT.zip.tmp-PID and DIR.tmp-PID/ for ever.
. "$(dirname "$0")/../lib.sh"

O=6931000000000201
"$CASEFILE_BIN" init $(pg_db_opt) >/dev/null && "$CASEFILE_BIN" keygen --cn T >/dev/null ||
	{ echo "Bail out! cannot make a vault"; exit 1; }
mkdir in
for i in 1 2 3; do head -c $(((8 << 20) + 1000 * i)) /dev/urandom >in/blob$i.bin; done
"$CASEFILE_BIN" ingest --quiet --kind other $O in/blob1.bin in/blob2.bin in/blob3.bin \
	>/dev/null 2>&1 || { echo "Bail out! ingest failed"; exit 1; }
mkdir out
"$CASEFILE_BIN" build $O --no-sign -o unsigned.pdf >/dev/null 2>&1 ||
	{ echo "Bail out! build failed"; exit 1; }

# a pid that no longer runs
dead_pid() { sh -c 'echo $$'; }

# run_killed NAME FRACTION CMD...: start CMD, kill -9 it after FRACTION of
# the time an uninterrupted run took (ms in $full_ms)
run_killed() {
	_what=$1 _f=$2; shift 2
	"$@" >/dev/null 2>&1 &
	_pid=$!
	sleep "$(awk -v t="$full_ms" -v f="$_f" 'BEGIN { printf "%.3f", t * f / 1000 }')"
	kill -9 $_pid 2>/dev/null
	wait $_pid 2>/dev/null
}

# time_ms CMD...: run CMD, set full_ms to its duration
time_ms() {
	_s=$(date +%s%N); "$@" >/dev/null 2>&1; _e=$(date +%s%N)
	full_ms=$(( (_e - _s) / 1000000 ))
}

# valid KIND FILE: the file under the final name is complete
valid() {
	case $1 in
	pdf) qpdf --check "$2" >/dev/null 2>&1 && pdfsig "$2" 2>/dev/null | grep -q 'Signature is Valid' ;;
	zip) unzip -tq "$2" >/dev/null 2>&1 ;;
	bag) test -f "$2/tagmanifest-sha256.txt" && (cd "$2" && sha256sum -c --quiet manifest-sha256.txt) ;;
	esac
}

for cmd in build sign export-zip export-dir; do
	case $cmd in
	build) final=out/d.pdf kind=pdf; set -- "$CASEFILE_BIN" build $O -o out/d.pdf ;;
	sign) final=out/s.pdf kind=pdf; set -- "$CASEFILE_BIN" sign unsigned.pdf -o out/s.pdf ;;
	export-zip) final=out/e.zip kind=zip; set -- "$CASEFILE_BIN" export $O -o out/e.zip ;;
	export-dir) final=out/bag kind=bag; set -- "$CASEFILE_BIN" export $O -o out/bag ;;
	esac
	time_ms "$@"
	check "$cmd: an uninterrupted run writes a complete output" valid $kind $final
	rm -rf "$final"
	partial=0 killed=0
	for f in 0.05 0.2 0.35 0.5 0.65 0.8 0.95; do
		rm -rf "$final"
		run_killed "$cmd" $f "$@"
		if [ -e "$final" ]; then valid $kind $final || partial=$((partial + 1)); else killed=$((killed + 1)); fi
	done
	check "$cmd: no partial output under the final name after 7 kills" \
		test $partial = 0
	# what a dead writer of the old or the fallback style left
	dp=$(dead_pid)
	if [ $kind = bag ]; then
		mkdir -p out/bag.tmp-$dp/data && echo x >out/bag.tmp-$dp/data/f
		mkdir -p out/bag.tmp-$dp-2
	else
		head -c 1000 /dev/urandom >$final.tmp-$dp
		head -c 1000 /dev/urandom >$final.tmp-$dp-1
	fi
	rm -rf "$final"
	"$@" >"$out" 2>"$err"; rc=$?
	expect_rc 0 "$cmd: the re-run succeeds"
	check "$cmd: the re-run's output is complete" valid $kind $final
	check "$cmd: no leftovers after the re-run" \
		sh -c "! ls -A out | grep -v -x -e d.pdf -e s.pdf -e e.zip -e bag"
	check "$cmd: no hidden signing temp anywhere" sh -c "! ls -A . out | grep -q casefile-sign"
done
done_testing

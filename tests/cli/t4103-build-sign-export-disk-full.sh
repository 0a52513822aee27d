#!/bin/sh
# SPDX-License-Identifier: MIT
# A full disk (a small tmpfs, where mounting is permitted) and a file size
# limit (ulimit -f, EFBIG): build, sign, export, statement and stats
# --report name the path and the cause, exit 5, and leave nothing behind.
# Regression 2026-12 (issue 11 item 6): build said "libharu error 0x1016
# (detail 1)" and export "Write error".
. "$(dirname "$0")/../lib.sh"

O=6931000000000301
"$CASEFILE_BIN" init $(pg_db_opt) >/dev/null && "$CASEFILE_BIN" keygen --cn T >/dev/null ||
	{ echo "Bail out! cannot make a vault"; exit 1; }
for i in 1 2 3; do head -c $(((1 << 20) + 77 * i)) /dev/urandom >b$i.bin; done
"$CASEFILE_BIN" ingest --quiet --kind other $O b1.bin b2.bin b3.bin >/dev/null 2>&1 &&
"$CASEFILE_BIN" dispute open $O --reason quality --now 2025-05-03T12:00:00Z >/dev/null 2>&1 &&
"$CASEFILE_BIN" build $O --no-sign -o u.pdf >/dev/null 2>&1 ||
	{ echo "Bail out! cannot make the order"; exit 1; }

# expect_full WHAT PATH CAUSE: the last run failed with exit 5 naming PATH
# and CAUSE, and said nothing of libharu or a bare "Write error"
expect_full() {
	expect_rc 5 "$1: exit 5"
	expect_err "^casefile: cannot write '$2(/[^']*)?': $3\$" "$1: names '$2' and says '$3'"
	check_not "$1: no library jargon" grep -Eq 'libharu|Write error|0x1016' "$err"
}

cmds() { # one command line per output
	echo "build $O -o D/d.pdf"
	echo "build $O --no-sign -o D/d.pdf"
	echo "sign u.pdf -o D/s.pdf"
	echo "export $O -o D/e.zip"
	echo "export $O -o D/e.tar.gz"
	echo "export $O -o D/bag"
	echo "statement $O -o D/st.txt"
	echo "stats --report D/r.pdf"
}

cmds >cmds.txt
mkdir full
if mount -t tmpfs -o size=512k tmpfs full 2>mount.err; then
	trap 'umount "$SCRATCH/full" 2>/dev/null; lib_cleanup' EXIT
	# a disk that fills up part way through the output
	cmds | grep -v -e statement -e stats >cmds-big.txt
	while read -r line <&3; do
		# shellcheck disable=SC2086
		cf $(echo "$line" | sed 's|D/|full/|')
		p=$(echo "$line" | sed 's|.* -o D/|full/|; s| .*||')
		expect_full "part-way full: ${line%% -o*}" "$p" "No space left on device"
		check "part-way full: ${line%% -o*}: nothing left on the disk" \
			test -z "$(ls -A full)"
	done 3<cmds-big.txt
	# a disk full before the first byte
	cat /dev/zero >full/filler 2>/dev/null
	while read -r line <&3; do
		# shellcheck disable=SC2086
		cf $(echo "$line" | sed 's|D/|full/|')
		p=$(echo "$line" | sed 's|.* -o D/|full/|; s|.*--report D/|full/|; s| .*||')
		expect_full "full: ${line%% -o*}" "$p" "No space left on device"
		check "full: ${line%% -o*}: nothing but the filler" test "$(ls -A full)" = filler
	done 3<cmds.txt
	# a vault on a full disk (ingest names the cause too)
	rm full/filler
	head -c 2000000 /dev/urandom >big.bin
	CASEFILE_VAULT=$SCRATCH/full/v "$CASEFILE_BIN" init $(pg_db_opt) >"$out" 2>"$err"; rc=$?
	expect_rc 0 "a vault on the small disk"
	CASEFILE_VAULT=$SCRATCH/full/v "$CASEFILE_BIN" ingest --kind other $O big.bin >"$out" 2>"$err"; rc=$?
	check "ingest on a full disk says why" grep -q 'No space left on device' "$err"
	umount full
else
	echo "ok $((tap_n + 1)) # skip cannot mount a tmpfs: $(head -1 mount.err)"
	tap_n=$((tap_n + 1))
fi

# A file size limit: writes fail with EFBIG (SIGXFSZ ignored).
mkdir lim
while read -r line <&3; do
	# shellcheck disable=SC2086
	(trap '' XFSZ; ulimit -f 1000; "$CASEFILE_BIN" $(echo "$line" | sed 's|D/|lim/|') \
		>"$out" 2>"$err"); rc=$?
	p=$(echo "$line" | sed 's|.* -o D/|lim/|; s|.*--report D/|lim/|; s| .*||')
	case $line in
	statement* | stats*)	# small outputs: under the limit
		expect_rc 0 "size limit: ${line%% -o*}: fits"
		continue ;;
	esac
	expect_full "size limit: ${line%% -o*}" "$p" "File too large"
	check "size limit: ${line%% -o*}: nothing left" test -z "$(ls -A lim)"
done 3<cmds.txt
done_testing

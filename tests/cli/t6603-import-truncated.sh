#!/bin/sh
# SPDX-License-Identifier: MIT
# import: an archive cut off anywhere keeps every entry that is complete,
# names where reading stopped, is marked incomplete and exits 3 (issue 12:
# a truncated tar.gz imported nothing; a zip cut inside its central
# directory imported with exit 0 and "complete": true).  Each archive is
# cut at many offsets; which entries are complete is computed here with
# python's tarfile / zipfile / zlib, independently of casefile.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-bundle.sh"

O=6931000000000001
mkdir -p src/$O
i=1
while [ $i -le 6 ]; do
	# a valid transcript each, poorly compressible: damage lands in all of them
	head -c $((1500 * i)) /dev/urandom | od -An -tx1 -v | tr -d ' \n' | fold -w 60 |
		awk -v i=$i '{ printf "2025-05-03 10:%02d:%02d 买家(小**): %d %s\n", i, NR % 60, i, $0 }' \
		>src/$O/chat$i.txt
	i=$((i + 1))
done
(cd src && for f in $O/*; do sha256sum "$f"; done) | awk '{print toupper($1)}' | sort >want.sha
tar -C src -cf b.tar $O
tar -C src -czf b.tar.gz $O
python3 - <<'PY'
import zipfile, os
with zipfile.ZipFile("b.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for n in sorted(os.listdir("src/6931000000000001")):
        z.write("src/6931000000000001/" + n, "6931000000000001/" + n)
PY
# expected FORMAT CUT: how many entries end before the cut
expected() {
	python3 - "$1" "$2" <<'PY'
import sys, tarfile, zipfile, zlib, struct
fmt, cut = sys.argv[1], int(sys.argv[2])
if fmt == "zip":
    data = open("b.zip", "rb").read()
    ends = []
    for i in zipfile.ZipFile("b.zip").infolist():
        h = i.header_offset
        n, e = struct.unpack("<HH", data[h + 26:h + 30])
        ends.append(h + 30 + n + e + i.compress_size)
    limit = cut
else:
    ends = [m.offset_data + m.size for m in tarfile.open("b.tar") if m.isfile()]
    if fmt == "tar":
        limit = cut
    else:
        limit = len(zlib.decompressobj(31).decompress(open("b.tar.gz", "rb").read()[:cut]))
print(sum(1 for e in ends if e <= limit))
PY
}

n=0
for fmt in tar tar.gz zip; do
	CASEFILE_VAULT="$SCRATCH/v-$fmt"; export CASEFILE_VAULT
	cf init
	cf import "b.$fmt"
	n=$((n + 1))
	check "$n.a whole b.$fmt: six entries, exit 0" test "$rc:$(nrows)" = 0:6
	size=$(stat -c %s "b.$fmt")
	bad=0 tried=0 partial=0
	# every 1/23 of the file, and a few bytes around the start and end
	for cut in 600 $(seq $((size / 23)) $((size / 23)) $((size - 1))) $((size - 40)) $((size - 1)); do
		[ "$cut" -lt "$size" ] || continue
		tried=$((tried + 1))
		rm -rf "$CASEFILE_VAULT"; cf init
		head -c "$cut" "b.$fmt" >cut.$fmt
		cf --json import cut.$fmt
		want=$(expected "$fmt" "$cut")
		got=$(nrows)
		[ "$got" -gt 0 ] && [ "$got" -lt 6 ] && partial=$((partial + 1))
		sql "SELECT hex(sha256) FROM evidence" | sort >got.sha
		why=""
		if [ "$fmt" != zip ] && [ "$want" = 6 ]; then
			# cut inside tar's zero padding after the last entry:
			# nothing is missing, so nothing need be said
			[ "$got" = 6 ] || why="$why stored $got, want 6"
			[ -z "$why" ] || { bad=$((bad + 1)); echo "# b.$fmt cut at $cut:$why"; show_last; }
			continue
		fi
		[ "$rc" = 3 ] || why="$why rc=$rc"
		[ "$got" = "$want" ] || why="$why stored $got, want $want"
		comm -23 got.sha want.sha | grep -q . && why="$why a stored entry differs from its original"
		grep -q '"complete":false' "$out" || why="$why not marked incomplete"
		grep -Eq "(reading stopped|no zip central directory).*byte [0-9]+" "$err" || why="$why no byte offset named"
		if [ -n "$why" ]; then
			bad=$((bad + 1)); echo "# b.$fmt cut at $cut:$why"; show_last
		fi
	done
	check "$n.b b.$fmt cut at $tried offsets: complete entries kept, incomplete, exit 3, offset named" test $bad = 0
	check "$n.c b.$fmt: some cuts kept some entries but not all" test $partial -ge 3
done

# Cut inside the first header: not even recognised; nothing stored, exit 3.
CASEFILE_VAULT="$SCRATCH/v-head"; export CASEFILE_VAULT
cf init
head -c 100 b.tar.gz >head.tar.gz
cf import head.tar.gz
check "4 a tar.gz cut in its first header: exit 3, nothing stored" test "$rc:$(nrows)" = 3:0
expect_err "^casefile: cannot read 'head\.tar\.gz'" "5 said"

# The message names the entry being read when the data ended.
CASEFILE_VAULT="$SCRATCH/v-msg"; export CASEFILE_VAULT
cf init
head -c $(( $(stat -c %s b.tar.gz) / 2 )) b.tar.gz >half.tar.gz
cf import half.tar.gz
expect_err "^casefile: 'half\.tar\.gz': damaged archive: reading stopped in entry [0-9]+ '$O/chat[0-9]\.txt' \(byte [0-9]+\)" "6 a cut tar.gz names the entry and byte"
expect_err "only part of the bundle could be read" "7 says the import is partial"
done_testing

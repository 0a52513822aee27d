#!/bin/sh
# SPDX-License-Identifier: MIT
# t4802: EXIF Orientation stored as LONG (some writers do) is applied like
# the SHORT the spec asks for: a 4:3 landscape photo with orientation 6
# renders portrait, at ingest (media row) and in pdf.c's own JPEG reader
# (a vault ingested before the fix is brought up to date by reparse).
# Regression (2026-12-03, issue 12): the LONG form was ignored.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001

# the Orientation entry of a JPEG's EXIF rewritten as LONG (type 4)
to_long() {
	python3 - "$1" "$2" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
t = d.index(b"Exif\0\0") + 6
e = "<" if d[t:t + 2] == b"II" else ">"
ifd = t + struct.unpack(e + "I", d[t + 4:t + 8])[0]
for k in range(struct.unpack(e + "H", d[ifd:ifd + 2])[0]):
    p = ifd + 2 + 12 * k
    if struct.unpack(e + "H", d[p:p + 2])[0] == 0x112:
        v = struct.unpack(e + "H", d[p + 8:p + 10])[0]
        d[p + 2:p + 4] = struct.pack(e + "H", 4)
        d[p + 8:p + 12] = struct.pack(e + "I", v)
open(sys.argv[2], "wb").write(d)
PY
}

# the red area's width and height on the rendered pages ("W H")
red_box() {
	rm -f pg-*.png
	pdftoppm -r 60 -png "$1" pg || return 1
	for _f in pg-*.png; do
		convert "$_f" -fuzz 20% -fill white +opaque red -trim -format '%w %h\n' info:
	done | awk '$1 > 20 && $2 > 20'
}

portrait() { set -- $(red_box "$1"); [ "$#" = 2 ] && [ "$2" -gt "$1" ]; }
landscape() { set -- $(red_box "$1"); [ "$#" = 2 ] && [ "$1" -gt "$2" ]; }

cf init
convert -size 400x300 xc:red -quality 90 plain.jpg
cp plain.jpg short.jpg
exiftool -q -overwrite_original -Orientation#=6 -n short.jpg
to_long short.jpg long.jpg
check "1 the test photo holds a LONG orientation" \
	sh -c 'exiftool -v3 long.jpg | grep -A1 "Orientation = 6" | grep -q int32u'
for f in plain short long; do
	mkdir -p "$f" && cp "$f.jpg" "$f/photo.jpg"
done

n=2
for f in plain short long; do
	CASEFILE_VAULT=$SCRATCH/v-$f; export CASEFILE_VAULT
	cf init
	cf ingest $O "$f/photo.jpg"
	expect_clean "$n $f: ingest"
	n=$((n + 1))
	cf build --no-sign $O -o "$f.pdf"
	expect_rc 0 "$n $f: build"
	n=$((n + 1))
done
CASEFILE_VAULT=$SCRATCH/v-long; export CASEFILE_VAULT
check "8 the LONG orientation is recorded at ingest" test "$(sql "SELECT orientation FROM media")" = 6
check "9 no orientation: the photo stays landscape" landscape plain.pdf
check "10 SHORT orientation 6: portrait" portrait short.pdf
check "11 LONG orientation 6: portrait" portrait long.pdf

# A vault ingested before the fix has no orientation recorded: build refuses
# (its rows are not what the parser now reads from the sealed original) and
# names the field; 'casefile reparse' brings the row up to date.
sql "UPDATE media SET orientation = NULL"
cf build --no-sign $O -o long-old.pdf
expect_rc 1 "12 build from a vault without the orientation: refused"
expect_err "media: orientation differs from the sealed original" "13 the field is named"
cf reparse
expect_rc 0 "14 reparse puts the orientation back"
check "15 the orientation is recorded again" test "$(sql "SELECT orientation FROM media")" = 6
cf build --no-sign $O -o long-old.pdf
expect_rc 0 "16 build after reparse"
check "17 LONG orientation after reparse: portrait" portrait long-old.pdf
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile build with real media: page images downsampled to about 200 dpi
# at their printed size (the original attached unchanged), a HEIC photo
# shown like a JPEG, a PDF receipt's first page rendered, a video's key
# frames with their times and the video's creation time (issue 14).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/pack-fixture.sh"

O=6931000000000002
make_pack_order $O || { echo "Bail out! fixture"; exit 1; }
# a big photo: 4000x3000, as phones take them
convert -seed 9 -size 1000x750 plasma:red-blue -resize 4000x3000 -quality 90 in-$O/big.jpg
"$CASEFILE_BIN" ingest --quiet --kind photo $O in-$O/big.jpg
cf build $O -o d.pdf --now 2025-05-04T02:00:00Z
expect_unsealed "build with HEIC, video and PDF receipt"
pdfimages -list d.pdf >imgs.txt
check "every page image is at most ~200 dpi at its printed size" sh -c \
	"awk 'NR > 2 && (\$13 > 210 || \$14 > 210) {exit 1}' imgs.txt"
check "the 4000x3000 photo is shown downsampled (no image wider than 1400 px)" sh -c \
	"awk 'NR > 2 && \$4 > 1400 {exit 1}' imgs.txt"
check "seven page images: 3 JPEG photos, HEIC, video strip, PDF page, the photo the chat sent under its message" test "$(awk 'NR > 2' imgs.txt | wc -l)" = 7
mkdir x && (cd x && pdfdetach -saveall ../d.pdf)
check "the big original is attached unchanged" cmp x/*-big.jpg in-$O/big.jpg
check "the HEIC original is attached unchanged" cmp x/*-IMG_0003.heic in-$O/IMG_0003.heic
pdftotext -layout d.pdf d.txt
check "video page: key frame times and creation time" sh -c \
	"grep -q '关键帧（视频内时间）: 00:00.0 00:02.0 00:04.0 00:05.0' d.txt && grep -q '视频创建时间 2025-05-01 17:30:00' d.txt"
check "receipt page: the PDF's first page rendered at ~200 dpi (portrait, over 1500 px tall)" sh -c \
	"awk 'NR > 2 && \$5 > \$4 && \$5 > 1500 {f = 1} END {exit !f}' imgs.txt"
check "the chat's image is linked to its exhibit" grep -q 'IMG_0001.jpg → 证据' d.txt
orig=$(du -cb in-$O/* | tail -1 | cut -f1)
size=$(stat -c %s d.pdf)
check "dossier ($size bytes) at most 1.1x its originals ($orig) + 1.2 MB of font and text" \
	test "$size" -le $((orig * 11 / 10 + 1200000))
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile build: composite CJK glyphs survive font subsetting in a real
# dossier (libharu 2.3.0 drew 語 as 吾): find both words with pdftotext
# -bbox, render the page with pdftoppm, and compare the two glyph crops.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000007
make_order $O
printf '語\n吾\n议证据\n한국어 Hangul\n' >st.txt
cf build $O -o d.pdf --statement st.txt
expect_clean "build with the test statement"
pdftotext -f 2 -l 2 -bbox d.pdf box.html
bbox() { # bbox WORD -> WxH+X+Y for convert -crop, in 288 dpi pixels
	sed -n "s/.*xMin=\"\([0-9.]*\)\" yMin=\"\([0-9.]*\)\" xMax=\"\([0-9.]*\)\" yMax=\"\([0-9.]*\)\">$1<.*/\1 \2 \3 \4/p" box.html |
		head -1 | awk '{ printf "%dx%d+%d+%d", 4 * ($3 - $1) + 2, 4 * ($4 - $2) + 2, 4 * $1 - 1, 4 * $2 - 1 }'
}
yu=$(bbox 語); wu=$(bbox 吾)
check "both words located ($yu, $wu)" test -n "$yu" -a -n "$wu"
pdftoppm -r 288 -f 2 -l 2 -gray -singlefile d.pdf page
convert page.pgm -crop "$yu" +repage yu.pgm
convert page.pgm -crop "${yu%%+*}+${wu#*+}" +repage wu.pgm
ink() { convert "$1" -threshold 50% -negate -format '%[fx:mean*w*h]' info:; }
a=$(ink yu.pgm); b=$(ink wu.pgm)
check "語 is drawn ($a dark px)" test "${a%.*}" -gt 300
# the bug drew 語 as 吾 (its component): the two crops would then match
d=$(compare -metric AE -fuzz 25% yu.pgm wu.pgm null: 2>&1 | cut -d' ' -f1)
check "語 does not render as 吾 ($d of $a/$b dark px differ)" test "${d%.*}" -gt "$(( ${a%.*} / 3 ))"
check "议证据 and Hangul extracted exactly" sh -c "pdftotext -f 2 -l 2 d.pdf - | grep -q '议证据' && pdftotext -f 2 -l 2 d.pdf - | grep -q '한국어 Hangul'"
done_testing

# SPDX-License-Identifier: MIT
# tests/glyph-check.sh — sourced by CLI tests after lib.sh.
#
# glyph_check PDF PAGE [MIN_INK]: the page must show the words 語 and 吾
# (each a word of its own); both are located with pdftotext -bbox, the page
# is rendered with pdftoppm at 288 dpi, and the two glyph crops compared.
# libharu 2.3.0's subsetter dropped the components of composite glyphs, so
# 語 rendered as its component 吾: the crops would then match.  Emits three
# TAP results.  MIN_INK: dark pixels 語 must have (default 300).
glyph_check() {
	_pdf=$1 _pg=$2 _min=${3:-300}
	pdftotext -f "$_pg" -l "$_pg" -bbox "$_pdf" "$SCRATCH/.box.html"
	_yu=$(_glyph_bbox 語) _wu=$(_glyph_bbox 吾)
	check "both words located ($_yu, $_wu)" test -n "$_yu" -a -n "$_wu"
	pdftoppm -r 288 -f "$_pg" -l "$_pg" -gray -singlefile "$_pdf" "$SCRATCH/.page"
	convert "$SCRATCH/.page.pgm" -crop "$_yu" +repage "$SCRATCH/.yu.pgm"
	convert "$SCRATCH/.page.pgm" -crop "${_yu%%+*}+${_wu#*+}" +repage "$SCRATCH/.wu.pgm"
	_a=$(_glyph_ink "$SCRATCH/.yu.pgm") _b=$(_glyph_ink "$SCRATCH/.wu.pgm")
	check "語 is drawn ($_a dark px)" test "${_a%.*}" -gt "$_min"
	_d=$(compare -metric AE -fuzz 25% "$SCRATCH/.yu.pgm" "$SCRATCH/.wu.pgm" null: 2>&1 | cut -d' ' -f1)
	check "語 does not render as 吾 ($_d of $_a/$_b dark px differ)" \
		test "${_d%.*}" -gt "$(( ${_a%.*} / 3 ))"
}
_glyph_bbox() { # WORD -> WxH+X+Y for convert -crop, in 288 dpi pixels
	sed -n "s/.*xMin=\"\([0-9.]*\)\" yMin=\"\([0-9.]*\)\" xMax=\"\([0-9.]*\)\" yMax=\"\([0-9.]*\)\">$1<.*/\1 \2 \3 \4/p" \
		"$SCRATCH/.box.html" | head -1 |
		awk '{ printf "%dx%d+%d+%d", 4 * ($3 - $1) + 2, 4 * ($4 - $2) + 2, 4 * $1 - 1, 4 * $2 - 1 }'
}
_glyph_ink() { convert "$1" -threshold 50% -negate -format '%[fx:mean*w*h]' info:; }

#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile build: composite CJK glyphs survive font subsetting in a real
# dossier (libharu 2.3.0 drew 語 as 吾): find both words with pdftotext
# -bbox, render the page with pdftoppm, and compare the two glyph crops.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"
. "$TESTS_DIR/glyph-check.sh"

O=6931000000000007
make_order $O
printf '語\n吾\n议证据\n한국어 Hangul\n' >st.txt
cf build $O -o d.pdf --statement st.txt
expect_unsealed "build with the test statement"
glyph_check d.pdf 2
check "议证据 and Hangul extracted exactly" sh -c "pdftotext -f 2 -l 2 d.pdf - | grep -q '议证据' && pdftotext -f 2 -l 2 d.pdf - | grep -q '한국어 Hangul'"
done_testing

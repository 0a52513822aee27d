#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile build: an undecodable image and a 20000x20000 image become cards;
# the build succeeds, says so, and memory stays small.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000005
make_order $O bad
# under AddressSanitizer its quarantine of freed memory (256 MB by default)
# counts as RSS; a small one measures what the build itself holds
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
/usr/bin/time -f '%M' -o rss.txt "$CASEFILE_BIN" build $O -o d.pdf >"$out" 2>"$err"; rc=$?
expect_rc 0 "build succeeds"
expect_err "warning: exhibit [0-9]+ 'broken.jpg': shown as a card" "says what it did with the broken JPEG"
expect_err "warning: exhibit [0-9]+ 'huge.jpg': shown as a card: image too large: 20000x20000" "refuses to rasterise 20000x20000"
# AddressSanitizer's shadow memory about doubles a run's RSS (49 MB plain,
# 109 MB under make check, 2026-12-03): the bound doubles with it
limit=102400
ldd "$CASEFILE_BIN" 2>/dev/null | grep -q libasan && limit=204800
check "peak RSS under $((limit / 1024)) MB ($(cat rss.txt) KB)" test "$(cat rss.txt)" -lt $limit
check "qpdf --check is clean" qpdf --check d.pdf
pdftotext d.pdf d.txt 2>txt.err
check "no pdftotext warnings" test ! -s txt.err
check "card text present" grep -q '图像无法解码' d.txt
check "originals still attached" sh -c "pdfdetach -list d.pdf | grep -q 'E00[0-9]-broken.jpg'"
done_testing

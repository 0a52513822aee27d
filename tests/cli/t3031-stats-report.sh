#!/bin/sh
# SPDX-License-Identifier: MIT
# stats --report: a chart PDF that standard tools accept, with the CJK font
# embedded and the numbers of the text tables.  Drawn with the dossier's
# PDF engine: pdftotext prints no warning (a proper ToUnicode CMap) and the
# composite CJK glyphs render whole (libharu 2.3.0 drew 語 as 吾; the SKU
# labels 語 and 吾 are rendered and compared as in t4005).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/cli/dispute-fixtures.sh"
. "$TESTS_DIR/glyph-check.sh"
export CASEFILE_NOW='2025-06-01 09:00'
cf init
i=0
for r in quality quality not_received damaged_in_transit; do
	i=$((i + 1))
	cf dispute open "R$i" --reason $r --amount 89.00 --requested-at "2025-0$((i % 3 + 3))-10 10:00"
	[ $i = 4 ] || cf dispute close "R$i" --outcome $([ $i = 2 ] && echo lost || echo won) --refunded $([ $i = 2 ] && echo 89.00 || echo 0)
done
fx_order R1 語 13800000001 a >/dev/null
fx_order R2 吾 13800000002 b >/dev/null
cf stats --report report.pdf
expect_clean "report written"
expect_out "^wrote 'report.pdf'$" "says where"
check "qpdf accepts it" qpdf --check report.pdf
check "three pages" sh -c "pdfinfo report.pdf | grep -q '^Pages: *3'"
check "font embedded" sh -c "pdffonts report.pdf 2>/dev/null | grep -q 'WenQuanYiMicroHei.*yes'"
pdftotext -layout report.pdf report.txt 2>/dev/null
check "month chart labels" grep -q '2025-04' report.txt
check "win rate of quality: 1 won / 1 lost" grep -Eq '质量问题 quality +50.0% +\(1 won / 1 lost\)' report.txt
check "Latin text renders" grep -q 'Disputes per month, stacked by reason' report.txt
check "generation time in China time" grep -q 'generated 2025-06-01 09:00:00 +08:00; 4 disputes (1 open, 3 closed)' report.txt
check_not "no temporary file left" sh -c "ls | grep -q '^report.pdf.tmp'"
check "font has a ToUnicode map" sh -c "pdffonts report.pdf | awk 'NR > 2 && \$6 == \"yes\" { ok = 1 } END { exit !ok }'"
pdftotext report.pdf plain.txt 2>pdftotext.err
check "pdftotext prints no warning" test ! -s pdftotext.err
check "CJK titles extracted exactly" sh -c "grep -q '^纠纷统计 Dispute statistics$' plain.txt && grep -q '^各原因胜诉率 Win rate per reason' plain.txt"
check "every reason label of the legend" sh -c "for l in '质量问题 quality' '描述不符 not_as_described' '疑似恶意退款 suspected_abuse' '其他 other'; do grep -q \"\$l\" plain.txt || exit 1; done"
check "page numbers in the footer" grep -Eq '^3 ?/ ?3$' plain.txt
check "whole-number axis ticks (0 1 2)" sh -c "pdftotext -f 1 -l 1 -layout report.pdf - | awk '\$1 ~ /^[0-9]\$/ && NF == 1 { t = t \$1 } END { exit t != \"210\" }'"
check "refund per SKU: 語 refunded 89.00" grep -Eq '^¥89.00 \(1 disputes\)$' plain.txt

# the SKU labels 語 and 吾 on page 3 (9 pt): render and compare
glyph_check report.pdf 3 100

cf stats --report nosuchdir/report.pdf
expect_rc 5 "unwritable path"
expect_err "cannot write 'nosuchdir/report.pdf'" "names the file"
check_not "nothing left behind" test -e nosuchdir
CASEFILE_FONTS=/nonexistent cf stats --report r2.pdf
check "an unset font folder falls back to the system font" test -s r2.pdf
done_testing

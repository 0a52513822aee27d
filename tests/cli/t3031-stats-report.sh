#!/bin/sh
# SPDX-License-Identifier: MIT
# stats --report: a chart PDF that standard tools accept, with the CJK font
# embedded and the numbers of the text tables.
. "$(dirname "$0")/../lib.sh"
export CASEFILE_NOW='2025-06-01 09:00'
cf init
i=0
for r in quality quality not_received damaged_in_transit; do
	i=$((i + 1))
	cf dispute open "R$i" --reason $r --amount 89.00 --requested-at "2025-0$((i % 3 + 3))-10 10:00"
	[ $i = 4 ] || cf dispute close "R$i" --outcome $([ $i = 2 ] && echo lost || echo won) --refunded $([ $i = 2 ] && echo 89.00 || echo 0)
done
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
check_not "no temporary file left" test -e report.pdf.tmp

cf stats --report nosuchdir/report.pdf
expect_rc 5 "unwritable path"
expect_err "cannot write 'nosuchdir/report.pdf'" "names the file"
check_not "nothing left behind" test -e nosuchdir
CASEFILE_FONTS=/nonexistent cf stats --report r2.pdf
check "an unset font folder falls back to the system font" test -s r2.pdf
done_testing

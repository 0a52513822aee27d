#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile build: --lang en, --statement FILE, --no-mask, --templates DIR,
# --scenario, and a dispute table when one exists.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000006
make_order $O
cf build $O -o en.pdf --lang en --scenario not_received
expect_clean "english build"
pdftotext en.pdf en.txt 2>en.err
check "no warnings" test ! -s en.err
check "english title" sh -c "pdfinfo en.pdf | grep -q '^Title: *Arbitration evidence dossier'"
p=$(pdfinfo en.pdf | sed -n 's/^Pages: *//p')
check "Page X of Y footer" grep -q "Page $p of $p" en.txt
check "not_received statement with tracking and delivery" grep -q 'tracking no. SF1234567890' en.txt
check "delivery time in the statement" grep -q 'The carrier records delivery on 2025-05-02 14:03:00 +08:00' en.txt

printf '本店认为买家的申请不成立。\n电话 13900001111 仅供平台联系。\n' >st.txt
cf build $O -o st.pdf --statement st.txt
expect_clean "statement from a file"
pdftotext st.pdf st.out
check "free text replaces the template" grep -q '本店认为买家的申请不成立' st.out
check "the merchant's own statement is shown as written" grep -q '13900001111' st.out

cf build $O -o nm.pdf --no-mask
expect_clean "--no-mask"
pdftotext nm.pdf nm.txt
check "--no-mask shows the phone" grep -q 13812345678 nm.txt

mkdir tpl && sed 's/^title = .*/title = 我的举证材料/' "$SRC_DIR/templates/zh-CN.txt" >tpl/zh-CN.txt
cf build $O -o t.pdf --templates tpl
expect_clean "--templates DIR"
check "custom title used" sh -c "pdfinfo t.pdf | grep -q '^Title: *我的举证材料'"

# a dispute recorded with 'casefile dispute open' shows on the cover,
# picks the statement and puts its events on the timeline
cf dispute open $O --reason quality --claim 仅退款 --amount 89.00 \
	--requested-at '2025-05-04 09:00' --rejected-at '2025-05-04 12:00' \
	--arbitration-at '2025-05-05 10:00' --note 申请仅退款 --now '2025-05-05 11:00'
expect_clean "dispute open"
cf build $O -o dsp.pdf
expect_clean "build with a recorded dispute"
pdftotext dsp.pdf dsp.txt
check "cover shows reason and claim" grep -q '诉求: 仅退款' dsp.txt
check "deadline on the cover" grep -q '举证截止' dsp.txt
check "quality statement chosen from the dispute" grep -q '商品出库前经检验合格' dsp.txt
check "dispute event on the timeline" grep -q '申请仅退款' dsp.txt
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile build: --lang en, --statement FILE, --no-mask, --templates DIR,
# --scenario, and a dispute table when one exists.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000006
make_order $O
cf build $O -o en.pdf --lang en --scenario not_received
expect_unsealed "english build"
pdftotext en.pdf en.txt 2>en.err
check "no warnings" test ! -s en.err
check "english title" sh -c "pdfinfo en.pdf | grep -q '^Title: *Arbitration evidence dossier'"
p=$(pdfinfo en.pdf | sed -n 's/^Pages: *//p')
check "Page X of Y footer" grep -q "Page $p of $p" en.txt
check "not_received statement with tracking and delivery" grep -q 'tracking no. SF1234567890' en.txt
check "delivery time in the statement" grep -q 'The carrier records delivery on 2025-05-02 14:03:00 +08:00' en.txt

printf '本店认为买家的申请不成立。\n电话 13900001111 仅供平台联系。\n' >st.txt
cf build $O -o st.pdf --statement st.txt
expect_unsealed "statement from a file"
pdftotext st.pdf st.out
check "free text replaces the template" grep -q '本店认为买家的申请不成立' st.out
check "the merchant's own statement is shown as written" grep -q '13900001111' st.out

cf build $O -o nm.pdf --no-mask
expect_unsealed "--no-mask"
pdftotext nm.pdf nm.txt
check "--no-mask shows the phone" grep -q 13812345678 nm.txt

mkdir tpl && sed 's/^title = .*/title = 我的举证材料/' "$SRC_DIR/templates/zh-CN.txt" >tpl/zh-CN.txt
cf build $O -o t.pdf --templates tpl
expect_unsealed "--templates DIR"
check "custom title used" sh -c "pdfinfo t.pdf | grep -q '^Title: *我的举证材料'"

# a dispute recorded with 'casefile dispute open' shows on the cover,
# picks the statement and puts its events on the timeline
cf dispute open $O --reason quality --claim 仅退款 --amount 89.00 \
	--requested-at '2025-05-04 09:00' --rejected-at '2025-05-04 12:00' \
	--arbitration-at '2025-05-05 10:00' --note 申请仅退款 --now '2025-05-05 11:00'
expect_clean "dispute open"
cf build $O -o dsp.pdf
expect_unsealed "build with a recorded dispute"
pdftotext dsp.pdf dsp.txt
check "cover shows reason and claim" grep -q '诉求: 仅退款' dsp.txt
check "deadline on the cover" grep -q '举证截止' dsp.txt
check "quality statement chosen from the dispute" grep -q '商品出库前经检验合格' dsp.txt
check "the note is in the dispute record list" grep -q '申请仅退款' dsp.txt
# 2026-11 review: the cover showed the reason code (原因: not_received) and
# the timeline one raw event line at the time it was typed in; now the
# reason is named and the dispute's moments stand at their own times.
check "cover names the reason (质量问题), not its code" grep -q '原因: 质量问题' dsp.txt
check_not "no reason code on the cover" grep -q '原因: quality' dsp.txt
pdftotext -layout dsp.pdf dspl.txt
check "timeline: refund request at its time, with reason, claim, amount" \
	grep -Eq '^2025-05-04 09:00:00 +买家申请退款 · 原因: 质量问题; 诉求: 仅退款 \(89\.00\)' dspl.txt
check "timeline: the merchant's refusal at its time" grep -Eq '^2025-05-04 12:00:00 +商家拒绝退款' dspl.txt
check "timeline: arbitration at its time" grep -Eq '^2025-05-05 10:00:00 +平台介入仲裁' dspl.txt
check "timeline: the evidence deadline" grep -Eq '^20[0-9-]+ [0-9:]+ +举证截止（平台仲裁举证期限）' dspl.txt
check "dispute record list, after the timeline" grep -q '争议记录（录入时间与内容）' dspl.txt
sed -n '/^时间线/,/争议记录/p' dspl.txt >tl.txt
check "timeline section found" grep -q '平台介入仲裁' tl.txt
check_not "no raw event line in the timeline table" grep -Eq '^2025-05-05 11:00:00 +(争议事件|opened:)' tl.txt
cf dispute close $O --outcome won --now '2025-05-06 15:00'
cf build $O -o dspen.pdf --lang en
expect_unsealed "build (en) after the close"
pdftotext -layout dspen.pdf dspen.txt
check "en cover: the reason's English name" grep -q 'Reason: quality problem' dspen.txt
check "en timeline: refund request" grep -Eq '^2025-05-04 09:00:00 +buyer requested a refund · reason: quality problem; Claim: 仅退款 \(89\.00\)' dspen.txt
check "en timeline: closed with the outcome at its time" grep -Eq '^2025-05-06 15:00:00 +dispute closed · outcome: merchant won' dspen.txt
done_testing

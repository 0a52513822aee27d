#!/bin/sh
# SPDX-License-Identifier: MIT
# due (issue 16): deadlines by who must act.  The merchant's reply and
# evidence deadlines alert (exit 4); the buyer's escalation window lapsing
# is "buyer did not escalate" (exit 0); after the evidence window with a
# dossier built, the platform decides.  --today is a Chinese board.
. "$(dirname "$0")/../lib.sh"
cf init

# 100001: a refund request the merchant has not answered (48 h to reply).
cf dispute open 100001 --reason not_received --requested-at '2025-05-01 10:00' --now '2025-05-01 11:00'
expect_rc 0 "open 100001 (requested)"
# 100002: rejected by the merchant; the buyer has 48 h to escalate.
cf dispute open 100002 --reason quality --requested-at '2025-05-01 08:00' \
	--rejected-at '2025-05-01 09:00' --now '2025-05-01 11:00'
expect_rc 0 "open 100002 (rejected)"
# 100003: the platform intervened; the merchant has 48 h to submit evidence.
cf dispute open 100003 --reason damaged_in_transit --rejected-at '2025-05-01 09:00' \
	--arbitration-at '2025-05-02 09:00' --now '2025-05-02 10:00'
expect_rc 0 "open 100003 (arbitration)"

cf due --now '2025-05-02 12:00'
expect_clean "nothing of the merchant's within 12h"
expect_out '^100001 +未收到货 +买家申请退款 +商家回复期限 +2025-05-03 10:00:00 \+08:00 +剩余 22h 00m$' "reply deadline"
expect_out '^100002 +质量问题 +商家已拒绝 +买家申请介入期限 ' "buyer's window"
expect_out '^100003 +运输损坏 +平台介入中 +商家举证期限 +2025-05-04 09:00:00 \+08:00 ' "evidence deadline"

# The merchant's reply deadline inside the window: exit 4, marked.
cf due --now '2025-05-03 01:00'
expect_rc 4 "merchant reply within 12h alerts"
expect_out '^100001 .*剩余 9h 00m  !$' "row marked"
check "alerts first" test "$(awk 'NR==2{print $1}' "$out")" = 100001
expect_err '1 merchant deadline within 12h 00m \(0 overdue\)' "stderr counts the merchant's"

# Past the buyer's window and the merchant's reply: only the merchant's counts.
cf due --now '2025-05-03 12:00' --json
expect_rc 4 "overdue reply alerts"
expect_out '"order_id":"100001".*"overdue":true,"lapsed":true,"alert":true,"kind":"merchant_reply","party":"merchant"' "json: merchant overdue"
expect_out '"order_id":"100002".*"overdue":false,"lapsed":true,"alert":false,"kind":"buyer_escalation","party":"buyer"' "json: buyer lapsed, no alert"
expect_out '"buyer_lapsed":1' "json counts lapsed buyer windows"

# The merchant answers 100001 (rejects): no more alert for it.
cf dispute update 100001 --rejected-at '2025-05-03 11:00' --now '2025-05-03 11:00'
expect_rc 0 "100001 rejected"
cf due --now '2025-05-06 12:00'
expect_rc 4 "100003's evidence deadline has passed, no dossier: still the merchant's"
expect_out '^100003 .*已超期 ' "overdue in Chinese"
expect_out '^100001 .*买家未在期限内申请平台介入' "100001: buyer did not escalate"

# A dossier built after the platform intervened: the platform decides.
cf ingest 100003 "$FIXTURES/order.json"
expect_rc 0 "evidence for 100003"
cf build 100003 --no-sign --now '2025-05-03 09:00' -o a.pdf
expect_rc 0 "dossier for 100003"
cf due --now '2025-05-06 12:00'
expect_clean "platform decision, lapsed buyer windows: exit 0"
expect_out '^100003 .*等待平台裁决 .*已提交举证材料，等待平台裁决$' "platform's turn"

# --today: the board, in Chinese, with the merchant's work first.
cf dispute open 100004 --reason not_received --requested-at '2025-05-06 08:00' --now '2025-05-06 09:00'
cf due --today --now '2025-05-07 12:00'
expect_rc 4 "board exits 4 when the merchant has something today"
expect_out '^今日待办 2025-05-07 12:00:00 \+08:00$' "title"
expect_out '^【商家需处理】$' "merchant section"
expect_out '[0-9]\. 100004 未收到货：回复买家的退款申请（同意或拒绝），截止 2025-05-08 08:00:00 \+08:00（剩余 20h 00m）$' "today's work"
expect_out '^【等待买家或平台】$' "others' section"
expect_out '100003 运输损坏：已提交举证材料，等待平台裁决' "platform row"
expect_out '100001 未收到货：买家未在期限内申请平台介入，可关闭退款申请' "buyer row"
check "one screen" test "$(wc -l <"$out")" -le 24
cf due --today --lang en --now '2025-05-07 12:00'
expect_out '^\[for the merchant\]$' "--lang en"

# Evidence added after the dossier: named on stderr.
cf ingest 100003 "$FIXTURES/chat.json"
cf due --now '2025-05-06 12:00'
expect_err "order '100003': 1 item added since dossier [0-9a-f]+ was built" "stale dossier flagged"
done_testing

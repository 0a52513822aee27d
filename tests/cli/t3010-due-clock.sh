#!/bin/sh
# SPDX-License-Identifier: MIT
# due: deadline arithmetic across day, month and year boundaries and time
# zones, ordering by time left, overdue, and the cron exit code.
. "$(dirname "$0")/../lib.sh"
cf init

# Rejected 2025-01-31 23:30 China time + 48 h = 2025-02-02 23:30 +08:00
# (month boundary), = 2025-02-02T15:30:00Z.
cf dispute open M1 --reason quality --requested-at '2025-01-31 20:00' \
	--rejected-at '2025-01-31 23:30' --now '2025-02-01 00:00'
expect_rc 0 "open M1"
# Rejected 2024-12-31T20:00:00Z (= 2025-01-01 04:00 China) + 48 h:
# 2025-01-02T20:00:00Z = 2025-01-03 04:00 +08:00 (year boundary, UTC input).
cf dispute open Y1 --reason not_received --rejected-at '2024-12-31T20:00:00Z' --now '2025-01-01 05:00'
expect_rc 0 "open Y1 (UTC input)"
# Leap day: rejected 2024-02-28 12:00 -05:00 (= 02-29 01:00 +08:00) + 48 h
# = 2024-03-02 01:00 +08:00.
cf dispute open L1 --reason other --rejected-at '2024-02-28T12:00:00-05:00' --now '2024-02-29 02:00'
expect_rc 0 "open L1 (offset input)"
check "M1 deadline in UTC" test "$(sql "SELECT deadline FROM disputes WHERE order_id='M1'")" = "$(date -u -d '2025-02-02T15:30:00Z' +%s)"
check "Y1 deadline in UTC" test "$(sql "SELECT deadline FROM disputes WHERE order_id='Y1'")" = "$(date -u -d '2025-01-02T20:00:00Z' +%s)"
check "L1 deadline in UTC" test "$(sql "SELECT deadline FROM disputes WHERE order_id='L1'")" = "$(date -u -d '2024-03-01T17:00:00Z' +%s)"

cf due --now '2024-03-01 12:00'
expect_clean "due, nothing within 12h"
check "sorted by time left" test "$(awk 'NR>1{print $1}' "$out" | tr '\n' ' ')" = "L1 Y1 M1 "
expect_out '^L1 .*买家申请介入期限 +2024-03-02 01:00:00 \+08:00 +剩余 13h 00m$' "leap-day clock, the buyer's window, in Chinese"
expect_out '^Y1 .* 2025-01-03 04:00:00 \+08:00 ' "year-boundary deadline in China time"
expect_out '^M1 +质量问题 +商家已拒绝 .* 2025-02-02 23:30:00 \+08:00 ' "month-boundary deadline in China time; reason and status in Chinese"

# The buyer's escalation window is the buyer's to act on: never an alert.
cf due --now '2024-03-01 12:00' --within 13h
expect_clean "the buyer's window inside --within does not alert"
check_not "no row marked" grep -q '!$' "$out"

cf --tz UTC due --now '2024-03-01 12:00'
expect_out '^L1 .* 2024-03-01 17:00:00 \+00:00 ' "deadline shown in another zone"
cf --tz -05:00 due --now '2024-03-01 12:00'
expect_out '^L1 .* 2024-03-01 12:00:00 -05:00 ' "negative offset"

# A lapsed buyer window is good news: exit 0, "buyer did not escalate".
CASEFILE_NOW='2025-01-03 05:30' cf due --within 1h
expect_rc 0 "CASEFILE_NOW: lapsed buyer windows exit 0"
expect_out '^Y1 .*买家未在期限内申请平台介入，可关闭退款申请$' "lapsed window says the buyer did not escalate"
expect_out '^L1 .*买家未在期限内申请平台介入' "long lapsed too"
expect_out '2 disputes: buyer did not escalate \(can be closed\)' "counted on stdout"
CASEFILE_NOW='2025-01-03 05:30' cf due --within 1h --lang en
expect_out '^Y1 .*buyer did not escalate' "in English with --lang en"

cf due --now '2025-02-02 23:00' --json --within 1h
expect_clean "json, buyer window: no alert"
expect_out '"order_id":"M1","reason":"quality","status":"rejected","profile":"douyin","deadline":"2025-02-02T15:30:00Z","deadline_local":"2025-02-02 23:30:00 \+08:00","deadline_source":"escalation","seconds_left":1800,"overdue":false,"lapsed":false,"alert":false,"kind":"buyer_escalation","party":"buyer"' "json row keeps the codes"

# WeChat store: 7 days to escalate.
cf due --now '2025-02-01 00:00' --profile wechat --json
check "wechat profile: M1 rejected + 168 h" grep -q '"order_id":"M1".*"deadline":"2025-02-07T15:30:00Z"' "$out"

# Arbitration moves the clock to the merchant's evidence window (48 h).
cf dispute update M1 --arbitration-at '2025-02-02 10:00' --now '2025-02-02 11:00'
expect_rc 0 "arbitration started"
cf due --now '2025-02-02 11:00' --json
check "evidence deadline = arbitration + 48h" grep -q '"order_id":"M1".*"deadline":"2025-02-04T02:00:00Z","deadline_local":"2025-02-04 10:00:00 +08:00","deadline_source":"evidence"' "$out"

# A profile edited by the merchant takes effect at once.
sed 's/^merchant_evidence_hours = 48/merchant_evidence_hours = 24/' "$SRC_DIR/templates/profiles/douyin.conf" >fast.conf
cf due --now '2025-02-02 11:00' --profile "$SCRATCH/fast.conf" --json
check "profile by path" grep -q '"order_id":"M1".*"deadline":"2025-02-03T02:00:00Z"' "$out"

# No open disputes: exit 0.
cf --vault "$SCRATCH/empty" init
cf --vault "$SCRATCH/empty" due --within 100d
expect_clean "no disputes"
expect_out "没有未结的争议" "says so"

cf due --within soon
expect_rc 2 "bad duration"
expect_err "within" "names the option"
cf due --profile nosuch
expect_rc 2 "unknown profile"
expect_err "unknown profile 'nosuch'" "names it"
done_testing

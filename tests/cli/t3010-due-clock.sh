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
expect_out '^L1 .* 2024-03-02 01:00:00 \+08:00 +13h 00m left \(escalation\)$' "leap-day clock"
expect_out '^Y1 .* 2025-01-03 04:00:00 \+08:00 ' "year-boundary deadline in China time"
expect_out '^M1 .* 2025-02-02 23:30:00 \+08:00 ' "month-boundary deadline in China time"

cf due --now '2024-03-01 12:00' --within 13h
expect_rc 4 "exit 4 when a deadline is within the window"
expect_err "1 dispute due within 13h 00m \(0 overdue\)" "alert on stderr"
expect_out '^L1 .*left \(escalation\)  !$' "alerting row marked"

cf due --now '2024-03-01 12:00' --within 12h59m
expect_rc 0 "one minute outside the window"

cf --tz UTC due --now '2024-03-01 12:00'
expect_out '^L1 .* 2024-03-01 17:00:00 \+00:00 ' "deadline shown in another zone"
cf --tz -05:00 due --now '2024-03-01 12:00'
expect_out '^L1 .* 2024-03-01 12:00:00 -05:00 ' "negative offset"

CASEFILE_NOW='2025-01-03 05:30' cf due --within 1h
expect_rc 4 "CASEFILE_NOW: overdue alerts"
expect_out '^Y1 .*OVERDUE by 1h 30m' "overdue says so"
expect_out '^L1 .*OVERDUE by ' "long overdue too"
expect_err "2 disputes due within 1h 00m \(2 overdue\)" "counts overdue"

cf due --now '2025-02-02 23:00' --json --within 1h
expect_rc 4 "json alert"
expect_out '"order_id":"M1","reason":"quality","status":"rejected","profile":"douyin","deadline":"2025-02-02T15:30:00Z","deadline_local":"2025-02-02 23:30:00 \+08:00","deadline_source":"escalation","seconds_left":1800,"overdue":false,"alert":true' "json row"

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
expect_out "no open disputes" "says so"

cf due --within soon
expect_rc 2 "bad duration"
expect_err "within" "names the option"
cf due --profile nosuch
expect_rc 2 "unknown profile"
expect_err "unknown profile 'nosuch'" "names it"
done_testing

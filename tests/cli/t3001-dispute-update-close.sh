#!/bin/sh
# SPDX-License-Identifier: MIT
# dispute update / close: status moves, events, outcomes, and refusals.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001
export CASEFILE_NOW='2025-05-04 12:00'
cf init
cf dispute open $O --reason quality --amount 89.00 --requested-at '2025-05-03 10:12'
expect_rc 0 "open"

cf dispute update $O --rejected-at '2025-05-03 20:00' --note '已拒绝, 商品无质量问题' --now '2025-05-04 12:05'
expect_clean "update: rejection"
expect_out "quality, rejected" "status moved to rejected"
expect_out "deadline 2025-05-05 20:00:00 \+08:00 \(escalation\), 31h 55m left" "clock from the rejection, --now honoured"

cf dispute update $O --arbitration-at '2025-05-04 09:00'
expect_clean "update: arbitration"
expect_out "deadline 2025-05-06 09:00:00 \+08:00 \(evidence\)" "merchant evidence clock"

cf dispute update $O --deadline '2025-05-05 12:00'
expect_clean "explicit deadline overrides"
expect_out "deadline 2025-05-05 12:00:00 \+08:00 \(explicit\)" "explicit"
cf dispute update $O --no-deadline
expect_clean "drop the explicit deadline"
expect_out "\(evidence\)" "back to the computed clock"

check "events: open, 4 updates, 1 note" test "$(sql "SELECT group_concat(kind) FROM (SELECT kind FROM dispute_events ORDER BY id)")" = "open,update,note,update,update,update"
check "status change recorded" sh -c "sqlite3 '$CASEFILE_VAULT/casefile.db' \"SELECT what FROM dispute_events WHERE kind='update'\" | grep -q 'status requested -> rejected'"
check "note recorded at --now" test "$(sql "SELECT at FROM dispute_events WHERE kind='note'")" = 1746331500

before=$(sql .dump | sha256sum)
cf dispute update $O
expect_rc 3 "update without a change"
expect_err "nothing to change" "says so"
cf dispute update $O --status closed
expect_rc 2 "status closed via update is refused"
expect_err "set by 'casefile dispute close" "points to close"
cf dispute update $O --status frozen
expect_rc 2 "unknown status"
expect_err "unknown status 'frozen' \(one of: requested, rejected, arbitration\)" "lists statuses"
cf dispute update $O --deadline '2025-05-01'
expect_rc 3 "past deadline on update"
cf dispute update $O --deadline '2025-05-05' --no-deadline
expect_rc 2 "conflicting options"
cf dispute close $O --outcome victory
expect_rc 2 "unknown outcome"
expect_err "unknown outcome 'victory' \(one of: won, lost, settled, withdrawn\)" "lists outcomes"
cf dispute close $O --outcome settled --resolution cash
expect_rc 2 "unknown resolution"
expect_err "unknown resolution 'cash' \(one of: partial_refund, coupon, exchange, return_refund, full_refund, none\)" "lists resolutions"
cf dispute close $O --outcome settled --refunded 90.00
expect_rc 3 "refund above the amount"
expect_err "refund 90.00 is more than the disputed amount 89.00" "says so"
cf dispute close $O
expect_rc 2 "close without outcome"
cf dispute update 6931000000000009 --note x
expect_rc 3 "update an order without a dispute"
expect_err "order '6931000000000009' has no open dispute" "says so"
check "vault unchanged by the refusals" test "$(sql .dump | sha256sum)" = "$before"

cf dispute close $O --outcome settled --refunded 30.00 --resolution partial_refund --json
expect_clean "close"
expect_out '"status":"closed","profile":"douyin"' "closed"
expect_out '"outcome":"settled","refunded":"30.00","resolution":"partial_refund"' "outcome stored"
check "refund in fen" test "$(sql "SELECT refunded_fen, closed_at FROM disputes")" = "3000|1746331200"

before=$(sql .dump | sha256sum)
cf dispute close $O --outcome won
expect_rc 3 "closing a closed dispute"
expect_err "order '$O' has no open dispute \(#1 is closed: settled\)" "says it is closed"
cf dispute update $O --note late
expect_rc 3 "updating a closed dispute"
check "vault unchanged" test "$(sql .dump | sha256sum)" = "$before"

cf dispute open $O --reason quality
expect_rc 0 "a new dispute may be opened once the first is closed"
check "two disputes, one open" test "$(sql "SELECT count(*), sum(closed_at IS NULL) FROM disputes")" = "2|1"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# dispute open / list: reasons (English and Chinese), the first clock, the
# event history, and every refusal leaving the vault unchanged.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/dispute-fixtures.sh"
O=6931000000000001
export CASEFILE_NOW='2025-05-04 12:00'

cf init
expect_clean "init"
fx_ev $O photo IMG_0001.jpg >/dev/null

cf dispute open --help
expect_clean "open --help exits 0"
expect_out 'not_received \(未收到货\)' "help lists reasons with Chinese names"

cf dispute open $O --reason 未收到货 --amount 89.00 --claim '没收到货' \
	--requested-at '2025-05-03 10:12' --rejected-at '2025-05-03 18:00'
expect_clean "open with a Chinese reason"
expect_out "opened dispute #1 for order '$O': not_received, rejected" "says what was opened"
# 2025-05-03 18:00 +08:00 + 48 h = 2025-05-05 18:00 +08:00; now is 05-04 12:00.
expect_out 'deadline 2025-05-05 18:00:00 \+08:00 \(escalation\), 30h 00m left' "escalation deadline and time left"
check "row stored in fen and UTC" test "$(sql "SELECT reason, amount_fen, status, requested_at, rejected_at, deadline, profile FROM disputes")" = \
	"not_received|8900|rejected|1746238320|1746266400|1746439200|douyin"
check "one open event by user@host" test "$(sql "SELECT count(*), min(kind), min(who) FROM dispute_events")" = "1|open|$(id -un)@$(hostname)"
check "event says what" sh -c "sqlite3 '$CASEFILE_VAULT/casefile.db' 'SELECT what FROM dispute_events' | grep -q 'amount 89.00; requested_at 2025-05-03T02:12:00Z'"

before=$(sql .dump | sha256sum)
cf dispute open $O --reason quality
expect_rc 3 "a second open dispute is refused"
expect_err "order '$O' already has an open dispute \(#1" "says which dispute is open"
check "vault unchanged after the refusal" test "$(sql .dump | sha256sum)" = "$before"

cf dispute open 6931000000000002 --reason foo
expect_rc 2 "unknown reason"
expect_err "unknown reason 'foo' \(one of: quality \(质量问题\), not_as_described" "lists the reasons"

cf dispute open 6931000000000002 --reason other --deadline '2025-05-04 11:59'
expect_rc 3 "deadline in the past"
expect_err "deadline 2025-05-04 11:59:00 \+08:00 is in the past" "names the deadline"

cf dispute open 6931000000000002 --reason other --requested-at '2025-02-30 10:00'
expect_rc 2 "impossible date"
expect_err "requested-at: bad time '2025-02-30 10:00'" "names the bad time"

cf dispute open 6931000000000002 --reason other --amount 8.999
expect_rc 2 "three decimals"
expect_err "bad amount '8.999': at most two decimals" "amount message"
cf dispute open 6931000000000002 --reason other --amount 1e3
expect_rc 2 "exponent refused"
cf dispute open 6931000000000002 --reason other --amount -5
expect_rc 2 "negative refused"

cf dispute open 6931000000000002 --reason other --requested-at '2025-05-05 10:00'
expect_rc 3 "a request time in the future"
cf dispute open 6931000000000002 --reason other --requested-at '2025-05-03 10:00' --rejected-at '2025-05-02 10:00'
expect_rc 3 "rejection before the request"
expect_err "rejected-at is before requested-at" "says which times are out of order"

cf dispute open 6931000000000002 --reason other --reason quality
expect_rc 2 "duplicated option"
cf dispute open --reason other
expect_rc 2 "missing order"
cf dispute open '../x' --reason other
expect_rc 2 "bad order id"
cf dispute open 6931000000000002
expect_rc 2 "missing reason"
cf dispute frob
expect_rc 2 "unknown subcommand"
check "nothing stored by the refusals" test "$(sql .dump | sha256sum)" = "$before"

cf dispute open 6931000000000002 --reason not-as-described --profile wechat
expect_rc 0 "hyphenated code, other profile"
expect_err "warning: order '6931000000000002' has no evidence in the vault yet" "warns about an order without evidence"
expect_out "no deadline yet" "no rejection yet: no deadline"

cf dispute open 6931000000000003 --reason 运输损坏 --deadline '2025-05-06 09:30' --json
expect_rc 0 "explicit deadline, json"
expect_out '"reason":"damaged_in_transit"' "json reason"
expect_out '"deadline":"2025-05-06T01:30:00Z","deadline_source":"explicit"' "explicit deadline kept in UTC"
expect_out '"events":\[\{"at":"2025-05-04T04:00:00Z"' "json events"

cf dispute list
expect_clean "list"
check "list shows three" test "$(grep -c '^[0-9]' "$out")" = 3
cf dispute list --open --json
expect_clean "list --open --json"
expect_out '^\[\{"id":1,' "json array"

for r in 质量问题 描述不符 运输损坏 未收到货 错发漏发 不支持退货 价格或支付问题 发货延迟或服务问题 疑似恶意退款 其他 \
	quality not_as_described damaged_in_transit not_received wrong_or_missing_item non_returnable \
	price_or_payment late_or_service suspected_abuse other; do
	cf --vault "$SCRATCH/v2" init
	cf --vault "$SCRATCH/v2" dispute open R1 --reason "$r"
	if [ "$rc" = 0 ]; then tap 0 "reason '$r' accepted"; else tap 1 "reason '$r' accepted"; show_last; fi
	rm -rf "$SCRATCH/v2"
done
done_testing

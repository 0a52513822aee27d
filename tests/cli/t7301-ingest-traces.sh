#!/bin/sh
# SPDX-License-Identifier: MIT
# Courier traces with time and description only (issue 15): 时间,描述 /
# 时间,物流详情 CSV, a list of {time, context}, the trace-API object with a
# "data" list.  The status comes from the description, every family, with
# the locker/station delivery its own status; the description is kept.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001
cf init
cp "$FIXTURES/logistics-trace.csv" trace.csv
cp "$FIXTURES/logistics-trace.json" trace.json
cp "$FIXTURES/logistics-kuaidi100.json" api.json
st() { sql "SELECT group_concat(coalesce(le.status, 'NULL'), ',') FROM (SELECT le.status FROM logistics_events le JOIN evidence e ON e.id = le.evidence_id WHERE e.name = '$1' ORDER BY le.seq) le"; }

# 1-5: CSV, every status family
cf ingest $O trace.csv
expect_rc 0 "时间,物流详情 is a courier trace"
expect_err "trace.csv: line 10: no status, and none read from its description" "an unreadable description is a note"
check "kind logistics" test "$(sql "SELECT kind FROM evidence WHERE name = 'trace.csv'")" = logistics
check "status from each description" test "$(st trace.csv)" = "collected,in_transit,in_transit,out_for_delivery,locker,delivered,exception,returned,NULL"
check "the description is kept as written" test "$(sql "SELECT description FROM logistics_events WHERE seq = 5 AND status = 'locker'")" = "【上海市】您的快件已由菜鸟驿站代收，请凭取件码取件"
check "no status word invented" test "$(sql "SELECT count(*) FROM logistics_events WHERE status_raw IS NOT NULL")" = 0

# 7-8: the JSON list of {time, context}
cf ingest $O trace.json
expect_clean "[{time, context}] is a courier trace"
check "json statuses (丰巢快递柜 = locker)" test "$(st trace.json)" = "collected,in_transit,out_for_delivery,locker"

# 9-10: the trace API object {"nu", "com", "data": [...]}, 门卫 signing = locker
cf ingest $O api.json
expect_clean "trace API object"
check "api statuses" test "$(st api.json)" = "locker,out_for_delivery,collected"

# 11: show sums it up
cf show $O
expect_out 'last_status locker' "show: the last status of the json trace is locker"

# 12-14: 时间,描述 headers too; a status column that says 已签收 while the
# description says a station signed: locker
printf '时间,状态,描述\n2026-11-27 12:47:00,已签收,已签收，签收人：菜鸟驿站代收\n' >s.csv
cf ingest $O s.csv
check "signed by a station: locker" test "$(st s.csv)" = locker
check "the status word is kept raw" test "$(sql "SELECT status_raw FROM logistics_events le JOIN evidence e ON e.id = le.evidence_id WHERE e.name = 's.csv'")" = 已签收

# 15-17: malformed: a bad time in a trace, a context that is not a string
printf '时间,描述\n2026-13-01 10:00:00,已揽收\n' >bad.csv
cf ingest $O bad.csv
expect_rc 3 "bad time: exit 3"
printf '[{"time": "2026-11-26 17:20:00", "context": 5}]' >bad.json
cf ingest $O bad.json
expect_err "bad.json: event 1: 'context' given as a number" "a context that is not text is named"
printf '[{"time": "yesterday", "context": "已签收"}]' >bad2.json
cf ingest $O bad2.json
expect_rc 3 "a bad time in a json trace: exit 3"

# 18: audit re-derives the statuses from the originals
cf audit
expect_rc 0 "audit: statuses are what the originals say"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# stats on a generated history of 3000 disputes: every number casefile
# prints is recomputed here independently with SQL over the same rows.
. "$(dirname "$0")/../lib.sh"
cf init
expect_clean "init"

# Generate orders (order record, one SKU, a buyer phone from a pool of 1200
# so some buyers repeat, evidence kinds at random) and one dispute each.
awk -v N=3000 '
function rnd(m) { seed = (seed * 69069 + 1) % 4294967296; return int(seed / 65536) % m }
BEGIN {
	split("quality not_as_described damaged_in_transit not_received wrong_or_missing_item non_returnable price_or_payment late_or_service suspected_abuse other", R, " ")
	split("won lost settled withdrawn", OC, " ")
	split("chat logistics photo video receipt other", K, " ")
	seed = 12345; ev = 0
	print "BEGIN;"
	for (i = 1; i <= N; i++) {
		o = sprintf("G%06d", i)
		buyer = sprintf("139%08d", rnd(1200))
		sku = sprintf("SKU-%02d", rnd(12))
		amount = 1000 + rnd(20000)
		ev++; printf "INSERT INTO objects VALUES(X%c%056d%08x%c, 10, 0);\n", 39, 0, ev, 39
		printf "INSERT INTO evidence(id, order_id, kind, sha256, size, name, name_raw, ingested_at, tool_version) VALUES(%d, %c%s%c, %corder%c, X%c%056d%08x%c, 10, %corder.json%c, X%c00%c, 0, %ct%c);\n", ev, 39, o, 39, 39, 39, 39, 0, ev, 39, 39, 39, 39, 39, 39, 39
		printf "INSERT INTO order_records(evidence_id, order_id, buyer_phone, buyer_nick, total_fen) VALUES(%d, %c%s%c, %c%s%c, %c小**%c, %d);\n", ev, 39, o, 39, 39, buyer, 39, 39, 39, amount
		printf "INSERT INTO order_items(evidence_id, seq, sku, title, qty, price_fen) VALUES(%d, 0, %c%s%c, %ct%c, 1, %d);\n", ev, 39, sku, 39, 39, 39, amount
		for (k = 1; k <= 6; k++) {
			if (rnd(100) < 55) {
				ev++; printf "INSERT INTO objects VALUES(X%c%056d%08x%c, 10, 0);\n", 39, 0, ev, 39
				printf "INSERT INTO evidence(id, order_id, kind, sha256, size, name, name_raw, ingested_at, tool_version) VALUES(%d, %c%s%c, %c%s%c, X%c%056d%08x%c, 10, %cf%c, X%c00%c, 0, %ct%c);\n", ev, 39, o, 39, 39, K[k], 39, 39, 0, ev, 39, 39, 39, 39, 39, 39, 39
			}
		}
		reason = R[1 + rnd(10)]
		# requested between 2024-01-01 and ~2025-06 (UTC seconds)
		req = 1704067200 + rnd(47000) * 1000 + rnd(1000)
		dur = 3600 + rnd(1000000)
		oc = rnd(10)
		if (oc == 0) {
			printf "INSERT INTO disputes(order_id, reason, amount_fen, status, profile, requested_at, opened_at) VALUES(%c%s%c, %c%s%c, %d, %crequested%c, %cdouyin%c, %d, %d);\n", 39, o, 39, 39, reason, 39, amount, 39, 39, 39, 39, req, req + 60
			continue
		}
		out = OC[1 + oc % 4]
		ref = out == "lost" ? amount : out == "settled" ? int(amount / 3) : 0
		res = out == "lost" ? "full_refund" : out == "settled" ? (oc % 2 ? "partial_refund" : "coupon") : "none"
		printf "INSERT INTO disputes(order_id, reason, amount_fen, status, profile, requested_at, opened_at, outcome, refunded_fen, resolution, closed_at) VALUES(%c%s%c, %c%s%c, %d, %cclosed%c, %cdouyin%c, %d, %d, %c%s%c, %d, %c%s%c, %d);\n", 39, o, 39, 39, reason, 39, amount, 39, 39, 39, 39, req, req + 60, 39, out, 39, ref, 39, res, 39, req + dur
	}
	print "COMMIT;"
}' >history.sql
sql <history.sql
check "3000 disputes generated" test "$(sql 'SELECT count(*) FROM disputes')" = 3000

money() { echo "printf('%d.%02d', ($1) / 100, ($1) % 100)"; }
T0="coalesce(requested_at, opened_at)"
MED="(SELECT sum(dur) / count(*) FROM (SELECT closed_at - $T0 AS dur, row_number() OVER (ORDER BY closed_at - $T0) AS rn, count(*) OVER () AS c FROM disputes x WHERE x.closed_at IS NOT NULL AND KEY) WHERE rn IN ((c + 1) / 2, (c + 2) / 2))"

# --- by reason, as CSV
cf stats --csv --by reason
expect_clean "stats --csv --by reason"
tail -n +2 "$out" | sort >got.csv
sql "SELECT reason || ',' || count(*) || ',' || sum(outcome IS NULL) || ',' || sum(outcome = 'won') || ','
	|| sum(outcome = 'lost') || ',' || sum(outcome = 'settled') || ',' || sum(outcome = 'withdrawn') || ','
	|| CASE WHEN sum(outcome IN ('won','lost')) > 0 THEN
		((sum(outcome = 'won') * 1000 / sum(outcome IN ('won','lost'))) / 10) || '.' || ((sum(outcome = 'won') * 1000 / sum(outcome IN ('won','lost'))) % 10)
	   ELSE '' END || ',' || $(money "coalesce(sum(refunded_fen), 0)") || ','
	|| coalesce($(echo "$MED" | sed 's/KEY/x.reason = d.reason/'), '')
	FROM disputes d GROUP BY reason" | sort >want.csv
check "per reason: counts, outcomes, win rate, refunded, median" cmp got.csv want.csv
check "ten reasons" test "$(wc -l <got.csv)" = 10
[ -s want.csv ] && cmp -s got.csv want.csv || { diff got.csv want.csv | head -5 | sed 's/^/#   /'; }

# --- by month (China time), JSON totals
cf stats --csv --by month
expect_clean "by month"
tail -n +2 "$out" | cut -d, -f1-5 | sort >got.csv
sql "SELECT strftime('%Y-%m', $T0 + 28800, 'unixepoch') AS m, count(*), sum(outcome IS NULL), sum(outcome = 'won'), sum(outcome = 'lost')
	FROM disputes GROUP BY m" | tr '|' , | sort >want.csv
check "per month in China time" cmp got.csv want.csv

# --- by sku
cf stats --csv --by sku
tail -n +2 "$out" | cut -d, -f1,2,9 | sort >got.csv
sql "SELECT i.sku, count(*), $(money "coalesce(sum(d.refunded_fen), 0)") FROM disputes d
	JOIN evidence e ON e.order_id = d.order_id AND e.kind = 'order'
	JOIN order_items i ON i.evidence_id = e.id GROUP BY i.sku" | tr '|' , | sort >want.csv
check "per SKU counts and refunds" cmp got.csv want.csv

# --- by outcome and resolution
cf stats --csv --by outcome
tail -n +2 "$out" | cut -d, -f1,2,3,10 | sort >got.csv
sql "SELECT outcome, resolution, count(*), $(money "sum(refunded_fen)") FROM disputes
	WHERE outcome IS NOT NULL GROUP BY outcome, resolution" | tr '|' , | sort >want.csv
check "per outcome and resolution" cmp got.csv want.csv

# --- repeat buyers, masked
cf stats --csv --by buyer
expect_clean "by buyer"
want=$(sql "SELECT count(*) FROM (SELECT o.buyer_phone FROM disputes d JOIN evidence e ON e.order_id = d.order_id
	JOIN order_records o ON o.evidence_id = e.id GROUP BY o.buyer_phone HAVING count(*) >= 2)")
check "repeat buyers: $want" test "$(tail -n +2 "$out" | wc -l)" = "$want"
check "phones masked" sh -c "tail -n +2 '$out' | cut -d, -f1 | grep -Evq '^139\*\*\*\*[0-9]{4}\$' && exit 1 || exit 0"
check_not "no full phone number printed" grep -Eq '139[0-9]{8}' "$out"
top=$(sql "SELECT count(*) FROM disputes d JOIN evidence e ON e.order_id = d.order_id JOIN order_records o
	ON o.evidence_id = e.id GROUP BY o.buyer_phone ORDER BY count(*) DESC LIMIT 1")
check "largest repeat count first ($top)" test "$(sed -n 2p "$out" | awk -F, '{print $(NF - 8)}')" = "$top"

# --- evidence kinds in won vs lost, per reason
cf stats --csv --by kinds
tail -n +2 "$out" | sort >got.csv
sql "SELECT r.reason || ',' || k.kind || ',' ||
	(SELECT count(*) FROM disputes d WHERE d.reason = r.reason AND d.outcome = 'won' AND EXISTS (SELECT 1 FROM evidence e WHERE e.order_id = d.order_id AND e.kind = k.kind)) || ',' ||
	(SELECT count(*) FROM disputes d WHERE d.reason = r.reason AND d.outcome = 'won') || ',' ||
	(SELECT count(*) FROM disputes d WHERE d.reason = r.reason AND d.outcome = 'lost' AND EXISTS (SELECT 1 FROM evidence e WHERE e.order_id = d.order_id AND e.kind = k.kind)) || ',' ||
	(SELECT count(*) FROM disputes d WHERE d.reason = r.reason AND d.outcome = 'lost')
	FROM (SELECT DISTINCT reason FROM disputes WHERE outcome IN ('won','lost')) r,
	(SELECT 'chat' AS kind UNION SELECT 'logistics' UNION SELECT 'order' UNION SELECT 'photo' UNION SELECT 'video' UNION SELECT 'receipt' UNION SELECT 'other') k" | sort >want.csv
check "evidence kinds in won vs lost" cmp got.csv want.csv

# --- totals and the window
cf stats --json --since 2024-07-01 --until 2025-01-01
expect_clean "json with a window"
n=$(sql "SELECT count(*) FROM disputes WHERE $T0 >= CAST(strftime('%s', '2024-06-30 16:00:00') AS INTEGER) AND $T0 < CAST(strftime('%s', '2024-12-31 16:00:00') AS INTEGER)")
expect_out "\"total\":$n," "window counts $n disputes (China-time dates)"
cf stats --json
med=$(sql "$(echo "SELECT $MED" | sed 's/KEY/1/')")
expect_out "\"median_seconds\":$med," "overall median $med s"
ref=$(sql "SELECT sum(refunded_fen) FROM disputes")
expect_out "\"refunded_fen\":$ref," "total refunded $ref fen"
expect_out '"by_reason":\[\{"reason":"quality","count":' "json tables in reason order"

# --- text tables
cf stats
expect_clean "text"
expect_out '^disputes: 3000 \(open [0-9]+, closed [0-9]+\)' "summary line"
expect_out '^repeat buyers \(two or more disputes, masked\)$' "repeat buyers table"
cf stats --by sku
expect_clean "one table"
check_not "only the SKU table" grep -q '^by reason' "$out"

# --- misuse
cf stats --by colour
expect_rc 2 "unknown table"
expect_err "unknown table 'colour'" "names it"
cf stats --csv --json
expect_rc 2 "csv and json conflict"
cf stats --since 2025-02-30
expect_rc 2 "bad date"
cf stats --since 2025-02-01 --until 2025-01-01
expect_rc 2 "until before since"
done_testing

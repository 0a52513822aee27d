#!/bin/sh
# SPDX-License-Identifier: MIT
# t3201: dispute records and events are ledger leaves (annotation leaves,
# record version 2), so a change made outside casefile shows in audit and
# stops build (issue 11, item 2, 2026-12-03: an SQL UPDATE of a dispute
# changed the dossier's cover and nothing noticed).  Also: disputes of a
# vault from before sealing get their leaves at the next seal or change.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000001
make_order $O
N="--now 2025-05-04T02:00:00Z"
cf dispute open $O --reason 未收到货 --amount 89.00 --requested-at '2025-05-03 10:12' \
	--claim '没收到货' $N
expect_rc 0 "dispute opened"
cf dispute update $O --rejected-at '2025-05-03 18:00' --note '已联系快递' $N
expect_rc 0 "dispute updated with a note"
# open: event + record; update: update event, note event, record
check "each event and each new state is one annotation leaf" \
	test "$(sql "SELECT group_concat(type, ',') FROM (SELECT type FROM annotations ORDER BY leaf_index)")" = \
	"dispute_event,dispute,dispute_event,dispute_event,dispute"
check "annotations are leaves after the 5 evidence leaves" \
	test "$(sql "SELECT min(leaf_index) || '-' || max(leaf_index) FROM annotations")" = "5-9"
check "the annotation payload is the dispute row as JSON" \
	sh -c "sqlite3 '$CASEFILE_VAULT/casefile.db' \"SELECT CAST(payload AS TEXT) FROM annotations WHERE type = 'dispute' ORDER BY leaf_index DESC LIMIT 1\" | jq -e '.id == 1 and .order_id == \"$O\" and .amount_fen == 8900 and .status == \"rejected\"' >/dev/null"
cf seal
cf audit
expect_clean "audit passes"
expect_out "^ledger: 10 leaves recomputed, 0 bad; heads: 1 checked, 0 failing$" "annotation leaves are recomputed too"
expect_out "^disputes: 0 problems$" "disputes checked"
cf build $O -o ok.pdf $N
expect_clean "build passes"

db_save pristine
restore() { db_restore pristine; }

# "SQL|what audit must print (regex)|what build must print (regex)"
cat >cases.txt <<'EOF'
UPDATE disputes SET amount_fen = 1|^dispute: dispute 1 \(order 6931000000000001\): the dispute record differs from its sealed record \(edited\?\)$|dispute 1 \(order 6931000000000001\): the dispute record differs
UPDATE disputes SET reason = 'quality'|^dispute: dispute 1 \(order [0-9]+\): the dispute record differs|the dispute record differs
UPDATE disputes SET claim = '商品有质量问题'|^dispute: dispute 1 \(order [0-9]+\): the dispute record differs|the dispute record differs
UPDATE dispute_events SET what = 'opened: reason quality' WHERE id = 1|^dispute: dispute 1 event 1 \(order [0-9]+\): differs from its sealed record \(edited\?\)$|dispute 1 event 1 .*differs from its sealed record
UPDATE dispute_events SET at = at - 86400 WHERE id = 3|^dispute: dispute 1 event 3 \(order [0-9]+\): differs from its sealed record|dispute 1 event 3
DELETE FROM dispute_events WHERE id = 3|^dispute: dispute 1 event 3 \(order [0-9]+\): sealed, but its row is gone \(deleted\?\)$|dispute 1 event 3 .*its row is gone
INSERT INTO dispute_events(dispute_id, at, who, kind, what) VALUES(1, 1746300000, 'x@y', 'note', '买家已撤诉')|^dispute: dispute 1 event 4 \(order [0-9]+\): not in the ledger \(added outside casefile\?\)$|dispute 1 event 4 .*not in the ledger
UPDATE annotations SET payload = CAST(replace(CAST(payload AS TEXT), '8900', '1') AS BLOB) WHERE type = 'dispute'|^leaf: leaf 9 \(annotation 'dispute 1'\): the annotation no longer hashes to the stored leaf \(row edited\?\)$|dispute 1 .*no longer hashes to its ledger leaf
DELETE FROM annotations WHERE leaf_index = 6|^leaf: leaf 6: no evidence row or annotation has this leaf \(row deleted\?\)$|
EOF
while IFS='|' read -r q want bwant; do
	restore
	sql "$q"
	cf audit --quick
	expect_rc 1 "audit: $q"
	expect_out "$want" "  named"
	[ -n "$bwant" ] || continue
	cf build $O -o t.pdf $N
	expect_rc 1 "  build refuses"
	expect_err "$bwant.*\(run 'casefile audit'\)$" "  build names it"
	check "  no PDF" test ! -e t.pdf
done <cases.txt

# A change to a tampered dispute is refused: it would seal the forgery.
restore
sql "UPDATE disputes SET amount_fen = 1"
cf verify ok.pdf --vault "$CASEFILE_VAULT"
expect_rc 1 "verify --vault of the dossier fails"
expect_out "^FAIL  vault dispute: dispute 1 \(order $O\): the dispute record differs from its sealed record \(edited\?\)$" "  naming the dispute"
cf dispute update $O --note 'x' $N
expect_rc 1 "update of a tampered dispute refused"
expect_err "^casefile: dispute 1 \(order $O\): the dispute record differs from its sealed record \(edited\?\); nothing changed \(run 'casefile audit'\)$" "says why"
check "nothing was added" test "$(sql "SELECT count(*) FROM dispute_events")" = 3
cf dispute close $O --outcome won $N
expect_rc 1 "close of a tampered dispute refused"

# Disputes recorded before sealing existed (rows without annotations, as a
# migrated vault has them): sealed by the next seal, or by their next change.
restore
O2=6931000000000002
O3=6931000000000003
sql "INSERT INTO disputes(id, order_id, reason, status, profile, opened_at) VALUES
       (7, '$O2', 'quality', 'requested', 'douyin', 1746230000),
       (8, '$O3', 'other', 'requested', 'douyin', 1746230000);
     INSERT INTO dispute_events(dispute_id, at, who, kind, what) VALUES
       (7, 1746230000, 'old@host', 'open', 'opened: reason quality'),
       (8, 1746230000, 'old@host', 'open', 'opened: reason other')"
cf audit --quick
expect_rc 1 "unsealed old disputes are reported"
expect_out "^dispute: dispute 7 \(order $O2\): not in the ledger yet \(run 'casefile seal' to add it\)$" "named, with the remedy"
cf dispute update $O3 --note 'still open' $N
expect_rc 0 "an old dispute can change: it is sealed first"
check "  its open event, the new note and two states are leaves" \
	test "$(sql "SELECT count(*) FROM annotations WHERE order_id = '$O3'")" = 4
cf audit --quick
expect_rc 1 "the other one is still unsealed"
expect_out "^dispute: dispute 7 " "dispute 7 still named"
expect_no_out "^dispute: dispute 8 " "dispute 8 no longer"
cf seal
expect_rc 0 "seal"
check "  seal sealed dispute 7" test "$(sql "SELECT count(*) FROM annotations WHERE order_id = '$O2'")" = 2
cf audit
expect_clean "audit passes after the seal"
done_testing

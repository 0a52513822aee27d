#!/bin/sh
# SPDX-License-Identifier: MIT
# t6201: what the dossier renders is sealed too (issue 11, item 2,
# 2026-12-03: one SQL UPDATE of a parsed row changed what the arbiter reads
# while audit, build and verify --vault said OK).  audit re-parses every
# original and compares with the stored rows; build refuses naming the
# item.  First the issue's exact scenario (messages.text and
# order_records.total_fen), then generated edits, deletions and additions
# in every parsed table, each undone before the next.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000001
make_order $O
cf seal
ev() { sql "SELECT id FROM evidence WHERE order_id = '$O' AND name = '$1'"; }
CHAT=$(ev chat.json); ORD=$(ev order.json); LOGI=$(ev logistics.json)
PHOTO=$(ev IMG_0001.jpg); VID=$(ev pack.mp4)

cf audit
expect_clean "intact vault: audit passes"
expect_out "^parsed rows: 5 evidence rows re-parsed from their originals, 0 differing$" "every original re-parsed"
cf build $O -o ok.pdf --now 2025-05-04T02:00:00Z
expect_clean "intact vault: build succeeds"

# Keep the database to undo each tamper.
db_save pristine
restore() { db_restore pristine; }

# --- the issue's scenario ------------------------------------------------
sql "update messages set text='好的，我已经收到货了，谢谢' where evidence_id=$CHAT and seq=1;
     update order_records set total_fen=1 where evidence_id=$ORD"
cf audit
expect_rc 1 "audit finds the edited rows"
expect_out "^facts: evidence row $CHAT \('chat.json', order $O\): messages seq 1: text differs from the sealed original \(edited\?\)$" "names the message and column"
expect_out "^facts: evidence row $ORD \('order.json', order $O\): order_records: total_fen differs from the sealed original \(edited\?\)$" "names the order record and column"
expect_out "^parsed rows: 5 evidence rows re-parsed from their originals, 2 differing$" "counts them"
expect_err "^casefile: audit found 2 problems$" "says how many"
expect_err "^casefile: parsed rows that differ from their sealed originals .*: 'casefile reparse' puts back what the originals say$" "and which command puts the rows back"
cf audit --json
check "--json lists them as facts" sh -c "jq -e '.ok == false and .facts.differing == 2 and ([.problems[] | select(.kind == \"facts\")] | length) == 2' '$out' >/dev/null"
cf build $O -o t.pdf --now 2025-05-04T02:00:00Z
expect_rc 1 "build refuses"
expect_err "^casefile: evidence row $CHAT \('chat.json', order $O\): messages seq 1: text differs from the sealed original \(edited\?\); refused: it is not what was sealed \(run 'casefile audit'; 'casefile reparse' rebuilds the parsed rows from the sealed originals\)$" "build names the item and says to run audit, and how to rebuild the rows"
cf statement $O --reason quality
expect_rc 1 "statement refuses too (it quotes the chat)"
expect_err "^casefile: evidence row $CHAT \('chat.json', order $O\): messages seq 1: text differs from the sealed original \(edited\?\); refused" "  naming the item"
check "  and prints no statement" test ! -s "$out"
check "no PDF written" test ! -e t.pdf
check_not "no temp file left" sh -c 'ls t.pdf* 2>/dev/null | grep -q .'
cf verify ok.pdf --vault "$CASEFILE_VAULT"
expect_rc 1 "verify --vault of a dossier built before the edit fails"
expect_out "^FAIL  vault facts exhibit [0-9]+: evidence row $CHAT \('chat.json', order $O\): messages seq 1: text differs from the sealed original \(edited\?\)$" "  naming the message"
expect_out "^FAIL  vault facts exhibit [0-9]+: evidence row $ORD \('order.json', order $O\): order_records: total_fen differs" "  and the order record"
expect_out "^PASS  vault facts exhibit [0-9]+: its parsed rows are what its sealed original says$" "  the others pass"
cf audit --quick
expect_clean "--quick (cron) skips the re-parse"
expect_out "^parsed rows: not re-parsed \(--quick\)$" "and says so"
cf audit --fast
expect_clean "--fast reads no content, so no re-parse either"
expect_out "^parsed rows: not re-parsed \(--fast\)$" "and says so"
cf audit --quick --fast
expect_rc 2 "--quick and --fast together is a usage error"
restore
cf audit
expect_clean "undone: audit passes again"

# --- generated variants: one change each -----------------------------------
# "SQL|what audit must say (regex after 'facts: evidence row N (...): ')|id"
cat >cases.txt <<EOF
UPDATE messages SET sender = 'merchant' WHERE evidence_id = $CHAT AND seq = 1|messages seq 1: sender differs|$CHAT
UPDATE messages SET time = time + 3600 WHERE evidence_id = $CHAT AND seq = 2|messages seq 2: time differs|$CHAT
DELETE FROM messages WHERE evidence_id = $CHAT AND seq = 3|messages seq 3: row of the sealed original is missing \(deleted\?\)|$CHAT
DELETE FROM messages WHERE evidence_id = $CHAT AND seq = 2|messages seq 2: row of the sealed original is missing \(deleted\?\)|$CHAT
INSERT INTO messages(evidence_id, seq, time, sender, text) VALUES($CHAT, 4, 1746240000, 'buyer', '我同意撤销退款')|messages seq 4: row not in the sealed original \(added\?\)|$CHAT
UPDATE order_items SET price_fen = 100 WHERE evidence_id = $ORD|order_items seq 1: price_fen differs|$ORD
UPDATE order_records SET delivered_at = NULL WHERE evidence_id = $ORD|order_records: delivered_at differs|$ORD
DELETE FROM order_records WHERE evidence_id = $ORD|order_records: row of the sealed original is missing|$ORD
UPDATE logistics_events SET description = '拒收' WHERE evidence_id = $LOGI AND seq = 2|logistics_events seq 2: description differs|$LOGI
UPDATE logistics_events SET status = 'returned' WHERE evidence_id = $LOGI AND seq = 2|logistics_events seq 2: status differs|$LOGI
DELETE FROM logistics_events WHERE evidence_id = $LOGI AND seq = 2|logistics_events seq 2: row of the sealed original is missing|$LOGI
INSERT INTO logistics_events(evidence_id, seq, time, status, description) VALUES($LOGI, 3, 1746170000, 'returned', '退回')|logistics_events seq 3: row not in the sealed original|$LOGI
UPDATE logistics SET tracking_no = 'SF0000000000' WHERE evidence_id = $LOGI|logistics: tracking_no differs|$LOGI
UPDATE media SET width = 10 WHERE evidence_id = $PHOTO|media: width differs|$PHOTO
UPDATE media SET captured_at = 1746000000 WHERE evidence_id = $PHOTO|media: captured_at differs|$PHOTO
UPDATE media SET duration_ms = 1 WHERE evidence_id = $VID|media: duration_ms differs|$VID
DELETE FROM media WHERE evidence_id = $VID|media: row of the sealed original is missing|$VID
INSERT INTO warnings(evidence_id, seq, message) VALUES($PHOTO, 0, 'photo was edited')|warnings seq 0: row not in the sealed original|$PHOTO
EOF
while IFS='|' read -r q want id; do
	restore
	sql "$q"
	cf audit
	expect_rc 1 "audit: $q"
	expect_out "^facts: evidence row $id \([^)]*\): $want" "  names it: $want"
	cf build $O -o g.pdf --now 2025-05-04T02:00:00Z
	expect_rc 1 "  build refuses"
	expect_err "^casefile: evidence row $id \([^)]*\): $want" "  build names it"
	check "  no PDF" test ! -e g.pdf
done <cases.txt

# Parsed rows of an evidence row that does not exist.
restore
sql "INSERT INTO messages(evidence_id, seq, time, sender, text) VALUES(999, 1, 1746240000, 'buyer', 'x')"
cf audit
expect_rc 1 "rows of a missing evidence row are found"
expect_out "^facts: messages of evidence row 999: 1 row of an evidence row that does not exist \(added\?\)$" "named"

# An edited evidence row (its kind steers the re-parse) is named by build too.
restore
sql "UPDATE evidence SET kind = 'other' WHERE id = $CHAT"
cf build $O -o k.pdf --now 2025-05-04T02:00:00Z
expect_rc 1 "build refuses an evidence row that no longer matches its leaf"
expect_err "evidence row $CHAT \('chat.json', order $O\): the evidence row no longer hashes to its ledger leaf \(edited\?\)" "named"

# casefile reparse puts back what the originals say (after an edit, or an
# upgrade whose parsers read a format differently), naming each item.
restore
sql "UPDATE messages SET text = 'x' WHERE evidence_id = $CHAT AND seq = 2;
     DELETE FROM logistics_events WHERE evidence_id = $LOGI AND seq = 1;
     INSERT INTO warnings(evidence_id, seq, message) VALUES($PHOTO, 0, 'x')"
cf reparse
expect_clean "reparse rebuilds the rows"
expect_out "^rebuilt: evidence row $CHAT \('chat.json', order $O\): messages seq 2: text differs from the sealed original \(edited\?\)$" "names the message"
expect_out "^rebuilt: evidence row $LOGI \([^)]*\): logistics_events seq 1: row of the sealed original is missing" "names the event"
expect_out "^rebuilt: evidence row $PHOTO \([^)]*\): warnings seq 0: row not in the sealed original" "names the warning"
expect_out "^5 evidence rows re-parsed: 3 rebuilt, 0 could not be rebuilt$" "counts"
cf audit
expect_clean "audit passes after reparse"
cf reparse $O
expect_out "^5 evidence rows re-parsed: 0 rebuilt, 0 could not be rebuilt$" "a second reparse has nothing to do"
check "the rebuilt rows are the originals' rows" test "$(sql "SELECT text FROM messages WHERE evidence_id = $CHAT AND seq = 2")" = "您好，麻烦拍一下外包装和裂痕的位置"
sql "UPDATE evidence SET name = 'renamed.json' WHERE id = $CHAT; UPDATE media SET width = 1 WHERE evidence_id = $PHOTO"
cf reparse
expect_rc 1 "reparse does not touch an evidence row that is not its leaf"
expect_err "^casefile: evidence row $CHAT \('renamed.json', order $O\): the evidence row no longer hashes to its ledger leaf \(edited\?\): not rebuilt from its original$" "names it"
expect_out "^rebuilt: evidence row $PHOTO " "the others are still rebuilt"

restore
cf audit
expect_clean "restored: clean"
cf build $O -o again.pdf --now 2025-05-04T02:00:00Z
expect_clean "restored: build succeeds"
# A note from before notes were sealed (no annotation): sealed by the next seal.
restore
sql "UPDATE evidence SET note = '旧的说明' WHERE id = $PHOTO"
cf audit
expect_rc 1 "an unsealed note is reported"
expect_out "^facts: evidence row $PHOTO \([^)]*\): its note is not in the ledger yet \(run 'casefile seal' to add it\)$" "with the remedy"
cf seal
cf audit
expect_clean "after seal the old note is sealed"


# The note given at ingest is the exhibit's description: sealed too.
printf 'scale photo\n' >scale.txt
cf ingest --note "电子秤显示 1.2 kg" --kind other $O scale.txt
expect_rc 0 "ingest with a note"
NOTE=$(ev scale.txt)
check "the note is an annotation leaf" test "$(sql "SELECT CAST(payload AS TEXT) FROM annotations WHERE type = 'note' AND subject = 'evidence $NOTE'")" = "电子秤显示 1.2 kg"
cf audit
expect_clean "audit passes with the sealed note"
sql "UPDATE evidence SET note = '电子秤显示 0.2 kg' WHERE id = $NOTE"
cf audit
expect_rc 1 "an edited note is found"
expect_out "^facts: evidence row $NOTE \('scale.txt', order $O\): its note differs from the sealed note \(edited\?\)$" "named"
cf build $O -o n.pdf --now 2025-05-04T02:00:00Z
expect_rc 1 "build refuses the edited note"
expect_err "evidence row $NOTE \('scale.txt', order $O\): its note differs from the sealed note" "named"
sql "UPDATE evidence SET note = NULL WHERE id = $NOTE"
cf audit
expect_out "^facts: evidence row $NOTE \([^)]*\): its sealed note is gone \(deleted\?\)$" "a deleted note is found"
done_testing

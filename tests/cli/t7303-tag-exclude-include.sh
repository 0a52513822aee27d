#!/bin/sh
# SPDX-License-Identifier: MIT
# tag / exclude / include (issue 15): re-parse as another kind (success and
# failure, nothing changed on failure), roles, notes, supplier, exclusion;
# each change one annotation leaf with who and when, shown by `show ITEM`;
# ITEM as evidence number, ORDER:E3 or sha256 prefix; edits outside
# casefile are found by audit.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001
cf init
cp "$FIXTURES/chat-feige.txt" feige.txt
cp "$SRC_DIR/examples/orders-2025-05-02/6931000000000001/videos/VID_20250501_165000.mp4" VID_20261126_165000.mp4
cp "$FIXTURES/order.json" order.json
cf ingest $O feige.txt VID_20261126_165000.mp4
leaves() { sql "SELECT count(*) FROM annotations"; }
vid=$(sql "SELECT id FROM evidence WHERE name = 'VID_20261126_165000.mp4'")
chat=$(sql "SELECT id FROM evidence WHERE name = 'feige.txt'")

# 1-5: roles, note, supplier by evidence number; one leaf each
cf tag $vid --role packing --note '打包视频' --supplied-by merchant
expect_clean "tag: role, note, supplier"
expect_out "evidence #$vid: 3 changes recorded in the ledger" "says how many"
check "three leaves" test "$(leaves)" = 3
check "role stored with its leaf" test "$(sql "SELECT role || ':' || (leaf_index IS NOT NULL) FROM evidence_roles")" = "packing:1"
check "note and supplier stored" test "$(sql "SELECT note || '|' || supplied_by FROM evidence WHERE id = $vid")" = "打包视频|merchant"

# 6-7: the same again changes nothing and adds no leaf
cf tag $vid --role 打包
expect_out "nothing changed" "a role it has: nothing changed"
check "no new leaf" test "$(leaves)" = 3

# 8-11: show ITEM: history with who and when, by number, #N and sha256 prefix
cf show $vid
expect_clean "show ITEM"
expect_out "role \+packing  \(leaf [0-9]+\)" "history: the role and its leaf"
expect_out "note 打包视频" "history: the note"
sha=$(sql "SELECT lower(hex(sha256)) FROM evidence WHERE id = $vid" | cut -c1-10)
cf show "$sha" --json
check "show by sha256 prefix, json history" sh -c "grep -q '\"history\":\[{\"leaf_index\":[0-9]*,\"at\":\"[0-9TZ:-]*\",\"type\":\"role\",\"who\":\"[^\"]*@[^\"]*\",\"value\":\"+packing\"}' '$out'"

# 12-15: re-parse as another kind: failure changes nothing
cf tag $chat --kind order
expect_rc 3 "a chat cannot be read as an order: exit 3"
expect_err "cannot read 'feige.txt' as order: .*nothing changed" "says nothing changed"
check "kind unchanged" test "$(sql "SELECT kind FROM evidence WHERE id = $chat")" = chat
check "no leaf on failure" test "$(leaves)" = 3

# 16-20: re-parse success: other -> chat
printf '2026-12-02 10:00:00 阿青: 你好\n' >later.txt
cf ingest $O later.txt
other=$(sql "SELECT id FROM evidence WHERE name = 'later.txt'")
check "sniffed as other" test "$(sql "SELECT kind FROM evidence WHERE id = $other")" = other
cf tag $other --kind chat
expect_rc 0 "re-parsed as chat"
check "kind chat, kind_sealed other" test "$(sql "SELECT kind || '|' || kind_sealed FROM evidence WHERE id = $other")" = "chat|other"
check "its messages parsed" test "$(sql "SELECT count(*) FROM messages WHERE evidence_id = $other")" = 1
cf audit
expect_rc 0 "audit: the ledger still matches (the item's leaf keeps the ingest kind)"

# 21-25: exclude / include by ORDER:E3
cf ingest $O order.json
no=$(sql "SELECT count(*) FROM evidence WHERE order_id = '$O'")
cf exclude "$O:E1" --reason '重复导出'
expect_clean "exclude by exhibit number"
check "order.json (exhibit 1) left out" test "$(sql "SELECT name || '|' || excluded FROM evidence WHERE excluded IS NOT NULL")" = "order.json|重复导出"
cf show $O
expect_out "excluded 重复导出" "show says it is left out"
cf exclude "$O:E1" --reason x
check "E1 is now another item (excluded ones are no exhibits)" test "$(sql "SELECT count(*) FROM evidence WHERE excluded IS NOT NULL")" = 2
ord=$(sql "SELECT id FROM evidence WHERE name = 'order.json'")
cf include $ord
expect_out "taken back in" "include"
cf include $ord
expect_out "nothing changed" "include twice: nothing changed"

# 28-30: ingest options on bytes already stored apply to that item
cf ingest $O --note '飞鸽导出' --role chat --supplied-by platform feige.txt
expect_rc 0 "ingest again with options"
expect_out "'feige.txt' was already stored as #$chat: 3 changes" "says they were applied"
check "note applied" test "$(sql "SELECT note FROM evidence WHERE id = $chat")" = 飞鸽导出

# 31-34: an edit outside casefile is found
sql "INSERT INTO evidence_roles(evidence_id, role) VALUES($chat, 'pickup')"
cf audit
expect_rc 1 "audit finds a role that is not in the ledger"
expect_out "its role pickup is not in the ledger" "names it"
sql "DELETE FROM evidence_roles WHERE role = 'pickup'; UPDATE evidence SET excluded = NULL"
cf audit
expect_rc 1 "audit finds an exclusion removed by hand"
expect_out "its exclusion \(included\) is not what the ledger says" "names it"

# 35-40: usage
cf tag $vid
expect_rc 2 "tag without a change is misuse"
cf tag $vid --role nonsense
expect_rc 2 "unknown role"
expect_err "unknown role 'nonsense': use packing, shipping_label" "lists the roles"
cf tag 99999 --role packing
expect_rc 2 "no such item"
cf exclude $vid
expect_rc 2 "exclude needs --reason"
cf tag zz --role packing
expect_err "bad item 'zz'" "a bad ITEM says what an ITEM is"
done_testing

#!/bin/sh
# t1000: ingest stores, dedups, walks folders, records custody facts.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001

cf init
mkdir -p ev/photos ev/.hidden
printf '2025-05-03 10:12:00 买家(小**): 收到的杯子有裂痕\n' >ev/notes.txt
cp "$FIXTURES/chat.json" ev/photos/a.bin
printf 'secret\n' >ev/.hidden/x
printf 'dot\n' >ev/.dotfile
ln -s notes.txt ev/link

cf ingest $O ev --note "packing notes"
expect_rc 0 "ingest of a folder succeeds"
expect_err "skipping hidden 'ev/.dotfile'" "hidden files are reported"
expect_err "skipping symbolic link 'ev/link'" "symlinks are reported"
expect_out "2 stored, 0 already stored" "summary counts"
check "two evidence rows" sh -c "[ \$(sqlite3 vault/casefile.db 'select count(*) from evidence') = 2 ]"
check "objects are read-only" sh -c 'find vault/objects -type f -perm /222 | grep -q . && exit 1 || exit 0'
check "object named by sha256" test -f "vault/objects/$(sha256sum ev/notes.txt | cut -c1-2)/$(sha256sum ev/notes.txt | cut -c3-64)"
check "note recorded" sh -c "sqlite3 vault/casefile.db 'select note from evidence where name='\''notes.txt'\''' | grep -qx 'packing notes'"
check "custody: user, host, version, mtime recorded" sh -c "[ \$(sqlite3 vault/casefile.db 'select count(*) from evidence where user is not null and host is not null and tool_version is not null and mtime is not null and ingested_at > 0') = 2 ]"
check "tmp/ is empty after success" sh -c '[ -z "$(ls -A vault/tmp)" ]'

cf ingest $O ev/notes.txt
expect_clean "re-ingesting the same file is fine"
expect_out "already stored" "duplicate is reported"
check "no new row for a duplicate" sh -c "[ \$(sqlite3 vault/casefile.db 'select count(*) from evidence') = 2 ]"

cf ingest 6931000000000002 ev/notes.txt
expect_clean "same bytes in another order"
check "second order gets its own row" sh -c "[ \$(sqlite3 vault/casefile.db 'select count(*) from evidence') = 3 ]"
check "but shares the object" sh -c "[ \$(sqlite3 vault/casefile.db 'select count(*) from objects') = 2 ]"

cp "$FIXTURES/$(cd "$FIXTURES" && ls *.jpg | head -1)" receipt.dat
cf ingest --kind receipt $O receipt.dat
expect_clean "--kind is accepted"
cf ingest --kind banana $O ev/notes.txt
expect_rc 2 "unknown --kind is a usage error"
expect_err "unknown kind 'banana'" "unknown kind is named"
cf ingest --kind photo --kind video $O ev/notes.txt
expect_rc 2 "conflicting options are refused"

cf ingest '../etc' ev/notes.txt
expect_rc 2 "a bad order id is refused"
expect_err "bad order id '../etc'" "bad order id is named"
cf ingest $O
expect_rc 2 "ingest without files is a usage error"

cf --json ingest 6931000000000003 ev/notes.txt
expect_clean "ingest --json"
expect_out '"status":"stored"' "json has the item status"
expect_out "\"sha256\":\"$(sha256sum ev/notes.txt | cut -c1-64)\"" "json has the sha256"

cf list
expect_clean "list"
expect_out "^$O +3 " "list shows the order with 3 items"
cf list --json
expect_out "\"order_id\":\"$O\",\"items\":3" "list --json"

cf show $O
expect_clean "show"
expect_out "$(sha256sum ev/notes.txt | cut -c1-64)" "show prints the full sha256"
expect_out "note: packing notes" "show prints the note"
cf show $O --json
expect_out '"kind":"receipt"' "show --json lists kinds"
cf show 404
expect_rc 2 "show of an unknown order exits 2"
expect_err "no evidence for order '404'" "unknown order is named"

cf ingest --quiet 6931000000000004 ev/notes.txt
expect_clean "--quiet ingest"
check "--quiet prints nothing on success" test ! -s "$out"

# A decomposed name (e + U+0301, as macOS writes it) is stored as NFC; the
# bytes as given stay in name_raw.  dash's printf takes octal escapes only.
raw=$(printf 'cafe\314\201.txt')
printf 'menu\n' >"$raw"
cf ingest --quiet --kind other 6931000000000006 "$raw"
expect_clean "ingest of a decomposed (NFD) name"
check "name stored as NFC café.txt" \
	test "$(sql "SELECT hex(name) FROM evidence WHERE order_id = '6931000000000006'")" = 636166C3A92E747874
check "name equals the composed spelling" \
	test "$(sql "SELECT name FROM evidence WHERE order_id = '6931000000000006'")" = "$(printf 'caf\303\251.txt')"
check "name_raw keeps the bytes as given" \
	test "$(sql "SELECT hex(name_raw) FROM evidence WHERE order_id = '6931000000000006'")" = 63616665CC812E747874

done_testing

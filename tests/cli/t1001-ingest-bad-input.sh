#!/bin/sh
# t1001: every kind of bad input gets one clear line naming the file (and
# line/column or entry), is still stored as evidence with its warning
# recorded, the other files are ingested, exit 3, nothing else changes.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001

cf init
cp "$FIXTURES/chat.json" good-chat.json
cf ingest $O good-chat.json
expect_rc 0 "a good file first"
before=$(sqlite3 vault/casefile.db "select group_concat(id||kind||name||lower(hex(sha256)), ';') from evidence")

mkdir bad
printf '{"order_id": "%s", "messages": [\n  {"time": "2025-05-03 10:12", "from": "buyer", "text": "x"}\n  {"time": "2025-05-03 10:13"}\n]}\n' $O >bad/syntax.json
printf '{"order_id": "%s", "messages": [{"time": "2025-05-03 10:12", "from": "bu' $O >bad/truncated.json
printf '{"order_id": "%s", "messages": "not a list"}\n' $O >bad/wrongtype.json
printf '{"carrier":"SF","tracking_no":"SF1","events":[{"time":"2025-02-30 10:00","status":"delivered","location":"上海","desc":"已签收"}]}\n' >bad/baddate.json
printf '时间,发送方,昵称,内容\n2025-05-03 10:12:00,买家,小**,"unterminated\n' >bad/badquote.csv
printf '2025-05-03 10:12:00 买家(小**): 坏\377\376字节\n' >bad/badutf8.txt
printf '2025-05-03 10:12:00 买家(小**): before\000after NUL\n' >bad/nul.txt
: >bad/empty.json
awk 'BEGIN { printf "2025-05-03 10:12:00 买家(小**): "; for (i = 0; i < 300000; i++) printf "长"; printf "\n" }' >bad/hugeline.txt
head -c 4096 /dev/urandom >bad/junk.bin
cp "$FIXTURES/chat.json" bad/fine.json
sed 's/客服/Support/' "$FIXTURES/chat.json" >bad/fine2.json

cf ingest $O bad
expect_rc 3 "bad input exits 3"
expect_err "^casefile: bad/syntax.json: line 3, column [0-9]+: " "syntax error: file, line and column"
expect_err "^casefile: bad/truncated.json: line 1, column [0-9]+: " "truncated JSON is named"
expect_err "^casefile: bad/wrongtype.json: .*messages" "wrong type names the field"
expect_err "^casefile: bad/baddate.json: .*bad time '2025-02-30 10:00': no such day" "impossible date is refused, not rolled over"
expect_err "^casefile: bad/badquote.csv: " "bad CSV quoting is named"
expect_err "^casefile: bad/badutf8.txt: .*invalid utf-8 text: 2 byte sequences replaced with U\+FFFD" "invalid UTF-8 is reported"
expect_err "^casefile: bad/nul.txt: .*NUL" "NUL bytes are reported"
expect_err "^casefile: bad/empty.json: .*empty" "a 0-byte file is reported"
expect_err "^casefile: bad/junk.bin: " "binary junk is reported"
check "one line per problem, never a crash" sh -c "! grep -qi 'BUG\|sanitizer\|abort' '$err'"
check "every file is stored: 13 rows (fine.json repeats good-chat.json under its own name) for the order" sh -c "[ \$(sqlite3 vault/casefile.db \"select count(*) from evidence where order_id='$O'\") = 13 ]"
check "unparseable files are kind other" sh -c "[ \$(sqlite3 vault/casefile.db \"select kind from evidence where name='syntax.json'\") = other ]"
check "the warning is recorded with the row" sh -c "sqlite3 vault/casefile.db \"select message from warnings w join evidence e on e.id=w.evidence_id where e.name='syntax.json'\" | grep -q 'line 3'"
check "good files beside bad ones are parsed" sh -c "[ \$(sqlite3 vault/casefile.db \"select count(*) from messages m join evidence e on e.id=m.evidence_id where e.name='fine2.json'\") -gt 0 ]"
check "the date problem keeps the record, with the time unset" sh -c "[ \$(sqlite3 vault/casefile.db \"select count(*) from logistics_events l join evidence e on e.id=l.evidence_id where e.name='baddate.json' and l.time is null\") = 1 ]"
check "the NUL file's text is not cut at the NUL" sh -c "sqlite3 vault/casefile.db \"select text from messages m join evidence e on e.id=m.evidence_id where e.name='nul.txt'\" | grep -q 'after NUL'"
check "the huge line is kept whole" sh -c "[ \$(sqlite3 vault/casefile.db \"select length(text) from messages m join evidence e on e.id=m.evidence_id where e.name='hugeline.txt'\") = 300000 ]"
after=$(sqlite3 vault/casefile.db "select group_concat(id||kind||name||lower(hex(sha256)), ';') from evidence where id in (select id from evidence order by id limit 1)")
check "what was stored before is unchanged" test "$before" = "$after"

cf show $O --json
expect_clean "show lists the stored bad files"
expect_out '"name":"syntax.json".*"warnings":\["line 3' "show --json carries the warning"

done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# ingest of many files runs on two threads (issue 19 item 3: this thread
# walks, stores and parses, a second one records): the report is still in
# walking order, a file refused in the middle is named between its
# neighbours, every file is recorded once, and a second run finds them all.
. "$(dirname "$0")/../lib.sh"

O=6931000000007601
"$CASEFILE_BIN" init $(pg_db_opt) >/dev/null || { echo "Bail out! cannot make a vault"; exit 1; }
mkdir many
i=0
while [ $i -lt 600 ]; do
	n=$(printf '%04d' $i)
	printf '{"order_id":"%s","channel":"feige","messages":[{"time":"2025-05-03 10:00:%02d","from":"buyer","text":"file %s"}]}\n' \
		$O $((i % 60)) "$n" >many/$n-chat.json
	i=$((i + 1))
done
mkfifo many/0300-pipe.json	# not a regular file: refused, the rest goes on
printf 'x' >many/.hidden

cf ingest $O many
expect_rc 3 "1 exit 3: one entry refused, the rest stored"
check "2 600 files reported as stored" test "$(grep -c '^stored ' "$out")" = 600
check "3 in walking order" sh -c "grep '^stored ' '$out' | awk '{print \$3}' | sort -c"
expect_err "'many/0300-pipe.json' is not a regular file: skipped" "4 the refused entry is named"
expect_err "skipping hidden 'many/.hidden'" "5 the hidden file is skipped"
check "6 600 rows" test "$(sqlite3 vault/casefile.db "SELECT count(*) FROM evidence WHERE order_id='$O'")" = 600
check "7 600 messages parsed" test "$(sqlite3 vault/casefile.db "SELECT count(*) FROM messages")" = 600
check "8 600 ledger leaves" test "$(sqlite3 vault/casefile.db "SELECT count(*) FROM ledger_nodes WHERE level = 0")" = 600

# order of stdout and stderr together: the refused entry between 0299 and 0301
"$CASEFILE_BIN" ingest $O many >both.txt 2>&1
check "9 again: the refused entry is named between its neighbours" sh -c \
	"grep -n '0299-chat\\|0300-pipe\\|0301-chat' both.txt | cut -d: -f1 | sort -n -c &&
	 test \$(grep -c '0299-chat\\|0300-pipe\\|0301-chat' both.txt) = 3 &&
	 awk '/0299-chat/ {a = NR} /0300-pipe/ {b = NR} /0301-chat/ {c = NR} END {exit !(a < b && b < c)}' both.txt"
check "10 again: all 600 already stored" test "$(grep -c '^already stored ' both.txt)" = 600
rm many/0300-pipe.json many/.hidden
cf ingest --json $O many
expect_clean "11 --json, nothing refused"
check "12 --json lists 600 items, all duplicates" sh -c \
	"python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d[\"items\"])==600 and d[\"duplicate\"]==600 and [i[\"path\"] for i in d[\"items\"]]==sorted(i[\"path\"] for i in d[\"items\"])' '$out'"
cf audit
expect_rc 0 "13 audit passes"
done_testing

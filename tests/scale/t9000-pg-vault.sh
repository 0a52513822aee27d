#!/bin/sh
# SPDX-License-Identifier: MIT
# t9000: a vault whose tables live in PostgreSQL (issue 18), on a real
# throw-away PostgreSQL 15 cluster (tests/lib/pg.sh): `init --db` makes the
# schema and keeps the URL in VAULT/database (0600); the URL file and the
# server are checked on every open (mode, content, reachable, a vault, the
# schema version); writers wait for each other on the server's lock, or
# fail at once with --no-wait; a stopped server is a clear exit 3 and a
# started one works again.
. "$(dirname "$0")/../lib.sh"
PG_SH="$TESTS_DIR/lib/pg.sh"
D=$(mktemp -d /tmp/casefile-pg-XXXXXX)
holder=
trap '[ -n "$holder" ] && kill "$holder" 2>/dev/null; sh "$PG_SH" stop "$D" 2>/dev/null; lib_cleanup' EXIT
sh "$PG_SH" start "$D" >env.sh 2>start.err || { cat start.err; exit 1; }
. ./env.sh
q() { psql "$PG_URL" -X -A -t -v ON_ERROR_STOP=1 -c "$1"; }
V=v1
CF() { "$CASEFILE_BIN" --vault "$V" "$@" >"$out" 2>"$err"; rc=$?; }

# 1. init --db: the schema on the server, the URL in the folder
CF init --db "$PG_URL"
expect_rc 0 "1a init --db exits 0"
expect_out "records are kept in PostgreSQL" "1b says where the records are"
check "1c VAULT/database holds the URL" test "$(cat v1/database)" = "$PG_URL"
check "1d VAULT/database is mode 600" test "$(stat -c %a v1/database)" = 600
check "1e no casefile.db in the folder" test ! -e v1/casefile.db
"$CASEFILE_BIN" --vault sv init >/dev/null 2>&1
schema=$(sqlite3 sv/casefile.db 'pragma user_version')
check "1f the schema version is recorded on the server (as SQLite's user_version)" \
	test "$(q 'select version from casefile_schema')" = "$schema"
check "1g the vault id is a server row" sh -c "[ -n \"\$(psql '$PG_URL' -XAtc \"select value from meta where key = 'vault_id'\")\" ]"
for t in evidence objects ledger_nodes heads disputes annotations evidence_roles; do
	check "1h table $t exists" test "$(q "select to_regclass('$t') is not null")" = t
done

# 2. it is used: an ingest, a tag, a list
cp "$SRC_DIR/examples/orders-2025-05-02/6931000000000001/chat.json" c.txt
CF ingest 6900000000000001 c.txt
expect_rc 0 "2a ingest into the PostgreSQL vault"
check "2b the row is on the server" test "$(q 'select count(*) from evidence')" = 1
check "2c with its leaf" test "$(q 'select leaf_index from evidence')" = 0
CF list
expect_rc 0 "2d list"
expect_out "^6900000000000001 +1 " "2e lists the order"

# 3. refused: a URL that is not PostgreSQL's, an unreachable server
V=v2 CF init --db "mysql://x/y"
expect_rc 2 "3a --db mysql://… is a usage error"
expect_err "--db takes a postgresql:// URL" "3b says what it takes"
check "3c nothing made" test ! -e v2
V=v2 CF init --db "postgresql:///casefile?host=$SCRATCH/nowhere&user=nobody"
expect_rc 3 "3d an unreachable server exits 3"
expect_err "cannot connect to the vault's PostgreSQL database" "3e says so"
check "3f and makes no folder" test ! -e v2
V=v2 CF init --db "$(echo "$PG_URL" | sed 's/user=nobody/user=intruder/')"
expect_rc 3 "3f1 a user the server does not know exits 3"
expect_err 'role "intruder" does not exist' "3f2 the server's reason is given"
V=v2 CF init --db "$(echo "$PG_URL" | sed 's|/casefile?|/no_such_db?|')"
expect_rc 3 "3f3 a database that does not exist exits 3"
expect_err 'database "no_such_db" does not exist' "3f4 the server's reason is given"
check "3f5 still no folder" test ! -e v2
V=v1 CF init --db "$PG_URL"
expect_rc 2 "3g init of a folder that is a vault already is refused"
expect_err "already a casefile vault" "3h says so"
V=v3 CF init --db "$PG_URL"
expect_rc 2 "3i a second folder cannot join a vault whose objects are local"
expect_err "objects are in another machine's folder" "3j says why"

# 4. the URL file is checked
cp -r v1 v4
chmod 644 v4/database
V=v4 CF list
expect_rc 2 "4a a database file others may read is refused"
expect_err "may be read by others \(mode 644\)" "4b names the mode"
chmod 600 v4/database
printf 'hello\n' >v4/database
V=v4 CF list
expect_rc 2 "4c a database file without a URL is refused"
expect_err "does not hold a postgresql:// URL" "4d says so"
q 'create database empty_db' >/dev/null
printf '%s\n' "$(echo "$PG_URL" | sed 's|/casefile?|/empty_db?|')" >v4/database
V=v4 CF list
expect_rc 2 "4e a database without a vault is refused"
expect_err "holds no casefile vault" "4f says so"
check "4g and gets no tables" test "$(psql "$(cat v4/database)" -XAtc "select count(*) from pg_tables where schemaname = 'public'")" = 0

# 5. a newer schema is refused, never touched
q 'update casefile_schema set version = 99' >/dev/null
CF list
expect_rc 2 "5a a vault schema newer than casefile is refused"
expect_err "vault schema 99 is newer than this casefile" "5b says so"
q "update casefile_schema set version = $schema" >/dev/null

# 6. writers wait for each other on the server's lock
psql "$PG_URL" -X -q -c "begin; select pg_advisory_xact_lock(1667629056, 1); select pg_sleep(4); commit" \
	>/dev/null 2>&1 &
holder=$!
sleep 1
CF --no-wait tag 1 --role chat
expect_rc 5 "6a --no-wait while another writer holds the vault exits 5"
expect_err "the vault is busy: another casefile command is writing to it" "6b says so"
CF tag 1 --role chat
expect_rc 0 "6c without --no-wait the writer waits, then writes"
expect_err "waiting for another command writing to vault" "6d and says it waited"
wait "$holder"; holder=
check "6e the tag is on the server" test "$(q "select role from evidence_roles")" = chat
CF list
expect_rc 0 "6f a reader never waits"

# 7. the server goes away and comes back
sh "$PG_SH" kill "$D" 2>/dev/null
CF list
expect_rc 3 "7a a stopped server exits 3"
expect_err "cannot connect to the vault's PostgreSQL database" "7b says so"
CF ingest 6900000000000001 c.txt
expect_rc 3 "7c a write too"
sh "$PG_SH" start "$D" >env2.sh 2>start2.err
CF ingest 6900000000000002 c.txt
expect_rc 0 "7d once it is back, the write completes"
leaves=$(q "select (select count(*) from evidence), (select count(*) from annotations),
	(select count(*) from ledger_nodes where level = 0), (select max(idx) from ledger_nodes where level = 0)")
check "7e two rows and a tag: three leaves, 0..2 ($leaves)" test "$leaves" = "2|1|3|2"
CF audit
expect_rc 0 "7f audit passes"

done_testing

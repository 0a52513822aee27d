#!/bin/sh
# SPDX-License-Identifier: MIT
# The SQL dialect translator (src/store/sqlpg.c, issue 18) against a real
# PostgreSQL 15 (tests/lib/pg.sh): sqlpg_schema() creates the current
# schema — the same tables and columns, in the same order, as the SQLite
# migrations make — and every SQL text of src/store and src/case, translated,
# is accepted by PREPARE (parameter types left unknown) or is one of the
# statements PG-SQL-NOTES.md lists as needing a source change
# (tests/lib/sqlpg_check.py prints one TAP line a statement); and queries
# over rows where the engines differ (NULL order, LIKE, byte order, BLOBs
# as text, ...) answer the same on both (tests/lib/sqlpg_diff.py).
. "$(dirname "$0")/../lib.sh"
PG_SH="$TESTS_DIR/lib/pg.sh"
TOOL="$CASEFILE_TOOLS/sqlpg_tool"
D=$(mktemp -d /tmp/casefile-pg-XXXXXX)
trap 'sh "$PG_SH" stop "$D" 2>/dev/null; lib_cleanup' EXIT
sh "$PG_SH" start "$D" >env.sh 2>start.err
check "1. a throw-away PostgreSQL 15" sh -c "[ $? = 0 ] && [ ! -s start.err ]"
. ./env.sh
q() { psql "$PG_URL" -X -A -t -v ON_ERROR_STOP=1 "$@"; }
# pg_refuses SQL PATTERN: PostgreSQL refuses SQL with an error holding PATTERN
pg_refuses() {
	printf '%s;\n' "$1" >refused.sql
	! q -q -f refused.sql 2>refused.err && grep -qF -- "$2" refused.err
}

# 2. the schema
"$TOOL" schema >schema.sql
check "2a. sqlpg_schema() applies" q -q -f schema.sql
# the same columns in the same order as a vault the migrations made
cf init
check "2b. a migrated SQLite vault to compare with" test -s "$CASEFILE_VAULT/casefile.db"
sqlite3 "$CASEFILE_VAULT/casefile.db" "SELECT m.name || '|' || group_concat(p.name, ',') FROM
	(SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name) m,
	pragma_table_info(m.name) p GROUP BY m.name ORDER BY m.name" >cols.sqlite
q -c "SELECT table_name || '|' || string_agg(column_name, ',' ORDER BY ordinal_position)
	FROM information_schema.columns WHERE table_schema = 'public'
	GROUP BY table_name ORDER BY table_name COLLATE \"C\"" >cols.pg
check "2c. every table, columns in SQLite's order" diff cols.sqlite cols.pg
sqlite3 "$CASEFILE_VAULT/casefile.db" "SELECT name FROM sqlite_master WHERE type = 'index' AND
	sql IS NOT NULL ORDER BY name" >idx.sqlite
q -c "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey'
	AND indexname NOT LIKE '%_key' ORDER BY indexname COLLATE \"C\"" >idx.pg
check "2d. the same named indexes" diff idx.sqlite idx.pg
check "2e. every text column compares bytes (COLLATE \"C\", as SQLite's BINARY)" test "$(q -c "
	SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'
	AND data_type = 'text' AND collation_name IS DISTINCT FROM 'C'")" = 0

# 3. what the schema enforces on PostgreSQL as on SQLite
obj="'\\x$(printf '%064d' 0)'::bytea"
check "3a. an object and an evidence row (id by identity)" q -q -c "
	INSERT INTO objects VALUES ($obj, 1, 0);
	INSERT INTO evidence(order_id, kind, sha256, size, name, name_raw, ingested_at,
		tool_version, \"user\") VALUES ('o1', 'photo', $obj, 1, 'a.jpg', 'a', 0, 't', 'me')"
check "3b. the identity gave id 1, leaf_version its default" \
	test "$(q -c 'SELECT id, leaf_version, "user" FROM evidence')" = "1|1|me"
check "3c. heads.consistency_proof defaults to an empty bytea" q -q -c "
	INSERT INTO heads(tree_size, root, created_at, origin, checkpoint)
	VALUES (1, $obj, 0, 'o', 'c')"
check "3d. ... of length 0" test "$(q -c 'SELECT length(consistency_proof) FROM heads')" = 0
check "3e. the same name twice in an order is refused" pg_refuses "
	INSERT INTO evidence(order_id, kind, sha256, size, name, name_raw, ingested_at, tool_version)
	VALUES ('o1', 'photo', $obj, 1, 'a.jpg', 'a', 0, 't')" 'violates unique constraint "evidence_same"'
check "3f. a second open dispute of an order is refused" pg_refuses "
	INSERT INTO disputes(order_id, reason, status, profile, opened_at) VALUES ('o1', 'x', 'requested', 'p', 0);
	INSERT INTO disputes(order_id, reason, status, profile, opened_at) VALUES ('o1', 'y', 'requested', 'p', 0)" \
	'violates unique constraint "disputes_one_open"'
check "3g. a CHECK holds (kind)" pg_refuses "UPDATE evidence SET kind = 'bogus'" \
	'violates check constraint "evidence_kind_check"'
check "3h. a foreign key holds (evidence.sha256)" pg_refuses \
	"UPDATE evidence SET sha256 = '\\x$(printf '%064d' 1)'::bytea" \
	'violates foreign key constraint "evidence_sha256_fkey"'
check "3i. a short hash is refused (length = 32)" pg_refuses \
	"INSERT INTO objects VALUES ('\\x00'::bytea, 1, 0)" 'violates check constraint "objects_sha256_check"'
check "3j. closed without closed_at is refused" pg_refuses \
	"UPDATE disputes SET status = 'closed'" 'violates check constraint "disputes_check"'
check "3k. deleting evidence cascades to its parsed rows" q -q -c "
	INSERT INTO warnings VALUES (1, 1, 'w'); DELETE FROM evidence; SELECT 1/(1 - count(*)) FROM warnings"

# 4. every SQL text of src/store and src/case, translated, on PostgreSQL
# the compiler flags from the Makefile (not the caller's make: no jobserver)
cflags=$(MAKEFLAGS= MAKELEVEL= make -s --no-print-directory -C "$SRC_DIR" print-cflags)
(cd "$SRC_DIR" && python3 tests/lib/sqlpg_check.py --tool "$TOOL" --url "$PG_URL" \
	--cflags "$cflags" --report "$SCRATCH/report.md" \
	src/store/*.c src/case/*.c) >check.tap 2>check.err
rc=$?
# one TAP line a statement, renumbered into this test's sequence
while IFS= read -r l; do
	case "$l" in
	"ok "*) tap 0 "4. ${l#ok * - }" ;;
	"not ok "*) tap 1 "4. ${l#not ok * - }" ;;
	"1.."*) ;;
	*) echo "$l" ;;
	esac
done <check.tap
n=$(grep -c '^ok ' check.tap)
check "4. every statement checked ($n ok, exit $rc, empty stderr)" sh -c "[ $rc = 0 ] && [ $n -gt 150 ] && [ ! -s check.err ]"
sed 's/^/#   stderr: /' check.err | head -20
[ -z "${SQLPG_REPORT:-}" ] || cp report.md "$SQLPG_REPORT"

# 5. the rewrites mean the same: rows where the engines differ, queried on
# both (tests/lib/sqlpg_diff.py), give the same answer
python3 "$TESTS_DIR/lib/sqlpg_diff.py" --tool "$TOOL" --url "$PG_URL" >diff.tap 2>diff.err
rc=$?
while IFS= read -r l; do
	case "$l" in
	"ok "*) tap 0 "5. ${l#ok * - }" ;;
	"not ok "*) tap 1 "5. ${l#not ok * - }" ;;
	"1.."*) ;;
	*) echo "$l" ;;
	esac
done <diff.tap
check "5. every query answered the same (exit $rc, empty stderr)" sh -c "[ $rc = 0 ] && [ ! -s diff.err ]"
done_testing

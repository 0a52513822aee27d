#!/bin/sh
# t0001: init creates the layout, refuses non-vault folders and re-init.
. "$(dirname "$0")/../lib.sh"

cf init
expect_clean "init succeeds"
expect_out "initialised vault" "init says what it did"
for d in objects tmp keys; do
	check "vault has $d/" test -d "vault/$d"
done
check "keys/ is private" sh -c '[ "$(stat -c %a vault/keys)" = 700 ]'
if pg_mode; then	# the tables are in PostgreSQL: VAULT/database names them
	check "the database's URL is kept, mode 600" \
		sh -c '[ "$(stat -c %a vault/database)" = 600 ] && grep -q "^postgresql:" vault/database'
	check "schema version is set" sh -c '[ "$("$PGBIN/psql" -XAt -d "$(cat vault/database)" -c "select max(version) from casefile_schema")" -ge 1 ]'
else
	check "database is WAL" sh -c '[ "$(sqlite3 vault/casefile.db "pragma journal_mode")" = wal ]'
	check "schema version is set" sh -c '[ "$(sqlite3 vault/casefile.db "pragma user_version")" -ge 1 ]'
fi

cf init
expect_rc 2 "init twice is refused"
expect_err "already a casefile vault" "re-init is explained"

mkdir other && echo keep >other/notes.txt
cf --vault other init
expect_rc 2 "init refuses a non-empty folder"
expect_err "'other' is not empty and not a vault" "non-empty folder is named"
check "the folder's content is untouched" sh -c '[ "$(ls other)" = notes.txt ]'

CASEFILE_VAULT="$SCRATCH/env-vault" cf init --quiet
expect_clean "init honours \$CASEFILE_VAULT, quiet"
if pg_mode; then dbfile=database; else dbfile=casefile.db; fi
check "vault made at \$CASEFILE_VAULT" test -f env-vault/$dbfile
check "--quiet prints nothing" test ! -s "$out"

cf init --json --vault "$SCRATCH/j"
expect_clean "init --json"
expect_out '"created":true' "init --json says created"

if pg_mode; then
	sqlite3 vault/casefile.db "update casefile_schema set version = 999"
else
	sqlite3 vault/casefile.db "pragma user_version = 999"
fi
cf list
expect_rc 2 "a vault of a newer schema is refused"
expect_err "schema 999 is newer than this casefile" "newer schema is explained"

done_testing

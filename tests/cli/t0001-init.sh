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
check "database is WAL" sh -c '[ "$(sqlite3 vault/casefile.db "pragma journal_mode")" = wal ]'
check "schema version is set" sh -c '[ "$(sqlite3 vault/casefile.db "pragma user_version")" -ge 1 ]'

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
check "vault made at \$CASEFILE_VAULT" test -f env-vault/casefile.db
check "--quiet prints nothing" test ! -s "$out"

cf init --json --vault "$SCRATCH/j"
expect_clean "init --json"
expect_out '"created":true' "init --json says created"

sqlite3 vault/casefile.db "pragma user_version = 999"
cf list
expect_rc 2 "a vault of a newer schema is refused"
expect_err "schema 999 is newer than this casefile" "newer schema is explained"

done_testing

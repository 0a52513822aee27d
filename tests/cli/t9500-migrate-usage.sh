#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile migrate without services (issue 18; the copies themselves are
# tests/scale/t9500-migrate.sh): --help, usage errors, a source that is not
# a vault, a target folder that is not empty or inside the source, and an
# unreachable server or store (a closed port) — each refused before
# anything is made.
. "$(dirname "$0")/../lib.sh"
pg_skip "migrate copies an embedded (SQLite) vault, and here every test vault is on PostgreSQL; tests/scale/t9500-migrate covers the refusal of such a source"
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
URL="postgresql://nobody@127.0.0.1:$closed/casefile?connect_timeout=5"
export AWS_ACCESS_KEY_ID=AKIAEXAMPLE AWS_SECRET_ACCESS_KEY=not-a-real-secret
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_PROFILE AWS_SESSION_TOKEN
export AWS_SHARED_CREDENTIALS_FILE=/nonexistent
nothing_made() { test ! -e new -a ! -e new.migrating; }

cf migrate --help
expect_clean "1a. --help: exit 0, nothing on stderr"
expect_out "usage: casefile migrate \[--vault SRC\] --to DIR" "1b. the usage line"
expect_out "casefile migrate --vault /srv/shop --to /srv/shop-scaled" "1c. an example"

cf init
cf migrate --to new
expect_rc 2 "2a. neither --db nor --objects: usage"
expect_err "migrate needs --db postgresql://... or --objects s3://BUCKET/PREFIX, or both" "2a. says what it needs"
expect_err "try 'casefile migrate --help'" "2a. and where to look"
cf migrate --db "$URL"
expect_rc 2 "2b. no --to: usage"
expect_err "migrate needs --to DIR" "2b. says so"
cf migrate --to new --db vault.db
expect_rc 2 "2c. --db not a postgresql:// URL"
expect_err "--db takes a postgresql:// URL, not 'vault.db'" "2c. names it"
cf migrate --to new --db "$URL" --objects-retention 3y
expect_rc 2 "2d. --objects-retention without --objects"
cf migrate --to new --db "$URL" --to other
expect_rc 2 "2e. --to twice"
expect_err "option '--to' given twice" "2e. names it"
cf migrate --to new --db "$URL" extra
expect_rc 2 "2f. an operand"
cf migrate --to new --db ""
expect_rc 2 "2g. an empty --db"
check "2h. nothing made" nothing_made

cf migrate --vault nosuch --to new --db "$URL"
expect_rc 2 "3a. source not a vault"
expect_err "'nosuch' is not a casefile vault" "3a. says so"
cf migrate --to new --db "$URL"
expect_rc 3 "3b. the server unreachable: exit 3"
expect_err "cannot connect to the vault's PostgreSQL database" "3b. says so"
check "3b. nothing made" nothing_made
cf migrate --to new --objects s3://bucket/x --objects-endpoint "http://127.0.0.1:$closed"
expect_rc 3 "3c. the store unreachable: exit 3"
expect_err "cannot reach http://127.0.0.1:$closed" "3c. says so"
check "3c. nothing made" nothing_made
mkdir full && echo x >full/f
cf migrate --to full --db "$URL"
expect_rc 2 "3d. a target folder that is not empty"
expect_err "'full' is not empty: migrate makes a new vault folder" "3d. says so"
cf migrate --to vault/keys/new --db "$URL"
expect_rc 2 "3e. a target inside the source"
expect_err "is inside the vault" "3e. says so"
mkdir new.migrating && echo x >new.migrating/x
cf migrate --to new --db "$URL"
expect_rc 2 "3f. a part folder that is not a migration's"
expect_err "'new.migrating' exists and is not an unfinished migration" "3f. says so"
check "3f. left alone" test -f new.migrating/x
done_testing

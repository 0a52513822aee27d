#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile migrate (issue 18): an embedded vault with evidence, a large
# object, disputes, tags, three sealed heads and a built dossier is copied
# into PostgreSQL (a throw-away cluster, tests/lib/pg.sh) and the Ceph RGW
# of make test-scale, into either alone, and the copies are the same vault:
# audit clean, list/show/log as the source's, a dossier built from the
# source verifies against the copy, a seal extends the copied ledger.
# Refused: a non-empty database, an unreachable server, a missing bucket,
# a source that is not a vault, an existing folder; a run stopped before
# or after its commit is completed by a re-run without duplicates.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"
: "${RGW_ENDPOINT:?run through make test-scale}"
PG_SH="$TESTS_DIR/lib/pg.sh"
PGD=$(mktemp -d /tmp/casefile-pg-XXXXXX)
trap 'sh "$PG_SH" stop "$PGD" 2>/dev/null; lib_cleanup' EXIT
export AWS_ACCESS_KEY_ID="$RGW_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$RGW_SECRET_KEY"
export AWS_ENDPOINT_URL="$RGW_ENDPOINT"
unset AWS_ENDPOINT_URL_S3 AWS_PROFILE AWS_SESSION_TOKEN
export AWS_SHARED_CREDENTIALS_FILE="$SCRATCH/no-such-credentials"
EMPTY=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
mkbucket() {
	curl -s -X PUT --aws-sigv4 aws:amz:us-east-1:s3 -u "$RGW_ACCESS_KEY:$RGW_SECRET_KEY" \
		-H "x-amz-content-sha256: $EMPTY" -o /dev/null -w '%{http_code}' "$RGW_ENDPOINT/$1"
}
sh "$PG_SH" start "$PGD" >pg.env 2>pg.err || { cat pg.err; exit 1; }
. ./pg.env
q() { psql "$1" -X -A -t -v ON_ERROR_STOP=1 -c "$2"; }
# a second and a third database on the same server
q "$PG_URL" 'CREATE DATABASE second' >/dev/null
q "$PG_URL" 'CREATE DATABASE third' >/dev/null
PG2=$(echo "$PG_URL" | sed 's|/casefile?|/second?|')
PG3=$(echo "$PG_URL" | sed 's|/casefile?|/third?|')
run=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
B=cf-mig-$run
check "0a. a bucket" test "$(mkbucket "$B")" = 200
NOW=2025-05-04T02:00:00Z
SRC=$SCRATCH/vault

# 1. the source: two orders, a 20 MB video (multipart), a dispute with
#    events, tags, three heads, a dossier
O=6931000000000001 P=6931000000000002
make_order $O
make_order $P
head -c 20000000 /dev/urandom >big.mp4
cf ingest --kind other $O big.mp4
expect_rc 0 "1a. a 20 MB file ingested"
cf seal
expect_rc 0 "1b. first seal"
cf dispute open $O --reason quality --amount 89.00 --requested-at '2025-05-03 10:12' --now $NOW
expect_rc 0 "1c. a dispute opened"
cf dispute update $O --status rejected --now $NOW
expect_rc 0 "1d. and updated"
cf tag "$(sqlite3 "$SRC/casefile.db" "select id from evidence where name='IMG_0001.jpg' and order_id='$O'")" --role damage_photo --note 'crack on the rim'
expect_rc 0 "1e. a photo tagged"
cf seal
expect_rc 0 "1f. second seal"
cf dispute open $P --reason not_received --now $NOW
cf seal
expect_rc 0 "1g. third seal"
cf build $O -o d.pdf --now $NOW
expect_rc 0 "1h. a dossier built from the source"
check "1i. three heads" test "$(sqlite3 "$SRC/casefile.db" 'select count(*) from heads')" = 3
for c in "list" "show $O" "show $P" "log" "dispute list"; do
	"$CASEFILE_BIN" --vault "$SRC" $c >"src-$(echo $c | tr ' ' _).txt" 2>&1
done
# every table's row count (meta without the objects settings, which the
# copy has and the source has not)
srcrows() { for t in $(sqlite3 "$SRC/casefile.db" "select name from sqlite_master where type='table' and name not like 'sqlite%' order by name"); do echo "$t $(sqlite3 "$SRC/casefile.db" "select count(*) from \"$t\" $(notobj "$t")")"; done; }
notobj() { [ "$1" = meta ] && echo "where key not like 'objects.%'"; }
srcrows >src-rows.txt

# 2. refusals: nothing is made
cf migrate --vault "$SRC" --to new
expect_rc 2 "2a. no --db, no --objects: usage"
expect_err "migrate needs --db postgresql://... or --objects" "2a. says what it needs"
cf migrate --vault "$SRC" --db "$PG_URL"
expect_rc 2 "2b. no --to: usage"
cf migrate --vault "$SRC" --to new --db /tmp/x.db
expect_rc 2 "2c. --db not a URL: usage"
cf migrate --vault "$SRC" --to new --objects-region x --db "$PG_URL"
expect_rc 2 "2d. --objects-region without --objects: usage"
cf migrate --vault "$SRC" --to new --db "$PG_URL" --db "$PG_URL"
expect_rc 2 "2e. --db twice: usage"
mkdir notavault
cf migrate --vault notavault --to new --db "$PG_URL"
expect_rc 2 "2f. source not a vault: exit 2"
expect_err "'notavault' is not a casefile vault" "2f. says so"
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
cf migrate --vault "$SRC" --to new --db "postgresql://nobody@127.0.0.1:$closed/casefile?connect_timeout=5"
expect_rc 3 "2g. unreachable server: exit 3"
expect_err "cannot connect to the vault's PostgreSQL database" "2g. says it cannot connect"
check "2g. nothing made" test ! -e new -a ! -e new.migrating
cf migrate --vault "$SRC" --to new --objects "s3://no-such-bucket-$run/x" --db "$PG_URL"
expect_rc 3 "2h. a missing bucket: exit 3"
expect_err "bucket 'no-such-bucket-$run' does not exist" "2h. names the bucket"
check "2h. nothing made" test ! -e new -a ! -e new.migrating
check "2h. the database untouched" test "$(q "$PG_URL" "select count(*) from pg_tables where schemaname='public'")" = 0
AWS_SECRET_ACCESS_KEY=wrong-secret-key-0000000000000000000000 cf migrate --vault "$SRC" --to new --objects "s3://$B/x" --db "$PG_URL"
expect_rc 3 "2k. wrong credentials: exit 3"
expect_err "SignatureDoesNotMatch: check the credentials" "2k. says so"
check "2k. nothing made" test ! -e new -a ! -e new.migrating
cf migrate --vault "$SRC" --to "$SRC/keys/new" --db "$PG_URL"
expect_rc 2 "2l. into the source's own folder: exit 2"
expect_err "is inside the vault" "2l. says so"
mkdir full; echo x >full/f
cf migrate --vault "$SRC" --to full --db "$PG_URL"
expect_rc 2 "2i. a folder that is not empty: exit 2"
expect_err "'full' is not empty: migrate makes a new vault folder" "2i. says so"
"$CASEFILE_BIN" init --vault other --db "$PG3" >/dev/null 2>&1
cf migrate --vault "$SRC" --to new --db "$PG3"
expect_rc 2 "2j. a database holding another vault: exit 2"
expect_err "the target database is not empty: it holds vault [0-9a-f-]+ \(migrate copies into an empty database only\)" "2j. says so"
check "2j. nothing made" test ! -e new -a ! -e new.migrating

# 3. an interrupted migration (before the commit, then after it) is done
#    again by a re-run, nothing duplicated
CASEFILE_TEST_MIGRATE_FAIL=rows cf migrate --vault "$SRC" --to pgs3 --db "$PG_URL" --objects "s3://$B/shop"
expect_rc 5 "3a. failing before the commit"
check "3b. no vault folder yet" test ! -e pgs3 -a -d pgs3.migrating
check "3c. no rows committed" test "$(q "$PG_URL" 'select count(*) from evidence')" = 0
CASEFILE_TEST_MIGRATE_FAIL=commit cf migrate --vault "$SRC" --to pgs3 --db "$PG_URL" --objects "s3://$B/shop"
expect_rc 5 "3d. failing after the commit, before the rename"
check "3e. rows committed, no vault folder yet" sh -c "[ $(q "$PG_URL" 'select count(*) from evidence') -gt 0 ] && [ ! -e pgs3 ]"
cf migrate --vault "$SRC" --to pgs3 --db "$PG_URL" --objects "s3://$B/shop"
expect_clean "3f. the re-run completes"
expect_out "an unfinished earlier migration of this vault was cleared" "3f. says it started over"
expect_out "already in the store, read back" "3f. objects already uploaded are read back"
check "3g. the part folder is gone" test ! -e pgs3.migrating
for t in $(cut -d' ' -f1 src-rows.txt); do echo "$t $(q "$PG_URL" "select count(*) from \"$t\" $(notobj "$t")")"; done >pg-rows.txt
check "3h. every table row for row (no duplicates)" cmp src-rows.txt pg-rows.txt
check "3i. ids kept" test "$(q "$PG_URL" "select string_agg(id::text, ',' order by id) from evidence")" = "$(sqlite3 "$SRC/casefile.db" "select group_concat(id, ',') from (select id from evidence order by id)")"
check "3j. the database URL kept, mode 600" test "$(stat -c %a pgs3/database)" = 600
check "3k. no casefile.db, objects/ empty" sh -c "[ ! -e pgs3/casefile.db ] && [ -z \"\$(find pgs3/objects -type f)\" ]"
check "3l. keys/ came along, modes kept" sh -c "cmp '$SRC/keys/signing.key' pgs3/keys/signing.key && [ \$(stat -c %a pgs3/keys/signing.key) = \$(stat -c %a '$SRC/keys/signing.key') ]"
check "3m. checkpoints/ came along" diff -r "$SRC/checkpoints" pgs3/checkpoints
check "3n. the same vault id" test "$(q "$PG_URL" "select value from meta where key='vault_id'")" = "$(sqlite3 "$SRC/casefile.db" "select value from meta where key='vault_id'")"
check "3o. objects.url is the new store" test "$(q "$PG_URL" "select value from meta where key='objects.url'")" = "s3://$B/shop"
# the identity sequences continue after the copied ids (a row added and
# rolled back)
for t in disputes dispute_events; do
	case $t in
	disputes) ins="INSERT INTO disputes(order_id, reason, status, profile, opened_at) VALUES ('x', 'x', 'requested', 'x', 0)" ;;
	*) ins="INSERT INTO dispute_events(dispute_id, at, who, kind, what) SELECT min(id), 0, 'x', 'note', 'x' FROM disputes" ;;
	esac
	got=$(psql "$PG_URL" -X -A -t -q -v ON_ERROR_STOP=1 -c "BEGIN" -c "$ins RETURNING id" -c "ROLLBACK" | head -1)
	check "3p. $t: the next id is max + 1 ($got)" test "$got" = "$(($(sqlite3 "$SRC/casefile.db" "select max(id) from $t") + 1))"
done

# 4. the copy is the same vault
check_same() { # check_same DIR what
	for c in "list" "show $O" "show $P" "log" "dispute list"; do
		"$CASEFILE_BIN" --vault "$1" $c >"new.txt" 2>&1
		check "$2: '$c' as the source's" cmp "src-$(echo $c | tr ' ' _).txt" new.txt
	done
	cf --vault "$1" audit
	expect_clean "$2: audit clean"
	cf verify d.pdf --vault "$1"
	expect_rc 0 "$2: the source's dossier verifies against it"
}
check_same pgs3 "4a. PostgreSQL + RGW"
cf verify d.pdf --vault "$SRC"
expect_rc 0 "4b. (and against the source)"

# 5. the copy is ready to use: a seal extends the ledger, a new item gets
#    the next id, a build
cf --vault pgs3 ingest $O big.mp4
expect_rc 0 "5a. ingest into the copy"
printf 'one more\n' >more.txt
cf --vault pgs3 ingest --kind other $O more.txt
expect_rc 0 "5b. a new item"
check "5c. the next id after the copied ones" test "$(q "$PG_URL" "select id from evidence where name='more.txt'")" = "$(($(sqlite3 "$SRC/casefile.db" 'select max(id) from evidence') + 1))"
cf --vault pgs3 dispute close $O --outcome won --now $NOW
expect_rc 0 "5d. a dispute closed (a new event id)"
cf --vault pgs3 seal
expect_rc 0 "5e. a seal on the copy"
cf --vault pgs3 log --check "$SRC/checkpoints/$(ls "$SRC/checkpoints" | grep '\.txt$' | sort | tail -1)"
expect_rc 0 "5f. the new head is consistent with the source's last checkpoint"
cf --vault pgs3 build $O -o d2.pdf --now $NOW
expect_rc 0 "5g. a build on the copy"
cf --vault pgs3 audit
expect_clean "5h. audit still clean"

# 6. a run killed at any moment (here: while it uploads the 20 MB
#    object, most of its time) is completed by a re-run
q "$PG2" 'SELECT 1' >/dev/null
"$CASEFILE_BIN" migrate --vault "$SRC" --to killed --db "$PG2" --objects "s3://$B/killed" >kill.out 2>kill.err &
mpid=$!
i=0
while [ $i -lt 300 ] && [ ! -d killed.migrating/vault/tmp ]; do sleep 0.05; i=$((i + 1)); done
sleep 0.3
kill -9 $mpid 2>/dev/null; wait $mpid 2>/dev/null
check "6a. killed: no vault folder" test ! -e killed
cf migrate --vault "$SRC" --to killed --db "$PG2" --objects "s3://$B/killed"
expect_clean "6b. the re-run completes"
for t in $(cut -d' ' -f1 src-rows.txt); do echo "$t $(q "$PG2" "select count(*) from \"$t\" $(notobj "$t")")"; done >pg2-rows.txt
check "6c. every table row for row" cmp src-rows.txt pg2-rows.txt
cf --vault killed log
check "6d. log as the source's" cmp src-log.txt "$out"
q "$PG2" 'DROP SCHEMA public CASCADE; CREATE SCHEMA public' >/dev/null

# 7. a second run into the same database is refused
cf migrate --vault "$SRC" --to again --db "$PG_URL"
expect_rc 2 "7a. the database now holds the vault: refused"
expect_err "it holds vault" "7a. says which"
check "7b. nothing made" test ! -e again -a ! -e again.migrating
cf migrate --vault "$SRC" --to pgs3 --db "$PG2"
expect_rc 2 "7c. into an existing vault folder: refused"
expect_err "'pgs3' is not empty" "7c. says so"

# 8. only --db: objects copied into the new folder's objects/
cf migrate --vault "$SRC" --to pgonly --db "$PG2" --json
expect_clean "8a. only --db"
check "8b. --json says postgresql and local objects" sh -c "jq -e '.db == \"postgresql\" and .objects == \"local\" and .heads == 3 and .objects_new > 0' '$out' >/dev/null"
check "8c. the objects in pgonly/objects, the same files" sh -c "cd '$SRC/objects' && find . -type f | sort | xargs sha256sum >'$SCRATCH/a.sum' && cd '$SCRATCH/pgonly/objects' && find . -type f | sort | xargs sha256sum >'$SCRATCH/b.sum' && cmp '$SCRATCH/a.sum' '$SCRATCH/b.sum'"
check_same pgonly "8d. PostgreSQL only"

# 9. only --objects: the records stay in SQLite, in the new folder
cf migrate --vault "$SRC" --to s3only --objects "s3://$B/only"
expect_clean "9a. only --objects"
check "9b. casefile.db in the new folder" test -f s3only/casefile.db
check_same s3only "9c. RGW only"
cf --vault s3only seal
expect_rc 0 "9d. a seal on it"

# 10. a source whose objects are in the store already keeps them there
cf migrate --vault s3only --to s3pg --db "$PG_URL"
expect_rc 2 "10a. into the non-empty database: refused"
q "$PG_URL" 'DROP SCHEMA public CASCADE; CREATE SCHEMA public' >/dev/null
cf migrate --vault s3only --to s3pg --db "$PG_URL"
expect_clean "10b. an RGW vault's records into PostgreSQL"
expect_out "already in the store, read back" "10b. its objects read back, not uploaded again"
expect_out "objects in s3://$B/only" "10b. says where the objects are"
check "10c. the same store" test "$(q "$PG_URL" "select value from meta where key='objects.url'")" = "s3://$B/only"
cf --vault s3pg audit
expect_clean "10d. audit clean"
cf migrate --vault s3pg --to back --objects "s3://$B/x"
expect_rc 2 "10e. a source in PostgreSQL: refused"
expect_err "keeps its records in PostgreSQL already" "10e. says so"

done_testing

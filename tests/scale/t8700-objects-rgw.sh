#!/bin/sh
# SPDX-License-Identifier: MIT
# Objects in S3 (issue 18) against a real Ceph RADOS Gateway started by
# tests/scale/run.sh: init --objects, ingest (single PUT and multipart),
# build, verify, audit, export, Object Lock, and the faults — wrong credentials, a
# missing bucket, retention on a bucket without Object Lock, a closed port,
# a credentials file others can read, the gateway killed mid-upload.
# s3cmd is the independent client that confirms what the store holds.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"
. "$TESTS_DIR/scale/lib-s3.sh"
B=cf-$run L=cf-lock-$run

# 1. the buckets: a plain one (s3cmd) and one with Object Lock
check "1a. s3cmd makes a plain bucket" s3c mb "s3://$B"
code=$(s3req PUT "/$L" -H 'x-amz-bucket-object-lock-enabled: true' -o /dev/null -w '%{http_code}')
check "1b. a bucket with Object Lock (HTTP $code)" test "$code" = 200

# 2. init refusals: nothing is created
AWS_SECRET_ACCESS_KEY=wrong-secret-key-0000000000000000000000 cf init --objects "s3://$B/shop1" --objects-endpoint "$RGW_ENDPOINT" --vault v-badkey
expect_rc 3 "2a. wrong secret key: exit 3"
expect_err "SignatureDoesNotMatch: check the credentials" "2a. says the credentials are wrong"
check "2a. no vault left" test ! -e v-badkey
AWS_ACCESS_KEY_ID=NOSUCHKEY000000000 cf init --objects "s3://$B/shop1" --objects-endpoint "$RGW_ENDPOINT" --vault v-badid
expect_rc 3 "2b. unknown access key: exit 3"
expect_err "InvalidAccessKeyId: check the credentials" "2b. says which"
cf init --objects "s3://no-such-bucket-$run/x" --objects-endpoint "$RGW_ENDPOINT" --vault v-nobucket
expect_rc 3 "2c. missing bucket: exit 3"
expect_err "bucket 'no-such-bucket-$run' does not exist at $RGW_ENDPOINT" "2c. names the bucket"
check "2c. no vault left" test ! -e v-nobucket
cf init --objects "s3://$B/x" --objects-endpoint "$RGW_ENDPOINT" --objects-retention 3y --vault v-nolock
expect_rc 3 "2d. retention on a bucket without Object Lock: exit 3"
expect_err "bucket '$B' has no versioning, so it cannot keep objects locked" "2d. says why"
check "2d. no vault left" test ! -e v-nolock
closed=$(free_port)
cf init --objects "s3://$B/x" --objects-endpoint "http://127.0.0.1:$closed" --vault v-closed
expect_rc 3 "2e. closed port: exit 3"
expect_err "cannot reach http://127.0.0.1:$closed: (Couldn't|Could not|Failed to) connect" "2e. says it cannot connect"
cf init --objects "s3://$B/x" --objects-endpoint "$RGW_ENDPOINT" --objects-retention 3q --vault v-badret
expect_rc 2 "2f. malformed retention: usage"
expect_err "bad retention '3q'" "2f. names it"
cf init --objects "s3://B/x" --vault v-badurl
expect_rc 2 "2g. malformed bucket name: usage"
cf init --objects-retention 3y --vault v-noobj
expect_rc 2 "2h. --objects-retention without --objects: usage"
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
	"$RGW_ACCESS_KEY" "$RGW_SECRET_KEY" >creds
chmod 644 creds
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
 AWS_SHARED_CREDENTIALS_FILE=$SCRATCH/creds "$CASEFILE_BIN" init --objects "s3://$B/x" \
	--objects-endpoint "$RGW_ENDPOINT" --vault v-creds >"$out" 2>"$err"; echo $? >rc.txt)
rc=$(cat rc.txt)
expect_rc 2 "2i. credentials file readable by others: refused"
expect_err "credentials file '.*creds' is readable by others: refusing it like a key" "2i. says so"
chmod 600 creds
(unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
 AWS_SHARED_CREDENTIALS_FILE=$SCRATCH/creds "$CASEFILE_BIN" init --objects "s3://$B/x" \
	--objects-endpoint "$RGW_ENDPOINT" --vault v-creds >"$out" 2>"$err"; echo $? >rc.txt)
rc=$(cat rc.txt)
expect_rc 0 "2j. credentials file of mode 600: accepted"

# 3. the vault: objects in s3://$B/shop1, database here
cf init --objects "s3://$B/shop1" --objects-endpoint "$RGW_ENDPOINT"
expect_rc 0 "3a. init --objects"
expect_out "objects are kept in s3://$B/shop1" "3a. says where the objects go"
check "3b. the settings are in the vault" test "$(sql "select value from meta where key='objects.url'")" = "s3://$B/shop1"
check_not "3c. no credentials in the vault" grep -aq "$RGW_SECRET_KEY" "$CASEFILE_VAULT/casefile.db"

O=6931000000000001
make_order $O
check "4a. fixture order ingested (5 rows)" test "$(sql "select count(*) from evidence where order_id='$O'")" = 5
check "4b. objects/ stays empty" test -z "$(find "$CASEFILE_VAULT/objects" -type f)"
s3c ls -r "s3://$B/shop1/" >ls.txt
check "4c. s3cmd lists 5 objects" test "$(wc -l <ls.txt)" = 5
for f in in-$O/*; do
	k=$(key_of "$f" shop1)
	s3c get --force "s3://$B/$k" got.bin >/dev/null 2>&1
	check "4d. $(basename "$f"): s3cmd gets it by its SHA-256 name, same bytes" cmp "$f" got.bin
done

# 5. a large file: multipart (16 MiB parts), named by the whole's SHA-256
head -c 50000000 /dev/urandom >big.bin
cf ingest --kind other $O big.bin
check "5a. a 50 MB file is ingested" test "$(sql "select count(*) from evidence where order_id='$O' and lower(hex(sha256))='$(sha256sum big.bin | cut -c1-64)'")" = 1
s3c get --force "s3://$B/$(key_of big.bin shop1)" got.bin >/dev/null 2>&1
check "5b. s3cmd gets the same 50 MB back" cmp big.bin got.bin
s3c info "s3://$B/$(key_of big.bin shop1)" >info.txt 2>&1
check "5c. the store made it from parts (multipart ETag)" grep -Eq 'MD5 sum: *[0-9a-f]{32}-3' info.txt
cf ingest --kind other $O big.bin
expect_out "already stored|0 stored" "5d. a re-ingest stores nothing new"

# 6. build and verify read the objects back through the cache
make_signing_key
cf build $O -o d.pdf --now 2025-05-04T02:00:00Z
expect_rc 0 "6a. build against the store"
check "6b. qpdf --check is clean" qpdf --check d.pdf
mkdir x && (cd x && pdfdetach -saveall ../d.pdf)
# attachments are named by exhibit number, which follows the argument's order
att=$(ls x/E[0-9][0-9][0-9]-IMG_0001.jpg 2>/dev/null | head -n 1)
check "6c. the attached photo is the original" cmp "${att:-x/missing}" in-$O/IMG_0001.jpg
cf verify d.pdf
expect_rc 0 "6d. verify"
rm -rf "$CASEFILE_VAULT/cache"
cf audit
expect_rc 0 "6e. audit with an empty cache fetches and checks every object"
expect_out "objects: 6 checked, 6 matched, 0 missing" "6f. audit counts the remote objects"

cf export $O -o bag
expect_rc 0 "6g. export a BagIt bag from the store"
check "6h. the bag's manifest checks with sha256sum" sh -c 'cd bag && sha256sum --quiet -c manifest-sha256.txt'
check "6i. the bag holds the 50 MB original" cmp bag/data/$O/big.bin big.bin

# 7. an object removed from the store behind casefile's back
k=$(key_of in-$O/IMG_0001.jpg shop1)
s3c del "s3://$B/$k" >/dev/null 2>&1
rm -rf "$CASEFILE_VAULT/cache"
cf audit
expect_rc 1 "7a. audit finds the missing object"
expect_out "1 missing" "7b. counts it"
s3c put in-$O/IMG_0001.jpg "s3://$B/$k" >/dev/null 2>&1

# 8. the gateway killed mid-upload: no row without its object; a re-run completes
head -c 300000000 /dev/urandom >huge.bin
n0=$(sql "select count(*) from evidence")
"$CASEFILE_BIN" ingest --kind other $O huge.bin >kill.out 2>kill.err &
cfpid=$!
# kill it once the upload is under way (parts are sent while the file is read)
i=0; while [ $i -lt 300 ]; do
	grep -q "uploads" "$RGW_DIR/log/client.rgw.log" 2>/dev/null && break
	sleep 0.1; i=$((i + 1))
done
sleep 1
sh "$RGW_SH" kill-rgw "$RGW_DIR"
wait $cfpid; rc=$?
# a failing store fails the batch like a failing disk: rolled back, exit 5
check "8a. ingest fails when the gateway dies (rc $rc)" test "$rc" = 5
check "8b. it says it cannot reach the store" grep -Eq "cannot (reach|store|complete|start)" kill.err
check "8b. and that nothing was stored" grep -q "nothing was stored: the whole ingest was rolled back" kill.err
check "8c. no row without its object" test "$(sql "select count(*) from evidence")" = "$n0"
sh "$RGW_SH" start-rgw "$RGW_DIR"
cf ingest --kind other $O huge.bin
expect_rc 0 "8d. the re-run completes"
check "8e. now the row is there" test "$(sql "select count(*) from evidence")" = "$((n0 + 1))"
s3c info "s3://$B/$(key_of huge.bin shop1)" >info.txt 2>&1
check "8f. and the whole object (300000000 bytes)" grep -Eq 'File size: *300000000' info.txt
rm -f huge.bin got.bin

# 9. Object Lock: compliance mode until now + retention, on small and multipart objects
cf init --vault v-lock --objects "s3://$L/shop2" --objects-endpoint "$RGW_ENDPOINT" --objects-retention 1d
expect_rc 0 "9a. init with a retention on an Object Lock bucket"
check "9b. retention kept in days" test "$(sqlite3 v-lock/casefile.db "select value from meta where key='objects.retention_days'")" = 1
cf --vault v-lock ingest --kind photo $O in-$O/IMG_0001.jpg
cf --vault v-lock ingest --kind other $O big.bin
for f in in-$O/IMG_0001.jpg big.bin; do
	s3req GET "/$L/$(key_of "$f" shop2)?retention=" >ret.xml
	check "9c. $f: COMPLIANCE" grep -q '<Mode>COMPLIANCE</Mode>' ret.xml
	check "9d. $f: retained until tomorrow" grep -q "<RetainUntilDate>$(date -u -d tomorrow +%Y-%m-%d)" ret.xml
done
ik=$(key_of in-$O/IMG_0001.jpg shop2)
vid=$(s3req GET "/$L?prefix=$(echo "$ik" | sed 's|/|%2F|g')&versions=" |
	sed -n 's|.*<Version><Key>[^<]*</Key><VersionId>\([^<]*\)<.*|\1|p')
check "9e. the store lists the object's version" test -n "$vid"
code=$(s3req DELETE "/$L/$ik?versionId=$vid" -o /dev/null -w '%{http_code}')
check "9f. the locked version cannot be deleted (HTTP $code)" test "$code" = 403
s3req GET "/$L/$ik?versionId=$vid" -o got.jpg
check "9g. and still reads back whole" cmp got.jpg in-$O/IMG_0001.jpg

done_testing

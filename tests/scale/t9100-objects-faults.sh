#!/bin/sh
# SPDX-License-Identifier: MIT
# The object store's faults during ingest (issue 18), against the real Ceph
# RADOS Gateway of make test-scale, reached through tests/lib/tcp-proxy.py
# so that the network can be cut without stopping the gateway.  Each fault:
# a clear message, the documented exit code (5: the batch failed like a
# failing disk, nothing committed), no row without its object, and a re-run
# that completes.  Init's refusals (wrong credentials, missing bucket, no
# Object Lock, closed port) and the gateway killed mid-upload are in t8700.
#   1. SlowDown (503) twice: retried, the ingest completes
#   2. SlowDown on every try: fails after 5 tries, says so; re-run completes
#   3. the network cut mid-upload of 200 MB: fails, no row; re-run completes
#   4. cut and restored within the retry window: the ingest completes
#   5. wrong credentials at ingest time: named, no row; re-run completes
#   6. the bucket removed after init: named, no row; re-run completes
#   7. objects over 5 GiB (no copy into place): a file read twice, a
#      stream sent again from its staged copy
#   8. audit: no temporary object left behind; the upload the cut left is
#      listed and aborted by --repair
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/scale/lib-s3.sh"
B=cf-f-$run
O=6931000000000001
trap proxy_kill EXIT
rows() { sql "select count(*) from evidence"; }

check "0a. a bucket" s3c mb "s3://$B"
P=$(free_port)
check "0b. the relay to the gateway listens" proxy_start "$P"
cf init --objects "s3://$B/f" --objects-endpoint "http://127.0.0.1:$P"
expect_rc 0 "0c. init through the relay"

# 1. a store shedding load: two 503 SlowDown answers, then it works
proxy_kill
proxy_start "$P" 2
printf 'first file\n' >one.txt
cf ingest --kind other $O one.txt
expect_rc 0 "1a. two SlowDown answers are retried: exit 0"
check "1b. the row is there" test "$(rows)" = 1
check "1c. and its object" s3c info "s3://$B/$(key_of one.txt f)"

# 2. SlowDown on every try: a clear error after 5 tries, nothing committed
proxy_kill
proxy_start "$P" 1000
printf 'second file\n' >two.txt
t0=$(date +%s)
cf ingest --kind other $O two.txt
expect_rc 5 "2a. SlowDown on every try: exit 5"
expect_err "said (SlowDown|HTTP 503 \\(SlowDown).*\\(tried 5 times\\)" "2b. says the store said SlowDown, 5 times"
expect_err "nothing was stored: the whole ingest was rolled back" "2c. and that nothing was stored"
check "2d. backed off (>= 7 s) before giving up" test $(($(date +%s) - t0)) -ge 7
check "2e. no row" test "$(rows)" = 1
proxy_kill
proxy_start "$P"
cf ingest --kind other $O two.txt
expect_rc 0 "2f. the re-run completes"
check "2g. row and object" sh -c "test $(rows) = 2 && s3cmd -c '$SCRATCH/s3cfg' info 's3://$B/$(key_of two.txt f)' >/dev/null"

# 3. the network cut mid-upload (the gateway keeps running)
head -c 200000000 /dev/urandom >big.bin
n=$(rgw_log_lines)
"$CASEFILE_BIN" ingest --kind other $O big.bin >cut.out 2>cut.err &
cfpid=$!
check "3a. the upload is under way" wait_parts "$n"
proxy_kill
wait $cfpid; rc=$?
check "3b. the cut ingest fails (exit 5; rc $rc)" test "$rc" = 5
check "3c. it says it cannot reach the store, after 5 tries" \
	grep -Eq "cannot reach http://127.0.0.1:$P: .*\\(tried 5 times\\)" cut.err
check "3d. and that nothing was stored" grep -q "nothing was stored" cut.err
check "3e. no row without its object" test "$(rows)" = 2
check "3f. no object under the file's name" sh -c "! s3cmd -c '$SCRATCH/s3cfg' info 's3://$B/$(key_of big.bin f)' >/dev/null 2>&1"
proxy_start "$P"
cf ingest --kind other $O big.bin
expect_rc 0 "3g. the re-run completes"
check "3h. the row is there" test "$(rows)" = 3
s3c info "s3://$B/$(key_of big.bin f)" >info.txt 2>&1
check "3i. and the whole object (200000000 bytes)" grep -Eq 'File size: *200000000' info.txt

# 4. cut for about a second mid-upload: the parts' retries carry it through
head -c 120000000 /dev/urandom >big2.bin
n=$(rgw_log_lines)
"$CASEFILE_BIN" ingest --kind other $O big2.bin >cut2.out 2>cut2.err &
cfpid=$!
wait_parts "$n"
proxy_kill
sleep 1
proxy_start "$P"
wait $cfpid; rc=$?
check "4a. a short cut is retried: exit 0 (rc $rc)" test "$rc" = 0
check "4b. with an empty stderr" test ! -s cut2.err
s3c info "s3://$B/$(key_of big2.bin f)" >info.txt 2>&1
check "4c. the whole object is there" grep -Eq 'File size: *120000000' info.txt
check "4d. and its row" test "$(rows)" = 4

# 5. wrong credentials at ingest time (the keys were rotated)
printf 'third file\n' >three.txt
AWS_SECRET_ACCESS_KEY=wrong-secret-key-0000000000000000000000 cf ingest --kind other $O three.txt
expect_rc 5 "5a. wrong secret key at ingest: exit 5"
expect_err "(SignatureDoesNotMatch|HTTP 403): check the credentials" "5b. says to check the credentials"
check "5c. no row" test "$(rows)" = 4
cf ingest --kind other $O three.txt
expect_rc 0 "5d. with the right keys the re-run completes"
check "5e. row" test "$(rows)" = 5

# 6. the bucket removed after init
G=cf-g-$run
s3c mb "s3://$G" >/dev/null 2>&1
cf init --vault v-gone --objects "s3://$G/x" --objects-endpoint "$RGW_ENDPOINT"
expect_rc 0 "6a. a vault on a second bucket"
check "6b. the bucket is removed behind casefile's back" s3c rb "s3://$G"
cf --vault v-gone ingest --kind other $O one.txt
expect_rc 5 "6c. ingest into a missing bucket: exit 5"
expect_err "bucket '$G' does not exist at $RGW_ENDPOINT" "6d. names the bucket"
check "6e. no row" test "$(sqlite3 v-gone/casefile.db 'select count(*) from evidence')" = 0
s3c mb "s3://$G" >/dev/null 2>&1
cf --vault v-gone ingest --kind other $O one.txt
expect_rc 0 "6f. the bucket made again: the re-run completes"
check "6g. row" test "$(sqlite3 v-gone/casefile.db 'select count(*) from evidence')" = 1

# 7. objects too large to copy into place (over 5 GiB; here over 20 MB):
#    a file is hashed first, then sent to its name; a stream (an archive
#    entry) is sent again from its staged copy
head -c 50000000 /dev/urandom >parts.bin
CASEFILE_TEST_S3_COPY_MAX=20000000 cf ingest --kind other $O parts.bin
expect_rc 0 "7a. a 50 MB file over the copy limit"
s3c get --force "s3://$B/$(key_of parts.bin f)" got.bin >/dev/null 2>&1
check "7b. s3cmd gets the same 50 MB back" cmp parts.bin got.bin
s3c info "s3://$B/$(key_of parts.bin f)" >info.txt 2>&1
check "7c. made of 3 parts (multipart ETag)" grep -Eq 'MD5 sum: *[0-9a-f]{32}-3' info.txt
mkdir -p tarin/6931000000000002
head -c 40000000 /dev/urandom >tarin/6931000000000002/clip.bin
(cd tarin && tar -cf ../bundle.tar 6931000000000002)
CASEFILE_TEST_S3_COPY_MAX=20000000 cf import bundle.tar
# (random bytes are no known kind: stored with a warning, exit 3)
expect_out "1 files, 1 new" "7d. a 40 MB archive entry over the copy limit is stored"
s3c get --force "s3://$B/$(key_of tarin/6931000000000002/clip.bin f)" got.bin >/dev/null 2>&1
check "7e. s3cmd gets the same 40 MB back" cmp tarin/6931000000000002/clip.bin got.bin

# the store holds no temporary objects after all this
cf audit --quick
expect_out "objects: 7 checked" "8a. audit checks the seven objects"
expect_no_out "temporary object" "8b. no temporary object was left behind"
expect_out "^interrupted: s3://$B/f/tmp/[0-9a-f]{32} upload .*neither completed nor aborted" \
	"8c. the upload the cut of 3 could not abort is listed"
cf audit --repair --quick
expect_out "^repaired: s3://$B/f: aborted 1 upload that did not finish" "8d. --repair aborts it"
cf audit --quick
expect_no_out "^interrupted:" "8e. then audit lists nothing"
rm -rf big.bin big2.bin parts.bin got.bin tarin bundle.tar
done_testing

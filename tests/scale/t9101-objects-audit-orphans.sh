#!/bin/sh
# SPDX-License-Identifier: MIT
# audit and audit --repair on a vault whose objects are in S3 (issue 18):
# objects in the store that no row names (an interrupted run stored them,
# or an upload that did not finish left its temporary object) are listed as
# notices; --repair removes every version the store lets go and names those
# a retention keeps; keys that are not casefile's are problems, left alone.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/scale/lib-s3.sh"
B=cf-a-$run L=cf-al-$run
O=6931000000000001

# put_locked BUCKET KEY FILE: a PUT under Object Lock (COMPLIANCE, 1 day)
put_locked() {
	_md5=$(openssl dgst -md5 -binary "$3" | base64)
	curl -s -o /dev/null -w '%{http_code}' -X PUT --aws-sigv4 aws:amz:us-east-1:s3 \
		-u "$RGW_ACCESS_KEY:$RGW_SECRET_KEY" -H "x-amz-content-sha256: $(sha256sum "$3" | cut -c1-64)" \
		-H "Content-MD5: $_md5" -H "x-amz-object-lock-mode: COMPLIANCE" \
		-H "x-amz-object-lock-retain-until-date: $(date -u -d tomorrow +%Y-%m-%dT%H:%M:%SZ)" \
		--data-binary @"$3" "$RGW_ENDPOINT/$1/$2"
}

# 1. a plain bucket: one named object, one orphan, one temporary object
check "1a. a bucket" s3c mb "s3://$B"
cf init --objects "s3://$B/p" --objects-endpoint "$RGW_ENDPOINT"
expect_rc 0 "1b. init"
printf 'kept evidence\n' >named.txt
printf 'stored by a run that was killed before its rows\n' >orphan.txt
printf 'half of an upload\n' >temp.bin
cf ingest --kind other $O named.txt
expect_rc 0 "1c. ingest one file"
s3c put orphan.txt "s3://$B/$(key_of orphan.txt p)" >/dev/null 2>&1
s3c put temp.bin "s3://$B/p/tmp/0123456789abcdef0123456789abcdef" >/dev/null 2>&1
cf audit --quick
expect_rc 0 "1d. orphans are no problem: exit 0"
expect_out "^interrupted: s3://$B/$(key_of orphan.txt p): stored by an interrupted run \\(48 bytes\\): no row names it" \
	"1e. the orphan is listed, with its size"
expect_out "^interrupted: s3://$B/p/tmp/0123456789abcdef0123456789abcdef: temporary object of an upload that did not finish" \
	"1f. the temporary object is listed"
expect_no_out "$(key_of named.txt p)" "1g. the named object is not"
cf audit --quick --json
check "1h. --json counts 2 interrupted objects" test "$(jq .interrupted.objects "$out")" = 2

cf audit --repair --quick
expect_rc 0 "2a. audit --repair"
expect_out "^repaired: s3://$B/p: removed 2 objects \\(66 bytes, 0 torn\\)" "2b. says what it removed, where"
s3c ls -r "s3://$B/" >ls.txt
check "2c. the orphan is gone from the store" sh -c "! grep -q '$(key_of orphan.txt p)' ls.txt"
check "2d. so is the temporary object" sh -c "! grep -q 'p/tmp/' ls.txt"
check "2e. the named object stays" grep -q "$(key_of named.txt p)" ls.txt
cf audit --quick
expect_no_out "^interrupted:" "2f. audit lists nothing any more"

# 2b. an upload neither completed nor aborted (the gateway died, the network
#     was cut before the abort): listed, and aborted by --repair
up=$(s3req POST "/$B/p/tmp/feedfacefeedfacefeedfacefeedface?uploads=" |
	sed -n 's|.*<UploadId>\([^<]*\)</UploadId>.*|\1|p')
check "2g. an upload in progress" test -n "$up"
cf audit --quick
expect_rc 0 "2h. audit: exit 0"
expect_out "^interrupted: s3://$B/p/tmp/feedfacefeedfacefeedfacefeedface upload $up: a multipart upload that was neither completed nor aborted" \
	"2i. lists the upload"
cf audit --repair --quick
expect_out "^repaired: s3://$B/p: aborted 1 upload that did not finish" "2j. --repair aborts it"
s3req GET "/$B?prefix=p%2F&uploads=" >ups.xml
check "2k. the store lists uploads" grep -q "<ListMultipartUploadsResult" ups.xml
check "2l. but no upload any more" sh -c "! grep -q '<Upload>' ups.xml"

# 3. a key that is not casefile's: a problem, never removed
s3c put orphan.txt "s3://$B/p/notes.txt" >/dev/null 2>&1
cf audit --quick
expect_rc 1 "3a. a foreign key under the prefix: exit 1"
expect_out "^unexpected: s3://$B/p/notes.txt: not named like an object" "3b. named"
cf audit --repair --quick
check "3c. --repair leaves it" s3c info "s3://$B/p/notes.txt"
s3c del "s3://$B/p/notes.txt" >/dev/null 2>&1

# 4. Object Lock: an orphan under retention is kept and said so
code=$(s3req PUT "/$L" -H 'x-amz-bucket-object-lock-enabled: true' -o /dev/null -w '%{http_code}')
check "4a. a bucket with Object Lock (HTTP $code)" test "$code" = 200
cf init --vault v-lock --objects "s3://$L/q" --objects-endpoint "$RGW_ENDPOINT" --objects-retention 1d
expect_rc 0 "4b. init with a retention"
cf --vault v-lock ingest --kind other $O named.txt
expect_rc 0 "4c. ingest"
code=$(put_locked "$L" "$(key_of orphan.txt q)" orphan.txt)
check "4d. an orphan locked until tomorrow (HTTP $code)" test "$code" = 200
s3c put temp.bin "s3://$L/q/tmp/fedcba9876543210fedcba9876543210" >/dev/null 2>&1
cf --vault v-lock audit --quick
expect_out "^interrupted: s3://$L/$(key_of orphan.txt q) version " "4e. audit lists the locked orphan by version"
cf --vault v-lock audit --repair --quick
expect_rc 0 "4f. audit --repair"
expect_out "^repaired: s3://$L/q: removed 1 object \\(18 bytes" "4g. removes the unlocked temporary object"
expect_out "^kept: s3://$L/$(key_of orphan.txt q) \\(retained until $(date -u -d tomorrow +%Y-%m-%d)T[0-9:]+ UTC\\): no row names it, but the store keeps it under retention" \
	"4h. and names the one the retention keeps, with its date"
s3req GET "/$L?prefix=q%2F&versions=" >v.xml
check "4h2. the listing is one" grep -q "<ListVersionsResult" v.xml
check "4i. the locked orphan is still in the store" grep -q "$(key_of orphan.txt q)" v.xml
check "4j. no version of the temporary object is" sh -c "! grep -q 'q/tmp/' v.xml"
check "4k. the named object stays" grep -q "$(key_of named.txt q)" v.xml
cf --vault v-lock audit --repair --quick --json
check "4l. --json: kept_by_retention 1" test "$(jq .repaired.kept_by_retention "$out")" = 1
done_testing

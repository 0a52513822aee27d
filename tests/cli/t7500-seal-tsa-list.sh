#!/bin/sh
# SPDX-License-Identifier: MIT
# t7500: trusted time from day one (issue 17 item 1).  init says no TSA is
# set; seal without a TSA says once that the head is not timestamped; a
# TSA configured later timestamps the latest head on the next seal (no new
# evidence needed), `seal --timestamp` adds fresh tokens; tsa.url is a list
# tried in order; tsa.require = 2 gets tokens from two TSAs with different
# keys (same TSA twice does not count); the test TSA stamps a test policy.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/ledger-lib.sh"

make_test_pki pki || echo "not ok - pki"
make_test_pki pki2 || echo "not ok - pki2"

cf init
expect_out "no TSA is set, so seals and dossiers carry no trusted time: casefile config tsa.url URL" "1 init says in one line that no TSA is set and how to set it"
make_key
for i in 1 2 3; do printf 'evidence %d\n' $i >f$i.txt; add_ev A1 f$i.txt; done

cf seal
expect_clean "2 seal without a TSA"
check "3 said once that the head is not timestamped" test "$(grep -c 'not timestamped' "$out")" = 1
expect_out "^warning: tree head 3 is signed, not timestamped: no TSA is set" "4 ... with how to set one"
cf seal
expect_out "nothing new to seal" "5 nothing new"
expect_out "^warning: tree head 3 is signed, not timestamped" "6 still warns: the head has no time"
cf seal --timestamp
expect_rc 2 "7 seal --timestamp without a TSA is a usage error"
expect_err "--timestamp needs a TSA" "8 ... saying so"

# A TSA set after the head was sealed: the next seal timestamps it.
start_tsa pki ok; url1=$TSA_URL; pid1=$TSA_PID
cf config tsa.url "$url1"
cf seal
expect_clean "9 seal with nothing new but an untimestamped head"
expect_out "timestamped tree head 3 \(sealed before\): 1 token, first from '$url1'" "10 says it timestamped the existing head"
expect_no_out "not timestamped" "11 no warning any more"
check "12 the head has its token now" test "$(sql "SELECT count(*) FROM heads WHERE tree_size = 3 AND tst IS NOT NULL AND tsa_url = '$url1'")" = 1
check "13 its kept copy too (checkpoints/00000001.tsr)" test -s "$CASEFILE_VAULT/checkpoints/00000001.tsr"
check "14 openssl ts -verify: the kept token is over the kept checkpoint" \
	openssl ts -verify -data "$CASEFILE_VAULT/checkpoints/00000001.txt" -in "$CASEFILE_VAULT/checkpoints/00000001.tsr" -token_in -CAfile pki/ca.pem -untrusted pki/tsa.pem
openssl ts -reply -in "$CASEFILE_VAULT/checkpoints/00000001.tsr" -token_in -text >tst.txt 2>&1
check "15 the test TSA stamps the test policy OID (IANA documentation arc 32473)" grep -q "Policy OID: 1.3.6.1.4.1.32473.1.3161" tst.txt
cf audit
expect_rc 0 "16 audit is clean after the late timestamp"
cf seal
expect_out "nothing new to seal" "17 a timestamped head is left alone"
check "18 no second token" test "$(sql "SELECT count(*) FROM head_tokens")" = 0
cf seal --timestamp --json
expect_clean "19 seal --timestamp"
expect_out '"stamped_now":1' "20 --json says one token was added"
expect_out '"tokens":2' "21 ... the head has two now"
check "22 stored as the head's second token" test "$(sql "SELECT count(*) FROM head_tokens WHERE tree_size = 3 AND seq = 1")" = 1

# tsa.url is a list, tried in order.
start_tsa pki ok; dead=$TSA_URL; stop_tsa
cf config tsa.url "$dead,$url1"
expect_clean "23 config takes a comma-separated list"
printf 'evidence 4\n' >f4.txt; add_ev A1 f4.txt
cf seal
expect_clean "24 the first TSA is down, the second answers"
expect_out "timestamped by '$url1'" "25 says which TSA answered"
check "26 the head names the TSA that answered" test "$(sql "SELECT tsa_url FROM heads WHERE tree_size = 4")" = "$url1"
cf config tsa.url "http://a,,http://b"
expect_rc 2 "27 an empty item in the list is refused"
expect_err "empty URL in the list" "28 ... saying so"
cf config tsa.url "http://a,ftp://b"
expect_err "'ftp://b' is not an http:// or https:// URL" "29 each item is checked"

# tsa.require = 2: two TSAs with different keys.
for bad in 0 9 x 1x; do
	cf config tsa.require "$bad"
	expect_err "must be a number from 1 to 8" "30 tsa.require '$bad' refused"
done
cf config tsa.require 2
expect_clean "31 tsa.require 2"
printf 'evidence 5\n' >f5.txt; add_ev A1 f5.txt
cf config tsa.url "$url1"
cf seal
expect_rc 3 "32 require 2 with one TSA: the TSA step fails (exit 3)"
expect_err "tokens from 1 of the 2 different TSAs tsa.require asks for" "33 ... saying how many it got"
check "34 no head stored" test "$(sql "SELECT max(tree_size) FROM heads")" = 4
cf config tsa.url "$url1,$url1"
cf seal
expect_err "signs with the same key as '$url1' \(the same TSA\)" "35 the same TSA twice does not count as two"
start_tsa pki2 ok; url2=$TSA_URL
cf config tsa.url "$dead,$url1,$url2"
cf seal
expect_clean "36 require 2 with two TSAs (one more down)"
check "37 head 5 has two tokens, from the two TSAs" test "$(sql "SELECT tsa_url FROM heads WHERE tree_size = 5") $(sql "SELECT tsa_url FROM head_tokens WHERE tree_size = 5")" = "$url1 $url2"
sql "SELECT writefile('second.tsr', tst) FROM head_tokens WHERE tree_size = 5" >/dev/null
sql "SELECT writefile('cp5.txt', checkpoint) FROM heads WHERE tree_size = 5" >/dev/null
check "38 openssl ts -verify: the second TSA's token over the checkpoint" \
	openssl ts -verify -data cp5.txt -in second.tsr -token_in -CAfile pki2/ca.pem -untrusted pki2/tsa.pem
cf audit
expect_rc 0 "39 audit clean"
kill "$pid1" 2>/dev/null; wait "$pid1" 2>/dev/null
stop_tsa
done_testing

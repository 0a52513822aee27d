#!/bin/sh
# SPDX-License-Identifier: MIT
# t8510: with tsa.require = 2 the second TSA's token is kept in the vault's
# checkpoints/ folder (and the seal.mirror folder) beside the checkpoint,
# not only in the database, and audit checks that copy (issue 17, gap after
# item 1).  Both when a new head is sealed and when an existing head is
# timestamped again (seal --timestamp).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/ledger-lib.sh"

make_test_pki pki || echo "not ok - pki"
make_test_pki pki2 || echo "not ok - pki2"
start_tsa pki ok; url1=$TSA_URL; pid1=$TSA_PID
start_tsa pki2 ok; url2=$TSA_URL

cf init
make_key
mkdir mirror
cf config seal.mirror "$SCRATCH/mirror"
cf config tsa.url "$url1,$url2"
cf config tsa.require 2
for i in 1 2; do printf 'evidence %d\n' $i >f$i.txt; add_ev A1 f$i.txt; done
cf seal
expect_clean "1 seal with two TSAs"
kept() { ls "$1" | grep -c '^00000001-[0-9a-f]\{16\}\.tsr$'; }
check "2 the second token is kept in checkpoints/" test "$(kept "$CASEFILE_VAULT/checkpoints")" = 1
check "3 ... and in the mirror" test "$(kept mirror)" = 1
sql "SELECT writefile('second.tsr', tst) FROM head_tokens WHERE tree_size = 2" >/dev/null
f=$(ls "$CASEFILE_VAULT"/checkpoints/00000001-*.tsr)
check "4 the kept file is the database's token, byte for byte" cmp -s second.tsr "$f"
check "5 named by its SHA-256" test "$(basename "$f" .tsr | cut -d- -f2)" = "$(sha256sum second.tsr | cut -c1-16)"
check "6 openssl ts -verify accepts the kept token over the kept checkpoint" \
	openssl ts -verify -data "$CASEFILE_VAULT/checkpoints/00000001.txt" -in "$f" -token_in \
	-CAfile pki2/ca.pem -untrusted pki2/tsa.pem
cf audit
expect_rc 0 "7 audit clean"

# an existing head timestamped again: the new tokens are kept too
cf seal --timestamp
expect_rc 0 "8 seal --timestamp on the existing head"
check "9 two more tokens kept for head 1" test "$(kept "$CASEFILE_VAULT/checkpoints")" = 3
cf audit
expect_rc 0 "10 audit clean"

# tampering with the kept copies
chmod u+w "$CASEFILE_VAULT/checkpoints" "$f"
rm -f "$f"
cf audit
expect_rc 1 "11 a kept token deleted: audit exit 1"
expect_out "timestamp token 2 of head 2: '00000001-[0-9a-f]+\.tsr' is missing" "12 names the token and the file"
printf 'garbage' >"$f"
cf audit
expect_rc 1 "13 a kept token changed: audit exit 1"
expect_out "differs from the token in the database" "14 says it differs"
cp second.tsr "$f"
cf audit
expect_rc 0 "15 restored: audit clean again"
kill "$pid1" 2>/dev/null; wait "$pid1" 2>/dev/null
stop_tsa
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# t2003: seal --tsa against the test TSA stores a real RFC 3161 token over
# the checkpoint (openssl ts -verify accepts it), log shows it, audit checks
# it; a TSA that is down, refuses or answers garbage fails clearly (exit 3)
# and stores no head; the vault settings tsa.url / tsa.ca are used the same
# way; seal --json and log --json.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/ledger-lib.sh"

make_test_pki pki || echo "not ok - pki"
vault_with 3

# 1. TSA down: a port where nothing listens any more.
start_tsa pki ok; dead_url=$TSA_URL; stop_tsa
cf seal --tsa "$dead_url"
expect_rc 3 "tsa down: exit 3"
expect_err "cannot timestamp tree head 3: cannot reach tsa '$dead_url'" "tsa down: says which tsa and head"
check "tsa down: no head stored" test "$(sql 'SELECT count(*) FROM heads')" = 0
check "the rows got their leaves anyway (backfill is committed first)" test "$(sql "SELECT count(*) FROM evidence WHERE leaf_index IS NOT NULL")" = 3

# 2. A TSA that refuses or answers garbage.
for mode in reject garbage; do
	start_tsa pki $mode
	cf seal --tsa "$TSA_URL"
	expect_rc 3 "$mode: exit 3"
	case $mode in
	reject) expect_err "cannot timestamp tree head 3: .*refused the request" "$mode: says the tsa refused" ;;
	garbage) expect_err "cannot timestamp tree head 3: .*not an RFC 3161 response" "$mode: says the reply is garbage" ;;
	esac
	check "$mode: no head stored" test "$(sql 'SELECT count(*) FROM heads')" = 0
	stop_tsa
done

# 3. Usage errors.
cf seal --tsa
expect_rc 2 "--tsa needs a URL"
cf seal --tsa a --tsa b
expect_rc 2 "--tsa twice"
expect_err "option '--tsa' given twice" "says so"
cf seal --tsa-timeout 0
expect_rc 2 "bad --tsa-timeout"

# 4. A working TSA, chained to the test CA.
start_tsa pki ok
cf seal --tsa "$TSA_URL" --tsa-ca pki/ca.pem
expect_clean "seal --tsa with the test tsa"
expect_out "sealed tree size 3" "says what it sealed"
expect_out "timestamped by '$TSA_URL'" "says who timestamped"
check "one head, with a token and its tsa" test "$(sql "SELECT count(*) FROM heads WHERE tst IS NOT NULL AND tsa_url = '$TSA_URL'")" = 1
# the token over the exact checkpoint bytes, checked by openssl alone
unhex() { python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read().strip()))'; }
sql "SELECT hex(checkpoint) FROM heads WHERE tree_size = 3" | unhex >cp.bin
sql "SELECT hex(tst) FROM heads WHERE tree_size = 3" | unhex >tok.der
check "openssl ts -verify accepts the token over the checkpoint" \
	openssl ts -verify -data cp.bin -in tok.der -token_in -CAfile pki/ca.pem -untrusted pki/tsa.pem
printf 'x' >>cp.bin
check_not "openssl ts -verify rejects other bytes" \
	openssl ts -verify -data cp.bin -in tok.der -token_in -CAfile pki/ca.pem -untrusted pki/tsa.pem

cf log
expect_clean "log"
expect_out "^head 3  .*  root [0-9a-f]{64}  timestamped 20[0-9-]+ [0-9:]+ \+08:00 by '$TSA_URL'$" "log shows the token's time and tsa"
cf log --json
check "log json carries the token" sh -c "jq -e '.heads[0].checkpoint_timestamp | length > 100' '$out'"
cf audit
expect_clean "audit accepts the timestamped head"

# a token swapped for one over other bytes: audit names the head
echo four >f4; add_ev A1 f4
cf seal --tsa "$TSA_URL"
expect_clean "second seal"
db_save good
sql "UPDATE heads SET tst = (SELECT tst FROM heads WHERE tree_size = 3) WHERE tree_size = 4"
cf audit
expect_rc 1 "audit: token of another head"
expect_out "^head: head 4: timestamp: " "names head 4 and the timestamp"
db_restore good

# 5. The vault settings: tsa.url, and tsa.ca that does not match the TSA.
echo five >f5; add_ev A1 f5
sql "INSERT INTO meta VALUES('tsa.url', '$TSA_URL')"
sql "INSERT INTO meta VALUES('tsa.ca', '$SCRATCH/pki/signer.pem')"
cf seal
expect_rc 3 "tsa.ca not the TSA's CA: refused"
check "no head 5" test "$(sql 'SELECT count(*) FROM heads WHERE tree_size = 5')" = 0
sql "UPDATE meta SET value = '$SCRATCH/pki/ca.pem' WHERE key = 'tsa.ca'"
cf seal
expect_clean "the vault's tsa.url and tsa.ca are used"
expect_out "timestamped by '$TSA_URL'" "from the setting"
stop_tsa
sql "DELETE FROM meta WHERE key LIKE 'tsa.%'"

# 6. JSON.
echo six >f6; add_ev A1 f6
cf seal --json
expect_clean "seal --json"
check "seal json" sh -c "jq -e '.sealed == true and .tree_size == 6 and .prev_size == 5 and .new_leaves == 1 and .backfilled == 1 and .timestamped == false and (.root | length) == 64 and (.checkpoint | split(\"\n\")[1]) == \"6\"' '$out'"
cf seal --json
expect_clean "seal --json, nothing new"
check "nothing-new json" sh -c "jq -e '.sealed == false and .tree_size == 6 and .new_leaves == 0' '$out'"
cf log --json
expect_clean "log --json"
check "log json: four heads, chain and proof" sh -c "jq -e '(.heads | length) == 4 and .heads[3].prev_size == 5 and (.heads[3].consistency_proof | length) > 0 and .unsealed == 0 and .ledger_size == 6' '$out'"
cf log extra
expect_rc 2 "log takes no arguments"

# 7. Keys: none, and an encrypted one.
rm -rf vault
cf init
cf seal --json
expect_rc 2 "seal without a key, json mode"
expect_err "run 'casefile keygen'" "tells the user to run keygen"
cf log --json
expect_clean "log --json on an empty vault"
check "empty log json" sh -c "jq -e '.heads == [] and .ledger_size == 0' '$out'"
rm -rf vault
cf init
echo secret >pass.txt; chmod 600 pass.txt
cf keygen --passphrase-file pass.txt
echo one >g1; add_ev B1 g1
cf seal
expect_rc 3 "an encrypted key without the passphrase: exit 3, as every key problem"
expect_err "passphrase" "says a passphrase is needed"
cf seal --passphrase-file pass.txt
expect_clean "--passphrase-file opens the key"
echo two >g2; add_ev B1 g2
CASEFILE_PASSPHRASE=secret "$CASEFILE_BIN" seal >"$out" 2>"$err"; rc=$?
expect_clean "so does CASEFILE_PASSPHRASE"
check "two heads" test "$(sql 'SELECT count(*) FROM heads')" = 2
done_testing

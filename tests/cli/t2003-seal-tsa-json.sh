#!/bin/sh
# SPDX-License-Identifier: MIT
# t2003: seal --json and log --json; a seal asked to timestamp never goes
# without one silently (until tsa.h is wired, --tsa fails clearly and
# stores nothing); a TSA set in the vault settings is used the same way.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/ledger-lib.sh"

vault_with 3
cf seal --tsa http://127.0.0.1:9/tsr
expect_rc 3 "seal --tsa without a working RFC 3161 client fails"
expect_err "cannot timestamp tree head 3: cannot timestamp with 'http://127.0.0.1:9/tsr'" "and says why"
check "no head stored" test "$(sql 'SELECT count(*) FROM heads')" = 0
check "the rows got their leaves anyway (backfill is committed first)" test "$(sql "SELECT count(*) FROM evidence WHERE leaf_index IS NOT NULL")" = 3
cf seal --tsa
expect_rc 2 "--tsa needs a URL"
cf seal --tsa a --tsa b
expect_rc 2 "--tsa twice"
expect_err "option '--tsa' given twice" "says so"

sql "INSERT INTO meta VALUES('tsa', 'http://127.0.0.1:9/tsr')"
cf seal
expect_rc 3 "the vault's tsa setting is used"
sql "DELETE FROM meta WHERE key = 'tsa'"

cf seal --json
expect_clean "seal --json"
check "seal json" sh -c "jq -e '.sealed == true and .tree_size == 3 and .prev_size == 0 and .new_leaves == 3 and .backfilled == 0 and .timestamped == false and (.root | length) == 64 and (.checkpoint | split(\"\n\")[1]) == \"3\"' '$out'"
cf seal --json
expect_clean "seal --json, nothing new"
check "nothing-new json" sh -c "jq -e '.sealed == false and .tree_size == 3 and .new_leaves == 0' '$out'"
echo four >f4; add_ev A1 f4
cf seal --json
cf log --json
expect_clean "log --json"
check "log json: two heads, chain and proof" sh -c "jq -e '(.heads | length) == 2 and .heads[1].prev_size == 3 and (.heads[1].consistency_proof | length) == 3 and .unsealed == 0 and .ledger_size == 4' '$out'"
cf log extra
expect_rc 2 "log takes no arguments"

rm -rf vault
cf init
cf seal --json
expect_rc 2 "seal without a key, json mode"
cf log --json
expect_clean "log --json on an empty vault"
check "empty log json" sh -c "jq -e '.heads == [] and .ledger_size == 0' '$out'"
done_testing

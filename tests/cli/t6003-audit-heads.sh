#!/bin/sh
# SPDX-License-Identifier: MIT
# t6003: audit detects forged heads: a root rewritten with the rest of the
# tree, a checkpoint signed by another key, a head removed from the chain,
# a broken consistency proof; and a ledger rewritten under a head stops seal.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/ledger-lib.sh"

vault_with 3
cf seal
echo four >f4; add_ev A1 f4; cf seal
echo five >f5; add_ev A1 f5; cf seal
cf audit
expect_clean "three heads, intact"
db_save good
cp -r vault/checkpoints good-checkpoints
restore() {
	db_restore good
	chmod -R u+w vault/checkpoints; rm -rf vault/checkpoints; cp -r good-checkpoints vault/checkpoints
}

# Forged root in the row (checkpoint untouched).
sql "UPDATE heads SET root = zeroblob(32) WHERE tree_size = 4"
cf audit
expect_rc 1 "forged root"
expect_out "^head: head 4: root differs" "names head 4"
restore

# A checkpoint re-signed by an attacker's key (valid note, wrong key).
mv vault/keys real-keys; mkdir -m 700 vault/keys
make_key
cf seal  # nothing new: does not re-sign
rm -rf other; cp -r vault other
sql "DELETE FROM heads WHERE tree_size = 5"
# The kept copy of head 5 stops that seal (it is signed by the real key) ...
cf seal
expect_rc 1 "seal refuses to re-sign over a kept checkpoint of another key"
expect_err "checkpoints/00000003.txt' is not a tree head and does not complete an interrupted seal: checkpoint has no signature by key" "names the kept checkpoint"
# ... so the attacker removes it too.
chmod u+w vault/checkpoints; rm -f vault/checkpoints/00000003.txt
CASEFILE_VAULT=$SCRATCH/vault cf seal	# seals 5 again with the attacker key
rm -rf vault/keys; mv real-keys vault/keys
cf audit
expect_rc 1 "head signed by another key"
expect_out "^head: head 5: checkpoint has no signature by key 'casefile/[0-9a-f-]+'" "names head 5 and the key"
restore

# A byte of the signature flipped.
sql "UPDATE heads SET checkpoint = substr(checkpoint, 1, length(checkpoint) - 10) || (CASE substr(checkpoint, -10, 1) WHEN 'A' THEN 'B' ELSE 'A' END) || substr(checkpoint, -9) WHERE tree_size = 3"
cf audit
expect_rc 1 "flipped signature"
expect_out "^head: head 3: (bad checkpoint signature|checkpoint: )" "names head 3"
restore

# A head removed from the middle of the chain.
sql "DELETE FROM heads WHERE tree_size = 4"
cf audit
expect_rc 1 "gap in the chain of heads"
expect_out "^head: head 5: previous head should be 3, is recorded as 4$" "names the gap"
restore

# A stored consistency proof altered.
sql "UPDATE heads SET consistency_proof = zeroblob(length(consistency_proof)) WHERE tree_size = 5"
cf audit
expect_rc 1 "broken consistency proof"
expect_out "^head: head 5: consistency with head 4: " "names it"
restore

# The ledger rewritten under a sealed head (the subtree of leaves 0-3
# replaced): seal refuses to build on it, audit names the node.
echo six >f6; add_ev A1 f6
sql "UPDATE ledger_nodes SET hash = zeroblob(32) WHERE level = 2 AND idx = 0"
cf seal
expect_rc 1 "seal over a rewritten ledger fails"
expect_err "the ledger no longer matches tree head 5: run 'casefile audit'" "says why"
check "no head was added" test "$(sql 'SELECT max(tree_size) FROM heads')" = 5
cf audit
expect_rc 1 "audit names the rewritten node"
expect_out "^leaf: ledger node 2/0: stored hash differs from the recomputed one$" "node 2/0"

# Audit without the vault certificate cannot vouch for the heads.
restore
mv vault/keys/signing.crt real.crt
cf audit
expect_rc 1 "audit without the key"
expect_out "^head: head 3: signature not checked: no vault key$" "says signatures were not checked"
done_testing

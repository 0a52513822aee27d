#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile verify checks the ledger proofs a dossier carries: each
# exhibit's inclusion proof against its tree head, the head's signature (by
# the dossier signer's certificate, or the vault's with --vault) and its
# RFC 3161 token, and reports the sealed time; "not yet sealed" is a WARN.
# Tamper twins (the dossier is signed validly each time, only the proofs
# are wrong): a wrong hash in an inclusion path, a forged tree head
# signature, the token of another head — each exits 1 naming the exhibit.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000001
make_test_pki pki || echo "not ok - pki"
make_order $O
start_tsa pki ok || echo "not ok - tsa"
cf seal --tsa "$TSA_URL"
expect_clean "seal with the test tsa"
db_save good
restore() { db_restore good; }

# 1. The good dossier.
cf build $O -o d.pdf --tsa "$TSA_URL"
expect_clean "build"
mkdir x && (cd x && pdfdetach -saveall ../d.pdf)
jq -r '.exhibits[0].checkpoint_timestamp' x/proofs.json | base64 -d >tok.der
gen=$(openssl ts -reply -in tok.der -token_in -text 2>/dev/null | sed -n 's/^Time stamp: //p')
iso=$(date -u -d "$gen" '+%Y-%m-%dT%H:%M:%SZ')
cst=$(TZ=Asia/Shanghai date -d "$gen" '+%Y-%m-%d %H:%M:%S')
cf verify d.pdf --tsa-ca pki/ca.pem
expect_rc 0 "verify: exit 0"
for i in 1 2 3 4 5; do
	leaf=$(jq -r ".exhibits[$((i - 1))].leaf_index" x/proofs.json)
	expect_out "^PASS  proof exhibit $i: '[^']+': leaf $leaf in tree head 5, sealed at $iso \(China time $cst \+08:00\)$" "exhibit $i: proof passes with the token's time"
done
expect_out "^PASS  proofs: proofs.json: 5 exhibits, 5 sealed, 0 not yet sealed; tree heads signed by 'test signer' \(the dossier signer's certificate\)$" "summary names the head signer"
cf verify d.pdf --vault vault --json
expect_rc 0 "verify --vault --json"
check "json: proof checks with the vault's certificate" jq -e \
	'[.checks[] | select(.check | startswith("proof exhibit")) | .status] == ["PASS","PASS","PASS","PASS","PASS"] and (.checks[] | select(.check == "proofs") | .detail | test("the vault.s certificate"))' "$out"
# the TSA must chain to the CA given for it
cf verify d.pdf --tsa-ca pki/signer.pem
expect_rc 1 "a TSA CA that is not the TSA's: exit 1"
expect_out "^FAIL  proof exhibit 1: 'order.json': checkpoint timestamp not trusted" "names the exhibit and the token"

# 2. An exhibit added after the seal: WARN, still exit 0.
echo "补充" >late.txt
cf ingest --quiet --kind other $O late.txt
cf build $O -o late.pdf
cf verify late.pdf
expect_rc 0 "an unsealed exhibit is not a failure"
expect_out "^WARN  proof exhibit 6: 'late.txt': not yet sealed$" "WARN names the unsealed exhibit"
expect_out "^WARN  proofs: proofs.json: 6 exhibits, 5 sealed, 1 not yet sealed" "summary counts it"
restore

# 3. Tamper twin: a wrong hash in exhibit 3's (pack.mp4's) inclusion path (its only
#    sibling, the subtree of leaves 0-3, corrupted in the vault's ledger).
sql "UPDATE ledger_nodes SET hash = zeroblob(32) WHERE level = 2 AND idx = 0"
cf build $O -o bad-path.pdf
expect_clean "the dossier is built and signed from the bad ledger"
check "its signature is valid" sh -c "pdfsig bad-path.pdf 2>&1 | grep -q 'Signature is Valid.'"
cf verify bad-path.pdf
expect_rc 1 "bad inclusion path: exit 1"
expect_out "^FAIL  proof exhibit 3: 'pack.mp4': " "names exhibit 3 (numbered in the argument's order: order, logistics, the packing video)"
expect_out "^PASS  proof exhibit 4: " "exhibit 4's proof does not use that node"
expect_out "^FAIL  proofs: proofs.json: 1 of 5 exhibit proofs fail$" "summary"
restore

# 4. Tamper twin: the checkpoint's signature forged (a byte of it changed).
sql "UPDATE heads SET checkpoint = substr(checkpoint, 1, length(checkpoint) - 10) || (CASE substr(checkpoint, -10, 1) WHEN 'A' THEN 'B' ELSE 'A' END) || substr(checkpoint, -9)"
cf build $O -o bad-sig.pdf
cf verify bad-sig.pdf
expect_rc 1 "forged head signature: exit 1"
expect_out "^FAIL  proof exhibit 1: 'order.json': " "names exhibit 1"
check "every exhibit fails" test "$(grep -c '^FAIL  proof exhibit' "$out")" = 5
restore

# 5. Tamper twin: the head carries the token of another head.
echo more >more.txt
cf ingest --quiet --kind other $O more.txt
cf seal --tsa "$TSA_URL"
sql "UPDATE heads SET tst = (SELECT tst FROM heads WHERE tree_size = 5) WHERE tree_size = 6"
cf build $O -o bad-tst.pdf
cf verify bad-tst.pdf
expect_rc 1 "token of another head: exit 1"
expect_out "^FAIL  proof exhibit 4: 'chat.json': checkpoint_timestamp: " "names the exhibit and the token"
restore

# 6. A head signed by another key than the vault's: --vault catches it.
mv vault/keys real-keys; mkdir -m 700 vault/keys
"$CASEFILE_BIN" keygen --now 2025-01-01T00:00:00Z --cn intruder >/dev/null
cp -r vault/keys intruder-keys
sql "DELETE FROM heads"
# (the kept checkpoints would stop this seal: the intruder removes them too)
chmod -R u+w vault/checkpoints; rm -f vault/checkpoints/*
cf seal
cf build $O -o intruder.pdf --no-sign
rm -rf vault/keys; mv real-keys vault/keys
cf verify intruder.pdf --vault vault
expect_rc 1 "heads signed by another key, checked with the vault's: exit 1"
expect_out "^FAIL  proof exhibit 1: 'order.json': .*signature" "names the exhibit and the signature"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# t7520: append-only, checkable by an outsider (issue 17 item 3).
#  - the README's "Checking a dossier without casefile" block runs as
#    written (extracted from README.md), with an exhibit left out by
#    --no-attach-media showing as NOT ATTACHED;
#  - proofs.json carries the first head + consistency proof per exhibit,
#    the certificate and the C2SP verifier key;
#  - log --export DIR: checkpoints, tokens, consistency proofs head to
#    head, cert.pem, pubkey.pem, verifier-key.txt; the shipped script
#    (contrib/casefile-proofcheck.py) checks them and rejects tampering;
#  - log --check OLD_CHECKPOINT: proves the log extends it; a checkpoint
#    of another vault, an unsigned one and a forged history fail.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000001
SCRIPT="$TESTS_DIR/../contrib/casefile-proofcheck.py"
make_test_pki pki || echo "not ok - pki"
make_order $O
start_tsa pki ok || echo "not ok - tsa"
cf config tsa.url "$TSA_URL"
cf seal
expect_clean "1 first seal, timestamped"
old=$(sql "SELECT max(tree_size) FROM heads")
sql "SELECT writefile('old-checkpoint.txt', checkpoint) FROM heads WHERE tree_size = $old" >/dev/null
printf 'later evidence\n' >later.txt
cf ingest --kind other $O later.txt
cf seal
expect_clean "2 second seal"
cf build $O -o dossier.pdf --no-attach-media --tsa "$TSA_URL"
expect_clean "3 build with --no-attach-media"

check "3a the dossier says %PDF-1.7 (ETSI.CAdES.detached is ISO 32000-1)" test "$(head -c 8 dossier.pdf)" = "%PDF-1.7"
check "3b qpdf --check is clean" qpdf --check dossier.pdf

# The README block, as written.
awk '/^## Checking a dossier without casefile/ {on = 1} on && /^```sh$/ {inb = 1; next}
     inb && /^```$/ {exit} inb {print}' "$TESTS_DIR/../README.md" >recipe.sh
check "4 the README has the recipe" test "$(wc -l <recipe.sh)" -gt 10
mkdir r && cp dossier.pdf r/ && cp pki/ca.pem r/tsa-ca.pem && cp "$SCRIPT" r/casefile-proofcheck.py
(cd r && sh -e ../recipe.sh) >recipe.out 2>recipe.err
check "5 every step of the recipe succeeds with stock tools (sh -e)" test $? = 0
cat recipe.err | sed 's/^/# /' | head -5
check "6 pdfsig: Signature is Valid" grep -q "Signature is Valid" recipe.out
nulls=$(jq '[.exhibits[] | select(.attachment == null)] | length' r/att/manifest.json)
check "7 --no-attach-media left exhibits out ($nulls)" test "$nulls" -ge 1
check "8 each one shows up as NOT ATTACHED" test "$(grep -c '^NOT ATTACHED: exhibit' recipe.out)" = "$nulls"
check "9 sha256sum -c checked every attached one" test "$(grep -v '^Verification' recipe.out | grep -c ': OK$')" = "$(jq '[.exhibits[] | select(.attachment != null)] | length' r/att/manifest.json)"
check "10 openssl ts -verify: Verification: OK" grep -q "^Verification: OK" recipe.out
check "11 openssl dgst: the checkpoint signature Verified OK" grep -q "^Verified OK" recipe.out
check "12 the script checked every sealed exhibit" test "$(grep -c '^ok ' recipe.out)" = "$(jq '[.exhibits[] | select(.status == "sealed")] | length' r/att/proofs.json)"
check "13 with a consistency proof from an earlier head" grep -q "first sealed in $old" recipe.out
check "14 proofs.json: certificate and verifier key" jq -e '(.certificate | startswith("-----BEGIN CERTIFICATE-----")) and (.verifier_key | test("^casefile/[^+]+\\+[0-9a-f]{8}\\+"))' r/att/proofs.json
# jq -r (the old recipe) breaks the token check: a newline too many
jq -r '.exhibits[0].checkpoint' r/att/proofs.json >r/cp-r.txt
check_not "15 with jq -r the token does not verify (why the README says -j)" \
	openssl ts -verify -data r/cp-r.txt -in r/att/checkpoint.tsr -token_in -CAfile pki/ca.pem
python3 -c '
import json; d = json.load(open("r/att/proofs.json"))
for e in d["exhibits"]:
    if e.get("consistency_proof"):
        p = e["consistency_proof"]; p[0] = ("1" if p[0][0] != "1" else "2") + p[0][1:]; break
json.dump(d, open("bad-proofs.json", "w"))'
check_not "16 the script rejects a flipped consistency proof" python3 "$SCRIPT" proofs bad-proofs.json

# log --export
cf log --export ex
expect_clean "17 log --export"
expect_out "exported 2 tree heads, 2 timestamp tokens, 1 consistency proofs" "18 says what it wrote"
for f in checkpoints/00000001.txt checkpoints/00000001.tsr checkpoints/00000002.txt checkpoints/00000002.tsr consistency/00000001-00000002.json heads.json cert.pem pubkey.pem verifier-key.txt; do
	check "19 ex/$f" test -s "ex/$f"
done
check "20 openssl ts -verify on an exported token" \
	openssl ts -verify -data ex/checkpoints/00000002.txt -in ex/checkpoints/00000002.tsr -token_in -CAfile pki/ca.pem
check "21 cert.pem is the vault certificate" cmp ex/cert.pem "$CASEFILE_VAULT/keys/signing.crt"
check "22 pubkey.pem is its key" sh -c "openssl x509 -in ex/cert.pem -noout -pubkey | cmp - ex/pubkey.pem"
check "23 the verifier key line names the origin and key id of the checkpoints" sh -c \
	"grep -q \"^\$(head -1 ex/checkpoints/00000001.txt)+[0-9a-f]\\{8\\}+\" ex/verifier-key.txt"
python3 "$SCRIPT" log ex >log.out
check "24 the script checks the consistency proof head to head" grep -q "^ok head 1 ($old leaves) -> head 2" log.out
cp -r ex ex2; chmod -R u+w ex2
python3 -c '
import json; p = json.load(open("ex2/consistency/00000001-00000002.json"))
p["proof"][0] = ("1" if p["proof"][0][0] != "1" else "2") + p["proof"][0][1:]
json.dump(p, open("ex2/consistency/00000001-00000002.json", "w"))'
check_not "25 ... and rejects a flipped one" python3 "$SCRIPT" log ex2
cf log --export ex
expect_rc 3 "26 export into a folder that is not empty: refused"
expect_err "is not empty" "27 ... saying so"

# log --check
cf log --check old-checkpoint.txt
expect_clean "28 log --check an earlier checkpoint"
expect_out "the log extends the checkpoint of $old leaves: tree head $((old + 1))" "29 says which head extends it"
cf log --check old-checkpoint.txt --json
check "30 --json carries the consistency proof" jq -e '.extends and (.consistency_proof | length) >= 1' "$out"
# a forged history: a checkpoint of the same size with another root, signed by the vault key
python3 - "$CASEFILE_VAULT/keys/signing.key" <<'PY'
import base64, subprocess, sys
lines = open("old-checkpoint.txt", encoding="utf-8").read().split("\n")
text = "%s\n%s\n%s\n" % (lines[0], lines[1], base64.b64encode(b"\x07" * 32).decode())
open("forged-note.txt", "w").write(text)
sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", sys.argv[1], "forged-note.txt"],
                     capture_output=True, check=True).stdout
keyid = base64.b64decode(lines[4].split(" ")[2])[:4]
open("forged.txt", "w").write(text + "\n\u2014 %s %s\n" % (lines[0], base64.b64encode(keyid + sig).decode()))
PY
cf log --check forged.txt
expect_rc 1 "31 a rewritten history (same size, other root, validly signed): exit 1"
expect_err "does not extend the checkpoint of $old leaves: its history was rewritten" "32 ... saying so"
sed '2s/.*/999/' old-checkpoint.txt >big.txt
cf log --check big.txt
expect_rc 1 "33 an edited checkpoint: exit 1"
expect_err "not signed by this vault's key" "34 ... its signature fails"
printf 'junk\n' >junk.txt
cf log --check junk.txt
expect_rc 3 "35 not a checkpoint: bad input"
cf log --check no-such-file
expect_rc 3 "36 a missing file: bad input"
stop_tsa
done_testing

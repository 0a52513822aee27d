#!/bin/sh
# SPDX-License-Identifier: MIT
# Proofs in the dossier (issue 5): build --seal seals first; proofs.json is
# attached next to manifest.json; its inclusion paths, checked in a few
# lines of Python (contrib/casefile-proofcheck.py), lead to the root its checkpoint
# states, and the checkpoint's timestamp passes openssl ts -verify; the
# integrity appendix shows each exhibit's leaf, tree size, seal time, root
# prefix and path length, and "not yet sealed" for an exhibit added later.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000001
make_test_pki pki || echo "not ok - pki"
make_order $O
start_tsa pki ok || echo "not ok - tsa"

# 1. Before any seal: every exhibit "not yet sealed".
cf build $O -o u.pdf --no-sign --now 2025-05-04T02:00:00Z
expect_unsealed "build before any seal"
pdftotext u.pdf u.txt
check "appendix says the ledger is not sealed yet" grep -q '账本尚未封存' u.txt
check "every exhibit not yet sealed (5)" test "$(grep -c '尚未封存$' u.txt)" = 5
mkdir u && (cd u && pdfdetach -saveall ../u.pdf)
check "proofs.json: every exhibit not yet sealed" jq -e '[.exhibits[].status] == ["not yet sealed","not yet sealed","not yet sealed","not yet sealed","not yet sealed"]' u/proofs.json

# 2. build --seal with the test TSA.
cf build $O -o d.pdf --seal --tsa "$TSA_URL" --tsa-ca pki/ca.pem --now 2025-05-04T02:00:00Z
expect_clean "build --seal --tsa"
expect_out "^sealed tree size 5, timestamped$" "says it sealed first"
check "one head, timestamped" test "$(sql 'SELECT count(*) FROM heads WHERE tst IS NOT NULL')" = 1
pdfdetach -list d.pdf >list.txt
check "pdfdetach lists manifest.json" grep -q ': manifest.json$' list.txt
check "pdfdetach lists proofs.json" grep -q ': proofs.json$' list.txt
mkdir x && (cd x && pdfdetach -saveall ../d.pdf)
check "proofs.json format" jq -e '.format == "casefile-proofs-1" and (.exhibits | length) == 5 and all(.exhibits[]; .status == "sealed")' x/proofs.json
cp "$TESTS_DIR/../contrib/casefile-proofcheck.py" check.py
check "python recomputes every leaf, path and root from the detached proofs.json" python3 check.py proofs x/proofs.json
check "proofs.json and manifest.json agree on every exhibit's sha256" sh -c \
	"test \"\$(jq -r '.exhibits[].sha256' x/proofs.json | sort)\" = \"\$(jq -r '.exhibits[].sha256' x/manifest.json | sort)\""
(cd x && manifest_sums manifest.json >SUMS)
check "the attachments hash to those sha256 values" sh -c 'cd x && sha256sum -c SUMS'
jq -j '.exhibits[0].checkpoint' x/proofs.json >cp.txt
jq -r '.exhibits[0].checkpoint_timestamp' x/proofs.json | base64 -d >tok.der
check "the checkpoint's token passes openssl ts -verify" \
	openssl ts -verify -data cp.txt -in tok.der -token_in -CAfile pki/ca.pem
check "all exhibits are proved against that one checkpoint" \
	test "$(jq -r '[.exhibits[].checkpoint] | unique | length' x/proofs.json)" = 1
# the tamper twin: a flipped hash in one inclusion path
python3 -c '
import json; d = json.load(open("x/proofs.json")); p = d["exhibits"][3]["inclusion_path"]
p[0] = ("1" if p[0][0] != "1" else "2") + p[0][1:]; json.dump(d, open("t1.json", "w"))'
check_not "python rejects a flipped inclusion path" python3 check.py proofs t1.json
printf 'x' >>cp.txt
check_not "openssl rejects the token for other bytes" \
	openssl ts -verify -data cp.txt -in tok.der -token_in -CAfile pki/ca.pem

# 3. The readable table in the integrity appendix.
pdftotext -layout d.pdf d.txt
check "appendix: proofs section" grep -q '账本证明（proofs.json）' d.txt
root=$(jq -r '.exhibits[0].root_hash' x/proofs.json)
pre=$(echo "$root" | cut -c1-16)
gen=$(openssl ts -reply -in tok.der -token_in -text 2>/dev/null | sed -n 's/^Time stamp: //p')
want=$(TZ=Asia/Shanghai date -d "$gen" '+%Y-%m-%d %H:%M:%S')
for i in 1 2 3 4 5; do
	leaf=$(jq -r ".exhibits[$((i - 1))].leaf_index" x/proofs.json)
	np=$(jq -r ".exhibits[$((i - 1))].inclusion_path | length" x/proofs.json)
	check "appendix row $i: leaf $leaf, tree 5, sealed at the token's time ($want), root $pre…, path $np" \
		grep -Eq "^ *$i +$leaf +5 +$want +$pre… +$np\$" d.txt
done
check "appendix: the full root hash and the TSA" sh -c "tr -d ' \n' <d.txt | grep -q '$root.*$TSA_URL'"
check "signature page follows the proofs" sh -c "tail -20 d.txt | grep -q '电子签名' || grep -q 'PAdES B-T' d.txt"

# 4. An exhibit added after the seal: "not yet sealed" until the next seal.
echo "补充说明" >late.txt
cf ingest --quiet --kind other $O late.txt
cf build $O -o late.pdf --tsa "$TSA_URL" --now 2025-05-04T02:00:00Z --lang en
expect_unsealed "build after a later ingest"
pdftotext -layout late.pdf late.txt
check "the late exhibit is 'not yet sealed' in the appendix" grep -Eq '^ *6 +5 +not yet sealed *$' late.txt
mkdir y && (cd y && pdfdetach -saveall ../late.pdf)
check "proofs.json: the late exhibit not yet sealed, the rest sealed" jq -e \
	'[.exhibits[].status] | (map(select(. == "sealed")) | length) == 5 and (map(select(. == "not yet sealed")) | length) == 1' y/proofs.json
check "python: sealed ones still check, the late one reported unsealed" sh -c \
	"python3 check.py proofs y/proofs.json | grep -q '^unsealed late.txt'"
cf build $O -o late2.pdf --seal --tsa "$TSA_URL" --lang en
expect_clean "build --seal picks it up"
mkdir z && (cd z && pdfdetach -saveall ../late2.pdf)
check "after --seal all six are sealed against head 6" jq -e 'all(.exhibits[]; .status == "sealed" and .tree_size == 6)' z/proofs.json
check "and they check" python3 check.py proofs z/proofs.json

# 5. --seal with the TSA down: nothing sealed, no dossier.
echo more >more.txt
cf ingest --quiet --kind other $O more.txt
stop_tsa
cf build $O -o down.pdf --seal --tsa "$TSA_URL" --tsa-timeout 2
expect_rc 3 "--seal with the tsa down: exit 3"
expect_err "cannot timestamp tree head 7" "names the head"
check "no head 7" test "$(sql 'SELECT count(*) FROM heads WHERE tree_size = 7')" = 0
check "no dossier" test ! -e down.pdf
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# t7530: a file name that is not UTF-8 is bound byte for byte in its
# ledger leaf (leaf version 3, issue 17 item 3); UTF-8 names keep version 1
# leaves, unchanged; proofs.json carries leaf_version and name_raw_hex; the
# shipped script and casefile's own checks recompute both kinds; audit is
# clean; a flipped raw byte is caught.
. "$(dirname "$0")/../lib.sh"

SCRIPT="$TESTS_DIR/../contrib/casefile-proofcheck.py"
cf init; cf keygen --cn "Raw Shop"
latin=$(printf 'caf\351.txt')
printf 'latin-1 name\n' >"$latin"
printf 'plain\n' >plain.txt
cf ingest --kind other 1234567 "$latin" plain.txt
expect_clean "1 ingest a Latin-1 name and a UTF-8 one"
check "2 the Latin-1 name's row has a version 3 leaf, its raw bytes stored" \
	test "$(sql "SELECT leaf_version || ' ' || hex(name_raw) FROM evidence WHERE name LIKE 'caf%'")" = "3 636166E92E747874"
check "3 the UTF-8 name keeps a version 1 leaf" test "$(sql "SELECT leaf_version FROM evidence WHERE name = 'plain.txt'")" = 1
cf seal
cf log --proofs 1 2
cp "$out" p.json
check "4 proofs.json: leaf_version 3 and name_raw_hex for the Latin-1 name" \
	jq -e '.exhibits[0].leaf_version == 3 and .exhibits[0].name_raw_hex == "636166e92e747874"' p.json
check "5 ... and neither for the UTF-8 name (its proof is as before)" \
	jq -e '.exhibits[1] | has("leaf_version") | not' p.json
check "6 the script recomputes both leaves and their proofs" python3 "$SCRIPT" proofs p.json
python3 -c '
import json; d = json.load(open("p.json")); d["exhibits"][0]["name_raw_hex"] = "636166e82e747874"
json.dump(d, open("p2.json", "w"))'
check_not "7 one raw byte changed: the leaf no longer matches" python3 "$SCRIPT" proofs p2.json
python3 -c '
import json; d = json.load(open("p.json")); del d["exhibits"][0]["leaf_version"]
json.dump(d, open("p3.json", "w"))'
check_not "8 read as a version 1 leaf it does not match either (the raw bytes are bound)" python3 "$SCRIPT" proofs p3.json
cf audit
expect_rc 0 "9 audit recomputes every leaf, both versions: clean"
sql "UPDATE evidence SET name_raw = X'636166E82E747874' WHERE leaf_version = 3"
cf audit
expect_rc 1 "10 a raw name changed in the database: audit fails"
done_testing

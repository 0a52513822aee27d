#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile verify KIT --dossier: bad input (issue 14).  A kit.json whose
# source hash is a path writes nothing outside the private temporary
# folder; a PDF that is not a casefile dossier fails clearly; the temporary
# originals are removed whatever happened.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/pack-fixture.sh"

O=6931000000000031
make_pack_order $O || { echo "Bail out! fixture"; exit 1; }
"$CASEFILE_BIN" pack $O -o kit 2>/dev/null
"$CASEFILE_BIN" build $O -o d.pdf --now 2025-05-04T02:00:00Z >/dev/null 2>&1
mkdir tmp
export TMPDIR="$SCRATCH/tmp"

# 1-3: untouched, and nothing left in TMPDIR
cf verify kit --dossier d.pdf
expect_clean "untouched kit verifies against the dossier"
check "no temporary original left behind" test -z "$(ls -A tmp)"
check "the originals were really taken from the dossier" grep -q "attached to the dossier" "$out"

# 4-7: a source hash that is a path
cp -r kit k1
jq '.images[0].spec.sources[0].sha256 = "../../evil-h3"' kit/kit.json >k1/kit.json
cf verify k1 --dossier d.pdf
expect_rc 1 "a source hash that is a path: exit 1"
expect_out "^FAIL  card-1.jpg" "names the card"
check "nothing written outside the temporary folder" sh -c "! ls -A '$SCRATCH' | grep -q evil-h3 && ! ls -A tmp | grep -q ."
check "the other cards still pass" grep -q "^PASS  card-2.jpg" "$out"

# 8-11: a PDF that is not a casefile dossier
cf verify kit --dossier "in-$O/receipt.pdf"
expect_rc 1 "not a dossier: exit 1"
expect_out "^FAIL  dossier in-$O/receipt.pdf: " "the dossier line fails"
expect_out "^FAIL  card-1.jpg: cannot re-derive: the original of exhibit [0-9]+ '.*' \(SHA-256 [0-9a-f]{16}…\) is not (in|an exhibit of) the dossier" "the cards say their originals are not in it"
check "no temporary original left behind" test -z "$(ls -A tmp)"

# 12-13: a kit.json that is not JSON
cp -r kit k2 && echo '{"format": ' >k2/kit.json
cf verify k2 --dossier d.pdf
expect_rc 3 "broken kit.json: exit 3"
expect_err "kit.json is not a casefile-kit/1 document" "says so"
done_testing

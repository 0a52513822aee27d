#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile verify KIT --dossier FILE.pdf: a kit checked without the vault,
# against the originals attached to the signed dossier (issue 14): the
# dossier verified first, its id the one the cards name, every card
# re-derived from the attachments and compared byte for byte.  Untouched:
# exit 0; a card re-encoded or two swapped: exit 1; an original the dossier
# does not attach: the card fails, saying which and why.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/pack-fixture.sh"

O=6931000000000002
make_pack_order $O || { echo "Bail out! fixture"; exit 1; }
"$CASEFILE_BIN" pack $O -o kit.zip 2>/dev/null
"$CASEFILE_BIN" pack $O -o kit 2>/dev/null
"$CASEFILE_BIN" build $O -o d.pdf --now 2025-05-04T02:00:00Z >/dev/null 2>&1
"$CASEFILE_BIN" build $O -o small.pdf --no-attach-media --now 2025-05-04T02:00:00Z >/dev/null 2>&1
# from here on there is no vault: what an arbiter or a lawyer has
mv "$CASEFILE_VAULT" vault.away

# 1-5: untouched kit, zip and folder
cf verify kit.zip --dossier d.pdf
expect_clean "untouched zip kit verifies against the dossier"
expect_out "^PASS  dossier d.pdf: signed dossier [0-9a-f]{16}: " "the dossier itself is verified first"
expect_out "^PASS  dossier id: the kit's cards name dossier [0-9a-f]{16}, this one" "the cards name this dossier"
expect_out "^PASS  card-1.jpg: re-derived from 1 original attached to the dossier, identical" "card 1 re-derived from the attachment"
cf verify kit --dossier d.pdf
expect_clean "untouched folder kit verifies against the dossier"

# 6-7: the dossier id on the cards is the dossier's own (manifest.json)
mkdir x && (cd x && pdfdetach -saveall ../d.pdf >/dev/null 2>&1)
check "kit.json's dossier_id is the dossier manifest's" sh -c \
	"[ \"\$(jq -r .dossier_id x/manifest.json)\" = \"\$(jq -r .dossier_id kit/kit.json)\" ]"
check "card 1's QR code names that dossier" sh -c \
	"qr() { zbarimg --quiet --raw -Sbinary \"\$1\" 2>/dev/null; }; qr kit/card-1.jpg | grep -qx \"d=\$(jq -r .dossier_id x/manifest.json)\""

# 8-10: one card re-encoded
cp -r kit k1
convert k1/card-2.jpg -quality 80 k1/card-2.jpg
cf verify k1 --dossier d.pdf
expect_rc 1 "re-encoded card: exit 1"
expect_out "^FAIL  card-2.jpg: SHA-256 .* is not the .* kit.json records" "names the re-encoded card"
expect_out "^PASS  card-1.jpg" "the other cards still pass"

# 11-12: two cards swapped
cp -r kit k2
mv k2/card-1.jpg k2/t.jpg && mv k2/card-3.jpg k2/card-1.jpg && mv k2/t.jpg k2/card-3.jpg
cf verify k2 --dossier d.pdf
expect_rc 1 "swapped cards: exit 1"
check "both swapped cards fail" sh -c "grep -q '^FAIL  card-1.jpg' '$out' && grep -q '^FAIL  card-3.jpg' '$out'"

# 13-14: a re-encoded card with kit.json updated to match: re-derivation catches it
cp -r kit k3
convert k3/card-2.jpg -quality 70 k3/card-2.jpg
h=$(sha256sum k3/card-2.jpg | cut -c1-64)
jq --arg h "$h" '.images[1].sha256 = $h' kit/kit.json >k3/kit.json
cf verify k3 --dossier d.pdf
expect_rc 1 "re-encoded card with a forged kit.json: exit 1"
expect_out "^FAIL  card-2.jpg: re-derived card differs from the kit's" "the re-derived bytes differ"

# 15-18: a dossier without the media originals: the cards that need them fail, clearly
cf verify kit.zip --dossier small.pdf
expect_rc 1 "dossier missing originals: exit 1"
expect_out "^FAIL  card-1.jpg: cannot re-derive: the original of exhibit [0-9]+ 'pack.mp4' \(SHA-256 [0-9a-f]{16}…\) is listed in the dossier but not attached \(built with --no-attach-media\?\): check the kit against the vault that holds it" \
	"names the exhibit, its hash, why, and what to do"
expect_out "^FAIL  dossier id: the kit's cards name dossier [0-9a-f]{16}; 'small.pdf' is dossier [0-9a-f]{16}" "another dossier id is said"
check_not "every card fails for its missing original, none for another reason" sh -c \
	"grep '^FAIL  card-' '$out' | grep -v 'but not attached (built with --no-attach-media?)'"

# 19-21: a tampered dossier: its own check fails and names why
cp d.pdf bad.pdf
printf 'tail' >>bad.pdf
cf verify kit.zip --dossier bad.pdf
expect_rc 1 "tampered dossier: exit 1"
expect_out "^FAIL  dossier bad.pdf: .*byterange" "the dossier line names the failed check"
cf verify kit.zip --dossier nothing.pdf
expect_rc 1 "an unreadable dossier: exit 1"

# 22-25: usage: no vault and no --dossier; --dossier with a PDF
cf verify kit.zip
expect_rc 2 "no vault, no --dossier: exit 2"
expect_err "casefile verify kit.zip --dossier FILE.pdf" "says how to check without the vault"
cf verify d.pdf --dossier d.pdf
expect_rc 2 "--dossier with a dossier to verify: usage"
cf verify kit.zip --dossier d.pdf --json
check "--json: ok, one entry per check" jq -e '.ok == true and (.checks | length) >= 7' "$out"

# 26-27: the vault is untouched by it all, and the kit still verifies against the vault
mv vault.away "$CASEFILE_VAULT"
cf verify kit.zip
expect_clean "the same kit verifies against the vault"
check "--help documents --dossier" sh -c "'$CASEFILE_BIN' verify --help | grep -q -- '--dossier FILE.pdf'"
done_testing

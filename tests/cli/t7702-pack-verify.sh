#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile verify KIT.zip|DIR: each card re-derived from its recorded spec
# and the vault's originals and compared byte for byte; an untouched kit
# passes (exit 0); a card re-encoded, swapped, or whose spec or original
# changed fails (exit 1) naming the card; the statement's length is checked
# against the profile (issue 14).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/pack-fixture.sh"

O=6931000000000002
make_pack_order $O || { echo "Bail out! fixture"; exit 1; }
"$CASEFILE_BIN" pack $O -o kit.zip 2>/dev/null
"$CASEFILE_BIN" pack $O -o kit 2>/dev/null

# 1-4: untouched
cf verify kit.zip
expect_clean "untouched zip kit verifies"
expect_out "^PASS  card-1.jpg: re-derived from 1 original, identical" "card 1 re-derived"
expect_out "^VERIFIED: 6 checks, 0 failed" "summary"
cf verify kit
expect_clean "untouched folder kit verifies"

# 5-7: one card re-encoded
cp -r kit k1
convert k1/card-2.jpg -quality 80 k1/card-2.jpg
cf verify k1
expect_rc 1 "re-encoded card: exit 1"
expect_out "^FAIL  card-2.jpg: SHA-256 .* is not the .* kit.json records" "names the re-encoded card"
expect_out "^PASS  card-1.jpg" "the other cards still pass"

# 8-9: two cards swapped
cp -r kit k2
mv k2/card-1.jpg k2/x.jpg && mv k2/card-3.jpg k2/card-1.jpg && mv k2/x.jpg k2/card-3.jpg
cf verify k2
expect_rc 1 "swapped cards: exit 1"
check "both swapped cards fail" sh -c "grep -q '^FAIL  card-1.jpg' '$out' && grep -q '^FAIL  card-3.jpg' '$out'"

# 10-11: a re-encoded card with kit.json updated to match: the re-derivation catches it
cp -r kit k3
convert k3/card-2.jpg -quality 70 k3/card-2.jpg
h=$(sha256sum k3/card-2.jpg | cut -c1-64)
jq --arg h "$h" '.images[1].sha256 = $h' kit/kit.json >k3/kit.json
cf verify k3
expect_rc 1 "re-encoded card with a forged kit.json: exit 1"
expect_out "^FAIL  card-2.jpg: not recorded in the vault as derived evidence" "the vault has no such card"

# 12-13: a changed spec (caption claims another capture time)
cp -r kit k4
jq '.images[0].spec.title = "别的东西"' kit/kit.json >k4/kit.json
cf verify k4
expect_rc 1 "changed spec: exit 1"
expect_out "^FAIL  card-1.jpg: kit.json's derivation differs from the vault's record" "names the card"

# 14-15: statement over the platform's limit
cp -r kit k5
python3 -c 'print("长" * 600)' >k5/statement.txt
jq --arg t "$(python3 -c 'print("长" * 600)')" '.statement.text = $t' kit/kit.json >k5/kit.json
cf verify k5
expect_rc 1 "statement over 500 characters: exit 1"
expect_out "^FAIL  statement.txt: 600 characters, platform 'douyin' takes 1..500" "says the length and limit"

# 16-17: an original changed in the vault: cannot re-derive
chmod u+w "$CASEFILE_VAULT/objects" -R
f=$(find "$CASEFILE_VAULT/objects" -type f -name "$(sql "select substr(lower(hex(sha256)),3) from evidence where name='IMG_0003.heic'")")
printf 'x' >>"$f"
cf verify kit.zip
expect_rc 1 "original changed in the vault: exit 1"
expect_out "^FAIL  card-3.jpg: cannot re-derive: .*original changed in the vault" "names the card and why"

# 18-21: not a kit, --json
cf verify nothing.zip
expect_rc 3 "missing kit: exit 3"
echo '{}' >k6.json && mkdir k6 && cp k6.json k6/kit.json
cf verify k6
expect_rc 3 "kit.json of another format: exit 3"
expect_err "not a casefile-kit/1 document" "says so"
cf verify kit --json
check "--json: one entry per check" jq -e '.ok == false and (.checks | length) == 6' "$out"
done_testing

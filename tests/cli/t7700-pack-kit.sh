#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile pack: the kit for Douyin — cards within the limits, the QR code
# (decoded by zbarimg) carrying the caption's facts, kit.json, statement,
# cards recorded as derived evidence with ledger leaves, not exhibits;
# the same order packed twice gives identical bytes (issue 14).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/pack-fixture.sh"

O=6931000000000002
make_pack_order $O || { echo "Bail out! fixture"; exit 1; }
leaves0=$(sql "select count(*) from evidence where leaf_index is not null")

# 1-6: a zip kit for Douyin, with the unverified figures named
cf pack $O --platform douyin -o kit.zip
expect_rc 0 "pack for douyin"
expect_err "image size limit is not published.*unverified" "unpublished image size is said to be unverified"
expect_err "text length limit is not published" "unpublished text length is said to be unverified"
check "kit is a zip with 4 cards, statement.txt and kit.json" sh -c \
	"unzip -Z1 kit.zip | sort | tr '\n' ' ' | grep -qx 'card-1.jpg card-2.jpg card-3.jpg card-4.jpg kit.json statement.txt '"
mkdir k && (cd k && unzip -q ../kit.zip)
check "every card is a JPEG of at most 2 MiB" sh -c \
	'for f in k/card-*.jpg; do identify -format "%m\n" "$f" | grep -qx JPEG || exit 1; [ $(stat -c %s "$f") -le 2097152 ] || exit 1; done'
check "statement.txt within 500 characters" sh -c \
	'[ $(python3 -c "import sys; print(len(open(sys.argv[1], encoding=\"utf-8\").read().rstrip(\"\n\")))" k/statement.txt) -le 500 ]'

# 7-12: kit.json maps onto the platforms' evidence APIs
check "kit.json: format, platform, profile version, dossier id" jq -e \
	'.format == "casefile-kit/1" and .platform == "douyin" and .profile_version == "1" and (.dossier_id | test("^[0-9a-f]{16}$"))' k/kit.json
check "kit.json: api fields for 抖店 (evidence + comment)" jq -e \
	'.api.images_field == "evidence" and .api.text_field == "comment"' k/kit.json
check "kit.json: each image lists its originals by SHA-256" jq -e \
	'[.images[] | (.originals | length > 0) and all(.originals[]; .sha256 | test("^[0-9a-f]{64}$"))] | all' k/kit.json
check "kit.json: statement text is statement.txt" sh -c \
	'[ "$(jq -r .statement.text k/kit.json)" = "$(cat k/statement.txt)" ]'
check "kit.json: each image's SHA-256 is the file's" sh -c \
	'for i in 0 1 2 3; do f=$(jq -r ".images[$i].file" k/kit.json); [ "$(jq -r ".images[$i].sha256" k/kit.json)" = "$(sha256sum k/$f | cut -c1-64)" ] || exit 1; done'
check "damaged in transit: packing video frames first, then the photos" jq -e \
	'.images[0].spec.layout == "frames" and .images[1].spec.layout == "photo" and .scenario == "damaged_in_transit"' k/kit.json

# 13-16: the QR code, read by zbarimg, carries the same facts
qr_of k/card-1.jpg >qr1.txt
check "zbarimg decodes card 1's QR code" test -s qr1.txt
check "QR payload is kit.json's" sh -c '[ "$(cat qr1.txt)" = "$(jq -r ".images[0].qr" k/kit.json | sed "\$d")" ] || [ "$(cat qr1.txt)" = "$(jq -r ".images[0].qr" k/kit.json)" ]'
vid=$(sql "select lower(hex(sha256)) from evidence where order_id='$O' and name='pack.mp4'")
check "QR: CFK1, order, dossier, exhibit with the first 16 hex, seal time" sh -c \
	"head -1 qr1.txt | grep -qx CFK1 && grep -qx 'o=$O' qr1.txt && grep -qx \"d=\$(jq -r .dossier_id k/kit.json)\" qr1.txt && grep -Eqx 'e=[0-9]+:$(echo $vid | cut -c1-16)' qr1.txt && grep -Eqx 's=20250503T120000Z@-' qr1.txt"
check "every card's QR code decodes" sh -c 'for f in k/card-*.jpg; do zbarimg --quiet --raw "$f" 2>/dev/null | head -1 | grep -qx CFK1 || exit 1; done'

# 17-21: cards are derived evidence: rows, derivations, leaves; not exhibits
check "4 derivations recorded" test "$(sql "select count(*) from derivations")" = 4
check "each card is an evidence row of the order with a ledger leaf" test \
	"$(sql "select count(*) from evidence e join derivations d on d.evidence_id = e.id where e.order_id='$O' and e.kind='other' and e.leaf_index is not null")" = 4
check "4 new ledger leaves" test "$(sql "select count(*) from evidence where leaf_index is not null")" = $((leaves0 + 4))
sql "select inputs, params, casefile_version from derivations limit 1" >deriv.txt
check "derivation names the originals, parameters and casefile version" sh -c \
	"grep -q '\"format\":\"casefile-card/1\"' deriv.txt && grep -Eq '^\\[\"[0-9a-f]{64}\"' deriv.txt && grep -q '|0\\.[0-9.]*\$' deriv.txt"
cf build $O -o d.pdf --now 2025-05-04T02:00:00Z
mkdir x && (cd x && pdfdetach -saveall ../d.pdf)
check "cards are not exhibits of the dossier" sh -c "jq -e '.exhibits | length == 8 and all(.name | startswith(\"kit-\") | not)' x/manifest.json"

# 22-25: deterministic, and a second pack adds nothing
cf pack $O --platform douyin -o kit2.zip
expect_rc 0 "second pack"
check "two packs: identical zip bytes" cmp kit.zip kit2.zip
check "second pack recorded nothing new" test "$(sql "select count(*) from derivations")" = 4
cf pack $O --platform douyin -o kitdir
check "a folder kit holds the same card bytes" sh -c 'for f in k/*; do cmp "$f" "kitdir/$(basename $f)" || exit 1; done'

# 26-28: --json, --cards, --pick
cf pack $O --platform douyin --cards 2 --pick 5,4 -o pick.zip --json
expect_rc 0 "--pick 5,4 --cards 2"
check "--json lists 2 cards" jq -e '.cards | length == 2' "$out"
unzip -p pick.zip kit.json >pick.json
check "--pick order kept: exhibit 5 (photo), then 4 (chat) (the argument's numbering)" jq -e \
	'.images[0].originals[0].exhibit == 5 and .images[1].spec.layout == "chat"' pick.json

# 29-30: the chat card links the chat's image to its exhibit
check "chat line names the exhibit holding IMG_0001.jpg" jq -e \
	'[.images[1].spec.lines[].text] | any(test("IMG_0001.jpg → 证据5"))' pick.json
check "chat text is masked (no phone number)" sh -c "! jq -r '.images[1].spec.lines[].text' pick.json | grep -q 13812345678"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# t7802: files whose name or folder promised something their content is
# not (a text named .pdf, an empty .png, text named .webp, a photo in
# receipts/) are stored with the classifier's warning, and then build,
# audit and verify --vault accept the vault as it was stored: the re-parse
# (rederive) applies the same name and folder hints as ingest and import.
# Regression (2026-12-03, issues 11 item 2 and 12 "kind", found in review):
# the re-parse ignored the hints, so the "expected a pdf (named ...)"
# warning looked added by hand and every build of such an order was
# refused as "not what was sealed"; a receipt would have read as photo.
. "$(dirname "$0")/../lib.sh"

cf init
cf keygen --cn T
printf 'not a pdf, %s\n' "$(date +%N)" >fake.pdf
: >empty.png
printf 'hello %s' "$(date +%N)" >text.webp
printf '{"no":"chat"}' >chat.json
cp "$FIXTURES/photo-orient6.jpg" p.jpg
mkdir -p bun/6931000000000783/receipts bun/6931000000000783/photos
cp fake.pdf empty.png text.webp chat.json bun/6931000000000783/
cp p.jpg bun/6931000000000783/receipts/r.jpg
printf 'plain text' >bun/6931000000000783/photos/note.jpg

cf ingest 6931000000000784 fake.pdf empty.png text.webp chat.json
expect_rc 3 "ingest: the misnamed files are stored with warnings (exit 3)"
expect_err "fake.pdf: expected a pdf \\(named 'fake.pdf'\\), but the content is not one: stored as other" "ingest: the pdf hint warning"
cf ingest --kind other 6931000000000785 fake.pdf empty.png
expect_rc 0 "ingest --kind other: no hint warning"
cf import bun
expect_rc 3 "import: the same files, exit 3"
check "a photo in receipts/ is a receipt" test "$(sql "SELECT kind FROM evidence WHERE name = 'r.jpg'")" = receipt
check "text in photos/ is other" test "$(sql "SELECT kind FROM evidence WHERE name = 'note.jpg'")" = other

for o in 6931000000000783 6931000000000784 6931000000000785; do
	cf build $o -o $o.pdf
	expect_rc 0 "build $o: accepted as stored"
	check_not "build $o: not refused as tampered" grep -q 'not what was sealed' "$err"
	cf verify $o.pdf --vault "$CASEFILE_VAULT"
	expect_rc 0 "verify $o --vault"
done
cf audit
expect_rc 0 "audit: nothing differs"
expect_out "parsed rows: 12 evidence rows re-parsed from their originals, 0 differing" "audit: all twelve re-parsed, none differ"
cf reparse
expect_rc 0 "reparse: nothing to rebuild"
# and a real edit of the hint's warning is still found
sql "UPDATE warnings SET message = 'ok' WHERE message LIKE 'expected a pdf%' AND evidence_id = (SELECT min(id) FROM evidence)"
cf audit
expect_rc 1 "an edited hint warning is found by audit"
done_testing

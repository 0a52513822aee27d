#!/bin/sh
# SPDX-License-Identifier: MIT
# verify: a manifest entry listed without an attachment (--no-attach-media)
# is a WARN to check against the vault; an attachment the manifest names
# but the PDF lacks is a FAIL.
. "$(dirname "$0")/../lib.sh"

echo "exhibit one" >a.txt; head -c 3000 /dev/urandom >b.bin
"$CASEFILE_TOOLS/mkpdf" -m tmp.pdf a.txt b.bin >/dev/null || echo "not ok - mkpdf"
cp manifest.json full.json
cf init; cf keygen --cn "Manifest Shop"

# b.bin listed with "attachment": null and not attached: a warning.
jq -c '.exhibits[1].attachment = null' full.json >manifest.json
"$CASEFILE_TOOLS/mkpdf" nul-src.pdf a.txt manifest.json >/dev/null
cf sign nul-src.pdf -o nul.pdf
expect_clean "1 sign a PDF whose manifest lists b.bin without attachment"
cf verify nul.pdf
expect_rc 0 "2 listed but not attached: still verified"
expect_out "^WARN  exhibit 2: 'b.bin' is listed but not attached \(sha256 [0-9a-f]{64}\); check it against the vault" \
	"3 WARN names the entry and its hash"
expect_out "^PASS  exhibit 1: 'a.txt': attachment 'a.txt' matches" "4 the attached one still checked"
check_not "5 no FAIL" grep -q '^FAIL' "$out"

# b.bin named as an attachment by the manifest, but not in the PDF: a failure.
cp full.json manifest.json
"$CASEFILE_TOOLS/mkpdf" miss-src.pdf a.txt manifest.json >/dev/null
cf sign miss-src.pdf -o miss.pdf
expect_clean "6 sign a PDF that lacks an attachment its manifest names"
cf verify miss.pdf
expect_rc 1 "7 missing attachment: exit 1"
expect_out "^FAIL  exhibit 2: 'b.bin': attachment 'b.bin' named by the manifest is missing" "8 FAIL names it"
expect_out "^NOT VERIFIED" "9 summary"
done_testing

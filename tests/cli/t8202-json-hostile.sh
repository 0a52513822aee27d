#!/bin/sh
# t8202: proofs.json (log --proofs, the dossier's attachment) and the
# dossier's manifest.json are built with jansson (issue 13): names and
# reasons with quotes, backslashes, control characters and bytes that are
# not UTF-8 give JSON that jq reads back to the same text, and the dossier
# still verifies.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001
cf init
mkdir in
printf a >'in/q"uo\te.txt'
printf b >'in/back\slash.txt'
printf c >"in/$(printf 'esc\033x\001y\bz\fw')"
printf d >"in/$(printf 'bad\377\376utf')"
printf e >'in/普通.txt'
cf ingest $O in/*
expect_rc 3 "1 five hostile names stored (content not recognised: exit 3)"
cf exclude 5 --reason "$(printf 'why "so"\\ \t\033 end')"
expect_rc 0 "2 one left out with a hostile reason"
echo pass >pass.txt; chmod 600 pass.txt
cf keygen --passphrase-file pass.txt
cf seal --passphrase-file pass.txt
expect_rc 0 "3 sealed"

cf log --proofs 1 2 3 4 5
expect_rc 0 "4 log --proofs"
cp "$out" proofs.json
check "5 proofs.json parses" jq -e . proofs.json
check "6 a quote and a backslash round-trip" \
	sh -c "jq -r '.exhibits[].name' proofs.json | grep -qxF 'q\"uo\\te.txt'"
check "7 control characters round-trip" \
	sh -c "jq -r '.exhibits[2].name' proofs.json | od -An -c | tr -s ' ' | grep -q 'e s c 033 x 001 y \\\\b z \\\\f w'"
check "8 bytes that are not UTF-8 arrive as U+FFFD" \
	sh -c "jq -r '.exhibits[1].name' proofs.json | grep -qx 'bad��utf'"
check "9 one line and a newline" test "$(wc -l <proofs.json)" -eq 1

cf build $O --no-sign -o d.pdf
expect_rc 0 "10 dossier built"
qpdf --show-attachment=manifest.json d.pdf >manifest.json
check "11 manifest.json parses" jq -e . manifest.json
check "12 the left-out reason round-trips" \
	sh -c "test \"\$(jq -r '.left_out[0].reason' manifest.json)\" = \"\$(printf 'why \"so\"\\\\ \\t\\033 end')\""
check "13 every exhibit name round-trips" \
	sh -c "jq -r '.exhibits[].name' manifest.json | grep -cxF 'q\"uo\\te.txt' | grep -qx 1"
cf verify d.pdf
check "14 the manifest check passes" grep -q '^PASS  manifest: manifest.json (casefile-manifest/1) lists 4 exhibits' "$out"
check_not "15 no attachment check fails" grep -q '^FAIL  \(manifest\|E00\)' "$out"
check "16 proofs.json is in the certificate's vault" jq -e '.certificate and .verifier_key' proofs.json

done_testing

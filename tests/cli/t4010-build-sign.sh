#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile build signs by default (issue 4): pdfsig accepts the dossier as
# a whole-document signature; the last page shows the signer, the signing
# time, the certificate fingerprint openssl computes, and the timestamp
# authority (B-T with the test TSA, its token checked by openssl ts) or
# "no timestamp (PAdES B-B)".  A TSA that is down leaves no PDF;
# --tsa-optional falls back to B-B; --no-sign says it did not sign; a vault
# without a key tells the user to run keygen.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000001
make_test_pki pki || echo "not ok - pki"
SIGNER_CN="青瓷小铺 签名" make_order $O
fp=$(openssl x509 -noout -fingerprint -sha256 -in vault/keys/signing.crt | sed 's/.*=//')
last_page() { pdftotext -f "$(pdfinfo "$1" | awk '/^Pages:/{print $2}')" -l 999 "$1" - 2>/dev/null; }
flat() { tr -d ' \n'; }

# 1. B-B by default (no TSA configured).
cf build $O -o d.pdf --now 2025-05-04T02:00:00Z
expect_unsealed "build signs quietly"
expect_out '^d\.pdf$' "prints the path first"
expect_out "^signed as '青瓷小铺 签名' \(certificate SHA-256 $fp\)$" "says who signed, with the fingerprint"
expect_out "^warning: PAdES B-B: no timestamp" "says it is B-B"
pdfsig d.pdf >sig.txt 2>&1
check "pdfsig: Signature is Valid." grep -q "Signature Validation: Signature is Valid." sig.txt
check "pdfsig: Total document signed" grep -q "Total document signed" sig.txt
check "pdfsig: the signer" grep -q "Signer Certificate Common Name: 青瓷小铺 签名" sig.txt
check "pdfsig: signing time is the build time" grep -q "Signing Time: May 04 2025 02:00:00" sig.txt
check "qpdf --check clean after signing" qpdf --check d.pdf
last_page d.pdf >last.txt
check "last page: signature section" grep -q '^电子签名$' last.txt
check "last page: signer" grep -q '青瓷小铺 签名' last.txt
check "last page: signing time in China time (the zone is in the page header)" sh -c "grep -q '2025-05-04 10:00:00' last.txt && grep -q '时间均为北京时间 UTC+8' last.txt"
check "last page: the fingerprint openssl x509 prints ($fp)" sh -c "flat() { tr -d ' \n'; }; flat <last.txt | grep -q '$fp'"
check "last page: no timestamp (B-B)" grep -q '无时间戳（PAdES B-B）' last.txt
check "last page: Bates number of the last page" grep -q "CF-$O-$(printf %04d "$(pdfinfo d.pdf | awk '/^Pages:/{print $2}')")" last.txt
cf verify d.pdf
expect_rc 0 "casefile verify passes on the signed dossier"
expect_out "^PASS  .*(total document|whole file)" "verify: whole document signed"

# 2. B-T with the test TSA; the token checked by openssl alone.
start_tsa pki ok || echo "not ok - tsa"
cf build $O -o t.pdf --tsa "$TSA_URL" --tsa-ca pki/ca.pem --lang en --json
expect_unsealed "build --tsa --json"
check "json: signed at B-T by the TSA" jq -e --arg u "$TSA_URL" --arg fp "$fp" \
	'.signed == true and .level == "B-T" and .tsa == $u and .sha256_fingerprint == $fp and .tsa_fallback == false and (.timestamp | test("Z$"))' "$out"
pdfsig t.pdf >sig.txt 2>&1
check "B-T: pdfsig Signature is Valid." grep -q "Signature Validation: Signature is Valid." sig.txt
check "B-T: pdfsig Total document signed" grep -q "Total document signed" sig.txt
mkdir parts && "$CASEFILE_TOOLS/cms_tool" parts t.pdf parts
check "B-T: openssl ts -verify of the token over the signature value" openssl ts -verify \
	-data parts/sigvalue.bin -in parts/token.der -token_in -CAfile pki/ca.pem
check "B-T: openssl cms -verify over the byte ranges" openssl cms -verify -binary -inform DER \
	-in parts/cms.der -content parts/signed.bin -certfile vault/keys/signing.crt -noverify -out /dev/null
last_page t.pdf >last.txt
check "B-T last page (en): the TSA named" sh -c "flat() { tr -d ' \n'; }; flat <last.txt | grep -qF '$TSA_URL'"
check "B-T last page (en): level" grep -q 'PAdES B-T (with an RFC 3161 signature timestamp)' last.txt
check "B-T last page (en): fingerprint" sh -c "flat() { tr -d ' \n'; }; flat <last.txt | grep -q '$fp'"
# the vault setting tsa.url is used the same way
sql "INSERT INTO meta VALUES('tsa.url', '$TSA_URL')"
cf build $O -o cfg.pdf
expect_unsealed "build with tsa.url from the vault settings"
expect_out "^PAdES B-T: timestamp .* from 'test tsa'" "B-T from the setting"
sql "DELETE FROM meta WHERE key = 'tsa.url'"
stop_tsa

# 3. TSA down: exit 3, clear message, no PDF, no temp file.
cf build $O -o down.pdf --tsa "$TSA_URL" --tsa-timeout 2
expect_rc 3 "tsa down: exit 3"
expect_err "cannot sign the dossier: cannot reach tsa '$TSA_URL'" "tsa down: names the tsa"
expect_err "no dossier was written \(use --tsa-optional" "tsa down: says nothing was written"
check "tsa down: no PDF at the target" test ! -e down.pdf
check "tsa down: no temp file left" sh -c '! ls -a | grep -q "down.pdf\."'
cp d.pdf keep.pdf
cf build $O -o keep.pdf --tsa "$TSA_URL"
check "tsa down: an existing file at the target is untouched" cmp -s d.pdf keep.pdf

# 4. --tsa-optional falls back to B-B, and the page says so.
cf build $O -o opt.pdf --tsa "$TSA_URL" --tsa-optional
expect_rc 0 "--tsa-optional: built"
expect_err "warning: cannot sign the dossier: cannot reach tsa .*signing without a timestamp \(PAdES B-B\)" "--tsa-optional: warns"
expect_out "^warning: PAdES B-B: no timestamp" "--tsa-optional: says B-B"
check "--tsa-optional: valid signature" sh -c "pdfsig opt.pdf 2>&1 | grep -q 'Signature is Valid.'"
check "--tsa-optional: last page says no timestamp" sh -c "last_page() { pdftotext -f \$(pdfinfo \"\$1\" | awk '/^Pages:/{print \$2}') \"\$1\" - ; }; last_page opt.pdf | grep -q '无时间戳（PAdES B-B）'"

# 5. --no-sign.
cf build $O -o u.pdf --no-sign
expect_unsealed "--no-sign builds"
expect_out "^not signed \(--no-sign\)" "--no-sign says so"
check "--no-sign: no signature in the file" sh -c "pdfsig u.pdf 2>&1 | grep -q 'does not contain any signatures'"
check "--no-sign: the last page says unsigned" sh -c "last_page() { pdftotext -f \$(pdfinfo \"\$1\" | awk '/^Pages:/{print \$2}') \"\$1\" - ; }; last_page u.pdf | grep -q '本文件未签名'"
cf build $O -o u.pdf --no-sign --tsa http://x/
expect_rc 2 "--no-sign with --tsa is a usage error"
cf build $O -o u.pdf --no-sign --json
check "--no-sign json" jq -e '.signed == false' "$out"

# 6. A vault without a key.
mv vault/keys vault/keys.away; mkdir -m 700 vault/keys
cf build $O -o nokey.pdf
expect_rc 2 "no key: exit 2"
expect_err "no signing key: run 'casefile keygen' first, or build an unsigned dossier with --no-sign" "no key: says what to do"
check "no key: no PDF" test ! -e nokey.pdf
rm -rf vault/keys; mv vault/keys.away vault/keys

# 7. An encrypted key: the passphrase from a file or the environment.
rm -rf vault
cf init
echo 'pass phrase' >pp; chmod 600 pp
cf keygen --now 2025-01-01T00:00:00Z --passphrase-file pp
make_order $O
cf build $O -o e.pdf
expect_rc 3 "encrypted key without a passphrase: exit 3, as every key problem"
expect_err "passphrase" "says a passphrase is needed"
cf build $O -o e.pdf --passphrase-file pp
expect_unsealed "--passphrase-file"
CASEFILE_PASSPHRASE='pass phrase' "$CASEFILE_BIN" build $O -o e2.pdf >"$out" 2>"$err"; rc=$?
expect_unsealed "CASEFILE_PASSPHRASE"
check "encrypted key: pdfsig valid" sh -c "pdfsig e2.pdf 2>&1 | grep -q 'Signature is Valid.'"
done_testing

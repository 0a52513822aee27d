#!/bin/sh
# SPDX-License-Identifier: MIT
# sign: pdfsig, qpdf, NSS trust, openssl cms/ts accept the result, for
# ECDSA P-256 and RSA-3072, with a local RFC 3161 TSA (PAdES B-T).
. "$(dirname "$0")/../lib.sh"

make_test_pki pki || echo "not ok - pki"
start_tsa pki ok || echo "not ok - tsa"
echo "exhibit one" >a.txt; head -c 20000 /dev/urandom >b.bin
"$CASEFILE_TOOLS/mkpdf" -z -m in.pdf a.txt b.bin || echo "not ok - mkpdf"

in_sum=$(sha256sum <in.pdf)
mkdir -p nss
certutil -N -d "sql:$SCRATCH/nss" --empty-password >/dev/null 2>&1
certutil -A -d "sql:$SCRATCH/nss" -n casefile-test-ca -t "CT,C,C" -i pki/ca.pem

for alg in ec rsa; do
	export CASEFILE_VAULT="$SCRATCH/v-$alg"
	cf init
	if [ $alg = ec ]; then k=signer; else k=signer-rsa; fi
	cf keygen --import pki/$k.key --cert pki/$k.pem --chain pki/ca.pem
	expect_clean "$alg: import CA-issued key"
	cf sign in.pdf -o s-$alg.pdf --tsa "$TSA_URL" --tsa-ca pki/ca.pem --reason "退款争议证据" --location Hangzhou
	expect_clean "$alg: sign with TSA"
	expect_out "PAdES B-T: timestamp .* from 'test tsa'" "$alg: reports B-T and the TSA"
	check "$alg: input untouched" test "$(sha256sum <in.pdf)" = "$in_sum"
	pdfsig s-$alg.pdf >pdfsig.out 2>&1
	check "$alg: pdfsig says the signature is valid" grep -q "Signature Validation: Signature is Valid." pdfsig.out
	check "$alg: pdfsig says total document signed" grep -q "Total document signed" pdfsig.out
	check "$alg: pdfsig sees ETSI.CAdES.detached" grep -q "Signature Type: ETSI.CAdES.detached" pdfsig.out
	pdfsig -nssdir "sql:$SCRATCH/nss" s-$alg.pdf >pdfsig2.out 2>&1
	check "$alg: certificate trusted with the test CA in NSS" grep -q "Certificate Validation: Certificate is Trusted." pdfsig2.out
	check "$alg: qpdf --check is clean" qpdf --check s-$alg.pdf
	check "$alg: signed file starts with the original bytes" cmp -s in.pdf -n "$(stat -c %s in.pdf)" s-$alg.pdf
	mkdir -p parts-$alg
	"$CASEFILE_TOOLS/cms_tool" parts s-$alg.pdf parts-$alg
	check "$alg: openssl cms -verify over the byte ranges" openssl cms -verify -binary -inform DER \
		-in parts-$alg/cms.der -content parts-$alg/signed.bin -CAfile pki/ca.pem -purpose any -out /dev/null
	check "$alg: openssl ts -verify of the token over the signature value" openssl ts -verify \
		-data parts-$alg/sigvalue.bin -in parts-$alg/token.der -token_in -CAfile pki/ca.pem
	openssl cms -cmsout -print -inform DER -in parts-$alg/cms.der >cms.txt
	awk '/^ *signedAttrs:/{f=1} /^ *signatureAlgorithm:/{f=0} f' cms.txt >signed-attrs.txt
	check "$alg: signed attributes are contentType, messageDigest, signing-certificate-v2" \
		test "$(grep -c 'object:' signed-attrs.txt)" = 3
	check "$alg: signed attributes have no signingTime" sh -c "! grep -q signingTime signed-attrs.txt"
	check "$alg: signing-certificate-v2 present" grep -q "id-smime-aa-signingCertificateV2" cms.txt
	check "$alg: signature timestamp token present" grep -q "id-smime-aa-timeStampToken" cms.txt
	cf verify s-$alg.pdf --trust pki/ca.pem
	expect_clean "$alg: casefile verify passes"
	expect_out "^PASS  trust: " "$alg: chain to --trust passes"
	expect_out "^PASS  timestamp: PAdES B-T: .*China time" "$alg: timestamp in UTC and China time"
	expect_out "^PASS  exhibit 2: 'b.bin'" "$alg: attachments match the manifest"
done

# B-B: no TSA configured
export CASEFILE_VAULT="$SCRATCH/v-bb"
cf init; cf keygen --cn "BB Shop"
cf sign in.pdf -o bb.pdf
expect_clean "sign without a TSA"
expect_out "PAdES B-B: no timestamp" "says B-B"
pdfsig bb.pdf >pdfsig.out 2>&1
check "B-B: pdfsig valid" grep -q "Signature Validation: Signature is Valid." pdfsig.out
cf verify bb.pdf
expect_rc 0 "B-B verifies (with warnings)"
expect_out "^WARN  timestamp: no timestamp \\(PAdES B-B\\)" "verify warns about B-B"
expect_out "^WARN  trust: .*self-signed.*SHA-256 ([0-9A-F]{2}:)" "self-signed reported with fingerprint"

# signing in place, twice (second signature keeps the first valid)
cp in.pdf twice.pdf
cf sign twice.pdf; expect_clean "sign in place"
cf sign twice.pdf; expect_clean "sign again"
pdfsig twice.pdf >pdfsig.out 2>&1
check "two signatures" grep -q "Signature #2" pdfsig.out
check "both valid" test "$(grep -c 'Signature is Valid' pdfsig.out)" = 2
check "qpdf --check clean after two signatures" qpdf --check twice.pdf
cf verify twice.pdf; expect_rc 0 "verify both signatures"
expect_out "^PASS  Signature1: byterange: covers the revision" "first one covers its revision"
expect_out "^PASS  Signature2: byterange: total document signed" "second covers everything"

# config from the vault's meta table
sqlite3 "$CASEFILE_VAULT/casefile.db" "DELETE FROM meta WHERE key IN ('tsa.url', 'sign.reason');
	INSERT INTO meta(key,value) VALUES('tsa.url','$TSA_URL'),('sign.reason','config reason')"
cf sign in.pdf -o cfg.pdf --tsa-ca pki/ca.pem
expect_clean "sign with tsa.url from config"
expect_out "PAdES B-T" "config TSA used"
check "reason from config" grep -q "/Reason <$(printf 'config reason' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)>" cfg.pdf
done_testing

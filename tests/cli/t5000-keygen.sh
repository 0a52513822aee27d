#!/bin/sh
# SPDX-License-Identifier: MIT
# keygen: ECDSA/RSA keys, 0600 key files, passphrases, refusal of readable
# keys, import from PKCS#12 and PEM.
. "$(dirname "$0")/../lib.sh"

cf init; expect_clean "init"
cf keygen --help; expect_rc 0 "keygen --help exits 0"
expect_out "passphrase" "help mentions the passphrase"

cf keygen --cn "Test Shop" --org "青瓷小铺"
expect_clean "keygen makes an ECDSA key"
expect_out "ECDSA P-256 key and certificate for 'Test Shop'" "says what it made"
expect_out "certificate SHA-256: ([0-9A-F]{2}:){31}[0-9A-F]{2}" "prints the fingerprint"
check "key file is mode 0600" test "$(stat -c %a vault/keys/signing.key)" = 600
check "key is PKCS#8" grep -q "BEGIN PRIVATE KEY" vault/keys/signing.key
check "certificate is ECDSA P-256" sh -c "openssl x509 -in vault/keys/signing.crt -noout -text | grep -q 'NIST CURVE: P-256'"
check "key usage digitalSignature, nonRepudiation" sh -c \
	"openssl x509 -in vault/keys/signing.crt -noout -ext keyUsage | grep -q 'Digital Signature, Non Repudiation'"
check "self-signed" sh -c "openssl verify -CAfile vault/keys/signing.crt vault/keys/signing.crt"

cp vault/keys/signing.key key.before
cf keygen
expect_rc 3 "a second keygen is refused"
expect_err "already has a signing key" "and says why"
check "the existing key is untouched" cmp -s key.before vault/keys/signing.key

chmod 0644 vault/keys/signing.key
printf '%%PDF-1.4\n' >x.pdf
cf sign x.pdf
expect_rc 3 "a key readable by others is refused"
expect_err "refusing key file .*accessible by group or others" "names the problem"
chmod 0600 vault/keys/signing.key

# RSA, encrypted with a passphrase
export CASEFILE_VAULT="$SCRATCH/v2"
cf init; expect_clean "second vault"
printf 'correct horse\n' >pass.txt; chmod 600 pass.txt
cf keygen --rsa --cn "RSA Shop" --passphrase-file pass.txt
expect_clean "keygen --rsa with a passphrase file"
expect_out "RSA-3072 key .*\\(key encrypted\\)" "says RSA-3072 and encrypted"
check "encrypted PKCS#8" grep -q "BEGIN ENCRYPTED PRIVATE KEY" v2/keys/signing.key
check "3072-bit" sh -c "openssl x509 -in v2/keys/signing.crt -noout -text | grep -q 'Public-Key: (3072 bit)'"
check_not "key cannot be read without the passphrase" openssl pkey -in v2/keys/signing.key -passin pass:wrong -noout

# env passphrase
export CASEFILE_VAULT="$SCRATCH/v3"
cf init
CASEFILE_PASSPHRASE=s3cret "$CASEFILE_BIN" keygen >"$out" 2>"$err"; rc=$?
expect_clean "keygen with CASEFILE_PASSPHRASE"
check "stored encrypted" grep -q "ENCRYPTED PRIVATE KEY" v3/keys/signing.key

# imports
make_test_pki pki || echo "not ok - pki"
export CASEFILE_VAULT="$SCRATCH/v4"
cf init
printf 'p12pass\n' >p12pass.txt; chmod 600 p12pass.txt
cf keygen --import pki/signer.p12 --import-passphrase-file p12pass.txt
expect_clean "import from PKCS#12"
expect_out "imported ECDSA key and certificate for 'test signer'" "reports the imported subject"
check "chain stored" sh -c "openssl x509 -in v4/keys/chain.pem -noout -subject | grep -q 'casefile test CA'"
check "imported key is 0600" test "$(stat -c %a v4/keys/signing.key)" = 600

export CASEFILE_VAULT="$SCRATCH/v5"
cf init
cf keygen --import pki/signer-rsa.key --cert pki/signer-rsa.pem --chain pki/ca.pem
expect_clean "import PEM key + cert + chain"
cf keygen --import pki/signer.key --cert pki/signer-rsa.pem
expect_rc 3 "import of a mismatched pair refused (after an existing key too)"

export CASEFILE_VAULT="$SCRATCH/v6"
cf init
cf keygen --import pki/signer.key --cert pki/signer-rsa.pem
expect_rc 3 "a certificate that does not match the key is refused"
expect_err "does not match the private key" "names the mismatch"
check "nothing stored" test ! -e v6/keys/signing.key
cf keygen --cert pki/signer.pem
expect_rc 2 "--cert without --import is a usage error"
expect_err "need --import" "explains"

# names that are not UTF-8 (a GBK shop name from an old script): refused, nothing stored
export CASEFILE_VAULT="$SCRATCH/v7"
cf init
for opt in --cn --org; do
	cf keygen $opt "$(printf '\265\352\306\314')"
	expect_rc 3 "$opt not UTF-8: refused as bad input"
	expect_err "^casefile: $opt is not valid UTF-8" "$opt: says why"
	check "$opt: nothing stored" test ! -e v7/keys/signing.key
done
cf keygen --cn "测试店铺"
expect_clean "a UTF-8 name is accepted"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# t7510: verify's headline says, separately, what is established and what
# is not (issue 17 item 2): integrity; signer (chain to --trust, or only a
# fingerprint); time (a timestamp whose TSA chains to --tsa-ca, or none).
# --strict exits 1 unless all three hold; --json carries the same verdict.
. "$(dirname "$0")/../lib.sh"

make_test_pki pki || echo "not ok - pki"
echo "exhibit one" >a.txt
"$CASEFILE_TOOLS/mkpdf" -m in.pdf a.txt || echo "not ok - mkpdf"

# 1. self-signed, no TSA: only integrity holds.
cf init; cf keygen --cn "Verdict Shop"
cf sign in.pdf -o bb.pdf
fp=$(openssl x509 -in "$CASEFILE_VAULT/keys/cert.pem" -noout -fingerprint -sha256 2>/dev/null | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
cf verify bb.pdf
expect_clean "1 a B-B, self-signed dossier verifies (exit 0)"
expect_out "^VERIFIED integrity \(signature, 1 attachment; no inclusion proofs attached\); signer NOT ESTABLISHED \(self-signed, fingerprint [0-9A-Fa-f:]+\); time NOT PROVED \(no timestamp\)$" "2 headline: integrity yes, signer no (self-signed + fingerprint), time no"
expect_out "^[0-9]+ checks, 0 failed, [0-9]+ warnings$" "3 the counts on their own line"
check "4 the fingerprint is the certificate's" sh -c "grep '^VERIFIED' '$out' | tr -d ':' | grep -qi '$fp'"
cf verify --strict bb.pdf
expect_rc 1 "5 --strict: exit 1 when signer and time are not established"
cf verify --json bb.pdf
check "6 --json verdict" python3 -c "
import json,sys
v=json.load(open('$out'))['verdict']
assert v['integrity']['verified'] is True
assert v['signer']['established'] is False and 'self-signed' in v['signer']['detail']
assert v['time']['proved'] is False and v['time']['detail']=='no timestamp'
assert v['all'] is False"

# 2. a CA-issued signer and a TSA: all three with --trust/--tsa-ca.
rm -rf "$CASEFILE_VAULT"
cf init; cf keygen --import pki/signer.key --cert pki/signer.pem --chain pki/ca.pem
start_tsa pki ok
cf sign in.pdf -o bt.pdf --tsa "$TSA_URL"
expect_clean "7 sign B-T with the test CA's signer"
cf verify bt.pdf
expect_out "^VERIFIED integrity .*; signer NOT ESTABLISHED \(no trusted CA given, fingerprint .*\); time NOT PROVED \(timestamped, but the TSA was not checked against a trusted CA: give --tsa-ca\)$" "8 without --trust: neither who nor when is established"
cf verify --strict --trust pki/ca.pem bt.pdf
expect_clean "9 --strict --trust: exit 0 when all three hold"
expect_out "^VERIFIED integrity .*; signer ESTABLISHED \(chain to a trust anchor, fingerprint .*\); time PROVED \(timestamp [0-9-]+T[0-9:]+Z .*\)$" "10 headline: all three established"
cf verify --json --strict --trust pki/ca.pem bt.pdf
check "11 --json: all true" python3 -c "
import json
v=json.load(open('$out'))['verdict']
assert v['integrity']['verified'] and v['signer']['established'] and v['time']['proved'] and v['all']"

# 3. a tampered file: integrity fails, whatever else.
cp bt.pdf bad.pdf
off=$(grep -a -b -o "page 1" bad.pdf | head -1 | cut -d: -f1)
printf 'X' | dd of=bad.pdf bs=1 seek="$off" conv=notrunc 2>/dev/null
cf verify --trust pki/ca.pem bad.pdf
expect_rc 1 "12 tampered: exit 1"
expect_out "^NOT VERIFIED integrity \(1 check failed, first 'cms digest'\)" "13 headline names the first failed check"
stop_tsa
done_testing

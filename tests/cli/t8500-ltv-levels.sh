#!/bin/sh
# SPDX-License-Identifier: MIT
# t8500: PAdES B-LT and B-LTA (issue 17 item 4) against local services: a CA
# hierarchy made here (root → int → signer; root → tsaca → tsa, tsa-lta),
# a real `openssl ocsp` responder for int, CRLs of root and tsaca served by
# python3 -m http.server, the test TSA.  build with sign.level = B-LTA,
# `casefile extend`, verify's level, revocation and archive-timestamp
# checks, pdfsig and qpdf after each revision.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"
. "$TESTS_DIR/lib-ltv.sh"

O=6931000000000001
# the signer and the signature TSA live one day; the archive TSA ten years
make_ltv_pki pki 1 1 || echo "not ok - ltv pki"
start_ocsp pki || echo "not ok - ocsp responder"
start_crls pki || echo "not ok - crl server"
start_tsa_chain pki tsa-lta || echo "not ok - archive tsa"
TSA2_URL=$TSA_URL
start_tsa_chain pki tsa || echo "not ok - tsa"
V="--trust pki/root.pem --tsa-ca pki/tsachain.pem"
sigvalid() { # sigvalid FILE: pdfsig says Signature #1 is valid
	pdfsig "$1" 2>/dev/null | awk '/^Signature #1/{s=1} /^Signature #2/{s=0} s' |
		grep -q "Signature Validation: Signature is Valid."
}

# 1-9. build at B-LTA
cf init
cf keygen --import pki/signer.key --cert pki/signer.pem --chain pki/chain.pem
make_order $O || echo "not ok - order"
cf config tsa.url "$TSA_URL"; cf config tsa.ca pki/tsachain.pem
cf config sign.level B-LTA
expect_clean "1 sign.level accepts B-LTA"
cf build $O -o d.pdf
expect_unsealed "2 build at B-LTA: exit 0, only the not-sealed warning"
expect_out "^PAdES B-LTA: timestamp " "3 build says it reached B-LTA"
check "4 pdfsig: the dossier's signature is valid after the DSS and archive timestamp" sigvalid d.pdf
check "5 pdfsig sees the document timestamp" sh -c "pdfsig d.pdf 2>/dev/null | grep -q 'Signature Field Name: DocTimeStamp1'"
check "6 qpdf --check is clean" sh -c "qpdf --check d.pdf >/dev/null 2>&1"
cf verify d.pdf $V
expect_rc 0 "7 verify: exit 0"
expect_out "^level PAdES B-LTA$" "8 verify reports the level B-LTA"
expect_out "^PASS  Signature1: revocation: 'ltv signer' good \(OCSP of .*'ltv int' good \(CRL of " "9 the signer's OCSP response and the int CRL are checked"
expect_out "^PASS  DocTimeStamp1: document timestamp: PAdES B-LTA archive timestamp over the first [0-9]+ bytes" "10 the archive timestamp is checked"
expect_out "^PASS  dss: document security store: [0-9]+ certificates, 1 OCSP response, 2 CRLs, 1 VRI entry" "11 the DSS parses (one VRI entry: the signature's)"
cf verify --json d.pdf $V
check "12 --json: verdict.level B-LTA" python3 -c "
import json; v=json.load(open('$out'))
assert v['verdict']['level']=='B-LTA', v['verdict']
assert any(c['check']=='level' and c['status']=='PASS' for c in v['checks'])"
check "13 the DSS has a VRI key = SHA-1 of the signature's /Contents" python3 -c "
import re,hashlib
d=open('d.pdf','rb').read()
m=re.search(rb'/SubFilter /ETSI.CAdES.detached /ByteRange \[[^]]*\] /Contents <([0-9A-F]+)>',d)
k=hashlib.sha1(bytes.fromhex(m.group(1).decode())).hexdigest().upper().encode()
assert b'/'+k in d, k"

# 14-19. extend: a second archive timestamp from another TSA
cf extend d.pdf --tsa "$TSA2_URL" --tsa-ca pki/tsachain.pem
expect_clean "14 extend: exit 0, stderr empty"
expect_out "^PAdES B-LTA: document timestamp .* from 'ltv tsa-lta'$" "15 extend says which TSA"
check "16 pdfsig: the signature is still valid after extend" sigvalid d.pdf
check "17 qpdf --check clean after extend" sh -c "qpdf --check d.pdf >/dev/null 2>&1"
cf verify d.pdf $V
expect_rc 0 "18 verify after extend: exit 0"
check "19 two archive timestamps, each checked" sh -c "[ \$(grep -c 'document timestamp: PAdES B-LTA archive' '$out') = 2 ]"
expect_out "^PASS  DocTimeStamp1: revocation: 'ltv tsa' good" "20 extend added the first archive timestamp's validation data"

# the README's openssl recipe for the newest document timestamp, run as written
mkdir recipe && cp d.pdf recipe/dossier.pdf && cp pki/tsachain.pem recipe/tsa-ca.pem
python3 -c '
import re,sys
s=open(sys.argv[1]).read()
m=re.search(r"```sh\n(python3 - dossier.pdf <<.EOF2.*?)```",s,re.S)
print(m.group(1))' "$SRC_DIR/README.md" >recipe/recipe.sh
check "20b the README's openssl ts recipe verifies the archive timestamp" \
	sh -c "cd recipe && sh recipe.sh 2>/dev/null | grep -q 'Verification: OK'"

# 21-24. expired signer and TSA: passes on the archive timestamp
later=$(date -u -d '+3 days' +%Y-%m-%dT%H:%M:%SZ)
cf verify d.pdf $V --now "$later"
expect_rc 0 "21 three days later (signer and its TSA expired): exit 0"
expect_out "^PASS  Signature1: timestamp: .*tsa chain as of the archive timestamp" "22 the signature's token is checked at the archive timestamp's time"
expect_out "^PASS  Signature1: certificate: signer 'ltv signer'.*checked at the timestamp time" "23 the signer at the timestamp time"
cf sign "in-$O/chat.json" -o x.pdf 2>/dev/null   # (not a PDF: nothing)
"$CASEFILE_TOOLS/mkpdf" -m in.pdf pki/root.pem >/dev/null || echo "not ok - mkpdf"
cf sign in.pdf -o bt.pdf
cf extend bt.pdf -o blt.pdf --no-timestamp
expect_out "^PAdES B-LT: no new document timestamp" "24 extend --no-timestamp: B-LT"
cf verify blt.pdf $V
expect_out "^level PAdES B-LT$" "25 verify reports B-LT"
cf verify blt.pdf $V --now "$later"
expect_rc 1 "26 B-LT only, three days later: the TSA certificate has expired (exit 1)"
expect_out "^FAIL  timestamp: timestamp signature or tsa certificate is invalid" "27 says the timestamp's certificate does not verify"
cf verify bt.pdf $V
expect_out "^level PAdES B-T$" "28 a signature with a timestamp only: B-T"

# 29-33. a revoked signer
rm -rf "$CASEFILE_VAULT"; cf init
cf keygen --import pki/revoked.key --cert pki/revoked.pem --chain pki/chain.pem
cf sign in.pdf -o rv.pdf --tsa "$TSA_URL" --tsa-ca pki/tsachain.pem
cf extend rv.pdf --tsa "$TSA_URL" --tsa-ca pki/tsachain.pem
expect_clean "29 extend stores the revoked status (the data is authentic)"
cf verify rv.pdf $V
expect_rc 1 "30 verify: a revoked signer fails (exit 1)"
expect_out "^FAIL  Signature1: revocation: certificate 'ltv revoked' was revoked at [0-9T:-]+Z \(OCSP response of .*before the signature's timestamp" "31 says revoked, and when"
expect_out "^NOT VERIFIED|signer NOT ESTABLISHED \(certificate 'ltv revoked' was revoked" "32 the headline: signer not established"
check "33 pdfsig still reads the revoked file" sigvalid rv.pdf

# a self-signed vault key (casefile keygen: no keyCertSign): nothing to
# revoke for it, the TSA's chain still gets its CRLs (regression: the
# self-signed signer was taken for a certificate whose issuer is missing)
rm -rf "$CASEFILE_VAULT"; cf init; cf keygen --cn "self-signed shop"
cf sign in.pdf -o ss.pdf --tsa "$TSA_URL" --tsa-ca pki/tsachain.pem
cf extend ss.pdf --tsa "$TSA_URL" --tsa-ca pki/tsachain.pem
expect_clean "33b extend with a self-signed signer"
cf verify ss.pdf --tsa-ca pki/tsachain.pem
expect_out "^level PAdES B-LTA$" "33c a self-signed signer reaches B-LTA"

# 34-37. malformed validation data
python3 - d.pdf bad1.pdf <<'EOF'
import re,sys
d=bytearray(open(sys.argv[1],'rb').read())
# the OCSP response's stream: same length, garbage
i=d.find(b'/OCSPs [')
m=re.search(rb'/OCSPs \[(\d+) 0 R',bytes(d)); n=m.group(1)
j=d.find(b'\n'+n+b' 0 obj\n<</Length ')
k=d.find(b'stream\n',j)+7
for x in range(k,k+40): d[x]=0x41
open(sys.argv[2],'wb').write(d)
EOF
cf verify bad1.pdf $V
expect_rc 1 "34 a garbage OCSP response in the DSS: exit 1, no crash"
expect_out "^FAIL  dss: /DSS /OCSPs entry 1: not an OCSP response" "35 names the bad entry"
python3 - d.pdf bad2.pdf <<'EOF'
import re,sys
d=open(sys.argv[1],'rb').read()
m=re.findall(rb'\n(\d+) 0 obj\n<</Type /Catalog[^\n]*',d)[-1]
cat=re.findall(rb'\n'+m+rb' 0 obj\n(<<[^\n]*)\nendobj',d)[-1]
cat=re.sub(rb'/DSS \d+ 0 R',b'/DSS 42',cat)
start=len(d)
upd=b'\n'+m+b' 0 obj\n'+cat+b'\nendobj\n'
xref=start+len(upd)
prev=re.findall(rb'startxref\n(\d+)',d)[-1]
size=re.findall(rb'/Size (\d+)',d)[-1]
root=b'/Root '+m+b' 0 R'
off=start+1
upd+=b'xref\n'+m+b' 1\n%010d 00000 n\r\ntrailer\n<</Size '%off+size+b' '+root+b' /Prev '+prev+b'>>\nstartxref\n%d\n%%%%EOF\n'%xref
open(sys.argv[2],'wb').write(d+upd)
EOF
cf verify bad2.pdf $V
expect_rc 1 "36 a /DSS that is not a dictionary: exit 1"
expect_out "^FAIL  dss: /DSS is not a dictionary" "37 says so"

# 38-43. unreachable services at build: B-T with a clear message, no hang
rm -rf "$CASEFILE_VAULT"; cf init
cf keygen --import pki/signer.key --cert pki/signer.pem --chain pki/chain.pem
make_order $O >/dev/null
cf config tsa.url "$TSA_URL"; cf config tsa.ca pki/tsachain.pem
cf build $O -o t.pdf
expect_unsealed "38 without sign.level a TSA gives B-T, quietly (no fetches)"
expect_out "^PAdES B-T: timestamp " "39 says B-T"
stop_ocsp; stop_crls
# a responder that accepts and never answers
python3 -c "
import socket,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
s.bind(('127.0.0.1',$OCSP_PORT)); s.listen(8)
c=[]
while True: c.append(s.accept()[0])" &
HANG_PID=$!; LIB_PIDS="$LIB_PIDS $HANG_PID"
wait_port "$OCSP_PORT"
cf config sign.level B-LTA
t0=$(date +%s)
cf build $O -o u.pdf --tsa-timeout 1
t1=$(date +%s)
expect_rc 1 "40 unreachable OCSP/CRL with sign.level B-LTA: exit 1"
expect_err "'u.pdf' is B-T, not B-LTA as sign.level asks: no revocation data for .*did not answer within 1.0 s" "41 says which responder timed out and that the dossier is B-T"
check "42 no hang: the timeouts bound the build" sh -c "[ $((t1 - t0)) -lt 30 ]"
cf verify u.pdf $V
expect_out "^level PAdES B-T$" "43 the dossier is a valid B-T"
kill "$HANG_PID" 2>/dev/null; wait "$HANG_PID" 2>/dev/null

# 44-49. usage and bad input
cf config sign.level B-X
expect_rc 2 "44 sign.level refuses an unknown level"
cf config --unset tsa.url
cf build $O -o v.pdf
expect_rc 2 "45 sign.level B-LTA without a TSA: usage error"
expect_err "sign.level B-LTA needs a timestamp authority" "46 says a TSA is needed"
cf extend --help
expect_clean "47 extend --help: exit 0"
expect_out "Document Security Store" "48 extend --help explains"
cf extend in.pdf --tsa "$TSA_URL"
expect_rc 3 "49 extend of an unsigned PDF: exit 3"
expect_err "has no signature to extend" "50 says why"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# verify: each tamper twin makes `casefile verify` exit 1 naming the failure.
. "$(dirname "$0")/../lib.sh"

make_test_pki pki || echo "not ok - pki"
start_tsa pki ok
echo "exhibit one" >a.txt; head -c 3000 /dev/urandom >b.bin
"$CASEFILE_TOOLS/mkpdf" -m in.pdf a.txt b.bin || echo "not ok - mkpdf"
cf init; cf keygen --cn "Tamper Shop"
cf sign in.pdf -o good.pdf --tsa "$TSA_URL"
expect_clean "sign the original"
cf verify good.pdf
expect_clean "the original verifies"
expect_out "^VERIFIED integrity" "summary says verified"

# 1. a byte flipped inside a signed range (page text)
set -- $(pdf_byterange good.pdf)
off=$(grep -a -b -o "page 1" good.pdf | head -1 | cut -d: -f1)
cp good.pdf flip.pdf
printf 'X' | dd of=flip.pdf bs=1 seek="$off" conv=notrunc 2>/dev/null
cf verify flip.pdf
expect_rc 1 "flipped byte: exit 1"
expect_out "^FAIL  cms digest: the signed bytes were changed" "flipped byte: names the digest"
expect_out "^NOT VERIFIED" "flipped byte: summary"

# 2. bytes appended after signing
cp good.pdf app.pdf; printf '%% appended\n' >>app.pdf
cf verify app.pdf
expect_rc 1 "appended: exit 1"
expect_out "^FAIL  byterange: 11 bytes were appended after signing" "appended: counts the bytes"

# 3. an attachment replaced (qpdf re-saves the file with b.bin changed)
cp b.bin b2.bin; printf 'Z' | dd of=b2.bin bs=1 seek=10 conv=notrunc 2>/dev/null
# Forgery: an incremental update that rewrites b.bin's embedded-file
# stream object (what re-saving the PDF with another attachment does).
python3 - good.pdf b2.bin att.pdf <<'PY'
import re, sys
pdf = open(sys.argv[1], "rb").read(); new = open(sys.argv[2], "rb").read()
orig = open("b.bin", "rb").read()
pos = pdf.index(orig)
num = [m for m in re.finditer(rb"(\d+) 0 obj", pdf[:pos])][-1].group(1).decode()
root = re.findall(rb"/Root (\d+ \d+) R", pdf)[-1].decode()
size = int(re.findall(rb"/Size (\d+)", pdf)[-1])
prev = re.findall(rb"startxref\s+(\d+)", pdf)[-1].decode()
upd = b"\n"
off = len(pdf) + len(upd)
upd += (f"{num} 0 obj\n<</Type /EmbeddedFile /Length {len(new)}>>\nstream\n").encode() + new + b"\nendstream\nendobj\n"
xref = len(pdf) + len(upd)
upd += (f"xref\n{num} 1\n{off:010d} 00000 n\r\ntrailer\n<</Size {size} /Root {root} R /Prev {prev}>>\nstartxref\n{xref}\n%%EOF\n").encode()
open(sys.argv[3], "wb").write(pdf + upd)
PY
check "forgery is readable by qpdf" qpdf --check att.pdf
cf verify att.pdf
expect_rc 1 "replaced attachment: exit 1"
expect_out "^FAIL  exhibit 2: 'b.bin': attachment 'b.bin' has sha256 [0-9a-f]{64}, the manifest says" "replaced attachment: names exhibit 2"
expect_out "^FAIL  byterange: [0-9]+ bytes were appended" "replaced attachment: also the appended update"

# 4. a manifest entry changed (a signed manifest that disagrees with the file)
"$CASEFILE_TOOLS/mkpdf" -m tmp.pdf a.txt b.bin >/dev/null
sed 's/"size":3000/"size":3001/' manifest.json >m2.json && mv m2.json manifest.json
"$CASEFILE_TOOLS/mkpdf" man-src.pdf a.txt b.bin manifest.json >/dev/null
cf sign man-src.pdf -o man.pdf
cf verify man.pdf
expect_rc 1 "changed manifest entry: exit 1"
expect_out "^FAIL  exhibit 2: 'b.bin': attachment 'b.bin' has 3000 bytes, the manifest says 3001" "changed manifest entry: named"

# 5. a timestamp token taken from another signature
cf sign in.pdf -o other.pdf --tsa "$TSA_URL"
"$CASEFILE_TOOLS/cms_tool" swap-token good.pdf other.pdf swapped.pdf || echo "not ok - swap"
cf verify swapped.pdf
expect_rc 1 "foreign token: exit 1"
expect_out "^FAIL  timestamp: timestamp imprint does not match \\(the token is for other data\\)" "foreign token: named"
expect_no_out "^FAIL  cms digest" "foreign token: the document digest still matches"

# 6. an expired signer certificate
export CASEFILE_VAULT="$SCRATCH/v-old"
cf init
cf --now 2020-01-01T00:00:00Z keygen --cn "Old Shop" --days 30
cf --now 2020-01-10T00:00:00Z sign in.pdf -o old.pdf
expect_clean "signing while the certificate was valid"
cf verify old.pdf
expect_rc 1 "expired certificate: exit 1"
expect_out "^FAIL  certificate: signer certificate 'Old Shop' expired on 2020-01-31" "expired: named with the date"
cf sign in.pdf -o now.pdf
expect_rc 3 "signing with an expired certificate is refused"
expect_err "has expired" "says expired"

# 8. a manifest.json whose stream cannot be decoded (regression 2026-11-26:
#    fuzz_verify found the error message of this path leaked)
python3 - in.pdf badman-src.pdf <<'PY'
import re, sys, zlib
pdf = bytearray(open(sys.argv[1], "rb").read())
for m in re.finditer(rb"stream\r?\n", bytes(pdf)):
    start = m.end()
    end = pdf.find(b"endstream", start)
    try:
        data = zlib.decompress(bytes(pdf[start:end]))
    except zlib.error:
        continue
    if b"casefile-manifest/1" in data:
        for i in range(start + 2, end - 1):
            pdf[i] = 0xff        # same length, no longer valid deflate data
        break
else:
    sys.exit("manifest stream not found")
open(sys.argv[2], "wb").write(pdf)
PY
export CASEFILE_VAULT="$SCRATCH/vault"
cf sign badman-src.pdf -o badman.pdf
expect_rc 0 "sign a PDF with an undecodable manifest stream"
cf verify badman.pdf
expect_rc 1 "undecodable manifest: exit 1"
expect_out "^FAIL  manifest: cannot read the manifest.json attachment: corrupt FlateDecode data" "undecodable manifest: named"

# 7. garbage and unsigned inputs
printf 'not a pdf' >junk.pdf
cf verify junk.pdf
expect_rc 1 "junk: exit 1"
expect_out "^FAIL  pdf: cannot read 'junk.pdf': not a PDF" "junk: named"
cf verify in.pdf
expect_rc 1 "unsigned: exit 1"
expect_out "^FAIL  signature: the PDF has no signature" "unsigned: named"
cf verify missing.pdf
expect_rc 1 "missing file: exit 1"
expect_out "^FAIL  pdf: cannot open 'missing.pdf'" "missing: named"
done_testing

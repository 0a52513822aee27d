#!/bin/sh
# SPDX-License-Identifier: MIT
# sign PDFs whose newest xref is a cross-reference stream with object
# streams (qpdf output), PDFs with annotations and forms, and refuse
# encrypted and broken PDFs.
. "$(dirname "$0")/../lib.sh"

echo "exhibit" >a.txt
"$CASEFILE_TOOLS/mkpdf" -m -n 3 base.pdf a.txt || echo "not ok - mkpdf"
qpdf --object-streams=generate base.pdf objstm.pdf
check "input uses object streams" grep -aq "/ObjStm" objstm.pdf
cf init; cf keygen --cn "XRef Shop"
cf sign objstm.pdf -o s1.pdf
expect_clean "sign a PDF with xref and object streams"
check "update continues with an xref stream" sh -c "tail -c 600 s1.pdf | grep -aq '/Type /XRef'"
pdfsig s1.pdf >p.out 2>&1
check "pdfsig: valid" grep -q "Signature is Valid." p.out
check "pdfsig: total document signed" grep -q "Total document signed" p.out
check "qpdf --check clean" qpdf --check s1.pdf
cf verify s1.pdf; expect_rc 0 "verify passes"
expect_out "^PASS  exhibit 1: 'a.txt'" "attachments found through object streams"

# a PDF that already has an AcroForm and annotations on page 1 (qpdf re-signs
# our own signed output: the old field and widget must be kept)
qpdf --qdf s1.pdf qdf.pdf
cf sign qdf.pdf -o s2.pdf
expect_clean "sign a PDF that already has a form and a widget"
pdfsig s2.pdf >p.out 2>&1
check "two signature fields" grep -q "Signature #2" p.out
check "both names kept" sh -c "grep -q 'Signature1' p.out && grep -q 'Signature2' p.out"
check "qpdf --check clean" qpdf --check s2.pdf
qpdf --json --json-key=acroform s2.pdf >af.json
check "both fields are widgets on page 1" python3 -c "
import json; f=json.load(open('af.json'))['acroform']['fields']
assert [x['fullname'] for x in f]==['Signature1','Signature2'], f
assert all(x['pageposfrom1']==1 and x['annotation']['annotationflags']==132 for x in f), f"

# refused inputs
qpdf --encrypt user owner 256 -- base.pdf enc.pdf
cf sign enc.pdf -o x.pdf
expect_rc 3 "encrypted PDF refused"
expect_err "cannot read 'enc.pdf': encrypted PDFs are not supported" "says encrypted"
check "no output" test ! -e x.pdf
head -c 500 base.pdf >trunc.pdf
cf sign trunc.pdf -o x.pdf
expect_rc 3 "truncated PDF refused"
expect_err "cannot read 'trunc.pdf': no startxref" "names the problem"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# t5402 — verify stays fast and bounded on hostile PDFs (issue 11, item 5,
# 2026-12).  Each shape made by tests/hostile-pdf.py once took minutes or
# hundreds of MB (a 100,000-key dictionary, 50,000 attachments matched to
# 60,000 manifest exhibits, 4,000 xref sections naming one xref stream,
# shared /Kids, object streams inflating to 16 MB each, ...); a FIFO named
# as the PDF blocked open() for ever.  Now every one ends within the
# timeout, with peak RSS at most 4x the file + 32 MB (also under ASan), and
# says what is wrong.
. "$(dirname "$0")/../lib.sh"

GEN="$TESTS_DIR/hostile-pdf.py"
LIMIT=30
# Under ASan, memory freed by verify stays in ASan's quarantine (256 MB by
# default): that is not verify's, so keep the quarantine small.  The bound
# is over the runtime's own baseline: the RSS of verifying a tiny PDF, less
# the 16 MB a plain build needs (ASan's shadow and allocator add a few MB).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4"
printf '%%PDF-1.7\n1 0 obj\n<</Type /Catalog>>\nendobj\nxref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\ntrailer\n<</Size 2 /Root 1 0 R>>\nstartxref\n42\n%%%%EOF\n' >tiny.pdf
/usr/bin/time -f %M -o tiny.rss "$CASEFILE_BIN" verify tiny.pdf >"$out" 2>"$err"; rc=$?
expect_rc 1 "a tiny PDF without a signature: exit 1"
expect_out "^FAIL  signature: the PDF has no signature" "the tiny PDF parses"
base=$(tail -1 tiny.rss)
extra=$(( base > 16384 ? base - 16384 : 0 ))

# bounded SHAPE RE what: verify SHAPE.pdf under timeout and /usr/bin/time;
# it must end (exit 1: checks failed, never a crash or 124), print RE, and
# stay within the memory bound.
bounded() {
	python3 "$GEN" "$1" "$1.pdf" || { tap 1 "$1: generator"; return; }
	size=$(stat -c %s "$1.pdf")
	/usr/bin/time -f %M -o "$1.rss" timeout $LIMIT "$CASEFILE_BIN" verify "$1.pdf" \
		>"$out" 2>"$err"; rc=$?
	expect_rc 1 "$1: verify ends with exit 1 within ${LIMIT}s"
	expect_out "$2" "$1: $3"
	rss=$(tail -1 "$1.rss")
	bound=$(( (4 * size + 32 * 1024 * 1024) / 1024 + extra ))
	if [ "$rss" -le "$bound" ] 2>/dev/null; then
		tap 0 "$1: peak RSS within 4 x the file + 32 MB"
	else
		tap 1 "$1: peak RSS within 4 x the file + 32 MB (${rss} kB > ${bound} kB)"
	fi
	rm -f "$1.pdf"
}

bounded dict '^FAIL  signature: the PDF has no signature' \
	"60,000 keys, some repeated, parse in one sort"
bounded array "^FAIL  pdf: .*objects need more than [0-9]+ MB of memory, too much for a [0-9]+-byte file" \
	"an array of 300,000 integers is refused by the memory budget"
bounded nest "^FAIL  pdf: .*objects nested too deeply" "deep nesting is refused"
bounded attach "^PASS  exhibit 20000: 'x19999': attachment 'exhibit-0+-019999.bin' matches sha256" \
	"20,000 attachments matched to 20,000 exhibits"
bounded manyexhibits "^FAIL  manifest: manifest.json lists 120000 exhibits, more than the 100000" \
	"a manifest's exhibit count is capped"
bounded xrefsect '^FAIL  signature: the PDF has no signature' \
	"4,000 sections naming one /XRefStm read it once"
bounded bignum '^FAIL  signature: the PDF has no signature' \
	"object number 8,300,000 in a small file does not grow the table"
bounded objstm "^FAIL  pdf: |^FAIL  signature: the PDF has no signature" \
	"object streams inflating to 16 MB each stay within the budget"
bounded objstmn '^FAIL  signature: the PDF has no signature' \
	"100,000 objects of one object stream: its header is read once"
bounded xrefbomb "^FAIL  pdf: .*xref stream at [0-9]+: decoded stream larger than" \
	"an xref stream inflating to 256 MB is refused"
bounded nolength '^FAIL  signature: the PDF has no signature' \
	"20,000 streams without endstream: one search"
bounded fielddag '^FAIL  signature: the PDF has no signature' \
	"form fields sharing /Kids: a bounded walk"
bounded namedag "^WARN  manifest: no manifest.json" \
	"a name tree sharing /Kids: each node once"
bounded sigs "^FAIL  signature: the PDF has more than 16 signature fields" \
	"3,000 signature fields: 16 are checked"

# Every PDF seed of the fuzz corpora (hostile shapes at small scale among
# them) within the same bounds.
for f in "$TESTS_DIR"/fuzz/corpus/fuzz_pdfread/* "$TESTS_DIR"/fuzz/corpus/fuzz_verify/*; do
	size=$(stat -c %s "$f")
	/usr/bin/time -f %M -o seed.rss timeout $LIMIT "$CASEFILE_BIN" verify "$f" \
		>"$out" 2>"$err"; rc=$?
	rss=$(tail -1 seed.rss)
	bound=$(( (4 * size + 32 * 1024 * 1024) / 1024 + extra ))
	name=${f#"$TESTS_DIR"/fuzz/corpus/}
	check "seed $name: verify ends (rc $rc) within the memory bound ($rss kB)" \
		test "$rc" -le 1 -a "$rss" -le "$bound"
done

# A FIFO named as the PDF: refused at once, never opened for reading.
mkfifo fifo.pdf
timeout 10 "$CASEFILE_BIN" verify fifo.pdf >"$out" 2>"$err"; rc=$?
expect_rc 1 "FIFO: verify returns at once"
expect_out "^FAIL  pdf: cannot read 'fifo.pdf': not a PDF \(a FIFO, not a regular file\)" \
	"FIFO: says it is not a regular file"
mkdir dir.pdf
timeout 10 "$CASEFILE_BIN" verify dir.pdf >"$out" 2>"$err"; rc=$?
expect_rc 1 "directory: exit 1"
expect_out "^FAIL  pdf: cannot read 'dir.pdf': not a PDF \(a directory, not a regular file\)" \
	"directory: says so"
# other files verify reads by name
python3 "$GEN" nest n.pdf
mkfifo ca.pem
timeout 10 "$CASEFILE_BIN" verify n.pdf --trust ca.pem >"$out" 2>"$err"; rc=$?
expect_rc 3 "FIFO as --trust: exit 3 at once"
expect_err "^casefile: cannot read --trust file 'ca.pem': a FIFO, not a regular file$" \
	"FIFO as --trust: says so"
timeout 10 "$CASEFILE_BIN" verify n.pdf --tsa-ca . >"$out" 2>"$err"; rc=$?
expect_rc 3 "directory as --tsa-ca: exit 3"
expect_err "^casefile: cannot read --tsa-ca file '.': a directory, not a regular file$" \
	"directory as --tsa-ca: says so"

# sign and build read user-named files the same way
cf init; cf keygen --cn T
timeout 10 "$CASEFILE_BIN" sign fifo.pdf -o s.pdf >"$out" 2>"$err"; rc=$?
check "sign: a FIFO as input fails at once (rc $rc)" test "$rc" != 124 -a "$rc" != 0
expect_err "fifo.pdf.*a FIFO, not a regular file" "sign: says it is a FIFO"
check_not "sign: nothing written" test -e s.pdf
O=6931000000000001
printf 'evidence\n' >e.txt
cf ingest --kind other $O e.txt
mkfifo st.txt
timeout 20 "$CASEFILE_BIN" build $O --no-sign --statement st.txt -o b.pdf >"$out" 2>"$err"; rc=$?
expect_rc 3 "build --statement FIFO: exit 3 at once"
expect_err "cannot read statement 'st.txt': a FIFO, not a regular file" "build: says so"
cf build $O --no-sign -o u.pdf
timeout 20 "$CASEFILE_BIN" sign u.pdf -o s2.pdf --tsa http://127.0.0.1:9/tsr --tsa-ca ca.pem \
	>"$out" 2>"$err"; rc=$?
expect_rc 3 "sign --tsa-ca FIFO: exit 3 at once"
expect_err "^casefile: .*cannot read tsa ca file 'ca.pem': a FIFO, not a regular file" "sign: says so"
timeout 20 "$CASEFILE_BIN" sign u.pdf -o s2.pdf --passphrase-file ca.pem >"$out" 2>"$err"; rc=$?
expect_rc 3 "sign --passphrase-file FIFO: exit 3 at once"
expect_err "^casefile: cannot read passphrase file 'ca.pem': a FIFO, not a regular file" "sign: says so"
check_not "sign: nothing written" test -e s2.pdf
timeout 10 "$CASEFILE_BIN" check $O --reason not_received --statement st.txt >"$out" 2>"$err"; rc=$?
expect_rc 3 "check --statement FIFO: exit 3 at once"
expect_err "cannot read statement 'st.txt': a FIFO, not a regular file" "check: says so"
done_testing

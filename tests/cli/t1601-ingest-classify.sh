#!/bin/sh
# SPDX-License-Identifier: MIT
# One classifier for ingest and import (issue 12): content decides; a name
# or folder is a hint only when the content agrees; a file that is not
# what its name says is 'other' with a warning saying what was expected.
# Every case goes through `casefile ingest` and through `casefile import`
# of a bundle holding the same files, and must come out the same.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-bundle.sh"

O=6931000000000001
d=in/$O
mkdir -p $d/photos $d/receipts $d/videos
# distinct small PNGs (the same bytes twice would be one evidence row)
png() {
	python3 - "$1" "$2" <<'PY'
import sys, zlib, struct
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
v = int(sys.argv[2])
raw = b"".join(b"\0" + bytes([v, 255 - v, 7]) * 2 for _ in range(2))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
PY
}
png $d/photos/real.png 1
png $d/photos/named.jpg 2                      # a PNG named .jpg: still an image
png $d/receipts/scan.png 3                     # a photo of a receipt
qpdf --empty $d/receipts/invoice.pdf           # a real (empty) PDF
printf 'just some text\n' >$d/photos/text.webp # text named .webp
: >$d/photos/zero.png                          # zero bytes named .png
printf 'not a pdf at all\n' >$d/fake.pdf       # non-PDF named .pdf
printf 'hello\n' >$d/receipts/note.txt         # text in receipts/
printf '\320\317\021\340\241\261\032\341%0500d' 0 >$d/photos/Thumbs.db  # OLE, in photos/
printf '{"messages": oops' >$d/chat.json      # unparseable chat
printf 'a,b,c\n1,2,3\n' >$d/logistics.csv      # unparseable logistics
printf '2025-05-03 10:12:00 买家(小**): 收到的杯子有裂痕\n' >$d/photos/words.txt  # transcript in photos/
printf '{"order_id": "%s", "messages": [{"time": "2025-05-03T10:12:00+08:00", "from": "buyer", "text": "hi"}]}' $O >$d/order.json  # a chat named order.json

# name|kind expected, and the warning expected (regex, "" for none)
cat >cases <<'EOC'
photos/real.png|photo|
photos/named.jpg|photo|
receipts/scan.png|receipt|
receipts/invoice.pdf|receipt|
photos/text.webp|other|expected an image \(in a folder 'photos/'\), but the content is not one: stored as other
photos/zero.png|other|expected an image \(in a folder 'photos/'\)
fake.pdf|other|expected a pdf \(named 'fake\.pdf'\), but the content is not one: stored as other
receipts/note.txt|other|expected an image or a pdf \(in a folder 'receipts/'\)
photos/Thumbs.db|other|expected an image \(in a folder 'photos/'\)
chat.json|other|expected a chat log \(named 'chat\.json'\), but the content is not one
logistics.csv|other|expected a logistics record \(named 'logistics\.csv'\)
photos/words.txt|chat|expected an image \(in a folder 'photos/'\), but the content was read as chat: stored as chat
order.json|chat|expected an order record \(named 'order\.json'\), but the content was read as chat
EOC

# through ingest, one file at a time from inside in/ (so folder hints show)
CASEFILE_VAULT="$SCRATCH/v-ingest"; export CASEFILE_VAULT
cf init
n=0
while IFS='|' read -r f kind re; do
	n=$((n + 1))
	(cd in && "$CASEFILE_BIN" ingest $O "$O/$f" >"$out" 2>"$err"); rc=$?
	got=$(sql "SELECT kind FROM evidence WHERE source_path = '$O/$f'")
	ok=0
	[ "$got" = "$kind" ] || ok=1
	if [ -n "$re" ]; then grep -Eq -- "$re" "$err" || ok=1; fi
	if [ -z "$re" ] && [ "$kind" != other ]; then [ "$rc" = 0 ] && [ ! -s "$err" ] || ok=1; fi
	tap $ok "$n ingest $f: $kind${re:+, warned}"
	[ $ok = 0 ] || { echo "#   got kind '$got'"; show_last; }
done <cases
check "$n.b ingest: no chat exhibit with 0 messages" test "$(sql "SELECT count(*) FROM evidence e WHERE kind = 'chat' AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.evidence_id = e.id)")" = 0
check "$n.c ingest: the warnings are stored with the evidence" test "$(sql "SELECT count(*) FROM warnings WHERE message LIKE 'expected %'")" -ge 9

# through import of the same files as a bundle
CASEFILE_VAULT="$SCRATCH/v-import"; export CASEFILE_VAULT
cf init
cf import in
expect_rc 3 "$((n + 1)) import of the bundle: exit 3 (files not understood)"
while IFS='|' read -r f kind re; do
	n=$((n + 2))
	if [ "$f" = photos/Thumbs.db ]; then
		# junk in a bundle: skipped, and named
		check "$n import $f: skipped" test "$(sql "SELECT count(*) FROM evidence WHERE rel_path = '$f'")" = 0
		expect_err "^casefile: warning: 'in': skipped 1 junk entry: Windows thumbnail cache \(Thumbs\.db\)" "$n.b import $f: named"
		continue
	fi
	check "$n import $f: $kind, as through ingest" \
		test "$(sql "SELECT kind FROM evidence WHERE rel_path = '$f'")" = "$kind"
	if [ -n "$re" ]; then
		expect_err "^casefile: (warning: )?'in': entry '$O/$f': $re" "$n.b import $f: warned"
	fi
done <cases
check "$((n + 1)) import: no chat exhibit with 0 messages" test "$(sql "SELECT count(*) FROM evidence e WHERE kind = 'chat' AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.evidence_id = e.id)")" = 0
check "$((n + 2)) import and ingest agree on every kind" test \
	"$(sql "SELECT group_concat(rel_path || '=' || kind, ' ') FROM (SELECT * FROM evidence ORDER BY rel_path)")" = \
	"$(CASEFILE_VAULT="$SCRATCH/v-ingest" sql "SELECT group_concat(substr(source_path, length('$O/') + 1) || '=' || kind, ' ') FROM (SELECT * FROM evidence WHERE name <> 'Thumbs.db' ORDER BY source_path)")"

# --kind still says what a file is, whatever its name
CASEFILE_VAULT="$SCRATCH/v-kind"; export CASEFILE_VAULT
cf init
cf ingest --kind receipt $O in/$O/fake.pdf
check "$((n + 3)) --kind forces the kind (with its own warning)" test "$(sql "SELECT kind FROM evidence")" = receipt
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# t1802: damaged photos and receipts are found at ingest, not only when a
# dossier is built: a truncated JPEG (no end marker), PNG, WebP or PDF is
# stored with a warning that `show` lists, and ingest exits 3; a JPEG with
# bytes between its start marker and first segment is a photo, with a note.
# Regression (2026-12-03, issue 12): the truncated PDF and PNG were
# accepted silently, the JPEG flagged only by build, the junk JPEG 'other'.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001

cut_file() { # cut_file IN OUT BYTES: IN without its last BYTES bytes
	head -c $(($(wc -c <"$1") - $3)) "$1" >"$2"
}

cf init
convert -size 320x240 gradient:red-blue -quality 85 good.jpg
convert -size 64x48 gradient:white-black good.png
convert -size 64x48 gradient:white-black -quality 80 good.webp
"$CASEFILE_TOOLS/mkpdf" good.pdf -n 1
cut_file good.jpg cut.jpg 2
cut_file good.jpg half.jpg $(($(wc -c <good.jpg) / 2))
cut_file good.png cut.png 1
cut_file good.webp cut.webp 10
cut_file good.pdf cut.pdf 30
{ printf '\377\330\000\000\000'; tail -c +3 good.jpg; } >junk.jpg

cf ingest $O good.jpg good.png good.webp good.pdf
expect_clean "1 good files ingest without a word"
expect_out "4 stored" "2 all stored"

cf ingest $O cut.jpg half.jpg cut.png cut.webp cut.pdf
expect_rc 3 "3 damaged files: exit 3"
expect_out "5 stored, 0 already stored, 0 refused, 5 with problems" "4 stored anyway, each with its problem"
expect_err "^casefile: cut.jpg: bad jpeg: file is truncated \(no end marker\)" "5 the JPEG without its end marker"
expect_err "^casefile: half.jpg: bad jpeg: file is truncated" "6 the half JPEG"
expect_err "^casefile: cut.png: bad png: " "7 the PNG"
expect_err "^casefile: cut.webp: bad webp: file is truncated" "8 the WebP"
expect_err "^casefile: cut.pdf: bad pdf: " "9 the PDF"
check "10 kinds are kept" test "$(sql "SELECT group_concat(kind, ',') FROM (SELECT kind FROM evidence WHERE name LIKE 'cut.%' OR name = 'half.jpg' ORDER BY id)")" = "photo,photo,photo,photo,receipt"
cf show $O
expect_out "warning: bad pdf: " "11 show lists the PDF's warning"
expect_out "warning: bad jpeg: file is truncated" "12 and the JPEG's"

cf ingest $O junk.jpg
expect_rc 0 "13 junk after SOI: exit 0"
expect_out "stored  photo +junk.jpg" "14 it is a photo"
expect_err "^casefile: warning: junk.jpg: 3 extra bytes after the jpeg start marker" "15 with a note"
check "16 its size is read" test "$(sql "SELECT width || 'x' || height FROM media m JOIN evidence e ON e.id = m.evidence_id WHERE e.name = 'junk.jpg'")" = 320x240
done_testing

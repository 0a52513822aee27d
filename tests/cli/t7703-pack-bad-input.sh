#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile pack, bad input: a video that cannot be decoded, a HEIC that is
# not one, an encrypted PDF, a photo bomb (a JPEG header claiming
# 20000x20000): each named, a card that says what could not be shown,
# exit 3, memory bounded; a platform whose limits cannot be met: exit 3
# and nothing under the output name (issue 14).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/pack-fixture.sh"

O=6931000000000007
"$CASEFILE_BIN" init $(pg_db_opt) >/dev/null
mkdir in && cd in
cat >chat.json <<JSON
{"order_id": "$O", "channel": "feige", "messages": [
 {"time": "2025-05-03T10:12:00+08:00", "from": "buyer", "text": "没收到"}]}
JSON
printf '\000\000\000\030ftypisom\000\000\002\000isommp41' >bad.mp4; head -c 50000 /dev/urandom >>bad.mp4
printf '\000\000\000\030ftypheic\000\000\000\000mif1heic' >bad.heic; head -c 20000 /dev/urandom >>bad.heic
printf '\377\330\377\300\000\021\010\116\040\116\040\003\001\042\000\002\021\001\003\021\001\377\331' >huge.jpg
convert -size 300x400 xc:white r.png && img2pdf r.png -o r.pdf && qpdf --encrypt secret secret 256 -- r.pdf enc.pdf
# a real photo bomb: a valid PNG of 20000x20000 grey pixels (400 MB decoded)
python3 - <<'PY'
import struct, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
w = h = 20000
z = zlib.compressobj(9)
row = b"\0" * (w + 1)
idat = b"".join(z.compress(row) for _ in range(h)) + z.flush()
open("bomb.png", "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                             + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
PY
cd ..
"$CASEFILE_BIN" ingest --quiet --kind chat $O in/chat.json
"$CASEFILE_BIN" ingest --quiet --kind video $O in/bad.mp4 2>/dev/null
"$CASEFILE_BIN" ingest --quiet --kind photo $O in/bad.heic in/huge.jpg in/bomb.png 2>/dev/null
"$CASEFILE_BIN" ingest --quiet --kind receipt $O in/enc.pdf 2>/dev/null
# exhibits, in the argument's order (exhibits.h; a video nobody dated counts
# as packing): 1 bad.mp4, 2 chat.json, 3 bad.heic, 4 bomb.png, 5 huge.jpg, 6 enc.pdf

# 1-6: each bad item alone
cf pack $O --pick 1 -o v.zip
expect_rc 3 "undecodable video: exit 3"
expect_err "card 1: exhibit 1 'bad.mp4': .*" "names the video"
check "the kit is written, its card says what could not be shown" sh -c \
	"unzip -p v.zip kit.json | jq -e '.images[0].spec.layout == \"note\" and (.images[0].spec.notes | length) == 1'"
cf pack $O --pick 3 -o h.zip
expect_rc 3 "HEIC that cannot be decoded: exit 3"
expect_err "exhibit 3 'bad.heic': cannot decode the image" "names the HEIC"
cf pack $O --pick 6 -o p.zip
expect_rc 3 "encrypted PDF: exit 3"
expect_err "exhibit 6 'enc.pdf'" "names the PDF"
cf pack $O --pick 5 -o j.zip
expect_rc 3 "a JPEG that is only a header: exit 3"
expect_err "exhibit 5 'huge.jpg': cannot decode the image" "names the JPEG"

# 7-10: the photo bomb is refused from its header, memory stays bounded
/usr/bin/time -f %M -o rss.txt "$CASEFILE_BIN" pack $O --pick 4 -o b.zip >"$out" 2>"$err"; rc=$?
expect_rc 3 "photo bomb: exit 3"
expect_err "exhibit 4 'bomb.png': image of 20000x20000 pixels is too large" "says why"
check "peak RSS at most 256 MB ($(tail -1 rss.txt) KB)" test "$(tail -1 rss.txt)" -le 262144
mkdir b && (cd b && unzip -q ../b.zip)
check "the note card is a legible JPEG" sh -c "identify -format '%m %w' b/card-1.jpg | grep -Eq '^JPEG (1080|960|840|720|600)$'"

# 11-14: all of them: every card made, exit 3 with a count
cf pack $O -o all.zip
expect_rc 3 "all bad items: exit 3"
expect_err "[23] items could not be shown" "counts them"
check "4 cards: chat, and note cards for the bad ones" sh -c \
	"unzip -p all.zip kit.json | jq -e '[.images[].spec.layout] | .[0] == \"chat\" and (.[1:] | all(. == \"note\"))'"
cf verify all.zip
expect_clean "a kit with note cards still verifies"

# 15-18: limits that cannot be met: nothing written
cf pack $O --platform taobao-refuse --pick 1 2 3 4 5 6 -o t.zip
expect_rc 3 "6 exhibits into one 130 KB image: exit 3"
expect_err "the 6 picked exhibits need [0-9]+ cards but the platform takes 1 image" "says why"
check "nothing under the output name" test ! -e t.zip
check "no temporary left behind" sh -c "! ls -a | grep -q 't.zip.tmp'"

# 19-22: an existing folder is not overwritten; bad options
mkdir exists && echo keep >exists/f
cf pack $O -o exists
expect_rc 3 "existing output folder: refused"
check "its content is untouched" test "$(cat exists/f)" = keep
cf pack $O --pick x -o y.zip
expect_rc 2 "bad --pick: usage"
cf pack 6931000000000099 -o z.zip
expect_rc 2 "unknown order: exit 2"
done_testing

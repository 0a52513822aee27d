#!/bin/sh
# SPDX-License-Identifier: MIT
# What a card shows (issue 14): an image sent in the chat ("[图片]
# IMG_0001.jpg") is shown inside its message on the chat card and under
# the message in the dossier's transcript, where the vault holds the file;
# trace lines on a logistics card are masked the way the dossier masks them
# (phones, ID numbers, the street part of an address), never cut mid-word
# with "****" (2026-12-03: the demo card read "已签收,签收****", the
# signer's name lost).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/pack-fixture.sh"

O=6931000000000021
make_pack_order $O || { echo "Bail out! fixture"; exit 1; }
img=$(sql "select lower(hex(sha256)) from evidence where order_id='$O' and name='IMG_0001.jpg'")

# 1-6: the chat card shows the image the buyer sent
cf pack $O --reason other -o k
expect_rc 0 "pack (scenario other: the chat first)"
check "card 1 is the chat" jq -e '.images[0].spec.layout == "chat"' k/kit.json
check "the message that sent IMG_0001.jpg carries the image" jq -e --arg h "$img" \
	'[.images[0].spec.lines[] | select(.image)] | length == 1 and .[0].image.sha256 == $h and .[0].image.name == "IMG_0001.jpg" and (.[0].text | test("收到的杯子有裂痕"))' k/kit.json
check "the image's original is a source of the card (caption, QR, derivation)" jq -e --arg h "$img" \
	'[.images[0].spec.sources[].sha256] | index($h) != null' k/kit.json
check "the QR code names both exhibits" sh -c \
	"zbarimg --quiet --raw -Sbinary k/card-1.jpg 2>/dev/null | grep -c '^e=' | grep -qx 2"
check "the kit (chat card with image) verifies, re-derived byte for byte" "$CASEFILE_BIN" verify k

# 7-9: the dossier's transcript shows it under the message
"$CASEFILE_BIN" build $O -o d.pdf --now 2025-05-04T02:00:00Z >/dev/null 2>&1
page=$(for p in 1 2 3 4 5 6 7 8 9 10 11 12; do pdftotext -f $p -l $p d.pdf - 2>/dev/null | grep -q "附件: IMG_0001.jpg" && { echo $p; break; }; done)
check "the transcript page names the image's exhibit" test -n "$page"
check "an image is drawn on the transcript page" sh -c \
	"pdfimages -f $page -l $page -list d.pdf | awk 'NR > 2' | grep -q jpeg"
check "the thumbnail is downsampled, not the 1000x750 original" sh -c \
	"pdfimages -f $page -l $page -list d.pdf | awk 'NR > 2 && \$4 >= 1000 {bad=1} END {exit bad}'"

# 10-12: excluded, the image is on no card (and the chat card is shorter)
"$CASEFILE_BIN" exclude "$(sql "select id from evidence where order_id='$O' and name='IMG_0001.jpg'")" \
	--reason "test" >/dev/null 2>&1
cf pack $O --reason other -o kx
check "excluded: the message keeps no image" jq -e '[.images[0].spec.lines[] | select(.image)] | length == 0' kx/kit.json
check_not "excluded: its original is on no card" grep -q "$img" kx/kit.json
check "the image was really drawn: the card with it is taller" sh -c \
	"[ \$(identify -format %h k/card-1.jpg) -gt \$((\$(identify -format %h kx/card-1.jpg) + 150)) ]"

# 13-19: trace lines masked as the dossier masks them, words kept whole
cat >trace.json <<'JSON'
{"carrier": "ZTO", "tracking_no": "ZT7300000000009", "events": [
 {"time": "2025-05-01T18:20:00+08:00", "status": "collected", "location": "浙江省丽水市", "desc": "【丽水龙泉】快件已揽收"},
 {"time": "2025-05-02T08:30:00+08:00", "status": "out_for_delivery", "location": "杭州市西湖区", "desc": "快递员正在派送(电话:13512345678)"},
 {"time": "2025-05-02T12:00:00+08:00", "status": "已代收", "location": "杭州市西湖区", "desc": "快件已存放至菜鸟驿站,取件码8-2-3001"},
 {"time": "2025-05-02T12:47:00+08:00", "status": "delivered", "location": "上海市浦东新区", "desc": "您的快件已在上海市浦东新区张江路88号3单元502室签收,签收人:张三丰"}]}
JSON
T=6931000000000022
"$CASEFILE_BIN" ingest --quiet --kind logistics $T trace.json
"$CASEFILE_BIN" dispute open $T --reason not_received --quiet >/dev/null 2>&1
cf pack $T -o kt
expect_rc 0 "pack a trace"
jq -r '.images[0].spec.lines[] | .text' kt/kit.json >lines.txt
check "the phone is masked 135****5678" grep -q "快递员正在派送(电话:135\*\*\*\*5678)" lines.txt
check "the signer's name and the words around it are kept" grep -q "签收,签收人:张三丰" lines.txt
check "the street address is cut after its district, as in the dossier" grep -q "上海市浦东新区\*\*\*\*签收" lines.txt
check "a line without personal data is untouched" grep -q "【丽水龙泉】快件已揽收" lines.txt
check_not "no other line has ****" sh -c "grep -v '135\*\*\*\*5678' lines.txt | grep -v '浦东新区\*\*\*\*签收' | grep -q '\*\*\*\*'"
check "the locker drop and the delivery are both highlighted" jq -e \
	'[.images[0].spec.lines[] | select(.mark) | .who] | length == 2' kt/kit.json
done_testing

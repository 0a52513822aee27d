# SPDX-License-Identifier: MIT
# tests/pack-fixture.sh — sourced by the t77xx pack tests after lib.sh.
#
# make_pack_order ORDER [REASON]: a vault with an order whose evidence is
# real media made here (never downloaded): a chat log naming a photo, an
# order record, a logistics trace with a delivery, two 1200x900 JPEG
# photos (ImageMagick plasma, so they do not compress to nothing), a
# HEIC photo (heif-enc), a 6 s 640x360 H.264 packing video (ffmpeg
# testsrc, creation_time set), and a one-page PDF receipt (img2pdf);
# sealed (no TSA), with a dispute for REASON (default damaged_in_transit).
# Files stay in in-ORDER/ for the tests to reuse.

# The media take a while to make (HEIC encoding above all): made once per
# build folder and copied.
_pack_media() {
	_c=${BUILD:-/tmp}/pack-media-v1
	if [ ! -s "$_c/receipt.pdf" ]; then
		rm -rf "$_c.tmp.$$" && mkdir -p "$_c.tmp.$$" && (
		cd "$_c.tmp.$$" &&
		convert -seed 1 -size 1000x750 plasma:red-blue -quality 92 IMG_0001.jpg &&
		convert -seed 2 -size 1000x750 plasma:green-yellow -quality 92 IMG_0002.jpg &&
		convert -seed 3 -size 320x240 plasma:orange-purple -quality 95 heic-src.jpg &&
		heif-enc -q 60 -o IMG_0003.heic heic-src.jpg >/dev/null &&
		ffmpeg -v error -f lavfi -i testsrc=duration=6:size=640x360:rate=25 -c:v libx264 \
			-g 25 -pix_fmt yuv420p -metadata creation_time=2025-05-01T09:30:00Z -y pack.mp4 &&
		convert -size 600x800 xc:white -fill black -pointsize 40 -annotate +40+90 'RECEIPT 12345' \
			receipt.png && img2pdf receipt.png -o receipt.pdf && rm -f heic-src.jpg receipt.png
		) && { mv "$_c.tmp.$$" "$_c" 2>/dev/null || rm -rf "$_c.tmp.$$"; }
	fi
	cp "$_c"/IMG_0001.jpg "$_c"/IMG_0002.jpg "$_c"/IMG_0003.heic "$_c"/pack.mp4 \
		"$_c"/receipt.pdf "$1"/
}

make_pack_order() {
	_o=$1
	[ -d "$CASEFILE_VAULT" ] || "$CASEFILE_BIN" init $(pg_db_opt) >/dev/null || return 1
	[ -e "$CASEFILE_VAULT/keys/signing.key" ] || "$CASEFILE_BIN" keygen --quiet \
		--now 2025-01-01T00:00:00Z --cn "test signer" --org "青瓷小铺" >/dev/null || return 1
	mkdir -p "in-$_o" || return 1
	(
	cd "in-$_o" || exit 1
	cat >chat.json <<JSON
{"order_id": "$_o", "channel": "feige", "messages": [
 {"time": "2025-05-03T10:12:00+08:00", "from": "buyer", "name": "小**",
  "text": "收到的杯子有裂痕，我的电话13812345678", "attachments": ["IMG_0001.jpg"]},
 {"time": "2025-05-03 10:14:05", "from": "merchant", "name": "客服-阿青",
  "text": "您好，麻烦拍一下外包装和裂痕的位置"},
 {"time": "2025-05-03 10:20:00", "from": "buyer", "name": "小**",
  "text": "外箱完好 😀 但杯子碎了"}]}
JSON
	cat >order.json <<JSON
{"order_id": "$_o", "shop": "青瓷小铺", "created_at": "2025-04-30T20:01:00+08:00",
 "paid_at": "2025-04-30T20:01:40+08:00", "shipped_at": "2025-05-01T18:20:00+08:00",
 "delivered_at": "2025-05-02T14:03:00+08:00",
 "buyer": {"nick": "小**", "phone": "13812345678", "address": "浙江省杭州市西湖区文三路123号"},
 "items": [{"sku": "CUP-01", "title": "手工青瓷杯", "qty": 1, "price": "89.00"}],
 "total": "89.00", "currency": "CNY",
 "payment": {"method": "douyin_pay", "txn_id": "4200000000000000000"}}
JSON
	cat >logistics.json <<JSON
{"carrier": "SF", "tracking_no": "SF1234567890", "events": [
 {"time": "2025-05-01T18:20:00+08:00", "status": "collected", "location": "杭州", "desc": "顺丰速运 已收取快件"},
 {"time": "2025-05-02T08:00:00+08:00", "status": "in_transit", "location": "上海", "desc": "快件到达 上海转运中心"},
 {"time": "2025-05-02T14:03:00+08:00", "status": "delivered", "location": "上海", "desc": "已签收,签收人:本人"}]}
JSON
	_pack_media . || exit 1
	) || return 1
	"$CASEFILE_BIN" ingest --quiet --kind chat "$_o" "in-$_o/chat.json" &&
	"$CASEFILE_BIN" ingest --quiet --kind order "$_o" "in-$_o/order.json" &&
	"$CASEFILE_BIN" ingest --quiet --kind logistics "$_o" "in-$_o/logistics.json" &&
	"$CASEFILE_BIN" ingest --quiet --kind photo "$_o" "in-$_o/IMG_0001.jpg" "in-$_o/IMG_0002.jpg" \
		"in-$_o/IMG_0003.heic" &&
	"$CASEFILE_BIN" ingest --quiet --kind video "$_o" "in-$_o/pack.mp4" &&
	"$CASEFILE_BIN" ingest --quiet --kind receipt "$_o" "in-$_o/receipt.pdf" &&
	"$CASEFILE_BIN" seal --quiet --now 2025-05-03T12:00:00Z >/dev/null &&
	"$CASEFILE_BIN" dispute open "$_o" --reason "${2:-damaged_in_transit}" --quiet \
		--now 2025-05-03T12:00:00Z >/dev/null
}

# qr_of FILE: the QR payload of a card, as zbarimg reads it (no URL needed).
qr_of() { zbarimg --quiet --raw -Sbinary "$1" 2>/dev/null; }

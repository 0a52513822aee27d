# SPDX-License-Identifier: MIT
# tests/build-fixture.sh — sourced by the t4xxx build tests after lib.sh.
#
# make_order ORDER [extra]: create a vault (with a signing key, see
# make_signing_key) and an order with a chat log,
# an order record, a logistics record, a solid-red 1200x900 photo and a
# small "video", ingest them with forced kinds, and make sure the parsed
# tables hold the rows the files describe (INSERT OR IGNORE: when the
# parsers fill them from the same files, their rows stand).
# With extra = bad, also ingests a truncated JPEG and a JPEG header
# claiming 20000x20000 pixels.

make_order() {
	_o=$1
	[ -d "$CASEFILE_VAULT" ] || "$CASEFILE_BIN" init $(pg_db_opt) >/dev/null || return 1
	make_signing_key || return 1
	mkdir -p "in-$_o" || return 1
	(cd "in-$_o" && _make_files "$_o" "${2:-}") || return 1
	_fill_db "$_o"
}

# make_signing_key: the vault's signing key and self-signed certificate
# (casefile keygen), valid from 2025-01-01 so dossiers built with a --now in
# 2025 can be signed; a no-op when the vault has a key.
make_signing_key() {
	[ -e "$CASEFILE_VAULT/keys/signing.key" ] && return 0
	"$CASEFILE_BIN" keygen --now 2025-01-01T00:00:00Z --cn "${SIGNER_CN:-test signer}" \
		--org "青瓷小铺" >/dev/null
}

_make_files() {
	_o=$1
	cat >chat.json <<JSON
{"order_id": "$_o", "channel": "feige", "messages": [
 {"time": "2025-05-03T10:12:00+08:00", "from": "buyer", "name": "小**",
  "text": "收到的杯子有裂痕，我的电话13812345678", "attachments": ["IMG_0001.jpg"]},
 {"time": "2025-05-03 10:14:05", "from": "merchant", "name": "客服-阿青",
  "text": "您好，麻烦拍一下外包装和裂痕的位置"},
 {"time": "2025-05-03 10:20:00", "from": "buyer", "name": "小**",
  "text": "地址是杭州市西湖区文三路123号4栋502室, order looks broken 語 😀"}]}
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
 {"time": "2025-05-02T14:03:00+08:00", "status": "delivered", "location": "上海", "desc": "已签收,签收人:本人"}]}
JSON
	convert -size 1200x900 xc:'#d01010' -quality 90 IMG_0001.jpg || return 1
	# a minimal MP4: ftyp, moov with an mvhd (12.345 s), mdat of noise
	{
		printf '\000\000\000\030ftypisom\000\000\002\000isommp41'
		printf '\000\000\000\164moov\000\000\000\154mvhd'
		head -c 12 /dev/zero
		printf '\000\000\003\350\000\000\060\071\000\001\000\000\001\000'
		head -c 10 /dev/zero
		printf '\000\001\000\000'; head -c 12 /dev/zero
		printf '\000\001\000\000'; head -c 12 /dev/zero
		printf '\100\000\000\000'; head -c 24 /dev/zero
		printf '\000\000\000\002'
		printf '\000\002\111\370mdat'; head -c 150000 /dev/urandom
	} >pack.mp4
	"$CASEFILE_BIN" ingest --quiet --kind chat "$_o" chat.json &&
	"$CASEFILE_BIN" ingest --quiet --kind order "$_o" order.json &&
	"$CASEFILE_BIN" ingest --quiet --kind logistics "$_o" logistics.json &&
	"$CASEFILE_BIN" ingest --quiet --kind photo "$_o" IMG_0001.jpg &&
	"$CASEFILE_BIN" ingest --quiet --kind video "$_o" pack.mp4 || return 1
	if [ "$2" = bad ]; then
		head -c 300 IMG_0001.jpg >broken.jpg
		printf '\377\330\377\300\000\021\010\116\040\116\040\003\001\042\000\002\021\001\003\021\001\377\331' >huge.jpg
		# stored with a warning (exit 3) is what a bad photo gets
		"$CASEFILE_BIN" ingest --quiet --kind photo "$_o" broken.jpg huge.jpg 2>/dev/null
		[ $? -le 3 ] || return 1
	fi
}

_fill_db() {
	_o=$1
	sqlite3 "$CASEFILE_VAULT/casefile.db" <<SQL
CREATE TEMP VIEW ev AS SELECT id, name FROM evidence WHERE order_id = '$_o';
INSERT OR IGNORE INTO messages(evidence_id, seq, time, sender, sender_raw, name, text, attachments) SELECT id, 1, 1746238320, 'buyer', '买家', '小**', '收到的杯子有裂痕，我的电话13812345678', '["IMG_0001.jpg"]' FROM ev WHERE name = 'chat.json';
INSERT OR IGNORE INTO messages(evidence_id, seq, time, sender, sender_raw, name, text, attachments) SELECT id, 2, 1746238445, 'merchant', '商家', '客服-阿青', '您好，麻烦拍一下外包装和裂痕的位置', NULL FROM ev WHERE name = 'chat.json';
INSERT OR IGNORE INTO messages(evidence_id, seq, time, sender, sender_raw, name, text, attachments) SELECT id, 3, 1746238800, 'buyer', '买家', '小**', '地址是杭州市西湖区文三路123号4栋502室, order looks broken 語 😀', NULL FROM ev WHERE name = 'chat.json';
INSERT OR IGNORE INTO order_records(evidence_id, order_id, shop, created_at, paid_at, shipped_at, delivered_at, buyer_nick, buyer_phone, buyer_address, total_fen, currency, pay_method, pay_txn, extra) SELECT id, '$_o', '青瓷小铺', 1746014460, 1746014500, 1746094800, 1746165780, '小**', '13812345678', '浙江省杭州市西湖区文三路123号', 8900, 'CNY', 'douyin_pay', '4200000000000000000', NULL FROM ev WHERE name = 'order.json';
INSERT OR IGNORE INTO order_items(evidence_id, seq, sku, title, qty, price_fen) SELECT id, 1, 'CUP-01', '手工青瓷杯', 1, 8900 FROM ev WHERE name = 'order.json';
INSERT OR IGNORE INTO logistics SELECT id, 'SF', 'SF1234567890' FROM ev WHERE name = 'logistics.json';
INSERT OR IGNORE INTO logistics_events(evidence_id, seq, time, status, status_raw, location, description) SELECT id, 1, 1746094800, 'collected', 'collected', '杭州', '顺丰速运 已收取快件' FROM ev WHERE name = 'logistics.json';
INSERT OR IGNORE INTO logistics_events(evidence_id, seq, time, status, status_raw, location, description) SELECT id, 2, 1746165780, 'delivered', 'delivered', '上海', '已签收,签收人:本人' FROM ev WHERE name = 'logistics.json';
INSERT OR IGNORE INTO media(evidence_id, format, width, height, orientation) SELECT id, 'jpeg', 1200, 900, 1 FROM ev WHERE name = 'IMG_0001.jpg';
INSERT OR IGNORE INTO media(evidence_id, format) SELECT id, 'mp4' FROM ev WHERE name = 'pack.mp4';
SQL
}

# Write "sha256  attachment" lines of a manifest for sha256sum -c.
manifest_sums() {
	jq -r '.exhibits[] | select(.attachment != null) | "\(.sha256)  \(.attachment)"' "$1"
}

# SPDX-License-Identifier: MIT
# tests/lib-bundle.sh — bundle fixtures for the import/export tests
# (t6050-t6099).  Source after tests/lib.sh.
#
#   mk_order DIR ID [TAG]   an order folder: order.json, chat.json,
#                           logistics.json, photos/p1.png (TAG varies the chat)
#   mk_bundle DIR N [TAG]   DIR/orders-2025-05-02/<id>... with N orders
#   MKARCHIVE               the hostile-archive writer (tests/tools/mkarchive.c)
MKARCHIVE="$CASEFILE_TOOLS/mkarchive"
BUNDLE_LIST="$CASEFILE_TOOLS/bundle-list"

# A tiny valid PNG (1x1 RGBA, every row present: ingest decodes it), made
# once per test script.
_png() {
	[ -f "$SCRATCH/.p1.png" ] || printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\000\001\000\000\000\001\010\006\000\000\000\037\025\304\211\000\000\000\013IDATx\332c\370\017\004\000\011\373\003\375h\372\034\314\000\000\000\000IEND\256B`\202' >"$SCRATCH/.p1.png"
	cat "$SCRATCH/.p1.png"
}

mk_order() {
	_d=$1; _id=$2; _tag=${3:-}
	mkdir -p "$_d/photos"
	cat >"$_d/order.json" <<JSON
{"order_id": "$_id", "shop": "青瓷小铺", "created_at": "2025-04-30T20:01:00+08:00",
 "paid_at": "2025-04-30T20:02:00+08:00", "total": "89.00", "currency": "CNY",
 "items": [{"sku": "CUP-01", "title": "手工青瓷杯", "qty": 1, "price": "89.00"}]}
JSON
	cat >"$_d/chat.json" <<JSON
{"order_id": "$_id", "channel": "feige", "messages": [
 {"time": "2025-05-03T10:12:00+08:00", "from": "buyer", "name": "小**", "text": "收到的杯子有裂痕$_tag"},
 {"time": "2025-05-03 10:14:05", "from": "merchant", "name": "客服-阿青", "text": "您好,麻烦拍一下外包装"}]}
JSON
	cat >"$_d/logistics.json" <<JSON
{"carrier": "SF", "tracking_no": "SF$_id", "events": [
 {"time": "2025-05-01T18:20:00+08:00", "status": "collected", "location": "杭州", "desc": "已收取快件"},
 {"time": "2025-05-02T14:03:00+08:00", "status": "delivered", "location": "上海", "desc": "已签收"}]}
JSON
	_png >"$_d/photos/p1.png"
}

mk_bundle() {
	_root=$1/orders-2025-05-02; _n=$2; _i=1
	mkdir -p "$_root"
	while [ $_i -le "$_n" ]; do
		mk_order "$_root/69310000000000$(printf %02d $_i)" "69310000000000$(printf %02d $_i)" "${3:-}"
		_i=$((_i + 1))
	done
}

# Number of evidence rows in the test vault.
nrows() { sql "SELECT count(*) FROM evidence${1:+ WHERE $1}"; }

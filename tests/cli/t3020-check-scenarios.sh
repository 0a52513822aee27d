#!/bin/sh
# SPDX-License-Identifier: MIT
# check: every scenario's checklist on fixture orders built with `casefile
# ingest` — a complete order passes (exit 0, items cite their evidence), a
# bare order lists exactly the required items as missing (exit 3).
. "$(dirname "$0")/../lib.sh"
export CASEFILE_NOW='2025-05-05 12:00'
cf init
# short scenario names as order ids (NR1, BP2...): allowed by this vault's
# setting (the default since issue 12 is 6-32 digits)
cf config order.id_pattern '[A-Z]+[0-9]+'

n=0
photo() { # photo FILE [EXIF-DATE]: a small distinct JPEG
	n=$((n + 1))
	convert -size 16x16 "xc:rgb($((n * 7 % 256)),$((n * 13 % 256)),90)" "$1"
	[ -z "${2:-}" ] || exiftool -q -overwrite_original "-DateTimeOriginal=$2" "$1"
}
video() { # video FILE: a minimal MP4 (ftyp, moov/mvhd: 1000 units, 10 s), distinct per file
	# created 2025-05-01 16:00 China time (before shipping at 18:20; since issue 15
	# the packing rule needs a capture time before shipping)
	{ printf '\000\000\000\030ftypmp42\000\000\000\000mp42isom'
	  printf '\000\000\000\164moov\000\000\000\154mvhd\000\000\000\000'
	  printf '\344\070\324\200\000\000\000\000\000\000\003\350\000\000\047\020'
	  printf '\000\001\000\000\001\000'
	  head -c 74 /dev/zero
	  printf '\000\000\000\020free%-8.8s' "$1"; } >"$1"
}
order() { # order ORDER PHONE: order.json with shipping and payment
	mkdir -p "$1"
	cat >"$1/order.json" <<J
{"order_id": "$1", "shop": "青瓷小铺", "created_at": "2025-04-30T20:01:00+08:00",
 "paid_at": "2025-04-30T20:01:35+08:00", "shipped_at": "2025-05-01 18:20:00",
 "buyer": {"nick": "小**", "phone": "$2", "address": "上海市浦东新区张江路100号"},
 "items": [{"sku": "CUP-01", "title": "手工青瓷杯", "qty": 1, "price": "89.00"}],
 "total": "89.00", "currency": "CNY",
 "payment": {"method": "douyin_pay", "txn_id": "42000000000$2"}}
J
}
chat() { # chat ORDER FILE 'from|text' ...
	o=$1; f=$2; shift 2
	{ printf '{"order_id": "%s", "messages": [' "$o"; sep=
	  i=0
	  for m in "$@"; do
		i=$((i + 1))
		printf '%s{"time": "2025-05-03 10:%02d:00", "from": "%s", "text": "%s"}' "$sep" "$i" "${m%%|*}" "${m#*|}"
		sep=,
	  done
	  printf ']}\n'; } >"$o/$f"
}
logi() { # logi ORDER FILE 'status|desc' ...
	o=$1; f=$2; shift 2
	{ printf '{"carrier": "SF", "tracking_no": "SF1234567890", "events": ['; sep=
	  i=0
	  for e in "$@"; do
		i=$((i + 1))
		printf '%s{"time": "2025-05-02 1%d:00:00", "status": "%s", "location": "上海", "desc": "%s"}' "$sep" "$i" "${e%%|*}" "${e#*|}"
		sep=,
	  done
	  printf ']}\n'; } >"$o/$f"
}
ingest() { # ingest ORDER [--kind K] [--note N] FILE...
	cf ingest "$@"
	if [ "$rc" != 0 ]; then echo "# ingest failed: $*"; show_last; fi
}
required() { # number of required items of a reason in the template
	awk -v s="[$1]" '/^\[/{on = ($0 == s)} on && /^required/{n++} END{print n+0}' \
		"$SRC_DIR/templates/checklists.zh-CN.txt"
}
pass() { # pass ORDER REASON: the complete order passes
	cf dispute open "$1" --reason "$2" --requested-at '2025-05-03 10:00'
	cf check "$1"
	expect_clean "$2: complete order passes"
	check "$2: no required item missing" grep -q '^missing: 0 required' "$out"
	check_not "$2: no MISSING required line" grep -q '^MISSING  \[required\]' "$out"
}
bare() { # bare ORDER REASON: an order with no evidence misses every required item
	cf dispute open "$1" --reason "$2"
	cf check "$1"
	expect_rc 3 "$2: bare order exits 3"
	want=$(required "$2")
	check "$2: all $want required items listed as missing" test "$(grep -c '^MISSING  \[required\]' "$out")" = "$want"
	expect_err "order '$1': $want required items? missing" "$2: stderr names the count"
}

# --- not_received: delivered event, courier station pickup, merchant chat.
order NR1 13800000001
logi NR1 logistics.json 'collected|顺丰速运 已收取快件' 'delivered|已签收,签收人:菜鸟驿站代收'
chat NR1 chat.json 'buyer|我没收到货' 'merchant|您好,显示已放在菜鸟驿站,麻烦到驿站取件'
ingest NR1 NR1/order.json NR1/logistics.json NR1/chat.json
pass NR1 not_received
expect_out '^have +\[required\] +物流记录显示已签收$' "not_received: delivered item present"
# numbered in the argument's order (exhibits.h): the delivery record 1, order 2, chat 3
expect_out '证据1 \(evidence #[0-9]+\) logistics .logistics.json.: 2025-05-02 12:00 locker 上海 已签收' "cites the delivery (signed by a station: locker, issue 15) by its exhibit number"
expect_out '证据3 \(evidence #[0-9]+\) chat .chat.json.: 2025-05-03 10:02 merchant: 您好,显示已放在菜鸟驿站' "cites the merchant's chat by its exhibit number"
bare NR0 not_received

# --- quality: order, chat, photo captured before shipping.
order Q1 13800000002
chat Q1 chat.json 'buyer|杯子有裂痕,照片发您' 'merchant|收到'
photo Q1/before.jpg '2025:05:01 10:00:00'
ingest Q1 Q1/order.json Q1/chat.json Q1/before.jpg
pass Q1 quality
expect_out '证据3 \(evidence #[0-9]+\) photo .before.jpg.: captured 2025-05-01 10:00, before shipped_at' "quality: cites the EXIF time"
bare Q0 quality

# --- not_as_described: listing snapshot, photos before shipping, chat.
order D1 13800000003
chat D1 chat.json 'buyer|和描述不符'
photo D1/listing.jpg
photo D1/real.jpg '2025:05:01 09:00:00'
ingest D1 D1/order.json D1/chat.json D1/real.jpg
ingest D1 --note '商品详情页快照(下单时)' D1/listing.jpg
pass D1 not_as_described
bare D0 not_as_described

# --- damaged_in_transit: packing video, logistics, chat.
order T1 13800000004
chat T1 chat.json 'buyer|外包装纸箱压坏了'
logi T1 logistics.json 'collected|已揽收' 'exception|外包装破损'
video T1/pack.mp4
ingest T1 T1/order.json T1/chat.json T1/logistics.json
ingest T1 --kind video --note '打包视频' --role packing T1/pack.mp4
pass T1 damaged_in_transit
expect_out '^have +\[recommended\] +物流异常或破损相关的物流事件' "damaged: exception event found"
bare T0 damaged_in_transit

# --- wrong_or_missing_item: order, packing video, chat.
order W1 13800000005
chat W1 chat.json 'buyer|少发了一个杯子'
video W1/seal.mp4
ingest W1 W1/order.json W1/chat.json
ingest W1 --kind video --note '打包封箱视频' --role packing W1/seal.mp4
pass W1 wrong_or_missing_item
bare W0 wrong_or_missing_item

# --- non_returnable: stated policy, proof of class, chat.
order N1 13800000006
chat N1 chat.json 'merchant|定制刻字商品,确认刻字内容后不支持退货' 'buyer|好的'
photo N1/policy.jpg
ingest N1 N1/order.json N1/chat.json
ingest N1 --note '商品页退货规则:定制商品不支持七天无理由' N1/policy.jpg
pass N1 non_returnable
bare N0 non_returnable

# --- price_or_payment: order with payment, chat.
order P1 13800000007
chat P1 chat.json 'buyer|降价了,要求退差价'
ingest P1 P1/order.json P1/chat.json
pass P1 price_or_payment
bare P0 price_or_payment

# --- late_or_service: order with shipped time, logistics, chat.
order L1 13800000008
chat L1 chat.json 'buyer|怎么还没发货'
logi L1 logistics.json 'collected|已揽收'
ingest L1 L1/order.json L1/chat.json L1/logistics.json
pass L1 late_or_service
bare L0 late_or_service

# --- suspected_abuse: packing video, delivered, chat, and the same buyer's
# other disputes (same phone as NR1, which has a dispute).
order S1 13800000001
chat S1 chat.json 'buyer|又没收到'
logi S1 logistics.json 'delivered|已签收,签收人:本人 重量1.2kg'
video S1/pack.mp4
ingest S1 S1/order.json S1/chat.json S1/logistics.json
ingest S1 --kind video --note 'packing video' --role packing S1/pack.mp4
pass S1 suspected_abuse
expect_out '^have +\[recommended\] +该买家在证据库中的其他纠纷' "abuse: buyer history found"
expect_out 'order NR1 dispute #[0-9]+: not_received, requested' "cites the other dispute"
expect_out '^have +\[recommended\] +发货称重记录' "abuse: weight at dispatch from logistics"
bare S0 suspected_abuse

# --- other
order O1 13800000009
chat O1 chat.json 'buyer|其他问题'
ingest O1 O1/order.json O1/chat.json
pass O1 other
bare O0 other

# --json: items cite real evidence rows of the right kind.
cf check NR1 --json
expect_clean "json"
id=$(sed -n 's/.*"text":"物流记录显示已签收","rules":"[^"]*","evidence":\[{"exhibit":1,"evidence_id":\([0-9]*\).*/\1/p' "$out")
check "json cites the logistics row as exhibit 1" test "$(sql "SELECT kind, name FROM evidence WHERE id = ${id:-0}")" = "logistics|logistics.json"

# English checklist.
cf check NR0 --lang en
expect_rc 3 "english checklist"
expect_out '^MISSING  \[required\]    logistics record with a delivered event$' "english text"
expect_out '^order NR0: not_received \(not received\), profile douyin$' "english reason name"
cf check NR1 --lang en
expect_out '^ +exhibit 1 \(evidence #[0-9]+\) logistics .logistics.json.: 2025-05-02 12:00 locker' "english cites 'exhibit N'"

# The buyer's photos: images the buyer sent in the chat (attachments by
# name) that are exhibits count, whatever the chat text says.
mkdir -p BP1
cat >BP1/chat.json <<J
{"order_id": "BP1", "messages": [
 {"time": "2025-05-03 10:01:00", "from": "buyer", "text": "杯子坏了", "attachments": ["IMG_0001.jpg", "IMG_0002.jpg"]},
 {"time": "2025-05-03 10:02:00", "from": "merchant", "text": "这是发货前的样子", "attachments": ["IMG_0009.jpg"]}]}
J
photo BP1/IMG_0001.jpg; photo BP1/IMG_0002.jpg; photo BP1/IMG_0009.jpg
ingest BP1 BP1/chat.json BP1/IMG_0001.jpg BP1/IMG_0002.jpg
cf check BP1 --reason quality
expect_out '^have +\[recommended\] +买家提供的问题照片$' "buyer's chat attachments are the buyer's photos"
expect_out "证据[0-9]+ \(evidence #[0-9]+\) photo 'IMG_0001.jpg': attached to a buyer chat message" "cites the first photo"
expect_out "证据[0-9]+ \(evidence #[0-9]+\) photo 'IMG_0002.jpg': attached to a buyer chat message" "cites the second photo"
cf check BP1 --reason quality --lang en
expect_out "^have +\[recommended\] +the buyer's photos of the problem$" "english checklist too"
cf check BP1 --reason not_as_described
expect_out '^have +\[recommended\] +买家提供的照片$' "not_as_described: the buyer's photos"
mkdir -p BP2
cat >BP2/chat.json <<J
{"order_id": "BP2", "messages": [
 {"time": "2025-05-03 10:01:00", "from": "buyer", "text": "杯子坏了", "attachments": ["IMG_0001.jpg"]},
 {"time": "2025-05-03 10:02:00", "from": "merchant", "text": "发货前", "attachments": ["IMG_0009.jpg"]}]}
J
cp BP1/IMG_0009.jpg BP2/
ingest BP2 BP2/chat.json BP2/IMG_0009.jpg
cf check BP2 --reason quality
expect_out '^MISSING  \[recommended\] 买家提供的问题照片' "a merchant's attachment, or a buyer's not in the vault, is no buyer photo"

# No dispute: give --reason, or be told how.
cf check NX
expect_rc 2 "no dispute and no --reason"
expect_err "cannot check: order 'NX' has no dispute" "says so"
expect_err "casefile dispute open NX --reason R" "says how"
cf check NR1 --reason 质量问题
expect_rc 3 "--reason overrides the dispute's reason"
expect_out '^order NR1: quality' "reason used"
cf check NR1 --reason nonsense
expect_rc 2 "bad --reason"
cf check NR1 --lang fr
expect_rc 2 "bad --lang"
done_testing

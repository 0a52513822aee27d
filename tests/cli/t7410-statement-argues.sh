#!/bin/sh
# SPDX-License-Identifier: MIT
# statement (issue 16): the draft argues for the merchant.  Each stance
# closes its own way (refuse never concedes); not received cites the locker
# pickup record first; damaged cites the packing photos taken before
# shipping and the courier's handover, and the buyer's photos as the
# buyer's; the buyer is quoted from typed text only, the most relevant
# message; dates read 5月2日 14:22; every platform variant fits its limit by
# its own counting rule (characters or bytes).
. "$(dirname "$0")/../lib.sh"
export CASEFILE_NOW='2025-05-08 12:00'
cf init

NR=6931000000000071	# not received
DM=6931000000000072	# damaged in transit
order() { # order ID
	mkdir -p "$1"
	cat >"$1/order.json" <<J
{"order_id": "$1", "shop": "青瓷小铺", "created_at": "2025-04-30T20:01:00+08:00",
 "paid_at": "2025-04-30T20:01:35+08:00", "shipped_at": "2025-05-01 18:20:00",
 "buyer": {"nick": "小**", "phone": "13812345678", "address": "上海市浦东新区张江路100号"},
 "items": [{"sku": "CUP-01", "title": "手工青瓷杯", "qty": 1, "price": "89.00"}],
 "total": "89.00", "currency": "CNY"}
J
}
logistics() { # logistics ID LAST-STATUS LAST-DESC
	cat >"$1/logistics.json" <<J
{"order_id": "$1", "carrier": "中通快递", "tracking_no": "ZT78000000000071", "events": [
 {"time": "2025-05-01T18:20:00+08:00", "status": "揽收", "location": "浙江省丽水市", "desc": "【丽水龙泉】快件已揽收"},
 {"time": "2025-05-02 06:11:00", "status": "in_transit", "location": "杭州转运中心", "desc": "快件已到达【杭州转运中心】"},
 {"time": "2025-05-02 14:22:00", "status": "$2", "location": "上海市浦东新区", "desc": "$3"}]}
J
}

# --- not received ------------------------------------------------------------
order $NR
logistics $NR "已签收" "快件已放入快递柜，取件码已发送；已取件"
cat >$NR/chat.json <<J
{"order_id": "$NR", "messages": [
 {"time": "2025-05-03T09:00:00+08:00", "from": "buyer", "text": "[图片] mmexport1764556800123.jpg\n[消息类型: 图片]"},
 {"time": "2025-05-03T09:01:00+08:00", "from": "buyer", "text": "你好"},
 {"time": "2025-05-03T09:02:00+08:00", "from": "system", "text": "系统消息：买家申请退款"},
 {"time": "2025-05-03T09:03:00+08:00", "from": "buyer", "text": "我一直没收到快递，快递柜里也没有。请尽快处理，不然我就投诉了，我已经等了很多天了，非常生气，这是什么服务态度"},
 {"time": "2025-05-03T09:05:00+08:00", "from": "merchant", "text": "您好，物流显示已取件"}]}
J
cf ingest $NR $NR/order.json $NR/logistics.json $NR/chat.json
expect_rc 0 "ingest the not-received order"
cf dispute open $NR --reason not_received --rejected-at '2025-05-04 10:00' --now '2025-05-04 10:00'
expect_rc 0 "dispute"

cf statement $NR
expect_clean "1 statement, default stance"
cp "$out" nr.txt
# exhibit numbers follow the argument: the pickup record 1, then order 2, chat 3
expect_out '^1\. 物流记录显示包裹已于5月2日 14:22“快件已放入快递柜，取件码已发送；已取件”，见证据1。$' "2 the locker pickup record is the first point, with its time"
expect_out '买家在聊天中说：“我一直没收到快递，快递柜里也没有。”（5月3日 09:03），见证据3。' "3 the most relevant buyer message is quoted, its sentence only"
expect_no_out '图片|消息类型|mmexport' "4 never a placeholder"
expect_no_out '系统消息' "5 never a system line"
expect_no_out '“你好”' "6 not the first, irrelevant message"
expect_no_out '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}' "7 no full timestamps inside sentences"
check "8 carrier and tracking number named once" test "$(grep -o '中通快递' nr.txt | wc -l)" = 1
expect_no_out '交 中通快递 发运|交中通快递' "9 no 交…发运 artefact"
expect_out '请平台驳回“未收到货”的退款申请。$' "10 refuse: asks the platform to reject"
expect_no_out '愿|同意|配合' "11 refuse concedes nothing"

cf statement $NR --stance partial
expect_out '部分补偿，但不同意全额退款' "12 partial closes with a partial offer"
cf statement $NR --stance accept
expect_out '商家同意买家的退款申请。$' "13 accept accepts"
cf statement $NR --stance maybe
expect_rc 2 "14 unknown stance is a usage error"
expect_err "unknown stance 'maybe'" "15 named"
cf --json statement $NR --stance partial
check "16 --json names the stance" jq -e '.stance == "partial"' "$out"

# --- damaged in transit -------------------------------------------------------
order $DM
logistics $DM "已签收" "已签收，签收人：本人"
photo() { # photo FILE EXIF-DATE COLOUR
	convert -size 16x16 "xc:$3" "$1"
	exiftool -q -overwrite_original "-DateTimeOriginal=$2" "$1"
}
photo $DM/pack1.jpg '2025:05:01 17:50:00' red
photo $DM/pack2.jpg '2025:05:01 18:00:00' green
photo $DM/IMG_0001.jpg '2025:05:03 10:10:00' blue
cat >$DM/chat.json <<J
{"order_id": "$DM", "messages": [
 {"time": "2025-05-03T10:12:00+08:00", "from": "buyer", "text": "[图片] IMG_0001.jpg", "attachments": ["IMG_0001.jpg"]},
 {"time": "2025-05-03T10:13:00+08:00", "from": "buyer", "text": "在吗"},
 {"time": "2025-05-03T10:14:00+08:00", "from": "buyer", "text": "杯子碎了，外包装是好的"}]}
J
cf ingest $DM $DM/order.json $DM/logistics.json $DM/chat.json $DM/pack1.jpg $DM/pack2.jpg $DM/IMG_0001.jpg
expect_rc 0 "ingest the damaged order"
cf dispute open $DM --reason damaged_in_transit --rejected-at '2025-05-04 10:00' --now '2025-05-04 10:00'
cf statement $DM
expect_clean "17 damaged statement"
cp "$out" dm.txt
# exhibits follow the argument: pack1 1, pack2 2, the handover 3, then order 4,
# chat 5, the buyer's IMG_0001 6
expect_out '^1\. 商品发货前完好、包装完整，发货前的打包视频和照片见证据1、证据2。$' "18 packing photos taken before shipping, not the buyer's"
expect_out '^2\. 5月1日 18:20快递员揽收（中通快递，运单号 ZT78000000000071），揽收时未记录异常，见证据3。$' "19 then the courier's handover"
expect_out '买家提供的照片见证据6' "20 the buyer's photo cited as the buyer's"
check_not "21 the buyer's photo never as packing" grep -q '打包.*证据6' dm.txt
expect_out '“杯子碎了，外包装是好的”' "22 the damage message quoted"
expect_no_out 'IMG_0001' "23 the placeholder is not quoted"
expect_no_out '运输损坏，责任在承运方|愿配合|如确系' "24 no concession"

# --- platform variants -----------------------------------------------------------
cf statement $DM --all
expect_clean "25 --all"
expect_out '^== 抖音电商 douyin · 200 字（[0-9]+） ==$' "26 douyin 200-character box"
expect_out '^== 抖音电商 douyin · 500 字（[0-9]+） ==$' "27 douyin 500-character box"
expect_out '^== 微信小店 wechat · ' "28 wechat too"
sed 's/^statement_limits = .*/statement_limits = 60 chars, 150 bytes/; s/^name = .*/name = tiny/; s/^title = .*/title = 小框/' \
	"$SRC_DIR/templates/profiles/douyin.conf" >tiny.conf
cf --json statement $DM --platform ./tiny.conf:150
expect_clean "29 --platform FILE:N"
check "30 the bytes box counts bytes and fits" jq -e '.variants[0].unit == "bytes" and .variants[0].length <= 150 and (.variants[0].text | utf8bytelength) <= 150' "$out"
cf --json statement $DM --platform ./tiny.conf:60
check "31 the characters box counts characters and fits" jq -e '.variants[0].unit == "chars" and (.variants[0].text | length) <= 60' "$out"
check "32 a cut variant ends at a sentence or with …" jq -e '.variants[0].text | test("[。…]$")' "$out"
for p in douyin:200 douyin:500 wechat:200 wechat:500; do
	for o in $NR $DM; do
		cf --json statement $o --platform $p
		check "33 $o $p within its limit" jq -e '(.variants[0].text | length) <= .variants[0].limit' "$out"
	done
done
cf --json statement $DM --platform douyin:200
check "34 the 200 box keeps the closing line" jq -e '.variants[0].text | test("驳回")' "$out"
cf statement $DM --platform douyin:300
expect_rc 2 "35 a box the profile lacks"
expect_err "no statement limit 300" "36 says so"
cf statement $DM --platform douyin --all
expect_rc 2 "37 --platform and --all together"

done_testing

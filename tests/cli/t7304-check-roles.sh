#!/bin/sh
# SPDX-License-Identifier: MIT
# check counts roles and facts, not words (issue 15): packing needs an item
# with role packing captured before shipping; pickup needs a pickup record
# or a locker/station event; the buyer's photos need a photo the buyer
# supplied.  A missing item prints a command a person can type.
. "$(dirname "$0")/../lib.sh"
export CASEFILE_NOW='2026-12-03 12:00'
O=6931000000000001
cf init
VID="$SRC_DIR/examples/orders-2025-05-02/6931000000000001/videos/VID_20250501_165000.mp4"
cat >order.json <<J
{"order_id": "$O", "shop": "青瓷小铺", "created_at": "2025-04-30 20:01:00",
 "paid_at": "2025-04-30 20:01:35", "shipped_at": "2025-05-01 18:20:00",
 "buyer": {"nick": "小**", "phone": "13812345678"}, "items": [], "total": "89.00"}
J
cat >chat.json <<J
{"order_id": "$O", "messages": [
 {"time": "2025-05-03 10:01:00", "from": "buyer", "text": "外箱压坏了"},
 {"time": "2025-05-03 10:02:00", "from": "merchant", "text": "麻烦您拍一下外箱"}]}
J
printf '时间,描述\n2025-05-01 18:30:00,已揽收\n2025-05-02 12:47:00,已签收\n' >trace.csv
cp "$VID" VID_20250501_165000.mp4
# the same video, created after shipping (2025-05-02 10:00 China time)
python3 - VID_20250501_165000.mp4 late.mp4 <<'P'
import sys, struct, calendar
b = bytearray(open(sys.argv[1], 'rb').read())
i = b.index(b'mvhd') + 8
t = calendar.timegm((2025, 5, 2, 2, 0, 0)) + 2082844800
struct.pack_into('>II', b, i, t, t)
open(sys.argv[2], 'wb').write(b)
P
convert -size 16x16 xc:red box.jpg
cf ingest $O order.json chat.json trace.csv
cf ingest $O --note '打包视频 packing' late.mp4
cf dispute open $O --reason damaged_in_transit --requested-at '2025-05-03 10:00'
late=$(sql "SELECT id FROM evidence WHERE name = 'late.mp4'")

# 1-3: a note that says 打包 counts for nothing
cf check $O
expect_rc 3 "packing missing although a note says 打包"
expect_out '^MISSING  \[required\]    打包照片或打包视频' "packing MISSING"
expect_out "改正：casefile tag $late --role packing" "fix: a typeable tag command"

# 4-6: role packing, but captured after shipping: still missing, and why
cf tag $late --role packing
cf check $O
expect_out '^MISSING  \[required\]    打包照片或打包视频' "captured after shipping: MISSING"
expect_out "证据 #$late（late.mp4）的拍摄时间不早于shipped_at" "says the capture time is too late"
expect_out "改正：casefile ingest $O --role packing FILE" "fix: add an earlier one"

# 7-10: a video captured before shipping, without role: suggested; tagged: have
cf ingest $O VID_20250501_165000.mp4
vid=$(sql "SELECT id FROM evidence WHERE name = 'VID_20250501_165000.mp4'")
cf check $O
expect_out "改正：casefile tag $vid --role packing" "suggests the video captured before shipping"
cf tag $vid --role packing
cf check $O
expect_out '^have     \[required\]    打包照片或打包视频' "packing: have"
expect_out "evidence #$vid\) video 'VID_20250501_165000.mp4': role packing, captured 2025-05-01 16:50, before shipped_at 2025-05-01 18:20" "says which item and why"

# 11: excluded: does not count
cf exclude $vid --reason '测试'
cf check $O
expect_out '^MISSING  \[required\]    打包照片或打包视频' "an excluded item counts for nothing"

# 12-16: the buyer's box photo: the merchant's request is no photo; a photo
# with the role supplied by the merchant is not the buyer's
expect_out '^MISSING  \[recommended\] 买家拍摄的外包装照片' "the merchant's 拍一下外箱 is no buyer photo"
cf include $vid
cf ingest $O --role damage_photo --supplied-by merchant box.jpg
box=$(sql "SELECT id FROM evidence WHERE name = 'box.jpg'")
cf check $O
expect_out '^MISSING  \[recommended\] 买家拍摄的外包装照片' "supplied by the merchant: not the buyer's"
expect_out "改正：casefile tag $box --supplied-by buyer" "fix: say who supplied it"
cf tag $box --supplied-by buyer
cf check $O
expect_out '^have     \[recommended\] 买家拍摄的外包装照片' "supplied by the buyer: have"
expect_out "role damage_photo, supplied by buyer" "says why"

# 17-19: pickup: a plain 已签收 is not a signing record; a locker event or a
# pickup record is
cf check $O --reason not_received
expect_out '^MISSING  \[required\]    签收凭证或送达照片' "plain 已签收: no proof of who took it"
printf '时间,描述\n2025-05-02 12:47:00,快件已放入丰巢快递柜\n' >locker.csv
cf ingest $O locker.csv
cf check $O --reason not_received
expect_out '^have     \[required\]    签收凭证或送达照片' "a locker event is proof"
sql "UPDATE evidence SET excluded = 'x' WHERE name = 'locker.csv'"
cf tag $box --role pickup
cf check $O --reason not_received
expect_out "role pickup" "a pickup record counts (the locker trace hand-excluded)"

# 20-22: English
cf check $O --reason wrong_or_missing_item --lang en
expect_rc 0 "english: packing video have"
cf tag $vid --not-role packing
cf check $O --reason wrong_or_missing_item --lang en
expect_out "fix: casefile tag $vid --role packing" "english fix"
expect_out "\(if evidence #$vid \('VID_20250501_165000.mp4'\) is the packing photo/video, give it that role\)" "english why"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# t1701 (issue 12, 2026-12): parsers keep every good record and flag every
# bad one.  One number too large to hold no longer turns a chat, logistics
# or order file into 'other'; extra CSV columns and unknown JSON keys are
# kept beside the text (show --messages), never in it; an unclosed quote
# costs one record, not the rest of the file; milliseconds are kept;
# \u0000 and a field of the wrong type are named.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001

cf init
# 1-7: out-of-range numbers, generated with a random position
n=$(( $(od -An -N1 -tu1 /dev/urandom) % 5 + 1 ))
{
	printf '{"order_id": "%s", "messages": [\n' $O
	i=1
	while [ $i -le 6 ]; do
		[ $i -gt 1 ] && printf ',\n'
		if [ $i = $n ]; then t=1e400; elif [ $i = $((n + 1)) ]; then t=99999999999999999999999
		else t="\"2025-05-03 10:1$i:00\""; fi
		printf ' {"time": %s, "from": "buyer", "text": "消息%d"}' "$t" $i
		i=$((i + 1))
	done
	printf ']}\n'
} >big.json
cf ingest $O big.json
expect_rc 3 "1 a flagged value: exit 3"
expect_out "stored  chat " "2 still a chat"
expect_err "^casefile: big.json: message $n: 'time': number 1e400 is out of range, read as null$" \
	"3 the message and field are named"
expect_err "message $((n + 1)): 'time': number 99999999999999999999999 is out of range" \
	"4 the too-large integer too"
check "5 all six messages kept, in order" sh -c \
	"[ \"\$(sqlite3 vault/casefile.db \"select group_concat(text, ',') from messages\")\" = '消息1,消息2,消息3,消息4,消息5,消息6' ]"
check "6 the two flagged times are NULL" sh -c \
	"[ \"\$(sqlite3 vault/casefile.db \"select group_concat(seq) from messages where time is null\")\" = '$n,$((n + 1))' ]"
printf '{"carrier":"SF","tracking_no":"SF1","events":[{"time":"2025-05-01 18:20","status":"collected"},{"time":-1e999,"status":"delivered"}]}' >logi.json
printf '{"order_id":"%s","shop":"青瓷小铺","total":1e400,"items":[{"sku":"CUP-01","qty":1,"price":"89.00"}]}' $O >order.json
cf ingest $O logi.json order.json
expect_err "logi.json: event 2: 'time': number -1e999 is out of range" "7 logistics: the event is named"
expect_out "stored  logistics " "8 still a logistics record"
expect_err "order.json: 'total': number 1e400 is out of range" "9 order: the field is named"
expect_out "stored  order " "10 still an order"

# 11-18: extra CSV columns, an unclosed quote, milliseconds
printf '时间,发送方,昵称,内容,消息ID\n2025-05-03 10:12:00.120,买家,小**,我想退货,m001\n2025-05-03 10:13:00,买家,小**,"第一行\n2025-05-03 10:14:05,商家,客服-阿青,您好,m003\n2025-05-03 10:15:00,买家,小**,"多行\n第二行",m004\n' >chat.csv
cf ingest $O chat.csv
expect_rc 3 "11 the unclosed quote is bad input"
expect_err "^casefile: chat.csv: line 3: quoted field not closed: the record ends with line 3, reading resumed at line 4$" \
	"12 the lines are named"
expect_err "chat.csv: extra columns kept beside the text: '消息ID'" "13 the extra column is noted"
cf show --messages $O
expect_rc 0 "14 show --messages"
expect_out "^    message 1  2025-05-03 10:12:00.120 \+08:00 buyer \(小\*\*\) \| 我想退货$" \
	"15 milliseconds and text, no extra in the text"
expect_out '^        extra \{"消息ID":"m001"\}$' "16 the extra column beside it"
expect_out "^    message 3  2025-05-03 10:14:05 \+08:00 merchant \(客服-阿青\) \| 您好$" \
	"17 the merchant's line is the merchant's again"
check_not "18 no extra column inside any text" sh -c \
	"sqlite3 vault/casefile.db \"select text from messages\" | grep -q '消息ID'"
cf show --messages --json $O
check "19 --json: time_ms and extra as JSON" sh -c \
	"jq -e '[.items[].messages // empty | .[] | select(.time_ms == 120 and .extra[\"消息ID\"] == \"m001\")] | length == 1' '$out'"

# 20-24: \u0000 and fields of the wrong type
printf '{"order_id":"%s","messages":[{"time":"2025-05-03 11:00","from":"buyer","text":"a\\u0000b"},{"time":"2025-05-03 11:01","from":"buyer","attachments":"IMG_9.jpg"},{"time":"2025-05-03 11:02","from":"buyer","text":7},{"time":"2025-05-03 11:03","from":"buyer","text":["x"]}]}' $O >types.json
cf ingest $O types.json
expect_rc 3 "20 exit 3"
expect_err "types.json: message 1: 'text': 1 NUL character \(\\\\u0000\) replaced with U\+FFFD" \
	"21 an escaped NUL warns like a raw one"
expect_err "types.json: message 2: 'attachments' given as a string" "22 attachments as a string"
expect_err "types.json: message 3: 'text' given as a number" "23 text as a number"
expect_err "types.json: message 4: 'text' is not a string" "24 text as a list"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# t4701 (issue 12, 2026-12): the chat transcript reads in time order (it
# followed the file), marks each message that stands elsewhere in the
# file, shows milliseconds where the original has them, and never shows
# the fields kept beside the text; the statement quotes the buyer's own
# words only.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"
export CASEFILE_NOW='2025-05-05 12:00'
O=6931000000000071
make_order $O
# the fixture's chat starts 10:12; this one is shuffled around 09:00
printf '时间,发送方,昵称,内容,消息ID\n' >order.csv
for m in 3 1 4 2; do
	case $m in
	1) printf '2025-05-03 09:00:01.250,买家,小**,第一句我要退款,m1\n' ;;
	2) printf '2025-05-03 09:00:02,商家,客服-阿青,第二句请拍照,m2\n' ;;
	3) printf '2025-05-03 09:00:03,买家,小**,第三句好的,m3\n' ;;
	4) printf '2025-05-03 09:00:01.500,商家,客服-阿青,第1.5句收到,m4\n' ;;
	esac
done >>order.csv
cf ingest --quiet $O order.csv
expect_rc 0 "1 the shuffled chat is ingested"
cf build $O -o d.pdf
expect_unsealed "2 build"
pdftotext -layout d.pdf d.txt 2>txt.err
check "3 pdftotext prints no warnings" test ! -s txt.err
tr -d '\n ' <d.txt >flat.txt
# the transcript: from the note above it on
sed -n '/按时间顺序显示/,$p' d.txt | tr -d '\n ' >chat.txt
check "4 the note above the transcript" grep -q '按时间顺序显示' flat.txt
check "5 the transcript is in time order" sh -c \
	"grep -o '第一句我要退款\|第1.5句收到\|第二句请拍照\|第三句好的' chat.txt | head -4 | tr -d '\n' | grep -qx '第一句我要退款第1.5句收到第二句请拍照第三句好的'"
check "6 messages out of file order are marked with their place" sh -c \
	"grep -q '第一句我要退款\[文件第2条\]' chat.txt && grep -q '第三句好的\[文件第1条\]' chat.txt"
check "7 milliseconds where the original has them" grep -q '09:00:01.250' d.txt
check_not "8 none where it has none" grep -q '09:00:02\.000' d.txt
check_not "9 the extra column is not rendered" grep -q 'm1\|消息ID' d.txt
check "10 the timeline's first message is the earliest" sh -c \
	"grep -q '首条聊天消息·买家:第一句我要退款' flat.txt"
cf statement $O --reason quality
expect_rc 0 "11 statement"
expect_out "第一句我要退款" "12 it quotes the buyer's first words"
expect_no_out "消息ID|m1\]" "13 and nothing beside them"
done_testing

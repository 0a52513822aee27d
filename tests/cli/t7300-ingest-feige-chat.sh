#!/bin/sh
# SPDX-License-Identifier: MIT
# 飞鸽-style transcripts (issue 15): a line with the sender's name and the
# time, the text on the next lines.  Who a sender is comes from the shop's
# agents (shop.agents) and the order's buyer nickname, never from words in
# the name; anything else is "unknown" with a warning.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001
cf init
cp "$FIXTURES/chat-feige.txt" chat.txt

# 1-4: stored as chat, multi-line messages kept whole, unknown senders warned
cf ingest $O chat.txt
expect_rc 0 "a 飞鸽 transcript is a chat"
check "five messages" test "$(sql "SELECT count(*) FROM messages")" = 5
check "a message's lines stay one text" test "$(sql "SELECT text FROM messages WHERE seq = 1")" = "$(printf '你好，收到的杯子碎了\n外箱也压坏了，你们怎么包装的')"
check "stored sender is unknown, the name kept" test "$(sql "SELECT group_concat(sender || ':' || name, ' ') FROM messages")" = "unknown:用户7781** unknown:客服-阿青 unknown:用户7781** unknown:小青 unknown:系统消息"
expect_err "sender '客服-阿青' \(1 message\) is neither a shop agent nor the buyer of order $O: shown as unknown" "warns about each unknown sender"
expect_err "sender '用户7781\*\*' \(2 messages\)" "counts the messages"

# 7-9: the words 用户/客服 in a name decide nothing
check "no role guessed from 用户 or 客服" test "$(sql "SELECT count(*) FROM messages WHERE sender <> 'unknown'")" = 0
cf show $O --messages
expect_out 'message 2 .* unknown \(客服-阿青\)' "show: unknown before the agents are known"
expect_out 'unknown_sender 5' "show counts them"

# 10-13: agents from the vault setting, the buyer from the order record
cf config shop.agents '客服-阿青，小青'
expect_clean "set shop.agents"
cat >order.json <<J
{"order_id": "$O", "shop": "青瓷小铺", "created_at": "2026-11-26 09:12:40",
 "buyer": {"nick": "用户7781**"}, "items": [], "total": "89.00"}
J
cf ingest $O order.json
cf show $O --messages
expect_out 'message 1 .* buyer \(用户7781\*\*\)' "the order's buyer nickname makes the buyer"
expect_out 'message 2 .* merchant \(客服-阿青\)' "an agent is the merchant"
expect_out 'message 5 .* unknown \(系统消息\)' "anyone else stays unknown"

# 14: the stored rows did not change: read-time resolution, audit clean
cf audit
expect_rc 0 "audit: parsed rows still what the original says"

# 15: check runs over the transcript
cf dispute open $O --reason quality --requested-at '2026-12-02 10:40'
cf check $O
expect_out "买家提供的问题照片|与买家的沟通记录" "check runs on the transcript"

# 16: a name line that is not followed by text is still a message
printf '用户1  2026-12-02 10:00:00\n\n客服-阿青  2026-12-02 10:01:00\n好的\n' >c2.txt
cf ingest $O c2.txt
check "an empty message is kept" test "$(sql "SELECT count(*) FROM messages m JOIN evidence e ON e.id = m.evidence_id WHERE e.name = 'c2.txt'")" = 2

# 17-18: malformed: a time that does not exist, and a name with a colon
printf '用户1  2026-02-30 10:00:00\n你好\n' >bad.txt
cf ingest $O bad.txt
expect_rc 3 "an impossible date is bad input"
expect_err "bad.txt: line 1: bad time" "names the line"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# Helpful "not recognised" messages (issue 15): the shapes tried, the
# nearest and what it expects, the first line, and how to tell casefile.
# Items left out with `exclude`: no exhibit, the dossier's index says how
# many and why, manifest.json still lists them.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001
cf init

# 1-4: a transcript-like text, a table with unknown headers, plain text
printf '客服 阿青 在 10:31 说：\n2026-12-02 你好\n' >near.txt
printf 'a,b,c\n1,2,3\n' >t.csv
printf 'hello world\n' >h.txt
cf ingest $O near.txt t.csv h.txt
expect_rc 3 "not recognised: exit 3, stored as other"
expect_err "near.txt: content not recognised as a chat log, logistics or order record: looks like a chat transcript, but no line matched 'YYYY-MM-DD HH:MM:SS ROLE\(NAME\): text'.* or 'NAME  YYYY-MM-DD HH:MM:SS'.*first line was: '客服 阿青 在 10:31 说：'; if it is one, say so: 'casefile tag ITEM --kind" "transcript-like: the nearest shape and the first line"
expect_err "t.csv: .*looks like a table, but its header names no known columns \(a chat needs 时间 and 内容, a courier trace 时间 and 状态 or 描述, an order export 主订单编号 or 订单号" "table-like: what the headers must be"
expect_err "h.txt: .*tried JSON, CSV with a header and chat transcripts, and no shape came near; first line was: 'hello world'" "plain text: what was tried"

# 5-6: told what it is: `tag --kind chat` on the stored bytes
printf '用户1 2026-12-02 10:00:00\n你好\n' >later.txt
cf ingest $O later.txt
check "a single-space name line with text below is read" test "$(sql "SELECT kind FROM evidence WHERE name = 'later.txt'")" = chat
id=$(sql "SELECT id FROM evidence WHERE name = 'near.txt'")
cf tag $id --kind chat
expect_err "cannot read 'near.txt' as chat: no messages found: .*; nothing changed" "told it is a chat, it still is none: nothing changed"

# 7-12: exclude: index and manifest of an unsigned dossier
cp "$FIXTURES/order.json" order.json
cf ingest $O order.json
hid=$(sql "SELECT id FROM evidence WHERE name = 'h.txt'")
cf exclude $hid --reason '无关的备忘'
cf exclude t.csv --reason x
expect_rc 2 "exclude needs an ITEM, not a file name"
cf dispute open $O --reason quality --requested-at '2025-05-03 10:00'
cf build $O --no-sign -o d.pdf
expect_rc 0 "build with a left-out item"
pdftotext -layout d.pdf d.txt
check "the index says one item was left out and why" grep -q "以下 1 件证据未列入本卷宗" d.txt
check "names it with its reason" grep -Eq "#$hid +h.txt +sha256 [0-9a-f]{16}… +— +无关的备忘" d.txt
pdfdetach -save "$(pdfdetach -list d.pdf | sed -n 's/^\([0-9]*\): manifest.json$/\1/p')" -o manifest.json d.pdf
check "manifest.json lists it under left_out" sh -c "grep -q '\"left_out\":\[{\"evidence_id\":$hid,\"name\":\"h.txt\",\"sha256\":\"[0-9a-f]*\",\"size\":12,\"reason\":\"无关的备忘\"}\]' manifest.json"
check "it is not attached" sh -c "! pdfdetach -list d.pdf | grep -q 'h.txt'"
done_testing

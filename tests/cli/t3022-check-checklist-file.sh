#!/bin/sh
# SPDX-License-Identifier: MIT
# check with a merchant-edited checklist: their own items are used, and a
# syntax error names the file and line (exit 3, nothing changed).
. "$(dirname "$0")/../lib.sh"
export CASEFILE_NOW='2025-05-05 12:00'
cf init
cf ingest 6931000000000001 "$FIXTURES/chat.json" "$FIXTURES/order.json"
cf dispute open 6931000000000001 --reason quality
cat >mine.txt <<'X'
# our own list
[质量问题]
required | 客服请买家拍外包装 | chat keyword=外包装 from=merchant
required | 买家说外包装完好 | chat keyword=外包装是好的 from=buyer
recommended | 质检单 | evidence kind=receipt
X
cf check 6931000000000001 --checklist mine.txt
expect_clean "own checklist satisfied"
expect_out "^have +\[required\] +客服请买家拍外包装$" "own item used"
expect_out "证据2 \(evidence #1\) chat 'chat.json': 2025-05-03 10:14 merchant: 您好,麻烦拍一下外包装和裂痕的位置" "cites the message with its China time, by exhibit number"
expect_out "2025-05-03 10:20 buyer: 外包装是好的,拆开就这样了" "buyer's own words quoted"
expect_out "^MISSING  \[recommended\] 质检单$" "recommended item missing does not fail"
# the number is the dossier's: its exhibit index lists chat.json as 2
cf build 6931000000000001 -o d.pdf --no-sign  # numbering only; signing is t4010
expect_unsealed "dossier built"
check "the dossier numbers chat.json 2 too" sh -c \
	"pdftotext -layout d.pdf - | sed -n '/^证据目录\$/,/^CF-/p' | grep -Eq '^2 +聊天记录：.* chat.json$'"
cf check 6931000000000001 --checklist mine.txt --json
check "json gives exhibit and evidence id" sh -c \
	"jq -e '.items[0].evidence[0] | .exhibit == 2 and .evidence_id == 1 and .kind == \"chat\"' '$out'"

printf '[quality]\nrequired | x | chat keyword=a\nrequired | y | evidence kind=pic\n' >broken.txt
before=$(sql .dump | sha256sum)
cf check 6931000000000001 --checklist broken.txt
expect_rc 3 "broken checklist"
expect_err "^casefile: checklist 'broken.txt': line 3: unknown kind 'pic'" "file and line named"
check "vault unchanged" test "$(sql .dump | sha256sum)" = "$before"

printf '[not_received]\nrequired | x | chat keyword=a\n' >other.txt
cf check 6931000000000001 --checklist other.txt
expect_rc 3 "no section for the reason"
expect_err "checklist 'other.txt': the checklist has no section '\[quality\]'" "says which section"

cf dispute list --open
expect_clean "list"
cf dispute close 6931000000000001 --outcome withdrawn
cf dispute list --open
expect_out '^no open disputes$' "empty list says so"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# t4801: a chat or logistics file exported again later (the old records
# plus new ones) supersedes the older export: both are kept, attached and
# listed, only the newest is rendered; records shared by files that only
# overlap are rendered once; the timeline has one "first message".
# Regression (2026-12-03, issue 12): the first messages appeared twice and
# the timeline had two "first chat message" entries.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001

msgs() { # msgs N: the first N messages of the conversation, as chat JSON
	awk -v n="$1" 'BEGIN {
		split("收到的杯子有裂痕|您好麻烦拍一下外包装|已经拍好了请看|收到我们马上处理|今天能退款吗", t, "|")
		printf "{\"order_id\": \"'$O'\", \"messages\": [\n"
		for (i = 1; i <= n; i++)
			printf " {\"time\": \"2025-05-03 10:%02d:00\", \"from\": \"%s\", \"text\": \"%s\"}%s\n",
			       i * 5, i % 2 ? "buyer" : "merchant", t[i], i < n ? "," : ""
		printf "]}\n"
	}'
}
events() { # events N: the first N logistics events
	awk -v n="$1" 'BEGIN {
		split("collected|in_transit|out_for_delivery|delivered", s, "|")
		printf "{\"carrier\": \"SF\", \"tracking_no\": \"SF100\", \"events\": [\n"
		for (i = 1; i <= n; i++)
			printf " {\"time\": \"2025-05-0%d 09:00:00\", \"status\": \"%s\", \"location\": \"站点%d\"}%s\n",
			       i, s[i], i, i < n ? "," : ""
		printf "]}\n"
	}'
}

cf init
msgs 3 >chat-0503.json
msgs 4 >chat-0504.json
events 2 >track-0503.json
events 4 >track-0504.json
cf ingest --kind chat $O chat-0503.json chat-0504.json
expect_clean "1 both chat exports are stored"
cf ingest --kind logistics $O track-0503.json track-0504.json
expect_clean "2 both logistics exports are stored"

cf build --no-sign --lang en $O -o d.pdf
expect_rc 0 "3 build"
pdftotext -layout d.pdf d.txt
# numbered in the argument's order (exhibits.h): the newer delivery record
# 1, the chats 2 (older) and 3, the older logistics export 4
check "4 the index lists the older chat as superseded by the newer" \
	sh -c 'pdftotext d.pdf - | tr "\n" " " | grep -q "superseded by Exhibit 3"'
check "5 the older chat's exhibit is a card naming the newer" \
	grep -q "Every record of this file is also in Exhibit 3" d.txt
check "6 the older logistics export is superseded too" \
	grep -q "Every record of this file is also in Exhibit 1" d.txt
check "7 a message in both exports is rendered once" \
	test "$(grep -c '您好麻烦拍一下外包装' d.txt)" = 1
check "8 one 'first chat message' on the timeline" \
	test "$(grep -c 'first chat message' d.txt)" = 1
check "9 a logistics event in both exports is on the timeline once" \
	test "$(grep -c '站点2' d.txt)" = 2	# timeline + the newer table
check "10 both exports stay attached" \
	sh -c 'pdfdetach -list d.pdf | grep -q chat-0503.json && pdfdetach -list d.pdf | grep -q chat-0504.json'

# a third file overlapping only the last two messages, with one more
msgs 5 | awk 'NR == 1 || NR >= 4' >chat-late.json
cf ingest --kind chat $O chat-late.json
expect_clean "11 a partly overlapping chat"
check "12 it holds three messages" test "$(sql "SELECT count(*) FROM messages m JOIN evidence e ON e.id = m.evidence_id WHERE e.name = 'chat-late.json'")" = 3
cf build --no-sign --lang en $O -o d2.pdf
expect_rc 0 "13 build"
pdftotext -layout d2.pdf d2.txt
check "14 the overlap is rendered once, also on the timeline" test "$(grep -c '已经拍好了请看' d2.txt)" = 1
check "15 and named" grep -q "2 record(s) also in Exhibit" d2.txt
check "16 the new message is rendered" grep -q "今天能退款吗" d2.txt
check "17 it is not superseded" test "$(grep -c 'Every record of this file' d2.txt)" = 2

# an edited template whose conversions do not fit falls back, never crashes
cp -r "$CASEFILE_TEMPLATES" tpl
sed -i 's/^not_repeated = .*/not_repeated = %s records %d in %s/; s/^superseded_by = .*/superseded_by = replaced (%n)/; s/^card_superseded = /card_superseded = EDITED /' tpl/en.txt
CASEFILE_TEMPLATES=$SCRATCH/tpl cf build --no-sign --lang en $O -o d4.pdf
expect_rc 0 "18 build with broken templates"
pdftotext -layout d4.pdf d4.txt
check "19 the edited templates are read, a fitting one is used" grep -q "EDITED Every record" d4.txt
check "20 the fallback texts are used" grep -q "2 record(s) also in Exhibit" d4.txt
check "21 for the index too" sh -c 'pdftotext d4.pdf - | tr "\n" " " | grep -q "superseded by Exhibit 3"'

# the same path twice in one archive, older content first
mkdir -p z/$O
python3 - "$O" <<'PY'
import sys, warnings, zipfile
o = sys.argv[1]
warnings.simplefilter("ignore")
with zipfile.ZipFile("dup.zip", "w") as z:
    for name in ("chat-0503.json", "chat-0504.json"):
        z.writestr("orders-2025-05-02/%s/chat.json" % o, open(name, "rb").read())
PY
CASEFILE_VAULT=$SCRATCH/v2; export CASEFILE_VAULT
cf init
cf import dup.zip
check "22 both entries of the same path are stored" test "$(sql "SELECT count(*) FROM evidence WHERE name = 'chat.json'")" = 2
cf build --no-sign --lang en $O -o d3.pdf
expect_rc 0 "23 build"
pdftotext -layout d3.pdf d3.txt
check "24 the first entry is superseded by the second" grep -q "Every record of this file is also in Exhibit 2" d3.txt
check "25 its messages are rendered once" test "$(grep -c '您好麻烦拍一下外包装' d3.txt)" = 1
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile build: how chat messages read in the transcript — attachment
# names (not JSON) with the exhibit they match.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000010
make_order $O
cat >chat2.json <<JSON
{"order_id": "$O", "messages": [
 {"time": "2025-05-03 11:00:00", "from": "buyer", "name": "小**",
  "text": "再补两张", "attachments": ["IMG_0001.jpg", "不在库里.png"]}]}
JSON
cf ingest --quiet --kind chat $O chat2.json
expect_clean "second chat ingested"
cf build $O -o d.pdf
expect_clean "build"
pdftotext d.pdf d.txt 2>txt.err
check "pdftotext prints no warnings" test ! -s txt.err
check "one attachment: its name and exhibit" grep -q '^\[附件: IMG_0001.jpg → 证据5\]$' d.txt
check "several attachments comma-separated, a reference only for an exhibit" \
	grep -q '^\[附件: IMG_0001.jpg → 证据5, 不在库里.png\]$' d.txt
check_not "no JSON in the transcript" grep -q '\["' d.txt
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# make demo (issue 16): the demo's own sample passes its own check (its
# shelf photo is a JPEG the Douyin profile accepts), the transcript prints
# each command with the quoting a shell needs, and the dossier it builds
# reads as the arbiter needs it (zone once, the index in words, the
# summary box, no internal codes, no instructions for the merchant).
. "$(dirname "$0")/../lib.sh"
unset CASEFILE_NOW
! pg_mode || export CASEFILE_DEMO_DB="$(pg_new_db)"
CASEFILE_DEMO_OUT=$PWD/demo CASEFILE_BIN=$CASEFILE_BIN CASEFILE_TSA_SERVER=$CASEFILE_TOOLS/tsa_server \
	sh "$SRC_DIR/examples/demo.sh" >demo.log 2>demo.err
echo $? >demo.rc
check "1 the demo runs to the end" test "$(cat demo.rc)" = 0
check "2 arguments with spaces are quoted" grep -qF "\$ casefile keygen --cn '青瓷小铺 售后' --org '青瓷小铺'" demo.log
check "3 plain arguments are not" grep -qF '$ casefile show 6931000000000002' demo.log
# the check of the disputed order, and its exit status right after it
sed -n '/^\$ casefile check 6931000000000002$/,/^(exit/p' demo.log >check.log
check "4 the sample passes its own check" grep -qx '(exit 0)' check.log
check_not "5 no limit exceeded" grep -q '^LIMIT' check.log
check_not "6 no WebP left in the sample" sh -c "ls '$SRC_DIR'/examples/orders-2025-05-02/*/photos | grep -qi webp"
pdftotext -layout demo/dossier-6931000000000002.pdf d.txt
check "7 the zone said in the header" grep -q '时间均为北京时间 UTC+8' d.txt
check_not "8 no +08:00 on each time" grep -q '+08:00' d.txt
check_not "9 nothing '（未记录）'" grep -q '未记录）' d.txt
check "10 the summary box" grep -q '商家立场：不同意退款' d.txt
check "11 the index in words" grep -q '驿站取件记录：5月2日 12:47' d.txt
check "12 what it proves" grep -q '包裹已于5月2日 12:47送达并签收/取件' d.txt
tr -d '\n ' <d.txt >joined.txt	# lines wrap inside sentences
check "13 the statement cites the pickup record as exhibit 1" grep -q '签收人:菜鸟驿站代收,如有疑问请联系派件员”，见证据1。' joined.txt
check "15 the tagged station screenshot is cited second" grep -Eq '证据2 +签收/取件照片' d.txt
for word in '单据 | 单据' 'casefile seal' '--no-' 'not_received' 'in_transit' 'event(s)'; do
	check_not "14 no '$word' in the dossier" grep -qF -- "$word" d.txt
done
done_testing

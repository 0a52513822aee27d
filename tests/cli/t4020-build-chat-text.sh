#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile build: how chat messages read in the transcript — attachment
# names (not JSON) with the exhibit they match, and the phone and address
# forms people type masked while ids, amounts and times stay; the dispute's
# claim (free text) masked on the cover and in the statement; already
# compressed originals (JPEG, MP4) attached without /FlateDecode.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000010
make_order $O
cat >chat2.json <<JSON
{"order_id": "$O", "messages": [
 {"time": "2025-05-03 11:00:00", "from": "buyer", "name": "小**",
  "text": "再补两张", "attachments": ["IMG_0001.jpg", "不在库里.png"]},
 {"time": "2025-05-03 11:01:00", "from": "buyer", "text": "电话+86 138 1234 5678"},
 {"time": "2025-05-03 11:02:00", "from": "buyer", "text": "或者138-1234-5678"},
 {"time": "2025-05-03 11:03:00", "from": "buyer", "text": "或者+8613900001111"},
 {"time": "2025-05-03 11:04:00", "from": "buyer", "text": "或者86-137-0000-2222"},
 {"time": "2025-05-03 11:05:00", "from": "buyer", "text": "寄到北京市朝阳区建国路88号SOHO现代城2号楼3单元1501"},
 {"time": "2025-05-03 11:06:00", "from": "buyer", "text": "身份证11010119900307123X"},
 {"time": "2025-05-03 11:07:00", "from": "merchant", "text": "单号6931000000000001 SF1234567890 89.00元 5月3号 10:12:00"}]}
JSON
cf ingest --quiet --kind chat $O chat2.json
expect_clean "second chat ingested"
cf build $O -o d.pdf
expect_unsealed "build"
pdftotext d.pdf d.txt 2>txt.err
check "pdftotext prints no warnings" test ! -s txt.err
check "one attachment: its name and exhibit" grep -q '^\[附件: IMG_0001.jpg → 证据6\]$' d.txt
check "several attachments comma-separated, a reference only for an exhibit" \
	grep -q '^\[附件: IMG_0001.jpg → 证据6, 不在库里.png\]$' d.txt
check_not "no JSON in the transcript" grep -q '\["' d.txt
tr -d '\n' <d.txt >flat.txt
for raw in '138 1234 5678' 13812345678 '138-1234-5678' 13900001111 '137-0000-2222' \
	   建国路 88号 SOHO现代城 单元1501 11010119900307123X; do
	check "no raw '$raw' in the dossier" sh -c "! grep -qF '$raw' flat.txt"
done
check "+86 form masked" grep -qF '电话+86 138****5678' d.txt
check "dashed form masked" grep -qF '或者138****5678' d.txt
check "glued country code masked" grep -qF '或者+86139****1111' d.txt
check "86- form masked" grep -qF '或者86-137****2222' d.txt
check "address cut after the district" grep -qF '寄到北京市朝阳区****' d.txt
check "ID number masked" grep -qF '身份证110101********123X' d.txt
check "ids, amounts, dates and times intact" \
	grep -qF '单号6931000000000001 SF1234567890 89.00元 5月3号 10:12:00' d.txt

# Attachments: JPEG and MP4 are stored as they are (deflating them gains
# nothing and costs time), JSON is deflated; raw stream data = the original.
att_obj() { # att_obj PDF NAME-SUFFIX: object number of the attachment's stream
	qpdf --json=2 --json-key=attachments "$1" |
		jq -r --arg s "$2" '.attachments | to_entries[] | select(.key | endswith($s)) | .value.preferredcontents' |
		cut -d' ' -f1
}
for a in IMG_0001.jpg:image/jpeg pack.mp4:video/mp4; do
	f=${a%%:*}; obj=$(att_obj d.pdf "-$f")
	check "$f: attachment stream found" test -n "$obj"
	qpdf --show-object="${obj:-0}" d.pdf >obj.txt 2>&1
	check "$f: /Subtype /${a#*:}" grep -qF "/Subtype /$(echo "${a#*:}" | sed 's|/|#2f|')" obj.txt
	check_not "$f: no /FlateDecode" grep -q FlateDecode obj.txt
	qpdf --show-object="${obj:-0}" --raw-stream-data d.pdf >raw.bin 2>/dev/null
	check "$f: the raw stream is the original" cmp -s raw.bin "in-$O/$f"
done
obj=$(att_obj d.pdf -chat.json)
qpdf --show-object="${obj:-0}" d.pdf >obj.txt 2>&1
check "a JSON attachment is deflated" grep -q FlateDecode obj.txt

# The dispute's claim is free text: masked unless --no-mask.
cf dispute open $O --reason quality --claim '仅退款 杯子裂了 13812345678' --amount 89.00 \
	--requested-at '2025-05-04 09:00'
expect_clean "dispute with a phone number in the claim"
cf build $O -o dsp.pdf
expect_unsealed "build with the dispute"
pdftotext dsp.pdf dsp.txt
tr -d '\n' <dsp.txt >dspflat.txt
check "the claim on the cover is masked" grep -qF '诉求: 仅退款 杯子裂了 138****5678 (89.00)' dsp.txt
check "the claim in the statement is masked" grep -qF '杯子裂了 138****5678”。' dspflat.txt
check_not "no unmasked phone anywhere" grep -q 13812345678 dspflat.txt
cf build $O -o dspnm.pdf --no-mask
expect_unsealed "build with the dispute, --no-mask"
pdftotext dspnm.pdf dspnm.txt
check "--no-mask: the claim in full on the cover" grep -qF '诉求: 仅退款 杯子裂了 13812345678 (89.00)' dspnm.txt
check "--no-mask: the claim in full in the statement" sh -c "tr -d '\n' <dspnm.txt | grep -qF '杯子裂了 13812345678”。'"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile pack: every platform profile's limits — number of images, bytes
# per image, accepted format, statement length counted the platform's way
# (characters, or bytes for taobao.refund.message.add) (issue 14).
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/pack-fixture.sh"

O=6931000000000002
make_pack_order $O || { echo "Bail out! fixture"; exit 1; }
# a long statement, so the text limits bite
sql "update disputes set claim = '$(python3 -c 'print("买家称杯子破损要求仅退款" * 40)')'" 2>/dev/null

# name images bytes max_text count
for p in "douyin 4 2097152 500 chars" "douyin-reject 4 2097152 200 chars" \
	 "wxshop 4 2097152 500 chars" "wxpay 4 2097152 200 chars" \
	 "taobao-refuse 1 130000 200 chars" "taobao-message 1 500000 400 bytes"; do
	set -- $p
	cf pack $O --platform $1 -o $1.zip --json
	expect_rc 0 "$1: packed"
	mkdir $1 && (cd $1 && unzip -q ../$1.zip)
	n=$(ls $1/card-*.jpg | wc -l)
	check "$1: $n image(s), at most $2" test "$n" -le "$2" -a "$n" -ge 1
	check "$1: every image at most $3 bytes" sh -c \
		"for f in $1/card-*.jpg; do [ \$(stat -c %s \$f) -le $3 ] || exit 1; done"
	check "$1: JPEG, an accepted format" sh -c "for f in $1/card-*.jpg; do identify -format '%m' \$f | grep -qx JPEG || exit 1; done"
	check "$1: the caption stays legible (card at least 600 px wide)" sh -c \
		"for f in $1/card-*.jpg; do [ \$(identify -format '%w' \$f) -ge 600 ] || exit 1; done"
	if [ $5 = bytes ]; then
		len=$(tr -d '\n' <$1/statement.txt | wc -c)
	else
		len=$(python3 -c "import sys; print(len(open(sys.argv[1], encoding='utf-8').read().rstrip(chr(10))))" $1/statement.txt)
	fi
	check "$1: statement $len $5, at most $4" test "$len" -le "$4"
	check "$1: kit.json counts the same way" jq -e ".statement.count == \"$5\" and .statement.max == $4 and .statement.length == $len" $1/kit.json
	check "$1: statement is valid UTF-8" iconv -f UTF-8 -t UTF-8 $1/statement.txt
done
# statement_variant: after the last whole sentence that fits, else "…"
check "taobao-message: statement cut after a whole sentence (or with …)" sh -c "tr -d '\n' <taobao-message/statement.txt | tail -c 3 | grep -Eq '。|！|…|\.\$'"
cf pack $O --platform taobao-refuse -o t.zip
expect_err "" "taobao-refuse: all figures published, no unverified warning"
check "taobao-refuse: no 'unverified' in stderr" sh -c "! grep -q unverified '$err'"
check "taobao-refuse: a single card under 130,000 bytes took a smaller size or quality" \
	jq -e '.images[0].spec.width < 1080 or .images[0].spec.quality < 85 or .images[0].bytes <= 130000' taobao-refuse/kit.json

# aliases and unknown names
cf pack $O --platform wechat -o w.zip --json
check "wechat is wxshop" sh -c "unzip -p w.zip kit.json | jq -e '.platform == \"wxshop\" and .api.images_field == \"media_id_list\"'"
cf pack $O --platform jd -o j.zip
expect_rc 2 "unknown platform: usage error"
expect_err "unknown platform 'jd' \(one of: douyin, douyin-reject, wxshop, wxpay, taobao-refuse, taobao-message\)" "names the platforms"
check "nothing written for a usage error" test ! -e j.zip
done_testing

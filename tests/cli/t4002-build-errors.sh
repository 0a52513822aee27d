#!/bin/sh
# SPDX-License-Identifier: MIT
# casefile build: usage errors, unknown orders, --no-attach-media, and a
# failed build never leaving a half PDF at the target.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000004
make_order $O

cf build 6931999999999999 -o x.pdf
expect_rc 2 "unknown order: exit 2"
expect_err "no evidence for order '6931999999999999'" "message names the order"
check "no output for an unknown order" test ! -e x.pdf
cf build
expect_rc 2 "no order: usage error"
expect_err "try 'casefile build --help'" "usage hint"
cf build $O --lang fr
expect_rc 2 "unknown language"
cf build $O --no-attach-media=lots
expect_rc 2 "bad size for --no-attach-media"
cf build 'bad/order'
expect_rc 2 "bad order id"
cf build --help
expect_clean "--help works without a vault"
expect_out 'no-attach-media' "help lists the options"

# --no-attach-media: photos and videos are listed, not attached
cf build $O -o m.pdf --no-attach-media --now 2025-05-04T02:00:00Z
expect_unsealed "build without media"
pdfdetach -list m.pdf >list.txt
check "only chat, order, logistics, manifest and proofs attached" grep -q '^5 embedded files' list.txt
mkdir x && (cd x && pdfdetach -saveall ../m.pdf)
check "left-out media have attachment null" jq -e '[.exhibits[] | select(.attachment == null) | .kind] | sort == ["photo","video"]' x/manifest.json
(cd x && manifest_sums manifest.json >SUMS)
check "the attached ones still verify" sh -c 'cd x && sha256sum -c SUMS'
pdftotext m.pdf m.txt
check "left-out files are listed as such" grep -q '未附带' m.txt
# a size threshold: the 150 KB video stays out, nothing else
cf build $O -o s.pdf --no-attach-media=100K
expect_unsealed "build with a size threshold"
check "photo over 100K? only files over the limit left out" sh -c \
	"mkdir y && cd y && pdfdetach -saveall ../s.pdf && jq -e '[.exhibits[] | select(.attachment == null) | .size > 102400] | all' manifest.json"

# a failed build leaves an existing target untouched and no temp file
echo keep >old.pdf
mkdir tpl && printf 'lang = zh\nthis line is broken\n' >tpl/zh-CN.txt
cf build $O -o old.pdf --templates tpl
expect_rc 3 "malformed templates: bad input"
expect_err "zh-CN.txt': line 2" "message names the file and line"
check "target untouched" test "$(cat old.pdf)" = keep
check "no temp file" sh -c '! ls old.pdf.tmp-* 2>/dev/null'
cf build $O -o nodir/x.pdf
expect_rc 5 "unwritable target: system error"
expect_err "nodir/x.pdf" "message names the target"
done_testing

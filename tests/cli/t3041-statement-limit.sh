#!/bin/sh
# SPDX-License-Identifier: MIT
# statement: the character limit counts Unicode characters of mixed Chinese
# and ASCII text (checked with wc -m under a UTF-8 locale), never cuts a
# character in half, comes from the profile unless --max-chars; the dossier
# uses the very same text.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"
export CASEFILE_NOW='2025-05-05 12:00' LC_ALL=C.UTF-8
O=6931000000000041
make_order $O
cf dispute open $O --reason damaged_in_transit --claim 'refund 仅退款' --requested-at '2025-05-04 10:00'

cf statement $O --max-chars 100000
full=$(($(wc -m <"$out") - 1))
check "1 the full draft is long enough to cut ($full characters)" test "$full" -gt 200
n=1
for max in 1 2 3 7 50 99 100 101 $((full - 1)) $full; do
	cf statement $O --max-chars $max
	got=$(($(wc -m <"$out") - 1))
	n=$((n + 1)); expect_rc 0 "$n --max-chars $max: ok"
	n=$((n + 1)); check "$n --max-chars $max: $got characters" test "$got" -le "$max"
	n=$((n + 1)); check "$n --max-chars $max: valid UTF-8" iconv -f UTF-8 -t UTF-8 "$out" -o /dev/null
	if [ "$max" -lt "$full" ]; then
		n=$((n + 1)); check "$n --max-chars $max: ends with …" sh -c "[ $max -lt 4 ] || tail -c 4 '$out' | grep -q '…'"
		n=$((n + 1)); expect_err "statement cut from $full to $got characters \(limit $max\)" "$n says it cut"
	else
		n=$((n + 1)); check "$n --max-chars $max: not cut" sh -c "! grep -q '…' '$out'"
		n=$((n + 1)); expect_clean "$n --max-chars $max: nothing on stderr"
	fi
done
# byte-level: a cut never leaves half of a 3-byte character
cf statement $O --max-chars 23
n=$((n + 1)); check "$n 23 characters of mixed text: exactly 23 or fewer, whole characters" \
	sh -c "head -c -1 '$out' | iconv -f UTF-8 -t UTF-32LE | test \$(wc -c) -le 92"

# the profile's limit
sed 's/^statement_max_chars = .*/statement_max_chars = 120/; s/^name = .*/name = tight/' \
	"$SRC_DIR/templates/profiles/douyin.conf" >tight.conf
cf statement $O --profile ./tight.conf
n=$((n + 1)); expect_rc 0 "$n --profile with a 120-character limit"
n=$((n + 1)); check "$n at most 120 characters" test $(($(wc -m <"$out") - 1)) -le 120
n=$((n + 1)); expect_err "limit 120 of profile 'tight'" "$n says which limit"
cf statement $O
n=$((n + 1)); check "$n the default profile (douyin) allows 500" test $(($(wc -m <"$out") - 1)) -le 500
cf --json statement $O --profile ./tight.conf --max-chars 60
n=$((n + 1)); check "$n --max-chars overrides the profile" jq -e '.max_chars == 60 and .truncated and .chars <= 60' "$out"

# the dossier's Statement section is the same text, same limit
# the statement: from its first line to the timeline, which follows it on
# its page (below the summary box)
squash() { tr -d ' \n\f' ; }
cf statement $O --max-chars 150
cp "$out" st150.txt
cf build $O --max-chars 150 -o d150.pdf
n=$((n + 1)); expect_unsealed "$n build with --max-chars 150"
pdftotext -f 2 -l 2 d150.pdf - | sed -n '/^关于订单/,/^时间线$/p' | sed '$d' | squash >sec150.txt
n=$((n + 1)); check "$n the dossier's statement is the cut statement" \
	sh -c "squash() { tr -d ' \n\f'; }; squash <st150.txt | cmp -s - sec150.txt"
cf statement $O --profile ./tight.conf
cp "$out" st120.txt
cf build $O --profile ./tight.conf -o d120.pdf
pdftotext -f 2 -l 2 d120.pdf - | sed -n '/^关于订单/,/^时间线$/p' | sed '$d' | squash >sec120.txt
n=$((n + 1)); check "$n build --profile uses the profile's limit too" \
	sh -c "squash() { tr -d ' \n\f'; }; squash <st120.txt | cmp -s - sec120.txt"
cf statement $O
cp "$out" st500.txt
cf build $O -o d.pdf
pdftotext -f 2 -l 2 d.pdf - | sed -n '/^关于订单/,/^时间线$/p' | sed '$d' | squash >sec.txt
n=$((n + 1)); check "$n default build: the same text as the default statement" \
	sh -c "squash() { tr -d ' \n\f'; }; squash <st500.txt | cmp -s - sec.txt"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# check: the profile's submission limits — photo count, size and format,
# statement length in characters (mixed Chinese/ASCII), each with a fix.
. "$(dirname "$0")/../lib.sh"
export CASEFILE_NOW='2025-05-05 12:00'
cf init
O=6931000000000001
cf ingest $O "$FIXTURES/chat.json" "$FIXTURES/order.json"
cf dispute open $O --reason other
cf check $O
expect_clean "within every limit"
expect_out 'limits exceeded: 0' "no limit problem"

# Statement: 300 Chinese characters + 200 ASCII = 500 characters, 1100 bytes.
awk 'BEGIN{for(i=0;i<300;i++)printf "证"; for(i=0;i<200;i++)printf "a"; print ""}' >s500.txt
cf check $O --statement s500.txt
expect_clean "500 characters fit (bytes are not characters)"
expect_out '^statement: 500 characters \(limit 500\)$' "counted in characters"
awk 'BEGIN{for(i=0;i<300;i++)printf "证"; for(i=0;i<200;i++)printf "a"; print "据"}' >s501.txt
cf check $O --statement s501.txt
expect_rc 3 "501 characters"
expect_out "^LIMIT    statement 's501.txt': 501 characters, the form takes 500; cut 1 characters$" "says what to cut"
expect_err "0 required items missing, 1 limit exceeded" "stderr summary"
printf '\377\376' >bad.txt
cf check $O --statement bad.txt
expect_clean "invalid bytes count one each"
expect_out '^statement: 2 characters' "two invalid bytes"
cf check $O --statement nosuch.txt
expect_rc 3 "missing statement file"
expect_err "cannot open statement 'nosuch.txt'" "names it"

# Photo format: WebP is not accepted by the default profile.
cf ingest $O "$FIXTURES/photo.webp"
cf check $O
expect_rc 3 "webp refused"
expect_out "^LIMIT    photo #[0-9]+ 'photo.webp': format webp is not accepted \(accepted: jpeg, png\); convert it to jpeg$" "format and fix"

# Photo size and count against a stricter profile (by path).
sed -e 's/^images_per_submission = 9/images_per_submission = 3/' \
    -e 's/^max_file_size = 5MB/max_file_size = 1KB/' \
    -e 's/^accepted_formats = jpeg, png/accepted_formats = jpeg, png, webp/' \
	"$SRC_DIR/templates/profiles/douyin.conf" >strict.conf
for i in 1 2 3; do
	convert -size 64x64 "plasma:red-blue" -seed $i "p$i.jpg"
done
cf ingest $O p1.jpg p2.jpg p3.jpg
cf check $O --profile "$SCRATCH/strict.conf" --json
expect_rc 3 "count and size limits"
check "four photos, the form takes 3" grep -q '"what":"photos","problem":"4 photos, the form takes 3 per submission","fix":"choose the 3 that show the point best (leave out 1)"' "$out"
big=$(sql "SELECT count(*) FROM evidence WHERE order_id='$O' AND kind='photo' AND size > 1024")
check "each photo over 1 KB is named ($big)" test "$(grep -o '"fix":"compress or resize it before uploading"' "$out" | wc -l)" = "$big"
check "webp accepted by this profile" sh -c "! grep -q 'format webp' '$out'"
check "json counts" grep -q "\"limits_exceeded\":$((big + 1))" "$out"
done_testing

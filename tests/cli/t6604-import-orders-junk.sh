#!/bin/sh
# SPDX-License-Identifier: MIT
# import (issue 12): only folders that look like order ids become orders
# (order.id_pattern, default 6-32 digits), junk is skipped but always
# named, and two entries of one path are both stored with a warning.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-bundle.sh"

O=6931000000000001
chat='{"messages":[{"time":"2025-05-03T10:12:00+08:00","from":"buyer","text":"你好"}]}'
_png >p.png

# 1. A tar of ustar/, gnu/, misc/ and images/ folders next to a real order.
cf init
"$MKARCHIVE" t.tar tar "f:ustar/a.txt=x" "f:gnu/b.txt=y" "f:misc/c.json=$chat" \
	"F:images/p.png=p.png" "f:$O/chat.json=$chat" "f:12345/chat.json=$chat"
cf import t.tar
expect_rc 3 "1 folders that are no order ids: exit 3"
check "2 only the order folder became an order" test "$(sql 'SELECT group_concat(DISTINCT order_id) FROM evidence')" = $O
for f in ustar gnu misc images 12345; do
	expect_err "entry '$f/[a-z.]+': folder '$f' is not an order id \(order\.id_pattern '\^\[0-9\]\{6,32\}\\$'\): skipped$" "3 folder $f named, not imported"
done
expect_out "1 orders, 1 files, 1 new, 0 duplicate, 5 refused" "4 summary"

# 2. The pattern is a vault setting, checked by config.
cf config order.id_pattern '[0-9]{5}|[a-z]+'
expect_clean "5 order.id_pattern set"
cf config order.id_pattern '[0-9]{6'
expect_rc 2 "6 a pattern that does not compile is refused" || :
expect_err "not a POSIX extended regular expression" "7 ... saying why"
cf config order.id_pattern '(x'
check "8 the stored pattern is unchanged by the refusals" test "$(cf config order.id_pattern; cat "$out")" = '[0-9]{5}|[a-z]+'
rm -rf "$SCRATCH/vault"; cf init
cf config order.id_pattern '[0-9]{5}|[a-z]+'
cf import t.tar
expect_rc 3 "9 import with the vault's own pattern"
check "10 the folders the pattern matches are orders (whole id)" \
	test "$(sql 'SELECT group_concat(order_id) FROM (SELECT DISTINCT order_id FROM evidence ORDER BY 1)')" = "12345,gnu,images,misc,ustar"
expect_err "folder '$O' is not an order id \(order\.id_pattern '\[0-9\]\{5\}\|\[a-z\]\+'\)" "11 a 16-digit id matches [0-9]{5} only in part: refused"

# 3. ingest ORDER follows the same rule.
rm -rf "$SCRATCH/vault"; cf init
printf '%s' "$chat" >chat.json
cf ingest images chat.json
expect_rc 2 "12 ingest into an order id that does not look like one: usage error"
expect_err "^casefile: 'images' does not look like an order id \(order\.id_pattern '\^\[0-9\]\{6,32\}\\$'" "13 ... naming the pattern"
cf ingest 12345 chat.json
expect_rc 2 "14 five digits are too few by default"
check "15 nothing stored" test "$(nrows)" = 0
cf ingest 6931000000000001234 chat.json
expect_clean "16 a 19-digit Douyin id is fine"

# 4. Junk is skipped and named: a summary line per kind, --verbose each,
# --json lists them.
rm -rf "$SCRATCH/vault"; cf init
"$MKARCHIVE" j.zip zip "f:$O/chat.json=$chat" "f:$O/.DS_Store=ds" "f:$O/photos/._IMG_0614.jpg=ad" \
	"f:$O/photos/._IMG_0615.jpg=ad2" "f:$O/photos/Thumbs.db=tdb" "f:$O/desktop.ini=ini" \
	"f:__MACOSX/$O/._chat.json=mac" "F:$O/photos/IMG_0614.jpg=p.png"
cf import j.zip
expect_rc 0 "17 junk alone does not make the import fail"
check "18 two files stored" test "$(nrows)" = 2
expect_err "^casefile: warning: 'j\.zip': skipped 2 junk entries: macOS AppleDouble file \(\._\*\) \(--verbose names each\)$" "19 AppleDouble summary"
expect_err "skipped 1 junk entry: Windows thumbnail cache \(Thumbs\.db\)" "20 Thumbs.db summary"
expect_err "skipped 1 junk entry: Windows folder settings \(desktop\.ini\)" "21 desktop.ini summary"
expect_err "skipped 1 junk entry: macOS folder settings \(\.DS_Store\)" "22 .DS_Store summary"
expect_err "skipped 1 junk entry: macOS resource folder \(__MACOSX/\)" "23 __MACOSX summary"
check "24 one line per kind" test "$(grep -c 'skipped' "$err")" = 5
rm -rf "$SCRATCH/vault"; cf init
cf import --verbose j.zip
expect_err "^casefile: warning: 'j\.zip': entry '$O/photos/\._IMG_0614\.jpg': skipped: macOS AppleDouble file \(\._\*\)$" "25 --verbose names ._IMG_0614.jpg"
check "26 --verbose names all six" test "$(grep -c ': skipped: ' "$err")" = 6
rm -rf "$SCRATCH/vault"; cf init
cf --json import j.zip
expect_out '"ignored":6,' "27 --json counts them"
expect_out "\"skipped\":\[\{\"path\":\"$O/\.DS_Store\",\"why\":\"macOS folder settings \(\.DS_Store\)\"\}," "28 --json lists them"
check "29 --json lists six" test "$(grep -o '"why"' "$out" | wc -l)" = 6
# a folder bundle: the same names, the same report
rm -rf "$SCRATCH/vault"; cf init
mkdir -p fb/$O/photos fb/__MACOSX
printf '%s' "$chat" >fb/$O/chat.json
echo x >fb/$O/Thumbs.db; echo x >fb/$O/photos/._a.jpg; echo x >fb/__MACOSX/._b
cf import --verbose fb
expect_rc 0 "30 folder bundle with junk: exit 0"
expect_err "entry '$O/Thumbs\.db': skipped: Windows thumbnail cache" "31 folder Thumbs.db named"
expect_err "entry '__MACOSX/': skipped: macOS resource folder" "32 folder __MACOSX/ named"
expect_err "entry '$O/photos/\._a\.jpg': skipped" "33 folder AppleDouble named"

# 5. Two entries of the same path in one archive: both stored, warned.
rm -rf "$SCRATCH/vault"; cf init
chat2='{"messages":[{"time":"2025-05-03T10:12:00+08:00","from":"buyer","text":"你好"},{"time":"2025-05-03T10:13:00+08:00","from":"merchant","text":"在"}]}'
for fmt in tar.gz zip; do
	rm -rf "$SCRATCH/vault"; cf init
	"$MKARCHIVE" d.$fmt $fmt "f:$O/chat.json=$chat" "f:$O/order.json={}" "f:$O/chat.json=$chat2"
	cf --json import d.$fmt
	check "34 $fmt: both chat.json stored" test "$(nrows "name = 'chat.json'")" = 2
	expect_err "^casefile: warning: 'd\.$fmt': entry '$O/chat\.json': the archive holds an earlier entry of the same path: both stored \(a re-export\?\)$" "35 $fmt: warned"
	expect_out '"same_path_twice":1,' "36 $fmt: counted in --json"
done
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# import: entries whose names are not UTF-8 are stored, never refused
# (issue 12).  A zip name without the UTF-8 flag (Chinese Windows writes
# GBK) is read as GB18030 when it decodes cleanly; other bytes (tar and
# folders may hold any) are shown as \xNN; the original bytes are kept in
# evidence.name_raw either way.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-bundle.sh"

O=6931000000000001
chat='{"messages":[{"time":"2025-05-03T10:12:00+08:00","from":"buyer","text":"你好"}]}'
_png >p.png
# GBK bytes of the names, computed here (python's codec, not ours)
gbk() { python3 -c 'import sys; print("".join("\\x%02x" % b for b in sys.argv[1].encode("gbk")))' "$1"; }
g_photo=$(gbk 照片一.png)
g_chat=$(gbk 聊天记录.json)
hex() { python3 -c 'import sys; print(sys.argv[1].encode("gbk").hex().upper())' "$1"; }

# 1. A zip as Chinese Windows writes it: GBK names, no UTF-8 flag.
"$MKARCHIVE" gbk.zip zip "F:$O/photos/$g_photo=p.png" "f:$O/$g_chat=$chat" "f:$O/ok.txt=plain"
check "1 the zip's names carry no UTF-8 flag (as Windows writes them)" \
	python3 -c 'import zipfile,sys; sys.exit(any(i.flag_bits & 0x800 for i in zipfile.ZipFile("gbk.zip").infolist()))'
cf init
cf import gbk.zip
expect_rc 3 "2 imported (exit 3 only for the plain text that is no evidence kind)"
check "3 all three entries stored" test "$(nrows)" = 3
check "4 the photo's name read as GB18030, kind from its content" \
	test "$(sql "SELECT name || '|' || kind || '|' || rel_path FROM evidence WHERE hex(name_raw) = '$(hex 照片一.png)'")" = "照片一.png|photo|photos/照片一.png"
check "5 the chat's name read as GB18030, parsed as chat" \
	test "$(sql "SELECT name || '|' || kind FROM evidence WHERE hex(name_raw) = '$(hex 聊天记录.json)'")" = "聊天记录.json|chat"
check "6 the source path shows the decoded name" \
	test "$(sql "SELECT count(*) FROM evidence WHERE source_path = '$O/photos/照片一.png'")" = 1
expect_err "^casefile: warning: 'gbk\.zip': entry '$O/photos/照片一\.png': name is not UTF-8: read as GB18030 \(the original bytes are kept\)$" "7 the decoding is said, per entry"
check "8 nothing refused" test "$(grep -c refused "$err")" = 0
cf import gbk.zip
check "9 importing it again stores nothing new" test "$(nrows)" = 3

# 2. zip names that are not GB18030 either: escaped, stored, raw bytes kept.
rm -rf "$SCRATCH/vault"; cf init
"$MKARCHIVE" bad.zip zip "F:$O/photos/a\x80\xff.png=p.png" "f:$O/chat\xff.json=$chat"
cf import bad.zip
expect_rc 0 "10 zip names of bytes that are no text at all: stored, exit 0"
check "11 both stored" test "$(nrows)" = 2
check "12 shown escaped, raw bytes kept" \
	test "$(sql "SELECT name || '|' || hex(name_raw) || '|' || kind FROM evidence ORDER BY name")" = "$(printf '%s\n%s' 'a\x80\xff.png|6180FF2E706E67|photo' 'chat\xff.json|63686174FF2E6A736F6E|chat')"
expect_err "entry '$O/photos/a\\\\x80\\\\xff\\.png': name is not UTF-8: shown with \\\\xNN escapes" "13 the escaping is said"

# 3. tar may hold any bytes: never guessed, escaped, stored.
rm -rf "$SCRATCH/vault"; cf init
"$MKARCHIVE" b.tar.gz tar.gz "F:$O/photos/$g_photo=p.png" "f:$O/x\x01y\xfe/chat.json=$chat" "f:$O/ok\xc3\x28.json=$chat"
cf import b.tar.gz
expect_rc 3 "14 tar with raw-byte names: exit 3 (the control character is still refused)"
expect_err "entry '$O/x\\\\x01y\\\\xfe/chat\\.json': control character in name$" "15 a control character is refused, named"
check "16 the two others stored" test "$(nrows)" = 2
check "17 tar GBK name escaped, not guessed; raw bytes kept" \
	test "$(sql "SELECT name || '|' || kind FROM evidence WHERE hex(name_raw) = '$(hex 照片一.png)'")" = "$(python3 -c 'import sys; print("照片一.png".encode("gbk").decode("utf-8", "backslashreplace"))')|photo"
check "18 invalid UTF-8 in a tar name kept as bytes" \
	test "$(sql "SELECT hex(name_raw) || '|' || kind FROM evidence WHERE rel_path LIKE 'ok%'")" = "6F6BC3282E6A736F6E|chat"

# 4. A folder bundle whose file names are not UTF-8.
rm -rf "$SCRATCH/vault"; cf init
mkdir -p "fb/$O/photos"
cp p.png "fb/$O/photos/$(printf 'a\377.png')"
printf '%s' "$chat" >"fb/$O/$(printf 'chat\261.json')"
cf import fb
expect_rc 0 "19 folder with names that are not UTF-8: exit 0"
check "20 both stored, escaped, raw kept" \
	test "$(sql "SELECT name || '|' || hex(name_raw) FROM evidence ORDER BY name")" = "$(printf '%s\n%s' 'a\xff.png|61FF2E706E67' 'chat\xb1.json|63686174B12E6A736F6E')"
check "21 the ledger leaf names the shown name" test "$(sql "SELECT count(*) FROM evidence WHERE name LIKE '%\\x%'")" = 2
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# import: each hostile entry is refused with one line naming it, the rest
# of the bundle is imported, exit 3.  Archives are written by
# tests/tools/mkarchive (normal archivers refuse to make most of these).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-bundle.sh"

W=orders-2025-05-02/6931000000000001
good="f:$W/order.json={\"order_id\":\"6931000000000001\",\"items\":[{\"sku\":\"A\",\"title\":\"杯\",\"qty\":1,\"price\":\"89.00\"}],\"total\":\"89.00\"} f:$W/chat.json={\"messages\":[{\"time\":\"2025-05-03T10:12:00+08:00\",\"from\":\"buyer\",\"text\":\"你好\"}]}"
n=0
# case NAME SPEC REGEX [FORMATS]: a bundle of the good entries plus SPEC,
# in tar.gz and zip (zip cannot hold hard links, devices or FIFOs: tar)
case_() {
	name=$1; spec=$2; re=$3
	for fmt in ${4:-tar.gz zip}; do
		n=$((n + 1))
		rm -rf "$SCRATCH/vault"
		cf init
		# shellcheck disable=SC2086
		"$MKARCHIVE" "h.$fmt" "$fmt" $good "$spec" || { tap 1 "$n mkarchive $name"; continue; }
		cf import "h.$fmt"
		ok=0
		[ "$rc" = 3 ] || ok=1
		[ "$(wc -l <"$err")" = 1 ] || ok=1
		grep -Eq -- "^casefile: 'h\.$fmt': $re" "$err" || ok=1
		[ "$(nrows)" = 2 ] || ok=1
		grep -q "2 files, 2 new, 0 duplicate, 1 refused" "$out" || ok=1
		tap $ok "$n $name ($fmt): refused with one line, rest imported, exit 3"
		[ $ok = 0 ] || show_last
	done
}
case_ "dot-dot escape" "f:../evil.txt=x" "entry '\.\./evil\.txt': path escapes the bundle root$"
case_ "dot-dot inside" "f:$W/a/../../../evil=x" "entry '.*/a/\.\./\.\./\.\./evil': path escapes the bundle root$"
case_ "absolute path" "f:/etc/cron.d/evil=x" "entry '/etc/cron\.d/evil': absolute path$"
case_ "symlink" "l:$W/photos/link.jpg=/etc/shadow" "entry '$W/photos/link\.jpg': symbolic link refused$"
case_ "hard link" "h:$W/hl.json=$W/order.json" "entry '$W/hl\.json': hard link refused$" "tar.gz tar"
case_ "char device" "c:$W/dev" "entry '$W/dev': device file refused$" "tar.gz tar"
case_ "block device" "b:$W/blk" "entry '$W/blk': device file refused$" "tar.gz tar"
case_ "fifo" "p:$W/fifo" "entry '$W/fifo': FIFO refused$" "tar.gz tar"
# (names that are not UTF-8 are stored since issue 12: t6601)
case_ "control char" 'f:orders-2025-05-02/6931000000000001/a\x1b[31mb=x' "entry '$W/a\\\\x1b\[31mb': control character in name$"
case_ "name too long" "f:$W/$(printf '%0300d' 0).txt=x" "entry '.*': name too long$"
case_ "file under the root" "f:orders-2025-05-02/README.txt=x" "entry 'orders-2025-05-02/README\.txt': not in an order folder: skipped$"
case_ "not an order id" "f:orders-2025-05-02/no such order/a.json=x" "entry '.*': folder 'no such order' is not an order id \\(order\\.id_pattern '\\^\\[0-9\\]\\{6,32\\}\\$'\\): skipped$"
case_ "outside the wrapper" "f:elsewhere/6931000000000009/a.json=x" "entry 'elsewhere/6931000000000009/a\.json': outside the bundle folder 'orders-2025-05-02': skipped$"
case_ "compression bomb" "z:$W/bomb.bin=64M" "entry '$W/bomb\.bin': expands more than 200 times \(import\.max_ratio; a compression bomb\?\): refused$"

# Nothing was written outside the vault and the scratch folder.
check "31 no evil file created" test ! -e "$SCRATCH/../evil.txt" -a ! -e /etc/cron.d/evil

# macOS metadata is skipped, and named (issue 12: never silently; t6601).
rm -rf "$SCRATCH/vault"; cf init
"$MKARCHIVE" mac.zip zip $good "f:__MACOSX/$W/._chat.json=x" "f:$W/.DS_Store=x"
cf import --json mac.zip
check "32 macOS metadata skipped (exit 0), one line per kind" test "$rc:$(grep -c 'skipped 1 junk entry' "$err")" = 0:2
expect_out '"files":2,.*"refused":0,.*"ignored":2' "33 counted as ignored"

# A folder bundle: symlink, FIFO, hard link, file at the root.
rm -rf "$SCRATCH/vault"; cf init
mk_bundle fb 1
ln -s /etc/passwd fb/orders-2025-05-02/6931000000000001/link.json
mkfifo fb/orders-2025-05-02/6931000000000001/fifo
ln fb/orders-2025-05-02/6931000000000001/order.json fb/orders-2025-05-02/6931000000000001/hard.json
echo x >fb/orders-2025-05-02/stray.txt
cf import fb
expect_rc 3 "34 folder with hostile entries exits 3"
expect_err "entry 'orders-2025-05-02/6931000000000001/link\.json': symbolic link refused" "35 folder symlink refused"
expect_err "entry 'orders-2025-05-02/6931000000000001/fifo': FIFO refused" "36 folder fifo refused (not blocked on)"
expect_err "entry 'orders-2025-05-02/6931000000000001/hard\.json': hard link refused" "37 folder hard link refused"
expect_err "entry 'orders-2025-05-02/stray\.txt': not in an order folder" "38 folder stray file reported"
check "39 the two names of the hard-linked file are both refused" test "$(grep -c 'hard link refused' "$err")" = 2
check "40 chat, logistics, photo imported" test "$(nrows)" = 3
done_testing

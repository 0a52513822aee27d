#!/bin/sh
# SPDX-License-Identifier: MIT
# import: a folder and every archive format give the same evidence rows,
# with the kind taken from the layout and rel_path under the order folder.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-bundle.sh"

cf init
mk_bundle src 3
check "fixture png is a png" test "$(od -An -tx1 -N8 "$SCRATCH/.p1.png" | tr -d ' ')" = 89504e470d0a1a0a

cf import src/orders-2025-05-02
expect_clean "1 folder bundle with wrapper imports cleanly"
expect_out "^import 'src/orders-2025-05-02': 3 orders, 12 files, 12 new, 0 duplicate, 0 refused, [0-9]+ bytes" "2 summary line counts orders and files"
check "3 twelve rows" test "$(nrows)" = 12
check "4 kinds from the layout" test "$(sql "SELECT group_concat(kind, ',') FROM (SELECT kind FROM evidence WHERE order_id = '6931000000000001' ORDER BY rel_path)")" = "chat,logistics,order,photo"
check "5 rel_path and source_path recorded" test "$(sql "SELECT rel_path || '|' || source_path FROM evidence WHERE name = 'p1.png' AND order_id = '6931000000000002'")" = "photos/p1.png|6931000000000002/photos/p1.png"
check "6 bundle label carries the wrapper date" test "$(sql "SELECT DISTINCT bundle FROM evidence")" = "2025-05-02 orders-2025-05-02"

# The same content in each archive format, each into a fresh vault.
(cd src && zip -qr ../b.zip orders-2025-05-02)
tar -C src -cf b.tar orders-2025-05-02
tar -C src -czf b.tar.gz orders-2025-05-02
tar -C src -cjf b.tar.bz2 orders-2025-05-02
tar -C src -cJf b.tar.xz orders-2025-05-02
tar -C src --zstd -cf b.tar.zst orders-2025-05-02
(cd src && 7z a -bd -bso0 -bsp0 ../b.7z orders-2025-05-02)
want=$(sql "SELECT group_concat(order_id || '/' || rel_path || '/' || kind || '/' || hex(sha256), ' ') FROM (SELECT * FROM evidence ORDER BY order_id, rel_path)")
n=6
for f in b.zip b.tar b.tar.gz b.tar.bz2 b.tar.xz b.tar.zst b.7z; do
	n=$((n + 1))
	CASEFILE_VAULT="$SCRATCH/v-$f"; export CASEFILE_VAULT
	cf init
	cf import "$f"
	expect_clean "$n.a $f imports cleanly"
	got=$(sql "SELECT group_concat(order_id || '/' || rel_path || '/' || kind || '/' || hex(sha256), ' ') FROM (SELECT * FROM evidence ORDER BY order_id, rel_path)")
	check "$n.b $f gives the same rows as the folder" test "$got" = "$want"
done

# No wrapper folder: order folders at the top.
CASEFILE_VAULT="$SCRATCH/v-nowrap"; export CASEFILE_VAULT
cf init
(cd src/orders-2025-05-02 && zip -qr ../../nowrap.zip .)
cf import nowrap.zip
expect_clean "14 archive without wrapper folder imports cleanly"
check "15 no wrapper: 12 rows, no date in the label" test "$(nrows "bundle = 'nowrap.zip'")" = 12

# --date names the bundle day when there is no wrapper.
CASEFILE_VAULT="$SCRATCH/v-date"; export CASEFILE_VAULT
cf init
cf import --date 2025-05-09 nowrap.zip
expect_clean "16 --date accepted"
check "17 --date recorded in the label" test "$(sql "SELECT DISTINCT bundle FROM evidence")" = "2025-05-09 nowrap.zip"

# --json summary
CASEFILE_VAULT="$SCRATCH/v-json"; export CASEFILE_VAULT
cf init
cf import --json b.tar.gz
expect_clean "18 --json clean"
expect_out '^\{"bundle":"b.tar.gz","orders":3,"files":12,"new":12,"duplicate":0,"refused":0,"with_problems":0,"ignored":0,"bytes":[0-9]+,"seconds":[0-9.]+,"complete":true,"same_path_twice":0,"skipped":\[\]\}$' "19 --json summary object"
cf import --quiet b.tar.gz
expect_clean "20 --quiet re-import clean"
check "21 --quiet prints nothing" test ! -s "$out"
# The vault inside the bundle folder (default ./casefile-vault, import .)
# is never walked.
mkdir inside && cp -r src/orders-2025-05-02/6931000000000001 inside/
(cd inside && "$CASEFILE_BIN" --vault casefile-vault init $(pg_db_opt) >/dev/null &&
	"$CASEFILE_BIN" --vault casefile-vault --json import . >"$out" 2>"$err"); rc=$?
expect_clean "22 import . with the vault inside"
expect_out '"orders":1,"files":4,' "23 only the order folder was imported"
done_testing

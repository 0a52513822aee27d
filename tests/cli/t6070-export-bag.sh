#!/bin/sh
# SPDX-License-Identifier: MIT
# export: BagIt 1.0 bags as zip, tar.gz and folder, validated with standard
# tools only: unpack, sha256sum -c both manifests, Payload-Oxum by hand.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-bundle.sh"

cf init
cf config shop.name '青瓷小铺'
mk_bundle day1 3
cf import day1/orders-2025-05-02
mk_bundle day2 3
mk_order day2/orders-2025-05-02/6931000000000001 6931000000000001 " v2"
cf import day2/orders-2025-05-02
check "0 fixture: 13 rows" test "$(nrows)" = 13

# validate DIR NFILES NBYTES N: the independent checks, numbered from N
validate() {
	d=$1
	check "$4.a bagit.txt" test "$(cat "$d/bagit.txt")" = "$(printf 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8')"
	check "$4.b manifest-sha256.txt verifies" sh -c "cd '$d' && sha256sum --strict -c manifest-sha256.txt"
	check "$4.c tagmanifest-sha256.txt verifies" sh -c "cd '$d' && sha256sum --strict -c tagmanifest-sha256.txt"
	check "$4.d every payload file is in the manifest" test "$(cd "$d" && find data -type f | sort)" = "$(cut -c67- "$d/manifest-sha256.txt" | sort)"
	oxum=$(sed -n 's/^Payload-Oxum: //p' "$d/bag-info.txt")
	bytes=0; files=0
	for f in $(cd "$d" && find data -type f); do
		bytes=$((bytes + $(stat -c %s "$d/$f"))); files=$((files + 1))
	done
	check "$4.e Payload-Oxum $oxum = $bytes.$files" test "$oxum" = "$bytes.$files"
	check "$4.f expected counts" test "$bytes.$files" = "$3.$2"
	check "$4.g Source-Organization from shop.name" grep -qx 'Source-Organization: 青瓷小铺' "$d/bag-info.txt"
	check "$4.h Bagging-Date and version" sh -c "grep -Eq '^Bagging-Date: [0-9]{4}-[0-9]{2}-[0-9]{2}$' '$d/bag-info.txt' && grep -q '^Casefile-Version: ' '$d/bag-info.txt'"
	check "$4.i tag manifest covers bag-info and manifest" sh -c "grep -q ' bag-info.txt$' '$d/tagmanifest-sha256.txt' && grep -q ' manifest-sha256.txt$' '$d/tagmanifest-sha256.txt' && grep -q ' bagit.txt$' '$d/tagmanifest-sha256.txt'"
}
all_bytes=$(sql "SELECT sum(size) FROM evidence")

cf export --all -o all.zip
expect_clean "1 export --all to zip"
expect_out "^exported 3 orders, 13 files, $all_bytes bytes to 'all.zip' \(BagIt 1.0\)$" "2 summary"
mkdir z && (cd z && unzip -q ../all.zip)
validate z/all 13 "$all_bytes" 3
check "4 both chat versions, distinct names" test "$(ls z/all/data/6931000000000001 | tr '\n' ' ')" = "chat-v2.json chat.json logistics.json order.json photos "
check "5 originals byte for byte" cmp z/all/data/6931000000000002/chat.json day1/orders-2025-05-02/6931000000000002/chat.json
check "6 the v2 is the new chat" cmp z/all/data/6931000000000001/chat-v2.json day2/orders-2025-05-02/6931000000000001/chat.json
check "7 evidence.json maps paths to rows" grep -q '"path":"data/6931000000000001/chat-v2.json","evidence_id":' z/all/casefile/evidence.json

cf export 6931000000000002 -o one.tar.gz
expect_clean "8 one order to tar.gz"
mkdir t && tar -C t -xzf one.tar.gz
b2=$(sql "SELECT sum(size) FROM evidence WHERE order_id = '6931000000000002'")
validate t/one 4 "$b2" 9
check "10 only that order" test "$(ls t/one/data)" = 6931000000000002

cf export 6931000000000001 6931000000000003 -o dirbag
expect_clean "11 two orders to a folder"
b13=$(sql "SELECT sum(size) FROM evidence WHERE order_id IN ('6931000000000001', '6931000000000003')")
validate dirbag 9 "$b13" 12

cf export --date 2025-05-02 -o bydate.zip
expect_clean "13 --date selects the bundle day"
expect_out "13 files" "14 all files of the bundles of 2025-05-02"
cf export --date 2024-01-01 -o none.zip
expect_rc 2 "15 a day without files: exit 2"
check "16 no output left" test ! -e none.zip

# Sealed: checkpoint, token (when a TSA is used) and proofs as tag files.
. "$TESTS_DIR/ledger-lib.sh"
cf export --all -o unsealed
expect_clean "17 export before any seal"
check "18 no checkpoint yet" sh -c "! grep -q Checkpoint unsealed/bag-info.txt && test ! -e unsealed/casefile/checkpoint.txt"
check "19 proofs.json says not yet sealed" test "$(grep -o '"status":"not yet sealed"' unsealed/casefile/proofs.json | wc -l)" = 13
make_key
cf seal
root=$(sql "SELECT lower(hex(root)) FROM heads ORDER BY tree_size DESC LIMIT 1")
cf export --all -o sealed
expect_clean "20 export with a sealed head"
check "21 bag-info names the checkpoint" sh -c "grep -qx 'Casefile-Checkpoint-Size: 13' sealed/bag-info.txt && grep -qx 'Casefile-Checkpoint-Root: $root' sealed/bag-info.txt"
check "22 checkpoint tag file byte-exact" sh -c "sqlite3 '$CASEFILE_VAULT/casefile.db' \"SELECT writefile('$SCRATCH/cp.txt', checkpoint) FROM heads\" >/dev/null && cmp cp.txt sealed/casefile/checkpoint.txt"
check "23 every file proved: 13 sealed exhibits" test "$(grep -o '"status":"sealed"' sealed/casefile/proofs.json | wc -l)" = 13
check "24 tag manifest covers checkpoint and proofs" sh -c "cd sealed && grep -q ' casefile/checkpoint.txt$' tagmanifest-sha256.txt && grep -q ' casefile/proofs.json$' tagmanifest-sha256.txt && sha256sum -c --strict --quiet tagmanifest-sha256.txt"

# Tamper twin: a damaged object stops the export, exit 1, no output.
o=$(sql "SELECT lower(hex(sha256)) FROM evidence WHERE order_id = '6931000000000003' AND rel_path = 'order.json'")
f="$CASEFILE_VAULT/objects/$(echo $o | cut -c1-2)/$(echo $o | cut -c3-)"
chmod u+w "$f"; printf 'X' | dd of="$f" bs=1 seek=3 conv=notrunc 2>/dev/null
cf export 6931000000000003 -o bad.zip
expect_rc 1 "22 damaged object: exit 1"
expect_err "object of 'data/6931000000000003/order\.json' does not match its SHA-256" "23 names the file"
check "24 no partial output" sh -c "! ls bad.zip* 2>/dev/null | grep -q ."

# A relative output path with "..", through a symlinked folder.
mkdir -p sub/real && ln -s real sub/link
(cd sub && "$CASEFILE_BIN" export 6931000000000002 -o ../up-bag >"$out" 2>"$err"); rc=$?
expect_clean "33 -o ../DIR works"
check "34 the bag is there" test -f up-bag/bagit.txt
cf export 6931000000000002 -o sub/link/bag2.zip
expect_clean "35 -o through a symlinked folder"
check "36 written" test -f sub/real/bag2.zip

# Without shop.name, Source-Organization is the shop of the exported order
# records (the first non-empty one), else "unknown".
CASEFILE_VAULT="$SCRATCH/v2"; export CASEFILE_VAULT
cf init
mk_bundle v2in 2
sed -i 's/"shop": "青瓷小铺"/"shop": ""/' v2in/orders-2025-05-02/6931000000000001/order.json
sed -i 's/"shop": "青瓷小铺"/"shop": "白瓷工坊"/' v2in/orders-2025-05-02/6931000000000002/order.json
cf import v2in/orders-2025-05-02
expect_clean "37 second vault, no shop.name"
cf export --all -o v2.zip
expect_clean "38 export without shop.name"
mkdir v2z && (cd v2z && unzip -q ../v2.zip)
check "39 Source-Organization from the order records, empty skipped" \
	grep -qx 'Source-Organization: 白瓷工坊' v2z/v2/bag-info.txt
printf '{"order_id": "6931000000000077", "messages": [{"time": "2025-05-03 10:00", "from": "buyer", "text": "hi"}]}' >c77.json
cf ingest --quiet --kind chat 6931000000000077 c77.json
cf export 6931000000000077 -o v2b
expect_clean "40 export of an order without an order record"
check "41 Source-Organization: unknown" grep -qx 'Source-Organization: unknown' v2b/bag-info.txt
CASEFILE_VAULT="$SCRATCH/vault"

# Usage.
cf export -o x.zip
expect_rc 2 "25 no selection: exit 2"
cf export --all 6931000000000001 -o x.zip
expect_rc 2 "26 two selections: exit 2"
cf export --all
expect_rc 2 "27 no -o: exit 2"
cf export 6931000000009999 -o x.zip
expect_rc 2 "28 unknown order: exit 2"
expect_err "unknown order '6931000000009999'" "29 names it"
cf export --all -o all.zip
expect_rc 2 "30 existing output: exit 2"
expect_err "'all\.zip' already exists" "31 not overwritten"
cf export --all -o out.rar
expect_rc 2 "32 unknown output format: exit 2"
done_testing

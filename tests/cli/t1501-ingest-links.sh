#!/bin/sh
# SPDX-License-Identifier: MIT
# t1501: a symbolic link named on the command line (ingest FILE|DIR, import
# BUNDLE) is refused, naming the link and its target, exit 3, the rest
# stored; --follow-links stores what it points to.  Links inside folders
# stay skipped with a warning.  (issue 11, item 8)
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/lib-bundle.sh"

O=6931000000000001
cf init
mkdir -p secret prepared/sub
printf 'root:x:0:0:root:/root:/bin/bash\n' >secret/passwd
i=0; while [ $i -lt 5 ]; do echo "secret $i" >secret/f$i.txt; i=$((i + 1)); done
printf '2025-05-03 10:12:00 买家(小**): hello\n' >prepared/chat.txt
ln -s "$SCRATCH/secret/passwd" prepared/logistics.json	# link to a file
ln -s "$SCRATCH/secret" prepared/photos			# link to a folder
ln -s "$SCRATCH/nowhere" prepared/dangling.txt		# dangling link
ln -s logistics.json prepared/order.json		# link to a link
ln -s "$SCRATCH/secret/f0.txt" prepared/sub/inner.txt	# link inside a folder
echo inside >prepared/sub/real.txt

cd prepared
cf ingest $O *
expect_rc 3 "1 links named on the command line: exit 3"
expect_err "^casefile: 'logistics.json' is a symbolic link to '$SCRATCH/secret/passwd': refused \(give --follow-links to store what it points to\)$" "2 link to a file: named with its target"
expect_err "^casefile: 'photos' is a symbolic link to '$SCRATCH/secret': refused" "3 link to a folder refused"
expect_err "^casefile: 'dangling.txt' is a symbolic link to '$SCRATCH/nowhere': refused" "4 dangling link refused"
expect_err "^casefile: 'order.json' is a symbolic link to 'logistics.json': refused" "5 link to a link refused"
expect_err "^casefile: warning: skipping symbolic link 'sub/inner.txt'$" "6 link inside a folder skipped and reported"
expect_out "order $O: 2 stored, 0 already stored, 4 refused" "7 the rest is stored: chat.txt and sub/real.txt"
cd ..
check "8 nothing of secret/ was stored" test "$(sql "SELECT count(*) FROM evidence WHERE source_path LIKE '%passwd%' OR source_path LIKE '%photos%' OR name LIKE 'f_.txt'")" = 0
check "9 two rows" test "$(sql 'SELECT count(*) FROM evidence')" = 2

# --follow-links: what the links point to is stored; dangling still fails.
cd prepared
cf ingest --kind other --follow-links $O logistics.json photos order.json
expect_rc 0 "10 --follow-links: links to a file, a folder and a link are followed"
cf ingest --follow-links $O dangling.txt
expect_rc 3 "11 --follow-links with a dangling link: exit 3"
expect_err "^casefile: cannot read 'dangling.txt': No such file or directory$" "12 dangling: says why"
cf ingest --follow-links $O sub
expect_err "skipping symbolic link 'sub/inner.txt'" "13 --follow-links does not follow links inside folders"
cd ..
# passwd's bytes under three names (logistics.json, order.json and
# photos/passwd) are one object and three rows, one per name
check "14 the folder's 5 files and passwd (under each of its 3 names) are stored" test "$(sql "SELECT count(*) FROM evidence")" = 10
check "14b passwd's bytes are one object" test "$(sql "SELECT count(DISTINCT sha256) FROM evidence WHERE name IN ('logistics.json', 'order.json', 'passwd')")" = 1

# A plain file and folder are unaffected by the check.
echo plain >plain.txt
cf ingest --kind other $O plain.txt secret
expect_rc 0 "15 plain files and folders: exit 0"

# import BUNDLE that is a link: refused the same way, --follow-links imports.
mk_bundle bundle 2
ln -s bundle/orders-2025-05-02 linked
cf import linked
expect_rc 3 "16 import of a link: exit 3"
expect_err "^casefile: 'linked' is a symbolic link to 'bundle/orders-2025-05-02': refused" "17 import names the link and its target"
n0=$(sql 'SELECT count(*) FROM evidence')
cf import --follow-links linked
expect_rc 0 "18 import --follow-links imports the bundle"
check "19 rows were added" test "$(sql 'SELECT count(*) FROM evidence')" -gt "$n0"
cf ingest --help
expect_out "follow-links" "20 ingest --help documents --follow-links"

# Files that are not evidence (a statement) are read through a link as named.
echo '商品出库前经检验合格。' >statement.txt
ln -s statement.txt st-link.txt
cf check $O --reason quality --statement st-link.txt
check "21 a statement given as a link is read, not refused" sh -c "! grep -q 'symbolic link' '$err' && grep -q '^statement: ' '$out'"

done_testing

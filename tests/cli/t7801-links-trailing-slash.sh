#!/bin/sh
# SPDX-License-Identifier: MIT
# t7801: a link to a folder named on the command line with a trailing
# slash ("photos/", as a shell's completion writes it), "photos/.",
# "photos//" or "photos/.." is refused like "photos" itself: ingest and
# import, exit 3, naming the link and its target; --follow-links stores
# what it points to; a real folder named so is stored as before.
# Regression (2026-12-03, issue 11 item 8, found in review): lstat() of
# "photos/" follows the link, so the folder behind it was stored.
. "$(dirname "$0")/../lib.sh"

O=6931000000000782
cf init
mkdir -p secret/sub prepared/real
i=0; while [ $i -lt 3 ]; do echo "secret $i" >secret/f$i.txt; i=$((i + 1)); done
echo "deeper" >secret/sub/g.txt
echo "mine" >prepared/real/mine.txt
ln -s "$SCRATCH/secret" prepared/photos
ln -s "$SCRATCH/secret/sub" prepared/up

cd prepared
n=0
for p in photos/ photos/. photos// ./photos/ photos/./ up/.. ; do
	n=$((n + 1))
	cf ingest $O "$p"
	expect_rc 3 "$n ingest '$p': exit 3"
	expect_err "symbolic link '(\\./)?(photos|up)' \\(to '$SCRATCH/secret(/sub)?'\\): refused \\(give --follow-links" \
		"$n ingest '$p': names the link and its target"
	cf import "$p"
	expect_rc 3 "$n import '$p': exit 3"
	expect_err "symbolic link '(\\./)?(photos|up)' \\(to '$SCRATCH/secret(/sub)?'\\): refused" "$n import '$p': refused"
done
cd ..
check "nothing of secret/ was stored" test "$(sql "SELECT count(*) FROM evidence")" = 0

cd prepared
for p in real/ real/. ./real//; do
	cf ingest $O "$p"
	check "a real folder named '$p' is read" grep -q 'mine.txt' "$out"
done
cf ingest --follow-links $O photos/
check "--follow-links stores what 'photos/' points to" grep -q 'f2.txt' "$out"
cd ..
check "three secrets and one own file" test "$(sql "SELECT count(*) FROM evidence")" = 5
done_testing

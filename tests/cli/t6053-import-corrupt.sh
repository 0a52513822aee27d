#!/bin/sh
# SPDX-License-Identifier: MIT
# import: a damaged archive imports what can be read, says where reading
# stopped, exits 3; not-an-archive is refused as a whole.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-bundle.sh"

cf init
mk_bundle src 2
# A large, valid, poorly compressible transcript: damage lands inside it.
head -c 300000 /dev/urandom | od -An -tx1 -v | tr -d ' \n' | fold -w 100 |
	awk '{ printf "2025-05-03 10:%02d:%02d 买家(小**): %s\n", (NR / 60) % 60, NR % 60, $0 }' \
	>src/orders-2025-05-02/6931000000000001/transcript.txt
(cd src && zip -qr ../full.zip orders-2025-05-02/6931000000000001 orders-2025-05-02/6931000000000002)
tar -C src -czf full.tar.gz orders-2025-05-02/6931000000000001 orders-2025-05-02/6931000000000002
size=$(stat -c %s full.zip)

# 1. end of central directory cut off (a truncated download): every entry
# is in the local headers, read in streaming mode: nothing is lost, but
# the missing central directory is said (issue 12: it was silent), exit 3.
head -c $((size - 30)) full.zip >cd-cut.zip
cf import cd-cut.zip
check "1 zip without its central directory end: read from the local headers, said, exit 3" \
	test "$rc:$(grep -c 'no zip central directory' "$err")" = 3:1
expect_out "9 files, 9 new" "2 every file read"
check "3 all nine files recovered" test "$(nrows)" = 9

# 2. central directory corrupted in place.
rm -rf "$SCRATCH/vault"; cf init
cp full.zip cd-bad.zip
printf '\377\377\377\377' | dd of=cd-bad.zip bs=1 seek=$((size - 6)) conv=notrunc 2>/dev/null
cf import cd-bad.zip
expect_rc 3 "4 zip with a bad central directory offset: exit 3"
expect_err "damaged archive" "5 reported as damaged"
check "6 entries read from the local headers" test "$(nrows)" = 9

# 3. zip truncated in the middle of the video.
rm -rf "$SCRATCH/vault"; cf init
head -c $((size / 2)) full.zip >half.zip
cf import half.zip
expect_rc 3 "7 zip cut in the middle: exit 3"
expect_err "^casefile: 'half\.zip': damaged archive: reading stopped in entry [0-9]+ 'orders-2025-05-02/6931000000000001/transcript\.txt' \(byte [0-9]+\)" "8 says in which entry reading stopped"
expect_err "only part of the bundle could be read" "9 says the import is partial"
check "10 the entries before the damage are imported" test "$(nrows)" -ge 1
check "11 the damaged entry left no row" test "$(nrows "rel_path = 'transcript.txt'")" = 0
expect_out '"complete":false|0 duplicate' "12 summary still printed"

# 4. tar.gz truncated.
rm -rf "$SCRATCH/vault"; cf init
head -c $(( $(stat -c %s full.tar.gz) / 2 )) full.tar.gz >half.tar.gz
cf --json import half.tar.gz
expect_rc 3 "13 truncated tar.gz: exit 3"
expect_err "damaged archive: reading stopped" "14 truncated tar.gz reported"
expect_out '"complete":false' "15 --json says incomplete"
check "16 the stored part is committed" test "$(nrows)" -ge 1
cf import full.tar.gz
expect_clean "17 importing the whole archive afterwards completes it"
check "18 nine rows after completion" test "$(nrows)" = 9

# 5. not an archive at all, an empty file, a missing file.
head -c 2000 /dev/urandom >noise.zip
cf import noise.zip
expect_rc 3 "19 random bytes: exit 3"
expect_err "^casefile: cannot read 'noise\.zip': Unrecognized archive format$" "20 random bytes: clear message"
: >empty.tar
cf import empty.tar
expect_rc 3 "21 empty file: exit 3"
cf import missing.zip
# issue 16: a bundle not there (yet) has its own exit code, 6, not 2
expect_rc 6 "22 missing bundle: exit 6 (not arrived)"
expect_err "'missing\.zip': not there \(yet\)" "23 missing bundle named"
check "24 nothing changed by the refused bundles" test "$(nrows)" = 9
done_testing

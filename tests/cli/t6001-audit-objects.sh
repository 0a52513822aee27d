#!/bin/sh
# SPDX-License-Identifier: MIT
# t6001: audit detects a changed object (same size, and other size), a
# missing object (and the rows left without it) and unexpected files.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/ledger-lib.sh"

vault_with 4
cf seal
cf audit
expect_clean "intact vault"

p=$(obj_path f2.txt); h2=$(sha256sum f2.txt | cut -d' ' -f1)
chmod u+w "$p"; printf 'X' | dd of="$p" bs=1 seek=3 conv=notrunc 2>/dev/null
cf audit
expect_rc 1 "a flipped byte is found"
expect_out "^changed: object $h2: content hashes to [0-9a-f]{64}$" "names the changed object"
expect_out "1 changed" "counts it"
expect_err "^casefile: audit found 1 problem$" "stderr summary"
cf audit --fast
expect_clean "--fast does not re-hash (same size)"
echo more >>"$p"
cf audit --fast
expect_rc 1 "--fast sees a size change"
expect_out "^changed: object $h2: size [0-9]+, recorded [0-9]+$" "with both sizes"
cp f2.txt "$p"	# repair

p3=$(obj_path f3.txt); h3=$(sha256sum f3.txt | cut -d' ' -f1)
chmod u+w "$(dirname "$p3")"; rm -f "$p3"
cf audit
expect_rc 1 "a missing object is found"
expect_out "^missing: object $h3: file is missing from objects/$" "names the missing object"
expect_out "^row-without-object: evidence row 3 \('f3.txt', order A1\): its object file is missing$" "and the row left without it"
cp f3.txt "$p3"

mkdir -p vault/objects/zz; echo junk >vault/objects/zz/junk
mkdir -p vault/objects/ab; echo stray >vault/objects/ab/$(printf '%062d' 0)
cf audit --json
expect_rc 1 "unexpected files are found"
# (2026-12, issue 11 item 9) a file named like an object that does not hash
# to its name and that no row names is a torn leftover: a notice, not a problem.
check "json lists the unexpected file and the torn one" sh -c "jq -e '.objects.unexpected == 1 and [.problems[] | select(.kind == \"unexpected\") | .subject] == [\"objects/zz/junk\"] and [.notices[] | select(.kind == \"torn\") | .subject] == [\"objects/ab/$(printf '%062d' 0)\"]' '$out'"
check "json ok is false" sh -c "jq -e '.ok == false' '$out'"
rm -rf vault/objects/zz vault/objects/ab/$(printf '%062d' 0)

sql "PRAGMA foreign_keys = OFF; DELETE FROM objects WHERE sha256 = x'$h2'"
cf audit
expect_rc 1 "a row whose objects row was deleted"
expect_out "^row-without-object: evidence row 2 \('f2.txt', order A1\): no objects row for its hash$" "is named"
expect_out "^unexpected: objects/$(echo $h2 | cut -c1-2)/$(echo $h2 | cut -c3-): no objects row names this file, evidence row 2 does$" "its file is now unexpected"
done_testing

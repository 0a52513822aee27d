#!/bin/sh
# SPDX-License-Identifier: MIT
# t6000: audit of an intact vault passes, in full and --fast, text and JSON.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/ledger-lib.sh"

cf init
cf audit
expect_clean "audit of an empty vault"
expect_out "^objects: 0 checked, 0 matched" "empty counts"

make_key
# kind other: rows made by SQL must be what ingest would record (audit
# re-parses every original; a text file stored as a photo is a forgery)
vault_with_more() { for i in 1 2 3 4 5; do echo "file $i" >"f$i"; add_ev A1 "f$i" other; done; }
vault_with_more
cp f1 same-in-b; add_ev B2 same-in-b other	# one object, two rows
cf seal
cf audit
expect_clean "audit after seal"
expect_out "^objects: 5 checked, 5 matched, 0 missing, 0 changed, 0 unreadable, 0 unexpected files$" "5 objects matched"
expect_out "^evidence rows: 6, 0 without object$" "6 rows"
expect_out "^ledger: 6 leaves recomputed, 0 bad; heads: 1 checked, 0 failing$" "ledger and head"

echo six >f6; add_ev A1 f6
cf seal; echo seven >f7; add_ev A1 f7; cf seal
cf audit --json
expect_clean "audit --json"
check "json says ok with 3 heads" sh -c "jq -e '.ok == true and .heads.total == 3 and .ledger.leaves == 8 and .objects.matched == 7 and (.problems | length) == 0' '$out'"
cf audit --fast
expect_clean "audit --fast"
expect_out "^objects: 7 checked by size, 7 matched" "fast checks sizes"
cf audit --threads 1
expect_clean "audit on one thread"
cf audit --threads 0
expect_rc 2 "bad thread count"
expect_err "bad thread count '0'" "names it"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# import: two imports at once into one vault.  The second waits for the
# first (flock on VAULT/import.lock); with --no-wait it fails at once,
# exit 5, and says why.  Never corruption.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-bundle.sh"

cf init
mk_bundle a 30
mk_bundle b 30 " b"
tar -C a -czf a.tar.gz orders-2025-05-02
tar -C b -czf b.tar.gz orders-2025-05-02

# Hold the import lock as another import would.  On PostgreSQL imports
# overlap by design (README, "Several importers at once"): no folder
# lock, so 1-5 are the embedded vault's.
if ! pg_mode; then
flock "$CASEFILE_VAULT/import.lock" sleep 3 &
holder=$!
sleep 0.5
cf import --no-wait a.tar.gz
expect_rc 5 "1 --no-wait while another import runs: exit 5"
expect_err "^casefile: another import into vault '.*' is running: not waiting \(--no-wait\)$" "2 clear message"
check "3 nothing imported" test "$(nrows)" = 0
t0=$(date +%s)
cf import a.tar.gz
t1=$(date +%s)
expect_clean "4 without --no-wait the import waits and succeeds"
check "5 it waited for the lock holder" test $((t1 - t0)) -ge 1
wait $holder
fi

# Two real imports at once (different and overlapping content).
rm -rf "$SCRATCH/vault"; cf init
"$CASEFILE_BIN" import a.tar.gz >o1 2>e1 &
p1=$!
"$CASEFILE_BIN" import b.tar.gz >o2 2>e2 &
p2=$!
"$CASEFILE_BIN" import a/orders-2025-05-02 >o3 2>e3 &
p3=$!
wait $p1; r1=$?; wait $p2; r2=$?; wait $p3; r3=$?
check "6 all three imports succeed" test "$r1$r2$r3" = 000
if pg_mode; then	# an import may wait its turn for the leaf append, and say so
	check "7 stderr holds at most the waiting notice" \
		sh -c "! cat e1 e2 e3 | grep -v 'waiting for another command writing to vault'"
else
	check "7 stderr empty for all" test ! -s e1 -a ! -s e2 -a ! -s e3
fi
# a and b share photos and order/logistics files; chats differ.
check "8 rows: 30 orders x 4 files + 30 different chats" test "$(nrows)" = 150
if pg_mode; then
	# overlapping: 360 files, 150 rows; the imports share the other 210
	# as duplicates between them, whichever came first
	dups() { sed -n 's/.* \([0-9]*\) duplicate.*/\1/p' "$1"; }
	check "9 the three imports found 210 already there between them" \
		test $(( $(dups o1) + $(dups o2) + $(dups o3) )) = 210
else
	check "9 one of the a imports found everything already there" sh -c "grep -q '120 duplicate' o1 || grep -q '120 duplicate' o3"
fi
check "10 database intact" db_intact
check "11 every row has its object" test "$(sql "SELECT count(*) FROM evidence WHERE sha256 NOT IN (SELECT sha256 FROM objects)")" = 0
done_testing

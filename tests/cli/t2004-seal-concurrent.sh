#!/bin/sh
# SPDX-License-Identifier: MIT
# t2004: seals running at the same time (two cron jobs, or seal during an
# ingest) never fail and never store two heads for one size.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/ledger-lib.sh"

vault_with 20
for round in 1 2 3; do
	for j in 1 2 3 4; do
		"$CASEFILE_BIN" seal --quiet >"s$j.out" 2>"s$j.err" &
	done
	wait
	bad=0
	for j in 1 2 3 4; do [ -s "s$j.err" ] && { bad=1; cat "s$j.err"; }; done
	check "round $round: four concurrent seals all succeed quietly" test $bad = 0
	echo "more $round" >"m$round"; add_ev B2 "m$round"
done
check "one head per sealed size, each chained to the one before" test "$(sql 'SELECT group_concat(h) FROM (SELECT tree_size || ":" || coalesce(prev_size, 0) AS h FROM heads ORDER BY tree_size)')" = "20:0,21:20,22:21"

# Seal while an ingest of many files is running.
mkdir many; i=0; while [ $i -lt 300 ]; do echo "file $i" >"many/f$i.txt"; i=$((i + 1)); done
"$CASEFILE_BIN" ingest 6931000000000003 many >ing.out 2>ing.err &
"$CASEFILE_BIN" seal >seal.out 2>seal.err
wait
if pg_mode; then
	# On PostgreSQL the seal may wait for the ingest's leaf append and say
	# so (README, "A vault on PostgreSQL"); it must still succeed.
	check "seal during ingest succeeds (at most the waiting notice)" \
		sh -c "! grep -v 'waiting for another command writing to vault' seal.err"
else
	check "seal during ingest succeeds" test ! -s seal.err
fi
cf seal
expect_clean "a seal after the ingest"
cf audit
expect_clean "audit after concurrent work is clean"
done_testing

#!/bin/sh
# SPDX-License-Identifier: MIT
# Every command works against PostgreSQL (issue 18): the whole CLI suite
# (tests/cli, through tests/run.sh with UNIT=0) run in the PostgreSQL mode
# of tests/lib.sh — each vault a test makes keeps its tables in a fresh
# database of one throw-away cluster (tests/lib/pg.sh), stopped by its pid
# at the end.  One TAP line per CLI test: ok, not ok (its failing checks
# follow as comments; its log is in BUILD/test-scale-logs/cli-on-pg), or
# ok with "# SKIP" for a test that cannot apply to PostgreSQL (pg_skip:
# it opens casefile.db's file itself, or tests SQLite's own locking,
# pragmas or disk-full of the SQLite file).  T_PG=pattern narrows the run
# as T does for tests/run.sh.
. "$(dirname "$0")/../lib.sh"
PG_SH="$TESTS_DIR/lib/pg.sh"
D=$(mktemp -d /tmp/casefile-pgsuite-XXXXXX)
trap 'sh "$PG_SH" stop "$D" 2>/dev/null; lib_cleanup' EXIT

t0=$(date +%s)
if ! sh "$PG_SH" start "$D" >env.sh 2>start.err; then
	tap 1 "start the PostgreSQL cluster"; sed 's/^/#   /' start.err
	done_testing; exit 1
fi
. ./env.sh
echo "# PostgreSQL 15 on $PG_SOCK (pid $PG_PID), started in $(($(date +%s) - t0)) s"

t1=$(date +%s)
CASEFILE_TEST_PG=$D CLI_DIR="$TESTS_DIR/cli" UNIT=0 TEST_LOGS=test-scale-logs/cli-on-pg \
	T="${T_PG:-}" sh "$TESTS_DIR/run.sh" >suite.out 2>&1
t2=$(date +%s)
# ok   tNNNN-name (C)  /  FAIL tNNNN-name + indented lines  /  skip tNNNN-name: reason
while IFS= read -r line; do
	case $line in
	"ok   "*) tap_n=$((tap_n + 1)); echo "ok $tap_n - on PostgreSQL: ${line#ok   }" ;;
	"FAIL "*) tap_n=$((tap_n + 1)); echo "not ok $tap_n - on PostgreSQL: ${line#FAIL }" ;;
	"skip "*) tap_n=$((tap_n + 1)); echo "ok $tap_n - # SKIP ${line#skip }" ;;
	*) echo "# $line" ;;
	esac
done <suite.out
echo "# the CLI suite on PostgreSQL took $((t2 - t1)) s"

# stopped by its pid: nothing of the cluster is left
pid=$PG_PID
sh "$PG_SH" stop "$D" >stop.out 2>&1
check "the cluster stops (pid $pid gone, its folder removed)" \
	sh -c "! kill -0 $pid 2>/dev/null && [ ! -e '$D' ]"
done_testing

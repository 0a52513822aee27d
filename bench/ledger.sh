#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/ledger.sh — the ledger figures of issue 5: sealing a ledger of
# 1,000,000 leaves (target < 1 s) and 1,000 inclusion proofs on it (target
# < 1 ms each), plus consistency proofs, the next day's seal, the per-leaf
# cost on the ingest path, and backfilling 1,000,000 pre-ledger rows.
# Data is generated under /tmp and removed afterwards.  One contender, so
# no rounds to alternate (bench/lib.sh): it records the load before and
# after, so that a figure can be read with the machine's state.
#
#   sh bench/ledger.sh [LEAVES]      (run from the source tree; builds the driver)
set -eu
cd "$(dirname "$0")/.."
n=${1:-1000000}
make --no-print-directory -s build/tests/tools/ledger_bench
dir=$(mktemp -d /tmp/casefile-bench-ledger-XXXXXX)
trap 'rm -rf "$dir"' EXIT
echo "ledger bench: $n leaves, SQLite in $dir ($(nproc) cores); $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "peak RSS %M KB, wall %e s" ./build/tests/tools/ledger_bench "$dir/v" "$n"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

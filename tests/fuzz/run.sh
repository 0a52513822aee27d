#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/fuzz/run.sh — `make fuzz`: run every libFuzzer harness for SECONDS
# each, also after one of them crashed, then print one row per harness
# (executions, executions per second, result) and exit 1 when any crashed.
#
#   sh tests/fuzz/run.sh BUILD_DIR SECONDS HARNESS...
# BUILD_DIR holds the built harnesses (BUILD_DIR/fuzz_x), their growing
# corpora (BUILD_DIR/corpus-fuzz_x), logs (BUILD_DIR/fuzz_x.log) and any
# crash input (BUILD_DIR/fuzz_x-crash-..., -leak-, -timeout-, -oom-).
set -u
dir=$1 secs=$2; shift 2
here=$(cd "$(dirname "$0")" && pwd)
rows="" crashed=0
for n in "$@"; do
	mkdir -p "$dir/corpus-$n"
	seeds="$here/corpus/$n"; [ -d "$seeds" ] || seeds=""
	echo "fuzz: $n for ${secs}s"
	# shellcheck disable=SC2086
	"$dir/$n" -max_total_time="$secs" -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$dir/$n-" "$dir/corpus-$n" $seeds >"$dir/$n.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$n.log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/$n.log" | tail -1)
	if [ $rc = 0 ]; then
		result=ok
	else
		crashed=$((crashed + 1))
		art=$(sed -n 's/.*Test unit written to \([^ ]*\).*/\1/p' "$dir/$n.log" | tail -1)
		kind=$(grep -m1 -Eo 'ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|libFuzzer): [a-z-]+' "$dir/$n.log" |
		       sed 's/ERROR: //')
		result="CRASH ${kind:-exit $rc}${art:+ ($art)}"
		tail -40 "$dir/$n.log" | sed 's/^/    /'
	fi
	rows="$rows$(printf '%-18s %12s %9s  %s' "$n" "${execs:-?}" "${rate:-?}" "$result")
"
done
echo
printf '%-18s %12s %9s  %s\n' harness executions exec/s result
printf '%s' "$rows"
echo "fuzz: $# harnesses, ${secs}s each, $crashed crashed"
[ $crashed = 0 ]

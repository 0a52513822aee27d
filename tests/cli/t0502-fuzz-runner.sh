#!/bin/sh
# SPDX-License-Identifier: MIT
# t0502: CI runs the sanitizer suite; `make fuzz`'s runner (tests/fuzz/run.sh) runs every harness even
# after one crashed, ends with a table of executions and results, and exits
# 1 when any crashed.  Fake harnesses print what libFuzzer prints.
# (issue 11, item 11)
. "$(dirname "$0")/../lib.sh"

mkdir fz
fake() { # fake NAME EXECS RC [crash output]
	_crash=${4:-}
	cat >"fz/$1" <<EOS
#!/bin/sh
echo "\$@" >"$SCRATCH/fz/$1.args"
[ -n "$_crash" ] && echo "==1==ERROR: $_crash"
[ -n "$_crash" ] && echo "artifact_prefix='fz/$1-'; Test unit written to fz/$1-crash-abc"
echo "stat::number_of_executed_units: $2"
echo "stat::average_exec_per_sec:     $(($2 / 3))"
exit $3
EOS
	chmod +x "fz/$1"
}
fake fuzz_one 3000 0
fake fuzz_two 1200 1 "AddressSanitizer: heap-buffer-overflow on address 0x1"
fake fuzz_three 9000 0
sh "$TESTS_DIR/fuzz/run.sh" fz 3 fuzz_one fuzz_two fuzz_three >o 2>e
rc=$?
check "1 a crash makes the run fail (exit 1)" test $rc = 1
check "2 the harness after the crashing one ran too" test -f fz/fuzz_three.args
check "3 each harness got the time limit and its corpus" grep -q -- "-max_total_time=3 .*fz/corpus-fuzz_three" fz/fuzz_three.args
check "4 table header" grep -Eq '^harness +executions +exec/s +result$' o
check "5 row of a clean harness" grep -Eq '^fuzz_one +3000 +1000  ok$' o
check "6 row of the crash: kind and input" grep -Eq '^fuzz_two +1200 +400  CRASH AddressSanitizer: heap-buffer-overflow \(fz/fuzz_two-crash-abc\)$' o
check "7 row after the crash" grep -Eq '^fuzz_three +9000 +3000  ok$' o
check "8 summary" grep -q '^fuzz: 3 harnesses, 3s each, 1 crashed$' o
sh "$TESTS_DIR/fuzz/run.sh" fz 3 fuzz_one fuzz_three >o 2>e
check "9 no crash: exit 0" test $? = 0
check "10 make fuzz uses the runner" grep -q 'tests/fuzz/run.sh' "$SRC_DIR/Makefile"
# CI runs the README's test command and then the sanitizer suite.
check "11 .ci/run: make test, then make check" \
	sh -c "grep -E '^make (test|check)\$' '$SRC_DIR/.ci/run' | tr '\n' ' ' | grep -qx 'make test make check '"
done_testing

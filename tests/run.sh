#!/bin/sh
# SPDX-License-Identifier: MIT
# Run every unit test program and every CLI test, count the results, and end
# with one summary line "tests: N passed, N failed" (", N skipped" when a
# CLI test skipped itself: TAP "1..0 # SKIP reason", e.g. pg_skip).
#
# Environment: CASEFILE_BIN (the binary under test), BUILD (its build dir).
# Optional: T=pattern runs only matching CLI tests (e.g. T=t1; several,
# space-separated: T="t605 t7601").  CLI_DIR (default tests/cli), UNIT=0
# (skip the layers check and the unit tests) and TEST_LOGS (the log folder's
# name in BUILD) let tests/scale/run.sh run its folder the same way.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${BUILD:?}" "${CASEFILE_BIN:?}"
export CASEFILE_BIN BUILD
export CASEFILE_TOOLS="$BUILD/tests/tools"
export LC_ALL=C.UTF-8 TZ=UTC
log="$BUILD/${TEST_LOGS:-test-logs}"
rm -rf "$log"; mkdir -p "$log"
pass=0; fail=0; skip=0; failed=""

# The include graph keeps its layers (README, Development): no upward
# edge, no cycle, libharu internals in one file.
if [ "${UNIT:-1}" = 0 ]; then
	:
elif python3 "$here/layers.py" "$here/../src" "$here/../include/casefile" >"$log/layers.log" 2>&1; then
	pass=$((pass + 1))
	echo "ok   layers ($(tail -n 1 "$log/layers.log"))"
else
	fail=$((fail + 1))
	failed="$failed layers"
	echo "FAIL layers"; sed 's/^/    /' "$log/layers.log" | tail -30
fi

for t in "$BUILD"/tests/test_*; do
	[ "${UNIT:-1}" = 0 ] && break
	[ -x "$t" ] || continue
	n=$(basename "$t")
	if CMOCKA_MESSAGE_OUTPUT=stdout "$t" >"$log/$n.log" 2>&1; then
		c=$(grep -c '^\[       OK \]' "$log/$n.log")
		pass=$((pass + c))
		echo "ok   unit $n ($c)"
	else
		c=$(grep -c '^\[       OK \]' "$log/$n.log")
		f=$(grep -c '^\[  FAILED  \]' "$log/$n.log")
		[ "$f" -gt 0 ] || f=1
		pass=$((pass + c)); fail=$((fail + f))
		failed="$failed unit:$n"
		echo "FAIL unit $n"; sed 's/^/    /' "$log/$n.log" | tail -30
	fi
done

for t in "${CLI_DIR:-$here/cli}"/t[0-9][0-9][0-9][0-9]-*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .sh)
	if [ -n "${T:-}" ]; then	# T: one or more prefixes, space-separated
		_m=0; set -f
		for _p in $T; do case "$n" in $_p*) _m=1 ;; esac; done
		set +f
		[ $_m = 1 ] || continue
	fi
	sh "$t" >"$log/$n.log" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^1\.\.0 # SKIP' "$log/$n.log"; then
		skip=$((skip + 1))
		echo "skip $n: $(sed -n 's/^1\.\.0 # SKIP //p' "$log/$n.log")"
		continue
	fi
	c=$(grep -c '^ok ' "$log/$n.log")
	f=$(grep -c '^not ok ' "$log/$n.log")
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	pass=$((pass + c)); fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		failed="$failed $n"
		echo "FAIL $n"; grep -v '^ok ' "$log/$n.log" | sed 's/^/    /' | tail -40
	else
		echo "ok   $n ($c)"
	fi
done

[ -z "$failed" ] || echo "failed:$failed (logs in $log)"
if [ $skip -gt 0 ]; then
	echo "tests: $pass passed, $fail failed, $skip skipped"
else
	echo "tests: $pass passed, $fail failed"
fi
[ $fail -eq 0 ] && [ $pass -gt 0 ]

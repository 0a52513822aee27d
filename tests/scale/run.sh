#!/bin/sh
# SPDX-License-Identifier: MIT
# make test-scale: the tests against real services (README, "Scaling out").
# Starts one throw-away Ceph cluster with a RADOS Gateway
# (tests/lib/ceph-rgw.sh), runs every tests/scale/tNNNN-*.sh against it
# (they see RGW_ENDPOINT, RGW_ACCESS_KEY, RGW_SECRET_KEY, RGW_DIR), stops it
# by its pid files and removes it.  Ends with "tests: N passed, N failed".
#
# Environment: CASEFILE_BIN, BUILD; optional T=pattern as in tests/run.sh.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${BUILD:?}" "${CASEFILE_BIN:?}"
export CASEFILE_BIN BUILD LC_ALL=C.UTF-8 TZ=UTC
log="$BUILD/test-scale-logs"
rm -rf "$log"; mkdir -p "$log"
RGW_DIR=$(mktemp -d /tmp/casefile-rgw-XXXXXX)
# a free port pair (gateway, monitor = gateway + 1)
port=$(python3 -c 'import socket
for p in range(20000, 30000, 2):
    ok = True
    for q in (p, p + 1):
        s = socket.socket()
        try: s.bind(("127.0.0.1", q))
        except OSError: ok = False
        s.close()
    if ok: print(p); break')
trap 'sh "$here/../lib/ceph-rgw.sh" stop "$RGW_DIR"' EXIT INT TERM
t0=$(date +%s)
if ! sh "$here/../lib/ceph-rgw.sh" start "$RGW_DIR" "$port" >"$log/rgw.env" 2>"$log/rgw.err"; then
	echo "FAIL starting Ceph RGW:"; sed 's/^/    /' "$log/rgw.err"
	for f in "$RGW_DIR"/log/*.log; do [ -f "$f" ] && { echo "  $f:"; tail -5 "$f"; }; done
	echo "tests: 0 passed, 1 failed"
	exit 1
fi
. "$log/rgw.env"
export RGW_ENDPOINT RGW_ACCESS_KEY RGW_SECRET_KEY RGW_DIR
echo "ok   Ceph RGW on $RGW_ENDPOINT (started in $(($(date +%s) - t0)) s)"
pass=1; fail=0; failed=""
for t in "$here"/t[0-9][0-9][0-9][0-9]-*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .sh)
	case "$n" in ${T:-*}*) ;; *) continue ;; esac
	s0=$(date +%s)
	sh "$t" >"$log/$n.log" 2>&1
	rc=$?
	c=$(grep -c '^ok ' "$log/$n.log")
	f=$(grep -c '^not ok ' "$log/$n.log")
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	pass=$((pass + c)); fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		failed="$failed $n"
		echo "FAIL $n"; grep -v '^ok ' "$log/$n.log" | sed 's/^/    /' | tail -40
	else
		echo "ok   $n ($c, $(($(date +%s) - s0)) s)"
	fi
done
[ -z "$failed" ] || echo "failed:$failed (logs in $log)"
echo "tests: $pass passed, $fail failed"
[ $fail -eq 0 ]

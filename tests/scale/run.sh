#!/bin/sh
# SPDX-License-Identifier: MIT
# make test-scale: the tests against real services (README, "Scaling out").
# Starts one throw-away Ceph cluster with a RADOS Gateway
# (tests/lib/ceph-rgw.sh), runs every tests/scale/tNNNN-*.sh against it
# through tests/run.sh (they see RGW_ENDPOINT, RGW_ACCESS_KEY,
# RGW_SECRET_KEY, RGW_DIR), stops it
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
port=$(sh "$here/../lib/ceph-rgw.sh" free-port 20000)
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
CLI_DIR=$here UNIT=0 TEST_LOGS=test-scale-logs/tests sh "$here/../run.sh"

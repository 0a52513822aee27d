#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/lib/ceph-rgw.sh — a throw-away single-node Ceph cluster with a RADOS
# Gateway on 127.0.0.1, for the S3 tests (make test-scale) and bench/scale.sh.
#
#   tests/lib/ceph-rgw.sh start DIR PORT   start it; prints shell assignments
#                                          (RGW_ENDPOINT, RGW_ACCESS_KEY,
#                                          RGW_SECRET_KEY) on stdout
#   tests/lib/ceph-rgw.sh stop DIR         stop every daemon by its pid file,
#                                          then remove DIR
#   tests/lib/ceph-rgw.sh kill-rgw DIR     kill -9 the gateway alone (fault tests)
#   tests/lib/ceph-rgw.sh start-rgw DIR    start it again, wait until it answers
#   tests/lib/ceph-rgw.sh free-port FROM   print the first even port >= FROM
#                                          free on 127.0.0.1 with the next one
#                                          (gateway PORT, monitor PORT + 1)
#
# One monitor, one manager, one OSD on a sparse file-backed BlueStore device
# in DIR (CEPH_OSD_GB GiB, default 8), one gateway (beast) on 127.0.0.1:PORT.
# Authentication inside the cluster is off (it is reachable only on
# 127.0.0.1 and lives for one test run); the gateway's S3 users have real keys.  Memory targets are the
# smallest the daemons accept, for a 2-core machine shared with other work.
# Every daemon writes its pid to DIR/run; nothing is left outside DIR.
set -eu

die() { echo "ceph-rgw.sh: $*" >&2; exit 1; }

# wait_for SECONDS CMD...: run CMD until it succeeds
wait_for() {
	_t=$1; shift
	_i=0
	while ! "$@" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ "$_i" -lt $((_t * 5)) ] || return 1
		sleep 0.2
	done
}

stop() {
	dir=$1
	[ -d "$dir" ] || return 0
	# the gateway first (it holds the cluster), the monitor last
	for d in client.rgw osd.0 mgr.x mon.a; do
		f="$dir/run/$d.pid"
		[ -s "$f" ] || continue
		pid=$(cat "$f")
		kill "$pid" 2>/dev/null || continue
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
		kill -9 "$pid" 2>/dev/null || true
	done
	rm -rf "$dir"
}

start() {
	dir=$1 port=$2
	command -v ceph-mon >/dev/null && command -v radosgw >/dev/null ||
		die "Ceph is not installed (make deps-scale)"
	mkdir -p "$dir/run" "$dir/log" "$dir/mon.a" "$dir/osd.0" "$dir/mgr.x" "$dir/rgw"
	dir=$(cd "$dir" && pwd)
	monport=$((port + 1))
	fsid=$(cat /proc/sys/kernel/random/uuid)
	conf="$dir/ceph.conf"
	cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$monport]
ms bind msgr1 = false
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
# the gateway asks for a secure monitor session by default, which needs cephx
ms mon client mode = crc
ms client mode = crc
run dir = $dir/run
pid file = $dir/run/\$name.pid
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
keyring = $dir/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon pg warn min per osd = 0
osd crush chooseleaf type = 0
mon data avail warn = 1
mon data avail crit = 0
# small memory, few threads: a 2-core machine shared with other tests
mon memory target = 134217728
osd memory target = 939524096
osd memory base = 268435456
osd memory cache min = 134217728
bluestore cache autotune = true
osd op num shards = 1
osd op num threads per shard = 2
rgw thread pool size = 32
rgw dns name = 127.0.0.1

[mon]
mon data = $dir/mon.\$id

[mgr]
mgr data = $dir/mgr.\$id
mgr disabled modules = dashboard prometheus restful

[osd]
osd data = $dir/osd.\$id
osd objectstore = bluestore
bluestore block path = $dir/osd.\$id.block
bluestore block create = true
bluestore block size = $(( ${CEPH_OSD_GB:-8} * 1073741824 ))
bluestore block db create = false
bluestore block wal create = false
bluestore fsck on mkfs = false
osd journal size = 128

[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$port
rgw data = $dir/rgw
rgw enable usage log = false
EOF
	ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. \
		--cap mon 'allow *' >/dev/null
	monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$monport]" \
		"$dir/monmap" >/dev/null
	ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" >/dev/null 2>&1 ||
		die "ceph-mon --mkfs failed (see $dir/log)"
	ceph-mon -c "$conf" -i a || die "ceph-mon did not start (see $dir/log)"
	wait_for 30 ceph -c "$conf" --connect-timeout 5 mon stat ||
		die "the monitor does not answer (see $dir/log/mon.a.log)"
	ceph-mgr -c "$conf" -i x || die "ceph-mgr did not start"
	uuid=$(cat /proc/sys/kernel/random/uuid)
	id=$(ceph -c "$conf" osd new "$uuid")
	[ "$id" = 0 ] || die "osd new gave id '$id'"
	ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$uuid" >/dev/null 2>&1 ||
		die "ceph-osd --mkfs failed (see $dir/log/osd.0.log)"
	ceph-osd -c "$conf" -i 0 2>>"$dir/log/start.err" || die "ceph-osd did not start (see $dir/log/start.err)"
	wait_for 60 sh -c "ceph -c '$conf' osd stat -f json | grep -q '\"num_up_osds\":1'" ||
		die "the OSD does not come up (see $dir/log/osd.0.log)"
	radosgw -c "$conf" -n client.rgw || die "radosgw did not start"
	wait_for 120 curl -sf -o /dev/null "http://127.0.0.1:$port/" ||
		die "the gateway does not answer on 127.0.0.1:$port (see $dir/log/client.rgw.log)"
	ak=$(od -An -N10 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F)
	sk=$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')
	radosgw-admin -c "$conf" user create --uid=casefile-test \
		--display-name="casefile test" --access-key="$ak" --secret-key="$sk" \
		>/dev/null 2>&1 || die "radosgw-admin user create failed"
	echo "RGW_ENDPOINT=http://127.0.0.1:$port"
	echo "RGW_ACCESS_KEY=$ak"
	echo "RGW_SECRET_KEY=$sk"
	echo "RGW_CONF=$conf"
}

rgw_port() { sed -n 's/^rgw frontends = beast endpoint=127.0.0.1:\([0-9]*\)$/\1/p' "$1/ceph.conf"; }

kill_rgw() {
	f="$1/run/client.rgw.pid"
	[ -s "$f" ] || die "no gateway pid in '$f'"
	pid=$(cat "$f")
	kill -9 "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	rm -f "$f"
}

start_rgw() {
	port=$(rgw_port "$1")
	radosgw -c "$1/ceph.conf" -n client.rgw || die "radosgw did not start"
	wait_for 120 curl -sf -o /dev/null "http://127.0.0.1:$port/" ||
		die "the gateway does not answer on 127.0.0.1:$port"
}

# free_port FROM: a port pair free on 127.0.0.1 (gateway, monitor = + 1)
free_port() {
	python3 - "$1" <<'PY'
import socket, sys
first = int(sys.argv[1])
for p in range(first, first + 10000, 2):
    ok = True
    for q in (p, p + 1):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", q))
        except OSError:
            ok = False
        s.close()
    if ok:
        print(p)
        break
PY
}

case "${1:-}" in
free-port) [ $# = 2 ] || die "usage: ceph-rgw.sh free-port FROM"; free_port "$2" ;;
start) [ $# = 3 ] || die "usage: ceph-rgw.sh start DIR PORT"; start "$2" "$3" ;;
stop) [ $# = 2 ] || die "usage: ceph-rgw.sh stop DIR"; stop "$2" ;;
kill-rgw) [ $# = 2 ] || die "usage: ceph-rgw.sh kill-rgw DIR"; kill_rgw "$2" ;;
start-rgw) [ $# = 2 ] || die "usage: ceph-rgw.sh start-rgw DIR"; start_rgw "$2" ;;
*) die "usage: ceph-rgw.sh start DIR PORT | stop DIR | kill-rgw DIR | start-rgw DIR | free-port FROM" ;;
esac

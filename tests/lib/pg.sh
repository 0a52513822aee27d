#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/lib/pg.sh — a throw-away PostgreSQL 15 cluster for the tests
# (make test-scale) and bench/scale.sh (issue 18).
#
#   tests/lib/pg.sh start DIR [PORT]  make the cluster in DIR (or start the
#                                     one already there, with its own port:
#                                     crash recovery after 'kill'), wait until it accepts
#                                     connections, make database 'casefile';
#                                     prints shell assignments (PG_URL, ...)
#                                     on stdout, also kept in DIR/env
#   tests/lib/pg.sh stop DIR          fast shutdown by the postmaster's pid,
#                                     then remove DIR
#   tests/lib/pg.sh restart DIR       immediate stop (no checkpoint, as a
#                                     crash of the server would) and start
#                                     again ("PostgreSQL restarted mid-import")
#   tests/lib/pg.sh kill DIR          kill -9 the postmaster and its children;
#                                     DIR stays ('start DIR' recovers it)
#   tests/lib/pg.sh free-port FROM    print the first port >= FROM free on
#                                     127.0.0.1
#
# The server listens on a Unix socket in DIR/sock, and on 127.0.0.1:PORT
# too when PORT is given.  What 'start' prints (single-quoted, so the file
# can be sourced with '.'):
#   PG_URL='postgresql:///casefile?host=DIR/sock&port=P&user=U'  libpq URI
#   PG_TCP_URL='postgresql://U@127.0.0.1:PORT/casefile'   only with PORT
#   PG_DIR='DIR' PG_SOCK='DIR/sock' PG_PORT='P' PG_USER='U' PG_DB='casefile'
#   PG_PID='postmaster pid'
# P is PORT, or 5432 without one (it only names the socket file then).
#
# The server refuses to run as root, so as root every server program runs
# as PG_RUN_AS (default 'nobody') through runuser, and DIR is made and
# owned by that user; its parent folders must let that user in (use a
# folder from 'mktemp -d /tmp/...', not one under a private scratch folder).
# Run as another user, it runs as that user.  Authentication is 'trust'
# (the socket is in a folder only that user and root can enter; TCP listens
# on 127.0.0.1 only, for one test run).  Memory is small (shared_buffers
# 64 MB, 50 connections) for a 2-core machine shared with other work;
# durability is the default (fsync on, synchronous_commit on).  Nothing is
# left outside DIR.
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PG_DB=casefile

die() { echo "pg.sh: $*" >&2; exit 1; }

# as_pg CMD...: run CMD as the cluster's owner, from / (the caller's folder
# may be closed to that user; every path here is absolute)
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		(cd / && runuser -u "${PG_RUN_AS:-nobody}" -- "$@")
	else
		"$@"
	fi
}

pg_user() {
	if [ "$(id -u)" = 0 ]; then echo "${PG_RUN_AS:-nobody}"; else id -un; fi
}

# postmaster_pid DIR: the pid in DIR/data/postmaster.pid, if that process lives
postmaster_pid() {
	f="$1/data/postmaster.pid"
	[ -s "$f" ] || return 1
	_pid=$(sed -n 1p "$f")
	case "$_pid" in '' | *[!0-9]*) return 1 ;; esac
	kill -0 "$_pid" 2>/dev/null || return 1
	echo "$_pid"
}

# children PID: the pids whose parent is PID (the server's processes)
children() {
	_parent=$1
	for _s in /proc/[0-9]*/stat; do
		# after the name (field 2, which may hold spaces): state, parent
		_r=$(sed 's/^.*) //' "$_s" 2>/dev/null) || continue
		set -- $_r
		if [ "${2:-}" = "$_parent" ]; then _p=${_s#/proc/}; echo "${_p%/stat}"; fi
	done
}

wait_gone() { # wait_gone SECONDS PID...
	_t=$(($1 * 10)); shift
	for _p in "$@"; do
		while kill -0 "$_p" 2>/dev/null; do
			_t=$((_t - 1))
			[ "$_t" -gt 0 ] || return 1
			sleep 0.1
		done
	done
}

# drop_shm DIR: remove the System V segment of a server that died by
# kill -9 (a fast or immediate stop removes its own)
drop_shm() {
	f="$1/data/postmaster.pid"
	[ -s "$f" ] || return 0
	shmid=$(sed -n 7p "$f" | awk '{print $2}')
	case "$shmid" in '' | *[!0-9]*) return 0 ;; esac
	ipcrm -m "$shmid" 2>/dev/null || true
}

env_lines() {
	dir=$1 port=$2 tcp=$3 user=$4 pid=$5
	echo "PG_URL='postgresql:///$PG_DB?host=$dir/sock&port=$port&user=$user'"
	[ -z "$tcp" ] || echo "PG_TCP_URL='postgresql://$user@127.0.0.1:$tcp/$PG_DB'"
	echo "PG_DIR='$dir'"
	echo "PG_SOCK='$dir/sock'"
	echo "PG_PORT='$port'"
	echo "PG_USER='$user'"
	echo "PG_DB='$PG_DB'"
	echo "PG_PID='$pid'"
}

# server_start DIR: pg_ctl start on the cluster in DIR/data, wait until ready
server_start() {
	as_pg "$PGBIN/pg_ctl" -D "$1/data" -l "$1/log/postgres.log" -w -t 60 -s start ||
		{ tail -n 20 "$1/log/postgres.log" >&2 2>/dev/null; die "the server did not start (see $1/log/postgres.log)"; }
}

start() {
	dir=$1 tcp=${2:-}
	[ -x "$PGBIN/initdb" ] || die "PostgreSQL 15 is not installed (make deps-scale)"
	case "$dir" in /*) ;; *) dir=$(pwd)/$dir ;; esac
	case "$dir" in *[!A-Za-z0-9/._-]*) die "'$dir': use a path of letters, digits and / . _ -" ;; esac
	case "$tcp" in *[!0-9]*) die "port '$tcp' is not a number" ;; esac
	user=$(pg_user)
	port=${tcp:-5432}
	[ ${#dir} -lt 80 ] || die "'$dir' is too long for a Unix socket path"
	if [ -f "$dir/data/PG_VERSION" ]; then
		# a cluster made before: start it again (recovery after 'kill')
		! postmaster_pid "$dir" >/dev/null || die "a server already runs in '$dir'"
		drop_shm "$dir"
		rm -f "$dir/data/postmaster.pid"
		server_start "$dir"
		# the port and addresses are the cluster's, from when it was made
		port=$(sed -n 's/^port = //p' "$dir/data/postgresql.conf" | tail -n 1)
		tcp=
		! grep -q "^listen_addresses = '127.0.0.1'" "$dir/data/postgresql.conf" || tcp=$port
	else
		mkdir -p "$dir"
		[ "$(id -u)" != 0 ] || chown "$user" "$dir"
		chmod 0700 "$dir"
		as_pg test -w "$dir" ||
			die "user '$user' cannot write '$dir' (a parent folder keeps it out?)"
		as_pg mkdir -p "$dir/sock" "$dir/log"
		(as_pg "$PGBIN/initdb" -D "$dir/data" -A trust -U "$user" -E UTF8 \
			--locale=C --no-instructions) >"$dir/log/initdb.log" 2>&1 ||
			{ tail -n 20 "$dir/log/initdb.log" >&2; die "initdb failed"; }
		{
			echo "# tests/lib/pg.sh"
			if [ -n "$tcp" ]; then
				echo "listen_addresses = '127.0.0.1'"
			else
				echo "listen_addresses = ''"
			fi
			echo "port = $port"
			echo "unix_socket_directories = '$dir/sock'"
			echo "unix_socket_permissions = 0700"
			echo "shared_buffers = 64MB"
			echo "max_connections = 50"
			echo "work_mem = 4MB"
			echo "maintenance_work_mem = 32MB"
			echo "wal_buffers = 4MB"
			echo "max_wal_size = 256MB"
			echo "huge_pages = off"
			echo "max_worker_processes = 4"
			echo "max_parallel_workers = 2"
			echo "max_parallel_workers_per_gather = 0"
			echo "autovacuum_max_workers = 1"
			echo "fsync = on"
			echo "synchronous_commit = on"
			echo "log_min_messages = warning"
			echo "log_line_prefix = '%m [%p] '"
		} | as_pg sh -c "cat >>'$dir/data/postgresql.conf'"
		server_start "$dir"
		as_pg "$PGBIN/createdb" -h "$dir/sock" -p "$port" -U "$user" "$PG_DB" ||
			die "createdb $PG_DB failed"
	fi
	pid=$(postmaster_pid "$dir") || die "no postmaster pid in '$dir/data/postmaster.pid'"
	env_lines "$dir" "$port" "$tcp" "$user" "$pid" >"$dir/env"
	cat "$dir/env"
}

# stop_server DIR fast|immediate|kill: stop the postmaster that way and wait
# until it and every child of it is gone
stop_server() {
	dir=$1 how=$2
	pid=$(postmaster_pid "$dir") || return 0
	kids=$(children "$pid")
	case "$how" in
	fast) kill -INT "$pid" ;;
	immediate) kill -QUIT "$pid" ;;
	kill) kill -9 "$pid"; [ -z "$kids" ] || kill -9 $kids 2>/dev/null || true ;;
	esac
	if ! wait_gone 60 "$pid" $kids; then
		kill -9 "$pid" $kids 2>/dev/null || true
		wait_gone 10 "$pid" $kids || die "server pid $pid does not stop"
	fi
	[ "$how" != kill ] || drop_shm "$dir"
}

stop() {
	dir=$1
	[ -d "$dir" ] || return 0
	[ ! -d "$dir/data" ] || stop_server "$dir" fast
	[ ! -d "$dir/data" ] || drop_shm "$dir"
	rm -rf "$dir"
}

restart() {
	dir=$1
	[ -f "$1/data/PG_VERSION" ] || die "no cluster in '$dir'"
	stop_server "$dir" immediate
	server_start "$dir"
	pid=$(postmaster_pid "$dir") || die "no postmaster pid after restart"
	sed -i "s/^PG_PID=.*/PG_PID='$pid'/" "$dir/env"
}

kill_server() {
	[ -f "$1/data/PG_VERSION" ] || die "no cluster in '$1'"
	stop_server "$1" kill
}

free_port() {
	python3 - "$1" <<'PY'
import socket, sys
for p in range(int(sys.argv[1]), 65536):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
PY
}

case "${1:-}" in
start) [ $# = 2 ] || [ $# = 3 ] || die "usage: pg.sh start DIR [PORT]"; start "$2" "${3:-}" ;;
stop) [ $# = 2 ] || die "usage: pg.sh stop DIR"; stop "$2" ;;
restart) [ $# = 2 ] || die "usage: pg.sh restart DIR"; restart "$2" ;;
kill) [ $# = 2 ] || die "usage: pg.sh kill DIR"; kill_server "$2" ;;
free-port) [ $# = 2 ] || die "usage: pg.sh free-port FROM"; free_port "$2" ;;
*) die "usage: pg.sh start DIR [PORT] | stop DIR | restart DIR | kill DIR | free-port FROM" ;;
esac

#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/lib/pg.sh (issue 18): a throw-away PostgreSQL 15 cluster starts as
# an unprivileged user, answers psql on its Unix socket and on 127.0.0.1,
# keeps committed rows over an immediate restart and over kill -9 and a
# start (crash recovery), and 'stop' leaves no server process, no shared
# memory segment and no folder behind.  Usage mistakes are refused.
. "$(dirname "$0")/../lib.sh"
PG_SH="$TESTS_DIR/lib/pg.sh"
D=$(mktemp -d /tmp/casefile-pg-XXXXXX)
trap 'sh "$PG_SH" stop "$D" 2>/dev/null; lib_cleanup' EXIT

# server_pids: the postmaster of D and its children, one a line
server_pids() {
	_m=$(sed -n 1p "$D/data/postmaster.pid" 2>/dev/null) || return 0
	kill -0 "$_m" 2>/dev/null || return 0
	echo "$_m"
	ps -o pid= --ppid "$_m" | tr -d ' '
}
all_gone() { for _p in "$@"; do ! kill -0 "$_p" 2>/dev/null || { echo "pid $_p lives"; return 1; }; done; }
q() { psql "$PG_URL" -X -A -t -v ON_ERROR_STOP=1 -c "$1"; }

# 1. start on a Unix socket and 127.0.0.1
port=$(sh "$PG_SH" free-port 26000)
sh "$PG_SH" start "$D" "$port" >env.sh 2>start.err
check "1a. start: exit 0, empty stderr" sh -c "[ $? = 0 ] && [ ! -s start.err ]"
. ./env.sh
check "1b. the URL names the socket folder, port, user and database" \
	test "$PG_URL" = "postgresql:///casefile?host=$D/sock&port=$port&user=nobody"
check "1c. psql over the socket as root" test "$(q 'select 1')" = 1
check "1d. the server runs as nobody" test "$(q 'select current_user')" = nobody
check "1e. UTF8, C collation, fsync on" \
	test "$(q "select pg_encoding_to_char(encoding) || ' ' || datcollate || ' ' || current_setting('fsync') from pg_database where datname = current_database()")" = "UTF8 C on"
check "1f. small memory: shared_buffers 64MB" test "$(q 'show shared_buffers')" = 64MB
check "1g. psql over TCP on 127.0.0.1:$port" test "$(psql "$PG_TCP_URL" -XAtc 'select 2')" = 2
check "1h. the socket folder is the server's alone" \
	test "$(stat -c '%a %U' "$D/data")" = "700 nobody"
check "1i. postmaster pid as printed" test "$(sed -n 1p "$D/data/postmaster.pid")" = "$PG_PID"
sh "$PG_SH" start "$D" >again.out 2>again.err
check "1j. a second start on the running cluster is refused" sh -c "[ $? != 0 ] && grep -q 'a server already runs' again.err"

# 2. restart (immediate stop, as a crash of the server): committed rows stay
check "2a. a committed row" q "create table t(x int); insert into t values (42)"
before=$(server_pids)
sh "$PG_SH" restart "$D" 2>restart.err
check "2b. restart: exit 0, empty stderr" sh -c "[ $? = 0 ] && [ ! -s restart.err ]"
check "2c. every process of the old server is gone" all_gone $before
. "$D/env"
check "2d. a new postmaster, pid in DIR/env" sh -c "[ '$PG_PID' != '$(echo "$before" | head -n 1)' ] && kill -0 '$PG_PID'"
check "2e. the row survived the restart" test "$(q 'select x from t')" = 42
check "2f. the server log tells of the recovery" grep -q 'database system was interrupted' "$D/log/postgres.log"

# 3. kill -9 and start again
before=$(server_pids)
shmid=$(sed -n 7p "$D/data/postmaster.pid" | awk '{print $2}')
sh "$PG_SH" kill "$D" 2>kill.err
check "3a. kill: exit 0, empty stderr" sh -c "[ $? = 0 ] && [ ! -s kill.err ]"
check "3b. every process is gone" all_gone $before
check "3c. psql is refused" sh -c "! psql '$PG_URL' -XAtc 'select 1'"
check_not "3d. no shared memory segment left" sh -c "ipcs -m | awk '{print \$2}' | grep -qx '$shmid'"
sh "$PG_SH" start "$D" >env2.sh 2>start2.err
check "3e. start again recovers the cluster" sh -c "[ $? = 0 ] && [ ! -s start2.err ]"
. ./env2.sh
check "3f. same URL and port as before" test "$PG_TCP_URL" = "postgresql://nobody@127.0.0.1:$port/casefile"
check "3g. the row survived kill -9" test "$(q 'select x from t')" = 42

# 4. stop: nothing left
before=$(server_pids)
shmid=$(sed -n 7p "$D/data/postmaster.pid" | awk '{print $2}')
check "4a. four or more server processes ran" test "$(echo "$before" | wc -l)" -ge 4
sh "$PG_SH" stop "$D" 2>stop.err
check "4b. stop: exit 0, empty stderr" sh -c "[ $? = 0 ] && [ ! -s stop.err ]"
check "4c. no process of the server remains" all_gone $before
check "4d. the folder is removed" test ! -e "$D"
check_not "4e. no shared memory segment left" sh -c "ipcs -m | awk '{print \$2}' | grep -qx '$shmid'"
check "4f. stop of a removed cluster is a no-op" sh "$PG_SH" stop "$D"

# 5. usage mistakes
mkdir -p private && chmod 700 private
sh "$PG_SH" start "$SCRATCH/private/pg" >/dev/null 2>priv.err
check "5a. a folder nobody cannot reach is refused" sh -c "[ $? != 0 ] && grep -q \"user 'nobody' cannot write\" priv.err"
sh "$PG_SH" start "/tmp/with space" >/dev/null 2>sp.err
check "5b. a path with a space is refused" sh -c "[ $? != 0 ] && grep -q 'use a path of letters' sp.err"
sh "$PG_SH" start "$D" 5x >/dev/null 2>port.err
check "5c. a port that is not a number is refused" sh -c "[ $? != 0 ] && grep -q \"port '5x' is not a number\" port.err"
sh "$PG_SH" restart "$D" 2>nocl.err
check "5d. restart without a cluster is refused" sh -c "[ $? != 0 ] && grep -q 'no cluster in' nocl.err"
sh "$PG_SH" frobnicate 2>usage.err
check "5e. an unknown subcommand prints the usage" sh -c "[ $? != 0 ] && grep -q '^pg.sh: usage: ' usage.err"
check "5f. nothing was made" test ! -e "$D"
done_testing

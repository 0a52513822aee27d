#!/bin/sh
# SPDX-License-Identifier: MIT
# t0501: commands that only read never wait for a writer; a writer that
# finds another waits and says so once, or with --no-wait fails at once
# (exit 5).  The write lock is held by sqlite3 (BEGIN IMMEDIATE) as a long
# import would hold it.  (issue 11, item 10)
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/build-fixture.sh"

O=6931000000000001
NOW=2025-05-04T02:00:00Z
make_order $O
cf dispute open $O --reason quality --amount 89.00 --requested-at '2025-05-03 10:12' --now $NOW
expect_clean "1 dispute opened"
cf build $O -o before.pdf --now $NOW
expect_unsealed "2 a dossier to verify later"
echo 'another file' >late.txt

# Hold the database's write lock from another process until told to commit.
# On PostgreSQL (CASEFILE_TEST_PG) the holder is psql holding the lock
# casefile's writers take there (db_pg.c: advisory lock 1667629056/1).
mkfifo ctl
if pg_mode; then
	PG_LOCK="1667629056, 1"
	"$PGBIN/psql" -X -q -d "$(cat "$CASEFILE_VAULT/database")" <ctl >holder.out 2>&1 &
else
	sqlite3 "$CASEFILE_VAULT/casefile.db" <ctl >holder.out 2>&1 &
fi
holder=$!
LIB_PIDS="$LIB_PIDS $holder"
exec 3>ctl
if pg_mode; then
	echo "BEGIN; SELECT pg_advisory_xact_lock($PG_LOCK);
INSERT INTO meta(key, value) VALUES('held', '1'), ('shop.name', 'held shop');" >&3
else
	echo ".timeout 20000
BEGIN IMMEDIATE; INSERT INTO meta(key, value) VALUES('held', '1'), ('shop.name', 'held shop');" >&3
fi
lock_free() {
	if pg_mode; then
		[ "$("$PGBIN/psql" -X -A -t -d "$(cat "$CASEFILE_VAULT/database")" \
			-c "SELECT pg_try_advisory_lock($PG_LOCK)")" = t ]
	else
		sqlite3 "$CASEFILE_VAULT/casefile.db" 'BEGIN IMMEDIATE; ROLLBACK;' 2>/dev/null
	fi
}
i=0
while lock_free; do
	i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.1
done
check "3 the write lock is held" test $i -lt 100

# Readers: each must finish promptly with its usual result (old code: every
# open waited 60 s for the lock, then "database is locked").
reader() { # reader N WANT_RC ARGS...
	_n=$1 _want=$2; shift 2
	_t0=$(date +%s)
	"$CASEFILE_BIN" "$@" >"$out" 2>"$err" </dev/null &
	_p=$!
	( sleep 15; kill "$_p" 2>/dev/null ) & _w=$!
	wait $_p; rc=$?
	kill $_w 2>/dev/null; wait $_w 2>/dev/null
	_t=$(( $(date +%s) - _t0 ))
	if [ "$rc" = "$_want" ] && [ $_t -le 5 ]; then tap 0 "$_n $* (${_want}) beside a writer"
	else tap 1 "$_n $* beside a writer: rc $rc (want $_want) after ${_t}s"; show_last; fi
}
reader 4 0 list
reader 5 0 show $O
reader 6 0 due --now $NOW
reader 7 0 log
reader 8 0 stats --now $NOW
reader 9 0 statement $O --now $NOW
reader 10 3 check $O --now $NOW
reader 11 0 build $O -o during.pdf --now $NOW
reader 12 0 verify during.pdf --vault "$CASEFILE_VAULT"
reader 13 0 audit
reader 14 0 dispute list
reader 15 0 export $O -o during.zip
reader 16 0 config
expect_no_out "held shop" "17 config lists the last commit, not the writer's open transaction"

# Writers with --no-wait fail at once, exit 5, saying why; nothing written.
nowait() { # nowait N ARGS...
	_n=$1; shift
	_t0=$(date +%s)
	cf "$@"
	_t=$(( $(date +%s) - _t0 ))
	# On PostgreSQL an import's short leaf append waits its turn even
	# under --no-wait (README, "Several importers at once"), up to 60 s.
	_max=3; pg_mode && [ "$1" = import ] && _max=70
	if [ "$rc" = 5 ] && [ $_t -le $_max ] &&
	   grep -Eq "the vault is busy: another casefile command is writing to it|another import" "$err"
	then tap 0 "$_n $* fails at once"
	else tap 1 "$_n $* (want exit 5 at once, 'the vault is busy'; got $rc after ${_t}s)"; show_last; fi
}
nowait 18 ingest --no-wait --kind other $O late.txt
nowait 19 --no-wait ingest --kind other $O late.txt
nowait 20 dispute update $O --no-wait --note 'called the buyer' --now $NOW
nowait 21 config --no-wait shop.name 别的店
nowait 22 seal --no-wait
mkdir -p b/orders-2025-05-02/$O && cp late.txt b/orders-2025-05-02/$O/chat.txt
nowait 23 import --no-wait b
check "24 nothing was written by them" \
	test "$(sql "SELECT count(*) FROM evidence WHERE name='late.txt'")" = 0

# A writer without --no-wait waits, says so once, and finishes after the
# holder commits.
: >w.err
"$CASEFILE_BIN" ingest --kind other $O late.txt >w.out 2>w.err &
writer=$!
LIB_PIDS="$LIB_PIDS $writer"
i=0
while ! grep -q waiting w.err; do i=$((i + 1)); [ $i -lt 100 ] || break; sleep 0.1; done
check "25 the waiting writer says so" grep -Eq "^casefile: waiting for another command writing to vault '.*' \(--no-wait: fail instead\)$" w.err
check "26 and is still waiting" kill -0 $writer
sleep 1
echo "COMMIT;" >&3
exec 3>&-
wait $holder
wait $writer; wrc=$?
check "27 the writer finishes once the lock is free: exit 0" test $wrc = 0
check "28 it said so only once" test "$(grep -c waiting w.err)" = 1
check "29 and stored the file" test "$(sql "SELECT count(*) FROM evidence WHERE name='late.txt'")" = 1
check "30 the holder's row is committed" test "$(sql "SELECT value FROM meta WHERE key='held'")" = 1
cf config
expect_out "shop.name=held shop" "31 and visible to the next reader"

cf ingest --help
expect_out "no-wait" "32 a writer's --help documents --no-wait"
cf --help
expect_out "never wait" "33 casefile --help says readers never wait"

done_testing

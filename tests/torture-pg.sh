#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/torture-pg.sh — `make torture`'s PostgreSQL part (issue 18): a
# vault in a throw-away PostgreSQL 15 cluster (tests/lib/pg.sh), two
# importers at once into it, and in each round, after a random delay, one
# of:
#   restart     the server stopped at once (as a crash) and started again
#   kill        the server killed -9, started again a moment later
#   importer    one importer killed -9 (the other goes on)
# Then: each importer exited 0 or 5 (5 with a message naming PostgreSQL or
# a kill), every committed row has its object and exactly one leaf, the
# leaves are 0..N-1 and each is its row's (tests/lib/pg-ledger-check.py),
# and running both imports again completes them: every file one row.  A
# seal at the end must give the root recomputed from the rows.
#
# Knobs: TORTURE_PG_ROUNDS=6, TORTURE_SEED (default: the clock; printed),
# TORTURE_KEEP=1 (keep the work folder).  Needs postgresql-15 (make
# deps-scale); without it the part is skipped with a message.
set -u
: "${CASEFILE_BIN:?run through make torture}"
BIN=$CASEFILE_BIN
ROUNDS=${TORTURE_PG_ROUNDS:-6}
SEED=${TORTURE_SEED:-$(date +%s)}
TESTS_DIR=$(cd "$(dirname "$0")" && pwd)
PG_SH="$TESTS_DIR/lib/pg.sh"
export LC_ALL=C.UTF-8 TZ=UTC CASEFILE_IMPORT_BATCH=25
unset CASEFILE_VAULT CASEFILE_NOW CASEFILE_PASSPHRASE
if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
	echo "torture-pg: skipped: PostgreSQL 15 is not installed (make deps-scale)"
	exit 0
fi
W=$(mktemp -d /tmp/casefile-torture-pg-XXXXXX)
chmod 755 "$W"
PGD="$W/pg"
cleanup() {
	sh "$PG_SH" stop "$PGD" 2>/dev/null
	if [ "${TORTURE_KEEP:-0}" = 1 ]; then echo "torture-pg: work folder kept: $W"
	else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$W" || exit 1
sh "$PG_SH" start "$PGD" >pg.env || { echo "torture-pg: PostgreSQL did not start"; exit 1; }
. ./pg.env
q() { psql "$PG_URL" -X -A -t -v ON_ERROR_STOP=1 -c "$1"; }

bundle() { # bundle DIR FIRST N
	awk -v n="$3" -v f="$2" -v root="$1" 'BEGIN {
		for (i = f; i < f + n; i++) {
			id = sprintf("6931%012d", i); d = root "/" id
			system("mkdir -p " d)
			x = d "/chat.json"
			printf "{\"order_id\": \"%s\", \"messages\": [{\"time\": \"2025-05-01 10:00:00\", \"from\": \"buyer\", \"name\": \"n\", \"text\": \"order %s\"}]}\n", id, id > x; close(x)
			x = d "/order.json"
			printf "{\"order_id\": \"%s\", \"shop\": \"s\", \"items\": [], \"total\": \"1.00\"}\n", id > x; close(x)
			x = d "/logistics.json"
			printf "{\"carrier\": \"SF\", \"tracking_no\": \"SF%010d\", \"events\": [{\"time\": \"2025-05-01T08:00:00+08:00\", \"status\": \"collected\", \"location\": \"x\", \"desc\": \"y\"}]}\n", i > x; close(x)
		}
	}'
}

"$BIN" --vault v init --db "$PG_URL" >/dev/null 2>init.err || { cat init.err; exit 1; }
TRIES=0 FAILS=0
fail() { FAILS=$((FAILS + 1)); echo "torture-pg: FAIL round $r ($what): $*"; }

# objects_ok: every object an evidence row names is in VAULT/objects
objects_ok() {
	q "SELECT DISTINCT encode(sha256, 'hex') FROM evidence" | sort >named
	find v/objects -type f | sed 's,.*/\(..\)/,\1,' | sort >stored
	[ -z "$(comm -23 named stored | head -1)" ]
}
# settled: the checks of a vault after a fault
settled() {
	python3 "$TESTS_DIR/lib/pg-ledger-check.py" "$PG_URL" >ledger.out 2>&1 ||
		fail "ledger: $(head -3 ledger.out | tr '\n' ' ')"
	objects_ok || fail "a committed row's object is missing"
}

echo "torture-pg: seed $SEED, $ROUNDS rounds"
r=1 files=0
while [ "$r" -le "$ROUNDS" ]; do
	what=$(awk -v s="$SEED" -v r="$r" 'BEGIN { srand(s + r); split("restart kill importer", a, " "); print a[1 + int(rand() * 3)] }')
	delay=$(awk -v s="$SEED" -v r="$r" 'BEGIN { srand(s * 7 + r); printf "%.1f", rand() }')
	before=$(q "SELECT count(*) FROM evidence")
	bundle "a$r/orders-2025-05-02" $((r * 1000)) 500
	bundle "b$r/orders-2025-05-03" $((r * 1000 + 400)) 500	# 100 orders in both
	files=$((files + 900 * 3))
	"$BIN" --vault v import "a$r/orders-2025-05-02" >a.out 2>a.err & pa=$!
	"$BIN" --vault v import "b$r/orders-2025-05-03" >b.out 2>b.err & pb=$!
	# the fault once this round's first batch is committed, and a random while later
	t=300
	while [ "$(q "SELECT count(*) > $before FROM evidence")" != t ] && [ "$t" -gt 0 ]; do
		t=$((t - 1)); sleep 0.1
	done
	sleep "$delay"
	case $what in
	restart) sh "$PG_SH" restart "$PGD" 2>/dev/null; . "$PGD/env" ;;
	kill) sh "$PG_SH" kill "$PGD" 2>/dev/null; sleep 1; sh "$PG_SH" start "$PGD" >/dev/null 2>&1; . "$PGD/env" ;;
	importer) kill -9 $pa 2>/dev/null ;;
	esac
	wait $pa; ra=$?; wait $pb; rb=$?
	exits="$ra $rb"
	TRIES=$((TRIES + 1))
	for x in a:$ra b:$rb; do
		n=${x%%:*} c=${x#*:}
		case $c in
		0) ;;
		137) [ "$what" = importer ] || fail "importer $n killed by something else" ;;
		5) grep -q "PostgreSQL" $n.err || fail "importer $n: exit 5 without naming PostgreSQL: $(grep -v warning: $n.err | head -2)" ;;
		*) fail "importer $n exited $c: $(head -2 $n.err)" ;;
		esac
	done
	settled
	"$BIN" --vault v import "a$r/orders-2025-05-02" >/dev/null 2>a2.err & pa=$!
	"$BIN" --vault v import "b$r/orders-2025-05-03" >/dev/null 2>b2.err & pb=$!
	wait $pa; ra=$?; wait $pb; rb=$?
	[ "$ra$rb" = 00 ] || fail "re-run exited $ra $rb: $(cat a2.err b2.err | head -2)"
	rows=$(q "SELECT count(*) FROM evidence")
	[ "$rows" = "$files" ] || fail "$rows rows after the re-run, want $files"
	settled
	echo "torture-pg: round $r: $what ${delay}s after the first commit: exits $exits, re-runs $ra $rb, $rows rows"
	r=$((r + 1))
done
"$BIN" --vault v keygen >/dev/null 2>&1
if "$BIN" --vault v seal >seal.out 2>seal.err; then
	root=$(q "SELECT encode(root, 'hex') FROM heads ORDER BY tree_size DESC LIMIT 1")
	python3 "$TESTS_DIR/lib/pg-ledger-check.py" "$PG_URL" "$root" >ledger.out 2>&1 ||
		{ r=seal what=seal; fail "the head's root: $(head -2 ledger.out)"; }
else
	r=seal what=seal; fail "seal: $(head -2 seal.err)"
fi
printf 'torture-pg: %-28s %5s %8s\n' part tries failures
printf 'torture-pg: %-28s %5d %8d\n' "PostgreSQL faults mid-import" "$TRIES" "$FAILS"
[ "$FAILS" = 0 ]

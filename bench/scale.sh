#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/scale.sh — large files into an S3 store (issue 18): `casefile
# ingest` of 2 × SIZE_MB files into a vault made with --objects on a
# throw-away Ceph RADOS Gateway (tests/lib/ceph-rgw.sh), next to `s3cmd put`
# of the same two files into the same gateway in the same run.  Target:
# casefile <= 1.2x s3cmd.
#
# casefile reads each file once, hashing it, and streams it to the store
# as it reads (16 MiB parts, each with its SHA-256 as the signed payload
# hash and its Content-MD5, sent by a helper thread while the next part is
# read) to a temporary key, since the name is the hash known only at the
# end; then copies it inside the store to its name, checks the copy's ETag
# against the parts' and HEADs it, and deletes the temporary object.
# (Until 2026-12-03 it first staged the whole file in VAULT/tmp: 1.29x
# s3cmd.)  s3cmd (multipart, 15 MB chunks) sends MD5s and SHA-256s too.
# The two take turns within a round, in alternating order (bench_order);
# each round writes into a fresh prefix (nothing is deleted while
# measuring; bench/lib.sh); figures are medians of per-round ratios with
# min-max.
#
# Small files (PART=files): `casefile import` of the 60,000-file bundle
# of bench/import.sh (20,000 orders, bench_orders) into (a) the embedded
# vault (SQLite + objects/), (b) PostgreSQL 15 (a throw-away cluster,
# tests/lib/pg.sh) + the same gateway, and (b) with two importers at once
# (two folders joined to one --db, each importing half the orders), plus
# PostgreSQL with local objects to tell the database's share from the
# store's.  Each run gets a fresh database and prefix.  Targets: (b) one
# importer >= 0.5x (a)'s files/s; two importers together faster than one.
#
# Env: CASEFILE_BIN (default ./casefile), PART (all, large, files),
# SIZE_MB (500), RUNS (3), BENCH_ORDERS (20000), FILES_RUNS (1: a round of
# the four imports takes about half an hour on the 2-core machine).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
BIN=${CASEFILE_BIN:-$here/casefile}
SIZE_MB=${SIZE_MB:-500}
RUNS=${RUNS:-3}
PART=${PART:-all}
N=${BENCH_ORDERS:-20000}
FILES_RUNS=${FILES_RUNS:-1}
command -v radosgw >/dev/null && command -v s3cmd >/dev/null ||
	{ echo "bench/scale.sh: needs Ceph and s3cmd (make deps-scale)" >&2; exit 1; }
bench_init "${BENCH_DIR:-/tmp/casefile-bench-scale}"
RGW_DIR=$W/ceph
# room for every round's uploads (2 contenders x 2 files x SIZE_MB)
CEPH_OSD_GB=$(( (RUNS * 4 * SIZE_MB) / 1024 + 8 ))
export CEPH_OSD_GB
PG_DIR=$(mktemp -d /tmp/casefile-bench-pg-XXXXXX)
trap 'sh "$here/tests/lib/ceph-rgw.sh" stop "$RGW_DIR"; sh "$here/tests/lib/pg.sh" stop "$PG_DIR"' EXIT INT TERM
port=$(sh "$here/tests/lib/ceph-rgw.sh" free-port 30000)
sh "$here/tests/lib/ceph-rgw.sh" start "$RGW_DIR" "$port" >"$W/rgw.env"
. "$W/rgw.env"
export AWS_ACCESS_KEY_ID="$RGW_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$RGW_SECRET_KEY"
cd "$W"
cat >s3cfg <<CFG
[default]
access_key = $RGW_ACCESS_KEY
secret_key = $RGW_SECRET_KEY
host_base = ${RGW_ENDPOINT#http://}
host_bucket = ${RGW_ENDPOINT#http://}
use_https = False
signature_v2 = False
CFG
s3cmd -c s3cfg mb s3://bench >/dev/null
echo "bench: $(bench_env)"
if [ "$PART" != large ]; then
	sh "$here/tests/lib/pg.sh" start "$PG_DIR" >pg.env
	. ./pg.env
	echo "bench: generating $N orders ($((N * 3)) files) ..."
	B="$W/orders-2025-05-02"
	bench_orders "$B" "$N"
	# the same orders in two halves, one per importer
	for h in 1 2; do
		mkdir -p "h$h"
		cp -a "$B" "h$h/"	# copies: import refuses a file with other names
		if [ "$h" = 1 ]; then ls "h$h/orders-2025-05-02" | tail -n +$((N / 2 + 1))
		else ls "h$h/orders-2025-05-02" | head -n $((N / 2)); fi |
			(cd "h$h/orders-2025-05-02" && xargs rm -rf)
	done
	files=$(find "$B" -type f | wc -l)
	warm() { find "$B" -type f -exec cat {} + >/dev/null; sync; }
	# newdb ROUND NAME: a fresh database for this run; prints its URL
	newdb() {
		psql "$PG_URL" -XAtq -c "CREATE DATABASE $2_r$1" >/dev/null
		echo "$PG_URL" | sed "s,///casefile,///$2_r$1,"
	}
	emb() {
		o=$(bench_out "$1" emb)
		"$BIN" --vault "$o/v" init >/dev/null
		bench_run "$1" emb "$BIN" --vault "$o/v" import --quiet "$B"
	}
	pg_local() {
		o=$(bench_out "$1" pg_local)
		"$BIN" --vault "$o/v" init --db "$(newdb "$1" pglocal)" >/dev/null
		bench_run "$1" pg_local "$BIN" --vault "$o/v" import --quiet "$B"
	}
	pg_rgw() {
		o=$(bench_out "$1" pg_rgw)
		"$BIN" --vault "$o/v" init --db "$(newdb "$1" pgrgw)" --objects "s3://bench/f1-r$1" \
			--objects-endpoint "$RGW_ENDPOINT" >/dev/null
		bench_run "$1" pg_rgw "$BIN" --vault "$o/v" import --quiet "$B"
	}
	pg_rgw2() {
		o=$(bench_out "$1" pg_rgw2)
		u=$(newdb "$1" pgrgw2)
		for f in a b; do
			"$BIN" --vault "$o/$f" init --db "$u" --objects "s3://bench/f2-r$1" \
				--objects-endpoint "$RGW_ENDPOINT" >/dev/null
		done
		bench_run "$1" pg_rgw2 sh -c '"$1" --vault "$2/a" import --quiet "$3" & a=$!
			"$1" --vault "$2/b" import --quiet "$4"; b=$?; wait $a && [ $b = 0 ]' \
			sh "$BIN" "$o" "$W/h1/orders-2025-05-02" "$W/h2/orders-2025-05-02"
		echo "$u" >"$o/db"
	}
	r=1
	while [ "$r" -le "$FILES_RUNS" ]; do
		for c in $(bench_order "$r" emb pg_local pg_rgw pg_rgw2); do warm; $c "$r"; done
		r=$((r + 1))
	done
	rows=$(psql "$(cat "$W/out/r1-pg_rgw2/db")" -XAtc "SELECT count(*) || ' rows, ' || count(DISTINCT leaf_index) || ' leaves' FROM evidence")
	fps() { awk -v n="$files" -v s="$(bench_median "$1" 3)" 'BEGIN { printf "%.0f", n / s }'; }
	echo "bench/scale.sh: import of $files files ($N orders), $FILES_RUNS round(s), medians"
	frow() { printf '  %-44s %7s s wall %6s files/s %6s+%-6s s cpu %7s KB peak RSS\n' "$1" "$(bench_median "$2" 3)" "$(fps "$2")" "$(bench_median "$2" 4)" "$(bench_median "$2" 5)" "$(bench_median "$2" 6)"; }
	frow "(a) embedded: SQLite + objects/" emb
	frow "    PostgreSQL + objects/ (no S3)" pg_local
	frow "(b) PostgreSQL + Ceph RGW, one importer" pg_rgw
	frow "(b) PostgreSQL + Ceph RGW, two at once" pg_rgw2
	echo "  (b) one importer in (a)'s rate (a time / b time): $(bench_ratio emb pg_rgw)   (target >= 0.5x)"
	echo "  two importers in one's rate (one / two):         $(bench_ratio pg_rgw pg_rgw2)   (target > 1x)"
	echo "  PostgreSQL alone in (a)'s rate:                  $(bench_ratio emb pg_local)"
	echo "  two importers left: $rows (want $files each)"
fi
if [ "$PART" = files ]; then
	bench_summary
	cd /
	# the services' pid files live in $W: stop them before it goes
	sh "$here/tests/lib/ceph-rgw.sh" stop "$RGW_DIR"
	sh "$here/tests/lib/pg.sh" stop "$PG_DIR"
	trap - EXIT INT TERM
	bench_cleanup
	exit 0
fi
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >a.bin
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >b.bin

casefile() {
	v=$(bench_out "$1" casefile)/vault
	"$BIN" --vault "$v" init --objects "s3://bench/cf-r$1" --objects-endpoint "$RGW_ENDPOINT" \
		>/dev/null
	bench_run "$1" casefile "$BIN" --vault "$v" ingest --quiet --kind other 6931000000000001 \
		a.bin b.bin
}
s3cmd_put() {
	bench_run "$1" s3cmd s3cmd -c s3cfg --no-progress put a.bin b.bin "s3://bench/s3cmd-r$1/"
}
r=1
while [ "$r" -le "$RUNS" ]; do
	cat a.bin b.bin >/dev/null
	for c in $(bench_order "$r" casefile s3cmd_put); do sync; $c "$r"; done
	r=$((r + 1))
done
echo "bench/scale.sh: 2 x $SIZE_MB MB into Ceph RGW 16 on 127.0.0.1 (1 OSD, file-backed), $RUNS rounds, medians"
row() { printf '  %-48s %7s s wall %6s+%-6s s cpu %8s KB peak RSS\n' "$1" "$(bench_median "$2" 3)" "$(bench_median "$2" 4)" "$(bench_median "$2" 5)" "$(bench_median "$2" 6)"; }
row "casefile ingest (hash, streamed checked multipart)" casefile
row "s3cmd put (multipart)" s3cmd
echo "  casefile / s3cmd per round: $(bench_ratio casefile s3cmd)   (target <= 1.2x)"
bench_summary
cd /
sh "$here/tests/lib/ceph-rgw.sh" stop "$RGW_DIR"
sh "$here/tests/lib/pg.sh" stop "$PG_DIR"
trap - EXIT INT TERM
bench_cleanup

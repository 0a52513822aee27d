#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/import.sh — bundle import throughput against git add and tar xzf.
#
# Generates BENCH_ORDERS orders (default 20000; 3 files each: chat.json,
# logistics.json, order.json, ~3 KB each) under /tmp as a folder and as a
# tar.gz, then runs, side by side:
#   casefile import FOLDER      (fresh vault, durable: objects synced, WAL FULL)
#   casefile import TAR.GZ      (fresh vault)
#   git add -A                  (the folder, into a fresh repository, no fsync)
#   tar xzf TAR.GZ              (into a fresh folder)
# in BENCH_ROUNDS rounds (default 5), the order rotated each round, a fresh
# output folder each run, nothing deleted until the end (bench/lib.sh), and
# reports the median of the per-round ratios against git add, with min-max.
# Targets: issue 5, import of the folder >= git add files/s, of the tar.gz
# within 1.3x of that, peak RSS < 64 MB; issue 19, the folder >= 1.5x git
# add's rate.
set -eu
N=${BENCH_ORDERS:-20000}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
CF=${CASEFILE_BIN:-$here/casefile}
[ -x "$CF" ] || { echo "bench/import.sh: build casefile first (make)"; exit 1; }
command -v git >/dev/null || { echo "bench/import.sh: git is needed"; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/import.sh: GNU time is needed (apt-get install time)"; exit 1; }

bench_init "${BENCH_DIR:-/tmp/casefile-bench-import}"
B="$W/orders-2025-05-02"
echo "bench: generating $N orders ($((N * 3)) files) in $W ..."
bench_orders "$B" "$N"
(cd "$W" && tar czf orders-2025-05-02.tar.gz orders-2025-05-02)
files=$(find "$B" -type f | wc -l)
mb=$(du -sm --apparent-size "$B" | cut -f1)
tgz_mb=$(du -m --apparent-size "$W/orders-2025-05-02.tar.gz" | cut -f1)
echo "bench: $files files, $mb MB (tar.gz $tgz_mb MB)"
# Same footing for everyone: sources in the page cache, dirty data flushed.
warm() { find "$B" -type f -exec cat {} + >/dev/null; cat "$W/orders-2025-05-02.tar.gz" >/dev/null; sync; }

cf_dir() {
	o=$(bench_out "$1" cf_dir)
	"$CF" --vault "$o/v" init >/dev/null
	bench_run "$1" cf_dir "$CF" --vault "$o/v" import --quiet "$B"
}
cf_tgz() {
	o=$(bench_out "$1" cf_tgz)
	"$CF" --vault "$o/v" init >/dev/null
	bench_run "$1" cf_tgz "$CF" --vault "$o/v" import --quiet "$W/orders-2025-05-02.tar.gz"
}
git_add() {
	o=$(bench_out "$1" git)
	git init -q "$o/repo"
	bench_run "$1" git git --git-dir="$o/repo/.git" --work-tree="$B" add -A
}
untar() {
	o=$(bench_out "$1" tar)
	bench_run "$1" tar tar xzf "$W/orders-2025-05-02.tar.gz" -C "$o"
}
ROUNDS=${BENCH_ROUNDS:-5}
echo "bench: $(bench_env)"
r=1
while [ $r -le "$ROUNDS" ]; do
	echo "round $r/$ROUNDS: $(bench_order $r cf_dir git_add cf_tgz untar | tr '\n' ' ')"
	for c in $(bench_order $r cf_dir git_add cf_tgz untar); do
		warm
		$c $r
	done
	r=$((r + 1))
done
# a no-op re-import of the folder into round 1's vault
bench_run 0 again "$CF" --vault "$W/out/r1-cf_dir/v" import --quiet "$B"

fps() { awk -v n="$files" -v s="$1" 'BEGIN { r = 0; if (s > 0) r = n / s; printf "%.0f", r }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo
echo "$files files, $ROUNDS rounds; medians, files/s (CPU user+sys), peak RSS:"
for c in cf_dir cf_tgz git tar again; do
	printf '  %-8s %7s files/s  (%s+%s s)  peak RSS %s MB (max %s)\n' "$c" "$(fps "$(bench_median $c 3)")" \
		"$(bench_median $c 4)" "$(bench_median $c 5)" "$(mb "$(bench_median $c 6)")" \
		"$(mb "$(bench_col $c 6 | sort -n | tail -1)")"
done
n_dir=$("$CF" --vault "$W/out/r1-cf_dir/v" list 2>/dev/null | tail -n +2 | wc -l)
echo "orders in round 1's folder vault: $n_dir (want $N)"
echo
echo "casefile's rate in git add's (git time / casefile time, per round):"
echo "  import of the folder: $(bench_ratio git cf_dir)"
echo "  import of the tar.gz: $(bench_ratio git cf_tgz)"
echo "targets: folder >= 1.0x (issue 5) and >= 1.5x (issue 19); tar.gz >= 0.77x (within 1.3x);"
echo "         peak RSS < 64 MB"
bench_summary
cd /
bench_cleanup

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
awk -v n="$N" -v root="$B" 'BEGIN {
	for (i = 1; i <= n; i++) printf "%s/6931%012d\n", root, i
}' | xargs mkdir -p
awk -v n="$N" -v root="$B" 'BEGIN {
	srand(42)
	for (i = 1; i <= n; i++) {
		id = sprintf("6931%012d", i); d = root "/" id
		f = d "/chat.json"
		printf "{\"order_id\": \"%s\", \"channel\": \"feige\", \"messages\": [\n", id > f
		for (m = 0; m < 17; m++)
			printf "  {\"time\": \"2025-05-%02d %02d:%02d:%02d\", \"from\": \"%s\", \"name\": \"%s\", \"text\": \"order %s message %d: %s %d\"}%s\n", \
				1 + m % 28, 8 + m % 12, m % 60, (i * 7 + m) % 60, m % 2 ? "merchant" : "buyer", \
				m % 2 ? "客服-阿青" : "小**", id, m, \
				m % 3 ? "收到的杯子有裂痕, 麻烦拍一下外包装和裂痕的位置" : "您好, 已经为您登记, 请耐心等待处理结果", \
				int(rand() * 1000000), m < 16 ? "," : "" > f
		printf "]}\n" > f
		close(f)
		f = d "/logistics.json"
		printf "{\"carrier\": \"SF\", \"tracking_no\": \"SF%010d\", \"events\": [\n", i > f
		for (e = 0; e < 13; e++)
			printf "  {\"time\": \"2025-05-%02dT%02d:%02d:00+08:00\", \"status\": \"%s\", \"location\": \"杭州转运中心 %d\", \"desc\": \"顺丰速运 快件在途 第%d站 %d\"}%s\n", \
				1 + e % 27, 8 + e % 12, (i + e) % 60, e == 0 ? "collected" : (e == 12 ? "delivered" : "in_transit"), \
				e, e, int(rand() * 100000), e < 12 ? "," : "" > f
		printf "]}\n" > f
		close(f)
		f = d "/order.json"
		printf "{\"order_id\": \"%s\", \"shop\": \"青瓷小铺\", \"created_at\": \"2025-04-30T20:01:00+08:00\", \"paid_at\": \"2025-04-30T20:02:00+08:00\", \"shipped_at\": \"2025-05-01T18:20:00+08:00\", \"delivered_at\": \"2025-05-02T14:03:00+08:00\",\n", id > f
		printf " \"buyer\": {\"nick\": \"小**\", \"phone\": \"138%08d\", \"address\": \"上海市浦东新区某路%d号\"},\n \"items\": [\n", i, i % 1000 > f
		for (k = 0; k < 9; k++)
			printf "  {\"sku\": \"CUP-%02d\", \"title\": \"手工青瓷杯 款式%d 礼盒装\", \"qty\": %d, \"price\": \"%d.00\"}%s\n", k, k, 1 + k % 3, 39 + k * 10, k < 8 ? "," : "" > f
		printf " ], \"total\": \"89.00\", \"currency\": \"CNY\", \"payment\": {\"method\": \"douyin_pay\", \"txn_id\": \"42%017d\"}}\n", i > f
		close(f)
	}
}'
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

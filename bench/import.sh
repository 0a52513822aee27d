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
# and prints files/s and peak RSS (GNU time -v).
# Targets (issue 5): import of the folder >= git add files/s; of the tar.gz
# within 1.3x of that; peak RSS < 64 MB.
set -eu
N=${BENCH_ORDERS:-20000}
here=$(cd "$(dirname "$0")/.." && pwd)
CF=${CASEFILE_BIN:-$here/casefile}
W=${BENCH_DIR:-/tmp/casefile-bench-import}
[ -x "$CF" ] || { echo "bench/import.sh: build casefile first (make)"; exit 1; }
command -v git >/dev/null || { echo "bench/import.sh: git is needed"; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/import.sh: GNU time is needed (apt-get install time)"; exit 1; }

rm -rf "$W"; mkdir -p "$W"
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
find "$B" -type f -exec cat {} + >/dev/null
cat "$W/orders-2025-05-02.tar.gz" >/dev/null
sync

# run KEY NAME CMD... : time it, print files/s and peak RSS
run() {
	key=$1; name=$2; shift 2
	sync
	/usr/bin/time -v -o "$W/time.$name" "$@" >"$W/out.$name" 2>"$W/err.$name" || {
		echo "bench: $name failed (exit $?):"; tail -5 "$W/err.$name"; tail -5 "$W/out.$name"; }
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
		for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$W/time.$name")
	rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$W/time.$name")
	rate=$(awk -v f="$files" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? f / s : 0) }')
	printf '%-34s %8.2f s %9s files/s %8s MB RSS\n' "$name" "$secs" "$rate" "$rss"
	eval "rate_$key=$rate"
	eval "rss_$key=$rss"
}

echo
printf '%-34s %10s %17s %15s\n' "what" "time" "rate" "peak RSS"
"$CF" --vault "$W/vault-dir" init >/dev/null
run dir "casefile import (folder)" "$CF" --vault "$W/vault-dir" import --quiet "$B"
"$CF" --vault "$W/vault-tgz" init >/dev/null
run tgz "casefile import (tar.gz)" "$CF" --vault "$W/vault-tgz" import --quiet "$W/orders-2025-05-02.tar.gz"
git init -q "$W/repo"
run git "git add -A (folder, no fsync)" git --git-dir="$W/repo/.git" --work-tree="$B" add -A
mkdir -p "$W/untar"
run tar "tar xzf (tar.gz)" tar xzf "$W/orders-2025-05-02.tar.gz" -C "$W/untar"
run again "casefile import again (no-op)" "$CF" --vault "$W/vault-dir" import --quiet "$B"
echo
n_dir=$("$CF" --vault "$W/vault-dir" list 2>/dev/null | tail -n +2 | wc -l)
echo "bench: orders in the folder vault: $n_dir (want $N)"
awk -v d="$rate_dir" -v t="$rate_tgz" -v g="$rate_git" -v r1="$rss_dir" -v r2="$rss_tgz" 'BEGIN {
	printf "target: folder import >= git add: %s (%d vs %d files/s)\n", (d >= g ? "met" : "MISSED"), d, g
	printf "target: tar.gz import within 1.3x of git add: %s (%d vs %d files/s)\n", (t * 1.3 >= g ? "met" : "MISSED"), t, g
	printf "target: peak RSS < 64 MB: %s (%s / %s MB)\n", (r1 < 64 && r2 < 64) ? "met" : "MISSED", r1, r2
}'
[ -n "${BENCH_KEEP:-}" ] || rm -rf "$W"

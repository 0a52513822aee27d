# SPDX-License-Identifier: MIT
# bench/lib.sh — how every bench/ script measures (sourced; issue 19 item 4).
#
#  - Contenders alternate in rounds, and round r runs them in an order
#    rotated by r: whoever runs first after a pause, or after another's
#    writes, is a different contender each round.
#  - Every run gets a fresh output folder, $W/out/r<round>-<name>, and
#    nothing is deleted while the bench measures: ext4 allocates slowly for
#    minutes after a large tree was deleted (and the root file system here
#    is mounted with discard).  Outputs go at the end (bench_cleanup), which
#    notes the time, and the next bench_init waits until five minutes have
#    passed since such a deletion.
#  - Figures are per-round ratios against a baseline that ran in the same
#    round: the median, with the min-max, not the best round.
#  - The machine is shared: bench_init and bench_summary record the load
#    average and how much CPU everything else used while the bench ran (all
#    busy CPU time in /proc/stat minus our contenders' own), so a figure can
#    be read with its circumstances.
#
# Functions:
#   bench_init DIR           W=DIR made fresh (old contents removed first,
#                            then the five-minute wait); results in $W/results
#   bench_order ROUND NAME…  the names rotated by ROUND, one a line
#   bench_out ROUND NAME     a fresh, empty output folder for this run
#   bench_run ROUND NAME CMD…  run CMD under /usr/bin/time; appends
#                            "ROUND NAME wall user sys maxrss_kb" to results
#   bench_col NAME FIELD     FIELD (3 wall, 4 user, 5 sys, 6 rss) of NAME's runs
#   bench_median NAME FIELD  median of bench_col
#   bench_ratio A B [ROUNDS]  per-round wall(A)/wall(B): "median (min–max, n)"
#                            ROUNDS: a space-separated list to restrict to
#   bench_env                one line: the load average now
#   bench_summary            the environment line for the end of a report
#   bench_cleanup            remove $W unless BENCH_KEEP is set; note the time
#   bench_orders DIR N       generate the daily-export bundle of N orders

# bench_orders DIR N: N orders of the daily export (bench/import.sh's
# bundle: chat.json, logistics.json and order.json of ~3 KB each) under
# DIR/6931000000000001 ...
bench_orders() {
	awk -v n="$2" -v root="$1" 'BEGIN {
		for (i = 1; i <= n; i++) printf "%s/6931%012d\n", root, i
	}' | xargs mkdir -p
	awk -v n="$2" -v root="$1" 'BEGIN {
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
}

BENCH_STAMP=${BENCH_STAMP:-/tmp/.casefile-bench-deleted}
BENCH_SETTLE=${BENCH_SETTLE:-300}

# CPU seconds (user + sys) of this shell and every child it has waited for,
# into $W/.cpu (`times` must run in this shell, not a command substitution)
bench_ourcpu() {
	times >"$W/.times"
	awk '{ for (i = 1; i <= NF; i++) { split($i, t, "m"); s += t[1] * 60 + t[2] } } END { printf "%.2f", s }' "$W/.times" >"$W/.cpu"
}

# busy and total jiffies of all CPUs
bench_jiffies() {
	awk '/^cpu / { b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6 }' /proc/stat
}

bench_init() {
	W=$1
	if [ -e "$W" ]; then
		rm -rf "$W"
		date +%s >"$BENCH_STAMP"
	fi
	if [ -f "$BENCH_STAMP" ]; then
		_ago=$(( $(date +%s) - $(cat "$BENCH_STAMP") ))
		if [ "$_ago" -lt "$BENCH_SETTLE" ]; then
			echo "bench: a large tree was deleted ${_ago} s ago; waiting $((BENCH_SETTLE - _ago)) s for the file system to settle" >&2
			sleep $((BENCH_SETTLE - _ago))
		fi
	fi
	mkdir -p "$W/out"
	: >"$W/results"
	BENCH_LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
	BENCH_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
	BENCH_J0=""
}

bench_order() {
	_r=$1; shift
	_n=$#
	_k=$(( (_r - 1) % _n ))
	_i=0
	for _x in "$@"; do
		if [ $_i -ge $_k ]; then echo "$_x"; fi
		_i=$((_i + 1))
	done
	_i=0
	for _x in "$@"; do
		if [ $_i -lt $_k ]; then echo "$_x"; fi
		_i=$((_i + 1))
	done
}

bench_out() {
	_d="$W/out/r$1-$2"
	mkdir -p "$_d"
	echo "$_d"
}

bench_run() {
	_r=$1; _name=$2; shift 2
	if [ -z "$BENCH_J0" ]; then
		BENCH_J0=$(bench_jiffies)
		bench_ourcpu
		BENCH_C0=$(cat "$W/.cpu")
	fi
	if ! /usr/bin/time -f '%e %U %S %M' -o "$W/.time" "$@" >"$W/.out" 2>"$W/.err"; then
		echo "bench: $_name failed in round $_r:" >&2
		tail -5 "$W/.err" >&2
		exit 1
	fi
	echo "$_r $_name $(tail -1 "$W/.time")" >>"$W/results"
}

bench_col() {
	awk -v n="$1" -v f="$2" '$2 == n { print $f }' "$W/results"
}

bench_median() {
	bench_col "$1" "$2" | sort -g | awk '{ a[NR] = $1 } END {
		if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2];
		else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

bench_ratio() {
	awk -v a="$1" -v b="$2" -v only="${3:-}" '
		BEGIN { split(only, o, " "); for (i in o) want[o[i]] = 1 }
		only != "" && !($1 in want) { next }
		$2 == a { ta[$1] = $3 } $2 == b { tb[$1] = $3 }
		END {
			n = 0
			for (r in ta) if ((r in tb) && tb[r] > 0) x[++n] = ta[r] / tb[r]
			if (n == 0) { print "n/a"; exit }
			for (i = 2; i <= n; i++) { v = x[i]; for (j = i - 1; j >= 1 && x[j] > v; j--) x[j + 1] = x[j]; x[j + 1] = v }
			m = n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
			printf "%.2fx (%.2f-%.2f, %d rounds)\n", m, x[1], x[n], n
		}' "$W/results"
}

bench_env() {
	echo "load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
}

bench_summary() {
	_j1=$(bench_jiffies)
	_hz=$(getconf CLK_TCK)
	bench_ourcpu
	_ours=$(awk -v a="$BENCH_C0" -v b="$(cat "$W/.cpu")" 'BEGIN { printf "%.1f", b - a }')
	echo "$BENCH_J0 $_j1 $_hz $_ours $(nproc)" | awk '{
		busy = ($3 - $1) / $5; total = ($4 - $2) / $5; ncpu = $7
		others = busy - $6; if (others < 0) others = 0
		wall = total / ncpu
		share = 0
		if (wall > 0) share = others / (wall * ncpu)
		verdict = "NOT idle, figures noisy"
		if (share < 0.10) verdict = "otherwise idle"
		printf "while it ran: %.0f s, CPU busy %.1f s of which ours %.1f s; everything else used %.1f CPU-s (%.0f%% of %d CPUs): %s\n",
			wall, busy, $6, others, 100 * share, ncpu, verdict
	}'
	echo "load average at start $BENCH_LOAD0, at end $(cut -d' ' -f1-3 /proc/loadavg); $BENCH_DATE"
}

bench_cleanup() {
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "bench: kept $W" >&2
		return 0
	fi
	rm -rf "$W"
	date +%s >"$BENCH_STAMP"
}

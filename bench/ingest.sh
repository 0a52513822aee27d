#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/ingest.sh — casefile ingest against the baselines of issues 2 and
# 19, alternating in rotated rounds (see bench/lib.sh for the method).
#
#   large: 2 x 500 MB videos + 20 JPEG-sized files (2-4 MB)
#          casefile ingest  vs  openssl dgst -sha256 (the target: <= 1.1x)
#          and dd bs=4M conv=fsync (a copy, for reference)
#          Rounds alternate warm (sources read into page cache before each
#          contender) and cold (each source file's page cache dropped before
#          each contender, dd iflag=nocache).
#   small: 20,000 chat/logistics/order JSON files of 1-8 KB in one folder
#          casefile ingest (parsed, durable)  vs  git add -A (no fsync; the
#          target: >= 1.5x its rate) and git add -A with
#          core.fsyncMethod=batch (durable)
#
# Environment: CASEFILE_BIN (default ./casefile), BENCH_DIR (default /tmp/
# casefile-bench-ingest), RUNS (rounds, default 6: 3 warm, 3 cold),
# VIDEO_MB (default 500), SMALL_N (20000), BENCH_KEEP (keep the outputs),
# BENCH_PARTS (large, small or both: default both).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
CF=${CASEFILE_BIN:-$here/casefile}
RUNS=${RUNS:-6}
PARTS=${BENCH_PARTS:-both}
VIDEO_MB=${VIDEO_MB:-500}
SMALL_N=${SMALL_N:-20000}
[ -x "$CF" ] || { echo "bench/ingest.sh: build casefile first (make)"; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/ingest.sh: GNU time is needed (apt-get install time)"; exit 1; }

bench_init "${BENCH_DIR:-/tmp/casefile-bench-ingest}"
DIR=$W
mkdir -p "$DIR/large" "$DIR/small"
cd "$DIR"

echo "generating corpus in $DIR ..."
# be32 N: N as 4 big-endian bytes.
be32() { LC_ALL=C awk -v n="$1" 'BEGIN { printf "%c%c%c%c", int(n / 16777216) % 256, int(n / 65536) % 256, int(n / 256) % 256, n % 256 }'; }
# A real MP4 skeleton (ftyp, moov/mvhd with a 95 s duration) whose mdat
# holds MB megabytes of noise: sniffed and probed like a phone's video.
mkvideo() {
	{
		be32 24; printf 'ftypisom'; be32 512; printf 'isommp41'
		be32 108; printf 'moov'; be32 100; printf 'mvhd'
		be32 0; be32 0; be32 0; be32 1000; be32 95000
		head -c 80 /dev/zero
		be32 $(( $2 * 1048576 + 8 )); printf 'mdat'
		head -c "$2M" /dev/urandom
	} >"$1"
}
mkvideo large/packing-1.mp4 "$VIDEO_MB"
mkvideo large/packing-2.mp4 "$VIDEO_MB"
# 20 real 4000x3000 JPEGs padded after EOI with noise to 2-4 MB each.
convert -size 4000x3000 gradient:red-blue -attenuate 0.3 +noise Gaussian -quality 70 base.jpg
i=1
while [ $i -le 20 ]; do
	{ cat base.jpg; head -c $(( (1700 + (i * 97) % 2048) * 1024 )) /dev/urandom; } >large/IMG_$i.jpg
	i=$((i + 1))
done
rm -f base.jpg
awk -v n="$SMALL_N" 'BEGIN {
	srand(42);
	for (i = 0; i < n; i++) {
		kind = i % 3; f = sprintf("small/%05d-%s.json", i, kind == 0 ? "chat" : kind == 1 ? "logistics" : "order");
		target = 1024 + int(rand() * 7168);
		if (kind == 0) {
			s = "{\"order_id\":\"69310000" sprintf("%08d", i) "\",\"channel\":\"feige\",\"messages\":[";
			m = 0;
			while (length(s) < target) {
				s = s (m ? "," : "") sprintf("{\"time\":\"2025-05-03 10:%02d:%02d\",\"from\":\"%s\",\"name\":\"客服-阿青\",\"text\":\"您好,麻烦拍一下外包装和裂痕的位置 %d\"}", m % 60, (m * 7) % 60, m % 2 ? "buyer" : "merchant", m);
				m++;
			}
			s = s "]}";
		} else if (kind == 1) {
			s = "{\"carrier\":\"SF\",\"tracking_no\":\"SF" sprintf("%010d", i) "\",\"events\":[";
			m = 0;
			while (length(s) < target) {
				s = s (m ? "," : "") sprintf("{\"time\":\"2025-05-0%dT1%d:20:00+08:00\",\"status\":\"in_transit\",\"location\":\"杭州\",\"desc\":\"顺丰速运 快件在途 %d\"}", 1 + m % 8, m % 10, m);
				m++;
			}
			s = s "]}";
		} else {
			s = "{\"order_id\":\"69310000" sprintf("%08d", i) "\",\"shop\":\"青瓷小铺\",\"created_at\":\"2025-04-30T20:01:00+08:00\",\"total\":\"89.00\",\"currency\":\"CNY\",\"items\":[";
			m = 0;
			while (length(s) < target) {
				s = s (m ? "," : "") sprintf("{\"sku\":\"CUP-%02d\",\"title\":\"手工青瓷杯\",\"qty\":1,\"price\":\"89.00\"}", m);
				m++;
			}
			s = s "]}";
		}
		print s > f; close(f);
	}
}'
large_bytes=$(du -sb large | cut -f1)
small_bytes=$(du -sb small | cut -f1)
sync

warm() { cat large/* >/dev/null; }
cold() { for f in large/*; do dd if="$f" iflag=nocache count=0 status=none; done; }

cf_large() {
	o=$(bench_out "$1" cf_large)
	"$CF" --vault "$o/v" init --quiet
	bench_run "$1" cf_large "$CF" --vault "$o/v" ingest --quiet 6931000000000001 large
}
dgst() { bench_run "$1" dgst sh -c 'openssl dgst -sha256 large/* >/dev/null'; }
dd_copy() {
	o=$(bench_out "$1" dd)
	bench_run "$1" dd sh -c 'for f in large/*; do dd if="$f" of="$0/${f##*/}" bs=4M conv=fsync status=none; done' "$o"
}
cf_small() {
	o=$(bench_out "$1" cf_small)
	"$CF" --vault "$o/v" init --quiet
	bench_run "$1" cf_small "$CF" --vault "$o/v" ingest --quiet 6931000000000002 small
}
git_add() {
	o=$(bench_out "$1" git)
	git init -q "$o/g"
	bench_run "$1" git git --git-dir="$o/g/.git" --work-tree="$DIR/small" add -A
}
git_batch() {
	o=$(bench_out "$1" git_batch)
	git init -q "$o/g"
	bench_run "$1" git_batch git -c core.fsync=loose-object -c core.fsyncMethod=batch \
		--git-dir="$o/g/.git" --work-tree="$DIR/small" add -A
}

echo "bench: $(bench_env)"
warm_rounds=""; cold_rounds=""
r=1
while [ $r -le "$RUNS" ]; do
	if [ $((r % 2)) = 1 ]; then state=warm; warm_rounds="$warm_rounds $r"
	else state=cold; cold_rounds="$cold_rounds $r"; fi
	echo "round $r/$RUNS ($state) ..."
	[ "$PARTS" = small ] || for c in $(bench_order $(( (r + 1) / 2 )) cf_large dgst dd_copy); do
		$state
		sync
		$c $r
	done
	[ "$PARTS" = large ] || cat small/* >/dev/null
	[ "$PARTS" = large ] || for c in $(bench_order $(( (r + 1) / 2 )) cf_small git_add git_batch); do
		sync
		$c $r
	done
	r=$((r + 1))
done

rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.2f", b / s / 1e9 }'; }
fps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
echo
echo "casefile ingest benchmark, $RUNS rounds alternating, medians (min-max)"
echo
printf 'large files: 2 x %d MB + 20 x 2-4 MB, %s bytes\n' "$VIDEO_MB" "$large_bytes"
for c in cf_large dgst dd; do
	printf '  %-10s median %6.2f s  %5s GB/s  peak RSS %s MB (max %s)\n' "$c" "$(bench_median $c 3)" \
		"$(rate "$large_bytes" "$(bench_median $c 3)")" "$(mb "$(bench_median $c 6)")" \
		"$(mb "$(bench_col $c 6 | sort -n | tail -1)")"
done
echo "  casefile / openssl dgst, warm rounds: $(bench_ratio cf_large dgst "$warm_rounds")"
echo "  casefile / openssl dgst, cold rounds: $(bench_ratio cf_large dgst "$cold_rounds")"
echo "  casefile / dd conv=fsync, all rounds:  $(bench_ratio cf_large dd)"
echo
printf 'small files: %d JSON files of 1-8 KB, %s bytes\n' "$SMALL_N" "$small_bytes"
for c in cf_small git git_batch; do
	printf '  %-10s median %6.2f s  %6s files/s  peak RSS %s MB\n' "$c" "$(bench_median $c 3)" \
		"$(fps "$SMALL_N" "$(bench_median $c 3)")" "$(mb "$(bench_median $c 6)")"
done
echo "  git add (no fsync) time / casefile time = casefile's rate in git's: $(bench_ratio git cf_small)"
echo "  git add (batch fsync) time / casefile time:                      $(bench_ratio git_batch cf_small)"
echo
echo "targets: large <= 1.1x openssl dgst (warm and cold); peak RSS <= 40 MB;"
echo "         small >= 1.5x git add's (no fsync) rate"
bench_summary
cd /
bench_cleanup

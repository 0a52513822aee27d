#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/ingest.sh — casefile ingest against the baselines of issue 2, side by
# side in one run, several runs each, medians reported.
#
#   large: 2 x 500 MB videos + 20 JPEG-sized files (2-4 MB)
#          casefile ingest  vs  dd bs=4M conv=fsync  vs  openssl dgst -sha256
#   small: 20,000 chat/logistics/order JSON files of 1-8 KB in one folder
#          casefile ingest (parsed, durable)  vs  git add -A (no fsync),
#          git add -A with core.fsync=loose-object (per object) and with
#          core.fsyncMethod=batch
#
# Environment: CASEFILE_BIN (default ./casefile), BENCH_DIR (default /tmp/
# casefile-bench), RUNS (default 3), VIDEO_MB (default 500), SMALL_N (20000).
set -eu
CF=${CASEFILE_BIN:-$(pwd)/casefile}
DIR=${BENCH_DIR:-/tmp/casefile-bench}
RUNS=${RUNS:-3}
VIDEO_MB=${VIDEO_MB:-500}
SMALL_N=${SMALL_N:-20000}
TIME=/usr/bin/time

rm -rf "$DIR"; mkdir -p "$DIR/large" "$DIR/small"
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
# Warm the page cache for every contender alike; flush the corpus itself.
cat large/* small/* >/dev/null
sync

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# timeit OUTFILE CMD...: appends "seconds maxrss_kb"
timeit() { _o=$1; shift; $TIME -f '%e %M' -o "$DIR/.t" "$@" >/dev/null 2>"$DIR/.e" || { cat "$DIR/.e" >&2; exit 1; }; cat "$DIR/.t" >>"$_o"; }

: >t.cf_large; : >t.dd; : >t.dgst; : >t.cf_small; : >t.git; : >t.git_fsync; : >t.git_batch
r=1
while [ $r -le "$RUNS" ]; do
	echo "run $r/$RUNS ..."
	rm -rf v && "$CF" --vault v init --quiet
	sync
	timeit t.cf_large "$CF" --vault v ingest --quiet 6931000000000001 large
	rm -rf v ddout && mkdir ddout
	sync
	timeit t.dd sh -c 'for f in large/*; do dd if="$f" of="ddout/${f##*/}" bs=4M conv=fsync status=none; done'
	rm -rf ddout
	timeit t.dgst sh -c 'openssl dgst -sha256 large/* >/dev/null'
	sync
	rm -rf v && "$CF" --vault v init --quiet
	sync
	timeit t.cf_small "$CF" --vault v ingest --quiet 6931000000000002 small
	rm -rf v
	for mode in git git_fsync git_batch; do
		rm -rf g && git init -q g && cp -r small g/
		case $mode in
		git) cfg="" ;;
		git_fsync) cfg="-c core.fsync=loose-object -c core.fsyncMethod=fsync" ;;
		git_batch) cfg="-c core.fsync=loose-object -c core.fsyncMethod=batch" ;;
		esac
		sync
		timeit t.$mode sh -c "cd g && git $cfg add -A"
		rm -rf g
	done
	r=$((r + 1))
done

col() { awk "{print \$$2}" "$1" | median; }
secs() { col "$1" 1; }
rss() { col "$1" 2; }
rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.2f", b / s / 1e9 }'; }
fps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

cfl=$(secs t.cf_large); dd=$(secs t.dd); dg=$(secs t.dgst)
cfs=$(secs t.cf_small); gt=$(secs t.git); gf=$(secs t.git_fsync); gb=$(secs t.git_batch)
echo
echo "casefile ingest benchmark ($(nproc) cores, medians of $RUNS runs, $(date -u +%Y-%m-%d))"
echo
printf 'large files: 2 x %d MB + 20 x 2-4 MB, %s bytes\n' "$VIDEO_MB" "$large_bytes"
printf '  %-34s %7ss  %5s GB/s  %4s x dd  peak RSS %s MB\n' "casefile ingest (hash+copy+sync)" "$cfl" "$(rate "$large_bytes" "$cfl")" "$(ratio "$cfl" "$dd")" "$(( $(rss t.cf_large) / 1024 ))"
printf '  %-34s %7ss  %5s GB/s  %4s x dd\n' "dd bs=4M conv=fsync (copy)" "$dd" "$(rate "$large_bytes" "$dd")" "1.00"
printf '  %-34s %7ss  %5s GB/s  %4s x dd\n' "openssl dgst -sha256 (hash only)" "$dg" "$(rate "$large_bytes" "$dg")" "$(ratio "$dg" "$dd")"
echo
printf 'small files: %d JSON files of 1-8 KB, %s bytes\n' "$SMALL_N" "$small_bytes"
printf '  %-44s %7ss  %6s files/s  peak RSS %s MB\n' "casefile ingest (parsed, durable)" "$cfs" "$(fps "$SMALL_N" "$cfs")" "$(( $(rss t.cf_small) / 1024 ))"
printf '  %-44s %7ss  %6s files/s\n' "git add -A (no fsync)" "$gt" "$(fps "$SMALL_N" "$gt")"
printf '  %-44s %7ss  %6s files/s\n' "git add -A (fsync per object)" "$gf" "$(fps "$SMALL_N" "$gf")"
printf '  %-44s %7ss  %6s files/s\n' "git add -A (batch fsync)" "$gb" "$(fps "$SMALL_N" "$gb")"
echo
echo "targets: casefile <= 1.3 x dd on large files (now $(ratio "$cfl" "$dd") x);"
echo "         casefile files/s >= git add (no fsync) (now $(ratio "$gt" "$cfs") x git's rate)"
cd /; rm -rf "$DIR"

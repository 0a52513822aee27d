#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/pack.sh — time `casefile pack --platform douyin` on the reference
# order of bench/build.sh (20 photos of 4000x3000 JPEG, 1,000 chat messages,
# 30 logistics events) plus a ~500 MB 1080p H.264 packing video, next to a
# pipeline of stock tools making the same four cards in the same run
# (ffmpeg for the frames, ImageMagick convert/montage for resizing, captions
# and montage, qrencode for the QR codes).  Measured as bench/lib.sh says:
# contenders alternate (order rotated each round), every run writes into a
# fresh folder, the figure is the median of the per-round time ratios with
# its range, and the machine's load is recorded.  Then the size of the
# dossier of the same order (video frames, downsampled page images)
# against its originals.  Input data is generated under /tmp once
# ($BENCH_DIR/in, kept between runs); outputs go to $BENCH_DIR/w, removed
# at the end (BENCH_KEEP=1 keeps them).
#
# Knobs: BENCH_VIDEO_SECONDS (default 100: ~500 MB at 40 Mbit/s),
# BENCH_ROUNDS (3), BENCH_DOSSIER=0 to skip the dossier size.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
CF=${CASEFILE_BIN:-$here/casefile}
B=${BENCH_DIR:-/tmp/bench-casefile-pack}
O=6931000000000098
SECS=${BENCH_VIDEO_SECONDS:-100}
ROUNDS=${BENCH_ROUNDS:-3}
FONT=$(fc-match -f '%{file}' 'WenQuanYi Micro Hei')
export CASEFILE_VAULT="$B/vault" CASEFILE_TEMPLATES="$here/templates"
mkdir -p "$B/in"
cd "$B"

if [ ! -f in/.photos-done ]; then
	echo "bench: generating 20 photos of 4000x3000 (once)..." >&2
	i=1
	while [ $i -le 20 ]; do
		convert -size 1000x750 xc: +noise Random -resize 4000x3000 \
			-blur 0x0.6 -seed $i -quality 84 "$(printf 'in/IMG_%04d.jpg' $i)"
		i=$((i + 1))
	done
	touch in/.photos-done
fi
if [ ! -f in/.video-done ]; then
	echo "bench: generating a ${SECS} s 1080p H.264 packing video (once)..." >&2
	ffmpeg -v error -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=$SECS" \
		-f lavfi -i "noise=alls=40:allf=t+u" -filter_complex "[0][1]overlay" \
		-c:v libx264 -preset ultrafast -b:v 40M -maxrate 40M -bufsize 80M -g 60 \
		-pix_fmt yuv420p -metadata creation_time=2025-05-01T09:30:00Z -y in/pack.mp4 2>/dev/null ||
	ffmpeg -v error -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=$SECS" \
		-vf "noise=alls=40:allf=t+u" -c:v libx264 -preset ultrafast -b:v 40M -maxrate 40M \
		-bufsize 80M -g 60 -pix_fmt yuv420p -metadata creation_time=2025-05-01T09:30:00Z \
		-y in/pack.mp4
	touch in/.video-done
fi
if [ -d vault ] && ! "$CF" list >/dev/null 2>&1; then
	rm -rf vault
fi
if [ ! -d vault ]; then
	"$CF" init >/dev/null
	"$CF" keygen --quiet --cn "bench signer" >/dev/null
	python3 - "$O" >in/chat.json <<'PY'
import json, sys
o = sys.argv[1]
zh = ["收到的杯子有裂痕", "麻烦拍一下外包装和裂痕的位置", "好的，马上拍", "请问什么时候发货",
      "已经给您补发了", "这个颜色和图片不一样", "快递员说放在驿站了"]
msgs = []
for i in range(1000):
    frm = "buyer" if i % 2 == 0 else "merchant"
    msgs.append({"time": 1746237600 + i * 97, "from": frm, "text": zh[i % len(zh)] + " 第%d条" % i})
print(json.dumps({"order_id": o, "messages": msgs}, ensure_ascii=False))
PY
	python3 - >in/logistics.json <<'PY'
import json
ev = [{"time": 1746000000 + i * 3600, "status": "in_transit", "location": "杭州转运中心",
       "desc": "快件已到达 杭州转运中心 第%d站" % i} for i in range(29)]
ev.append({"time": 1746000000 + 29 * 3600, "status": "delivered", "location": "上海", "desc": "已签收"})
print(json.dumps({"carrier": "SF", "tracking_no": "SF1234567890", "events": ev}, ensure_ascii=False))
PY
	"$CF" ingest --quiet --kind chat $O in/chat.json
	"$CF" ingest --quiet --kind logistics $O in/logistics.json
	"$CF" ingest --quiet --kind photo $O in/IMG_*.jpg
	"$CF" ingest --quiet --kind video $O in/pack.mp4
	"$CF" seal --quiet >/dev/null
	"$CF" dispute open $O --reason damaged_in_transit --quiet >/dev/null
fi

# The stock pipeline: the same four cards casefile makes for this order
# (frames of the video; photos 1+2; photos 3+4; the chat excerpt), each
# 1080 px wide with a caption band and a QR code, JPEG quality 85.
cat >stock.sh <<'STOCK'
# the stock pipeline (written by bench/pack.sh); env: O, FONT
set -eu
IN=$PWD/in
cd "$1"
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$IN/pack.mp4")
n=0
for t in 0 $(echo "$dur / 3" | bc -l) $(echo "$dur * 2 / 3" | bc -l) $(echo "$dur - 0.5" | bc -l); do
	ffmpeg -v error -ss "$t" -i "$IN/pack.mp4" -frames:v 1 -vf scale=504:-2 -y f$n.png
	n=$((n + 1))
done
montage -font "$FONT" -label '%f' f0.png f1.png f2.png f3.png -tile 2x2 -geometry +6+6 frames.png
caption() { # caption OUT TEXT...
	_o=$1; shift
	qrencode -o qr.png -s 4 "CFK1
o=$O
$*"
	convert -font "$FONT" -pointsize 21 -size 800x caption:"$*" cap.png
	convert cap.png qr.png +append -background white -gravity center "$_o"
}
caption band1.png "证据 视频 pack.mp4 SHA-256 …"
convert -font "$FONT" -pointsize 34 label:"打包视频关键帧" frames.png band1.png -append \
	-resize 1080x -quality 85 card-1.jpg
k=2
for pair in "1 2" "3 4"; do
	set -- $pair
	convert "$IN/IMG_000$1.jpg" -resize 504x "$IN/IMG_000$2.jpg" -resize 504x +append row.png
	caption band.png "证据$1 IMG_000$1.jpg 证据$2 IMG_000$2.jpg SHA-256 …"
	convert -font "$FONT" -pointsize 34 label:"商品/包装照片" row.png band.png -append \
		-resize 1080x -quality 85 card-$k.jpg
	k=$((k + 1))
done
python3 -c "import json, sys; [print(m['from'], m['text']) for m in json.load(open(sys.argv[1]))['messages'][:8]]" "$IN/chat.json" >chat.txt
convert -font "$FONT" -pointsize 24 -size 1024x caption:"$(cat chat.txt)" chat.png
caption band.png "证据 chat.json SHA-256 …"
convert -font "$FONT" -pointsize 34 label:"聊天记录摘录" chat.png band.png -append \
	-resize 1080x -quality 85 card-4.jpg
STOCK

bench_init "$B/w"
video_mb=$(($(stat -c %s in/pack.mp4) / 1048576))
echo "bench: 1000 chat messages, 20 photos 4000x3000, 30 logistics events, ${video_mb} MB 1080p video; $(bench_env)"
r=1
while [ $r -le "$ROUNDS" ]; do
	for who in $(bench_order $r stock casefile); do
		d=$(bench_out $r $who)
		if [ $who = stock ]; then
			bench_run $r stock env O=$O FONT="$FONT" sh stock.sh "$d"
		else
			rmdir "$d"	# pack makes the folder itself, only when whole
			bench_run $r casefile "$CF" pack $O --platform douyin -o "$d"
		fi
	done
	r=$((r + 1))
done
kit=$W/out/r1-casefile
printf '%-44s %8s %10s\n' "" "wall" "peak RSS"
for who in stock casefile; do
	printf '%-44s %7ss %7d MB\n' \
		"$([ $who = stock ] && echo "stock ffmpeg+convert+montage+qrencode" || echo "casefile pack --platform douyin") (median)" \
		"$(bench_median $who 3)" "$(($(bench_median $who 6 | cut -d. -f1) / 1024))"
done
echo "casefile/stock time, per round: $(bench_ratio casefile stock) (target <= 0.5x)"
echo "casefile peak RSS, worst round: $(($(bench_col casefile 6 | sort -n | tail -1) / 1024)) MB (target <= 256 MB)"
ls -l "$kit" | awk 'NR > 1 {printf "  kit/%-14s %9d bytes\n", $9, $5}'
if [ "${BENCH_DOSSIER:-1}" = 1 ]; then
	d=$(bench_out 0 build)
	bench_run 0 build "$CF" build $O -o "$d/d.pdf"
	orig=$(du -cb in/IMG_*.jpg in/pack.mp4 in/chat.json in/logistics.json | tail -1 | cut -f1)
	size=$(stat -c %s "$d/d.pdf")
	echo "dossier with video frames and downsampled pages: $size bytes, originals $orig bytes: $(echo "$size / $orig" | bc -l | cut -c1-5)x (target <= 1.1x); build $(bench_median build 3) s, peak RSS $(($(bench_median build 6 | cut -d. -f1) / 1024)) MB"
fi
bench_summary
bench_cleanup

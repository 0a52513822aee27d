#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/build.sh — time `casefile build` on a generated reference order:
# 1,000 chat messages (mixed Chinese/English), 20 photos of 4000x3000 JPEG
# (2-4 MB each), 30 logistics events, all originals attached; and img2pdf
# on the same 20 JPEGs, alternating in BENCH_ROUNDS rotated rounds (default
# 5), each run into a fresh output folder (bench/lib.sh).  Prints the
# median per-round ratio build/img2pdf with min-max, peak RSS and output
# sizes.  Input data is generated under $BENCH_DIR (default /tmp/bench-
# casefile-build, kept between runs); outputs under $BENCH_DIR.out.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
CF=${CASEFILE_BIN:-$here/casefile}
B=${BENCH_DIR:-/tmp/bench-casefile-build}
O=6931000000000099
export CASEFILE_VAULT="$B/vault" CASEFILE_TEMPLATES="$here/templates"
mkdir -p "$B/in"
cd "$B"

if [ ! -f in/.photos-done ]; then
	echo "bench: generating 20 photos of 4000x3000 (once)..." >&2
	i=1
	while [ $i -le 20 ]; do
		f=$(printf 'in/IMG_%04d.jpg' $i)
		# noise keeps the JPEGs at 2-4 MB like real phone photos
		convert -size 1000x750 xc: +noise Random -resize 4000x3000 \
			-blur 0x0.6 -seed $i -quality 84 "$f"
		i=$((i + 1))
	done
	touch in/.photos-done
fi
# A vault left by an older casefile (another schema) is made anew.
if [ -d vault ] && ! "$CF" list >/dev/null 2>&1; then
	rm -rf vault
fi
if [ ! -d vault ]; then
	"$CF" init >/dev/null
	"$CF" keygen --quiet --cn "bench signer" >/dev/null	# build signs by default
	python3 - "$O" >in/chat.json <<'PY'
import json, sys
o = sys.argv[1]
msgs = []
zh = ["收到的杯子有裂痕", "麻烦拍一下外包装和裂痕的位置", "好的，马上拍", "请问什么时候发货",
      "已经给您补发了", "这个颜色和图片不一样", "快递员说放在驿站了"]
en = ["the cup arrived cracked", "please send a photo of the box",
      "tracking shows delivered but I did not get it", "OK, thanks for the quick reply"]
for i in range(1000):
    t = 1746237600 + i * 97
    frm = "buyer" if i % 2 == 0 else "merchant"
    text = zh[i % len(zh)] + " " + en[i % len(en)] + (" 订单号 %s 第%d条" % (o, i))
    m = {"time": t, "from": frm, "name": "小**" if frm == "buyer" else "客服-阿青", "text": text}
    if i % 50 == 0:
        m["attachments"] = ["IMG_%04d.jpg" % (i // 50 + 1)]
    msgs.append(m)
print(json.dumps({"order_id": o, "messages": msgs}, ensure_ascii=False))
PY
	"$CF" ingest --quiet --kind chat $O in/chat.json
	for f in in/IMG_*.jpg; do "$CF" ingest --quiet --kind photo $O "$f"; done
	python3 >in/logistics.json <<'PY'
import json
ev = [{"time": 1746000000 + i * 3600, "status": "in_transit", "location": "杭州转运中心",
       "desc": "快件已到达 杭州转运中心 第%d站" % i} for i in range(30)]
print(json.dumps({"carrier": "SF", "tracking_no": "SF1234567890", "events": ev},
                 ensure_ascii=False))
PY
	# The parsers fill the parsed tables; rows added by SQL would be refused
	# by build as not what the sealed originals say.
	"$CF" ingest --quiet --kind logistics $O in/logistics.json
fi

sync
photos_mb=$(du -cm in/IMG_*.jpg | tail -1 | cut -f1)
bench_init "$B.out"
img() { o=$(bench_out "$1" img2pdf); bench_run "$1" img2pdf img2pdf -o "$o/img.pdf" in/IMG_*.jpg; }
build() { o=$(bench_out "$1" build); bench_run "$1" build "$CF" build $O -o "$o/d.pdf"; }
ROUNDS=${BENCH_ROUNDS:-5}
echo "bench: 1000 chat messages, 20 photos 4000x3000 (${photos_mb} MB), 30 logistics events; $(bench_env)"
r=1
while [ $r -le "$ROUNDS" ]; do
	cat in/IMG_*.jpg "$CASEFILE_VAULT"/objects/*/* >/dev/null
	for c in $(bench_order $r build img); do $c $r; done
	r=$((r + 1))
done
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
size() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1048576 }'; }
echo "$ROUNDS rounds, medians:"
printf '  %-36s %6.2f s  peak RSS %6s MB  output %s MB\n' "img2pdf, 20 JPEGs" "$(bench_median img2pdf 3)" \
	"$(mb "$(bench_median img2pdf 6)")" "$(size "$W/out/r1-img2pdf/img.pdf")"
printf '  %-36s %6.2f s  peak RSS %6s MB  output %s MB\n' "casefile build, all attached" "$(bench_median build 3)" \
	"$(mb "$(bench_median build 6)")" "$(size "$W/out/r1-build/d.pdf")"
echo "  build / img2pdf per round: $(bench_ratio build img2pdf)   (target <= 2x, RSS <= 160 MB)"
pages=$(pdfinfo "$W/out/r1-build/d.pdf" | sed -n 's/^Pages: *//p')
echo "dossier: $pages pages, $(pdfdetach -list "$W/out/r1-build/d.pdf" | head -1)"
bench_summary
cd /
bench_cleanup

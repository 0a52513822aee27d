#!/bin/sh
# SPDX-License-Identifier: MIT
# t1702 (issue 12, 2026-12): ingesting a large chat.json stays within
# 2 x the file + 48 MB of peak memory (it took ~7x the file when jansson
# loaded it as one tree: a 50 MB log peaked at ~370 MB).  The log is made
# here: about 20 MB of messages of varying length, with Chinese text.
# A sanitizer build (ASan shadow memory) checks the rows only.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001

san=0
ldd "$CASEFILE_BIN" 2>/dev/null | grep -Eq 'lib(a|ub|t)san' && san=1
mb=20
[ $san = 1 ] && mb=2
seed=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
awk -v mb=$mb -v seed="$seed" -v o=$O 'BEGIN {
	srand(seed); target = mb * 1048576; n = 0; size = 0
	printf "{\"order_id\": \"%s\", \"channel\": \"feige\", \"messages\": [\n", o
	while (size < target) {
		t = ""; k = int(rand() * 12) + 1
		for (j = 0; j < k; j++) t = t "收到的杯子有裂痕 "
		line = sprintf("%s{\"time\": \"2025-05-03T10:%02d:%02d.%03d+08:00\", \"from\": \"%s\", \"name\": \"客服-阿青\", \"text\": \"%s%d\"}\n",
			n ? "," : "", int(n / 60) % 60, n % 60, n % 1000, n % 2 ? "buyer" : "merchant", t, n)
		printf "%s", line; size += length(line); n++
	}
	printf "]}\n"
	print n >"count"
}' >chat.json
n=$(cat count)
bytes=$(wc -c <chat.json)
cf init
/usr/bin/time -f %M -o rss "$CASEFILE_BIN" ingest $O chat.json >"$out" 2>"$err"
rc=$?
expect_clean "1 a ${mb} MB chat.json is ingested"
check "2 every message is stored ($n)" sh -c \
	"[ \"\$(sqlite3 vault/casefile.db 'select count(*) from messages')\" = $n ]"
check "3 with its milliseconds" sh -c \
	"[ \"\$(sqlite3 vault/casefile.db 'select count(*) from messages where time_ms = (seq - 1) % 1000')\" = $n ]"
limit=$(( bytes * 2 / 1024 + 48 * 1024 ))
if [ $san = 1 ]; then
	tap 0 "4 peak memory bound # SKIP sanitizer build"
else
	check "4 peak RSS $(cat rss) KB <= 2 x $bytes bytes + 48 MB ($limit KB)" \
		test "$(cat rss)" -le $limit
fi
done_testing

#!/bin/sh
# t1002: SIGKILL during ingest never leaves a row without its object; the
# next command removes stray tmp files; re-running the ingest completes it.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001

cf init
mkdir small
i=0
while [ $i -lt 300 ]; do printf '2025-05-03 10:12:%02d 买家(小**): message %d %s\n' $((i % 60)) $i "$(date +%N)" >small/m$i.txt; i=$((i + 1)); done
# A real MP4 head (ftyp, moov/mvhd of 60 s, mdat to the end of the file),
# then 96 MB of noise: parsed as a video, so a clean ingest exits 0.
{
	printf '\000\000\000\024ftypisom\000\000\000\000isom'
	printf '\000\000\000\164moov\000\000\000\154mvhd\000\000\000\000'
	printf '\000\000\000\000\000\000\000\000\000\000\003\350\000\000\352\140'
	head -c 80 /dev/zero
	printf '\000\000\000\000mdat'
	head -c 96M /dev/urandom
} >big.mp4

# Every committed row must name an object whose bytes hash to its sha256.
rows_have_objects() {
	sqlite3 vault/casefile.db "select lower(hex(sha256)) from evidence" | while read -r h; do
		f="vault/objects/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-64)"
		[ -f "$f" ] || { echo "row without object: $h"; exit 1; }
		[ "$(sha256sum "$f" | cut -c1-64)" = "$h" ] || { echo "object $h has other bytes"; exit 1; }
	done
}

for delay in 0.05 0.2 0.4 0.8 1.5; do
	"$CASEFILE_BIN" ingest $O big.mp4 small >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	check "after kill at ${delay}s: every row has its object" rows_have_objects
	check "after kill at ${delay}s: database is intact" db_intact
	cf list
	check "after kill at ${delay}s: the next command runs" test "$rc" = 0
	check "after kill at ${delay}s: stray tmp files are removed" sh -c '[ -z "$(ls -A vault/tmp)" ]'
done

cf ingest --quiet $O big.mp4 small
expect_clean "re-running the ingest completes"
check "all 301 files are stored exactly once" sh -c "[ \$(sqlite3 vault/casefile.db \"select count(*) from evidence where order_id='$O'\") = 301 ]"
check "every row has its object" rows_have_objects
cf ingest $O big.mp4 small
expect_clean "a third run"
expect_out "0 stored, 301 already stored" "adds nothing"

done_testing

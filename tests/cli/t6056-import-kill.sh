#!/bin/sh
# SPDX-License-Identifier: MIT
# import: killed with SIGKILL at several points, then run again, the vault
# ends with every file exactly once and every object intact.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-bundle.sh"

mk_bundle src 150
(cd src && zip -qr ../b.zip orders-2025-05-02)
tar -C src -czf b.tar.gz orders-2025-05-02
total=600
export CASEFILE_IMPORT_BATCH=40
n=0
for bundle in b.zip b.tar.gz src/orders-2025-05-02; do
	for delay in 0.05 0.15 0.3 0.5; do
		n=$((n + 1))
		rm -rf "$SCRATCH/vault"
		cf init
		"$CASEFILE_BIN" import --quiet "$bundle" >/dev/null 2>&1 &
		pid=$!
		sleep $delay
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
		before=$(nrows)
		cf import "$bundle"
		ok=0
		[ "$rc" = 0 ] && [ ! -s "$err" ] || ok=1
		[ "$(nrows)" = $total ] || ok=1
		grep -q "$total files, $((total - before)) new, $before duplicate" "$out" || ok=1
		[ "$(sql "SELECT count(*) FROM (SELECT order_id, rel_path FROM evidence GROUP BY 1, 2 HAVING count(*) > 1)")" = 0 ] || ok=1
		db_intact || ok=1
		tap $ok "$n kill -9 after ${delay}s of '$bundle' ($before committed), rerun completes"
		[ $ok = 0 ] || show_last
	done
done
# Every object in the last vault hashes to its name.
bad=0
for o in $(sql "SELECT lower(hex(sha256)) FROM objects"); do
	f="$SCRATCH/vault/objects/$(echo $o | cut -c1-2)/$(echo $o | cut -c3-)"
	[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$o" ] || bad=$((bad + 1))
done
check "13 every object intact" test $bad = 0
check "14 no tmp file left after the rerun" sh -c "! find '$SCRATCH/vault/tmp' -type f | grep -q ."
done_testing

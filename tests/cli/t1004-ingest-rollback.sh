#!/bin/sh
# t1004: a full disk or a permission problem on the vault side rolls the whole
# ingest back (exit 5, no row, no stray object); an unreadable source file is
# refused alone (exit 3) and the rest is stored.
. "$(dirname "$0")/../lib.sh"
O=6931000000000001

cf init
printf '2025-05-03 10:12:00 买家: first\n' >one.txt
head -c 3M /dev/urandom >big.bin  # 'other', a note only
printf '2025-05-03 10:12:00 买家: last\n' >two.txt
cf ingest $O one.txt
expect_clean "a first item is stored"

# "Disk full": a file size limit makes writes fail with EFBIG.
(trap '' XFSZ; ulimit -f 2048; exec "$CASEFILE_BIN" ingest 6931000000000002 two.txt big.bin) >"$out" 2>"$err"
rc=$?
expect_rc 5 "a vault write failure is an internal error"
expect_err "File too large" "the system error is reported"
expect_err "nothing was stored" "the rollback is announced"
check "no new row" sh -c "[ \$(sqlite3 vault/casefile.db 'select count(*) from evidence') = 1 ]"
check "no stray object" sh -c '[ $(find vault/objects -type f | wc -l) = 1 ]'
check "no stray tmp file" sh -c '[ -z "$(ls -A vault/tmp)" ]'

# File modes only bind a non-root user: as root the permission cases run
# as nobody (setpriv, util-linux), as anyone else (CI runners, developers)
# directly with their own uid.
perm_ok=1
if [ "$(id -u)" != 0 ]; then
	run_nobody() { "$CASEFILE_BIN" "$@"; }
elif command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	run_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$CASEFILE_BIN" "$@"; }
	chmod 755 "$SCRATCH"
	chown -R nobody vault
else
	perm_ok=0
	tap 1 "root without setpriv or user nobody: cannot run the permission cases"
fi
if [ $perm_ok = 1 ]; then
	# Source file unreadable: refused alone, exit 3, the rest stored.
	printf '2025-05-03 10:12:00 买家: private\n' >locked.txt && chmod 000 locked.txt
	printf '2025-05-03 10:12:00 买家: open\n' >open.txt && chmod 644 open.txt
	run_nobody ingest 6931000000000003 locked.txt open.txt >"$out" 2>"$err"; rc=$?
	expect_rc 3 "an unreadable source file is refused (exit 3)"
	expect_err "cannot read 'locked.txt': Permission denied" "the unreadable file is named"
	check "the readable file is stored" sh -c "[ \$(sqlite3 vault/casefile.db \"select count(*) from evidence where order_id='6931000000000003'\") = 1 ]"
	# Vault objects/ not writable: whole ingest rolled back, exit 5.
	chmod 555 vault/objects
	printf '2025-05-03 10:12:00 买家: new\n' >new.txt && chmod 644 new.txt
	run_nobody ingest 6931000000000004 open.txt new.txt >"$out" 2>"$err"; rc=$?
	expect_rc 5 "a vault permission error is an internal error"
	expect_err "Permission denied" "the permission error is reported"
	check "no row for the rolled-back ingest" sh -c "[ \$(sqlite3 vault/casefile.db \"select count(*) from evidence where order_id='6931000000000004'\") = 0 ]"
	check "no stray tmp file after the permission error" sh -c '[ -z "$(ls -A vault/tmp)" ]'
	chmod 755 vault/objects
fi

done_testing

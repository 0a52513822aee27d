#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/torture.sh — `make torture`: what a hostile week does to a vault,
# in a few minutes.  Not part of `make test`/CI (it is slow and, for the
# disk-full part, wants root); anyone can run it.
#
#   kill -9     ingest, import, seal, build and export are killed after a
#               random delay (0 .. the command's kill-free run time), then:
#               PRAGMA integrity_check must say ok; `casefile audit` must
#               pass, or complain only of objects an interrupted run stored
#               (counted as "unexpected" below, not as a failure); the same
#               command run again must succeed and leave a vault that equals
#               the kill-free one (every evidence row: order, kind, SHA-256,
#               size, name, path and ledger position; the number of objects;
#               the sealed tree size; the export's BagIt manifest; a dossier
#               that `casefile verify --vault` accepts), and `audit` must then
#               pass.  The ledger root itself differs between two runs (each
#               leaf carries its ingest time); audit recomputes it.
#   disk full   the vault, or the output, on a small tmpfs (needs mount
#               permission; skipped with a message otherwise): ingest,
#               import, seal, build and export must fail (exit 5) naming
#               the cause, leave the database intact and audit clean, and
#               work again once there is room.
#   concurrent  two commands at once on one vault (writers with writers,
#               readers beside writers): both succeed, the database is intact,
#               audit passes, nothing is lost.
#
# A table of tries, failures and leftovers (temporary files that survive the
# re-run: OUT.tmp-*, .casefile-sign-*, anything in VAULT/tmp/) ends the run.
# Exit 1 when anything failed.
#
# Knobs (environment):
#   TORTURE_TIME=150    seconds for the kill -9 campaign (the rest takes
#                       about a minute more)
#   TORTURE_SEED=N      random seed (default: from the clock; printed)
#   TORTURE_STRICT=1    leftovers, and disk-full messages that do not name
#                       the cause, count as failures too
#   TORTURE_FS_MB=24    size of the disk-full tmpfs
#   TORTURE_KEEP=1      keep the work folder (printed) for a post-mortem
#   TORTURE_DIR=/dev/shm  where the work folder goes (default /dev/shm when
#                       it exists: kill -9 does not need a real disk, and
#                       fsync-heavy re-runs are then quick; else /tmp)
set -u
: "${CASEFILE_BIN:?run through make torture (CASEFILE_BIN, CASEFILE_TOOLS)}"
: "${CASEFILE_TOOLS:?run through make torture}"
BIN=$CASEFILE_BIN
TORTURE_TIME=${TORTURE_TIME:-150}
TORTURE_SEED=${TORTURE_SEED:-$(date +%s)}
TORTURE_STRICT=${TORTURE_STRICT:-0}
TORTURE_FS_MB=${TORTURE_FS_MB:-24}
TESTS_DIR=$(cd "$(dirname "$0")" && pwd)
export LC_ALL=C.UTF-8 TZ=UTC
export CASEFILE_TEMPLATES="$TESTS_DIR/../templates" CASEFILE_FONTS="$TESTS_DIR/../fonts"
unset CASEFILE_VAULT CASEFILE_NOW CASEFILE_PASSPHRASE

if [ -z "${TORTURE_DIR:-}" ]; then
	TORTURE_DIR=/tmp
	[ -d /dev/shm ] && [ -w /dev/shm ] && TORTURE_DIR=/dev/shm
fi
W=$(mktemp -d "$TORTURE_DIR/casefile-torture-XXXXXX")
SCRATCH=$W			# for tests/lib-bundle.sh
MNT=""
PIDS=""
cleanup() {
	for _p in $PIDS; do kill -9 "$_p" 2>/dev/null; wait "$_p" 2>/dev/null; done
	[ -z "$MNT" ] || umount "$MNT" 2>/dev/null
	if [ "${TORTURE_KEEP:-0}" = 1 ]; then echo "torture: work folder kept: $W"
	else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
. "$TESTS_DIR/lib-bundle.sh"
cd "$W" || exit 1

# Results per part: tries, failures, leftovers, and a free-form note.
for _p in kill disk conc; do eval "T_$_p=0 F_$_p=0 L_$_p=0 N_$_p=''"; done
UNEXPECTED=0 COMPLETED=0
fail() { # fail PART what...
	_part=$1; shift
	eval "F_$_part=\$((F_$_part + 1))"
	echo "torture: FAIL [$_part] $*"
}
note() { echo "torture: $*"; }
now_ms() { date +%s%N | cut -c1-13; }
rand() { # rand N: a pseudo-random float in [0, 1) from the seed and N
	awk -v s="$TORTURE_SEED" -v n="$1" 'BEGIN { srand((s % 1000003) * 101 + n); print rand() }'
}
db_ok() { [ "$(sqlite3 "$1/casefile.db" 'PRAGMA integrity_check' 2>&1)" = ok ]; }
# audit_state VAULT: clean, unexpected (only objects an interrupted run
# stored: issue 11 item 9), or bad.
audit_state() {
	"$BIN" --vault "$1" audit >"$W/audit.out" 2>"$W/audit.err"
	case $? in
	0) echo clean ;;
	1) if grep -v '^unexpected: objects/' "$W/audit.out" |
	      grep -Eq '[1-9][0-9]* (missing|changed|unreadable)|[1-9][0-9]* bad|[1-9][0-9]* failing|without object: [1-9]|[1-9][0-9]* without object'
	   then echo bad; else echo unexpected; fi ;;
	*) echo bad ;;
	esac
}
# leftovers VAULT DIR: temporary files a finished run should not leave.
leftovers() {
	{ find "$1/tmp" -mindepth 1 2>/dev/null
	  find "$2" -maxdepth 1 \( -name '*.tmp-*' -o -name '.casefile-*' \) 2>/dev/null; } | wc -l
}
# state VAULT: what must be equal between a killed-and-rerun vault and a
# kill-free one.
state() {
	sqlite3 "$1/casefile.db" \
		"SELECT order_id, kind, lower(hex(sha256)), size, name, coalesce(rel_path, ''),
		        coalesce(leaf_index, '') FROM evidence ORDER BY order_id, rel_path, name, sha256;
		 SELECT 'objects', count(*) FROM objects;
		 SELECT 'sealed', coalesce(max(tree_size), 0) FROM heads;"
}

# --- fixtures --------------------------------------------------------------
echo "torture: seed $TORTURE_SEED, kill -9 campaign ${TORTURE_TIME}s, work folder $W"
ORDER=6931000000000001
mk_bundle b1 100 >/dev/null
mk_bundle b2 1200 " 二" >/dev/null
i=1
while [ $i -le 60 ]; do	# some weight: 60 photos of 200 KB
	head -c 200000 /dev/urandom >>"b2/orders-2025-05-02/69310000000000$(printf %02d $i)/photos/p1.png"
	i=$((i + 1))
done
(cd b2 && zip -qr ../b2.zip orders-2025-05-02)
export CASEFILE_IMPORT_BATCH=800	# several commits per import
mkdir -p in
i=0
while [ $i -lt 2000 ]; do
	printf '2025-05-03 10:%02d:00 买家(小**): message %d\n' $((i % 60)) $i >in/chat-$i.txt
	i=$((i + 1))
done
head -c 40000000 /dev/urandom >in/video.bin
base=$W/base
"$BIN" --vault "$base" init >/dev/null &&
	"$BIN" --vault "$base" keygen --cn 'torture signer' >/dev/null &&
	"$BIN" --vault "$base" import --quiet b1/orders-2025-05-02 &&
	head -c 3000000 /dev/urandom >big.bin &&
	"$BIN" --vault "$base" ingest --quiet --kind other $ORDER big.bin || {
	echo "torture: cannot make the base vault"; exit 1; }

# The operations: name, then the command (VAULT and RUN are substituted).
op_cmd() {
	case $1 in
	ingest) echo "ingest --quiet --kind other 6931000000009999 $W/in" ;;
	import) echo "import --quiet $W/b2.zip" ;;
	seal) echo "seal --quiet" ;;
	build) echo "build $ORDER -o RUN/out.pdf --quiet" ;;
	export) echo "export --all -o RUN/out.zip --quiet" ;;
	esac
}
OPS="ingest import seal build export"
run_op() { # run_op OP VAULT RUN: in the foreground
	_c=$(op_cmd "$1" | sed "s|RUN|$3|g")
	# shellcheck disable=SC2086
	"$BIN" --vault "$2" $_c >"$3/op.out" 2>"$3/op.err"
}
# outcome OP VAULT RUN: the comparable result of a finished op.
outcome() {
	state "$2"
	case $1 in
	build) "$BIN" --vault "$2" verify "$3/out.pdf" --vault "$2" >/dev/null 2>&1 &&
		echo "dossier verifies" ;;
	export) unzip -tq "$3/out.zip" >/dev/null 2>&1 && echo "zip intact"
		unzip -p "$3/out.zip" '*/manifest-sha256.txt' 2>/dev/null | sort ;;
	esac
}

# Reference: every op kill-free, timed.
for op in $OPS; do
	mkdir -p "ref-$op"
	cp -a "$base" "ref-$op/vault"
	t0=$(now_ms)
	if ! run_op $op "$W/ref-$op/vault" "$W/ref-$op"; then
		echo "torture: '$op' fails without any kill:"; cat "ref-$op/op.err"; exit 1
	fi
	eval "D_$op=\$(( \$(now_ms) - t0 ))"
	outcome $op "$W/ref-$op/vault" "$W/ref-$op" >"ref-$op/outcome"
done
note "kill-free times (ms):$(for op in $OPS; do eval "printf ' %s %s' $op \$D_$op"; done)"

# --- kill -9 campaign --------------------------------------------------------
end=$(( $(date +%s) + TORTURE_TIME ))
n=0
while [ "$(date +%s)" -lt $end ]; do
	for op in $OPS; do
		[ "$(date +%s)" -lt $end ] || break
		n=$((n + 1)); T_kill=$((T_kill + 1)); t_try=$(now_ms)
		r=$W/k; rm -rf "$r"; mkdir -p "$r"; cp -a "$base" "$r/vault"
		eval "d=\$D_$op"
		delay=$(awk -v r="$(rand $n)" -v d="$d" 'BEGIN { printf "%.3f", r * d * 1.1 / 1000 }')
		_c=$(op_cmd $op | sed "s|RUN|$r|g")
		# shellcheck disable=SC2086
		"$BIN" --vault "$r/vault" $_c >/dev/null 2>&1 &
		pid=$!; PIDS="$pid"
		sleep "$delay"
		if kill -9 $pid 2>/dev/null; then :; else COMPLETED=$((COMPLETED + 1)); fi
		wait $pid 2>/dev/null; PIDS=""
		what="#$n kill -9 '$op' after ${delay}s"
		db_ok "$r/vault" || fail kill "$what: integrity_check fails"
		case $(audit_state "$r/vault") in
		bad) fail kill "$what: audit fails after the kill:"; sed 's/^/    /' "$W/audit.out" | tail -5 ;;
		unexpected) UNEXPECTED=$((UNEXPECTED + 1)) ;;
		esac
		# An output under its final name must be complete (never half a
		# file); the re-run then writes it again.
		for f in "$r/out.pdf" "$r/out.zip"; do
			[ -e "$f" ] || continue
			outcome $op "$r/vault" "$r" >"$r/outcome"
			cmp -s "$r/outcome" "$W/ref-$op/outcome" ||
				fail kill "$what: left an incomplete ${f##*/} under its final name"
			rm -f "$f"
		done
		if ! run_op $op "$r/vault" "$r"; then
			fail kill "$what: the re-run fails:"; sed 's/^/    /' "$r/op.err" | tail -5
			continue
		fi
		outcome $op "$r/vault" "$r" >"$r/outcome"
		if ! cmp -s "$r/outcome" "$W/ref-$op/outcome"; then
			fail kill "$what: the re-run's vault differs from the kill-free one:"
			diff "$W/ref-$op/outcome" "$r/outcome" | head -6 | sed 's/^/    /'
		fi
		[ "$(audit_state "$r/vault")" = clean ] ||
			{ fail kill "$what: audit after the re-run:"; tail -3 "$W/audit.out" | sed 's/^/    /'; }
		[ "${TORTURE_VERBOSE:-0}" = 0 ] || note "$what: $(( $(now_ms) - t_try )) ms"
		l=$(leftovers "$r/vault" "$r")
		if [ "$l" -gt 0 ]; then
			L_kill=$((L_kill + l))
			note "leftover after $what and a re-run: $( { find "$r/vault/tmp" -mindepth 1; find "$r" -maxdepth 1 -name '*.tmp-*' -o -maxdepth 1 -name '.casefile-*'; } | sed "s|$r/||" | tr '\n' ' ')"
		fi
	done
done
N_kill="$COMPLETED finished before the kill; $UNEXPECTED audits saw objects of the killed run"

# --- disk full ---------------------------------------------------------------
# disk_case NAME VAULT RUN CMD...: on a (nearly) full file system the command
# either fits (exit 0) or fails with exit 5 naming the cause; either way the
# database stays intact and audit passes (or sees only "unexpected" objects).
disk_case() {
	_n=$1 _v=$2 _r=$3; shift 3
	T_disk=$((T_disk + 1))
	"$BIN" --vault "$_v" "$@" >"$W/disk.out" 2>"$W/disk.err"
	_rc=$?
	if [ $_rc = 0 ]; then
		N_disk="$N_disk $_n:fit"
	elif [ $_rc != 5 ]; then
		fail disk "$_n on a full disk: exit $_rc, want 5"; sed 's/^/    /' "$W/disk.err" | tail -3
	elif ! grep -q 'No space left on device' "$W/disk.err"; then
		if [ "$TORTURE_STRICT" = 1 ]; then
			fail disk "$_n: the message does not name the cause: $(head -1 "$W/disk.err")"
		else
			N_disk="$N_disk $_n:unclear-message"
			note "$_n: the message does not name the cause: $(head -1 "$W/disk.err")"
		fi
	fi
	db_ok "$_v" || fail disk "$_n: integrity_check fails"
	[ "$(audit_state "$_v")" != bad ] || fail disk "$_n: audit fails"
	_l=$(find "$_r" -maxdepth 1 \( -name '*.tmp-*' -o -name '.casefile-*' \) | wc -l)
	[ $_rc = 0 ] || _l=$((_l + $(find "$_r" -maxdepth 1 -name 'out.*' | wc -l)))
	[ "$_l" = 0 ] || { L_disk=$((L_disk + _l)); note "$_n: left behind: $(ls -A "$_r" | tr '\n' ' ')"; }
}
fill() { # fill DIR KB: leave about KB kilobytes free on DIR's file system
	rm -f "$1/.filler"
	_free=$(df -k --output=avail "$1" | tail -1)
	[ "$_free" -le "$2" ] || head -c $(( (_free - $2) * 1024 )) /dev/zero >"$1/.filler" 2>/dev/null
	sync
}
MNT=$W/full
mkdir -p "$MNT"
if ! mount -t tmpfs -o size=${TORTURE_FS_MB}m tmpfs "$MNT" 2>"$W/mount.err"; then
	N_disk="skipped: cannot mount a tmpfs ($(head -1 "$W/mount.err"); run as root)"
	note "disk full: $N_disk"
	MNT=""
else
	fv=$MNT/vault
	cp -a "$base" "$fv"
	mkdir -p "$MNT/out"
	fill "$MNT" 2000
	disk_case "ingest of 40 MB" "$fv" "$MNT/out" ingest --kind other $ORDER "$W/in/video.bin"
	fill "$MNT" 0
	disk_case "import of a bundle" "$fv" "$MNT/out" import "$W/b2.zip"
	disk_case "seal" "$fv" "$MNT/out" seal
	disk_case "build onto the full disk" "$base" "$MNT/out" build $ORDER -o "$MNT/out/out.pdf"
	disk_case "export onto the full disk" "$base" "$MNT/out" export --all -o "$MNT/out/out.zip"
	rm -f "$MNT/.filler"
	T_disk=$((T_disk + 1))
	if "$BIN" --vault "$fv" ingest --quiet --kind other $ORDER "$W/in/chat-1.txt" >/dev/null 2>"$W/disk.err" &&
	   "$BIN" --vault "$fv" seal --quiet >/dev/null 2>>"$W/disk.err" &&
	   [ "$(audit_state "$fv")" = clean ]; then :
	else fail disk "with room again, ingest + seal + audit fail:"; sed 's/^/    /' "$W/disk.err" | tail -3; fi
	_l=$(leftovers "$fv" "$MNT/out")
	[ "$_l" = 0 ] || { L_disk=$((L_disk + _l)); note "disk full: left in the vault's tmp/: $_l"; }
	umount "$MNT" && MNT=""
fi

# --- concurrent pairs -------------------------------------------------------
# pair NAME "CMD A" "CMD B": both at once on a copy of the base; both must
# exit 0, except an audit beside a writer, which may list the objects the
# writer stored but has not committed yet (noted: issue 11 item 9).
pair() {
	_n=$1 _a=$2 _b=$3
	T_conc=$((T_conc + 1))
	_r=$W/c; rm -rf "$_r"; mkdir -p "$_r"; cp -a "$base" "$_r/vault"
	_a=$(echo "$_a" | sed "s|RUN|$_r|g"); _b=$(echo "$_b" | sed "s|RUN|$_r|g")
	# shellcheck disable=SC2086
	"$BIN" --vault "$_r/vault" $_a >"$_r/a.out" 2>"$_r/a.err" & _pa=$!
	# shellcheck disable=SC2086
	"$BIN" --vault "$_r/vault" $_b >"$_r/b.out" 2>"$_r/b.err" & _pb=$!
	PIDS="$_pa $_pb"
	wait $_pa; _ra=$?; wait $_pb; _rb=$?; PIDS=""
	if [ $_ra = 1 ] && [ "${_a%% *}" = audit ] &&
	     [ -z "$(grep -v '^unexpected: objects/' "$_r/a.out" | grep -E '[1-9][0-9]* (missing|changed|unreadable|bad|failing)|[1-9][0-9]* without object')" ]; then
		N_conc="$N_conc audit beside '${_b%% *}' saw $(grep -c '^unexpected: objects/' "$_r/a.out") uncommitted objects;"
	elif [ $_ra != 0 ]; then
		fail conc "$_n: '$_a' exit $_ra"; sed 's/^/    /' "$_r/a.err" | tail -3
	fi
	[ $_rb = 0 ] || { fail conc "$_n: '$_b' exit $_rb"; sed 's/^/    /' "$_r/b.err" | tail -3; }
	db_ok "$_r/vault" || fail conc "$_n: integrity_check fails"
	[ "$(audit_state "$_r/vault")" = clean ] || fail conc "$_n: audit fails"
	_l=$(leftovers "$_r/vault" "$_r")
	[ "$_l" = 0 ] || { L_conc=$((L_conc + _l)); note "$_n: $_l leftovers"; }
}
nrows() { sqlite3 "$W/c/vault/casefile.db" "SELECT count(*) FROM evidence${1:+ WHERE $1}"; }
IN="ingest --quiet --kind other 6931000000009999 $W/in"
IN2="ingest --quiet --kind other 6931000000009998 $W/in/chat-1.txt $W/in/chat-2.txt"
IMP="import --quiet $W/b2.zip"
pair "ingest + ingest" "$IN" "$IN2"
[ "$(nrows "order_id LIKE '693100000000999_'")" = 2003 ] || fail conc "ingest + ingest: rows lost"
pair "import + import (same bundle)" "$IMP" "$IMP"
pair "import + ingest" "$IMP" "$IN"
pair "seal + ingest" "seal --quiet" "$IN"
pair "seal + seal" "seal --quiet" "seal --quiet"
pair "seal + import" "seal --quiet" "$IMP"
pair "build + import" "build $ORDER -o RUN/out.pdf --quiet" "$IMP"
pair "export + ingest" "export --all -o RUN/out.zip --quiet" "$IN"
pair "due + import" "due" "$IMP"
pair "audit + import" "audit" "$IMP"
pair "dispute open + import" "dispute open $ORDER --reason quality --amount 89.00" "$IMP"
pair "verify + seal" "verify $W/ref-build/out.pdf --vault RUN/vault" "seal --quiet"

# --- the table -----------------------------------------------------------------
echo
printf '%-12s %6s %9s %10s  %s\n' part tries failures leftovers notes
printf '%-12s %6s %9s %10s  %s\n' "kill -9" $T_kill $F_kill $L_kill "$N_kill"
printf '%-12s %6s %9s %10s  %s\n' "disk full" $T_disk $F_disk $L_disk "${N_disk# }"
printf '%-12s %6s %9s %10s  %s\n' "concurrent" $T_conc $F_conc $L_conc "$N_conc"
failures=$((F_kill + F_disk + F_conc))
leftover=$((L_kill + L_disk + L_conc))
if [ "$TORTURE_STRICT" = 1 ] && [ $leftover -gt 0 ]; then
	echo "torture: $leftover leftovers (TORTURE_STRICT=1: a failure)"
	failures=$((failures + leftover))
fi
echo "torture: seed $TORTURE_SEED: $failures failures"
[ $failures = 0 ]

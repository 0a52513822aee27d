# SPDX-License-Identifier: MIT
# tests/lib.sh — shared by every CLI test (tests/cli/tNNNN-*.sh).
#
# Each test sources this file, which makes a fresh scratch directory, cd's
# into it and removes it at exit.  Tests emit TAP ("ok N - what" /
# "not ok N - what") through the helpers below.
#
#   cf ARGS...          run casefile; sets $rc, $out (stdout file), $err (stderr file)
#   expect_rc N what    the last cf call exited N
#   expect_clean what   the last cf call exited 0 with an empty stderr
#   expect_out RE what  stdout matches the extended regex RE
#   expect_err RE what  stderr matches the extended regex RE
#   ok COND... / check "what" CMD...   generic assertions
#   check_not "what" CMD...             CMD ran and exited 1 (see below)
set -u
: "${CASEFILE_BIN:?run through make test}"
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
SRC_DIR=$(cd "$TESTS_DIR/.." && pwd)
FIXTURES="$TESTS_DIR/fixtures"
SCRATCH=$(mktemp -d /tmp/casefile-cli-XXXXXX)
LIB_PIDS=""
lib_cleanup() {
	for _p in $LIB_PIDS; do kill "$_p" 2>/dev/null; wait "$_p" 2>/dev/null; done
	if pg_mode; then
		pg_drop_dbs
		# every vault of the test was to be on PostgreSQL
		find "$SCRATCH" -name casefile.db 2>/dev/null | while read -r _f; do
			echo "not ok - PostgreSQL mode, yet a vault on SQLite: ${_f#"$SCRATCH"/}"
		done
	fi
	chmod -R u+w "$SCRATCH" 2>/dev/null; rm -rf "$SCRATCH"
}
trap lib_cleanup EXIT
cd "$SCRATCH" || exit 1
export CASEFILE_VAULT="$SCRATCH/vault"
export CASEFILE_TEMPLATES="$SRC_DIR/templates"
export CASEFILE_FONTS="$SRC_DIR/fonts"
unset CASEFILE_NOW CASEFILE_PASSPHRASE

# --- PostgreSQL mode (issue 18; README, "Scaling out") --------------------
# With CASEFILE_TEST_PG=DIR, the folder of a running cluster made by
# 'tests/lib/pg.sh start DIR' (tests/scale/t9300-cli-suite-on-pg.sh sets
# it), every vault a test makes with 'cf init' (or init $(pg_db_opt)) keeps
# its tables in a fresh database of that cluster (--db URL), dropped when
# the test ends; 'sqlite3 VAULT/casefile.db SQL' (and sql) reads and writes
# those tables through tests/lib/sqlite3-on-pg.  A test that cannot apply
# to PostgreSQL says why at its top with pg_skip "reason".
pg_mode() { [ -n "${CASEFILE_TEST_PG:-}" ]; }
# pg_skip "reason": in PostgreSQL mode, end the test here as skipped (TAP
# "1..0 # SKIP on PostgreSQL: reason"; tests/run.sh counts it)
pg_skip() {
	pg_mode || return 0
	echo "1..0 # SKIP on PostgreSQL: $*"
	exit 0
}
# pg_new_db: make a fresh database in the test cluster, print its URL.
# Named cf_PID_RANDOM so the test's exit drops every one it made, even
# those made in a subshell.
pg_new_db() {
	_name="cf_$$_$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
	"$PGBIN/createdb" -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" "$_name" ||
		{ echo "# createdb $_name failed" >&2; return 1; }
	echo "postgresql:///$_name?host=$PG_SOCK&port=$PG_PORT&user=$PG_USER"
}
# pg_db_opt: "--db URL" of a fresh database in PostgreSQL mode, else
# nothing (for tests that run "$CASEFILE_BIN" init themselves)
pg_db_opt() { if pg_mode; then echo "--db $(pg_new_db)"; fi; }
# pg_is_init ARGS...: the casefile command in ARGS is init (and has no --db)
pg_is_init() {
	_cmd=""; _skip=0
	for _a in "$@"; do
		if [ $_skip = 1 ]; then _skip=0; continue; fi
		case $_a in
		--db | --db=*) return 1 ;;
		--vault) _skip=1 ;;
		-*) ;;
		*) [ -n "$_cmd" ] || _cmd=$_a ;;
		esac
	done
	[ "$_cmd" = init ]
}
pg_drop_dbs() {
	"$PGBIN/psql" -X -q -A -t -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" -d postgres \
		-c "SELECT datname FROM pg_database WHERE datname LIKE 'cf\\_$$\\_%'" 2>/dev/null |
	while read -r _d; do
		"$PGBIN/dropdb" --force -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" "$_d" 2>/dev/null
	done
}
if pg_mode; then
	PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
	. "$CASEFILE_TEST_PG/env" || exit 1
	export PGBIN
	mkdir "$SCRATCH/.pg-bin"
	printf '#!/bin/sh\nexec sh "%s" "$@"\n' "$TESTS_DIR/lib/sqlite3-on-pg" >"$SCRATCH/.pg-bin/sqlite3"
	chmod +x "$SCRATCH/.pg-bin/sqlite3"
	PATH="$SCRATCH/.pg-bin:$PATH"
fi

tap_n=0
out="$SCRATCH/.out"; err="$SCRATCH/.err"; rc=0

tap() { # tap STATUS what
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then echo "ok $tap_n - $2"; else echo "not ok $tap_n - $2"; fi
}
cf() {
	if [ -n "${CASEFILE_TEST_PG:-}" ] && pg_is_init "$@"; then
		set -- "$@" --db "$(pg_new_db)"
	fi
	"$CASEFILE_BIN" "$@" >"$out" 2>"$err"; rc=$?; return 0
}
cf_in() { # cf_in INPUTFILE ARGS...: with stdin
	_in=$1; shift
	"$CASEFILE_BIN" "$@" <"$_in" >"$out" 2>"$err"; rc=$?; return 0
}
show_last() { echo "#   rc=$rc"; sed 's/^/#   out: /' "$out" | head -20; sed 's/^/#   err: /' "$err" | head -20; }
expect_rc() {
	if [ "$rc" = "$1" ]; then tap 0 "$2"; else tap 1 "$2 (want rc $1)"; show_last; fi
}
expect_clean() {
	if [ "$rc" = 0 ] && [ ! -s "$err" ]; then tap 0 "$1"; else tap 1 "$1 (want rc 0, empty stderr)"; show_last; fi
}
# expect_unsealed "what": a build of unsealed exhibits worked, and stderr
# holds the warning for the merchant and nothing else (issue 16: told on
# stderr before building; the PDF only states the fact).
expect_unsealed() {
	if [ "$rc" = 0 ] && grep -q "^casefile: warning: .* not sealed yet: " "$err" &&
	   ! grep -qv "^casefile: warning: .* not sealed yet: " "$err"; then
		tap 0 "$1"
	else
		tap 1 "$1 (want rc 0, only the not-sealed warning on stderr)"; show_last
	fi
}
expect_out() {
	if grep -Eq -- "$1" "$out"; then tap 0 "$2"; else tap 1 "$2 (stdout lacks /$1/)"; show_last; fi
}
expect_no_out() {
	if grep -Eq -- "$1" "$out"; then tap 1 "$2 (stdout has /$1/)"; show_last; else tap 0 "$2"; fi
}
expect_err() {
	if grep -Eq -- "$1" "$err"; then tap 0 "$2"; else tap 1 "$2 (stderr lacks /$1/)"; show_last; fi
}
check() { # check "what" CMD...
	_what=$1; shift
	if "$@" >"$SCRATCH/.chk" 2>&1; then tap 0 "$_what"; else tap 1 "$_what"; sed 's/^/#   /' "$SCRATCH/.chk" | head -20; fi
}
# check_not "what" CMD...: CMD ran and answered no (exit 1: grep found
# nothing, test was false, a verifier rejected).  Exit 0 fails the check,
# and so does any other status: a missing file (grep, test: 2), a missing
# or unrunnable tool (127, 126), a crash (>128) is no answer at all.
check_not() {
	_what=$1; shift
	"$@" >"$SCRATCH/.chk" 2>&1; _rc=$?
	case $_rc in
	1) tap 0 "$_what" ;;
	0) tap 1 "$_what"; sed 's/^/#   /' "$SCRATCH/.chk" | head -20 ;;
	*) tap 1 "$_what (exit $_rc: the check could not run)"; sed 's/^/#   /' "$SCRATCH/.chk" | head -20 ;;
	esac
}
sql() { sqlite3 "$CASEFILE_VAULT/casefile.db" "$@"; }
# db_save NAME / db_restore NAME: keep a copy of the vault's database and
# put it back later (undo a tamper): the SQLite file (after a WAL
# checkpoint), or in PostgreSQL mode a database made from it as template
db_save() {
	if pg_mode; then
		"$PGBIN/dropdb" --if-exists -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" "cf_$$_save_$1" &&
		"$PGBIN/createdb" -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" -T "$(pg_vault_db)" "cf_$$_save_$1"
	else
		sql "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null &&
		cp "$CASEFILE_VAULT/casefile.db" "$SCRATCH/.save-$1.db"
	fi
}
db_restore() {
	if pg_mode; then
		"$PGBIN/dropdb" --force -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" "$(pg_vault_db)" &&
		"$PGBIN/createdb" -h "$PG_SOCK" -p "$PG_PORT" -U "$PG_USER" -T "cf_$$_save_$1" "$(pg_vault_db)"
	else
		cp "$SCRATCH/.save-$1.db" "$CASEFILE_VAULT/casefile.db" &&
		rm -f "$CASEFILE_VAULT/casefile.db-wal" "$CASEFILE_VAULT/casefile.db-shm"
	fi
}
# pg_vault_db: the name of the vault's PostgreSQL database
pg_vault_db() { sed 's|^postgresql:///||; s|?.*||' "$CASEFILE_VAULT/database"; }
# db_intact: the vault's database passes its engine's own check — SQLite's
# PRAGMA integrity_check, or in PostgreSQL mode amcheck's bt_index_check
# (every index against its table) — exit 0 when intact
db_intact() {
	if pg_mode; then
		"$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$(cat "$CASEFILE_VAULT/database")" \
			-c "CREATE EXTENSION IF NOT EXISTS amcheck" \
			-c "SELECT count(bt_index_check(c.oid, true)) FROM pg_index i JOIN pg_class c
			    ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
			    WHERE a.amname = 'btree' AND c.relnamespace = 'public'::regnamespace" >/dev/null
	else
		[ "$(sqlite3 "$CASEFILE_VAULT/casefile.db" 'PRAGMA integrity_check')" = ok ]
	fi
}
done_testing() { echo "1..$tap_n"; }
# layers_copy: src/ and include/ copied to ./t, to be edited and checked;
# layers_check: tests/layers.py on that copy (rc, out, err as cf sets them).
layers_copy() { rm -rf t; mkdir t; cp -r "$SRC_DIR/src" "$SRC_DIR/include" t/; }
layers_check() { python3 "$TESTS_DIR/layers.py" t/src t/include/casefile >"$out" 2>"$err"; rc=$?; }

# --- signing and time-stamping (issue 4) ---------------------------------
# make_test_pki DIR: a test CA and, issued by it, ECDSA and RSA-3072 signer
# certificates and a TSA certificate (critical EKU timeStamping), made fresh
# by each test with the openssl CLI.  Nothing here is ever committed.
#   DIR/ca.pem ca.key  signer.pem signer.key  signer-rsa.pem signer-rsa.key
#   DIR/tsa.pem tsa.key  DIR/tls.pem tls.key (HTTPS for 127.0.0.1)
#   DIR/signer.p12 (passphrase "p12pass")
make_test_pki() {
	_d=$1; mkdir -p "$_d"
	cat >"$_d/ext.cnf" <<'EOC'
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[signer]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tls]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOC
	openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$_d/ca.key" -out "$_d/ca.pem" -days 30 -subj "/CN=casefile test CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		2>/dev/null || return 1
	for _n in signer:ec signer-rsa:rsa tsa:ec tls:ec; do
		_name=${_n%%:*}; _alg=${_n##*:}
		if [ "$_alg" = rsa ]; then _ko="-newkey rsa:3072"; else _ko="-newkey ec -pkeyopt ec_paramgen_curve:P-256"; fi
		_ext=$_name; [ "$_name" = signer-rsa ] && _ext=signer
		# shellcheck disable=SC2086
		openssl req -new $_ko -nodes -keyout "$_d/$_name.key" -out "$_d/$_name.csr" \
			-subj "/O=casefile tests/CN=test $_name" 2>/dev/null || return 1
		openssl x509 -req -in "$_d/$_name.csr" -CA "$_d/ca.pem" -CAkey "$_d/ca.key" \
			-CAcreateserial -days 30 -extfile "$_d/ext.cnf" -extensions "$_ext" \
			-out "$_d/$_name.pem" 2>/dev/null || return 1
	done
	openssl pkcs12 -export -inkey "$_d/signer.key" -in "$_d/signer.pem" -certfile "$_d/ca.pem" \
		-passout pass:p12pass -out "$_d/signer.p12" 2>/dev/null || return 1
}

# start_tsa PKI_DIR [MODE [tls]]: run the test TSA (tests/tools/tsa_server)
# on 127.0.0.1, over HTTPS with "tls"; sets TSA_URL and TSA_PID.  Stopped at
# exit, or by stop_tsa.
start_tsa() {
	_pf="$SCRATCH/.tsa-port.$$.$tap_n.${2:-ok}"
	_scheme=http; _tls=""
	if [ "${3:-}" = tls ]; then _scheme=https; _tls="--tls-cert $1/tls.pem --tls-key $1/tls.key"; fi
	rm -f "$_pf"
	# shellcheck disable=SC2086
	"$CASEFILE_TOOLS/tsa_server" --key "$1/tsa.key" --cert "$1/tsa.pem" $_tls \
		--mode "${2:-ok}" --port-file "$_pf" >/dev/null 2>"$SCRATCH/.tsa-err" &
	TSA_PID=$!
	LIB_PIDS="$LIB_PIDS $TSA_PID"
	_i=0
	while [ ! -s "$_pf" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	[ -s "$_pf" ] || { echo "# tsa_server did not start"; cat "$SCRATCH/.tsa-err"; return 1; }
	TSA_URL="$_scheme://127.0.0.1:$(cat "$_pf")/tsa"
}
stop_tsa() { kill "$TSA_PID" 2>/dev/null; wait "$TSA_PID" 2>/dev/null; }

# pdf_byterange FILE: the four /ByteRange numbers of the newest signature.
pdf_byterange() {
	grep -a -o '/ByteRange \[[0-9 ]*\]' "$1" | tail -1 | tr -d '/ByteRange[]' | xargs
}
# cms_tool parts SIGNED.pdf DIR / swap-token: see tests/tools/cms_tool.c

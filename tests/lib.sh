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
set -u
: "${CASEFILE_BIN:?run through make test}"
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
SRC_DIR=$(cd "$TESTS_DIR/.." && pwd)
FIXTURES="$TESTS_DIR/fixtures"
SCRATCH=$(mktemp -d /tmp/casefile-cli-XXXXXX)
trap 'chmod -R u+w "$SCRATCH" 2>/dev/null; rm -rf "$SCRATCH"' EXIT
cd "$SCRATCH" || exit 1
export CASEFILE_VAULT="$SCRATCH/vault"
export CASEFILE_TEMPLATES="$SRC_DIR/templates"
export CASEFILE_FONTS="$SRC_DIR/fonts"
unset CASEFILE_NOW CASEFILE_PASSPHRASE
tap_n=0
out="$SCRATCH/.out"; err="$SCRATCH/.err"; rc=0

tap() { # tap STATUS what
	tap_n=$((tap_n + 1))
	if [ "$1" = 0 ]; then echo "ok $tap_n - $2"; else echo "not ok $tap_n - $2"; fi
}
cf() { "$CASEFILE_BIN" "$@" >"$out" 2>"$err"; rc=$?; return 0; }
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
check_not() {
	_what=$1; shift
	if "$@" >"$SCRATCH/.chk" 2>&1; then tap 1 "$_what"; sed 's/^/#   /' "$SCRATCH/.chk" | head -20; else tap 0 "$_what"; fi
}
sql() { sqlite3 "$CASEFILE_VAULT/casefile.db" "$@"; }
done_testing() { echo "1..$tap_n"; }

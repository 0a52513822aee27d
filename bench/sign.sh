#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/sign.sh — time `casefile sign` (PAdES B-T with a local test TSA) and
# `casefile verify` on a ~64 MB dossier-like PDF, next to `openssl cms -sign
# -binary` and `openssl dgst -sha256` on the same file in the same run, with
# peak RSS.  Targets (issue 4): sign <= 1.5x openssl cms; verify <= 3x
# openssl dgst; sign RSS does not grow with the file (a 4 MB file is
# measured too for comparison).
#
# Wall times come from date +%s%N around each run (millisecond figures);
# CPU and peak RSS from /usr/bin/time.
#
# Env: CASEFILE_BIN (default ./casefile), BUILD (default build), SIZE_MB (64),
#      RUNS (best of, default 5).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${CASEFILE_BIN:-$here/casefile}
TOOLS_REL=${BUILD:-build}/tests/tools
case $TOOLS_REL in /*) TOOLS=$TOOLS_REL ;; *) TOOLS=$here/$TOOLS_REL ;; esac
SIZE_MB=${SIZE_MB:-64}
RUNS=${RUNS:-5}
[ -x "$TOOLS/mkpdf" ] && [ -x "$TOOLS/tsa_server" ] ||
	(cd "$here" && make -s "$TOOLS_REL/mkpdf" "$TOOLS_REL/tsa_server" >/dev/null)
W=$(mktemp -d /tmp/casefile-bench-sign-XXXXXX)
trap 'kill $TSA_PID 2>/dev/null; rm -rf "$W"' EXIT
cd "$W"

# PKI + TSA
openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
	-days 2 -subj "/CN=bench CA" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout tsa.key -out tsa.csr \
	-subj "/CN=bench tsa" 2>/dev/null
printf 'extendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\n' >tsa.ext
openssl x509 -req -in tsa.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile tsa.ext \
	-out tsa.pem 2>/dev/null
"$TOOLS/tsa_server" --key tsa.key --cert tsa.pem --port-file port >/dev/null 2>&1 &
TSA_PID=$!
while [ ! -s port ]; do sleep 0.05; done
TSA_URL="http://127.0.0.1:$(cat port)/"
export CASEFILE_VAULT="$W/vault"
"$BIN" init >/dev/null
"$BIN" keygen --cn "Bench Shop" >/dev/null
KEY=$W/vault/keys/signing.key; CERT=$W/vault/keys/signing.crt

mkpdf_of() { # mkpdf_of MB OUT
	head -c $(($1 * 1024 * 1024)) /dev/urandom >video.mp4
	echo '{"order":1}' >order.json
	"$TOOLS/mkpdf" -n 40 -m "$2" order.json video.mp4
	rm -f video.mp4
}
mkpdf_of "$SIZE_MB" big.pdf
mkpdf_of 4 small.pdf

best() { # best CMD...: prints "seconds peak_kb cpu_seconds" of the fastest run
	_b=""
	for _i in $(seq "$RUNS"); do
		rm -f out.pdf out-small.pdf; sync
		_s=$(date +%s%N)
		/usr/bin/time -f "%M %U %S" -o t.out "$@" >/dev/null 2>t.err || { cat t.err >&2; exit 1; }
		_e=$(date +%s%N)
		_t=$(awk -v ns=$((_e - _s)) '{printf "%.3f %s %.2f", ns / 1e9, $1, $2 + $3}' t.out)
		if [ -z "$_b" ] || [ "$(echo "$_t $_b" | awk '{print ($1 < $3)}')" = 1 ]; then _b=$_t; fi
	done
	echo "$_b"
}
size=$(stat -c %s big.pdf)
set -- $(best "$BIN" sign big.pdf -o out.pdf --tsa "$TSA_URL" --tsa-ca ca.pem); sign_t=$1; sign_rss=$2; sign_cpu=$3
set -- $(best "$BIN" sign small.pdf -o out-small.pdf --tsa "$TSA_URL" --tsa-ca ca.pem); small_t=$1; small_rss=$2; small_cpu=$3
"$BIN" sign big.pdf -o signed.pdf --tsa "$TSA_URL" --tsa-ca ca.pem >/dev/null
set -- $(best "$BIN" verify signed.pdf --tsa-ca ca.pem); ver_t=$1; ver_rss=$2; ver_cpu=$3
set -- $(best openssl cms -sign -binary -in big.pdf -signer "$CERT" -inkey "$KEY" -outform DER -out cms.der); cms_t=$1; cms_rss=$2; cms_cpu=$3
set -- $(best openssl dgst -sha256 big.pdf); dgst_t=$1; dgst_rss=$2; dgst_cpu=$3

echo "bench/sign.sh: $(awk "BEGIN{printf \"%.1f\", $size/1048576}") MB PDF (libharu, 40 pages, ${SIZE_MB} MB attachment), best of $RUNS"
row() { printf '  %-44s %6s s wall %6s s cpu %8s KB peak RSS\n' "$@"; }
row "casefile sign (B-T, local TSA, fsync'd copy)" "$sign_t" "$sign_cpu" "$sign_rss"
row "openssl cms -sign -binary (writes 1 KB)" "$cms_t" "$cms_cpu" "$cms_rss"
row "casefile sign, 4 MB file (RSS comparison)" "$small_t" "$small_cpu" "$small_rss"
row "casefile verify" "$ver_t" "$ver_cpu" "$ver_rss"
row "openssl dgst -sha256" "$dgst_t" "$dgst_cpu" "$dgst_rss"
awk -v s="$sign_t" -v c="$cms_t" -v v="$ver_t" -v d="$dgst_t" -v sc="$sign_cpu" -v cc="$cms_cpu" 'BEGIN {
	c = (c > 0 ? c : 0.01); d = (d > 0 ? d : 0.01); cc = (cc > 0 ? cc : 0.01);
	printf "  sign/openssl-cms = %.2fx wall, %.2fx cpu (target <= 1.5x)   verify/openssl-dgst = %.2fx (target <= 3x)\n", s / c, sc / cc, v / d }'
echo "  (sign writes and fsyncs a ${SIZE_MB} MB copy, which openssl cms does not: its wall time depends on the disk)"

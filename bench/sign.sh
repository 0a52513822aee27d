#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/sign.sh — time `casefile sign` (PAdES B-T with a local test TSA) and
# `casefile verify` on a ~64 MB dossier-like PDF, next to `openssl cms -sign
# -binary` and `openssl dgst -sha256` on the same file in the same run, with
# peak RSS.  Targets (issue 4): sign <= 1.5x openssl cms; verify <= 3x
# openssl dgst; sign RSS does not grow with the file (a 4 MB file is
# measured too for comparison).
#
# The contenders alternate in RUNS rotated rounds, each sign into a fresh
# output folder (bench/lib.sh); figures are the median per-round ratios
# with min-max; wall, CPU and peak RSS from /usr/bin/time.
#
# Env: CASEFILE_BIN (default ./casefile), BUILD (default build), SIZE_MB (64),
#      RUNS (rounds, default 7).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
BIN=${CASEFILE_BIN:-$here/casefile}
TOOLS_REL=${BUILD:-build}/tests/tools
case $TOOLS_REL in /*) TOOLS=$TOOLS_REL ;; *) TOOLS=$here/$TOOLS_REL ;; esac
SIZE_MB=${SIZE_MB:-64}
RUNS=${RUNS:-7}
[ -x "$TOOLS/mkpdf" ] && [ -x "$TOOLS/tsa_server" ] ||
	(cd "$here" && make -s "$TOOLS_REL/mkpdf" "$TOOLS_REL/tsa_server" >/dev/null)
bench_init "${BENCH_DIR:-/tmp/casefile-bench-sign}"
trap 'kill $TSA_PID 2>/dev/null' EXIT
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

size=$(stat -c %s big.pdf)
"$BIN" sign big.pdf -o signed.pdf --tsa "$TSA_URL" --tsa-ca ca.pem >/dev/null
sign() { o=$(bench_out "$1" sign); bench_run "$1" sign "$BIN" sign big.pdf -o "$o/out.pdf" --tsa "$TSA_URL" --tsa-ca ca.pem; }
sign_small() { o=$(bench_out "$1" sign_small); bench_run "$1" sign_small "$BIN" sign small.pdf -o "$o/out.pdf" --tsa "$TSA_URL" --tsa-ca ca.pem; }
cms() { o=$(bench_out "$1" cms); bench_run "$1" cms openssl cms -sign -binary -in big.pdf -signer "$CERT" -inkey "$KEY" -outform DER -out "$o/cms.der"; }
verify() { bench_run "$1" verify "$BIN" verify signed.pdf --tsa-ca ca.pem; }
dgst() { bench_run "$1" dgst openssl dgst -sha256 big.pdf; }
echo "bench: $(bench_env)"
r=1
while [ "$r" -le "$RUNS" ]; do
	cat big.pdf small.pdf signed.pdf >/dev/null
	for c in $(bench_order "$r" sign cms verify dgst sign_small); do sync; $c "$r"; done
	r=$((r + 1))
done

echo "bench/sign.sh: $(awk "BEGIN{printf \"%.1f\", $size/1048576}") MB PDF (libharu, 40 pages, ${SIZE_MB} MB attachment), $RUNS rounds, medians"
row() { printf '  %-44s %6s s wall %5s+%-5s s cpu %8s KB peak RSS\n' "$1" "$(bench_median "$2" 3)" "$(bench_median "$2" 4)" "$(bench_median "$2" 5)" "$(bench_median "$2" 6)"; }
row "casefile sign (B-T, local TSA, fsync'd copy)" sign
row "openssl cms -sign -binary (writes 1 KB)" cms
row "casefile sign, 4 MB file (RSS comparison)" sign_small
row "casefile verify" verify
row "openssl dgst -sha256" dgst
echo "  sign / openssl cms per round:    $(bench_ratio sign cms)   (target <= 1.5x)"
echo "  verify / openssl dgst per round: $(bench_ratio verify dgst)   (target <= 3x)"
echo "  (sign writes and fsyncs a ${SIZE_MB} MB copy, which openssl cms does not: its wall time depends on the disk)"
echo "  (/usr/bin/time gives wall time in 10 ms steps: ratios of runs this short are coarse)"
bench_summary
kill $TSA_PID 2>/dev/null || true
cd /
bench_cleanup

#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/scale.sh — large files into an S3 store (issue 18): `casefile
# ingest` of 2 × SIZE_MB files into a vault made with --objects on a
# throw-away Ceph RADOS Gateway (tests/lib/ceph-rgw.sh), next to `s3cmd put`
# of the same two files into the same gateway in the same run.  Target:
# casefile <= 1.2x s3cmd.
#
# casefile reads each file once, hashing it, and streams it to the store
# as it reads (16 MiB parts, each with its SHA-256 as the signed payload
# hash and its Content-MD5, sent by a helper thread while the next part is
# read) to a temporary key, since the name is the hash known only at the
# end; then copies it inside the store to its name, checks the copy's ETag
# against the parts' and HEADs it, and deletes the temporary object.
# (Until 2026-12-03 it first staged the whole file in VAULT/tmp: 1.29x
# s3cmd.)  s3cmd (multipart, 15 MB chunks) sends MD5s and SHA-256s too.
# The two take turns within a round, in alternating order (bench_order);
# each round writes into a fresh prefix (nothing is deleted while
# measuring; bench/lib.sh); figures are medians of per-round ratios with
# min-max.
#
# Not yet here: the 60,000-file import into PostgreSQL + RGW and two
# importers at once (issue 18's second half).
#
# Env: CASEFILE_BIN (default ./casefile), SIZE_MB (500), RUNS (3).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
BIN=${CASEFILE_BIN:-$here/casefile}
SIZE_MB=${SIZE_MB:-500}
RUNS=${RUNS:-3}
command -v radosgw >/dev/null && command -v s3cmd >/dev/null ||
	{ echo "bench/scale.sh: needs Ceph and s3cmd (make deps-scale)" >&2; exit 1; }
bench_init "${BENCH_DIR:-/tmp/casefile-bench-scale}"
RGW_DIR=$W/ceph
# room for every round's uploads (2 contenders x 2 files x SIZE_MB)
CEPH_OSD_GB=$(( (RUNS * 4 * SIZE_MB) / 1024 + 8 ))
export CEPH_OSD_GB
trap 'sh "$here/tests/lib/ceph-rgw.sh" stop "$RGW_DIR"' EXIT INT TERM
port=$(sh "$here/tests/lib/ceph-rgw.sh" free-port 30000)
sh "$here/tests/lib/ceph-rgw.sh" start "$RGW_DIR" "$port" >"$W/rgw.env"
. "$W/rgw.env"
export AWS_ACCESS_KEY_ID="$RGW_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$RGW_SECRET_KEY"
cd "$W"
cat >s3cfg <<CFG
[default]
access_key = $RGW_ACCESS_KEY
secret_key = $RGW_SECRET_KEY
host_base = ${RGW_ENDPOINT#http://}
host_bucket = ${RGW_ENDPOINT#http://}
use_https = False
signature_v2 = False
CFG
s3cmd -c s3cfg mb s3://bench >/dev/null
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >a.bin
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >b.bin

casefile() {
	v=$(bench_out "$1" casefile)/vault
	"$BIN" --vault "$v" init --objects "s3://bench/cf-r$1" --objects-endpoint "$RGW_ENDPOINT" \
		>/dev/null
	bench_run "$1" casefile "$BIN" --vault "$v" ingest --quiet --kind other 6931000000000001 \
		a.bin b.bin
}
s3cmd_put() {
	bench_run "$1" s3cmd s3cmd -c s3cfg --no-progress put a.bin b.bin "s3://bench/s3cmd-r$1/"
}
echo "bench: $(bench_env)"
r=1
while [ "$r" -le "$RUNS" ]; do
	cat a.bin b.bin >/dev/null
	for c in $(bench_order "$r" casefile s3cmd_put); do sync; $c "$r"; done
	r=$((r + 1))
done
echo "bench/scale.sh: 2 x $SIZE_MB MB into Ceph RGW 16 on 127.0.0.1 (1 OSD, file-backed), $RUNS rounds, medians"
row() { printf '  %-48s %7s s wall %6s+%-6s s cpu %8s KB peak RSS\n' "$1" "$(bench_median "$2" 3)" "$(bench_median "$2" 4)" "$(bench_median "$2" 5)" "$(bench_median "$2" 6)"; }
row "casefile ingest (hash, streamed checked multipart)" casefile
row "s3cmd put (multipart)" s3cmd
echo "  casefile / s3cmd per round: $(bench_ratio casefile s3cmd)   (target <= 1.2x)"
bench_summary
cd /
sh "$here/tests/lib/ceph-rgw.sh" stop "$RGW_DIR"
trap - EXIT INT TERM
bench_cleanup

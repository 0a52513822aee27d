# SPDX-License-Identifier: MIT
# tests/scale/lib-pg.sh — sourced by the t94xx tests (issue 18: several
# importers into one PostgreSQL vault, PostgreSQL faults) after tests/lib.sh.
# Starts a throw-away PostgreSQL cluster (tests/lib/pg.sh; stopped at exit
# by its pid, with the test's scratch folder) and a bucket on the gateway
# tests/scale/run.sh started, and gives:
#   PG_URL ...             the cluster (pg.sh's assignments)
#   BUCKET                 a fresh bucket; OBJ="s3://$BUCKET/v" the vaults' objects
#   s3c ARGS...            s3cmd on the gateway
#   q SQL                  psql on the vault's database, one value a line
#   pg_bundle DIR FIRST N  N orders (chat, order, logistics) with ids from FIRST
#   ledger_ok [ROOT]       tests/lib/pg-ledger-check.py on the vault (every
#                          row's leaf recomputed, no gap, inner nodes, root)
#   objects_ok             every evidence row's object is in the bucket
: "${RGW_ENDPOINT:?run through make test-scale}"
PG_SH="$TESTS_DIR/lib/pg.sh"
export AWS_ACCESS_KEY_ID="$RGW_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$RGW_SECRET_KEY"
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_PROFILE AWS_SESSION_TOKEN
export AWS_SHARED_CREDENTIALS_FILE="$SCRATCH/no-such-credentials"
PG_D=$(mktemp -d /tmp/casefile-pg-XXXXXX)
trap 'sh "$PG_SH" stop "$PG_D" 2>/dev/null; lib_cleanup' EXIT
sh "$PG_SH" start "$PG_D" >"$SCRATCH/pg.env" 2>"$SCRATCH/pg.err" ||
	{ echo "Bail out! PostgreSQL did not start: $(cat "$SCRATCH/pg.err")"; exit 1; }
. "$SCRATCH/pg.env"
hostport=${RGW_ENDPOINT#http://}
cat >"$SCRATCH/s3cfg" <<EOF
[default]
access_key = $RGW_ACCESS_KEY
secret_key = $RGW_SECRET_KEY
host_base = $hostport
host_bucket = $hostport
use_https = False
signature_v2 = False
EOF
s3c() { s3cmd -c "$SCRATCH/s3cfg" "$@"; }
BUCKET=cf-pg-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
s3c mb "s3://$BUCKET" >/dev/null || { echo "Bail out! cannot make bucket $BUCKET"; exit 1; }
OBJ="s3://$BUCKET/v"
q() { psql "$PG_URL" -X -A -t -v ON_ERROR_STOP=1 -c "$1"; }

pg_bundle() {
	awk -v n="$3" -v f="$2" -v root="$1" 'BEGIN {
		for (i = f; i < f + n; i++) {
			id = sprintf("6931%012d", i); d = root "/" id
			system("mkdir -p " d)
			x = d "/chat.json"
			printf "{\"order_id\": \"%s\", \"channel\": \"feige\", \"messages\": [\n", id > x
			for (m = 0; m < 5; m++)
				printf "  {\"time\": \"2025-05-%02d 10:%02d:00\", \"from\": \"%s\", \"name\": \"n\", \"text\": \"order %s message %d\"}%s\n", 1 + m, m, m % 2 ? "merchant" : "buyer", id, m, m < 4 ? "," : "" > x
			printf "]}\n" > x; close(x)
			x = d "/order.json"
			printf "{\"order_id\": \"%s\", \"shop\": \"s\", \"created_at\": \"2025-04-30T20:01:00+08:00\", \"items\": [{\"sku\": \"A\", \"title\": \"t\", \"qty\": 1, \"price\": \"1.00\"}], \"total\": \"1.00\", \"currency\": \"CNY\"}\n", id > x; close(x)
			x = d "/logistics.json"
			printf "{\"carrier\": \"SF\", \"tracking_no\": \"SF%010d\", \"events\": [{\"time\": \"2025-05-01T08:00:00+08:00\", \"status\": \"collected\", \"location\": \"x\", \"desc\": \"y\"}]}\n", i > x; close(x)
		}
	}'
}

ledger_ok() { python3 "$TESTS_DIR/lib/pg-ledger-check.py" "$PG_URL" "$@"; }

# objects_ok: every object an evidence row names is in the bucket
objects_ok() {
	q "SELECT DISTINCT encode(sha256, 'hex') FROM evidence" | sort >"$SCRATCH/named"
	s3c ls -r "s3://$BUCKET/v/" | awk '{print $4}' | sed 's,.*/v/\(..\)/,\1,' | sort >"$SCRATCH/stored"
	_missing=$(comm -23 "$SCRATCH/named" "$SCRATCH/stored" | wc -l)
	[ "$_missing" = 0 ] || { echo "$_missing named objects are not in the bucket"; return 1; }
}

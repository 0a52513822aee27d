# SPDX-License-Identifier: MIT
# tests/scale/lib-s3.sh — sourced by the tests/scale/t*.sh after tests/lib.sh:
# the test gateway's keys in the environment, s3cmd as the independent
# client (s3c), curl's own SigV4 for what s3cmd cannot ask (s3req), where
# casefile keeps a file (key_of), a random run id, and the relay of
# tests/lib/tcp-proxy.py (proxy_start, proxy_kill) for the network faults.
: "${RGW_ENDPOINT:?run through make test-scale}"
RGW_SH="$TESTS_DIR/lib/ceph-rgw.sh"
export AWS_ACCESS_KEY_ID="$RGW_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$RGW_SECRET_KEY"
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 AWS_PROFILE AWS_SESSION_TOKEN
export AWS_SHARED_CREDENTIALS_FILE="$SCRATCH/no-such-credentials"
hostport=${RGW_ENDPOINT#http://}
cat >"$SCRATCH/s3cfg" <<CFG
[default]
access_key = $RGW_ACCESS_KEY
secret_key = $RGW_SECRET_KEY
host_base = $hostport
host_bucket = $hostport
use_https = False
signature_v2 = False
CFG
s3c() { s3cmd -c "$SCRATCH/s3cfg" "$@"; }
EMPTY=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
# s3req METHOD PATH [CURL-ARGS...]: a signed request with curl's own SigV4
s3req() {
	_m=$1 _p=$2; shift 2
	curl -s -X "$_m" --aws-sigv4 aws:amz:us-east-1:s3 -u "$RGW_ACCESS_KEY:$RGW_SECRET_KEY" \
		-H "x-amz-content-sha256: $EMPTY" "$@" "$RGW_ENDPOINT$_p"
}
# key_of FILE PREFIX: where casefile keeps FILE
key_of() { _h=$(sha256sum "$1" | cut -c1-64); echo "$2/$(echo "$_h" | cut -c1-2)/$(echo "$_h" | cut -c3-)"; }
run=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')

# proxy_start PORT [SLOWDOWN]: the relay to the gateway on 127.0.0.1:PORT
proxy_start() {
	rm -f "$SCRATCH/proxy.pid"
	python3 "$TESTS_DIR/lib/tcp-proxy.py" "$1" "${hostport#*:}" "$SCRATCH/proxy.pid" \
		${2:+"$2"} </dev/null >/dev/null 2>&1 &
	_i=0
	while [ ! -s "$SCRATCH/proxy.pid" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
	[ -s "$SCRATCH/proxy.pid" ]
}
# proxy_kill: the network cut (kill -9 by its pid: connections reset, port closed)
proxy_kill() {
	[ -s "$SCRATCH/proxy.pid" ] || return 0
	_p=$(cat "$SCRATCH/proxy.pid")
	kill -9 "$_p" 2>/dev/null
	while kill -0 "$_p" 2>/dev/null; do sleep 0.05; done
	rm -f "$SCRATCH/proxy.pid"
}
# free_port: a port free on 127.0.0.1 now
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# wait_parts: until the gateway has logged PUTs of parts since log line $1
wait_parts() {
	_i=0
	while [ $_i -lt 300 ]; do
		tail -n +"$1" "$RGW_DIR/log/client.rgw.log" 2>/dev/null | grep -q 'partNumber=2' && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}
rgw_log_lines() { wc -l <"$RGW_DIR/log/client.rgw.log" 2>/dev/null || echo 0; }

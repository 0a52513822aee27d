#!/bin/sh
# SPDX-License-Identifier: MIT
# sign with a TSA that is down, refuses, answers garbage, hangs, replays a
# wrong nonce or fails over HTTP: a clear message, exit 3, no output file
# and an untouched input; --tsa-optional falls back to PAdES B-B.
. "$(dirname "$0")/../lib.sh"

make_test_pki pki || echo "not ok - pki"
"$CASEFILE_TOOLS/mkpdf" in.pdf || echo "not ok - mkpdf"
in_sum=$(sha256sum <in.pdf)
cf init; cf keygen --cn "TSA Test Shop"

# down: a port where nothing listens any more
start_tsa pki ok; dead_url=$TSA_URL; stop_tsa
cf sign in.pdf -o out.pdf --tsa "$dead_url"
expect_rc 3 "tsa down: exit 3"
expect_err "cannot reach tsa 'http://127.0.0.1:[0-9]+/tsa'" "tsa down: names the tsa"
expect_err "'in.pdf' was not signed" "tsa down: says nothing was signed"
check "tsa down: no output file" test ! -e out.pdf
check "tsa down: no temp file left" sh -c "! ls -a | grep -q casefile-sign"

for mode in reject garbage badnonce http500 hang; do
	start_tsa pki $mode
	cf sign in.pdf --tsa "$TSA_URL" --tsa-timeout 1
	expect_rc 3 "$mode: exit 3"
	case $mode in
	reject) expect_err "refused the request: status 2 \\(rejection\\)" "$mode: says the tsa refused" ;;
	garbage) expect_err "sent a reply that is not an RFC 3161 response" "$mode: says the reply is garbage" ;;
	badnonce) expect_err "wrong nonce" "$mode: says the nonce is wrong" ;;
	http500) expect_err "answered HTTP 500" "$mode: reports the HTTP status" ;;
	hang) expect_err "did not answer within 1.0 s" "$mode: reports the timeout" ;;
	esac
	check "$mode: input (signed in place) unchanged" test "$(sha256sum <in.pdf)" = "$in_sum"
	check "$mode: no temp file left" sh -c "! ls -a | grep -q casefile-sign"
	stop_tsa
done

start_tsa pki garbage
cf sign in.pdf -o opt.pdf --tsa "$TSA_URL" --tsa-optional
expect_rc 0 "--tsa-optional: signs anyway"
expect_err "warning: .*not an RFC 3161 response.*signing without a timestamp \\(PAdES B-B\\)" "--tsa-optional: warns"
expect_out "PAdES B-B: no timestamp" "--tsa-optional: output says B-B"
pdfsig opt.pdf >pdfsig.out 2>&1
check "--tsa-optional: valid signature" grep -q "Signature is Valid." pdfsig.out
stop_tsa

# http_proxy is honoured: the test TSA plays the proxy for a host that
# does not resolve, so the request only succeeds through the proxy
start_tsa pki ok
port=${TSA_URL#http://127.0.0.1:}; port=${port%%/*}
unset no_proxy NO_PROXY
http_proxy="http://127.0.0.1:$port" "$CASEFILE_BIN" sign in.pdf -o proxied.pdf \
	--tsa "http://tsa.invalid/tsr" >"$out" 2>"$err"; rc=$?
expect_clean "sign through http_proxy"
expect_out "PAdES B-T: .*\(http://tsa.invalid/tsr\)" "the proxied TSA answered"
"$CASEFILE_BIN" sign in.pdf -o direct.pdf --tsa "http://tsa.invalid/tsr" --tsa-timeout 3 >"$out" 2>"$err"; rc=$?
expect_rc 3 "without the proxy the same url fails"
stop_tsa

# HTTPS: the TSA behind TLS with a server certificate from the test CA
start_tsa pki ok tls
cf sign in.pdf -o https.pdf --tsa "$TSA_URL" --tsa-tls-ca pki/ca.pem --tsa-ca pki/ca.pem
expect_clean "sign with an https:// TSA"
expect_out "PAdES B-T: .*\(https://127.0.0.1:[0-9]+/tsa\)" "timestamp came over https"
cf sign in.pdf -o https2.pdf --tsa "$TSA_URL" --tsa-timeout 5
expect_rc 3 "https TSA with an unknown server certificate is refused"
expect_err "cannot reach tsa 'https://.*certificate" "names the certificate problem"
check "no output" test ! -e https2.pdf
stop_tsa

# a TSA whose certificate is not under the CA we trust for it
start_tsa pki ok
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key \
	-out other-ca.pem -days 2 -subj "/CN=other CA" 2>/dev/null
cf sign in.pdf -o x.pdf --tsa "$TSA_URL" --tsa-ca other-ca.pem
expect_rc 3 "tsa not under --tsa-ca: refused"
expect_err "bad token: timestamp signature or tsa certificate is invalid" "says the token is untrusted"
check "no output" test ! -e x.pdf
cf sign in.pdf -o x.pdf --tsa "ftp://127.0.0.1/"
expect_rc 3 "non-http tsa url refused"
expect_err "is not http:// or https://" "explains the url"
cf sign in.pdf --tsa "$TSA_URL" --no-tsa
expect_rc 2 "--tsa with --no-tsa is a usage error"
done_testing

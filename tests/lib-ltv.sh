# SPDX-License-Identifier: MIT
# lib-ltv.sh — test services for PAdES B-LT/B-LTA (issue 17 item 4), sourced
# after lib.sh.  Everything runs on 127.0.0.1 and is stopped by PID (at exit
# through LIB_PIDS, or by the stop_* functions); nothing is committed.
#
# make_ltv_pki DIR [SIGNER_DAYS [TSA_DAYS]]: a two-level CA hierarchy made
# with the openssl CLI, its AIA and CDP pointing at OCSP_PORT and HTTP_PORT
# (picked here, free at the time):
#   root (self-signed) → int (CA) → signer      OCSP: the int responder
#   root → tsaca (CA) → tsa (SIGNER... TSA_DAYS), tsa-lta (10 years)
#   DIR/root.pem int.pem tsaca.pem signer.pem/.key tsa.pem/.key tsa-lta.pem/.key
#   DIR/chain.pem (int + root: the signer's chain), DIR/tsachain.pem (tsaca +
#   root: the TSA's), DIR/www/{root,tsaca}.crl (DER CRLs, nothing revoked),
#   DIR/int-index.txt (the OCSP responder's database: signer valid)
# The signer is valid SIGNER_DAYS (default 30) days from now, the TSA
# certificate TSA_DAYS (default 30).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

make_ltv_pki() {
	_d=$1; _sd=${2:-30}; _td=${3:-30}
	mkdir -p "$_d/www"
	OCSP_PORT=$(free_port); HTTP_PORT=$(free_port)
	while [ "$HTTP_PORT" = "$OCSP_PORT" ]; do HTTP_PORT=$(free_port); done
	cat >"$_d/ext.cnf" <<EOC
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://127.0.0.1:$HTTP_PORT/root.crl
[signer]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://127.0.0.1:$OCSP_PORT
[ocsp]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
[tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://127.0.0.1:$HTTP_PORT/tsaca.crl
EOC
	_ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
	# shellcheck disable=SC2086
	openssl req -x509 -new $_ec -keyout "$_d/root.key" -out "$_d/root.pem" -days 3650 \
		-subj "/O=casefile tests/CN=ltv root" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		2>/dev/null || return 1
	# name:issuer:extensions:days
	for _n in int:root:ca:3650 tsaca:root:ca:3650 signer:int:signer:$_sd ocsp:int:ocsp:3650 \
		  tsa:tsaca:tsa:$_td tsa-lta:tsaca:tsa:3650 revoked:int:signer:30; do
		IFS=: read -r _name _iss _ext _days <<EOI
$_n
EOI
		# shellcheck disable=SC2086
		openssl req -new $_ec -keyout "$_d/$_name.key" -out "$_d/$_name.csr" \
			-subj "/O=casefile tests/CN=ltv $_name" 2>/dev/null || return 1
		openssl x509 -req -in "$_d/$_name.csr" -CA "$_d/$_iss.pem" -CAkey "$_d/$_iss.key" \
			-CAcreateserial -days "$_days" -extfile "$_d/ext.cnf" -extensions "$_ext" \
			-out "$_d/$_name.pem" 2>/dev/null || return 1
	done
	cat "$_d/int.pem" "$_d/root.pem" >"$_d/chain.pem"
	cat "$_d/tsaca.pem" "$_d/root.pem" >"$_d/tsachain.pem"
	# the OCSP responder's database: signer valid, "revoked" revoked
	: >"$_d/int-index.txt"
	ltv_index_add "$_d" signer V
	ltv_index_add "$_d" revoked R
	# CRLs (nothing revoked) of root and tsaca, DER, served over HTTP
	for _ca in root tsaca; do
		mkdir -p "$_d/$_ca.db"; : >"$_d/$_ca.db/index.txt"; echo 01 >"$_d/$_ca.db/crlnumber"
		cat >"$_d/$_ca.db/ca.cnf" <<EOC
[ca]
default_ca = d
[d]
database = $_d/$_ca.db/index.txt
crlnumber = $_d/$_ca.db/crlnumber
default_md = sha256
default_crl_days = 30
EOC
		openssl ca -batch -config "$_d/$_ca.db/ca.cnf" -gencrl -cert "$_d/$_ca.pem" \
			-keyfile "$_d/$_ca.key" -out "$_d/$_ca.crl.pem" 2>/dev/null || return 1
		openssl crl -in "$_d/$_ca.crl.pem" -outform DER -out "$_d/www/$_ca.crl" || return 1
	done
}

# ltv_index_add DIR NAME V|R: NAME's certificate into the OCSP database
# (R: revoked one hour ago).
ltv_index_add() {
	_exp=$(openssl x509 -in "$1/$2.pem" -noout -enddate | sed 's/notAfter=//')
	_exp=$(date -u -d "$_exp" +%y%m%d%H%M%SZ)
	_ser=$(openssl x509 -in "$1/$2.pem" -noout -serial | sed 's/serial=//')
	_subj=$(openssl x509 -in "$1/$2.pem" -noout -subject -nameopt compat | sed 's/subject=//')
	if [ "$3" = R ]; then
		printf 'R\t%s\t%s\t%s\tunknown\t%s\n' "$_exp" "$(date -u -d '-1 hour' +%y%m%d%H%M%SZ)" \
			"$_ser" "$_subj" >>"$1/int-index.txt"
	else
		printf 'V\t%s\t\t%s\tunknown\t%s\n' "$_exp" "$_ser" "$_subj" >>"$1/int-index.txt"
	fi
}

# start_ocsp DIR: `openssl ocsp` for the int CA on OCSP_PORT (OpenSSL 3.0 takes
# only a port number; the certificates name 127.0.0.1), signed
# by its delegated responder; sets OCSP_PID.
start_ocsp() {
	openssl ocsp -index "$1/int-index.txt" -port "$OCSP_PORT" -CA "$1/int.pem" \
		-rsigner "$1/ocsp.pem" -rkey "$1/ocsp.key" -ndays 7 >/dev/null 2>"$SCRATCH/.ocsp-err" &
	OCSP_PID=$!
	LIB_PIDS="$LIB_PIDS $OCSP_PID"
	# (not probed with a connection: the responder serves one at a time and
	# would wait on the probe)
	_i=0
	while ! grep -q "waiting for OCSP client" "$SCRATCH/.ocsp-err" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.05; _i=$((_i + 1))
	done
	grep -q "waiting for OCSP client" "$SCRATCH/.ocsp-err" ||
		{ echo "# ocsp responder did not start"; cat "$SCRATCH/.ocsp-err"; return 1; }
}
stop_ocsp() { kill "$OCSP_PID" 2>/dev/null; wait "$OCSP_PID" 2>/dev/null; }

# start_crls DIR: python3 -m http.server serving DIR/www on HTTP_PORT; HTTP_PID.
start_crls() {
	python3 -m http.server --bind 127.0.0.1 --directory "$1/www" "$HTTP_PORT" \
		>/dev/null 2>"$SCRATCH/.http-err" &
	HTTP_PID=$!
	LIB_PIDS="$LIB_PIDS $HTTP_PID"
	wait_port "$HTTP_PORT" || { echo "# http server did not start"; cat "$SCRATCH/.http-err"; return 1; }
}
stop_crls() { kill "$HTTP_PID" 2>/dev/null; wait "$HTTP_PID" 2>/dev/null; }

wait_port() {
	_i=0
	while [ $_i -lt 100 ]; do
		python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}

# start_tsa_chain DIR NAME: the test TSA with NAME's key, the tsaca chain in
# its tokens; sets TSA_URL and TSA_PID (like start_tsa).
start_tsa_chain() {
	_pf="$SCRATCH/.tsa-port.$$.$2"
	rm -f "$_pf"
	"$CASEFILE_TOOLS/tsa_server" --key "$1/$2.key" --cert "$1/$2.pem" --chain "$1/tsaca.pem" \
		--port-file "$_pf" >/dev/null 2>"$SCRATCH/.tsa-err" &
	TSA_PID=$!
	LIB_PIDS="$LIB_PIDS $TSA_PID"
	_i=0
	while [ ! -s "$_pf" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	[ -s "$_pf" ] || { echo "# tsa_server did not start"; cat "$SCRATCH/.tsa-err"; return 1; }
	TSA_URL="http://127.0.0.1:$(cat "$_pf")/tsa"
}

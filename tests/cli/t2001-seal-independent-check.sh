#!/bin/sh
# SPDX-License-Identifier: MIT
# t2001: what seal and 'log --proofs' produce can be checked without
# casefile: the checkpoint signature with openssl, the leaf hashes, inclusion
# proofs and root with a few lines of Python following proofs.h — for an
# ECDSA and an RSA vault key — and each tampered twin fails.
. "$(dirname "$0")/../lib.sh"
. "$TESTS_DIR/ledger-lib.sh"

cp "$TESTS_DIR/../contrib/casefile-proofcheck.py" check.py

for alg in ec rsa; do
	rm -rf vault
	cf init; make_key $alg
	for i in 1 2 3 4 5 6 7; do echo "photo $i" >"p$i.jpg"; add_ev A1 "p$i.jpg" photo; done
	cf seal
	expect_clean "$alg: seal 7"
	echo late >late.txt; add_ev A1 late.txt
	cf log --proofs 1 2 3 4 5 6 7 8
	expect_clean "$alg: log --proofs"
	cp "$out" proofs.json
	check "$alg: python recomputes leaves, paths and roots" python3 check.py proofs proofs.json
	check "$alg: last exhibit is not yet sealed" grep -q '"name":"late.txt","size":5,"ingested_at":1746238320,"sha256":"[0-9a-f]*","status":"not yet sealed"' proofs.json

	# Checkpoint signature with openssl: text before the blank line, sig minus 4 bytes.
	sql "SELECT checkpoint FROM heads" >cp.txt
	# sqlite3 adds one newline at the end of the output
	python3 - <<'PY'
import base64
t = open("cp.txt", "rb").read()[:-1]
text, sigs = t.split(b"\n\n", 1)
open("text", "wb").write(text + b"\n")
sig = base64.b64decode(sigs.split(b" ")[2])
open("sig.der", "wb").write(sig[4:])
PY
	openssl pkey -in vault/keys/signing.key -pubout -out pub.pem 2>/dev/null
	check "$alg: openssl verifies the checkpoint signature" openssl dgst -sha256 -verify pub.pem -signature sig.der text
	sed 's/^7$/8/' text >text.forged
	check_not "$alg: openssl rejects a forged size" openssl dgst -sha256 -verify pub.pem -signature sig.der text.forged

	# Tampered proofs.json: a flipped path hash and a changed name.
	python3 -c '
import json; d = json.load(open("proofs.json")); p = d["exhibits"][2]["inclusion_path"]
p[0] = ("1" if p[0][0] != "1" else "2") + p[0][1:]; json.dump(d, open("t1.json", "w"))'
	check_not "$alg: python rejects a tampered path" python3 check.py proofs t1.json
	sed 's/"name":"p3.jpg"/"name":"p9.jpg"/' proofs.json >t2.json
	check_not "$alg: python rejects a renamed exhibit" python3 check.py proofs t2.json
done

cf log --proofs 99
expect_rc 2 "unknown evidence id"
expect_err "no evidence row 99" "names the id"
cf log --proofs x1
expect_rc 2 "bad evidence id"
done_testing

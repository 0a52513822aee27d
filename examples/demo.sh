#!/bin/sh
# SPDX-License-Identifier: MIT
# examples/demo.sh — `make demo`: the whole job of casefile on the sample
# daily export in examples/orders-2025-05-02/, in a fresh vault under
# demo-out/, ending with a signed, timestamped dossier and its verify report.
#
# The RFC 3161 timestamps come from a LOCAL TEST TSA (tests/tools/tsa_server
# with a throw-away certificate made here), the revocation data from a local
# `openssl ocsp` and CRL server: real tokens and responses, but from an
# authority nobody else trusts.  A shop configures a real TSA with
# `casefile config tsa.url URL`.
# CASEFILE_DEMO_DB=postgresql://... keeps the vault's records in that
# (empty) PostgreSQL database (init --db; README, "Scaling out").
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
CF=${CASEFILE_BIN:-$top/casefile}
TSA_SERVER=${CASEFILE_TSA_SERVER:-$top/build/tests/tools/tsa_server}
out=${CASEFILE_DEMO_OUT:-$top/demo-out}
order=6931000000000002

rm -rf "$out"
mkdir -p "$out"
export CASEFILE_VAULT="$out/vault" CASEFILE_TEMPLATES="$top/templates"
unset CASEFILE_PASSPHRASE CASEFILE_NOW
cd "$out"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# The command as a shell would need it typed (printf %q style, in POSIX
# sh): an argument with a space, a quote or any other character outside
# [A-Za-z0-9_./:=,+@%-] is single-quoted, a ' inside it written '\''.
cmdline() {
	printf '$ casefile'
	for a; do
		case $a in
		'' | *[!A-Za-z0-9_./:=,+@%-]*)
			printf " '%s'" "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")" ;;
		*)	printf ' %s' "$a" ;;
		esac
	done
	printf '\n'
}
run() { cmdline "$@"; "$CF" "$@"; }
# Commands whose non-zero exit is the point of the demo (due 4, check 3).
show() { cmdline "$@"; set +e; "$CF" "$@"; echo "(exit $?)"; set -e; }

say "local test services (demo only): a CA hierarchy, its OCSP responder and CRLs, a TSA"
# tests/lib-ltv.sh: root -> tsaca -> TSA, with AIA/CRL locations on
# 127.0.0.1; an `openssl ocsp` responder and CRLs over python3 -m http.server,
# stopped at exit.  Real protocols, an authority nobody else trusts.
SCRATCH=$out/services; mkdir -p "$SCRATCH"; LIB_PIDS=""
CASEFILE_TOOLS=$(dirname "$TSA_SERVER")
. "$top/tests/lib-ltv.sh"
trap 'for p in $LIB_PIDS; do kill $p 2>/dev/null; done' EXIT
make_ltv_pki "$out/pki"
start_ocsp "$out/pki"
start_crls "$out/pki"
start_tsa_chain "$out/pki" tsa
tsa=$TSA_URL
echo "test TSA at $tsa, OCSP on port $OCSP_PORT, CRLs on port $HTTP_PORT"

say "a vault, a signing key, the shop's settings"
if [ -n "${CASEFILE_DEMO_DB:-}" ]; then run init --db "$CASEFILE_DEMO_DB"; else run init; fi
run keygen --cn "青瓷小铺 售后" --org 青瓷小铺
run config shop.name 青瓷小铺
run config tsa.url "$tsa"
run config tsa.ca "$out/pki/tsachain.pem"
run config sign.level B-LTA

say "the daily export: import and seal (what cron does every night)"
run import "$top/examples/orders-2025-05-02"
run seal
run log
run list
run show $order

say "correcting the record: the packing video is stored under the phone's name"
# VID_20250501_165000.mp4 says nothing about packing: check cannot count it
# until someone says what it is.  `tag` seals that as a ledger leaf.
show check 6931000000000001 --reason damaged_in_transit
video=$("$CF" show 6931000000000001 --json | sed -n 's/.*"id":\([0-9]*\),"kind":"video","name":"VID_20250501_165000.mp4".*/\1/p')
run tag "$video" --role packing --note "打包视频：清点、封箱（手机原文件名）"
show check 6931000000000001 --reason damaged_in_transit
run show "$video"

say "a dispute: the buyer says the parcel never arrived"
run dispute open $order --reason 未收到货 --amount 287.90 --claim 买家称未收到货，申请仅退款 \
	--requested-at "$(date -u -d '3 hours ago' +%Y-%m-%dT%H:%M:%SZ)" \
	--rejected-at "$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%SZ)"
# the screenshot of the station's release record says nothing by its name:
# tagged, it is cited right after the delivery record (exhibit 2)
shot=$("$CF" show $order --json | sed -n 's/.*"id":\([0-9]*\),"kind":"photo","name":"pickup-record.png".*/\1/p')
run tag "$shot" --role pickup --note "驿站出库记录截图：5月2日 18:05 凭取件码取走"
show due --within 72h
show check $order
run statement $order

say "the dossier: built, signed, timestamped, with validation data and an archive timestamp (PAdES B-LTA)"
run build $order -o "$out/dossier-$order.pdf"
run verify "$out/dossier-$order.pdf" --vault "$out/vault" --tsa-ca "$out/pki/tsachain.pem"

say "years later, before the TSA certificate expires: the archive renewal"
run extend "$out/dossier-$order.pdf"
printf '$ casefile verify %s --tsa-ca %s | tail -3\n' "$out/dossier-$order.pdf" "$out/pki/tsachain.pem"
"$CF" verify "$out/dossier-$order.pdf" --tsa-ca "$out/pki/tsachain.pem" | tail -3

say "the submission kit for Douyin: evidence cards derived from the sealed originals"
run pack $order --platform douyin -o "$out/kit-$order-douyin.zip"
run verify "$out/kit-$order-douyin.zip"
# an arbiter has no vault: the same cards re-derived from the dossier's attached originals
run verify "$out/kit-$order-douyin.zip" --dossier "$out/dossier-$order.pdf"
unzip -l "$out/kit-$order-douyin.zip" | sed -n '4,$p' | awk 'NF >= 4 && $4 != "" {printf "  %-16s %9s bytes\n", $4, $1}'

say "done"
echo "dossier: $out/dossier-$order.pdf"
echo "vault:   $out/vault"
echo "kit:     $out/kit-$order-douyin.zip (upload the card-*.jpg and statement.txt)"
echo "check it without casefile: pdfsig, pdfdetach -saveall, sha256sum -c (see README.md)"

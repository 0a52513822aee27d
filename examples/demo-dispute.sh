#!/bin/sh
# SPDX-License-Identifier: MIT
# examples/demo-dispute.sh — the dispute part of `make demo`: open a dispute
# for the demo order, then show its clock (`due`), what evidence is still
# missing (`check`) and the statement for the platform's form (`statement`).  Called by examples/demo.sh after the demo orders are
# ingested:   sh examples/demo-dispute.sh CASEFILE VAULT ORDER
# `due` exits 4 and `check` exits 3 when they find something: in a demo
# that is the point, so their codes are shown, not treated as failure.
set -u
cf=${1:?casefile binary} vault=${2:?vault} order=${3:?order id}
here=$(cd "$(dirname "$0")/.." && pwd)
export CASEFILE_TEMPLATES="${CASEFILE_TEMPLATES:-$here/templates}"

# The buyer asked for a refund an hour ago; the merchant rejected it now.
req=$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%SZ)
rej=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "\$ casefile dispute open $order --reason 未收到货 --amount 89.00 ..."
"$cf" --vault "$vault" dispute open "$order" --reason 未收到货 --amount 89.00 \
	--claim '买家称未收到货' --requested-at "$req" --rejected-at "$rej" || exit 1
echo
echo "\$ casefile due --within 72h"
"$cf" --vault "$vault" due --within 72h
echo "(exit $?: 4 means a deadline is within the window)"
echo
echo "\$ casefile check $order"
"$cf" --vault "$vault" check "$order"
echo "(exit $?: 3 means required evidence is missing)"
echo
echo "\$ casefile statement $order"
"$cf" --vault "$vault" statement "$order" || exit 1
exit 0

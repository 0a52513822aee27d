#!/bin/sh
# SPDX-License-Identifier: MIT
# issue 16: paper cuts and the stale dossier flag.  A mistyped order id
# gets "did you mean"; a run from another folder says where the vault was
# looked for and how to set CASEFILE_VAULT; show and check print messages
# on one line (⏎); a dossier built before new evidence is flagged stale by
# show and check.
. "$(dirname "$0")/../lib.sh"
export CASEFILE_NOW='2025-05-08 12:00'
cf init
O=6931000000000081
mkdir $O
cat >$O/chat.json <<J
{"order_id": "$O", "messages": [
 {"time": "2025-05-03T09:00:00+08:00", "from": "buyer", "text": "第一行\n第二行"}]}
J
printf '{"order_id": "%s", "total": "1.00", "items": [{"sku": "A", "title": "杯", "qty": 1, "price": "1.00"}]}' $O >$O/order.json
cf ingest $O $O/chat.json $O/order.json
expect_rc 0 "ingest"

for c in show "statement --reason other" "build --no-sign"; do
	cf $c 6931000000000018
	expect_rc 2 "1 $c: unknown order is a usage error"
	expect_err "no evidence for order '6931000000000018'.*; did you mean $O\?" "2 $c: did you mean the near id"
done
cf show 1111111111
check_not "3 nothing near: no suggestion" grep -q 'did you mean' "$err"

cf show $O --messages
expect_out '\| 第一行⏎第二行$' "4 show: a two-line message on one line with ⏎"
check "5 no line starts with the message's second line" sh -c "! grep -q '^第二行' '$out'"

# from another folder, without CASEFILE_VAULT
mkdir elsewhere
(cd elsewhere && env -u CASEFILE_VAULT "$CASEFILE_BIN" show $O >"$out" 2>"$err"); rc=$?
expect_rc 2 "6 no vault here"
expect_err "looked for the vault in '.*/elsewhere/casefile-vault' \(the default: ./casefile-vault in the current folder\)" "7 says where"
expect_err "set CASEFILE_VAULT=DIR" "8 and how to point at one"

# stale dossier
cf build $O --no-sign -o d.pdf
expect_rc 0 "9 dossier"
cf show $O
expect_out "^dossier [0-9a-f]{16} built .*, nothing added since$" "10 show: fresh dossier"
cp "$FIXTURES/logistics.json" l.json
cf ingest $O l.json
cf show $O
expect_out ": STALE, 1 item added since dossier [0-9a-f]{16} was built \(run 'casefile build $O' again\)$" "11 show: stale"
cf check $O --reason not_received
expect_err "order '$O': 1 item added since dossier [0-9a-f]{16} was built" "12 check: stale"
done_testing

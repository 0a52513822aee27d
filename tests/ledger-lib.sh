# SPDX-License-Identifier: MIT
# tests/ledger-lib.sh — helpers for the ledger/seal/audit CLI tests
# (t2000-t2099, t6000-t6049), sourced after tests/lib.sh.
#
#   make_key [rsa]         create the vault key and certificate (casefile keygen)
#   add_ev ORDER FILE [KIND]
#                          store FILE as an evidence row the way ingest does
#                          (object file + objects row + evidence row), without
#                          a leaf: 'casefile seal' backfills it.  Used until
#                          'casefile ingest' is on this branch.
#   leaf_of ID             the evidence row's leaf index
#   obj_path FILE          the object path of FILE's content in the vault

make_key() {
	if [ "${1:-}" = rsa ]; then
		"$CASEFILE_BIN" keygen --rsa --cn "ledger test" >/dev/null
	else
		"$CASEFILE_BIN" keygen --cn "ledger test" >/dev/null
	fi
}

obj_path() {
	_h=$(sha256sum "$1" | cut -d' ' -f1)
	echo "$CASEFILE_VAULT/objects/$(echo "$_h" | cut -c1-2)/$(echo "$_h" | cut -c3-)"
}

add_ev() {
	_h=$(sha256sum "$2" | cut -d' ' -f1)
	_s=$(stat -c %s "$2")
	_n=$(basename "$2")
	_p=$(obj_path "$2")
	mkdir -p "$(dirname "$_p")"
	[ -f "$_p" ] || { cp "$2" "$_p"; chmod 0444 "$_p"; }
	sql "INSERT OR IGNORE INTO objects VALUES(x'$_h', $_s, 0);
	     INSERT INTO evidence(order_id, kind, sha256, size, name, name_raw,
	       ingested_at, tool_version)
	     VALUES('$1', '${3:-other}', x'$_h', $_s, '$_n', CAST('$_n' AS BLOB),
	       ${INGEST_TIME:-1746238320}, 'test');"
}

leaf_of() { sql "SELECT leaf_index FROM evidence WHERE id = $1"; }

# A vault with a key and N small evidence files in order A1 (default 3).
vault_with() {
	cf init; make_key
	_i=1
	while [ $_i -le "${1:-3}" ]; do
		printf 'evidence file %d\n' $_i >"f$_i.txt"
		add_ev A1 "f$_i.txt"
		_i=$((_i + 1))
	done
}

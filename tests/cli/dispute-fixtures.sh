# SPDX-License-Identifier: MIT
# tests/cli/dispute-fixtures.sh — fixture rows for the dispute tests
# (t3xxx), sourced after lib.sh.  Until `casefile ingest` lands these insert
# vault rows with sqlite3 exactly as schema v1 defines them: an object row,
# an evidence row, and the parsed rows (messages, logistics events, order
# records, media) the checklist rules read.
#
#   fx_ev ORDER KIND NAME [NOTE] [SIZE]   evidence row; prints its id
#   fx_order ORDER SKU PHONE NICK [SHIPPED_AT] [PAY_TXN]   order record
#   fx_chat ORDER SENDER TEXT [TIME]       one chat message (own evidence row)
#   fx_logi ORDER STATUS DESC [TIME]       one logistics event (own row)
#   fx_media EVID FORMAT [CAPTURED_AT]     media facts of an evidence row
fx_n=0
fx_ev() {
	fx_n=$((fx_n + 1))
	_sha=$(printf '%s' "$1/$3/$fx_n" | sha256sum | cut -c1-64)
	_note=${4:-}
	_size=${5:-1000}
	sql "INSERT OR IGNORE INTO objects VALUES(X'$_sha', $_size, 0);
	     INSERT INTO evidence(order_id, kind, sha256, size, name, name_raw, ingested_at,
	       tool_version, note) VALUES('$1', '$2', X'$_sha', $_size, '$3', CAST('$3' AS BLOB),
	       0, 'test', nullif('$_note', ''));
	     SELECT max(id) FROM evidence;"
}
fx_order() {
	_id=$(fx_ev "$1" order order.json)
	sql "INSERT INTO order_records(evidence_id, order_id, shop, created_at, shipped_at,
	       buyer_nick, buyer_phone, total_fen, pay_txn)
	     VALUES($_id, '$1', '青瓷小铺', 1746014460, ${5:-NULL}, nullif('$4', ''),
	       nullif('$3', ''), 8900, nullif('${6:-}', ''));
	     INSERT INTO order_items(evidence_id, seq, sku, title, qty, price_fen) VALUES($_id, 0, '$2', '手工青瓷杯', 1, 8900);"
	echo "$_id"
}
fx_chat() {
	_id=$(fx_ev "$1" chat "chat-$fx_n.json")
	sql "INSERT INTO messages(evidence_id, seq, time, sender, text)
	     VALUES($_id, 0, ${4:-1746238320}, '$2', '$3');"
	echo "$_id"
}
fx_logi() {
	_id=$(fx_ev "$1" logistics "logistics-$fx_n.json")
	sql "INSERT INTO logistics VALUES($_id, 'SF', 'SF1234567890');
	     INSERT INTO logistics_events(evidence_id, seq, time, status, location, description)
	     VALUES($_id, 0, ${4:-1746165780}, nullif('$2', ''), '上海', '$3');"
	echo "$_id"
}
fx_media() {
	sql "INSERT INTO media(evidence_id, format, captured_at) VALUES($1, '$2', ${3:-NULL});"
}

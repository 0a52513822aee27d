/* SPDX-License-Identifier: MIT */
/*
 * order_facts — what the vault knows about one order, for the statement and
 * the dossier's cover (contract in order_facts.h).
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/db.h"
#include "casefile/db_stmt.h"
#include "casefile/dispute.h"
#include "casefile/order_facts.h"
#include "casefile/roles.h"
#include "casefile/xalloc.h"

static char *
col_str(struct db_stmt *st, int i)
{
	const unsigned char *s = db_col_text(st, i);

	return s ? xstrdup((const char *)s) : NULL;
}

static long long
col_time(struct db_stmt *st, int i)
{
	return db_col_type(st, i) == DB_NULL ? -1 : db_col_int64(st, i);
}

int
order_facts_load(struct cf_db *db, const char *order_id, struct order_facts *f,
		 struct cf_err *err)
{
	struct dispute *d = NULL;
	struct db_stmt *st = NULL;
	int rc, ret = -1;

	memset(f, 0, sizeof(*f));
	f->created_at = f->paid_at = f->shipped_at = f->delivered_at = -1;
	f->total_fen = f->amount_fen = f->requested_at = f->deadline = -1;
	f->buyer_quote_at = -1;
	/* the newest order record of the order */
	if (db_prepare(db, "SELECT r.shop, r.buyer_nick, r.buyer_phone, r.buyer_address, "
		       "r.currency, r.pay_method, r.pay_txn, r.created_at, r.paid_at, "
		       "r.shipped_at, r.delivered_at, r.total_fen "
		       "FROM order_records r JOIN evidence e ON e.id = r.evidence_id "
		       "WHERE e.order_id = ? AND e.excluded IS NULL ORDER BY e.id DESC LIMIT 1", &st, err) < 0)
		goto out;
	db_bind_text(st, 1, order_id, -1, DB_STATIC);
	if ((rc = db_step(st)) == DB_ROW) {
		f->shop = col_str(st, 0);
		f->buyer_nick = col_str(st, 1);
		f->buyer_phone = col_str(st, 2);
		f->buyer_address = col_str(st, 3);
		f->currency = col_str(st, 4);
		f->pay_method = col_str(st, 5);
		f->pay_txn = col_str(st, 6);
		f->created_at = col_time(st, 7);
		f->paid_at = col_time(st, 8);
		f->shipped_at = col_time(st, 9);
		f->delivered_at = col_time(st, 10);
		f->total_fen = col_time(st, 11);
	} else if (rc != DB_DONE) {
		db_err(db, err, "cannot read the order record");
		goto out;
	}
	db_finalize(st);
	st = NULL;
	if (db_prepare(db, "SELECT l.carrier, l.tracking_no FROM logistics l JOIN evidence e "
		       "ON e.id = l.evidence_id WHERE e.order_id = ? AND e.excluded IS NULL ORDER BY e.id LIMIT 1",
		       &st, err) < 0)
		goto out;
	db_bind_text(st, 1, order_id, -1, DB_STATIC);
	if (db_step(st) == DB_ROW) {
		f->carrier = col_str(st, 0);
		f->tracking_no = col_str(st, 1);
	}
	db_finalize(st);
	st = NULL;
	if (db_prepare(db, "SELECT min(le.time), max(CASE WHEN le.status IN ('delivered', 'locker') "
		       "THEN le.time END) FROM logistics_events le JOIN evidence e "
		       "ON e.id = le.evidence_id WHERE e.order_id = ? AND e.excluded IS NULL", &st,
		       err) < 0)
		goto out;
	db_bind_text(st, 1, order_id, -1, DB_STATIC);
	if (db_step(st) == DB_ROW) {
		if (f->shipped_at < 0)
			f->shipped_at = col_time(st, 0);
		if (f->delivered_at < 0)
			f->delivered_at = col_time(st, 1);
	}
	db_finalize(st);
	st = NULL;
	if (db_prepare(db, "SELECT m.text, m.time FROM messages m JOIN evidence e "
		       "ON e.id = m.evidence_id WHERE e.order_id = ?1 AND e.excluded IS NULL AND "
		       ROLES_SQL_SENDER("m", "?1") " = 'buyer' "
		       "AND m.text <> '' ORDER BY m.time IS NULL, m.time, m.time_ms, e.id, m.seq LIMIT 1",
		       &st, err) < 0)
		goto out;
	db_bind_text(st, 1, order_id, -1, DB_STATIC);
	if (db_step(st) == DB_ROW) {
		f->buyer_quote = col_str(st, 0);
		f->buyer_quote_at = col_time(st, 1);
	}
	db_finalize(st);
	st = NULL;
	/* the order's dispute as the dispute module reads it (open, else latest) */
	if (dispute_get(db, order_id, 0, &d, err) < 0) {
		if (err->code != CF_ENOTFOUND)
			goto out;
		cf_err_release(err);
	} else {
		f->has_dispute = 1;
		f->reason = xstrdup(d->reason);
		f->claim = d->claim ? xstrdup(d->claim) : NULL;
		f->status = xstrdup(d->status);
		f->outcome = d->outcome ? xstrdup(d->outcome) : NULL;
		f->amount_fen = d->amount_fen == DISPUTE_NO_AMOUNT ? -1 : d->amount_fen;
		f->requested_at = d->requested_at == DISPUTE_NO_TIME ? -1 : d->requested_at;
		f->deadline = d->deadline == DISPUTE_NO_TIME ? -1 : d->deadline;
	}
	ret = 0;
out:
	db_finalize(st);
	dispute_free(d);
	return ret;
}

void
order_facts_release(struct order_facts *f)
{
	if (f == NULL)
		return;
	free(f->shop);
	free(f->buyer_nick);
	free(f->buyer_phone);
	free(f->buyer_address);
	free(f->currency);
	free(f->pay_method);
	free(f->pay_txn);
	free(f->carrier);
	free(f->tracking_no);
	free(f->buyer_quote);
	free(f->reason);
	free(f->claim);
	free(f->status);
	free(f->outcome);
	memset(f, 0, sizeof(*f));
}

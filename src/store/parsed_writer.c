/* SPDX-License-Identifier: MIT */
/*
 * parsed_writer — the parsed rows of one evidence file into the vault's
 * tables (contract in parsed_writer.h).  The parsers know no SQL: this is
 * the one place that maps struct parsed onto messages, logistics,
 * logistics_events, order_records, order_items and media.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/db.h"
#include "casefile/db_stmt.h"
#include "casefile/parse_int.h"
#include "casefile/parsed_writer.h"
#include "casefile/xalloc.h"

static void
bind_text(struct db_stmt *st, int i, const char *s)
{
	if (s)
		db_bind_text(st, i, s, -1, DB_STATIC);
	else
		db_bind_null(st, i);
}

static void
bind_val(struct db_stmt *st, int i, struct pval v)
{
	if (v.set)
		db_bind_int64(st, i, v.v);
	else
		db_bind_null(st, i);
}

static void
bind_ll(struct db_stmt *st, int i, long long v, int known)
{
	if (known)
		db_bind_int64(st, i, v);
	else
		db_bind_null(st, i);
}

static int
step_done(struct cf_db *db, struct db_stmt *st, const char *what, struct cf_err *err)
{
	int rc = db_step(st);

	db_reset(st);
	db_clear_bindings(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot store %s", what);
	return 0;
}

enum { ST_MSG, ST_LOG, ST_EVENT, ST_ORDER, ST_ITEM, ST_MEDIA, ST_COUNT };

static const char *const store_sql[ST_COUNT] = {
	[ST_MSG] = "INSERT INTO messages(evidence_id, seq, time, sender, sender_raw, name, "
		   "text, attachments, time_ms, extra) VALUES(?,?,?,?,?,?,?,?,?,?)",
	[ST_LOG] = "INSERT INTO logistics(evidence_id, carrier, tracking_no) VALUES(?,?,?)",
	[ST_EVENT] = "INSERT INTO logistics_events(evidence_id, seq, time, status, status_raw, "
		     "location, description, time_ms, extra) VALUES(?,?,?,?,?,?,?,?,?)",
	[ST_ORDER] = "INSERT INTO order_records(evidence_id, order_id, shop, created_at, "
		     "paid_at, shipped_at, delivered_at, buyer_nick, buyer_phone, "
		     "buyer_address, total_fen, currency, pay_method, pay_txn, extra, "
		     "source_row) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_ITEM] = "INSERT INTO order_items(evidence_id, seq, sku, title, qty, price_fen, "
		    "source_row) VALUES(?,?,?,?,?,?,?)",
	[ST_MEDIA] = "INSERT INTO media(evidence_id, format, width, height, orientation, "
		     "captured_at, has_gps, duration_ms) VALUES(?,?,?,?,?,?,?,?)",
};

struct parsed_writer {
	struct cf_db *db;
	struct db_stmt *st[ST_COUNT];	/* prepared on first use */
};

struct parsed_writer *
parsed_writer_new(struct cf_db *db)
{
	struct parsed_writer *w = xcalloc(1, sizeof(*w));

	w->db = db;
	return w;
}

void
parsed_writer_free(struct parsed_writer *w)
{
	int i;

	if (w == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		db_finalize(w->st[i]);
	free(w);
}

static struct db_stmt *
writer_stmt(struct parsed_writer *w, int which, struct cf_err *err)
{
	if (w->st[which] == NULL && db_prepare(w->db, store_sql[which], &w->st[which], err) < 0)
		return NULL;
	return w->st[which];
}

int
parsed_writer_store(struct parsed_writer *w, const struct parsed *p, int64_t evidence_id,
		    struct cf_err *err)
{
	struct cf_db *db = w->db;
	struct db_stmt *st;
	size_t i;

	if (p->nmsgs) {
		if ((st = writer_stmt(w, ST_MSG, err)) == NULL)
			return -1;
		for (i = 0; i < p->nmsgs; i++) {
			const struct pmsg *m = &p->msgs[i];

			db_bind_int64(st, 1, evidence_id);
			db_bind_int64(st, 2, (int64_t)i + 1);
			bind_val(st, 3, m->time);
			bind_text(st, 4, m->sender ? m->sender : "system");
			bind_text(st, 5, m->sender_raw);
			bind_text(st, 6, m->name);
			bind_text(st, 7, m->text ? m->text : "");
			bind_text(st, 8, m->attachments);
			bind_ll(st, 9, m->time.ms, m->time.set && m->time.has_ms);
			bind_text(st, 10, m->extra);
			if (step_done(db, st, "a chat message", err) < 0)
				return -1;
		}
	}
	if (p->has_logistics) {
		if ((st = writer_stmt(w, ST_LOG, err)) == NULL)
			return -1;
		db_bind_int64(st, 1, evidence_id);
		bind_text(st, 2, p->carrier);
		bind_text(st, 3, p->tracking_no);
		if (step_done(db, st, "a logistics record", err) < 0)
			return -1;
	}
	if (p->nevents) {
		if ((st = writer_stmt(w, ST_EVENT, err)) == NULL)
			return -1;
		for (i = 0; i < p->nevents; i++) {
			const struct pevent *e = &p->events[i];

			db_bind_int64(st, 1, evidence_id);
			db_bind_int64(st, 2, (int64_t)i + 1);
			bind_val(st, 3, e->time);
			bind_text(st, 4, e->status);
			bind_text(st, 5, e->status_raw);
			bind_text(st, 6, e->location);
			bind_text(st, 7, e->desc);
			bind_ll(st, 8, e->time.ms, e->time.set && e->time.has_ms);
			bind_text(st, 9, e->extra);
			if (step_done(db, st, "a logistics event", err) < 0)
				return -1;
		}
	}
	if (p->has_order) {
		const struct porder *o = &p->order;

		if ((st = writer_stmt(w, ST_ORDER, err)) == NULL)
			return -1;
		db_bind_int64(st, 1, evidence_id);
		bind_text(st, 2, o->order_id);
		bind_text(st, 3, o->shop);
		bind_val(st, 4, o->created);
		bind_val(st, 5, o->paid);
		bind_val(st, 6, o->shipped);
		bind_val(st, 7, o->delivered);
		bind_text(st, 8, o->nick);
		bind_text(st, 9, o->phone);
		bind_text(st, 10, o->address);
		bind_val(st, 11, o->total);
		bind_text(st, 12, o->currency);
		bind_text(st, 13, o->pay_method);
		bind_text(st, 14, o->pay_txn);
		bind_text(st, 15, o->extra);
		bind_ll(st, 16, o->source_row, o->source_row > 0);
		if (step_done(db, st, "an order record", err) < 0)
			return -1;
	}
	if (p->nitems) {
		if ((st = writer_stmt(w, ST_ITEM, err)) == NULL)
			return -1;
		for (i = 0; i < p->nitems; i++) {
			const struct pitem *it = &p->items[i];

			db_bind_int64(st, 1, evidence_id);
			db_bind_int64(st, 2, (int64_t)i + 1);
			bind_text(st, 3, it->sku);
			bind_text(st, 4, it->title);
			bind_val(st, 5, it->qty);
			bind_val(st, 6, it->price);
			bind_ll(st, 7, it->source_row, it->source_row > 0);
			if (step_done(db, st, "an order item", err) < 0)
				return -1;
		}
	}
	if (p->has_media) {
		const struct media_info *m = &p->media;

		if ((st = writer_stmt(w, ST_MEDIA, err)) == NULL)
			return -1;
		db_bind_int64(st, 1, evidence_id);
		bind_text(st, 2, m->format);
		bind_ll(st, 3, m->width, m->width >= 0);
		bind_ll(st, 4, m->height, m->height >= 0);
		bind_ll(st, 5, m->orientation, m->orientation > 0);
		bind_ll(st, 6, m->captured_at, m->has_captured);
		db_bind_int(st, 7, m->has_gps ? 1 : 0);
		bind_ll(st, 8, m->duration_ms, m->duration_ms >= 0);
		if (step_done(db, st, "media facts", err) < 0)
			return -1;
	}
	return 0;
}

int
parsed_store(const struct parsed *p, struct cf_db *db, int64_t evidence_id,
	     struct cf_err *err)
{
	struct parsed_writer *w = parsed_writer_new(db);
	int r = parsed_writer_store(w, p, evidence_id, err);

	parsed_writer_free(w);
	return r;
}

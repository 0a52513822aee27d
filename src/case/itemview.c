/* SPDX-License-Identifier: MIT */
/*
 * itemview — the items of an order with their facts (itemview.h).
 *
 * One query for the evidence rows, then per item one query per parsed
 * table its kind has (and media, which any kind may have).  A parsed
 * table that cannot be read leaves its facts out rather than failing the
 * view: the custody facts of the row are what `show` must always give.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/db_stmt.h"
#include "casefile/evidence.h"
#include "casefile/item.h"
#include "casefile/itemview.h"
#include "casefile/roles.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

struct list {
	void *v;
	size_t n, cap;
};

/* A pointer to a new zeroed element of size sz at the end of l. */
static void *
list_add(struct list *l, size_t sz)
{
	char *p;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = xreallocarray(l->v, l->cap, sz);
	}
	p = (char *)l->v + l->n++ * sz;
	memset(p, 0, sz);
	return p;
}

static char *
col_dup(struct db_stmt *st, int i)
{
	const char *s = (const char *)db_col_text(st, i);

	return s ? xstrdup(s) : NULL;
}

static void
fact_str(struct list *f, const char *key, const char *val)
{
	struct itemview_fact *x;

	if (val == NULL)
		return;
	x = list_add(f, sizeof(*x));
	x->key = key;
	x->type = ITEMVIEW_STR;
	x->str = xstrdup(val);
}

static void
fact_col(struct list *f, const char *key, struct db_stmt *st, int col)
{
	fact_str(f, key, (const char *)db_col_text(st, col));
}

static void
fact_num(struct list *f, const char *key, enum itemview_fact_type type, long long v)
{
	struct itemview_fact *x = list_add(f, sizeof(*x));

	x->key = key;
	x->type = type;
	x->num = v;
}

static void
fact_int(struct list *f, const char *key, long long v)
{
	fact_num(f, key, ITEMVIEW_INT, v);
}

/* A time column: left out when NULL. */
static void
fact_time(struct list *f, const char *key, struct db_stmt *st, int col)
{
	if (db_col_type(st, col) != DB_NULL)
		fact_num(f, key, ITEMVIEW_TIME, db_col_int64(st, col));
}

/* sql with ?1 = id, stepped to its first row; NULL when none or on error. */
static struct db_stmt *
query(struct cf_db *db, const char *sql, long long id)
{
	struct db_stmt *st;

	if (db_prepare_quiet(db, sql, &st) != DB_OK)
		return NULL;
	db_bind_int64(st, 1, id);
	if (db_step(st) != DB_ROW) {
		db_finalize(st);
		return NULL;
	}
	return st;
}

static void
chat_facts(struct cf_db *db, long long id, struct list *f)
{
	struct db_stmt *st = query(db, "SELECT count(*), min(time), max(time), sum(r = 'buyer'),"
				 " sum(r = 'merchant'), sum(time IS NULL), sum(r = 'unknown') FROM"
				 " (SELECT time, " ROLES_SQL_SENDER("messages", "(SELECT order_id"
				 " FROM evidence WHERE id = ?1)") " AS r FROM messages WHERE"
				 " evidence_id = ?1)", id);

	if (st == NULL)
		return;
	fact_int(f, "messages", db_col_int64(st, 0));
	fact_int(f, "from_buyer", db_col_int64(st, 3));
	fact_int(f, "from_merchant", db_col_int64(st, 4));
	fact_time(f, "first", st, 1);
	fact_time(f, "last", st, 2);
	if (db_col_int64(st, 5))
		fact_int(f, "without_time", db_col_int64(st, 5));
	if (db_col_int64(st, 6))
		fact_int(f, "unknown_sender", db_col_int64(st, 6));
	db_finalize(st);
}

static void
logistics_facts(struct cf_db *db, long long id, struct list *f)
{
	struct db_stmt *st;

	if ((st = query(db, "SELECT carrier, tracking_no FROM logistics WHERE evidence_id = ?",
			id))) {
		fact_col(f, "carrier", st, 0);
		fact_col(f, "tracking_no", st, 1);
		db_finalize(st);
	}
	if ((st = query(db, "SELECT count(*), (SELECT status FROM logistics_events"
			    " WHERE evidence_id = ?1 ORDER BY time DESC NULLS LAST, seq DESC"
			    " LIMIT 1), max(time), sum(status = 'delivered')"
			    " FROM logistics_events WHERE evidence_id = ?1", id))) {
		fact_int(f, "events", db_col_int64(st, 0));
		fact_col(f, "last_status", st, 1);
		fact_time(f, "last_event", st, 2);
		db_finalize(st);
	}
}

static void
order_facts(struct cf_db *db, long long id, struct list *f)
{
	struct db_stmt *st = query(db, "SELECT order_id, shop, total_fen, currency, created_at,"
				 " paid_at, shipped_at, delivered_at,"
				 " (SELECT count(*) FROM order_items WHERE evidence_id = ?1)"
				 " FROM order_records WHERE evidence_id = ?1", id);
	char money[48];

	if (st == NULL)
		return;
	fact_col(f, "order_id", st, 0);
	fact_col(f, "shop", st, 1);
	if (db_col_type(st, 2) != DB_NULL) {
		long long fen = db_col_int64(st, 2);

		snprintf(money, sizeof(money), "%s%lld.%02lld", fen < 0 ? "-" : "",
			 (fen < 0 ? -fen : fen) / 100, (fen < 0 ? -fen : fen) % 100);
		fact_str(f, "total", money);
	}
	fact_col(f, "currency", st, 3);
	fact_time(f, "created", st, 4);
	fact_time(f, "paid", st, 5);
	fact_time(f, "shipped", st, 6);
	fact_time(f, "delivered", st, 7);
	fact_int(f, "items", db_col_int64(st, 8));
	db_finalize(st);
}

static void
media_facts(struct cf_db *db, long long id, struct list *f)
{
	struct db_stmt *st = query(db, "SELECT format, width, height, orientation, captured_at,"
				 " duration_ms, has_gps FROM media WHERE evidence_id = ?", id);

	if (st == NULL)
		return;
	fact_col(f, "format", st, 0);
	if (db_col_type(st, 1) != DB_NULL) {
		fact_int(f, "width", db_col_int64(st, 1));
		fact_int(f, "height", db_col_int64(st, 2));
	}
	if (db_col_type(st, 3) != DB_NULL && db_col_int(st, 3) != 1)
		fact_int(f, "orientation", db_col_int64(st, 3));
	fact_time(f, "captured", st, 4);
	if (db_col_type(st, 5) != DB_NULL)
		fact_int(f, "duration_ms", db_col_int64(st, 5));
	if (db_col_int(st, 6))
		fact_str(f, "gps", "present (not shown in dossiers)");
	db_finalize(st);
}

/* The parsed messages or events of a chat or logistics item. */
static void
read_records(struct cf_db *db, struct itemview *iv)
{
	static const char chat_sql[] =
		"SELECT seq, time, time_ms, " ROLES_SQL_SENDER("messages", "(SELECT order_id FROM"
		" evidence WHERE id = ?1)") ", name, text, attachments, extra"
		" FROM messages WHERE evidence_id = ?1 ORDER BY seq";
	static const char logi_sql[] =
		"SELECT seq, time, time_ms, status_raw, location, description, NULL, extra"
		" FROM logistics_events WHERE evidence_id = ? ORDER BY seq";
	struct list l = { 0 };
	struct db_stmt *st;
	int i;

	iv->chat = !strcmp(iv->kind, "chat");
	if (!iv->chat && strcmp(iv->kind, "logistics"))
		return;
	if (db_prepare_quiet(db, iv->chat ? chat_sql : logi_sql, &st) != DB_OK)
		return;
	db_bind_int64(st, 1, iv->id);
	while (db_step(st) == DB_ROW) {
		struct itemview_record *r = list_add(&l, sizeof(*r));

		r->seq = db_col_int64(st, 0);
		r->has_time = db_col_type(st, 1) != DB_NULL;
		r->time = db_col_int64(st, 1);
		r->ms = db_col_type(st, 2) != DB_NULL ? db_col_int(st, 2) : -1;
		for (i = 0; i < ITEMVIEW_NFIELDS; i++)
			r->f[i] = col_dup(st, 3 + i);
	}
	db_finalize(st);
	iv->has_records = 1;
	iv->records = l.v;
	iv->nrecords = l.n;
}

/* The current row of the item query (see itemview_read) into iv. */
static int
read_item(struct cf_db *db, struct db_stmt *st, struct db_stmt *w, unsigned flags, struct itemview *iv)
{
	struct list f = { 0 }, ws = { 0 };
	int r;

	iv->id = db_col_int64(st, 0);
	iv->kind = col_dup(st, 1);
	if (iv->kind == NULL)
		iv->kind = xstrdup("");
	iv->name = col_dup(st, 2);
	iv->size = db_col_int64(st, 3);
	if (db_col_bytes(st, 4) == CF_SHA256_LEN)
		cf_hex_encode(db_col_blob(st, 4), CF_SHA256_LEN, iv->sha256);
	else
		strcpy(iv->sha256, "?");
	iv->ingested_at = db_col_int64(st, 5);
	iv->source_path = col_dup(st, 6);
	iv->note = col_dup(st, 7);
	iv->user = col_dup(st, 9);
	iv->host = col_dup(st, 10);
	iv->tool_version = col_dup(st, 11);
	iv->bundle = col_dup(st, 12);
	iv->order_id = col_dup(st, 13);
	if (!strcmp(iv->kind, "chat"))
		chat_facts(db, iv->id, &f);
	if (!strcmp(iv->kind, "logistics"))
		logistics_facts(db, iv->id, &f);
	if (!strcmp(iv->kind, "order"))
		order_facts(db, iv->id, &f);
	media_facts(db, iv->id, &f);
	fact_col(&f, "roles", st, 16);
	fact_col(&f, "supplied_by", st, 14);
	fact_col(&f, "excluded", st, 15);
	iv->facts = f.v;
	iv->nfacts = f.n;
	if (flags & ITEMVIEW_RECORDS)
		read_records(db, iv);
	db_bind_int64(w, 1, iv->id);
	while ((r = db_step(w)) == DB_ROW) {
		char **m = list_add(&ws, sizeof(char *));
		const char *t = (const char *)db_col_text(w, 0);

		*m = xstrdup(t ? t : "");
	}
	db_reset(w);
	iv->warnings = ws.v;
	iv->nwarnings = ws.n;
	return r == DB_DONE ? 0 : -1;
}

int
itemview_resolve(struct vault *v, const char *arg, int64_t *item, struct cf_err *err)
{
	*item = 0;
	if (evidence_order_exists(v, arg))
		return 0;
	return item_resolve(vault_db(v), arg, item, err);
}

int
itemview_read(struct vault *v, const char *order, int64_t item, unsigned flags,
	      struct itemview **out, size_t *n, struct cf_err *err)
{
	static const char sql[] =
		"SELECT id, kind, name, size, sha256, ingested_at, source_path, note, mtime,"
		" user, host, tool_version, bundle, order_id, supplied_by, excluded,"
		" (SELECT group_concat(role, ' ') FROM (SELECT role FROM evidence_roles r"
		" WHERE r.evidence_id = evidence.id ORDER BY role))"
		" FROM evidence WHERE (?2 IS NULL AND order_id = ?1) OR id = ?2 ORDER BY id";
	struct cf_db *db = vault_db(v);
	struct db_stmt *st = NULL, *w = NULL;
	struct list l = { 0 };
	int r, ret = -1;

	*out = NULL;
	*n = 0;
	if (db_prepare(db, sql, &st, err) < 0 ||
	    db_prepare(db, "SELECT message FROM warnings WHERE evidence_id = ? ORDER BY seq", &w,
		       err) < 0)
		goto out;
	db_bind_text(st, 1, order, -1, DB_STATIC);
	if (item > 0)
		db_bind_int64(st, 2, item);
	while ((r = db_step(st)) == DB_ROW)
		if (read_item(db, st, w, flags, list_add(&l, sizeof(struct itemview))) < 0)
			break;
	if (r != DB_ROW && r != DB_DONE) {
		db_err(db, err, "cannot read order '%s'", order);
		goto out;
	}
	if (r == DB_ROW) {
		db_err(db, err, "cannot read the warnings of order '%s'", order);
		goto out;
	}
	*out = l.v;
	*n = l.n;
	l.v = NULL;
	l.n = 0;
	ret = 0;
out:
	itemview_free(l.v, l.n);
	db_finalize(st);
	db_finalize(w);
	return ret;
}

void
itemview_free(struct itemview *iv, size_t n)
{
	size_t i, j;
	int k;

	if (iv == NULL)
		return;
	for (i = 0; i < n; i++) {
		struct itemview *x = &iv[i];

		free(x->order_id);
		free(x->kind);
		free(x->name);
		free(x->source_path);
		free(x->note);
		free(x->user);
		free(x->host);
		free(x->tool_version);
		free(x->bundle);
		for (j = 0; j < x->nfacts; j++)
			free(x->facts[j].str);
		free(x->facts);
		for (j = 0; j < x->nwarnings; j++)
			free(x->warnings[j]);
		free(x->warnings);
		for (j = 0; j < x->nrecords; j++)
			for (k = 0; k < ITEMVIEW_NFIELDS; k++)
				free(x->records[j].f[k]);
		free(x->records);
	}
	free(iv);
}

int
itemview_history(struct vault *v, int64_t id, tag_event_fn fn, void *cookie,
		 struct cf_err *err)
{
	return tag_history(vault_db(v), id, fn, cookie, err);
}

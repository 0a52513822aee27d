/* SPDX-License-Identifier: MIT */
/*
 * evidence — the evidence rows as the commands read them (evidence.h).
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/db_stmt.h"
#include "casefile/evidence.h"
#include "casefile/roles.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

int
evidence_order_exists(struct vault *v, const char *order)
{
	struct db_stmt *st;
	int yes;

	if (db_prepare_quiet(vault_db(v), "SELECT 1 FROM evidence WHERE order_id = ? LIMIT 1", &st) != DB_OK)
		return 0;
	db_bind_text(st, 1, order, -1, DB_STATIC);
	yes = db_step(st) == DB_ROW;
	db_finalize(st);
	return yes;
}

int
evidence_orders(struct vault *v, struct evidence_order **out, size_t *n, struct cf_err *err)
{
	/* the kind columns in enum cf_kind order */
	static const char sql[] =
		"SELECT order_id, count(*), sum(size), max(ingested_at),"
		" sum(kind = 'chat'), sum(kind = 'logistics'), sum(kind = 'order'),"
		" sum(kind = 'photo'), sum(kind = 'video'), sum(kind = 'receipt'),"
		" sum(kind = 'other'),"
		" (SELECT count(*) FROM warnings w JOIN evidence e2 ON e2.id = w.evidence_id"
		"   WHERE e2.order_id = e.order_id)"
		" FROM evidence e GROUP BY order_id ORDER BY order_id";
	struct cf_db *db = vault_db(v);
	struct db_stmt *st = NULL;
	struct evidence_order *o = NULL;
	size_t len = 0, cap = 0;
	int r, k;

	*out = NULL;
	*n = 0;
	if (db_prepare(db, sql, &st, err) < 0)
		return -1;
	while ((r = db_step(st)) == DB_ROW) {
		struct evidence_order *e;
		const char *id = (const char *)db_col_text(st, 0);

		if (len == cap) {
			cap = cap ? 2 * cap : 16;
			o = xreallocarray(o, cap, sizeof(*o));
		}
		e = &o[len++];
		e->order_id = xstrdup(id ? id : "");
		e->items = db_col_int64(st, 1);
		e->bytes = db_col_int64(st, 2);
		e->last_ingested_at = db_col_int64(st, 3);
		for (k = 0; k < EVIDENCE_NKINDS; k++)
			e->kinds[k] = db_col_int64(st, 4 + k);
		e->warnings = db_col_int64(st, 11);
	}
	db_finalize(st);
	if (r != DB_DONE) {
		evidence_orders_free(o, len);
		return db_err(db, err, "cannot list orders");
	}
	*out = o;
	*n = len;
	return 0;
}

void
evidence_orders_free(struct evidence_order *o, size_t n)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < n; i++)
		free(o[i].order_id);
	free(o);
}

int
evidence_ids(struct vault *v, const char *order, int64_t **ids, size_t *n, struct cf_err *err)
{
	struct cf_db *db = vault_db(v);
	struct db_stmt *st = NULL;
	int64_t *a = NULL;
	size_t len = 0, cap = 0;
	int r;

	*ids = NULL;
	*n = 0;
	if (db_prepare(db, "SELECT id FROM evidence WHERE ?1 IS NULL OR order_id = ?1 ORDER BY id",
		       &st, err) < 0)
		return -1;
	if (order)
		db_bind_text(st, 1, order, -1, DB_STATIC);
	while ((r = db_step(st)) == DB_ROW) {
		if (len == cap) {
			cap = cap ? 2 * cap : 64;
			a = xreallocarray(a, cap, sizeof(*a));
		}
		a[len++] = db_col_int64(st, 0);
	}
	db_finalize(st);
	if (r != DB_DONE) {
		free(a);
		return db_err(db, err, "cannot read the evidence rows");
	}
	*ids = a;
	*n = len;
	return 0;
}

/* The one integer of a query with an optional text parameter. */
static int
count_rows(struct vault *v, const char *sql, const char *param, long long *n, const char *what,
	   struct cf_err *err)
{
	struct cf_db *db = vault_db(v);
	struct db_stmt *st;
	int rc;

	*n = 0;
	if (db_prepare(db, sql, &st, err) < 0)
		return -1;
	if (param)
		db_bind_text(st, 1, param, -1, DB_STATIC);
	rc = db_step(st);
	if (rc == DB_ROW)
		*n = db_col_int64(st, 0);
	else
		db_err(db, err, "%s", what);
	db_finalize(st);
	return rc == DB_ROW ? 0 : -1;
}

int
evidence_count_leafless(struct vault *v, uint64_t *n, struct cf_err *err)
{
	long long c;
	int rc = count_rows(v, "SELECT count(*) FROM evidence WHERE leaf_index IS NULL", NULL,
			    &c, "cannot count evidence rows", err);

	*n = (uint64_t)c;
	return rc;
}

int
evidence_count_unsealed(struct vault *v, const char *order, long long *n, struct cf_err *err)
{
	return count_rows(v, "SELECT count(*) FROM evidence WHERE order_id = ? AND "
			  "(leaf_index IS NULL OR leaf_index >= "
			  "coalesce((SELECT max(tree_size) FROM heads), 0))", order, n,
			  "cannot count the unsealed evidence", err);
}

/* The prepared query of evidence_unknown_senders(), kept for a run. */
struct evidence_senders {
	struct db_stmt *st;
};

int
evidence_unknown_senders(struct vault *v, struct evidence_senders **keep, int64_t id,
			 evidence_sender_fn fn, void *cookie, struct cf_err *err)
{
	struct cf_db *db = vault_db(v);
	struct db_stmt *st = keep && *keep ? (*keep)->st : NULL;
	int r;

	if (st == NULL &&
	    db_prepare(db, "SELECT m.name, count(*) FROM messages m WHERE m.evidence_id = ?1 AND "
		       ROLES_SQL_SENDER("m", "(SELECT order_id FROM evidence WHERE id = ?1)")
		       " = 'unknown' GROUP BY m.name ORDER BY min(m.seq)", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	while ((r = db_step(st)) == DB_ROW) {
		const char *name = (const char *)db_col_text(st, 0);

		fn(cookie, name ? name : "", db_col_int64(st, 1));
	}
	if (keep) {
		db_reset(st);
		if (*keep == NULL) {
			*keep = xcalloc(1, sizeof(**keep));
			(*keep)->st = st;
		}
	} else {
		db_finalize(st);
	}
	return r == DB_DONE ? 0 : db_err(db, err, "cannot read the senders of item %lld",
					     (long long)id);
}

void
evidence_senders_free(struct evidence_senders *keep)
{
	if (keep == NULL)
		return;
	db_finalize(keep->st);
	free(keep);
}

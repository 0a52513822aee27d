/* SPDX-License-Identifier: MIT */
/*
 * exhibits — load and number an order's exhibits (contract in exhibits.h):
 * one query (kind, name, row), the re-exports marked from their records
 * (records.h), then the numbering the argument reads in (argument.h).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/argument.h"
#include "casefile/db.h"
#include "casefile/exhibits.h"
#include "casefile/records_stmt.h"
#include "casefile/xalloc.h"

/* ------------------------------------------------------------- re-exports */

static int
is_record_kind(const char *kind)
{
	return strcmp(kind, "chat") == 0 || strcmp(kind, "logistics") == 0;
}

/* Count the records of one chat or logistics exhibit into m. */
static int
load_records(struct cf_db *db, const struct exhibit *x, struct records *m,
	     struct cf_err *err)
{
	struct db_stmt *st = NULL;
	unsigned char h[16];
	int rc;

	if (db_prepare(db, strcmp(x->kind, "chat") == 0
			       ? "SELECT " RECORDS_CHAT " FROM messages WHERE evidence_id = ?"
			       : "SELECT " RECORDS_LOGI " FROM logistics_events WHERE evidence_id = ?",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, x->evidence_id);
	while ((rc = db_step(st)) == DB_ROW) {
		records_key(st, records_cols, RECORDS_NCOLS, h);
		records_get(m, h)->count++;
		m->total++;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot read the records of exhibit %d", x->no);
	return 0;
}


/* Whether exhibit j's records supersede exhibit i's (dossier.h). */
static int
supersedes(const struct exhibit *xj, const struct records *mj,
	   const struct exhibit *xi, const struct records *mi)
{
	if (xi == xj || strcmp(xi->kind, xj->kind) != 0 || mi->total == 0)
		return 0;
	if (mj->total < mi->total || (mj->total == mi->total && xj->evidence_id < xi->evidence_id))
		return 0;
	return records_within(mi, mj);
}

/*
 * Mark superseded exhibits (dossier.h).  The relation is a strict order,
 * so each superseded exhibit is held by some exhibit that nothing
 * supersedes: that one, the largest (then latest) of them, is named.
 */
static int
mark_superseded(struct cf_db *db, struct exhibits *ex, struct cf_err *err)
{
	struct records *m = xcalloc(ex->n, sizeof(*m));
	char *top = xcalloc(ex->n ? ex->n : 1, 1);
	size_t i, j;
	int ret = -1;

	/* a file alone of its kind supersedes nothing: its records stay unread */
	for (i = 0; i < ex->n; i++) {
		size_t same = 0;

		if (!is_record_kind(ex->v[i].kind))
			continue;
		for (j = 0; j < ex->n && same < 2; j++)
			same += strcmp(ex->v[j].kind, ex->v[i].kind) == 0;
		if (same > 1 && load_records(db, &ex->v[i], &m[i], err) < 0)
			goto out;
	}
	for (i = 0; i < ex->n; i++) {
		top[i] = 1;
		for (j = 0; j < ex->n && top[i]; j++)
			if (is_record_kind(ex->v[i].kind) &&
			    supersedes(&ex->v[j], &m[j], &ex->v[i], &m[i]))
				top[i] = 0;
	}
	for (i = 0; i < ex->n; i++) {
		size_t best = ex->n;

		if (top[i])
			continue;
		for (j = 0; j < ex->n; j++)
			if (top[j] && supersedes(&ex->v[j], &m[j], &ex->v[i], &m[i]) &&
			    (best == ex->n || m[j].total > m[best].total ||
			     (m[j].total == m[best].total &&
			      ex->v[j].evidence_id > ex->v[best].evidence_id)))
				best = j;
		if (best == ex->n)
			CF_BUG("superseded exhibit without a top one");
		ex->v[i].superseded_by = ex->v[best].no;
	}
	ret = 0;
out:
	for (i = 0; i < ex->n; i++)
		records_release(&m[i]);
	free(m);
	free(top);
	return ret;
}

/* -------------------------------------------------------------- numbering */

int
exhibits_argument(struct cf_db *db, const char *order_id, const char *scenario,
		  const struct exhibits *ex, struct argument *out, struct cf_err *err)
{
	struct argument_input *in = xcalloc(ex->n ? ex->n : 1, sizeof(*in));
	size_t i;
	int r;

	for (i = 0; i < ex->n; i++) {
		in[i].no = ex->v[i].no;
		in[i].evidence_id = ex->v[i].evidence_id;
		in[i].kind = ex->v[i].kind;
		in[i].name = ex->v[i].name;
		in[i].captured_at = ex->v[i].captured_at;
		in[i].superseded_by = ex->v[i].superseded_by;
	}
	r = argument_load(db, order_id, scenario, in, ex->n, out, err);
	free(in);
	return r;
}

/* The scenario the order's dispute argues (open, else latest), or "other". */
static char *
order_scenario(struct cf_db *db, const char *order_id)
{
	struct db_stmt *st = NULL;
	char *r = NULL;

	if (db_has_table(db, "disputes") &&
	    db_prepare_quiet(db, "SELECT reason FROM disputes WHERE order_id = ? "
			       "ORDER BY closed_at IS NULL DESC, id DESC LIMIT 1", &st) == DB_OK) {
		db_bind_text(st, 1, order_id, -1, DB_STATIC);
		if (db_step(st) == DB_ROW && db_col_text(st, 0))
			r = xstrdup((const char *)db_col_text(st, 0));
	}
	db_finalize(st);
	return r ? r : xstrdup("other");
}

static int
kind_rank(const char *kind)
{
	static const char *const order[] = { "order", "chat", "logistics", "photo", "video",
					      "receipt" };
	int i;

	for (i = 0; i < 6; i++)
		if (strcmp(kind, order[i]) == 0)
			return i;
	return 6;
}

struct place {
	int rank;		/* place in the argument's decisive list, else INT_MAX */
	const struct exhibit *x;
};

/* Decisive first (argument order), then by kind, time (unknown last), name, row. */
static int
cmp_place(const void *pa, const void *pb)
{
	const struct place *a = pa, *b = pb;
	const struct exhibit *x = a->x, *y = b->x;
	int c;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if ((c = kind_rank(x->kind) - kind_rank(y->kind)) != 0)
		return c;
	if ((x->captured_at < 0) != (y->captured_at < 0))
		return x->captured_at < 0 ? 1 : -1;
	if (x->captured_at != y->captured_at)
		return x->captured_at < y->captured_at ? -1 : 1;
	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return x->evidence_id < y->evidence_id ? -1 : x->evidence_id > y->evidence_id;
}

/*
 * Renumber ex in the order of the argument (exhibits.h): the exhibits the
 * order's scenario rests on first, as argument.h cites them, then the rest.
 */
static int
number_by_argument(struct cf_db *db, const char *order_id, struct exhibits *ex,
		   struct cf_err *err)
{
	struct argument a;
	char *scenario = order_scenario(db, order_id);
	struct place *pl = xcalloc(ex->n, sizeof(*pl));
	struct exhibit *v = xcalloc(ex->n, sizeof(*v));
	int *newno = xcalloc(ex->n + 1, sizeof(*newno));
	size_t i, k;
	int ret = -1;

	if (exhibits_argument(db, order_id, scenario, ex, &a, err) < 0)
		goto out;
	for (i = 0; i < ex->n; i++) {
		pl[i].rank = INT_MAX;
		pl[i].x = &ex->v[i];
		for (k = 0; k < a.n; k++)
			if (a.v[k].no == ex->v[i].no && a.v[k].decisive)
				pl[i].rank = (int)k;
	}
	argument_release(&a);
	qsort(pl, ex->n, sizeof(*pl), cmp_place);
	for (i = 0; i < ex->n; i++) {
		v[i] = *pl[i].x;
		newno[v[i].no] = (int)i + 1;
	}
	for (i = 0; i < ex->n; i++) {
		v[i].no = (int)i + 1;
		if (v[i].superseded_by)
			v[i].superseded_by = newno[v[i].superseded_by];
	}
	free(ex->v);
	ex->v = v;
	v = NULL;
	ret = 0;
out:
	free(v);
	free(pl);
	free(newno);
	free(scenario);
	return ret;
}

int
exhibits_load(struct cf_db *db, const char *order_id,
	      struct exhibits *out, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int rc, ret = -1;

	out->v = NULL;
	out->n = 0;
	if (db_prepare(db,
		       "SELECT e.id, e.kind, e.name, e.note, e.sha256, e.size, e.ingested_at, "
		       "m.format, m.orientation, m.captured_at, m.duration_ms, "
		       "(SELECT min(time) FROM messages WHERE evidence_id = e.id) "
		       "FROM evidence e LEFT JOIN media m ON m.evidence_id = e.id "
		       "WHERE e.order_id = ? AND e.excluded IS NULL "
		       "AND NOT EXISTS (SELECT 1 FROM derivations d WHERE d.evidence_id = e.id) "
		       "ORDER BY CASE e.kind WHEN 'order' THEN 0 "
		       "WHEN 'chat' THEN 1 WHEN 'logistics' THEN 2 WHEN 'photo' THEN 3 "
		       "WHEN 'video' THEN 4 WHEN 'receipt' THEN 5 ELSE 6 END, "
		       "CAST(e.name AS BLOB), e.id", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, order_id, -1, DB_STATIC);
	while ((rc = db_step(st)) == DB_ROW) {
		struct exhibit *x;
		const unsigned char *s;

		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		x = &out->v[out->n];
		memset(x, 0, sizeof(*x));
		x->no = (int)++out->n;
		x->evidence_id = db_col_int64(st, 0);
		x->kind = xstrdup((const char *)db_col_text(st, 1));
		x->name = xstrdup((const char *)db_col_text(st, 2));
		s = db_col_text(st, 3);
		x->note = s && *s ? xstrdup((const char *)s) : NULL;
		if (db_col_bytes(st, 4) == CF_SHA256_LEN)
			memcpy(x->sha256, db_col_blob(st, 4), CF_SHA256_LEN);
		x->size = (uint64_t)db_col_int64(st, 5);
		x->ingested_at = db_col_int64(st, 6);
		s = db_col_text(st, 7);
		x->format = s ? xstrdup((const char *)s) : NULL;
		x->orientation = db_col_int(st, 8);
		x->captured_at = db_col_type(st, 9) != DB_NULL ? db_col_int64(st, 9)
			       : db_col_type(st, 11) != DB_NULL ? db_col_int64(st, 11)
			       : -1;
		x->duration_ms = db_col_type(st, 10) != DB_NULL ?
				 db_col_int64(st, 10) : -1;
	}
	if (rc != DB_DONE) {
		db_err(db, err, "cannot read the evidence of order '%s'", order_id);
		goto out;
	}
	if (out->n == 0) {
		cf_err_set(err, CF_ENOTFOUND, "no evidence for order '%s'", order_id);
		goto out;
	}
	if (mark_superseded(db, out, err) < 0 || number_by_argument(db, order_id, out, err) < 0)
		goto out;
	ret = 0;
out:
	db_finalize(st);
	if (ret < 0)
		exhibits_release(out);
	return ret;
}

void
exhibits_release(struct exhibits *ex)
{
	size_t i;

	if (ex == NULL)
		return;
	for (i = 0; i < ex->n; i++) {
		free(ex->v[i].kind);
		free(ex->v[i].name);
		free(ex->v[i].note);
		free(ex->v[i].format);
		free(ex->v[i].attachment);
	}
	free(ex->v);
	ex->v = NULL;
	ex->n = 0;
}

int
exhibits_no(const struct exhibits *ex, int64_t evidence_id)
{
	size_t i;

	for (i = 0; i < ex->n; i++)
		if (ex->v[i].evidence_id == evidence_id)
			return ex->v[i].no;
	return 0;
}

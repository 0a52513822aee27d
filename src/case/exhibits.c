/* SPDX-License-Identifier: MIT */
/*
 * exhibits — load and number an order's exhibits (contract in exhibits.h):
 * one query whose ORDER BY is the numbering, then the re-exports marked
 * from their records (records.h).
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/db.h"
#include "casefile/exhibits.h"
#include "casefile/records_sqlite.h"
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
	sqlite3_stmt *st = NULL;
	unsigned char h[16];
	int rc;

	if (db_prepare(db, strcmp(x->kind, "chat") == 0
			       ? "SELECT " RECORDS_CHAT " FROM messages WHERE evidence_id = ?"
			       : "SELECT " RECORDS_LOGI " FROM logistics_events WHERE evidence_id = ?",
		       &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, x->evidence_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		records_key(st, records_cols, RECORDS_NCOLS, h);
		records_get(m, h)->count++;
		m->total++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
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

/* ------------------------------------------------------------- exhibits */

/* -------------------------------------------------------------- numbering */

int
exhibits_load(struct cf_db *db, const char *order_id,
	      struct exhibits *out, struct cf_err *err)
{
	sqlite3_stmt *st = NULL;
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
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct exhibit *x;
		const unsigned char *s;

		out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
		x = &out->v[out->n];
		memset(x, 0, sizeof(*x));
		x->no = (int)++out->n;
		x->evidence_id = sqlite3_column_int64(st, 0);
		x->kind = xstrdup((const char *)sqlite3_column_text(st, 1));
		x->name = xstrdup((const char *)sqlite3_column_text(st, 2));
		s = sqlite3_column_text(st, 3);
		x->note = s && *s ? xstrdup((const char *)s) : NULL;
		if (sqlite3_column_bytes(st, 4) == CF_SHA256_LEN)
			memcpy(x->sha256, sqlite3_column_blob(st, 4), CF_SHA256_LEN);
		x->size = (uint64_t)sqlite3_column_int64(st, 5);
		x->ingested_at = sqlite3_column_int64(st, 6);
		s = sqlite3_column_text(st, 7);
		x->format = s ? xstrdup((const char *)s) : NULL;
		x->orientation = sqlite3_column_int(st, 8);
		x->captured_at = sqlite3_column_type(st, 9) != SQLITE_NULL ? sqlite3_column_int64(st, 9)
			       : sqlite3_column_type(st, 11) != SQLITE_NULL ? sqlite3_column_int64(st, 11)
			       : -1;
		x->duration_ms = sqlite3_column_type(st, 10) != SQLITE_NULL ?
				 sqlite3_column_int64(st, 10) : -1;
	}
	if (rc != SQLITE_DONE) {
		db_err(db, err, "cannot read the evidence of order '%s'", order_id);
		goto out;
	}
	if (out->n == 0) {
		cf_err_set(err, CF_ENOTFOUND, "no evidence for order '%s'", order_id);
		goto out;
	}
	if (mark_superseded(db, out, err) < 0)
		goto out;
	ret = 0;
out:
	sqlite3_finalize(st);
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

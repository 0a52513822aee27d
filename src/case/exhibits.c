/* SPDX-License-Identifier: MIT */
/*
 * exhibits — load and number an order's exhibits (contract in exhibits.h):
 * one query whose ORDER BY is the numbering.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/db.h"
#include "casefile/exhibits.h"
#include "casefile/xalloc.h"

int
exhibits_load(sqlite3 *db, const char *order_id,
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
		       "WHERE e.order_id = ? "
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

/* SPDX-License-Identifier: MIT */
/*
 * stale — dossier builds and evidence that came after them (stale.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/db.h"
#include "casefile/db_stmt.h"
#include "casefile/stale.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

#define STALE_LOG "builds.log"
#define STALE_LOG_MAX (64u << 20)

static long long
max_evidence_id(struct cf_db *db, const char *order_id, long long after, long long *count,
		struct cf_err *err)
{
	struct db_stmt *st = NULL;
	long long v = -1;

	if (db_prepare(db, "SELECT coalesce(max(id), 0), count(*) FROM evidence "
		       "WHERE order_id = ? AND id > ?", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, order_id, -1, DB_STATIC);
	db_bind_int64(st, 2, after);
	if (db_step(st) == DB_ROW) {
		v = db_col_int64(st, 0);
		if (count)
			*count = db_col_int64(st, 1);
	} else {
		db_err(db, err, "cannot read the evidence of order '%s'", order_id);
	}
	db_finalize(st);
	return v;
}

int
stale_record(struct vault *v, const char *order_id, const char *dossier_id,
	     long long built_at, struct cf_err *err)
{
	char *path = vault_path_new(v, STALE_LOG), *line = NULL;
	long long max;
	int fd = -1, ret = -1;
	ssize_t w;

	if ((max = max_evidence_id(vault_db(v), order_id, 0, NULL, err)) < 0)
		goto out;
	line = xasprintf("%s\t%s\t%lld\t%lld\n", order_id, dossier_id, built_at, max);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0) {
		cf_err_errno(err, CF_EIO, "cannot record the dossier in '%s'", path);
		goto out;
	}
	w = write(fd, line, strlen(line));
	if (w < 0 || (size_t)w != strlen(line)) {
		cf_err_errno(err, CF_EIO, "cannot record the dossier in '%s'", path);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(line);
	free(path);
	return ret;
}

int
stale_check(struct vault *v, const char *order_id, struct stale *out, struct cf_err *err)
{
	struct cf_buf b = CF_BUF_INIT;
	char *path = vault_path_new(v, STALE_LOG), *p, *end;
	size_t olen = strlen(order_id);
	long long max = -1;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (cf_buf_read_file(&b, path, "dossier log", STALE_LOG_MAX, CF_EIO, err) < 0) {
		if (err->sys_errno == ENOENT) {
			cf_err_release(err);
			ret = 0;
		}
		goto out;
	}
	for (p = b.data, end = b.data + b.len; p && p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *f2, *f3, *f4, *e;
		long long at, mx;

		if (nl == NULL)
			break;	/* a torn last line */
		*nl = '\0';
		if (strncmp(p, order_id, olen) == 0 && p[olen] == '\t' &&
		    (f2 = p + olen + 1) != NULL && (f3 = strchr(f2, '\t')) != NULL &&
		    (size_t)(f3 - f2) < sizeof(out->dossier_id) &&
		    (f4 = strchr(f3 + 1, '\t')) != NULL) {
			at = strtoll(f3 + 1, &e, 10);
			if (e == f4 && (mx = strtoll(f4 + 1, &e, 10)) >= 0 && *e == '\0') {
				memset(out->dossier_id, 0, sizeof(out->dossier_id));
				memcpy(out->dossier_id, f2, (size_t)(f3 - f2));
				out->built = 1;
				out->built_at = at;
				max = mx;
			}
		}
		p = nl + 1;
	}
	if (out->built && max_evidence_id(vault_db(v), order_id, max, &out->added, err) < 0)
		goto out;
	ret = 0;
out:
	cf_buf_release(&b);
	free(path);
	return ret;
}

long long
stale_built_at(struct vault *v, const char *order_id)
{
	struct stale s;
	struct cf_err err = CF_ERR_INIT;

	if (stale_check(v, order_id, &s, &err) < 0) {
		cf_err_release(&err);
		return -1;
	}
	return s.built ? s.built_at : -1;
}

/* Levenshtein distance of a and b, giving up above max (returns max + 1). */
static size_t
edit_distance(const char *a, const char *b, size_t max)
{
	size_t la = strlen(a), lb = strlen(b), i, j, *prev, *cur, d;

	if (la > lb + max || lb > la + max || la > 64 || lb > 64)
		return max + 1;
	prev = xcalloc(lb + 1, sizeof(*prev));
	cur = xcalloc(lb + 1, sizeof(*cur));
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		size_t *t;

		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	d = prev[lb];
	free(prev);
	free(cur);
	return d;
}

char *
stale_suggest_orders(struct vault *v, const char *order_id)
{
	struct cf_err err = CF_ERR_INIT;
	struct db_stmt *st = NULL;
	struct { char *id; size_t d; } best[3];
	size_t nbest = 0, max = strlen(order_id) / 4, i, k;
	struct cf_buf b = CF_BUF_INIT;

	if (max < 2)
		max = 2;
	if (db_prepare(vault_db(v), "SELECT DISTINCT order_id FROM evidence", &st, &err) < 0) {
		cf_err_release(&err);
		return NULL;
	}
	while (db_step(st) == DB_ROW) {
		const char *id = (const char *)db_col_text(st, 0);
		size_t d;

		if (id == NULL || (d = edit_distance(order_id, id, max)) > max || d == 0)
			continue;
		for (i = 0; i < nbest && best[i].d <= d; i++)
			;
		if (i == 3)
			continue;
		if (nbest == 3)
			free(best[--nbest].id);
		for (k = nbest; k > i; k--)
			best[k] = best[k - 1];
		best[i].id = xstrdup(id);
		best[i].d = d;
		nbest++;
	}
	db_finalize(st);
	if (nbest == 0)
		return NULL;
	for (i = 0; i < nbest; i++) {
		cf_buf_addf(&b, "%s%s", i ? ", " : "", best[i].id);
		free(best[i].id);
	}
	return cf_buf_detach(&b, NULL);
}

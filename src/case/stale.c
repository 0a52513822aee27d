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
#include "casefile/stale.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

#define STALE_LOG "builds.log"
#define STALE_LOG_MAX (64u << 20)

static long long
max_evidence_id(sqlite3 *db, const char *order_id, long long after, long long *count,
		struct cf_err *err)
{
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (db_prepare(db, "SELECT coalesce(max(id), 0), count(*) FROM evidence "
		       "WHERE order_id = ? AND id > ?", &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after);
	if (sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
		if (count)
			*count = sqlite3_column_int64(st, 1);
	} else {
		db_err(db, err, "cannot read the evidence of order '%s'", order_id);
	}
	sqlite3_finalize(st);
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

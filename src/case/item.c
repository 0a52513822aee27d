/* SPDX-License-Identifier: MIT */
/*
 * item — what an ITEM on the command line names (item.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/db.h"
#include "casefile/db_stmt.h"
#include "casefile/exhibits.h"
#include "casefile/hash.h"
#include "casefile/item.h"
#include "casefile/xalloc.h"

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

static int
all_hex(const char *s)
{
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s))
			return 0;
	return 1;
}

static int
resolve_exhibit(struct cf_db *db, const char *spec, const char *colon, int64_t *id,
		struct cf_err *err)
{
	struct exhibits ex = { 0 };
	char *order = xmemdup(spec, (size_t)(colon - spec) + 1);
	const char *num = colon + 1;
	long no;
	size_t i;
	int ret = -1;

	order[colon - spec] = '\0';
	if (*num == 'E' || *num == 'e')
		num++;
	if (!all_digits(num, strlen(num)) || strlen(num) > 6 || (no = atol(num)) < 1) {
		cf_err_set(err, CF_EINPUT, "bad item '%s': after ORDER: give an exhibit number "
			   "like E3", spec);
		goto out;
	}
	if (exhibits_load(db, order, &ex, err) < 0)
		goto out;
	for (i = 0; i < ex.n; i++)
		if (ex.v[i].no == no) {
			*id = ex.v[i].evidence_id;
			ret = 0;
			goto out;
		}
	cf_err_set(err, CF_ENOTFOUND, "order %s has no exhibit %ld (it has %zu)", order, no,
		   ex.n);
out:
	exhibits_release(&ex);
	free(order);
	return ret;
}

int
item_resolve(struct cf_db *db, const char *spec, int64_t *id, struct cf_err *err)
{
	const char *s = spec, *colon = strchr(spec, ':');
	struct db_stmt *st = NULL;
	size_t n;
	int rc, ret = -1, count = 0;
	int64_t found = 0;

	if (colon)
		return resolve_exhibit(db, spec, colon, id, err);
	if (*s == '#')
		s++;
	n = strlen(s);
	if (all_digits(s, n) && n <= 9) {
		if (db_prepare(db, "SELECT id FROM evidence WHERE id = ?", &st, err) < 0)
			return -1;
		db_bind_int64(st, 1, atoll(s));
		rc = db_step(st);
		if (rc == DB_ROW) {
			*id = db_col_int64(st, 0);
			ret = 0;
		} else if (rc == DB_DONE) {
			cf_err_set(err, CF_ENOTFOUND, "no evidence #%s in the vault", s);
		} else {
			db_err(db, err, "cannot look up evidence #%s", s);
		}
		db_finalize(st);
		/* "118223": no such evidence number, maybe a sha256 prefix of digits */
		if (rc != DB_DONE || *spec == '#' || n < 6)
			return ret;
		cf_err_release(err);
	}
	if (*spec == '#' || n < 6 || n > CF_SHA256_HEXLEN || !all_hex(s))
		return cf_err_set(err, CF_EINPUT, "bad item '%s': give an evidence number (12), "
				  "an exhibit of an order (ORDER:E3) or a sha256 prefix "
				  "(at least 6 hex digits)", spec);
	/* hex(sha256) has no index: a prefix scan over the table's hashes. */
	if (db_prepare(db, "SELECT id FROM evidence WHERE substr(lower(hex(sha256)), 1, ?1) = "
			   "lower(?2) ORDER BY id", &st, err) < 0)
		return -1;
	db_bind_int(st, 1, (int)n);
	db_bind_text(st, 2, s, -1, DB_STATIC);
	while ((rc = db_step(st)) == DB_ROW)
		if (count++ == 0)
			found = db_col_int64(st, 0);
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot look up sha256 %s", s);
	if (count == 0)
		return cf_err_set(err, CF_ENOTFOUND, "no evidence with sha256 %s… in the vault", s);
	if (count > 1)
		return cf_err_set(err, CF_ENOTFOUND, "sha256 %s… names %d items (the same bytes "
				  "in several orders or under several names): give the "
				  "evidence number instead (see 'casefile show ORDER')", s, count);
	*id = found;
	return 0;
}


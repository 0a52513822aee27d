/* SPDX-License-Identifier: MIT */
/*
 * stats — read the disputes once with their order facts (buyer, SKUs,
 * evidence kinds), then aggregate in memory: a shop has thousands of
 * disputes, not millions, and one pass keeps every definition in stats.h
 * in one readable place.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/cftime.h"
#include "casefile/db.h"
#include "casefile/db_stmt.h"
#include "casefile/dispute.h"
#include "casefile/stats.h"
#include "casefile/xalloc.h"

struct drec {
	char *order_id, *reason, *outcome, *resolution, *buyer;
	long long refunded_fen, t0, closed_at;
	char **skus;
	size_t nskus;
	unsigned kinds;		/* bit per kind_names[] */
	char month[8];
};

static const char *const kind_names[] = {
	"chat", "logistics", "order", "photo", "video", "receipt", "other"
};
#define NKINDS (sizeof(kind_names) / sizeof(kind_names[0]))

static void
drec_release(struct drec *d)
{
	size_t i;

	free(d->order_id);
	free(d->reason);
	free(d->outcome);
	free(d->resolution);
	free(d->buyer);
	for (i = 0; i < d->nskus; i++)
		free(d->skus[i]);
	free(d->skus);
}

static char *
dup_col(struct db_stmt *st, int i)
{
	const unsigned char *t = db_col_text(st, i);

	return t ? xstrdup((const char *)t) : NULL;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static long long
median(long long *v, size_t n)
{
	if (n == 0)
		return STATS_NO_MEDIAN;
	qsort(v, n, sizeof(*v), cmp_ll);
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

static struct stats_row *
row_get(struct stats_table *t, const char *key, const char *key2)
{
	size_t i;
	struct stats_row *r;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->rows[i].key, key) &&
		    (key2 == NULL || (t->rows[i].key2 && !strcmp(t->rows[i].key2, key2))))
			return &t->rows[i];
	t->rows = xreallocarray(t->rows, t->n + 1, sizeof(*t->rows));
	r = &t->rows[t->n++];
	memset(r, 0, sizeof(*r));
	r->key = xstrdup(key);
	r->key2 = key2 ? xstrdup(key2) : NULL;
	r->median_secs = STATS_NO_MEDIAN;
	r->win_permille = -1;
	return r;
}

static void
row_add(struct stats_row *r, const struct drec *d)
{
	r->count++;
	if (d->outcome == NULL)
		r->open++;
	else if (!strcmp(d->outcome, "won"))
		r->won++;
	else if (!strcmp(d->outcome, "lost"))
		r->lost++;
	else if (!strcmp(d->outcome, "settled"))
		r->settled++;
	else
		r->withdrawn++;
	if (d->outcome && d->refunded_fen > 0)
		r->refunded_fen += d->refunded_fen;
}

/* Win rate and median of a table whose rows group disputes by pred. */
static void
finish_rows(struct stats_table *t, const struct drec *v, size_t n,
	    int (*match)(const struct stats_row *, const struct drec *))
{
	long long *dur = xmalloc((n ? n : 1) * sizeof(*dur));
	size_t i, j, k;

	for (i = 0; i < t->n; i++) {
		struct stats_row *r = &t->rows[i];

		if (r->won + r->lost)
			r->win_permille = (long)(r->won * 1000 / (r->won + r->lost));
		for (j = k = 0; j < n; j++)
			if (v[j].outcome && v[j].closed_at != DISPUTE_NO_TIME &&
			    match(r, &v[j]))
				dur[k++] = v[j].closed_at - v[j].t0;
		r->median_secs = median(dur, k);
	}
	free(dur);
}

static int
match_reason(const struct stats_row *r, const struct drec *d)
{
	return !strcmp(r->key, d->reason);
}

static int
match_month(const struct stats_row *r, const struct drec *d)
{
	return !strcmp(r->key, d->month);
}

static int
match_sku(const struct stats_row *r, const struct drec *d)
{
	size_t i;

	if (d->nskus == 0)
		return !strcmp(r->key, "(none)");
	for (i = 0; i < d->nskus; i++)
		if (!strcmp(r->key, d->skus[i]))
			return 1;
	return 0;
}

static int
match_outcome(const struct stats_row *r, const struct drec *d)
{
	return d->outcome && !strcmp(r->key, d->outcome) &&
	       !strcmp(r->key2, d->resolution ? d->resolution : "-");
}

static int
reason_index(const char *reason)
{
	const char *const *rs = dispute_reasons();
	int i;

	for (i = 0; rs[i]; i++)
		if (!strcmp(rs[i], reason))
			return i;
	return i - 1;	/* "other" */
}

static int
cmp_reason_rows(const void *a, const void *b)
{
	const struct stats_row *x = a, *y = b;
	int i = reason_index(x->key), j = reason_index(y->key);

	if (i != j)
		return i - j;
	return x->key2 && y->key2 ? strcmp(x->key2, y->key2) : 0;
}

static int
cmp_count_rows(const void *a, const void *b)
{
	const struct stats_row *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int
cmp_key_rows(const void *a, const void *b)
{
	const struct stats_row *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c || !x->key2 || !y->key2)
		return c;
	return strcmp(x->key2, y->key2);
}

/* qsort(NULL, 0, …) is undefined: an empty table stays as it is. */
static void
sort_table(struct stats_table *t, int (*cmp)(const void *, const void *))
{
	if (t->n > 1)
		qsort(t->rows, t->n, sizeof(*t->rows), cmp);
}

char *
stats_mask_buyer(const char *key)
{
	size_t n = strlen(key), i, digits = 0;

	for (i = 0; i < n; i++)
		digits += key[i] >= '0' && key[i] <= '9';
	if (n >= 7 && digits == n)
		return xasprintf("%.3s****%s", key, key + n - 4);
	/* First character (whole UTF-8 sequence) and stars. */
	i = 1;
	while (i < n && ((unsigned char)key[i] & 0xc0) == 0x80)
		i++;
	return xasprintf("%.*s**", (int)i, key);
}

static void
table_free(struct stats_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->rows[i].key);
		free(t->rows[i].key2);
		free(t->rows[i].per_reason);
	}
	free(t->rows);
}

void
stats_free(struct stats *s)
{
	if (s == NULL)
		return;
	table_free(&s->reason);
	table_free(&s->sku);
	table_free(&s->month);
	table_free(&s->outcome);
	table_free(&s->buyer);
	table_free(&s->kinds);
	free(s);
}

/* Read the disputes in the window with their order facts. */
static int
load(struct cf_db *db, long long since, long long until, long tz, struct drec **out,
     size_t *nout, struct cf_err *err)
{
	struct db_stmt *st = NULL, *qs = NULL, *qk = NULL;
	struct drec *v = NULL;
	size_t n = 0, i;
	int rc, ret = -1;

	if (db_prepare(db, "SELECT order_id, reason, outcome, resolution, refunded_fen, "
			   "coalesce(requested_at, opened_at) AS t0, closed_at FROM disputes "
			   "WHERE t0 >= ?1 AND t0 < ?2 ORDER BY id", &st, err) < 0 ||
	    db_prepare(db, "SELECT DISTINCT i.sku FROM order_items i JOIN evidence e "
			   "ON e.id = i.evidence_id WHERE e.order_id = ? AND i.sku IS NOT NULL "
			   "AND i.sku != '' ORDER BY i.sku", &qs, err) < 0 ||
	    db_prepare(db, "SELECT DISTINCT kind FROM evidence WHERE order_id = ?", &qk, err) < 0)
		goto out;
	db_bind_int64(st, 1, since);
	db_bind_int64(st, 2, until);
	while ((rc = db_step(st)) == DB_ROW) {
		struct drec *d;
		char when[40];

		v = xreallocarray(v, n + 1, sizeof(*v));
		d = &v[n++];
		memset(d, 0, sizeof(*d));
		d->order_id = dup_col(st, 0);
		d->reason = dup_col(st, 1);
		d->outcome = dup_col(st, 2);
		d->resolution = dup_col(st, 3);
		d->refunded_fen = db_col_type(st, 4) == DB_NULL
					  ? 0 : db_col_int64(st, 4);
		d->t0 = db_col_int64(st, 5);
		d->closed_at = db_col_type(st, 6) == DB_NULL
				       ? DISPUTE_NO_TIME : db_col_int64(st, 6);
		cftime_format(d->t0, tz, when, sizeof(when));
		memcpy(d->month, when, 7);
		d->month[7] = '\0';

		{
			char *phone, *nick;

			if (dispute_buyer_identity(db, d->order_id, &phone, &nick, err) < 0)
				goto out;
			d->buyer = phone ? phone : nick;
		}

		db_reset(qs);
		db_bind_text(qs, 1, d->order_id, -1, DB_STATIC);
		while (db_step(qs) == DB_ROW) {
			d->skus = xreallocarray(d->skus, d->nskus + 1, sizeof(*d->skus));
			d->skus[d->nskus++] = dup_col(qs, 0);
		}
		db_reset(qs);

		db_reset(qk);
		db_bind_text(qk, 1, d->order_id, -1, DB_STATIC);
		while (db_step(qk) == DB_ROW) {
			const unsigned char *k = db_col_text(qk, 0);

			for (i = 0; k && i < NKINDS; i++)
				if (!strcmp((const char *)k, kind_names[i]))
					d->kinds |= 1u << i;
		}
		db_reset(qk);
	}
	if (rc != DB_DONE) {
		db_err(db, err, "cannot read disputes");
		goto out;
	}
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
	ret = 0;
out:
	for (i = 0; i < n; i++)
		drec_release(&v[i]);
	free(v);
	db_finalize(st);
	db_finalize(qs);
	db_finalize(qk);
	return ret;
}

int
stats_compute(struct cf_db *db, long long since, long long until, long tz_offset,
	      struct stats **out, struct cf_err *err)
{
	struct stats *s;
	struct drec *v = NULL;
	long long *dur;
	size_t n = 0, i, j, k;
	const char *const *rs = dispute_reasons();

	if (load(db, since, until, tz_offset, &v, &n, err) < 0)
		return -1;
	s = xcalloc(1, sizeof(*s));
	s->since = since;
	s->until = until;
	for (s->nreasons = 0; rs[s->nreasons]; s->nreasons++)
		;
	dur = xmalloc((n ? n : 1) * sizeof(*dur));
	for (i = k = 0; i < n; i++) {
		struct drec *d = &v[i];
		struct stats_row *r;

		s->total++;
		if (d->outcome == NULL) {
			s->open++;
		} else {
			s->closed++;
			s->refunded_fen += d->refunded_fen;
			if (d->closed_at != DISPUTE_NO_TIME)
				dur[k++] = d->closed_at - d->t0;
		}
		row_add(row_get(&s->reason, d->reason, NULL), d);
		r = row_get(&s->month, d->month, NULL);
		row_add(r, d);
		if (r->per_reason == NULL)
			r->per_reason = xcalloc(s->nreasons, sizeof(long));
		r->per_reason[reason_index(d->reason)]++;
		if (d->nskus == 0)
			row_add(row_get(&s->sku, "(none)", NULL), d);
		for (j = 0; j < d->nskus; j++)
			row_add(row_get(&s->sku, d->skus[j], NULL), d);
		if (d->outcome)
			row_add(row_get(&s->outcome, d->outcome,
					d->resolution ? d->resolution : "-"), d);
		if (d->outcome && (!strcmp(d->outcome, "won") || !strcmp(d->outcome, "lost"))) {
			int won = !strcmp(d->outcome, "won");

			for (j = 0; j < NKINDS; j++) {
				r = row_get(&s->kinds, d->reason, kind_names[j]);
				if (won)
					r->won++;
				else
					r->lost++;
				if (d->kinds & (1u << j)) {
					if (won)
						r->kind_won++;
					else
						r->kind_lost++;
				}
			}
		}
	}
	s->median_secs = median(dur, k);
	free(dur);
	finish_rows(&s->reason, v, n, match_reason);
	finish_rows(&s->month, v, n, match_month);
	finish_rows(&s->sku, v, n, match_sku);
	finish_rows(&s->outcome, v, n, match_outcome);
	/* Buyers with two or more disputes, masked. */
	{
		struct stats_table all = { NULL, 0 };

		for (i = 0; i < n; i++) {
			struct stats_row *r;

			if (v[i].buyer == NULL)
				continue;
			r = row_get(&all, v[i].buyer, NULL);
			row_add(r, &v[i]);
			if (r->key2 == NULL)
				r->key2 = xstrdup(v[i].reason);
			else if (!strstr(r->key2, v[i].reason)) {
				char *t = xasprintf("%s,%s", r->key2, v[i].reason);

				free(r->key2);
				r->key2 = t;
			}
		}
		for (i = 0; i < all.n; i++) {
			struct stats_row *r = &all.rows[i];

			if (r->count < 2) {
				free(r->key);
				free(r->key2);
				continue;
			}
			s->buyer.rows = xreallocarray(s->buyer.rows, s->buyer.n + 1,
						      sizeof(*s->buyer.rows));
			s->buyer.rows[s->buyer.n] = *r;
			s->buyer.rows[s->buyer.n].key = stats_mask_buyer(r->key);
			if (r->won + r->lost)
				s->buyer.rows[s->buyer.n].win_permille =
					(long)(r->won * 1000 / (r->won + r->lost));
			free(r->key);
			s->buyer.n++;
		}
		free(all.rows);
	}
	sort_table(&s->reason, cmp_reason_rows);
	sort_table(&s->kinds, cmp_reason_rows);
	sort_table(&s->sku, cmp_count_rows);
	sort_table(&s->buyer, cmp_count_rows);
	sort_table(&s->month, cmp_key_rows);
	sort_table(&s->outcome, cmp_key_rows);
	for (i = 0; i < n; i++)
		drec_release(&v[i]);
	free(v);
	*out = s;
	return 0;
}

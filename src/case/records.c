/* SPDX-License-Identifier: MIT */
/*
 * records — chat messages and logistics events as keyed records, counted
 * in a multiset (contract in records.h): how the exhibits find re-exports
 * and the dossier renders a record once.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/hash.h"
#include "casefile/records_stmt.h"
#include "casefile/xalloc.h"

const int records_cols[RECORDS_NCOLS] = { 0, 1, 2, 3 };

/*
 * A record's identity is a 16-byte key: the first half of SHA-256 over
 * the chosen columns of its row, each as a presence byte and length-prefixed
 * text (NULL and "" differ).  A kmap counts keys (a multiset), so "A's
 * records are all in B" is count_A(k) <= count_B(k) for every key, and a
 * record is "already shown" when its file's n-th copy of the key is within
 * what earlier exhibits showed.  Open addressing, grown at half load.
 */
void
records_release(struct records *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static struct records_ent *
records_slot(struct records_ent *v, size_t cap, const unsigned char h[16])
{
	size_t i;

	memcpy(&i, h, sizeof(i));
	for (i &= cap - 1; v[i].used && memcmp(v[i].h, h, 16) != 0; i = (i + 1) & (cap - 1))
		;
	return &v[i];
}

const struct records_ent *
records_find(const struct records *m, const unsigned char h[16])
{
	const struct records_ent *e;

	if (m->cap == 0)
		return NULL;
	e = records_slot(m->v, m->cap, h);
	return e->used ? e : NULL;
}

/* The entry of h, added with count 0 when new. */
struct records_ent *
records_get(struct records *m, const unsigned char h[16])
{
	struct records_ent *e;

	if (2 * (m->n + 1) > m->cap) {
		size_t i, cap = m->cap ? 2 * m->cap : 64;
		struct records_ent *v = xcalloc(cap, sizeof(*v));

		for (i = 0; i < m->cap; i++)
			if (m->v[i].used)
				*records_slot(v, cap, m->v[i].h) = m->v[i];
		free(m->v);
		m->v = v;
		m->cap = cap;
	}
	e = records_slot(m->v, m->cap, h);
	if (!e->used) {
		memcpy(e->h, h, 16);
		e->used = 1;
		m->n++;
	}
	return e;
}

/* The key of the current row of st over columns cols[0..n). */
void
records_key(struct db_stmt *st, const int *cols, size_t n, unsigned char h[16])
{
	struct cf_buf b = CF_BUF_INIT;
	unsigned char sha[CF_SHA256_LEN];
	size_t i;

	for (i = 0; i < n; i++) {
		if (db_col_type(st, cols[i]) == DB_NULL) {
			cf_buf_addch(&b, 0);
		} else {
			const unsigned char *t = db_col_text(st, cols[i]);
			int len = db_col_bytes(st, cols[i]);

			cf_buf_addf(&b, "%c%d:", 1, len);
			cf_buf_add(&b, t, (size_t)len);
		}
	}
	cf_sha256(b.data, b.len, sha);
	memcpy(h, sha, 16);
	cf_buf_release(&b);
}

/* 1 when every record counted in a is in b at least as often. */
int
records_within(const struct records *a, const struct records *b)
{
	size_t i;

	for (i = 0; i < a->cap; i++) {
		const struct records_ent *e;

		if (!a->v[i].used)
			continue;
		e = records_find(b, a->v[i].h);
		if (e == NULL || e->count < a->v[i].count)
			return 0;
	}
	return 1;
}

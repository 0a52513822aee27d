/* SPDX-License-Identifier: MIT */
/*
 * records — a chat's messages and a logistics file's events as records
 * with a 16-byte key: the first half of SHA-256 over the record columns of
 * the row, each as a presence byte and length-prefixed text (NULL and ""
 * differ).  struct records counts keys (a multiset), so "A's records are
 * all in B" is count_A(k) <= count_B(k) for every key, and a record is
 * "already shown" when its file's n-th copy of the key is within what
 * earlier exhibits showed.  Used by exhibits.c (re-exports) and the
 * dossier (each record rendered once).
 */
#ifndef CASEFILE_RECORDS_H
#define CASEFILE_RECORDS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The record columns of each kind: queries select them first, in this
 * order, so the same key serves loading and rendering.
 */
#define RECORDS_NCOLS 4
#define RECORDS_CHAT "time, sender, text, attachments"
#define RECORDS_LOGI "time, coalesce(status_raw, status), location, description"
/* { 0, 1, 2, 3 }: the record columns at the start of a row. */
extern const int records_cols[RECORDS_NCOLS];

struct records_ent {
	unsigned char h[16];
	uint32_t count;
	int no;			/* the exhibit that first held the key */
	int used;
};

/* Zero-initialised when empty; open addressing, grown at half load. */
struct records {
	struct records_ent *v;
	size_t cap, n;
	uint64_t total;		/* sum of counts */
};

void records_release(struct records *m);
/* The entry of h, or NULL.  Borrowed. */
const struct records_ent *records_find(const struct records *m, const unsigned char h[16]);
/* The entry of h, added with count 0 when new.  Borrowed until the next add. */
struct records_ent *records_get(struct records *m, const unsigned char h[16]);
/* 1 when every key of a is in b at least as often. */
int records_within(const struct records *a, const struct records *b);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * bigxref — the true offsets of a PDF libharu writes past 2 GiB (contract
 * and the write sequence it relies on in bigxref.h).
 *
 * Below 2 GiB the filter changes nothing, and checks that: every entry it
 * would write must equal libharu's own, so a libharu whose write calls
 * differ from what we expect fails every build in the test suite instead
 * of damaging a large dossier one day.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/bigxref.h"
#include "casefile/xalloc.h"

#define LIBHARU_MAX 0x7FFFFFFFull	/* the last offset libharu writes right */

enum { S_OBJECTS, S_XREF, S_TRAILER, S_NUMBER, S_DONE };

struct bigxref {
	uint64_t pos;		/* true offset of the next byte */
	uint64_t *off;		/* off[id]: where object id's header starts; 0 unknown */
	size_t capoff;
	uint64_t next_id;	/* the header expected next (1 first) */
	int after_endobj;	/* the last write was "\nendobj\n" */
	int state;
	uint64_t xref_pos, xref_start, xref_count, xref_i;
	unsigned char rep[32];	/* a corrected entry or number */
};

struct bigxref *
bigxref_new(void)
{
	struct bigxref *x = xcalloc(1, sizeof(*x));

	x->next_id = 1;
	return x;
}

void
bigxref_free(struct bigxref *x)
{
	if (x == NULL)
		return;
	free(x->off);
	free(x);
}

uint64_t
bigxref_size(const struct bigxref *x)
{
	return x->pos;
}

/* Read a decimal number of 1-19 digits at *p; advances *p.  -1 if none. */
static int
num(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	const unsigned char *s = *p;

	*v = 0;
	while (*p < end && **p >= '0' && **p <= '9' && *p - s < 19)
		*v = *v * 10 + (uint64_t)(*(*p)++ - '0');
	return *p > s ? 0 : -1;
}

/* "N G obj\n" exactly: N into *id. */
static int
is_header(const unsigned char *p, size_t n, uint64_t *id)
{
	const unsigned char *end = p + n;
	uint64_t gen;

	if (n < 8 || n > 32 || memcmp(end - 5, " obj\n", 5) != 0)
		return 0;
	if (num(&p, end, id) < 0 || p >= end || *p++ != ' ' || num(&p, end, &gen) < 0)
		return 0;
	return p == end - 5;
}

/* "xref\nS C\n" exactly. */
static int
is_xref(const unsigned char *p, size_t n, uint64_t *start, uint64_t *count)
{
	const unsigned char *end = p + n;

	if (n < 9 || memcmp(p, "xref\n", 5) != 0 || end[-1] != '\n')
		return 0;
	p += 5;
	if (num(&p, end, start) < 0 || p >= end || *p++ != ' ' || num(&p, end, count) < 0)
		return 0;
	return p == end - 1;
}

static void
note_offset(struct bigxref *x, uint64_t id, uint64_t at)
{
	if (id >= x->capoff) {
		size_t cap = x->capoff ? x->capoff : 256;

		while (cap <= id)
			cap *= 2;
		x->off = xreallocarray(x->off, cap, sizeof(*x->off));
		memset(x->off + x->capoff, 0, (cap - x->capoff) * sizeof(*x->off));
		x->capoff = cap;
	}
	x->off[id] = at;
}

/* Entry x->xref_i (20 bytes at p), corrected into x->rep. */
static int
fix_entry(struct bigxref *x, const unsigned char *p, const unsigned char **out,
	  struct cf_err *err)
{
	uint64_t id = x->xref_start + x->xref_i, at;
	char digits[12];

	if (p[17] != 'n')
		return 0;	/* a free entry: no offset */
	at = id < x->capoff ? x->off[id] : 0;
	if (at == 0)	/* whatever the size: see the top comment */
		return cf_err_set(err, CF_EPDF, "cannot correct the offset of object %" PRIu64
				  ": its start was not seen", id);
	if (at > BIGXREF_MAX)
		return cf_err_set(err, CF_EPDF, "object %" PRIu64 " starts at byte %" PRIu64
				  ", past the %llu an xref entry can name", id, at, BIGXREF_MAX);
	snprintf(digits, sizeof(digits), "%010" PRIu64, at);
	if (x->pos <= LIBHARU_MAX && memcmp(digits, p, 10) != 0)
		return cf_err_set(err, CF_EPDF, "object %" PRIu64 ": libharu wrote offset "
				  "%.10s, the filter saw %s (libharu's writes are not the "
				  "expected ones)", id, (const char *)p, digits);
	memcpy(x->rep, digits, 10);
	memcpy(x->rep + 10, p + 10, 10);
	*out = x->rep;
	return 0;
}

int
bigxref_filter(struct bigxref *x, const unsigned char *p, size_t n,
	       const unsigned char **out, size_t *outn, struct cf_err *err)
{
	uint64_t a, b;

	*out = p;
	*outn = n;
	switch (x->state) {
	case S_OBJECTS:
		if ((x->after_endobj || x->next_id == 1) && is_header(p, n, &a) &&
		    (a == x->next_id || (a + 1 == x->next_id && a > 0))) {
			/* the same header again: the later one is libharu's */
			note_offset(x, a, x->pos);
			x->next_id = a + 1;
		} else if (x->after_endobj && is_xref(p, n, &a, &b)) {
			x->state = b ? S_XREF : S_TRAILER;
			x->xref_pos = x->pos;
			x->xref_start = a;
			x->xref_count = b;
			x->xref_i = 0;
		}
		x->after_endobj = n == 8 && memcmp(p, "\nendobj\n", 8) == 0;
		break;
	case S_XREF:
		if (n != 20)
			return cf_err_set(err, CF_EPDF, "an xref entry of %zu bytes", n);
		if (fix_entry(x, p, out, err) < 0)
			return -1;
		if (++x->xref_i == x->xref_count)
			x->state = S_TRAILER;
		break;
	case S_TRAILER:
		if (n == 11 && memcmp(p, "\nstartxref\n", 11) == 0)
			x->state = S_NUMBER;
		break;
	case S_NUMBER:
		if (x->xref_pos > BIGXREF_MAX)
			return cf_err_set(err, CF_EPDF, "the xref starts past byte %llu",
					  BIGXREF_MAX);
		*outn = (size_t)snprintf((char *)x->rep, sizeof(x->rep), "%" PRIu64, x->xref_pos);
		if (x->xref_pos <= LIBHARU_MAX && (*outn != n || memcmp(x->rep, p, n) != 0))
			return cf_err_set(err, CF_EPDF, "startxref: libharu wrote %.*s, the "
					  "filter saw %" PRIu64, (int)(n < 20 ? n : 20),
					  (const char *)p, x->xref_pos);
		*out = x->rep;
		x->state = S_DONE;
		break;
	default:
		break;
	}
	x->pos += *outn;
	return 0;
}

int
bigxref_finish(struct bigxref *x, struct cf_err *err)
{
	/*
	 * Required of every PDF, not only large ones: a libharu that writes
	 * differently fails here on the first small build.
	 */
	if (x->state == S_DONE)
		return 0;
	return cf_err_set(err, CF_EPDF, "cannot check the PDF's offsets: its "
			  "cross-reference table was not seen where libharu 2.3.0 writes it");
}

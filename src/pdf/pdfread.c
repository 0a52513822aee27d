/* SPDX-License-Identifier: MIT */
/*
 * pdfread — lexer, object parser, cross-reference loader and stream
 * decoder for the PDF reader of pdfread.h.
 *
 * Theory of operation: pdfread_open() maps the file, finds the last
 * "startxref", and walks the chain of xref sections newest first (/Prev,
 * plus /XRefStm of hybrid files).  The first entry seen for an object number
 * wins, which is exactly the incremental-update rule.  Objects are parsed
 * when first asked for and cached by number; objects inside object streams
 * are parsed from the decoded stream, which is cached as well.  A "loading"
 * mark on each slot breaks reference cycles (/Length 5 0 R inside object 5).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "casefile/pdfread.h"
#include "casefile/xalloc.h"

#define MAX_XREF_SECTIONS 4096
#define MAX_OBJSTM_DECODED (64u << 20)
#define MAX_XREF_DECODED (256u << 20)

/*
 * Budgets (issue 11, item 5): what the reader keeps or does is bounded by
 * the size n of the file, so a hostile PDF costs time linear in n and
 * memory within a small multiple of n, never more:
 *  - parsed objects and decoded object streams together: 2n + 4 MB
 *    (MEM_SLACK), charged as they are made and never refunded, which
 *    bounds the parsing work as well;
 *  - the cross-reference table: n / 32 + 65536 object numbers (an object
 *    costs far more than 32 bytes of file in any real PDF);
 *  - the xref sections read: 2n + 1 MB of raw bytes and 4n + 4 MB of
 *    decoded xref stream data in all (each section is read once: offsets
 *    are compared after skipping white space).
 * With the mapped file itself, a hostile file costs at most about 4n, and
 * a small one a few MB.
 */
#define MEM_SLACK (4u << 20)
#define OBJ_COST (sizeof(struct pdfread_obj) + 16)

struct xent {
	struct pdfread_obj *obj;	/* cache */
	uint64_t off;		/* type 1: offset; type 2: object stream number */
	unsigned idx;		/* type 2: index inside the object stream;
				   type 1: 1 + slot of its decoded object stream */
	unsigned char type;	/* 0 unset/free, 1 in file, 2 in object stream */
	unsigned char loading;	/* 1 while parsed, 2 when it failed to parse */
	unsigned char seen;	/* set by any section (even as free) */
};

struct objstm {
	struct cf_buf data;
	struct { uint64_t num, off; } *hdr;	/* the header, parsed once */
	size_t nhdr;
	int state;		/* 0 loading/failed, 1 decoded */
};

struct pdfread {
	const unsigned char *p;
	size_t n;
	int mapped;
	uint64_t startxref;
	int xref_stream;
	unsigned size;		/* trailer /Size */
	struct xent *x;
	unsigned nx;
	unsigned xcap;		/* most object numbers the table may hold */
	struct pdfread_obj *trailer;
	int depth;		/* nested pdfread_get() calls (/Length 7 0 R chains) */
	struct objstm *objstm;	/* decoded object streams (lazy), slot in xent.idx */
	unsigned nobjstm, objstm_cap;
	size_t mem, mem_max;	/* bytes charged to parsed objects and object streams */
	int exhausted;		/* a charge was refused */
	uint64_t xref_raw, xref_decoded;	/* work done on xref sections */
	uint64_t *endstream;	/* offsets of every "endstream" (lazy) */
	size_t nendstream;
	int endstream_done;
};

struct lex {
	const unsigned char *p;
	size_t n, i;
};

static struct pdfread_obj null_obj = { PDFREAD_NULL, { 0 }, 0, 0 };

/* --- objects -------------------------------------------------------- */

struct pdfread_obj *
pdfread_obj_new(enum pdfread_type type)
{
	struct pdfread_obj *o = xcalloc(1, sizeof(*o));

	o->type = type;
	return o;
}

struct pdfread_obj *
pdfread_obj_new_int(long long v)
{
	struct pdfread_obj *o = pdfread_obj_new(PDFREAD_INT);

	o->u.i = v;
	return o;
}

struct pdfread_obj *
pdfread_obj_new_name(const char *name)
{
	struct pdfread_obj *o = pdfread_obj_new(PDFREAD_NAME);

	o->u.s.n = strlen(name);
	o->u.s.p = xmemdup(name, o->u.s.n);
	return o;
}

struct pdfread_obj *
pdfread_obj_new_string(const void *p, size_t n)
{
	struct pdfread_obj *o = pdfread_obj_new(PDFREAD_STRING);

	o->u.s.n = n;
	o->u.s.p = xmemdup(p, n);
	return o;
}

struct pdfread_obj *
pdfread_obj_new_ref(unsigned num, unsigned gen)
{
	struct pdfread_obj *o = pdfread_obj_new(PDFREAD_REF);

	o->u.ref.num = num;
	o->u.ref.gen = gen;
	return o;
}

void
pdfread_obj_free(struct pdfread_obj *o)
{
	size_t i;

	if (o == NULL || o == &null_obj)
		return;
	switch (o->type) {
	case PDFREAD_NAME:
	case PDFREAD_STRING:
		free(o->u.s.p);
		break;
	case PDFREAD_ARRAY:
		for (i = 0; i < o->u.a.n; i++)
			pdfread_obj_free(o->u.a.v[i]);
		free(o->u.a.v);
		break;
	case PDFREAD_DICT:
	case PDFREAD_STREAM:
		for (i = 0; i < o->u.d.n; i++) {
			free(o->u.d.k[i]);
			pdfread_obj_free(o->u.d.v[i]);
		}
		free(o->u.d.k);
		free(o->u.d.v);
		break;
	default:
		break;
	}
	free(o);
}

/*
 * Arrays and dictionaries grow geometrically without a capacity field:
 * their vectors always have room for the next power of two of n entries,
 * so a push reallocates only when n is 0 or a power of two.  (Filling
 * 100,000 entries one realloc at a time was quadratic.)
 */
static int
needs_room(size_t n)
{
	return (n & (n - 1)) == 0;
}

/* Append key (owned) and v to d without looking for key. */
static void
dict_append(struct pdfread_obj *d, char *key, struct pdfread_obj *v)
{
	if (needs_room(d->u.d.n)) {
		size_t cap = d->u.d.n ? 2 * d->u.d.n : 1;

		d->u.d.k = xreallocarray(d->u.d.k, cap, sizeof(char *));
		d->u.d.v = xreallocarray(d->u.d.v, cap, sizeof(*d->u.d.v));
	}
	d->u.d.k[d->u.d.n] = key;
	d->u.d.v[d->u.d.n++] = v;
}

static int
cmp_key_index(const void *a, const void *b, void *dict)
{
	const struct pdfread_obj *d = dict;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(d->u.d.k[x], d->u.d.k[y]);

	if (c)
		return c;
	return x < y ? -1 : x > y;
}

/*
 * Make d's keys unique as pdfread_dict_set() would have: a repeated key
 * keeps its first position and takes its last value.  O(n log n): a
 * dictionary of 100,000 keys no longer costs 5e9 comparisons.
 */
static void
dict_dedup(struct pdfread_obj *d)
{
	size_t n = d->u.d.n, i, j, w, *ix;
	int dup = 0;

	if (n < 2)
		return;
	if (n <= 16) {
		for (i = 1; i < n && !dup; i++)
			for (j = 0; j < i && !dup; j++)
				dup = strcmp(d->u.d.k[i], d->u.d.k[j]) == 0;
		if (!dup)
			return;
	}
	ix = xreallocarray(NULL, n, sizeof(*ix));
	for (i = 0; i < n; i++)
		ix[i] = i;
	qsort_r(ix, n, sizeof(*ix), cmp_key_index, d);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && strcmp(d->u.d.k[ix[i]], d->u.d.k[ix[j]]) == 0; j++)
			;
		if (j - i > 1) {
			/* first position ix[i] takes the last value ix[j - 1] */
			struct pdfread_obj *last = d->u.d.v[ix[j - 1]];
			size_t k;

			d->u.d.v[ix[j - 1]] = d->u.d.v[ix[i]];
			d->u.d.v[ix[i]] = last;
			for (k = i + 1; k < j; k++) {
				free(d->u.d.k[ix[k]]);
				d->u.d.k[ix[k]] = NULL;
				pdfread_obj_free(d->u.d.v[ix[k]]);
				d->u.d.v[ix[k]] = NULL;
			}
		}
	}
	free(ix);
	for (i = w = 0; i < n; i++)
		if (d->u.d.k[i] != NULL) {
			d->u.d.k[w] = d->u.d.k[i];
			d->u.d.v[w++] = d->u.d.v[i];
		}
	d->u.d.n = w;
}

struct pdfread_obj *
pdfread_obj_copy(const struct pdfread_obj *o)
{
	struct pdfread_obj *c;
	size_t i;

	if (o == NULL)
		return pdfread_obj_new(PDFREAD_NULL);
	c = pdfread_obj_new(o->type);
	c->soff = o->soff;
	c->slen = o->slen;
	switch (o->type) {
	case PDFREAD_NAME:
	case PDFREAD_STRING:
		c->u.s.n = o->u.s.n;
		c->u.s.p = xmemdup(o->u.s.p, o->u.s.n);
		break;
	case PDFREAD_ARRAY:
		for (i = 0; i < o->u.a.n; i++)
			pdfread_array_push(c, pdfread_obj_copy(o->u.a.v[i]));
		break;
	case PDFREAD_DICT:
	case PDFREAD_STREAM:
		/* keys of o are unique already: append, never search */
		for (i = 0; i < o->u.d.n; i++)
			dict_append(c, xstrdup(o->u.d.k[i]), pdfread_obj_copy(o->u.d.v[i]));
		break;
	default:
		c->u = o->u;
		break;
	}
	return c;
}

void
pdfread_dict_set(struct pdfread_obj *d, const char *key, struct pdfread_obj *v)
{
	size_t i;

	for (i = 0; i < d->u.d.n; i++)
		if (strcmp(d->u.d.k[i], key) == 0) {
			pdfread_obj_free(d->u.d.v[i]);
			d->u.d.v[i] = v;
			return;
		}
	dict_append(d, xstrdup(key), v);
}

void
pdfread_array_push(struct pdfread_obj *a, struct pdfread_obj *v)
{
	if (needs_room(a->u.a.n))
		a->u.a.v = xreallocarray(a->u.a.v, a->u.a.n ? 2 * a->u.a.n : 1,
					 sizeof(*a->u.a.v));
	a->u.a.v[a->u.a.n++] = v;
}

const struct pdfread_obj *
pdfread_dict_get(const struct pdfread_obj *d, const char *key)
{
	size_t i;

	if (d == NULL || (d->type != PDFREAD_DICT && d->type != PDFREAD_STREAM))
		return NULL;
	for (i = 0; i < d->u.d.n; i++)
		if (strcmp(d->u.d.k[i], key) == 0)
			return d->u.d.v[i];
	return NULL;
}

int
pdfread_is_name(const struct pdfread_obj *o, const char *s)
{
	return o && o->type == PDFREAD_NAME && strlen(s) == o->u.s.n &&
	       memcmp(o->u.s.p, s, o->u.s.n) == 0;
}

static int
is_regular_name_char(int c)
{
	return c > 0x20 && c < 0x7f && c != '#' && !strchr("()<>[]{}/%", c);
}

void
pdfread_obj_write(struct cf_buf *b, const struct pdfread_obj *o)
{
	size_t i;

	if (o == NULL) {
		cf_buf_addstr(b, "null");
		return;
	}
	switch (o->type) {
	case PDFREAD_NULL:
		cf_buf_addstr(b, "null");
		break;
	case PDFREAD_BOOL:
		cf_buf_addstr(b, o->u.b ? "true" : "false");
		break;
	case PDFREAD_INT:
		cf_buf_addf(b, "%lld", o->u.i);
		break;
	case PDFREAD_REAL:
		cf_buf_addf(b, "%.6f", o->u.r);
		break;
	case PDFREAD_NAME:
		cf_buf_addch(b, '/');
		for (i = 0; i < o->u.s.n; i++) {
			unsigned char c = (unsigned char)o->u.s.p[i];

			if (is_regular_name_char(c))
				cf_buf_addch(b, c);
			else
				cf_buf_addf(b, "#%02X", c);
		}
		break;
	case PDFREAD_STRING:
		cf_buf_addch(b, '<');
		for (i = 0; i < o->u.s.n; i++)
			cf_buf_addf(b, "%02X", (unsigned char)o->u.s.p[i]);
		cf_buf_addch(b, '>');
		break;
	case PDFREAD_ARRAY:
		cf_buf_addch(b, '[');
		for (i = 0; i < o->u.a.n; i++) {
			if (i)
				cf_buf_addch(b, ' ');
			pdfread_obj_write(b, o->u.a.v[i]);
		}
		cf_buf_addch(b, ']');
		break;
	case PDFREAD_DICT:
	case PDFREAD_STREAM:
		/* Streams cannot be rewritten here: callers write dictionaries. */
		cf_buf_addstr(b, "<<");
		for (i = 0; i < o->u.d.n; i++) {
			struct pdfread_obj k = { PDFREAD_NAME, { 0 }, 0, 0 };

			k.u.s.p = o->u.d.k[i];
			k.u.s.n = strlen(o->u.d.k[i]);
			pdfread_obj_write(b, &k);
			cf_buf_addch(b, ' ');
			pdfread_obj_write(b, o->u.d.v[i]);
		}
		cf_buf_addstr(b, ">>");
		break;
	case PDFREAD_REF:
		cf_buf_addf(b, "%u %u R", o->u.ref.num, o->u.ref.gen);
		break;
	}
}

/* --- lexer ---------------------------------------------------------- */

static int
is_ws(int c)
{
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static int
is_delim(int c)
{
	return strchr("()<>[]{}/%", c) != NULL && c != 0;
}

static void
skip_ws(struct lex *l)
{
	while (l->i < l->n) {
		int c = l->p[l->i];

		if (is_ws(c))
			l->i++;
		else if (c == '%') {
			while (l->i < l->n && l->p[l->i] != '\n' && l->p[l->i] != '\r')
				l->i++;
		} else
			break;
	}
}

/* A bare keyword or number token at l->i: returns its length. */
static size_t
word_len(const struct lex *l)
{
	size_t j = l->i;

	while (j < l->n && !is_ws(l->p[j]) && !is_delim(l->p[j]))
		j++;
	return j - l->i;
}

static int
word_is(const struct lex *l, const char *w)
{
	size_t n = strlen(w);

	return word_len(l) == n && memcmp(l->p + l->i, w, n) == 0;
}

/* Parse an unsigned decimal integer word; -1 when it is not one. */
static int
lex_uint(struct lex *l, uint64_t *v)
{
	size_t len = word_len(l), k;
	uint64_t x = 0;

	if (len == 0 || len > 19)
		return -1;
	for (k = 0; k < len; k++) {
		int c = l->p[l->i + k];

		if (c < '0' || c > '9')
			return -1;
		x = x * 10 + (uint64_t)(c - '0');
	}
	l->i += len;
	*v = x;
	return 0;
}

static int
hexv(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_obj(struct pdfread *pdf, struct lex *l, int depth,
		     struct pdfread_obj **out, struct cf_err *err);

static int
perr(struct cf_err *err, const struct lex *l, const char *what)
{
	return cf_err_set(err, CF_EPDF, "%s at offset %zu", what, l->i);
}

static int
parse_literal_string(struct lex *l, struct pdfread_obj **out, struct cf_err *err)
{
	struct cf_buf b = CF_BUF_INIT;
	int nest = 1;

	l->i++;	/* ( */
	while (l->i < l->n) {
		int c = l->p[l->i++];

		if (c == '(')
			nest++;
		else if (c == ')' && --nest == 0)
			goto done;
		else if (c == '\\') {
			if (l->i >= l->n)
				break;
			c = l->p[l->i++];
			switch (c) {
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case '\r':
				if (l->i < l->n && l->p[l->i] == '\n')
					l->i++;
				continue;
			case '\n':
				continue;
			default:
				if (c >= '0' && c <= '7') {
					int v = c - '0', k;

					for (k = 0; k < 2 && l->i < l->n &&
					     l->p[l->i] >= '0' && l->p[l->i] <= '7'; k++)
						v = v * 8 + (l->p[l->i++] - '0');
					c = v & 0xff;
				}
				break;
			}
		}
		cf_buf_addch(&b, c);
	}
	cf_buf_release(&b);
	return perr(err, l, "unterminated string");
done:
	*out = pdfread_obj_new(PDFREAD_STRING);
	(*out)->u.s.p = cf_buf_detach(&b, &(*out)->u.s.n);
	return 0;
}

static int
parse_hex_string(struct lex *l, struct pdfread_obj **out, struct cf_err *err)
{
	struct cf_buf b = CF_BUF_INIT;
	int hi = -1;

	l->i++;	/* < */
	while (l->i < l->n) {
		int c = l->p[l->i++], v;

		if (c == '>') {
			if (hi >= 0)
				cf_buf_addch(&b, hi << 4);
			*out = pdfread_obj_new(PDFREAD_STRING);
			(*out)->u.s.p = cf_buf_detach(&b, &(*out)->u.s.n);
			return 0;
		}
		if (is_ws(c))
			continue;
		if ((v = hexv(c)) < 0)
			break;
		if (hi < 0)
			hi = v;
		else {
			cf_buf_addch(&b, (hi << 4) | v);
			hi = -1;
		}
	}
	cf_buf_release(&b);
	return perr(err, l, "bad hex string");
}

static int
parse_name(struct lex *l, struct pdfread_obj **out)
{
	struct cf_buf b = CF_BUF_INIT;

	l->i++;	/* / */
	while (l->i < l->n && !is_ws(l->p[l->i]) && !is_delim(l->p[l->i])) {
		int c = l->p[l->i++];

		if (c == '#' && l->i + 1 < l->n && hexv(l->p[l->i]) >= 0 &&
		    hexv(l->p[l->i + 1]) >= 0) {
			c = hexv(l->p[l->i]) * 16 + hexv(l->p[l->i + 1]);
			l->i += 2;
		}
		if (c == 0)
			c = '?';	/* names are C strings here */
		cf_buf_addch(&b, c);
	}
	*out = pdfread_obj_new(PDFREAD_NAME);
	(*out)->u.s.p = cf_buf_detach(&b, &(*out)->u.s.n);
	return 0;
}

static int
parse_number(struct lex *l, struct pdfread_obj **out, struct cf_err *err)
{
	size_t len = word_len(l), k;
	char tmp[64];
	int real = 0;

	if (len == 0 || len >= sizeof(tmp))
		return perr(err, l, "bad token");
	for (k = 0; k < len; k++) {
		int c = l->p[l->i + k];

		if (c == '.')
			real = 1;
		else if (!((c >= '0' && c <= '9') || ((c == '-' || c == '+') && k == 0)))
			return perr(err, l, "bad token");
	}
	memcpy(tmp, l->p + l->i, len);
	tmp[len] = '\0';
	l->i += len;
	if (real) {
		*out = pdfread_obj_new(PDFREAD_REAL);
		(*out)->u.r = strtod(tmp, NULL);
	} else {
		*out = pdfread_obj_new(PDFREAD_INT);
		errno = 0;
		(*out)->u.i = strtoll(tmp, NULL, 10);
		if (errno) {
			pdfread_obj_free(*out);
			*out = NULL;
			return perr(err, l, "number out of range");
		}
	}
	return 0;
}

/* After an integer: "G R" makes a reference. */
static void
maybe_ref(struct lex *l, struct pdfread_obj **o)
{
	struct lex save = *l;
	uint64_t gen;

	if ((*o)->type != PDFREAD_INT || (*o)->u.i < 0 || (*o)->u.i >= PDFREAD_MAX_OBJECTS)
		return;
	skip_ws(l);
	if (lex_uint(l, &gen) == 0 && gen <= 65535) {
		skip_ws(l);
		if (word_is(l, "R")) {
			unsigned num = (unsigned)(*o)->u.i;

			l->i++;
			pdfread_obj_free(*o);
			*o = pdfread_obj_new_ref(num, (unsigned)gen);
			return;
		}
	}
	*l = save;
}

/*
 * Charge n bytes of parsed data to the file's budget (see MEM_SLACK); fails
 * when the objects of a small file would need far more memory than it.
 */
static int
charge(struct pdfread *pdf, size_t n, struct cf_err *err)
{
	if (n > pdf->mem_max - pdf->mem) {
		pdf->exhausted = 1;
		return cf_err_set(err, CF_EPDF, "objects need more than %zu MB of memory, "
				  "too much for a %zu-byte file", pdf->mem_max >> 20, pdf->n);
	}
	pdf->mem += n;
	return 0;
}

static int
parse_obj(struct pdfread *pdf, struct lex *l, int depth, struct pdfread_obj **out,
	  struct cf_err *err)
{
	struct pdfread_obj *o = NULL, *v = NULL, *k = NULL;
	int c;

	*out = NULL;
	if (depth > PDFREAD_MAX_DEPTH)
		return perr(err, l, "objects nested too deeply");
	skip_ws(l);
	if (l->i >= l->n)
		return perr(err, l, "unexpected end of data");
	if (charge(pdf, OBJ_COST, err) < 0)
		return -1;
	c = l->p[l->i];
	if (c == '(' || c == '/' || (c == '<' && !(l->i + 1 < l->n && l->p[l->i + 1] == '<'))) {
		int r = c == '(' ? parse_literal_string(l, out, err) :
			c == '/' ? parse_name(l, out) : parse_hex_string(l, out, err);

		if (r == 0 && charge(pdf, (*out)->u.s.n + 1, err) < 0) {
			pdfread_obj_free(*out);
			*out = NULL;
			return -1;
		}
		return r;
	}
	if (c == '<') {
		l->i += 2;
		o = pdfread_obj_new(PDFREAD_DICT);
		for (;;) {
			skip_ws(l);
			if (l->i + 1 < l->n && l->p[l->i] == '>' && l->p[l->i + 1] == '>') {
				l->i += 2;
				break;
			}
			if (l->i >= l->n || l->p[l->i] != '/') {
				perr(err, l, "expected a name in dictionary");
				goto fail;
			}
			parse_name(l, &k);
			if (charge(pdf, 2 * sizeof(void *) + k->u.s.n + 1 + 16, err) < 0 ||
			    parse_obj(pdf, l, depth + 1, &v, err) < 0)
				goto fail;
			/* the key's bytes move to the dictionary */
			dict_append(o, k->u.s.p, v);
			k->u.s.p = NULL;
			pdfread_obj_free(k);
			k = NULL;
			v = NULL;
		}
		dict_dedup(o);
		*out = o;
		return 0;
	}
	if (c == '[') {
		l->i++;
		o = pdfread_obj_new(PDFREAD_ARRAY);
		for (;;) {
			skip_ws(l);
			if (l->i < l->n && l->p[l->i] == ']') {
				l->i++;
				break;
			}
			if (charge(pdf, sizeof(void *), err) < 0 ||
			    parse_obj(pdf, l, depth + 1, &v, err) < 0)
				goto fail;
			pdfread_array_push(o, v);
			v = NULL;
		}
		*out = o;
		return 0;
	}
	if (word_is(l, "true") || word_is(l, "false")) {
		o = pdfread_obj_new(PDFREAD_BOOL);
		o->u.b = l->p[l->i] == 't';
		l->i += word_len(l);
		*out = o;
		return 0;
	}
	if (word_is(l, "null")) {
		l->i += 4;
		*out = pdfread_obj_new(PDFREAD_NULL);
		return 0;
	}
	if (parse_number(l, &o, err) < 0)
		return -1;
	maybe_ref(l, &o);
	*out = o;
	return 0;
fail:
	pdfread_obj_free(o);
	pdfread_obj_free(k);
	pdfread_obj_free(v);
	return -1;
}

/* --- indirect objects ----------------------------------------------- */

/*
 * The offsets of every "endstream" in the file, found in one pass the
 * first time a stream's /Length cannot be trusted, so that a file of many
 * streams without /Length (or without endstream) is searched once, not once
 * per stream.
 */
static int
endstream_index(struct pdfread *pdf, struct cf_err *err)
{
	const unsigned char *p = pdf->p, *e = pdf->p + pdf->n, *f;
	size_t cap = 0;

	if (pdf->endstream_done)
		return 0;
	pdf->endstream_done = 1;
	while (p < e && (f = memmem(p, (size_t)(e - p), "endstream", 9)) != NULL) {
		if (pdf->nendstream == cap) {
			if (charge(pdf, (cap ? cap : 16) * sizeof(uint64_t), err) < 0)
				return -1;
			cap = cap ? 2 * cap : 16;
			pdf->endstream = xreallocarray(pdf->endstream, cap, sizeof(uint64_t));
		}
		pdf->endstream[pdf->nendstream++] = (uint64_t)(f - pdf->p);
		p = f + 9;
	}
	return 0;
}

static int
stream_length(struct pdfread *pdf, const struct pdfread_obj *d, uint64_t start,
	      uint64_t *len)
{
	const struct pdfread_obj *lo = pdfread_dict_getr(pdf, d, "Length");
	size_t a, b;

	if (lo && lo->type == PDFREAD_INT && lo->u.i >= 0 &&
	    (uint64_t)lo->u.i <= pdf->n - start) {
		uint64_t e = start + (uint64_t)lo->u.i;

		/* Trust /Length only when "endstream" follows. */
		while (e < pdf->n && is_ws(pdf->p[e]))
			e++;
		if (pdf->n - e >= 9 && memcmp(pdf->p + e, "endstream", 9) == 0) {
			*len = (uint64_t)lo->u.i;
			return 0;
		}
	}
	/* Fall back to the first "endstream" at or after start. */
	if (endstream_index(pdf, NULL) < 0)
		return -1;
	for (a = 0, b = pdf->nendstream; a < b;) {
		size_t m = a + (b - a) / 2;

		if (pdf->endstream[m] < start)
			a = m + 1;
		else
			b = m;
	}
	if (a < pdf->nendstream) {
		uint64_t e = pdf->endstream[a];

		if (e > start && pdf->p[e - 1] == '\n')
			e--;
		if (e > start && pdf->p[e - 1] == '\r')
			e--;
		*len = e - start;
		return 0;
	}
	return -1;
}

/* Parse "num gen obj <object> [stream...] endobj" at offset off. */
static int
parse_indirect(struct pdfread *pdf, uint64_t off, unsigned want, struct pdfread_obj **out,
	       struct cf_err *err)
{
	struct lex l = { pdf->p, pdf->n, 0 };
	uint64_t num, gen;
	struct pdfread_obj *o = NULL;

	*out = NULL;
	if (off >= pdf->n)
		return cf_err_set(err, CF_EPDF, "object %u: offset %llu is past the end of the file",
				  want, (unsigned long long)off);
	l.i = (size_t)off;
	skip_ws(&l);
	if (lex_uint(&l, &num) < 0 || (skip_ws(&l), lex_uint(&l, &gen)) < 0 ||
	    (skip_ws(&l), !word_is(&l, "obj")))
		return cf_err_set(err, CF_EPDF, "object %u: no 'obj' header at offset %llu",
				  want, (unsigned long long)off);
	if (want != (unsigned)-1 && num != want)
		return cf_err_set(err, CF_EPDF, "object %u: offset %llu holds object %llu",
				  want, (unsigned long long)off, (unsigned long long)num);
	l.i += 3;
	if (parse_obj(pdf, &l, 0, &o, err) < 0) {
		cf_err_prefix(err, "object %u", want);
		return -1;
	}
	skip_ws(&l);
	if (o->type == PDFREAD_DICT && word_is(&l, "stream")) {
		uint64_t start, len;

		l.i += 6;
		if (l.i < l.n && l.p[l.i] == '\r')
			l.i++;
		if (l.i < l.n && l.p[l.i] == '\n')
			l.i++;
		start = l.i;
		o->type = PDFREAD_STREAM;
		if (stream_length(pdf, o, start, &len) < 0) {
			pdfread_obj_free(o);
			return cf_err_set(err, CF_EPDF, "object %u: stream without 'endstream'", want);
		}
		o->soff = start;
		o->slen = len;
	}
	*out = o;
	return 0;
}

/*
 * Decode object stream stm once and index its header (pairs of object
 * number and offset), so that each of its N objects is found without
 * re-reading the header.  The decoded bytes and the index are charged to
 * the file's budget.
 */
static struct objstm *
objstm_load(struct pdfread *pdf, unsigned stm, struct cf_err *err)
{
	const struct pdfread_obj *s, *n;
	struct cf_buf data = CF_BUF_INIT;
	struct objstm *os;
	struct lex l;
	uint64_t k, num, off;
	unsigned slot;

	if (pdf->x[stm].type != 1)
		return cf_err_set(err, CF_EPDF, "object stream %u is missing", stm), NULL;
	if (pdf->x[stm].idx) {
		os = &pdf->objstm[pdf->x[stm].idx - 1];
		if (os->state == 1)
			return os;
		return cf_err_set(err, CF_EPDF, "object stream %u is unreadable", stm), NULL;
	}
	if (pdf->nobjstm == pdf->objstm_cap) {
		pdf->objstm_cap = pdf->objstm_cap ? 2 * pdf->objstm_cap : 8;
		pdf->objstm = xreallocarray(pdf->objstm, pdf->objstm_cap, sizeof(*pdf->objstm));
	}
	slot = pdf->nobjstm++;
	memset(&pdf->objstm[slot], 0, sizeof(*pdf->objstm));
	pdf->x[stm].idx = slot + 1;
	/* getting objects may load other object streams (and move pdf->objstm) */
	s = pdfread_get(pdf, stm, err);
	if (s == NULL || s->type != PDFREAD_STREAM)
		return cf_err_set(err, CF_EPDF, "object stream %u is missing", stm), NULL;
	n = pdfread_dict_getr(pdf, s, "N");
	if (!n || n->type != PDFREAD_INT || n->u.i < 0)
		return cf_err_set(err, CF_EPDF, "object stream %u: bad /N or /First", stm), NULL;
	if (pdfread_stream_read(pdf, s, pdf->mem_max - pdf->mem < MAX_OBJSTM_DECODED ?
				pdf->mem_max - pdf->mem : MAX_OBJSTM_DECODED, &data, err) < 0) {
		/* the work is charged too: the next object stream is not decoded */
		charge(pdf, data.len, NULL);
		cf_buf_release(&data);
		return NULL;
	}
	if (charge(pdf, data.len, err) < 0) {
		cf_buf_release(&data);
		return NULL;
	}
	os = &pdf->objstm[slot];
	os->data = data;
	l.p = (const unsigned char *)os->data.data;
	l.n = os->data.len;
	l.i = 0;
	for (k = 0; k < (uint64_t)n->u.i; k++) {
		skip_ws(&l);
		if (lex_uint(&l, &num) < 0)
			break;
		skip_ws(&l);
		if (lex_uint(&l, &off) < 0)
			break;
		if (needs_room(os->nhdr)) {
			size_t cap = os->nhdr ? 2 * os->nhdr : 1;

			if (charge(pdf, cap * sizeof(*os->hdr), err) < 0)
				return NULL;
			os->hdr = xreallocarray(os->hdr, cap, sizeof(*os->hdr));
		}
		os->hdr[os->nhdr].num = num;
		os->hdr[os->nhdr++].off = off;
	}
	os->state = 1;
	return os;
}

static int
parse_from_objstm(struct pdfread *pdf, unsigned num, unsigned stm, unsigned idx,
		  struct pdfread_obj **out, struct cf_err *err)
{
	const struct pdfread_obj *s, *first;
	struct objstm *os;
	struct lex l;

	if (stm >= pdf->nx || stm == num)
		return cf_err_set(err, CF_EPDF, "object %u: bad object stream %u", num, stm);
	if ((os = objstm_load(pdf, stm, err)) == NULL)
		return -1;
	s = pdf->x[stm].obj;
	first = pdfread_dict_getr(pdf, s, "First");
	if (!first || first->type != PDFREAD_INT || first->u.i < 0)
		return cf_err_set(err, CF_EPDF, "object stream %u: bad /N or /First", stm);
	if (idx >= os->nhdr)
		return cf_err_set(err, CF_EPDF, "object stream %u: bad header", stm);
	if (os->hdr[idx].num != num)
		return cf_err_set(err, CF_EPDF, "object stream %u: entry %u is object %llu, not %u",
				  stm, idx, (unsigned long long)os->hdr[idx].num, num);
	l.p = (const unsigned char *)os->data.data;
	l.n = os->data.len;
	if ((uint64_t)first->u.i + os->hdr[idx].off >= l.n)
		return cf_err_set(err, CF_EPDF, "object stream %u: offset out of range", stm);
	l.i = (size_t)((uint64_t)first->u.i + os->hdr[idx].off);
	if (parse_obj(pdf, &l, 0, out, err) < 0) {
		cf_err_prefix(err, "object %u (in object stream %u)", num, stm);
		return -1;
	}
	return 0;
}

const struct pdfread_obj *
pdfread_get(struct pdfread *pdf, unsigned num, struct cf_err *err)
{
	struct xent *e;
	struct pdfread_obj *o = NULL;
	int r;

	if (num >= pdf->nx)
		return NULL;
	e = &pdf->x[num];
	if (e->obj)
		return e->obj;
	if (e->loading == 2) {
		cf_err_set(err, CF_EPDF, "object %u is unreadable", num);
		return NULL;
	}
	if (e->type == 0 || e->loading || pdf->depth > 16)
		return NULL;
	e->loading = 1;
	pdf->depth++;
	if (e->type == 1)
		r = parse_indirect(pdf, e->off, num, &o, err);
	else
		r = parse_from_objstm(pdf, num, (unsigned)e->off, e->idx, &o, err);
	pdf->depth--;
	e->loading = 0;
	if (r < 0) {
		e->loading = 2;	/* parsed once, never again */
		return NULL;
	}
	e->obj = o;
	return o;
}

const struct pdfread_obj *
pdfread_resolve(struct pdfread *pdf, const struct pdfread_obj *o)
{
	int hops = 0;

	while (o && o->type == PDFREAD_REF && hops++ < 32)
		o = pdfread_get(pdf, o->u.ref.num, NULL);
	if (o == NULL || o->type == PDFREAD_REF || o->type == PDFREAD_NULL)
		return NULL;
	return o;
}

const struct pdfread_obj *
pdfread_dict_getr(struct pdfread *pdf, const struct pdfread_obj *d, const char *key)
{
	return pdfread_resolve(pdf, pdfread_dict_get(d, key));
}

/* --- streams -------------------------------------------------------- */

static int
filter_kind(struct pdfread *pdf, const struct pdfread_obj *s, int *flate,
	    const struct pdfread_obj **parms, struct cf_err *err)
{
	const struct pdfread_obj *f = pdfread_dict_getr(pdf, s, "Filter");
	const struct pdfread_obj *p = pdfread_dict_getr(pdf, s, "DecodeParms");

	*flate = 0;
	*parms = NULL;
	if (f && f->type == PDFREAD_ARRAY) {
		if (f->u.a.n > 1)
			return cf_err_set(err, CF_EPDF, "unsupported filter chain");
		f = f->u.a.n ? pdfread_resolve(pdf, f->u.a.v[0]) : NULL;
		if (p && p->type == PDFREAD_ARRAY)
			p = p->u.a.n ? pdfread_resolve(pdf, p->u.a.v[0]) : NULL;
	}
	if (f == NULL) {
		return 0;
	}
	if (!pdfread_is_name(f, "FlateDecode") && !pdfread_is_name(f, "Fl"))
		return cf_err_set(err, CF_EPDF, "unsupported filter /%.*s",
				  f->type == PDFREAD_NAME ? (int)f->u.s.n : 1,
				  f->type == PDFREAD_NAME ? f->u.s.p : "?");
	*flate = 1;
	if (p && p->type == PDFREAD_DICT)
		*parms = p;
	return 0;
}

/*
 * Large streams are read through the mapping once; let the kernel take the
 * pages back from this process (they stay in the page cache) so the
 * resident size does not grow with the attachment.
 */
static void
drop_pages(struct pdfread *pdf, uint64_t off, size_t n)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t a, b;

	if (!pdf->mapped || pg <= 0 || n < (size_t)pg)
		return;
	a = (off + (uint64_t)pg - 1) & ~((uint64_t)pg - 1);
	b = (off + n) & ~((uint64_t)pg - 1);
	if (b > a)
		madvise((void *)(pdf->p + a), (size_t)(b - a), MADV_DONTNEED);
}

int
pdfread_stream_decode(struct pdfread *pdf, const struct pdfread_obj *s, pdfread_sink_fn fn,
		  void *cookie, struct cf_err *err)
{
	const struct pdfread_obj *parms, *pred;
	unsigned char out[65536];
	z_stream z;
	int flate, zr, ret = -1;

	if (s == NULL || s->type != PDFREAD_STREAM)
		return cf_err_set(err, CF_EPDF, "not a stream");
	if (filter_kind(pdf, s, &flate, &parms, err) < 0)
		return -1;
	if (s->soff > pdf->n || s->slen > pdf->n - s->soff)
		return cf_err_set(err, CF_EPDF, "stream data out of range");
	if (!flate) {
		uint64_t pos = s->soff, end = s->soff + s->slen;

		while (pos < end) {
			size_t k = end - pos > (1u << 20) ? (1u << 20) : (size_t)(end - pos);

			if (fn(cookie, pdf->p + pos, k, err) < 0)
				return -1;
			drop_pages(pdf, pos, k);
			pos += k;
		}
		return 0;
	}
	pred = pdfread_dict_getr(pdf, parms, "Predictor");
	if (pred && pred->type == PDFREAD_INT && pred->u.i > 1)
		return cf_err_set(err, CF_EPDF, "predictors are not supported in streamed decoding");
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return cf_err_set(err, CF_EPDF, "zlib initialisation failed");
	z.next_in = (unsigned char *)(pdf->p + s->soff);
	z.avail_in = 0;
	{
		uint64_t left = s->slen;

		uint64_t fed = s->soff;

		do {
			if (z.avail_in == 0 && left > 0) {
				/* feed 1 MB at a time so consumed pages can be dropped */
				if (fed > s->soff)
					drop_pages(pdf, fed - (1u << 20), 1u << 20);
				z.avail_in = left > (1u << 20) ? (1u << 20) : (unsigned)left;
				left -= z.avail_in;
				fed += z.avail_in;
			}
			z.next_out = out;
			z.avail_out = sizeof(out);
			zr = inflate(&z, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
				cf_err_set(err, CF_EPDF, "corrupt FlateDecode data: %s",
					   z.msg ? z.msg : "inflate failed");
				goto out;
			}
			if (sizeof(out) - z.avail_out > 0 &&
			    fn(cookie, out, sizeof(out) - z.avail_out, err) < 0)
				goto out;
			if (zr == Z_BUF_ERROR && z.avail_in == 0 && left == 0) {
				cf_err_set(err, CF_EPDF, "truncated FlateDecode data");
				goto out;
			}
		} while (zr != Z_STREAM_END);
	}
	ret = 0;
out:
	inflateEnd(&z);
	return ret;
}

struct capbuf {
	struct cf_buf *b;
	size_t max;
};

static int
cap_sink(void *cookie, const void *p, size_t n, struct cf_err *err)
{
	struct capbuf *c = cookie;

	if (n > c->max || c->b->len > c->max - n)
		return cf_err_set(err, CF_EPDF, "decoded stream larger than %zu bytes", c->max);
	cf_buf_add(c->b, p, n);
	return 0;
}

static int
paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	if (pa <= pb && pa <= pc)
		return a;
	return pb <= pc ? b : c;
}

/* Undo PNG predictors (10..15) in place: rows of 1 tag byte + cols*bpp. */
static int
unpredict(struct cf_buf *b, size_t start, long colors, long bpc, long columns,
	  struct cf_err *err)
{
	size_t bpp, row, nrows, r, i, o = start;
	unsigned char *p = (unsigned char *)b->data + start, *prev = NULL;
	unsigned char *w = p;

	if (colors < 1 || colors > 32 || bpc < 1 || bpc > 16 || columns < 1 ||
	    columns > (1L << 24))
		return cf_err_set(err, CF_EPDF, "bad predictor parameters");
	bpp = (size_t)((colors * bpc + 7) / 8);
	row = (size_t)((colors * bpc * columns + 7) / 8);
	if ((b->len - start) % (row + 1))
		return cf_err_set(err, CF_EPDF, "predicted data is not whole rows");
	nrows = (b->len - start) / (row + 1);
	for (r = 0; r < nrows; r++) {
		unsigned char *src = p + r * (row + 1), tag = src[0];
		unsigned char *cur = w + r * row;

		/* cur may overlap src + 1 only from behind: copy first */
		memmove(cur, src + 1, row);
		for (i = 0; i < row; i++) {
			int a = i >= bpp ? cur[i - bpp] : 0;
			int up = prev ? prev[i] : 0;
			int c = (prev && i >= bpp) ? prev[i - bpp] : 0;

			switch (tag) {
			case 0: break;
			case 1: cur[i] = (unsigned char)(cur[i] + a); break;
			case 2: cur[i] = (unsigned char)(cur[i] + up); break;
			case 3: cur[i] = (unsigned char)(cur[i] + ((a + up) >> 1)); break;
			case 4: cur[i] = (unsigned char)(cur[i] + paeth(a, up, c)); break;
			default:
				return cf_err_set(err, CF_EPDF, "bad PNG predictor tag %d", tag);
			}
		}
		prev = cur;
	}
	o = start + nrows * row;
	b->len = o;
	b->data[o] = '\0';
	return 0;
}

static long
parm_int(struct pdfread *pdf, const struct pdfread_obj *parms, const char *k, long dflt)
{
	const struct pdfread_obj *v = pdfread_dict_getr(pdf, parms, k);

	return v && v->type == PDFREAD_INT ? (long)v->u.i : dflt;
}

int
pdfread_stream_read(struct pdfread *pdf, const struct pdfread_obj *s, size_t max,
		struct cf_buf *out, struct cf_err *err)
{
	const struct pdfread_obj *parms, *predo;
	struct capbuf c = { out, 0 };
	size_t start = out->len;
	int flate;
	long pred;

	if (s == NULL || s->type != PDFREAD_STREAM)
		return cf_err_set(err, CF_EPDF, "not a stream");
	if (filter_kind(pdf, s, &flate, &parms, err) < 0)
		return -1;
	c.max = start + max;
	predo = flate && parms ? pdfread_dict_getr(pdf, parms, "Predictor") : NULL;
	pred = predo && predo->type == PDFREAD_INT ? (long)predo->u.i : 1;
	if (pred > 1) {
		/* pdfread_stream_decode refuses predictors: inflate by hand */
		z_stream z;
		unsigned char buf[65536];
		int zr;

		if (s->soff > pdf->n || s->slen > pdf->n - s->soff)
			return cf_err_set(err, CF_EPDF, "stream data out of range");
		memset(&z, 0, sizeof(z));
		if (inflateInit(&z) != Z_OK)
			return cf_err_set(err, CF_EPDF, "zlib initialisation failed");
		z.next_in = (unsigned char *)(pdf->p + s->soff);
		z.avail_in = s->slen > (1u << 30) ? (1u << 30) : (unsigned)s->slen;
		do {
			z.next_out = buf;
			z.avail_out = sizeof(buf);
			zr = inflate(&z, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END) {
				inflateEnd(&z);
				return cf_err_set(err, CF_EPDF, "corrupt FlateDecode data");
			}
			if (cap_sink(&c, buf, sizeof(buf) - z.avail_out, err) < 0) {
				inflateEnd(&z);
				return -1;
			}
		} while (zr != Z_STREAM_END);
		inflateEnd(&z);
		if (pred >= 10)
			return unpredict(out, start, parm_int(pdf, parms, "Colors", 1),
					 parm_int(pdf, parms, "BitsPerComponent", 8),
					 parm_int(pdf, parms, "Columns", 1), err);
		return cf_err_set(err, CF_EPDF, "unsupported predictor %ld", pred);
	}
	return pdfread_stream_decode(pdf, s, cap_sink, &c, err);
}

/* --- cross-reference data ------------------------------------------- */

static void xref_grow(struct pdfread *pdf, uint64_t size);

/*
 * Record an entry.  The table grows only as far as entries actually
 * present, and object numbers are capped relative to the file size (xcap),
 * so a file claiming /Size 8000000 (or /Index [8000000 1]) cannot make us
 * allocate hundreds of megabytes.
 */
static void
xref_set(struct pdfread *pdf, uint64_t num, int type, uint64_t off, unsigned idx)
{
	struct xent *e;

	if (num >= pdf->xcap)
		return;
	if (num >= pdf->nx)
		xref_grow(pdf, num + 1 > 2 * (uint64_t)pdf->nx ? num + 1 : 2 * (uint64_t)pdf->nx);
	e = &pdf->x[num];
	if (e->seen)
		return;	/* a newer section already defined it */
	e->seen = 1;
	e->type = (unsigned char)type;
	e->off = off;
	e->idx = idx;
}

static void
xref_grow(struct pdfread *pdf, uint64_t size)
{
	if (size > pdf->xcap)
		size = pdf->xcap;
	if (size <= pdf->nx)
		return;
	pdf->x = xreallocarray(pdf->x, (size_t)size, sizeof(*pdf->x));
	memset(pdf->x + pdf->nx, 0, (size_t)(size - pdf->nx) * sizeof(*pdf->x));
	pdf->nx = (unsigned)size;
}

static int
read_xref_table(struct pdfread *pdf, struct lex *l, struct pdfread_obj **trailer,
		struct cf_err *err)
{
	uint64_t start, count, k, off, gen;

	l->i += 4;	/* xref */
	for (;;) {
		skip_ws(l);
		if (word_is(l, "trailer")) {
			l->i += 7;
			if (parse_obj(pdf, l, 0, trailer, err) < 0)
				return -1;
			if ((*trailer)->type != PDFREAD_DICT)
				return perr(err, l, "trailer is not a dictionary");
			return 0;
		}
		if (lex_uint(l, &start) < 0 || (skip_ws(l), lex_uint(l, &count)) < 0)
			return perr(err, l, "bad xref subsection header");
		if (count > PDFREAD_MAX_OBJECTS || start > PDFREAD_MAX_OBJECTS ||
		    count * 18 > l->n - l->i)
			return perr(err, l, "xref subsection too large");
		for (k = 0; k < count; k++) {
			int kind;

			skip_ws(l);
			if (lex_uint(l, &off) < 0 || (skip_ws(l), lex_uint(l, &gen)) < 0)
				return perr(err, l, "bad xref entry");
			skip_ws(l);
			if (l->i >= l->n || (l->p[l->i] != 'n' && l->p[l->i] != 'f'))
				return perr(err, l, "bad xref entry type");
			kind = l->p[l->i++] == 'n' ? 1 : 0;
			xref_set(pdf, start + k, kind, off, 0);
		}
	}
}

static uint64_t
be_field(const unsigned char *p, long w)
{
	uint64_t v = 0;
	long k;

	for (k = 0; k < w; k++)
		v = (v << 8) | p[k];
	return v;
}

static int
read_xref_stream(struct pdfread *pdf, uint64_t off, struct pdfread_obj **trailer,
		 struct cf_err *err)
{
	struct pdfread_obj *s = NULL;
	const struct pdfread_obj *w, *index, *sz;
	struct cf_buf data = CF_BUF_INIT;
	long wf[3];
	size_t i, pos = 0, rowlen;
	int ret = -1;

	if (parse_indirect(pdf, off, (unsigned)-1, &s, NULL) < 0)
		return cf_err_set(err, CF_EPDF, "no xref at offset %llu", (unsigned long long)off);
	if (s->type != PDFREAD_STREAM || !pdfread_is_name(pdfread_dict_get(s, "Type"), "XRef")) {
		cf_err_set(err, CF_EPDF, "no xref at offset %llu", (unsigned long long)off);
		goto out;
	}
	w = pdfread_dict_get(s, "W");
	sz = pdfread_dict_get(s, "Size");
	if (!w || w->type != PDFREAD_ARRAY || w->u.a.n != 3 || !sz || sz->type != PDFREAD_INT ||
	    sz->u.i < 0) {
		cf_err_set(err, CF_EPDF, "xref stream at %llu: bad /W or /Size",
			   (unsigned long long)off);
		goto out;
	}
	for (i = 0; i < 3; i++) {
		if (w->u.a.v[i]->type != PDFREAD_INT || w->u.a.v[i]->u.i < 0 ||
		    w->u.a.v[i]->u.i > 8) {
			cf_err_set(err, CF_EPDF, "xref stream: bad /W");
			goto out;
		}
		wf[i] = (long)w->u.a.v[i]->u.i;
	}
	rowlen = (size_t)(wf[0] + wf[1] + wf[2]);
	if (rowlen == 0) {
		cf_err_set(err, CF_EPDF, "xref stream: bad /W");
		goto out;
	}
	/*
	 * /Length may be indirect: objects known so far are usable.  Rows past
	 * xcap would be dropped anyway, so no more than xcap rows (and their
	 * predictor bytes) are decoded, within the budget of all sections.
	 */
	{
		uint64_t max = ((uint64_t)pdf->xcap + 1) * (rowlen + 1) + 4096;
		uint64_t left = 4 * (uint64_t)pdf->n + MEM_SLACK - pdf->xref_decoded;

		if (max > MAX_XREF_DECODED)
			max = MAX_XREF_DECODED;
		if (max > left)
			max = left;
		if (s->slen > 2 * (uint64_t)pdf->n + (1u << 20) - pdf->xref_raw) {
			cf_err_set(err, CF_EPDF, "xref sections larger than the file");
			goto out;
		}
		pdf->xref_raw += s->slen;
		if (pdfread_stream_read(pdf, s, (size_t)max, &data, err) < 0) {
			cf_err_prefix(err, "xref stream at %llu", (unsigned long long)off);
			goto out;
		}
		pdf->xref_decoded += data.len;
	}
	index = pdfread_dict_get(s, "Index");
	for (i = 0; index == NULL ? i < 1 : i + 1 < index->u.a.n + 1; i += 2) {
		uint64_t first = 0, count = (uint64_t)sz->u.i, k;

		if (index) {
			if (index->type != PDFREAD_ARRAY || i + 1 >= index->u.a.n ||
			    index->u.a.v[i]->type != PDFREAD_INT || index->u.a.v[i + 1]->type != PDFREAD_INT ||
			    index->u.a.v[i]->u.i < 0 || index->u.a.v[i + 1]->u.i < 0) {
				if (index->type == PDFREAD_ARRAY && i >= index->u.a.n)
					break;
				cf_err_set(err, CF_EPDF, "xref stream: bad /Index");
				goto out;
			}
			first = (uint64_t)index->u.a.v[i]->u.i;
			count = (uint64_t)index->u.a.v[i + 1]->u.i;
			if (first > PDFREAD_MAX_OBJECTS || count > PDFREAD_MAX_OBJECTS) {
				cf_err_set(err, CF_EPDF, "xref stream: bad /Index");
				goto out;
			}
		}
		for (k = 0; k < count; k++) {
			const unsigned char *r;
			uint64_t t, f2, f3;

			if (data.len - pos < rowlen)
				break;
			r = (const unsigned char *)data.data + pos;
			pos += rowlen;
			t = wf[0] ? be_field(r, wf[0]) : 1;
			f2 = be_field(r + wf[0], wf[1]);
			f3 = be_field(r + wf[0] + wf[1], wf[2]);
			if (t == 1)
				xref_set(pdf, first + k, 1, f2, 0);
			else if (t == 2)
				xref_set(pdf, first + k, 2, f2, (unsigned)f3);
			else
				xref_set(pdf, first + k, 0, 0, 0);
		}
		if (index == NULL)
			break;
	}
	/* The stream's dictionary is the trailer. */
	s->type = PDFREAD_DICT;
	*trailer = s;
	s = NULL;
	ret = 0;
out:
	cf_buf_release(&data);
	pdfread_obj_free(s);
	return ret;
}

static int
find_startxref(struct pdfread *pdf, uint64_t *off, struct cf_err *err)
{
	size_t from = pdf->n > 2048 ? pdf->n - 2048 : 0, j;
	struct lex l = { pdf->p, pdf->n, 0 };

	for (j = pdf->n; j-- > from;)
		if (pdf->p[j] == 's' && pdf->n - j >= 9 && memcmp(pdf->p + j, "startxref", 9) == 0) {
			l.i = j + 9;
			skip_ws(&l);
			if (lex_uint(&l, off) < 0 || *off >= pdf->n)
				return cf_err_set(err, CF_EPDF, "bad startxref value");
			return 0;
		}
	return cf_err_set(err, CF_EPDF, "no startxref (truncated file?)");
}

static int
load_xref(struct pdfread *pdf, struct cf_err *err)
{
	/*
	 * Every section is read once: its offset, after white space, is kept
	 * (a loop through any number of sections is refused, and so are
	 * /Prev offsets that differ only by leading blanks).
	 */
	uint64_t off, seen[MAX_XREF_SECTIONS];
	unsigned nsec = 0, k;
	int first = 1;

	if (find_startxref(pdf, &off, err) < 0)
		return -1;
	pdf->startxref = off;
	for (;;) {
		struct pdfread_obj *tr = NULL;
		struct lex l = { pdf->p, pdf->n, (size_t)off };
		const struct pdfread_obj *prev, *xs;
		int is_stream;

		skip_ws(&l);
		for (k = 0; k < nsec; k++)
			if (seen[k] == l.i)
				return cf_err_set(err, CF_EPDF, "xref sections form a loop at %llu",
						  (unsigned long long)off);
		if (nsec == MAX_XREF_SECTIONS)
			return cf_err_set(err, CF_EPDF, "too many xref sections");
		seen[nsec++] = l.i;
		is_stream = !word_is(&l, "xref");
		if (!is_stream) {
			size_t from = l.i;

			if (read_xref_table(pdf, &l, &tr, err) < 0) {
				pdfread_obj_free(tr);
				cf_err_prefix(err, "bad xref at %llu", (unsigned long long)off);
				return -1;
			}
			pdf->xref_raw += l.i - from;
			if (pdf->xref_raw > 2 * (uint64_t)pdf->n + (1u << 20)) {
				if (tr != pdf->trailer)
					pdfread_obj_free(tr);
				return cf_err_set(err, CF_EPDF, "xref sections larger than the file");
			}
		} else if (read_xref_stream(pdf, off, &tr, err) < 0) {
			return -1;
		}
		if (first) {
			const struct pdfread_obj *sz = pdfread_dict_get(tr, "Size");

			pdf->xref_stream = is_stream;
			pdf->trailer = tr;
			if (!sz || sz->type != PDFREAD_INT || sz->u.i < 1 || sz->u.i > PDFREAD_MAX_OBJECTS)
				return cf_err_set(err, CF_EPDF, "trailer has no valid /Size");
			pdf->size = (unsigned)sz->u.i;
			first = 0;
		}
		/* hybrid file: the table's /XRefStm section comes right after it */
		xs = pdfread_dict_get(tr, "XRefStm");
		if (!is_stream && xs && xs->type == PDFREAD_INT && xs->u.i > 0 &&
		    (uint64_t)xs->u.i < pdf->n) {
			struct pdfread_obj *t2 = NULL;
			struct lex lx = { pdf->p, pdf->n, (size_t)xs->u.i };

			/* a stream named by several sections is read once */
			skip_ws(&lx);
			for (k = 0; k < nsec; k++)
				if (seen[k] == lx.i)
					break;
			if (k < nsec)
				goto chain;
			if (nsec == MAX_XREF_SECTIONS) {
				if (tr != pdf->trailer)
					pdfread_obj_free(tr);
				return cf_err_set(err, CF_EPDF, "too many xref sections");
			}
			seen[nsec++] = lx.i;

			if (read_xref_stream(pdf, (uint64_t)xs->u.i, &t2, err) < 0) {
				if (tr != pdf->trailer)
					pdfread_obj_free(tr);
				return -1;
			}
			pdfread_obj_free(t2);
		}
chain:
		prev = pdfread_dict_get(tr, "Prev");
		if (!prev || prev->type != PDFREAD_INT) {
			if (tr != pdf->trailer)
				pdfread_obj_free(tr);
			break;
		}
		if (prev->u.i < 0 || (uint64_t)prev->u.i >= pdf->n) {
			if (tr != pdf->trailer)
				pdfread_obj_free(tr);
			return cf_err_set(err, CF_EPDF, "bad /Prev offset");
		}
		off = (uint64_t)prev->u.i;
		if (tr != pdf->trailer)
			pdfread_obj_free(tr);
	}
	if (pdfread_dict_get(pdf->trailer, "Encrypt"))
		return cf_err_set(err, CF_EPDF, "encrypted PDFs are not supported");
	return 0;
}

static int
open_common(struct pdfread *pdf, struct cf_err *err)
{
	size_t j, lim = pdf->n < 1024 ? pdf->n : 1024;
	uint64_t xcap = (uint64_t)pdf->n / 32 + 65536;

	pdf->xcap = xcap < PDFREAD_MAX_OBJECTS ? (unsigned)xcap : PDFREAD_MAX_OBJECTS;
	pdf->mem_max = pdf->n < (SIZE_MAX - MEM_SLACK) / 2 ? 2 * pdf->n + MEM_SLACK : SIZE_MAX;
	for (j = 0; j + 5 <= lim; j++)
		if (memcmp(pdf->p + j, "%PDF-", 5) == 0)
			break;
	if (j + 5 > lim)
		return cf_err_set(err, CF_EPDF, "not a PDF (no %%PDF- header)");
	if (load_xref(pdf, err) < 0)
		return -1;
	if (pdfread_catalog(pdf, NULL, NULL) == NULL) {
		const struct pdfread_obj *r = pdfread_dict_get(pdf->trailer, "Root");
		struct cf_err why = CF_ERR_INIT;

		if (r && r->type == PDFREAD_REF && r->u.ref.num < pdf->nx) {
			pdf->x[r->u.ref.num].loading = 0;	/* once more, for the reason */
			pdfread_get(pdf, r->u.ref.num, &why);
		}
		cf_err_set(err, CF_EPDF, "no document catalog (/Root)%s%s",
			   why.msg ? ": " : "", why.msg ? why.msg : "");
		cf_err_release(&why);
		return -1;
	}
	return 0;
}

int
pdfread_open_mem(const void *data, size_t n, struct pdfread **out, struct cf_err *err)
{
	struct pdfread *pdf = xcalloc(1, sizeof(*pdf));

	pdf->p = data;
	pdf->n = n;
	if (open_common(pdf, err) < 0) {
		pdfread_close(pdf);
		return -1;
	}
	*out = pdf;
	return 0;
}

int
pdfread_open(const char *path, struct pdfread **out, struct cf_err *err)
{
	struct pdfread *pdf = NULL;
	struct stat st;
	void *m;
	int fd;

	/* O_NONBLOCK: a FIFO named as the PDF must not block open() */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
		return cf_err_errno(err, CF_EIO, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0) {
		cf_err_errno(err, CF_EIO, "cannot stat '%s'", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return cf_err_set(err, CF_EPDF, "cannot read '%s': not a PDF (%s)", path,
				  S_ISREG(st.st_mode) ? "empty file" :
				  S_ISFIFO(st.st_mode) ? "a FIFO, not a regular file" :
				  S_ISDIR(st.st_mode) ? "a directory, not a regular file" :
				  "not a regular file");
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return cf_err_errno(err, CF_EIO, "cannot map '%s'", path);
	pdf = xcalloc(1, sizeof(*pdf));
	pdf->p = m;
	pdf->n = (size_t)st.st_size;
	pdf->mapped = 1;
	if (open_common(pdf, err) < 0) {
		cf_err_prefix(err, "cannot read '%s'", path);
		pdfread_close(pdf);
		return -1;
	}
	*out = pdf;
	return 0;
}

void
pdfread_close(struct pdfread *pdf)
{
	unsigned i;

	if (pdf == NULL)
		return;
	for (i = 0; i < pdf->nx; i++)
		pdfread_obj_free(pdf->x[i].obj);
	for (i = 0; i < pdf->nobjstm; i++) {
		cf_buf_release(&pdf->objstm[i].data);
		free(pdf->objstm[i].hdr);
	}
	free(pdf->x);
	free(pdf->objstm);
	free(pdf->endstream);
	pdfread_obj_free(pdf->trailer);
	if (pdf->mapped)
		munmap((void *)pdf->p, pdf->n);
	free(pdf);
}

int
pdfread_exhausted(const struct pdfread *pdf)
{
	return pdf->exhausted;
}

uint64_t
pdfread_size(const struct pdfread *pdf)
{
	return pdf->n;
}

uint64_t
pdfread_startxref(const struct pdfread *pdf)
{
	return pdf->startxref;
}

int
pdfread_xref_is_stream(const struct pdfread *pdf)
{
	return pdf->xref_stream;
}

unsigned
pdfread_xref_size(const struct pdfread *pdf)
{
	return pdf->size;
}

const unsigned char *
pdfread_data(const struct pdfread *pdf)
{
	return pdf->p;
}

const struct pdfread_obj *
pdfread_trailer(const struct pdfread *pdf)
{
	return pdf->trailer;
}

const struct pdfread_obj *
pdfread_catalog(struct pdfread *pdf, unsigned *num, unsigned *gen)
{
	const struct pdfread_obj *r = pdfread_dict_get(pdf->trailer, "Root"), *c;

	if (!r || r->type != PDFREAD_REF)
		return NULL;
	c = pdfread_resolve(pdf, r);
	if (!c || c->type != PDFREAD_DICT)
		return NULL;
	if (num)
		*num = r->u.ref.num;
	if (gen)
		*gen = r->u.ref.gen;
	return c;
}

int
pdfread_first_page(struct pdfread *pdf, unsigned *num, unsigned *gen, struct cf_err *err)
{
	const struct pdfread_obj *node = pdfread_dict_get(pdfread_catalog(pdf, NULL, NULL), "Pages");
	int depth;

	for (depth = 0; depth < PDFREAD_MAX_DEPTH; depth++) {
		const struct pdfread_obj *d = pdfread_resolve(pdf, node), *kids, *type;

		if (node == NULL || node->type != PDFREAD_REF || d == NULL || d->type != PDFREAD_DICT)
			break;
		type = pdfread_dict_getr(pdf, d, "Type");
		kids = pdfread_dict_getr(pdf, d, "Kids");
		if (pdfread_is_name(type, "Page") || (!kids && !pdfread_is_name(type, "Pages"))) {
			*num = node->u.ref.num;
			*gen = node->u.ref.gen;
			return 0;
		}
		if (!kids || kids->type != PDFREAD_ARRAY || kids->u.a.n == 0)
			break;
		node = kids->u.a.v[0];
	}
	return cf_err_set(err, CF_EPDF, "the document has no pages");
}

/* --- name trees ------------------------------------------------------ */

/*
 * Each node is visited once: a node reached twice (a loop, or Kids that
 * share a subtree, which would make the walk exponential) is refused.
 */
struct walk {
	struct pdfread *pdf;
	unsigned char *seen;	/* bit per object number */
	pdfread_name_fn fn;
	void *cookie;
};

static int
walk_node(struct walk *w, const struct pdfread_obj *node, int depth, struct cf_err *err)
{
	struct pdfread *pdf = w->pdf;
	const struct pdfread_obj *names, *kids;
	size_t i;

	if (node && node->type == PDFREAD_REF && node->u.ref.num < pdf->nx) {
		unsigned num = node->u.ref.num;

		if (w->seen[num / 8] & (1u << (num % 8)))
			return cf_err_set(err, CF_EPDF, "name tree node %u 0 R is reached twice "
					  "(loop?)", num);
		w->seen[num / 8] |= (unsigned char)(1u << (num % 8));
	}
	node = pdfread_resolve(pdf, node);
	if (node == NULL || node->type != PDFREAD_DICT)
		return 0;
	if (depth > 32)
		return cf_err_set(err, CF_EPDF, "name tree too deep (loop?)");
	names = pdfread_dict_getr(pdf, node, "Names");
	if (names && names->type == PDFREAD_ARRAY)
		for (i = 0; i + 1 < names->u.a.n; i += 2)
			if (w->fn(w->cookie, pdfread_resolve(pdf, names->u.a.v[i]), names->u.a.v[i + 1],
				  err) < 0)
				return -1;
	kids = pdfread_dict_getr(pdf, node, "Kids");
	if (kids && kids->type == PDFREAD_ARRAY)
		for (i = 0; i < kids->u.a.n; i++)
			if (walk_node(w, kids->u.a.v[i], depth + 1, err) < 0)
				return -1;
	return 0;
}

int
pdfread_name_tree_walk(struct pdfread *pdf, const struct pdfread_obj *root, pdfread_name_fn fn,
		   void *cookie, struct cf_err *err)
{
	struct walk w = { pdf, NULL, fn, cookie };
	int r;

	w.seen = xcalloc((size_t)pdf->nx / 8 + 1, 1);
	r = walk_node(&w, root, 0, err);
	free(w.seen);
	return r;
}

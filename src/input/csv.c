/* SPDX-License-Identifier: MIT */
/*
 * csv — RFC 4180 record reader (see include/casefile/csv.h).
 *
 * One pass over the input per record: field bytes are copied into one
 * buffer, NUL-separated, and the offsets kept in an array, so a record costs
 * two allocations that are reused for the next record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/csv.h"
#include "casefile/xalloc.h"

struct csv {
	const char *p, *end;
	size_t line;		/* line of the next unread byte */
	size_t rec_line;	/* line the current record starts on */
	struct cf_buf fields;	/* field bytes, each followed by NUL */
	size_t *off;		/* start of each field in fields.data */
	size_t *len;
	size_t n, cap;
	const char *problem;
	/* resynchronising (csv_set_resync) */
	size_t want_fields;
	int (*starts)(void *cookie, const char *line, size_t n);
	void *cookie;
	char resync_msg[128];
};

struct csv *
csv_new(const char *s, size_t n)
{
	struct csv *c = xcalloc(1, sizeof(*c));

	c->p = s;
	c->end = s + n;
	c->line = 1;
	cf_buf_init(&c->fields);
	return c;
}

void
csv_free(struct csv *c)
{
	if (c == NULL)
		return;
	cf_buf_release(&c->fields);
	free(c->off);
	free(c->len);
	free(c);
}

static void
field_start(struct csv *c)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->off = xreallocarray(c->off, c->cap, sizeof(*c->off));
		c->len = xreallocarray(c->len, c->cap, sizeof(*c->len));
	}
	c->off[c->n] = c->fields.len;
}

static void
field_end(struct csv *c)
{
	c->len[c->n] = c->fields.len - c->off[c->n];
	cf_buf_addch(&c->fields, '\0');
	c->n++;
}

/* Consume a line break at p if there is one; returns 1 if consumed. */
static int
eat_newline(struct csv *c)
{
	if (c->p < c->end && *c->p == '\r') {
		c->p++;
		if (c->p < c->end && *c->p == '\n')
			c->p++;
		c->line++;
		return 1;
	}
	if (c->p < c->end && *c->p == '\n') {
		c->p++;
		c->line++;
		return 1;
	}
	return 0;
}

void
csv_set_resync(struct csv *c, size_t nfields,
	       int (*starts)(void *cookie, const char *line, size_t n), void *cookie)
{
	c->want_fields = nfields;
	c->starts = starts;
	c->cookie = cookie;
}

/* Read one record's fields from c->p; stops before its line break. */
static void
read_record(struct csv *c)
{
	cf_buf_reset(&c->fields);
	c->n = 0;
	c->problem = NULL;
	for (;;) {
		field_start(c);
		if (c->p < c->end && *c->p == '"') {
			c->p++;
			for (;;) {
				const char *q = c->p;

				while (q < c->end && *q != '"' && *q != '\n')
					q++;
				cf_buf_add(&c->fields, c->p, (size_t)(q - c->p));
				c->p = q;
				if (q >= c->end) {
					c->problem = "unterminated quoted field";
					break;
				}
				if (*q == '\n') {
					/* a CRLF inside quotes is kept as LF */
					if (c->fields.len > c->off[c->n] &&
					    c->fields.data[c->fields.len - 1] == '\r')
						c->fields.len--;
					cf_buf_addch(&c->fields, '\n');
					c->line++;
					c->p++;
					continue;
				}
				/* a quote: doubled, or the end of the field */
				if (q + 1 < c->end && q[1] == '"') {
					cf_buf_addch(&c->fields, '"');
					c->p = q + 2;
					continue;
				}
				c->p = q + 1;
				break;
			}
			/* text after the closing quote, up to the separator */
			if (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n') {
				const char *q = c->p;

				while (q < c->end && *q != ',' && *q != '\r' && *q != '\n')
					q++;
				cf_buf_add(&c->fields, c->p, (size_t)(q - c->p));
				c->p = q;
				if (!c->problem)
					c->problem = "text after a closing quote";
			}
		} else {
			const char *q = c->p;

			while (q < c->end && *q != ',' && *q != '\r' && *q != '\n')
				q++;
			if (!c->problem && memchr(c->p, '"', (size_t)(q - c->p)))
				c->problem = "quote inside an unquoted field";
			cf_buf_add(&c->fields, c->p, (size_t)(q - c->p));
			c->p = q;
		}
		field_end(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		break;
	}
}

/*
 * The record read from rec (line rec_line) up to c->p spans lines and is
 * irregular: the first line inside it that starts a record (by the
 * caller's judgement), or NULL.
 */
static const char *
resync_point(struct csv *c, const char *rec)
{
	const char *q;

	for (q = rec; q < c->p; q++) {
		const char *l = q + 1, *e;

		if (*q != '\n' || l >= c->p)
			continue;
		e = memchr(l, '\n', (size_t)(c->end - l));
		e = e ? e : c->end;
		if (e > l && e[-1] == '\r')
			e--;
		if (c->starts(c->cookie, l, (size_t)(e - l)))
			return l;
	}
	return NULL;
}

int
csv_next(struct csv *c)
{
	const char *rec, *cut;

	/* skip blank lines */
	while (eat_newline(c))
		;
	cf_buf_reset(&c->fields);
	c->n = 0;
	c->problem = NULL;
	if (c->p >= c->end)
		return 0;
	c->rec_line = c->line;
	rec = c->p;
	read_record(c);
	if (c->starts && c->line > c->rec_line &&
	    (c->problem || c->n != c->want_fields) && (cut = resync_point(c, rec)) != NULL) {
		/*
		 * A quoted field ran on over lines that start records of their
		 * own (an unterminated quote): read the record again, ending
		 * at the line break before the first of them, and go on there.
		 */
		const char *end = c->end, *brk = cut - 1;
		size_t resume;

		if (brk > rec && brk[-1] == '\r')
			brk--;
		c->end = brk;
		c->p = rec;
		c->line = c->rec_line;
		read_record(c);
		c->end = end;
		c->p = cut;
		resume = ++c->line;
		snprintf(c->resync_msg, sizeof(c->resync_msg),
			 "quoted field not closed: the record ends with line %zu, "
			 "reading resumed at line %zu", resume - 1, resume);
		c->problem = c->resync_msg;
		return 1;
	}
	eat_newline(c);
	return 1;
}

size_t
csv_nfields(const struct csv *c)
{
	return c->n;
}

const char *
csv_field(const struct csv *c, size_t i, size_t *len)
{
	if (i >= c->n)
		return NULL;
	if (len)
		*len = c->len[i];
	return c->fields.data + c->off[i];
}

size_t
csv_line(const struct csv *c)
{
	return c->rec_line;
}

const char *
csv_problem(const struct csv *c)
{
	return c->problem;
}

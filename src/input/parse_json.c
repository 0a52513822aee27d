/* SPDX-License-Identifier: MIT */
/*
 * parse_json — a JSON document read piece by piece (see parse_int.h).
 *
 * jansson builds a whole tree at several times the size of its text (a
 * 50 MB chat log took about 300 MB), and it refuses a whole document for one
 * number it cannot hold.  So the document is first scanned here for its
 * outline only: the root's members (or elements), and for a member that is
 * a list, where each element begins and ends.  The scan follows strings and
 * brackets; everything inside a piece is left to jansson, which loads one
 * piece at a time.  A chat reader then holds one message's tree at a time.
 * A list's elements are counted, not recorded: reading element i scans on
 * from where element i - 1 ended.
 *
 * A piece jansson refuses because a number overflows (1e400, a 23-digit
 * integer) is loaded again from a copy in which each such number is written
 * over with `null` and spaces: the byte offsets stay the same, so any other
 * error is still reported where it is, and the bad number is named with its
 * place in a bad warning.  A piece with a syntax error inside is null with a
 * bad warning; only an outline that cannot be followed (an unterminated
 * string, brackets that do not match, text after the root) makes the whole
 * document unreadable.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/parse_int.h"
#include "casefile/xalloc.h"

/* jansson's own limit (JSON_PARSER_MAX_DEPTH) */
#define JDOC_MAX_DEPTH 2048
#define LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_ANY)

struct jpiece {
	size_t off, len;
};

struct jmember {
	char *key;		/* NULL for the elements of a root list */
	struct jpiece val;
	int is_list;
	/*
	 * The elements are found again when read (in order, as readers do),
	 * not kept: a table of them cost 16 bytes a message.
	 */
	size_t nel;		/* how many */
	size_t cur_i, cur_off;	/* element cur_i starts at cur_off */
};

struct jdoc {
	const char *text;
	size_t len;
	int root_list;
	struct jmember *m;
	size_t nm, capm;
	json_t *probe;
	/* where() resumes counting lines from here */
	size_t at_off, at_line, at_bol;
};

/* Line and column (characters, as jansson counts them) of byte off. */
static void
where(struct jdoc *d, size_t off, size_t *line, size_t *col)
{
	size_t i, c = 0;

	if (off > d->len)
		off = d->len;
	if (off < d->at_off) {
		d->at_off = 0;
		d->at_line = 1;
		d->at_bol = 0;
	}
	for (i = d->at_off; i < off; i++)
		if (d->text[i] == '\n') {
			d->at_line++;
			d->at_bol = i + 1;
		}
	d->at_off = off;
	for (i = d->at_bol; i <= off && i < d->len; i++)
		c += ((unsigned char)d->text[i] & 0xC0) != 0x80;
	*line = d->at_line;
	*col = c ? c : 1;
}

/* ---- the outline ----------------------------------------------------------- */

struct scan {
	struct jdoc *d;
	size_t i;
	const char *why;	/* set on error, at offset i */
};

static void
skip_ws(struct scan *s)
{
	const char *t = s->d->text;

	while (s->i < s->d->len && (t[s->i] == ' ' || t[s->i] == '\t' || t[s->i] == '\n' ||
				    t[s->i] == '\r'))
		s->i++;
}

/* Skip a string starting at its opening quote. */
static int
skip_string(struct scan *s)
{
	const char *t = s->d->text;
	size_t n = s->d->len, i = s->i + 1;

	for (;;) {
		const char *q = memchr(t + i, '"', n - i), *b;

		if (q == NULL) {
			s->i = n;
			s->why = "premature end of input: unterminated string";
			return -1;
		}
		/* a quote preceded by an odd number of backslashes is escaped */
		for (b = q; b > t + i && b[-1] == '\\'; b--)
			;
		i = (size_t)(q - t) + 1;
		if ((q - b) % 2 == 0)
			break;
	}
	s->i = i;
	return 0;
}

/* Skip one value starting at s->i (no leading space). */
static int
skip_value(struct scan *s)
{
	const char *t = s->d->text;
	size_t n = s->d->len;
	char *stack = NULL;
	size_t depth = 0, cap = 0;
	int ret = -1;

	if (s->i >= n) {
		s->why = "premature end of input";
		return -1;
	}
	if (t[s->i] == '"')
		return skip_string(s);
	if (t[s->i] != '{' && t[s->i] != '[') {
		size_t i0 = s->i;

		while (s->i < n && !strchr(" \t\r\n,]}:", t[s->i]) && t[s->i] != '"' &&
		       t[s->i] != '{' && t[s->i] != '[')
			s->i++;
		if (s->i == i0) {
			s->why = "unexpected character";
			return -1;
		}
		return 0;
	}
	while (s->i < n) {
		char c = t[s->i];

		if (c == '"') {
			if (skip_string(s) < 0)
				goto out;
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth == JDOC_MAX_DEPTH) {
				s->why = "maximum parsing depth reached";
				goto out;
			}
			if (depth == cap) {
				cap = cap ? cap * 2 : 32;
				stack = xrealloc(stack, cap);
			}
			stack[depth++] = c == '{' ? '}' : ']';
		} else if (c == '}' || c == ']') {
			if (stack[depth - 1] != c) {
				s->why = c == '}' ? "unexpected '}'" : "unexpected ']'";
				goto out;
			}
			if (--depth == 0) {
				s->i++;
				ret = 0;
				goto out;
			}
		}
		s->i++;
	}
	s->why = "premature end of input";
out:
	free(stack);
	return ret;
}

static struct jmember *
add_member(struct jdoc *d)
{
	if (d->nm == d->capm) {
		d->capm = d->capm ? d->capm * 2 : 8;
		d->m = xreallocarray(d->m, d->capm, sizeof(*d->m));
	}
	memset(&d->m[d->nm], 0, sizeof(*d->m));
	return &d->m[d->nm++];
}

/* The elements of a list starting at its '['. */
static int
scan_list(struct scan *s, struct jmember *m)
{
	const char *t = s->d->text;
	size_t start = s->i;

	m->is_list = 1;
	s->i++;
	skip_ws(s);
	m->cur_i = 0;
	m->cur_off = s->i;
	if (s->i < s->d->len && t[s->i] == ']') {
		s->i++;
		goto done;
	}
	for (;;) {
		if (s->i < s->d->len && t[s->i] == ']') {
			s->why = "unexpected ']'";
			return -1;
		}
		if (skip_value(s) < 0)
			return -1;
		m->nel++;
		skip_ws(s);
		if (s->i < s->d->len && t[s->i] == ',') {
			s->i++;
			skip_ws(s);
			continue;
		}
		if (s->i < s->d->len && t[s->i] == ']') {
			s->i++;
			break;
		}
		s->why = s->i < s->d->len ? "expected ',' or ']'" : "premature end of input";
		return -1;
	}
done:
	m->val.off = start;
	m->val.len = s->i - start;
	return 0;
}

/*
 * Element i of list m (i < m->nel): found from the cursor, or from the
 * start of the list when i lies behind it.  The outline was checked by
 * scan_list(), so skipping cannot fail here.
 */
static struct jpiece
list_elem(struct jdoc *d, struct jmember *m, size_t i)
{
	struct scan s = { d, 0, NULL };
	struct jpiece pc;

	if (i < m->cur_i) {
		s.i = m->val.off + 1;
		skip_ws(&s);
		m->cur_i = 0;
		m->cur_off = s.i;
	}
	s.i = m->cur_off;
	for (;;) {
		pc.off = s.i;
		(void)skip_value(&s);
		pc.len = s.i - pc.off;
		skip_ws(&s);
		if (s.i < d->len && d->text[s.i] == ',')
			s.i++;
		skip_ws(&s);
		m->cur_i++;
		m->cur_off = s.i;
		if (m->cur_i > i)
			return pc;
	}
}

static int
scan_object(struct scan *s)
{
	const char *t = s->d->text;
	struct jdoc *d = s->d;

	s->i++;
	skip_ws(s);
	if (s->i < d->len && t[s->i] == '}') {
		s->i++;
		return 0;
	}
	for (;;) {
		size_t k0 = s->i, j;
		json_t *k;
		struct jmember *m;

		if (s->i >= d->len || t[s->i] != '"') {
			s->why = s->i < d->len ? "string or '}' expected" : "premature end of input";
			return -1;
		}
		if (skip_string(s) < 0)
			return -1;
		if ((k = json_loadb(t + k0, s->i - k0, LOAD_FLAGS, NULL)) == NULL ||
		    memchr(json_string_value(k), '\0', json_string_length(k))) {
			json_decref(k);
			s->i = k0;
			s->why = "bad object key";
			return -1;
		}
		for (j = 0; j < d->nm; j++)
			if (strcmp(d->m[j].key, json_string_value(k)) == 0) {
				json_decref(k);
				s->i = k0;
				s->why = "duplicate object key";
				return -1;
			}
		m = add_member(d);
		m->key = xstrdup(json_string_value(k));
		json_decref(k);
		skip_ws(s);
		if (s->i >= d->len || t[s->i] != ':') {
			s->why = s->i < d->len ? "':' expected" : "premature end of input";
			return -1;
		}
		s->i++;
		skip_ws(s);
		if (s->i < d->len && t[s->i] == '[') {
			if (scan_list(s, m) < 0)
				return -1;
		} else {
			m->val.off = s->i;
			if (skip_value(s) < 0)
				return -1;
			m->val.len = s->i - m->val.off;
		}
		skip_ws(s);
		if (s->i < d->len && t[s->i] == ',') {
			s->i++;
			skip_ws(s);
			continue;
		}
		if (s->i < d->len && t[s->i] == '}') {
			s->i++;
			return 0;
		}
		s->why = s->i < d->len ? "expected ',' or '}'" : "premature end of input";
		return -1;
	}
}

void
jdoc_free(struct jdoc *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nm; i++)
		free(d->m[i].key);
	free(d->m);
	json_decref(d->probe);
	free(d);
}

int
jdoc_open(struct parsed *p, const char *text, size_t len, struct jdoc **out)
{
	struct jdoc *d = xcalloc(1, sizeof(*d));
	struct scan s = { d, 0, NULL };
	int r = -1;

	d->text = text;
	d->len = len;
	d->at_line = 1;
	skip_ws(&s);
	if (s.i < len && text[s.i] == '{') {
		r = scan_object(&s);
	} else if (s.i < len && text[s.i] == '[') {
		d->root_list = 1;
		r = scan_list(&s, add_member(d));
	} else {
		s.why = "'[' or '{' expected";
	}
	if (r == 0) {
		skip_ws(&s);
		if (s.i < len) {
			s.why = "end of file expected";
			r = -1;
		}
	}
	if (r < 0) {
		size_t line, col;

		where(d, s.i, &line, &col);
		parse_warn(p, 1, "line %zu, column %zu: %s", line, col, s.why);
		jdoc_free(d);
		return -1;
	}
	*out = d;
	return 0;
}

/* ---- loading pieces ------------------------------------------------------- */

/* 1 when the number text s[0..n) is one jansson refuses as too large. */
static int
number_overflows(const char *s, size_t n)
{
	char buf[512], *end;
	int real = memchr(s, '.', n) || memchr(s, 'e', n) || memchr(s, 'E', n);
	char *heap = NULL, *c = buf;
	int r;

	if (n >= sizeof(buf))
		c = heap = xmalloc(n + 1);
	memcpy(c, s, n);
	c[n] = '\0';
	errno = 0;
	if (real) {
		double v = strtod(c, &end);

		r = errno == ERANGE && isinf(v);
	} else {
		(void)strtoll(c, &end, 10);
		r = errno == ERANGE;
	}
	free(heap);
	return r;
}

/* A place inside a piece: keys and 1-based list positions. */
struct frame {
	int list;
	size_t idx;		/* list: position of the current element */
	size_t koff, klen;	/* object: the current key (raw, in quotes) */
	int want_key;
};

static char *
place(const char *s, const struct frame *f, size_t depth)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t i;

	for (i = 0; i < depth; i++) {
		if (f[i].list) {
			cf_buf_addf(&b, "[%zu]", f[i].idx);
		} else if (f[i].klen) {
			char *q = parse_quote(s + f[i].koff, f[i].klen, 40);

			cf_buf_addf(&b, "%s%s", b.len ? "." : "", q);
			free(q);
		}
	}
	return cf_buf_detach(&b, NULL);
}

/*
 * Write over each overflowing number of s[0..n) with `null` and spaces,
 * warning for each; returns how many.
 */
static size_t
blank_overflows(struct parsed *p, const char *label, char *s, size_t n)
{
	struct frame *f = NULL;
	size_t depth = 0, cap = 0, i = 0, count = 0;

	while (i < n) {
		char c = s[i];

		if (c == '"') {
			size_t j = i + 1;

			while (j < n && s[j] != '"')
				j += s[j] == '\\' ? 2 : 1;
			if (depth && !f[depth - 1].list && f[depth - 1].want_key) {
				f[depth - 1].koff = i + 1;
				f[depth - 1].klen = (j < n ? j : n) - (i + 1);
				f[depth - 1].want_key = 0;
			}
			i = j + 1;
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth == cap) {
				cap = cap ? cap * 2 : 16;
				f = xreallocarray(f, cap, sizeof(*f));
			}
			memset(&f[depth], 0, sizeof(*f));
			f[depth].list = c == '[';
			f[depth].idx = 1;
			f[depth].want_key = c == '{';
			depth++;
		} else if ((c == '}' || c == ']') && depth) {
			depth--;
		} else if (c == ',' && depth) {
			if (f[depth - 1].list)
				f[depth - 1].idx++;
			else
				f[depth - 1].want_key = 1;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t j = i;

			while (j < n && (strchr("+-.eE", s[j]) || (s[j] >= '0' && s[j] <= '9')))
				j++;
			if (j - i >= 4 && number_overflows(s + i, j - i)) {
				char *q = parse_quote(s + i, j - i, 40);
				char *at = place(s, f, depth);

				parse_warn(p, 1, "%s: %s%s%snumber %s is out of range, read as null",
					   label, *at ? "'" : "", at, *at ? "': " : "", q);
				free(at);
				free(q);
				memcpy(s + i, "null", 4);
				memset(s + i + 4, ' ', j - i - 4);
				count++;
			}
			i = j;
			continue;
		}
		i++;
	}
	free(f);
	return count;
}

/*
 * What a piece is called in warnings: an element of a root member's list
 * (elem set: key, or NULL for a root list, with word and index i), or a
 * root member (key).  Formatted only when there is something to say: a
 * label per element cost a printf per message.
 */
struct jlabel {
	const char *key, *word;
	size_t i;
	int elem;
};

static char *label_format(const struct jlabel *l);

/*
 * Load one piece.  p NULL: quietly (no warnings, NULL on any error);
 * else out-of-range numbers are null and a piece that cannot be read is
 * NULL, each with a bad warning prefixed by the label l.
 */
static json_t *
load_piece(struct jdoc *d, struct parsed *p, const struct jlabel *l, struct jpiece pc)
{
	json_error_t je;
	json_t *v = json_loadb(d->text + pc.off, pc.len, LOAD_FLAGS, &je);
	size_t line, col;
	char *label;

	if (v || p == NULL)
		return v;
	label = label_format(l);
	if (json_error_code(&je) == json_error_numeric_overflow) {
		char *copy = xmalloc(pc.len ? pc.len : 1);

		memcpy(copy, d->text + pc.off, pc.len);
		if (blank_overflows(p, label, copy, pc.len))
			v = json_loadb(copy, pc.len, LOAD_FLAGS, &je);
		free(copy);
		if (v) {
			free(label);
			return v;
		}
	}
	where(d, pc.off + (je.position > 0 ? (size_t)je.position - 1 : 0), &line, &col);
	parse_warn(p, 1, "%s: line %zu, column %zu: %s", label, line, col, je.text);
	free(label);
	return NULL;
}

static struct jmember *
member(const struct jdoc *d, const char *key)
{
	size_t i;

	if (d->root_list)
		return key ? NULL : &d->m[0];
	for (i = 0; key && i < d->nm; i++)
		if (strcmp(d->m[i].key, key) == 0)
			return &d->m[i];
	return NULL;
}

const json_t *
jdoc_probe(struct jdoc *d)
{
	size_t i;

	if (d->probe)
		return d->probe;
	d->probe = d->root_list ? json_array() : json_object();
	for (i = 0; i < d->nm; i++) {
		struct jmember *m = &d->m[i];
		json_t *v;

		if (m->is_list) {
			v = json_array();
			if (m->nel)
				json_array_append_new(v, load_piece(d, NULL, NULL,
								    list_elem(d, m, 0)));
		} else {
			v = load_piece(d, NULL, NULL, m->val);
		}
		if (v == NULL)
			v = json_null();
		if (d->root_list) {
			json_decref(d->probe);
			d->probe = v;
		} else {
			json_object_set_new(d->probe, m->key, v);
		}
	}
	return d->probe;
}

int
jdoc_is_list(const struct jdoc *d)
{
	return d->root_list;
}

int
jdoc_has(const struct jdoc *d, const char *key)
{
	return member(d, key) != NULL;
}

long
jdoc_nelem(const struct jdoc *d, const char *key)
{
	const struct jmember *m = member(d, key);

	return m && m->is_list ? (long)m->nel : -1;
}

/* The label's text: "message 3", "entry 2", "'x' entry 1", "'key'". */
static char *
label_format(const struct jlabel *l)
{
	static const struct { const char *key, *word; } w[] = {
		{ "messages", "message" }, { "events", "event" }, { "items", "item" },
	};
	size_t k;

	if (!l->elem)
		return xasprintf("'%s'", l->key);
	if (l->key == NULL)
		return xasprintf("%s %zu", l->word ? l->word : "entry", l->i + 1);
	for (k = 0; k < sizeof(w) / sizeof(w[0]); k++)
		if (strcmp(l->key, w[k].key) == 0)
			return xasprintf("%s %zu", w[k].word, l->i + 1);
	return xasprintf("'%s' entry %zu", l->key, l->i + 1);
}

json_t *
jdoc_elem(struct jdoc *d, struct parsed *p, const char *key, size_t i, const char *word)
{
	struct jmember *m = member(d, key);
	struct jlabel l = { key, word, i, 1 };

	if (m == NULL || !m->is_list || i >= m->nel)
		return NULL;
	return load_piece(d, p, &l, list_elem(d, m, i));
}

json_t *
jdoc_get(struct jdoc *d, struct parsed *p, const char *key)
{
	struct jmember *m = member(d, key);
	struct jlabel l = { key, NULL, 0, 0 };
	json_t *v;
	size_t i;

	if (m == NULL)
		return NULL;
	if (m->is_list) {
		v = json_array();
		for (i = 0; i < m->nel; i++) {
			json_t *e = jdoc_elem(d, p, key, i, NULL);

			json_array_append_new(v, e ? e : json_null());
		}
		return v;
	}
	v = load_piece(d, p, &l, m->val);
	return v ? v : json_null();
}

json_t *
jdoc_root(struct jdoc *d, struct parsed *p, const char *word)
{
	json_t *root;
	size_t i;

	if (d->root_list) {
		root = json_array();
		for (i = 0; i < d->m[0].nel; i++) {
			json_t *e = jdoc_elem(d, p, NULL, i, word);

			json_array_append_new(root, e ? e : json_null());
		}
		return root;
	}
	root = json_object();
	for (i = 0; i < d->nm; i++)
		json_object_set_new(root, d->m[i].key, jdoc_get(d, p, d->m[i].key));
	return root;
}

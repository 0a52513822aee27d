/* SPDX-License-Identifier: MIT */
/*
 * parse_chat — chat logs: JSON (object with "messages", or an array of
 * messages, read one message at a time), CSV (RFC 4180, header required,
 * columns in any order, Chinese headers, extra columns and unknown JSON keys
 * kept beside the text in `extra`, never in it) and plain-text
 * transcripts ("2025-05-03 10:12:00 买家(小**): text", continuation lines
 * belong to the previous message).
 *
 * A transcript line starts a message when it begins with a timestamp
 * (optionally in [] or 【】), optionally followed by a zone, then a sender
 * spec ending in ':' or '：' — 买家(小**), （客服）, buyer, 客服-阿青,
 * [商家] 青瓷小铺.  The timestamp is recognised by shape first and only then
 * checked by cftime_parse(), so "2025-02-30 10:00" still starts a message,
 * whose time is NULL with a bad warning, instead of silently becoming
 * part of the previous message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/csv.h"
#include "casefile/parse_int.h"
#include "casefile/xalloc.h"

static const char *const k_time[] = { "time", "timestamp", "ts", NULL };
static const char *const k_from[] = { "from", "sender", "role", NULL };
static const char *const k_name[] = { "name", "nick", "nickname", NULL };
static const char *const k_text[] = { "text", "content", "msg", NULL };
static const char *const k_attach[] = { "attachments", "attachment", NULL };

/* Set m's sender from the raw word s[0..n), noting unknown words. */
static void
set_sender(struct parsed *p, const char *what, struct pmsg *m, const char *s, size_t n)
{
	s = parse_trim(s, &n);
	if (n == 0) {
		m->sender = "system";
		parse_warn(p, 0, "%s: no sender, shown as system", what);
		return;
	}
	m->sender_raw = xstrndup(s, n);
	if ((m->sender = parse_sender_role(s, n)) == NULL) {
		char *q = parse_quote(s, n, 40);

		m->sender = "system";
		parse_warn(p, 0, "%s: unknown sender '%s', shown as system", what, q);
		free(q);
	}
}

static void
chat_json_message(struct parsed *p, size_t idx, const json_t *o)
{
	static const char *const *const known[] = { k_time, k_from, k_name, k_text,
						     k_attach, NULL };
	char what[48];
	struct pmsg *m;
	json_t *v;
	char *s = NULL;

	snprintf(what, sizeof(what), "message %zu", idx);
	if (!json_is_object(o)) {
		parse_warn(p, 1, "%s: not an object, skipped", what);
		return;
	}
	m = parse_add_msg(p);
	m->extra = parse_jextra(o, known);
	if ((v = parse_jget(o, k_time, NULL)) != NULL && !json_is_null(v))
		parse_json_time(p, what, v, &m->time);
	else
		parse_warn(p, 0, "%s: no time", what);
	switch (parse_jfield_str(p, what, o, k_from, &s)) {
	case 1:
		set_sender(p, what, m, s, strlen(s));
		free(s);
		break;
	case 0:
		m->sender = "system";
		parse_warn(p, 0, "%s: no sender, shown as system", what);
		break;
	default:
		m->sender = "system";
		break;
	}
	parse_jfield_str(p, what, o, k_name, &m->name);
	if (parse_jfield_str(p, what, o, k_text, &m->text) == 0 &&
	    parse_jget(o, k_attach, NULL) == NULL)
		parse_warn(p, 0, "%s: no text", what);
	if ((v = parse_jget(o, k_attach, NULL)) != NULL && !json_is_null(v)) {
		json_t *arr = json_array();
		size_t i;

		if (json_is_string(v)) {
			parse_warn(p, 0, "%s: 'attachments' given as a string, read as a "
				   "list of one name", what);
			json_array_append_new(arr, json_stringn(json_string_value(v),
								json_string_length(v)));
		} else if (json_is_array(v)) {
			for (i = 0; i < json_array_size(v); i++) {
				json_t *a = json_array_get(v, i);

				if (json_is_string(a))
					json_array_append(arr, a);
				else
					parse_warn(p, 1, "%s: attachment %zu is not a "
						   "file name", what, i + 1);
			}
		} else {
			parse_warn(p, 1, "%s: 'attachments' is not a list", what);
		}
		if (json_array_size(arr))
			m->attachments = json_dumps(arr, JSON_COMPACT);
		json_decref(arr);
	}
}

int
parse_chat_json(struct parsed *p, struct jdoc *d)
{
	const char *key = NULL;
	long n;
	size_t i;

	if (!jdoc_is_list(d)) {
		json_t *oid = jdoc_get(d, p, "order_id");

		if (oid) {
			json_t *root = json_object();

			json_object_set_new(root, "order_id", oid);
			parse_json_order_id(p, root);
			json_decref(root);
		}
		key = "messages";
		if (!jdoc_has(d, key)) {
			parse_warn(p, 1, "no 'messages' list");
			return -1;
		}
	}
	if ((n = jdoc_nelem(d, key)) < 0) {
		parse_warn(p, 1, "'messages' is not a list");
		return -1;
	}
	/*
	 * One message's tree at a time: memory grows with the rows, not the
	 * tree.  Room for the rows at once (growing by doubling copies them),
	 * but not for a million elements that may not even be messages.
	 */
	parse_reserve_msgs(p, (size_t)n < (1u << 20) ? (size_t)n : (1u << 20));
	for (i = 0; i < (size_t)n; i++) {
		json_t *o = jdoc_elem(d, p, key, i, "message");

		if (o)
			chat_json_message(p, i + 1, o);
		json_decref(o);
	}
	if (n == 0)
		parse_warn(p, 0, "no messages");
	return 0;
}

/* ---- CSV ----------------------------------------------------------------- */

/* The header row: column roles and names (names heap, joined). */
struct header {
	size_t n;
	enum col *role;
	char **name;
};

static void
header_read(struct csv *c, struct header *h)
{
	size_t i, len;

	h->n = csv_nfields(c);
	h->role = xcalloc(h->n, sizeof(*h->role));
	h->name = xcalloc(h->n, sizeof(*h->name));
	for (i = 0; i < h->n; i++) {
		const char *f = csv_field(c, i, &len);

		f = parse_trim(f, &len);
		h->name[i] = xstrndup(f, len);
		h->role[i] = parse_csv_col(f, len);
	}
}

static void
header_release(struct header *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->name[i]);
	free(h->name);
	free(h->role);
}

/* Note once which columns were kept beside the text. */
static void
note_extras(struct parsed *p, const struct header *h)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t i;

	for (i = 0; i < h->n; i++) {
		if (h->role[i] != COL_NONE)
			continue;
		if (b.len)
			cf_buf_addstr(&b, ", ");
		cf_buf_addf(&b, "'%s'", h->name[i]);
	}
	if (b.len)
		parse_warn(p, 0, "extra columns kept beside the text: %s", b.data);
	cf_buf_release(&b);
}

int
parse_csv_header_kind(const char *text, size_t n)
{
	struct csv *c = csv_new(text, n);
	int has[COL_ORDER + 1] = { 0 }, k = -1;
	size_t i, len;

	if (csv_next(c) && csv_nfields(c) >= 2) {
		for (i = 0; i < csv_nfields(c); i++) {
			const char *f = csv_field(c, i, &len);

			has[parse_csv_col(f, len)]++;
		}
		if (has[COL_TIME] && has[COL_TEXT])
			k = CF_KIND_CHAT;
		else if (has[COL_TIME] && (has[COL_STATUS] || has[COL_DESC]))
			k = CF_KIND_LOGISTICS;
	}
	csv_free(c);
	return k;
}

/* Check a record against the header; warns; returns 0 to skip the row. */
static int
csv_row_ok(struct parsed *p, struct csv *c, const struct header *h)
{
	size_t i, len, nonempty = 0;

	for (i = 0; i < csv_nfields(c); i++) {
		const char *f = csv_field(c, i, &len);

		f = parse_trim(f, &len);
		nonempty += len > 0;
	}
	if (!nonempty)
		return 0;
	if (csv_problem(c))
		parse_warn(p, 1, "line %zu: %s", csv_line(c), csv_problem(c));
	if (csv_nfields(c) != h->n)
		parse_warn(p, 1, "line %zu: %zu fields, the header has %zu",
			   csv_line(c), csv_nfields(c), h->n);
	return 1;
}

void
parse_chat_csv(struct parsed *p, const char *text, size_t n)
{
	struct csv *c = csv_new(text, n);
	struct header h = { 0, NULL, NULL };
	size_t i, len, timecol = 0;

	if (!csv_next(c)) {
		parse_warn(p, 1, "no header row");
		goto out;
	}
	header_read(c, &h);
	note_extras(p, &h);
	parse_csv_resync(c, h.role, h.n, &timecol);
	while (csv_next(c)) {
		char what[48];
		struct pmsg *m;
		json_t *extra = NULL;
		int have_from = 0;

		if (!csv_row_ok(p, c, &h))
			continue;
		snprintf(what, sizeof(what), "line %zu", csv_line(c));
		m = parse_add_msg(p);
		for (i = 0; i < csv_nfields(c); i++) {
			const char *f = csv_field(c, i, &len);
			enum col role = i < h.n ? h.role[i] : COL_NONE;
			const char *t;
			size_t tl = len;

			t = parse_trim(f, &tl);
			switch (role) {
			case COL_TIME:
				if (!m->time.set)
					parse_text_time(p, what, f, len, &m->time);
				break;
			case COL_FROM:
				if (!have_from) {
					set_sender(p, what, m, f, len);
					have_from = 1;
				}
				break;
			case COL_NAME:
				if (!m->name && tl)
					m->name = xstrndup(t, tl);
				break;
			case COL_TEXT:
				if (!m->text)
					m->text = xstrndup(f, len);
				break;
			case COL_ATTACH:
				if (tl && !m->attachments) {
					json_t *a = json_array();

					json_array_append_new(a, json_stringn(t, tl));
					m->attachments = json_dumps(a, JSON_COMPACT);
					json_decref(a);
				}
				break;
			default:
				parse_csv_extra(&extra, i < h.n ? h.name[i] : NULL, i, f, len);
				break;
			}
		}
		if (!have_from) {
			m->sender = "system";
			parse_warn(p, 0, "%s: no sender, shown as system", what);
		}
		m->extra = parse_extra_text(&extra);
		if (!m->time.set && (m->text == NULL || m->text[0] == '\0') &&
		    !m->attachments)
			parse_warn(p, 0, "%s: empty message", what);
	}
	if (p->nmsgs == 0)
		parse_warn(p, 0, "no messages");
out:
	header_release(&h);
	csv_free(c);
}

/* ---- plain-text transcripts --------------------------------------------- */

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static size_t
digits(const char *s, const char *end, size_t max)
{
	size_t i = 0;

	while (s + i < end && i < max && is_digit(s[i]))
		i++;
	return i;
}

/* Opening brackets (half and full width); returns bytes, and the closer. */
static size_t
open_bracket(const char *s, const char *end, const char **closer)
{
	static const struct { const char *o, *c; } b[] = {
		{ "(", ")" }, { "[", "]" }, { "\xEF\xBC\x88", "\xEF\xBC\x89" } /* （） */,
		{ "\xE3\x80\x90", "\xE3\x80\x91" } /* 【】 */,
		{ "\xEF\xBC\xBB", "\xEF\xBC\xBD" } /* ［］ */,
	};
	size_t i, l;

	for (i = 0; i < sizeof(b) / sizeof(b[0]); i++) {
		l = strlen(b[i].o);
		if ((size_t)(end - s) >= l && !memcmp(s, b[i].o, l)) {
			*closer = b[i].c;
			return l;
		}
	}
	return 0;
}

static const char *
skip_space(const char *s, const char *end)
{
	for (;;) {
		if (s < end && (*s == ' ' || *s == '\t'))
			s++;
		else if (end - s >= 3 && !memcmp(s, "\xE3\x80\x80", 3))
			s += 3;
		else
			return s;
	}
}

/*
 * A timestamp at the start of a line, by shape.  Returns the position after
 * it (and its closing bracket and spaces), or NULL; *ts and *tslen are the part
 * to hand to cftime_parse().
 */
static const char *
scan_stamp(const char *s, const char *end, const char **ts, size_t *tslen)
{
	const char *p = skip_space(s, end), *closer = NULL, *t0;
	size_t k;
	char sep;

	p += open_bracket(p, end, &closer);
	t0 = p;
	if (digits(p, end, 4) != 4)
		return NULL;
	p += 4;
	if (p >= end || (*p != '-' && *p != '/' && *p != '.'))
		return NULL;
	sep = *p++;
	if ((k = digits(p, end, 2)) == 0)
		return NULL;
	p += k;
	if (p >= end || *p != sep)
		return NULL;
	p++;
	if ((k = digits(p, end, 2)) == 0)
		return NULL;
	p += k;
	if (p >= end || (*p != ' ' && *p != 'T'))
		return NULL;
	p++;
	while (p < end && *p == ' ')
		p++;
	if ((k = digits(p, end, 2)) == 0 || p + k >= end || p[k] != ':')
		return NULL;
	p += k + 1;
	if (digits(p, end, 2) != 2)
		return NULL;
	p += 2;
	if (p < end && *p == ':' && digits(p + 1, end, 2) == 2) {
		p += 3;
		if (p < end && (*p == '.' || *p == ',') && (k = digits(p + 1, end, 9)) > 0)
			p += 1 + k;
	}
	/* an optional zone: Z, +08:00, +0800, " +0800", " UTC", " CST" */
	{
		const char *q = p;

		while (q < end && *q == ' ')
			q++;
		if (q < end && (*q == '+' || *q == '-') && digits(q + 1, end, 2) == 2) {
			q += 3;
			if (q < end && *q == ':')
				q++;
			q += digits(q, end, 2);
			p = q;
		} else if (q < end && *q == 'Z' && (q + 1 == end || q[1] == ' ' || q[1] == ']')) {
			p = q + 1;
		} else if (end - q >= 3 && (!memcmp(q, "UTC", 3) || !memcmp(q, "CST", 3) ||
					    !memcmp(q, "GMT", 3)) &&
			   (end - q == 3 || q[3] == ' ' || q[3] == ']')) {
			p = q + 3;
		}
	}
	*ts = t0;
	*tslen = (size_t)(p - t0);
	if (closer) {
		size_t cl = strlen(closer);

		p = skip_space(p, end);
		if ((size_t)(end - p) < cl || memcmp(p, closer, cl))
			return NULL;
		p += cl;
	} else if (p < end && *p != ' ' && *p != '\t' && (unsigned char)*p != 0xE3) {
		return NULL;
	}
	return skip_space(p, end);
}

/* The sender spec's end: the first ':' or '：' within limit bytes. */
static const char *
find_colon(const char *s, const char *end, size_t limit, size_t *clen)
{
	const char *p;

	if ((size_t)(end - s) > limit)
		end = s + limit;
	for (p = s; p < end; p++) {
		if (*p == ':') {
			*clen = 1;
			return p;
		}
		if (end - p >= 3 && !memcmp(p, "\xEF\xBC\x9A", 3)) {
			*clen = 3;
			return p;
		}
	}
	return NULL;
}

/*
 * Split a sender spec into role and name.  Returns the role (for
 * parse_sender_role) in *role, *rlen and the name (or NULL) in *name, *nlen.
 */
static void
split_spec(const char *s, size_t n, const char **role, size_t *rlen,
	   const char **name, size_t *nlen)
{
	const char *end, *closer, *p;
	size_t ob;

	s = parse_trim(s, &n);
	end = s + n;
	*name = NULL;
	*nlen = 0;
	if ((ob = open_bracket(s, end, &closer)) > 0) {
		/* "（客服）", "[商家] 青瓷小铺" */
		size_t cl = strlen(closer);

		for (p = s + ob; p + cl <= end; p++)
			if (!memcmp(p, closer, cl))
				break;
		*role = s + ob;
		*rlen = (size_t)((p + cl <= end ? p : end) - (s + ob));
		if (p + cl < end) {
			size_t l = (size_t)(end - (p + cl));
			const char *q = parse_trim(p + cl, &l);

			if (l) {
				*name = q;
				*nlen = l;
			}
		}
		*role = parse_trim(*role, rlen);
		return;
	}
	/* "买家(小**)", "商家（客服-阿青）" */
	for (p = s; p < end; p++) {
		if ((ob = open_bracket(p, end, &closer)) > 0) {
			size_t cl = strlen(closer);
			const char *q;

			*role = s;
			*rlen = (size_t)(p - s);
			*role = parse_trim(*role, rlen);
			for (q = p + ob; q + cl <= end; q++)
				if (!memcmp(q, closer, cl))
					break;
			*name = p + ob;
			*nlen = (size_t)((q + cl <= end ? q : end) - (p + ob));
			*name = parse_trim(*name, nlen);
			if (*nlen == 0)
				*name = NULL;
			return;
		}
	}
	/* "买家 小**": a role word, a space, a name */
	for (p = s; p < end; p++) {
		if (*p == ' ' && parse_sender_role(s, (size_t)(p - s))) {
			size_t l = (size_t)(end - p);

			*role = s;
			*rlen = (size_t)(p - s);
			*name = parse_trim(p, &l);
			*nlen = l;
			return;
		}
	}
	*role = s;
	*rlen = n;
	/* "客服-阿青", "平台小二": a role word that starts a longer name */
	if (n > 9 && parse_sender_role(s, n)) {
		*name = s;
		*nlen = n;
	}
}

/* A line's message head: 1 with the parts set, 0 when the line is a continuation. */
struct head {
	const char *ts;
	size_t tslen;
	const char *spec;	/* NULL when no sender spec */
	size_t speclen;
	const char *text;
};

static int
scan_head(const char *s, const char *end, struct head *h)
{
	const char *p, *colon;
	size_t clen = 0;

	if ((p = scan_stamp(s, end, &h->ts, &h->tslen)) == NULL)
		return 0;
	colon = find_colon(p, end, 120, &clen);
	if (colon) {
		h->spec = p;
		h->speclen = (size_t)(colon - p);
		h->text = colon + clen;
		if (h->text < end && *h->text == ' ')
			h->text++;
	} else {
		h->spec = NULL;
		h->speclen = 0;
		h->text = p;
	}
	return 1;
}

/*
 * Whether text before a colon can be a sender: a known role, or a short
 * name without sentence punctuation.  Otherwise the colon belongs to the
 * text of a message without sender.
 */
static int
plausible_spec(const char *s, size_t n)
{
	static const char *const punct[] = { ",", "\xEF\xBC\x8C" /* ， */,
		"\xE3\x80\x82" /* 。 */, "\xE3\x80\x81" /* 、 */, "!", "?",
		"\xEF\xBC\x81", "\xEF\xBC\x9F", NULL };
	const char *role, *name;
	size_t rlen, nlen, i;

	split_spec(s, n, &role, &rlen, &name, &nlen);
	if (parse_sender_role(role, rlen))
		return 1;
	s = parse_trim(s, &n);
	if (n == 0 || n > 32)
		return 0;
	for (i = 0; punct[i]; i++)
		if (memmem(s, n, punct[i], strlen(punct[i])))
			return 0;
	return 1;
}

/*
 * The merchant IMs' shape (飞鸽, 千牛 copies): a line holding only the
 * sender's name and the time ("用户7781**  2026-12-02 10:31:22"), the text on
 * the next line(s).  1 with the name and the stamp, 0 otherwise.  The name
 * is not read for a role: who it is comes from the shop's agents and the
 * order's buyer (roles.h), never from words in it.
 */
static int
scan_name_stamp(const char *s, const char *end, const char **name, size_t *nlen,
		const char **ts, size_t *tslen)
{
	const char *p;

	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	for (p = s + 1; p < end; p++) {
		const char *after;
		size_t l;

		if (!is_digit(*p) || (p[-1] != ' ' && p[-1] != '\t'))
			continue;
		if ((after = scan_stamp(p, end, ts, tslen)) == NULL || after != end)
			continue;
		l = (size_t)(p - s);
		*name = parse_trim(s, &l);
		*nlen = l;
		if (l == 0 || l > 96 || find_colon(*name, *name + l, l, &l) != NULL)
			return 0;
		*nlen = (size_t)(p - s);
		*name = parse_trim(s, nlen);
		return 1;
	}
	return 0;
}

int
parse_is_transcript(const char *text, size_t n)
{
	const char *p = text, *end = text + n;
	int lines = 0;

	while (p < end && lines < 50) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct head h;

		if (le > p) {
			const char *nm, *ts;
			size_t nl2, tl;

			lines++;
			if (scan_name_stamp(p, le, &nm, &nl2, &ts, &tl) && nl && nl + 1 < end &&
			    !scan_head(nl + 1, end, &h))
				return 1;
			if (scan_head(p, le, &h) && h.spec) {
				const char *role, *name;
				size_t rlen, nlen;

				split_spec(h.spec, h.speclen, &role, &rlen, &name, &nlen);
				if (parse_sender_role(role, rlen))
					return 1;
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

static void
finish_text(struct pmsg *m, struct cf_buf *b)
{
	size_t n = b->len;

	if (m == NULL)
		return;
	while (n && (b->data[n - 1] == '\n' || b->data[n - 1] == ' ' ||
		     b->data[n - 1] == '\t'))
		n--;
	m->text = xstrndup(b->data, n);
	cf_buf_reset(b);
}

void
parse_chat_text(struct parsed *p, const char *text, size_t n)
{
	const char *s = text, *end = text + n;
	size_t line = 0, before = 0;
	struct pmsg *m = NULL;
	struct cf_buf body = CF_BUF_INIT;
	int fresh = 0;		/* m's text starts on the next line */

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		const char *nm;
		size_t nmlen;
		struct head h;

		line++;
		if (le > s && le[-1] == '\r')
			le--;
		if (scan_name_stamp(s, le, &nm, &nmlen, &h.ts, &h.tslen)) {
			char what[48];

			finish_text(m, &body);
			snprintf(what, sizeof(what), "line %zu", line);
			m = parse_add_msg(p);
			parse_text_time(p, what, h.ts, h.tslen, &m->time);
			m->sender = "unknown";
			m->name = xstrndup(nm, nmlen);
			fresh = 1;
		} else if (scan_head(s, le, &h)) {
			char what[48];

			fresh = 0;
			finish_text(m, &body);
			snprintf(what, sizeof(what), "line %zu", line);
			m = parse_add_msg(p);
			parse_text_time(p, what, h.ts, h.tslen, &m->time);
			if (h.spec && !plausible_spec(h.spec, h.speclen)) {
				/* "订单已发货,单号:SF1": a colon inside the text */
				h.text = h.spec;
				h.spec = NULL;
			}
			if (h.spec) {
				const char *role, *name;
				size_t rlen, nlen;

				split_spec(h.spec, h.speclen, &role, &rlen, &name, &nlen);
				set_sender(p, what, m, role, rlen);
				if (name)
					m->name = xstrndup(name, nlen);
			} else {
				m->sender = "system";
				parse_warn(p, 0, "%s: no sender, shown as system", what);
			}
			cf_buf_add(&body, h.text, (size_t)(le - h.text));
		} else if (m && fresh && body.len == 0 && le == s) {
			/* blank lines before a name line's text */
		} else if (m) {
			if (!(fresh && body.len == 0))
				cf_buf_addch(&body, '\n');
			cf_buf_add(&body, s, (size_t)(le - s));
		} else {
			size_t l = (size_t)(le - s);

			parse_trim(s, &l);
			before += l > 0;
		}
		s = nl ? nl + 1 : end;
	}
	finish_text(m, &body);
	cf_buf_release(&body);
	if (before)
		parse_warn(p, 0, "%zu line%s before the first message not read as "
			   "messages", before, before == 1 ? "" : "s");
	if (p->nmsgs == 0)
		parse_warn(p, 1, "no messages found: expected lines like "
			   "'2025-05-03 10:12:00 买家(小**): text', or a line "
			   "'NAME  YYYY-MM-DD HH:MM:SS' with the text on the next lines");
}

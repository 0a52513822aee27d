/* SPDX-License-Identifier: MIT */
/*
 * statement — the merchant's statement draft (contract in statement.h).
 *
 * Placeholders are replaced in one pass; an unknown placeholder is left as
 * written so a typo in a merchant's copy is visible instead of silently
 * empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/argument.h"
#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/dispute.h"
#include "casefile/exhibits.h"
#include "casefile/mask.h"
#include "casefile/money.h"
#include "casefile/order_facts.h"
#include "casefile/profile.h"
#include "casefile/statement.h"
#include "casefile/templates.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"

const char *const statement_scenarios[] = {
	"quality", "not_as_described", "damaged_in_transit", "not_received",
	"wrong_or_missing_item", "non_returnable", "price_or_payment",
	"late_or_service", "suspected_abuse", "other", NULL,
};

int
statement_scenario_valid(const char *name)
{
	size_t i;

	for (i = 0; name && statement_scenarios[i]; i++)
		if (strcmp(name, statement_scenarios[i]) == 0)
			return 1;
	return 0;
}

/* -------------------------------------------------------------- statement */

int
statement_max_parse(const char *s, size_t *n)
{
	size_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (size_t)(*s - '0');
		if (v > STATEMENT_MAX_CHARS)
			return -1;
	}
	if (v == 0)
		return -1;
	*n = v;
	return 0;
}

size_t
statement_truncate(char *s, size_t max)
{
	size_t len = strlen(s), i = 0, chars = 0, cut = 0;
	size_t prev[2] = { 0, 0 };	/* starts of the two characters before cut */

	while (i < len) {
		if (chars == (max ? max - 1 : 0))
			cut = i;
		else if (chars + 1 < max) {
			prev[1] = prev[0];
			prev[0] = i;
		}
		chars++;
		i += textenc_utf8_next(s + i, len - i, NULL);
	}
	if (chars <= max)
		return chars;
	if (max == 0) {
		s[0] = '\0';
		return 0;
	}
	/*
	 * "…" takes 3 bytes: it may only replace a tail at least that long, so
	 * step back over whole characters until it fits (fewer characters,
	 * never more; two steps at most, each character being a byte or more).
	 * Regression 2026-11-26 (fuzz_templates): writing it over a 2-byte
	 * ASCII tail overflowed the buffer.
	 */
	{
		size_t kept = max - 1, step = 0;

		while (cut > 0 && len - cut < 3 && step < 2) {
			cut = prev[step++];
			kept--;
		}
		if (len - cut >= 3) {
			memcpy(s + cut, "…", 4);
			return kept + 1;
		}
		/* too short for an ellipsis at all: plain cut after max chars */
		for (i = 0, chars = 0; i < len && chars < max; chars++)
			i += textenc_utf8_next(s + i, len - i, NULL);
		s[i] = '\0';
		return chars;
	}
}

/*
 * One exhibit reference: the template's exhibit_ref with its "%d" replaced
 * by no.  The template is merchant-editable text, so it is never used as a
 * printf format.
 */
static void
exhibit_ref(struct cf_buf *b, const struct templates *t, int no)
{
	const char *ref = templates_get(t, "exhibit_ref"), *d = strstr(ref, "%d");

	if (d == NULL) {
		cf_buf_addf(b, "%s%d", ref, no);
		return;
	}
	cf_buf_add(b, ref, (size_t)(d - ref));
	cf_buf_addf(b, "%d", no);
	cf_buf_addstr(b, d + 2);
}

/* 1 when kind is one of the '+'-separated kinds[0..n). */
static int
kind_in(const char *kind, const char *kinds, size_t n)
{
	const char *p = kinds, *end = kinds + n;

	while (p < end) {
		const char *q = memchr(p, '+', (size_t)(end - p));
		size_t len = (size_t)((q ? q : end) - p);

		if (strlen(kind) == len && strncmp(kind, p, len) == 0)
			return 1;
		p = q ? q + 1 : end;
	}
	return 0;
}

/*
 * "证据2、证据3" for every exhibit whose kind is one of kinds[0..n)
 * ("photo", or "video+photo"), in exhibit order, or the "none" string.
 * A superseded exhibit (an older export) is cited through the one that
 * supersedes it.
 */
static char *
exhibit_list(const struct templates *t, const struct exhibits *ex,
	     const char *kinds, size_t n)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t i;
	int k = 0;

	for (i = 0; i < ex->n; i++) {
		if (!kind_in(ex->v[i].kind, kinds, n) || ex->v[i].superseded_by)
			continue;
		if (k++)
			cf_buf_addstr(&b, templates_get(t, "list_sep"));
		exhibit_ref(&b, t, ex->v[i].no);
	}
	if (k == 0)
		cf_buf_addstr(&b, templates_get(t, "none"));
	return cf_buf_detach(&b, NULL);
}

/* A time in tz, or NULL when it is not recorded. */
static char *
fmt_time(long long utc, long tz)
{
	char buf[40];

	if (utc < 0)
		return NULL;
	return xstrdup(cftime_format(utc, tz, buf, sizeof(buf)));
}

struct fill {
	const struct templates *t;
	const struct exhibits *ex;
	const char *const *keys;
	char *const *vals;	/* NULL: the fact is not recorded */
	size_t n;
};

#define FILL_DEPTH 8

/* The end of the "?}" closing the "{?" segment whose body starts at s, or NULL. */
static const char *
segment_end(const char *s, const char *end, const char **bar)
{
	int depth = 0;

	*bar = NULL;
	for (; s + 1 < end; s++) {
		if (s[0] == '{' && s[1] == '?') {
			depth++;
			s++;
		} else if (s[0] == '?' && s[1] == '}') {
			if (depth-- == 0)
				return s;
			s++;
		} else if (*s == '|' && depth == 0 && *bar == NULL) {
			*bar = s;
		}
	}
	return NULL;
}

/*
 * Fill the placeholders of s..end into b.  "{?A?}" is kept only when every
 * placeholder directly in A has a value (a recorded fact, a non-empty
 * exhibit list), "{?A|B?}" is A, else B on the same terms; segments nest.
 * Outside a segment a missing fact reads as the "unknown" string.
 * Returns 1 when every placeholder directly in s..end had a value.
 */
static int
fill(struct cf_buf *b, const struct fill *f, const char *s, const char *end, int level)
{
	int top = level == 0;
	int all = 1;
	size_t i;

	while (s < end) {
		const char *close, *bar;

		/* parts nest FILL_DEPTH deep; deeper "{?" is plain text */
		if (s[0] == '{' && s + 1 < end && s[1] == '?' && level < FILL_DEPTH &&
		    (close = segment_end(s + 2, end, &bar)) != NULL) {
			struct cf_buf seg = CF_BUF_INIT;

			if (fill(&seg, f, s + 2, bar ? bar : close, level + 1)) {
				cf_buf_add(b, seg.data ? seg.data : "", seg.len);
			} else if (bar) {
				cf_buf_reset(&seg);
				if (fill(&seg, f, bar + 1, close, level + 1))
					cf_buf_add(b, seg.data ? seg.data : "", seg.len);
			}
			cf_buf_release(&seg);
			s = close + 2;
			continue;
		}
		if (*s == '{' && (close = memchr(s, '}', (size_t)(end - s))) != NULL) {
			for (i = 0; i < f->n; i++)
				if (strlen(f->keys[i]) == (size_t)(close - s - 1) &&
				    strncmp(s + 1, f->keys[i], (size_t)(close - s - 1)) == 0)
					break;
			if (i < f->n) {
				if (f->vals[i] == NULL)
					all = 0;
				cf_buf_addstr(b, f->vals[i] ? f->vals[i]
						  : templates_get(f->t, "unknown"));
				s = close + 1;
				continue;
			}
			if (close - s > 4 && strncmp(s + 1, "ex_", 3) == 0) {
				char *l = exhibit_list(f->t, f->ex, s + 4, (size_t)(close - s - 4));

				if (strcmp(l, templates_get(f->t, "none")) == 0 && !top)
					all = 0;
				cf_buf_addstr(b, l);
				free(l);
				s = close + 1;
				continue;
			}
		}
		cf_buf_addch(b, *s++);
	}
	return all;
}

/*
 * Fill tpl line by line: a line that only held dropped segments (or a
 * point number "N. " and dropped segments) goes, and lines starting "N. "
 * are numbered again so the points count 1, 2, 3.
 */
static void
fill_lines(struct cf_buf *b, const struct fill *f, const char *tpl)
{
	struct cf_buf line = CF_BUF_INIT;
	int point = 0;

	while (*tpl) {
		const char *nl = strchr(tpl, '\n'), *e = nl ? nl : tpl + strlen(tpl);
		size_t d = 0;

		cf_buf_reset(&line);
		fill(&line, f, tpl, e, 0);
		while (d < line.len && line.data[d] >= '0' && line.data[d] <= '9')
			d++;
		if (e > tpl && (line.len == 0 || (d > 0 && line.len == d + 2 &&
						   strcmp(line.data + d, ". ") == 0))) {
			tpl = nl ? nl + 1 : e;
			continue;
		}
		if (b->len)
			cf_buf_addch(b, '\n');
		if (d > 0 && d < 4 && strncmp(line.data + d, ". ", 2) == 0) {
			cf_buf_addf(b, "%d", ++point);
			cf_buf_addstr(b, line.data + d);
		} else {
			cf_buf_add(b, line.data ? line.data : "", line.len);
		}
		tpl = nl ? nl + 1 : e;
	}
	cf_buf_release(&line);
}

/*
 * "证据2、证据3": the exhibits of part p (argument.h), or with key set the
 * first three decisive ones; NULL when none.
 */
static char *
ref_list(const struct templates *t, const struct argument *a, enum argument_part p, int key)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t i;
	int k = 0;

	for (i = 0; i < a->n && (!key || k < 3); i++) {
		if (key ? !a->v[i].decisive : a->v[i].part != p)
			continue;
		if (k++)
			cf_buf_addstr(&b, templates_get(t, "list_sep"));
		exhibit_ref(&b, t, a->v[i].no);
	}
	if (k == 0) {
		cf_buf_release(&b);
		return NULL;
	}
	return cf_buf_detach(&b, NULL);
}

/* A time inside a sentence: "5月2日 12:47" in Chinese, the full time otherwise. */
static char *
fmt_day(const struct templates *t, long long utc, long tz)
{
	char buf[48];

	if (utc < 0)
		return NULL;
	if (strncmp(templates_get(t, "lang"), "zh", 2) != 0)
		return fmt_time(utc, tz);
	return xstrdup(argument_date(utc, tz, buf, sizeof(buf)));
}

/*
 * The closing line of the stance: "closing_STANCE.SCENARIO", else
 * "closing_STANCE" (templates).  Never a concession unless asked.
 */
static char *
closing(const struct templates *t, enum argument_stance st, const char *scenario)
{
	char *k = xasprintf("closing_%s.%s", argument_stance_name(st), scenario);
	const char *v = templates_get(t, k);

	if (v == k || strcmp(v, k) == 0) {
		free(k);
		k = xasprintf("closing_%s", argument_stance_name(st));
		v = templates_get(t, k);
		if (strcmp(v, k) == 0) {
			free(k);
			return NULL;
		}
	}
	v = xstrdup(v);
	free(k);
	return (char *)v;
}

int
statement_compose(struct cf_db *db, const struct templates *t, const char *order_id,
		  const struct statement_opts *o, char **out, struct cf_err *err)
{
	struct exhibits ex = { NULL, 0 };
	struct argument arg;
	struct order_facts f;
	const char *tpl = NULL, *s, *scenario = o->scenario;
	struct cf_buf b = CF_BUF_INIT;
	char money[40], *name;
	const char *keys[] = {
		"order_id", "shop", "amount", "created_at", "paid_at", "shipped_at",
		"delivered_at", "carrier", "tracking_no", "claim", "reason",
		"buyer_quote", "buyer_quote_at", "pickup_at", "pickup_what", "handover_at",
		"ex_pickup", "ex_packing", "ex_handover", "ex_buyer_photo", "key_exhibits",
		"closing", "ex_pickup_photo",
	};
	enum { NKEYS = sizeof(keys) / sizeof(keys[0]) };
	char *vals[NKEYS] = { 0 };
	int ret = -1;
	size_t i;

	*out = NULL;
	memset(&f, 0, sizeof(f));
	memset(&arg, 0, sizeof(arg));
	if (exhibits_load(db, order_id, &ex, err) < 0 ||
	    order_facts_load(db, order_id, &f, err) < 0)
		goto out;
	if (scenario == NULL)
		scenario = f.reason && statement_scenario_valid(f.reason) ? f.reason : "other";
	if (!statement_scenario_valid(scenario)) {
		cf_err_set(err, CF_EINPUT, "unknown scenario '%s'", scenario);
		goto out;
	}
	if (o->short_form) {
		name = xasprintf("%s short", scenario);
		tpl = templates_statement(t, name);
		free(name);
	}
	if (tpl == NULL && (tpl = templates_statement(t, scenario)) == NULL) {
		cf_err_set(err, CF_EINPUT, "the templates have no statement '%s'", scenario);
		goto out;
	}
	if (exhibits_argument(db, order_id, scenario, &ex, &arg, err) < 0)
		goto out;
	vals[0] = xstrdup(order_id);
	vals[1] = f.shop && *f.shop ? xstrdup(f.shop) : NULL;
	if (f.total_fen >= 0)
		vals[2] = xasprintf("%s %s", money_format_fen(f.total_fen, money, sizeof(money)),
				    f.currency ? f.currency : "CNY");
	vals[3] = fmt_day(t, f.created_at, o->tz_offset);
	vals[4] = fmt_day(t, f.paid_at, o->tz_offset);
	vals[5] = fmt_day(t, f.shipped_at, o->tz_offset);
	vals[6] = fmt_day(t, f.delivered_at, o->tz_offset);
	vals[7] = f.carrier && *f.carrier ? xstrdup(f.carrier) : NULL;
	vals[8] = f.tracking_no && *f.tracking_no ? xstrdup(f.tracking_no) : NULL;
	if (f.claim && *f.claim)
		vals[9] = o->mask ? mask_text(f.claim) : xstrdup(f.claim);
	/*
	 * The reason by its display name in the template's language: the
	 * dispute's, else the scenario the statement argues.
	 */
	s = f.reason ? f.reason : scenario;
	if (strncmp(templates_get(t, "lang"), "zh", 2) == 0)
		vals[10] = xstrdup(dispute_reason_zh(s));
	else
		vals[10] = xstrdup(dispute_reason_en(s));
	/* the buyer's own typed words most relevant to the claim (argument.h) */
	if (arg.quote) {
		vals[11] = o->mask ? mask_text(arg.quote) : xstrdup(arg.quote);
		vals[12] = fmt_day(t, arg.quote_at, o->tz_offset);
	}
	vals[13] = fmt_day(t, arg.pickup_at, o->tz_offset);
	if (arg.pickup_what)
		vals[14] = o->mask ? mask_text(arg.pickup_what) : xstrdup(arg.pickup_what);
	vals[15] = fmt_day(t, arg.handover_at, o->tz_offset);
	vals[16] = ref_list(t, &arg, ARG_PICKUP, 0);
	vals[17] = ref_list(t, &arg, ARG_PACKING, 0);
	vals[18] = ref_list(t, &arg, ARG_HANDOVER, 0);
	vals[19] = ref_list(t, &arg, ARG_BUYER_PHOTO, 0);
	vals[20] = ref_list(t, &arg, ARG_NONE, 1);
	vals[21] = closing(t, o->stance, scenario);
	vals[22] = ref_list(t, &arg, ARG_PICKUP_PHOTO, 0);
	{
		struct fill fl = { t, &ex, keys, vals, NKEYS };

		fill_lines(&b, &fl, tpl);
	}
	*out = cf_buf_detach(&b, NULL);
	if (o->max)
		statement_fit(*out, o->max, o->bytes);
	ret = 0;
out:
	for (i = 0; i < NKEYS; i++)
		free(vals[i]);
	cf_buf_release(&b);
	order_facts_release(&f);
	argument_release(&arg);
	exhibits_release(&ex);
	return ret;
}

int
statement_draft(struct cf_db *db, const struct templates *t, const char *order_id,
		const char *scenario, size_t max_chars, int mask, long tz_offset,
		char **out, struct cf_err *err)
{
	struct statement_opts o;

	memset(&o, 0, sizeof(o));
	o.scenario = scenario;
	o.stance = ARGUMENT_REFUSE;
	o.mask = mask;
	o.tz_offset = tz_offset;
	if (statement_compose(db, t, order_id, &o, out, err) < 0)
		return -1;
	if (max_chars)
		statement_truncate(*out, max_chars);
	return 0;
}

size_t
statement_count(const char *s, int bytes)
{
	size_t n = 0;

	if (bytes)
		return strlen(s);
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/*
 * Cut s to max (characters or bytes): at the end of the last whole
 * sentence or line that fits, else at a character boundary with "…".
 */
size_t
statement_fit(char *s, size_t max, int bytes)
{
	size_t i, n = 0, last = 0, keep = 0;

	if (statement_count(s, bytes) <= max)
		return statement_count(s, bytes);
	for (i = 0; s[i]; ) {
		size_t k = i + 1;

		while (((unsigned char)s[k] & 0xC0) == 0x80)
			k++;
		n += bytes ? k - i : 1;
		if (n > max)
			break;
		if (!strncmp(s + i, "。", 3) || s[i] == '\n' || !strncmp(s + i, "！", 3) ||
		    (s[i] == '.' && (s[k] == ' ' || s[k] == '\n')))
			last = s[i] == '\n' ? i : k;
		keep = k;
		i = k;
	}
	if (last > 0) {
		s[last] = '\0';
		while (last > 0 && (s[last - 1] == '\n' || s[last - 1] == ' '))
			s[--last] = '\0';
		return statement_count(s, bytes);
	}
	/* no sentence fits: whole characters and "…" (3 bytes, 1 character) */
	if (bytes) {
		while (keep > 0 && keep + 3 > max) {
			do
				keep--;
			while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80);
		}
		if (keep + 3 <= max) {
			memcpy(s + keep, "…", 4);
		} else {
			s[keep] = '\0';
		}
		return strlen(s);
	}
	statement_truncate(s, max);
	return statement_count(s, 0);
}

int
statement_variant(struct cf_db *db, const struct templates *t, const char *order_id,
		  const char *scenario, int stance, const struct profile_limit *lim,
		  int mask, long tz_offset, char **out, struct cf_err *err)
{
	struct statement_opts o;
	char *text = NULL;

	memset(&o, 0, sizeof(o));
	o.scenario = scenario;
	o.stance = stance;
	o.mask = mask;
	o.tz_offset = tz_offset;
	*out = NULL;
	if (statement_compose(db, t, order_id, &o, &text, err) < 0)
		return -1;
	if (statement_count(text, lim->bytes) > (size_t)lim->max) {
		char *s2 = NULL;

		/* the scenario's short form, when the templates have one */
		o.short_form = 1;
		if (statement_compose(db, t, order_id, &o, &s2, err) < 0) {
			free(text);
			return -1;
		}
		if (statement_count(s2, lim->bytes) < statement_count(text, lim->bytes)) {
			free(text);
			text = s2;
		} else {
			free(s2);
		}
		statement_fit(text, (size_t)lim->max, lim->bytes);
	}
	*out = text;
	return 0;
}

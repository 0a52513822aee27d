/* SPDX-License-Identifier: MIT */
/*
 * statement — templates, order facts, masking and the statement draft
 * (contract in statement.h).
 *
 * The template file is read whole (it is small) into key/value pairs; a
 * "[statement NAME]" header opens a block that collects lines verbatim
 * until the next "[" header.  Placeholders are replaced in one pass; an
 * unknown placeholder is left as written so a typo in a merchant's copy
 * is visible instead of silently empty.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/db.h"
#include "casefile/dispute.h"
#include "casefile/dossier.h"
#include "casefile/money.h"
#include "casefile/statement.h"
#include "casefile/templates.h"
#include "casefile/xalloc.h"

const char *const statement_scenarios[] = {
	"quality", "not_as_described", "damaged_in_transit", "not_received",
	"wrong_or_missing_item", "non_returnable", "price_or_payment",
	"late_or_service", "suspected_abuse", "other", NULL,
};

struct kv {
	char *key, *val;
};

struct templates {
	struct kv *kv;
	size_t n;
	char *path;
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

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* "\n" in one-line values means a line break, "\s" a space (at an end). */
static char *
unescape(const char *s)
{
	struct cf_buf b = CF_BUF_INIT;

	for (; *s; s++) {
		if (s[0] == '\\' && (s[1] == 'n' || s[1] == 's')) {
			cf_buf_addch(&b, s[1] == 'n' ? '\n' : ' ');
			s++;
		} else {
			cf_buf_addch(&b, *s);
		}
	}
	return cf_buf_detach(&b, NULL);
}

static void
kv_add(struct templates *t, char *key, char *val)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->kv[i].key, key) == 0) {
			free(t->kv[i].val);
			free(key);
			t->kv[i].val = val;
			return;
		}
	t->kv = xreallocarray(t->kv, t->n + 1, sizeof(*t->kv));
	t->kv[t->n].key = key;
	t->kv[t->n].val = val;
	t->n++;
}

/* A template file (at most 1 MiB); a missing one is CF_ENOTFOUND. */
static char *
read_file(const char *path, size_t *n, struct cf_err *err)
{
	struct cf_buf b = CF_BUF_INIT;

	if (cf_buf_read_file(&b, path, NULL, 1 << 20, CF_EIO, err) < 0) {
		if (err && err->sys_errno == ENOENT)
			err->code = CF_ENOTFOUND;
		cf_buf_release(&b);
		return NULL;
	}
	return cf_buf_detach(&b, n);
}

/*
 * dir/file, with dir the explicit one or the templates directory of
 * templates.h (one search order for profiles, checklists and these).
 */
static char *
find_templates(const char *dir, const char *file, struct cf_err *err)
{
	char *d, *p;

	if (dir)
		return xasprintf("%s/%s", dir, file);
	if ((d = templates_dir_new(err)) == NULL)
		return NULL;
	p = xasprintf("%s/%s", d, file);
	free(d);
	return p;
}

int
templates_load(const char *dir, const char *lang, struct templates **out,
	       struct cf_err *err)
{
	const char *file;
	struct templates *t;
	char *data, *line, *next, *block = NULL;
	struct cf_buf body = CF_BUF_INIT;
	size_t n, lineno = 0;

	*out = NULL;
	if (lang == NULL || strcmp(lang, "zh") == 0 || strcmp(lang, "zh-CN") == 0)
		file = "zh-CN.txt";
	else if (strcmp(lang, "en") == 0)
		file = "en.txt";
	else
		return cf_err_set(err, CF_EINPUT, "unknown language '%s' (zh or en)", lang);
	t = xcalloc(1, sizeof(*t));
	if ((t->path = find_templates(dir, file, err)) == NULL ||
	    (data = read_file(t->path, &n, err)) == NULL) {
		templates_free(t);
		return -1;
	}
	if (memchr(data, '\0', n)) {
		cf_err_set(err, CF_EINPUT, "'%s': not a text file", t->path);
		goto fail;
	}
	line = data;
	if (n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
		line += 3;
	for (; line; line = next) {
		char *s, *eq;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '[') {
			char *end = strchr(line, ']'), *name;

			if (block) {
				kv_add(t, block, cf_buf_detach(&body, NULL));
				block = NULL;
			}
			if (end == NULL || strncmp(line, "[statement ", 11) != 0) {
				cf_err_set(err, CF_EINPUT, "'%s': line %zu: expected "
					   "'[statement NAME]'", t->path, lineno);
				goto fail;
			}
			*end = '\0';
			name = trim(line + 11);
			block = xasprintf("statement.%s", name);
			continue;
		}
		if (block) {
			cf_buf_addstr(&body, line);
			cf_buf_addch(&body, '\n');
			continue;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			cf_err_set(err, CF_EINPUT, "'%s': line %zu: expected 'key = value'",
				   t->path, lineno);
			goto fail;
		}
		*eq = '\0';
		kv_add(t, xstrdup(trim(s)), unescape(eq[1] == ' ' ? eq + 2 : eq + 1));
	}
	if (block) {
		kv_add(t, block, cf_buf_detach(&body, NULL));
		block = NULL;
	}
	/* trim trailing blank lines of statements */
	for (n = 0; n < t->n; n++) {
		if (strncmp(t->kv[n].key, "statement.", 10) == 0) {
			char *v = t->kv[n].val, *e = v + strlen(v);

			while (e > v && (e[-1] == '\n' || e[-1] == ' '))
				*--e = '\0';
		}
	}
	free(data);
	cf_buf_release(&body);
	*out = t;
	return 0;
fail:
	free(block);
	free(data);
	cf_buf_release(&body);
	templates_free(t);
	return -1;
}

void
templates_free(struct templates *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->kv[i].key);
		free(t->kv[i].val);
	}
	free(t->kv);
	free(t->path);
	free(t);
}

const char *
templates_get(const struct templates *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->kv[i].key, key) == 0)
			return t->kv[i].val;
	return key;
}

const char *
templates_statement(const struct templates *t, const char *scenario)
{
	char *k = xasprintf("statement.%s", scenario);
	const char *v = templates_get(t, k);

	v = v == k ? NULL : v;
	free(k);
	return v;
}

/* ---------------------------------------------------------------- masking */

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

char *
mask_text(const char *s)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t i = 0, n = strlen(s);

	while (i < n) {
		size_t j = i;

		if (!is_digit((unsigned char)s[i]) || (i > 0 && is_digit((unsigned char)s[i - 1]))) {
			cf_buf_addch(&b, s[i++]);
			continue;
		}
		while (j < n && is_digit((unsigned char)s[j]))
			j++;
		if (j - i == 17 && j < n && (s[j] == 'X' || s[j] == 'x')) {
			j++;	/* ID number ending in X */
		}
		if (j - i == 18 && (j >= n || !is_digit((unsigned char)s[j]))) {
			cf_buf_add(&b, s + i, 6);
			cf_buf_addstr(&b, "********");
			cf_buf_add(&b, s + j - 4, 4);
		} else if (j - i == 11 && s[i] == '1' && s[i + 1] >= '3' && s[i + 1] <= '9') {
			cf_buf_add(&b, s + i, 3);
			cf_buf_addstr(&b, "****");
			cf_buf_add(&b, s + j - 4, 4);
		} else if (j < n && (strncmp(s + j, "号", 3) == 0 || strncmp(s + j, "栋", 3) == 0 ||
				     strncmp(s + j, "幢", 3) == 0 || strncmp(s + j, "单元", 6) == 0 ||
				     strncmp(s + j, "室", 3) == 0 || strncmp(s + j, "弄", 3) == 0 ||
				     strncmp(s + j, "楼", 3) == 0)) {
			size_t k;

			for (k = i; k < j; k++)
				cf_buf_addch(&b, '*');
		} else {
			cf_buf_add(&b, s + i, j - i);
		}
		i = j;
	}
	return cf_buf_detach(&b, NULL);
}

char *
mask_address(const char *s)
{
	static const char *const marks[] = { "区", "县", "镇", "市" };
	const char *cut = NULL;
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]) && cut == NULL; i++) {
		const char *q = strstr(s, marks[i]);

		if (q)
			cut = q + strlen(marks[i]);
	}
	if (cut == NULL || *cut == '\0') {
		/* no district: keep a short head, mask the rest */
		size_t k = 0, chars = 0;

		while (s[k] && chars < 6) {
			k++;
			while (((unsigned char)s[k] & 0xC0) == 0x80)
				k++;
			chars++;
		}
		if (s[k] == '\0')
			return mask_text(s);
		cut = s + k;
	}
	return xasprintf("%.*s****", (int)(cut - s), s);
}

/* ------------------------------------------------------------------ facts */

static char *
col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? xstrdup((const char *)s) : NULL;
}

static long long
col_time(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

int
order_facts_load(sqlite3 *db, const char *order_id, struct order_facts *f,
		 struct cf_err *err)
{
	struct dispute *d = NULL;
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	memset(f, 0, sizeof(*f));
	f->created_at = f->paid_at = f->shipped_at = f->delivered_at = -1;
	f->total_fen = f->amount_fen = f->requested_at = f->deadline = -1;
	f->buyer_quote_at = -1;
	/* the newest order record of the order */
	if (db_prepare(db, "SELECT r.shop, r.buyer_nick, r.buyer_phone, r.buyer_address, "
		       "r.currency, r.pay_method, r.pay_txn, r.created_at, r.paid_at, "
		       "r.shipped_at, r.delivered_at, r.total_fen "
		       "FROM order_records r JOIN evidence e ON e.id = r.evidence_id "
		       "WHERE e.order_id = ? ORDER BY e.id DESC LIMIT 1", &st, err) < 0)
		goto out;
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		f->shop = col_str(st, 0);
		f->buyer_nick = col_str(st, 1);
		f->buyer_phone = col_str(st, 2);
		f->buyer_address = col_str(st, 3);
		f->currency = col_str(st, 4);
		f->pay_method = col_str(st, 5);
		f->pay_txn = col_str(st, 6);
		f->created_at = col_time(st, 7);
		f->paid_at = col_time(st, 8);
		f->shipped_at = col_time(st, 9);
		f->delivered_at = col_time(st, 10);
		f->total_fen = col_time(st, 11);
	} else if (rc != SQLITE_DONE) {
		db_err(db, err, "cannot read the order record");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (db_prepare(db, "SELECT l.carrier, l.tracking_no FROM logistics l JOIN evidence e "
		       "ON e.id = l.evidence_id WHERE e.order_id = ? ORDER BY e.id LIMIT 1",
		       &st, err) < 0)
		goto out;
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		f->carrier = col_str(st, 0);
		f->tracking_no = col_str(st, 1);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (db_prepare(db, "SELECT min(le.time), max(CASE WHEN le.status = 'delivered' "
		       "THEN le.time END) FROM logistics_events le JOIN evidence e "
		       "ON e.id = le.evidence_id WHERE e.order_id = ?", &st, err) < 0)
		goto out;
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		if (f->shipped_at < 0)
			f->shipped_at = col_time(st, 0);
		if (f->delivered_at < 0)
			f->delivered_at = col_time(st, 1);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (db_prepare(db, "SELECT m.text, m.time FROM messages m JOIN evidence e "
		       "ON e.id = m.evidence_id WHERE e.order_id = ? AND m.sender = 'buyer' "
		       "AND m.text <> '' ORDER BY m.time IS NULL, m.time, e.id, m.seq LIMIT 1",
		       &st, err) < 0)
		goto out;
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		f->buyer_quote = col_str(st, 0);
		f->buyer_quote_at = col_time(st, 1);
	}
	sqlite3_finalize(st);
	st = NULL;
	/* the order's dispute as the dispute module reads it (open, else latest) */
	if (dispute_get(db, order_id, 0, &d, err) < 0) {
		if (err->code != CF_ENOTFOUND)
			goto out;
		cf_err_release(err);
	} else {
		f->has_dispute = 1;
		f->reason = xstrdup(d->reason);
		f->claim = d->claim ? xstrdup(d->claim) : NULL;
		f->status = xstrdup(d->status);
		f->outcome = d->outcome ? xstrdup(d->outcome) : NULL;
		f->amount_fen = d->amount_fen == DISPUTE_NO_AMOUNT ? -1 : d->amount_fen;
		f->requested_at = d->requested_at == DISPUTE_NO_TIME ? -1 : d->requested_at;
		f->deadline = d->deadline == DISPUTE_NO_TIME ? -1 : d->deadline;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	dispute_free(d);
	return ret;
}

void
order_facts_release(struct order_facts *f)
{
	if (f == NULL)
		return;
	free(f->shop);
	free(f->buyer_nick);
	free(f->buyer_phone);
	free(f->buyer_address);
	free(f->currency);
	free(f->pay_method);
	free(f->pay_txn);
	free(f->carrier);
	free(f->tracking_no);
	free(f->buyer_quote);
	free(f->reason);
	free(f->claim);
	free(f->status);
	free(f->outcome);
	memset(f, 0, sizeof(*f));
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
	size_t i = 0, chars = 0, cut = 0;

	while (s[i]) {
		size_t k = i + 1;

		while (((unsigned char)s[k] & 0xC0) == 0x80)
			k++;
		if (chars == (max ? max - 1 : 0))
			cut = i;
		chars++;
		i = k;
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
	 * never more).  Regression 2026-11-26 (fuzz_templates): writing it over
	 * a 2-byte ASCII tail overflowed the buffer.
	 */
	{
		size_t len = strlen(s), kept = max - 1;

		while (cut > 0 && len - cut < 3) {
			do
				cut--;
			while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80);
			kept--;
		}
		if (len - cut >= 3) {
			memcpy(s + cut, "…", 4);
			return kept + 1;
		}
		/* too short for an ellipsis at all: plain cut after max chars */
		for (i = 0, chars = 0; s[i] && chars < max; chars++) {
			i++;
			while (((unsigned char)s[i] & 0xC0) == 0x80)
				i++;
		}
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
 */
static char *
exhibit_list(const struct templates *t, const struct dossier_exhibits *ex,
	     const char *kinds, size_t n)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t i;
	int k = 0;

	for (i = 0; i < ex->n; i++) {
		if (!kind_in(ex->v[i].kind, kinds, n))
			continue;
		if (k++)
			cf_buf_addstr(&b, templates_get(t, "list_sep"));
		exhibit_ref(&b, t, ex->v[i].no);
	}
	if (k == 0)
		cf_buf_addstr(&b, templates_get(t, "none"));
	return cf_buf_detach(&b, NULL);
}

static char *
fmt_time(const struct templates *t, long long utc, long tz)
{
	char buf[40];

	if (utc < 0)
		return xstrdup(templates_get(t, "unknown"));
	return xstrdup(cftime_format(utc, tz, buf, sizeof(buf)));
}

int
statement_draft(sqlite3 *db, const struct templates *t, const char *order_id,
		const char *scenario, size_t max_chars, int mask, long tz_offset,
		char **out, struct cf_err *err)
{
	struct dossier_exhibits ex = { NULL, 0 };
	struct order_facts f;
	const char *tpl, *unk = templates_get(t, "unknown"), *s;
	struct cf_buf b = CF_BUF_INIT;
	char money[40];
	const char *keys[] = {
		"order_id", "shop", "amount", "created_at", "paid_at", "shipped_at",
		"delivered_at", "carrier", "tracking_no", "claim", "reason",
		"buyer_quote", "buyer_quote_at",
	};
	enum { NKEYS = sizeof(keys) / sizeof(keys[0]) };
	char *vals[NKEYS] = { 0 };
	int ret = -1;
	size_t i;

	*out = NULL;
	memset(&f, 0, sizeof(f));
	if (dossier_exhibits_load(db, order_id, &ex, err) < 0 ||
	    order_facts_load(db, order_id, &f, err) < 0)
		goto out;
	if (scenario == NULL)
		scenario = f.reason && statement_scenario_valid(f.reason) ? f.reason : "other";
	if (!statement_scenario_valid(scenario)) {
		cf_err_set(err, CF_EINPUT, "unknown scenario '%s'", scenario);
		goto out;
	}
	if ((tpl = templates_statement(t, scenario)) == NULL) {
		cf_err_set(err, CF_EINPUT, "the templates have no statement '%s'", scenario);
		goto out;
	}
	vals[0] = xstrdup(order_id);
	vals[1] = xstrdup(f.shop ? f.shop : unk);
	if (f.total_fen >= 0)
		vals[2] = xasprintf("%s %s", money_format_fen(f.total_fen, money, sizeof(money)),
				    f.currency ? f.currency : "CNY");
	else
		vals[2] = xstrdup(unk);
	vals[3] = fmt_time(t, f.created_at, tz_offset);
	vals[4] = fmt_time(t, f.paid_at, tz_offset);
	vals[5] = fmt_time(t, f.shipped_at, tz_offset);
	vals[6] = fmt_time(t, f.delivered_at, tz_offset);
	vals[7] = xstrdup(f.carrier ? f.carrier : unk);
	vals[8] = xstrdup(f.tracking_no ? f.tracking_no : unk);
	vals[9] = xstrdup(f.claim ? f.claim : unk);
	/* the reason by its display name in the template's language */
	if (f.reason == NULL)
		vals[10] = xstrdup(unk);
	else if (strncmp(templates_get(t, "lang"), "zh", 2) == 0)
		vals[10] = xstrdup(dispute_reason_zh(f.reason));
	else
		vals[10] = xstrdup(dispute_reason_en(f.reason));
	vals[11] = f.buyer_quote ? (mask ? mask_text(f.buyer_quote) : xstrdup(f.buyer_quote))
				 : xstrdup(unk);
	/* a long first message must not crowd the merchant's points out */
	statement_truncate(vals[11], STATEMENT_QUOTE_CHARS);
	vals[12] = fmt_time(t, f.buyer_quote_at, tz_offset);
	for (s = tpl; *s;) {
		const char *close;

		if (*s == '{' && (close = strchr(s, '}')) != NULL) {
			for (i = 0; i < NKEYS; i++)
				if (strlen(keys[i]) == (size_t)(close - s - 1) &&
				    strncmp(s + 1, keys[i], (size_t)(close - s - 1)) == 0)
					break;
			if (i < NKEYS) {
				cf_buf_addstr(&b, vals[i]);
				s = close + 1;
				continue;
			}
			if (close - s > 4 && strncmp(s + 1, "ex_", 3) == 0) {
				char *l = exhibit_list(t, &ex, s + 4, (size_t)(close - s - 4));

				cf_buf_addstr(&b, l);
				free(l);
				s = close + 1;
				continue;
			}
		}
		cf_buf_addch(&b, *s++);
	}
	*out = cf_buf_detach(&b, NULL);
	if (max_chars)
		statement_truncate(*out, max_chars);
	ret = 0;
out:
	for (i = 0; i < NKEYS; i++)
		free(vals[i]);
	cf_buf_release(&b);
	order_facts_release(&f);
	dossier_exhibits_release(&ex);
	return ret;
}

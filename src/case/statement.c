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
#include "casefile/roles.h"
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

static int
is_alnum(unsigned char c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static int
is_sep(char c)
{
	return c == ' ' || c == '-';
}

static size_t
digits_at(const char *s, size_t p)
{
	size_t k = p;

	while (is_digit((unsigned char)s[k]))
		k++;
	return k - p;
}

/*
 * A mainland mobile number at s + p: 11 digits 1[3-9]…, written whole or
 * as 3-4-4 groups split by ' ' or '-'.  Its digits go to d; returns the
 * end, or 0.
 */
static size_t
mobile_at(const char *s, size_t p, char d[11])
{
	size_t n = digits_at(s, p);

	if (s[p] != '1' || s[p + 1] < '3' || s[p + 1] > '9')
		return 0;
	if (n == 11) {
		memcpy(d, s + p, 11);
		return p + 11;
	}
	if (n != 3 || !is_sep(s[p + 3]) || digits_at(s, p + 4) != 4 ||
	    !is_sep(s[p + 8]) || digits_at(s, p + 9) != 4)
		return 0;
	memcpy(d, s + p, 3);
	memcpy(d + 3, s + p + 4, 4);
	memcpy(d + 7, s + p + 9, 4);
	return p + 13;
}

/*
 * A mobile number at s + i, with an optional country code (+86, 0086, 86)
 * glued on or split off by ' ' or '-'.  *nat is where its national part
 * starts; returns the end, or 0.
 */
static size_t
phone_at(const char *s, size_t i, size_t *nat, char d[11])
{
	size_t p = i, e;

	if (strncmp(s + i, "+86", 3) == 0)
		p = i + 3;
	else if (strncmp(s + i, "0086", 4) == 0)
		p = i + 4;
	else if (strncmp(s + i, "86", 2) == 0)
		p = i + 2;
	if (p != i) {
		*nat = is_sep(s[p]) ? p + 1 : p;
		if ((e = mobile_at(s, *nat, d)) != 0)
			return e;
	}
	*nat = i;
	return mobile_at(s, i, d);
}

static const char *const admin_marks[] = { "区", "县", "镇", "市" };
static const char *const unit_marks[] = {
	"号楼", "号", "栋", "幢", "单元", "室", "弄", "楼", "层", "座", "户",
};
static const char *const road_marks[] = { "路", "街", "道", "巷", "村", "里" };
static const char *const place_marks[] = {
	"小区", "苑", "园", "城", "大厦", "广场", "公寓", "中心",
};

/* Length of the mark of list[0..n) at s, or 0. */
static size_t
mark_at(const char *s, const char *const *list, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (strncmp(s, list[k], strlen(list[k])) == 0)
			return strlen(list[k]);
	return 0;
}

#define NMARKS(a) (sizeof(a) / sizeof((a)[0]))

/*
 * A street address in free text after an administrative part ending at
 * s + p ("…区" / "…县"): a run of letters and digits (no punctuation or
 * space) naming a road or place (路/街/小区…) and then house units —
 * digits before 号/栋/单元/室…, digits right after such a unit (the room
 * of "3单元1501") or after a road.  The first unit comes within 20
 * characters, each next one within 10 of the last.  Returns the end of
 * the last unit, or 0 when there is none or another administrative part
 * comes first (the address starts there).
 */
static size_t
street_at(const char *s, size_t p)
{
	size_t last = 0, gap = 0, prev_mark = 0, k;
	int place = 0;

	while (s[p] && gap < (last ? 10u : 20u)) {
		unsigned char c = (unsigned char)s[p];

		if (is_digit(c)) {
			size_t e = p + digits_at(s, p), m;

			while (s[e] == '-' && is_digit((unsigned char)s[e + 1]))
				e += 1 + digits_at(s, e + 1);
			m = mark_at(s + e, unit_marks, NMARKS(unit_marks));
			if (m && strncmp(s + e + m, "线", 3) == 0)
				m = 0;	/* 2号线: a metro line */
			if (!place)
				m = 0;	/* "超市买的3号电池" is no address */
			if (m) {
				last = p = e + m;
				prev_mark = p;
				gap = 0;
				continue;
			}
			if (prev_mark == p) {
				last = p = e;
				gap = 0;
				continue;
			}
			gap += e - p;
			p = e;
			continue;
		}
		if (c >= 0xE0) {
			/* CJK punctuation and full-width forms end the run */
			if ((c == 0xE3 && (unsigned char)s[p + 1] == 0x80) ||
			    (c == 0xEF && ((unsigned char)s[p + 1] == 0xBC ||
					   (unsigned char)s[p + 1] == 0xBD)))
				break;
			if (last == 0 && mark_at(s + p, admin_marks, NMARKS(admin_marks)))
				return 0;
			k = mark_at(s + p, road_marks, NMARKS(road_marks));
			if (k) {
				p += k;
				prev_mark = p;
				place = 1;
				gap++;
				continue;
			}
			if ((k = mark_at(s + p, place_marks, NMARKS(place_marks))) != 0) {
				p += k;
				place = 1;
				gap++;
				continue;
			}
			k = p + 1;
			while (((unsigned char)s[k] & 0xC0) == 0x80)
				k++;
			p = k;
			gap++;
			continue;
		}
		if (!is_alnum(c) && c != '#')
			break;
		p++;
		gap++;
	}
	return last;
}

char *
mask_text(const char *s)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t i = 0, n = strlen(s);

	while (i < n) {
		size_t j = i, nat, m;
		char d[11];
		/* digits glued to letters are an identifier (SF1234567890) */
		int word_start = i == 0 || !is_alnum((unsigned char)s[i - 1]);

		if ((s[i] == '+' || (is_digit((unsigned char)s[i]) && word_start)) &&
		    (j = phone_at(s, i, &nat, d)) != 0) {
			cf_buf_add(&b, s + i, nat - i);
			cf_buf_add(&b, d, 3);
			cf_buf_addstr(&b, "****");
			cf_buf_add(&b, d + 7, 4);
			i = j;
			continue;
		}
		if ((m = mark_at(s + i, admin_marks, NMARKS(admin_marks))) != 0) {
			cf_buf_add(&b, s + i, m);
			i += m;
			if ((j = street_at(s, i)) != 0) {
				cf_buf_addstr(&b, "****");
				i = j;
			}
			continue;
		}
		j = i;
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
		} else if (j < n && (strncmp(s + j, "号", 3) == 0 || strncmp(s + j, "栋", 3) == 0 ||
				     strncmp(s + j, "幢", 3) == 0 || strncmp(s + j, "单元", 6) == 0 ||
				     strncmp(s + j, "室", 3) == 0 || strncmp(s + j, "弄", 3) == 0 ||
				     strncmp(s + j, "楼", 3) == 0) &&
			   !(i >= 3 && strncmp(s + i - 3, "月", 3) == 0) &&
			   strncmp(s + j, "号线", 6) != 0) {
			size_t k;

			/* a house number; "5月3号" is a date, "2号线" a metro line */
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
		       "WHERE e.order_id = ? AND e.excluded IS NULL ORDER BY e.id DESC LIMIT 1", &st, err) < 0)
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
		       "ON e.id = l.evidence_id WHERE e.order_id = ? AND e.excluded IS NULL ORDER BY e.id LIMIT 1",
		       &st, err) < 0)
		goto out;
	sqlite3_bind_text(st, 1, order_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		f->carrier = col_str(st, 0);
		f->tracking_no = col_str(st, 1);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (db_prepare(db, "SELECT min(le.time), max(CASE WHEN le.status IN ('delivered', "
		       "'locker') THEN le.time END) FROM logistics_events le JOIN evidence e "
		       "ON e.id = le.evidence_id WHERE e.order_id = ? AND e.excluded IS NULL",
		       &st, err) < 0)
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
		       "ON e.id = m.evidence_id WHERE e.order_id = ?1 AND e.excluded IS NULL AND "
		       ROLES_SQL_SENDER("m", "?1") " = 'buyer' "
		       "AND m.text <> '' ORDER BY m.time IS NULL, m.time, m.time_ms, e.id, m.seq LIMIT 1",
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
 * A superseded exhibit (an older export) is cited through the one that
 * supersedes it.
 */
static char *
exhibit_list(const struct templates *t, const struct dossier_exhibits *ex,
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
	const struct dossier_exhibits *ex;
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

int
statement_draft(sqlite3 *db, const struct templates *t, const char *order_id,
		const char *scenario, size_t max_chars, int mask, long tz_offset,
		char **out, struct cf_err *err)
{
	struct dossier_exhibits ex = { NULL, 0 };
	struct order_facts f;
	const char *tpl, *s;
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
	vals[1] = f.shop && *f.shop ? xstrdup(f.shop) : NULL;
	if (f.total_fen >= 0)
		vals[2] = xasprintf("%s %s", money_format_fen(f.total_fen, money, sizeof(money)),
				    f.currency ? f.currency : "CNY");
	vals[3] = fmt_time(f.created_at, tz_offset);
	vals[4] = fmt_time(f.paid_at, tz_offset);
	vals[5] = fmt_time(f.shipped_at, tz_offset);
	vals[6] = fmt_time(f.delivered_at, tz_offset);
	vals[7] = f.carrier && *f.carrier ? xstrdup(f.carrier) : NULL;
	vals[8] = f.tracking_no && *f.tracking_no ? xstrdup(f.tracking_no) : NULL;
	if (f.claim && *f.claim)
		vals[9] = mask ? mask_text(f.claim) : xstrdup(f.claim);
	/*
	 * The reason by its display name in the template's language: the
	 * dispute's, else the scenario the statement argues.
	 */
	s = f.reason ? f.reason : scenario;
	if (strncmp(templates_get(t, "lang"), "zh", 2) == 0)
		vals[10] = xstrdup(dispute_reason_zh(s));
	else
		vals[10] = xstrdup(dispute_reason_en(s));
	if (f.buyer_quote) {
		vals[11] = mask ? mask_text(f.buyer_quote) : xstrdup(f.buyer_quote);
		/* a long first message must not crowd the merchant's points out */
		statement_truncate(vals[11], STATEMENT_QUOTE_CHARS);
	}
	vals[12] = fmt_time(f.buyer_quote_at, tz_offset);
	{
		struct fill fl = { t, &ex, keys, vals, NKEYS };

		fill_lines(&b, &fl, tpl);
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

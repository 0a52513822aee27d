/* SPDX-License-Identifier: MIT */
/*
 * checklist — parse the per-reason evidence checklists and evaluate their
 * rules against one order's rows in the vault (see checklist.h).
 *
 * Evaluation reads the order's rows with plain SELECTs and matches words in
 * C: an order has tens of rows, not millions, and matching in C keeps the
 * rule language free of SQL.  Only whitelisted column names are ever
 * interpolated into SQL (order field=F, captured before=F).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/checklist.h"
#include "casefile/db.h"
#include "casefile/db_stmt.h"
#include "casefile/roles.h"
#include "casefile/dispute.h"
#include "casefile/exhibits.h"
#include "casefile/profile.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"

#define CHECKLIST_MAX_BYTES (1 << 20)
#define MAX_CITES 5

enum rule_type { R_EVIDENCE, R_LOGISTICS, R_CHAT, R_ORDER, R_CAPTURED, R_BUYER, R_ROLE };

struct words {
	char **v;
	size_t n;
};

struct rule {
	enum rule_type type;
	struct words kinds, words, note;
	char *status, *from, *field;
	long min;
};

struct item {
	int required;
	char *text, *rules_text;
	struct rule *rules;
	size_t nrules;
};

struct section {
	const char *reason;	/* static code */
	struct item *items;
	size_t n;
};

struct checklist {
	struct section *s;
	size_t n;
};

static const char *const kinds_ok[] = {
	"chat", "logistics", "order", "photo", "video", "receipt", "other", NULL
};
static const char *const order_fields[] = {
	"created_at", "paid_at", "shipped_at", "delivered_at", "buyer_phone",
	"buyer_address", "buyer_nick", "total_fen", "pay_txn", "pay_method", "shop", NULL
};
static const char *const time_fields[] = {
	"created_at", "paid_at", "shipped_at", "delivered_at", NULL
};
static const char *const senders[] = { "buyer", "merchant", "platform", "system", "unknown", NULL };

static int
in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return 1;
	return 0;
}

static void
words_free(struct words *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	w->v = NULL;
	w->n = 0;
}

static void
rule_release(struct rule *r)
{
	words_free(&r->kinds);
	words_free(&r->words);
	words_free(&r->note);
	free(r->status);
	free(r->from);
	free(r->field);
}

static void
item_release(struct item *it)
{
	size_t i;

	for (i = 0; i < it->nrules; i++)
		rule_release(&it->rules[i]);
	free(it->rules);
	free(it->text);
	free(it->rules_text);
}

void
checklist_free(struct checklist *cl)
{
	size_t i, j;

	if (cl == NULL)
		return;
	for (i = 0; i < cl->n; i++) {
		for (j = 0; j < cl->s[i].n; j++)
			item_release(&cl->s[i].items[j]);
		free(cl->s[i].items);
	}
	free(cl->s);
	free(cl);
}

/* Split a comma list (',' '，' '、') into w; returns -1 when empty. */
static int
split_words(const char *s, struct words *w)
{
	struct cf_buf cur = CF_BUF_INIT;
	const char *p = s;

	for (;;) {
		size_t sep = 0;

		if (*p == ',')
			sep = 1;
		else if (!strncmp(p, "\xef\xbc\x8c", 3) || !strncmp(p, "\xe3\x80\x81", 3))
			sep = 3;
		if (sep || *p == '\0') {
			if (cur.len) {
				w->v = xreallocarray(w->v, w->n + 1, sizeof(*w->v));
				w->v[w->n++] = cf_buf_detach(&cur, NULL);
			}
			if (*p == '\0')
				break;
			p += sep;
			continue;
		}
		cf_buf_addch(&cur, *p++);
	}
	cf_buf_release(&cur);
	return w->n ? 0 : -1;
}

static int
lerr(struct cf_err *err, const char *source, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
lerr(struct cf_err *err, const char *source, unsigned line, const char *fmt, ...)
{
	va_list ap;
	char *m;

	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	cf_err_set(err, CF_EINPUT, "checklist '%s': line %u: %s", source, line, m);
	free(m);
	return -1;
}

/* Parse one rule "type key=value ..." into r. */
static int
parse_rule(char *text, struct rule *r, const char *source, unsigned line,
	   struct cf_err *err)
{
	char *save = NULL, *tok, *type;
	size_t i;

	memset(r, 0, sizeof(*r));
	r->min = 1;
	type = strtok_r(text, " \t", &save);
	if (type == NULL)
		return lerr(err, source, line, "empty rule");
	if (!strcmp(type, "evidence"))
		r->type = R_EVIDENCE;
	else if (!strcmp(type, "logistics"))
		r->type = R_LOGISTICS;
	else if (!strcmp(type, "chat"))
		r->type = R_CHAT;
	else if (!strcmp(type, "order"))
		r->type = R_ORDER;
	else if (!strcmp(type, "captured"))
		r->type = R_CAPTURED;
	else if (!strcmp(type, "buyer_disputes"))
		r->type = R_BUYER;
	else if (!strcmp(type, "role"))
		r->type = R_ROLE;
	else
		return lerr(err, source, line, "unknown rule '%s' (one of: evidence, logistics, "
			    "chat, order, captured, buyer_disputes, role)", type);
	if (r->type == R_ROLE) {
		enum cf_role role;

		/* role R[,R] first: the roles, then options */
		if ((tok = strtok_r(NULL, " \t", &save)) == NULL || strchr(tok, '=') ||
		    split_words(tok, &r->kinds) < 0)
			return lerr(err, source, line, "rule 'role' needs role names first "
				    "(role packing before=shipped_at)");
		for (i = 0; i < r->kinds.n; i++)
			if (cf_role_from_name(r->kinds.v[i], &role) < 0)
				return lerr(err, source, line, "unknown role '%s' (one of: %s)",
					    r->kinds.v[i], cf_role_names());
	}
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
		char *eq = strchr(tok, '='), *val;
		int ok = 0;

		if (eq == NULL || eq == tok || eq[1] == '\0')
			return lerr(err, source, line, "expected key=value in rule '%s', got '%s'",
				    type, tok);
		*eq = '\0';
		val = eq + 1;
		if ((!strcmp(tok, "kind") && r->kinds.n) || (!strcmp(tok, "note") && r->note.n) ||
		    (!strcmp(tok, "keyword") && r->words.n) ||
		    (!strcmp(tok, "status") && r->status) || (!strcmp(tok, "from") && r->from) ||
		    ((!strcmp(tok, "field") || !strcmp(tok, "before")) && r->field))
			return lerr(err, source, line, "'%s' given twice in rule '%s'", tok, type);
		if (r->type == R_ROLE && !strcmp(tok, "from") && !r->from) {
			enum cf_supplier sp;

			if (cf_supplier_from_name(val, &sp) < 0)
				return lerr(err, source, line, "unknown supplier '%s' (one of: buyer, "
					    "merchant, platform, courier)", val);
			r->from = xstrdup(cf_supplier_name(sp));
			continue;
		}
		if (r->type == R_ROLE && !strcmp(tok, "before") && !r->field) {
			if (!in_list(time_fields, val))
				return lerr(err, source, line, "unknown order field '%s'", val);
			r->field = xstrdup(val);
			continue;
		}
		if (!strcmp(tok, "min") &&
		    (r->type == R_EVIDENCE || r->type == R_CAPTURED || r->type == R_BUYER ||
		     r->type == R_ROLE)) {
			char *end;
			long v;

			errno = 0;
			v = strtol(val, &end, 10);
			if (*end || errno || v < 1 || v > 1000 || !isdigit((unsigned char)*val))
				return lerr(err, source, line, "bad min '%s': a number 1..1000", val);
			r->min = v;
			ok = 1;
		} else if (!strcmp(tok, "kind") && r->type == R_EVIDENCE) {
			if (r->kinds.n || split_words(val, &r->kinds) < 0)
				return lerr(err, source, line, "bad kind list '%s'", val);
			for (i = 0; i < r->kinds.n; i++)
				if (!in_list(kinds_ok, r->kinds.v[i]))
					return lerr(err, source, line, "unknown kind '%s' (one of: chat, "
						    "logistics, order, photo, video, receipt, other)",
						    r->kinds.v[i]);
			ok = 1;
		} else if (!strcmp(tok, "note") && r->type == R_EVIDENCE) {
			if (r->note.n || split_words(val, &r->note) < 0)
				return lerr(err, source, line, "bad word list '%s'", val);
			ok = 1;
		} else if (!strcmp(tok, "keyword") &&
			   (r->type == R_LOGISTICS || r->type == R_CHAT)) {
			if (r->words.n || split_words(val, &r->words) < 0)
				return lerr(err, source, line, "bad word list '%s'", val);
			ok = 1;
		} else if (!strcmp(tok, "status") && r->type == R_LOGISTICS && !r->status) {
			r->status = xstrdup(val);
			ok = 1;
		} else if (!strcmp(tok, "from") && (r->type == R_CHAT || r->type == R_EVIDENCE) &&
			   !r->from) {
			if (!in_list(senders, val))
				return lerr(err, source, line, "unknown sender '%s' (one of: buyer, "
					    "merchant, platform, system)", val);
			r->from = xstrdup(val);
			ok = 1;
		} else if ((!strcmp(tok, "field") && r->type == R_ORDER) ||
			   (!strcmp(tok, "before") && r->type == R_CAPTURED)) {
			const char *const *l = r->type == R_ORDER ? order_fields : time_fields;

			if (r->field || !in_list(l, val))
				return lerr(err, source, line, "unknown order field '%s'", val);
			r->field = xstrdup(val);
			ok = 1;
		}
		if (!ok)
			return lerr(err, source, line, "rule '%s' does not take '%s' "
				    "(or it is given twice)", type, tok);
	}
	if (r->type == R_EVIDENCE && !r->kinds.n)
		return lerr(err, source, line, "rule 'evidence' needs kind=");
	if (r->type == R_LOGISTICS && !r->status && !r->words.n)
		return lerr(err, source, line, "rule 'logistics' needs status= or keyword=");
	if (r->type == R_CHAT && !r->words.n)
		return lerr(err, source, line, "rule 'chat' needs keyword=");
	if ((r->type == R_ORDER || r->type == R_CAPTURED) && !r->field)
		return lerr(err, source, line, "rule '%s' needs %s=", type,
			    r->type == R_ORDER ? "field" : "before");
	return 0;
}

static int
parse_item(char *l, struct section *sec, const char *source, unsigned line,
	   struct cf_err *err)
{
	char *bar1 = strchr(l, '|'), *bar2, *level, *text, *rules, *p, *save = NULL;
	struct item it;

	memset(&it, 0, sizeof(it));
	if (bar1 == NULL || (bar2 = strchr(bar1 + 1, '|')) == NULL)
		return lerr(err, source, line, "expected 'LEVEL | TEXT | RULE'");
	*bar1 = *bar2 = '\0';
	level = textenc_trim(l);
	text = textenc_trim(bar1 + 1);
	rules = textenc_trim(bar2 + 1);
	if (!strcmp(level, "required"))
		it.required = 1;
	else if (strcmp(level, "recommended"))
		return lerr(err, source, line, "unknown level '%s' (required or recommended)", level);
	if (*text == '\0')
		return lerr(err, source, line, "the item has no text");
	if (strchr(rules, '|'))
		return lerr(err, source, line, "too many '|' (LEVEL | TEXT | RULE)");
	it.text = xstrdup(text);
	it.rules_text = xstrdup(rules);
	for (p = strtok_r(rules, ";", &save); p; p = strtok_r(NULL, ";", &save)) {
		char *r = textenc_trim(p);

		it.rules = xreallocarray(it.rules, it.nrules + 1, sizeof(*it.rules));
		if (parse_rule(r, &it.rules[it.nrules], source, line, err) < 0) {
			rule_release(&it.rules[it.nrules]);
			item_release(&it);
			return -1;
		}
		it.nrules++;
	}
	if (it.nrules == 0) {
		item_release(&it);
		return lerr(err, source, line, "the item has no rule");
	}
	sec->items = xreallocarray(sec->items, sec->n + 1, sizeof(*sec->items));
	sec->items[sec->n++] = it;
	return 0;
}

int
checklist_parse(const char *text, size_t n, const char *source,
		struct checklist **out, struct cf_err *err)
{
	struct checklist *cl = xcalloc(1, sizeof(*cl));
	struct section *cur = NULL;
	unsigned line = 0;
	size_t off = 0, i;
	int ret = -1;

	if (n >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		off = 3;
	while (off < n) {
		const char *nl = memchr(text + off, '\n', n - off);
		size_t len = nl ? (size_t)(nl - (text + off)) : n - off;
		char *raw, *l;

		line++;
		if (memchr(text + off, '\0', len)) {
			lerr(err, source, line, "NUL byte");
			goto out;
		}
		raw = xstrndup(text + off, len);
		off += len + (nl != NULL);
		l = textenc_trim(raw);
		if (*l == '\0' || *l == '#') {
			free(raw);
			continue;
		}
		if (*l == '[') {
			char *end = strchr(l, ']');
			const char *code;

			if (end == NULL || end[1] != '\0') {
				lerr(err, source, line, "expected '[reason]'");
				free(raw);
				goto out;
			}
			*end = '\0';
			if ((code = dispute_reason_parse(textenc_trim(l + 1), err)) == NULL) {
				cf_err_prefix(err, "checklist '%s': line %u", source, line);
				free(raw);
				goto out;
			}
			for (i = 0; i < cl->n; i++)
				if (cl->s[i].reason == code) {
					lerr(err, source, line, "section '%s' given twice", code);
					free(raw);
					goto out;
				}
			cl->s = xreallocarray(cl->s, cl->n + 1, sizeof(*cl->s));
			cur = &cl->s[cl->n++];
			memset(cur, 0, sizeof(*cur));
			cur->reason = code;
			free(raw);
			continue;
		}
		if (cur == NULL) {
			lerr(err, source, line, "item before the first '[reason]' section");
			free(raw);
			goto out;
		}
		if (parse_item(l, cur, source, line, err) < 0) {
			free(raw);
			goto out;
		}
		free(raw);
	}
	*out = cl;
	cl = NULL;
	ret = 0;
out:
	checklist_free(cl);
	return ret;
}

int
checklist_load(const char *path, struct checklist **out, struct cf_err *err)
{
	struct cf_buf b = CF_BUF_INIT;
	int ret = -1;

	if (cf_buf_read_file(&b, path, "checklist", CHECKLIST_MAX_BYTES, CF_EIO, err) == 0)
		ret = checklist_parse(b.data, b.len, path, out, err);
	cf_buf_release(&b);
	return ret;
}

static const struct section *
find_section(const struct checklist *cl, const char *reason)
{
	size_t i;

	for (i = 0; i < cl->n; i++)
		if (!strcmp(cl->s[i].reason, reason))
			return &cl->s[i];
	return NULL;
}

size_t
checklist_count(const struct checklist *cl, const char *reason)
{
	const struct section *s = find_section(cl, reason);

	return s ? s->n : 0;
}

/* ---- evaluation ---------------------------------------------------------- */

size_t
checklist_utf8_chars(const char *s, size_t n)
{
	size_t i = 0, count = 0;

	while (i < n) {
		i += textenc_utf8_next(s + i, n - i, NULL);
		count++;
	}
	return count;
}

static int
has_word(const struct words *w, const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; i < w->n; i++)
		if (strcasestr(s, w->v[i]))
			return 1;
	return 0;
}

static const char *
col(struct db_stmt *st, int i)
{
	const unsigned char *t = db_col_text(st, i);

	return t ? (const char *)t : "";
}

/* At most max characters of s, never cutting a UTF-8 sequence. */
static char *
clip(const char *s, size_t max)
{
	size_t i = 0, chars = 0, n = strlen(s);

	while (i < n && chars < max) {
		i += textenc_utf8_next(s + i, n - i, NULL);
		chars++;
	}
	return i < n ? xasprintf("%.*s…", (int)i, s) : xstrdup(s);
}

static void
add_cite(struct check_item *it, int64_t id, const char *kind, const char *name,
	 char *detail)
{
	size_t i;

	for (i = 0; i < it->ncites; i++)
		if (id && it->cites[i].evidence_id == id && !detail == !it->cites[i].detail) {
			free(detail);
			return;
		}
	if (it->ncites >= MAX_CITES) {
		free(detail);
		return;
	}
	it->cites = xreallocarray(it->cites, it->ncites + 1, sizeof(*it->cites));
	it->cites[it->ncites].evidence_id = id;
	it->cites[it->ncites].kind = xstrdup(kind);
	it->cites[it->ncites].name = xstrdup(name);
	it->cites[it->ncites].detail = detail;
	it->ncites++;
}

static char *
fmt_time(struct db_stmt *st, int i)
{
	char buf[40];

	if (db_col_type(st, i) == DB_NULL)
		return xstrdup("(no time)");
	cftime_format(db_col_int64(st, i), CFTIME_CST_OFFSET, buf, sizeof(buf));
	buf[16] = '\0';		/* "2025-05-03 10:12" */
	return xstrdup(buf);
}

/*
 * Rows for role rules: every included item of the order (?1) with its
 * capture time, explicit roles, supplier, whether a buyer's chat message
 * carries it as an attachment, and the order's time `field` (NULL: none).
 */
static char *
role_sql(const char *field)
{
	char *bound = field ? xasprintf("(SELECT min(o.%s) FROM order_records o JOIN evidence e2 "
					"ON e2.id = o.evidence_id WHERE e2.order_id = ?1 AND "
					"e2.excluded IS NULL)", field)
			    : xstrdup("NULL");
	char *sql = xasprintf(
		"SELECT e.id, e.kind, e.name, m.captured_at, (SELECT group_concat(x.role) FROM "
		"evidence_roles x WHERE x.evidence_id = e.id), e.supplied_by, EXISTS(SELECT 1 FROM "
		"messages cm JOIN evidence c ON c.id = cm.evidence_id, json_each(CASE WHEN "
		"json_valid(cm.attachments) THEN cm.attachments ELSE '[]' END) j WHERE "
		"c.order_id = ?1 AND c.excluded IS NULL AND " ROLES_SQL_SENDER("cm", "?1")
		" = 'buyer' AND j.value = e.name), %s FROM evidence e LEFT JOIN media m ON "
		"m.evidence_id = e.id WHERE e.order_id = ?1 AND e.excluded IS NULL ORDER BY e.id",
		bound);

	free(bound);
	return sql;
}

/* The role set of a role_sql() row: explicit roles and the kind's. */
static unsigned
row_roles(struct db_stmt *st)
{
	const char *ex = (const char *)db_col_text(st, 4);
	unsigned m = 0;
	enum cf_role k = roles_implied_by_kind((const char *)db_col_text(st, 1));

	if (k != CF_ROLE_COUNT)
		m |= CF_ROLE_BIT(k);
	while (ex && *ex) {
		const char *c = strchr(ex, ',');
		size_t n = c ? (size_t)(c - ex) : strlen(ex);
		char buf[40];
		enum cf_role r;

		if (n < sizeof(buf)) {
			memcpy(buf, ex, n);
			buf[n] = '\0';
			if (cf_role_from_name(buf, &r) == 0)
				m |= CF_ROLE_BIT(r);
		}
		ex = c ? c + 1 : NULL;
	}
	return m;
}

static unsigned
rule_roles(const struct rule *r)
{
	unsigned m = 0;
	size_t i;
	enum cf_role role;

	for (i = 0; i < r->kinds.n; i++)
		if (cf_role_from_name(r->kinds.v[i], &role) == 0)
			m |= CF_ROLE_BIT(role);
	return m;
}

/* Whether a role_sql() row meets role rule r; *why = the cite's detail. */
static int
role_row_ok(const struct rule *r, struct db_stmt *st, char **why)
{
	unsigned have = row_roles(st) & rule_roles(r);
	struct cf_buf b = CF_BUF_INIT;
	int i;

	*why = NULL;
	if (!have)
		return 0;
	if (r->field) {
		if (db_col_type(st, 3) == DB_NULL ||
		    db_col_type(st, 7) == DB_NULL ||
		    db_col_int64(st, 3) >= db_col_int64(st, 7))
			return 0;
	}
	if (r->from) {
		const char *s = (const char *)db_col_text(st, 5);
		int by_chat = !strcmp(r->from, "buyer") && db_col_int(st, 6);

		if (!(s && !strcmp(s, r->from)) && !by_chat)
			return 0;
	}
	for (i = 0; i < CF_ROLE_COUNT; i++)
		if (have & CF_ROLE_BIT(i))
			cf_buf_addf(&b, "%srole %s", b.len ? ", " : "", cf_role_name((enum cf_role)i));
	if (r->field) {
		char *t = fmt_time(st, 3), *u = fmt_time(st, 7);

		cf_buf_addf(&b, ", captured %s, before %s %s", t, r->field, u);
		free(t);
		free(u);
	}
	if (r->from)
		cf_buf_addf(&b, ", supplied by %s%s", r->from,
			    db_col_int(st, 6) && !strcmp(r->from, "buyer")
				    ? " (sent in the buyer's chat)" : "");
	*why = cf_buf_detach(&b, NULL);
	return 1;
}

/* Kinds worth suggesting for a role, best first (NULL-terminated). */
static const char *const *
role_kinds(enum cf_role r)
{
	static const char *const packing[] = { "video", "photo", NULL };
	static const char *const photo[] = { "photo", NULL };
	static const char *const docs[] = { "photo", "receipt", "other", NULL };
	static const char *const invoice[] = { "receipt", "photo", "other", NULL };

	switch (r) {
	case CF_ROLE_PACKING: return packing;
	case CF_ROLE_SHIPPING_LABEL: case CF_ROLE_DELIVERY_PHOTO: case CF_ROLE_DAMAGE_PHOTO:
		return photo;
	case CF_ROLE_INVOICE: return invoice;
	default: return docs;
	}
}

/*
 * For a missing item whose rule is r: the command that would most likely
 * meet it, typeable as printed, and why (Chinese and English).
 */
static int
role_fix(struct cf_db *db, const struct rule *r, const char *order, struct check_item *it,
	 struct cf_err *err)
{
	struct db_stmt *st = NULL;
	char *sql = role_sql(r->field);
	enum cf_role want = CF_ROLE_OTHER;
	const char *const *kinds;
	int64_t cand = 0, late = 0, unsup = 0;
	int cand_rank = 99, rc, k;
	char cand_name[256] = "", late_name[256] = "";

	(void)cf_role_from_name(r->kinds.v[0], &want);
	kinds = role_kinds(want);
	if (db_prepare(db, sql, &st, err) < 0) {
		free(sql);
		return -1;
	}
	free(sql);
	db_bind_text(st, 1, order, -1, DB_STATIC);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *kind = (const char *)db_col_text(st, 1);
		const char *name = (const char *)db_col_text(st, 2);
		unsigned have = row_roles(st) & rule_roles(r);
		int64_t id = db_col_int64(st, 0);

		if (have) {
			int too_late = r->field && (db_col_type(st, 3) == DB_NULL ||
						    db_col_type(st, 7) == DB_NULL ||
						    db_col_int64(st, 3) >=
							    db_col_int64(st, 7));

			if (too_late && !late) {
				late = id;
				snprintf(late_name, sizeof(late_name), "%s", name);
			} else if (!too_late && r->from && !unsup) {
				unsup = id;
			}
			continue;
		}
		for (k = 0; kinds[k]; k++)
			if (!strcmp(kind, kinds[k]))
				break;
		if (!kinds[k])
			continue;
		/* captured before the bound counts first */
		if (r->field && db_col_type(st, 3) != DB_NULL &&
		    db_col_type(st, 7) != DB_NULL &&
		    db_col_int64(st, 3) < db_col_int64(st, 7))
			k -= 10;
		if (k < cand_rank) {
			cand_rank = k;
			cand = id;
			snprintf(cand_name, sizeof(cand_name), "%s", name);
		}
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot read the evidence of order '%s'", order);
	if (unsup) {
		it->fix = xasprintf("casefile tag %lld --supplied-by %s", (long long)unsup, r->from);
		it->fix_zh = xasprintf("若证据 #%lld 确由%s提供，标明提供方", (long long)unsup,
				       !strcmp(r->from, "buyer") ? "买家" : r->from);
		it->fix_en = xasprintf("if evidence #%lld was supplied by the %s, say so",
				       (long long)unsup, r->from);
	} else if (cand) {
		it->fix = xasprintf("casefile tag %lld --role %s", (long long)cand, cf_role_name(want));
		it->fix_zh = xasprintf("若证据 #%lld（%s）就是%s，给它标上用途", (long long)cand,
				       cand_name, cf_role_label(want, "zh-CN"));
		it->fix_en = xasprintf("if evidence #%lld ('%s') is the %s, give it that role",
				       (long long)cand, cand_name, cf_role_label(want, "en"));
	} else {
		it->fix = xasprintf("casefile ingest %s --role %s FILE", order, cf_role_name(want));
		if (late) {
			it->fix_zh = xasprintf("证据 #%lld（%s）的拍摄时间不早于%s，不能证明；请补充更早拍摄的%s",
					       (long long)late, late_name, r->field,
					       cf_role_label(want, "zh-CN"));
			it->fix_en = xasprintf("evidence #%lld ('%s') was not captured before %s; "
					       "add an earlier %s", (long long)late, late_name,
					       r->field, cf_role_label(want, "en"));
		} else {
			it->fix_zh = xasprintf("补充%s，并标明用途", cf_role_label(want, "zh-CN"));
			it->fix_en = xasprintf("add the %s with its role", cf_role_label(want, "en"));
		}
	}
	return 0;
}

/* Evaluate one rule; cites go to it.  Returns 1 satisfied, 0 not, -1 error. */
static int
eval_rule(struct cf_db *db, const struct rule *r, const char *order,
	  struct check_item *it, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	char *sql = NULL;
	long count = 0;
	int rc, ret = -1;
	char *phone = NULL, *nick = NULL;

	switch (r->type) {
	case R_EVIDENCE:
		/* from=S: the file is attached (by name) to a chat message of S */
		sql = xstrdup("SELECT id, kind, name, note, rel_path, ?2 IS NULL OR EXISTS ("
			      "SELECT 1 FROM messages m JOIN evidence c ON c.id = m.evidence_id, "
			      "json_each(CASE WHEN json_valid(m.attachments) THEN m.attachments "
			      "ELSE '[]' END) j WHERE c.order_id = ?1 AND c.excluded IS NULL AND "
			      ROLES_SQL_SENDER("m", "?1") " = ?2 "
			      "AND j.value = evidence.name) FROM evidence "
			      "WHERE order_id = ?1 AND excluded IS NULL ORDER BY id");
		break;
	case R_LOGISTICS:
		sql = xstrdup("SELECT e.id, e.kind, e.name, le.time, le.status, le.status_raw, "
			      "le.location, le.description FROM logistics_events le "
			      "JOIN evidence e ON e.id = le.evidence_id WHERE e.order_id = ?1 AND e.excluded IS NULL "
			      "ORDER BY e.id, le.seq");
		break;
	case R_CHAT:
		sql = xstrdup("SELECT e.id, e.kind, e.name, m.time, "
			      ROLES_SQL_SENDER("m", "?1") ", m.text "
			      "FROM messages m JOIN evidence e ON e.id = m.evidence_id "
			      "WHERE e.order_id = ?1 AND e.excluded IS NULL ORDER BY e.id, m.seq");
		break;
	case R_ORDER:
		sql = xasprintf("SELECT e.id, e.kind, e.name, o.%s FROM order_records o "
				"JOIN evidence e ON e.id = o.evidence_id WHERE e.order_id = ?1 AND e.excluded IS NULL "
				"AND o.%s IS NOT NULL AND o.%s != '' ORDER BY e.id",
				r->field, r->field, r->field);
		break;
	case R_CAPTURED:
		sql = xasprintf("SELECT e.id, e.kind, e.name, m.captured_at FROM media m "
				"JOIN evidence e ON e.id = m.evidence_id WHERE e.order_id = ?1 AND e.excluded IS NULL "
				"AND e.kind IN ('photo','video') AND m.captured_at IS NOT NULL "
				"AND m.captured_at < (SELECT min(o.%s) FROM order_records o JOIN "
				"evidence e2 ON e2.id = o.evidence_id WHERE e2.order_id = ?1 AND e2.excluded IS NULL) "
				"ORDER BY e.id", r->field);
		break;
	case R_ROLE:
		sql = role_sql(r->field);
		break;
	case R_BUYER:
		/* A nick the platform already masked ("小**") identifies nobody. */
		if (dispute_buyer_identity(db, order, &phone, &nick, err) < 0)
			return -1;
		if (!phone && !nick)
			return 0;
		sql = xstrdup("SELECT d.id, d.order_id, d.reason, coalesce(d.outcome, d.status) "
			      "FROM disputes d WHERE d.order_id != ?1 AND d.order_id IN ("
			      "SELECT e.order_id FROM order_records o JOIN evidence e ON "
			      "e.id = o.evidence_id WHERE (?2 IS NOT NULL AND o.buyer_phone = ?2) "
			      "OR (?2 IS NULL AND o.buyer_nick = ?3)) ORDER BY d.id");
		break;
	}
	if (db_prepare(db, sql, &st, err) < 0)
		goto out;
	db_bind_text(st, 1, order, -1, DB_STATIC);
	if (r->type == R_EVIDENCE && r->from)
		db_bind_text(st, 2, r->from, -1, DB_STATIC);
	if (r->type == R_BUYER) {
		if (phone)
			db_bind_text(st, 2, phone, -1, DB_STATIC);
		if (nick)
			db_bind_text(st, 3, nick, -1, DB_STATIC);
	}
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t id = db_col_int64(st, 0);
		const char *kind = col(st, 1), *name = col(st, 2);
		size_t k;

		switch (r->type) {
		case R_EVIDENCE:
			for (k = 0; k < r->kinds.n; k++)
				if (!strcmp(kind, r->kinds.v[k]))
					break;
			if (k == r->kinds.n)
				continue;
			if (r->note.n && !has_word(&r->note, col(st, 3)) &&
			    !has_word(&r->note, name) && !has_word(&r->note, col(st, 4)))
				continue;
			if (!db_col_int(st, 5))
				continue;
			add_cite(it, id, kind, name,
				 r->from ? xasprintf("attached to a %s chat message", r->from) : NULL);
			count++;
			break;
		case R_LOGISTICS: {
			const char *status = col(st, 4);

			if (r->status && strcmp(status, r->status))
				continue;
			if (r->words.n && !has_word(&r->words, col(st, 5)) &&
			    !has_word(&r->words, col(st, 6)) && !has_word(&r->words, col(st, 7)))
				continue;
			{
				char *t = fmt_time(st, 3), *d = clip(col(st, 7), 40);

				add_cite(it, id, kind, name,
					 xasprintf("%s %s %s %s", t, *status ? status : col(st, 5),
						   col(st, 6), d));
				free(t);
				free(d);
			}
			count++;
			break;
		}
		case R_CHAT:
			if (r->from && strcmp(col(st, 4), r->from))
				continue;
			if (!has_word(&r->words, col(st, 5)))
				continue;
			{
				char *t = fmt_time(st, 3), *d = clip(col(st, 5), 40);

				add_cite(it, id, kind, name,
					 xasprintf("%s %s: %s", t, col(st, 4), d));
				free(t);
				free(d);
			}
			count++;
			break;
		case R_ORDER:
			add_cite(it, id, kind, name, xasprintf("%s present", r->field));
			count++;
			break;
		case R_CAPTURED: {
			char *t = fmt_time(st, 3);

			add_cite(it, id, kind, name,
				 xasprintf("captured %s, before %s", t, r->field));
			free(t);
			count++;
			break;
		}
		case R_ROLE: {
			char *why = NULL;

			if (!role_row_ok(r, st, &why))
				continue;
			add_cite(it, id, kind, name, why);
			count++;
			break;
		}
		case R_BUYER: {
			char *nm = xasprintf("order %s dispute #%lld", col(st, 1), (long long)id);

			add_cite(it, 0, "dispute", nm, xasprintf("%s, %s", col(st, 2), col(st, 3)));
			free(nm);
			count++;
			break;
		}
		}
	}
	if (rc != DB_DONE) {
		db_err(db, err, "cannot read the evidence of order '%s'", order);
		goto out;
	}
	ret = count >= r->min;
out:
	db_finalize(st);
	free(sql);
	free(phone);
	free(nick);
	return ret;
}

int
checklist_eval(struct cf_db *db, const struct checklist *cl, const char *reason,
	       const char *order, struct check_report **out, struct cf_err *err)
{
	const struct section *sec = find_section(cl, reason);
	struct exhibits ex = { NULL, 0 };
	struct check_report *r;
	size_t i, j;

	if (sec == NULL)
		return cf_err_set(err, CF_EINPUT, "the checklist has no section '[%s]'", reason);
	/* the dossier's numbering, so the merchant finds the same 证据N */
	if (exhibits_load(db, order, &ex, err) < 0) {
		if (err->code != CF_ENOTFOUND)
			return -1;
		cf_err_release(err);
	}
	r = xcalloc(1, sizeof(*r));
	r->order_id = xstrdup(order);
	r->reason = xstrdup(reason);
	r->statement_chars = -1;
	r->items = xcalloc(sec->n ? sec->n : 1, sizeof(*r->items));
	r->nitems = sec->n;
	for (i = 0; i < sec->n; i++) {
		struct check_item *it = &r->items[i];
		struct check_item scratch;

		it->required = sec->items[i].required;
		it->text = xstrdup(sec->items[i].text);
		it->rules = xstrdup(sec->items[i].rules_text);
		for (j = 0; j < sec->items[i].nrules; j++) {
			int got;

			/* Cites of an unsatisfied rule (e.g. 2 photos of min=3) are dropped. */
			memset(&scratch, 0, sizeof(scratch));
			got = eval_rule(db, &sec->items[i].rules[j], order, &scratch, err);
			if (got < 0) {
				free(scratch.cites);
				check_report_free(r);
				exhibits_release(&ex);
				return -1;
			}
			if (got) {
				size_t k;

				it->have = 1;
				for (k = 0; k < scratch.ncites; k++)
					add_cite(it, scratch.cites[k].evidence_id,
						 scratch.cites[k].kind, scratch.cites[k].name,
						 scratch.cites[k].detail);
			} else {
				size_t k;

				for (k = 0; k < scratch.ncites; k++)
					free(scratch.cites[k].detail);
			}
			{
				size_t k;

				for (k = 0; k < scratch.ncites; k++) {
					free(scratch.cites[k].kind);
					free(scratch.cites[k].name);
				}
			}
			free(scratch.cites);
		}
		for (j = 0; j < it->ncites; j++)
			it->cites[j].exhibit_no = exhibits_no(&ex, it->cites[j].evidence_id);
		if (!it->have) {
			if (it->required)
				r->missing_required++;
			else
				r->missing_recommended++;
			for (j = 0; j < sec->items[i].nrules; j++)
				if (sec->items[i].rules[j].type == R_ROLE) {
					if (role_fix(db, &sec->items[i].rules[j], order, it,
						     err) < 0) {
						check_report_free(r);
						exhibits_release(&ex);
						return -1;
					}
					break;
				}
		}
	}
	exhibits_release(&ex);
	*out = r;
	return 0;
}

static void
add_limit(struct check_report *r, char *what, char *problem, char *fix)
{
	r->limits = xreallocarray(r->limits, r->nlimits + 1, sizeof(*r->limits));
	r->limits[r->nlimits].what = what;
	r->limits[r->nlimits].problem = problem;
	r->limits[r->nlimits].fix = fix;
	r->nlimits++;
}

static char *
fmt_size(long long n)
{
	if (n >= 1024 * 1024)
		return xasprintf("%lld.%lld MB", n / (1024 * 1024), n % (1024 * 1024) * 10 / (1024 * 1024));
	if (n >= 1024)
		return xasprintf("%lld KB", n / 1024);
	return xasprintf("%lld bytes", n);
}

/* The format of a photo: media.format, else the name's extension. */
static const char *
photo_format(const char *media_format, const char *name)
{
	const char *dot;

	if (media_format && *media_format)
		return media_format;
	dot = strrchr(name, '.');
	return dot && dot[1] ? dot + 1 : "unknown";
}

int
checklist_limits(struct cf_db *db, const struct profile *p, const char *order,
		 const char *statement, size_t statement_len,
		 const char *statement_name, struct check_report *r,
		 struct cf_err *err)
{
	struct exhibits ex = { NULL, 0 };
	struct db_stmt *st = NULL;
	long nphotos = 0;
	int rc;

	if (exhibits_load(db, order, &ex, err) < 0) {
		if (err->code != CF_ENOTFOUND)
			return -1;
		cf_err_release(err);
	}

	if (db_prepare(db, "SELECT e.id, e.name, e.size, m.format FROM evidence e "
			   "LEFT JOIN media m ON m.evidence_id = e.id "
			   "WHERE e.order_id = ? AND e.excluded IS NULL AND e.kind = 'photo' ORDER BY e.id",
			   &st, err) < 0) {
		exhibits_release(&ex);
		return -1;
	}
	db_bind_text(st, 1, order, -1, DB_STATIC);
	while ((rc = db_step(st)) == DB_ROW) {
		long long id = db_col_int64(st, 0), size = db_col_int64(st, 2);
		const char *name = col(st, 1);
		const char *fmt = photo_format((const char *)db_col_text(st, 3), name);

		nphotos++;
		if (size > p->file_max_bytes) {
			char *s1 = fmt_size(size), *s2 = fmt_size(p->file_max_bytes);

			add_limit(r, xasprintf("photo '%s' (exhibit %d, evidence #%lld)", name,
					 exhibits_no(&ex, id), id),
				  xasprintf("%s, the form takes at most %s per file", s1, s2),
				  xstrdup("compress or resize it before uploading"));
			free(s1);
			free(s2);
		}
		if (!profile_format_ok(p, fmt)) {
			struct cf_buf b = CF_BUF_INIT;
			size_t i;

			for (i = 0; i < p->nformats; i++)
				cf_buf_addf(&b, "%s%s", i ? ", " : "", p->formats[i]);
			add_limit(r, xasprintf("photo '%s' (exhibit %d, evidence #%lld)", name,
					 exhibits_no(&ex, id), id),
				  xasprintf("format %s is not accepted (accepted: %s)", fmt, b.data),
				  xasprintf("convert it to %s", p->formats[0]));
			cf_buf_release(&b);
		}
	}
	db_finalize(st);
	exhibits_release(&ex);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot read the photos of order '%s'", order);
	if (nphotos > p->images_max)
		add_limit(r, xstrdup("photos"),
			  xasprintf("%ld photos, the form takes %ld per submission", nphotos,
				    p->images_max),
			  xasprintf("choose the %ld that show the point best (leave out %ld)",
				    p->images_max, nphotos - p->images_max));
	if (statement) {
		size_t chars = checklist_utf8_chars(statement, statement_len);

		r->statement_chars = (long)chars;
		if ((long)chars > p->statement_max_chars)
			add_limit(r, xasprintf("statement '%s'", statement_name),
				  xasprintf("%zu characters, the form takes %ld", chars,
					    p->statement_max_chars),
				  xasprintf("cut %ld characters", (long)chars - p->statement_max_chars));
	}
	return 0;
}

void
check_report_free(struct check_report *r)
{
	size_t i, j;

	if (r == NULL)
		return;
	for (i = 0; i < r->nitems; i++) {
		for (j = 0; j < r->items[i].ncites; j++) {
			free(r->items[i].cites[j].kind);
			free(r->items[i].cites[j].name);
			free(r->items[i].cites[j].detail);
		}
		free(r->items[i].cites);
		free(r->items[i].fix);
		free(r->items[i].fix_zh);
		free(r->items[i].fix_en);
		free(r->items[i].text);
		free(r->items[i].rules);
	}
	free(r->items);
	for (i = 0; i < r->nlimits; i++) {
		free(r->limits[i].what);
		free(r->limits[i].problem);
		free(r->limits[i].fix);
	}
	free(r->limits);
	free(r->order_id);
	free(r->reason);
	free(r);
}

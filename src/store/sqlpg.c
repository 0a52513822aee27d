/* SPDX-License-Identifier: MIT */
/*
 * sqlpg — SQLite-dialect SQL to PostgreSQL (sqlpg.h lists the rewrites).
 *
 * How: the text is cut into tokens the way SQLite's tokenizer cuts it;
 * each rewrite then marks tokens — a replacement text (rep), or text put
 * before or after the token — and the output is the tokens in their order
 * with the marks applied.  Tokens are never moved, so everything not
 * rewritten (literals, quoted identifiers, comments, spacing) comes out as
 * it came in.  Rewrites are made left to right, so of two that wrap the
 * same token the outer one is seen first: text before a token is appended
 * (outer first), text after it is prepended (inner first).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casefile/buf.h"
#include "casefile/sqlpg.h"
#include "casefile/xalloc.h"

/*
 * The schema after migration 9, written once in the SQLite dialect:
 * schema_v1..v9 of db.c folded (v4/v7/v9's added columns at the end of
 * their tables, in the order added; v5's evidence without v1's
 * UNIQUE(order_id, sha256) and with evidence_same; v9's messages with the
 * 'unknown' sender).  test_sqlpg checks it against a migrated database;
 * keep the two in step when a migration is added.
 */
static const char schema_source[] =
	"CREATE TABLE meta(\n"
	"  key TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL);\n"
	"CREATE TABLE objects(\n"
	"  sha256 BLOB PRIMARY KEY CHECK(length(sha256) = 32),\n"
	"  size INTEGER NOT NULL CHECK(size >= 0),\n"
	"  stored_at INTEGER NOT NULL) WITHOUT ROWID;\n"
	"CREATE TABLE evidence(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  order_id TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK(kind IN ('chat','logistics','order','photo',"
	"'video','receipt','other')),\n"
	"  sha256 BLOB NOT NULL REFERENCES objects(sha256),\n"
	"  size INTEGER NOT NULL,\n"
	"  name TEXT NOT NULL,\n"
	"  name_raw BLOB NOT NULL,\n"
	"  source_path TEXT,\n"
	"  rel_path TEXT,\n"
	"  mtime INTEGER,\n"
	"  ingested_at INTEGER NOT NULL,\n"
	"  tool_version TEXT NOT NULL,\n"
	"  user TEXT,\n"
	"  host TEXT,\n"
	"  note TEXT,\n"
	"  bundle TEXT,\n"
	"  leaf_index INTEGER UNIQUE,\n"
	"  leaf_version INTEGER NOT NULL DEFAULT 1 CHECK(leaf_version IN (1, 3)),\n"
	"  supplied_by TEXT CHECK(supplied_by IN ('buyer','merchant','platform','courier')),\n"
	"  excluded TEXT,\n"
	"  kind_sealed TEXT);\n"
	"CREATE INDEX evidence_order ON evidence(order_id, id);\n"
	"CREATE UNIQUE INDEX evidence_same ON evidence(order_id, sha256, name_raw,"
	" ifnull(rel_path, ''));\n"
	"CREATE TABLE warnings(\n"
	"  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL,\n"
	"  message TEXT NOT NULL,\n"
	"  PRIMARY KEY(evidence_id, seq)) WITHOUT ROWID;\n"
	"CREATE TABLE order_records(\n"
	"  evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  order_id TEXT, shop TEXT,\n"
	"  created_at INTEGER, paid_at INTEGER, shipped_at INTEGER, delivered_at INTEGER,\n"
	"  buyer_nick TEXT, buyer_phone TEXT, buyer_address TEXT,\n"
	"  total_fen INTEGER, currency TEXT,\n"
	"  pay_method TEXT, pay_txn TEXT,\n"
	"  extra TEXT,\n"
	"  source_row INTEGER);\n"
	"CREATE TABLE order_items(\n"
	"  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL,\n"
	"  sku TEXT, title TEXT, qty INTEGER, price_fen INTEGER,\n"
	"  source_row INTEGER,\n"
	"  PRIMARY KEY(evidence_id, seq)) WITHOUT ROWID;\n"
	"CREATE TABLE messages(\n"
	"  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL,\n"
	"  time INTEGER,\n"
	"  sender TEXT NOT NULL CHECK(sender IN ('buyer','merchant','platform','system','unknown')),\n"
	"  sender_raw TEXT,\n"
	"  name TEXT,\n"
	"  text TEXT NOT NULL,\n"
	"  attachments TEXT,\n"
	"  time_ms INTEGER CHECK(time_ms BETWEEN 0 AND 999),\n"
	"  extra TEXT,\n"
	"  PRIMARY KEY(evidence_id, seq)) WITHOUT ROWID;\n"
	"CREATE TABLE logistics(\n"
	"  evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  carrier TEXT, tracking_no TEXT);\n"
	"CREATE TABLE logistics_events(\n"
	"  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL,\n"
	"  time INTEGER,\n"
	"  status TEXT,\n"
	"  status_raw TEXT,\n"
	"  location TEXT,\n"
	"  description TEXT,\n"
	"  time_ms INTEGER CHECK(time_ms BETWEEN 0 AND 999),\n"
	"  extra TEXT,\n"
	"  PRIMARY KEY(evidence_id, seq)) WITHOUT ROWID;\n"
	"CREATE TABLE media(\n"
	"  evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  format TEXT,\n"
	"  width INTEGER, height INTEGER,\n"
	"  orientation INTEGER,\n"
	"  captured_at INTEGER,\n"
	"  has_gps INTEGER NOT NULL DEFAULT 0,\n"
	"  duration_ms INTEGER);\n"
	"CREATE TABLE ledger_nodes(\n"
	"  level INTEGER NOT NULL CHECK(level BETWEEN 0 AND 63),\n"
	"  idx INTEGER NOT NULL CHECK(idx >= 0),\n"
	"  hash BLOB NOT NULL CHECK(length(hash) = 32),\n"
	"  PRIMARY KEY(level, idx)) WITHOUT ROWID;\n"
	"CREATE TABLE heads(\n"
	"  tree_size INTEGER PRIMARY KEY CHECK(tree_size > 0),\n"
	"  root BLOB NOT NULL CHECK(length(root) = 32),\n"
	"  created_at INTEGER NOT NULL,\n"
	"  origin TEXT NOT NULL,\n"
	"  checkpoint TEXT NOT NULL,\n"
	"  key_id BLOB,\n"
	"  tst BLOB,\n"
	"  tsa_url TEXT,\n"
	"  prev_size INTEGER,\n"
	"  consistency_proof BLOB NOT NULL DEFAULT x'');\n"
	"CREATE TABLE disputes(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  order_id TEXT NOT NULL,\n"
	"  reason TEXT NOT NULL,\n"
	"  claim TEXT,\n"
	"  amount_fen INTEGER CHECK(amount_fen >= 0),\n"
	"  status TEXT NOT NULL CHECK(status IN ('requested','rejected','arbitration','closed')),\n"
	"  profile TEXT NOT NULL,\n"
	"  requested_at INTEGER,\n"
	"  rejected_at INTEGER,\n"
	"  arbitration_at INTEGER,\n"
	"  deadline INTEGER,\n"
	"  deadline_source TEXT CHECK(deadline_source IN ('explicit','escalation','evidence')),\n"
	"  outcome TEXT CHECK(outcome IN ('won','lost','settled','withdrawn')),\n"
	"  refunded_fen INTEGER CHECK(refunded_fen >= 0),\n"
	"  resolution TEXT CHECK(resolution IN ('partial_refund','coupon','exchange',"
	"'return_refund','full_refund','none')),\n"
	"  opened_at INTEGER NOT NULL,\n"
	"  closed_at INTEGER,\n"
	"  CHECK((status = 'closed') = (closed_at IS NOT NULL)));\n"
	"CREATE UNIQUE INDEX disputes_one_open ON disputes(order_id) WHERE closed_at IS NULL;\n"
	"CREATE INDEX disputes_order ON disputes(order_id, id);\n"
	"CREATE TABLE dispute_events(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  dispute_id INTEGER NOT NULL REFERENCES disputes(id),\n"
	"  at INTEGER NOT NULL,\n"
	"  who TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK(kind IN ('open','update','note','close')),\n"
	"  what TEXT NOT NULL);\n"
	"CREATE INDEX dispute_events_dispute ON dispute_events(dispute_id, id);\n"
	"CREATE TABLE annotations(\n"
	"  leaf_index INTEGER PRIMARY KEY,\n"
	"  type TEXT NOT NULL,\n"
	"  order_id TEXT NOT NULL,\n"
	"  subject TEXT NOT NULL,\n"
	"  at INTEGER NOT NULL,\n"
	"  who TEXT NOT NULL,\n"
	"  payload BLOB NOT NULL);\n"
	"CREATE INDEX annotations_subject ON annotations(type, subject, leaf_index);\n"
	"CREATE INDEX annotations_order ON annotations(order_id, leaf_index);\n"
	"CREATE TABLE head_tokens(\n"
	"  tree_size INTEGER NOT NULL REFERENCES heads(tree_size),\n"
	"  seq INTEGER NOT NULL,\n"
	"  tsa_url TEXT,\n"
	"  tst BLOB NOT NULL,\n"
	"  added_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY(tree_size, seq));\n"
	"CREATE TABLE derivations(\n"
	"  evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  tool TEXT NOT NULL,\n"
	"  inputs TEXT NOT NULL,\n"
	"  params TEXT NOT NULL,\n"
	"  casefile_version TEXT NOT NULL,\n"
	"  created_at INTEGER NOT NULL);\n"
	"CREATE TABLE evidence_roles(\n"
	"  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  role TEXT NOT NULL CHECK(role IN ('packing','shipping_label','pickup',"
	"'delivery_photo','damage_photo','listing','quality_report','invoice',"
	"'chat','logistics','order','other')),\n"
	"  leaf_index INTEGER,\n"
	"  PRIMARY KEY(evidence_id, role)) WITHOUT ROWID;\n"
	"CREATE INDEX evidence_roles_role ON evidence_roles(role, evidence_id);\n";

enum tk { TK_WS, TK_COMMENT, TK_STR, TK_BLOB, TK_QID, TK_PARAM, TK_NUM, TK_ID, TK_OP };

struct tok {
	enum tk type;
	const char *p;
	size_t n;
	long param;		/* TK_PARAM: its number (0 = bare ?) */
	char *rep;		/* heap: replaces the token, or NULL */
	char *before;		/* heap: emitted before it, or NULL */
	char *after;		/* heap: emitted after it, or NULL */
};

struct tx {
	const char *sql;
	struct tok *t;
	size_t n, cap;
	struct cf_err *err;
};

#define NONE SIZE_MAX

static int
refuse(struct tx *x, const struct tok *t, const char *why)
{
	return cf_err_set(x->err, CF_EINPUT, "SQL at offset %zu: '%.*s': %s",
			  (size_t)(t->p - x->sql), (int)(t->n > 40 ? 40 : t->n), t->p, why);
}

static int
malformed(struct tx *x, size_t off, const char *what)
{
	return cf_err_set(x->err, CF_EINPUT, "SQL at offset %zu: %s", off, what);
}

static void
push(struct tx *x, enum tk type, const char *p, size_t n)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 64;
		x->t = xreallocarray(x->t, x->cap, sizeof(*x->t));
	}
	memset(&x->t[x->n], 0, sizeof(x->t[x->n]));
	x->t[x->n].type = type;
	x->t[x->n].p = p;
	x->t[x->n].n = n;
	x->n++;
}

static int
idchar(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* Cut x->sql into tokens; -1 with x->err on malformed text. */
static int
tokenize(struct tx *x)
{
	const char *s = x->sql;
	size_t i = 0, j;

	while (s[i]) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			for (j = i; s[j] && strchr(" \t\n\r\f\v", s[j]); j++)
				;
			push(x, TK_WS, s + i, j - i);
		} else if (c == '-' && s[i + 1] == '-') {
			for (j = i; s[j] && s[j] != '\n'; j++)
				;
			push(x, TK_COMMENT, s + i, j - i);
		} else if (c == '/' && s[i + 1] == '*') {
			const char *e = strstr(s + i + 2, "*/");

			if (e == NULL)
				return malformed(x, i, "unterminated comment");
			j = (size_t)(e - s) + 2;
			push(x, TK_COMMENT, s + i, j - i);
		} else if ((c == 'x' || c == 'X') && s[i + 1] == '\'') {
			for (j = i + 2; s[j] && s[j] != '\''; j++)
				if (!isxdigit((unsigned char)s[j]))
					return malformed(x, i, "blob literal with a non-hex digit");
			if (s[j] != '\'')
				return malformed(x, i, "unterminated blob literal");
			if ((j - i - 2) % 2)
				return malformed(x, i, "blob literal with an odd number of hex digits");
			j++;
			push(x, TK_BLOB, s + i, j - i);
		} else if (c == '\'' || c == '"') {
			for (j = i + 1;; j++) {
				if (s[j] == '\0')
					return malformed(x, i, c == '\'' ? "unterminated string literal"
									 : "unterminated quoted identifier");
				if (s[j] == (char)c) {
					if (s[j + 1] != (char)c)
						break;
					j++;
				}
			}
			j++;
			push(x, c == '\'' ? TK_STR : TK_QID, s + i, j - i);
		} else if (c == '`' || c == '[') {
			return malformed(x, i, "SQLite-only identifier quoting (` or [): use \"...\"");
		} else if (c == '?') {
			long v = 0;

			for (j = i + 1; isdigit((unsigned char)s[j]); j++) {
				v = v * 10 + (s[j] - '0');
				if (v > 32766)
					return malformed(x, i, "parameter number out of range");
			}
			if (j > i + 1 && v == 0)
				return malformed(x, i, "parameter number out of range");
			push(x, TK_PARAM, s + i, j - i);
			x->t[x->n - 1].param = v;
		} else if ((c == ':' || c == '@' || c == '$') && idchar((unsigned char)s[i + 1])) {
			return malformed(x, i, "named parameter: use ? or ?NNN");
		} else if (isdigit(c) || (c == '.' && isdigit((unsigned char)s[i + 1]))) {
			j = i;
			if (c == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
				for (j = i + 2; isxdigit((unsigned char)s[j]); j++)
					;
				if (j == i + 2 || j - i - 2 > 16)
					return malformed(x, i, "bad hex integer");
			} else {
				while (isdigit((unsigned char)s[j]))
					j++;
				if (s[j] == '.')
					for (j++; isdigit((unsigned char)s[j]); j++)
						;
				if ((s[j] == 'e' || s[j] == 'E') &&
				    (isdigit((unsigned char)s[j + 1]) ||
				     ((s[j + 1] == '+' || s[j + 1] == '-') && isdigit((unsigned char)s[j + 2]))))
					for (j += 2; isdigit((unsigned char)s[j]); j++)
						;
			}
			if (idchar((unsigned char)s[j]))
				return malformed(x, i, "bad number");
			push(x, TK_NUM, s + i, j - i);
		} else if (isalpha(c) || c == '_' || c >= 0x80) {
			for (j = i; idchar((unsigned char)s[j]); j++)
				;
			push(x, TK_ID, s + i, j - i);
		} else {
			static const char *const two[] = { "||", "<>", "!=", "<=", ">=", "==", "<<", ">>" };
			size_t k, len = 0;

			for (k = 0; k < sizeof(two) / sizeof(two[0]); k++)
				if (s[i] == two[k][0] && s[i + 1] == two[k][1])
					len = 2;
			if (len == 0 && c && strchr("(),;+-*/%=<>&|~.", c))
				len = 1;
			if (len == 0) {
				char what[48];

				snprintf(what, sizeof(what), "unexpected byte 0x%02x", c);
				return malformed(x, i, what);
			}
			push(x, TK_OP, s + i, len);
			j = i + len;
		}
		i = j;
	}
	return 0;
}

/* --- token helpers --------------------------------------------------- */

static int
is_id(const struct tok *t, const char *w)
{
	return t->type == TK_ID && t->n == strlen(w) && strncasecmp(t->p, w, t->n) == 0;
}

static int
is_op(const struct tok *t, const char *o)
{
	return t->type == TK_OP && t->n == strlen(o) && memcmp(t->p, o, t->n) == 0;
}

static int
insig(const struct tok *t)
{
	return t->type == TK_WS || t->type == TK_COMMENT;
}

/* The first significant token at or after i (x->n when none). */
static size_t
sig(const struct tx *x, size_t i)
{
	while (i < x->n && insig(&x->t[i]))
		i++;
	return i;
}

/* The last significant token before i (NONE when none). */
static size_t
prev_sig(const struct tx *x, size_t i)
{
	while (i > 0) {
		i--;
		if (!insig(&x->t[i]))
			return i;
	}
	return NONE;
}

static int
sig_is_id(const struct tx *x, size_t i, const char *w)
{
	return i < x->n && is_id(&x->t[i], w);
}

static int
sig_is_op(const struct tx *x, size_t i, const char *o)
{
	return i < x->n && is_op(&x->t[i], o);
}

/* The ')' that closes the '(' at open (parentheses are balanced). */
static size_t
close_paren(const struct tx *x, size_t open)
{
	size_t i;
	int d = 0;

	for (i = open; i < x->n; i++) {
		if (is_op(&x->t[i], "("))
			d++;
		else if (is_op(&x->t[i], ")") && --d == 0)
			return i;
	}
	CF_BUG("unbalanced parentheses after the check");
	return NONE;
}

static void
set_rep(struct tok *t, const char *s)
{
	free(t->rep);
	t->rep = xstrdup(s);
}

static void
add_before(struct tok *t, const char *s)
{
	char *n = xasprintf("%s%s", t->before ? t->before : "", s);

	free(t->before);
	t->before = n;
}

static void
add_after(struct tok *t, const char *s)
{
	char *n = xasprintf("%s%s", s, t->after ? t->after : "");

	free(t->after);
	t->after = n;
}

/* Drop token i and the spacing before it. */
static void
drop(struct tx *x, size_t i)
{
	set_rep(&x->t[i], "");
	if (i > 0 && x->t[i - 1].type == TK_WS)
		set_rep(&x->t[i - 1], "");
}

/*
 * The arguments of the call whose '(' is at open: up to max, as [first,
 * last] significant token ranges split at top-level commas.  Returns the
 * count (0 for "f()"), or -1 when there are more than max.
 */
static int
call_args(const struct tx *x, size_t open, size_t first[], size_t last[], int max)
{
	size_t close = close_paren(x, open), i;
	int n = 0, d = 0;

	if (sig(x, open + 1) == close)
		return 0;
	first[0] = NONE;
	for (i = open + 1; i < close; i++) {
		const struct tok *t = &x->t[i];

		if (insig(t))
			continue;
		if (d == 0 && is_op(t, ",")) {
			if (++n == max)
				return -1;
			first[n] = NONE;
			continue;
		}
		if (is_op(t, "("))
			d++;
		else if (is_op(t, ")"))
			d--;
		if (first[n] == NONE)
			first[n] = i;
		last[n] = i;
	}
	return n + 1;
}

/*
 * Does [a, b] hold a comparison at its top level (a boolean in PG)?  Not
 * inside parentheses or a CASE ... END.
 */
static int
has_comparison(const struct tx *x, size_t a, size_t b)
{
	static const char *const ops[] = { "=", "==", "<>", "!=", "<", "<=", ">", ">=" };
	static const char *const words[] = { "IS", "IN", "LIKE", "BETWEEN", "EXISTS", "NOT",
					     "AND", "OR", "ISNULL", "NOTNULL" };
	size_t i, k;
	int d = 0;

	for (i = a; i <= b && i < x->n; i++) {
		const struct tok *t = &x->t[i];

		if (is_op(t, "(") || is_id(t, "CASE"))
			d++;
		else if (is_op(t, ")") || is_id(t, "END"))
			d--;
		if (d != 0)
			continue;
		for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
			if (is_op(t, ops[k]))
				return 1;
		for (k = 0; k < sizeof(words) / sizeof(words[0]); k++)
			if (is_id(t, words[k]))
				return 1;
	}
	return 0;
}

/* --- the schema's columns: which may be NULL, which are BLOBs ------------ */

struct column {
	char *table, *name;
	int nullable;		/* neither NOT NULL nor PRIMARY KEY */
	int blob;		/* declared BLOB */
};

static struct column *columns;
static size_t ncolumns;
static pthread_once_t columns_once = PTHREAD_ONCE_INIT;

/*
 * Read every CREATE TABLE of the schema: a column is NOT NULL when its
 * definition says NOT NULL or PRIMARY KEY (a table's PRIMARY KEY(...) does
 * not count: SQLite lets those columns hold NULL in a rowid table).
 */
static void
read_columns(void)
{
	struct cf_err err = CF_ERR_INIT;
	struct tx x = { .sql = schema_source, .err = &err };
	size_t i;

	if (tokenize(&x) < 0)
		CF_BUG("the schema does not tokenize: %s", err.msg);
	for (i = 0; i < x.n; i++) {
		size_t name, open, close, a;

		if (!is_id(&x.t[i], "CREATE") || !sig_is_id(&x, sig(&x, i + 1), "TABLE"))
			continue;
		name = sig(&x, sig(&x, i + 1) + 1);
		open = sig(&x, name + 1);
		if (!sig_is_op(&x, open, "("))
			continue;
		close = close_paren(&x, open);
		for (a = sig(&x, open + 1); a < close; a = sig(&x, a + 1)) {
			/* one definition: from a to the next top-level comma */
			size_t e, type = sig(&x, a + 1);
			int d = 0, notnull = 0;

			for (e = a; e < close; e++) {
				if (insig(&x.t[e]))
					continue;
				if (d == 0 && is_op(&x.t[e], ","))
					break;
				if (is_op(&x.t[e], "("))
					d++;
				else if (is_op(&x.t[e], ")"))
					d--;
				else if (d == 0 && ((is_id(&x.t[e], "NOT") &&
						     sig_is_id(&x, sig(&x, e + 1), "NULL")) ||
						    is_id(&x.t[e], "PRIMARY")))
					notnull = 1;
			}
			if (!is_id(&x.t[a], "PRIMARY") && !is_id(&x.t[a], "UNIQUE") &&
			    !is_id(&x.t[a], "CHECK") && !is_id(&x.t[a], "FOREIGN") &&
			    !is_id(&x.t[a], "CONSTRAINT")) {
				struct column *c;

				columns = xreallocarray(columns, ncolumns + 1, sizeof(*columns));
				c = &columns[ncolumns++];
				c->table = xstrndup(x.t[name].p, x.t[name].n);
				c->name = xstrndup(x.t[a].p, x.t[a].n);
				c->nullable = !notnull;
				c->blob = sig_is_id(&x, type, "BLOB");
			}
			a = e;
		}
	}
	free(x.t);
}

static int
is_table(const struct tok *t)
{
	size_t i;

	for (i = 0; i < ncolumns; i++)
		if (is_id(t, columns[i].table))
			return 1;
	return 0;
}

/* Words after a table name that are not its alias. */
static const char *const not_alias[] = {
	"WHERE", "ORDER", "GROUP", "HAVING", "LIMIT", "OFFSET", "JOIN", "LEFT", "RIGHT",
	"INNER", "CROSS", "FULL", "NATURAL", "ON", "USING", "UNION", "INTERSECT",
	"EXCEPT", "WINDOW", "FETCH", "RETURNING", "SET", "VALUES", "SELECT", "DEFAULT",
};

static int
is_not_alias(const struct tok *t)
{
	size_t k;

	for (k = 0; k < sizeof(not_alias) / sizeof(not_alias[0]); k++)
		if (is_id(t, not_alias[k]))
			return 1;
	return 0;
}

/*
 * What the text says of column col (alias.col when alias != NONE): looks
 * in the schema tables the text names after FROM, JOIN, UPDATE or INTO
 * (and their aliases).  0 when no such table has the column; else 1 with
 * *nullable (it may be NULL in one of them) and *blob (a BLOB in one).
 */
static int
column_info(const struct tx *x, size_t alias, size_t col, int *nullable, int *blob)
{
	size_t i, k;
	int found = 0;

	pthread_once(&columns_once, read_columns);
	*nullable = *blob = 0;
	for (i = 0; i < x->n; i++) {
		size_t tb, al;

		if (!is_id(&x->t[i], "FROM") && !is_id(&x->t[i], "JOIN") &&
		    !is_id(&x->t[i], "UPDATE") && !is_id(&x->t[i], "INTO"))
			continue;
		tb = sig(x, i + 1);
		if (tb >= x->n || !is_table(&x->t[tb]))
			continue;
		al = sig(x, tb + 1);
		if (sig_is_id(x, al, "AS"))
			al = sig(x, al + 1);
		if (al >= x->n || x->t[al].type != TK_ID || is_not_alias(&x->t[al]))
			al = tb;
		if (alias != NONE && !(x->t[al].n == x->t[alias].n &&
				       strncasecmp(x->t[al].p, x->t[alias].p, x->t[al].n) == 0) &&
		    !(x->t[tb].n == x->t[alias].n &&
		      strncasecmp(x->t[tb].p, x->t[alias].p, x->t[tb].n) == 0))
			continue;
		for (k = 0; k < ncolumns; k++)
			if (is_id(&x->t[tb], columns[k].table) && is_id(&x->t[col], columns[k].name)) {
				found = 1;
				*nullable |= columns[k].nullable;
				*blob |= columns[k].blob;
			}
	}
	return found;
}

/*
 * Is [a, b] a plain column reference (col or alias.col) the schema knows?
 * Sets *nullable and *blob as column_info().
 */
static int
plain_column(const struct tx *x, size_t a, size_t b, int *nullable, int *blob)
{
	if (a == b && x->t[a].type == TK_ID)
		return column_info(x, NONE, a, nullable, blob);
	if (x->t[a].type == TK_ID && sig(x, a + 1) < b && is_op(&x->t[sig(x, a + 1)], ".") &&
	    sig(x, sig(x, a + 1) + 1) == b && x->t[b].type == TK_ID)
		return column_info(x, a, b, nullable, blob);
	return 0;
}

/* --- the rewrites ------------------------------------------------------ */

/*
 * ORDER BY at i (BY at by): each term that may be NULL gets SQLite's NULL
 * order spelled out.  A term ends at a top-level comma; the list at a ')'
 * closing it, ';', the end, or a clause keyword.
 */
static void
order_by(struct tx *x, size_t by)
{
	static const char *const ends[] = { "LIMIT", "OFFSET", "FETCH", "UNION", "INTERSECT",
					    "EXCEPT", "WINDOW", "ROWS", "RANGE", "GROUPS" };
	size_t i = sig(x, by + 1), first = i, last = NONE;
	int d = 0, done = 0;

	while (!done) {
		const struct tok *t = i < x->n ? &x->t[i] : NULL;
		int end_term = t == NULL || (d == 0 && (is_op(t, ",") || is_op(t, ";")));
		size_t k;

		if (t && d == 0 && is_op(t, ")"))
			end_term = 1;
		for (k = 0; t && d == 0 && k < sizeof(ends) / sizeof(ends[0]); k++)
			if (is_id(t, ends[k]))
				end_term = 1;
		if (end_term) {
			done = t == NULL || !is_op(t, ",");
			if (last != NONE) {
				size_t l = last, p1 = prev_sig(x, l);
				int desc = 0, skip = 0, nullable, blob;

				if (is_id(&x->t[l], "DESC") || is_id(&x->t[l], "ASC")) {
					desc = is_id(&x->t[l], "DESC");
					l = p1;
				}
				if (l == NONE || l < first)
					skip = 1;	/* no term: PostgreSQL will say */
				else if (is_id(&x->t[l], "FIRST") || is_id(&x->t[l], "LAST"))
					skip = 1;	/* NULLS given */
				else if (is_id(&x->t[l], "NULL") &&
					 (sig_is_id(x, prev_sig(x, l), "IS") ||
					  sig_is_id(x, prev_sig(x, l), "NOT")))
					skip = 1;	/* x IS [NOT] NULL: never NULL */
				else if (plain_column(x, first, l, &nullable, &blob) && !nullable)
					skip = 1;	/* NOT NULL in every table named */
				if (!skip)
					add_after(&x->t[last], desc ? " NULLS LAST" : " NULLS FIRST");
			}
			if (done)
				return;
			i = sig(x, i + 1);
			first = i;
			last = NONE;
			continue;
		}
		if (is_op(t, "("))
			d++;
		else if (is_op(t, ")"))
			d--;
		last = i;
		i = sig(x, i + 1);
	}
}

/*
 * FROM (SELECT ...) without a name: PostgreSQL 15 wants one (16 does not).
 * The name is made from the subquery's offset, so it is unique in the text.
 */
static void
subquery_alias(struct tx *x, size_t open)
{
	size_t close = close_paren(x, open), nx = sig(x, close + 1);
	char name[40];

	if (nx < x->n && (x->t[nx].type == TK_QID ||
			  (x->t[nx].type == TK_ID && !is_not_alias(&x->t[nx]))))
		return;	/* AS name, or a name */
	snprintf(name, sizeof(name), " AS sqlpg_sub%zu", (size_t)(x->t[open].p - x->sql));
	add_after(&x->t[close], name);
}

/* The last significant token of the statement holding i. */
static size_t
statement_end(const struct tx *x, size_t i, size_t *returning)
{
	size_t last = i;
	int d = 0;

	*returning = NONE;
	for (; i < x->n; i++) {
		const struct tok *t = &x->t[i];

		if (insig(t))
			continue;
		if (d == 0 && is_op(t, ";"))
			break;
		if (is_op(t, "("))
			d++;
		else if (is_op(t, ")"))
			d--;
		else if (d == 0 && is_id(t, "RETURNING") && *returning == NONE)
			*returning = i;
		last = i;
	}
	return last;
}

/* x LIKE p -> x ILIKE p ESCAPE '' (unless p has its own ESCAPE) */
static void
like(struct tx *x, size_t i)
{
	static const char *const ends[] = { "AND", "OR", "THEN", "ELSE", "END", "WHEN", "ORDER",
					    "GROUP", "LIMIT", "HAVING", "UNION", "EXCEPT",
					    "INTERSECT", "FROM", "WHERE", "ON", "IS", "NOT",
					    "COLLATE", "WINDOW" };
	size_t j, last = NONE, k;
	int d = 0;

	set_rep(&x->t[i], "ILIKE");
	for (j = sig(x, i + 1); j < x->n; j = sig(x, j + 1)) {
		const struct tok *t = &x->t[j];
		int stop = 0;

		if (d == 0) {
			if (is_op(t, ")") || is_op(t, ",") || is_op(t, ";"))
				break;
			if (is_id(t, "ESCAPE"))
				return;
			for (k = 0; k < sizeof(ends) / sizeof(ends[0]); k++)
				if (is_id(t, ends[k]))
					stop = 1;
			if (stop)
				break;
		}
		if (is_op(t, "("))
			d++;
		else if (is_op(t, ")"))
			d--;
		last = j;
	}
	if (last != NONE)
		add_after(&x->t[last], " ESCAPE ''");
}

/* SQLite functions with no PostgreSQL form (followed by '('). */
static const char *const no_pg_function[] = {
	"json", "json_tree", "json_extract", "json_array",
	"json_object", "json_array_length", "json_type", "json_group_array",
	"json_group_object", "json_insert", "json_replace", "json_set", "json_remove",
	"json_patch", "json_quote", "strftime", "datetime", "julianday", "time",
	"unixepoch", "printf", "total", "changes", "total_changes", "last_insert_rowid",
	"randomblob", "zeroblob", "typeof", "unicode", "char", "quote", "likelihood",
	"likely", "unlikely", "glob", "iif", "sqlite_version", "soundex", "load_extension",
};

/* Words with no PostgreSQL form anywhere. */
static const char *const no_pg_word[] = {
	"PRAGMA", "GLOB", "REGEXP", "MATCH", "rowid", "_rowid_", "oid", "sqlite_master",
	"sqlite_schema", "sqlite_temp_master", "sqlite_sequence", "ATTACH", "DETACH",
	"INDEXED",
};

/* Functions rewrite_call() rewrites. */
static const char *const pg_rewritten_function[] = {
	"ifnull", "instr", "group_concat", "hex", "date", "sum", "avg", "min", "max", "CAST",
	"json_each", "json_valid",
};

static int
is_call_name(const struct tok *t)
{
	size_t k;

	for (k = 0; k < sizeof(no_pg_function) / sizeof(no_pg_function[0]); k++)
		if (is_id(t, no_pg_function[k]))
			return 1;
	for (k = 0; k < sizeof(pg_rewritten_function) / sizeof(pg_rewritten_function[0]); k++)
		if (is_id(t, pg_rewritten_function[k]))
			return 1;
	return 0;
}

/* A call of a function named in no_pg_function or pg_rewritten_function. */
static int
rewrite_call(struct tx *x, size_t i, size_t open)
{
	size_t first[3], last[3], k;
	struct tok *t = &x->t[i];
	int n;

	for (k = 0; k < sizeof(no_pg_function) / sizeof(no_pg_function[0]); k++)
		if (is_id(t, no_pg_function[k]))
			return refuse(x, t, "SQLite function with no PostgreSQL form");
	if (is_id(t, "ifnull")) {
		set_rep(t, "coalesce");
	} else if (is_id(t, "instr")) {
		set_rep(t, "strpos");
	} else if (is_id(t, "json_each") || is_id(t, "json_valid")) {
		/* the schema's helpers (pg_helpers): json_each's value column */
		if (call_args(x, open, first, last, 2) != 1)
			return refuse(x, t, "json_each()/json_valid() of other than one argument");
		set_rep(t, is_id(t, "json_each") ? "sqlpg_json_each" : "sqlpg_json_valid");
	} else if (is_id(t, "group_concat")) {
		n = call_args(x, open, first, last, 2);
		if (n < 1)
			return refuse(x, t, "group_concat() takes one or two arguments");
		if (is_id(&x->t[first[0]], "DISTINCT"))
			first[0] = sig(x, first[0] + 1);
		set_rep(t, "string_agg");
		add_before(&x->t[first[0]], "CAST(");
		add_after(&x->t[last[0]], n == 1 ? " AS TEXT), ','" : " AS TEXT)");
	} else if (is_id(t, "hex")) {
		if (call_args(x, open, first, last, 1) != 1)
			return refuse(x, t, "hex() takes one argument");
		set_rep(t, "upper(encode");
		set_rep(&x->t[close_paren(x, open)], ", 'hex'))");
	} else if (is_id(t, "date")) {
		n = call_args(x, open, first, last, 2);
		if (n != 2 || first[1] != last[1] || x->t[first[1]].type != TK_STR ||
		    strncasecmp(x->t[first[1]].p, "'unixepoch'", x->t[first[1]].n) != 0)
			return refuse(x, t, "date() other than date(x, 'unixepoch')");
		set_rep(t, "to_char(to_timestamp");
		set_rep(&x->t[sig(x, last[0] + 1)], ") AT TIME ZONE 'UTC',");
		set_rep(&x->t[first[1]], "'YYYY-MM-DD'");
	} else if (is_id(t, "sum") || is_id(t, "avg") || is_id(t, "min") || is_id(t, "max")) {
		n = call_args(x, open, first, last, 2);
		if (n != 1)
			return refuse(x, t, "aggregate of other than one argument (scalar min()/max() "
					 "of several values: PostgreSQL's greatest()/least() skip NULLs)");
		if (n == 1 && has_comparison(x, first[0], last[0])) {
			add_before(&x->t[first[0]], "(");
			add_after(&x->t[last[0]], ")::int");
		}
	} else if (is_id(t, "CAST")) {
		size_t close = close_paren(x, open), as = NONE, j;
		int d = 0, nullable, blob;

		for (j = open + 1; j < close; j++) {
			if (is_op(&x->t[j], "("))
				d++;
			else if (is_op(&x->t[j], ")"))
				d--;
			else if (d == 0 && is_id(&x->t[j], "AS"))
				as = j;
		}
		if (as != NONE && sig_is_id(x, sig(x, as + 1), "TEXT") &&
		    sig(x, sig(x, as + 1) + 1) == close && prev_sig(x, as) != NONE &&
		    plain_column(x, sig(x, open + 1), prev_sig(x, as), &nullable, &blob) && blob) {
			/* a BLOB's bytes as text, not PostgreSQL's \x... */
			set_rep(t, "convert_from");
			set_rep(&x->t[as], ",");
			if (x->t[as - 1].type == TK_WS)
				set_rep(&x->t[as - 1], "");
			set_rep(&x->t[sig(x, as + 1)], "'UTF8'");
		} else if (as != NONE && sig_is_id(x, sig(x, as + 1), "BLOB") &&
		    sig(x, sig(x, as + 1) + 1) == close) {
			set_rep(t, "convert_to");
			set_rep(&x->t[as], ",");
			if (x->t[as - 1].type == TK_WS)
				set_rep(&x->t[as - 1], "");
			set_rep(&x->t[sig(x, as + 1)], "'UTF8'");
		}
	}
	return 0;
}

/* Is token i in a CREATE or ALTER statement? */
static int
in_ddl(const struct tx *x, size_t i)
{
	size_t p = i, first = i;

	while ((p = prev_sig(x, p)) != NONE && !is_op(&x->t[p], ";"))
		first = p;
	return is_id(&x->t[first], "CREATE") || is_id(&x->t[first], "ALTER");
}

static int
rewrite(struct tx *x)
{
	size_t i, j, k;
	long maxparam = 0;
	char num[32];

	for (i = 0; i < x->n; i++) {
		struct tok *t = &x->t[i];
		size_t nx = sig(x, i + 1);

		switch (t->type) {
		case TK_PARAM:
			if (t->param == 0)
				t->param = maxparam + 1;
			if (t->param > 32766)
				return refuse(x, t, "too many parameters");
			if (t->param > maxparam)
				maxparam = t->param;
			snprintf(num, sizeof(num), "$%ld", t->param);
			set_rep(t, num);
			break;
		case TK_BLOB: {
			char *s = xasprintf("'\\x%.*s'::bytea", (int)(t->n - 3), t->p + 2);

			free(t->rep);
			t->rep = s;
			break;
		}
		case TK_NUM:
			if (t->n > 2 && t->p[0] == '0' && (t->p[1] == 'x' || t->p[1] == 'X')) {
				unsigned long long v = strtoull(t->p + 2, NULL, 16);

				/* SQLite: the 64 bits as a signed integer */
				snprintf(num, sizeof(num), "%lld", (long long)v);
				set_rep(t, num);
			}
			break;
		case TK_OP:
			if (is_op(t, "=="))
				set_rep(t, "=");
			break;
		case TK_ID:
			for (k = 0; k < sizeof(no_pg_word) / sizeof(no_pg_word[0]); k++)
				if (is_id(t, no_pg_word[k]))
					return refuse(x, t, "SQLite-only, no PostgreSQL form");
			if (sig_is_op(x, nx, "(") && is_call_name(t)) {
				if (rewrite_call(x, i, nx) < 0)
					return -1;
				break;
			}
			if (is_id(t, "user")) {
				set_rep(t, "\"user\"");
			} else if (is_id(t, "INTEGER")) {
				if (sig_is_id(x, nx, "PRIMARY") && sig_is_id(x, sig(x, nx + 1), "KEY"))
					set_rep(t, "BIGINT GENERATED BY DEFAULT AS IDENTITY");
				else
					set_rep(t, "BIGINT");
			} else if (is_id(t, "TEXT") && prev_sig(x, i) != NONE &&
				   (x->t[prev_sig(x, i)].type == TK_ID ||
				    x->t[prev_sig(x, i)].type == TK_QID) &&
				   !is_id(&x->t[prev_sig(x, i)], "AS") && in_ddl(x, i)) {
				/* a column's type: compare and sort bytes, as SQLite's
				   BINARY does, whatever the cluster's locale */
				set_rep(t, "TEXT COLLATE \"C\"");
			} else if (is_id(t, "BLOB")) {
				if (t->rep == NULL)
					set_rep(t, "BYTEA");
			} else if (is_id(t, "AUTOINCREMENT")) {
				drop(x, i);
			} else if (is_id(t, "WITHOUT") && sig_is_id(x, nx, "ROWID")) {
				drop(x, i);
				for (j = i + 1; j <= nx; j++)
					set_rep(&x->t[j], "");
				i = nx;
			} else if (is_id(t, "LIKE")) {
				like(x, i);
			} else if (is_id(t, "IS")) {
				size_t v = nx;

				if (sig_is_id(x, v, "NOT"))
					v = sig(x, v + 1);
				if (v < x->n && !is_id(&x->t[v], "NULL") && !is_id(&x->t[v], "TRUE") &&
				    !is_id(&x->t[v], "FALSE") && !is_id(&x->t[v], "DISTINCT") &&
				    !is_id(&x->t[v], "UNKNOWN")) {
					if (v != nx) {
						set_rep(&x->t[nx], "DISTINCT FROM");
					} else {
						set_rep(t, "IS NOT DISTINCT FROM");
					}
				}
			} else if ((is_id(t, "FROM") || is_id(t, "JOIN")) && sig_is_op(x, nx, "(") &&
				   sig_is_id(x, sig(x, nx + 1), "SELECT")) {
				subquery_alias(x, nx);
			} else if (is_id(t, "ORDER") && sig_is_id(x, nx, "BY")) {
				order_by(x, nx);
			} else if (is_id(t, "LIMIT") && sig_is_op(x, nx, "-") &&
				   sig(x, nx + 1) < x->n && x->t[sig(x, nx + 1)].type == TK_NUM) {
				set_rep(&x->t[nx], "");
				set_rep(&x->t[sig(x, nx + 1)], "ALL");
			} else if (is_id(t, "BEGIN") && (sig_is_id(x, nx, "IMMEDIATE") ||
							 sig_is_id(x, nx, "DEFERRED") ||
							 sig_is_id(x, nx, "EXCLUSIVE"))) {
				drop(x, nx);
			} else if (is_id(t, "REPLACE") && (prev_sig(x, i) == NONE ||
							   is_op(&x->t[prev_sig(x, i)], ";"))) {
				return refuse(x, t, "REPLACE INTO has no mechanical PostgreSQL form");
			} else if (is_id(t, "INSERT") && sig_is_id(x, nx, "OR")) {
				size_t how = sig(x, nx + 1), ret, end;

				if (!sig_is_id(x, how, "IGNORE"))
					return refuse(x, t, "INSERT OR REPLACE/ABORT/FAIL/ROLLBACK has no "
							 "mechanical PostgreSQL form");
				drop(x, nx);
				drop(x, how);
				end = statement_end(x, how, &ret);
				if (ret != NONE)
					add_before(&x->t[ret], "ON CONFLICT DO NOTHING ");
				else
					add_after(&x->t[end], " ON CONFLICT DO NOTHING");
			}
			break;
		default:
			break;
		}
	}
	return (int)maxparam;
}

char *
sqlpg_translate(const char *sql, int *nparams, struct cf_err *err)
{
	struct tx x = { .sql = sql, .err = err };
	struct cf_buf out = CF_BUF_INIT;
	char *ret = NULL;
	size_t i;
	int d = 0, np;

	if (tokenize(&x) < 0)
		goto out;
	for (i = 0; i < x.n; i++) {
		if (is_op(&x.t[i], "("))
			d++;
		else if (is_op(&x.t[i], ")") && --d < 0)
			break;
	}
	if (d != 0) {
		malformed(&x, i < x.n ? (size_t)(x.t[i].p - sql) : strlen(sql),
			  d < 0 ? "')' without '('" : "'(' without ')'");
		goto out;
	}
	if ((np = rewrite(&x)) < 0)
		goto out;
	for (i = 0; i < x.n; i++) {
		const struct tok *t = &x.t[i];

		if (t->before)
			cf_buf_addstr(&out, t->before);
		if (t->rep)
			cf_buf_addstr(&out, t->rep);
		else
			cf_buf_add(&out, t->p, t->n);
		if (t->after)
			cf_buf_addstr(&out, t->after);
	}
	ret = cf_buf_detach(&out, NULL);
	if (nparams)
		*nparams = np;
out:
	cf_buf_release(&out);
	for (i = 0; i < x.n; i++) {
		free(x.t[i].rep);
		free(x.t[i].before);
		free(x.t[i].after);
	}
	free(x.t);
	return ret;
}

/*
 * PostgreSQL functions for what SQLite has built in and PostgreSQL 15 has
 * not: json_valid(t) (SQLite 3.40: 0 for NULL or malformed, else 1 — here
 * a boolean, for the conditions it is used in) and
 * json_each(t)'s value column (an array's elements, an object's member
 * values, a scalar itself, as text; SQLite refuses malformed JSON, so
 * callers guard with json_valid as casefile's do).  Appended to the
 * translated schema; the translator renames the calls.
 */
static const char pg_helpers[] =
	"CREATE FUNCTION sqlpg_json_valid(t text) RETURNS boolean\n"
	"LANGUAGE plpgsql IMMUTABLE AS $f$\n"
	"BEGIN\n"
	"  IF t IS NULL THEN RETURN false; END IF;\n"
	"  PERFORM t::json;\n"
	"  RETURN true;\n"
	"EXCEPTION WHEN invalid_text_representation THEN RETURN false;\n"
	"END $f$;\n"
	"CREATE FUNCTION sqlpg_json_each(t text) RETURNS TABLE(value text)\n"
	"LANGUAGE sql IMMUTABLE AS $f$\n"
	"  SELECT v FROM json_array_elements_text(t::json) v"
	" WHERE json_typeof(t::json) = 'array'\n"
	"  UNION ALL SELECT v FROM json_each_text(t::json) AS e(k, v)"
	" WHERE json_typeof(t::json) = 'object'\n"
	"  UNION ALL SELECT t::json #>> '{}'"
	" WHERE json_typeof(t::json) NOT IN ('array', 'object')\n"
	"$f$;\n";

static char *schema_pg;
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;

static void
translate_schema(void)
{
	struct cf_err err = CF_ERR_INIT;

	char *tables = sqlpg_translate(schema_source, NULL, &err);

	if (tables == NULL)
		CF_BUG("the schema does not translate: %s", err.msg);
	schema_pg = xasprintf("%s%s", tables, pg_helpers);
	free(tables);
}

const char *
sqlpg_schema(void)
{
	pthread_once(&schema_once, translate_schema);
	return schema_pg;
}

const char *
sqlpg_schema_source(void)
{
	return schema_source;
}

/* SPDX-License-Identifier: MIT */
/*
 * test_sqlpg — the SQLite-to-PostgreSQL dialect translator (sqlpg.h): each
 * rewrite, literals/identifiers/comments left byte for byte, malformed and
 * untranslatable text refused with an error and no output; and the schema
 * source proven equal to what migrations 1..N make in SQLite.  That the
 * output is valid PostgreSQL is proven on a real server by
 * tests/scale/t9201 (make test-scale).
 */
#include <ctype.h>

#include "casefile/db_sqlite.h"
#include "casefile/sqlpg.h"
#include "testutil.h"

/* sql translates to want with np parameters */
static void
tr_eq(const char *sql, const char *want, int np)
{
	struct cf_err err = CF_ERR_INIT;
	int n = -1;
	char *got = sqlpg_translate(sql, &n, &err);

	if (got == NULL)
		fail_msg("refused: %s\n  sql: %s", err.msg, sql);
	if (strcmp(got, want) != 0)
		fail_msg("\n  sql:  %s\n  got:  %s\n  want: %s", sql, got, want);
	assert_int_equal(n, np);
	free(got);
	cf_err_release(&err);
}

/* sql is refused with a message holding piece; *nparams stays untouched */
static void
tr_refused(const char *sql, const char *piece)
{
	struct cf_err err = CF_ERR_INIT;
	int n = -7;
	char *got = sqlpg_translate(sql, &n, &err);

	if (got != NULL)
		fail_msg("accepted: %s\n  as: %s", sql, got);
	assert_int_equal(err.code, CF_EINPUT);
	assert_non_null(err.msg);
	if (strstr(err.msg, piece) == NULL)
		fail_msg("message '%s' lacks '%s'", err.msg, piece);
	assert_int_equal(n, -7);
	cf_err_release(&err);
}

static void
t01_parameters(void **state)
{
	(void)state;
	tr_eq("SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = $1 AND c = $2", 2);
	tr_eq("UPDATE evidence SET note = ?2 WHERE id = ?1",
	      "UPDATE evidence SET note = $2 WHERE id = $1", 2);
	/* SQLite: a bare ? after ?NNN is the largest number so far + 1 */
	tr_eq("SELECT ?2, ?, ?1", "SELECT $2, $3, $1", 3);
	tr_eq("SELECT ?5", "SELECT $5", 5);
	tr_eq("SELECT 1", "SELECT 1", 0);
	tr_eq("VALUES(?,?,?,?,?,?,?,?,?,?,?)", "VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)", 11);
	tr_refused("SELECT ?0", "parameter number out of range");
	tr_refused("SELECT ?40000", "parameter number out of range");
	tr_refused("SELECT :name", "named parameter");
	tr_refused("SELECT @name", "named parameter");
	tr_refused("SELECT $name", "named parameter");
}

static void
t02_user_and_functions(void **state)
{
	(void)state;
	tr_eq("SELECT user, e.user, coalesce(user, 'x') FROM evidence e",
	      "SELECT \"user\", e.\"user\", coalesce(\"user\", 'x') FROM evidence e", 0);
	/* users, a quoted "user" and a 'user' literal are other things */
	tr_eq("SELECT users, \"user\", 'user' FROM t", "SELECT users, \"user\", 'user' FROM t", 0);
	tr_eq("SELECT ifnull(a, ''), IFNULL(b, 0) FROM t",
	      "SELECT coalesce(a, ''), coalesce(b, 0) FROM t", 0);
	tr_eq("SELECT instr(',' || a || ',', ',x,') > 0 FROM t",
	      "SELECT strpos(',' || a || ',', ',x,') > 0 FROM t", 0);
	tr_eq("SELECT group_concat(x.role) FROM r x",
	      "SELECT string_agg(CAST(x.role AS TEXT), ',') FROM r x", 0);
	tr_eq("SELECT group_concat(role, ' ') FROM r",
	      "SELECT string_agg(CAST(role AS TEXT), ' ') FROM r", 0);
	tr_eq("SELECT group_concat(hex(h), ';') FROM r",
	      "SELECT string_agg(CAST(upper(encode(h, 'hex')) AS TEXT), ';') FROM r", 0);
	tr_eq("SELECT id FROM evidence WHERE substr(lower(hex(sha256)), 1, ?1) = lower(?2)",
	      "SELECT id FROM evidence WHERE substr(lower(upper(encode(sha256, 'hex'))), 1, $1) "
	      "= lower($2)", 2);
	tr_eq("SELECT date(ingested_at + 28800, 'unixepoch') = ?1 FROM evidence",
	      "SELECT to_char(to_timestamp(ingested_at + 28800) AT TIME ZONE 'UTC', "
	      "'YYYY-MM-DD') = $1 FROM evidence", 1);
	tr_refused("SELECT group_concat(a, b, c) FROM t", "group_concat() takes one or two");
	tr_refused("SELECT hex() FROM t", "hex() takes one argument");
	tr_refused("SELECT date(x) FROM t", "date() other than");
	tr_refused("SELECT date(x, 'localtime') FROM t", "date() other than");
}

static void
t03_blob_literals_and_casts(void **state)
{
	(void)state;
	tr_eq("SELECT x'00ff', X'ABCD', x''", "SELECT '\\x00ff'::bytea, '\\xABCD'::bytea, "
	      "'\\x'::bytea", 0);
	tr_eq("SELECT CAST(e.name AS BLOB) FROM evidence e",
	      "SELECT convert_to(e.name, 'UTF8') FROM evidence e", 0);
	/* a BLOB column read as text: its bytes, not PostgreSQL's \x... */
	tr_eq("SELECT CAST(payload AS TEXT) FROM annotations",
	      "SELECT convert_from(payload, 'UTF8') FROM annotations", 0);
	tr_eq("SELECT CAST(name AS TEXT), CAST(a AS INTEGER) FROM evidence",
	      "SELECT CAST(name AS TEXT), CAST(a AS BIGINT) FROM evidence", 0);
	tr_refused("SELECT x'abc'", "odd number of hex digits");
	tr_refused("SELECT x'zz'", "non-hex digit");
	tr_refused("SELECT x'ab", "unterminated blob literal");
}

static void
t04_insert_or_ignore(void **state)
{
	(void)state;
	tr_eq("INSERT OR IGNORE INTO objects(sha256, size, stored_at) VALUES(?, ?, ?)",
	      "INSERT INTO objects(sha256, size, stored_at) VALUES($1, $2, $3) "
	      "ON CONFLICT DO NOTHING", 3);
	tr_eq("INSERT OR IGNORE INTO t(a) VALUES(1); INSERT OR IGNORE INTO t(a) VALUES(2);",
	      "INSERT INTO t(a) VALUES(1) ON CONFLICT DO NOTHING; "
	      "INSERT INTO t(a) VALUES(2) ON CONFLICT DO NOTHING;", 0);
	tr_eq("INSERT OR IGNORE INTO t(a) VALUES(1) RETURNING a",
	      "INSERT INTO t(a) VALUES(1) ON CONFLICT DO NOTHING RETURNING a", 0);
	tr_eq("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET "
	      "value = excluded.value",
	      "INSERT INTO meta(key, value) VALUES($1, $2) ON CONFLICT(key) DO UPDATE SET "
	      "value = excluded.value", 2);
	tr_refused("INSERT OR REPLACE INTO t VALUES(1)", "INSERT OR REPLACE");
	tr_refused("REPLACE INTO t VALUES(1)", "REPLACE INTO");
	/* replace() the function is fine */
	tr_eq("SELECT replace(a, ' ', '') FROM t", "SELECT replace(a, ' ', '') FROM t", 0);
}

static void
t05_literals_and_comments_untouched(void **state)
{
	(void)state;
	tr_eq("SELECT 'it''s ? user ifnull( x''00'' LIKE', \"a\"\"?user\" -- ? user ifnull(\n"
	      ", 1 /* ? user x'00' ' \" */ FROM t -- trailing ?",
	      "SELECT 'it''s ? user ifnull( x''00'' LIKE', \"a\"\"?user\" -- ? user ifnull(\n"
	      ", 1 /* ? user x'00' ' \" */ FROM t -- trailing ?", 0);
	tr_eq("SELECT '，、' || ?", "SELECT '，、' || $1", 1);
	tr_eq("SELECT 'a\\b'", "SELECT 'a\\b'", 0);
	tr_eq("", "", 0);
	tr_eq("  -- only a comment", "  -- only a comment", 0);
}

static void
t06_malformed(void **state)
{
	(void)state;
	tr_refused("SELECT 'abc", "unterminated string literal");
	tr_refused("SELECT 'it''s", "unterminated string literal");
	tr_refused("SELECT \"abc FROM t", "unterminated quoted identifier");
	tr_refused("SELECT 1 /* no end", "unterminated comment");
	tr_refused("SELECT (1", "'(' without ')'");
	tr_refused("SELECT 1)", "')' without '('");
	tr_refused("SELECT (1))(", "')' without '('");
	tr_refused("SELECT \x01", "unexpected byte 0x01");
	tr_refused("SELECT {a}", "unexpected byte 0x7b");
	tr_refused("SELECT a ! b", "unexpected byte 0x21");
	tr_refused("SELECT [a] FROM t", "identifier quoting");
	tr_refused("SELECT `a` FROM t", "identifier quoting");
	tr_refused("SELECT 12abc", "bad number");
	tr_refused("SELECT 0x", "bad hex integer");
	/* the offset of the fault is named */
	tr_refused("SELECT 1, 'x", "offset 10");
}

/* Garbage of every byte but NUL: refused or translated, never a crash. */
static void
t07_garbage(void **state)
{
	unsigned int seed = 7;
	int i, j, refused = 0;

	(void)state;
	for (i = 0; i < 3000; i++) {
		char s[64];
		struct cf_err err = CF_ERR_INIT;
		char *got;
		int n = 0, len = 1 + (int)(rand_r(&seed) % 63);

		for (j = 0; j < len; j++) {
			/* half SQL-ish characters, half any byte */
			static const char sqlish[] = "?'\"x()-/*;, ab1.=<>|";

			s[j] = (char)(rand_r(&seed) % 2 ? sqlish[rand_r(&seed) % (sizeof(sqlish) - 1)]
						       : 1 + rand_r(&seed) % 255);
		}
		s[len] = '\0';
		got = sqlpg_translate(s, &n, &err);
		if (got == NULL) {
			refused++;
			assert_int_equal(err.code, CF_EINPUT);
			assert_non_null(err.msg);
		} else {
			assert_true(n >= 0);
			assert_null(err.msg);
		}
		free(got);
		cf_err_release(&err);
	}
	assert_true(refused > 1000);
}

static void
t08_ddl(void **state)
{
	(void)state;
	tr_eq("CREATE TABLE t(\n  id INTEGER PRIMARY KEY,\n  h BLOB NOT NULL CHECK(length(h) = 32),\n"
	      "  n INTEGER,\n  p BLOB NOT NULL DEFAULT x'') WITHOUT ROWID;\n",
	      "CREATE TABLE t(\n  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
	      "  h BYTEA NOT NULL CHECK(length(h) = 32),\n  n BIGINT,\n"
	      "  p BYTEA NOT NULL DEFAULT '\\x'::bytea);\n", 0);
	tr_eq("CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT)",
	      "CREATE TABLE t(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
	      "a TEXT COLLATE \"C\")", 0);
	/* only INTEGER PRIMARY KEY is the rowid alias */
	tr_eq("CREATE TABLE t(k TEXT PRIMARY KEY, n INTEGER NOT NULL)",
	      "CREATE TABLE t(k TEXT COLLATE \"C\" PRIMARY KEY, n BIGINT NOT NULL)", 0);
	tr_eq("ALTER TABLE t ADD COLUMN \"x\" TEXT", "ALTER TABLE t ADD COLUMN \"x\" TEXT COLLATE \"C\"",
	      0);
	/* the column named text (messages.text) outside DDL is left alone */
	tr_eq("SELECT seq, text FROM messages WHERE text <> '' ORDER BY text",
	      "SELECT seq, text FROM messages WHERE text <> '' ORDER BY text", 0);
	tr_eq("CREATE UNIQUE INDEX s ON evidence(order_id, ifnull(rel_path, ''))",
	      "CREATE UNIQUE INDEX s ON evidence(order_id, coalesce(rel_path, ''))", 0);
	tr_eq("BEGIN IMMEDIATE", "BEGIN", 0);
	tr_eq("BEGIN EXCLUSIVE TRANSACTION", "BEGIN TRANSACTION", 0);
	tr_eq("SAVEPOINT item", "SAVEPOINT item", 0);
	tr_eq("ROLLBACK TO item; RELEASE item", "ROLLBACK TO item; RELEASE item", 0);
}

static void
t09_order_by_nulls(void **state)
{
	(void)state;
	/* SQLite sorts NULL first: said where the column may be NULL */
	tr_eq("SELECT 1 FROM logistics_events WHERE evidence_id = ? ORDER BY time, seq",
	      "SELECT 1 FROM logistics_events WHERE evidence_id = $1 ORDER BY time NULLS FIRST, seq",
	      1);
	tr_eq("SELECT 1 FROM logistics_events ORDER BY time DESC, seq DESC LIMIT 1",
	      "SELECT 1 FROM logistics_events ORDER BY time DESC NULLS LAST, seq DESC LIMIT 1", 0);
	tr_eq("SELECT 1 FROM logistics_events ORDER BY time DESC NULLS FIRST",
	      "SELECT 1 FROM logistics_events ORDER BY time DESC NULLS FIRST", 0);
	/* alias.column; a NOT NULL column (its index still serves) */
	tr_eq("SELECT 1 FROM messages m JOIN evidence e ON e.id = m.evidence_id "
	      "ORDER BY m.time IS NULL, m.time, e.id, m.seq",
	      "SELECT 1 FROM messages m JOIN evidence e ON e.id = m.evidence_id "
	      "ORDER BY m.time IS NULL, m.time NULLS FIRST, e.id, m.seq", 0);
	/* leaf_index: NOT NULL in annotations, NULL-able in evidence */
	tr_eq("SELECT 1 FROM annotations ORDER BY leaf_index",
	      "SELECT 1 FROM annotations ORDER BY leaf_index", 0);
	tr_eq("SELECT 1 FROM evidence ORDER BY leaf_index",
	      "SELECT 1 FROM evidence ORDER BY leaf_index NULLS FIRST", 0);
	tr_eq("SELECT 1 FROM disputes ORDER BY closed_at IS NULL DESC, id DESC LIMIT 1",
	      "SELECT 1 FROM disputes ORDER BY closed_at IS NULL DESC, id DESC LIMIT 1", 0);
	/* an expression or an unknown name: said */
	tr_eq("SELECT a FROM t ORDER BY lower(a), b",
	      "SELECT a FROM t ORDER BY lower(a) NULLS FIRST, b NULLS FIRST", 0);
	/* in a window, ended by ')' */
	tr_eq("SELECT row_number() OVER (PARTITION BY m.evidence_id ORDER BY m.time, m.seq) "
	      "FROM messages m",
	      "SELECT row_number() OVER (PARTITION BY m.evidence_id ORDER BY m.time NULLS FIRST, "
	      "m.seq) FROM messages m", 0);
	tr_eq("SELECT 1 FROM logistics_events ORDER BY time, seq LIMIT -1 OFFSET ?",
	      "SELECT 1 FROM logistics_events ORDER BY time NULLS FIRST, seq LIMIT ALL OFFSET $1",
	      1);
}

static void
t10_comparisons(void **state)
{
	(void)state;
	tr_eq("SELECT sum(kind = 'chat'), sum(size), sum(time IS NULL) FROM evidence",
	      "SELECT sum((kind = 'chat')::int), sum(size), sum((time IS NULL)::int) FROM evidence",
	      0);
	/* a CASE holds its comparisons */
	tr_eq("SELECT max(CASE WHEN s IN ('a') THEN t END) FROM x",
	      "SELECT max(CASE WHEN s IN ('a') THEN t END) FROM x", 0);
	tr_refused("SELECT max(a, b) FROM t", "scalar min()/max()");
	tr_eq("SELECT 1 FROM t WHERE a IS b AND c IS NOT d AND e IS NULL AND f IS NOT NULL",
	      "SELECT 1 FROM t WHERE a IS NOT DISTINCT FROM b AND c IS DISTINCT FROM d AND "
	      "e IS NULL AND f IS NOT NULL", 0);
	tr_eq("SELECT 1 FROM t WHERE a IS ?", "SELECT 1 FROM t WHERE a IS NOT DISTINCT FROM $1", 1);
	tr_eq("SELECT 1 FROM t WHERE a == 1", "SELECT 1 FROM t WHERE a = 1", 0);
	tr_eq("SELECT 0x10, 0xffffffffffffffff", "SELECT 16, -1", 0);
	tr_eq("SELECT 1 FROM t WHERE b LIKE ?1 || ' %' OR c NOT LIKE '%*%'",
	      "SELECT 1 FROM t WHERE b ILIKE $1 || ' %' ESCAPE '' OR c NOT ILIKE '%*%' ESCAPE ''", 1);
	tr_eq("SELECT 1 FROM t WHERE b LIKE 'a!%' ESCAPE '!'",
	      "SELECT 1 FROM t WHERE b ILIKE 'a!%' ESCAPE '!'", 0);
	tr_eq("SELECT count(*) FROM (SELECT 1 FROM t)",
	      "SELECT count(*) FROM (SELECT 1 FROM t) AS sqlpg_sub21", 0);
	tr_eq("SELECT * FROM (SELECT 1 FROM t) x", "SELECT * FROM (SELECT 1 FROM t) x", 0);
}

/* JSON1's json_each() and json_valid(): helpers sqlpg_schema() defines */
static void
t10b_json(void **state)
{
	const char *pg = sqlpg_schema();

	(void)state;
	tr_eq("SELECT 1 FROM messages m, json_each(CASE WHEN json_valid(m.attachments) THEN "
	      "m.attachments ELSE '[]' END) j WHERE j.value = ?",
	      "SELECT 1 FROM messages m, sqlpg_json_each(CASE WHEN sqlpg_json_valid(m.attachments) "
	      "THEN m.attachments ELSE '[]' END) j WHERE j.value = $1", 1);
	tr_refused("SELECT 1 FROM json_each(a, '$.x') j", "of other than one argument");
	assert_non_null(strstr(pg, "CREATE FUNCTION sqlpg_json_valid(t text) RETURNS boolean"));
	assert_non_null(strstr(pg, "CREATE FUNCTION sqlpg_json_each(t text) RETURNS TABLE(value text)"));
}

static void
t11_sqlite_only(void **state)
{
	(void)state;
	tr_refused("PRAGMA user_version", "'PRAGMA'");
	tr_refused("SELECT sql FROM sqlite_master WHERE name = ?", "'sqlite_master'");
	tr_refused("SELECT json_extract(a, '$.x') FROM t", "'json_extract'");
	tr_refused("SELECT j.value FROM t, json_tree(t.a) j", "'json_tree'");
	tr_refused("SELECT strftime('%s', 'now')", "'strftime'");
	tr_refused("SELECT rowid FROM t", "'rowid'");
	tr_refused("SELECT last_insert_rowid()", "'last_insert_rowid'");
	tr_refused("SELECT 1 FROM t WHERE a GLOB 'x*'", "'GLOB'");
	/* time and date as column names are fine */
	tr_eq("SELECT time, date FROM t", "SELECT time, date FROM t", 0);
}

static void
t12_schema(void **state)
{
	const char *pg = sqlpg_schema();

	(void)state;
	assert_non_null(pg);
	assert_ptr_equal(pg, sqlpg_schema());
	assert_non_null(strstr(pg, "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"));
	assert_non_null(strstr(pg, "  \"user\" TEXT COLLATE \"C\",\n"));
	assert_non_null(strstr(pg, "consistency_proof BYTEA NOT NULL DEFAULT '\\x'::bytea"));
	assert_non_null(strstr(pg, "CREATE UNIQUE INDEX disputes_one_open ON disputes(order_id) "
				   "WHERE closed_at IS NULL;"));
	assert_non_null(strstr(pg, "evidence_same ON evidence(order_id, sha256, name_raw, "
				   "coalesce(rel_path, ''))"));
	assert_null(strstr(pg, "WITHOUT ROWID"));
	assert_null(strstr(pg, "BLOB"));
	assert_null(strstr(pg, "INTEGER"));
	assert_null(strstr(pg, "ifnull"));
}

/* Rows of a query as one text, "|" between columns, "\n" between rows. */
static char *
rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	size_t cap = 1 << 16, len = 0;
	char *out = calloc(1, cap);
	int i;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);

			len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "|" : "",
						v ? v : "NULL");
			assert_true(len < cap - 1);
		}
		len += (size_t)snprintf(out + len, cap - len, "\n");
	}
	sqlite3_finalize(st);
	return out;
}

/*
 * A CREATE statement as SQLite keeps it, comparable: comments gone, the
 * renamed table's quotes gone, white space only where a word needs it.
 */
static char *
normalize(const char *sql)
{
	char *out = calloc(1, strlen(sql) + 1), *o = out;
	const char *s = sql;
	int space = 0;

	while (*s) {
		if (s[0] == '-' && s[1] == '-') {
			while (*s && *s != '\n')
				s++;
			space = 1;
			continue;
		}
		if (isspace((unsigned char)*s)) {
			space = 1;
			s++;
			continue;
		}
		if (*s == '"') {
			s++;
			continue;
		}
		if (space && o > out && (isalnum((unsigned char)o[-1]) || o[-1] == '_' || o[-1] == '\'') &&
		    (isalnum((unsigned char)*s) || *s == '_' || *s == '\''))
			*o++ = ' ';
		space = 0;
		*o++ = *s++;
	}
	*o = '\0';
	return out;
}

static void
t13_schema_equals_migrations(void **state)
{
	struct cf_db *mig = NULL, *src = NULL;
	struct cf_err err = CF_ERR_INIT;
	sqlite3 *a, *b;
	char *ta, *tb;
	char *names, *name, *save = NULL;

	(void)state;
	assert_int_equal(db_open("migrated.db", 1, &mig, &err), 0);
	assert_int_equal(db_open_memory(&src, &err), 0);
	assert_int_equal(db_exec(src, sqlpg_schema_source(), &err), 0);
	a = db_sqlite(mig);
	b = db_sqlite(src);
	ta = rows(a, "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
		     "ORDER BY type, name");
	tb = rows(b, "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
		     "ORDER BY type, name");
	assert_string_equal(ta, tb);
	free(ta);
	free(tb);
	/* per table: columns in order, types, NOT NULL, defaults, keys; foreign
	   keys; indexes and their columns; the CREATE text (CHECKs) */
	names = rows(a, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
	for (name = strtok_r(names, "\n", &save); name; name = strtok_r(NULL, "\n", &save)) {
		static const char *const q[] = {
			"SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('%s')",
			"SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM "
			"pragma_foreign_key_list('%s') ORDER BY id, seq",
			"SELECT l.name, l.\"unique\", l.origin, l.partial, x.seqno, x.name, x.\"desc\", "
			"x.key FROM pragma_index_list('%s') l, pragma_index_xinfo(l.name) x "
			"WHERE l.origin <> 'pk' OR x.key ORDER BY l.name, x.seqno",
			"SELECT sql FROM sqlite_master WHERE tbl_name = '%s' ORDER BY type, name",
		};
		size_t i;

		for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
			char sql[512];

			snprintf(sql, sizeof(sql), q[i], name);
			ta = rows(a, sql);
			tb = rows(b, sql);
			if (i == 3) {
				char *na = normalize(ta), *nb = normalize(tb);

				free(ta);
				free(tb);
				ta = na;
				tb = nb;
			}
			if (strcmp(ta, tb) != 0)
				fail_msg("table %s differs:\n  migrated: %s\n  source:   %s", name, ta,
					 tb);
			free(ta);
			free(tb);
		}
	}
	free(names);
	db_close(mig);
	db_close(src);
	cf_err_release(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t01_parameters),
		cmocka_unit_test(t02_user_and_functions),
		cmocka_unit_test(t03_blob_literals_and_casts),
		cmocka_unit_test(t04_insert_or_ignore),
		cmocka_unit_test(t05_literals_and_comments_untouched),
		cmocka_unit_test(t06_malformed),
		cmocka_unit_test(t07_garbage),
		cmocka_unit_test(t08_ddl),
		cmocka_unit_test(t09_order_by_nulls),
		cmocka_unit_test(t10_comparisons),
		cmocka_unit_test(t10b_json),
		cmocka_unit_test(t11_sqlite_only),
		cmocka_unit_test(t12_schema),
		cmocka_unit_test_setup_teardown(t13_schema_equals_migrations, test_tmpdir_setup,
						test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

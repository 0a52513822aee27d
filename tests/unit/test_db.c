/* SPDX-License-Identifier: MIT */
/*
 * test_db — opening the database for reading beside a writer, and how a
 * writer waits (db_open_readonly, db_set_wait; issue 11 item 10); a real
 * version-1 vault with rows migrated to the current schema (issue 13).
 */
#include <pthread.h>
#include <time.h>

#include "casefile/db_sqlite.h"
#include "casefile/vault.h"
#include "testutil.h"

/* A second connection that holds the write lock, as another process would. */
static sqlite3 *
hold_write_lock(const char *path)
{
	sqlite3 *h;

	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "BEGIN IMMEDIATE; INSERT INTO meta(key, value) "
				      "VALUES('held', '1')", NULL, NULL, NULL), SQLITE_OK);
	return h;
}

static int
count_meta(sqlite3 *db, const char *key)
{
	sqlite3_stmt *q;
	int n;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM meta WHERE key = ?", -1, &q,
					    NULL), SQLITE_OK);
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return n;
}

static void
test_readonly_beside_writer(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct cf_db *w, *r;
	sqlite3 *h;
	time_t t0;

	(void)state;
	assert_int_equal(db_open("c.db", 1, &w, &err), 0);
	assert_int_equal(db_meta_set(w, "before", "1", &err), 0);
	db_close(w);
	h = hold_write_lock("c.db");
	t0 = time(NULL);
	/* Opening, for reading or writing, takes no lock. */
	assert_int_equal(db_open("c.db", 0, &w, &err), 0);
	assert_int_equal(db_open_readonly("c.db", &r, &err), 0);
	assert_true(time(NULL) - t0 <= 2);
	assert_int_equal(count_meta(db_sqlite(r), "before"), 1);	/* the last commit */
	assert_int_equal(count_meta(db_sqlite(r), "held"), 0);	/* not the open transaction */
	/* A write through the read-only handle fails, and says it is I/O. */
	assert_int_equal(db_meta_set(r, "x", "1", &err), -1);
	assert_int_equal(err.code, CF_EIO);
	cf_err_release(&err);
	db_close(r);
	db_close(w);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(h);
}

static int notices;
static void
on_notice(void *arg)
{
	(void)arg;
	notices++;
}

static void
test_no_wait_fails_at_once(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct db_wait wt = { .no_wait = 1, .notice = on_notice };
	struct cf_db *w;
	sqlite3 *h;
	time_t t0;

	(void)state;
	assert_int_equal(db_open("c.db", 1, &w, &err), 0);
	db_set_wait(w, &wt);
	h = hold_write_lock("c.db");
	notices = 0;
	t0 = time(NULL);
	assert_int_equal(db_begin(w, &err), -1);
	assert_true(time(NULL) - t0 <= 1);
	assert_non_null(strstr(err.msg, "the vault is busy: another casefile command is writing to it"));
	assert_int_equal(notices, 0);
	cf_err_release(&err);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(h);
	assert_int_equal(db_begin(w, &err), 0);	/* free again */
	db_rollback(w);
	db_close(w);
}

struct release_arg {
	sqlite3 *h;
	int after_ms;
};

static void *
release_later(void *p)
{
	struct release_arg *a = p;
	struct timespec ts = { a->after_ms / 1000, (a->after_ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
	sqlite3_exec(a->h, "COMMIT", NULL, NULL, NULL);
	return NULL;
}

static void
test_writer_waits_and_says_so_once(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct db_wait wt = { .no_wait = 0, .notice = on_notice };
	struct release_arg a;
	pthread_t th;
	struct cf_db *w;

	(void)state;
	assert_int_equal(db_open("c.db", 1, &w, &err), 0);
	db_set_wait(w, &wt);
	a.h = hold_write_lock("c.db");
	a.after_ms = 2500;
	notices = 0;
	assert_int_equal(pthread_create(&th, NULL, release_later, &a), 0);
	assert_int_equal(db_begin(w, &err), 0);	/* waited for the holder */
	assert_int_equal(notices, 1);
	assert_int_equal(count_meta(db_sqlite(w), "held"), 1);
	db_rollback(w);
	pthread_join(th, NULL);
	sqlite3_close(a.h);
	db_close(w);
}

static void
test_readonly_migrates_old_schema(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	sqlite3 *raw;
	struct cf_db *db;
	sqlite3_stmt *q;

	(void)state;
	/* An empty (version 0) database: migrated once, then opened read-only. */
	assert_int_equal(sqlite3_open("old.db", &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "PRAGMA journal_mode = WAL", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(db_open_readonly("old.db", &db, &err), 0);
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), "PRAGMA user_version", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), db_schema_version());
	sqlite3_finalize(q);
	db_close(db);
	/* A newer one is refused. */
	assert_int_equal(sqlite3_open("old.db", &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(db_open_readonly("old.db", &db, &err), -1);
	assert_non_null(strstr(err.msg, "newer than this casefile"));
	cf_err_release(&err);
}

static void
sql_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("sql: %s: %s", msg, sql);
}

/* The first column of the first row of sql, as text ("" for NULL). */
static char *
sql_str(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q;
	const unsigned char *s;
	char *r;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	s = sqlite3_column_text(q, 0);
	r = strdup(s ? (const char *)s : "");
	sqlite3_finalize(q);
	return r;
}

static void
expect_sql(sqlite3 *db, const char *sql, const char *want)
{
	char *got = sql_str(db, sql);

	if (strcmp(got, want) != 0)
		fail_msg("%s: got '%s', want '%s'", sql, got, want);
	free(got);
}

/*
 * A version-1 vault made with the v1 schema's own text and holding rows in
 * every v1 table is migrated to the current schema by db_open(): every row
 * survives with its values, later columns read NULL, later tables exist
 * and take rows.
 */
static void
test_migrates_v1_with_rows(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	sqlite3 *raw;
	struct cf_db *db;
	char want[16];

	(void)state;
	assert_non_null(db_migration_sql(1));
	assert_null(db_migration_sql(0));
	assert_null(db_migration_sql(db_schema_version() + 1));
	assert_int_equal(sqlite3_open("v1.db", &raw), SQLITE_OK);
	sql_ok(raw, db_migration_sql(1));
	sql_ok(raw, "PRAGMA user_version = 1;"
	       "INSERT INTO meta(key, value) VALUES('vault_id', 'abc123');"
	       "INSERT INTO objects(sha256, size, stored_at) VALUES(zeroblob(32), 5, 1700000000);"
	       "INSERT INTO evidence(id, order_id, kind, sha256, size, name, name_raw, source_path, "
	       "ingested_at, tool_version, user, host, leaf_index) VALUES(7, 'A1', 'chat', "
	       "zeroblob(32), 5, '聊天.json', CAST('聊天.json' AS BLOB), 'in/聊天.json', 1700000001, "
	       "'casefile 0.1', 'merchant', 'shop-pc', 0);"
	       "INSERT INTO warnings(evidence_id, seq, message) VALUES(7, 1, 'line 3: bad time');"
	       "INSERT INTO messages(evidence_id, seq, time, sender, sender_raw, name, text) "
	       "VALUES(7, 1, 1700000100, 'buyer', '买家', '小王', '杯子裂了');"
	       "INSERT INTO logistics(evidence_id, carrier, tracking_no) VALUES(7, 'SF', 'SF1');"
	       "INSERT INTO logistics_events(evidence_id, seq, time, status, status_raw, location, "
	       "description) VALUES(7, 1, 1700000200, 'delivered', '已签收', '杭州', '本人签收');"
	       "INSERT INTO order_records(evidence_id, order_id, shop, total_fen) "
	       "VALUES(7, 'A1', '青瓷小铺', 8900);"
	       "INSERT INTO order_items(evidence_id, seq, sku, title, qty, price_fen) "
	       "VALUES(7, 1, 'SKU1', '青瓷杯', 1, 8900);"
	       "INSERT INTO media(evidence_id, format, width, height, orientation) "
	       "VALUES(7, 'jpeg', 400, 300, 6);");
	sqlite3_close(raw);

	assert_int_equal(db_open("v1.db", 0, &db, &err), 0);
	snprintf(want, sizeof(want), "%d", db_schema_version());
	expect_sql(db_sqlite(db), "PRAGMA user_version", want);
	expect_sql(db_sqlite(db), "SELECT value FROM meta WHERE key = 'vault_id'", "abc123");
	expect_sql(db_sqlite(db), "SELECT size || ',' || stored_at FROM objects", "5,1700000000");
	expect_sql(db_sqlite(db), "SELECT order_id || ',' || kind || ',' || name || ',' || source_path || ',' || "
		   "user || ',' || host || ',' || leaf_index FROM evidence WHERE id = 7",
		   "A1,chat,聊天.json,in/聊天.json,merchant,shop-pc,0");
	expect_sql(db_sqlite(db), "SELECT count(*) FROM evidence", "1");
	expect_sql(db_sqlite(db), "SELECT message FROM warnings", "line 3: bad time");
	expect_sql(db_sqlite(db), "SELECT time || ',' || sender || ',' || name || ',' || text FROM messages",
		   "1700000100,buyer,小王,杯子裂了");
	expect_sql(db_sqlite(db), "SELECT carrier || ',' || tracking_no FROM logistics", "SF,SF1");
	expect_sql(db_sqlite(db), "SELECT status || ',' || location || ',' || description FROM logistics_events",
		   "delivered,杭州,本人签收");
	expect_sql(db_sqlite(db), "SELECT shop || ',' || total_fen FROM order_records", "青瓷小铺,8900");
	expect_sql(db_sqlite(db), "SELECT title || ',' || qty || ',' || price_fen FROM order_items", "青瓷杯,1,8900");
	expect_sql(db_sqlite(db), "SELECT format || ',' || width || 'x' || height || ',' || orientation FROM media",
		   "jpeg,400x300,6");
	/* what later versions added: NULL for old rows, usable for new ones */
	expect_sql(db_sqlite(db), "SELECT coalesce(time_ms, 'null') || ',' || coalesce(extra, 'null') FROM messages",
		   "null,null");
	expect_sql(db_sqlite(db), "SELECT coalesce(time_ms, 'null') FROM logistics_events", "null");
	expect_sql(db_sqlite(db), "SELECT count(*) FROM disputes", "0");
	expect_sql(db_sqlite(db), "SELECT count(*) FROM ledger_nodes", "0");
	sql_ok(db_sqlite(db), "INSERT INTO messages(evidence_id, seq, time, sender, text, time_ms) "
	       "VALUES(7, 2, 1700000101, 'merchant', 'ok', 250)");
	expect_sql(db_sqlite(db), "SELECT time_ms FROM messages WHERE seq = 2", "250");
	expect_sql(db_sqlite(db), "SELECT count(*) FROM pragma_foreign_key_check", "0");
	db_close(db);
	/* opening again migrates nothing and keeps it all */
	assert_int_equal(db_open("v1.db", 0, &db, &err), 0);
	expect_sql(db_sqlite(db), "PRAGMA user_version", want);
	expect_sql(db_sqlite(db), "SELECT count(*) FROM messages", "2");
	db_close(db);
}

static void
test_vault_readonly_flag(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v;
	sqlite3 *h;

	(void)state;
	assert_int_equal(vault_init("v", &err), 0);
	h = hold_write_lock("v/casefile.db");
	assert_int_equal(vault_open("v", VAULT_OPEN_READONLY, &v, &err), 0);
	assert_int_equal(db_meta_set(vault_db(v), "x", "1", &err), -1);
	cf_err_release(&err);
	vault_close(v);
	assert_int_equal(vault_open("v", VAULT_OPEN_NO_WAIT, &v, &err), 0);
	assert_int_equal(db_meta_set(vault_db(v), "x", "1", &err), -1);
	assert_non_null(strstr(err.msg, "the vault is busy"));
	cf_err_release(&err);
	vault_close(v);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_readonly_beside_writer, test_tmpdir_setup,
						test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_no_wait_fails_at_once, test_tmpdir_setup,
						test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_writer_waits_and_says_so_once,
						test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_readonly_migrates_old_schema,
						test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_vault_readonly_flag, test_tmpdir_setup,
						test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_migrates_v1_with_rows, test_tmpdir_setup,
						test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

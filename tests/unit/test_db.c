/* SPDX-License-Identifier: MIT */
/*
 * test_db — opening the database for reading beside a writer, and how a
 * writer waits (db_open_readonly, db_set_wait; issue 11 item 10).
 */
#include <pthread.h>
#include <time.h>

#include "casefile/db.h"
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
	sqlite3 *w, *h, *r;
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
	assert_int_equal(count_meta(r, "before"), 1);	/* the last commit */
	assert_int_equal(count_meta(r, "held"), 0);	/* not the open transaction */
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
	sqlite3 *w, *h;
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
	sqlite3 *w;

	(void)state;
	assert_int_equal(db_open("c.db", 1, &w, &err), 0);
	db_set_wait(w, &wt);
	a.h = hold_write_lock("c.db");
	a.after_ms = 2500;
	notices = 0;
	assert_int_equal(pthread_create(&th, NULL, release_later, &a), 0);
	assert_int_equal(db_begin(w, &err), 0);	/* waited for the holder */
	assert_int_equal(notices, 1);
	assert_int_equal(count_meta(w, "held"), 1);
	db_rollback(w);
	pthread_join(th, NULL);
	sqlite3_close(a.h);
	db_close(w);
}

static void
test_readonly_migrates_old_schema(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	sqlite3 *db;
	sqlite3_stmt *q;

	(void)state;
	/* An empty (version 0) database: migrated once, then opened read-only. */
	assert_int_equal(sqlite3_open("old.db", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(db_open_readonly("old.db", &db, &err), 0);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), db_schema_version());
	sqlite3_finalize(q);
	db_close(db);
	/* A newer one is refused. */
	assert_int_equal(sqlite3_open("old.db", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(db_open_readonly("old.db", &db, &err), -1);
	assert_non_null(strstr(err.msg, "newer than this casefile"));
	cf_err_release(&err);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * test_db_migrate — schema migrations that rebuild a table.
 *
 * db.c is included (not linked from the library) so a test can stop a
 * database just before one migration, whatever its number after the
 * branches are merged, fill it as an old casefile would, and let db_open()
 * run the rest.  Every symbol of db.o is then defined here, so the linker
 * never pulls db.o out of the library.
 */
#include "testutil.h"
#include "casefile/db_sqlite.h"

#include "../../src/store/db.c"

/* Apply migrations[0 .. upto) to a new database at path, as db_open did. */
static sqlite3 *
open_at(const char *path, const char *upto)
{
	sqlite3 *db;
	int i;
	char pragma[64];

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (i = 0; i < NMIGRATIONS && migrations[i] != upto; i++) {
		assert_int_equal(sqlite3_exec(db, migrations[i], NULL, NULL, NULL), SQLITE_OK);
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", i + 1);
		assert_int_equal(sqlite3_exec(db, pragma, NULL, NULL, NULL), SQLITE_OK);
	}
	assert_true(i < NMIGRATIONS);
	return db;
}

static long long
one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

static int
exec_rc(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

#define EV_COLS "INSERT INTO evidence(id, order_id, kind, sha256, size, name, name_raw," \
		" rel_path, ingested_at, tool_version, leaf_index) VALUES"

/*
 * 1. The evidence rebuild (issue 12: one row per name) keeps every id,
 * every leaf index and every child row (warnings, messages, media), and
 * afterwards the same bytes take a second name but not the same name and
 * path twice.
 */
static void
test_evidence_names_migration(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	sqlite3 *db = open_at("old.db", schema_v5_evidence_names);
	struct cf_db *h;

	(void)state;
	assert_int_equal(exec_rc(db,
		"PRAGMA foreign_keys = ON;"
		"INSERT INTO objects VALUES(zeroblob(32), 0, 1), (randomblob(32), 5, 1);"
		EV_COLS " (7, '123456', 'chat', zeroblob(32), 0, 'a.txt', CAST('a.txt' AS BLOB),"
		"  'a.txt', 1, '0.1.0', 0),"
		" (9, '123456', 'photo', (SELECT sha256 FROM objects WHERE size = 5), 5,"
		"  'p.jpg', CAST('p.jpg' AS BLOB), NULL, 1, '0.1.0', 1),"
		" (12, '654321', 'other', zeroblob(32), 0, 'a.txt', CAST('a.txt' AS BLOB),"
		"  'a.txt', 1, '0.1.0', 2);"
		"INSERT INTO warnings VALUES(7, 0, 'w0'), (7, 1, 'w1'), (12, 0, 'w2');"
		"INSERT INTO messages(evidence_id, seq, sender, text) VALUES(7, 0, 'buyer', 'hi');"
		"INSERT INTO media(evidence_id, format, orientation) VALUES(9, 'jpeg', 6);"),
		SQLITE_OK);
	/* the old constraint: a second name for the same bytes is refused */
	assert_int_equal(exec_rc(db, EV_COLS " (13, '123456', 'other', zeroblob(32), 0,"
				 " 'b.txt', CAST('b.txt' AS BLOB), 'b.txt', 1, '0.1.0', NULL)"),
			 SQLITE_CONSTRAINT);
	sqlite3_close(db);

	assert_int_equal(db_open("old.db", 0, &h, &err), 0);
	db = db_sqlite(h);
	assert_int_equal(one_int(db, "PRAGMA user_version"), db_schema_version());
	assert_int_equal(one_int(db, "PRAGMA foreign_keys"), 1);
	{
		sqlite3_stmt *q;

		assert_int_equal(sqlite3_prepare_v2(db,
			"SELECT group_concat(id || ':' || leaf_index || ':' || name, ',')"
			" FROM (SELECT * FROM evidence ORDER BY id)", -1, &q, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(q, 0),
				    "7:0:a.txt,9:1:p.jpg,12:2:a.txt");
		sqlite3_finalize(q);
	}
	assert_int_equal(one_int(db, "SELECT count(*) FROM warnings"), 3);
	assert_int_equal(one_int(db, "SELECT count(*) FROM messages WHERE evidence_id = 7"), 1);
	assert_int_equal(one_int(db, "SELECT orientation FROM media WHERE evidence_id = 9"), 6);
	assert_int_equal(one_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'evidence_order'"), 1);
	/* the cascade still works: the children name the new table */
	assert_int_equal(exec_rc(db, "INSERT INTO warnings VALUES(99, 0, 'orphan')"),
			 SQLITE_CONSTRAINT);

	/* 2. a second name for the same bytes is a row of its own ... */
	assert_int_equal(exec_rc(db, EV_COLS " (13, '123456', 'other', zeroblob(32), 0,"
				 " 'b.txt', CAST('b.txt' AS BLOB), 'b.txt', 1, '0.1.0', NULL)"),
			 SQLITE_OK);
	/* ... the same name under another path too ... */
	assert_int_equal(exec_rc(db, EV_COLS " (14, '123456', 'other', zeroblob(32), 0,"
				 " 'b.txt', CAST('b.txt' AS BLOB), 'x/b.txt', 1, '0.1.0', NULL)"),
			 SQLITE_OK);
	/* ... but the same name and path twice is not, NULL paths included */
	assert_int_equal(exec_rc(db, EV_COLS " (15, '123456', 'other', zeroblob(32), 0,"
				 " 'b.txt', CAST('b.txt' AS BLOB), 'b.txt', 1, '0.1.0', NULL)"),
			 SQLITE_CONSTRAINT);
	assert_int_equal(exec_rc(db, EV_COLS " (16, '123456', 'photo',"
				 " (SELECT sha256 FROM objects WHERE size = 5), 5, 'p.jpg',"
				 " CAST('p.jpg' AS BLOB), NULL, 1, '0.1.0', NULL)"),
			 SQLITE_CONSTRAINT);
	assert_int_equal(exec_rc(db, "DELETE FROM evidence WHERE id = 7"), SQLITE_OK);
	assert_int_equal(one_int(db, "SELECT count(*) FROM warnings WHERE evidence_id = 7"), 0);
	db_close(h);
}

/* 3. A migration that would leave a child row without its parent fails whole. */
static void
test_migration_checks_foreign_keys(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	sqlite3 *db = open_at("old.db", schema_v5_evidence_names);
	struct cf_db *h;

	(void)state;
	/* an orphan written with the checks off, as a broken rebuild would */
	assert_int_equal(exec_rc(db, "PRAGMA foreign_keys = OFF;"
				 "INSERT INTO warnings VALUES(42, 0, 'orphan')"), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(db_open("old.db", 0, &h, &err), -1);
	assert_non_null(strstr(err.msg, "schema migration"));
	assert_non_null(strstr(err.msg, "table 'warnings' has a row"));
	cf_err_release(&err);
	/* nothing was migrated: the version is still the old one */
	assert_int_equal(sqlite3_open("old.db", &db), SQLITE_OK);
	assert_true(one_int(db, "PRAGMA user_version") < db_schema_version());
	sqlite3_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_evidence_names_migration, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_migration_checks_foreign_keys, test_tmpdir_setup, test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

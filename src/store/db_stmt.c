/* SPDX-License-Identifier: MIT */
/*
 * db_stmt — the statement API of db_stmt.h over the handle's backend:
 * SQLite here, PostgreSQL in db_pg.c (pgst_*).
 */
#include <stdlib.h>

#include "casefile/xalloc.h"
#include "casefile/db_sqlite.h"
#include "db_int.h"

int
db_prepare_quiet(struct cf_db *db, const char *sql, struct db_stmt **out)
{
	struct db_stmt *st = xcalloc(1, sizeof(*st));
	int rc;

	st->db = db;
	if (db->pg) {
		if ((rc = pgst_prepare(db, sql, &st->pg)) != DB_OK) {
			free(st);
			*out = NULL;
			return rc;
		}
		*out = st;
		return DB_OK;
	}
	rc = sqlite3_prepare_v2(db->sq, sql, -1, &st->sq, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(st->sq);
		free(st);
		*out = NULL;
		return rc;
	}
	*out = st;
	return DB_OK;
}

int
db_prepare(struct cf_db *db, const char *sql, struct db_stmt **st, struct cf_err *err)
{
	if (db_prepare_quiet(db, sql, st) != DB_OK)
		return db_err(db, err, "cannot prepare statement");
	return 0;
}

int
db_step(struct db_stmt *st)
{
	if (st->pg)
		return pgst_step(st->pg);
	return sqlite3_step(st->sq);
}

int
db_reset(struct db_stmt *st)
{
	if (st->pg)
		return pgst_reset(st->pg);
	return sqlite3_reset(st->sq);
}

int
db_clear_bindings(struct db_stmt *st)
{
	if (st->pg)
		return pgst_clear_bindings(st->pg);
	return sqlite3_clear_bindings(st->sq);
}

int
db_finalize(struct db_stmt *st)
{
	int rc;

	if (st == NULL)
		return DB_OK;
	if (st->pg) {
		pgst_finalize(st->pg);
		free(st);
		return DB_OK;
	}
	rc = sqlite3_finalize(st->sq);
	free(st);
	return rc;
}

int
db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	if (st->pg)
		return pgst_bind_int64(st->pg, i, v);
	return sqlite3_bind_int64(st->sq, i, (sqlite3_int64)v);
}

int
db_bind_int(struct db_stmt *st, int i, int v)
{
	if (st->pg)
		return pgst_bind_int64(st->pg, i, v);
	return sqlite3_bind_int(st->sq, i, v);
}

int
db_bind_text(struct db_stmt *st, int i, const char *s, int n, enum db_bind_mode mode)
{
	if (st->pg)
		return pgst_bind_text(st->pg, i, s, n, mode);
	return sqlite3_bind_text(st->sq, i, s, n,
				 mode == DB_TRANSIENT ? SQLITE_TRANSIENT : SQLITE_STATIC);
}

int
db_bind_blob(struct db_stmt *st, int i, const void *p, int n, enum db_bind_mode mode)
{
	if (st->pg)
		return pgst_bind_blob(st->pg, i, p, n, mode);
	return sqlite3_bind_blob(st->sq, i, p, n,
				 mode == DB_TRANSIENT ? SQLITE_TRANSIENT : SQLITE_STATIC);
}

int
db_bind_null(struct db_stmt *st, int i)
{
	if (st->pg)
		return pgst_bind_null(st->pg, i);
	return sqlite3_bind_null(st->sq, i);
}

int64_t
db_col_int64(struct db_stmt *st, int col)
{
	if (st->pg)
		return pgst_col_int64(st->pg, col);
	return (int64_t)sqlite3_column_int64(st->sq, col);
}

int
db_col_int(struct db_stmt *st, int col)
{
	if (st->pg)
		return (int)pgst_col_int64(st->pg, col);
	return sqlite3_column_int(st->sq, col);
}

double
db_col_double(struct db_stmt *st, int col)
{
	if (st->pg)
		return pgst_col_double(st->pg, col);
	return sqlite3_column_double(st->sq, col);
}

const unsigned char *
db_col_text(struct db_stmt *st, int col)
{
	if (st->pg)
		return pgst_col_text(st->pg, col);
	return sqlite3_column_text(st->sq, col);
}

const void *
db_col_blob(struct db_stmt *st, int col)
{
	if (st->pg)
		return pgst_col_blob(st->pg, col);
	return sqlite3_column_blob(st->sq, col);
}

int
db_col_bytes(struct db_stmt *st, int col)
{
	if (st->pg)
		return pgst_col_bytes(st->pg, col);
	return sqlite3_column_bytes(st->sq, col);
}

int
db_col_type(struct db_stmt *st, int col)
{
	if (st->pg)
		return pgst_col_type(st->pg, col);
	return sqlite3_column_type(st->sq, col);
}

int
db_col_count(struct db_stmt *st)
{
	if (st->pg)
		return pgst_col_count(st->pg);
	return sqlite3_column_count(st->sq);
}

const char *
db_col_name(struct db_stmt *st, int col)
{
	if (st->pg)
		return pgst_col_name(st->pg, col);
	return sqlite3_column_name(st->sq, col);
}

int
db_changes(struct cf_db *db)
{
	if (db->pg)
		return pgdb_changes(db);
	return sqlite3_changes(db->sq);
}

int64_t
db_last_insert_id(struct cf_db *db)
{
	if (db->pg)
		return pgdb_last_insert_id(db);
	return (int64_t)sqlite3_last_insert_rowid(db->sq);
}

int
db_in_transaction(struct cf_db *db)
{
	if (db->pg)
		return pgdb_in_transaction(db);
	return !sqlite3_get_autocommit(db->sq);
}

void
db_exec_quiet(struct cf_db *db, const char *sql)
{
	if (db->pg) {
		pgdb_exec(db, sql);
		return;
	}
	sqlite3_exec(db->sq, sql, NULL, NULL, NULL);
}

const char *
db_filename(struct cf_db *db)
{
	const char *f = db->sq ? sqlite3_db_filename(db->sq, "main") : NULL;

	return f && *f ? f : NULL;
}

sqlite3 *
db_sqlite(struct cf_db *db)
{
	return db ? db->sq : NULL;
}

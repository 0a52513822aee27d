/* SPDX-License-Identifier: MIT */
/*
 * db_stmt — the statement API of db_stmt.h over the handle's backend.
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
	return sqlite3_step(st->sq);
}

int
db_reset(struct db_stmt *st)
{
	return sqlite3_reset(st->sq);
}

int
db_clear_bindings(struct db_stmt *st)
{
	return sqlite3_clear_bindings(st->sq);
}

int
db_finalize(struct db_stmt *st)
{
	int rc;

	if (st == NULL)
		return DB_OK;
	rc = sqlite3_finalize(st->sq);
	free(st);
	return rc;
}

int
db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	return sqlite3_bind_int64(st->sq, i, (sqlite3_int64)v);
}

int
db_bind_int(struct db_stmt *st, int i, int v)
{
	return sqlite3_bind_int(st->sq, i, v);
}

int
db_bind_text(struct db_stmt *st, int i, const char *s, int n, enum db_bind_mode mode)
{
	return sqlite3_bind_text(st->sq, i, s, n,
				 mode == DB_TRANSIENT ? SQLITE_TRANSIENT : SQLITE_STATIC);
}

int
db_bind_blob(struct db_stmt *st, int i, const void *p, int n, enum db_bind_mode mode)
{
	return sqlite3_bind_blob(st->sq, i, p, n,
				 mode == DB_TRANSIENT ? SQLITE_TRANSIENT : SQLITE_STATIC);
}

int
db_bind_null(struct db_stmt *st, int i)
{
	return sqlite3_bind_null(st->sq, i);
}

int64_t
db_col_int64(struct db_stmt *st, int col)
{
	return (int64_t)sqlite3_column_int64(st->sq, col);
}

int
db_col_int(struct db_stmt *st, int col)
{
	return sqlite3_column_int(st->sq, col);
}

double
db_col_double(struct db_stmt *st, int col)
{
	return sqlite3_column_double(st->sq, col);
}

const unsigned char *
db_col_text(struct db_stmt *st, int col)
{
	return sqlite3_column_text(st->sq, col);
}

const void *
db_col_blob(struct db_stmt *st, int col)
{
	return sqlite3_column_blob(st->sq, col);
}

int
db_col_bytes(struct db_stmt *st, int col)
{
	return sqlite3_column_bytes(st->sq, col);
}

int
db_col_type(struct db_stmt *st, int col)
{
	return sqlite3_column_type(st->sq, col);
}

int
db_col_count(struct db_stmt *st)
{
	return sqlite3_column_count(st->sq);
}

const char *
db_col_name(struct db_stmt *st, int col)
{
	return sqlite3_column_name(st->sq, col);
}

int
db_changes(struct cf_db *db)
{
	return sqlite3_changes(db->sq);
}

int64_t
db_last_insert_id(struct cf_db *db)
{
	return (int64_t)sqlite3_last_insert_rowid(db->sq);
}

int
db_in_transaction(struct cf_db *db)
{
	return !sqlite3_get_autocommit(db->sq);
}

void
db_exec_quiet(struct cf_db *db, const char *sql)
{
	sqlite3_exec(db->sq, sql, NULL, NULL, NULL);
}

const char *
db_filename(struct cf_db *db)
{
	const char *f = sqlite3_db_filename(db->sq, "main");

	return f && *f ? f : NULL;
}

sqlite3 *
db_sqlite(struct cf_db *db)
{
	return db ? db->sq : NULL;
}

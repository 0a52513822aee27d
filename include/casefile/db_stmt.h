/* SPDX-License-Identifier: MIT */
/*
 * db_stmt — prepared statements on a struct cf_db, whatever its backend.
 *
 * The store and case layers run SQL through this API only; which engine
 * answers (SQLite for an embedded vault, PostgreSQL for a scaled one, issue
 * 18) is the handle's business (db.c).  The calls mirror SQLite's
 * statement interface one for one, so the code reads as it did: prepare,
 * bind (1-based), step until DB_DONE, read columns (0-based), reset or
 * finalize.  The SQL is written in SQLite's dialect with the portable
 * subset both engines share; a PostgreSQL handle rewrites it once at
 * prepare time (sqlpg.h: placeholders, the reserved word user, ifnull, ...).
 *
 * Invariants:
 *  - Return codes and column types have SQLite's values (DB_ROW is
 *    DB_ROW), so either backend reports in one vocabulary.
 *  - A text or blob column pointer stays valid until the next step, reset
 *    or finalize of its statement (SQLite's rule, kept by both backends).
 *  - DB_STATIC binds borrow the bytes until the statement is stepped to
 *    completion or reset; DB_TRANSIENT binds copy them at once.
 */
#ifndef CASEFILE_DB_STMT_H
#define CASEFILE_DB_STMT_H

#include <stdint.h>

#include "casefile/db.h"

/* One prepared statement (opaque). */
struct db_stmt;

/* Result codes (SQLite's values). */
enum {
	DB_OK = 0,
	DB_ERROR = 1,
	DB_BUSY = 5,
	DB_CONSTRAINT = 19,
	DB_ROW = 100,
	DB_DONE = 101,
};

/* Column types (SQLite's values). */
enum {
	DB_INTEGER = 1,
	DB_FLOAT = 2,
	DB_TEXT = 3,
	DB_BLOB = 4,
	DB_NULL = 5,
};

/* How a bound text or blob is held: borrowed, or copied at once. */
enum db_bind_mode { DB_STATIC = 0, DB_TRANSIENT = 1 };

/*
 * Prepare one statement on db.  On success *st owns it (db_finalize); on
 * failure *st is NULL and err says why (db_err).
 */
int db_prepare(struct cf_db *db, const char *sql, struct db_stmt **st,
	       struct cf_err *err);
/* Like db_prepare, without an error report: DB_OK or the backend's code. */
int db_prepare_quiet(struct cf_db *db, const char *sql, struct db_stmt **st);
/* Run or continue the statement: DB_ROW, DB_DONE, or an error code. */
int db_step(struct db_stmt *st);
/* Back to the start, bindings kept.  Returns the last step's code. */
int db_reset(struct db_stmt *st);
int db_clear_bindings(struct db_stmt *st);
/* Free the statement.  NULL is a no-op. */
int db_finalize(struct db_stmt *st);

int db_bind_int64(struct db_stmt *st, int i, int64_t v);
int db_bind_int(struct db_stmt *st, int i, int v);
int db_bind_text(struct db_stmt *st, int i, const char *s, int n,
		 enum db_bind_mode mode);
int db_bind_blob(struct db_stmt *st, int i, const void *p, int n,
		 enum db_bind_mode mode);
int db_bind_null(struct db_stmt *st, int i);

int64_t db_col_int64(struct db_stmt *st, int col);
int db_col_int(struct db_stmt *st, int col);
double db_col_double(struct db_stmt *st, int col);
const unsigned char *db_col_text(struct db_stmt *st, int col);
const void *db_col_blob(struct db_stmt *st, int col);
int db_col_bytes(struct db_stmt *st, int col);
int db_col_type(struct db_stmt *st, int col);
int db_col_count(struct db_stmt *st);
const char *db_col_name(struct db_stmt *st, int col);

/* Rows changed by the last INSERT, UPDATE or DELETE on db. */
int db_changes(struct cf_db *db);
/* The id the last INSERT on db gave its row (INTEGER PRIMARY KEY). */
int64_t db_last_insert_id(struct cf_db *db);
/* 1 while a transaction (db_begin or SAVEPOINT) is open on db. */
int db_in_transaction(struct cf_db *db);
/* The database file of db; NULL for one in memory or on a server. */
const char *db_filename(struct cf_db *db);
/* Run SQL whose failure is of no interest (ROLLBACK TO a savepoint). */
void db_exec_quiet(struct cf_db *db, const char *sql);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * db_sqlite — the SQLite connection behind a struct cf_db, for the .c files
 * of the store and case layers that run SQL.
 *
 * Invariants:
 *  - Only .c files (and other *_sqlite.h headers) include this header:
 *    public headers name struct cf_db (db.h) and stay free of SQLite, which
 *    tests/layers.py checks.  Headers named *_sqlite.h are the only ones
 *    that may name sqlite3 types.
 *  - The connection belongs to the handle: never sqlite3_close() it; close
 *    the handle with db_close().
 */
#ifndef CASEFILE_DB_SQLITE_H
#define CASEFILE_DB_SQLITE_H

#include <sqlite3.h>

#include "casefile/db.h"

/* The connection of db (borrowed for the handle's life); NULL for NULL. */
sqlite3 *db_sqlite(struct cf_db *db);

/*
 * Prepare one statement on db.  On success *st owns it (sqlite3_finalize);
 * on failure *st is NULL and err says why (db_err).
 */
int db_prepare(struct cf_db *db, const char *sql, sqlite3_stmt **st,
	       struct cf_err *err);

#endif

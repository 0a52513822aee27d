/* SPDX-License-Identifier: MIT */
/*
 * db_int — the insides of struct cf_db and struct db_stmt, shared by the
 * store files that implement them (db.c, db_stmt.c).  Nothing else includes
 * this header: every other file sees the opaque types of db.h and
 * db_stmt.h.
 */
#ifndef CASEFILE_DB_INT_H
#define CASEFILE_DB_INT_H

#include <sqlite3.h>

#include "casefile/db_stmt.h"

/* The handle: one SQLite connection. */
struct cf_db {
	sqlite3 *sq;
};

/* A statement of the handle's backend. */
struct db_stmt {
	struct cf_db *db;
	sqlite3_stmt *sq;
};

#endif

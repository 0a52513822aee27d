/* SPDX-License-Identifier: MIT */
/*
 * db_sqlite — the SQLite connection behind an embedded vault's struct cf_db,
 * for unit tests that poke at the file below the statement API (db_stmt.h).
 * Source files never include it: they run SQL through db_stmt.h whatever
 * the backend (tests/layers.py checks this).
 */
#ifndef CASEFILE_DB_SQLITE_H
#define CASEFILE_DB_SQLITE_H

#include <sqlite3.h>

#include "casefile/db.h"

/* The connection of db (borrowed for the handle's life); NULL for NULL. */
sqlite3 *db_sqlite(struct cf_db *db);

#endif

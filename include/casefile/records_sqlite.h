/* SPDX-License-Identifier: MIT */
/*
 * records_sqlite — the record key (records.h) of a SQLite row.  Private to
 * the case layer's .c files like db_sqlite.h.
 */
#ifndef CASEFILE_RECORDS_SQLITE_H
#define CASEFILE_RECORDS_SQLITE_H

#include "casefile/db_sqlite.h"
#include "casefile/records.h"

/* The key of the current row of st over columns cols[0..n). */
void records_key(sqlite3_stmt *st, const int *cols, size_t n, unsigned char h[16]);

#endif

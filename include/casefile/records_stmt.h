/* SPDX-License-Identifier: MIT */
/*
 * records_stmt — the record key (records.h) of a result row.  Private to
 * the case layer's .c files.
 */
#ifndef CASEFILE_RECORDS_STMT_H
#define CASEFILE_RECORDS_STMT_H

#include "casefile/db_stmt.h"
#include "casefile/records.h"

/* The key of the current row of st over columns cols[0..n). */
void records_key(struct db_stmt *st, const int *cols, size_t n, unsigned char h[16]);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * ledger_stmt — ledger leaves and annotations read from result rows, for
 * the .c files that select LEDGER_EVIDENCE_COLUMNS or
 * LEDGER_ANNOTATION_COLUMNS (ledger.h).  Private to the store and case
 * layers: only .c files include it.
 */
#ifndef CASEFILE_LEDGER_STMT_H
#define CASEFILE_LEDGER_STMT_H

#include "casefile/db_stmt.h"
#include "casefile/ledger.h"

/*
 * Fill *leaf from the LEDGER_EVIDENCE_COLUMNS of st's current row starting
 * at column col.  The strings are borrowed from st (valid until its next
 * step).  Returns 0, or -1 with CF_EDB when the stored hash is not 32 bytes
 * or a text column is NULL (*leaf then undefined).
 */
int ledger_leaf_from_row(struct db_stmt *st, int col, struct ledger_leaf *leaf,
			 struct cf_err *err);

/* Like ledger_leaf_from_row() for a row of table annotations. */
int ledger_annotation_from_row(struct db_stmt *st, int col, struct ledger_annotation *a,
			       struct cf_err *err);

/*
 * The canonical payload of a database row, for annotations that record a
 * row: the current row of st as one JSON object, keys = the result column
 * names in statement order, integers as JSON numbers, text as JSON strings
 * (cf_buf_add_json_str escaping), NULL as null, blobs as lowercase hex
 * strings (floats do not occur in casefile's tables and are written with
 * %.17g).  No spaces.  Appended to out.
 */
void ledger_payload_from_row(struct db_stmt *st, struct cf_buf *out);

#endif

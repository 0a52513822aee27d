/* SPDX-License-Identifier: MIT */
/*
 * parsed_writer — store what parse_evidence() understood of one file as
 * rows of the vault's tables (schema in db.c), keyed by its evidence id.
 */
#ifndef CASEFILE_PARSED_WRITER_H
#define CASEFILE_PARSED_WRITER_H

#include <stdint.h>

#include "casefile/db.h"

#include "casefile/err.h"
#include "casefile/parse.h"

/*
 * Insert the parsed rows of evidence row evidence_id into order_records,
 * order_items, messages, logistics, logistics_events and media.  Runs
 * inside the caller's transaction and does not commit; on -1 (db_err) some
 * rows may have been inserted: the caller rolls back its savepoint.
 * Warnings are not stored here (the caller owns the warnings table).
 */
int parsed_store(const struct parsed *p, struct cf_db *db, int64_t evidence_id,
		 struct cf_err *err);

/*
 * The same with its INSERT statements prepared once and kept: for callers
 * that store many files on one connection (ingest).  The writer must be
 * freed before the connection is closed.
 */
struct parsed_writer;
struct parsed_writer *parsed_writer_new(struct cf_db *db);
int parsed_writer_store(struct parsed_writer *w, const struct parsed *p, int64_t evidence_id,
			struct cf_err *err);
void parsed_writer_free(struct parsed_writer *w);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * rederive — check that the parsed rows of an evidence row are what its
 * sealed original says.
 *
 * The dossier renders facts from parsed tables (messages, order_records,
 * order_items, logistics, logistics_events, media, warnings).  Those rows
 * are not ledger leaves: they are a function of a sealed original (its
 * bytes, the kind and name in its leaf, and the order id).  This module
 * computes that function again — parse_evidence() on the stored object,
 * exactly as ingest did, rows written by the same parsed_store() into a
 * private in-memory database whose tables are copied from the vault's own
 * schema — and compares the result row by row, column by column with the
 * stored rows.  An edited value, a deleted row and an added row all show
 * as a difference naming the table, the row (seq) and the column.
 *
 * The evidence row itself must hash to its ledger leaf (else its kind or
 * name could have been edited to steer the re-parse), and its note (shown
 * as what the exhibit shows) must be its sealed note (ingest.h); both are
 * checked first.
 *
 * Which parse: ingest sniffs the kind unless `--kind` forced one, and the
 * forced kind is recorded only as the row's (sealed) kind.  So the
 * original is parsed as ingest would without --kind, and, when that gives
 * another kind or other rows, again with the sealed kind forced; the rows
 * must equal one of the two.  Both are derivations of sealed data only.
 *
 * Tables compared: the REDERIVE_TABLES below.  A new table written by
 * parsed_store() must be added there.
 */
#ifndef CASEFILE_REDERIVE_H
#define CASEFILE_REDERIVE_H

#include <stdint.h>

#include "casefile/err.h"

struct vault;
struct rederive;

/*
 * Prepare a checker on vault v (an in-memory database with the parsed
 * tables; statements on the vault's connection).  Free with
 * rederive_close() before the vault is closed.  0, or -1 (CF_EDB).
 */
int rederive_open(struct vault *v, struct rederive **out, struct cf_err *err);
/* Accepts NULL. */
void rederive_close(struct rederive *r);

/*
 * Check evidence row id.  Returns 0 when the stored rows equal a re-parse
 * of the sealed original; -1 with CF_EVERIFY when they differ or the row
 * no longer matches its leaf, the message naming the item and the first
 * difference ("evidence row 8 ('chat.json', order 6931…): messages seq 1:
 * text differs from the sealed original (edited?)"); 1 with err set (code
 * CF_EVERIFY or CF_EIO) when the original cannot be re-parsed because its
 * object is missing, unreadable, or not its recorded size or hash (the
 * object checks of audit report those); -1 with CF_EDB or CF_ENOTFOUND
 * (no such row) when the check could not run.
 */
int rederive_check(struct rederive *r, int64_t evidence_id, struct cf_err *err);

/*
 * rederive_check() for every evidence row of the vault, in id order: the
 * objects are read and parsed on a second thread while this one compares
 * (the re-parse of `casefile audit`).  fn gets each finding (rederive_subject
 * and rederive_detail of the row); rows whose object is missing or changed
 * are skipped (audit's object checks name them).  Then parsed rows whose
 * evidence row does not exist ("messages of evidence row 999").  *checked
 * counts the evidence rows.  0, or -1 when the check could not run (CF_EDB, CF_EIO).
 */
typedef void (*rederive_finding_fn)(void *cookie, int64_t evidence_id,
				    const char *subject, const char *detail);
int rederive_check_all(struct rederive *r, rederive_finding_fn fn, void *cookie,
		       uint64_t *checked, struct cf_err *err);

/*
 * Make the parsed rows of evidence row id what a re-parse of its sealed
 * original gives: when rederive_check() finds them different, delete them
 * and write the re-parse with the writer ingest uses (the rows are a
 * function of sealed data, so this can only put back what the original
 * says: for rows forged in the database, and for rows written by a
 * casefile whose parsers read a format differently).  Inside the caller's
 * write transaction.  *changed is 1 when rows were rewritten.  Returns 0;
 * 1 with err set when it cannot be done from the original (object missing
 * or changed, evidence row or note no longer its leaf: nothing written);
 * -1 on failure (the caller rolls back).
 */
int rederive_repair(struct rederive *r, int64_t id, int *changed, struct cf_err *err);

/*
 * rederive_repair() for every evidence row of the orders named (of the
 * whole vault when norders is 0), in id order, order by order, in one
 * write transaction.  After each row rewritten fn(cookie, NULL) is called
 * (rederive_subject() and rederive_detail() name the change); after each
 * row that cannot be rebuilt from its original, fn(cookie, why) with
 * rederive_repair()'s error, and the row is left as it was.  *t counts.
 * 0 with the transaction committed; -1 with it rolled back when a row
 * could not be checked or the commit failed (CF_EDB, CF_EIO).
 */
struct rederive_tally {
	unsigned long long checked, rebuilt, refused;
};
typedef void (*rederive_repair_fn)(void *cookie, const struct cf_err *why);
int rederive_repair_orders(struct rederive *r, char *const *orders, int norders,
			   rederive_repair_fn fn, void *cookie, struct rederive_tally *t,
			   struct cf_err *err);

/*
 * After a check that found something: the item ("evidence row 8
 * ('chat.txt', order 6931…)") and the bare finding ("messages seq 1: text
 * differs from the sealed original (edited?)"), borrowed until the next
 * check; NULL after a check that found nothing or could not run.
 */
const char *rederive_subject(const struct rederive *r);
const char *rederive_detail(const struct rederive *r);

/*
 * What `build` and `statement` run before rendering anything:
 * rederive_check() for every evidence row of order, then
 * dispute_verify_order().  0, or -1 as those (the first problem; an object
 * that is missing or changed is CF_EVERIFY too); a CF_EVERIFY message ends
 * with "; refused: it is not what was sealed (run 'casefile audit')".
 */
int rederive_check_order(struct vault *v, const char *order, struct cf_err *err);

#endif

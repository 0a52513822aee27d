/* SPDX-License-Identifier: MIT */
/*
 * stale — which dossier was built last for an order, and whether evidence
 * arrived after it.
 *
 * `build` appends one line per dossier to VAULT/builds.log (outside the
 * database, so that build stays a reader that never waits for a writer):
 *
 *	ORDER_ID <TAB> DOSSIER_ID <TAB> BUILT_AT <TAB> MAX_EVIDENCE_ID <LF>
 *
 * BUILT_AT is UTC seconds; MAX_EVIDENCE_ID the largest evidence row id of
 * the order when it was built.  Evidence rows are never renumbered, so the
 * rows above it are exactly the ones added since.  Lines that do not parse
 * are skipped (the log is a convenience, not evidence).  A dossier is
 * stale when such rows exist: "3 items added since dossier … was built";
 * `due`, `check` and `show` say so.
 */
#ifndef CASEFILE_STALE_H
#define CASEFILE_STALE_H

#include "casefile/err.h"

struct vault;

struct stale {
	int built;		/* 0: no dossier was built for the order */
	char dossier_id[17];	/* the latest one's id */
	long long built_at;	/* UTC seconds */
	long long added;	/* evidence rows added since */
};

/*
 * Append the line of dossier_id, built for order_id at built_at from the
 * order's current evidence.  One write(2) with O_APPEND.  CF_EIO when the
 * log cannot be written (the caller warns: the dossier itself is fine).
 */
int stale_record(struct vault *v, const char *order_id, const char *dossier_id,
		 long long built_at, struct cf_err *err);

/* Fill *out (zeroed first) for order_id from the log's last line for it. */
int stale_check(struct vault *v, const char *order_id, struct stale *out,
		struct cf_err *err);

/* When the order's latest dossier was built, or -1 (none, or unreadable). */
long long stale_built_at(struct vault *v, const char *order_id);

/*
 * For a mistyped order id: up to three order ids of the vault nearest to
 * order_id by edit distance (at most 2, or a quarter of its length),
 * ", "-separated, malloc'd; NULL when none is near.  (Here because it
 * serves the same readers: show, check, statement, build.)
 */
char *stale_suggest_orders(struct vault *v, const char *order_id);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * evidence — what the commands read about the evidence rows of the vault:
 * whether an order has any, the orders with their counts, the rows of an
 * order, the rows not yet in the ledger, the chat senders nobody is.
 * Each function names what it reads; the SQL stays here.
 *
 * All of them only read, through the vault's own connection (read-only or
 * not), inside whatever transaction the caller has open.
 */
#ifndef CASEFILE_EVIDENCE_H
#define CASEFILE_EVIDENCE_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/err.h"
#include "casefile/kind.h"

struct vault;

/* 1 when the vault holds an evidence row of order; 0 when not (also on error). */
int evidence_order_exists(struct vault *v, const char *order);

/* One order of `list`: its evidence counted. */
#define EVIDENCE_NKINDS (CF_KIND_OTHER + 1)
struct evidence_order {
	char *order_id;
	long long items, bytes;
	long long last_ingested_at;	/* UTC seconds */
	long long kinds[EVIDENCE_NKINDS];	/* items per enum cf_kind */
	long long warnings;		/* parse warnings of its items */
};

/*
 * Every order of the vault, by order id: *out (n entries) is owned by the
 * caller, freed with evidence_orders_free().  0, or -1 (CF_EDB, with
 * SQLite's reason) with *out NULL and *n 0.
 */
int evidence_orders(struct vault *v, struct evidence_order **out, size_t *n,
		    struct cf_err *err);
/* Accepts NULL. */
void evidence_orders_free(struct evidence_order *o, size_t n);

/*
 * The evidence row ids of order (of the whole vault when order is NULL),
 * ascending: *ids (malloc'd, free()) holds *n.  0, or -1 (CF_EDB "cannot
 * read the evidence rows: ...") with *ids NULL.
 */
int evidence_ids(struct vault *v, const char *order, int64_t **ids, size_t *n,
		 struct cf_err *err);

/* The evidence rows with no ledger leaf yet (never sealed).  0, or -1 (CF_EDB). */
int evidence_count_leafless(struct vault *v, uint64_t *n, struct cf_err *err);

/*
 * The evidence rows of order that the latest signed checkpoint does not
 * cover (no leaf, or a leaf at or past its tree size; every row when
 * nothing was sealed).  0, or -1 (CF_EDB).
 */
int evidence_count_unsealed(struct vault *v, const char *order, long long *n,
			    struct cf_err *err);

/*
 * The senders of chat item id that are neither a shop agent (shop.agents)
 * nor the order's buyer (roles.h): fn(cookie, name, messages) once per
 * name, in order of first message; name is "" for messages without one.
 * keep: NULL, or where the prepared query is kept between calls of one run
 * (preparing it for every chat file was 4 % of an ingest's CPU); the caller
 * frees it with evidence_senders_free() before the vault closes.
 * 0, or -1 (CF_EDB) — fn may have been called for some names.
 */
struct evidence_senders;
typedef void (*evidence_sender_fn)(void *cookie, const char *name, long long messages);
int evidence_unknown_senders(struct vault *v, struct evidence_senders **keep, int64_t id,
			     evidence_sender_fn fn, void *cookie, struct cf_err *err);
void evidence_senders_free(struct evidence_senders *keep);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * order_facts — the facts of one order as the vault holds them, for the
 * statement draft and the dossier.
 */
#ifndef CASEFILE_ORDER_FACTS_H
#define CASEFILE_ORDER_FACTS_H

#include "casefile/db.h"

#include "casefile/err.h"

/*
 * The facts of an order, gathered from order_records, logistics, messages
 * and its dispute (dispute_get: the open one, else the latest).  Times are UTC seconds, -1 when
 * unknown; strings are malloc'd or NULL.  shipped_at / delivered_at fall
 * back to the first logistics event / the "delivered" event.
 */
struct order_facts {
	char *shop, *buyer_nick, *buyer_phone, *buyer_address;
	char *currency, *pay_method, *pay_txn, *carrier, *tracking_no;
	long long created_at, paid_at, shipped_at, delivered_at;
	long long total_fen;		/* -1 unknown */
	char *buyer_quote;		/* the buyer's first message, or NULL */
	long long buyer_quote_at;
	int has_dispute;
	char *reason, *claim, *status, *outcome;
	long long amount_fen, requested_at, deadline;
};

/* Fill *f (zeroed first); release with order_facts_release(). */
int order_facts_load(struct cf_db *db, const char *order_id, struct order_facts *f,
		     struct cf_err *err);
void order_facts_release(struct order_facts *f);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * stats — the after-sales analysis of the vault's disputes.
 *
 * A dispute's time is requested_at, else opened_at; --since/--until select
 * since <= time < until.  Months are calendar months at the display offset
 * (China time by default).  Definitions, so numbers can be checked:
 *   win rate      won / (won + lost), in tenths of a percent (settled and
 *                 withdrawn disputes were not decided, so they don't count)
 *   refunded      sum of refunded_fen of closed disputes
 *   median        of closed_at - time over closed disputes, in seconds; the
 *                 lower-middle and upper-middle average (floored) when even
 *   by sku        a dispute counts once for each distinct SKU of its order
 *                 ("(none)" without an order record)
 *   buyers        same phone, else same nick (a nick already masked by the
 *                 platform, "小**", is no identity and is ignored); listed
 *                 masked when a buyer has two or more disputes
 *   kinds         per reason and evidence kind: decided disputes (won / lost)
 *                 whose order has evidence of that kind
 */
#ifndef CASEFILE_STATS_H
#define CASEFILE_STATS_H

#include <stddef.h>

#include "casefile/db.h"

#include "casefile/err.h"

#define STATS_NO_MEDIAN (-1LL)

struct stats_row {
	char *key;		/* reason, sku, "2025-05", outcome, masked buyer */
	char *key2;		/* resolution (by outcome), kind (kinds), reasons (buyer) */
	long count, open, won, lost, settled, withdrawn;
	long long refunded_fen;
	long long median_secs;	/* STATS_NO_MEDIAN when nothing closed */
	long win_permille;	/* -1 when nothing decided */
	long kind_won, kind_lost;	/* kinds table: decided disputes with the kind */
	long *per_reason;	/* by month: counts per reason (dispute_reasons order) */
};

struct stats_table {
	struct stats_row *rows;
	size_t n;
};

struct stats {
	long long since, until;	/* LLONG_MIN / LLONG_MAX when open-ended */
	long total, open, closed;
	long long refunded_fen;
	long long median_secs;
	struct stats_table reason, sku, month, outcome, buyer, kinds;
	size_t nreasons;	/* length of per_reason arrays */
};

/*
 * Compute every table over the disputes with since <= time < until; months
 * at tz_offset seconds east of UTC.  *out is freed with stats_free.
 */
int stats_compute(struct cf_db *db, long long since, long long until, long tz_offset,
		  struct stats **out, struct cf_err *err);
void stats_free(struct stats *s);

/* "138****5678" for a phone, "小**" for a nick; caller frees. */
char *stats_mask_buyer(const char *key);

#endif

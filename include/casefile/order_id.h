/* SPDX-License-Identifier: MIT */
/*
 * order_id — what an order id may be.  Every way in (ingest, import,
 * bundle paths, the commands' arguments) checks the same rule, and the
 * vault's order.id_pattern on top of it where an order is created.
 */
#ifndef CASEFILE_ORDER_ID_H
#define CASEFILE_ORDER_ID_H

#include "casefile/err.h"

/*
 * 1 when s is acceptable as an order id: 1..64 bytes of [A-Za-z0-9_-],
 * not starting with '-'.  Order ids become folder names in exports.
 */
int order_id_valid(const char *s);

/*
 * What an order id must look like for ingest and import to create an order
 * of it: the vault setting order.id_pattern, a POSIX extended regular
 * expression that must match the whole id (default: 6 to 32 digits;
 * Douyin's ids have 19), on top of order_id_valid().  Folders of a
 * bundle that do not match (ustar/, images/, ...) are not orders.
 */
#define ORDER_ID_PATTERN "^[0-9]{6,32}$"
struct order_id_rule;
/*
 * Compile pattern (NULL: the default).  On -1 (CF_EINPUT, the regcomp
 * message) *out is untouched.  Free with order_id_rule_free().
 */
int order_id_rule_new(const char *pattern, struct order_id_rule **out,
			  struct cf_err *err);
/* 1 when id is a valid order id (above) that the whole pattern matches. */
int order_id_rule_match(const struct order_id_rule *r, const char *id);
/* The pattern as given (borrowed). */
const char *order_id_rule_pattern(const struct order_id_rule *r);
/* Accepts NULL. */
void order_id_rule_free(struct order_id_rule *r);

#endif

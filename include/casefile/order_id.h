/* SPDX-License-Identifier: MIT */
/*
 * order_id — what an order id may be.  Every way in (ingest, import,
 * bundle paths, the commands' arguments) checks the same rule.
 */
#ifndef CASEFILE_ORDER_ID_H
#define CASEFILE_ORDER_ID_H

/*
 * 1 when s is acceptable as an order id: 1..64 bytes of [A-Za-z0-9_-],
 * not starting with '-'.  Order ids become folder names in exports.
 */
int order_id_valid(const char *s);

#endif

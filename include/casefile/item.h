/* SPDX-License-Identifier: MIT */
/*
 * item — the ITEM argument of `tag`, `exclude`, `include` and `show`: one
 * evidence row named the ways a person has at hand.
 */
#ifndef CASEFILE_ITEM_H
#define CASEFILE_ITEM_H

#include <stdint.h>

#include "casefile/db.h"

#include "casefile/err.h"

/*
 * Find the evidence row an ITEM names: an evidence number ("12" or "#12"),
 * an exhibit number within an order ("6931000000000001:E3", numbered as
 * the dossier numbers them), or a SHA-256 prefix of at least 6 hex digits
 * that names one row.  0 with *id, or -1: CF_ENOTFOUND (nothing; an
 * ambiguous prefix says how many rows it names), CF_EINPUT (not an ITEM),
 * CF_EDB.
 */
int item_resolve(struct cf_db *db, const char *spec, int64_t *id, struct cf_err *err);

#endif

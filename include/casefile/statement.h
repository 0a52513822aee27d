/* SPDX-License-Identifier: MIT */
/*
 * statement — the merchant's statement, drafted from a language's
 * "[statement SCENARIO]" template (templates.h) and the order's facts
 * (order_facts.h); personal data masked with mask.h.
 *
 * statement_draft() fills a scenario's template from the vault: dates,
 * carrier and tracking number, delivery time, the buyer's own first words
 * quoted with their time (masked, at most STATEMENT_QUOTE_CHARS characters),
 * and the exhibit numbers of exhibits.h's deterministic numbering (证据1 …).  Its length limit counts Unicode
 * characters and never cuts one in half.
 */
#ifndef CASEFILE_STATEMENT_H
#define CASEFILE_STATEMENT_H

#include <stddef.h>

#include <sqlite3.h>

#include "casefile/err.h"

struct templates;

/* The scenarios, in template order; NULL-terminated. */
extern const char *const statement_scenarios[];
/* 1 when name is one of statement_scenarios. */
int statement_scenario_valid(const char *name);

/* The buyer's quoted words are cut to this many characters (with "…"). */
#define STATEMENT_QUOTE_CHARS 80

/*
 * Draft the statement for order_id and scenario (NULL: the dispute's
 * recorded reason when the disputes table has one and it names a
 * scenario, else "other") from the vault's rows.  max_chars > 0 limits
 * the result to that many Unicode characters (cut at a character
 * boundary, ending with "…").  mask != 0 masks phones, ID numbers and
 * street addresses.  *out is malloc'd UTF-8 (caller frees).
 * Fails with CF_ENOTFOUND when the vault holds nothing for the order.
 */
int statement_draft(sqlite3 *db, const struct templates *t,
		    const char *order_id, const char *scenario,
		    size_t max_chars, int mask, long tz_offset, char **out,
		    struct cf_err *err);

/* The largest statement limit accepted (--max-chars). */
#define STATEMENT_MAX_CHARS 1000000
/*
 * Read a statement length limit (--max-chars): decimal 1..STATEMENT_MAX_CHARS,
 * nothing else.  Returns 0 with *n set, or -1 (*n unchanged).
 */
int statement_max_parse(const char *s, size_t *n);

/*
 * Truncate UTF-8 s in place to at most max Unicode characters, never
 * inside a character.  A cut text ends with "…" (counted as one) when the
 * removed tail has room for its 3 bytes; a cut may thus keep fewer than
 * max characters.  Returns the number of characters left.
 */
size_t statement_truncate(char *s, size_t max);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * statement — the merchant's statement, drafted from a language's
 * "[statement SCENARIO]" template (templates.h) and the order's facts
 * (order_facts.h); personal data masked with mask.h.
 *
 * statement_draft() fills a scenario's template from the vault: dates,
 * carrier and tracking number, delivery time, the buyer's own first words
 * quoted with their time (the most relevant typed message, argument.h;
 * masked, at most ARGUMENT_QUOTE_CHARS characters),
 * and the exhibit numbers of exhibits.h's deterministic numbering (证据1 …).  Its length limit counts Unicode
 * characters and never cuts one in half.
 */
#ifndef CASEFILE_STATEMENT_H
#define CASEFILE_STATEMENT_H

#include <stddef.h>

#include "casefile/db.h"

#include "casefile/err.h"

struct templates;

/* The scenarios, in template order; NULL-terminated. */
extern const char *const statement_scenarios[];
/* 1 when name is one of statement_scenarios. */
int statement_scenario_valid(const char *name);

/*
 * Draft the statement for order_id and scenario (NULL: the dispute's
 * recorded reason when the disputes table has one and it names a
 * scenario, else "other") from the vault's rows.  max_chars > 0 limits
 * the result to that many Unicode characters (cut at a character
 * boundary, ending with "…").  mask != 0 masks phones, ID numbers and
 * street addresses.  *out is malloc'd UTF-8 (caller frees).
 * Fails with CF_ENOTFOUND when the vault holds nothing for the order.
 */
int statement_draft(struct cf_db *db, const struct templates *t,
		    const char *order_id, const char *scenario,
		    size_t max_chars, int mask, long tz_offset, char **out,
		    struct cf_err *err);

/*
 * How to compose a statement.  stance is an enum argument_stance
 * (argument.h): it chooses the closing line ("closing_refuse.SCENARIO",
 * else "closing_refuse" in the templates) — the text never concedes
 * unless the stance is accept or partial.  short_form uses the
 * "[statement SCENARIO short]" block when the templates have one.
 */
struct statement_opts {
	const char *scenario;	/* NULL: the dispute's reason, else "other" */
	int stance;		/* enum argument_stance */
	size_t max;		/* 0: no limit, else cut by statement_fit() */
	int bytes;		/* max counts UTF-8 bytes, not characters */
	int mask;
	long tz_offset;
	int short_form;
};

/*
 * Compose the statement (see statement_draft for the facts; the exhibits
 * are cited by their part in the argument: {ex_pickup} {ex_packing}
 * {ex_handover} {ex_buyer_photo} {ex_pickup_photo} {key_exhibits}, the
 * facts {pickup_at} {pickup_what} {handover_at}, and {closing}).  Dates
 * inside sentences read "5月2日 12:47" in Chinese templates.
 * *out is malloc'd.  Fails as statement_draft.
 */
int statement_compose(struct cf_db *db, const struct templates *t, const char *order_id,
		      const struct statement_opts *o, char **out, struct cf_err *err);

struct profile_limit;
/*
 * The variant of the statement for one platform text box (profile.h
 * statement_limits): the full form when it fits by the box's counting rule
 * (characters or UTF-8 bytes), else the shorter of the full and the short
 * form, cut at the last whole sentence that fits (statement_fit).  The
 * result always fits.  A service: `casefile statement --platform/--all`
 * and `casefile pack` (statement.txt) call it.  *out is malloc'd.
 */
int statement_variant(struct cf_db *db, const struct templates *t, const char *order_id,
		      const char *scenario, int stance, const struct profile_limit *lim,
		      int mask, long tz_offset, char **out, struct cf_err *err);

/* The length of s by a counting rule: UTF-8 bytes, or Unicode characters. */
size_t statement_count(const char *s, int bytes);
/*
 * Cut s in place to at most max by that rule: after the last whole
 * sentence (。！. or a line end) that fits, else at a character boundary
 * ending in "…".  Returns the new length by the rule.
 */
size_t statement_fit(char *s, size_t max, int bytes);

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

/* SPDX-License-Identifier: MIT */
/*
 * statement — language templates and the merchant's statement.
 *
 * Templates live in one readable UTF-8 file per language
 * (templates/zh-CN.txt, templates/en.txt): "key = value" lines for the
 * dossier's strings (a value may use \n for a line break and \s for a
 * space that trimming would drop), and
 * "[statement SCENARIO]" blocks holding each scenario's statement with
 * {placeholders} for the order's facts; {ex_KIND} lists the exhibits of
 * one kind and {ex_KIND+KIND} of several, in exhibit order.  The directory is the explicit
 * dir, else templates_dir_new() (templates.h: $CASEFILE_TEMPLATES, then
 * templates/ beside the binary, then CASEFILE_DATADIR/templates) — the
 * same search as profiles and checklists.
 *
 * statement_draft() fills a scenario's template from the vault: dates,
 * carrier and tracking number, delivery time, the buyer's own first words
 * quoted with their time (the most relevant typed message, argument.h; masked, at most ARGUMENT_QUOTE_CHARS characters),
 * and the exhibit numbers of dossier.h's deterministic numbering (证据1 …).  Its length limit counts Unicode
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

/*
 * Load the templates of lang ("zh", "zh-CN", "en") from dir (NULL: the
 * search order above).  Fails with CF_ENOTFOUND naming the file, or
 * CF_EINPUT with "file: line N: ..." for a malformed line.
 * *out is freed with templates_free().
 */
int templates_load(const char *dir, const char *lang, struct templates **out,
		   struct cf_err *err);
void templates_free(struct templates *t);
/* A string by key; the key itself when missing (never NULL).  Borrowed. */
const char *templates_get(const struct templates *t, const char *key);
/* The statement template of a scenario, or NULL.  Borrowed. */
const char *templates_statement(const struct templates *t,
				const char *scenario);

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
int order_facts_load(sqlite3 *db, const char *order_id, struct order_facts *f,
		     struct cf_err *err);
void order_facts_release(struct order_facts *f);


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
int statement_compose(sqlite3 *db, const struct templates *t, const char *order_id,
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
int statement_variant(sqlite3 *db, const struct templates *t, const char *order_id,
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

/*
 * Mask personal data in UTF-8 text: mobile numbers (138****5678), also
 * written 138-1234-5678, 138 1234 5678 or with a country code (+86, 0086,
 * 86, glued or split off: "+86 138****5678"), but not digits glued to
 * letters (SF1234567890); Chinese ID numbers (110101********1234); a
 * street address after its district or county (区/县/镇/市 followed by a
 * road or place and house units) is cut there like mask_address
 * ("北京市朝阳区****"), and other house numbers (digits before
 * 号/栋/幢/单元/室/弄/楼, not "5月3号" or "2号线") become *.  Order ids,
 * amounts, dates and times are kept.  Returns malloc'd text.
 */
char *mask_text(const char *s);
/* An address cut after its district (区/县/市/镇) with the rest "****". */
char *mask_address(const char *s);

#endif

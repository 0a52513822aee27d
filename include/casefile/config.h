/* SPDX-License-Identifier: MIT */
/*
 * config — the vault settings users may change (`casefile config`), kept in
 * the meta table as text, validated and normalised on the way in.
 *
 * Invariants: only keys of the table in config.c are settings; a stored
 * value always passed config_check() (sizes are stored as plain bytes), so
 * readers parse it with a plain strtoull/strtod.  Unset keys fall back to
 * their default (def), which may be NULL ("no value").
 */
#ifndef CASEFILE_CONFIG_H
#define CASEFILE_CONFIG_H

#include <stddef.h>

#include "casefile/db.h"

#include "casefile/err.h"

struct bundle_limits;
struct order_id_rule;

/* At most this many TSAs in tsa.url, and tsa.require at most this. */
#define CONFIG_MAX_TSAS 8

struct config_key {
	const char *name;	/* "import.max_entry_size" */
	const char *def;	/* default as stored, or NULL */
	int type;		/* internal: the validator */
	const char *desc;	/* one line for `casefile config` */
};

/* The default of import.ignore: summary spreadsheets and screenshot folders. */
#define CONFIG_IMPORT_IGNORE "*汇总*, *summary*, *report*, *统计*, " \
	"截图*, 截屏*, screenshot*, 屏幕快照*"

/*
 * The vault's import.ignore patterns (bundle_set_ignore()), malloc'd; the
 * default when unset, "" when set to "none".
 */
char *config_import_ignore(struct cf_db *db);

size_t config_nkeys(void);
/* The i-th key (i < config_nkeys()), in listing order. */
const struct config_key *config_key(size_t i);
/* The key named name, or NULL when it is not a setting. */
const struct config_key *config_find(const char *name);

/*
 * 1 when k's value names a profile (dispute.profile).  config_check() checks
 * only its text; the caller checks that the profile exists (profile_find(),
 * a layer above this one) before storing it.
 */
int config_names_profile(const struct config_key *k);
/*
 * Validate value for k.  On success *norm gets the value to store
 * (malloc'd; "512M" becomes "536870912").  On failure -1, CF_EINPUT and a
 * message saying what is expected; *norm is untouched.
 */
int config_check(const struct config_key *k, const char *value, char **norm,
		 struct cf_err *err);

/* Delete k's row (no error when it is not set). */
int config_unset(struct cf_db *db, const struct config_key *k, struct cf_err *err);

/*
 * Parse a size "123", "64K", "512M", "4G", "1T" (binary multiples) into
 * *out.  Returns 0, or -1 with CF_EINPUT.
 */
int config_parse_size(const char *s, unsigned long long *out, struct cf_err *err);

/*
 * The import limits of the vault: defaults overridden by the settings.
 * A stored value that no longer parses is an error naming the key.
 */
int config_import_limits(struct cf_db *db, struct bundle_limits *lim, struct cf_err *err);

/*
 * The vault's rule for order ids (order.id_pattern, else the default of
 * ingest.h).  On success *out is freed with order_id_rule_free().
 */
int config_order_rule(struct cf_db *db, struct order_id_rule **out, struct cf_err *err);

#endif

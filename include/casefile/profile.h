/* SPDX-License-Identifier: MIT */
/*
 * profile — a platform profile: the dispute windows and submission limits of
 * one platform (templates/profiles/<name>.conf), which a merchant can edit.
 *
 * File format (UTF-8 text, one setting per line):
 *
 *	# comment (also ';'); blank lines ignored
 *	name = douyin
 *	title = 抖音电商
 *	buyer_escalation_hours = 48      # after the merchant rejects
 *	merchant_evidence_hours = 48     # once arbitration has started
 *	statement_max_chars = 500        # Unicode characters, not bytes
 *	images_per_submission = 9
 *	accepted_formats = jpeg, png
 *	max_file_size = 5MB              # bytes, or with KB / MB (1024-based)
 *	merchant_reply_hours = 48        # optional: reply to a refund request
 *	statement_limits = 200, 500      # optional: the statement text boxes
 *
 * statement_limits lists every text box the platform offers for the
 * merchant's statement, each counted in Unicode characters ("500" or
 * "500 chars") or in UTF-8 bytes ("1000 bytes"), the platform's own rule;
 * `casefile statement --all` drafts one variant per entry.  Left out, it is
 * statement_max_chars characters; merchant_reply_hours defaults to
 * PROFILE_REPLY_HOURS.
 *
 * A '#' preceded by a space starts a trailing comment.  Every key except title,
 * merchant_reply_hours and statement_limits is required, each at most once; unknown keys are refused (a typo
 * must not silently keep a default).  Hours are 1..8760, counts 1..100000.
 * "jpg" is read as "jpeg".
 *
 * Invariants of a parsed profile: every field set, formats lowercase and
 * non-empty.
 */
#ifndef CASEFILE_PROFILE_H
#define CASEFILE_PROFILE_H

#include <stddef.h>

#include "casefile/db.h"

#include "casefile/err.h"

struct profile {
	char *name;		/* "douyin" */
	char *title;		/* display name; defaults to name */
	char *source;		/* the file it was read from */
	long escalation_hours;	/* buyer_escalation_hours */
	long evidence_hours;	/* merchant_evidence_hours */
	long statement_max_chars;
	long images_max;	/* images_per_submission */
	long long file_max_bytes;
	char **formats;		/* accepted_formats, lowercase */
	size_t nformats;
	long reply_hours;	/* merchant_reply_hours */
	struct profile_limit {
		long max;	/* 1..100000 */
		int bytes;	/* 1: UTF-8 bytes, 0: Unicode characters */
	} *limits;		/* statement_limits, never empty */
	size_t nlimits;
};

/* The merchant's reply window when a profile does not say (hours). */
#define PROFILE_REPLY_HOURS 48

/* The profile used when neither --profile nor dispute.profile is set. */
#define PROFILE_DEFAULT "douyin"

/*
 * Parse text[0..n) (need not be NUL-terminated); source names it in
 * messages.  Returns 0 with *out owned by the caller (profile_free), or -1
 * with CF_EINPUT: "profile 'douyin.conf': line 7: unknown key 'imgaes'".
 */
int profile_parse(const char *text, size_t n, const char *source,
		  struct profile **out, struct cf_err *err);

/* Read and parse the file at path (at most 1 MiB).  CF_EIO when unreadable. */
int profile_load(const char *path, struct profile **out, struct cf_err *err);

/*
 * A profile by name ("douyin": templates/profiles/douyin.conf, see
 * templates.h) or by path (anything containing '/' or ending in ".conf").
 * An unknown name gives CF_ENOTFOUND listing where it looked.
 */
int profile_find(const char *name_or_path, struct profile **out,
		 struct cf_err *err);

/*
 * The profile a command uses: opt (--profile) when not NULL, else the vault
 * setting dispute.profile (meta table, `casefile config dispute.profile P`)
 * when db is not NULL and it is set, else PROFILE_DEFAULT; then profile_find.
 */
int profile_resolve(struct cf_db *db, const char *opt, struct profile **out,
		    struct cf_err *err);

/*
 * How to record p in a dispute so that profile_find() finds it again later
 * from any directory: its name when templates/profiles/<name>.conf is the
 * file it was read from, else the absolute path of that file.  Caller frees.
 */
char *profile_ref_new(const struct profile *p);

/* 1 when fmt (e.g. "jpeg", "JPG") is accepted by p. */
int profile_format_ok(const struct profile *p, const char *fmt);

void profile_free(struct profile *p);

#endif

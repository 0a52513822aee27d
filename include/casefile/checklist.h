/* SPDX-License-Identifier: MIT */
/*
 * checklist — what evidence an arbiter expects for each dispute reason, as
 * rules over the vault, and the platform's submission limits.
 *
 * Checklist file (templates/checklists.<lang>.txt, UTF-8, merchants edit it):
 *
 *	# comment
 *	[not_received]                        a reason code (see dispute.h)
 *	required | 物流记录含签收事件 | logistics status=delivered
 *	recommended | 提醒买家到驿站取件的聊天 | chat keyword=驿站,快递柜 from=merchant
 *
 * Each item line is LEVEL | TEXT | RULE [; RULE ...].  LEVEL is required or
 * recommended; the item is satisfied when ANY of its rules is.  Rules:
 *
 *	evidence kind=K[,K] [min=N] [note=W,W] [from=SENDER]  evidence rows
 *	        of those kinds (chat logistics order photo video receipt
 *	        other), at least N (default 1), whose note, name or path
 *	        contains a word when note= is given, and whose name is among
 *	        the attachments of a chat message of SENDER (buyer, merchant,
 *	        platform, system) of the order when from= is given
 *	logistics status=S [keyword=W,W]      a logistics event with status S
 *	        and/or whose description/location/raw status contains a word
 *	chat keyword=W,W [from=buyer|merchant|platform|system]
 *	        a chat message containing a word
 *	order field=F                         the order record has F (created_at
 *	        paid_at shipped_at delivered_at buyer_phone buyer_address
 *	        total_fen pay_txn shop)
 *	captured before=F [min=N]             photos/videos whose EXIF capture
 *	        time is before the order's F (e.g. shipped_at)
 *	role R[,R] [min=N] [before=F] [from=WHO]  items with one of the roles
 *	        (roles.h; explicit, or implied by the kind: chat, logistics,
 *	        order, receipt=invoice), whose capture time (EXIF, video
 *	        creation time) is before the order's time F when before= is
 *	        given, and supplied by WHO (buyer merchant platform courier;
 *	        for buyer also: sent as an attachment in the buyer's chat)
 *	        when from= is given; excluded items never count
 *	buyer_disputes [min=N]                other disputes in the vault by the
 *	        same buyer (same phone, else same nick unless it is masked
 *	        like "小**")
 *
 * Words are matched as substrings, case-insensitively for ASCII.  Parse
 * errors name the file and line.
 */
#ifndef CASEFILE_CHECKLIST_H
#define CASEFILE_CHECKLIST_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/db.h"

#include "casefile/err.h"

struct checklist;
struct profile;

int checklist_parse(const char *text, size_t n, const char *source,
		    struct checklist **out, struct cf_err *err);
/* Read (at most 1 MiB) and parse. */
int checklist_load(const char *path, struct checklist **out, struct cf_err *err);
void checklist_free(struct checklist *cl);
/* Number of items for reason (0 when the file has no section for it). */
size_t checklist_count(const struct checklist *cl, const char *reason);

/* What satisfied a rule: an evidence row (evidence_id > 0) or a fact. */
struct check_cite {
	int64_t evidence_id;	/* 0 when the cite is not an evidence row */
	int exhibit_no;		/* its number in the dossier (dossier.h's
				   numbering), 0 when not an evidence row */
	char *kind;		/* evidence kind, or "dispute" */
	char *name;		/* evidence name, or "order X #id" */
	char *detail;		/* event/message text, or NULL */
};

struct check_item {
	int required;
	char *text;		/* the checklist's description */
	char *rules;		/* the rule text, for --json and messages */
	int have;
	struct check_cite *cites;
	size_t ncites;
	/*
	 * When missing and the item has a role rule: a command a person can
	 * type that would most likely meet it ("casefile tag 12 --role
	 * packing"), and why, in Chinese and English; else all NULL.
	 */
	char *fix, *fix_zh, *fix_en;
};

/* A submission-limit problem and what to do about it. */
struct check_limit {
	char *what;		/* "photos", "photo 'a.jpg' (exhibit 4,
				   evidence #12)", "statement" */
	char *problem;		/* "12 photos; the form takes 9" */
	char *fix;		/* "leave out 3 photos" */
};

struct check_report {
	char *order_id, *reason;
	struct check_item *items;
	size_t nitems;
	struct check_limit *limits;
	size_t nlimits;
	size_t missing_required, missing_recommended;
	long statement_chars;	/* -1 when no statement was given */
};

/*
 * Evaluate reason's items of cl against the vault for order; cites of the
 * order's evidence carry the exhibit numbers the dossier gives them
 * (exhibits_load).  Returns 0 with
 * *out (check_report_free), or -1 (CF_EDB, or CF_EINPUT when cl has no
 * section for reason).
 */
int checklist_eval(struct cf_db *db, const struct checklist *cl, const char *reason,
		   const char *order, struct check_report **out,
		   struct cf_err *err);

/*
 * Add the profile's submission-limit problems for order to r: photo count,
 * each photo's size and format, and, when statement is not NULL, its length
 * in characters (statement_name names it in messages).
 */
int checklist_limits(struct cf_db *db, const struct profile *p, const char *order,
		     const char *statement, size_t statement_len,
		     const char *statement_name, struct check_report *r,
		     struct cf_err *err);

void check_report_free(struct check_report *r);

/*
 * Characters (Unicode code points) in UTF-8 s[0..n); each invalid byte
 * counts as one character.
 */
size_t checklist_utf8_chars(const char *s, size_t n);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * dispute — refund disputes and their clock (schema v3, see db.c).
 *
 * A dispute belongs to one order.  It is open until closed with an outcome;
 * an order has at most one open dispute (a partial unique index enforces
 * it).  Every change appends a row to dispute_events (at, who, kind, what):
 * the dispute's own history, shown in the dossier timeline.  Nothing is ever
 * deleted.  Records and events are sealed in the ledger (see "sealing").
 *
 * Status: requested (buyer asked for a refund) → rejected (merchant refused)
 * → arbitration (platform intervened) → closed.  Setting rejected_at or
 * arbitration_at moves the status forward unless a status is given.
 *
 * The deadline that counts is the next one (dispute_deadline):
 *   an explicit deadline                     source "explicit", else
 *   arbitration_at + profile evidence hours  source "evidence", else
 *   rejected_at + profile escalation hours   source "escalation", else none.
 * The disputes.deadline column keeps the value computed at the last change
 * with the dispute's profile; `due` recomputes from the current profile.
 *
 * All times are UTC seconds; DISPUTE_NO_TIME means "not set".  Money is
 * integer fen; DISPUTE_NO_AMOUNT means "not set".
 *
 * Functions taking a database handle run their own transaction (BEGIN
 * IMMEDIATE) and change nothing when they fail.
 */
#ifndef CASEFILE_DISPUTE_H
#define CASEFILE_DISPUTE_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/db.h"

#include "casefile/err.h"

struct profile;

#define DISPUTE_NO_TIME INT64_MIN
#define DISPUTE_NO_AMOUNT (-1LL)

struct dispute {
	int64_t id;
	char *order_id;
	char *reason;		/* canonical code: "not_received" */
	char *claim;		/* NULL when unset */
	long long amount_fen;	/* DISPUTE_NO_AMOUNT when unset */
	char *status;		/* requested rejected arbitration closed */
	char *profile;		/* profile name */
	long long requested_at, rejected_at, arbitration_at;
	long long deadline;	/* as stored; DISPUTE_NO_TIME when none */
	char *deadline_source;	/* explicit escalation evidence, or NULL */
	char *outcome;		/* won lost settled withdrawn, or NULL */
	long long refunded_fen;	/* DISPUTE_NO_AMOUNT when unset */
	char *resolution;	/* or NULL */
	long long opened_at, closed_at;
};

/* Values for a new dispute or a change.  Unset fields keep their value. */
struct dispute_change {
	const char *status;	/* requested rejected arbitration, or NULL */
	const char *claim;	/* or NULL */
	const char *note;	/* recorded as a 'note' event, or NULL */
	const char *profile;	/* profile name, or NULL */
	long long amount_fen;	/* or DISPUTE_NO_AMOUNT */
	long long requested_at, rejected_at, arbitration_at, deadline;
	int clear_deadline;	/* 1: drop an explicit deadline */
};

/* Set every field of c to "unchanged". */
void dispute_change_init(struct dispute_change *c);

/* ---- vocabularies ---------------------------------------------------- */

/*
 * The canonical reason code for s: an English code ("not_received",
 * "not-received", any case) or its Chinese name ("未收到货").  Returns the
 * static code, or NULL with CF_EINPUT "unknown reason 'x' (one of: quality
 * (质量问题), …)".
 */
const char *dispute_reason_parse(const char *s, struct cf_err *err);
/* Chinese / English display name of a code; the code itself if unknown. */
const char *dispute_reason_zh(const char *code);
const char *dispute_reason_en(const char *code);
/*
 * Chinese display names of a status (requested rejected arbitration
 * closed), an outcome (won lost settled withdrawn) and a resolution
 * (partial_refund …); the code itself when unknown.  Static strings.
 * Text output shows these; --json keeps the codes.
 */
const char *dispute_status_zh(const char *code);
const char *dispute_outcome_zh(const char *code);
const char *dispute_resolution_zh(const char *code);
/*
 * A dispute event's recorded line ("opened: reason not_received; status
 * rejected; profile douyin; deadline 2025-05-03T01:00:00Z (escalation)")
 * in Chinese for the dossier ("开启争议：原因 未收到货；状态 商家已拒绝；…"),
 * times in zone tz.  The stored (sealed) line is unchanged.  Malloc'd.
 */
char *dispute_event_zh(const char *what, long tz);
/* The reason codes, NULL-terminated, in template order. */
const char *const *dispute_reasons(void);

/* Canonical outcome / resolution / open status, or NULL with CF_EINPUT. */
const char *dispute_outcome_parse(const char *s, struct cf_err *err);
const char *dispute_resolution_parse(const char *s, struct cf_err *err);
const char *dispute_status_parse(const char *s, struct cf_err *err);

/* ---- records ---------------------------------------------------------- */

/*
 * Open a dispute for order with reason (a canonical code) and the fields of
 * c; prof supplies the deadline hours and its name is recorded unless
 * c->profile is set.  An explicit deadline before now is refused.  Fails
 * with CF_EINPUT "order 'X' already has an open dispute (#3, opened …)"
 * when one is open.  *id_out (may be NULL) gets the new id.
 */
int dispute_open(struct cf_db *db, const char *order, const char *reason,
		 const struct dispute_change *c, const struct profile *prof,
		 long long now, const char *who, int64_t *id_out,
		 struct cf_err *err);

/*
 * Apply c to the order's open dispute and record what changed (a 'note'
 * event for c->note, an 'update' event listing the changed fields).  A
 * change that changes nothing and has no note is refused (CF_EINPUT).
 * CF_EINPUT "order 'X' has no open dispute" when none is open.
 */
int dispute_update(struct cf_db *db, const char *order,
		   const struct dispute_change *c, const struct profile *prof,
		   long long now, const char *who, struct cf_err *err);

/*
 * Close the order's open dispute with outcome (canonical), refunded_fen (or
 * DISPUTE_NO_AMOUNT) and resolution (canonical or NULL).  A refund above the
 * dispute's amount is refused.  CF_EINPUT when no dispute is open.
 */
int dispute_close(struct cf_db *db, const char *order, const char *outcome,
		  long long refunded_fen, const char *resolution,
		  const char *note, long long now, const char *who,
		  struct cf_err *err);

/*
 * The order's open dispute, else its most recent one (open_only = 0).
 * Returns 0 with *out (dispute_free), or -1: CF_ENOTFOUND when there is
 * none ("order 'X' has no dispute").
 */
int dispute_get(struct cf_db *db, const char *order, int open_only,
		struct dispute **out, struct cf_err *err);

/*
 * The profile that applies to an order: opt (--profile) when not NULL, else
 * the profile recorded in its dispute d (may be NULL), else the vault's
 * dispute.profile setting or PROFILE_DEFAULT (profile_resolve).  `check`,
 * `statement` and `build` all use this, so they agree on the limits.
 * Returns 0 with *out (profile_free), or -1 as profile_find.
 */
int dispute_profile(struct cf_db *db, const struct dispute *d, const char *opt,
		    struct profile **out, struct cf_err *err);

/*
 * What a command about one order's dispute works from (check, statement,
 * build).  *d gets the order's dispute (open, else latest), NULL when it
 * has none; *prof the profile that applies (dispute_profile with
 * profile_opt).  When reason is not NULL, *reason gets the reason that
 * applies: reason_opt when not NULL, else the dispute's (borrowed from
 * reason_opt or *d), and an order with neither fails with CF_ENOTFOUND
 * "order 'X' has no dispute" (*d NULL); with reason NULL a dispute is
 * optional.  *d is the caller's to free (dispute_free) even on failure;
 * *prof is set only on success.
 */
int dispute_context(struct cf_db *db, const char *order, const char *reason_opt,
		    const char *profile_opt, struct dispute **d,
		    const char **reason, struct profile **prof,
		    struct cf_err *err);

/*
 * Who the buyer of order is, for counting one buyer's disputes (stats,
 * the suspected_abuse checklist): the phone of the order's first order
 * record, else its nick unless the platform already masked it ("小**":
 * it contains '*'), which identifies nobody.  Returns 0 with *phone or
 * *nick malloc'd (at most one set; both NULL when unknown), or -1 (CF_EDB).
 */
int dispute_buyer_identity(struct cf_db *db, const char *order, char **phone,
			   char **nick, struct cf_err *err);

/*
 * Every dispute (open_only: open ones), ordered by order id then id.
 * *out is an array of *n pointers; free with dispute_list_free.
 */
int dispute_list(struct cf_db *db, int open_only, struct dispute ***out, size_t *n,
		 struct cf_err *err);
void dispute_list_free(struct dispute **v, size_t n);
void dispute_free(struct dispute *d);

/* One event of a dispute's history. */
struct dispute_event {
	long long at;
	char *who, *kind, *what;
};
/* The events of dispute id in order; free with dispute_events_free. */
int dispute_events(struct cf_db *db, int64_t id, struct dispute_event **out,
		   size_t *n, struct cf_err *err);
void dispute_events_free(struct dispute_event *v, size_t n);

/* ---- sealing ----------------------------------------------------------- */

/*
 * Disputes and their events are facts the dossier renders that are not
 * originals, so each is sealed as an annotation leaf of the ledger
 * (ledger.h, version 2 record), in the transaction that writes it:
 *   type "dispute_event", subject "dispute <id> event <event id>", at and
 *     who of the event, payload = the dispute_events row (id, dispute_id,
 *     at, who, kind, what) as ledger_payload_from_row() writes it;
 *   type "dispute", subject "dispute <id>", after every change: payload =
 *     the whole disputes row as it now stands (the columns of struct
 *     dispute, in that order).
 * The current rows must equal their latest sealed payloads.  A change to a
 * dispute whose rows no longer match is refused (CF_EVERIFY), so a forged
 * record is never sealed by a later legitimate change.  Disputes made
 * before sealing existed are sealed as they stand by their next change or
 * by dispute_seal_all() (which `casefile seal` runs).
 */

/*
 * Seal every dispute that has no leaf yet, whole (its events, then its
 * record).  Its own transaction unless one is open (then the caller's; on
 * -1 the caller rolls back).  *added (may be NULL) gets the leaf count.
 */
int dispute_seal_all(struct cf_db *db, uint64_t *added, struct cf_err *err);

/* Called per finding: subject "dispute 3 event 7 (order X)", detail. */
typedef void (*dispute_problem_fn)(void *cookie, const char *subject,
				   const char *detail);

/*
 * Check the disputes of order (NULL: every order) against their sealed
 * annotations: the record and each event equal their latest sealed
 * payload, each sealed record hashes to its stored ledger leaf, no sealed
 * event or dispute has lost its row, no event was added outside casefile.
 * Each finding goes to fn.  Returns 0 when the check ran, -1 (CF_EDB) when
 * it could not.
 */
int dispute_check_sealed(struct cf_db *db, const char *order, dispute_problem_fn fn,
			 void *cookie, struct cf_err *err);

/*
 * The same for one order, as an error: 0 when everything matches, -1 with
 * CF_EVERIFY naming the first finding ("dispute 3 (order X): the dispute
 * record differs from its sealed record (edited?)"), or another code when
 * the check could not run.
 */
int dispute_verify_order(struct cf_db *db, const char *order, struct cf_err *err);

/* ---- the clock -------------------------------------------------------- */

/*
 * The deadline that counts for d's times under profile p (see top).
 * Returns the deadline and sets *source (static string, may be NULL
 * pointer-to-pointer) or returns DISPUTE_NO_TIME when none applies.
 * A pure function: tests call it directly.
 */
long long dispute_deadline(long long requested_at, long long rejected_at,
			   long long arbitration_at, long long explicit_deadline,
			   const struct profile *p, const char **source);

/*
 * Who must act before a deadline, and what that deadline is.  `due` alerts
 * only on the merchant's deadlines; a lapsed buyer window is good news
 * (the buyer did not escalate, the request can be closed), and once the
 * merchant's evidence window has passed with a dossier built after the
 * platform intervened, what remains is the platform's decision.
 *
 *   kind               party     deadline
 *   merchant_reply     merchant  requested_at + merchant_reply_hours
 *                                (status requested, nothing rejected yet)
 *   buyer_escalation   buyer     rejected_at + buyer_escalation_hours
 *   merchant_evidence  merchant  arbitration_at + merchant_evidence_hours
 *   platform_decision  platform  none (evidence window over, dossier built)
 *   explicit           merchant  the dispute's --deadline
 *   none               -         nothing known yet
 */
enum dispute_party {
	DISPUTE_PARTY_NONE, DISPUTE_PARTY_MERCHANT, DISPUTE_PARTY_BUYER,
	DISPUTE_PARTY_PLATFORM,
};

struct dispute_clock {
	const char *kind;		/* static code, see the table */
	enum dispute_party party;
	long long deadline;		/* DISPUTE_NO_TIME when none */
	int lapsed;			/* deadline <= now */
	int alert;			/* a merchant deadline within the window */
};

/*
 * The clock of d under profile p (NULL: the stored deadline only) at now,
 * alerting within `within` seconds.  dossier_at is when the order's latest
 * dossier was built (DISPUTE_NO_TIME: never).  A pure function.
 */
void dispute_clock(const struct dispute *d, const struct profile *p, long long now,
		   long long within, long long dossier_at, struct dispute_clock *c);
/* Chinese / English name of a clock kind ("商家举证期限"); static. */
const char *dispute_clock_kind_zh(const char *kind);
const char *dispute_clock_kind_en(const char *kind);
/* "merchant" "buyer" "platform" or "none". */
const char *dispute_party_code(enum dispute_party party);

/*
 * "5h 07m" for a non-negative number of seconds (minutes rounded down;
 * days written as hours: "53h 00m").  buf needs 32 bytes; returns buf.
 */
char *dispute_format_left(long long secs, char *buf, size_t n);

#endif

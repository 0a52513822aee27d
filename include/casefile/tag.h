/* SPDX-License-Identifier: MIT */
/*
 * tag — correcting the record without touching the originals: re-parse an
 * item as another kind, give it roles, a note, who supplied it, leave it
 * out of dossiers, checklists and kits or take it back in
 * (`casefile tag / exclude / include`, `ingest --role` and ingest options
 * on bytes already stored).
 *
 * Every change is an event with who and when, appended to the ledger as
 * an annotation leaf of its own (ledger.h, version 2) with subject
 * "evidence <id>" and the item's order id:
 *
 *	type         payload (UTF-8, no terminator)
 *	kind         the new kind name ("chat")
 *	role         "+packing" (added) or "-packing" (removed)
 *	supplied_by  "buyer", "merchant", "platform" or "courier"
 *	note         the note's text (the type ingest.h seals --note with)
 *	exclude      the reason
 *	include      empty
 *
 * The current state (evidence.kind, evidence_roles, evidence.supplied_by,
 * evidence.note, evidence.excluded) is the fold of those leaves in leaf
 * order over what ingest recorded; tag_check() recomputes the fold and
 * compares, so an edit of the state in the database is found the way an
 * edited parsed row is (rederive.h).  The item's own version 1 leaf keeps
 * the kind it was ingested as (evidence.kind_sealed).
 */
#ifndef CASEFILE_TAG_H
#define CASEFILE_TAG_H

#include <stdint.h>

#include "casefile/db.h"

#include "casefile/err.h"

struct vault;

#define TAG_TYPE_KIND "kind"
#define TAG_TYPE_ROLE "role"
#define TAG_TYPE_SUPPLIED "supplied_by"
#define TAG_TYPE_EXCLUDE "exclude"
#define TAG_TYPE_INCLUDE "include"

/* What to change; an unset field changes nothing. */
struct tag_change {
	int kind;		/* enum cf_kind to re-parse as, or -1 */
	unsigned add_roles;	/* CF_ROLE_BIT set (roles.h) */
	unsigned remove_roles;
	const char *note;	/* new note, or NULL */
	int supplied_by;	/* enum cf_supplier (not UNKNOWN), or -1 */
};
#define TAG_CHANGE_INIT { -1, 0, 0, NULL, -1 }

/* Called for each warning of a re-parse (bad: not understood). */
typedef void (*tag_warn_fn)(void *cookie, const char *msg, int bad);

/*
 * Apply c to evidence row id: inside the caller's write transaction when
 * one is open (a savepoint), else in its own.  A kind change re-parses
 * the stored original as that kind, exactly as `ingest --kind` would
 * (warnings to warn); when the parse does not understand it (any bad
 * warning) nothing at all is changed and -1 is returned with CF_EINPUT
 * ("cannot read 'x.txt' as order: ...").  A change that is already the
 * state (a role it has, the same note) adds no leaf.  *leaves counts the
 * leaves appended (may be NULL).  0, or -1 with nothing changed.
 */
int tag_apply(struct vault *v, int64_t id, const struct tag_change *c, const char *who,
	      int64_t at, tag_warn_fn warn, void *cookie, unsigned *leaves,
	      struct cf_err *err);

/*
 * Leave row id out (reason: non-empty UTF-8) or take it back in
 * (reason NULL).  Transactions as tag_apply().  *leaves as there: 0 when
 * the item already was in that state.  0 or -1.
 */
int tag_exclude(struct cf_db *db, int64_t id, const char *reason, const char *who, int64_t at,
		unsigned *leaves, struct cf_err *err);

/* One event of an item's history. */
struct tag_event {
	int64_t leaf_index;
	int64_t at;
	const char *type;	/* borrowed for the callback */
	const char *who;
	const char *value;	/* payload as text */
};
typedef void (*tag_event_fn)(void *cookie, const struct tag_event *e);

/*
 * The annotation leaves of row id in leaf order (tags, roles, notes,
 * exclusions).  0 or -1 (CF_EDB).
 */
int tag_history(struct cf_db *db, int64_t id, tag_event_fn fn, void *cookie, struct cf_err *err);

/*
 * Check that the row's kind, roles, supplier, exclusion are the fold of
 * its leaves.  0 when they are; 1 with *why (malloc'd, e.g. "its role
 * packing is not in the ledger (edited?)") when not; -1 (CF_EDB).
 */
int tag_check(struct cf_db *db, int64_t id, char **why, struct cf_err *err);

#endif

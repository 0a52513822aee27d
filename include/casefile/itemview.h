/* SPDX-License-Identifier: MIT */
/*
 * itemview — the evidence items of an order as `show` presents them: the
 * row's custody facts (hash, who ingested it, when, from where), what was
 * parsed from it (message counts and times, logistics status, order
 * totals, photo facts), its warnings, and on request each chat message or
 * logistics event as parsed.  Values only: rendering (time zone, one line
 * per message, JSON) is the caller's.
 *
 * Invariants: items come in evidence id order; facts come in a fixed order
 * per kind (the parsed facts, then media facts, then roles, supplied_by,
 * excluded), and a fact whose value is absent is left out, not empty.
 */
#ifndef CASEFILE_ITEMVIEW_H
#define CASEFILE_ITEMVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/err.h"
#include "casefile/hash.h"
#include "casefile/tag.h"

struct vault;

enum itemview_fact_type {
	ITEMVIEW_STR,		/* str */
	ITEMVIEW_INT,		/* num */
	ITEMVIEW_TIME,		/* num: UTC seconds */
};

struct itemview_fact {
	const char *key;	/* static: "messages", "carrier", "total", ... */
	enum itemview_fact_type type;
	char *str;
	long long num;
};

/*
 * One chat message or logistics event, in file order.  f[] are NULL when
 * absent: for a message "from" (buyer, merchant, unknown: roles.h), name,
 * text, attachments (JSON text), extra (JSON text); for an event status,
 * location, description, NULL, extra.
 */
#define ITEMVIEW_NFIELDS 5
struct itemview_record {
	long long seq;
	int has_time;
	long long time;		/* UTC seconds when has_time */
	int ms;			/* milliseconds, or -1 when the original had none */
	char *f[ITEMVIEW_NFIELDS];
};

struct itemview {
	int64_t id;
	char *order_id, *kind, *name;
	long long size, ingested_at;
	char sha256[CF_SHA256_HEXLEN + 1];	/* hex, "?" when the row has none */
	/* NULL when absent */
	char *source_path, *note, *user, *host, *tool_version, *bundle;
	struct itemview_fact *facts;
	size_t nfacts;
	char **warnings;	/* the parse warnings, in order */
	size_t nwarnings;
	/* with ITEMVIEW_RECORDS, for chat and logistics items only */
	int has_records, chat;	/* chat: messages, else events */
	struct itemview_record *records;
	size_t nrecords;
};

/*
 * What the ORDER|ITEM argument of `show` names: an order when the vault
 * holds evidence of it (0, *item = 0), else an ITEM (item.h: 0 with *item
 * the evidence row).  -1 with item_resolve()'s error when it is neither:
 * CF_ENOTFOUND, CF_EINPUT (not an ITEM), CF_EDB.
 */
int itemview_resolve(struct vault *v, const char *arg, int64_t *item, struct cf_err *err);

enum itemview_read_flags {
	ITEMVIEW_RECORDS = 1 << 0,	/* fill records (show --messages) */
};

/*
 * The items of order (item == 0), or evidence row item alone: *out holds
 * *n views, owned by the caller (itemview_free).  No item is not an error
 * (*n = 0).  A parsed table that cannot be read leaves its facts out.  0,
 * or -1 (CF_EDB "cannot read order 'X': ...") with *out NULL.
 */
int itemview_read(struct vault *v, const char *order, int64_t item, unsigned flags,
		  struct itemview **out, size_t *n, struct cf_err *err);
/* Accepts NULL. */
void itemview_free(struct itemview *iv, size_t n);

/*
 * The history of evidence row id: its annotation leaves (tag.h), in leaf
 * order.  0 or -1 (CF_EDB).
 */
int itemview_history(struct vault *v, int64_t id, tag_event_fn fn, void *cookie,
		     struct cf_err *err);

#endif

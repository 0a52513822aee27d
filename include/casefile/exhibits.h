/* SPDX-License-Identifier: MIT */
/*
 * exhibits — the numbered exhibits of one order, as the dossier, the
 * statement and `casefile check` cite them.
 *
 * Exhibit numbering is a deterministic function of the vault rows: the
 * order's evidence rows sorted by kind (order, chat, logistics, photo,
 * video, receipt, other), then name (bytes), then row id, numbered from 1.
 * The statement and `casefile check` cite these numbers.
 *
 * Re-exports: a chat or logistics file whose every record (message: time,
 * sender, text, attachments; event: time, status, location, description;
 * a record repeated n times counts n times) is also in another file of the
 * same kind for the order, which has more records (or as many and a later
 * row), is superseded by it.  Computed at each load from the parsed
 * records, nothing stored.  A superseded exhibit keeps its number, is
 * attached and listed ("superseded by exhibit N"), but its records are not
 * rendered again; records common to files that only overlap are rendered
 * once, in the first exhibit that holds them.
 */
#ifndef CASEFILE_EXHIBITS_H
#define CASEFILE_EXHIBITS_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/db.h"

#include "casefile/err.h"
#include "casefile/hash.h"

struct exhibit {
	int no;				/* 1-based exhibit number */
	int64_t evidence_id;
	char *kind, *name, *note;	/* note may be NULL */
	unsigned char sha256[CF_SHA256_LEN];
	uint64_t size;
	long long ingested_at;
	long long captured_at;		/* EXIF or first message time; -1 */
	char *format;			/* media.format or NULL */
	int orientation;		/* media.orientation, 0 unknown */
	long long duration_ms;		/* -1 unknown */
	char *attachment;		/* NULL when left out */
	int superseded_by;		/* exhibit no of a later export of the
					   same kind holding every record of
					   this one (a re-export), 0: none */
};

struct exhibits {
	struct exhibit *v;
	size_t n;
};

/*
 * Load and number the order's exhibits.  Fails with CF_ENOTFOUND
 * ("no evidence for order '…'") when there are none.  Release with
 * exhibits_release().
 */
int exhibits_load(struct cf_db *db, const char *order_id,
		  struct exhibits *out, struct cf_err *err);
void exhibits_release(struct exhibits *ex);
/* The exhibit number of an evidence row, or 0. */
int exhibits_no(const struct exhibits *ex, int64_t evidence_id);

#endif

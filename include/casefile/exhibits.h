/* SPDX-License-Identifier: MIT */
/*
 * exhibits — the numbered exhibits of one order, as the dossier, the
 * statement and `casefile check` cite them.
 *
 * Exhibit numbering is a deterministic function of the vault rows: the
 * order's evidence rows sorted by kind (order, chat, logistics, photo,
 * video, receipt, other), then name (bytes), then row id, numbered from 1.
 * The statement and `casefile check` cite these numbers.
 */
#ifndef CASEFILE_EXHIBITS_H
#define CASEFILE_EXHIBITS_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

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
int exhibits_load(sqlite3 *db, const char *order_id,
		  struct exhibits *out, struct cf_err *err);
void exhibits_release(struct exhibits *ex);
/* The exhibit number of an evidence row, or 0. */
int exhibits_no(const struct exhibits *ex, int64_t evidence_id);

#endif

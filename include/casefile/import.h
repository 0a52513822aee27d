/* SPDX-License-Identifier: MIT */
/*
 * import — store a daily export bundle (folder or archive) of many orders
 * through the ingest path: the service behind `casefile import`.
 *
 * Concurrency: one import at a time per vault, serialised by flock(2) on
 * VAULT/import.lock (the second waits; with IMPORT_NO_WAIT it fails at
 * once).  The ingest batch itself is an IMMEDIATE transaction, so
 * `casefile ingest` running beside an import waits for the database,
 * never corrupts it.
 *
 * Crash safety: the batch is committed (objects synced first) every
 * import_opts.batch_files files or IMPORT_BATCH_BYTES bytes.  A killed
 * import keeps what was committed; running it again stores only the rest,
 * because ingest reports the committed files as duplicates.
 *
 * Pipeline: the import is a source of ingest_pipe.h (the pipeline `casefile
 * ingest` uses too): a staging thread walks the bundle, stores each file in
 * the object store and parses it (ingest_stage); the calling thread
 * records the staged files in the database (ingest_record), reports and
 * commits.  Reports come in bundle order, so the output is the same as a
 * one-thread run.
 */
#ifndef CASEFILE_IMPORT_H
#define CASEFILE_IMPORT_H

#include <stdint.h>

#include "casefile/err.h"

struct vault;
struct import;

#define IMPORT_BATCH_FILES 5000
#define IMPORT_BATCH_BYTES (1ULL << 30)

enum import_flags {
	IMPORT_NO_WAIT = 1 << 0,	/* another import running: fail at once */
	IMPORT_VERBOSE = 1 << 1,	/* report how each text was decoded too */
};

/* skipped's what for an entry matching import.ignore (bundle.h BUNDLE_IGNORED) */
#define IMPORT_IGNORED "matches import.ignore"

/* What the import did so far (and at the end). */
struct import_summary {
	size_t orders;		/* distinct order ids seen */
	unsigned long files, nnew, ndup, refused, problems, ignored;
	uint64_t bytes;
	unsigned long same_path_twice;	/* entries whose path came before */
	double seconds;		/* since import_open() */
	int broken;		/* the bundle could only be read in part */
};

enum import_report {
	IMPORT_WARNING,		/* a note about an entry: the rest goes on */
	IMPORT_ERROR,		/* an entry was refused or not understood */
};

/*
 * How the caller hears of the import.  Every member may be NULL.
 * report: one line, without the "casefile: " prefix ("'b.zip': entry
 * 'x/chat.json': line 3: bad time").  progress: after each recorded file,
 * frac in [0,1] or < 0 when unknown.  waiting: once, when another import
 * holds the lock and this one waits for it.  skipped: a junk entry
 * (.DS_Store, __MACOSX/ ...) was skipped; what is a static string naming
 * the kind of junk, the same pointer for the same kind.
 */
struct import_hooks {
	void (*report)(void *cookie, enum import_report kind, const char *line);
	void (*progress)(void *cookie, const struct import_summary *so_far, double frac);
	void (*waiting)(void *cookie);
	void (*skipped)(void *cookie, const char *path, const char *what);
	void *cookie;
};

struct import_opts {
	const char *bundle_path;
	const char *date;		/* YYYY-MM-DD, or NULL: the wrapper folder's */
	unsigned long batch_files;	/* 0: IMPORT_BATCH_FILES */
	unsigned flags;			/* enum import_flags */
	const char *user, *host;	/* who the audit rows name (who.h) */
};

/* 1 when s is a valid YYYY-MM-DD calendar date. */
int import_valid_date(const char *s);

/*
 * Take the vault's import lock, read the import limits and open the
 * bundle.  On -1 nothing is held; err->code is CF_ENOTFOUND when the bundle
 * cannot be opened for a system reason (no such file), CF_EIO when the lock
 * cannot be taken (or another import runs and IMPORT_NO_WAIT).  opts and
 * hooks must outlive the import.  Free with import_close().
 */
int import_open(struct vault *v, const struct import_opts *opts,
		const struct import_hooks *hooks, struct import **out, struct cf_err *err);

/*
 * Import every entry of the bundle, filling *sum.  Refused entries are
 * reported and counted; the rest goes on.  Returns 0 when the import ran
 * to its end (sum->refused, sum->problems, sum->broken say how well), or
 * -1 on a hard failure (database, disk): the files since the last
 * checkpoint were rolled back and err says why.
 */
int import_run(struct import *imp, struct import_summary *sum, struct cf_err *err);

/* Release the bundle and the lock.  Accepts NULL. */
void import_close(struct import *imp);

#endif

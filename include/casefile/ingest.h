/* SPDX-License-Identifier: MIT */
/*
 * ingest — the one path by which evidence enters the vault, used by
 * `casefile ingest` (files and folders) and `casefile import` (bundles).
 *
 * A batch is one SQLite transaction.  For each item: stream the bytes into
 * the object store (hash while copying), sniff and parse them, then insert
 * the evidence row, its parsed rows and its warnings inside a savepoint, so
 * a failing item leaves no trace and the batch goes on.  ingest_commit()
 * makes every object durable (vault_sync) before COMMIT: no committed row
 * can name a missing object, even after power loss.
 *
 * Dedup: the same bytes under the same name (and rel_path, for a bundle
 * entry) for the same order are reported as a duplicate (no new row); the
 * same bytes under another name or rel_path, or in another order, get a row
 * of their own (and a ledger leaf) that shares the object.  source_path is
 * not compared: the same file given as "a.jpg" or "./a.jpg", or the same
 * bundle as a zip or a folder, is the same evidence.
 */
#ifndef CASEFILE_INGEST_H
#define CASEFILE_INGEST_H

#include <stdint.h>

#include "casefile/db.h"

#include "casefile/err.h"
#include "casefile/hash.h"
#include "casefile/vault.h"

struct ingest;

/* One input.  All strings are borrowed for the duration of the call. */
struct ingest_item {
	const char *order_id;	 /* validated by order_id_valid() */
	const char *name;	 /* base name as found (raw bytes) */
	const char *source_path; /* path as given, or path inside the bundle */
	const char *rel_path;	 /* path under the order folder, or NULL */
	long long mtime;	 /* source modification time (UTC s), -1 unknown */
	int kind;		 /* forced enum cf_kind, or -1 to sniff */
	const char *note;	 /* what the item shows, or NULL */
	const char *bundle;	 /* bundle name, or NULL */
	const char *name_raw;	 /* when name is a decoded or escaped display
				    form (bundle names that are not UTF-8):
				    the original bytes, kept as name_raw; or NULL */
};

struct ingest_result {
	int64_t evidence_id;	/* the new row, or the existing one if duplicate */
	int duplicate;		/* 1: this order already holds these bytes
				   under this name and rel_path */
	int new_object;		/* 1: the bytes were not in the vault before */
	const char *kind;	/* static string: "chat", "photo", ... */
	unsigned char sha256[CF_SHA256_LEN];
	uint64_t size;
	unsigned nbad;		/* warnings meaning "not understood" (exit 3) */
	unsigned nnotes;	/* warnings that only inform */
};

/*
 * Called for each warning of an item; msg has no file prefix ("line 3: bad
 * time …"); bad is 1 when the input was not understood (the command exits
 * 3), 0 for a note.  May be NULL.
 */
typedef void (*ingest_warn_fn)(void *cookie, const struct ingest_item *it,
			       const char *msg, int bad);

/* Start a batch (BEGIN IMMEDIATE: waits for other writers). */
int ingest_begin(struct vault *v, ingest_warn_fn warn, void *cookie,
		 struct ingest **out, struct cf_err *err);
/*
 * The same for a caller that writes nothing but what ingest_record()
 * writes (import): on a vault several processes write at once
 * (db_shared(), PostgreSQL) its batches overlap other writers'.  The rows
 * are written without the vault's write lock; each batch's leaves are
 * queued (ledger_writer_queue) and appended in one serialised step just
 * before its COMMIT.  An item whose object or row another writer is
 * recording at that moment commits this batch first and then waits for
 * the other's (never waiting while holding rows of its own, so two
 * importers cannot wait for each other): it is recorded as a duplicate,
 * or as new if the other rolled back.  Objects are never removed on a
 * rollback there (another writer may have just recorded the same bytes):
 * a failed run leaves stray objects, which `casefile audit` lists and a
 * re-run uses.  On SQLite this is ingest_begin().
 */
int ingest_begin_shared(struct vault *v, ingest_warn_fn warn, void *cookie,
			struct ingest **out, struct cf_err *err);
/*
 * Who the rows name (evidence.ingested_by/host): by default who.h's user
 * (the password database; no $USER, which only main reads) and host, read
 * by ingest_begin(); a command passes the context's.
 */
void ingest_set_who(struct ingest *in, const char *user, const char *host);
/*
 * Ingest one item read from fd (read to its end; not closed).  On -1 the
 * item left no row and the batch can go on; err says why.
 */
int ingest_fd(struct ingest *in, const struct ingest_item *it, int fd,
	      struct ingest_result *res, struct cf_err *err);
/* Same, reading from a callback (archive entries). */
int ingest_stream(struct ingest *in, const struct ingest_item *it,
		  vault_read_fn fn, void *cookie, struct ingest_result *res,
		  struct cf_err *err);
/*
 * The same in two steps, for pipelines (`casefile import` stores and parses
 * on one thread while the other records):
 *
 * ingest_stage() stores the item's bytes (vault_put) and, with parse_now,
 * parses them (else ingest_record() parses the kept bytes, unless the item
 * turns out to be a duplicate: a pipeline uses this to balance the work
 * between its threads; a file of which more than 256 KiB are kept is
 * parsed at once anyway, so a queue of staged photos holds their facts,
 * not their bytes).  It touches no database, so it may run on another
 * thread than the one that owns the batch, one staging thread at a time,
 * also while that one runs ingest_checkpoint() (a stage waits while the
 * commit moves from one batch to the next, so every put happens inside a
 * batch); after the batch has ended it fails (CF_EIO).  The staged item
 * owns copies of the item's strings.  On -1 nothing was kept: an object
 * this put created is removed again.  An item staged in one batch and
 * recorded in the next is fine.
 *
 * ingest_record() records a staged item inside the batch (duplicate check,
 * rows, ledger leaf, warnings) and frees it, also on failure.  On -1 the
 * item left no row; a pipeline must treat that as the end of the batch
 * (ingest_free() rolls it back), because items staged behind it may share
 * the object whose creation was undone.
 *
 * ingest_whole_batch() drops the per-item savepoint for the rest of the
 * batch (and of later batches on the same handle): recording is cheaper,
 * and a failing ingest_record() then leaves the whole batch to be rolled
 * back by ingest_free() (committing it is a bug).  For pipelines, which
 * stop at the first failure anyway.
 *
 * ingest_discard() frees a staged item that will not be recorded; an
 * object it created is removed when the batch is rolled back.
 */
struct ingest_staged;
int ingest_stage(struct ingest *in, const struct ingest_item *it, vault_read_fn fn,
		 void *cookie, int fd, int parse_now, struct ingest_staged **out,
		 struct cf_err *err);
int ingest_record(struct ingest *in, struct ingest_staged *s, struct ingest_result *res,
		  struct cf_err *err);
void ingest_discard(struct ingest *in, struct ingest_staged *s);
void ingest_whole_batch(struct ingest *in);
/* Roughly the memory the staged item holds, in bytes (for bounding queues). */
uint64_t ingest_staged_cost(const struct ingest_staged *s);

/*
 * Make objects durable, then COMMIT.  The batch can't be used afterwards.
 * On -1 the batch was not committed; ingest_free() then removes its objects.
 */
int ingest_commit(struct ingest *in, struct cf_err *err);
/*
 * ingest_commit() then start a new batch on the same handle (long imports).
 * On -1 either nothing was committed, or the commit was done but the new
 * batch could not start; either way the handle is only fit for ingest_free().
 */
int ingest_checkpoint(struct ingest *in, struct cf_err *err);
/*
 * Roll back anything uncommitted and free.  Objects the rolled-back batch
 * created are removed, except any that a committed row names by then (see
 * ingest.c).  Accepts NULL.  No stage may run any more.
 */
void ingest_free(struct ingest *in);

/*
 * Bytes of a file kept in memory for parsing; a larger file is parsed from
 * the start of its content plus its object's fd.  rederive parses the same
 * way, so the re-parse of a sealed original is the ingest's parse.
 */
#define INGEST_KEEP_MAX (16u << 20)

struct parsed;
/*
 * The note ingest records after a file's parse warnings when the file
 * states another order than the one it was ingested for, or NULL (malloc'd).
 */
char *ingest_order_note(const struct parsed *p, const char *order_id);

/*
 * An item's note (`ingest --note`) is shown in the dossier as what the
 * exhibit shows, so it is sealed: an annotation leaf (ledger.h) of type
 * INGEST_NOTE_TYPE, subject "evidence <id>", the note's UTF-8 bytes as
 * payload, appended with the evidence row.  ingest_seal_note() appends one
 * (inside the caller's transaction); ingest_seal_notes() gives the notes of
 * a vault made before this a leaf (own transaction unless one is open;
 * `casefile seal` runs it).  rederive compares evidence.note with it.
 */
#define INGEST_NOTE_TYPE "note"
int ingest_seal_note(struct cf_db *db, int64_t evidence_id, const char *order_id,
		     const char *note, int64_t at, const char *who, struct cf_err *err);
int ingest_seal_notes(struct cf_db *db, uint64_t *added, struct cf_err *err);

#endif

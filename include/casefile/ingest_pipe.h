/* SPDX-License-Identifier: MIT */
/*
 * ingest_pipe — the one two-thread pipeline by which many files enter the
 * vault: `casefile import` (a bundle) and `casefile ingest` (files and
 * folders) both run through it (issue 19).
 *
 * A staging thread runs the caller's source, which walks its input and
 * hands each file to ingest_pipe_put() (store it in the object store and,
 * while the recording side has work queued, parse it: ingest_stage) and
 * each message about its input to ingest_pipe_say().  The calling thread
 * records the staged files (ingest_record), calls the hooks in the order
 * the source put and said things (so the output is the same as a
 * one-thread run's), and commits every batch_files files or batch_bytes
 * bytes (ingest_checkpoint) while the source goes on; 0 for either means
 * the whole run is one batch.  The rules of ingest.h hold: one staging
 * thread, puts only inside a batch, no savepoint per file (the caller sets
 * ingest_whole_batch(): any recording failure ends the run).
 *
 * Invariant kept from ingest.h: an object is durable (vault_sync) before
 * the COMMIT of any row naming it, and a run that fails leaves neither a
 * row nor an object of its own behind.
 */
#ifndef CASEFILE_INGEST_PIPE_H
#define CASEFILE_INGEST_PIPE_H

#include <stdint.h>

#include "casefile/err.h"
#include "casefile/ingest.h"
#include "casefile/vault.h"

struct ingest_pipe;

/*
 * What the pipeline calls.  source and recorded are required, said may be
 * NULL.  tag: what the source passed with a put or a say (malloc'd or
 * NULL); the pipeline frees it with free() after the hook (or when the
 * item is dropped), so a hook must not keep it.
 *
 * source: on the staging thread; produce everything, then return 0.  -1
 *   (err set) is a hard failure: the run stops and the batch rolls back.
 *   Once ingest_pipe_stopped() is 1 (a put or say failed because of it)
 *   the recording side has given up: return at once (the value is then
 *   ignored).
 * recorded: on the calling thread, after each file was recorded (res), in
 *   put order; order_id and path are the put item's.  -1 (err set) ends
 *   the run as a failure of recording would.
 * said: on the calling thread, in order with the files, for each say.
 */
struct ingest_pipe_hooks {
	int (*source)(struct ingest_pipe *p, void *cookie, struct cf_err *err);
	int (*recorded)(void *cookie, const char *order_id, const char *path, void *tag,
			const struct ingest_result *res, struct cf_err *err);
	void (*said)(void *cookie, int code, const char *msg, void *tag);
	void *cookie;
};

/*
 * Run source on a staging thread and record what it puts into in (opened
 * with ingest_begin(), ingest_whole_batch() set), committing every
 * batch_files files or batch_bytes bytes (0: never; the caller commits
 * the last batch).  Returns 0 when the source ended and everything it put
 * was recorded: the caller then commits with ingest_commit().  -1 with err
 * on a hard failure (the source's, or recording's: "order 'X': why"); the
 * batch is then only fit for ingest_free(), which rolls it back.  Batches
 * committed before stay committed.
 */
int ingest_pipe_run(struct ingest *in, const struct ingest_pipe_hooks *hooks,
		    unsigned long batch_files, uint64_t batch_bytes, struct cf_err *err);

/*
 * Staging thread: store the file (from fd when fd >= 0, the caller keeps
 * and closes it; else read through fn/cookie) and queue it for recording
 * with tag.  -1 with err: CF_EINPUT, this file only could not be stored
 * (the rest goes on); another code, a failure of the disk or the vault,
 * or the recording side gave up (ingest_pipe_stopped(): stop).  tag is
 * freed on failure too.
 */
int ingest_pipe_put(struct ingest_pipe *p, const struct ingest_item *it, vault_read_fn fn,
		    void *cookie, int fd, void *tag, struct cf_err *err);

/*
 * Staging thread: queue a message (msg copied) for the said hook, in order
 * with the files.  0, or -1 when the recording side gave up (tag freed).
 */
int ingest_pipe_say(struct ingest_pipe *p, int code, const char *msg, void *tag);

/* Staging thread: 1 once the recording side has given up. */
int ingest_pipe_stopped(struct ingest_pipe *p);

#endif

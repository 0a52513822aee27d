/* SPDX-License-Identifier: MIT */
/*
 * ingest_pipe — `casefile ingest` of many files on two threads (issue 19):
 * the caller's thread walks and stores (ingest_stage), a second thread
 * records (ingest_record) and reports, in the order the files were put.
 *
 * Same rules as the import's pipeline (ingest.h): one staging thread, one
 * recording thread, the whole run one batch (the caller commits it after
 * ingest_pipe_finish()).  The caller's thread parses too (so a file that
 * cannot be parsed is refused alone); the recorder inserts the rows.
 *
 * Output order: the done callback runs on the recording thread, in put
 * order.  Before the caller prints anything itself (a file it refuses), it
 * calls ingest_pipe_drain(), so its lines land where a one-thread run puts
 * them.
 */
#ifndef CASEFILE_INGEST_PIPE_H
#define CASEFILE_INGEST_PIPE_H

#include "casefile/err.h"
#include "casefile/ingest.h"

struct ingest_pipe;

/* Called on the recording thread for each recorded file, in put order. */
typedef void (*ingest_pipe_done_fn)(void *cookie, const char *path,
				    const struct ingest_result *res);

/* Start the recording thread on the batch in.  Free with ingest_pipe_finish(). */
int ingest_pipe_start(struct ingest *in, ingest_pipe_done_fn done, void *cookie,
		      struct ingest_pipe **out, struct cf_err *err);

/*
 * Store the file fd (the caller keeps and closes it) as it and queue it
 * for recording.  -1 with err: CF_EINPUT, this file only could not be
 * stored (the rest goes on); any other code is a hard failure (stop, the
 * batch is to be rolled back), also when the recorder failed earlier.
 */
int ingest_pipe_put(struct ingest_pipe *p, const struct ingest_item *it, int fd,
		    struct cf_err *err);

/* Wait until everything put so far is recorded and reported. */
void ingest_pipe_drain(struct ingest_pipe *p);

/*
 * Record what is queued, stop the thread, free p.  0, or -1 with the
 * recorder's error (the batch is then only fit for ingest_free()).
 * Accepts NULL.
 */
int ingest_pipe_finish(struct ingest_pipe *p, struct cf_err *err);

#endif

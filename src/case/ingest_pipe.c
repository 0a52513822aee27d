/* SPDX-License-Identifier: MIT */
/*
 * ingest_pipe — a source on a staging thread, recording on the caller's
 * (contract in ingest_pipe.h).
 *
 * The two threads talk through one bounded queue (workq.h) of events: a
 * staged file, a message, and the end.  The staging thread only ever
 * writes p->stopped, p->src_rc, p->src_err and p->leftover; the calling
 * thread reads them after joining it.  When recording fails, the calling
 * thread closes the queue: the source's next put or say fails, it
 * returns, and what it staged but was not recorded is discarded with the
 * batch (ingest_discard: its objects go when ingest_free() rolls back).
 *
 * Balance: the staging thread parses a file while the recording side has
 * PARSE_AHEAD or more files queued; otherwise it leaves the parse to the
 * recording side (ingest_record parses after its duplicate check, so a
 * re-run of the same files parses nothing).  The queue is bounded by
 * items and by the bytes the staged items hold.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/ingest_pipe.h"
#include "casefile/workq.h"
#include "casefile/xalloc.h"

#define QUEUE_ITEMS 4096
#define QUEUE_BYTES (24ULL << 20)
#define PARSE_AHEAD 128		/* queued items above which the stager parses */

enum ev_type { EV_ITEM, EV_SAY, EV_END };

struct pipe_event {
	enum ev_type type;
	struct ingest_staged *staged;	/* EV_ITEM */
	char *order_id, *path;		/* EV_ITEM: the item's (one allocation) */
	char *msg;			/* EV_SAY */
	int code;			/* EV_SAY */
	void *tag;
};

struct ingest_pipe {
	struct ingest *in;
	const struct ingest_pipe_hooks *hooks;
	struct workq *q;
	pthread_t thread;
	/* written by the staging thread, read by the caller after the join */
	int stopped;
	int src_rc;
	struct cf_err src_err;
	struct pipe_event *leftover;	/* not queued: the queue was closed */
};

static void
event_free(struct ingest *in, struct pipe_event *e)
{
	if (e == NULL)
		return;
	ingest_discard(in, e->staged);
	free(e->order_id);
	free(e->msg);
	free(e->tag);
	free(e);
}

/* Queue e; 0, or -1 when the recording side has given up (e kept as leftover). */
static int
send_event(struct ingest_pipe *p, struct pipe_event *e, uint64_t cost)
{
	if (p->stopped) {
		event_free(p->in, e);	/* p->leftover is taken */
		return -1;
	}
	if (workq_put(p->q, e, cost) == 0)
		return 0;
	p->stopped = 1;
	p->leftover = e;
	return -1;
}

int
ingest_pipe_stopped(struct ingest_pipe *p)
{
	return p->stopped;
}

int
ingest_pipe_put(struct ingest_pipe *p, const struct ingest_item *it, vault_read_fn fn,
		void *cookie, int fd, void *tag, struct cf_err *err)
{
	struct ingest_staged *s;
	struct pipe_event *e;
	size_t no, np;
	int parse_now;

	if (p->stopped) {
		free(tag);
		return cf_err_set(err, CF_EIO, "the recording stopped");
	}
	parse_now = workq_count(p->q) >= PARSE_AHEAD;
	if (ingest_stage(p->in, it, fn, cookie, fd, parse_now, &s, err) < 0) {
		free(tag);
		return -1;
	}
	e = xcalloc(1, sizeof(*e));
	e->type = EV_ITEM;
	e->staged = s;
	e->tag = tag;
	no = strlen(it->order_id) + 1;
	np = strlen(it->source_path) + 1;
	e->order_id = xmalloc(no + np);
	memcpy(e->order_id, it->order_id, no);
	e->path = memcpy(e->order_id + no, it->source_path, np);
	if (send_event(p, e, ingest_staged_cost(s)) < 0)
		return cf_err_set(err, CF_EIO, "the recording stopped");
	return 0;
}

int
ingest_pipe_say(struct ingest_pipe *p, int code, const char *msg, void *tag)
{
	struct pipe_event *e = xcalloc(1, sizeof(*e));

	e->type = EV_SAY;
	e->code = code;
	e->msg = xstrdup(msg);
	e->tag = tag;
	return send_event(p, e, 0);
}

static void *
stager_main(void *arg)
{
	struct ingest_pipe *p = arg;
	struct pipe_event *end;

	p->src_rc = p->hooks->source(p, p->hooks->cookie, &p->src_err);
	end = xcalloc(1, sizeof(*end));
	end->type = EV_END;
	send_event(p, end, 0);
	return NULL;
}

/* Record the events until the end; 0, or -1 on a failure of recording. */
static int
record_events(struct ingest_pipe *p, unsigned long batch_files, uint64_t batch_bytes,
	      struct cf_err *err)
{
	const struct ingest_pipe_hooks *h = p->hooks;
	unsigned long in_batch = 0;
	uint64_t bytes = 0;
	struct ingest_result res;
	struct pipe_event *e;
	int ret = 0;

	while (ret == 0 && (e = workq_get(p->q))->type != EV_END) {
		if (e->type == EV_SAY) {
			if (h->said)
				h->said(h->cookie, e->code, e->msg, e->tag);
		} else if (ingest_record(p->in, e->staged, &res, err) < 0) {
			char *m = err->msg;

			err->msg = NULL;
			ret = cf_err_set(err, err->code, "order '%s': %s", e->order_id, m);
			free(m);
		} else if (h->recorded(h->cookie, e->order_id, e->path, e->tag, &res, err) < 0) {
			ret = -1;
		} else {
			bytes += res.size;
			if ((batch_files && ++in_batch >= batch_files) ||
			    (batch_bytes && bytes >= batch_bytes)) {
				/* The source goes on meanwhile (ingest.h). */
				if (ingest_checkpoint(p->in, err) < 0)
					ret = -1;
				in_batch = 0;
				bytes = 0;
			}
		}
		e->staged = NULL;	/* recorded, or freed by ingest_record */
		event_free(p->in, e);
	}
	if (ret == 0)
		event_free(p->in, e);	/* EV_END */
	return ret;
}

int
ingest_pipe_run(struct ingest *in, const struct ingest_pipe_hooks *hooks,
		unsigned long batch_files, uint64_t batch_bytes, struct cf_err *err)
{
	struct ingest_pipe p;
	struct pipe_event *e;
	int c, ret;

	memset(&p, 0, sizeof(p));
	p.in = in;
	p.hooks = hooks;
	p.src_err = (struct cf_err)CF_ERR_INIT;
	p.q = workq_new(QUEUE_ITEMS, QUEUE_BYTES);
	if ((c = pthread_create(&p.thread, NULL, stager_main, &p)) != 0) {
		workq_free(p.q);
		errno = c;
		return cf_err_errno(err, CF_EIO, "cannot start the staging thread");
	}
	ret = record_events(&p, batch_files, batch_bytes, err);
	if (ret < 0)
		workq_close(p.q);	/* the source's next put fails: it returns */
	pthread_join(p.thread, NULL);
	while ((e = workq_try_get(p.q)) != NULL)
		event_free(in, e);
	event_free(in, p.leftover);
	workq_free(p.q);
	if (ret == 0 && p.src_rc < 0) {
		*err = p.src_err;	/* hand the message over */
		p.src_err = (struct cf_err)CF_ERR_INIT;
		ret = -1;
	}
	cf_err_release(&p.src_err);
	return ret;
}

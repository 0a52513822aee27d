/* SPDX-License-Identifier: MIT */
/*
 * ingest_pipe — stage on the caller's thread, record on a second one
 * (contract in ingest_pipe.h).  p->err is written by the recorder only
 * and read after it has been joined; p->failed is under mu.
 *
 * A plain mutex-and-condition queue rather than workq: the caller also
 * needs to wait until the queue is empty *and* its last item recorded
 * (ingest_pipe_drain), which workq does not offer.  The queue is bounded
 * by items and by the bytes the staged items hold.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/ingest_pipe.h"
#include "casefile/xalloc.h"

#define PIPE_ITEMS 4096
#define PIPE_BYTES (24ULL << 20)

struct pipe_item {
	struct ingest_staged *staged;
	char *path;
	uint64_t cost;
	struct pipe_item *next;
};

struct ingest_pipe {
	struct ingest *in;
	ingest_pipe_done_fn done;
	void *cookie;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pipe_item *head, *tail;	/* under mu */
	size_t n;
	uint64_t bytes;
	int busy;		/* the recorder holds an item */
	int quit;		/* no more puts */
	int failed;		/* the recorder failed: err says why */
	struct cf_err err;
};

static void *
recorder_main(void *arg)
{
	struct ingest_pipe *p = arg;
	struct ingest_result res;
	struct pipe_item *e;
	int failed;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->head == NULL && !p->quit)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->head == NULL)
			break;
		e = p->head;
		p->head = e->next;
		if (p->head == NULL)
			p->tail = NULL;
		p->n--;
		p->bytes -= e->cost;
		p->busy = 1;
		pthread_cond_broadcast(&p->cv);
		failed = p->failed;
		pthread_mutex_unlock(&p->mu);
		if (failed) {
			ingest_discard(p->in, e->staged);
		} else if (ingest_record(p->in, e->staged, &res, &p->err) < 0) {
			failed = 1;	/* the rest is discarded; the batch rolls back */
		} else if (p->done) {
			p->done(p->cookie, e->path, &res);
		}
		free(e->path);
		free(e);
		pthread_mutex_lock(&p->mu);
		p->failed = failed;
		p->busy = 0;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int
ingest_pipe_start(struct ingest *in, ingest_pipe_done_fn done, void *cookie,
		  struct ingest_pipe **out, struct cf_err *err)
{
	struct ingest_pipe *p = xcalloc(1, sizeof(*p));
	int c;

	p->in = in;
	p->done = done;
	p->cookie = cookie;
	p->err = (struct cf_err)CF_ERR_INIT;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if ((c = pthread_create(&p->thread, NULL, recorder_main, p)) != 0) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		free(p);
		errno = c;
		return cf_err_errno(err, CF_EIO, "cannot start the recording thread");
	}
	*out = p;
	return 0;
}

int
ingest_pipe_put(struct ingest_pipe *p, const struct ingest_item *it, int fd,
		struct cf_err *err)
{
	struct ingest_staged *s;
	struct pipe_item *e;
	int failed;

	pthread_mutex_lock(&p->mu);
	failed = p->failed;
	pthread_mutex_unlock(&p->mu);
	if (failed)
		return cf_err_set(err, CF_EIO, "the recording stopped");
	/*
	 * Parsed here, always: a file that cannot be parsed is then refused
	 * alone, as in a one-thread run, and the recorder only ever fails
	 * for the database or the disk, which ends the whole ingest anyway.
	 */
	if (ingest_stage(p->in, it, NULL, NULL, fd, 1, &s, err) < 0)
		return -1;
	e = xcalloc(1, sizeof(*e));
	e->staged = s;
	e->path = xstrdup(it->source_path);
	e->cost = ingest_staged_cost(s);
	pthread_mutex_lock(&p->mu);
	while ((p->n >= PIPE_ITEMS || (p->n > 0 && p->bytes + e->cost > PIPE_BYTES)) &&
	       !p->failed)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->tail)
		p->tail->next = e;
	else
		p->head = e;
	p->tail = e;
	p->n++;
	p->bytes += e->cost;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

void
ingest_pipe_drain(struct ingest_pipe *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->head != NULL || p->busy)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

int
ingest_pipe_finish(struct ingest_pipe *p, struct cf_err *err)
{
	int ret;

	if (p == NULL)
		return 0;
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	ret = p->failed ? -1 : 0;
	if (p->failed) {
		*err = p->err;	/* hand the message over */
		p->err = (struct cf_err)CF_ERR_INIT;
	}
	cf_err_release(&p->err);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * import — a bundle of many orders through the ingest path (import.h).
 *
 * The import runs as a two-stage pipeline over a bounded queue (workq.h):
 * a reader thread walks the bundle, stores each file in the object store
 * and parses it (ingest_stage); the calling thread records the staged
 * files in the database (ingest_record), reports, and commits.  The reader
 * sends refusals and errors as events, in bundle order, so the reports are
 * the same as a one-thread run.  Commits do not stop the reader: what it
 * stored before a commit and the recording thread had not yet recorded is
 * recorded in the next batch (ingest.h says why that is safe); it only
 * waits while the commit moves from one batch to the next.  On a hard
 * error it is stopped and what it staged is discarded with the batch.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "casefile/bundle.h"
#include "casefile/cftime.h"
#include "casefile/config.h"
#include "casefile/import.h"
#include "casefile/ingest.h"
#include "casefile/order_id.h"
#include "casefile/parse.h"
#include "casefile/vault.h"
#include "casefile/workq.h"
#include "casefile/xalloc.h"

/* Bounds of the queue between the two threads. */
#define QUEUE_ITEMS 4096
#define QUEUE_BYTES (24ULL << 20)
#define PARSE_AHEAD 128		/* queued items above which the reader parses */

/* A small string set: the distinct order ids seen. */
struct strset {
	char **slot;
	size_t cap, n;
};

static uint64_t
str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static void
strset_add(struct strset *set, const char *s)
{
	size_t i;

	if (2 * (set->n + 1) > set->cap) {
		struct strset bigger = { NULL, set->cap ? 2 * set->cap : 1024, 0 };

		bigger.slot = xcalloc(bigger.cap, sizeof(char *));
		for (i = 0; i < set->cap; i++) {
			if (set->slot[i]) {
				size_t j = str_hash(set->slot[i]) & (bigger.cap - 1);

				while (bigger.slot[j])
					j = (j + 1) & (bigger.cap - 1);
				bigger.slot[j] = set->slot[i];
				bigger.n++;
			}
		}
		free(set->slot);
		*set = bigger;
	}
	for (i = str_hash(s) & (set->cap - 1); set->slot[i]; i = (i + 1) & (set->cap - 1))
		if (strcmp(set->slot[i], s) == 0)
			return;
	set->slot[i] = xstrdup(s);
	set->n++;
}

static void
strset_release(struct strset *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++)
		free(set->slot[i]);
	free(set->slot);
	set->slot = NULL;
	set->cap = set->n = 0;
}

enum ev_type { EV_ITEM, EV_REFUSED, EV_BROKEN, EV_HARD, EV_SKIP, EV_END };

struct import_event {
	enum ev_type type;
	struct ingest_staged *staged;	/* EV_ITEM */
	char *order_id;			/* EV_ITEM */
	char *msg;			/* EV_REFUSED, EV_BROKEN, EV_HARD; path of EV_SKIP,
					   EV_ITEM */
	const char *what;		/* EV_SKIP: the kind of junk; EV_ITEM: the
					   name_note, or NULL */
	int dup_path;			/* EV_ITEM: the path came before */
	double progress;		/* bundle_progress() when queued */
};

struct reader {
	struct bundle *b;
	struct ingest *in;
	struct workq *q;
	const char *date, *base;
	char *label;			/* the bundle label, set by the reader */
	struct import_event *leftover;	/* not queued: the queue was closed */
	pthread_t thread;
};

struct import {
	struct vault *v;
	const struct import_opts *opts;
	const struct import_hooks *hooks;
	struct bundle *b;
	struct order_id_rule *rule;
	char *ignore;			/* import.ignore patterns */
	int lockfd;
	double t0;
};

static void
report(const struct import *imp, enum import_report kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
report(const struct import *imp, enum import_report kind, const char *fmt, ...)
{
	va_list ap;
	char *line;

	if (imp->hooks == NULL || imp->hooks->report == NULL)
		return;
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	imp->hooks->report(imp->hooks->cookie, kind, line);
	free(line);
}

int
import_valid_date(const char *s)
{
	int y, m, d;
	char tail;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    s[4] != '-' || s[7] != '-')
		return 0;
	return cftime_valid_date(y, m, d);
}

/* Take VAULT/import.lock into imp->lockfd. */
static int
import_lock(struct import *imp, struct cf_err *err)
{
	char *path = vault_path_new(imp->v, "import.lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		cf_err_errno(err, CF_EIO, "cannot open '%s'", path);
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			cf_err_errno(err, CF_EIO, "cannot lock '%s'", path);
			goto fail;
		}
		if (imp->opts->flags & IMPORT_NO_WAIT) {
			cf_err_set(err, CF_EIO, "another import into vault '%s' is running: "
				   "not waiting (--no-wait)", vault_dir(imp->v));
			goto fail;
		}
		if (imp->hooks && imp->hooks->waiting)
			imp->hooks->waiting(imp->hooks->cookie);
		while (flock(fd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				cf_err_errno(err, CF_EIO, "cannot lock '%s'", path);
				goto fail;
			}
		}
	}
	free(path);
	imp->lockfd = fd;
	return 0;
fail:
	close(fd);
	free(path);
	return -1;
}

int
import_open(struct vault *v, const struct import_opts *opts,
	    const struct import_hooks *hooks, struct import **out, struct cf_err *err)
{
	struct import *imp = xcalloc(1, sizeof(*imp));
	struct bundle_limits lim;

	imp->v = v;
	imp->opts = opts;
	imp->hooks = hooks;
	imp->lockfd = -1;
	*out = NULL;
	if (import_lock(imp, err) < 0)
		goto fail;
	if (config_import_limits(vault_db(v), &lim, err) < 0 ||
	    config_order_rule(vault_db(v), &imp->rule, err) < 0)
		goto fail;
	if (bundle_open(opts->bundle_path, opts->date, &lim, &imp->b, err) < 0) {
		if (err->code == CF_EIO)
			err->code = CF_ENOTFOUND;	/* no such bundle: a usage error */
		goto fail;
	}
	bundle_exclude(imp->b, vault_dir(v));
	imp->ignore = config_import_ignore(vault_db(v));
	bundle_set_ignore(imp->b, imp->ignore);
	bundle_set_order_rule(imp->b, imp->rule);
	imp->t0 = cftime_monotonic();
	*out = imp;
	return 0;
fail:
	import_close(imp);
	return -1;
}

void
import_close(struct import *imp)
{
	if (imp == NULL)
		return;
	bundle_close(imp->b);
	order_id_rule_free(imp->rule);
	free(imp->ignore);
	if (imp->lockfd >= 0)
		close(imp->lockfd);
	free(imp);
}

static const char *
base_name(const char *path)
{
	size_t n = strlen(path);
	const char *s;

	while (n > 1 && path[n - 1] == '/')
		n--;
	for (s = path + n; s > path && s[-1] != '/'; s--)
		;
	return s;
}

static struct import_event *
event_new(enum ev_type type, char *msg, double progress)
{
	struct import_event *e = xcalloc(1, sizeof(*e));

	e->type = type;
	e->msg = msg;
	e->progress = progress;
	return e;
}

static void
event_free(struct ingest *in, struct import_event *e)
{
	if (e == NULL)
		return;
	ingest_discard(in, e->staged);
	free(e->order_id);
	free(e->msg);
	free(e);
}

/* Queue e; 0, or -1 when the consumer has stopped (e is kept as leftover). */
static int
reader_send(struct reader *rd, struct import_event *e, uint64_t cost)
{
	if (workq_put(rd->q, e, cost) == 0)
		return 0;
	rd->leftover = e;
	return -1;
}

/* The event for an entry ingest_stage() failed on. */
static struct import_event *
stage_failure(struct reader *rd, const struct bundle_entry *ent, const struct cf_err *err)
{
	enum bundle_entry_status st = bundle_entry_status(rd->b);
	enum ev_type t;

	if (st == BUNDLE_ENTRY_REFUSED || (st == BUNDLE_ENTRY_OK && err->code == CF_EINPUT))
		t = EV_REFUSED;
	else if (st == BUNDLE_ENTRY_BROKEN)
		t = EV_BROKEN;
	else
		t = EV_HARD;
	return event_new(t, t == EV_HARD ? xasprintf("entry '%s': %s", ent->path, err->msg)
					 : xstrdup(err->msg), -1);
}

static void
item_from_entry(struct ingest_item *it, const struct bundle_entry *ent, const char *label)
{
	memset(it, 0, sizeof(*it));
	it->order_id = ent->order_id;
	it->name = ent->name;
	it->name_raw = ent->name_raw;
	it->source_path = ent->path;
	it->rel_path = ent->rel_path;
	it->mtime = ent->mtime;
	it->kind = -1;	/* content decides; the layout is a hint (parse_classify) */
	it->bundle = label;
}

/* bundle_on_skip(): queue the junk entry for the recording thread to name. */
static void
reader_skip(void *cookie, const char *path, const char *what)
{
	struct reader *rd = cookie;
	struct import_event *e = event_new(EV_SKIP, xstrdup(path), -1);

	e->what = what;
	if (workq_put(rd->q, e, 0) < 0)
		event_free(rd->in, e);	/* the recording thread has stopped */
}

static void *
reader_main(void *arg)
{
	struct reader *rd = arg;
	struct cf_err err = CF_ERR_INIT;
	struct bundle_entry ent;
	struct ingest_item it;
	struct ingest_staged *staged;
	struct import_event *e;
	int n, parse_now;

	for (;;) {
		n = bundle_next(rd->b, &ent, &err);
		if (n == 0)
			break;
		if (n < 0) {
			int broken = err.code != CF_EINPUT;

			e = event_new(broken ? EV_BROKEN : EV_REFUSED, xstrdup(err.msg), -1);
			cf_err_release(&err);
			if (reader_send(rd, e, 0) < 0)
				goto closed;
			if (broken)
				break;
			continue;
		}
		if (rd->label == NULL) {
			/* The bundle's date: --date, else the wrapper folder's. */
			const char *d = rd->date ? rd->date : bundle_wrapper_date(rd->b);

			rd->label = d ? xasprintf("%s %s", d, rd->base) : xstrdup(rd->base);
		}
		item_from_entry(&it, &ent, rd->label);
		/*
		 * Balance: parse here while the recording thread has work queued;
		 * when it is about to run dry, leave the parsing to it.
		 */
		parse_now = workq_count(rd->q) >= PARSE_AHEAD;
		if (ingest_stage(rd->in, &it, bundle_read, rd->b, -1, parse_now, &staged,
				 &err) < 0) {
			e = stage_failure(rd, &ent, &err);
			cf_err_release(&err);
			n = e->type;
			if (reader_send(rd, e, 0) < 0)
				goto closed;
			if (n != EV_REFUSED)
				break;
			continue;
		}
		e = event_new(EV_ITEM, NULL, bundle_progress(rd->b));
		e->staged = staged;
		e->order_id = xstrdup(ent.order_id);
		if (ent.name_note || ent.dup_path) {
			e->msg = xstrdup(ent.path);
			e->what = ent.name_note;
			e->dup_path = ent.dup_path;
		}
		if (reader_send(rd, e, ingest_staged_cost(staged)) < 0)
			goto closed;
	}
	reader_send(rd, event_new(EV_END, NULL, -1), 0);
closed:
	cf_err_release(&err);
	return NULL;
}

static void
on_warning(void *cookie, const struct ingest_item *it, const char *msg, int bad)
{
	struct import *imp = cookie;

	/*
	 * How a text was decoded is information, recorded with the item
	 * (warnings, `casefile show`): reported with IMPORT_VERBOSE only.
	 */
	if (!bad && !(imp->opts->flags & IMPORT_VERBOSE) && strncmp(msg, "text read as ", 13) == 0)
		return;
	report(imp, bad ? IMPORT_ERROR : IMPORT_WARNING, "'%s': entry '%s': %s",
	       imp->opts->bundle_path, it->source_path, msg);
}

/* Stop the reader and free what it staged but was not recorded. */
static void
reader_stop(struct reader *rd, int close_queue)
{
	struct import_event *e;

	if (close_queue)
		workq_close(rd->q);
	pthread_join(rd->thread, NULL);
	while ((e = workq_try_get(rd->q)) != NULL)
		event_free(rd->in, e);
	event_free(rd->in, rd->leftover);
	rd->leftover = NULL;
}

/*
 * The recording side: take the reader's events until the end; 0, or -1
 * on a hard failure (err set).
 */
static int
record_events(struct import *imp, struct reader *rd, struct strset *orders,
	      struct import_summary *sum, struct cf_err *err)
{
	unsigned long batch_files = imp->opts->batch_files ? imp->opts->batch_files
							    : IMPORT_BATCH_FILES;
	unsigned long in_batch = 0;
	uint64_t batch_bytes = 0;
	struct ingest_result res;
	struct import_event *e;
	const char *bp = imp->opts->bundle_path;
	int ret = 0;

	while (ret == 0 && (e = workq_get(rd->q))->type != EV_END) {
		switch (e->type) {
		case EV_BROKEN:
			sum->broken = 1;
			/* fall through */
		case EV_REFUSED:
			report(imp, IMPORT_ERROR, "'%s': %s", bp, e->msg);
			sum->refused++;
			break;
		case EV_HARD:
			ret = cf_err_set(err, CF_EIO, "'%s': %s", bp, e->msg);
			break;
		case EV_SKIP:
			if (imp->hooks && imp->hooks->skipped)
				imp->hooks->skipped(imp->hooks->cookie, e->msg, e->what);
			break;
		case EV_ITEM:
			if (ingest_record(rd->in, e->staged, &res, err) < 0) {
				char *m = err->msg;

				e->staged = NULL;	/* freed by ingest_record */
				err->msg = NULL;
				ret = cf_err_set(err, err->code, "'%s': order '%s': %s", bp,
						 e->order_id, m);
				free(m);
				break;
			}
			e->staged = NULL;
			strset_add(orders, e->order_id);
			sum->orders = orders->n;
			sum->files++;
			sum->bytes += res.size;
			batch_bytes += res.size;
			if (res.duplicate)
				sum->ndup++;
			else
				sum->nnew++;
			if (res.nbad)
				sum->problems++;
			if (e->what)
				report(imp, IMPORT_WARNING, "'%s': entry '%s': %s", bp, e->msg,
				       e->what);
			if (e->dup_path) {
				sum->same_path_twice++;
				report(imp, IMPORT_WARNING, "'%s': entry '%s': the archive holds an "
				       "earlier entry of the same path: both stored (a re-export?)",
				       bp, e->msg);
			}
			if (++in_batch >= batch_files || batch_bytes >= IMPORT_BATCH_BYTES) {
				/* The reader goes on meanwhile (ingest.h). */
				if (ingest_checkpoint(rd->in, err) < 0) {
					ret = -1;
					break;
				}
				in_batch = 0;
				batch_bytes = 0;
			}
			if (imp->hooks && imp->hooks->progress)
				imp->hooks->progress(imp->hooks->cookie, sum, e->progress);
			break;
		case EV_END:
			break;
		}
		event_free(rd->in, e);
	}
	if (ret == 0)
		event_free(rd->in, e);	/* EV_END */
	return ret;
}

int
import_run(struct import *imp, struct import_summary *sum, struct cf_err *err)
{
	struct strset orders = { NULL, 0, 0 };
	struct ingest *in = NULL;
	struct reader rd;
	char *base = NULL;
	int c, ret = -1;

	memset(sum, 0, sizeof(*sum));
	memset(&rd, 0, sizeof(rd));
	if (ingest_begin(imp->v, on_warning, imp, &in, err) < 0)
		goto out;
	ingest_set_who(in, imp->opts->user, imp->opts->host);
	ingest_whole_batch(in);	/* any recording failure stops the import */
	base = xstrdup(base_name(imp->opts->bundle_path));
	rd.b = imp->b;
	rd.in = in;
	rd.date = imp->opts->date;
	rd.base = base;
	rd.q = workq_new(QUEUE_ITEMS, QUEUE_BYTES);
	bundle_on_skip(imp->b, reader_skip, &rd);
	if ((c = pthread_create(&rd.thread, NULL, reader_main, &rd)) != 0) {
		errno = c;
		cf_err_errno(err, CF_EIO, "cannot start the reader thread");
		goto out;
	}
	ret = record_events(imp, &rd, &orders, sum, err);
	/* Stop the reader; what it staged but was not recorded goes with the batch. */
	reader_stop(&rd, ret < 0);
	if (ret == 0)
		ret = ingest_commit(in, err);
	sum->ignored = bundle_ignored(imp->b);
	sum->broken = sum->broken || bundle_incomplete(imp->b);
	sum->seconds = cftime_monotonic() - imp->t0;
out:
	workq_free(rd.q);
	ingest_free(in);
	strset_release(&orders);
	free(rd.label);
	free(base);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * import — a bundle of many orders through the ingest path (import.h).
 *
 * The import is a source of ingest_pipe.h, the pipeline `casefile ingest`
 * uses too: on the staging thread it walks the bundle and puts each entry
 * (ingest_pipe_put: stored, parsed when the recording side has work
 * queued); refusals, broken entries and junk are said in bundle order, so
 * the reports are the same as a one-thread run.  The calling thread
 * records, reports and commits every batch_files files, while the source
 * goes on (ingest.h says why that is safe).  On a hard error the source
 * stops and what it staged is discarded with the batch.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "casefile/db.h"
#include "casefile/import.h"
#include "casefile/ingest.h"
#include "casefile/ingest_pipe.h"
#include "casefile/order_id.h"
#include "casefile/parse.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

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

/* The tag of each put (ingest_pipe.h): what to say once it is recorded. */
struct item_tag {
	const char *name_note;		/* how a name was read, or NULL */
	int dup_path;			/* the path came before */
	double progress;		/* bundle_progress() when put */
};

/* The codes of the pipeline's messages (ingest_pipe_say). */
enum say_code { SAY_REFUSED, SAY_BROKEN, SAY_SKIP };

/* The tag of a SAY_SKIP: the kind of junk (a static string). */
struct skip_tag {
	const char *what;
};

/* One run: the staging side reads these, the recording side those. */
struct run {
	struct import *imp;
	struct ingest_pipe *pipe;	/* staging side, set by the source */
	const char *date, *base;
	char *label;			/* the bundle label, set by the source */
	struct strset orders;		/* recording side */
	struct import_summary *sum;	/* recording side */
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
	/*
	 * One import at a time per folder, except on a vault several processes
	 * write at once (PostgreSQL): there imports overlap (ingest.h,
	 * ingest_begin_shared), from one folder or several.
	 */
	if (!db_shared(vault_db(v)) && import_lock(imp, err) < 0)
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

/* A failure of ingest_stage(): "refused" (this entry), "broken" or hard. */
static int
stage_failure(struct run *run, const struct bundle_entry *ent, struct cf_err *err)
{
	enum bundle_entry_status st = bundle_entry_status(run->imp->b);

	if (ingest_pipe_stopped(run->pipe))
		return -1;
	if (st == BUNDLE_ENTRY_REFUSED || (st == BUNDLE_ENTRY_OK && err->code == CF_EINPUT)) {
		ingest_pipe_say(run->pipe, SAY_REFUSED, err->msg, NULL);
		cf_err_release(err);
		return 0;
	}
	if (st == BUNDLE_ENTRY_BROKEN) {
		ingest_pipe_say(run->pipe, SAY_BROKEN, err->msg, NULL);
		cf_err_release(err);
		return 1;	/* the bundle ends here */
	}
	{
		char *m = err->msg;

		err->msg = NULL;
		cf_err_set(err, CF_EIO, "entry '%s': %s", ent->path, m);
		free(m);
	}
	return -1;
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

/* bundle_on_skip(): say the junk entry, in order with the files. */
static void
on_skip(void *cookie, const char *path, const char *what)
{
	struct run *run = cookie;
	struct skip_tag *t = xmalloc(sizeof(*t));

	t->what = what;
	ingest_pipe_say(run->pipe, SAY_SKIP, path, t);
}

/* The pipeline's source (staging thread): every entry of the bundle. */
static int
bundle_source(struct ingest_pipe *p, void *cookie, struct cf_err *err)
{
	struct run *run = cookie;
	struct bundle *b = run->imp->b;
	struct bundle_entry ent;
	struct ingest_item it;
	int n;

	run->pipe = p;
	bundle_on_skip(b, on_skip, run);
	while ((n = bundle_next(b, &ent, err)) != 0) {
		if (n < 0) {
			int broken = err->code != CF_EINPUT;

			ingest_pipe_say(p, broken ? SAY_BROKEN : SAY_REFUSED, err->msg, NULL);
			cf_err_release(err);
			if (broken || ingest_pipe_stopped(p))
				break;
			continue;
		}
		if (run->label == NULL) {
			/* The bundle's date: --date, else the wrapper folder's. */
			const char *d = run->date ? run->date : bundle_wrapper_date(b);

			run->label = d ? xasprintf("%s %s", d, run->base) : xstrdup(run->base);
		}
		item_from_entry(&it, &ent, run->label);
		{
			struct item_tag *t = xcalloc(1, sizeof(*t));

			t->name_note = ent.name_note;
			t->dup_path = ent.dup_path;
			t->progress = bundle_progress(b);
			if (ingest_pipe_put(p, &it, bundle_read, b, -1, t, err) == 0)
				continue;
		}
		if ((n = stage_failure(run, &ent, err)) != 0)
			return n < 0 ? -1 : 0;
	}
	return 0;
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

/* The pipeline's said hook (calling thread). */
static void
on_said(void *cookie, int code, const char *msg, void *tag)
{
	struct run *run = cookie;
	struct import *imp = run->imp;

	if (code == SAY_SKIP) {
		if (imp->hooks && imp->hooks->skipped)
			imp->hooks->skipped(imp->hooks->cookie, msg,
					    ((const struct skip_tag *)tag)->what);
		return;
	}
	if (code == SAY_BROKEN)
		run->sum->broken = 1;
	report(imp, IMPORT_ERROR, "'%s': %s", imp->opts->bundle_path, msg);
	run->sum->refused++;
}

/* The pipeline's recorded hook (calling thread). */
static int
on_recorded(void *cookie, const char *order_id, const char *path, void *tag,
	    const struct ingest_result *res, struct cf_err *err)
{
	struct run *run = cookie;
	struct import *imp = run->imp;
	struct import_summary *sum = run->sum;
	const struct item_tag *t = tag;
	const char *bp = imp->opts->bundle_path;

	strset_add(&run->orders, order_id);
	sum->orders = run->orders.n;
	sum->files++;
	sum->bytes += res->size;
	if (res->duplicate)
		sum->ndup++;
	else
		sum->nnew++;
	if (res->nbad)
		sum->problems++;
	if (t->name_note)
		report(imp, IMPORT_WARNING, "'%s': entry '%s': %s", bp, path, t->name_note);
	if (t->dup_path) {
		sum->same_path_twice++;
		report(imp, IMPORT_WARNING, "'%s': entry '%s': the archive holds an "
		       "earlier entry of the same path: both stored (a re-export?)", bp, path);
	}
	if (imp->hooks && imp->hooks->progress)
		imp->hooks->progress(imp->hooks->cookie, sum, t->progress);
	(void)err;
	return 0;
}

int
import_run(struct import *imp, struct import_summary *sum, struct cf_err *err)
{
	struct ingest_pipe_hooks hooks;
	struct ingest *in = NULL;
	struct run run;
	char *base = NULL;
	int ret = -1;

	memset(sum, 0, sizeof(*sum));
	memset(&run, 0, sizeof(run));
	if (ingest_begin_shared(imp->v, on_warning, imp, &in, err) < 0)
		goto out;
	ingest_set_who(in, imp->opts->user, imp->opts->host);
	ingest_whole_batch(in);	/* any recording failure stops the import */
	base = xstrdup(base_name(imp->opts->bundle_path));
	run.imp = imp;
	run.date = imp->opts->date;
	run.base = base;
	run.sum = sum;
	hooks.source = bundle_source;
	hooks.recorded = on_recorded;
	hooks.said = on_said;
	hooks.cookie = &run;
	if (ingest_pipe_run(in, &hooks, imp->opts->batch_files ? imp->opts->batch_files
							    : IMPORT_BATCH_FILES,
			    IMPORT_BATCH_BYTES, err) < 0) {
		char *m = err->msg;

		/* what was staged but not recorded went with the batch */
		err->msg = NULL;
		cf_err_set(err, err->code, "'%s': %s", imp->opts->bundle_path, m);
		free(m);
	} else {
		ret = ingest_commit(in, err);
	}
	sum->ignored = bundle_ignored(imp->b);
	sum->broken = sum->broken || bundle_incomplete(imp->b);
	sum->seconds = cftime_monotonic() - imp->t0;
out:
	ingest_free(in);
	strset_release(&run.orders);
	free(run.label);
	free(base);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * cmd_import — `casefile import BUNDLE [--date YYYY-MM-DD] [--no-wait]`:
 * store a daily export bundle (folder or archive) through the ingest path.
 *
 * Concurrency: one import at a time per vault, serialised by flock(2) on
 * VAULT/import.lock (the second waits; with --no-wait it fails at once with
 * exit 5, "the system could not do it now").  The ingest batch itself is an
 * IMMEDIATE transaction, so `casefile ingest` running beside an import
 * waits for the database, never corrupts it.
 *
 * Crash safety: the batch is committed (objects synced first) every
 * IMPORT_BATCH_FILES files or IMPORT_BATCH_BYTES bytes.  A killed import
 * keeps what was committed; running it again stores only the rest, because
 * ingest reports the committed files as duplicates.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/bundle.h"
#include "casefile/cftime.h"
#include "casefile/commands.h"
#include "casefile/config.h"
#include "casefile/ingest.h"
#include "casefile/order_id.h"
#include "casefile/parse.h"
#include "casefile/vault.h"
#include "casefile/workq.h"
#include "casefile/xalloc.h"

#define IMPORT_BATCH_FILES 5000
#define IMPORT_BATCH_BYTES (1ULL << 30)

/* Bounds of the queue between the two threads (see run_import). */
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

/* Junk skipped, per kind (bundle_on_skip's `what`, compared by pointer). */
#define JUNK_KINDS 8
struct junk_count {
	const char *what;
	unsigned long n;
};

struct import_run {
	struct cf_ctx *ctx;
	const char *bundle_path;
	int verbose;		/* --verbose: name each junk entry skipped */
	struct junk_count junk[JUNK_KINDS];
	struct cf_buf junk_json;	/* --json: the junk entries, as a list */
	unsigned long dup_paths;	/* entries whose path came twice */
	struct strset orders;
	unsigned long files, nnew, ndup, refused, problems;
	uint64_t bytes;
	double t0, last_draw;
	int progress;		/* draw a progress line */
	int drawn;		/* a progress line is on screen */
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
progress_clear(struct import_run *r)
{
	if (r->drawn) {
		fputs("\r\033[K", stderr);
		r->drawn = 0;
	}
}

static void
progress_draw(struct import_run *r, double frac, int force)
{
	double t = now_s(), el = t - r->t0;
	char bar[21];
	int i, fill;

	if (!r->progress || (!force && t - r->last_draw < 0.1))
		return;
	r->last_draw = t;
	fill = frac < 0 ? 0 : (int)(frac * 20 + 0.5);
	for (i = 0; i < 20; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[20] = '\0';
	fprintf(stderr, "\r\033[Kimport [%s] %lu files (%lu new, %lu duplicate, %lu refused), "
		"%.1f MB, %.0f files/s", frac < 0 ? "????????????????????" : bar, r->files,
		r->nnew, r->ndup, r->refused, (double)r->bytes / 1e6,
		el > 0 ? (double)r->files / el : 0.0);
	r->drawn = 1;
}

static void
on_warning(void *cookie, const struct ingest_item *it, const char *msg, int bad)
{
	struct import_run *r = cookie;

	progress_clear(r);
	if (bad)
		ctx_error(r->ctx, "'%s': entry '%s': %s", r->bundle_path, it->source_path, msg);
	else
		ctx_warn(r->ctx, "'%s': entry '%s': %s", r->bundle_path, it->source_path, msg);
}

static void
refuse(struct import_run *r, const char *msg)
{
	progress_clear(r);
	ctx_error(r->ctx, "'%s': %s", r->bundle_path, msg);
	r->refused++;
}

/* A junk entry was skipped: count it, name it (--verbose, --json). */
static void
skipped(struct import_run *r, const char *path, const char *what)
{
	size_t i;

	for (i = 0; i < JUNK_KINDS && r->junk[i].what && r->junk[i].what != what; i++)
		;
	if (i == JUNK_KINDS)
		CF_BUG("more than %d kinds of junk", JUNK_KINDS);
	r->junk[i].what = what;
	r->junk[i].n++;
	if (r->verbose) {
		progress_clear(r);
		ctx_warn(r->ctx, "'%s': entry '%s': skipped: %s", r->bundle_path, path, what);
	}
	if (r->ctx->json) {
		if (r->junk_json.len)
			cf_buf_addch(&r->junk_json, ',');
		cf_buf_addstr(&r->junk_json, "{\"path\":");
		cf_buf_add_json_str(&r->junk_json, path, strlen(path));
		cf_buf_addstr(&r->junk_json, ",\"why\":");
		cf_buf_add_json_str(&r->junk_json, what, strlen(what));
		cf_buf_addch(&r->junk_json, '}');
	}
}

/* One line per kind of junk skipped (unless --verbose named each). */
static void
junk_summary(struct import_run *r)
{
	size_t i;

	for (i = 0; i < JUNK_KINDS && r->junk[i].what; i++)
		if (!r->verbose)
			ctx_warn(r->ctx, "'%s': skipped %lu %s entr%s: %s (--verbose names each)",
				 r->bundle_path, r->junk[i].n, "junk",
				 r->junk[i].n == 1 ? "y" : "ies", r->junk[i].what);
}

static int
valid_date(const char *s)
{
	int y, m, d;
	char tail;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 ||
	    s[4] != '-' || s[7] != '-')
		return 0;
	return cftime_valid_date(y, m, d);
}

/* Take VAULT/import.lock; 0 on success, -1 after printing why. */
static int
import_lock(struct cf_ctx *ctx, int nowait, int *fd_out)
{
	char *path = vault_path_new(ctx->vault, "import.lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		ctx_error(ctx, "cannot open '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK) {
			ctx_error(ctx, "cannot lock '%s': %s", path, strerror(errno));
			goto fail;
		}
		if (nowait) {
			ctx_error(ctx, "another import into vault '%s' is running: "
				  "not waiting (--no-wait)", ctx->vault_dir);
			goto fail;
		}
		if (ctx->tty && !ctx->quiet)
			fprintf(stderr, "casefile: waiting for another import into vault '%s' "
				"to finish\n", ctx->vault_dir);
		while (flock(fd, LOCK_EX) < 0) {
			if (errno != EINTR) {
				ctx_error(ctx, "cannot lock '%s': %s", path, strerror(errno));
				goto fail;
			}
		}
	}
	free(path);
	*fd_out = fd;
	return 0;
fail:
	close(fd);
	free(path);
	return -1;
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

/*
 * The import runs as a two-stage pipeline over a bounded queue (workq.h):
 * a reader thread walks the bundle, stores each file in the object store
 * and parses it (ingest_stage); this thread records the staged files in
 * the database (ingest_record), prints, and commits.  The reader reports
 * refusals and errors as events, in bundle order, so the output is the
 * same as a one-thread run.  Commits do not stop the reader: what it
 * stored before a commit and this thread had not yet recorded is recorded
 * in the next batch (ingest.h says why that is safe); it only waits while
 * the commit moves from one batch to the next.  On a hard error it is
 * stopped and what it staged is discarded with the batch.
 */
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
		memset(&it, 0, sizeof(it));
		it.order_id = ent.order_id;
		it.name = ent.name;
		it.name_raw = ent.name_raw;
		it.source_path = ent.path;
		it.rel_path = ent.rel_path;
		it.mtime = ent.mtime;
		it.kind = -1;	/* content decides; the layout is a hint (parse_classify) */
		it.bundle = rd->label;
		/*
		 * Balance: parse here while the recording thread has work queued;
		 * when it is about to run dry, leave the parsing to it.
		 */
		parse_now = workq_count(rd->q) >= PARSE_AHEAD;
		if (ingest_stage(rd->in, &it, bundle_read, rd->b, -1, parse_now, &staged,
				 &err) < 0) {
			enum bundle_entry_status st = bundle_entry_status(rd->b);
			enum ev_type t;

			if (st == BUNDLE_ENTRY_REFUSED || (st == BUNDLE_ENTRY_OK &&
							   err.code == CF_EINPUT))
				t = EV_REFUSED;
			else if (st == BUNDLE_ENTRY_BROKEN)
				t = EV_BROKEN;
			else
				t = EV_HARD;
			e = event_new(t, t == EV_HARD ? xasprintf("entry '%s': %s", ent.path, err.msg)
						      : xstrdup(err.msg), -1);
			cf_err_release(&err);
			if (reader_send(rd, e, 0) < 0)
				goto closed;
			if (t != EV_REFUSED)
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

static enum cf_exit
run_import(int argc, char **argv, struct cf_ctx *ctx)
{
	enum { OPT_DATE = CTX_OPT_BASE + 200, OPT_FOLLOW, OPT_VERBOSE };
	static const struct option opts[] = {
		CTX_COMMON_OPTIONS,
		{ "date", 1, NULL, OPT_DATE },	/* --no-wait: a common option */
		{ "follow-links", 0, NULL, OPT_FOLLOW },
		{ "verbose", 0, NULL, OPT_VERBOSE },
		{ 0 },
	};
	struct import_run r;
	struct cf_err err = CF_ERR_INIT;
	struct bundle_limits lim;
	struct bundle *b = NULL;
	struct ingest *in = NULL;
	struct order_id_rule *rule = NULL;
	struct ingest_result res;
	struct reader rd;
	struct import_event *e;
	const char *date = NULL, *env;
	char *base = NULL;
	enum cf_exit rc = CF_EXIT_OK;
	unsigned long batch_files = IMPORT_BATCH_FILES, in_batch = 0;
	uint64_t batch_bytes = 0;
	int c, follow = 0, lockfd = -1, broken = 0, hard = 0, reading = 0, complete;
	double secs;

	memset(&r, 0, sizeof(r));
	memset(&rd, 0, sizeof(rd));
	r.ctx = ctx;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DATE:
			if (date)
				return ctx_usage(ctx, "--date given twice");
			if (!valid_date(optarg))
				return ctx_usage(ctx, "bad date '%s': use YYYY-MM-DD", optarg);
			date = optarg;
			break;
		case OPT_FOLLOW:
			follow = 1;
			break;
		case OPT_VERBOSE:
			r.verbose = 1;
			break;
		case '?':
			return ctx_usage(ctx, "unknown option '%s'", argv[optind - 1]);
		default:
			switch (ctx_common_opt(ctx, c, optarg)) {
			case 2:
				return CF_EXIT_OK;
			case -1:
				return CF_EXIT_USAGE;
			}
		}
	}
	if (argc - optind != 1)
		return ctx_usage(ctx, argc - optind < 1 ? "import needs a bundle (folder or archive)"
							: "import takes one bundle");
	r.bundle_path = argv[optind];
	if (!follow && ctx_refuse_link(ctx, r.bundle_path))
		return CF_EXIT_INPUT;	/* as ingest does with a FILE that is a link */
	if ((env = getenv("CASEFILE_IMPORT_BATCH")) != NULL && atol(env) > 0)
		batch_files = (unsigned long)atol(env);
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (import_lock(ctx, ctx->no_wait, &lockfd) < 0)
		return CF_EXIT_INTERNAL;
	if (config_import_limits(vault_db(ctx->vault), &lim, &err) < 0 ||
	    config_order_rule(vault_db(ctx->vault), &rule, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	if (bundle_open(r.bundle_path, date, &lim, &b, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		if (rc == CF_EXIT_INTERNAL && err.code == CF_EIO)
			rc = CF_EXIT_USAGE;	/* no such bundle */
		goto out;
	}
	bundle_exclude(b, vault_dir(ctx->vault));
	bundle_set_order_rule(b, rule);
	if (ingest_begin(ctx->vault, on_warning, &r, &in, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	ingest_set_who(in, ctx->user, ctx->host);
	ingest_whole_batch(in);	/* any recording failure stops the import */
	base = xstrdup(base_name(r.bundle_path));
	r.progress = ctx->tty && !ctx->quiet;
	r.t0 = now_s();
	rd.b = b;
	rd.in = in;
	rd.date = date;
	rd.base = base;
	rd.q = workq_new(QUEUE_ITEMS, QUEUE_BYTES);
	bundle_on_skip(b, reader_skip, &rd);
	if ((c = pthread_create(&rd.thread, NULL, reader_main, &rd)) != 0) {
		ctx_error(ctx, "cannot start the reader thread: %s", strerror(c));
		rc = CF_EXIT_INTERNAL;
		goto out;
	}
	reading = 1;
	while (!hard) {
		e = workq_get(rd.q);
		if (e->type == EV_END) {
			event_free(in, e);
			break;
		}
		switch (e->type) {
		case EV_REFUSED:
			refuse(&r, e->msg);
			break;
		case EV_BROKEN:
			refuse(&r, e->msg);
			broken = 1;
			break;
		case EV_HARD:
			progress_clear(&r);
			ctx_error(ctx, "'%s': %s", r.bundle_path, e->msg);
			hard = 1;
			break;
		case EV_SKIP:
			skipped(&r, e->msg, e->what);
			break;
		case EV_ITEM:
			if (ingest_record(in, e->staged, &res, &err) < 0) {
				e->staged = NULL;	/* freed by ingest_record */
				progress_clear(&r);
				ctx_error(ctx, "'%s': order '%s': %s", r.bundle_path, e->order_id,
					  err.msg);
				hard = 1;
				break;
			}
			e->staged = NULL;
			strset_add(&r.orders, e->order_id);
			r.files++;
			r.bytes += res.size;
			batch_bytes += res.size;
			if (res.duplicate)
				r.ndup++;
			else
				r.nnew++;
			if (res.nbad)
				r.problems++;
			if (e->what) {
				progress_clear(&r);
				ctx_warn(ctx, "'%s': entry '%s': %s", r.bundle_path, e->msg,
					 e->what);
			}
			if (e->dup_path) {
				progress_clear(&r);
				r.dup_paths++;
				ctx_warn(ctx, "'%s': entry '%s': the archive holds an earlier "
					 "entry of the same path: both stored (a re-export?)",
					 r.bundle_path, e->msg);
			}
			if (++in_batch >= batch_files || batch_bytes >= IMPORT_BATCH_BYTES) {
				/* The reader goes on meanwhile (ingest.h). */
				if (ingest_checkpoint(in, &err) < 0) {
					progress_clear(&r);
					ctx_error(ctx, "%s", err.msg);
					hard = 1;
					break;
				}
				in_batch = 0;
				batch_bytes = 0;
			}
			progress_draw(&r, e->progress, 0);
			break;
		case EV_END:
			break;
		}
		event_free(in, e);
	}
	/* Stop the reader; what it staged but we did not record goes with the batch. */
	if (hard)
		workq_close(rd.q);
	pthread_join(rd.thread, NULL);
	reading = 0;
	while ((e = workq_try_get(rd.q)) != NULL)
		event_free(in, e);
	event_free(in, rd.leftover);
	rd.leftover = NULL;
	if (!hard && ingest_commit(in, &err) < 0) {
		progress_clear(&r);
		ctx_error(ctx, "%s", err.msg);
		hard = 1;
	}
	progress_clear(&r);
	if (hard) {
		ctx_error(ctx, "import of '%s' stopped: the files since the last checkpoint "
			  "were rolled back; run it again to complete it", r.bundle_path);
		rc = CF_EXIT_INTERNAL;
		goto out;
	}
	secs = now_s() - r.t0;
	complete = !broken && !bundle_incomplete(b);
	if (ctx->json) {
		struct cf_buf j = CF_BUF_INIT;

		cf_buf_addstr(&j, "{\"bundle\":");
		cf_buf_add_json_str(&j, r.bundle_path, strlen(r.bundle_path));
		cf_buf_addf(&j, ",\"orders\":%zu,\"files\":%lu,\"new\":%lu,\"duplicate\":%lu,"
			    "\"refused\":%lu,\"with_problems\":%lu,\"ignored\":%lu,"
			    "\"bytes\":%llu,\"seconds\":%.3f,\"complete\":%s,"
			    "\"same_path_twice\":%lu,\"skipped\":[%s]}",
			    r.orders.n, r.files, r.nnew, r.ndup, r.refused, r.problems,
			    bundle_ignored(b), (unsigned long long)r.bytes, secs,
			    complete ? "true" : "false", r.dup_paths,
			    r.junk_json.data ? r.junk_json.data : "");
		printf("%s\n", j.data);
		cf_buf_release(&j);
	} else {
		ctx_info(ctx, "import '%s': %zu orders, %lu files, %lu new, %lu duplicate, "
			 "%lu refused, %llu bytes, %.2f s (%.0f files/s)%s",
			 r.bundle_path, r.orders.n, r.files, r.nnew, r.ndup, r.refused,
			 (unsigned long long)r.bytes, secs, secs > 0 ? (double)r.files / secs : 0.0,
			 r.nnew == 0 && r.files > 0 ? "; nothing new: already imported" : "");
	}
	junk_summary(&r);
	if (!complete)
		ctx_error(ctx, "'%s': only part of the bundle could be read (see above)",
			  r.bundle_path);
	if (r.refused || r.problems || !complete) {
		ctx->bad_items += (unsigned)(r.refused + r.problems);
		rc = CF_EXIT_INPUT;
	}
out:
	if (reading) {
		workq_close(rd.q);
		pthread_join(rd.thread, NULL);
		while ((e = workq_try_get(rd.q)) != NULL)
			event_free(in, e);
		event_free(in, rd.leftover);
	}
	workq_free(rd.q);
	ingest_free(in);
	bundle_close(b);
	order_id_rule_free(rule);
	cf_buf_release(&r.junk_json);
	strset_release(&r.orders);
	if (lockfd >= 0)
		close(lockfd);
	cf_err_release(&err);
	free(rd.label);
	free(base);
	return rc;
}

const struct cmd cmd_import = {
	.name = "import",
	.usage = "casefile import [--date YYYY-MM-DD] [--no-wait] [--follow-links] [--verbose] [--json] [--quiet] "
		 "BUNDLE",
	.summary = "store a daily export bundle (folder, zip, tar.*, 7z) of many orders",
	.help = "BUNDLE is a folder or a zip / tar / tar.gz / tar.bz2 / tar.xz / tar.zst /\n"
		"7z archive, read as a stream (never unpacked to disk):\n"
		"  [orders-YYYY-MM-DD/]<order id>/{order.json,chat.*,logistics.*,\n"
		"                                  photos/,videos/,receipts/,...}\n"
		"Every file goes through the same path as 'casefile ingest': the kind comes\n"
		"from the content, the folder and name are only a hint.  Only folders whose\n"
		"name matches order.id_pattern (default: 6 to 32 digits) are orders.\n"
		"Importing the same bundle again stores nothing new and says so; a changed\n"
		"file in a re-exported order is stored as a new version beside the old one.\n"
		"\n"
		"Refused, one line each, while the rest is imported (exit 3): paths\n"
		"escaping the bundle (../, absolute), links, devices, FIFOs, names with\n"
		"control characters, encrypted entries, entries over import.max_entry_size\n"
		"or expanding more than import.max_ratio times (compression bombs), files\n"
		"directly under the root or in a folder that is not an order id.  A damaged\n"
		"or truncated archive imports every complete entry and says where reading\n"
		"stopped (exit 3, \"complete\": false), also for a zip without its central\n"
		"directory.  Kept, with a warning: names that are not UTF-8 (a zip name\n"
		"without the UTF-8 flag is read as GB18030 when it decodes cleanly, others\n"
		"are shown with \\xNN escapes; the original bytes are kept), and two entries\n"
		"of one path.  Skipped and named, one line per kind (exit 0): .DS_Store,\n"
		"__MACOSX/, ._* AppleDouble files, Thumbs.db, desktop.ini.\n"
		"Limits and order.id_pattern: see 'casefile config --help'.\n"
		"\n"
		"Work is committed every few thousand files: an import that is killed keeps\n"
		"what it committed, and running it again completes it.  One import runs at a\n"
		"time per vault: a second one waits for the first.\n"
		"\n"
		"options:\n"
		"  --date D     the day the bundle covers (YYYY-MM-DD); default: from a\n"
		"               wrapper folder orders-YYYY-MM-DD/.  Recorded with each file\n"
		"               (used by 'casefile export --date D')\n"
		"  --no-wait    if another import into the vault is running, or another\n"
		"               command is writing to it, fail at once (exit 5) instead\n"
		"               of waiting\n"
		"  --follow-links  import what BUNDLE points to when it is a symbolic link\n"
		"               (refused otherwise, exit 3, like a link given to ingest)\n"
		"  --verbose    name each junk entry skipped\n"
		"  --json       print the summary as one JSON object (skipped junk listed)\n"
		"  --quiet      print nothing but errors (for cron)\n"
		"\nexample (cron):\n"
		"  casefile import --quiet /srv/exports/orders-$(date -d yesterday +%F).zip\n",
	.flags = CMD_NEEDS_VAULT | CMD_WRITES,
	.run = run_import,
};

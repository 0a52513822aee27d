/* SPDX-License-Identifier: MIT */
/*
 * cmd_import — `casefile import BUNDLE [--date YYYY-MM-DD] [--no-wait]`:
 * options, progress and the summary around the import service (import.h),
 * which holds the pipeline, the batching policy and the lock.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casefile/buf.h"
#include "casefile/commands.h"
#include "casefile/import.h"
#include "casefile/vault.h"

struct import_view {
	struct cf_ctx *ctx;
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
progress_clear(struct import_view *r)
{
	if (r->drawn) {
		fputs("\r\033[K", stderr);
		r->drawn = 0;
	}
}

static void
on_progress(void *cookie, const struct import_summary *s, double frac)
{
	struct import_view *r = cookie;
	double t = now_s(), el = t - r->t0;
	char bar[21];
	int i, fill;

	if (!r->progress || t - r->last_draw < 0.1)
		return;
	r->last_draw = t;
	fill = frac < 0 ? 0 : (int)(frac * 20 + 0.5);
	for (i = 0; i < 20; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[20] = '\0';
	fprintf(stderr, "\r\033[Kimport [%s] %lu files (%lu new, %lu duplicate, %lu refused), "
		"%.1f MB, %.0f files/s", frac < 0 ? "????????????????????" : bar, s->files,
		s->nnew, s->ndup, s->refused, (double)s->bytes / 1e6,
		el > 0 ? (double)s->files / el : 0.0);
	r->drawn = 1;
}

static void
on_report(void *cookie, enum import_report kind, const char *line)
{
	struct import_view *r = cookie;

	progress_clear(r);
	if (kind == IMPORT_ERROR)
		ctx_error(r->ctx, "%s", line);
	else
		ctx_warn(r->ctx, "%s", line);
}

static void
on_waiting(void *cookie)
{
	struct import_view *r = cookie;

	if (r->ctx->tty && !r->ctx->quiet)
		fprintf(stderr, "casefile: waiting for another import into vault '%s' "
			"to finish\n", r->ctx->vault_dir);
}

static void
print_summary(struct cf_ctx *ctx, const char *path, const struct import_summary *s)
{
	if (ctx->json) {
		struct cf_buf j = CF_BUF_INIT;

		cf_buf_addstr(&j, "{\"bundle\":");
		cf_buf_add_json_str(&j, path, strlen(path));
		cf_buf_addf(&j, ",\"orders\":%zu,\"files\":%lu,\"new\":%lu,\"duplicate\":%lu,"
			    "\"refused\":%lu,\"with_problems\":%lu,\"ignored\":%lu,"
			    "\"bytes\":%llu,\"seconds\":%.3f,\"complete\":%s}",
			    s->orders, s->files, s->nnew, s->ndup, s->refused, s->problems,
			    s->ignored, (unsigned long long)s->bytes, s->seconds,
			    s->broken ? "false" : "true");
		printf("%s\n", j.data);
		cf_buf_release(&j);
	} else {
		ctx_info(ctx, "import '%s': %zu orders, %lu files, %lu new, %lu duplicate, "
			 "%lu refused, %llu bytes, %.2f s (%.0f files/s)%s",
			 path, s->orders, s->files, s->nnew, s->ndup, s->refused,
			 (unsigned long long)s->bytes, s->seconds,
			 s->seconds > 0 ? (double)s->files / s->seconds : 0.0,
			 s->nnew == 0 && s->files > 0 ? "; nothing new: already imported" : "");
	}
}

static enum cf_exit
run_import(int argc, char **argv, struct cf_ctx *ctx)
{
	enum { OPT_DATE = CTX_OPT_BASE + 200, OPT_FOLLOW };
	static const struct option opts[] = {
		CTX_COMMON_OPTIONS,
		{ "date", 1, NULL, OPT_DATE },	/* --no-wait: a common option */
		{ "follow-links", 0, NULL, OPT_FOLLOW },
		{ 0 },
	};
	struct import_view view;
	struct import_opts io;
	struct import_hooks hooks = { on_report, on_progress, on_waiting, &view };
	struct import_summary sum;
	struct import *imp = NULL;
	struct cf_err err = CF_ERR_INIT;
	const char *env;
	enum cf_exit rc = CF_EXIT_OK;
	int c, follow = 0;

	memset(&view, 0, sizeof(view));
	memset(&io, 0, sizeof(io));
	view.ctx = ctx;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DATE:
			if (io.date)
				return ctx_usage(ctx, "--date given twice");
			if (!import_valid_date(optarg))
				return ctx_usage(ctx, "bad date '%s': use YYYY-MM-DD", optarg);
			io.date = optarg;
			break;
		case OPT_FOLLOW:
			follow = 1;
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
	io.bundle_path = argv[optind];
	if (!follow && ctx_refuse_link(ctx, io.bundle_path))
		return CF_EXIT_INPUT;	/* as ingest does with a FILE that is a link */
	if ((env = getenv("CASEFILE_IMPORT_BATCH")) != NULL && atol(env) > 0)
		io.batch_files = (unsigned long)atol(env);
	if (ctx->no_wait)
		io.flags |= IMPORT_NO_WAIT;
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (import_open(ctx->vault, &io, &hooks, &imp, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	view.progress = ctx->tty && !ctx->quiet;
	view.t0 = now_s();
	if (import_run(imp, &sum, &err) < 0) {
		progress_clear(&view);
		ctx_error(ctx, "%s", err.msg);
		ctx_error(ctx, "import of '%s' stopped: the files since the last checkpoint "
			  "were rolled back; run it again to complete it", io.bundle_path);
		rc = CF_EXIT_INTERNAL;
		goto out;
	}
	progress_clear(&view);
	print_summary(ctx, io.bundle_path, &sum);
	if (sum.broken)
		ctx_error(ctx, "'%s': only part of the bundle could be read (see above)",
			  io.bundle_path);
	if (sum.refused || sum.problems || sum.broken) {
		ctx->bad_items += (unsigned)(sum.refused + sum.problems);
		rc = CF_EXIT_INPUT;
	}
out:
	import_close(imp);
	cf_err_release(&err);
	return rc;
}

const struct cmd cmd_import = {
	.name = "import",
	.usage = "casefile import [--date YYYY-MM-DD] [--no-wait] [--follow-links] [--json] [--quiet] "
		 "BUNDLE",
	.summary = "store a daily export bundle (folder, zip, tar.*, 7z) of many orders",
	.help = "BUNDLE is a folder or a zip / tar / tar.gz / tar.bz2 / tar.xz / tar.zst /\n"
		"7z archive, read as a stream (never unpacked to disk):\n"
		"  [orders-YYYY-MM-DD/]<order id>/{order.json,chat.*,logistics.*,\n"
		"                                  photos/,videos/,receipts/,...}\n"
		"Every file goes through the same path as 'casefile ingest'.  Importing the\n"
		"same bundle again stores nothing new and says so; a changed file in a\n"
		"re-exported order is stored as a new version beside the old one.\n"
		"\n"
		"Refused, one line each, while the rest is imported (exit 3): paths\n"
		"escaping the bundle (../, absolute), links, devices, FIFOs, names that are\n"
		"not UTF-8 or hold control characters, entries over import.max_entry_size\n"
		"or expanding more than import.max_ratio times (compression bombs), files\n"
		"directly under the root or in a folder that is not an order id.  A damaged\n"
		"archive imports what can be read and says where reading stopped (exit 3).\n"
		"Limits: see 'casefile config --help'.\n"
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
		"  --json       print the summary as one JSON object\n"
		"  --quiet      print nothing but errors (for cron)\n"
		"\nexample (cron):\n"
		"  casefile import --quiet /srv/exports/orders-$(date -d yesterday +%F).zip\n",
	.flags = CMD_NEEDS_VAULT | CMD_WRITES,
	.run = run_import,
};

/* SPDX-License-Identifier: MIT */
/*
 * cmd_import — `casefile import BUNDLE [--date YYYY-MM-DD] [--no-wait]`:
 * options, progress and the summary around the import service (import.h),
 * which holds the pipeline, the batching policy and the lock.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "casefile/cftime.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/import.h"
#include "casefile/jout.h"
#include "casefile/vault.h"

/* Junk skipped, per kind (import_hooks.skipped's `what`, compared by pointer). */
#define JUNK_KINDS (8 + 1)
struct junk_count {
	const char *what;
	unsigned long n;
};

struct import_view {
	struct cf_ctx *ctx;
	const char *bundle_path;
	int verbose;		/* --verbose: name each junk entry skipped */
	struct junk_count junk[JUNK_KINDS];
	json_t *junk_json;	/* --json: the junk entries, as a list */
	double t0, last_draw;
	int progress;		/* draw a progress line */
	int drawn;		/* a progress line is on screen */
};

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
	double t = cftime_monotonic(), el = t - r->t0;
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

/* A junk entry was skipped: count it, name it (--verbose, --json). */
static void
on_skipped(void *cookie, const char *path, const char *what)
{
	struct import_view *r = cookie;
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
	if (r->ctx->json)
		json_array_append_new(r->junk_json, json_pack("{s:o,s:o}", "path", jout_str(path),
							      "why", jout_str(what)));
}

/* One line per kind of junk skipped (unless --verbose named each). */
static void
junk_summary(struct import_view *r)
{
	size_t i;

	for (i = 0; i < JUNK_KINDS && r->junk[i].what; i++)
		if (strcmp(r->junk[i].what, IMPORT_IGNORED) == 0)
			/* asked for: not a warning, so a normal night stays quiet */
			ctx_info(r->ctx, "'%s': skipped %lu entr%s matching import.ignore",
				 r->bundle_path, r->junk[i].n, r->junk[i].n == 1 ? "y" : "ies");
		else if (!r->verbose)
			ctx_warn(r->ctx, "'%s': skipped %lu %s entr%s: %s (--verbose names each)",
				 r->bundle_path, r->junk[i].n, "junk",
				 r->junk[i].n == 1 ? "y" : "ies", r->junk[i].what);
}

static void
print_summary(struct cf_ctx *ctx, struct import_view *r, const struct import_summary *s)
{
	if (ctx->json) {
		jout_print(json_pack("{s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:b,s:I,s:O}",
				     "bundle", jout_str(r->bundle_path),
				     "orders", (json_int_t)s->orders, "files", (json_int_t)s->files,
				     "new", (json_int_t)s->nnew, "duplicate", (json_int_t)s->ndup,
				     "refused", (json_int_t)s->refused,
				     "with_problems", (json_int_t)s->problems,
				     "ignored", (json_int_t)s->ignored, "bytes", (json_int_t)s->bytes,
				     "seconds", jout_real(s->seconds, 3), "complete", !s->broken,
				     "same_path_twice", (json_int_t)s->same_path_twice,
				     "skipped", r->junk_json));
	} else {
		ctx_info(ctx, "import '%s': %zu orders, %lu files, %lu new, %lu duplicate, "
			 "%lu refused, %llu bytes, %.2f s (%.0f files/s)%s",
			 r->bundle_path, s->orders, s->files, s->nnew, s->ndup, s->refused,
			 (unsigned long long)s->bytes, s->seconds,
			 s->seconds > 0 ? (double)s->files / s->seconds : 0.0,
			 s->nnew == 0 && s->files > 0 ? "; nothing new: already imported" : "");
	}
}

static enum cf_exit
run_import(int argc, char **argv, struct cf_ctx *ctx)
{
	struct import_view view;
	struct import_opts io;
	struct import_hooks hooks = { on_report, on_progress, on_waiting, on_skipped, &view };
	struct import_summary sum;
	struct import *imp = NULL;
	struct cf_err err = CF_ERR_INIT;
	const char *env;
	enum cf_exit rc = CF_EXIT_OK;
	struct stat sb;
	int first, r, follow = 0, summary = 0;

	memset(&view, 0, sizeof(view));
	memset(&io, 0, sizeof(io));
	view.ctx = ctx;
	{
		const struct cli_opt opts[] = {
			{ "date", 0, CLI_VALUE, &io.date, NULL, 0 },
			{ "follow-links", 0, CLI_FLAG, NULL, &follow, 0 },
			{ "verbose", 0, CLI_FLAG, NULL, &view.verbose, 0 },
			{ "summary", 0, CLI_FLAG, NULL, &summary, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(r);
	}
	if (io.date && !import_valid_date(io.date))
		return ctx_usage(ctx, "bad date '%s': use YYYY-MM-DD", io.date);
	if (argc - first != 1)
		return ctx_usage(ctx, argc - first < 1 ? "import needs a bundle (folder or archive)"
						       : "import takes one bundle");
	io.bundle_path = view.bundle_path = argv[first];
	/*
	 * A bundle that is not there (yet) is its own outcome, so that cron
	 * tells a late export from a broken crontab (exit 2).
	 */
	if (lstat(io.bundle_path, &sb) < 0 && errno == ENOENT) {
		ctx_error(ctx, "'%s': not there (yet): the export has not arrived; nothing "
			  "imported (exit %d)", io.bundle_path, CF_EXIT_NOT_YET);
		return CF_EXIT_NOT_YET;
	}
	if (!follow && ctx_refuse_link(ctx, io.bundle_path))
		return CF_EXIT_INPUT;	/* as ingest does with a FILE that is a link */
	if ((env = getenv("CASEFILE_IMPORT_BATCH")) != NULL && atol(env) > 0)
		io.batch_files = (unsigned long)atol(env);
	if (ctx->no_wait)
		io.flags |= IMPORT_NO_WAIT;
	if (view.verbose)
		io.flags |= IMPORT_VERBOSE;
	io.user = ctx->user;
	io.host = ctx->host;
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	view.junk_json = json_array();
	if (import_open(ctx->vault, &io, &hooks, &imp, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	view.progress = ctx->tty && !ctx->quiet;
	view.t0 = cftime_monotonic();
	if (import_run(imp, &sum, &err) < 0) {
		progress_clear(&view);
		ctx_error(ctx, "%s", err.msg);
		ctx_error(ctx, "import of '%s' stopped: the files since the last checkpoint "
			  "were rolled back; run it again to complete it", io.bundle_path);
		rc = CF_EXIT_INTERNAL;
		goto out;
	}
	progress_clear(&view);
	if (summary && !ctx->json) {
		unsigned long nskip = 0;
		size_t k;

		for (k = 0; k < JUNK_KINDS && view.junk[k].what; k++)
			nskip += view.junk[k].n;
		/* one line for cron mail, even with --quiet */
		printf("import %s: %zu orders, %lu files, %lu new, %lu duplicates, %lu skipped, "
		       "%lu refused%s\n", io.bundle_path, sum.orders, sum.files, sum.nnew, sum.ndup,
		       nskip, sum.refused,
		       sum.nnew == 0 && sum.refused == 0 ? "; nothing new" : "");
	} else {
		print_summary(ctx, &view, &sum);
	}
	if (!summary)
		junk_summary(&view);
	if (sum.broken)
		ctx_error(ctx, "'%s': only part of the bundle could be read (see above)",
			  io.bundle_path);
	if (sum.refused || sum.problems || sum.broken) {
		ctx->bad_items += (unsigned)(sum.refused + sum.problems);
		rc = CF_EXIT_INPUT;
	}
out:
	json_decref(view.junk_json);
	import_close(imp);
	cf_err_release(&err);
	return rc;
}

const struct cmd cmd_import = {
	.name = "import",
	.usage = "casefile import [--date YYYY-MM-DD] [--no-wait] [--follow-links] [--verbose] [--summary]\n"
		 "       [--json] [--quiet] BUNDLE",
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
		"__MACOSX/, ._* AppleDouble files, Thumbs.db, desktop.ini.  Skipped\n"
		"quietly (counted on stdout): files and folders outside the order folders\n"
		"whose name matches import.ignore (default: summary spreadsheets such as\n"
		"*汇总*, *summary*, and screenshot folders such as 截图*, screenshot*).\n"
		"How a text was decoded (GB18030, UTF-16) is recorded with the item and\n"
		"shown with --verbose.\n"
		"Limits and order.id_pattern: see 'casefile config --help'.\n"
		"\n"
		"Work is committed every few thousand files: an import that is killed keeps\n"
		"what it committed, and running it again completes it.  One import runs at a\n"
		"time per vault: a second one waits for the first.  A vault in PostgreSQL\n"
		"(init --db) takes several imports at once, from one folder or several:\n"
		"each commits its rows side by side and waits only to append its ledger\n"
		"leaves.  PostgreSQL restarted or gone mid-import stops it (exit 5, the\n"
		"server named); what was committed stays, and running it again completes it.\n"
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
		"  --verbose    name each junk entry skipped, and how texts were decoded\n"
		"  --summary    print one line: orders, files, new, duplicates, skipped,\n"
		"               refused (\"nothing new\" on a re-run), even with --quiet\n"
		"  --json       print the summary as one JSON object (skipped junk listed)\n"
		"  --quiet      print nothing but errors (for cron)\n"
		"\nexit codes: 0 imported (or nothing new), 2 usage, 3 some entries refused\n"
		"            (the rest imported), 5 system failure (PostgreSQL or the object\n"
		"            store unreachable included) or --no-wait busy,\n"
		"            6 the bundle is not there (yet): the export has not arrived\n"
		"\nexample (cron):\n"
		"  casefile --quiet import --summary /srv/exports/orders-$(date -d yesterday +%F).zip\n",
	.flags = CMD_WRITES,
	.run = run_import,
};

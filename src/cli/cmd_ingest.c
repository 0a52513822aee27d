/* SPDX-License-Identifier: MIT */
/*
 * cmd_ingest — `casefile ingest ORDER FILE|DIR...`: store an order's
 * evidence files, walking folders, in one transaction.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/jout.h"
#include "casefile/config.h"
#include "casefile/hash.h"
#include "casefile/ingest.h"
#include "casefile/ingest_pipe.h"
#include "casefile/order_id.h"
#include "casefile/parse.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

struct ingest_run {
	struct cf_ctx *ctx;
	struct ingest *in;
	const char *order;
	int kind;
	const char *note;
	unsigned nnew, ndup, nbad_files, nfail;
	json_t *json;		/* --json: the items */
	int failed_hard;	/* a system error: stop and roll back */
	int follow_links;	/* --follow-links: follow links named as FILE */
	int verbose;		/* --verbose: also how texts were decoded */
	struct ingest_pipe *pipe;	/* records and reports on a second thread */
};

/*
 * Before this thread says anything about a file: let the recording thread
 * report every file put before it, so the lines come in walking order.
 */
static void
drain(struct ingest_run *r)
{
	int e = errno;	/* the caller's message may name it */

	if (r->pipe)
		ingest_pipe_drain(r->pipe);
	errno = e;
}

static void
on_warning(void *cookie, const struct ingest_item *it, const char *msg, int bad)
{
	struct ingest_run *r = cookie;

	/* an encoding is information, kept in the item's warnings (`show`) */
	if (!bad && !r->verbose && strncmp(msg, "text read as ", 13) == 0)
		return;
	if (bad)
		ctx_error(r->ctx, "%s: %s", it->source_path, msg);
	else
		ctx_warn(r->ctx, "%s: %s", it->source_path, msg);
}

static void
report_item(struct ingest_run *r, const char *path, const struct ingest_result *res)
{
	char hex[CF_SHA256_HEXLEN + 1];

	cf_hex_encode(res->sha256, CF_SHA256_LEN, hex);
	if (r->ctx->json) {
		json_array_append_new(r->json, json_pack(
			"{s:o,s:s,s:s,s:s,s:I,s:I,s:i}", "path", jout_str(path),
			"status", res->duplicate ? "duplicate" : "stored", "kind", res->kind,
			"sha256", hex, "size", JI(res->size), "evidence_id", JI(res->evidence_id),
			"warnings", (int)(res->nbad + res->nnotes)));
		return;
	}
	if (r->ctx->quiet)
		return;
	if (res->duplicate)
		printf("already stored  %-9s %s  (%s…)\n", res->kind, path, hex);
	else
		printf("stored  %-9s %s  %llu bytes  sha256 %s\n", res->kind, path,
		       (unsigned long long)res->size, hex);
}

/* The recording thread's report of each file, in walking order. */
static void
on_recorded(void *cookie, const char *path, const struct ingest_result *res)
{
	struct ingest_run *r = cookie;

	if (res->duplicate)
		r->ndup++;
	else
		r->nnew++;
	if (res->nbad)
		r->nbad_files++;
	report_item(r, path, res);
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void ingest_path(struct ingest_run *r, const char *path, int top);

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* nofollow: O_NOFOLLOW, so a folder swapped for a link since lstat() is refused. */
static void
ingest_dir(struct ingest_run *r, const char *path, int nofollow)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | nofollow);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (d == NULL) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		drain(r);
		ctx_error(r->ctx, "cannot read folder '%s': %s", path, strerror(e));
		r->nfail++;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n && !r->failed_hard; i++) {
		char *child = xasprintf("%s%s%s", path,
					path[strlen(path) - 1] == '/' ? "" : "/", names[i]);

		if (names[i][0] == '.') {
			drain(r);
			ctx_warn(r->ctx, "skipping hidden '%s'", child);
		} else {
			ingest_path(r, child, 0);
		}
		free(child);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void
ingest_path(struct ingest_run *r, const char *path, int top)
{
	struct cf_err err = CF_ERR_INIT;
	struct ingest_item it;
	struct stat st;
	int fd;

	int nofollow = O_NOFOLLOW;

	if (top && !r->follow_links && ctx_refuse_link(r->ctx, path)) {
		r->nfail++;	/* "link/" or "link/.": lstat() below follows it */
		return;
	}
	if (lstat(path, &st) < 0) {
		drain(r);
		ctx_error(r->ctx, "cannot read '%s': %s", path, strerror(errno));
		r->nfail++;
		return;
	}
	if (S_ISLNK(st.st_mode)) {
		if (!top) {
			drain(r);
			ctx_warn(r->ctx, "skipping symbolic link '%s'", path);
			return;
		}
		if (!r->follow_links) {
			drain(r);
			ctx_refuse_link(r->ctx, path);
			r->nfail++;
			return;
		}
		nofollow = 0;
		if (stat(path, &st) < 0) {
			drain(r);
			ctx_error(r->ctx, "cannot read '%s': %s", path, strerror(errno));
			r->nfail++;
			return;
		}
	}
	if (S_ISDIR(st.st_mode)) {
		ingest_dir(r, path, nofollow);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		drain(r);
		ctx_error(r->ctx, "'%s' is not a regular file: skipped", path);
		r->nfail++;
		return;
	}
	/* O_NOFOLLOW: a file swapped for a link since lstat() is refused too. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | nofollow)) < 0) {
		drain(r);
		if (errno != ELOOP || !ctx_refuse_link(r->ctx, path))
			ctx_error(r->ctx, "cannot read '%s': %s", path, strerror(errno));
		r->nfail++;
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		drain(r);
		ctx_error(r->ctx, "'%s' is not a regular file: skipped", path);
		r->nfail++;
		close(fd);
		return;
	}
	memset(&it, 0, sizeof(it));
	it.order_id = r->order;
	it.name = base_name(path);
	it.source_path = path;
	it.rel_path = NULL;
	it.mtime = st.st_mtime;
	it.kind = r->kind;
	it.note = r->note;
	if (ingest_pipe_put(r->pipe, &it, fd, &err) < 0) {
		drain(r);
		if (err.code == CF_EINPUT) {
			/* This file only: the rest goes on. */
			drain(r);
			ctx_error(r->ctx, "cannot ingest '%s': %s", path, err.msg);
			r->nfail++;
		} else {
			/* Disk full, read-only vault, database: roll back all. */
			drain(r);
			ctx_error(r->ctx, "'%s': %s", path, err.msg);
			r->failed_hard = 1;
		}
		cf_err_release(&err);
		close(fd);
		return;
	}
	close(fd);	/* counted and reported by on_recorded() */
}

static enum cf_exit
run_ingest(int argc, char **argv, struct cf_ctx *ctx)
{
	struct ingest_run r;
	struct cf_err err = CF_ERR_INIT;
	struct order_id_rule *rule = NULL;
	enum cf_kind k;
	enum cf_exit rc = CF_EXIT_OK;
	int first, i;

	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.kind = -1;
	{
		const char *kind = NULL;
		const struct cli_opt opts[] = {
			{ "kind", 0, CLI_VALUE, &kind, NULL, 0 },
			{ "note", 0, CLI_VALUE, &r.note, NULL, 0 },
			{ "follow-links", 0, CLI_FLAG, NULL, &r.follow_links, 0 },
			{ "verbose", 0, CLI_FLAG, NULL, &r.verbose, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((i = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(i);
		if (kind && cf_kind_from_name(kind, &k) < 0)
			return ctx_usage(ctx, "unknown kind '%s': use chat, logistics, order, "
					      "photo, video, receipt or other", kind);
		r.kind = kind ? (int)k : -1;
	}
	if (argc - first < 2)
		return ctx_usage(ctx, "ingest needs an order id and at least one file");
	r.order = argv[first];
	if (!order_id_valid(r.order))
		return ctx_usage(ctx, "bad order id '%s': use 1 to 64 letters, digits, '_' or '-'",
				 r.order);
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (config_order_rule(vault_db(ctx->vault), &rule, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	if (!order_id_rule_match(rule, r.order)) {
		rc = ctx_usage(ctx, "'%s' does not look like an order id (order.id_pattern "
			       "'%s'; see 'casefile config --help')", r.order,
			       order_id_rule_pattern(rule));
		goto out;
	}
	r.json = json_array();
	if (ingest_begin(ctx->vault, on_warning, &r, &r.in, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	ingest_set_who(r.in, ctx->user, ctx->host);
	/*
	 * This thread walks, stores and parses; a second one records the rows
	 * (issue 19: 20,000 small files on one thread ran at a third of git
	 * add's rate).  Any recording failure ends the whole ingest anyway,
	 * so no savepoint per file.
	 */
	ingest_whole_batch(r.in);
	if (ingest_pipe_start(r.in, on_recorded, &r, &r.pipe, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	for (i = first + 1; i < argc && !r.failed_hard; i++)
		ingest_path(&r, argv[i], 1);
	if (ingest_pipe_finish(r.pipe, &err) < 0 && !r.failed_hard) {
		ctx_error(ctx, "%s", err.msg);
		r.failed_hard = 1;
	}
	r.pipe = NULL;
	if (r.failed_hard) {
		ctx_error(ctx, "nothing was stored: the whole ingest was rolled back");
		rc = CF_EXIT_INTERNAL;
		goto out;
	}
	if (ingest_commit(r.in, &err) < 0) {
		ctx_error(ctx, "%s", err.msg);
		ctx_error(ctx, "nothing was stored: the whole ingest was rolled back");
		rc = CF_EXIT_INTERNAL;
		goto out;
	}
	if (ctx->json)
		jout_print(json_pack("{s:o,s:i,s:i,s:i,s:i,s:O}", "order_id", jout_str(r.order),
				     "stored", (int)r.nnew, "duplicate", (int)r.ndup,
				     "refused", (int)r.nfail, "with_warnings", (int)r.nbad_files,
				     "items", r.json));
	else
		ctx_info(ctx, "order %s: %u stored, %u already stored, %u refused, %u with problems",
			 r.order, r.nnew, r.ndup, r.nfail, r.nbad_files);
	if (r.nfail || r.nbad_files) {
		ctx->bad_items += r.nfail + r.nbad_files;
		rc = CF_EXIT_INPUT;
	}
out:
	ingest_pipe_finish(r.pipe, &err);	/* only on an early exit */
	order_id_rule_free(rule);
	ingest_free(r.in);
	json_decref(r.json);
	cf_err_release(&err);
	return rc;
}

const struct cmd cmd_ingest = {
	.name = "ingest",
	.usage = "casefile ingest [--kind KIND] [--note TEXT] [--follow-links] [--json] [--quiet] "
		 "ORDER FILE|DIR...",
	.summary = "store an order's evidence files (chat, logistics, order, photos, videos)",
	.help = "ORDER must look like an order id: by default 6 to 32 digits (the vault\n"
		"setting order.id_pattern, see 'casefile config --help').\n"
		"Hashes each file with SHA-256 while copying it into the vault, detects its\n"
		"kind from its content (the name and folder are a hint that counts only when\n"
		"the content agrees: an image or a pdf in receipts/ is a receipt; a file\n"
		"that is not what its name says is 'other', with a warning saying what was\n"
		"expected), parses chat logs, logistics and order records into\n"
		"tables, and records who ingested what, when and from where.  Folders are\n"
		"walked (hidden files and symbolic links inside them are skipped).  A FILE or\n"
		"DIR that is itself a symbolic link is refused, naming its target (exit 3,\n"
		"the rest is stored), unless --follow-links is given.  The same file again\n"
		"(same bytes, same name) for the same order is reported as already\n"
		"stored; the same bytes under another name are stored once and listed\n"
		"under each name.  A file that\n"
		"cannot be parsed is still stored, as kind 'other', with a warning; the\n"
		"command then exits 3.  A record with a field that cannot be read (a time\n"
		"of 1e400, an unclosed CSV quote) is kept with that field flagged, also\n"
		"exit 3.  Everything is committed at once at the end.  The accepted\n"
		"formats are described in docs/formats.md of the source tree.\n"
		"\n"
		"options:\n"
		"  --kind KIND   force the kind: chat, logistics, order, photo, video,\n"
		"                receipt or other\n"
		"  --note TEXT   what the items show (printed in the dossier's exhibit index)\n"
		"  --verbose   also say how a text file was decoded (GB18030, UTF-16);\n"
		"              always recorded with the item (casefile show)\n"
		"  --follow-links  store what a FILE or DIR named here that is a symbolic\n"
		"                link points to (links inside folders are still skipped)\n"

		"\nexample:\n"
		"  casefile ingest 6931000000000001 chat.json logistics.csv order.json photos/\n",
	.flags = CMD_NEEDS_VAULT | CMD_WRITES,
	.run = run_ingest,
};

/* SPDX-License-Identifier: MIT */
/*
 * cmd_ingest — `casefile ingest ORDER FILE|DIR...`: store an order's
 * evidence files, walking folders, in one transaction.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/cliopt.h"
#include "casefile/evidence.h"
#include "casefile/commands.h"
#include "casefile/jout.h"
#include "casefile/config.h"
#include "casefile/hash.h"
#include "casefile/ingest.h"
#include "casefile/ingest_pipe.h"
#include "casefile/order_id.h"
#include "casefile/parse.h"
#include "casefile/roles.h"
#include "casefile/tag.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

/*
 * One run of the command.  The walk (ingest_path and below) is the source
 * of the import's pipeline (ingest_pipe.h) and runs on its staging thread:
 * it touches only the fields marked "staging"; what it has to say goes
 * through say(), printed by the calling thread in order with the files.
 * Everything else runs on the calling thread.
 */
struct ingest_run {
	struct cf_ctx *ctx;
	struct ingest *in;
	const char *order;	/* staging: the order of the files put now */
	int kind;
	const char *note;
	unsigned nnew, ndup, nbad_files, nfail;
	json_t *json;		/* --json: the items */
	int follow_links;	/* --follow-links: follow links named as FILE */
	int verbose;		/* --verbose: also how texts were decoded */
	unsigned roles;		/* --role: CF_ROLE_BIT set */
	int supplied_by;	/* --supplied-by: enum cf_supplier, or -1 */
	struct order_id_rule *rule;	/* --orders: which ids are orders */
	int nfiles;		/* the FILE|DIR (or --orders EXPORT) arguments */
	char **files;
	struct ingest_pipe *pipe;	/* staging: the pipeline */
	struct evidence_senders *senders;	/* warn_unknown_senders(), kept for the run */
	struct cf_err *hard;	/* staging: set on a failure that ends the run */
};

/* What the walk says (ingest_pipe_say codes). */
enum say_code {
	SAY_WARN,	/* a warning: skipped hidden files and links */
	SAY_REFUSED,	/* an error about one argument or file: counted, exit 3 */
};

static void say(struct ingest_run *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
say(struct ingest_run *r, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int e = errno;	/* the caller's next message may name it */

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	ingest_pipe_say(r->pipe, code, msg, NULL);
	free(msg);
	errno = e;
}

/* The pipeline's said hook: print in walking order, count refusals. */
static void
on_said(void *cookie, int code, const char *msg, void *tag)
{
	struct ingest_run *r = cookie;

	(void)tag;
	if (code == SAY_WARN) {
		ctx_warn(r->ctx, "%s", msg);
	} else {
		ctx_error(r->ctx, "%s", msg);
		r->nfail++;
	}
}

/* A failure that ends the whole ingest (rolled back): the source stops. */
static int
hard_fail(struct ingest_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
hard_fail(struct ingest_run *r, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	cf_err_set(r->hard, CF_EIO, "%s", msg);
	free(msg);
	return -1;
}

static void
on_tag_warning(void *cookie, const char *msg, int bad)
{
	struct ingest_run *r = cookie;

	ctx_warn(r->ctx, "%s%s", msg, bad ? "" : " (note)");
}

/*
 * After an item was stored or found stored: its roles and supplier, and for
 * bytes already stored the --note and --kind ingest would have recorded
 * (tag.h), each a ledger leaf; said on stderr.  -1 with err on a failure
 * that ends the ingest.
 */
static int
apply_tags(struct ingest_run *r, const char *path, const struct ingest_result *res,
	   struct cf_err *hard)
{
	struct tag_change ch = TAG_CHANGE_INIT;
	struct cf_err err = CF_ERR_INIT;
	unsigned leaves = 0;
	char *who;
	int ret = 0;

	ch.add_roles = r->roles;
	ch.supplied_by = r->supplied_by;
	if (res->duplicate) {
		ch.note = r->note;
		ch.kind = r->kind;
	}
	if (!ch.add_roles && ch.supplied_by < 0 && !ch.note && ch.kind < 0)
		return 0;
	who = xasprintf("%s@%s", r->ctx->user, r->ctx->host);
	if (tag_apply(r->ctx->vault, res->evidence_id, &ch, who, (int64_t)r->ctx->now,
		      on_tag_warning, r, &leaves, &err) < 0) {
		if (err.code == CF_EINPUT) {
			ctx_error(r->ctx, "'%s' (already stored as #%lld): %s", path,
				  (long long)res->evidence_id, err.msg);
			r->nbad_files++;
		} else {
			ret = cf_err_set(hard, err.code, "'%s': %s", path, err.msg);
		}
	} else if (res->duplicate && leaves) {
		ctx_info(r->ctx, "'%s' was already stored as #%lld: %u change%s (--note, --kind, "
			 "--role, --supplied-by) applied to it and recorded in the ledger", path,
			 (long long)res->evidence_id, leaves, leaves == 1 ? "" : "s");
	}
	free(who);
	cf_err_release(&err);
	return ret;
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

static void warn_unknown_senders(struct ingest_run *r, const char *order, const char *path,
				 int64_t id);

/* The pipeline's recorded hook: report each file, in walking order. */
static int
on_recorded(void *cookie, const char *order_id, const char *path, void *tag,
	    const struct ingest_result *res, struct cf_err *err)
{
	struct ingest_run *r = cookie;

	(void)tag;
	if (res->duplicate)
		r->ndup++;
	else
		r->nnew++;
	if (res->nbad)
		r->nbad_files++;
	report_item(r, path, res);
	/* the row exists now: --role/--supplied-by (and --note/--kind on bytes
	 * already stored) apply to it, in the same batch */
	if (apply_tags(r, path, res, err) < 0)
		return -1;
	if (!res->duplicate && !strcmp(res->kind, "chat"))
		warn_unknown_senders(r, order_id, path, res->evidence_id);
	return 0;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int ingest_path(struct ingest_run *r, const char *path, int top, int known_reg);

/* A folder entry: its name, and whether the listing calls it a regular file. */
struct dir_entry {
	char *name;
	int reg;
};

static int
cmp_entries(const void *a, const void *b)
{
	return strcmp(((const struct dir_entry *)a)->name, ((const struct dir_entry *)b)->name);
}

/* nofollow: O_NOFOLLOW, so a folder swapped for a link since lstat() is refused. */
static int
ingest_dir(struct ingest_run *r, const char *path, int nofollow)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | nofollow);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;
	struct dir_entry *ents = NULL;
	size_t n = 0, cap = 0, i;
	int ret = 0;

	if (d == NULL) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		say(r, SAY_REFUSED, "cannot read folder '%s': %s", path, strerror(e));
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 32;
			ents = xreallocarray(ents, cap, sizeof(*ents));
		}
		ents[n].name = xstrdup(de->d_name);
		ents[n++].reg = de->d_type == DT_REG;
	}
	closedir(d);
	qsort(ents, n, sizeof(*ents), cmp_entries);
	for (i = 0; i < n && ret == 0 && !ingest_pipe_stopped(r->pipe); i++) {
		char *child = xasprintf("%s%s%s", path,
					path[strlen(path) - 1] == '/' ? "" : "/", ents[i].name);

		if (ents[i].name[0] == '.')
			say(r, SAY_WARN, "skipping hidden '%s'", child);
		else
			ret = ingest_path(r, child, 0, ents[i].reg);
		free(child);
	}
	for (i = 0; i < n; i++)
		free(ents[i].name);
	free(ents);
	return ret;
}

/*
 * Put path (a file, or a folder walked); -1 on a failure that ends the run.
 * known_reg: the folder listing called it a regular file (d_type), so it
 * is opened without looking it up first, as the import's walker does (a
 * file swapped for a link meanwhile is still refused: O_NOFOLLOW, fstat).
 */
static int
ingest_path(struct ingest_run *r, const char *path, int top, int known_reg)
{
	struct cf_err err = CF_ERR_INIT;
	struct ingest_item it;
	struct stat st;
	char *refusal;
	int fd, ret = 0;

	int nofollow = O_NOFOLLOW;

	if (top && !r->follow_links && (refusal = ctx_link_refusal_new(path)) != NULL) {
		say(r, SAY_REFUSED, "%s", refusal);	/* "link/" or "link/.": lstat() follows it */
		free(refusal);
		return 0;
	}
	if (known_reg && !top)
		goto open_it;
	if (lstat(path, &st) < 0) {
		say(r, SAY_REFUSED, "cannot read '%s': %s", path, strerror(errno));
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		if (!top) {
			say(r, SAY_WARN, "skipping symbolic link '%s'", path);
			return 0;
		}
		if (!r->follow_links) {
			refusal = ctx_link_refusal_new(path);
			if (refusal)
				say(r, SAY_REFUSED, "%s", refusal);
			free(refusal);
			return 0;
		}
		nofollow = 0;
		if (stat(path, &st) < 0) {
			say(r, SAY_REFUSED, "cannot read '%s': %s", path, strerror(errno));
			return 0;
		}
	}
	if (S_ISDIR(st.st_mode))
		return ingest_dir(r, path, nofollow);
	if (!S_ISREG(st.st_mode)) {
		say(r, SAY_REFUSED, "'%s' is not a regular file: skipped", path);
		return 0;
	}
open_it:
	/* O_NOFOLLOW: a file swapped for a link since lstat() is refused too. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | nofollow)) < 0) {
		int e = errno;

		refusal = e == ELOOP ? ctx_link_refusal_new(path) : NULL;
		if (refusal)
			say(r, SAY_REFUSED, "%s", refusal);
		else
			say(r, SAY_REFUSED, "cannot read '%s': %s", path, strerror(e));
		free(refusal);
		return 0;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		say(r, SAY_REFUSED, "'%s' is not a regular file: skipped", path);
		close(fd);
		return 0;
	}
	memset(&it, 0, sizeof(it));
	it.order_id = r->order;
	it.name = base_name(path);
	it.source_path = path;
	it.rel_path = NULL;
	it.mtime = st.st_mtime;
	it.kind = r->kind;
	it.note = r->note;
	if (ingest_pipe_put(r->pipe, &it, NULL, NULL, fd, NULL, &err) < 0) {
		if (err.code == CF_EINPUT)	/* this file only: the rest goes on */
			say(r, SAY_REFUSED, "cannot ingest '%s': %s", path, err.msg);
		else	/* disk full, read-only vault, database: roll back all */
			ret = hard_fail(r, "'%s': %s", path, err.msg);
		cf_err_release(&err);
	}
	close(fd);	/* counted and reported by on_recorded() */
	return ret;
}

/*
 * A transcript that names its senders without saying who they are (飞鸽):
 * each name that is neither a shop agent nor the order's buyer is shown as
 * "unknown"; say so, once per name, with how to fix it.
 */
struct sender_warn {
	struct ingest_run *r;
	const char *order;
	const char *path;
};

static void
on_unknown_sender(void *cookie, const char *name, long long messages)
{
	struct sender_warn *w = cookie;

	ctx_warn(w->r->ctx, "%s: sender '%s' (%lld message%s) is neither a shop agent nor the "
		 "buyer of order %s: shown as unknown (add agents with 'casefile config "
		 "shop.agents \"客服-阿青, 小青\"'; the buyer's nickname comes from the "
		 "order record)", w->path, name, messages, messages == 1 ? "" : "s",
		 w->order);
}

static void
warn_unknown_senders(struct ingest_run *r, const char *order, const char *path, int64_t id)
{
	struct cf_err err = CF_ERR_INIT;
	struct sender_warn w = { r, order, path };

	evidence_unknown_senders(r->ctx->vault, &r->senders, id, on_unknown_sender, &w, &err);
	cf_err_release(&err);
}

/*
 * --orders FILE: an order export holding many orders (parse.h): the file is
 * stored once, and each order it holds that looks like an order id gets an
 * evidence row of its own with its record (the row it came from).
 */
static int
ingest_export(struct ingest_run *r, const char *path)
{
	struct cf_err err = CF_ERR_INIT;
	struct parsed *p = NULL;
	struct stat st;
	char *data = NULL;
	size_t i, got = 0;
	int fd, ret = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0 ||
	    !S_ISREG(st.st_mode)) {
		say(r, SAY_REFUSED, "cannot read '%s': %s", path,
		    fd < 0 ? strerror(errno) : "not a regular file");
		goto out;
	}
	if ((uint64_t)st.st_size > PARSE_MAX_TEXT) {
		say(r, SAY_REFUSED, "'%s': an order export larger than %u bytes is not read",
		    path, PARSE_MAX_TEXT);
		goto out;
	}
	data = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (parse_evidence(data, got, 1, got, -1, base_name(path), CF_KIND_ORDER, &p, &err) < 0) {
		say(r, SAY_REFUSED, "'%s': %s", path, err.msg);
		goto out;
	}
	if (parsed_order_count(p) == 0) {
		say(r, SAY_REFUSED, "'%s' is not an order export: %s", path,
		    parsed_warning_count(p) ? parsed_warning(p, 0) : "no orders in it");
		goto out;
	}
	for (i = 0; i < parsed_order_count(p) && ret == 0 && !ingest_pipe_stopped(r->pipe); i++) {
		const char *id = parsed_order_at(p, i);

		if (!order_id_rule_match(r->rule, id)) {
			say(r, SAY_REFUSED, "'%s': order '%s' does not look like an order id "
			    "(order.id_pattern '%s'): skipped", path, id,
			    order_id_rule_pattern(r->rule));
			continue;
		}
		r->order = id;
		ret = ingest_path(r, path, 1, 0);
	}
	r->order = NULL;
out:
	parsed_free(p);
	free(data);
	if (fd >= 0)
		close(fd);
	cf_err_release(&err);
	return ret;
}

/* The pipeline's source (staging thread): every argument, in order. */
static int
walk_source(struct ingest_pipe *p, void *cookie, struct cf_err *err)
{
	struct ingest_run *r = cookie;
	int i, ret = 0;

	r->pipe = p;
	r->hard = err;
	for (i = 0; i < r->nfiles && ret == 0 && !ingest_pipe_stopped(p); i++)
		ret = r->rule ? ingest_export(r, r->files[i]) : ingest_path(r, r->files[i], 1, 0);
	return ret;
}

/*
 * Store r->files through the pipeline (the import's), in one batch
 * committed at the end.  0, or an exit code with the reason printed.
 */
static enum cf_exit
run_pipeline(struct cf_ctx *ctx, struct ingest_run *r)
{
	struct ingest_pipe_hooks hooks = { walk_source, on_recorded, on_said, r };
	struct cf_err err = CF_ERR_INIT;
	enum cf_exit rc = CF_EXIT_OK;

	r->json = json_array();
	if (ingest_begin(ctx->vault, on_warning, r, &r->in, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		cf_err_release(&err);
		return rc;
	}
	ingest_set_who(r->in, ctx->user, ctx->host);
	/*
	 * The staging thread walks, stores and parses; this one records the
	 * rows (issue 19: 20,000 small files on one thread ran at a third of
	 * git add's rate).  Any recording failure ends the whole ingest anyway,
	 * so no savepoint per file; one batch, committed at the end.
	 */
	ingest_whole_batch(r->in);
	if (ingest_pipe_run(r->in, &hooks, 0, 0, &err) < 0 || ingest_commit(r->in, &err) < 0) {
		if (err.msg)
			ctx_error(ctx, "%s", err.msg);
		ctx_error(ctx, "nothing was stored: the whole ingest was rolled back");
		rc = CF_EXIT_INTERNAL;
	}
	evidence_senders_free(r->senders);
	r->senders = NULL;
	cf_err_release(&err);
	return rc;
}

/* `ingest --orders FILE...`: one batch over every order of every export. */
static enum cf_exit
run_orders(struct cf_ctx *ctx, struct ingest_run *r, int nfiles, char **files)
{
	struct cf_err err = CF_ERR_INIT;
	enum cf_exit rc;

	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (config_order_rule(vault_db(ctx->vault), &r->rule, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	r->nfiles = nfiles;
	r->files = files;
	if ((rc = run_pipeline(ctx, r)) != CF_EXIT_OK)
		goto out;
	if (ctx->json)
		jout_print(json_pack("{s:i,s:i,s:i,s:i,s:O}", "stored", (int)r->nnew,
				     "duplicate", (int)r->ndup, "refused", (int)r->nfail,
				     "with_warnings", (int)r->nbad_files, "items", r->json));
	else
		ctx_info(ctx, "order exports: %u order records stored, %u already stored, "
			 "%u refused, %u with problems", r->nnew, r->ndup, r->nfail, r->nbad_files);
	if (r->nfail || r->nbad_files) {
		ctx->bad_items += r->nfail + r->nbad_files;
		rc = CF_EXIT_INPUT;
	}
out:
	order_id_rule_free(r->rule);
	ingest_free(r->in);
	json_decref(r->json);
	cf_err_release(&err);
	return rc;
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
		const char *kind = NULL, *roles = NULL, *sup = NULL;
		int orders = 0;
		const struct cli_opt opts[] = {
			{ "kind", 0, CLI_VALUE, &kind, NULL, 0 },
			{ "note", 0, CLI_VALUE, &r.note, NULL, 0 },
			{ "follow-links", 0, CLI_FLAG, NULL, &r.follow_links, 0 },
			{ "verbose", 0, CLI_FLAG, NULL, &r.verbose, 0 },
			{ "role", 0, CLI_VALUE, &roles, NULL, 0 },
			{ "supplied-by", 0, CLI_VALUE, &sup, NULL, 0 },
			{ "orders", 0, CLI_FLAG, NULL, &orders, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		r.supplied_by = -1;
		if ((i = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(i);
		if (kind && cf_kind_from_name(kind, &k) < 0)
			return ctx_usage(ctx, "unknown kind '%s': use chat, logistics, order, "
					      "photo, video, receipt or other", kind);
		r.kind = kind ? (int)k : -1;
		if (roles) {	/* one --role, names comma-separated */
			char *s = xstrdup(roles), *tok, *save = NULL;
			enum cf_role role;

			for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
				if (cf_role_from_name(tok, &role) < 0) {
					free(s);
					return ctx_usage(ctx, "unknown role '%s': use %s", tok,
							 cf_role_names());
				}
				r.roles |= CF_ROLE_BIT(role);
			}
			free(s);
		}
		if (sup) {
			enum cf_supplier sp;

			if (cf_supplier_from_name(sup, &sp) < 0)
				return ctx_usage(ctx, "unknown supplier '%s': use buyer, merchant, "
						      "platform or courier", sup);
			r.supplied_by = (int)sp;
		}
		if (orders) {
			if (argc - first < 1)
				return ctx_usage(ctx, "ingest --orders needs at least one order export");
			if (r.kind >= 0 || r.note || r.roles || r.supplied_by >= 0)
				return ctx_usage(ctx, "--orders takes no --kind, --note, --role or "
						      "--supplied-by: each order's row is its record");
			return run_orders(ctx, &r, argc - first, argv + first);
		}
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
	r.nfiles = argc - first - 1;
	r.files = argv + first + 1;
	if ((rc = run_pipeline(ctx, &r)) != CF_EXIT_OK)
		goto out;
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
	order_id_rule_free(rule);
	ingest_free(r.in);
	json_decref(r.json);
	cf_err_release(&err);
	return rc;
}

const struct cmd cmd_ingest = {
	.name = "ingest",
	.usage = "casefile ingest [--kind KIND] [--note TEXT] [--role ROLE]... [--supplied-by WHO] "
		 "[--follow-links] [--json] [--quiet] ORDER FILE|DIR...\n"
		 "       casefile ingest --orders EXPORT...",
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
		"  --role ROLE   what the items are for (repeatable): packing,\n"
		"                shipping_label, pickup, delivery_photo, damage_photo,\n"
		"                listing, quality_report, invoice, ... ('casefile tag --help')\n"
		"  --supplied-by WHO  buyer, merchant, platform or courier\n"
		"  --orders      each FILE is a back-office order export (抖店 / 微信小店, CSV\n"
		"                or XLSX) holding many orders: it is stored once, and every\n"
		"                order in it gets its order record (with the row it came from)\n"
		"\nWhen a file's bytes are already stored under its name for ORDER, --note,\n"
		"--kind, --role and --supplied-by are applied to that item (as 'casefile\n"
		"tag' would: re-parsed, sealed as ledger leaves) and ingest says so.\n"

		"\nexample:\n"
		"  casefile ingest 6931000000000001 chat.json logistics.csv order.json photos/\n"
		"  casefile ingest 6931000000000001 --role packing VID_20261126_165000.mp4\n"
		"  casefile ingest --orders 抖店订单-2026-12-02.xlsx\n",
	.flags = CMD_WRITES,
	.run = run_ingest,
};

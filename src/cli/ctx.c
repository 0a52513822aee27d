/* SPDX-License-Identifier: MIT */
/*
 * ctx — common option handling and the output helpers of the commands.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/cftime.h"
#include "casefile/buf.h"
#include "casefile/ctx.h"
#include "casefile/dispute.h"
#include "casefile/stale.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

enum cf_exit
ctx_exit_for(enum cf_status code)
{
	switch (code) {
	case CF_OK:
		return CF_EXIT_OK;
	case CF_EINPUT:
	case CF_EARCHIVE:
		return CF_EXIT_INPUT;
	case CF_ENOTFOUND:
		return CF_EXIT_USAGE;
	case CF_EVERIFY:
		return CF_EXIT_PROBLEM;
	case CF_ENET:
		return CF_EXIT_INPUT;
	case CF_EIO:
	case CF_EDB:
	case CF_ECRYPTO:
	case CF_EPDF:
		return CF_EXIT_INTERNAL;
	}
	return CF_EXIT_INTERNAL;
}

static void
vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fflush(stdout);
	fputs("casefile: ", stderr);
	if (prefix)
		fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
ctx_warn(struct cf_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet)
		return;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void
ctx_error(struct cf_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
}

void
ctx_info(struct cf_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->quiet || ctx->json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

enum cf_exit
ctx_usage(struct cf_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
	if (ctx->cmd) {
		fprintf(stderr, "usage: %s\n", ctx->cmd->usage);
		fprintf(stderr, "try 'casefile %s --help'\n", ctx->cmd->name);
	} else {
		fputs("try 'casefile --help'\n", stderr);
	}
	return CF_EXIT_USAGE;
}

enum cf_exit
ctx_fail(struct cf_ctx *ctx, struct cf_err *err)
{
	ctx_error(ctx, "%s", err->msg ? err->msg : "unknown error");
	return ctx_exit_for(err->code);
}

int
ctx_common_opt(struct cf_ctx *ctx, int c, const char *arg)
{
	struct cf_err err = CF_ERR_INIT;
	long long t;
	long off;
	char label[8];

	switch (c) {
	case CTX_OPT_VAULT:
		free(ctx->vault_dir);
		ctx->vault_dir = xstrdup(arg);
		return 1;
	case CTX_OPT_JSON:
		ctx->json = 1;
		return 1;
	case CTX_OPT_QUIET:
		ctx->quiet = 1;
		return 1;
	case CTX_OPT_NOWAIT:
		ctx->no_wait = 1;
		return 1;
	case CTX_OPT_TZ:
		if (cftime_parse_tz(arg, &off, &err) < 0)
			goto bad;
		ctx->tz_offset = off;
		free(ctx->tz_name);
		ctx->tz_name = xstrdup(cftime_format_offset(off, label, sizeof(label)));
		return 1;
	case CTX_OPT_NOW:
		if (cftime_parse(arg, strlen(arg), &t, &err) < 0)
			goto bad;
		ctx->now = (time_t)t;
		return 1;
	case CTX_OPT_HELP:
		if (ctx->cmd) {
			printf("usage: %s\n\n%s\n", ctx->cmd->usage, ctx->cmd->summary);
			if (ctx->cmd->help)
				printf("\n%s", ctx->cmd->help);
			printf("\ncommon options: --vault DIR, --json, --quiet, --tz ZONE, --now TIME, --help\n");
			if (ctx->cmd->flags & CMD_WRITES)
				printf("  --no-wait  if another command is writing to the vault, fail at once\n"
				       "             (exit 5) instead of waiting for it\n");
			printf(
			       "exit codes: 0 ok, 1 problem found, 2 usage, 3 bad input (rest processed),\n"
			       "            4 deadline alert, 5 internal error\n");
		}
		return 2;
	default:
		return 0;
	}
bad:
	ctx_usage(ctx, "%s", err.msg);
	cf_err_release(&err);
	return -1;
}

static void
say_waiting(void *arg)
{
	struct cf_ctx *ctx = arg;

	if (!ctx->quiet) {
		fflush(stdout);
		fprintf(stderr, "casefile: waiting for another command writing to vault '%s' "
			"(--no-wait: fail instead)\n", ctx->vault_dir);
	}
}

int
ctx_open_vault_for(struct cf_ctx *ctx, int writes)
{
	struct cf_err err = CF_ERR_INIT;
	unsigned flags = writes ? (ctx->no_wait ? VAULT_OPEN_NO_WAIT : 0) : VAULT_OPEN_READONLY;

	if (ctx->vault)
		return 0;
	if (vault_open(ctx->vault_dir, flags, &ctx->vault, &err) < 0) {
		ctx_error(ctx, "%s", err.msg);
		if (err.code == CF_EIO || err.code == CF_EDB)
			ctx->open_exit = CF_EXIT_INTERNAL;	/* not a usage error */
		if (err.code == CF_ENET)	/* the database server or the store is away */
			ctx->open_exit = CF_EXIT_INPUT;
		if (err.code == CF_ENOTFOUND) {
			/* say where it looked and why there, for a run from another folder */
			char cwd[PATH_MAX];
			const char *env = getenv("CASEFILE_VAULT");
			int abs = ctx->vault_dir[0] == '/';

			if (getcwd(cwd, sizeof(cwd)) == NULL)
				strcpy(cwd, ".");
			ctx_error(ctx, "looked for the vault in '%s%s%s' (%s); run from the folder "
				  "that holds it, or set CASEFILE_VAULT=DIR (or --vault DIR) to use "
				  "one vault from any folder", abs ? "" : cwd, abs ? "" : "/",
				  ctx->vault_dir,
				  env && !strcmp(env, ctx->vault_dir) ? "from $CASEFILE_VAULT"
				  : !strcmp(ctx->vault_dir, "casefile-vault")
				  ? "the default: ./casefile-vault in the current folder"
				  : "from --vault");
		}
		cf_err_release(&err);
		return -1;
	}
	if (writes)
		vault_on_wait(ctx->vault, say_waiting, ctx);
	return 0;
}

int
ctx_open_vault(struct cf_ctx *ctx)
{
	return ctx_open_vault_for(ctx, ctx->cmd == NULL || (ctx->cmd->flags & CMD_WRITES));
}

/*
 * The name a path's last component resolves through: "dir/", "dir/." and
 * "dir//.." all go through "dir", which lstat() of the whole path follows
 * when "dir" is a link (a shell's completion adds the slash).  malloc'd.
 */
static char *
link_part(const char *path)
{
	char *p = xstrdup(path);
	size_t n = strlen(p);

	for (;;) {
		while (n > 1 && p[n - 1] == '/')
			p[--n] = '\0';
		if (n >= 2 && p[n - 1] == '.' && p[n - 2] == '/')
			p[n -= 2] = '\0';
		else if (n >= 3 && p[n - 1] == '.' && p[n - 2] == '.' && p[n - 3] == '/')
			p[n -= 3] = '\0';
		else
			break;
	}
	if (n == 0) {	/* "/." and the like: the root */
		free(p);
		p = xstrdup("/");
	}
	return p;
}

char *
ctx_link_refusal_new(const char *path)
{
	struct stat st;
	char target[PATH_MAX];
	char *part = link_part(path), *msg;
	ssize_t n;

	if (lstat(part, &st) < 0 || !S_ISLNK(st.st_mode)) {
		free(part);
		return NULL;
	}
	n = readlink(part, target, sizeof(target) - 1);
	target[n < 0 ? 0 : n] = '\0';
	if (strcmp(part, path) == 0)
		msg = xasprintf("'%s' is a symbolic link to '%s': refused (give --follow-links "
				"to store what it points to)", path, target);
	else
		msg = xasprintf("'%s' goes through the symbolic link '%s' (to '%s'): refused "
				"(give --follow-links to store what it points to)", path, part,
				target);
	free(part);
	return msg;
}

int
ctx_refuse_link(struct cf_ctx *ctx, const char *path)
{
	char *msg = ctx_link_refusal_new(path);

	if (msg == NULL)
		return 0;
	ctx_error(ctx, "%s", msg);
	free(msg);
	return 1;
}

char *
ctx_fmt_time(const struct cf_ctx *ctx, long long utc, char *buf, size_t n)
{
	return cftime_format(utc, ctx->tz_offset, buf, n);
}

int
ctx_text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int w = 0;

	while (*p) {
		if (*p < 0x80) {
			w++;
			p++;
		} else if (*p >= 0xE0) {
			unsigned cp = *p >= 0xF0 ? 0x10000 : ((unsigned)(*p & 0x0F) << 12) |
				      ((unsigned)(p[1] & 0x3F) << 6);

			w += cp >= 0x1100 ? 2 : 1;
			p++;
			while ((*p & 0xC0) == 0x80)
				p++;
		} else {
			w++;
			p++;
			while ((*p & 0xC0) == 0x80)
				p++;
		}
	}
	return w;
}

void
ctx_print_cell(FILE *f, const char *s, int width)
{
	int w = ctx_text_width(s);

	fputs(s, f);
	do
		fputc(' ', f);
	while (++w < width);
}

void
ctx_add_oneline(struct cf_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n')
			cf_buf_addstr(b, "⏎");
		else if (*s == '\r' || *s == '\t')
			cf_buf_addch(b, ' ');
		else
			cf_buf_addch(b, *s);
	}
}

char *
ctx_oneline(const char *s)
{
	struct cf_buf b = CF_BUF_INIT;

	ctx_add_oneline(&b, s);
	cf_buf_addstr(&b, "");
	return cf_buf_detach(&b, NULL);
}

void
ctx_no_order(struct cf_ctx *ctx, const char *msg, const char *order)
{
	char *near = ctx->vault ? stale_suggest_orders(ctx->vault, order) : NULL;

	if (near)
		ctx_error(ctx, "%s; did you mean %s?", msg, near);
	else
		ctx_error(ctx, "%s", msg);
	free(near);
}

int
ctx_parse_reason(struct cf_ctx *ctx, const char *arg, const char **out)
{
	struct cf_err err = CF_ERR_INIT;

	if ((*out = dispute_reason_parse(arg, &err)) != NULL)
		return 0;
	ctx_usage(ctx, "--reason: %s", err.msg);
	cf_err_release(&err);
	return -1;
}

int
ctx_parse_tsa_timeout(struct cf_ctx *ctx, const char *arg, double *out)
{
	char *end;

	if (arg == NULL)
		return 0;
	*out = strtod(arg, &end);
	if (*end || !(*out > 0 && *out <= 600)) {
		ctx_usage(ctx, "bad --tsa-timeout '%s' (seconds, 0..600)", arg);
		return -1;
	}
	return 0;
}

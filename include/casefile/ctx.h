/* SPDX-License-Identifier: MIT */
/*
 * ctx — the state of one casefile run, the command table entry type, the
 * exit codes, and the few output helpers every cmd_*.c shares.
 *
 * One struct cf_ctx exists per run: main() fills it from the global options
 * and the environment, every command receives it, main() releases it.
 * Modules never see it: they take explicit arguments and a struct cf_err.
 */
#ifndef CASEFILE_CTX_H
#define CASEFILE_CTX_H

#include <stdio.h>
#include <time.h>

#include "casefile/err.h"

struct vault;

/* Exit codes of DESIGN.md; listed in `casefile --help` and the README. */
enum cf_exit {
	CF_EXIT_OK = 0,		/* success */
	CF_EXIT_PROBLEM = 1,	/* verify/audit found a problem */
	CF_EXIT_USAGE = 2,	/* bad command line, unknown order/command */
	CF_EXIT_INPUT = 3,	/* some input was refused; the rest processed */
	CF_EXIT_DEADLINE = 4,	/* `due`: a deadline is within the window */
	CF_EXIT_INTERNAL = 5,	/* bug or system failure (disk, memory) */
	CF_EXIT_NOT_YET = 6,	/* `import`: the bundle has not arrived (yet) */
};

struct cf_ctx {
	char *vault_dir;	/* --vault, $CASEFILE_VAULT, ./casefile-vault */
	struct vault *vault;	/* opened by ctx_open_vault(), closed by main */
	int json;		/* --json: machine output on stdout */
	int quiet;		/* --quiet: only errors on stderr */
	int tty;		/* stderr is a terminal: progress allowed */
	long tz_offset;		/* display offset east of UTC, seconds (+8h) */
	char *tz_name;		/* "+08:00" style label for display */
	time_t now;		/* $CASEFILE_NOW / --now, else time(NULL) */
	unsigned bad_items;	/* inputs refused so far (exit 3 when > 0) */
	int no_wait;		/* --no-wait: a writer finding another fails */
	const struct cmd *cmd;	/* the command being run */
	int vault_after_cmd;	/* --vault given after the command's name */
	char *user, *host;	/* who the audit rows name (who.h), read once */
	const char *templates_dir; /* $CASEFILE_TEMPLATES when non-empty, or NULL */
	const char *fonts_dir;	/* $CASEFILE_FONTS as set, or NULL (pdf.h) */
	const char *passphrase;	/* $CASEFILE_PASSPHRASE as set (may be ""), or NULL */
	enum cf_exit open_exit;	/* ctx_open_vault failed with a system error
				   (disk full, I/O): main exits with this */
};

/*
 * Each command opens the vault itself (ctx_open_vault), after its
 * arguments are checked: a usage error is reported before a missing
 * vault, and some commands write only with an option (build --seal,
 * audit --repair) or need no vault for some forms.  So there is no
 * "needs a vault" flag for main to act on.
 */
enum cmd_flags {
	CMD_WRITES = 1 << 0,		/* run() writes to the vault's database;
					   without it ctx_open_vault() opens the
					   vault read-only, and --help does not
					   list --no-wait */
};

struct cmd {
	const char *name;
	const char *usage;	/* "casefile ingest ORDER FILE..." */
	const char *summary;	/* one line for `casefile --help` */
	const char *help;	/* full text for `casefile CMD --help` */
	unsigned flags;		/* enum cmd_flags */
	enum cf_exit (*run)(int argc, char **argv, struct cf_ctx *ctx);
};

/* The common options, as ctx_common_opt() knows them (cliopt.c's table). */
enum {
	CTX_OPT_VAULT = 0x1000,
	CTX_OPT_JSON,
	CTX_OPT_QUIET,
	CTX_OPT_TZ,
	CTX_OPT_NOW,
	CTX_OPT_HELP,
	CTX_OPT_NOWAIT,
};

/*
 * Apply one common option (cli_parse calls it).  Returns 1 when applied, 0
 * when c is not a common option, and -1 on a bad value (message already
 * printed; exit 2).  --help prints the command's help to stdout and
 * returns 2: the caller returns CF_EXIT_OK.
 */
int ctx_common_opt(struct cf_ctx *ctx, int c, const char *arg);

/*
 * Open ctx->vault_dir unless already open; prints the error on failure.
 * Read-only (never waiting for a writer) unless ctx->cmd has CMD_WRITES;
 * a writing command that has to wait for another writer says so on stderr
 * once (unless --quiet) and waits, or with --no-wait fails at once.
 */
int ctx_open_vault(struct cf_ctx *ctx);
/* The same, choosing: writes != 0 opens for writing whatever the flags. */
int ctx_open_vault_for(struct cf_ctx *ctx, int writes);

/*
 * Evidence paths named on the command line (ingest FILE, import BUNDLE) are
 * not followed when they are symbolic links, unless --follow-links: a
 * prepared folder's `*` could otherwise store /etc/passwd.  Returns 1 after
 * printing "'path' is a symbolic link to 'target': refused (...)" when path
 * itself is a link (dangling or not), 0 when it is not or cannot be read
 * (the caller's own open reports that).
 */
int ctx_refuse_link(struct cf_ctx *ctx, const char *path);
/*
 * The same message without printing it (malloc'd), or NULL: for a thread
 * that hands its messages to another one to print in order.
 */
char *ctx_link_refusal_new(const char *path);

/* "casefile: <msg>" on stderr; returns CF_EXIT_USAGE after usage + hint. */
enum cf_exit ctx_usage(struct cf_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print "casefile: <err->msg>" and return the exit code for err->code. */
enum cf_exit ctx_fail(struct cf_ctx *ctx, struct cf_err *err);
/* "casefile: warning: ..." on stderr unless --quiet. */
void ctx_warn(struct cf_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "casefile: ..." on stderr, always (errors are never silenced). */
void ctx_error(struct cf_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A result line on stdout (no prefix) unless --quiet or --json. */
void ctx_info(struct cf_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * --reason R: the dispute reason's canonical name into *out (static).
 * Returns 0, or -1 after printing "--reason: ..." as a usage error.
 */
int ctx_parse_reason(struct cf_ctx *ctx, const char *arg, const char **out);
/*
 * --tsa-timeout SEC (NULL: not given, *out untouched): seconds in (0, 600].
 * Returns 0, or -1 after printing a usage error.
 */
int ctx_parse_tsa_timeout(struct cf_ctx *ctx, const char *arg, double *out);
/* Map an error status to the exit code of DESIGN.md. */
enum cf_exit ctx_exit_for(enum cf_status code);

/*
 * Format a UTC instant in the display zone as "2025-05-03 10:12:00 +08:00"
 * into buf (at least 32 bytes).  Returns buf.
 */
char *ctx_fmt_time(const struct cf_ctx *ctx, long long utc, char *buf, size_t n);

/*
 * The terminal width of UTF-8 s: CJK and other wide characters (U+1100 and
 * up, from the three-byte range) count 2, others 1.
 */
int ctx_text_width(const char *s);
/*
 * Append s to b on one line: a line break becomes "⏎", CR and tabs a
 * space, so that columns stay aligned (check, show).
 */
struct cf_buf;
void ctx_add_oneline(struct cf_buf *b, const char *s);
/* A malloc'd one-line copy of s (ctx_add_oneline). */
char *ctx_oneline(const char *s);
/*
 * msg ("no evidence for order 'X'") on stderr, followed by "; did you
 * mean Y?" with the vault's nearest order ids when some are near.
 */
void ctx_no_order(struct cf_ctx *ctx, const char *msg, const char *order);

/* Print s to f padded with spaces to width columns (at least one space). */
void ctx_print_cell(FILE *f, const char *s, int width);

#endif

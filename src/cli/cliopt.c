/* SPDX-License-Identifier: MIT */
/*
 * cliopt — one table-driven option parser for every command (cliopt.h).
 *
 * The common options and the command's table become one getopt_long
 * table whose values are indexes into a list of entries; each entry
 * counts how often it was given, which is how a repeat is refused.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/cliopt.h"
#include "casefile/xalloc.h"

/* The common options: ctx_common_opt() applies them. */
static const struct {
	const char *name;
	char letter;
	enum cli_arg arg;
	int ctx_opt;
} common[] = {
	{ "vault", 0, CLI_VALUE, CTX_OPT_VAULT },
	{ "json", 0, CLI_FLAG, CTX_OPT_JSON },
	{ "quiet", 'q', CLI_FLAG, CTX_OPT_QUIET },
	{ "tz", 0, CLI_VALUE, CTX_OPT_TZ },
	{ "now", 0, CLI_VALUE, CTX_OPT_NOW },
	{ "no-wait", 0, CLI_FLAG, CTX_OPT_NOWAIT },
	{ "help", 'h', CLI_FLAG, CTX_OPT_HELP },
};
#define NCOMMON (sizeof(common) / sizeof(common[0]))
#define VAL_BASE 0x1000	/* getopt value of entry i: VAL_BASE + i */

struct entry {
	const char *name;
	char letter;
	enum cli_arg arg;
	int ctx_opt;			/* a common option, else 0 */
	const struct cli_opt *opt;	/* the command's, else NULL */
	unsigned seen;
};

static int
has_arg(enum cli_arg a)
{
	return a == CLI_VALUE ? required_argument
			      : a == CLI_OPTIONAL ? optional_argument : no_argument;
}

/* Apply one occurrence of e; 0, 1 after --help, -1 after a usage error. */
static int
apply(struct cf_ctx *ctx, struct entry *e, const char *arg)
{
	const struct cli_opt *o = e->opt;
	int r;

	if (o && o->value == NULL && o->given == NULL) {
		ctx_usage(ctx, "option '--%s' does not apply here", e->name);
		return -1;
	}
	if (e->seen++) {
		ctx_usage(ctx, "option '--%s' given twice", e->name);
		return -1;
	}
	if (e->ctx_opt) {
		r = ctx_common_opt(ctx, e->ctx_opt, arg);
		return r < 0 ? -1 : r == 2 ? 1 : 0;
	}
	if (o->arg != CLI_FLAG && arg && *arg == '\0' && (o->flags & CLI_NONEMPTY)) {
		ctx_usage(ctx, "option '--%s' needs a value", e->name);
		return -1;
	}
	if (o->given)
		*o->given = 1;
	if (o->value)
		*o->value = o->arg == CLI_FLAG ? "" : arg ? arg : "";
	return 0;
}

/*
 * The parser: stop_at_operand for the global options before the command
 * name (getopt's "+"), with the command's options permuted otherwise.
 */
static int
parse(struct cf_ctx *ctx, int argc, char **argv, const struct cli_opt *opts,
      int stop_at_operand, int *first)
{
	size_t n = 0, i, k = 0;
	struct entry *ent;
	struct option *lo;
	char *shorts, *sp;
	int c, ret = 0;

	while (opts && opts[n].name)
		n++;
	ent = xcalloc(NCOMMON + n, sizeof(*ent));
	lo = xcalloc(NCOMMON + n + 1, sizeof(*lo));
	sp = shorts = xmalloc(3 * (NCOMMON + n) + 3);
	if (stop_at_operand)
		*sp++ = '+';
	*sp++ = ':';	/* a missing value returns ':' */
	for (i = 0; i < NCOMMON + n; i++) {
		struct entry *e = &ent[i];

		if (i < NCOMMON) {
			e->name = common[i].name;
			e->letter = common[i].letter;
			e->arg = common[i].arg;
			e->ctx_opt = common[i].ctx_opt;
		} else {
			e->opt = &opts[i - NCOMMON];
			e->name = e->opt->name;
			e->letter = e->opt->letter;
			e->arg = e->opt->arg;
		}
		lo[k].name = e->name;
		lo[k].has_arg = has_arg(e->arg);
		lo[k].val = VAL_BASE + (int)i;
		k++;
		if (e->letter) {
			*sp++ = e->letter;
			if (e->arg != CLI_FLAG)
				*sp++ = ':';
			if (e->arg == CLI_OPTIONAL)
				*sp++ = ':';
		}
	}
	*sp = '\0';
	optind = 0;	/* start afresh: the mode ("+") may have changed */
	opterr = 0;
	while (ret == 0 && (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		struct entry *e = NULL;

		if (c == '?' || c == ':') {
			const char *a = argv[optind - 1];

			if (optopt && optopt < VAL_BASE && a[0] == '-' && a[1] != '-')
				ctx_usage(ctx, c == ':' ? "option '-%c' needs a value"
							: "unknown option '-%c'", optopt);
			else
				ctx_usage(ctx, c == ':' ? "option '%s' needs a value"
							: "unknown option '%s'", a);
			ret = -1;
			break;
		}
		if (c >= VAL_BASE)
			e = &ent[c - VAL_BASE];
		else
			for (i = 0; i < NCOMMON + n && e == NULL; i++)
				if (ent[i].letter == c)
					e = &ent[i];
		if (e == NULL)
			CF_BUG("getopt returned an option not in the table");
		ret = apply(ctx, e, optarg);
		if (e->ctx_opt == CTX_OPT_VAULT && !stop_at_operand)
			ctx->vault_after_cmd = 1;
	}
	*first = optind;
	free(ent);
	free(lo);
	free(shorts);
	return ret;
}

int
cli_parse(struct cf_ctx *ctx, int argc, char **argv, const struct cli_opt *opts, int *first)
{
	return parse(ctx, argc, argv, opts, 0, first);
}

int
cli_parse_global(struct cf_ctx *ctx, int argc, char **argv, const struct cli_opt *opts,
		 int *first)
{
	return parse(ctx, argc, argv, opts, 1, first);
}

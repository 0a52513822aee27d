/* SPDX-License-Identifier: MIT */
/*
 * cliopt — the one option parser of the commands.
 *
 * A command describes its options in a table (struct cli_opt, ended by an
 * entry with name NULL); cli_parse() reads argv with getopt_long, applies
 * the common options (--vault, --json, --quiet, --tz, --now, --no-wait,
 * --help) to the context and stores each of the command's own options
 * where its entry points.  Options and operands may be mixed; "--" ends
 * the options.
 *
 * The rule for repeats, the same for every command and every option: an
 * option given twice (by its long name, its letter, or both) is a usage
 * error, exit 2: "option '--output' given twice".  A global option before
 * the command name and the same option after it are two places, not a
 * repeat: the one after the command wins.
 */
#ifndef CASEFILE_CLIOPT_H
#define CASEFILE_CLIOPT_H

#include "casefile/ctx.h"

enum cli_arg {
	CLI_FLAG,		/* no value: *given = 1 */
	CLI_VALUE,		/* --name VALUE or --name=VALUE: *value = VALUE */
	CLI_OPTIONAL,		/* --name or --name=VALUE: *value = VALUE or "" */
};

enum cli_opt_flags {
	CLI_NONEMPTY = 1 << 0,	/* an empty VALUE is a usage error */
};

struct cli_opt {
	const char *name;	/* long name without "--" */
	char letter;		/* short form, or 0 */
	enum cli_arg arg;
	const char **value;	/* CLI_VALUE, CLI_OPTIONAL: where the value goes */
	int *given;		/* set to 1 when given; may be NULL for values */
	unsigned flags;		/* enum cli_opt_flags */
};

/*
 * Parse argv[1..] (argv[0] is the command's name) against opts.  An entry
 * with both value and given NULL names an option that exists but does not
 * apply here (a sibling subcommand's): giving it is a usage error.
 * Returns 0 with *first set to the index of the first operand (operands are
 * moved after the options), 1 after --help was printed (exit 0), or -1
 * after a usage error was printed (exit 2).
 */
int cli_parse(struct cf_ctx *ctx, int argc, char **argv, const struct cli_opt *opts,
	      int *first);

/*
 * The same for the global options before the command name (main): stops
 * at the first operand, the command's name, which *first indexes.
 */
int cli_parse_global(struct cf_ctx *ctx, int argc, char **argv, const struct cli_opt *opts,
		     int *first);

/* cli_parse's result as the exit code for `return`: 1 → OK, -1 → USAGE. */
#define CLI_PARSE_EXIT(r) ((r) > 0 ? CF_EXIT_OK : CF_EXIT_USAGE)

#endif

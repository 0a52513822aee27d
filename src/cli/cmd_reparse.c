/* SPDX-License-Identifier: MIT */
/*
 * cmd_reparse — `casefile reparse [ORDER...]`: rebuild the parsed rows of
 * the vault (or of the orders named) from the sealed originals, in one
 * transaction, naming every row it rewrote (rederive_repair).
 */
#include <stdio.h>

#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/jout.h"
#include "casefile/rederive.h"

struct shown {
	struct cf_ctx *ctx;
	struct rederive *r;
};

static void
on_row(void *cookie, const struct cf_err *why)
{
	struct shown *s = cookie;

	if (why)
		ctx_error(s->ctx, "%s: not rebuilt from its original", why->msg);
	else if (!s->ctx->quiet)
		printf("rebuilt: %s: %s\n", rederive_subject(s->r), rederive_detail(s->r));
}

static enum cf_exit
run_reparse(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct rederive_tally t;
	struct shown s = { ctx, NULL };
	enum cf_exit rc = CF_EXIT_OK;
	int first, i;

	if ((i = cli_parse(ctx, argc, argv, NULL, &first)) != 0)
		return CLI_PARSE_EXIT(i);
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (rederive_open(ctx->vault, &s.r, &err) < 0 ||
	    rederive_repair_orders(s.r, argv + first, argc - first, on_row, &s, &t, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	if (ctx->json)
		jout_print(json_pack("{s:I,s:I,s:I}", "checked", JI(t.checked), "rebuilt",
				     JI(t.rebuilt), "not_rebuilt", JI(t.refused)));
	else if (!ctx->quiet)
		printf("%llu evidence rows re-parsed: %llu rebuilt, %llu could not be rebuilt\n",
		       t.checked, t.rebuilt, t.refused);
	if (t.refused)
		rc = CF_EXIT_PROBLEM;
out:
	rederive_close(s.r);
	cf_err_release(&err);
	return rc;
}

const struct cmd cmd_reparse = {
	.name = "reparse",
	.usage = "casefile reparse [ORDER...]",
	.summary = "rebuild the parsed rows from the sealed originals",
	.help = "Parses every original of the vault (or of the orders named) again, as\n"
		"ingest did, and where the stored parsed rows (messages, order records,\n"
		"logistics, media facts, warnings) are not what the original says,\n"
		"replaces them with what it says, naming each item rewritten.  The rows\n"
		"are a function of the sealed originals, so this can only put back the\n"
		"truth: after rows were edited in the database, or after an upgrade whose\n"
		"parsers read a format differently ('casefile audit' lists both as\n"
		"'facts' problems).  One transaction: all or nothing.  An item whose\n"
		"original is missing or changed, or whose evidence row or note is not\n"
		"what the ledger sealed, is not touched and is named.\n"
		"\nexit codes: 0 ok (rebuilt or nothing to do); 1 an item could not be\n"
		"rebuilt; 2 no vault; 5 internal error\n",
	.flags = CMD_WRITES,
	.run = run_reparse,
};

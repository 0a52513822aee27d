/* SPDX-License-Identifier: MIT */
/*
 * cmd_init — `casefile init`: create a vault.
 */
#include <stdio.h>

#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/jout.h"
#include "casefile/vault.h"

static enum cf_exit
run_init(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	enum cf_exit rc;
	int first, r;

	if ((r = cli_parse(ctx, argc, argv, NULL, &first)) != 0)
		return CLI_PARSE_EXIT(r);
	if (first < argc)
		return ctx_usage(ctx, "init takes no arguments (use --vault DIR)");
	if (vault_init(ctx->vault_dir, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		cf_err_release(&err);
		return rc == CF_EXIT_INPUT ? CF_EXIT_USAGE : rc;
	}
	if (ctx->json)
		jout_print(json_pack("{s:o,s:b}", "vault", jout_str(ctx->vault_dir), "created", 1));
	else
		ctx_info(ctx, "initialised vault '%s'", ctx->vault_dir);
	return CF_EXIT_OK;
}

const struct cmd cmd_init = {
	.name = "init",
	.usage = "casefile init [--vault DIR]",
	.summary = "create an evidence vault (default ./casefile-vault)",
	.help = "Creates the vault folder with its database (casefile.db), objects/,\n"
		"tmp/ and keys/.  Refuses a folder that is not empty and not a vault.\n"
		"\nexample:\n  casefile init --vault /srv/shop-evidence\n",
	.flags = 0,
	.run = run_init,
};

/* SPDX-License-Identifier: MIT */
#include "casefile/commands.h"
static enum cf_exit
run_export(int argc, char **argv, struct cf_ctx *ctx)
{
	(void)argc; (void)argv;
	return ctx_usage(ctx, "not yet");
}
const struct cmd cmd_export = {
	.name = "export", .usage = "casefile export", .summary = "x", .run = run_export,
};

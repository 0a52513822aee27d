#include "casefile/commands.h"
static enum cf_exit run_stats(int argc, char **argv, struct cf_ctx *ctx) { (void)argc; (void)argv; (void)ctx; return 0; }
const struct cmd cmd_stats = { .name = "stats", .usage = "x", .summary = "x", .run = run_stats };

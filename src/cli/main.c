/* SPDX-License-Identifier: MIT */
/*
 * main — global options, the command table, and the exit code.
 *
 * casefile [--vault DIR] [--json] [--quiet] [--tz ZONE] COMMAND [ARGS]
 *
 * Only main.c and the cmd_*.c files print errors or choose exit codes.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/cftime.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/ctx.h"
#include "casefile/media_dl.h"
#include "casefile/objstore.h"
#include "casefile/templates.h"
#include "casefile/tmpdir.h"
#include "casefile/vault.h"
#include "casefile/version.h"
#include "casefile/who.h"
#include "casefile/xalloc.h"

static const struct cmd *const commands[] = {
	/* vault and ingest */
	&cmd_init,
	&cmd_ingest,
	&cmd_list,
	&cmd_show,
	&cmd_tag,
	&cmd_exclude,
	&cmd_include,

	/* dossier */
	&cmd_build,

	/* keys, signing, verification */
	&cmd_keygen,
	&cmd_sign,
	&cmd_verify,
	&cmd_extend,

	/* ledger, seal, audit */
	&cmd_seal,
	&cmd_log,
	&cmd_audit,
	&cmd_reparse,

	/* bundles and export */
	&cmd_import,
	&cmd_export,
	&cmd_config,

	/* disputes */
	&cmd_dispute, &cmd_due, &cmd_check, &cmd_stats, &cmd_statement,

	/* submission kit */
	&cmd_pack,

};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
print_help(FILE *f)
{
	size_t i;

	fputs("usage: casefile [--vault DIR] [--json] [--quiet] [--tz ZONE] [--no-wait] COMMAND [ARGS]\n"
	      "\n"
	      "Keep refund-dispute evidence in a tamper-evident vault and build signed,\n"
	      "timestamped PDF dossiers for platform arbitration.\n"
	      "\n"
	      "commands:\n", f);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
	fputs("\n"
	      "vault: --vault DIR, else $CASEFILE_VAULT, else ./casefile-vault\n"
	      "times are stored in UTC and shown in China Standard Time (+08:00) unless\n"
	      "--tz ZONE: UTC, CST (Asia/Shanghai) or a fixed offset such as +09:00\n"
	      "commands that only read never wait for a writer; one that writes waits\n"
	      "for another writer (saying so), or with --no-wait fails at once (exit 5)\n"
	      "\n"
	      "exit codes:\n"
	      "  0  ok\n"
	      "  1  verify or audit found a problem\n"
	      "  2  usage error (bad option, unknown command or order)\n"
	      "  3  bad input: something was refused, the rest was processed; or a remote\n"
	      "     service (TSA, object store, PostgreSQL server) could not be reached\n"
	      "  4  deadline alert (from 'due')\n"
	      "  5  internal error: a bug, or the system failed (disk full, out of memory);\n"
	      "     with --no-wait: another command was writing to the vault\n"
	      "\n"
	      "'casefile COMMAND --help' describes one command.\n", f);
}

/* Flush stdout; a failed write (disk full, closed pipe) is an error. */
static enum cf_exit
finish_stdout(enum cf_exit rc)
{
	if ((fflush(stdout) != 0 || ferror(stdout)) && rc == CF_EXIT_OK) {
		fprintf(stderr, "casefile: cannot write to standard output\n");
		return CF_EXIT_INTERNAL;
	}
	return rc;
}

static const struct cmd *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static void
ctx_defaults(struct cf_ctx *ctx)
{
	const char *env;
	struct cf_err err = CF_ERR_INIT;
	long long t;

	memset(ctx, 0, sizeof(*ctx));
	env = getenv("CASEFILE_VAULT");
	ctx->vault_dir = xstrdup(env && *env ? env : "casefile-vault");
	ctx->tz_offset = CFTIME_CST_OFFSET;
	ctx->tz_name = xstrdup("+08:00");
	ctx->tty = isatty(STDERR_FILENO);
	/* The environment inputs of modules below cli, read here once
	   (README, Development): they never call getenv themselves. */
	env = getenv("CASEFILE_TEMPLATES");
	ctx->templates_dir = env && *env ? env : NULL;
	templates_set_env(ctx->templates_dir);
	ctx->fonts_dir = getenv("CASEFILE_FONTS");
	media_dl_set_path(getenv("CASEFILE_MEDIA_LIB"));
	cf_tmpdir_set(getenv("TMPDIR"));
	vault_test_refuse_direct(getenv("CASEFILE_TEST_REFUSE_DIRECT"));
	objstore_test_hooks(getenv("CASEFILE_TEST_S3_COPY_MAX"), getenv("CASEFILE_TEST_S3_RETRY_MS"));
	objstore_set_env(&(struct objstore_env){
		.access_key = getenv("AWS_ACCESS_KEY_ID"),
		.secret_key = getenv("AWS_SECRET_ACCESS_KEY"),
		.session_token = getenv("AWS_SESSION_TOKEN"),
		.profile = getenv("AWS_PROFILE"),
		.credentials_file = getenv("AWS_SHARED_CREDENTIALS_FILE"),
		.home = getenv("HOME"),
		.region = getenv("AWS_REGION"),
		.default_region = getenv("AWS_DEFAULT_REGION"),
		.endpoint_s3 = getenv("AWS_ENDPOINT_URL_S3"),
		.endpoint = getenv("AWS_ENDPOINT_URL"),
	});
	ctx->passphrase = getenv("CASEFILE_PASSPHRASE");
	ctx->user = who_user_new(getenv("USER"));
	ctx->host = who_host_new();
	ctx->now = time(NULL);
	env = getenv("CASEFILE_NOW");
	if (env && *env) {
		if (cftime_parse(env, strlen(env), &t, &err) == 0)
			ctx->now = (time_t)t;
		else
			fprintf(stderr, "casefile: warning: ignoring CASEFILE_NOW: %s\n", err.msg);
		cf_err_release(&err);
	}
}

static void
ctx_release(struct cf_ctx *ctx)
{
	vault_close(ctx->vault);
	ctx->vault = NULL;
	free(ctx->vault_dir);
	free(ctx->tz_name);
	free(ctx->user);
	free(ctx->host);
}

int
main(int argc, char **argv)
{
	struct cf_ctx ctx;
	const struct cmd *cmd;
	enum cf_exit rc;
	int i, r, version = 0;
	const struct cli_opt global_opts[] = {
		{ "version", 0, CLI_FLAG, NULL, &version, 0 },
		{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
	};

	setlocale(LC_CTYPE, "C.UTF-8");
	ctx_defaults(&ctx);
	/* Global options, before the command name. */
	if ((r = cli_parse_global(&ctx, argc, argv, global_opts, &i)) != 0 || version) {
		if (r > 0)
			print_help(stdout);
		else if (r == 0)
			printf("casefile %s\n", CASEFILE_VERSION);
		ctx_release(&ctx);
		return r < 0 ? CF_EXIT_USAGE : finish_stdout(CF_EXIT_OK);
	}
	if (i >= argc) {
		print_help(stderr);
		ctx_release(&ctx);
		return CF_EXIT_USAGE;
	}
	if (!strcmp(argv[i], "help")) {
		if (i + 1 < argc && (cmd = find_command(argv[i + 1])) != NULL) {
			char *hargv[] = { argv[i + 1], "--help", NULL };

			ctx.cmd = cmd;
			rc = cmd->run(2, hargv, &ctx);
		} else {
			print_help(stdout);
			rc = CF_EXIT_OK;
		}
		goto out;
	}
	cmd = find_command(argv[i]);
	if (cmd == NULL) {
		ctx_usage(&ctx, "'%s' is not a casefile command", argv[i]);
		ctx_release(&ctx);
		return CF_EXIT_USAGE;
	}
	ctx.cmd = cmd;
	rc = cmd->run(argc - i, argv + i, &ctx);
	if (ctx.open_exit != CF_EXIT_OK && rc == CF_EXIT_USAGE)
		rc = ctx.open_exit;	/* the commands say 2 for any failed open */
out:
	rc = finish_stdout(rc);
	ctx_release(&ctx);
	return (int)rc;
}

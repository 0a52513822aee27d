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
	struct vault_objects o = { NULL, NULL, NULL, NULL, NULL };
	enum cf_exit rc;
	int first, r;
	const struct cli_opt opts[] = {
		{ "db", 0, CLI_VALUE, &o.db, NULL, CLI_NONEMPTY },
		{ "objects", 0, CLI_VALUE, &o.url, NULL, CLI_NONEMPTY },
		{ "objects-endpoint", 0, CLI_VALUE, &o.endpoint, NULL, CLI_NONEMPTY },
		{ "objects-region", 0, CLI_VALUE, &o.region, NULL, CLI_NONEMPTY },
		{ "objects-retention", 0, CLI_VALUE, &o.retention, NULL, CLI_NONEMPTY },
		{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
	};

	if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
		return CLI_PARSE_EXIT(r);
	if (first < argc)
		return ctx_usage(ctx, "init takes no arguments (use --vault DIR)");
	if (!o.url && (o.endpoint || o.region || o.retention))
		return ctx_usage(ctx, "--objects-endpoint, --objects-region and "
				 "--objects-retention need --objects s3://BUCKET/PREFIX");
	/*
	 * An unreachable or refusing store (CF_ENET) keeps its own exit code
	 * (3); bad settings, like every other refusal of init, are usage (2).
	 */
	if (vault_init_objects(ctx->vault_dir, &o, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		if (err.code == CF_ENET)
			rc = CF_EXIT_INPUT;
		else if (rc == CF_EXIT_INPUT)
			rc = CF_EXIT_USAGE;
		cf_err_release(&err);
		return rc;
	}
	if (ctx->json)
		jout_print(json_pack("{s:o,s:b,s:o,s:s}", "vault", jout_str(ctx->vault_dir),
				     "created", 1, "objects",
				     o.url ? jout_str(o.url) : json_string("local"), "db",
				     o.db ? "postgresql" : "sqlite"));
	else {
		if (o.db)
			ctx_info(ctx, "the vault's records are kept in PostgreSQL (URL in %s/database)",
				 ctx->vault_dir);
		if (o.url)
			ctx_info(ctx, "objects are kept in %s%s%s", o.url,
				 o.retention ? ", locked for " : "", o.retention ? o.retention : "");
		ctx_info(ctx, "initialised vault '%s'", ctx->vault_dir);
		ctx_info(ctx, "no TSA is set, so seals and dossiers carry no trusted time: "
			 "casefile config tsa.url URL (README, \"Choosing a TSA\")");
	}
	return CF_EXIT_OK;
}

const struct cmd cmd_init = {
	.name = "init",
	.usage = "casefile init [--vault DIR] [--db postgresql://...]\n"
		 "                     [--objects s3://BUCKET/PREFIX\n"
		 "                     [--objects-endpoint URL] [--objects-region R]\n"
		 "                     [--objects-retention 3y]]",
	.summary = "create an evidence vault (default ./casefile-vault)",
	.help = "Creates the vault folder with its database (casefile.db), objects/,\n"
		"tmp/ and keys/.  Refuses a folder that is not empty and not a vault.\n"
		"\n"
		"With --objects the originals go to an S3-compatible store (AWS S3, Ceph\n"
		"RADOS Gateway, MinIO, OSS, COS, OBS) instead of objects/, named by SHA-256\n"
		"under PREFIX; the database stays in the folder.  Endpoint and region come\n"
		"from the options (kept in the vault) or AWS_ENDPOINT_URL and AWS_REGION;\n"
		"credentials only from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the\n"
		"credentials file (~/.aws/credentials, mode 600).  --objects-retention\n"
		"locks each object (S3 Object Lock, compliance mode) for that long and\n"
		"needs a bucket made with Object Lock.  The store is checked first:\n"
		"unreachable, wrong credentials, no such bucket or no Object Lock exit 3\n"
		"and create nothing.\n"
		"\n"
		"With --db the records (the tables and the ledger) go to a PostgreSQL\n"
		"database instead of casefile.db; its URL (libpq's, e.g.\n"
		"postgresql://casefile@db.example/evidence, a password from ~/.pgpass) is\n"
		"kept in DIR/database, mode 600.  If that database already holds a vault,\n"
		"the folder joins it: several folders, on several machines, then import\n"
		"into and seal the one vault (its objects must be in a shared store).\n"
		"See README, \"Scaling out\".\n"
		"\nexamples:\n  casefile init --vault /srv/shop-evidence\n"
		"  casefile init --vault /srv/shop --objects s3://evidence/shop1 \\\n"
		"      --objects-endpoint http://127.0.0.1:7480 --objects-retention 3y\n"
		"  casefile init --vault /srv/wh2 --db postgresql://casefile@db/evidence \\\n"
		"      --objects s3://evidence/shop1\n",
	.flags = 0,
	.run = run_init,
};

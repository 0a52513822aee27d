/* SPDX-License-Identifier: MIT */
/*
 * cmd_migrate — `casefile migrate`: copy an embedded vault into PostgreSQL
 * and/or an S3-compatible store (migrate.h does the work).
 */
#include <stdio.h>

#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/jout.h"
#include "casefile/migrate.h"
#include "casefile/vault.h"

/* Progress on a terminal only: one line rewritten in place. */
static void
progress(void *arg, const char *what, uint64_t done, uint64_t total)
{
	struct cf_ctx *ctx = arg;

	if (!ctx->tty || ctx->quiet)
		return;
	fprintf(stderr, "\rcasefile: migrating %s: %llu/%llu", what, (unsigned long long)done,
		(unsigned long long)total);
	if (done == total)
		fputc('\n', stderr);
}

static void
print_report(struct cf_ctx *ctx, const struct migrate_opts *o, const struct migrate_report *r)
{
	const char *objects = r->objects_url ? r->objects_url : "local";

	if (ctx->json) {
		jout_print(json_pack("{s:o,s:o,s:o,s:s,s:o,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b}",
				     "vault", jout_str(o->to), "from", jout_str(ctx->vault_dir),
				     "vault_id", jout_str(r->vault_id), "db",
				     o->target.db ? "postgresql" : "sqlite", "objects",
				     jout_str(objects), "objects_copied", (json_int_t)r->objects,
				     "objects_new", (json_int_t)r->objects_new, "objects_present",
				     (json_int_t)r->objects_present, "bytes", (json_int_t)r->bytes,
				     "tables", (json_int_t)r->tables, "rows", (json_int_t)r->rows,
				     "leaves", (json_int_t)r->leaves, "heads", (json_int_t)r->heads,
				     "annotations", (json_int_t)r->annotations, "restarted",
				     r->restarted));
		return;
	}
	if (r->restarted)
		ctx_info(ctx, "an unfinished earlier migration of this vault was cleared and done "
			 "again");
	ctx_info(ctx, "objects: %llu copied and checked (%llu bytes; %llu already in the "
		 "store, read back)", (unsigned long long)r->objects, (unsigned long long)r->bytes,
		 (unsigned long long)r->objects_present);
	ctx_info(ctx, "rows: %llu in %llu tables, ids kept", (unsigned long long)r->rows,
		 (unsigned long long)r->tables);
	if (r->heads)
		ctx_info(ctx, "ledger: %llu leaves recomputed, the same root at all %llu heads",
			 (unsigned long long)r->leaves, (unsigned long long)r->heads);
	else
		ctx_info(ctx, "ledger: %llu leaves recomputed (no sealed head yet)",
			 (unsigned long long)r->leaves);
	if (o->target.db)
		ctx_info(ctx, "records in PostgreSQL (URL in %s/database)", o->to);
	if (r->objects_url)
		ctx_info(ctx, "objects in %s", r->objects_url);
	ctx_info(ctx, "migrated vault %s from '%s' to '%s'", r->vault_id, ctx->vault_dir, o->to);
}

static enum cf_exit
run_migrate(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct migrate_opts o = { 0 };
	struct migrate_report rep = { 0 };
	enum cf_exit rc = CF_EXIT_OK;
	int first, r;
	const struct cli_opt opts[] = {
		{ "to", 0, CLI_VALUE, &o.to, NULL, CLI_NONEMPTY },
		{ "db", 0, CLI_VALUE, &o.target.db, NULL, CLI_NONEMPTY },
		{ "objects", 0, CLI_VALUE, &o.target.url, NULL, CLI_NONEMPTY },
		{ "objects-endpoint", 0, CLI_VALUE, &o.target.endpoint, NULL, CLI_NONEMPTY },
		{ "objects-region", 0, CLI_VALUE, &o.target.region, NULL, CLI_NONEMPTY },
		{ "objects-retention", 0, CLI_VALUE, &o.target.retention, NULL, CLI_NONEMPTY },
		{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
	};

	if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
		return CLI_PARSE_EXIT(r);
	if (first < argc)
		return ctx_usage(ctx, "migrate takes no arguments (the source is --vault DIR)");
	if (o.to == NULL)
		return ctx_usage(ctx, "migrate needs --to DIR, the new vault's folder");
	if (o.target.db == NULL && o.target.url == NULL)
		return ctx_usage(ctx, "migrate needs --db postgresql://... or --objects "
				 "s3://BUCKET/PREFIX, or both");
	if (o.target.db && !db_is_url(o.target.db))
		return ctx_usage(ctx, "--db takes a postgresql:// URL, not '%s'", o.target.db);
	if (!o.target.url && (o.target.endpoint || o.target.region || o.target.retention))
		return ctx_usage(ctx, "--objects-endpoint, --objects-region and "
				 "--objects-retention need --objects s3://BUCKET/PREFIX");
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	o.no_wait = ctx->no_wait;
	o.progress = progress;
	o.arg = ctx;
	if (migrate_run(ctx->vault, &o, &rep, &err) < 0) {
		/* as init: an unreachable server or store exits 3, a refusal 2 */
		rc = ctx_fail(ctx, &err);
		if (err.code == CF_ENET)
			rc = CF_EXIT_INPUT;
		else if (err.code == CF_EINPUT)
			rc = CF_EXIT_USAGE;
		cf_err_release(&err);
	} else {
		print_report(ctx, &o, &rep);
	}
	migrate_report_release(&rep);
	return rc;
}

const struct cmd cmd_migrate = {
	.name = "migrate",
	.usage = "casefile migrate [--vault SRC] --to DIR [--db postgresql://...]\n"
		 "                        [--objects s3://BUCKET/PREFIX\n"
		 "                        [--objects-endpoint URL] [--objects-region R]\n"
		 "                        [--objects-retention 3y]]",
	.summary = "copy an embedded vault into PostgreSQL and/or S3 (a new vault folder)",
	.help = "Copies the vault SRC (--vault, SQLite and objects/) into the scaled\n"
		"deployment as a new vault folder DIR: with --db its records go to that\n"
		"PostgreSQL database, with --objects its originals go to that S3-compatible\n"
		"store (options as for init); give either or both.  Without --objects the\n"
		"objects stay where SRC keeps them (copied into DIR/objects/ when local).\n"
		"SRC is only read; it is held alone while it is copied (other casefile\n"
		"commands on it wait, or with --no-wait migrate fails at once).\n"
		"\n"
		"Every object is uploaded with its SHA-256 checked by the store (one already\n"
		"there is read back and hashed); every table is copied row for row with its\n"
		"ids in one transaction, in which the ledger is recomputed before the commit:\n"
		"the root at every sealed head, and every evidence row and annotation against\n"
		"its leaf.  keys/, checkpoints/ and the vault's other files come along, and\n"
		"the vault id and settings are kept: dossiers built from SRC verify against\n"
		"DIR.  The new vault is made in DIR.migrating and renamed to DIR at the end;\n"
		"after a failure, run the same command again: the unfinished copy is\n"
		"cleared and done again, never duplicated.\n"
		"\n"
		"Refused (exit 2): DIR exists and is not empty, a target database that is\n"
		"not empty, a SRC whose records are in PostgreSQL already.  An unreachable\n"
		"server, wrong credentials or a missing bucket exit 3 and create nothing.\n"
		"An object or a leaf that does not check exits 1.  See README, \"Scaling out\".\n"
		"\nexamples:\n"
		"  casefile migrate --vault /srv/shop --to /srv/shop-scaled \\\n"
		"      --db postgresql://casefile@db/evidence --objects s3://evidence/shop1 \\\n"
		"      --objects-endpoint http://127.0.0.1:7480\n"
		"  casefile migrate --vault /srv/shop --to /srv/shop-pg --db postgresql:///evidence\n",
	.flags = 0,
	.run = run_migrate,
};

/* SPDX-License-Identifier: MIT */
/*
 * cmd_reparse — `casefile reparse [ORDER...]`: rebuild the parsed rows of
 * the vault (or of the orders named) from the sealed originals, in one
 * transaction, naming every row it rewrote (rederive_repair).
 */
#include <stdio.h>
#include <string.h>

#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/db_sqlite.h"
#include "casefile/jout.h"
#include "casefile/db.h"
#include "casefile/rederive.h"
#include "casefile/vault.h"

static enum cf_exit
run_reparse(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct rederive *r = NULL;
	sqlite3_stmt *st = NULL;
	struct cf_db *db;
	enum cf_exit rc = CF_EXIT_OK;
	unsigned long long checked = 0, rebuilt = 0, refused = 0;
	int first, i, step, began = 0;

	if ((i = cli_parse(ctx, argc, argv, NULL, &first)) != 0)
		return CLI_PARSE_EXIT(i);
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	db = vault_db(ctx->vault);
	if (rederive_open(ctx->vault, &r, &err) < 0 ||
	    db_prepare(db, "SELECT id FROM evidence WHERE ?1 IS NULL OR order_id = ?1 ORDER BY id",
		       &st, &err) < 0 || db_begin(db, &err) < 0)
		goto fail;
	began = 1;
	for (i = first; i < argc || (i == first && first == argc); i++) {
		if (i < argc)
			sqlite3_bind_text(st, 1, argv[i], -1, SQLITE_STATIC);
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 0);
			int changed, res;

			checked++;
			res = rederive_repair(r, id, &changed, &err);
			if (res < 0)
				goto fail;
			if (res > 0) {
				refused++;
				ctx_error(ctx, "%s: not rebuilt from its original", err.msg);
				cf_err_release(&err);
			} else if (changed) {
				rebuilt++;
				if (!ctx->quiet)
					printf("rebuilt: %s: %s\n", rederive_subject(r),
					       rederive_detail(r));
			}
		}
		sqlite3_reset(st);
		if (step != SQLITE_DONE) {
			db_err(db, &err, "cannot read the evidence rows");
			goto fail;
		}
		if (i >= argc)
			break;
	}
	if (db_commit(db, &err) < 0) {
		began = 0;
		goto fail;
	}
	began = 0;
	if (ctx->json)
		jout_print(json_pack("{s:I,s:I,s:I}", "checked", JI(checked), "rebuilt", JI(rebuilt),
				     "not_rebuilt", JI(refused)));
	else if (!ctx->quiet)
		printf("%llu evidence rows re-parsed: %llu rebuilt, %llu could not be rebuilt\n",
		       checked, rebuilt, refused);
	if (refused)
		rc = CF_EXIT_PROBLEM;
	goto out;
fail:
	rc = ctx_fail(ctx, &err);
out:
	if (began)
		db_rollback(db);
	sqlite3_finalize(st);
	rederive_close(r);
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
	.flags = CMD_NEEDS_VAULT | CMD_WRITES,
	.run = run_reparse,
};

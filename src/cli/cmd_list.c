/* SPDX-License-Identifier: MIT */
/*
 * cmd_list — `casefile list`: the orders in the vault with evidence counts.
 */
#include <stdio.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/db_sqlite.h"
#include "casefile/jout.h"
#include "casefile/db.h"
#include "casefile/vault.h"

static enum cf_exit
run_list(int argc, char **argv, struct cf_ctx *ctx)
{
	static const char sql[] =
		"SELECT order_id, count(*), sum(size), max(ingested_at),"
		" sum(kind = 'chat'), sum(kind = 'logistics'), sum(kind = 'order'),"
		" sum(kind = 'photo'), sum(kind = 'video'), sum(kind = 'receipt'),"
		" sum(kind = 'other'),"
		" (SELECT count(*) FROM warnings w JOIN evidence e2 ON e2.id = w.evidence_id"
		"   WHERE e2.order_id = e.order_id)"
		" FROM evidence e GROUP BY order_id ORDER BY order_id";
	static const char *const kinds[] = { "chat", "logistics", "order", "photo",
					     "video", "receipt", "other" };
	struct cf_err err = CF_ERR_INIT;
	sqlite3_stmt *st = NULL;
	json_t *list = NULL;
	enum cf_exit rc = CF_EXIT_OK;
	int first, r, k, n = 0;
	char when[40];

	if ((r = cli_parse(ctx, argc, argv, NULL, &first)) != 0)
		return CLI_PARSE_EXIT(r);
	if (first < argc)
		return ctx_usage(ctx, "list takes no arguments");
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (db_prepare(vault_db(ctx->vault), sql, &st, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	if (ctx->json)
		list = json_array();
	else if (!ctx->quiet)
		printf("%-20s %5s %12s  %-27s %s\n", "ORDER", "ITEMS", "BYTES", "LAST INGEST",
		       "KINDS");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *order = (const char *)sqlite3_column_text(st, 0);
		struct cf_buf kb = CF_BUF_INIT;

		if (ctx->json) {
			json_t *kj = json_object();

			for (k = 0; k < 7; k++)
				jout_set(kj, kinds[k], json_integer(sqlite3_column_int(st, 4 + k)));
			json_array_append_new(list, json_pack(
				"{s:o,s:i,s:I,s:I,s:i,s:o}", "order_id", jout_str(order),
				"items", sqlite3_column_int(st, 1),
				"bytes", JI(sqlite3_column_int64(st, 2)),
				"last_ingested_at", JI(sqlite3_column_int64(st, 3)),
				"warnings", sqlite3_column_int(st, 11), "kinds", kj));
		} else if (!ctx->quiet) {
			for (k = 0; k < 7; k++) {
				int c = sqlite3_column_int(st, 4 + k);

				if (c)
					cf_buf_addf(&kb, "%s%d %s", kb.len ? ", " : "", c, kinds[k]);
			}
			printf("%-20s %5d %12lld  %-27s %s%s\n", order, sqlite3_column_int(st, 1),
			       (long long)sqlite3_column_int64(st, 2),
			       ctx_fmt_time(ctx, sqlite3_column_int64(st, 3), when, sizeof(when)),
			       kb.data, sqlite3_column_int(st, 11) ? "  (warnings)" : "");
		}
		cf_buf_release(&kb);
		n++;
	}
	if (r != SQLITE_DONE) {
		db_err(vault_db(ctx->vault), &err, "cannot list orders");
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	if (ctx->json) {
		jout_print(json_pack("{s:o}", "orders", list));
		list = NULL;
	}
	else if (n == 0 && !ctx->quiet)
		printf("(no orders in the vault yet: casefile ingest ORDER FILE...)\n");
out:
	sqlite3_finalize(st);
	json_decref(list);
	cf_err_release(&err);
	return rc;
}

const struct cmd cmd_list = {
	.name = "list",
	.usage = "casefile list [--json]",
	.summary = "list the orders in the vault with their evidence counts",
	.help = "One line per order: number of items, bytes, last ingest time and the kinds\n"
		"held.  --json gives the same for scripts.\n"
		"\nexample:\n  casefile list\n",
	.flags = CMD_NEEDS_VAULT,
	.run = run_list,
};

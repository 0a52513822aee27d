/* SPDX-License-Identifier: MIT */
/*
 * cmd_list — `casefile list`: the orders in the vault with evidence counts.
 */
#include <stdio.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/evidence.h"
#include "casefile/jout.h"

static json_t *
order_json(const struct evidence_order *o)
{
	json_t *kj = json_object();
	int k;

	for (k = 0; k < EVIDENCE_NKINDS; k++)
		jout_set(kj, cf_kind_name((enum cf_kind)k), json_integer(o->kinds[k]));
	return json_pack("{s:o,s:I,s:I,s:I,s:I,s:o}", "order_id", jout_str(o->order_id),
			 "items", JI(o->items), "bytes", JI(o->bytes),
			 "last_ingested_at", JI(o->last_ingested_at),
			 "warnings", JI(o->warnings), "kinds", kj);
}

static void
print_order(struct cf_ctx *ctx, const struct evidence_order *o)
{
	struct cf_buf kb = CF_BUF_INIT;
	char when[40];
	int k;

	for (k = 0; k < EVIDENCE_NKINDS; k++)
		if (o->kinds[k])
			cf_buf_addf(&kb, "%s%lld %s", kb.len ? ", " : "", o->kinds[k],
				    cf_kind_name((enum cf_kind)k));
	printf("%-20s %5lld %12lld  %-27s %s%s\n", o->order_id, o->items, o->bytes,
	       ctx_fmt_time(ctx, o->last_ingested_at, when, sizeof(when)), kb.data,
	       o->warnings ? "  (warnings)" : "");
	cf_buf_release(&kb);
}

static enum cf_exit
run_list(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct evidence_order *orders = NULL;
	size_t n = 0, i;
	json_t *list;
	int first, r;

	if ((r = cli_parse(ctx, argc, argv, NULL, &first)) != 0)
		return CLI_PARSE_EXIT(r);
	if (first < argc)
		return ctx_usage(ctx, "list takes no arguments");
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (evidence_orders(ctx->vault, &orders, &n, &err) < 0) {
		enum cf_exit rc = ctx_fail(ctx, &err);

		cf_err_release(&err);
		return rc;
	}
	if (ctx->json) {
		list = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(list, order_json(&orders[i]));
		jout_print(json_pack("{s:o}", "orders", list));
	} else if (!ctx->quiet) {
		printf("%-20s %5s %12s  %-27s %s\n", "ORDER", "ITEMS", "BYTES", "LAST INGEST",
		       "KINDS");
		for (i = 0; i < n; i++)
			print_order(ctx, &orders[i]);
		if (n == 0)
			printf("(no orders in the vault yet: casefile ingest ORDER FILE...)\n");
	}
	evidence_orders_free(orders, n);
	return CF_EXIT_OK;
}

const struct cmd cmd_list = {
	.name = "list",
	.usage = "casefile list [--json]",
	.summary = "list the orders in the vault with their evidence counts",
	.help = "One line per order: number of items, bytes, last ingest time and the kinds\n"
		"held.  --json gives the same for scripts.\n"
		"\nexample:\n  casefile list\n",
	.run = run_list,
};

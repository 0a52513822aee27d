/* SPDX-License-Identifier: MIT */
/*
 * cmd_export — `casefile export (ORDER... | --date D | --all) -o OUT`:
 * write evidence as a BagIt 1.0 bag to OUT.zip, OUT.tar.gz or a folder.
 * The bag and its layout are bag.h's; this file checks the arguments and
 * reports.
 */
#include "casefile/bag.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/import.h"
#include "casefile/jout.h"
#include "casefile/order_id.h"

static enum cf_exit
run_export(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct bag_opts o = { 0 };
	struct bag_report rep;
	enum cf_exit rc = CF_EXIT_OK;
	int all = 0, i, first;
	const struct cli_opt opts[] = {
		{ "date", 0, CLI_VALUE, &o.date, NULL, 0 },
		{ "all", 0, CLI_FLAG, NULL, &all, 0 },
		{ "output", 'o', CLI_VALUE, &o.out, NULL, 0 },
		{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
	};

	if ((i = cli_parse(ctx, argc, argv, opts, &first)) != 0)
		return CLI_PARSE_EXIT(i);
	if (o.date && !import_valid_date(o.date))
		return ctx_usage(ctx, "bad date '%s': use YYYY-MM-DD", o.date);
	if ((first < argc) + !!o.date + all != 1)
		return ctx_usage(ctx, "give order ids, or --date D, or --all (one of them)");
	if (o.out == NULL)
		return ctx_usage(ctx, "export needs -o OUT.zip, OUT.tar.gz or a folder");
	for (i = first; i < argc; i++)
		if (!order_id_valid(argv[i]))
			return ctx_usage(ctx, "bad order id '%s'", argv[i]);
	if (bag_output_check(o.out, &o.format, &err) < 0) {
		rc = ctx_usage(ctx, "%s", err.msg);
		cf_err_release(&err);
		return rc;
	}
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	o.orders = argv + first;
	o.norders = argc - first;
	o.tz_offset = ctx->tz_offset;
	o.now = (long long)ctx->now;
	if (bag_write(ctx->vault, &o, &rep, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		if (err.code == CF_ENOTFOUND)
			rc = CF_EXIT_USAGE;
	} else if (ctx->json) {
		jout_print(json_pack("{s:o,s:I,s:I,s:I}", "output", jout_str(o.out),
				     "orders", JI(rep.orders), "files", JI(rep.files),
				     "bytes", JI(rep.bytes)));
	} else {
		ctx_info(ctx, "exported %lu orders, %lu files, %llu bytes to '%s' (BagIt 1.0)",
			 rep.orders, rep.files, rep.bytes, o.out);
	}
	cf_err_release(&err);
	return rc;
}

const struct cmd cmd_export = {
	.name = "export",
	.usage = "casefile export (ORDER... | --date YYYY-MM-DD | --all) -o OUT.zip|OUT.tar.gz|DIR",
	.summary = "write evidence as a BagIt 1.0 bag (zip, tar.gz or folder)",
	.help = "Writes the originals of the chosen orders as a BagIt 1.0 bag (RFC 8493):\n"
		"bagit.txt, data/<order>/<file>, manifest-sha256.txt, bag-info.txt\n"
		"(Source-Organization from shop.name, else the shop of the order records,\n"
		"else \"unknown\"; Bagging-Date, Payload-Oxum, casefile version, latest\n"
		"sealed checkpoint), casefile/evidence.json (one record per\n"
		"file), casefile/proofs.json (ledger inclusion proofs, see 'casefile\n"
		"verify'), casefile/checkpoint.txt and .tsr when the ledger is sealed, and\n"
		"tagmanifest-sha256.txt.  Anyone can check it without casefile:\n"
		"  unzip OUT.zip && cd OUT && sha256sum -c manifest-sha256.txt tagmanifest-sha256.txt\n"
		"Two versions of one file in an order become name.ext and name-v2.ext.\n"
		"Each object is re-hashed while copied; a damaged one stops the export\n"
		"(exit 1).  OUT must not exist (an empty folder is accepted).\n"
		"\n"
		"options:\n"
		"  --date D   files of bundles imported for day D (import --date or the\n"
		"             orders-D/ folder), and files ingested on day D (display zone)\n"
		"  --all      every order in the vault\n"
		"  -o OUT     OUT.zip, OUT.tar.gz (or .tgz), or a folder\n",
	.run = run_export,
};

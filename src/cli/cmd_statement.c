/* SPDX-License-Identifier: MIT */
/*
 * cmd_statement — `casefile statement ORDER`: the merchant's statement
 * (举证说明) for the platform's text box, drafted from the scenario
 * template with the order's facts and the dossier's exhibit numbers, cut
 * to the profile's character limit.  `casefile build` puts the same text in
 * the dossier's Statement section (same template, scenario, limit, masking
 * and time zone).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/checklist.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/jout.h"
#include "casefile/dispute.h"
#include "casefile/ingest.h"
#include "casefile/order_id.h"
#include "casefile/outfile.h"
#include "casefile/profile.h"
#include "casefile/rederive.h"
#include "casefile/statement.h"
#include "casefile/templates.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

/* Write text and a newline to path, complete or not at all (outfile.h). */
static int
write_file(const char *path, const char *text, struct cf_err *err)
{
	struct outfile *of = NULL;
	size_t n = strlen(text);
	int ret = -1;

	if (outfile_open(path, n + 1, &of, err) < 0 ||
	    outfile_write(of, text, n, err) < 0 || outfile_write(of, "\n", 1, err) < 0 ||
	    outfile_commit(of, 0644, err) < 0)
		goto out;
	ret = 0;
out:
	outfile_close(of);
	return ret;
}

static enum cf_exit
run_statement(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct templates *t = NULL;
	struct profile *prof = NULL;
	struct dispute *d = NULL;
	const char *out_path = NULL, *lang = "zh", *profile_opt = NULL;
	const char *tdir = NULL, *reason = NULL, *order;
	char *text = NULL;
	size_t max_opt = 0;
	size_t limit, full, kept;
	int first, r, no_mask = 0;
	enum cf_exit rc = CF_EXIT_OK;

	{
		const char *max = NULL, *reason_opt = NULL;
		const struct cli_opt opts[] = {
			{ "output", 'o', CLI_VALUE, &out_path, NULL, 0 },
			{ "max-chars", 0, CLI_VALUE, &max, NULL, 0 },
			{ "lang", 0, CLI_VALUE, &lang, NULL, 0 },
			{ "profile", 0, CLI_VALUE, &profile_opt, NULL, 0 },
			{ "templates", 0, CLI_VALUE, &tdir, NULL, 0 },
			{ "no-mask", 0, CLI_FLAG, NULL, &no_mask, 0 },
			{ "reason", 0, CLI_VALUE, &reason_opt, NULL, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(r);
		if (max && statement_max_parse(max, &max_opt) < 0)
			return ctx_usage(ctx, "bad --max-chars '%s' (1..%d)", max,
					 STATEMENT_MAX_CHARS);
		if (strcmp(lang, "zh") != 0 && strcmp(lang, "zh-CN") != 0 && strcmp(lang, "en") != 0)
			return ctx_usage(ctx, "unknown language '%s': use zh or en", lang);
		if (reason_opt && ctx_parse_reason(ctx, reason_opt, &reason) < 0)
			return CF_EXIT_USAGE;
	}
	if (argc - first != 1)
		return ctx_usage(ctx, "statement needs exactly one order id");
	order = argv[first];
	if (!order_id_valid(order))
		return ctx_usage(ctx, "bad order id '%s'", order);
	if (tdir == NULL)
		tdir = ctx->templates_dir;
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (dispute_context(vault_db(ctx->vault), order, reason, profile_opt, &d, &reason,
			    &prof, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		if (err.code == CF_ENOTFOUND && d == NULL)
			ctx_error(ctx, "open one with 'casefile dispute open %s --reason R' "
				  "or give --reason", order);
		goto out;
	}
	if (templates_load(tdir, lang, &t, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	/* The statement quotes parsed rows: they must be what was sealed (rederive.h). */
	if (rederive_check_order(ctx->vault, order, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	limit = max_opt ? max_opt : (size_t)prof->statement_max_chars;
	/* the full draft first, to say how much was cut */
	if (statement_draft(vault_db(ctx->vault), t, order, reason, 0, !no_mask,
			    ctx->tz_offset, &text, &err) < 0) {
		rc = ctx_fail(ctx, &err);	/* no evidence (CF_ENOTFOUND): exit 2 */
		goto out;
	}
	full = checklist_utf8_chars(text, strlen(text));	/* as `check` counts */
	kept = statement_truncate(text, limit);
	if (kept < full)
		ctx_warn(ctx, "statement cut from %zu to %zu characters (limit %zu%s%s%s); "
			 "shorten the template or use --max-chars", full, kept, limit,
			 max_opt ? "" : " of profile '", max_opt ? "" : prof->name,
			 max_opt ? "" : "'");
	if (out_path && write_file(out_path, text, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	if (ctx->json) {
		jout_print(json_pack("{s:o,s:s,s:o,s:I,s:I,s:b,s:o,s:o}",
				     "order_id", jout_str(order), "scenario", reason,
				     "profile", jout_str(prof->name), "max_chars", JI(limit),
				     "chars", JI(kept), "truncated", kept < full,
				     "path", jout_str(out_path), "text", jout_str(text)));
	} else if (out_path) {
		ctx_info(ctx, "%s", out_path);
	} else {
		puts(text);
	}
out:
	cf_err_release(&err);
	free(text);
	templates_free(t);
	profile_free(prof);
	dispute_free(d);
	return rc;
}

const struct cmd cmd_statement = {
	.name = "statement",
	.usage = "casefile statement ORDER [--max-chars N] [--lang zh|en] [--profile P]\n"
		 "       [--reason R] [--templates DIR] [--no-mask] [-o FILE] [--json]",
	.summary = "draft the merchant's statement for the platform's text box",
	.help = "Drafts the statement (举证说明) from the template of the dispute's reason\n"
		"(templates/zh-CN.txt or en.txt, '[statement REASON]'), filled with the\n"
		"order's dates, carrier and tracking number, delivery time and the\n"
		"buyer's own first words from the chat with their time, citing exhibits\n"
		"by the numbers the dossier gives them (证据1 …).  The text is cut to the\n"
		"profile's statement_max_chars (Unicode characters, never half of one,\n"
		"ending with …), and stderr says so.  `casefile build` puts the same text\n"
		"in the dossier.\n"
		"\noptions:\n"
		"  --max-chars N    limit in characters (default: the profile's)\n"
		"  --profile P      platform profile (default: the dispute's)\n"
		"  --reason R       scenario when the order has no dispute (or to override)\n"
		"  --lang zh|en     template language (default zh)\n"
		"  --templates DIR  templates folder ($CASEFILE_TEMPLATES)\n"
		"  --no-mask        do not mask phone numbers, ID numbers and addresses\n"
		"  -o FILE          write the text to FILE instead of standard output\n"
		"\nexit codes: 0 ok, 1 a stored row is not what the sealed originals or\n"
		"dispute say (edited in the database: run 'casefile audit'), 2 usage,\n"
		"unknown order, or no dispute and no --reason\n"
		"\nexample:\n  casefile statement 6931000000000001 --max-chars 300\n",
	.flags = CMD_NEEDS_VAULT,
	.run = run_statement,
};

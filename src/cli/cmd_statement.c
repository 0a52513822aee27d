/* SPDX-License-Identifier: MIT */
/*
 * cmd_statement — `casefile statement ORDER`: the merchant's statement
 * (举证说明) for the platform's text box, drafted from the scenario
 * template with the order's facts and the dossier's exhibit numbers, cut
 * to the profile's character limit.  `casefile build` puts the same text in
 * the dossier's Statement section (same template, scenario, limit, masking
 * and time zone).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/checklist.h"
#include "casefile/commands.h"
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
	enum { OPT_MAX = CTX_OPT_BASE, OPT_LANG, OPT_PROFILE, OPT_TEMPLATES,
	       OPT_NOMASK, OPT_REASON };
	static const struct option opts[] = {
		CTX_COMMON_OPTIONS,
		{ "output", 1, NULL, 'o' },
		{ "max-chars", 1, NULL, OPT_MAX },
		{ "lang", 1, NULL, OPT_LANG },
		{ "profile", 1, NULL, OPT_PROFILE },
		{ "templates", 1, NULL, OPT_TEMPLATES },
		{ "no-mask", 0, NULL, OPT_NOMASK },
		{ "reason", 1, NULL, OPT_REASON },
		{ 0 },
	};
	struct cf_err err = CF_ERR_INIT;
	struct templates *t = NULL;
	struct profile *prof = NULL;
	struct dispute *d = NULL;
	const char *out_path = NULL, *lang = "zh", *profile_opt = NULL;
	const char *tdir = NULL, *reason = NULL, *order;
	char *text = NULL;
	size_t max_opt = 0;
	size_t limit, full, kept;
	int c, no_mask = 0;
	enum cf_exit rc = CF_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (out_path)
				return ctx_usage(ctx, "-o given twice");
			out_path = optarg;
			break;
		case OPT_MAX:
			if (max_opt)
				return ctx_usage(ctx, "--max-chars given twice");
			if (statement_max_parse(optarg, &max_opt) < 0)
				return ctx_usage(ctx, "bad --max-chars '%s' (1..%d)", optarg,
						 STATEMENT_MAX_CHARS);
			break;
		case OPT_LANG:
			if (strcmp(optarg, "zh") != 0 && strcmp(optarg, "zh-CN") != 0 &&
			    strcmp(optarg, "en") != 0)
				return ctx_usage(ctx, "unknown language '%s': use zh or en", optarg);
			lang = optarg;
			break;
		case OPT_PROFILE:
			if (profile_opt)
				return ctx_usage(ctx, "--profile given twice");
			profile_opt = optarg;
			break;
		case OPT_TEMPLATES:
			if (tdir)
				return ctx_usage(ctx, "--templates given twice");
			tdir = optarg;
			break;
		case OPT_NOMASK:
			no_mask = 1;
			break;
		case OPT_REASON:
			if (reason)
				return ctx_usage(ctx, "--reason given twice");
			if ((reason = dispute_reason_parse(optarg, &err)) == NULL) {
				ctx_usage(ctx, "--reason: %s", err.msg);
				cf_err_release(&err);
				return CF_EXIT_USAGE;
			}
			break;
		case '?':
			return ctx_usage(ctx, "unknown option '%s'", argv[optind - 1]);
		default:
			switch (ctx_common_opt(ctx, c, optarg)) {
			case 2:
				return CF_EXIT_OK;
			case -1:
				return CF_EXIT_USAGE;
			}
		}
	}
	if (argc - optind != 1)
		return ctx_usage(ctx, "statement needs exactly one order id");
	order = argv[optind];
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
		if (err.code == CF_ENOTFOUND && strncmp(err.msg, "no evidence", 11) == 0) {
			ctx_error(ctx, "%s", err.msg);
			rc = CF_EXIT_USAGE;
		} else {
			rc = ctx_fail(ctx, &err);
		}
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
		struct cf_buf j = CF_BUF_INIT;

		cf_buf_addstr(&j, "{\"order_id\":");
		cf_buf_add_json_str(&j, order, strlen(order));
		cf_buf_addf(&j, ",\"scenario\":\"%s\",\"profile\":", reason);
		cf_buf_add_json_str(&j, prof->name, strlen(prof->name));
		cf_buf_addf(&j, ",\"max_chars\":%zu,\"chars\":%zu,\"truncated\":%s,"
			    "\"path\":", limit, kept, kept < full ? "true" : "false");
		if (out_path)
			cf_buf_add_json_str(&j, out_path, strlen(out_path));
		else
			cf_buf_addstr(&j, "null");
		cf_buf_addstr(&j, ",\"text\":");
		cf_buf_add_json_str(&j, text, strlen(text));
		cf_buf_addstr(&j, "}\n");
		fputs(j.data, stdout);
		cf_buf_release(&j);
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

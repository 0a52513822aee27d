/* SPDX-License-Identifier: MIT */
/*
 * cmd_build — `casefile build ORDER`: make the arbitration dossier PDF.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/commands.h"
#include "casefile/dispute.h"
#include "casefile/dossier.h"
#include "casefile/ingest.h"
#include "casefile/profile.h"
#include "casefile/statement.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

/* "500K", "10M", "2G", "1234" → bytes; -1 when malformed. */
static int64_t
parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || v > (unsigned long long)INT64_MAX)
		return -1;
	return (int64_t)v;
}

static enum cf_exit
run_build(int argc, char **argv, struct cf_ctx *ctx)
{
	enum { OPT_LANG = CTX_OPT_BASE, OPT_NOMEDIA, OPT_STATEMENT, OPT_NOMASK,
	       OPT_TEMPLATES, OPT_SCENARIO, OPT_PROFILE, OPT_MAX };
	static const struct option opts[] = {
		CTX_COMMON_OPTIONS,
		{ "output", 1, NULL, 'o' },
		{ "lang", 1, NULL, OPT_LANG },
		{ "no-attach-media", 2, NULL, OPT_NOMEDIA },
		{ "statement", 1, NULL, OPT_STATEMENT },
		{ "no-mask", 0, NULL, OPT_NOMASK },
		{ "templates", 1, NULL, OPT_TEMPLATES },
		{ "scenario", 1, NULL, OPT_SCENARIO },
		{ "profile", 1, NULL, OPT_PROFILE },
		{ "max-chars", 1, NULL, OPT_MAX },
		{ 0 },
	};
	struct dossier_opts o;
	struct dossier_report rep;
	struct cf_err err = CF_ERR_INIT;
	char *out_default = NULL;
	const char *profile_opt = NULL;
	struct profile *prof = NULL;
	struct dispute *d = NULL;
	size_t max_opt = 0;
	enum cf_exit rc = CF_EXIT_OK;
	int c, seen_media = 0;
	size_t i;

	memset(&o, 0, sizeof(o));
	memset(&rep, 0, sizeof(rep));
	o.media_max = -1;
	o.lang = "zh";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (o.out_path)
				return ctx_usage(ctx, "-o given twice");
			o.out_path = optarg;
			break;
		case OPT_LANG:
			if (strcmp(optarg, "zh") != 0 && strcmp(optarg, "zh-CN") != 0 &&
			    strcmp(optarg, "en") != 0)
				return ctx_usage(ctx, "unknown language '%s': use zh or en", optarg);
			o.lang = optarg;
			break;
		case OPT_NOMEDIA:
			if (seen_media++)
				return ctx_usage(ctx, "--no-attach-media given twice");
			o.media_max = 0;
			if (optarg && (o.media_max = parse_size(optarg)) < 0)
				return ctx_usage(ctx, "bad size '%s' for --no-attach-media "
						      "(e.g. 20M)", optarg);
			break;
		case OPT_STATEMENT:
			if (o.statement_path)
				return ctx_usage(ctx, "--statement given twice");
			o.statement_path = optarg;
			break;
		case OPT_NOMASK:
			o.no_mask = 1;
			break;
		case OPT_TEMPLATES:
			o.templates_dir = optarg;
			break;
		case OPT_SCENARIO:
			if (!statement_scenario_valid(optarg))
				return ctx_usage(ctx, "unknown scenario '%s'", optarg);
			o.scenario = optarg;
			break;
		case OPT_PROFILE:
			if (profile_opt)
				return ctx_usage(ctx, "--profile given twice");
			profile_opt = optarg;
			break;
		case OPT_MAX:
			if (max_opt)
				return ctx_usage(ctx, "--max-chars given twice");
			if (statement_max_parse(optarg, &max_opt) < 0)
				return ctx_usage(ctx, "bad --max-chars '%s' (1..%d)", optarg,
						 STATEMENT_MAX_CHARS);
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
		return ctx_usage(ctx, "build needs exactly one order id");
	o.order_id = argv[optind];
	if (!ingest_valid_order_id(o.order_id))
		return ctx_usage(ctx, "bad order id '%s'", o.order_id);
	if (o.out_path == NULL)
		o.out_path = out_default = xasprintf("dossier-%s.pdf", o.order_id);
	if (o.templates_dir == NULL)
		o.templates_dir = getenv("CASEFILE_TEMPLATES");
	o.now = ctx->now;
	o.tz_offset = ctx->tz_offset;
	if (ctx_open_vault(ctx) < 0) {
		rc = CF_EXIT_USAGE;
		goto out;
	}
	/* the statement's limit, as `casefile statement` finds it */
	if (dispute_context(vault_db(ctx->vault), o.order_id, NULL, profile_opt, &d, NULL,
			    &prof, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	o.statement_max_chars = max_opt ? max_opt : (size_t)prof->statement_max_chars;
	if (dossier_build(ctx->vault, &o, &rep, &err) < 0) {
		if (err.code == CF_ENOTFOUND && strncmp(err.msg, "no evidence", 11) == 0) {
			ctx_error(ctx, "%s", err.msg);
			rc = CF_EXIT_USAGE;
		} else {
			rc = ctx_fail(ctx, &err);
		}
		goto out;
	}
	for (i = 0; i < rep.nnotes; i++)
		ctx_warn(ctx, "%s", rep.notes[i]);
	if (ctx->json) {
		struct cf_buf j = CF_BUF_INIT;

		cf_buf_addstr(&j, "{\"path\":");
		cf_buf_add_json_str(&j, o.out_path, strlen(o.out_path));
		cf_buf_addf(&j, ",\"order_id\":\"%s\",\"dossier_id\":\"%s\",\"pages\":%d,"
			    "\"exhibits\":%zu,\"attached\":%zu,\"left_out\":%zu,\"cards\":%zu}\n",
			    o.order_id, rep.dossier_id, rep.pages, rep.exhibits, rep.attached,
			    rep.left_out, rep.cards);
		fputs(j.data, stdout);
		cf_buf_release(&j);
	} else {
		ctx_info(ctx, "%s", o.out_path);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = CF_EXIT_INTERNAL;
out:
	dossier_report_release(&rep);
	cf_err_release(&err);
	free(out_default);
	profile_free(prof);
	dispute_free(d);
	return rc;
}

const struct cmd cmd_build = {
	.name = "build",
	.usage = "casefile build ORDER [-o FILE] [--lang zh|en] [--no-attach-media[=SIZE]]\n"
		 "       [--statement FILE] [--scenario NAME] [--no-mask] [--templates DIR]\n"
		 "       [--profile P] [--max-chars N]",
	.summary = "build the arbitration dossier PDF of an order",
	.help = "Builds one PDF with a cover, the merchant's statement, a timeline, the\n"
		"exhibit index, every exhibit (chat transcript, photos, logistics, order,\n"
		"receipts, cards for videos) and an integrity appendix.  The originals and\n"
		"manifest.json are attached; phone numbers, ID numbers and street addresses\n"
		"are masked in the rendered text (the originals are unchanged).  The PDF is\n"
		"written to a temp file and renamed: a failed build leaves no half file.\n"
		"\noptions:\n"
		"  -o FILE                  output (default dossier-ORDER.pdf)\n"
		"  --lang zh|en             language (default zh)\n"
		"  --no-attach-media[=SIZE] leave out videos and photos (larger than SIZE,\n"
		"                           e.g. 20M) from the attachments; they are listed\n"
		"  --statement FILE         use this text as the statement\n"
		"  --scenario NAME          statement template: quality, not_as_described,\n"
		"                           damaged_in_transit, not_received,\n"
		"                           wrong_or_missing_item, non_returnable,\n"
		"                           price_or_payment, late_or_service,\n"
		"                           suspected_abuse, other\n"
		"  --no-mask                do not mask personal data\n"
		"  --profile P, --max-chars N\n"
		"                           the drafted statement's length limit, as in\n"
		"                           'casefile statement' (default: the profile's)\n"
		"  --templates DIR          templates folder ($CASEFILE_TEMPLATES)\n"
		"\nan image that cannot be decoded is shown as a card; the build still\n"
		"succeeds and says so on stderr.  Unknown order: exit 2.\n"
		"\nexample:\n  casefile build 6931000000000001 -o dossier.pdf\n",
	.flags = CMD_NEEDS_VAULT,
	.run = run_build,
};

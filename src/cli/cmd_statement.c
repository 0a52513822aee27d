/* SPDX-License-Identifier: MIT */
/*
 * cmd_statement — `casefile statement ORDER`: the merchant's statement
 * (举证说明) for the platform's text box, drafted from the scenario
 * template with the order's facts and the dossier's exhibit numbers, cut
 * to the profile's character limit.  `casefile build` puts the same text in
 * the dossier's Statement section (same template, scenario, limit, masking
 * and time zone).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/argument.h"
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

/* The profiles --all drafts for: every templates/profiles/NAME.conf. */
static char **
all_profiles(size_t *n)
{
	struct cf_err err = CF_ERR_INIT;
	char *top = templates_dir_new(&err), *dir, **v = NULL;
	struct dirent **names = NULL;
	int k, i;

	*n = 0;
	cf_err_release(&err);
	if (top == NULL)
		return NULL;
	dir = xasprintf("%s/profiles", top);
	free(top);
	if ((k = scandir(dir, &names, NULL, alphasort)) < 0) {
		free(dir);
		return NULL;
	}
	for (i = 0; i < k; i++) {
		size_t len = strlen(names[i]->d_name);

		if (len > 5 && !strcmp(names[i]->d_name + len - 5, ".conf") &&
		    names[i]->d_name[0] != '.') {
			v = xreallocarray(v, *n + 1, sizeof(*v));
			v[(*n)++] = xstrndup(names[i]->d_name, len - 5);
		}
		free(names[i]);
	}
	free(names);
	free(dir);
	return v;
}

/*
 * --platform P[:N] / --all: one variant per text box of the platform
 * (profile.h statement_limits), each within its limit by the platform's
 * counting rule (statement_variant, the service `pack` uses too).
 */
static enum cf_exit
variants(struct cf_ctx *ctx, const struct templates *t, const char *order,
	 const char *reason, enum argument_stance stance, int mask,
	 const char *platform, int all)
{
	struct cf_err err = CF_ERR_INIT;
	json_t *list = NULL;
	char **names = NULL, *pick = NULL;
	size_t nnames = 0, i, k, printed = 0;
	long want = 0;
	enum cf_exit rc = CF_EXIT_OK;

	if (all) {
		names = all_profiles(&nnames);
	} else {
		char *colon;

		pick = xstrdup(platform);
		if ((colon = strrchr(pick, ':')) != NULL) {
			char *e;

			*colon = '\0';
			want = strtol(colon + 1, &e, 10);
			if (*e != '\0' || want <= 0) {
				free(pick);
				return ctx_usage(ctx, "bad --platform '%s': NAME or NAME:LIMIT", platform);
			}
		}
		names = xcalloc(1, sizeof(*names));
		names[0] = pick;
		nnames = 1;
	}
	if (ctx->json)
		list = json_array();
	for (i = 0; i < nnames; i++) {
		struct profile *p = NULL;

		if (profile_find(names[i], &p, &err) < 0) {
			rc = ctx_fail(ctx, &err);
			goto out;
		}
		for (k = 0; k < p->nlimits; k++) {
			const struct profile_limit *lim = &p->limits[k];
			char *text = NULL;

			if (want && lim->max != want)
				continue;
			/* --platform P alone: its main box (statement_max_chars) */
			if (!all && !want && p->nlimits > 1 &&
			    !(lim->max == p->statement_max_chars && !lim->bytes) &&
			    k + 1 < p->nlimits)
				continue;
			if (statement_variant(vault_db(ctx->vault), t, order, reason, (int)stance,
					      lim, mask, ctx->tz_offset, &text, &err) < 0) {
				profile_free(p);
				rc = ctx_fail(ctx, &err);
				goto out;
			}
			if (ctx->json) {
				json_array_append_new(list, json_pack(
					"{s:o,s:I,s:s,s:I,s:o}", "platform", jout_str(p->name),
					"limit", JI(lim->max), "unit", lim->bytes ? "bytes" : "chars",
					"length", JI(statement_count(text, lim->bytes)),
					"text", jout_str(text)));
			} else {
				if (all || printed)
					printf("%s== %s %s · %ld %s（%zu） ==\n", printed ? "\n" : "",
					       p->title, p->name, lim->max,
					       lim->bytes ? "字节" : "字",
					       statement_count(text, lim->bytes));
				puts(text);
			}
			printed++;
			free(text);
			if (!all)
				break;
		}
		if (want && printed == 0) {
			ctx_error(ctx, "profile '%s' has no statement limit %ld (it has:%s%s)",
				  p->name, want, "", "");
			for (k = 0; k < p->nlimits; k++)
				fprintf(stderr, " %ld%s", p->limits[k].max,
					p->limits[k].bytes ? " bytes" : "");
			fputc('\n', stderr);
			profile_free(p);
			rc = CF_EXIT_USAGE;
			goto out;
		}
		profile_free(p);
	}
	if (ctx->json) {
		jout_print(json_pack("{s:o,s:s,s:s,s:o}", "order_id", jout_str(order),
				     "scenario", reason, "stance", argument_stance_name(stance),
				     "variants", list));
		list = NULL;
	}
out:
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	json_decref(list);
	cf_err_release(&err);
	return rc;
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
	int first, r, no_mask = 0, all = 0;
	enum argument_stance stance = ARGUMENT_REFUSE;
	const char *platform = NULL;
	struct statement_opts so;
	enum cf_exit rc = CF_EXIT_OK;

	{
		const char *max = NULL, *reason_opt = NULL, *stance_opt = NULL;
		const struct cli_opt opts[] = {
			{ "output", 'o', CLI_VALUE, &out_path, NULL, 0 },
			{ "max-chars", 0, CLI_VALUE, &max, NULL, 0 },
			{ "lang", 0, CLI_VALUE, &lang, NULL, 0 },
			{ "profile", 0, CLI_VALUE, &profile_opt, NULL, 0 },
			{ "templates", 0, CLI_VALUE, &tdir, NULL, 0 },
			{ "no-mask", 0, CLI_FLAG, NULL, &no_mask, 0 },
			{ "reason", 0, CLI_VALUE, &reason_opt, NULL, 0 },
			{ "stance", 0, CLI_VALUE, &stance_opt, NULL, 0 },
			{ "platform", 0, CLI_VALUE, &platform, NULL, 0 },
			{ "all", 0, CLI_FLAG, NULL, &all, 0 },
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
		if (stance_opt && argument_stance_parse(stance_opt, &stance) < 0)
			return ctx_usage(ctx, "unknown stance '%s': use refuse, partial or accept",
					 stance_opt);
	}
	if (argc - first != 1)
		return ctx_usage(ctx, "statement needs exactly one order id");
	if ((platform || all) && (max_opt || out_path))
		return ctx_usage(ctx, "--platform and --all print variants: not with --max-chars or -o");
	if (platform && all)
		return ctx_usage(ctx, "give --platform P or --all, not both");
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
	if (platform || all) {
		rc = variants(ctx, t, order, reason, stance, !no_mask, platform, all);
		goto out;
	}
	limit = max_opt ? max_opt : (size_t)prof->statement_max_chars;
	/* the full draft first, to say how much was cut */
	memset(&so, 0, sizeof(so));
	so.scenario = reason;
	so.stance = stance;
	so.mask = !no_mask;
	so.tz_offset = ctx->tz_offset;
	if (statement_compose(vault_db(ctx->vault), t, order, &so, &text, &err) < 0) {
		if (err.code == CF_ENOTFOUND && strncmp(err.msg, "no evidence", 11) == 0) {
			ctx_no_order(ctx, err.msg, order);
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
		jout_print(json_pack("{s:o,s:s,s:s,s:o,s:I,s:I,s:b,s:o,s:o}",
				     "order_id", jout_str(order), "scenario", reason,
				     "stance", argument_stance_name(stance),
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
	.usage = "casefile statement ORDER [--stance refuse|partial|accept] [--max-chars N]\n"
		 "       [--platform P[:N] | --all] [--lang zh|en] [--profile P] [--reason R]\n"
		 "       [--templates DIR] [--no-mask] [-o FILE] [--json]",
	.summary = "draft the merchant's statement for the platform's text box",
	.help = "Drafts the statement (举证说明) from the template of the dispute's reason\n"
		"(templates/zh-CN.txt or en.txt, '[statement REASON]'), filled with the\n"
		"order's dates (5月2日 12:47), carrier and tracking number, the decisive\n"
		"exhibits of the scenario first (not received: the delivery or locker\n"
		"pickup record; damaged: the packing video and photos taken before\n"
		"shipping, then the courier's handover; the buyer's own photos are cited\n"
		"as the buyer's), and the buyer's own typed words most relevant to the\n"
		"claim (never a picture placeholder or a system line), citing exhibits\n"
		"by the numbers the dossier gives them (证据1 …).  The closing line follows\n"
		"--stance: refuse (default) asks the platform to reject the claim, partial\n"
		"offers part, accept accepts; nothing concedes unless asked.\n"
		"--platform P[:N] prints the variant for platform P's text box of N\n"
		"(default its statement_max_chars box), --all one variant per box of\n"
		"every profile (statement_limits: characters, or bytes where the platform\n"
		"counts bytes), each within its limit, using the short template when the\n"
		"full one does not fit.  Without them the text is cut to the\n"
		"profile's statement_max_chars (Unicode characters, never half of one,\n"
		"ending with …), and stderr says so.  `casefile build` puts the same text\n"
		"in the dossier.\n"
		"\noptions:\n"
		"  --stance S       refuse (default), partial or accept\n"
		"  --platform P[:N] the variant for platform P (box of N characters/bytes)\n"
		"  --all            every variant of every platform profile\n"
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
	.run = run_statement,
};

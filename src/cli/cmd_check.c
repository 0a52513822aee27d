/* SPDX-License-Identifier: MIT */
/*
 * cmd_check — `casefile check ORDER`: the evidence checklist of the order's
 * dispute reason against what the vault holds, plus the platform profile's
 * submission limits.  Exit 3 when a required item is missing or a limit is
 * exceeded, with the list; 0 when everything required is there.
 */
#include <errno.h>
#include <fcntl.h>
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
#include "casefile/profile.h"
#include "casefile/stale.h"
#include "casefile/templates.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

/* The statement a merchant will paste: at most 1 MiB, trailing newlines cut. */
static int
read_statement(const char *path, struct cf_buf *b, struct cf_err *err)
{
	if (cf_buf_read_file(b, path, "statement", 1 << 20, CF_EINPUT, err) < 0)
		return -1;
	/* Trailing newlines are not part of what is pasted into the form. */
	while (b->len && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
		b->data[--b->len] = '\0';
	return 0;
}

static void
print_json(const struct check_report *r, const struct profile *p, int zh)
{
	json_t *items = json_array(), *limits = json_array();
	size_t i, j;

	for (i = 0; i < r->nitems; i++) {
		const struct check_item *it = &r->items[i];
		json_t *ev = json_array();

		for (j = 0; j < it->ncites; j++) {
			const struct check_cite *c = &it->cites[j];

			json_array_append_new(ev, json_pack(
				"{s:o,s:o,s:o,s:o,s:o}",
				"exhibit", jout_int_or_null(c->exhibit_no, c->exhibit_no == 0),
				"evidence_id", jout_int_or_null(c->evidence_id, c->evidence_id == 0),
				"kind", jout_str(c->kind), "name", jout_str(c->name),
				"detail", jout_str(c->detail)));
		}
		json_array_append_new(items, json_pack("{s:b,s:b,s:o,s:o,s:o,s:o,s:o}",
						       "required", it->required, "have", it->have,
						       "text", jout_str(it->text),
						       "rules", jout_str(it->rules), "evidence", ev,
						       "fix", jout_str(it->fix),
						       "fix_why", jout_str(zh ? it->fix_zh : it->fix_en)));
	}
	for (i = 0; i < r->nlimits; i++)
		json_array_append_new(limits, json_pack("{s:o,s:o,s:o}",
							"what", jout_str(r->limits[i].what),
							"problem", jout_str(r->limits[i].problem),
							"fix", jout_str(r->limits[i].fix)));
	jout_print(json_pack("{s:o,s:s,s:o,s:I,s:I,s:I,s:o,s:o,s:o}",
			     "order_id", jout_str(r->order_id), "reason", r->reason,
			     "profile", jout_str(p->name),
			     "missing_required", JI(r->missing_required),
			     "missing_recommended", JI(r->missing_recommended),
			     "limits_exceeded", JI(r->nlimits),
			     "statement_chars", jout_int_or_null(r->statement_chars,
								 r->statement_chars < 0),
			     "items", items, "limits", limits));
}

/* c->detail on one line (messages may hold line breaks), or "". */
static char *
detail(const struct check_cite *c)
{
	return ctx_oneline(c->detail ? c->detail : "");
}

static void
print_text(const struct check_report *r, const struct profile *p, int zh)
{
	size_t i, j;

	printf("order %s: %s (%s), profile %s\n", r->order_id, r->reason,
	       zh ? dispute_reason_zh(r->reason) : dispute_reason_en(r->reason), p->name);
	for (i = 0; i < r->nitems; i++) {
		const struct check_item *it = &r->items[i];

		printf("%-8s %-13s %s\n", it->have ? "have" : "MISSING",
		       it->required ? "[required]" : "[recommended]", it->text);
		for (j = 0; j < it->ncites; j++) {
			const struct check_cite *c = &it->cites[j];
			char *d = detail(c);

			if (c->exhibit_no)
				printf("           %s%d (evidence #%lld) %s '%s'%s%s\n",
				       zh ? "证据" : "exhibit ", c->exhibit_no,
				       (long long)c->evidence_id, c->kind, c->name,
				       c->detail ? ": " : "", d);
			else if (c->evidence_id)
				printf("           evidence #%lld %s '%s'%s%s\n",
				       (long long)c->evidence_id, c->kind, c->name,
				       c->detail ? ": " : "", d);
			else
				printf("           %s%s%s\n", c->name, c->detail ? ": " : "", d);
			free(d);
		}
		if (!it->have)
			printf("           needs: %s\n", it->rules);
		if (!it->have && it->fix)
			printf(zh ? "           改正：%s\n                 （%s）\n"
				  : "           fix: %s\n                (%s)\n",
			       it->fix, zh ? it->fix_zh : it->fix_en);
	}
	if (r->statement_chars >= 0)
		printf("statement: %ld characters (limit %ld)\n", r->statement_chars,
		       p->statement_max_chars);
	for (i = 0; i < r->nlimits; i++)
		printf("LIMIT    %s: %s; %s\n", r->limits[i].what, r->limits[i].problem,
		       r->limits[i].fix);
	printf("missing: %zu required, %zu recommended; limits exceeded: %zu\n",
	       r->missing_required, r->missing_recommended, r->nlimits);
}

static enum cf_exit
run_check(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct profile *prof = NULL;
	struct checklist *cl = NULL;
	struct check_report *rep = NULL;
	struct dispute *d = NULL;
	struct cf_buf stmt = CF_BUF_INIT;
	const char *profile_opt = NULL, *reason = NULL, *lang = NULL, *stmt_path = NULL;
	const char *cl_opt = NULL, *order;
	char *cl_path = NULL;
	enum cf_exit rc = CF_EXIT_OK;
	int first, r, zh;

	{
		const char *reason_opt = NULL;
		const struct cli_opt opts[] = {
			{ "profile", 0, CLI_VALUE, &profile_opt, NULL, 0 },
			{ "reason", 0, CLI_VALUE, &reason_opt, NULL, 0 },
			{ "lang", 0, CLI_VALUE, &lang, NULL, 0 },
			{ "statement", 0, CLI_VALUE, &stmt_path, NULL, 0 },
			{ "checklist", 0, CLI_VALUE, &cl_opt, NULL, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(r);
		if (reason_opt && ctx_parse_reason(ctx, reason_opt, &reason) < 0)
			return CF_EXIT_USAGE;
	}
	if (first >= argc)
		return ctx_usage(ctx, "an order id is required");
	order = argv[first++];
	if (first < argc)
		return ctx_usage(ctx, "unexpected argument '%s'", argv[first]);
	if (lang == NULL || !strcmp(lang, "zh") || !strcmp(lang, "zh-CN"))
		zh = 1;
	else if (!strcmp(lang, "en"))
		zh = 0;
	else
		return ctx_usage(ctx, "--lang: use zh or en, not '%s'", lang);
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (dispute_context(vault_db(ctx->vault), order, reason, profile_opt, &d, &reason,
			    &prof, &err) < 0) {
		int no_dispute = err.code == CF_ENOTFOUND && d == NULL;

		if (no_dispute)
			cf_err_prefix(&err, "cannot check");
		rc = ctx_fail(ctx, &err);
		if (no_dispute)
			ctx_error(ctx, "open one with 'casefile dispute open %s --reason R' "
				  "or give --reason", order);
		goto out;
	}
	if (cl_opt)
		cl_path = xstrdup(cl_opt);
	else if ((cl_path = templates_path_new(zh ? "checklists.zh-CN.txt" : "checklists.en.txt",
					       &err)) == NULL) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	if (checklist_load(cl_path, &cl, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	if (stmt_path && read_statement(stmt_path, &stmt, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	if (checklist_eval(vault_db(ctx->vault), cl, reason, order, &rep, &err) < 0 ||
	    checklist_limits(vault_db(ctx->vault), prof, order,
			     stmt_path ? stmt.data : NULL, stmt.len, stmt_path, rep, &err) < 0) {
		if (err.code == CF_EINPUT)
			cf_err_prefix(&err, "checklist '%s'", cl_path);
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	if (ctx->json)
		print_json(rep, prof, zh);
	else if (!ctx->quiet)
		print_text(rep, prof, zh);
	/* a dossier built before the latest evidence (stale.h) */
	{
		struct stale sl;

		if (stale_check(ctx->vault, order, &sl, &err) < 0)
			cf_err_release(&err);
		else if (sl.built && sl.added)
			ctx_warn(ctx, "order '%s': %lld item%s added since dossier %s was built; "
				 "run 'casefile build %s' again", order, sl.added,
				 sl.added == 1 ? "" : "s", sl.dossier_id, order);
	}
	if (rep->missing_required || rep->nlimits) {
		ctx_error(ctx, "order '%s': %zu required item%s missing, %zu limit%s exceeded",
			  order, rep->missing_required, rep->missing_required == 1 ? "" : "s",
			  rep->nlimits, rep->nlimits == 1 ? "" : "s");
		rc = CF_EXIT_INPUT;
	}
out:
	cf_err_release(&err);
	check_report_free(rep);
	checklist_free(cl);
	profile_free(prof);
	dispute_free(d);
	cf_buf_release(&stmt);
	free(cl_path);
	return rc;
}

const struct cmd cmd_check = {
	.name = "check",
	.usage = "casefile check ORDER [--profile P] [--reason R] [--lang zh|en]\n"
		 "       [--statement FILE] [--checklist FILE] [--json]",
	.summary = "what evidence the dispute needs, what the vault has, what is missing",
	.help = "The checklist of the dispute's reason (templates/checklists.zh-CN.txt or\n"
		"checklists.en.txt, which you can edit; --checklist FILE uses another):\n"
		"each item is 'have' with the evidence that satisfies it, cited by its\n"
		"exhibit number in the dossier (证据N, or 'exhibit N' with --lang en) and\n"
		"its evidence id, or MISSING\n"
		"with the rule it needs.  Then the profile's submission limits: photo\n"
		"count, each photo's size and format, and with --statement FILE the\n"
		"statement's length in characters, each with what to trim.\n"
		"The reason is the order's dispute (open, else latest) unless --reason.\n"
		"exit codes: 0 complete, 3 a required item is missing or a limit is\n"
		"            exceeded (the list is printed), 2 usage / no dispute\n",
	.run = run_check,
};

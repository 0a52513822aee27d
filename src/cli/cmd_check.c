/* SPDX-License-Identifier: MIT */
/*
 * cmd_check — `casefile check ORDER`: the evidence checklist of the order's
 * dispute reason against what the vault holds, plus the platform profile's
 * submission limits.  Exit 3 when a required item is missing or a limit is
 * exceeded, with the list; 0 when everything required is there.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/checklist.h"
#include "casefile/commands.h"
#include "casefile/dispute.h"
#include "casefile/profile.h"
#include "casefile/templates.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

enum { OPT_PROFILE = CTX_OPT_BASE + 100, OPT_REASON, OPT_LANG, OPT_STATEMENT, OPT_CHECKLIST };

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
json_s(struct cf_buf *b, const char *s)
{
	if (s)
		cf_buf_add_json_str(b, s, strlen(s));
	else
		cf_buf_addstr(b, "null");
}

static void
print_json(const struct check_report *r, const struct profile *p, int zh)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t i, j;

	cf_buf_addstr(&b, "{\"order_id\":");
	json_s(&b, r->order_id);
	cf_buf_addf(&b, ",\"reason\":\"%s\",\"profile\":", r->reason);
	json_s(&b, p->name);
	cf_buf_addf(&b, ",\"missing_required\":%zu,\"missing_recommended\":%zu,"
		    "\"limits_exceeded\":%zu,\"statement_chars\":",
		    r->missing_required, r->missing_recommended, r->nlimits);
	if (r->statement_chars < 0)
		cf_buf_addstr(&b, "null");
	else
		cf_buf_addf(&b, "%ld", r->statement_chars);
	cf_buf_addstr(&b, ",\"items\":[");
	for (i = 0; i < r->nitems; i++) {
		const struct check_item *it = &r->items[i];

		cf_buf_addf(&b, "%s{\"required\":%s,\"have\":%s,\"text\":", i ? "," : "",
			    it->required ? "true" : "false", it->have ? "true" : "false");
		json_s(&b, it->text);
		cf_buf_addstr(&b, ",\"rules\":");
		json_s(&b, it->rules);
		cf_buf_addstr(&b, ",\"evidence\":[");
		for (j = 0; j < it->ncites; j++) {
			const struct check_cite *c = &it->cites[j];

			cf_buf_addstr(&b, j ? ",{\"exhibit\":" : "{\"exhibit\":");
			if (c->exhibit_no)
				cf_buf_addf(&b, "%d", c->exhibit_no);
			else
				cf_buf_addstr(&b, "null");
			cf_buf_addstr(&b, ",\"evidence_id\":");
			if (c->evidence_id)
				cf_buf_addf(&b, "%lld", (long long)c->evidence_id);
			else
				cf_buf_addstr(&b, "null");
			cf_buf_addstr(&b, ",\"kind\":");
			json_s(&b, c->kind);
			cf_buf_addstr(&b, ",\"name\":");
			json_s(&b, c->name);
			cf_buf_addstr(&b, ",\"detail\":");
			json_s(&b, c->detail);
			cf_buf_addch(&b, '}');
		}
		cf_buf_addstr(&b, "],\"fix\":");
		json_s(&b, it->fix);
		cf_buf_addstr(&b, ",\"fix_why\":");
		json_s(&b, zh ? it->fix_zh : it->fix_en);
		cf_buf_addstr(&b, "}");
	}
	cf_buf_addstr(&b, "],\"limits\":[");
	for (i = 0; i < r->nlimits; i++) {
		cf_buf_addstr(&b, i ? ",{\"what\":" : "{\"what\":");
		json_s(&b, r->limits[i].what);
		cf_buf_addstr(&b, ",\"problem\":");
		json_s(&b, r->limits[i].problem);
		cf_buf_addstr(&b, ",\"fix\":");
		json_s(&b, r->limits[i].fix);
		cf_buf_addch(&b, '}');
	}
	cf_buf_addstr(&b, "]}");
	puts(b.data);
	cf_buf_release(&b);
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

			if (c->exhibit_no)
				printf("           %s%d (evidence #%lld) %s '%s'%s%s\n",
				       zh ? "证据" : "exhibit ", c->exhibit_no,
				       (long long)c->evidence_id, c->kind, c->name,
				       c->detail ? ": " : "", c->detail ? c->detail : "");
			else if (c->evidence_id)
				printf("           evidence #%lld %s '%s'%s%s\n",
				       (long long)c->evidence_id, c->kind, c->name,
				       c->detail ? ": " : "", c->detail ? c->detail : "");
			else
				printf("           %s%s%s\n", c->name, c->detail ? ": " : "",
				       c->detail ? c->detail : "");
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
	static const struct option opts[] = {
		CTX_COMMON_OPTIONS,
		{ "profile", 1, NULL, OPT_PROFILE },
		{ "reason", 1, NULL, OPT_REASON },
		{ "lang", 1, NULL, OPT_LANG },
		{ "statement", 1, NULL, OPT_STATEMENT },
		{ "checklist", 1, NULL, OPT_CHECKLIST },
		{ 0 }
	};
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
	int c, r, zh;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		const char **slot = NULL;

		if (c == '?')
			return ctx_usage(ctx, "unknown option '%s'", argv[optind - 1]);
		if ((r = ctx_common_opt(ctx, c, optarg)) < 0)
			return CF_EXIT_USAGE;
		if (r == 2)
			return CF_EXIT_OK;
		if (r == 1)
			continue;
		switch (c) {
		case OPT_PROFILE: slot = &profile_opt; break;
		case OPT_LANG: slot = &lang; break;
		case OPT_STATEMENT: slot = &stmt_path; break;
		case OPT_CHECKLIST: slot = &cl_opt; break;
		case OPT_REASON:
			if (reason)
				return ctx_usage(ctx, "option '--reason' given twice");
			if ((reason = dispute_reason_parse(optarg, &err)) == NULL) {
				ctx_usage(ctx, "--reason: %s", err.msg);
				cf_err_release(&err);
				return CF_EXIT_USAGE;
			}
			continue;
		}
		if (slot == NULL)
			continue;
		if (*slot)
			return ctx_usage(ctx, "option '%s' given twice", argv[optind - 1]);
		*slot = optarg;
	}
	if (optind >= argc)
		return ctx_usage(ctx, "an order id is required");
	order = argv[optind++];
	if (optind < argc)
		return ctx_usage(ctx, "unexpected argument '%s'", argv[optind]);
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
	.flags = CMD_NEEDS_VAULT,
	.run = run_check,
};

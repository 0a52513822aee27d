/* SPDX-License-Identifier: MIT */
/*
 * cmd_due — `casefile due`: open disputes by time left on their clock.
 *
 * The deadline is recomputed from the dispute's times and its profile (or
 * --profile for all), so editing a profile takes effect at once; an explicit
 * deadline is kept as given.  "now" is ctx->now ($CASEFILE_NOW / --now).
 * Exit 4 when any deadline is within --within (overdue ones included), for
 * cron alerts; the alert count also goes to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/jout.h"
#include "casefile/dispute.h"
#include "casefile/profile.h"
#include "casefile/stale.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

#define DUE_DEFAULT_WITHIN (12 * 3600LL)

struct due_row {
	struct dispute *d;
	struct dispute_clock c;
};

/* Merchant alerts first, then by deadline (none last), then order id. */
static int
cmp_rows(const void *a, const void *b)
{
	const struct due_row *x = a, *y = b;

	if (x->c.alert != y->c.alert)
		return x->c.alert ? -1 : 1;
	if (x->c.deadline == DISPUTE_NO_TIME || y->c.deadline == DISPUTE_NO_TIME) {
		if (x->c.deadline != y->c.deadline)
			return x->c.deadline == DISPUTE_NO_TIME ? 1 : -1;
	} else if (x->c.deadline != y->c.deadline) {
		return x->c.deadline < y->c.deadline ? -1 : 1;
	}
	return strcmp(x->d->order_id, y->d->order_id);
}

/* Profiles by name, loaded once each. */
struct pcache {
	struct profile **v;
	char **keys;		/* the reference each was found by */
	size_t n;
};

static struct profile *
pcache_get(struct pcache *pc, const char *name, struct cf_err *err)
{
	struct profile *p;
	size_t i;

	for (i = 0; i < pc->n; i++)
		if (!strcmp(pc->keys[i], name))
			return pc->v[i];
	if (profile_find(name, &p, err) < 0)
		return NULL;
	pc->v = xreallocarray(pc->v, pc->n + 1, sizeof(*pc->v));
	pc->keys = xreallocarray(pc->keys, pc->n + 1, sizeof(*pc->keys));
	pc->keys[pc->n] = xstrdup(name);
	pc->v[pc->n++] = p;
	return p;
}

/* Labels in the board's language. */
struct labels {
	int zh;
};

static const char *
L(const struct labels *l, const char *zh, const char *en)
{
	return l->zh ? zh : en;
}

/* What the row means for the merchant, one phrase. */
static const char *
row_state(const struct labels *l, const struct due_row *r)
{
	const struct dispute_clock *c = &r->c;

	if (!strcmp(c->kind, "buyer_escalation"))
		return c->lapsed ? L(l, "买家未在期限内申请平台介入，可关闭退款申请",
				     "buyer did not escalate; the request can be closed")
				 : L(l, "等待买家：未申请平台介入", "waiting for the buyer to escalate or not");
	if (!strcmp(c->kind, "platform_decision"))
		return L(l, "已提交举证材料，等待平台裁决", "waiting for the platform's decision");
	if (!strcmp(c->kind, "merchant_reply"))
		return L(l, "回复买家的退款申请（同意或拒绝）", "answer the refund request");
	if (!strcmp(c->kind, "merchant_evidence"))
		return L(l, "提交举证材料（casefile build）", "submit the evidence (casefile build)");
	if (!strcmp(c->kind, "explicit"))
		return L(l, "在约定期限前处理", "act before the deadline");
	return L(l, "暂无期限", "no deadline yet");
}

static void
print_row(struct cf_ctx *ctx, const struct labels *l, const struct due_row *r, long long now)
{
	const struct dispute *d = r->d;
	const struct dispute_clock *c = &r->c;
	char when[48], left[32], buf[96];

	ctx_print_cell(stdout, d->order_id, 20);
	ctx_print_cell(stdout, l->zh ? dispute_reason_zh(d->reason) : d->reason, 18);
	ctx_print_cell(stdout, l->zh ? dispute_status_zh(d->status) : d->status, 14);
	ctx_print_cell(stdout, l->zh ? dispute_clock_kind_zh(c->kind) : dispute_clock_kind_en(c->kind), 18);
	if (c->deadline == DISPUTE_NO_TIME) {
		ctx_print_cell(stdout, "-", 27);
		printf("%s\n", row_state(l, r));
		return;
	}
	ctx_print_cell(stdout, ctx_fmt_time(ctx, c->deadline, when, sizeof(when)), 27);
	dispute_format_left(c->deadline - now, left, sizeof(left));
	if (c->party == DISPUTE_PARTY_BUYER && c->lapsed)
		snprintf(buf, sizeof(buf), "%s", row_state(l, r));
	else if (c->lapsed)
		snprintf(buf, sizeof(buf), "%s %s", L(l, "已超期", "OVERDUE by"), left);
	else
		snprintf(buf, sizeof(buf), l->zh ? "剩余 %s" : "%s left", left);
	printf("%s%s\n", buf, c->alert ? "  !" : "");
}

/*
 * The board of `due --today`: what the merchant must do today (deadlines
 * within the window, overdue first), then what is waiting for others.
 */
static void
print_today(struct cf_ctx *ctx, const struct labels *l, const struct due_row *rows,
	    size_t n, long long now, long long within)
{
	char when[48], left[32], today[48];
	size_t i, k;

	printf("%s %s\n", L(l, "今日待办", "Today"),
	       ctx_fmt_time(ctx, now, today, sizeof(today)));
	printf("\n%s\n", L(l, "【商家需处理】", "[for the merchant]"));
	for (i = 0, k = 0; i < n; i++) {
		const struct due_row *r = &rows[i];

		if (r->c.party != DISPUTE_PARTY_MERCHANT || r->c.deadline - now > within)
			continue;
		dispute_format_left(r->c.deadline - now, left, sizeof(left));
		printf("%zu. %s %s：%s，%s %s（%s%s）\n", ++k, r->d->order_id,
		       l->zh ? dispute_reason_zh(r->d->reason) : r->d->reason,
		       row_state(l, r), L(l, "截止", "due"),
		       ctx_fmt_time(ctx, r->c.deadline, when, sizeof(when)),
		       r->c.lapsed ? L(l, "已超期 ", "overdue by ") : L(l, "剩余 ", "left "), left);
	}
	if (k == 0)
		printf("%s\n", L(l, "（今天没有需要商家处理的期限）", "(nothing due today)"));
	printf("\n%s\n", L(l, "【等待买家或平台】", "[waiting for the buyer or the platform]"));
	for (i = 0, k = 0; i < n; i++) {
		const struct due_row *r = &rows[i];

		if (r->c.party == DISPUTE_PARTY_MERCHANT || r->c.party == DISPUTE_PARTY_NONE)
			continue;
		printf("%zu. %s %s：%s", ++k, r->d->order_id,
		       l->zh ? dispute_reason_zh(r->d->reason) : r->d->reason, row_state(l, r));
		if (r->c.deadline != DISPUTE_NO_TIME && !r->c.lapsed)
			printf("（%s %s）", L(l, "截止", "until"),
			       ctx_fmt_time(ctx, r->c.deadline, when, sizeof(when)));
		putchar('\n');
	}
	if (k == 0)
		printf("%s\n", L(l, "（无）", "(none)"));
	for (i = 0, k = 0; i < n; i++)
		k += rows[i].c.party == DISPUTE_PARTY_MERCHANT && rows[i].c.deadline - now > within;
	if (k)
		printf("\n%s %zu\n", L(l, "以后到期的商家期限：", "merchant deadlines later:"), k);
}

static void
print_json(struct cf_ctx *ctx, const struct due_row *rows, size_t n,
	   const struct profile *forced, long long now, long long within, size_t nalert,
	   size_t noverdue, size_t nlapsed)
{
	struct cf_err err = CF_ERR_INIT;
	json_t *list = json_array();
	char when[48], iso[32];
	size_t i;

	for (i = 0; i < n; i++) {
		const struct dispute *d = rows[i].d;
		const struct dispute_clock *k = &rows[i].c;
		long long dl = k->deadline;
		struct stale sl;
		json_t *o = json_pack("{s:I,s:o,s:s,s:s,s:o}", "id", JI(d->id),
				      "order_id", jout_str(d->order_id), "reason", d->reason,
				      "status", d->status,
				      "profile", jout_str(forced ? forced->name : d->profile));

		if (dl == DISPUTE_NO_TIME) {
			json_t *none = json_pack("{s:n,s:n,s:n,s:n,s:b,s:b,s:b}", "deadline",
						 "deadline_local", "deadline_source",
						 "seconds_left", "overdue", 0, "lapsed", 0,
						 "alert", 0);

			json_object_update(o, none);
			json_decref(none);
		} else {
			jout_set(o, "deadline", json_string(cftime_format_iso(dl, iso, sizeof(iso))));
			jout_set(o, "deadline_local",
				 json_string(ctx_fmt_time(ctx, dl, when, sizeof(when))));
			jout_set(o, "deadline_source",
				 json_string(!strcmp(k->kind, "merchant_evidence") ? "evidence"
					     : !strcmp(k->kind, "buyer_escalation") ? "escalation"
					     : !strcmp(k->kind, "merchant_reply") ? "reply"
					     : k->kind));
			jout_set(o, "seconds_left", json_integer(dl - now));
			jout_set(o, "overdue",
				 json_boolean(k->lapsed && k->party == DISPUTE_PARTY_MERCHANT));
			jout_set(o, "lapsed", json_boolean(k->lapsed));
			jout_set(o, "alert", json_boolean(k->alert));
		}
		jout_set(o, "kind", json_string(k->kind));
		jout_set(o, "party", json_string(dispute_party_code(k->party)));
		if (stale_check(ctx->vault, d->order_id, &sl, &err) < 0) {
			cf_err_release(&err);
			sl.built = 0;
		}
		if (sl.built) {
			jout_set(o, "dossier_id", json_string(sl.dossier_id));
			jout_set(o, "added_since_dossier", json_integer(sl.added));
		}
		json_array_append_new(list, o);
	}
	jout_print(json_pack("{s:s,s:I,s:I,s:I,s:I,s:o}",
			     "now", cftime_format_iso(now, iso, sizeof(iso)),
			     "within_seconds", JI(within), "alerts", JI(nalert),
			     "overdue", JI(noverdue), "buyer_lapsed", JI(nlapsed), "disputes", list));
}

static enum cf_exit
run_due(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct pcache pc = { NULL, NULL, 0 };
	struct profile *forced = NULL;
	struct dispute **v = NULL;
	struct due_row *rows = NULL;
	struct labels lab = { 1 };
	const char *profile_opt = NULL, *lang = NULL;
	long long within = DUE_DEFAULT_WITHIN, now;
	size_t n = 0, i, nalert = 0, noverdue = 0, nlapsed = 0, nstale = 0;
	enum cf_exit rc = CF_EXIT_OK;
	int first, r, seen_within = 0, today = 0;

	{
		const char *within_opt = NULL;
		const struct cli_opt opts[] = {
			{ "within", 0, CLI_VALUE, &within_opt, NULL, 0 },
			{ "profile", 0, CLI_VALUE, &profile_opt, NULL, 0 },
			{ "today", 0, CLI_FLAG, NULL, &today, 0 },
			{ "lang", 0, CLI_VALUE, &lang, NULL, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(r);
		if (within_opt && cftime_parse_duration(within_opt, &within, &err) < 0) {
			ctx_usage(ctx, "--within: %s", err.msg);
			cf_err_release(&err);
			return CF_EXIT_USAGE;
		}
		seen_within = within_opt != NULL;
	}
	if (first < argc)
		return ctx_usage(ctx, "unexpected argument '%s'", argv[first]);
	if (lang && strcmp(lang, "zh") && strcmp(lang, "zh-CN") && strcmp(lang, "en"))
		return ctx_usage(ctx, "unknown language '%s': use zh or en", lang);
	lab.zh = lang == NULL || strncmp(lang, "zh", 2) == 0;
	now = (long long)ctx->now;	/* after --now */
	/* the board covers the rest of today and tonight: 24 h unless --within */
	if (today && !seen_within)
		within = 24 * 3600LL;
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (profile_opt && profile_find(profile_opt, &forced, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	if (dispute_list(vault_db(ctx->vault), 1, &v, &n, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	rows = xcalloc(n ? n : 1, sizeof(*rows));
	for (i = 0; i < n; i++) {
		struct dispute *d = v[i];
		struct profile *p = forced;
		long long built = stale_built_at(ctx->vault, d->order_id);

		rows[i].d = d;
		if (p == NULL && (p = pcache_get(&pc, d->profile, &err)) == NULL) {
			/* Keep going with the stored deadline: an alert must not be lost. */
			ctx_warn(ctx, "order '%s': %s; using the stored deadline",
				 d->order_id, err.msg);
			cf_err_release(&err);
			rc = CF_EXIT_INPUT;
		}
		dispute_clock(d, p, now, within, built < 0 ? DISPUTE_NO_TIME : built, &rows[i].c);
	}
	qsort(rows, n, sizeof(*rows), cmp_rows);
	for (i = 0; i < n; i++) {
		nalert += rows[i].c.alert;
		noverdue += rows[i].c.alert && rows[i].c.lapsed;
		nlapsed += rows[i].c.party == DISPUTE_PARTY_BUYER && rows[i].c.lapsed;
	}
	if (ctx->json) {
		print_json(ctx, rows, n, forced, now, within, nalert, noverdue, nlapsed);
	} else if (!ctx->quiet && today) {
		print_today(ctx, &lab, rows, n, now, within);
	} else if (!ctx->quiet) {
		if (n == 0) {
			printf("%s\n", L(&lab, "没有未结的争议", "no open disputes"));
		} else {
			ctx_print_cell(stdout, L(&lab, "订单", "ORDER"), 20);
			ctx_print_cell(stdout, L(&lab, "原因", "REASON"), 18);
			ctx_print_cell(stdout, L(&lab, "状态", "STATUS"), 14);
			ctx_print_cell(stdout, L(&lab, "期限", "DEADLINE KIND"), 18);
			ctx_print_cell(stdout, L(&lab, "截止时间", "DEADLINE"), 27);
			printf("%s\n", L(&lab, "剩余", "LEFT"));
		}
		for (i = 0; i < n; i++)
			print_row(ctx, &lab, &rows[i], now);
	}
	/* evidence that arrived after the order's dossier (stale.h) */
	for (i = 0; i < n; i++) {
		struct stale sl;

		if (stale_check(ctx->vault, rows[i].d->order_id, &sl, &err) < 0) {
			cf_err_release(&err);
			continue;
		}
		if (sl.built && sl.added > 0) {
			nstale++;
			ctx_warn(ctx, "order '%s': %lld item%s added since dossier %s was built; "
				 "run 'casefile build %s' again", rows[i].d->order_id, sl.added,
				 sl.added == 1 ? "" : "s", sl.dossier_id, rows[i].d->order_id);
		}
	}
	if (nlapsed)
		ctx_info(ctx, "%zu dispute%s: buyer did not escalate (can be closed)", nlapsed,
			 nlapsed == 1 ? "" : "s");
	if (nalert) {
		char w[32];

		ctx_error(ctx, "%zu merchant deadline%s within %s (%zu overdue)", nalert,
			  nalert == 1 ? "" : "s",
			  dispute_format_left(within, w, sizeof(w)), noverdue);
		if (rc == CF_EXIT_OK)
			rc = CF_EXIT_DEADLINE;
	}
out:
	cf_err_release(&err);
	free(rows);
	dispute_list_free(v, n);
	for (i = 0; i < pc.n; i++) {
		profile_free(pc.v[i]);
		free(pc.keys[i]);
	}
	free(pc.v);
	free(pc.keys);
	profile_free(forced);
	return rc;
}

const struct cmd cmd_due = {
	.name = "due",
	.usage = "casefile due [--today] [--within 12h] [--profile P] [--lang zh|en] [--json]",
	.summary = "open disputes by who must act and time left; exit 4 when a merchant deadline is near",
	.help = "Lists open disputes with the deadline that applies now and who must act:\n"
		"  商家回复期限 merchant_reply      requested + merchant_reply_hours (merchant)\n"
		"  买家申请介入期限 buyer_escalation  rejected + buyer_escalation_hours (buyer)\n"
		"  商家举证期限 merchant_evidence  arbitration + merchant_evidence_hours (merchant)\n"
		"  等待平台裁决 platform_decision  evidence window over, a dossier was built\n"
		"  商家期限 explicit               an explicit --deadline (merchant)\n"
		"Only the merchant's deadlines alert: a lapsed buyer window means the buyer\n"
		"did not escalate and the request can be closed (exit 0).  Each dispute\n"
		"uses its own profile unless --profile P (name or file) is given.\n"
		"--within DUR (default 12h, with --today 24h; 30m, 2d, 1h30m) sets the\n"
		"alert window; alerting rows end with '!'.  --today prints a one-screen\n"
		"board of what to do today.  Text is Chinese unless --lang en; --json keeps\n"
		"the codes (reason, status, kind, party).  A dossier built before newer\n"
		"evidence arrived is named on stderr.\n"
		"exit codes: 0 nothing for the merchant within the window, 4 a merchant\n"
		"            deadline is (for cron), 2 usage, 3 a dispute's profile could\n"
		"            not be read\n"
		"\nexample (cron):\n  casefile --quiet due --within 6h || mail -s 'dispute due' shop@example.com\n",
	.run = run_due,
};

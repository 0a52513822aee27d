/* SPDX-License-Identifier: MIT */
/*
 * cmd_dispute — `casefile dispute open|update|close|list`: dispute records.
 *
 * A small subcommand table (STYLE.md rule 19): each subcommand is a struct
 * cmd of its own so `casefile dispute open --help` and usage errors name the
 * right usage line.  Option values are checked before the vault is touched;
 * the dispute module does each change in one transaction.
 *
 * Exit codes: 0 done; 2 usage (unknown option, missing operand, unknown
 * reason/outcome/resolution/status, unreadable time or amount); 3 refused
 * (a second open dispute, no open dispute to update or close, a deadline in
 * the past, times out of order, a refund above the amount, a bad profile);
 * 5 internal error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/db_sqlite.h"
#include "casefile/jout.h"
#include "casefile/dispute.h"
#include "casefile/ingest.h"
#include "casefile/money.h"
#include "casefile/order_id.h"
#include "casefile/profile.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

enum {
	OPT_REASON, OPT_CLAIM, OPT_AMOUNT, OPT_REQUESTED,
	OPT_REJECTED, OPT_ARBITRATION, OPT_DEADLINE, OPT_NO_DEADLINE, OPT_PROFILE,
	OPT_NOTE, OPT_STATUS, OPT_OUTCOME, OPT_REFUNDED, OPT_RESOLUTION, OPT_OPEN,
	OPT_LAST
};

/* The options of the dispute subcommands, in OPT_* order. */
static const struct {
	const char *name;
	enum cli_arg arg;
} dispute_opts[] = {
	{ "reason", CLI_VALUE }, { "claim", CLI_VALUE }, { "amount", CLI_VALUE },
	{ "requested-at", CLI_VALUE }, { "rejected-at", CLI_VALUE },
	{ "arbitration-at", CLI_VALUE }, { "deadline", CLI_VALUE },
	{ "no-deadline", CLI_FLAG }, { "profile", CLI_VALUE }, { "note", CLI_VALUE },
	{ "status", CLI_VALUE }, { "outcome", CLI_VALUE }, { "refunded", CLI_VALUE },
	{ "resolution", CLI_VALUE }, { "open", CLI_FLAG },
};
#define NOPTS (OPT_LAST - OPT_REASON)

/* Parsed options of any subcommand; which are allowed is per subcommand. */
struct dopts {
	const char *order;
	const char *reason, *outcome, *resolution, *profile_opt;
	struct dispute_change ch;
	long long refunded;
	int open_only;
};

static int
opt_time(struct cf_ctx *ctx, const char *name, const char *arg, long long *t)
{
	struct cf_err err = CF_ERR_INIT;

	if (cftime_parse(arg, strlen(arg), t, &err) < 0) {
		ctx_usage(ctx, "--%s: %s", name, err.msg);
		cf_err_release(&err);
		return -1;
	}
	return 0;
}

static int
opt_money(struct cf_ctx *ctx, const char *name, const char *arg, long long *fen)
{
	struct cf_err err = CF_ERR_INIT;

	if (money_parse_fen(arg, fen, &err) < 0) {
		ctx_usage(ctx, "--%s: %s", name, err.msg);
		cf_err_release(&err);
		return -1;
	}
	return 0;
}

static int
opt_word(struct cf_ctx *ctx, const char *name,
	 const char *(*parse)(const char *, struct cf_err *), const char *arg,
	 const char **out)
{
	struct cf_err err = CF_ERR_INIT;

	if ((*out = parse(arg, &err)) == NULL) {
		ctx_usage(ctx, "--%s: %s", name, err.msg);
		cf_err_release(&err);
		return -1;
	}
	return 0;
}

/*
 * Parse argv for a subcommand allowing the options in `allowed` (a string of
 * OPT_* offsets).  Returns -1 (usage printed), 1 (--help done) or 0.
 */
static int
parse_opts(struct cf_ctx *ctx, int argc, char **argv, const char *allowed,
	   int want_order, struct dopts *o)
{
	struct cli_opt opts[NOPTS + 1];
	const char *val[NOPTS];
	int given[NOPTS], c, first, r;

	memset(o, 0, sizeof(*o));
	memset(opts, 0, sizeof(opts));
	memset(val, 0, sizeof(val));
	memset(given, 0, sizeof(given));
	dispute_change_init(&o->ch);
	o->refunded = DISPUTE_NO_AMOUNT;
	for (c = 0; c < NOPTS; c++) {
		opts[c].name = dispute_opts[c].name;
		opts[c].arg = dispute_opts[c].arg;
		if (strchr(allowed, 'a' + c)) {	/* else: "does not apply here" */
			opts[c].value = &val[c];
			opts[c].given = &given[c];
		}
	}
	if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
		return r;
	for (c = OPT_REASON; c < OPT_LAST; c++) {
		const char *arg = val[c - OPT_REASON];

		if (!given[c - OPT_REASON])
			continue;
		switch (c) {
		case OPT_REASON:
			if (opt_word(ctx, "reason", dispute_reason_parse, arg, &o->reason) < 0)
				return -1;
			break;
		case OPT_CLAIM:
			o->ch.claim = arg;
			break;
		case OPT_NOTE:
			o->ch.note = arg;
			break;
		case OPT_AMOUNT:
			if (opt_money(ctx, "amount", arg, &o->ch.amount_fen) < 0)
				return -1;
			break;
		case OPT_REFUNDED:
			if (opt_money(ctx, "refunded", arg, &o->refunded) < 0)
				return -1;
			break;
		case OPT_REQUESTED:
			if (opt_time(ctx, "requested-at", arg, &o->ch.requested_at) < 0)
				return -1;
			break;
		case OPT_REJECTED:
			if (opt_time(ctx, "rejected-at", arg, &o->ch.rejected_at) < 0)
				return -1;
			break;
		case OPT_ARBITRATION:
			if (opt_time(ctx, "arbitration-at", arg, &o->ch.arbitration_at) < 0)
				return -1;
			break;
		case OPT_DEADLINE:
			if (opt_time(ctx, "deadline", arg, &o->ch.deadline) < 0)
				return -1;
			break;
		case OPT_NO_DEADLINE:
			o->ch.clear_deadline = 1;
			break;
		case OPT_PROFILE:
			o->profile_opt = arg;
			break;
		case OPT_STATUS:
			if (opt_word(ctx, "status", dispute_status_parse, arg, &o->ch.status) < 0)
				return -1;
			break;
		case OPT_OUTCOME:
			if (opt_word(ctx, "outcome", dispute_outcome_parse, arg, &o->outcome) < 0)
				return -1;
			break;
		case OPT_RESOLUTION:
			if (opt_word(ctx, "resolution", dispute_resolution_parse, arg,
				     &o->resolution) < 0)
				return -1;
			break;
		case OPT_OPEN:
			o->open_only = 1;
			break;
		}
	}
	if (o->ch.clear_deadline && o->ch.deadline != DISPUTE_NO_TIME) {
		ctx_usage(ctx, "--deadline and --no-deadline conflict");
		return -1;
	}
	if (want_order) {
		if (first >= argc) {
			ctx_usage(ctx, "an order id is required");
			return -1;
		}
		if (!order_id_valid(argv[first])) {
			ctx_usage(ctx, "bad order id '%s': 1-64 letters, digits, '_' or '-'",
				  argv[first]);
			return -1;
		}
		o->order = argv[first++];
	}
	if (first < argc) {
		ctx_usage(ctx, "unexpected argument '%s'", argv[first]);
		return -1;
	}
	return 0;
}

/* Allowed-option strings: 'a' + (OPT_x - OPT_REASON). */
#define A(x) ((char)('a' + ((x) - OPT_REASON)))

static enum cf_exit
fail(struct cf_ctx *ctx, struct cf_err *err)
{
	enum cf_exit rc = ctx_fail(ctx, err);

	cf_err_release(err);
	return rc;
}

static void
print_deadline(struct cf_ctx *ctx, const struct dispute *d)
{
	char when[48], left[32];
	const char *src;

	if (d->deadline == DISPUTE_NO_TIME) {
		ctx_info(ctx, "  no deadline yet (set --rejected-at, --arbitration-at or --deadline)");
		return;
	}
	ctx_fmt_time(ctx, d->deadline, when, sizeof(when));
	src = d->deadline_source ? d->deadline_source : "stored";
	if (d->deadline > (long long)ctx->now)
		ctx_info(ctx, "  deadline %s (%s), %s left", when, src,
			 dispute_format_left(d->deadline - (long long)ctx->now, left, sizeof(left)));
	else
		ctx_info(ctx, "  deadline %s (%s), overdue by %s", when, src,
			 dispute_format_left((long long)ctx->now - d->deadline, left, sizeof(left)));
}

static json_t *
json_time(long long t)
{
	char iso[32];

	return t == DISPUTE_NO_TIME ? json_null()
				    : json_string(cftime_format_iso(t, iso, sizeof(iso)));
}

static json_t *
json_money(long long fen)
{
	char m[32];

	return fen == DISPUTE_NO_AMOUNT ? json_null()
					: json_string(money_format_fen(fen, m, sizeof(m)));
}

static json_t *
json_dispute(const struct dispute *d, const struct dispute_event *ev, size_t nev)
{
	json_t *events = json_array();
	size_t i;

	for (i = 0; i < nev; i++)
		json_array_append_new(events, json_pack("{s:o,s:o,s:o,s:o}", "at", json_time(ev[i].at),
							"who", jout_str(ev[i].who),
							"kind", jout_str(ev[i].kind),
							"what", jout_str(ev[i].what)));
	return json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,"
			 "s:o,s:o,s:o}",
			 "id", JI(d->id), "order_id", jout_str(d->order_id),
			 "reason", jout_str(d->reason),
			 "reason_zh", jout_str(dispute_reason_zh(d->reason)),
			 "claim", jout_str(d->claim), "amount", json_money(d->amount_fen),
			 "status", jout_str(d->status), "profile", jout_str(d->profile),
			 "requested_at", json_time(d->requested_at),
			 "rejected_at", json_time(d->rejected_at),
			 "arbitration_at", json_time(d->arbitration_at),
			 "deadline", json_time(d->deadline),
			 "deadline_source", jout_str(d->deadline_source),
			 "outcome", jout_str(d->outcome), "refunded", json_money(d->refunded_fen),
			 "resolution", jout_str(d->resolution),
			 "opened_at", json_time(d->opened_at), "closed_at", json_time(d->closed_at),
			 "events", events);
}

static void
warn_no_evidence(struct cf_ctx *ctx, const char *order)
{
	sqlite3_stmt *st;
	int have = 1;

	if (sqlite3_prepare_v2(db_sqlite(vault_db(ctx->vault)),
			       "SELECT 1 FROM evidence WHERE order_id = ? LIMIT 1", -1,
			       &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, order, -1, SQLITE_STATIC);
	have = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!have)
		ctx_warn(ctx, "order '%s' has no evidence in the vault yet", order);
}

/* Print the dispute after a change: text summary or JSON. */
static enum cf_exit
show_after(struct cf_ctx *ctx, const char *order, const char *verb)
{
	struct cf_err err = CF_ERR_INIT;
	struct dispute *d = NULL;
	struct dispute_event *ev = NULL;
	size_t nev = 0;

	if (dispute_get(vault_db(ctx->vault), order, 0, &d, &err) < 0)
		return fail(ctx, &err);
	if (ctx->json) {
		if (dispute_events(vault_db(ctx->vault), d->id, &ev, &nev, &err) < 0) {
			dispute_free(d);
			return fail(ctx, &err);
		}
		jout_print(json_dispute(d, ev, nev));
		dispute_events_free(ev, nev);
	} else {
		ctx_info(ctx, "%s dispute #%lld for order '%s': %s, %s", verb,
			 (long long)d->id, order, d->reason,
			 d->outcome ? d->outcome : d->status);
		if (d->closed_at == DISPUTE_NO_TIME)
			print_deadline(ctx, d);
	}
	dispute_free(d);
	return CF_EXIT_OK;
}

static enum cf_exit run_open(int argc, char **argv, struct cf_ctx *ctx);
static enum cf_exit run_update(int argc, char **argv, struct cf_ctx *ctx);
static enum cf_exit run_close(int argc, char **argv, struct cf_ctx *ctx);
static enum cf_exit run_list(int argc, char **argv, struct cf_ctx *ctx);

static const struct cmd sub_open = {
	.name = "dispute open",
	.usage = "casefile dispute open ORDER --reason REASON [--claim TEXT] [--amount 89.00]\n"
		 "       [--requested-at T] [--rejected-at T] [--arbitration-at T]\n"
		 "       [--deadline T] [--profile P] [--note TEXT]",
	.summary = "record a new dispute for an order",
	.help = "REASON: quality (质量问题), not_as_described (描述不符),\n"
		"  damaged_in_transit (运输损坏), not_received (未收到货),\n"
		"  wrong_or_missing_item (错发漏发), non_returnable (不支持退货),\n"
		"  price_or_payment (价格或支付问题), late_or_service (发货延迟或服务问题),\n"
		"  suspected_abuse (疑似恶意退款), other (其他)\n"
		"Times as in FORMATS.md (2025-05-03 10:12 is China time).  The deadline is\n"
		"--deadline, else arbitration-at + the profile's evidence hours, else\n"
		"rejected-at + the profile's escalation hours.  --profile NAME|FILE, default\n"
		"the vault setting dispute.profile, else douyin.\n"
		"Refused (exit 3): a second open dispute, a deadline in the past, times in\n"
		"the future or out of order.  Unknown values (exit 2) list the accepted ones.\n"
		"\nexample:\n  casefile dispute open 6931000000000001 --reason 未收到货 --amount 89.00 \\\n"
		"      --requested-at '2025-05-03 10:12' --rejected-at '2025-05-03 18:00'\n",
	.flags = CMD_NEEDS_VAULT | CMD_WRITES,
	.run = run_open,
};

static const struct cmd sub_update = {
	.name = "dispute update",
	.usage = "casefile dispute update ORDER [--status requested|rejected|arbitration]\n"
		 "       [--note TEXT] [--claim TEXT] [--amount A] [--requested-at T]\n"
		 "       [--rejected-at T] [--arbitration-at T] [--deadline T | --no-deadline]\n"
		 "       [--profile P]",
	.summary = "change the open dispute of an order (each change is an event)",
	.help = "Setting --rejected-at moves a requested dispute to rejected, and\n"
		"--arbitration-at moves it to arbitration, unless --status says otherwise.\n"
		"The deadline is recomputed.  Refused (exit 3): no open dispute, nothing\n"
		"to change, a deadline in the past.\n"
		"\nexample:\n  casefile dispute update 6931000000000001 --arbitration-at '2025-05-05 09:00'\n",
	.flags = CMD_NEEDS_VAULT | CMD_WRITES,
	.run = run_update,
};

static const struct cmd sub_close = {
	.name = "dispute close",
	.usage = "casefile dispute close ORDER --outcome won|lost|settled|withdrawn\n"
		 "       [--refunded 30.00] [--resolution partial_refund|coupon|exchange|\n"
		 "       return_refund|full_refund|none] [--note TEXT]",
	.summary = "close the open dispute of an order with its outcome",
	.help = "Refused (exit 3): no open dispute, a refund above the disputed amount.\n"
		"\nexample:\n  casefile dispute close 6931000000000001 --outcome settled --refunded 30.00 \\\n"
		"      --resolution partial_refund\n",
	.flags = CMD_NEEDS_VAULT | CMD_WRITES,
	.run = run_close,
};

static const struct cmd sub_list = {
	.name = "dispute list",
	.usage = "casefile dispute list [--open] [--json]",
	.summary = "list disputes (--json includes each dispute's events)",
	.help = NULL,
	.flags = CMD_NEEDS_VAULT,	/* only reads: never waits for a writer */
	.run = run_list,
};

static const struct cmd *const subs[] = { &sub_open, &sub_update, &sub_close, &sub_list };
#define NSUBS (sizeof(subs) / sizeof(subs[0]))

static int
need_vault(struct cf_ctx *ctx)
{
	return ctx_open_vault(ctx) < 0 ? -1 : 0;
}

static enum cf_exit
run_open(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct profile *prof = NULL;
	struct dopts o;
	char *who = NULL, *ref = NULL;
	const char allowed[] = { A(OPT_REASON), A(OPT_CLAIM), A(OPT_AMOUNT),
		A(OPT_REQUESTED), A(OPT_REJECTED), A(OPT_ARBITRATION), A(OPT_DEADLINE),
		A(OPT_PROFILE), A(OPT_NOTE), A(OPT_STATUS), 0 };
	enum cf_exit rc;
	int r;

	if ((r = parse_opts(ctx, argc, argv, allowed, 1, &o)) != 0)
		return r > 0 ? CF_EXIT_OK : CF_EXIT_USAGE;
	if (o.reason == NULL)
		return ctx_usage(ctx, "--reason is required");
	if (need_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (profile_resolve(vault_db(ctx->vault), o.profile_opt, &prof, &err) < 0)
		return fail(ctx, &err);
	ref = profile_ref_new(prof);
	o.ch.profile = ref;
	who = xasprintf("%s@%s", ctx->user, ctx->host);
	if (dispute_open(vault_db(ctx->vault), o.order, o.reason, &o.ch, prof,
			 (long long)ctx->now, who, NULL, &err) < 0) {
		rc = fail(ctx, &err);
		goto out;
	}
	warn_no_evidence(ctx, o.order);
	rc = show_after(ctx, o.order, "opened");
out:
	free(ref);
	free(who);
	profile_free(prof);
	return rc;
}

static enum cf_exit
run_update(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct profile *prof = NULL;
	struct dispute *d = NULL;
	struct dopts o;
	char *who = NULL, *ref = NULL;
	const char allowed[] = { A(OPT_CLAIM), A(OPT_AMOUNT), A(OPT_REQUESTED),
		A(OPT_REJECTED), A(OPT_ARBITRATION), A(OPT_DEADLINE), A(OPT_NO_DEADLINE),
		A(OPT_PROFILE), A(OPT_NOTE), A(OPT_STATUS), 0 };
	enum cf_exit rc;
	int r;

	if ((r = parse_opts(ctx, argc, argv, allowed, 1, &o)) != 0)
		return r > 0 ? CF_EXIT_OK : CF_EXIT_USAGE;
	if (need_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	/* The dispute keeps its own profile unless --profile changes it. */
	if (o.profile_opt == NULL &&
	    dispute_get(vault_db(ctx->vault), o.order, 1, &d, &err) == 0) {
		r = profile_find(d->profile, &prof, &err);
		dispute_free(d);
		if (r < 0)
			return fail(ctx, &err);
	} else if (o.profile_opt != NULL) {
		if (profile_find(o.profile_opt, &prof, &err) < 0)
			return fail(ctx, &err);
		ref = profile_ref_new(prof);
		o.ch.profile = ref;
	} else {
		if (err.code == CF_ENOTFOUND)
			err.code = CF_EINPUT;
		return fail(ctx, &err);
	}
	who = xasprintf("%s@%s", ctx->user, ctx->host);
	if (dispute_update(vault_db(ctx->vault), o.order, &o.ch, prof,
			   (long long)ctx->now, who, &err) < 0) {
		rc = fail(ctx, &err);
		goto out;
	}
	rc = show_after(ctx, o.order, "updated");
out:
	free(ref);
	free(who);
	profile_free(prof);
	return rc;
}

static enum cf_exit
run_close(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct dopts o;
	char *who;
	const char allowed[] = { A(OPT_OUTCOME), A(OPT_REFUNDED), A(OPT_RESOLUTION),
		A(OPT_NOTE), 0 };
	enum cf_exit rc;
	int r;

	if ((r = parse_opts(ctx, argc, argv, allowed, 1, &o)) != 0)
		return r > 0 ? CF_EXIT_OK : CF_EXIT_USAGE;
	if (o.outcome == NULL)
		return ctx_usage(ctx, "--outcome is required");
	if (need_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	who = xasprintf("%s@%s", ctx->user, ctx->host);
	if (dispute_close(vault_db(ctx->vault), o.order, o.outcome, o.refunded,
			  o.resolution, o.ch.note, (long long)ctx->now, who, &err) < 0) {
		free(who);
		return fail(ctx, &err);
	}
	free(who);
	rc = show_after(ctx, o.order, "closed");
	return rc;
}

static enum cf_exit
run_list(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct dispute **v = NULL;
	struct dopts o;
	size_t n = 0, i;
	const char allowed[] = { A(OPT_OPEN), 0 };
	int r;

	if ((r = parse_opts(ctx, argc, argv, allowed, 0, &o)) != 0)
		return r > 0 ? CF_EXIT_OK : CF_EXIT_USAGE;
	if (need_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (dispute_list(vault_db(ctx->vault), o.open_only, &v, &n, &err) < 0)
		return fail(ctx, &err);
	if (ctx->json) {
		json_t *list = json_array();

		for (i = 0; i < n; i++) {
			struct dispute_event *ev = NULL;
			size_t nev = 0;

			if (dispute_events(vault_db(ctx->vault), v[i]->id, &ev, &nev, &err) < 0) {
				json_decref(list);
				dispute_list_free(v, n);
				return fail(ctx, &err);
			}
			json_array_append_new(list, json_dispute(v[i], ev, nev));
			dispute_events_free(ev, nev);
		}
		jout_print(list);
	} else if (!ctx->quiet) {
		char t1[48], m[32];

		if (n == 0) {
			printf("no %sdisputes\n", o.open_only ? "open " : "");
		} else {
			printf("%-4s %-20s ", "ID", "ORDER");
			ctx_print_cell(stdout, "REASON", 18);
			ctx_print_cell(stdout, "STATUS", 14);
			ctx_print_cell(stdout, "OUTCOME", 10);
			printf("%10s  %s\n", "AMOUNT", "OPENED");
		}
		/* names in Chinese; --json keeps the codes */
		for (i = 0; i < n; i++) {
			printf("%-4lld %-20s ", (long long)v[i]->id, v[i]->order_id);
			ctx_print_cell(stdout, dispute_reason_zh(v[i]->reason), 18);
			ctx_print_cell(stdout, dispute_status_zh(v[i]->status), 14);
			ctx_print_cell(stdout, v[i]->outcome ? dispute_outcome_zh(v[i]->outcome) : "-", 10);
			printf("%10s  %s\n", v[i]->amount_fen == DISPUTE_NO_AMOUNT ? "-"
				       : money_format_fen(v[i]->amount_fen, m, sizeof(m)),
			       ctx_fmt_time(ctx, v[i]->opened_at, t1, sizeof(t1)));
		}
	}
	dispute_list_free(v, n);
	return CF_EXIT_OK;
}

static enum cf_exit
run_dispute(int argc, char **argv, struct cf_ctx *ctx)
{
	const struct cmd *parent = ctx->cmd;
	enum cf_exit rc;
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		if (argc < 2)
			return ctx_usage(ctx, "a subcommand is required: open, update, close or list");
		printf("usage: %s\n\n%s\n\n%s", parent->usage, parent->summary, parent->help);
		return CF_EXIT_OK;
	}
	for (i = 0; i < NSUBS; i++) {
		if (strcmp(subs[i]->name + strlen("dispute "), argv[1]))
			continue;
		ctx->cmd = subs[i];
		rc = subs[i]->run(argc - 1, argv + 1, ctx);
		ctx->cmd = parent;
		return rc;
	}
	return ctx_usage(ctx, "unknown subcommand '%s': use open, update, close or list", argv[1]);
}

const struct cmd cmd_dispute = {
	.name = "dispute",
	.usage = "casefile dispute open|update|close|list ...",
	.summary = "record refund disputes: open, update, close, list",
	.help = "subcommands:\n"
		"  open ORDER --reason REASON ...   record a new dispute\n"
		"  update ORDER [--status S] ...    change the open dispute\n"
		"  close ORDER --outcome O ...      close it with its outcome\n"
		"  list [--open] [--json]           list disputes\n"
		"'casefile dispute SUB --help' describes one.  Every change is kept as an\n"
		"event (who, when, what) shown in the dossier timeline.\n"
		"Each event and each new state is sealed as a ledger leaf; a dispute whose\n"
		"rows no longer match their leaves is not changed (exit 1).\n"
		"exit codes: 0 ok, 1 the dispute's rows were changed outside casefile,\n"
		"            2 usage or unknown value, 3 refused (nothing changed),\n"
		"            5 internal error\n",
	.flags = CMD_NEEDS_VAULT | CMD_WRITES,
	.run = run_dispute,
};

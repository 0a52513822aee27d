/* SPDX-License-Identifier: MIT */
/*
 * cmd_stats — `casefile stats`: what the shop's disputes say, as plain-text
 * tables, JSON or CSV, and with --report FILE.pdf as charts (stats_report.c).
 * The numbers and their definitions come from the stats module (stats.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/jout.h"
#include "casefile/dispute.h"
#include "casefile/money.h"
#include "casefile/stats.h"
#include "casefile/stats_report.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"


enum out_mode { OUT_TEXT, OUT_JSON, OUT_CSV };

/* s padded to width terminal columns (at least one space). */
static void
addcell(struct cf_buf *b, const char *s, int width)
{
	int w = ctx_text_width(s);

	cf_buf_addstr(b, s);
	do
		cf_buf_addch(b, ' ');
	while (++w < width);
}

/* A key in Chinese when it is a reason, outcome or resolution code. */
static const char *
key_zh(const char *by, const char *key, int second)
{
	if (key == NULL)
		return "";
	if (!strcmp(by, "outcome"))
		return second ? dispute_resolution_zh(key) : dispute_outcome_zh(key);
	if (!second && (!strcmp(by, "reason") || !strcmp(by, "kinds")))
		return dispute_reason_zh(key);
	return key;
}

static const char *const tables[] = { "reason", "sku", "month", "outcome", "buyer", "kinds", NULL };

static const struct stats_table *
table_of(const struct stats *s, const char *by)
{
	if (!strcmp(by, "reason")) return &s->reason;
	if (!strcmp(by, "sku")) return &s->sku;
	if (!strcmp(by, "month")) return &s->month;
	if (!strcmp(by, "outcome")) return &s->outcome;
	if (!strcmp(by, "buyer")) return &s->buyer;
	return &s->kinds;
}

static void
fmt_rate(long permille, char *buf, size_t n)
{
	if (permille < 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%ld.%ld", permille / 10, permille % 10);
}

static void
fmt_median(long long secs, char *buf, size_t n)
{
	if (secs == STATS_NO_MEDIAN)
		snprintf(buf, n, "-");
	else
		dispute_format_left(secs, buf, n);
}

/* Table headings in capitals; s is one of the short key names. */
static const char *
upper(const char *s, char *buf, size_t n)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < n; i++)
		buf[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i]);
	buf[i] = '\0';
	return buf;
}

static void
csv_field(struct cf_buf *b, const char *s)
{
	if (strpbrk(s, ",\"\n\r")) {
		cf_buf_addch(b, '"');
		for (; *s; s++) {
			if (*s == '"')
				cf_buf_addch(b, '"');
			cf_buf_addch(b, *s);
		}
		cf_buf_addch(b, '"');
	} else {
		cf_buf_addstr(b, s);
	}
}

/* Column headers of a table's key columns. */
static void
key_names(const char *by, const char **k1, const char **k2)
{
	*k2 = NULL;
	if (!strcmp(by, "outcome")) {
		*k1 = "outcome";
		*k2 = "resolution";
	} else if (!strcmp(by, "buyer")) {
		*k1 = "buyer";
		*k2 = "reasons";
	} else if (!strcmp(by, "kinds")) {
		*k1 = "reason";
		*k2 = "kind";
	} else {
		*k1 = by;
	}
}

/* One table of the --json output. */
static json_t *
json_table(const struct stats *s, const char *by)
{
	const struct stats_table *t = table_of(s, by);
	const char *k1, *k2;
	char money[32];
	json_t *list = json_array();
	size_t i, j;

	key_names(by, &k1, &k2);
	for (i = 0; i < t->n; i++) {
		const struct stats_row *r = &t->rows[i];
		json_t *o = json_object();

		jout_set(o, k1, jout_str(r->key));
		if (k2)
			jout_set(o, k2, jout_str(r->key2 ? r->key2 : ""));
		if (!strcmp(by, "kinds")) {
			jout_set(o, "won_with", json_integer(r->kind_won));
			jout_set(o, "won_total", json_integer(r->won));
			jout_set(o, "lost_with", json_integer(r->kind_lost));
			jout_set(o, "lost_total", json_integer(r->lost));
		} else {
			jout_set(o, "count", json_integer(r->count));
			jout_set(o, "open", json_integer(r->open));
			jout_set(o, "won", json_integer(r->won));
			jout_set(o, "lost", json_integer(r->lost));
			jout_set(o, "settled", json_integer(r->settled));
			jout_set(o, "withdrawn", json_integer(r->withdrawn));
			jout_set(o, "win_permille", jout_int_or_null(r->win_permille,
								     r->win_permille < 0));
			jout_set(o, "refunded", json_string(money_format_fen(r->refunded_fen, money,
									     sizeof(money))));
			jout_set(o, "refunded_fen", json_integer(r->refunded_fen));
			jout_set(o, "median_seconds", jout_int_or_null(r->median_secs,
								       r->median_secs == STATS_NO_MEDIAN));
			if (r->per_reason) {
				const char *const *rs = dispute_reasons();
				json_t *pr = json_object();

				for (j = 0; j < s->nreasons; j++)
					jout_set(pr, rs[j], json_integer(r->per_reason[j]));
				jout_set(o, "per_reason", pr);
			}
		}
		json_array_append_new(list, o);
	}
	return list;
}

static void
emit_table(struct cf_buf *b, const struct stats *s, const char *by, enum out_mode m)
{
	const struct stats_table *t = table_of(s, by);
	const char *k1, *k2;
	char rate[48], med[32], money[32], r2[48], u1[16], u2[16];
	size_t i;
	int kinds = !strcmp(by, "kinds");

	key_names(by, &k1, &k2);
	if (m == OUT_CSV) {
		if (kinds)
			cf_buf_addstr(b, "reason,kind,won_with,won_total,lost_with,lost_total\n");
		else
			cf_buf_addf(b, "%s%s%s,count,open,won,lost,settled,withdrawn,win_rate,"
				    "refunded,median_seconds\n", k1, k2 ? "," : "", k2 ? k2 : "");
		for (i = 0; i < t->n; i++) {
			const struct stats_row *r = &t->rows[i];

			csv_field(b, r->key);
			if (k2) {
				cf_buf_addch(b, ',');
				csv_field(b, r->key2 ? r->key2 : "");
			}
			if (kinds) {
				cf_buf_addf(b, ",%ld,%ld,%ld,%ld\n", r->kind_won, r->won,
					    r->kind_lost, r->lost);
				continue;
			}
			fmt_rate(r->win_permille, rate, sizeof(rate));
			cf_buf_addf(b, ",%ld,%ld,%ld,%ld,%ld,%ld,%s,%s,", r->count, r->open,
				    r->won, r->lost, r->settled, r->withdrawn,
				    r->win_permille < 0 ? "" : rate,
				    money_format_fen(r->refunded_fen, money, sizeof(money)));
			if (r->median_secs != STATS_NO_MEDIAN)
				cf_buf_addf(b, "%lld", r->median_secs);
			cf_buf_addch(b, '\n');
		}
		return;
	}
	/* Plain text. */
	if (!strcmp(by, "reason"))
		cf_buf_addstr(b, "by reason\n");
	else if (!strcmp(by, "sku"))
		cf_buf_addstr(b, "by product (SKU)\n");
	else if (!strcmp(by, "month"))
		cf_buf_addstr(b, "by month\n");
	else if (!strcmp(by, "outcome"))
		cf_buf_addstr(b, "by outcome and resolution\n");
	else if (!strcmp(by, "buyer"))
		cf_buf_addstr(b, "repeat buyers (two or more disputes, masked)\n");
	else
		cf_buf_addstr(b, "evidence present in won vs lost disputes, per reason\n");
	if (t->n == 0) {
		cf_buf_addstr(b, "  (none)\n");
		return;
	}
	if (kinds) {
		cf_buf_addf(b, "  %-22s %-10s %14s %14s\n", "REASON", "KIND", "WON WITH", "LOST WITH");
		for (i = 0; i < t->n; i++) {
			const struct stats_row *r = &t->rows[i];
			long wp = r->won ? r->kind_won * 1000 / r->won : -1;
			long lp = r->lost ? r->kind_lost * 1000 / r->lost : -1;
			char a[96], c[96];

			fmt_rate(wp, rate, sizeof(rate));
			fmt_rate(lp, r2, sizeof(r2));
			snprintf(a, sizeof(a), "%ld/%ld %s%s", r->kind_won, r->won, rate,
				 wp < 0 ? "" : "%");
			snprintf(c, sizeof(c), "%ld/%ld %s%s", r->kind_lost, r->lost, r2,
				 lp < 0 ? "" : "%");
			cf_buf_addstr(b, "  ");
			addcell(b, key_zh(by, r->key, 0), 23);
			cf_buf_addf(b, "%-10s %14s %14s\n", r->key2, a, c);
		}
		return;
	}
	cf_buf_addf(b, "  %-22s %-16s %6s %5s %5s %5s %7s %9s %6s %12s %10s\n",
		    upper(k1, u1, sizeof(u1)), k2 ? upper(k2, u2, sizeof(u2)) : "", "COUNT", "OPEN", "WON", "LOST", "SETTLED",
		    "WITHDRAWN", "WIN%", "REFUNDED", "MEDIAN");
	for (i = 0; i < t->n; i++) {
		const struct stats_row *r = &t->rows[i];

		fmt_rate(r->win_permille, rate, sizeof(rate));
		fmt_median(r->median_secs, med, sizeof(med));
		cf_buf_addstr(b, "  ");
		addcell(b, key_zh(by, r->key, 0), 23);
		addcell(b, k2 ? key_zh(by, r->key2, 1) : "", 17);
		cf_buf_addf(b, "%6ld %5ld %5ld %5ld %7ld %9ld %6s %12s %10s\n",
			    r->count, r->open,
			    r->won, r->lost, r->settled, r->withdrawn, rate,
			    money_format_fen(r->refunded_fen, money, sizeof(money)), med);
	}
}

static int
parse_day(struct cf_ctx *ctx, const char *opt, const char *arg, long long *t)
{
	struct cf_err err = CF_ERR_INIT;

	if (cftime_parse(arg, strlen(arg), t, &err) < 0) {
		ctx_usage(ctx, "--%s: %s", opt, err.msg);
		cf_err_release(&err);
		return -1;
	}
	return 0;
}

static enum cf_exit
run_stats(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct stats *s = NULL;
	struct cf_buf b = CF_BUF_INIT;
	long long since = LLONG_MIN, until = LLONG_MAX;
	const char *by = NULL, *report = NULL;
	int first, r, csv = 0;
	enum out_mode m;
	enum cf_exit rc = CF_EXIT_OK;
	size_t i;
	char money[32], med[32], iso[32];

	{
		const char *since_o = NULL, *until_o = NULL, *by_o = NULL;
		const struct cli_opt opts[] = {
			{ "since", 0, CLI_VALUE, &since_o, NULL, 0 },
			{ "until", 0, CLI_VALUE, &until_o, NULL, 0 },
			{ "by", 0, CLI_VALUE, &by_o, NULL, 0 },
			{ "csv", 0, CLI_FLAG, NULL, &csv, 0 },
			{ "report", 0, CLI_VALUE, &report, NULL, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(r);
		if ((since_o && parse_day(ctx, "since", since_o, &since) < 0) ||
		    (until_o && parse_day(ctx, "until", until_o, &until) < 0))
			return CF_EXIT_USAGE;
		for (i = 0; by_o && tables[i]; i++)
			if (!strcmp(tables[i], by_o))
				by = tables[i];
		if (by_o && by == NULL)
			return ctx_usage(ctx, "--by: unknown table '%s' (one of: reason, sku, "
					 "month, outcome, buyer, kinds)", by_o);
	}
	if (first < argc)
		return ctx_usage(ctx, "unexpected argument '%s'", argv[first]);
	if (csv && ctx->json)
		return ctx_usage(ctx, "--csv and --json conflict");
	if (since != LLONG_MIN && until != LLONG_MAX && until <= since)
		return ctx_usage(ctx, "--until must be after --since");
	m = csv ? OUT_CSV : ctx->json ? OUT_JSON : OUT_TEXT;
	if (m == OUT_CSV && by == NULL)
		by = "reason";
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (stats_compute(vault_db(ctx->vault), since, until, ctx->tz_offset, &s, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		cf_err_release(&err);
		return rc;
	}
	if (report) {
		if (stats_report_write(s, report, ctx->now, ctx->tz_offset, ctx->fonts_dir,
				       &err) < 0) {
			rc = ctx_fail(ctx, &err);
			cf_err_release(&err);
			goto out;
		}
		if (!ctx->json && !csv)
			ctx_info(ctx, "wrote '%s'", report);
		if (by == NULL && !ctx->json)
			goto out;
	}
	if (m == OUT_CSV) {
		emit_table(&b, s, by, m);
	} else if (m == OUT_JSON) {
		json_t *o;

		if (by) {
			o = json_table(s, by);
		} else {
			o = json_object();
			jout_set(o, "since", since == LLONG_MIN ? json_null() :
				 json_string(cftime_format_iso(since, iso, sizeof(iso))));
			jout_set(o, "until", until == LLONG_MAX ? json_null() :
				 json_string(cftime_format_iso(until, iso, sizeof(iso))));
			jout_set(o, "total", json_integer(s->total));
			jout_set(o, "open", json_integer(s->open));
			jout_set(o, "closed", json_integer(s->closed));
			jout_set(o, "refunded", json_string(money_format_fen(s->refunded_fen, money,
									     sizeof(money))));
			jout_set(o, "refunded_fen", json_integer(s->refunded_fen));
			jout_set(o, "median_seconds", jout_int_or_null(s->median_secs,
								       s->median_secs == STATS_NO_MEDIAN));
			for (i = 0; tables[i]; i++) {
				char key[32];

				snprintf(key, sizeof(key), "by_%s", tables[i]);
				jout_set(o, key, json_table(s, tables[i]));
			}
		}
		jout_print(o);
	} else if (!ctx->quiet) {
		fmt_median(s->median_secs, med, sizeof(med));
		cf_buf_addf(&b, "disputes: %ld (open %ld, closed %ld); refunded %s; "
			    "median request to resolution %s\n",
			    s->total, s->open, s->closed,
			    money_format_fen(s->refunded_fen, money, sizeof(money)), med);
		for (i = 0; tables[i]; i++) {
			if (by && strcmp(by, tables[i]))
				continue;
			cf_buf_addch(&b, '\n');
			emit_table(&b, s, tables[i], m);
		}
	}
	fwrite(b.data, 1, b.len, stdout);
out:
	cf_buf_release(&b);
	stats_free(s);
	return rc;
}

const struct cmd cmd_stats = {
	.name = "stats",
	.usage = "casefile stats [--since D] [--until D] [--by reason|sku|month|outcome|buyer|kinds]\n"
		 "       [--json | --csv] [--report FILE.pdf]",
	.summary = "what the disputes say: by reason, product, month, outcome, buyer",
	.help = "Disputes by reason, by product (SKU), by month, by outcome and\n"
		"resolution; win rate (won / (won + lost)) and money refunded per reason;\n"
		"median time from the refund request to resolution; repeat buyers\n"
		"(masked) with two or more disputes; per reason, which evidence kinds\n"
		"were present in won vs lost disputes (--by kinds).\n"
		"A dispute's time is its request time (else when it was opened); --since D\n"
		"and --until D select since <= time < until (D as in FORMATS.md; a date\n"
		"alone is midnight China time).  Without --by every table is shown;\n"
		"--csv prints one table (default reason).  --report FILE.pdf draws charts.\n"
		"\nexample:\n  casefile stats --since 2025-05-01 --until 2025-06-01 --by sku --csv > sku.csv\n",
	.run = run_stats,
};

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
#include "casefile/vault.h"
#include "casefile/xalloc.h"

#define DUE_DEFAULT_WITHIN (12 * 3600LL)

struct due_row {
	struct dispute *d;
	long long deadline;	/* DISPUTE_NO_TIME when none */
	const char *source;
};

static int
cmp_rows(const void *a, const void *b)
{
	const struct due_row *x = a, *y = b;

	if (x->deadline == DISPUTE_NO_TIME || y->deadline == DISPUTE_NO_TIME) {
		if (x->deadline != y->deadline)
			return x->deadline == DISPUTE_NO_TIME ? 1 : -1;
	} else if (x->deadline != y->deadline) {
		return x->deadline < y->deadline ? -1 : 1;
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

static void
print_json(struct cf_ctx *ctx, const struct due_row *rows, size_t n,
	   const struct profile *forced, long long now, long long within, size_t nalert,
	   size_t noverdue)
{
	json_t *list = json_array();
	char when[48], iso[32];
	size_t i;

	for (i = 0; i < n; i++) {
		const struct dispute *d = rows[i].d;
		long long dl = rows[i].deadline;
		json_t *o = json_pack("{s:I,s:o,s:s,s:s,s:o}", "id", JI(d->id),
				      "order_id", jout_str(d->order_id), "reason", d->reason,
				      "status", d->status,
				      "profile", jout_str(forced ? forced->name : d->profile));

		if (dl == DISPUTE_NO_TIME) {
			json_t *none = json_pack("{s:n,s:n,s:n,s:n,s:b,s:b}", "deadline",
						 "deadline_local", "deadline_source",
						 "seconds_left", "overdue", 0, "alert", 0);

			json_object_update(o, none);
			json_decref(none);
		} else {
			jout_set(o, "deadline", json_string(cftime_format_iso(dl, iso, sizeof(iso))));
			jout_set(o, "deadline_local",
				 json_string(ctx_fmt_time(ctx, dl, when, sizeof(when))));
			jout_set(o, "deadline_source",
				 json_string(rows[i].source ? rows[i].source : "stored"));
			jout_set(o, "seconds_left", json_integer(dl - now));
			jout_set(o, "overdue", json_boolean(dl <= now));
			jout_set(o, "alert", json_boolean(dl - now <= within));
		}
		json_array_append_new(list, o);
	}
	jout_print(json_pack("{s:s,s:I,s:I,s:I,s:o}",
			     "now", cftime_format_iso(now, iso, sizeof(iso)),
			     "within_seconds", JI(within), "alerts", JI(nalert),
			     "overdue", JI(noverdue), "disputes", list));
}

static enum cf_exit
run_due(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct pcache pc = { NULL, NULL, 0 };
	struct profile *forced = NULL;
	struct dispute **v = NULL;
	struct due_row *rows = NULL;
	const char *profile_opt = NULL;
	long long within = DUE_DEFAULT_WITHIN, now;
	size_t n = 0, i, nalert = 0, noverdue = 0;
	enum cf_exit rc = CF_EXIT_OK;
	int first, r;
	char when[48], left[32];

	{
		const char *within_opt = NULL;
		const struct cli_opt opts[] = {
			{ "within", 0, CLI_VALUE, &within_opt, NULL, 0 },
			{ "profile", 0, CLI_VALUE, &profile_opt, NULL, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(r);
		if (within_opt && cftime_parse_duration(within_opt, &within, &err) < 0) {
			ctx_usage(ctx, "--within: %s", err.msg);
			cf_err_release(&err);
			return CF_EXIT_USAGE;
		}
	}
	if (first < argc)
		return ctx_usage(ctx, "unexpected argument '%s'", argv[first]);
	now = (long long)ctx->now;	/* after --now */
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
		long long expl = d->deadline_source && !strcmp(d->deadline_source, "explicit")
					 ? d->deadline : DISPUTE_NO_TIME;

		rows[i].d = d;
		if (p == NULL && (p = pcache_get(&pc, d->profile, &err)) == NULL) {
			/* Keep going with the stored deadline: an alert must not be lost. */
			ctx_warn(ctx, "order '%s': %s; using the stored deadline",
				 d->order_id, err.msg);
			cf_err_release(&err);
			rows[i].deadline = d->deadline;
			rows[i].source = d->deadline_source;
			rc = CF_EXIT_INPUT;
			continue;
		}
		rows[i].deadline = dispute_deadline(d->requested_at, d->rejected_at,
						    d->arbitration_at, expl, p, &rows[i].source);
	}
	qsort(rows, n, sizeof(*rows), cmp_rows);
	for (i = 0; i < n; i++) {
		if (rows[i].deadline == DISPUTE_NO_TIME)
			continue;
		if (rows[i].deadline - now <= within)
			nalert++;
		if (rows[i].deadline <= now)
			noverdue++;
	}
	if (ctx->json) {
		print_json(ctx, rows, n, forced, now, within, nalert, noverdue);
	} else if (!ctx->quiet) {
		if (n == 0)
			printf("no open disputes\n");
		else
			printf("%-20s %-22s %-11s %-26s %s\n", "ORDER", "REASON", "STATUS",
			       "DEADLINE", "LEFT");
		for (i = 0; i < n; i++) {
			struct dispute *d = rows[i].d;
			long long dl = rows[i].deadline;
			const char *tag = "";

			if (dl == DISPUTE_NO_TIME) {
				printf("%-20s %-22s %-11s %-26s %s\n", d->order_id, d->reason,
				       d->status, "-", "no deadline yet");
				continue;
			}
			if (dl - now <= within)
				tag = "  !";
			ctx_fmt_time(ctx, dl, when, sizeof(when));
			if (dl > now)
				printf("%-20s %-22s %-11s %-26s %s left (%s)%s\n", d->order_id,
				       d->reason, d->status, when,
				       dispute_format_left(dl - now, left, sizeof(left)),
				       rows[i].source ? rows[i].source : "stored", tag);
			else
				printf("%-20s %-22s %-11s %-26s OVERDUE by %s (%s)%s\n",
				       d->order_id, d->reason, d->status, when,
				       dispute_format_left(now - dl, left, sizeof(left)),
				       rows[i].source ? rows[i].source : "stored", tag);
		}
	}
	if (nalert) {
		char w[32];

		ctx_error(ctx, "%zu dispute%s due within %s (%zu overdue)", nalert,
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
	.usage = "casefile due [--within 12h] [--profile P] [--json]",
	.summary = "open disputes by time left; exit 4 when a deadline is near",
	.help = "Lists open disputes by time left on their clock: the deadline in China\n"
		"time (or --tz) and the time left in hours and minutes; overdue disputes\n"
		"say OVERDUE.  The deadline is an explicit --deadline, else arbitration\n"
		"start + the profile's evidence hours, else the merchant's rejection + the\n"
		"buyer's escalation hours.  Each dispute uses its own profile unless\n"
		"--profile P (name or file) is given.  --within DUR (default 12h; 30m,\n"
		"2d, 1h30m) sets the alert window; alerting rows end with '!'.\n"
		"exit codes: 0 nothing due within the window, 4 something is (for cron),\n"
		"            2 usage, 3 a dispute's profile could not be read\n"
		"\nexample (cron):\n  casefile --quiet due --within 6h || mail -s 'dispute due' shop@example.com\n",
	.flags = CMD_NEEDS_VAULT,
	.run = run_due,
};

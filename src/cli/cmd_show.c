/* SPDX-License-Identifier: MIT */
/*
 * cmd_show — `casefile show ORDER`: every evidence item of an order with its
 * hash, chain-of-custody facts, parsed facts and warnings; with --messages
 * also each chat message and logistics event as parsed: time to the
 * millisecond where the original had one, and the fields kept beside the
 * text (`extra`), which the dossier does not render.  What is shown comes
 * from itemview.h; this file renders it as text or JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/itemview.h"
#include "casefile/jout.h"
#include "casefile/stale.h"
#include "casefile/xalloc.h"

/* The facts of an item as "key value, key value" and as a JSON object. */
static json_t *
render_facts(const struct cf_ctx *ctx, const struct itemview *iv, struct cf_buf *text)
{
	json_t *j = json_object();
	char buf[40], iso[32];
	size_t i;

	for (i = 0; i < iv->nfacts; i++) {
		const struct itemview_fact *f = &iv->facts[i];

		cf_buf_addf(text, "%s%s ", text->len ? ", " : "", f->key);
		switch (f->type) {
		case ITEMVIEW_STR:
			cf_buf_addstr(text, f->str);
			jout_set(j, f->key, jout_str(f->str));
			break;
		case ITEMVIEW_INT:
			cf_buf_addf(text, "%lld", f->num);
			jout_set(j, f->key, json_integer(f->num));
			break;
		case ITEMVIEW_TIME:
			cf_buf_addstr(text, ctx_fmt_time(ctx, f->num, buf, sizeof(buf)));
			jout_set(j, f->key, json_string(cftime_format_iso(f->num, iso,
									  sizeof(iso))));
			break;
		}
	}
	return j;
}

/* A column stored as JSON text (attachments, extra), or its text when it is not JSON. */
static json_t *
jout_stored(const char *v)
{
	json_t *j = json_loads(v, JSON_DECODE_ANY, NULL);

	return j ? j : jout_str(v);
}

/* The parsed messages or events of an item (--messages): text lines and JSON. */
static json_t *
render_records(const struct cf_ctx *ctx, const struct itemview *iv, struct cf_buf *text)
{
	static const char *const names[2][ITEMVIEW_NFIELDS] = {
		{ "status", "location", "description", "attachments", "extra" },
		{ "from", "name", "text", "attachments", "extra" },
	};
	int chat = iv->chat;
	json_t *list = json_array();
	size_t n;

	for (n = 0; n < iv->nrecords; n++) {
		const struct itemview_record *r = &iv->records[n];
		char when[48], iso[32];
		json_t *row;
		int i;

		if (r->has_time)
			cftime_format_ms(r->time, r->ms, ctx->tz_offset, when, sizeof(when));
		else
			snprintf(when, sizeof(when), "(no time)");
		cf_buf_addf(text, "    %s %lld  %s ", chat ? "message" : "event", r->seq, when);
		row = json_pack("{s:I,s:o}", "seq", JI(r->seq),
				"time", r->has_time ? json_string(cftime_format_iso(r->time, iso,
										   sizeof(iso)))
						    : json_null());
		if (r->ms >= 0)
			jout_set(row, "time_ms", json_integer(r->ms));
		for (i = 0; i < ITEMVIEW_NFIELDS; i++) {
			const char *v = r->f[i], *k = names[chat][i];

			if (v == NULL)
				continue;
			jout_set(row, k, i >= 3 ? jout_stored(v) : jout_str(v));
			if (chat && i == 1)
				cf_buf_addf(text, "(%s) ", v);
			else if (chat && i == 2) {
				/* one line per message: "⏎" for its line breaks */
				cf_buf_addstr(text, "| ");
				ctx_add_oneline(text, v);
			}
			else if (i == 0)
				cf_buf_addf(text, "%s%s", v, chat ? " " : "");
			else if (i < 3) {
				cf_buf_addstr(text, " | ");
				ctx_add_oneline(text, v);
			}
			else
				cf_buf_addf(text, "\n        %s %s", k, v);
		}
		cf_buf_addch(text, '\n');
		json_array_append_new(list, row);
	}
	return json_pack("{s:o}", chat ? "messages" : "events", list);
}

struct hist {
	const struct cf_ctx *ctx;
	struct cf_buf *text;
	json_t *json;
};

static void
on_event(void *cookie, const struct tag_event *e)
{
	struct hist *h = cookie;
	char when[40], iso[32];

	if (json_array_size(h->json) == 0)
		cf_buf_addstr(h->text, "    history (ledger leaves):\n");
	ctx_fmt_time(h->ctx, e->at, when, sizeof(when));
	cf_buf_addf(h->text, "      %s  %s  %s %s  (leaf %lld)\n", when, e->who, e->type,
		    e->value, (long long)e->leaf_index);
	json_array_append_new(h->json, json_pack("{s:I,s:s,s:o,s:o,s:o}", "leaf_index",
						 (json_int_t)e->leaf_index, "at",
						 cftime_format_iso(e->at, iso, sizeof(iso)),
						 "type", jout_str(e->type), "who", jout_str(e->who),
						 "value", jout_str(e->value)));
}

static const char *
or_q(const char *s)
{
	return s ? s : "?";
}

/* One item: appended to items (--json) or printed. */
static void
show_item(struct cf_ctx *ctx, const struct itemview *iv, int with_history, int first,
	  json_t *items)
{
	struct cf_buf ftext = CF_BUF_INIT, rtext = CF_BUF_INIT, htext = CF_BUF_INIT;
	struct hist h = { ctx, &htext, json_array() };
	json_t *facts = render_facts(ctx, iv, &ftext), *rjson = NULL, *jwarns = json_array();
	char when[40], iso[32];
	size_t i;

	if (with_history)
		itemview_history(ctx->vault, iv->id, on_event, &h, NULL);
	if (iv->has_records)
		rjson = render_records(ctx, iv, &rtext);
	for (i = 0; i < iv->nwarnings; i++)
		json_array_append_new(jwarns, jout_str(iv->warnings[i]));
	if (ctx->json) {
		char *who = xasprintf("%s@%s", or_q(iv->user), or_q(iv->host));
		json_t *o = json_pack("{s:I,s:s,s:o,s:I,s:s,s:s,s:o,s:o,s:o,s:O,s:O}",
				      "id", JI(iv->id), "kind", iv->kind, "name", jout_str(iv->name),
				      "size", JI(iv->size), "sha256", iv->sha256,
				      "ingested_at", cftime_format_iso(iv->ingested_at, iso,
								       sizeof(iso)),
				      "source_path", jout_str(iv->source_path),
				      "note", jout_str(iv->note),
				      "ingested_by", jout_str(who), "facts", facts,
				      "warnings", jwarns);

		free(who);
		if (rjson)
			json_object_update(o, rjson);
		if (json_array_size(h.json))
			json_object_set(o, "history", h.json);
		json_array_append_new(items, o);
	} else if (!ctx->quiet) {
		if (first)
			printf("order %s\n", iv->order_id);
		printf("\n#%lld  %-9s %s\n", (long long)iv->id, iv->kind, iv->name);
		printf("    size %lld bytes, sha256 %s\n", iv->size, iv->sha256);
		printf("    ingested %s by %s@%s (casefile %s)%s%s\n",
		       ctx_fmt_time(ctx, iv->ingested_at, when, sizeof(when)), or_q(iv->user),
		       or_q(iv->host), iv->tool_version, iv->bundle ? " from bundle " : "",
		       iv->bundle ? iv->bundle : "");
		if (iv->source_path)
			printf("    source %s\n", iv->source_path);
		if (iv->note)
			printf("    note: %s\n", iv->note);
		if (ftext.len)
			printf("    %s\n", ftext.data);
		for (i = 0; i < iv->nwarnings; i++) {
			struct cf_buf w = CF_BUF_INIT;

			cf_buf_addstr(&w, "    warning: ");
			ctx_add_oneline(&w, iv->warnings[i]);
			cf_buf_addch(&w, '\n');
			fputs(w.data, stdout);
			cf_buf_release(&w);
		}
		if (rtext.len)
			fputs(rtext.data, stdout);
		if (htext.len)
			fputs(htext.data, stdout);
	}
	cf_buf_release(&htext);
	json_decref(h.json);
	cf_buf_release(&rtext);
	json_decref(rjson);
	cf_buf_release(&ftext);
	json_decref(facts);
	json_decref(jwarns);
}

static void print_stale(struct cf_ctx *ctx, const char *order);

/* No evidence for arg: says so, with "did you mean" when it looks like an order. */
static enum cf_exit
no_evidence(struct cf_ctx *ctx, const char *order)
{
	char *m = xasprintf("no evidence for order '%s' in vault '%s'", order, ctx->vault_dir);

	ctx_no_order(ctx, m, order);
	free(m);
	return CF_EXIT_USAGE;
}

static enum cf_exit
run_show(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct itemview *iv = NULL;
	enum cf_exit rc = CF_EXIT_OK;
	const char *arg;
	int first, r, rows = 0;
	json_t *items = NULL;
	int64_t item = 0;
	size_t n = 0, i;
	const struct cli_opt opts[] = {
		{ "messages", 0, CLI_FLAG, NULL, &rows, 0 },
		{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
	};

	if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
		return CLI_PARSE_EXIT(r);
	if (argc - first != 1)
		return ctx_usage(ctx, "show needs exactly one order id or ITEM");
	arg = argv[first];
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	/* ORDER, or else ITEM (item.h): evidence number, ORDER:E3, sha256 prefix */
	if (itemview_resolve(ctx->vault, arg, &item, &err) < 0) {
		if (err.code == CF_EDB)
			rc = ctx_fail(ctx, &err);
		/* a plain word or number is first an order id */
		else if (!strchr(arg, ':') && arg[0] != '#' &&
			 (err.code == CF_EINPUT || strspn(arg, "0123456789") == strlen(arg)))
			rc = no_evidence(ctx, arg);	/* with "did you mean" */
		else {
			ctx_error(ctx, "%s", err.msg);
			rc = CF_EXIT_USAGE;
		}
		goto out;
	}
	if (itemview_read(ctx->vault, arg, item, rows ? ITEMVIEW_RECORDS : 0, &iv, &n,
			  &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	if (n == 0) {
		rc = no_evidence(ctx, arg);
		goto out;
	}
	items = json_array();
	for (i = 0; i < n; i++)
		show_item(ctx, &iv[i], item > 0, i == 0, items);
	if (ctx->json) {
		jout_print(json_pack("{s:o,s:o}", "order_id", jout_str(iv[0].order_id),
				     "items", items));
		items = NULL;
	} else if (!ctx->quiet) {
		print_stale(ctx, iv[0].order_id);
	}
out:
	itemview_free(iv, n);
	json_decref(items);
	cf_err_release(&err);
	return rc;
}

/*
 * "dossier … built …; 3 items added since: build it again" (stale.h), after
 * the items of an order.  Shared in spirit with check and due.
 */
static void
print_stale(struct cf_ctx *ctx, const char *order)
{
	struct cf_err err = CF_ERR_INIT;
	struct stale sl;
	char when[48];

	if (stale_check(ctx->vault, order, &sl, &err) < 0) {
		cf_err_release(&err);
		return;
	}
	if (!sl.built)
		return;
	printf("\ndossier %s built %s", sl.dossier_id,
	       ctx_fmt_time(ctx, sl.built_at, when, sizeof(when)));
	if (sl.added)
		printf(": STALE, %lld item%s added since dossier %s was built "
		       "(run 'casefile build %s' again)\n", sl.added, sl.added == 1 ? "" : "s",
		       sl.dossier_id, order);
	else
		printf(", nothing added since\n");
}

const struct cmd cmd_show = {
	.name = "show",
	.usage = "casefile show [--json] [--messages] ORDER|ITEM",
	.summary = "show every evidence item of an order: hashes, custody, parsed facts",
	.help = "For each item: kind, original name, size, full SHA-256, who ingested it,\n"
		"when and from where, the note, what was parsed from it (message counts\n"
		"and times, logistics status, order totals, photo size and capture time)\n"
		"and any warnings, its roles, who supplied it and whether it is left out.\n"
		"Exits 2 when the vault holds nothing for ORDER.\n"
		"\nWith ITEM instead of ORDER (an evidence number 12 or #12, an exhibit\n"
		"ORDER:E3, or a sha256 prefix), that item alone, with its history: every\n"
		"note, role, kind change and exclusion, who made it, when, and its leaf.\n"
		"\n  --messages  also list each chat message and logistics event as parsed,\n"
		"              in file order: time (with milliseconds where the original\n"
		"              has them), sender, text, attachments, and the fields kept\n"
		"              beside the text (extra CSV columns, unknown JSON keys) in\n"
		"              'extra'; the dossier shows none of the extra fields\n"
		"\nexample:\n  casefile show 6931000000000001 --json\n",
	.run = run_show,
};

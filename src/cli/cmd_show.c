/* SPDX-License-Identifier: MIT */
/*
 * cmd_show — `casefile show ORDER`: every evidence item of an order with its
 * hash, chain-of-custody facts, parsed facts and warnings; with --messages
 * also each chat message and logistics event as parsed: time to the
 * millisecond where the original had one, and the fields kept beside the
 * text (`extra`), which the dossier does not render.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/db_sqlite.h"
#include "casefile/stale.h"
#include "casefile/xalloc.h"
#include "casefile/cftime.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/jout.h"
#include "casefile/db.h"
#include "casefile/hash.h"
#include "casefile/item.h"
#include "casefile/roles.h"
#include "casefile/tag.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

/* Facts as "key": value pairs, rendered as text and as JSON. */
struct facts {
	struct cf_buf text;
	json_t *json;
};

static void
fact_str(struct facts *f, const char *key, const char *val)
{
	if (val == NULL)
		return;
	cf_buf_addf(&f->text, "%s%s %s", f->text.len ? ", " : "", key, val);
	jout_set(f->json, key, jout_str(val));
}

static void
fact_int(struct facts *f, const char *key, long long v)
{
	cf_buf_addf(&f->text, "%s%s %lld", f->text.len ? ", " : "", key, v);
	jout_set(f->json, key, json_integer(v));
}

static void
fact_time(struct facts *f, const struct cf_ctx *ctx, const char *key, sqlite3_stmt *st, int col)
{
	char buf[40], iso[32];

	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		return;
	ctx_fmt_time(ctx, sqlite3_column_int64(st, col), buf, sizeof(buf));
	cftime_format_iso(sqlite3_column_int64(st, col), iso, sizeof(iso));
	cf_buf_addf(&f->text, "%s%s %s", f->text.len ? ", " : "", key, buf);
	jout_set(f->json, key, json_string(iso));
}

static sqlite3_stmt *
query(struct cf_db *db, const char *sql, long long id)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void
gather_facts(struct cf_db *db, const struct cf_ctx *ctx, long long id, const char *kind,
	     struct facts *f)
{
	sqlite3_stmt *st;
	char money[48];

	if (!strcmp(kind, "chat") &&
	    (st = query(db, "SELECT count(*), min(time), max(time), sum(r = 'buyer'),"
			    " sum(r = 'merchant'), sum(time IS NULL), sum(r = 'unknown') FROM"
			    " (SELECT time, " ROLES_SQL_SENDER("messages", "(SELECT order_id FROM"
			    " evidence WHERE id = ?1)") " AS r FROM messages WHERE evidence_id = ?1)",
			    id))) {
		fact_int(f, "messages", sqlite3_column_int64(st, 0));
		fact_int(f, "from_buyer", sqlite3_column_int64(st, 3));
		fact_int(f, "from_merchant", sqlite3_column_int64(st, 4));
		fact_time(f, ctx, "first", st, 1);
		fact_time(f, ctx, "last", st, 2);
		if (sqlite3_column_int64(st, 5))
			fact_int(f, "without_time", sqlite3_column_int64(st, 5));
		if (sqlite3_column_int64(st, 6))
			fact_int(f, "unknown_sender", sqlite3_column_int64(st, 6));
		sqlite3_finalize(st);
	}
	if (!strcmp(kind, "logistics")) {
		if ((st = query(db, "SELECT carrier, tracking_no FROM logistics WHERE evidence_id = ?",
				id))) {
			fact_str(f, "carrier", col_text(st, 0));
			fact_str(f, "tracking_no", col_text(st, 1));
			sqlite3_finalize(st);
		}
		if ((st = query(db, "SELECT count(*), (SELECT status FROM logistics_events"
				    " WHERE evidence_id = ?1 ORDER BY time DESC NULLS LAST, seq DESC"
				    " LIMIT 1), max(time), sum(status = 'delivered')"
				    " FROM logistics_events WHERE evidence_id = ?1", id))) {
			fact_int(f, "events", sqlite3_column_int64(st, 0));
			fact_str(f, "last_status", col_text(st, 1));
			fact_time(f, ctx, "last_event", st, 2);
			sqlite3_finalize(st);
		}
	}
	if (!strcmp(kind, "order") &&
	    (st = query(db, "SELECT order_id, shop, total_fen, currency, created_at, paid_at,"
			    " shipped_at, delivered_at,"
			    " (SELECT count(*) FROM order_items WHERE evidence_id = ?1)"
			    " FROM order_records WHERE evidence_id = ?1", id))) {
		fact_str(f, "order_id", col_text(st, 0));
		fact_str(f, "shop", col_text(st, 1));
		if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
			long long fen = sqlite3_column_int64(st, 2);

			snprintf(money, sizeof(money), "%s%lld.%02lld", fen < 0 ? "-" : "",
				 (fen < 0 ? -fen : fen) / 100, (fen < 0 ? -fen : fen) % 100);
			fact_str(f, "total", money);
		}
		fact_str(f, "currency", col_text(st, 3));
		fact_time(f, ctx, "created", st, 4);
		fact_time(f, ctx, "paid", st, 5);
		fact_time(f, ctx, "shipped", st, 6);
		fact_time(f, ctx, "delivered", st, 7);
		fact_int(f, "items", sqlite3_column_int64(st, 8));
		sqlite3_finalize(st);
	}
	if ((st = query(db, "SELECT format, width, height, orientation, captured_at, duration_ms,"
			    " has_gps FROM media WHERE evidence_id = ?", id))) {
		fact_str(f, "format", col_text(st, 0));
		if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
			fact_int(f, "width", sqlite3_column_int64(st, 1));
			fact_int(f, "height", sqlite3_column_int64(st, 2));
		}
		if (sqlite3_column_type(st, 3) != SQLITE_NULL && sqlite3_column_int(st, 3) != 1)
			fact_int(f, "orientation", sqlite3_column_int64(st, 3));
		fact_time(f, ctx, "captured", st, 4);
		if (sqlite3_column_type(st, 5) != SQLITE_NULL)
			fact_int(f, "duration_ms", sqlite3_column_int64(st, 5));
		if (sqlite3_column_int(st, 6))
			fact_str(f, "gps", "present (not shown in dossiers)");
		sqlite3_finalize(st);
	}
}

/* A column stored as JSON text (attachments, extra), or its text when it is not JSON. */
static json_t *
jout_stored(const char *v)
{
	json_t *j = json_loads(v, JSON_DECODE_ANY, NULL);

	return j ? j : jout_str(v);
}

/* The parsed rows of a chat or logistics item (--messages). */
static void
gather_rows(struct cf_db *db, const struct cf_ctx *ctx, long long id, const char *kind,
	    struct cf_buf *text, json_t **json)
{
	static const char chat_sql[] =
		"SELECT seq, time, time_ms, " ROLES_SQL_SENDER("messages", "(SELECT order_id FROM"
		" evidence WHERE id = ?1)") ", name, text, attachments, extra"
		" FROM messages WHERE evidence_id = ?1 ORDER BY seq";
	static const char logi_sql[] =
		"SELECT seq, time, time_ms, status_raw, location, description, NULL, extra"
		" FROM logistics_events WHERE evidence_id = ? ORDER BY seq";
	int chat = !strcmp(kind, "chat");
	sqlite3_stmt *st;
	json_t *list;

	if (!chat && strcmp(kind, "logistics"))
		return;
	if (sqlite3_prepare_v2(db_sqlite(db), chat ? chat_sql : logi_sql, -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, id);
	list = json_array();
	while (sqlite3_step(st) == SQLITE_ROW) {
		static const char *const jk[] = { NULL, NULL, NULL, NULL, NULL, NULL,
						  "attachments", "extra" };
		const char *names[2][3] = { { "status", "location", "description" },
					    { "from", "name", "text" } };
		int has_t = sqlite3_column_type(st, 1) != SQLITE_NULL;
		int ms = sqlite3_column_type(st, 2) != SQLITE_NULL ? sqlite3_column_int(st, 2) : -1;
		long long t = sqlite3_column_int64(st, 1);
		char when[48], iso[32];
		json_t *row;
		int i;

		if (has_t)
			cftime_format_ms(t, ms, ctx->tz_offset, when, sizeof(when));
		else
			snprintf(when, sizeof(when), "(no time)");
		cf_buf_addf(text, "    %s %lld  %s ", chat ? "message" : "event",
			    (long long)sqlite3_column_int64(st, 0), when);
		row = json_pack("{s:I,s:o}", "seq", JI(sqlite3_column_int64(st, 0)),
				"time", has_t ? json_string(cftime_format_iso(t, iso, sizeof(iso)))
					      : json_null());
		if (ms >= 0)
			jout_set(row, "time_ms", json_integer(ms));
		for (i = 3; i < 8; i++) {
			const char *v = col_text(st, i);
			const char *k = i < 6 ? names[chat][i - 3] : jk[i];

			if (v == NULL)
				continue;
			jout_set(row, k, i >= 6 ? jout_stored(v) : jout_str(v));
			if (chat && i == 4)
				cf_buf_addf(text, "(%s) ", v);
			else if (chat && i == 5) {
				/* one line per message: "⏎" for its line breaks */
				cf_buf_addstr(text, "| ");
				ctx_add_oneline(text, v);
			}
			else if (i == 3)
				cf_buf_addf(text, "%s%s", v, chat ? " " : "");
			else if (i < 6) {
				cf_buf_addstr(text, " | ");
				ctx_add_oneline(text, v);
			}
			else
				cf_buf_addf(text, "\n        %s %s", k, v);
		}
		cf_buf_addch(text, '\n');
		json_array_append_new(list, row);
	}
	*json = json_pack("{s:o}", chat ? "messages" : "events", list);
	sqlite3_finalize(st);
}

static void print_stale(struct cf_ctx *ctx, const char *order);

/* 1 when the vault holds evidence for order id s. */
static int
has_order(struct cf_db *db, const char *s)
{
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT 1 FROM evidence WHERE order_id = ? LIMIT 1", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
	r = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return r;
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

static enum cf_exit
run_show(int argc, char **argv, struct cf_ctx *ctx)
{
	static const char sql[] =
		"SELECT id, kind, name, size, sha256, ingested_at, source_path, note, mtime,"
		" user, host, tool_version, bundle, order_id, supplied_by, excluded,"
		" (SELECT group_concat(role, ' ') FROM (SELECT role FROM evidence_roles r"
		" WHERE r.evidence_id = evidence.id ORDER BY role))"
		" FROM evidence WHERE (?2 IS NULL AND order_id = ?1) OR id = ?2 ORDER BY id";
	struct cf_err err = CF_ERR_INIT;
	sqlite3_stmt *st = NULL, *w = NULL;
	enum cf_exit rc = CF_EXIT_OK;
	const char *order;
	int first, r, n = 0, rows = 0;
	json_t *items = NULL;
	int64_t item = 0;
	char *order_own = NULL;
	struct cf_db *db;

	{
		const struct cli_opt opts[] = {
			{ "messages", 0, CLI_FLAG, NULL, &rows, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(r);
	}
	if (argc - first != 1)
		return ctx_usage(ctx, "show needs exactly one order id or ITEM");
	order = argv[first];
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	db = vault_db(ctx->vault);
	/* ORDER, or else ITEM (item.h): evidence number, ORDER:E3, sha256 prefix */
	if (!has_order(db, order) && item_resolve(db, order, &item, &err) < 0) {
		if (err.code == CF_EDB) {
			rc = ctx_fail(ctx, &err);
			goto out;
		}
		/* a plain word or number is first an order id */
		if (!strchr(order, ':') && order[0] != '#' &&
		    (err.code == CF_EINPUT || strspn(order, "0123456789") == strlen(order))) {
			char *m = xasprintf("no evidence for order '%s' in vault '%s'", order,
					    ctx->vault_dir);

			ctx_no_order(ctx, m, order);	/* with "did you mean" */
			free(m);
		} else
			ctx_error(ctx, "%s", err.msg);
		rc = CF_EXIT_USAGE;
		goto out;
	}
	if (db_prepare(db, sql, &st, &err) < 0 ||
	    db_prepare(db, "SELECT message FROM warnings WHERE evidence_id = ? ORDER BY seq", &w,
		       &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	sqlite3_bind_text(st, 1, order, -1, SQLITE_STATIC);
	if (item > 0)
		sqlite3_bind_int64(st, 2, item);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);
		const char *kind = col_text(st, 1), *name = col_text(st, 2);
		char hex[CF_SHA256_HEXLEN + 1], when[40], iso[32];
		struct facts f = { CF_BUF_INIT, json_object() };
		struct cf_buf warns = CF_BUF_INIT, rtext = CF_BUF_INIT;
		json_t *rjson = NULL, *jwarns = json_array();

		if (sqlite3_column_bytes(st, 4) == CF_SHA256_LEN)
			cf_hex_encode(sqlite3_column_blob(st, 4), CF_SHA256_LEN, hex);
		else
			strcpy(hex, "?");
		struct cf_buf htext = CF_BUF_INIT;
		struct hist h = { ctx, &htext, json_array() };

		if (item > 0 && order_own == NULL)
			order = order_own = xstrdup(col_text(st, 13));
		gather_facts(db, ctx, id, kind, &f);
		fact_str(&f, "roles", col_text(st, 16));
		fact_str(&f, "supplied_by", col_text(st, 14));
		fact_str(&f, "excluded", col_text(st, 15));
		if (item > 0)
			tag_history(db, id, on_event, &h, NULL);
		if (rows)
			gather_rows(db, ctx, id, kind, &rtext, &rjson);
		sqlite3_bind_int64(w, 1, id);
		while (sqlite3_step(w) == SQLITE_ROW) {
			const char *m = col_text(w, 0);

			json_array_append_new(jwarns, jout_str(m));
			cf_buf_addstr(&warns, "    warning: ");
			ctx_add_oneline(&warns, m);
			cf_buf_addch(&warns, '\n');
		}
		sqlite3_reset(w);
		if (ctx->json) {
			char *who = sqlite3_mprintf("%s@%s", col_text(st, 9) ? col_text(st, 9) : "?",
						    col_text(st, 10) ? col_text(st, 10) : "?");
			json_t *o = json_pack("{s:I,s:s,s:o,s:I,s:s,s:s,s:o,s:o,s:o,s:O,s:O}",
					      "id", JI(id), "kind", kind, "name", jout_str(name),
					      "size", JI(sqlite3_column_int64(st, 3)), "sha256", hex,
					      "ingested_at", cftime_format_iso(sqlite3_column_int64(st, 5),
									       iso, sizeof(iso)),
					      "source_path", jout_str(col_text(st, 6)),
					      "note", jout_str(col_text(st, 7)),
					      "ingested_by", jout_str(who), "facts", f.json,
					      "warnings", jwarns);

			sqlite3_free(who);
			if (rjson)
				json_object_update(o, rjson);
			if (json_array_size(h.json))
				json_object_set(o, "history", h.json);
			if (items == NULL)
				items = json_array();
			json_array_append_new(items, o);
		} else if (!ctx->quiet) {
			if (n == 0)
				printf("order %s\n", order);
			printf("\n#%lld  %-9s %s\n", id, kind, name);
			printf("    size %lld bytes, sha256 %s\n",
			       (long long)sqlite3_column_int64(st, 3), hex);
			printf("    ingested %s by %s@%s (casefile %s)%s%s\n",
			       ctx_fmt_time(ctx, sqlite3_column_int64(st, 5), when, sizeof(when)),
			       col_text(st, 9) ? col_text(st, 9) : "?",
			       col_text(st, 10) ? col_text(st, 10) : "?", col_text(st, 11),
			       col_text(st, 12) ? " from bundle " : "",
			       col_text(st, 12) ? col_text(st, 12) : "");
			if (col_text(st, 6))
				printf("    source %s\n", col_text(st, 6));
			if (col_text(st, 7))
				printf("    note: %s\n", col_text(st, 7));
			if (f.text.len)
				printf("    %s\n", f.text.data);
			fputs(warns.data, stdout);
			if (rtext.len)
				fputs(rtext.data, stdout);
			if (htext.len)
				fputs(htext.data, stdout);
		}
		cf_buf_release(&htext);
		json_decref(h.json);
		cf_buf_release(&rtext);
		json_decref(rjson);
		cf_buf_release(&f.text);
		json_decref(f.json);
		json_decref(jwarns);
		cf_buf_release(&warns);
		n++;
	}
	if (r != SQLITE_DONE) {
		db_err(db, &err, "cannot read order '%s'", order);
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	if (n == 0) {
		char *m = xasprintf("no evidence for order '%s' in vault '%s'", order,
				    ctx->vault_dir);

		ctx_no_order(ctx, m, order);
		free(m);
		rc = CF_EXIT_USAGE;
		goto out;
	}
	if (ctx->json) {
		jout_print(json_pack("{s:o,s:o}", "order_id", jout_str(order), "items", items));
		items = NULL;
	} else if (!ctx->quiet) {
		print_stale(ctx, order);
	}
out:
	free(order_own);
	json_decref(items);
	sqlite3_finalize(st);
	sqlite3_finalize(w);
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
	.flags = CMD_NEEDS_VAULT,
	.run = run_show,
};

/* SPDX-License-Identifier: MIT */
/*
 * dossier — build the arbitration PDF for one order (contract in dossier.h).
 *
 * Order of work: number the exhibits, decide which originals are attached
 * (so the manifest exists before any page is drawn), then draw the
 * sections top to bottom with the pdf engine, attach the originals (streamed
 * from the vault objects at save time) and manifest.json, run the caller's
 * attach hook (ledger proofs) and save through pdf_save(), which names the
 * output only when it is complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "casefile/argument.h"
#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/db.h"
#include "casefile/roles.h"
#include "casefile/dispute.h"
#include "casefile/rederive.h"
#include "casefile/dossier.h"
#include "casefile/exhibits.h"
#include "casefile/frames.h"
#include "casefile/imgconv.h"
#include "casefile/jout.h"
#include "casefile/records_stmt.h"
#include "casefile/ledger.h"
#include "casefile/mask.h"
#include "casefile/money.h"
#include "casefile/order_facts.h"
#include "casefile/pdf.h"
#include "casefile/seal.h"
#include "casefile/statement.h"
#include "casefile/templates.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

#define SZ_TITLE 22
#define SZ_H1 15
#define SZ_H2 12
#define SZ_BODY 10
#define SZ_SMALL 8
#define SZ_TINY 7

struct build {
	struct vault *v;
	struct cf_db *db;
	const struct dossier_opts *o;
	struct templates *t;
	struct pdf *p;
	struct exhibits ex;
	struct argument arg;	/* what the exhibits are in the argument */
	const char *scenario;	/* the argued scenario */
	struct order_facts f;
	struct dossier_report *rep;
	char *manifest;
	int outline_exhibits;
	int outline_appendix;
	char *tmpdir;		/* page images (imgconv), removed at the end */
	unsigned ntmp;
	struct records shown_chat, shown_logi;	/* records rendered so far */
};

void
dossier_report_release(struct dossier_report *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->nnotes; i++)
		free(rep->notes[i]);
	free(rep->notes);
	rep->notes = NULL;
	rep->nnotes = 0;
}

static void
note(struct build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(struct build *b, const char *fmt, ...)
{
	va_list ap;

	b->rep->notes = xreallocarray(b->rep->notes, b->rep->nnotes + 1, sizeof(char *));
	va_start(ap, fmt);
	b->rep->notes[b->rep->nnotes++] = xvasprintf(fmt, ap);
	va_end(ap);
}

/* --------------------------------------------------------------- helpers */

static int
lang_en(const struct build *b)
{
	return strcmp(b->o->lang, "en") == 0;
}

static const char *
T(struct build *b, const char *key)
{
	return templates_get(b->t, key);
}

/* A string by key, or fallback when the templates lack the key. */
static const char *
T_or(struct build *b, const char *key, const char *fallback)
{
	const char *v = templates_get(b->t, key);

	return v == key ? fallback : v;	/* templates_get returns key when missing */
}

/*
 * A template used as a printf format, or fallback when its conversions
 * are not exactly want (e.g. "%zu%s"): a slip in an edited template file
 * must not make the build read a wrong argument.
 */
static const char *
T_fmt(struct build *b, const char *key, const char *want, const char *fallback)
{
	const char *v = T_or(b, key, fallback), *p;
	struct cf_buf got = CF_BUF_INIT;
	int ok;

	for (p = v; (p = strchr(p, '%')) != NULL;) {
		if (p[1] == '%') {
			p += 2;
			continue;
		}
		cf_buf_addch(&got, *p++);
		while (*p == 'z' || *p == 'l' || *p == 'h')
			cf_buf_addch(&got, *p++);
		if (*p)
			cf_buf_addch(&got, *p++);
	}
	ok = strcmp(got.len ? got.data : "", want) == 0;
	cf_buf_release(&got);
	return ok ? v : fallback;
}

/* Masked text; "" for a fact nobody recorded (left out, issue 16). */
static char *
M(struct build *b, const char *s)
{
	if (s == NULL)
		return xstrdup("");
	return b->o->no_mask ? xstrdup(s) : mask_text(s);
}

/*
 * "2025-05-02 12:47:00 +08:00" without its " +08:00": the zone is stated
 * once, in the page header (zone_note).  In place; returns s.
 */
static char *
drop_zone(char *s)
{
	char *sp = strrchr(s, ' ');

	if (sp && (sp[1] == '+' || sp[1] == '-'))
		*sp = '\0';
	return s;
}

/* A time in the dossier's zone, or "" when unknown (the row is left out). */
static char *
tstr(struct build *b, long long utc)
{
	char buf[40];

	if (utc < 0)
		return xstrdup("");
	return drop_zone(xstrdup(cftime_format(utc, b->o->tz_offset, buf, sizeof(buf))));
}

/* "5月2日 12:47" inside a sentence, or "" when unknown. */
static char *
day(struct build *b, long long utc)
{
	char buf[48];

	if (utc < 0)
		return xstrdup("");
	if (lang_en(b))
		return tstr(b, utc);
	return xstrdup(argument_date(utc, b->o->tz_offset, buf, sizeof(buf)));
}

/* "时间均为北京时间 UTC+8" (or the zone the vault shows), said once per page header. */
static char *
zone_note(struct build *b)
{
	char off[16];

	if (b->o->tz_offset == 8 * 3600)
		return xstrdup(T_or(b, "zone_beijing", "All times are China Standard Time (UTC+8)"));
	cftime_format_offset(b->o->tz_offset, off, sizeof(off));
	return xasprintf("%s%s", T_or(b, "zone_utc", "All times are UTC"),
			 b->o->tz_offset ? off : "");
}

static char *
size_str(uint64_t n)
{
	if (n >= 1024 * 1024)
		return xasprintf("%.1f MB", (double)n / (1024.0 * 1024.0));
	if (n >= 1024)
		return xasprintf("%.1f KB", (double)n / 1024.0);
	return xasprintf("%llu B", (unsigned long long)n);
}

static char *
kind_str(struct build *b, const char *kind)
{
	char *k = xasprintf("kind_%s", kind);
	char *r = xstrdup(T(b, k));

	free(k);
	return r;
}

static char *
exref(struct build *b, int no)
{
	return xasprintf(T(b, "exhibit_ref"), no);
}

static void
sha_hex(const unsigned char *sha, char out[CF_SHA256_HEXLEN + 1])
{
	cf_hex_encode(sha, CF_SHA256_LEN, out);
}

static int
heading(struct build *b, const char *title, int *outline, struct cf_err *err)
{
	if (pdf_outline_add(b->p, 0, title, outline, err) < 0 ||
	    pdf_text(b->p, title, SZ_H1, PDF_TEXT_BOLD, err) < 0)
		return -1;
	return pdf_vspace(b->p, 6, err);
}

/* A key/value row; a fact nobody recorded (v NULL or "") is left out. */
static int
row2(struct build *b, const char *k, const char *v, struct cf_err *err)
{
	static const double w[] = { 0.26, 0.74 };
	const char *cells[2] = { k, v };

	if (v == NULL || *v == '\0')
		return 0;
	return pdf_table_row(b->p, 2, w, cells, SZ_BODY, PDF_TEXT_RULE, err);
}

static int
new_section(struct build *b, const char *key, int *outline, struct cf_err *err)
{
	if (pdf_page_count(b->p) > 0 && pdf_page_new(b->p, err) < 0)
		return -1;
	return heading(b, T(b, key), outline, err);
}

static void
decor(void *arg, int page, int npages, struct cf_buf *h, struct cf_buf *fl,
      struct cf_buf *fr)
{
	struct build *b = arg;
	char *zone = zone_note(b);

	if (b->f.shop && *b->f.shop)
		cf_buf_addf(h, "%s · ", b->f.shop);
	cf_buf_addf(h, "%s · %s", b->o->order_id, zone);
	free(zone);
	cf_buf_addf(fl, "CF-%s-%04d", b->o->order_id, page);
	cf_buf_addf(fr, T(b, "page_of"), page, npages);
}

/* The order's items left out by `casefile exclude` (tag.h), for SQL below. */
#define LEFT_OUT_SQL                                                                \
	"SELECT id, name, sha256, size, excluded FROM evidence WHERE order_id = ? AND " \
	"excluded IS NOT NULL ORDER BY id"

/* -------------------------------------------------------------- manifest */

char *
dossier_attachment_name(const struct exhibit *x, int64_t media_max)
{
	int media = strcmp(x->kind, "photo") == 0 || strcmp(x->kind, "video") == 0;
	char *n, *q;

	if (media && media_max >= 0 && x->size > (uint64_t)media_max)
		return NULL;
	if (x->size > PDF_ATTACH_MAX)
		return NULL;
	n = xasprintf("E%03d-%s", x->no, x->name);
	for (q = n; *q; q++)
		if (*q == '/' || *q == '\\')
			*q = '_';
	return n;
}

void
dossier_id_compute(const struct exhibits *ex, char out[17])
{
	struct cf_buf id = CF_BUF_INIT;
	unsigned char h[CF_SHA256_LEN];
	char hex[CF_SHA256_HEXLEN + 1];
	size_t i;

	for (i = 0; i < ex->n; i++) {
		const struct exhibit *x = &ex->v[i];

		cf_hex_encode(x->sha256, CF_SHA256_LEN, hex);
		cf_buf_addf(&id, "%d\t%s\t%s\t%s\t%llu\t%s\n", x->no, x->kind, x->name, hex,
			    (unsigned long long)x->size, x->attachment ? x->attachment : "");
	}
	cf_sha256(id.data ? id.data : "", id.len, h);
	cf_hex_encode(h, 8, out);
	out[16] = '\0';
	cf_buf_release(&id);
}

static void
plan_attachments(struct build *b)
{
	size_t i;

	for (i = 0; i < b->ex.n; i++) {
		struct exhibit *x = &b->ex.v[i];

		x->attachment = dossier_attachment_name(x, b->o->media_max);
		if (x->attachment == NULL && x->size > PDF_ATTACH_MAX)
			/* libharu writes stream lengths as 32-bit signed numbers */
			note(b, "exhibit %d '%s': %llu bytes: too large to attach, listed only",
			     x->no, x->name, (unsigned long long)x->size);
		if (x->attachment == NULL)
			b->rep->left_out++;
		else
			b->rep->attached++;
	}
}

static void
make_manifest(struct build *b)
{
	json_t *m;
	char *s;
	char hex[CF_SHA256_HEXLEN + 1], ts[32];
	size_t i;

	dossier_id_compute(&b->ex, b->rep->dossier_id);

	m = json_pack("{s:s, s:o, s:o, s:s, s:[]}", "format", "casefile-manifest/1",
		      "dossier_id", jout_str(b->rep->dossier_id),
		      "order_id", jout_str(b->o->order_id),
		      "generated_at", cftime_format_iso(b->o->now, ts, sizeof(ts)),
		      "exhibits");
	if (m == NULL)
		CF_BUG("manifest");
	for (i = 0; i < b->ex.n; i++) {
		struct exhibit *x = &b->ex.v[i];

		sha_hex(x->sha256, hex);
		json_array_append_new(json_object_get(m, "exhibits"),
			json_pack("{s:i, s:o, s:o, s:o, s:s, s:I, s:s, s:I}", "no", x->no,
				  "kind", jout_str(x->kind), "name", jout_str(x->name),
				  "attachment", jout_str(x->attachment), "sha256", hex,
				  "size", JI(x->size), "ingested_at",
				  cftime_format_iso(x->ingested_at, ts, sizeof(ts)),
				  "evidence_id", JI(x->evidence_id)));
	}
	/* items left out by `casefile exclude`: listed, not exhibits, not attached */
	{
		struct db_stmt *st = NULL;
		json_t *left = json_array();

		if (db_prepare_quiet(b->db, LEFT_OUT_SQL, &st) == DB_OK) {
			db_bind_text(st, 1, b->o->order_id, -1, DB_STATIC);
			while (db_step(st) == DB_ROW) {
				strcpy(hex, "?");
				if (db_col_bytes(st, 2) == CF_SHA256_LEN)
					sha_hex(db_col_blob(st, 2), hex);
				json_array_append_new(left, json_pack(
					"{s:I, s:o, s:s, s:I, s:o}",
					"evidence_id", JI(db_col_int64(st, 0)),
					"name", jout_str((const char *)db_col_text(st, 1)),
					"sha256", hex, "size", JI(db_col_int64(st, 3)),
					"reason", jout_str((const char *)db_col_text(st, 4))));
			}
		}
		db_finalize(st);
		if (json_array_size(left))
			json_object_set_new(m, "left_out", left);
		else
			json_decref(left);
	}
	/* One line and a newline, as written since casefile-manifest/1. */
	s = jout_dumps(m);
	b->manifest = xasprintf("%s\n", s);
	free(s);
}

/* ----------------------------------------------------------------- cover */

/* A dispute reason code by its name in the dossier's language. */
static const char *
reason_name(struct build *b, const char *code)
{
	return lang_en(b) ? dispute_reason_en(code) : dispute_reason_zh(code);
}

static int
cover(struct build *b, struct cf_err *err)
{
	struct cf_buf items = CF_BUF_INIT, v = CF_BUF_INIT;
	struct db_stmt *st = NULL;
	char money[40], *s1 = NULL, *s2 = NULL;
	int ret = -1;

	if (pdf_page_new(b->p, err) < 0 ||
	    pdf_outline_add(b->p, 0, T(b, "sec_cover"), NULL, err) < 0 ||
	    pdf_vspace(b->p, 40, err) < 0 ||
	    pdf_text(b->p, T(b, "title"), SZ_TITLE, PDF_TEXT_BOLD | PDF_TEXT_CENTER, err) < 0 ||
	    pdf_vspace(b->p, 24, err) < 0)
		goto out;
	if (row2(b, T(b, "shop"), b->f.shop, err) < 0 ||
	    row2(b, T(b, "order"), b->o->order_id, err) < 0)
		goto out;
	if (db_prepare(b->db, "SELECT i.title, i.qty, i.price_fen, i.sku FROM order_items i "
		       "JOIN evidence e ON e.id = i.evidence_id WHERE e.order_id = ? AND e.excluded IS NULL "
		       "AND e.id = (SELECT max(evidence_id) FROM order_records r JOIN evidence e2 "
		       "ON e2.id = r.evidence_id WHERE e2.order_id = ? AND e2.excluded IS NULL) ORDER BY i.seq",
		       &st, err) < 0)
		goto out;
	db_bind_text(st, 1, b->o->order_id, -1, DB_STATIC);
	db_bind_text(st, 2, b->o->order_id, -1, DB_STATIC);
	while (db_step(st) == DB_ROW) {
		const char *title = (const char *)db_col_text(st, 0);

		if (items.len)
			cf_buf_addch(&items, '\n');
		cf_buf_addf(&items, "%s × %lld", title ? title : "?",
			    (long long)db_col_int64(st, 1));
		if (db_col_type(st, 2) != DB_NULL)
			cf_buf_addf(&items, " @ %s",
				    money_format_fen(db_col_int64(st, 2), money, sizeof(money)));
	}
	if (row2(b, T(b, "items"), items.len ? items.data : NULL, err) < 0)
		goto out;
	if (b->f.total_fen >= 0)
		cf_buf_addf(&v, "%s %s", money_format_fen(b->f.total_fen, money, sizeof(money)),
			    b->f.currency ? b->f.currency : "CNY");
	if (row2(b, T(b, "paid"), v.len ? v.data : NULL, err) < 0)
		goto out;
	cf_buf_reset(&v);
	s1 = M(b, b->f.buyer_nick);
	cf_buf_addstr(&v, s1);
	if (b->f.buyer_phone) {
		s2 = M(b, b->f.buyer_phone);
		cf_buf_addf(&v, "%s%s", v.len ? "  " : "", s2);
	}
	if (row2(b, T(b, "buyer"), v.data, err) < 0)
		goto out;
	cf_buf_reset(&v);
	if (b->f.has_dispute) {
		/* what was not recorded is left out */
		if (b->f.reason)
			cf_buf_addf(&v, "%s: %s", T(b, "reason"), reason_name(b, b->f.reason));
		if (b->f.claim)
			cf_buf_addf(&v, "%s%s: %s", v.len ? "\n" : "", T(b, "claim"), b->f.claim);
		if (b->f.amount_fen >= 0)
			cf_buf_addf(&v, "%s(%s)", v.len ? " " : "",
				    money_format_fen(b->f.amount_fen, money, sizeof(money)));
	} else {
		cf_buf_addstr(&v, T(b, "no_dispute"));
	}
	if (row2(b, T(b, "dispute"), v.data, err) < 0)
		goto out;
	cf_buf_reset(&v);
	{
		const char *k[] = { "created_at", "paid_at", "shipped_at", "delivered_at", "deadline" };
		long long t[] = { b->f.created_at, b->f.paid_at, b->f.shipped_at,
				  b->f.delivered_at, b->f.deadline };
		int i;

		for (i = 0; i < 5; i++) {
			char *ts;

			if (t[i] < 0)
				continue;	/* not recorded: left out */
			ts = tstr(b, t[i]);
			cf_buf_addf(&v, "%s%s: %s", v.len ? "\n" : "", T(b, k[i]), ts);
			free(ts);
		}
	}
	if (row2(b, T(b, "key_dates"), v.data, err) < 0 ||
	    row2(b, T(b, "dossier_id"), b->rep->dossier_id, err) < 0)
		goto out;
	free(s1);
	s1 = tstr(b, b->o->now);
	free(s2);
	s2 = xasprintf("%zu", b->ex.n);
	if (row2(b, T(b, "generated"), s1, err) < 0 ||
	    row2(b, T(b, "exhibit_count"), s2, err) < 0 ||
	    pdf_vspace(b->p, 18, err) < 0 ||
	    pdf_box(b->p, T(b, "how_to_verify"), SZ_BODY, 0, err) < 0)
		goto out;
	ret = 0;
out:
	db_finalize(st);
	cf_buf_release(&items);
	cf_buf_release(&v);
	free(s1);
	free(s2);
	return ret;
}

/* ------------------------------------------------------------- statement */

static char *shows(struct build *b, const struct exhibit *x);

/*
 * The summary box that opens the argument (issue 16): the buyer's claim,
 * the merchant's position (the stance) and the first three exhibits, which
 * are the decisive ones (exhibits.h numbers in the argument's order), each
 * with what it shows.
 */
static int
summary_box(struct build *b, struct cf_err *err)
{
	struct cf_buf t = CF_BUF_INIT;
	char money[40], *k;
	size_t i, n = 0;
	int r;

	cf_buf_addf(&t, "%s%s", T_or(b, "sum_claim", "The buyer's claim: "),
		    reason_name(b, b->scenario));
	if (b->f.claim)
		cf_buf_addf(&t, T_fmt(b, "sum_claim_text", "%s", " — %s"), b->f.claim);
	if (b->f.amount_fen >= 0)
		cf_buf_addf(&t, T_fmt(b, "sum_amount", "%s", " (%s)"),
			    money_format_fen(b->f.amount_fen, money, sizeof(money)));
	k = xasprintf("stance_%s", argument_stance_name((enum argument_stance)b->o->stance));
	cf_buf_addf(&t, "\n%s%s", T_or(b, "sum_stance", "The merchant's position: "),
		    T_or(b, k, argument_stance_name((enum argument_stance)b->o->stance)));
	free(k);
	cf_buf_addf(&t, "\n%s", T_or(b, "sum_key", "Key exhibits:"));
	for (i = 0; i < b->ex.n && n < 3; i++) {
		const struct exhibit *x = &b->ex.v[i];
		char *ref, *what, *nl;

		if (x->superseded_by)
			continue;
		ref = exref(b, x->no);
		what = shows(b, x);
		if ((nl = strchr(what, '\n')) != NULL)
			*nl = '\0';	/* the first line: what it is and its fact */
		cf_buf_addf(&t, "\n  %s  %s", ref, what);
		free(ref);
		free(what);
		n++;
	}
	r = pdf_text(b->p, T_or(b, "sum_title", "Summary"), SZ_H2, PDF_TEXT_BOLD, err);
	if (r == 0)
		r = pdf_vspace(b->p, 2, err);
	if (r == 0)
		r = pdf_box(b->p, t.data, SZ_BODY, 0, err);
	if (r == 0)
		r = pdf_vspace(b->p, 12, err);
	cf_buf_release(&t);
	return r;
}

/* The statement, drafted for the dossier's stance, or the merchant's file. */
static int
statement_text(struct build *b, char **text, struct cf_err *err)
{
	struct statement_opts so;

	*text = NULL;
	if (b->o->statement_path) {
		struct cf_buf t = CF_BUF_INIT;

		if (cf_buf_read_file(&t, b->o->statement_path, "statement", 1 << 20,
				     CF_EINPUT, err) < 0) {
			cf_buf_release(&t);
			return -1;
		}
		if (memchr(t.data, '\0', t.len)) {
			cf_buf_release(&t);
			return cf_err_set(err, CF_EINPUT, "'%s': not a text file",
					  b->o->statement_path);
		}
		*text = cf_buf_detach(&t, NULL);
		return 0;
	}
	memset(&so, 0, sizeof(so));
	so.scenario = b->o->scenario;
	so.stance = b->o->stance;
	so.mask = !b->o->no_mask;
	so.tz_offset = b->o->tz_offset;
	if (statement_compose(b->db, b->t, b->o->order_id, &so, text, err) < 0)
		return -1;
	if (b->o->statement_max_chars)
		statement_truncate(*text, b->o->statement_max_chars);
	return 0;
}

/*
 * The first argument page: the summary box, the statement; the timeline
 * follows on the same page (timeline()).
 */
static int
statement(struct build *b, struct cf_err *err)
{
	char *text = NULL;
	int ret = -1;

	if (new_section(b, "sec_statement", NULL, err) < 0 || summary_box(b, err) < 0 ||
	    statement_text(b, &text, err) < 0)
		goto out;
	if (b->o->statement_path &&
	    pdf_text(b->p, T(b, "statement_from_file"), SZ_SMALL, PDF_TEXT_GREY, err) < 0)
		goto out;
	ret = pdf_text(b->p, text, SZ_BODY + 1, 0, err);
out:
	free(text);
	return ret;
}

/* -------------------------------------------------------------- timeline */

struct tev {
	long long t;
	size_t seq;
	char *what;
	int no;
};

static int
cmp_tev(const void *a, const void *b)
{
	const struct tev *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
tev_add(struct tev **v, size_t *n, long long t, char *what, int no)
{
	if (t < 0) {
		free(what);
		return;
	}
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].t = t;
	(*v)[*n].seq = *n;
	(*v)[*n].what = what;
	(*v)[*n].no = no;
	(*n)++;
}

/*
 * The dispute's own moments at their real times, in the dossier's
 * language: the buyer's refund request (reason, claim, amount), the
 * merchant's refusal, the platform's arbitration, the deadline that counts
 * and the close with its outcome.  (When each was recorded is in the
 * dispute history list, not here.)
 */
static void
dispute_moments(struct build *b, const struct dispute *d, struct tev **ev, size_t *n)
{
	struct cf_buf v = CF_BUF_INIT;
	char money[40];

	cf_buf_addf(&v, "%s: %s", T(b, "ev_dispute_requested"), reason_name(b, d->reason));
	if (d->claim)
		cf_buf_addf(&v, "; %s: %s", T(b, "claim"), d->claim);
	if (d->amount_fen != DISPUTE_NO_AMOUNT)
		cf_buf_addf(&v, " (%s)", money_format_fen(d->amount_fen, money, sizeof(money)));
	if (d->requested_at != DISPUTE_NO_TIME)
		tev_add(ev, n, d->requested_at, M(b, v.data), 0);
	if (d->rejected_at != DISPUTE_NO_TIME)
		tev_add(ev, n, d->rejected_at, xstrdup(T(b, "ev_dispute_rejected")), 0);
	if (d->arbitration_at != DISPUTE_NO_TIME)
		tev_add(ev, n, d->arbitration_at, xstrdup(T(b, "ev_dispute_arbitration")), 0);
	if (d->deadline != DISPUTE_NO_TIME && (d->closed_at == DISPUTE_NO_TIME ||
					       d->deadline < d->closed_at)) {
		const char *src = d->deadline_source ? d->deadline_source : "explicit";
		char *k = xasprintf("ev_deadline_%s", src);

		tev_add(ev, n, d->deadline, xstrdup(T_or(b, k, T(b, "ev_deadline_explicit"))), 0);
		free(k);
	}
	if (d->closed_at != DISPUTE_NO_TIME && d->outcome) {
		char *k = xasprintf("outcome_%s", d->outcome);

		cf_buf_reset(&v);
		cf_buf_addf(&v, "%s: %s", T(b, "ev_dispute_closed"), T_or(b, k, d->outcome));
		if (d->refunded_fen != DISPUTE_NO_AMOUNT)
			cf_buf_addf(&v, "; %s %s", T(b, "refunded"),
				    money_format_fen(d->refunded_fen, money, sizeof(money)));
		tev_add(ev, n, d->closed_at, xstrdup(v.data), 0);
		free(k);
	}
	cf_buf_release(&v);
}

/*
 * The dispute's record as it was kept (`casefile dispute` events: when each
 * change and note was entered), small, after the timeline.  Who entered it
 * (user@host) is left out of the dossier.
 */
static int
dispute_history(struct build *b, const struct dispute *d, struct cf_err *err)
{
	static const double w[] = { 0.27, 0.73 };
	struct dispute_event *v = NULL;
	size_t n = 0, i;
	int ret = -1;

	if (dispute_events(b->db, d->id, &v, &n, err) < 0)
		return -1;
	if (n == 0) {
		ret = 0;
		goto out;
	}
	if (pdf_vspace(b->p, 10, err) < 0 ||
	    pdf_text(b->p, T(b, "dispute_history"), SZ_SMALL, PDF_TEXT_BOLD, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		char *zh = strncmp(T(b, "lang"), "zh", 2) == 0 && v[i].kind &&
			   strcmp(v[i].kind, "note") != 0
			   ? dispute_event_zh(v[i].what ? v[i].what : "", b->o->tz_offset) : NULL;
		char *ts = tstr(b, v[i].at), *what = M(b, zh ? zh : v[i].what ? v[i].what : "");
		const char *c[2] = { ts, what };
		int r = pdf_table_row(b->p, 2, w, c, SZ_TINY, PDF_TEXT_GREY, err);

		free(ts);
		free(what);
		free(zh);
		if (r < 0)
			goto out;
	}
	ret = 0;
out:
	dispute_events_free(v, n);
	return ret;
}

/*
 * Whether a timeline row (a record of the exhibit whose row id is in
 * column id_col) stays out: its exhibit is superseded, or the same record
 * came first from another exhibit (files that overlap).
 */
static int
timeline_skip(struct build *b, struct db_stmt *st, int id_col, struct records *seen)
{
	int no = exhibits_no(&b->ex, db_col_int64(st, id_col));
	unsigned char h[16];
	struct records_ent *e;

	if (no == 0 || b->ex.v[no - 1].superseded_by)
		return no != 0;
	records_key(st, records_cols, RECORDS_NCOLS, h);
	e = records_get(seen, h);
	if (e->no == 0)
		e->no = no;
	return e->no != no;
}

static int
timeline(struct build *b, struct cf_err *err)
{
	static const double w[] = { 0.27, 0.58, 0.15 };
	struct tev *ev = NULL;
	size_t n = 0, i;
	struct db_stmt *st = NULL;
	struct dispute *dsp = NULL;
	int order_no = 0, ret = -1;
	struct records seen = { 0 };	/* records on the timeline, per kind */

	for (i = 0; i < b->ex.n; i++)
		if (strcmp(b->ex.v[i].kind, "order") == 0 && order_no == 0)
			order_no = b->ex.v[i].no;
	tev_add(&ev, &n, b->f.created_at, xstrdup(T(b, "ev_created")), order_no);
	tev_add(&ev, &n, b->f.paid_at, xstrdup(T(b, "ev_paid")), order_no);
	if (order_no) {
		/* only the order record's own times; logistics events follow */
		struct db_stmt *q = NULL;

		if (db_prepare(b->db, "SELECT r.shipped_at, r.delivered_at FROM order_records r "
			       "JOIN evidence e ON e.id = r.evidence_id WHERE e.order_id = ? AND e.excluded IS NULL "
			       "ORDER BY e.id DESC LIMIT 1", &q, err) < 0)
			goto out;
		db_bind_text(q, 1, b->o->order_id, -1, DB_STATIC);
		if (db_step(q) == DB_ROW) {
			if (db_col_type(q, 0) != DB_NULL)
				tev_add(&ev, &n, db_col_int64(q, 0),
					xstrdup(T(b, "ev_shipped")), order_no);
			if (db_col_type(q, 1) != DB_NULL)
				tev_add(&ev, &n, db_col_int64(q, 1),
					xstrdup(T(b, "ev_delivered")), order_no);
		}
		db_finalize(q);
	}
	if (db_prepare(b->db, "SELECT le.time, le.status_raw, le.location, le.description, "
		       "le.evidence_id FROM logistics_events le JOIN evidence e "
		       "ON e.id = le.evidence_id WHERE e.order_id = ? AND e.excluded IS NULL AND le.time IS NOT NULL "
		       "ORDER BY le.time, e.id, le.seq", &st, err) < 0)
		goto out;
	db_bind_text(st, 1, b->o->order_id, -1, DB_STATIC);
	while (db_step(st) == DB_ROW) {
		if (timeline_skip(b, st, 4, &seen))
			continue;
		const char *s = (const char *)db_col_text(st, 1);
		const char *loc = (const char *)db_col_text(st, 2);
		const char *d = (const char *)db_col_text(st, 3);
		char *sk = s ? xasprintf("logi_%s", s) : NULL;
		/* a raw status that is one of our codes reads by its name */
		char *raw = xasprintf("%s%s%s%s%s", s ? T_or(b, sk, s) : "", loc ? " " : "",
				      loc ? loc : "", d ? " " : "", d ? d : "");

		free(sk);

		tev_add(&ev, &n, db_col_int64(st, 0), M(b, raw),
			exhibits_no(&b->ex, db_col_int64(st, 4)));
		free(raw);
	}
	db_finalize(st);
	st = NULL;
	/* first and last chat message of each chat, and any with attachments */
	/* first and last by time (to the millisecond), as the transcript reads */
	if (db_prepare(b->db, "SELECT m.time, " ROLES_SQL_SENDER("m", "e.order_id") ", m.text, "
		       "m.attachments, m.evidence_id, "
		       "row_number() OVER w = 1, "
		       "row_number() OVER w = count(*) OVER (PARTITION BY m.evidence_id) "
		       "FROM messages m JOIN evidence e ON e.id = m.evidence_id "
		       "WHERE e.order_id = ? AND e.excluded IS NULL AND m.time IS NOT NULL "
		       "WINDOW w AS (PARTITION BY m.evidence_id ORDER BY m.time, m.time_ms, m.seq) "
		       "ORDER BY m.time, m.time_ms, e.id, m.seq",
		       &st, err) < 0)
		goto out;
	db_bind_text(st, 1, b->o->order_id, -1, DB_STATIC);
	records_release(&seen);
	while (db_step(st) == DB_ROW) {
		if (timeline_skip(b, st, 4, &seen))
			continue;
		int first = db_col_int(st, 5), last = db_col_int(st, 6);
		int att = db_col_type(st, 3) != DB_NULL &&
			  strcmp((const char *)db_col_text(st, 3), "[]") != 0;
		const char *sender = (const char *)db_col_text(st, 1);
		char *role, *txt, *what;

		if (!first && !last && !att)
			continue;
		role = xasprintf("role_%s", sender);
		txt = M(b, (const char *)db_col_text(st, 2));
		statement_truncate(txt, 60);
		what = xasprintf("%s · %s: %s", T(b, first ? "ev_first_msg" : last ? "ev_last_msg"
							       : "ev_attach_msg"),
				 T(b, role), txt);
		tev_add(&ev, &n, db_col_int64(st, 0), what,
			exhibits_no(&b->ex, db_col_int64(st, 4)));
		free(role);
		free(txt);
	}
	db_finalize(st);
	st = NULL;
	if (db_has_table(b->db, "disputes")) {
		if (dispute_get(b->db, b->o->order_id, 0, &dsp, err) < 0) {
			if (err->code != CF_ENOTFOUND)
				goto out;
			cf_err_release(err);
		} else {
			dispute_moments(b, dsp, &ev, &n);
		}
	}
	if (n > 1)
		qsort(ev, n, sizeof(*ev), cmp_tev);
	/* on the statement's page, below it: that page is not left empty */
	if (pdf_vspace(b->p, 18, err) < 0 || pdf_need(b->p, 120, err) < 0 ||
	    heading(b, T(b, "sec_timeline"), NULL, err) < 0)
		goto out;
	{
		const char *h[3] = { T(b, "col_time"), T(b, "col_event"), T(b, "exhibit") };

		if (pdf_table_row(b->p, 3, w, h, SZ_SMALL, PDF_TEXT_BOLD | PDF_TEXT_SHADE, err) < 0)
			goto out;
	}
	for (i = 0; i < n; i++) {
		char *ts = tstr(b, ev[i].t), *ref = ev[i].no ? exref(b, ev[i].no) : xstrdup("");
		const char *c[3] = { ts, ev[i].what, ref };
		int r = pdf_table_row(b->p, 3, w, c, SZ_SMALL, PDF_TEXT_RULE, err);

		free(ts);
		free(ref);
		if (r < 0)
			goto out;
	}
	if (dsp && dispute_history(b, dsp, err) < 0)
		goto out;
	ret = 0;
out:
	records_release(&seen);
	dispute_free(dsp);
	db_finalize(st);
	for (i = 0; i < n; i++)
		free(ev[i].what);
	free(ev);
	return ret;
}

/* ---------------------------------------------------------- exhibit index */

/*
 * What an exhibit is in the argument, in the dossier's language: the
 * templates' part_<name> (en.txt has them), else argument_part_zh().
 */
static const char *
part_name(struct build *b, enum argument_part part, const char *kind)
{
	static const char *const key[] = {
		[ARG_NONE] = "part_other", [ARG_PICKUP] = "part_pickup",
		[ARG_PICKUP_PHOTO] = "part_pickup_photo", [ARG_PACKING] = "part_packing",
		[ARG_HANDOVER] = "part_handover", [ARG_BUYER_PHOTO] = "part_buyer_photo",
		[ARG_ORDER] = "part_order", [ARG_LOGISTICS] = "part_logistics",
		[ARG_CHAT] = "part_chat", [ARG_OTHER] = "part_other",
	};

	if (part == ARG_OTHER || part == ARG_NONE)
		return T(b, kind && !strcmp(kind, "photo") ? "kind_photo"
			    : kind && !strcmp(kind, "video") ? "kind_video"
			    : kind && !strcmp(kind, "receipt") ? "kind_receipt" : "kind_other");
	return T_or(b, key[part], argument_part_zh(part, kind));
}

/*
 * What an exhibit shows, in words (issue 16): "快递柜取件记录：5月2日 14:22
 * 已取件", "聊天记录：6 条消息（买家 2 条），5月2日 20:31 至 5月3日 10:15",
 * from its part in the argument (argument.h) and its parsed facts; the
 * merchant's note after it.  Facts nobody recorded are left out.
 */
static char *
shows(struct build *b, const struct exhibit *x)
{
	const struct argument_exhibit *e = argument_exhibit(&b->arg, x->no);
	enum argument_part part = e ? e->part : ARG_OTHER;
	struct cf_buf t = CF_BUF_INIT;
	struct db_stmt *st = NULL;
	char *d = NULL, *d2 = NULL, money[40];

	if (!strcmp(x->kind, "chat") &&
	    db_prepare_quiet(b->db, "SELECT count(*), sum(sender = 'buyer'), min(time), max(time) "
			       "FROM messages WHERE evidence_id = ?", &st) == DB_OK) {
		db_bind_int64(st, 1, x->evidence_id);
		if (db_step(st) == DB_ROW) {
			d = day(b, db_col_type(st, 2) == DB_NULL ? -1
				   : db_col_int64(st, 2));
			d2 = day(b, db_col_type(st, 3) == DB_NULL ? -1
				    : db_col_int64(st, 3));
			cf_buf_addf(&t, T_fmt(b, "shows_chat", "%lld%lld", "Chat: %lld messages "
					      "(%lld from the buyer)"),
				    (long long)db_col_int64(st, 0),
				    (long long)db_col_int64(st, 1));
			if (*d)
				cf_buf_addf(&t, "%s%s%s%s", T_or(b, "shows_sep", ", "), d,
					    strcmp(d, d2) && *d2 ? T_or(b, "shows_to", " to ") : "",
					    strcmp(d, d2) && *d2 ? d2 : "");
		}
	} else if (!strcmp(x->kind, "order") &&
		   db_prepare_quiet(b->db, "SELECT (SELECT count(*) FROM order_items WHERE "
				      "evidence_id = ?1), total_fen, created_at FROM order_records "
				      "WHERE evidence_id = ?1", &st) == DB_OK) {
		db_bind_int64(st, 1, x->evidence_id);
		cf_buf_addstr(&t, part_name(b, ARG_ORDER, x->kind));
		if (db_step(st) == DB_ROW) {
			cf_buf_addf(&t, T_fmt(b, "shows_order", "%lld", ": %lld item(s)"),
				    (long long)db_col_int64(st, 0));
			if (db_col_type(st, 1) != DB_NULL)
				cf_buf_addf(&t, T_fmt(b, "shows_paid", "%s", ", paid %s"),
					    money_format_fen(db_col_int64(st, 1), money,
							     sizeof(money)));
			d = day(b, db_col_type(st, 2) == DB_NULL ? -1
				   : db_col_int64(st, 2));
			if (*d)
				cf_buf_addf(&t, "%s%s %s", T_or(b, "shows_sep", ", "), d,
					    T_or(b, "shows_ordered", "ordered"));
		}
	} else if (!strcmp(x->kind, "logistics")) {
		const char *title = part_name(b, part, x->kind);

		/* which record of delivery: a locker, a station, a signature */
		if (part == ARG_PICKUP && e->fact)
			title = strstr(e->fact, "快递柜") || strstr(e->fact, "柜")
				? T_or(b, "shows_locker", "Parcel locker pickup record")
				: strstr(e->fact, "驿站")
				? T_or(b, "shows_station", "Pickup station record")
				: T_or(b, "shows_signed", "Delivery record");
		cf_buf_addstr(&t, title);
		d = day(b, e ? e->at : -1);
		if (*d || (e && e->fact))
			cf_buf_addf(&t, "%s%s%s%s", T_or(b, "shows_colon", ": "), d,
				    *d && e && e->fact ? " " : "",
				    e && e->fact ? e->fact
				    : part == ARG_HANDOVER ? T_or(b, "shows_collected", "collected") : "");
		if (db_prepare_quiet(b->db, "SELECT carrier, tracking_no, (SELECT count(*) FROM "
				       "logistics_events WHERE evidence_id = ?1) FROM logistics "
				       "WHERE evidence_id = ?1", &st) == DB_OK) {
			db_bind_int64(st, 1, x->evidence_id);
			if (db_step(st) == DB_ROW) {
				const char *c = (const char *)db_col_text(st, 0);
				const char *n = (const char *)db_col_text(st, 1);

				cf_buf_addf(&t, "\n%s%s%s", c ? c : "", c && n ? " " : "", n ? n : "");
				cf_buf_addf(&t, T_fmt(b, "shows_events", "%s%lld", "%s%lld event(s)"),
					    c || n ? T_or(b, "shows_sep", ", ") : "",
					    (long long)db_col_int64(st, 2));
			}
		}
	} else {
		/* photos, videos, receipts: what they are, when taken */
		cf_buf_addstr(&t, part_name(b, part, x->kind));
		d = day(b, x->captured_at);
		if (*d)
			cf_buf_addf(&t, "%s%s %s", T_or(b, "shows_colon", ": "), d,
				    T_or(b, "shows_taken", "taken"));
		if (x->duration_ms >= 0)
			cf_buf_addf(&t, T_fmt(b, "shows_duration", "%s%lld", "%s%lld s long"),
				    T_or(b, "shows_sep", ", "), (x->duration_ms + 500) / 1000);
	}
	db_finalize(st);
	if (x->note) {
		char *n = M(b, x->note);

		cf_buf_addf(&t, "\n%s%s", T_or(b, "shows_note", "Note: "), n);
		free(n);
	}
	free(d);
	free(d2);
	return cf_buf_detach(&t, NULL);
}

/*
 * What an exhibit proves, one line from its part in the argument and its
 * fact's time (templates prove_<part>, with {at}; prove_<part>_n when the
 * time is unknown).
 */
static char *
proves(struct build *b, const struct exhibit *x)
{
	static const char *const key[] = {
		[ARG_NONE] = "prove_other", [ARG_PICKUP] = "prove_pickup",
		[ARG_PICKUP_PHOTO] = "prove_pickup_photo", [ARG_PACKING] = "prove_packing",
		[ARG_HANDOVER] = "prove_handover", [ARG_BUYER_PHOTO] = "prove_buyer_photo",
		[ARG_ORDER] = "prove_order", [ARG_LOGISTICS] = "prove_logistics",
		[ARG_CHAT] = "prove_chat", [ARG_OTHER] = "prove_other",
	};
	const struct argument_exhibit *e = argument_exhibit(&b->arg, x->no);
	enum argument_part part = e ? e->part : ARG_OTHER;
	char *d, *k, *r, *at;
	const char *tpl;

	if (x->superseded_by) {
		char *ref = exref(b, x->superseded_by);

		r = xasprintf(T_fmt(b, "superseded_by", "%s", "superseded by %s"), ref);
		free(ref);
		return r;
	}
	d = day(b, e ? e->at : -1);
	k = xasprintf("%s%s", key[part], *d ? "" : "_n");
	tpl = T_or(b, k, T_or(b, key[part], ""));
	if ((at = strstr(tpl, "{at}")) != NULL)
		r = xasprintf("%.*s%s%s", (int)(at - tpl), tpl, d, at + 4);
	else
		r = xstrdup(tpl);
	free(k);
	free(d);
	return r;
}

/* Below the index: how many items were left out, and why (they are not exhibits). */
static int
left_out_note(struct build *b, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int n = 0, ret = -1;

	if (db_prepare(b->db, LEFT_OUT_SQL, &st, err) < 0)
		return -1;
	db_bind_text(st, 1, b->o->order_id, -1, DB_STATIC);
	while (db_step(st) == DB_ROW) {
		char hex[CF_SHA256_HEXLEN + 1] = "?", *line, *reason;

		if (n++ == 0) {
			int cnt = 0;
			char *head;
			struct db_stmt *c = NULL;

			if (db_prepare(b->db, "SELECT count(*) FROM evidence WHERE order_id = ? AND "
					      "excluded IS NOT NULL", &c, err) < 0)
				goto out;
			db_bind_text(c, 1, b->o->order_id, -1, DB_STATIC);
			if (db_step(c) == DB_ROW)
				cnt = db_col_int(c, 0);
			db_finalize(c);
			head = xasprintf(T_fmt(b, "left_out", "%d",
					       "%d items of the vault were left out of this dossier "
					       "(listed in manifest.json):"), cnt);
			if (pdf_vspace(b->p, 6, err) < 0 ||
			    pdf_text(b->p, head, SZ_TINY, PDF_TEXT_BOLD, err) < 0) {
				free(head);
				goto out;
			}
			free(head);
		}
		if (db_col_bytes(st, 2) == CF_SHA256_LEN)
			sha_hex(db_col_blob(st, 2), hex);
		reason = M(b, (const char *)db_col_text(st, 4));
		line = xasprintf("#%lld  %s  sha256 %.16s…  — %s",
				 (long long)db_col_int64(st, 0),
				 (const char *)db_col_text(st, 1), hex, reason);
		free(reason);
		if (pdf_text(b->p, line, SZ_TINY, 0, err) < 0) {
			free(line);
			goto out;
		}
		free(line);
	}
	ret = 0;
out:
	db_finalize(st);
	return ret;
}

/*
 * The index: per exhibit what it shows in words and what it proves, then
 * the original file (name, size, SHA-256 prefix; the full hash is in the
 * integrity appendix and manifest.json).
 */
static int
exhibit_index(struct build *b, struct cf_err *err)
{
	static const double w[] = { 0.07, 0.38, 0.30, 0.25 };
	const char *h[4];
	size_t i;

	if (new_section(b, "sec_index", NULL, err) < 0)
		return -1;
	h[0] = T(b, "col_no"), h[1] = T_or(b, "col_shows", "What it shows");
	h[2] = T_or(b, "col_proves", "What it proves"), h[3] = T(b, "col_name");
	if (pdf_table_row(b->p, 4, w, h, SZ_SMALL, PDF_TEXT_BOLD | PDF_TEXT_SHADE, err) < 0)
		return -1;
	for (i = 0; i < b->ex.n; i++) {
		struct exhibit *x = &b->ex.v[i];
		char hex[CF_SHA256_HEXLEN + 1], *no = xasprintf("%d", x->no);
		char *what = shows(b, x), *why = proves(b, x), *sz = size_str(x->size), *file;
		const char *c[4];
		int r;

		sha_hex(x->sha256, hex);
		file = xasprintf("%s\n%s · SHA-256 %.16s…", x->name, sz, hex);
		c[0] = no, c[1] = what, c[2] = why, c[3] = file;
		r = pdf_table_row(b->p, 4, w, c, SZ_SMALL, PDF_TEXT_RULE, err);
		free(no);
		free(what);
		free(why);
		free(sz);
		free(file);
		if (r < 0)
			return -1;
	}
	return left_out_note(b, err);
}

/* -------------------------------------------------------------- exhibits */

/* Under an exhibit's title: what it proves (as the index says). */
static int
exhibit_proves(struct build *b, const struct exhibit *x, struct cf_err *err)
{
	char *why = proves(b, x), *line;
	int r = 0;

	if (*why) {
		line = xasprintf("%s%s", T_or(b, "col_proves_line", "Proves: "), why);
		r = pdf_text(b->p, line, SZ_SMALL, PDF_TEXT_GREY, err);
		free(line);
	}
	free(why);
	return r;
}

static int
exhibit_title(struct build *b, const struct exhibit *x, struct cf_err *err)
{
	char *kind = kind_str(b, x->kind), *ref = exref(b, x->no);
	char *t = xasprintf("%s · %s · %s", ref, kind, x->name);
	int r;

	r = pdf_outline_add(b->p, b->outline_exhibits, t, NULL, err);
	if (r == 0)
		r = pdf_text(b->p, t, SZ_H2, PDF_TEXT_BOLD, err);
	if (r == 0)
		r = exhibit_proves(b, x, err);
	if (r == 0)
		r = pdf_vspace(b->p, 4, err);
	free(kind);
	free(ref);
	free(t);
	return r;
}

static char *
caption(struct build *b, const struct exhibit *x)
{
	char hex[CF_SHA256_HEXLEN + 1], *ref = exref(b, x->no), *cap = tstr(b, x->captured_at);
	char *sz = size_str(x->size), *r;

	sha_hex(x->sha256, hex);
	r = xasprintf("%s · %s%s%s · %s\nSHA-256 %s%s%s", ref, x->name, *cap ? " · " : "", cap,
		      sz, hex, x->attachment ? "" : "\n", x->attachment ? "" : T(b, "not_attached"));
	free(ref);
	free(cap);
	free(sz);
	return r;
}

static int
card(struct build *b, const struct exhibit *x, const char *why,
     struct cf_err *err)
{
	struct cf_buf t = CF_BUF_INIT;
	char *cap = caption(b, x);
	int r;

	cf_buf_addf(&t, "%s\n%s", why, cap);
	if (x->duration_ms >= 0)
		cf_buf_addf(&t, "\n%s: %lld.%03lld s", T(b, "duration"), x->duration_ms / 1000,
			    x->duration_ms % 1000);
	r = pdf_box(b->p, t.data, SZ_BODY, 0, err);
	if (r == 0)
		r = pdf_vspace(b->p, 10, err);
	cf_buf_release(&t);
	free(cap);
	return r;
}

/*
 * "\n[附件: IMG_0001.jpg → 证据4, note.txt]": the names of a message's
 * attachments (a JSON array of names as parse stores it), each followed by
 * the exhibit of that name when there is one.  Text that is not such an
 * array is shown as stored.
 */
static void
attachment_names(struct build *b, struct cf_buf *body, const char *att)
{
	json_t *a = json_loads(att, JSON_DECODE_ANY, NULL);
	size_t i, k, shown = 0;

	cf_buf_addf(body, "\n[%s: ", T(b, "attachments"));
	if (!json_is_array(a)) {
		cf_buf_addstr(body, att);
		goto out;
	}
	for (i = 0; i < json_array_size(a); i++) {
		const char *name = json_string_value(json_array_get(a, i));

		if (name == NULL)
			continue;
		cf_buf_addf(body, "%s%s", shown++ ? ", " : "", name);
		for (k = 0; k < b->ex.n; k++)
			if (strcmp(b->ex.v[k].name, name) == 0) {
				char *ref = exref(b, b->ex.v[k].no);

				cf_buf_addf(body, " → %s", ref);
				free(ref);
				break;
			}
	}
out:
	cf_buf_addch(body, ']');
	json_decref(a);
}

static int chat_images(struct build *b, const char *att, struct cf_err *err);

/* One message of a transcript, in file order (seq) and its place in time. */
struct cmsg {
	long long seq, t;	/* t: own time, or the last time before it in the file */
	size_t pos;		/* place among the messages shown, in file order */
	int ms, has_t;		/* ms: -1 when none */
	char *sender, *name, *text, *att;
};

static int
cmp_cmsg(const void *a, const void *b)
{
	const struct cmsg *x = a, *y = b;

	/* by time, to the millisecond; the file's order breaks ties */
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->ms != y->ms)
		return x->ms < y->ms ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static char *
col_dup(struct db_stmt *st, int i)
{
	const unsigned char *s = db_col_text(st, i);

	return s ? xstrdup((const char *)s) : NULL;
}

/*
 * Whether the current row of st, a record of exhibit x, was rendered in an
 * earlier exhibit already (its file's n-th copy of the key, counted in
 * mine, is within what shown holds); *where gets that exhibit.
 */
static int
already_shown(struct db_stmt *st, const int *cols, const struct records *shown,
	      struct records *mine, int *where)
{
	unsigned char h[16];
	const struct records_ent *e;
	uint32_t rep;

	records_key(st, cols, RECORDS_NCOLS, h);
	rep = records_get(mine, h)->count++;
	e = records_find(shown, h);
	if (e == NULL || rep >= e->count)
		return 0;
	if (*where == 0)
		*where = e->no;
	return 1;
}

/* After exhibit no was rendered: shown holds the union of both. */
static void
shown_merge(struct records *shown, const struct records *mine, int no)
{
	size_t i;

	for (i = 0; i < mine->cap; i++) {
		struct records_ent *e;

		if (!mine->v[i].used)
			continue;
		e = records_get(shown, mine->v[i].h);
		if (e->count < mine->v[i].count)
			e->count = mine->v[i].count;
		if (e->no == 0)
			e->no = no;
	}
}

/* "12 record(s) also in Exhibit 2, shown there and not repeated here" */
static int
not_repeated(struct build *b, size_t n, int where, struct cf_err *err)
{
	char *ref, *t;
	int r;

	if (n == 0)
		return 0;
	ref = exref(b, where);
	t = xasprintf(T_fmt(b, "not_repeated", "%zu%s", "%zu record(s) also in %s, shown "
			    "there and not repeated here"), n, ref);
	r = pdf_vspace(b->p, 4, err);
	if (r == 0)
		r = pdf_text(b->p, t, SZ_SMALL, 0, err);
	free(ref);
	free(t);
	return r;
}

/*
 * The transcript is read in time order, as an arbiter reads a
 * conversation; a message without a time keeps its place after the message
 * before it in the file.  Where the file's order differs, the message is
 * marked with its place in the file and a line above the table says so.
 */
static int
chat(struct build *b, const struct exhibit *x, struct cf_err *err)
{
	static const double w[] = { 0.22, 0.18, 0.60 };
	static const int chat_cols[RECORDS_NCOLS] = { 1, 3, 5, 6 };	/* as RECORDS_CHAT */
	struct db_stmt *st = NULL;
	struct cmsg *v = NULL;
	size_t n = 0, i, moved = 0;
	long long last_t = LLONG_MIN;
	int last_ms = -1;
	const char *h[3];
	int rc, ret = -1, where = 0;
	struct records mine = { 0 };
	size_t skipped = 0;

	if (db_prepare(b->db, "SELECT seq, time, time_ms, "
		       ROLES_SQL_SENDER("messages", "(SELECT order_id FROM evidence WHERE id = ?1)")
		       ", name, text, attachments FROM messages WHERE evidence_id = ?1 ORDER BY seq",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, x->evidence_id);
	while ((rc = db_step(st)) == DB_ROW) {
		struct cmsg *m;

		/* a record an earlier exhibit showed is counted, not repeated */
		if (already_shown(st, chat_cols, &b->shown_chat, &mine, &where)) {
			skipped++;
			continue;
		}
		v = xreallocarray(v, n + 1, sizeof(*v));
		m = &v[n++];
		m->seq = db_col_int64(st, 0);
		m->pos = n - 1;
		m->has_t = db_col_type(st, 1) != DB_NULL;
		if (m->has_t) {
			last_t = db_col_int64(st, 1);
			last_ms = db_col_type(st, 2) != DB_NULL
					  ? db_col_int(st, 2) : -1;
		}
		m->t = last_t;
		m->ms = last_ms;
		m->sender = col_dup(st, 3);
		m->name = col_dup(st, 4);
		m->text = col_dup(st, 5);
		m->att = col_dup(st, 6);
	}
	if (rc != DB_DONE) {
		db_err(b->db, err, "cannot read the messages of exhibit %d", x->no);
		goto out;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_cmsg);
	for (i = 0; i < n; i++)
		moved += v[i].pos != (i ? v[i - 1].pos + 1 : 0);
	if (moved && pdf_text(b->p, T_or(b, "chat_time_order", "Shown in time order; a "
					 "message marked [file #N] stands elsewhere in the "
					 "original file."), SZ_SMALL, 0, err) < 0)
		goto out;
	h[0] = T(b, "col_time"), h[1] = T(b, "col_sender"), h[2] = T(b, "col_text");
	if (pdf_table_row(b->p, 3, w, h, SZ_SMALL, PDF_TEXT_BOLD | PDF_TEXT_SHADE, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		const struct cmsg *m = &v[i];
		char *ts, buf[48];
		char *role = xasprintf("role_%s", m->sender ? m->sender : "system");
		char *who = xasprintf("%s%s%s%s", T(b, role), m->name ? " (" : "",
				      m->name ? m->name : "", m->name ? ")" : "");
		char *mwho = M(b, who), *txt = M(b, m->text);
		struct cf_buf body = CF_BUF_INIT;
		const char *c[3];
		int r;

		if (!m->has_t || m->t < 0)
			ts = xstrdup("");
		else
			ts = drop_zone(xstrdup(cftime_format_ms(m->t, m->ms, b->o->tz_offset, buf,
								sizeof(buf))));
		cf_buf_addstr(&body, txt);
		if (m->att && strcmp(m->att, "[]") != 0)
			attachment_names(b, &body, m->att);
		if (m->pos != (i ? v[i - 1].pos + 1 : 0)) {
			const char *f = T_or(b, "chat_file_pos", "[file #{n}]");
			const char *at = strstr(f, "{n}");

			if (at)
				cf_buf_addf(&body, "\n%.*s%lld%s", (int)(at - f), f, m->seq, at + 3);
			else
				cf_buf_addf(&body, "\n%s %lld", f, m->seq);
		}
		c[0] = ts, c[1] = mwho, c[2] = body.data;
		r = pdf_table_row(b->p, 3, w, c, SZ_SMALL, PDF_TEXT_RULE, err);
		if (r == 0 && m->att && strcmp(m->att, "[]") != 0)
			r = chat_images(b, m->att, err);
		free(ts);
		free(role);
		free(who);
		free(mwho);
		free(txt);
		cf_buf_release(&body);
		if (r < 0)
			goto out;
	}
	shown_merge(&b->shown_chat, &mine, x->no);
	ret = not_repeated(b, skipped, where, err);
out:
	for (i = 0; i < n; i++) {
		free(v[i].sender);
		free(v[i].name);
		free(v[i].text);
		free(v[i].att);
	}
	free(v);
	db_finalize(st);
	records_release(&mine);
	return ret;
}

static int
logistics(struct build *b, const struct exhibit *x, struct cf_err *err)
{
	static const double w[] = { 0.22, 0.14, 0.16, 0.48 };
	struct db_stmt *st = NULL;
	const char *h[4];
	int ret = -1, where = 0;
	struct records mine = { 0 };
	size_t skipped = 0;

	if (db_prepare(b->db, "SELECT carrier, tracking_no FROM logistics WHERE evidence_id = ?",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, x->evidence_id);
	if (db_step(st) == DB_ROW) {
		const char *c = (const char *)db_col_text(st, 0);
		const char *t = (const char *)db_col_text(st, 1);

		if (row2(b, T(b, "carrier"), c, err) < 0 || row2(b, T(b, "tracking"), t, err) < 0 ||
		    pdf_vspace(b->p, 6, err) < 0)
			goto out;
	}
	db_finalize(st);
	st = NULL;
	h[0] = T(b, "col_time"), h[1] = T(b, "col_status"), h[2] = T(b, "col_location");
	h[3] = T(b, "col_desc");
	if (pdf_table_row(b->p, 4, w, h, SZ_SMALL, PDF_TEXT_BOLD | PDF_TEXT_SHADE, err) < 0)
		goto out;
	if (db_prepare(b->db, "SELECT " RECORDS_LOGI " "
		       "FROM logistics_events WHERE evidence_id = ? ORDER BY seq", &st, err) < 0)
		goto out;
	db_bind_int64(st, 1, x->evidence_id);
	while (db_step(st) == DB_ROW) {
		if (already_shown(st, records_cols, &b->shown_logi, &mine, &where)) {
			skipped++;
			continue;
		}
		char *ts = db_col_type(st, 0) == DB_NULL ? xstrdup("")
								       : tstr(b, db_col_int64(st, 0));
		const char *s = (const char *)db_col_text(st, 1);
		char *sk = s ? xasprintf("logi_%s", s) : NULL;
		char *loc = M(b, (const char *)db_col_text(st, 2));
		char *d = M(b, (const char *)db_col_text(st, 3));
		/* a status code (no raw text was kept) by its name: never "in_transit" */
		const char *c[4] = { ts, s ? T_or(b, sk, s) : "", loc, d };
		int r = pdf_table_row(b->p, 4, w, c, SZ_SMALL, PDF_TEXT_RULE, err);

		free(sk);
		free(ts);
		free(loc);
		free(d);
		if (r < 0)
			goto out;
	}
	shown_merge(&b->shown_logi, &mine, x->no);
	ret = not_repeated(b, skipped, where, err);
out:
	db_finalize(st);
	records_release(&mine);
	return ret;
}

static int
order_details(struct build *b, const struct exhibit *x, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	char money[40];
	int ret = -1;

	if (db_prepare(b->db, "SELECT shop, created_at, paid_at, shipped_at, delivered_at, "
		       "buyer_nick, buyer_phone, buyer_address, total_fen, currency, pay_method, "
		       "pay_txn FROM order_records WHERE evidence_id = ?", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, x->evidence_id);
	if (db_step(st) == DB_ROW) {
		const char *keys[] = { "shop", "created_at", "paid_at", "shipped_at", "delivered_at",
				       "buyer", "phone", "address", "paid", "payment", "txn" };
		char *vals[11];
		int i, r = 0;

		/* a fact the record does not hold is left out (row2) */
		vals[0] = col_dup(st, 0);
		for (i = 1; i <= 4; i++)
			vals[i] = db_col_type(st, i) == DB_NULL ? NULL
									    : tstr(b, db_col_int64(st, i));
		vals[5] = M(b, (const char *)db_col_text(st, 5));
		vals[6] = M(b, (const char *)db_col_text(st, 6));
		if (db_col_text(st, 7) == NULL)
			vals[7] = NULL;
		else if (b->o->no_mask)
			vals[7] = xstrdup((const char *)db_col_text(st, 7));
		else
			vals[7] = mask_address((const char *)db_col_text(st, 7));
		vals[8] = db_col_type(st, 8) == DB_NULL ? NULL :
			  xasprintf("%s %s", money_format_fen(db_col_int64(st, 8), money, sizeof(money)),
				    db_col_text(st, 9) ? (const char *)db_col_text(st, 9) : "CNY");
		vals[9] = col_dup(st, 10);
		vals[10] = col_dup(st, 11);
		for (i = 0; i < 11; i++) {
			if (r == 0)
				r = row2(b, T(b, keys[i]), vals[i], err);
			free(vals[i]);
		}
		if (r < 0)
			goto out;
	}
	db_finalize(st);
	st = NULL;
	if (db_prepare(b->db, "SELECT sku, title, qty, price_fen FROM order_items "
		       "WHERE evidence_id = ? ORDER BY seq", &st, err) < 0)
		goto out;
	db_bind_int64(st, 1, x->evidence_id);
	while (db_step(st) == DB_ROW) {
		const char *sku = (const char *)db_col_text(st, 0);
		const char *title = (const char *)db_col_text(st, 1);
		char *v = xasprintf("%s%s%s × %lld%s%s", title ? title : "", sku ? " / " : "",
				    sku ? sku : "", (long long)db_col_int64(st, 2),
				    db_col_type(st, 3) == DB_NULL ? "" : " @ ",
				    db_col_type(st, 3) == DB_NULL ? "" :
				    money_format_fen(db_col_int64(st, 3), money, sizeof(money)));
		int r = row2(b, T(b, "items"), v, err);

		free(v);
		if (r < 0)
			goto out;
	}
	ret = 0;
out:
	db_finalize(st);
	return ret;
}

/*
 * Page images: the original downsampled to about 200 dpi at the size it is
 * printed (PAGE_DPI), as a JPEG in a temporary folder of the vault's tmp/
 * that lives until the PDF is saved (libharu streams image files at save
 * time).  The untouched original stays attached.  Returns a path (heap) or
 * NULL with err (CF_EINPUT: the reason it cannot be read).
 */
#define PAGE_DPI 200
#define PT_TO_PX(pt) ((int)((pt) * PAGE_DPI / 72.0))

static char *
page_file(struct build *b, const void *data, size_t n, struct cf_err *err)
{
	char *path;
	int fd;

	if (b->tmpdir == NULL) {
		char *t = vault_path_new(b->v, "tmp/pages-XXXXXX");

		if (mkdtemp(t) == NULL) {
			cf_err_errno(err, CF_EIO, "cannot make a temporary folder");
			free(t);
			return NULL;
		}
		b->tmpdir = t;
	}
	path = xasprintf("%s/%u.jpg", b->tmpdir, b->ntmp++);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n) {
		cf_err_errno(err, CF_EIO, "cannot write a page image");
		if (fd >= 0)
			close(fd);
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

static void
page_files_remove(struct build *b)
{
	unsigned i;

	if (b->tmpdir == NULL)
		return;
	for (i = 0; i < b->ntmp; i++) {
		char *p = xasprintf("%s/%u.jpg", b->tmpdir, i);

		unlink(p);
		free(p);
	}
	rmdir(b->tmpdir);
	free(b->tmpdir);
	b->tmpdir = NULL;
}

static char *
page_image(struct build *b, const struct exhibit *x, double w_pt, double h_pt,
	   struct cf_err *err)
{
	char *orig = vault_object_path(b->v, x->sha256), *path;
	unsigned char *jpg = NULL;
	size_t n = 0;
	int w, h;

	if (imgconv_fit_jpeg(orig, PT_TO_PX(w_pt), PT_TO_PX(h_pt), 85, &jpg, &n, &w, &h,
			     err) < 0) {
		free(orig);
		return NULL;
	}
	free(orig);
	path = page_file(b, jpg, n, err);
	free(jpg);
	return path;
}

/*
 * The images a chat message sent, where the vault holds the file (a photo
 * exhibit of that name): a thumbnail under the message, in its text
 * column, downsampled like every page image, with the exhibit it is.  An
 * image that cannot be read is left to its exhibit page (which says why).
 */
#define CHAT_THUMB_H 110.0

static int
chat_images(struct build *b, const char *att, struct cf_err *err)
{
	json_t *a = json_loads(att, JSON_DECODE_ANY, NULL);
	double cw = pdf_content_width(b->p), indent = PDF_PAGE_W - 2 * PDF_MARGIN - cw;
	size_t i, k;
	int r = 0;

	for (i = 0; r == 0 && json_is_array(a) && i < json_array_size(a); i++) {
		const char *name = json_string_value(json_array_get(a, i));
		struct cf_err ierr = CF_ERR_INIT;
		struct pdf_image *img;
		char *path, *ref, *cap;

		for (k = 0; name && k < b->ex.n; k++)
			if (strcmp(b->ex.v[k].name, name) == 0 &&
			    strcmp(b->ex.v[k].kind, "photo") == 0)
				break;
		if (name == NULL || k == b->ex.n)
			continue;
		path = page_image(b, &b->ex.v[k], cw * 0.60, CHAT_THUMB_H, &ierr);
		if (path == NULL || pdf_image_load(b->p, path, 1, &img, &ierr) < 0) {
			free(path);
			if (ierr.code != CF_EINPUT) {
				cf_err_move(err, &ierr);
				r = -1;
			}
			cf_err_release(&ierr);
			continue;
		}
		free(path);
		pdf_set_indent(b->p, indent + cw * 0.40);
		ref = exref(b, b->ex.v[k].no);
		cap = xasprintf("%s  %s", ref, name);
		r = pdf_vspace(b->p, 3, err);
		if (r == 0)
			r = pdf_image_place(b->p, img, CHAT_THUMB_H, err);
		if (r == 0)
			r = pdf_text(b->p, cap, SZ_SMALL, PDF_TEXT_GREY | PDF_TEXT_CENTER, err);
		if (r == 0)
			r = pdf_vspace(b->p, 3, err);
		pdf_set_indent(b->p, indent);
		free(ref);
		free(cap);
	}
	json_decref(a);
	return r;
}

/* An image exhibit (or a PDF's first page): drawn, or a card saying why not. */
static int
picture(struct build *b, const struct exhibit *x, int full_page, struct cf_err *err)
{
	struct cf_err ierr = CF_ERR_INIT;
	struct pdf_image *img;
	double max_h = full_page ? PDF_PAGE_H - 2 * PDF_MARGIN - 140
				 : (PDF_PAGE_H - 2 * PDF_MARGIN) / 2 - 70;
	char *path, *cap;
	int r, orientation = 1;

	/* downsampled to ~200 dpi; HEIC, GIF, TIFF and PDF pages through libvips */
	path = page_image(b, x, PDF_PAGE_W - 2 * PDF_MARGIN, max_h, &ierr);
	if (path == NULL) {
		if (ierr.code != CF_EINPUT) {
			cf_err_move(err, &ierr);
			return -1;
		}
		cf_err_release(&ierr);
		path = vault_object_path(b->v, x->sha256);
		orientation = x->orientation;
	}
	if (pdf_image_load(b->p, path, orientation, &img, &ierr) < 0) {
		char *why;
		const char *reason = ierr.msg ? ierr.msg : "?";
		const char *q = strstr(reason, "': ");

		/* the vault path means nothing to the reader: keep the reason */
		reason = q ? q + 3 : reason;
		why = xasprintf("%s: %s", T(b, "card_bad_image"), reason);
		note(b, "exhibit %d '%s': shown as a card: %s", x->no, x->name, reason);
		b->rep->cards++;
		free(path);
		r = card(b, x, why, err);
		free(why);
		cf_err_release(&ierr);
		return r;
	}
	free(path);
	/* two photos per page when they fit: half the text height each */
	r = pdf_image_place(b->p, img, max_h, err);
	if (r == 0)
		r = pdf_vspace(b->p, 4, err);
	cap = caption(b, x);
	if (r == 0)
		r = pdf_text(b->p, cap, SZ_SMALL, PDF_TEXT_GREY, err);
	if (r == 0)
		r = pdf_vspace(b->p, 10, err);
	free(cap);
	return r;
}

/*
 * A video exhibit: a strip of key frames (first, evenly spaced, last; only
 * those frames are decoded), each frame's time in the video and the
 * video's own creation time, then the card saying the original is
 * attached.  A video FFmpeg cannot read gets the card and a note.
 */
static int
video(struct build *b, const struct exhibit *x, struct cf_err *err)
{
	struct cf_err ferr = CF_ERR_INIT;
	struct frames fr;
	struct pdf_image *img;
	struct cf_buf t = CF_BUF_INIT;
	char *orig = vault_object_path(b->v, x->sha256), *path = NULL;
	unsigned char *jpg = NULL;
	size_t n = 0, i;
	int r = 0;

	if (frames_extract(orig, 4, PT_TO_PX((PDF_PAGE_W - 2 * PDF_MARGIN) / 2),
			   PT_TO_PX((PDF_PAGE_W - 2 * PDF_MARGIN) / 2 * 9 / 16), &fr, &ferr) < 0) {
		/* said on the card, not as a warning: the original is attached */
		char *why = xasprintf("%s\n%s: %s", T(b, "card_video"), T(b, "key_frames"),
				      ferr.msg);

		free(orig);
		cf_err_release(&ferr);
		r = card(b, x, why, err);
		free(why);
		return r;
	}
	free(orig);
	if (imgconv_frames_jpeg(&fr, 8, 85, &jpg, &n, &ferr) < 0 ||
	    (path = page_file(b, jpg, n, &ferr)) == NULL ||
	    pdf_image_load(b->p, path, 1, &img, &ferr) < 0) {
		note(b, "exhibit %d '%s': no key frames: %s", x->no, x->name, ferr.msg);
		cf_err_release(&ferr);
		goto card;
	}
	r = pdf_image_place(b->p, img, (PDF_PAGE_H - 2 * PDF_MARGIN) / 2, err);
	cf_buf_addf(&t, "%s:", T(b, "key_frames"));
	for (i = 0; i < fr.n; i++)
		cf_buf_addf(&t, " %02lld:%02lld.%01lld", fr.v[i].ms / 60000, fr.v[i].ms / 1000 % 60,
			    fr.v[i].ms / 100 % 10);
	if (fr.created_at >= 0) {
		char *c = tstr(b, fr.created_at);

		cf_buf_addf(&t, " · %s %s", T(b, "video_created"), c);
		free(c);
	}
	if (r == 0)
		r = pdf_vspace(b->p, 4, err);
	if (r == 0)
		r = pdf_text(b->p, t.data, SZ_SMALL, PDF_TEXT_GREY, err);
	if (r == 0)
		r = pdf_vspace(b->p, 8, err);
card:
	cf_buf_release(&t);
	free(jpg);
	free(path);
	frames_release(&fr);
	if (r < 0)
		return -1;
	return card(b, x, T(b, "card_video"), err);
}

static int
is_image_format(const char *f)
{
	return f && (strcmp(f, "jpeg") == 0 || strcmp(f, "png") == 0 || strcmp(f, "webp") == 0 ||
		     strcmp(f, "heic") == 0 || strcmp(f, "gif") == 0);
}

static int
exhibits(struct build *b, struct cf_err *err)
{
	size_t i;
	int prev_photo = 0;

	if (new_section(b, "sec_exhibits", &b->outline_exhibits, err) < 0)
		return -1;
	for (i = 0; i < b->ex.n; i++) {
		const struct exhibit *x = &b->ex.v[i];
		int photo = strcmp(x->kind, "photo") == 0;
		int r;

		if (i > 0 && !(photo && prev_photo) && pdf_page_new(b->p, err) < 0)
			return -1;
		if (photo && prev_photo && pdf_need(b->p, 200, err) < 0)
			return -1;
		if (exhibit_title(b, x, err) < 0)
			return -1;
		if (x->superseded_by) {
			char *ref = exref(b, x->superseded_by);
			char *why = xasprintf(T_fmt(b, "card_superseded", "%s", "Every record of "
						    "this file is also in %s, a later export of the "
						    "same kind, and is shown there."), ref);

			r = card(b, x, why, err);
			free(ref);
			free(why);
		} else if (strcmp(x->kind, "chat") == 0)
			r = chat(b, x, err);
		else if (strcmp(x->kind, "logistics") == 0)
			r = logistics(b, x, err);
		else if (strcmp(x->kind, "order") == 0)
			r = order_details(b, x, err);
		else if (photo || (strcmp(x->kind, "receipt") == 0 &&
				   (x->format == NULL || is_image_format(x->format))))
			r = picture(b, x, 0, err);
		else if (x->format && strcmp(x->format, "pdf") == 0)
			r = picture(b, x, 1, err);	/* its first page, then the card */
		else if (strcmp(x->kind, "video") == 0)
			r = video(b, x, err);
		else
			r = card(b, x, T(b, "card_other"), err);
		if (r < 0)
			return -1;
		prev_photo = photo;
	}
	return 0;
}

/* -------------------------------------------------------------- appendix */

/*
 * The readable form of proofs.json: per exhibit its leaf, the latest tree
 * head it is proved against (as proofs_json_new picks it), the seal time
 * (the RFC 3161 token's time when the head has one) and the length of the
 * inclusion path; "not yet sealed" for leaves beyond that head.
 */
static int
proofs_table(struct build *b, struct cf_err *err)
{
	static const double w[] = { 0.08, 0.12, 0.12, 0.30, 0.26, 0.12 };
	struct seal_head head;
	struct db_stmt *st = NULL;
	char hex[CF_SHA256_HEXLEN + 1], *sealed = NULL, *s = NULL;
	const char *h[6];
	int found = 0, ret = -1;
	int64_t when = -1;
	size_t i;

	memset(&head, 0, sizeof(head));
	if (seal_head_find(b->db, 0, &head, &found, err) < 0 ||
	    db_prepare(b->db, "SELECT leaf_index FROM evidence WHERE id = ?", &st, err) < 0)
		goto out;
	if (pdf_vspace(b->p, 12, err) < 0 ||
	    pdf_outline_add(b->p, b->outline_appendix, T(b, "proofs_title"), NULL, err) < 0 ||
	    pdf_text(b->p, T(b, "proofs_title"), SZ_BODY + 1, PDF_TEXT_BOLD, err) < 0 ||
	    pdf_text(b->p, T(b, "proofs_intro"), SZ_SMALL, 0, err) < 0 ||
	    pdf_vspace(b->p, 4, err) < 0)
		goto out;
	if (found) {
		struct cf_err terr = CF_ERR_INIT;

		/* the token's time is the proof; the vault's clock only a claim */
		if (head.tst && seal_token_check(head.tst, head.tst_len, head.checkpoint,
						 head.checkpoint_len, &when, &terr) < 0)
			when = -1;
		cf_err_release(&terr);
		sealed = tstr(b, when >= 0 ? when : head.created_at);
		cf_hex_encode(head.root, CF_SHA256_LEN, hex);
		/* templates are merchant-editable text, never printf formats */
		s = xasprintf("%s: %s %llu; %s %s; %s %s; %s: %s", T(b, "proofs_head"),
			      T(b, "col_tree"), (unsigned long long)head.tree_size,
			      T(b, "proofs_root"), hex, T(b, "col_sealed_at"), sealed,
			      T(b, "sig_tsa"), head.tst ? (head.tsa_url ? head.tsa_url : "?")
						       : T(b, "proofs_no_tsa"));
		if (pdf_text(b->p, s, SZ_TINY, 0, err) < 0 || pdf_vspace(b->p, 4, err) < 0)
			goto out;
	} else if (pdf_text(b->p, T(b, "proofs_none"), SZ_SMALL, 0, err) < 0 ||
		   pdf_vspace(b->p, 4, err) < 0) {
		goto out;
	}
	h[0] = T(b, "col_no"), h[1] = T(b, "col_leaf"), h[2] = T(b, "col_tree");
	h[3] = T(b, "col_sealed_at"), h[4] = T(b, "col_root"), h[5] = T(b, "col_path");
	if (pdf_table_row(b->p, 6, w, h, SZ_TINY, PDF_TEXT_BOLD | PDF_TEXT_SHADE, err) < 0)
		goto out;
	for (i = 0; i < b->ex.n; i++) {
		const struct exhibit *x = &b->ex.v[i];
		char *c0 = xasprintf("%d", x->no), *c1 = NULL, *c2 = NULL, *c4 = NULL, *c5 = NULL;
		const char *c[6];
		int64_t idx = -1;
		int r;

		db_reset(st);
		db_bind_int64(st, 1, x->evidence_id);
		if (db_step(st) == DB_ROW && db_col_type(st, 0) != DB_NULL)
			idx = db_col_int64(st, 0);
		db_reset(st);
		c1 = idx >= 0 ? xasprintf("%lld", (long long)idx) : xstrdup("-");
		if (found && idx >= 0 && (uint64_t)idx < head.tree_size) {
			unsigned char (*path)[CF_SHA256_LEN] = NULL;
			size_t np = 0;

			if (ledger_inclusion_proof(b->db, (uint64_t)idx, head.tree_size, &path, &np,
						   err) < 0) {
				free(c0);
				free(c1);
				goto out;
			}
			free(path);
			c2 = xasprintf("%llu", (unsigned long long)head.tree_size);
			c4 = xasprintf("%.16s…", hex);
			c5 = xasprintf("%zu", np);
			c[3] = sealed;
		} else {
			c2 = xstrdup("");
			c4 = xstrdup("");
			c5 = xstrdup("");
			c[3] = T(b, "not_sealed");
		}
		c[0] = c0, c[1] = c1, c[2] = c2, c[4] = c4, c[5] = c5;
		r = pdf_table_row(b->p, 6, w, c, SZ_TINY, PDF_TEXT_RULE, err);
		free(c0);
		free(c1);
		free(c2);
		free(c4);
		free(c5);
		if (r < 0)
			goto out;
	}
	if (pdf_vspace(b->p, 8, err) < 0 ||
	    pdf_box(b->p, T(b, "proofs_steps"), SZ_SMALL, 0, err) < 0)
		goto out;
	ret = 0;
out:
	db_finalize(st);
	seal_head_release(&head);
	free(sealed);
	free(s);
	return ret;
}

static int
appendix(struct build *b, struct cf_err *err)
{
	static const double w[] = { 0.08, 0.30, 0.12, 0.50 };
	const char *h[4];
	size_t i;

	if (new_section(b, "sec_appendix", &b->outline_appendix, err) < 0 ||
	    pdf_text(b->p, T(b, "appendix_intro"), SZ_BODY, 0, err) < 0 ||
	    pdf_vspace(b->p, 6, err) < 0)
		return -1;
	{
		char *id = xasprintf("%s: %s   manifest.json: casefile-manifest/1",
				     T(b, "dossier_id"), b->rep->dossier_id);
		int r = pdf_text(b->p, id, SZ_SMALL, 0, err);

		free(id);
		if (r < 0 || pdf_vspace(b->p, 4, err) < 0)
			return -1;
	}
	h[0] = T(b, "col_no"), h[1] = T(b, "attachments"), h[2] = T(b, "col_size");
	h[3] = T(b, "col_sha");
	if (pdf_table_row(b->p, 4, w, h, SZ_TINY, PDF_TEXT_BOLD | PDF_TEXT_SHADE, err) < 0)
		return -1;
	for (i = 0; i < b->ex.n; i++) {
		const struct exhibit *x = &b->ex.v[i];
		char hex[CF_SHA256_HEXLEN + 1], *no = xasprintf("%d", x->no);
		char *sz = xasprintf("%llu", (unsigned long long)x->size);
		const char *c[4];
		int r;

		sha_hex(x->sha256, hex);
		c[0] = no, c[1] = x->attachment ? x->attachment : T(b, "not_attached");
		c[2] = sz, c[3] = hex;
		r = pdf_table_row(b->p, 4, w, c, SZ_TINY, PDF_TEXT_RULE, err);
		free(no);
		free(sz);
		if (r < 0)
			return -1;
	}
	if (pdf_vspace(b->p, 10, err) < 0 ||
	    pdf_box(b->p, T(b, "appendix_steps"), SZ_SMALL, 0, err) < 0)
		return -1;
	return b->o->ledger_proofs ? proofs_table(b, err) : 0;
}

/* ------------------------------------------------------------- signature */

/*
 * The last page: who signs, when, with which certificate and timestamp.
 * Written before the signature exists (the presave hook signs the saved
 * file), from the same certificate and time the hook uses.
 */
static int
signature_page(struct build *b, struct cf_err *err)
{
	const struct dossier_signature *sg = b->o->signature;
	char *when;
	int r;

	if (new_section(b, "sec_signature", NULL, err) < 0)
		return -1;
	if (sg == NULL)
		return pdf_text(b->p, T(b, "sig_unsigned"), SZ_BODY, 0, err);
	if (pdf_text(b->p, T(b, "sig_intro"), SZ_BODY, 0, err) < 0 ||
	    pdf_vspace(b->p, 8, err) < 0)
		return -1;
	when = tstr(b, sg->when);
	r = row2(b, T(b, "sig_signer"), sg->signer, err) < 0 ||
	    row2(b, T(b, "sig_time"), when, err) < 0 ||
	    row2(b, T(b, "sig_fingerprint"), sg->fingerprint, err) < 0 ||
	    row2(b, T(b, "sig_level"), T(b, sg->tsa ? "sig_level_bt" : "sig_level_bb"), err) < 0 ||
	    row2(b, T(b, "sig_tsa"), sg->tsa ? sg->tsa : T(b, "sig_no_tsa"), err) < 0;
	free(when);
	if (r || pdf_vspace(b->p, 10, err) < 0)
		return -1;
	return pdf_box(b->p, T(b, "sig_steps"), SZ_SMALL, 0, err);
}

/* ------------------------------------------------------------------ build */

static const char *
mime_of(const struct exhibit *x)
{
	const char *f = x->format;

	if (f == NULL)
		return NULL;
	if (strcmp(f, "jpeg") == 0)
		return "image/jpeg";
	if (strcmp(f, "png") == 0)
		return "image/png";
	if (strcmp(f, "webp") == 0)
		return "image/webp";
	if (strcmp(f, "mp4") == 0)
		return "video/mp4";
	if (strcmp(f, "pdf") == 0)
		return "application/pdf";
	return NULL;
}

static int
attach_all(struct build *b, struct cf_err *err)
{
	size_t i;

	for (i = 0; i < b->ex.n; i++) {
		const struct exhibit *x = &b->ex.v[i];
		char *path, *desc;
		int r;

		if (x->attachment == NULL)
			continue;
		path = vault_object_path(b->v, x->sha256);
		desc = xasprintf("%s: %s", T(b, "exhibit"), x->name);
		r = pdf_attach_file(b->p, x->attachment, path, mime_of(x), desc,
				    pdf_is_compressed(mime_of(x), x->name) ||
				    strcmp(x->kind, "video") == 0 ? PDF_ATTACH_STORE : 0, err);
		free(path);
		free(desc);
		if (r < 0) {
			cf_err_prefix(err, "exhibit %d", x->no);
			return -1;
		}
	}
	return pdf_attach_mem(b->p, "manifest.json", b->manifest, strlen(b->manifest),
			      "application/json", "casefile manifest", 0, err);
}

int
dossier_build(struct vault *v, const struct dossier_opts *o,
	      struct dossier_report *rep, struct cf_err *err)
{
	struct build b;
	char *title = NULL, *subject = NULL, *font = NULL;
	int ret = -1;

	memset(&b, 0, sizeof(b));
	memset(rep, 0, sizeof(*rep));
	b.v = v;
	b.db = vault_db(v);
	b.o = o;
	b.rep = rep;
	if (o->scenario && !statement_scenario_valid(o->scenario)) {
		cf_err_set(err, CF_EINPUT, "unknown scenario '%s'", o->scenario);
		goto out;
	}
	/* Nothing is rendered from a row that is not what was sealed (rederive.h). */
	if (exhibits_load(b.db, o->order_id, &b.ex, err) < 0 ||
	    rederive_check_order(v, o->order_id, err) < 0 ||
	    order_facts_load(b.db, o->order_id, &b.f, err) < 0 ||
	    templates_load(o->templates_dir, o->lang, &b.t, err) < 0)
		goto out;
	if (!o->no_mask && b.f.claim) {
		/* the claim is free text a buyer's phone may be in */
		char *claim = mask_text(b.f.claim);

		free(b.f.claim);
		b.f.claim = claim;
	}
	b.scenario = o->scenario ? o->scenario
		     : b.f.reason && statement_scenario_valid(b.f.reason) ? b.f.reason : "other";
	if (exhibits_argument(b.db, o->order_id, b.scenario, &b.ex, &b.arg, err) < 0)
		goto out;
	rep->exhibits = b.ex.n;
	plan_attachments(&b);
	make_manifest(&b);
	if (o->font_path == NULL && (font = pdf_font_find(o->fonts_dir, err)) == NULL)
		goto out;
	if (pdf_new(font ? font : o->font_path, &b.p, err) < 0)
		goto out;
	pdf_set_max_bytes(b.p, o->max_bytes);
	title = xasprintf("%s · %s", T(&b, "title"), o->order_id);
	subject = xasprintf("%s %s", T(&b, "order"), o->order_id);
	pdf_set_decor(b.p, decor, &b);
	if (pdf_set_info(b.p, title, b.f.shop, subject, o->now, o->tz_offset, err) < 0 ||
	    cover(&b, err) < 0 || statement(&b, err) < 0 || timeline(&b, err) < 0 ||
	    exhibit_index(&b, err) < 0 || exhibits(&b, err) < 0 || appendix(&b, err) < 0 ||
	    signature_page(&b, err) < 0 || attach_all(&b, err) < 0)
		goto out;
	if (o->attach_hook && o->attach_hook(o->hook_arg, b.p, &b.ex, err) < 0)
		goto out;
	if (pdf_save(b.p, o->out_path, o->presave_hook, o->presave_arg, err) < 0)
		goto out;
	rep->pages = pdf_page_count(b.p);
	ret = 0;
out:
	free(font);
	free(title);
	free(subject);
	free(b.manifest);
	pdf_free(b.p);
	page_files_remove(&b);
	templates_free(b.t);
	order_facts_release(&b.f);
	argument_release(&b.arg);
	exhibits_release(&b.ex);
	records_release(&b.shown_chat);
	records_release(&b.shown_logi);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * dispute — dispute records, their event history and the deadline clock.
 *
 * Each write is one IMMEDIATE transaction: read the open dispute, compute
 * the new row, UPDATE/INSERT it, append the event(s), COMMIT.  Any failure
 * rolls back, so a refused change leaves no trace.  The event text is one
 * readable line with times in UTC ISO form, so the history reads the same
 * whatever the display zone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/db.h"
#include "casefile/dispute.h"
#include "casefile/ledger_stmt.h"
#include "casefile/money.h"
#include "casefile/profile.h"
#include "casefile/xalloc.h"

struct reason {
	const char *code, *zh, *en;
	const char *alias[4];	/* more Chinese names accepted */
};

static const struct reason reasons[] = {
	{ "quality", "质量问题", "quality problem", { "质量", "商品质量问题" } },
	{ "not_as_described", "描述不符", "not as described",
	  { "与描述不符", "商品与描述不符", "货不对板" } },
	{ "damaged_in_transit", "运输损坏", "damaged in transit",
	  { "破损", "商品破损", "运输破损", "快递破损" } },
	{ "not_received", "未收到货", "not received", { "未收到", "没收到货", "未收货" } },
	{ "wrong_or_missing_item", "错发漏发", "wrong or missing item",
	  { "错发", "漏发", "少件", "少发" } },
	{ "non_returnable", "不支持退货", "non-returnable item",
	  { "不支持七天无理由", "不支持7天无理由", "定制商品" } },
	{ "price_or_payment", "价格或支付问题", "price or payment",
	  { "价格问题", "支付问题", "价保" } },
	{ "late_or_service", "发货延迟或服务问题", "late delivery or service",
	  { "发货延迟", "服务问题", "延迟发货" } },
	{ "suspected_abuse", "疑似恶意退款", "suspected abuse",
	  { "恶意退款", "恶意售后", "疑似欺诈" } },
	{ "other", "其他", "other", { "其它" } },
};
#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

static const char *const outcomes[] = { "won", "lost", "settled", "withdrawn", NULL };
static const char *const resolutions[] = {
	"partial_refund", "coupon", "exchange", "return_refund", "full_refund", "none", NULL
};
static const char *const statuses[] = { "requested", "rejected", "arbitration", NULL };

/* "not-received" and "Not_Received" name the code "not_received". */
static int
code_eq(const char *code, const char *s)
{
	for (; *code && *s; code++, s++) {
		char c = *s == '-' || *s == ' ' ? '_' : *s;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != *code)
			return 0;
	}
	return *code == *s;
}

const char *
dispute_reason_parse(const char *s, struct cf_err *err)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t i, j;

	for (i = 0; i < NREASONS; i++) {
		if (code_eq(reasons[i].code, s) || !strcmp(reasons[i].zh, s))
			return reasons[i].code;
		for (j = 0; j < 4 && reasons[i].alias[j]; j++)
			if (!strcmp(reasons[i].alias[j], s))
				return reasons[i].code;
	}
	for (i = 0; i < NREASONS; i++)
		cf_buf_addf(&b, "%s%s (%s)", i ? ", " : "", reasons[i].code, reasons[i].zh);
	cf_err_set(err, CF_EINPUT, "unknown reason '%s' (one of: %s)", s, b.data);
	cf_buf_release(&b);
	return NULL;
}

const char *
dispute_reason_zh(const char *code)
{
	size_t i;

	for (i = 0; i < NREASONS; i++)
		if (!strcmp(reasons[i].code, code))
			return reasons[i].zh;
	return code;
}

const char *
dispute_reason_en(const char *code)
{
	size_t i;

	for (i = 0; i < NREASONS; i++)
		if (!strcmp(reasons[i].code, code))
			return reasons[i].en;
	return code;
}

static const char *
zh_of(const char *const (*tab)[2], const char *code)
{
	size_t i;

	for (i = 0; code && tab[i][0]; i++)
		if (!strcmp(tab[i][0], code))
			return tab[i][1];
	return code;
}

const char *
dispute_status_zh(const char *code)
{
	static const char *const tab[][2] = {
		{ "requested", "买家申请退款" }, { "rejected", "商家已拒绝" },
		{ "arbitration", "平台介入中" }, { "closed", "已结案" }, { NULL, NULL },
	};

	return zh_of(tab, code);
}

const char *
dispute_outcome_zh(const char *code)
{
	static const char *const tab[][2] = {
		{ "won", "商家胜诉" }, { "lost", "商家败诉" }, { "settled", "协商解决" },
		{ "withdrawn", "买家撤回" }, { NULL, NULL },
	};

	return zh_of(tab, code);
}

const char *
dispute_resolution_zh(const char *code)
{
	static const char *const tab[][2] = {
		{ "partial_refund", "部分退款" }, { "coupon", "补偿优惠券" },
		{ "exchange", "换货" }, { "return_refund", "退货退款" },
		{ "full_refund", "全额退款" }, { "none", "无退款" }, { NULL, NULL },
	};

	return zh_of(tab, code);
}

const char *const *
dispute_reasons(void)
{
	static const char *codes[NREASONS + 1];
	size_t i;

	if (codes[0] == NULL)
		for (i = 0; i < NREASONS; i++)
			codes[i] = reasons[i].code;
	return codes;
}

static const char *
vocab_parse(const char *const *words, const char *what, const char *s,
	    struct cf_err *err)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t i;

	for (i = 0; words[i]; i++)
		if (code_eq(words[i], s))
			return words[i];
	for (i = 0; words[i]; i++)
		cf_buf_addf(&b, "%s%s", i ? ", " : "", words[i]);
	cf_err_set(err, CF_EINPUT, "unknown %s '%s' (one of: %s)", what, s, b.data);
	cf_buf_release(&b);
	return NULL;
}

const char *
dispute_outcome_parse(const char *s, struct cf_err *err)
{
	return vocab_parse(outcomes, "outcome", s, err);
}

const char *
dispute_resolution_parse(const char *s, struct cf_err *err)
{
	return vocab_parse(resolutions, "resolution", s, err);
}

const char *
dispute_status_parse(const char *s, struct cf_err *err)
{
	if (code_eq("closed", s)) {
		cf_err_set(err, CF_EINPUT,
			   "status 'closed' is set by 'casefile dispute close ORDER --outcome ...'");
		return NULL;
	}
	return vocab_parse(statuses, "status", s, err);
}

void
dispute_change_init(struct dispute_change *c)
{
	memset(c, 0, sizeof(*c));
	c->amount_fen = DISPUTE_NO_AMOUNT;
	c->requested_at = c->rejected_at = c->arbitration_at = c->deadline =
		DISPUTE_NO_TIME;
}

/* ---- the clock ---------------------------------------------------------- */

long long
dispute_deadline(long long requested_at, long long rejected_at,
		 long long arbitration_at, long long explicit_deadline,
		 const struct profile *p, const char **source)
{
	const char *dummy;

	(void)requested_at;
	if (source == NULL)
		source = &dummy;
	*source = NULL;
	if (explicit_deadline != DISPUTE_NO_TIME) {
		*source = "explicit";
		return explicit_deadline;
	}
	if (arbitration_at != DISPUTE_NO_TIME && p) {
		*source = "evidence";
		return arbitration_at + (long long)p->evidence_hours * 3600;
	}
	if (rejected_at != DISPUTE_NO_TIME && p) {
		*source = "escalation";
		return rejected_at + (long long)p->escalation_hours * 3600;
	}
	return DISPUTE_NO_TIME;
}

void
dispute_clock(const struct dispute *d, const struct profile *p, long long now,
	      long long within, long long dossier_at, struct dispute_clock *c)
{
	int is_explicit = d->deadline_source && !strcmp(d->deadline_source, "explicit");

	memset(c, 0, sizeof(*c));
	c->kind = "none";
	c->party = DISPUTE_PARTY_NONE;
	c->deadline = DISPUTE_NO_TIME;
	if (is_explicit && d->deadline != DISPUTE_NO_TIME) {
		c->kind = "explicit";
		c->party = DISPUTE_PARTY_MERCHANT;
		c->deadline = d->deadline;
	} else if (p == NULL) {
		/* the stored deadline, its kind from the stored source */
		if (d->deadline != DISPUTE_NO_TIME && d->deadline_source) {
			c->deadline = d->deadline;
			if (!strcmp(d->deadline_source, "escalation")) {
				c->kind = "buyer_escalation";
				c->party = DISPUTE_PARTY_BUYER;
			} else {
				c->kind = "merchant_evidence";
				c->party = DISPUTE_PARTY_MERCHANT;
			}
		}
	} else if (d->arbitration_at != DISPUTE_NO_TIME) {
		c->kind = "merchant_evidence";
		c->party = DISPUTE_PARTY_MERCHANT;
		c->deadline = d->arbitration_at + (long long)p->evidence_hours * 3600;
		if (c->deadline <= now && dossier_at != DISPUTE_NO_TIME &&
		    dossier_at >= d->arbitration_at) {
			c->kind = "platform_decision";
			c->party = DISPUTE_PARTY_PLATFORM;
			c->deadline = DISPUTE_NO_TIME;
		}
	} else if (d->rejected_at != DISPUTE_NO_TIME) {
		c->kind = "buyer_escalation";
		c->party = DISPUTE_PARTY_BUYER;
		c->deadline = d->rejected_at + (long long)p->escalation_hours * 3600;
	} else if (d->requested_at != DISPUTE_NO_TIME && d->status &&
		   !strcmp(d->status, "requested")) {
		c->kind = "merchant_reply";
		c->party = DISPUTE_PARTY_MERCHANT;
		c->deadline = d->requested_at + (long long)p->reply_hours * 3600;
	}
	if (c->deadline != DISPUTE_NO_TIME) {
		c->lapsed = c->deadline <= now;
		c->alert = c->party == DISPUTE_PARTY_MERCHANT && c->deadline - now <= within;
	}
}

static const struct {
	const char *kind, *zh, *en;
} clock_kinds[] = {
	{ "merchant_reply", "商家回复期限", "merchant reply" },
	{ "buyer_escalation", "买家申请介入期限", "buyer escalation window" },
	{ "merchant_evidence", "商家举证期限", "merchant evidence" },
	{ "platform_decision", "等待平台裁决", "platform decision" },
	{ "explicit", "商家期限", "merchant deadline" },
	{ "none", "暂无期限", "no deadline yet" },
};

const char *
dispute_clock_kind_zh(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(clock_kinds) / sizeof(clock_kinds[0]); i++)
		if (!strcmp(clock_kinds[i].kind, kind))
			return clock_kinds[i].zh;
	return kind;
}

const char *
dispute_clock_kind_en(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(clock_kinds) / sizeof(clock_kinds[0]); i++)
		if (!strcmp(clock_kinds[i].kind, kind))
			return clock_kinds[i].en;
	return kind;
}

const char *
dispute_party_code(enum dispute_party party)
{
	switch (party) {
	case DISPUTE_PARTY_MERCHANT:
		return "merchant";
	case DISPUTE_PARTY_BUYER:
		return "buyer";
	case DISPUTE_PARTY_PLATFORM:
		return "platform";
	default:
		return "none";
	}
}

char *
dispute_format_left(long long secs, char *buf, size_t n)
{
	if (secs < 0)
		secs = -secs;
	snprintf(buf, n, "%lldh %02lldm", secs / 3600, secs / 60 % 60);
	return buf;
}

/* ---- rows --------------------------------------------------------------- */

#define DISPUTE_COLS \
	"id, order_id, reason, claim, amount_fen, status, profile, requested_at, " \
	"rejected_at, arbitration_at, deadline, deadline_source, outcome, " \
	"refunded_fen, resolution, opened_at, closed_at"

static char *
col_str(struct db_stmt *st, int i)
{
	const unsigned char *t = db_col_text(st, i);

	return t ? xstrdup((const char *)t) : NULL;
}

static long long
col_time(struct db_stmt *st, int i)
{
	return db_col_type(st, i) == DB_NULL ? DISPUTE_NO_TIME
							 : db_col_int64(st, i);
}

static long long
col_amount(struct db_stmt *st, int i)
{
	return db_col_type(st, i) == DB_NULL ? DISPUTE_NO_AMOUNT
							 : db_col_int64(st, i);
}

static struct dispute *
row_dispute(struct db_stmt *st)
{
	struct dispute *d = xcalloc(1, sizeof(*d));

	d->id = db_col_int64(st, 0);
	d->order_id = col_str(st, 1);
	d->reason = col_str(st, 2);
	d->claim = col_str(st, 3);
	d->amount_fen = col_amount(st, 4);
	d->status = col_str(st, 5);
	d->profile = col_str(st, 6);
	d->requested_at = col_time(st, 7);
	d->rejected_at = col_time(st, 8);
	d->arbitration_at = col_time(st, 9);
	d->deadline = col_time(st, 10);
	d->deadline_source = col_str(st, 11);
	d->outcome = col_str(st, 12);
	d->refunded_fen = col_amount(st, 13);
	d->resolution = col_str(st, 14);
	d->opened_at = col_time(st, 15);
	d->closed_at = col_time(st, 16);
	return d;
}

void
dispute_free(struct dispute *d)
{
	if (d == NULL)
		return;
	free(d->order_id);
	free(d->reason);
	free(d->claim);
	free(d->status);
	free(d->profile);
	free(d->deadline_source);
	free(d->outcome);
	free(d->resolution);
	free(d);
}

void
dispute_list_free(struct dispute **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dispute_free(v[i]);
	free(v);
}

int
dispute_profile(struct cf_db *db, const struct dispute *d, const char *opt,
		struct profile **out, struct cf_err *err)
{
	if (opt == NULL && d != NULL && d->profile != NULL)
		return profile_find(d->profile, out, err);
	return profile_resolve(db, opt, out, err);
}

int
dispute_context(struct cf_db *db, const char *order, const char *reason_opt,
		const char *profile_opt, struct dispute **d, const char **reason,
		struct profile **prof, struct cf_err *err)
{
	*d = NULL;
	*prof = NULL;
	if (dispute_get(db, order, 0, d, err) < 0) {
		if (err->code != CF_ENOTFOUND || (reason && reason_opt == NULL))
			return -1;
		cf_err_release(err);
	}
	if (dispute_profile(db, *d, profile_opt, prof, err) < 0)
		return -1;
	if (reason)
		*reason = reason_opt ? reason_opt : (*d)->reason;
	return 0;
}

int
dispute_buyer_identity(struct cf_db *db, const char *order, char **phone, char **nick,
		       struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int rc;

	*phone = *nick = NULL;
	if (db_prepare(db, "SELECT nullif(o.buyer_phone, ''), CASE WHEN o.buyer_nick "
		       "LIKE '%*%' THEN NULL ELSE nullif(o.buyer_nick, '') END "
		       "FROM order_records o JOIN evidence e ON e.id = o.evidence_id "
		       "WHERE e.order_id = ?1 ORDER BY e.id LIMIT 1", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, order, -1, DB_STATIC);
	if ((rc = db_step(st)) == DB_ROW) {
		if (db_col_type(st, 0) != DB_NULL)
			*phone = col_str(st, 0);
		else if (db_col_type(st, 1) != DB_NULL)
			*nick = col_str(st, 1);
	}
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_err(db, err, "cannot read the buyer of order '%s'", order);
	return 0;
}

int
dispute_get(struct cf_db *db, const char *order, int open_only, struct dispute **out,
	    struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int rc, ret = -1;

	if (db_prepare(db, "SELECT " DISPUTE_COLS " FROM disputes WHERE order_id = ?1 "
			   "AND (?2 = 0 OR closed_at IS NULL) "
			   "ORDER BY closed_at IS NULL DESC, id DESC LIMIT 1", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, order, -1, DB_STATIC);
	db_bind_int(st, 2, open_only);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*out = row_dispute(st);
		ret = 0;
	} else if (rc == DB_DONE) {
		cf_err_set(err, CF_ENOTFOUND, "order '%s' has no %sdispute", order,
			   open_only ? "open " : "");
	} else {
		db_err(db, err, "cannot read disputes");
	}
	db_finalize(st);
	return ret;
}

int
dispute_list(struct cf_db *db, int open_only, struct dispute ***out, size_t *n,
	     struct cf_err *err)
{
	struct db_stmt *st = NULL;
	struct dispute **v = NULL;
	size_t cnt = 0;
	int rc;

	if (db_prepare(db, "SELECT " DISPUTE_COLS " FROM disputes "
			   "WHERE ?1 = 0 OR closed_at IS NULL ORDER BY order_id, id",
		       &st, err) < 0)
		return -1;
	db_bind_int(st, 1, open_only);
	while ((rc = db_step(st)) == DB_ROW) {
		v = xreallocarray(v, cnt + 1, sizeof(*v));
		v[cnt++] = row_dispute(st);
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		dispute_list_free(v, cnt);
		return db_err(db, err, "cannot read disputes");
	}
	*out = v;
	*n = cnt;
	return 0;
}

int
dispute_events(struct cf_db *db, int64_t id, struct dispute_event **out, size_t *n,
	       struct cf_err *err)
{
	struct db_stmt *st = NULL;
	struct dispute_event *v = NULL;
	size_t cnt = 0;
	int rc;

	if (db_prepare(db, "SELECT at, who, kind, what FROM dispute_events "
			   "WHERE dispute_id = ? ORDER BY id", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW) {
		v = xreallocarray(v, cnt + 1, sizeof(*v));
		v[cnt].at = db_col_int64(st, 0);
		v[cnt].who = col_str(st, 1);
		v[cnt].kind = col_str(st, 2);
		v[cnt].what = col_str(st, 3);
		cnt++;
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		dispute_events_free(v, cnt);
		return db_err(db, err, "cannot read dispute events");
	}
	*out = v;
	*n = cnt;
	return 0;
}

void
dispute_events_free(struct dispute_event *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].who);
		free(v[i].kind);
		free(v[i].what);
	}
	free(v);
}

/* ---- sealing: disputes and events as annotation leaves ------------------ */

#define EVENT_COLS "id, dispute_id, at, who, kind, what"
#define SEALED_DISPUTE "dispute"
#define SEALED_EVENT "dispute_event"

static char *
dispute_subject(int64_t id)
{
	return xasprintf("dispute %lld", (long long)id);
}

static char *
event_subject(int64_t dispute_id, int64_t event_id)
{
	return xasprintf("dispute %lld event %lld", (long long)dispute_id, (long long)event_id);
}

/*
 * The canonical payload of the disputes row id (or of event row id when
 * event) into out, and its order id into *order (malloc'd, may be NULL).
 * 0, 1 when there is no such row, or -1.
 */
static int
row_payload(struct cf_db *db, int event, int64_t id, struct cf_buf *out, char **order,
	    struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int rc;

	if (db_prepare(db, event ? "SELECT " EVENT_COLS " FROM dispute_events WHERE id = ?"
				 : "SELECT " DISPUTE_COLS " FROM disputes WHERE id = ?", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		ledger_payload_from_row(st, out);
		if (order && !event)
			*order = col_str(st, 1);
	}
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_err(db, err, "cannot read dispute %s %lld", event ? "event" : "record",
			      (long long)id);
	return rc == DB_ROW ? 0 : 1;
}

static int
dispute_order_of(struct cf_db *db, int64_t id, char **order, struct cf_err *err)
{
	struct cf_buf b = CF_BUF_INIT;
	int r = row_payload(db, 0, id, &b, order, err);

	cf_buf_release(&b);
	if (r == 1)
		return cf_err_set(err, CF_ENOTFOUND, "no dispute %lld", (long long)id);
	return r;
}

/* Append one annotation leaf for the current state of a row (inside a transaction). */
static int
seal_row(struct cf_db *db, int event, int64_t id, int64_t dispute_id, const char *order,
	 long long at, const char *who, struct cf_err *err)
{
	struct cf_buf pl = CF_BUF_INIT;
	struct ledger_annotation a;
	char *subject = event ? event_subject(dispute_id, id) : dispute_subject(id);
	int r;

	if ((r = row_payload(db, event, id, &pl, NULL, err)) == 1)
		r = cf_err_set(err, CF_ENOTFOUND, "no %s", subject);
	if (r == 0) {
		a.type = event ? SEALED_EVENT : SEALED_DISPUTE;
		a.order_id = order;
		a.subject = subject;
		a.at = at;
		a.who = who;
		a.payload = pl.data ? pl.data : "";
		a.payload_len = pl.len;
		r = ledger_append_annotation(db, &a, NULL, err);
	}
	free(subject);
	cf_buf_release(&pl);
	return r;
}

/*
 * Seal the whole of dispute id as it stands: every event in id order, then
 * the record (at/who of its last event).  For disputes that have no leaf
 * yet (made before sealing existed).  *added counts the leaves.
 */
static int
seal_dispute_whole(struct cf_db *db, int64_t id, uint64_t *added, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	char *order = NULL, *who = NULL;
	long long at = 0;
	int rc, ret = -1;

	if (dispute_order_of(db, id, &order, err) < 0 ||
	    db_prepare(db, "SELECT id, at, who FROM dispute_events WHERE dispute_id = ? "
			   "ORDER BY id", &st, err) < 0)
		goto out;
	db_bind_int64(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW) {
		at = db_col_int64(st, 1);
		free(who);
		who = col_str(st, 2);
		if (seal_row(db, 1, db_col_int64(st, 0), id, order, at,
			     who ? who : "unknown", err) < 0)
			goto out;
		(*added)++;
	}
	if (rc != DB_DONE) {
		db_err(db, err, "cannot read dispute events");
		goto out;
	}
	if (seal_row(db, 0, id, id, order, at, who ? who : "unknown", err) < 0)
		goto out;
	(*added)++;
	ret = 0;
out:
	db_finalize(st);
	free(order);
	free(who);
	return ret;
}

/* 1 when dispute id has at least one leaf, 0 when none, -1 on error. */
static int
dispute_is_sealed(struct cf_db *db, int64_t id, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	char *subject = dispute_subject(id);
	int rc;

	if (db_prepare(db, "SELECT 1 FROM annotations WHERE type = '" SEALED_DISPUTE "' "
			   "AND subject = ?", &st, err) < 0) {
		free(subject);
		return -1;
	}
	db_bind_text(st, 1, subject, -1, DB_STATIC);
	rc = db_step(st);
	db_finalize(st);
	free(subject);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_err(db, err, "cannot read annotations");
	return rc == DB_ROW;
}

int
dispute_seal_all(struct cf_db *db, uint64_t *added, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int64_t *ids = NULL;
	size_t n = 0, i;
	uint64_t count = 0;
	int own = !db_in_transaction(db), ret = -1, rc;

	if (own && db_begin(db, err) < 0)
		return -1;
	if (db_prepare(db, "SELECT d.id FROM disputes d WHERE NOT EXISTS (SELECT 1 FROM "
			   "annotations a WHERE a.type = '" SEALED_DISPUTE "' AND a.subject = "
			   "'dispute ' || d.id) ORDER BY d.id", &st, err) < 0)
		goto out;
	while ((rc = db_step(st)) == DB_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		ids[n++] = db_col_int64(st, 0);
	}
	if (rc != DB_DONE) {
		db_err(db, err, "cannot read disputes");
		goto out;
	}
	db_finalize(st);
	st = NULL;
	for (i = 0; i < n; i++)
		if (seal_dispute_whole(db, ids[i], &count, err) < 0)
			goto out;
	if (own && n == 0) {
		db_rollback(db);
		own = 0;
	}
	if (own) {
		own = 0;
		if (db_commit(db, err) < 0)
			goto out;
	}
	if (added)
		*added = count;
	ret = 0;
out:
	db_finalize(st);
	free(ids);
	if (own)
		db_rollback(db);
	return ret;
}

/*
 * Compare the current row with its latest sealed annotation and that with
 * its ledger leaf; report through fn.  Returns 0 (findings are not errors)
 * or -1.
 */
static int
check_row(struct cf_db *db, int event, int64_t id, int64_t dispute_id, const char *order,
	  dispute_problem_fn fn, void *cookie, struct cf_err *err)
{
	struct cf_buf now = CF_BUF_INIT, sealed = CF_BUF_INIT;
	char *subject = event ? event_subject(dispute_id, id) : dispute_subject(id);
	char *who = xasprintf("%s (order %s)", subject, order);
	int r, ret = -1;

	if ((r = ledger_annotation_latest(db, event ? SEALED_EVENT : SEALED_DISPUTE, subject,
					  &sealed, err)) < 0 ||
	    row_payload(db, event, id, &now, NULL, err) < 0)
		goto out;
	ret = 0;
	if (r == LEDGER_ANNOTATION_NONE)
		fn(cookie, who, event ? "not in the ledger (added outside casefile?)"
				      : "not in the ledger yet (run 'casefile seal' to add it)");
	else if (r == LEDGER_ANNOTATION_FORGED)
		fn(cookie, who, "its sealed record no longer hashes to its ledger leaf (edited?)");
	else if (now.len != sealed.len || memcmp(now.data, sealed.data, now.len) != 0)
		fn(cookie, who, event ? "differs from its sealed record (edited?)"
				      : "the dispute record differs from its sealed record (edited?)");
out:
	cf_buf_release(&now);
	cf_buf_release(&sealed);
	free(subject);
	free(who);
	return ret;
}

/* Report each row (subject, order id) of st: sealed things whose row is gone. */
static int
report_gone(struct cf_db *db, struct db_stmt *st, const char *detail, dispute_problem_fn fn,
	    void *cookie, struct cf_err *err)
{
	int rc;

	while ((rc = db_step(st)) == DB_ROW) {
		char *who = xasprintf("%s (order %s)", (const char *)db_col_text(st, 0),
				      (const char *)db_col_text(st, 1));

		fn(cookie, who, detail);
		free(who);
	}
	if (rc != DB_DONE)
		return db_err(db, err, "cannot read annotations");
	return 0;
}

/* Check one dispute: its record, its events, and sealed events without a row. */
static int
check_dispute(struct cf_db *db, int64_t id, const char *order, dispute_problem_fn fn,
	      void *cookie, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int rc, sealed, ret = -1;

	if ((sealed = dispute_is_sealed(db, id, err)) < 0)
		return -1;
	if (check_row(db, 0, id, id, order, fn, cookie, err) < 0)
		return -1;
	if (!sealed)
		return 0;	/* one line says it all */
	if (db_prepare(db, "SELECT id FROM dispute_events WHERE dispute_id = ? ORDER BY id",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW)
		if (check_row(db, 1, db_col_int64(st, 0), id, order, fn, cookie, err) < 0)
			goto out;
	if (rc != DB_DONE) {
		db_err(db, err, "cannot read dispute events");
		goto out;
	}
	db_finalize(st);
	/* Sealed events whose row is gone. */
	if (db_prepare(db, "SELECT DISTINCT a.subject, a.order_id FROM annotations a WHERE a.type = '"
			   SEALED_EVENT "' AND a.subject LIKE 'dispute ' || ?1 || ' event %' "
			   "AND NOT EXISTS (SELECT 1 FROM dispute_events e WHERE e.dispute_id "
			   "= ?1 AND a.subject = 'dispute ' || ?1 || ' event ' || e.id)",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	if (report_gone(db, st, "sealed, but its row is gone (deleted?)", fn, cookie, err) < 0)
		goto out;
	ret = 0;
out:
	db_finalize(st);
	return ret;
}

int
dispute_check_sealed(struct cf_db *db, const char *order, dispute_problem_fn fn, void *cookie,
		     struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int rc, ret = -1;

	if (db_prepare(db, "SELECT id, order_id FROM disputes WHERE ?1 IS NULL OR "
			   "order_id = ?1 ORDER BY id", &st, err) < 0)
		return -1;
	if (order)
		db_bind_text(st, 1, order, -1, DB_STATIC);
	while ((rc = db_step(st)) == DB_ROW)
		if (check_dispute(db, db_col_int64(st, 0),
				  (const char *)db_col_text(st, 1), fn, cookie, err) < 0)
			goto out;
	if (rc != DB_DONE) {
		db_err(db, err, "cannot read disputes");
		goto out;
	}
	db_finalize(st);
	/* Sealed disputes whose record is gone. */
	if (db_prepare(db, "SELECT DISTINCT a.subject, a.order_id FROM annotations a WHERE "
			   "a.type = '" SEALED_DISPUTE "' AND (?1 IS NULL OR a.order_id = ?1) "
			   "AND NOT EXISTS (SELECT 1 FROM disputes d WHERE a.subject = "
			   "'dispute ' || d.id)", &st, err) < 0)
		return -1;
	if (order)
		db_bind_text(st, 1, order, -1, DB_STATIC);
	if (report_gone(db, st, "sealed, but the dispute record is gone (deleted?)", fn, cookie,
			err) < 0)
		goto out;
	ret = 0;
out:
	db_finalize(st);
	return ret;
}

/* Collects the first finding of a check as a CF_EVERIFY error. */
struct first_problem {
	char *msg;
};

static void
first_problem_cb(void *cookie, const char *subject, const char *detail)
{
	struct first_problem *fp = cookie;

	if (fp->msg == NULL)
		fp->msg = xasprintf("%s: %s", subject, detail);
}

int
dispute_verify_order(struct cf_db *db, const char *order, struct cf_err *err)
{
	struct first_problem fp = { NULL };
	int r;

	if (dispute_check_sealed(db, order, first_problem_cb, &fp, err) < 0)
		return -1;
	r = 0;
	if (fp.msg) {
		r = cf_err_set(err, CF_EVERIFY, "%s", fp.msg);
		free(fp.msg);
	}
	return r;
}

/*
 * Before a change to dispute d: a dispute made before sealing existed is
 * sealed as it stands; one that is sealed must still match its leaves, or
 * the change would seal a forged record.
 */
static int
seal_before_change(struct cf_db *db, const struct dispute *d, struct cf_err *err)
{
	struct first_problem fp = { NULL };
	uint64_t added = 0;
	int sealed = dispute_is_sealed(db, d->id, err);

	if (sealed < 0)
		return -1;
	if (!sealed)
		return seal_dispute_whole(db, d->id, &added, err);
	if (check_dispute(db, d->id, d->order_id, first_problem_cb, &fp, err) < 0)
		return -1;
	if (fp.msg) {
		cf_err_set(err, CF_EVERIFY, "%s; nothing changed (run 'casefile audit')", fp.msg);
		free(fp.msg);
		return -1;
	}
	return 0;
}

/* ---- writes ------------------------------------------------------------- */

static int
add_event(struct cf_db *db, int64_t id, long long at, const char *who,
	  const char *kind, const char *what, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	char *order = NULL;
	int64_t eid;
	int rc;

	if (db_prepare(db, "INSERT INTO dispute_events(dispute_id, at, who, kind, what) "
			   "VALUES(?, ?, ?, ?, ?)", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, at);
	db_bind_text(st, 3, who, -1, DB_STATIC);
	db_bind_text(st, 4, kind, -1, DB_STATIC);
	db_bind_text(st, 5, what, -1, DB_STATIC);
	rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot record the dispute event");
	/* Each event is a leaf of the ledger, in the same transaction. */
	eid = db_last_insert_id(db);
	rc = dispute_order_of(db, id, &order, err) < 0 ||
	     seal_row(db, 1, eid, id, order, at, who, err) < 0 ? -1 : 0;
	free(order);
	return rc;
}

/* After a change: the dispute's new record as a leaf (the caller's transaction). */
static int
seal_record(struct cf_db *db, int64_t id, const char *order, long long at, const char *who,
	    struct cf_err *err)
{
	return seal_row(db, 0, id, id, order, at, who, err);
}

static void
add_time(struct cf_buf *b, const char *label, long long t)
{
	char iso[32];

	if (t == DISPUTE_NO_TIME)
		cf_buf_addf(b, "; %s unset", label);
	else
		cf_buf_addf(b, "; %s %s", label, cftime_format_iso(t, iso, sizeof(iso)));
}

static void
bind_time(struct db_stmt *st, int i, long long t)
{
	if (t == DISPUTE_NO_TIME)
		db_bind_null(st, i);
	else
		db_bind_int64(st, i, t);
}

static void
bind_amount(struct db_stmt *st, int i, long long a)
{
	if (a == DISPUTE_NO_AMOUNT)
		db_bind_null(st, i);
	else
		db_bind_int64(st, i, a);
}

static void
bind_str(struct db_stmt *st, int i, const char *s)
{
	if (s)
		db_bind_text(st, i, s, -1, DB_STATIC);
	else
		db_bind_null(st, i);
}

/* Refuse times that cannot be right: in the future, or out of order. */
static int
check_times(long long req, long long rej, long long arb, long long now,
	    int check_future, struct cf_err *err)
{
	/* A minute of slack for clocks that disagree a little. */
	if (check_future && ((req != DISPUTE_NO_TIME && req > now + 60) ||
			     (rej != DISPUTE_NO_TIME && rej > now + 60) ||
			     (arb != DISPUTE_NO_TIME && arb > now + 60)))
		return cf_err_set(err, CF_EINPUT, "dispute times cannot be in the future");
	if (req != DISPUTE_NO_TIME && rej != DISPUTE_NO_TIME && rej < req)
		return cf_err_set(err, CF_EINPUT, "rejected-at is before requested-at");
	if (rej != DISPUTE_NO_TIME && arb != DISPUTE_NO_TIME && arb < rej)
		return cf_err_set(err, CF_EINPUT, "arbitration-at is before rejected-at");
	if (req != DISPUTE_NO_TIME && arb != DISPUTE_NO_TIME && arb < req)
		return cf_err_set(err, CF_EINPUT, "arbitration-at is before requested-at");
	return 0;
}

static int
check_deadline(long long deadline, long long now, struct cf_err *err)
{
	char when[40];

	if (deadline != DISPUTE_NO_TIME && deadline <= now)
		return cf_err_set(err, CF_EINPUT, "deadline %s is in the past",
				  cftime_format(deadline, CFTIME_CST_OFFSET, when, sizeof(when)));
	return 0;
}

/* The status implied by the times when none is given. */
static const char *
implied_status(long long rej, long long arb)
{
	if (arb != DISPUTE_NO_TIME)
		return "arbitration";
	if (rej != DISPUTE_NO_TIME)
		return "rejected";
	return "requested";
}

int
dispute_open(struct cf_db *db, const char *order, const char *reason,
	     const struct dispute_change *c, const struct profile *prof,
	     long long now, const char *who, int64_t *id_out, struct cf_err *err)
{
	struct dispute *old = NULL;
	struct cf_err gerr = CF_ERR_INIT;
	struct cf_buf what = CF_BUF_INIT;
	struct db_stmt *st = NULL;
	const char *src = NULL, *status;
	long long deadline;
	int64_t id;
	int ret = -1;
	char amt[32], when[40];

	if (check_times(c->requested_at, c->rejected_at, c->arbitration_at, now, 1, err) < 0 ||
	    check_deadline(c->deadline, now, err) < 0)
		return -1;
	if (db_begin(db, err) < 0)
		return -1;
	if (dispute_get(db, order, 1, &old, &gerr) == 0) {
		cf_err_set(err, CF_EINPUT, "order '%s' already has an open dispute "
			   "(#%lld, opened %s): update or close it first", order,
			   (long long)old->id,
			   cftime_format(old->opened_at, CFTIME_CST_OFFSET, when, sizeof(when)));
		goto out;
	}
	if (gerr.code != CF_ENOTFOUND) {
		cf_err_move(err, &gerr);
		goto out;
	}
	cf_err_release(&gerr);
	status = c->status ? c->status
			   : implied_status(c->rejected_at, c->arbitration_at);
	deadline = dispute_deadline(c->requested_at, c->rejected_at, c->arbitration_at,
				    c->deadline, prof, &src);
	if (db_prepare(db, "INSERT INTO disputes(order_id, reason, claim, amount_fen, "
			   "status, profile, requested_at, rejected_at, arbitration_at, "
			   "deadline, deadline_source, opened_at) "
			   "VALUES(?,?,?,?,?,?,?,?,?,?,?,?)", &st, err) < 0)
		goto out;
	db_bind_text(st, 1, order, -1, DB_STATIC);
	db_bind_text(st, 2, reason, -1, DB_STATIC);
	bind_str(st, 3, c->claim);
	bind_amount(st, 4, c->amount_fen);
	db_bind_text(st, 5, status, -1, DB_STATIC);
	db_bind_text(st, 6, c->profile ? c->profile : prof->name, -1, DB_STATIC);
	bind_time(st, 7, c->requested_at);
	bind_time(st, 8, c->rejected_at);
	bind_time(st, 9, c->arbitration_at);
	bind_time(st, 10, deadline);
	bind_str(st, 11, src);
	db_bind_int64(st, 12, now);
	if (db_step(st) != DB_DONE) {
		db_err(db, err, "cannot record the dispute");
		goto out;
	}
	id = db_last_insert_id(db);
	cf_buf_addf(&what, "opened: reason %s; status %s; profile %s", reason, status,
		    c->profile ? c->profile : prof->name);
	if (c->amount_fen != DISPUTE_NO_AMOUNT)
		cf_buf_addf(&what, "; amount %s",
			    money_format_fen(c->amount_fen, amt, sizeof(amt)));
	if (c->requested_at != DISPUTE_NO_TIME)
		add_time(&what, "requested_at", c->requested_at);
	if (c->rejected_at != DISPUTE_NO_TIME)
		add_time(&what, "rejected_at", c->rejected_at);
	if (c->arbitration_at != DISPUTE_NO_TIME)
		add_time(&what, "arbitration_at", c->arbitration_at);
	if (deadline != DISPUTE_NO_TIME) {
		add_time(&what, "deadline", deadline);
		cf_buf_addf(&what, " (%s)", src);
	}
	if (c->claim)
		cf_buf_addf(&what, "; claim: %s", c->claim);
	if (add_event(db, id, now, who, "open", what.data, err) < 0)
		goto out;
	if (c->note && add_event(db, id, now, who, "note", c->note, err) < 0)
		goto out;
	if (seal_record(db, id, order, now, who, err) < 0 || db_commit(db, err) < 0)
		goto out;
	if (id_out)
		*id_out = id;
	ret = 0;
out:
	if (ret < 0)
		db_rollback(db);
	db_finalize(st);
	dispute_free(old);
	cf_buf_release(&what);
	return ret;
}

static int
str_changed(const char *old, const char *new)
{
	if (new == NULL)
		return 0;
	return old == NULL || strcmp(old, new) != 0;
}

int
dispute_update(struct cf_db *db, const char *order, const struct dispute_change *c,
	       const struct profile *prof, long long now, const char *who,
	       struct cf_err *err)
{
	struct dispute *d = NULL;
	struct cf_buf what = CF_BUF_INIT;
	struct db_stmt *st = NULL;
	const char *status, *src = NULL;
	long long req, rej, arb, expl, deadline, amount;
	int ret = -1;
	char a1[32];

	if (db_begin(db, err) < 0)
		return -1;
	if (dispute_get(db, order, 1, &d, err) < 0) {
		if (err && err->code == CF_ENOTFOUND)
			err->code = CF_EINPUT;
		goto out;
	}
	if (seal_before_change(db, d, err) < 0)
		goto out;
	req = c->requested_at != DISPUTE_NO_TIME ? c->requested_at : d->requested_at;
	rej = c->rejected_at != DISPUTE_NO_TIME ? c->rejected_at : d->rejected_at;
	arb = c->arbitration_at != DISPUTE_NO_TIME ? c->arbitration_at : d->arbitration_at;
	expl = d->deadline_source && !strcmp(d->deadline_source, "explicit")
		       ? d->deadline : DISPUTE_NO_TIME;
	if (c->clear_deadline)
		expl = DISPUTE_NO_TIME;
	if (c->deadline != DISPUTE_NO_TIME) {
		if (check_deadline(c->deadline, now, err) < 0)
			goto out;
		expl = c->deadline;
	}
	/* New times must not be in the future; all must be in order. */
	if (check_times(c->requested_at, c->rejected_at, c->arbitration_at, now, 1, err) < 0 ||
	    check_times(req, rej, arb, now, 0, err) < 0)
		goto out;
	status = d->status;
	if (c->status)
		status = c->status;
	else if (c->arbitration_at != DISPUTE_NO_TIME)
		status = "arbitration";
	else if (c->rejected_at != DISPUTE_NO_TIME && !strcmp(d->status, "requested"))
		status = "rejected";
	amount = c->amount_fen != DISPUTE_NO_AMOUNT ? c->amount_fen : d->amount_fen;
	if (c->profile && !prof) {
		cf_err_set(err, CF_EINPUT, "profile '%s' given without its settings", c->profile);
		goto out;
	}
	deadline = dispute_deadline(req, rej, arb, expl, prof, &src);

	if (strcmp(status, d->status))
		cf_buf_addf(&what, "; status %s -> %s", d->status, status);
	if (str_changed(d->claim, c->claim))
		cf_buf_addf(&what, "; claim: %s", c->claim);
	if (amount != d->amount_fen)
		cf_buf_addf(&what, "; amount %s",
			    money_format_fen(amount, a1, sizeof(a1)));
	if (req != d->requested_at)
		add_time(&what, "requested_at", req);
	if (rej != d->rejected_at)
		add_time(&what, "rejected_at", rej);
	if (arb != d->arbitration_at)
		add_time(&what, "arbitration_at", arb);
	if (str_changed(d->profile, c->profile))
		cf_buf_addf(&what, "; profile %s -> %s", d->profile, c->profile);
	if (deadline != d->deadline) {
		add_time(&what, "deadline", deadline);
		if (src)
			cf_buf_addf(&what, " (%s)", src);
	}
	if (what.len == 0 && c->note == NULL) {
		cf_err_set(err, CF_EINPUT, "nothing to change for the dispute of order '%s'", order);
		goto out;
	}
	if (what.len) {
		if (db_prepare(db, "UPDATE disputes SET status = ?, claim = ?, amount_fen = ?, "
				   "requested_at = ?, rejected_at = ?, arbitration_at = ?, "
				   "deadline = ?, deadline_source = ?, profile = ? WHERE id = ?",
			       &st, err) < 0)
			goto out;
		db_bind_text(st, 1, status, -1, DB_STATIC);
		bind_str(st, 2, c->claim ? c->claim : d->claim);
		bind_amount(st, 3, amount);
		bind_time(st, 4, req);
		bind_time(st, 5, rej);
		bind_time(st, 6, arb);
		bind_time(st, 7, deadline);
		bind_str(st, 8, src);
		bind_str(st, 9, c->profile ? c->profile : d->profile);
		db_bind_int64(st, 10, d->id);
		if (db_step(st) != DB_DONE) {
			db_err(db, err, "cannot update the dispute");
			goto out;
		}
		if (add_event(db, d->id, now, who, "update", what.data + 2, err) < 0)
			goto out;
	}
	if (c->note && add_event(db, d->id, now, who, "note", c->note, err) < 0)
		goto out;
	if (seal_record(db, d->id, order, now, who, err) < 0 || db_commit(db, err) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		db_rollback(db);
	db_finalize(st);
	dispute_free(d);
	cf_buf_release(&what);
	return ret;
}

int
dispute_close(struct cf_db *db, const char *order, const char *outcome,
	      long long refunded_fen, const char *resolution, const char *note,
	      long long now, const char *who, struct cf_err *err)
{
	struct dispute *d = NULL;
	struct cf_buf what = CF_BUF_INIT;
	struct db_stmt *st = NULL;
	int ret = -1;
	char a1[32], a2[32];

	if (db_begin(db, err) < 0)
		return -1;
	if (dispute_get(db, order, 1, &d, err) < 0) {
		if (err && err->code == CF_ENOTFOUND) {
			struct dispute *last = NULL;

			cf_err_release(err);
			if (dispute_get(db, order, 0, &last, NULL) == 0)
				cf_err_set(err, CF_EINPUT, "order '%s' has no open dispute "
					   "(#%lld is closed: %s)", order,
					   (long long)last->id, last->outcome ? last->outcome : "?");
			else
				cf_err_set(err, CF_EINPUT, "order '%s' has no open dispute", order);
			dispute_free(last);
		}
		goto out;
	}
	if (seal_before_change(db, d, err) < 0)
		goto out;
	if (refunded_fen != DISPUTE_NO_AMOUNT && d->amount_fen != DISPUTE_NO_AMOUNT &&
	    refunded_fen > d->amount_fen) {
		cf_err_set(err, CF_EINPUT, "refund %s is more than the disputed amount %s",
			   money_format_fen(refunded_fen, a1, sizeof(a1)),
			   money_format_fen(d->amount_fen, a2, sizeof(a2)));
		goto out;
	}
	if (db_prepare(db, "UPDATE disputes SET status = 'closed', outcome = ?, "
			   "refunded_fen = ?, resolution = ?, closed_at = ? WHERE id = ?",
		       &st, err) < 0)
		goto out;
	db_bind_text(st, 1, outcome, -1, DB_STATIC);
	bind_amount(st, 2, refunded_fen);
	bind_str(st, 3, resolution);
	db_bind_int64(st, 4, now);
	db_bind_int64(st, 5, d->id);
	if (db_step(st) != DB_DONE) {
		db_err(db, err, "cannot close the dispute");
		goto out;
	}
	cf_buf_addf(&what, "closed: outcome %s", outcome);
	if (refunded_fen != DISPUTE_NO_AMOUNT)
		cf_buf_addf(&what, "; refunded %s",
			    money_format_fen(refunded_fen, a1, sizeof(a1)));
	if (resolution)
		cf_buf_addf(&what, "; resolution %s", resolution);
	if (add_event(db, d->id, now, who, "close", what.data, err) < 0)
		goto out;
	if (note && add_event(db, d->id, now, who, "note", note, err) < 0)
		goto out;
	if (seal_record(db, d->id, order, now, who, err) < 0 || db_commit(db, err) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		db_rollback(db);
	db_finalize(st);
	dispute_free(d);
	cf_buf_release(&what);
	return ret;
}

/* A value of key in Chinese: codes by their names, ISO times in zone tz. */
static void
event_value_zh(struct cf_buf *b, const char *key, const char *v, size_t n, long tz)
{
	char *val = xstrndup(v, n), *arrow = strstr(val, " -> ");
	long long t;
	struct cf_err err = CF_ERR_INIT;

	if (arrow) {
		*arrow = '\0';
		event_value_zh(b, key, val, strlen(val), tz);
		cf_buf_addstr(b, " → ");
		event_value_zh(b, key, arrow + 4, strlen(arrow + 4), tz);
	} else if (!strcmp(key, "reason")) {
		cf_buf_addstr(b, dispute_reason_zh(val));
	} else if (!strcmp(key, "status")) {
		cf_buf_addstr(b, dispute_status_zh(val));
	} else if (!strcmp(key, "outcome")) {
		cf_buf_addstr(b, dispute_outcome_zh(val));
	} else if (!strcmp(key, "resolution")) {
		cf_buf_addstr(b, dispute_resolution_zh(val));
	} else if (!strcmp(key, "profile")) {
		cf_buf_addstr(b, !strcmp(val, "douyin") ? "抖音电商" : !strcmp(val, "wechat") ? "微信小店"
			      : val);
	} else if (!strcmp(val, "unset")) {
		cf_buf_addstr(b, "清除");
	} else if (strchr(val, 'T') &&
		   cftime_parse(val, strchr(val, ' ') ? (size_t)(strchr(val, ' ') - val)
						       : strlen(val), &t, &err) == 0) {
		char buf[48];
		char *sp = strchr(val, ' ');

		cftime_format(t, tz, buf, sizeof(buf));
		buf[16] = '\0';	/* "2025-05-04 10:00" */
		cf_buf_addstr(b, buf);
		if (sp) {
			/* "(escalation)" and the like after the time */
			const char *src = sp + 1;

			cf_buf_addstr(b, !strcmp(src, "(escalation)") ? "（买家申请介入期限）"
				      : !strcmp(src, "(evidence)") ? "（商家举证期限）"
				      : !strcmp(src, "(explicit)") ? "（约定期限）" : src);
		}
	} else {
		cf_buf_addstr(b, val);
	}
	cf_err_release(&err);
	free(val);
}

char *
dispute_event_zh(const char *what, long tz)
{
	static const char *const keys[][2] = {
		{ "reason", "原因" }, { "status", "状态" }, { "profile", "平台" },
		{ "amount", "金额" }, { "requested_at", "申请时间" }, { "rejected_at", "拒绝时间" },
		{ "arbitration_at", "平台介入时间" }, { "deadline", "截止时间" },
		{ "outcome", "结果" }, { "refunded", "退款" }, { "resolution", "处理方式" },
	};
	struct cf_buf b = CF_BUF_INIT;
	const char *p = what;
	int first = 1;

	while (*p == ';' || *p == ' ')
		p++;
	if (!strncmp(p, "opened: ", 8)) {
		cf_buf_addstr(&b, "开启争议：");
		p += 8;
	} else if (!strncmp(p, "closed: ", 8)) {
		cf_buf_addstr(&b, "结案：");
		p += 8;
	}
	while (*p) {
		const char *end = strstr(p, "; "), *sp;
		size_t n = end ? (size_t)(end - p) : strlen(p), i, kl;

		if (!first)
			cf_buf_addstr(&b, "；");
		first = 0;
		if (!strncmp(p, "claim: ", 7)) {
			cf_buf_addstr(&b, "诉求：");
			cf_buf_add(&b, p + 7, n - 7);
		} else {
			sp = memchr(p, ' ', n);
			kl = sp ? (size_t)(sp - p) : n;
			for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
				if (strlen(keys[i][0]) == kl && !strncmp(p, keys[i][0], kl))
					break;
			if (i < sizeof(keys) / sizeof(keys[0]) && sp) {
				char *key = xstrndup(p, kl);

				cf_buf_addstr(&b, keys[i][1]);
				cf_buf_addch(&b, ' ');
				event_value_zh(&b, key, sp + 1, n - kl - 1, tz);
				free(key);
			} else {
				cf_buf_add(&b, p, n);	/* a note, or text we do not know */
			}
		}
		p = end ? end + 2 : p + n;
	}
	cf_buf_addstr(&b, "");
	return cf_buf_detach(&b, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * argument — the decisive exhibits and the buyer's words (argument.h).
 *
 * Everything is read from the parsed rows and the roles table; nothing is
 * stored.  The decisive order is fixed per scenario so that the statement,
 * the index and `check` agree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/argument.h"
#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/db.h"
#include "casefile/db_stmt.h"
#include "casefile/roles.h"
#include "casefile/xalloc.h"

int
argument_stance_parse(const char *s, enum argument_stance *out)
{
	if (!strcmp(s, "refuse") || !strcmp(s, "拒绝"))
		*out = ARGUMENT_REFUSE;
	else if (!strcmp(s, "partial") || !strcmp(s, "部分"))
		*out = ARGUMENT_PARTIAL;
	else if (!strcmp(s, "accept") || !strcmp(s, "同意"))
		*out = ARGUMENT_ACCEPT;
	else
		return -1;
	return 0;
}

const char *
argument_stance_name(enum argument_stance s)
{
	return s == ARGUMENT_PARTIAL ? "partial" : s == ARGUMENT_ACCEPT ? "accept" : "refuse";
}

const char *
argument_part_zh(enum argument_part part, const char *kind)
{
	int video = kind && !strcmp(kind, "video");

	switch (part) {
	case ARG_PICKUP:
		return "物流签收/取件记录";
	case ARG_PICKUP_PHOTO:
		return "签收/取件照片";
	case ARG_PACKING:
		return video ? "发货前打包视频" : "发货前打包照片";
	case ARG_HANDOVER:
		return "快递揽收记录";
	case ARG_BUYER_PHOTO:
		return video ? "买家提供的视频" : "买家提供的照片";
	case ARG_ORDER:
		return "订单记录";
	case ARG_LOGISTICS:
		return "物流记录";
	case ARG_CHAT:
		return "聊天记录";
	default:
		break;
	}
	if (kind && !strcmp(kind, "photo"))
		return "照片";
	if (video)
		return "视频";
	if (kind && !strcmp(kind, "receipt"))
		return "票据";
	return "其他材料";
}

/* ------------------------------------------------------------ text helpers */

static int
starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

int
argument_is_placeholder(const char *s)
{
	static const char *const marks[] = {
		"[图片]", "[视频]", "[语音]", "[文件]", "[表情]", "[商品卡片]", "[订单卡片]",
		"[链接]", "[消息类型", "[image]", "[video]", "[file]", "[sticker]", "[系统",
		"【图片】", "【视频】", "【系统",
	};
	const char *e;
	size_t i, n;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	if (*s == '\0')
		return 1;
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (starts(s, marks[i]))
			return 1;
	if (strstr(s, "[消息类型") != NULL)
		return 1;
	/* a bare file name: no spaces, ends in a picture/video extension */
	n = strlen(s);
	e = strrchr(s, '.');
	if (e && !strchr(s, ' ') && n < 120) {
		static const char *const ext[] = { ".jpg", ".jpeg", ".png", ".webp", ".heic",
						   ".gif", ".mp4", ".mov", ".pdf" };

		for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
			if (strcasecmp(e, ext[i]) == 0)
				return 1;
	}
	return 0;
}

/* Bytes of the UTF-8 character at s (1 for a stray byte). */
static size_t
u8len(const char *s)
{
	unsigned char c = (unsigned char)*s;

	return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

char *
argument_shorten(char *s, size_t max)
{
	static const char *const sent[] = { "。", "！", "？", "!", "?", "…" };
	static const char *const clause[] = { "，", "；", ",", ";", "、" };
	size_t i = 0, chars = 0, best_sent = 0, best_clause = 0, cut = 0, k;

	/* a line break inside a message reads as a clause break */
	for (i = 0; s[i]; i++)
		if (s[i] == '\n' || s[i] == '\r' || s[i] == '\t')
			s[i] = ' ';
	for (i = 0; s[i]; i += u8len(s + i)) {
		if (chars == max)
			break;
		chars++;
		if (chars < max) {
			for (k = 0; k < sizeof(sent) / sizeof(sent[0]); k++)
				if (starts(s + i, sent[k]))
					best_sent = i + strlen(sent[k]);
			for (k = 0; k < sizeof(clause) / sizeof(clause[0]); k++)
				if (starts(s + i, clause[k]))
					best_clause = i;
		}
		if (chars == max - 1)
			cut = i + u8len(s + i);
	}
	if (s[i] == '\0' && chars <= max)
		return s;	/* fits */
	/* room for "…" (one character) after the kept text */
	if (best_sent > 0 && best_sent <= cut) {
		s[best_sent] = '\0';
		return s;
	}
	if (best_clause > 0 && best_clause <= cut)
		cut = best_clause;
	memcpy(s + cut, "…", 4);
	return s;
}

char *
argument_date(long long utc, long tz, char *buf, size_t n)
{
	char full[48];
	int y, mo, d, h, mi;

	cftime_format(utc, tz, full, sizeof(full));
	/* "2025-05-02 12:47:00 +08:00" */
	if (sscanf(full, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi) != 5) {
		snprintf(buf, n, "%s", full);
		return buf;
	}
	snprintf(buf, n, "%d月%d日 %02d:%02d", mo, d, h, mi);
	return buf;
}

/* ---------------------------------------------------------- the argument */

static const char *
col(struct db_stmt *st, int i)
{
	const unsigned char *s = db_col_text(st, i);

	return s ? (const char *)s : NULL;
}

/* Scenario words that make a buyer's message the one to quote. */
static const char *const *
scenario_words(const char *scenario)
{
	static const char *const nr[] = { "没收到", "未收到", "没有收到", "收不到", "没拿到",
					  "快递柜", "驿站", "取件", "签收", "丢", "物流", NULL };
	static const char *const dm[] = { "破", "碎", "坏", "裂", "损", "压", "漏", "烂",
					  "变形", NULL };
	static const char *const q[] = { "质量", "坏", "问题", "不能用", "没法用", "瑕疵",
					 NULL };
	static const char *const nd[] = { "不符", "不一样", "色差", "描述", "假", "尺寸",
					  NULL };
	static const char *const wm[] = { "错", "漏", "少", "不是我", "缺", NULL };
	static const char *const ls[] = { "慢", "迟", "没发货", "发货", "态度", NULL };
	static const char *const pp[] = { "价", "钱", "优惠", "便宜", "差价", NULL };
	static const char *const none[] = { "退款", "退货", NULL };

	if (!strcmp(scenario, "not_received"))
		return nr;
	if (!strcmp(scenario, "damaged_in_transit"))
		return dm;
	if (!strcmp(scenario, "quality") || !strcmp(scenario, "suspected_abuse"))
		return q;
	if (!strcmp(scenario, "not_as_described"))
		return nd;
	if (!strcmp(scenario, "wrong_or_missing_item"))
		return wm;
	if (!strcmp(scenario, "late_or_service"))
		return ls;
	if (!strcmp(scenario, "price_or_payment"))
		return pp;
	return none;
}

static int
score(const char *text, const char *const *words)
{
	int n = 0;

	for (; *words; words++)
		if (strstr(text, *words))
			n++;
	return n;
}

/*
 * Keep the sentence of s that holds the first scenario word (a message of
 * several sentences quotes the one that matters), in place.
 */
static void
focus_sentence(char *s, const char *const *words)
{
	static const char *const ends[] = { "。", "！", "？", "!", "?" };
	char *hit = NULL, *start = s, *p, *end = NULL;
	size_t i;

	for (; *words; words++) {
		char *h = strstr(s, *words);

		if (h && (hit == NULL || h < hit))
			hit = h;
	}
	if (hit == NULL)
		return;
	for (p = s; *p; p += u8len(p)) {
		for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
			if (!strncmp(p, ends[i], strlen(ends[i]))) {
				if (p < hit)
					start = p + strlen(ends[i]);
				else if (end == NULL)
					end = p + strlen(ends[i]);
			}
		if (end)
			break;
	}
	if (end)
		*end = '\0';
	while (*start == ' ')
		start++;
	if (start != s)
		memmove(s, start, strlen(start) + 1);
}

/* The buyer's most relevant typed words (argument.h). */
static int
pick_quote(struct cf_db *db, const char *order_id, const char *scenario,
	   struct argument *a, struct cf_err *err)
{
	const char *const *words = scenario_words(scenario);
	struct db_stmt *st = NULL;
	int rc, best = -1;

	if (db_prepare(db, "SELECT m.text, m.time FROM messages m JOIN evidence e "
		       "ON e.id = m.evidence_id WHERE e.order_id = ? AND m.sender = 'buyer' "
		       "AND m.text <> '' ORDER BY m.time IS NULL, m.time, e.id, m.seq",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, order_id, -1, DB_STATIC);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *t = col(st, 0);
		int s;

		if (t == NULL || argument_is_placeholder(t))
			continue;
		s = score(t, words);
		if (s > best) {
			best = s;
			free(a->quote);
			a->quote = xstrdup(t);
			a->quote_at = db_col_type(st, 1) == DB_NULL ? -1
				      : db_col_int64(st, 1);
		}
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot read the messages of order '%s'", order_id);
	if (a->quote) {
		focus_sentence(a->quote, words);
		argument_shorten(a->quote, ARGUMENT_QUOTE_CHARS);
	}
	return 0;
}

/* Names of files the buyer attached in chat, one string "\n"-separated. */
static char *
buyer_attachments(struct cf_db *db, const char *order_id)
{
	struct cf_buf b = CF_BUF_INIT;
	struct cf_err err = CF_ERR_INIT;
	struct db_stmt *st = NULL;

	cf_buf_addch(&b, '\n');
	if (db_prepare(db, "SELECT m.attachments, m.text FROM messages m JOIN evidence e "
		       "ON e.id = m.evidence_id WHERE e.order_id = ? AND m.sender = 'buyer'",
		       &st, &err) == 0) {
		db_bind_text(st, 1, order_id, -1, DB_STATIC);
		while (db_step(st) == DB_ROW) {
			const char *s;

			if ((s = col(st, 0)) != NULL)
				cf_buf_addf(&b, "%s\n", s);
			if ((s = col(st, 1)) != NULL && argument_is_placeholder(s))
				cf_buf_addf(&b, "%s\n", s);
		}
	}
	cf_err_release(&err);
	db_finalize(st);
	return cf_buf_detach(&b, NULL);
}

/* The base name of an evidence name ("photos/a.jpg" → "a.jpg"). */
static const char *
base_name(const char *name)
{
	const char *s = strrchr(name, '/');

	return s ? s + 1 : name;
}

/*
 * The logistics facts of one exhibit: its decisive delivery/pickup event
 * (the last "locker" or "delivered" one, or one whose description says
 * 取件/快递柜/驿站/签收) and its collection event.
 */
static int
logistics_facts(struct cf_db *db, int64_t id, long long *pick_at, char **pick_what,
		long long *coll_at, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int rc;

	*pick_at = *coll_at = -1;
	*pick_what = NULL;
	if (db_prepare(db, "SELECT time, status, description FROM logistics_events "
		       "WHERE evidence_id = ? ORDER BY time IS NULL, time, seq", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *status = col(st, 1), *desc = col(st, 2);
		long long t = db_col_type(st, 0) == DB_NULL ? -1
			      : db_col_int64(st, 0);
		int pick = status && (!strcmp(status, "delivered") || !strcmp(status, "locker"));

		if (!pick && desc && (strstr(desc, "取件") || strstr(desc, "快递柜") ||
				      strstr(desc, "驿站") || strstr(desc, "已签收")))
			pick = 1;
		if (pick) {
			*pick_at = t;
			free(*pick_what);
			*pick_what = desc ? xstrdup(desc) : NULL;
			if (*pick_what)
				argument_shorten(*pick_what, 30);
		}
		if (*coll_at < 0 && status && !strcmp(status, "collected"))
			*coll_at = t;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot read the logistics events of evidence %lld",
			      (long long)id);
	return 0;
}

static int
has_column(struct cf_db *db, const char *table, const char *column)
{
	char *sql = xasprintf("SELECT %s FROM %s LIMIT 0", column, table);
	struct db_stmt *st = NULL;
	int ok = db_prepare_quiet(db, sql, &st) == DB_OK;

	db_finalize(st);
	free(sql);
	return ok;
}

/* The rank of a part in the scenario's argument: lower is cited first. */
static int
rank(const char *scenario, enum argument_part p)
{
	static const enum argument_part nr[] = { ARG_PICKUP, ARG_PICKUP_PHOTO, ARG_ORDER,
						 ARG_CHAT, ARG_LOGISTICS, ARG_HANDOVER };
	static const enum argument_part dm[] = { ARG_PACKING, ARG_HANDOVER, ARG_PICKUP,
						 ARG_ORDER, ARG_CHAT, ARG_LOGISTICS };
	static const enum argument_part other[] = { ARG_ORDER, ARG_PICKUP, ARG_HANDOVER,
						    ARG_LOGISTICS, ARG_PACKING, ARG_CHAT };
	const enum argument_part *v = !strcmp(scenario, "not_received") ? nr
				      : !strcmp(scenario, "damaged_in_transit") ? dm : other;
	size_t i;

	for (i = 0; i < 6; i++)
		if (v[i] == p)
			return (int)i;
	return 6;
}

static int
decisive(const char *scenario, enum argument_part p)
{
	if (!strcmp(scenario, "not_received"))
		return p == ARG_PICKUP || p == ARG_PICKUP_PHOTO;
	if (!strcmp(scenario, "damaged_in_transit"))
		return p == ARG_PACKING || p == ARG_HANDOVER;
	return p == ARG_ORDER || p == ARG_PICKUP || p == ARG_PACKING;
}

static int
cmp_exhibit(const void *x, const void *y, void *arg)
{
	const struct argument_exhibit *a = x, *b = y;
	const char *scenario = arg;
	int ra = a->decisive ? rank(scenario, a->part) : 100;
	int rb = b->decisive ? rank(scenario, b->part) : 100;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	return a->no < b->no ? -1 : a->no > b->no;
}

int
argument_load(struct cf_db *db, const char *order_id, const char *scenario,
	      const struct argument_input *in, size_t nin, struct argument *a,
	      struct cf_err *err)
{
	char *attached = NULL;
	int with_roles = has_column(db, "evidence", "supplied_by");
	long long first_event = -1;
	size_t i;
	int ret = -1;

	memset(a, 0, sizeof(*a));
	a->quote_at = a->pickup_at = a->handover_at = -1;
	if (pick_quote(db, order_id, scenario, a, err) < 0)
		goto out;
	attached = buyer_attachments(db, order_id);
	a->v = xcalloc(nin ? nin : 1, sizeof(*a->v));
	a->n = nin;
	/* logistics first: packing is judged against the first event */
	for (i = 0; i < nin; i++) {
		const struct argument_input *x = &in[i];
		struct argument_exhibit *e = &a->v[i];

		e->no = x->no;
		e->evidence_id = x->evidence_id;
		e->at = -1;
		if (strcmp(x->kind, "logistics") == 0) {
			long long pick_at, coll_at;
			char *what;

			if (logistics_facts(db, x->evidence_id, &pick_at, &what, &coll_at, err) < 0)
				goto out;
			if (coll_at >= 0 && (first_event < 0 || coll_at < first_event))
				first_event = coll_at;
			if (x->superseded_by) {
				e->part = ARG_LOGISTICS;
				free(what);
			} else if (coll_at >= 0 && !strcmp(scenario, "damaged_in_transit")) {
				/* for damage, what counts is the courier's collection */
				free(what);
				e->part = ARG_HANDOVER;
				e->at = coll_at;
				if (pick_at >= 0 && (a->pickup_at < 0 || pick_at > a->pickup_at))
					a->pickup_at = pick_at;
			} else if (pick_at >= 0 || what) {
				e->part = ARG_PICKUP;
				e->at = pick_at;
				e->fact = what;
				if (a->pickup_at < 0 || pick_at > a->pickup_at) {
					a->pickup_at = pick_at;
					free(a->pickup_what);
					a->pickup_what = what ? xstrdup(what) : NULL;
				}
			} else {
				free(what);
				e->part = coll_at >= 0 ? ARG_HANDOVER : ARG_LOGISTICS;
			}
			if (coll_at >= 0 && (a->handover_at < 0 || coll_at < a->handover_at))
				a->handover_at = coll_at;
		}
	}
	if (first_event < 0)
		first_event = a->handover_at;
	for (i = 0; i < nin; i++) {
		const struct argument_input *x = &in[i];
		struct argument_exhibit *e = &a->v[i];
		unsigned roles = 0;
		enum cf_supplier sup = CF_SUPPLIER_UNKNOWN;
		char *needle;

		if (with_roles && (roles_of(db, x->evidence_id, ROLES_EXPLICIT, &roles, err) < 0 ||
				   roles_supplied_by(db, x->evidence_id, &sup, err) < 0))
			goto out;
		needle = xasprintf("%s", base_name(x->name));
		e->buyers = sup == CF_SUPPLIER_BUYER || (roles & CF_ROLE_BIT(CF_ROLE_DAMAGE_PHOTO)) ||
			    ((!strcmp(x->kind, "photo") || !strcmp(x->kind, "video")) &&
			     strstr(attached, needle) != NULL);
		free(needle);
		if (strcmp(x->kind, "logistics") == 0)
			; /* done above */
		else if (!strcmp(x->kind, "order"))
			e->part = ARG_ORDER;
		else if (!strcmp(x->kind, "chat"))
			e->part = ARG_CHAT;
		else if (!strcmp(x->kind, "photo") || !strcmp(x->kind, "video")) {
			e->at = x->captured_at;
			if (e->buyers)
				e->part = ARG_BUYER_PHOTO;
			else if (roles & CF_ROLE_BIT(CF_ROLE_PACKING))
				e->part = ARG_PACKING;
			else if (roles & (CF_ROLE_BIT(CF_ROLE_PICKUP) | CF_ROLE_BIT(CF_ROLE_DELIVERY_PHOTO)))
				e->part = ARG_PICKUP_PHOTO;
			else if (sup == CF_SUPPLIER_MERCHANT || roles == 0)
				/* packing only when taken before the parcel left */
				e->part = x->captured_at >= 0 && first_event >= 0 &&
					  x->captured_at <= first_event ? ARG_PACKING
					  /* a video without a capture time nobody says is the buyer's */
					  : x->captured_at < 0 && !strcmp(x->kind, "video") ? ARG_PACKING
					  : ARG_OTHER;
			else
				e->part = ARG_OTHER;
		} else {
			e->part = ARG_OTHER;
		}
		e->decisive = decisive(scenario, e->part);
	}
	qsort_r(a->v, a->n, sizeof(*a->v), cmp_exhibit, (void *)scenario);
	ret = 0;
out:
	free(attached);
	if (ret < 0)
		argument_release(a);
	return ret;
}

void
argument_release(struct argument *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->n; i++)
		free(a->v[i].fact);
	free(a->v);
	free(a->quote);
	free(a->pickup_what);
	memset(a, 0, sizeof(*a));
}

const struct argument_exhibit *
argument_exhibit(const struct argument *a, int no)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (a->v[i].no == no)
			return &a->v[i];
	return NULL;
}

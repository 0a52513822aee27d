/* SPDX-License-Identifier: MIT */
/*
 * parse_int — the helpers the format readers share (contract in
 * parse_int.h): JSON and text fields, times, sender and status words, CSV
 * columns and unmapped fields kept as "extra".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/csv.h"
#include "casefile/parse_int.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"

char *
parse_quote(const char *s, size_t n, size_t max)
{
	size_t cut = n, i;
	struct cf_buf b = CF_BUF_INIT;

	if (n > max) {
		cut = max;
		/* back up to a UTF-8 lead byte */
		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
	}
	for (i = 0; i < cut; i++) {
		unsigned char c = (unsigned char)s[i];

		/* keep the warning on one line and printable */
		if (c < 0x20 || c == 0x7F)
			cf_buf_addch(&b, ' ');
		else
			cf_buf_addch(&b, (char)c);
	}
	if (cut < n)
		cf_buf_addstr(&b, "\xE2\x80\xA6");
	return cf_buf_detach(&b, NULL);
}

char *
parse_jstr(struct parsed *p, const char *what, const char *key, const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v), i, nul = 0;
	struct cf_buf b = CF_BUF_INIT;

	if (s == NULL)
		return NULL;
	if (memchr(s, '\0', n) == NULL)
		return xstrndup(s, n);
	for (i = 0; i < n; i++) {
		if (s[i] == '\0') {
			cf_buf_addstr(&b, "\xEF\xBF\xBD");
			nul++;
		} else {
			cf_buf_addch(&b, s[i]);
		}
	}
	/* the same rule as a raw NUL byte in the text (parse_evidence) */
	if (p)
		parse_warn(p, 1, "%s: '%s': %zu NUL character%s (\\u0000) replaced with "
			   "U+FFFD", what, key, nul, nul == 1 ? "" : "s");
	return cf_buf_detach(&b, NULL);
}

const char *
parse_trim(const char *s, size_t *n)
{
	size_t len = *n;

	for (;;) {
		if (len && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
			s++;
			len--;
		} else if (len >= 3 && !memcmp(s, "\xE3\x80\x80", 3)) {
			s += 3;
			len -= 3;
		} else {
			break;
		}
	}
	for (;;) {
		if (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
			    s[len - 1] == '\r' || s[len - 1] == '\n'))
			len--;
		else if (len >= 3 && !memcmp(s + len - 3, "\xE3\x80\x80", 3))
			len -= 3;
		else
			break;
	}
	*n = len;
	return s;
}

void
parse_text_time(struct parsed *p, const char *what, const char *s, size_t n,
		struct pval *out)
{
	struct cf_err e = CF_ERR_INIT;
	long long t;
	int ms = -1, cut = 0;

	s = parse_trim(s, &n);
	if (n == 0)
		return;
	if (cftime_parse_ms(s, n, &t, &ms, &cut, &e) < 0) {
		char *q = parse_quote(s, n, 64);

		/* cftime's message quotes at most 64 bytes: requote safely */
		const char *why = e.msg ? strrchr(e.msg, ':') : NULL;

		parse_warn(p, 1, "%s: bad time '%s'%s", what, q, why ? why : "");
		free(q);
		cf_err_release(&e);
		return;
	}
	out->v = t;
	out->set = 1;
	out->has_ms = ms >= 0;
	out->ms = (short)(ms >= 0 ? ms : 0);
	if (cut) {
		char *q = parse_quote(s, n, 64);

		parse_warn(p, 0, "%s: time '%s': digits past the millisecond not kept",
			   what, q);
		free(q);
	}
}

void
parse_json_time(struct parsed *p, const char *what, const json_t *v, struct pval *out)
{
	if (v == NULL || json_is_null(v))
		return;
	if (json_is_string(v)) {
		parse_text_time(p, what, json_string_value(v), json_string_length(v), out);
	} else if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		/* like cftime_parse(): fewer than 9 digits is not a Unix time */
		if (i < 100000000 && i > -100000000) {
			parse_warn(p, 1, "%s: bad time %" JSON_INTEGER_FORMAT ": not a Unix "
				   "time in seconds or milliseconds", what, i);
			return;
		}
		if (i >= 100000000000LL || i <= -100000000000LL) {
			int ms;

			cftime_split_unix_ms(i, &out->v, &ms);
			out->ms = (short)ms;
			out->has_ms = 1;
		} else {
			out->v = i;
		}
		out->set = 1;
	} else if (json_is_real(v)) {
		parse_warn(p, 1, "%s: bad time %.17g: not a whole number of seconds",
			   what, json_real_value(v));
	} else {
		parse_warn(p, 1, "%s: bad time: expected a string or a number", what);
	}
}

static int
word_eq(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

static int
word_prefix(const char *s, size_t n, const char *w)
{
	size_t l = strlen(w);

	return n >= l && memcmp(s, w, l) == 0;
}

const char *
parse_sender_role(const char *s, size_t n)
{
	static const struct { const char *w; const char *role; } en[] = {
		{ "buyer", "buyer" }, { "customer", "buyer" }, { "user", "buyer" },
		{ "consumer", "buyer" }, { "merchant", "merchant" },
		{ "seller", "merchant" }, { "shop", "merchant" },
		{ "store", "merchant" }, { "service", "merchant" },
		{ "cs", "merchant" }, { "agent", "merchant" },
		{ "platform", "platform" }, { "system", "system" },
	}, cn[] = {
		{ "买家", "buyer" }, { "消费者", "buyer" }, { "用户", "buyer" },
		{ "顾客", "buyer" }, { "客户", "buyer" },
		{ "商家", "merchant" }, { "客服", "merchant" }, { "卖家", "merchant" },
		{ "店铺", "merchant" }, { "掌柜", "merchant" },
		{ "平台", "platform" }, { "小二", "platform" },
		{ "系统", "system" },
	};
	size_t i;

	s = parse_trim(s, &n);
	for (i = 0; i < sizeof(en) / sizeof(en[0]); i++)
		if (word_eq(s, n, en[i].w))
			return en[i].role;
	/* Chinese role words also start a name: "客服-阿青", "平台小二" */
	for (i = 0; i < sizeof(cn) / sizeof(cn[0]); i++)
		if (word_prefix(s, n, cn[i].w))
			return cn[i].role;
	return NULL;
}

const char *
parse_status_word(const char *s, size_t n)
{
	static const struct { const char *w; const char *st; } words[] = {
		{ "collected", "collected" }, { "picked_up", "collected" },
		{ "pickup", "collected" }, { "accepted", "collected" },
		{ "in_transit", "in_transit" }, { "transit", "in_transit" },
		{ "transport", "in_transit" }, { "shipping", "in_transit" },
		{ "out_for_delivery", "out_for_delivery" },
		{ "delivering", "out_for_delivery" },
		{ "delivered", "delivered" }, { "signed", "delivered" },
		{ "exception", "exception" }, { "failed", "exception" },
		{ "returned", "returned" }, { "return", "returned" },
		{ "returning", "returned" }, { "rejected", "returned" },
		{ "揽收", "collected" }, { "已揽收", "collected" },
		{ "揽件", "collected" }, { "已揽件", "collected" },
		{ "收件", "collected" }, { "已收件", "collected" },
		{ "运输中", "in_transit" }, { "在途", "in_transit" },
		{ "在途中", "in_transit" }, { "转运中", "in_transit" },
		{ "已发出", "in_transit" }, { "运送中", "in_transit" },
		{ "派送中", "out_for_delivery" }, { "派件中", "out_for_delivery" },
		{ "正在派送", "out_for_delivery" }, { "待派送", "out_for_delivery" },
		{ "派件", "out_for_delivery" }, { "派送", "out_for_delivery" },
		{ "签收", "delivered" }, { "已签收", "delivered" },
		{ "代签收", "delivered" }, { "已代签收", "delivered" },
		{ "本人签收", "delivered" }, { "已妥投", "delivered" },
		{ "异常", "exception" }, { "疑难", "exception" },
		{ "问题件", "exception" }, { "派送失败", "exception" },
		{ "退回", "returned" }, { "已退回", "returned" },
		{ "退签", "returned" }, { "退件", "returned" },
		{ "拒收", "returned" }, { "已拒收", "returned" },
		{ "locker", "locker" }, { "station", "locker" },
		{ "delivered_locker", "locker" }, { "代收", "locker" },
		{ "已代收", "locker" }, { "驿站代收", "locker" },
		{ "快递柜", "locker" }, { "已入柜", "locker" }, { "待取件", "locker" },
	};
	char norm[40];
	size_t i, k = 0;

	s = parse_trim(s, &n);
	if (n == 0 || n >= sizeof(norm))
		return NULL;
	/* "In Transit", "out-for-delivery" → in_transit, out_for_delivery */
	for (i = 0; i < n; i++)
		norm[k++] = s[i] == ' ' || s[i] == '-' ? '_' : s[i];
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (word_eq(norm, k, words[i].w))
			return words[i].st;
	return NULL;
}

/* ---- JSON and CSV field helpers shared by the readers --------------------- */

json_t *
parse_jget(const json_t *o, const char *const *keys, const char **key)
{
	size_t i;

	if (!json_is_object(o))
		return NULL;
	for (i = 0; keys[i]; i++) {
		json_t *v = json_object_get(o, keys[i]);

		if (v) {
			if (key)
				*key = keys[i];
			return v;
		}
	}
	return NULL;
}

int
parse_jfield_str(struct parsed *p, const char *what, const json_t *o,
		 const char *const *keys, char **out)
{
	const char *key = NULL;
	json_t *v = parse_jget(o, keys, &key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		*out = parse_jstr(p, what, key, v);
		return 1;
	}
	if (json_is_integer(v)) {
		*out = xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
		parse_warn(p, 0, "%s: '%s' given as a number", what, key);
		return 1;
	}
	parse_warn(p, 1, "%s: '%s' is not a string", what, key);
	return -1;
}

char *
parse_jextra(const json_t *o, const char *const *const *known)
{
	json_t *extra = NULL, *v;
	const char *key;
	char *out;
	size_t i, j;

	json_object_foreach((json_t *)o, key, v) {
		int hit = 0;

		for (i = 0; known[i] && !hit; i++)
			for (j = 0; known[i][j] && !hit; j++)
				hit = strcmp(key, known[i][j]) == 0;
		if (hit)
			continue;
		if (extra == NULL)
			extra = json_object();
		json_object_set(extra, key, v);
	}
	if (extra == NULL)
		return NULL;
	out = json_dumps(extra, JSON_COMPACT);
	json_decref(extra);
	return out;
}

void
parse_csv_extra(json_t **extra, const char *head, size_t i, const char *v, size_t n)
{
	char *key;
	json_t *val;
	int k;

	v = parse_trim(v, &n);
	if (n == 0)
		return;
	if (*extra == NULL)
		*extra = json_object();
	key = head && *head ? xstrdup(head) : xasprintf("column %zu", i + 1);
	for (k = 2; json_object_get(*extra, key); k++) {
		free(key);
		key = head && *head ? xasprintf("%s (%d)", head, k)
				    : xasprintf("column %zu (%d)", i + 1, k);
	}
	/* the text was decoded to UTF-8 before: the check cannot fail */
	if ((val = json_stringn(v, n)) == NULL)
		val = json_stringn_nocheck(v, n);
	json_object_set_new(*extra, key, val);
	free(key);
}

char *
parse_extra_text(json_t **extra)
{
	char *s;

	if (*extra == NULL)
		return NULL;
	s = json_dumps(*extra, JSON_COMPACT);
	json_decref(*extra);
	*extra = NULL;
	return s;
}

void
parse_json_order_id(struct parsed *p, const json_t *root)
{
	static const char *const k[] = { "order_id", NULL };
	char *s = NULL;

	if (parse_jfield_str(p, "order", root, k, &s) == 1) {
		size_t n = strlen(s);
		const char *t = parse_trim(s, &n);

		if (n) {
			free(p->order_id);
			p->order_id = xstrndup(t, n);
		}
		free(s);
	}
}

int
parse_csv_starts_record(void *cookie, const char *line, size_t n)
{
	const size_t *timecol = cookie;
	struct csv *c = csv_new(line, n);
	const char *f;
	size_t len;
	long long t;
	int r = 0;

	if (csv_next(c) && (f = csv_field(c, *timecol, &len)) != NULL) {
		f = parse_trim(f, &len);
		r = len > 0 && cftime_parse(f, len, &t, NULL) == 0;
	}
	csv_free(c);
	return r;
}

void
parse_csv_resync(struct csv *c, const enum col *role, size_t n, size_t *timecol)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (role[i] == COL_TIME) {
			*timecol = i;
			csv_set_resync(c, n, parse_csv_starts_record, timecol);
			return;
		}
}

enum col
parse_csv_col(const char *s, size_t n)
{
	static const struct { const char *w; enum col c; } names[] = {
		{ "time", COL_TIME }, { "timestamp", COL_TIME }, { "datetime", COL_TIME },
		{ "date", COL_TIME }, { "时间", COL_TIME }, { "发送时间", COL_TIME },
		{ "日期时间", COL_TIME }, { "日期", COL_TIME },
		{ "from", COL_FROM }, { "sender", COL_FROM }, { "role", COL_FROM },
		{ "发送方", COL_FROM }, { "发送者", COL_FROM }, { "角色", COL_FROM },
		{ "身份", COL_FROM },
		{ "name", COL_NAME }, { "nick", COL_NAME }, { "nickname", COL_NAME },
		{ "昵称", COL_NAME }, { "发送人", COL_NAME }, { "用户名", COL_NAME },
		{ "text", COL_TEXT }, { "content", COL_TEXT }, { "message", COL_TEXT },
		{ "msg", COL_TEXT }, { "内容", COL_TEXT }, { "消息", COL_TEXT },
		{ "消息内容", COL_TEXT }, { "聊天内容", COL_TEXT },
		{ "attachments", COL_ATTACH }, { "attachment", COL_ATTACH },
		{ "附件", COL_ATTACH },
		{ "status", COL_STATUS }, { "状态", COL_STATUS }, { "物流状态", COL_STATUS },
		{ "location", COL_LOCATION }, { "地点", COL_LOCATION },
		{ "位置", COL_LOCATION }, { "所在地", COL_LOCATION }, { "城市", COL_LOCATION },
		{ "desc", COL_DESC }, { "description", COL_DESC }, { "描述", COL_DESC },
		{ "详情", COL_DESC }, { "说明", COL_DESC }, { "物流详情", COL_DESC },
		{ "carrier", COL_CARRIER }, { "快递公司", COL_CARRIER },
		{ "物流公司", COL_CARRIER }, { "承运商", COL_CARRIER },
		{ "tracking_no", COL_TRACKING }, { "tracking", COL_TRACKING },
		{ "运单号", COL_TRACKING }, { "快递单号", COL_TRACKING },
		{ "order_id", COL_ORDER }, { "订单号", COL_ORDER },
	};
	size_t i;

	s = parse_trim(s, &n);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (word_eq(s, n, names[i].w))
			return names[i].c;
	return COL_NONE;
}

const char *
parse_status_from_desc(const char *s, size_t n)
{
	/* Checked in this order: the first family with a word in s wins. */
	static const struct { const char *st; const char *w[12]; } fam[] = {
		{ "returned", { "退回", "退件", "拒收", "退签", "返回寄件", NULL } },
		{ "exception", { "异常", "滞留", "疑难", "问题件", "派送失败", "无法派送",
				 NULL } },
		{ "locker", { "代收", "驿站", "丰巢", "快递柜", "智能柜", "自提柜", "门卫",
			      "代签收", "自提点", "菜鸟站", "快递超市", NULL } },
		{ "delivered", { "已签收", "本人签收", "签收人", "已妥投", "妥投", "签收",
				 NULL } },
		{ "out_for_delivery", { "派送中", "派件中", "正在派送", "派件", "派送",
					"投递中", NULL } },
		{ "in_transit", { "运输中", "到达", "发往", "离开", "转运", "在途", "已发出",
				  "装车", "中转", NULL } },
		{ "collected", { "已揽件", "揽收", "揽件", "已收件", "收寄", "已收取", NULL } },
	};
	size_t i, j;

	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++)
		for (j = 0; fam[i].w[j]; j++)
			if (memmem(s, n, fam[i].w[j], strlen(fam[i].w[j])))
				return fam[i].st;
	return NULL;
}

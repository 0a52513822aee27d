/* SPDX-License-Identifier: MIT */
/*
 * parse — content sniffing, the shared helpers of the format readers, and
 * storing parsed rows (see include/casefile/parse.h).
 *
 * Sniffing order: empty → media magic (media.c) → other known binary magic
 * (archives, executables: "other") → text.  Text is decoded to UTF-8
 * (textenc.c) and its shape decides: '{' or '[' first → JSON, classified by
 * its keys; a first line that is a known CSV header → chat or logistics
 * CSV; timestamped "sender: text" lines → chat transcript.  The shape is
 * judged on the prefix the caller gave us, so a large binary file is never
 * read whole; only a recognised text shape is read in full (up to
 * PARSE_MAX_TEXT) through pread().
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/csv.h"
#include "casefile/db.h"
#include "casefile/parse_int.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"

/* Bytes of text judged when sniffing the shape. */
#define SNIFF_TEXT 65536

static const char *const kind_names[] = {
	[CF_KIND_CHAT] = "chat",
	[CF_KIND_LOGISTICS] = "logistics",
	[CF_KIND_ORDER] = "order",
	[CF_KIND_PHOTO] = "photo",
	[CF_KIND_VIDEO] = "video",
	[CF_KIND_RECEIPT] = "receipt",
	[CF_KIND_OTHER] = "other",
};

const char *
cf_kind_name(enum cf_kind k)
{
	if ((unsigned)k >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "other";
	return kind_names[k];
}

int
cf_kind_from_name(const char *s, enum cf_kind *k)
{
	size_t i;

	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (s && strcmp(s, kind_names[i]) == 0) {
			*k = (enum cf_kind)i;
			return 0;
		}
	return -1;
}

/* ---- the result object --------------------------------------------------- */

void
parse_warn(struct parsed *p, int bad, const char *fmt, ...)
{
	va_list ap;
	char *raw, *msg, *c;

	if (p->nwarn >= PARSE_MAX_WARNINGS) {
		p->nmore++;
		p->more_bad |= bad;
		return;
	}
	if (p->nwarn == p->capwarn) {
		p->capwarn = p->capwarn ? p->capwarn * 2 : 8;
		p->warn = xreallocarray(p->warn, p->capwarn, sizeof(*p->warn));
	}
	va_start(ap, fmt);
	raw = xvasprintf(fmt, ap);
	va_end(ap);
	/* one line of valid UTF-8, whatever a library or the input put in it */
	msg = textenc_decode(raw, strlen(raw), NULL, NULL);
	for (c = msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7F)
			*c = ' ';
	free(raw);
	p->warn[p->nwarn].msg = msg;
	p->warn[p->nwarn].bad = bad;
	p->nwarn++;
}

#define GROW(arr, n, cap) do {						\
	if ((n) == (cap)) {						\
		(cap) = (cap) ? (cap) * 2 : 16;				\
		(arr) = xreallocarray((arr), (cap), sizeof(*(arr)));	\
	}								\
	memset(&(arr)[(n)], 0, sizeof(*(arr)));				\
} while (0)

/* Pool chunks; a string of more than a quarter of one gets its own. */
#define POOL_CHUNK (256u << 10)

static char *
pool_put(struct parsed *p, char *s)
{
	size_t n;
	char *d;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	if (n > POOL_CHUNK / 4) {
		p->pool = xreallocarray(p->pool, p->npool + 1, sizeof(*p->pool));
		/* keep the current chunk current: put the big one before it */
		if (p->npool) {
			p->pool[p->npool] = p->pool[p->npool - 1];
			p->pool[p->npool - 1] = s;
		} else {
			p->pool[0] = s;
			p->pool_left = 0;
		}
		p->npool++;
		return s;
	}
	if (n > p->pool_left) {
		p->pool = xreallocarray(p->pool, p->npool + 1, sizeof(*p->pool));
		p->pool[p->npool++] = xmalloc(POOL_CHUNK);
		p->pool_left = POOL_CHUNK;
	}
	d = p->pool[p->npool - 1] + (POOL_CHUNK - p->pool_left);
	memcpy(d, s, n);
	p->pool_left -= n;
	free(s);
	return d;
}

/* A string equal to the one before it (sender word, name) is kept once. */
static char *
pool_put_same(struct parsed *p, char *s, const char *prev)
{
	if (s && prev && strcmp(s, prev) == 0) {
		free(s);
		return (char *)prev;
	}
	return pool_put(p, s);
}

void
parse_pack_msgs(struct parsed *p)
{
	for (; p->npacked < p->nmsgs; p->npacked++) {
		struct pmsg *m = &p->msgs[p->npacked];
		const struct pmsg *prev = p->npacked ? m - 1 : NULL;

		m->sender_raw = pool_put_same(p, m->sender_raw, prev ? prev->sender_raw : NULL);
		m->name = pool_put_same(p, m->name, prev ? prev->name : NULL);
		m->text = pool_put(p, m->text);
		m->attachments = pool_put(p, m->attachments);
		m->extra = pool_put(p, m->extra);
	}
}

void
parse_reserve_msgs(struct parsed *p, size_t n)
{
	if (n > p->capmsgs - p->nmsgs) {
		p->capmsgs = p->nmsgs + n;
		p->msgs = xreallocarray(p->msgs, p->capmsgs, sizeof(*p->msgs));
	}
}

struct pmsg *
parse_add_msg(struct parsed *p)
{
	parse_pack_msgs(p);
	GROW(p->msgs, p->nmsgs, p->capmsgs);
	return &p->msgs[p->nmsgs++];
}

struct pevent *
parse_add_event(struct parsed *p)
{
	GROW(p->events, p->nevents, p->capevents);
	return &p->events[p->nevents++];
}

struct pitem *
parse_add_item(struct parsed *p)
{
	GROW(p->items, p->nitems, p->capitems);
	return &p->items[p->nitems++];
}

enum cf_kind
parsed_kind(const struct parsed *p)
{
	return p->kind;
}

size_t
parsed_warning_count(const struct parsed *p)
{
	return p->nwarn;
}

const char *
parsed_warning(const struct parsed *p, size_t i)
{
	return i < p->nwarn ? p->warn[i].msg : NULL;
}

int
parsed_warning_bad(const struct parsed *p, size_t i)
{
	return i < p->nwarn ? p->warn[i].bad : 0;
}

const char *
parsed_order_id(const struct parsed *p)
{
	return p->order_id;
}

void
parsed_free(struct parsed *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nwarn; i++)
		free(p->warn[i].msg);
	free(p->warn);
	free(p->order_id);
	for (i = p->npacked; i < p->nmsgs; i++) {
		free(p->msgs[i].sender_raw);
		free(p->msgs[i].name);
		free(p->msgs[i].text);
		free(p->msgs[i].attachments);
		free(p->msgs[i].extra);
	}
	free(p->msgs);
	for (i = 0; i < p->npool; i++)
		free(p->pool[i]);
	free(p->pool);
	free(p->carrier);
	free(p->tracking_no);
	for (i = 0; i < p->nevents; i++) {
		free(p->events[i].status_raw);
		free(p->events[i].location);
		free(p->events[i].desc);
		free(p->events[i].extra);
	}
	free(p->events);
	free(p->order.order_id);
	free(p->order.shop);
	free(p->order.nick);
	free(p->order.phone);
	free(p->order.address);
	free(p->order.currency);
	free(p->order.pay_method);
	free(p->order.pay_txn);
	free(p->order.extra);
	for (i = 0; i < p->nitems; i++) {
		free(p->items[i].sku);
		free(p->items[i].title);
	}
	free(p->items);
	for (i = 0; i < p->norders; i++)
		parsed_free(p->orders[i]);
	free(p->orders);
	free(p);
}

struct parsed *
parse_add_order(struct parsed *p)
{
	struct parsed *o = xcalloc(1, sizeof(*o));

	o->kind = CF_KIND_ORDER;
	o->has_order = 1;
	if (p->norders == p->caporders) {
		p->caporders = p->caporders ? 2 * p->caporders : 16;
		p->orders = xreallocarray(p->orders, p->caporders, sizeof(*p->orders));
	}
	p->orders[p->norders++] = o;
	return o;
}

size_t
parsed_order_count(const struct parsed *p)
{
	return p->norders;
}

const char *
parsed_order_at(const struct parsed *p, size_t i)
{
	return i < p->norders ? p->orders[i]->order.order_id : NULL;
}

void
parsed_select_order(struct parsed *p, const char *order_id)
{
	size_t i;

	if (p->norders == 0)
		return;
	for (i = 0; i < p->norders; i++) {
		struct parsed *o = p->orders[i];

		if (o->order.order_id && !strcmp(o->order.order_id, order_id)) {
			struct porder tmp = p->order;
			struct pitem *items = p->items;
			size_t n = p->nitems, cap = p->capitems;

			p->order = o->order;
			p->items = o->items;
			p->nitems = o->nitems;
			p->capitems = o->capitems;
			o->order = tmp;
			o->items = items;
			o->nitems = n;
			o->capitems = cap;
			p->has_order = 1;
			free(p->order_id);
			p->order_id = xstrdup(order_id);
			return;
		}
	}
	p->has_order = 0;
	parse_warn(p, 1, "the export has no order %s; it holds %zu order%s (first: %s)",
		   order_id, p->norders, p->norders == 1 ? "" : "s",
		   p->orders[0]->order.order_id ? p->orders[0]->order.order_id : "?");
}

/* ---- helpers shared by the readers ---------------------------------------- */

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

/* ---- sniffing -------------------------------------------------------------- */

/* Other binary formats worth naming in the warning. */
static const char *
binary_name(const unsigned char *s, size_t n)
{
	static const struct { const char *magic; size_t len; const char *name; } m[] = {
		{ "PK\x03\x04", 4, "zip archive" }, { "PK\x05\x06", 4, "zip archive" },
		{ "\x1f\x8b", 2, "gzip data" }, { "7z\xbc\xaf\x27\x1c", 6, "7z archive" },
		{ "Rar!", 4, "rar archive" }, { "\x28\xb5\x2f\xfd", 4, "zstd data" },
		{ "\xfd" "7zXZ", 5, "xz data" }, { "BZh", 3, "bzip2 data" },
		{ "\x7f" "ELF", 4, "executable" }, { "MZ", 2, "windows executable" },
		{ "SQLite format 3", 15, "sqlite database" },
		{ "\xd0\xcf\x11\xe0", 4, "ms office document" },
		{ "ID3", 3, "mp3 audio" }, { "OggS", 4, "ogg media" },
		{ "\x1a\x45\xdf\xa3", 4, "matroska/webm video" },
	};
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (n >= m[i].len && !memcmp(s, m[i].magic, m[i].len))
			return m[i].name;
	if (n >= 262 && !memcmp(s + 257, "ustar", 5))
		return "tar archive";
	if (n >= 12 && !memcmp(s, "RIFF", 4))
		return "riff media";
	return NULL;
}

enum shape { SHAPE_NONE, SHAPE_JSON, SHAPE_CSV_CHAT, SHAPE_CSV_LOGISTICS, SHAPE_TRANSCRIPT,
	     SHAPE_CSV_ORDERS };

static enum shape
text_shape(const char *t, size_t n)
{
	size_t i = 0;
	int k;

	while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' || t[i] == '\n'))
		i++;
	if (i < n && (t[i] == '{' || t[i] == '['))
		return SHAPE_JSON;
	if (parse_export_csv_header(t, n))
		return SHAPE_CSV_ORDERS;
	k = parse_csv_header_kind(t, n);
	if (k == CF_KIND_CHAT)
		return SHAPE_CSV_CHAT;
	if (k == CF_KIND_LOGISTICS)
		return SHAPE_CSV_LOGISTICS;
	if (parse_is_transcript(t, n))
		return SHAPE_TRANSCRIPT;
	return SHAPE_NONE;
}

/* 1 when s[0..n) holds a date like 2025-05-03 or 2025/5/3. */
static int
has_date(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 8 <= n; i++)
		if (isdigit((unsigned char)s[i]) && isdigit((unsigned char)s[i + 1]) &&
		    isdigit((unsigned char)s[i + 2]) && isdigit((unsigned char)s[i + 3]) &&
		    (s[i + 4] == '-' || s[i + 4] == '/') && isdigit((unsigned char)s[i + 5]))
			return 1;
	return 0;
}

/*
 * Why text of no known shape is not one (the shapes tried, the nearest and
 * what it expects, the first line, and how to tell casefile): heap string.
 */
static char *
text_diagnose(const char *t, size_t n)
{
	const char *nl, *line = t;
	size_t len, i;
	char *first, *r;
	int commas = 0, dated = 0;
	const char *how = "if it is one, say so: 'casefile tag ITEM --kind chat|logistics|order' "
			  "(or 'ingest --kind')";

	while (line < t + n && (*line == '\n' || *line == '\r' || *line == ' '))
		line++;
	nl = memchr(line, '\n', (size_t)(t + n - line));
	len = nl ? (size_t)(nl - line) : (size_t)(t + n - line);
	if (len && line[len - 1] == '\r')
		len--;
	first = parse_quote(line, len, 60);
	for (i = 0; i < len; i++)
		commas += line[i] == ',' || line[i] == '\t';
	dated = has_date(t, n < 4096 ? n : 4096);
	if (commas >= 1 && !has_date(line, len))
		r = xasprintf("looks like a table, but its header names no known columns "
			      "(a chat needs 时间 and 内容, a courier trace 时间 and 状态 or 描述, "
			      "an order export 主订单编号 or 订单号 and two more order columns); "
			      "first line was: '%s'; %s", first, how);
	else if (dated)
		r = xasprintf("looks like a chat transcript, but no line matched "
			      "'YYYY-MM-DD HH:MM:SS ROLE(NAME): text' (ROLE: 买家 商家 客服 平台 系统 "
			      "buyer merchant ...) or 'NAME  YYYY-MM-DD HH:MM:SS' (text on the next "
			      "lines); first line was: '%s'; %s", first, how);
	else
		r = xasprintf("tried JSON, CSV with a header and chat transcripts, and no "
			      "shape came near; first line was: '%s'; %s", first, how);
	free(first);
	return r;
}

static int
name_hints(const char *name, const char *word)
{
	return name && strcasestr(name, word) != NULL;
}

/* Which reader a JSON root calls for; -1 when none. */
static int
json_kind(const json_t *root, const char *name)
{
	int chat = 0, logi = 0, order = 0;

	if (json_is_object(root)) {
		chat = json_object_get(root, "messages") != NULL;
		logi = json_object_get(root, "events") != NULL ||
		       json_object_get(root, "tracking_no") != NULL;
		/* trace APIs: {"nu": ..., "data": [{"time": ..., "context": ...}]} */
		if (!logi && json_is_array(json_object_get(root, "data"))) {
			const json_t *e = json_array_get(json_object_get(root, "data"), 0);

			logi = json_is_object(e) && json_object_get(e, "context") != NULL;
		}
		order = json_object_get(root, "order_id") != NULL &&
			(json_object_get(root, "items") || json_object_get(root, "total") ||
			 json_object_get(root, "shop") || json_object_get(root, "buyer") ||
			 json_object_get(root, "created_at") || json_object_get(root, "paid_at"));
	} else if (json_is_array(root)) {
		const json_t *e = json_array_get(root, 0);

		if (json_array_size(root) == 0 && name_hints(name, "logistic"))
			return CF_KIND_LOGISTICS;
		if (json_array_size(root) == 0)
			return CF_KIND_CHAT;
		if (json_is_object(e)) {
			chat = json_object_get(e, "text") || json_object_get(e, "from") ||
			       json_object_get(e, "content") || json_object_get(e, "sender");
			logi = json_object_get(e, "status") != NULL ||
			       json_object_get(e, "context") != NULL;
		}
	}
	if (chat + logi + order > 1) {
		/* ambiguous: the name decides, else the strongest key */
		if (chat && name_hints(name, "chat"))
			return CF_KIND_CHAT;
		if (logi && name_hints(name, "logistic"))
			return CF_KIND_LOGISTICS;
		if (order && name_hints(name, "order"))
			return CF_KIND_ORDER;
	}
	if (chat)
		return CF_KIND_CHAT;
	if (logi)
		return CF_KIND_LOGISTICS;
	if (order)
		return CF_KIND_ORDER;
	return -1;
}

static void
media_cb(void *cookie, int bad, const char *msg)
{
	parse_warn(cookie, bad, "%s", msg);
}

static const char *
class_word(enum media_class c)
{
	switch (c) {
	case MEDIA_IMAGE: return "image";
	case MEDIA_VIDEO: return "video";
	case MEDIA_PDF: return "pdf";
	default: return "file";
	}
}

/* 1 when s[0..n) is valid UTF-8 without BOM or NUL: text as it is. */
static int
clean_utf8(const char *s, size_t n)
{
	if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		return 0;
	return memchr(s, '\0', n) == NULL && textenc_utf8_check(s, n, NULL) == 0;
}

/* Read all `total` bytes of the stored content through pread(fd). */
static int
read_whole(int fd, uint64_t total, char **out, struct cf_err *err)
{
	char *buf;
	size_t got;

	if (fd < 0)
		return cf_err_set(err, CF_EIO, "cannot read the stored content: no file");
	buf = xmalloc((size_t)total + 1);
	for (got = 0; got < total;) {
		ssize_t r = pread(fd, buf + got, (size_t)total - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return cf_err_errno(err, CF_EIO, "cannot read the stored content");
		}
		if (r == 0) {
			free(buf);
			return cf_err_set(err, CF_EIO, "cannot read the stored content: "
					  "it ended after %zu of %llu bytes", got,
					  (unsigned long long)total);
		}
		got += (size_t)r;
	}
	buf[got] = '\0';
	*out = buf;
	return 0;
}

static void
parse_json_text(struct parsed *p, const char *text, size_t len, int forced,
		const char *name)
{
	struct jdoc *d;
	json_t *root = NULL;
	int k, ok = -1;

	/* the outline first: a chat log is then read one message at a time */
	if (jdoc_open(p, text, len, &d) < 0) {
		p->kind = forced >= 0 ? (enum cf_kind)forced : CF_KIND_OTHER;
		return;
	}
	k = forced >= 0 ? forced : json_kind(jdoc_probe(d), name);
	switch (k) {
	case CF_KIND_CHAT:
		ok = parse_chat_json(p, d);
		break;
	case CF_KIND_LOGISTICS:
		root = jdoc_root(d, p, "event");
		ok = parse_logistics_json(p, root);
		break;
	case CF_KIND_ORDER:
		root = jdoc_root(d, p, "entry");
		ok = parse_order_json(p, root);
		break;
	default:
		parse_warn(p, 1, "json not recognised as a chat log, logistics or "
			   "order record");
		break;
	}
	if (ok == 0)
		p->kind = (enum cf_kind)k;
	else
		p->kind = forced >= 0 ? (enum cf_kind)forced : CF_KIND_OTHER;
	json_decref(root);
	jdoc_free(d);
}

int
parse_evidence(const void *data, size_t n, int complete, uint64_t total, int fd,
	       const char *name, int forced, struct parsed **out, struct cf_err *err)
{
	struct parsed *p = xcalloc(1, sizeof(*p));
	struct media_info mi;
	const char *bin;
	char *raw = NULL, *text = NULL;
	size_t tlen;
	struct textenc_info ti;
	enum shape shape;
	int ret = -1, whole;

	if (forced > CF_KIND_OTHER)
		forced = -1;
	if (complete || total < n)
		total = n;
	p->kind = forced >= 0 ? (enum cf_kind)forced : CF_KIND_OTHER;
	if (forced == CF_KIND_OTHER)
		goto done;
	if (total == 0) {
		parse_warn(p, 1, "empty file (0 bytes)");
		goto done;
	}

	/* images, videos, PDFs */
	if (media_sniff(data, n, &mi) != MEDIA_NONE) {
		if (forced == CF_KIND_CHAT || forced == CF_KIND_LOGISTICS ||
		    forced == CF_KIND_ORDER) {
			parse_warn(p, 1, "content is a %s %s, not a %s record", mi.format,
				   class_word(mi.cls), cf_kind_name((enum cf_kind)forced));
			goto done;
		}
		if (media_probe(data, n, total, fd, PARSE_MAX_IMAGE, &p->media,
				media_cb, p, err) < 0)
			goto fail;
		p->has_media = 1;
		if (forced < 0)
			p->kind = mi.cls == MEDIA_IMAGE ? CF_KIND_PHOTO :
				  mi.cls == MEDIA_VIDEO ? CF_KIND_VIDEO : CF_KIND_RECEIPT;
		goto done;
	}
	if (forced == CF_KIND_PHOTO || forced == CF_KIND_VIDEO || forced == CF_KIND_RECEIPT) {
		parse_warn(p, 1, "content not recognised as %s",
			   forced == CF_KIND_PHOTO ? "an image" :
			   forced == CF_KIND_VIDEO ? "a video" : "an image or a pdf");
		goto done;
	}
	/* an XLSX order export (抖店, 微信小店) */
	if ((forced < 0 || forced == CF_KIND_ORDER) && parse_export_is_xlsx(data, n)) {
		if (total > PARSE_MAX_TEXT) {
			parse_warn(p, 1, "xlsx too large to parse (%llu bytes, limit %u)",
				   (unsigned long long)total, PARSE_MAX_TEXT);
			goto done;
		}
		if (total > n) {
			if (read_whole(fd, total, &raw, err) < 0)
				goto fail;
			parse_export_xlsx(p, raw, (size_t)total, err);
		} else {
			parse_export_xlsx(p, data, (size_t)total, err);
		}
		if (p->norders == 0 && forced < 0)
			p->kind = CF_KIND_OTHER;
		goto done;
	}
	if ((bin = binary_name(data, n)) != NULL) {
		parse_warn(p, 1, "content not recognised: %s", bin);
		goto done;
	}

	/*
	 * text: judge the shape on a prefix before reading it all; a small
	 * file in memory is its own prefix and is decoded once.
	 */
	whole = total <= n && total <= SNIFF_TEXT;
	text = textenc_decode(data, whole ? (size_t)total : n < SNIFF_TEXT ? n : SNIFF_TEXT,
			      &tlen, &ti);
	shape = text_shape(text, tlen);
	if (shape == SHAPE_NONE && forced < 0) {
		char *why = text_diagnose(text, tlen);

		parse_warn(p, 1, "content not recognised as a chat log, logistics or "
			   "order record: %s", why);
		free(why);
		goto done;
	}
	if (!whole) {
		free(text);
		text = NULL;
	}
	if (total > PARSE_MAX_TEXT) {
		parse_warn(p, 1, "text too large to parse (%llu bytes, limit %u)",
			   (unsigned long long)total, PARSE_MAX_TEXT);
		if (forced < 0)
			p->kind = CF_KIND_OTHER;
		goto done;
	}
	if (!whole) {
		if (total <= n) {
			text = textenc_decode(data, (size_t)total, &tlen, &ti);
		} else {
			if (read_whole(fd, total, &raw, err) < 0)
				goto fail;
			if (clean_utf8(raw, (size_t)total)) {
				/* what textenc_decode() would return: no second copy */
				text = raw;
				tlen = (size_t)total;
				ti.enc = TEXTENC_UTF8;
				ti.nbad = ti.nnul = 0;
			} else {
				text = textenc_decode(raw, (size_t)total, &tlen, &ti);
				free(raw);
			}
			raw = NULL;
		}
		/* the full text may judge differently from its prefix (e.g. encodings) */
		shape = text_shape(text, tlen);
	}
	if (ti.enc == TEXTENC_UTF16LE || ti.enc == TEXTENC_UTF16BE ||
	    ti.enc == TEXTENC_GB18030)
		parse_warn(p, 0, "text read as %s", textenc_name(ti.enc));
	if (ti.nbad)
		parse_warn(p, 1, "invalid %s text: %zu byte sequence%s replaced with "
			   "U+FFFD", textenc_name(ti.enc), ti.nbad, ti.nbad == 1 ? "" : "s");
	if (ti.nnul)
		parse_warn(p, 1, "%zu NUL character%s replaced with U+FFFD", ti.nnul,
			   ti.nnul == 1 ? "" : "s");

	switch (shape) {
	case SHAPE_JSON:
		parse_json_text(p, text, tlen, forced, name);
		break;
	case SHAPE_CSV_CHAT:
	case SHAPE_CSV_LOGISTICS:
		if (forced == CF_KIND_ORDER) {
			parse_warn(p, 1, "an order record must be json");
		} else if (forced == CF_KIND_CHAT ||
			   (forced < 0 && shape == SHAPE_CSV_CHAT)) {
			p->kind = CF_KIND_CHAT;
			parse_chat_csv(p, text, tlen);
		} else {
			p->kind = CF_KIND_LOGISTICS;
			parse_logistics_csv(p, text, tlen);
		}
		break;
	case SHAPE_CSV_ORDERS:
		if (forced < 0 || forced == CF_KIND_ORDER) {
			parse_export_csv(p, text, tlen);
			if (p->norders == 0 && forced < 0)
				p->kind = CF_KIND_OTHER;
		} else {
			parse_warn(p, 1, "content is an order export, not a %s record",
				   cf_kind_name((enum cf_kind)forced));
		}
		break;
	case SHAPE_TRANSCRIPT:
		if (forced < 0 || forced == CF_KIND_CHAT) {
			p->kind = CF_KIND_CHAT;
			parse_chat_text(p, text, tlen);
		} else {
			parse_warn(p, 1, "content is a chat transcript, not a %s record",
				   cf_kind_name((enum cf_kind)forced));
		}
		break;
	case SHAPE_NONE:
		if (forced == CF_KIND_CHAT) {
			parse_chat_text(p, text, tlen);
		} else if (forced >= 0) {
			parse_warn(p, 1, "content not recognised as a %s record",
				   cf_kind_name((enum cf_kind)forced));
		} else {
			p->kind = CF_KIND_OTHER;
			parse_warn(p, 1, "content not recognised as a chat log, "
				   "logistics or order record");
		}
		break;
	}
done:
	parse_pack_msgs(p);
	if (p->nmore) {
		/* the summary goes one past the cap, on purpose */
		if (p->nwarn == p->capwarn) {
			p->capwarn++;
			p->warn = xreallocarray(p->warn, p->capwarn, sizeof(*p->warn));
		}
		p->warn[p->nwarn].msg = xasprintf("... and %zu more warnings", p->nmore);
		p->warn[p->nwarn].bad = p->more_bad;
		p->nwarn++;
	}
	*out = p;
	p = NULL;
	ret = 0;
fail:
	free(text);
	free(raw);
	parsed_free(p);
	return ret;
}

/* ---- storing --------------------------------------------------------------- */

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void
bind_val(sqlite3_stmt *st, int i, struct pval v)
{
	if (v.set)
		sqlite3_bind_int64(st, i, v.v);
	else
		sqlite3_bind_null(st, i);
}

static void
bind_ll(sqlite3_stmt *st, int i, long long v, int known)
{
	if (known)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static int
step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, struct cf_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return db_err(db, err, "cannot store %s", what);
	return 0;
}

enum { ST_MSG, ST_LOG, ST_EVENT, ST_ORDER, ST_ITEM, ST_MEDIA, ST_COUNT };

static const char *const store_sql[ST_COUNT] = {
	[ST_MSG] = "INSERT INTO messages(evidence_id, seq, time, sender, sender_raw, name, "
		   "text, attachments, time_ms, extra) VALUES(?,?,?,?,?,?,?,?,?,?)",
	[ST_LOG] = "INSERT INTO logistics(evidence_id, carrier, tracking_no) VALUES(?,?,?)",
	[ST_EVENT] = "INSERT INTO logistics_events(evidence_id, seq, time, status, status_raw, "
		     "location, description, time_ms, extra) VALUES(?,?,?,?,?,?,?,?,?)",
	[ST_ORDER] = "INSERT INTO order_records(evidence_id, order_id, shop, created_at, "
		     "paid_at, shipped_at, delivered_at, buyer_nick, buyer_phone, "
		     "buyer_address, total_fen, currency, pay_method, pay_txn, extra, "
		     "source_row) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_ITEM] = "INSERT INTO order_items(evidence_id, seq, sku, title, qty, price_fen, "
		    "source_row) VALUES(?,?,?,?,?,?,?)",
	[ST_MEDIA] = "INSERT INTO media(evidence_id, format, width, height, orientation, "
		     "captured_at, has_gps, duration_ms) VALUES(?,?,?,?,?,?,?,?)",
};

struct parsed_writer {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];	/* prepared on first use */
};

struct parsed_writer *
parsed_writer_new(sqlite3 *db)
{
	struct parsed_writer *w = xcalloc(1, sizeof(*w));

	w->db = db;
	return w;
}

void
parsed_writer_free(struct parsed_writer *w)
{
	int i;

	if (w == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(w->st[i]);
	free(w);
}

static sqlite3_stmt *
writer_stmt(struct parsed_writer *w, int which, struct cf_err *err)
{
	if (w->st[which] == NULL && db_prepare(w->db, store_sql[which], &w->st[which], err) < 0)
		return NULL;
	return w->st[which];
}

int
parsed_writer_store(struct parsed_writer *w, const struct parsed *p, int64_t evidence_id,
		    struct cf_err *err)
{
	sqlite3 *db = w->db;
	sqlite3_stmt *st;
	size_t i;

	if (p->nmsgs) {
		if ((st = writer_stmt(w, ST_MSG, err)) == NULL)
			return -1;
		for (i = 0; i < p->nmsgs; i++) {
			const struct pmsg *m = &p->msgs[i];

			sqlite3_bind_int64(st, 1, evidence_id);
			sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
			bind_val(st, 3, m->time);
			bind_text(st, 4, m->sender ? m->sender : "system");
			bind_text(st, 5, m->sender_raw);
			bind_text(st, 6, m->name);
			bind_text(st, 7, m->text ? m->text : "");
			bind_text(st, 8, m->attachments);
			bind_ll(st, 9, m->time.ms, m->time.set && m->time.has_ms);
			bind_text(st, 10, m->extra);
			if (step_done(db, st, "a chat message", err) < 0)
				return -1;
		}
	}
	if (p->has_logistics) {
		if ((st = writer_stmt(w, ST_LOG, err)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, evidence_id);
		bind_text(st, 2, p->carrier);
		bind_text(st, 3, p->tracking_no);
		if (step_done(db, st, "a logistics record", err) < 0)
			return -1;
	}
	if (p->nevents) {
		if ((st = writer_stmt(w, ST_EVENT, err)) == NULL)
			return -1;
		for (i = 0; i < p->nevents; i++) {
			const struct pevent *e = &p->events[i];

			sqlite3_bind_int64(st, 1, evidence_id);
			sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
			bind_val(st, 3, e->time);
			bind_text(st, 4, e->status);
			bind_text(st, 5, e->status_raw);
			bind_text(st, 6, e->location);
			bind_text(st, 7, e->desc);
			bind_ll(st, 8, e->time.ms, e->time.set && e->time.has_ms);
			bind_text(st, 9, e->extra);
			if (step_done(db, st, "a logistics event", err) < 0)
				return -1;
		}
	}
	if (p->has_order) {
		const struct porder *o = &p->order;

		if ((st = writer_stmt(w, ST_ORDER, err)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, evidence_id);
		bind_text(st, 2, o->order_id);
		bind_text(st, 3, o->shop);
		bind_val(st, 4, o->created);
		bind_val(st, 5, o->paid);
		bind_val(st, 6, o->shipped);
		bind_val(st, 7, o->delivered);
		bind_text(st, 8, o->nick);
		bind_text(st, 9, o->phone);
		bind_text(st, 10, o->address);
		bind_val(st, 11, o->total);
		bind_text(st, 12, o->currency);
		bind_text(st, 13, o->pay_method);
		bind_text(st, 14, o->pay_txn);
		bind_text(st, 15, o->extra);
		bind_ll(st, 16, o->source_row, o->source_row > 0);
		if (step_done(db, st, "an order record", err) < 0)
			return -1;
	}
	if (p->nitems) {
		if ((st = writer_stmt(w, ST_ITEM, err)) == NULL)
			return -1;
		for (i = 0; i < p->nitems; i++) {
			const struct pitem *it = &p->items[i];

			sqlite3_bind_int64(st, 1, evidence_id);
			sqlite3_bind_int64(st, 2, (sqlite3_int64)i + 1);
			bind_text(st, 3, it->sku);
			bind_text(st, 4, it->title);
			bind_val(st, 5, it->qty);
			bind_val(st, 6, it->price);
			bind_ll(st, 7, it->source_row, it->source_row > 0);
			if (step_done(db, st, "an order item", err) < 0)
				return -1;
		}
	}
	if (p->has_media) {
		const struct media_info *m = &p->media;

		if ((st = writer_stmt(w, ST_MEDIA, err)) == NULL)
			return -1;
		sqlite3_bind_int64(st, 1, evidence_id);
		bind_text(st, 2, m->format);
		bind_ll(st, 3, m->width, m->width >= 0);
		bind_ll(st, 4, m->height, m->height >= 0);
		bind_ll(st, 5, m->orientation, m->orientation > 0);
		bind_ll(st, 6, m->captured_at, m->has_captured);
		sqlite3_bind_int(st, 7, m->has_gps ? 1 : 0);
		bind_ll(st, 8, m->duration_ms, m->duration_ms >= 0);
		if (step_done(db, st, "media facts", err) < 0)
			return -1;
	}
	return 0;
}

int
parsed_store(const struct parsed *p, sqlite3 *db, int64_t evidence_id,
	     struct cf_err *err)
{
	struct parsed_writer *w = parsed_writer_new(db);
	int r = parsed_writer_store(w, p, evidence_id, err);

	parsed_writer_free(w);
	return r;
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

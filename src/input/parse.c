/* SPDX-License-Identifier: MIT */
/*
 * parse — content sniffing and the result object (see
 * include/casefile/parse.h); the readers' shared helpers are in
 * parse_int.c, the SQL row writer in src/store/parsed_writer.c.
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
#include "casefile/parse.h"
#include "casefile/parse_int.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"

/* Bytes of text judged when sniffing the shape. */
#define SNIFF_TEXT 65536

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

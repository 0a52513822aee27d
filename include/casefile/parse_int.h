/* SPDX-License-Identifier: MIT */
/*
 * parse_int — what the parse_*.c files share; not for other modules
 * (parsed_writer.c reads struct parsed to store it).  The result object's
 * builders (parse_warn, parse_add_*) are in parse.c, the helpers in
 * parse_int.c; this header includes no parse.h so the two never cycle.
 *
 * struct parsed is filled by one of the format readers below and written
 * by parsed_store().  Strings are heap-owned UTF-8 without NULs (the text was
 * decoded by textenc first, and JSON strings are cleaned by parse_jstr()).
 * Optional numbers are struct pval: set == 0 stores SQL NULL.
 */
#ifndef CASEFILE_PARSE_INT_H
#define CASEFILE_PARSE_INT_H

#include <jansson.h>

#include "casefile/media.h"
#include "casefile/kind.h"

struct pval {
	long long v;
	int set;
	short ms;		/* times: the milliseconds (0..999) when has_ms */
	char has_ms;
};

struct pwarn {
	char *msg;
	int bad;
};

struct pmsg {
	struct pval time;
	const char *sender;	/* static: buyer merchant platform system */
	char *sender_raw, *name, *text, *attachments;
	char *extra;		/* JSON object text of unmapped fields, or NULL */
};

struct pevent {
	struct pval time;
	const char *status;	/* static, or NULL when not understood */
	char *status_raw, *location, *desc;
	char *extra;		/* JSON object text of unmapped fields, or NULL */
};

struct pitem {
	char *sku, *title;
	struct pval qty, price;
	long source_row;	/* row of a multi-order export, 0: none */
};

struct porder {
	char *order_id, *shop;
	struct pval created, paid, shipped, delivered;
	char *nick, *phone, *address;
	struct pval total;
	char *currency, *pay_method, *pay_txn;
	char *extra;		/* JSON object text of unmapped fields, or NULL */
	long source_row;	/* first row of a multi-order export, 0: none */
};

struct parsed {
	enum cf_kind kind;
	struct pwarn *warn;
	size_t nwarn, capwarn;
	size_t nmore;		/* warnings past PARSE_MAX_WARNINGS, dropped */
	int more_bad;		/* one of them was bad */
	char *order_id;

	struct pmsg *msgs;
	size_t nmsgs, capmsgs;
	/*
	 * The strings of finished messages (msgs[0..npacked)) are packed in
	 * pool chunks: one malloc per string would cost as much again as the
	 * text of a large chat log.
	 */
	size_t npacked;
	char **pool;
	size_t npool, pool_left;

	int has_logistics;
	char *carrier, *tracking_no;
	struct pevent *events;
	size_t nevents, capevents;

	int has_order;
	struct porder order;
	struct pitem *items;
	size_t nitems, capitems;

	int has_media;
	struct media_info media;

	/*
	 * A multi-order export (parse_export.c): one parse of kind order per
	 * order, in the order of their first rows; parsed_select_order()
	 * moves one of them into this parse.
	 */
	struct parsed **orders;
	size_t norders, caporders;
};

/* A new empty order parse appended to p->orders. */
struct parsed *parse_add_order(struct parsed *p);
/* The order reader for exports: 1 when the header row names order columns. */
int parse_export_csv_header(const char *text, size_t n);
void parse_export_csv(struct parsed *p, const char *text, size_t n);
/* XLSX (a zip): 1 when data looks like one; reader of the first sheet. */
int parse_export_is_xlsx(const void *data, size_t n);
int parse_export_xlsx(struct parsed *p, const void *data, size_t n, struct cf_err *err);

/* Add a warning (bad: 1 not understood, 0 note). */
void parse_warn(struct parsed *p, int bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * A new message.  The previous one is finished: its strings are moved into
 * the pool (they must not be changed or freed after this call).
 */
struct pmsg *parse_add_msg(struct parsed *p);
/* Room for n more messages (a count known in advance). */
void parse_reserve_msgs(struct parsed *p, size_t n);
/* Pack the last message too (parse_evidence() does, at the end). */
void parse_pack_msgs(struct parsed *p);
struct pevent *parse_add_event(struct parsed *p);
struct pitem *parse_add_item(struct parsed *p);

/* A copy of s[0..n) for a warning: at most max bytes, cut on a UTF-8 boundary, "…" added. */
char *parse_quote(const char *s, size_t n, size_t max);

/*
 * A JSON string's value as a heap string, NULs (\u0000) replaced by U+FFFD
 * with a bad warning "<what>: '<key>': ..." when p is not NULL.
 */
char *parse_jstr(struct parsed *p, const char *what, const char *key, const json_t *v);

/*
 * Read a JSON time value (string in a cftime form, or integer Unix s/ms)
 * into *out, with its milliseconds when it has any (out->has_ms).  A missing/null value leaves *out unset silently; an
 * unreadable one warns "<what>: bad time ..." (bad) and leaves it unset.
 */
void parse_json_time(struct parsed *p, const char *what, const json_t *v,
		     struct pval *out);
/* Same for text (s[0..n)); empty text is "no time" (unset, silent). */
void parse_text_time(struct parsed *p, const char *what, const char *s, size_t n,
		     struct pval *out);

/* Map a sender word (English or Chinese, see FORMATS.md) to its role, or NULL. */
const char *parse_sender_role(const char *s, size_t n);
/* Map a logistics status word (English or Chinese) to its status, or NULL. */
const char *parse_status_word(const char *s, size_t n);

/*
 * The status a courier's description says ("快件已由菜鸟驿站代收" -> locker,
 * "已签收,签收人:本人" -> delivered), or NULL: returned, exception, locker
 * (a locker or pickup station took it: 代收 驿站 丰巢 快递柜 门卫),
 * delivered, out_for_delivery, in_transit, collected, the first family
 * with a word in the text.
 */
const char *parse_status_from_desc(const char *s, size_t n);

/* Trim ASCII space and full-width space (U+3000) at both ends of s[0..*n). */
const char *parse_trim(const char *s, size_t *n);

/*
 * A JSON document read piece by piece (parse_json.c): the outline is
 * scanned first (text borrowed, must outlive the doc), then the root's
 * members and the elements of its lists are loaded one at a time by
 * jansson.  A number too large to hold (1e400) is read as null with a bad
 * warning naming its place; a piece with a syntax error inside is NULL
 * (or null inside a tree) with a bad warning; only an outline that cannot
 * be followed fails the document.
 *
 * jdoc_open: 0 with *out set, or -1 with a bad warning "line L, column C:
 * why" on p.  jdoc_probe: the root with every list cut to its first
 * element, loaded quietly, for sniffing (owned by the doc).  jdoc_root: the
 * whole root, loaded with warnings (caller json_decref()s); word names the
 * elements of a root list in warnings ("event 3").  jdoc_has: whether the
 * root object has key.  jdoc_nelem: element count of the root list (key
 * NULL) or of member key's list, -1 when that is not a list.  jdoc_elem:
 * element i of it with warnings, NULL when unreadable (warned) or absent.
 * jdoc_get: member key with warnings (lists loaded whole), NULL when absent,
 * JSON null when unreadable.
 */
struct jdoc;
int jdoc_open(struct parsed *p, const char *text, size_t len, struct jdoc **out);
const json_t *jdoc_probe(struct jdoc *d);
json_t *jdoc_root(struct jdoc *d, struct parsed *p, const char *word);
int jdoc_is_list(const struct jdoc *d);
int jdoc_has(const struct jdoc *d, const char *key);
long jdoc_nelem(const struct jdoc *d, const char *key);
json_t *jdoc_elem(struct jdoc *d, struct parsed *p, const char *key, size_t i,
		  const char *word);
json_t *jdoc_get(struct jdoc *d, struct parsed *p, const char *key);
void jdoc_free(struct jdoc *d);

/*
 * The readers fill p with rows and warnings.  The JSON readers return 0,
 * or -1 (with a bad warning) when the root is not of their shape at all —
 * "messages" is not a list — and the caller then keeps kind other (or the
 * forced kind) with no rows; a bad entry inside never makes them fail.
 */
int parse_chat_json(struct parsed *p, struct jdoc *d);
int parse_logistics_json(struct parsed *p, json_t *root);
int parse_order_json(struct parsed *p, json_t *root);

/*
 * CSV: classify a header (returns CF_KIND_CHAT, CF_KIND_LOGISTICS or -1)
 * and read a whole CSV text of that kind.
 */
int parse_csv_header_kind(const char *text, size_t n);
void parse_chat_csv(struct parsed *p, const char *text, size_t n);
void parse_logistics_csv(struct parsed *p, const char *text, size_t n);

/* Plain-text transcript: 1 when it looks like one (sniffing). */
int parse_is_transcript(const char *text, size_t n);
void parse_chat_text(struct parsed *p, const char *text, size_t n);

/*
 * The members of object o whose key is in none of the NULL-terminated key
 * lists of known (itself NULL-terminated), as compact JSON text in the
 * object's order (heap), or NULL when there are none.
 */
char *parse_jextra(const json_t *o, const char *const *const *known);

/*
 * Extra CSV columns: add column i's value (trimmed; nothing when empty)
 * under its header name (or "column N" when it has none or lies past the
 * header; a repeated name gets " (2)", " (3)" ...) to *extra, created on
 * first use.
 */
void parse_csv_extra(json_t **extra, const char *head, size_t i, const char *v, size_t n);
/* *extra as compact JSON text (heap) and released, or NULL when unset. */
char *parse_extra_text(json_t **extra);

/* Set p->order_id from root's "order_id" (string, or integer with a note). */
void parse_json_order_id(struct parsed *p, const json_t *root);
/*
 * The first of keys present in object o, or NULL.  *key (may be NULL)
 * gets the key found.
 */
json_t *parse_jget(const json_t *o, const char *const *keys, const char **key);
/*
 * A string field: 1 with *out set (heap), 0 when absent or null, -1 when
 * of another type (numbers are converted to their text with a note; other
 * types warn "<what>: 'key' is not a string" as bad).
 */
int parse_jfield_str(struct parsed *p, const char *what, const json_t *o,
		     const char *const *keys, char **out);

/* CSV column roles. */
enum col {
	COL_NONE, COL_TIME, COL_FROM, COL_NAME, COL_TEXT, COL_ATTACH,
	COL_STATUS, COL_LOCATION, COL_DESC, COL_CARRIER, COL_TRACKING,
	COL_ORDER,
};
enum col parse_csv_col(const char *s, size_t n);

struct csv;
/*
 * Let c resynchronise (csv_set_resync()) after an unclosed quote at the next
 * line whose field in the time column reads as a time; *timecol is the
 * cookie and must outlive c.  Nothing when role[0..n) has no time column.
 */
void parse_csv_resync(struct csv *c, const enum col *role, size_t n, size_t *timecol);
int parse_csv_starts_record(void *cookie, const char *line, size_t n);

#endif

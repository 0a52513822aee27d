/* SPDX-License-Identifier: MIT */
/*
 * parse_int — what the parse_*.c files share; not for other modules.
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
#include "casefile/parse.h"

struct pval {
	long long v;
	int set;
};

struct pwarn {
	char *msg;
	int bad;
};

struct pmsg {
	struct pval time;
	const char *sender;	/* static: buyer merchant platform system */
	char *sender_raw, *name, *text, *attachments;
};

struct pevent {
	struct pval time;
	const char *status;	/* static, or NULL when not understood */
	char *status_raw, *location, *desc;
};

struct pitem {
	char *sku, *title;
	struct pval qty, price;
};

struct porder {
	char *order_id, *shop;
	struct pval created, paid, shipped, delivered;
	char *nick, *phone, *address;
	struct pval total;
	char *currency, *pay_method, *pay_txn;
	char *extra;		/* JSON object text of unmapped fields, or NULL */
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
};

/* Add a warning (bad: 1 not understood, 0 note). */
void parse_warn(struct parsed *p, int bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct pmsg *parse_add_msg(struct parsed *p);
struct pevent *parse_add_event(struct parsed *p);
struct pitem *parse_add_item(struct parsed *p);

/* A copy of s[0..n) for a warning: at most max bytes, cut on a UTF-8 boundary, "…" added. */
char *parse_quote(const char *s, size_t n, size_t max);

/* A JSON string's value as a heap string, NULs replaced by U+FFFD. */
char *parse_jstr(const json_t *v);

/*
 * Read a JSON time value (string in a cftime form, or integer Unix s/ms)
 * into *out.  A missing/null value leaves *out unset silently; an
 * unreadable one warns "<what>: bad time ..." (bad) and leaves it unset.
 */
void parse_json_time(struct parsed *p, const char *what, const json_t *v,
		     struct pval *out);
/* Same for text (s[0..n)); empty text is "no time" (unset, silent). */
void parse_text_time(struct parsed *p, const char *what, const char *s, size_t n,
		     struct pval *out);

/*
 * Money "89.00", "89.9", "89", "-5.50", "¥89.00", "1,089.00" into fen.
 * Returns 0, or -1 with *why set to a static reason.
 */
int parse_money(const char *s, size_t n, long long *fen, const char **why);

/* Map a sender word (English or Chinese, see FORMATS.md) to its role, or NULL. */
const char *parse_sender_role(const char *s, size_t n);
/* Map a logistics status word (English or Chinese) to its status, or NULL. */
const char *parse_status_word(const char *s, size_t n);

/* Trim ASCII space and full-width space (U+3000) at both ends of s[0..*n). */
const char *parse_trim(const char *s, size_t *n);

/*
 * The readers fill p with rows and warnings.  The JSON readers return 0,
 * or -1 (with a bad warning) when the root is not of their shape at all —
 * "messages" is not a list — and the caller then keeps kind other (or the
 * forced kind) with no rows; a bad entry inside never makes them fail.
 */
int parse_chat_json(struct parsed *p, json_t *root);
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

#endif

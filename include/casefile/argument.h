/* SPDX-License-Identifier: MIT */
/*
 * argument — what the merchant argues for one order and scenario: the
 * stance, the decisive exhibits (in the order the argument uses them),
 * and the buyer's most relevant words.  The statement cites from it; the
 * dossier's index and exhibit notes describe exhibits from it.
 *
 * Decisive exhibits, by scenario (roles from roles.h when someone gave
 * them, else the kind and the parsed facts):
 *   not_received       the logistics record holding the delivery or the
 *                      locker/station pickup event, then pickup/delivery
 *                      photos; the event itself is named with its time
 *   damaged_in_transit packing video and photos taken before shipping
 *                      (role packing, else photos/videos captured before
 *                      the first logistics event and not sent by the
 *                      buyer), then the courier's handover (the logistics
 *                      record with the "collected" event)
 *   other scenarios    the order record, the logistics record, the chat
 * Photos the buyer supplied (supplied_by buyer, role damage_photo, or an
 * attachment of a buyer's chat message) are "the buyer's photos": never
 * packing.
 *
 * The buyer's words: text messages sent by the buyer only — never a
 * placeholder ("[图片] x.jpg", "[消息类型: 图片]"), a system line or a
 * message that is only an attachment name — the one with the most words of
 * the scenario (not received: 没收到, 快递柜 …; damaged: 破, 碎 …), then
 * the earliest; shortened at a sentence or clause boundary to at most
 * ARGUMENT_QUOTE_CHARS characters.
 */
#ifndef CASEFILE_ARGUMENT_H
#define CASEFILE_ARGUMENT_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/db.h"

#include "casefile/err.h"

struct exhibits;

enum argument_stance {
	ARGUMENT_REFUSE,	/* ask the platform to reject the claim */
	ARGUMENT_PARTIAL,	/* offer a partial remedy, refuse the rest */
	ARGUMENT_ACCEPT,	/* accept the claim */
};

/* "refuse" "partial" "accept" (also 拒绝 部分 同意) → 0, or -1. */
int argument_stance_parse(const char *s, enum argument_stance *out);
/* "refuse" … (static). */
const char *argument_stance_name(enum argument_stance s);

/* What an exhibit is in the argument. */
enum argument_part {
	ARG_NONE,
	ARG_PICKUP,		/* logistics record with delivery / locker pickup */
	ARG_PICKUP_PHOTO,	/* photo of the pickup / delivery */
	ARG_PACKING,		/* packing video or photo before shipping */
	ARG_HANDOVER,		/* logistics record with the courier's collection */
	ARG_BUYER_PHOTO,	/* a photo the buyer supplied */
	ARG_ORDER,
	ARG_LOGISTICS,
	ARG_CHAT,
	ARG_OTHER,
};

struct argument_exhibit {
	int no;			/* exhibit number */
	int64_t evidence_id;
	enum argument_part part;
	int decisive;		/* cited first, in this order */
	int buyers;		/* supplied by the buyer */
	long long at;		/* the fact's time (event, capture), -1 */
	char *fact;		/* "快递柜取件" / event description, or NULL */
};

struct argument {
	struct argument_exhibit *v;	/* every exhibit: decisive first */
	size_t n;
	char *quote;			/* the buyer's words, or NULL */
	long long quote_at;		/* -1 when unknown */
	long long pickup_at;		/* the decisive delivery/pickup event, -1 */
	char *pickup_what;		/* its description (short), or NULL */
	long long handover_at;		/* the courier's collection, -1 */
};

/* The longest quote, in Unicode characters (an ellipsis included). */
#define ARGUMENT_QUOTE_CHARS 60

/*
 * Work out the argument of scenario for order_id over the numbered
 * exhibits ex.  *out is released with argument_release().  Fails only
 * when the vault cannot be read.
 */
int argument_load(struct cf_db *db, const char *order_id, const char *scenario,
		  const struct exhibits *ex, struct argument *out,
		  struct cf_err *err);
void argument_release(struct argument *a);

/* The entry of exhibit no, or NULL. */
const struct argument_exhibit *argument_exhibit(const struct argument *a, int no);

/*
 * What an exhibit of this part is, in Chinese ("快递柜取件记录",
 * "打包视频", "买家提供的照片"); kind breaks ties for ARG_PACKING and
 * ARG_OTHER.  Static.
 */
const char *argument_part_zh(enum argument_part part, const char *kind);

/*
 * 1 when s is a chat placeholder or system line, not words the buyer typed:
 * "[图片]…", "[消息类型: …]", "[视频]", a bare file name.
 */
int argument_is_placeholder(const char *s);

/*
 * Shorten UTF-8 s in place to at most max characters, preferring to end
 * after a sentence mark (。！？!?) or before a clause mark (，；,;), and
 * appending "…" when cut.  Returns s.
 */
char *argument_shorten(char *s, size_t max);

/* "5月2日 12:47" for a UTC time in zone tz (seconds east), into buf (32). */
char *argument_date(long long utc, long tz, char *buf, size_t n);

#endif

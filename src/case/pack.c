/* SPDX-License-Identifier: MIT */
/*
 * pack — the submission kit (pack.h): choose the cards for the dispute's
 * scenario, fit each into the platform's byte limit, draft the statement,
 * write the kit only when whole, and record every card as derived
 * evidence.
 *
 * Choosing cards: the scenario orders the kinds of card (not received:
 * logistics trace with the delivery highlighted, the buyer's words in the
 * chat, receipts/pickup records, photos; damaged in transit: packing video
 * frames, photos two to a card, chat, logistics; quality and the like:
 * photos, frames, chat, logistics), and the first --cards N (at most the
 * profile's images) are made.  --pick makes one card per picked exhibit in
 * the order given; when they are more than the cards allowed, photos
 * share cards (up to four a card); if they still do not fit, nothing is
 * written.
 *
 * Fitting bytes: each card is rendered at widths 1080, 960, 840, 720, 600
 * (PACK_MIN_WIDTH: the caption stays legible) and JPEG quality 85, 72, 60,
 * 48, largest first; the first that fits is kept.  When none does and the
 * card shows more than one photo, the last photo is dropped (the card
 * says so) and the card tried again; a single item that cannot fit fails
 * the pack (CF_EINPUT), nothing written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "casefile/buf.h"
#include "casefile/db.h"
#include "casefile/db_stmt.h"
#include "casefile/dispute.h"
#include "casefile/dossier.h"
#include "casefile/exhibits.h"
#include "casefile/frames.h"
#include "casefile/hash.h"
#include "casefile/ingest.h"
#include "casefile/mask.h"
#include "casefile/outfile.h"
#include "casefile/pack.h"
#include "casefile/parse.h"
#include "casefile/pdf.h"
#include "casefile/profile.h"
#include "casefile/roles.h"
#include "casefile/statement.h"
#include "casefile/templates.h"
#include "casefile/vault.h"
#include "casefile/version.h"
#include "casefile/xalloc.h"

#define PACK_CHAT_LINES 8
#define PACK_LOG_LINES 10

static const int widths[] = { 1080, 960, 840, 720, 600 };
static const int qualities[] = { 85, 72, 60, 48 };

struct locate_ctx {
	struct vault *v;
};

static char *
locate_vault(void *cookie, const char *hex)
{
	struct locate_ctx *c = cookie;
	unsigned char h[CF_SHA256_LEN];
	char *p;

	if (cf_hex_decode(hex, strlen(hex), h, sizeof(h)) < 0)
		return NULL;
	p = vault_object_path(c->v, h);
	if (access(p, R_OK) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

/* "2025-05-02 10:12" in the display zone; "" for -1. */
static void
fmt_time(long long t, long tz, char *buf, size_t n, int with_zone)
{
	struct tm tm;
	time_t tt;

	if (t < 0) {
		buf[0] = '\0';
		return;
	}
	tt = (time_t)(t + tz);
	gmtime_r(&tt, &tm);
	if (with_zone)
		snprintf(buf, n, "%04d-%02d-%02d %02d:%02d %c%02ld:%02ld", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tz < 0 ? '-' : '+',
			 labs(tz) / 3600, labs(tz) / 60 % 60);
	else
		snprintf(buf, n, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min);
}

static void
fmt_utc(long long t, char *buf, size_t n)
{
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	snprintf(buf, n, "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The host of a TSA URL ("http://tsa.example:8080/x" → "tsa.example"). */
static char *
url_host(const char *u)
{
	const char *p = strstr(u, "://"), *e;

	p = p ? p + 3 : u;
	e = p + strcspn(p, ":/?");
	return xstrndup(p, (size_t)(e - p));
}

/* The source object of one exhibit, with its seal facts. */
static int
source_json(struct cf_db *db, const struct exhibit *x, const struct pack_opts *o,
	    json_t **out, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	char hex[CF_SHA256_HEXLEN + 1], tb[64];
	json_t *j = json_object();
	int rc;

	cf_hex_encode(x->sha256, CF_SHA256_LEN, hex);
	json_object_set_new(j, "exhibit", json_integer(x->no));
	json_object_set_new(j, "sha256", json_string(hex));
	json_object_set_new(j, "name", json_string(x->name));
	json_object_set_new(j, "kind", json_string(x->kind));
	fmt_time(strcmp(x->kind, "photo") == 0 || strcmp(x->kind, "video") == 0 ?
		 x->captured_at : -1, o->tz_offset, tb, sizeof(tb), 0);
	json_object_set_new(j, "captured", json_string(tb));
	json_object_set_new(j, "sealed", json_string(""));
	json_object_set_new(j, "sealed_utc", json_string(""));
	json_object_set_new(j, "tsa", json_string(""));
	if (db_prepare(db, "SELECT h.created_at, h.tsa_url, h.tst IS NOT NULL FROM evidence e "
		       "JOIN heads h ON h.tree_size > e.leaf_index WHERE e.id = ? "
		       "ORDER BY h.tree_size LIMIT 1", &st, err) < 0) {
		json_decref(j);
		return -1;
	}
	db_bind_int64(st, 1, x->evidence_id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		long long at = db_col_int64(st, 0);
		const char *u = (const char *)db_col_text(st, 1);

		fmt_time(at, o->tz_offset, tb, sizeof(tb), 1);
		json_object_set_new(j, "sealed", json_string(tb));
		fmt_utc(at, tb, sizeof(tb));
		json_object_set_new(j, "sealed_utc", json_string(tb));
		if (u && *u && db_col_int(st, 2)) {
			char *h = url_host(u);

			json_object_set_new(j, "tsa", json_string(h));
			free(h);
		}
	} else if (rc != DB_DONE) {
		db_err(db, err, "cannot read the seal of exhibit %d", x->no);
		db_finalize(st);
		json_decref(j);
		return -1;
	}
	db_finalize(st);
	*out = j;
	return 0;
}

/* ---- planning ---- */

enum cardkind { CK_LOGISTICS, CK_CHAT, CK_RECEIPT, CK_PHOTO, CK_FRAMES, CK_NKINDS };

struct plan_card {
	enum cardkind k;
	int ex[4];		/* exhibit indexes into exhibits.v */
	int nex;
	const char *title;	/* NULL: title_of() */
};

static const char *
scenario_of(struct cf_db *db, const struct pack_opts *o, struct dispute **d)
{
	struct cf_err e = CF_ERR_INIT;

	if (o->scenario)
		return o->scenario;
	if (dispute_get(db, o->order_id, 0, d, &e) == 0 && (*d)->reason != NULL &&
	    statement_scenario_valid((*d)->reason)) {
		cf_err_release(&e);
		return (*d)->reason;
	}
	cf_err_release(&e);
	return "other";
}

/*
 * The cards of a scenario, in order: each slot takes the included exhibits
 * of its kinds whose roles (roles.h: given with `casefile tag`, or implied
 * by the kind) meet it, up to `take`; a slot with a second group shows
 * those beside the first (packing photos before shipping next to the
 * buyer's photos).  Roleless slots at the end pick up what is left, so an
 * order nobody tagged still gets cards.  An exhibit is on one card only.
 */
#define K(k) (1u << (k))
#define R(r) CF_ROLE_BIT(CF_ROLE_##r)
#define IMAGES (K(CK_PHOTO) | K(CK_RECEIPT))

struct slot_group {
	unsigned kinds;		/* K() of the card kinds taken */
	unsigned want;		/* R() of the roles, any of; 0: any */
	int buyer;		/* also what the buyer supplied */
	int take;
	const char *title;	/* the card's title when only this group is there */
};

struct slot {
	struct slot_group a, b;	/* b.take == 0: no second group */
	const char *title;	/* when both groups are there */
};

static const struct slot slots_not_received[] = {
	{ { K(CK_LOGISTICS), 0, 0, 1, "物流轨迹（妥投/签收/驿站入柜记录高亮）" }, { 0 }, NULL },
	{ { IMAGES, R(PICKUP), 0, 2, "签收/驿站取件记录" }, { 0 }, NULL },
	{ { K(CK_CHAT), 0, 0, 1, "买家原话（聊天记录摘录）" }, { 0 }, NULL },
	{ { IMAGES, R(DELIVERY_PHOTO), 0, 2, "快递员妥投照片" }, { 0 }, NULL },
	{ { IMAGES, R(SHIPPING_LABEL), 0, 2, "快递面单" }, { 0 }, NULL },
	{ { K(CK_RECEIPT), 0, 0, 1, "凭证/签收/取件记录" }, { 0 }, NULL },
	{ { K(CK_FRAMES), R(PACKING), 0, 1, "打包视频关键帧（发货前录制）" }, { 0 }, NULL },
	{ { K(CK_PHOTO), 0, 0, 2, "商品照片" }, { 0 }, NULL },
	{ { K(CK_FRAMES), 0, 0, 1, "视频关键帧" }, { 0 }, NULL },
	{ { 0 }, { 0 }, NULL },
};

static const struct slot slots_damaged[] = {
	{ { K(CK_FRAMES), R(PACKING), 0, 1, "打包视频关键帧（发货前录制）" }, { 0 }, NULL },
	{ { IMAGES, R(PACKING), 0, 1, "发货前打包照片" },
	  { IMAGES, R(DAMAGE_PHOTO), 1, 1, "买家收货照片" },
	  "发货前打包照片（左）与买家收货照片（右）" },
	/* nobody said what the media show: the video and photos still come first */
	{ { K(CK_FRAMES), 0, 0, 1, "视频关键帧" }, { 0 }, NULL },
	{ { IMAGES, R(PACKING), 0, 2, "发货前打包照片" }, { 0 }, NULL },
	{ { IMAGES, R(DAMAGE_PHOTO), 1, 2, "买家收货照片" }, { 0 }, NULL },
	{ { K(CK_PHOTO), 0, 0, 2, "商品/包装照片" }, { 0 }, NULL },
	{ { K(CK_CHAT), 0, 0, 1, "买家原话（聊天记录摘录）" }, { 0 }, NULL },
	{ { K(CK_LOGISTICS), 0, 0, 1, "物流轨迹（签收记录高亮）" }, { 0 }, NULL },
	{ { K(CK_RECEIPT), 0, 0, 1, "凭证/签收/取件记录" }, { 0 }, NULL },
	{ { 0 }, { 0 }, NULL },
};

static const struct slot slots_goods[] = {
	{ { IMAGES, R(LISTING), 0, 1, "商品页面（买家下单时所见）" },
	  { IMAGES, R(DAMAGE_PHOTO), 1, 1, "买家照片" },
	  "商品页面（左）与买家照片（右）" },
	{ { IMAGES, R(QUALITY_REPORT), 0, 1, "质检报告" }, { 0 }, NULL },
	{ { K(CK_FRAMES), R(PACKING), 0, 1, "打包视频关键帧（发货前录制）" }, { 0 }, NULL },
	{ { K(CK_CHAT), 0, 0, 1, "买家原话（聊天记录摘录）" }, { 0 }, NULL },
	{ { IMAGES, R(PACKING), 0, 2, "发货前打包照片" }, { 0 }, NULL },
	{ { IMAGES, R(DAMAGE_PHOTO), 1, 2, "买家照片" }, { 0 }, NULL },
	{ { K(CK_PHOTO), 0, 0, 2, "商品照片" }, { 0 }, NULL },
	{ { K(CK_FRAMES), 0, 0, 1, "视频关键帧" }, { 0 }, NULL },
	{ { K(CK_LOGISTICS), 0, 0, 1, "物流轨迹（签收记录高亮）" }, { 0 }, NULL },
	{ { K(CK_RECEIPT), 0, 0, 1, "凭证" }, { 0 }, NULL },
	{ { 0 }, { 0 }, NULL },
};

static const struct slot slots_other[] = {
	{ { K(CK_CHAT), 0, 0, 1, "聊天记录摘录（买家原话高亮）" }, { 0 }, NULL },
	{ { IMAGES, R(PACKING), 0, 2, "发货前打包照片" }, { 0 }, NULL },
	{ { K(CK_PHOTO), 0, 0, 2, "商品照片" }, { 0 }, NULL },
	{ { K(CK_FRAMES), 0, 0, 1, "视频关键帧" }, { 0 }, NULL },
	{ { K(CK_LOGISTICS), 0, 0, 1, "物流轨迹（签收记录高亮）" }, { 0 }, NULL },
	{ { K(CK_RECEIPT), 0, 0, 1, "凭证/签收/取件记录" }, { 0 }, NULL },
	{ { 0 }, { 0 }, NULL },
};

static const struct slot *
scenario_slots(const char *sc)
{
	if (strcmp(sc, "not_received") == 0)
		return slots_not_received;
	if (strcmp(sc, "damaged_in_transit") == 0)
		return slots_damaged;
	if (strcmp(sc, "quality") == 0 || strcmp(sc, "not_as_described") == 0 ||
	    strcmp(sc, "wrong_or_missing_item") == 0)
		return slots_goods;
	return slots_other;
}

/* What the planner knows of one exhibit. */
struct exrole {
	int ok;			/* a card can show it (kind_of) */
	enum cardkind k;
	unsigned roles;		/* CF_ROLE_BIT set, explicit and implied */
	int buyer;		/* supplied by the buyer */
	int used;
};

static int
group_takes(const struct slot_group *g, const struct exrole *r)
{
	if (!r->ok || r->used || g->take == 0 || !(g->kinds & K(r->k)))
		return 0;
	return g->want == 0 || (r->roles & g->want) || (g->buyer && r->buyer);
}

static int
kind_of(const struct exhibit *x, enum cardkind *k)
{
	if (strcmp(x->kind, "chat") == 0)
		*k = CK_CHAT;
	else if (strcmp(x->kind, "logistics") == 0)
		*k = CK_LOGISTICS;
	else if (strcmp(x->kind, "photo") == 0)
		*k = CK_PHOTO;
	else if (strcmp(x->kind, "video") == 0)
		*k = CK_FRAMES;
	else if (strcmp(x->kind, "receipt") == 0 ||
		 (x->format && (strcmp(x->format, "pdf") == 0)))
		*k = CK_RECEIPT;
	else
		return -1;
	return 0;
}

static void
plan_add(struct plan_card **v, size_t *n, enum cardkind k, int ex)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	memset(&(*v)[*n], 0, sizeof(**v));
	(*v)[*n].k = k;
	(*v)[*n].ex[0] = ex;
	(*v)[*n].nex = 1;
	(*n)++;
}

static int
plan(struct cf_db *db, const struct exhibits *ex, const struct pack_opts *o, const char *scenario,
     int maxcards, struct plan_card **out, size_t *nout, struct cf_err *err)
{
	struct plan_card *v = NULL;
	struct exrole *rl;
	size_t n = 0, i, j;
	enum cardkind k;
	int again;

	if (o->npick > 0) {
		for (i = 0; i < o->npick; i++) {
			int idx = -1;

			for (j = 0; j < ex->n; j++)
				if (ex->v[j].no == o->pick[i])
					idx = (int)j;
			if (idx < 0) {
				free(v);
				return cf_err_set(err, CF_EINPUT, "--pick %d: order '%s' has no "
						  "exhibit %d", o->pick[i], o->order_id, o->pick[i]);
			}
			if (kind_of(&ex->v[idx], &k) < 0)
				k = CK_RECEIPT;		/* shown as an image if it is one */
			plan_add(&v, &n, k, idx);
		}
		/* too many: let photos share cards, four at most */
		if ((int)n > maxcards) {
			size_t w = 0;

			for (i = 0; i < n; i++) {
				if (w > 0 && v[i].k == CK_PHOTO && v[w - 1].k == CK_PHOTO &&
				    v[w - 1].nex < 4 && (int)(n - i + w) > maxcards)
					v[w - 1].ex[v[w - 1].nex++] = v[i].ex[0];
				else
					v[w++] = v[i];
			}
			n = w;
		}
		if ((int)n > maxcards) {
			struct cf_buf b = CF_BUF_INIT;

			for (i = (size_t)maxcards; i < n; i++)
				cf_buf_addf(&b, "%s%d", i > (size_t)maxcards ? ", " : "",
					    ex->v[v[i].ex[0]].no);
			cf_err_set(err, CF_EINPUT, "the %zu picked exhibits need %zu cards but "
				   "the platform takes %d image%s: exhibit %s would be left out; "
				   "pick fewer", o->npick, n, maxcards, maxcards == 1 ? "" : "s",
				   b.data);
			cf_buf_release(&b);
			free(v);
			return -1;
		}
		*out = v;
		*nout = n;
		return 0;
	}
	rl = xcalloc(ex->n ? ex->n : 1, sizeof(*rl));
	for (j = 0; j < ex->n; j++) {
		enum cf_supplier sup = CF_SUPPLIER_UNKNOWN;

		rl[j].ok = kind_of(&ex->v[j], &rl[j].k) == 0;
		if (roles_of(db, ex->v[j].evidence_id, 0, &rl[j].roles, err) < 0 ||
		    roles_supplied_by(db, ex->v[j].evidence_id, &sup, err) < 0) {
			free(rl);
			free(v);
			return -1;
		}
		rl[j].buyer = sup == CF_SUPPLIER_BUYER;
	}
	again = 0;
	for (const struct slot *sl = scenario_slots(scenario); sl->a.kinds && (int)n < maxcards;
	     sl++) {
		struct plan_card c;
		int na = 0, nb = 0;

		memset(&c, 0, sizeof(c));
		for (j = 0; j < ex->n && na < sl->a.take; j++)
			if (group_takes(&sl->a, &rl[j])) {
				c.ex[c.nex++] = (int)j;
				rl[j].used = 1;
				na++;
			}
		for (j = 0; j < ex->n && nb < sl->b.take; j++)
			if (group_takes(&sl->b, &rl[j])) {
				c.ex[c.nex++] = (int)j;
				rl[j].used = 1;
				nb++;
			}
		if (c.nex == 0)
			continue;
		c.k = rl[c.ex[0]].k;
		if (c.k == CK_RECEIPT)
			c.k = CK_PHOTO;		/* an image card, as a photo */
		c.title = na && nb ? sl->title : na ? sl->a.title : sl->b.title;
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = c;
		/* a full photo slot makes one more card of the rest, never a third */
		if (na == sl->a.take && sl->a.take > 1 && sl->b.take == 0 && !again &&
		    (int)n < maxcards) {
			for (j = 0; j < ex->n; j++)
				if (group_takes(&sl->a, &rl[j]))
					break;
			if (j < ex->n) {
				again = 1;
				sl--;
				continue;
			}
		}
		again = 0;
	}
	free(rl);
	if (n == 0) {
		free(v);
		return cf_err_set(err, CF_EINPUT, "order '%s' has no exhibit a card can show "
				  "(chat, logistics, photo, video, receipt)", o->order_id);
	}
	*out = v;
	*nout = n;
	return 0;
}

/* ---- specs ---- */

static const char *
who_zh(const char *sender)
{
	if (strcmp(sender, "buyer") == 0)
		return "买家";
	if (strcmp(sender, "merchant") == 0)
		return "商家";
	if (strcmp(sender, "platform") == 0)
		return "平台";
	return "系统";
}

static int source_json(struct cf_db *db, const struct exhibit *x, const struct pack_opts *o,
		       json_t **out, struct cf_err *err);

/* At most this many images sent in the chat are shown on a chat card. */
#define PACK_CHAT_IMAGES 2

static int
chat_lines(struct cf_db *db, const struct exhibits *ex, const struct exhibit *x,
	   const struct pack_opts *o, const char *scenario, json_t *lines, json_t *srcs,
	   struct cf_err *err)
{
	int nimg = 0;

	struct db_stmt *st = NULL;
	int rc, nb = 0;

	(void)scenario;
	if (db_prepare(db, "SELECT time, sender, text, attachments FROM messages "
		       "WHERE evidence_id = ? ORDER BY seq", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, x->evidence_id);
	while ((rc = db_step(st)) == DB_ROW && json_array_size(lines) < PACK_CHAT_LINES) {
		const char *sender = (const char *)db_col_text(st, 1);
		const char *text = (const char *)db_col_text(st, 2);
		const char *att = (const char *)db_col_text(st, 3);
		char tb[64], *masked;
		struct cf_buf t = CF_BUF_INIT;
		json_t *l = json_object();

		fmt_time(db_col_type(st, 0) == DB_NULL ? -1 :
			 db_col_int64(st, 0), o->tz_offset, tb, sizeof(tb), 0);
		masked = mask_text(text ? text : "");
		cf_buf_addstr(&t, masked);
		free(masked);
		/* chat images linked to the exhibit that holds the file */
		if (att && *att) {
			json_t *a = json_loads(att, 0, NULL), *it;
			size_t i, j;

			json_array_foreach(a, i, it) {
				const char *nm = json_string_value(it);

				if (nm == NULL)
					continue;
				for (j = 0; j < ex->n; j++)
					if (strcmp(ex->v[j].name, nm) == 0)
						break;
				if (j < ex->n && strcmp(ex->v[j].kind, "photo") == 0 &&
				    nimg < PACK_CHAT_IMAGES && !json_object_get(l, "image")) {
					/*
					 * Shown beside the message: the original is a
					 * source of the card (caption, QR, derivation).
					 */
					json_t *src, *im = json_object();
					char hex[CF_SHA256_HEXLEN + 1];

					if (source_json(db, &ex->v[j], o, &src, err) < 0) {
						json_decref(im);
						json_decref(a);
						json_decref(l);
						cf_buf_release(&t);
						db_finalize(st);
						return -1;
					}
					json_array_append_new(srcs, src);
					cf_hex_encode(ex->v[j].sha256, CF_SHA256_LEN, hex);
					json_object_set_new(im, "sha256", json_string(hex));
					json_object_set_new(im, "exhibit", json_integer(ex->v[j].no));
					json_object_set_new(im, "name", json_string(nm));
					json_object_set_new(l, "image", im);
					nimg++;
				}
				if (j < ex->n)
					cf_buf_addf(&t, " [图片 %s → 证据%d]", nm, ex->v[j].no);
				else
					cf_buf_addf(&t, " [图片 %s，未入库]", nm);
			}
			json_decref(a);
		}
		json_object_set_new(l, "who", json_string(who_zh(sender ? sender : "system")));
		json_object_set_new(l, "time", json_string(tb));
		json_object_set_new(l, "text", json_string(t.data ? t.data : ""));
		json_object_set_new(l, "mark", json_boolean(sender && strcmp(sender, "buyer") == 0 &&
							    nb++ < 3));
		json_array_append_new(lines, l);
		cf_buf_release(&t);
	}
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return db_err(db, err, "cannot read the messages of exhibit %d", x->no);
	return 0;
}

static int
logistics_lines(struct cf_db *db, const struct exhibit *x, const struct pack_opts *o,
		json_t *lines, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int rc;
	long long total = 0, skip;

	if (db_prepare(db, "SELECT count(*) FROM logistics_events WHERE evidence_id = ?", &st,
		       err) < 0)
		return -1;
	db_bind_int64(st, 1, x->evidence_id);
	if (db_step(st) == DB_ROW)
		total = db_col_int64(st, 0);
	db_finalize(st);
	skip = total > PACK_LOG_LINES ? total - PACK_LOG_LINES : 0;	/* the last ones */
	if (db_prepare(db, "SELECT time, status, status_raw, location, description "
		       "FROM logistics_events WHERE evidence_id = ? ORDER BY time, seq "
		       "LIMIT -1 OFFSET ?", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, x->evidence_id);
	db_bind_int64(st, 2, skip);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *status = (const char *)db_col_text(st, 1);
		const char *raw = (const char *)db_col_text(st, 2);
		const char *loc = (const char *)db_col_text(st, 3);
		const char *desc = (const char *)db_col_text(st, 4);
		char tb[64], *m, *ml;
		json_t *l = json_object();

		fmt_time(db_col_type(st, 0) == DB_NULL ? -1 :
			 db_col_int64(st, 0), o->tz_offset, tb, sizeof(tb), 0);
		/*
		 * Masked as the dossier's transcript masks it (mask_text): phones,
		 * ID numbers and the street part of an address; a signer's name,
		 * a station or a word is never cut (mask_address would cut the
		 * whole rest of the line after its first 区/市-like character).
		 */
		m = mask_text(desc ? desc : "");
		ml = mask_text(loc ? loc : "");
		json_object_set_new(l, "who", json_string(raw && *raw ? raw : status ? status : ""));
		json_object_set_new(l, "time", json_string(tb));
		if (*ml && !strstr(m, ml)) {
			char *t = xasprintf("%s %s", ml, m);

			json_object_set_new(l, "text", json_string(t));
			free(t);
		} else {
			json_object_set_new(l, "text", json_string(m));
		}
		free(ml);
		free(m);
		/* the delivery, or the drop at a locker/station: what "not received" turns on */
		json_object_set_new(l, "mark", json_boolean(status && (strcmp(status, "delivered") == 0 ||
								       strcmp(status, "locker") == 0)));
		json_array_append_new(lines, l);
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot read the events of exhibit %d", x->no);
	return 0;
}

static const char *
title_of(const struct plan_card *c, const struct exhibits *ex, const char *scenario)
{
	switch (c->k) {
	case CK_LOGISTICS:
		return "物流轨迹（妥投/签收记录高亮）";
	case CK_CHAT:
		return "聊天记录摘录（买家原话高亮）";
	case CK_RECEIPT:
		return "凭证/签收/取件记录";
	case CK_FRAMES:
		return strcmp(scenario, "damaged_in_transit") == 0 ?
		       "打包视频关键帧（发货前录制）" : "视频关键帧";
	case CK_PHOTO:
		(void)ex;
		return strcmp(scenario, "damaged_in_transit") == 0 ? "商品/包装照片" : "商品照片";
	default:
		return "证据";
	}
}

static int
spec_new(struct vault *v, struct cf_db *db, const struct exhibits *ex, const struct plan_card *c,
	 const struct pack_opts *o, const char *scenario, const char *dossier_id,
	 int cardno, int ncards, json_t **out, struct cf_err *err)
{
	static const char *const layout[] = { "logistics", "chat", "photo", "photo", "frames" };
	json_t *s = json_object(), *srcs = json_array();
	int i;

	json_object_set_new(s, "format", json_string("casefile-card/1"));
	json_object_set_new(s, "layout", json_string(layout[c->k]));
	json_object_set_new(s, "title", json_string(c->title ? c->title : title_of(c, ex, scenario)));
	json_object_set_new(s, "order", json_string(o->order_id));
	json_object_set_new(s, "dossier", json_string(dossier_id));
	json_object_set_new(s, "platform", json_string(o->profile->name));
	json_object_set_new(s, "card", json_integer(cardno));
	json_object_set_new(s, "cards", json_integer(ncards));
	json_object_set_new(s, "width", json_integer(widths[0]));
	json_object_set_new(s, "quality", json_integer(qualities[0]));
	json_object_set_new(s, "notes", json_array());
	json_object_set_new(s, "sources", srcs);
	for (i = 0; i < c->nex; i++) {
		json_t *src;

		if (source_json(db, &ex->v[c->ex[i]], o, &src, err) < 0)
			goto fail;
		if (c->k == CK_FRAMES) {
			struct frames fi;
			struct cf_err e2 = CF_ERR_INIT;
			char *path = vault_object_path(v, ex->v[c->ex[i]].sha256);
			char tb[64];

			json_object_set_new(src, "frames", json_integer(4));
			/* the video's own creation time (container metadata) */
			if (frames_info(path, &fi, &e2) == 0 && fi.created_at >= 0) {
				fmt_time(fi.created_at, o->tz_offset, tb, sizeof(tb), 0);
				json_object_set_new(src, "video_created", json_string(tb));
			}
			frames_release(&fi);
			cf_err_release(&e2);
			free(path);
		}
		json_array_append_new(srcs, src);
	}
	if (c->k == CK_CHAT || c->k == CK_LOGISTICS) {
		json_t *lines = json_array();

		json_object_set_new(s, "lines", lines);
		if ((c->k == CK_CHAT ? chat_lines(db, ex, &ex->v[c->ex[0]], o, scenario, lines, srcs, err)
				     : logistics_lines(db, &ex->v[c->ex[0]], o, lines, err)) < 0)
			goto fail;
		if (json_array_size(lines) == 0) {
			json_object_set_new(s, "layout", json_string("note"));
			json_array_append_new(json_object_get(s, "notes"),
					      json_string(c->k == CK_CHAT ? "聊天记录中没有可读的消息" :
							  "物流记录中没有可读的轨迹"));
		}
	}
	*out = s;
	return 0;
fail:
	json_decref(s);
	return -1;
}

/* ---- rendering within the byte limit ---- */

struct rendered {
	json_t *spec;
	unsigned char *jpg;
	size_t len;
	char *file;
};

static int
render_fit(json_t *spec, const struct pack_opts *o, const char *font,
	   struct locate_ctx *lc, struct rendered *r, struct pack_report *rep,
	   struct cf_err *err)
{
	uint64_t limit = o->profile->max_image_bytes;
	size_t wi, qi;

	for (;;) {
		for (wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++) {
			for (qi = 0; qi < sizeof(qualities) / sizeof(qualities[0]); qi++) {
				json_object_set_new(spec, "width", json_integer(widths[wi]));
				json_object_set_new(spec, "quality", json_integer(qualities[qi]));
				free(r->jpg);
				r->jpg = NULL;
				if (pack_card_render(spec, font, locate_vault, lc, &r->jpg, &r->len,
						     err) < 0)
					return -1;
				if (limit == 0 || r->len <= limit)
					return 0;
				/* far too big: skip the qualities left at this width */
				if (r->len > limit * 2)
					break;
			}
		}
		/* drop the last photo and try again */
		{
			json_t *srcs = json_object_get(spec, "sources");
			size_t n = json_array_size(srcs);
			char *msg;

			if (n < 2 || strcmp(json_string_value(json_object_get(spec, "layout")),
					   "photo") != 0)
				break;
			msg = xasprintf("证据%lld 因 %llu 字节的图片大小限制未放入此卡片",
					(long long)json_integer_value(json_object_get(
						json_array_get(srcs, n - 1), "exhibit")),
					(unsigned long long)limit);
			json_array_append_new(json_object_get(spec, "notes"), json_string(msg));
			rep->notes = xreallocarray(rep->notes, rep->nnotes + 1, sizeof(char *));
			rep->notes[rep->nnotes++] = xasprintf(
				"card %lld: exhibit %lld left out to meet %llu bytes",
				(long long)json_integer_value(json_object_get(spec, "card")),
				(long long)json_integer_value(json_object_get(
					json_array_get(srcs, n - 1), "exhibit")),
				(unsigned long long)limit);
			free(msg);
			json_array_remove(srcs, n - 1);
		}
	}
	free(r->jpg);
	r->jpg = NULL;
	return cf_err_set(err, CF_EINPUT, "card %lld ('%s') cannot be made within the "
			  "platform's %llu bytes at a legible size (%d px, quality %d: %zu bytes)",
			  (long long)json_integer_value(json_object_get(spec, "card")),
			  json_string_value(json_object_get(spec, "title")),
			  (unsigned long long)limit, PACK_MIN_WIDTH, qualities[3], r->len);
}

/* ---- writing ---- */

static int
zip_add(struct archive *a, const char *name, const void *p, size_t n, struct cf_err *err)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	archive_entry_set_pathname(e, name);
	archive_entry_set_size(e, (la_int64_t)n);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, 1577836800, 0);	/* fixed: 2020-01-01, deterministic */
	r = archive_write_header(a, e);
	archive_entry_free(e);
	if (r != ARCHIVE_OK || (n > 0 && archive_write_data(a, p, n) != (la_ssize_t)n))
		return cf_err_set(err, CF_EARCHIVE, "cannot write '%s' into the kit: %s", name,
				  archive_error_string(a));
	return 0;
}

static int
dir_add(struct outfile *of, const char *name, const void *p, size_t n, struct cf_err *err)
{
	char *path = xasprintf("%s/%s", outfile_tmp_path(of), name);
	int fd, ret = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	free(path);
	if (fd < 0)
		return outfile_err(of, errno, err);
	if (outfile_count(of, n, err) < 0)
		goto out;
	if (write(fd, p, n) != (ssize_t)n || fsync(fd) < 0) {
		outfile_err(of, errno ? errno : EIO, err);
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

static size_t
ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcasecmp(s + a - b, suf) == 0;
}

/* Record the cards: evidence rows (kind other), derivations, leaves. */
static int
record_cards(struct vault *v, const struct pack_opts *o, struct rendered *r, size_t n,
	     const char *font, struct cf_err *err)
{
	struct ingest *in = NULL;
	size_t i;
	int ret = -1;

	if (ingest_begin(v, NULL, NULL, &in, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct ingest_item it;
		struct ingest_result res;
		int fd = memfd_create("casefile-card", MFD_CLOEXEC);
		char *name, *params, *note;
		const json_t *srcs = json_object_get(r[i].spec, "sources"), *s;
		json_t *inputs = json_array();
		char *inputs_s;
		size_t k;
		struct db_stmt *st = NULL;

		if (fd < 0 || write(fd, r[i].jpg, r[i].len) != (ssize_t)r[i].len ||
		    lseek(fd, 0, SEEK_SET) != 0) {
			if (fd >= 0)
				close(fd);
			json_decref(inputs);
			cf_err_errno(err, CF_EIO, "cannot stage card %zu", i + 1);
			goto out;
		}
		memset(&it, 0, sizeof(it));
		name = xasprintf("kit-%s-%s", o->profile->name, r[i].file);
		note = xasprintf("evidence card (derived): %s",
				 json_string_value(json_object_get(r[i].spec, "title")));
		it.order_id = o->order_id;
		it.name = name;
		it.source_path = name;
		it.mtime = -1;
		it.kind = CF_KIND_OTHER;
		it.note = note;
		memset(&res, 0, sizeof(res));
		if (ingest_fd(in, &it, fd, &res, err) < 0) {
			close(fd);
			free(name);
			free(note);
			json_decref(inputs);
			goto out;
		}
		close(fd);
		free(name);
		free(note);
		json_array_foreach(srcs, k, s)
			json_array_append(inputs, json_object_get(s, "sha256"));
		inputs_s = json_dumps(inputs, JSON_COMPACT);
		json_decref(inputs);
		params = json_dumps(r[i].spec, JSON_COMPACT | JSON_SORT_KEYS);
		if (db_prepare(vault_db(v), "INSERT OR IGNORE INTO derivations(evidence_id, tool, "
			       "inputs, params, casefile_version, created_at) "
			       "VALUES(?, 'pack-card', ?, ?, ?, ?)", &st, err) < 0) {
			free(inputs_s);
			free(params);
			goto out;
		}
		db_bind_int64(st, 1, res.evidence_id);
		db_bind_text(st, 2, inputs_s, -1, DB_TRANSIENT);
		db_bind_text(st, 3, params, -1, DB_TRANSIENT);
		db_bind_text(st, 4, CASEFILE_VERSION, -1, DB_STATIC);
		db_bind_int64(st, 5, o->now);
		free(inputs_s);
		free(params);
		if (db_step(st) != DB_DONE) {
			db_err(vault_db(v), err, "cannot record card %zu", i + 1);
			db_finalize(st);
			goto out;
		}
		db_finalize(st);
		(void)font;
	}
	if (ingest_commit(in, err) < 0)
		goto out;
	ret = 0;
out:
	ingest_free(in);
	return ret;
}

/*
 * statement.txt: the one "fit text to a platform's limit" of the project,
 * statement_variant() (the full form when it fits by the platform's
 * counting rule, else the shorter form cut at the last whole sentence), the
 * same text `casefile statement --platform` prints.  rep says whether the
 * full form had to give way.
 */
static char *
statement_new(struct cf_db *db, const struct pack_opts *o, const char *scenario,
	      struct pack_report *rep, struct cf_err *err)
{
	struct templates *t = NULL;
	struct statement_opts so;
	struct profile_limit lim;
	char *text = NULL, *full = NULL;
	int bytes = o->profile->count == PACK_COUNT_BYTES;

	if (templates_load(o->templates_dir, "zh", &t, err) < 0)
		return NULL;
	lim.max = (long)o->profile->max_text;
	lim.bytes = bytes;
	memset(&so, 0, sizeof(so));
	so.scenario = scenario;
	so.stance = o->stance;
	so.mask = 1;
	so.tz_offset = o->tz_offset;
	if (statement_variant(db, t, o->order_id, scenario, o->stance, &lim, 1, o->tz_offset,
			      &text, err) < 0 ||
	    statement_compose(db, t, o->order_id, &so, &full, err) < 0) {
		free(text);
		text = NULL;
		goto out;
	}
	rep->statement_len = statement_count(text, bytes);
	rep->statement_cut = strcmp(text, full) != 0;
out:
	free(full);
	templates_free(t);
	return text;
}

void
pack_report_release(struct pack_report *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->ncards; i++) {
		free(rep->cards[i].file);
		free(rep->cards[i].title);
	}
	free(rep->cards);
	for (i = 0; i < rep->nnotes; i++)
		free(rep->notes[i]);
	free(rep->notes);
	for (i = 0; i < rep->nunverified; i++)
		free(rep->unverified[i]);
	free(rep->unverified);
	memset(rep, 0, sizeof(*rep));
}

static void
add_unverified(struct pack_report *rep, const char *what)
{
	rep->unverified = xreallocarray(rep->unverified, rep->nunverified + 1, sizeof(char *));
	rep->unverified[rep->nunverified++] = xstrdup(what);
}

/*
 * The id of the dossier `casefile build ORDER` makes of the same exhibits
 * (dossier.h: every original attached), the one its manifest.json and its
 * cover carry, so a card names the dossier an arbiter can open.
 */
static void
dossier_id_of(struct exhibits *ex, char out[17])
{
	size_t i;

	for (i = 0; i < ex->n; i++) {
		free(ex->v[i].attachment);
		ex->v[i].attachment = dossier_attachment_name(&ex->v[i], -1);
	}
	dossier_id_compute(ex, out);
}

int
pack_build(struct vault *v, const struct pack_opts *o, struct pack_report *rep,
	   struct cf_err *err)
{
	struct cf_db *db = vault_db(v);
	struct exhibits ex = { NULL, 0 };
	struct dispute *d = NULL;
	struct plan_card *pl = NULL;
	size_t npl = 0, i;
	struct rendered *r = NULL;
	struct locate_ctx lc = { v };
	struct outfile *of = NULL;
	struct archive *za = NULL;
	char *font = NULL, *stmt = NULL, *kitjson = NULL;
	const char *scenario;
	int maxcards, ret = -1, zip = ends_with(o->out, ".zip");
	json_t *kit = NULL, *imgs;

	memset(rep, 0, sizeof(*rep));
	if (pack_vips_init(err) < 0)
		return -1;
	if (!o->profile->max_images_verified)
		add_unverified(rep, "number of images");
	if (!o->profile->max_image_bytes_verified)
		add_unverified(rep, "image size");
	if (!o->profile->max_text_verified)
		add_unverified(rep, "text length");
	if (o->font_file)
		font = xstrdup(o->font_file);
	else if ((font = pdf_font_find(o->fonts_dir, err)) == NULL)
		return -1;
	if (exhibits_load(db, o->order_id, &ex, err) < 0)
		goto out;
	dossier_id_of(&ex, rep->dossier_id);
	scenario = scenario_of(db, o, &d);
	maxcards = o->profile->max_images;
	if (o->cards > 0 && o->cards < maxcards)
		maxcards = o->cards;
	if (plan(db, &ex, o, scenario, maxcards, &pl, &npl, err) < 0)
		goto out;
	r = xcalloc(npl, sizeof(*r));
	for (i = 0; i < npl; i++) {
		struct cf_err e2 = CF_ERR_INIT;

		if (spec_new(v, db, &ex, &pl[i], o, scenario, rep->dossier_id, (int)i + 1, (int)npl,
			     &r[i].spec, err) < 0)
			goto out;
		r[i].file = xasprintf("card-%zu.jpg", i + 1);
		if (render_fit(r[i].spec, o, font, &lc, &r[i], rep, &e2) < 0) {
			if (e2.code != CF_EINPUT || strstr(e2.msg, "cannot be made within")) {
				cf_err_move(err, &e2);
				goto out;
			}
			/* a source that cannot be shown: the card says so */
			rep->notes = xreallocarray(rep->notes, rep->nnotes + 1, sizeof(char *));
			rep->notes[rep->nnotes++] = xasprintf("card %zu: %s", i + 1, e2.msg);
			rep->nbad++;
			json_object_set_new(r[i].spec, "layout", json_string("note"));
			json_object_del(r[i].spec, "lines");
			json_array_append_new(json_object_get(r[i].spec, "notes"),
					      json_string(e2.msg));
			cf_err_release(&e2);
			if (render_fit(r[i].spec, o, font, &lc, &r[i], rep, err) < 0)
				goto out;
		}
	}
	if ((stmt = statement_new(db, o, scenario, rep, err)) == NULL)
		goto out;

	/* kit.json */
	kit = json_object();
	json_object_set_new(kit, "format", json_string("casefile-kit/1"));
	json_object_set_new(kit, "platform", json_string(o->profile->name));
	json_object_set_new(kit, "profile_version", json_string(o->profile->version));
	json_object_set_new(kit, "profile_title", json_string(o->profile->title));
	json_object_set_new(kit, "order_id", json_string(o->order_id));
	json_object_set_new(kit, "scenario", json_string(scenario));
	json_object_set_new(kit, "dossier_id", json_string(rep->dossier_id));
	json_object_set_new(kit, "casefile_version", json_string(CASEFILE_VERSION));
	json_object_set_new(kit, "font", json_string(strrchr(font, '/') ? strrchr(font, '/') + 1
								       : font));
	{
		json_t *api = json_object(), *st = json_object();

		json_object_set_new(api, "images_field", json_string(o->profile->api_images));
		json_object_set_new(api, "text_field", json_string(o->profile->api_text));
		json_object_set_new(kit, "api", api);
		json_object_set_new(st, "file", json_string("statement.txt"));
		json_object_set_new(st, "text", json_string(stmt));
		json_object_set_new(st, "length", json_integer((json_int_t)rep->statement_len));
		json_object_set_new(st, "count", json_string(o->profile->count == PACK_COUNT_BYTES ?
							     "bytes" : "chars"));
		json_object_set_new(st, "max", json_integer((json_int_t)o->profile->max_text));
		json_object_set_new(kit, "statement", st);
	}
	{
		json_t *u = json_array();

		for (i = 0; i < rep->nunverified; i++)
			json_array_append_new(u, json_string(rep->unverified[i]));
		json_object_set_new(kit, "unverified", u);
	}
	imgs = json_array();
	json_object_set_new(kit, "images", imgs);
	rep->cards = xcalloc(npl, sizeof(*rep->cards));
	rep->ncards = npl;
	for (i = 0; i < npl; i++) {
		json_t *im = json_object(), *orig = json_array(), *s;
		unsigned char h[CF_SHA256_LEN];
		char hex[CF_SHA256_HEXLEN + 1], *qr;
		size_t k;

		cf_sha256(r[i].jpg, r[i].len, h);
		cf_hex_encode(h, CF_SHA256_LEN, hex);
		json_object_set_new(im, "file", json_string(r[i].file));
		json_object_set_new(im, "sha256", json_string(hex));
		json_object_set_new(im, "bytes", json_integer((json_int_t)r[i].len));
		json_object_set_new(im, "format", json_string("jpeg"));
		json_object_set_new(im, "title", json_object_get(r[i].spec, "title"));
		json_incref(json_object_get(r[i].spec, "title"));
		json_array_foreach(json_object_get(r[i].spec, "sources"), k, s) {
			json_t *oo = json_object();

			json_object_set(oo, "exhibit", json_object_get(s, "exhibit"));
			json_object_set(oo, "sha256", json_object_get(s, "sha256"));
			json_object_set(oo, "name", json_object_get(s, "name"));
			json_array_append_new(orig, oo);
		}
		json_object_set_new(im, "originals", orig);
		qr = pack_card_qr_text(r[i].spec);
		json_object_set_new(im, "qr", json_string(qr));
		free(qr);
		json_object_set(im, "spec", r[i].spec);
		json_array_append_new(imgs, im);
		rep->cards[i].file = xstrdup(r[i].file);
		rep->cards[i].title = xstrdup(json_string_value(json_object_get(r[i].spec, "title")));
		rep->cards[i].bytes = r[i].len;
		rep->cards[i].width = (int)json_integer_value(json_object_get(r[i].spec, "width"));
		rep->cards[i].quality = (int)json_integer_value(json_object_get(r[i].spec, "quality"));
		rep->cards[i].noted = json_array_size(json_object_get(r[i].spec, "notes")) > 0;
		memcpy(rep->cards[i].sha256, hex, sizeof(hex));
	}
	kitjson = json_dumps(kit, JSON_INDENT(2) | JSON_SORT_KEYS);

	/* write the whole kit under a temporary name */
	if (zip) {
		if (outfile_open(o->out, 0, &of, err) < 0)
			goto out;
		za = archive_write_new();
		if (archive_write_set_format_zip(za) != ARCHIVE_OK ||
		    archive_write_set_options(za, "zip:experimental=0") < ARCHIVE_WARN ||
		    archive_write_open_fd(za, outfile_fd(of)) != ARCHIVE_OK) {
			cf_err_set(err, CF_EARCHIVE, "cannot write '%s': %s", o->out,
				   archive_error_string(za));
			goto out;
		}
	} else {
		struct stat sb;

		if (lstat(o->out, &sb) == 0) {
			cf_err_set(err, CF_EINPUT, "'%s' exists: give a new folder or a .zip",
				   o->out);
			goto out;
		}
		if (outfile_mkdir(o->out, &of, err) < 0)
			goto out;
	}
	for (i = 0; i < npl; i++)
		if ((zip ? zip_add(za, r[i].file, r[i].jpg, r[i].len, err)
			 : dir_add(of, r[i].file, r[i].jpg, r[i].len, err)) < 0)
			goto out;
	{
		char *st = xasprintf("%s\n", stmt);

		if ((zip ? zip_add(za, "statement.txt", st, strlen(st), err)
			 : dir_add(of, "statement.txt", st, strlen(st), err)) < 0) {
			free(st);
			goto out;
		}
		free(st);
	}
	if ((zip ? zip_add(za, "kit.json", kitjson, strlen(kitjson), err)
		 : dir_add(of, "kit.json", kitjson, strlen(kitjson), err)) < 0)
		goto out;
	if (zip) {
		if (archive_write_close(za) != ARCHIVE_OK) {
			cf_err_set(err, CF_EARCHIVE, "cannot write '%s': %s", o->out,
				   archive_error_string(za));
			goto out;
		}
	}
	/* the vault first: a kit on disk always has its cards recorded */
	if (record_cards(v, o, r, npl, font, err) < 0)
		goto out;
	if (outfile_commit(of, zip ? 0644 : 0755, err) < 0)
		goto out;
	ret = 0;
out:
	if (za)
		archive_write_free(za);
	outfile_close(of);
	if (r) {
		for (i = 0; i < npl; i++) {
			json_decref(r[i].spec);
			free(r[i].jpg);
			free(r[i].file);
		}
		free(r);
	}
	free(pl);
	free(stmt);
	free(kitjson);
	json_decref(kit);
	free(font);
	dispute_free(d);
	exhibits_release(&ex);
	return ret;
}

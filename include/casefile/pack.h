/* SPDX-License-Identifier: MIT */
/*
 * pack — `casefile pack`: the submission kit for a platform's evidence
 * form: at most the platform's number of images ("evidence cards"), each
 * within its byte limit, statement.txt within its text limit, kit.json.
 *
 * Theory of operation
 * -------------------
 * A card is a pure function of (spec, originals, casefile version): the
 * spec is a JSON object (below) naming the originals by SHA-256 and every
 * choice made (layout, width, JPEG quality, the caption's facts as text,
 * the chat lines); pack_card_render() turns it into JPEG bytes with
 * libvips (Pango text, the project font named by file, no metadata
 * written), FFmpeg (video key frames) and libqrencode.  The same inputs
 * give the same bytes, so `casefile verify KIT` re-renders each card from
 * the spec recorded in kit.json and in the vault and compares bytes.
 *
 * Card spec, "casefile-card/1" (JSON object, keys sorted when stored):
 *   "format"   "casefile-card/1"
 *   "layout"   "photo" | "frames" | "chat" | "logistics" | "note"
 *   "width"    card width in pixels; "quality" JPEG quality 1..100
 *   "title"    what the card shows, in Chinese
 *   "order", "dossier" (16 hex), "platform", "card" (1-based), "cards"
 *   "sources"  [{ "exhibit": N, "sha256": hex, "name": original name,
 *                 "kind", "captured": display time or "",
 *                 "sealed": display time or "" (not sealed),
 *                 "tsa": TSA host or "", "video_created": display time or "",
 *                 "frames": count (layout frames) }]
 *   "lines"    [{ "who", "time", "text", "mark": bool }] (chat, logistics)
 *   "notes"    ["what could not be shown and why", ...]
 *
 * QR payload ("CFK1", ASCII, one field a line, no URL):
 *   CFK1
 *   o=<order id>
 *   d=<dossier id, 16 hex>
 *   c=<card>/<cards>
 *   e=<exhibit>:<first 16 hex of the original's SHA-256>   one a source
 *   s=<seal time of the latest-sealed source, UTC, YYYYMMDDTHHMMSSZ>@<TSA host>
 *      (absent when a source is not sealed)
 */
#ifndef CASEFILE_PACK_H
#define CASEFILE_PACK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "casefile/err.h"

struct vault;

/* ---- platform profiles (pack_profile.c; sources in its comments) ---- */

enum pack_count {
	PACK_COUNT_CHARS,	/* Unicode code points */
	PACK_COUNT_BYTES,	/* UTF-8 bytes */
};

struct pack_profile {
	const char *name;		/* "douyin" */
	const char *title;		/* "抖店 售后凭证 /afterSale/submitEvidence" */
	const char *version;		/* profile version, in kit.json */
	int max_images;
	int max_images_verified;	/* 0: nobody published it; a default */
	uint64_t max_image_bytes;
	int max_image_bytes_verified;
	const char *formats;		/* "jpeg,png" */
	size_t min_text, max_text;
	enum pack_count count;
	int max_text_verified;
	const char *api_images;		/* field the images go to */
	const char *api_text;		/* field the statement goes to */
	const char *source;		/* where the figures come from */
};

/* The profile named name (or an alias: "wechat", "taobao"), or NULL. */
const struct pack_profile *pack_profile_find(const char *name);
/* All profiles, NULL-terminated. */
extern const struct pack_profile *const pack_profiles[];
/*
 * s's length counted p's way (statement_count).  Fitting text to the limit
 * is statement_variant()'s (statement.h), the one implementation.
 */
size_t pack_text_length(const struct pack_profile *p, const char *s);

/* ---- cards (pack_card.c) ---- */

/* Where the original with this hex SHA-256 can be read: a path (heap). */
typedef char *(*pack_locate_fn)(void *cookie, const char *sha256_hex);

/* Initialise libvips once per process (thread-safe). 0, or -1 (err). */
int pack_vips_init(struct cf_err *err);

/*
 * Render the card spec into JPEG bytes (*out heap, *len).  font_file is the
 * TrueType/OpenType file Pango uses (part of the derivation).  A source
 * that cannot be shown (undecodable, too large) fails with CF_EINPUT
 * naming it; the caller then makes a "note" card saying so.
 */
int pack_card_render(const json_t *spec, const char *font_file,
		     pack_locate_fn locate, void *cookie, unsigned char **out,
		     size_t *len, struct cf_err *err);
/* The QR payload of spec (heap, NUL-terminated). */
char *pack_card_qr_text(const json_t *spec);

/* Pixel width below which captions are no longer legible. */
#define PACK_MIN_WIDTH 600
/* Largest source image, in pixels (a "photo bomb" beyond is refused). */
#define PACK_MAX_PIXELS (200LL * 1000 * 1000)

/* ---- the kit (pack.c) ---- */

struct pack_opts {
	const char *order_id;
	const struct pack_profile *profile;
	const char *out;		/* DIR, or FILE.zip */
	int cards;			/* --cards N; 0: profile's max */
	const int *pick;		/* --pick exhibit numbers, or NULL */
	size_t npick;
	const char *scenario;		/* NULL: the dispute's reason */
	int stance;			/* enum argument_stance, for statement.txt */
	const char *templates_dir;	/* NULL: default */
	const char *font_file;		/* NULL: pdf_font_find(fonts_dir) */
	const char *fonts_dir;		/* $CASEFILE_FONTS (ctx), or NULL */
	long long now;
	long tz_offset;
	const char *tz_name;
};

struct pack_card_out {
	char *file;			/* "card-1.jpg" */
	char *title;
	uint64_t bytes;
	int width, quality;
	char sha256[65];
	int noted;			/* 1: it says something could not be shown */
};

struct pack_report {
	struct pack_card_out *cards;
	size_t ncards;
	size_t statement_len;		/* counted the profile's way */
	int statement_cut;
	char dossier_id[17];
	char **notes;			/* "exhibit 5 'x.mp4': cannot decode…" */
	size_t nnotes;
	unsigned nbad;			/* items that could not be shown (exit 3) */
	char **unverified;		/* profile figures nobody published */
	size_t nunverified;
};

/*
 * Make the kit for o->order_id: choose and render the cards, draft the
 * statement, write o->out (a folder, or a zip when it ends in ".zip")
 * only when complete (nothing under that name on failure), and record
 * every card in the vault as derived evidence (an evidence row of kind
 * "other", a derivations row, a ledger leaf).  rep says what was done.
 * A platform whose limits cannot be met fails with CF_EINPUT, nothing
 * written; items that could not be shown are notes and rep->nbad.
 */
int pack_build(struct vault *v, const struct pack_opts *o,
	       struct pack_report *rep, struct cf_err *err);
void pack_report_release(struct pack_report *rep);

/* ---- verify a kit (pack_verify.c) ---- */

struct pack_check {
	char *what;			/* "card-1.jpg", "statement.txt" */
	int ok;
	char *detail;			/* why it failed, or what passed */
};

struct pack_verify_report {
	struct pack_check *v;
	size_t n, nfailed;
};

/*
 * Check the kit at path (folder or .zip): for each card, its bytes
 * against kit.json's SHA-256, re-rendered from its spec and its originals
 * and compared byte for byte; the statement's length against the profile.
 * The originals come from the vault v (by hash, each re-hashed; the card
 * must be recorded there as derived evidence with the same spec), or, when
 * dossier is not NULL, from that signed dossier's attachments: the dossier
 * is verified (one check line, its failures named), its id must be the
 * one the kit names, and each card's originals must be exhibits of it with
 * the numbers the card gives them, attached (one left out or listed only
 * fails the card, saying so).  v may be NULL when dossier is given.
 * font_file NULL: pdf_font_find(fonts_dir) ($CASEFILE_FONTS, from ctx).
 * Returns 0 when the kit could be read (rep filled; nfailed > 0 is a
 * failed check), or -1 (CF_EINPUT: not a kit; CF_EIO: system).
 */
int pack_verify(struct vault *v, const char *path, const char *dossier,
		const char *font_file, const char *fonts_dir, struct pack_verify_report *rep,
		struct cf_err *err);
void pack_verify_report_release(struct pack_verify_report *rep);

#endif

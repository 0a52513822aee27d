/* SPDX-License-Identifier: MIT */
/*
 * dossier — `casefile build`: turn everything the vault holds for an order
 * into the arbitration PDF (cover, statement, timeline, exhibit index,
 * exhibits, integrity appendix), with originals and manifest.json attached.
 *
 * Exhibits are numbered by exhibits.h; the statement and `casefile check`
 * cite the same numbers.
 *
 * Re-exported chat and logistics files: see exhibits.h.
 *
 * manifest.json (attached) has exactly this shape:
 *   {"format":"casefile-manifest/1","dossier_id":"…","order_id":"…",
 *    "generated_at":"2025-05-04T02:00:00Z","exhibits":[{"no":1,
 *    "kind":"chat","name":"chat.json","attachment":"E001-chat.json",
 *    "sha256":"<hex>","size":123,"ingested_at":"…Z","evidence_id":7}]}
 * "attachment" is null for a file left out by --no-attach-media.
 * Attachment names are "E%03d-<original name, '/' and '\\' → '_'>".
 * dossier_id is the first 16 hex digits of SHA-256 over the exhibit list
 * (same rows → same id).
 */
#ifndef CASEFILE_DOSSIER_H
#define CASEFILE_DOSSIER_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/db.h"

#include "casefile/err.h"
#include "casefile/exhibits.h"
#include "casefile/hash.h"
#include "casefile/pdf.h"

struct vault;

/* Hook to attach more files (e.g. the ledger's proofs.json) before saving. */
typedef int (*dossier_attach_fn)(void *arg, struct pdf *p,
				 const struct exhibits *ex,
				 struct cf_err *err);

/*
 * What the last page says about the signature the presave hook will add
 * (pades_signer_info gives the first three, so page and signature agree).
 */
struct dossier_signature {
	const char *signer;		/* certificate subject (CN) */
	const char *fingerprint;	/* certificate SHA-256, "AB:CD:…" */
	const char *tsa;		/* TSA URL, or NULL: PAdES B-B */
	long long when;			/* signing time, the signature's /M (UTC) */
};

struct dossier_opts {
	const char *order_id;
	const char *out_path;		/* the PDF to write */
	const char *lang;		/* "zh" (default) or "en" */
	const char *templates_dir;	/* NULL: default search */
	const char *statement_path;	/* free text overriding the template */
	const char *scenario;		/* NULL: from the dispute, else other */
	size_t statement_max_chars;	/* the drafted statement's limit in
					   characters (the profile's, as
					   `casefile statement`); 0: none */
	int no_mask;
	int64_t media_max;		/* -1: attach all; else leave out videos
					   and photos larger than this */
	long long now;			/* generation time, UTC */
	long tz_offset;			/* display zone */
	const char *font_path;		/* NULL: pdf_font_find() */
	uint64_t max_bytes;		/* largest PDF (dossier.max_bytes); 0:
					   PDF_SAVE_MAX, what a cross-reference
					   table can address.  A dossier that
					   could pass it is refused, nothing
					   written */
	int ledger_proofs;		/* 1: the integrity appendix shows each
					   exhibit's ledger proof against the
					   latest tree head (as proofs.json,
					   which attach_hook then attaches) */
	dossier_attach_fn attach_hook;	/* may be NULL */
	void *hook_arg;			/* for attach_hook */
	pdf_presave_fn presave_hook;	/* e.g. signing; may be NULL */
	void *presave_arg;		/* for presave_hook */
	const struct dossier_signature *signature;
					/* shown on the last page; NULL: the
					   page says the dossier is unsigned */
};

struct dossier_report {
	int pages;
	size_t exhibits, attached, left_out, cards;
	char dossier_id[17];
	char **notes;			/* what it did ("exhibit 3 'x.heic': …") */
	size_t nnotes;
};

/*
 * Build the dossier.  On success the PDF is at o->out_path (written to a
 * temp file and renamed); rep says what was done.  On failure nothing is
 * at out_path that was not there before.  CF_ENOTFOUND: no such order.
 * Before rendering, every evidence row of the order is re-derived from
 * its sealed original and its dispute checked against its ledger leaves
 * (rederive_check_order): CF_EVERIFY naming the item when they differ.
 */
int dossier_build(struct vault *v, const struct dossier_opts *o,
		  struct dossier_report *rep, struct cf_err *err);
void dossier_report_release(struct dossier_report *rep);

#endif

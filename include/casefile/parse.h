/* SPDX-License-Identifier: MIT */
/*
 * parse — sniff an evidence file's kind from its content and parse it into
 * the vault's tables (contract shared by ingest.c and the parsers).
 *
 * Parsing never fails because the input is bad: content that cannot be
 * understood is kept as kind "other" (or the forced kind without rows) and
 * a warning says why.  Only internal failures return -1.
 */
#ifndef CASEFILE_PARSE_H
#define CASEFILE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "casefile/err.h"

enum cf_kind {
	CF_KIND_CHAT,
	CF_KIND_LOGISTICS,
	CF_KIND_ORDER,
	CF_KIND_PHOTO,
	CF_KIND_VIDEO,
	CF_KIND_RECEIPT,
	CF_KIND_OTHER,
};

/* "chat", "logistics", …, "other"; static storage. */
const char *cf_kind_name(enum cf_kind k);
/* 0 and *k set when s names a kind, else -1. */
int cf_kind_from_name(const char *s, enum cf_kind *k);

struct parsed;

/*
 * Sniff and parse one file.  data/n is the content; complete is non-zero
 * when data holds all of it, else it is the first n of total bytes.  fd is
 * a readable, seekable descriptor of the complete stored content (for
 * parsers that need more than data); it is never closed.  name is the
 * original base name, a hint only.  forced is an enum cf_kind or -1.
 * On success *out is freed with parsed_free().
 */
int parse_evidence(const void *data, size_t n, int complete, uint64_t total,
		   int fd, const char *name, int forced, struct parsed **out,
		   struct cf_err *err);
enum cf_kind parsed_kind(const struct parsed *p);
size_t parsed_warning_count(const struct parsed *p);
/* Borrowed until parsed_free(); no file prefix ("line 3, column 1: …"). */
const char *parsed_warning(const struct parsed *p, size_t i);
/* 1 when warning i means the input was not understood (exit 3). */
int parsed_warning_bad(const struct parsed *p, size_t i);
/* The order id the file states about itself, or NULL. */
const char *parsed_order_id(const struct parsed *p);
/* Insert the parsed rows for evidence_id (inside the caller's transaction). */
int parsed_store(const struct parsed *p, sqlite3 *db, int64_t evidence_id,
		 struct cf_err *err);
void parsed_free(struct parsed *p);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * parse — recognise an evidence file by its content and read it into rows.
 *
 * parse_evidence() looks at the bytes (magic numbers for images, videos and
 * PDFs; JSON, CSV or transcript shape for text), decides the kind, and
 * parses what FORMATS.md describes: chat logs (JSON, CSV, plain-text
 * transcript), logistics records (JSON, CSV), order records (JSON) and media
 * facts (image format, size, EXIF orientation and capture time, GPS flag;
 * video duration).  The file name is only a hint, used when the content
 * allows two readings.  parsed_store() (parsed_writer.h, in src/store/)
 * writes the result into the vault's tables; the parsers know no SQL.
 *
 * Invariants:
 *  - Bad input never fails the call.  Content that cannot be read at all is
 *    kind "other" (or the forced kind, without rows) with a "bad" warning;
 *    a record with one unreadable field is kept with that field NULL and a
 *    bad warning naming the entry ("message 3: bad time '2025-02-30 10:00':
 *    no such day", "message 4: 'time': number 1e400 is out of range, read
 *    as null"); a JSON entry with a syntax error inside, or a CSV record cut
 *    short by an unclosed quote, costs that entry only.  Nothing is guessed
 *    silently: a local time is China time, never UTC; an impossible date is
 *    refused, never rolled over.  The rules are docs/formats.md.
 *  - Fields no column maps are kept beside the text (`extra`, JSON), never
 *    in it; sub-second times keep their milliseconds (`time_ms`).
 *  - Warnings carry no file name: the caller prefixes it.
 *  - Times are UTC seconds; money is integer fen, never via floating point
 *    from a decimal string.
 *  - Memory does not grow with the size of videos: MP4/MOV headers are read
 *    with pread(2) box by box.  Text files are parsed whole up to
 *    PARSE_MAX_TEXT bytes (a JSON document one list element at a time:
 *    about twice the text at most); images up to PARSE_MAX_IMAGE bytes.
 */
#ifndef CASEFILE_PARSE_H
#define CASEFILE_PARSE_H

#include <stddef.h>
#include <stdint.h>


#include "casefile/err.h"
#include "casefile/kind.h"

/* Larger text files are stored but not parsed (with a bad warning). */
#define PARSE_MAX_TEXT (64u << 20)
/*
 * At most this many warnings are kept per file, then one summary warning
 * ("... and N more warnings", bad if any of them was): a 60 MB CSV with a
 * broken line in every row must not make a million warning rows.
 */
#define PARSE_MAX_WARNINGS 200
/* Larger images are stored with their format only (with a note). */
#define PARSE_MAX_IMAGE (128u << 20)

struct parsed;

/*
 * Sniff and parse one evidence file.
 *   data/n    the content; complete != 0 when data is all of it, else it is
 *             the first n of `total` bytes
 *   fd        readable, seekable fd of the whole stored content (pread only,
 *             never closed, its offset never changed); may be -1 when
 *             complete != 0
 *   name      the original file name (a hint), or NULL
 *   forced    an enum cf_kind to force (--kind), or -1 to sniff.  With
 *             CF_KIND_OTHER nothing is parsed and no warning is given.
 * On success *out owns the result (parsed_free()).  Returns -1 only for an
 * internal failure (I/O error reading fd), with err set and *out untouched.
 */
int parse_evidence(const void *data, size_t n, int complete, uint64_t total,
		   int fd, const char *name, int forced, struct parsed **out,
		   struct cf_err *err);

/*
 * The classifier of every path into the vault (ingest and import): the
 * same as parse_evidence(), then the name and the folders of path (the
 * path under the order folder, or as given; may be NULL) are a hint that
 * counts only when the content agrees (src/parse_hint.c has the table):
 * an image or a pdf in a folder receipts/ is a receipt; content that was
 * not understood stays "other" with a bad warning saying what its name or
 * folder promised ("expected an image (named 'a.webp') ..."); content
 * understood as another kind keeps that kind, with a note.  With forced
 * >= 0 it is parse_evidence() alone.  Returns as parse_evidence().
 */
int parse_classify(const void *data, size_t n, int complete, uint64_t total,
		   int fd, const char *name, const char *path, int forced,
		   struct parsed **out, struct cf_err *err);

enum cf_kind parsed_kind(const struct parsed *p);

size_t parsed_warning_count(const struct parsed *p);
/* Warning i (borrowed), e.g. "line 17, column 3: expected ',' or '}'". */
const char *parsed_warning(const struct parsed *p, size_t i);
/* 1 when warning i means the input was not understood (exit 3), 0 for a note. */
int parsed_warning_bad(const struct parsed *p, size_t i);

/*
 * A multi-order export (a 抖店 or 微信小店 order export: one row, or one
 * row per sub-order, for each order) holds many orders: keep only the
 * record of order_id, so an evidence row of that order gets that order's
 * record and the rows it came from (source_row).  Without a record for it
 * the parse has no order rows and a bad warning says so ("the export has
 * no order X; it holds N orders").  A no-op for any other parse.
 */
void parsed_select_order(struct parsed *p, const char *order_id);
/* Number of orders in a multi-order export (0 for any other parse). */
size_t parsed_order_count(const struct parsed *p);
/* The id of order i of a multi-order export (borrowed). */
const char *parsed_order_at(const struct parsed *p, size_t i);

/* The order id stated inside the file (chat, logistics, order JSON), or NULL. */
const char *parsed_order_id(const struct parsed *p);

/* Accepts NULL. */
void parsed_free(struct parsed *p);

#endif

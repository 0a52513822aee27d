/* SPDX-License-Identifier: MIT */
/*
 * csv — an RFC 4180 reader over UTF-8 text in memory.
 *
 * Fields are separated by ',' and records by CRLF, LF or a lone CR.  A field
 * in double quotes may hold commas, line breaks and doubled quotes ("").
 * The reader is lenient where exports are sloppy and says so: a quote in
 * the middle of an unquoted field is kept as text, text after a closing quote
 * is appended, and an unterminated quoted field runs to the end of the
 * input — or, when the caller says how to recognise the start of a record
 * (csv_set_resync()), to the end of the line before the first line inside
 * it that starts one; each of these sets the row's problem message
 * (csv_problem()).
 * Blank lines are skipped.  No size limit applies except memory: a field is
 * as long as the input.
 */
#ifndef CASEFILE_CSV_H
#define CASEFILE_CSV_H

#include <stddef.h>

struct csv;

/* A reader over s[0..n) (borrowed: must outlive the reader). */
struct csv *csv_new(const char *s, size_t n);
void csv_free(struct csv *c);

/*
 * Resynchronise after a quoted field that is not closed where it should
 * be.  When a record spans lines (a quoted field holds line breaks) and is
 * irregular — a problem, or not nfields fields — and one of the lines inside
 * it makes starts(cookie, line, n) return 1, the record ends at the line
 * break before the first such line (its problem says which lines), and the
 * next record is read from that line.  starts sees one line without its
 * line break.  Call before the first csv_next() that should resynchronise.
 */
void csv_set_resync(struct csv *c, size_t nfields,
		    int (*starts)(void *cookie, const char *line, size_t n), void *cookie);

/*
 * Read the next record.  Returns 1 with the record available through the
 * accessors below, or 0 at the end of the input.
 */
int csv_next(struct csv *c);
/* Number of fields of the current record (>= 1). */
size_t csv_nfields(const struct csv *c);
/*
 * Field i of the current record, NUL-terminated (may also hold NULs: *len
 * is the truth); borrowed until the next csv_next().  NULL when i is out of
 * range.
 */
const char *csv_field(const struct csv *c, size_t i, size_t *len);
/* 1-based line on which the current record starts. */
size_t csv_line(const struct csv *c);
/* What was irregular in the current record ("unterminated quoted field"), or NULL. */
const char *csv_problem(const struct csv *c);

#endif

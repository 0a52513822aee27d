/* SPDX-License-Identifier: MIT */
/*
 * bigxref — correct byte offsets in a PDF that libharu 2.3.0 writes past
 * 2 GiB, while it is being written (issue 19).
 *
 * libharu keeps the output position in a 32-bit unsigned number and prints
 * cross-reference entries through a helper that clamps anything above
 * 2^31 - 1, and `startxref` as a signed 32-bit number: past 2 GiB every
 * offset is wrong (clamped, then wrapped past 4 GiB) and the file is
 * damaged.  The content itself is right.  So the filter sits between
 * libharu and the file: it counts the true 64-bit position of every byte,
 * notes where each object's header `N G obj\n` really starts, and replaces
 * the cross-reference entries (same width: 10 digits, enough for files up
 * to 9,999,999,999 bytes, BIGXREF_MAX) and the `startxref` number with the
 * true ones.  Below 2 GiB the replacements equal what libharu wrote.
 *
 * Theory of operation: libharu 2.3.0's cross-reference writer writes,
 * each as one write call: an object header "N G obj\n", the object, then
 * "\nendobj\n"; after the last object "xref\nS C\n", then C entries of 20
 * bytes "OOOOOOOOOO GGGGG n\r\n", "trailer\n", the trailer dictionary,
 * "\nstartxref\n", the number, "\n%%EOF\n".  A header is taken as one only
 * when the write before it was exactly "\nendobj\n" (or it is the first
 * object) and its number is the next expected one (or the last one again,
 * which then replaces it).  Bytes of an embedded file arrive in the
 * stream's own fixed-size chunks and are always followed by "\nendstream",
 * so they cannot form that pair of writes; and should they ever, the real
 * header comes later and wins.
 */
#ifndef CASEFILE_BIGXREF_H
#define CASEFILE_BIGXREF_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/err.h"

/* The largest PDF whose offsets fit the 10 digits of an xref entry. */
#define BIGXREF_MAX 9999999999ull

struct bigxref;

/* A filter for one save; free with bigxref_free(). */
struct bigxref *bigxref_new(void);
void bigxref_free(struct bigxref *x);

/*
 * Pass one of libharu's write calls through the filter: *out and *outn are the
 * bytes to write in its place (p itself, or a corrected copy borrowed from
 * x until the next call).  -1 (CF_EPDF) when an offset cannot be corrected
 * (the file would pass BIGXREF_MAX, an entry names an object whose header
 * was not seen, or, below 2 GiB, libharu's offset differs from the one
 * seen); nothing should be written then.
 */
int bigxref_filter(struct bigxref *x, const unsigned char *p, size_t n,
		   const unsigned char **out, size_t *outn, struct cf_err *err);

/*
 * After the last write: 0 when the cross-reference table and startxref
 * were seen and written right (whatever the size), else -1 (CF_EPDF).
 */
int bigxref_finish(struct bigxref *x, struct cf_err *err);

/* Bytes passed out so far: the true size of the file written. */
uint64_t bigxref_size(const struct bigxref *x);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * pdfread — a small, defensive PDF reader for signing and verifying.
 *
 * It reads what the signer and the verifier need and nothing more: the
 * cross-reference data (classic tables, incremental sections chained by
 * /Prev, hybrid /XRefStm, cross-reference streams and object streams), the
 * trailer, indirect objects on demand, and stream data decoded through
 * FlateDecode (with PNG/TIFF predictors).  Encrypted PDFs are refused.
 *
 * Invariants:
 *  - The file is mapped read-only; objects are parsed lazily and cached, so
 *    opening a 64 MB PDF touches only its tail and the objects asked for.
 *  - Every object returned is borrowed from the struct pdf and stays valid
 *    until pdf_close().  Lookups never fail on a missing key or object:
 *    they return NULL (a missing object behaves as the null object).
 *  - Nesting depth, object numbers and decoded sizes are bounded, so
 *    malformed input yields CF_EPDF errors, never a crash or a hang.
 *
 * Objects built by the caller (pdf_obj_new_* / pdf_obj_copy) are owned by
 * the caller and freed with pdf_obj_free(); pdf_obj_write() serialises any
 * object in PDF syntax for incremental updates.
 */
#ifndef CASEFILE_PDFREAD_H
#define CASEFILE_PDFREAD_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/buf.h"
#include "casefile/err.h"

enum pdf_type {
	PDF_NULL,
	PDF_BOOL,
	PDF_INT,
	PDF_REAL,
	PDF_NAME,	/* u.s without the leading slash, #xx decoded */
	PDF_STRING,	/* u.s decoded bytes (literal or hex form) */
	PDF_ARRAY,	/* u.a */
	PDF_DICT,	/* u.d */
	PDF_REF,	/* u.ref */
	PDF_STREAM,	/* u.d is the stream dictionary; soff/slen the raw data */
};

struct pdf_obj {
	enum pdf_type type;
	union {
		int b;
		long long i;
		double r;
		struct { char *p; size_t n; } s;
		struct { struct pdf_obj **v; size_t n; } a;
		struct { char **k; struct pdf_obj **v; size_t n; } d;
		struct { unsigned num, gen; } ref;
	} u;
	uint64_t soff, slen;	/* PDF_STREAM only: offset/length in the file */
};

struct pdf;

/* Limits applied to untrusted input. */
#define PDF_MAX_DEPTH 64
#define PDF_MAX_OBJECTS (1u << 23)

/*
 * Open and map path, read its cross-reference data and trailer.  Fails with
 * CF_EIO (cannot open/map), or CF_EPDF naming the file and the problem
 * ("not a PDF", "encrypted PDFs are not supported", "bad xref at 1234").
 * *out is closed with pdf_close().
 */
int pdf_open(const char *path, struct pdf **out, struct cf_err *err);
/* The same over memory; data is borrowed and must outlive the handle. */
int pdf_open_mem(const void *data, size_t n, struct pdf **out,
		 struct cf_err *err);
/* Unmap and free every cached object.  Accepts NULL. */
void pdf_close(struct pdf *pdf);

/* File size, the offset of the newest xref section, whether that section is
 * a cross-reference stream, and the trailer /Size (next free object number). */
uint64_t pdf_size(const struct pdf *pdf);
uint64_t pdf_startxref(const struct pdf *pdf);
int pdf_xref_is_stream(const struct pdf *pdf);
unsigned pdf_xref_size(const struct pdf *pdf);
/* The whole file (borrowed); touching it pages it in. */
const unsigned char *pdf_data(const struct pdf *pdf);
/* The newest trailer (for xref streams: the stream's dictionary). */
const struct pdf_obj *pdf_trailer(const struct pdf *pdf);

/*
 * Indirect object num (any generation).  Returns NULL when it is free,
 * missing or unparsable; a parse failure is also recorded in err when err is
 * not NULL.
 */
const struct pdf_obj *pdf_get(struct pdf *pdf, unsigned num, struct cf_err *err);
/* Follow references (a bounded number of times); NULL for null/missing. */
const struct pdf_obj *pdf_resolve(struct pdf *pdf, const struct pdf_obj *o);
/* Dictionary (or stream dictionary) lookup; NULL when absent. */
const struct pdf_obj *pdf_dict_get(const struct pdf_obj *d, const char *key);
/* pdf_dict_get then pdf_resolve. */
const struct pdf_obj *pdf_dict_getr(struct pdf *pdf, const struct pdf_obj *d,
				    const char *key);
/* 1 when o is a name equal to s. */
int pdf_is_name(const struct pdf_obj *o, const char *s);

/* The catalog (/Root) and the reference of page index 0; -1 with CF_EPDF. */
const struct pdf_obj *pdf_catalog(struct pdf *pdf, unsigned *num, unsigned *gen);
int pdf_first_page(struct pdf *pdf, unsigned *num, unsigned *gen,
		   struct cf_err *err);

/*
 * Decode a stream's data (FlateDecode or unfiltered) into out (appended).
 * Refuses more than max decoded bytes and unsupported filters (CF_EPDF).
 */
int pdf_stream_read(struct pdf *pdf, const struct pdf_obj *stream, size_t max,
		    struct cf_buf *out, struct cf_err *err);
/*
 * Decode a stream, handing the decoded bytes to fn in pieces; memory use is
 * bounded whatever the stream size.  fn returns 0 to continue or -1 to stop
 * (its error in err).  Predictors are not supported here (CF_EPDF).
 */
typedef int (*pdf_sink_fn)(void *cookie, const void *p, size_t n,
			   struct cf_err *err);
int pdf_stream_decode(struct pdf *pdf, const struct pdf_obj *stream,
		      pdf_sink_fn fn, void *cookie, struct cf_err *err);

/*
 * Walk a name tree (e.g. /Names /EmbeddedFiles) calling fn for each
 * (key, value) leaf, value unresolved.  Bounded depth; cycles are refused.
 */
typedef int (*pdf_name_fn)(void *cookie, const struct pdf_obj *key,
			   const struct pdf_obj *value, struct cf_err *err);
int pdf_name_tree_walk(struct pdf *pdf, const struct pdf_obj *root,
		       pdf_name_fn fn, void *cookie, struct cf_err *err);

/* Caller-built objects. */
struct pdf_obj *pdf_obj_new(enum pdf_type type);
struct pdf_obj *pdf_obj_new_int(long long v);
struct pdf_obj *pdf_obj_new_name(const char *name);
struct pdf_obj *pdf_obj_new_string(const void *p, size_t n);
struct pdf_obj *pdf_obj_new_ref(unsigned num, unsigned gen);
/* Deep copy (streams copy their dictionary and data location). */
struct pdf_obj *pdf_obj_copy(const struct pdf_obj *o);
/* Set key in dictionary d, replacing (and freeing) any old value; d owns v. */
void pdf_dict_set(struct pdf_obj *d, const char *key, struct pdf_obj *v);
/* Append v to array a; a owns v. */
void pdf_array_push(struct pdf_obj *a, struct pdf_obj *v);
void pdf_obj_free(struct pdf_obj *o);
/* Serialise o in PDF syntax (strings in hex, names #-escaped). */
void pdf_obj_write(struct cf_buf *b, const struct pdf_obj *o);

#endif

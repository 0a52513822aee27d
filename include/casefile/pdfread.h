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
 *  - Every object returned is borrowed from the struct pdfread and stays
 *    valid until pdfread_close().  Lookups never fail on a missing key or object:
 *    they return NULL (a missing object behaves as the null object).
 *  - Nesting depth, object numbers and decoded sizes are bounded, so
 *    malformed input yields CF_EPDF errors, never a crash or a hang.
 *  - Work and memory are linear in the file size n: parsed objects and
 *    decoded object streams are charged to a budget of 2n + 4 MB (an
 *    object past it fails to parse: "objects need more than N MB"), the
 *    xref table holds at most n/32 + 65536 object numbers, each xref
 *    section is read once, name-tree nodes are visited once.
 *
 * Objects built by the caller (pdfread_obj_new_* / pdfread_obj_copy) are
 * owned by the caller and freed with pdfread_obj_free(); pdfread_obj_write()
 * serialises any object in PDF syntax for incremental updates.
 *
 * Names: everything here is pdfread_* / PDFREAD_* (struct pdfread, struct
 * pdfread_obj); pdf_* belongs to the layout engine (pdf.h) that writes the
 * dossier.
 */
#ifndef CASEFILE_PDFREAD_H
#define CASEFILE_PDFREAD_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/buf.h"
#include "casefile/err.h"

enum pdfread_type {
	PDFREAD_NULL,
	PDFREAD_BOOL,
	PDFREAD_INT,
	PDFREAD_REAL,
	PDFREAD_NAME,	/* u.s without the leading slash, #xx decoded */
	PDFREAD_STRING,	/* u.s decoded bytes (literal or hex form) */
	PDFREAD_ARRAY,	/* u.a */
	PDFREAD_DICT,	/* u.d */
	PDFREAD_REF,	/* u.ref */
	PDFREAD_STREAM,	/* u.d is the stream dictionary; soff/slen the raw data */
};

struct pdfread_obj {
	enum pdfread_type type;
	union {
		int b;
		long long i;
		double r;
		struct { char *p; size_t n; } s;
		struct { struct pdfread_obj **v; size_t n; } a;
		struct { char **k; struct pdfread_obj **v; size_t n; } d;
		struct { unsigned num, gen; } ref;
	} u;
	uint64_t soff, slen;	/* PDFREAD_STREAM only: offset/length in the file */
};

struct pdfread;

/* Limits applied to untrusted input. */
#define PDFREAD_MAX_DEPTH 64
#define PDFREAD_MAX_OBJECTS (1u << 23)

/*
 * Open and map path, read its cross-reference data and trailer.  Fails with
 * CF_EIO (cannot open/map), or CF_EPDF naming the file and the problem
 * ("not a PDF", "encrypted PDFs are not supported", "bad xref at 1234").
 * *out is closed with pdfread_close().
 */
int pdfread_open(const char *path, struct pdfread **out, struct cf_err *err);
/* The same over memory; data is borrowed and must outlive the handle. */
int pdfread_open_mem(const void *data, size_t n, struct pdfread **out,
		 struct cf_err *err);
/* Unmap and free every cached object.  Accepts NULL. */
void pdfread_close(struct pdfread *pdf);

/* 1 when some object could not be parsed within the memory budget: what
 * was read is incomplete, and a verifier must say so. */
int pdfread_exhausted(const struct pdfread *pdf);
/* File size, the offset of the newest xref section, whether that section is
 * a cross-reference stream, and the trailer /Size (next free object number). */
uint64_t pdfread_size(const struct pdfread *pdf);
uint64_t pdfread_startxref(const struct pdfread *pdf);
int pdfread_xref_is_stream(const struct pdfread *pdf);
unsigned pdfread_xref_size(const struct pdfread *pdf);
/* The whole file (borrowed); touching it pages it in. */
const unsigned char *pdfread_data(const struct pdfread *pdf);
/* The newest trailer (for xref streams: the stream's dictionary). */
const struct pdfread_obj *pdfread_trailer(const struct pdfread *pdf);

/*
 * Indirect object num (any generation).  Returns NULL when it is free,
 * missing or unparsable; a parse failure is also recorded in err when err is
 * not NULL.
 */
const struct pdfread_obj *pdfread_get(struct pdfread *pdf, unsigned num, struct cf_err *err);
/* Follow references (a bounded number of times); NULL for null/missing. */
const struct pdfread_obj *pdfread_resolve(struct pdfread *pdf, const struct pdfread_obj *o);
/* Dictionary (or stream dictionary) lookup; NULL when absent. */
const struct pdfread_obj *pdfread_dict_get(const struct pdfread_obj *d, const char *key);
/* pdfread_dict_get then pdfread_resolve. */
const struct pdfread_obj *pdfread_dict_getr(struct pdfread *pdf, const struct pdfread_obj *d,
				    const char *key);
/* 1 when o is a name equal to s. */
int pdfread_is_name(const struct pdfread_obj *o, const char *s);

/* The catalog (/Root) and the reference of page index 0; -1 with CF_EPDF. */
const struct pdfread_obj *pdfread_catalog(struct pdfread *pdf, unsigned *num, unsigned *gen);
int pdfread_first_page(struct pdfread *pdf, unsigned *num, unsigned *gen,
		   struct cf_err *err);

/*
 * Decode a stream's data (FlateDecode or unfiltered) into out (appended).
 * Refuses more than max decoded bytes and unsupported filters (CF_EPDF).
 */
int pdfread_stream_read(struct pdfread *pdf, const struct pdfread_obj *stream, size_t max,
		    struct cf_buf *out, struct cf_err *err);
/*
 * Decode a stream, handing the decoded bytes to fn in pieces; memory use is
 * bounded whatever the stream size.  fn returns 0 to continue or -1 to stop
 * (its error in err).  Predictors are not supported here (CF_EPDF).
 */
typedef int (*pdfread_sink_fn)(void *cookie, const void *p, size_t n,
			   struct cf_err *err);
int pdfread_stream_decode(struct pdfread *pdf, const struct pdfread_obj *stream,
		      pdfread_sink_fn fn, void *cookie, struct cf_err *err);

/*
 * Walk a name tree (e.g. /Names /EmbeddedFiles) calling fn for each
 * (key, value) leaf, value unresolved.  Bounded depth; a node reached twice
 * (a cycle, or shared /Kids) is refused (CF_EPDF).
 */
typedef int (*pdfread_name_fn)(void *cookie, const struct pdfread_obj *key,
			   const struct pdfread_obj *value, struct cf_err *err);
int pdfread_name_tree_walk(struct pdfread *pdf, const struct pdfread_obj *root,
		       pdfread_name_fn fn, void *cookie, struct cf_err *err);

/* Caller-built objects. */
struct pdfread_obj *pdfread_obj_new(enum pdfread_type type);
struct pdfread_obj *pdfread_obj_new_int(long long v);
struct pdfread_obj *pdfread_obj_new_name(const char *name);
struct pdfread_obj *pdfread_obj_new_string(const void *p, size_t n);
struct pdfread_obj *pdfread_obj_new_ref(unsigned num, unsigned gen);
/* Deep copy (streams copy their dictionary and data location). */
struct pdfread_obj *pdfread_obj_copy(const struct pdfread_obj *o);
/* Set key in dictionary d, replacing (and freeing) any old value; d owns v. */
void pdfread_dict_set(struct pdfread_obj *d, const char *key, struct pdfread_obj *v);
/* Append v to array a; a owns v. */
void pdfread_array_push(struct pdfread_obj *a, struct pdfread_obj *v);
void pdfread_obj_free(struct pdfread_obj *o);
/* Serialise o in PDF syntax (strings in hex, names #-escaped). */
void pdfread_obj_write(struct cf_buf *b, const struct pdfread_obj *o);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * ledger — the vault's append-only Merkle log (RFC 9162 hashing): every
 * evidence row is one leaf; inclusion and consistency proofs tie an item to
 * a sealed tree head and a later head to an earlier one.
 *
 * Theory of operation
 * -------------------
 * Canonical leaf record, version 1 (all integers big-endian, strings are
 * raw bytes with no terminator, u32 length prefixes):
 *
 *   offset  size  field
 *   0       1     version            0x01
 *   1       4     len(order_id)      u32
 *   5       n1    order_id           ASCII order id as stored in the vault
 *   .       4     len(kind)          u32
 *   .       n2    kind               "chat" "logistics" "order" "photo"
 *                                    "video" "receipt" or "other"
 *   .       32    content SHA-256    of the original bytes
 *   .       8     size               u64, bytes of the original
 *   .       4     len(name)          u32
 *   .       n3    original name      UTF-8 (NFC) base name as listed
 *   .       8     ingested_at        i64, seconds since 1970-01-01T00:00:00Z
 *
 * Annotation leaf record, version 2: a fact recorded in the vault that
 * is not an original (a dispute record, a dispute event; later tags, roles,
 * notes, exclusions).  The payload is the annotation's canonical bytes
 * (for the kinds casefile writes today: a JSON object with a fixed key
 * order, see dispute.h), so the record alone is enough to recompute the
 * leaf:
 *
 *   offset  size  field
 *   0       1     version            0x02
 *   1       4     len(type)          u32
 *   5       n1    type               ASCII: "dispute" "dispute_event" ...
 *   .       4     len(order_id)      u32
 *   .       n2    order_id           ASCII order id
 *   .       4     len(subject)       u32
 *   .       n3    subject            UTF-8, what it is about: "dispute 3",
 *                                    "dispute 3 event 7"
 *   .       8     at                 i64, seconds since 1970-01-01T00:00:00Z
 *   .       4     len(who)           u32
 *   .       n4    who                UTF-8 "user@host"
 *   .       4     len(payload)       u32
 *   .       n5    payload            bytes
 *
 * Evidence leaf record, version 3: version 1 with the file name's raw
 * bytes bound too.  Version 1 records the NFC UTF-8 display name only, so
 * a name that was not UTF-8 (GB 18030 from a Windows zip, Latin-1) or not
 * NFC was bound only through its replacement-character display form.
 * Since schema v7 a new evidence row whose raw name bytes (evidence.
 * name_raw) differ from its display name gets a version 3 leaf
 * (evidence.leaf_version = 3); every other row, and every row from before,
 * keeps version 1, byte for byte:
 *
 *   0x03 || u32 len(order_id) || order_id || u32 len(kind) || kind
 *        || sha256 (32) || u64 size || u32 len(name) || name (NFC UTF-8)
 *        || u32 len(name_raw) || name_raw (the bytes as found)
 *        || i64 ingested_at
 *
 * All versions share one log; the first byte tells them apart, and a
 * version 1 record never starts with 0x02 or 0x03.  Annotation records are kept
 * byte for byte in table annotations (leaf_index, type, order_id, subject,
 * at, who, payload), written with their leaf in the same transaction by
 * ledger_append_annotation().
 *
 *   leaf hash  = SHA-256(0x00 || leaf record)
 *   node hash  = SHA-256(0x01 || left child hash || right child hash)
 *   MTH({})    = SHA-256()  (the empty tree)
 *   MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two
 *                smaller than n (RFC 9162 section 2.1.1)
 *
 * The leaf index of an evidence row is evidence.leaf_index: rows are
 * appended in the order they are committed (ingest calls ledger_append()
 * inside its own transaction, so an item and its leaf commit together).
 *
 * Storage (schema v2, table ledger_nodes(level, idx, hash)): every *perfect*
 * subtree of the log is stored once it is complete — level 0 holds the leaf
 * hashes, level L node idx is the hash of leaves [idx*2^L, (idx+1)*2^L).
 * Appending leaf n writes the leaf and one node per trailing 1-bit of n
 * (amortised two rows per leaf).  The hash of any range that appears in an
 * RFC 9162 proof for a tree of size N is either such a node or a right-edge
 * range [k, N) made of at most log2(N) of them, so roots, inclusion and
 * consistency proofs take O(log N) primary-key lookups whatever the size of
 * the log; nothing is ever recomputed from the leaves except by audit.
 *
 * Proof arrays are flat: n hashes of 32 bytes, in RFC 9162 order (for an
 * inclusion proof: the sibling nearest the leaf first, up to the root).
 */
#ifndef CASEFILE_LEDGER_H
#define CASEFILE_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/db.h"

#include "casefile/buf.h"
#include "casefile/err.h"
#include "casefile/hash.h"

#define LEDGER_LEAF_VERSION 1
#define LEDGER_ANNOTATION_VERSION 2
#define LEDGER_LEAF_VERSION_RAW 3	/* evidence leaf with raw name bytes */
/* A tree of 2^63 leaves is far beyond SQLite's integers anyway. */
#define LEDGER_MAX_PROOF 64

/* The fields of one leaf; strings are borrowed for the duration of a call. */
struct ledger_leaf {
	const char *order_id;
	const char *kind;
	unsigned char sha256[CF_SHA256_LEN];
	uint64_t size;
	const char *name;	/* NUL-terminated UTF-8 */
	int64_t ingested_at;
	int version;		/* 0 or 1: version 1; 3: with name_raw */
	const unsigned char *name_raw;	/* version 3: the name's bytes */
	size_t name_raw_len;
};

/*
 * The evidence columns a leaf is made of, in the order
 * ledger_leaf_from_row() reads them: every SELECT that recomputes a leaf
 * from an evidence row uses this list (one mapping, in ledger.c).
 */
/* kind_sealed: the kind at ingest when a tag changed it since (db.c v8). */
#define LEDGER_EVIDENCE_COLUMNS "order_id, ifnull(kind_sealed, kind), sha256, size, name, " \
				"ingested_at, leaf_version, name_raw"
#define LEDGER_EVIDENCE_NCOLUMNS 8

/* The fields of one annotation leaf; borrowed for the duration of a call. */
struct ledger_annotation {
	const char *type;	/* ASCII, e.g. "dispute_event" */
	const char *order_id;
	const char *subject;	/* UTF-8 */
	int64_t at;		/* UTC seconds */
	const char *who;	/* UTF-8 */
	const void *payload;
	size_t payload_len;
};

/* The annotations columns in the order ledger_annotation_from_row() reads. */
#define LEDGER_ANNOTATION_COLUMNS "type, order_id, subject, at, who, payload"
#define LEDGER_ANNOTATION_NCOLUMNS 6

/*
 * The latest annotation of (type, subject), checked against the ledger:
 * LEDGER_ANNOTATION_NONE when there is none; LEDGER_ANNOTATION_SEALED with
 * its payload appended to payload when its record hashes to its stored
 * leaf; LEDGER_ANNOTATION_FORGED (payload appended when readable) when it
 * does not; -1 when the database cannot be read.  How a caller compares a
 * row with what was sealed about it.
 */
enum { LEDGER_ANNOTATION_NONE, LEDGER_ANNOTATION_SEALED, LEDGER_ANNOTATION_FORGED };
int ledger_annotation_latest(struct cf_db *db, const char *type, const char *subject,
			     struct cf_buf *payload, struct cf_err *err);

/* Append the version 2 record of a to out (see the layout above). */
void ledger_annotation_record(const struct ledger_annotation *a, struct cf_buf *out);
/* leaf hash = SHA-256(0x00 || record) of a. */
void ledger_annotation_hash(const struct ledger_annotation *a,
			    unsigned char out[CF_SHA256_LEN]);

/*
 * Append annotation a as the next leaf of the log and keep its record in
 * table annotations with that leaf index (*index, may be NULL).  The same
 * transaction rules as ledger_append(): inside the caller's write
 * transaction, on -1 the caller rolls back.  This is how every fact that
 * is not an original becomes part of the log (dispute.c; future tags,
 * notes, exclusions): a later change to the row is a change to the log.
 */
int ledger_append_annotation(struct cf_db *db, const struct ledger_annotation *a,
			     uint64_t *index, struct cf_err *err);

/* Append the canonical leaf record of leaf to out (see the layout above). */
void ledger_leaf_record(const struct ledger_leaf *leaf, struct cf_buf *out);
/* leaf hash = SHA-256(0x00 || record) of leaf. */
void ledger_leaf_hash(const struct ledger_leaf *leaf,
		      unsigned char out[CF_SHA256_LEN]);
/* SHA-256(0x00 || p[0..n)). */
void ledger_hash_leaf_bytes(const void *p, size_t n,
			    unsigned char out[CF_SHA256_LEN]);
/* SHA-256(0x01 || l || r); out may alias l or r. */
void ledger_hash_children(const unsigned char l[CF_SHA256_LEN],
			  const unsigned char r[CF_SHA256_LEN],
			  unsigned char out[CF_SHA256_LEN]);

/*
 * Load the leaf of evidence row evidence_id from the evidence table into
 * *leaf (order_id, kind, sha256, size, name, ingested_at).  The strings are
 * heap copies freed by ledger_leaf_release().  Returns 0, or -1
 * (CF_ENOTFOUND when there is no such row); *leaf is untouched on failure.
 */
int ledger_leaf_load(struct cf_db *db, int64_t evidence_id, struct ledger_leaf *leaf,
		     struct cf_err *err);
/* Free the strings of a leaf filled by ledger_leaf_load().  Accepts NULL. */
void ledger_leaf_release(struct ledger_leaf *leaf);

/* Number of leaves in the log.  Returns 0 or -1. */
int ledger_size(struct cf_db *db, uint64_t *size, struct cf_err *err);

/*
 * Append leaf as the next leaf of the log and set evidence.leaf_index of row
 * evidence_id to its index (*index, may be NULL).  Must run inside the
 * caller's write transaction (BEGIN IMMEDIATE / a savepoint): it reads the
 * current size and writes ledger_nodes and evidence in that transaction, so
 * rolling back the caller's transaction removes the leaf too.  Fails with
 * CF_EINPUT when the row already has a leaf index.  On -1 the caller must
 * roll back (rows may have been written).
 */
int ledger_append(struct cf_db *db, const struct ledger_leaf *leaf,
		  int64_t evidence_id, uint64_t *index, struct cf_err *err);

/*
 * Append a ready leaf hash as the next leaf, without touching the evidence
 * table (tests, benchmarks, and ledger_append() itself).  Same transaction
 * rules as ledger_append().
 */
int ledger_append_hash(struct cf_db *db, const unsigned char leaf_hash[CF_SHA256_LEN],
		       uint64_t *index, struct cf_err *err);

/*
 * The same appends with the statements prepared once: for callers that
 * append many leaves (ingest holds one per batch).  A writer caches
 * nothing but prepared statements — the size is read for every append —
 * so savepoint rollbacks between appends are safe.  Close it before the
 * database (the connection refuses to close with live statements).
 */
struct ledger_writer;
int ledger_writer_open(struct cf_db *db, struct ledger_writer **out, struct cf_err *err);
int ledger_writer_append(struct ledger_writer *w, const struct ledger_leaf *leaf,
			 int64_t evidence_id, uint64_t *index, struct cf_err *err);
int ledger_writer_append_hash(struct ledger_writer *w,
			      const unsigned char leaf_hash[CF_SHA256_LEN],
			      uint64_t *index, struct cf_err *err);
/* Accepts NULL.  Leaves still queued are dropped. */
void ledger_writer_close(struct ledger_writer *w);
/*
 * An annotation's leaf and its annotations row (ledger_append_annotation),
 * through the writer: queued like the others in queue mode.
 */
int ledger_writer_append_annotation(struct ledger_writer *w,
				    const struct ledger_annotation *a,
				    struct cf_err *err);

/*
 * Queue mode (issue 18, a vault several processes write at once,
 * db_shared()): from ledger_writer_queue() on, the appends above only
 * compute each leaf hash and keep it, in call order, with the evidence id
 * or a copy of the annotation (index must then be NULL: no index exists
 * yet).  ledger_writer_flush(), just before the caller's COMMIT, takes the
 * vault's write lock (db_lock_writer), reads the size once and appends
 * every queued leaf in that order: ledger_nodes from one compact range in
 * memory, evidence.leaf_index, the annotations rows.  So a batch's rows are
 * written without the lock and its leaves in one short serialised step;
 * the lock is held until COMMIT, so no other writer reads a size this
 * batch is about to change.  On -1 the caller must roll back.  Either way
 * the queue is empty afterwards.  ledger_writer_queued() is the number
 * queued, ledger_writer_truncate(w, n) drops all but the first n (a
 * savepoint rolled back the rows of the others).
 */
void ledger_writer_queue(struct ledger_writer *w);
int ledger_writer_flush(struct ledger_writer *w, struct cf_err *err);
size_t ledger_writer_queued(const struct ledger_writer *w);
void ledger_writer_truncate(struct ledger_writer *w, size_t n);

/*
 * Backfill: append a leaf for every evidence row without leaf_index, in id
 * order (vaults made before the ledger existed).  Runs in its own
 * transaction unless one is already open, in which case it uses the
 * caller's.  *added (may be NULL) gets the count.  On -1 nothing changed
 * (own transaction) or the caller must roll back.
 */
int ledger_rebuild(struct cf_db *db, uint64_t *added, struct cf_err *err);

/* The stored hash of leaf index.  CF_ENOTFOUND when index >= size. */
int ledger_leaf_hash_at(struct cf_db *db, uint64_t index,
			unsigned char out[CF_SHA256_LEN], struct cf_err *err);

/*
 * MTH of the first size leaves (size <= ledger size; 0 gives SHA-256 of the
 * empty string).  Returns 0 or -1 (CF_EINPUT when size is too large,
 * CF_EDB when a stored node is missing).
 */
int ledger_root(struct cf_db *db, uint64_t size, unsigned char out[CF_SHA256_LEN],
		struct cf_err *err);

/*
 * Inclusion proof of leaf index in the tree of the first size leaves
 * (RFC 9162 PATH(index, D[size])).  *path is a malloc'd array of *n hashes
 * (free() it; NULL when *n is 0).  CF_EINPUT when index >= size or
 * size > ledger size.  Nothing is allocated on failure.
 */
int ledger_inclusion_proof(struct cf_db *db, uint64_t index, uint64_t size,
			   unsigned char (**path)[CF_SHA256_LEN], size_t *n,
			   struct cf_err *err);

/*
 * Consistency proof from the tree of size1 leaves to the tree of size2
 * leaves (RFC 9162 PROOF(size1, D[size2])), 0 < size1 <= size2 <= ledger
 * size; empty when size1 == size2.  Ownership as ledger_inclusion_proof().
 */
int ledger_consistency_proof(struct cf_db *db, uint64_t size1, uint64_t size2,
			     unsigned char (**path)[CF_SHA256_LEN], size_t *n,
			     struct cf_err *err);

/*
 * Verify an inclusion proof (RFC 9162 section 2.1.3.2): 0 when leaf_hash at
 * index, with path, hashes to root of a tree of size leaves; -1 with
 * CF_EVERIFY and the reason otherwise.  Pure: no database.
 */
int ledger_verify_inclusion(uint64_t index, uint64_t size,
			    const unsigned char leaf_hash[CF_SHA256_LEN],
			    const unsigned char (*path)[CF_SHA256_LEN], size_t n,
			    const unsigned char root[CF_SHA256_LEN],
			    struct cf_err *err);

/*
 * Verify a consistency proof (RFC 9162 section 2.1.4.2) that the tree of
 * size2 leaves with root2 extends the tree of size1 leaves with root1.
 * size1 == size2 needs an empty proof and root1 == root2; size1 == 0 needs
 * an empty proof.  0 or -1 with CF_EVERIFY.  Pure.
 */
int ledger_verify_consistency(uint64_t size1, uint64_t size2,
			      const unsigned char root1[CF_SHA256_LEN],
			      const unsigned char root2[CF_SHA256_LEN],
			      const unsigned char (*path)[CF_SHA256_LEN], size_t n,
			      struct cf_err *err);

/*
 * In-memory Merkle tree builder for recomputing a log from its leaves
 * (audit, tests): push leaf hashes in order; the compact range (one hash per
 * set bit of the count) gives the root at any point in O(log n).
 */
struct ledger_range {
	uint64_t size;
	unsigned char hash[64][CF_SHA256_LEN];	/* by level; valid where bit set */
};
void ledger_range_init(struct ledger_range *r);
/*
 * Add the next leaf hash.  When cb is not NULL it is called for every
 * perfect subtree completed by this push (level 0 is the leaf itself) with
 * its level and index; a non-zero return stops and is returned.
 */
int ledger_range_push(struct ledger_range *r,
		      const unsigned char leaf_hash[CF_SHA256_LEN],
		      int (*cb)(void *cookie, unsigned level, uint64_t idx,
				const unsigned char hash[CF_SHA256_LEN]),
		      void *cookie);
/* MTH of the leaves pushed so far. */
void ledger_range_root(const struct ledger_range *r,
		       unsigned char out[CF_SHA256_LEN]);

#endif

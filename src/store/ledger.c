/* SPDX-License-Identifier: MIT */
/*
 * ledger — RFC 9162 Merkle log over the evidence rows, stored as the hashes
 * of its complete (perfect) subtrees in ledger_nodes.
 *
 * How: every range hash a proof needs is computed by range_hash(), which
 * follows the RFC 9162 recursion (k = largest power of two below n) and
 * stops as soon as the range is a perfect aligned subtree, i.e. a stored
 * node.  Ranges met in RFC 9162 recursions from [0, N) are always aligned
 * to the largest power of two not above their length, so this is one
 * lookup per perfect piece.  Appending follows the binary counter: leaf n
 * completes one perfect subtree per trailing 1-bit of n.
 */
#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "casefile/db.h"
#include "casefile/ledger_stmt.h"
#include "casefile/xalloc.h"

typedef unsigned char hash_t[CF_SHA256_LEN];

/* --- hashing ----------------------------------------------------------- */

static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_fetch(void)
{
	/* An explicit fetch once, not an implicit one per digest (OpenSSL 3). */
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (sha256_md == NULL)
		CF_BUG("SHA-256 is not available");
}

static const EVP_MD *
md(void)
{
	pthread_once(&sha256_once, sha256_fetch);
	return sha256_md;
}

static void
hash2(const void *a, size_t na, const void *b, size_t nb, unsigned char *out)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int len = CF_SHA256_LEN;

	if (c == NULL || !EVP_DigestInit_ex(c, md(), NULL) ||
	    !EVP_DigestUpdate(c, a, na) || (nb && !EVP_DigestUpdate(c, b, nb)) ||
	    !EVP_DigestFinal_ex(c, out, &len))
		CF_BUG("SHA-256 failed");
	EVP_MD_CTX_free(c);
}

void
ledger_hash_leaf_bytes(const void *p, size_t n, unsigned char out[CF_SHA256_LEN])
{
	static const unsigned char zero = 0x00;

	hash2(&zero, 1, p, n, out);
}

void
ledger_hash_children(const unsigned char l[CF_SHA256_LEN],
		     const unsigned char r[CF_SHA256_LEN],
		     unsigned char out[CF_SHA256_LEN])
{
	unsigned char buf[1 + 2 * CF_SHA256_LEN];
	unsigned int len = CF_SHA256_LEN;

	buf[0] = 0x01;
	memcpy(buf + 1, l, CF_SHA256_LEN);
	memcpy(buf + 1 + CF_SHA256_LEN, r, CF_SHA256_LEN);
	if (!EVP_Digest(buf, sizeof(buf), out, &len, md(), NULL))
		CF_BUG("SHA-256 failed");
}

static void
empty_root(unsigned char out[CF_SHA256_LEN])
{
	hash2("", 0, NULL, 0, out);
}

/* --- leaf record ------------------------------------------------------- */

static void
put_be(struct cf_buf *b, uint64_t v, int bytes)
{
	unsigned char tmp[8];
	int i;

	for (i = bytes - 1; i >= 0; i--) {
		tmp[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	cf_buf_add(b, tmp, (size_t)bytes);
}

static void
put_bytes(struct cf_buf *b, const void *p, size_t n)
{
	if (n > UINT32_MAX)
		CF_BUG("leaf field too long");
	put_be(b, n, 4);
	cf_buf_add(b, p, n);
}

static void
put_str(struct cf_buf *b, const char *s)
{
	put_bytes(b, s, strlen(s));
}

void
ledger_leaf_record(const struct ledger_leaf *leaf, struct cf_buf *out)
{
	int raw = leaf->version == LEDGER_LEAF_VERSION_RAW;

	cf_buf_addch(out, raw ? LEDGER_LEAF_VERSION_RAW : LEDGER_LEAF_VERSION);
	put_str(out, leaf->order_id);
	put_str(out, leaf->kind);
	cf_buf_add(out, leaf->sha256, CF_SHA256_LEN);
	put_be(out, leaf->size, 8);
	put_str(out, leaf->name);
	if (raw)
		put_bytes(out, leaf->name_raw ? (const char *)leaf->name_raw : "",
			  leaf->name_raw_len);
	put_be(out, (uint64_t)leaf->ingested_at, 8);
}

void
ledger_leaf_hash(const struct ledger_leaf *leaf, unsigned char out[CF_SHA256_LEN])
{
	struct cf_buf b = CF_BUF_INIT;

	ledger_leaf_record(leaf, &b);
	ledger_hash_leaf_bytes(b.data, b.len, out);
	cf_buf_release(&b);
}

int
ledger_leaf_from_row(struct db_stmt *st, int col, struct ledger_leaf *leaf,
		     struct cf_err *err)
{
	if (db_col_bytes(st, col + 2) != CF_SHA256_LEN ||
	    db_col_type(st, col) == DB_NULL ||
	    db_col_type(st, col + 1) == DB_NULL ||
	    db_col_type(st, col + 4) == DB_NULL)
		return cf_err_set(err, CF_EDB, "bad evidence row: a leaf field is missing "
				  "or its sha256 is not 32 bytes");
	leaf->order_id = (const char *)db_col_text(st, col);
	leaf->kind = (const char *)db_col_text(st, col + 1);
	memcpy(leaf->sha256, db_col_blob(st, col + 2), CF_SHA256_LEN);
	leaf->size = (uint64_t)db_col_int64(st, col + 3);
	leaf->name = (const char *)db_col_text(st, col + 4);
	leaf->ingested_at = db_col_int64(st, col + 5);
	leaf->version = db_col_int(st, col + 6);
	leaf->name_raw = db_col_blob(st, col + 7);
	leaf->name_raw_len = (size_t)db_col_bytes(st, col + 7);
	if (leaf->version != LEDGER_LEAF_VERSION && leaf->version != LEDGER_LEAF_VERSION_RAW)
		return cf_err_set(err, CF_EDB, "bad evidence row: leaf version %d", leaf->version);
	return 0;
}

int
ledger_annotation_from_row(struct db_stmt *st, int col, struct ledger_annotation *a,
			   struct cf_err *err)
{
	int i;

	for (i = 0; i < LEDGER_ANNOTATION_NCOLUMNS; i++)
		if (db_col_type(st, col + i) == DB_NULL)
			return cf_err_set(err, CF_EDB, "bad annotation row: a leaf field is missing");
	a->type = (const char *)db_col_text(st, col);
	a->order_id = (const char *)db_col_text(st, col + 1);
	a->subject = (const char *)db_col_text(st, col + 2);
	a->at = db_col_int64(st, col + 3);
	a->who = (const char *)db_col_text(st, col + 4);
	a->payload = db_col_blob(st, col + 5);
	a->payload_len = (size_t)db_col_bytes(st, col + 5);
	if (a->payload == NULL)
		a->payload = "";
	return 0;
}

void
ledger_payload_from_row(struct db_stmt *st, struct cf_buf *out)
{
	int i, n = db_col_count(st);

	cf_buf_addch(out, '{');
	for (i = 0; i < n; i++) {
		const char *name = db_col_name(st, i);

		if (i)
			cf_buf_addch(out, ',');
		cf_buf_add_json_str(out, name, strlen(name));
		cf_buf_addch(out, ':');
		switch (db_col_type(st, i)) {
		case DB_INTEGER:
			cf_buf_addf(out, "%lld", (long long)db_col_int64(st, i));
			break;
		case DB_FLOAT:
			cf_buf_addf(out, "%.17g", db_col_double(st, i));
			break;
		case DB_TEXT:
			cf_buf_add_json_str(out, (const char *)db_col_text(st, i),
					    (size_t)db_col_bytes(st, i));
			break;
		case DB_BLOB: {
			const unsigned char *p = db_col_blob(st, i);
			size_t k, len = (size_t)db_col_bytes(st, i);

			cf_buf_addch(out, '"');
			for (k = 0; k < len; k++)
				cf_buf_addf(out, "%02x", p[k]);
			cf_buf_addch(out, '"');
			break;
		}
		default:
			cf_buf_addstr(out, "null");
			break;
		}
	}
	cf_buf_addch(out, '}');
}

void
ledger_annotation_record(const struct ledger_annotation *a, struct cf_buf *out)
{
	cf_buf_addch(out, LEDGER_ANNOTATION_VERSION);
	put_str(out, a->type);
	put_str(out, a->order_id);
	put_str(out, a->subject);
	put_be(out, (uint64_t)a->at, 8);
	put_str(out, a->who);
	put_bytes(out, a->payload, a->payload_len);
}

void
ledger_annotation_hash(const struct ledger_annotation *a, unsigned char out[CF_SHA256_LEN])
{
	struct cf_buf b = CF_BUF_INIT;

	ledger_annotation_record(a, &b);
	ledger_hash_leaf_bytes(b.data, b.len, out);
	cf_buf_release(&b);
}

int
ledger_leaf_load(struct cf_db *db, int64_t evidence_id, struct ledger_leaf *leaf,
		 struct cf_err *err)
{
	struct db_stmt *st = NULL;
	struct ledger_leaf got;
	int ret = -1, rc;

	if (db_prepare(db, "SELECT " LEDGER_EVIDENCE_COLUMNS " FROM evidence WHERE id = ?",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, evidence_id);
	rc = db_step(st);
	if (rc == DB_DONE) {
		cf_err_set(err, CF_ENOTFOUND, "no evidence row %lld", (long long)evidence_id);
		goto out;
	}
	if (rc != DB_ROW) {
		db_err(db, err, "cannot read evidence row %lld", (long long)evidence_id);
		goto out;
	}
	if (ledger_leaf_from_row(st, 0, &got, err) < 0) {
		cf_err_prefix(err, "evidence row %lld", (long long)evidence_id);
		goto out;
	}
	*leaf = got;
	leaf->order_id = xstrdup(got.order_id);
	leaf->kind = xstrdup(got.kind);
	leaf->name = xstrdup(got.name);
	leaf->name_raw = got.name_raw_len ? xmemdup(got.name_raw, got.name_raw_len) : NULL;
	ret = 0;
out:
	db_finalize(st);
	return ret;
}

void
ledger_leaf_release(struct ledger_leaf *leaf)
{
	if (leaf == NULL)
		return;
	free((char *)leaf->order_id);
	free((char *)leaf->kind);
	free((char *)leaf->name);
	free((unsigned char *)leaf->name_raw);
	leaf->order_id = leaf->kind = leaf->name = NULL;
	leaf->name_raw = NULL;
	leaf->name_raw_len = 0;
}

/* --- compact range (in memory) ------------------------------------------ */

void
ledger_range_init(struct ledger_range *r)
{
	memset(r, 0, sizeof(*r));
}

int
ledger_range_push(struct ledger_range *r, const unsigned char leaf_hash[CF_SHA256_LEN],
		  int (*cb)(void *, unsigned, uint64_t, const unsigned char *),
		  void *cookie)
{
	hash_t h;
	unsigned level = 0;
	uint64_t idx = r->size;
	int rc;

	memcpy(h, leaf_hash, CF_SHA256_LEN);
	if (cb && (rc = cb(cookie, 0, idx, h)) != 0)
		return rc;
	while ((r->size >> level) & 1) {
		ledger_hash_children(r->hash[level], h, h);
		level++;
		idx >>= 1;
		if (cb && (rc = cb(cookie, level, idx, h)) != 0)
			return rc;
	}
	memcpy(r->hash[level], h, CF_SHA256_LEN);
	r->size++;
	return 0;
}

void
ledger_range_root(const struct ledger_range *r, unsigned char out[CF_SHA256_LEN])
{
	hash_t acc;
	int have = 0;
	unsigned level;

	if (r->size == 0) {
		empty_root(out);
		return;
	}
	for (level = 0; level < 64; level++) {
		if (!((r->size >> level) & 1))
			continue;
		if (!have) {
			memcpy(acc, r->hash[level], CF_SHA256_LEN);
			have = 1;
		} else
			ledger_hash_children(r->hash[level], acc, acc);
	}
	memcpy(out, acc, CF_SHA256_LEN);
}

/* --- stored nodes -------------------------------------------------------- */

struct nodes {
	struct cf_db *db;
	struct db_stmt *get;
};

static int
nodes_open(struct nodes *nd, struct cf_db *db, struct cf_err *err)
{
	nd->db = db;
	return db_prepare(db, "SELECT hash FROM ledger_nodes WHERE level = ? AND idx = ?",
			  &nd->get, err);
}

static void
nodes_close(struct nodes *nd)
{
	db_finalize(nd->get);
	nd->get = NULL;
}

static int
node_get(struct nodes *nd, unsigned level, uint64_t idx, unsigned char out[CF_SHA256_LEN],
	 struct cf_err *err)
{
	int rc, ret = -1;

	db_reset(nd->get);
	db_bind_int(nd->get, 1, (int)level);
	db_bind_int64(nd->get, 2, (int64_t)idx);
	rc = db_step(nd->get);
	if (rc == DB_ROW && db_col_bytes(nd->get, 0) == CF_SHA256_LEN) {
		memcpy(out, db_col_blob(nd->get, 0), CF_SHA256_LEN);
		ret = 0;
	} else if (rc == DB_ROW || rc == DB_DONE)
		cf_err_set(err, CF_EDB, "ledger node %u/%llu is missing or damaged",
			   level, (unsigned long long)idx);
	else
		db_err(nd->db, err, "cannot read ledger node %u/%llu", level,
		       (unsigned long long)idx);
	db_reset(nd->get);
	return ret;
}

/* Largest power of two strictly below n (n >= 2). */
static uint64_t
split_point(uint64_t n)
{
	uint64_t k = 1;

	assert(n >= 2);
	while (k << 1 < n)
		k <<= 1;
	return k;
}

static int
is_pow2(uint64_t n)
{
	return n && !(n & (n - 1));
}

static unsigned
log2_u64(uint64_t n)
{
	unsigned l = 0;

	while (n >>= 1)
		l++;
	return l;
}

/* MTH(D[start:start+n]) from stored nodes; n >= 1. */
static int
range_hash(struct nodes *nd, uint64_t start, uint64_t n, unsigned char out[CF_SHA256_LEN],
	   struct cf_err *err)
{
	hash_t l, r;
	uint64_t k;

	assert(n >= 1);
	if (is_pow2(n)) {
		unsigned level = log2_u64(n);

		assert(start % n == 0);
		return node_get(nd, level, start >> level, out, err);
	}
	k = split_point(n);
	if (range_hash(nd, start, k, l, err) < 0 ||
	    range_hash(nd, start + k, n - k, r, err) < 0)
		return -1;
	ledger_hash_children(l, r, out);
	return 0;
}

/* The size is one more than the last leaf's index (a descending PK seek). */
#define SQL_SIZE "SELECT idx FROM ledger_nodes WHERE level = 0 ORDER BY idx DESC LIMIT 1"

int
ledger_size(struct cf_db *db, uint64_t *size, struct cf_err *err)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, SQL_SIZE, &st, err) < 0)
		return -1;
	rc = db_step(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		db_err(db, err, "cannot read the ledger size");
		db_finalize(st);
		return -1;
	}
	*size = rc == DB_DONE ? 0 : (uint64_t)db_col_int64(st, 0) + 1;
	db_finalize(st);
	return 0;
}

static int
node_put(struct cf_db *db, struct db_stmt *ins, unsigned level, uint64_t idx,
	 const unsigned char *h, struct cf_err *err)
{
	int rc;

	db_reset(ins);
	db_bind_int(ins, 1, (int)level);
	db_bind_int64(ins, 2, (int64_t)idx);
	db_bind_blob(ins, 3, h, CF_SHA256_LEN, DB_STATIC);
	rc = db_step(ins);
	db_reset(ins);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot write ledger node %u/%llu", level,
			      (unsigned long long)idx);
	return 0;
}

static int
set_leaf_index(struct cf_db *db, struct db_stmt *upd, int64_t evidence_id, uint64_t index,
	       struct cf_err *err)
{
	int rc;

	db_reset(upd);
	db_bind_int64(upd, 1, (int64_t)index);
	db_bind_int64(upd, 2, evidence_id);
	rc = db_step(upd);
	db_reset(upd);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot record the leaf of evidence row %lld",
			      (long long)evidence_id);
	if (db_changes(db) != 1)
		return cf_err_set(err, CF_EINPUT,
				  "evidence row %lld does not exist or already has a leaf",
				  (long long)evidence_id);
	return 0;
}

#define SQL_NODE_INSERT "INSERT INTO ledger_nodes(level, idx, hash) VALUES(?, ?, ?)"
/*
 * coalesce(), not "leaf_index IS NULL": PostgreSQL's planner took the
 * unique index on leaf_index for the NULL test and scanned every row of
 * the batch not yet given a leaf, per row (a 5,000-row flush: 12 M row
 * visits).  Written so, only the primary key can find the row; SQLite
 * finds it by rowid either way.
 */
#define SQL_LEAF_INDEX \
	"UPDATE evidence SET leaf_index = ? WHERE id = ? AND coalesce(leaf_index, -1) = -1"

/* A leaf waiting in a queueing writer for ledger_writer_flush(). */
struct queued {
	int64_t evidence_id;		/* 0: not an evidence row's leaf */
	hash_t h;
	struct ledger_annotation *a;	/* an annotation's (copies), or NULL */
};

struct ledger_writer {
	struct cf_db *db;
	struct nodes nd;
	struct db_stmt *size, *ins, *upd, *ann;
	int queue;			/* ledger_writer_queue() */
	struct queued *q;
	size_t nq, capq;
};

int
ledger_writer_open(struct cf_db *db, struct ledger_writer **out, struct cf_err *err)
{
	struct ledger_writer *w = xcalloc(1, sizeof(*w));

	w->db = db;
	if (nodes_open(&w->nd, db, err) < 0 ||
	    db_prepare(db, SQL_SIZE, &w->size, err) < 0 ||
	    db_prepare(db, SQL_NODE_INSERT, &w->ins, err) < 0 ||
	    db_prepare(db, SQL_LEAF_INDEX, &w->upd, err) < 0) {
		ledger_writer_close(w);
		return -1;
	}
	*out = w;
	return 0;
}

void
ledger_writer_close(struct ledger_writer *w)
{
	if (w == NULL)
		return;
	nodes_close(&w->nd);
	db_finalize(w->size);
	db_finalize(w->ins);
	db_finalize(w->upd);
	db_finalize(w->ann);
	ledger_writer_truncate(w, 0);
	free(w->q);
	free(w);
}

void
ledger_writer_queue(struct ledger_writer *w)
{
	w->queue = 1;
}

size_t
ledger_writer_queued(const struct ledger_writer *w)
{
	return w->nq;
}

static void
annotation_free(struct ledger_annotation *a)
{
	if (a == NULL)
		return;
	free((char *)a->type);
	free((char *)a->order_id);
	free((char *)a->subject);
	free((char *)a->who);
	free((void *)a->payload);
	free(a);
}

void
ledger_writer_truncate(struct ledger_writer *w, size_t n)
{
	while (w->nq > n)
		annotation_free(w->q[--w->nq].a);
}

static struct queued *
queue_add(struct ledger_writer *w, int64_t evidence_id, const unsigned char *h)
{
	struct queued *q;

	if (w->nq == w->capq) {
		w->capq = w->capq ? 2 * w->capq : 1024;
		w->q = xreallocarray(w->q, w->capq, sizeof(*w->q));
	}
	q = &w->q[w->nq++];
	q->evidence_id = evidence_id;
	memcpy(q->h, h, CF_SHA256_LEN);
	q->a = NULL;
	return q;
}

static int
writer_size(struct ledger_writer *w, uint64_t *n, struct cf_err *err)
{
	int rc;

	db_reset(w->size);
	rc = db_step(w->size);
	if (rc != DB_ROW && rc != DB_DONE) {
		db_reset(w->size);
		return db_err(w->db, err, "cannot read the ledger size");
	}
	*n = rc == DB_DONE ? 0 : (uint64_t)db_col_int64(w->size, 0) + 1;
	db_reset(w->size);
	return 0;
}

/* Append leaf hash h as leaf n (the current size). */
static int
writer_put(struct ledger_writer *w, uint64_t n, const unsigned char *leaf_hash,
	   struct cf_err *err)
{
	uint64_t idx;
	unsigned level = 0;
	hash_t h, sib;

	memcpy(h, leaf_hash, CF_SHA256_LEN);
	if (node_put(w->db, w->ins, 0, n, h, err) < 0)
		return -1;
	for (idx = n; idx & 1; idx >>= 1) {
		if (node_get(&w->nd, level, idx - 1, sib, err) < 0)
			return -1;
		ledger_hash_children(sib, h, h);
		level++;
		if (node_put(w->db, w->ins, level, idx >> 1, h, err) < 0)
			return -1;
	}
	return 0;
}

int
ledger_writer_append_hash(struct ledger_writer *w, const unsigned char leaf_hash[CF_SHA256_LEN],
			  uint64_t *index, struct cf_err *err)
{
	uint64_t n;

	if (!db_in_transaction(w->db))
		CF_BUG("ledger append outside a transaction");
	if (w->queue) {
		if (index)
			CF_BUG("a queued leaf has no index before the flush");
		queue_add(w, 0, leaf_hash);
		return 0;
	}
	if (writer_size(w, &n, err) < 0 || writer_put(w, n, leaf_hash, err) < 0)
		return -1;
	if (index)
		*index = n;
	return 0;
}

int
ledger_writer_append(struct ledger_writer *w, const struct ledger_leaf *leaf,
		     int64_t evidence_id, uint64_t *index, struct cf_err *err)
{
	uint64_t n;
	hash_t h;

	if (!db_in_transaction(w->db))
		CF_BUG("ledger append outside a transaction");
	ledger_leaf_hash(leaf, h);
	if (w->queue) {
		if (index)
			CF_BUG("a queued leaf has no index before the flush");
		queue_add(w, evidence_id, h);
		return 0;
	}
	if (writer_size(w, &n, err) < 0 || set_leaf_index(w->db, w->upd, evidence_id, n, err) < 0)
		return -1;
	if (writer_put(w, n, h, err) < 0)
		return -1;
	if (index)
		*index = n;
	return 0;
}

int
ledger_append_hash(struct cf_db *db, const unsigned char leaf_hash[CF_SHA256_LEN],
		   uint64_t *index, struct cf_err *err)
{
	struct ledger_writer *w;
	int ret;

	if (ledger_writer_open(db, &w, err) < 0)
		return -1;
	ret = ledger_writer_append_hash(w, leaf_hash, index, err);
	ledger_writer_close(w);
	return ret;
}

int
ledger_append(struct cf_db *db, const struct ledger_leaf *leaf, int64_t evidence_id,
	      uint64_t *index, struct cf_err *err)
{
	struct ledger_writer *w;
	int ret;

	if (ledger_writer_open(db, &w, err) < 0)
		return -1;
	ret = ledger_writer_append(w, leaf, evidence_id, index, err);
	ledger_writer_close(w);
	return ret;
}

#define SQL_ANNOTATION_INSERT \
	"INSERT INTO annotations(leaf_index, " LEDGER_ANNOTATION_COLUMNS ") VALUES(?, ?, ?, ?, ?, ?, ?)"

/* The annotations row of a's leaf n (st: SQL_ANNOTATION_INSERT, reset after). */
static int
annotation_put(struct cf_db *db, struct db_stmt *st, uint64_t n,
	       const struct ledger_annotation *a, struct cf_err *err)
{
	int rc;

	db_bind_int64(st, 1, (int64_t)n);
	db_bind_text(st, 2, a->type, -1, DB_STATIC);
	db_bind_text(st, 3, a->order_id, -1, DB_STATIC);
	db_bind_text(st, 4, a->subject, -1, DB_STATIC);
	db_bind_int64(st, 5, a->at);
	db_bind_text(st, 6, a->who, -1, DB_STATIC);
	db_bind_blob(st, 7, a->payload, (int)a->payload_len, DB_STATIC);
	rc = db_step(st);
	db_reset(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot record annotation '%s'", a->subject);
	return 0;
}

int
ledger_append_annotation(struct cf_db *db, const struct ledger_annotation *a, uint64_t *index,
			 struct cf_err *err)
{
	struct db_stmt *st = NULL;
	unsigned char h[CF_SHA256_LEN];
	uint64_t n;
	int r;

	ledger_annotation_hash(a, h);
	if (ledger_append_hash(db, h, &n, err) < 0 ||
	    db_prepare(db, SQL_ANNOTATION_INSERT, &st, err) < 0)
		return -1;
	r = annotation_put(db, st, n, a, err);
	db_finalize(st);
	if (r == 0 && index)
		*index = n;
	return r;
}

int
ledger_writer_append_annotation(struct ledger_writer *w, const struct ledger_annotation *a,
				struct cf_err *err)
{
	struct ledger_annotation *c;
	unsigned char h[CF_SHA256_LEN];

	if (!w->queue)
		return ledger_append_annotation(w->db, a, NULL, err);
	if (!db_in_transaction(w->db))
		CF_BUG("ledger append outside a transaction");
	ledger_annotation_hash(a, h);
	c = xcalloc(1, sizeof(*c));
	c->type = xstrdup(a->type);
	c->order_id = xstrdup(a->order_id);
	c->subject = xstrdup(a->subject);
	c->who = xstrdup(a->who);
	c->at = a->at;
	c->payload = xmemdup(a->payload, a->payload_len + 1);
	c->payload_len = a->payload_len;
	queue_add(w, 0, h)->a = c;
	return 0;
}

int
ledger_annotation_latest(struct cf_db *db, const char *type, const char *subject,
			 struct cf_buf *payload, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	struct ledger_annotation a;
	unsigned char h[CF_SHA256_LEN], stored[CF_SHA256_LEN];
	int rc, ret = -1;

	if (db_prepare(db, "SELECT leaf_index, " LEDGER_ANNOTATION_COLUMNS " FROM annotations "
			   "WHERE type = ? AND subject = ? ORDER BY leaf_index DESC LIMIT 1",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, type, -1, DB_STATIC);
	db_bind_text(st, 2, subject, -1, DB_STATIC);
	rc = db_step(st);
	if (rc == DB_DONE) {
		ret = LEDGER_ANNOTATION_NONE;
	} else if (rc != DB_ROW) {
		db_err(db, err, "cannot read annotations");
	} else if (ledger_annotation_from_row(st, 1, &a, NULL) < 0) {
		ret = LEDGER_ANNOTATION_FORGED;
	} else {
		ledger_annotation_hash(&a, h);
		cf_buf_add(payload, a.payload, a.payload_len);
		ret = ledger_leaf_hash_at(db, (uint64_t)db_col_int64(st, 0), stored,
					  NULL) == 0 && memcmp(h, stored, CF_SHA256_LEN) == 0
			      ? LEDGER_ANNOTATION_SEALED : LEDGER_ANNOTATION_FORGED;
	}
	db_finalize(st);
	return ret;
}

struct rebuild_ctx {
	struct cf_db *db;
	struct db_stmt *ins;
	struct cf_err *err;
};

static int
rebuild_put(void *cookie, unsigned level, uint64_t idx, const unsigned char *h)
{
	struct rebuild_ctx *rc = cookie;

	return node_put(rc->db, rc->ins, level, idx, h, rc->err) < 0 ? -1 : 0;
}

/* Load the compact range of the first size leaves from the stored nodes. */
static int
range_load(struct nodes *nd, uint64_t size, struct ledger_range *r, struct cf_err *err)
{
	unsigned level;

	ledger_range_init(r);
	for (level = 0; level < 64; level++)
		if ((size >> level) & 1 &&
		    node_get(nd, level, (size >> level) - 1, r->hash[level], err) < 0)
			return -1;
	r->size = size;
	return 0;
}

/* evidence.leaf_index of row id, unchecked (ledger_writer_flush counts them). */
static int
leaf_index_put(struct ledger_writer *w, int64_t id, uint64_t index, struct cf_err *err)
{
	int rc;

	db_bind_int64(w->upd, 1, (int64_t)index);
	db_bind_int64(w->upd, 2, id);
	rc = db_step(w->upd);
	db_reset(w->upd);
	if (rc != DB_DONE)
		return db_err(w->db, err, "cannot record the leaf of evidence row %lld", (long long)id);
	return 0;
}

/* How many evidence rows have a leaf index in [from, to). */
static int
leaves_of_rows(struct cf_db *db, uint64_t from, uint64_t to, uint64_t *n, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int rc;

	if (db_prepare(db, "SELECT count(*) FROM evidence WHERE leaf_index >= ? AND leaf_index < ?",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, (int64_t)from);
	db_bind_int64(st, 2, (int64_t)to);
	rc = db_step(st);
	*n = rc == DB_ROW ? (uint64_t)db_col_int64(st, 0) : 0;
	db_finalize(st);
	return rc == DB_ROW ? 0 : db_err(db, err, "cannot count the batch's leaves");
}

int
ledger_writer_flush(struct ledger_writer *w, struct cf_err *err)
{
	struct rebuild_ctx rc = { w->db, w->ins, err };
	struct ledger_range r;
	uint64_t n, nev = 0, got = 0;
	size_t i;
	int ret = -1;

	if (w->nq == 0)
		return 0;
	if (!db_in_transaction(w->db))
		CF_BUG("ledger flush outside a transaction");
	/* from here to COMMIT no other writer appends: the size read stays true */
	if (db_lock_writer(w->db, err) < 0 || writer_size(w, &n, err) < 0 ||
	    range_load(&w->nd, n, &r, err) < 0 ||
	    (w->ann == NULL && db_prepare(w->db, SQL_ANNOTATION_INSERT, &w->ann, err) < 0))
		goto out;
	for (i = 0; i < w->nq; i++) {
		const struct queued *q = &w->q[i];

		if ((q->evidence_id && leaf_index_put(w, q->evidence_id, r.size, err) < 0) ||
		    (q->a && annotation_put(w->db, w->ann, r.size, q->a, err) < 0) ||
		    ledger_range_push(&r, q->h, rebuild_put, &rc) != 0)
			goto out;
		nev += q->evidence_id != 0;
	}
	/* one check for all (a pipelined UPDATE does not say how many rows it hit) */
	if (leaves_of_rows(w->db, n, r.size, &got, err) < 0)
		goto out;
	if (got != nev) {
		cf_err_set(err, CF_EINPUT, "%llu of the batch's %llu evidence rows got their leaf: "
			   "a row is missing or already had one", (unsigned long long)got,
			   (unsigned long long)nev);
		goto out;
	}
	ret = 0;
out:
	ledger_writer_truncate(w, 0);
	return ret;
}

int
ledger_rebuild(struct cf_db *db, uint64_t *added, struct cf_err *err)
{
	struct nodes nd = { 0 };
	struct db_stmt *sel = NULL, *upd = NULL;
	struct rebuild_ctx rc = { db, NULL, err };
	struct ledger_range r;
	uint64_t n, count = 0;
	int own = !db_in_transaction(db), ret = -1, step;

	if (own && db_begin(db, err) < 0)
		return -1;
	if (ledger_size(db, &n, err) < 0 || nodes_open(&nd, db, err) < 0 ||
	    range_load(&nd, n, &r, err) < 0 ||
	    db_prepare(db, SQL_NODE_INSERT, &rc.ins, err) < 0 ||
	    db_prepare(db, SQL_LEAF_INDEX, &upd, err) < 0 ||
	    db_prepare(db, "SELECT id, " LEDGER_EVIDENCE_COLUMNS
			   " FROM evidence WHERE leaf_index IS NULL ORDER BY id", &sel, err) < 0)
		goto out;
	while ((step = db_step(sel)) == DB_ROW) {
		struct ledger_leaf leaf;
		int64_t id = db_col_int64(sel, 0);
		hash_t h;

		if (ledger_leaf_from_row(sel, 1, &leaf, err) < 0) {
			cf_err_prefix(err, "evidence row %lld", (long long)id);
			goto out;
		}
		ledger_leaf_hash(&leaf, h);
		if (set_leaf_index(db, upd, id, r.size, err) < 0 ||
		    ledger_range_push(&r, h, rebuild_put, &rc) != 0)
			goto out;
		count++;
	}
	if (step != DB_DONE) {
		db_err(db, err, "cannot read the evidence rows");
		goto out;
	}
	db_finalize(sel);
	sel = NULL;
	if (own && db_commit(db, err) < 0) {
		own = 0;	/* db_commit rolled back */
		goto out;
	}
	own = 0;
	if (added)
		*added = count;
	ret = 0;
out:
	nodes_close(&nd);
	db_finalize(sel);
	db_finalize(rc.ins);
	db_finalize(upd);
	if (own)
		db_rollback(db);
	return ret;
}

int
ledger_leaf_hash_at(struct cf_db *db, uint64_t index, unsigned char out[CF_SHA256_LEN],
		    struct cf_err *err)
{
	struct nodes nd;
	uint64_t n;
	int ret;

	if (ledger_size(db, &n, err) < 0)
		return -1;
	if (index >= n)
		return cf_err_set(err, CF_ENOTFOUND, "no leaf %llu in a ledger of %llu leaves",
				  (unsigned long long)index, (unsigned long long)n);
	if (nodes_open(&nd, db, err) < 0)
		return -1;
	ret = node_get(&nd, 0, index, out, err);
	nodes_close(&nd);
	return ret;
}

static int
check_size(struct cf_db *db, uint64_t size, struct cf_err *err)
{
	uint64_t n;

	if (ledger_size(db, &n, err) < 0)
		return -1;
	if (size > n)
		return cf_err_set(err, CF_EINPUT, "tree size %llu is beyond the ledger (%llu leaves)",
				  (unsigned long long)size, (unsigned long long)n);
	return 0;
}

int
ledger_root(struct cf_db *db, uint64_t size, unsigned char out[CF_SHA256_LEN], struct cf_err *err)
{
	struct nodes nd;
	int ret;

	if (check_size(db, size, err) < 0)
		return -1;
	if (size == 0) {
		empty_root(out);
		return 0;
	}
	if (nodes_open(&nd, db, err) < 0)
		return -1;
	ret = range_hash(&nd, 0, size, out, err);
	nodes_close(&nd);
	return ret;
}

struct proof {
	hash_t *h;
	size_t n;
};

static int
proof_add(struct nodes *nd, struct proof *p, uint64_t start, uint64_t n, struct cf_err *err)
{
	if (p->n >= LEDGER_MAX_PROOF)
		CF_BUG("proof too long");
	if (range_hash(nd, start, n, p->h[p->n], err) < 0)
		return -1;
	p->n++;
	return 0;
}

/* RFC 9162 PATH(m, D[start:start+n]), appended leaf-first. */
static int
path_rec(struct nodes *nd, struct proof *p, uint64_t m, uint64_t start, uint64_t n,
	 struct cf_err *err)
{
	uint64_t k;

	if (n <= 1)
		return 0;
	k = split_point(n);
	if (m < k) {
		if (path_rec(nd, p, m, start, k, err) < 0)
			return -1;
		return proof_add(nd, p, start + k, n - k, err);
	}
	if (path_rec(nd, p, m - k, start + k, n - k, err) < 0)
		return -1;
	return proof_add(nd, p, start, k, err);
}

/* RFC 9162 SUBPROOF(m, D[start:start+n], b). */
static int
subproof_rec(struct nodes *nd, struct proof *p, uint64_t m, uint64_t start, uint64_t n,
	     int b, struct cf_err *err)
{
	uint64_t k;

	if (m == n)
		return b ? 0 : proof_add(nd, p, start, n, err);
	k = split_point(n);
	if (m <= k) {
		if (subproof_rec(nd, p, m, start, k, b, err) < 0)
			return -1;
		return proof_add(nd, p, start + k, n - k, err);
	}
	if (subproof_rec(nd, p, m - k, start + k, n - k, 0, err) < 0)
		return -1;
	return proof_add(nd, p, start, k, err);
}

static int
proof_finish(struct proof *p, int rc, unsigned char (**path)[CF_SHA256_LEN], size_t *n)
{
	if (rc < 0 || p->n == 0) {
		free(p->h);
		p->h = NULL;
		if (rc < 0)
			return -1;
	}
	*path = p->h;
	*n = p->n;
	return 0;
}

int
ledger_inclusion_proof(struct cf_db *db, uint64_t index, uint64_t size,
		       unsigned char (**path)[CF_SHA256_LEN], size_t *n, struct cf_err *err)
{
	struct nodes nd;
	struct proof p = { NULL, 0 };
	int rc;

	if (check_size(db, size, err) < 0)
		return -1;
	if (index >= size)
		return cf_err_set(err, CF_EINPUT, "leaf %llu is not in a tree of %llu leaves",
				  (unsigned long long)index, (unsigned long long)size);
	if (nodes_open(&nd, db, err) < 0)
		return -1;
	p.h = xcalloc(LEDGER_MAX_PROOF, sizeof(hash_t));
	rc = path_rec(&nd, &p, index, 0, size, err);
	nodes_close(&nd);
	return proof_finish(&p, rc, path, n);
}

int
ledger_consistency_proof(struct cf_db *db, uint64_t size1, uint64_t size2,
			 unsigned char (**path)[CF_SHA256_LEN], size_t *n, struct cf_err *err)
{
	struct nodes nd;
	struct proof p = { NULL, 0 };
	int rc;

	if (check_size(db, size2, err) < 0)
		return -1;
	if (size1 == 0 || size1 > size2)
		return cf_err_set(err, CF_EINPUT, "no consistency proof from %llu to %llu leaves",
				  (unsigned long long)size1, (unsigned long long)size2);
	if (nodes_open(&nd, db, err) < 0)
		return -1;
	p.h = xcalloc(LEDGER_MAX_PROOF * 2, sizeof(hash_t));
	rc = size1 == size2 ? 0 : subproof_rec(&nd, &p, size1, 0, size2, 1, err);
	nodes_close(&nd);
	return proof_finish(&p, rc, path, n);
}

/* --- verification (pure) -------------------------------------------------- */

int
ledger_verify_inclusion(uint64_t index, uint64_t size,
			const unsigned char leaf_hash[CF_SHA256_LEN],
			const unsigned char (*path)[CF_SHA256_LEN], size_t n,
			const unsigned char root[CF_SHA256_LEN], struct cf_err *err)
{
	uint64_t fn, sn;
	hash_t r;
	size_t i;

	if (index >= size)
		return cf_err_set(err, CF_EVERIFY, "leaf index %llu is not below tree size %llu",
				  (unsigned long long)index, (unsigned long long)size);
	fn = index;
	sn = size - 1;
	memcpy(r, leaf_hash, CF_SHA256_LEN);
	for (i = 0; i < n; i++) {
		if (sn == 0)
			return cf_err_set(err, CF_EVERIFY, "inclusion proof is too long");
		if ((fn & 1) || fn == sn) {
			ledger_hash_children(path[i], r, r);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else
			ledger_hash_children(r, path[i], r);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return cf_err_set(err, CF_EVERIFY, "inclusion proof is too short");
	if (memcmp(r, root, CF_SHA256_LEN) != 0)
		return cf_err_set(err, CF_EVERIFY, "inclusion proof does not lead to the root hash");
	return 0;
}

int
ledger_verify_consistency(uint64_t size1, uint64_t size2,
			  const unsigned char root1[CF_SHA256_LEN],
			  const unsigned char root2[CF_SHA256_LEN],
			  const unsigned char (*path)[CF_SHA256_LEN], size_t n,
			  struct cf_err *err)
{
	uint64_t fn, sn;
	hash_t fr, sr;
	size_t i = 0;

	if (size1 > size2)
		return cf_err_set(err, CF_EVERIFY, "tree shrank from %llu to %llu leaves",
				  (unsigned long long)size1, (unsigned long long)size2);
	if (size1 == size2) {
		if (n != 0)
			return cf_err_set(err, CF_EVERIFY, "consistency proof between equal sizes is not empty");
		if (memcmp(root1, root2, CF_SHA256_LEN) != 0)
			return cf_err_set(err, CF_EVERIFY, "two roots for tree size %llu",
					  (unsigned long long)size1);
		return 0;
	}
	if (size1 == 0) {
		if (n != 0)
			return cf_err_set(err, CF_EVERIFY, "consistency proof from the empty tree is not empty");
		return 0;
	}
	if (n == 0)
		return cf_err_set(err, CF_EVERIFY, "consistency proof is empty");
	/* If size1 is a power of two, the proof omits its root: start from it. */
	if (is_pow2(size1)) {
		memcpy(fr, root1, CF_SHA256_LEN);
	} else {
		memcpy(fr, path[0], CF_SHA256_LEN);
		i = 1;
	}
	memcpy(sr, fr, CF_SHA256_LEN);
	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < n; i++) {
		if (sn == 0)
			return cf_err_set(err, CF_EVERIFY, "consistency proof is too long");
		if ((fn & 1) || fn == sn) {
			ledger_hash_children(path[i], fr, fr);
			ledger_hash_children(path[i], sr, sr);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else
			ledger_hash_children(sr, path[i], sr);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return cf_err_set(err, CF_EVERIFY, "consistency proof is too short");
	if (memcmp(fr, root1, CF_SHA256_LEN) != 0)
		return cf_err_set(err, CF_EVERIFY, "consistency proof does not match the earlier root");
	if (memcmp(sr, root2, CF_SHA256_LEN) != 0)
		return cf_err_set(err, CF_EVERIFY, "consistency proof does not match the later root");
	return 0;
}

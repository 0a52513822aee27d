/* SPDX-License-Identifier: MIT */
/*
 * seal — tree heads: make one (sign, timestamp, prove consistency, store),
 * read them back, and check their timestamp tokens.
 *
 * seal_run() does the slow parts (signing, the TSA round trip) outside any
 * write transaction, so ingests are not blocked by a slow TSA; it then
 * stores the head in a short BEGIN IMMEDIATE transaction after checking
 * that no other seal got there first.  The ledger may grow meanwhile: that
 * does not matter, the head names its own size and the first N leaves of an
 * append-only log never change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509.h>

#include "casefile/checkpoint.h"
#include "casefile/db.h"
#include "casefile/db_stmt.h"
#include "casefile/dispute.h"
#include "casefile/ingest.h"
#include "casefile/kept.h"
#include "casefile/ledger.h"
#include "casefile/seal.h"
#include "casefile/tsa.h"
#include "casefile/xalloc.h"

static void
tokens_free(struct seal_token *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(t[i].tst);
		free(t[i].tsa_url);
	}
	free(t);
}

void
seal_head_release(struct seal_head *h)
{
	if (h == NULL)
		return;
	free(h->origin);
	free(h->checkpoint);
	free(h->tst);
	free(h->tsa_url);
	free(h->consistency);
	tokens_free(h->extra, h->nextra);
	memset(h, 0, sizeof(*h));
}

int
seal_timestamp_tsa(void *cookie, const char *url, const void *data, size_t n,
		   unsigned char **token, size_t *len, struct cf_err *err)
{
	struct tsa_opts to;

	memset(&to, 0, sizeof(to));
	if (cookie)
		to = *(const struct tsa_opts *)cookie;
	to.url = url;
	return tsa_timestamp(&to, data, n, token, len, NULL, err);
}

int
seal_origin(struct cf_db *db, char **origin, struct cf_err *err)
{
	char *id = db_meta_get(db, "vault_id");

	if (id == NULL || *id == '\0') {
		free(id);
		return cf_err_set(err, CF_EDB, "the vault has no id (meta 'vault_id')");
	}
	*origin = xasprintf("casefile/%s", id);
	free(id);
	return 0;
}

#define HEAD_COLS "tree_size, root, created_at, origin, checkpoint, key_id, tst, " \
		  "tsa_url, prev_size, consistency_proof"

static char *
col_strdup(struct db_stmt *st, int i)
{
	const unsigned char *t = db_col_text(st, i);

	return t ? xstrdup((const char *)t) : NULL;
}

static int
head_from_row(struct db_stmt *st, struct seal_head *h, struct cf_err *err)
{
	int n;

	memset(h, 0, sizeof(*h));
	h->tree_size = (uint64_t)db_col_int64(st, 0);
	if (db_col_bytes(st, 1) != CF_SHA256_LEN)
		return cf_err_set(err, CF_EDB, "head %llu: bad root", (unsigned long long)h->tree_size);
	memcpy(h->root, db_col_blob(st, 1), CF_SHA256_LEN);
	h->created_at = db_col_int64(st, 2);
	h->origin = col_strdup(st, 3);
	h->checkpoint = col_strdup(st, 4);
	h->checkpoint_len = (size_t)db_col_bytes(st, 4);
	if (h->checkpoint == NULL)
		h->checkpoint = xstrdup("");
	if (db_col_bytes(st, 5) == 4) {
		memcpy(h->key_id, db_col_blob(st, 5), 4);
		h->has_key_id = 1;
	}
	if ((n = db_col_bytes(st, 6)) > 0) {
		h->tst = xmemdup(db_col_blob(st, 6), (size_t)n);
		h->tst_len = (size_t)n;
	}
	h->tsa_url = col_strdup(st, 7);
	h->prev_size = (uint64_t)db_col_int64(st, 8);
	n = db_col_bytes(st, 9);
	if (n % CF_SHA256_LEN != 0) {
		seal_head_release(h);
		return cf_err_set(err, CF_EDB, "head %llu: bad consistency proof",
				  (unsigned long long)db_col_int64(st, 0));
	}
	if (n > 0) {
		h->consistency = xmemdup(db_col_blob(st, 9), (size_t)n);
		h->nconsistency = (size_t)n / CF_SHA256_LEN;
	}
	return 0;
}

int
seal_heads(struct cf_db *db, struct seal_head **heads, size_t *n, struct cf_err *err)
{
	struct db_stmt *st;
	struct seal_head *v = NULL;
	size_t count = 0;
	int rc;

	if (db_prepare(db, "SELECT " HEAD_COLS " FROM heads ORDER BY tree_size", &st, err) < 0)
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		v = xreallocarray(v, count + 1, sizeof(*v));
		if (head_from_row(st, &v[count], err) < 0)
			goto fail;
		count++;
	}
	if (rc != DB_DONE) {
		db_err(db, err, "cannot read the tree heads");
		goto fail;
	}
	db_finalize(st);
	*heads = v;
	*n = count;
	return 0;
fail:
	db_finalize(st);
	seal_heads_free(v, count);
	return -1;
}

void
seal_heads_free(struct seal_head *heads, size_t n)
{
	size_t i;

	for (i = 0; heads && i < n; i++)
		seal_head_release(&heads[i]);
	free(heads);
}

int
seal_head_find(struct cf_db *db, uint64_t min_size, struct seal_head *head, int *found,
	       struct cf_err *err)
{
	struct db_stmt *st;
	int rc, ret = -1;

	if (db_prepare(db, min_size ?
		       "SELECT " HEAD_COLS " FROM heads WHERE tree_size >= ? ORDER BY tree_size LIMIT 1" :
		       "SELECT " HEAD_COLS " FROM heads ORDER BY tree_size DESC LIMIT 1", &st, err) < 0)
		return -1;
	if (min_size)
		db_bind_int64(st, 1, (int64_t)min_size);
	rc = db_step(st);
	if (rc == DB_ROW) {
		if (head_from_row(st, head, err) == 0) {
			*found = 1;
			ret = 0;
		}
	} else if (rc == DB_DONE) {
		memset(head, 0, sizeof(*head));
		*found = 0;
		ret = 0;
	} else
		db_err(db, err, "cannot read the tree heads");
	db_finalize(st);
	return ret;
}

/* Store t[0..n) as head tree_size's next tokens (head_tokens). */
static int
tokens_insert(struct cf_db *db, uint64_t tree_size, const struct seal_token *t, size_t n,
	      int64_t now, struct cf_err *err)
{
	struct db_stmt *st;
	size_t i;
	int rc = DB_DONE;

	if (n == 0)
		return 0;
	if (db_prepare(db, "INSERT INTO head_tokens(tree_size, seq, tsa_url, tst, added_at) "
		       "VALUES(?1, (SELECT coalesce(max(seq), 0) + 1 FROM head_tokens "
		       "WHERE tree_size = ?1), ?2, ?3, ?4)", &st, err) < 0)
		return -1;
	for (i = 0; i < n && rc == DB_DONE; i++) {
		db_reset(st);
		db_bind_int64(st, 1, (int64_t)tree_size);
		if (t[i].tsa_url)
			db_bind_text(st, 2, t[i].tsa_url, -1, DB_STATIC);
		else
			db_bind_null(st, 2);
		db_bind_blob(st, 3, t[i].tst, (int)t[i].len, DB_STATIC);
		db_bind_int64(st, 4, now);
		rc = db_step(st);
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot store a token of tree head %llu",
			      (unsigned long long)tree_size);
	return 0;
}

int
seal_head_tokens(struct cf_db *db, struct seal_head *h, struct cf_err *err)
{
	struct db_stmt *st;
	int rc;

	tokens_free(h->extra, h->nextra);
	h->extra = NULL;
	h->nextra = 0;
	if (db_prepare(db, "SELECT tsa_url, tst, added_at FROM head_tokens WHERE tree_size = ? "
		       "ORDER BY seq", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, (int64_t)h->tree_size);
	while ((rc = db_step(st)) == DB_ROW) {
		struct seal_token *t;

		h->extra = xreallocarray(h->extra, h->nextra + 1, sizeof(*h->extra));
		t = &h->extra[h->nextra++];
		memset(t, 0, sizeof(*t));
		t->tsa_url = col_strdup(st, 0);
		t->len = (size_t)db_col_bytes(st, 1);
		t->tst = xmemdup(db_col_blob(st, 1) ? db_col_blob(st, 1) : "",
				 t->len);
		t->added_at = db_col_int64(st, 2);
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot read the tokens of tree head %llu",
			      (unsigned long long)h->tree_size);
	return 0;
}

/* SHA-256 of the public key that signed token (its TSA), for "different TSAs". */
static int
token_signer_key(const unsigned char *token, size_t len, unsigned char out[CF_SHA256_LEN])
{
	const unsigned char *p = token;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
	STACK_OF(X509) *signers = NULL;
	ASN1_BIT_STRING *bits;
	int ret = -1;

	if (p7 && (signers = PKCS7_get0_signers(p7, NULL, 0)) != NULL &&
	    sk_X509_num(signers) == 1 &&
	    (bits = X509_get0_pubkey_bitstr(sk_X509_value(signers, 0))) != NULL) {
		cf_sha256(ASN1_STRING_get0_data(bits), (size_t)ASN1_STRING_length(bits), out);
		ret = 0;
	}
	ERR_clear_error();
	sk_X509_free(signers);
	PKCS7_free(p7);
	return ret;
}

/*
 * Tokens over note[0..len) from the TSAs of o->tsa_url, asked in order
 * until o->tsa_require (at least 1) of them, each another signing key, gave
 * one.  (*toks)[0..*n) may hold tokens already (a kept .tsr): they count.
 */
static int
collect_tokens(const struct seal_opts *o, const char *note, size_t len,
	       struct seal_token **toks, size_t *n, struct cf_err *err)
{
	seal_timestamp_fn ts = o->timestamp ? o->timestamp : seal_timestamp_tsa;
	struct cf_err e = CF_ERR_INIT;
	struct cf_buf why = CF_BUF_INIT;
	unsigned char (*keys)[CF_SHA256_LEN] = NULL, k[CF_SHA256_LEN];
	char **urls = NULL;
	size_t need = o->tsa_require > 1 ? (size_t)o->tsa_require : 1, nurls, i, j;
	enum cf_status code = CF_ENET;
	int ret = -1;

	nurls = tsa_urls_split(o->tsa_url, &urls);
	keys = xcalloc(nurls + *n + 1, sizeof(*keys));
	for (j = 0; j < *n; j++)
		if (token_signer_key((*toks)[j].tst, (*toks)[j].len, keys[j]) < 0)
			memset(keys[j], 0, CF_SHA256_LEN);
	for (i = 0; i < nurls && *n < need; i++) {
		unsigned char *tok = NULL;
		size_t toklen = 0;
		struct seal_token *t;

		if (ts(o->cookie, urls[i], note, len, &tok, &toklen, &e) < 0 ||
		    seal_token_check(tok, toklen, note, len, NULL, &e) < 0) {
			cf_buf_addf(&why, "%s%s", why.len ? "; " : "", e.msg ? e.msg : urls[i]);
			code = e.code;	/* a token over other bytes stays CF_EVERIFY */
			cf_err_release(&e);
			free(tok);
			continue;
		}
		if (token_signer_key(tok, toklen, k) < 0)
			memset(k, 0, CF_SHA256_LEN);
		for (j = 0; j < *n && memcmp(keys[j], k, CF_SHA256_LEN) != 0; j++)
			;
		if (j < *n) {
			cf_buf_addf(&why, "%s'%s' signs with the same key as '%s' (the same TSA)",
				    why.len ? "; " : "", urls[i],
				    (*toks)[j].tsa_url ? (*toks)[j].tsa_url : "the kept token");
			free(tok);
			continue;
		}
		*toks = xreallocarray(*toks, *n + 1, sizeof(**toks));
		t = &(*toks)[*n];
		memset(t, 0, sizeof(*t));
		t->tst = tok;
		t->len = toklen;
		t->tsa_url = xstrdup(urls[i]);
		memcpy(keys[(*n)++], k, CF_SHA256_LEN);
	}
	if (*n >= need)
		ret = 0;
	else if (need == 1)
		cf_err_set(err, code, "%s", why.len ? why.data : "no TSA");
	else
		cf_err_set(err, CF_ENET, "tokens from %zu of the %zu different TSAs tsa.require asks "
			   "for (%zu tried)%s%s", *n, need, nurls, why.len ? ": " : "",
			   why.len ? why.data : "");
	cf_buf_release(&why);
	tsa_urls_free(urls);
	free(keys);
	return ret;
}

static int
head_insert(struct cf_db *db, const struct seal_head *h, struct cf_err *err)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, "INSERT INTO heads(" HEAD_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?)",
		       &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, (int64_t)h->tree_size);
	db_bind_blob(st, 2, h->root, CF_SHA256_LEN, DB_STATIC);
	db_bind_int64(st, 3, h->created_at);
	db_bind_text(st, 4, h->origin, -1, DB_STATIC);
	db_bind_text(st, 5, h->checkpoint, (int)h->checkpoint_len, DB_STATIC);
	db_bind_blob(st, 6, h->key_id, 4, DB_STATIC);
	if (h->tst)
		db_bind_blob(st, 7, h->tst, (int)h->tst_len, DB_STATIC);
	if (h->tsa_url)
		db_bind_text(st, 8, h->tsa_url, -1, DB_STATIC);
	if (h->prev_size)
		db_bind_int64(st, 9, (int64_t)h->prev_size);
	db_bind_blob(st, 10, h->consistency ? (const void *)h->consistency : "",
			  (int)(h->nconsistency * CF_SHA256_LEN), DB_STATIC);
	rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot store tree head %llu", (unsigned long long)h->tree_size);
	return tokens_insert(db, h->tree_size, h->extra, h->nextra, h->created_at, err);
}

/* --- kept checkpoints (kept.h) ------------------------------------------- */

int
seal_kept_backfill(const char *dir, const struct seal_head *heads, size_t n,
		   struct cf_err *err)
{
	size_t i;

	if (kept_mkdir(dir, err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (kept_write(dir, i + 1, heads[i].checkpoint, heads[i].checkpoint_len,
			       heads[i].tst, heads[i].tst_len, err) < 0)
			return -1;
	return 0;
}

/*
 * The kept checkpoint f, one more than the n heads (last = heads[n-1] or
 * NULL), left by a seal interrupted before its commit: store its head when
 * it is exactly what that seal would have stored.
 */
static int
complete_interrupted(struct cf_db *db, const struct seal_opts *o, const struct seal_head *last,
		     const struct kept_file *f, struct cf_err *err)
{
	struct cf_err e = CF_ERR_INIT;
	struct checkpoint cp;
	struct seal_head h;
	unsigned char root[CF_SHA256_LEN];
	uint64_t size = 0;
	char *name = kept_name(f->number, "txt"), *why = NULL;
	int ret = -1;

	checkpoint_init(&cp);
	memset(&h, 0, sizeof(h));
	if (seal_origin(db, &h.origin, err) < 0 || ledger_size(db, &size, err) < 0)
		goto out;
	if (checkpoint_parse(f->note, f->note_len, &cp, &e) < 0)
		why = xstrdup(e.msg);
	else if (strcmp(cp.origin, h.origin) != 0)
		why = xasprintf("it names another vault ('%s')", cp.origin);
	else if (checkpoint_verify(&cp, f->note, f->note_len, o->key, &e) < 0)
		why = xstrdup(e.msg);
	else if (last && cp.size <= last->tree_size)
		why = xasprintf("its tree size %llu is not above the last head's (%llu)",
				(unsigned long long)cp.size, (unsigned long long)last->tree_size);
	else if (cp.size > size)
		why = xasprintf("it seals %llu leaves, the ledger has %llu",
				(unsigned long long)cp.size, (unsigned long long)size);
	else if (ledger_root(db, cp.size, root, err) < 0)
		goto out;
	else if (memcmp(root, cp.root, CF_SHA256_LEN) != 0)
		why = xasprintf("the ledger's first %llu leaves no longer have its root",
				(unsigned long long)cp.size);
	else if (f->tst && seal_token_check(f->tst, f->tst_len, f->note, f->note_len, NULL, &e) < 0)
		why = xasprintf("its timestamp token: %s", e.msg);
	if (why) {
		cf_err_set(err, CF_EVERIFY, "'%s/%s' is not a tree head and does not complete an "
			   "interrupted seal: %s: run 'casefile audit'", o->kept_dir, name, why);
		goto out;
	}
	h.tree_size = cp.size;
	memcpy(h.root, cp.root, CF_SHA256_LEN);
	h.created_at = f->mtime;
	h.checkpoint = xmalloc(f->note_len + 1);
	memcpy(h.checkpoint, f->note, f->note_len + 1);
	h.checkpoint_len = f->note_len;
	if (checkpoint_key_id(h.origin, o->key, h.key_id, err) < 0)
		goto out;
	h.has_key_id = 1;
	if (f->tst) {
		h.tst = xmemdup(f->tst, f->tst_len);
		h.tst_len = f->tst_len;
	}
	if (last) {
		h.prev_size = last->tree_size;
		if (ledger_consistency_proof(db, last->tree_size, h.tree_size, &h.consistency,
					     &h.nconsistency, err) < 0 ||
		    ledger_verify_consistency(last->tree_size, h.tree_size, last->root, h.root,
					      (const unsigned char (*)[CF_SHA256_LEN])h.consistency,
					      h.nconsistency, err) < 0)
			goto out;
	}
	ret = head_insert(db, &h, err);
out:
	checkpoint_release(&cp);
	seal_head_release(&h);
	cf_err_release(&e);
	free(why);
	free(name);
	return ret;
}

/* Give the mirror every kept checkpoint; it may hold no other. */
static int
mirror_sync(const char *mirror, const struct kept_file *files, size_t n, struct cf_err *err)
{
	struct kept_file *have = NULL;
	size_t nhave = 0, i, j = 0;
	int ret = -1;

	if (kept_read(mirror, &have, &nhave, err) < 0) {
		cf_err_prefix(err, "cannot use the checkpoint mirror (seal.mirror)");
		if (err)
			err->code = CF_EIO;
		return -1;
	}
	if (nhave && have[nhave - 1].number > n) {
		char *name = kept_name(have[nhave - 1].number, "txt");

		cf_err_set(err, CF_EVERIFY, "the checkpoint mirror holds '%s/%s', which the vault "
			   "lacks (a folder of another vault? each vault needs its own): run "
			   "'casefile audit'", mirror, name);
		free(name);
		goto out;
	}
	for (i = 0; i < n; i++) {
		for (; j < nhave && have[j].number < files[i].number; j++)
			;
		if (j < nhave && have[j].number == files[i].number &&
		    have[j].note_len == files[i].note_len &&
		    memcmp(have[j].note, files[i].note, files[i].note_len) == 0 &&
		    have[j].tst_len == files[i].tst_len &&
		    (files[i].tst_len == 0 || memcmp(have[j].tst, files[i].tst, files[i].tst_len) == 0))
			continue;
		if (kept_write(mirror, files[i].number, files[i].note, files[i].note_len,
			       files[i].tst, files[i].tst_len, err) < 0)
			goto out;
	}
	ret = 0;
out:
	kept_files_free(have, nhave);
	return ret;
}

void
seal_kept_dirs(struct cf_db *db, const char *vault_dir, char **kept, char **mirror)
{
	*kept = xasprintf("%s/%s", vault_dir, KEPT_DIR);
	*mirror = db_meta_get(db, "seal.mirror");
	if (*mirror && **mirror == '\0') {
		free(*mirror);
		*mirror = NULL;
	}
}

int
seal_kept_mirror(const char *kept_dir, const char *mirror, struct cf_err *err)
{
	struct cf_err e = CF_ERR_INIT;
	struct kept_file *files = NULL;
	size_t n = 0;
	int ret;

	if (kept_read(kept_dir, &files, &n, &e) < 0) {
		ret = e.code == CF_ENOTFOUND ? 0 : -1;	/* not kept yet: the next seal */
		if (ret < 0)
			cf_err_move(err, &e);
		cf_err_release(&e);
		return ret;
	}
	ret = mirror_sync(mirror, files, n, err);
	kept_files_free(files, n);
	return ret;
}

/*
 * Before sealing: the kept folders and the heads table must agree (see
 * seal_run in seal.h); complete an interrupted seal; fill the mirror.
 */
static int
keep_prepare(struct cf_db *db, const struct seal_opts *o, struct cf_err *err)
{
	struct cf_err e = CF_ERR_INIT;
	struct seal_head *heads = NULL;
	struct kept_file *files = NULL;
	size_t nh = 0, nf = 0, i;
	char *marker = NULL, *name = NULL;
	int ret = -1;

	if (o->kept_dir == NULL)
		return 0;
	if (db_begin(db, err) < 0)
		return -1;
	if (seal_heads(db, &heads, &nh, err) < 0)
		goto out;
	marker = db_meta_get(db, KEPT_META);
	if (kept_read(o->kept_dir, &files, &nf, &e) < 0) {
		if (e.code != CF_ENOTFOUND) {
			cf_err_move(err, &e);
			goto out;
		}
		if (marker) {
			cf_err_set(err, CF_EVERIFY, "'%s' is missing, though this vault keeps its "
				   "checkpoints there: run 'casefile audit'", o->kept_dir);
			goto out;
		}
		/* A vault from before kept checkpoints: keep its heads now. */
		if (seal_kept_backfill(o->kept_dir, heads, nh, err) < 0 ||
		    kept_read(o->kept_dir, &files, &nf, err) < 0)
			goto out;
	}
	if (marker == NULL && db_meta_set(db, KEPT_META, "1", err) < 0)
		goto out;
	for (i = 0; i < nf; i++) {
		if (files[i].number != i + 1) {
			name = kept_name(i + 1, "txt");
			cf_err_set(err, CF_EVERIFY, "'%s/%s' is missing: run 'casefile audit'",
				   o->kept_dir, name);
			goto out;
		}
		if (i < nh && (files[i].note_len != heads[i].checkpoint_len ||
			       memcmp(files[i].note, heads[i].checkpoint, files[i].note_len) != 0)) {
			name = kept_name(i + 1, "txt");
			cf_err_set(err, CF_EVERIFY, "'%s/%s' differs from tree head %llu: run "
				   "'casefile audit'", o->kept_dir, name,
				   (unsigned long long)heads[i].tree_size);
			goto out;
		}
	}
	if (nf == nh + 1) {
		if (complete_interrupted(db, o, nh ? &heads[nh - 1] : NULL, &files[nh], err) < 0)
			goto out;
	} else if (nf < nh && db_shared(db)) {
		/*
		 * A vault several folders seal (PostgreSQL): the heads the
		 * others sealed since this folder's last seal are kept here
		 * now, each after those it keeps already (which match above).
		 */
		kept_files_free(files, nf);
		files = NULL;
		nf = 0;
		if (seal_kept_backfill(o->kept_dir, heads, nh, err) < 0 ||
		    kept_read(o->kept_dir, &files, &nf, err) < 0)
			goto out;
	} else if (nf != nh) {
		cf_err_set(err, CF_EVERIFY, "'%s' keeps %zu checkpoints, the vault has %zu tree "
			   "heads: run 'casefile audit'", o->kept_dir, nf, nh);
		goto out;
	}
	if (o->mirror_dir && mirror_sync(o->mirror_dir, files, nf, err) < 0)
		goto out;
	ret = db_commit(db, err);
out:
	if (ret < 0)
		db_rollback(db);
	seal_heads_free(heads, nh);
	kept_files_free(files, nf);
	cf_err_release(&e);
	free(marker);
	free(name);
	return ret;
}

/* Keep further tokens of head number `number` beside its checkpoint. */
static int
keep_extras(const struct seal_opts *o, uint64_t number, const struct seal_token *t, size_t n,
	    struct cf_err *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((o->kept_dir && kept_add_extra(o->kept_dir, number, t[i].tst, t[i].len, err) < 0) ||
		    (o->mirror_dir && kept_add_extra(o->mirror_dir, number, t[i].tst, t[i].len,
						     err) < 0))
			return -1;
	return 0;
}

/* Inside the head's transaction: keep its checkpoint before the commit. */
static int
keep_new(struct cf_db *db, const struct seal_opts *o, const struct seal_head *h, struct cf_err *err)
{
	struct db_stmt *st;
	uint64_t n = 0;

	if (o->kept_dir == NULL)
		return 0;
	if (db_prepare(db, "SELECT count(*) FROM heads", &st, err) < 0)
		return -1;
	if (db_step(st) == DB_ROW)
		n = (uint64_t)db_col_int64(st, 0);
	db_finalize(st);
	/* further tokens first: a kept .txt always has all its tokens */
	if (keep_extras(o, n + 1, h->extra, h->nextra, err) < 0 ||
	    kept_write(o->kept_dir, n + 1, h->checkpoint, h->checkpoint_len, h->tst, h->tst_len,
		       err) < 0 ||
	    (o->mirror_dir && kept_write(o->mirror_dir, n + 1, h->checkpoint, h->checkpoint_len,
					 h->tst, h->tst_len, err) < 0)) {
		cf_err_prefix(err, "tree head %llu not stored", (unsigned long long)h->tree_size);
		return -1;
	}
	return 0;
}

/* The number of head h among the heads (1 for the first), for kept.h. */
static int
head_number(struct cf_db *db, uint64_t tree_size, uint64_t *number, struct cf_err *err)
{
	struct db_stmt *st;

	if (db_prepare(db, "SELECT count(*) FROM heads WHERE tree_size <= ?", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, (int64_t)tree_size);
	*number = db_step(st) == DB_ROW ? (uint64_t)db_col_int64(st, 0) : 0;
	db_finalize(st);
	return 0;
}

/*
 * The latest head h was sealed already: timestamp it now (no token yet,
 * or o->timestamp_again).  Returns 0 (h updated, h->stamped_now set),
 * 1 when another seal changed the heads meanwhile, -1 on error.
 */
static int
stamp_existing(struct cf_db *db, const struct seal_opts *o, struct seal_head *h,
	       struct cf_err *err)
{
	struct seal_token *toks = NULL;
	struct kept_file *files = NULL;
	struct seal_head now;
	uint64_t number = 0;
	size_t n = 0, nf = 0, first = 0, i;
	int ret = -1, f2 = 0;

	memset(&now, 0, sizeof(now));
	if (head_number(db, h->tree_size, &number, err) < 0)
		return -1;
	/* A kept .tsr without its head row's token: a run interrupted after it. */
	if (h->tst == NULL && o->kept_dir && kept_read(o->kept_dir, &files, &nf, NULL) == 0)
		for (i = 0; i < nf; i++)
			if (files[i].number == number && files[i].tst &&
			    seal_token_check(files[i].tst, files[i].tst_len, h->checkpoint,
					     h->checkpoint_len, NULL, NULL) == 0) {
				toks = xcalloc(1, sizeof(*toks));
				toks[0].tst = xmemdup(files[i].tst, files[i].tst_len);
				toks[0].len = files[i].tst_len;
				n = 1;
			}
	kept_files_free(files, nf);
	if (collect_tokens(o, h->checkpoint, h->checkpoint_len, &toks, &n, err) < 0) {
		cf_err_prefix(err, "cannot timestamp tree head %llu", (unsigned long long)h->tree_size);
		goto out;
	}
	if (db_begin(db, err) < 0)
		goto out;
	if (seal_head_find(db, 0, &now, &f2, err) < 0)
		goto rollback;
	if (!f2 || now.tree_size != h->tree_size || (now.tst == NULL) != (h->tst == NULL)) {
		db_rollback(db);
		ret = 1;
		goto out;
	}
	if (h->tst == NULL) {
		struct db_stmt *st;
		int rc;

		if ((o->kept_dir && kept_add_token(o->kept_dir, number, toks[0].tst, toks[0].len,
						   err) < 0) ||
		    (o->mirror_dir && kept_add_token(o->mirror_dir, number, toks[0].tst,
						     toks[0].len, err) < 0))
			goto rollback;
		if (db_prepare(db, "UPDATE heads SET tst = ?, tsa_url = ? WHERE tree_size = ? "
			       "AND tst IS NULL", &st, err) < 0)
			goto rollback;
		db_bind_blob(st, 1, toks[0].tst, (int)toks[0].len, DB_STATIC);
		if (toks[0].tsa_url)
			db_bind_text(st, 2, toks[0].tsa_url, -1, DB_STATIC);
		db_bind_int64(st, 3, (int64_t)h->tree_size);
		rc = db_step(st);
		db_finalize(st);
		if (rc != DB_DONE) {
			db_err(db, err, "cannot store the token of tree head %llu",
			       (unsigned long long)h->tree_size);
			goto rollback;
		}
		first = 1;
	}
	if (keep_extras(o, number, toks + first, n - first, err) < 0 ||
	    tokens_insert(db, h->tree_size, toks + first, n - first, o->now, err) < 0 ||
	    db_commit(db, err) < 0)
		goto rollback;
	if (first) {
		h->tst = toks[0].tst;
		h->tst_len = toks[0].len;
		free(h->tsa_url);
		h->tsa_url = toks[0].tsa_url;
		toks[0].tst = NULL;
		toks[0].tsa_url = NULL;
	}
	h->stamped_now = n;
	ret = 0;
	goto out;
rollback:
	db_rollback(db);
out:
	seal_head_release(&now);
	tokens_free(toks, n);
	return ret;
}

/* One attempt; returns 1 when another seal stored a head meanwhile. */
static int
seal_once(struct cf_db *db, const struct seal_opts *o, struct seal_head *out, int *sealed,
	  uint64_t *backfilled, struct cf_err *err)
{
	struct seal_head prev, h;
	unsigned char prev_root[CF_SHA256_LEN];
	uint64_t size;
	int found = 0, ret = -1, again;

	memset(&h, 0, sizeof(h));
	memset(&prev, 0, sizeof(prev));
	*sealed = 0;
	/* Disputes and notes recorded before they were sealed get their leaves first. */
	if (dispute_seal_all(db, NULL, err) < 0 || ingest_seal_notes(db, NULL, err) < 0 ||
	    ledger_rebuild(db, backfilled, err) < 0)
		return -1;
	if (ledger_size(db, &size, err) < 0 || seal_head_find(db, 0, &prev, &found, err) < 0)
		return -1;
	if (found && prev.tree_size > size) {
		cf_err_set(err, CF_EVERIFY, "the ledger has %llu leaves but head %llu was sealed: "
			   "leaves were removed", (unsigned long long)size,
			   (unsigned long long)prev.tree_size);
		goto out;
	}
	if (size == 0 || (found && prev.tree_size == size)) {
		if (size && o->tsa_url && (prev.tst == NULL || o->timestamp_again) &&
		    (again = stamp_existing(db, o, &prev, err)) != 0) {
			ret = again;	/* -1, or 1: another seal changed the head */
			goto out;
		}
		if (out) {
			*out = prev;
			memset(&prev, 0, sizeof(prev));
		}
		ret = 0;
		goto out;
	}
	h.tree_size = size;
	h.created_at = o->now;
	if (ledger_root(db, size, h.root, err) < 0 || seal_origin(db, &h.origin, err) < 0)
		goto out;
	if (found) {
		/* The ledger must still hold the previous head's tree. */
		if (ledger_root(db, prev.tree_size, prev_root, err) < 0)
			goto out;
		if (memcmp(prev_root, prev.root, CF_SHA256_LEN) != 0) {
			cf_err_set(err, CF_EVERIFY, "the ledger no longer matches tree head %llu: "
				   "run 'casefile audit'", (unsigned long long)prev.tree_size);
			goto out;
		}
		if (ledger_consistency_proof(db, prev.tree_size, size, &h.consistency,
					     &h.nconsistency, err) < 0 ||
		    ledger_verify_consistency(prev.tree_size, size, prev.root, h.root,
					      (const unsigned char (*)[CF_SHA256_LEN])h.consistency,
					      h.nconsistency, err) < 0)
			goto out;
		h.prev_size = prev.tree_size;
	}
	if (checkpoint_sign(h.origin, size, h.root, o->key, &h.checkpoint, &h.checkpoint_len,
			    h.key_id, err) < 0)
		goto out;
	h.has_key_id = 1;
	if (o->tsa_url) {
		struct seal_token *toks = NULL;
		size_t n = 0;

		if (collect_tokens(o, h.checkpoint, h.checkpoint_len, &toks, &n, err) < 0) {
			tokens_free(toks, n);
			cf_err_prefix(err, "cannot timestamp tree head %llu", (unsigned long long)size);
			goto out;
		}
		h.tst = toks[0].tst;
		h.tst_len = toks[0].len;
		h.tsa_url = toks[0].tsa_url;
		memmove(toks, toks + 1, (n - 1) * sizeof(*toks));
		h.extra = toks;
		h.nextra = n - 1;
	}
	/* Store, unless another seal stored a head meanwhile. */
	if (db_begin(db, err) < 0)
		goto out;
	{
		struct seal_head now;
		int f2 = 0;

		if (seal_head_find(db, 0, &now, &f2, err) < 0) {
			db_rollback(db);
			goto out;
		}
		again = f2 != found || (f2 && now.tree_size != prev.tree_size);
		seal_head_release(&now);
	}
	if (again) {
		db_rollback(db);
		ret = 1;
		goto out;
	}
	if (keep_new(db, o, &h, err) < 0 || head_insert(db, &h, err) < 0) {
		db_rollback(db);
		goto out;
	}
	if (db_commit(db, err) < 0)
		goto out;
	*sealed = 1;
	if (out) {
		*out = h;
		memset(&h, 0, sizeof(h));
	}
	ret = 0;
out:
	seal_head_release(&prev);
	seal_head_release(&h);
	return ret;
}

int
seal_run(struct cf_db *db, const struct seal_opts *o, struct seal_head *out, int *sealed,
	 uint64_t *backfilled, struct cf_err *err)
{
	uint64_t bf = 0, total = 0;
	int attempt, rc;

	if (keep_prepare(db, o, err) < 0)
		return -1;

	/*
	 * Two seals at once: the second finds the first's head when it comes
	 * to store its own, and starts over (usually to find nothing new).
	 */
	for (attempt = 0; attempt < 5; attempt++) {
		rc = seal_once(db, o, out, sealed, &bf, err);
		total += bf;
		if (rc <= 0) {
			if (backfilled)
				*backfilled = total;
			return rc;
		}
	}
	return cf_err_set(err, CF_EDB, "other seals kept storing tree heads: run seal again");
}

int
seal_token_check(const unsigned char *token, size_t len, const void *data, size_t n,
		 int64_t *gen_time, struct cf_err *err)
{
	const unsigned char *p = token;
	PKCS7 *p7 = NULL;
	TS_TST_INFO *ti = NULL;
	X509_STORE *store = NULL;
	unsigned char want[CF_SHA256_LEN];
	int ret = -1;

	if (len > 1 << 20 || (p7 = d2i_PKCS7(NULL, &p, (long)len)) == NULL ||
	    p != token + len) {
		cf_err_set(err, CF_EINPUT, "not an RFC 3161 timestamp token");
		goto out;
	}
	if ((ti = PKCS7_to_TS_TST_INFO(p7)) == NULL) {
		cf_err_set(err, CF_EINPUT, "not an RFC 3161 timestamp token");
		goto out;
	}
	{
		TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(ti);
		X509_ALGOR *alg = TS_MSG_IMPRINT_get_algo(mi);
		ASN1_OCTET_STRING *d = TS_MSG_IMPRINT_get_msg(mi);
		const ASN1_OBJECT *obj;

		X509_ALGOR_get0(&obj, NULL, NULL, alg);
		if (OBJ_obj2nid(obj) != NID_sha256) {
			cf_err_set(err, CF_EVERIFY, "timestamp token imprint is not SHA-256");
			goto out;
		}
		cf_sha256(data, n, want);
		if (ASN1_STRING_length(d) != CF_SHA256_LEN ||
		    memcmp(ASN1_STRING_get0_data(d), want, CF_SHA256_LEN) != 0) {
			cf_err_set(err, CF_EVERIFY, "timestamp token is over other bytes (imprint mismatch)");
			goto out;
		}
	}
	/* The token's own signature, by the certificate it carries. */
	store = X509_STORE_new();
	if (store == NULL || PKCS7_verify(p7, NULL, store, NULL, NULL, PKCS7_NOVERIFY) != 1) {
		ERR_clear_error();
		cf_err_set(err, CF_EVERIFY, "timestamp token signature is not valid");
		goto out;
	}
	if (gen_time) {
		const ASN1_GENERALIZEDTIME *gt = TS_TST_INFO_get_time(ti);
		struct tm tm;

		if (gt == NULL || ASN1_TIME_to_tm(gt, &tm) != 1) {
			cf_err_set(err, CF_EVERIFY, "timestamp token has no valid time");
			goto out;
		}
		*gen_time = (int64_t)timegm(&tm);
	}
	ret = 0;
out:
	ERR_clear_error();
	X509_STORE_free(store);
	TS_TST_INFO_free(ti);
	PKCS7_free(p7);
	return ret;
}

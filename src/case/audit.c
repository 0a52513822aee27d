/* SPDX-License-Identifier: MIT */
/*
 * audit — re-hash the object store and recompute the ledger.
 *
 * Objects are loaded sorted by hash (SQLite orders BLOBs with memcmp), then
 * worker threads take them one at a time from a shared counter and record
 * a status per object; the main thread then walks objects/ looking up each
 * file by binary search.  The ledger is recomputed in one pass over the
 * evidence rows in leaf order, with an in-memory compact range
 * (ledger_range) whose callback compares every completed subtree with the
 * stored node, and whose root is taken whenever a head's size is reached.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "casefile/audit.h"
#include "casefile/checkpoint.h"
#include "casefile/db.h"
#include "casefile/ledger.h"
#include "casefile/seal.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

enum obj_status { OBJ_PENDING, OBJ_OK, OBJ_MISSING, OBJ_CHANGED, OBJ_UNREADABLE };

struct obj {
	unsigned char sha[CF_SHA256_LEN];
	uint64_t size;
	enum obj_status st;
	char *why;		/* detail for CHANGED/UNREADABLE */
	uint64_t hashed;
};

struct pool {
	struct vault *v;
	struct obj *objs;
	size_t n, next;
	int fast;
	pthread_mutex_t mu;
};

const char *
audit_kind_name(enum audit_kind k)
{
	switch (k) {
	case AUDIT_MISSING: return "missing";
	case AUDIT_CHANGED: return "changed";
	case AUDIT_UNREADABLE: return "unreadable";
	case AUDIT_UNEXPECTED: return "unexpected";
	case AUDIT_ROW_NO_OBJECT: return "row-without-object";
	case AUDIT_LEAF: return "leaf";
	case AUDIT_HEAD: return "head";
	}
	return "problem";
}

static void
problem(struct audit_report *rep, enum audit_kind k, char *subject, char *detail)
{
	rep->problems = xreallocarray(rep->problems, rep->nproblems + 1, sizeof(*rep->problems));
	rep->problems[rep->nproblems].kind = k;
	rep->problems[rep->nproblems].subject = subject;
	rep->problems[rep->nproblems].detail = detail;
	rep->nproblems++;
}

void
audit_report_release(struct audit_report *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->nproblems; i++) {
		free(rep->problems[i].subject);
		free(rep->problems[i].detail);
	}
	free(rep->problems);
	memset(rep, 0, sizeof(*rep));
}

static char *
obj_subject(const unsigned char *h)
{
	char hex[CF_SHA256_HEXLEN + 1];

	cf_hex_encode(h, CF_SHA256_LEN, hex);
	return xasprintf("object %s", hex);
}

/* --- objects -------------------------------------------------------------- */

static void
check_object(struct pool *p, struct obj *o)
{
	char *path = vault_object_path(p->v, o->sha);
	unsigned char *buf = NULL, got[CF_SHA256_LEN];
	EVP_MD_CTX *c = NULL;
	struct stat sb;
	unsigned int len = CF_SHA256_LEN;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW)) < 0) {
		if (errno == ENOENT) {
			o->st = OBJ_MISSING;
		} else {
			o->st = OBJ_UNREADABLE;
			o->why = xasprintf("cannot open: %s", strerror(errno));
		}
		goto out;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		o->st = OBJ_UNREADABLE;
		o->why = xstrdup("not a regular file");
		goto out;
	}
	if ((uint64_t)sb.st_size != o->size) {
		o->st = OBJ_CHANGED;
		o->why = xasprintf("size %llu, recorded %llu", (unsigned long long)sb.st_size,
				   (unsigned long long)o->size);
		goto out;
	}
	if (p->fast) {
		o->st = OBJ_OK;
		goto out;
	}
	buf = xmalloc(1 << 20);
	if ((c = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex(c, EVP_sha256(), NULL))
		CF_BUG("SHA-256 failed");
	for (;;) {
		ssize_t r = read(fd, buf, 1 << 20);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			o->st = OBJ_UNREADABLE;
			o->why = xasprintf("read error: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		EVP_DigestUpdate(c, buf, (size_t)r);
		o->hashed += (uint64_t)r;
	}
	EVP_DigestFinal_ex(c, got, &len);
	if (memcmp(got, o->sha, CF_SHA256_LEN) != 0) {
		char hex[CF_SHA256_HEXLEN + 1];

		cf_hex_encode(got, CF_SHA256_LEN, hex);
		o->st = OBJ_CHANGED;
		o->why = xasprintf("content hashes to %s", hex);
	} else
		o->st = OBJ_OK;
out:
	EVP_MD_CTX_free(c);
	free(buf);
	if (fd >= 0)
		close(fd);
	free(path);
}

static void *
worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->mu);
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->n)
			break;
		check_object(p, &p->objs[i]);
	}
	return NULL;
}

static int
load_objects(sqlite3 *db, struct obj **out, size_t *n, struct cf_err *err)
{
	sqlite3_stmt *st;
	struct obj *v = NULL;
	size_t count = 0, cap = 0;
	int rc;

	if (db_prepare(db, "SELECT sha256, size FROM objects ORDER BY sha256", &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != CF_SHA256_LEN)
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 256;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		memset(&v[count], 0, sizeof(*v));
		memcpy(v[count].sha, sqlite3_column_blob(st, 0), CF_SHA256_LEN);
		v[count].size = (uint64_t)sqlite3_column_int64(st, 1);
		count++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return db_err(db, err, "cannot read the objects table");
	}
	*out = v;
	*n = count;
	return 0;
}

static int
obj_cmp(const void *a, const void *b)
{
	return memcmp(a, ((const struct obj *)b)->sha, CF_SHA256_LEN);
}

static struct obj *
obj_find(struct obj *objs, size_t n, const unsigned char *sha)
{
	return bsearch(sha, objs, n, sizeof(*objs), obj_cmp);
}

static int
scan_unexpected(struct vault *v, struct obj *objs, size_t n, struct audit_report *rep,
		struct cf_err *err)
{
	char *top = vault_path_new(v, "objects");
	DIR *d = opendir(top), *sd;
	struct dirent *e, *f;
	int ret = -1;

	if (d == NULL) {
		cf_err_errno(err, CF_EIO, "cannot read '%s'", top);
		goto out;
	}
	while ((e = readdir(d)) != NULL) {
		char *sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = xasprintf("%s/%s", top, e->d_name);
		if (strlen(e->d_name) != 2 || (sd = opendir(sub)) == NULL) {
			rep->unexpected++;
			problem(rep, AUDIT_UNEXPECTED, xasprintf("objects/%s", e->d_name),
				xstrdup("not an object folder"));
			free(sub);
			continue;
		}
		while ((f = readdir(sd)) != NULL) {
			char name[CF_SHA256_HEXLEN + 1];
			unsigned char sha[CF_SHA256_LEN];

			if (!strcmp(f->d_name, ".") || !strcmp(f->d_name, ".."))
				continue;
			if (strlen(f->d_name) != CF_SHA256_HEXLEN - 2)
				name[0] = '\0';
			else {
				memcpy(name, e->d_name, 2);
				memcpy(name + 2, f->d_name, CF_SHA256_HEXLEN - 2);
				name[CF_SHA256_HEXLEN] = '\0';
			}
			if (name[0] == '\0' || strspn(name, "0123456789abcdef") != CF_SHA256_HEXLEN ||
			    cf_hex_decode(name, CF_SHA256_HEXLEN, sha, CF_SHA256_LEN) < 0 ||
			    obj_find(objs, n, sha) == NULL) {
				rep->unexpected++;
				problem(rep, AUDIT_UNEXPECTED,
					xasprintf("objects/%s/%s", e->d_name, f->d_name),
					xstrdup("no objects row names this file"));
			}
		}
		closedir(sd);
		free(sub);
	}
	ret = 0;
out:
	if (d)
		closedir(d);
	free(top);
	return ret;
}

static int
audit_objects(struct vault *v, unsigned flags, unsigned threads, struct audit_report *rep,
	      struct cf_err *err)
{
	struct pool p;
	pthread_t tid[16];
	unsigned i, started = 0;
	size_t k;
	int ret = -1;
	sqlite3_stmt *st = NULL;
	sqlite3 *db = vault_db(v);

	memset(&p, 0, sizeof(p));
	p.v = v;
	p.fast = !!(flags & AUDIT_FAST);
	if (load_objects(db, &p.objs, &p.n, err) < 0)
		return -1;
	pthread_mutex_init(&p.mu, NULL);
	if (threads == 0)
		threads = 2;
	if (threads > 16)
		threads = 16;
	for (i = 0; i < threads; i++)
		if (pthread_create(&tid[i], NULL, worker, &p) == 0)
			started++;
	if (started == 0)
		worker(&p);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&p.mu);

	rep->objects = p.n;
	for (k = 0; k < p.n; k++) {
		struct obj *o = &p.objs[k];

		rep->bytes += p.fast ? o->size : o->hashed;
		switch (o->st) {
		case OBJ_OK:
			rep->matched++;
			break;
		case OBJ_MISSING:
			rep->missing++;
			problem(rep, AUDIT_MISSING, obj_subject(o->sha),
				xstrdup("file is missing from objects/"));
			break;
		case OBJ_CHANGED:
			rep->changed++;
			problem(rep, AUDIT_CHANGED, obj_subject(o->sha), o->why);
			o->why = NULL;
			break;
		default:
			rep->unreadable++;
			problem(rep, AUDIT_UNREADABLE, obj_subject(o->sha), o->why);
			o->why = NULL;
			break;
		}
	}
	if (scan_unexpected(v, p.objs, p.n, rep, err) < 0)
		goto out;

	/* Evidence rows whose object is not there. */
	if (db_prepare(db, "SELECT id, order_id, name, sha256 FROM evidence ORDER BY id", &st, err) < 0)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *sha = sqlite3_column_blob(st, 3);
		struct obj *o;
		const char *why = NULL;

		rep->rows++;
		if (sqlite3_column_bytes(st, 3) != CF_SHA256_LEN || sha == NULL)
			why = "bad sha256";
		else if ((o = obj_find(p.objs, p.n, sha)) == NULL)
			why = "no objects row for its hash";
		else if (o->st == OBJ_MISSING)
			why = "its object file is missing";
		if (why) {
			rep->rows_no_object++;
			problem(rep, AUDIT_ROW_NO_OBJECT,
				xasprintf("evidence row %lld ('%s', order %s)",
					  (long long)sqlite3_column_int64(st, 0),
					  (const char *)sqlite3_column_text(st, 2),
					  (const char *)sqlite3_column_text(st, 1)),
				xstrdup(why));
		}
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	for (k = 0; k < p.n; k++) {
		free(p.objs[k].why);
	}
	free(p.objs);
	return ret;
}

/* --- ledger and heads ---------------------------------------------------- */

struct tree_check {
	sqlite3_stmt *get;
	struct audit_report *rep;
	uint64_t nodes;
	uint64_t bad_nodes;
};

static int
node_cb(void *cookie, unsigned level, uint64_t idx, const unsigned char *h)
{
	struct tree_check *tc = cookie;
	int rc;

	tc->nodes++;
	if (level == 0)
		return 0;	/* leaves are compared by the caller */
	sqlite3_reset(tc->get);
	sqlite3_bind_int(tc->get, 1, (int)level);
	sqlite3_bind_int64(tc->get, 2, (sqlite3_int64)idx);
	rc = sqlite3_step(tc->get);
	if (rc != SQLITE_ROW || sqlite3_column_bytes(tc->get, 0) != CF_SHA256_LEN ||
	    memcmp(sqlite3_column_blob(tc->get, 0), h, CF_SHA256_LEN) != 0) {
		tc->bad_nodes++;
		if (tc->bad_nodes <= 10)
			problem(tc->rep, AUDIT_LEAF, xasprintf("ledger node %u/%llu", level,
							       (unsigned long long)idx),
				xstrdup(rc == SQLITE_ROW ? "stored hash differs from the "
					"recomputed one" : "missing"));
	}
	sqlite3_reset(tc->get);
	return 0;
}

/* The stored hash of leaf idx; 0, or -1 when there is none. */
static int
stored_leaf(struct tree_check *tc, uint64_t idx, unsigned char out[CF_SHA256_LEN])
{
	int ok;

	sqlite3_reset(tc->get);
	sqlite3_bind_int(tc->get, 1, 0);
	sqlite3_bind_int64(tc->get, 2, (sqlite3_int64)idx);
	ok = sqlite3_step(tc->get) == SQLITE_ROW &&
	     sqlite3_column_bytes(tc->get, 0) == CF_SHA256_LEN;
	if (ok)
		memcpy(out, sqlite3_column_blob(tc->get, 0), CF_SHA256_LEN);
	else
		memset(out, 0, CF_SHA256_LEN);
	sqlite3_reset(tc->get);
	return ok ? 0 : -1;
}

static void
check_head(struct audit_report *rep, const struct seal_head *h, const struct seal_head *prev,
	   const unsigned char recomputed[CF_SHA256_LEN], EVP_PKEY *pub)
{
	struct cf_err err = CF_ERR_INIT;
	struct checkpoint cp;
	char *why = NULL;

	checkpoint_init(&cp);
	if (memcmp(recomputed, h->root, CF_SHA256_LEN) != 0)
		why = xstrdup("root differs from the root recomputed from the evidence rows");
	else if (checkpoint_parse(h->checkpoint, h->checkpoint_len, &cp, &err) < 0)
		why = xasprintf("checkpoint: %s", err.msg);
	else if (cp.size != h->tree_size || memcmp(cp.root, h->root, CF_SHA256_LEN) != 0)
		why = xstrdup("checkpoint states another size or root");
	else if (pub == NULL)
		why = xstrdup("signature not checked: no vault key");
	else if (checkpoint_verify(&cp, h->checkpoint, h->checkpoint_len, pub, &err) < 0)
		why = xstrdup(err.msg);
	else if (h->tst && seal_token_check(h->tst, h->tst_len, h->checkpoint,
					    h->checkpoint_len, NULL, &err) < 0)
		why = xasprintf("timestamp: %s", err.msg);
	else if ((prev ? prev->tree_size : 0) != h->prev_size)
		why = xasprintf("previous head should be %llu, is recorded as %llu",
				(unsigned long long)(prev ? prev->tree_size : 0),
				(unsigned long long)h->prev_size);
	else if (prev && ledger_verify_consistency(prev->tree_size, h->tree_size, prev->root,
						   h->root,
						   (const unsigned char (*)[CF_SHA256_LEN])h->consistency,
						   h->nconsistency, &err) < 0)
		why = xasprintf("consistency with head %llu: %s",
				(unsigned long long)prev->tree_size, err.msg);
	if (why) {
		rep->heads_bad++;
		problem(rep, AUDIT_HEAD, xasprintf("head %llu", (unsigned long long)h->tree_size), why);
	}
	checkpoint_release(&cp);
	cf_err_release(&err);
}

static int
audit_ledger(sqlite3 *db, EVP_PKEY *pub, struct audit_report *rep, struct cf_err *err)
{
	struct tree_check tc = { NULL, rep, 0, 0 };
	struct ledger_range r;
	struct seal_head *heads = NULL;
	sqlite3_stmt *st = NULL;
	size_t nheads = 0, hi = 0;
	uint64_t stored_size, expect_nodes = 0, stored_nodes = 0, l;
	unsigned char root[CF_SHA256_LEN];
	int rc, ret = -1;
	uint64_t bad_reported = 0;

	if (ledger_size(db, &stored_size, err) < 0 || seal_heads(db, &heads, &nheads, err) < 0 ||
	    db_prepare(db, "SELECT hash FROM ledger_nodes WHERE level = ? AND idx = ?",
		       &tc.get, err) < 0 ||
	    db_prepare(db, "SELECT id, order_id, kind, sha256, size, name, ingested_at, leaf_index "
			   "FROM evidence WHERE leaf_index IS NOT NULL ORDER BY leaf_index", &st, err) < 0)
		goto out;
	rep->heads = nheads;
	ledger_range_init(&r);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t idx = sqlite3_column_int64(st, 7);
		struct ledger_leaf leaf;
		unsigned char h[CF_SHA256_LEN], stored[CF_SHA256_LEN];
		int have_stored;

		/* Leaves without a row in between: deleted rows. */
		while (r.size < (uint64_t)idx && r.size < stored_size) {
			stored_leaf(&tc, r.size, stored);
			rep->leaves++;
			rep->leaves_bad++;
			problem(rep, AUDIT_LEAF, xasprintf("leaf %llu", (unsigned long long)r.size),
				xstrdup("no evidence row has this leaf (row deleted?)"));
			ledger_range_push(&r, stored, node_cb, &tc);
			for (; hi < nheads && heads[hi].tree_size == r.size; hi++) {
				ledger_range_root(&r, root);
				check_head(rep, &heads[hi], hi ? &heads[hi - 1] : NULL, root, pub);
			}
		}
		if ((uint64_t)idx != r.size) {
			rep->leaves_bad++;
			problem(rep, AUDIT_LEAF, xasprintf("evidence row %lld",
							   (long long)sqlite3_column_int64(st, 0)),
				xasprintf("leaf index %lld is beyond the ledger (%llu leaves)",
					  (long long)idx, (unsigned long long)stored_size));
			continue;
		}
		if (sqlite3_column_bytes(st, 3) != CF_SHA256_LEN) {
			memset(h, 0, sizeof(h));
		} else {
			leaf.order_id = (const char *)sqlite3_column_text(st, 1);
			leaf.kind = (const char *)sqlite3_column_text(st, 2);
			memcpy(leaf.sha256, sqlite3_column_blob(st, 3), CF_SHA256_LEN);
			leaf.size = (uint64_t)sqlite3_column_int64(st, 4);
			leaf.name = (const char *)sqlite3_column_text(st, 5);
			leaf.ingested_at = sqlite3_column_int64(st, 6);
			ledger_leaf_hash(&leaf, h);
		}
		rep->leaves++;
		have_stored = stored_leaf(&tc, r.size, stored) == 0;
		if (!have_stored || memcmp(h, stored, CF_SHA256_LEN) != 0) {
			rep->leaves_bad++;
			if (bad_reported++ < 1000)
				problem(rep, AUDIT_LEAF, xasprintf("leaf %lld (evidence row %lld, '%s')",
								   (long long)idx,
								   (long long)sqlite3_column_int64(st, 0),
								   (const char *)sqlite3_column_text(st, 5)),
					xstrdup(have_stored ? "the evidence row no longer hashes to the stored leaf "
						"(row edited?)" : "no stored leaf"));
		}
		ledger_range_push(&r, h, node_cb, &tc);
		for (; hi < nheads && heads[hi].tree_size == r.size; hi++) {
			ledger_range_root(&r, root);
			check_head(rep, &heads[hi], hi ? &heads[hi - 1] : NULL, root, pub);
		}
	}
	if (rc != SQLITE_DONE) {
		db_err(db, err, "cannot read the evidence rows");
		goto out;
	}
	/* Trailing leaves whose rows are gone. */
	while (r.size < stored_size) {
		unsigned char stored[CF_SHA256_LEN];

		stored_leaf(&tc, r.size, stored);
		rep->leaves++;
		rep->leaves_bad++;
		problem(rep, AUDIT_LEAF, xasprintf("leaf %llu", (unsigned long long)r.size),
			xstrdup("no evidence row has this leaf (row deleted?)"));
		ledger_range_push(&r, stored, node_cb, &tc);
		for (; hi < nheads && heads[hi].tree_size == r.size; hi++) {
			ledger_range_root(&r, root);
			check_head(rep, &heads[hi], hi ? &heads[hi - 1] : NULL, root, pub);
		}
	}
	for (; hi < nheads; hi++) {
		rep->heads_bad++;
		problem(rep, AUDIT_HEAD, xasprintf("head %llu", (unsigned long long)heads[hi].tree_size),
			xasprintf("the ledger has only %llu leaves", (unsigned long long)r.size));
	}
	sqlite3_finalize(st);
	st = NULL;
	/* Rows that never got a leaf. */
	if (db_prepare(db, "SELECT id, name FROM evidence WHERE leaf_index IS NULL ORDER BY id",
		       &st, err) < 0)
		goto out;
	while (sqlite3_step(st) == SQLITE_ROW) {
		rep->leaves_bad++;
		problem(rep, AUDIT_LEAF, xasprintf("evidence row %lld ('%s')",
						   (long long)sqlite3_column_int64(st, 0),
						   (const char *)sqlite3_column_text(st, 1)),
			xstrdup("not in the ledger (run 'casefile seal' to add it)"));
	}
	sqlite3_finalize(st);
	st = NULL;
	/* Forged extra nodes: the count must be exactly the perfect subtrees. */
	for (l = r.size; l; l >>= 1)
		expect_nodes += l;
	if (db_prepare(db, "SELECT count(*) FROM ledger_nodes", &st, err) < 0)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW)
		stored_nodes = (uint64_t)sqlite3_column_int64(st, 0);
	if (stored_nodes != expect_nodes)
		problem(rep, AUDIT_LEAF, xstrdup("ledger_nodes"),
			xasprintf("%llu stored nodes, %llu expected for %llu leaves",
				  (unsigned long long)stored_nodes, (unsigned long long)expect_nodes,
				  (unsigned long long)r.size));
	if (tc.bad_nodes > 10)
		problem(rep, AUDIT_LEAF, xstrdup("ledger nodes"),
			xasprintf("%llu stored interior nodes differ in all",
				  (unsigned long long)tc.bad_nodes));
	ret = 0;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(tc.get);
	seal_heads_free(heads, nheads);
	return ret;
}

int
audit_run(struct vault *v, EVP_PKEY *pub, unsigned flags, unsigned threads,
	  struct audit_report *rep, struct cf_err *err)
{
	sqlite3 *db = vault_db(v);
	int ret = -1;

	memset(rep, 0, sizeof(*rep));
	rep->fast = !!(flags & AUDIT_FAST);
	/* One read transaction: a consistent snapshot while ingests go on. */
	if (db_exec(db, "BEGIN", err) < 0)
		return -1;
	if (audit_objects(v, flags, threads, rep, err) < 0 || audit_ledger(db, pub, rep, err) < 0)
		goto out;
	ret = 0;
out:
	db_exec(db, "COMMIT", NULL);
	if (ret < 0)
		audit_report_release(rep);
	return ret;
}

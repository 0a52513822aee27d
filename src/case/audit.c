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
#include "casefile/dispute.h"
#include "casefile/ledger.h"
#include "casefile/rederive.h"
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
	case AUDIT_FACTS: return "facts";
	case AUDIT_DISPUTE: return "dispute";
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

/*
 * The rows that recorded leaves, in leaf order: evidence rows (version 1
 * records) and annotations (version 2) merged from two cursors.
 */
struct leaf_rows {
	sqlite3_stmt *ev, *an;
	int ev_rc, an_rc;		/* last step of each */
};

struct leaf_row {
	int64_t idx;
	unsigned char hash[CF_SHA256_LEN];	/* recomputed from the row */
	char *label;			/* "evidence row 8, 'chat.json'" */
	const char *what;		/* "evidence row" or "annotation" */
};

static int
leaf_rows_open(sqlite3 *db, struct leaf_rows *lr, struct cf_err *err)
{
	memset(lr, 0, sizeof(*lr));
	if (db_prepare(db, "SELECT leaf_index, id, " LEDGER_EVIDENCE_COLUMNS " FROM evidence "
			   "WHERE leaf_index IS NOT NULL ORDER BY leaf_index", &lr->ev, err) < 0 ||
	    db_prepare(db, "SELECT leaf_index, " LEDGER_ANNOTATION_COLUMNS " FROM annotations "
			   "ORDER BY leaf_index", &lr->an, err) < 0)
		return -1;
	lr->ev_rc = sqlite3_step(lr->ev);
	lr->an_rc = sqlite3_step(lr->an);
	return 0;
}

static void
leaf_rows_close(struct leaf_rows *lr)
{
	sqlite3_finalize(lr->ev);
	sqlite3_finalize(lr->an);
}

/* The next row: 1 with *row filled (label to free), 0 at the end, -1 error. */
static int
leaf_rows_next(sqlite3 *db, struct leaf_rows *lr, struct leaf_row *row, struct cf_err *err)
{
	int use_ev;

	if ((lr->ev_rc != SQLITE_ROW && lr->ev_rc != SQLITE_DONE) ||
	    (lr->an_rc != SQLITE_ROW && lr->an_rc != SQLITE_DONE))
		return db_err(db, err, "cannot read the rows of the ledger's leaves");
	if (lr->ev_rc == SQLITE_DONE && lr->an_rc == SQLITE_DONE)
		return 0;
	use_ev = lr->an_rc == SQLITE_DONE ||
		 (lr->ev_rc == SQLITE_ROW &&
		  sqlite3_column_int64(lr->ev, 0) <= sqlite3_column_int64(lr->an, 0));
	if (use_ev) {
		struct ledger_leaf leaf;

		row->idx = sqlite3_column_int64(lr->ev, 0);
		row->what = "evidence row";
		row->label = xasprintf("evidence row %lld, '%s'",
				       (long long)sqlite3_column_int64(lr->ev, 1),
				       (const char *)sqlite3_column_text(lr->ev, 6));
		if (ledger_leaf_from_row(lr->ev, 2, &leaf, NULL) == 0)
			ledger_leaf_hash(&leaf, row->hash);
		else
			memset(row->hash, 0, CF_SHA256_LEN);
		lr->ev_rc = sqlite3_step(lr->ev);
	} else {
		struct ledger_annotation a;

		row->idx = sqlite3_column_int64(lr->an, 0);
		row->what = "annotation";
		row->label = xasprintf("annotation '%s'", (const char *)sqlite3_column_text(lr->an, 3));
		if (ledger_annotation_from_row(lr->an, 1, &a, NULL) == 0)
			ledger_annotation_hash(&a, row->hash);
		else
			memset(row->hash, 0, CF_SHA256_LEN);
		lr->an_rc = sqlite3_step(lr->an);
	}
	return 1;
}

static int
audit_ledger(sqlite3 *db, EVP_PKEY *pub, struct audit_report *rep, struct cf_err *err)
{
	struct tree_check tc = { NULL, rep, 0, 0 };
	struct ledger_range r;
	struct seal_head *heads = NULL;
	struct leaf_rows lr;
	struct leaf_row row;
	sqlite3_stmt *st = NULL;
	size_t nheads = 0, hi = 0;
	uint64_t stored_size, expect_nodes = 0, stored_nodes = 0, l;
	unsigned char root[CF_SHA256_LEN];
	int rc, ret = -1;
	uint64_t bad_reported = 0;

	memset(&lr, 0, sizeof(lr));
	if (ledger_size(db, &stored_size, err) < 0 || seal_heads(db, &heads, &nheads, err) < 0 ||
	    db_prepare(db, "SELECT hash FROM ledger_nodes WHERE level = ? AND idx = ?",
		       &tc.get, err) < 0 ||
	    leaf_rows_open(db, &lr, err) < 0)
		goto out;
	rep->heads = nheads;
	ledger_range_init(&r);
	while ((rc = leaf_rows_next(db, &lr, &row, err)) == 1) {
		int64_t idx = row.idx;
		unsigned char stored[CF_SHA256_LEN];
		int have_stored;

		/* Leaves without a row in between: deleted rows. */
		while (r.size < (uint64_t)idx && r.size < stored_size) {
			stored_leaf(&tc, r.size, stored);
			rep->leaves++;
			rep->leaves_bad++;
			problem(rep, AUDIT_LEAF, xasprintf("leaf %llu", (unsigned long long)r.size),
				xstrdup("no evidence row or annotation has this leaf (row deleted?)"));
			ledger_range_push(&r, stored, node_cb, &tc);
			for (; hi < nheads && heads[hi].tree_size == r.size; hi++) {
				ledger_range_root(&r, root);
				check_head(rep, &heads[hi], hi ? &heads[hi - 1] : NULL, root, pub);
			}
		}
		if ((uint64_t)idx != r.size) {
			rep->leaves_bad++;
			problem(rep, AUDIT_LEAF, row.label,
				xasprintf("leaf index %lld is %s (%llu leaves)", (long long)idx,
					  (uint64_t)idx < r.size ? "taken by another row"
								 : "beyond the ledger",
					  (unsigned long long)stored_size));
			continue;
		}
		rep->leaves++;
		have_stored = stored_leaf(&tc, r.size, stored) == 0;
		if (!have_stored || memcmp(row.hash, stored, CF_SHA256_LEN) != 0) {
			rep->leaves_bad++;
			if (bad_reported++ < 1000)
				problem(rep, AUDIT_LEAF, xasprintf("leaf %lld (%s)", (long long)idx,
								   row.label),
					have_stored ? xasprintf("the %s no longer hashes to the stored "
								"leaf (row edited?)", row.what)
						    : xstrdup("no stored leaf"));
		}
		free(row.label);
		ledger_range_push(&r, row.hash, node_cb, &tc);
		for (; hi < nheads && heads[hi].tree_size == r.size; hi++) {
			ledger_range_root(&r, root);
			check_head(rep, &heads[hi], hi ? &heads[hi - 1] : NULL, root, pub);
		}
	}
	if (rc < 0)
		goto out;
	/* Trailing leaves whose rows are gone. */
	while (r.size < stored_size) {
		unsigned char stored[CF_SHA256_LEN];

		stored_leaf(&tc, r.size, stored);
		rep->leaves++;
		rep->leaves_bad++;
		problem(rep, AUDIT_LEAF, xasprintf("leaf %llu", (unsigned long long)r.size),
			xstrdup("no evidence row or annotation has this leaf (row deleted?)"));
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
	leaf_rows_close(&lr);
	sqlite3_finalize(st);
	sqlite3_finalize(tc.get);
	seal_heads_free(heads, nheads);
	return ret;
}

/* --- parsed rows and disputes ------------------------------------------- */

/*
 * Every evidence row re-derived from its original (rederive.h).  Rows
 * whose object is missing or changed are left to the object check, which
 * has reported them already.
 */
static void
facts_problem(void *cookie, int64_t evidence_id, const char *subject, const char *detail)
{
	struct audit_report *rep = cookie;

	(void)evidence_id;
	rep->facts_bad++;
	problem(rep, AUDIT_FACTS, xstrdup(subject), xstrdup(detail));
}

static int
audit_reparse(struct vault *v, struct audit_report *rep, struct cf_err *err)
{
	struct rederive *r = NULL;
	int ret;

	rep->reparsed = 1;
	ret = rederive_open(v, &r, err) < 0 ||
	      rederive_check_all(r, facts_problem, rep, &rep->facts, err) < 0 ? -1 : 0;
	rederive_close(r);
	return ret;
}

static void
dispute_problem(void *cookie, const char *subject, const char *detail)
{
	struct audit_report *rep = cookie;

	rep->disputes_bad++;
	problem(rep, AUDIT_DISPUTE, xstrdup(subject), xstrdup(detail));
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
	if (audit_objects(v, flags, threads, rep, err) < 0 || audit_ledger(db, pub, rep, err) < 0 ||
	    dispute_check_sealed(db, NULL, dispute_problem, rep, err) < 0)
		goto out;
	if (!(flags & (AUDIT_FAST | AUDIT_QUICK)) && audit_reparse(v, rep, err) < 0)
		goto out;
	ret = 0;
out:
	db_exec(db, "COMMIT", NULL);
	if (ret < 0)
		audit_report_release(rep);
	return ret;
}

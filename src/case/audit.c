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
#include "casefile/cftime.h"
#include "casefile/checkpoint.h"
#include "casefile/db.h"
#include "casefile/dispute.h"
#include "casefile/kept.h"
#include "casefile/ledger_stmt.h"
#include "casefile/objstore.h"
#include "casefile/rederive.h"
#include "casefile/seal.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

enum obj_status { OBJ_PENDING, OBJ_OK, OBJ_MISSING, OBJ_CHANGED, OBJ_UNREADABLE };

/* Size of a file no row names: unknown, always hashed, set when read. */
#define STRAY_SIZE UINT64_MAX

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
	case AUDIT_CHECKPOINT: return "checkpoint";
	case AUDIT_INTERRUPTED: return "interrupted";
	case AUDIT_TORN: return "torn";
	case AUDIT_NOTICE: return "notice";
	}
	return "problem";
}

static void
list_add(struct audit_problem **v, size_t *n, enum audit_kind k, char *subject, char *detail)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].kind = k;
	(*v)[*n].subject = subject;
	(*v)[*n].detail = detail;
	(*n)++;
}

static void
problem(struct audit_report *rep, enum audit_kind k, char *subject, char *detail)
{
	list_add(&rep->problems, &rep->nproblems, k, subject, detail);
}

/* Reported, but not a problem: the vault is intact. */
static void
notice(struct audit_report *rep, enum audit_kind k, char *subject, char *detail)
{
	list_add(&rep->notices, &rep->nnotices, k, subject, detail);
}

static void
list_free(struct audit_problem *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].subject);
		free(v[i].detail);
	}
	free(v);
}

void
audit_report_release(struct audit_report *rep)
{
	if (rep == NULL)
		return;
	list_free(rep->problems, rep->nproblems);
	list_free(rep->notices, rep->nnotices);
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
	if (o->size != STRAY_SIZE && (uint64_t)sb.st_size != o->size) {
		o->st = OBJ_CHANGED;
		o->why = xasprintf("size %llu, recorded %llu", (unsigned long long)sb.st_size,
				   (unsigned long long)o->size);
		goto out;
	}
	if (o->size == STRAY_SIZE)
		o->size = (uint64_t)sb.st_size;
	else if (p->fast) {
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

/* Check p->objs on `threads` threads (0 = 2). */
static void
run_pool(struct pool *p, unsigned threads)
{
	pthread_t tid[16];
	unsigned i, started = 0;

	pthread_mutex_init(&p->mu, NULL);
	if (threads == 0)
		threads = 2;
	if (threads > 16)
		threads = 16;
	for (i = 0; i < threads; i++)
		if (pthread_create(&tid[i], NULL, worker, p) == 0)
			started++;
	if (started == 0)
		worker(p);
	for (i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&p->mu);
}

#define OBJECTS_SQL "SELECT sha256, size FROM objects ORDER BY sha256"
/* Every hash a row names (objects and evidence), for audit_repair. */
#define NAMED_SQL "SELECT sha256 FROM objects UNION SELECT sha256 FROM evidence ORDER BY 1"

/* The hashes (and sizes, when selected) of sql, sorted by hash. */
static int
load_objects(struct cf_db *db, const char *sql, struct obj **out, size_t *n, struct cf_err *err)
{
	struct db_stmt *st;
	struct obj *v = NULL;
	size_t count = 0, cap = 0;
	int rc;

	if (db_prepare(db, sql, &st, err) < 0)
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		if (db_col_bytes(st, 0) != CF_SHA256_LEN)
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 256;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		memset(&v[count], 0, sizeof(*v));
		memcpy(v[count].sha, db_col_blob(st, 0), CF_SHA256_LEN);
		if (db_col_count(st) > 1)
			v[count].size = (uint64_t)db_col_int64(st, 1);
		count++;
	}
	db_finalize(st);
	if (rc != DB_DONE) {
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

/* Remember a file named like an object that no row names. */
static void
stray_add(struct obj **strays, size_t *n, const unsigned char sha[CF_SHA256_LEN])
{
	*strays = xreallocarray(*strays, *n + 1, sizeof(**strays));
	memset(&(*strays)[*n], 0, sizeof(**strays));
	memcpy((*strays)[*n].sha, sha, CF_SHA256_LEN);
	(*strays)[*n].size = STRAY_SIZE;
	(*n)++;
}

/*
 * Walk objects/: files not named like objects are problems (rep), files
 * named like an object that no row names are collected in *strays.
 */
static int
scan_unexpected(struct vault *v, struct obj *objs, size_t n, struct audit_report *rep,
		struct obj **strays, size_t *nstrays, struct cf_err *err)
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
			    cf_hex_decode(name, CF_SHA256_HEXLEN, sha, CF_SHA256_LEN) < 0) {
				rep->unexpected++;
				problem(rep, AUDIT_UNEXPECTED,
					xasprintf("objects/%s/%s", e->d_name, f->d_name),
					xstrdup("not named like an object"));
			} else if (obj_find(objs, n, sha) == NULL)
				stray_add(strays, nstrays, sha);
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

static char *stray_path(const unsigned char *sha);

/*
 * A file whose objects row is gone but that an evidence row still names is
 * no leftover: an unexpected file (the row is reported without object).
 * Such files are taken out of strays[0..*n).
 */
static int
strays_named_by_evidence(struct cf_db *db, struct obj *strays, size_t *n, struct audit_report *rep,
			 struct cf_err *err)
{
	struct db_stmt *q;
	size_t i, keep = 0;

	if (*n == 0)
		return 0;
	if (db_prepare(db, "SELECT id FROM evidence WHERE sha256 = ? ORDER BY id LIMIT 1", &q,
		       err) < 0)
		return -1;
	for (i = 0; i < *n; i++) {
		db_bind_blob(q, 1, strays[i].sha, CF_SHA256_LEN, DB_STATIC);
		if (db_step(q) == DB_ROW) {
			rep->unexpected++;
			problem(rep, AUDIT_UNEXPECTED, stray_path(strays[i].sha),
				xasprintf("no objects row names this file, evidence row %lld does",
					  (long long)db_col_int64(q, 0)));
		} else
			strays[keep++] = strays[i];
		db_reset(q);
	}
	db_finalize(q);
	*n = keep;
	return 0;
}

static char *
stray_path(const unsigned char *sha)
{
	char hex[CF_SHA256_HEXLEN + 1];

	cf_hex_encode(sha, CF_SHA256_LEN, hex);
	return xasprintf("objects/%.2s/%s", hex, hex + 2);
}

#define TORN_LISTED 20	/* torn objects named one by one, then counted */

/*
 * Hash the files no row names and report them as notices: one line for
 * the whole ones (an interrupted run stored them; a re-run records them),
 * one per torn one.  Unreadable ones are problems.
 */
static void
report_strays(struct vault *v, struct obj *strays, size_t n, unsigned threads,
	      struct audit_report *rep)
{
	struct pool p;
	size_t k;

	if (n == 0)
		return;
	memset(&p, 0, sizeof(p));
	p.v = v;
	p.objs = strays;
	p.n = n;
	run_pool(&p, threads);
	for (k = 0; k < n; k++) {
		struct obj *o = &strays[k];

		rep->bytes += o->hashed;
		switch (o->st) {
		case OBJ_OK:
			rep->interrupted++;
			rep->interrupted_bytes += o->size;
			break;
		case OBJ_CHANGED:
			if (rep->torn++ < TORN_LISTED)
				notice(rep, AUDIT_TORN, stray_path(o->sha),
				       xasprintf("no row names it and its %llu bytes do not hash to "
						 "its name: a write cut short by an interrupted run; "
						 "'casefile audit --repair' removes it",
						 (unsigned long long)o->size));
			break;
		case OBJ_MISSING:	/* gone since the walk: a run cleaned up */
			break;
		default:
			rep->unexpected++;
			problem(rep, AUDIT_UNEXPECTED, stray_path(o->sha), o->why);
			o->why = NULL;
			break;
		}
		free(o->why);
		o->why = NULL;
	}
	if (rep->torn > TORN_LISTED)
		notice(rep, AUDIT_TORN, xasprintf("%llu more objects",
						  (unsigned long long)(rep->torn - TORN_LISTED)),
		       xstrdup("torn the same way"));
	if (rep->interrupted)
		notice(rep, AUDIT_INTERRUPTED,
		       xasprintf("%llu object%s (%llu bytes)", (unsigned long long)rep->interrupted,
				 rep->interrupted == 1 ? "" : "s",
				 (unsigned long long)rep->interrupted_bytes),
		       xstrdup("stored by an interrupted run, no row names them; re-run the "
			       "import or 'casefile audit --repair' to record or remove them"));
}

/*
 * Objects in an S3 store (vault made with --objects) that no row names:
 * what an interrupted run stored before its rows were committed, the
 * temporary objects of streamed uploads (PREFIX/tmp/…, objstore.h) that a
 * failure left behind, and multipart uploads a failure could not abort
 * (the gateway gone, the network cut: the store keeps their parts).  Listed from the store (every version), compared
 * with every hash a row names; keys under PREFIX/ that are neither are
 * problems, as files in objects/ that are not named like objects.
 */
static int
remote_orphan(const struct objstore_entry *e, struct obj *named, size_t n)
{
	if (e->upload)		/* an upload in progress: nobody finishes it now */
		return e->kind != OBJSTORE_FOREIGN;
	return e->kind == OBJSTORE_TEMP ||
	       (e->kind == OBJSTORE_OBJECT && obj_find(named, n, e->sha256) == NULL);
}

#define ORPHANS_LISTED 20

static void
audit_remote(struct vault *v, struct audit_report *rep)
{
	struct objstore *os = vault_objstore(v);
	struct objstore_listing l;
	struct cf_err err = CF_ERR_INIT;
	struct obj *named = NULL;
	size_t nnamed = 0, i;
	uint64_t orphans = 0, bytes = 0;

	if (os == NULL)
		return;
	if (load_objects(vault_db(v), NAMED_SQL, &named, &nnamed, &err) < 0 ||
	    objstore_list(os, &l, &err) < 0) {
		rep->unreadable++;
		problem(rep, AUDIT_UNREADABLE, xstrdup(objstore_url(os)),
			xstrdup(err.msg ? err.msg : "cannot list the store"));
		cf_err_release(&err);
		free(named);
		return;
	}
	for (i = 0; i < l.n; i++) {
		const struct objstore_entry *e = &l.v[i];

		if (e->kind == OBJSTORE_FOREIGN) {
			rep->unexpected++;
			problem(rep, AUDIT_UNEXPECTED,
				xasprintf("s3://%s/%s", objstore_bucket(os), e->key),
				xstrdup("not named like an object"));
			continue;
		}
		if (!remote_orphan(e, named, nnamed))
			continue;
		orphans++;
		bytes += e->size;
		if (orphans <= ORPHANS_LISTED && e->upload)
			notice(rep, AUDIT_INTERRUPTED,
			       xasprintf("s3://%s/%s upload %s", objstore_bucket(os), e->key,
					 e->version),
			       xstrdup("a multipart upload that was neither completed nor "
				       "aborted (the store keeps its parts); 'casefile audit "
				       "--repair' aborts it"));
		else if (orphans <= ORPHANS_LISTED)
			notice(rep, AUDIT_INTERRUPTED,
			       xasprintf("s3://%s/%s%s%s", objstore_bucket(os), e->key,
					 *e->version ? " version " : "", e->version),
			       xasprintf("%s (%llu bytes): no row names it; "
					 "'casefile audit --repair' removes it unless a retention "
					 "keeps it",
					 e->kind == OBJSTORE_TEMP ? "temporary object of an upload "
								    "that did not finish"
								  : "stored by an interrupted run",
					 (unsigned long long)e->size));
	}
	if (orphans > ORPHANS_LISTED)
		notice(rep, AUDIT_INTERRUPTED,
		       xasprintf("%llu more objects in %s",
				 (unsigned long long)(orphans - ORPHANS_LISTED), objstore_url(os)),
		       xstrdup("no row names them either"));
	rep->interrupted += orphans;
	rep->interrupted_bytes += bytes;
	objstore_listing_release(&l);
	free(named);
}

/*
 * --repair in the store: remove every orphan (above) the store lets go;
 * those a retention keeps are counted and named in res.
 */
static int
repair_remote(struct vault *v, struct obj *named, size_t nnamed, struct audit_repair *res,
	      struct cf_err *err)
{
	struct objstore *os = vault_objstore(v);
	struct objstore_listing l;
	size_t i;
	int ret = -1;

	if (os == NULL)
		return 0;
	if (objstore_list(os, &l, err) < 0)
		return -1;
	for (i = 0; i < l.n; i++) {
		const struct objstore_entry *e = &l.v[i];
		char until[32];
		int r;

		if (!remote_orphan(e, named, nnamed))
			continue;
		if ((r = objstore_remove(os, e, until, sizeof(until), err)) < 0)
			goto out;
		if (r == 0 && e->upload) {
			res->aborted++;
			continue;
		}
		if (r == 0) {
			res->removed++;
			res->bytes += e->size;
			continue;
		}
		res->kept++;
		res->kept_bytes += e->size;
		res->kept_list = xreallocarray(res->kept_list, res->nkept_list + 1,
					       sizeof(char *));
		res->kept_list[res->nkept_list++] =
			*until ? xasprintf("s3://%s/%s (retained until %s UTC)", objstore_bucket(os),
					   e->key, until)
			       : xasprintf("s3://%s/%s (the store refuses to delete it)",
					   objstore_bucket(os), e->key);
	}
	ret = 0;
out:
	objstore_listing_release(&l);
	return ret;
}

static int
audit_objects(struct vault *v, unsigned flags, unsigned threads, struct audit_report *rep,
	      struct cf_err *err)
{
	struct pool p;
	size_t k;
	int ret = -1;
	struct db_stmt *st = NULL;
	struct cf_db *db = vault_db(v);
	struct obj *strays = NULL;
	size_t nstrays = 0;

	memset(&p, 0, sizeof(p));
	p.v = v;
	p.fast = !!(flags & AUDIT_FAST);
	if (load_objects(db, OBJECTS_SQL, &p.objs, &p.n, err) < 0)
		return -1;
	run_pool(&p, threads);

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
	if (scan_unexpected(v, p.objs, p.n, rep, &strays, &nstrays, err) < 0 ||
	    strays_named_by_evidence(db, strays, &nstrays, rep, err) < 0)
		goto out;
	report_strays(v, strays, nstrays, threads, rep);
	audit_remote(v, rep);

	/* Evidence rows whose object is not there. */
	if (db_prepare(db, "SELECT id, order_id, name, sha256 FROM evidence ORDER BY id", &st, err) < 0)
		goto out;
	while (db_step(st) == DB_ROW) {
		const unsigned char *sha = db_col_blob(st, 3);
		struct obj *o;
		const char *why = NULL;

		rep->rows++;
		if (db_col_bytes(st, 3) != CF_SHA256_LEN || sha == NULL)
			why = "bad sha256";
		else if ((o = obj_find(p.objs, p.n, sha)) == NULL)
			why = "no objects row for its hash";
		else if (o->st == OBJ_MISSING)
			why = "its object file is missing";
		if (why) {
			rep->rows_no_object++;
			problem(rep, AUDIT_ROW_NO_OBJECT,
				xasprintf("evidence row %lld ('%s', order %s)",
					  (long long)db_col_int64(st, 0),
					  (const char *)db_col_text(st, 2),
					  (const char *)db_col_text(st, 1)),
				xstrdup(why));
		}
	}
	ret = 0;
out:
	db_finalize(st);
	for (k = 0; k < p.n; k++) {
		free(p.objs[k].why);
	}
	free(p.objs);
	free(strays);
	return ret;
}

/* --- ledger and heads ---------------------------------------------------- */

struct tree_check {
	struct db_stmt *get;
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
	db_reset(tc->get);
	db_bind_int(tc->get, 1, (int)level);
	db_bind_int64(tc->get, 2, (int64_t)idx);
	rc = db_step(tc->get);
	if (rc != DB_ROW || db_col_bytes(tc->get, 0) != CF_SHA256_LEN ||
	    memcmp(db_col_blob(tc->get, 0), h, CF_SHA256_LEN) != 0) {
		tc->bad_nodes++;
		if (tc->bad_nodes <= 10)
			problem(tc->rep, AUDIT_LEAF, xasprintf("ledger node %u/%llu", level,
							       (unsigned long long)idx),
				xstrdup(rc == DB_ROW ? "stored hash differs from the "
					"recomputed one" : "missing"));
	}
	db_reset(tc->get);
	return 0;
}

/* The stored hash of leaf idx; 0, or -1 when there is none. */
static int
stored_leaf(struct tree_check *tc, uint64_t idx, unsigned char out[CF_SHA256_LEN])
{
	int ok;

	db_reset(tc->get);
	db_bind_int(tc->get, 1, 0);
	db_bind_int64(tc->get, 2, (int64_t)idx);
	ok = db_step(tc->get) == DB_ROW &&
	     db_col_bytes(tc->get, 0) == CF_SHA256_LEN;
	if (ok)
		memcpy(out, db_col_blob(tc->get, 0), CF_SHA256_LEN);
	else
		memset(out, 0, CF_SHA256_LEN);
	db_reset(tc->get);
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
	struct db_stmt *ev, *an;
	int ev_rc, an_rc;		/* last step of each */
};

struct leaf_row {
	int64_t idx;
	unsigned char hash[CF_SHA256_LEN];	/* recomputed from the row */
	char *label;			/* "evidence row 8, 'chat.json'" */
	const char *what;		/* "evidence row" or "annotation" */
};

static int
leaf_rows_open(struct cf_db *db, struct leaf_rows *lr, struct cf_err *err)
{
	memset(lr, 0, sizeof(*lr));
	if (db_prepare(db, "SELECT leaf_index, id, " LEDGER_EVIDENCE_COLUMNS " FROM evidence "
			   "WHERE leaf_index IS NOT NULL ORDER BY leaf_index", &lr->ev, err) < 0 ||
	    db_prepare(db, "SELECT leaf_index, " LEDGER_ANNOTATION_COLUMNS " FROM annotations "
			   "ORDER BY leaf_index", &lr->an, err) < 0)
		return -1;
	lr->ev_rc = db_step(lr->ev);
	lr->an_rc = db_step(lr->an);
	return 0;
}

static void
leaf_rows_close(struct leaf_rows *lr)
{
	db_finalize(lr->ev);
	db_finalize(lr->an);
}

/* The next row: 1 with *row filled (label to free), 0 at the end, -1 error. */
static int
leaf_rows_next(struct cf_db *db, struct leaf_rows *lr, struct leaf_row *row, struct cf_err *err)
{
	int use_ev;

	if ((lr->ev_rc != DB_ROW && lr->ev_rc != DB_DONE) ||
	    (lr->an_rc != DB_ROW && lr->an_rc != DB_DONE))
		return db_err(db, err, "cannot read the rows of the ledger's leaves");
	if (lr->ev_rc == DB_DONE && lr->an_rc == DB_DONE)
		return 0;
	use_ev = lr->an_rc == DB_DONE ||
		 (lr->ev_rc == DB_ROW &&
		  db_col_int64(lr->ev, 0) <= db_col_int64(lr->an, 0));
	if (use_ev) {
		struct ledger_leaf leaf;

		row->idx = db_col_int64(lr->ev, 0);
		row->what = "evidence row";
		row->label = xasprintf("evidence row %lld, '%s'",
				       (long long)db_col_int64(lr->ev, 1),
				       (const char *)db_col_text(lr->ev, 6));
		if (ledger_leaf_from_row(lr->ev, 2, &leaf, NULL) == 0)
			ledger_leaf_hash(&leaf, row->hash);
		else
			memset(row->hash, 0, CF_SHA256_LEN);
		lr->ev_rc = db_step(lr->ev);
	} else {
		struct ledger_annotation a;

		row->idx = db_col_int64(lr->an, 0);
		row->what = "annotation";
		row->label = xasprintf("annotation '%s'", (const char *)db_col_text(lr->an, 3));
		if (ledger_annotation_from_row(lr->an, 1, &a, NULL) == 0)
			ledger_annotation_hash(&a, row->hash);
		else
			memset(row->hash, 0, CF_SHA256_LEN);
		lr->an_rc = db_step(lr->an);
	}
	return 1;
}

static int
audit_ledger(struct cf_db *db, EVP_PKEY *pub, struct audit_report *rep, struct cf_err *err)
{
	struct tree_check tc = { NULL, rep, 0, 0 };
	struct ledger_range r;
	struct seal_head *heads = NULL;
	struct leaf_rows lr;
	struct leaf_row row;
	struct db_stmt *st = NULL;
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
	db_finalize(st);
	st = NULL;
	/* Rows that never got a leaf. */
	if (db_prepare(db, "SELECT id, name FROM evidence WHERE leaf_index IS NULL ORDER BY id",
		       &st, err) < 0)
		goto out;
	while (db_step(st) == DB_ROW) {
		rep->leaves_bad++;
		problem(rep, AUDIT_LEAF, xasprintf("evidence row %lld ('%s')",
						   (long long)db_col_int64(st, 0),
						   (const char *)db_col_text(st, 1)),
			xstrdup("not in the ledger (run 'casefile seal' to add it)"));
	}
	db_finalize(st);
	st = NULL;
	/* Forged extra nodes: the count must be exactly the perfect subtrees. */
	for (l = r.size; l; l >>= 1)
		expect_nodes += l;
	if (db_prepare(db, "SELECT count(*) FROM ledger_nodes", &st, err) < 0)
		goto out;
	if (db_step(st) == DB_ROW)
		stored_nodes = (uint64_t)db_col_int64(st, 0);
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
	db_finalize(st);
	db_finalize(tc.get);
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
	struct cf_db *db = vault_db(v);
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

/* --- kept checkpoints (kept.h) ------------------------------------------- */

#define UNSEALED_NOTICE_AFTER (24 * 3600)	/* leaves older than this, no head */

static void
kept_problem(struct audit_report *rep, const char *label, uint64_t number, char *detail)
{
	char *name = kept_name(number, "txt");

	rep->kept_bad++;
	problem(rep, AUDIT_CHECKPOINT, xasprintf("%s/%s", label, name), detail);
	free(name);
}

/* Index of the head of that size, or nh. */
static size_t
head_index(const struct seal_head *heads, size_t nh, uint64_t size)
{
	size_t lo = 0, hi = nh;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (heads[mid].tree_size < size)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nh && heads[lo].tree_size == size ? lo : nh;
}

/*
 * NULL when the later head h is consistent with the kept checkpoint cp by
 * a consistency proof recomputed from the ledger, else why not (malloc'd).
 */
static char *
inconsistent(struct cf_db *db, const struct checkpoint *cp, const struct seal_head *h)
{
	struct cf_err e = CF_ERR_INIT;
	unsigned char (*proof)[CF_SHA256_LEN] = NULL;
	size_t nproof = 0;
	char *why = NULL;

	if (ledger_consistency_proof(db, cp->size, h->tree_size, &proof, &nproof, &e) < 0 ||
	    ledger_verify_consistency(cp->size, h->tree_size, cp->root, h->root,
				      (const unsigned char (*)[CF_SHA256_LEN])proof, nproof,
				      &e) < 0)
		why = xasprintf("head %llu is not consistent with it: %s",
				(unsigned long long)h->tree_size, e.msg);
	free(proof);
	cf_err_release(&e);
	return why;
}

/* A kept checkpoint that no head is: what the ledger says about it. */
static char *
not_a_head(struct cf_db *db, const struct checkpoint *cp, const struct seal_head *heads, size_t nh,
	   uint64_t leaves)
{
	struct cf_err e = CF_ERR_INIT;
	unsigned char root[CF_SHA256_LEN];
	char *why;

	if (leaves < cp->size)
		return xasprintf("tree size %llu is not a head in the database, and the ledger has "
				 "only %llu leaves (sealed evidence removed?)",
				 (unsigned long long)cp->size, (unsigned long long)leaves);
	if (ledger_root(db, cp->size, root, &e) < 0 || memcmp(root, cp->root, CF_SHA256_LEN) != 0) {
		cf_err_release(&e);
		return xasprintf("tree size %llu is not a head in the database, and the ledger's "
				 "first %llu leaves no longer have its root (ledger rewritten?)",
				 (unsigned long long)cp->size, (unsigned long long)cp->size);
	}
	if (nh && heads[nh - 1].tree_size > cp->size && heads[nh - 1].tree_size <= leaves &&
	    (why = inconsistent(db, cp, &heads[nh - 1])) != NULL) {
		char *w = xasprintf("tree size %llu is not a head in the database, and %s",
				    (unsigned long long)cp->size, why);

		free(why);
		return w;
	}
	return xasprintf("tree size %llu is not a head in the database, though the ledger still "
			 "holds its tree (heads deleted, or a seal was interrupted: 'casefile "
			 "seal' completes it)", (unsigned long long)cp->size);
}

/* One folder of kept checkpoints (label: how to name it) against the heads. */
/* The further tokens of head h (head_tokens) are kept in dir as number. */
static void
check_kept_extras(struct cf_db *db, const char *dir, const char *label, uint64_t number,
		  const struct seal_head *h, struct audit_report *rep)
{
	struct cf_err e = CF_ERR_INIT;
	struct db_stmt *st;

	if (db_prepare(db, "SELECT seq, tst FROM head_tokens WHERE tree_size = ? ORDER BY seq",
		       &st, &e) < 0) {
		cf_err_release(&e);
		return;
	}
	db_bind_int64(st, 1, (int64_t)h->tree_size);
	while (db_step(st) == DB_ROW) {
		const unsigned char *t = db_col_blob(st, 1);
		size_t n = (size_t)db_col_bytes(st, 1);

		if (t && kept_check_extra(dir, number, t, n, &e) < 0)
			kept_problem(rep, label, number,
				     xasprintf("timestamp token %lld of head %llu: %s",
					       (long long)db_col_int64(st, 0) + 1,
					       (unsigned long long)h->tree_size, e.msg));
		cf_err_release(&e);
	}
	db_finalize(st);
}

static void
check_kept(struct cf_db *db, EVP_PKEY *pub, const char *origin, const char *dir, const char *label,
	   const struct kept_file *files, size_t nf, const struct seal_head *heads, size_t nh,
	   uint64_t leaves, struct audit_report *rep)
{
	unsigned char *kept = xcalloc(nh + 1, 1);	/* heads that have their file */
	uint64_t expect = 1;
	size_t i;

	for (i = 0; i < nf; i++) {
		const struct kept_file *f = &files[i];
		struct cf_err e = CF_ERR_INIT;
		struct checkpoint cp;
		char *why;
		size_t hi;

		for (; expect < f->number; expect++)
			kept_problem(rep, label, expect, xstrdup("missing (deleted?)"));
		expect = f->number + 1;
		rep->kept++;
		checkpoint_init(&cp);
		if (checkpoint_parse(f->note, f->note_len, &cp, &e) < 0)
			kept_problem(rep, label, f->number, xasprintf("not a checkpoint: %s", e.msg));
		else if (strcmp(cp.origin, origin) != 0)
			kept_problem(rep, label, f->number,
				     xasprintf("names another vault ('%s')", cp.origin));
		else if (pub && checkpoint_verify(&cp, f->note, f->note_len, pub, &e) < 0)
			kept_problem(rep, label, f->number, xstrdup(e.msg));
		else if (f->tst && seal_token_check(f->tst, f->tst_len, f->note, f->note_len,
						    NULL, &e) < 0)
			kept_problem(rep, label, f->number, xasprintf("timestamp token: %s", e.msg));
		else if ((hi = head_index(heads, nh, cp.size)) == nh)
			kept_problem(rep, label, f->number, not_a_head(db, &cp, heads, nh, leaves));
		else {
			const struct seal_head *h = &heads[hi];

			kept[hi] = 1;
			if (f->note_len != h->checkpoint_len ||
			    memcmp(f->note, h->checkpoint, f->note_len) != 0)
				kept_problem(rep, label, f->number,
					     xasprintf("differs from head %llu in the database",
						       (unsigned long long)h->tree_size));
			else if (f->number != hi + 1)
				kept_problem(rep, label, f->number,
					     xasprintf("head %llu is head number %zu, kept as %llu",
						       (unsigned long long)h->tree_size, hi + 1,
						       (unsigned long long)f->number));
			else if (f->tst_len != h->tst_len ||
				 (f->tst_len && memcmp(f->tst, h->tst, f->tst_len) != 0))
				kept_problem(rep, label, f->number,
					     xasprintf("its timestamp token differs from head %llu's",
						       (unsigned long long)h->tree_size));
			else if (hi + 1 < nh && heads[nh - 1].tree_size <= leaves &&
				 (why = inconsistent(db, &cp, &heads[nh - 1])) != NULL)
				kept_problem(rep, label, f->number, why);
			else
				check_kept_extras(db, dir, label, f->number, h, rep);
		}
		checkpoint_release(&cp);
		cf_err_release(&e);
	}
	for (i = 0; i < nh; i++)
		if (!kept[i]) {
			rep->kept_bad++;
			problem(rep, AUDIT_CHECKPOINT,
				xasprintf("head %llu", (unsigned long long)heads[i].tree_size),
				xasprintf("not kept in %s/ (file deleted?)", label));
		}
	free(kept);
}

/* The heads, ledger size and oldest leaf time, in one read transaction. */
static int
read_heads(struct cf_db *db, struct seal_head **heads, size_t *nh, uint64_t *leaves,
	   int64_t *oldest, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int ret = -1;

	*heads = NULL;
	*nh = 0;
	*oldest = 0;
	if (db_exec(db, "BEGIN", err) < 0)
		return -1;
	if (seal_heads(db, heads, nh, err) < 0 || ledger_size(db, leaves, err) < 0 ||
	    db_prepare(db, "SELECT min(ingested_at) FROM evidence WHERE leaf_index IS NOT NULL",
		       &st, err) < 0)
		goto out;
	if (db_step(st) == DB_ROW)
		*oldest = db_col_int64(st, 0);
	ret = 0;
out:
	db_finalize(st);
	db_exec(db, "COMMIT", NULL);
	return ret;
}

int
audit_checkpoints(struct vault *v, EVP_PKEY *pub, const char *mirror, int64_t now,
		  struct audit_report *rep, struct cf_err *err)
{
	struct cf_db *db = vault_db(v);
	struct cf_err e = CF_ERR_INIT;
	struct seal_head *heads = NULL;
	struct kept_file *files = NULL, *mfiles = NULL;
	size_t nh = 0, nf = 0, nm = 0;
	char *dir = vault_path_new(v, KEPT_DIR), *marker = NULL, *origin = NULL;
	uint64_t leaves = 0;
	int64_t oldest = 0;
	int ret = -1, tries, have_dir = 1;

	if (seal_origin(db, &origin, err) < 0)
		goto out;
	marker = db_meta_get(db, KEPT_META);
	/*
	 * The files first, then the heads: a seal keeps its file before it
	 * commits its head, so a file beyond the heads may be a seal about to
	 * commit — look again a few times before calling it a problem.
	 */
	if (kept_read(dir, &files, &nf, &e) < 0) {
		if (e.code != CF_ENOTFOUND) {
			cf_err_move(err, &e);
			goto out;
		}
		have_dir = 0;
	}
	for (tries = 0;; tries++) {
		seal_heads_free(heads, nh);
		if (read_heads(db, &heads, &nh, &leaves, &oldest, err) < 0)
			goto out;
		if (!have_dir || nf <= nh || tries == 5)
			break;
		usleep(200 * 1000);
	}
	if (!have_dir && marker) {
		rep->kept_bad++;
		problem(rep, AUDIT_CHECKPOINT, xstrdup(KEPT_DIR),
			xasprintf("'%s' is missing, though this vault keeps its checkpoints there "
				  "(deleted?)", dir));
	} else if (!have_dir) {
		/* A vault from before kept checkpoints: keep its heads now. */
		if (seal_kept_backfill(dir, heads, nh, &e) < 0 ||
		    kept_read(dir, &files, &nf, &e) < 0) {
			notice(rep, AUDIT_NOTICE, xstrdup(KEPT_DIR),
			       xasprintf("not kept yet, and not possible now (%s): the next "
					 "'casefile seal' keeps the %zu existing tree heads", e.msg, nh));
			cf_err_release(&e);
		} else {
			have_dir = 1;
			notice(rep, AUDIT_NOTICE, xstrdup(KEPT_DIR),
			       xasprintf("created with the %zu existing tree head%s (the first audit "
					 "since checkpoints are kept)", nh, nh == 1 ? "" : "s"));
		}
	}
	if (have_dir)
		check_kept(db, pub, origin, dir, KEPT_DIR, files, nf, heads, nh, leaves, rep);
	if (mirror) {
		if (kept_read(mirror, &mfiles, &nm, &e) < 0) {
			rep->kept_bad++;
			problem(rep, AUDIT_CHECKPOINT, xasprintf("mirror '%s'", mirror),
				xasprintf("%s (not mounted?): the checkpoints kept there cannot be "
					  "checked", e.msg));
		} else
			check_kept(db, pub, origin, mirror, mirror, mfiles, nm, heads, nh, leaves, rep);
	}
	if (nh == 0 && (nf || nm)) {
		rep->heads_bad++;
		problem(rep, AUDIT_HEAD, xstrdup("heads"),
			xasprintf("the database has no tree head, but %zu checkpoints were kept "
				  "(heads deleted?)", nf > nm ? nf : nm));
	} else if (nh == 0 && leaves && oldest < now - UNSEALED_NOTICE_AFTER) {
		char when[32];

		notice(rep, AUDIT_NOTICE, xstrdup("heads"),
		       xasprintf("none: the ledger has %llu leaves, the oldest from %s, and was "
				 "never sealed (or its heads and kept checkpoints were deleted): "
				 "run 'casefile seal'", (unsigned long long)leaves,
				 cftime_format_iso(oldest, when, sizeof(when))));
	}
	ret = 0;
out:
	seal_heads_free(heads, nh);
	kept_files_free(files, nf);
	kept_files_free(mfiles, nm);
	cf_err_release(&e);
	free(dir);
	free(marker);
	free(origin);
	return ret;
}

/* --- repair -------------------------------------------------------------- */

int
audit_repair(struct vault *v, struct audit_repair *res, struct cf_err *err)
{
	struct cf_db *db = vault_db(v);
	struct audit_report scratch;
	struct obj *named = NULL, *strays = NULL;
	size_t nnamed = 0, nstrays = 0, k;
	struct pool p;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	memset(&scratch, 0, sizeof(scratch));
	/* The write lock: no transaction of anyone else is open while we look. */
	if (db_begin(db, err) < 0)
		return -1;
	if (load_objects(db, NAMED_SQL, &named, &nnamed, err) < 0 ||
	    scan_unexpected(v, named, nnamed, &scratch, &strays, &nstrays, err) < 0)
		goto out;
	memset(&p, 0, sizeof(p));
	p.v = v;
	p.objs = strays;
	p.n = nstrays;
	run_pool(&p, 2);
	for (k = 0; k < nstrays; k++) {
		struct obj *o = &strays[k];
		char *path;

		if (o->st != OBJ_OK && o->st != OBJ_CHANGED)
			continue;	/* gone, or not a regular file: not ours to remove */
		path = vault_object_path(v, o->sha);
		if (unlink(path) < 0 && errno != ENOENT) {
			cf_err_errno(err, CF_EIO, "cannot remove '%s'", path);
			free(path);
			goto out;
		}
		free(path);
		res->removed++;
		res->bytes += o->size;
		if (o->st == OBJ_CHANGED)
			res->torn++;
	}
	if (repair_remote(v, named, nnamed, res, err) < 0)
		goto out;
	ret = 0;
out:
	db_rollback(db);
	for (k = 0; k < nstrays; k++)
		free(strays[k].why);
	free(strays);
	free(named);
	audit_report_release(&scratch);
	return ret;
}

void
audit_repair_release(struct audit_repair *res)
{
	for (size_t i = 0; i < res->nkept_list; i++)
		free(res->kept_list[i]);
	free(res->kept_list);
	res->kept_list = NULL;
	res->nkept_list = 0;
}

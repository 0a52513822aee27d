/* SPDX-License-Identifier: MIT */
/*
 * vault — object store and vault lifecycle (contract in vault.h).
 *
 * How a put works.  Content of at most 1 MiB (most chat,
 * order and logistics files) is read and hashed first, then created under
 * its object name objects/ab/cdef… with O_EXCL and written: EEXIST means
 * the bytes are stored already, and nothing is written.  Larger content
 * streams through a staging file in tmp/ (unnamed, O_TMPFILE, where the
 * system allows; else tmp/<pid>-<n>), hashed on the way, written with
 * O_DIRECT (below) so that, for large videos, the disk is busy while we
 * hash the next chunks, and the final flush in vault_sync() has little
 * left to do.  It is linked
 * (unnamed) or renamed (named) to its object name, or dropped if that name
 * exists.  Objects are created read-only.
 *
 * A put killed half-way can leave an object of the wrong size (small
 * content written in place) — never one that a committed row names, since
 * rows are committed only after vault_sync().  A later put of the same
 * bytes finds the size wrong and replaces it (object_present()).

 * Staging files are written with O_DIRECT (issue 19): the bytes go from our
 * aligned buffers to the disk without being copied into page cache first.
 * On these VMs that copy was most of a large put's time — the kernel has to
 * find fresh page-cache memory for every written page (the host takes idle
 * memory back), several times the cost of hashing the same bytes.  Each
 * buffer is filled whole before it is written, so every write but the last
 * is a multiple of the alignment; the last, unaligned one is written after
 * O_DIRECT is switched off on the descriptor.  A file system that refuses
 * O_DIRECT (tmpfs: EINVAL at open, or at the first write) is remembered, and
 * staging there is buffered as before, with writeback started every few MiB.
 * The object is still made durable by vault_sync(): O_DIRECT leaves neither
 * the file's size nor the disk's write cache flushed.
 *
 * Hashing overlaps the I/O for files longer than one buffer: a helper
 * thread hashes chunk k while this thread writes chunk k and reads chunk
 * k+1 into the other of two buffers.  The first chunk is always hashed
 * inline, so small files (the common case) never pay for a thread hand-off,
 * and a small file whose bytes are already stored is never written at all
 * (see vault_put()).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pthread.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "casefile/db.h"
#include "casefile/kept.h"
#include "casefile/objstore.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

/* Content up to SMALL_MAX is stored in place; larger goes through tmp/ */
#define SMALL_MAX (1u << 20)
/*
 * The two copy buffers: 4 MiB chunks keep the hand-offs between this
 * thread and the workers, and the synchronous O_DIRECT writes, few; pages
 * of them that a small put never touches cost no memory.
 */
#define CHUNK_SIZE (2u << 20)
/* O_DIRECT alignment of buffers, offsets and lengths: a page suits every disk */
#define DIRECT_ALIGN 4096u
#define WRITEBACK_CHUNK (8u << 20)

struct vault;

/*
 * The ring of vault_put() for content larger than one chunk (see the top
 * comment): this thread fills chunk k into buf[k % NBUF] and publishes it;
 * the hasher thread feeds chunks to the digest and the writer thread writes
 * them to the staging file, each in order and at its own pace; a buffer is
 * filled again once both have finished with it.  Under mu: filled, done[],
 * quit; the workers' own fields are read by this thread only after it has
 * waited for them under mu.
 */
#define NBUF 4
enum { W_HASH, W_WRITE };
struct ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread[2];
	int started;		/* 0: no threads yet; -1: none can be made */
	int quit;
	unsigned char *buf[NBUF];	/* CHUNK_SIZE each, DIRECT_ALIGN-aligned */
	size_t len[NBUF];
	uint64_t filled;	/* chunks published in this put */
	uint64_t done[2];	/* chunks finished by the hasher, the writer */
	struct vault *v;
	EVP_MD_CTX *md;		/* the hasher's digest, and its result */
	int hash_ok;
	int fd;			/* the writer's staging file */
	int direct;		/* fd is O_DIRECT */
	uint64_t written, synced;	/* bytes written; writeback started up to */
	int write_ok, write_errno;
};

struct vault {
	char *dir;
	int dirfd;
	int lockfd;
	struct cf_db *db;
	struct db_wait wait;	/* how a writing handle waits (db.h) */
	int no_direct;		/* the file system refused O_DIRECT staging */
	int refuse_direct;	/* test only: REFUSE_DIRECT_* (see below) */
	struct ring ring;	/* the large puts' (its buffers on first use) */
	unsigned long tmp_seq;
	long pid;		/* for staging names */
	int chmod_needed;	/* -1 unknown; 1: new files are not 0444 (umask, ACL) */
	unsigned char fanout[32];	/* bit i: objects/<i in hex>/ is known to exist */
	int stage_mode;		/* STAGE_*: how staging files are made */
	int last_dup;		/* the last put found its object stored already */
	/*
	 * Objects put since the last sync (their paths, for the fsync
	 * fallback).  Under pending_mu: a pipeline's reader thread puts
	 * objects while its recording thread syncs the ones it recorded.
	 */
	pthread_mutex_t pending_mu;
	char **pending;
	size_t npending, cappending;
	/*
	 * The objects backend: NULL for the local objects/ folder (all of the
	 * code below that has no "remote" in its name), else the S3 store the
	 * vault was made with (objstore.h; remote_put, remote_fetch).
	 */
	struct objstore *os;
	unsigned char *rbuf[2];	/* remote_put's part buffers (first use) */
	/*
	 * The regular file the last large remote put read (its own open file
	 * description), so that parsing it right after reads the source, not
	 * a download of what was just uploaded; under pending_mu.
	 */
	int src_fd;
	unsigned char src_sha[CF_SHA256_LEN];
	struct stat src_st;
};

static void ring_stop(struct ring *r);

struct objstore *
vault_objstore(const struct vault *v)
{
	return v->os;
}

const char *
vault_dir(const struct vault *v)
{
	return v->dir;
}

struct cf_db *
vault_db(struct vault *v)
{
	return v->db;
}

char *
vault_path_new(const struct vault *v, const char *rel)
{
	return xasprintf("%s/%s", v->dir, rel);
}

static int
dir_is_empty(const char *dir, int *empty, struct cf_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return cf_err_errno(err, CF_EIO, "cannot read '%s'", dir);
	*empty = 1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			*empty = 0;
			break;
		}
	}
	closedir(d);
	return 0;
}

static int
mkdir_in(const char *dir, const char *sub, mode_t mode, struct cf_err *err)
{
	char *p = xasprintf("%s/%s", dir, sub);
	int ret = 0;

	if (mkdir(p, mode) < 0 && errno != EEXIST)
		ret = cf_err_errno(err, CF_EIO, "cannot create '%s'", p);
	free(p);
	return ret;
}

static char *
uuid_new(void)
{
	unsigned char r[16];
	char hex[33];

	if (RAND_bytes(r, sizeof(r)) != 1)
		CF_BUG("RAND_bytes failed");
	r[6] = (r[6] & 0x0f) | 0x40;
	r[8] = (r[8] & 0x3f) | 0x80;
	cf_hex_encode(r, sizeof(r), hex);
	return xasprintf("%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
			 hex + 16, hex + 20);
}

#define DB_URL_FILE "database"

/*
 * Where dir's database is: "DIR/casefile.db", or the PostgreSQL URL kept in
 * DIR/database (refused when others may read it: it may hold a password).
 * NULL with CF_ENOTFOUND when dir is not a vault.
 */
static char *
db_target(const char *dir, struct cf_err *err)
{
	char *path = xasprintf("%s/casefile.db", dir), *url = NULL;
	struct cf_buf b = CF_BUF_INIT;
	struct stat st;
	size_t n;

	if (stat(path, &st) == 0)
		return path;
	if (errno != ENOENT) {
		cf_err_errno(err, CF_EIO, "cannot open vault '%s'", dir);
		goto out;
	}
	free(path);
	path = xasprintf("%s/" DB_URL_FILE, dir);
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			cf_err_set(err, CF_ENOTFOUND,
				   "'%s' is not a casefile vault (run 'casefile init' or pass --vault DIR)",
				   dir);
		else
			cf_err_errno(err, CF_EIO, "cannot open vault '%s'", dir);
		goto out;
	}
	if (st.st_mode & 077) {
		cf_err_set(err, CF_EINPUT, "'%s' may be read by others (mode %03o): it may hold "
			   "the database password; chmod 600 it", path, (unsigned)(st.st_mode & 0777));
		goto out;
	}
	if (cf_buf_read_file(&b, path, "database URL", 4096, CF_EIO, err) < 0)
		goto out;
	n = b.len;
	while (n && (b.data[n - 1] == '\n' || b.data[n - 1] == '\r' || b.data[n - 1] == ' '))
		n--;
	url = xstrndup(b.data, n);
	if (!db_is_url(url)) {
		cf_err_set(err, CF_EINPUT, "'%s' does not hold a postgresql:// URL", path);
		free(url);
		url = NULL;
	}
out:
	cf_buf_release(&b);
	free(path);
	return url;
}

/* Keep url in DIR/database, readable by its owner only. */
static int
db_url_write(const char *dir, const char *url, struct cf_err *err)
{
	char *path = xasprintf("%s/" DB_URL_FILE, dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), ret = 0;

	if (fd < 0 || write(fd, url, strlen(url)) != (ssize_t)strlen(url) ||
	    write(fd, "\n", 1) != 1 || fsync(fd) < 0)
		ret = cf_err_errno(err, CF_EIO, "cannot write '%s'", path);
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

/*
 * A database that already holds a vault (PostgreSQL, joined by another
 * folder): its objects setting must be the one asked for, if one is.
 */
static int
join_check(struct cf_db *db, const struct vault_objects *o, int *joined, struct cf_err *err)
{
	char *id = db_setting(db, "vault_id"), *url = db_setting(db, "objects.url");
	int ret = 0;

	*joined = id != NULL;
	if (id && o->url && (url == NULL || strcmp(url, o->url) != 0))
		ret = cf_err_set(err, CF_EINPUT, "the database already holds vault %s, whose "
				 "objects are kept in %s, not %s", id, url ? url : "local folders",
				 o->url);
	else if (id && url == NULL)
		ret = cf_err_set(err, CF_EINPUT, "the database already holds vault %s, whose "
				 "objects are in another machine's folder: a second folder can "
				 "join only a vault whose objects are in a shared store (--objects)", id);
	free(id);
	free(url);
	return ret;
}

int
vault_init(const char *dir, struct cf_err *err)
{
	return vault_init_objects(dir, NULL, err);
}

/* Check a remote objects setting before anything is created. */
static int
objects_check(const struct vault_objects *o, long *days, struct cf_err *err)
{
	struct objstore_conf c = { o->url, o->endpoint, o->region, 0 };
	struct objstore *s = NULL;
	int ret;

	*days = 0;
	if (o->retention && objstore_parse_retention(o->retention, days, err) < 0)
		return -1;
	c.retention_days = *days;
	if (objstore_open(&c, &s, err) < 0)
		return -1;
	ret = objstore_check(s, err);
	objstore_close(s);
	return ret;
}

int
vault_init_objects(const char *dir, const struct vault_objects *o, struct cf_err *err)
{
	struct stat st;
	char *dbpath = NULL, *lock = NULL, *id = NULL;
	struct cf_db *db = NULL;
	int empty = 0, fd, ret = -1, joined = 0, made = 0;
	char now[32];
	long days = 0;

	if (o && o->url && objects_check(o, &days, err) < 0)
		return -1;
	if (o && o->db && !db_is_url(o->db))
		return cf_err_set(err, CF_EINPUT, "--db takes a postgresql:// URL, not '%s'",
				  o->db);
	if (mkdir(dir, 0755) == 0)
		made = 1;
	else {
		if (errno != EEXIST)
			return cf_err_errno(err, CF_EIO, "cannot create vault '%s'", dir);
		if (stat(dir, &st) < 0)
			return cf_err_errno(err, CF_EIO, "cannot use '%s'", dir);
		if (!S_ISDIR(st.st_mode))
			return cf_err_set(err, CF_EINPUT, "'%s' exists and is not a folder", dir);
		dbpath = xasprintf("%s/casefile.db", dir);
		lock = xasprintf("%s/" DB_URL_FILE, dir);
		if (access(dbpath, F_OK) == 0 || access(lock, F_OK) == 0) {
			cf_err_set(err, CF_EINPUT, "'%s' is already a casefile vault", dir);
			goto out;
		}
		if (dir_is_empty(dir, &empty, err) < 0)
			goto out;
		if (!empty) {
			cf_err_set(err, CF_EINPUT,
				   "'%s' is not empty and not a vault: refusing to initialise it", dir);
			goto out;
		}
	}
	/* a PostgreSQL database is reached (and given its tables) before any
	   folder is made: an unreachable server leaves nothing behind */
	if (o && o->db && db_open(o->db, 1, &db, err) < 0)
		goto out;
	if (mkdir_in(dir, "objects", 0755, err) < 0 || mkdir_in(dir, "tmp", 0700, err) < 0 ||
	    mkdir_in(dir, "keys", 0700, err) < 0 || mkdir_in(dir, KEPT_DIR, 0755, err) < 0)
		goto out;
	free(lock);
	lock = xasprintf("%s/lock", dir);
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) {
		cf_err_errno(err, CF_EIO, "cannot create '%s'", lock);
		goto out;
	}
	close(fd);
	free(dbpath);
	dbpath = xasprintf("%s/casefile.db", dir);
	if (db == NULL && db_open(dbpath, 1, &db, err) < 0)
		goto out;
	if (o && o->db) {
		if (join_check(db, o, &joined, err) < 0 || db_url_write(dir, o->db, err) < 0)
			goto out;
		if (joined) {
			ret = 0;
			goto out;
		}
	}
	id = uuid_new();
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	if (db_meta_set(db, "vault_id", id, err) < 0 ||
	    db_meta_set(db, "created_at", now, err) < 0 ||
	    db_meta_set(db, KEPT_META, "1", err) < 0)
		goto out;
	if (o && o->url) {
		char d[32];

		snprintf(d, sizeof(d), "%ld", days);
		if (db_meta_set(db, "objects.url", o->url, err) < 0 ||
		    (o->endpoint && db_meta_set(db, "objects.endpoint", o->endpoint, err) < 0) ||
		    (o->region && db_meta_set(db, "objects.region", o->region, err) < 0) ||
		    (days && db_meta_set(db, "objects.retention_days", d, err) < 0))
			goto out;
	}
	ret = 0;
out:
	if (ret < 0 && made && db == NULL)
		rmdir(dir);	/* nothing was made in it yet */
	db_close(db);
	free(dbpath);
	free(lock);
	free(id);
	return ret;
}

/* Remove tmp/ leftovers of killed runs; called while holding LOCK_EX. */
static void
vault_clean_tmp(struct vault *v)
{
	char *tmp = vault_path_new(v, "tmp");
	DIR *d = opendir(tmp);
	struct dirent *de;

	if (d) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			unlinkat(dirfd(d), de->d_name, 0);
		}
		closedir(d);
	}
	free(tmp);
}

/* A vault made with --objects: its store, from the settings written at init. */
static int
remote_open(struct vault *v, struct cf_err *err)
{
	char *url = db_setting(v->db, "objects.url"), *ep = NULL, *rg = NULL, *days = NULL;
	struct objstore_conf c;
	int ret = 0;

	if (url == NULL)
		return 0;	/* the local objects/ folder */
	ep = db_setting(v->db, "objects.endpoint");
	rg = db_setting(v->db, "objects.region");
	days = db_setting(v->db, "objects.retention_days");
	c.url = url;
	c.endpoint = ep;
	c.region = rg;
	c.retention_days = days ? atol(days) : 0;
	if (objstore_open(&c, &v->os, err) < 0) {
		cf_err_prefix(err, "vault '%s' keeps its objects in %s", v->dir, url);
		ret = -1;
	}
	free(url);
	free(ep);
	free(rg);
	free(days);
	return ret;
}

static int refuse_direct_from_env(void);

int
vault_open(const char *dir, unsigned flags, struct vault **out, struct cf_err *err)
{
	struct vault *v = xcalloc(1, sizeof(*v));
	char *dbpath = NULL, *lock = NULL;

	v->chmod_needed = -1;	/* unknown until the first staging file */
	v->pid = (long)getpid();
	v->refuse_direct = refuse_direct_from_env();
	v->dirfd = v->lockfd = v->src_fd = -1;
	v->dir = xstrdup(dir);
	pthread_mutex_init(&v->pending_mu, NULL);	/* cannot fail for default attributes */
	if ((dbpath = db_target(dir, err)) == NULL)
		goto fail;
	if ((v->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		cf_err_errno(err, CF_EIO, "cannot open vault '%s'", dir);
		goto fail;
	}
	lock = xasprintf("%s/lock", dir);
	if ((v->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0 &&
	    (v->lockfd = open(lock, O_RDONLY | O_CLOEXEC)) < 0) {
		cf_err_errno(err, CF_EIO, "cannot open '%s'", lock);
		goto fail;
	}
	if (flock(v->lockfd, LOCK_EX | LOCK_NB) == 0) {
		if (!(flags & VAULT_OPEN_NO_CLEANUP))
			vault_clean_tmp(v);
		flock(v->lockfd, LOCK_SH);
	} else if (flock(v->lockfd, LOCK_SH) < 0) {
		cf_err_errno(err, CF_EIO, "cannot lock '%s'", lock);
		goto fail;
	}
	if (flags & VAULT_OPEN_READONLY) {
		if (db_open_readonly(dbpath, &v->db, err) < 0)
			goto fail;
	} else {
		if (db_open(dbpath, 0, &v->db, err) < 0)
			goto fail;
		v->wait.no_wait = !!(flags & VAULT_OPEN_NO_WAIT);
		db_set_wait(v->db, &v->wait);
	}
	if (remote_open(v, err) < 0)
		goto fail;
	free(dbpath);
	free(lock);
	*out = v;
	return 0;
fail:
	free(dbpath);
	free(lock);
	vault_close(v);
	return -1;
}

int
vault_lock_exclusive(struct vault *v, int nowait, struct cf_err *err)
{
	while (flock(v->lockfd, LOCK_EX | (nowait ? LOCK_NB : 0)) < 0) {
		if (errno == EINTR)
			continue;
		cf_err_errno(err, CF_EIO, "cannot lock '%s/lock'", v->dir);
		/* A failed conversion has dropped the shared lock (Linux). */
		vault_lock_shared(v);
		return -1;
	}
	return 0;
}

void
vault_lock_shared(struct vault *v)
{
	while (flock(v->lockfd, LOCK_SH) < 0 && errno == EINTR)
		;
}

void
vault_on_wait(struct vault *v, void (*notice)(void *arg), void *arg)
{
	v->wait.notice = notice;
	v->wait.arg = arg;
}

void
vault_close(struct vault *v)
{
	size_t i;

	if (v == NULL)
		return;
	db_close(v->db);
	if (v->lockfd >= 0)
		close(v->lockfd);
	if (v->dirfd >= 0)
		close(v->dirfd);
	for (i = 0; i < v->npending; i++)
		free(v->pending[i]);
	free(v->pending);
	pthread_mutex_destroy(&v->pending_mu);
	ring_stop(&v->ring);
	objstore_close(v->os);
	free(v->rbuf[0]);
	free(v->rbuf[1]);
	if (v->src_fd >= 0)
		close(v->src_fd);
	free(v->dir);
	free(v);
}

static int remote_fetch(const struct vault *v, const unsigned char sha256[CF_SHA256_LEN],
			const char *path, struct cf_err *err);
static int remote_source_open(const struct vault *v, const unsigned char sha256[CF_SHA256_LEN]);
static char *remote_cache_path(const struct vault *v,
			       const unsigned char sha256[CF_SHA256_LEN], int mkdirs,
			       struct cf_err *err);

char *
vault_object_path(const struct vault *v, const unsigned char sha256[CF_SHA256_LEN])
{
	char hex[CF_SHA256_HEXLEN + 1], *path;
	struct cf_err e = CF_ERR_INIT;

	if (v->os == NULL) {
		cf_hex_encode(sha256, CF_SHA256_LEN, hex);
		return xasprintf("%s/objects/%.2s/%s", v->dir, hex, hex + 2);
	}
	path = remote_cache_path(v, sha256, 0, NULL);
	/* best effort: a failed fetch leaves no file, which callers report */
	remote_fetch(v, sha256, path, &e);
	cf_err_release(&e);
	return path;
}

int
vault_object_open(const struct vault *v, const unsigned char sha256[CF_SHA256_LEN],
		  int *fd, struct cf_err *err)
{
	char *path;
	int ret = 0;

	if (v->os) {
		if ((*fd = remote_source_open(v, sha256)) >= 0)
			return 0;
		path = remote_cache_path(v, sha256, 0, NULL);
		if (remote_fetch(v, sha256, path, err) < 0) {
			free(path);
			if (err->code == CF_ENOTFOUND)
				err->code = CF_EVERIFY;	/* as a missing local object */
			return -1;
		}
	} else {
		path = vault_object_path(v, sha256);
	}

	if ((*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		ret = cf_err_errno(err, errno == ENOENT ? CF_EVERIFY : CF_EIO,
				   "cannot open object '%s'", path);
	free(path);
	return ret;
}

static void
pending_add(struct vault *v, char *path)
{
	pthread_mutex_lock(&v->pending_mu);
	if (v->npending == v->cappending) {
		v->cappending = v->cappending ? 2 * v->cappending : 64;
		v->pending = xreallocarray(v->pending, v->cappending, sizeof(char *));
	}
	v->pending[v->npending++] = path;
	pthread_mutex_unlock(&v->pending_mu);
}

static int
write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Test only: $CASEFILE_TEST_REFUSE_DIRECT=open or =write makes this vault
 * act as a file system that refuses O_DIRECT (EINVAL) when the staging file
 * is opened, or at its first O_DIRECT write, so the fallback to buffered
 * staging is tested where the file system would accept O_DIRECT (tmpfs
 * does since Linux 6.6; tests/cli/t8600).  main() reads the variable and
 * hands it over with vault_test_refuse_direct(); each vault takes it at
 * vault_open().
 */
enum { REFUSE_DIRECT_NO, REFUSE_DIRECT_OPEN, REFUSE_DIRECT_WRITE };
static int test_refuse_direct;	/* vault_test_refuse_direct() */

static int
refuse_direct_from_env(void)
{
	return test_refuse_direct;
}

void
vault_test_refuse_direct(const char *mode)
{
	if (mode && strcmp(mode, "open") == 0)
		test_refuse_direct = REFUSE_DIRECT_OPEN;
	else if (mode && strcmp(mode, "write") == 0)
		test_refuse_direct = REFUSE_DIRECT_WRITE;
	else
		test_refuse_direct = REFUSE_DIRECT_NO;
}

/* open(path, flags | O_DIRECT, mode), or the test hook's refusal */
static int
open_direct(const struct vault *v, const char *path, int flags, mode_t mode)
{
	if (v->refuse_direct == REFUSE_DIRECT_OPEN) {
		errno = EINVAL;
		return -1;
	}
	return open(path, flags | O_DIRECT, mode);
}

/* Stop O_DIRECT on fd: the rest of the file is written through page cache. */
static int
direct_off(int fd, int *direct)
{
	int fl = fcntl(fd, F_GETFL);

	*direct = 0;
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl & ~O_DIRECT);
}

/*
 * Write n bytes at the end of the staging file fd; *direct says whether fd
 * is O_DIRECT.  A length that is not a multiple of DIRECT_ALIGN (the last
 * chunk), or a write the file system refuses (EINVAL), turns O_DIRECT off
 * for the rest of this file; a refusal also for the vault's later puts.
 */
static int
stage_write(struct vault *v, int fd, int *direct, const unsigned char *p, size_t n)
{
	if (*direct && n % DIRECT_ALIGN != 0 && direct_off(fd, direct) < 0)
		return -1;
	while (n > 0) {
		ssize_t w;

		if (*direct && v->refuse_direct == REFUSE_DIRECT_WRITE) {
			w = -1;		/* the test hook (above) */
			errno = EINVAL;
		} else {
			w = write(fd, p, n);
		}
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EINVAL && *direct) {
				v->no_direct = 1;
				if (direct_off(fd, direct) < 0)
					return -1;
				continue;
			}
			return -1;
		}
		p += w;
		n -= (size_t)w;
		if (*direct && n % DIRECT_ALIGN != 0 && direct_off(fd, direct) < 0)
			return -1;
	}
	return 0;
}

/*
 * Read from fn until buf holds n bytes or the source ends: a source that
 * returns short reads (an archive entry) still gives whole, aligned chunks.
 */
static ssize_t
fill(vault_read_fn fn, void *cookie, unsigned char *buf, size_t n, struct cf_err *err)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = fn(cookie, buf + got, n - got, err);

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* One chunk's job for worker w (on its thread, or inline). */
static void
ring_job(struct ring *r, int w, const unsigned char *p, size_t n)
{
	if (w == W_HASH) {
		if (r->hash_ok && !EVP_DigestUpdate(r->md, p, n))
			r->hash_ok = 0;
		return;
	}
	if (!r->write_ok)
		return;
	if (stage_write(r->v, r->fd, &r->direct, p, n) < 0) {
		r->write_ok = 0;
		r->write_errno = errno;
		return;
	}
	r->written += n;
	if (r->direct) {
		r->synced = r->written;	/* on its way to the disk already */
	} else if (r->written - r->synced >= WRITEBACK_CHUNK) {
		sync_file_range(r->fd, (off_t)r->synced, (off_t)(r->written - r->synced),
				SYNC_FILE_RANGE_WRITE);
		r->synced = r->written;
	}
}

struct ring_thread {
	struct ring *r;
	int w;
};

static void *
ring_main(void *arg)
{
	struct ring_thread *t = arg;
	struct ring *r = t->r;
	int w = t->w;

	free(t);
	pthread_mutex_lock(&r->mu);
	for (;;) {
		uint64_t k;

		while (!r->quit && r->done[w] >= r->filled)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->quit)
			break;
		k = r->done[w];
		pthread_mutex_unlock(&r->mu);
		ring_job(r, w, r->buf[k % NBUF], r->len[k % NBUF]);
		pthread_mutex_lock(&r->mu);
		r->done[w] = k + 1;
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

/*
 * Ready the ring for one put: buffers allocated, threads started once per
 * vault (where they cannot be, the jobs run inline), counters at zero.
 */
static void
ring_begin(struct ring *r, struct vault *v, EVP_MD_CTX *md, int fd, int direct)
{
	int i;

	for (i = 0; i < NBUF; i++)
		if (r->buf[i] == NULL)
			r->buf[i] = xmemalign(DIRECT_ALIGN, CHUNK_SIZE);
	if (r->started == 0) {
		r->started = -1;
		if (pthread_mutex_init(&r->mu, NULL) == 0) {
			if (pthread_cond_init(&r->cv, NULL) == 0) {
				for (i = 0; i < 2; i++) {
					struct ring_thread *t = xmalloc(sizeof(*t));

					t->r = r;
					t->w = i;
					if (pthread_create(&r->thread[i], NULL, ring_main, t) != 0) {
						free(t);
						break;
					}
				}
				if (i == 2) {
					r->started = 1;
				} else {
					/* stop the one that started, if any */
					if (i == 1) {
						pthread_mutex_lock(&r->mu);
						r->quit = 1;
						pthread_cond_broadcast(&r->cv);
						pthread_mutex_unlock(&r->mu);
						pthread_join(r->thread[0], NULL);
						r->quit = 0;
					}
					pthread_cond_destroy(&r->cv);
					pthread_mutex_destroy(&r->mu);
				}
			} else {
				pthread_mutex_destroy(&r->mu);
			}
		}
	}
	/* the workers are idle (ring_end waited for them); they look under mu */
	if (r->started == 1)
		pthread_mutex_lock(&r->mu);
	r->filled = r->done[0] = r->done[1] = 0;
	if (r->started == 1)
		pthread_mutex_unlock(&r->mu);
	r->v = v;
	r->md = md;
	r->hash_ok = 1;
	r->fd = fd;
	r->direct = direct;
	r->written = r->synced = 0;
	r->write_ok = 1;
	r->write_errno = 0;
}

/* The buffer for chunk k, once both workers are done with its last use. */
static unsigned char *
ring_slot(struct ring *r, uint64_t k)
{
	if (r->started == 1 && k >= NBUF) {
		pthread_mutex_lock(&r->mu);
		while (r->done[W_HASH] + NBUF <= k || r->done[W_WRITE] + NBUF <= k)
			pthread_cond_wait(&r->cv, &r->mu);
		pthread_mutex_unlock(&r->mu);
	}
	return r->buf[k % NBUF];
}

/* Hand chunk k (n bytes in its slot) to both workers. */
static void
ring_publish(struct ring *r, uint64_t k, size_t n)
{
	r->len[k % NBUF] = n;
	if (r->started != 1) {
		ring_job(r, W_HASH, r->buf[k % NBUF], n);
		ring_job(r, W_WRITE, r->buf[k % NBUF], n);
		return;
	}
	pthread_mutex_lock(&r->mu);
	r->filled = k + 1;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

/* Wait until both workers have finished every published chunk. */
static void
ring_end(struct ring *r)
{
	if (r->started != 1)
		return;
	pthread_mutex_lock(&r->mu);
	while (r->done[W_HASH] < r->filled || r->done[W_WRITE] < r->filled)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
}

static void
ring_stop(struct ring *r)
{
	int i;

	if (r->started == 1) {
		pthread_mutex_lock(&r->mu);
		r->quit = 1;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->thread[0], NULL);
		pthread_join(r->thread[1], NULL);
		pthread_cond_destroy(&r->cv);
		pthread_mutex_destroy(&r->mu);
	}
	for (i = 0; i < NBUF; i++)
		free(r->buf[i]);
}

/*
 * Staging files are unnamed (O_TMPFILE in tmp/) where the file system and
 * /proc allow it: linkat() then gives the finished file its object name in
 * one step and fails with EEXIST when the object is stored already, and
 * nothing is left behind by a crash.  Elsewhere they are named
 * tmp/<pid>-<n>, renamed into place.  Decided by a probe on the first put.
 */
enum { STAGE_UNKNOWN, STAGE_TMPFILE, STAGE_NAMED };

/* Name the unnamed file fd as path: 0, 1 when path exists, -1 (errno). */
static int
tmpfile_link(int fd, const char *path)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	return errno == EEXIST ? 1 : -1;
}

void
vault_use_named_staging(struct vault *v)
{
	v->stage_mode = STAGE_NAMED;
}

static void
stage_probe(struct vault *v)
{
	char *dir = vault_path_new(v, "tmp");
	char *name = xasprintf("%s/%ld-probe", dir, v->pid);
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0444);

	v->stage_mode = STAGE_NAMED;
	if (fd >= 0) {
		unlink(name);
		if (tmpfile_link(fd, name) == 0) {
			v->stage_mode = STAGE_TMPFILE;
			unlink(name);
		}
		close(fd);
	}
	free(name);
	free(dir);
}

/*
 * Create the staging file for one put; *tmp and *fd are the caller's.
 * *tmp stays NULL for an unnamed staging file.
 */
static int
stage_open(struct vault *v, char **tmp, int *fd, struct cf_err *err)
{
	if (v->stage_mode == STAGE_UNKNOWN)
		stage_probe(v);
	*tmp = NULL;
	if (v->stage_mode == STAGE_TMPFILE) {
		char *dir = vault_path_new(v, "tmp");

		/* created read-only: the open fd can still write it */
		*fd = -1;
		if (!v->no_direct &&
		    (*fd = open_direct(v, dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0444)) < 0 &&
		    errno == EINVAL)
			v->no_direct = 1;
		if (*fd < 0)
			*fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0444);
		if (*fd < 0)
			cf_err_errno(err, CF_EIO, "cannot create a file in '%s'", dir);
		free(dir);
		return *fd < 0 ? -1 : 0;
	}
	*tmp = xasprintf("%s/tmp/%ld-%lu", v->dir, v->pid, ++v->tmp_seq);
	/* created read-only: the open fd can still write it */
	*fd = -1;
	if (!v->no_direct &&
	    (*fd = open_direct(v, *tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444)) < 0 &&
	    errno == EINVAL) {
		/* the refusal may come after the file was made: it is ours */
		v->no_direct = 1;
		unlink(*tmp);
	}
	if (*fd < 0)
		*fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (*fd < 0) {
		cf_err_errno(err, CF_EIO, "cannot create '%s'", *tmp);
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	return 0;
}

/*
 * Move the finished staging file (closed, read-only) to objects/, unless
 * the object exists already.  On success *tmp is consumed (renamed or
 * unlinked) and freed.
 */
/* objects/ab/ was found missing (removed behind our back): make it again. */
static void
fanout_forget(struct vault *v, const unsigned char sha256[CF_SHA256_LEN])
{
	v->fanout[sha256[0] / 8] &= (unsigned char)~(1u << (sha256[0] % 8));
}

static int
fanout_dir(struct vault *v, const unsigned char sha256[CF_SHA256_LEN], const char *obj,
	   struct cf_err *err)
{
	unsigned bit = sha256[0];
	char *dir;
	int ret = 0;

	if (v->fanout[bit / 8] & (1u << (bit % 8)))
		return 0;
	dir = xstrdup(obj);
	*strrchr(dir, '/') = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		ret = cf_err_errno(err, CF_EIO, "cannot create '%s'", dir);
	else
		v->fanout[bit / 8] |= (unsigned char)(1u << (bit % 8));
	free(dir);
	return ret;
}

/* Objects are created 0444; a umask or default ACL may say otherwise. */
static int
check_mode(struct vault *v, int fd)
{
	if (v->chmod_needed < 0) {
		struct stat fst;

		v->chmod_needed = fstat(fd, &fst) < 0 || (fst.st_mode & 07777) != 0444;
	}
	return v->chmod_needed ? fchmod(fd, 0444) : 0;
}

/*
 * 1 when the object obj is stored with the expected size.  An object of
 * another size can only be a leftover of a crash before it was made durable
 * (a committed row's object was synced first): it is removed, so that the
 * caller stores the bytes again.
 */
static int
object_present(const char *obj, uint64_t size)
{
	struct stat st;

	if (lstat(obj, &st) < 0)
		return 0;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size == size)
		return 1;
	unlink(obj);
	return 0;
}

/* Give the unnamed staging file fd its object name (see STAGE_TMPFILE). */
static int
stage_link(struct vault *v, int fd, const unsigned char sha256[CF_SHA256_LEN],
	   const char *obj, uint64_t size, int *created, struct cf_err *err)
{
	int r;

	if (fanout_dir(v, sha256, obj, err) < 0)
		return -1;
	r = tmpfile_link(fd, obj);
	if (r < 0 && errno == ENOENT) {
		/* objects/ab/ removed behind our back: make it again, once */
		fanout_forget(v, sha256);
		if (fanout_dir(v, sha256, obj, err) < 0)
			return -1;
		r = tmpfile_link(fd, obj);
	}
	if (r == 1 && !object_present(obj, size))
		r = tmpfile_link(fd, obj);	/* replaced a crash leftover */
	if (r < 0)
		return cf_err_errno(err, CF_EIO, "cannot store '%s'", obj);
	*created = r == 0;
	return 0;
}

/*
 * Store content that is whole in memory (its hash is known before a byte
 * is written): create the object under its own name, O_EXCL, and write it
 * there, with no staging file and no link.  EEXIST: stored already, unless
 * it is a crash leftover of another size, which is replaced.  A write that
 * fails removes the file (the O_EXCL create made it ours).
 */
static int
put_direct(struct vault *v, const unsigned char sha256[CF_SHA256_LEN], const char *obj,
	   const unsigned char *p, size_t n, int *created, struct cf_err *err)
{
	int fd, tries;

	if (fanout_dir(v, sha256, obj, err) < 0)
		return -1;
	for (tries = 0;; tries++) {
		/* created read-only: the open fd can still write it */
		fd = open(obj, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0444);
		if (fd >= 0 || tries == 2)
			break;
		if (errno == EEXIST && object_present(obj, n)) {
			*created = 0;
			return 0;
		}
		if (errno == ENOENT) {
			/* objects/ab/ removed behind our back: make it again */
			fanout_forget(v, sha256);
			if (fanout_dir(v, sha256, obj, err) < 0)
				return -1;
		} else if (errno != EEXIST) {
			break;
		}
	}
	if (fd < 0)
		return cf_err_errno(err, CF_EIO, "cannot create '%s'", obj);
	if (check_mode(v, fd) < 0 || write_all(fd, p, n) < 0) {
		cf_err_errno(err, CF_EIO, "cannot write '%s'", obj);
		close(fd);
		unlink(obj);
		return -1;
	}
	if (close(fd) < 0) {
		cf_err_errno(err, CF_EIO, "cannot write '%s'", obj);
		unlink(obj);
		return -1;
	}
	*created = 1;
	return 0;
}

static int
stage_commit(struct vault *v, char **tmp, const unsigned char sha256[CF_SHA256_LEN],
	     const char *obj, uint64_t size, int *created, struct cf_err *err)
{
	if (object_present(obj, size)) {
		*created = 0;
		unlink(*tmp);
	} else {
		if (fanout_dir(v, sha256, obj, err) < 0)
			return -1;
		if (rename(*tmp, obj) < 0) {
			/* objects/ab/ removed behind our back: make it again, once */
			fanout_forget(v, sha256);
			if (errno != ENOENT || fanout_dir(v, sha256, obj, err) < 0 ||
			    rename(*tmp, obj) < 0)
				return cf_err_errno(err, CF_EIO, "cannot store '%s'", obj);
		}
		*created = 1;
	}
	free(*tmp);
	*tmp = NULL;
	return 0;
}

static void
keep_add(struct cf_buf *keep, size_t keep_max, uint64_t total,
	 const unsigned char *b, size_t n)
{
	if (keep && total < keep_max) {
		if (n > keep_max - total)
			n = (size_t)(keep_max - total);
		cf_buf_add(keep, b, n);
	}
}

/*
 * Remote objects (vault made with --objects).  A put reads its source once,
 * hashing it.  Content of at most one part (16 MiB) stays in memory and is
 * stored with one checked PUT once its hash is known.  Larger content is
 * streamed to the store while it is read (objstore_upload_*: a temporary
 * key, copied to its name once the hash is known, every part checked), in
 * two part buffers: this thread reads and hashes one while the other is
 * sent.  Nothing is written to the local disk for a regular file (the
 * 1 GB staging write of 2 × 500 MB was most of the gap to s3cmd); a
 * stream (an archive entry) is also written to an unnamed file in tmp/
 * that becomes its cached copy, since it cannot be read again for parsing.
 * Content over objstore_copy_max() (5 GiB) cannot be copied into place: a
 * regular file is only hashed on its first read and sent named on a
 * second, a stream is sent again, named, from its staged copy.
 * The object is in the store, checked, when the put returns, so
 * vault_sync() has nothing to do for it.  Bytes the store holds already
 * (same name, same size) are not stored again — for a small one not sent
 * at all, for a streamed one the upload is dropped at the end.
 */
static int
remote_stage_open(struct vault *v, int *fd, struct cf_err *err)
{
	char *tmp = vault_path_new(v, "tmp");

	if ((*fd = open(tmp, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) < 0) {
		char *name = xasprintf("%s/r%ld-%lu", tmp, v->pid, v->tmp_seq++);

		if ((*fd = open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600)) >= 0)
			unlink(name);
		free(name);
	}
	if (*fd < 0)
		cf_err_errno(err, CF_EIO, "cannot stage in '%s'", tmp);
	free(tmp);
	return *fd < 0 ? -1 : 0;
}

/* "VAULT/cache/ab/cdef…"; caller frees.  With mkdirs, its folders exist. */
static char *
remote_cache_path(const struct vault *v, const unsigned char sha256[CF_SHA256_LEN],
		  int mkdirs, struct cf_err *err)
{
	char hex[CF_SHA256_HEXLEN + 1], *dir;
	int bad = 0;

	cf_hex_encode(sha256, CF_SHA256_LEN, hex);
	if (mkdirs) {
		dir = xasprintf("%s/cache", v->dir);
		bad = mkdir(dir, 0755) < 0 && errno != EEXIST;
		free(dir);
		dir = xasprintf("%s/cache/%.2s", v->dir, hex);
		if (!bad)
			bad = mkdir(dir, 0755) < 0 && errno != EEXIST;
		if (bad)
			cf_err_errno(err, CF_EIO, "cannot create '%s'", dir);
		free(dir);
		if (bad)
			return NULL;
	}
	return xasprintf("%s/cache/%.2s/%s", v->dir, hex, hex + 2);
}

/*
 * The staged copy of a streamed object just stored (or found stored)
 * becomes its cached copy, so a caller reading it back (ingest parsing a
 * large file) does not download it again.  Best effort: a named staging
 * file (already unlinked) or a failure only means a later download.
 */
static void
remote_cache_keep(struct vault *v, int fd, const unsigned char sha256[CF_SHA256_LEN])
{
	struct cf_err e = CF_ERR_INIT;
	char *path = remote_cache_path(v, sha256, 1, &e), proc[64];

	cf_err_release(&e);
	if (path == NULL)
		return;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (fchmod(fd, 0444) == 0)
		linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
	free(path);
}

/* Same file, not changed since st was taken (size, mtime and ctime). */
static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Remember srcfd (a regular file, st from before it was read) as sha256's source. */
static void
remote_source_keep(struct vault *v, int srcfd, const struct stat *st,
		   const unsigned char sha256[CF_SHA256_LEN])
{
	char proc[64];
	int fd;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", srcfd);
	fd = open(proc, O_RDONLY | O_CLOEXEC);	/* its own offset */
	pthread_mutex_lock(&v->pending_mu);
	if (v->src_fd >= 0)
		close(v->src_fd);
	v->src_fd = fd;
	v->src_st = *st;
	memcpy(v->src_sha, sha256, CF_SHA256_LEN);
	pthread_mutex_unlock(&v->pending_mu);
}

/*
 * A descriptor of the remembered source of sha256 when it is still the
 * bytes that were hashed (not changed since), else -1.
 */
static int
remote_source_open(const struct vault *v, const unsigned char sha256[CF_SHA256_LEN])
{
	struct vault *w = (struct vault *)v;	/* the lock only */
	struct stat now;
	char proc[64];
	int fd = -1;

	pthread_mutex_lock(&w->pending_mu);
	if (v->src_fd >= 0 && memcmp(v->src_sha, sha256, CF_SHA256_LEN) == 0 &&
	    fstat(v->src_fd, &now) == 0 && same_file(&now, &v->src_st)) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", v->src_fd);
		fd = open(proc, O_RDONLY | O_CLOEXEC);
	}
	pthread_mutex_unlock(&w->pending_mu);
	return fd;
}

/*
 * Upload the size bytes of fd (read with pread from 0) to sha256's name
 * directly, for content over objstore_copy_max() whose hash is known: a
 * regular file after its first read, a stream from its staged copy.  The
 * bytes are hashed again as they are sent and must still be sha256
 * (CF_EVERIFY otherwise: the file changed in between).
 */
static int
remote_put_named(struct vault *v, int fd, uint64_t size,
		 const unsigned char sha256[CF_SHA256_LEN], int *created, struct cf_err *err)
{
	const size_t part = (size_t)OBJSTORE_PART_SIZE;
	struct objstore_upload *up = NULL;
	unsigned char got[CF_SHA256_LEN];
	unsigned int mdlen = CF_SHA256_LEN;
	EVP_MD_CTX *md = NULL;
	uint64_t off = 0;
	int64_t have = -1;
	int cur = 0, ret = -1;

	if (objstore_stat(v->os, sha256, &have, err) < 0)
		return -1;
	if (have >= 0 && (uint64_t)have == size) {
		*created = 0;
		return 0;
	}
	if ((md = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		cf_err_ssl(err, "cannot start SHA-256");
		goto out;
	}
	if (objstore_upload_begin(v->os, sha256, &up, err) < 0)
		goto out;
	while (off < size) {
		size_t n = size - off < part ? (size_t)(size - off) : part, done = 0;

		if (v->rbuf[cur] == NULL)
			v->rbuf[cur] = xmalloc(part);
		while (done < n) {
			ssize_t r = pread(fd, v->rbuf[cur] + done, n - done, (off_t)(off + done));

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				if (r == 0)
					errno = EIO;
				cf_err_errno(err, CF_EIO, "cannot read the content again");
				goto out;
			}
			done += (size_t)r;
		}
		if (!EVP_DigestUpdate(md, v->rbuf[cur], n)) {
			cf_err_ssl(err, "SHA-256 failed");
			goto out;
		}
		if (objstore_upload_part(up, v->rbuf[cur], n, err) < 0)
			goto out;
		cur ^= 1;
		off += n;
	}
	if (!EVP_DigestFinal_ex(md, got, &mdlen)) {
		cf_err_ssl(err, "SHA-256 failed");
		goto out;
	}
	ret = objstore_upload_finish(up, got, created, err);
out:
	objstore_upload_free(up);
	EVP_MD_CTX_free(md);
	return ret;
}

static int
remote_put(struct vault *v, vault_read_fn fn, void *cookie, int srcfd, struct cf_buf *keep,
	   size_t keep_max, int *keep_complete, struct vault_put_result *res,
	   struct cf_err *err)
{
	const size_t part = (size_t)OBJSTORE_PART_SIZE;
	struct objstore_upload *up = NULL;
	unsigned int mdlen = CF_SHA256_LEN;
	EVP_MD_CTX *md = NULL;
	uint64_t total = 0;
	int64_t have = -1;
	size_t used = 0;
	struct stat st0;
	int cur = 0, fd = -1, ret = -1, regular, big;
	ssize_t n;

	regular = srcfd >= 0 && fstat(srcfd, &st0) == 0 && S_ISREG(st0.st_mode);
	/* too large to copy into place: hash it first, then send it named */
	big = regular && (uint64_t)st0.st_size > objstore_copy_max();
	if (v->rbuf[0] == NULL)
		v->rbuf[0] = xmalloc(part);
	if ((md = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		cf_err_ssl(err, "cannot start SHA-256");
		goto out;
	}
	for (;;) {
		size_t want = part - used < CHUNK_SIZE ? part - used : CHUNK_SIZE;
		unsigned char *p = v->rbuf[cur] + used;

		if ((n = fill(fn, cookie, p, want, err)) < 0)
			goto out;
		keep_add(keep, keep_max, total, p, (size_t)n);
		if (!EVP_DigestUpdate(md, p, (size_t)n)) {
			cf_err_ssl(err, "SHA-256 failed");
			goto out;
		}
		used += (size_t)n;
		total += (uint64_t)n;
		if ((size_t)n < want)
			break;		/* the end */
		if (used < part)
			continue;
		if (big) {
			used = 0;	/* only hashed now, sent below */
			continue;
		}
		/* a full part with more behind it, maybe: send it, fill the other */
		if (up == NULL && objstore_upload_begin(v->os, NULL, &up, err) < 0)
			goto out;
		if (!regular) {
			if (fd < 0 && remote_stage_open(v, &fd, err) < 0)
				goto out;
			if (write_all(fd, v->rbuf[cur], used) < 0) {
				cf_err_errno(err, CF_EIO, "cannot stage in '%s/tmp'", v->dir);
				goto out;
			}
		}
		if (objstore_upload_part(up, v->rbuf[cur], used, err) < 0)
			goto out;
		cur ^= 1;
		if (v->rbuf[cur] == NULL)
			v->rbuf[cur] = xmalloc(part);
		used = 0;
	}
	if (!EVP_DigestFinal_ex(md, res->sha256, &mdlen)) {
		cf_err_ssl(err, "SHA-256 failed");
		goto out;
	}
	if (big) {
		if (remote_put_named(v, srcfd, total, res->sha256, &res->created, err) < 0)
			goto out;
		remote_source_keep(v, srcfd, &st0, res->sha256);
	} else if (up == NULL) {
		/* at most one part, in memory: one checked PUT unless stored */
		if (objstore_stat(v->os, res->sha256, &have, err) < 0)
			goto out;
		res->created = have < 0 || (uint64_t)have != total;
		if (res->created &&
		    objstore_put_mem(v->os, res->sha256, v->rbuf[cur], used, err) < 0)
			goto out;
	} else {
		if (fd >= 0 && used && write_all(fd, v->rbuf[cur], used) < 0) {
			cf_err_errno(err, CF_EIO, "cannot stage in '%s/tmp'", v->dir);
			goto out;
		}
		if (objstore_upload_part(up, v->rbuf[cur], used, err) < 0)
			goto out;
		if (objstore_upload_sent(up) <= objstore_copy_max()) {
			if (objstore_upload_finish(up, res->sha256, &res->created, err) < 0)
				goto out;
		} else if (fd >= 0) {
			/* a stream too large to copy: drop the upload, send the staged copy */
			objstore_upload_free(up);
			up = NULL;
			if (remote_put_named(v, fd, total, res->sha256, &res->created, err) < 0)
				goto out;
		} else {
			cf_err_set(err, CF_EVERIFY, "the file grew while it was stored");
			goto out;
		}
		if (fd >= 0)
			remote_cache_keep(v, fd, res->sha256);
		else if (regular)
			remote_source_keep(v, srcfd, &st0, res->sha256);
	}
	res->size = total;
	if (keep_complete)
		*keep_complete = total <= keep_max;
	ret = 0;
out:
	objstore_upload_free(up);	/* waits for a part on its way: buffers are ours again */
	if (fd >= 0)
		close(fd);
	EVP_MD_CTX_free(md);
	return ret;
}

/*
 * Make sure path (VAULT/cache/ab/cdef…) holds the remote object: download
 * it into tmp/, checking its SHA-256 on the way, then give it its name.
 * The cache is a copy: `rm -r VAULT/cache` at any time is safe.
 */
static int
remote_fetch(const struct vault *v, const unsigned char sha256[CF_SHA256_LEN],
	     const char *path, struct cf_err *err)
{
	static unsigned long seq;
	char *tmp = NULL, *dir = NULL;
	int fd = -1, ret = -1;

	if (access(path, F_OK) == 0)
		return 0;
	if ((dir = remote_cache_path(v, sha256, 1, err)) == NULL)
		goto out;
	tmp = xasprintf("%s/tmp/f%ld-%lu", v->dir, (long)getpid(),
			__atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	if ((fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0444)) < 0) {
		cf_err_errno(err, CF_EIO, "cannot create '%s'", tmp);
		goto out;
	}
	if (objstore_get_fd(v->os, sha256, fd, err) < 0)
		goto out;
	if (close(fd) < 0) {
		fd = -1;
		cf_err_errno(err, CF_EIO, "cannot write '%s'", tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		cf_err_errno(err, CF_EIO, "cannot rename '%s'", tmp);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0 && tmp)
		unlink(tmp);
	free(tmp);
	free(dir);
	return ret;
}

/*
 * How a put runs.  The first chunk (and the second, when the first is
 * full) is read before anything is written.  Content of at most SMALL_MAX
 * is hashed in memory and stored in place (put_direct): bytes already in
 * the vault are then never written at all, so a re-import of a bundle
 * creates no files.  Larger content streams through the two buffers: the
 * hasher hashes chunk k while the writer writes it and this thread reads
 * chunk k+1 into the other buffer.
 */
static int
put_src(struct vault *v, vault_read_fn fn, void *cookie, int srcfd, struct cf_buf *keep,
	size_t keep_max, int *keep_complete, struct vault_put_result *res,
	struct cf_err *err)
{
	struct ring *r = &v->ring;
	EVP_MD_CTX *md = NULL;
	char *tmp = NULL, *obj = NULL;
	int fd = -1, ret = -1, running = 0;
	uint64_t total = 0, k = 0;
	const char *shown;
	unsigned int mdlen = CF_SHA256_LEN;
	ssize_t n;

	if (v->os)
		return remote_put(v, fn, cookie, srcfd, keep, keep_max, keep_complete, res, err);
	if (r->buf[0] == NULL)	/* the others when a large put needs them */
		r->buf[0] = xmemalign(DIRECT_ALIGN, CHUNK_SIZE);
	if ((md = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		cf_err_ssl(err, "cannot start SHA-256");
		goto out;
	}
	if ((n = fill(fn, cookie, r->buf[0], CHUNK_SIZE, err)) < 0)
		goto out;
	keep_add(keep, keep_max, 0, r->buf[0], (size_t)n);
	if (n <= SMALL_MAX) {	/* small: whole in memory */
		if (!EVP_DigestUpdate(md, r->buf[0], (size_t)n) ||
		    !EVP_DigestFinal_ex(md, res->sha256, &mdlen)) {
			cf_err_ssl(err, "SHA-256 failed");
			goto out;
		}
		obj = vault_object_path(v, res->sha256);
		total = (uint64_t)n;
		/*
		 * Look before writing while puts keep finding their bytes
		 * stored (a re-import); else the O_EXCL create says it.
		 */
		if (v->last_dup && object_present(obj, total)) {
			res->created = 0;
			goto stored;
		}
		if (put_direct(v, res->sha256, obj, r->buf[0], (size_t)n, &res->created,
			       err) < 0)
			goto out;
		v->last_dup = !res->created;
		goto stored;
	}
	if (stage_open(v, &tmp, &fd, err) < 0)
		goto out;
	shown = tmp ? tmp : "tmp/ (unnamed staging file)";
	ring_begin(r, v, md, fd, !v->no_direct && (fcntl(fd, F_GETFL) & O_DIRECT) != 0);
	running = 1;
	/* chunk 0 is in buf[0]; a full chunk may have more behind it */
	for (;;) {
		ring_publish(r, k, (size_t)n);
		total += (uint64_t)n;
		if (n < CHUNK_SIZE)
			break;
		k++;
		if ((n = fill(fn, cookie, ring_slot(r, k), CHUNK_SIZE, err)) < 0)
			goto out;
		if (n == 0)
			break;
		keep_add(keep, keep_max, total, r->buf[k % NBUF], (size_t)n);
	}
	ring_end(r);
	running = 0;
	if (!r->write_ok) {
		errno = r->write_errno;
		cf_err_errno(err, CF_EIO, "cannot write '%s'", shown);
		goto out;
	}
	if (!r->hash_ok || !EVP_DigestFinal_ex(md, res->sha256, &mdlen)) {
		cf_err_ssl(err, "SHA-256 failed");
		goto out;
	}
	obj = vault_object_path(v, res->sha256);
	/* Start writeback of the tail (vault_sync waits for it). */
	sync_file_range(fd, (off_t)r->synced, 0, SYNC_FILE_RANGE_WRITE);
	if (check_mode(v, fd) < 0) {
		cf_err_errno(err, CF_EIO, "cannot make '%s' read-only", shown);
		goto out;
	}
	if (tmp == NULL) {
		/* unnamed: link while the fd still holds it, then close */
		if (stage_link(v, fd, res->sha256, obj, total, &res->created, err) < 0)
			goto out;
		if (close(fd) < 0) {
			fd = -1;
			if (res->created)
				unlink(obj);
			cf_err_errno(err, CF_EIO, "cannot write '%s'", obj);
			goto out;
		}
		fd = -1;
	} else {
		if (close(fd) < 0) {
			fd = -1;
			cf_err_errno(err, CF_EIO, "cannot write '%s'", tmp);
			goto out;
		}
		fd = -1;
		if (stage_commit(v, &tmp, res->sha256, obj, total, &res->created, err) < 0)
			goto out;
	}
	v->last_dup = !res->created;
stored:
	res->size = total;
	if (keep_complete)
		*keep_complete = total <= keep_max;
	pending_add(v, obj);
	obj = NULL;
	ret = 0;
out:
	if (running)
		ring_end(r);	/* never free md or close fd under a worker */
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(obj);
	EVP_MD_CTX_free(md);
	return ret;
}

int
vault_put(struct vault *v, vault_read_fn fn, void *cookie, struct cf_buf *keep,
	  size_t keep_max, int *keep_complete, struct vault_put_result *res,
	  struct cf_err *err)
{
	return put_src(v, fn, cookie, -1, keep, keep_max, keep_complete, res, err);
}

/* vault_put_fd()'s source */
struct fd_source {
	int fd;
	int advised;		/* POSIX_FADV_SEQUENTIAL given */
};

static ssize_t
fd_read(void *cookie, void *buf, size_t n, struct cf_err *err)
{
	struct fd_source *src = cookie;
	ssize_t r;

	do
		r = read(src->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)	/* the source's fault, not the vault's: CF_EINPUT */
		return cf_err_errno(err, CF_EINPUT, "read error");
	/*
	 * A read filled whole: a large file, read sequentially from here on.
	 * Only then: for the small files of a folder (the common case, read
	 * in one call) the advice was a system call per file for nothing.
	 */
	if ((size_t)r == n && !src->advised) {
		posix_fadvise(src->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		src->advised = 1;
	}
	return r;
}

int
vault_put_fd(struct vault *v, int fd, struct cf_buf *keep, size_t keep_max,
	     int *keep_complete, struct vault_put_result *res, struct cf_err *err)
{
	struct fd_source src = { fd, 0 };

	return put_src(v, fd_read, &src, fd, keep, keep_max, keep_complete, res, err);
}

static int
fsync_path(const char *path, int flags, struct cf_err *err)
{
	int fd = open(path, flags | O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return cf_err_errno(err, CF_EIO, "cannot open '%s'", path);
	if (fsync(fd) < 0) {
		cf_err_errno(err, CF_EIO, "cannot flush '%s' to disk", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
cmp_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * How objects are made durable.  Writeback of every object was started
 * when it was written (sync_file_range in vault_put).  A small batch (an
 * order's files, a few videos) is then fsynced object by object, followed by
 * each folder the objects were renamed into and objects/ itself: the first
 * fsync's journal commit carries the others' metadata, and nothing waits
 * for other programs' dirty data.  A large batch (a bundle import of
 * thousands of small files) is flushed with one syncfs(2) on the vault's
 * file system instead, which costs one flush instead of thousands.
 */
#define SYNC_PER_FILE_MAX 64

static int
sync_each(struct vault *v, char **paths, size_t n, struct cf_err *err)
{
	size_t i;
	char *objs;
	int ret = 0;

	qsort(paths, n, sizeof(char *), cmp_paths);
	for (i = 0; i < n && ret == 0; i++)
		ret = fsync_path(paths[i], 0, err);
	for (i = 0; i < n && ret == 0; i++) {
		char *slash = strrchr(paths[i], '/');
		size_t dirlen = (size_t)(slash - paths[i]);

		/* Sorted: one fsync per distinct objects/ab/ folder. */
		if (i + 1 < n && strncmp(paths[i], paths[i + 1], dirlen + 1) == 0)
			continue;
		*slash = '\0';
		ret = fsync_path(paths[i], O_DIRECTORY, err);
		*slash = '/';
	}
	if (ret == 0) {
		objs = vault_path_new(v, "objects");
		ret = fsync_path(objs, O_DIRECTORY, err);
		free(objs);
	}
	return ret;
}

/*
 * Syncs the objects put before the call; puts that another thread makes
 * meanwhile stay pending for the next sync (syncfs may or may not catch
 * them: harmless).
 */
int
vault_sync(struct vault *v, struct cf_err *err)
{
	char **paths;
	size_t i, n, cap;
	int ret = 0;

	pthread_mutex_lock(&v->pending_mu);
	paths = v->pending;
	n = v->npending;
	cap = v->cappending;
	v->pending = NULL;
	v->npending = v->cappending = 0;
	pthread_mutex_unlock(&v->pending_mu);
	if (n == 0) {
		free(paths);
		return 0;
	}
	if (n <= SYNC_PER_FILE_MAX) {
		ret = sync_each(v, paths, n, err);
	} else if (syncfs(v->dirfd) < 0) {
		if (errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
			ret = cf_err_errno(err, CF_EIO, "cannot flush vault '%s' to disk", v->dir);
		else
			ret = sync_each(v, paths, n, err);
	}
	if (ret < 0) {
		/* still not durable: put them back in front of any newer ones */
		pthread_mutex_lock(&v->pending_mu);
		if (n + v->npending > cap) {
			cap = n + v->npending;
			paths = xreallocarray(paths, cap, sizeof(char *));
		}
		if (v->npending)
			memcpy(paths + n, v->pending, v->npending * sizeof(char *));
		free(v->pending);
		v->pending = paths;
		v->npending += n;
		v->cappending = cap;
		pthread_mutex_unlock(&v->pending_mu);
		return -1;
	}
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return 0;
}

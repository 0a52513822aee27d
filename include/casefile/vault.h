/* SPDX-License-Identifier: MIT */
/*
 * vault — the on-disk evidence store: content-addressed originals beside a
 * SQLite database.
 *
 *   VAULT/casefile.db       SQLite (see db.h), or
 *   VAULT/database          the URL of its PostgreSQL database (mode 0600)
 *   VAULT/objects/ab/cdef…  originals named by SHA-256 hex, mode 0444
 *   VAULT/tmp/              staging of large objects: write, then link or
 *                           rename into objects/
 *   VAULT/keys/             signing key (0600) and certificates
 *   VAULT/checkpoints/      every signed tree head again (kept.h)
 *   VAULT/lock              flock(2) target: shared by every open handle
 *
 * Durability contract (DESIGN.md "Vault"): every object is made durable by
 * vault_sync() before the caller commits any row naming it, so after power
 * loss a committed row always has its whole object.  Content over 1 MiB is
 * written to tmp/ and then given its object name; smaller content, whose
 * hash is known before it is written, is written in place under its object
 * name (O_EXCL), which saves a file and a link per object — most evidence
 * is small.  Larger content is staged with O_DIRECT where the file system
 * allows it (no copy into page cache; else buffered, its writeback started
 * as it is written with sync_file_range); vault_sync() then fsyncs every
 * object put since the
 * last sync and every folder they were named in, or, for a batch of more
 * than a few dozen objects, flushes the file system once with syncfs(2)
 * (git's "batch" idea: many objects, one flush).
 *
 * What a crash can leave: objects that no committed row names (harmless:
 * content-addressed; `casefile audit` counts them in one notice, a re-run
 * records them, `audit --repair` removes them), and — where small content was being written in
 * place — an object name holding fewer bytes than its content, which the
 * next put of those bytes notices by its size and replaces.
 *
 * Stray tmp files (a killed run) are removed by vault_open() when no other
 * process has the vault open (it can take the lock exclusively for a moment).
 *
 * Objects backend.  The above is the local backend, the default.  A vault
 * made with vault_init_objects() and an s3:// URL keeps its objects in that
 * store instead (objstore.h): the same names under PREFIX, the same calls.
 * There a put returns only once the store holds the object, checked, so
 * vault_sync() has nothing to wait for; reads go through VAULT/cache/, a
 * checked copy that may be deleted at any time.  Which backend a vault uses
 * is fixed at init (meta row objects.url).
 */
#ifndef CASEFILE_VAULT_H
#define CASEFILE_VAULT_H

#include <stdint.h>
#include <sys/types.h>

#include "casefile/db.h"

#include "casefile/buf.h"
#include "casefile/err.h"
#include "casefile/hash.h"

struct vault;
struct objstore;

/*
 * Create a vault at dir (created if missing).  Refuses a non-empty folder
 * that is not a vault, and an existing vault ("already a vault").  On failure
 * nothing it created is left behind except dir itself when it existed.
 */
int vault_init(const char *dir, struct cf_err *err);

/*
 * Where a vault keeps its objects, chosen once at init: url NULL for the
 * local objects/ folder, else "s3://BUCKET/PREFIX" (objstore.h).  endpoint
 * and region NULL: the environment's at every run (AWS_ENDPOINT_URL,
 * AWS_REGION); retention NULL or "3y"/"18m"/"90d": S3 Object Lock in
 * compliance mode for that long after each put.
 */
struct vault_objects {
	const char *url, *endpoint, *region, *retention;
	/*
	 * The database: NULL for VAULT/casefile.db (SQLite), else a PostgreSQL
	 * URL (postgresql://…, db.h) kept in VAULT/database (mode 0600: it may
	 * hold a password).  A database that already holds a vault is joined:
	 * this folder becomes one more place to run casefile on that vault
	 * (another importer, another machine), with its settings, objects
	 * store included.
	 */
	const char *db;
};
/*
 * vault_init() with the objects in o's store (o NULL: local).  The store is
 * checked first — reachable, the credentials accepted, the bucket there,
 * and Object Lock enabled when a retention is asked — and nothing is created
 * when it fails (CF_ENET, or CF_EINPUT for a malformed setting).  The
 * settings go into the vault's meta rows objects.url, objects.endpoint,
 * objects.region and objects.retention_days; credentials never do.
 */
int vault_init_objects(const char *dir, const struct vault_objects *o,
		       struct cf_err *err);

enum vault_open_flags {
	VAULT_OPEN_NO_CLEANUP = 1 << 0,	/* leave tmp/ alone (tests) */
	VAULT_OPEN_READONLY = 1 << 1,	/* only read: never waits for a writer */
	VAULT_OPEN_NO_WAIT = 1 << 2,	/* a write finding another writer fails */
};

/*
 * Open an existing vault; migrates its schema forward.  *out is closed with
 * vault_close().  Fails with CF_ENOTFOUND when dir is not a vault.
 *
 * Opening takes no database lock.  With VAULT_OPEN_READONLY the database is
 * opened read-only (db_open_readonly): reads see the last commit and never
 * wait for a writer; writes fail.  Otherwise a write that finds another
 * process writing waits for as long as it takes (see vault_on_wait), or,
 * with VAULT_OPEN_NO_WAIT, fails at once with CF_EDB "... the vault is busy".
 */
int vault_open(const char *dir, unsigned flags, struct vault **out,
	       struct cf_err *err);
/*
 * Call notice(arg) once, when a write of this run has waited a second for
 * another writer (so the command can say why it is not progressing).
 */
void vault_on_wait(struct vault *v, void (*notice)(void *arg), void *arg);
/* Close the database and release the lock.  Accepts NULL. */
void vault_close(struct vault *v);

/*
 * Wait until no other process has the vault open, and keep it so until
 * vault_lock_shared(): every open handle holds VAULT/lock shared (flock),
 * this takes it exclusively (converting this handle's shared lock, which is
 * given up while waiting).  Others opening the vault meanwhile wait.  With
 * nowait it fails at once instead: -1 with CF_EIO and sys_errno
 * EWOULDBLOCK.  For work that must know no other run is between storing an
 * object and recording it (audit_repair).
 */
int vault_lock_exclusive(struct vault *v, int nowait, struct cf_err *err);
/* Back to the shared lock of an ordinary handle. */
void vault_lock_shared(struct vault *v);

/* Borrowed: valid until vault_close(). */
const char *vault_dir(const struct vault *v);
/* The vault's database handle (db.h).  Borrowed: closed by vault_close(). */
struct cf_db *vault_db(struct vault *v);
/* "VAULT/rel"; caller frees. */
char *vault_path_new(const struct vault *v, const char *rel);

/*
 * A source of bytes for vault_put(): returns bytes read (0 at end), or -1
 * with err set.
 */
typedef ssize_t (*vault_read_fn)(void *cookie, void *buf, size_t n,
				 struct cf_err *err);

struct vault_put_result {
	unsigned char sha256[CF_SHA256_LEN];
	uint64_t size;
	int created;		/* 1: new object; 0: the bytes were stored already */
};

/*
 * Stream bytes from fn into the object store, hashing while copying.  At most
 * `keep_max` first bytes are also appended to *keep (may be NULL) so the
 * caller can parse small files without reading them twice; keep_complete
 * (may be NULL) is set to 1 when *keep holds the whole content.  Memory use
 * is one fixed copy buffer whatever the size.  On failure no object and no
 * tmp file remain.  The object is not durable until vault_sync().
 * Errors: fn's own error is passed through unchanged (fd sources report
 * CF_EINPUT: the source was unreadable); the vault's failures (create,
 * write, rename: disk full, permissions) are CF_EIO.
 */
int vault_put(struct vault *v, vault_read_fn fn, void *cookie,
	      struct cf_buf *keep, size_t keep_max, int *keep_complete,
	      struct vault_put_result *res, struct cf_err *err);
/* vault_put() from an open file descriptor. */
int vault_put_fd(struct vault *v, int fd, struct cf_buf *keep, size_t keep_max,
		 int *keep_complete, struct vault_put_result *res,
		 struct cf_err *err);

/*
 * Stage with named files tmp/<pid>-<n>, renamed into place, even where
 * unnamed ones (O_TMPFILE, linked into place) work: for tests of that
 * fallback.  Call before the first put.
 */
/*
 * Test only ($CASEFILE_TEST_REFUSE_DIRECT, handed over by main): "open" or
 * "write" makes vaults opened afterwards act as a file system that refuses
 * O_DIRECT at open or at the first write; anything else, or NULL, is off.
 */
void vault_test_refuse_direct(const char *mode);
void vault_use_named_staging(struct vault *v);

/*
 * Make every object put since the last sync durable (see the contract).
 * One other thread may go on putting objects meanwhile (one putting thread
 * at a time): the puts that finish before the call are the ones it covers;
 * later ones stay for the next sync.  On -1 the objects stay pending.
 */
int vault_sync(struct vault *v, struct cf_err *err);

/* The S3 store of a vault made with --objects (borrowed), else NULL. */
struct objstore *vault_objstore(const struct vault *v);

/*
 * "VAULT/objects/ab/cdef…"; caller frees.  For a vault whose objects are
 * remote: "VAULT/cache/ab/cdef…", downloaded (and its SHA-256 checked) first
 * when absent; a failed download leaves the path missing, which callers
 * report as they report a missing local object.
 */
char *vault_object_path(const struct vault *v,
			const unsigned char sha256[CF_SHA256_LEN]);
/*
 * Open an object read-only; *fd is the caller's to close.  Remote objects
 * are fetched into VAULT/cache/ first (checked; the store's failures are
 * CF_ENET, a missing object CF_EVERIFY as locally).
 */
int vault_object_open(const struct vault *v,
		      const unsigned char sha256[CF_SHA256_LEN], int *fd,
		      struct cf_err *err);

#endif

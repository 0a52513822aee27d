/* SPDX-License-Identifier: MIT */
/*
 * migrate — copy an embedded vault (SQLite, objects/) into the scaled
 * deployment (issue 18): its records into PostgreSQL, its objects into an
 * S3-compatible store, or both, as a new vault folder.
 *
 * Theory of operation.  The source is only read: it is held exclusively
 * (vault_lock_exclusive: no other casefile run is between storing an
 * object and recording it) and read in one read transaction, so objects,
 * rows and heads are one snapshot.  The new vault is built in
 * TO.migrating/vault and renamed to TO only when everything is copied and
 * checked, so TO is either absent or a complete vault:
 *
 *   1. the objects store is checked (vault_objects_check) and the target
 *      database must be empty — every table of the schema without rows —
 *      or hold an unfinished migration of this same vault (meta row
 *      migrate.unfinished = its vault id), which is cleared: a re-run after
 *      any failure starts over and never duplicates;
 *   2. every object is put into the new vault (vault_put: the store checks
 *      the SHA-256 of each PUT) and must come out under the source's name
 *      and size; an object the store held already is read back and hashed
 *      (vault_object_verify);
 *   3. in ONE transaction on the target: every table of the source, in
 *      foreign-key order, row for row with its ids (column names from the
 *      source's statement; a text value in a BLOB column goes as bytes),
 *      the row counts compared, PostgreSQL identity sequences set past the
 *      largest id, the objects settings of the new vault kept; then the
 *      ledger is recomputed on the target before the commit: the leaves
 *      give the root of every head (and the stored nodes the same root),
 *      every evidence row's and annotation's record hashes to its leaf;
 *   4. the folder's other files (keys/, checkpoints/, profiles/, ...) are
 *      copied with their modes; then the rename, and the marker row goes.
 *
 * The source's vault id, settings and heads are the new vault's: a dossier
 * built from the source verifies against the new vault.
 */
#ifndef CASEFILE_MIGRATE_H
#define CASEFILE_MIGRATE_H

#include <stdint.h>

#include "casefile/err.h"
#include "casefile/vault.h"

struct migrate_opts {
	const char *to;			/* the new vault folder (must not exist,
					   or be an empty folder) */
	struct vault_objects target;	/* .db: PostgreSQL URL or NULL (SQLite in
					   TO); .url: s3:// or NULL (the source's
					   objects setting: local objects/ in TO) */
	int no_wait;			/* the source in use by another run: fail
					   at once instead of waiting */
	/* Called after each object and each table (may be NULL). */
	void (*progress)(void *arg, const char *what, uint64_t done, uint64_t total);
	void *arg;
};

/*
 * Test only ($CASEFILE_TEST_MIGRATE_FAIL, handed over by main): "rows"
 * fails later runs after the rows are written, before the commit;
 * "commit" after the commit, before the rename; NULL or other: off.
 */
void migrate_test_fail(const char *mode);

struct migrate_report {
	char *vault_id;			/* the source's (heap) */
	char *objects_url;		/* where the new vault's objects are: its
					   s3:// URL, or NULL for DIR/objects/ (heap) */
	uint64_t objects, objects_new, objects_present, bytes;
	uint64_t tables, rows;
	uint64_t leaves, heads, annotations;
	int restarted;			/* an unfinished earlier run was cleared */
};

/*
 * Copy the open vault src into o->to as described above.  *rep is filled
 * (release with migrate_report_release) whatever the result.  Returns 0,
 * or -1 with err: CF_EINPUT for a refused target (TO exists, the database
 * not empty, the source's records already in PostgreSQL), CF_ENET for an
 * unreachable server or store (nothing is created), CF_EVERIFY when an
 * object or the copied ledger does not check, CF_EDB / CF_EIO otherwise.
 * After a failure past step 1, TO.migrating and the target database hold
 * an unfinished migration that a re-run clears.
 */
int migrate_run(struct vault *src, const struct migrate_opts *o,
		struct migrate_report *rep, struct cf_err *err);

void migrate_report_release(struct migrate_report *rep);

/*
 * The marker TO.migrating/MIGRATING of an unfinished run, s[0..n):
 * "VAULT-ID\nDB\n" — the source's vault id (hex digits and '-', at most 64)
 * and the target database's URL, or an empty line for none.  On 0,
 * *vault_id and *db (NULL for an empty line) are the caller's to free; on
 * -1 (CF_EINPUT, saying what is wrong) both are NULL.
 */
int migrate_marker_parse(const char *s, size_t n, char **vault_id, char **db,
			 struct cf_err *err);

#endif

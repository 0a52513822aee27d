/* SPDX-License-Identifier: MIT */
/*
 * db — the vault's SQLite database: opening, schema migrations, and the one
 * adapter that turns SQLite errors into struct cf_err.
 *
 * struct cf_db is the handle on one connection.  It is opaque above the
 * store layer: case and cli headers name only struct cf_db (or struct
 * vault), never sqlite3, so a second backend (issue 18) can sit behind the
 * same type.  Code that runs SQL does so through casefile/db_stmt.h
 * (db_prepare(), db_step(), ...), whatever the backend.
 *
 * Invariants:
 *  - journal_mode=WAL, foreign_keys=ON, busy_timeout (60 s) on every handle,
 *    or the waiting rule of db_set_wait().  Opening takes no lock.
 *  - PRAGMA user_version is the schema version.  db_open() migrates forward
 *    one step at a time, each step in its own transaction; a database newer
 *    than this program is refused, never touched.
 *  - All times are integer seconds since the Unix epoch, UTC.
 *  - SHA-256 values are stored as 32-byte BLOBs.
 *
 * Schema (see db.c for the exact SQL):
 *   meta(key, value)                     vault settings (vault id, tsa, limits)
 *   objects(sha256, size, stored_at)     one row per stored original
 *   evidence(id, order_id, kind, sha256, size, name, name_raw, source_path,
 *            rel_path, mtime, ingested_at, tool_version, user, host, note,
 *            bundle, leaf_index)         one row per (order, content)
 *   warnings(evidence_id, seq, message)  parse warnings of an evidence row
 *   order_records / order_items          parsed order.json
 *   messages                             parsed chat logs
 *   logistics / logistics_events         parsed logistics records
 *   media                                image/video facts (size, EXIF time)
 *   v2: ledger tables
 *   v3: disputes(id, order_id, reason, claim, amount_fen, status, profile,
 *       requested_at, rejected_at, arbitration_at, deadline, deadline_source,
 *       outcome, refunded_fen, resolution, opened_at, closed_at) with one open
 *       dispute per order; dispute_events(id, dispute_id, at, who, kind, what)
 */
#ifndef CASEFILE_DB_H
#define CASEFILE_DB_H

#include "casefile/err.h"

/* One open database connection (opaque; see db_stmt.h for SQL). */
struct cf_db;

/* The schema version this program writes. */
int db_schema_version(void);
/*
 * The SQL of migration version (1..db_schema_version()): what takes a
 * database from version-1 to version.  For tests that build an old vault
 * with the old schema's own text.  NULL when out of range.
 */
const char *db_migration_sql(int version);

/*
 * 1 when where names a PostgreSQL database (postgresql://… or
 * postgres://…, libpq's URI) rather than a SQLite file.
 */
int db_is_url(const char *where);

/*
 * Open (create with create != 0) the database at path, apply pragmas and
 * migrate it to db_schema_version().  On success *out owns the handle (close
 * with db_close).  On failure nothing is left open; a database newer than
 * this program gives CF_EDB "vault schema N is newer than this casefile (M)".
 * A PostgreSQL URL (db_is_url) opens that database instead (db_pg.c): with
 * create, an empty database gets the current schema; without, one holding
 * no vault is CF_ENOTFOUND; an unreachable server is CF_ENET.
 */
int db_open(const char *path, int create, struct cf_db **out, struct cf_err *err);
/*
 * Open the database read-only, for commands that only read: it never takes
 * the write lock, so it never waits for a writer (WAL lets readers run
 * beside one and see the last commit), and any write through it fails
 * (SQLITE_READONLY, CF_EIO).  A database older than this program is first
 * migrated through a short writing connection; a newer one is refused.
 */
int db_open_readonly(const char *path, struct cf_db **out, struct cf_err *err);
/* Close the connection and free the handle.  NULL is a no-op. */
void db_close(struct cf_db *db);
/*
 * A private scratch database in memory: no schema, no migration, no
 * pragmas (foreign keys off, the default).  For work copies of tables
 * (rederive).  Close with db_close().
 */
int db_open_memory(struct cf_db **out, struct cf_err *err);

/*
 * How a writing connection waits for another writer.  By default
 * (db_open) it waits up to 60 s and then fails "database is locked".  With
 * db_set_wait(db, w) it waits for as long as the other writer holds the
 * lock, calling w->notice(w->arg) once when it has waited 1 s, or, with
 * w->no_wait, fails at once: the statement returns DB_BUSY, and db_err
 * reports "...: the vault is busy: another casefile command is writing to
 * it" (CF_EDB).  w is borrowed and must outlive the handle; db_set_wait(db,
 * NULL) restores the default.
 */
struct db_wait {
	int no_wait;
	void (*notice)(void *arg);
	void *arg;
	int told;		/* notice called (once per handle) */
	long waited_ms;		/* of the current wait */
};
void db_set_wait(struct cf_db *db, struct db_wait *w);

/*
 * Record the current SQLite error of db in err: "<what>: <sqlite message>",
 * code CF_EDB (CF_EIO for disk full / I/O errors).  Returns -1.
 */
int db_err(struct cf_db *db, struct cf_err *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Settings for a connection about to write many rows (ingest): a larger
 * page cache and temporary tables in memory (SQLite); nothing to do on
 * PostgreSQL, whose server owns its memory.
 */
int db_tune_bulk(struct cf_db *db, struct cf_err *err);
/*
 * s as db's TEXT columns will give it back (malloc'd; NULL for NULL): the
 * same bytes on SQLite; on PostgreSQL, whose TEXT holds only UTF-8, every
 * byte that is not UTF-8 as U+FFFD.  For text that is also hashed into a
 * ledger leaf (an ingest note), so the leaf and its row agree.
 */
char *db_text_for(struct cf_db *db, const char *s);
/* Run SQL (one or more statements, no rows); -1 with db_err on failure. */
int db_exec(struct cf_db *db, const char *sql, struct cf_err *err);
/* BEGIN IMMEDIATE (waits up to busy_timeout for other writers). */
int db_begin(struct cf_db *db, struct cf_err *err);
int db_commit(struct cf_db *db, struct cf_err *err);

/*
 * Shared writers (PostgreSQL, issue 18).  On a vault that several
 * processes write at once, a long writing transaction whose rows need no
 * vault-wide order (ingest's rows, keyed by fresh ids) does not hold the
 * write lock from BEGIN: it takes it only for the part that does (the
 * ledger's leaves, ledger_writer_flush) just before COMMIT, so writers
 * overlap and the leaf order is still decided one transaction at a time.
 *
 * db_shared: 1 when db is such a vault (PostgreSQL), 0 for SQLite, where
 * one writer at a time holds the file and nothing here changes anything.
 * db_begin_shared: BEGIN without the write lock (SQLite: db_begin).  In
 *   it a write that would wait for another writer's uncommitted row (the
 *   same object or the same evidence row, both being recorded) fails at
 *   once with db_last_busy() set, instead of waiting while holding rows
 *   of its own (two such writers could wait for each other).
 * db_lock_writer: take the write lock now, waiting as db_begin does
 *   (db_set_wait), except that a no_wait handle waits too (up to 60 s):
 *   the step it guards is short, and an import that overlaps others on
 *   purpose should not fail because one of them is appending.  It is
 *   held until COMMIT or ROLLBACK.  SQLite: no-op.
 * db_wait_rows: let the transaction's writes wait for other writers' rows
 *   (wait = 1: when it holds nothing a cycle could run through) or fail
 *   at once again (0).  SQLite: no-op.
 * db_last_busy: 1 when the last failed statement was such a conflict (or
 *   a busy write lock): the caller may commit what it has and retry.
 */
int db_shared(struct cf_db *db);
int db_begin_shared(struct cf_db *db, struct cf_err *err);
int db_lock_writer(struct cf_db *db, struct cf_err *err);
int db_wait_rows(struct cf_db *db, int wait, struct cf_err *err);
int db_last_busy(struct cf_db *db);
/* ROLLBACK if a transaction is open; never fails visibly. */
void db_rollback(struct cf_db *db);

/*
 * The vault folder whose records db holds (its keys/, checkpoints/): set by
 * vault_open, since a PostgreSQL database has no file beside them.  NULL
 * when unset.
 */
void db_set_home(struct cf_db *db, const char *dir);
const char *db_home(struct cf_db *db);

/* 1 when the database has a table of that name (0 also on error). */
int db_has_table(struct cf_db *db, const char *name);
/*
 * The CREATE TABLE statement of table name, in SQLite's dialect, to make a
 * work copy of it in a db_open_memory() scratch database (rederive):
 * SQLite's own text from sqlite_master (columns added by migrations
 * included); on PostgreSQL, whose vaults are always at the current
 * version, the statement of the current schema (sqlpg_schema_source).
 * Malloc'd; NULL with CF_EDB "the vault has no table 'name'".
 */
char *db_table_sql(struct cf_db *db, const char *name, struct cf_err *err);

/* meta table: get returns a malloc'd copy or NULL when unset. */
char *db_meta_get(struct cf_db *db, const char *key);
/* A vault setting (meta row): malloc'd, or NULL when unset or empty. */
char *db_setting(struct cf_db *db, const char *key);
int db_meta_set(struct cf_db *db, const char *key, const char *value,
		struct cf_err *err);

#endif

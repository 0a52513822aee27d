/* SPDX-License-Identifier: MIT */
/*
 * db_pg — the PostgreSQL backend of struct cf_db (issue 18), over libpq.
 *
 * The store and case layers speak db_stmt.h in SQLite's dialect; here each
 * statement is rewritten once at prepare time (sqlpg.h) and run with
 * PQexecParams: parameters in text format except blobs (bytea, binary),
 * their types left to the server (so '42' fits an integer column as it
 * does in SQLite), results in text format decoded on demand.
 *
 * Writers take one transaction-scoped advisory lock at BEGIN, as SQLite's
 * BEGIN IMMEDIATE takes its write lock: several casefile processes on
 * several machines write one vault, one transaction at a time, so the
 * ledger's leaf order is decided in one place and nothing that reads the
 * ledger size inside a transaction can race another writer.  Readers never
 * wait (MVCC), as with SQLite's WAL.  Import and ingest write their rows in
 * a shared transaction (db_begin_shared: BEGIN without the lock, row
 * conflicts failing at once instead of waiting) and take the lock only to
 * append the batch's leaves just before COMMIT (pgdb_lock), so several
 * importers overlap and the leaf order is still decided in one place.
 *
 * Schema: a fresh database gets the current schema at once (sqlpg_schema,
 * the tables migrations 1..N leave in SQLite, in PostgreSQL's types) and
 * its version in casefile_schema; a database of another version is refused
 * with the versions named (no PostgreSQL migration exists yet).
 */
#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casefile/hash.h"
#include "casefile/sqlpg.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"
#include "db_int.h"

/* Type OIDs of the server's catalog (pg_type.dat; stable since 7.x). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_OID 26
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

/* Advisory lock keys: (class, key) pairs owned by casefile. */
#define LOCK_CLASS "1667629056"	/* 0x63660000, "cf" */
#define LOCK_WRITE "1"		/* one writing transaction at a time */
#define LOCK_SCHEMA "2"		/* creating the schema */

/* SQLite's default for a writer with no waiting rule: 60 s, then busy. */
#define DEFAULT_LOCK_TIMEOUT "60s"

struct db_pg {
	PGconn *conn;
	char *msg;		/* the last error, without the trailing newline */
	char state[6];		/* its SQLSTATE, "" when none */
	int busy;		/* the last error was a lock we may not wait for */
	int changes;
	struct db_wait *wait;
	int pipe_ok;		/* a shared transaction: writes may be pipelined */
	int queued;		/* writes sent in pipeline mode, results unread */
	unsigned nprepared;	/* names of prepared statements: cf1, cf2, ... */
	unsigned epoch;		/* bumped when a pipeline failed: its PREPAREs may not exist */
};

struct pgparam {
	const char *val;	/* NULL: SQL NULL */
	int len;
	int binary;
	char *own;		/* a copy, when val points into it */
	char num[24];		/* an integer in text */
};

/* A bytea column of the current row, decoded. */
struct pgblob {
	int row;		/* the row it was decoded for, -1 none */
	unsigned char *data;	/* NUL-terminated */
	size_t len;
};

struct db_pgstmt {
	struct cf_db *db;
	char *sql;
	int n;
	struct pgparam *p;
	PGresult *res;
	int row, nrows, done;
	int writes;		/* INSERT, UPDATE or DELETE */
	struct pgblob *blob;	/* [PQnfields] */
	int deferrable;		/* a write that returns no rows (pipelined) */
	int runs;		/* executions; prepared at the second */
	int control;		/* SAVEPOINT, RELEASE, ROLLBACK: nothing to plan, never prepared */
	int prepared;		/* name and ptypes are valid (in epoch) */
	unsigned epoch;
	char name[16];
	Oid *ptypes;		/* the parameter types it was prepared with */
};

/* Queued writes settled at the latest after this many (socket buffers). */
#define PIPE_MAX 256

static void
set_msg(struct db_pg *pg, const char *m, const char *state)
{
	size_t n = strlen(m), i, j;

	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	free(pg->msg);
	pg->msg = xstrndup(m, n);
	/* libpq's lines ("...unexpectedly\n\tThis probably means...") as one */
	for (i = j = 0; pg->msg[i]; i++) {
		char c = pg->msg[i] == '\n' || pg->msg[i] == '\t' ? ' ' : pg->msg[i];

		if (c != ' ' || j == 0 || pg->msg[j - 1] != ' ')
			pg->msg[j++] = c;
	}
	pg->msg[j] = '\0';
	snprintf(pg->state, sizeof(pg->state), "%s", state ? state : "");
	pg->busy = 0;
}

/* Record the error of res (or of the connection when res is NULL). */
static int
result_error(struct db_pg *pg, PGresult *res)
{
	const char *m = res ? PQresultErrorMessage(res) : NULL;

	if (m == NULL || *m == '\0')
		m = PQerrorMessage(pg->conn);
	set_msg(pg, m && *m ? m : "unknown PostgreSQL error",
		res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
	if (strncmp(pg->state, "23", 2) == 0)
		return DB_CONSTRAINT;
	if (strcmp(pg->state, "55P03") == 0 || strcmp(pg->state, "40P01") == 0 ||
	    strcmp(pg->state, "40001") == 0) {
		pg->busy = 1;
		return DB_BUSY;
	}
	return DB_ERROR;
}

/*
 * Pipelining (a shared transaction, db_begin_shared): a write whose result
 * is only "done" (INSERT, UPDATE, DELETE without RETURNING, SAVEPOINT,
 * RELEASE) is sent in libpq's pipeline mode and not waited for; the next
 * call that needs an answer (a query, db_changes, COMMIT, ...) first sends
 * the pipeline and reads the queued results here.  An import's item then
 * costs two round trips (its duplicate check and its evidence row) rather
 * than one per row it writes.  A queued write's error is reported by that
 * next call, and the rest of the pipeline is skipped by the server, so the
 * transaction is to be rolled back as after any error.
 */
static int
settle_keep(struct db_pg *pg, PGresult **keep)
{
	PGresult *r;
	int rc = DB_OK, nulls = 0, q = 0, last = pg->queued - 1;

	if (PQpipelineStatus(pg->conn) == PQ_PIPELINE_OFF)
		return DB_OK;
	if (PQpipelineSync(pg->conn) != 1) {
		rc = result_error(pg, NULL);
		goto out;
	}
	for (;;) {
		ExecStatusType s;

		if ((r = PQgetResult(pg->conn)) == NULL) {
			/* NULL ends each query's results; a dead connection only gives NULL */
			if (PQstatus(pg->conn) == CONNECTION_BAD || ++nulls > pg->queued + 1) {
				if (rc == DB_OK)
					rc = result_error(pg, NULL);
				break;
			}
			q++;
			continue;
		}
		s = PQresultStatus(r);
		if (s == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (keep && q == last && rc == DB_OK &&
		    (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)) {
			*keep = r;	/* the caller's query, sent last */
			continue;
		}
		if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
			const char *ct = PQcmdTuples(r);

			if (ct && *ct)
				pg->changes = atoi(ct);
		} else if (s != PGRES_PIPELINE_ABORTED && rc == DB_OK) {
			rc = result_error(pg, r);
		}
		PQclear(r);
	}
out:
	pg->queued = 0;
	if (PQexitPipelineMode(pg->conn) != 1) {
		while ((r = PQgetResult(pg->conn)) != NULL)
			PQclear(r);
		PQexitPipelineMode(pg->conn);
	}
	if (rc != DB_OK && keep && *keep) {
		PQclear(*keep);
		*keep = NULL;
	}
	if (rc != DB_OK)
		pg->epoch++;
	return rc;
}

static int
settle(struct db_pg *pg)
{
	return settle_keep(pg, NULL);
}

/* Run sql (no parameters); DB_OK, or the error recorded. */
static int
run(struct db_pg *pg, const char *sql, PGresult **keep)
{
	PGresult *res;
	ExecStatusType s;
	int rc = settle(pg);

	if (rc != DB_OK)
		return rc;
	res = PQexec(pg->conn, sql);
	s = PQresultStatus(res);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		rc = result_error(pg, res);
	if (rc == DB_OK && keep)
		*keep = res;
	else
		PQclear(res);
	if (PQtransactionStatus(pg->conn) == PQTRANS_IDLE)
		pg->pipe_ok = 0;	/* the shared transaction ended */
	return rc;
}

/* The one boolean of a SELECT: 1, 0, or -1 on error. */
static int
run_bool(struct db_pg *pg, const char *sql)
{
	PGresult *res = NULL;
	int v;

	if (run(pg, sql, &res) != DB_OK)
		return -1;
	v = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return v;
}

int
pgdb_exec(struct cf_db *db, const char *sql)
{
	struct cf_err e = CF_ERR_INIT;
	int n = 0, rc;
	char *t = sqlpg_translate(sql, &n, &e);

	if (t == NULL) {
		set_msg(db->pg, e.msg ? e.msg : "cannot translate SQL", NULL);
		cf_err_release(&e);
		return DB_ERROR;
	}
	rc = run(db->pg, t, NULL);
	free(t);
	return rc;
}

int
pgdb_err(struct cf_db *db, struct cf_err *err, const char *head)
{
	struct db_pg *pg = db->pg;

	if (pg->busy)
		return cf_err_set(err, CF_EDB, "%s: the vault is busy: another casefile "
				  "command is writing to it", head);
	/* gone, or going: shut down (57P01-3), a broken connection (08xxx), or
	   libpq's own word for one (it gives those no SQLSTATE, and the
	   connection may still read as OK while a pipeline drains) */
	if (PQstatus(pg->conn) != CONNECTION_OK || strncmp(pg->state, "57P", 3) == 0 ||
	    strncmp(pg->state, "08", 2) == 0 ||
	    (pg->msg && (strstr(pg->msg, "server closed the connection") ||
			 strstr(pg->msg, "no connection to the server") ||
			 strstr(pg->msg, "could not receive data from server") ||
			 strstr(pg->msg, "could not send data to server"))))
		return cf_err_set(err, CF_ENET, "%s: the PostgreSQL server is not reachable: %s "
				  "(run the command again once it is back)", head,
				  pg->msg ? pg->msg : PQerrorMessage(pg->conn));
	return cf_err_set(err, CF_EDB, "%s: %s", head, pg->msg ? pg->msg : "PostgreSQL error");
}

void
pgdb_set_wait(struct cf_db *db, struct db_wait *w)
{
	db->pg->wait = w;
}

/*
 * Take the write lock inside the open transaction, waiting by the handle's
 * rule: none (DB_BUSY at once), as long as it takes, or SQLite's 60 s.
 * With queue (db_lock_writer: a shared batch's leaves) "none" waits 60 s.
 * The lock_timeout set here also ends a shared transaction's fail-fast
 * row writes (db_begin_shared): from here on it only waits in line.
 */
int
pgdb_lock(struct cf_db *db, int queue)
{
	struct db_pg *pg = db->pg;
	struct db_wait *w = pg->wait;
	int got;

	/* a batch's short serialised step waits its turn even with --no-wait */
	if (queue && w && w->no_wait)
		w = NULL;

	got = run_bool(pg, "SELECT pg_try_advisory_xact_lock(" LOCK_CLASS ", " LOCK_WRITE ")");
	if (got == 1)
		return DB_OK;
	if (got == 0 && w && w->no_wait) {
		set_msg(pg, "another writer holds the vault", "55P03");
		pg->busy = 1;
		return DB_BUSY;
	}
	if (got == 0) {
		if (w && !w->told) {
			w->told = 1;
			if (w->notice)
				w->notice(w->arg);
		}
		/* without a waiting rule, wait as long as SQLite's busy timeout */
		if (run(pg, w ? "SET LOCAL lock_timeout = 0"
			      : "SET LOCAL lock_timeout = '" DEFAULT_LOCK_TIMEOUT "'", NULL) == DB_OK &&
		    run(pg, "SELECT pg_advisory_xact_lock(" LOCK_CLASS ", " LOCK_WRITE ")",
			NULL) == DB_OK)
			return DB_OK;
	}
	return pg->busy ? DB_BUSY : DB_ERROR;
}

int
pgdb_begin(struct cf_db *db)
{
	struct db_pg *pg = db->pg;
	int rc;

	if (run(pg, "BEGIN", NULL) != DB_OK)
		return DB_ERROR;
	if ((rc = pgdb_lock(db, 0)) != DB_OK) {
		/* keep the error of the failed lock, not the ROLLBACK's */
		char *m = pg->msg ? xstrdup(pg->msg) : NULL;
		char st[6];
		int busy = pg->busy;

		memcpy(st, pg->state, sizeof(st));
		run(pg, "ROLLBACK", NULL);
		set_msg(pg, m ? m : "cannot lock the vault", st);
		pg->busy = busy;
		free(m);
	}
	return rc;
}

int
pgdb_begin_shared(struct cf_db *db)
{
	int rc = run(db->pg, "BEGIN; SET LOCAL lock_timeout = '" PGDB_NO_WAIT "'", NULL);

	db->pg->pipe_ok = rc == DB_OK;
	return rc;
}

int
pgdb_busy(struct cf_db *db)
{
	return db->pg->busy;
}

int
pgdb_has_table(struct cf_db *db, const char *name)
{
	const char *v[1] = { name };
	PGresult *res;

	if (settle(db->pg) != DB_OK)
		return 0;
	res = PQexecParams(db->pg->conn, "SELECT to_regclass($1) IS NOT NULL", 1,
				     NULL, v, NULL, NULL, 0);
	int found = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		    strcmp(PQgetvalue(res, 0, 0), "t") == 0;

	PQclear(res);
	return found;
}

int
pgdb_changes(struct cf_db *db)
{
	settle(db->pg);	/* an error stays recorded for the next call */
	return db->pg->changes;
}

int64_t
pgdb_last_insert_id(struct cf_db *db)
{
	PGresult *res = NULL;
	int64_t id = 0;

	if (run(db->pg, "SELECT lastval()", &res) == DB_OK) {
		id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		PQclear(res);
	}
	return id;
}

int
pgdb_in_transaction(struct cf_db *db)
{
	/* writes are pipelined inside a transaction only */
	return db->pg->queued > 0 || PQtransactionStatus(db->pg->conn) != PQTRANS_IDLE;
}

/* The schema version of the database: 0 when it has no casefile schema. */
static int
schema_version(struct db_pg *pg, int *v)
{
	PGresult *res = NULL;
	int has = run_bool(pg, "SELECT to_regclass('casefile_schema') IS NOT NULL");

	*v = 0;
	if (has < 0)
		return -1;
	if (has == 0)
		return 0;
	if (run(pg, "SELECT max(version) FROM casefile_schema", &res) != DB_OK)
		return -1;
	*v = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* Create the current schema unless another process did first. */
static int
create_schema(struct db_pg *pg, int *v)
{
	char sql[96];

	if (run(pg, "BEGIN", NULL) != DB_OK)
		return -1;
	if (run(pg, "SELECT pg_advisory_xact_lock(" LOCK_CLASS ", " LOCK_SCHEMA ")", NULL) !=
	    DB_OK || schema_version(pg, v) < 0)
		goto fail;
	if (*v == 0) {
		snprintf(sql, sizeof(sql), "INSERT INTO casefile_schema(version) VALUES(%d)",
			 db_schema_version());
		if (run(pg, sqlpg_schema(), NULL) != DB_OK ||
		    run(pg, "CREATE TABLE casefile_schema(version INTEGER NOT NULL)", NULL) !=
			    DB_OK ||
		    run(pg, sql, NULL) != DB_OK)
			goto fail;
		*v = db_schema_version();
	}
	if (run(pg, "COMMIT", NULL) == DB_OK)
		return 0;
fail:
	{
		char *m = pg->msg ? xstrdup(pg->msg) : NULL;

		run(pg, "ROLLBACK", NULL);
		set_msg(pg, m ? m : "cannot create the schema", NULL);
		free(m);
	}
	return -1;
}

/* "database NAME on HOST": the URL without its credentials, for messages. */
static char *
shown(PGconn *c)
{
	const char *h = PQhost(c);

	return xasprintf("PostgreSQL database '%s' on %s", PQdb(c) ? PQdb(c) : "?",
			 h && *h ? h : "the local socket");
}

/* Server notices (a WARNING as the server shuts down) are not printed: modules never print. */
static void
quiet_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int
pgdb_open(const char *url, int create, int readonly, struct cf_db **out, struct cf_err *err)
{
	struct cf_db *db = xcalloc(1, sizeof(*db));
	struct db_pg *pg = xcalloc(1, sizeof(*pg));
	char *where = NULL;
	int v = 0;

	db->pg = pg;
	pg->conn = PQconnectdb(url);
	if (pg->conn == NULL || PQstatus(pg->conn) != CONNECTION_OK) {
		const char *m = pg->conn ? PQerrorMessage(pg->conn) : "out of memory";

		set_msg(pg, m, NULL);
		cf_err_set(err, CF_ENET, "cannot connect to the vault's PostgreSQL database: %s",
			   pg->msg);
		goto fail;
	}
	PQsetNoticeProcessor(pg->conn, quiet_notice, NULL);
	where = shown(pg->conn);
	if (run(pg, "SET client_min_messages = warning; SET TIME ZONE 'UTC'", NULL) != DB_OK ||
	    schema_version(pg, &v) < 0) {
		pgdb_err(db, err, where);
		goto fail;
	}
	if (v == 0 && !create) {
		cf_err_set(err, CF_ENOTFOUND, "%s holds no casefile vault (run 'casefile init "
			   "--db URL')", where);
		goto fail;
	}
	if (v == 0 && create_schema(pg, &v) < 0) {
		pgdb_err(db, err, where);
		cf_err_prefix(err, "cannot create the vault's tables");
		goto fail;
	}
	if (v > db_schema_version()) {
		cf_err_set(err, CF_EINPUT, "%s: vault schema %d is newer than this casefile "
			   "(schema %d): upgrade casefile", where, v, db_schema_version());
		goto fail;
	}
	if (v < db_schema_version()) {
		cf_err_set(err, CF_EINPUT, "%s: vault schema %d is older than this casefile "
			   "(schema %d), and PostgreSQL vaults are not migrated in place: use the "
			   "casefile that made it", where, v, db_schema_version());
		goto fail;
	}
	if (readonly && run(pg, "SET default_transaction_read_only = on", NULL) != DB_OK) {
		pgdb_err(db, err, where);
		goto fail;
	}
	free(where);
	*out = db;
	return 0;
fail:
	free(where);
	pgdb_close(pg);
	free(db);
	return -1;
}

void
pgdb_close(struct db_pg *pg)
{
	if (pg == NULL)
		return;
	PQfinish(pg->conn);
	free(pg->msg);
	free(pg);
}

/* --- statements -------------------------------------------------------- */

/* The statement's first word, case-insensitively, is w (followed by a non-letter). */
static int
starts_with_word(const char *sql, const char *w)
{
	size_t n = strlen(w);

	while (*sql == ' ' || *sql == '\n' || *sql == '\t')
		sql++;
	return strncasecmp(sql, w, n) == 0 && !isalpha((unsigned char)sql[n]);
}

/* A write whose only result is "done": it may be pipelined (settle). */
static int
is_write(const char *sql)
{
	const char *p;

	if (!starts_with_word(sql, "INSERT") && !starts_with_word(sql, "UPDATE") &&
	    !starts_with_word(sql, "DELETE") && !starts_with_word(sql, "SAVEPOINT") &&
	    !starts_with_word(sql, "RELEASE"))
		return 0;
	for (p = sql; (p = strcasestr(p, "RETURNING")) != NULL; p++)
		if ((p == sql || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[9]))
			return 0;
	return strchr(sql, ';') == NULL;	/* one statement */
}

int
pgst_prepare(struct cf_db *db, const char *sql, struct db_pgstmt **out)
{
	struct cf_err e = CF_ERR_INIT;
	struct db_pgstmt *st;
	int n = 0;
	char *t = sqlpg_translate(sql, &n, &e);

	*out = NULL;
	if (t == NULL) {
		set_msg(db->pg, e.msg ? e.msg : "cannot translate SQL", NULL);
		cf_err_release(&e);
		return DB_ERROR;
	}
	st = xcalloc(1, sizeof(*st));
	st->db = db;
	st->sql = t;
	st->n = n;
	st->p = xcalloc((size_t)n + 1, sizeof(*st->p));
	st->row = -1;
	st->writes = starts_with_word(t, "INSERT") || starts_with_word(t, "UPDATE") ||
		     starts_with_word(t, "DELETE");
	st->deferrable = is_write(t);
	st->control = starts_with_word(t, "SAVEPOINT") || starts_with_word(t, "RELEASE") ||
		      starts_with_word(t, "ROLLBACK");
	*out = st;
	return DB_OK;
}

static void
clear_result(struct db_pgstmt *st)
{
	int i, nf = st->res ? PQnfields(st->res) : 0;

	for (i = 0; st->blob && i < nf; i++)
		free(st->blob[i].data);
	free(st->blob);
	st->blob = NULL;
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->nrows = 0;
	st->done = 0;
}

/*
 * End the implicit transaction of one write: COMMIT (DB_OK or its error),
 * or ROLLBACK keeping the write's error.
 */
static int
end_implicit(struct db_pg *pg, int commit)
{
	char *m;
	char state[6];
	int busy;

	if (commit)
		return run(pg, "COMMIT", NULL);
	m = pg->msg ? xstrdup(pg->msg) : NULL;
	memcpy(state, pg->state, sizeof(state));
	busy = pg->busy;
	run(pg, "ROLLBACK", NULL);
	set_msg(pg, m ? m : "PostgreSQL error", state);
	pg->busy = busy;
	free(m);
	return DB_ERROR;
}

/*
 * Whether to run st as a server-side prepared statement: from its second
 * run on (ingest runs each of its statements thousands of times; a
 * statement run once is not worth the extra message), with the parameter
 * types it was prepared with.  The PREPARE rides in the pipeline when one
 * is open, else it is one round trip.
 */
static int
use_prepared(struct db_pgstmt *st, const Oid *types)
{
	struct db_pg *pg = st->db->pg;
	size_t tn = (size_t)st->n * sizeof(Oid);

	if (st->prepared && st->epoch == pg->epoch)
		return memcmp(types, st->ptypes, tn) == 0;
	if (++st->runs < 2 || st->control)
		return 0;
	snprintf(st->name, sizeof(st->name), "cf%u", ++pg->nprepared);
	if (PQpipelineStatus(pg->conn) != PQ_PIPELINE_OFF) {
		if (PQsendPrepare(pg->conn, st->name, st->sql, st->n, types) != 1)
			return 0;
		pg->queued++;
	} else {
		PGresult *r = PQprepare(pg->conn, st->name, st->sql, st->n, types);
		int ok = PQresultStatus(r) == PGRES_COMMAND_OK;

		PQclear(r);
		if (!ok) {
			st->runs = -1000000;	/* the unnamed run reports the error */
			return 0;
		}
	}
	free(st->ptypes);
	st->ptypes = xmalloc(tn + 1);
	memcpy(st->ptypes, types, tn);
	st->prepared = 1;
	st->epoch = pg->epoch;
	return 1;
}

/* Send st (pipeline mode): 1 on success. */
static int
send_stmt(struct db_pgstmt *st, const char *const *vals, const int *lens, const int *fmts,
	  const Oid *types)
{
	PGconn *c = st->db->pg->conn;

	if (use_prepared(st, types))
		return PQsendQueryPrepared(c, st->name, st->n, vals, lens, fmts, 0);
	return PQsendQueryParams(c, st->sql, st->n, types, vals, lens, fmts, 0);
}

/* Run st and wait (no pipeline). */
static PGresult *
exec_stmt(struct db_pgstmt *st, const char *const *vals, const int *lens, const int *fmts,
	  const Oid *types)
{
	PGconn *c = st->db->pg->conn;

	if (use_prepared(st, types))
		return PQexecPrepared(c, st->name, st->n, vals, lens, fmts, 0);
	return PQexecParams(c, st->sql, st->n, types, vals, lens, fmts, 0);
}

static int
execute(struct db_pgstmt *st)
{
	struct db_pg *pg = st->db->pg;
	const char **vals = xcalloc((size_t)st->n + 1, sizeof(*vals));
	int *lens = xcalloc((size_t)st->n + 1, sizeof(*lens));
	int *fmts = xcalloc((size_t)st->n + 1, sizeof(*fmts));
	Oid *types = xcalloc((size_t)st->n + 1, sizeof(*types));
	ExecStatusType s;
	int i, rc = DB_OK, nf;
	const char *ct;
	/*
	 * A write outside a transaction is SQLite's implicit transaction: it
	 * takes the write lock as db_begin does (waiting, or DB_BUSY with
	 * no_wait) rather than wait without end for a row another writer's
	 * open transaction holds.
	 */
	int implicit = st->writes && PQtransactionStatus(pg->conn) == PQTRANS_IDLE;

	if (implicit && (rc = pgdb_begin(st->db)) != DB_OK) {
		free(vals);
		free(lens);
		free(fmts);
		free(types);
		return rc;
	}
	for (i = 0; i < st->n; i++) {
		struct pgparam *p = &st->p[i + 1];

		vals[i] = p->val;
		lens[i] = p->len;
		fmts[i] = p->binary;
		types[i] = p->binary ? OID_BYTEA : 0;
	}
	if (!implicit && pg->pipe_ok && st->deferrable && pg->queued < PIPE_MAX &&
	    (PQpipelineStatus(pg->conn) != PQ_PIPELINE_OFF || PQenterPipelineMode(pg->conn) == 1)) {
		/* queued: its result is read by the next settle() */
		rc = send_stmt(st, vals, lens, fmts, types) == 1 ? DB_OK : result_error(pg, NULL);
		pg->queued++;
		free(vals);
		free(lens);
		free(fmts);
		free(types);
		return rc == DB_OK ? DB_DONE : rc;
	}
	if (PQpipelineStatus(pg->conn) != PQ_PIPELINE_OFF) {
		/* writes are queued: this query goes last in the same round trip */
		if (send_stmt(st, vals, lens, fmts, types) == 1) {
			pg->queued++;
			rc = settle_keep(pg, &st->res);
			if (rc == DB_OK && st->res == NULL)
				rc = result_error(pg, NULL);
		} else {
			rc = result_error(pg, NULL);
			settle(pg);
		}
	} else
		st->res = exec_stmt(st, vals, lens, fmts, types);
	free(vals);
	free(lens);
	free(fmts);
	free(types);
	if (rc != DB_OK)
		return rc;
	s = PQresultStatus(st->res);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		rc = result_error(pg, st->res);
		PQclear(st->res);
		st->res = NULL;
		if (implicit)
			end_implicit(pg, 0);
		return rc;
	}
	if (implicit && (rc = end_implicit(pg, 1)) != DB_OK) {
		PQclear(st->res);
		st->res = NULL;
		return rc;
	}
	ct = PQcmdTuples(st->res);
	if (ct && *ct)
		pg->changes = atoi(ct);
	st->nrows = s == PGRES_TUPLES_OK ? PQntuples(st->res) : 0;
	nf = PQnfields(st->res);
	st->blob = xcalloc((size_t)nf + 1, sizeof(*st->blob));
	for (i = 0; i < nf; i++)
		st->blob[i].row = -1;
	st->row = -1;
	return DB_OK;
}

int
pgst_step(struct db_pgstmt *st)
{
	int rc;

	if (st->done)
		clear_result(st);	/* SQLite re-runs a finished statement */
	if (st->res == NULL && (rc = execute(st)) != DB_OK)
		return rc;	/* DB_DONE for a queued write */
	if (++st->row < st->nrows)
		return DB_ROW;
	st->done = 1;
	return DB_DONE;
}

int
pgst_reset(struct db_pgstmt *st)
{
	clear_result(st);
	return DB_OK;
}

static void
param_free(struct pgparam *p)
{
	free(p->own);
	memset(p, 0, sizeof(*p));
}

int
pgst_clear_bindings(struct db_pgstmt *st)
{
	int i;

	for (i = 1; i <= st->n; i++)
		param_free(&st->p[i]);
	return DB_OK;
}

void
pgst_finalize(struct db_pgstmt *st)
{
	if (st == NULL)
		return;
	clear_result(st);
	pgst_clear_bindings(st);
	if (st->prepared && st->epoch == st->db->pg->epoch &&
	    PQpipelineStatus(st->db->pg->conn) == PQ_PIPELINE_OFF &&
	    PQtransactionStatus(st->db->pg->conn) != PQTRANS_INERROR) {
		/* in a pipeline it stays: the connection's end drops it */
		char sql[32];

		snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
		PQclear(PQexec(st->db->pg->conn, sql));
	}
	free(st->ptypes);
	free(st->p);
	free(st->sql);
	free(st);
}

/* Parameter i for a new value (1-based); NULL when out of range. */
static struct pgparam *
param(struct db_pgstmt *st, int i)
{
	if (i < 1 || i > st->n)
		return NULL;
	if (st->res)
		clear_result(st);	/* binding after a step starts over, as in SQLite */
	param_free(&st->p[i]);
	return &st->p[i];
}

int
pgst_bind_int64(struct db_pgstmt *st, int i, int64_t v)
{
	struct pgparam *p = param(st, i);

	if (p == NULL)
		return 25;	/* SQLITE_RANGE */
	snprintf(p->num, sizeof(p->num), "%lld", (long long)v);
	p->val = p->num;
	return DB_OK;
}

/*
 * s[0..n) with every byte that is not UTF-8 as U+FFFD (textenc_utf8_next's
 * rule).  SQLite's TEXT keeps any bytes; PostgreSQL's holds only its
 * encoding's and refuses the rest.  The text columns that may see such
 * bytes (source_path, rel_path: a name as the file system gave it) are
 * descriptive; the name's exact bytes are kept in name_raw, a BLOB, which
 * binds as bytea unchanged.
 */
static char *
utf8_text(const char *s, size_t n)
{
	char *out = xmalloc(3 * n + 1), *o = out;
	size_t i = 0, k;
	unsigned cp;

	while (i < n) {
		k = textenc_utf8_next(s + i, n - i, &cp);
		if (k == 1 && cp == 0xFFFD) {
			o += textenc_utf8_put(o, 0xFFFD);
		} else {
			memcpy(o, s + i, k);
			o += k;
		}
		i += k;
	}
	*o = '\0';
	return out;
}

char *
pgdb_text(const char *s)
{
	return utf8_text(s, strlen(s));
}

int
pgst_bind_text(struct db_pgstmt *st, int i, const char *s, int n, enum db_bind_mode mode)
{
	struct pgparam *p = param(st, i);

	if (p == NULL)
		return 25;
	if (s == NULL)
		return DB_OK;
	if (textenc_utf8_check(s, n >= 0 ? (size_t)n : strlen(s), NULL) > 0) {
		p->own = utf8_text(s, n >= 0 ? (size_t)n : strlen(s));
		p->val = p->own;
	} else if (n >= 0 || mode == DB_TRANSIENT) {
		/* text parameters are NUL-terminated strings */
		p->own = n >= 0 ? xstrndup(s, (size_t)n) : xstrdup(s);
		p->val = p->own;
	} else
		p->val = s;
	return DB_OK;
}

int
pgst_bind_blob(struct db_pgstmt *st, int i, const void *b, int n, enum db_bind_mode mode)
{
	struct pgparam *p = param(st, i);

	if (p == NULL)
		return 25;
	if (b == NULL && n > 0)
		return DB_OK;
	p->binary = 1;
	p->len = n;
	if (mode == DB_TRANSIENT || b == NULL) {
		p->own = xmalloc((size_t)n + 1);
		if (n > 0)
			memcpy(p->own, b, (size_t)n);
		p->val = p->own;
	} else
		p->val = b;
	return DB_OK;
}

int
pgst_bind_null(struct db_pgstmt *st, int i)
{
	return param(st, i) ? DB_OK : 25;
}

/* The current row's column col, or NULL when out of range or SQL NULL. */
static const char *
cell(struct db_pgstmt *st, int col)
{
	if (st->res == NULL || st->row < 0 || st->row >= st->nrows || col < 0 ||
	    col >= PQnfields(st->res) || PQgetisnull(st->res, st->row, col))
		return NULL;
	return PQgetvalue(st->res, st->row, col);
}

/* A bytea cell decoded from the server's hex output ("\x0a1b…"). */
static struct pgblob *
blob_of(struct db_pgstmt *st, int col)
{
	const char *v = cell(st, col);
	struct pgblob *b;
	size_t n;

	if (v == NULL || PQftype(st->res, col) != OID_BYTEA)
		return NULL;
	b = &st->blob[col];
	if (b->row == st->row)
		return b;
	free(b->data);
	n = strlen(v);
	b->data = xmalloc(n / 2 + 1);
	b->len = 0;
	/* the server's output is whole hex; anything else reads as empty */
	if (n >= 2 && v[0] == '\\' && v[1] == 'x' && n % 2 == 0 &&
	    cf_hex_decode(v + 2, n - 2, b->data, (n - 2) / 2) == 0)
		b->len = (n - 2) / 2;
	b->data[b->len] = '\0';
	b->row = st->row;
	return b;
}

int64_t
pgst_col_int64(struct db_pgstmt *st, int col)
{
	const char *v = cell(st, col);

	if (v == NULL)
		return 0;
	if (PQftype(st->res, col) == OID_BOOL)
		return *v == 't';
	if (PQftype(st->res, col) == OID_FLOAT4 || PQftype(st->res, col) == OID_FLOAT8 ||
	    PQftype(st->res, col) == OID_NUMERIC)
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

double
pgst_col_double(struct db_pgstmt *st, int col)
{
	const char *v = cell(st, col);

	if (v == NULL)
		return 0;
	if (PQftype(st->res, col) == OID_BOOL)
		return *v == 't';
	return strtod(v, NULL);
}

const unsigned char *
pgst_col_text(struct db_pgstmt *st, int col)
{
	struct pgblob *b = blob_of(st, col);
	const char *v;

	if (b)
		return b->data;
	v = cell(st, col);
	if (v && PQftype(st->res, col) == OID_BOOL)
		return (const unsigned char *)(*v == 't' ? "1" : "0");
	return (const unsigned char *)v;
}

const void *
pgst_col_blob(struct db_pgstmt *st, int col)
{
	struct pgblob *b = blob_of(st, col);

	if (b)
		return b->len ? b->data : NULL;
	return cell(st, col);
}

int
pgst_col_bytes(struct db_pgstmt *st, int col)
{
	struct pgblob *b = blob_of(st, col);
	const char *v;

	if (b)
		return (int)b->len;
	v = cell(st, col);
	if (v && PQftype(st->res, col) == OID_BOOL)
		return 1;
	return v ? PQgetlength(st->res, st->row, col) : 0;
}

int
pgst_col_type(struct db_pgstmt *st, int col)
{
	const char *v = cell(st, col);

	if (v == NULL)
		return DB_NULL;
	switch (PQftype(st->res, col)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return DB_INTEGER;
	case OID_NUMERIC:
		/* sum() of integers is numeric: whole values read as integers */
		return strpbrk(v, ".eE") ? DB_FLOAT : DB_INTEGER;
	case OID_FLOAT4:
	case OID_FLOAT8:
		return DB_FLOAT;
	case OID_BYTEA:
		return DB_BLOB;
	default:
		return DB_TEXT;
	}
}

int
pgst_col_count(struct db_pgstmt *st)
{
	if (st->res == NULL && execute(st) != DB_OK)
		return 0;
	return PQnfields(st->res);
}

const char *
pgst_col_name(struct db_pgstmt *st, int col)
{
	if (st->res == NULL && execute(st) != DB_OK)
		return NULL;
	return PQfname(st->res, col);
}

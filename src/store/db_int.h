/* SPDX-License-Identifier: MIT */
/*
 * db_int — the insides of struct cf_db and struct db_stmt, shared by the
 * store files that implement them (db.c and db_stmt.c for SQLite, db_pg.c
 * for PostgreSQL).  Nothing else includes this header: every other file
 * sees the opaque types of db.h and db_stmt.h.
 */
#ifndef CASEFILE_DB_INT_H
#define CASEFILE_DB_INT_H

#include <sqlite3.h>

#include "casefile/db_stmt.h"

struct db_pg;
struct db_pgstmt;

/* The handle: one SQLite connection, or one PostgreSQL connection. */
struct cf_db {
	sqlite3 *sq;		/* SQLite backend, else NULL */
	struct db_pg *pg;	/* PostgreSQL backend (db_pg.c), else NULL */
	char *home;		/* db_set_home(), else NULL */
};

/* A statement of the handle's backend. */
struct db_stmt {
	struct cf_db *db;
	sqlite3_stmt *sq;
	struct db_pgstmt *pg;
};

/*
 * The PostgreSQL backend (db_pg.c).  The statement calls mirror db_stmt.h;
 * db.c and db_stmt.c dispatch to them when db->pg is set.
 */
int pgdb_open(const char *url, int create, int readonly, struct cf_db **out,
	      struct cf_err *err);
void pgdb_close(struct db_pg *pg);
int pgdb_err(struct cf_db *db, struct cf_err *err, const char *head);
int pgdb_exec(struct cf_db *db, const char *sql);
int pgdb_begin(struct cf_db *db);
void pgdb_set_wait(struct cf_db *db, struct db_wait *w);
int pgdb_begin_shared(struct cf_db *db);
int pgdb_lock(struct cf_db *db, int queue);
int pgdb_busy(struct cf_db *db);
/* lock_timeout of a shared transaction's row writes: as good as no wait */
#define PGDB_NO_WAIT "1ms"
int pgdb_has_table(struct cf_db *db, const char *name);
int pgdb_changes(struct cf_db *db);
int64_t pgdb_last_insert_id(struct cf_db *db);
int pgdb_in_transaction(struct cf_db *db);
char *pgdb_text(const char *s);

int pgst_prepare(struct cf_db *db, const char *sql, struct db_pgstmt **out);
int pgst_step(struct db_pgstmt *st);
int pgst_reset(struct db_pgstmt *st);
int pgst_clear_bindings(struct db_pgstmt *st);
void pgst_finalize(struct db_pgstmt *st);
int pgst_bind_int64(struct db_pgstmt *st, int i, int64_t v);
int pgst_bind_text(struct db_pgstmt *st, int i, const char *s, int n,
		   enum db_bind_mode mode);
int pgst_bind_blob(struct db_pgstmt *st, int i, const void *p, int n,
		   enum db_bind_mode mode);
int pgst_bind_null(struct db_pgstmt *st, int i);
int64_t pgst_col_int64(struct db_pgstmt *st, int col);
double pgst_col_double(struct db_pgstmt *st, int col);
const unsigned char *pgst_col_text(struct db_pgstmt *st, int col);
const void *pgst_col_blob(struct db_pgstmt *st, int col);
int pgst_col_bytes(struct db_pgstmt *st, int col);
int pgst_col_type(struct db_pgstmt *st, int col);
int pgst_col_count(struct db_pgstmt *st);
const char *pgst_col_name(struct db_pgstmt *st, int col);

#endif

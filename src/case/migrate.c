/* SPDX-License-Identifier: MIT */
/*
 * migrate — an embedded vault copied into PostgreSQL and/or S3 (contract
 * and theory of operation in migrate.h).
 *
 * Nothing here names a table or a column: the tables are the source
 * database's (sqlite_master), ordered so that a row's foreign keys are
 * copied before it (pragma_foreign_key_list), and each table's columns are
 * those of the source's SELECT *.  A schema migration added later is
 * copied without a change here.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/db_stmt.h"
#include "casefile/hash.h"
#include "casefile/ledger.h"
#include "casefile/migrate.h"
#include "casefile/xalloc.h"

#define MARKER "MIGRATING"
#define PART_SUFFIX ".migrating"

static const char *test_fail;	/* migrate_test_fail() */

void
migrate_test_fail(const char *mode)
{
	test_fail = mode && *mode ? mode : NULL;
}

/* The source's tables, parents before children. */
struct tables {
	char **name;
	size_t n;
};

static void
tables_release(struct tables *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->name[i]);
	free(t->name);
	t->name = NULL;
	t->n = 0;
}

/* 1 when table a has a foreign key to a table not yet in done[0..ndone). */
static int
waits_for_parent(struct cf_db *db, const char *a, char **done, size_t ndone,
		 struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int rc, waits = 0;
	size_t i;

	if (db_prepare(db, "SELECT \"table\" FROM pragma_foreign_key_list(?)", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, a, -1, DB_STATIC);
	while (!waits && (rc = db_step(st)) == DB_ROW) {
		const char *p = (const char *)db_col_text(st, 0);

		if (p == NULL || strcmp(p, a) == 0)
			continue;
		waits = 1;
		for (i = 0; i < ndone; i++)
			if (strcmp(done[i], p) == 0)
				waits = 0;
	}
	if (!waits && rc != DB_DONE) {
		db_err(db, err, "cannot read the foreign keys of table '%s'", a);
		waits = -1;
	}
	db_finalize(st);
	return waits;
}

static int
tables_load(struct cf_db *db, struct tables *t, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	char **todo = NULL;
	size_t ntodo = 0, i, placed;
	int rc, ret = -1, w;

	if (db_prepare(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND "
		       "name NOT LIKE 'sqlite%' ORDER BY name", &st, err) < 0)
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		todo = xreallocarray(todo, ntodo + 1, sizeof(*todo));
		todo[ntodo++] = xstrdup((const char *)db_col_text(st, 0));
	}
	if (rc != DB_DONE) {
		db_err(db, err, "cannot list the vault's tables");
		goto out;
	}
	t->name = xcalloc(ntodo + 1, sizeof(*t->name));
	while (t->n < ntodo) {
		placed = 0;
		for (i = 0; i < ntodo; i++) {
			if (todo[i] == NULL)
				continue;
			if ((w = waits_for_parent(db, todo[i], t->name, t->n, err)) < 0)
				goto out;
			if (w)
				continue;
			t->name[t->n++] = todo[i];
			todo[i] = NULL;
			placed = 1;
		}
		if (!placed) {
			cf_err_set(err, CF_EDB, "the vault's tables have a cycle of foreign keys");
			goto out;
		}
	}
	ret = 0;
out:
	for (i = 0; i < ntodo; i++)
		free(todo[i]);
	free(todo);
	db_finalize(st);
	return ret;
}

/* One integer of a one-row query; -1 on failure. */
static int
query_int64(struct cf_db *db, const char *sql, int64_t *v, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int ret = -1;

	if (db_prepare(db, sql, &st, err) < 0)
		return -1;
	if (db_step(st) == DB_ROW) {
		*v = db_col_int64(st, 0);
		ret = 0;
	} else {
		db_err(db, err, "cannot run '%s'", sql);
	}
	db_finalize(st);
	return ret;
}

static int
table_count(struct cf_db *db, const char *table, int64_t *n, struct cf_err *err)
{
	char *sql = xasprintf("SELECT count(*) FROM \"%s\"", table);
	int ret = query_int64(db, sql, n, err);

	free(sql);
	return ret;
}

/* --- the target database ---------------------------------------------- */

/* The unfinished migration recorded in PART/MIGRATING: "vault-id\ndb\n". */
struct marker {
	char *vault_id, *db;
};

static void
marker_release(struct marker *m)
{
	free(m->vault_id);
	free(m->db);
	m->vault_id = m->db = NULL;
}

int
migrate_marker_parse(const char *s, size_t n, char **vault_id, char **db, struct cf_err *err)
{
	const char *nl1, *nl2;
	size_t i, idn;

	*vault_id = *db = NULL;
	if (memchr(s, '\0', n) != NULL)
		return cf_err_set(err, CF_EINPUT, "a NUL byte");
	if ((nl1 = memchr(s, '\n', n)) == NULL)
		return cf_err_set(err, CF_EINPUT, "no end of line after the vault id");
	idn = (size_t)(nl1 - s);
	if (idn == 0 || idn > 64)
		return cf_err_set(err, CF_EINPUT, "no vault id");
	for (i = 0; i < idn; i++)
		if (!strchr("0123456789abcdefABCDEF-", s[i]))
			return cf_err_set(err, CF_EINPUT, "bad vault id");
	nl2 = memchr(nl1 + 1, '\n', n - idn - 1);
	if (nl2 == NULL)
		return cf_err_set(err, CF_EINPUT, "no end of line after the database");
	if ((size_t)(nl2 - s) + 1 != n)
		return cf_err_set(err, CF_EINPUT, "text after the database line");
	*db = nl2 > nl1 + 1 ? xstrndup(nl1 + 1, (size_t)(nl2 - nl1 - 1)) : NULL;
	if (*db && !db_is_url(*db)) {
		free(*db);
		*db = NULL;
		return cf_err_set(err, CF_EINPUT, "the database is not a postgresql:// URL");
	}
	*vault_id = xstrndup(s, idn);
	return 0;
}

/* 1 with *m filled when part holds a marker, 0 when not, -1 on error. */
static int
marker_read(const char *part, struct marker *m, struct cf_err *err)
{
	char *path = xasprintf("%s/" MARKER, part);
	struct cf_buf b = CF_BUF_INIT;
	int ret = 0;

	if (access(path, F_OK) < 0) {
		ret = errno == ENOENT ? 0 : cf_err_errno(err, CF_EIO, "cannot read '%s'", path);
		goto out;
	}
	if (cf_buf_read_file(&b, path, "migration marker", 8192, CF_EIO, err) < 0) {
		ret = -1;
		goto out;
	}
	if (migrate_marker_parse(b.data ? b.data : "", b.len, &m->vault_id, &m->db, err) < 0) {
		cf_err_prefix(err, "'%s' is not a casefile migration marker", path);
		ret = -1;
		goto out;
	}
	ret = 1;
out:
	cf_buf_release(&b);
	free(path);
	return ret;
}

/* Write PART/MIGRATING (mode 0600: the URL may hold a password). */
static int
marker_write(const char *part, const char *vault_id, const char *db, struct cf_err *err)
{
	char *path = xasprintf("%s/" MARKER, part), *text;
	int fd, ret = 0;

	text = xasprintf("%s\n%s\n", vault_id, db ? db : "");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fsync(fd) < 0)
		ret = cf_err_errno(err, CF_EIO, "cannot write '%s'", path);
	if (fd >= 0)
		close(fd);
	free(text);
	free(path);
	return ret;
}

/* Delete every row of every table, children first, in one transaction. */
static int
clear_tables(struct cf_db *db, const struct tables *t, struct cf_err *err)
{
	size_t i;
	char *sql;

	if (db_begin(db, err) < 0)
		return -1;
	for (i = t->n; i-- > 0;) {
		sql = xasprintf("DELETE FROM \"%s\"", t->name[i]);
		if (db_exec(db, sql, err) < 0) {
			free(sql);
			db_rollback(db);
			return -1;
		}
		free(sql);
	}
	return db_commit(db, err);
}

/*
 * The target database must hold no rows, or only those of an unfinished
 * migration of this vault into it (m, read from the part folder), which are
 * deleted.  *restarted says which.
 */
static int
target_db_check(const char *url, const char *sid, const struct tables *t,
		const struct marker *m, int *restarted, struct cf_err *err)
{
	struct cf_db *db = NULL;
	char *id = NULL, *where = NULL;
	int64_t n = 0;
	size_t i;
	int ret = -1;

	if (db_open(url, 1, &db, err) < 0)
		return -1;
	for (i = 0; i < t->n; i++) {
		if (table_count(db, t->name[i], &n, err) < 0)
			goto out;
		if (n > 0) {
			where = xstrdup(t->name[i]);
			break;
		}
	}
	if (where == NULL) {
		ret = 0;
		goto out;
	}
	id = db_meta_get(db, "vault_id");
	/*
	 * Ours to clear: the marker names this vault and this database, and
	 * the rows are those of the earlier run — its committed copy (the
	 * same vault id), or only the meta rows vault_init_objects wrote.
	 */
	if (m->vault_id && strcmp(m->vault_id, sid) == 0 && m->db && strcmp(m->db, url) == 0 &&
	    (id == NULL || strcmp(id, sid) == 0 || strcmp(where, "meta") == 0)) {
		int only_meta = 1;

		for (i = 0; id && strcmp(id, sid) != 0 && i < t->n; i++) {
			if (strcmp(t->name[i], "meta") == 0)
				continue;
			if (table_count(db, t->name[i], &n, err) < 0)
				goto out;
			only_meta = only_meta && n == 0;
		}
		if (only_meta) {
			if (clear_tables(db, t, err) < 0)
				goto out;
			*restarted = 1;
			ret = 0;
			goto out;
		}
	}
	if (id)
		cf_err_set(err, CF_EINPUT, "the target database is not empty: it holds vault %s "
			   "(migrate copies into an empty database only)", id);
	else
		cf_err_set(err, CF_EINPUT, "the target database is not empty: table '%s' has "
			   "%lld rows (migrate copies into an empty database only)", where,
			   (long long)n);
out:
	free(id);
	free(where);
	db_close(db);
	return ret;
}

/* --- files ------------------------------------------------------------ */

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int
remove_tree(const char *dir, struct cf_err *err)
{
	if (nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
		return cf_err_errno(err, CF_EIO, "cannot remove '%s'", dir);
	return 0;
}

static int
copy_file(const char *from, const char *to, mode_t mode, struct cf_err *err)
{
	char buf[65536];
	int in = -1, out = -1, ret = -1;
	ssize_t n;

	if ((in = open(from, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		cf_err_errno(err, CF_EIO, "cannot open '%s'", from);
		goto out;
	}
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777)) < 0) {
		cf_err_errno(err, CF_EIO, "cannot create '%s'", to);
		goto out;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			cf_err_errno(err, CF_EIO, "cannot write '%s'", to);
			goto out;
		}
	if (n < 0) {
		cf_err_errno(err, CF_EIO, "cannot read '%s'", from);
		goto out;
	}
	if (fchmod(out, mode & 07777) < 0 || fsync(out) < 0) {
		cf_err_errno(err, CF_EIO, "cannot write '%s'", to);
		goto out;
	}
	ret = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ret;
}

/* What a vault folder holds that is not copied as a file. */
static int
skipped(const char *name, int top)
{
	static const char *const top_only[] = {
		"casefile.db", "casefile.db-wal", "casefile.db-shm", "casefile.db-journal",
		"database", "objects", "tmp", "cache", "lock", "import.lock", NULL,
	};
	size_t i;

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 1;
	for (i = 0; top && top_only[i]; i++)
		if (strcmp(name, top_only[i]) == 0)
			return 1;
	return 0;
}

/* Copy the folder from into to (made when missing), modes kept. */
static int
copy_tree(const char *from, const char *to, int top, struct cf_err *err)
{
	DIR *d = opendir(from);
	struct dirent *de;
	struct stat st;
	char *a, *b;
	int ret = 0;

	if (d == NULL)
		return cf_err_errno(err, CF_EIO, "cannot read '%s'", from);
	while (ret == 0 && (de = readdir(d)) != NULL) {
		if (skipped(de->d_name, top))
			continue;
		a = xasprintf("%s/%s", from, de->d_name);
		b = xasprintf("%s/%s", to, de->d_name);
		if (lstat(a, &st) < 0) {
			ret = cf_err_errno(err, CF_EIO, "cannot read '%s'", a);
		} else if (S_ISDIR(st.st_mode)) {
			if (mkdir(b, 0700) < 0 && errno != EEXIST)
				ret = cf_err_errno(err, CF_EIO, "cannot create '%s'", b);
			else if ((ret = copy_tree(a, b, 0, err)) == 0 &&
				 chmod(b, st.st_mode & 07777) < 0)
				ret = cf_err_errno(err, CF_EIO, "cannot set the mode of '%s'", b);
		} else if (S_ISREG(st.st_mode)) {
			ret = copy_file(a, b, st.st_mode, err);
		}
		free(a);
		free(b);
	}
	closedir(d);
	return ret;
}

/* --- objects ---------------------------------------------------------- */

static int
copy_objects(struct vault *src, struct vault *dst, const struct migrate_opts *o,
	     struct migrate_report *rep, struct cf_err *err)
{
	struct cf_db *db = vault_db(src);
	struct db_stmt *st = NULL;
	struct vault_put_result res;
	char hex[CF_SHA256_HEXLEN + 1];
	int64_t total = 0;
	int fd = -1, rc, ret = -1;

	if (query_int64(db, "SELECT count(*) FROM objects", &total, err) < 0 ||
	    db_prepare(db, "SELECT sha256, size FROM objects ORDER BY sha256", &st, err) < 0)
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		const unsigned char *sha = db_col_blob(st, 0);
		uint64_t size = (uint64_t)db_col_int64(st, 1);

		if (db_col_bytes(st, 0) != CF_SHA256_LEN) {
			cf_err_set(err, CF_EVERIFY, "an objects row of the source has no SHA-256");
			goto out;
		}
		cf_hex_encode(sha, CF_SHA256_LEN, hex);
		if (vault_object_open(src, sha, &fd, err) < 0 ||
		    vault_put_fd(dst, fd, NULL, 0, NULL, &res, err) < 0) {
			cf_err_prefix(err, "object %s", hex);
			goto out;
		}
		close(fd);
		fd = -1;
		if (memcmp(res.sha256, sha, CF_SHA256_LEN) != 0 || res.size != size) {
			cf_err_set(err, CF_EVERIFY, "object %s: the source's bytes (%llu) do not hash "
				   "to its name and size (%llu): run 'casefile audit' on the source",
				   hex, (unsigned long long)res.size, (unsigned long long)size);
			goto out;
		}
		/* held already (a re-run, or the same store): read it back */
		if (!res.created && vault_object_verify(dst, sha, err) < 0) {
			cf_err_prefix(err, "object %s in the target", hex);
			goto out;
		}
		rep->objects++;
		rep->bytes += size;
		if (res.created)
			rep->objects_new++;
		else
			rep->objects_present++;
		if (o->progress)
			o->progress(o->arg, "objects", rep->objects, (uint64_t)total);
	}
	if (rc != DB_DONE) {
		db_err(db, err, "cannot read the source's objects");
		goto out;
	}
	ret = vault_sync(dst, err);
out:
	if (fd >= 0)
		close(fd);
	db_finalize(st);
	return ret;
}

/* --- rows ------------------------------------------------------------- */

/* blob[i] = 1 when column i of table is declared BLOB in the source. */
static int
blob_columns(struct cf_db *db, const char *table, struct db_stmt *sel, int *blob,
	     struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int i, n = db_col_count(sel), rc;

	if (db_prepare(db, "SELECT name, type FROM pragma_table_info(?)", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, table, -1, DB_STATIC);
	while ((rc = db_step(st)) == DB_ROW) {
		const char *name = (const char *)db_col_text(st, 0);
		const char *type = (const char *)db_col_text(st, 1);

		for (i = 0; i < n; i++)
			if (name && type && strcmp(db_col_name(sel, i), name) == 0)
				blob[i] = strcasecmp(type, "BLOB") == 0;
	}
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot read the columns of table '%s'", table);
	return 0;
}

/* Bind column i of the source row to parameter i + 1 of ins. */
static int
bind_column(struct db_stmt *sel, struct db_stmt *ins, int i, int blob)
{
	const void *p;
	int n;

	switch (db_col_type(sel, i)) {
	case DB_INTEGER:
		return db_bind_int64(ins, i + 1, db_col_int64(sel, i));
	case DB_NULL:
		return db_bind_null(ins, i + 1);
	case DB_TEXT:
		n = db_col_bytes(sel, i);
		p = db_col_text(sel, i);
		if (!blob)
			return db_bind_text(ins, i + 1, p, n, DB_STATIC);
		return db_bind_blob(ins, i + 1, p, n, DB_STATIC);
	case DB_BLOB:
		n = db_col_bytes(sel, i);
		p = db_col_blob(sel, i);
		/* a NULL pointer would bind SQL NULL, not x'' */
		return db_bind_blob(ins, i + 1, p ? p : "", n, DB_STATIC);
	default:
		return DB_ERROR;	/* REAL: no column of the schema holds one */
	}
}

static int
copy_table(struct cf_db *from, struct cf_db *to, const char *table, uint64_t *rows,
	   struct cf_err *err)
{
	struct db_stmt *sel = NULL, *ins = NULL;
	struct cf_buf sql = CF_BUF_INIT;
	int *blob = NULL, n, i, rc, ret = -1;
	int64_t count = 0;
	char *q = xasprintf("SELECT * FROM \"%s\"", table);

	*rows = 0;
	if (db_prepare(from, q, &sel, err) < 0)
		goto out;
	n = db_col_count(sel);
	blob = xcalloc((size_t)n + 1, sizeof(*blob));
	if (blob_columns(from, table, sel, blob, err) < 0)
		goto out;
	cf_buf_addf(&sql, "INSERT INTO \"%s\"(", table);
	for (i = 0; i < n; i++)
		cf_buf_addf(&sql, "%s\"%s\"", i ? ", " : "", db_col_name(sel, i));
	cf_buf_addstr(&sql, ") VALUES(");
	for (i = 0; i < n; i++)
		cf_buf_addstr(&sql, i ? ", ?" : "?");
	cf_buf_addstr(&sql, ")");
	if (db_prepare(to, sql.data, &ins, err) < 0) {
		cf_err_prefix(err, "table '%s'", table);
		goto out;
	}
	while ((rc = db_step(sel)) == DB_ROW) {
		for (i = 0; i < n; i++)
			if (bind_column(sel, ins, i, blob[i]) != DB_OK) {
				cf_err_set(err, CF_EDB, "table '%s' row %llu: column '%s' cannot be "
					   "copied", table, (unsigned long long)*rows + 1,
					   db_col_name(sel, i));
				goto out;
			}
		if (db_step(ins) != DB_DONE) {
			db_err(to, err, "cannot copy table '%s' row %llu", table,
			       (unsigned long long)*rows + 1);
			goto out;
		}
		db_reset(ins);
		db_clear_bindings(ins);
		(*rows)++;
	}
	if (rc != DB_DONE) {
		db_err(from, err, "cannot read table '%s'", table);
		goto out;
	}
	if (table_count(to, table, &count, err) < 0)
		goto out;
	if ((uint64_t)count != *rows) {
		cf_err_set(err, CF_EVERIFY, "table '%s': %llu rows copied, the target holds %lld",
			   table, (unsigned long long)*rows, (long long)count);
		goto out;
	}
	ret = 0;
out:
	db_finalize(sel);
	db_finalize(ins);
	cf_buf_release(&sql);
	free(blob);
	free(q);
	return ret;
}

/*
 * PostgreSQL: every identity column's sequence set past the largest id
 * copied, so the next insert gets a new one (SQLite needs nothing: a rowid
 * is max + 1).
 */
static int
sequences_set(struct cf_db *db, struct cf_err *err)
{
	struct db_stmt *st = NULL, *set = NULL;
	char *sql = NULL;
	int rc, ret = -1;

	if (db_filename(db) != NULL)
		return 0;
	if (db_prepare(db, "SELECT table_name, column_name FROM information_schema.columns "
		       "WHERE table_schema = current_schema() AND is_identity = 'YES'",
		       &st, err) < 0)
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *t = (const char *)db_col_text(st, 0);
		const char *c = (const char *)db_col_text(st, 1);

		sql = xasprintf("SELECT setval(pg_get_serial_sequence(?, ?), "
				"coalesce((SELECT max(\"%s\") FROM \"%s\"), 0) + 1, false)", c, t);
		if (db_prepare(db, sql, &set, err) < 0)
			goto out;
		db_bind_text(set, 1, t, -1, DB_STATIC);
		db_bind_text(set, 2, c, -1, DB_STATIC);
		if (db_step(set) != DB_ROW) {
			db_err(db, err, "cannot set the sequence of %s.%s", t, c);
			goto out;
		}
		db_finalize(set);
		set = NULL;
		free(sql);
		sql = NULL;
	}
	if (rc != DB_DONE) {
		db_err(db, err, "cannot list the identity columns");
		goto out;
	}
	ret = 0;
out:
	free(sql);
	db_finalize(set);
	db_finalize(st);
	return ret;
}

/* --- the ledger, recomputed on the target ------------------------------ */

static int
ledger_fail(struct cf_err *err, const char *fmt, unsigned long long n)
{
	cf_err_set(err, CF_EVERIFY, fmt, n);
	cf_err_prefix(err, "the copied ledger does not check");
	return -1;
}

/* Every leaf's record (evidence row or annotation) hashes to the leaf. */
static int
records_check(struct cf_db *db, unsigned char (*leaf)[CF_SHA256_LEN], uint64_t nleaves,
	      struct migrate_report *rep, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	struct ledger_leaf l;
	struct ledger_annotation a;
	unsigned char h[CF_SHA256_LEN];
	int64_t idx;
	int rc, ret = -1;

	if (db_prepare(db, "SELECT id, leaf_index FROM evidence WHERE leaf_index IS NOT NULL "
		       "ORDER BY id", &st, err) < 0)
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		idx = db_col_int64(st, 1);
		if (ledger_leaf_load(db, db_col_int64(st, 0), &l, err) < 0)
			goto out;
		ledger_leaf_hash(&l, h);
		ledger_leaf_release(&l);
		if (idx < 0 || (uint64_t)idx >= nleaves || memcmp(h, leaf[idx], CF_SHA256_LEN)) {
			ledger_fail(err, "evidence row %llu does not hash to its leaf",
				    (unsigned long long)db_col_int64(st, 0));
			goto out;
		}
	}
	if (rc != DB_DONE) {
		db_err(db, err, "cannot read the evidence rows");
		goto out;
	}
	db_finalize(st);
	if (db_prepare(db, "SELECT leaf_index, " LEDGER_ANNOTATION_COLUMNS " FROM annotations "
		       "ORDER BY leaf_index", &st, err) < 0)
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		idx = db_col_int64(st, 0);
		a.type = (const char *)db_col_text(st, 1);
		a.order_id = (const char *)db_col_text(st, 2);
		a.subject = (const char *)db_col_text(st, 3);
		a.at = db_col_int64(st, 4);
		a.who = (const char *)db_col_text(st, 5);
		a.payload = db_col_blob(st, 6);
		a.payload_len = (size_t)db_col_bytes(st, 6);
		if (!a.type || !a.order_id || !a.subject || !a.who) {
			ledger_fail(err, "annotation %llu has an empty field",
				    (unsigned long long)idx);
			goto out;
		}
		ledger_annotation_hash(&a, h);
		if (idx < 0 || (uint64_t)idx >= nleaves || memcmp(h, leaf[idx], CF_SHA256_LEN)) {
			ledger_fail(err, "annotation %llu does not hash to its leaf",
				    (unsigned long long)idx);
			goto out;
		}
		rep->annotations++;
	}
	if (rc != DB_DONE) {
		db_err(db, err, "cannot read the annotations");
		goto out;
	}
	ret = 0;
out:
	db_finalize(st);
	return ret;
}

static int
ledger_check(struct cf_db *db, struct migrate_report *rep, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	unsigned char (*leaf)[CF_SHA256_LEN] = NULL, root[CF_SHA256_LEN];
	unsigned char stored[CF_SHA256_LEN];
	struct ledger_range *r = xmalloc(sizeof(*r));
	uint64_t n = 0, cap = 0, size;
	int rc, ret = -1;

	ledger_range_init(r);
	if (db_prepare(db, "SELECT idx, hash FROM ledger_nodes WHERE level = 0 ORDER BY idx",
		       &st, err) < 0)
		goto out;
	while ((rc = db_step(st)) == DB_ROW) {
		if ((uint64_t)db_col_int64(st, 0) != n || db_col_bytes(st, 1) != CF_SHA256_LEN) {
			ledger_fail(err, "leaf %llu is missing or malformed", (unsigned long long)n);
			goto out;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			leaf = xreallocarray(leaf, cap, sizeof(*leaf));
		}
		memcpy(leaf[n++], db_col_blob(st, 1), CF_SHA256_LEN);
	}
	if (rc != DB_DONE) {
		db_err(db, err, "cannot read the ledger");
		goto out;
	}
	db_finalize(st);
	st = NULL;
	rep->leaves = n;
	/* every head: the root of the leaves up to it, and of the stored nodes */
	if (db_prepare(db, "SELECT tree_size, root FROM heads ORDER BY tree_size", &st, err) < 0)
		goto out;
	while ((rc = db_step(st)) == DB_ROW) {
		size = (uint64_t)db_col_int64(st, 0);
		if (size > n || db_col_bytes(st, 1) != CF_SHA256_LEN) {
			ledger_fail(err, "head %llu is past the leaves", (unsigned long long)size);
			goto out;
		}
		while (r->size < size)
			ledger_range_push(r, leaf[r->size], NULL, NULL);
		ledger_range_root(r, root);
		if (memcmp(root, db_col_blob(st, 1), CF_SHA256_LEN) != 0) {
			ledger_fail(err, "the leaves give another root at head %llu",
				    (unsigned long long)size);
			goto out;
		}
		if (ledger_root(db, size, stored, err) < 0)
			goto out;
		if (memcmp(root, stored, CF_SHA256_LEN) != 0) {
			ledger_fail(err, "the stored nodes give another root at head %llu",
				    (unsigned long long)size);
			goto out;
		}
		rep->heads++;
	}
	if (rc != DB_DONE) {
		db_err(db, err, "cannot read the heads");
		goto out;
	}
	ret = records_check(db, leaf, n, rep, err);
out:
	db_finalize(st);
	free(leaf);
	free(r);
	return ret;
}

/*
 * Step 3 of migrate.h: the rows in one transaction, with the new vault's
 * objects settings (written by vault_init_objects) kept over the source's.
 */
static int
copy_rows(struct vault *src, struct vault *dst, const struct tables *t,
	  const struct migrate_opts *o, struct migrate_report *rep, struct cf_err *err)
{
	struct cf_db *from = vault_db(src), *to = vault_db(dst);
	struct db_stmt *st = NULL;
	char **keep = NULL;
	uint64_t rows;
	size_t i, nkeep = 0;
	int rc, ret = -1;

	if (db_begin(to, err) < 0)
		return -1;
	/* the new vault's objects settings, as vault_init_objects wrote them */
	if (db_prepare(to, "SELECT key, value FROM meta WHERE key LIKE 'objects.%'", &st,
		       err) < 0)
		goto out;
	while ((rc = db_step(st)) == DB_ROW) {
		keep = xreallocarray(keep, 2 * (nkeep + 1), sizeof(*keep));
		keep[2 * nkeep] = xstrdup((const char *)db_col_text(st, 0));
		keep[2 * nkeep + 1] = xstrdup((const char *)db_col_text(st, 1));
		nkeep++;
	}
	if (rc != DB_DONE) {
		db_err(to, err, "cannot read the new vault's settings");
		goto out;
	}
	db_finalize(st);
	st = NULL;
	if (db_exec(to, "DELETE FROM meta", err) < 0)
		goto out;
	for (i = 0; i < t->n; i++) {
		if (copy_table(from, to, t->name[i], &rows, err) < 0)
			goto out;
		rep->tables++;
		rep->rows += rows;
		if (o->progress)
			o->progress(o->arg, "tables", rep->tables, t->n);
	}
	if (db_exec(to, "DELETE FROM meta WHERE key LIKE 'objects.%'", err) < 0)
		goto out;
	for (i = 0; i < nkeep; i++)
		if (db_meta_set(to, keep[2 * i], keep[2 * i + 1], err) < 0)
			goto out;
	if (sequences_set(to, err) < 0 || ledger_check(to, rep, err) < 0)
		goto out;
	if (test_fail && strcmp(test_fail, "rows") == 0) {
		cf_err_set(err, CF_EIO, "test: failing before the commit (CASEFILE_TEST_MIGRATE_FAIL)");
		goto out;
	}
	ret = db_commit(to, err);
out:
	db_finalize(st);
	for (i = 0; i < 2 * nkeep; i++)
		free(keep[i]);
	free(keep);
	if (ret < 0)
		db_rollback(to);
	return ret;
}

/* --- the run ---------------------------------------------------------- */

/* The source's objects setting, when the target keeps it (no --objects). */
static void
objects_inherit(struct cf_db *db, struct vault_objects *t, char **keep)
{
	char *days;

	keep[0] = db_setting(db, "objects.url");
	if (keep[0] == NULL)
		return;
	keep[1] = db_setting(db, "objects.endpoint");
	keep[2] = db_setting(db, "objects.region");
	days = db_setting(db, "objects.retention_days");
	keep[3] = days ? xasprintf("%sd", days) : NULL;
	free(days);
	t->url = keep[0];
	t->endpoint = keep[1];
	t->region = keep[2];
	t->retention = keep[3];
}

/*
 * TO must not exist, or be an empty folder (replaced by the rename), and
 * must not be inside the source folder (its files are copied).
 */
static int
to_check(const char *src, const char *to, struct cf_err *err)
{
	DIR *d;
	struct dirent *de;
	int empty = 1, inside;
	char *parent = xstrdup(to), *slash = strrchr(parent, '/');
	char *rs = realpath(src, NULL), *rp;

	if (slash)
		*(slash == parent ? slash + 1 : slash) = '\0';
	rp = realpath(slash ? parent : ".", NULL);
	inside = rs && rp && strncmp(rp, rs, strlen(rs)) == 0 &&
		 (rp[strlen(rs)] == '\0' || rp[strlen(rs)] == '/');
	free(parent);
	free(rs);
	free(rp);
	if (inside)
		return cf_err_set(err, CF_EINPUT, "'%s' is inside the vault '%s': the new vault "
				  "must be a folder of its own", to, src);

	if ((d = opendir(to)) == NULL) {
		if (errno == ENOENT)
			return 0;
		if (errno == ENOTDIR)
			return cf_err_set(err, CF_EINPUT, "'%s' exists and is not a folder", to);
		return cf_err_errno(err, CF_EIO, "cannot read '%s'", to);
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	if (!empty)
		return cf_err_set(err, CF_EINPUT, "'%s' is not empty: migrate makes a new vault "
				  "folder", to);
	return 0;
}

int
migrate_run(struct vault *src, const struct migrate_opts *o, struct migrate_report *rep,
	    struct cf_err *err)
{
	struct cf_db *sdb = vault_db(src);
	struct vault_objects target = o->target;
	struct tables t = { NULL, 0 };
	struct marker m = { NULL, NULL };
	struct vault *dst = NULL;
	char *keep[4] = { NULL, NULL, NULL, NULL };
	char *part = xasprintf("%s" PART_SUFFIX, o->to), *newdir = NULL, *path = NULL;
	long days;
	int had, ret = -1;
	size_t i;

	memset(rep, 0, sizeof(*rep));
	if (db_filename(sdb) == NULL) {
		cf_err_set(err, CF_EINPUT, "vault '%s' keeps its records in PostgreSQL already: "
			   "migrate copies an embedded vault", vault_dir(src));
		goto out;
	}
	if ((rep->vault_id = db_meta_get(sdb, "vault_id")) == NULL) {
		cf_err_set(err, CF_EINPUT, "vault '%s' has no vault id", vault_dir(src));
		goto out;
	}
	if (vault_lock_exclusive(src, o->no_wait, err) < 0) {
		cf_err_prefix(err, "another casefile command has vault '%s' open", vault_dir(src));
		goto out;
	}
	if (target.url == NULL)
		objects_inherit(sdb, &target, keep);
	rep->objects_url = target.url ? xstrdup(target.url) : NULL;
	/* 1. check everything before anything is made */
	if (to_check(vault_dir(src), o->to, err) < 0 || tables_load(sdb, &t, err) < 0)
		goto out;
	if ((had = marker_read(part, &m, err)) < 0)
		goto out;
	if (had && strcmp(m.vault_id, rep->vault_id) != 0) {
		cf_err_set(err, CF_EINPUT, "'%s' holds an unfinished migration of vault %s, not of "
			   "%s: remove it first", part, m.vault_id, rep->vault_id);
		goto out;
	}
	if (had && (m.db ? target.db == NULL || strcmp(m.db, target.db) != 0 : target.db != NULL)) {
		cf_err_set(err, CF_EINPUT, "'%s' holds an unfinished migration into %s: run it "
			   "again with the same --db, or remove the folder", part,
			   m.db ? "another database" : "SQLite");
		goto out;
	}
	if (!had && access(part, F_OK) == 0 && rmdir(part) < 0) {
		cf_err_errno(err, CF_EINPUT, "'%s' exists and is not an unfinished migration", part);
		goto out;
	}
	if (target.url && vault_objects_check(&target, &days, err) < 0)
		goto out;
	if (target.db && target_db_check(target.db, rep->vault_id, &t, &m, &rep->restarted,
					 err) < 0)
		goto out;
	if (had) {
		rep->restarted = 1;
		if (remove_tree(part, err) < 0)
			goto out;
	}
	/* 2. the new vault, its objects */
	newdir = xasprintf("%s/vault", part);
	if (mkdir(part, 0700) < 0) {
		cf_err_errno(err, CF_EIO, "cannot create '%s'", part);
		goto out;
	}
	if (marker_write(part, rep->vault_id, target.db, err) < 0 ||
	    vault_init_objects(newdir, &target, err) < 0 ||
	    vault_open(newdir, 0, &dst, err) < 0 || copy_objects(src, dst, o, rep, err) < 0)
		goto out;
	/* 3. the rows, checked; 4. the files */
	if (copy_rows(src, dst, &t, o, rep, err) < 0 ||
	    copy_tree(vault_dir(src), newdir, 1, err) < 0)
		goto out;
	vault_close(dst);
	dst = NULL;
	path = xasprintf("%s/cache", newdir);	/* a copy of what was uploaded */
	if (remove_tree(path, err) < 0)
		goto out;
	if (test_fail && strcmp(test_fail, "commit") == 0) {
		cf_err_set(err, CF_EIO, "test: failing before the rename (CASEFILE_TEST_MIGRATE_FAIL)");
		goto out;
	}
	if (rename(newdir, o->to) < 0) {
		cf_err_errno(err, CF_EIO, "cannot rename '%s' to '%s'", newdir, o->to);
		goto out;
	}
	free(path);
	path = xasprintf("%s/" MARKER, part);
	if (unlink(path) < 0 || rmdir(part) < 0) {
		cf_err_errno(err, CF_EIO, "cannot remove '%s'", part);
		goto out;
	}
	ret = 0;
out:
	vault_close(dst);
	vault_lock_shared(src);
	tables_release(&t);
	marker_release(&m);
	for (i = 0; i < 4; i++)
		free(keep[i]);
	free(newdir);
	free(path);
	free(part);
	return ret;
}

void
migrate_report_release(struct migrate_report *rep)
{
	if (rep == NULL)
		return;
	free(rep->vault_id);
	free(rep->objects_url);
	rep->vault_id = rep->objects_url = NULL;
}

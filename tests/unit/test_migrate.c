/* SPDX-License-Identifier: MIT */
/*
 * test_migrate — the marker of an unfinished run (well-formed and
 * malformed), and migrate_run without services: an embedded vault copied
 * into a new embedded folder (the generic copy, the ledger recomputed, the
 * files along), with its tamper twins — an object whose bytes changed, a
 * ledger leaf that changed — and the refusals and re-runs of migrate.h.
 */
#include "testutil.h"

#include <sys/stat.h>

#include "casefile/db_stmt.h"
#include "casefile/hash.h"
#include "casefile/migrate.h"
#include "vaultfix.h"

static void
expect_marker(const char *s, const char *id, const char *db)
{
	struct cf_err err = CF_ERR_INIT;
	char *a = NULL, *b = NULL;

	if (migrate_marker_parse(s, strlen(s), &a, &b, &err) < 0)
		fail_msg("'%s': %s", s, err.msg);
	assert_string_equal(a, id);
	if (db)
		assert_string_equal(b, db);
	else
		assert_null(b);
	free(a);
	free(b);
}

static void
expect_bad_marker(const char *s, size_t n, const char *why)
{
	struct cf_err err = CF_ERR_INIT;
	char *a = (char *)1, *b = (char *)1;

	assert_int_equal(migrate_marker_parse(s, n, &a, &b, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_non_null(strstr(err.msg, why));
	assert_null(a);
	assert_null(b);
	cf_err_release(&err);
}

static void
test_marker(void **state)
{
	(void)state;
	expect_marker("4b9acb99-2e3b-4b9f-8062-288140fed735\npostgresql:///x?host=/s\n",
		      "4b9acb99-2e3b-4b9f-8062-288140fed735", "postgresql:///x?host=/s");
	expect_marker("abc\n\n", "abc", NULL);
	expect_marker("ABC-1\npostgres://u@h/d\n", "ABC-1", "postgres://u@h/d");
	expect_bad_marker("", 0, "no end of line after the vault id");
	expect_bad_marker("abc", 3, "no end of line after the vault id");
	expect_bad_marker("\n\n", 2, "no vault id");
	expect_bad_marker("ab/c\n\n", 6, "bad vault id");
	expect_bad_marker("abc\npostgresql:///x", 19, "no end of line after the database");
	expect_bad_marker("abc\n\nmore\n", 10, "text after the database line");
	expect_bad_marker("abc\n/tmp/x.db\n", 14, "not a postgresql:// URL");
	expect_bad_marker("ab\0c\n\n", 6, "a NUL byte");
	expect_bad_marker("0123456789012345678901234567890123456789012345678901234567890123456789\n\n",
			  72, "no vault id");
}

static void
fill(struct vaultfix *f)
{
	f->id[0] = vaultfix_ingest_str(f->v, "6931000000000001", "a.txt", "first item\n");
	f->id[1] = vaultfix_ingest_str(f->v, "6931000000000001", "b.txt", "second item\n");
	f->id[2] = vaultfix_ingest_str(f->v, "6931000000000002", "c.txt", "third item\n");
}

static int
setup(void **state)
{
	return vaultfix_setup(state, fill);
}

static int64_t
count(struct cf_db *db, const char *sql)
{
	struct db_stmt *st = NULL;
	struct cf_err err = CF_ERR_INIT;
	int64_t n;

	assert_int_equal(db_prepare(db, sql, &st, &err), 0);
	assert_int_equal(db_step(st), DB_ROW);
	n = db_col_int64(st, 0);
	db_finalize(st);
	return n;
}

static int
migrate(struct vaultfix *f, struct migrate_report *rep, struct cf_err *err)
{
	struct migrate_opts o;

	memset(&o, 0, sizeof(o));
	o.to = "new";
	o.no_wait = 1;
	return migrate_run(f->v, &o, rep, err);
}

static void
test_copy(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct migrate_report rep;
	struct vault *n = NULL;
	char *a, *b;
	struct stat st;

	test_write_file("v/keys/signing.key", "not a real key\n", 15);
	assert_int_equal(chmod("v/keys/signing.key", 0600), 0);
	if (migrate(f, &rep, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(rep.objects, 3);
	assert_int_equal(rep.objects_new, 3);
	assert_int_equal(rep.leaves, 3);
	assert_int_equal(rep.restarted, 0);
	assert_true(rep.tables >= 10);
	assert_int_equal(stat("new.migrating", &st), -1);
	assert_int_equal(stat("new/keys/signing.key", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(vault_open("new", 0, &n, &err), 0);
	a = db_meta_get(vault_db(f->v), "vault_id");
	b = db_meta_get(vault_db(n), "vault_id");
	assert_string_equal(a, b);
	assert_string_equal(rep.vault_id, a);
	free(a);
	free(b);
	assert_int_equal(count(vault_db(n), "SELECT count(*) FROM evidence"), 3);
	assert_int_equal(count(vault_db(n), "SELECT max(id) FROM evidence"), f->id[2]);
	assert_int_equal(count(vault_db(n), "SELECT count(*) FROM ledger_nodes"),
			 count(vault_db(f->v), "SELECT count(*) FROM ledger_nodes"));
	vault_close(n);
	migrate_report_release(&rep);
	/* a second run: the folder exists now */
	assert_int_equal(migrate(f, &rep, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_non_null(strstr(err.msg, "'new' is not empty"));
	cf_err_release(&err);
	migrate_report_release(&rep);
	/* nor into the source's own folder, whose files it copies */
	{
		struct migrate_opts o;

		memset(&o, 0, sizeof(o));
		o.to = "v/keys/new";
		assert_int_equal(migrate_run(f->v, &o, &rep, &err), -1);
		assert_int_equal(err.code, CF_EINPUT);
		assert_non_null(strstr(err.msg, "is inside the vault"));
		cf_err_release(&err);
		migrate_report_release(&rep);
		assert_int_equal(stat("v/keys/new.migrating", &st), -1);
	}
}

/* Tamper twin: an object whose bytes changed in the source is not copied. */
static void
test_changed_object(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct migrate_report rep;
	unsigned char sha[CF_SHA256_LEN];
	char *path;
	struct stat st;

	cf_sha256("second item\n", 12, sha);
	path = vault_object_path(f->v, sha);
	assert_int_equal(chmod(path, 0644), 0);
	test_write_file(path, "second itex\n", 12);
	assert_int_equal(migrate(f, &rep, &err), -1);
	assert_int_equal(err.code, CF_EVERIFY);
	assert_non_null(strstr(err.msg, "do not hash to its name"));
	cf_err_release(&err);
	migrate_report_release(&rep);
	assert_int_equal(stat("new", &st), -1);
	/* put right, the re-run clears the unfinished copy and completes */
	test_write_file(path, "second item\n", 12);
	if (migrate(f, &rep, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(rep.restarted, 1);
	assert_int_equal(rep.objects, 3);
	migrate_report_release(&rep);
	free(path);
}

/* Tamper twin: a leaf that no longer matches its row is refused. */
static void
test_changed_leaf(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct migrate_report rep;
	struct stat st;

	assert_int_equal(db_exec(vault_db(f->v), "UPDATE ledger_nodes SET hash = "
				 "zeroblob(32) WHERE level = 0 AND idx = 1", &err), 0);
	assert_int_equal(migrate(f, &rep, &err), -1);
	assert_int_equal(err.code, CF_EVERIFY);
	assert_non_null(strstr(err.msg, "the copied ledger does not check"));
	assert_non_null(strstr(err.msg, "does not hash to its leaf"));
	cf_err_release(&err);
	migrate_report_release(&rep);
	assert_int_equal(stat("new", &st), -1);
}

/* Stopped before the commit, then after it: a re-run completes once. */
static void
test_rerun(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct migrate_report rep;
	struct vault *n = NULL;
	struct stat st;
	static const char *const modes[] = { "rows", "commit" };
	size_t i;

	for (i = 0; i < 2; i++) {
		migrate_test_fail(modes[i]);
		assert_int_equal(migrate(f, &rep, &err), -1);
		assert_non_null(strstr(err.msg, "test: failing"));
		cf_err_release(&err);
		migrate_report_release(&rep);
		assert_int_equal(stat("new", &st), -1);
		assert_int_equal(stat("new.migrating/MIGRATING", &st), 0);
	}
	migrate_test_fail(NULL);
	if (migrate(f, &rep, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(rep.restarted, 1);
	migrate_report_release(&rep);
	assert_int_equal(vault_open("new", 0, &n, &err), 0);
	assert_int_equal(count(vault_db(n), "SELECT count(*) FROM evidence"), 3);
	vault_close(n);
	/* a part folder that is not a migration's is left alone */
	assert_int_equal(mkdir("other.migrating", 0755), 0);
	test_write_file("other.migrating/x", "x", 1);
	{
		struct migrate_opts o;

		memset(&o, 0, sizeof(o));
		o.to = "other";
		assert_int_equal(migrate_run(f->v, &o, &rep, &err), -1);
		assert_int_equal(err.code, CF_EINPUT);
		assert_non_null(strstr(err.msg, "is not an unfinished migration"));
		cf_err_release(&err);
		migrate_report_release(&rep);
	}
	assert_int_equal(stat("other.migrating/x", &st), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marker),
		cmocka_unit_test_setup_teardown(test_copy, setup, vaultfix_teardown),
		cmocka_unit_test_setup_teardown(test_changed_object, setup, vaultfix_teardown),
		cmocka_unit_test_setup_teardown(test_changed_leaf, setup, vaultfix_teardown),
		cmocka_unit_test_setup_teardown(test_rerun, setup, vaultfix_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

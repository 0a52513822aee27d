/* SPDX-License-Identifier: MIT */
/*
 * test_audit — audit_run on a real vault filled through ingest: a clean
 * vault, the same verdict on 1 and 4 threads, each kind of problem with its
 * subject, and --fast's blind spot (same-size change) stated as a test.
 */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "casefile/audit.h"
#include "casefile/db.h"
#include "casefile/db_sqlite.h"
#include "casefile/ingest.h"
#include "casefile/seal.h"
#include "casefile/vault.h"

struct fx {
	void *dir;
	struct vault *v;
	EVP_PKEY *key;
	char paths[8][128];	/* object paths of the 8 items */
};

static int
setup(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct fx *f = calloc(1, sizeof(*f));
	struct ingest *in;
	struct seal_opts o;
	int i, sealed;

	if (test_tmpdir_setup(&f->dir) < 0 || vault_init("v", &err) < 0 ||
	    vault_open("v", 0, &f->v, &err) < 0 || ingest_begin(f->v, NULL, NULL, &in, &err) < 0)
		return -1;
	for (i = 0; i < 8; i++) {
		struct ingest_item it = { "6931000000000001", NULL, NULL, NULL, -1, -1, NULL, NULL };
		struct ingest_result res;
		char name[32], body[64];
		char *op;
		int fd;

		snprintf(name, sizeof(name), "note%d.txt", i);
		snprintf(body, sizeof(body), "evidence note number %d\n", i);
		test_write_file(name, body, strlen(body));
		it.name = name;
		it.source_path = name;
		fd = open(name, O_RDONLY);
		if (fd < 0 || ingest_fd(in, &it, fd, &res, &err) < 0)
			return -1;
		close(fd);
		op = vault_object_path(f->v, res.sha256);
		snprintf(f->paths[i], sizeof(f->paths[i]), "%s", op);
		free(op);
	}
	if (ingest_commit(in, &err) < 0)
		return -1;
	ingest_free(in);
	f->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	memset(&o, 0, sizeof(o));
	o.key = f->key;
	o.now = 1746238400;
	if (seal_run(vault_db(f->v), &o, NULL, &sealed, NULL, &err) < 0 || !sealed)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	vault_close(f->v);
	EVP_PKEY_free(f->key);
	*state = f->dir;
	free(f);
	return test_tmpdir_teardown(state);
}

static int
has_problem(const struct audit_report *r, enum audit_kind k, const char *subject_part)
{
	size_t i;

	for (i = 0; i < r->nproblems; i++)
		if (r->problems[i].kind == k && strstr(r->problems[i].subject, subject_part))
			return 1;
	return 0;
}

static void
test_clean_and_threads(void **state)
{
	struct fx *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct audit_report r1, r4;

	assert_int_equal(audit_run(f->v, f->key, 0, 1, &r1, &err), 0);
	assert_int_equal(r1.nproblems, 0);
	assert_int_equal(r1.objects, 8);
	assert_int_equal(r1.matched, 8);
	assert_int_equal(r1.leaves, 8);
	assert_int_equal(r1.heads, 1);
	assert_true(r1.bytes > 0);
	assert_int_equal(audit_run(f->v, f->key, 0, 4, &r4, &err), 0);
	assert_int_equal(r4.matched, 8);
	assert_int_equal(r4.bytes, r1.bytes);
	audit_report_release(&r1);
	audit_report_release(&r4);
	/* No key: the heads cannot be vouched for. */
	assert_int_equal(audit_run(f->v, NULL, 0, 2, &r1, &err), 0);
	assert_int_equal(r1.heads_bad, 1);
	assert_true(has_problem(&r1, AUDIT_HEAD, "head 8"));
	audit_report_release(&r1);
}

static void
test_problems(void **state)
{
	struct fx *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct audit_report r;
	struct cf_db *db = vault_db(f->v);
	FILE *fp;

	/* Same-size change: found by a full audit, not by --fast. */
	chmod(f->paths[1], 0644);
	fp = fopen(f->paths[1], "r+");
	assert_non_null(fp);
	fputc('E', fp);
	fclose(fp);
	assert_int_equal(audit_run(f->v, f->key, AUDIT_FAST, 2, &r, &err), 0);
	assert_int_equal(r.nproblems, 0);
	audit_report_release(&r);
	assert_int_equal(audit_run(f->v, f->key, 0, 2, &r, &err), 0);
	assert_int_equal(r.changed, 1);
	assert_int_equal(r.nproblems, 1);
	assert_int_equal(r.problems[0].kind, AUDIT_CHANGED);
	audit_report_release(&r);

	/* Missing file, a stray file, an edited row. */
	assert_int_equal(unlink(f->paths[2]), 0);
	test_write_file("v/objects/stray", "x", 1);
	assert_int_equal(sqlite3_exec(db_sqlite(db), "UPDATE evidence SET order_id = '6931000000000009' "
				      "WHERE name = 'note5.txt'", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(audit_run(f->v, f->key, 0, 2, &r, &err), 0);
	assert_int_equal(r.missing, 1);
	assert_int_equal(r.rows_no_object, 1);
	assert_int_equal(r.unexpected, 1);
	assert_int_equal(r.leaves_bad, 1);
	assert_int_equal(r.heads_bad, 1);
	assert_true(has_problem(&r, AUDIT_MISSING, "object "));
	assert_true(has_problem(&r, AUDIT_ROW_NO_OBJECT, "'note2.txt'"));
	assert_true(has_problem(&r, AUDIT_UNEXPECTED, "objects/stray"));
	assert_true(has_problem(&r, AUDIT_LEAF, "leaf 5 (evidence row"));
	assert_true(has_problem(&r, AUDIT_HEAD, "head 8"));
	assert_string_equal(audit_kind_name(AUDIT_ROW_NO_OBJECT), "row-without-object");
	audit_report_release(&r);
	cf_err_release(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean_and_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_problems, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * test_rederive — the re-parse comparison on a real vault filled through
 * ingest: a clean row matches; an edited, a deleted and an added parsed row
 * are each named with table, seq and column; a row ingested with a forced
 * kind still matches; an evidence row edited away from its leaf is named;
 * a missing object is "cannot re-parse" (1), not a finding.
 */
#include "testutil.h"

#include <fcntl.h>
#include <unistd.h>

#include "casefile/db.h"
#include "casefile/db_sqlite.h"
#include "casefile/ingest.h"
#include "casefile/parse.h"
#include "casefile/rederive.h"
#include "casefile/vault.h"

static const char chat[] =
	"{\"order_id\": \"A1\", \"messages\": ["
	"{\"time\": \"2025-05-03 10:12\", \"from\": \"buyer\", \"text\": \"杯子裂了\"},"
	"{\"time\": \"2025-05-03 10:14\", \"from\": \"merchant\", \"text\": \"请拍照\"}]}";

struct fx {
	void *dir;
	struct vault *v;
	struct rederive *r;
	int64_t chat_id, forced_id;
	unsigned char chat_sha[32];
};

static int64_t
ingest_one(struct vault *v, const char *name, const char *body, int kind, unsigned char *sha)
{
	struct cf_err err = CF_ERR_INIT;
	struct ingest_item it = { "A1", NULL, NULL, NULL, -1, -1, NULL, NULL };
	struct ingest_result res;
	struct ingest *in;
	int fd;

	test_write_file(name, body, strlen(body));
	it.name = name;
	it.kind = kind;
	fd = open(name, O_RDONLY);
	if (fd < 0 || ingest_begin(v, NULL, NULL, &in, &err) < 0 ||
	    ingest_fd(in, &it, fd, &res, &err) < 0 || ingest_commit(in, &err) < 0)
		return -1;
	ingest_free(in);
	close(fd);
	if (sha)
		memcpy(sha, res.sha256, 32);
	return res.evidence_id;
}

static int
setup(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct fx *f = calloc(1, sizeof(*f));

	if (test_tmpdir_setup(&f->dir) < 0 || vault_init("v", &err) < 0 ||
	    vault_open("v", 0, &f->v, &err) < 0)
		return -1;
	f->chat_id = ingest_one(f->v, "chat.json", chat, -1, f->chat_sha);
	/* a chat log forced to kind "other": no rows, no warnings */
	f->forced_id = ingest_one(f->v, "other.json", "{\"messages\": []}", CF_KIND_OTHER, NULL);
	if (f->chat_id < 0 || f->forced_id < 0 || rederive_open(f->v, &f->r, &err) < 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	rederive_close(f->r);
	vault_close(f->v);
	*state = f->dir;
	free(f);
	return test_tmpdir_teardown(state);
}

static void
exec(struct fx *f, const char *sql)
{
	assert_int_equal(sqlite3_exec(db_sqlite(vault_db(f->v)), sql, NULL, NULL, NULL), SQLITE_OK);
}

/* rederive_check(chat) must find want (NULL: nothing). */
static void
expect(struct fx *f, int64_t id, const char *want)
{
	struct cf_err err = CF_ERR_INIT;
	int r = rederive_check(f->r, id, &err);

	if (want == NULL) {
		assert_int_equal(r, 0);
		assert_null(rederive_detail(f->r));
	} else {
		assert_int_equal(r, -1);
		assert_int_equal(err.code, CF_EVERIFY);
		assert_non_null(rederive_detail(f->r));
		assert_string_equal(rederive_detail(f->r), want);
		assert_non_null(strstr(rederive_subject(f->r), "('chat.json', order A1)"));
	}
	cf_err_release(&err);
}

static void
test_clean(void **state)
{
	struct fx *f = *state;

	expect(f, f->chat_id, NULL);
	expect(f, f->forced_id, NULL);
}

static void
test_edits(void **state)
{
	struct fx *f = *state;

	exec(f, "UPDATE messages SET text = '收到了' WHERE seq = 1");
	expect(f, f->chat_id, "messages seq 1: text differs from the sealed original (edited?)");
	exec(f, "UPDATE messages SET text = '杯子裂了' WHERE seq = 1");
	expect(f, f->chat_id, NULL);
	exec(f, "UPDATE messages SET time = NULL WHERE seq = 2");
	expect(f, f->chat_id, "messages seq 2: time differs from the sealed original (edited?)");
}

static void
test_deleted_added(void **state)
{
	struct fx *f = *state;
	char sql[200];

	exec(f, "DELETE FROM messages WHERE seq = 1");
	expect(f, f->chat_id, "messages seq 1: row of the sealed original is missing (deleted?)");
	snprintf(sql, sizeof(sql), "INSERT INTO messages(evidence_id, seq, sender, text) "
		 "VALUES(%lld, 1, 'buyer', '杯子裂了')", (long long)f->chat_id);
	exec(f, sql);
	expect(f, f->chat_id, "messages seq 1: time differs from the sealed original (edited?)");
	snprintf(sql, sizeof(sql), "INSERT INTO messages(evidence_id, seq, sender, text) "
		 "VALUES(%lld, 3, 'buyer', 'x')", (long long)f->chat_id);
	exec(f, "DELETE FROM messages WHERE seq = 1");
	exec(f, sql);
	/* seq 1 missing is met first */
	expect(f, f->chat_id, "messages seq 1: row of the sealed original is missing (deleted?)");
}

static void
test_leaf_and_object(void **state)
{
	struct fx *f = *state;
	struct cf_err err = CF_ERR_INIT;
	char *path;

	exec(f, "UPDATE evidence SET kind = 'other' WHERE name = 'chat.json'");
	assert_int_equal(rederive_check(f->r, f->chat_id, &err), -1);
	assert_int_equal(err.code, CF_EVERIFY);
	assert_non_null(strstr(err.msg, "no longer hashes to its ledger leaf"));
	cf_err_release(&err);
	exec(f, "UPDATE evidence SET kind = 'chat' WHERE name = 'chat.json'");
	path = vault_object_path(f->v, f->chat_sha);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rederive_check(f->r, f->chat_id, &err), 1);
	assert_null(rederive_detail(f->r));
	cf_err_release(&err);
	free(path);
	assert_int_equal(rederive_check(f->r, 12345, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	cf_err_release(&err);
}

struct findings {
	int n;
	char last[300];
};

static void
finding(void *cookie, int64_t id, const char *subject, const char *detail)
{
	struct findings *f = cookie;

	(void)id;
	f->n++;
	snprintf(f->last, sizeof(f->last), "%s: %s", subject, detail);
}

/* The two-thread pass over every row finds the same, and orphan rows. */
static void
test_check_all(void **state)
{
	struct fx *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct findings fd = { 0, "" };
	uint64_t checked = 0;

	assert_int_equal(rederive_check_all(f->r, finding, &fd, &checked, &err), 0);
	assert_int_equal(checked, 2);
	assert_int_equal(fd.n, 0);
	exec(f, "UPDATE messages SET sender = 'platform' WHERE seq = 2");
	assert_int_equal(rederive_check_all(f->r, finding, &fd, &checked, &err), 0);
	assert_int_equal(fd.n, 1);
	assert_non_null(strstr(fd.last, "('chat.json', order A1): messages seq 2: sender differs"));
	exec(f, "PRAGMA foreign_keys = OFF; INSERT INTO media(evidence_id, format) VALUES(777, 'jpeg')");
	fd.n = 0;
	assert_int_equal(rederive_check_all(f->r, finding, &fd, &checked, &err), 0);
	assert_int_equal(fd.n, 2);
	assert_string_equal(fd.last, "media of evidence row 777: 1 row of an evidence row that "
			    "does not exist (added?)");
	cf_err_release(&err);
}

/* rederive_repair puts back the original's rows, and leaves a forged leaf alone. */
static void
test_repair(void **state)
{
	struct fx *f = *state;
	struct cf_err err = CF_ERR_INIT;
	int changed = -1;

	exec(f, "DELETE FROM messages WHERE seq = 1; UPDATE messages SET text = 'x' WHERE seq = 2");
	exec(f, "BEGIN IMMEDIATE");
	assert_int_equal(rederive_repair(f->r, f->chat_id, &changed, &err), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(rederive_repair(f->r, f->forced_id, &changed, &err), 0);
	assert_int_equal(changed, 0);
	exec(f, "COMMIT");
	expect(f, f->chat_id, NULL);
	exec(f, "UPDATE evidence SET name = 'x.json' WHERE id = 1; UPDATE messages SET text = 'x'");
	exec(f, "BEGIN IMMEDIATE");
	assert_int_equal(rederive_repair(f->r, f->chat_id, &changed, &err), 1);
	assert_int_equal(changed, 0);
	assert_non_null(strstr(err.msg, "no longer hashes to its ledger leaf"));
	exec(f, "ROLLBACK");
	cf_err_release(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_added, setup, teardown),
		cmocka_unit_test_setup_teardown(test_leaf_and_object, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repair, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * test_ingest — the two-step ingest used by the import pipeline: staging
 * without parsing and recording later, duplicates, discarding staged items,
 * whole-batch mode, where a failing record leaves the batch to be rolled
 * back with every object it created, items recorded a batch after they
 * were staged, and the clean-up that keeps objects others have recorded.
 */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "casefile/db_sqlite.h"

#include "casefile/ingest.h"
#include "casefile/vault.h"

static const char chat[] =
	"{\"order_id\": \"6931000000000001\", \"messages\": ["
	"{\"time\": \"2025-05-03T10:12:00+08:00\", \"from\": \"buyer\", \"text\": \"cracked\"},"
	"{\"time\": \"2025-05-03T10:14:05+08:00\", \"from\": \"merchant\", \"text\": \"photo please\"}]}";

static long long
count(struct vault *v, const char *sql)
{
	sqlite3_stmt *st;
	long long n;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(vault_db(v)), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Stage the bytes of `data` as file `name` of order 6931000000000001. */
static int
stage(struct ingest *in, const char *name, const char *data, int parse_now,
      struct ingest_staged **s, struct cf_err *err)
{
	struct ingest_item it = { "6931000000000001", name, name, NULL, -1, -1, NULL, NULL };
	int fd, r;

	test_write_file(name, data, strlen(data));
	fd = open(name, O_RDONLY);
	assert_true(fd >= 0);
	r = ingest_stage(in, &it, NULL, NULL, fd, parse_now, s, err);
	close(fd);
	return r;
}

static int
object_exists(struct vault *v, const unsigned char sha[CF_SHA256_LEN])
{
	char *path = vault_object_path(v, sha);
	struct stat st;
	int r = stat(path, &st) == 0;

	free(path);
	return r;
}

/* One batch holding one staged file: begin, stage, record, commit. */
static void
ingest_one(struct vault *v, const char *name, const char *data, int parse_now,
	   struct ingest_result *res)
{
	struct cf_err err = CF_ERR_INIT;
	struct ingest *in;
	struct ingest_staged *s;

	assert_int_equal(ingest_begin(v, NULL, NULL, &in, &err), 0);
	assert_int_equal(stage(in, name, data, parse_now, &s, &err), 0);
	assert_int_equal(ingest_record(in, s, res, &err), 0);
	assert_int_equal(ingest_commit(in, &err), 0);
	ingest_free(in);
}

static void
open_vault(struct vault **v)
{
	struct cf_err err = CF_ERR_INIT;

	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, v, &err), 0);
}

static void
test_record_parses_late(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v;
	struct ingest *in;
	struct ingest_staged *s;
	struct ingest_result res;

	(void)state;
	open_vault(&v);
	assert_int_equal(ingest_begin(v, NULL, NULL, &in, &err), 0);
	assert_int_equal(stage(in, "chat.json", chat, 0, &s, &err), 0);
	/* not parsed yet: it holds the raw bytes */
	assert_int_equal(ingest_staged_cost(s), strlen(chat));
	assert_int_equal(ingest_record(in, s, &res, &err), 0);
	assert_string_equal(res.kind, "chat");
	assert_false(res.duplicate);
	assert_true(res.new_object);
	assert_int_equal(ingest_commit(in, &err), 0);
	ingest_free(in);
	assert_int_equal(count(v, "SELECT count(*) FROM messages"), 2);
	assert_int_equal(count(v, "SELECT count(*) FROM evidence WHERE leaf_index = 0"), 1);

	/* the same bytes again: a duplicate, recorded without parsing */
	ingest_one(v, "chat.json", chat, 0, &res);
	assert_true(res.duplicate);
	assert_false(res.new_object);
	assert_int_equal(count(v, "SELECT count(*) FROM messages"), 2);
	assert_int_equal(count(v, "SELECT count(*) FROM evidence"), 1);
	vault_close(v);
}

static void
test_parse_now_same_rows(void **state)
{
	struct vault *v;
	struct ingest_result res;

	(void)state;
	open_vault(&v);
	ingest_one(v, "chat.json", chat, 1, &res);
	assert_string_equal(res.kind, "chat");
	assert_int_equal(count(v, "SELECT count(*) FROM messages WHERE text = 'photo please'"
			      " AND sender = 'merchant'"), 1);
	vault_close(v);
}

static void
test_discard_drops_object(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v;
	struct ingest *in;
	struct ingest_staged *s, *s2;
	struct ingest_result res;
	unsigned char sha[CF_SHA256_LEN], sha2[CF_SHA256_LEN];

	(void)state;
	open_vault(&v);
	assert_int_equal(ingest_begin(v, NULL, NULL, &in, &err), 0);
	assert_int_equal(stage(in, "a.bin", "first bytes", 1, &s, &err), 0);
	assert_int_equal(ingest_record(in, s, &res, &err), 0);
	memcpy(sha, res.sha256, sizeof(sha));
	assert_true(object_exists(v, sha));
	assert_int_equal(stage(in, "b.bin", "second bytes", 0, &s2, &err), 0);
	cf_sha256("second bytes", strlen("second bytes"), sha2);
	assert_true(object_exists(v, sha2));
	ingest_discard(in, s2);
	/* rolled back: no row, and neither object stays */
	ingest_free(in);
	assert_int_equal(count(v, "SELECT count(*) FROM evidence"), 0);
	assert_false(object_exists(v, sha));
	assert_false(object_exists(v, sha2));
	vault_close(v);
}

static void
test_whole_batch_failure(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v;
	struct ingest *in;
	struct ingest_staged *s;
	struct ingest_result res;
	unsigned char sha[CF_SHA256_LEN];

	(void)state;
	open_vault(&v);
	/* something committed before stays */
	ingest_one(v, "old.bin", "committed earlier", 1, &res);

	assert_int_equal(ingest_begin(v, NULL, NULL, &in, &err), 0);
	ingest_whole_batch(in);
	assert_int_equal(stage(in, "a.bin", "recorded, then rolled back", 1, &s, &err), 0);
	assert_int_equal(ingest_record(in, s, &res, &err), 0);
	memcpy(sha, res.sha256, sizeof(sha));
	/* the database refuses the chat's messages */
	assert_int_equal(sqlite3_exec(db_sqlite(vault_db(v)),
				      "CREATE TEMP TRIGGER boom BEFORE INSERT ON main.messages "
				      "BEGIN SELECT RAISE(ABORT, 'no more room'); END;",
				      NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(stage(in, "chat.json", chat, 0, &s, &err), 0);
	assert_int_equal(ingest_record(in, s, &res, &err), -1);
	assert_non_null(strstr(err.msg, "no more room"));
	cf_err_release(&err);
	ingest_free(in);
	assert_int_equal(count(v, "SELECT count(*) FROM evidence"), 1);
	assert_int_equal(count(v, "SELECT count(*) FROM evidence WHERE name = 'old.bin'"), 1);
	assert_int_equal(count(v, "SELECT count(*) FROM messages"), 0);
	assert_false(object_exists(v, sha));
	vault_close(v);
}

/* A pipeline may stage an item in one batch and record it in the next. */
static void
test_record_in_next_batch(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v;
	struct ingest *in;
	struct ingest_staged *s;
	struct ingest_result res;

	(void)state;
	open_vault(&v);
	assert_int_equal(ingest_begin(v, NULL, NULL, &in, &err), 0);
	ingest_whole_batch(in);
	assert_int_equal(stage(in, "chat.json", chat, 0, &s, &err), 0);
	assert_int_equal(ingest_checkpoint(in, &err), 0);
	assert_int_equal(ingest_record(in, s, &res, &err), 0);
	assert_true(res.new_object);
	assert_int_equal(ingest_commit(in, &err), 0);
	ingest_free(in);
	assert_int_equal(count(v, "SELECT count(*) FROM evidence"), 1);
	assert_int_equal(count(v, "SELECT count(*) FROM messages"), 2);
	assert_true(object_exists(v, res.sha256));
	vault_close(v);
}

/*
 * Objects a rolled-back batch created go, except one that another process
 * recorded meanwhile: here handle a stages x and y, its batch ends, handle
 * b records the same bytes as x, then a gives both items up.
 */
static void
test_cleanup_keeps_object_named_elsewhere(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v, *v2;
	struct ingest *in;
	struct ingest_staged *x, *y, *late = NULL;
	struct ingest_result res;
	unsigned char shax[CF_SHA256_LEN], shay[CF_SHA256_LEN];

	(void)state;
	open_vault(&v);
	assert_int_equal(vault_open("v", 0, &v2, &err), 0);
	assert_int_equal(ingest_begin(v, NULL, NULL, &in, &err), 0);
	ingest_whole_batch(in);
	assert_int_equal(stage(in, "x.bin", "shared bytes", 0, &x, &err), 0);
	assert_int_equal(stage(in, "y.bin", "only staged here", 0, &y, &err), 0);
	cf_sha256("shared bytes", strlen("shared bytes"), shax);
	cf_sha256("only staged here", strlen("only staged here"), shay);
	assert_int_equal(ingest_commit(in, &err), 0);
	/* the batch is over: nothing more is stored through it */
	assert_int_equal(stage(in, "z.bin", "too late", 0, &late, &err), -1);
	assert_int_equal(err.code, CF_EIO);
	assert_null(late);
	cf_err_release(&err);

	ingest_one(v2, "x.bin", "shared bytes", 1, &res);
	assert_false(res.new_object);	/* found a's object */

	ingest_discard(in, x);
	ingest_discard(in, y);
	ingest_free(in);
	assert_true(object_exists(v, shax));
	assert_false(object_exists(v, shay));
	assert_int_equal(count(v, "SELECT count(*) FROM evidence"), 1);
	vault_close(v2);
	vault_close(v);
}

static void
test_bad_order_id(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v;
	struct ingest *in;
	struct ingest_staged *s = NULL;
	struct ingest_item it = { "../x", "a.bin", "a.bin", NULL, -1, -1, NULL, NULL };
	int fd;

	(void)state;
	open_vault(&v);
	assert_int_equal(ingest_begin(v, NULL, NULL, &in, &err), 0);
	test_write_file("a.bin", "x", 1);
	fd = open("a.bin", O_RDONLY);
	assert_int_equal(ingest_stage(in, &it, NULL, NULL, fd, 1, &s, &err), -1);
	close(fd);
	assert_int_equal(err.code, CF_EINPUT);
	assert_null(s);
	cf_err_release(&err);
	ingest_free(in);
	vault_close(v);
}

/*
 * Issue 12 (2026-12-03): the same bytes under another name, or another
 * place in the order folder (rel_path), are a row and a leaf of their own
 * sharing the object, also inside one batch and when recorded unparsed;
 * the same name and rel_path again is a duplicate whatever source_path says.
 */
static void
test_same_bytes_two_names(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v;
	struct ingest *in;
	struct ingest_staged *s;
	struct ingest_result res;
	static const struct {
		const char *name, *source, *rel;
		int duplicate;
	} items[] = {
		{ "chat.json", "a/chat.json", "chat.json", 0 },
		{ "chat (1).json", "a/chat (1).json", "chat (1).json", 0 },
		{ "chat.json", "b/orders/chat.json", "chat.json", 1 },	/* zip vs folder */
		{ "chat.json", "a/old/chat.json", "old/chat.json", 0 },
		{ "chat.json", "x.json", NULL, 0 },			/* ingest: no rel */
		{ "chat.json", "./x.json", NULL, 1 },
	};
	size_t i;
	int parse_now;

	(void)state;
	open_vault(&v);
	test_write_file("chat.bin", chat, strlen(chat));
	for (parse_now = 0; parse_now <= 1; parse_now++) {
		const char *order = parse_now ? "6931000000000002" : "6931000000000001";

		assert_int_equal(ingest_begin(v, NULL, NULL, &in, &err), 0);
		for (i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
			struct ingest_item it = { order, items[i].name, items[i].source,
						  items[i].rel, -1, -1, NULL, NULL };
			int fd = open("chat.bin", O_RDONLY);

			assert_true(fd >= 0);
			assert_int_equal(ingest_stage(in, &it, NULL, NULL, fd, parse_now, &s, &err), 0);
			close(fd);
			assert_int_equal(ingest_record(in, s, &res, &err), 0);
			if (res.duplicate != items[i].duplicate)
				fail_msg("item %zu: duplicate %d", i, res.duplicate);
			assert_string_equal(res.kind, "chat");
		}
		assert_int_equal(ingest_commit(in, &err), 0);
		ingest_free(in);
	}
	assert_int_equal(count(v, "SELECT count(*) FROM objects"), 1);
	assert_int_equal(count(v, "SELECT count(*) FROM evidence"), 8);
	assert_int_equal(count(v, "SELECT count(DISTINCT leaf_index) FROM evidence"), 8);
	/* every row parsed: two messages each */
	assert_int_equal(count(v, "SELECT count(*) FROM messages"), 16);
	vault_close(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_record_parses_late, test_tmpdir_setup,
						test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_parse_now_same_rows, test_tmpdir_setup,
						test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_discard_drops_object, test_tmpdir_setup,
						test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_whole_batch_failure, test_tmpdir_setup,
						test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_record_in_next_batch, test_tmpdir_setup,
						test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_cleanup_keeps_object_named_elsewhere,
						test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_bad_order_id, test_tmpdir_setup,
						test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_same_bytes_two_names, test_tmpdir_setup,
						test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

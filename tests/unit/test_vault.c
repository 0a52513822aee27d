/* SPDX-License-Identifier: MIT */
/*
 * test_vault — vault layout, schema versioning, the object store.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "testutil.h"

#include "casefile/db.h"
#include "casefile/hash.h"
#include "casefile/db_sqlite.h"
#include "casefile/vault.h"

static void
test_init_layout(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct stat st;
	struct vault *v = NULL;
	sqlite3_stmt *q;

	(void)state;
	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(stat("v/objects", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(stat("v/keys", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat("v/tmp", &st), 0);
	assert_int_equal(vault_open("v", 0, &v, &err), 0);
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(vault_db(v)), "PRAGMA journal_mode", -1, &q, NULL), 0);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(vault_db(v)), "PRAGMA foreign_keys", -1, &q, NULL), 0);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 1);
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(vault_db(v)), "PRAGMA user_version", -1, &q, NULL), 0);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), db_schema_version());
	sqlite3_finalize(q);
	vault_close(v);
}

static void
test_init_refuses(void **state)
{
	struct cf_err err = CF_ERR_INIT;

	(void)state;
	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_init("v", &err), -1);
	assert_non_null(strstr(err.msg, "already a casefile vault"));
	assert_int_equal(mkdir("full", 0755), 0);
	test_write_file("full/readme.txt", "x", 1);
	assert_int_equal(vault_init("full", &err), -1);
	assert_non_null(strstr(err.msg, "not empty"));
	test_write_file("plain", "x", 1);
	assert_int_equal(vault_init("plain", &err), -1);
	assert_non_null(strstr(err.msg, "not a folder"));
	/* An empty existing folder is fine. */
	assert_int_equal(mkdir("empty", 0755), 0);
	assert_int_equal(vault_init("empty", &err), 0);
	cf_err_release(&err);
}

static void
test_open_not_a_vault(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;

	(void)state;
	assert_int_equal(vault_open("nowhere", 0, &v, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	assert_non_null(strstr(err.msg, "not a casefile vault"));
	assert_null(v);
	cf_err_release(&err);
}

static void
test_newer_schema_refused(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;
	sqlite3 *db;
	char sql[64];

	(void)state;
	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(sqlite3_open("v/casefile.db", &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", db_schema_version() + 1);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(vault_open("v", 0, &v, &err), -1);
	assert_non_null(strstr(err.msg, "newer than this casefile"));
	cf_err_release(&err);
}

static void
test_migrates_old_schema(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct cf_db *db;
	sqlite3_stmt *q;

	(void)state;
	/* A version-0 database (empty) is migrated forward by db_open. */
	assert_int_equal(db_open("old.db", 1, &db, &err), 0);
	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), "SELECT count(*) FROM sqlite_master WHERE name = 'evidence'",
					    -1, &q, NULL), 0);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 1);
	sqlite3_finalize(q);
	db_close(db);
}

static void
put_bytes(struct vault *v, const char *data, size_t n, struct vault_put_result *res,
	  struct cf_buf *keep, size_t keep_max, int *complete)
{
	struct cf_err err = CF_ERR_INIT;
	int fd;

	test_write_file("in.bin", data, n);
	fd = open("in.bin", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(vault_put_fd(v, fd, keep, keep_max, complete, res, &err), 0);
	close(fd);
}

static void
test_put_dedup_and_readonly(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;
	struct vault_put_result a, b;
	unsigned char want[32];
	struct stat st;
	char *path;
	int fd;
	char buf[16];

	(void)state;
	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, &v, &err), 0);
	put_bytes(v, "hello", 5, &a, NULL, 0, NULL);
	cf_sha256("hello", 5, want);
	assert_memory_equal(a.sha256, want, 32);
	assert_int_equal(a.size, 5);
	assert_int_equal(a.created, 1);
	put_bytes(v, "hello", 5, &b, NULL, 0, NULL);
	assert_int_equal(b.created, 0);
	assert_int_equal(vault_sync(v, &err), 0);
	path = vault_object_path(v, a.sha256);
	assert_non_null(strstr(path, "/objects/2c/f24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0444);
	free(path);
	assert_int_equal(vault_object_open(v, a.sha256, &fd, &err), 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 5);
	close(fd);
	/* Nothing left in tmp/. */
	assert_int_equal(system("test -z \"$(ls -A v/tmp)\""), 0);
	vault_close(v);
}

/* Read a stored object back whole. */
static char *
object_bytes(struct vault *v, const unsigned char sha[32], size_t *n)
{
	struct cf_err err = CF_ERR_INIT;
	struct stat st;
	char *b;
	int fd;

	assert_int_equal(vault_object_open(v, sha, &fd, &err), 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0444);
	b = malloc((size_t)st.st_size + 1);
	assert_non_null(b);
	assert_int_equal(read(fd, b, (size_t)st.st_size), st.st_size);
	close(fd);
	*n = (size_t)st.st_size;
	return b;
}

/*
 * Both ways of staging (unnamed O_TMPFILE linked into place, and named
 * files renamed into place) store the same objects: new and repeated small
 * content (looked up first or not), large content, alternating; nothing is
 * left in tmp/.
 */
static void
put_sequence(int named)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;
	struct vault_put_result r;
	size_t big_n = (3u << 20) + 17, n, i;
	char *big = malloc(big_n), *got, small[64];
	unsigned char want[32];
	DIR *d;
	struct dirent *de;
	int round, k, left = 0;

	assert_non_null(big);
	for (i = 0; i < big_n; i++)
		big[i] = (char)(i * 7 + i / 4096);
	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, &v, &err), 0);
	if (named)
		vault_use_named_staging(v);
	for (round = 0; round < 2; round++) {
		for (k = 0; k < 5; k++) {
			/* new, new, repeat, new, repeat: the look-up guess flips */
			snprintf(small, sizeof(small), "small %d", k == 2 ? 1 : k == 4 ? 3 : k);
			put_bytes(v, small, strlen(small), &r, NULL, 0, NULL);
			cf_sha256(small, strlen(small), want);
			assert_memory_equal(r.sha256, want, 32);
			assert_int_equal(r.created, round == 0 && k != 2 && k != 4);
			got = object_bytes(v, r.sha256, &n);
			assert_int_equal(n, strlen(small));
			assert_memory_equal(got, small, n);
			free(got);
		}
		put_bytes(v, big, big_n, &r, NULL, 0, NULL);
		cf_sha256(big, big_n, want);
		assert_memory_equal(r.sha256, want, 32);
		assert_int_equal(r.created, round == 0);
		got = object_bytes(v, r.sha256, &n);
		assert_int_equal(n, big_n);
		assert_memory_equal(got, big, n);
		free(got);
	}
	assert_int_equal(vault_sync(v, &err), 0);
	d = opendir("v/tmp");
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		left += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(left, 0);
	vault_close(v);
	free(big);
}

/*
 * A crash before vault_sync can leave an object name holding a short file.
 * A later put of those bytes must store them again, not trust the name:
 * small content (stored in place), and large content through either kind
 * of staging file.
 */
static void
leftover_replaced(int named, size_t len)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;
	struct vault_put_result r;
	unsigned char sha[32];
	char *text = malloc(len), *path, *got, dir[512];
	size_t n, i;
	int k;

	assert_non_null(text);
	for (i = 0; i < len; i++)
		text[i] = (char)('a' + i % 23);
	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, &v, &err), 0);
	if (named)
		vault_use_named_staging(v);
	for (k = 0; k < 2; k++) {
		/* k = 1: after a duplicate, so the name is looked up first */
		if (k == 1) {
			put_bytes(v, "x", 1, &r, NULL, 0, NULL);
			put_bytes(v, "x", 1, &r, NULL, 0, NULL);
			assert_false(r.created);
		}
		cf_sha256(text, len, sha);
		path = vault_object_path(v, sha);
		snprintf(dir, sizeof(dir), "%s", path);
		*strrchr(dir, '/') = '\0';
		mkdir(dir, 0755);
		unlink(path);
		test_write_file(path, text, 7);	/* torn */
		put_bytes(v, text, len, &r, NULL, 0, NULL);
		assert_true(r.created);
		got = object_bytes(v, sha, &n);
		assert_int_equal(n, len);
		assert_memory_equal(got, text, n);
		free(got);
		free(path);
	}
	vault_close(v);
	assert_int_equal(system("chmod -R u+w v && rm -rf v"), 0);
	free(text);
}

static void
test_put_replaces_torn_leftover(void **state)
{
	(void)state;
	leftover_replaced(0, 42);
	leftover_replaced(0, (2u << 20) + 5);
	leftover_replaced(1, (2u << 20) + 5);
}

/* objects/ab/ removed behind the vault's back (it remembers making it). */
static void
test_put_remakes_fanout_dir(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;
	struct vault_put_result r;
	char *path, *got, cmd[600];
	size_t n;

	(void)state;
	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, &v, &err), 0);
	put_bytes(v, "first", 5, &r, NULL, 0, NULL);
	assert_true(r.created);
	path = vault_object_path(v, r.sha256);
	*strrchr(path, '/') = '\0';
	snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s' && rm -rf '%s'", path, path);
	assert_int_equal(system(cmd), 0);
	free(path);
	put_bytes(v, "first", 5, &r, NULL, 0, NULL);
	assert_true(r.created);
	got = object_bytes(v, r.sha256, &n);
	assert_int_equal(n, 5);
	assert_memory_equal(got, "first", 5);
	free(got);
	vault_close(v);
}

/* A write that fails (file size limit: EFBIG) leaves no object behind. */
static void
test_put_write_failure_leaves_no_object(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;
	struct vault_put_result r;
	struct rlimit old, lim;
	char data[4096];
	int fd;

	(void)state;
	memset(data, 'q', sizeof(data));
	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, &v, &err), 0);
	test_write_file("in.bin", data, sizeof(data));
	fd = open("in.bin", O_RDONLY);
	assert_true(fd >= 0);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 1000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(vault_put_fd(v, fd, NULL, 0, NULL, &r, &err), -1);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	close(fd);
	assert_int_equal(err.code, CF_EIO);
	cf_err_release(&err);
	assert_int_equal(system("test -z \"$(find v/objects v/tmp -type f)\""), 0);
	vault_close(v);
}

/* A source that hands out at most `step` bytes per call (an archive entry). */
struct trickle {
	const char *p;
	size_t n, at, step;
};

static ssize_t
trickle_read(void *cookie, void *buf, size_t n, struct cf_err *err)
{
	struct trickle *t = cookie;

	(void)err;
	if (n > t->step)
		n = t->step;
	if (n > t->n - t->at)
		n = t->n - t->at;
	memcpy(buf, t->p + t->at, n);
	t->at += n;
	return (ssize_t)n;
}

/*
 * Large content goes through tmp/ with O_DIRECT in 2 MiB chunks, four
 * buffers in a ring (issue 19): sizes at and around every boundary (the
 * 1 MiB in-place limit, a chunk, the ring wrapping, an unaligned tail),
 * from a file and from a source of short reads, through unnamed and named
 * staging, all come back byte for byte with the right hash.
 */
static void
test_put_large_sizes(void **state)
{
	static const size_t sizes[] = {
		(1u << 20), (1u << 20) + 1, (2u << 20) - 1, (2u << 20), (2u << 20) + 4096,
		(8u << 20), (8u << 20) + 1, (9u << 20) + 123, (19u << 20) + 4095,
	};
	struct cf_err err = CF_ERR_INIT;
	/* windows start at data + 2 * i + 1: room for the largest at the last i */
	size_t max = (19u << 20) + 4095 + 2 * (sizeof(sizes) / sizeof(sizes[0])) + 1, i, n;
	char *data = malloc(max), *got;
	unsigned char want[32];
	int named;

	(void)state;
	assert_non_null(data);
	for (i = 0; i < max; i++)
		data[i] = (char)(i * 131 + i / 65536);
	for (named = 0; named < 2; named++) {
		struct vault *v = NULL;
		char dir[8];

		snprintf(dir, sizeof(dir), "v%d", named);
		assert_int_equal(vault_init(dir, &err), 0);
		assert_int_equal(vault_open(dir, 0, &v, &err), 0);
		if (named)
			vault_use_named_staging(v);
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			struct vault_put_result r;
			struct trickle t = { data + i, sizes[i], 0, 777 + 4096 * i };
			struct cf_buf keep;
			int complete = -1;

			/* from a file: a different window of data each time */
			put_bytes(v, data + 2 * i + 1, sizes[i], &r, NULL, 0, NULL);
			cf_sha256(data + 2 * i + 1, sizes[i], want);
			assert_memory_equal(r.sha256, want, 32);
			assert_int_equal(r.size, sizes[i]);
			assert_true(r.created);
			got = object_bytes(v, r.sha256, &n);
			assert_int_equal(n, sizes[i]);
			assert_memory_equal(got, data + 2 * i + 1, n);
			free(got);
			/* from short reads, keeping a prefix */
			cf_buf_init(&keep);
			assert_int_equal(vault_put(v, trickle_read, &t, &keep, 3u << 20, &complete,
						   &r, &err), 0);
			cf_sha256(data + i, sizes[i], want);
			assert_memory_equal(r.sha256, want, 32);
			assert_int_equal(complete, sizes[i] <= (3u << 20));
			assert_int_equal(keep.len, sizes[i] < (3u << 20) ? sizes[i] : (3u << 20));
			assert_memory_equal(keep.data, data + i, keep.len);
			cf_buf_release(&keep);
			got = object_bytes(v, r.sha256, &n);
			assert_int_equal(n, sizes[i]);
			assert_memory_equal(got, data + i, n);
			free(got);
		}
		assert_int_equal(vault_sync(v, &err), 0);
		vault_close(v);
	}
	assert_int_equal(system("test -z \"$(find v0/tmp v1/tmp -type f)\""), 0);
	free(data);
}

/*
 * A write that fails on the writer thread, past the first chunks (file
 * size limit: EFBIG at 3 MiB of 9 MiB), fails the put with CF_EIO and
 * leaves neither an object nor a staging file.
 */
static void
test_put_large_write_failure(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;
	struct vault_put_result r;
	struct rlimit old, lim;
	size_t n = 9u << 20;
	char *data = malloc(n);
	int fd, named;

	(void)state;
	assert_non_null(data);
	memset(data, 'q', n);
	test_write_file("in.bin", data, n);
	free(data);
	assert_int_equal(vault_init("v", &err), 0);
	for (named = 0; named < 2; named++) {
		assert_int_equal(vault_open("v", 0, &v, &err), 0);
		if (named)
			vault_use_named_staging(v);
		fd = open("in.bin", O_RDONLY);
		assert_true(fd >= 0);
		signal(SIGXFSZ, SIG_IGN);
		assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
		lim = old;
		lim.rlim_cur = 3u << 20;
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
		assert_int_equal(vault_put_fd(v, fd, NULL, 0, NULL, &r, &err), -1);
		assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
		signal(SIGXFSZ, SIG_DFL);
		close(fd);
		assert_int_equal(err.code, CF_EIO);
		assert_non_null(strstr(err.msg, "cannot write"));
		cf_err_release(&err);
		assert_int_equal(system("test -z \"$(find v/objects v/tmp -type f)\""), 0);
		vault_close(v);
	}
}

static void
test_put_unnamed_staging(void **state)
{
	(void)state;
	put_sequence(0);
}

static void
test_put_named_staging(void **state)
{
	(void)state;
	put_sequence(1);
}

static void
test_put_keep_prefix(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;
	struct vault_put_result r;
	struct cf_buf keep = CF_BUF_INIT;
	int complete = -1;
	char *big = malloc(3u << 20);

	(void)state;
	memset(big, 'z', 3u << 20);
	big[0] = 'A';
	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, &v, &err), 0);
	put_bytes(v, big, 3u << 20, &r, &keep, 1000, &complete);
	assert_int_equal(complete, 0);
	assert_int_equal(keep.len, 1000);
	assert_int_equal(keep.data[0], 'A');
	assert_int_equal(r.size, 3u << 20);
	cf_buf_reset(&keep);
	put_bytes(v, "tiny\0with nul", 13, &r, &keep, 1000, &complete);
	assert_int_equal(complete, 1);
	assert_int_equal(keep.len, 13);
	assert_memory_equal(keep.data, "tiny\0with nul", 13);
	cf_buf_release(&keep);
	free(big);
	vault_close(v);
}

static void
test_empty_file(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;
	struct vault_put_result r;
	char hex[65];

	(void)state;
	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, &v, &err), 0);
	put_bytes(v, "", 0, &r, NULL, 0, NULL);
	cf_hex_encode(r.sha256, 32, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(r.size, 0);
	vault_close(v);
}

static ssize_t
failing_reader(void *cookie, void *buf, size_t n, struct cf_err *err)
{
	int *calls = cookie;

	(void)buf;
	if ((*calls)++ == 0) {
		memset(buf, 'x', n < 100 ? n : 100);
		return n < 100 ? (ssize_t)n : 100;
	}
	return cf_err_set(err, CF_EINPUT, "entry truncated");
}

static void
test_put_failure_leaves_nothing(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;
	struct vault_put_result r;
	int calls = 0;

	(void)state;
	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, &v, &err), 0);
	assert_int_equal(vault_put(v, failing_reader, &calls, NULL, 0, NULL, &r, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_string_equal(err.msg, "entry truncated");
	assert_int_equal(system("test -z \"$(ls -A v/tmp)\" && test -z \"$(ls -A v/objects)\""), 0);
	cf_err_release(&err);
	vault_close(v);
}

static void
test_stray_tmp_cleaned_when_alone(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v1 = NULL, *v2 = NULL;

	(void)state;
	assert_int_equal(vault_init("v", &err), 0);
	test_write_file("v/tmp/999-1", "stray", 5);
	/* Another process (handle) holds the vault: a second open must not clean. */
	assert_int_equal(vault_open("v", VAULT_OPEN_NO_CLEANUP, &v1, &err), 0);
	assert_int_equal(vault_open("v", 0, &v2, &err), 0);
	assert_int_equal(access("v/tmp/999-1", F_OK), 0);
	vault_close(v2);
	vault_close(v1);
	/* Alone: cleaned. */
	assert_int_equal(vault_open("v", 0, &v1, &err), 0);
	assert_int_equal(access("v/tmp/999-1", F_OK), -1);
	vault_close(v1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_layout, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_init_refuses, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_open_not_a_vault, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_migrates_old_schema, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_put_dedup_and_readonly, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_put_keep_prefix, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_put_unnamed_staging, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_put_named_staging, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_put_replaces_torn_leftover, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_put_remakes_fanout_dir, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_put_write_failure_leaves_no_object, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_put_large_sizes, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_put_large_write_failure, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_empty_file, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_put_failure_leaves_nothing, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_stray_tmp_cleaned_when_alone, test_tmpdir_setup, test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

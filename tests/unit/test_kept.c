/* SPDX-License-Identifier: MIT */
/*
 * test_kept — checkpoints kept in a folder: numbered names, write once
 * (an identical rewrite is a no-op, another checkpoint under a kept number
 * is refused and changes nothing), a stale token without its note is
 * replaced, reading back in number order, foreign files ignored.
 */
#include "testutil.h"

#include <sys/stat.h>

#include "casefile/kept.h"

static const char note1[] = "casefile/x\n1\nAAAA\n\n\xe2\x80\x94 casefile/x sig1\n";
static const char note2[] = "casefile/x\n2\nBBBB\n\n\xe2\x80\x94 casefile/x sig2\n";
static const unsigned char tok[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };

/* path holds exactly data[0..n). */
static void
expect_file(const char *path, const void *data, size_t n)
{
	char buf[256];
	size_t len;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(len, n);
	assert_memory_equal(buf, data, n);
}

static void
test_name(void **state)
{
	char *n;

	(void)state;
	n = kept_name(1, "txt");
	assert_string_equal(n, "00000001.txt");
	free(n);
	n = kept_name(123456789, "tsr");
	assert_string_equal(n, "123456789.tsr");
	free(n);
}

static void
test_write_read(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct kept_file *f = NULL;
	struct stat sb;
	size_t n = 0;

	(void)state;
	assert_int_equal(kept_read("cp", &f, &n, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	cf_err_release(&err);
	assert_int_equal(kept_mkdir("cp", &err), 0);
	assert_int_equal(kept_write("cp", 2, note2, strlen(note2), NULL, 0, &err), 0);
	assert_int_equal(kept_write("cp", 1, note1, strlen(note1), tok, sizeof(tok), &err), 0);
	/* Exact bytes, read-only, no temporary file left. */
	expect_file("cp/00000001.txt", note1, strlen(note1));
	expect_file("cp/00000001.tsr", tok, sizeof(tok));
	assert_int_equal(stat("cp/00000002.txt", &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0444);
	assert_int_equal(access("cp/00000002.tsr", F_OK), -1);
	/* Foreign names are ignored. */
	test_write_file("cp/notes.txt", "x", 1);
	test_write_file("cp/0001.txt", "x", 1);
	test_write_file("cp/00000000.txt", "x", 1);
	assert_int_equal(kept_read("cp", &f, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(f[0].number, 1);
	assert_int_equal(f[0].note_len, strlen(note1));
	assert_memory_equal(f[0].note, note1, f[0].note_len);
	assert_non_null(f[0].tst);
	assert_int_equal(f[0].tst_len, sizeof(tok));
	assert_int_equal(f[1].number, 2);
	assert_null(f[1].tst);
	kept_files_free(f, n);
}

static void
test_write_once(void **state)
{
	struct cf_err err = CF_ERR_INIT;

	(void)state;
	assert_int_equal(kept_mkdir("cp", &err), 0);
	assert_int_equal(kept_write("cp", 1, note1, strlen(note1), tok, sizeof(tok), &err), 0);
	/* The same bytes again: nothing to do. */
	assert_int_equal(kept_write("cp", 1, note1, strlen(note1), tok, sizeof(tok), &err), 0);
	/* Another checkpoint under a kept number: refused, file untouched. */
	assert_int_equal(kept_write("cp", 1, note2, strlen(note2), NULL, 0, &err), -1);
	assert_int_equal(err.code, CF_EVERIFY);
	assert_non_null(strstr(err.msg, "cp/00000001.txt' holds another checkpoint"));
	cf_err_release(&err);
	expect_file("cp/00000001.txt", note1, strlen(note1));
	/* The same note with another token: refused too. */
	assert_int_equal(kept_write("cp", 1, note1, strlen(note1), tok, 3, &err), -1);
	assert_int_equal(err.code, CF_EVERIFY);
	cf_err_release(&err);
}

static void
test_stale_token(void **state)
{
	struct cf_err err = CF_ERR_INIT;

	(void)state;
	assert_int_equal(kept_mkdir("cp", &err), 0);
	/* A crash after the token, before the note: the token is replaced. */
	test_write_file("cp/00000003.tsr", "old", 3);
	assert_int_equal(kept_write("cp", 3, note1, strlen(note1), tok, sizeof(tok), &err), 0);
	expect_file("cp/00000003.tsr", tok, sizeof(tok));
	/* A folder that is not there. */
	assert_int_equal(kept_write("nope", 1, note1, strlen(note1), NULL, 0, &err), -1);
	assert_int_equal(err.code, CF_EIO);
	cf_err_release(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
		cmocka_unit_test_setup_teardown(test_write_read, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_write_once, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_stale_token, test_tmpdir_setup, test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

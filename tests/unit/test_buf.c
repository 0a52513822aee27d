/* SPDX-License-Identifier: MIT */
/*
 * test_buf — growable buffer, reading small files, error type and hex helpers.
 */
#include <errno.h>
#include <sys/stat.h>

#include "testutil.h"

#include "casefile/buf.h"
#include "casefile/err.h"
#include "casefile/hash.h"

static void
test_buf_grow_and_nul(void **state)
{
	struct cf_buf b = CF_BUF_INIT;
	char *s;
	size_t n, i;

	(void)state;
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	for (i = 0; i < 10000; i++)
		cf_buf_addch(&b, 'a' + (int)(i % 26));
	assert_int_equal(b.len, 10000);
	assert_int_equal(b.data[10000], '\0');
	cf_buf_add(&b, "x\0y", 3);
	assert_int_equal(b.len, 10003);
	assert_memory_equal(b.data + 10000, "x\0y", 3);
	cf_buf_reset(&b);
	cf_buf_addf(&b, "%d-%s", 42, "z");
	assert_string_equal(b.data, "42-z");
	s = cf_buf_detach(&b, &n);
	assert_int_equal(n, 4);
	assert_string_equal(s, "42-z");
	free(s);
	assert_int_equal(b.len, 0);
	s = cf_buf_detach(&b, NULL); /* empty detach still gives a heap string */
	assert_string_equal(s, "");
	free(s);
	cf_buf_release(&b);
}

static void
test_json_str(void **state)
{
	struct cf_buf b = CF_BUF_INIT;

	(void)state;
	cf_buf_add_json_str(&b, "a\"b\\c\n\x01é", 9);
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001é\"");
	cf_buf_release(&b);
}

static void
test_err(void **state)
{
	struct cf_err err = CF_ERR_INIT, other = CF_ERR_INIT;

	(void)state;
	assert_int_equal(cf_err_set(&err, CF_EINPUT, "bad '%s'", "x"), -1);
	assert_string_equal(err.msg, "bad 'x'");
	cf_err_prefix(&err, "chat.json");
	assert_string_equal(err.msg, "chat.json: bad 'x'");
	errno = ENOENT;
	assert_int_equal(cf_err_errno(&other, CF_EIO, "cannot open '%s'", "f"), -1);
	assert_string_equal(other.msg, "cannot open 'f': No such file or directory");
	assert_int_equal(other.sys_errno, ENOENT);
	cf_err_move(&err, &other);
	assert_int_equal(err.code, CF_EIO);
	assert_null(other.msg);
	assert_int_equal(cf_err_set(NULL, CF_EIO, "dropped"), -1);
	cf_err_release(&err);
	cf_err_release(NULL);
}

/* cf_buf_read_file: whole file appended, the size limit, named failures. */
static void
test_read_file(void **state)
{
	struct cf_buf b = CF_BUF_INIT;
	struct cf_err err = CF_ERR_INIT;
	FILE *f;

	(void)state;
	f = fopen("ten.txt", "w");
	assert_non_null(f);
	fputs("0123456789", f);
	fclose(f);
	cf_buf_addstr(&b, ">");
	assert_int_equal(cf_buf_read_file(&b, "ten.txt", "profile", 10, CF_EIO, &err), 0);
	assert_string_equal(b.data, ">0123456789");	/* appended, NUL-terminated */
	cf_buf_reset(&b);
	assert_int_equal(cf_buf_read_file(&b, "ten.txt", "profile", 9, CF_EIO, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_string_equal(err.msg, "profile 'ten.txt': larger than 9 bytes");
	cf_err_release(&err);
	cf_buf_reset(&b);
	assert_int_equal(cf_buf_read_file(&b, "missing.txt", "checklist", 1 << 20, CF_EINPUT, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_int_equal(err.sys_errno, ENOENT);
	assert_string_equal(err.msg, "cannot open checklist 'missing.txt': No such file or directory");
	cf_err_release(&err);
	assert_int_equal(cf_buf_read_file(&b, ".", NULL, 1 << 20, CF_EIO, &err), -1);
	assert_int_equal(err.code, CF_EIO);
	assert_string_equal(err.msg, "cannot read '.': a directory, not a regular file");
	cf_err_release(&err);
	/* issue 11 (2026-12): a FIFO in a file's place blocked open() for ever */
	assert_int_equal(mkfifo("fifo", 0600), 0);
	assert_int_equal(cf_buf_read_file(&b, "fifo", "statement", 1 << 20, CF_EINPUT, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_string_equal(err.msg, "cannot read statement 'fifo': a FIFO, not a regular file");
	cf_err_release(&err);
	cf_buf_release(&b);
}

static void
test_hex(void **state)
{
	unsigned char out[4], h[32];
	char hex[65];

	(void)state;
	assert_int_equal(cf_hex_decode("DEADbeef", 8, out, 4), 0);
	assert_int_equal(out[0], 0xde);
	assert_int_equal(out[3], 0xef);
	assert_int_equal(cf_hex_decode("deadbee", 7, out, 4), -1);
	assert_int_equal(cf_hex_decode("deadbeeg", 8, out, 4), -1);
	cf_sha256("abc", 3, h);
	cf_hex_encode(h, 32, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_grow_and_nul),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_err),
		cmocka_unit_test(test_hex),
		cmocka_unit_test_setup_teardown(test_read_file, test_tmpdir_setup, test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

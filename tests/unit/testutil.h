/* SPDX-License-Identifier: MIT */
/*
 * testutil — shared set-up for the cmocka unit tests.
 *
 * Every test program runs its tests in a fresh temporary directory
 * (test_tmpdir_setup / _teardown as cmocka group or test fixtures), so no
 * test sees another's files.  Include after <cmocka.h>'s prerequisites.
 */
#ifndef CASEFILE_TESTUTIL_H
#define CASEFILE_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Create a fresh directory under $TMPDIR and chdir into it. */
static inline int
test_tmpdir_setup(void **state)
{
	char tmpl[] = "/tmp/casefile-unit-XXXXXX";
	char *dir = mkdtemp(tmpl);

	if (dir == NULL || chdir(dir) < 0)
		return -1;
	*state = strdup(dir);
	return 0;
}

static inline int
test_tmpdir_teardown(void **state)
{
	char cmd[128];
	int rc;

	if (*state == NULL)
		return 0;
	if (chdir("/") < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s' && rm -rf '%s'",
		 (char *)*state, (char *)*state);
	rc = system(cmd);
	free(*state);
	*state = NULL;
	return rc == 0 ? 0 : -1;
}

/* Write n bytes to path (truncating); fails the test on error. */
static inline void
test_write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/*
 * The whole file at path (malloc'd, free(); a NUL added after the *n
 * bytes, n may be NULL); fails the test when it cannot be read.
 */
static inline char *
test_load_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long len;

	if (f == NULL)
		fail_msg("cannot open '%s'", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	b = malloc((size_t)len + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
	b[len] = '\0';
	fclose(f);
	if (n)
		*n = (size_t)len;
	return b;
}

#endif

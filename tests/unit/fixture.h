/* SPDX-License-Identifier: MIT */
/*
 * fixture — find and load tests/fixtures files from unit tests, which run
 * inside a fresh temporary directory.  fixture_init() must run before the
 * first chdir: it resolves $CASEFILE_FIXTURES, else tests/fixtures beside
 * the binary (BUILD/tests/test_x gives tests/fixtures).
 */
#ifndef CASEFILE_TEST_FIXTURE_H
#define CASEFILE_TEST_FIXTURE_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char fixture_dir[PATH_MAX];

static inline void
fixture_init(const char *argv0)
{
	char tmp[PATH_MAX];
	const char *env = getenv("CASEFILE_FIXTURES");
	char *slash;

	if (env && realpath(env, fixture_dir))
		return;
	snprintf(tmp, sizeof(tmp), "%s", argv0);
	if ((slash = strrchr(tmp, '/')) != NULL)
		*slash = '\0';
	else
		snprintf(tmp, sizeof(tmp), ".");
	strncat(tmp, "/../../tests/fixtures", sizeof(tmp) - strlen(tmp) - 1);
	if (!realpath(tmp, fixture_dir) && !realpath("tests/fixtures", fixture_dir)) {
		fprintf(stderr, "cannot find tests/fixtures (set CASEFILE_FIXTURES)\n");
		exit(1);
	}
}

/*
 * The whole fixture file (malloc'd, NUL added); fails the test if missing.
 * Include testutil.h first.
 */
static inline char *
fixture_load(const char *name, size_t *n)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", fixture_dir, name);
	return test_load_file(path, n);
}

#endif

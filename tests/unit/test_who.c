/* SPDX-License-Identifier: MIT */
/*
 * test_who — one rule for the user an audit row names (issue 13): the
 * password database's name for the real uid, whatever $USER says; $USER
 * only when that has no name.
 */
#include <pwd.h>
#include <unistd.h>

#include "testutil.h"

#include "casefile/who.h"

static void
test_user_rule(void **state)
{
	struct passwd *pw = getpwuid(getuid());
	const char *old = getenv("USER");
	char *saved = old ? strdup(old) : NULL;
	char *u;

	(void)state;
	assert_non_null(pw);
	setenv("USER", "someone-else", 1);
	u = who_user_new("someone-else");
	assert_string_equal(u, pw->pw_name);	/* not $USER */
	free(u);
	unsetenv("USER");
	u = who_user_new(NULL);
	assert_string_equal(u, pw->pw_name);
	free(u);
	if (saved)
		setenv("USER", saved, 1);
	free(saved);
}

static void
test_host(void **state)
{
	char want[256], *h = who_host_new();

	(void)state;
	assert_int_equal(gethostname(want, sizeof(want)), 0);
	want[sizeof(want) - 1] = '\0';
	assert_string_equal(h, want);
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_rule),
		cmocka_unit_test(test_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * test_profile — the platform profile parser: the shipped templates, every
 * syntax error with its line number, units, and lookup by name and path.
 */
#include <sys/stat.h>

#include "testutil.h"

#include "casefile/profile.h"
#include "casefile/templates.h"

/* The checkout: run.sh runs unit tests from the top of the source tree. */
static char srcdir[4096];

#define GOOD "name = t\nbuyer_escalation_hours = 48\nmerchant_evidence_hours = 24\n" \
	     "statement_max_chars = 500\nimages_per_submission = 9\n" \
	     "accepted_formats = jpeg, png\nmax_file_size = 5MB\n"

static struct profile *
parse_ok(const char *text)
{
	struct cf_err err = CF_ERR_INIT;
	struct profile *p = NULL;

	if (profile_parse(text, strlen(text), "t.conf", &p, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	cf_err_release(&err);
	return p;
}

/* Parse text and expect an error containing want. */
static void
parse_bad(const char *text, size_t n, const char *want)
{
	struct cf_err err = CF_ERR_INIT;
	struct profile *p = NULL;

	assert_int_equal(profile_parse(text, n, "t.conf", &p, &err), -1);
	assert_null(p);
	assert_int_equal(err.code, CF_EINPUT);
	if (strstr(err.msg, want) == NULL)
		fail_msg("error '%s' lacks '%s'", err.msg, want);
	cf_err_release(&err);
}

static void
test_good(void **state)
{
	struct profile *p = parse_ok(GOOD);

	(void)state;
	assert_string_equal(p->name, "t");
	assert_string_equal(p->title, "t");
	assert_int_equal(p->escalation_hours, 48);
	assert_int_equal(p->evidence_hours, 24);
	assert_int_equal(p->statement_max_chars, 500);
	assert_int_equal(p->images_max, 9);
	assert_int_equal(p->file_max_bytes, 5 * 1024 * 1024);
	assert_int_equal(p->nformats, 2);
	assert_true(profile_format_ok(p, "JPG"));
	assert_true(profile_format_ok(p, "png"));
	assert_false(profile_format_ok(p, "webp"));
	assert_false(profile_format_ok(p, NULL));
	profile_free(p);
	profile_free(NULL);
}

static void
test_variants(void **state)
{
	struct profile *p;

	(void)state;
	/* BOM, CRLF, tabs, comments, trailing comment, no final newline, jpg. */
	p = parse_ok("\xef\xbb\xbf# c\r\n; c2\r\n\tname\t=\tx-1 # the name\r\n"
		     "title = 抖音 # 中文\r\nbuyer_escalation_hours=1\r\n"
		     "merchant_evidence_hours = 8760\r\nstatement_max_chars = 1\r\n"
		     "images_per_submission = 100000\r\naccepted_formats = JPG,png webp\r\n"
		     "max_file_size = 300 KB");
	assert_string_equal(p->name, "x-1");
	assert_string_equal(p->title, "抖音");
	assert_int_equal(p->evidence_hours, 8760);
	assert_int_equal(p->file_max_bytes, 300 * 1024);
	assert_int_equal(p->nformats, 3);
	assert_string_equal(p->formats[0], "jpeg");
	assert_string_equal(p->formats[2], "webp");
	profile_free(p);
	p = parse_ok("name = b\nbuyer_escalation_hours = 2\nmerchant_evidence_hours = 2\n"
		     "statement_max_chars = 2\nimages_per_submission = 2\n"
		     "accepted_formats = png\nmax_file_size = 1024");
	assert_int_equal(p->file_max_bytes, 1024);
	profile_free(p);
}

static void
test_errors(void **state)
{
	(void)state;
	parse_bad("name = t\nbogus\n", 15, "profile 't.conf': line 2: expected 'key = value', got 'bogus'");
	parse_bad("# x\n\nnmae = t\n", 14, "line 3: unknown key 'nmae'");
	parse_bad("name = t\nname = u\n", 17, "line 2: key 'name' given twice");
	parse_bad("name =\n", 7, "line 1: key 'name' has no value");
	parse_bad("name = a b\n", 11, "line 1: bad name 'a b'");
	parse_bad("name = t\nbuyer_escalation_hours = 0\n", 35, "line 2: bad hours '0'");
	parse_bad("name = t\nbuyer_escalation_hours = 8761\n", 38, "line 2: bad hours '8761'");
	parse_bad("name = t\nbuyer_escalation_hours = 4 8\n", 37, "line 2: bad hours '4 8'");
	parse_bad("name = t\nbuyer_escalation_hours = -1\n", 36, "line 2: bad hours '-1'");
	parse_bad("name = t\nbuyer_escalation_hours = 99999999999999999999\n", 54, "line 2: bad hours");
	parse_bad("name = t\nstatement_max_chars = 100001\n", 37, "line 2: bad count '100001'");
	parse_bad("name = t\nmax_file_size = 5TB\n", 28, "line 2: bad size '5TB'");
	/* 2026-11-26, found by fuzz_profile: the unit multiplied past LLONG_MAX. */
	parse_bad("name = t\nmax_file_size = 30040006819 g\n", 39, "line 2: bad size '30040006819 g'");
	parse_bad("name = t\nmax_file_size = 1025 GB\n", 33, "line 2: bad size '1025 GB'");
	parse_bad("name = t\nmax_file_size = MB\n", 27, "line 2: bad size 'MB'");
	parse_bad("name = t\naccepted_formats = jp.eg\n", 33, "line 2: bad format list 'jp.eg'");
	parse_bad("name = t\naccepted_formats = ,\n", 29, "line 2: bad format list");
	parse_bad("name = t\n\0x\n", 11, "line 2: NUL byte");
	parse_bad("name = t\nx\x01 = 2\n", 15, "line 2: control character");
	parse_bad("", 0, "missing key 'name'");
	parse_bad(GOOD, strlen(GOOD) - strlen("max_file_size = 5MB\n"), "missing key 'max_file_size'");
}

static void
test_shipped_templates(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct profile *p = NULL;

	(void)state;
	static char tpl[4200];	/* borrowed by templates_set_env */

	snprintf(tpl, sizeof(tpl), "%s/templates", srcdir);
	templates_set_env(tpl);
	assert_int_equal(profile_find("douyin", &p, &err), 0);
	assert_string_equal(p->name, "douyin");
	assert_int_equal(p->escalation_hours, 48);
	assert_int_equal(p->statement_max_chars, 500);
	assert_int_equal(p->file_max_bytes, 5 * 1024 * 1024);
	assert_true(profile_format_ok(p, "jpeg"));
	assert_true(profile_format_ok(p, "png"));
	profile_free(p);
	assert_int_equal(profile_find("wechat", &p, &err), 0);
	assert_int_equal(p->escalation_hours, 7 * 24);
	assert_int_equal(p->statement_max_chars, 500);
	profile_free(p);
	/* resolve: no db means the default */
	assert_int_equal(profile_resolve(NULL, NULL, &p, &err), 0);
	assert_string_equal(p->name, PROFILE_DEFAULT);
	profile_free(p);
}

static void
test_find(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct profile *p = NULL;

	(void)state;
	assert_int_equal(mkdir("tpl", 0755), 0);
	assert_int_equal(mkdir("tpl/profiles", 0755), 0);
	test_write_file("tpl/profiles/shop.conf", GOOD, strlen(GOOD));
	templates_set_env("tpl");
	assert_int_equal(profile_find("shop", &p, &err), 0);
	assert_string_equal(p->source, "tpl/profiles/shop.conf");
	profile_free(p);
	assert_int_equal(profile_find("tpl/profiles/shop.conf", &p, &err), 0);
	profile_free(p);
	assert_int_equal(profile_find("nosuch", &p, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	assert_non_null(strstr(err.msg, "unknown profile 'nosuch': template 'profiles/nosuch.conf' not found in 'tpl'"));
	assert_int_equal(profile_find("../etc", &p, &err), -1);
	assert_int_equal(profile_find("bad name", &p, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_int_equal(profile_find("missing.conf", &p, &err), -1);
	assert_int_equal(err.code, CF_EIO);
	assert_non_null(strstr(err.msg, "cannot open profile 'missing.conf'"));
	templates_set_env("nodir");
	assert_int_equal(profile_find("shop", &p, &err), -1);
	assert_non_null(strstr(err.msg, "templates folder 'nodir' (from CASEFILE_TEMPLATES) not found"));
	cf_err_release(&err);
}

int
main(void)
{
	if (getcwd(srcdir, sizeof(srcdir)) == NULL)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_errors),
		cmocka_unit_test_setup_teardown(test_shipped_templates, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_find, test_tmpdir_setup, test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * test_csv — RFC 4180 records: quoting, embedded line breaks, CRLF, line
 * numbers, and each irregularity the reader tolerates and reports.
 */
#include "testutil.h"

#include "casefile/csv.h"

static void
expect_field(struct csv *c, size_t i, const char *want)
{
	size_t len;
	const char *f = csv_field(c, i, &len);

	assert_non_null(f);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(f, want, len);
}

static void
t01_basic_crlf(void **state)
{
	static const char s[] = "时间,发送方,内容\r\n2025-05-03 10:12,买家,收到\r\n";
	struct csv *c = csv_new(s, sizeof(s) - 1);

	(void)state;
	assert_int_equal(csv_next(c), 1);
	assert_int_equal(csv_nfields(c), 3);
	expect_field(c, 0, "时间");
	expect_field(c, 2, "内容");
	assert_int_equal(csv_line(c), 1);
	assert_int_equal(csv_next(c), 1);
	expect_field(c, 1, "买家");
	expect_field(c, 2, "收到");
	assert_int_equal(csv_line(c), 2);
	assert_null(csv_problem(c));
	assert_null(csv_field(c, 3, NULL));
	assert_int_equal(csv_next(c), 0);
	csv_free(c);
}

static void
t02_quotes_newlines(void **state)
{
	static const char s[] =
		"a,\"b,c\",\"say \"\"hi\"\"\"\n"
		"\"line1\r\nline2\",,\"\"\n"
		"\n\n"
		"last,row";	/* no final newline */
	struct csv *c = csv_new(s, sizeof(s) - 1);

	(void)state;
	assert_int_equal(csv_next(c), 1);
	expect_field(c, 1, "b,c");
	expect_field(c, 2, "say \"hi\"");
	assert_int_equal(csv_next(c), 1);
	assert_int_equal(csv_line(c), 2);
	assert_int_equal(csv_nfields(c), 3);
	expect_field(c, 0, "line1\nline2");	/* CRLF inside quotes → LF */
	expect_field(c, 1, "");
	expect_field(c, 2, "");
	assert_null(csv_problem(c));
	assert_int_equal(csv_next(c), 1);	/* blank lines skipped */
	assert_int_equal(csv_line(c), 6);
	expect_field(c, 1, "row");
	assert_int_equal(csv_next(c), 0);
	csv_free(c);
}

static void
t03_trailing_comma_and_lone_cr(void **state)
{
	static const char s[] = "a,b,\rc";
	struct csv *c = csv_new(s, sizeof(s) - 1);

	(void)state;
	assert_int_equal(csv_next(c), 1);
	assert_int_equal(csv_nfields(c), 3);
	expect_field(c, 2, "");
	assert_int_equal(csv_next(c), 1);
	expect_field(c, 0, "c");
	assert_int_equal(csv_line(c), 2);
	csv_free(c);
}

static void
t04_unterminated_quote(void **state)
{
	static const char s[] = "a,\"never closed\nmore text";
	struct csv *c = csv_new(s, sizeof(s) - 1);

	(void)state;
	assert_int_equal(csv_next(c), 1);
	assert_int_equal(csv_nfields(c), 2);
	expect_field(c, 1, "never closed\nmore text");
	assert_string_equal(csv_problem(c), "unterminated quoted field");
	assert_int_equal(csv_next(c), 0);
	csv_free(c);
}

static void
t05_sloppy_quotes(void **state)
{
	static const char s[] = "\"abc\"def,x\nab\"c,y\n";
	struct csv *c = csv_new(s, sizeof(s) - 1);

	(void)state;
	assert_int_equal(csv_next(c), 1);
	expect_field(c, 0, "abcdef");
	assert_string_equal(csv_problem(c), "text after a closing quote");
	assert_int_equal(csv_next(c), 1);
	expect_field(c, 0, "ab\"c");
	assert_string_equal(csv_problem(c), "quote inside an unquoted field");
	assert_int_equal(csv_next(c), 0);
	csv_free(c);
}

static void
t06_huge_field_and_nul(void **state)
{
	size_t n = 1 << 20, len;
	char *s = malloc(n + 8);
	struct csv *c;
	const char *f;

	(void)state;
	assert_non_null(s);
	memset(s, 'x', n);
	s[10] = '\0';		/* a NUL inside a field is kept */
	memcpy(s + n, ",end\n", 5);
	c = csv_new(s, n + 5);
	assert_int_equal(csv_next(c), 1);
	f = csv_field(c, 0, &len);
	assert_int_equal(len, n);
	assert_int_equal(f[10], '\0');
	assert_int_equal(f[11], 'x');
	expect_field(c, 1, "end");
	csv_free(c);
	free(s);
}

static void
t07_empty_input(void **state)
{
	struct csv *c = csv_new("", 0);

	(void)state;
	assert_int_equal(csv_next(c), 0);
	csv_free(c);
	csv_free(NULL);
}

/* A line starts a record when it starts with a year. */
static int
starts_2025(void *cookie, const char *line, size_t n)
{
	(*(int *)cookie)++;
	return n >= 4 && memcmp(line, "2025", 4) == 0;
}

/* issue 12 (2026-12): an unclosed quote swallowed the rest of the file */
static void
t08_resync(void **state)
{
	static const char s[] = "time,text\n2025-05-03 10:00,\"abc\n"
				"2025-05-03 10:01,def\r\n\r\n2025-05-03 10:02,\"g\nh\"\n";
	struct csv *c = csv_new(s, sizeof(s) - 1);
	int calls = 0;

	(void)state;
	assert_int_equal(csv_next(c), 1);
	csv_set_resync(c, 2, starts_2025, &calls);
	assert_int_equal(csv_next(c), 1);
	assert_int_equal(csv_line(c), 2);
	assert_int_equal(csv_nfields(c), 2);
	expect_field(c, 1, "abc");
	assert_string_equal(csv_problem(c), "quoted field not closed: the record ends with "
			    "line 2, reading resumed at line 3");
	assert_int_equal(csv_next(c), 1);
	assert_int_equal(csv_line(c), 3);
	expect_field(c, 1, "def");
	assert_null(csv_problem(c));
	/* a regular quoted line break is kept, and the judge not asked */
	calls = 0;
	assert_int_equal(csv_next(c), 1);
	assert_int_equal(csv_line(c), 5);
	expect_field(c, 1, "g\nh");
	assert_null(csv_problem(c));
	assert_int_equal(calls, 0);
	assert_int_equal(csv_next(c), 0);
	csv_free(c);

	/* CRLF before the resumed line, and a quote closed much later */
	c = csv_new("2025,\"x\r\n2025,y\r\n2025,\"z\"\r\n", 27);
	csv_set_resync(c, 2, starts_2025, &calls);
	assert_int_equal(csv_next(c), 1);
	expect_field(c, 1, "x");
	assert_non_null(strstr(csv_problem(c), "resumed at line 2"));
	assert_int_equal(csv_next(c), 1);
	expect_field(c, 1, "y");
	assert_int_equal(csv_next(c), 1);
	assert_int_equal(csv_line(c), 3);
	expect_field(c, 1, "z");
	assert_int_equal(csv_next(c), 0);
	csv_free(c);

	/* no line starts a record: as before, to the end */
	c = csv_new("2025,\"x\nfoo\n", 12);
	csv_set_resync(c, 2, starts_2025, &calls);
	assert_int_equal(csv_next(c), 1);
	expect_field(c, 1, "x\nfoo\n");
	assert_string_equal(csv_problem(c), "unterminated quoted field");
	assert_int_equal(csv_next(c), 0);
	csv_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t01_basic_crlf),
		cmocka_unit_test(t02_quotes_newlines),
		cmocka_unit_test(t03_trailing_comma_and_lone_cr),
		cmocka_unit_test(t04_unterminated_quote),
		cmocka_unit_test(t05_sloppy_quotes),
		cmocka_unit_test(t06_huge_field_and_nul),
		cmocka_unit_test(t07_empty_input),
		cmocka_unit_test(t08_resync),
	};

	return cmocka_run_group_tests(tests, test_tmpdir_setup, test_tmpdir_teardown);
}

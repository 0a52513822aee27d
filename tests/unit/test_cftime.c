/* SPDX-License-Identifier: MIT */
/*
 * test_cftime — every time form of FORMATS.md, and every way to get it wrong.
 */
#include "testutil.h"

#include "casefile/cftime.h"

/* 2025-05-03T02:12:00Z */
#define T0 1746238320LL

static long long
parse_ok(const char *s)
{
	struct cf_err err = CF_ERR_INIT;
	long long t = -1;

	if (cftime_parse(s, strlen(s), &t, &err) < 0)
		fail_msg("'%s' refused: %s", s, err.msg);
	cf_err_release(&err);
	return t;
}

static void
parse_bad(const char *s, const char *why)
{
	struct cf_err err = CF_ERR_INIT;
	long long t = 42;

	assert_int_equal(cftime_parse(s, strlen(s), &t, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_non_null(strstr(err.msg, why));
	assert_int_equal(t, 42); /* unchanged on failure */
	cf_err_release(&err);
}

static void
test_rfc3339(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2025-05-03T10:12:00+08:00"), T0);
	assert_int_equal(parse_ok("2025-05-03T02:12:00Z"), T0);
	assert_int_equal(parse_ok("2025-05-03t02:12:00z"), T0);
	assert_int_equal(parse_ok("2025-05-03T02:12:00.123Z"), T0);
	assert_int_equal(parse_ok("2025-05-02T21:12:00-05:00"), T0);
	assert_int_equal(parse_ok("  2025-05-03T10:12:00+08:00 "), T0);
}

static void
test_offsets(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2025-05-03 10:12:00 +0800"), T0);
	assert_int_equal(parse_ok("2025-05-03 10:12:00+0800"), T0);
	assert_int_equal(parse_ok("2025-05-03 10:12:00+08"), T0);
	assert_int_equal(parse_ok("2025-05-03 02:12:00 UTC"), T0);
	assert_int_equal(parse_ok("2025-05-03 10:12:00 CST"), T0);
}

static void
test_china_local(void **state)
{
	(void)state;
	/* No offset: China Standard Time, never UTC. */
	assert_int_equal(parse_ok("2025-05-03 10:12:00"), T0);
	assert_int_equal(parse_ok("2025-05-03 10:12"), T0);
	assert_int_equal(parse_ok("2025/05/03 10:12:00"), T0);
	assert_int_equal(parse_ok("2025/5/3 10:12"), T0);
	assert_int_equal(parse_ok("2025-05-03T10:12:00"), T0);
	assert_int_equal(parse_ok("2025-05-03 9:05"), T0 - 3600 - 7 * 60);
	assert_int_equal(parse_ok("2025-05-03"), T0 - 10 * 3600 - 12 * 60);
}

static void
test_unix(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("1746238320"), T0);
	assert_int_equal(parse_ok("1746238320000"), T0);
	assert_int_equal(parse_ok("1746238320123"), T0);
	assert_int_equal(cftime_from_unix(1746238320), T0);
	assert_int_equal(cftime_from_unix(1746238320999LL), T0);
}

static void
test_calendar_edges(void **state)
{
	(void)state;
	assert_int_equal(parse_ok("2024-02-29 00:00:00Z"), 1709164800LL);
	assert_int_equal(parse_ok("2000-02-29 00:00:00Z"), 951782400LL);
	assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), -1);
	/* Day/month/year rollover by the offset. */
	assert_int_equal(parse_ok("2025-01-01 07:59:59"), parse_ok("2024-12-31T23:59:59Z"));
	/* A leap second is kept inside its minute. */
	assert_int_equal(parse_ok("2016-12-31T23:59:60Z"), parse_ok("2016-12-31T23:59:59Z"));
}

static void
test_bad(void **state)
{
	(void)state;
	parse_bad("", "empty");
	parse_bad("   ", "empty");
	parse_bad("2025-02-30 10:00", "no such day");
	parse_bad("2023-02-29", "no such day");
	parse_bad("1900-02-29", "no such day");
	parse_bad("2025-13-01", "no such month");
	parse_bad("2025-00-10", "no such month");
	parse_bad("2025-04-31", "no such day");
	parse_bad("2025-05-03 24:00", "out of range");
	parse_bad("2025-05-03 10:60", "out of range");
	parse_bad("2025-05-03 10:12:61", "out of range");
	parse_bad("2025-05-03 10:12:00+25:00", "offset");
	parse_bad("2025-05-03 10:12:00 PST", "offset");
	parse_bad("2025-05-03 10:12:00 junk", "offset");
	parse_bad("03/05/2025", "expected YYYY-MM-DD");
	parse_bad("2025-05", "expected YYYY-MM-DD");
	parse_bad("2025-05/03", "expected YYYY-MM-DD");
	parse_bad("yesterday", "expected YYYY-MM-DD");
	parse_bad("2025-05-03 10", "expected HH:MM");
	parse_bad("12345", "expected YYYY-MM-DD");
	parse_bad("2025-05-03T10:12:00.Z", "bad fraction");
}

static void
test_nul_is_not_a_terminator(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	long long t;
	static const char s[] = "2025-05-03\0 10:12";

	(void)state;
	assert_int_equal(cftime_parse(s, sizeof(s) - 1, &t, &err), -1);
	cf_err_release(&err);
}

static void
test_format(void **state)
{
	char buf[40];

	(void)state;
	assert_string_equal(cftime_format(T0, CFTIME_CST_OFFSET, buf, sizeof(buf)),
			    "2025-05-03 10:12:00 +08:00");
	assert_string_equal(cftime_format(T0, 0, buf, sizeof(buf)), "2025-05-03 02:12:00 +00:00");
	assert_string_equal(cftime_format(T0, -5 * 3600 - 1800, buf, sizeof(buf)),
			    "2025-05-02 20:42:00 -05:30");
	assert_string_equal(cftime_format_iso(T0, buf, sizeof(buf)), "2025-05-03T02:12:00Z");
	assert_string_equal(cftime_format_iso(-1, buf, sizeof(buf)), "1969-12-31T23:59:59Z");
}

static void
test_tz_and_duration(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	long off;
	long long d;

	(void)state;
	assert_int_equal(cftime_parse_tz("UTC", &off, &err), 0);
	assert_int_equal(off, 0);
	assert_int_equal(cftime_parse_tz("Asia/Shanghai", &off, &err), 0);
	assert_int_equal(off, 8 * 3600);
	assert_int_equal(cftime_parse_tz("-0330", &off, &err), 0);
	assert_int_equal(off, -(3 * 3600 + 1800));
	assert_int_equal(cftime_parse_tz("Mars/Olympus", &off, &err), -1);
	cf_err_release(&err);
	assert_int_equal(cftime_parse_duration("12h", &d, &err), 0);
	assert_int_equal(d, 12 * 3600);
	assert_int_equal(cftime_parse_duration("1h30m", &d, &err), 0);
	assert_int_equal(d, 5400);
	assert_int_equal(cftime_parse_duration("2d", &d, &err), 0);
	assert_int_equal(d, 2 * 86400);
	assert_int_equal(cftime_parse_duration("48", &d, &err), 0);
	assert_int_equal(d, 48 * 3600);
	assert_int_equal(cftime_parse_duration("h", &d, &err), -1);
	cf_err_release(&err);
	assert_int_equal(cftime_parse_duration("12x", &d, &err), -1);
	cf_err_release(&err);
	assert_int_equal(cftime_parse_duration("", &d, &err), -1);
	cf_err_release(&err);
}

/* issue 12 (2026-12): sub-second times were cut without a word */
static void
test_milliseconds(void **state)
{
	long long t, base;
	int ms, cut;
	char buf[48];

	(void)state;
	assert_int_equal(cftime_parse("2025-05-03 10:12:00", 19, &base, NULL), 0);
	assert_int_equal(cftime_parse_ms("2025-05-03 10:12:00", 19, &t, &ms, &cut, NULL), 0);
	assert_true(t == base && ms == -1 && cut == 0);
	assert_int_equal(cftime_parse_ms("2025-05-03T02:12:00.1Z", 22, &t, &ms, &cut, NULL), 0);
	assert_true(t == base && ms == 100 && cut == 0);
	assert_int_equal(cftime_parse_ms("2025-05-03 10:12:00,045", 23, &t, &ms, &cut, NULL), 0);
	assert_true(t == base && ms == 45 && cut == 0);
	/* floored, never rounded up into the next second */
	assert_int_equal(cftime_parse_ms("2025-05-03 10:12:00.9999", 24, &t, &ms, &cut, NULL), 0);
	assert_true(t == base && ms == 999 && cut == 1);
	assert_int_equal(cftime_parse_ms("2025-05-03 10:12:00.120000", 26, &t, &ms, &cut, NULL), 0);
	assert_true(ms == 120 && cut == 0);
	/* Unix milliseconds as text; seconds have none */
	assert_int_equal(cftime_parse_ms("1746238320123", 13, &t, &ms, NULL, NULL), 0);
	assert_true(t == base && ms == 123);
	assert_int_equal(cftime_parse_ms("1746238320", 10, &t, &ms, NULL, NULL), 0);
	assert_true(t == base && ms == -1);
	/* before 1970: floored too, so t * 1000 + ms is the value */
	cftime_split_unix_ms(-100000000001LL, &t, &ms);
	assert_true(t == -100000001 && ms == 999);
	assert_int_equal(cftime_from_unix(-100000000001LL), -100000001);
	/* formatting */
	assert_string_equal(cftime_format_ms(base, 7, 8 * 3600, buf, sizeof(buf)),
			    "2025-05-03 10:12:00.007 +08:00");
	assert_string_equal(cftime_format_ms(base, -1, 0, buf, sizeof(buf)),
			    "2025-05-03 02:12:00 +00:00");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_china_local),
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_calendar_edges),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_nul_is_not_a_terminator),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_tz_and_duration),
		cmocka_unit_test(test_milliseconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

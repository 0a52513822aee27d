/* SPDX-License-Identifier: MIT */
/*
 * test_money — the one money scanner under both flag sets: what a person
 * types (MONEY_TYPED: money_parse_fen) and what exports contain
 * (MONEY_EXPORT: the order parser), the limits, the reasons, and
 * formatting.  Behaviour pinned on one side before the two implementations
 * were merged (2026-11-26) is pinned here on both.
 */
#include "testutil.h"

#include <limits.h>

#include "casefile/money.h"

struct ok {
	const char *in;
	long long fen;
};
struct bad {
	const char *in, *why;
};

static void
accepts(unsigned flags, const struct ok *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *why = NULL;
		long long f = 42;

		if (money_scan(v[i].in, strlen(v[i].in), flags, &f, &why) < 0)
			fail_msg("flags %u: '%s' refused: %s", flags, v[i].in, why);
		if (f != v[i].fen)
			fail_msg("flags %u: '%s' read as %lld, want %lld", flags, v[i].in, f, v[i].fen);
	}
}

static void
refuses(unsigned flags, const struct bad *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *why = NULL;
		long long f = 42;

		if (money_scan(v[i].in, strlen(v[i].in), flags, &f, &why) == 0)
			fail_msg("flags %u: '%s' accepted as %lld", flags, v[i].in, f);
		assert_int_equal(f, 42);	/* unchanged */
		if (strcmp(why, v[i].why) != 0)
			fail_msg("flags %u: '%s': reason '%s', want '%s'", flags, v[i].in, why, v[i].why);
	}
}

static void
t1_both(void **state)
{
	static const struct ok ok[] = {
		{ "89.00", 8900 }, { "89", 8900 }, { "89.5", 8950 }, { "0.05", 5 },
		{ "¥30.00", 3000 }, { "￥0.1", 10 }, { " 7.70 ", 770 },
		{ "000000000000000000000089.10", 8910 },	/* leading zeros never overflow */
		{ "9999999999999.99", 999999999999999LL },
		{ "10000000000000", MONEY_MAX_FEN },		/* the limit itself */
	};
	static const struct bad bad[] = {
		{ "", "empty" }, { "  ", "empty" }, { "¥", "empty" },
		{ "8.999", "at most two decimals" }, { "1e3", "use digits and a decimal point, like 89.00" },
		{ "89.", "digits expected after '.'" }, { ".5", "digits expected" },
		{ "8 9", "use digits and a decimal point, like 89.00" }, { "abc", "digits expected" },
		{ "89.0x", "use digits and a decimal point, like 89.00" },
		{ "10000000000001", "too large" }, { "10000000000000.01", "too large" },
		{ "99999999999999999999999", "too large" },
	};

	(void)state;
	accepts(MONEY_TYPED, ok, sizeof(ok) / sizeof(ok[0]));
	accepts(MONEY_EXPORT, ok, sizeof(ok) / sizeof(ok[0]));
	refuses(MONEY_TYPED, bad, sizeof(bad) / sizeof(bad[0]));
	refuses(MONEY_EXPORT, bad, sizeof(bad) / sizeof(bad[0]));
}

static void
t2_typed(void **state)
{
	static const struct ok ok[] = { { "12元", 1200 }, { "¥12.50元", 1250 } };
	static const struct bad bad[] = {
		{ "-1", "negative" }, { "¥-5", "negative" }, { "+1", "digits expected" },
		{ "1,089.00", "use digits and a decimal point, like 89.00" },
		{ "89.000", "at most two decimals" }, { "元", "empty" },
	};
	struct cf_err err = CF_ERR_INIT;
	long long f = 42;

	(void)state;
	accepts(MONEY_TYPED, ok, sizeof(ok) / sizeof(ok[0]));
	refuses(MONEY_TYPED, bad, sizeof(bad) / sizeof(bad[0]));
	assert_int_equal(money_parse_fen("8.999", &f, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_string_equal(err.msg, "bad amount '8.999': at most two decimals");
	assert_int_equal(f, 42);
	cf_err_release(&err);
	assert_int_equal(money_parse_fen("12元", &f, &err), 0);
	assert_int_equal(f, 1200);
}

static void
t3_export(void **state)
{
	static const struct ok ok[] = {
		{ "-5.50", -550 }, { "+5", 500 }, { "¥-5", -500 }, { "-¥5", -500 },
		{ "1,089.00", 108900 }, { "¥1,089.5", 108950 }, { "1,000,000", 100000000 },
		{ "89.000", 8900 }, { "89.5000", 8950 },
	};
	static const struct bad bad[] = {
		{ "1,08", "misplaced ','" }, { ",089", "misplaced ','" },
		{ "1,0890", "misplaced ','" }, { "1,,089", "misplaced ','" },
		{ "89.001", "at most two decimals" }, { "--5", "negative" },
		{ "12元", "use digits and a decimal point, like 89.00" },
		{ "-", "empty" }, { "-10000000000001", "too large" },
	};

	(void)state;
	accepts(MONEY_EXPORT, ok, sizeof(ok) / sizeof(ok[0]));
	refuses(MONEY_EXPORT, bad, sizeof(bad) / sizeof(bad[0]));
}

/* The text need not be NUL-terminated: only s[0..n) is read. */
static void
t4_bounded(void **state)
{
	const char *why = NULL;
	long long f = 0;

	(void)state;
	assert_int_equal(money_scan("89.001", 5, MONEY_TYPED, &f, &why), 0);
	assert_int_equal(f, 8900);
	assert_int_equal(money_scan("12元x", 5, MONEY_TYPED, &f, &why), 0);	/* "12元" */
	assert_int_equal(f, 1200);
	assert_int_equal(money_scan("7", 0, MONEY_EXPORT, &f, &why), -1);
	assert_string_equal(why, "empty");
}

static void
t5_format(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(money_format_fen(8900, buf, sizeof(buf)), "89.00");
	assert_string_equal(money_format_fen(5, buf, sizeof(buf)), "0.05");
	assert_string_equal(money_format_fen(0, buf, sizeof(buf)), "0.00");
	assert_string_equal(money_format_fen(-350, buf, sizeof(buf)), "-3.50");
	assert_string_equal(money_format_fen(-5, buf, sizeof(buf)), "-0.05");
	assert_string_equal(money_format_fen(MONEY_MAX_FEN, buf, sizeof(buf)), "10000000000000.00");
	/* the old fen_format took llabs(LLONG_MIN): undefined behaviour */
	assert_string_equal(money_format_fen(LLONG_MIN, buf, sizeof(buf)), "-92233720368547758.08");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t1_both),
		cmocka_unit_test(t2_typed),
		cmocka_unit_test(t3_export),
		cmocka_unit_test(t4_bounded),
		cmocka_unit_test(t5_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

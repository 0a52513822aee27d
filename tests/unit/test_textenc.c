/* SPDX-License-Identifier: MIT */
/*
 * test_textenc — encoding detection and repair: BOMs, UTF-16 both ways,
 * GBK bytes, invalid UTF-8, NULs, and the validator's edge cases.
 */
#include "testutil.h"

#include "casefile/textenc.h"

static char *
dec(const char *s, size_t n, size_t *len, struct textenc_info *ti)
{
	char *out = textenc_decode(s, n, len, ti);

	assert_non_null(out);
	assert_int_equal(strlen(out), *len);	/* never a NUL inside */
	assert_int_equal(textenc_utf8_check(out, *len, NULL), 0);
	return out;
}

static void
t01_utf8_plain_and_bom(void **state)
{
	struct textenc_info ti;
	size_t len;
	char *o;

	(void)state;
	o = dec("客服: hi\r\n", 12, &len, &ti);
	assert_string_equal(o, "客服: hi\r\n");
	assert_int_equal(ti.enc, TEXTENC_UTF8);
	assert_int_equal(ti.nbad, 0);
	free(o);
	o = dec("\xEF\xBB\xBF{\"a\":1}", 10, &len, &ti);
	assert_string_equal(o, "{\"a\":1}");
	assert_int_equal(ti.enc, TEXTENC_UTF8_BOM);
	free(o);
}

static void
t02_empty(void **state)
{
	struct textenc_info ti;
	size_t len = 99;
	char *o;

	(void)state;
	o = dec("", 0, &len, &ti);
	assert_int_equal(len, 0);
	assert_string_equal(o, "");
	assert_int_equal(ti.nbad + ti.nnul, 0);
	free(o);
}

static void
t03_utf16le_be_with_surrogates(void **state)
{
	/* BOM, "客" U+5BA2, "😀" U+1F600 (D83D DE00), "\n" */
	static const char le[] = "\xFF\xFE\xA2\x5B\x3D\xD8\x00\xDE\x0A\x00";
	static const char be[] = "\xFE\xFF\x5B\xA2\xD8\x3D\xDE\x00\x00\x0A";
	struct textenc_info ti;
	size_t len;
	char *o;

	(void)state;
	o = dec(le, sizeof(le) - 1, &len, &ti);
	assert_string_equal(o, "客😀\n");
	assert_int_equal(ti.enc, TEXTENC_UTF16LE);
	assert_int_equal(ti.nbad, 0);
	free(o);
	o = dec(be, sizeof(be) - 1, &len, &ti);
	assert_string_equal(o, "客😀\n");
	assert_int_equal(ti.enc, TEXTENC_UTF16BE);
	free(o);
}

static void
t04_utf16_bad(void **state)
{
	/* lone high surrogate, then a NUL char, then an odd trailing byte */
	static const char le[] = "\xFF\xFE\x3D\xD8\x41\x00\x00\x00\x42\x00\x43";
	struct textenc_info ti;
	size_t len;
	char *o;

	(void)state;
	o = dec(le, sizeof(le) - 1, &len, &ti);
	assert_string_equal(o, "\xEF\xBF\xBD" "A" "\xEF\xBF\xBD" "B" "\xEF\xBF\xBD");
	assert_int_equal(ti.nbad, 2);
	assert_int_equal(ti.nnul, 1);
	free(o);
}

static void
t05_gbk(void **state)
{
	/* "客服：您好" in GBK */
	static const char gbk[] = "\xBF\xCD\xB7\xFE\xA3\xBA\xC4\xFA\xBA\xC3";
	struct textenc_info ti;
	size_t len;
	char *o;

	(void)state;
	o = dec(gbk, sizeof(gbk) - 1, &len, &ti);
	assert_string_equal(o, "客服：您好");
	assert_int_equal(ti.enc, TEXTENC_GB18030);
	assert_int_equal(ti.nbad, 0);
	free(o);
	/* a GBK text cut in the middle of a character */
	o = dec(gbk, sizeof(gbk) - 2, &len, &ti);
	assert_int_equal(ti.enc, TEXTENC_GB18030);
	assert_int_equal(ti.nbad, 1);
	assert_string_equal(o, "客服：您\xEF\xBF\xBD");
	free(o);
}

static void
t06_invalid_utf8_kept_as_utf8(void **state)
{
	/* valid Chinese UTF-8 with one stray 0xFF: stays UTF-8, one repair */
	static const char s[] = "收到的杯子\xFF有裂痕";
	struct textenc_info ti;
	size_t len;
	char *o;

	(void)state;
	o = dec(s, sizeof(s) - 1, &len, &ti);
	assert_int_equal(ti.enc, TEXTENC_UTF8);
	assert_int_equal(ti.nbad, 1);
	assert_string_equal(o, "收到的杯子\xEF\xBF\xBD有裂痕");
	free(o);
}

static void
t07_nul_never_truncates(void **state)
{
	static const char s[] = "ab\0cd\0\0ef";
	struct textenc_info ti;
	size_t len;
	char *o;

	(void)state;
	o = dec(s, sizeof(s) - 1, &len, &ti);
	assert_string_equal(o, "ab\xEF\xBF\xBD" "cd\xEF\xBF\xBD\xEF\xBF\xBD" "ef");
	assert_int_equal(ti.nnul, 3);
	assert_int_equal(ti.nbad, 0);
	free(o);
}

static void
t08_utf8_check(void **state)
{
	size_t nch;

	(void)state;
	assert_int_equal(textenc_utf8_check("a客😀", 8, &nch), 0);
	assert_int_equal(nch, 3);
	assert_int_equal(textenc_utf8_check("\xC0\xAF", 2, NULL), 2);	/* overlong: 2 bad bytes */
	assert_int_equal(textenc_utf8_check("\xED\xA0\x80", 3, NULL), 3);	/* surrogate */
	assert_int_equal(textenc_utf8_check("\xF4\x90\x80\x80", 4, NULL), 4);	/* > U+10FFFF */
	assert_int_equal(textenc_utf8_check("\xE5\xAE", 2, &nch), 1);	/* cut short */
	assert_int_equal(nch, 1);
	assert_int_equal(textenc_utf8_check("a\0b", 3, NULL), 0);
}

/*
 * 8b. The one way every module reads a character (issue 13): a valid
 * sequence whole, anything else one byte as U+FFFD; overlongs, surrogates,
 * code points above U+10FFFF and cut sequences are invalid (libunistring).
 */
static void
t08b_utf8_next(void **state)
{
	static const struct {
		const char *s;
		size_t n, len;
		unsigned cp;
	} v[] = {
		{ "a", 1, 1, 'a' },
		{ "\xC2\xA5", 2, 2, 0xA5 },
		{ "\xE5\xAE\xA2", 3, 3, 0x5BA2 },
		{ "\xF0\x9F\x98\x80", 4, 4, 0x1F600 },
		{ "\xEF\xBF\xBD", 3, 3, 0xFFFD },		/* a real U+FFFD */
		{ "\xC0\xAF", 2, 1, 0xFFFD },		/* overlong */
		{ "\xED\xA0\x80", 3, 1, 0xFFFD },	/* surrogate */
		{ "\xF4\x90\x80\x80", 4, 1, 0xFFFD },	/* > U+10FFFF */
		{ "\xE5\xAE", 2, 1, 0xFFFD },		/* cut short */
		{ "\x80", 1, 1, 0xFFFD },		/* stray continuation */
		{ "\xFF", 1, 1, 0xFFFD },
		{ "", 1, 1, 0 },			/* NUL is a character */
	};
	unsigned cp;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cp = 12345;
		assert_int_equal(textenc_utf8_next(v[i].s, v[i].n, &cp), v[i].len);
		assert_int_equal(cp, v[i].cp);
		assert_int_equal(textenc_utf8_next(v[i].s, v[i].n, NULL), v[i].len);
		cp = 12345;
		assert_int_equal(textenc_utf8_seq((const unsigned char *)v[i].s, v[i].n, &cp),
				 v[i].cp == 0xFFFD && v[i].len == 1 ? 0 : v[i].len);
		if (v[i].cp == 0xFFFD && v[i].len == 1)
			assert_int_equal(cp, 12345);	/* unchanged on failure */
	}
}

static void
t09_put_roundtrip(void **state)
{
	unsigned cps[] = { 0x41, 0xA5, 0x5BA2, 0xFFFD, 0x1F600, 0x10FFFF }, cp;
	char b[4];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		n = textenc_utf8_put(b, cps[i]);
		assert_int_equal(textenc_utf8_seq((unsigned char *)b, n, &cp), n);
		assert_int_equal(cp, cps[i]);
	}
	n = textenc_utf8_put(b, 0xD800);	/* never encodes a surrogate */
	assert_int_equal(textenc_utf8_seq((unsigned char *)b, n, &cp), 3);
	assert_int_equal(cp, 0xFFFD);
	assert_string_equal(textenc_name(TEXTENC_GB18030), "gb18030");
}

static void
t10_binary_noise(void **state)
{
	unsigned char s[4096];
	struct textenc_info ti;
	size_t len, i;
	char *o;

	(void)state;
	for (i = 0; i < sizeof(s); i++)
		s[i] = (unsigned char)(i * 131 + 7);
	o = dec((char *)s, sizeof(s), &len, &ti);
	assert_true(ti.nbad > 0);
	free(o);
}

static void
t11_trim(void **state)
{
	char a[] = "  \tkey = value \t\r\n", b[] = "", c[] = " \t \r\n", d[] = "x";
	char e[] = "\t中文 字 \r";

	(void)state;
	assert_string_equal(textenc_trim(a), "key = value");
	assert_string_equal(textenc_trim(b), "");
	assert_string_equal(textenc_trim(c), "");
	assert_string_equal(textenc_trim(d), "x");
	/* inner blanks and multi-byte text stay; only ASCII blanks at the ends go */
	assert_string_equal(textenc_trim(e), "中文 字");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t01_utf8_plain_and_bom),
		cmocka_unit_test(t02_empty),
		cmocka_unit_test(t03_utf16le_be_with_surrogates),
		cmocka_unit_test(t04_utf16_bad),
		cmocka_unit_test(t05_gbk),
		cmocka_unit_test(t06_invalid_utf8_kept_as_utf8),
		cmocka_unit_test(t07_nul_never_truncates),
		cmocka_unit_test(t08_utf8_check),
		cmocka_unit_test(t08b_utf8_next),
		cmocka_unit_test(t09_put_roundtrip),
		cmocka_unit_test(t10_binary_noise),
		cmocka_unit_test(t11_trim),
	};

	return cmocka_run_group_tests(tests, test_tmpdir_setup, test_tmpdir_teardown);
}

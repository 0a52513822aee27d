/* SPDX-License-Identifier: MIT */
/*
 * money — decimal text to integer fen and back, without floating point
 * (contract and grammar in money.h).
 *
 * One scanner serves every caller; the flags only widen what it accepts.
 * The value is checked against MONEY_MAX_FEN after every digit, so it can
 * never overflow whatever the number of digits or leading zeros.
 */
#include <stdio.h>
#include <string.h>

#include "casefile/money.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
money_scan(const char *s, size_t n, unsigned flags, long long *fen,
	   const char **why)
{
	const char *p = s, *end = s + n;
	long long v = 0;
	int neg = 0, ndig = 0, nfrac = 0;

	while (p < end && *p == ' ')
		p++;
	while (end > p && end[-1] == ' ')
		end--;
	if ((flags & MONEY_SIGNED) && p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if (end - p >= 2 && !memcmp(p, "\xc2\xa5", 2))			/* ¥ */
		p += 2;
	else if (end - p >= 3 && !memcmp(p, "\xef\xbf\xa5", 3))		/* ￥ */
		p += 3;
	if ((flags & MONEY_SIGNED) && !neg && p < end && *p == '-') {	/* ¥-5 */
		neg = 1;
		p++;
	}
	if ((flags & MONEY_YUAN) && end - p >= 3 && !memcmp(end - 3, "\xe5\x85\x83", 3))
		end -= 3;						/* 元 */
	if (p == end) {
		*why = "empty";
		return -1;
	}
	if (*p == '-') {
		*why = "negative";
		return -1;
	}
	while (p < end && (is_digit(*p) || ((flags & MONEY_GROUPED) && *p == ','))) {
		if (*p == ',') {
			/* a thousands separator: exactly three digits follow */
			if (!ndig || end - p < 4 || !is_digit(p[1]) || !is_digit(p[2]) ||
			    !is_digit(p[3]) || (end - p > 4 && is_digit(p[4]))) {
				*why = "misplaced ','";
				return -1;
			}
			p++;
			continue;
		}
		v = v * 10 + (*p++ - '0');
		ndig++;
		if (v > MONEY_MAX_FEN / 100) {
			*why = "too large";
			return -1;
		}
	}
	if (ndig == 0) {
		*why = "digits expected";
		return -1;
	}
	v *= 100;
	if (p < end && *p == '.') {
		for (p++; p < end && is_digit(*p); p++, nfrac++) {
			if (nfrac < 2)
				v += (*p - '0') * (nfrac == 0 ? 10 : 1);
			else if (*p != '0' || !(flags & MONEY_ZERO_TAIL)) {
				*why = "at most two decimals";
				return -1;
			}
		}
		if (nfrac == 0) {
			*why = "digits expected after '.'";
			return -1;
		}
	}
	if (p != end) {
		*why = "use digits and a decimal point, like 89.00";
		return -1;
	}
	if (v > MONEY_MAX_FEN) {
		*why = "too large";
		return -1;
	}
	*fen = neg ? -v : v;
	return 0;
}

int
money_parse_fen(const char *s, long long *fen, struct cf_err *err)
{
	const char *why;

	if (money_scan(s, strlen(s), MONEY_TYPED, fen, &why) < 0)
		return cf_err_set(err, CF_EINPUT, "bad amount '%s': %s", s, why);
	return 0;
}

char *
money_format_fen(long long fen, char *buf, size_t n)
{
	unsigned long long a = fen < 0 ? 0ULL - (unsigned long long)fen
				       : (unsigned long long)fen;

	snprintf(buf, n, "%s%llu.%02llu", fen < 0 ? "-" : "", a / 100, a % 100);
	return buf;
}

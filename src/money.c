/* SPDX-License-Identifier: MIT */
/*
 * money — decimal text to integer fen and back, without floating point.
 */
#include <stdio.h>
#include <string.h>

#include "casefile/money.h"

int
money_parse_fen(const char *s, long long *fen, struct cf_err *err)
{
	const char *p = s, *end;
	long long v = 0;
	int ndig = 0, nfrac = 0;

	end = s + strlen(s);
	while (p < end && *p == ' ')
		p++;
	while (end > p && end[-1] == ' ')
		end--;
	if ((size_t)(end - p) >= 2 && !memcmp(p, "\xc2\xa5", 2))		/* ¥ */
		p += 2;
	else if ((size_t)(end - p) >= 3 && !memcmp(p, "\xef\xbf\xa5", 3))	/* ￥ */
		p += 3;
	if ((size_t)(end - p) >= 3 && !memcmp(end - 3, "\xe5\x85\x83", 3))	/* 元 */
		end -= 3;
	if (p == end)
		return cf_err_set(err, CF_EINPUT, "bad amount '%s': empty", s);
	if (*p == '-')
		return cf_err_set(err, CF_EINPUT, "bad amount '%s': negative", s);
	for (; p < end && *p >= '0' && *p <= '9'; p++, ndig++) {
		v = v * 10 + (*p - '0');
		if (v > MONEY_MAX_FEN / 100)
			return cf_err_set(err, CF_EINPUT, "bad amount '%s': too large", s);
	}
	v *= 100;
	if (p < end && *p == '.') {
		p++;
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			if (++nfrac > 2)
				return cf_err_set(err, CF_EINPUT,
						  "bad amount '%s': at most two decimals", s);
			v += (*p - '0') * (nfrac == 1 ? 10 : 1);
		}
		if (nfrac == 0)
			return cf_err_set(err, CF_EINPUT, "bad amount '%s': digits expected after '.'", s);
	}
	if (ndig == 0)
		return cf_err_set(err, CF_EINPUT, "bad amount '%s': digits expected", s);
	if (p != end)
		return cf_err_set(err, CF_EINPUT,
				  "bad amount '%s': use digits and a decimal point, like 89.00", s);
	*fen = v;
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

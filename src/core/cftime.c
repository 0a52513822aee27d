/* SPDX-License-Identifier: MIT */
/*
 * cftime — strict parsing of the time forms merchants' exports use.
 *
 * The parser is a small hand-written scanner over the ASCII forms listed in
 * cftime.h: strptime(3) silently accepts out-of-range fields and depends on
 * the locale, and timegm/mktime normalise 2025-02-30 into March, which
 * FORMATS.md forbids.  Calendar arithmetic uses the days-from-civil formula
 * (proleptic Gregorian), valid for the whole 64-bit range we accept.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casefile/cftime.h"
#include "casefile/xalloc.h"

long long
cftime_days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int
cftime_valid_date(long long y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap, max;

	if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1)
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	max = mdays[m - 1] + (m == 2 && leap);
	return d <= max;
}

long long
cftime_from_unix(long long v)
{
	long long sec;
	int ms;

	if (v >= 100000000000LL || v <= -100000000000LL) {
		cftime_split_unix_ms(v, &sec, &ms);
		return sec;
	}
	return v;
}

/* Read exactly `width` digits at *p; returns -1 if not all digits. */
static long
scan_digits(const char **p, const char *end, int width)
{
	long v = 0;
	int i;

	for (i = 0; i < width; i++) {
		if (*p >= end || !isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

/* Read 1..max digits. */
static long
scan_var_digits(const char **p, const char *end, int max)
{
	long v = 0;
	int i;

	for (i = 0; i < max && *p < end && isdigit((unsigned char)**p); i++) {
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return i ? v : -1;
}

static int
bad_time(struct cf_err *err, const char *s, size_t n, const char *why)
{
	return cf_err_set(err, CF_EINPUT, "bad time '%.*s': %s",
			  (int)(n > 64 ? 64 : n), s, why);
}

/* Parse an offset at p: Z, +08:00, +0800, +08. */
static int
scan_offset(const char **p, const char *end, long *off)
{
	int sign;
	long hh, mm = 0;

	if (*p < end && (**p == 'Z' || **p == 'z')) {
		(*p)++;
		*off = 0;
		return 0;
	}
	if (*p >= end || (**p != '+' && **p != '-'))
		return -1;
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if ((hh = scan_digits(p, end, 2)) < 0 || hh > 14)
		return -1;
	if (*p < end && **p == ':')
		(*p)++;
	if (*p < end && isdigit((unsigned char)**p)) {
		if ((mm = scan_digits(p, end, 2)) < 0 || mm > 59)
			return -1;
	}
	*off = sign * (hh * 3600 + mm * 60);
	return 0;
}

void
cftime_split_unix_ms(long long v, long long *sec, int *ms)
{
	long long q = v / 1000, r = v % 1000;

	if (r < 0) {
		/* floor, so that sec * 1000 + ms is v before 1970 too */
		q--;
		r += 1000;
	}
	*sec = q;
	*ms = (int)r;
}

int
cftime_parse(const char *s, size_t n, long long *utc, struct cf_err *err)
{
	return cftime_parse_ms(s, n, utc, NULL, NULL, err);
}

int
cftime_parse_ms(const char *s, size_t n, long long *utc, int *ms, int *cut,
		struct cf_err *err)
{
	const char *p = s, *end = s + n;
	long y, mo, d, hh = 0, mi = 0, ss = 0, off = CFTIME_CST_OFFSET;
	int frac = -1, fcut = 0;
	char sep;
	long long days;

	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	if (p == end)
		return bad_time(err, s, n, "empty");
	/* Unix seconds or milliseconds. */
	{
		const char *q = p;
		int neg = 0;

		if (*q == '-') {
			neg = 1;
			q++;
		}
		if (q < end && (size_t)(end - q) <= 15) {
			const char *r = q;
			long long v = 0;

			while (r < end && isdigit((unsigned char)*r))
				v = v * 10 + (*r++ - '0');
			if (r == end && r > q && (size_t)(end - q) >= 9) {
				int m = -1;

				v = neg ? -v : v;
				if (v >= 100000000000LL || v <= -100000000000LL)
					cftime_split_unix_ms(v, utc, &m);
				else
					*utc = v;
				if (ms)
					*ms = m;
				if (cut)
					*cut = 0;
				return 0;
			}
		}
	}
	if ((y = scan_digits(&p, end, 4)) < 0)
		return bad_time(err, s, n, "expected YYYY-MM-DD");
	if (p >= end || (*p != '-' && *p != '/' && *p != '.'))
		return bad_time(err, s, n, "expected YYYY-MM-DD");
	sep = *p++;
	if ((mo = scan_var_digits(&p, end, 2)) < 0)
		return bad_time(err, s, n, "expected a month");
	if (p >= end || *p != sep)
		return bad_time(err, s, n, "expected YYYY-MM-DD");
	p++;
	if ((d = scan_var_digits(&p, end, 2)) < 0)
		return bad_time(err, s, n, "expected a day");
	if (mo < 1 || mo > 12)
		return bad_time(err, s, n, "no such month");
	if (!cftime_valid_date(y, (int)mo, (int)d))
		return bad_time(err, s, n, "no such day");
	if (p < end && (*p == 'T' || *p == 't' || *p == ' ')) {
		p++;
		while (p < end && *p == ' ')
			p++;
		if ((hh = scan_var_digits(&p, end, 2)) < 0 || p >= end || *p != ':')
			return bad_time(err, s, n, "expected HH:MM");
		p++;
		if ((mi = scan_digits(&p, end, 2)) < 0)
			return bad_time(err, s, n, "expected HH:MM");
		if (p < end && *p == ':') {
			p++;
			if ((ss = scan_digits(&p, end, 2)) < 0)
				return bad_time(err, s, n, "expected seconds");
			if (p < end && (*p == '.' || *p == ',')) {
				const char *f0 = ++p;
				int k;

				if (scan_var_digits(&p, end, 9) < 0)
					return bad_time(err, s, n, "bad fraction");
				/* milliseconds: the first three digits, padded; the rest cut */
				for (frac = 0, k = 0; k < 3; k++)
					frac = frac * 10 + (f0 + k < p ? f0[k] - '0' : 0);
				for (; f0 + k < p; k++)
					fcut |= f0[k] != '0';
			}
		}
		if (hh > 23 || mi > 59 || ss > 60)
			return bad_time(err, s, n, "hour, minute or second out of range");
		if (ss == 60) {
			ss = 59;	/* a leap second is kept inside its minute */
			if (frac >= 0) {
				frac = 999;
				fcut = 1;
			}
		}
		while (p < end && *p == ' ')
			p++;
		if (p < end) {
			if (end - p == 3 && strncasecmp(p, "UTC", 3) == 0) {
				off = 0;
				p = end;
			} else if (end - p == 3 && strncasecmp(p, "CST", 3) == 0) {
				off = CFTIME_CST_OFFSET;
				p = end;
			} else if (end - p == 3 && strncasecmp(p, "GMT", 3) == 0) {
				off = 0;
				p = end;
			} else if (scan_offset(&p, end, &off) < 0) {
				return bad_time(err, s, n, "bad time zone offset");
			}
		}
	}
	if (p != end)
		return bad_time(err, s, n, "unexpected text after the time");
	days = cftime_days_from_civil(y, (unsigned)mo, (unsigned)d);
	*utc = days * 86400 + hh * 3600 + mi * 60 + ss - off;
	if (ms)
		*ms = frac;
	if (cut)
		*cut = fcut;
	return 0;
}

char *
cftime_format(long long utc, long offset, char *buf, size_t n)
{
	long long t = utc + offset, days, secs;
	long long y;
	unsigned m, d;
	char off[8];

	days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	secs = t - days * 86400;
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, n, "%04lld-%02u-%02u %02lld:%02lld:%02lld %s", y, m, d,
		 secs / 3600, secs / 60 % 60, secs % 60,
		 cftime_format_offset(offset, off, sizeof(off)));
	return buf;
}

char *
cftime_format_ms(long long utc, int ms, long offset, char *buf, size_t n)
{
	char t[40], *sp;

	cftime_format(utc, offset, t, sizeof(t));
	if (ms < 0 || ms > 999 || (sp = strrchr(t, ' ')) == NULL) {
		snprintf(buf, n, "%s", t);
		return buf;
	}
	*sp = '\0';
	snprintf(buf, n, "%s.%03d %s", t, ms, sp + 1);
	return buf;
}

char *
cftime_format_iso(long long utc, char *buf, size_t n)
{
	long long days, secs, y;
	unsigned m, d;

	days = utc >= 0 ? utc / 86400 : (utc - 86399) / 86400;
	secs = utc - days * 86400;
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, n, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", y, m, d,
		 secs / 3600, secs / 60 % 60, secs % 60);
	return buf;
}

char *
cftime_format_offset(long offset, char *buf, size_t n)
{
	long a = offset < 0 ? -offset : offset;

	snprintf(buf, n, "%c%02d:%02d", offset < 0 ? '-' : '+',
		 (int)(a / 3600 % 100), (int)(a / 60 % 60));
	return buf;
}

int
cftime_parse_tz(const char *s, long *offset, struct cf_err *err)
{
	const char *p = s, *end = s + strlen(s);
	long off;

	if (!strcasecmp(s, "UTC") || !strcasecmp(s, "Z") || !strcasecmp(s, "GMT")) {
		*offset = 0;
		return 0;
	}
	if (!strcasecmp(s, "CST") || !strcmp(s, "Asia/Shanghai") ||
	    !strcmp(s, "China") || !strcmp(s, "PRC")) {
		*offset = CFTIME_CST_OFFSET;
		return 0;
	}
	if (scan_offset(&p, end, &off) < 0 || p != end || *s == 'Z' || *s == 'z')
		return cf_err_set(err, CF_EINPUT,
				  "bad time zone '%s': use UTC, CST or an offset like +08:00", s);
	*offset = off;
	return 0;
}

int
cftime_parse_duration(const char *s, long long *secs, struct cf_err *err)
{
	const char *p = s;
	long long total = 0;
	int parts = 0;

	while (*p) {
		long long v = 0;
		int digits = 0;

		while (isdigit((unsigned char)*p) && digits < 12) {
			v = v * 10 + (*p++ - '0');
			digits++;
		}
		if (!digits)
			goto bad;
		switch (*p) {
		case 'd': total += v * 86400; p++; break;
		case 'h': total += v * 3600; p++; break;
		case 'm': total += v * 60; p++; break;
		case 's': total += v; p++; break;
		case '\0':
			if (parts)
				goto bad;
			total += v * 3600;
			break;
		default:
			goto bad;
		}
		parts++;
	}
	if (!parts)
		goto bad;
	*secs = total;
	return 0;
bad:
	return cf_err_set(err, CF_EINPUT,
			  "bad duration '%s': use e.g. 12h, 30m, 2d or 1h30m", s);
}

double
cftime_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* SPDX-License-Identifier: MIT */
/*
 * cftime — the time formats of FORMATS.md, read into UTC seconds.
 *
 * Accepted text forms (leading/trailing ASCII space ignored):
 *   RFC 3339            2025-05-03T10:12:00+08:00, ...Z, fractional seconds
 *   offsets             +08:00, +0800, +08, Z, or " UTC"/" CST" suffixes
 *   China local         2025-05-03 10:14:05, 2025-05-03 10:14, 2025/05/03 ...
 *                       (no offset means China Standard Time, UTC+8: a local
 *                       time is never read as UTC)
 *   date only           2025-05-03 (midnight China time)
 *   Unix time           digits only: seconds, or milliseconds when >= 1e11
 * Every field is range-checked: 2025-02-30 is refused, never rolled over.
 * Instants are signed 64-bit seconds since 1970-01-01T00:00:00Z.
 */
#ifndef CASEFILE_CFTIME_H
#define CASEFILE_CFTIME_H

#include <stddef.h>

#include "casefile/err.h"

#define CFTIME_CST_OFFSET (8 * 3600L)

/*
 * Parse s[0..n) into *utc.  Returns 0, or -1 with CF_EINPUT and a message
 * saying what is wrong ("bad time '2025-02-30': no such day");
 * *utc is unchanged on failure.
 */
int cftime_parse(const char *s, size_t n, long long *utc, struct cf_err *err);

/*
 * The same, and the sub-second part: *ms (may be NULL) is 0..999 when the
 * text carries one (a fraction, or Unix milliseconds), else -1; *cut (may be
 * NULL) is 1 when non-zero digits past the millisecond were dropped (the
 * time is floored to the millisecond, never rounded up).
 */
int cftime_parse_ms(const char *s, size_t n, long long *utc, int *ms, int *cut,
		    struct cf_err *err);

/* A JSON/number timestamp: seconds, or milliseconds when >= 1e11. */
long long cftime_from_unix(long long v);
/* Unix milliseconds v as floored seconds and 0..999 milliseconds. */
void cftime_split_unix_ms(long long v, long long *sec, int *ms);

/* Days since 1970-01-01 of a proleptic Gregorian date (no validation). */
long long cftime_days_from_civil(long long y, unsigned m, unsigned d);
/* 1 when y-m-d names a real day. */
int cftime_valid_date(long long y, int m, int d);

/*
 * "2025-05-03 10:12:00 +08:00" for the instant shown at offset seconds east
 * of UTC.  buf needs 32 bytes; returns buf.
 */
char *cftime_format(long long utc, long offset, char *buf, size_t n);
/*
 * The same with milliseconds when ms is 0..999: "2025-05-03 10:12:00.120
 * +08:00" (buf needs 40 bytes); ms < 0 formats as cftime_format().
 */
char *cftime_format_ms(long long utc, int ms, long offset, char *buf, size_t n);
/* "2025-05-03T02:12:00Z"; buf needs 24 bytes; returns buf. */
char *cftime_format_iso(long long utc, char *buf, size_t n);

/* Parse a display zone: "UTC", "Z", "CST", "Asia/Shanghai", "+08:00", "-0500". */
int cftime_parse_tz(const char *s, long *offset, struct cf_err *err);
/* "+08:00" for an offset; buf needs 8 bytes. */
char *cftime_format_offset(long offset, char *buf, size_t n);

/* Parse a duration: "12h", "30m", "2d", "90s", "1h30m", bare digits = hours. */
int cftime_parse_duration(const char *s, long long *secs, struct cf_err *err);

/* Seconds on the monotonic clock, for elapsed times (progress, summaries). */
double cftime_monotonic(void);

#endif

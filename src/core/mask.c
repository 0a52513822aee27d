/* SPDX-License-Identifier: MIT */
/*
 * mask — personal data out of text before it is quoted (contract in
 * mask.h).  Byte-wise scanning: every pattern is ASCII digits or fixed
 * UTF-8 marks, so no decoding is needed.
 */
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/mask.h"
#include "casefile/xalloc.h"

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(unsigned char c)
{
	return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static int
is_sep(char c)
{
	return c == ' ' || c == '-';
}

static size_t
digits_at(const char *s, size_t p)
{
	size_t k = p;

	while (is_digit((unsigned char)s[k]))
		k++;
	return k - p;
}

/*
 * A mainland mobile number at s + p: 11 digits 1[3-9]…, written whole or
 * as 3-4-4 groups split by ' ' or '-'.  Its digits go to d; returns the
 * end, or 0.
 */
static size_t
mobile_at(const char *s, size_t p, char d[11])
{
	size_t n = digits_at(s, p);

	if (s[p] != '1' || s[p + 1] < '3' || s[p + 1] > '9')
		return 0;
	if (n == 11) {
		memcpy(d, s + p, 11);
		return p + 11;
	}
	if (n != 3 || !is_sep(s[p + 3]) || digits_at(s, p + 4) != 4 ||
	    !is_sep(s[p + 8]) || digits_at(s, p + 9) != 4)
		return 0;
	memcpy(d, s + p, 3);
	memcpy(d + 3, s + p + 4, 4);
	memcpy(d + 7, s + p + 9, 4);
	return p + 13;
}

/*
 * A mobile number at s + i, with an optional country code (+86, 0086, 86)
 * glued on or split off by ' ' or '-'.  *nat is where its national part
 * starts; returns the end, or 0.
 */
static size_t
phone_at(const char *s, size_t i, size_t *nat, char d[11])
{
	size_t p = i, e;

	if (strncmp(s + i, "+86", 3) == 0)
		p = i + 3;
	else if (strncmp(s + i, "0086", 4) == 0)
		p = i + 4;
	else if (strncmp(s + i, "86", 2) == 0)
		p = i + 2;
	if (p != i) {
		*nat = is_sep(s[p]) ? p + 1 : p;
		if ((e = mobile_at(s, *nat, d)) != 0)
			return e;
	}
	*nat = i;
	return mobile_at(s, i, d);
}

static const char *const admin_marks[] = { "区", "县", "镇", "市" };
static const char *const unit_marks[] = {
	"号楼", "号", "栋", "幢", "单元", "室", "弄", "楼", "层", "座", "户",
};
static const char *const road_marks[] = { "路", "街", "道", "巷", "村", "里" };
static const char *const place_marks[] = {
	"小区", "苑", "园", "城", "大厦", "广场", "公寓", "中心",
};

/* Length of the mark of list[0..n) at s, or 0. */
static size_t
mark_at(const char *s, const char *const *list, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (strncmp(s, list[k], strlen(list[k])) == 0)
			return strlen(list[k]);
	return 0;
}

#define NMARKS(a) (sizeof(a) / sizeof((a)[0]))

/*
 * A street address in free text after an administrative part ending at
 * s + p ("…区" / "…县"): a run of letters and digits (no punctuation or
 * space) naming a road or place (路/街/小区…) and then house units —
 * digits before 号/栋/单元/室…, digits right after such a unit (the room
 * of "3单元1501") or after a road.  The first unit comes within 20
 * characters, each next one within 10 of the last.  Returns the end of
 * the last unit, or 0 when there is none or another administrative part
 * comes first (the address starts there).
 */
static size_t
street_at(const char *s, size_t p)
{
	size_t last = 0, gap = 0, prev_mark = 0, k;
	int place = 0;

	while (s[p] && gap < (last ? 10u : 20u)) {
		unsigned char c = (unsigned char)s[p];

		if (is_digit(c)) {
			size_t e = p + digits_at(s, p), m;

			while (s[e] == '-' && is_digit((unsigned char)s[e + 1]))
				e += 1 + digits_at(s, e + 1);
			m = mark_at(s + e, unit_marks, NMARKS(unit_marks));
			if (m && strncmp(s + e + m, "线", 3) == 0)
				m = 0;	/* 2号线: a metro line */
			if (!place)
				m = 0;	/* "超市买的3号电池" is no address */
			if (m) {
				last = p = e + m;
				prev_mark = p;
				gap = 0;
				continue;
			}
			if (prev_mark == p) {
				last = p = e;
				gap = 0;
				continue;
			}
			gap += e - p;
			p = e;
			continue;
		}
		if (c >= 0xE0) {
			/* CJK punctuation and full-width forms end the run */
			if ((c == 0xE3 && (unsigned char)s[p + 1] == 0x80) ||
			    (c == 0xEF && ((unsigned char)s[p + 1] == 0xBC ||
					   (unsigned char)s[p + 1] == 0xBD)))
				break;
			if (last == 0 && mark_at(s + p, admin_marks, NMARKS(admin_marks)))
				return 0;
			k = mark_at(s + p, road_marks, NMARKS(road_marks));
			if (k) {
				p += k;
				prev_mark = p;
				place = 1;
				gap++;
				continue;
			}
			if ((k = mark_at(s + p, place_marks, NMARKS(place_marks))) != 0) {
				p += k;
				place = 1;
				gap++;
				continue;
			}
			k = p + 1;
			while (((unsigned char)s[k] & 0xC0) == 0x80)
				k++;
			p = k;
			gap++;
			continue;
		}
		if (!is_alnum(c) && c != '#')
			break;
		p++;
		gap++;
	}
	return last;
}

char *
mask_text(const char *s)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t i = 0, n = strlen(s);

	while (i < n) {
		size_t j = i, nat, m;
		char d[11];
		/* digits glued to letters are an identifier (SF1234567890) */
		int word_start = i == 0 || !is_alnum((unsigned char)s[i - 1]);

		if ((s[i] == '+' || (is_digit((unsigned char)s[i]) && word_start)) &&
		    (j = phone_at(s, i, &nat, d)) != 0) {
			cf_buf_add(&b, s + i, nat - i);
			cf_buf_add(&b, d, 3);
			cf_buf_addstr(&b, "****");
			cf_buf_add(&b, d + 7, 4);
			i = j;
			continue;
		}
		if ((m = mark_at(s + i, admin_marks, NMARKS(admin_marks))) != 0) {
			cf_buf_add(&b, s + i, m);
			i += m;
			if ((j = street_at(s, i)) != 0) {
				cf_buf_addstr(&b, "****");
				i = j;
			}
			continue;
		}
		j = i;
		if (!is_digit((unsigned char)s[i]) || (i > 0 && is_digit((unsigned char)s[i - 1]))) {
			cf_buf_addch(&b, s[i++]);
			continue;
		}
		while (j < n && is_digit((unsigned char)s[j]))
			j++;
		if (j - i == 17 && j < n && (s[j] == 'X' || s[j] == 'x')) {
			j++;	/* ID number ending in X */
		}
		if (j - i == 18 && (j >= n || !is_digit((unsigned char)s[j]))) {
			cf_buf_add(&b, s + i, 6);
			cf_buf_addstr(&b, "********");
			cf_buf_add(&b, s + j - 4, 4);
		} else if (j < n && (strncmp(s + j, "号", 3) == 0 || strncmp(s + j, "栋", 3) == 0 ||
				     strncmp(s + j, "幢", 3) == 0 || strncmp(s + j, "单元", 6) == 0 ||
				     strncmp(s + j, "室", 3) == 0 || strncmp(s + j, "弄", 3) == 0 ||
				     strncmp(s + j, "楼", 3) == 0) &&
			   !(i >= 3 && strncmp(s + i - 3, "月", 3) == 0) &&
			   strncmp(s + j, "号线", 6) != 0) {
			size_t k;

			/* a house number; "5月3号" is a date, "2号线" a metro line */
			for (k = i; k < j; k++)
				cf_buf_addch(&b, '*');
		} else {
			cf_buf_add(&b, s + i, j - i);
		}
		i = j;
	}
	return cf_buf_detach(&b, NULL);
}

char *
mask_address(const char *s)
{
	static const char *const marks[] = { "区", "县", "镇", "市" };
	const char *cut = NULL;
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]) && cut == NULL; i++) {
		const char *q = strstr(s, marks[i]);

		if (q)
			cut = q + strlen(marks[i]);
	}
	if (cut == NULL || *cut == '\0') {
		/* no district: keep a short head, mask the rest */
		size_t k = 0, chars = 0;

		while (s[k] && chars < 6) {
			k++;
			while (((unsigned char)s[k] & 0xC0) == 0x80)
				k++;
			chars++;
		}
		if (s[k] == '\0')
			return mask_text(s);
		cut = s + k;
	}
	return xasprintf("%.*s****", (int)(cut - s), s);
}

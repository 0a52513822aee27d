/* SPDX-License-Identifier: MIT */
/*
 * textenc — BOM / UTF-8 / GB18030 detection and decoding to clean UTF-8.
 *
 * One UTF-8 sequence is read by libunistring's u8_mbtoucr() (RFC 3629: no
 * overlongs, surrogates or code points above U+10FFFF); the replacement
 * behaviour around it (textenc.h) and UTF-16 are done here; GB18030 goes
 * through iconv(3), one invalid byte skipped per EILSEQ.  Every path ends in
 * utf8_clean(), which is what guarantees the output invariants.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "casefile/buf.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"

static const char replacement[] = "\xEF\xBF\xBD";

const char *
textenc_name(enum textenc_enc e)
{
	switch (e) {
	case TEXTENC_UTF8: return "utf-8";
	case TEXTENC_UTF8_BOM: return "utf-8 (bom)";
	case TEXTENC_UTF16LE: return "utf-16le";
	case TEXTENC_UTF16BE: return "utf-16be";
	case TEXTENC_GB18030: return "gb18030";
	}
	return "unknown";
}

size_t
textenc_utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
	ucs4_t uc;
	int len = u8_mbtoucr(&uc, s, n);

	if (len <= 0)
		return 0;
	*cp = uc;
	return (size_t)len;
}

size_t
textenc_utf8_next(const void *s, size_t n, unsigned *cp)
{
	unsigned c = 0xFFFD;
	size_t len = textenc_utf8_seq(s, n, &c);

	if (cp)
		*cp = c;
	return len ? len : 1;
}

size_t
textenc_utf8_put(char *out, unsigned cp)
{
	unsigned char *o = (unsigned char *)out;

	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		cp = 0xFFFD;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/*
 * Length of the longest prefix of s[0..n) that is valid UTF-8 without NUL:
 * the common case, which then needs no repair.  ASCII is taken a word at a
 * time (no byte with the high bit set, none zero), other sequences through
 * textenc_utf8_seq().
 */
static size_t
utf8_clean_run(const unsigned char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	size_t i = 0, len;
	unsigned cp;

	while (i < n) {
		if (n - i >= 8) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if (((w | ((w - ones) & ~w)) & highs) == 0) {
				i += 8;
				continue;
			}
		}
		if (s[i] >= 0x01 && s[i] < 0x80)
			i++;
		else if (s[i] != 0 && (len = textenc_utf8_seq(s + i, n - i, &cp)) > 0)
			i += len;
		else
			break;
	}
	return i;
}

/*
 * Length of the maximal invalid prefix to replace with one U+FFFD: the lead
 * byte plus the continuation bytes that could still have belonged to it
 * (the W3C/Unicode "maximal subpart" practice), at least 1.
 */
static size_t
utf8_bad_len(const unsigned char *s, size_t n)
{
	size_t want, i;
	unsigned c = s[0];

	if (c >= 0xC2 && c <= 0xDF)
		want = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		want = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		want = 4;
	else
		return 1;
	for (i = 1; i < want && i < n; i++) {
		unsigned b = s[i];

		if ((b & 0xC0) != 0x80)
			break;
		/* second-byte ranges that can never be valid end the subpart */
		if (i == 1 && ((c == 0xE0 && b < 0xA0) || (c == 0xED && b > 0x9F) ||
			       (c == 0xF0 && b < 0x90) || (c == 0xF4 && b > 0x8F)))
			break;
	}
	return i;
}

size_t
textenc_utf8_check(const void *data, size_t n, size_t *nchars)
{
	const unsigned char *s = data;
	size_t i = 0, bad = 0, chars = 0, len;
	unsigned cp;

	if (nchars == NULL)	/* the count needs the slow walk */
		i = utf8_clean_run(s, n);
	while (i < n) {
		if (s[i] < 0x80) {
			i++;
		} else if ((len = textenc_utf8_seq(s + i, n - i, &cp)) > 0) {
			i += len;
		} else {
			i += utf8_bad_len(s + i, n - i);
			bad++;
		}
		chars++;
	}
	if (nchars)
		*nchars = chars;
	return bad;
}

/* Append s[0..n) to out as valid UTF-8 without NULs, counting repairs. */
static void
utf8_clean(struct cf_buf *out, const unsigned char *s, size_t n,
	   size_t *nbad, size_t *nnul)
{
	size_t i, start = 0, len;
	unsigned cp;

	cf_buf_grow(out, n);
	i = utf8_clean_run(s, n);
	while (i < n) {
		if (s[i] >= 0x01 && s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] != 0 && (len = textenc_utf8_seq(s + i, n - i, &cp)) > 0) {
			i += len;
			continue;
		}
		cf_buf_add(out, s + start, i - start);
		cf_buf_add(out, replacement, 3);
		if (s[i] == 0) {
			(*nnul)++;
			i++;
		} else {
			(*nbad)++;
			i += utf8_bad_len(s + i, n - i);
		}
		start = i;
	}
	cf_buf_add(out, s + start, i - start);
}

static void
utf16_decode(struct cf_buf *out, const unsigned char *s, size_t n, int be,
	     size_t *nbad, size_t *nnul)
{
	size_t i;
	char tmp[4];

	cf_buf_grow(out, n + n / 2);
	for (i = 0; i + 1 < n; i += 2) {
		unsigned u = be ? (unsigned)(s[i] << 8 | s[i + 1])
				: (unsigned)(s[i + 1] << 8 | s[i]);

		if (u >= 0xD800 && u <= 0xDBFF && i + 3 < n) {
			unsigned lo = be ? (unsigned)(s[i + 2] << 8 | s[i + 3])
					 : (unsigned)(s[i + 3] << 8 | s[i + 2]);

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
				cf_buf_add(out, tmp, textenc_utf8_put(tmp, u));
				continue;
			}
		}
		if (u >= 0xD800 && u <= 0xDFFF) {
			(*nbad)++;
			u = 0xFFFD;
		} else if (u == 0) {
			(*nnul)++;
			u = 0xFFFD;
		}
		cf_buf_add(out, tmp, textenc_utf8_put(tmp, u));
	}
	if (n % 2) {		/* a dangling odd byte */
		(*nbad)++;
		cf_buf_add(out, replacement, 3);
	}
}

/*
 * GB18030 through iconv into raw (may hold NULs; cleaned by the caller).
 * Returns -1 when iconv cannot convert from GB18030 at all.
 */
static int
gb18030_decode(struct cf_buf *raw, const unsigned char *s, size_t n, size_t *nbad)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	char *in = (char *)s;
	size_t inleft = n;

	if (cd == (iconv_t)-1)
		return -1;
	while (inleft > 0) {
		char *o;
		size_t oleft, r;

		cf_buf_grow(raw, inleft * 2 + 16);
		o = raw->data + raw->len;
		oleft = raw->cap - raw->len - 1;
		r = iconv(cd, &in, &inleft, &o, &oleft);
		raw->len = (size_t)(o - raw->data);
		raw->data[raw->len] = '\0';
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		/* EILSEQ: skip one byte; EINVAL: a sequence cut at the end */
		cf_buf_add(raw, replacement, 3);
		(*nbad)++;
		if (errno == EINVAL) {
			break;
		}
		in++;
		inleft--;
	}
	iconv_close(cd);
	return 0;
}

char *
textenc_decode(const void *data, size_t n, size_t *out_len, struct textenc_info *info)
{
	const unsigned char *s = data;
	struct cf_buf out = CF_BUF_INIT;
	struct textenc_info inf = { TEXTENC_UTF8, 0, 0 };

	if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		inf.enc = TEXTENC_UTF8_BOM;
		utf8_clean(&out, s + 3, n - 3, &inf.nbad, &inf.nnul);
	} else if (n >= 2 && s[0] == 0xFF && s[1] == 0xFE) {
		inf.enc = TEXTENC_UTF16LE;
		utf16_decode(&out, s + 2, n - 2, 0, &inf.nbad, &inf.nnul);
	} else if (n >= 2 && s[0] == 0xFE && s[1] == 0xFF) {
		inf.enc = TEXTENC_UTF16BE;
		utf16_decode(&out, s + 2, n - 2, 1, &inf.nbad, &inf.nnul);
	} else if (utf8_clean_run(s, n) == n) {
		cf_buf_add(&out, s, n);	/* valid, no NUL: as it is */
	} else {
		size_t ubad = textenc_utf8_check(s, n, NULL);

		if (ubad > 0) {
			struct cf_buf raw = CF_BUF_INIT;
			size_t gbad = 0;

			if (gb18030_decode(&raw, s, n, &gbad) == 0 && gbad < ubad) {
				inf.enc = TEXTENC_GB18030;
				inf.nbad = gbad;
				utf8_clean(&out, (unsigned char *)raw.data, raw.len,
					   &inf.nbad, &inf.nnul);
			}
			cf_buf_release(&raw);
		}
		if (inf.enc == TEXTENC_UTF8)
			utf8_clean(&out, s, n, &inf.nbad, &inf.nnul);
	}
	if (info)
		*info = inf;
	return cf_buf_detach(&out, out_len);
}

char *
textenc_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

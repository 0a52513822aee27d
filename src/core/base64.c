/* SPDX-License-Identifier: MIT */
/*
 * base64 — strict RFC 4648 base64, written out rather than borrowed from
 * OpenSSL's EVP_DecodeBlock, which accepts whitespace and does not report
 * how much of its output is padding.
 */
#include <stdint.h>

#include "casefile/base64.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void
base64_encode(const void *p, size_t n, struct cf_buf *out)
{
	const unsigned char *s = p;
	size_t i;

	cf_buf_grow(out, (n + 2) / 3 * 4);
	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];

		cf_buf_addch(out, alphabet[v >> 18]);
		cf_buf_addch(out, alphabet[(v >> 12) & 63]);
		cf_buf_addch(out, alphabet[(v >> 6) & 63]);
		cf_buf_addch(out, alphabet[v & 63]);
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)s[i] << 16;

		cf_buf_addch(out, alphabet[v >> 18]);
		cf_buf_addch(out, alphabet[(v >> 12) & 63]);
		cf_buf_addstr(out, "==");
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;

		cf_buf_addch(out, alphabet[v >> 18]);
		cf_buf_addch(out, alphabet[(v >> 12) & 63]);
		cf_buf_addch(out, alphabet[(v >> 6) & 63]);
		cf_buf_addch(out, '=');
	}
}

static int
val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
base64_decode(const char *s, size_t n, struct cf_buf *out)
{
	size_t i, start = out->len, pad = 0;

	if (n % 4 != 0)
		return -1;
	if (n >= 1 && s[n - 1] == '=')
		pad++;
	if (n >= 2 && s[n - 2] == '=')
		pad++;
	for (i = 0; i < n; i += 4) {
		int a = val((unsigned char)s[i]), b = val((unsigned char)s[i + 1]);
		int c, d;
		uint32_t v;

		if (i + 4 == n && pad) {
			c = pad == 2 ? 0 : val((unsigned char)s[i + 2]);
			d = 0;
		} else {
			c = val((unsigned char)s[i + 2]);
			d = val((unsigned char)s[i + 3]);
		}
		if (a < 0 || b < 0 || c < 0 || d < 0)
			goto bad;
		v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
		if (i + 4 == n && pad == 2) {
			if (v & 0xffff)
				goto bad;	/* non-zero spare bits */
			cf_buf_addch(out, (int)(v >> 16));
		} else if (i + 4 == n && pad == 1) {
			if (v & 0xff)
				goto bad;
			cf_buf_addch(out, (int)(v >> 16));
			cf_buf_addch(out, (int)((v >> 8) & 0xff));
		} else {
			cf_buf_addch(out, (int)(v >> 16));
			cf_buf_addch(out, (int)((v >> 8) & 0xff));
			cf_buf_addch(out, (int)(v & 0xff));
		}
	}
	return 0;
bad:
	out->len = start;
	out->data[start] = '\0';
	return -1;
}

/* SPDX-License-Identifier: MIT */
/*
 * hash — SHA-256 via OpenSSL's EVP interface, and hex conversion.
 */
#include <openssl/evp.h>

#include "casefile/err.h"
#include "casefile/hash.h"

void
cf_hex_encode(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
cf_hex_decode(const char *s, size_t n, unsigned char *out, size_t outlen)
{
	size_t i;

	if (n != 2 * outlen)
		return -1;
	for (i = 0; i < outlen; i++) {
		int hi = hexval((unsigned char)s[2 * i]);
		int lo = hexval((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

void
cf_sha256(const void *p, size_t n, unsigned char out[CF_SHA256_LEN])
{
	unsigned int len = CF_SHA256_LEN;

	if (!EVP_Digest(p, n, out, &len, EVP_sha256(), NULL))
		CF_BUG("SHA-256 failed");
}

/* SPDX-License-Identifier: MIT */
/*
 * hash — SHA-256 and hex helpers shared by the vault, ledger and verifier.
 */
#ifndef CASEFILE_HASH_H
#define CASEFILE_HASH_H

#include <stddef.h>

#define CF_SHA256_LEN 32
#define CF_SHA256_HEXLEN 64

/* Lowercase hex of p[0..n) into out, which needs 2n + 1 bytes. */
void cf_hex_encode(const unsigned char *p, size_t n, char *out);
/*
 * Decode exactly 2 * outlen hex digits (either case) from s[0..n) into out.
 * Returns 0, or -1 when n != 2 * outlen or a character is not hex.
 */
int cf_hex_decode(const char *s, size_t n, unsigned char *out, size_t outlen);
/* One-shot SHA-256. */
void cf_sha256(const void *p, size_t n, unsigned char out[CF_SHA256_LEN]);

#endif

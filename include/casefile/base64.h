/* SPDX-License-Identifier: MIT */
/*
 * base64 — RFC 4648 section 4 (standard alphabet, '=' padding), strict.
 *
 * Used for checkpoint root hashes and signatures and for RFC 3161 tokens in
 * proofs.json.  Decoding accepts only canonical input: no whitespace, no
 * missing or extra padding, and zero bits where the last symbol has spare
 * bits, so every byte string has exactly one accepted encoding.
 */
#ifndef CASEFILE_BASE64_H
#define CASEFILE_BASE64_H

#include <stddef.h>

#include "casefile/buf.h"

/* Append the encoding of p[0..n) to out. */
void base64_encode(const void *p, size_t n, struct cf_buf *out);
/*
 * Append the bytes encoded by s[0..n) to out.  Returns 0, or -1 when s is
 * not canonical base64 (out is then unchanged).
 */
int base64_decode(const char *s, size_t n, struct cf_buf *out);

#endif

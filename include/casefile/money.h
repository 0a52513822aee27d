/* SPDX-License-Identifier: MIT */
/*
 * money — decimal yuan amounts as integer fen (1 yuan = 100 fen).
 *
 * Money is never a float in casefile: "89.00" is read digit by digit into
 * 8900 fen and printed back as "89.00".  Accepted text: optional leading
 * '¥' or '￥', digits, optionally '.' and one or two digits ("89", "89.5",
 * "89.05"); an optional "元" suffix.  Negative amounts, more than two
 * decimals, exponents and amounts above MONEY_MAX_FEN are refused.
 */
#ifndef CASEFILE_MONEY_H
#define CASEFILE_MONEY_H

#include <stddef.h>

#include "casefile/err.h"

/* 10^15 fen: far above any order, far below overflow. */
#define MONEY_MAX_FEN 1000000000000000LL

/*
 * Parse s into *fen.  Returns 0, or -1 with CF_EINPUT ("bad amount '8.999':
 * at most two decimals"); *fen is unchanged on failure.
 */
int money_parse_fen(const char *s, long long *fen, struct cf_err *err);

/* "89.00" (or "-3.50") into buf, which needs 24 bytes; returns buf. */
char *money_format_fen(long long fen, char *buf, size_t n);

#endif

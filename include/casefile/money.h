/* SPDX-License-Identifier: MIT */
/*
 * money — decimal yuan amounts as integer fen (1 yuan = 100 fen): the one
 * reader and writer of money text in casefile (command options, order
 * exports, the dossier, statements, stats).
 *
 * Money is never a float in casefile: "89.00" is read digit by digit into
 * 8900 fen and printed back as "89.00".  The grammar, after ASCII spaces
 * are trimmed at both ends:
 *
 *	[sign] [¥|￥] [sign] digits [ '.' digits ] [元]
 *
 * where the parts in brackets are allowed by flags (below).  Always
 * refused: no digits before the point ("", ".5", "¥"), a point without
 * digits after it ("89."), a non-zero third decimal ("8.999"), exponents
 * and any other text ("1e3", "8 9"), and amounts above MONEY_MAX_FEN.
 */
#ifndef CASEFILE_MONEY_H
#define CASEFILE_MONEY_H

#include <stddef.h>

#include "casefile/err.h"

/* 10^15 fen: far above any order, far below overflow. */
#define MONEY_MAX_FEN 1000000000000000LL

enum money_scan_flags {
	MONEY_SIGNED = 1 << 0,		/* '-' or '+' before or after ¥ */
	MONEY_GROUPED = 1 << 1,		/* thousands separators: "1,089.00" */
	MONEY_ZERO_TAIL = 1 << 2,	/* zero decimals past two: "89.000" */
	MONEY_YUAN = 1 << 3,		/* a trailing 元: "12元" */
};
/* What a person types on the command line (--amount, --refunded). */
#define MONEY_TYPED MONEY_YUAN
/* What platform exports contain (order.json prices and totals). */
#define MONEY_EXPORT (MONEY_SIGNED | MONEY_GROUPED | MONEY_ZERO_TAIL)

/*
 * Read s[0..n) (need not be NUL-terminated) under flags into *fen.
 * Returns 0, or -1 with *why set to a static reason ("at most two
 * decimals", "negative", "misplaced ','", "too large", "empty", "digits
 * expected", "digits expected after '.'", "use digits and a decimal point,
 * like 89.00"); *fen is unchanged on failure.
 */
int money_scan(const char *s, size_t n, unsigned flags, long long *fen,
	       const char **why);

/*
 * money_scan(s, strlen(s), MONEY_TYPED, ...) with the reason in err:
 * CF_EINPUT "bad amount '8.999': at most two decimals".
 */
int money_parse_fen(const char *s, long long *fen, struct cf_err *err);

/* "89.00" (or "-3.50") into buf, which needs 24 bytes; returns buf. */
char *money_format_fen(long long fen, char *buf, size_t n);

#endif

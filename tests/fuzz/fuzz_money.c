/* SPDX-License-Identifier: MIT */
/*
 * fuzz_money — libFuzzer harness for the money scanner under every flag
 * combination.  Invariants: the value stays within ±MONEY_MAX_FEN (never
 * negative without MONEY_SIGNED); a refusal has a reason and leaves *fen
 * alone; a wider flag set accepts whatever a narrower one does, with the
 * same value; money_format_fen's text reads back to the same value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	unsigned flags;

	for (flags = 0; flags < 16; flags++) {
		const char *why = NULL;
		long long fen = 7, all = 7, back = 7;
		char buf[32];

		if (money_scan(s, size, flags, &fen, &why) < 0) {
			if (why == NULL || fen != 7)
				abort();
			continue;
		}
		if (fen > MONEY_MAX_FEN || fen < -MONEY_MAX_FEN ||
		    (fen < 0 && !(flags & MONEY_SIGNED)))
			abort();
		if (money_scan(s, size, 15, &all, &why) < 0 || all != fen)
			abort();
		money_format_fen(fen, buf, sizeof(buf));
		if (money_scan(buf, strlen(buf), MONEY_SIGNED, &back, &why) < 0 || back != fen)
			abort();
	}
	return 0;
}

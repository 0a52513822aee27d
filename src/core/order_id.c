/* SPDX-License-Identifier: MIT */
/*
 * order_id — the order id rule (contract in order_id.h).
 */
#include <string.h>

#include "casefile/order_id.h"

int
order_id_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

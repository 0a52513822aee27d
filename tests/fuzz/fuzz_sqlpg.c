/* SPDX-License-Identifier: MIT */
/*
 * fuzz_sqlpg — libFuzzer harness for the SQL dialect translator (sqlpg.h).
 * Invariants: a refusal is CF_EINPUT with a message and leaves *nparams
 * alone; an accepted text has 0..32766 parameters (0 when it has no '?'),
 * and every quote of the input is still in the output (literals, quoted
 * identifiers and comments are copied, never dropped).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/sqlpg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
count(const char *s, int c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *pg;
	struct cf_err err = CF_ERR_INIT;
	int np = -7;

	memcpy(s, data, size);
	s[size] = '\0';	/* the text ends at its first NUL, as a C string does */
	pg = sqlpg_translate(s, &np, &err);
	if (pg == NULL) {
		if (err.code != CF_EINPUT || err.msg == NULL || np != -7)
			abort();
	} else {
		if (err.msg != NULL || np < 0 || np > 32766 || (np > 0 && !strchr(s, '?')))
			abort();
		if (count(pg, '\'') < count(s, '\'') || count(pg, '"') < count(s, '"'))
			abort();
	}
	free(pg);
	free(s);
	cf_err_release(&err);
	return 0;
}

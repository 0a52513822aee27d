/* SPDX-License-Identifier: MIT */
/*
 * fuzz_profile — libFuzzer harness for the platform profile parser and the
 * money parser.  Invariants: an error always has a message naming the
 * profile; a parsed profile satisfies profile.h's invariants.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/money.h"
#include "casefile/profile.h"
#include "casefile/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_err err = CF_ERR_INIT;
	struct profile *p = NULL;
	long long fen;
	char *s;
	size_t i;

	if (profile_parse((const char *)data, size, "fuzz.conf", &p, &err) == 0) {
		if (!p->name || !p->title || p->nformats == 0 || p->escalation_hours < 1 ||
		    p->escalation_hours > 8760 || p->evidence_hours < 1 ||
		    p->statement_max_chars < 1 || p->images_max < 1 || p->file_max_bytes < 1)
			abort();
		for (i = 0; i < p->nformats; i++)
			if (!p->formats[i][0] || !profile_format_ok(p, p->formats[i]))
				abort();
		profile_free(p);
	} else if (err.msg == NULL || strncmp(err.msg, "profile 'fuzz.conf'", 19) != 0) {
		abort();
	}
	cf_err_release(&err);
	s = xmemdup(data, size);
	if (money_parse_fen(s, &fen, &err) == 0 && (fen < 0 || fen > MONEY_MAX_FEN))
		abort();
	cf_err_release(&err);
	free(s);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * fuzz_checklist — libFuzzer harness for the evidence checklist parser and
 * the UTF-8 character counter.  Invariant: an error names the file; the
 * character count never exceeds the byte count.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/checklist.h"
#include "casefile/dispute.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_err err = CF_ERR_INIT;
	struct checklist *cl = NULL;
	const char *const *rs = dispute_reasons();
	size_t i, total = 0;

	if (checklist_parse((const char *)data, size, "fuzz.txt", &cl, &err) == 0) {
		for (i = 0; rs[i]; i++)
			total += checklist_count(cl, rs[i]);
		if (total > size)
			abort();
		checklist_free(cl);
	} else if (err.msg == NULL || strncmp(err.msg, "checklist 'fuzz.txt'", 20) != 0) {
		abort();
	}
	cf_err_release(&err);
	if (checklist_utf8_chars((const char *)data, size) > size)
		abort();
	return 0;
}

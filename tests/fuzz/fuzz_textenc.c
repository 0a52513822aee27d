/* SPDX-License-Identifier: MIT */
/*
 * fuzz_textenc — libFuzzer harness for textenc_decode(): the output must
 * always be valid UTF-8 with no NUL inside, whatever the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/textenc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct textenc_info ti;
	size_t len, nch;
	char *s = textenc_decode(data, size, &len, &ti);

	if (strlen(s) != len)
		abort();
	if (textenc_utf8_check(s, len, &nch) != 0)
		abort();
	if (ti.enc == TEXTENC_UTF8 && ti.nbad == 0 && ti.nnul == 0 &&
	    (len != size || memcmp(s, data, size) != 0))
		abort();	/* clean UTF-8 passes through unchanged */
	free(s);
	return 0;
}

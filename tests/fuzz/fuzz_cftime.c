/* SPDX-License-Identifier: MIT */
/*
 * fuzz_cftime — libFuzzer harness for the time, zone and duration parsers.
 * Invariant checked: a parsed instant formats and re-parses to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/cftime.h"
#include "casefile/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_err err = CF_ERR_INIT;
	long long t, back;
	long off;
	char buf[48], *s;

	if (cftime_parse((const char *)data, size, &t, &err) == 0 &&
	    t > -62135596800LL && t < 253402300800LL) {
		cftime_format_iso(t, buf, sizeof(buf));
		if (cftime_parse(buf, strlen(buf), &back, NULL) < 0 || back != t)
			abort();
	}
	cf_err_release(&err);
	s = xmemdup(data, size);	/* NUL-terminated copy for the C-string parsers */
	cftime_parse_tz(s, &off, &err);
	cf_err_release(&err);
	cftime_parse_duration(s, &t, &err);
	cf_err_release(&err);
	free(s);
	return 0;
}

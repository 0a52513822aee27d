/* SPDX-License-Identifier: MIT */
/*
 * fuzz_csv — libFuzzer harness for the RFC 4180 reader: every record and
 * field is read and its length checked against its bytes.  Inputs of odd
 * length are read with resynchronisation on (a line starting with a digit
 * starts a record, two fields expected).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
starts_digit(void *cookie, const char *line, size_t n)
{
	(void)cookie;
	return n > 0 && line[0] >= '0' && line[0] <= '9';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv *c = csv_new((const char *)data, size);
	size_t total = 0;

	if (size % 2)
		csv_set_resync(c, 2, starts_digit, NULL);
	while (csv_next(c)) {
		size_t i, len;

		if (csv_nfields(c) < 1 || csv_line(c) < 1)
			abort();
		for (i = 0; i < csv_nfields(c); i++) {
			const char *f = csv_field(c, i, &len);

			if (f == NULL || f[len] != '\0')
				abort();
			total += len;
		}
		if (csv_field(c, csv_nfields(c), NULL) != NULL)
			abort();
	}
	if (total > size)
		abort();	/* fields only ever shrink the input */
	csv_free(c);
	return 0;
}

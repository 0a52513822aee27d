/* SPDX-License-Identifier: MIT */
/*
 * fuzz_templates — libFuzzer harness for the template file parser and the
 * masking / truncation helpers that see merchant and buyer text.
 * Invariants: truncation yields valid UTF-8 boundaries and the count asked.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/mask.h"
#include "casefile/statement.h"
#include "casefile/templates.h"
#include "casefile/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];

static void
cleanup(void)
{
	char f[96];

	snprintf(f, sizeof(f), "%s/en.txt", dir);
	unlink(f);
	rmdir(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_err err = CF_ERR_INIT;
	struct templates *t = NULL;
	char file[96], *s, *m;
	size_t i, n;
	FILE *f;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-templates-%d", (int)getpid());
		mkdir(dir, 0700);
		atexit(cleanup);
	}
	snprintf(file, sizeof(file), "%s/en.txt", dir);
	if ((f = fopen(file, "wb")) == NULL)
		abort();
	if (fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if (templates_load(dir, "en", &t, &err) == 0) {
		(void)templates_get(t, "title");
		(void)templates_statement(t, "other");
	}
	templates_free(t);
	cf_err_release(&err);

	s = xmemdup(data, size);
	m = mask_text(s);
	free(m);
	m = mask_address(s);
	free(m);
	if (statement_max_parse(s, &n) == 0 && (n < 1 || n > STATEMENT_MAX_CHARS))
		abort();
	n = size ? data[0] % 40 : 0;
	statement_truncate(s, n);
	for (i = 0, size = 0; s[i]; i++)
		size += ((unsigned char)s[i] & 0xC0) != 0x80;
	if (size > n)
		abort();
	free(s);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * fuzz_pdf_text — libFuzzer harness for the PDF engine's text path: any
 * bytes as "UTF-8" through substitution and wrapping, then drawn.
 * Invariants: no line wider than the width unless it is one character;
 * drawing never fails on odd input.  The first byte picks the width.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/pdf.h"
#include "casefile/xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pdf *doc;

static size_t
nchars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_err err = CF_ERR_INIT;
	char **lines = NULL, *s;
	size_t n = 0, i;
	double width;

	if (size < 1 || size > 4096)
		return 0;
	if (doc == NULL) {
		if (pdf_new(NULL, &doc, &err) < 0 || pdf_page_new(doc, &err) < 0)
			abort();
	}
	width = 10 + data[0] * 2;
	s = xmemdup(data + 1, size - 1);	/* stops at the first NUL, as callers do */
	if (pdf_wrap(doc, s, 10, width, &lines, &n, &err) < 0)
		abort();
	for (i = 0; i < n; i++)
		if (pdf_text_width(doc, lines[i], 10) > width + 1e-6 && nchars(lines[i]) > 1)
			abort();
	pdf_lines_free(lines, n);
	/* drawing: a fresh page now and then keeps memory flat */
	if (pdf_page_count(doc) > 50) {
		pdf_free(doc);
		doc = NULL;
	} else if (pdf_text(doc, s, 9, PDF_TEXT_BOLD, &err) < 0 ||
		   pdf_text_at(doc, 300, 400, s, 9, size % 2 ? PDF_TEXT_RIGHT : PDF_TEXT_CENTER,
			       &err) < 0) {
		abort();
	}
	free(s);
	cf_err_release(&err);
	return 0;
}

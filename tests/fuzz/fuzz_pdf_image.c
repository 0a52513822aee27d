/* SPDX-License-Identifier: MIT */
/*
 * fuzz_pdf_image — libFuzzer harness for the image loaders (JPEG marker
 * and EXIF scan, PNG via libpng, WebP): any bytes must load or be refused
 * with CF_EINPUT, never crash, and a loaded image must draw.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "casefile/pdf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pdf *doc;
static char path[64];

static void
cleanup(void)
{
	unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_err err = CF_ERR_INIT;
	struct pdf_image *img;
	FILE *f;

	if (doc == NULL) {
		snprintf(path, sizeof(path), "/tmp/fuzz-pdf-image-%d", (int)getpid());
		atexit(cleanup);
		if (pdf_new(NULL, &doc, &err) < 0 || pdf_page_new(doc, &err) < 0)
			abort();
	}
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	if (fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if (pdf_image_load(doc, path, 0, &img, &err) == 0) {
		if (pdf_image_place(doc, img, 100, &err) < 0)
			abort();
	} else if (err.code != CF_EINPUT && err.code != CF_EIO) {
		abort();
	}
	cf_err_release(&err);
	if (pdf_page_count(doc) > 20) {
		pdf_free(doc);
		doc = NULL;
	}
	return 0;
}

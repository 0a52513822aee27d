/* SPDX-License-Identifier: MIT */
/*
 * fuzz_pdfread — libFuzzer harness for the PDF reader: open arbitrary
 * bytes, then exercise everything the signer and verifier touch (catalog,
 * first page, every object, stream decoding, the embedded-files name tree,
 * serialisation).
 */
#include <stddef.h>
#include <stdint.h>

#include "casefile/pdfread.h"

static int
leaf(void *cookie, const struct pdfread_obj *key, const struct pdfread_obj *value, struct cf_err *err)
{
	struct cf_buf *b = cookie;

	(void)err;
	pdfread_obj_write(b, key);
	pdfread_obj_write(b, value);
	return 0;
}

static int
sink(void *cookie, const void *p, size_t n, struct cf_err *err)
{
	(void)cookie;
	(void)p;
	(void)err;
	return n > (1u << 22) ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_err err = CF_ERR_INIT;
	struct cf_buf b = CF_BUF_INIT;
	struct pdfread *pdf;
	unsigned i, n, num, gen;
	const struct pdfread_obj *cat, *names;

	if (pdfread_open_mem(data, size, &pdf, &err) < 0) {
		cf_err_release(&err);
		return 0;
	}
	cat = pdfread_catalog(pdf, &num, &gen);
	pdfread_first_page(pdf, &num, &gen, &err);
	cf_err_release(&err);
	names = pdfread_dict_getr(pdf, pdfread_dict_getr(pdf, cat, "Names"), "EmbeddedFiles");
	pdfread_name_tree_walk(pdf, names, leaf, &b, &err);
	cf_err_release(&err);
	n = pdfread_xref_size(pdf);
	for (i = 0; i < n && i < 2000; i++) {
		const struct pdfread_obj *o = pdfread_get(pdf, i, &err);

		cf_err_release(&err);
		if (o == NULL)
			continue;
		cf_buf_reset(&b);
		pdfread_obj_write(&b, o);
		if (o->type == PDFREAD_STREAM) {
			cf_buf_reset(&b);
			pdfread_stream_read(pdf, o, 1u << 20, &b, &err);
			cf_err_release(&err);
			pdfread_stream_decode(pdf, o, sink, NULL, &err);
			cf_err_release(&err);
		}
	}
	cf_buf_release(&b);
	pdfread_close(pdf);
	return 0;
}

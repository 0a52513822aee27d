/* SPDX-License-Identifier: MIT */
/* Unit tests for pdfread.c: well-formed and malformed PDFs. */
#include "testutil.h"

#include <zlib.h>

#include "casefile/pdfread.h"
#include "casefile/xalloc.h"

/* Build a classic PDF from object bodies (object i+1 = objs[i]) with a
 * correct xref; extra goes into the trailer. */
static char *
build_lens(const char *const *objs, const size_t *lens, size_t n, const char *extra,
	   size_t *len)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t off[32], i, x;

	cf_buf_addstr(&b, "%PDF-1.7\n");
	for (i = 0; i < n; i++) {
		off[i] = b.len;
		cf_buf_addf(&b, "%zu 0 obj\n", i + 1);
		cf_buf_add(&b, objs[i], lens && lens[i] ? lens[i] : strlen(objs[i]));
		cf_buf_addstr(&b, "\nendobj\n");
	}
	x = b.len;
	cf_buf_addf(&b, "xref\n0 %zu\n0000000000 65535 f\r\n", n + 1);
	for (i = 0; i < n; i++)
		cf_buf_addf(&b, "%010zu 00000 n\r\n", off[i]);
	cf_buf_addf(&b, "trailer\n<</Size %zu /Root 1 0 R %s>>\nstartxref\n%zu\n%%%%EOF\n",
		    n + 1, extra ? extra : "", x);
	return cf_buf_detach(&b, len);
}

static char *
build(const char *const *objs, size_t n, const char *extra, size_t *len)
{
	return build_lens(objs, NULL, n, extra, len);
}

static const char *const basic[] = {
	"<</Type /Catalog /Pages 2 0 R /Names <</EmbeddedFiles 5 0 R>>>>",
	"<</Type /Pages /Kids [3 0 R] /Count 1>>",
	"<</Type /Page /Parent 2 0 R /MediaBox [0 0 612 792.5] /T (a\\(b\\)\\101\\n) /H <4869 7> /N /A#20B>>",
	"<</Length 5>>\nstream\nhello\nendstream",
	"<</Names [(f.txt) <</Type /Filespec /F (f.txt) /EF <</F 4 0 R>>>>]>>",
};

static void
test_basic(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct cf_buf b = CF_BUF_INIT;
	struct pdfread *pdf;
	const struct pdfread_obj *page, *t, *h, *n, *mb;
	unsigned num, gen;
	size_t len;
	char *d = build(basic, 5, NULL, &len);

	(void)state;
	assert_int_equal(pdfread_open_mem(d, len, &pdf, &err), 0);
	assert_int_equal(pdfread_xref_size(pdf), 6);
	assert_int_equal(pdfread_xref_is_stream(pdf), 0);
	assert_int_equal(pdfread_first_page(pdf, &num, &gen, &err), 0);
	assert_int_equal(num, 3);
	page = pdfread_get(pdf, 3, &err);
	assert_non_null(page);
	t = pdfread_dict_get(page, "T");
	assert_int_equal(t->type, PDFREAD_STRING);
	assert_int_equal(t->u.s.n, 6);
	assert_memory_equal(t->u.s.p, "a(b)A\n", 6);
	h = pdfread_dict_get(page, "H");
	assert_int_equal(h->u.s.n, 3);
	assert_memory_equal(h->u.s.p, "Hip", 3);	/* odd digit count pads with 0 */
	n = pdfread_dict_get(page, "N");
	assert_true(pdfread_is_name(n, "A B"));
	mb = pdfread_dict_get(page, "MediaBox");
	assert_int_equal(mb->u.a.v[3]->type, PDFREAD_REAL);
	/* serialisation escapes names and hex-encodes strings */
	pdfread_obj_write(&b, n);
	pdfread_obj_write(&b, t);
	assert_string_equal(b.data, "/A#20B<61286229410A>");
	cf_buf_reset(&b);
	assert_int_equal(pdfread_stream_read(pdf, pdfread_get(pdf, 4, NULL), 100, &b, &err), 0);
	assert_string_equal(b.data, "hello");
	cf_buf_reset(&b);
	assert_int_equal(pdfread_stream_read(pdf, pdfread_get(pdf, 4, NULL), 3, &b, &err), -1);
	assert_non_null(strstr(err.msg, "larger than 3"));
	cf_err_release(&err);
	assert_null(pdfread_get(pdf, 77, NULL));
	assert_null(pdfread_get(pdf, 0, NULL));
	cf_buf_release(&b);
	pdfread_close(pdf);
	free(d);
}

static void
expect_open_error(const char *data, size_t len, const char *what)
{
	struct cf_err err = CF_ERR_INIT;
	struct pdfread *pdf = NULL;

	assert_int_equal(pdfread_open_mem(data, len, &pdf, &err), -1);
	assert_null(pdf);
	assert_int_equal(err.code, CF_EPDF);
	if (strstr(err.msg, what) == NULL)
		fail_msg("error '%s' lacks '%s'", err.msg, what);
	cf_err_release(&err);
}

static void
test_malformed_open(void **state)
{
	size_t len;
	char *d = build(basic, 5, NULL, &len), *e;
	char *copy;

	(void)state;
	expect_open_error("hello", 5, "not a PDF");
	expect_open_error("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", 28, "no startxref");
	expect_open_error("%PDF-1.4\nstartxref\n99999\n%%EOF\n", 31, "bad startxref");
	/* truncated in the middle of the xref table */
	copy = xmemdup(d, len);
	e = strstr(copy, "xref\n");
	expect_open_error(copy, (size_t)(e - copy) + 20, "no startxref");
	free(copy);
	/* startxref pointing at garbage */
	copy = xmemdup(d, len);
	e = strstr(copy, "startxref\n") + 10;
	memcpy(e, "0000000009", 10);
	expect_open_error(copy, len, "no xref at offset 9");
	free(copy);
	free(d);
	/* encrypted */
	d = build(basic, 5, "/Encrypt <</Filter /Standard>>", &len);
	expect_open_error(d, len, "encrypted PDFs are not supported");
	free(d);
	/* /Prev loop: the section points at itself */
	d = build(basic, 5, "/Prev 99999999", &len);
	expect_open_error(d, len, "bad /Prev");
	free(d);
	{
		struct cf_buf b = CF_BUF_INIT;
		size_t x;

		cf_buf_addstr(&b, "%PDF-1.4\n1 0 obj\n<</Type /Catalog>>\nendobj\n");
		x = b.len;
		cf_buf_addf(&b, "xref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\n"
			    "trailer\n<</Size 2 /Root 1 0 R /Prev %zu>>\nstartxref\n%zu\n%%%%EOF\n", x, x);
		expect_open_error(b.data, b.len, "loop");
		cf_buf_reset(&b);
		/* absurd sizes */
		cf_buf_addstr(&b, "%PDF-1.4\n1 0 obj\n<</Type /Catalog>>\nendobj\n");
		x = b.len;
		cf_buf_addf(&b, "xref\n0 999999999\n0000000000 65535 f\r\n"
			    "trailer\n<</Size 2 /Root 1 0 R>>\nstartxref\n%zu\n%%%%EOF\n", x);
		expect_open_error(b.data, b.len, "xref subsection too large");
		cf_buf_reset(&b);
		cf_buf_addstr(&b, "%PDF-1.4\n1 0 obj\n<</Type /Catalog>>\nendobj\n");
		x = b.len;
		cf_buf_addf(&b, "xref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\n"
			    "trailer\n<</Size 9999999999 /Root 1 0 R>>\nstartxref\n%zu\n%%%%EOF\n", x);
		expect_open_error(b.data, b.len, "no valid /Size");
		cf_buf_reset(&b);
		/* no catalog */
		cf_buf_addstr(&b, "%PDF-1.4\n1 0 obj\n(just a string)\nendobj\n");
		x = b.len;
		cf_buf_addf(&b, "xref\n0 2\n0000000000 65535 f\r\n0000000009 00000 n\r\n"
			    "trailer\n<</Size 2 /Root 1 0 R>>\nstartxref\n%zu\n%%%%EOF\n", x);
		expect_open_error(b.data, b.len, "no document catalog");
		cf_buf_release(&b);
	}
}

static void
test_malformed_objects(void **state)
{
	char deep[4096];
	const char *objs[] = {
		"<</Type /Catalog /Pages 2 0 R>>",
		"<</Type /Pages /Kids [2 0 R] /Count 1>>",	/* loops on itself */
		deep,
		"(unterminated",
		"<</Length 3 0 R>>\nstream\nabcdef\nendstream",	/* bad indirect length */
		"<</Length 10>>\nstream\nabc",			/* no endstream */
		"<</Length 4 /Filter /FlateDecode>>\nstream\nxxxx\nendstream",
		"<</Length 4 /Filter /LZWDecode>>\nstream\nxxxx\nendstream",
		"<AB-CD>",
		"<</Key>>",
	};
	struct cf_err err = CF_ERR_INIT;
	struct cf_buf b = CF_BUF_INIT;
	struct pdfread *pdf;
	unsigned num, gen;
	size_t len, i;
	char *d;

	(void)state;
	for (i = 0; i < 1500; i++)
		deep[i] = '[';
	deep[i] = '\0';
	d = build(objs, 10, NULL, &len);
	assert_int_equal(pdfread_open_mem(d, len, &pdf, &err), 0);
	/* a page tree that loops ends with an error, not a hang */
	assert_int_equal(pdfread_first_page(pdf, &num, &gen, &err), -1);
	assert_non_null(strstr(err.msg, "no pages"));
	cf_err_release(&err);
	assert_null(pdfread_get(pdf, 3, &err));
	assert_non_null(strstr(err.msg, "nested too deeply"));
	cf_err_release(&err);
	assert_null(pdfread_get(pdf, 4, &err));
	assert_non_null(strstr(err.msg, "unterminated string"));
	cf_err_release(&err);
	/* /Length pointing at a non-number: fall back to "endstream" */
	assert_int_equal(pdfread_stream_read(pdf, pdfread_get(pdf, 5, NULL), 100, &b, &err), 0);
	assert_string_equal(b.data, "abcdef");
	cf_buf_reset(&b);
	/* no endstream anywhere after it... except in later objects: it must not crash */
	(void)pdfread_get(pdf, 6, NULL);
	assert_int_equal(pdfread_stream_read(pdf, pdfread_get(pdf, 7, NULL), 100, &b, &err), -1);
	assert_non_null(strstr(err.msg, "corrupt FlateDecode"));
	cf_err_release(&err);
	assert_int_equal(pdfread_stream_read(pdf, pdfread_get(pdf, 8, NULL), 100, &b, &err), -1);
	assert_non_null(strstr(err.msg, "unsupported filter /LZWDecode"));
	cf_err_release(&err);
	assert_null(pdfread_get(pdf, 9, &err));
	assert_non_null(strstr(err.msg, "bad hex string"));
	cf_err_release(&err);
	assert_null(pdfread_get(pdf, 10, &err));
	cf_err_release(&err);
	cf_buf_release(&b);
	pdfread_close(pdf);
	free(d);
}

static void
test_flate_and_predictor(void **state)
{
	/* rows of 4 bytes, PNG "up" predictor (tag 2) */
	const unsigned char raw[] = { 2, 1, 2, 3, 4, 2, 1, 1, 1, 1, 2, 0, 0, 0, 250 };
	const unsigned char want[] = { 1, 2, 3, 4, 2, 3, 4, 5, 2, 3, 4, 255 };
	unsigned char z[256];
	uLongf zl = sizeof(z);
	struct cf_buf obj = CF_BUF_INIT, b = CF_BUF_INIT;
	struct cf_err err = CF_ERR_INIT;
	const char *objs[3];
	size_t lens[3] = { 0, 0, 0 };
	struct pdfread *pdf;
	char *d, *o2, *o3;
	size_t len;

	(void)state;
	assert_int_equal(compress(z, &zl, raw, sizeof(raw)), Z_OK);
	cf_buf_addf(&obj, "<</Length %lu /Filter [/FlateDecode] /DecodeParms [<</Predictor 12 /Columns 4>>]>>\nstream\n",
		    (unsigned long)zl);
	cf_buf_add(&obj, z, zl);
	cf_buf_addstr(&obj, "\nendstream");
	objs[0] = "<</Type /Catalog>>";
	o2 = cf_buf_detach(&obj, &lens[1]);
	zl = sizeof(z);
	assert_int_equal(compress(z, &zl, (const unsigned char *)"plain text", 10), Z_OK);
	cf_buf_addf(&obj, "<</Length %lu /Filter /FlateDecode>>\nstream\n", (unsigned long)zl);
	cf_buf_add(&obj, z, zl);
	cf_buf_addstr(&obj, "\nendstream");
	o3 = cf_buf_detach(&obj, &lens[2]);
	objs[1] = o2;
	objs[2] = o3;
	d = build_lens(objs, lens, 3, NULL, &len);
	assert_int_equal(pdfread_open_mem(d, len, &pdf, &err), 0);
	if (pdfread_stream_read(pdf, pdfread_get(pdf, 2, NULL), 100, &b, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	/* streamed decoding refuses predictors rather than giving wrong bytes */
	assert_int_equal(pdfread_stream_decode(pdf, pdfread_get(pdf, 2, NULL), NULL, NULL, &err), -1);
	cf_err_release(&err);
	cf_buf_reset(&b);
	assert_int_equal(pdfread_stream_read(pdf, pdfread_get(pdf, 3, NULL), 100, &b, &err), 0);
	assert_string_equal(b.data, "plain text");
	cf_buf_release(&b);
	pdfread_close(pdf);
	free(d);
	free(o2);
	free(o3);
}

static int
count_leaf(void *cookie, const struct pdfread_obj *k, const struct pdfread_obj *v, struct cf_err *err)
{
	(void)k;
	(void)v;
	(void)err;
	(*(int *)cookie)++;
	return 0;
}

/* Walk the name tree of object 2 of objs (three objects): it must be
 * refused with want in the message; returns the leaves seen first. */
static int
walk_refused(const char *const *objs, const char *want)
{
	struct cf_err err = CF_ERR_INIT;
	struct pdfread *pdf;
	size_t len;
	int n = 0;
	char *d = build(objs, 3, NULL, &len);

	assert_int_equal(pdfread_open_mem(d, len, &pdf, &err), 0);
	assert_int_equal(pdfread_name_tree_walk(pdf, pdfread_get(pdf, 2, NULL), count_leaf, &n, &err), -1);
	assert_non_null(strstr(err.msg, want));
	cf_err_release(&err);
	pdfread_close(pdf);
	free(d);
	return n;
}

static void
test_name_tree_loop(void **state)
{
	const char *objs[] = {
		"<</Type /Catalog /Names <</EmbeddedFiles 2 0 R>>>>",
		"<</Kids [3 0 R]>>",
		"<</Names [(a) 1 0 R (b) 1 0 R] /Kids [2 0 R]>>",
	};

	(void)state;
	assert_true(walk_refused(objs, "loop?") > 0);
}

static void
test_incremental_update(void **state)
{
	size_t len, x2;
	char *d = build(basic, 5, NULL, &len);
	struct cf_buf b = CF_BUF_INIT;
	struct cf_err err = CF_ERR_INIT;
	struct pdfread *pdf;
	const struct pdfread_obj *p;
	char *x1 = strstr(d, "startxref\n") + 10;
	size_t o;

	(void)state;
	cf_buf_add(&b, d, len);
	o = b.len;
	cf_buf_addstr(&b, "3 0 obj\n<</Type /Page /Parent 2 0 R /Rev 2>>\nendobj\n");
	x2 = b.len;
	cf_buf_addf(&b, "xref\n3 1\n%010zu 00000 n\r\ntrailer\n<</Size 6 /Root 1 0 R /Prev %ld>>\n"
		    "startxref\n%zu\n%%%%EOF\n", o, strtol(x1, NULL, 10), x2);
	assert_int_equal(pdfread_open_mem(b.data, b.len, &pdf, &err), 0);
	p = pdfread_get(pdf, 3, NULL);
	assert_non_null(pdfread_dict_get(p, "Rev"));		/* newest revision wins */
	assert_non_null(pdfread_get(pdf, 4, NULL));		/* older sections still used */
	assert_int_equal(pdfread_startxref(pdf), x2);
	pdfread_close(pdf);
	cf_buf_release(&b);
	free(d);
}

/*
 * Issue 11, item 5 (2026-12): Kids sharing a subtree made the walk
 * exponential; repeated keys were found by a linear search per key (a
 * dictionary of 100,000 keys took minutes under ASan); a small file could
 * make the parser hold many times its size.
 */
static void
test_shared_kids(void **state)
{
	const char *objs[] = {
		"<</Type /Catalog /Names <</EmbeddedFiles 2 0 R>>>>",
		"<</Kids [3 0 R 3 0 R]>>",
		"<</Names [(a) 1 0 R]>>",
	};

	(void)state;
	assert_int_equal(walk_refused(objs, "3 0 R is reached twice"), 1);
}

static void
test_dict_duplicates(void **state)
{
	struct cf_buf big = CF_BUF_INIT;
	const char *objs[] = { "<</Type /Catalog /A 1 /B 2 /A 3>>", NULL };
	const struct pdfread_obj *o;
	struct cf_err err = CF_ERR_INIT;
	struct pdfread *pdf;
	size_t len, i;
	char *d;

	(void)state;
	/* a large dictionary: every key twice, the second value wins */
	cf_buf_addstr(&big, "<<");
	for (i = 0; i < 5000; i++)
		cf_buf_addf(&big, "/k%zu %zu ", i, i);
	for (i = 0; i < 5000; i += 2)
		cf_buf_addf(&big, "/k%zu %zu ", i, i + 1000000);
	cf_buf_addstr(&big, ">>");
	objs[1] = big.data;
	d = build(objs, 2, NULL, &len);
	assert_int_equal(pdfread_open_mem(d, len, &pdf, &err), 0);
	o = pdfread_get(pdf, 1, NULL);
	assert_int_equal(o->u.d.n, 3);
	assert_string_equal(o->u.d.k[0], "Type");
	assert_string_equal(o->u.d.k[1], "A");
	assert_int_equal(pdfread_dict_get(o, "A")->u.i, 3);
	assert_int_equal(pdfread_dict_get(o, "B")->u.i, 2);
	o = pdfread_get(pdf, 2, NULL);
	assert_non_null(o);
	assert_int_equal(o->u.d.n, 5000);
	for (i = 0; i < 5000; i++) {
		char k[16];

		snprintf(k, sizeof(k), "k%zu", i);
		assert_string_equal(o->u.d.k[i], k);
		assert_int_equal(o->u.d.v[i]->u.i, (long long)(i % 2 ? i : i + 1000000));
	}
	pdfread_close(pdf);
	free(d);
	cf_buf_release(&big);
}

static void
test_memory_budget(void **state)
{
	struct cf_buf big = CF_BUF_INIT;
	const char *objs[] = { "<</Type /Catalog>>", NULL };
	struct cf_err err = CF_ERR_INIT;
	struct pdfread *pdf;
	size_t len, i;
	char *d;

	(void)state;
	/* 400,000 elements in 800 kB: 30 MB of objects, more than 2n + 4 MB */
	cf_buf_addch(&big, '[');
	for (i = 0; i < 400000; i++)
		cf_buf_addstr(&big, "0 ");
	cf_buf_addch(&big, ']');
	objs[1] = big.data;
	d = build(objs, 2, NULL, &len);
	assert_int_equal(pdfread_open_mem(d, len, &pdf, &err), 0);
	assert_null(pdfread_get(pdf, 2, &err));
	assert_non_null(strstr(err.msg, "objects need more than"));
	cf_err_release(&err);
	pdfread_close(pdf);
	free(d);
	cf_buf_release(&big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_malformed_open),
		cmocka_unit_test(test_malformed_objects),
		cmocka_unit_test(test_flate_and_predictor),
		cmocka_unit_test(test_name_tree_loop),
		cmocka_unit_test(test_shared_kids),
		cmocka_unit_test(test_dict_duplicates),
		cmocka_unit_test(test_memory_budget),
		cmocka_unit_test(test_incremental_update),
	};

	return cmocka_run_group_tests(tests, test_tmpdir_setup, test_tmpdir_teardown);
}

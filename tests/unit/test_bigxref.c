/* SPDX-License-Identifier: MIT */
/*
 * test_bigxref — the offsets filter between libharu and a PDF past 2 GiB
 * (issue 19).  The tests replay libharu 2.3.0's write calls for a small
 * document, with a stream of any size fed in 1 MiB writes (nothing is
 * stored: only the bytes after the objects are kept), and with libharu's
 * own wrong offsets (clamped at 2^31 - 1, startxref signed 32-bit).
 */
#include <inttypes.h>

#include "testutil.h"

#include "casefile/bigxref.h"

static unsigned char chunk[1u << 20];

struct run {
	struct bigxref *x;
	struct cf_err err;
	int failed;
	uint64_t libharu_pos;	/* libharu's 32-bit count */
	char tail[4096];	/* the bytes out after the objects */
	size_t ntail;
	int keep;
};

static void
put(struct run *r, const void *p, size_t n)
{
	const unsigned char *out;
	size_t outn;

	if (r->failed)
		return;
	if (bigxref_filter(r->x, p, n, &out, &outn, &r->err) < 0) {
		r->failed = 1;
		return;
	}
	if (r->keep) {
		assert_true(r->ntail + outn < sizeof(r->tail));
		memcpy(r->tail + r->ntail, out, outn);
		r->ntail += outn;
	}
	r->libharu_pos = (uint32_t)(r->libharu_pos + n);
}

static void
puts_(struct run *r, const char *s)
{
	put(r, s, strlen(s));
}

/*
 * Write a document of three objects whose second is a stream of `big`
 * bytes; `fake` puts an object header of the next object inside the
 * stream's bytes; `skip_obj3` leaves object 3's header out.  Returns the
 * true offsets of the objects in off[1..3] and of the xref in off[0].
 */
static void
write_doc(struct run *r, uint64_t big, int fake, int skip_obj3, uint64_t off[4])
{
	uint32_t libharu_off[4];
	uint64_t left;
	char buf[64];
	int i;

	memset(r, 0, sizeof(*r));
	r->x = bigxref_new();
	r->err = (struct cf_err)CF_ERR_INIT;
	puts_(r, "%PDF-1.7\n%\xb7\xbe\xad\xaa\n");
	off[1] = bigxref_size(r->x);
	libharu_off[1] = (uint32_t)r->libharu_pos;
	puts_(r, "1 0 obj\n");
	puts_(r, "<</Type /Catalog /Pages 3 0 R>>");
	puts_(r, "\nendobj\n");
	off[2] = bigxref_size(r->x);
	libharu_off[2] = (uint32_t)r->libharu_pos;
	puts_(r, "2 0 obj\n");
	puts_(r, "<</Length 4 0 R>>");
	puts_(r, "\nstream\r\n");
	if (fake) {
		/* an embedded file whose last chunks look like libharu's writes */
		puts_(r, "\nendobj\n");
		puts_(r, "3 0 obj\n");
	}
	for (left = big; left > 0;) {
		size_t n = left < sizeof(chunk) ? (size_t)left : sizeof(chunk);

		put(r, chunk, n);
		left -= n;
	}
	puts_(r, "\nendstream");
	puts_(r, "\nendobj\n");
	off[3] = bigxref_size(r->x);
	libharu_off[3] = (uint32_t)r->libharu_pos;
	if (!skip_obj3)
		puts_(r, "3 0 obj\n");
	puts_(r, "<</Type /Pages /Count 0 /Kids []>>");
	puts_(r, "\nendobj\n");
	off[0] = bigxref_size(r->x);
	libharu_off[0] = (uint32_t)r->libharu_pos;
	r->keep = 1;
	puts_(r, "xref\n0 4\n");
	puts_(r, "0000000000 65535 f\r\n");
	for (i = 1; i <= 3; i++) {
		/* libharu's entry helper: clamped at 2^31 - 1 */
		snprintf(buf, sizeof(buf), "%010" PRIu32 " 00000 n\r\n",
			 libharu_off[i] > 0x7FFFFFFFu ? 0x7FFFFFFFu : libharu_off[i]);
		puts_(r, buf);
	}
	puts_(r, "trailer\n");
	puts_(r, "<<\n/Root 1 0 R\n/Size 4\n>>");
	puts_(r, "\nstartxref\n");
	/* libharu's unsigned writer: a signed 32-bit number */
	snprintf(buf, sizeof(buf), "%" PRId32, (int32_t)libharu_off[0]);
	puts_(r, buf);
	puts_(r, "\n%%EOF\n");
}

static void
expect_tail(struct run *r, const uint64_t off[4])
{
	char want[512];

	snprintf(want, sizeof(want),
		 "xref\n0 4\n0000000000 65535 f\r\n%010" PRIu64 " 00000 n\r\n%010" PRIu64
		 " 00000 n\r\n%010" PRIu64 " 00000 n\r\ntrailer\n<<\n/Root 1 0 R\n/Size 4\n>>"
		 "\nstartxref\n%" PRIu64 "\n%%%%EOF\n", off[1], off[2], off[3], off[0]);
	assert_int_equal(r->ntail, strlen(want));
	assert_memory_equal(r->tail, want, r->ntail);
}

/* 1. a small document passes unchanged, and the filter checks it saw it */
static void
test_small_unchanged(void **state)
{
	struct run r;
	uint64_t off[4];

	(void)state;
	write_doc(&r, 1000, 0, 0, off);
	assert_false(r.failed);
	assert_int_equal(bigxref_finish(r.x, &r.err), 0);
	expect_tail(&r, off);
	assert_true(off[0] < 2000);
	bigxref_free(r.x);
}

/* 2. past 2 GiB and past 4 GiB: entries and startxref corrected */
static void
test_past_2_and_4_gib(void **state)
{
	static const uint64_t sizes[] = { 0x80000000ull, 0x100000000ull + 12345, 5000000000ull };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct run r;
		uint64_t off[4];

		write_doc(&r, sizes[i], 0, 0, off);
		assert_false(r.failed);
		assert_int_equal(bigxref_finish(r.x, &r.err), 0);
		assert_true(off[3] > sizes[i]);
		expect_tail(&r, off);
		bigxref_free(r.x);
	}
}

/* 3. stream bytes that look like libharu's writes: the real header wins */
static void
test_fake_header_in_stream(void **state)
{
	struct run r;
	uint64_t off[4];

	(void)state;
	write_doc(&r, 0x90000000ull, 1, 0, off);
	assert_false(r.failed);
	assert_int_equal(bigxref_finish(r.x, &r.err), 0);
	expect_tail(&r, off);
	bigxref_free(r.x);
	/* and below 2 GiB */
	write_doc(&r, 1000, 1, 0, off);
	assert_false(r.failed);
	expect_tail(&r, off);
	bigxref_free(r.x);
}

/* 4. an object whose start was not seen, past 2 GiB: refused */
static void
test_unseen_object_refused(void **state)
{
	struct run r;
	uint64_t off[4];

	(void)state;
	write_doc(&r, 0x80000000ull, 0, 1, off);
	assert_true(r.failed);
	assert_int_equal(r.err.code, CF_EPDF);
	assert_non_null(strstr(r.err.msg, "cannot correct the offset of object 3: its start was not seen"));
	cf_err_release(&r.err);
	bigxref_free(r.x);
}

/*
 * 5. below 2 GiB, libharu's offsets must equal the filter's, and every
 * object's start must have been seen: what a libharu that writes
 * differently would run into on its first small build.
 */
static void
test_small_mismatch_refused(void **state)
{
	static const char *const w[] = {
		"%PDF-1.7\n", "1 0 obj\n", "<<>>", "\nendobj\n", "xref\n0 2\n",
		"0000000000 65535 f\r\n", "0000000010 00000 n\r\n",
	};
	struct bigxref *x = bigxref_new();
	struct cf_err err = CF_ERR_INIT;
	const unsigned char *out;
	size_t i, n;
	int rc = 0;
	struct run r;
	uint64_t off[4];

	(void)state;
	for (i = 0; i < sizeof(w) / sizeof(w[0]) && rc == 0; i++)
		rc = bigxref_filter(x, (const unsigned char *)w[i], strlen(w[i]), &out, &n, &err);
	assert_int_equal(rc, -1);	/* object 1 is at 9, not 10 */
	assert_non_null(strstr(err.msg, "object 1: libharu wrote offset 0000000010, the filter "
				   "saw 0000000009 (libharu's writes are not the expected ones)"));
	cf_err_release(&err);
	bigxref_free(x);
	write_doc(&r, 1000, 0, 1, off);	/* object 3's header not written */
	assert_true(r.failed);
	assert_non_null(strstr(r.err.msg, "object 3: its start was not seen"));
	cf_err_release(&r.err);
	bigxref_free(r.x);
}

/* 6. no xref at all: refused at the end */
static void
test_no_xref_refused(void **state)
{
	struct bigxref *x = bigxref_new();
	struct cf_err err = CF_ERR_INIT;
	const unsigned char *out;
	size_t n;

	(void)state;
	assert_int_equal(bigxref_filter(x, (const unsigned char *)"%PDF-1.7\n", 9, &out, &n, &err), 0);
	assert_int_equal(n, 9);
	assert_int_equal(bigxref_finish(x, &err), -1);
	assert_int_equal(err.code, CF_EPDF);
	assert_non_null(strstr(err.msg, "cross-reference table was not seen"));
	cf_err_release(&err);
	bigxref_free(x);
}

/* 7. an object past the ten digits of an entry: refused */
static void
test_past_ten_digits_refused(void **state)
{
	struct run r;
	uint64_t off[4];

	(void)state;
	write_doc(&r, BIGXREF_MAX + 1, 0, 0, off);
	assert_true(r.failed);
	assert_non_null(strstr(r.err.msg, "past the 9999999999 an xref entry can name"));
	cf_err_release(&r.err);
	bigxref_free(r.x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_unchanged),
		cmocka_unit_test(test_past_2_and_4_gib),
		cmocka_unit_test(test_fake_header_in_stream),
		cmocka_unit_test(test_unseen_object_refused),
		cmocka_unit_test(test_small_mismatch_refused),
		cmocka_unit_test(test_no_xref_refused),
		cmocka_unit_test(test_past_ten_digits_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

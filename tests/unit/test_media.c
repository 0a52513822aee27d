/* SPDX-License-Identifier: MIT */
/*
 * test_media — magic sniffing and header probing: every fixture photo
 * variant (EXIF orientation 6, CMYK with OffsetTimeOriginal, progressive,
 * GPS, palette/16-bit/interlaced/alpha PNG, WebP with EXIF, HEIC), videos
 * built here box by box (mvhd v0 and v1, moov after a 600 MB sparse mdat,
 * broken boxes), PDFs, and truncated or corrupt images.
 */
#include "testutil.h"

#include <fcntl.h>

#include "casefile/cftime.h"
#include "casefile/media.h"
#include "casefile/xalloc.h"
#include "fixture.h"

struct warns {
	int nbad, nnote;
	char last[256];
};

static void
collect(void *cookie, int bad, const char *msg)
{
	struct warns *w = cookie;

	if (bad)
		w->nbad++;
	else
		w->nnote++;
	snprintf(w->last, sizeof(w->last), "%s", msg);
}

static void
probe_fixture(const char *name, struct media_info *mi, struct warns *w)
{
	size_t n;
	char *d = fixture_load(name, &n);

	memset(w, 0, sizeof(*w));
	assert_int_equal(media_probe(d, n, n, -1, 1 << 20, mi, collect, w, NULL), 0);
	free(d);
}

static long long
cst(const char *s)
{
	long long t;

	assert_int_equal(cftime_parse(s, strlen(s), &t, NULL), 0);
	return t;
}

static void
t01_jpeg_orientation6(void **state)
{
	struct media_info mi;
	struct warns w;

	(void)state;
	probe_fixture("photo-orient6.jpg", &mi, &w);
	assert_int_equal(mi.cls, MEDIA_IMAGE);
	assert_string_equal(mi.format, "jpeg");
	assert_int_equal(mi.width, 64);
	assert_int_equal(mi.height, 48);
	assert_int_equal(mi.orientation, 6);
	assert_true(mi.has_captured);
	/* EXIF time without offset is China time */
	assert_int_equal(mi.captured_at, cst("2025-05-03 10:20:31"));
	assert_int_equal(mi.has_gps, 0);
	assert_int_equal(w.nbad, 0);
}

static void
t02_jpeg_cmyk_offset(void **state)
{
	struct media_info mi;
	struct warns w;

	(void)state;
	probe_fixture("cmyk.jpg", &mi, &w);
	assert_int_equal(mi.width, 64);
	assert_int_equal(mi.height, 48);
	assert_int_equal(mi.orientation, 0);	/* none in the file: none invented */
	assert_int_equal(mi.captured_at, cst("2025-05-03T10:21:00+09:00"));
	assert_int_equal(w.nbad, 0);
}

static void
t03_jpeg_progressive_and_gps(void **state)
{
	struct media_info mi;
	struct warns w;

	(void)state;
	probe_fixture("progressive.jpg", &mi, &w);
	assert_int_equal(mi.width, 64);
	assert_int_equal(mi.height, 48);
	assert_int_equal(mi.has_captured, 0);
	probe_fixture("gps.jpg", &mi, &w);
	assert_int_equal(mi.has_gps, 1);
	assert_int_equal(mi.captured_at, cst("2025-05-03 10:22:00"));
}

static void
t04_png_variants(void **state)
{
	static const char *const names[] = { "palette.png", "png16.png",
					     "interlaced.png", "alpha.png" };
	struct media_info mi;
	struct warns w;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		probe_fixture(names[i], &mi, &w);
		assert_string_equal(mi.format, "png");
		assert_int_equal(mi.width, 64);
		assert_int_equal(mi.height, 48);
		assert_int_equal(w.nbad, 0);
	}
}

static void
t05_webp_heic(void **state)
{
	struct media_info mi;
	struct warns w;

	(void)state;
	probe_fixture("photo.webp", &mi, &w);
	assert_string_equal(mi.format, "webp");
	assert_int_equal(mi.width, 64);
	assert_int_equal(mi.height, 48);
	assert_int_equal(mi.orientation, 3);
	assert_int_equal(mi.captured_at, cst("2025-05-03 10:23:00"));
	probe_fixture("photo.heic", &mi, &w);
	assert_int_equal(mi.cls, MEDIA_IMAGE);
	assert_string_equal(mi.format, "heic");
	assert_true(mi.width >= 64);	/* coded size (padded to the tile) */
}

static void
t06_truncated_and_corrupt_images(void **state)
{
	static const char *const names[] = { "photo-orient6.jpg", "palette.png",
					     "photo.webp" };
	struct media_info mi;
	struct warns w;
	size_t i, n;

	(void)state;
	for (i = 0; i < 3; i++) {
		char *d = fixture_load(names[i], &n);
		size_t cut;

		for (cut = 12; cut < n; cut += 37) {
			memset(&w, 0, sizeof(w));
			assert_int_equal(media_probe(d, cut, cut, -1, 1 << 20, &mi,
						     collect, &w, NULL), 0);
			assert_int_equal(mi.cls, MEDIA_IMAGE);
			/* either the header was there, or it says what is wrong */
			assert_true(mi.width > 0 || w.nbad > 0);
		}
		/* garbage after the magic */
		memset(d + 16, 0xA5, n - 16);
		memset(&w, 0, sizeof(w));
		assert_int_equal(media_probe(d, n, n, -1, 1 << 20, &mi, collect, &w, NULL), 0);
		assert_true(w.nbad > 0);
		free(d);
	}
}

/* ---- videos built box by box ---- */

static size_t
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return 4;
}

/* ftyp + moov(mvhd) into buf; returns length. */
static size_t
make_head(unsigned char *b, const char *brand, int v1, uint32_t ts, uint64_t dur)
{
	size_t n = 0, moov, mvhd;

	n += put32(b + n, 20);
	memcpy(b + n, "ftyp", 4); n += 4;
	memcpy(b + n, brand, 4); n += 4;
	n += put32(b + n, 0);
	memcpy(b + n, "isom", 4); n += 4;
	moov = n;
	n += 8;
	memcpy(b + moov + 4, "moov", 4);
	/* an unrelated box first, to be skipped */
	n += put32(b + n, 12);
	memcpy(b + n, "udta", 4); n += 4;
	n += put32(b + n, 0);
	mvhd = n;
	n += 8;
	memcpy(b + mvhd + 4, "mvhd", 4);
	b[n++] = v1 ? 1 : 0;
	b[n++] = 0; b[n++] = 0; b[n++] = 0;
	if (v1) {
		memset(b + n, 0, 16); n += 16;
		n += put32(b + n, ts);
		n += put32(b + n, (uint32_t)(dur >> 32));
		n += put32(b + n, (uint32_t)dur);
	} else {
		memset(b + n, 0, 8); n += 8;
		n += put32(b + n, ts);
		n += put32(b + n, (uint32_t)dur);
	}
	memset(b + n, 0, 80); n += 80;
	put32(b + mvhd, (uint32_t)(n - mvhd));
	put32(b + moov, (uint32_t)(n - moov));
	return n;
}

static void
t07_mp4_mov_duration(void **state)
{
	unsigned char b[512];
	struct media_info mi;
	struct warns w;
	size_t n;

	(void)state;
	n = make_head(b, "isom", 0, 1000, 12345);
	memset(&w, 0, sizeof(w));
	assert_int_equal(media_probe(b, n, n, -1, 0, &mi, collect, &w, NULL), 0);
	assert_int_equal(mi.cls, MEDIA_VIDEO);
	assert_string_equal(mi.format, "mp4");
	assert_int_equal(mi.duration_ms, 12345);
	n = make_head(b, "qt  ", 1, 600, 600ULL * 7200 + 300);	/* 2 h 0.5 s */
	assert_int_equal(media_probe(b, n, n, -1, 0, &mi, collect, &w, NULL), 0);
	assert_string_equal(mi.format, "mov");
	assert_int_equal(mi.duration_ms, 7200500);
	assert_int_equal(w.nbad, 0);
	/* timescale 0 */
	n = make_head(b, "mp42", 0, 0, 100);
	assert_int_equal(media_probe(b, n, n, -1, 0, &mi, collect, &w, NULL), 0);
	assert_int_equal(mi.duration_ms, -1);
	assert_int_equal(w.nbad, 1);
	assert_string_equal(w.last, "bad mp4: mvhd timescale is 0");
}

/*
 * Packing videos put moov after a huge mdat.  The probe gets only the
 * first 64 KiB in memory and must find the duration with pread() on a
 * 600 MB sparse file.
 */
static void
t08_moov_at_end_of_big_file(void **state)
{
	unsigned char head[64], tail[512];
	uint64_t mdat = 600ULL << 20;
	struct media_info mi;
	struct warns w;
	size_t tn;
	int fd;

	(void)state;
	tn = make_head(tail, "isom", 0, 90000, 90000ULL * 95);	/* 95 s */
	/* file: ftyp (20) | mdat (large size) | moov */
	memcpy(head, tail, 20);
	put32(head + 20, 1);
	memcpy(head + 24, "mdat", 4);
	put32(head + 28, (uint32_t)(mdat >> 32));
	put32(head + 32, (uint32_t)mdat);
	fd = open("big.mp4", O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, head, 36, 0), 36);
	assert_int_equal(pwrite(fd, tail + 20, tn - 20, (off_t)(20 + mdat)), (ssize_t)(tn - 20));
	memset(&w, 0, sizeof(w));
	assert_int_equal(media_probe(head, 36, 20 + mdat + tn - 20, fd, 0, &mi,
				     collect, &w, NULL), 0);
	assert_int_equal(mi.duration_ms, 95000);
	assert_int_equal(w.nbad, 0);
	close(fd);
	unlink("big.mp4");
}

static void
t09_broken_boxes(void **state)
{
	unsigned char b[512];
	struct media_info mi;
	struct warns w;
	size_t n;

	(void)state;
	/* moov cut off: sizes point past the end */
	n = make_head(b, "isom", 0, 1000, 5000);
	memset(&w, 0, sizeof(w));
	assert_int_equal(media_probe(b, 40, 40, -1, 0, &mi, collect, &w, NULL), 0);
	assert_int_equal(mi.duration_ms, -1);
	assert_int_equal(w.nbad, 1);
	/* a box of size 4 (< header) must not loop */
	put32(b + 20, 4);
	memset(&w, 0, sizeof(w));
	assert_int_equal(media_probe(b, n, n, -1, 0, &mi, collect, &w, NULL), 0);
	assert_int_equal(mi.duration_ms, -1);
	assert_true(w.nbad >= 1);
	/* only ftyp */
	memset(&w, 0, sizeof(w));
	assert_int_equal(media_probe(b, 20, 20, -1, 0, &mi, collect, &w, NULL), 0);
	assert_string_equal(w.last, "bad mp4: no moov box (truncated or still recording?)");
}

static void
t10_sniff_pdf_gif_bmp_other(void **state)
{
	static const char pdf[] = "\n%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
	static const unsigned char gif[] = "GIF89a\x40\x01\xF0\x00\x80\x00\x00";
	unsigned char bmp[54] = "BM";
	struct media_info mi;
	struct warns w;

	(void)state;
	assert_int_equal(media_sniff(pdf, sizeof(pdf) - 1, &mi), MEDIA_PDF);
	assert_string_equal(mi.format, "pdf");
	assert_int_equal(media_probe(gif, sizeof(gif) - 1, sizeof(gif) - 1, -1, 0, &mi,
				     collect, &w, NULL), 0);
	assert_string_equal(mi.format, "gif");
	assert_int_equal(mi.width, 320);
	assert_int_equal(mi.height, 240);
	bmp[14] = 40;
	bmp[18] = 0x20;			/* width 32 */
	bmp[22] = 0xF0; bmp[23] = 0xFF; bmp[24] = 0xFF; bmp[25] = 0xFF;	/* -16: top-down */
	assert_int_equal(media_probe(bmp, 54, 54, -1, 0, &mi, collect, &w, NULL), 0);
	assert_string_equal(mi.format, "bmp");
	assert_int_equal(mi.width, 32);
	assert_int_equal(mi.height, 16);
	assert_int_equal(media_sniff("hello", 5, &mi), MEDIA_NONE);
	assert_null(mi.format);
	assert_int_equal(media_sniff("", 0, &mi), MEDIA_NONE);
}

static void
t11_large_image_not_read(void **state)
{
	size_t n;
	char *d = fixture_load("photo-orient6.jpg", &n);
	struct media_info mi;
	struct warns w;
	int fd = open("p.jpg", O_RDWR | O_CREAT | O_TRUNC, 0600);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, d, n), (ssize_t)n);
	memset(&w, 0, sizeof(w));
	/* only 16 bytes given, the rest via fd */
	assert_int_equal(media_probe(d, 16, n, fd, 1 << 20, &mi, collect, &w, NULL), 0);
	assert_int_equal(mi.width, 64);
	assert_int_equal(mi.orientation, 6);
	/* above the limit: format only, with a note */
	memset(&w, 0, sizeof(w));
	assert_int_equal(media_probe(d, 16, n, fd, 100, &mi, collect, &w, NULL), 0);
	assert_string_equal(mi.format, "jpeg");
	assert_int_equal(mi.width, -1);
	assert_int_equal(w.nnote, 1);
	close(fd);
	free(d);
}

/* ---- issue 12: LONG orientation, junk after SOI, truncation at ingest ---- */

/*
 * A TIFF header with one IFD0 entry, Orientation (0x0112) of the given
 * type (3 SHORT, 4 LONG) and value, in either byte order.  Returns its size.
 */
static size_t
make_tiff_orientation(unsigned char *b, int le, unsigned type, uint32_t v)
{
	unsigned char *e = b + 10;
	int i;

	memcpy(b, le ? "II*\0" : "MM\0*", 4);
#define PUT16(p, x) (le ? ((p)[0] = (x) & 0xFF, (p)[1] = (x) >> 8) : ((p)[0] = (x) >> 8, (p)[1] = (x) & 0xFF))
	for (i = 0; i < 4; i++)	/* IFD0 at offset 8 */
		b[4 + i] = le ? (i == 0 ? 8 : 0) : (i == 3 ? 8 : 0);
	PUT16(b + 8, 1);	/* one entry */
	PUT16(e, 0x0112);
	PUT16(e + 2, type);
	memset(e + 4, 0, 8);
	e[le ? 4 : 7] = 1;	/* count 1 */
	if (type == 3) {
		PUT16(e + 8, v);
	} else {
		for (i = 0; i < 4; i++)
			e[8 + i] = le ? (unsigned char)(v >> (8 * i)) : (unsigned char)(v >> (8 * (3 - i)));
	}
#undef PUT16
	memset(e + 12, 0, 4);	/* no next IFD */
	return 26;
}

/* 12. Orientation as LONG (some writers) is read like SHORT; 2026-12-03 issue 12. */
static void
t12_exif_orientation_long(void **state)
{
	unsigned char b[64];
	struct media_info mi;
	struct warns w;
	int le;
	uint32_t v;

	(void)state;
	for (le = 0; le <= 1; le++) {
		for (v = 1; v <= 8; v++) {
			size_t n = make_tiff_orientation(b, le, 4, v);

			memset(&mi, 0, sizeof(mi));
			memset(&w, 0, sizeof(w));
			media_read_exif(b, n, &mi, collect, &w);
			assert_int_equal(mi.orientation, (int)v);
			assert_int_equal(w.nbad, 0);
			n = make_tiff_orientation(b, le, 3, v);
			memset(&mi, 0, sizeof(mi));
			media_read_exif(b, n, &mi, collect, &w);
			assert_int_equal(mi.orientation, (int)v);
		}
		/* out of range, also in the high half a SHORT cannot hold */
		memset(&mi, 0, sizeof(mi));
		memset(&w, 0, sizeof(w));
		media_read_exif(b, make_tiff_orientation(b, le, 4, 0x10006), &mi, collect, &w);
		assert_int_equal(mi.orientation, 0);
		assert_int_equal(w.nbad, 1);
		assert_non_null(strstr(w.last, "bad exif orientation 65542"));
	}
}

/* Find the Orientation entry in a JPEG's APP1 Exif; NULL if none. */
static unsigned char *
jpeg_orientation_entry(unsigned char *d, size_t n, int *le)
{
	size_t i, j;

	for (i = 0; i + 10 < n; i++)
		if (!memcmp(d + i, "Exif\0\0", 6))
			break;
	if (i + 10 >= n)
		return NULL;
	*le = d[i + 6] == 'I';
	for (j = i + 6 + 8; j + 4 < n && j < i + 6 + 512; j++) {
		unsigned char *e = d + j;

		if ((*le && e[0] == 0x12 && e[1] == 0x01 && e[2] == 3 && e[3] == 0) ||
		    (!*le && e[0] == 0x01 && e[1] == 0x12 && e[2] == 0 && e[3] == 3))
			return e;
	}
	return NULL;
}

/* 13. The fixture photo with its Orientation rewritten as LONG 6. */
static void
t13_jpeg_orientation_long(void **state)
{
	size_t n;
	unsigned char *d = (unsigned char *)fixture_load("photo-orient6.jpg", &n), *e;
	struct media_info mi;
	struct warns w;
	int le = 0;

	(void)state;
	e = jpeg_orientation_entry(d, n, &le);
	if (e == NULL)
		fail_msg("no Orientation entry in the fixture");
	e[le ? 2 : 3] = 4;			/* type LONG */
	memset(e + 8, 0, 4);
	e[le ? 8 : 11] = 6;
	memset(&w, 0, sizeof(w));
	assert_int_equal(media_probe(d, n, n, -1, 1 << 20, &mi, collect, &w, NULL), 0);
	assert_int_equal(mi.orientation, 6);
	assert_int_equal(w.nbad, 0);
	free(d);
}

/*
 * 14. Bytes between SOI and the first marker: still a JPEG, with a note,
 * and with everything else read as before; 2026-12-03 issue 12.
 */
static void
t14_jpeg_junk_after_soi(void **state)
{
	static const char *const names[] = { "photo-orient6.jpg", "cmyk.jpg",
					     "progressive.jpg", "gps.jpg" };
	static const size_t junks[] = { 1, 2, 7, 300 };
	struct media_info ref, mi;
	struct warns w;
	size_t i, j, n;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *d = fixture_load(names[i], &n);

		probe_fixture(names[i], &ref, &w);
		assert_int_equal(w.nbad + w.nnote, 0);
		for (j = 0; j < sizeof(junks) / sizeof(junks[0]); j++) {
			size_t k = junks[j];
			unsigned char *x = xmalloc(n + k);

			memcpy(x, d, 2);
			memset(x + 2, j % 2 ? 0x00 : 0x5A, k);
			memcpy(x + 2 + k, d + 2, n - 2);
			memset(&w, 0, sizeof(w));
			assert_int_equal(media_sniff(x, n + k, &mi), MEDIA_IMAGE);
			assert_string_equal(mi.format, "jpeg");
			assert_int_equal(media_probe(x, n + k, n + k, -1, 1 << 20, &mi, collect,
						     &w, NULL), 0);
			assert_int_equal(w.nbad, 0);
			assert_int_equal(w.nnote, 1);
			assert_non_null(strstr(w.last, "extra byte"));
			assert_int_equal(mi.width, ref.width);
			assert_int_equal(mi.height, ref.height);
			assert_int_equal(mi.orientation, ref.orientation);
			free(x);
		}
		free(d);
	}
	/* FF D8 followed by no marker at all is not a JPEG */
	{
		unsigned char x[5000];

		memset(x, 0x11, sizeof(x));
		x[0] = 0xFF;
		x[1] = 0xD8;
		assert_int_equal(media_sniff(x, sizeof(x), &mi), MEDIA_NONE);
		x[4500] = 0xFF;		/* a marker past the search window */
		x[4501] = 0xE0;
		assert_int_equal(media_sniff(x, sizeof(x), &mi), MEDIA_NONE);
	}
}

/*
 * 15. A file cut anywhere, even by its last byte, warns as bad: the whole
 * image is decoded at ingest (JPEG, PNG, WebP); 2026-12-03 issue 12.
 */
static void
t15_truncation_always_found(void **state)
{
	static const char *const names[] = { "photo-orient6.jpg", "progressive.jpg",
					     "cmyk.jpg", "palette.png", "interlaced.png",
					     "png16.png", "alpha.png", "photo.webp" };
	struct media_info mi;
	struct warns w;
	size_t i, n, cut;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *d = fixture_load(names[i], &n);

		memset(&w, 0, sizeof(w));
		assert_int_equal(media_probe(d, n, n, -1, 1 << 20, &mi, collect, &w, NULL), 0);
		assert_int_equal(w.nbad, 0);
		for (cut = n - 1; cut > n / 2; cut -= cut > n - 8 ? 1 : 23) {
			memset(&w, 0, sizeof(w));
			assert_int_equal(media_probe(d, cut, cut, -1, 1 << 20, &mi,
						     collect, &w, NULL), 0);
			if (w.nbad == 0)
				fail_msg("%s cut to %zu of %zu bytes: no warning", names[i], cut, n);
			/* by its last byte: the end is missing, and it says so */
			if (cut == n - 1 && !strstr(w.last, "truncated") &&
			    !strstr(w.last, "Not enough"))
				fail_msg("%s cut to %zu: '%s'", names[i], cut, w.last);
		}
		free(d);
	}
}

/* 16. A PDF is read from its end at ingest: xref, trailer, catalog. */
static void
t16_pdf_structure(void **state)
{
	static const char body[] =
		"%PDF-1.4\n"
		"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
		"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n";
	char pdf[1024];
	size_t len, cut, off1, off2, xref;
	struct media_info mi;
	struct warns w;

	(void)state;
	off1 = strstr(body, "1 0 obj") - body;
	off2 = strstr(body, "2 0 obj") - body;
	xref = sizeof(body) - 1;
	len = (size_t)snprintf(pdf, sizeof(pdf),
			       "%sxref\n0 3\n0000000000 65535 f \n%010zu 00000 n \n"
			       "%010zu 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R >>\n"
			       "startxref\n%zu\n%%%%EOF\n", body, off1, off2, xref);
	memset(&w, 0, sizeof(w));
	assert_int_equal(media_probe(pdf, len, len, -1, 1 << 20, &mi, collect, &w, NULL), 0);
	assert_int_equal(mi.cls, MEDIA_PDF);
	assert_int_equal(w.nbad + w.nnote, 0);
	/* cut into startxref's offset and on (pdfread does not need "%EOF") */
	for (cut = len - 8; cut > 20; cut -= 3) {
		memset(&w, 0, sizeof(w));
		assert_int_equal(media_probe(pdf, cut, cut, -1, 1 << 20, &mi, collect, &w,
					     NULL), 0);
		assert_int_equal(mi.cls, MEDIA_PDF);
		if (w.nbad != 1)
			fail_msg("pdf cut to %zu of %zu bytes: %d warnings", cut, len, w.nbad);
		assert_non_null(strstr(w.last, "bad pdf: "));
	}
	/* the rest of a large PDF is read from the object's fd */
	{
		int fd = open("r.pdf", O_RDWR | O_CREAT | O_TRUNC, 0600);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, pdf, len), (ssize_t)len);
		memset(&w, 0, sizeof(w));
		assert_int_equal(media_probe(pdf, 16, len, fd, 1 << 20, &mi, collect, &w,
					     NULL), 0);
		assert_int_equal(w.nbad + w.nnote, 0);
		assert_int_equal(ftruncate(fd, (off_t)len - 10), 0);
		assert_int_equal(media_probe(pdf, 16, len - 10, fd, 1 << 20, &mi, collect, &w,
					     NULL), 0);
		assert_int_equal(w.nbad, 1);
		close(fd);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t01_jpeg_orientation6),
		cmocka_unit_test(t02_jpeg_cmyk_offset),
		cmocka_unit_test(t03_jpeg_progressive_and_gps),
		cmocka_unit_test(t04_png_variants),
		cmocka_unit_test(t05_webp_heic),
		cmocka_unit_test(t06_truncated_and_corrupt_images),
		cmocka_unit_test(t07_mp4_mov_duration),
		cmocka_unit_test(t08_moov_at_end_of_big_file),
		cmocka_unit_test(t09_broken_boxes),
		cmocka_unit_test(t10_sniff_pdf_gif_bmp_other),
		cmocka_unit_test(t11_large_image_not_read),
		cmocka_unit_test(t12_exif_orientation_long),
		cmocka_unit_test(t13_jpeg_orientation_long),
		cmocka_unit_test(t14_jpeg_junk_after_soi),
		cmocka_unit_test(t15_truncation_always_found),
		cmocka_unit_test(t16_pdf_structure),
	};

	(void)argc;
	fixture_init(argv[0]);
	return cmocka_run_group_tests(tests, test_tmpdir_setup, test_tmpdir_teardown);
}

/* SPDX-License-Identifier: MIT */
/*
 * test_imgmeta — the one EXIF/JPEG-header path (issue 13): libjpeg's
 * header facts for RGB, grey and Adobe CMYK JPEGs, the frame size kept
 * when the stream has no image, refusals of truncated and non-JPEG data,
 * and EXIF orientation, capture time and GPS through libexif (junk after
 * SOI skipped), with bad values reported and never invented.
 */
#include "testutil.h"

#include "casefile/imgmeta.h"
#include "casefile/xalloc.h"

static int
sh(const char *cmd)
{
	return system(cmd);
}

static int nwarn, nbad;
static char last[200];

static void
on_warn(void *cookie, int bad, const char *msg)
{
	(void)cookie;
	nwarn++;
	nbad += bad;
	snprintf(last, sizeof(last), "%s", msg);
}

/* 1. Header facts: size, components, precision, Adobe marker, scan offset. */
static void
test_jpeg_headers(void **state)
{
	struct imgmeta_jpeg j;
	char msg[200], *b;
	size_t n;

	(void)state;
	assert_int_equal(sh("convert -size 40x30 xc:red -quality 90 rgb.jpg && "
			    "convert -size 20x10 xc:gray50 -colorspace Gray grey.jpg && "
			    "convert rgb.jpg -colorspace CMYK cmyk.jpg"), 0);
	b = test_load_file("rgb.jpg", &n);
	assert_int_equal(imgmeta_jpeg(b, n, &j, msg, sizeof(msg)), 0);
	assert_int_equal(j.width, 40);
	assert_int_equal(j.height, 30);
	assert_int_equal(j.components, 3);
	assert_int_equal(j.precision, 8);
	assert_int_equal(j.adobe, 0);
	assert_true(j.scan > 20 && j.scan < n);
	assert_memory_equal(b + j.scan - 14, "\xFF\xDA", 2);	/* 3-component SOS header: 12 + marker */
	/* cut inside the scan: the header still reads, the scan start is kept */
	assert_int_equal(imgmeta_jpeg(b, j.scan + 4, &j, msg, sizeof(msg)), 0);
	/* cut before the frame header: refused with libjpeg's reason */
	assert_int_equal(imgmeta_jpeg(b, 20, &j, msg, sizeof(msg)), -1);
	assert_true(msg[0] != '\0');
	free(b);
	b = test_load_file("grey.jpg", &n);
	assert_int_equal(imgmeta_jpeg(b, n, &j, msg, sizeof(msg)), 0);
	assert_int_equal(j.components, 1);
	free(b);
	b = test_load_file("cmyk.jpg", &n);
	assert_int_equal(imgmeta_jpeg(b, n, &j, msg, sizeof(msg)), 0);
	assert_int_equal(j.components, 4);
	assert_int_equal(j.adobe, 1);
	free(b);
}

/* 2. Broken streams: no image keeps the frame's size; not a JPEG at all. */
static void
test_jpeg_broken(void **state)
{
	/* SOI + SOF0 claiming 20000x20000, then EOI: no scan */
	static const unsigned char huge[] = {
		0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x4E, 0x20, 0x4E, 0x20, 0x03,
		1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9,
	};
	struct imgmeta_jpeg j;
	char msg[200];

	(void)state;
	assert_int_equal(imgmeta_jpeg(huge, sizeof(huge), &j, msg, sizeof(msg)), -1);
	assert_int_equal(j.width, 20000);
	assert_int_equal(j.height, 20000);
	assert_int_equal(j.precision, 8);
	assert_int_equal(j.scan, 0);
	assert_int_equal(imgmeta_jpeg("GIF89a........", 14, &j, msg, sizeof(msg)), -1);
	assert_int_equal(j.width, 0);
	assert_int_equal(imgmeta_jpeg("", 0, &j, msg, sizeof(msg)), -1);
}

/* 3. EXIF: orientation, capture time with its offset, GPS; bad values warned. */
static void
test_exif(void **state)
{
	struct imgmeta_exif x;
	char *b;
	size_t n;

	(void)state;
	assert_int_equal(sh("convert -size 40x30 xc:red e.jpg && cp e.jpg plain.jpg && "
			    "exiftool -q -overwrite_original -n -Orientation=6 "
			    "'-DateTimeOriginal=2025:05:03 10:12:00' -OffsetTimeOriginal=+08:00 "
			    "-GPSLatitude=30.1 -GPSLatitudeRef=N e.jpg && "
			    "cp plain.jpg bad.jpg && exiftool -q -overwrite_original -n "
			    "-Orientation=9 '-DateTimeOriginal=2025:0x:03 10:12:00' bad.jpg"), 0);
	b = test_load_file("e.jpg", &n);
	nwarn = nbad = 0;
	imgmeta_exif(b, n, &x, on_warn, NULL);
	assert_int_equal(nwarn, 0);
	assert_int_equal(x.orientation, 6);
	assert_int_equal(x.has_captured, 1);
	assert_int_equal(x.captured_at, 1746238320);	/* 2025-05-03 02:12:00 UTC */
	assert_int_equal(x.has_gps, 1);
	{
		/* junk after SOI is skipped as decoders skip it */
		char *t = xmalloc(n + 3);

		memcpy(t, b, 2);
		memcpy(t + 2, "abc", 3);
		memcpy(t + 5, b + 2, n - 2);
		assert_int_equal(imgmeta_jpeg_junk((unsigned char *)t, n + 3), 3);
		assert_int_equal(imgmeta_jpeg_junk((unsigned char *)b, n), 0);
		imgmeta_exif(t, n + 3, &x, NULL, NULL);
		assert_int_equal(x.orientation, 6);
		free(t);
	}
	free(b);
	b = test_load_file("plain.jpg", &n);
	imgmeta_exif(b, n, &x, on_warn, NULL);
	assert_int_equal(x.orientation, 0);	/* none in the file: none invented */
	assert_int_equal(x.has_captured, 0);
	assert_int_equal(x.has_gps, 0);
	free(b);
	b = test_load_file("bad.jpg", &n);
	imgmeta_exif(b, n, &x, on_warn, NULL);
	assert_int_equal(x.orientation, 0);
	assert_int_equal(x.has_captured, 0);
	assert_int_equal(nbad, 2);
	assert_non_null(strstr(last, "capture time") ? last : strstr(last, "orientation"));
	free(b);
	imgmeta_exif("short", 5, &x, NULL, NULL);
	assert_int_equal(x.orientation, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_jpeg_headers, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test(test_jpeg_broken),
		cmocka_unit_test_setup_teardown(test_exif, test_tmpdir_setup, test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

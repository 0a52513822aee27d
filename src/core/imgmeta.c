/* SPDX-License-Identifier: MIT */
/*
 * imgmeta — image metadata through the image libraries (contract in
 * imgmeta.h).  libjpeg reports errors by longjmp: that stays inside
 * imgmeta_jpeg(), which armed it, and its warnings are never printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <libexif/exif-data.h>

#include "casefile/cftime.h"
#include "casefile/imgmeta.h"
#include "casefile/xalloc.h"

void
imgmeta_warnf(imgmeta_warn_fn warn, void *cookie, int bad, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (warn == NULL)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	warn(cookie, bad, msg);
	free(msg);
}

/* ---- EXIF (libexif) ------------------------------------------------------ */

#define JPEG_JUNK_MAX 4096

size_t
imgmeta_jpeg_junk(const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 2; i + 1 < n && i < JPEG_JUNK_MAX; i++) {
		unsigned m = s[i + 1];

		if (s[i] == 0xFF && ((m >= 0xE0 && m <= 0xEF) || m == 0xFE || m == 0xDB ||
				     m == 0xC4 || m == 0xDD ||
				     (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC)))
			return i - 2;
	}
	return 0;
}

static ExifEntry *
exif_find(ExifData *ed, ExifIfd ifd, ExifTag tag)
{
	if (ed->ifd[ifd] == NULL)
		return NULL;
	return exif_content_get_entry(ed->ifd[ifd], tag);
}

/* An ASCII entry's text, without trailing NULs/spaces, into buf. */
static int
exif_ascii(ExifEntry *e, char *buf, size_t bufsz)
{
	size_t len;

	if (e == NULL || e->format != EXIF_FORMAT_ASCII || e->data == NULL || e->size == 0)
		return -1;
	len = e->size < bufsz - 1 ? e->size : bufsz - 1;
	memcpy(buf, e->data, len);
	buf[len] = '\0';
	len = strnlen(buf, len);
	while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\0'))
		len--;
	buf[len] = '\0';
	return 0;
}

static void
exif_datetime(ExifData *ed, struct imgmeta_exif *x, imgmeta_warn_fn warn, void *cookie)
{
	char dt[64], off[16] = "", text[96];
	long long utc;
	struct cf_err e = CF_ERR_INIT;
	size_t i;

	if (exif_ascii(exif_find(ed, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL),
		       dt, sizeof(dt)) < 0 || dt[0] == '\0')
		return;
	/* "0000:00:00 00:00:00" and blanks mean "unknown" per the EXIF spec */
	if (strspn(dt, " :0") == strlen(dt))
		return;
	if (exif_ascii(exif_find(ed, EXIF_IFD_EXIF, EXIF_TAG_OFFSET_TIME_ORIGINAL),
		       off, sizeof(off)) < 0)
		off[0] = '\0';
	/* "2025:05:03 10:12:00" -> "2025-05-03 10:12:00" */
	for (i = 0; i < sizeof(text) - 1 && dt[i]; i++) {
		char c = dt[i];

		if (!((c >= '0' && c <= '9') || c == ':' || c == ' ' || c == '.')) {
			imgmeta_warnf(warn, cookie, 1, "bad exif capture time '%.40s'", dt);
			return;
		}
		text[i] = (i == 4 || i == 7) && c == ':' ? '-' : c;
	}
	text[i] = '\0';
	if (off[0]) {
		if (strlen(off) > 6 || (off[0] != '+' && off[0] != '-')) {
			imgmeta_warnf(warn, cookie, 1, "bad exif time offset '%.15s'", off);
		} else {
			strcat(text, off);
		}
	}
	if (cftime_parse(text, strlen(text), &utc, &e) < 0) {
		imgmeta_warnf(warn, cookie, 1, "exif capture time: %s", e.msg);
		cf_err_release(&e);
		return;
	}
	x->has_captured = 1;
	x->captured_at = utc;
}

void
imgmeta_exif(const void *data, size_t n, struct imgmeta_exif *x,
	     imgmeta_warn_fn warn, void *cookie)
{
	ExifData *ed;
	ExifEntry *e;
	unsigned char *tmp = NULL;
	const unsigned char *s = data;
	size_t junk;

	memset(x, 0, sizeof(*x));
	if (n < 8)
		return;
	if (s[0] == 0xFF && s[1] == 0xD8 && s[2] != 0xFF &&
	    (junk = imgmeta_jpeg_junk(s, n)) > 0) {
		/* libexif wants the first marker right after SOI */
		tmp = xmalloc(n - junk);
		memcpy(tmp, s, 2);
		memcpy(tmp + 2, s + 2 + junk, n - 2 - junk);
		s = tmp;
		n -= junk;
	}
	/* libexif wants "Exif\0\0" before a bare TIFF header */
	if (tmp == NULL && (!memcmp(s, "II*\0", 4) || !memcmp(s, "MM\0*", 4))) {
		tmp = xmalloc(n + 6);
		memcpy(tmp, "Exif\0\0", 6);
		memcpy(tmp + 6, s, n);
		s = tmp;
		n += 6;
	}
	if ((ed = exif_data_new()) == NULL)
		goto out;
	/* never let libexif add the spec's default entries */
	exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
	exif_data_load_data(ed, s, (unsigned)(n > 0xFFFFFFF0u ? 0xFFFFFFF0u : n));
	/* SHORT as the spec says; some writers store a LONG, readers take it */
	if ((e = exif_find(ed, EXIF_IFD_0, EXIF_TAG_ORIENTATION)) != NULL &&
	    e->components >= 1 &&
	    ((e->format == EXIF_FORMAT_SHORT && e->size >= 2) ||
	     (e->format == EXIF_FORMAT_LONG && e->size >= 4))) {
		ExifByteOrder bo = exif_data_get_byte_order(ed);
		unsigned long o = e->format == EXIF_FORMAT_SHORT ? exif_get_short(e->data, bo)
								 : exif_get_long(e->data, bo);

		if (o >= 1 && o <= 8)
			x->orientation = (int)o;
		else
			imgmeta_warnf(warn, cookie, 1, "bad exif orientation %lu", o);
	}
	exif_datetime(ed, x, warn, cookie);
	if (ed->ifd[EXIF_IFD_GPS] && ed->ifd[EXIF_IFD_GPS]->count > 0)
		x->has_gps = 1;
	exif_data_unref(ed);
out:
	free(tmp);
}

/* ---- JPEG headers (libjpeg) ---------------------------------------------- */

struct jerr {
	struct jpeg_error_mgr pub;
	jmp_buf jmp;
};

static void
jpeg_on_error(j_common_ptr ci)
{
	struct jerr *je = (struct jerr *)ci->err;

	longjmp(je->jmp, 1);
}

static void
jpeg_on_message(j_common_ptr ci)
{
	(void)ci;	/* warnings are not ours to print */
}

int
imgmeta_jpeg(const void *data, size_t n, struct imgmeta_jpeg *j, char *msg, size_t msgsz)
{
	struct jpeg_decompress_struct ci;
	struct jerr je;

	memset(j, 0, sizeof(*j));
	memset(&ci, 0, sizeof(ci));
	ci.err = jpeg_std_error(&je.pub);
	je.pub.error_exit = jpeg_on_error;
	je.pub.output_message = jpeg_on_message;
	if (setjmp(je.jmp)) {
		char m[JMSG_LENGTH_MAX];

		je.pub.format_message((j_common_ptr)&ci, m);
		snprintf(msg, msgsz, "%s", m);
		/* what the frame header said before the failure */
		j->width = ci.image_width;
		j->height = ci.image_height;
		j->precision = (unsigned)ci.data_precision;
		jpeg_destroy_decompress(&ci);
		return -1;
	}
	jpeg_create_decompress(&ci);
	jpeg_mem_src(&ci, data, (unsigned long)n);
	if (jpeg_read_header(&ci, TRUE) != JPEG_HEADER_OK) {
		snprintf(msg, msgsz, "no image");
		jpeg_destroy_decompress(&ci);
		return -1;
	}
	j->width = ci.image_width;
	j->height = ci.image_height;
	j->components = (unsigned)ci.num_components;
	j->precision = (unsigned)ci.data_precision;
	j->adobe = ci.saw_Adobe_marker;
	j->scan = n - ci.src->bytes_in_buffer;
	jpeg_destroy_decompress(&ci);
	return 0;
}

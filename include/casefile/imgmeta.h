/* SPDX-License-Identifier: MIT */
/*
 * imgmeta — what an image's headers say, read by the image libraries
 * themselves: EXIF through libexif, JPEG headers through libjpeg.  The one
 * path for ingest's media facts (media.c) and the PDF writer's images
 * (pdf_image.c); no pixel is decoded.
 */
#ifndef CASEFILE_IMGMETA_H
#define CASEFILE_IMGMETA_H

#include <stddef.h>

/* A problem found in the metadata (bad: 1 not understood, 0 a note). */
typedef void (*imgmeta_warn_fn)(void *cookie, int bad, const char *msg);

/*
 * Format a message and hand it to warn (nothing when warn is NULL); the
 * message is freed after the call.  Shared with media.c, whose
 * media_warn_fn has the same shape.
 */
void imgmeta_warnf(imgmeta_warn_fn warn, void *cookie, int bad, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

struct imgmeta_exif {
	int orientation;		/* 1..8, 0: none or invalid */
	int has_captured;
	long long captured_at;		/* DateTimeOriginal as UTC seconds: its
					   OffsetTimeOriginal, else China time */
	int has_gps;			/* a GPS IFD with entries */
};

/*
 * Bytes between a JPEG's SOI (FF D8) and its first marker, which decoders
 * skip (libjpeg warns "extraneous bytes before marker"); 0 when the first
 * marker follows SOI at once or none is found in the first 4096 bytes.
 * A marker here is FF followed by APPn, COM, DQT, DHT, SOFn or DRI, the
 * segments a JPEG can open with, so random bytes after FF D8 rarely pass.
 */
size_t imgmeta_jpeg_junk(const unsigned char *s, size_t n);

/*
 * Read the EXIF block of data[0..n) (a JPEG, junk after SOI skipped as
 * decoders do, or raw "Exif\0\0..." / TIFF-header bytes) into *x (zeroed
 * first).  Orientation is a SHORT as the spec says, or a LONG as some
 * writers store it.  libexif runs without
 * FOLLOW_SPECIFICATION, so nothing the file does not hold is invented.
 * Problems go to warn (may be NULL): "bad exif orientation 9", "bad exif
 * capture time '…'"; they never fail.
 */
void imgmeta_exif(const void *data, size_t n, struct imgmeta_exif *x,
		  imgmeta_warn_fn warn, void *cookie);

struct imgmeta_jpeg {
	unsigned width, height;
	unsigned components;		/* 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK */
	unsigned precision;		/* bits per sample */
	int adobe;			/* an Adobe APP14 marker: CMYK stored inverted */
	size_t scan;			/* offset just past the first scan header */
};

/*
 * Read the headers of the JPEG data[0..n) up to its first scan with
 * libjpeg's jpeg_read_header().  Returns 0 with *j filled, or -1 with
 * libjpeg's reason in msg (msgsz bytes); fields read before the failure
 * (the frame header's size and precision) are kept, the rest are 0.
 */
int imgmeta_jpeg(const void *data, size_t n, struct imgmeta_jpeg *j, char *msg,
		 size_t msgsz);

#endif

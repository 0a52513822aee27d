/* SPDX-License-Identifier: MIT */
/*
 * media — recognise images, videos and PDFs by their magic bytes and read
 * the facts the dossier needs: format, width, height, EXIF orientation,
 * EXIF capture time, whether GPS data is present (only the flag is kept:
 * coordinates are personal data), and video duration.
 *
 * Libraries do the decoding: libjpeg (baseline, progressive, CMYK), libpng
 * (palette, alpha, 16-bit, interlaced), libwebp and libwebpdemux (the EXIF
 * chunk), libexif (EXIF), and pdfread for a PDF's structure.
 * ISO-BMFF (MP4/MOV/HEIC) boxes are walked here: MP4/MOV read with pread(2)
 * one box header at a time, so memory never depends on the video's size.
 *
 * EXIF DateTimeOriginal has no zone: it is read as China Standard Time
 * unless OffsetTimeOriginal (0x9011) gives the offset.
 */
#ifndef CASEFILE_MEDIA_H
#define CASEFILE_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/err.h"

enum media_class {
	MEDIA_NONE,	/* not a format this module knows */
	MEDIA_IMAGE,
	MEDIA_VIDEO,
	MEDIA_PDF,
};

struct media_info {
	enum media_class cls;
	const char *format;	/* static: "jpeg" "png" "webp" "gif" "bmp" "tiff"
				 * "heic" "mp4" "mov" "pdf", or NULL */
	long long width, height;	/* -1: unknown */
	int orientation;	/* EXIF 1..8, 0: none */
	int has_captured;
	long long captured_at;	/* UTC seconds when has_captured */
	int has_gps;		/* EXIF GPS IFD present */
	long long duration_ms;	/* -1: unknown */
};

/* Called for each problem found while probing; bad as in parse.h. */
typedef void (*media_warn_fn)(void *cookie, int bad, const char *msg);

/*
 * Classify by magic bytes only: fills cls and format of *mi (the rest set
 * to unknown).  Returns mi->cls.
 */
enum media_class media_sniff(const void *data, size_t n, struct media_info *mi);

/*
 * Sniff, then read the facts.  data/n as in parse_evidence(): the whole
 * content when n == total, else a prefix and fd (pread or mmap) gives the
 * rest.  Images larger than max_image are not read past data (format only,
 * with a note).  JPEG, PNG and WebP images are decoded whole (JPEG and WebP
 * scaled down) and a PDF's xref, trailer and catalog read, so a truncated
 * or damaged file warns as bad here; a JPEG with bytes between SOI and its
 * first marker is a JPEG, with a note.  Problems in the content go to warn
 * (may be NULL) and never fail the call.  Returns -1 only when reading fd
 * fails (err set).
 */
int media_probe(const void *data, size_t n, uint64_t total, int fd,
		uint64_t max_image, struct media_info *mi, media_warn_fn warn,
		void *cookie, struct cf_err *err);

/*
 * Read an EXIF block (a JPEG, or raw "Exif\0\0..." / TIFF-header bytes) into
 * orientation (SHORT, or LONG as some writers store it), capture time and
 * GPS flag of *mi.
 */
void media_read_exif(const void *data, size_t n, struct media_info *mi,
		     media_warn_fn warn, void *cookie);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * imgconv — images for the dossier's exhibit pages, made with libvips:
 * any image libvips reads (JPEG, PNG, WebP, GIF, TIFF, HEIC/HEIF through
 * libheif) or a PDF's first page (poppler) downsampled to fit a box in
 * pixels and written as a baseline JPEG without metadata; and a strip of
 * video frames (frames.h) as one JPEG.  The untouched original stays
 * attached to the dossier; this is only what the page shows.
 *
 * Deterministic: the same original and box give the same bytes.  Shrink-
 * on-load keeps memory near the output size for JPEG and HEIC; an image
 * larger than IMGCONV_MAX_PIXELS is refused from its header.
 */
#ifndef CASEFILE_IMGCONV_H
#define CASEFILE_IMGCONV_H

#include <stddef.h>

#include "casefile/err.h"
#include "casefile/frames.h"

#define IMGCONV_MAX_PIXELS (200LL * 1000 * 1000)

/* Start libvips once per process.  0, or -1 with err. */
int imgconv_init(struct cf_err *err);

/*
 * Read the image (or PDF first page, rendered at dpi) at path, apply its
 * EXIF orientation, fit it into max_w x max_h (never enlarged), encode
 * JPEG at quality.  *out (malloc'd) / *len, *w / *h the result's size.
 * -1 with CF_EINPUT and the reason when it cannot be read.
 */
int imgconv_fit_jpeg(const char *path, int max_w, int max_h, int quality,
		     unsigned char **out, size_t *len, int *w, int *h,
		     struct cf_err *err);

/* 1 when path is a JPEG cut short (no end-of-image after its scan header). */
int imgconv_truncated(const char *path);

/* The frames side by side, two a row, gap px, as a JPEG (*out malloc'd). */
int imgconv_frames_jpeg(const struct frames *f, int gap, int quality,
			unsigned char **out, size_t *len, struct cf_err *err);

#endif

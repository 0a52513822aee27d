/* SPDX-License-Identifier: MIT */
/*
 * pdf_image — images for the PDF writer (contract in pdf.h): JPEG is
 * streamed from its file as is (DCTDecode), PNG and WebP are decoded and
 * deflated row by row into the XObject.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpdf.h>
#include <png.h>
#include <webp/decode.h>
#include <zlib.h>

#include "casefile/imgmeta.h"
#include "casefile/pdf.h"
#include "casefile/pdf_int.h"
#include "casefile/xalloc.h"

static struct pdf_image *
image_new(struct pdf *p, HPDF_Dict d, unsigned w, unsigned h, int orientation)
{
	struct pdf_image *im = xcalloc(1, sizeof(*im));

	im->xobj = d;
	im->w = w;
	im->h = h;
	im->orientation = orientation >= 1 && orientation <= 8 ? orientation : 1;
	im->next = p->images;
	p->images = im;
	return im;
}

static int
too_large(struct pdf *p, const char *path, unsigned long w, unsigned long h,
	  unsigned long limit)
{
	if (w == 0 || h == 0)
		return cf_err_set(p->err, CF_EINPUT, "'%s': image has no pixels", path);
	if ((unsigned long long)w * h > limit)
		return cf_err_set(p->err, CF_EINPUT,
				  "'%s': image too large: %lux%lu pixels (limit %lu)",
				  path, w, h, limit);
	return 0;
}

/*
 * A JPEG is embedded as it is (DCTDecode): libjpeg reads its headers and
 * libexif its orientation (imgmeta.c, as ingest does); no pixel is decoded.
 */
static int
load_jpeg(struct pdf *p, const char *path, const unsigned char *b, size_t n,
	  int orientation, struct pdf_image **out)
{
	struct imgmeta_jpeg j;
	struct imgmeta_exif x;
	char msg[200];
	const char *cs;
	HPDF_Dict d;
	int ok = imgmeta_jpeg(b, n, &j, msg, sizeof(msg)) == 0;

	/* refused by its size first: a frame header alone is enough to know */
	if (j.width && j.height && too_large(p, path, j.width, j.height, PDF_IMAGE_MAX_PIXELS) < 0)
		return -1;
	if (j.precision && j.precision != 8)
		return cf_err_set(p->err, CF_EINPUT, "'%s': unsupported %u-bit JPEG", path,
				  j.precision);
	if (!ok)
		return cf_err_set(p->err, CF_EINPUT, "'%s': corrupt JPEG: %s", path, msg);
	/*
	 * A truncated file is refused without decoding: the entropy-coded data
	 * cannot contain FF D9 (FF is stuffed as FF 00), so the end-of-image
	 * marker after the scan header proves the data is complete.
	 */
	if (j.scan >= n || memmem(b + j.scan, n - j.scan, "\xFF\xD9", 2) == NULL)
		return cf_err_set(p->err, CF_EINPUT, "'%s': corrupt JPEG: truncated", path);
	cs = j.components == 1 ? "DeviceGray" : j.components == 3 ? "DeviceRGB" :
	     j.components == 4 ? "DeviceCMYK" : NULL;
	if (cs == NULL)
		return cf_err_set(p->err, CF_EINPUT, "'%s': unsupported JPEG with %u components",
				  path, j.components);
	if ((d = haru_jpeg_dict(p, path, j.width, j.height, cs, j.components == 4 && j.adobe)) == NULL)
		return -1;
	if (orientation == 0) {
		imgmeta_exif(b, n, &x, NULL, NULL);
		orientation = x.orientation;
	}
	*out = image_new(p, d, j.width, j.height, orientation);
	return 0;
}

/* Blend RGBA onto white into RGB, in place. */
static void
rgba_to_rgb(unsigned char *row, unsigned w)
{
	unsigned i;

	for (i = 0; i < w; i++) {
		unsigned a = row[4 * i + 3], k;

		for (k = 0; k < 3; k++)
			row[3 * i + k] = (unsigned char)((row[4 * i + k] * a + 255 * (255 - a) + 127) / 255);
	}
}

struct png_err {
	jmp_buf jb;
	char msg[200];
};

static void
png_on_error(png_structp png, png_const_charp msg)
{
	struct png_err *e = png_get_error_ptr(png);

	snprintf(e->msg, sizeof(e->msg), "%s", msg);
	longjmp(e->jb, 1);
}

static void
png_on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

#define INTERLACED_PNG_MAX_PIXELS (16u * 1000u * 1000u)

/*
 * libpng reports errors by longjmp; that stays inside this function (our
 * own jmp_buf, nothing of libharu's in flight between setjmp and longjmp
 * except the image stream, which is dropped as unreferenced on failure).
 */
static int
load_png(struct pdf *p, const char *path, FILE *f, int orientation,
	 struct pdf_image **out)
{
	struct png_err pe;
	png_structp png = NULL;
	png_infop info = NULL;
	unsigned char *volatile rows = NULL;
	png_bytep *volatile rowp = NULL;
	struct zsink *volatile zs = NULL;
	volatile int zinit = 0, ret = -1;
	png_uint_32 w, h, y;
	int interlace, passes;
	HPDF_Dict volatile d = NULL;

	pe.msg[0] = '\0';
	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &pe, png_on_error,
				     png_on_warning);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL) {
		cf_err_set(p->err, CF_EPDF, "cannot start libpng");
		goto out;
	}
	if (setjmp(pe.jb)) {
		cf_err_set(p->err, CF_EINPUT, "'%s': corrupt PNG: %s", path, pe.msg);
		goto out;
	}
	png_set_user_limits(png, 100000, 100000);
	png_init_io(png, f);
	png_read_info(png, info);
	w = png_get_image_width(png, info);
	h = png_get_image_height(png, info);
	interlace = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
	if (too_large(p, path, w, h, interlace ? INTERLACED_PNG_MAX_PIXELS
					       : PDF_IMAGE_MAX_PIXELS) < 0)
		goto out;
	png_set_expand(png);
	png_set_strip_16(png);
	png_set_gray_to_rgb(png);
	png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER);
	passes = png_set_interlace_handling(png);
	png_read_update_info(png, info);
	if (png_get_rowbytes(png, info) != (size_t)w * 4) {
		cf_err_set(p->err, CF_EINPUT, "'%s': unsupported PNG layout", path);
		goto out;
	}
	zs = xmalloc(sizeof(*zs));
	if ((d = haru_raw_image_begin(p, w, h, zs)) == NULL)
		goto out;
	zinit = 1;
	if (passes > 1) {
		rows = xmalloc((size_t)w * 4 * h);
		rowp = xmalloc(sizeof(*rowp) * h);
		for (y = 0; y < h; y++)
			rowp[y] = rows + (size_t)y * w * 4;
		png_read_image(png, rowp);
		for (y = 0; y < h; y++) {
			rgba_to_rgb(rowp[y], w);
			if (haru_zsink_put(p, zs, rowp[y], (size_t)w * 3, Z_NO_FLUSH) < 0)
				goto out;
		}
	} else {
		rows = xmalloc((size_t)w * 4);
		for (y = 0; y < h; y++) {
			png_read_row(png, rows, NULL);
			rgba_to_rgb(rows, w);
			if (haru_zsink_put(p, zs, rows, (size_t)w * 3, Z_NO_FLUSH) < 0)
				goto out;
		}
	}
	if (haru_zsink_put(p, zs, NULL, 0, Z_FINISH) < 0)
		goto out;
	*out = image_new(p, d, w, h, orientation);
	ret = 0;
out:
	if (ret < 0 && zinit)
		haru_orphan_image(d);
	if (zinit)
		deflateEnd(&zs->z);
	free(zs);
	free(rows);
	free(rowp);
	png_destroy_read_struct(png ? &png : NULL, info ? &info : NULL, NULL);
	return ret;
}

static int
load_webp(struct pdf *p, const char *path, const unsigned char *b, size_t n,
	  int orientation, struct pdf_image **out)
{
	int w, h, ret = -1;
	uint8_t *rgb = NULL;
	struct zsink *zs = xmalloc(sizeof(*zs));
	HPDF_Dict d;

	if (!WebPGetInfo(b, n, &w, &h)) {
		cf_err_set(p->err, CF_EINPUT, "'%s': corrupt WebP", path);
		goto out2;
	}
	if (too_large(p, path, (unsigned long)w, (unsigned long)h, PDF_IMAGE_MAX_PIXELS) < 0)
		goto out2;
	if ((rgb = WebPDecodeRGB(b, n, &w, &h)) == NULL) {
		cf_err_set(p->err, CF_EINPUT, "'%s': corrupt WebP: cannot decode", path);
		goto out2;
	}
	if ((d = haru_raw_image_begin(p, (unsigned)w, (unsigned)h, zs)) == NULL)
		goto out2;
	if (haru_zsink_put(p, zs, rgb, (size_t)w * 3 * (size_t)h, Z_FINISH) < 0)
		goto out;
	*out = image_new(p, d, (unsigned)w, (unsigned)h, orientation);
	ret = 0;
out:
	if (ret < 0)
		haru_orphan_image(d);
	deflateEnd(&zs->z);
out2:
	WebPFree(rgb);
	free(zs);
	return ret;
}

int
pdf_image_load(struct pdf *p, const char *path, int orientation,
	       struct pdf_image **out, struct cf_err *err)
{
	unsigned char *map = NULL;
	struct stat sb;
	FILE *f = NULL;
	int fd = -1, ret = -1;
	size_t n;

	p->err = err;
	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) < 0) {
		cf_err_errno(err, CF_EIO, "cannot read '%s'", path);
		goto out;
	}
	n = (size_t)sb.st_size;
	if (n < 12) {
		cf_err_set(err, CF_EINPUT, "'%s': not an image (too short)", path);
		goto out;
	}
	map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		map = NULL;
		cf_err_errno(err, CF_EIO, "cannot map '%s'", path);
		goto out;
	}
	if (map[0] == 0xFF && map[1] == 0xD8) {
		ret = load_jpeg(p, path, map, n, orientation, out);
	} else if (memcmp(map, "\x89PNG\r\n\x1a\n", 8) == 0) {
		if ((f = fdopen(fd, "rb")) == NULL) {
			cf_err_errno(err, CF_EIO, "cannot read '%s'", path);
			goto out;
		}
		fd = -1;
		ret = load_png(p, path, f, orientation, out);
	} else if (memcmp(map, "RIFF", 4) == 0 && memcmp(map + 8, "WEBP", 4) == 0) {
		ret = load_webp(p, path, map, n, orientation, out);
	} else {
		cf_err_set(err, CF_EINPUT, "'%s': unsupported image format", path);
	}
out:
	if (ret < 0)
		HPDF_ResetError(p->doc), p->herr = 0;
	if (map)
		munmap(map, n);
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	return ret;
}

void
pdf_image_size(const struct pdf_image *img, unsigned *w, unsigned *h)
{
	int swap = img->orientation >= 5;

	*w = swap ? img->h : img->w;
	*h = swap ? img->w : img->h;
}

int
pdf_image_place(struct pdf *p, struct pdf_image *img, double max_h,
		struct cf_err *err)
{
	unsigned dw, dh;
	double W, H, scale, x, y, m[6];
	double cw = pdf_content_width(p);

	p->err = err;
	pdf_image_size(img, &dw, &dh);
	if (max_h > PDF_PAGE_H - 2 * PDF_MARGIN)
		max_h = PDF_PAGE_H - 2 * PDF_MARGIN;
	scale = cw / dw;
	if (dh * scale > max_h)
		scale = max_h / dh;
	W = dw * scale;
	H = dh * scale;
	if (pdf_need(p, H, err) < 0)
		return -1;
	x = PDF_MARGIN + p->indent + (cw - W) / 2;
	y = p->y - H;
	switch (img->orientation) {
	case 2: m[0] = -W; m[1] = 0; m[2] = 0; m[3] = H; m[4] = x + W; m[5] = y; break;
	case 3: m[0] = -W; m[1] = 0; m[2] = 0; m[3] = -H; m[4] = x + W; m[5] = y + H; break;
	case 4: m[0] = W; m[1] = 0; m[2] = 0; m[3] = -H; m[4] = x; m[5] = y + H; break;
	case 5: m[0] = 0; m[1] = -H; m[2] = -W; m[3] = 0; m[4] = x + W; m[5] = y + H; break;
	case 6: m[0] = 0; m[1] = -H; m[2] = W; m[3] = 0; m[4] = x; m[5] = y + H; break;
	case 7: m[0] = 0; m[1] = H; m[2] = W; m[3] = 0; m[4] = x; m[5] = y; break;
	case 8: m[0] = 0; m[1] = H; m[2] = -W; m[3] = 0; m[4] = x + W; m[5] = y; break;
	default: m[0] = W; m[1] = 0; m[2] = 0; m[3] = H; m[4] = x; m[5] = y; break;
	}
	if (haru_chk(p, HPDF_Page_GSave(p->page), "image") < 0 ||
	    haru_chk(p, HPDF_Page_Concat(p->page, (HPDF_REAL)m[0], (HPDF_REAL)m[1],
				     (HPDF_REAL)m[2], (HPDF_REAL)m[3],
				     (HPDF_REAL)m[4], (HPDF_REAL)m[5]), "image") < 0 ||
	    haru_chk(p, HPDF_Page_ExecuteXObject(p->page, img->xobj), "image") < 0 ||
	    haru_chk(p, HPDF_Page_GRestore(p->page), "image") < 0)
		return -1;
	p->y = y;
	return 0;
}

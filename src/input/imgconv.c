/* SPDX-License-Identifier: MIT */
/*
 * imgconv — page images with libvips (see imgconv.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vips/vips.h>

#include "casefile/imgconv.h"
#include "casefile/xalloc.h"

/* libvips' warnings would go to stderr; what matters is returned as errors */
static void
quiet_log(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
	(void)domain;
	(void)level;
	(void)msg;
	(void)data;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int vips_ok;

static void
setup(void)
{
	g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE, quiet_log, NULL);
	if (VIPS_INIT("casefile") == 0) {
		vips_ok = 1;
		vips_cache_set_max(0);
		vips_leak_set(FALSE);
	}
}

int
imgconv_init(struct cf_err *err)
{
	pthread_once(&once, setup);
	if (!vips_ok)
		return cf_err_set(err, CF_EIO, "cannot start libvips: %s", vips_error_buffer());
	return 0;
}

static int
vfail(struct cf_err *err, const char *what)
{
	char *m = xstrdup(vips_error_buffer()), *c;
	size_t n = strlen(m);

	while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
		m[--n] = '\0';
	for (c = m; *c; c++)
		if (*c == '\n')
			*c = ' ';
	vips_error_clear();
	cf_err_set(err, CF_EINPUT, "%s: %s", what, *m ? m : "libvips failed");
	free(m);
	return -1;
}

/* in → 3-band uchar sRGB on white; takes in's reference. */
static VipsImage *
rgb(VipsImage *in)
{
	VipsImage *t = NULL;

	if (vips_image_hasalpha(in)) {
		double white[1] = { 255 };
		VipsArrayDouble *bg = vips_array_double_new(white, 1);
		int r = vips_flatten(in, &t, "background", bg, NULL);

		vips_area_unref(VIPS_AREA(bg));
		g_object_unref(in);
		if (r)
			return NULL;
		in = t;
	}
	if (vips_colourspace(in, &t, VIPS_INTERPRETATION_sRGB, NULL)) {
		g_object_unref(in);
		return NULL;
	}
	g_object_unref(in);
	in = t;
	if (in->Bands > 3) {
		if (vips_extract_band(in, &t, 0, "n", 3, NULL)) {
			g_object_unref(in);
			return NULL;
		}
		g_object_unref(in);
		in = t;
	}
	if (in->BandFmt != VIPS_FORMAT_UCHAR) {
		if (vips_cast(in, &t, VIPS_FORMAT_UCHAR, NULL)) {
			g_object_unref(in);
			return NULL;
		}
		g_object_unref(in);
		in = t;
	}
	return in;
}

/*
 * 1 when path is a JPEG cut short: no end-of-image marker after the scan
 * header (the entropy-coded data cannot hold FF D9), as pdf_image.c judges
 * it.  libvips would decode such a file with grey rows and a warning.
 */
int
imgconv_truncated(const char *path)
{
	unsigned char *m;
	struct stat sb;
	size_t q = 2, n, sos = 0;
	int fd, r = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	if (fstat(fd, &sb) < 0 || sb.st_size < 4 ||
	    (m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		close(fd);
		return 0;
	}
	n = (size_t)sb.st_size;
	if (m[0] == 0xFF && m[1] == 0xD8) {
		while (q + 4 <= n) {
			unsigned mk = m[q + 1], len;

			if (m[q] != 0xFF || mk == 0xFF || mk == 0xD8 || (mk >= 0xD0 && mk <= 0xD7)) {
				q++;
				continue;
			}
			len = (unsigned)m[q + 2] << 8 | m[q + 3];
			if (mk == 0xDA) {
				sos = q;
				break;
			}
			if (len < 2)
				break;
			q += 2 + len;
		}
		r = sos == 0 || memmem(m + sos, n - sos, "\xFF\xD9", 2) == NULL;
	}
	munmap(m, n);
	close(fd);
	return r;
}

static int
save(VipsImage *im, int quality, unsigned char **out, size_t *len, struct cf_err *err)
{
	void *buf = NULL;
	size_t n = 0;

	if (vips_jpegsave_buffer(im, &buf, &n, "Q", quality, "strip", TRUE,
				 "optimize_coding", TRUE, "interlace", FALSE, NULL))
		return vfail(err, "cannot encode JPEG");
	*out = xmemdup(buf, n);
	*len = n;
	g_free(buf);
	return 0;
}

int
imgconv_fit_jpeg(const char *path, int max_w, int max_h, int quality,
		 unsigned char **out, size_t *len, int *w, int *h, struct cf_err *err)
{
	VipsImage *hdr, *t = NULL;
	int ret, vector, r;
	char *opath;

	*out = NULL;
	*len = 0;
	if (imgconv_init(err) < 0)
		return -1;
	if ((hdr = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL,
						    "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL)) == NULL)
		return vfail(err, "cannot decode the image");
	if ((long long)hdr->Xsize * hdr->Ysize > IMGCONV_MAX_PIXELS) {
		cf_err_set(err, CF_EINPUT, "image of %dx%d pixels is too large (limit %lld "
			   "megapixels)", hdr->Xsize, hdr->Ysize, IMGCONV_MAX_PIXELS / 1000000);
		g_object_unref(hdr);
		return -1;
	}
	g_object_unref(hdr);
	if (imgconv_truncated(path))
		return cf_err_set(err, CF_EINPUT, "corrupt JPEG: truncated");
	/* a PDF page is vector: rendered at the box's size (poppler), photos only shrink */
	{
		const char *ld = vips_foreign_find_load(path);

		vector = ld && (strstr(ld, "Pdf") != NULL || strstr(ld, "pdf") != NULL);
	}
	/* "[fail_on=truncated]": a cut-off file is an error, not grey rows */
	opath = xasprintf("%s[fail_on=truncated]", path);
	r = vips_thumbnail(opath, &t, max_w, "height", max_h, "size",
			   vector ? VIPS_SIZE_BOTH : VIPS_SIZE_DOWN, NULL);
	free(opath);
	if (r)
		return vfail(err, "cannot decode the image");
	if ((t = rgb(t)) == NULL)
		return vfail(err, "cannot convert the image");
	*w = t->Xsize;
	*h = t->Ysize;
	ret = save(t, quality, out, len, err);
	g_object_unref(t);
	return ret;
}

int
imgconv_frames_jpeg(const struct frames *f, int gap, int quality, unsigned char **out,
		    size_t *len, struct cf_err *err)
{
	VipsImage **cells, *o = NULL;
	double white[3] = { 255, 255, 255 };
	VipsArrayDouble *bg;
	size_t i;
	int ret = -1, r;

	*out = NULL;
	*len = 0;
	if (imgconv_init(err) < 0)
		return -1;
	if (f->n == 0)
		return cf_err_set(err, CF_EINPUT, "no frames");
	cells = xcalloc(f->n, sizeof(*cells));
	for (i = 0; i < f->n; i++) {
		cells[i] = vips_image_new_from_memory_copy(f->v[i].rgb,
							   (size_t)f->v[i].w * f->v[i].h * 3,
							   f->v[i].w, f->v[i].h, 3, VIPS_FORMAT_UCHAR);
		if (cells[i] == NULL)
			goto vips;
		cells[i]->Type = VIPS_INTERPRETATION_sRGB;
	}
	bg = vips_array_double_new(white, 3);
	r = vips_arrayjoin(cells, &o, (int)f->n, "across", 2, "shim", gap, "background", bg,
			   "halign", VIPS_ALIGN_CENTRE, "valign", VIPS_ALIGN_CENTRE, NULL);
	vips_area_unref(VIPS_AREA(bg));
	if (r)
		goto vips;
	ret = save(o, quality, out, len, err);
	goto out;
vips:
	vfail(err, "cannot compose the frames");
out:
	if (o)
		g_object_unref(o);
	for (i = 0; i < f->n; i++)
		if (cells[i])
			g_object_unref(cells[i]);
	free(cells);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * pack_card — render one evidence card from its spec (pack.h) with
 * libvips: title, content (photos, video frames, chat or logistics lines,
 * or a note), a caption band with the facts, and a QR code (libqrencode)
 * of the same facts.  Layout, in units of the card width W (s = W/1080):
 *
 *   +------------------------------------------+
 *   | title (bold, 34s px)                     |
 *   | content, W - 2*margin wide               |
 *   |------------------------------------------|
 *   | caption lines (22s px)       |  QR code  |
 *   +------------------------------------------+
 *
 * Determinism: every size is an integer function of W; text goes through
 * Pango with the font given by file; the JPEG is written without metadata
 * (strip) with fixed Huffman optimisation and chroma subsampling, so the
 * same spec, originals and libraries give the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>
#include <vips/vips.h>

#include "casefile/buf.h"
#include "casefile/frames.h"
#include "casefile/imgconv.h"
#include "casefile/pack.h"
#include "casefile/version.h"
#include "casefile/xalloc.h"

/* ---- libvips setup ---- */

/*
 * libvips is started once per process by imgconv_init() (the same library
 * renders the dossier's images); cards add their own thread count.
 */
int
pack_vips_init(struct cf_err *err)
{
	if (imgconv_init(err) < 0)
		return -1;
	vips_concurrency_set(2);
	return 0;
}

/* ---- a little frame of owned images ---- */

struct pool {
	VipsImage **v;
	size_t n;
};

static VipsImage *
keep(struct pool *p, VipsImage *im)
{
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	p->v[p->n++] = im;
	return im;
}

static void
pool_release(struct pool *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (p->v[i])
			g_object_unref(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static int
vfail(struct cf_err *err, const char *what)
{
	char *m = xstrdup(vips_error_buffer());
	size_t n = strlen(m);

	while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
		m[--n] = '\0';
	for (char *c = m; *c; c++)
		if (*c == '\n')
			*c = ' ';
	vips_error_clear();
	cf_err_set(err, CF_EINPUT, "%s: %s", what, *m ? m : "libvips failed");
	free(m);
	return -1;
}

/* A solid w x h sRGB image of colour rgb (0xRRGGBB). */
static VipsImage *
solid(struct pool *p, int w, int h, unsigned rgb)
{
	VipsImage *b = NULL, *l = NULL, *c = NULL;
	double a[3] = { 0, 0, 0 };
	double k[3] = { (rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255 };

	if (vips_black(&b, w, h, "bands", 3, NULL) ||
	    vips_linear(b, &l, a, k, 3, NULL) ||
	    vips_cast(l, &c, VIPS_FORMAT_UCHAR, NULL)) {
		if (b) g_object_unref(b);
		if (l) g_object_unref(l);
		return NULL;
	}
	g_object_unref(b);
	g_object_unref(l);
	c->Type = VIPS_INTERPRETATION_sRGB;
	return keep(p, c);
}

/* Any image → 3-band uchar sRGB, alpha flattened on white. */
static VipsImage *
to_rgb(struct pool *p, VipsImage *in)
{
	VipsImage *x = in, *t = NULL;

	if (vips_image_hasalpha(x)) {
		double white[1] = { 255 };
		VipsArrayDouble *bg = vips_array_double_new(white, 1);

		if (vips_flatten(x, &t, "background", bg, NULL)) {
			vips_area_unref(VIPS_AREA(bg));
			return NULL;
		}
		vips_area_unref(VIPS_AREA(bg));
		x = keep(p, t);
	}
	if (vips_colourspace(x, &t, VIPS_INTERPRETATION_sRGB, NULL))
		return NULL;
	x = keep(p, t);
	if (x->Bands > 3) {
		if (vips_extract_band(x, &t, 0, "n", 3, NULL))
			return NULL;
		x = keep(p, t);
	}
	if (x->BandFmt != VIPS_FORMAT_UCHAR) {
		if (vips_cast(x, &t, VIPS_FORMAT_UCHAR, NULL))
			return NULL;
		x = keep(p, t);
	}
	return x;
}

/*
 * Pango markup rendered at px pixels, wrapped at width, over colour bg,
 * padded by pad on every side.  NULL on failure (vips error set).
 */
static VipsImage *
text_block(struct pool *p, const char *font_file, const char *markup, int px,
	   int width, int pad, unsigned bg, VipsAlign align)
{
	VipsImage *t = NULL, *back, *c = NULL, *r;
	char font[64];

	snprintf(font, sizeof(font), "WenQuanYi Micro Hei %d", px);
	/*
	 * libvips 8.14 keys its process-wide table of loaded font files by the
	 * operation's own copy of the name, freed with the operation (a
	 * use-after-free on the next lookup): name the file once, on the first
	 * text of the process; fontconfig knows the font from then on.
	 */
	static const char *registered;
	const char *ff = registered == NULL || strcmp(registered, font_file) != 0 ? font_file : NULL;

	if (ff)
		registered = g_intern_string(font_file);
	if (vips_text(&t, markup, "font", font, "fontfile", ff, "width", width,
		      "dpi", 72, "rgba", TRUE, "align", align, "spacing", px / 3,
		      "wrap", VIPS_TEXT_WRAP_WORD_CHAR, NULL))
		return NULL;
	keep(p, t);
	if ((back = solid(p, t->Xsize + 2 * pad, t->Ysize + 2 * pad, bg)) == NULL)
		return NULL;
	if (vips_composite2(back, t, &c, VIPS_BLEND_MODE_OVER, "x", pad, "y", pad, NULL))
		return NULL;
	keep(p, c);
	r = to_rgb(p, c);
	return r;
}

/*
 * Stack n images vertically (across 1) or side by side (across n), gap px
 * apart, aligned by align along the other axis, on white.  vips_join keeps
 * each image's own size (vips_arrayjoin would give every cell the largest).
 */
static VipsImage *
join(struct pool *p, VipsImage **v, int n, int across, int gap, VipsAlign halign,
     VipsAlign valign)
{
	VipsImage *acc = v[0], *o;
	double white[3] = { 255, 255, 255 };
	VipsArrayDouble *bg = vips_array_double_new(white, 3);
	VipsDirection dir = across == 1 && n > 1 ? VIPS_DIRECTION_VERTICAL
						 : VIPS_DIRECTION_HORIZONTAL;
	int i;

	for (i = 1; i < n; i++) {
		o = NULL;
		if (vips_join(acc, v[i], &o, dir, "expand", TRUE, "shim", gap, "background", bg,
			      "align", dir == VIPS_DIRECTION_VERTICAL ? halign : valign, NULL)) {
			vips_area_unref(VIPS_AREA(bg));
			return NULL;
		}
		acc = keep(p, o);
	}
	vips_area_unref(VIPS_AREA(bg));
	return acc;
}

/*
 * im with a centred label (markup, px high, width wide, on white) under it,
 * pad pixels around the label and between the two; NULL on a libvips error.
 */
static VipsImage *
labelled(struct pool *p, const char *font_file, VipsImage *im, const char *markup, int px,
	 int width, int pad)
{
	VipsImage *col[2];

	col[0] = im;
	if ((col[1] = text_block(p, font_file, markup, px, width, pad, 0xffffff,
				 VIPS_ALIGN_CENTRE)) == NULL)
		return NULL;
	return join(p, col, 2, 1, pad, VIPS_ALIGN_CENTRE, VIPS_ALIGN_LOW);
}

/* Centre im on a w x h canvas of colour bg (im must fit). */
static VipsImage *
frame_to(struct pool *p, VipsImage *im, int w, int h, unsigned bg)
{
	VipsImage *o = NULL;
	double c[3] = { (bg >> 16) & 255, (bg >> 8) & 255, bg & 255 };
	VipsArrayDouble *a = vips_array_double_new(c, 3);

	if (vips_gravity(im, &o, VIPS_COMPASS_DIRECTION_CENTRE, w, h,
			 "extend", VIPS_EXTEND_BACKGROUND, "background", a, NULL)) {
		vips_area_unref(VIPS_AREA(a));
		return NULL;
	}
	vips_area_unref(VIPS_AREA(a));
	return keep(p, o);
}

/* ---- spec access ---- */

static const char *
sget(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static long long
iget(const json_t *o, const char *k, long long dflt)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

static char *
esc(const char *s)
{
	gchar *g = g_markup_escape_text(s, -1);
	char *r = xstrdup(g);

	g_free(g);
	return r;
}

static VipsImage *
qr_image(struct pool *p, const char *text, int side, struct cf_err *err)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int quiet = 2, n, mod, x, y, full;
	unsigned char *buf;
	VipsImage *im, *rgb = NULL;

	if (q == NULL) {
		cf_err_set(err, CF_EINPUT, "QR payload too long (%zu bytes)", strlen(text));
		return NULL;
	}
	n = q->width + 2 * quiet;
	mod = side / n;
	if (mod < 2)
		mod = 2;
	full = n * mod;
	buf = xmalloc((size_t)full * full);
	memset(buf, 255, (size_t)full * full);
	for (y = 0; y < q->width; y++)
		for (x = 0; x < q->width; x++)
			if (q->data[y * q->width + x] & 1)
				for (int dy = 0; dy < mod; dy++)
					memset(buf + (size_t)((y + quiet) * mod + dy) * full +
					       (size_t)(x + quiet) * mod, 0, (size_t)mod);
	QRcode_free(q);
	im = vips_image_new_from_memory_copy(buf, (size_t)full * full, full, full, 1,
					     VIPS_FORMAT_UCHAR);
	free(buf);
	if (im == NULL) {
		vfail(err, "cannot make the QR code");
		return NULL;
	}
	keep(p, im);
	{
		VipsImage *bands[3] = { im, im, im };

		if (vips_bandjoin(bands, &rgb, 3, NULL)) {
			vfail(err, "cannot make the QR code");
			return NULL;
		}
	}
	rgb->Type = VIPS_INTERPRETATION_sRGB;
	return keep(p, rgb);
}

/* ---- content ---- */

/* One source image fitted into w x h; photo bombs refused. */
static VipsImage *
photo_cell(struct pool *p, const char *path, const json_t *src, int w, int h,
	   struct cf_err *err)
{
	VipsImage *hdr, *t = NULL, *r;
	char *opath;
	int rc;

	if ((hdr = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL,
						    "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL)) == NULL) {
		vfail(err, "cannot decode the image");
		return NULL;
	}
	if ((long long)hdr->Xsize * hdr->Ysize > PACK_MAX_PIXELS) {
		cf_err_set(err, CF_EINPUT, "image of %dx%d pixels is too large (limit %lld "
			   "megapixels)", hdr->Xsize, hdr->Ysize, PACK_MAX_PIXELS / 1000000);
		g_object_unref(hdr);
		return NULL;
	}
	g_object_unref(hdr);
	(void)src;
	if (imgconv_truncated(path)) {
		cf_err_set(err, CF_EINPUT, "cannot decode the image: corrupt JPEG: truncated");
		return NULL;
	}
	/* thumbnail: shrink-on-load (JPEG, HEIC, PDF page), EXIF rotation */
	opath = xasprintf("%s[fail_on=truncated]", path);
	rc = vips_thumbnail(opath, &t, w, "height", h, "size", VIPS_SIZE_DOWN, NULL);
	free(opath);
	if (rc) {
		vfail(err, "cannot decode the image");
		return NULL;
	}
	keep(p, t);
	if ((r = to_rgb(p, t)) == NULL)
		vfail(err, "cannot convert the image");
	return r;
}

static int
content_photo(struct pool *p, const json_t *spec, const char *font_file,
	      pack_locate_fn locate, void *cookie, int cw, int s1000,
	      VipsImage **out, struct cf_err *err)
{
	const json_t *srcs = json_object_get(spec, "sources"), *src;
	size_t i, k = json_array_size(srcs);
	int gap = 16 * s1000 / 1000, ww, hh;
	VipsImage **cells;
	int ret = -1;

	if (k == 0)
		return cf_err_set(err, CF_EINPUT, "card has no source");
	ww = (cw - (int)(k - 1) * gap) / (int)k;
	hh = k == 1 ? cw * 3 / 4 : cw * 2 / 3;
	cells = xcalloc(k, sizeof(*cells));
	json_array_foreach(srcs, i, src) {
		char *path = locate(cookie, sget(src, "sha256"));
		VipsImage *im;
		char *m, *e;

		if (path == NULL) {
			cf_err_set(err, CF_EINPUT, "exhibit %lld: original %.16s… not found",
				   iget(src, "exhibit", 0), sget(src, "sha256"));
			goto out;
		}
		im = photo_cell(p, path, src, ww, hh, err);
		free(path);
		if (im == NULL) {
			cf_err_prefix(err, "exhibit %lld '%s'", iget(src, "exhibit", 0),
				      sget(src, "name"));
			goto out;
		}
		if ((im = frame_to(p, im, ww, im->Ysize, 0xffffff)) == NULL)
			goto vips;
		e = esc(sget(src, "name"));
		m = xasprintf("<b>证据%lld</b>  %s", iget(src, "exhibit", 0), e);
		cells[i] = labelled(p, font_file, im, m, 24 * s1000 / 1000, ww, 4);
		free(m);
		free(e);
		if (cells[i] == NULL)
			goto vips;
	}
	if ((*out = join(p, cells, (int)k, (int)k, gap, VIPS_ALIGN_LOW, VIPS_ALIGN_LOW)) == NULL)
		goto vips;
	ret = 0;
	goto out;
vips:
	vfail(err, "cannot compose the card");
out:
	free(cells);
	return ret;
}

static int
content_frames(struct pool *p, const json_t *spec, const char *font_file,
	       pack_locate_fn locate, void *cookie, int cw, int s1000,
	       VipsImage **out, struct cf_err *err)
{
	const json_t *src = json_array_get(json_object_get(spec, "sources"), 0);
	struct frames fr;
	int gap = 12 * s1000 / 1000, n = (int)iget(src, "frames", 4), ww, hh, ret = -1;
	char *path;
	VipsImage **cells = NULL;
	size_t i;

	if (src == NULL)
		return cf_err_set(err, CF_EINPUT, "card has no source");
	if ((path = locate(cookie, sget(src, "sha256"))) == NULL)
		return cf_err_set(err, CF_EINPUT, "exhibit %lld: original not found",
				  iget(src, "exhibit", 0));
	ww = (cw - gap) / 2;
	hh = ww * 9 / 16;
	if (frames_extract(path, n, ww, hh, &fr, err) < 0) {
		free(path);
		cf_err_prefix(err, "exhibit %lld '%s'", iget(src, "exhibit", 0), sget(src, "name"));
		return -1;
	}
	free(path);
	cells = xcalloc(fr.n, sizeof(*cells));
	for (i = 0; i < fr.n; i++) {
		VipsImage *im;
		char *m;

		im = vips_image_new_from_memory_copy(fr.v[i].rgb, (size_t)fr.v[i].w * fr.v[i].h * 3,
						     fr.v[i].w, fr.v[i].h, 3, VIPS_FORMAT_UCHAR);
		if (im == NULL)
			goto vips;
		keep(p, im);
		im->Type = VIPS_INTERPRETATION_sRGB;
		if ((im = frame_to(p, im, ww, hh, 0x000000)) == NULL)
			goto vips;
		m = xasprintf("<b>%02lld:%02lld.%01lld</b>%s", fr.v[i].ms / 60000,
			      fr.v[i].ms / 1000 % 60, fr.v[i].ms / 100 % 10,
			      i == 0 ? "  首帧" : i + 1 == fr.n ? "  末帧" : "");
		cells[i] = labelled(p, font_file, im, m, 22 * s1000 / 1000, ww, 2);
		free(m);
		if (cells[i] == NULL)
			goto vips;
	}
	/* two a row */
	{
		VipsImage *rows[8];
		int nr = 0;

		for (i = 0; i < fr.n && nr < 8; i += 2) {
			rows[nr] = i + 1 < fr.n ? join(p, cells + i, 2, 2, gap, VIPS_ALIGN_LOW,
						       VIPS_ALIGN_LOW) : cells[i];
			if (rows[nr++] == NULL)
				goto vips;
		}
		if ((*out = join(p, rows, nr, 1, gap, VIPS_ALIGN_LOW, VIPS_ALIGN_LOW)) == NULL)
			goto vips;
	}
	ret = 0;
	goto out;
vips:
	vfail(err, "cannot compose the card");
out:
	free(cells);
	frames_release(&fr);
	return ret;
}

/* Chat: bubbles (buyer left, grey; merchant right, green); logistics: rows. */
/* im extended on the right to w pixels of colour bg. */
static VipsImage *
widen(struct pool *p, VipsImage *im, int w, unsigned bg)
{
	VipsImage *o = NULL;
	double c[3] = { (bg >> 16) & 255, (bg >> 8) & 255, bg & 255 };
	VipsArrayDouble *a = vips_array_double_new(c, 3);
	int r = vips_embed(im, &o, 0, 0, w, im->Ysize, "extend", VIPS_EXTEND_BACKGROUND,
			   "background", a, NULL);

	vips_area_unref(VIPS_AREA(a));
	return r ? NULL : keep(p, o);
}

/*
 * An image sent in the chat, under its message's text in the bubble: the
 * original (a source of the card) fitted into a third of the card width,
 * on the bubble's colour.  NULL with err set when it cannot be shown.
 */
static VipsImage *
chat_image(struct pool *p, const json_t *im, pack_locate_fn locate, void *cookie, int cw,
	   int pad, unsigned bg, struct cf_err *err)
{
	char *path = locate(cookie, sget(im, "sha256"));
	VipsImage *t;

	if (path == NULL) {
		cf_err_set(err, CF_EINPUT, "exhibit %lld: original %.16s… not found",
			   iget(im, "exhibit", 0), sget(im, "sha256"));
		return NULL;
	}
	t = photo_cell(p, path, im, cw / 3, cw / 3, err);
	free(path);
	if (t == NULL) {
		cf_err_prefix(err, "exhibit %lld '%s'", iget(im, "exhibit", 0), sget(im, "name"));
		return NULL;
	}
	return frame_to(p, t, t->Xsize + 2 * pad, t->Ysize + pad, bg);
}

static int
content_lines(struct pool *p, const json_t *spec, const char *font_file,
	      pack_locate_fn locate, void *cookie, int cw, int s1000, int chat,
	      VipsImage **out, struct cf_err *err)
{
	const json_t *lines = json_object_get(spec, "lines"), *ln;
	size_t i, k = json_array_size(lines);
	VipsImage **rows;
	int px = 24 * s1000 / 1000, ret = -1;

	if (k == 0)
		return cf_err_set(err, CF_EINPUT, "card has no lines");
	rows = xcalloc(k, sizeof(*rows));
	json_array_foreach(lines, i, ln) {
		const char *who = sget(ln, "who");
		int mark = json_is_true(json_object_get(ln, "mark"));
		int mine = chat && (strcmp(who, "商家") == 0 || strcmp(who, "客服") == 0);
		char *ew = esc(who), *et = esc(sget(ln, "time")), *ex = esc(sget(ln, "text"));
		char *m;
		VipsImage *b;
		unsigned bg;

		if (chat)
			m = xasprintf("<span foreground=\"#555555\"><b>%s</b>  %s</span>\n%s%s%s",
				      ew, et, mark ? "<b>" : "", ex, mark ? "</b>" : "");
		else
			m = xasprintf("%s<span foreground=\"#555555\">%s</span>  <b>%s</b>  %s%s",
				      mark ? "<span foreground=\"#b00000\">" : "", et, ew, ex,
				      mark ? "</span>" : "");
		bg = chat ? (mine ? 0xd9f7be : 0xeeeeee) : (mark ? 0xfff1b8 : 0xffffff);
		b = text_block(p, font_file, m, px, chat ? cw * 3 / 4 : cw - 2 * px / 2, px / 2,
			       bg, VIPS_ALIGN_LOW);
		free(m);
		free(ew);
		free(et);
		free(ex);
		if (b == NULL)
			goto vips;
		if (chat && json_is_object(json_object_get(ln, "image"))) {
			VipsImage *col[2], *th;

			if ((th = chat_image(p, json_object_get(ln, "image"), locate, cookie, cw,
					     px / 2, bg, err)) == NULL)
				goto out;
			/* one bubble: text and image widened to the wider, on its colour */
			{
				int bw = b->Xsize > th->Xsize ? b->Xsize : th->Xsize;

				if ((col[0] = widen(p, b, bw, bg)) == NULL ||
				    (col[1] = widen(p, th, bw, bg)) == NULL ||
				    (b = join(p, col, 2, 1, 0, VIPS_ALIGN_LOW, VIPS_ALIGN_LOW)) == NULL)
					goto vips;
			}
		}
		if (chat) {
			VipsImage *o = NULL;
			double white[3] = { 255, 255, 255 };
			VipsArrayDouble *a = vips_array_double_new(white, 3);
			int r = vips_embed(b, &o, mine ? cw - b->Xsize : 0, 0, cw, b->Ysize,
					   "extend", VIPS_EXTEND_BACKGROUND, "background", a, NULL);

			vips_area_unref(VIPS_AREA(a));
			if (r)
				goto vips;
			b = keep(p, o);
		}
		rows[i] = b;
	}
	if ((*out = join(p, rows, (int)k, 1, chat ? px / 2 : 2, VIPS_ALIGN_LOW,
			 VIPS_ALIGN_LOW)) == NULL)
		goto vips;
	ret = 0;
	goto out;
vips:
	vfail(err, "cannot compose the card");
out:
	free(rows);
	return ret;
}

/* ---- the card ---- */

static char *
caption_markup(const json_t *spec)
{
	struct cf_buf b = CF_BUF_INIT;
	const json_t *srcs = json_object_get(spec, "sources"), *s, *notes, *n;
	const char *seal = NULL, *tsa = NULL;
	int unsealed = 0;
	size_t i;
	char *e;

	json_array_foreach(srcs, i, s) {
		char *name = esc(sget(s, "name"));

		cf_buf_addf(&b, "<b>证据%lld</b> %s", iget(s, "exhibit", 0), name);
		if (*sget(s, "captured"))
			cf_buf_addf(&b, " · 拍摄 %s", sget(s, "captured"));
		if (*sget(s, "video_created"))
			cf_buf_addf(&b, " · 视频创建 %s", sget(s, "video_created"));
		cf_buf_addf(&b, " · SHA-256 <tt>%.16s</tt>\n", sget(s, "sha256"));
		free(name);
		if (*sget(s, "sealed") == '\0')
			unsealed = 1;
		else if (seal == NULL || strcmp(sget(s, "sealed_utc"), "") > 0) {
			if (seal == NULL || strcmp(sget(s, "sealed"), seal) > 0) {
				seal = sget(s, "sealed");
				tsa = sget(s, "tsa");
			}
		}
	}
	if (unsealed)
		cf_buf_addstr(&b, "<b>尚未封存</b>（原件已入库，下次 seal 后可证明时间）\n");
	else if (seal)
		cf_buf_addf(&b, "封存于 %s · 时间戳 %s\n", seal, tsa && *tsa ? tsa : "无（未配置 TSA）");
	notes = json_object_get(spec, "notes");
	json_array_foreach(notes, i, n) {
		e = esc(json_string_value(n) ? json_string_value(n) : "");
		cf_buf_addf(&b, "<span foreground=\"#b00000\">无法显示：%s</span>\n", e);
		free(e);
	}
	e = esc(sget(spec, "order"));
	cf_buf_addf(&b, "订单 %s · 卷宗 %s · 卡片 %lld/%lld · casefile %s 由封存原件派生",
		    e, sget(spec, "dossier"), iget(spec, "card", 1), iget(spec, "cards", 1),
		    CASEFILE_VERSION);
	free(e);
	return cf_buf_detach(&b, NULL);
}

int
pack_card_render(const json_t *spec, const char *font_file, pack_locate_fn locate,
		 void *cookie, unsigned char **out, size_t *len, struct cf_err *err)
{
	struct pool p = { NULL, 0 };
	const char *layout = sget(spec, "layout");
	int W = (int)iget(spec, "width", 1080), Q = (int)iget(spec, "quality", 85);
	int s1000, margin, cw, qrside, ret = -1;
	VipsImage *title = NULL, *content = NULL, *cap, *qr, *band, *all, *parts[3], *pair[2];
	char *m, *t, *qtext = NULL;
	void *buf = NULL;
	size_t n = 0;

	*out = NULL;
	*len = 0;
	if (pack_vips_init(err) < 0)
		return -1;
	if (W < PACK_MIN_WIDTH || W > 4096 || Q < 1 || Q > 100)
		return cf_err_set(err, CF_EINPUT, "card width %d or quality %d out of range", W, Q);
	s1000 = W * 1000 / 1080;
	margin = 28 * s1000 / 1000;
	cw = W - 2 * margin;
	t = esc(sget(spec, "title"));
	m = xasprintf("<b>%s</b>", t);
	free(t);
	title = text_block(&p, font_file, m, 34 * s1000 / 1000, cw, 0, 0xffffff, VIPS_ALIGN_LOW);
	free(m);
	if (title == NULL)
		goto vips;
	if (strcmp(layout, "photo") == 0) {
		if (content_photo(&p, spec, font_file, locate, cookie, cw, s1000, &content, err) < 0)
			goto out;
	} else if (strcmp(layout, "frames") == 0) {
		if (content_frames(&p, spec, font_file, locate, cookie, cw, s1000, &content, err) < 0)
			goto out;
	} else if (strcmp(layout, "chat") == 0 || strcmp(layout, "logistics") == 0) {
		if (content_lines(&p, spec, font_file, locate, cookie, cw, s1000, layout[0] == 'c',
				  &content, err) < 0)
			goto out;
	} else if (strcmp(layout, "note") == 0) {
		content = text_block(&p, font_file,
				     "<span foreground=\"#b00000\"><b>此证据无法在卡片上显示，原因见下方说明；"
				     "原件完整保存在卷宗附件中。</b></span>",
				     28 * s1000 / 1000, cw, 24 * s1000 / 1000, 0xfff1f0,
				     VIPS_ALIGN_CENTRE);
		if (content == NULL)
			goto vips;
	} else {
		cf_err_set(err, CF_EINPUT, "unknown card layout '%s'", layout);
		goto out;
	}
	qrside = 200 * s1000 / 1000;
	m = caption_markup(spec);
	cap = text_block(&p, font_file, m, 21 * s1000 / 1000, cw - qrside - margin, 0, 0xffffff,
			 VIPS_ALIGN_LOW);
	free(m);
	if (cap == NULL)
		goto vips;
	qtext = pack_card_qr_text(spec);
	if ((qr = qr_image(&p, qtext, qrside, err)) == NULL)
		goto out;
	pair[0] = cap;
	pair[1] = qr;
	if ((band = join(&p, pair, 2, 2, margin, VIPS_ALIGN_LOW, VIPS_ALIGN_CENTRE)) == NULL)
		goto vips;
	if ((band = frame_to(&p, band, W, band->Ysize + margin, 0xffffff)) == NULL)
		goto vips;
	parts[0] = title;
	parts[1] = content;
	if ((all = join(&p, parts, 2, 1, margin / 2, VIPS_ALIGN_LOW, VIPS_ALIGN_LOW)) == NULL)
		goto vips;
	if ((all = frame_to(&p, all, W, all->Ysize + 2 * margin, 0xffffff)) == NULL)
		goto vips;
	parts[0] = all;
	if ((parts[1] = solid(&p, cw, 2 > s1000 / 400 ? 2 : s1000 / 400, 0xbbbbbb)) == NULL)
		goto vips;
	parts[2] = band;
	if ((all = join(&p, parts, 3, 1, 0, VIPS_ALIGN_CENTRE, VIPS_ALIGN_LOW)) == NULL)
		goto vips;
	if (vips_jpegsave_buffer(all, &buf, &n, "Q", Q, "strip", TRUE, "optimize_coding", TRUE,
				 "interlace", FALSE, "subsample_mode", VIPS_FOREIGN_SUBSAMPLE_ON,
				 NULL))
		goto vips;
	*out = xmemdup(buf, n);
	*len = n;
	g_free(buf);
	ret = 0;
	goto out;
vips:
	vfail(err, "cannot compose the card");
out:
	free(qtext);
	pool_release(&p);
	return ret;
}

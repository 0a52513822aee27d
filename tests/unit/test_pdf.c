/* SPDX-License-Identifier: MIT */
/*
 * test_pdf — the PDF engine checked with real tools: pdftoppm renderings
 * (composite glyphs: 語 must not look like 吾; 议/证/据 carry as much ink
 * as a FreeType reference rendering of the same font), pdftotext without
 * warnings, pdffonts, pdfdetach, qpdf --check; wrapping rules; images
 * (orientation, PNG/WebP conversion, refusals); attachments stored raw.
 */
#include "testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "casefile/pdf.h"
#include "casefile/xalloc.h"

#define FONT "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

static char *
font_path(void)
{
	struct cf_err err = CF_ERR_INIT;
	char *f = pdf_font_find(NULL, &err);

	assert_non_null(f);
	return f;
}

static struct pdf *
new_doc(void)
{
	struct cf_err err = CF_ERR_INIT;
	struct pdf *p = NULL;
	char *f = font_path();

	assert_int_equal(pdf_new(f, &p, &err), 0);
	free(f);
	assert_int_equal(pdf_page_new(p, &err), 0);
	return p;
}

static void
save(struct pdf *p, const char *path)
{
	struct cf_err err = CF_ERR_INIT;

	if (pdf_save(p, path, NULL, NULL, &err) < 0)
		fail_msg("save: %s", err.msg);
	pdf_free(p);
}

static int
sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int rc;

	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);
	rc = system(cmd);
	free(cmd);
	return rc;
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long sz;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = xmalloc((size_t)sz + 1);
	assert_int_equal(fread(b, 1, (size_t)sz, f), (size_t)sz);
	b[sz] = '\0';
	fclose(f);
	if (n)
		*n = (size_t)sz;
	return b;
}

/* Dark pixels of a binary 8-bit PGM. */
static long
ink(const char *pgm)
{
	size_t n, i = 0;
	char *b = slurp(pgm, &n);
	int fields = 0;
	long dark = 0;

	assert_true(n > 2 && b[0] == 'P' && b[1] == '5');
	i = 2;
	while (fields < 3 && i < n) {	/* width height maxval */
		while (i < n && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t'))
			i++;
		if (b[i] == '#') {
			while (i < n && b[i] != '\n')
				i++;
			continue;
		}
		while (i < n && b[i] >= '0' && b[i] <= '9')
			i++;
		fields++;
	}
	i++;
	for (; i < n; i++)
		if ((unsigned char)b[i] < 128)
			dark++;
	free(b);
	return dark;
}

/* Dominant colour of pixel (x, y) of a binary PPM: 'r', 'g', 'b' or 'w'. */
static int
pixel(const char *ppm, int x, int y)
{
	size_t n;
	char *b = slurp(ppm, &n);
	int w, h, max, off, r, g, bl;
	const unsigned char *px;

	assert_int_equal(sscanf(b, "P6 %d %d %d%n", &w, &h, &max, &off), 3);
	assert_true(x < w && y < h);
	px = (const unsigned char *)b + off + 1 + ((size_t)y * w + x) * 3;
	r = px[0], g = px[1], bl = px[2];
	free(b);
	if (r > 200 && g > 200 && bl > 200)
		return 'w';
	if (r > 150 && g < 80 && bl < 80)
		return 'r';
	if (g > 150 && r < 80 && bl < 80)
		return 'g';
	if (bl > 150 && r < 80 && g < 80)
		return 'b';
	return '?';
}

/* One glyph at 100 pt, top-left, on an otherwise empty page. */
static void
glyph_pdf(const char *path, const char *text)
{
	struct pdf *p = new_doc();
	struct cf_err err = CF_ERR_INIT;

	assert_int_equal(pdf_text(p, text, 100, 0, &err), 0);
	save(p, path);
}

/* 1. composite glyphs survive subsetting (libharu 2.3.0 bug). */
static void
test_composite_glyphs(void **state)
{
	const char *chars[] = { "议", "证", "据", "語" };
	size_t i;
	long a, b;

	(void)state;
	glyph_pdf("yu.pdf", "語");
	glyph_pdf("wu.pdf", "吾");
	assert_int_equal(sh("pdftoppm -gray -r 72 -singlefile yu.pdf yu && "
			    "pdftoppm -gray -r 72 -singlefile wu.pdf wu"), 0);
	assert_int_equal(sh("cmp -s yu.pgm wu.pgm"), 256);	/* they differ */
	a = ink("yu.pgm");
	b = ink("wu.pgm");
	assert_true(a > b);	/* 語 has the 言 radical 吾 lacks */
	for (i = 0; i < sizeof(chars) / sizeof(chars[0]); i++) {
		long got, want;

		glyph_pdf("c.pdf", chars[i]);
		assert_int_equal(sh("pdftoppm -gray -r 72 -singlefile c.pdf c"), 0);
		assert_int_equal(sh("convert -font %s -pointsize 100 -depth 8 label:%s "
				    "pgm:ref.pgm", FONT, chars[i]), 0);
		got = ink("c.pgm");
		want = ink("ref.pgm");
		if (got * 10 < want * 8 || got * 10 > want * 12)
			fail_msg("%s: %ld dark pixels, reference %ld", chars[i], got, want);
	}
}

/* 2. text extraction is exact and warning-free; the font is embedded. */
static void
test_tounicode(void **state)
{
	struct pdf *p = new_doc();
	struct cf_err err = CF_ERR_INIT;
	char *txt;

	(void)state;
	assert_int_equal(pdf_text(p, "收到的杯子有裂痕 Hello, world! 한국어 ABCxyz 0123", 12, 0, &err), 0);
	save(p, "t.pdf");
	assert_int_equal(sh("pdftotext t.pdf t.txt 2>t.err"), 0);
	assert_int_equal(sh("test ! -s t.err"), 0);
	txt = slurp("t.txt", NULL);
	assert_non_null(strstr(txt, "收到的杯子有裂痕 Hello, world! 한국어 ABCxyz 0123"));
	free(txt);
	assert_int_equal(sh("pdffonts t.pdf | grep -Eq 'CID TrueType +Identity-H +yes +yes +yes'"), 0);
	assert_int_equal(sh("qpdf --check t.pdf >/dev/null"), 0);
	assert_int_equal(sh("qpdf --qdf --object-streams=disable t.pdf q.pdf && "
			    "grep -aq '/Ordering (UCS)' q.pdf && grep -aq 'beginbf' q.pdf && "
			    "! grep -aq 'begincidrange' q.pdf"), 0);
}

/* 3. non-BMP and missing characters: visible substitute, layout intact. */
static void
test_substitutes(void **state)
{
	struct pdf *p = new_doc();
	struct cf_err err = CF_ERR_INIT;
	char **lines;
	size_t n;
	char *txt;

	(void)state;
	assert_int_equal(pdf_wrap(p, "a😀b𠮷c\xff" "d", 12, 400, &lines, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(lines[0], "a□b□c\xef\xbf\xbd" "d");	/* bad byte: U+FFFD */
	pdf_lines_free(lines, n);
	assert_int_equal(pdf_text(p, "before 😀𠮷 after", 12, 0, &err), 0);
	save(p, "s.pdf");
	assert_int_equal(sh("pdftotext s.pdf s.txt 2>s.err && test ! -s s.err"), 0);
	txt = slurp("s.txt", NULL);
	assert_non_null(strstr(txt, "before □□ after"));
	free(txt);
}

/* 4. wrapping: CJK anywhere, Latin at spaces, long tokens split, margin kept. */
static void
test_wrap(void **state)
{
	struct pdf *p = new_doc();
	struct cf_err err = CF_ERR_INIT;
	char **l;
	size_t n, i;
	double w = 120;

	(void)state;
	assert_int_equal(pdf_wrap(p, "一二三四五六七八九十一二三四五六七八九十", 12, w, &l, &n, &err), 0);
	assert_true(n >= 2);
	for (i = 0; i < n; i++)
		assert_true(pdf_text_width(p, l[i], 12) <= w);
	assert_int_equal(strlen(l[0]) / 3, 10);	/* 10 × 12 pt = 120 */
	pdf_lines_free(l, n);

	assert_int_equal(pdf_wrap(p, "hello wonderful world of words", 12, w, &l, &n, &err), 0);
	for (i = 0; i < n; i++) {
		assert_true(pdf_text_width(p, l[i], 12) <= w);
		assert_true(l[i][0] != ' ' && l[i][strlen(l[i]) - 1] != ' ');
	}
	{
		struct cf_buf b = CF_BUF_INIT;

		for (i = 0; i < n; i++)
			cf_buf_addf(&b, "%s%s", i ? " " : "", l[i]);
		assert_string_equal(b.data, "hello wonderful world of words");
		cf_buf_release(&b);
	}
	assert_true(n >= 2);
	pdf_lines_free(l, n);

	assert_int_equal(pdf_wrap(p, "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
				  12, w, &l, &n, &err), 0);
	assert_string_equal(l[0], "sha256");
	for (i = 0; i < n; i++)
		assert_true(pdf_text_width(p, l[i], 12) <= w);
	assert_true(n >= 4);
	pdf_lines_free(l, n);

	/* closing punctuation never starts a line */
	assert_int_equal(pdf_wrap(p, "一二三四五六七八九十，好", 12, w, &l, &n, &err), 0);
	for (i = 0; i < n; i++)
		assert_true(strncmp(l[i], "，", 3) != 0);
	pdf_lines_free(l, n);

	/* mixed text at 9 pt over 200 pt: no line overflows */
	assert_int_equal(pdf_wrap(p, "收到的杯子有裂痕 the cup arrived cracked, 请看 https://example.com/a/b/c?d=1234567890 谢谢",
				  9, 200, &l, &n, &err), 0);
	for (i = 0; i < n; i++)
		assert_true(pdf_text_width(p, l[i], 9) <= 200);
	pdf_lines_free(l, n);
	pdf_free(p);
}

static void
write_bytes(const char *path, const void *b, size_t n)
{
	test_write_file(path, b, n);
}

/* 5. images: JPEG raw, orientation by matrix, PNG/WebP converted, refusals. */
static void
test_images(void **state)
{
	struct pdf *p;
	struct cf_err err = CF_ERR_INIT;
	struct pdf_image *im;
	unsigned w, h;
	/* SOI + SOF0 claiming 20000x20000, nothing else */
	static const unsigned char huge[] = {
		0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x4E, 0x20, 0x4E, 0x20, 0x03,
		1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9,
	};
	size_t jn, pn;
	char *jpg, *pdfb;

	(void)state;
	assert_int_equal(sh("convert -size 400x300 xc:red -fill blue -draw 'rectangle 0,0 199,149' -quality 95 a.jpg && "
			    "convert -size 300x200 xc:lime -depth 16 -interlace PNG a16.png && "
			    "convert -size 64x48 xc:blue -type Palette PNG8:pal.png && "
			    "convert a.jpg a.webp && convert a.jpg -colorspace CMYK cmyk.jpg"), 0);
	write_bytes("huge.jpg", huge, sizeof(huge));
	jpg = slurp("a.jpg", &jn);
	write_bytes("trunc.jpg", jpg, 40);
	write_bytes("junk.png", "\x89PNG\r\n\x1a\nnot really a png at all", 32);

	p = new_doc();
	assert_int_equal(pdf_image_load(p, "huge.jpg", 0, &im, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_non_null(strstr(err.msg, "too large"));
	cf_err_release(&err);
	assert_int_equal(pdf_image_load(p, "trunc.jpg", 0, &im, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	cf_err_release(&err);
	assert_int_equal(pdf_image_load(p, "junk.png", 0, &im, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	cf_err_release(&err);
	/* a PNG cut in its pixel data fails half way through decoding */
	assert_int_equal(sh("convert -size 300x300 xc: +noise Random noise.png && "
			    "head -c $(( $(stat -c %%s noise.png) / 2 )) noise.png > halfpng.png"), 0);
	assert_int_equal(pdf_image_load(p, "halfpng.png", 0, &im, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_non_null(strstr(err.msg, "corrupt PNG"));
	cf_err_release(&err);

	/* orientation read from the JPEG's own EXIF when not given */
	assert_int_equal(sh("cp a.jpg exif8.jpg && exiftool -q -overwrite_original -n "
			    "-Orientation=8 exif8.jpg"), 0);
	assert_int_equal(pdf_image_load(p, "exif8.jpg", 0, &im, &err), 0);
	pdf_image_size(im, &w, &h);
	assert_int_equal(w, 300);
	assert_int_equal(h, 400);
	/* an explicit orientation wins over EXIF */
	assert_int_equal(pdf_image_load(p, "exif8.jpg", 1, &im, &err), 0);
	pdf_image_size(im, &w, &h);
	assert_int_equal(w, 400);

	/* orientation 6: displayed 300x400, the blue corner at top-right */
	assert_int_equal(pdf_image_load(p, "a.jpg", 6, &im, &err), 0);
	pdf_image_size(im, &w, &h);
	assert_int_equal(w, 300);
	assert_int_equal(h, 400);
	assert_int_equal(pdf_image_place(p, im, 400, &err), 0);
	assert_int_equal(pdf_page_new(p, &err), 0);
	assert_int_equal(pdf_image_load(p, "a16.png", 0, &im, &err), 0);
	assert_int_equal(pdf_image_place(p, im, 200, &err), 0);
	assert_int_equal(pdf_image_load(p, "pal.png", 0, &im, &err), 0);
	assert_int_equal(pdf_image_place(p, im, 100, &err), 0);
	assert_int_equal(pdf_image_load(p, "a.webp", 0, &im, &err), 0);
	assert_int_equal(pdf_image_place(p, im, 200, &err), 0);
	assert_int_equal(pdf_page_new(p, &err), 0);
	assert_int_equal(pdf_image_load(p, "cmyk.jpg", 0, &im, &err), 0);
	assert_int_equal(pdf_image_place(p, im, 300, &err), 0);
	save(p, "img.pdf");
	assert_int_equal(sh("qpdf --check img.pdf >/dev/null"), 0);
	/* JPEG embedded byte for byte (no re-encoding) */
	pdfb = slurp("img.pdf", &pn);
	assert_non_null(memmem(pdfb, pn, jpg, jn));
	free(pdfb);
	free(jpg);
	/* page 1 at 72 dpi: image box 300x400 pt at x=(495-300)/2+50, y top 50 */
	assert_int_equal(sh("pdftoppm -r 72 -f 1 -l 1 -singlefile img.pdf p1 && "
			    "pdftoppm -r 72 -f 2 -l 2 -singlefile img.pdf p2"), 0);
	/* top-right blue, top-left red, bottom red */
	assert_int_equal(pixel("p1.ppm", 347, 60), 'b');
	assert_int_equal(pixel("p1.ppm", 157, 60), 'r');
	assert_int_equal(pixel("p1.ppm", 250, 440), 'r');
	/* page 2: the 16-bit interlaced PNG (green) is there */
	assert_int_equal(pixel("p2.ppm", 297, 150), 'g');
}

/* 6. attachments: given names, exact bytes, raw storage, name checks. */
static void
test_attachments(void **state)
{
	struct pdf *p = new_doc();
	struct cf_err err = CF_ERR_INIT;
	size_t n, pn;
	char *big, *pdfb;

	(void)state;
	assert_int_equal(sh("head -c 300000 /dev/urandom > video.mp4 && "
			    "printf '{\"a\":1}' > chat.json && mkdir -p sub"), 0);
	assert_int_equal(pdf_attach_file(p, "E001-video.mp4", "video.mp4", "video/mp4",
					 "证据1", PDF_ATTACH_STORE, &err), 0);
	assert_int_equal(pdf_attach_file(p, "E002-聊天.json", "chat.json", NULL, NULL, 0, &err), 0);
	assert_int_equal(pdf_attach_mem(p, "manifest.json", "{}", 2, "application/json",
					NULL, 0, &err), 0);
	assert_int_equal(pdf_attach_file(p, "../evil", "chat.json", NULL, NULL, 0, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	cf_err_release(&err);
	assert_int_equal(pdf_attach_mem(p, "manifest.json", "{}", 2, NULL, NULL, 0, &err), -1);
	cf_err_release(&err);
	assert_true(pdf_is_compressed(NULL, "x.JPG"));
	assert_false(pdf_is_compressed(NULL, "chat.json"));
	save(p, "att.pdf");
	assert_int_equal(sh("qpdf --check att.pdf >/dev/null"), 0);
	assert_int_equal(sh("pdfdetach -list att.pdf > list.txt 2>list.err && test ! -s list.err && "
			    "grep -q '3 embedded files' list.txt && grep -q 'E002-聊天.json' list.txt"), 0);
	assert_int_equal(sh("cd sub && pdfdetach -saveall ../att.pdf && cmp E001-video.mp4 ../video.mp4 && "
			    "cmp E002-聊天.json ../chat.json && test \"$(cat manifest.json)\" = '{}'"), 0);
	/* the compressed video went in raw (no Flate): its bytes are in the file */
	big = slurp("video.mp4", &n);
	pdfb = slurp("att.pdf", &pn);
	assert_non_null(memmem(pdfb, pn, big, n));
	free(big);
	free(pdfb);
}

/* 7. headers, footers, outlines, info; a failed save leaves nothing. */
static void
decor(void *arg, int page, int npages, struct cf_buf *h, struct cf_buf *fl,
      struct cf_buf *fr)
{
	(void)arg;
	cf_buf_addstr(h, "青瓷小铺 · 6931000000000001");
	cf_buf_addf(fl, "CF-6931000000000001-%04d", page);
	cf_buf_addf(fr, "第 %d 页 / 共 %d 页", page, npages);
}

static int
refuse(void *arg, const char *tmp, const char *out, struct cf_err *err)
{
	(void)arg;
	assert_int_equal(access(tmp, R_OK), 0);
	assert_string_equal(out, "out.pdf");
	assert_int_equal(access(out, F_OK), -1);
	return cf_err_set(err, CF_ECRYPTO, "signing refused");
}

static int
copy_hook(void *arg, const char *tmp, const char *out, struct cf_err *err)
{
	char cmd[512];

	(void)arg;
	(void)err;
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", tmp, out);
	assert_int_equal(sh(cmd), 0);
	return 0;
}

static void
test_document(void **state)
{
	struct pdf *p = new_doc();
	struct cf_err err = CF_ERR_INIT;
	int sec, i;
	char *txt;

	(void)state;
	pdf_set_decor(p, decor, NULL);
	assert_int_equal(pdf_set_info(p, "仲裁举证材料", "青瓷小铺", "订单 6931", 1746237600,
				      8 * 3600, &err), 0);
	assert_int_equal(pdf_outline_add(p, 0, "证据", &sec, &err), 0);
	for (i = 0; i < 120; i++) {
		char line[64];

		if (i % 40 == 0) {
			snprintf(line, sizeof(line), "证据%d", i / 40 + 1);
			assert_int_equal(pdf_outline_add(p, sec, line, NULL, &err), 0);
		}
		snprintf(line, sizeof(line), "第 %d 行 line %d", i, i);
		assert_int_equal(pdf_text(p, line, 12, 0, &err), 0);
	}
	assert_true(pdf_page_count(p) >= 2);
	save(p, "doc.pdf");
	assert_int_equal(sh("pdfinfo doc.pdf > info.txt"), 0);
	txt = slurp("info.txt", NULL);
	assert_non_null(strstr(txt, "Title:           仲裁举证材料"));
	assert_non_null(strstr(txt, "Author:          青瓷小铺"));
	assert_non_null(strstr(txt, "Pages:           3"));
	free(txt);
	assert_int_equal(sh("pdftotext -layout doc.pdf doc.txt 2>d.err && test ! -s d.err && "
			    "grep -q 'CF-6931000000000001-0003' doc.txt && grep -Eq '第 ?3 ?页 ?/ ?共 ?3 ?页' doc.txt"), 0);
	assert_int_equal(sh("qpdf --json doc.pdf > doc.json && grep -c '\"title\": \"证据[0-9]\"' doc.json | grep -qx 6"), 0);

	/* a save that fails (hook refuses, missing dir) leaves no file */
	p = new_doc();
	assert_int_equal(pdf_save(p, "out.pdf", refuse, NULL, &err), -1);
	assert_int_equal(err.code, CF_ECRYPTO);
	cf_err_release(&err);
	pdf_free(p);
	assert_int_equal(sh("test ! -e out.pdf && ! ls out.pdf.tmp-* 2>/dev/null"), 0);
	/* a hook that makes the output from the saved PDF (as signing does) */
	p = new_doc();
	assert_int_equal(pdf_save(p, "out.pdf", copy_hook, NULL, &err), 0);
	pdf_free(p);
	assert_int_equal(sh("qpdf --check out.pdf >/dev/null && test \"$(ls | grep -c '^out')\" = 1"), 0);
	p = new_doc();
	assert_int_equal(pdf_save(p, "nodir/out.pdf", NULL, NULL, &err), -1);
	assert_int_equal(err.code, CF_EIO);
	cf_err_release(&err);
	pdf_free(p);
}

/*
 * 9. drawing at absolute positions (charts): a red rectangle where it was
 * asked, a line, text at a baseline aligned left/centre/right with the
 * composite-glyph fix (語 renders like a reference), no page → error.
 */
static void
test_draw(void **state)
{
	static const double red[3] = { 1, 0, 0 };
	struct cf_err err = CF_ERR_INIT;
	struct pdf *p = NULL;
	char *f = font_path(), *txt, *pix;
	double w;

	(void)state;
	assert_int_equal(pdf_new(f, &p, &err), 0);
	assert_int_equal(pdf_rect(p, 0, 0, 10, 10, red, &err), -1);
	assert_int_equal(err.code, CF_EPDF);
	cf_err_release(&err);
	assert_int_equal(pdf_text_at(p, 0, 0, "x", 10, 0, &err), -1);
	cf_err_release(&err);
	assert_int_equal(pdf_line(p, 0, 0, 1, 1, 1, 0, &err), -1);
	cf_err_release(&err);
	assert_int_equal(pdf_page_new(p, &err), 0);
	/* 100x50 pt red box, bottom-left at (100, 600) */
	assert_int_equal(pdf_rect(p, 100, 600, 100, 50, red, &err), 0);
	assert_int_equal(pdf_line(p, 50, 500, 545, 500, 2, 0, &err), 0);
	w = pdf_text_width(p, "right 右", 12);
	assert_true(w > 20);
	assert_int_equal(pdf_text_at(p, 300, 400, "left 左\nnext", 12, 0, &err), 0);
	assert_int_equal(pdf_text_at(p, 300, 380, "centre 中", 12, PDF_TEXT_CENTER, &err), 0);
	assert_int_equal(pdf_text_at(p, 300, 360, "right 右", 12, PDF_TEXT_RIGHT, &err), 0);
	assert_int_equal(pdf_text_at(p, 100, 200, "語", 100, 0, &err), 0);
	/* the cursor did not move: flowing text still starts at the top */
	assert_true(pdf_space_left(p) > PDF_PAGE_H - 2 * PDF_MARGIN - 1);
	save(p, "d.pdf");
	free(f);
	assert_int_equal(sh("qpdf --check d.pdf >/dev/null"), 0);
	assert_int_equal(sh("pdftotext -layout d.pdf d.txt 2>d.err && test ! -s d.err"), 0);
	txt = slurp("d.txt", NULL);
	assert_non_null(strstr(txt, "left 左 next"));	/* '\n' drawn as a space */
	assert_non_null(strstr(txt, "centre 中"));
	assert_non_null(strstr(txt, "right 右"));
	free(txt);
	/* positions: pdftotext -bbox gives x in points from the left */
	assert_int_equal(sh("pdftotext -bbox d.pdf b.html && "
			    "grep -q 'xMin=\"300.000000\"[^>]*>left<' b.html && "
			    "grep -Eq 'xMax=\"(299\\.9|300\\.0)[0-9]*\"[^>]*>右<' b.html"), 0);
	/* 72 dpi: 1 px = 1 pt; y from the top = 842 - 650 = 192 .. 242 */
	assert_int_equal(sh("pdftoppm -r 72 -singlefile d.pdf d && "
			    "convert d.ppm -crop 1x1+150+217 -format '%%[fx:int(255*r)] "
			    "%%[fx:int(255*g)]' info: >px.txt && "
			    "convert d.ppm -crop 1x1+250+217 -format '/%%[fx:int(255*g)]' info: >>px.txt"),
			 0);
	pix = slurp("px.txt", NULL);
	assert_string_equal(pix, "255 0/255");	/* red inside, white beside */
	free(pix);
	/* the line at y 500 (342 from the top) is black */
	assert_int_equal(sh("test \"$(convert d.ppm -crop 1x1+300+342 -format '%%[fx:int(255*r)]' "
			    "info:)\" -lt 60"), 0);
	/* 語 at 100 pt drawn with pdf_text_at carries its 言 radical */
	assert_int_equal(sh("pdftoppm -gray -r 72 -x 100 -y 542 -W 110 -H 120 -singlefile "
			    "d.pdf g && convert -font %s -pointsize 100 -depth 8 label:語 "
			    "pgm:ref.pgm", FONT), 0);
	{
		long got = ink("g.pgm"), want = ink("ref.pgm");

		if (got * 10 < want * 8 || got * 10 > want * 12)
			fail_msg("語: %ld dark pixels, reference %ld", got, want);
	}
}

static void
test_font_find(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct pdf *p = NULL;
	char *f;

	(void)state;
	f = pdf_font_find("/nonexistent", &err);	/* $CASEFILE_FONTS */
	assert_non_null(f);	/* falls back to the Debian path */
	free(f);
	test_write_file("bad.ttf", "not a font at all", 17);
	assert_int_equal(pdf_new("bad.ttf", &p, &err), -1);
	assert_null(p);
	assert_int_equal(err.code, CF_EINPUT);
	assert_non_null(strstr(err.msg, "bad.ttf"));
	cf_err_release(&err);
}

/*
 * 10. a PDF that would pass what a cross-reference table can address (ten
 * digits: issue 19) or a lower limit is refused before anything is
 * written; sparse files, so nothing is read.
 */
static void
test_size_guard(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct pdf *p = new_doc();
	int fd;

	(void)state;
	/* 2 GB files: each may be embedded, five together are too much */
	assert_true((fd = open("a.bin", O_WRONLY | O_CREAT, 0644)) >= 0);
	assert_int_equal(ftruncate(fd, 2000000000), 0);
	close(fd);
	assert_int_equal(symlink("a.bin", "b.bin"), 0);
	assert_int_equal(symlink("a.bin", "c.bin"), 0);
	assert_int_equal(symlink("a.bin", "d.bin"), 0);
	assert_int_equal(symlink("a.bin", "e.bin"), 0);
	assert_int_equal(pdf_attach_file(p, "a.bin", "a.bin", NULL, NULL, PDF_ATTACH_STORE, &err), 0);
	assert_int_equal(pdf_attach_file(p, "b.bin", "b.bin", NULL, NULL, PDF_ATTACH_STORE, &err), 0);
	assert_int_equal(pdf_attach_file(p, "c.bin", "c.bin", NULL, NULL, PDF_ATTACH_STORE, &err), 0);
	assert_int_equal(pdf_attach_file(p, "d.bin", "d.bin", NULL, NULL, PDF_ATTACH_STORE, &err), 0);
	assert_int_equal(pdf_attach_file(p, "e.bin", "e.bin", NULL, NULL, PDF_ATTACH_STORE, &err), 0);
	assert_int_equal(pdf_save(p, "big.pdf", NULL, NULL, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_non_null(strstr(err.msg, "cannot write 'big.pdf': the PDF could reach 100"));
	assert_non_null(strstr(err.msg, "more than a cross-reference table can address "
				    "(9999999999 bytes at most)"));
	cf_err_release(&err);
	pdf_free(p);
	assert_int_equal(sh("test ! -e big.pdf && test $(ls | grep -c big) = 0"), 0);

	/* a lower limit (dossier.max_bytes): 300 kB of data, 1 MB allowed... */
	unlink("a.bin");
	unlink("b.bin");
	unlink("c.bin");
	unlink("d.bin");
	unlink("e.bin");
	test_write_file("c.bin", "", 0);
	assert_true((fd = open("c.bin", O_WRONLY)) >= 0);
	assert_int_equal(ftruncate(fd, 300000), 0);
	close(fd);
	p = new_doc();
	pdf_set_max_bytes(p, 1000000);
	assert_int_equal(pdf_attach_file(p, "c.bin", "c.bin", NULL, NULL, 0, &err), 0);
	assert_int_equal(pdf_save(p, "c.pdf", NULL, NULL, &err), -1);
	/* ...is still refused: the bound holds the font and a margin */
	assert_non_null(strstr(err.msg, "more than its limit of 1000000 bytes"));
	cf_err_release(&err);
	pdf_free(p);
	assert_int_equal(access("c.pdf", F_OK), -1);
	/* a limit above the font and the margin lets it through */
	p = new_doc();
	pdf_set_max_bytes(p, 200000000);
	assert_int_equal(pdf_attach_file(p, "c.bin", "c.bin", NULL, NULL, 0, &err), 0);
	save(p, "c.pdf");
	assert_int_equal(sh("qpdf --check c.pdf >/dev/null"), 0);
	/* anything above PDF_SAVE_MAX means PDF_SAVE_MAX */
	p = new_doc();
	pdf_set_max_bytes(p, UINT64_MAX);
	save(p, "d.pdf");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_composite_glyphs, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_tounicode, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_substitutes, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_wrap, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_images, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_attachments, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_document, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_font_find, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_draw, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_size_guard, test_tmpdir_setup, test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

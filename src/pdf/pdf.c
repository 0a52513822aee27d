/* SPDX-License-Identifier: MIT */
/*
 * pdf — flowing-layout PDF writer on libharu 2.3.0 (contract in pdf.h).
 *
 * How: one HPDF_Doc with one Type0/CIDFontType2 font in libharu's UTF-8
 * encoding, where the 2-byte code of a character is its BMP code point and
 * the CIDToGIDMap maps it to the glyph.  We measure and wrap text ourselves
 * from the font's advance widths, and draw each line with TextOut.
 *
 * Workarounds for libharu 2.3.0, all applied in pdf_save():
 *  - composite glyphs: we read the font file's own loca/glyf tables and
 *    mark every component of every used glyph in libharu's glyph_tbl.flgs
 *    (its subsetter keeps only flagged glyphs and does not follow nested
 *    components or component ids above 32767).
 *  - ToUnicode: libharu attaches its code→CID "UTF-8" CMap as /ToUnicode;
 *    we rewrite that stream in place as an Adobe-UCS bfrange/bfchar CMap of
 *    exactly the codes drawn (tracked in a 64 Kbit bitmap).
 *  - streamed data: JPEG XObjects and embedded files get a callback stream
 *    that opens the file only while libharu writes it, so neither a 4 MB
 *    photo nor a 500 MB video sits in memory; compressed data is written
 *    without Flate (HPDF_AttachFile deflates everything and names the file
 *    after its path).
 *  - errors: the HPDF error handler (user_data = p) records into p->err,
 *    which every API function points at its caller's cf_err on entry, and
 *    sets p->herr.  Calls whose status is checked go through hchk(); the
 *    few drawing calls that are not (colours, line width, path building)
 *    still cannot fail silently: herr is sticky, so the next hchk() in the
 *    same operation reports their error.  libharu's own error state is
 *    reset after each failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <setjmp.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpdf.h>
#include <hpdf_conf.h>
#include <hpdf_doc.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>
#include <hpdf_namedict.h>
#include <hpdf_catalog.h>
#include <png.h>
#include <webp/decode.h>
#include <zlib.h>

#include "casefile/outfile.h"
#include "casefile/pdf.h"
#include "casefile/xalloc.h"

#define DEBIAN_FONT "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
#define FONT_FILE "wqy-microhei.ttc"
#define SUBST_CHAR 0x25A1	/* □ */
#define LINE_GAP 1.35		/* line height = size * LINE_GAP */
#define CELL_PAD 3.0

struct ttf {
	unsigned char *map;
	size_t size;
	size_t glyf, glyf_len, loca, loca_len;
	int long_loca;
	unsigned nglyphs;
};

/* A callback stream source: a file opened only while libharu reads it. */
struct src {
	char *path;
	int fd;
	int streamed;		/* read by a stream when saved (else a name only) */
	uint64_t size, pos;
	struct src *next;
};

struct attach {
	char *name, *mime, *desc;
	struct src *src;	/* NULL: data in mem */
	unsigned char *mem;
	size_t n;
	unsigned flags;
};

struct pdf_image {
	HPDF_Dict xobj;
	unsigned w, h;		/* stored pixel size */
	int orientation;	/* 1..8 */
	struct pdf_image *next;
};

struct outline {
	HPDF_Outline o;
};

struct pdf {
	HPDF_Doc doc;
	HPDF_Font font;
	HPDF_FontDef fontdef;
	struct ttf ttf;
	struct cf_err *err;	/* the cf_err of the call in progress */
	int herr;		/* libharu reported an error in this call */
	HPDF_Page *pages;
	size_t npages, cap_pages;
	HPDF_Page page;
	double y;		/* cursor: baseline of the next line's top */
	double indent;
	int16_t *widths;	/* per BMP code, in 1/1000 em; INT16_MIN unknown */
	unsigned char *used;	/* 65536-bit bitmap of drawn codes */
	int subst;		/* substitute code point */
	pdf_decor_fn decor;
	void *decor_arg;
	struct attach *att;
	size_t natt;
	struct src *srcs;
	struct pdf_image *images;
	struct outline *outl;
	size_t noutl;
	int saved;
	uint64_t font_size;	/* bytes of the font file: the most embedded */
	uint64_t max_bytes;	/* pdf_set_max_bytes(); 0: PDF_SAVE_MAX */
};

/* ---------------------------------------------------------------- errors */

static void
hpdf_error(HPDF_STATUS code, HPDF_STATUS detail, void *arg)
{
	struct pdf *p = arg;

	p->herr = 1;
	if (p->err && p->err->code == CF_OK)
		cf_err_set(p->err, CF_EPDF, "libharu error 0x%04X (detail %u)",
			   (unsigned)code, (unsigned)detail);
}

/* Check one HPDF status; on failure make sure err says something. */
static int
hchk(struct pdf *p, HPDF_STATUS st, const char *what)
{
	if (st == HPDF_OK && !p->herr)
		return 0;
	if (p->err && p->err->code == CF_OK)
		cf_err_set(p->err, CF_EPDF, "libharu error 0x%04X", (unsigned)st);
	cf_err_prefix(p->err, "%s", what);
	p->herr = 0;
	HPDF_ResetError(p->doc);
	return -1;
}

static int
hnull(struct pdf *p, const void *obj, const char *what)
{
	return hchk(p, obj ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM, what);
}

/* ------------------------------------------------------------------ font */

static char *
try_font(const char *dir)
{
	char *path;

	if (dir == NULL || *dir == '\0')
		return NULL;
	path = xasprintf("%s/%s", dir, FONT_FILE);
	if (access(path, R_OK) == 0)
		return path;
	free(path);
	return NULL;
}

char *
pdf_font_find(const char *srcdir, struct cf_err *err)
{
	char *path, *dir;

	if ((path = try_font(getenv("CASEFILE_FONTS"))) != NULL)
		return path;
	if (srcdir != NULL) {
		dir = xasprintf("%s/fonts", srcdir);
		path = try_font(dir);
		free(dir);
		if (path)
			return path;
	}
	if ((path = try_font("fonts")) != NULL)
		return path;
#ifdef CASEFILE_DATADIR
	if ((path = try_font(CASEFILE_DATADIR "/fonts")) != NULL)
		return path;
#endif
	if (access(DEBIAN_FONT, R_OK) == 0)
		return xstrdup(DEBIAN_FONT);
	cf_err_set(err, CF_ENOTFOUND,
		   "cannot find the font '%s' ($CASEFILE_FONTS, fonts/, "
		   "%s): install fonts-wqy-microhei", FONT_FILE, DEBIAN_FONT);
	return NULL;
}

static unsigned
be16(const unsigned char *b)
{
	return (unsigned)b[0] << 8 | b[1];
}

static uint32_t
be32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

/* Map the font file and find glyf/loca/head/maxp of font 0. */
static int
ttf_open(struct ttf *t, const char *path, struct cf_err *err)
{
	struct stat st;
	size_t dir = 0, head = 0, maxp = 0, i, ntab;
	int fd;

	memset(t, 0, sizeof(*t));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return cf_err_errno(err, CF_EIO, "cannot open font '%s'", path);
	if (fstat(fd, &st) < 0 || st.st_size < 12) {
		close(fd);
		return cf_err_set(err, CF_EINPUT, "font '%s': too short", path);
	}
	t->size = (size_t)st.st_size;
	t->map = mmap(NULL, t->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (t->map == MAP_FAILED) {
		t->map = NULL;
		return cf_err_errno(err, CF_EIO, "cannot map font '%s'", path);
	}
	if (memcmp(t->map, "ttcf", 4) == 0) {
		if (t->size < 16 || be32(t->map + 8) < 1)
			goto bad;
		dir = be32(t->map + 12);
	}
	if (dir + 12 > t->size)
		goto bad;
	ntab = be16(t->map + dir + 4);
	if (dir + 12 + ntab * 16 > t->size)
		goto bad;
	for (i = 0; i < ntab; i++) {
		const unsigned char *r = t->map + dir + 12 + i * 16;
		size_t off = be32(r + 8), len = be32(r + 12);

		if (off > t->size || len > t->size - off)
			goto bad;
		if (memcmp(r, "glyf", 4) == 0)
			t->glyf = off, t->glyf_len = len;
		else if (memcmp(r, "loca", 4) == 0)
			t->loca = off, t->loca_len = len;
		else if (memcmp(r, "head", 4) == 0 && len >= 54)
			head = off;
		else if (memcmp(r, "maxp", 4) == 0 && len >= 6)
			maxp = off;
	}
	if (!t->glyf || !t->loca || !head || !maxp)
		goto bad;
	t->long_loca = be16(t->map + head + 50) != 0;
	t->nglyphs = be16(t->map + maxp + 4);
	if (t->loca_len < (size_t)(t->nglyphs + 1) * (t->long_loca ? 4 : 2))
		goto bad;
	return 0;
bad:
	munmap(t->map, t->size);
	t->map = NULL;
	return cf_err_set(err, CF_EINPUT,
			  "font '%s': not a TrueType font with glyf outlines", path);
}

static void
ttf_close(struct ttf *t)
{
	if (t->map)
		munmap(t->map, t->size);
	t->map = NULL;
}

/* Byte range of glyph gid inside glyf; 0 when empty or out of range. */
static int
ttf_glyph(const struct ttf *t, unsigned gid, size_t *off, size_t *len)
{
	size_t a, b;
	const unsigned char *l = t->map + t->loca;

	if (gid >= t->nglyphs)
		return 0;
	if (t->long_loca) {
		a = be32(l + 4 * gid);
		b = be32(l + 4 * gid + 4);
	} else {
		a = 2 * (size_t)be16(l + 2 * gid);
		b = 2 * (size_t)be16(l + 2 * gid + 2);
	}
	if (b <= a || b > t->glyf_len)
		return 0;
	*off = t->glyf + a;
	*len = b - a;
	return 1;
}

/*
 * Mark every component of every flagged glyph, recursively (explicit
 * stack; each glyph expanded once, so malformed cycles terminate).
 */
static int
ttf_mark_composites(const struct ttf *t, HPDF_BYTE *flgs, unsigned nflgs)
{
	unsigned char *done = xcalloc(t->nglyphs, 1);
	unsigned *stack = xmalloc(sizeof(*stack) * 64);
	size_t sp = 0, cap = 64;
	unsigned g, n = nflgs < t->nglyphs ? nflgs : t->nglyphs;
	int marked = 0;

	for (g = 0; g < n; g++) {
		if (!flgs[g])
			continue;
		stack[sp++] = g;
		while (sp > 0) {
			unsigned cur = stack[--sp];
			size_t off, len, q;
			unsigned flags;

			if (done[cur])
				continue;
			done[cur] = 1;
			if (!flgs[cur]) {
				flgs[cur] = 1;
				marked++;
			}
			if (!ttf_glyph(t, cur, &off, &len) || len < 10)
				continue;
			if ((int16_t)be16(t->map + off) >= 0)
				continue;	/* simple glyph */
			q = off + 10;
			do {
				unsigned comp;

				if (q + 4 > off + len)
					break;
				flags = be16(t->map + q);
				comp = be16(t->map + q + 2);
				q += 4 + ((flags & 0x0001) ? 4 : 2);
				if (flags & 0x0008)
					q += 2;
				else if (flags & 0x0040)
					q += 4;
				else if (flags & 0x0080)
					q += 8;
				if (comp < n && !done[comp]) {
					if (sp == cap) {
						cap *= 2;
						stack = xreallocarray(stack, cap, sizeof(*stack));
					}
					stack[sp++] = comp;
				}
			} while (flags & 0x0020);
		}
	}
	free(stack);
	free(done);
	return marked;
}

/* ------------------------------------------------------------- lifecycle */

int
pdf_new(const char *font_path, struct pdf **out, struct cf_err *err)
{
	struct pdf *p = xcalloc(1, sizeof(*p));
	char *found = NULL;
	const char *name;
	HPDF_FontAttr fattr;
	int ret = -1;

	*out = NULL;
	p->err = err;
	p->widths = xmalloc(65536 * sizeof(*p->widths));
	for (size_t i = 0; i < 65536; i++)
		p->widths[i] = INT16_MIN;
	p->used = xcalloc(65536 / 8, 1);
	if (font_path == NULL) {
		if ((found = pdf_font_find(NULL, err)) == NULL)
			goto out;
		font_path = found;
	}
	if (ttf_open(&p->ttf, font_path, err) < 0)
		goto out;
	{
		struct stat fsb;

		p->font_size = stat(font_path, &fsb) == 0 ? (uint64_t)fsb.st_size : 0;
	}
	if ((p->doc = HPDF_New(hpdf_error, p)) == NULL) {
		cf_err_set(err, CF_EPDF, "cannot create a PDF document");
		goto out;
	}
	/*
	 * %PDF-1.7: the PAdES signature (SubFilter ETSI.CAdES.detached) is
	 * defined for ISO 32000-1, i.e. PDF 1.7; libharu's default header is 1.3
	 * and it only ever raises the version.
	 */
	p->doc->pdf_version = HPDF_VER_17;
	if (hchk(p, HPDF_SetCompressionMode(p->doc, HPDF_COMP_ALL), "compression") < 0 ||
	    hchk(p, HPDF_UseUTFEncodings(p->doc), "utf-8 encoding") < 0 ||
	    hchk(p, HPDF_SetPageMode(p->doc, HPDF_PAGE_MODE_USE_OUTLINE), "page mode") < 0)
		goto out;
	if (memcmp(p->ttf.map, "ttcf", 4) == 0)
		name = HPDF_LoadTTFontFromFile2(p->doc, font_path, 0, HPDF_TRUE);
	else
		name = HPDF_LoadTTFontFromFile(p->doc, font_path, HPDF_TRUE);
	if (hnull(p, name, "cannot load font") < 0) {
		cf_err_prefix(err, "'%s'", font_path);
		goto out;
	}
	p->font = HPDF_GetFont(p->doc, name, "UTF-8");
	if (hnull(p, p->font, "cannot use font") < 0)
		goto out;
	fattr = (HPDF_FontAttr)p->font->attr;
	p->fontdef = fattr->fontdef;
	if (p->fontdef->type != HPDF_FONTDEF_TYPE_TRUETYPE ||
	    ((HPDF_TTFontDefAttr)p->fontdef->attr)->num_glyphs != p->ttf.nglyphs) {
		cf_err_set(err, CF_EINPUT, "font '%s': unexpected glyph table",
			   font_path);
		goto out;
	}
	p->subst = HPDF_TTFontDef_GetGlyphid(p->fontdef, SUBST_CHAR) ? SUBST_CHAR : '?';
	*out = p;
	p = NULL;
	ret = 0;
out:
	free(found);
	if (p)
		p->err = NULL;
	pdf_free(p);
	return ret;
}

void
pdf_free(struct pdf *p)
{
	size_t i;

	if (p == NULL)
		return;
	if (p->doc)
		HPDF_Free(p->doc);	/* frees streams: src cookies after */
	while (p->srcs) {
		struct src *s = p->srcs;

		p->srcs = s->next;
		if (s->fd >= 0)
			close(s->fd);
		free(s->path);
		free(s);
	}
	while (p->images) {
		struct pdf_image *im = p->images;

		p->images = im->next;
		free(im);
	}
	for (i = 0; i < p->natt; i++) {
		free(p->att[i].name);
		free(p->att[i].mime);
		free(p->att[i].desc);
		free(p->att[i].mem);
	}
	free(p->att);
	free(p->outl);
	free(p->pages);
	free(p->widths);
	free(p->used);
	ttf_close(&p->ttf);
	free(p);
}

/* Text string for info/outline/filespec: UTF-16BE with BOM, as binary. */
static HPDF_Binary
text_string(struct pdf *p, const char *utf8)
{
	struct cf_buf b = CF_BUF_INIT;
	const unsigned char *s = (const unsigned char *)utf8;
	HPDF_Binary bin;

	cf_buf_addch(&b, 0xFE);
	cf_buf_addch(&b, 0xFF);
	while (*s) {
		uint32_t c;
		int n;

		if (*s < 0x80)
			c = *s, n = 1;
		else if ((*s & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80)
			c = (uint32_t)(*s & 0x1F) << 6 | (s[1] & 0x3F), n = 2;
		else if ((*s & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 &&
			 (s[2] & 0xC0) == 0x80)
			c = (uint32_t)(*s & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 |
			    (s[2] & 0x3F), n = 3;
		else if ((*s & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 &&
			 (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80)
			c = (uint32_t)(*s & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
			    (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F), n = 4;
		else
			c = 0xFFFD, n = 1;
		if (c >= 0x10000 && c <= 0x10FFFF) {
			c -= 0x10000;
			cf_buf_addch(&b, 0xD8 | (c >> 18));
			cf_buf_addch(&b, (c >> 10) & 0xFF);
			cf_buf_addch(&b, 0xDC | ((c >> 8) & 3));
			cf_buf_addch(&b, c & 0xFF);
		} else {
			cf_buf_addch(&b, c >> 8);
			cf_buf_addch(&b, c & 0xFF);
		}
		s += n;
	}
	bin = HPDF_Binary_New(p->doc->mmgr, (HPDF_BYTE *)b.data, (HPDF_UINT)b.len);
	cf_buf_release(&b);
	return bin;
}

int
pdf_set_info(struct pdf *p, const char *title, const char *author,
	     const char *subject, long long created, long tz_offset,
	     struct cf_err *err)
{
	const char *keys[] = { "Title", "Author", "Subject" };
	const char *vals[] = { title, author, subject };
	HPDF_Date d;
	long long t = created + tz_offset, days;
	long off = tz_offset < 0 ? -tz_offset : tz_offset;
	int i;

	p->err = err;
	if (hchk(p, HPDF_SetInfoAttr(p->doc, HPDF_INFO_PRODUCER,
				     "casefile (libharu)"), "info") < 0)
		return -1;
	for (i = 0; i < 3; i++) {
		HPDF_Binary b;

		if (vals[i] == NULL)
			continue;
		b = text_string(p, vals[i]);
		if (hnull(p, b, "info") < 0 ||
		    hchk(p, HPDF_Dict_Add(p->doc->info, keys[i], b), "info") < 0)
			return -1;
	}
	/* civil date from days (Howard Hinnant's algorithm) */
	days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	{
		long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
		unsigned doe = (unsigned)(z - era * 146097);
		unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		unsigned mp = (5 * doy + 2) / 153;
		long long sec = t - days * 86400;

		d.day = (HPDF_INT)(doy - (153 * mp + 2) / 5 + 1);
		d.month = (HPDF_INT)(mp < 10 ? mp + 3 : mp - 9);
		d.year = (HPDF_INT)(yoe + era * 400 + (d.month <= 2));
		d.hour = (HPDF_INT)(sec / 3600);
		d.minutes = (HPDF_INT)(sec / 60 % 60);
		d.seconds = (HPDF_INT)(sec % 60);
	}
	d.ind = tz_offset == 0 ? 'Z' : tz_offset > 0 ? '+' : '-';
	d.off_hour = (HPDF_INT)(off / 3600);
	d.off_minutes = (HPDF_INT)(off / 60 % 60);
	return hchk(p, HPDF_SetInfoDateAttr(p->doc, HPDF_INFO_CREATION_DATE, d),
		    "creation date");
}

void
pdf_set_decor(struct pdf *p, pdf_decor_fn fn, void *arg)
{
	p->decor = fn;
	p->decor_arg = arg;
}

/* ------------------------------------------------------------------ text */

/* Decode one UTF-8 character; invalid bytes give U+FFFD and advance 1. */
static uint32_t
utf8_next(const unsigned char **sp)
{
	const unsigned char *s = *sp;
	uint32_t c;
	int n, i;

	if (s[0] < 0x80) {
		*sp = s + 1;
		return s[0];
	}
	if ((s[0] & 0xE0) == 0xC0)
		c = s[0] & 0x1F, n = 2;
	else if ((s[0] & 0xF0) == 0xE0)
		c = s[0] & 0x0F, n = 3;
	else if ((s[0] & 0xF8) == 0xF0)
		c = s[0] & 0x07, n = 4;
	else
		goto bad;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		c = c << 6 | (s[i] & 0x3F);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*sp = s + n;
	return c;
bad:
	*sp = s + 1;
	return 0xFFFD;
}

static int
char_width(struct pdf *p, unsigned c)
{
	if (p->widths[c] == INT16_MIN) {
		HPDF_UINT16 gid = HPDF_TTFontDef_GetGlyphid(p->fontdef, (HPDF_UINT16)c);

		p->widths[c] = gid || c == 0 ? (int16_t)HPDF_TTFontDef_GetGidWidth(p->fontdef, gid)
					     : -1;
	}
	return p->widths[c];
}

/*
 * The code we will draw for c: itself when the font has it, a space for
 * controls, else the substitute.
 */
static unsigned
draw_code(struct pdf *p, uint32_t c)
{
	if (c == '\t' || c == '\r' || c < 0x20 || (c >= 0x7F && c < 0xA0))
		return ' ';
	if (c > 0xFFFF || (c >= 0xD800 && c <= 0xDFFF) || c == 0xFEFF)
		return (unsigned)p->subst;
	if (char_width(p, c) < 0)
		return (unsigned)p->subst;
	return c;
}

static int
is_cjk(unsigned c)
{
	return (c >= 0x1100 && c <= 0x11FF) || (c >= 0x2E80 && c <= 0x9FFF) ||
	       (c >= 0xA960 && c <= 0xA97F) || (c >= 0xAC00 && c <= 0xD7FF) ||
	       (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
	       (c >= 0xFF00 && c <= 0xFFEF) || c == SUBST_CHAR;
}

/* Characters that must not start a line (kinsoku, kept small). */
static int
no_line_start(unsigned c)
{
	static const unsigned list[] = {
		0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F,
		0xFF09, 0x300B, 0x300D, 0x300F, 0x3011, 0x201D, 0x2019, 0xFF3D,
		',', '.', ':', ';', '!', '?', ')', ']', '}',
	};
	size_t i;

	for (i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		if (list[i] == c)
			return 1;
	return 0;
}

static void
put_utf8(struct cf_buf *b, unsigned c)
{
	if (c < 0x80) {
		cf_buf_addch(b, (int)c);
	} else if (c < 0x800) {
		cf_buf_addch(b, 0xC0 | (c >> 6));
		cf_buf_addch(b, 0x80 | (c & 0x3F));
	} else {
		cf_buf_addch(b, 0xE0 | (c >> 12));
		cf_buf_addch(b, 0x80 | ((c >> 6) & 0x3F));
		cf_buf_addch(b, 0x80 | (c & 0x3F));
	}
}

struct line {
	unsigned *c;
	size_t n;
};

/*
 * Greedy wrap of codes[0..n) (already mapped by draw_code, '\n' kept) to
 * maxw thousandths-of-size units.  Break opportunities: after a space,
 * before and after a CJK character (unless the next one may not start a
 * line); a unit wider than the line is split between characters.
 * Trailing spaces of a line are dropped.
 */
static size_t
wrap_codes(struct pdf *p, const unsigned *codes, size_t n, double maxw,
	   struct line **out)
{
	struct line *lines = NULL;
	size_t nl = 0, cap = 0, start = 0, i, brk;
	double w;

	while (start <= n) {
		size_t end, next;

		w = 0;
		brk = (size_t)-1;
		for (i = start; i < n && codes[i] != '\n'; i++) {
			double cw = char_width(p, codes[i]);

			if (codes[i] == ' ')
				brk = i;	/* break here, drop the space */
			else if (i > start && (is_cjk(codes[i]) || is_cjk(codes[i - 1])) &&
				 !no_line_start(codes[i]) && codes[i - 1] != ' ')
				brk = i;	/* break before codes[i] */
			if (w + cw > maxw && i > start && codes[i] != ' ')
				break;
			w += cw;
		}
		if (i >= n || codes[i] == '\n') {
			end = i;
			next = i + 1;
		} else if (brk != (size_t)-1 && brk > start) {
			end = brk;
			next = brk;
			while (next < n && codes[next] == ' ')
				next++;
		} else {
			end = i;	/* hard break inside a long word */
			next = i;
		}
		while (end > start && codes[end - 1] == ' ')
			end--;
		if (nl == cap) {
			cap = cap ? 2 * cap : 8;
			lines = xreallocarray(lines, cap, sizeof(*lines));
		}
		lines[nl].n = end - start;
		lines[nl].c = xmemdup(codes + start, (end - start) * sizeof(unsigned));
		nl++;
		if (next > n)
			break;
		start = next;
		if (start == n && (n == 0 || codes[n - 1] != '\n'))
			break;
	}
	*out = lines;
	return nl;
}

static unsigned *
to_codes(struct pdf *p, const char *utf8, size_t *n)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t cap = strlen(utf8) + 1, k = 0;
	unsigned *codes = xmalloc(cap * sizeof(*codes));

	while (*s) {
		uint32_t c = utf8_next(&s);

		codes[k++] = c == '\n' ? '\n' : draw_code(p, c);
	}
	*n = k;
	return codes;
}

static void
lines_free(struct line *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i].c);
	free(l);
}

static size_t
wrap_text(struct pdf *p, const char *utf8, double size, double width,
	  struct line **out)
{
	size_t n, nl;
	unsigned *codes = to_codes(p, utf8, &n);

	nl = wrap_codes(p, codes, n, width * 1000.0 / size, out);
	free(codes);
	return nl;
}

static double
line_width(struct pdf *p, const struct line *l, double size)
{
	double w = 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		w += char_width(p, l->c[i]);
	return w * size / 1000.0;
}

int
pdf_wrap(struct pdf *p, const char *utf8, double size, double width,
	 char ***lines, size_t *n, struct cf_err *err)
{
	struct line *l;
	size_t nl, i, j;
	char **res;

	p->err = err;
	nl = wrap_text(p, utf8, size, width, &l);
	res = xcalloc(nl ? nl : 1, sizeof(*res));
	for (i = 0; i < nl; i++) {
		struct cf_buf b = CF_BUF_INIT;

		for (j = 0; j < l[i].n; j++)
			put_utf8(&b, l[i].c[j]);
		res[i] = cf_buf_detach(&b, NULL);
	}
	lines_free(l, nl);
	*lines = res;
	*n = nl;
	return 0;
}

void
pdf_lines_free(char **lines, size_t n)
{
	size_t i;

	if (lines == NULL)
		return;
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

double
pdf_text_width(struct pdf *p, const char *utf8, double size)
{
	size_t n, i;
	unsigned *codes = to_codes(p, utf8, &n);
	double w = 0;

	for (i = 0; i < n; i++)
		w += char_width(p, codes[i]);
	free(codes);
	return w * size / 1000.0;
}

/* Draw one prepared line with its left edge at x and baseline at y. */
static int
draw_line(struct pdf *p, HPDF_Page page, const struct line *l, double x,
	  double y, double size, unsigned flags)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t i;
	int ret = -1;

	if (l->n == 0)
		return 0;
	for (i = 0; i < l->n; i++) {
		put_utf8(&b, l->c[i]);
		p->used[l->c[i] >> 3] |= (unsigned char)(1u << (l->c[i] & 7));
	}
	if (hchk(p, HPDF_Page_BeginText(page), "text") < 0)
		goto out;
	if (hchk(p, HPDF_Page_SetFontAndSize(page, p->font, (HPDF_REAL)size), "font") < 0)
		goto end;
	if (flags & PDF_TEXT_GREY)
		HPDF_Page_SetRGBFill(page, 0.4f, 0.4f, 0.4f);
	else
		HPDF_Page_SetRGBFill(page, 0, 0, 0);
	if (flags & PDF_TEXT_BOLD) {
		HPDF_Page_SetTextRenderingMode(page, HPDF_FILL_THEN_STROKE);
		HPDF_Page_SetLineWidth(page, (HPDF_REAL)(size / 30.0));
	} else {
		HPDF_Page_SetTextRenderingMode(page, HPDF_FILL);
	}
	if (hchk(p, HPDF_Page_TextOut(page, (HPDF_REAL)x, (HPDF_REAL)y, b.data), "text") < 0)
		goto end;
	ret = 0;
end:
	if (hchk(p, HPDF_Page_EndText(page), "text") < 0)
		ret = -1;
	HPDF_Page_SetRGBFill(page, 0, 0, 0);
out:
	cf_buf_release(&b);
	return ret;
}

/* ----------------------------------------------------------------- pages */

int
pdf_page_new(struct pdf *p, struct cf_err *err)
{
	HPDF_Page page;

	p->err = err;
	page = HPDF_AddPage(p->doc);
	if (hnull(p, page, "cannot add a page") < 0)
		return -1;
	if (hchk(p, HPDF_Page_SetWidth(page, (HPDF_REAL)PDF_PAGE_W), "page") < 0 ||
	    hchk(p, HPDF_Page_SetHeight(page, (HPDF_REAL)PDF_PAGE_H), "page") < 0)
		return -1;
	if (p->npages == p->cap_pages) {
		p->cap_pages = p->cap_pages ? 2 * p->cap_pages : 16;
		p->pages = xreallocarray(p->pages, p->cap_pages, sizeof(*p->pages));
	}
	p->pages[p->npages++] = page;
	p->page = page;
	p->y = PDF_PAGE_H - PDF_MARGIN;
	return 0;
}

int
pdf_page_count(const struct pdf *p)
{
	return (int)p->npages;
}

double
pdf_space_left(const struct pdf *p)
{
	return p->page ? p->y - PDF_MARGIN : 0;
}

double
pdf_content_width(const struct pdf *p)
{
	return PDF_PAGE_W - 2 * PDF_MARGIN - p->indent;
}

void
pdf_set_indent(struct pdf *p, double pts)
{
	p->indent = pts < 0 ? 0 : pts;
}

int
pdf_need(struct pdf *p, double pts, struct cf_err *err)
{
	if (p->page == NULL || p->y - pts < PDF_MARGIN)
		return pdf_page_new(p, err);
	return 0;
}

int
pdf_vspace(struct pdf *p, double pts, struct cf_err *err)
{
	if (p->page == NULL || p->y - pts < PDF_MARGIN)
		return pdf_page_new(p, err);
	p->y -= pts;
	return 0;
}

int
pdf_text(struct pdf *p, const char *utf8, double size, unsigned flags,
	 struct cf_err *err)
{
	struct line *l;
	size_t nl, i;
	double lh = size * LINE_GAP, x0 = PDF_MARGIN + p->indent;
	double width = pdf_content_width(p);
	int ret = -1;

	p->err = err;
	nl = wrap_text(p, utf8, size, width, &l);
	for (i = 0; i < nl; i++) {
		double x = x0;

		if (pdf_need(p, lh, err) < 0)
			goto out;
		if (flags & PDF_TEXT_CENTER)
			x = x0 + (width - line_width(p, &l[i], size)) / 2;
		if (draw_line(p, p->page, &l[i], x, p->y - size, size, flags) < 0)
			goto out;
		p->y -= lh;
	}
	ret = 0;
out:
	lines_free(l, nl);
	return ret;
}

int
pdf_table_row(struct pdf *p, int ncols, const double *widths,
	      const char *const *cells, double size, unsigned flags,
	      struct cf_err *err)
{
	struct line **l = xcalloc((size_t)ncols, sizeof(*l));
	size_t *nl = xcalloc((size_t)ncols, sizeof(*nl)), maxl = 1, k;
	double *x = xcalloc((size_t)ncols, sizeof(*x));
	double lh = size * LINE_GAP, cw = pdf_content_width(p), top;
	int c, ret = -1;

	p->err = err;
	for (c = 0; c < ncols; c++) {
		double w = widths[c] * cw - 2 * CELL_PAD;

		x[c] = (c ? x[c - 1] + widths[c - 1] * cw : PDF_MARGIN + p->indent);
		nl[c] = wrap_text(p, cells[c] ? cells[c] : "", size, w > size ? w : size,
				  &l[c]);
		if (nl[c] > maxl)
			maxl = nl[c];
	}
	/* keep short rows together */
	if (pdf_need(p, maxl * lh + 2 * CELL_PAD <= PDF_PAGE_H / 3 ?
			maxl * lh + 2 * CELL_PAD : lh + 2 * CELL_PAD, err) < 0)
		goto out;
	top = p->y;
	if (flags & PDF_TEXT_SHADE) {
		double h = maxl * lh + 2 * CELL_PAD;

		if (h > p->y - PDF_MARGIN)
			h = p->y - PDF_MARGIN;
		HPDF_Page_SetGrayFill(p->page, 0.9f);
		HPDF_Page_Rectangle(p->page, (HPDF_REAL)(PDF_MARGIN + p->indent),
				    (HPDF_REAL)(p->y - h), (HPDF_REAL)cw, (HPDF_REAL)h);
		if (hchk(p, HPDF_Page_Fill(p->page), "table") < 0)
			goto out;
		HPDF_Page_SetGrayFill(p->page, 0);
	}
	p->y -= CELL_PAD;
	for (k = 0; k < maxl; k++) {
		if (p->y - lh < PDF_MARGIN) {
			if (pdf_page_new(p, err) < 0)
				goto out;
			top = p->y;
		}
		for (c = 0; c < ncols; c++) {
			if (k < nl[c] && draw_line(p, p->page, &l[c][k], x[c] + CELL_PAD,
						   p->y - size, size,
						   flags & (PDF_TEXT_BOLD | PDF_TEXT_GREY)) < 0)
				goto out;
		}
		p->y -= lh;
	}
	p->y -= CELL_PAD;
	if (p->y < PDF_MARGIN)
		p->y = PDF_MARGIN;
	if (flags & PDF_TEXT_RULE) {
		HPDF_Page_SetLineWidth(p->page, 0.4f);
		HPDF_Page_SetGrayStroke(p->page, 0.6f);
		HPDF_Page_MoveTo(p->page, (HPDF_REAL)(PDF_MARGIN + p->indent), (HPDF_REAL)p->y);
		HPDF_Page_LineTo(p->page, (HPDF_REAL)(PDF_MARGIN + p->indent + cw), (HPDF_REAL)p->y);
		if (hchk(p, HPDF_Page_Stroke(p->page), "table") < 0)
			goto out;
		HPDF_Page_SetGrayStroke(p->page, 0);
	}
	(void)top;
	ret = 0;
out:
	for (c = 0; c < ncols; c++)
		lines_free(l[c], nl[c]);
	free(l);
	free(nl);
	free(x);
	return ret;
}

int
pdf_text_at(struct pdf *p, double x, double y, const char *utf8, double size,
	    unsigned flags, struct cf_err *err)
{
	struct line l;
	size_t i;
	int ret;

	p->err = err;
	if (p->page == NULL)
		return cf_err_set(err, CF_EPDF, "text: no page");
	l.c = to_codes(p, utf8, &l.n);
	for (i = 0; i < l.n; i++)
		if (l.c[i] == '\n')
			l.c[i] = ' ';
	if (flags & PDF_TEXT_RIGHT)
		x -= line_width(p, &l, size);
	else if (flags & PDF_TEXT_CENTER)
		x -= line_width(p, &l, size) / 2;
	ret = draw_line(p, p->page, &l, x, y, size, flags & (PDF_TEXT_BOLD | PDF_TEXT_GREY));
	free(l.c);
	return ret;
}

int
pdf_rect(struct pdf *p, double x, double y, double w, double h,
	 const double rgb[3], struct cf_err *err)
{
	p->err = err;
	if (p->page == NULL)
		return cf_err_set(err, CF_EPDF, "rectangle: no page");
	if (hchk(p, HPDF_Page_SetRGBFill(p->page, (HPDF_REAL)rgb[0], (HPDF_REAL)rgb[1],
					 (HPDF_REAL)rgb[2]), "rectangle") < 0 ||
	    hchk(p, HPDF_Page_Rectangle(p->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w,
					(HPDF_REAL)h), "rectangle") < 0 ||
	    hchk(p, HPDF_Page_Fill(p->page), "rectangle") < 0)
		return -1;
	return hchk(p, HPDF_Page_SetRGBFill(p->page, 0, 0, 0), "rectangle");
}

int
pdf_line(struct pdf *p, double x0, double y0, double x1, double y1, double w,
	 double grey, struct cf_err *err)
{
	p->err = err;
	if (p->page == NULL)
		return cf_err_set(err, CF_EPDF, "line: no page");
	if (hchk(p, HPDF_Page_SetLineWidth(p->page, (HPDF_REAL)w), "line") < 0 ||
	    hchk(p, HPDF_Page_SetGrayStroke(p->page, (HPDF_REAL)grey), "line") < 0 ||
	    hchk(p, HPDF_Page_MoveTo(p->page, (HPDF_REAL)x0, (HPDF_REAL)y0), "line") < 0 ||
	    hchk(p, HPDF_Page_LineTo(p->page, (HPDF_REAL)x1, (HPDF_REAL)y1), "line") < 0 ||
	    hchk(p, HPDF_Page_Stroke(p->page), "line") < 0)
		return -1;
	return hchk(p, HPDF_Page_SetGrayStroke(p->page, 0), "line");
}

int
pdf_box(struct pdf *p, const char *utf8, double size, unsigned flags,
	struct cf_err *err)
{
	struct line *l;
	size_t nl, i;
	double lh = size * LINE_GAP, pad = 8, cw = pdf_content_width(p);
	double x0 = PDF_MARGIN + p->indent, h, top;
	int ret = -1;

	p->err = err;
	nl = wrap_text(p, utf8, size, cw - 2 * pad, &l);
	h = nl * lh + 2 * pad;
	if (pdf_need(p, h < PDF_PAGE_H - 2 * PDF_MARGIN ? h : lh + 2 * pad, err) < 0)
		goto out;
	top = p->y;
	p->y -= pad;
	for (i = 0; i < nl; i++) {
		if (p->y - lh < PDF_MARGIN) {
			/* frame what is on this page, continue on the next */
			HPDF_Page_SetLineWidth(p->page, 0.8f);
			HPDF_Page_Rectangle(p->page, (HPDF_REAL)x0, (HPDF_REAL)p->y,
					    (HPDF_REAL)cw, (HPDF_REAL)(top - p->y));
			if (hchk(p, HPDF_Page_Stroke(p->page), "box") < 0 ||
			    pdf_page_new(p, err) < 0)
				goto out;
			top = p->y;
		}
		if (draw_line(p, p->page, &l[i], x0 + pad, p->y - size, size, flags) < 0)
			goto out;
		p->y -= lh;
	}
	p->y -= pad;
	HPDF_Page_SetLineWidth(p->page, 0.8f);
	HPDF_Page_Rectangle(p->page, (HPDF_REAL)x0, (HPDF_REAL)p->y, (HPDF_REAL)cw,
			    (HPDF_REAL)(top - p->y));
	if (hchk(p, HPDF_Page_Stroke(p->page), "box") < 0)
		goto out;
	ret = 0;
out:
	lines_free(l, nl);
	return ret;
}

/* -------------------------------------------------------------- outlines */

int
pdf_outline_add(struct pdf *p, int parent, const char *title, int *id,
		struct cf_err *err)
{
	HPDF_Outline o, par = NULL;
	HPDF_Destination dst;
	HPDF_Binary t;

	p->err = err;
	if (p->page == NULL && pdf_page_new(p, err) < 0)
		return -1;
	if (parent > 0 && (size_t)parent <= p->noutl)
		par = p->outl[parent - 1].o;
	o = HPDF_CreateOutline(p->doc, par, "-", NULL);
	if (hnull(p, o, "outline") < 0)
		return -1;
	t = text_string(p, title);
	if (hnull(p, t, "outline") < 0 || hchk(p, HPDF_Dict_Add(o, "Title", t), "outline") < 0)
		return -1;
	dst = HPDF_Page_CreateDestination(p->page);
	if (hnull(p, dst, "outline") < 0 ||
	    hchk(p, HPDF_Destination_SetFitH(dst, (HPDF_REAL)(p->y + 10)), "outline") < 0 ||
	    hchk(p, HPDF_Outline_SetDestination(o, dst), "outline") < 0 ||
	    hchk(p, HPDF_Outline_SetOpened(o, HPDF_FALSE), "outline") < 0)
		return -1;
	p->outl = xreallocarray(p->outl, p->noutl + 1, sizeof(*p->outl));
	p->outl[p->noutl++].o = o;
	if (id)
		*id = (int)p->noutl;
	return 0;
}

/* ------------------------------------------------------- file streams */

/* Open s->path (again) at s->pos, checking that its size has not changed. */
static HPDF_STATUS
src_open(HPDF_Stream st, struct src *s)
{
	struct stat sb;

	if (s->fd >= 0)
		return HPDF_OK;
	if ((s->fd = open(s->path, O_RDONLY | O_CLOEXEC)) < 0)
		return HPDF_SetError(st->error, HPDF_FILE_IO_ERROR, (HPDF_STATUS)errno);
	if (fstat(s->fd, &sb) < 0 || (uint64_t)sb.st_size != s->size ||
	    (s->pos && lseek(s->fd, (off_t)s->pos, SEEK_SET) < 0)) {
		close(s->fd);
		s->fd = -1;
		return HPDF_SetError(st->error, HPDF_FILE_IO_ERROR, EIO);
	}
	return HPDF_OK;
}

/*
 * libharu's copy loop (HPDF_Stream_WriteToStream and its deflate twin) reads
 * until the callback returns HPDF_STREAM_EOF; HPDF_OK means "ask again".
 * So the read that reaches the end of the file says EOF, even when it
 * filled the buffer exactly (a file whose size is a multiple of 4096 did
 * not, and the next call reopened the file at 0 and copied it again, for
 * ever: issue 11).  A read at or past the end says EOF without reopening,
 * and no read goes past the size the stream declared, so one stream never
 * yields more than s->size bytes; a file that shrank is an error.
 */
static HPDF_STATUS
src_read(HPDF_Stream st, HPDF_BYTE *ptr, HPDF_UINT *siz)
{
	struct src *s = st->attr;
	size_t want = *siz, got = 0;
	HPDF_STATUS rc;

	if (s->pos >= s->size) {
		*siz = 0;
		return HPDF_STREAM_EOF;
	}
	if ((rc = src_open(st, s)) != HPDF_OK)
		return rc;
	if (want > s->size - s->pos)
		want = (size_t)(s->size - s->pos);
	while (got < want) {
		ssize_t r = read(s->fd, ptr + got, want - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return HPDF_SetError(st->error, HPDF_FILE_IO_ERROR,
					     (HPDF_STATUS)errno);
		if (r == 0)	/* shorter than when it was stat()ed */
			return HPDF_SetError(st->error, HPDF_FILE_IO_ERROR, EIO);
		got += (size_t)r;
	}
	s->pos += got;
	*siz = (HPDF_UINT)got;
	if (s->pos >= s->size) {
		/* done with this file: keep no descriptor open */
		close(s->fd);
		s->fd = -1;
		return HPDF_STREAM_EOF;
	}
	return HPDF_OK;
}

/* Positions within [0, size] only; the file is (re)opened by the next read. */
static HPDF_STATUS
src_seek(HPDF_Stream st, HPDF_INT pos, HPDF_WhenceMode mode)
{
	struct src *s = st->attr;
	int64_t base = mode == HPDF_SEEK_SET ? 0 : mode == HPDF_SEEK_CUR ? (int64_t)s->pos :
		       (int64_t)s->size;

	if (base + pos < 0 || (uint64_t)(base + pos) > s->size)
		return HPDF_SetError(st->error, HPDF_FILE_IO_ERROR, EINVAL);
	s->pos = (uint64_t)(base + pos);
	if (s->fd >= 0 && lseek(s->fd, (off_t)s->pos, SEEK_SET) < 0)
		return HPDF_SetError(st->error, HPDF_FILE_IO_ERROR, (HPDF_STATUS)errno);
	return HPDF_OK;
}

static HPDF_INT32
src_tell(HPDF_Stream st)
{
	return (HPDF_INT32)((struct src *)st->attr)->pos;
}

static HPDF_UINT32
src_size(HPDF_Stream st)
{
	return (HPDF_UINT32)((struct src *)st->attr)->size;
}

/* A stream dict whose data is read from path when the PDF is written. */
static HPDF_Dict
file_stream_dict(struct pdf *p, const char *path, uint64_t *size)
{
	struct stat sb;
	struct src *s;
	HPDF_Dict d;
	HPDF_Stream st;

	if (stat(path, &sb) < 0) {
		cf_err_errno(p->err, CF_EIO, "cannot read '%s'", path);
		return NULL;
	}
	if ((uint64_t)sb.st_size > PDF_ATTACH_MAX) {
		cf_err_set(p->err, CF_EINPUT, "'%s': too large to embed", path);
		return NULL;
	}
	d = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);
	if (hnull(p, d, "stream") < 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->fd = -1;
	s->streamed = 1;
	s->size = (uint64_t)sb.st_size;
	s->next = p->srcs;
	p->srcs = s;
	st = HPDF_CallbackReader_New(p->doc->mmgr, src_read, src_seek, src_tell,
				     src_size, s);
	if (hnull(p, st, "stream") < 0)
		return NULL;
	HPDF_Stream_Free(d->stream);
	d->stream = st;
	*size = s->size;
	return d;
}

/* ---------------------------------------------------------------- images */

static HPDF_Dict
image_dict(struct pdf *p, unsigned w, unsigned h, const char *cs, HPDF_Dict d)
{
	int ret = 0;

	if (d == NULL) {
		d = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);
		if (hnull(p, d, "image") < 0)
			return NULL;
	}
	d->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
	ret += HPDF_Dict_AddName(d, "Type", "XObject");
	ret += HPDF_Dict_AddName(d, "Subtype", "Image");
	ret += HPDF_Dict_AddNumber(d, "Width", w);
	ret += HPDF_Dict_AddNumber(d, "Height", h);
	ret += HPDF_Dict_AddName(d, "ColorSpace", cs);
	ret += HPDF_Dict_AddNumber(d, "BitsPerComponent", 8);
	if (hchk(p, ret ? HPDF_INVALID_OBJECT : HPDF_OK, "image") < 0)
		return NULL;
	return d;
}

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

/* Orientation from an EXIF APP1 payload (after "Exif\0\0"); 0 if none. */
static int
exif_orientation(const unsigned char *t, size_t n)
{
	int le;
	size_t ifd, cnt, i;

	if (n < 8)
		return 0;
	if (t[0] == 'I' && t[1] == 'I')
		le = 1;
	else if (t[0] == 'M' && t[1] == 'M')
		le = 0;
	else
		return 0;
#define U16(q) (le ? (unsigned)((q)[0] | (q)[1] << 8) : be16(q))
#define U32(q) (le ? (uint32_t)((q)[0] | (q)[1] << 8 | (q)[2] << 16 | (uint32_t)(q)[3] << 24) : be32(q))
	ifd = U32(t + 4);
	if (ifd + 2 > n)
		return 0;
	cnt = U16(t + ifd);
	for (i = 0; i < cnt && ifd + 2 + i * 12 + 12 <= n; i++) {
		const unsigned char *e = t + ifd + 2 + i * 12;

		/* SHORT as the spec says, or LONG as some writers store it */
		if (U16(e) == 0x0112 && (U16(e + 2) == 3 || U16(e + 2) == 4)) {
			uint32_t v = U16(e + 2) == 3 ? U16(e + 8) : U32(e + 8);

			return v >= 1 && v <= 8 ? (int)v : 0;
		}
	}
#undef U16
#undef U32
	return 0;
}

/* Scan JPEG markers up to the frame header; no pixel is decoded. */
static int
load_jpeg(struct pdf *p, const char *path, const unsigned char *b, size_t n,
	  int orientation, struct pdf_image **out)
{
	size_t q = 2;
	unsigned w = 0, h = 0, comps = 0, prec = 0;
	int adobe = 0, exif = 0;
	size_t sos = 0;
	const char *cs;
	HPDF_Dict d;
	uint64_t size;

	while (q + 4 <= n) {
		unsigned m, len;

		if (b[q] != 0xFF) {
			q++;
			continue;
		}
		m = b[q + 1];
		if (m == 0xFF) {
			q++;
			continue;
		}
		if (m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) {
			q += 2;
			continue;
		}
		len = be16(b + q + 2);
		if (len < 2 || q + 2 + len > n)
			break;
		if (m == 0xE1 && len >= 16 && memcmp(b + q + 4, "Exif\0\0", 6) == 0)
			exif = exif_orientation(b + q + 10, len - 8);
		else if (m == 0xEE && len >= 14 && memcmp(b + q + 4, "Adobe", 5) == 0)
			adobe = 1;
		else if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			if (len < 8)
				break;
			prec = b[q + 4];
			h = be16(b + q + 5);
			w = be16(b + q + 7);
			comps = b[q + 9];
		} else if (m == 0xDA) {
			sos = q;
			break;
		} else if (m == 0xD9) {
			break;
		}
		q += 2 + len;
	}
	if (w == 0 || h == 0 || comps == 0)
		return cf_err_set(p->err, CF_EINPUT, "'%s': corrupt JPEG: no frame header",
				  path);
	if (prec != 8)
		return cf_err_set(p->err, CF_EINPUT, "'%s': unsupported %u-bit JPEG", path,
				  prec);
	if (too_large(p, path, w, h, PDF_IMAGE_MAX_PIXELS) < 0)
		return -1;
	/*
	 * A truncated file is refused without decoding: the entropy-coded data
	 * cannot contain FF D9 (FF is stuffed as FF 00), so the end-of-image
	 * marker after the scan header proves the data is complete.
	 */
	if (sos == 0 || memmem(b + sos, n - sos, "\xFF\xD9", 2) == NULL)
		return cf_err_set(p->err, CF_EINPUT, "'%s': corrupt JPEG: truncated", path);
	cs = comps == 1 ? "DeviceGray" : comps == 3 ? "DeviceRGB" :
	     comps == 4 ? "DeviceCMYK" : NULL;
	if (cs == NULL)
		return cf_err_set(p->err, CF_EINPUT, "'%s': unsupported JPEG with %u components",
				  path, comps);
	if ((d = file_stream_dict(p, path, &size)) == NULL ||
	    image_dict(p, w, h, cs, d) == NULL)
		return -1;
	d->filter = HPDF_STREAM_FILTER_DCT_DECODE;
	if (comps == 4 && adobe) {
		/* Adobe (Photoshop) CMYK JPEGs store inverted values */
		HPDF_Array a = HPDF_Array_New(p->doc->mmgr);
		int i, r = 0;

		if (hnull(p, a, "image") < 0)
			return -1;
		for (i = 0; i < 4; i++) {
			r += HPDF_Array_AddNumber(a, 1);
			r += HPDF_Array_AddNumber(a, 0);
		}
		if (hchk(p, r ? HPDF_INVALID_OBJECT : HPDF_Dict_Add(d, "Decode", a), "image") < 0)
			return -1;
	}
	*out = image_new(p, d, w, h, orientation ? orientation : exif);
	return 0;
}

/* Deflate rows into an image XObject's memory stream. */
struct zsink {
	z_stream z;
	HPDF_Stream st;
	unsigned char buf[65536];
};

static int
zsink_put(struct pdf *p, struct zsink *zs, const void *data, size_t n, int flush)
{
	zs->z.next_in = (Bytef *)(uintptr_t)data;
	zs->z.avail_in = (uInt)n;
	do {
		int r;

		zs->z.next_out = zs->buf;
		zs->z.avail_out = sizeof(zs->buf);
		r = deflate(&zs->z, flush);
		if (r == Z_STREAM_ERROR)
			return cf_err_set(p->err, CF_EPDF, "deflate failed");
		if (zs->z.avail_out < sizeof(zs->buf) &&
		    hchk(p, HPDF_Stream_Write(zs->st, zs->buf,
					      (HPDF_UINT)(sizeof(zs->buf) - zs->z.avail_out)),
			 "image") < 0)
			return -1;
	} while (zs->z.avail_out == 0 || (flush == Z_FINISH && zs->z.avail_in > 0));
	return 0;
}

/*
 * libharu drops a /Filter key of a stream whose filter is NONE, so the
 * pre-deflated image declares its filter from the dict's write hook, which
 * runs inside the dictionary.
 */
static HPDF_STATUS
predeflated_write(HPDF_Dict d, HPDF_Stream st)
{
	(void)d;
	return HPDF_Stream_WriteStr(st, "/Filter /FlateDecode\n");
}

static HPDF_Dict
raw_image_begin(struct pdf *p, unsigned w, unsigned h, struct zsink *zs)
{
	HPDF_Dict d = image_dict(p, w, h, "DeviceRGB", NULL);

	if (d == NULL)
		return NULL;
	d->write_fn = predeflated_write;
	d->filter = HPDF_STREAM_FILTER_NONE;	/* we deflate ourselves */
	memset(&zs->z, 0, sizeof(zs->z));
	if (deflateInit(&zs->z, 6) != Z_OK) {
		cf_err_set(p->err, CF_EPDF, "deflate init failed");
		return NULL;
	}
	zs->st = d->stream;
	return d;
}

/*
 * A pre-deflated image abandoned half way stays in libharu's object table
 * (objects cannot be removed); make it an empty, filter-less stream so the
 * file stays valid.
 */
static void
orphan_image(HPDF_Dict d)
{
	HPDF_MemStream_FreeData(d->stream);
	d->write_fn = NULL;
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
	if ((d = raw_image_begin(p, w, h, zs)) == NULL)
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
			if (zsink_put(p, zs, rowp[y], (size_t)w * 3, Z_NO_FLUSH) < 0)
				goto out;
		}
	} else {
		rows = xmalloc((size_t)w * 4);
		for (y = 0; y < h; y++) {
			png_read_row(png, rows, NULL);
			rgba_to_rgb(rows, w);
			if (zsink_put(p, zs, rows, (size_t)w * 3, Z_NO_FLUSH) < 0)
				goto out;
		}
	}
	if (zsink_put(p, zs, NULL, 0, Z_FINISH) < 0)
		goto out;
	*out = image_new(p, d, w, h, orientation);
	ret = 0;
out:
	if (ret < 0 && zinit)
		orphan_image(d);
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
	if ((d = raw_image_begin(p, (unsigned)w, (unsigned)h, zs)) == NULL)
		goto out2;
	if (zsink_put(p, zs, rgb, (size_t)w * 3 * (size_t)h, Z_FINISH) < 0)
		goto out;
	*out = image_new(p, d, (unsigned)w, (unsigned)h, orientation);
	ret = 0;
out:
	if (ret < 0)
		orphan_image(d);
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
	if (hchk(p, HPDF_Page_GSave(p->page), "image") < 0 ||
	    hchk(p, HPDF_Page_Concat(p->page, (HPDF_REAL)m[0], (HPDF_REAL)m[1],
				     (HPDF_REAL)m[2], (HPDF_REAL)m[3],
				     (HPDF_REAL)m[4], (HPDF_REAL)m[5]), "image") < 0 ||
	    hchk(p, HPDF_Page_ExecuteXObject(p->page, img->xobj), "image") < 0 ||
	    hchk(p, HPDF_Page_GRestore(p->page), "image") < 0)
		return -1;
	p->y = y;
	return 0;
}

/* ----------------------------------------------------------- attachments */

int
pdf_is_compressed(const char *mime, const char *name)
{
	static const char *const exts[] = {
		".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".gif",
		".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi", ".3gp",
		".zip", ".gz", ".tgz", ".zst", ".xz", ".bz2", ".7z", ".rar",
		".mp3", ".m4a", ".aac", ".ogg", ".docx", ".xlsx",
	};
	const char *dot;
	size_t i;

	if (mime && (strncmp(mime, "image/jp", 8) == 0 || strcmp(mime, "image/png") == 0 ||
		     strcmp(mime, "image/webp") == 0 || strncmp(mime, "video/", 6) == 0 ||
		     strcmp(mime, "application/zip") == 0))
		return 1;
	if (name == NULL || (dot = strrchr(name, '.')) == NULL)
		return 0;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcasecmp(dot, exts[i]) == 0)
			return 1;
	return 0;
}

static int
attach_add(struct pdf *p, const char *name, const char *mime, const char *desc,
	   unsigned flags)
{
	size_t i;

	if (*name == '\0' || strchr(name, '/') || strchr(name, '\\'))
		return cf_err_set(p->err, CF_EINPUT,
				  "bad attachment name '%s': no paths allowed", name);
	for (i = 0; i < p->natt; i++)
		if (strcmp(p->att[i].name, name) == 0)
			return cf_err_set(p->err, CF_EINPUT,
					  "attachment '%s' added twice", name);
	p->att = xreallocarray(p->att, p->natt + 1, sizeof(*p->att));
	memset(&p->att[p->natt], 0, sizeof(p->att[0]));
	p->att[p->natt].name = xstrdup(name);
	p->att[p->natt].mime = mime ? xstrdup(mime) : NULL;
	p->att[p->natt].desc = desc ? xstrdup(desc) : NULL;
	p->att[p->natt].flags = flags;
	p->natt++;
	return 0;
}

int
pdf_attach_file(struct pdf *p, const char *name, const char *path,
		const char *mime, const char *desc, unsigned flags,
		struct cf_err *err)
{
	struct src *s;
	struct stat sb;

	p->err = err;
	if (stat(path, &sb) < 0)
		return cf_err_errno(err, CF_EIO, "cannot read '%s'", path);
	if ((uint64_t)sb.st_size > PDF_ATTACH_MAX)
		return cf_err_set(err, CF_EINPUT, "'%s': too large to attach (%llu bytes)",
				  path, (unsigned long long)sb.st_size);
	if (attach_add(p, name, mime, desc, flags) < 0)
		return -1;
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->fd = -1;
	s->size = (uint64_t)sb.st_size;
	p->att[p->natt - 1].src = s;
	s->next = p->srcs;
	p->srcs = s;
	return 0;
}

int
pdf_attach_mem(struct pdf *p, const char *name, const void *data, size_t n,
	       const char *mime, const char *desc, unsigned flags,
	       struct cf_err *err)
{
	p->err = err;
	if (attach_add(p, name, mime, desc, flags) < 0)
		return -1;
	p->att[p->natt - 1].mem = xmemdup(data, n);
	p->att[p->natt - 1].n = n;
	return 0;
}

static int
cmp_att(const void *a, const void *b)
{
	return strcmp(((const struct attach *)a)->name, ((const struct attach *)b)->name);
}

/* Build the EmbeddedFiles name tree (sorted) with one Filespec per file. */
static int
write_attachments(struct pdf *p)
{
	HPDF_MMgr mm = p->doc->mmgr;
	HPDF_NameDict names;
	HPDF_NameTree tree;
	HPDF_Array arr;
	size_t i;

	if (p->natt == 0)
		return 0;
	qsort(p->att, p->natt, sizeof(*p->att), cmp_att);
	names = HPDF_Catalog_GetNames(p->doc->catalog);
	if (names == NULL) {
		names = HPDF_NameDict_New(mm, p->doc->xref);
		if (hnull(p, names, "attachments") < 0 ||
		    hchk(p, HPDF_Catalog_SetNames(p->doc->catalog, names), "attachments") < 0)
			return -1;
	}
	tree = HPDF_NameTree_New(mm, p->doc->xref);
	if (hnull(p, tree, "attachments") < 0 ||
	    hchk(p, HPDF_NameDict_SetNameTree(names, HPDF_NAME_EMBEDDED_FILES, tree),
		 "attachments") < 0)
		return -1;
	arr = HPDF_Dict_GetItem(tree, "Names", HPDF_OCLASS_ARRAY);
	if (hnull(p, arr, "attachments") < 0)
		return -1;
	for (i = 0; i < p->natt; i++) {
		struct attach *a = &p->att[i];
		HPDF_Dict ef, fs, efd, params;
		HPDF_String key;
		uint64_t size;
		int r = 0;

		if (a->src) {
			if ((ef = file_stream_dict(p, a->src->path, &size)) == NULL)
				return -1;
		} else {
			ef = HPDF_DictStream_New(mm, p->doc->xref);
			if (hnull(p, ef, "attachment") < 0 ||
			    (a->n && hchk(p, HPDF_Stream_Write(ef->stream, a->mem,
							       (HPDF_UINT)a->n), "attachment") < 0))
				return -1;
			size = a->n;
		}
		ef->filter = (a->flags & PDF_ATTACH_STORE) ? HPDF_STREAM_FILTER_NONE
							   : HPDF_STREAM_FILTER_FLATE_DECODE;
		r += HPDF_Dict_AddName(ef, "Type", "EmbeddedFile");
		if (a->mime) {
			/* a name object: '/' becomes #2F */
			r += HPDF_Dict_AddName(ef, "Subtype", a->mime);
		}
		params = HPDF_Dict_New(mm);
		if (hnull(p, params, "attachment") < 0)
			return -1;
		r += HPDF_Dict_Add(ef, "Params", params);
		r += HPDF_Dict_AddNumber(params, "Size", (HPDF_INT32)(size > INT32_MAX ? INT32_MAX : size));
		fs = HPDF_Dict_New(mm);
		if (hnull(p, fs, "attachment") < 0)
			return -1;
		r += HPDF_Xref_Add(p->doc->xref, fs);
		r += HPDF_Dict_AddName(fs, "Type", "Filespec");
		r += HPDF_Dict_Add(fs, "F", HPDF_String_New(mm, a->name, NULL));
		r += HPDF_Dict_Add(fs, "UF", text_string(p, a->name));
		if (a->desc)
			r += HPDF_Dict_Add(fs, "Desc", text_string(p, a->desc));
		efd = HPDF_Dict_New(mm);
		if (hnull(p, efd, "attachment") < 0)
			return -1;
		r += HPDF_Dict_Add(fs, "EF", efd);
		r += HPDF_Dict_Add(efd, "F", ef);
		key = HPDF_String_New(mm, a->name, NULL);
		r += HPDF_Array_Add(arr, key);
		r += HPDF_Array_Add(arr, fs);
		if (hchk(p, r ? HPDF_INVALID_OBJECT : HPDF_OK, "attachment") < 0) {
			cf_err_prefix(p->err, "'%s'", a->name);
			return -1;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ save */

static int
draw_decor(struct pdf *p)
{
	struct cf_buf h = CF_BUF_INIT, fl = CF_BUF_INIT, fr = CF_BUF_INIT;
	size_t i;
	int ret = -1;

	if (p->decor == NULL)
		return 0;
	for (i = 0; i < p->npages; i++) {
		struct line *l;
		size_t nl;
		HPDF_Page pg = p->pages[i];
		const double size = 8;

		cf_buf_reset(&h);
		cf_buf_reset(&fl);
		cf_buf_reset(&fr);
		p->decor(p->decor_arg, (int)i + 1, (int)p->npages, &h, &fl, &fr);
		if (h.len) {
			nl = wrap_text(p, h.data, size, PDF_PAGE_W - 2 * PDF_MARGIN, &l);
			if (nl && draw_line(p, pg, &l[0], PDF_MARGIN, PDF_PAGE_H - 32,
					    size, PDF_TEXT_GREY) < 0) {
				lines_free(l, nl);
				goto out;
			}
			lines_free(l, nl);
			HPDF_Page_SetLineWidth(pg, 0.4f);
			HPDF_Page_SetGrayStroke(pg, 0.6f);
			HPDF_Page_MoveTo(pg, (HPDF_REAL)PDF_MARGIN, (HPDF_REAL)(PDF_PAGE_H - 36));
			HPDF_Page_LineTo(pg, (HPDF_REAL)(PDF_PAGE_W - PDF_MARGIN),
					 (HPDF_REAL)(PDF_PAGE_H - 36));
			if (hchk(p, HPDF_Page_Stroke(pg), "header") < 0)
				goto out;
		}
		if (fl.len) {
			nl = wrap_text(p, fl.data, size, (PDF_PAGE_W - 2 * PDF_MARGIN) / 2, &l);
			if (nl && draw_line(p, pg, &l[0], PDF_MARGIN, 28, size, PDF_TEXT_GREY) < 0) {
				lines_free(l, nl);
				goto out;
			}
			lines_free(l, nl);
		}
		if (fr.len) {
			nl = wrap_text(p, fr.data, size, (PDF_PAGE_W - 2 * PDF_MARGIN) / 2, &l);
			if (nl && draw_line(p, pg, &l[0],
					    PDF_PAGE_W - PDF_MARGIN - line_width(p, &l[0], size),
					    28, size, PDF_TEXT_GREY) < 0) {
				lines_free(l, nl);
				goto out;
			}
			lines_free(l, nl);
		}
	}
	ret = 0;
out:
	cf_buf_release(&h);
	cf_buf_release(&fl);
	cf_buf_release(&fr);
	return ret;
}

/* Replace libharu's code→CID "ToUnicode" with an Adobe-UCS CMap. */
static int
write_tounicode(struct pdf *p)
{
	HPDF_Dict tu = HPDF_Dict_GetItem(p->font, "ToUnicode", HPDF_OCLASS_DICT);
	struct cf_buf b = CF_BUF_INIT, ranges = CF_BUF_INIT, chars = CF_BUF_INIT;
	HPDF_Dict sysinfo;
	unsigned c = 0, nr = 0, nc = 0;
	int r = 0, ret = -1;

	if (tu == NULL) {
		/* no ToUnicode at all: add one */
		tu = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);
		if (hnull(p, tu, "tounicode") < 0 ||
		    hchk(p, HPDF_Dict_Add(p->font, "ToUnicode", tu), "tounicode") < 0)
			return -1;
	}
	HPDF_MemStream_FreeData(tu->stream);
	HPDF_Dict_RemoveElement(tu, "CMapName");
	HPDF_Dict_RemoveElement(tu, "WMode");
	HPDF_Dict_RemoveElement(tu, "Type");
	sysinfo = HPDF_Dict_New(p->doc->mmgr);
	if (hnull(p, sysinfo, "tounicode") < 0)
		return -1;
	r += HPDF_Dict_Add(tu, "CIDSystemInfo", sysinfo);
	r += HPDF_Dict_Add(sysinfo, "Registry", HPDF_String_New(p->doc->mmgr, "Adobe", NULL));
	r += HPDF_Dict_Add(sysinfo, "Ordering", HPDF_String_New(p->doc->mmgr, "UCS", NULL));
	r += HPDF_Dict_AddNumber(sysinfo, "Supplement", 0);
	r += HPDF_Dict_AddName(tu, "CMapName", "Adobe-Identity-UCS");
	if (hchk(p, r ? HPDF_INVALID_OBJECT : HPDF_OK, "tounicode") < 0)
		return -1;
	tu->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
	/* used codes in runs inside one high byte: bfrange, singles: bfchar */
	while (c < 65536) {
		unsigned e;

		if (!(p->used[c >> 3] & (1u << (c & 7)))) {
			c++;
			continue;
		}
		for (e = c; e + 1 < 65536 && (e + 1) >> 8 == c >> 8 &&
			    (p->used[(e + 1) >> 3] & (1u << ((e + 1) & 7))); e++)
			;
		if (e > c) {
			if (nr % 100 == 0)
				cf_buf_addf(&ranges, "%sBEGINR\n", nr ? "endbfrange\n" : "");
			cf_buf_addf(&ranges, "<%04X> <%04X> <%04X>\n", c, e, c);
			nr++;
		} else {
			if (nc % 100 == 0)
				cf_buf_addf(&chars, "%sBEGINC\n", nc ? "endbfchar\n" : "");
			cf_buf_addf(&chars, "<%04X> <%04X>\n", c, c);
			nc++;
		}
		c = e + 1;
	}
	cf_buf_addstr(&b,
		      "/CIDInit /ProcSet findresource begin\n"
		      "12 dict begin\n"
		      "begincmap\n"
		      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
		      "/CMapName /Adobe-Identity-UCS def\n"
		      "/CMapType 2 def\n"
		      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
	/* expand the block markers with their counts */
	{
		const char *s;
		unsigned left = nr;

		for (s = ranges.data; *s;) {
			const char *nlp = strchr(s, '\n');

			if (strncmp(s, "BEGINR", 6) == 0) {
				cf_buf_addf(&b, "%u beginbfrange\n", left > 100 ? 100 : left);
				left -= left > 100 ? 100 : left;
			} else {
				cf_buf_add(&b, s, (size_t)(nlp - s) + 1);
			}
			s = nlp + 1;
		}
		if (nr)
			cf_buf_addstr(&b, "endbfrange\n");
		left = nc;
		for (s = chars.data; *s;) {
			const char *nlp = strchr(s, '\n');

			if (strncmp(s, "BEGINC", 6) == 0) {
				cf_buf_addf(&b, "%u beginbfchar\n", left > 100 ? 100 : left);
				left -= left > 100 ? 100 : left;
			} else {
				cf_buf_add(&b, s, (size_t)(nlp - s) + 1);
			}
			s = nlp + 1;
		}
		if (nc)
			cf_buf_addstr(&b, "endbfchar\n");
	}
	cf_buf_addstr(&b, "endcmap\n"
		      "CMapName currentdict /CMap defineresource pop\n"
		      "end\nend\n");
	if (hchk(p, HPDF_Stream_Write(tu->stream, (HPDF_BYTE *)b.data, (HPDF_UINT)b.len),
		 "tounicode") < 0)
		goto out;
	ret = 0;
out:
	cf_buf_release(&b);
	cf_buf_release(&ranges);
	cf_buf_release(&chars);
	return ret;
}

/*
 * The most bytes the saved PDF can take: every streamed file and every
 * in-memory stream (deflate adds at most ~0.03% plus a few bytes; libharu
 * adds nothing else), the font file, a bound per object and 16 MiB for the
 * rest.  A writer that passes it runs away (issue 11: a stream that never
 * reached its end), and the save stops instead of filling the disk.
 */
static uint64_t
save_limit(struct pdf *p)
{
	HPDF_Xref x = p->doc->xref;
	uint64_t sum = (16u << 20) + 2 * p->font_size;
	const struct src *s;
	HPDF_UINT i;

	for (s = p->srcs; s; s = s->next)
		if (s->streamed)
			sum += s->size + s->size / 256 + 1024;
	for (; x; x = x->prev) {
		for (i = 0; i < x->entries->count; i++) {
			HPDF_XrefEntry e = HPDF_List_ItemAt(x->entries, i);
			HPDF_Obj_Header *h = e ? (HPDF_Obj_Header *)e->obj : NULL;

			sum += 1024;
			if (h && (h->obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_DICT) {
				HPDF_Dict d = e->obj;

				if (d->stream && d->stream->type == HPDF_STREAM_MEMORY)
					sum += d->stream->size + d->stream->size / 256 + 1024;
			}
		}
	}
	return sum;
}

/* The libharu writer of pdf_save(): into the outfile, counted and bounded. */
struct save_sink {
	struct pdf *p;
	struct outfile *of;
	int failed;
};

static HPDF_STATUS
sink_write(HPDF_Stream st, const HPDF_BYTE *ptr, HPDF_UINT siz)
{
	struct save_sink *k = st->attr;

	if (k->failed)
		return HPDF_FILE_IO_ERROR;
	if (outfile_write(k->of, ptr, siz, k->p->err) < 0) {
		k->failed = 1;
		return HPDF_SetError(st->error, HPDF_FILE_IO_ERROR,
				     k->p->err ? (HPDF_STATUS)k->p->err->sys_errno : EIO);
	}
	return HPDF_OK;
}

void
pdf_set_max_bytes(struct pdf *p, uint64_t max)
{
	p->max_bytes = max > PDF_SAVE_MAX ? 0 : max;
}

int
pdf_save(struct pdf *p, const char *path, pdf_presave_fn hook, void *hook_arg,
	 struct cf_err *err)
{
	HPDF_TTFontDefAttr ta = (HPDF_TTFontDefAttr)p->fontdef->attr;
	struct save_sink sink = { NULL, NULL, 0 };
	HPDF_Stream st = NULL;
	uint64_t limit;
	int ret = -1;

	p->err = err;
	if (p->saved)
		return cf_err_set(err, CF_EPDF, "document already saved");
	p->saved = 1;
	if (p->npages == 0 && pdf_page_new(p, err) < 0)
		return -1;
	if (draw_decor(p) < 0 || write_attachments(p) < 0)
		return -1;
	/* U+0020 is always used by libharu for spacing; harmless to map */
	ttf_mark_composites(&p->ttf, ta->glyph_tbl.flgs, ta->num_glyphs);
	if (write_tounicode(p) < 0)
		return -1;
	limit = save_limit(p);
	if (limit > (p->max_bytes ? p->max_bytes : PDF_SAVE_MAX)) {
		if (p->max_bytes)
			return cf_err_set(err, CF_EINPUT,
					  "cannot write '%s': the PDF could reach %" PRIu64 " bytes, "
					  "more than its limit of %" PRIu64 " bytes; attach less",
					  path, limit, p->max_bytes);
		return cf_err_set(err, CF_EINPUT,
				  "cannot write '%s': the PDF could reach %" PRIu64 " bytes; "
				  "libharu 2.3.0 writes PDFs over 2 GiB damaged (%llu bytes at "
				  "most); attach less", path, limit, PDF_SAVE_MAX);
	}
	if (outfile_open(path, limit, &sink.of, err) < 0)
		return -1;
	sink.p = p;
	st = HPDF_CallbackWriter_New(p->doc->mmgr, sink_write, &sink);
	if (hnull(p, st, "cannot write the PDF") < 0)
		goto out;
	if (p->doc->stream)
		HPDF_Stream_Free(p->doc->stream);
	p->doc->stream = st;	/* HPDF_SaveToStream writes to doc->stream */
	if (HPDF_SaveToStream(p->doc) != HPDF_OK || p->herr) {
		if (sink.failed) {	/* err names the path and the cause */
			p->herr = 0;
			HPDF_ResetError(p->doc);
		} else {
			hchk(p, HPDF_INVALID_DOCUMENT, "cannot write the PDF");
			cf_err_prefix(err, "'%s'", path);
		}
		goto out;
	}
	if (hook) {
		/* the hook makes path from the complete, unnamed PDF */
		if (fchmod(outfile_fd(sink.of), 0644) < 0) {
			outfile_err(sink.of, errno, err);
			goto out;
		}
		if (hook(hook_arg, outfile_tmp_path(sink.of), path, err) < 0)
			goto out;
	} else if (outfile_commit(sink.of, 0644, err) < 0) {
		goto out;
	}
	ret = 0;
out:
	if (st)
		st->attr = NULL;	/* sink is gone; the stream is freed with doc */
	outfile_close(sink.of);
	return ret;
}

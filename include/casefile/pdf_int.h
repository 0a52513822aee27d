/* SPDX-License-Identifier: MIT */
/*
 * pdf_int — what the files of the PDF writer (src/pdf/pdf*.c, see pdf.c)
 * share; not for other modules.
 *
 * struct pdf is the writer's state.  Every API function points p->err at
 * its caller's cf_err on entry; libharu reports through haru_error() into
 * it.  Only pdf_haru.c touches libharu's private structures: the rest use
 * hpdf.h's API and the haru_*() functions below.
 */
#ifndef CASEFILE_PDF_INT_H
#define CASEFILE_PDF_INT_H

#include <stddef.h>
#include <stdint.h>

#include <hpdf.h>
#include <zlib.h>

#include "casefile/err.h"
#include "casefile/pdf.h"

struct outfile;

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

/* Deflate rows into an image XObject's memory stream. */
struct zsink {
	z_stream z;
	HPDF_Stream st;
	unsigned char buf[65536];
};

/* Big-endian 16 and 32-bit numbers (TrueType tables, JPEG markers). */
static inline unsigned
be16(const unsigned char *b)
{
	return (unsigned)b[0] << 8 | b[1];
}

static inline uint32_t
be32(const unsigned char *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* pdf_font.c: map the font file and find glyf/loca/head/maxp of font 0. */
int ttf_open(struct ttf *t, const char *path, struct cf_err *err);
void ttf_close(struct ttf *t);
/* Byte range of glyph gid inside glyf; 0 when empty or out of range. */
int ttf_glyph(const struct ttf *t, unsigned gid, size_t *off, size_t *len);
/* Flag every component of every flagged glyph in flgs[0..nflgs). */
int ttf_mark_composites(const struct ttf *t, HPDF_BYTE *flgs, unsigned nflgs);

/* pdf_layout.c: draw the decor callback's header and footer on every page. */
int layout_decor(struct pdf *p);

/* pdf_haru.c: the HPDF error handler (user_data = p). */
void haru_error(HPDF_STATUS code, HPDF_STATUS detail, void *arg);
/* Check one HPDF status; on failure make sure p->err says something; 0 or -1. */
int haru_chk(struct pdf *p, HPDF_STATUS st, const char *what);
/* Same for an object that libharu returned (NULL: failed). */
int haru_null(struct pdf *p, const void *obj, const char *what);
/* After the font is loaded: take its definition, check its glyph count and choose the substitute. */
int haru_font_init(struct pdf *p, const char *font_path, struct cf_err *err);
/* The glyph id of BMP code c (0: none), and a glyph's advance width. */
unsigned haru_gid(struct pdf *p, unsigned c);
int haru_gid_width(struct pdf *p, unsigned gid);
/* Mark the components of used composite glyphs in libharu's subset table. */
void haru_mark_composites(struct pdf *p);
/* Text string for info/outline/filespec: UTF-16BE with BOM, as binary. */
HPDF_Binary haru_text_string(struct pdf *p, const char *utf8);
/* d[key] = utf8 as a text string; d NULL: the document's info dictionary. */
int haru_set_text(struct pdf *p, HPDF_Dict d, const char *key, const char *utf8,
		  const char *what);
/* A stream dict whose data is read from path when the PDF is written. */
HPDF_Dict haru_file_stream(struct pdf *p, const char *path, uint64_t *size);
/* Make d (NULL: a new stream dict) an image XObject of w x h in colour space cs. */
HPDF_Dict haru_image_dict(struct pdf *p, unsigned w, unsigned h, const char *cs, HPDF_Dict d);
/* A DCT image XObject streamed from the JPEG file path; inverted: Adobe CMYK. */
HPDF_Dict haru_jpeg_dict(struct pdf *p, const char *path, unsigned w, unsigned h,
			 const char *cs, int inverted);
/* A DeviceRGB image XObject whose rows go through zs (deflated by us). */
HPDF_Dict haru_raw_image_begin(struct pdf *p, unsigned w, unsigned h, struct zsink *zs);
/* Deflate data[0..n) into zs's stream (flush: a zlib flush mode). */
int haru_zsink_put(struct pdf *p, struct zsink *zs, const void *data, size_t n, int flush);
/* Empty an image abandoned half way (libharu cannot drop objects). */
void haru_orphan_image(HPDF_Dict d);
/* The EmbeddedFiles name tree (sorted) with one Filespec per attachment. */
int haru_write_attachments(struct pdf *p);
/* Replace libharu's code→CID "ToUnicode" with an Adobe-UCS CMap of the drawn codes. */
int haru_write_tounicode(struct pdf *p);
/* The most bytes the saved PDF can take (see pdf_haru.c). */
uint64_t haru_save_limit(struct pdf *p);
/* Write the document into of; 0, or -1 with p->err set (naming path). */
int haru_write(struct pdf *p, struct outfile *of, const char *path);

#endif

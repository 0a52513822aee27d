/* SPDX-License-Identifier: MIT */
/*
 * pdf — a small flowing-layout PDF writer on top of libharu 2.3.0.
 *
 * The dossier and the stats report draw with it: one document, one
 * embedded CJK TrueType font (WenQuanYi Micro Hei: Latin, CJK, Hangul),
 * A4 pages with a header and footer drawn when the page count is known,
 * UTF-8 paragraphs wrapped at the margin, simple tables, images, outlines,
 * embedded files, and text, rectangles and lines at absolute positions.  Nothing is printed; every failure fills a cf_err.
 *
 * Invariants and the libharu 2.3.0 workarounds this module owns:
 *  - libharu's error handler records into the cf_err of the API call in
 *    progress (no longjmp); every HPDF call's status is checked.
 *  - Text is UTF-8.  Characters outside the BMP or missing from the font
 *    are drawn as a visible substitute (U+25A1 "□", else '?') that takes one
 *    glyph's room; the layout never sees a code libharu cannot encode.
 *  - Before saving, every component of every used composite glyph is
 *    marked used, recursively (2.3.0's subsetter drops them: 語 → 吾), and
 *    the font's /ToUnicode is replaced by a proper bfchar/bfrange CMap
 *    (Adobe-UCS) covering exactly the codes used.
 *  - Wrapping: a break is allowed between any two CJK characters and at
 *    spaces between Latin words; a word longer than the line (URL, hash)
 *    is broken between characters; no line passes the right margin.
 *  - Images: JPEG is embedded as is (DCTDecode, CMYK too), streamed from
 *    its file at save time; EXIF orientation is applied by the drawing
 *    matrix.  PNG (any depth/interlace/palette) and WebP are decoded to
 *    8-bit RGB and deflated at load.  Images above PDF_IMAGE_MAX_PIXELS
 *    are refused before decoding.
 *  - Attachments are named by the caller (never a path) and streamed from
 *    their file at save time; already-compressed data is stored without
 *    Flate.  The embedded-files name tree is sorted by name.
 *  - pdf_save() writes an unnamed temp file beside the target (outfile.h)
 *    and gives it the target's name when complete, or lets a hook (signing)
 *    make the target from it: never a half PDF at the target path, nothing
 *    left by a crash, and a save that grows past what its inputs can make
 *    stops with an error instead of filling the disk.
 */
#ifndef CASEFILE_PDF_H
#define CASEFILE_PDF_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/buf.h"
#include "casefile/err.h"

struct pdf;
struct pdf_image;

/* Page geometry in points (A4). */
#define PDF_PAGE_W 595.276
#define PDF_PAGE_H 841.89
#define PDF_MARGIN 50.0

/* Refuse to rasterise images with more pixels than this (card instead). */
#define PDF_IMAGE_MAX_PIXELS (60u * 1000u * 1000u)

/*
 * Find the default font: <fonts_dir>/<file> (fonts_dir is what
 * $CASEFILE_FONTS names, read by main into the context; NULL or "": skip),
 * then fonts/<file>, then CASEFILE_DATADIR/fonts, then the Debian path
 * /usr/share/fonts/truetype/wqy/wqy-microhei.ttc.  Returns a malloc'd path,
 * or NULL with CF_ENOTFOUND naming the places looked at.
 */
char *pdf_font_find(const char *fonts_dir, struct cf_err *err);

/*
 * Create a document using the TrueType/TTC font at font_path (NULL: use
 * pdf_font_find(NULL)).  *out is freed with pdf_free().
 */
int pdf_new(const char *font_path, struct pdf **out, struct cf_err *err);
/* Free everything (unsaved work is dropped).  Accepts NULL. */
void pdf_free(struct pdf *p);

/*
 * Document info (UTF-8; NULL leaves a field unset).  created is UTC seconds,
 * written with the offset tz_offset (seconds east of UTC).
 */
int pdf_set_info(struct pdf *p, const char *title, const char *author,
		 const char *subject, long long created, long tz_offset,
		 struct cf_err *err);

/*
 * Header/footer callback, called by pdf_save() for every page (1-based
 * page of npages); fill any of the three buffers with UTF-8 text.
 */
typedef void (*pdf_decor_fn)(void *arg, int page, int npages,
			     struct cf_buf *header, struct cf_buf *foot_left,
			     struct cf_buf *foot_right);
void pdf_set_decor(struct pdf *p, pdf_decor_fn fn, void *arg);

/* Start a new page; the cursor goes to the top margin. */
int pdf_page_new(struct pdf *p, struct cf_err *err);
int pdf_page_count(const struct pdf *p);
/* Points left between the cursor and the bottom margin (0 without page). */
double pdf_space_left(const struct pdf *p);
/* Width between the margins minus the current indent. */
double pdf_content_width(const struct pdf *p);
/* Left indent (points) for following text; 0 to reset. */
void pdf_set_indent(struct pdf *p, double pts);
/* Move the cursor down; a new page when it would pass the bottom. */
int pdf_vspace(struct pdf *p, double pts, struct cf_err *err);
/* A new page unless at least pts are left on this one. */
int pdf_need(struct pdf *p, double pts, struct cf_err *err);

enum pdf_text_flags {
	PDF_TEXT_BOLD = 1 << 0,		/* fill + thin stroke */
	PDF_TEXT_CENTER = 1 << 1,
	PDF_TEXT_GREY = 1 << 2,
	PDF_TEXT_RULE = 1 << 3,		/* table: rule under the row */
	PDF_TEXT_SHADE = 1 << 4,	/* table: grey background (header) */
	PDF_TEXT_RIGHT = 1 << 5,	/* pdf_text_at: x is the right edge */
};

/*
 * A paragraph at the cursor, wrapped to the content width, continuing on
 * new pages as needed.  '\n' forces a line break.  size in points.
 */
int pdf_text(struct pdf *p, const char *utf8, double size, unsigned flags,
	     struct cf_err *err);

/*
 * Wrap utf8 to width points at size; *lines gets n malloc'd UTF-8 lines
 * (substitutes already applied), freed with pdf_lines_free().  For tests
 * and for callers that measure before drawing.
 */
int pdf_wrap(struct pdf *p, const char *utf8, double size, double width,
	     char ***lines, size_t *n, struct cf_err *err);
void pdf_lines_free(char **lines, size_t n);
/* Width in points of one line of text (after substitution). */
double pdf_text_width(struct pdf *p, const char *utf8, double size);

/*
 * One table row: ncols cells, widths as fractions of the content width
 * (summing to <= 1).  Cells wrap; a row taller than the page continues on
 * the next page line by line.  Flags: BOLD, GREY, RULE, SHADE.
 */
int pdf_table_row(struct pdf *p, int ncols, const double *widths,
		  const char *const *cells, double size, unsigned flags,
		  struct cf_err *err);

/*
 * Drawing at absolute positions on the current page (charts), in points
 * from the page's bottom-left corner; the cursor does not move.  All fail
 * with CF_EPDF when there is no page yet (pdf_page_new first).
 *
 * pdf_text_at: one line of UTF-8 (a '\n' draws as a space; no wrapping,
 * substitutes as pdf_text) with its baseline at y; x is the left edge, the
 * centre with PDF_TEXT_CENTER, the right edge with PDF_TEXT_RIGHT.  BOLD
 * and GREY as pdf_text.
 * pdf_rect: a rectangle filled with the colour rgb (components 0..1).
 * pdf_line: a line of width w points in grey level grey (0 black, 1 white).
 */
int pdf_text_at(struct pdf *p, double x, double y, const char *utf8,
		double size, unsigned flags, struct cf_err *err);
int pdf_rect(struct pdf *p, double x, double y, double w, double h,
	     const double rgb[3], struct cf_err *err);
int pdf_line(struct pdf *p, double x0, double y0, double x1, double y1,
	     double w, double grey, struct cf_err *err);

/* A framed box of wrapped text (cards, notes), kept on one page if it fits. */
int pdf_box(struct pdf *p, const char *utf8, double size, unsigned flags,
	    struct cf_err *err);

/*
 * Add an outline entry pointing at the cursor's page and height, under
 * parent (0 = top level; else an id returned before).  *id (may be NULL)
 * gets the new entry's id.
 */
int pdf_outline_add(struct pdf *p, int parent, const char *title, int *id,
		    struct cf_err *err);

/*
 * Load an image file (JPEG, PNG, WebP; detected by content).  orientation
 * is EXIF 1..8, or 0 to read it from the JPEG's EXIF.  On success *out is
 * owned by p (valid until pdf_free).  Fails with CF_EINPUT and a reason
 * ("unsupported image format", "image too large: 20000x20000 pixels",
 * "corrupt JPEG: ...") so the caller can draw a card instead; p is
 * unchanged then.
 */
int pdf_image_load(struct pdf *p, const char *path, int orientation,
		   struct pdf_image **out, struct cf_err *err);
/* Displayed size in pixels (after orientation). */
void pdf_image_size(const struct pdf_image *img, unsigned *w, unsigned *h);
/*
 * Draw img at the cursor, centred, scaled to fit the content width and
 * max_h points (capped at the page's text height), EXIF orientation
 * applied by the drawing matrix.  Starts a new page when it does not fit
 * below the cursor; moves the cursor below the image.
 */
int pdf_image_place(struct pdf *p, struct pdf_image *img, double max_h,
		    struct cf_err *err);

/*
 * The largest PDF pdf_save() writes: the ten digits of a cross-reference
 * entry (BIGXREF_MAX).  libharu 2.3.0 itself writes offsets past 2 GiB - 1
 * wrong; pdf_save() corrects them as they are written (bigxref.h, issue 19).
 */
#define PDF_SAVE_MAX 9999999999ull

/*
 * Lower the largest PDF pdf_save() may write (e.g. the vault setting
 * dossier.max_bytes); 0 or anything above PDF_SAVE_MAX means PDF_SAVE_MAX.
 */
void pdf_set_max_bytes(struct pdf *p, uint64_t max);

/* The largest file pdf_attach_file() can embed (libharu's 32-bit lengths). */
#define PDF_ATTACH_MAX 0x7FFFFFF0ull

enum pdf_attach_flags {
	PDF_ATTACH_STORE = 1 << 0,	/* no Flate (already compressed) */
};
/*
 * Attach the file at path as an embedded file named name (UTF-8; any '/'
 * or '\\' is refused).  The bytes are read at pdf_save() time, streamed.
 * mime may be NULL.  A name used twice is refused (CF_EINPUT).
 */
int pdf_attach_file(struct pdf *p, const char *name, const char *path,
		    const char *mime, const char *desc, unsigned flags,
		    struct cf_err *err);
/* Same from memory (copied). */
int pdf_attach_mem(struct pdf *p, const char *name, const void *data,
		   size_t n, const char *mime, const char *desc,
		   unsigned flags, struct cf_err *err);
/* 1 when data of this MIME type / file name is already compressed. */
int pdf_is_compressed(const char *mime, const char *name);

/*
 * Called by pdf_save() with the complete PDF, readable at tmp_path (an
 * unnamed file's /proc path, or a temporary name), instead of renaming it:
 * the hook writes out_path itself, as one atomic step (e.g.
 * pades_sign_file(tmp_path, out_path): the signed copy).  Return 0, or -1
 * with err set (out_path untouched).  The temp file is removed after.
 */
typedef int (*pdf_presave_fn)(void *arg, const char *tmp_path,
			      const char *out_path, struct cf_err *err);

/*
 * Draw headers/footers, fix the font (composite glyphs, ToUnicode), write
 * the PDF to a temp file (outfile_open(): unnamed where possible, leftovers
 * of dead writers of path removed first, limited to what the inputs can
 * make), then either run hook (which makes path) or fsync it and give it
 * the name path, and fsync the directory.  On failure path is untouched,
 * no temp file remains, and err names path and the cause ("No space left
 * on device").  When what the document can reach (the same bound: every
 * attached file and stream, the font, a margin) passes the largest PDF
 * (PDF_SAVE_MAX or pdf_set_max_bytes), nothing is written and the error is
 * CF_EINPUT, saying both sizes.  A document is saved at most once.
 */
int pdf_save(struct pdf *p, const char *path, pdf_presave_fn hook,
	     void *hook_arg, struct cf_err *err);

#endif

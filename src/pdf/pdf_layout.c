/* SPDX-License-Identifier: MIT */
/*
 * pdf_layout — text measuring and wrapping, pages, tables, boxes, outlines
 * and the header/footer decor of the PDF writer (contracts in pdf.h).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "casefile/buf.h"
#include "casefile/pdf.h"
#include "casefile/pdf_int.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"

/* -------------------------------------------------------------- text */

static int
char_width(struct pdf *p, unsigned c)
{
	if (p->widths[c] == INT16_MIN) {
		unsigned gid = haru_gid(p, c);

		p->widths[c] = gid || c == 0 ? (int16_t)haru_gid_width(p, gid) : -1;
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
	char u[4];

	cf_buf_add(b, u, textenc_utf8_put(u, c));
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
	size_t len = strlen(utf8), i = 0, k = 0;
	unsigned *codes = xmalloc((len + 1) * sizeof(*codes));

	while (i < len) {
		unsigned c;

		i += textenc_utf8_next(utf8 + i, len - i, &c);
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
	if (haru_chk(p, HPDF_Page_BeginText(page), "text") < 0)
		goto out;
	if (haru_chk(p, HPDF_Page_SetFontAndSize(page, p->font, (HPDF_REAL)size), "font") < 0)
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
	if (haru_chk(p, HPDF_Page_TextOut(page, (HPDF_REAL)x, (HPDF_REAL)y, b.data), "text") < 0)
		goto end;
	ret = 0;
end:
	if (haru_chk(p, HPDF_Page_EndText(page), "text") < 0)
		ret = -1;
	HPDF_Page_SetRGBFill(page, 0, 0, 0);
out:
	cf_buf_release(&b);
	return ret;
}

/* ------------------------------------------------------------- pages */

int
pdf_page_new(struct pdf *p, struct cf_err *err)
{
	HPDF_Page page;

	p->err = err;
	page = HPDF_AddPage(p->doc);
	if (haru_null(p, page, "cannot add a page") < 0)
		return -1;
	if (haru_chk(p, HPDF_Page_SetWidth(page, (HPDF_REAL)PDF_PAGE_W), "page") < 0 ||
	    haru_chk(p, HPDF_Page_SetHeight(page, (HPDF_REAL)PDF_PAGE_H), "page") < 0)
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
		if (haru_chk(p, HPDF_Page_Fill(p->page), "table") < 0)
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
		if (haru_chk(p, HPDF_Page_Stroke(p->page), "table") < 0)
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
	if (haru_chk(p, HPDF_Page_SetRGBFill(p->page, (HPDF_REAL)rgb[0], (HPDF_REAL)rgb[1],
					 (HPDF_REAL)rgb[2]), "rectangle") < 0 ||
	    haru_chk(p, HPDF_Page_Rectangle(p->page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w,
					(HPDF_REAL)h), "rectangle") < 0 ||
	    haru_chk(p, HPDF_Page_Fill(p->page), "rectangle") < 0)
		return -1;
	return haru_chk(p, HPDF_Page_SetRGBFill(p->page, 0, 0, 0), "rectangle");
}

int
pdf_line(struct pdf *p, double x0, double y0, double x1, double y1, double w,
	 double grey, struct cf_err *err)
{
	p->err = err;
	if (p->page == NULL)
		return cf_err_set(err, CF_EPDF, "line: no page");
	if (haru_chk(p, HPDF_Page_SetLineWidth(p->page, (HPDF_REAL)w), "line") < 0 ||
	    haru_chk(p, HPDF_Page_SetGrayStroke(p->page, (HPDF_REAL)grey), "line") < 0 ||
	    haru_chk(p, HPDF_Page_MoveTo(p->page, (HPDF_REAL)x0, (HPDF_REAL)y0), "line") < 0 ||
	    haru_chk(p, HPDF_Page_LineTo(p->page, (HPDF_REAL)x1, (HPDF_REAL)y1), "line") < 0 ||
	    haru_chk(p, HPDF_Page_Stroke(p->page), "line") < 0)
		return -1;
	return haru_chk(p, HPDF_Page_SetGrayStroke(p->page, 0), "line");
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
			if (haru_chk(p, HPDF_Page_Stroke(p->page), "box") < 0 ||
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
	if (haru_chk(p, HPDF_Page_Stroke(p->page), "box") < 0)
		goto out;
	ret = 0;
out:
	lines_free(l, nl);
	return ret;
}

/* ---------------------------------------------------------- outlines */

int
pdf_outline_add(struct pdf *p, int parent, const char *title, int *id,
		struct cf_err *err)
{
	HPDF_Outline o, par = NULL;
	HPDF_Destination dst;

	p->err = err;
	if (p->page == NULL && pdf_page_new(p, err) < 0)
		return -1;
	if (parent > 0 && (size_t)parent <= p->noutl)
		par = p->outl[parent - 1].o;
	o = HPDF_CreateOutline(p->doc, par, "-", NULL);
	if (haru_null(p, o, "outline") < 0)
		return -1;
	if (haru_set_text(p, o, "Title", title, "outline") < 0)
		return -1;
	dst = HPDF_Page_CreateDestination(p->page);
	if (haru_null(p, dst, "outline") < 0 ||
	    haru_chk(p, HPDF_Destination_SetFitH(dst, (HPDF_REAL)(p->y + 10)), "outline") < 0 ||
	    haru_chk(p, HPDF_Outline_SetDestination(o, dst), "outline") < 0 ||
	    haru_chk(p, HPDF_Outline_SetOpened(o, HPDF_FALSE), "outline") < 0)
		return -1;
	p->outl = xreallocarray(p->outl, p->noutl + 1, sizeof(*p->outl));
	p->outl[p->noutl++].o = o;
	if (id)
		*id = (int)p->noutl;
	return 0;
}

/* ------------------------------------------------------------- decor */

int
layout_decor(struct pdf *p)
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
			if (haru_chk(p, HPDF_Page_Stroke(pg), "header") < 0)
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

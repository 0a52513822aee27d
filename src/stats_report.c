/* SPDX-License-Identifier: MIT */
/*
 * stats_report — the statistics as a chart PDF, drawn with public libharu
 * calls only (the dossier's src/pdf.c was not on main when this was
 * written; switch to it once it is).
 *
 * Text is UTF-8 through HPDF_UseUTFEncodings and WenQuanYi Micro Hei (a
 * TrueType collection covering Latin and CJK) loaded with
 * HPDF_LoadTTFontFromFile2, embedded.  Known limit: libharu 2.3.0 maps some
 * CJK glyphs of composite outlines wrongly; labels here are short reason
 * names, and each is followed by its ASCII code so the chart stays readable.
 *
 * libharu errors go to an HPDF_Error_Handler that records the first one in
 * the struct cf_err passed as user data (no longjmp); the document is
 * checked after drawing and only then saved, to a temporary name renamed
 * into place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpdf.h>

#include "casefile/cftime.h"
#include "casefile/dispute.h"
#include "casefile/money.h"
#include "casefile/stats_report.h"
#include "casefile/xalloc.h"

#define FONT_NAME "wqy-microhei.ttc"
#define SYSTEM_FONT "/usr/share/fonts/truetype/wqy/" FONT_NAME

#ifndef CASEFILE_DATADIR
#define CASEFILE_DATADIR "/usr/local/share/casefile"
#endif

struct rep {
	HPDF_Doc pdf;
	HPDF_Font font;
	struct cf_err *err;
	int failed;
};

static void
on_error(HPDF_STATUS code, HPDF_STATUS detail, void *user)
{
	struct rep *r = user;

	if (r->failed++)
		return;
	cf_err_set(r->err, CF_EPDF, "libharu error 0x%04x (detail %u)",
		   (unsigned)code, (unsigned)detail);
}

static char *
find_font(void)
{
	const char *env = getenv("CASEFILE_FONTS");
	char *p;

	if (env && *env) {
		p = xasprintf("%s/%s", env, FONT_NAME);
		if (access(p, R_OK) == 0)
			return p;
		free(p);
	}
	if (access(CASEFILE_DATADIR "/fonts/" FONT_NAME, R_OK) == 0)
		return xstrdup(CASEFILE_DATADIR "/fonts/" FONT_NAME);
	if (access(SYSTEM_FONT, R_OK) == 0)
		return xstrdup(SYSTEM_FONT);
	return NULL;
}

static const float palette[][3] = {
	{ 0.12f, 0.47f, 0.71f }, { 1.00f, 0.50f, 0.05f }, { 0.17f, 0.63f, 0.17f },
	{ 0.84f, 0.15f, 0.16f }, { 0.58f, 0.40f, 0.74f }, { 0.55f, 0.34f, 0.29f },
	{ 0.89f, 0.47f, 0.76f }, { 0.50f, 0.50f, 0.50f }, { 0.74f, 0.74f, 0.13f },
	{ 0.09f, 0.75f, 0.81f },
};

static void
text(struct rep *r, HPDF_Page pg, float size, float x, float y, const char *s)
{
	HPDF_Page_BeginText(pg);
	HPDF_Page_SetFontAndSize(pg, r->font, size);
	HPDF_Page_TextOut(pg, x, y, s);
	HPDF_Page_EndText(pg);
}

static void
text_right(struct rep *r, HPDF_Page pg, float size, float x, float y, const char *s)
{
	float w;

	HPDF_Page_SetFontAndSize(pg, r->font, size);
	w = HPDF_Page_TextWidth(pg, s);
	text(r, pg, size, x - w, y, s);
}

static void
rect(HPDF_Page pg, const float *rgb, float x, float y, float w, float h)
{
	HPDF_Page_SetRGBFill(pg, rgb[0], rgb[1], rgb[2]);
	HPDF_Page_Rectangle(pg, x, y, w, h);
	HPDF_Page_Fill(pg);
}

static HPDF_Page
new_page(struct rep *r, const char *title, int pageno)
{
	HPDF_Page pg = HPDF_AddPage(r->pdf);
	char foot[32];

	HPDF_Page_SetSize(pg, HPDF_PAGE_SIZE_A4, HPDF_PAGE_LANDSCAPE);
	HPDF_Page_SetRGBFill(pg, 0, 0, 0);
	text(r, pg, 16, 40, HPDF_Page_GetHeight(pg) - 50, title);
	snprintf(foot, sizeof(foot), "%d", pageno);
	text_right(r, pg, 9, HPDF_Page_GetWidth(pg) - 40, 25, foot);
	return pg;
}

/* Round up to a "nice" axis maximum: 1, 2, 5 × 10^k. */
static long long
nice_max(long long v)
{
	long long m = 1;

	if (v <= 0)
		return 1;
	for (;;) {
		if (v <= m)
			return m;
		if (v <= 2 * m)
			return 2 * m;
		if (v <= 5 * m)
			return 5 * m;
		m *= 10;
	}
}

static void
chart_months(struct rep *r, const struct stats *s, HPDF_Page pg)
{
	const char *const *rs = dispute_reasons();
	float x0 = 60, y0 = 110, w = 560, h = 330, bw, gap;
	long long maxc = 0, top;
	size_t i, j;
	char buf[64];

	for (i = 0; i < s->month.n; i++)
		if (s->month.rows[i].count > maxc)
			maxc = s->month.rows[i].count;
	top = nice_max(maxc);
	HPDF_Page_SetRGBFill(pg, 0, 0, 0);
	text(r, pg, 11, x0, y0 + h + 20, "每月纠纷数（按原因堆叠） Disputes per month, stacked by reason");
	HPDF_Page_SetRGBStroke(pg, 0.6f, 0.6f, 0.6f);
	HPDF_Page_SetLineWidth(pg, 0.5f);
	for (i = 0; i <= 4; i++) {
		float y = y0 + h * (float)i / 4;

		HPDF_Page_MoveTo(pg, x0, y);
		HPDF_Page_LineTo(pg, x0 + w, y);
		HPDF_Page_Stroke(pg);
		snprintf(buf, sizeof(buf), "%lld", top * (long long)i / 4);
		HPDF_Page_SetRGBFill(pg, 0, 0, 0);
		text_right(r, pg, 8, x0 - 4, y - 3, buf);
	}
	if (s->month.n == 0) {
		text(r, pg, 10, x0 + 10, y0 + h / 2, "(no disputes)");
		return;
	}
	gap = w / (float)s->month.n;
	bw = gap * 0.7f;
	for (i = 0; i < s->month.n; i++) {
		const struct stats_row *m = &s->month.rows[i];
		float x = x0 + gap * (float)i + (gap - bw) / 2, y = y0;

		for (j = 0; j < s->nreasons; j++) {
			float bh = h * (float)m->per_reason[j] / (float)top;

			if (m->per_reason[j] == 0)
				continue;
			rect(pg, palette[j % 10], x, y, bw, bh);
			y += bh;
		}
		HPDF_Page_SetRGBFill(pg, 0, 0, 0);
		snprintf(buf, sizeof(buf), "%ld", m->count);
		text(r, pg, 7, x, y + 3, buf);
		if (s->month.n <= 24 || i % ((s->month.n + 23) / 24) == 0)
			text(r, pg, 7, x, y0 - 12, m->key);
	}
	/* Legend. */
	for (j = 0; rs[j]; j++) {
		float ly = y0 + h - 14 * (float)j;

		rect(pg, palette[j % 10], x0 + w + 20, ly, 9, 9);
		HPDF_Page_SetRGBFill(pg, 0, 0, 0);
		snprintf(buf, sizeof(buf), "%s %s", dispute_reason_zh(rs[j]), rs[j]);
		text(r, pg, 8, x0 + w + 34, ly + 1, buf);
	}
}

static void
chart_winrate(struct rep *r, const struct stats *s, HPDF_Page pg)
{
	float x0 = 250, ytop = 480, w = 450, bh = 22;
	size_t i;
	char buf[96];

	HPDF_Page_SetRGBFill(pg, 0, 0, 0);
	text(r, pg, 11, 40, ytop + 20, "各原因胜诉率 Win rate per reason (won / (won + lost))");
	for (i = 0; i < s->reason.n; i++) {
		const struct stats_row *row = &s->reason.rows[i];
		float y = ytop - (bh + 10) * (float)(i + 1);
		int idx;
		const char *const *rs = dispute_reasons();

		for (idx = 0; rs[idx] && strcmp(rs[idx], row->key); idx++)
			;
		HPDF_Page_SetRGBFill(pg, 0, 0, 0);
		snprintf(buf, sizeof(buf), "%s %s", dispute_reason_zh(row->key), row->key);
		text_right(r, pg, 9, x0 - 8, y + 7, buf);
		rect(pg, (const float[]){ 0.9f, 0.9f, 0.9f }, x0, y, w, bh);
		if (row->win_permille >= 0)
			rect(pg, palette[idx % 10], x0, y, w * (float)row->win_permille / 1000, bh);
		HPDF_Page_SetRGBFill(pg, 0, 0, 0);
		if (row->win_permille >= 0)
			snprintf(buf, sizeof(buf), "%ld.%ld%%  (%ld won / %ld lost)",
				 row->win_permille / 10, row->win_permille % 10, row->won, row->lost);
		else
			snprintf(buf, sizeof(buf), "no decided disputes");
		text(r, pg, 8, x0 + w + 6, y + 7, buf);
	}
}

static void
chart_sku(struct rep *r, const struct stats *s, HPDF_Page pg)
{
	float x0 = 200, ytop = 480, w = 480, bh = 18;
	long long maxr = 0;
	size_t i, n, *order;
	char buf[96], money[32];

	HPDF_Page_SetRGBFill(pg, 0, 0, 0);
	text(r, pg, 11, 40, ytop + 20, "各商品退款金额（前 20） Refunded amount per SKU (top 20)");
	n = s->sku.n;
	order = xmalloc((n ? n : 1) * sizeof(*order));
	for (i = 0; i < n; i++)
		order[i] = i;
	/* Largest refunds first (insertion sort: n is a shop's SKU count). */
	for (i = 1; i < n; i++) {
		size_t k = order[i], j = i;

		while (j > 0 && s->sku.rows[order[j - 1]].refunded_fen < s->sku.rows[k].refunded_fen) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = k;
	}
	if (n > 20)
		n = 20;
	for (i = 0; i < n; i++)
		if (s->sku.rows[order[i]].refunded_fen > maxr)
			maxr = s->sku.rows[order[i]].refunded_fen;
	if (maxr == 0)
		maxr = 1;
	for (i = 0; i < n; i++) {
		const struct stats_row *row = &s->sku.rows[order[i]];
		float y = ytop - (bh + 4) * (float)(i + 1);

		HPDF_Page_SetRGBFill(pg, 0, 0, 0);
		text_right(r, pg, 9, x0 - 8, y + 5, row->key);
		rect(pg, palette[0], x0, y, w * (float)row->refunded_fen / (float)maxr, bh);
		HPDF_Page_SetRGBFill(pg, 0, 0, 0);
		snprintf(buf, sizeof(buf), "¥%s (%ld disputes)",
			 money_format_fen(row->refunded_fen, money, sizeof(money)), row->count);
		text(r, pg, 8, x0 + w + 6, y + 5, buf);
	}
	if (n == 0)
		text(r, pg, 10, x0, ytop - 30, "(no disputes)");
	free(order);
}

int
stats_report_write(const struct stats *s, const char *path, time_t now,
		   long tz_offset, struct cf_err *err)
{
	struct rep r = { NULL, NULL, err, 0 };
	char *font = NULL, *tmp = NULL;
	const char *fname;
	HPDF_Page pg;
	char when[48], line[160], money[32];
	int ret = -1;

	if ((font = find_font()) == NULL)
		return cf_err_set(err, CF_ENOTFOUND, "font '%s' not found (install "
				  "fonts-wqy-microhei or set CASEFILE_FONTS)", FONT_NAME);
	if ((r.pdf = HPDF_New(on_error, &r)) == NULL) {
		cf_err_set(err, CF_EPDF, "cannot create a PDF document");
		goto out;
	}
	HPDF_SetCompressionMode(r.pdf, HPDF_COMP_ALL);
	HPDF_UseUTFEncodings(r.pdf);
	HPDF_SetCurrentEncoder(r.pdf, "UTF-8");
	fname = HPDF_LoadTTFontFromFile2(r.pdf, font, 0, HPDF_TRUE);
	if (fname == NULL || r.failed) {
		cf_err_prefix(err, "cannot load font '%s'", font);
		goto out;
	}
	r.font = HPDF_GetFont(r.pdf, fname, "UTF-8");
	if (r.font == NULL || r.failed)
		goto out;
	HPDF_SetInfoAttr(r.pdf, HPDF_INFO_TITLE, "casefile dispute statistics");
	HPDF_SetInfoAttr(r.pdf, HPDF_INFO_CREATOR, "casefile");

	pg = new_page(&r, "纠纷统计 Dispute statistics", 1);
	cftime_format((long long)now, tz_offset, when, sizeof(when));
	snprintf(line, sizeof(line), "generated %s; %ld disputes (%ld open, %ld closed); "
		 "refunded ¥%s", when, s->total, s->open, s->closed,
		 money_format_fen(s->refunded_fen, money, sizeof(money)));
	text(&r, pg, 9, 40, HPDF_Page_GetHeight(pg) - 70, line);
	chart_months(&r, s, pg);
	pg = new_page(&r, "胜诉率 Win rate", 2);
	chart_winrate(&r, s, pg);
	pg = new_page(&r, "退款金额 Refunds by product", 3);
	chart_sku(&r, s, pg);
	if (r.failed)
		goto out;
	tmp = xasprintf("%s.tmp", path);
	if (HPDF_SaveToFile(r.pdf, tmp) != HPDF_OK || r.failed) {
		cf_err_prefix(err, "cannot write '%s'", path);
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		cf_err_errno(err, CF_EIO, "cannot write '%s'", path);
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	if (r.pdf)
		HPDF_Free(r.pdf);
	free(font);
	free(tmp);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * stats_report — the statistics as a chart PDF, drawn with the shared PDF
 * engine (pdf.h) like the dossier: the same embedded font, the composite
 * glyph fix (CJK labels render whole), a proper ToUnicode CMap (pdftotext
 * extracts the labels exactly, without warnings), the temp-file-and-rename
 * save.  Three A4 pages: disputes per month stacked by reason, win rate per
 * reason, refunded amount per SKU (top 20).  Reason labels carry both the
 * Chinese name and the code ("质量问题 quality").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/dispute.h"
#include "casefile/money.h"
#include "casefile/pdf.h"
#include "casefile/stats_report.h"
#include "casefile/xalloc.h"

static const double palette[][3] = {
	{ 0.12, 0.47, 0.71 }, { 1.00, 0.50, 0.05 }, { 0.17, 0.63, 0.17 },
	{ 0.84, 0.15, 0.16 }, { 0.58, 0.40, 0.74 }, { 0.55, 0.34, 0.29 },
	{ 0.89, 0.47, 0.76 }, { 0.50, 0.50, 0.50 }, { 0.74, 0.74, 0.13 },
	{ 0.09, 0.75, 0.81 },
};
static const double track[3] = { 0.9, 0.9, 0.9 };

#define LEFT PDF_MARGIN
#define RIGHT (PDF_PAGE_W - PDF_MARGIN)

static void
decor(void *arg, int page, int npages, struct cf_buf *header,
      struct cf_buf *foot_left, struct cf_buf *foot_right)
{
	(void)arg;
	(void)foot_left;
	cf_buf_addstr(header, "casefile · 纠纷统计 Dispute statistics");
	cf_buf_addf(foot_right, "%d / %d", page, npages);
}

/* The page's cursor height (the baseline area below the last text). */
static double
cursor_y(const struct pdf *p)
{
	return pdf_space_left(p) + PDF_MARGIN;
}

/* Start a page with its title. */
static int
page(struct pdf *p, const char *title, struct cf_err *err)
{
	if (pdf_page_new(p, err) < 0 || pdf_text(p, title, 16, PDF_TEXT_BOLD, err) < 0)
		return -1;
	return pdf_vspace(p, 6, err);
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

static int
reason_index(const char *code)
{
	const char *const *rs = dispute_reasons();
	int i;

	for (i = 0; rs[i] && strcmp(rs[i], code); i++)
		;
	return i;
}

static int
chart_months(struct pdf *p, const struct stats *s, struct cf_err *err)
{
	const char *const *rs = dispute_reasons();
	double x0 = LEFT + 30, w = 330, h = 300, y0, bw, gap;
	long long maxc = 0, top;
	size_t i, j, step;
	int nticks;
	char buf[64];

	if (pdf_text(p, "每月纠纷数（按原因堆叠） Disputes per month, stacked by reason",
		     11, 0, err) < 0)
		return -1;
	y0 = cursor_y(p) - 30 - h;
	for (i = 0; i < s->month.n; i++)
		if (s->month.rows[i].count > maxc)
			maxc = s->month.rows[i].count;
	top = nice_max(maxc);
	/* whole-number ticks: 1, 2, 5 → 1 apart; 10 → 2; 20 → 5; 50 → 10 … */
	nticks = top <= 5 ? (int)top : top % 4 == 0 ? 4 : 5;
	for (i = 0; i <= (size_t)nticks; i++) {
		double y = y0 + h * (double)i / nticks;

		snprintf(buf, sizeof(buf), "%lld", top * (long long)i / nticks);
		if (pdf_line(p, x0, y, x0 + w, y, 0.5, 0.6, err) < 0 ||
		    pdf_text_at(p, x0 - 4, y - 3, buf, 8, PDF_TEXT_RIGHT, err) < 0)
			return -1;
	}
	if (s->month.n == 0 &&
	    pdf_text_at(p, x0 + 10, y0 + h / 2, "(no disputes)", 10, 0, err) < 0)
		return -1;
	gap = s->month.n ? w / (double)s->month.n : w;
	bw = gap * 0.7;
	step = (s->month.n + 11) / 12;	/* at most 12 month labels */
	for (i = 0; i < s->month.n; i++) {
		const struct stats_row *m = &s->month.rows[i];
		double x = x0 + gap * (double)i + (gap - bw) / 2, y = y0;

		for (j = 0; j < s->nreasons; j++) {
			double bh = h * (double)m->per_reason[j] / (double)top;

			if (m->per_reason[j] == 0)
				continue;
			if (pdf_rect(p, x, y, bw, bh, palette[j % 10], err) < 0)
				return -1;
			y += bh;
		}
		snprintf(buf, sizeof(buf), "%ld", m->count);
		if (pdf_text_at(p, x + bw / 2, y + 3, buf, 7, PDF_TEXT_CENTER, err) < 0)
			return -1;
		if (i % step == 0 &&
		    pdf_text_at(p, x + bw / 2, y0 - 12, m->key, 7, PDF_TEXT_CENTER, err) < 0)
			return -1;
	}
	for (j = 0; rs[j]; j++) {
		double ly = y0 + h - 14 * (double)j;

		snprintf(buf, sizeof(buf), "%s %s", dispute_reason_zh(rs[j]), rs[j]);
		if (pdf_rect(p, x0 + w + 15, ly, 9, 9, palette[j % 10], err) < 0 ||
		    pdf_text_at(p, x0 + w + 28, ly + 1, buf, 8, 0, err) < 0)
			return -1;
	}
	return 0;
}

static int
chart_winrate(struct pdf *p, const struct stats *s, struct cf_err *err)
{
	double x0 = LEFT + 150, w = 200, bh = 18, ytop;
	size_t i;
	char buf[96];

	if (pdf_text(p, "各原因胜诉率 Win rate per reason (won / (won + lost))", 11, 0, err) < 0)
		return -1;
	ytop = cursor_y(p) - 10;
	for (i = 0; i < s->reason.n; i++) {
		const struct stats_row *row = &s->reason.rows[i];
		double y = ytop - (bh + 10) * (double)(i + 1);

		snprintf(buf, sizeof(buf), "%s %s", dispute_reason_zh(row->key), row->key);
		if (pdf_text_at(p, x0 - 8, y + 6, buf, 9, PDF_TEXT_RIGHT, err) < 0 ||
		    pdf_rect(p, x0, y, w, bh, track, err) < 0)
			return -1;
		if (row->win_permille >= 0 &&
		    pdf_rect(p, x0, y, w * (double)row->win_permille / 1000, bh,
			     palette[reason_index(row->key) % 10], err) < 0)
			return -1;
		if (row->win_permille >= 0)
			snprintf(buf, sizeof(buf), "%ld.%ld%%  (%ld won / %ld lost)",
				 row->win_permille / 10, row->win_permille % 10, row->won, row->lost);
		else
			snprintf(buf, sizeof(buf), "no decided disputes");
		if (pdf_text_at(p, x0 + w + 6, y + 6, buf, 8, 0, err) < 0)
			return -1;
	}
	if (s->reason.n == 0 && pdf_text_at(p, x0, ytop - 30, "(no disputes)", 10, 0, err) < 0)
		return -1;
	return 0;
}

static int
chart_sku(struct pdf *p, const struct stats *s, struct cf_err *err)
{
	double x0 = LEFT + 110, w = 240, bh = 16, ytop;
	long long maxr = 0;
	size_t i, n, *order;
	char buf[96], money[32];
	int ret = -1;

	if (pdf_text(p, "各商品退款金额（前 20） Refunded amount per SKU (top 20)", 11, 0, err) < 0)
		return -1;
	ytop = cursor_y(p) - 10;
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
		double y = ytop - (bh + 6) * (double)(i + 1);

		snprintf(buf, sizeof(buf), "¥%s (%ld disputes)",
			 money_format_fen(row->refunded_fen, money, sizeof(money)), row->count);
		if (pdf_text_at(p, x0 - 8, y + 5, row->key, 9, PDF_TEXT_RIGHT, err) < 0 ||
		    pdf_rect(p, x0, y, w * (double)row->refunded_fen / (double)maxr, bh,
			     palette[0], err) < 0 ||
		    pdf_text_at(p, x0 + w + 6, y + 5, buf, 8, 0, err) < 0)
			goto out;
	}
	if (n == 0 && pdf_text_at(p, x0, ytop - 30, "(no disputes)", 10, 0, err) < 0)
		goto out;
	ret = 0;
out:
	free(order);
	return ret;
}

int
stats_report_write(const struct stats *s, const char *path, time_t now,
		   long tz_offset, const char *fonts_dir, struct cf_err *err)
{
	struct pdf *p = NULL;
	char when[48], money[32], *line = NULL, *font;
	int ret = -1;

	if ((font = pdf_font_find(fonts_dir, err)) == NULL)
		return -1;
	ret = pdf_new(font, &p, err);
	free(font);
	if (ret < 0)
		return -1;
	ret = -1;
	pdf_set_decor(p, decor, NULL);
	cftime_format((long long)now, tz_offset, when, sizeof(when));
	line = xasprintf("generated %s; %ld disputes (%ld open, %ld closed); refunded ¥%s",
			 when, s->total, s->open, s->closed,
			 money_format_fen(s->refunded_fen, money, sizeof(money)));
	if (pdf_set_info(p, "casefile dispute statistics", NULL, "纠纷统计 Dispute statistics",
			 (long long)now, tz_offset, err) < 0 ||
	    page(p, "纠纷统计 Dispute statistics", err) < 0 ||
	    pdf_text(p, line, 9, 0, err) < 0 || pdf_vspace(p, 10, err) < 0 ||
	    chart_months(p, s, err) < 0 ||
	    page(p, "胜诉率 Win rate", err) < 0 || chart_winrate(p, s, err) < 0 ||
	    page(p, "退款金额 Refunds by product", err) < 0 || chart_sku(p, s, err) < 0)
		goto out;
	if (pdf_save(p, path, NULL, NULL, err) < 0)
		goto out;	/* err names path */
	ret = 0;
out:
	free(line);
	pdf_free(p);
	return ret;
}

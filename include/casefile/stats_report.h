/* SPDX-License-Identifier: MIT */
/*
 * stats_report — `casefile stats --report FILE.pdf`: the dispute statistics
 * as charts drawn with the shared PDF engine (pdf.h; disputes per month
 * stacked by reason, win rate per reason, refunded amount per SKU).
 *
 * The PDF is written to a temp file beside FILE and renamed into place
 * (pdf_save), so a failure never leaves a half-written report under the
 * asked name.
 */
#ifndef CASEFILE_STATS_REPORT_H
#define CASEFILE_STATS_REPORT_H

#include <time.h>

#include "casefile/err.h"
#include "casefile/stats.h"

/*
 * Draw s into a new PDF at path.  now and tz_offset date the report; the
 * font is pdf_font_find(fonts_dir) ($CASEFILE_FONTS, from ctx; may be NULL).
 * Returns 0, or -1 with CF_EPDF (libharu), CF_EIO (writing: "cannot
 * write 'FILE': ...") or CF_ENOTFOUND (no CJK font found).
 */
int stats_report_write(const struct stats *s, const char *path, time_t now,
		       long tz_offset, const char *fonts_dir, struct cf_err *err);

#endif

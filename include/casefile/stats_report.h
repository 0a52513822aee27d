/* SPDX-License-Identifier: MIT */
/*
 * stats_report — `casefile stats --report FILE.pdf`: the dispute statistics
 * as charts drawn with libharu (disputes per month stacked by reason, win
 * rate per reason, refunded amount per SKU).
 *
 * The PDF is written to FILE.tmp and renamed into place, so a failure never
 * leaves a half-written report under the asked name.
 */
#ifndef CASEFILE_STATS_REPORT_H
#define CASEFILE_STATS_REPORT_H

#include <time.h>

#include "casefile/err.h"
#include "casefile/stats.h"

/*
 * Draw s into a new PDF at path.  now and tz_offset date the report.
 * Returns 0, or -1 with CF_EPDF (libharu), CF_EIO (writing) or
 * CF_ENOTFOUND (no CJK font found).
 */
int stats_report_write(const struct stats *s, const char *path, time_t now,
		       long tz_offset, struct cf_err *err);

#endif

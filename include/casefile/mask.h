/* SPDX-License-Identifier: MIT */
/*
 * mask — personal data (phones, ID numbers, street addresses) masked in
 * UTF-8 text before the statement or the dossier quotes it.
 */
#ifndef CASEFILE_MASK_H
#define CASEFILE_MASK_H

/*
 * Mask personal data in UTF-8 text: mobile numbers (138****5678), also
 * written 138-1234-5678, 138 1234 5678 or with a country code (+86, 0086,
 * 86, glued or split off: "+86 138****5678"), but not digits glued to
 * letters (SF1234567890); Chinese ID numbers (110101********1234); a
 * street address after its district or county (区/县/镇/市 followed by a
 * road or place and house units) is cut there like mask_address
 * ("北京市朝阳区****"), and other house numbers (digits before
 * 号/栋/幢/单元/室/弄/楼, not "5月3号" or "2号线") become *.  Order ids,
 * amounts, dates and times are kept.  Returns malloc'd text.
 */
char *mask_text(const char *s);
/* An address cut after its district (区/县/市/镇) with the rest "****". */
char *mask_address(const char *s);

#endif

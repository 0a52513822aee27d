/* SPDX-License-Identifier: MIT */
/*
 * kind — what one piece of evidence is: the kinds the parsers sniff and
 * --kind names.
 */
#ifndef CASEFILE_KIND_H
#define CASEFILE_KIND_H

enum cf_kind {
	CF_KIND_CHAT,
	CF_KIND_LOGISTICS,
	CF_KIND_ORDER,
	CF_KIND_PHOTO,
	CF_KIND_VIDEO,
	CF_KIND_RECEIPT,
	CF_KIND_OTHER,
};

/* "chat", "logistics", "order", "photo", "video", "receipt", "other" (static). */
const char *cf_kind_name(enum cf_kind k);
/* Set *k from its name; 0, or -1 (k unchanged) for an unknown name. */
int cf_kind_from_name(const char *s, enum cf_kind *k);

#endif

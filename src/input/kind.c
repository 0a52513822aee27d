/* SPDX-License-Identifier: MIT */
/*
 * kind — the evidence kinds and their names (contract in kind.h).
 */
#include <string.h>

#include "casefile/kind.h"

static const char *const kind_names[] = {
	[CF_KIND_CHAT] = "chat",
	[CF_KIND_LOGISTICS] = "logistics",
	[CF_KIND_ORDER] = "order",
	[CF_KIND_PHOTO] = "photo",
	[CF_KIND_VIDEO] = "video",
	[CF_KIND_RECEIPT] = "receipt",
	[CF_KIND_OTHER] = "other",
};

const char *
cf_kind_name(enum cf_kind k)
{
	if ((unsigned)k >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "other";
	return kind_names[k];
}

int
cf_kind_from_name(const char *s, enum cf_kind *k)
{
	size_t i;

	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (s && strcmp(s, kind_names[i]) == 0) {
			*k = (enum cf_kind)i;
			return 0;
		}
	return -1;
}

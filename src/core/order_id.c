/* SPDX-License-Identifier: MIT */
/*
 * order_id — the order id rule (contract in order_id.h).
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/order_id.h"
#include "casefile/xalloc.h"

int
order_id_valid(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

struct order_id_rule {
	regex_t re;
	char *pattern;
};

int
order_id_rule_new(const char *pattern, struct order_id_rule **out, struct cf_err *err)
{
	struct order_id_rule *r = xcalloc(1, sizeof(*r));
	int rc;

	if (pattern == NULL)
		pattern = ORDER_ID_PATTERN;
	if ((rc = regcomp(&r->re, pattern, REG_EXTENDED)) != 0) {
		char msg[256];

		regerror(rc, &r->re, msg, sizeof(msg));
		free(r);
		return cf_err_set(err, CF_EINPUT, "'%s' is not a POSIX extended regular "
				  "expression: %s", pattern, msg);
	}
	r->pattern = xstrdup(pattern);
	*out = r;
	return 0;
}

int
order_id_rule_match(const struct order_id_rule *r, const char *id)
{
	regmatch_t m;

	if (!order_id_valid(id))
		return 0;
	/* the whole id: an unanchored pattern must not match a part of it */
	return regexec(&r->re, id, 1, &m, 0) == 0 && m.rm_so == 0 &&
	       (size_t)m.rm_eo == strlen(id);
}

const char *
order_id_rule_pattern(const struct order_id_rule *r)
{
	return r->pattern;
}

void
order_id_rule_free(struct order_id_rule *r)
{
	if (r == NULL)
		return;
	regfree(&r->re);
	free(r->pattern);
	free(r);
}

/* SPDX-License-Identifier: MIT */
/*
 * jout — JSON output through jansson (jout.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/err.h"
#include "casefile/jout.h"
#include "casefile/textenc.h"

/* Reals are rounded by jout_real(); 15 digits print them back exactly. */
#define JOUT_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

json_t *
jout_strn(const char *s, size_t n)
{
	struct cf_buf b = CF_BUF_INIT;
	json_t *v;
	size_t i = 0, k;
	unsigned cp;

	if (s == NULL)
		return json_null();
	while (i < n) {
		k = textenc_utf8_seq((const unsigned char *)s + i, n - i, &cp);
		if (k == 0) {
			cf_buf_add(&b, "\xef\xbf\xbd", 3);	/* U+FFFD */
			i++;
		} else {
			cf_buf_add(&b, s + i, k);
			i += k;
		}
	}
	v = json_stringn(b.data ? b.data : "", b.len);
	cf_buf_release(&b);
	if (v == NULL)
		CF_BUG("json_stringn refused valid UTF-8");
	return v;
}

json_t *
jout_str(const char *s)
{
	return s ? jout_strn(s, strlen(s)) : json_null();
}

json_t *
jout_int_or_null(long long v, int is_null)
{
	return is_null ? json_null() : json_integer(v);
}

json_t *
jout_real(double v, int decimals)
{
	char text[64];

	snprintf(text, sizeof(text), "%.*f", decimals, v);
	return json_real(strtod(text, NULL));
}

json_t *
jout_set(json_t *obj, const char *key, json_t *v)
{
	if (obj == NULL || v == NULL || json_object_set_new(obj, key, v) < 0)
		CF_BUG("cannot build JSON output");
	return obj;
}

char *
jout_dumps(json_t *v)
{
	char *s;

	if (v == NULL)
		CF_BUG("cannot build JSON output");
	s = json_dumps(v, JOUT_FLAGS | JSON_ENCODE_ANY);
	json_decref(v);
	if (s == NULL)
		CF_BUG("cannot write JSON output");
	return s;
}

void
jout_print(json_t *v)
{
	char *s = jout_dumps(v);

	fputs(s, stdout);
	fputc('\n', stdout);
	free(s);
}

/* SPDX-License-Identifier: MIT */
/*
 * pack_qr — the QR payload of a card spec ("CFK1", pack.h).  Pure text:
 * linked into casefile and into the media library (media_dl.c).
 */
#include <string.h>

#include "casefile/buf.h"
#include "casefile/pack.h"

static const char *
sget(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static long long
iget(const json_t *o, const char *k, long long dflt)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

/* The spec keeps each source's seal time in UTC ("sealed_utc") for this. */
char *
pack_card_qr_text(const json_t *spec)
{
	struct cf_buf b = CF_BUF_INIT;
	const json_t *srcs = json_object_get(spec, "sources"), *s;
	const char *seal = NULL, *tsa = "";
	int all_sealed = 1;
	size_t i;

	cf_buf_addf(&b, "CFK1\no=%s\nd=%s\nc=%lld/%lld\n", sget(spec, "order"),
		    sget(spec, "dossier"), iget(spec, "card", 1), iget(spec, "cards", 1));
	json_array_foreach(srcs, i, s) {
		cf_buf_addf(&b, "e=%lld:%.16s\n", iget(s, "exhibit", 0), sget(s, "sha256"));
		if (*sget(s, "sealed_utc") == '\0')
			all_sealed = 0;
		else if (seal == NULL || strcmp(sget(s, "sealed_utc"), seal) > 0) {
			seal = sget(s, "sealed_utc");
			tsa = sget(s, "tsa");
		}
	}
	if (all_sealed && seal != NULL)
		cf_buf_addf(&b, "s=%s@%s\n", seal, *tsa ? tsa : "-");
	return cf_buf_detach(&b, NULL);
}


/* SPDX-License-Identifier: MIT */
/*
 * config — the table of settings and their validators (see config.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/bundle.h"
#include "casefile/config.h"
#include "casefile/db.h"
#include "casefile/db_stmt.h"
#include "casefile/order_id.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"

enum { T_URL, T_URLS, T_TSA_REQUIRE, T_SIZE, T_RATIO, T_COUNT, T_TEXT, T_PROFILE, T_PEM, T_ERE, T_DIR, T_LEVEL };

static const struct config_key keys[] = {
	{ "tsa.url", NULL, T_URLS, "RFC 3161 timestamp servers for seal and sign, tried in order, comma-separated" },
	{ "tsa.ca", NULL, T_PEM, "CA certificate (PEM) the TSA's tokens must chain to" },
	{ "tsa.tls_ca", NULL, T_PEM, "CA certificate (PEM) of an https TSA's server" },
	{ "tsa.require", "1", T_TSA_REQUIRE, "tokens from that many distinct TSAs" },
	{ "import.max_entry_size", "4294967296", T_SIZE, "largest bundle entry, bytes (K M G T)" },
	{ "import.max_ratio", "200", T_RATIO, "largest decompressed/compressed ratio (bomb guard)" },
	{ "import.max_entries", "1000000", T_COUNT, "most entries read from one bundle" },
	{ "import.ignore", CONFIG_IMPORT_IGNORE, T_TEXT,
	  "patterns of non-order files/folders import skips quietly ('none': none)" },
	{ "order.id_pattern", ORDER_ID_PATTERN, T_ERE, "what an order id looks like (ERE)" },
	{ "sign.reason", NULL, T_TEXT, "reason written in the PDF signature" },
	{ "sign.location", NULL, T_TEXT, "location written in the PDF signature" },
	{ "sign.contact", NULL, T_TEXT, "contact written in the PDF signature" },
	{ "sign.level", NULL, T_LEVEL,
	  "PAdES level build must reach: B-B, B-T, B-LT or B-LTA (unset: B-T with a TSA)" },
	{ "sign.ca", NULL, T_PEM, "CA certificates (PEM) completing chains for B-LT validation data" },
	{ "shop.name", NULL, T_TEXT, "the shop's name on the dossier cover" },
	{ "shop.agents", NULL, T_TEXT, "customer-service names in chat exports, comma-separated" },
	{ "dispute.profile", NULL, T_PROFILE, "platform profile when a dispute names none (douyin)" },
	{ "dossier.max_bytes", NULL, T_SIZE, "largest dossier PDF, bytes (unset: 9999999999, the xref limit)" },
	{ "seal.mirror", NULL, T_DIR, "second folder that keeps copies of sealed checkpoints" },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))
#define MAX_TEXT 256

size_t
config_nkeys(void)
{
	return NKEYS;
}

const struct config_key *
config_key(size_t i)
{
	return i < NKEYS ? &keys[i] : NULL;
}

const struct config_key *
config_find(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

int
config_parse_size(const char *s, unsigned long long *out, struct cf_err *err)
{
	unsigned long long v, mul = 1;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		goto bad;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': mul = 1ULL << 10; break;
		case 'm': case 'M': mul = 1ULL << 20; break;
		case 'g': case 'G': mul = 1ULL << 30; break;
		case 't': case 'T': mul = 1ULL << 40; break;
		default: goto bad;
		}
		end++;
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B')
			end++;
		if (*end)
			goto bad;
	}
	if (v == 0)
		return cf_err_set(err, CF_EINPUT, "'%s': must be more than 0", s);
	if (v > ~0ULL / mul)
		return cf_err_set(err, CF_EINPUT, "'%s': too large", s);
	*out = v * mul;
	return 0;
bad:
	return cf_err_set(err, CF_EINPUT,
			  "'%s' is not a size (bytes, or a number with K, M, G or T)", s);
}

static int
check_text(const char *v, struct cf_err *err)
{
	const unsigned char *p;

	if (*v == '\0')
		return cf_err_set(err, CF_EINPUT, "empty (use --unset to remove it)");
	if (strlen(v) > MAX_TEXT)
		return cf_err_set(err, CF_EINPUT, "longer than %d bytes", MAX_TEXT);
	for (p = (const unsigned char *)v; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return cf_err_set(err, CF_EINPUT, "control character in text");
	if (textenc_utf8_check(v, strlen(v), NULL) != 0)
		return cf_err_set(err, CF_EINPUT, "not valid UTF-8");
	return 0;
}

static int
check_url(const char *v, struct cf_err *err)
{
	const char *host, *p;

	if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else
		return cf_err_set(err, CF_EINPUT, "'%s' is not an http:// or https:// URL", v);
	if (*host == '\0' || *host == '/' || *host == ':')
		return cf_err_set(err, CF_EINPUT, "'%s' has no host", v);
	for (p = v; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return cf_err_set(err, CF_EINPUT,
					  "'%s': spaces and non-ASCII characters must be %%-encoded", v);
	if (strlen(v) > 2048)
		return cf_err_set(err, CF_EINPUT, "URL longer than 2048 bytes");
	return 0;
}

int
config_names_profile(const struct config_key *k)
{
	return k->type == T_PROFILE;
}

int
config_check(const struct config_key *k, const char *value, char **norm,
	     struct cf_err *err)
{
	unsigned long long n;
	double d;
	char *end;

	switch (k->type) {
	case T_URL:
		if (check_url(value, err) < 0)
			return -1;
		*norm = xstrdup(value);
		return 0;
	case T_URLS: {
		/* "URL" or "URL1,URL2,...": each one a URL, at most CONFIG_MAX_TSAS */
		char *copy = xstrdup(value), *p = copy, *comma;
		int count = 0, r = 0;

		do {
			if ((comma = strchr(p, ',')) != NULL)
				*comma = '\0';
			if (++count > CONFIG_MAX_TSAS)
				r = cf_err_set(err, CF_EINPUT, "more than %d URLs", CONFIG_MAX_TSAS);
			else if (*p == '\0')
				r = cf_err_set(err, CF_EINPUT, "'%s': empty URL in the list "
					       "(URL1,URL2,... without spaces)", value);
			else
				r = check_url(p, err);
			p = comma + 1;
		} while (r == 0 && comma);
		free(copy);
		if (r < 0)
			return -1;
		*norm = xstrdup(value);
		return 0;
	}
	case T_LEVEL:
		if (strcmp(value, "B-B") && strcmp(value, "B-T") && strcmp(value, "B-LT") &&
		    strcmp(value, "B-LTA"))
			return cf_err_set(err, CF_EINPUT, "'%s': must be B-B, B-T, B-LT or B-LTA", value);
		*norm = xstrdup(value);
		return 0;
	case T_TSA_REQUIRE:
		if (value[0] < '1' || value[0] > '0' + CONFIG_MAX_TSAS || value[1] != '\0')
			return cf_err_set(err, CF_EINPUT, "'%s': must be a number from 1 to %d "
					  "(tokens from that many different TSAs per seal)",
					  value, CONFIG_MAX_TSAS);
		*norm = xstrdup(value);
		return 0;
	case T_SIZE:
		if (config_parse_size(value, &n, err) < 0)
			return -1;
		*norm = xasprintf("%llu", n);
		return 0;
	case T_RATIO:
		errno = 0;
		d = strtod(value, &end);
		if (end == value || *end || errno || !isfinite(d) ||
		    !((value[0] >= '0' && value[0] <= '9')))
			return cf_err_set(err, CF_EINPUT, "'%s' is not a number", value);
		if (d < 1)
			return cf_err_set(err, CF_EINPUT,
					  "'%s': must be at least 1 (decompressed / compressed)", value);
		*norm = xasprintf("%g", d);
		return 0;
	case T_COUNT:
		errno = 0;
		if (value[0] < '0' || value[0] > '9')
			return cf_err_set(err, CF_EINPUT, "'%s' is not a whole number", value);
		n = strtoull(value, &end, 10);
		if (*end || errno)
			return cf_err_set(err, CF_EINPUT, "'%s' is not a whole number", value);
		if (n == 0)
			return cf_err_set(err, CF_EINPUT, "'%s': must be more than 0", value);
		*norm = xasprintf("%llu", n);
		return 0;
	case T_TEXT:
		if (check_text(value, err) < 0)
			return -1;
		*norm = xstrdup(value);
		return 0;
	case T_PEM: {
		/* Stored absolute, so the setting works from any directory. */
		char *abs = realpath(value, NULL);
		FILE *f;
		char line[64];
		int pem = 0;

		if (abs == NULL || (f = fopen(abs, "r")) == NULL) {
			free(abs);
			return cf_err_errno(err, CF_EINPUT, "cannot read '%s'", value);
		}
		while (!pem && fgets(line, sizeof(line), f))
			pem = strncmp(line, "-----BEGIN CERTIFICATE-----", 27) == 0;
		fclose(f);
		if (!pem) {
			free(abs);
			return cf_err_set(err, CF_EINPUT, "'%s' holds no PEM certificate", value);
		}
		*norm = abs;
		return 0;
	}
	case T_ERE: {
		struct order_id_rule *r = NULL;

		if (check_text(value, err) < 0 || order_id_rule_new(value, &r, err) < 0)
			return -1;
		order_id_rule_free(r);
		*norm = xstrdup(value);
		return 0;
	}
	case T_DIR: {
		/* Stored absolute; it must exist now (a share not mounted is not it). */
		char *abs = realpath(value, NULL);
		struct stat sb;

		if (abs == NULL || stat(abs, &sb) < 0) {
			free(abs);
			return cf_err_errno(err, CF_EINPUT, "cannot use '%s'", value);
		}
		if (!S_ISDIR(sb.st_mode)) {
			free(abs);
			return cf_err_set(err, CF_EINPUT, "'%s' is not a folder", value);
		}
		if (access(abs, W_OK | X_OK) < 0) {
			free(abs);
			return cf_err_errno(err, CF_EINPUT, "cannot write into '%s'", value);
		}
		*norm = abs;
		return 0;
	}
	case T_PROFILE:	/* the caller checks that it exists (config.h) */
		if (check_text(value, err) < 0)
			return -1;
		*norm = xstrdup(value);
		return 0;
	}
	CF_BUG("config key type %d", k->type);
}

int
config_unset(struct cf_db *db, const struct config_key *k, struct cf_err *err)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, "DELETE FROM meta WHERE key = ?", &st, err) < 0)
		return -1;
	db_bind_text(st, 1, k->name, -1, DB_STATIC);
	rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot unset '%s'", k->name);
	return 0;
}

static int
stored(struct cf_db *db, const char *name, char **norm, struct cf_err *err)
{
	char *v = db_meta_get(db, name);
	int r = 0;

	*norm = NULL;
	if (v == NULL)
		return 0;
	r = config_check(config_find(name), v, norm, err);
	if (r < 0)
		cf_err_prefix(err, "setting '%s'", name);
	free(v);
	return r;
}

int
config_import_limits(struct cf_db *db, struct bundle_limits *lim, struct cf_err *err)
{
	char *v = NULL;

	bundle_limits_init(lim);
	if (stored(db, "import.max_entry_size", &v, err) < 0)
		return -1;
	if (v)
		lim->max_entry_size = strtoull(v, NULL, 10);
	free(v);
	if (stored(db, "import.max_ratio", &v, err) < 0)
		return -1;
	if (v)
		lim->max_ratio = strtod(v, NULL);
	free(v);
	if (stored(db, "import.max_entries", &v, err) < 0)
		return -1;
	if (v)
		lim->max_entries = strtoull(v, NULL, 10);
	free(v);
	return 0;
}

int
config_order_rule(struct cf_db *db, struct order_id_rule **out, struct cf_err *err)
{
	char *v = NULL;
	int r;

	if (stored(db, "order.id_pattern", &v, err) < 0)
		return -1;
	r = order_id_rule_new(v, out, err);
	free(v);
	return r;
}

char *
config_import_ignore(struct cf_db *db)
{
	char *v = db ? db_meta_get(db, "import.ignore") : NULL;

	if (v == NULL)
		return xstrdup(CONFIG_IMPORT_IGNORE);
	if (strcmp(v, "none") == 0) {
		free(v);
		return xstrdup("");
	}
	return v;
}

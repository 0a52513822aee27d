/* SPDX-License-Identifier: MIT */
/*
 * profile — the key = value parser for platform profiles (see profile.h).
 *
 * The parser works line by line on a counted buffer, so NUL bytes and a
 * missing final newline are handled; every message carries the line number.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/db.h"
#include "casefile/profile.h"
#include "casefile/templates.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"

#define PROFILE_MAX_BYTES (1 << 20)

enum pkey {
	K_NAME, K_TITLE, K_ESC, K_EVID, K_STMT, K_IMAGES, K_FORMATS, K_SIZE,
	K_REPLY, K_LIMITS, K_NKEYS
};

/* Keys a profile may leave out (they have defaults, see profile.h). */
#define OPTIONAL_KEYS ((1u << K_TITLE) | (1u << K_REPLY) | (1u << K_LIMITS))

static const char *const key_names[K_NKEYS] = {
	"name", "title", "buyer_escalation_hours", "merchant_evidence_hours",
	"statement_max_chars", "images_per_submission", "accepted_formats",
	"max_file_size", "merchant_reply_hours", "statement_limits",
};

void
profile_free(struct profile *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nformats; i++)
		free(p->formats[i]);
	free(p->formats);
	free(p->limits);
	free(p->name);
	free(p->title);
	free(p->source);
	free(p);
}

static int
perr(struct cf_err *err, const char *source, unsigned line, const char *fmt,
     const char *arg)
{
	char *m = xasprintf(fmt, arg);

	cf_err_set(err, CF_EINPUT, "profile '%s': line %u: %s", source, line, m);
	free(m);
	return -1;
}

/* Parse an integer lo..hi; trailing unit handled by the caller. */
static int
parse_long(const char *s, const char *end, long long lo, long long hi,
	   long long *out)
{
	long long v = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		v = v * 10 + (*s - '0');
		if (v > hi)
			return -1;
	}
	if (v < lo)
		return -1;
	*out = v;
	return 0;
}

static int
parse_size(const char *v, long long *out)
{
	const char *end = v + strlen(v), *u = v;
	long long n, mult = 1;

	while (u < end && isdigit((unsigned char)*u))
		u++;
	if (parse_long(v, u, 1, 1LL << 40, &n) < 0)
		return -1;
	while (u < end && *u == ' ')
		u++;
	if (u == end || !strcasecmp(u, "B"))
		mult = 1;
	else if (!strcasecmp(u, "KB") || !strcasecmp(u, "K"))
		mult = 1024;
	else if (!strcasecmp(u, "MB") || !strcasecmp(u, "M"))
		mult = 1024 * 1024;
	else if (!strcasecmp(u, "GB") || !strcasecmp(u, "G"))
		mult = 1024LL * 1024 * 1024;
	else
		return -1;
	/* At most 1 TiB whatever the unit (fuzz: 30040006819 GB overflowed). */
	if (n > (1LL << 40) / mult)
		return -1;
	*out = n * mult;
	return 0;
}

static int
parse_formats(struct profile *p, const char *v)
{
	const char *s = v;

	while (*s) {
		const char *w;
		char *f;
		size_t i, n;

		while (*s == ' ' || *s == ',' || *s == '\t')
			s++;
		if (!*s)
			break;
		w = s;
		while (*s && *s != ' ' && *s != ',' && *s != '\t') {
			if (!isalnum((unsigned char)*s))
				return -1;
			s++;
		}
		n = (size_t)(s - w);
		if (n > 16)
			return -1;
		f = xstrndup(w, n);
		for (i = 0; i < n; i++)
			f[i] = (char)tolower((unsigned char)f[i]);
		if (!strcmp(f, "jpg")) {
			free(f);
			f = xstrdup("jpeg");
		}
		p->formats = xreallocarray(p->formats, p->nformats + 1, sizeof(*p->formats));
		p->formats[p->nformats++] = f;
	}
	return p->nformats ? 0 : -1;
}

/*
 * "200, 500" or "200 chars, 1000 bytes": the statement text boxes of the
 * platform, each counted in Unicode characters (the default) or in UTF-8
 * bytes.  At most 8, each 1..100000.
 */
static int
parse_limits(struct profile *p, const char *v)
{
	const char *s = v;

	while (*s) {
		const char *w;
		long long n;
		int bytes = 0;

		while (*s == ' ' || *s == ',' || *s == '\t')
			s++;
		if (!*s)
			break;
		w = s;
		while (isdigit((unsigned char)*s))
			s++;
		if (parse_long(w, s, 1, 100000, &n) < 0 || p->nlimits == 8)
			return -1;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!strncmp(s, "bytes", 5)) {
			bytes = 1;
			s += 5;
		} else if (!strncmp(s, "chars", 5)) {
			s += 5;
		}
		if (*s && *s != ',' && *s != ' ' && *s != '\t')
			return -1;
		p->limits = xreallocarray(p->limits, p->nlimits + 1, sizeof(*p->limits));
		p->limits[p->nlimits].max = (long)n;
		p->limits[p->nlimits].bytes = bytes;
		p->nlimits++;
	}
	return p->nlimits ? 0 : -1;
}

static int
valid_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

int
profile_parse(const char *text, size_t n, const char *source,
	      struct profile **out, struct cf_err *err)
{
	struct profile *p = xcalloc(1, sizeof(*p));
	unsigned line = 0, seen = 0;
	size_t off = 0;
	int ret = -1, i;

	p->source = xstrdup(source);
	if (n >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		off = 3;
	while (off < n) {
		const char *nl = memchr(text + off, '\n', n - off);
		size_t len = nl ? (size_t)(nl - (text + off)) : n - off;
		char *raw, *l, *eq, *key, *val, *hash;
		long long v;
		enum pkey k;

		line++;
		if (memchr(text + off, '\0', len)) {
			perr(err, source, line, "%sNUL byte", "");
			goto out;
		}
		raw = xstrndup(text + off, len);
		off += len + (nl != NULL);
		l = textenc_trim(raw);
		for (key = l; *key; key++)
			if ((unsigned char)*key < 0x20 && *key != '\t') {
				free(raw);
				perr(err, source, line, "%scontrol character", "");
				goto out;
			}
		if (*l == '\0' || *l == '#' || *l == ';') {
			free(raw);
			continue;
		}
		if ((hash = strstr(l, " #")) != NULL || (hash = strstr(l, "\t#")) != NULL)
			*hash = '\0';
		if ((eq = strchr(l, '=')) == NULL) {
			perr(err, source, line, "expected 'key = value', got '%s'", l);
			free(raw);
			goto out;
		}
		*eq = '\0';
		key = textenc_trim(l);
		val = textenc_trim(eq + 1);
		for (k = 0; k < K_NKEYS; k++)
			if (!strcmp(key, key_names[k]))
				break;
		if (k == K_NKEYS) {
			perr(err, source, line, "unknown key '%s'", key);
			free(raw);
			goto out;
		}
		if (seen & (1u << k)) {
			perr(err, source, line, "key '%s' given twice", key);
			free(raw);
			goto out;
		}
		seen |= 1u << k;
		if (*val == '\0') {
			perr(err, source, line, "key '%s' has no value", key);
			free(raw);
			goto out;
		}
		switch (k) {
		case K_NAME:
			if (!valid_name(val)) {
				perr(err, source, line,
				     "bad name '%s': use letters, digits, '_' or '-'", val);
				free(raw);
				goto out;
			}
			p->name = xstrdup(val);
			break;
		case K_TITLE:
			p->title = xstrdup(val);
			break;
		case K_ESC:
		case K_EVID:
		case K_REPLY:
			if (parse_long(val, val + strlen(val), 1, 8760, &v) < 0) {
				perr(err, source, line, "bad hours '%s': a whole number 1..8760", val);
				free(raw);
				goto out;
			}
			if (k == K_ESC)
				p->escalation_hours = (long)v;
			else if (k == K_EVID)
				p->evidence_hours = (long)v;
			else
				p->reply_hours = (long)v;
			break;
		case K_STMT:
		case K_IMAGES:
			if (parse_long(val, val + strlen(val), 1, 100000, &v) < 0) {
				perr(err, source, line, "bad count '%s': a whole number 1..100000", val);
				free(raw);
				goto out;
			}
			if (k == K_STMT)
				p->statement_max_chars = (long)v;
			else
				p->images_max = (long)v;
			break;
		case K_FORMATS:
			if (parse_formats(p, val) < 0) {
				perr(err, source, line,
				     "bad format list '%s': names like jpeg, png separated by commas", val);
				free(raw);
				goto out;
			}
			break;
		case K_SIZE:
			if (parse_size(val, &p->file_max_bytes) < 0) {
				perr(err, source, line, "bad size '%s': a number with B, KB or MB", val);
				free(raw);
				goto out;
			}
			break;
		case K_LIMITS:
			if (parse_limits(p, val) < 0) {
				perr(err, source, line, "bad statement limits '%s': like "
				     "'200, 500' or '500 chars, 1000 bytes' (at most 8)", val);
				free(raw);
				goto out;
			}
			break;
		case K_NKEYS:
			break;
		}
		free(raw);
	}
	for (i = 0; i < K_NKEYS; i++) {
		if ((OPTIONAL_KEYS & (1u << i)) || (seen & (1u << i)))
			continue;
		cf_err_set(err, CF_EINPUT, "profile '%s': missing key '%s'", source,
			   key_names[i]);
		goto out;
	}
	if (p->title == NULL)
		p->title = xstrdup(p->name);
	if (p->reply_hours == 0)
		p->reply_hours = PROFILE_REPLY_HOURS;
	if (p->nlimits == 0) {
		p->limits = xcalloc(1, sizeof(*p->limits));
		p->limits[0].max = p->statement_max_chars;
		p->nlimits = 1;
	}
	*out = p;
	p = NULL;
	ret = 0;
out:
	profile_free(p);
	return ret;
}

int
profile_load(const char *path, struct profile **out, struct cf_err *err)
{
	struct cf_buf b = CF_BUF_INIT;
	int ret = -1;

	if (cf_buf_read_file(&b, path, "profile", PROFILE_MAX_BYTES, CF_EIO, err) == 0)
		ret = profile_parse(b.data, b.len, path, out, err);
	cf_buf_release(&b);
	return ret;
}

int
profile_find(const char *name_or_path, struct profile **out, struct cf_err *err)
{
	size_t n = strlen(name_or_path);
	char *rel, *path;
	int ret;

	if (strchr(name_or_path, '/') || (n > 5 && !strcmp(name_or_path + n - 5, ".conf")))
		return profile_load(name_or_path, out, err);
	if (!valid_name(name_or_path))
		return cf_err_set(err, CF_EINPUT, "bad profile name '%s'", name_or_path);
	rel = xasprintf("profiles/%s.conf", name_or_path);
	path = templates_path_new(rel, err);
	free(rel);
	if (path == NULL) {
		cf_err_prefix(err, "unknown profile '%s'", name_or_path);
		return -1;
	}
	ret = profile_load(path, out, err);
	free(path);
	return ret;
}

int
profile_format_ok(const struct profile *p, const char *fmt)
{
	size_t i;

	if (fmt == NULL)
		return 0;
	if (!strcasecmp(fmt, "jpg"))
		fmt = "jpeg";
	for (i = 0; i < p->nformats; i++)
		if (!strcasecmp(p->formats[i], fmt))
			return 1;
	return 0;
}

int
profile_resolve(struct cf_db *db, const char *opt, struct profile **out,
		struct cf_err *err)
{
	char *set = NULL;
	int ret;

	if (opt == NULL && db != NULL)
		set = db_meta_get(db, "dispute.profile");
	ret = profile_find(opt ? opt : set ? set : PROFILE_DEFAULT, out, err);
	if (ret < 0 && set)
		cf_err_prefix(err, "vault setting dispute.profile");
	free(set);
	return ret;
}

char *
profile_ref_new(const struct profile *p)
{
	char *rel = xasprintf("profiles/%s.conf", p->name);
	char *tpl = templates_path_new(rel, NULL);
	char *a = realpath(p->source, NULL), *b = tpl ? realpath(tpl, NULL) : NULL;
	char *ref;

	if (a && b && !strcmp(a, b))
		ref = xstrdup(p->name);
	else
		ref = xstrdup(a ? a : p->source);
	free(rel);
	free(tpl);
	free(a);
	free(b);
	return ref;
}

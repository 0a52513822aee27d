/* SPDX-License-Identifier: MIT */
/*
 * templates — locate the templates directory (see templates.h for the order).
 *
 * "Next to the binary" uses /proc/self/exe, so a build in a checkout finds
 * the checkout's templates/ wherever the current directory is.
 *
 * A language's template file is read whole (it is small) into key/value
 * pairs; a "[statement NAME]" header opens a block that collects lines
 * verbatim until the next "[" header.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/templates.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"

#ifndef CASEFILE_DATADIR
#define CASEFILE_DATADIR "/usr/local/share/casefile"
#endif

static int
is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *
exe_templates(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash == NULL)
		return NULL;
	*slash = '\0';
	return xasprintf("%s/templates", buf);
}

/* $CASEFILE_TEMPLATES as main() read it (templates_set_env). */
static const char *env_dir;

void
templates_set_env(const char *dir)
{
	env_dir = dir;
}

char *
templates_dir_new(struct cf_err *err)
{
	const char *env = env_dir;
	char *p;

	if (env && *env) {
		if (is_dir(env))
			return xstrdup(env);
		cf_err_set(err, CF_ENOTFOUND,
			   "templates folder '%s' (from CASEFILE_TEMPLATES) not found", env);
		return NULL;
	}
	if ((p = exe_templates()) != NULL) {
		if (is_dir(p))
			return p;
		free(p);
	}
	if (is_dir(CASEFILE_DATADIR "/templates"))
		return xstrdup(CASEFILE_DATADIR "/templates");
	cf_err_set(err, CF_ENOTFOUND,
		   "templates folder not found: set CASEFILE_TEMPLATES or install "
		   "casefile ('%s/templates')", CASEFILE_DATADIR);
	return NULL;
}

char *
templates_path_new(const char *rel, struct cf_err *err)
{
	char *dir, *p;
	struct stat st;

	if ((dir = templates_dir_new(err)) == NULL)
		return NULL;
	p = xasprintf("%s/%s", dir, rel);
	if (stat(p, &st) < 0 || !S_ISREG(st.st_mode)) {
		cf_err_set(err, CF_ENOTFOUND, "template '%s' not found in '%s'", rel, dir);
		free(p);
		p = NULL;
	}
	free(dir);
	return p;
}

/* ------------------------------------------------ language templates */

struct kv {
	char *key, *val;
};

struct templates {
	struct kv *kv;
	size_t n;
	char *path;
};

/* "\n" in one-line values means a line break, "\s" a space (at an end). */
static char *
unescape(const char *s)
{
	struct cf_buf b = CF_BUF_INIT;

	for (; *s; s++) {
		if (s[0] == '\\' && (s[1] == 'n' || s[1] == 's')) {
			cf_buf_addch(&b, s[1] == 'n' ? '\n' : ' ');
			s++;
		} else {
			cf_buf_addch(&b, *s);
		}
	}
	return cf_buf_detach(&b, NULL);
}

static void
kv_add(struct templates *t, char *key, char *val)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->kv[i].key, key) == 0) {
			free(t->kv[i].val);
			free(key);
			t->kv[i].val = val;
			return;
		}
	t->kv = xreallocarray(t->kv, t->n + 1, sizeof(*t->kv));
	t->kv[t->n].key = key;
	t->kv[t->n].val = val;
	t->n++;
}

/* A template file (at most 1 MiB); a missing one is CF_ENOTFOUND. */
static char *
read_file(const char *path, size_t *n, struct cf_err *err)
{
	struct cf_buf b = CF_BUF_INIT;

	if (cf_buf_read_file(&b, path, NULL, 1 << 20, CF_EIO, err) < 0) {
		if (err && err->sys_errno == ENOENT)
			err->code = CF_ENOTFOUND;
		cf_buf_release(&b);
		return NULL;
	}
	return cf_buf_detach(&b, n);
}

/*
 * dir/file, with dir the explicit one or the templates directory of
 * templates.h (one search order for profiles, checklists and these).
 */
static char *
find_templates(const char *dir, const char *file, struct cf_err *err)
{
	char *d, *p;

	if (dir)
		return xasprintf("%s/%s", dir, file);
	if ((d = templates_dir_new(err)) == NULL)
		return NULL;
	p = xasprintf("%s/%s", d, file);
	free(d);
	return p;
}

int
templates_load(const char *dir, const char *lang, struct templates **out,
	       struct cf_err *err)
{
	const char *file;
	struct templates *t;
	char *data, *line, *next, *block = NULL;
	struct cf_buf body = CF_BUF_INIT;
	size_t n, lineno = 0;

	*out = NULL;
	if (lang == NULL || strcmp(lang, "zh") == 0 || strcmp(lang, "zh-CN") == 0)
		file = "zh-CN.txt";
	else if (strcmp(lang, "en") == 0)
		file = "en.txt";
	else
		return cf_err_set(err, CF_EINPUT, "unknown language '%s' (zh or en)", lang);
	t = xcalloc(1, sizeof(*t));
	if ((t->path = find_templates(dir, file, err)) == NULL ||
	    (data = read_file(t->path, &n, err)) == NULL) {
		templates_free(t);
		return -1;
	}
	if (memchr(data, '\0', n)) {
		cf_err_set(err, CF_EINPUT, "'%s': not a text file", t->path);
		goto fail;
	}
	line = data;
	if (n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
		line += 3;
	for (; line; line = next) {
		char *s, *eq;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '[') {
			char *end = strchr(line, ']'), *name;

			if (block) {
				kv_add(t, block, cf_buf_detach(&body, NULL));
				block = NULL;
			}
			if (end == NULL || strncmp(line, "[statement ", 11) != 0) {
				cf_err_set(err, CF_EINPUT, "'%s': line %zu: expected "
					   "'[statement NAME]'", t->path, lineno);
				goto fail;
			}
			*end = '\0';
			name = textenc_trim(line + 11);
			block = xasprintf("statement.%s", name);
			continue;
		}
		if (block) {
			cf_buf_addstr(&body, line);
			cf_buf_addch(&body, '\n');
			continue;
		}
		s = textenc_trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			cf_err_set(err, CF_EINPUT, "'%s': line %zu: expected 'key = value'",
				   t->path, lineno);
			goto fail;
		}
		*eq = '\0';
		kv_add(t, xstrdup(textenc_trim(s)), unescape(eq[1] == ' ' ? eq + 2 : eq + 1));
	}
	if (block) {
		kv_add(t, block, cf_buf_detach(&body, NULL));
		block = NULL;
	}
	/* trim trailing blank lines of statements */
	for (n = 0; n < t->n; n++) {
		if (strncmp(t->kv[n].key, "statement.", 10) == 0) {
			char *v = t->kv[n].val, *e = v + strlen(v);

			while (e > v && (e[-1] == '\n' || e[-1] == ' '))
				*--e = '\0';
		}
	}
	free(data);
	cf_buf_release(&body);
	*out = t;
	return 0;
fail:
	free(block);
	free(data);
	cf_buf_release(&body);
	templates_free(t);
	return -1;
}

void
templates_free(struct templates *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->kv[i].key);
		free(t->kv[i].val);
	}
	free(t->kv);
	free(t->path);
	free(t);
}

const char *
templates_get(const struct templates *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->kv[i].key, key) == 0)
			return t->kv[i].val;
	return key;
}

const char *
templates_statement(const struct templates *t, const char *scenario)
{
	char *k = xasprintf("statement.%s", scenario);
	const char *v = templates_get(t, k);

	v = v == k ? NULL : v;
	free(k);
	return v;
}

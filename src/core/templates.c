/* SPDX-License-Identifier: MIT */
/*
 * templates — locate the templates directory (see templates.h for the order).
 *
 * "Next to the binary" uses /proc/self/exe, so a build in a checkout finds
 * the checkout's templates/ wherever the current directory is.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/templates.h"
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

char *
templates_dir_new(struct cf_err *err)
{
	const char *env = getenv("CASEFILE_TEMPLATES");
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

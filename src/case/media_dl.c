/* SPDX-License-Identifier: MIT */
/*
 * media_dl — the media functions (frames.h, imgconv.h, and pack.h's card
 * renderer) are built into a separate shared library,
 * libcasefile-media.so, and loaded only when a command first needs one.
 *
 * Why: libvips and FFmpeg pull in some 400 shared libraries (poppler,
 * libheif, librsvg, codecs…).  Linked into ./casefile they cost every
 * command ~20 MB of RSS and ~0.15 s of start-up, even `casefile seal` from
 * cron; loaded on demand only `pack` and `build` of an order with media
 * pay it.  The library resolves casefile's own helpers (errors, memory,
 * buffers) from the executable, which exports them (-rdynamic), and binds
 * its own symbols to itself (-Bsymbolic).
 *
 * Where it is looked for, in order: $CASEFILE_MEDIA_LIB (handed over by
 * main with media_dl_set_path()); beside the
 * executable; in build/ beside it (the source tree); CASEFILE_LIBDIR
 * (PREFIX/lib/casefile, `make install`).  Not found: the call fails with
 * CF_EIO naming the places.
 */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/frames.h"
#include "casefile/imgconv.h"
#include "casefile/media_dl.h"
#include "casefile/pack.h"
#include "casefile/xalloc.h"

#ifndef CASEFILE_LIBDIR
#define CASEFILE_LIBDIR "/usr/local/lib/casefile"
#endif
#define MEDIA_SO "libcasefile-media.so"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void *handle;
static char *load_error;
static const char *env_path;	/* media_dl_set_path() */

void
media_dl_set_path(const char *path)
{
	env_path = path && *path ? path : NULL;
}

static void
try_open(const char *path)
{
	if (handle == NULL && path != NULL && access(path, R_OK) == 0)
		handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL && path != NULL && access(path, R_OK) == 0 && load_error == NULL)
		load_error = xstrdup(dlerror());
}

static void
load(void)
{
	char exe[PATH_MAX], *p;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	try_open(env_path);
	if (n > 0) {
		exe[n] = '\0';
		if ((p = strrchr(exe, '/')) != NULL)
			*p = '\0';
		p = xasprintf("%s/%s", exe, MEDIA_SO);
		try_open(p);
		free(p);
		p = xasprintf("%s/build/%s", exe, MEDIA_SO);
		try_open(p);
		free(p);
	}
	try_open(CASEFILE_LIBDIR "/" MEDIA_SO);
}

/* The function name in the media library, or NULL with err set. */
static void *
sym(const char *name, struct cf_err *err)
{
	void *f;

	pthread_once(&once, load);
	if (handle == NULL) {
		if (err)
			cf_err_set(err, CF_EIO, "cannot load the media library %s (beside casefile, "
				   "in build/, or in %s; or set CASEFILE_MEDIA_LIB)%s%s", MEDIA_SO,
				   CASEFILE_LIBDIR, load_error ? ": " : "",
				   load_error ? load_error : "");
		return NULL;
	}
	if ((f = dlsym(handle, name)) == NULL && err)
		cf_err_set(err, CF_EIO, "media library %s has no '%s'", MEDIA_SO, name);
	return f;
}

int
pack_vips_init(struct cf_err *err)
{
	int (*f)(struct cf_err *) = (int (*)(struct cf_err *))sym("pack_vips_init", err);

	return f ? f(err) : -1;
}

int
pack_card_render(const json_t *spec, const char *font_file, pack_locate_fn locate,
		 void *cookie, unsigned char **out, size_t *len, struct cf_err *err)
{
	int (*f)(const json_t *, const char *, pack_locate_fn, void *, unsigned char **,
		 size_t *, struct cf_err *);

	*out = NULL;
	*len = 0;
	f = (int (*)(const json_t *, const char *, pack_locate_fn, void *, unsigned char **,
		     size_t *, struct cf_err *))sym("pack_card_render", err);
	return f ? f(spec, font_file, locate, cookie, out, len, err) : -1;
}

int
frames_extract(const char *path, int n, int max_w, int max_h, struct frames *out,
	       struct cf_err *err)
{
	int (*f)(const char *, int, int, int, struct frames *, struct cf_err *);

	memset(out, 0, sizeof(*out));
	f = (int (*)(const char *, int, int, int, struct frames *, struct cf_err *))
		sym("frames_extract", err);
	return f ? f(path, n, max_w, max_h, out, err) : -1;
}

int
frames_info(const char *path, struct frames *out, struct cf_err *err)
{
	return frames_extract(path, 0, 0, 0, out, err);
}

void
frames_release(struct frames *fr)
{
	size_t i;

	/* the same as the library's: plain free() of what it allocated */
	if (fr == NULL)
		return;
	for (i = 0; i < fr->n; i++)
		free(fr->v[i].rgb);
	free(fr->v);
	fr->v = NULL;
	fr->n = 0;
}

int
imgconv_init(struct cf_err *err)
{
	int (*f)(struct cf_err *) = (int (*)(struct cf_err *))sym("imgconv_init", err);

	return f ? f(err) : -1;
}

int
imgconv_fit_jpeg(const char *path, int max_w, int max_h, int quality, unsigned char **out,
		 size_t *len, int *w, int *h, struct cf_err *err)
{
	int (*f)(const char *, int, int, int, unsigned char **, size_t *, int *, int *,
		 struct cf_err *);

	*out = NULL;
	*len = 0;
	f = (int (*)(const char *, int, int, int, unsigned char **, size_t *, int *, int *,
		     struct cf_err *))sym("imgconv_fit_jpeg", err);
	return f ? f(path, max_w, max_h, quality, out, len, w, h, err) : -1;
}

int
imgconv_frames_jpeg(const struct frames *fr, int gap, int quality, unsigned char **out,
		    size_t *len, struct cf_err *err)
{
	int (*f)(const struct frames *, int, int, unsigned char **, size_t *, struct cf_err *);

	*out = NULL;
	*len = 0;
	f = (int (*)(const struct frames *, int, int, unsigned char **, size_t *,
		     struct cf_err *))sym("imgconv_frames_jpeg", err);
	return f ? f(fr, gap, quality, out, len, err) : -1;
}

int
imgconv_truncated(const char *path)
{
	int (*f)(const char *) = (int (*)(const char *))sym("imgconv_truncated", NULL);

	return f ? f(path) : 0;
}

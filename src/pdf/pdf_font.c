/* SPDX-License-Identifier: MIT */
/*
 * pdf_font — the font of the PDF writer: where it is found, and the
 * TrueType tables libharu's subsetter needs help with (contracts in
 * pdf.h and pdf_int.h).  The font file is mapped read-only; only
 * head/maxp/loca/glyf of font 0 are read.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpdf.h>

#include "casefile/pdf.h"
#include "casefile/pdf_int.h"
#include "casefile/xalloc.h"

static char *
try_font(const char *dir)
{
	char *path;

	if (dir == NULL || *dir == '\0')
		return NULL;
	path = xasprintf("%s/%s", dir, FONT_FILE);
	if (access(path, R_OK) == 0)
		return path;
	free(path);
	return NULL;
}

char *
pdf_font_find(const char *fonts_dir, struct cf_err *err)
{
	char *path;

	if ((path = try_font(fonts_dir)) != NULL)
		return path;
	if ((path = try_font("fonts")) != NULL)
		return path;
#ifdef CASEFILE_DATADIR
	if ((path = try_font(CASEFILE_DATADIR "/fonts")) != NULL)
		return path;
#endif
	if (access(DEBIAN_FONT, R_OK) == 0)
		return xstrdup(DEBIAN_FONT);
	cf_err_set(err, CF_ENOTFOUND,
		   "cannot find the font '%s' ($CASEFILE_FONTS, fonts/, "
		   "%s): install fonts-wqy-microhei", FONT_FILE, DEBIAN_FONT);
	return NULL;
}

/* Map the font file and find glyf/loca/head/maxp of font 0. */
int
ttf_open(struct ttf *t, const char *path, struct cf_err *err)
{
	struct stat st;
	size_t dir = 0, head = 0, maxp = 0, i, ntab;
	int fd;

	memset(t, 0, sizeof(*t));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return cf_err_errno(err, CF_EIO, "cannot open font '%s'", path);
	if (fstat(fd, &st) < 0 || st.st_size < 12) {
		close(fd);
		return cf_err_set(err, CF_EINPUT, "font '%s': too short", path);
	}
	t->size = (size_t)st.st_size;
	t->map = mmap(NULL, t->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (t->map == MAP_FAILED) {
		t->map = NULL;
		return cf_err_errno(err, CF_EIO, "cannot map font '%s'", path);
	}
	if (memcmp(t->map, "ttcf", 4) == 0) {
		if (t->size < 16 || be32(t->map + 8) < 1)
			goto bad;
		dir = be32(t->map + 12);
	}
	if (dir + 12 > t->size)
		goto bad;
	ntab = be16(t->map + dir + 4);
	if (dir + 12 + ntab * 16 > t->size)
		goto bad;
	for (i = 0; i < ntab; i++) {
		const unsigned char *r = t->map + dir + 12 + i * 16;
		size_t off = be32(r + 8), len = be32(r + 12);

		if (off > t->size || len > t->size - off)
			goto bad;
		if (memcmp(r, "glyf", 4) == 0)
			t->glyf = off, t->glyf_len = len;
		else if (memcmp(r, "loca", 4) == 0)
			t->loca = off, t->loca_len = len;
		else if (memcmp(r, "head", 4) == 0 && len >= 54)
			head = off;
		else if (memcmp(r, "maxp", 4) == 0 && len >= 6)
			maxp = off;
	}
	if (!t->glyf || !t->loca || !head || !maxp)
		goto bad;
	t->long_loca = be16(t->map + head + 50) != 0;
	t->nglyphs = be16(t->map + maxp + 4);
	if (t->loca_len < (size_t)(t->nglyphs + 1) * (t->long_loca ? 4 : 2))
		goto bad;
	return 0;
bad:
	munmap(t->map, t->size);
	t->map = NULL;
	return cf_err_set(err, CF_EINPUT,
			  "font '%s': not a TrueType font with glyf outlines", path);
}

void
ttf_close(struct ttf *t)
{
	if (t->map)
		munmap(t->map, t->size);
	t->map = NULL;
}

/* Byte range of glyph gid inside glyf; 0 when empty or out of range. */
int
ttf_glyph(const struct ttf *t, unsigned gid, size_t *off, size_t *len)
{
	size_t a, b;
	const unsigned char *l = t->map + t->loca;

	if (gid >= t->nglyphs)
		return 0;
	if (t->long_loca) {
		a = be32(l + 4 * gid);
		b = be32(l + 4 * gid + 4);
	} else {
		a = 2 * (size_t)be16(l + 2 * gid);
		b = 2 * (size_t)be16(l + 2 * gid + 2);
	}
	if (b <= a || b > t->glyf_len)
		return 0;
	*off = t->glyf + a;
	*len = b - a;
	return 1;
}

/*
 * Mark every component of every flagged glyph, recursively (explicit
 * stack; each glyph expanded once, so malformed cycles terminate).
 */
int
ttf_mark_composites(const struct ttf *t, HPDF_BYTE *flgs, unsigned nflgs)
{
	unsigned char *done = xcalloc(t->nglyphs, 1);
	unsigned *stack = xmalloc(sizeof(*stack) * 64);
	size_t sp = 0, cap = 64;
	unsigned g, n = nflgs < t->nglyphs ? nflgs : t->nglyphs;
	int marked = 0;

	for (g = 0; g < n; g++) {
		if (!flgs[g])
			continue;
		stack[sp++] = g;
		while (sp > 0) {
			unsigned cur = stack[--sp];
			size_t off, len, q;
			unsigned flags;

			if (done[cur])
				continue;
			done[cur] = 1;
			if (!flgs[cur]) {
				flgs[cur] = 1;
				marked++;
			}
			if (!ttf_glyph(t, cur, &off, &len) || len < 10)
				continue;
			if ((int16_t)be16(t->map + off) >= 0)
				continue;	/* simple glyph */
			q = off + 10;
			do {
				unsigned comp;

				if (q + 4 > off + len)
					break;
				flags = be16(t->map + q);
				comp = be16(t->map + q + 2);
				q += 4 + ((flags & 0x0001) ? 4 : 2);
				if (flags & 0x0008)
					q += 2;
				else if (flags & 0x0040)
					q += 4;
				else if (flags & 0x0080)
					q += 8;
				if (comp < n && !done[comp]) {
					if (sp == cap) {
						cap *= 2;
						stack = xreallocarray(stack, cap, sizeof(*stack));
					}
					stack[sp++] = comp;
				}
			} while (flags & 0x0020);
		}
	}
	free(stack);
	free(done);
	return marked;
}

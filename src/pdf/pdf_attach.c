/* SPDX-License-Identifier: MIT */
/*
 * pdf_attach — files embedded in the PDF (contract in pdf.h).  They are
 * only listed here; pdf_save() writes them (pdf_haru.c), streaming a file
 * from disk while libharu writes it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <hpdf.h>

#include "casefile/pdf.h"
#include "casefile/pdf_int.h"
#include "casefile/xalloc.h"

int
pdf_is_compressed(const char *mime, const char *name)
{
	static const char *const exts[] = {
		".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".gif",
		".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi", ".3gp",
		".zip", ".gz", ".tgz", ".zst", ".xz", ".bz2", ".7z", ".rar",
		".mp3", ".m4a", ".aac", ".ogg", ".docx", ".xlsx",
	};
	const char *dot;
	size_t i;

	if (mime && (strncmp(mime, "image/jp", 8) == 0 || strcmp(mime, "image/png") == 0 ||
		     strcmp(mime, "image/webp") == 0 || strncmp(mime, "video/", 6) == 0 ||
		     strcmp(mime, "application/zip") == 0))
		return 1;
	if (name == NULL || (dot = strrchr(name, '.')) == NULL)
		return 0;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcasecmp(dot, exts[i]) == 0)
			return 1;
	return 0;
}

static int
attach_add(struct pdf *p, const char *name, const char *mime, const char *desc,
	   unsigned flags)
{
	size_t i;

	if (*name == '\0' || strchr(name, '/') || strchr(name, '\\'))
		return cf_err_set(p->err, CF_EINPUT,
				  "bad attachment name '%s': no paths allowed", name);
	for (i = 0; i < p->natt; i++)
		if (strcmp(p->att[i].name, name) == 0)
			return cf_err_set(p->err, CF_EINPUT,
					  "attachment '%s' added twice", name);
	p->att = xreallocarray(p->att, p->natt + 1, sizeof(*p->att));
	memset(&p->att[p->natt], 0, sizeof(p->att[0]));
	p->att[p->natt].name = xstrdup(name);
	p->att[p->natt].mime = mime ? xstrdup(mime) : NULL;
	p->att[p->natt].desc = desc ? xstrdup(desc) : NULL;
	p->att[p->natt].flags = flags;
	p->natt++;
	return 0;
}

int
pdf_attach_file(struct pdf *p, const char *name, const char *path,
		const char *mime, const char *desc, unsigned flags,
		struct cf_err *err)
{
	struct src *s;
	struct stat sb;

	p->err = err;
	if (stat(path, &sb) < 0)
		return cf_err_errno(err, CF_EIO, "cannot read '%s'", path);
	if ((uint64_t)sb.st_size > PDF_ATTACH_MAX)
		return cf_err_set(err, CF_EINPUT, "'%s': too large to attach (%llu bytes)",
				  path, (unsigned long long)sb.st_size);
	if (attach_add(p, name, mime, desc, flags) < 0)
		return -1;
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->fd = -1;
	s->size = (uint64_t)sb.st_size;
	p->att[p->natt - 1].src = s;
	s->next = p->srcs;
	p->srcs = s;
	return 0;
}

int
pdf_attach_mem(struct pdf *p, const char *name, const void *data, size_t n,
	       const char *mime, const char *desc, unsigned flags,
	       struct cf_err *err)
{
	p->err = err;
	if (attach_add(p, name, mime, desc, flags) < 0)
		return -1;
	p->att[p->natt - 1].mem = xmemdup(data, n);
	p->att[p->natt - 1].n = n;
	return 0;
}

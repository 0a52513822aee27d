/* SPDX-License-Identifier: MIT */
/*
 * parse_hint — the one classifier of `casefile ingest` and `casefile
 * import` (contract at parse_classify() in parse.h).
 *
 * The content is sniffed and parsed first, exactly as parse_evidence()
 * does without a forced kind.  Only then are the name and the folders
 * looked at, as a hint of what the file was meant to be:
 *
 *   hint                          from
 *   image                         .jpg .jpeg .png .webp .gif .heic .heif .bmp .tif .tiff
 *   video                         .mp4 .mov .m4v .avi .mkv .3gp, a folder videos/
 *   image (photo)                 a folder photos/
 *   pdf                           .pdf
 *   image or pdf (receipt)        a folder receipts/
 *   chat / logistics / order      chat.*, logistics.*, order.json
 *
 * The nearest enclosing known folder counts; the name's hint is used with
 * it (receipts/a.pdf expects a pdf that is a receipt).  Then:
 *  - content that agrees keeps its kind; an image or a pdf inside
 *    receipts/ becomes a receipt;
 *  - content that was not understood (kind other) stays other, with a bad
 *    warning saying what the name or folder promised: a text file named
 *    .webp, a zero-byte .png, a non-pdf named .pdf, a chat.json that is not
 *    a chat log never become photos, receipts or empty chat exhibits;
 *  - content understood as something else keeps the content's kind, with a
 *    note naming the disagreement.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "casefile/parse.h"
#include "casefile/parse_int.h"
#include "casefile/xalloc.h"

enum hint {
	H_NONE,
	H_IMAGE,
	H_VIDEO,
	H_PDF,
	H_IMAGE_OR_PDF,
	H_CHAT,
	H_LOGISTICS,
	H_ORDER,
};

static const char *
hint_what(enum hint h)
{
	switch (h) {
	case H_IMAGE: return "an image";
	case H_VIDEO: return "a video";
	case H_PDF: return "a pdf";
	case H_IMAGE_OR_PDF: return "an image or a pdf";
	case H_CHAT: return "a chat log";
	case H_LOGISTICS: return "a logistics record";
	case H_ORDER: return "an order record";
	default: return "something else";
	}
}

/* The hint of a file name (its last component). */
static enum hint
name_hint(const char *name)
{
	static const char *const img[] = { "jpg", "jpeg", "png", "webp", "gif", "heic",
					   "heif", "bmp", "tif", "tiff" };
	static const char *const vid[] = { "mp4", "mov", "m4v", "avi", "mkv", "3gp" };
	const char *dot = strrchr(name, '.');
	size_t stem = dot ? (size_t)(dot - name) : strlen(name), i;

	if (strcasecmp(name, "order.json") == 0)
		return H_ORDER;
	if (stem == 4 && strncasecmp(name, "chat", 4) == 0)
		return H_CHAT;
	if (stem == 9 && strncasecmp(name, "logistics", 9) == 0)
		return H_LOGISTICS;
	if (dot == NULL || dot == name)
		return H_NONE;
	dot++;
	for (i = 0; i < sizeof(img) / sizeof(img[0]); i++)
		if (strcasecmp(dot, img[i]) == 0)
			return H_IMAGE;
	for (i = 0; i < sizeof(vid) / sizeof(vid[0]); i++)
		if (strcasecmp(dot, vid[i]) == 0)
			return H_VIDEO;
	if (strcasecmp(dot, "pdf") == 0)
		return H_PDF;
	return H_NONE;
}

/*
 * The nearest enclosing folder of path named photos, videos or receipts
 * (any case): its hint and name (copied into folder[32]), else H_NONE.
 */
static enum hint
folder_hint(const char *path, char folder[32])
{
	const char *end = path ? strrchr(path, '/') : NULL, *start;
	size_t len;

	while (end && end > path) {
		start = end;
		while (start > path && start[-1] != '/')
			start--;
		len = (size_t)(end - start);
		if (len < 32) {
			memcpy(folder, start, len);
			folder[len] = '\0';
			if (strcasecmp(folder, "photos") == 0)
				return H_IMAGE;
			if (strcasecmp(folder, "videos") == 0)
				return H_VIDEO;
			if (strcasecmp(folder, "receipts") == 0)
				return H_IMAGE_OR_PDF;
		}
		end = start > path ? start - 1 : NULL;
	}
	folder[0] = '\0';
	return H_NONE;
}

/* 1 when the parsed content is what h promised. */
static int
agrees(enum hint h, const struct parsed *p)
{
	enum media_class cls = p->has_media ? p->media.cls : MEDIA_NONE;

	switch (h) {
	case H_IMAGE: return cls == MEDIA_IMAGE;
	case H_VIDEO: return cls == MEDIA_VIDEO;
	case H_PDF: return cls == MEDIA_PDF;
	case H_IMAGE_OR_PDF: return cls == MEDIA_IMAGE || cls == MEDIA_PDF;
	case H_CHAT: return p->kind == CF_KIND_CHAT;
	case H_LOGISTICS: return p->kind == CF_KIND_LOGISTICS;
	case H_ORDER: return p->kind == CF_KIND_ORDER;
	default: return 1;
	}
}

int
parse_classify(const void *data, size_t n, int complete, uint64_t total, int fd,
	       const char *name, const char *path, int forced, struct parsed **out,
	       struct cf_err *err)
{
	struct parsed *p;
	enum hint nh, fh, h;
	char folder[32], *why = NULL;

	if (parse_evidence(data, n, complete, total, fd, name, forced, out, err) < 0)
		return -1;
	p = *out;
	if (forced >= 0 || name == NULL)
		return 0;	/* the user said what it is (--kind) */
	nh = name_hint(name);
	fh = folder_hint(path, folder);
	/* receipts/ takes the name's media hint: receipts/a.pdf expects a pdf */
	h = fh == H_NONE ? nh : fh == H_IMAGE_OR_PDF && (nh == H_IMAGE || nh == H_PDF) ? nh : fh;
	if (h == H_NONE)
		return 0;
	why = fh != H_NONE && h == fh ? xasprintf("in a folder '%s/'", folder)
				      : xasprintf("named '%s'", name);
	if (agrees(h, p)) {
		if (fh == H_IMAGE_OR_PDF)
			p->kind = CF_KIND_RECEIPT;
	} else if (p->kind == CF_KIND_OTHER) {
		parse_warn(p, 1, "expected %s (%s), but the content is not one: stored as other",
			   hint_what(h), why);
	} else {
		parse_warn(p, 0, "expected %s (%s), but the content was read as %s: "
			   "stored as %s", hint_what(h), why, cf_kind_name(p->kind),
			   cf_kind_name(p->kind));
	}
	free(why);
	return 0;
}

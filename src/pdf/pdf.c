/* SPDX-License-Identifier: MIT */
/*
 * pdf — flowing-layout PDF writer on libharu 2.3.0 (contract in pdf.h):
 * the document's lifecycle, its info dictionary and pdf_save().
 *
 * The writer is five files sharing struct pdf (pdf_int.h):
 *   pdf.c         lifecycle, info, save
 *   pdf_font.c    finding the font; its glyf/loca tables (composite glyphs)
 *   pdf_layout.c  text measuring and wrapping, pages, tables, outlines,
 *                 header and footer
 *   pdf_image.c   JPEG, PNG and WebP images
 *   pdf_attach.c  embedded files
 *   pdf_haru.c    everything that touches libharu's private structures,
 *                 and its error handler; the only file that includes
 *                 libharu's internal headers (checked: tests/layers.py)
 *
 * How: one HPDF_Doc with one Type0/CIDFontType2 font in libharu's UTF-8
 * encoding, where the 2-byte code of a character is its BMP code point and
 * the CIDToGIDMap maps it to the glyph.  We measure and wrap text ourselves
 * from the font's advance widths, and draw each line with TextOut.
 *
 * Workarounds for libharu 2.3.0, all applied in pdf_save():
 *  - composite glyphs: we read the font file's own loca/glyf tables and
 *    mark every component of every used glyph in libharu's glyph_tbl.flgs
 *    (its subsetter keeps only flagged glyphs and does not follow nested
 *    components or component ids above 32767).
 *  - ToUnicode: libharu attaches its code→CID "UTF-8" CMap as /ToUnicode;
 *    we rewrite that stream in place as an Adobe-UCS bfrange/bfchar CMap of
 *    exactly the codes drawn (tracked in a 64 Kbit bitmap).
 *  - streamed data: JPEG XObjects and embedded files get a callback stream
 *    that opens the file only while libharu writes it, so neither a 4 MB
 *    photo nor a 500 MB video sits in memory; compressed data is written
 *    without Flate (HPDF_AttachFile deflates everything and names the file
 *    after its path).
 *  - errors: the HPDF error handler (user_data = p) records into p->err,
 *    which every API function points at its caller's cf_err on entry, and
 *    sets p->herr.  Calls whose status is checked go through haru_chk(); the
 *    few drawing calls that are not (colours, line width, path building)
 *    still cannot fail silently: herr is sticky, so the next haru_chk() in the
 *    same operation reports their error.  libharu's own error state is
 *    reset after each failure.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpdf.h>

#include "casefile/outfile.h"
#include "casefile/pdf.h"
#include "casefile/pdf_int.h"
#include "casefile/xalloc.h"

/* --------------------------------------------------------- lifecycle */

int
pdf_new(const char *font_path, struct pdf **out, struct cf_err *err)
{
	struct pdf *p = xcalloc(1, sizeof(*p));
	char *found = NULL;
	const char *name;
	int ret = -1;

	*out = NULL;
	p->err = err;
	p->widths = xmalloc(65536 * sizeof(*p->widths));
	for (size_t i = 0; i < 65536; i++)
		p->widths[i] = INT16_MIN;
	p->used = xcalloc(65536 / 8, 1);
	if (font_path == NULL) {
		if ((found = pdf_font_find(NULL, err)) == NULL)
			goto out;
		font_path = found;
	}
	if (ttf_open(&p->ttf, font_path, err) < 0)
		goto out;
	{
		struct stat fsb;

		p->font_size = stat(font_path, &fsb) == 0 ? (uint64_t)fsb.st_size : 0;
	}
	if ((p->doc = HPDF_New(haru_error, p)) == NULL) {
		cf_err_set(err, CF_EPDF, "cannot create a PDF document");
		goto out;
	}
	if (haru_chk(p, HPDF_SetCompressionMode(p->doc, HPDF_COMP_ALL), "compression") < 0 ||
	    haru_chk(p, HPDF_UseUTFEncodings(p->doc), "utf-8 encoding") < 0 ||
	    haru_chk(p, HPDF_SetPageMode(p->doc, HPDF_PAGE_MODE_USE_OUTLINE), "page mode") < 0)
		goto out;
	if (memcmp(p->ttf.map, "ttcf", 4) == 0)
		name = HPDF_LoadTTFontFromFile2(p->doc, font_path, 0, HPDF_TRUE);
	else
		name = HPDF_LoadTTFontFromFile(p->doc, font_path, HPDF_TRUE);
	if (haru_null(p, name, "cannot load font") < 0) {
		cf_err_prefix(err, "'%s'", font_path);
		goto out;
	}
	p->font = HPDF_GetFont(p->doc, name, "UTF-8");
	if (haru_null(p, p->font, "cannot use font") < 0)
		goto out;
	if (haru_font_init(p, font_path, err) < 0)
		goto out;
	*out = p;
	p = NULL;
	ret = 0;
out:
	free(found);
	if (p)
		p->err = NULL;
	pdf_free(p);
	return ret;
}

void
pdf_free(struct pdf *p)
{
	size_t i;

	if (p == NULL)
		return;
	if (p->doc)
		HPDF_Free(p->doc);	/* frees streams: src cookies after */
	while (p->srcs) {
		struct src *s = p->srcs;

		p->srcs = s->next;
		if (s->fd >= 0)
			close(s->fd);
		free(s->path);
		free(s);
	}
	while (p->images) {
		struct pdf_image *im = p->images;

		p->images = im->next;
		free(im);
	}
	for (i = 0; i < p->natt; i++) {
		free(p->att[i].name);
		free(p->att[i].mime);
		free(p->att[i].desc);
		free(p->att[i].mem);
	}
	free(p->att);
	free(p->outl);
	free(p->pages);
	free(p->widths);
	free(p->used);
	ttf_close(&p->ttf);
	free(p);
}

int
pdf_set_info(struct pdf *p, const char *title, const char *author,
	     const char *subject, long long created, long tz_offset,
	     struct cf_err *err)
{
	const char *keys[] = { "Title", "Author", "Subject" };
	const char *vals[] = { title, author, subject };
	HPDF_Date d;
	long long t = created + tz_offset, days;
	long off = tz_offset < 0 ? -tz_offset : tz_offset;
	int i;

	p->err = err;
	if (haru_chk(p, HPDF_SetInfoAttr(p->doc, HPDF_INFO_PRODUCER,
				     "casefile (libharu)"), "info") < 0)
		return -1;
	for (i = 0; i < 3; i++)
		if (vals[i] != NULL &&
		    haru_set_text(p, NULL, keys[i], vals[i], "info") < 0)
			return -1;
	/* civil date from days (Howard Hinnant's algorithm) */
	days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	{
		long long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
		unsigned doe = (unsigned)(z - era * 146097);
		unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		unsigned mp = (5 * doy + 2) / 153;
		long long sec = t - days * 86400;

		d.day = (HPDF_INT)(doy - (153 * mp + 2) / 5 + 1);
		d.month = (HPDF_INT)(mp < 10 ? mp + 3 : mp - 9);
		d.year = (HPDF_INT)(yoe + era * 400 + (d.month <= 2));
		d.hour = (HPDF_INT)(sec / 3600);
		d.minutes = (HPDF_INT)(sec / 60 % 60);
		d.seconds = (HPDF_INT)(sec % 60);
	}
	d.ind = tz_offset == 0 ? 'Z' : tz_offset > 0 ? '+' : '-';
	d.off_hour = (HPDF_INT)(off / 3600);
	d.off_minutes = (HPDF_INT)(off / 60 % 60);
	return haru_chk(p, HPDF_SetInfoDateAttr(p->doc, HPDF_INFO_CREATION_DATE, d),
		    "creation date");
}

void
pdf_set_decor(struct pdf *p, pdf_decor_fn fn, void *arg)
{
	p->decor = fn;
	p->decor_arg = arg;
}

/* -------------------------------------------------------------- save */

void
pdf_set_max_bytes(struct pdf *p, uint64_t max)
{
	p->max_bytes = max > PDF_SAVE_MAX ? 0 : max;
}

int
pdf_save(struct pdf *p, const char *path, pdf_presave_fn hook, void *hook_arg,
	 struct cf_err *err)
{
	struct outfile *of = NULL;
	uint64_t limit;
	int ret = -1;

	p->err = err;
	if (p->saved)
		return cf_err_set(err, CF_EPDF, "document already saved");
	p->saved = 1;
	if (p->npages == 0 && pdf_page_new(p, err) < 0)
		return -1;
	if (layout_decor(p) < 0 || haru_write_attachments(p) < 0)
		return -1;
	/* U+0020 is always used by libharu for spacing; harmless to map */
	haru_mark_composites(p);
	if (haru_write_tounicode(p) < 0)
		return -1;
	limit = haru_save_limit(p);
	if (limit > (p->max_bytes ? p->max_bytes : PDF_SAVE_MAX)) {
		if (p->max_bytes)
			return cf_err_set(err, CF_EINPUT,
					  "cannot write '%s': the PDF could reach %" PRIu64 " bytes, "
					  "more than its limit of %" PRIu64 " bytes; attach less",
					  path, limit, p->max_bytes);
		return cf_err_set(err, CF_EINPUT,
				  "cannot write '%s': the PDF could reach %" PRIu64 " bytes; "
				  "libharu 2.3.0 writes PDFs over 2 GiB damaged (%llu bytes at "
				  "most); attach less", path, limit, PDF_SAVE_MAX);
	}
	if (outfile_open(path, limit, &of, err) < 0)
		return -1;
	if (haru_write(p, of, path) < 0)
		goto out;
	if (hook) {
		/* the hook makes path from the complete, unnamed PDF */
		if (fchmod(outfile_fd(of), 0644) < 0) {
			outfile_err(of, errno, err);
			goto out;
		}
		if (hook(hook_arg, outfile_tmp_path(of), path, err) < 0)
			goto out;
	} else if (outfile_commit(of, 0644, err) < 0) {
		goto out;
	}
	ret = 0;
out:
	outfile_close(of);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * pdf_haru — the PDF writer's use of libharu's private structures and
 * internal functions (contracts in pdf_int.h), confined to this file: the
 * font definition's glyph table, dictionaries and streams built by hand
 * (callback streams of files, pre-deflated images, the EmbeddedFiles name
 * tree, the ToUnicode CMap), the size bound and the writer of pdf_save(),
 * and the HPDF error handler.
 *
 * These internals are libharu 2.3.0's, not its API: the build refuses any
 * other version until this file has been checked against it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hpdf.h>
#include <hpdf_version.h>
#include <hpdf_conf.h>
#include <hpdf_doc.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>
#include <hpdf_namedict.h>
#include <hpdf_catalog.h>
#include <zlib.h>

#include "casefile/buf.h"
#include "casefile/outfile.h"
#include "casefile/pdf.h"
#include "casefile/pdf_int.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"

#if HPDF_MAJOR_VERSION != 2 || HPDF_MINOR_VERSION != 3 || HPDF_BUGFIX_VERSION != 0
#error "pdf_haru.c relies on the private structures of libharu 2.3.0 (HPDF_VERSION_TEXT differs): check them against this version first"
#endif

/* ------------------------------------------------------------ errors */

void
haru_error(HPDF_STATUS code, HPDF_STATUS detail, void *arg)
{
	struct pdf *p = arg;

	p->herr = 1;
	if (p->err && p->err->code == CF_OK)
		cf_err_set(p->err, CF_EPDF, "libharu error 0x%04X (detail %u)",
			   (unsigned)code, (unsigned)detail);
}

/* Check one HPDF status; on failure make sure err says something. */
int
haru_chk(struct pdf *p, HPDF_STATUS st, const char *what)
{
	if (st == HPDF_OK && !p->herr)
		return 0;
	if (p->err && p->err->code == CF_OK)
		cf_err_set(p->err, CF_EPDF, "libharu error 0x%04X", (unsigned)st);
	cf_err_prefix(p->err, "%s", what);
	p->herr = 0;
	HPDF_ResetError(p->doc);
	return -1;
}

int
haru_null(struct pdf *p, const void *obj, const char *what)
{
	return haru_chk(p, obj ? HPDF_OK : HPDF_FAILD_TO_ALLOC_MEM, what);
}

/* ------------------------------------------------------------ font internals */

int
haru_font_init(struct pdf *p, const char *font_path, struct cf_err *err)
{
	HPDF_FontAttr fattr = (HPDF_FontAttr)p->font->attr;

	p->fontdef = fattr->fontdef;
	if (p->fontdef->type != HPDF_FONTDEF_TYPE_TRUETYPE ||
	    ((HPDF_TTFontDefAttr)p->fontdef->attr)->num_glyphs != p->ttf.nglyphs)
		return cf_err_set(err, CF_EINPUT, "font '%s': unexpected glyph table",
				  font_path);
	p->subst = HPDF_TTFontDef_GetGlyphid(p->fontdef, SUBST_CHAR) ? SUBST_CHAR : '?';
	return 0;
}

unsigned
haru_gid(struct pdf *p, unsigned c)
{
	return HPDF_TTFontDef_GetGlyphid(p->fontdef, (HPDF_UINT16)c);
}

int
haru_gid_width(struct pdf *p, unsigned gid)
{
	return HPDF_TTFontDef_GetGidWidth(p->fontdef, (HPDF_UINT16)gid);
}

void
haru_mark_composites(struct pdf *p)
{
	HPDF_TTFontDefAttr ta = (HPDF_TTFontDefAttr)p->fontdef->attr;

	ttf_mark_composites(&p->ttf, ta->glyph_tbl.flgs, ta->num_glyphs);
}

int
haru_set_text(struct pdf *p, HPDF_Dict d, const char *key, const char *utf8,
	      const char *what)
{
	HPDF_Binary b = haru_text_string(p, utf8);

	if (haru_null(p, b, what) < 0 ||
	    haru_chk(p, HPDF_Dict_Add(d ? d : p->doc->info, key, b), what) < 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------ text strings */

/* Text string for info/outline/filespec: UTF-16BE with BOM, as binary. */
HPDF_Binary
haru_text_string(struct pdf *p, const char *utf8)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t len = strlen(utf8), i = 0;
	HPDF_Binary bin;

	cf_buf_addch(&b, 0xFE);
	cf_buf_addch(&b, 0xFF);
	while (i < len) {
		unsigned c;

		i += textenc_utf8_next(utf8 + i, len - i, &c);

		if (c >= 0x10000 && c <= 0x10FFFF) {
			c -= 0x10000;
			cf_buf_addch(&b, 0xD8 | (c >> 18));
			cf_buf_addch(&b, (c >> 10) & 0xFF);
			cf_buf_addch(&b, 0xDC | ((c >> 8) & 3));
			cf_buf_addch(&b, c & 0xFF);
		} else {
			cf_buf_addch(&b, c >> 8);
			cf_buf_addch(&b, c & 0xFF);
		}
	}
	bin = HPDF_Binary_New(p->doc->mmgr, (HPDF_BYTE *)b.data, (HPDF_UINT)b.len);
	cf_buf_release(&b);
	return bin;
}

/* ------------------------------------------------------ file streams */

/* Open s->path (again) at s->pos, checking that its size has not changed. */
static HPDF_STATUS
src_open(HPDF_Stream st, struct src *s)
{
	struct stat sb;

	if (s->fd >= 0)
		return HPDF_OK;
	if ((s->fd = open(s->path, O_RDONLY | O_CLOEXEC)) < 0)
		return HPDF_SetError(st->error, HPDF_FILE_IO_ERROR, (HPDF_STATUS)errno);
	if (fstat(s->fd, &sb) < 0 || (uint64_t)sb.st_size != s->size ||
	    (s->pos && lseek(s->fd, (off_t)s->pos, SEEK_SET) < 0)) {
		close(s->fd);
		s->fd = -1;
		return HPDF_SetError(st->error, HPDF_FILE_IO_ERROR, EIO);
	}
	return HPDF_OK;
}

/*
 * libharu's copy loop (HPDF_Stream_WriteToStream and its deflate twin) reads
 * until the callback returns HPDF_STREAM_EOF; HPDF_OK means "ask again".
 * So the read that reaches the end of the file says EOF, even when it
 * filled the buffer exactly (a file whose size is a multiple of 4096 did
 * not, and the next call reopened the file at 0 and copied it again, for
 * ever: issue 11).  A read at or past the end says EOF without reopening,
 * and no read goes past the size the stream declared, so one stream never
 * yields more than s->size bytes; a file that shrank is an error.
 */
static HPDF_STATUS
src_read(HPDF_Stream st, HPDF_BYTE *ptr, HPDF_UINT *siz)
{
	struct src *s = st->attr;
	size_t want = *siz, got = 0;
	HPDF_STATUS rc;

	if (s->pos >= s->size) {
		*siz = 0;
		return HPDF_STREAM_EOF;
	}
	if ((rc = src_open(st, s)) != HPDF_OK)
		return rc;
	if (want > s->size - s->pos)
		want = (size_t)(s->size - s->pos);
	while (got < want) {
		ssize_t r = read(s->fd, ptr + got, want - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return HPDF_SetError(st->error, HPDF_FILE_IO_ERROR,
					     (HPDF_STATUS)errno);
		if (r == 0)	/* shorter than when it was stat()ed */
			return HPDF_SetError(st->error, HPDF_FILE_IO_ERROR, EIO);
		got += (size_t)r;
	}
	s->pos += got;
	*siz = (HPDF_UINT)got;
	if (s->pos >= s->size) {
		/* done with this file: keep no descriptor open */
		close(s->fd);
		s->fd = -1;
		return HPDF_STREAM_EOF;
	}
	return HPDF_OK;
}

/* Positions within [0, size] only; the file is (re)opened by the next read. */
static HPDF_STATUS
src_seek(HPDF_Stream st, HPDF_INT pos, HPDF_WhenceMode mode)
{
	struct src *s = st->attr;
	int64_t base = mode == HPDF_SEEK_SET ? 0 : mode == HPDF_SEEK_CUR ? (int64_t)s->pos :
		       (int64_t)s->size;

	if (base + pos < 0 || (uint64_t)(base + pos) > s->size)
		return HPDF_SetError(st->error, HPDF_FILE_IO_ERROR, EINVAL);
	s->pos = (uint64_t)(base + pos);
	if (s->fd >= 0 && lseek(s->fd, (off_t)s->pos, SEEK_SET) < 0)
		return HPDF_SetError(st->error, HPDF_FILE_IO_ERROR, (HPDF_STATUS)errno);
	return HPDF_OK;
}

static HPDF_INT32
src_tell(HPDF_Stream st)
{
	return (HPDF_INT32)((struct src *)st->attr)->pos;
}

static HPDF_UINT32
src_size(HPDF_Stream st)
{
	return (HPDF_UINT32)((struct src *)st->attr)->size;
}

/* A stream dict whose data is read from path when the PDF is written. */
HPDF_Dict
haru_file_stream(struct pdf *p, const char *path, uint64_t *size)
{
	struct stat sb;
	struct src *s;
	HPDF_Dict d;
	HPDF_Stream st;

	if (stat(path, &sb) < 0) {
		cf_err_errno(p->err, CF_EIO, "cannot read '%s'", path);
		return NULL;
	}
	if ((uint64_t)sb.st_size > PDF_ATTACH_MAX) {
		cf_err_set(p->err, CF_EINPUT, "'%s': too large to embed", path);
		return NULL;
	}
	d = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);
	if (haru_null(p, d, "stream") < 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->path = xstrdup(path);
	s->fd = -1;
	s->streamed = 1;
	s->size = (uint64_t)sb.st_size;
	s->next = p->srcs;
	p->srcs = s;
	st = HPDF_CallbackReader_New(p->doc->mmgr, src_read, src_seek, src_tell,
				     src_size, s);
	if (haru_null(p, st, "stream") < 0)
		return NULL;
	HPDF_Stream_Free(d->stream);
	d->stream = st;
	*size = s->size;
	return d;
}

/* ------------------------------------------------------------ images */

HPDF_Dict
haru_image_dict(struct pdf *p, unsigned w, unsigned h, const char *cs, HPDF_Dict d)
{
	int ret = 0;

	if (d == NULL) {
		d = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);
		if (haru_null(p, d, "image") < 0)
			return NULL;
	}
	d->header.obj_class |= HPDF_OSUBCLASS_XOBJECT;
	ret += HPDF_Dict_AddName(d, "Type", "XObject");
	ret += HPDF_Dict_AddName(d, "Subtype", "Image");
	ret += HPDF_Dict_AddNumber(d, "Width", w);
	ret += HPDF_Dict_AddNumber(d, "Height", h);
	ret += HPDF_Dict_AddName(d, "ColorSpace", cs);
	ret += HPDF_Dict_AddNumber(d, "BitsPerComponent", 8);
	if (haru_chk(p, ret ? HPDF_INVALID_OBJECT : HPDF_OK, "image") < 0)
		return NULL;
	return d;
}

HPDF_Dict
haru_jpeg_dict(struct pdf *p, const char *path, unsigned w, unsigned h,
	       const char *cs, int inverted)
{
	HPDF_Dict d;
	uint64_t size;

	if ((d = haru_file_stream(p, path, &size)) == NULL ||
	    haru_image_dict(p, w, h, cs, d) == NULL)
		return NULL;
	d->filter = HPDF_STREAM_FILTER_DCT_DECODE;
	if (inverted) {
		/* Adobe (Photoshop) CMYK JPEGs store inverted values */
		HPDF_Array a = HPDF_Array_New(p->doc->mmgr);
		int i, r = 0;

		if (haru_null(p, a, "image") < 0)
			return NULL;
		for (i = 0; i < 4; i++) {
			r += HPDF_Array_AddNumber(a, 1);
			r += HPDF_Array_AddNumber(a, 0);
		}
		if (haru_chk(p, r ? HPDF_INVALID_OBJECT : HPDF_Dict_Add(d, "Decode", a), "image") < 0)
			return NULL;
	}
	return d;
}

int
haru_zsink_put(struct pdf *p, struct zsink *zs, const void *data, size_t n, int flush)
{
	zs->z.next_in = (Bytef *)(uintptr_t)data;
	zs->z.avail_in = (uInt)n;
	do {
		int r;

		zs->z.next_out = zs->buf;
		zs->z.avail_out = sizeof(zs->buf);
		r = deflate(&zs->z, flush);
		if (r == Z_STREAM_ERROR)
			return cf_err_set(p->err, CF_EPDF, "deflate failed");
		if (zs->z.avail_out < sizeof(zs->buf) &&
		    haru_chk(p, HPDF_Stream_Write(zs->st, zs->buf,
					      (HPDF_UINT)(sizeof(zs->buf) - zs->z.avail_out)),
			 "image") < 0)
			return -1;
	} while (zs->z.avail_out == 0 || (flush == Z_FINISH && zs->z.avail_in > 0));
	return 0;
}

/*
 * libharu drops a /Filter key of a stream whose filter is NONE, so the
 * pre-deflated image declares its filter from the dict's write hook, which
 * runs inside the dictionary.
 */
static HPDF_STATUS
predeflated_write(HPDF_Dict d, HPDF_Stream st)
{
	(void)d;
	return HPDF_Stream_WriteStr(st, "/Filter /FlateDecode\n");
}

HPDF_Dict
haru_raw_image_begin(struct pdf *p, unsigned w, unsigned h, struct zsink *zs)
{
	HPDF_Dict d = haru_image_dict(p, w, h, "DeviceRGB", NULL);

	if (d == NULL)
		return NULL;
	d->write_fn = predeflated_write;
	d->filter = HPDF_STREAM_FILTER_NONE;	/* we deflate ourselves */
	memset(&zs->z, 0, sizeof(zs->z));
	if (deflateInit(&zs->z, 6) != Z_OK) {
		cf_err_set(p->err, CF_EPDF, "deflate init failed");
		return NULL;
	}
	zs->st = d->stream;
	return d;
}

/*
 * A pre-deflated image abandoned half way stays in libharu's object table
 * (objects cannot be removed); make it an empty, filter-less stream so the
 * file stays valid.
 */
void
haru_orphan_image(HPDF_Dict d)
{
	HPDF_MemStream_FreeData(d->stream);
	d->write_fn = NULL;
}

/* ------------------------------------------------------- attachments */

static int
cmp_att(const void *a, const void *b)
{
	return strcmp(((const struct attach *)a)->name, ((const struct attach *)b)->name);
}

/* Build the EmbeddedFiles name tree (sorted) with one Filespec per file. */
int
haru_write_attachments(struct pdf *p)
{
	HPDF_MMgr mm = p->doc->mmgr;
	HPDF_NameDict names;
	HPDF_NameTree tree;
	HPDF_Array arr;
	size_t i;

	if (p->natt == 0)
		return 0;
	qsort(p->att, p->natt, sizeof(*p->att), cmp_att);
	names = HPDF_Catalog_GetNames(p->doc->catalog);
	if (names == NULL) {
		names = HPDF_NameDict_New(mm, p->doc->xref);
		if (haru_null(p, names, "attachments") < 0 ||
		    haru_chk(p, HPDF_Catalog_SetNames(p->doc->catalog, names), "attachments") < 0)
			return -1;
	}
	tree = HPDF_NameTree_New(mm, p->doc->xref);
	if (haru_null(p, tree, "attachments") < 0 ||
	    haru_chk(p, HPDF_NameDict_SetNameTree(names, HPDF_NAME_EMBEDDED_FILES, tree),
		 "attachments") < 0)
		return -1;
	arr = HPDF_Dict_GetItem(tree, "Names", HPDF_OCLASS_ARRAY);
	if (haru_null(p, arr, "attachments") < 0)
		return -1;
	for (i = 0; i < p->natt; i++) {
		struct attach *a = &p->att[i];
		HPDF_Dict ef, fs, efd, params;
		HPDF_String key;
		uint64_t size;
		int r = 0;

		if (a->src) {
			if ((ef = haru_file_stream(p, a->src->path, &size)) == NULL)
				return -1;
		} else {
			ef = HPDF_DictStream_New(mm, p->doc->xref);
			if (haru_null(p, ef, "attachment") < 0 ||
			    (a->n && haru_chk(p, HPDF_Stream_Write(ef->stream, a->mem,
							       (HPDF_UINT)a->n), "attachment") < 0))
				return -1;
			size = a->n;
		}
		ef->filter = (a->flags & PDF_ATTACH_STORE) ? HPDF_STREAM_FILTER_NONE
							   : HPDF_STREAM_FILTER_FLATE_DECODE;
		r += HPDF_Dict_AddName(ef, "Type", "EmbeddedFile");
		if (a->mime) {
			/* a name object: '/' becomes #2F */
			r += HPDF_Dict_AddName(ef, "Subtype", a->mime);
		}
		params = HPDF_Dict_New(mm);
		if (haru_null(p, params, "attachment") < 0)
			return -1;
		r += HPDF_Dict_Add(ef, "Params", params);
		r += HPDF_Dict_AddNumber(params, "Size", (HPDF_INT32)(size > INT32_MAX ? INT32_MAX : size));
		fs = HPDF_Dict_New(mm);
		if (haru_null(p, fs, "attachment") < 0)
			return -1;
		r += HPDF_Xref_Add(p->doc->xref, fs);
		r += HPDF_Dict_AddName(fs, "Type", "Filespec");
		r += HPDF_Dict_Add(fs, "F", HPDF_String_New(mm, a->name, NULL));
		r += HPDF_Dict_Add(fs, "UF", haru_text_string(p, a->name));
		if (a->desc)
			r += HPDF_Dict_Add(fs, "Desc", haru_text_string(p, a->desc));
		efd = HPDF_Dict_New(mm);
		if (haru_null(p, efd, "attachment") < 0)
			return -1;
		r += HPDF_Dict_Add(fs, "EF", efd);
		r += HPDF_Dict_Add(efd, "F", ef);
		key = HPDF_String_New(mm, a->name, NULL);
		r += HPDF_Array_Add(arr, key);
		r += HPDF_Array_Add(arr, fs);
		if (haru_chk(p, r ? HPDF_INVALID_OBJECT : HPDF_OK, "attachment") < 0) {
			cf_err_prefix(p->err, "'%s'", a->name);
			return -1;
		}
	}
	return 0;
}

/* -------------------------------------------------------------- save */

/* Replace libharu's code→CID "ToUnicode" with an Adobe-UCS CMap. */
int
haru_write_tounicode(struct pdf *p)
{
	HPDF_Dict tu = HPDF_Dict_GetItem(p->font, "ToUnicode", HPDF_OCLASS_DICT);
	struct cf_buf b = CF_BUF_INIT, ranges = CF_BUF_INIT, chars = CF_BUF_INIT;
	HPDF_Dict sysinfo;
	unsigned c = 0, nr = 0, nc = 0;
	int r = 0, ret = -1;

	if (tu == NULL) {
		/* no ToUnicode at all: add one */
		tu = HPDF_DictStream_New(p->doc->mmgr, p->doc->xref);
		if (haru_null(p, tu, "tounicode") < 0 ||
		    haru_chk(p, HPDF_Dict_Add(p->font, "ToUnicode", tu), "tounicode") < 0)
			return -1;
	}
	HPDF_MemStream_FreeData(tu->stream);
	HPDF_Dict_RemoveElement(tu, "CMapName");
	HPDF_Dict_RemoveElement(tu, "WMode");
	HPDF_Dict_RemoveElement(tu, "Type");
	sysinfo = HPDF_Dict_New(p->doc->mmgr);
	if (haru_null(p, sysinfo, "tounicode") < 0)
		return -1;
	r += HPDF_Dict_Add(tu, "CIDSystemInfo", sysinfo);
	r += HPDF_Dict_Add(sysinfo, "Registry", HPDF_String_New(p->doc->mmgr, "Adobe", NULL));
	r += HPDF_Dict_Add(sysinfo, "Ordering", HPDF_String_New(p->doc->mmgr, "UCS", NULL));
	r += HPDF_Dict_AddNumber(sysinfo, "Supplement", 0);
	r += HPDF_Dict_AddName(tu, "CMapName", "Adobe-Identity-UCS");
	if (haru_chk(p, r ? HPDF_INVALID_OBJECT : HPDF_OK, "tounicode") < 0)
		return -1;
	tu->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
	/* used codes in runs inside one high byte: bfrange, singles: bfchar */
	while (c < 65536) {
		unsigned e;

		if (!(p->used[c >> 3] & (1u << (c & 7)))) {
			c++;
			continue;
		}
		for (e = c; e + 1 < 65536 && (e + 1) >> 8 == c >> 8 &&
			    (p->used[(e + 1) >> 3] & (1u << ((e + 1) & 7))); e++)
			;
		if (e > c) {
			if (nr % 100 == 0)
				cf_buf_addf(&ranges, "%sBEGINR\n", nr ? "endbfrange\n" : "");
			cf_buf_addf(&ranges, "<%04X> <%04X> <%04X>\n", c, e, c);
			nr++;
		} else {
			if (nc % 100 == 0)
				cf_buf_addf(&chars, "%sBEGINC\n", nc ? "endbfchar\n" : "");
			cf_buf_addf(&chars, "<%04X> <%04X>\n", c, c);
			nc++;
		}
		c = e + 1;
	}
	cf_buf_addstr(&b,
		      "/CIDInit /ProcSet findresource begin\n"
		      "12 dict begin\n"
		      "begincmap\n"
		      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
		      "/CMapName /Adobe-Identity-UCS def\n"
		      "/CMapType 2 def\n"
		      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
	/* expand the block markers with their counts */
	{
		const char *s;
		unsigned left = nr;

		for (s = ranges.data; *s;) {
			const char *nlp = strchr(s, '\n');

			if (strncmp(s, "BEGINR", 6) == 0) {
				cf_buf_addf(&b, "%u beginbfrange\n", left > 100 ? 100 : left);
				left -= left > 100 ? 100 : left;
			} else {
				cf_buf_add(&b, s, (size_t)(nlp - s) + 1);
			}
			s = nlp + 1;
		}
		if (nr)
			cf_buf_addstr(&b, "endbfrange\n");
		left = nc;
		for (s = chars.data; *s;) {
			const char *nlp = strchr(s, '\n');

			if (strncmp(s, "BEGINC", 6) == 0) {
				cf_buf_addf(&b, "%u beginbfchar\n", left > 100 ? 100 : left);
				left -= left > 100 ? 100 : left;
			} else {
				cf_buf_add(&b, s, (size_t)(nlp - s) + 1);
			}
			s = nlp + 1;
		}
		if (nc)
			cf_buf_addstr(&b, "endbfchar\n");
	}
	cf_buf_addstr(&b, "endcmap\n"
		      "CMapName currentdict /CMap defineresource pop\n"
		      "end\nend\n");
	if (haru_chk(p, HPDF_Stream_Write(tu->stream, (HPDF_BYTE *)b.data, (HPDF_UINT)b.len),
		 "tounicode") < 0)
		goto out;
	ret = 0;
out:
	cf_buf_release(&b);
	cf_buf_release(&ranges);
	cf_buf_release(&chars);
	return ret;
}

/*
 * The most bytes the saved PDF can take: every streamed file and every
 * in-memory stream (deflate adds at most ~0.03% plus a few bytes; libharu
 * adds nothing else), the font file, a bound per object and 16 MiB for the
 * rest.  A writer that passes it runs away (issue 11: a stream that never
 * reached its end), and the save stops instead of filling the disk.
 */
uint64_t
haru_save_limit(struct pdf *p)
{
	HPDF_Xref x = p->doc->xref;
	uint64_t sum = (16u << 20) + 2 * p->font_size;
	const struct src *s;
	HPDF_UINT i;

	for (s = p->srcs; s; s = s->next)
		if (s->streamed)
			sum += s->size + s->size / 256 + 1024;
	for (; x; x = x->prev) {
		for (i = 0; i < x->entries->count; i++) {
			HPDF_XrefEntry e = HPDF_List_ItemAt(x->entries, i);
			HPDF_Obj_Header *h = e ? (HPDF_Obj_Header *)e->obj : NULL;

			sum += 1024;
			if (h && (h->obj_class & HPDF_OCLASS_ANY) == HPDF_OCLASS_DICT) {
				HPDF_Dict d = e->obj;

				if (d->stream && d->stream->type == HPDF_STREAM_MEMORY)
					sum += d->stream->size + d->stream->size / 256 + 1024;
			}
		}
	}
	return sum;
}

/* The libharu writer of pdf_save(): into the outfile, counted and bounded. */
struct save_sink {
	struct pdf *p;
	struct outfile *of;
	int failed;
};

static HPDF_STATUS
sink_write(HPDF_Stream st, const HPDF_BYTE *ptr, HPDF_UINT siz)
{
	struct save_sink *k = st->attr;

	if (k->failed)
		return HPDF_FILE_IO_ERROR;
	if (outfile_write(k->of, ptr, siz, k->p->err) < 0) {
		k->failed = 1;
		return HPDF_SetError(st->error, HPDF_FILE_IO_ERROR,
				     k->p->err ? (HPDF_STATUS)k->p->err->sys_errno : EIO);
	}
	return HPDF_OK;
}

int
haru_write(struct pdf *p, struct outfile *of, const char *path)
{
	struct save_sink sink = { p, of, 0 };
	HPDF_Stream st;
	int ret = -1;

	st = HPDF_CallbackWriter_New(p->doc->mmgr, sink_write, &sink);
	if (haru_null(p, st, "cannot write the PDF") < 0)
		return -1;
	if (p->doc->stream)
		HPDF_Stream_Free(p->doc->stream);
	p->doc->stream = st;	/* HPDF_SaveToStream writes to doc->stream */
	if (HPDF_SaveToStream(p->doc) != HPDF_OK || p->herr) {
		if (sink.failed) {	/* err names the path and the cause */
			p->herr = 0;
			HPDF_ResetError(p->doc);
		} else {
			haru_chk(p, HPDF_INVALID_DOCUMENT, "cannot write the PDF");
			cf_err_prefix(p->err, "'%s'", path);
		}
		goto out;
	}
	ret = 0;
out:
	st->attr = NULL;	/* sink is gone; the stream is freed with doc */
	return ret;
}

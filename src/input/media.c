/* SPDX-License-Identifier: MIT */
/*
 * media — magic-byte sniffing and header probing of images, videos, PDFs.
 *
 * Theory of operation.  media_sniff() looks only at the first bytes.
 * media_probe() then reads what the format needs:
 *  - images are read whole into memory (bounded by max_image) and handed to
 *    their library: libjpeg's jpeg_read_header(), libpng's png_read_info(),
 *    WebPGetFeatures(); each library's error path is a longjmp back into
 *    the probe function that armed it, and warnings are routed to the
 *    caller's callback, never to stderr;
 *  - EXIF goes through libexif (imgmeta.c, shared with the PDF writer)
 *    with FOLLOW_SPECIFICATION turned off, so libexif never invents a
 *    default Orientation or date the file does not hold;
 *  - ISO-BMFF (MP4, MOV, HEIC): boxes are 32-bit size + 4-char type, size 1
 *    meaning a 64-bit size follows, size 0 meaning "to the end".  For videos
 *    the top-level boxes are walked with pread() (16 bytes per header) to
 *    find moov, then moov's children to find mvhd, whose timescale and
 *    duration give the length.  The walk is bounded in steps and every box
 *    must move forward, so a hostile file cannot loop it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#include <webp/decode.h>
#include <webp/demux.h>

#include "casefile/cftime.h"
#include "casefile/imgmeta.h"
#include "casefile/media.h"
#include "casefile/pdfread.h"
#include "casefile/xalloc.h"

#define BOX_MAX_STEPS 100000

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned
le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static int
is_video_brand(const unsigned char *b)
{
	static const char *const brands[] = {
		"isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42",
		"avc1", "M4V ", "M4VH", "M4VP", "3gp4", "3gp5", "3gp6", "3g2a",
		"dash", "mmp4", "MSNV", "XAVC", "f4v ", "qt  ",
	};
	size_t i;

	for (i = 0; i < sizeof(brands) / sizeof(brands[0]); i++)
		if (memcmp(b, brands[i], 4) == 0)
			return 1;
	return 0;
}

static int
is_heif_brand(const unsigned char *b)
{
	return !memcmp(b, "heic", 4) || !memcmp(b, "heix", 4) ||
	       !memcmp(b, "heim", 4) || !memcmp(b, "heis", 4) ||
	       !memcmp(b, "hevc", 4) || !memcmp(b, "hevx", 4) ||
	       !memcmp(b, "mif1", 4) || !memcmp(b, "msf1", 4);
}

static void
info_reset(struct media_info *mi)
{
	memset(mi, 0, sizeof(*mi));
	mi->cls = MEDIA_NONE;
	mi->width = mi->height = -1;
	mi->duration_ms = -1;
}

/* ftyp: major brand at 8, compatible brands from 16 to the box end. */
static void
sniff_ftyp(const unsigned char *s, size_t n, struct media_info *mi)
{
	uint32_t size = be32(s);
	size_t end = size >= 16 && size <= n ? size : n, i;
	int avif = 0, heif = is_heif_brand(s + 8), video = is_video_brand(s + 8);

	if (!memcmp(s + 8, "avif", 4) || !memcmp(s + 8, "avis", 4))
		avif = 1;
	for (i = 16; i + 4 <= end; i += 4) {
		if (!memcmp(s + i, "avif", 4))
			avif = 1;
		else if (is_heif_brand(s + i) && !video)
			heif = 1;
	}
	if (avif) {
		mi->cls = MEDIA_IMAGE;
		mi->format = "avif";
	} else if (heif && !video) {
		mi->cls = MEDIA_IMAGE;
		mi->format = "heic";
	} else if (video || heif) {
		mi->cls = MEDIA_VIDEO;
		mi->format = !memcmp(s + 8, "qt  ", 4) ? "mov" : "mp4";
	} else {
		/* an unknown ftyp brand: only call it a video if it says mp4-ish */
		for (i = 16; i + 4 <= end; i += 4)
			if (is_video_brand(s + i)) {
				mi->cls = MEDIA_VIDEO;
				mi->format = "mp4";
				break;
			}
	}
}


enum media_class
media_sniff(const void *data, size_t n, struct media_info *mi)
{
	const unsigned char *s = data;
	size_t i;

	info_reset(mi);
	if (n >= 3 && s[0] == 0xFF && s[1] == 0xD8 && (s[2] == 0xFF || imgmeta_jpeg_junk(s, n) > 0)) {
		mi->format = "jpeg";
	} else if (n >= 8 && !memcmp(s, "\x89PNG\r\n\x1a\n", 8)) {
		mi->format = "png";
	} else if (n >= 12 && !memcmp(s, "RIFF", 4) && !memcmp(s + 8, "WEBP", 4)) {
		mi->format = "webp";
	} else if (n >= 6 && (!memcmp(s, "GIF87a", 6) || !memcmp(s, "GIF89a", 6))) {
		mi->format = "gif";
	} else if (n >= 26 && s[0] == 'B' && s[1] == 'M' &&
		   le16(s + 14) >= 12 && s[15] == 0 && s[16] == 0 && s[17] == 0) {
		mi->format = "bmp";
	} else if (n >= 8 && (!memcmp(s, "II*\0", 4) || !memcmp(s, "MM\0*", 4))) {
		mi->format = "tiff";
	} else if (n >= 16 && !memcmp(s + 4, "ftyp", 4)) {
		sniff_ftyp(s, n, mi);
		return mi->cls;
	} else if (n >= 8 && (!memcmp(s + 4, "moov", 4) || !memcmp(s + 4, "mdat", 4) ||
			      !memcmp(s + 4, "wide", 4)) && be32(s) >= 8) {
		mi->cls = MEDIA_VIDEO;
		mi->format = "mov";
		return mi->cls;
	} else {
		/*
		 * %PDF- may follow white space.  (Readers also accept junk
		 * before it; we do not, so a chat log quoting "%PDF-" in its
		 * first lines is never taken for a receipt.)
		 */
		for (i = 0; i < n && i < 1024 && (s[i] == ' ' || s[i] == '\t' ||
						  s[i] == '\r' || s[i] == '\n'); i++)
			;
		if (i + 5 <= n && !memcmp(s + i, "%PDF-", 5)) {
			mi->cls = MEDIA_PDF;
			mi->format = "pdf";
			return mi->cls;
		}
		return MEDIA_NONE;
	}
	mi->cls = MEDIA_IMAGE;
	return mi->cls;
}

/* ---- reading at an offset: from the prefix in memory, else pread(fd) ---- */

struct src {
	const unsigned char *data;
	size_t n;
	uint64_t total;
	int fd;
};

/* Read up to len bytes at off; returns bytes read (short at EOF), -1 on error. */
static ssize_t
src_read(const struct src *s, uint64_t off, void *buf, size_t len, struct cf_err *err)
{
	size_t got = 0;

	if (off >= s->total)
		return 0;
	if (len > s->total - off)
		len = (size_t)(s->total - off);
	if (off + len <= s->n) {
		memcpy(buf, s->data + off, len);
		return (ssize_t)len;
	}
	if (s->fd < 0) {
		if (off < s->n) {
			memcpy(buf, s->data + off, s->n - off);
			return (ssize_t)(s->n - off);
		}
		return 0;
	}
	while (got < len) {
		ssize_t r = pread(s->fd, (char *)buf + got, len - got, (off_t)(off + got));

		if (r < 0) {
			if (errno == EINTR)
				continue;
			cf_err_errno(err, CF_EIO, "cannot read the stored content");
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* ---- EXIF (imgmeta.c, shared with the PDF writer) ------------------------ */

void
media_read_exif(const void *data, size_t n, struct media_info *mi,
		media_warn_fn warn, void *cookie)
{
	struct imgmeta_exif x;

	imgmeta_exif(data, n, &x, warn, cookie);
	if (x.orientation)
		mi->orientation = x.orientation;
	if (x.has_captured) {
		mi->has_captured = 1;
		mi->captured_at = x.captured_at;
	}
	if (x.has_gps)
		mi->has_gps = 1;
}

/* ---- JPEG (libjpeg) ------------------------------------------------------ */

/*
 * Decoding every photo at ingest is what tells a truncated or corrupt one
 * from a good one, while the merchant still has the original: libjpeg does
 * not fail on a truncated file, it warns (JWRN_JPEG_EOF, after inserting an
 * EOI) and pads the image with grey, so the warnings are counted here.  The
 * scan is decoded at 1/8 scale, which still entropy-decodes every block
 * (what finds the damage) but skips most of the IDCT and output.
 */
#define JPEG_DECODE_MAX_PIXELS (100ull * 1000 * 1000)

struct jerr {
	struct jpeg_error_mgr pub;
	jmp_buf jmp;
	int skip_junk;		/* the one "extraneous bytes" warning is expected */
	int first_warning;	/* msg_code of the first counted warning, or -1 */
	char warning[JMSG_LENGTH_MAX];
};

static void
jpeg_on_error(j_common_ptr ci)
{
	struct jerr *je = (struct jerr *)ci->err;

	longjmp(je->jmp, 1);
}

static void
jpeg_on_message(j_common_ptr ci)
{
	(void)ci;	/* warnings are not ours to print */
}

/* Every warning (level -1) is kept, the first one's text for the message. */
static void
jpeg_on_emit(j_common_ptr ci, int level)
{
	struct jerr *je = (struct jerr *)ci->err;

	if (level >= 0)
		return;	/* trace messages */
	if (je->skip_junk && je->pub.msg_code == JWRN_EXTRANEOUS_DATA) {
		je->skip_junk = 0;	/* noted by probe_jpeg already */
		return;
	}
	if (je->first_warning < 0) {
		je->first_warning = je->pub.msg_code;
		je->pub.format_message(ci, je->warning);
	}
	je->pub.num_warnings++;
}

/* Size from the header, then the whole scan decoded; junk as imgmeta_jpeg_junk(). */
static void
decode_jpeg(const unsigned char *s, size_t n, size_t junk, struct media_info *mi,
	    media_warn_fn warn, void *cookie)
{
	struct jpeg_decompress_struct ci;
	struct jerr je;
	JSAMPARRAY row;

	memset(&ci, 0, sizeof(ci));
	ci.err = jpeg_std_error(&je.pub);
	je.pub.error_exit = jpeg_on_error;
	je.pub.output_message = jpeg_on_message;
	je.pub.emit_message = jpeg_on_emit;
	je.skip_junk = junk > 0;
	je.first_warning = -1;
	if (setjmp(je.jmp)) {
		char msg[JMSG_LENGTH_MAX];

		je.pub.format_message((j_common_ptr)&ci, msg);
		imgmeta_warnf(warn, cookie, 1, "bad jpeg: %s", msg);
		jpeg_destroy_decompress(&ci);
		return;
	}
	jpeg_create_decompress(&ci);
	jpeg_mem_src(&ci, s, (unsigned long)n);
	if (jpeg_read_header(&ci, TRUE) == JPEG_HEADER_OK) {
		mi->width = ci.image_width;
		mi->height = ci.image_height;
		if ((unsigned long long)ci.image_width * ci.image_height <=
		    JPEG_DECODE_MAX_PIXELS) {
			ci.scale_num = 1;
			ci.scale_denom = 8;
			ci.dct_method = JDCT_IFAST;
			ci.do_fancy_upsampling = FALSE;
			jpeg_start_decompress(&ci);
			row = ci.mem->alloc_sarray((j_common_ptr)&ci, JPOOL_IMAGE,
						   ci.output_width * ci.output_components, 1);
			while (ci.output_scanline < ci.output_height)
				jpeg_read_scanlines(&ci, row, 1);
			jpeg_finish_decompress(&ci);
			if (je.first_warning == JWRN_JPEG_EOF)
				imgmeta_warnf(warn, cookie, 1, "bad jpeg: file is truncated "
				      "(no end marker): the image is incomplete");
			else if (je.first_warning >= 0)
				imgmeta_warnf(warn, cookie, 1, "bad jpeg: %s", je.warning);
		}
	}
	jpeg_destroy_decompress(&ci);
}

static void
probe_jpeg(const unsigned char *s, size_t n, struct media_info *mi,
	   media_warn_fn warn, void *cookie)
{
	size_t junk = s[2] == 0xFF ? 0 : imgmeta_jpeg_junk(s, n);

	if (junk)
		imgmeta_warnf(warn, cookie, 0, "%zu extra byte%s after the jpeg start marker "
		      "(decoders skip them)", junk, junk == 1 ? "" : "s");
	decode_jpeg(s, n, junk, mi, warn, cookie);
	media_read_exif(s, n, mi, warn, cookie);	/* skips the junk too */
}

/* ---- PNG (libpng) -------------------------------------------------------- */

#define PNG_DECODE_MAX_PIXELS (100ull * 1000 * 1000)

struct pngsrc {
	const unsigned char *s;
	size_t n, off;
	media_warn_fn warn;
	void *cookie;
	char msg[128];
};

static void
png_on_read(png_structp png, png_bytep out, size_t len)
{
	struct pngsrc *ps = png_get_io_ptr(png);

	if (len > ps->n - ps->off)
		png_error(png, "file is truncated");
	memcpy(out, ps->s + ps->off, len);
	ps->off += len;
}

static void
png_on_error(png_structp png, png_const_charp msg)
{
	struct pngsrc *ps = png_get_error_ptr(png);

	snprintf(ps->msg, sizeof(ps->msg), "%s", msg);
	png_longjmp(png, 1);
}

static void
png_on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;	/* ancillary-chunk quibbles: not worth a warning */
}

static void
probe_png(const unsigned char *s, size_t n, struct media_info *mi,
	  media_warn_fn warn, void *cookie)
{
	struct pngsrc ps = { s, n, 0, warn, cookie, "" };
	png_structp png;
	png_infop info = NULL;
	png_bytep volatile row = NULL;	/* set between setjmp and longjmp */

	png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ps, png_on_error,
				     png_on_warning);
	if (png == NULL)
		return;
	if ((info = png_create_info_struct(png)) == NULL) {
		png_destroy_read_struct(&png, NULL, NULL);
		return;
	}
	if (setjmp(png_jmpbuf(png))) {
		imgmeta_warnf(warn, cookie, 1, "bad png: %s", ps.msg[0] ? ps.msg : "unreadable");
		free(row);
		png_destroy_read_struct(&png, &info, NULL);
		return;
	}
	png_set_read_fn(png, &ps, png_on_read);
	png_read_info(png, info);
	mi->width = png_get_image_width(png, info);
	mi->height = png_get_image_height(png, info);
#ifdef PNG_eXIf_SUPPORTED
	{
		png_bytep exif = NULL;
		png_uint_32 elen = 0;

		if (png_get_eXIf_1(png, info, &elen, &exif) && exif && elen)
			media_read_exif(exif, elen, mi, warn, cookie);
	}
#endif
	/*
	 * Read every row and the chunks after them (CRCs checked, IEND
	 * required): a truncated or damaged PNG is found at ingest, not when
	 * a dossier is built.  One row buffer, reused for every pass.
	 */
	if ((unsigned long long)mi->width * mi->height <= PNG_DECODE_MAX_PIXELS) {
		int pass, passes = png_set_interlace_handling(png);
		png_uint_32 y, h = png_get_image_height(png, info);

		png_read_update_info(png, info);
		row = xmalloc(png_get_rowbytes(png, info));
		for (pass = 0; pass < passes; pass++)
			for (y = 0; y < h; y++)
				png_read_row(png, row, NULL);
		png_read_end(png, NULL);
	}
	free(row);
	png_destroy_read_struct(&png, &info, NULL);
}

/* ---- WebP (libwebp, libwebpdemux) ---------------------------------------- */

static void
probe_webp(const unsigned char *s, size_t n, struct media_info *mi,
	   media_warn_fn warn, void *cookie)
{
	WebPBitstreamFeatures f;
	WebPData wd = { s, n };
	WebPDemuxer *dmx;
	VP8StatusCode st;

	if ((st = WebPGetFeatures(s, n, &f)) != VP8_STATUS_OK) {
		imgmeta_warnf(warn, cookie, 1, "bad webp: %s",
		      st == VP8_STATUS_NOT_ENOUGH_DATA ? "file is truncated"
						       : "unreadable header");
		return;
	}
	mi->width = f.width;
	mi->height = f.height;
	/*
	 * The RIFF size says how long the file is; then a still image is
	 * decoded (scaled down to keep the buffer small), so a truncated or
	 * damaged one is found at ingest.
	 */
	if (n < 8 || (uint64_t)le32(s + 4) + 8 > n) {
		imgmeta_warnf(warn, cookie, 1, "bad webp: file is truncated (%zu of %llu bytes)", n,
		      n < 8 ? 0ull : (unsigned long long)le32(s + 4) + 8);
	} else if (!f.has_animation) {
		WebPDecoderConfig cfg;

		if (WebPInitDecoderConfig(&cfg)) {
			cfg.options.use_scaling = 1;
			cfg.options.scaled_width = f.width > 8 ? f.width / 8 : 1;
			cfg.options.scaled_height = f.height > 8 ? f.height / 8 : 1;
			cfg.options.bypass_filtering = 1;
			cfg.options.no_fancy_upsampling = 1;
			if ((st = WebPDecode(s, n, &cfg)) != VP8_STATUS_OK)
				imgmeta_warnf(warn, cookie, 1, "bad webp: %s",
				      st == VP8_STATUS_NOT_ENOUGH_DATA ? "file is truncated"
								       : "image data is damaged");
			WebPFreeDecBuffer(&cfg.output);
		}
	}
	if ((dmx = WebPDemux(&wd)) != NULL) {
		WebPChunkIterator it;

		if ((WebPDemuxGetI(dmx, WEBP_FF_FORMAT_FLAGS) & EXIF_FLAG) &&
		    WebPDemuxGetChunk(dmx, "EXIF", 1, &it)) {
			media_read_exif(it.chunk.bytes, it.chunk.size, mi, warn, cookie);
			WebPDemuxReleaseChunkIterator(&it);
		}
		WebPDemuxDelete(dmx);
	}
}

/* ---- small hand-read headers (GIF, BMP, HEIC ispe) ------------------------ */

static void
probe_gif(const unsigned char *s, size_t n, struct media_info *mi,
	  media_warn_fn warn, void *cookie)
{
	if (n < 10) {
		imgmeta_warnf(warn, cookie, 1, "bad gif: file is truncated");
		return;
	}
	mi->width = le16(s + 6);
	mi->height = le16(s + 8);
}

static void
probe_bmp(const unsigned char *s, size_t n, struct media_info *mi)
{
	long long w, h;

	(void)n;	/* media_sniff() checked n >= 26 */
	w = (int32_t)(s[18] | s[19] << 8 | s[20] << 16 | (uint32_t)s[21] << 24);
	h = (int32_t)(s[22] | s[23] << 8 | s[24] << 16 | (uint32_t)s[25] << 24);
	if (le16(s + 14) == 12) {	/* OS/2 BITMAPCOREHEADER: 16-bit sizes */
		w = le16(s + 18);
		h = le16(s + 20);
	}
	mi->width = w < 0 ? -w : w;
	mi->height = h < 0 ? -h : h;
}

/*
 * HEIF keeps item sizes in 'ispe' properties inside meta/iprp/ipco.  A
 * grid image's ispe is the full picture; its tiles' are smaller: take the
 * largest found in the header bytes we have.
 */
static void
probe_heif(const unsigned char *s, size_t n, struct media_info *mi)
{
	size_t i;
	unsigned long long best = 0;

	for (i = 4; i + 16 <= n; i++) {
		if (s[i] == 'i' && !memcmp(s + i, "ispe", 4) && be32(s + i - 4) >= 20) {
			uint32_t w = be32(s + i + 8), h = be32(s + i + 12);

			if ((unsigned long long)w * h > best) {
				best = (unsigned long long)w * h;
				mi->width = w;
				mi->height = h;
			}
		}
	}
}

/* ---- MP4 / MOV: duration from moov/mvhd ----------------------------------- */

/* Seconds from 1904-01-01 (MP4 times) to 1970-01-01. */
#define MP4_EPOCH_OFFSET 2082844800ULL

/*
 * Find a child box of type `want` in [start, end).  Returns 1 with
 * *body and *body_end set, 0 when absent, -1 on I/O error.
 */
static int
box_find(const struct src *src, uint64_t start, uint64_t end, const char *want,
	 uint64_t *body, uint64_t *body_end, int *steps, struct cf_err *err)
{
	uint64_t off = start;

	while (off + 8 <= end && (*steps)++ < BOX_MAX_STEPS) {
		unsigned char h[16];
		ssize_t r = src_read(src, off, h, sizeof(h), err);
		uint64_t size, hdr = 8;

		if (r < 0)
			return -1;
		if (r < 8)
			return 0;
		size = be32(h);
		if (size == 1) {
			if (r < 16)
				return 0;
			size = be64(h + 8);
			hdr = 16;
		} else if (size == 0) {
			size = end - off;
		}
		if (size < hdr || size > end - off)
			return 0;
		if (!memcmp(h + 4, want, 4)) {
			*body = off + hdr;
			*body_end = off + size;
			return 1;
		}
		off += size;
	}
	return 0;
}

static int
probe_mp4(const struct src *src, struct media_info *mi, media_warn_fn warn,
	  void *cookie, struct cf_err *err)
{
	uint64_t created = 0;
	uint64_t moov, moov_end, mvhd, mvhd_end;
	unsigned char b[32];
	uint64_t ts, dur;
	int steps = 0, r;
	ssize_t got;

	r = box_find(src, 0, src->total, "moov", &moov, &moov_end, &steps, err);
	if (r < 0)
		return -1;
	if (r == 0) {
		imgmeta_warnf(warn, cookie, 1, "bad %s: no moov box (truncated or still recording?)",
		      mi->format);
		return 0;
	}
	r = box_find(src, moov, moov_end, "mvhd", &mvhd, &mvhd_end, &steps, err);
	if (r < 0)
		return -1;
	if (r == 0) {
		imgmeta_warnf(warn, cookie, 1, "bad %s: no mvhd box", mi->format);
		return 0;
	}
	memset(b, 0, sizeof(b));
	if ((got = src_read(src, mvhd, b, sizeof(b), err)) < 0)
		return -1;
	if (b[0] == 1) {
		if (got < 32 || mvhd_end - mvhd < 32)
			goto short_box;
		created = be64(b + 4);
		ts = be32(b + 20);
		dur = be64(b + 24);
	} else {
		if (got < 20 || mvhd_end - mvhd < 20)
			goto short_box;
		created = be32(b + 4);
		ts = be32(b + 12);
		dur = be32(b + 16);
	}
	/*
	 * creation_time: seconds since 1904-01-01 UTC (ISO 14496-12); 0 means
	 * unset.  The video's capture time, as phones write it (issue 15:
	 * "packing before shipping").  Before 2000 or after 2100: not a time.
	 */
	if (created > MP4_EPOCH_OFFSET + 946684800ULL && created < MP4_EPOCH_OFFSET + 4102444800ULL) {
		mi->captured_at = (long long)(created - MP4_EPOCH_OFFSET);
		mi->has_captured = 1;
	}
	if (b[0] != 1) {
		if (dur == 0xFFFFFFFFu)
			return 0;	/* "unknown" per ISO 14496-12 */
	}
	if (dur == UINT64_MAX)
		return 0;
	if (ts == 0) {
		imgmeta_warnf(warn, cookie, 1, "bad %s: mvhd timescale is 0", mi->format);
		return 0;
	}
	if (dur / ts > 1000000000ULL) {
		imgmeta_warnf(warn, cookie, 1, "bad %s: implausible duration", mi->format);
		return 0;
	}
	mi->duration_ms = (long long)(dur / ts * 1000 + dur % ts * 1000 / ts);
	return 0;
short_box:
	imgmeta_warnf(warn, cookie, 1, "bad %s: mvhd box is truncated", mi->format);
	return 0;
}

/* ---- PDF (pdfread, read-only) -------------------------------------------- */

/*
 * A PDF is read from its end: startxref, the cross-reference data, the
 * trailer and the catalog.  A half-downloaded receipt has none of them, so
 * this is where it is found, at ingest.  Larger content than the prefix in
 * memory is mapped from the stored object.  An encrypted PDF is only noted
 * (pdfread cannot look inside it; bank statements often are).
 */
static int
probe_pdf(const struct src *src, media_warn_fn warn, void *cookie, struct cf_err *err)
{
	struct cf_err perr = CF_ERR_INIT;
	struct pdfread *pdf = NULL;
	const void *data = src->data;
	void *map = NULL;
	size_t n = src->n;

	if (src->total > src->n && src->fd >= 0) {
		if (src->total > SIZE_MAX)
			return 0;
		map = mmap(NULL, (size_t)src->total, PROT_READ, MAP_PRIVATE, src->fd, 0);
		if (map == MAP_FAILED)
			return cf_err_errno(err, CF_EIO, "cannot map the stored content");
		data = map;
		n = (size_t)src->total;
	}
	if (pdfread_open_mem(data, n, &pdf, &perr) < 0) {
		if (strstr(perr.msg, "encrypted"))
			imgmeta_warnf(warn, cookie, 0, "pdf is encrypted: its structure was not checked");
		else
			imgmeta_warnf(warn, cookie, 1, "bad pdf: %s", perr.msg);
	}
	pdfread_close(pdf);
	cf_err_release(&perr);
	if (map)
		munmap(map, n);
	return 0;
}

int
media_probe(const void *data, size_t n, uint64_t total, int fd, uint64_t max_image,
	    struct media_info *mi, media_warn_fn warn, void *cookie,
	    struct cf_err *err)
{
	struct src src = { data, n, total < n ? n : total, fd };
	unsigned char *whole = NULL;
	const unsigned char *s = data;
	size_t len = n;
	int ret = -1;

	if (media_sniff(data, n, mi) == MEDIA_NONE)
		return 0;
	if (mi->cls == MEDIA_VIDEO)
		return probe_mp4(&src, mi, warn, cookie, err);
	if (mi->cls == MEDIA_PDF)
		return probe_pdf(&src, warn, cookie, err);
	/* an image: read it whole when we only have a prefix */
	if (src.total > n && fd >= 0) {
		if (src.total > max_image) {
			imgmeta_warnf(warn, cookie, 0, "image too large to read its details "
			      "(%llu bytes)", (unsigned long long)src.total);
			return 0;
		}
		whole = xmalloc((size_t)src.total);
		{
			ssize_t got = src_read(&src, 0, whole, (size_t)src.total, err);

			if (got < 0)
				goto out;
			len = (size_t)got;
		}
		s = whole;
	}
	if (!strcmp(mi->format, "jpeg"))
		probe_jpeg(s, len, mi, warn, cookie);
	else if (!strcmp(mi->format, "png"))
		probe_png(s, len, mi, warn, cookie);
	else if (!strcmp(mi->format, "webp"))
		probe_webp(s, len, mi, warn, cookie);
	else if (!strcmp(mi->format, "gif"))
		probe_gif(s, len, mi, warn, cookie);
	else if (!strcmp(mi->format, "bmp"))
		probe_bmp(s, len, mi);
	else if (!strcmp(mi->format, "tiff"))
		media_read_exif(s, len, mi, warn, cookie);
	else if (!strcmp(mi->format, "heic") || !strcmp(mi->format, "avif"))
		probe_heif(s, len < 65536 ? len : 65536, mi);
	ret = 0;
out:
	free(whole);
	return ret;
}

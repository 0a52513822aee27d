/* SPDX-License-Identifier: MIT */
/*
 * bundle — the export-bundle reader (contract in bundle.h).
 *
 * Two sources share one classifier.  An archive is read with libarchive
 * (tar in every flavour, zip, 7z; gzip, bzip2, xz, lzma, zstd, lz4 filters;
 * no external filter programs, no other formats).  A folder is walked
 * depth-first with openat/fstatat and AT_SYMLINK_NOFOLLOW, each directory's
 * names sorted so the order is reproducible; files are opened with
 * O_NOFOLLOW and re-checked with fstat against the lstat seen in the
 * listing, so a name swapped for a link or a FIFO in between is refused,
 * never followed or blocked on.
 *
 * Every path goes through classify(): normalise (drop "" and "."
 * components), refuse absolute paths, "..", bad names; decide the wrapper
 * folder on the first path with a folder in it; split off the order id;
 * pick the forced kind from the layout.
 *
 * Compression bombs: for each read we compare the bytes produced with the
 * raw archive bytes consumed since the entry's header (archive_filter_bytes
 * of the outermost filter).  7-Zip decodes solid blocks ahead, so there the
 * comparison is cumulative over the archive: what any bundle can make us
 * write is bounded by max_ratio times its size, and per entry by
 * max_entry_size.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "casefile/buf.h"
#include "casefile/bundle.h"
#include "casefile/cftime.h"
#include "casefile/order_id.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"

#define BLOCK_SIZE 65536
#define MAX_DEPTH 16
#define MAX_PATH_BYTES 1024
#define MAX_NAME_BYTES 255

struct frame {
	int fd;			/* the directory */
	struct dent {
		char *name;
		unsigned char type;	/* d_type: DT_UNKNOWN where not told */
	} *ents;		/* sorted listing */
	size_t n, i;
	size_t prefix_len;	/* length of the path buffer for this folder */
};

struct gz_src;

struct bundle {
	char *path;
	char *date;		/* --date, or NULL */
	struct bundle_limits lim;

	/* archive source */
	struct archive *a;
	struct archive_entry *ae;	/* pending header (read ahead at open) */
	int pending;			/* 1: ae holds a header not yet yielded */
	int streaming_retry;		/* zip re-read in streaming mode */
	unsigned long skip_until;	/* streaming retry: entries already seen */
	int is_7z;
	int is_gzip;			/* the file starts with the gzip magic */
	char *encrypted;		/* the last entry, refused as encrypted */
	struct gz_src *gz;		/* read through our own zlib (see gz_read) */
	char *note;			/* damage note to report at the next call */
	int64_t archive_size;		/* bytes of the archive file */

	/* folder source */
	struct frame *frames;
	size_t nframes, capframes;
	struct cf_buf walk;		/* path of the current folder */
	int file_fd;			/* the current file */
	dev_t excl_dev;			/* a folder never walked (the vault) */
	ino_t excl_ino;
	int has_excl;

	/* both */
	int done;			/* end reached or damaged */
	int wrapper_decided;
	char *wrapper;			/* wrapper folder name, or NULL */
	char wrapper_date[11];
	unsigned long nentries;		/* examined (all types) */
	char *last_good;		/* last entry yielded (for damage reports) */
	const struct order_id_rule *rule;	/* what an order id is, or NULL */
	bundle_skip_fn skip_fn;		/* told of each junk entry skipped */
	void *skip_cookie;
	int incomplete;			/* damage seen: not every entry was read */
	uint64_t *seen;			/* hashes of the paths yielded (archives) */
	size_t seen_cap, seen_n;

	/* current entry */
	struct cf_buf cur_path, cur_order, cur_rel, cur_name;
	struct cf_buf cur_name_raw;	/* the name's bytes when not UTF-8 */
	const char *name_note;		/* how a non-UTF-8 name was read */
	int cur_dup;			/* the path was seen before */
	int64_t entry_in0;		/* raw bytes at the header */
	uint64_t entry_out;		/* bytes produced for this entry */
	int64_t total_in0;		/* raw bytes at open */
	uint64_t total_out;		/* bytes produced overall */
	enum bundle_entry_status status;
	int entry_eof;
	unsigned long ignored;
};

void
bundle_limits_init(struct bundle_limits *l)
{
	l->max_entry_size = BUNDLE_DEFAULT_MAX_ENTRY_SIZE;
	l->max_ratio = BUNDLE_DEFAULT_MAX_RATIO;
	l->max_entries = BUNDLE_DEFAULT_MAX_ENTRIES;
}

int
bundle_archive_err(struct archive *a, struct cf_err *err, const char *fmt, ...)
{
	va_list ap;
	char *head;
	const char *s = a ? archive_error_string(a) : NULL;
	int e = a ? archive_errno(a) : 0;
	enum cf_status code = CF_EARCHIVE;

	/*
	 * libarchive uses errno values for system failures and its own
	 * ARCHIVE_ERRNO_* (EILSEQ, EINVAL, -1, EFTYPE...) for bad data.
	 */
	if (e == EIO || e == ENOSPC || e == ENOMEM || e == EACCES ||
	    e == EPERM || e == EROFS || e == EDQUOT)
		code = CF_EIO;
	va_start(ap, fmt);
	head = xvasprintf(fmt, ap);
	va_end(ap);
	if (s && *s)
		cf_err_set(err, code, "%s: %s", head, s);
	else if (e > 0)
		cf_err_set(err, code, "%s: %s", head, strerror(e));
	else
		cf_err_set(err, code, "%s", head);
	free(head);
	return -1;
}

/* Length of the UTF-8 sequence at s (n bytes left), or 0 when invalid. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	unsigned cp;

	return textenc_utf8_seq(s, n, &cp);
}

/* 1 when the valid sequence at s is a C1 control (U+0080..U+009F). */
static int
is_c1(const unsigned char *s)
{
	return s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f;
}

char *
bundle_quote_name(const char *s)
{
	struct cf_buf b = CF_BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), l;

	while (n > 0) {
		if (*p >= 0x20 && *p != 0x7f && *p != '\\' && (l = utf8_len(p, n)) > 0 &&
		    !is_c1(p)) {
			cf_buf_add(&b, p, l);
			p += l;
			n -= l;
		} else {
			cf_buf_addf(&b, "\\x%02x", *p);
			p++;
			n--;
		}
	}
	return cf_buf_detach(&b, NULL);
}

/* bundle_name_problem(); with allow_invalid, bytes that are not UTF-8 pass. */
static const char *
name_problem(const char *s, size_t len, int allow_invalid)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, comp = 0, l;

	if (len == 0)
		return "empty name";
	if (len > MAX_PATH_BYTES)
		return "path too long";
	while (i < len) {
		if (p[i] == '/') {
			comp = 0;
			i++;
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f)
			return "control character in name";
		if (p[i] == '\\')
			return "backslash in name";
		if ((l = utf8_len(p + i, len - i)) == 0) {
			if (!allow_invalid)
				return "name is not valid UTF-8";
			l = 1;
		} else if (is_c1(p + i)) {
			return "control character in name";
		}
		i += l;
		comp += l;
		if (comp > MAX_NAME_BYTES)
			return "name too long";
	}
	return NULL;
}

const char *
bundle_name_problem(const char *s, size_t len)
{
	return name_problem(s, len, 0);
}

/* "orders-YYYY-MM-DD" with a real date: copy the date to out[11]. */
static int
wrapper_name(const char *s, char out[11])
{
	int y, m, d;
	size_t i;

	if (strncasecmp(s, "orders-", 7) != 0 || strlen(s) != 17)
		return 0;
	s += 7;
	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return 0;
		} else if (s[i] < '0' || s[i] > '9') {
			return 0;
		}
	}
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (!cftime_valid_date(y, m, d))
		return 0;
	memcpy(out, s, 10);
	out[10] = '\0';
	return 1;
}

/*
 * What kind of junk the path component comp is (last: it is the file's
 * own name), or NULL.  Static strings, one per kind: callers may count by
 * pointer.
 */
static const char *
junk_kind(const char *comp, int last)
{
	if (strcmp(comp, "__MACOSX") == 0)
		return "macOS resource folder (__MACOSX/)";
	if (!last)
		return NULL;
	if (strcmp(comp, ".DS_Store") == 0)
		return "macOS folder settings (.DS_Store)";
	if (strncmp(comp, "._", 2) == 0)
		return "macOS AppleDouble file (._*)";
	if (strcasecmp(comp, "Thumbs.db") == 0)
		return "Windows thumbnail cache (Thumbs.db)";
	if (strcasecmp(comp, "desktop.ini") == 0)
		return "Windows folder settings (desktop.ini)";
	return NULL;
}

static const char *
layout_kind(const char *rel)
{
	const char *dot;
	size_t stem;

	if (strncasecmp(rel, "photos/", 7) == 0)
		return "photo";
	if (strncasecmp(rel, "videos/", 7) == 0)
		return "video";
	if (strncasecmp(rel, "receipts/", 9) == 0)
		return "receipt";
	if (strchr(rel, '/'))
		return NULL;
	if (strcasecmp(rel, "order.json") == 0)
		return "order";
	dot = strrchr(rel, '.');
	stem = dot ? (size_t)(dot - rel) : strlen(rel);
	if (stem == 4 && strncasecmp(rel, "chat", 4) == 0)
		return "chat";
	if (stem == 9 && strncasecmp(rel, "logistics", 9) == 0)
		return "logistics";
	return NULL;
}

/*
 * A path that is not valid UTF-8: its display form (malloc'd), with
 * b->name_note saying how it was read, and the last component's original
 * bytes in cur_name_raw; NULL when raw is UTF-8 already.  gb18030: read it
 * as GB18030 when that decodes cleanly (zip names written without the
 * UTF-8 flag by Chinese Windows); else, and always for tar and folders,
 * whose names may hold any bytes, the bad bytes are shown as \xNN
 * (unambiguous: a real backslash is refused in names).
 */
static char *
display_path(struct bundle *b, const char *raw, int gb18030, int *escaped)
{
	struct textenc_info ti;
	const char *base;
	char *t;
	size_t n = strlen(raw), tl;

	b->name_note = NULL;
	*escaped = 0;
	cf_buf_reset(&b->cur_name_raw);
	if (textenc_utf8_check(raw, n, NULL) == 0)
		return NULL;
	base = strrchr(raw, '/');
	cf_buf_addstr(&b->cur_name_raw, base ? base + 1 : raw);
	if (gb18030) {
		t = textenc_decode(raw, n, &tl, &ti);
		if (ti.enc == TEXTENC_GB18030 && ti.nbad == 0 && ti.nnul == 0 &&
		    bundle_name_problem(t, tl) == NULL) {
			b->name_note = "name is not UTF-8: read as GB18030 "
				       "(the original bytes are kept)";
			return t;
		}
		free(t);
	}
	b->name_note = "name is not UTF-8: shown with \\xNN escapes "
		       "(the original bytes are kept)";
	*escaped = 1;
	return bundle_quote_name(raw);
}

enum classify {
	CL_ENTRY,	/* a file to yield */
	CL_SKIP,	/* a folder, the wrapper itself: nothing to say */
	CL_IGNORE,	/* junk (junk_kind), told to skip_fn */
	CL_REFUSE,	/* err set (CF_EINPUT) */
};

/*
 * Normalise raw (a path from the bundle) and place it.  is_dir: the entry
 * is a folder.  orig: when raw is the display form of a name that is not
 * UTF-8 (see display_path), the original bytes, whose names are checked
 * instead.  Fills the cur_* buffers for CL_ENTRY.
 */
static enum classify
classify(struct bundle *b, const char *raw, const char *orig, int is_dir, struct cf_err *err)
{
	char *q = bundle_quote_name(orig ? orig : raw);
	const char *why;
	char **comps = NULL;
	size_t ncomps = 0, i, first = 0;
	char *copy = NULL, *save = NULL, *tok;
	enum classify ret = CL_REFUSE;

	if (raw[0] == '/' || (((raw[0] | 0x20) >= 'a' && (raw[0] | 0x20) <= 'z') &&
			      raw[1] == ':')) {
		cf_err_set(err, CF_EINPUT, "entry '%s': absolute path", q);
		goto out;
	}
	if ((why = orig ? name_problem(orig, strlen(orig), 1)
			: bundle_name_problem(raw, strlen(raw))) != NULL) {
		cf_err_set(err, CF_EINPUT, "entry '%s': %s", q, why);
		goto out;
	}
	copy = xstrdup(raw);
	comps = xreallocarray(NULL, strlen(raw) / 2 + 2, sizeof(char *));
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			cf_err_set(err, CF_EINPUT, "entry '%s': path escapes the bundle root", q);
			goto out;
		}
		comps[ncomps++] = tok;
	}
	if (ncomps == 0) {
		ret = CL_SKIP;
		goto out;
	}
	for (i = 0; i < ncomps; i++) {
		const char *junk = junk_kind(comps[i], i + 1 == ncomps);

		if (junk == NULL)
			continue;
		if (is_dir && b->a) {
			/* its files are named one by one */
			ret = CL_SKIP;
			goto out;
		}
		b->ignored++;
		if (b->skip_fn) {
			char *shown = xasprintf("%s%s", q, is_dir ? "/" : "");

			b->skip_fn(b->skip_cookie, shown, junk);
			free(shown);
		}
		ret = CL_IGNORE;
		goto out;
	}
	if (!b->wrapper_decided && (ncomps >= 2 || is_dir)) {
		char date[11];

		b->wrapper_decided = 1;
		if (wrapper_name(comps[0], date) &&
		    (b->date == NULL || strcmp(b->date, date) == 0)) {
			b->wrapper = xstrdup(comps[0]);
			memcpy(b->wrapper_date, date, sizeof(date));
		}
	}
	if (b->wrapper) {
		if (strcmp(comps[0], b->wrapper) != 0) {
			if (is_dir)
				ret = CL_SKIP;
			else
				cf_err_set(err, CF_EINPUT,
					   "entry '%s': outside the bundle folder '%s': skipped",
					   q, b->wrapper);
			goto out;
		}
		first = 1;
	}
	if (is_dir) {
		ret = CL_SKIP;
		goto out;
	}
	if (ncomps - first < 2) {
		cf_err_set(err, CF_EINPUT, "entry '%s': not in an order folder: skipped", q);
		goto out;
	}
	if (b->rule ? !order_id_rule_match(b->rule, comps[first])
		    : !order_id_valid(comps[first])) {
		char *oq = bundle_quote_name(comps[first]);

		if (b->rule)
			cf_err_set(err, CF_EINPUT, "entry '%s': folder '%s' is not an order id "
				   "(order.id_pattern '%s'): skipped", q, oq,
				   order_id_rule_pattern(b->rule));
		else
			cf_err_set(err, CF_EINPUT,
				   "entry '%s': folder '%s' is not an order id: skipped", q, oq);
		free(oq);
		goto out;
	}
	cf_buf_reset(&b->cur_path);
	cf_buf_reset(&b->cur_order);
	cf_buf_reset(&b->cur_rel);
	cf_buf_reset(&b->cur_name);
	for (i = 0; i < ncomps; i++) {
		if (i)
			cf_buf_addch(&b->cur_path, '/');
		cf_buf_addstr(&b->cur_path, comps[i]);
		if (i > first + 1)
			cf_buf_addch(&b->cur_rel, '/');
		if (i > first)
			cf_buf_addstr(&b->cur_rel, comps[i]);
	}
	cf_buf_addstr(&b->cur_order, comps[first]);
	cf_buf_addstr(&b->cur_name, comps[ncomps - 1]);
	ret = CL_ENTRY;
out:
	free(comps);
	free(copy);
	free(q);
	return ret;
}

/* 1 when an earlier entry had this path (remembered by a 64-bit hash). */
static int
seen_before(struct bundle *b, const char *path)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i, j;

	while (*path)
		h = (h ^ (unsigned char)*path++) * 1099511628211ULL;
	if (h == 0)
		h = 1;		/* 0 marks a free slot */
	if (2 * (b->seen_n + 1) > b->seen_cap) {
		size_t cap = b->seen_cap ? 2 * b->seen_cap : 1024;
		uint64_t *t = xcalloc(cap, sizeof(*t));

		for (i = 0; i < b->seen_cap; i++) {
			if (b->seen[i] == 0)
				continue;
			for (j = b->seen[i] & (cap - 1); t[j]; j = (j + 1) & (cap - 1))
				;
			t[j] = b->seen[i];
		}
		free(b->seen);
		b->seen = t;
		b->seen_cap = cap;
	}
	for (j = h & (b->seen_cap - 1); b->seen[j]; j = (j + 1) & (b->seen_cap - 1))
		if (b->seen[j] == h)
			return 1;
	b->seen[j] = h;
	b->seen_n++;
	return 0;
}

static void
fill_entry(struct bundle *b, struct bundle_entry *ent, int64_t size, long long mtime)
{
	ent->order_id = b->cur_order.data;
	ent->rel_path = b->cur_rel.data;
	ent->path = b->cur_path.data;
	ent->name = b->cur_name.data;
	ent->size = size;
	ent->mtime = mtime;
	ent->kind = layout_kind(b->cur_rel.data);
	ent->index = b->nentries;
	ent->name_raw = b->cur_name_raw.len ? b->cur_name_raw.data : NULL;
	ent->name_note = b->name_note;
	ent->dup_path = b->cur_dup;
	free(b->last_good);
	b->last_good = xstrdup(b->cur_path.data);
	b->entry_out = 0;
	b->entry_eof = 0;
	b->status = BUNDLE_ENTRY_OK;
}

/* ---------------------------------------------------------------- archive */

static struct archive *
archive_reader_new(int zip_streaming)
{
	struct archive *a = archive_read_new();

	if (a == NULL)
		CF_BUG("archive_read_new failed");
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_lz4(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (zip_streaming)
		archive_read_support_format_zip_streamable(a);
	else
		archive_read_support_format_zip(a);
	archive_read_support_format_7zip(a);
	return a;
}

/*
 * gzip, decompressed here.  libarchive's gzip filter fills a 64 KiB block
 * before it hands anything on and fails the whole block at a truncation:
 * the complete entries just before the cut of a truncated tar.gz were lost
 * (a small one imported nothing).  After such a failure the archive is
 * read again through zlib here, which hands on every byte it can
 * decompress; the tar reader then stops at the real end, naming the entry.
 */
struct gz_src {
	int fd;
	z_stream zs;
	int eof;		/* the file ended */
	int end;		/* no more output */
	int after_member;	/* a gzip member just ended */
	int truncated;		/* the file ended inside a member */
	int64_t in_total;	/* bytes read from the file */
	unsigned char in[BLOCK_SIZE], out[BLOCK_SIZE];
};

static void
gz_free(struct gz_src *g)
{
	if (g == NULL)
		return;
	inflateEnd(&g->zs);
	if (g->fd >= 0)
		close(g->fd);
	free(g);
}

static la_ssize_t
gz_read(struct archive *a, void *cookie, const void **buf)
{
	struct gz_src *g = ((struct bundle *)cookie)->gz;
	ssize_t r;
	size_t made;
	int zr;

	for (;;) {
		if (g->end)
			return 0;
		if (g->zs.avail_in == 0 && !g->eof) {
			do
				r = read(g->fd, g->in, sizeof(g->in));
			while (r < 0 && errno == EINTR);
			if (r < 0) {
				archive_set_error(a, errno, "cannot read");
				return ARCHIVE_FATAL;
			}
			g->eof = r == 0;
			g->in_total += r;
			g->zs.next_in = g->in;
			g->zs.avail_in = (uInt)r;
		}
		g->zs.next_out = g->out;
		g->zs.avail_out = sizeof(g->out);
		zr = inflate(&g->zs, Z_NO_FLUSH);
		made = sizeof(g->out) - g->zs.avail_out;
		if (zr == Z_STREAM_END) {
			/* another member may follow (concatenated gzip files) */
			g->after_member = 1;
			if ((g->eof && g->zs.avail_in == 0) || inflateReset(&g->zs) != Z_OK)
				g->end = 1;
		} else if (zr == Z_OK || (zr == Z_BUF_ERROR && g->zs.avail_in == 0)) {
			if (made)
				g->after_member = 0;
			if (g->eof && g->zs.avail_in == 0 && made == 0)
				g->end = g->truncated = 1;	/* archive_next says so */
		} else {
			/* trailing bytes after the last member are not data */
			g->end = 1;
			if (!g->after_member && made == 0) {
				archive_set_error(a, EILSEQ, "corrupt gzip data: %s",
						  g->zs.msg ? g->zs.msg : "inflate failed");
				return ARCHIVE_FATAL;
			}
		}
		if (made) {
			*buf = g->out;
			return (la_ssize_t)made;
		}
	}
}

/* The archive file's bytes consumed so far. */
static int64_t
raw_bytes(const struct bundle *b)
{
	if (b->gz)
		return b->gz->in_total - (int64_t)b->gz->zs.avail_in;
	return archive_filter_bytes(b->a, -1);
}

static char *
where(struct bundle *b)
{
	char *q = b->last_good ? bundle_quote_name(b->last_good) : NULL;
	char *s;

	if (q)
		s = xasprintf("reading stopped at entry %lu, after '%s' (byte %lld)",
			      b->nentries + 1, q, (long long)raw_bytes(b));
	else
		s = xasprintf("reading stopped at entry %lu (byte %lld)", b->nentries + 1,
			      (long long)raw_bytes(b));
	free(q);
	return s;
}

/* How archive_open_at() reads. */
enum open_mode { OPEN_NORMAL, OPEN_ZIP_STREAMING, OPEN_GZIP_OWN };

static int
archive_open_at(struct bundle *b, enum open_mode mode, struct cf_err *err)
{
	int r;

	archive_read_free(b->a);
	gz_free(b->gz);
	b->gz = NULL;
	b->a = archive_reader_new(mode == OPEN_ZIP_STREAMING);
	if (mode == OPEN_GZIP_OWN) {
		b->gz = xcalloc(1, sizeof(*b->gz));
		if (inflateInit2(&b->gz->zs, 16 + MAX_WBITS) != Z_OK)
			CF_BUG("inflateInit2 failed");
		if ((b->gz->fd = open(b->path, O_RDONLY | O_CLOEXEC)) < 0)
			return cf_err_errno(err, CF_EIO, "cannot read '%s'", b->path);
		r = archive_read_open(b->a, b, NULL, gz_read, NULL);
	} else {
		r = archive_read_open_filename(b->a, b->path, BLOCK_SIZE);
	}
	if (r != ARCHIVE_OK)
		return bundle_archive_err(b->a, err, "cannot read '%s'", b->path);
	r = archive_read_next_header(b->a, &b->ae);
	if (r == ARCHIVE_EOF) {
		b->pending = 0;
		b->done = 1;
		return 0;
	}
	if (r < ARCHIVE_WARN)
		return bundle_archive_err(b->a, err, "cannot read '%s'", b->path);
	b->pending = 1;
	b->is_7z = archive_format(b->a) == ARCHIVE_FORMAT_7ZIP;
	b->total_in0 = raw_bytes(b);
	return 0;
}

/* Damage found: maybe retry a zip in streaming mode; else stop with err. */
static int
archive_damaged(struct bundle *b, struct cf_err *err)
{
	struct cf_err e2 = CF_ERR_INIT;
	char *w = where(b);

	b->incomplete = 1;
	if (b->encrypted && b->is_7z) {
		/* 7-Zip decodes what it skips: it cannot pass an encrypted entry */
		bundle_archive_err(b->a, err, "reading stopped after the encrypted entry "
				   "'%s' (byte %lld): the entries after it cannot be read "
				   "without its password", b->encrypted,
				   (long long)raw_bytes(b));
		free(w);
		b->done = 1;
		return -1;
	}
	if ((archive_format(b->a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP &&
	    !b->streaming_retry) {
		/* Central directory damaged: read the local headers instead. */
		b->streaming_retry = 1;
		b->skip_until = b->nentries;
		bundle_archive_err(b->a, &e2, "damaged: %s", w);
		b->note = xasprintf("%s: reading the zip entries one by one instead", e2.msg);
		cf_err_release(&e2);
		if (archive_open_at(b, OPEN_ZIP_STREAMING, &e2) == 0) {
			free(w);
			cf_err_release(&e2);
			b->nentries = 0;
			return 1;
		}
		free(b->note);
		b->note = NULL;
		cf_err_release(&e2);
	} else if (b->is_gzip && b->gz == NULL) {
		/* read it again through gz_read, up to the real damage */
		b->skip_until = b->nentries;
		if (archive_open_at(b, OPEN_GZIP_OWN, &e2) == 0) {
			free(w);
			b->nentries = 0;
			return 1;
		}
		cf_err_release(&e2);
	}
	bundle_archive_err(b->a, err, "damaged archive: %s", w);
	free(w);
	b->done = 1;
	return -1;
}

static int
archive_next(struct bundle *b, struct bundle_entry *ent, struct cf_err *err)
{
	struct archive_entry *e;
	const char *raw;
	char *q, *shown;
	int r, escaped;
	mode_t type;
	enum classify cl;

	for (;;) {
		if (b->note) {
			/* Reported as a refusal: the bundle is not sound (exit 3). */
			cf_err_set(err, CF_EINPUT, "%s", b->note);
			free(b->note);
			b->note = NULL;
			return -1;
		}
		if (b->done)
			return 0;
		if (!b->pending) {
			r = archive_read_next_header(b->a, &b->ae);
			if (r == ARCHIVE_EOF && b->gz && b->gz->truncated) {
				/* cut between two entries: tar itself would not see it */
				char *w = where(b);

				b->incomplete = 1;
				b->done = 1;
				cf_err_set(err, CF_EARCHIVE, "damaged archive: %s: the gzip "
					   "data is truncated", w);
				free(w);
				return -1;
			}
			if (r == ARCHIVE_EOF) {
				b->done = 1;
				return 0;
			}
			if (r < ARCHIVE_WARN) {
				r = archive_damaged(b, err);
				if (r > 0)
					continue;
				return -1;
			}
		}
		b->pending = 0;
		e = b->ae;
		b->nentries++;
		free(b->encrypted);
		b->encrypted = NULL;
		if (b->nentries <= b->skip_until)	/* yielded before a re-read */
			continue;
		if (b->lim.max_entries && b->nentries > b->lim.max_entries) {
			b->done = 1;
			return cf_err_set(err, CF_EARCHIVE,
					  "more than %llu entries (import.max_entries): "
					  "reading stopped",
					  (unsigned long long)b->lim.max_entries);
		}
		raw = archive_entry_pathname(e);
		if (raw == NULL)
			raw = archive_entry_pathname_utf8(e);
		if (raw == NULL) {
			cf_err_set(err, CF_EINPUT, "entry %lu: no usable name", b->nentries);
			return -1;
		}
		type = archive_entry_filetype(e);
		shown = display_path(b, raw, (archive_format(b->a) & ARCHIVE_FORMAT_BASE_MASK) ==
					     ARCHIVE_FORMAT_ZIP, &escaped);
		cl = classify(b, shown ? shown : raw, escaped ? raw : NULL, type == AE_IFDIR, err);
		free(shown);
		if (cl == CL_SKIP || cl == CL_IGNORE)
			continue;
		if (cl == CL_REFUSE)
			return -1;
		q = bundle_quote_name(b->cur_path.data);
		if (archive_entry_hardlink(e) != NULL) {
			cf_err_set(err, CF_EINPUT, "entry '%s': hard link refused", q);
		} else if (type == AE_IFLNK || archive_entry_symlink(e) != NULL) {
			cf_err_set(err, CF_EINPUT, "entry '%s': symbolic link refused", q);
		} else if (type == AE_IFCHR || type == AE_IFBLK) {
			cf_err_set(err, CF_EINPUT, "entry '%s': device file refused", q);
		} else if (type == AE_IFIFO) {
			cf_err_set(err, CF_EINPUT, "entry '%s': FIFO refused", q);
		} else if (type == AE_IFSOCK) {
			cf_err_set(err, CF_EINPUT, "entry '%s': socket refused", q);
		} else if (type != AE_IFREG) {
			cf_err_set(err, CF_EINPUT, "entry '%s': not a regular file", q);
		} else if (archive_entry_is_encrypted(e)) {
			/* libarchive cannot decrypt: refuse it, read the others */
			cf_err_set(err, CF_EINPUT, "entry '%s': encrypted: not stored", q);
			b->encrypted = xstrdup(q);
		} else if (archive_entry_size_is_set(e) && b->lim.max_entry_size &&
			   (uint64_t)archive_entry_size(e) > b->lim.max_entry_size) {
			cf_err_set(err, CF_EINPUT,
				   "entry '%s': %lld bytes, over the limit of %llu "
				   "(import.max_entry_size)", q,
				   (long long)archive_entry_size(e),
				   (unsigned long long)b->lim.max_entry_size);
		} else {
			free(q);
			b->cur_dup = seen_before(b, b->cur_path.data);
			fill_entry(b, ent,
				   archive_entry_size_is_set(e) ? archive_entry_size(e) : -1,
				   archive_entry_mtime_is_set(e) ? (long long)archive_entry_mtime(e) : -1);
			b->entry_in0 = raw_bytes(b);
			return 1;
		}
		free(q);
		return -1;
	}
}

/*
 * libarchive's gzip filter failed inside the current entry: read the
 * archive again through gz_read up to the same place (entry number and
 * bytes of it already handed on), so the reading goes on until the real
 * damage.  0 when there, -1 when not (the caller reports the first error).
 */
static int
gz_reposition(struct bundle *b)
{
	struct cf_err e2 = CF_ERR_INIT;
	unsigned long want = b->nentries, n = 1;
	uint64_t skip = b->entry_out;
	char scratch[4096];
	la_ssize_t r;

	if (archive_open_at(b, OPEN_GZIP_OWN, &e2) < 0 || b->done) {
		cf_err_release(&e2);
		return -1;
	}
	b->pending = 0;
	for (; n < want; n++)
		if (archive_read_next_header(b->a, &b->ae) < ARCHIVE_WARN)
			return -1;
	b->entry_in0 = raw_bytes(b);	/* the bomb check counts from the header */
	while (skip > 0) {
		r = archive_read_data(b->a, scratch, skip < sizeof(scratch) ? (size_t)skip
									 : sizeof(scratch));
		if (r <= 0)
			return -1;
		skip -= (uint64_t)r;
	}
	return 0;
}

static ssize_t
archive_read_entry(struct bundle *b, void *buf, size_t n, struct cf_err *err)
{
	la_ssize_t r;
	int64_t in;
	double out;
	char *q;

	/*
	 * Never ask past the declared size: archive_read_data() drops the
	 * bytes of a call whose later block fails (tar's padding cut off).
	 */
	if (archive_entry_size_is_set(b->ae) && archive_entry_size(b->ae) >= 0 &&
	    (uint64_t)archive_entry_size(b->ae) - b->entry_out < n &&
	    b->entry_out <= (uint64_t)archive_entry_size(b->ae))
		n = (size_t)((uint64_t)archive_entry_size(b->ae) - b->entry_out);
	if (n == 0)
		n = 1;	/* the end of the entry: libarchive's checks run */
	r = archive_read_data(b->a, buf, n);
	if (r < 0 && b->is_gzip && b->gz == NULL && gz_reposition(b) == 0)
		r = archive_read_data(b->a, buf, n);
	if (r < 0 && (archive_format(b->a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_TAR &&
	    archive_entry_size_is_set(b->ae) &&
	    b->entry_out == (uint64_t)archive_entry_size(b->ae)) {
		/*
		 * Every byte of the entry was read; what is missing is the
		 * padding after it (tar): the entry is complete.  The next
		 * header says where the damage is.
		 */
		b->incomplete = 1;
		r = 0;
	}
	if (r < 0) {
		q = bundle_quote_name(b->cur_path.data);
		if (r == ARCHIVE_WARN) {
			/* Should not happen for data; treat as damage. */
		}
		b->status = BUNDLE_ENTRY_BROKEN;
		b->incomplete = 1;
		bundle_archive_err(b->a, err, "damaged archive: reading stopped in entry "
				   "%lu '%s' (byte %lld)", b->nentries, q,
				   (long long)raw_bytes(b));
		free(q);
		b->done = 1;
		return -1;
	}
	b->entry_out += (uint64_t)r;
	b->total_out += (uint64_t)r;
	q = NULL;
	if (b->lim.max_entry_size && b->entry_out > b->lim.max_entry_size) {
		q = bundle_quote_name(b->cur_path.data);
		cf_err_set(err, CF_EINPUT,
			   "entry '%s': more than %llu bytes (import.max_entry_size): refused",
			   q, (unsigned long long)b->lim.max_entry_size);
	} else if (b->lim.max_ratio > 0 && b->entry_out > BUNDLE_RATIO_FLOOR) {
		if (b->is_7z) {
			/* 7z seeks and decodes ahead: bound by the whole file. */
			in = b->archive_size;
			out = (double)b->total_out;
		} else {
			in = raw_bytes(b) - b->entry_in0;
			out = (double)b->entry_out;
		}
		if (in < 1)
			in = 1;
		if (out > b->lim.max_ratio * (double)in) {
			q = bundle_quote_name(b->cur_path.data);
			cf_err_set(err, CF_EINPUT,
				   "entry '%s': expands more than %g times "
				   "(import.max_ratio; a compression bomb?): refused",
				   q, b->lim.max_ratio);
		}
	}
	if (q) {
		free(q);
		b->status = BUNDLE_ENTRY_REFUSED;
		return -1;
	}
	return (ssize_t)r;
}

/* ----------------------------------------------------------------- folder */

static int
cmp_names(const void *x, const void *y)
{
	return strcmp(((const struct dent *)x)->name, ((const struct dent *)y)->name);
}

/* Push the folder fd (owned from now on), listing and sorting its names. */
static int
push_dir(struct bundle *b, int fd, const char *shown, struct cf_err *err)
{
	DIR *d;
	struct dirent *de;
	struct frame *f;
	int dfd;

	if ((dfd = dup(fd)) < 0) {
		close(fd);
		return cf_err_errno(err, CF_EIO, "cannot read '%s'", shown);
	}
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		close(fd);
		return cf_err_errno(err, CF_EIO, "cannot read '%s'", shown);
	}
	if (b->nframes == b->capframes) {
		b->capframes = b->capframes ? 2 * b->capframes : 8;
		b->frames = xreallocarray(b->frames, b->capframes, sizeof(*b->frames));
	}
	f = &b->frames[b->nframes++];
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->prefix_len = b->walk.len;
	{
		size_t cap = 0;

		errno = 0;
		while ((de = readdir(d)) != NULL) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (f->n == cap) {
				cap = cap ? 2 * cap : 16;
				f->ents = xreallocarray(f->ents, cap, sizeof(*f->ents));
			}
			f->ents[f->n].name = xstrdup(de->d_name);
			f->ents[f->n++].type = de->d_type;
		}
	}
	if (errno) {
		cf_err_errno(err, CF_EIO, "cannot read '%s'", shown);
		closedir(d);
		return -1;
	}
	closedir(d);
	if (f->n > 1)	/* an empty folder has no listing at all (NULL) */
		qsort(f->ents, f->n, sizeof(*f->ents), cmp_names);
	return 0;
}

static void
pop_dir(struct bundle *b)
{
	struct frame *f = &b->frames[--b->nframes];
	size_t i;

	for (i = f->i; i < f->n; i++)
		free(f->ents[i].name);
	free(f->ents);
	close(f->fd);
	b->walk.len = f->prefix_len;
	b->walk.data[b->walk.len] = '\0';
}

static void
close_file(struct bundle *b)
{
	if (b->file_fd >= 0)
		close(b->file_fd);
	b->file_fd = -1;
}

/* A file entry that must be refused (links, devices, too large): 1, err set. */
static int
file_refused(struct bundle *b, const struct stat *st, const char *q, struct cf_err *err)
{
	const char *what = NULL;

	if (S_ISLNK(st->st_mode))
		what = "symbolic link refused";
	else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		what = "device file refused";
	else if (S_ISFIFO(st->st_mode))
		what = "FIFO refused";
	else if (S_ISSOCK(st->st_mode))
		what = "socket refused";
	else if (!S_ISREG(st->st_mode))
		what = "not a regular file";
	else if (st->st_nlink > 1)
		what = "hard link refused (the file has other names)";
	if (what) {
		cf_err_set(err, CF_EINPUT, "entry '%s': %s", q, what);
		return 1;
	}
	if (b->lim.max_entry_size && (uint64_t)st->st_size > b->lim.max_entry_size) {
		cf_err_set(err, CF_EINPUT,
			   "entry '%s': %lld bytes, over the limit of %llu "
			   "(import.max_entry_size)", q, (long long)st->st_size,
			   (unsigned long long)b->lim.max_entry_size);
		return 1;
	}
	return 0;
}

static int
folder_next(struct bundle *b, struct bundle_entry *ent, struct cf_err *err)
{
	struct frame *f;
	struct stat st, st2;
	char *name, *q;
	enum classify cl;
	int fd, r, is_dir, listed_reg;
	unsigned char type;

	close_file(b);
	for (;;) {
		if (b->done || b->nframes == 0) {
			b->done = 1;
			return 0;
		}
		f = &b->frames[b->nframes - 1];
		if (f->i == f->n) {
			pop_dir(b);
			continue;
		}
		type = f->ents[f->i].type;
		name = f->ents[f->i++].name;
		b->walk.len = f->prefix_len;
		b->walk.data[b->walk.len] = '\0';
		if (b->walk.len)
			cf_buf_addch(&b->walk, '/');
		cf_buf_addstr(&b->walk, name);
		b->nentries++;
		if (b->lim.max_entries && b->nentries > b->lim.max_entries) {
			free(name);
			b->done = 1;
			return cf_err_set(err, CF_EARCHIVE,
					  "more than %llu entries (import.max_entries): "
					  "reading stopped",
					  (unsigned long long)b->lim.max_entries);
		}
		/*
		 * A name the listing calls a regular file is not looked up
		 * first: the checks below run on the opened file instead.
		 */
		listed_reg = type == DT_REG;
		if (!listed_reg && fstatat(f->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			q = bundle_quote_name(b->walk.data);
			cf_err_errno(err, CF_EINPUT, "entry '%s': cannot read", q);
			free(q);
			free(name);
			return -1;
		}
		is_dir = !listed_reg && S_ISDIR(st.st_mode);
		{
			int escaped;
			char *shown = display_path(b, b->walk.data, 0, &escaped);

			cl = classify(b, shown ? shown : b->walk.data, escaped ? b->walk.data : NULL,
				      is_dir, err);
			free(shown);
		}
		if (cl == CL_IGNORE || cl == CL_REFUSE) {
			free(name);
			if (cl == CL_REFUSE)
				return -1;
			continue;
		}
		if (is_dir && b->has_excl && st.st_dev == b->excl_dev &&
		    st.st_ino == b->excl_ino) {
			free(name);
			b->ignored++;
			continue;
		}
		if (is_dir) {
			if (b->nframes >= MAX_DEPTH) {
				q = bundle_quote_name(b->walk.data);
				cf_err_set(err, CF_EINPUT, "entry '%s': folders nested too deep", q);
				free(q);
				free(name);
				return -1;
			}
			fd = openat(f->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				q = bundle_quote_name(b->walk.data);
				cf_err_errno(err, CF_EINPUT, "entry '%s': cannot open folder", q);
				free(q);
				free(name);
				return -1;
			}
			free(name);
			q = bundle_quote_name(b->walk.data);
			r = push_dir(b, fd, q, err);
			free(q);
			if (r < 0) {
				/* One unreadable folder: refuse it, walk on. */
				if (err)
					err->code = CF_EINPUT;
				return -1;
			}
			continue;
		}
		if (cl == CL_SKIP) {
			free(name);
			continue;
		}
		q = bundle_quote_name(b->cur_path.data);
		if (!listed_reg && file_refused(b, &st, q, err))
			goto refuse;
		fd = openat(f->fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0) {
			if (listed_reg && errno == ELOOP)
				cf_err_set(err, CF_EINPUT, "entry '%s': symbolic link refused", q);
			else
				cf_err_errno(err, CF_EINPUT, "entry '%s': cannot open", q);
			goto refuse;
		}
		if (fstat(fd, &st2) < 0 || !S_ISREG(st2.st_mode) ||
		    (!listed_reg && (st2.st_ino != st.st_ino || st2.st_dev != st.st_dev))) {
			close(fd);
			cf_err_set(err, CF_EINPUT, "entry '%s': changed while being read", q);
			goto refuse;
		}
		if (listed_reg) {
			st = st2;
			if (file_refused(b, &st, q, err)) {
				close(fd);
				goto refuse;
			}
		}
		/* O_NONBLOCK does not affect regular files: no need to clear it. */
		if (st2.st_size > (off_t)(1 << 20))
			posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		b->file_fd = fd;
		free(q);
		free(name);
		b->cur_dup = 0;
		fill_entry(b, ent, (int64_t)st.st_size, (long long)st.st_mtim.tv_sec);
		return 1;
refuse:
		free(q);
		free(name);
		return -1;
	}
}

static ssize_t
folder_read(struct bundle *b, void *buf, size_t n, struct cf_err *err)
{
	ssize_t r;
	char *q;

	if (b->file_fd < 0)
		return 0;
	do
		r = read(b->file_fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		q = bundle_quote_name(b->cur_path.data);
		cf_err_errno(err, CF_EIO, "cannot read '%s/%s'", b->path, q);
		free(q);
		b->status = BUNDLE_ENTRY_BROKEN;
		return -1;
	}
	b->entry_out += (uint64_t)r;
	b->total_out += (uint64_t)r;
	if (b->lim.max_entry_size && b->entry_out > b->lim.max_entry_size) {
		q = bundle_quote_name(b->cur_path.data);
		cf_err_set(err, CF_EINPUT,
			   "entry '%s': more than %llu bytes (import.max_entry_size): refused",
			   q, (unsigned long long)b->lim.max_entry_size);
		free(q);
		b->status = BUNDLE_ENTRY_REFUSED;
		return -1;
	}
	return r;
}

/* ------------------------------------------------------------------ common */

static int
starts_with_gzip(const char *path)
{
	unsigned char m[2];
	int fd = open(path, O_RDONLY | O_CLOEXEC), ok = 0;

	if (fd >= 0) {
		ok = read(fd, m, 2) == 2 && m[0] == 0x1f && m[1] == 0x8b;
		close(fd);
	}
	return ok;
}

/*
 * 1 when the zip file at path has its end of central directory record
 * (signature PK\5\6 within the last 22 + 65535 bytes), or when it cannot
 * be looked at (then libarchive's own errors speak).
 */
static int
zip_has_end(const char *path, int64_t size)
{
	size_t want = size < 22 + 65535 ? (size_t)size : 22 + 65535, got = 0, i;
	unsigned char *buf;
	int fd, found = 0;
	ssize_t r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 1;
	buf = xmalloc(want ? want : 1);
	while (got < want) {
		r = pread(fd, buf + got, want - got, (off_t)(size - (int64_t)want + (int64_t)got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (got < want) {
		free(buf);
		return 1;
	}
	for (i = want >= 22 ? want - 22 + 1 : 0; i-- > 0;) {
		if (buf[i] == 'P' && buf[i + 1] == 'K' && buf[i + 2] == 5 && buf[i + 3] == 6) {
			found = 1;
			break;
		}
	}
	free(buf);
	return found;
}

void
bundle_set_order_rule(struct bundle *b, const struct order_id_rule *rule)
{
	b->rule = rule;
}

void
bundle_on_skip(struct bundle *b, bundle_skip_fn fn, void *cookie)
{
	b->skip_fn = fn;
	b->skip_cookie = cookie;
}

int
bundle_incomplete(const struct bundle *b)
{
	return b->incomplete;
}

static void date_from_name(struct bundle *b);

int
bundle_open(const char *path, const char *date, const struct bundle_limits *limits,
	    struct bundle **out, struct cf_err *err)
{
	struct bundle *b = xcalloc(1, sizeof(*b));
	struct stat st;
	int fd = -1, r;

	b->path = xstrdup(path);
	b->date = date ? xstrdup(date) : NULL;
	b->file_fd = -1;
	cf_buf_init(&b->walk);
	cf_buf_init(&b->cur_path);
	cf_buf_init(&b->cur_order);
	cf_buf_init(&b->cur_rel);
	cf_buf_init(&b->cur_name);
	cf_buf_init(&b->cur_name_raw);
	if (limits)
		b->lim = *limits;
	else
		bundle_limits_init(&b->lim);
	if (stat(path, &st) < 0) {
		cf_err_errno(err, CF_EIO, "cannot read '%s'", path);
		goto fail;
	}
	date_from_name(b);
	if (S_ISDIR(st.st_mode)) {
		if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
			cf_err_errno(err, CF_EIO, "cannot read '%s'", path);
			goto fail;
		}
		if (push_dir(b, fd, path, err) < 0)
			goto fail;
	} else if (S_ISREG(st.st_mode)) {
		b->archive_size = (int64_t)st.st_size;
		b->is_gzip = starts_with_gzip(path);
		r = archive_open_at(b, OPEN_NORMAL, err);
		if (r < 0 && b->is_gzip) {
			/* a truncated small tar.gz: libarchive gave up at once */
			cf_err_release(err);
			if (archive_open_at(b, OPEN_GZIP_OWN, err) < 0)
				goto fail;
		} else if (r < 0) {
			struct cf_err e2 = CF_ERR_INIT;

			b->note = xasprintf("damaged archive: %s: reading the zip entries "
					    "one by one instead",
					    b->a && archive_error_string(b->a) ?
					    archive_error_string(b->a) : "unreadable");
			/*
			 * A zip whose central directory is damaged fails at the
			 * first header: read its local headers instead.
			 */
			if (err == NULL || err->code != CF_EARCHIVE ||
			    archive_open_at(b, OPEN_ZIP_STREAMING, &e2) < 0) {
				free(b->note);
				b->note = NULL;
				cf_err_release(&e2);
				goto fail;
			}
			b->streaming_retry = 1;
			b->incomplete = 1;
			cf_err_release(err);
		} else if ((archive_format(b->a) & ARCHIVE_FORMAT_BASE_MASK) ==
			   ARCHIVE_FORMAT_ZIP && !zip_has_end(b->path, b->archive_size)) {
			/*
			 * libarchive reads a zip without its central directory
			 * through the local headers, without a word: say it.
			 */
			b->incomplete = 1;
			b->note = xasprintf("damaged archive: no zip central directory (the "
					    "file ends at byte %lld: a truncated download?): "
					    "the entries were read one by one from their "
					    "local headers; any after the damage are missing",
					    (long long)b->archive_size);
		}
	} else {
		cf_err_set(err, CF_EINPUT, "'%s' is neither a folder nor an archive", path);
		goto fail;
	}
	*out = b;
	return 0;
fail:
	bundle_close(b);
	return -1;
}

int
bundle_next(struct bundle *b, struct bundle_entry *ent, struct cf_err *err)
{
	if (b->a)
		return archive_next(b, ent, err);
	return folder_next(b, ent, err);
}

ssize_t
bundle_read(void *cookie, void *buf, size_t n, struct cf_err *err)
{
	struct bundle *b = cookie;

	if (b->status != BUNDLE_ENTRY_OK)
		return cf_err_set(err, CF_EINPUT, "entry abandoned");
	if (b->entry_eof)
		return 0;
	if (b->a) {
		ssize_t r = archive_read_entry(b, buf, n, err);

		if (r == 0)
			b->entry_eof = 1;
		return r;
	}
	return folder_read(b, buf, n, err);
}

void
bundle_exclude(struct bundle *b, const char *dir)
{
	struct stat st;

	if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		b->excl_dev = st.st_dev;
		b->excl_ino = st.st_ino;
		b->has_excl = 1;
	}
}

enum bundle_entry_status
bundle_entry_status(const struct bundle *b)
{
	return b->status;
}

uint64_t
bundle_bytes_read(const struct bundle *b)
{
	return b->total_out;
}

unsigned long
bundle_ignored(const struct bundle *b)
{
	return b->ignored;
}

double
bundle_progress(const struct bundle *b)
{
	if (b->a) {
		if (b->archive_size <= 0)
			return -1;
		return (double)raw_bytes(b) / (double)b->archive_size;
	}
	if (b->nframes == 0)
		return b->done ? 1.0 : -1;
	{
		/* The order folders' level: below a lone wrapper folder. */
		const struct frame *f = &b->frames[0];

		if (f->n == 1 && b->nframes >= 2)
			f = &b->frames[1];
		if (f->n == 0)
			return 1.0;
		return (double)f->i / (double)f->n;
	}
}

int
bundle_is_archive(const struct bundle *b)
{
	return b->a != NULL;
}

const char *
bundle_wrapper_date(const struct bundle *b)
{
	return b->wrapper_date[0] ? b->wrapper_date : NULL;
}

/* The bundle itself named orders-YYYY-MM-DD[.zip|.tar.gz|...]: its date. */
static void
date_from_name(struct bundle *b)
{
	static const char *const exts[] = { ".zip", ".7z", ".tar", ".tgz", ".tar.gz",
					    ".tar.bz2", ".tar.xz", ".tar.zst" };
	char *base, *copy = xstrdup(b->path);
	size_t n = strlen(copy), i, e;
	char date[11];

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	base = strrchr(copy, '/');
	base = base ? base + 1 : copy;
	n = strlen(base);
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		e = strlen(exts[i]);
		if (n > e && strcasecmp(base + n - e, exts[i]) == 0) {
			base[n - e] = '\0';
			break;
		}
	}
	if (wrapper_name(base, date) && (b->date == NULL || strcmp(b->date, date) == 0))
		memcpy(b->wrapper_date, date, sizeof(date));
	free(copy);
}

void
bundle_close(struct bundle *b)
{
	if (b == NULL)
		return;
	if (b->a)
		archive_read_free(b->a);
	gz_free(b->gz);
	free(b->encrypted);
	close_file(b);
	while (b->nframes)
		pop_dir(b);
	free(b->frames);
	cf_buf_release(&b->walk);
	cf_buf_release(&b->cur_path);
	cf_buf_release(&b->cur_order);
	cf_buf_release(&b->cur_rel);
	cf_buf_release(&b->cur_name);
	cf_buf_release(&b->cur_name_raw);
	free(b->seen);
	free(b->wrapper);
	free(b->note);
	free(b->last_good);
	free(b->date);
	free(b->path);
	free(b);
}

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

	/* current entry */
	struct cf_buf cur_path, cur_order, cur_rel, cur_name;
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

const char *
bundle_name_problem(const char *s, size_t len)
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
		if ((l = utf8_len(p + i, len - i)) == 0)
			return "name is not valid UTF-8";
		if (is_c1(p + i))
			return "control character in name";
		i += l;
		comp += l;
		if (comp > MAX_NAME_BYTES)
			return "name too long";
	}
	return NULL;
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

static int
is_mac_junk(const char *comp, int last)
{
	if (strcmp(comp, "__MACOSX") == 0)
		return 1;
	if (last && (strcmp(comp, ".DS_Store") == 0 || strncmp(comp, "._", 2) == 0))
		return 1;
	return 0;
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

enum classify {
	CL_ENTRY,	/* a file to yield */
	CL_SKIP,	/* a folder, the wrapper itself: nothing to say */
	CL_IGNORE,	/* macOS metadata */
	CL_REFUSE,	/* err set (CF_EINPUT) */
};

/*
 * Normalise raw (a path from the bundle) and place it.  is_dir: the entry
 * is a folder.  Fills the cur_* buffers for CL_ENTRY.
 */
static enum classify
classify(struct bundle *b, const char *raw, int is_dir, struct cf_err *err)
{
	char *q = bundle_quote_name(raw);
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
	if ((why = bundle_name_problem(raw, strlen(raw))) != NULL) {
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
		if (is_mac_junk(comps[i], i + 1 == ncomps)) {
			b->ignored++;
			ret = CL_IGNORE;
			goto out;
		}
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
	if (!order_id_valid(comps[first])) {
		char *oq = bundle_quote_name(comps[first]);

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

static char *
where(struct bundle *b)
{
	char *q = b->last_good ? bundle_quote_name(b->last_good) : NULL;
	char *s;

	if (q)
		s = xasprintf("reading stopped at entry %lu, after '%s' (byte %lld)",
			      b->nentries + 1, q, (long long)archive_filter_bytes(b->a, -1));
	else
		s = xasprintf("reading stopped at entry %lu (byte %lld)", b->nentries + 1,
			      (long long)archive_filter_bytes(b->a, -1));
	free(q);
	return s;
}

static int
archive_open_at(struct bundle *b, int zip_streaming, struct cf_err *err)
{
	int r;

	archive_read_free(b->a);
	b->a = archive_reader_new(zip_streaming);
	if (archive_read_open_filename(b->a, b->path, BLOCK_SIZE) != ARCHIVE_OK)
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
	b->total_in0 = archive_filter_bytes(b->a, -1);
	return 0;
}

/* Damage found: maybe retry a zip in streaming mode; else stop with err. */
static int
archive_damaged(struct bundle *b, struct cf_err *err)
{
	struct cf_err e2 = CF_ERR_INIT;
	char *w = where(b);

	if ((archive_format(b->a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP &&
	    !b->streaming_retry) {
		/* Central directory damaged: read the local headers instead. */
		b->streaming_retry = 1;
		b->skip_until = b->nentries;
		bundle_archive_err(b->a, &e2, "damaged: %s", w);
		b->note = xasprintf("%s: reading the zip entries one by one instead", e2.msg);
		cf_err_release(&e2);
		if (archive_open_at(b, 1, &e2) == 0) {
			free(w);
			cf_err_release(&e2);
			b->nentries = 0;
			return 1;
		}
		free(b->note);
		b->note = NULL;
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
	char *q;
	int r;
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
		if (b->streaming_retry && b->nentries <= b->skip_until)
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
		cl = classify(b, raw, type == AE_IFDIR, err);
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
		} else if (archive_entry_size_is_set(e) && b->lim.max_entry_size &&
			   (uint64_t)archive_entry_size(e) > b->lim.max_entry_size) {
			cf_err_set(err, CF_EINPUT,
				   "entry '%s': %lld bytes, over the limit of %llu "
				   "(import.max_entry_size)", q,
				   (long long)archive_entry_size(e),
				   (unsigned long long)b->lim.max_entry_size);
		} else {
			free(q);
			fill_entry(b, ent,
				   archive_entry_size_is_set(e) ? archive_entry_size(e) : -1,
				   archive_entry_mtime_is_set(e) ? (long long)archive_entry_mtime(e) : -1);
			b->entry_in0 = archive_filter_bytes(b->a, -1);
			return 1;
		}
		free(q);
		return -1;
	}
}

static ssize_t
archive_read_entry(struct bundle *b, void *buf, size_t n, struct cf_err *err)
{
	la_ssize_t r;
	int64_t in;
	double out;
	char *q;

	r = archive_read_data(b->a, buf, n);
	if (r < 0) {
		q = bundle_quote_name(b->cur_path.data);
		if (r == ARCHIVE_WARN) {
			/* Should not happen for data; treat as damage. */
		}
		b->status = BUNDLE_ENTRY_BROKEN;
		bundle_archive_err(b->a, err, "damaged archive: reading stopped in entry "
				   "%lu '%s' (byte %lld)", b->nentries, q,
				   (long long)archive_filter_bytes(b->a, -1));
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
			in = archive_filter_bytes(b->a, -1) - b->entry_in0;
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
		cl = classify(b, b->walk.data, is_dir, err);
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

static void date_from_name(struct bundle *b);

int
bundle_open(const char *path, const char *date, const struct bundle_limits *limits,
	    struct bundle **out, struct cf_err *err)
{
	struct bundle *b = xcalloc(1, sizeof(*b));
	struct stat st;
	int fd = -1;

	b->path = xstrdup(path);
	b->date = date ? xstrdup(date) : NULL;
	b->file_fd = -1;
	cf_buf_init(&b->walk);
	cf_buf_init(&b->cur_path);
	cf_buf_init(&b->cur_order);
	cf_buf_init(&b->cur_rel);
	cf_buf_init(&b->cur_name);
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
		if (archive_open_at(b, 0, err) < 0) {
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
			    archive_open_at(b, 1, &e2) < 0) {
				free(b->note);
				b->note = NULL;
				cf_err_release(&e2);
				goto fail;
			}
			b->streaming_retry = 1;
			cf_err_release(err);
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
		return (double)archive_filter_bytes(b->a, -1) / (double)b->archive_size;
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
	close_file(b);
	while (b->nframes)
		pop_dir(b);
	free(b->frames);
	cf_buf_release(&b->walk);
	cf_buf_release(&b->cur_path);
	cf_buf_release(&b->cur_order);
	cf_buf_release(&b->cur_rel);
	cf_buf_release(&b->cur_name);
	free(b->wrapper);
	free(b->note);
	free(b->last_good);
	free(b->date);
	free(b->path);
	free(b);
}

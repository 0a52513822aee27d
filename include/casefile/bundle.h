/* SPDX-License-Identifier: MIT */
/*
 * bundle — read a daily export bundle (FORMATS.md "Daily export bundle"):
 * a folder, or a zip / tar / tar.gz / tar.bz2 / tar.xz / tar.zst / 7z
 * archive of one, entry by entry, without unpacking it to disk.
 *
 *   [orders-YYYY-MM-DD/]          optional wrapper folder (detected)
 *     <order id>/                 first component: the order id
 *       order.json chat.* logistics.* photos/ videos/ receipts/ ...
 *
 * Invariants:
 *  - Streaming: an entry's bytes are read through bundle_read() in pieces;
 *    memory is bounded by libarchive's buffers and the folder walk's
 *    directory listing, never by entry or bundle size.
 *  - Every entry bundle_next() yields is a regular file whose path is valid
 *    UTF-8 without control characters, relative, without "." or ".."
 *    components, under a folder whose name is a valid order id
 *    (order_id_valid), and whose declared size is within the limit.
 *  - Anything else is refused with one message naming the entry, and the
 *    walk goes on: links, devices, FIFOs, paths escaping the root, bad
 *    names, oversized entries, entries whose decompressed bytes exceed
 *    max_ratio times the compressed bytes consumed (compression bombs;
 *    counted while streaming, so a lying header does not help), files
 *    directly under the root or in a folder that is not an order id.
 *  - A damaged archive yields what could be read; the error says where the
 *    reading stopped (entry number, last good entry, byte offset).
 *  - Zip: the central directory is read when it is intact; when it is not
 *    (truncated download), the archive is re-read from the start in
 *    streaming mode through the local headers, which recovers every entry
 *    before the damage.
 *  - The wrapper folder is recognised when the first top-level folder is
 *    named "orders-YYYY-MM-DD" (any valid date), or "orders-<date>" for the
 *    date given in bundle_open().
 *  - Junk is skipped, counted in bundle_ignored() and named, entry by entry,
 *    to the bundle_on_skip() callback: macOS metadata ("__MACOSX/",
 *    ".DS_Store", "._*" AppleDouble files), Windows' "Thumbs.db" and
 *    "desktop.ini".
 *  - Names that are not UTF-8 are not refused: a zip name (written without
 *    the UTF-8 flag by Chinese Windows) that decodes cleanly as GB18030 is
 *    read so; any other (tar and folders may hold any bytes) is shown with
 *    \xNN escapes.  The entry says so (name_note) and keeps the original
 *    bytes of its name (name_raw).
 *  - An encrypted entry is refused by name; the walk goes on.
 *  - Damage is never silent: a zip without its central directory (read
 *    through its local headers), a zip whose central directory is damaged,
 *    a truncated or corrupt archive each give a message, and
 *    bundle_incomplete() says that not every entry may have been read.
 */
#ifndef CASEFILE_BUNDLE_H
#define CASEFILE_BUNDLE_H

#include <stdint.h>
#include <sys/types.h>

#include "casefile/err.h"

struct archive;
struct order_id_rule;
struct bundle;

/* Limits; 0 means "no limit" for each field. */
struct bundle_limits {
	uint64_t max_entry_size;	/* bytes per entry, declared or actual */
	double max_ratio;		/* decompressed / compressed bytes per entry */
	uint64_t max_entries;		/* entries examined (any type) */
};

#define BUNDLE_DEFAULT_MAX_ENTRY_SIZE (4ULL << 30)	/* 4 GiB */
#define BUNDLE_DEFAULT_MAX_RATIO 200.0
#define BUNDLE_DEFAULT_MAX_ENTRIES 1000000ULL
/*
 * The ratio is only applied once an entry has produced this many bytes:
 * small entries cannot hurt, and libarchive's read-ahead makes the
 * compressed count of a small entry meaningless.
 */
#define BUNDLE_RATIO_FLOOR (1ULL << 20)

/* Fill *l with the defaults above. */
void bundle_limits_init(struct bundle_limits *l);

/*
 * One entry, as yielded by bundle_next().  Every pointer is borrowed from
 * the bundle and valid until the next bundle_next() or bundle_close().
 */
struct bundle_entry {
	const char *order_id;	/* first component under the bundle root */
	const char *rel_path;	/* path under the order folder: "photos/a.jpg" */
	const char *path;	/* path inside the bundle, as normalised */
	const char *name;	/* last component: "a.jpg" */
	int64_t size;		/* declared size, -1 when the archive has none */
	long long mtime;	/* UTC seconds, -1 when unknown */
	const char *kind;	/* "order" "chat" "logistics" "photo" "video"
				   "receipt" the layout suggests, or NULL; only
				   informative: import lets parse_classify()
				   decide from the content */
	unsigned long index;	/* 1-based entry number in the bundle */
	const char *name_raw;	/* the name's original bytes when they are not
				   UTF-8 (name is then decoded or escaped), or NULL */
	const char *name_note;	/* how such a name was read (static), or NULL */
	int dup_path;		/* 1: an earlier entry had the same path */
};

/*
 * Open path (a folder or an archive file) for reading.  date (may be NULL)
 * is "YYYY-MM-DD" and only widens wrapper detection.  limits may be NULL
 * (defaults).  On success *out is closed with bundle_close().  Fails with
 * CF_EIO when path cannot be opened, CF_EARCHIVE when it is neither a
 * folder nor an archive libarchive can read.
 */
int bundle_open(const char *path, const char *date,
		const struct bundle_limits *limits, struct bundle **out,
		struct cf_err *err);

/*
 * Never walk into the folder dir (when it exists) inside a folder bundle:
 * `casefile import .` must not import the vault it writes to.  Skipped
 * silently, counted in bundle_ignored().  Call before bundle_next().
 */
void bundle_exclude(struct bundle *b, const char *dir);

/*
 * Only folders whose name rule matches are orders (else any name
 * order_id_valid() accepts).  rule is borrowed until bundle_close().
 */
void bundle_set_order_rule(struct bundle *b, const struct order_id_rule *rule);

/*
 * fn is called, from bundle_next(), for each junk entry skipped: path is
 * its quoted path in the bundle (a folder ends in '/'), what names the kind
 * of junk (a static string, one per kind: "macOS AppleDouble file (._*)").
 */
typedef void (*bundle_skip_fn)(void *cookie, const char *path, const char *what);
void bundle_on_skip(struct bundle *b, bundle_skip_fn fn, void *cookie);

/*
 * 1 when the archive was found damaged (so far): entries may be missing,
 * even when every entry read was complete.
 */
int bundle_incomplete(const struct bundle *b);

/*
 * Advance to the next entry.  Returns:
 *   1  *ent describes an accepted entry; read its bytes with bundle_read()
 *      (unread bytes are skipped by the next call);
 *   0  no more entries (normal end, or after the bundle was found damaged);
 *  -1  err says why: with code CF_EINPUT one entry was refused (call again
 *      to go on); with any other code (CF_EARCHIVE damaged archive, CF_EIO)
 *      reading stopped and the next call returns 0.
 */
int bundle_next(struct bundle *b, struct bundle_entry *ent, struct cf_err *err);

/*
 * Read up to n bytes of the current entry into buf (a vault_read_fn:
 * cookie is the struct bundle).  Returns the count, 0 at the end of the
 * entry, or -1 with err set.  Fails, and abandons the entry, when the
 * bytes pass max_entry_size or max_ratio (CF_EINPUT: the entry is
 * refused, bundle_next() goes on) or the archive is damaged (CF_EARCHIVE:
 * the bundle stops).  Which it was is also kept: see bundle_entry_status().
 */
ssize_t bundle_read(void *cookie, void *buf, size_t n, struct cf_err *err);

enum bundle_entry_status {
	BUNDLE_ENTRY_OK = 0,		/* nothing went wrong (so far) */
	BUNDLE_ENTRY_REFUSED,		/* over a limit: refused, go on */
	BUNDLE_ENTRY_BROKEN,		/* archive damaged: stop */
};
/* What happened to the current entry's reading (after a failed read). */
enum bundle_entry_status bundle_entry_status(const struct bundle *b);

/* Counters since bundle_open(). */
uint64_t bundle_bytes_read(const struct bundle *b);	/* payload bytes */
unsigned long bundle_ignored(const struct bundle *b);	/* junk, the vault */
/*
 * How far the reading is, 0..1, for a progress bar: the share of the
 * archive's bytes consumed, or of the folder's top-level names done.
 * -1 when unknown.
 */
double bundle_progress(const struct bundle *b);
/* 1 when the bundle is an archive, 0 for a folder. */
int bundle_is_archive(const struct bundle *b);
/*
 * The bundle's date: of the wrapper folder "orders-YYYY-MM-DD", or of the
 * bundle itself when it is named so (orders-2025-05-02.zip or the folder
 * orders-2025-05-02/); NULL when neither.  Borrowed.
 */
const char *bundle_wrapper_date(const struct bundle *b);

/* Release everything.  Accepts NULL. */
void bundle_close(struct bundle *b);

/*
 * The libarchive error adapter: record a's current error in err as
 * "<what>: <archive_error_string>" (or strerror(archive_errno) when there
 * is no string), code CF_EIO when libarchive reports a system errno
 * (other than EINVAL / EFTYPE-like format codes), else CF_EARCHIVE.
 * Returns -1.
 */
int bundle_archive_err(struct archive *a, struct cf_err *err, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));

/*
 * Quote a name from outside for a message: printable UTF-8 is kept, bytes
 * that are not valid UTF-8 or are control characters become \xNN.
 * Returns a malloc'd string.
 */
char *bundle_quote_name(const char *s);

/*
 * Check one path from a bundle (or for an export): returns NULL when
 * acceptable, else a static string saying why not ("not valid UTF-8",
 * "control character in name", "name too long", ...).  Does not look at
 * "." / ".." components or absolute paths: bundle_next() handles those.
 */
const char *bundle_name_problem(const char *s, size_t len);


#endif

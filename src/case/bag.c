/* SPDX-License-Identifier: MIT */
/*
 * bag — a BagIt 1.0 bag of evidence, written with libarchive (bag.h).
 *
 * Rows come by order, then id: payload names can only collide within one
 * order, so the set of names taken is reset at each new order.  The tag
 * files that describe the payload (manifest, evidence.json, bag-info) are
 * written after it, from what was counted while copying.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "casefile/bag.h"
#include "casefile/buf.h"
#include "casefile/bundle.h"
#include "casefile/cftime.h"
#include "casefile/db_stmt.h"
#include "casefile/evidence.h"
#include "casefile/hash.h"
#include "casefile/jout.h"
#include "casefile/outfile.h"
#include "casefile/proofs.h"
#include "casefile/textenc.h"
#include "casefile/vault.h"
#include "casefile/version.h"
#include "casefile/xalloc.h"

#define COPY_SIZE (1u << 20)

struct bag {
	struct vault *v;
	const struct bag_opts *o;
	struct archive *aw;
	char *prefix;		/* "<bag>/" in front of every entry */
	struct cf_buf manifest, tagmanifest, evjson;
	char **used;		/* payload paths taken in the current order */
	size_t nused, capused;
	unsigned long long bytes;
	unsigned long files;
	unsigned long orders;
	unsigned char *buf;
	int64_t *ids;		/* evidence rows exported, for proofs.json */
	size_t nids, capids;
	struct outfile *of;	/* the output (outfile.h) */
	const char *out;	/* its final name, for messages */
	int is_dir;
	uint64_t allowed;	/* what the entries declared so far can take */
	struct cf_err werr;	/* why the archive's write callback failed */
};

/*
 * The output may take what its entries declare (size, deflate's worst
 * case, a header each) plus this: a writer past it has run away.
 */
#define BAG_SLACK (4u << 20)

/*
 * A failed libarchive call: the write callback's error (which names OUT
 * and the cause) when it failed, else the system error of the disk writer
 * with the final name of the entry, else libarchive's message.
 */
static int
bag_err(struct bag *r, struct cf_err *err, const char *path)
{
	int e = archive_errno(r->aw);
	char *shown;

	if (r->werr.code != CF_OK) {
		cf_err_move(err, &r->werr);
		return -1;
	}
	shown = r->is_dir ? xasprintf("%s/%s", r->out, path) : xstrdup(r->out);
	if (e == ENOSPC || e == EDQUOT || e == EFBIG || e == EIO || e == EROFS ||
	    e == EACCES || e == EPERM) {
		cf_err_set(err, CF_EIO, "cannot write '%s': %s", shown, strerror(e));
		err->sys_errno = e;
	} else {
		bundle_archive_err(r->aw, err, "cannot write '%s'", shown);
	}
	free(shown);
	return -1;
}

/*
 * archive_write_open2's writer: into the outfile, counted and bounded.
 * A failed write is recorded in r->werr, which the callers check after
 * every libarchive call, and the rest is discarded: returning an error
 * would put the archive in its FATAL state, in which libarchive 3.6's zip
 * writer never frees its deflate stream.
 */
static la_ssize_t
archive_out(struct archive *a, void *cookie, const void *buf, size_t n)
{
	struct bag *r = cookie;

	(void)a;
	if (r->werr.code == CF_OK)
		outfile_write(r->of, buf, n, &r->werr);
	return (la_ssize_t)n;
}

static int
path_used(struct bag *r, const char *p)
{
	size_t i;

	for (i = 0; i < r->nused; i++)
		if (strcmp(r->used[i], p) == 0)
			return 1;
	return 0;
}

static void
path_take(struct bag *r, const char *p)
{
	if (r->nused == r->capused) {
		r->capused = r->capused ? 2 * r->capused : 64;
		r->used = xreallocarray(r->used, r->capused, sizeof(char *));
	}
	r->used[r->nused++] = xstrdup(p);
}

/* One path component made safe for a bag (rows from `ingest` are free-form). */
static void
add_component(struct cf_buf *b, const char *s, size_t n)
{
	size_t i;

	if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.') || n == 0) {
		cf_buf_addch(b, '_');
		return;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		cf_buf_addch(b, c < 0x20 || c == 0x7f || c == '\\' || c == ':' ? '_' : (char)c);
	}
}

/* data/<order>/<rel path or name>, unique within the bag. */
static char *
payload_path(struct bag *r, const char *order, const char *rel, const char *name)
{
	struct cf_buf b = CF_BUF_INIT, u = CF_BUF_INIT;
	const char *src = rel && *rel ? rel : name, *p, *slash, *dot, *last;
	size_t stem;
	int v;

	cf_buf_addstr(&b, "data/");
	add_component(&b, order, strlen(order));
	for (p = src; *p; p = slash ? slash + 1 : p + strlen(p)) {
		slash = strchr(p, '/');
		cf_buf_addch(&b, '/');
		add_component(&b, p, slash ? (size_t)(slash - p) : strlen(p));
		if (!slash)
			break;
	}
	if (textenc_utf8_check(b.data, b.len, NULL) != 0) {
		/* Names that were not UTF-8: keep them readable and unique. */
		char *q = bundle_quote_name(b.data);

		cf_buf_reset(&b);
		cf_buf_addstr(&b, q);
		free(q);
	}
	if (!path_used(r, b.data)) {
		path_take(r, b.data);
		return cf_buf_detach(&b, NULL);
	}
	last = strrchr(b.data, '/') + 1;
	dot = strrchr(last, '.');
	if (dot == last || dot == NULL)
		dot = b.data + b.len;
	stem = (size_t)(dot - b.data);
	for (v = 2;; v++) {
		cf_buf_reset(&u);
		cf_buf_add(&u, b.data, stem);
		cf_buf_addf(&u, "-v%d%s", v, dot);
		if (!path_used(r, u.data))
			break;
	}
	cf_buf_release(&b);
	path_take(r, u.data);
	return cf_buf_detach(&u, NULL);
}

/* RFC 8493 section 2.1.3: percent-encode CR, LF and '%' in manifest paths. */
static void
add_manifest_line(struct cf_buf *m, const char *hex, const char *path)
{
	const char *p;

	cf_buf_addstr(m, hex);
	cf_buf_addstr(m, "  ");
	for (p = path; *p; p++) {
		if (*p == '%')
			cf_buf_addstr(m, "%25");
		else if (*p == '\r')
			cf_buf_addstr(m, "%0D");
		else if (*p == '\n')
			cf_buf_addstr(m, "%0A");
		else
			cf_buf_addch(m, *p);
	}
	cf_buf_addch(m, '\n');
}

/*
 * Replace each byte of s that is not part of valid UTF-8 by '_', in place:
 * libarchive cannot store such a name as UTF-8 (and crashed on it: a bag
 * named after `-o` bytes from an old archive, 2026-12-03).
 */
static void
utf8_fix(char *s)
{
	size_t n = strlen(s), i = 0, k;
	unsigned cp;

	while (i < n) {
		k = textenc_utf8_seq((unsigned char *)s + i, n - i, &cp);
		if (k == 0) {
			s[i++] = '_';
		} else {
			i += k;
		}
	}
}

static int
write_header(struct bag *r, const char *path, long long size, long long mtime,
	     struct cf_err *err)
{
	struct archive_entry *e = archive_entry_new();
	char *full = xasprintf("%s%s", r->prefix, path);
	int ret = 0;

	utf8_fix(full);

	archive_entry_set_pathname_utf8(e, full);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, size);
	archive_entry_set_mtime(e, (time_t)mtime, 0);
	r->allowed += (uint64_t)size + (uint64_t)size / 256 + 4096;
	outfile_set_limit(r->of, r->allowed + BAG_SLACK);
	if (archive_write_header(r->aw, e) < ARCHIVE_WARN || r->werr.code != CF_OK)
		ret = bag_err(r, err, path);
	archive_entry_free(e);
	free(full);
	return ret;
}

static int
write_data(struct bag *r, const void *p, size_t n, const char *path,
	   struct cf_err *err)
{
	const char *c = p;

	while (n > 0) {
		la_ssize_t w = archive_write_data(r->aw, c, n);

		if (w <= 0 || r->werr.code != CF_OK)
			return bag_err(r, err, path);
		if (r->is_dir && outfile_count(r->of, (uint64_t)w, err) < 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A tag file from memory; its hash goes to the tag manifest. */
static int
write_tag(struct bag *r, const char *path, const void *data, size_t n,
	  long long mtime, struct cf_err *err)
{
	unsigned char sha[CF_SHA256_LEN];
	char hex[CF_SHA256_HEXLEN + 1];

	if (write_header(r, path, (long long)n, mtime, err) < 0 ||
	    write_data(r, data, n, path, err) < 0)
		return -1;
	cf_sha256(data, n, sha);
	cf_hex_encode(sha, CF_SHA256_LEN, hex);
	add_manifest_line(&r->tagmanifest, hex, path);
	return 0;
}

/* Stream one object into the bag, checking its hash on the way. */
static int
write_object(struct bag *r, const unsigned char sha[CF_SHA256_LEN],
	     long long size, const char *path, long long mtime, struct cf_err *err)
{
	EVP_MD_CTX *md = NULL;
	unsigned char got[CF_SHA256_LEN];
	unsigned int mdlen = CF_SHA256_LEN;
	char hex[CF_SHA256_HEXLEN + 1];
	long long left = size;
	struct stat st;
	int fd = -1, ret = -1;

	if (vault_object_open(r->v, sha, &fd, err) < 0)
		goto out;
	if (fstat(fd, &st) < 0 || st.st_size != size) {
		cf_err_set(err, CF_EVERIFY, "object of '%s' has the wrong size (vault damaged: "
			   "run 'casefile audit')", path);
		goto out;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (write_header(r, path, size, mtime, err) < 0)
		goto out;
	if ((md = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		cf_err_ssl(err, "cannot start SHA-256");
		goto out;
	}
	while (left > 0) {
		ssize_t n = read(fd, r->buf, left < COPY_SIZE ? (size_t)left : COPY_SIZE);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cf_err_errno(err, n < 0 ? CF_EIO : CF_EVERIFY, "cannot read the object of '%s'",
				     path);
			goto out;
		}
		EVP_DigestUpdate(md, r->buf, (size_t)n);
		if (write_data(r, r->buf, (size_t)n, path, err) < 0)
			goto out;
		left -= n;
	}
	EVP_DigestFinal_ex(md, got, &mdlen);
	if (memcmp(got, sha, CF_SHA256_LEN) != 0) {
		cf_err_set(err, CF_EVERIFY, "object of '%s' does not match its SHA-256 (vault "
			   "damaged: run 'casefile audit')", path);
		goto out;
	}
	cf_hex_encode(sha, CF_SHA256_LEN, hex);
	add_manifest_line(&r->manifest, hex, path);
	r->bytes += (unsigned long long)size;
	r->files++;
	ret = 0;
out:
	EVP_MD_CTX_free(md);
	if (fd >= 0)
		close(fd);
	return ret;
}


/*
 * The shop behind the exported files when shop.name is unset: the first
 * non-empty shop of an exported order record, else "unknown".
 */
static char *
record_shop(struct bag *r, struct cf_db *db)
{
	struct db_stmt *st;
	char *shop = NULL;
	size_t i;

	if (db_prepare_quiet(db, "SELECT shop FROM order_records WHERE evidence_id = ? "
			       "AND shop <> ''", &st) != DB_OK)
		return xstrdup("unknown");
	for (i = 0; i < r->nids && shop == NULL; i++) {
		db_reset(st);
		db_bind_int64(st, 1, r->ids[i]);
		if (db_step(st) == DB_ROW)
			shop = xstrdup((const char *)db_col_text(st, 0));
	}
	db_finalize(st);
	return shop ? shop : xstrdup("unknown");
}

/* bag-info, checkpoint tag files. */
static int
write_tags(struct bag *r, struct cf_db *db, struct cf_err *err)
{
	struct cf_buf info = CF_BUF_INIT;
	char *shop = db_meta_get(db, "shop.name"), *vid = db_meta_get(db, "vault_id");
	char day[32];
	long long now = r->o->now;
	struct db_stmt *st = NULL;
	int ret = -1;
	static const char bagit[] = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

	cftime_format(now, r->o->tz_offset, day, sizeof(day));
	day[10] = '\0';
	if (write_tag(r, "bagit.txt", bagit, sizeof(bagit) - 1, now, err) < 0)
		goto out;
	if (shop == NULL || *shop == '\0') {
		free(shop);
		shop = record_shop(r, db);
	}
	cf_buf_addf(&info, "Source-Organization: %s\n", shop);
	cf_buf_addf(&info, "Bagging-Date: %s\n", day);
	cf_buf_addf(&info, "Payload-Oxum: %llu.%lu\n", r->bytes, r->files);
	cf_buf_addf(&info, "Bag-Software-Agent: casefile %s\n", CASEFILE_VERSION);
	cf_buf_addf(&info, "Casefile-Version: %s\n", CASEFILE_VERSION);
	if (vid)
		cf_buf_addf(&info, "Casefile-Vault-Id: %s\n", vid);
	cf_buf_addf(&info, "External-Description: evidence of %lu order%s, %lu file%s\n",
		    r->orders, r->orders == 1 ? "" : "s", r->files, r->files == 1 ? "" : "s");
	if (db_has_table(db, "heads")) {
		if (db_prepare(db, "SELECT tree_size, root, created_at, checkpoint, tst FROM heads "
				   "ORDER BY tree_size DESC LIMIT 1", &st, err) < 0)
			goto out;
		if (db_step(st) == DB_ROW) {
			char hex[CF_SHA256_HEXLEN + 1] = "";
			char t[32];
			const void *root = db_col_blob(st, 1);
			const char *cp = (const char *)db_col_text(st, 3);

			if (root && db_col_bytes(st, 1) == CF_SHA256_LEN)
				cf_hex_encode(root, CF_SHA256_LEN, hex);
			cf_buf_addf(&info, "Casefile-Checkpoint-Size: %lld\n",
				    (long long)db_col_int64(st, 0));
			cf_buf_addf(&info, "Casefile-Checkpoint-Root: %s\n", hex);
			cf_buf_addf(&info, "Casefile-Checkpoint-Time: %s\n",
				    cftime_format_iso(db_col_int64(st, 2), t, sizeof(t)));
			if (cp && write_tag(r, "casefile/checkpoint.txt", cp,
					    (size_t)db_col_bytes(st, 3), now, err) < 0)
				goto out;
			if (db_col_bytes(st, 4) > 0 &&
			    write_tag(r, "casefile/checkpoint.tsr", db_col_blob(st, 4),
				      (size_t)db_col_bytes(st, 4), now, err) < 0)
				goto out;
		}
	}
	if (db_has_table(db, "ledger_nodes")) {
		/* Inclusion proofs of every exported file (proofs.h format). */
		char *pj = NULL;
		size_t plen = 0;

		if (proofs_json_new(db, r->ids, r->nids, &pj, &plen, err) < 0)
			goto out;
		if (write_tag(r, "casefile/proofs.json", pj, plen, now, err) < 0) {
			free(pj);
			goto out;
		}
		free(pj);
	}
	if (write_tag(r, "bag-info.txt", info.data, info.len, now, err) < 0 ||
	    write_tag(r, "casefile/evidence.json", r->evjson.data, r->evjson.len, now, err) < 0 ||
	    write_tag(r, "manifest-sha256.txt", r->manifest.data, r->manifest.len, now, err) < 0)
		goto out;
	/* The tag manifest covers every tag file written before it. */
	if (write_header(r, "tagmanifest-sha256.txt", (long long)r->tagmanifest.len, now, err) < 0 ||
	    write_data(r, r->tagmanifest.data, r->tagmanifest.len, "tagmanifest-sha256.txt", err) < 0)
		goto out;
	ret = 0;
out:
	db_finalize(st);
	cf_buf_release(&info);
	free(shop);
	free(vid);
	return ret;
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n > m && strcasecmp(s + n - m, suf) == 0;
}

/* The bag folder name inside an archive: OUT's base name without extension. */
static char *
bag_name(const char *out, const char *ext)
{
	const char *base = strrchr(out, '/');
	size_t n;

	base = base ? base + 1 : out;
	n = strlen(base) - strlen(ext);
	return n ? xstrndup(base, n) : xstrdup("bag");
}

static int
select_rows(struct bag *r, struct cf_db *db, struct db_stmt **st, struct cf_err *err)
{
	char *const *orders = r->o->orders;
	int norders = r->o->norders;
	const char *date = r->o->date;
	struct cf_buf sql = CF_BUF_INIT;
	int i, ret;

	cf_buf_addstr(&sql, "SELECT id, order_id, sha256, size, name, rel_path, kind, mtime, "
			    "ingested_at, leaf_index FROM evidence");
	if (norders) {
		cf_buf_addstr(&sql, " WHERE order_id IN (");
		for (i = 0; i < norders; i++)
			cf_buf_addstr(&sql, i ? ",?" : "?");
		cf_buf_addch(&sql, ')');
	} else if (date) {
		cf_buf_addf(&sql, " WHERE bundle LIKE ?1 || ' %%' OR "
				  "date(ingested_at + %ld, 'unixepoch') = ?1", r->o->tz_offset);
	}
	cf_buf_addstr(&sql, " ORDER BY order_id, id");
	ret = db_prepare(db, sql.data, st, err);
	cf_buf_release(&sql);
	if (ret < 0)
		return -1;
	for (i = 0; i < norders; i++)
		db_bind_text(*st, i + 1, orders[i], -1, DB_STATIC);
	if (!norders && date)
		db_bind_text(*st, 1, date, -1, DB_STATIC);
	return 0;
}

int
bag_output_check(const char *out, enum bag_format *fmt, struct cf_err *err)
{
	struct stat sb;

	if (has_suffix(out, ".zip")) {
		*fmt = BAG_ZIP;
	} else if (has_suffix(out, ".tar.gz") || has_suffix(out, ".tgz")) {
		*fmt = BAG_TGZ;
	} else if (strchr(strrchr(out, '/') ? strrchr(out, '/') : out, '.') &&
		   !(stat(out, &sb) == 0 && S_ISDIR(sb.st_mode))) {
		return cf_err_set(err, CF_EINPUT, "cannot tell the output format of '%s': use "
				  ".zip, .tar.gz or a folder name without extension", out);
	} else {
		*fmt = BAG_DIR;
	}
	if (lstat(out, &sb) == 0 &&
	    (*fmt != BAG_DIR || !S_ISDIR(sb.st_mode) || rmdir(out) < 0))
		return cf_err_set(err, CF_EINPUT, "'%s' already exists: not overwriting it", out);
	return 0;
}

/* Create the output: a folder written by libarchive's disk writer, or an archive. */
static int
bag_open(struct bag *r, struct cf_err *err)
{
	const char *out = r->o->out;
	char *name;

	r->out = out;
	r->is_dir = r->o->format == BAG_DIR;
	if (r->is_dir) {
		if (outfile_mkdir(out, &r->of, err) < 0)
			return -1;
		r->aw = archive_write_disk_new();
		/*
		 * Entry names are built by payload_path() (no "..", no
		 * absolute paths); OUT itself may be "../x" or pass through
		 * a symlinked folder, which the SECURE_* checks would refuse.
		 */
		archive_write_disk_set_options(r->aw, ARCHIVE_EXTRACT_NO_OVERWRITE |
					       ARCHIVE_EXTRACT_TIME);
		r->prefix = xasprintf("%s/", outfile_tmp_path(r->of));
		return 0;
	}
	if (outfile_open(out, BAG_SLACK, &r->of, err) < 0)
		return -1;
	r->aw = archive_write_new();
	if (r->o->format == BAG_ZIP) {
		archive_write_set_format_zip(r->aw);
		name = bag_name(out, ".zip");
	} else {
		archive_write_set_format_pax_restricted(r->aw);
		archive_write_add_filter_gzip(r->aw);
		name = bag_name(out, has_suffix(out, ".tgz") ? ".tgz" : ".tar.gz");
	}
	/* a regular file: no padding of the last block */
	archive_write_set_bytes_in_last_block(r->aw, 1);
	r->prefix = xasprintf("%s/", name);
	free(name);
	if (archive_write_open2(r->aw, r, NULL, archive_out, NULL, NULL) != ARCHIVE_OK)
		return bag_err(r, err, "");
	return 0;
}

/* One evidence row (select_rows' columns) into the payload and evidence.json. */
static int
add_row(struct bag *r, struct db_stmt *st, char **last_order, struct cf_err *err)
{
	const char *order = (const char *)db_col_text(st, 1);
	const unsigned char *sha = db_col_blob(st, 2);
	long long size = db_col_int64(st, 3);
	const char *name = (const char *)db_col_text(st, 4);
	const char *rel = (const char *)db_col_text(st, 5);
	const char *ekind = (const char *)db_col_text(st, 6);
	long long mtime = db_col_type(st, 7) == DB_NULL ?
			  db_col_int64(st, 8) : db_col_int64(st, 7);
	char *path, *rec;
	char hex[CF_SHA256_HEXLEN + 1];

	if (db_col_bytes(st, 2) != CF_SHA256_LEN)
		CF_BUG("evidence row without a SHA-256");
	if (*last_order == NULL || strcmp(*last_order, order) != 0) {
		size_t k;

		free(*last_order);
		*last_order = xstrdup(order);
		r->orders++;
		/* Rows come by order: names can only collide within one. */
		for (k = 0; k < r->nused; k++)
			free(r->used[k]);
		r->nused = 0;
	}
	path = payload_path(r, order, rel, name);
	if (write_object(r, sha, size, path, mtime, err) < 0) {
		free(path);
		return -1;
	}
	if (r->nids == r->capids) {
		r->capids = r->capids ? 2 * r->capids : 256;
		r->ids = xreallocarray(r->ids, r->capids, sizeof(*r->ids));
	}
	r->ids[r->nids++] = (int64_t)db_col_int64(st, 0);
	cf_hex_encode(sha, CF_SHA256_LEN, hex);
	if (r->evjson.len > 1)
		cf_buf_addstr(&r->evjson, ",\n");
	/* one record a line: the tag file stays readable with grep */
	rec = jout_dumps(json_pack(
		"{s:o,s:I,s:o,s:s,s:s,s:I,s:o,s:I,s:o}", "path", jout_str(path),
		"evidence_id", JI(db_col_int64(st, 0)),
		"order_id", jout_str(order), "kind", ekind, "sha256", hex,
		"size", JI(size), "name", jout_str(name),
		"ingested_at", JI(db_col_int64(st, 8)),
		"leaf_index", jout_int_or_null(db_col_int64(st, 9),
					       db_col_type(st, 9) == DB_NULL)));
	cf_buf_addstr(&r->evjson, rec);
	free(rec);
	free(path);
	return 0;
}

/* The payload: every selected row, streamed. */
static int
add_payload(struct bag *r, struct cf_db *db, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	char *last_order = NULL;
	int c, ret = -1;

	if (select_rows(r, db, &st, err) < 0)
		return -1;
	cf_buf_addch(&r->evjson, '[');
	while ((c = db_step(st)) == DB_ROW)
		if (add_row(r, st, &last_order, err) < 0)
			goto out;
	if (c != DB_DONE) {
		db_err(db, err, "cannot read the evidence");
		goto out;
	}
	cf_buf_addstr(&r->evjson, "]\n");
	ret = 0;
out:
	db_finalize(st);
	free(last_order);
	return ret;
}

int
bag_write(struct vault *v, const struct bag_opts *o, struct bag_report *rep,
	  struct cf_err *err)
{
	struct cf_db *db = vault_db(v);
	struct bag r;
	const char *date = o->date;
	int i, ret = -1;

	memset(rep, 0, sizeof(*rep));
	for (i = 0; i < o->norders; i++)
		if (!evidence_order_exists(v, o->orders[i]))
			return cf_err_set(err, CF_ENOTFOUND, "unknown order '%s': nothing in the "
					  "vault", o->orders[i]);
	memset(&r, 0, sizeof(r));
	r.v = v;
	r.o = o;
	cf_buf_init(&r.manifest);
	cf_buf_init(&r.tagmanifest);
	cf_buf_init(&r.evjson);
	r.buf = xmalloc(COPY_SIZE);
	if (bag_open(&r, err) < 0 || add_payload(&r, db, err) < 0)
		goto out;
	if (r.files == 0) {
		cf_err_set(err, CF_ENOTFOUND, "nothing to export%s%s%s", date ? " for " : "",
			   date ? date : "", date ? " (no file imported for that day)" : "");
		goto out;
	}
	if (write_tags(&r, db, err) < 0)
		goto out;
	if (archive_write_close(r.aw) != ARCHIVE_OK || r.werr.code != CF_OK) {
		bag_err(&r, err, "");
		goto out;
	}
	if (outfile_commit(r.of, 0644, err) < 0)
		goto out;
	rep->orders = r.orders;
	rep->files = r.files;
	rep->bytes = r.bytes;
	ret = 0;
out:
	if (r.aw)
		archive_write_free(r.aw);
	outfile_close(r.of);	/* removes what was not committed */
	cf_err_release(&r.werr);
	for (size_t k = 0; k < r.nused; k++)
		free(r.used[k]);
	free(r.used);
	free(r.buf);
	free(r.ids);
	free(r.prefix);
	cf_buf_release(&r.manifest);
	cf_buf_release(&r.tagmanifest);
	cf_buf_release(&r.evjson);
	return ret;
}

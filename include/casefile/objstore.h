/* SPDX-License-Identifier: MIT */
/*
 * objstore — the vault's objects in an S3-compatible store (AWS S3, Ceph's
 * RADOS Gateway, MinIO, Aliyun OSS, Tencent COS, Huawei OBS).
 *
 * The vault (vault.h) keeps objects in its local objects/ folder unless it
 * was made with `casefile init --objects s3://BUCKET/PREFIX`; then every
 * object goes through this module instead, named as locally:
 *
 *   s3://BUCKET/PREFIX/ab/cdef…     the SHA-256 hex of the content, split 2/62
 *
 * Theory of operation (the invariant of vault.h, over HTTP):
 *   - Every request is signed with AWS Signature V4 by libcurl itself
 *     (CURLOPT_AWS_SIGV4, libcurl >= 7.75; the x-amz-content-sha256 header
 *     we send is the payload hash it signs, libcurl >= 7.86).
 *   - A PUT carries the SHA-256 of its body as x-amz-content-sha256 (the
 *     store recomputes it and refuses a mismatch: XAmzContentSHA256Mismatch)
 *     and its MD5 as Content-MD5 (refused on mismatch: BadDigest); the ETag
 *     of the answer must be that MD5 again.
 *   - Content up to OBJSTORE_PART_SIZE is one such PUT to its name.  Larger
 *     content is streamed while it is read and hashed (its name is known
 *     only at the end): a multipart upload to a temporary key
 *     PREFIX/tmp/<random> without lock headers, every part such a checked
 *     PUT, then a copy inside the store to its name, locked, checked by the
 *     ETag (the store's digest of the parts it holds, equal to ours) or by
 *     reading it back, then a HEAD for the full size; the temporary object
 *     is deleted (objstore_upload_*, theory in objstore.c).  Above 5 GiB
 *     (no copy) the source is read a second time, to the object's name.
 *   - Only then does a put return 0; the caller commits rows after that.  A
 *     put that fails leaves at most an aborted upload, a temporary object or
 *     an object no row names (content-addressed: a re-run finds it and moves
 *     on; `audit` lists the others, `audit --repair` removes them).
 *   - Requests that can be repeated are tried OBJSTORE_TRIES times when no
 *     answer or a 5xx (SlowDown) comes back, with 0.5, 1, 2, 4 s between.
 *   - With a retention period every PUT (and multipart initiation) asks for
 *     Object Lock in COMPLIANCE mode until now + retention; objstore_check()
 *     refuses a bucket without Object Lock enabled.
 *
 * Credentials are never stored in the vault: AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), else the credentials file
 * (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials; profile
 * AWS_PROFILE or "default"), which is refused when others can read it.
 *
 * Errors: the store answered with an error or could not be reached: CF_ENET,
 * with the store's error code and what to do; bad settings: CF_EINPUT.
 */
#ifndef CASEFILE_OBJSTORE_H
#define CASEFILE_OBJSTORE_H

#include <stdint.h>

#include "casefile/err.h"
#include "casefile/hash.h"

/* Multipart above this size; also the part size (16 MiB). */
#define OBJSTORE_PART_SIZE ((uint64_t)16 << 20)
/* Tries of a request that can be repeated (see above). */
#define OBJSTORE_TRIES 5
#define OBJSTORE_TRIES_TEXT "5"

struct objstore;

struct objstore_conf {
	const char *url;	/* s3://BUCKET[/PREFIX] */
	const char *endpoint;	/* http(s)://HOST[:PORT]; NULL: environment */
	const char *region;	/* NULL: AWS_REGION, AWS_DEFAULT_REGION, us-east-1 */
	long retention_days;	/* 0: no Object Lock */
};

/*
 * The environment inputs of this module (AWS_* variables and $HOME), read
 * once by main() and handed over with objstore_set_env(): this module never
 * reads the environment (README, Development).  Strings are borrowed and
 * must outlive every objstore_open(); NULL or "" means unset.
 */
struct objstore_env {
	const char *access_key;		/* AWS_ACCESS_KEY_ID */
	const char *secret_key;		/* AWS_SECRET_ACCESS_KEY */
	const char *session_token;	/* AWS_SESSION_TOKEN */
	const char *profile;		/* AWS_PROFILE */
	const char *credentials_file;	/* AWS_SHARED_CREDENTIALS_FILE */
	const char *home;		/* HOME: ~/.aws/credentials */
	const char *region;		/* AWS_REGION */
	const char *default_region;	/* AWS_DEFAULT_REGION */
	const char *endpoint_s3;	/* AWS_ENDPOINT_URL_S3 */
	const char *endpoint;		/* AWS_ENDPOINT_URL */
};
void objstore_set_env(const struct objstore_env *e);

/*
 * Split "s3://BUCKET/PREFIX" (PREFIX optional, no leading or trailing '/',
 * characters A-Z a-z 0-9 . _ - /).  *bucket and *prefix ("" when none) are
 * the caller's to free; on -1 (CF_EINPUT) nothing is allocated.
 */
int objstore_parse_url(const char *url, char **bucket, char **prefix,
		       struct cf_err *err);
/*
 * "3y", "18m", "90d" (years of 365 days, months of 30) to days, 1 ≤ days ≤
 * 36500.  -1 with CF_EINPUT when malformed.
 */
int objstore_parse_retention(const char *s, long *days, struct cf_err *err);

/*
 * A handle for conf's bucket with the endpoint, region and credentials
 * resolved (see above); makes no request.  *out is closed with
 * objstore_close().  Fails (CF_EINPUT) on a bad URL or endpoint, missing
 * credentials, or a credentials file readable by others.
 */
int objstore_open(const struct objstore_conf *conf, struct objstore **out,
		  struct cf_err *err);
void objstore_close(struct objstore *s);	/* accepts NULL */
/* "s3://BUCKET/PREFIX", the resolved endpoint: borrowed until close. */
const char *objstore_url(const struct objstore *s);
const char *objstore_endpoint(const struct objstore *s);
const char *objstore_bucket(const struct objstore *s);

/*
 * The bucket exists and the credentials may use it; with a retention, the
 * bucket has versioning and Object Lock enabled.  -1 (CF_ENET) with the
 * reason otherwise.
 */
int objstore_check(struct objstore *s, struct cf_err *err);

/* *size is the stored object's size, or -1 when there is none. */
int objstore_stat(struct objstore *s, const unsigned char sha256[CF_SHA256_LEN],
		  int64_t *size, struct cf_err *err);
/* Store n bytes at p, whose SHA-256 is sha256, with one checked PUT. */
int objstore_put_mem(struct objstore *s, const unsigned char sha256[CF_SHA256_LEN],
		     const void *p, size_t n, struct cf_err *err);
/*
 * A streamed upload (see above).  begin starts one: with sha256 NULL to a
 * temporary key, copied into place by finish; with the hash known already
 * (a second read of a source too large to copy: objstore_copy_max()) to
 * the object's name directly, locked — the caller has checked that it is
 * not stored.  part sends n bytes of buf as the next part — every part but
 * the last must hold OBJSTORE_PART_SIZE bytes — in the background: buf
 * must stay unchanged until the next part() or finish() returns, so a
 * caller alternates two buffers.  finish, given the SHA-256 of everything
 * sent, puts the object under its name (checked, locked) and sets *created
 * (0: it was stored already; the upload is dropped).  It fails with
 * CF_EVERIFY when a named upload's bytes hashed differently, or a temporary
 * one is over objstore_copy_max() (send it again, named).  Any failure
 * (CF_ENET from the store, CF_EIO) ends the upload; the handle is freed
 * with objstore_upload_free() in every case, which aborts an upload not
 * finished.
 */
struct objstore_upload;
int objstore_upload_begin(struct objstore *s, const unsigned char *sha256,
			  struct objstore_upload **out, struct cf_err *err);
int objstore_upload_part(struct objstore_upload *u, const void *buf, size_t n,
			 struct cf_err *err);
int objstore_upload_finish(struct objstore_upload *u,
			   const unsigned char sha256[CF_SHA256_LEN], int *created,
			   struct cf_err *err);
/* Bytes handed to part() so far. */
uint64_t objstore_upload_sent(const struct objstore_upload *u);
/* The largest object copied into place (5 GiB, CopyObject's limit). */
uint64_t objstore_copy_max(void);
void objstore_upload_free(struct objstore_upload *u);	/* accepts NULL */

/*
 * Write the object to fd (from its current offset), checking that the bytes
 * hash to sha256: CF_EVERIFY when they do not, CF_ENOTFOUND when there is no
 * such object.  On failure fd may hold part of it.
 */
int objstore_get_fd(struct objstore *s, const unsigned char sha256[CF_SHA256_LEN],
		    int fd, struct cf_err *err);
/*
 * The text of the first <tag>…</tag> in an S3 XML answer (no attributes,
 * no nesting inside, entities &amp; &lt; &gt; &quot; &apos; decoded), or
 * NULL when absent or malformed.  Caller frees.
 */
char *objstore_xml_text(const char *xml, size_t len, const char *tag);

/*
 * What the store holds under PREFIX/ (audit): every version of every key,
 * and the multipart uploads in progress (one a failure could not abort).
 * An object key (PREFIX/ab/cdef…) has its hash in sha256; PREFIX/tmp/…
 * is a streamed upload's temporary object; anything else is foreign.
 */
enum objstore_kind { OBJSTORE_OBJECT, OBJSTORE_TEMP, OBJSTORE_FOREIGN };
struct objstore_entry {
	char *key;
	char *version;		/* "" when the bucket keeps no versions; an upload's id */
	int upload;		/* a multipart upload in progress, not an object */
	uint64_t size;
	enum objstore_kind kind;
	unsigned char sha256[CF_SHA256_LEN];
};
struct objstore_listing {
	struct objstore_entry *v;
	size_t n, cap;
	int truncated;			/* the last page said there is more */
	char *next_key, *next_version;	/* where the next page starts */
};
/*
 * List every version under PREFIX/ (ListObjectVersions, page by page), then
 * every upload in progress (ListMultipartUploads) into *l (released with
 * objstore_listing_release, also after -1).
 */
int objstore_list(struct objstore *s, struct objstore_listing *l, struct cf_err *err);
/*
 * Append the items of one ListVersionsResult or ListMultipartUploadsResult
 * page (xml, len bytes) to *l, classifying keys against prefix (no trailing
 * '/'); sets truncated and the next markers.  -1 (CF_ENET) when the page is
 * malformed: neither root, a version without key or size, a bad size, an
 * upload without key or id, a truncated page without NextKeyMarker; what
 * was appended before stays.
 */
int objstore_listing_parse(const char *xml, size_t len, const char *prefix,
			   struct objstore_listing *l, struct cf_err *err);
void objstore_listing_release(struct objstore_listing *l);
/*
 * Remove one version e names (abort the upload e names), unless a
 * retention keeps it: 0 removed, 1
 * kept (until holds the RetainUntilDate, YYYY-MM-DDTHH:MM:SS, or "" when
 * the store refused without saying), -1 with err.
 */
int objstore_remove(struct objstore *s, const struct objstore_entry *e, char *until,
		    size_t until_size, struct cf_err *err);

/*
 * Tests only (main() passes CASEFILE_TEST_S3_COPY_MAX and
 * CASEFILE_TEST_S3_RETRY_MS): the size in bytes above which a streamed
 * object is copied into place part by part (default 5 GiB), and every
 * retry delay in ms.  NULL or "" leaves a value as it is.
 */
void objstore_test_hooks(const char *copy_max_bytes, const char *retry_ms);

#endif

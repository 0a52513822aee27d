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
 *   - Content up to OBJSTORE_PART_SIZE is one such PUT.  Larger content is a
 *     multipart upload whose every part is such a PUT; the parts are read
 *     back from the caller's (staged) file while being sent, and their
 *     SHA-256 over the whole must be the object's name, else the upload is
 *     aborted.  After completion a HEAD must report the full size.
 *   - Only then does a put return 0; the caller commits rows after that.  A
 *     put that fails leaves at most an aborted upload or an object no row
 *     names (content-addressed: a re-run finds it and moves on).
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
 * Store the size bytes of fd (read with pread from offset 0), whose SHA-256
 * must be sha256: one PUT up to OBJSTORE_PART_SIZE, else a multipart upload
 * (see above).  Fails with CF_EVERIFY when fd's bytes do not hash to sha256.
 */
int objstore_put_fd(struct objstore *s, const unsigned char sha256[CF_SHA256_LEN],
		    int fd, uint64_t size, struct cf_err *err);
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

#endif

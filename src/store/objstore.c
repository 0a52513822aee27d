/* SPDX-License-Identifier: MIT */
/*
 * objstore — objects in an S3-compatible store (see objstore.h for the
 * contract and the theory of operation).
 *
 * How: one libcurl easy handle per objstore (connections kept alive),
 * path-style URLs ENDPOINT/BUCKET/KEY, every request signed by libcurl
 * (CURLOPT_AWS_SIGV4 "aws:amz:REGION:s3") over the payload hash we give in
 * x-amz-content-sha256.  Query strings are written already canonical
 * (sorted, "key=value" even when empty), since libcurl 7.88 signs them as
 * given.  Answers are small XML documents read with objstore_xml_text().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "casefile/base64.h"
#include "casefile/buf.h"
#include "casefile/objstore.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct objstore {
	char *bucket, *prefix, *endpoint, *region, *url;
	char *userpwd, *token, *sigv4;
	long retention_days;
	/* one request at a time on the handle: readers (audit) use many threads */
	pthread_mutex_t mu;
	CURL *curl;
};

/* One request: what to send, where the answer goes. */
struct req {
	const char *method;	/* GET HEAD PUT POST DELETE */
	char *url;
	struct curl_slist *h;
	const unsigned char *body;	/* upload from memory ... */
	size_t bodylen, bodyoff;
	int outfd;		/* GET into a file, hashing (-1: into resp) */
	EVP_MD_CTX *outmd;
	int outfail;
	struct cf_buf resp;	/* the answer's body (errors, XML) */
	long status;
	char etag[80];
	int64_t length;		/* Content-Length of the answer, -1 unknown */
};

int
objstore_parse_url(const char *url, char **bucket, char **prefix, struct cf_err *err)
{
	const char *b, *slash, *p;
	size_t bl;

	if (strncmp(url, "s3://", 5) != 0)
		return cf_err_set(err, CF_EINPUT, "'%s' is not an s3://BUCKET/PREFIX address",
				  url);
	b = url + 5;
	slash = strchr(b, '/');
	bl = slash ? (size_t)(slash - b) : strlen(b);
	if (bl < 3 || bl > 63)
		return cf_err_set(err, CF_EINPUT, "'%s': a bucket name has 3 to 63 characters",
				  url);
	for (p = b; p < b + bl; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '.'))
			return cf_err_set(err, CF_EINPUT,
					  "'%s': a bucket name has only a-z, 0-9, '.' and '-'", url);
	p = slash ? slash + 1 : "";
	if (*p == '/' || (*p && p[strlen(p) - 1] == '/') || strstr(p, "//") ||
	    strstr(p, "..") || strlen(p) > 512)
		return cf_err_set(err, CF_EINPUT,
				  "'%s': the prefix has no leading, trailing or double '/' and no '..'",
				  url);
	for (const char *q = p; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		      (*q >= '0' && *q <= '9') || strchr("._-/", *q)))
			return cf_err_set(err, CF_EINPUT,
					  "'%s': the prefix has only A-Z, a-z, 0-9, '.', '_', '-' and '/'",
					  url);
	*bucket = xstrndup(b, bl);
	*prefix = xstrdup(p);
	return 0;
}

int
objstore_parse_retention(const char *s, long *days, struct cf_err *err)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (end == s || *s < '0' || *s > '9' || errno || n <= 0 || n > 36500 ||
	    end[0] == '\0' || end[1] != '\0')
		goto bad;
	switch (*end) {
	case 'd': break;
	case 'm': n *= 30; break;
	case 'y': n *= 365; break;
	default: goto bad;
	}
	if (n > 36500)
		goto bad;
	*days = n;
	return 0;
bad:
	return cf_err_set(err, CF_EINPUT,
			  "bad retention '%s' (want a number of days, months or years: 90d, 18m, 3y; "
			  "at most 100 years)", s);
}

char *
objstore_xml_text(const char *xml, size_t len, const char *tag)
{
	struct cf_buf out = CF_BUF_INIT;
	char *open = xasprintf("<%s>", tag), *close = xasprintf("</%s>", tag);
	const char *p, *e, *end = xml + len;
	size_t ol = strlen(open), cl = strlen(close);
	char *ret = NULL;

	for (p = xml; p + ol <= end; p++)
		if (memcmp(p, open, ol) == 0)
			break;
	if (p + ol > end)
		goto out;
	p += ol;
	for (e = p; e + cl <= end; e++)
		if (memcmp(e, close, cl) == 0)
			break;
	if (e + cl > end)
		goto out;
	while (p < e) {
		static const struct { const char *ent; char c; } ents[] = {
			{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
			{ "&quot;", '"' }, { "&apos;", '\'' },
		};
		size_t i;

		if (*p == '<')
			goto out;	/* nested element: not a text node */
		if (*p != '&') {
			cf_buf_add(&out, p++, 1);
			continue;
		}
		for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
			size_t n = strlen(ents[i].ent);

			if ((size_t)(e - p) >= n && memcmp(p, ents[i].ent, n) == 0) {
				cf_buf_add(&out, &ents[i].c, 1);
				p += n;
				break;
			}
		}
		if (i == sizeof(ents) / sizeof(ents[0]))
			goto out;	/* an entity we do not know */
	}
	ret = out.len ? cf_buf_detach(&out, NULL) : xstrdup("");
out:
	cf_buf_release(&out);
	free(open);
	free(close);
	return ret;
}

/* ---- credentials ------------------------------------------------------ */

/* Read the profile's keys from an AWS credentials file (INI). */
static int
creds_from_file(const char *path, const char *profile, char **ak, char **sk, char **tok,
		struct cf_err *err)
{
	FILE *f;
	struct stat st;
	char line[1024];
	int in = 0;

	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		return cf_err_errno(err, CF_EINPUT, "cannot read credentials file '%s'", path);
	}
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
		fclose(f);
		return cf_err_set(err, CF_EINPUT,
				  "credentials file '%s' is readable by others: refusing it like a key "
				  "(chmod 600 '%s')", path, path);
	}
	while (fgets(line, sizeof(line), f)) {
		char *l = textenc_trim(line), *eq;

		if (*l == '[') {
			char *e = strchr(l, ']');

			if (e)
				*e = '\0';
			l = textenc_trim(l + 1);
			if (strncmp(l, "profile ", 8) == 0)
				l = textenc_trim(l + 8);
			in = strcmp(l, profile) == 0;
			continue;
		}
		if (!in || (eq = strchr(l, '=')) == NULL)
			continue;
		*eq = '\0';
		l = textenc_trim(l);
		if (strcmp(l, "aws_access_key_id") == 0 && !*ak)
			*ak = xstrdup(textenc_trim(eq + 1));
		else if (strcmp(l, "aws_secret_access_key") == 0 && !*sk)
			*sk = xstrdup(textenc_trim(eq + 1));
		else if (strcmp(l, "aws_session_token") == 0 && !*tok)
			*tok = xstrdup(textenc_trim(eq + 1));
	}
	fclose(f);
	return 0;
}

static struct objstore_env the_env;

void
objstore_set_env(const struct objstore_env *e)
{
	the_env = *e;
}

static const char *
nonempty(const char *v)
{
	return v && *v ? v : NULL;
}

static int
resolve_creds(struct objstore *s, struct cf_err *err)
{
	char *ak = NULL, *sk = NULL, *tok = NULL, *file = NULL;
	const char *profile = nonempty(the_env.profile) ? nonempty(the_env.profile) : "default";
	int ret = -1;

	if (nonempty(the_env.access_key) && nonempty(the_env.secret_key)) {
		ak = xstrdup(nonempty(the_env.access_key));
		sk = xstrdup(nonempty(the_env.secret_key));
		if (nonempty(the_env.session_token))
			tok = xstrdup(nonempty(the_env.session_token));
	} else {
		if (nonempty(the_env.credentials_file))
			file = xstrdup(nonempty(the_env.credentials_file));
		else if (nonempty(the_env.home))
			file = xasprintf("%s/.aws/credentials", nonempty(the_env.home));
		if (file && creds_from_file(file, profile, &ak, &sk, &tok, err) < 0)
			goto out;
	}
	if (!ak || !sk || !*ak || !*sk) {
		cf_err_set(err, CF_EINPUT,
			   "no credentials for '%s': set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
			   "or profile '%s' in %s", s->url, profile,
			   file ? file : "~/.aws/credentials");
		goto out;
	}
	if (strchr(ak, ':')) {
		cf_err_set(err, CF_EINPUT, "the access key id has a ':'");
		goto out;
	}
	s->userpwd = xasprintf("%s:%s", ak, sk);
	s->token = tok;
	tok = NULL;
	ret = 0;
out:
	if (sk)
		memset(sk, 0, strlen(sk));
	free(ak);
	free(sk);
	free(tok);
	free(file);
	return ret;
}

int
objstore_open(const struct objstore_conf *conf, struct objstore **out, struct cf_err *err)
{
	struct objstore *s = xcalloc(1, sizeof(*s));
	const char *ep = conf->endpoint, *rg = conf->region;
	size_t n;

	pthread_mutex_init(&s->mu, NULL);	/* cannot fail for default attributes */
	if (objstore_parse_url(conf->url, &s->bucket, &s->prefix, err) < 0)
		goto fail;
	s->url = xstrdup(conf->url);
	if (!rg)
		rg = nonempty(the_env.region) ? nonempty(the_env.region) : nonempty(the_env.default_region);
	s->region = xstrdup(rg ? rg : "us-east-1");
	if (!ep)
		ep = nonempty(the_env.endpoint_s3) ? nonempty(the_env.endpoint_s3) : nonempty(the_env.endpoint);
	s->endpoint = ep ? xstrdup(ep) : xasprintf("https://s3.%s.amazonaws.com", s->region);
	n = strlen(s->endpoint);
	while (n > 0 && s->endpoint[n - 1] == '/')
		s->endpoint[--n] = '\0';
	if ((strncmp(s->endpoint, "http://", 7) != 0 && strncmp(s->endpoint, "https://", 8) != 0) ||
	    strchr(strchr(s->endpoint, ':') + 3, '/') || strchr(s->endpoint, '?')) {
		cf_err_set(err, CF_EINPUT, "bad endpoint '%s' (want http(s)://HOST[:PORT])",
			   s->endpoint);
		goto fail;
	}
	for (const char *q = s->region; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-')) {
			cf_err_set(err, CF_EINPUT, "bad region '%s'", s->region);
			goto fail;
		}
	s->retention_days = conf->retention_days;
	if (resolve_creds(s, err) < 0)
		goto fail;
	s->sigv4 = xasprintf("aws:amz:%s:s3", s->region);
	if ((s->curl = curl_easy_init()) == NULL) {
		cf_err_set(err, CF_ENET, "cannot start libcurl");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	objstore_close(s);
	return -1;
}

void
objstore_close(struct objstore *s)
{
	if (s == NULL)
		return;
	if (s->curl)
		curl_easy_cleanup(s->curl);
	pthread_mutex_destroy(&s->mu);
	if (s->userpwd)
		memset(s->userpwd, 0, strlen(s->userpwd));
	free(s->userpwd);
	free(s->token);
	free(s->sigv4);
	free(s->bucket);
	free(s->prefix);
	free(s->endpoint);
	free(s->region);
	free(s->url);
	free(s);
}

const char *
objstore_url(const struct objstore *s)
{
	return s->url;
}

const char *
objstore_endpoint(const struct objstore *s)
{
	return s->endpoint;
}

/* ---- requests --------------------------------------------------------- */

/* ENDPOINT/BUCKET[/PREFIX/ab/cdef…][?query] */
static char *
object_url(const struct objstore *s, const unsigned char *sha256, const char *query)
{
	char hex[CF_SHA256_HEXLEN + 1];

	if (sha256 == NULL)
		return xasprintf("%s/%s%s%s", s->endpoint, s->bucket, query ? "?" : "",
				 query ? query : "");
	cf_hex_encode(sha256, CF_SHA256_LEN, hex);
	return xasprintf("%s/%s/%s%s%.2s/%s%s%s", s->endpoint, s->bucket, s->prefix,
			 *s->prefix ? "/" : "", hex, hex + 2, query ? "?" : "", query ? query : "");
}

static size_t
on_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct req *r = arg;
	size_t n = size * nmemb;

	if (n > r->bodylen - r->bodyoff)
		n = r->bodylen - r->bodyoff;
	memcpy(buf, r->body + r->bodyoff, n);
	r->bodyoff += n;
	return n;
}

static size_t
on_write(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct req *r = arg;
	size_t n = size * nmemb, done = 0;

	if (r->outfd < 0 || r->status != 200) {
		if (r->resp.len < 65536)	/* an error document, not data */
			cf_buf_add(&r->resp, buf, n);
		return n;
	}
	if (!EVP_DigestUpdate(r->outmd, buf, n))
		return r->outfail = 1, 0;
	while (done < n) {
		ssize_t w = write(r->outfd, buf + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return r->outfail = errno ? errno : EIO, 0;
		done += (size_t)w;
	}
	return n;
}

static size_t
on_header(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct req *r = arg;
	size_t n = size * nmemb, l;

	if (n > 5 && strncmp(buf, "HTTP/", 5) == 0) {
		/* a new status line (after 100 Continue): forget the last one */
		r->etag[0] = '\0';
		r->length = -1;
		sscanf(buf, "HTTP/%*s %ld", &r->status);
	} else if (n > 5 && strncasecmp(buf, "ETag:", 5) == 0) {
		const char *v = buf + 5;

		while (*v == ' ' || *v == '"')
			v++;
		for (l = 0; l + 1 < sizeof(r->etag) && v + l < buf + n &&
			    v[l] != '"' && v[l] != '\r' && v[l] != '\n'; l++)
			r->etag[l] = v[l];
		r->etag[l] = '\0';
	} else if (n > 15 && strncasecmp(buf, "Content-Length:", 15) == 0) {
		r->length = strtoll(buf + 15, NULL, 10);
	}
	return n;
}

static void
req_init(struct req *r, const char *method, char *url)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->url = url;
	r->outfd = -1;
	r->length = -1;
}

static void
req_release(struct req *r)
{
	free(r->url);
	curl_slist_free_all(r->h);
	cf_buf_release(&r->resp);
}

static void
req_header(struct req *r, const char *fmt, const char *val)
{
	char *h = xasprintf(fmt, val);

	r->h = curl_slist_append(r->h, h);
	if (r->h == NULL)
		CF_BUG("curl_slist_append");
	free(h);
}

/* The store's error as a message: its code and what it usually means. */
static int
store_error(struct objstore *s, struct req *r, const char *what, struct cf_err *err)
{
	char *code = objstore_xml_text(r->resp.data ? r->resp.data : "", r->resp.len, "Code");
	const char *hint = "";
	int ret;

	if (code == NULL && r->status == 404)
		code = xstrdup("NoSuchKey");
	if (code == NULL)
		code = xasprintf("HTTP %ld", r->status);
	if (!strcmp(code, "InvalidAccessKeyId") || !strcmp(code, "SignatureDoesNotMatch"))
		hint = ": check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)";
	else if (!strcmp(code, "AccessDenied"))
		hint = ": these credentials may not use this bucket";
	if (!strcmp(code, "NoSuchBucket"))
		ret = cf_err_set(err, CF_ENET, "%s: bucket '%s' does not exist at %s", what,
				 s->bucket, s->endpoint);
	else
		ret = cf_err_set(err, CF_ENET, "%s: %s said %s%s", what, s->endpoint, code, hint);
	free(code);
	return ret;
}

/*
 * Perform r: signed, with payload hash payload_hex (NULL: the body's, or
 * the empty string's).  0 when a status came back (see r->status), -1 when
 * none did (CF_ENET: connection refused, reset, timed out).
 */
static int
perform(struct objstore *s, struct req *r, const char *payload_hex, const char *what,
	struct cf_err *err)
{
	CURL *c = s->curl;
	unsigned char h[CF_SHA256_LEN];
	char hex[CF_SHA256_HEXLEN + 1];
	CURLcode rc;

	if (payload_hex == NULL) {
		if (r->body) {
			cf_sha256(r->body, r->bodylen, h);
			cf_hex_encode(h, sizeof(h), hex);
			payload_hex = hex;
		} else {
			payload_hex = EMPTY_SHA256;
		}
	}
	req_header(r, "x-amz-content-sha256: %s", payload_hex);
	if (s->token)
		req_header(r, "x-amz-security-token: %s", s->token);
	/*
	 * No "Expect:" to switch off 100-continue: libcurl 7.88 signs the empty
	 * header and the store then refuses the signature.
	 */
	pthread_mutex_lock(&s->mu);
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, r->url);
	curl_easy_setopt(c, CURLOPT_AWS_SIGV4, s->sigv4);
	curl_easy_setopt(c, CURLOPT_USERPWD, s->userpwd);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	/* a gateway that stops answering: give up after 60 s below 1 byte/s */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	if (!strcmp(r->method, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (!strcmp(r->method, "PUT")) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, r);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->bodylen);
	} else if (!strcmp(r->method, "POST")) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body ? (const char *)r->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->bodylen);
	} else if (strcmp(r->method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, r->h);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	pthread_mutex_unlock(&s->mu);
	if (r->outfail)
		return cf_err_set(err, CF_EIO, "%s: cannot write the download: %s", what,
				  strerror(r->outfail));
	if (rc != CURLE_OK)
		return cf_err_set(err, CF_ENET, "%s: cannot reach %s: %s", what, s->endpoint,
				  curl_easy_strerror(rc));
	return 0;
}

/* now + the retention, as S3 wants it */
static void
retain_until(const struct objstore *s, char *until, size_t n)
{
	time_t t = time(NULL) + (time_t)s->retention_days * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(until, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
lock_headers(struct objstore *s, struct req *r)
{
	char until[32];

	if (s->retention_days <= 0)
		return;
	retain_until(s, until, sizeof(until));
	req_header(r, "x-amz-object-lock-mode: %s", "COMPLIANCE");
	req_header(r, "x-amz-object-lock-retain-until-date: %s", until);
}

/*
 * Lock an object after a multipart upload: some stores (Ceph RGW 16) ignore
 * the lock headers of the initiation, so the retention is set again on the
 * completed object (PutObjectRetention; allowed in compliance mode since
 * it never shortens the lock).
 */
static int
lock_object(struct objstore *s, const unsigned char sha256[CF_SHA256_LEN],
	    struct cf_err *err)
{
	unsigned char md5[16];
	unsigned int l = sizeof(md5);
	struct cf_buf b64 = CF_BUF_INIT;
	char until[32], *xml;
	struct req r;
	int ret = -1;

	if (s->retention_days <= 0)
		return 0;
	retain_until(s, until, sizeof(until));
	xml = xasprintf("<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
			"<Mode>COMPLIANCE</Mode><RetainUntilDate>%s</RetainUntilDate></Retention>",
			until);
	if (!EVP_Digest(xml, strlen(xml), md5, &l, EVP_md5(), NULL)) {
		free(xml);
		return cf_err_ssl(err, "MD5 failed");
	}
	base64_encode(md5, sizeof(md5), &b64);
	req_init(&r, "PUT", object_url(s, sha256, "retention="));
	r.body = (const unsigned char *)xml;
	r.bodylen = strlen(xml);
	req_header(&r, "Content-MD5: %s", b64.data);
	if (perform(s, &r, NULL, "cannot lock an object", err) < 0)
		goto out;
	if (r.status != 200 && r.status != 204) {
		store_error(s, &r, "cannot lock an object", err);
		goto out;
	}
	ret = 0;
out:
	req_release(&r);
	cf_buf_release(&b64);
	free(xml);
	return ret;
}

/*
 * GET the bucket's sub-resource (e.g. "versioning=") and tell whether its
 * XML element named elem reads "Enabled".  1 yes, 0 no, -1 with err (the
 * request failed: what says what was being read).
 */
static int
bucket_enabled(struct objstore *s, const char *sub, const char *elem, const char *what,
	       struct cf_err *err)
{
	struct req r;
	char *v = NULL;
	int ret = -1;

	req_init(&r, "GET", object_url(s, NULL, sub));
	if (perform(s, &r, NULL, what, err) == 0) {
		v = r.status == 200 ? objstore_xml_text(r.resp.data ? r.resp.data : "",
							 r.resp.len, elem) : NULL;
		ret = v != NULL && strcmp(v, "Enabled") == 0;
	}
	free(v);
	req_release(&r);
	return ret;
}

int
objstore_check(struct objstore *s, struct cf_err *err)
{
	struct req r;
	int ok, ret = -1;

	req_init(&r, "GET", object_url(s, NULL, "location="));
	if (perform(s, &r, NULL, "cannot use the bucket", err) < 0)
		goto out;
	if (r.status != 200) {
		store_error(s, &r, "cannot use the bucket", err);
		goto out;
	}
	if (s->retention_days > 0) {
		ok = bucket_enabled(s, "versioning=", "Status", "cannot read the bucket's versioning",
				    err);
		if (ok < 0)
			goto out;
		if (ok == 0) {
			cf_err_set(err, CF_ENET,
				   "bucket '%s' has no versioning, so it cannot keep objects locked: "
				   "a retention needs a bucket made with Object Lock enabled", s->bucket);
			goto out;
		}
		ok = bucket_enabled(s, "object-lock=", "ObjectLockEnabled",
				    "cannot read the bucket's Object Lock", err);
		if (ok < 0)
			goto out;
		if (ok == 0) {
			cf_err_set(err, CF_ENET,
				   "bucket '%s' has no Object Lock: a retention needs a bucket made with "
				   "Object Lock enabled (e.g. x-amz-bucket-object-lock-enabled: true)",
				   s->bucket);
			goto out;
		}
	}
	ret = 0;
out:
	req_release(&r);
	return ret;
}

int
objstore_stat(struct objstore *s, const unsigned char sha256[CF_SHA256_LEN], int64_t *size,
	      struct cf_err *err)
{
	struct req r;
	int ret = -1;

	req_init(&r, "HEAD", object_url(s, sha256, NULL));
	if (perform(s, &r, NULL, "cannot look up an object", err) < 0)
		goto out;
	if (r.status == 404) {
		*size = -1;
	} else if (r.status == 200) {
		*size = r.length;
	} else {
		store_error(s, &r, "cannot look up an object", err);
		goto out;
	}
	ret = 0;
out:
	req_release(&r);
	return ret;
}

/* The hashes a checked PUT sends: SHA-256 hex, MD5 hex and base64. */
struct digests {
	char sha_hex[CF_SHA256_HEXLEN + 1];
	char md5_hex[33];
	struct cf_buf md5_b64;
};

static int
digest(const void *p, size_t n, struct digests *d, unsigned char *sha_out,
       struct cf_err *err)
{
	unsigned char sha[CF_SHA256_LEN], md5[16];
	unsigned int l = 16;

	if (!EVP_Digest(p, n, md5, &l, EVP_md5(), NULL))
		return cf_err_ssl(err, "MD5 failed");
	cf_sha256(p, n, sha);
	if (sha_out)
		memcpy(sha_out, sha, sizeof(sha));
	cf_hex_encode(sha, sizeof(sha), d->sha_hex);
	cf_hex_encode(md5, sizeof(md5), d->md5_hex);
	cf_buf_init(&d->md5_b64);
	base64_encode(md5, sizeof(md5), &d->md5_b64);
	return 0;
}

/* One checked PUT of p (an object, or part `part` of upload `upload`). */
static int
put_checked(struct objstore *s, const unsigned char sha256[CF_SHA256_LEN],
	    const void *p, size_t n, int part, const char *upload, char *etag_out,
	    size_t etag_size, struct cf_err *err)
{
	struct digests d;
	struct req r;
	char *q = NULL;
	int ret = -1;

	if (digest(p, n, &d, NULL, err) < 0)
		return -1;
	if (upload) {
		char *e = curl_easy_escape(NULL, upload, 0);

		q = xasprintf("partNumber=%d&uploadId=%s", part, e);
		curl_free(e);
	}
	req_init(&r, "PUT", object_url(s, sha256, q));
	r.body = p;
	r.bodylen = n;
	req_header(&r, "Content-MD5: %s", d.md5_b64.data);
	if (!upload)
		lock_headers(s, &r);
	if (perform(s, &r, d.sha_hex, "cannot store an object", err) < 0)
		goto out;
	if (r.status != 200) {
		store_error(s, &r, "cannot store an object", err);
		goto out;
	}
	if (strcasecmp(r.etag, d.md5_hex) != 0) {
		cf_err_set(err, CF_ENET, "cannot store an object: %s answered ETag '%s' for "
			   "content whose MD5 is %s", s->endpoint, r.etag, d.md5_hex);
		goto out;
	}
	if (etag_out)
		snprintf(etag_out, etag_size, "%s", r.etag);
	ret = 0;
out:
	free(q);
	cf_buf_release(&d.md5_b64);
	req_release(&r);
	return ret;
}

int
objstore_put_mem(struct objstore *s, const unsigned char sha256[CF_SHA256_LEN],
		 const void *p, size_t n, struct cf_err *err)
{
	return put_checked(s, sha256, p, n, 0, NULL, NULL, 0, err);
}

static int
read_at(int fd, unsigned char *buf, size_t n, uint64_t off, struct cf_err *err)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, buf + done, n - done, (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return cf_err_errno(err, CF_EIO, "cannot read the staged object");
		if (r == 0)
			return cf_err_set(err, CF_EIO, "the staged object is shorter than it was");
		done += (size_t)r;
	}
	return 0;
}

static void
abort_upload(struct objstore *s, const unsigned char sha256[CF_SHA256_LEN],
	     const char *upload)
{
	struct cf_err e = CF_ERR_INIT;
	char *u = curl_easy_escape(NULL, upload, 0), *q = xasprintf("uploadId=%s", u);
	struct req r;

	req_init(&r, "DELETE", object_url(s, sha256, q));
	perform(s, &r, NULL, "abort", &e);	/* best effort: the store expires it too */
	req_release(&r);
	cf_err_release(&e);
	curl_free(u);
	free(q);
}

int
objstore_put_fd(struct objstore *s, const unsigned char sha256[CF_SHA256_LEN], int fd,
		uint64_t size, struct cf_err *err)
{
	struct cf_buf xml = CF_BUF_INIT;
	unsigned char *buf = NULL, whole[CF_SHA256_LEN];
	char *upload = NULL, *q = NULL, etag[80];
	EVP_MD_CTX *md = NULL;
	unsigned int mdlen = CF_SHA256_LEN;
	uint64_t off;
	int part, ret = -1;
	struct req r;

	req_init(&r, "POST", NULL);
	if (size <= OBJSTORE_PART_SIZE) {
		buf = xmalloc(size ? (size_t)size : 1);
		if (read_at(fd, buf, (size_t)size, 0, err) < 0)
			goto out;
		cf_sha256(buf, (size_t)size, whole);
		if (memcmp(whole, sha256, CF_SHA256_LEN) != 0) {
			cf_err_set(err, CF_EVERIFY, "the staged object changed before its upload");
			goto out;
		}
		ret = objstore_put_mem(s, sha256, buf, (size_t)size, err);
		goto out;
	}
	r.url = object_url(s, sha256, "uploads=");
	lock_headers(s, &r);
	if (perform(s, &r, NULL, "cannot start a multipart upload", err) < 0)
		goto out;
	if (r.status != 200) {
		store_error(s, &r, "cannot start a multipart upload", err);
		goto out;
	}
	upload = objstore_xml_text(r.resp.data ? r.resp.data : "", r.resp.len, "UploadId");
	if (upload == NULL || *upload == '\0') {
		cf_err_set(err, CF_ENET, "cannot start a multipart upload: %s gave no UploadId",
			   s->endpoint);
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		cf_err_ssl(err, "cannot start SHA-256");
		goto fail;
	}
	buf = xmalloc((size_t)OBJSTORE_PART_SIZE);
	cf_buf_addstr(&xml, "<CompleteMultipartUpload>");
	for (off = 0, part = 1; off < size; off += OBJSTORE_PART_SIZE, part++) {
		size_t n = size - off < OBJSTORE_PART_SIZE ? (size_t)(size - off)
							    : (size_t)OBJSTORE_PART_SIZE;

		if (read_at(fd, buf, n, off, err) < 0 || !EVP_DigestUpdate(md, buf, n))
			goto fail;
		if (put_checked(s, sha256, buf, n, part, upload, etag, sizeof(etag), err) < 0) {
			cf_err_prefix(err, "part %d", part);
			goto fail;
		}
		cf_buf_addf(&xml, "<Part><PartNumber>%d</PartNumber><ETag>\"%s\"</ETag></Part>",
			    part, etag);
	}
	cf_buf_addstr(&xml, "</CompleteMultipartUpload>");
	if (!EVP_DigestFinal_ex(md, whole, &mdlen) ||
	    memcmp(whole, sha256, CF_SHA256_LEN) != 0) {
		cf_err_set(err, CF_EVERIFY, "the staged object changed during its upload");
		goto fail;
	}
	req_release(&r);
	{
		char *u = curl_easy_escape(NULL, upload, 0);

		q = xasprintf("uploadId=%s", u);
		curl_free(u);
	}
	req_init(&r, "POST", object_url(s, sha256, q));
	r.body = (const unsigned char *)xml.data;
	r.bodylen = xml.len;
	if (perform(s, &r, NULL, "cannot complete a multipart upload", err) < 0)
		goto fail;
	/* an error may come in a 200 answer's body */
	if (r.status != 200 || (r.resp.data && strstr(r.resp.data, "<Error>"))) {
		store_error(s, &r, "cannot complete a multipart upload", err);
		goto fail;
	}
	{
		int64_t got = -1;

		if (objstore_stat(s, sha256, &got, err) < 0)
			goto out;
		if (got < 0 || (uint64_t)got != size) {
			cf_err_set(err, CF_ENET, "after a multipart upload %s holds %lld bytes, "
				   "not %llu", s->endpoint, (long long)got,
				   (unsigned long long)size);
			goto out;
		}
	}
	if (lock_object(s, sha256, err) < 0)
		goto out;
	ret = 0;
	goto out;
fail:
	abort_upload(s, sha256, upload);
out:
	req_release(&r);
	cf_buf_release(&xml);
	EVP_MD_CTX_free(md);
	free(buf);
	free(upload);
	free(q);
	return ret;
}

int
objstore_get_fd(struct objstore *s, const unsigned char sha256[CF_SHA256_LEN], int fd,
		struct cf_err *err)
{
	unsigned char got[CF_SHA256_LEN];
	unsigned int l = CF_SHA256_LEN;
	struct req r;
	int ret = -1;

	req_init(&r, "GET", object_url(s, sha256, NULL));
	r.outfd = fd;
	if ((r.outmd = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(r.outmd, EVP_sha256(), NULL)) {
		cf_err_ssl(err, "cannot start SHA-256");
		goto out;
	}
	if (perform(s, &r, NULL, "cannot fetch an object", err) < 0)
		goto out;
	if (r.status == 404) {
		char hex[CF_SHA256_HEXLEN + 1];

		cf_hex_encode(sha256, CF_SHA256_LEN, hex);
		cf_err_set(err, CF_ENOTFOUND, "object %s is missing from %s", hex, s->url);
		goto out;
	}
	if (r.status != 200) {
		store_error(s, &r, "cannot fetch an object", err);
		goto out;
	}
	if (!EVP_DigestFinal_ex(r.outmd, got, &l) || memcmp(got, sha256, CF_SHA256_LEN)) {
		char hex[CF_SHA256_HEXLEN + 1];

		cf_hex_encode(sha256, CF_SHA256_LEN, hex);
		cf_err_set(err, CF_EVERIFY, "object %s in %s does not hash to its name", hex,
			   s->url);
		goto out;
	}
	ret = 0;
out:
	EVP_MD_CTX_free(r.outmd);
	req_release(&r);
	return ret;
}

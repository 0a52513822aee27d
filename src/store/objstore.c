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
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

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
	char version[256];	/* x-amz-version-id of the answer, "" none */
	int64_t length;		/* Content-Length of the answer, -1 unknown */
	int tries;		/* how many tries perform() made */
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
objstore_bucket(const struct objstore *s)
{
	return s->bucket;
}

const char *
objstore_endpoint(const struct objstore *s)
{
	return s->endpoint;
}

/* ---- requests --------------------------------------------------------- */

/* "PREFIX/ab/cdef…" (no PREFIX/ when there is none); caller frees. */
static char *
object_key(const struct objstore *s, const unsigned char sha256[CF_SHA256_LEN])
{
	char hex[CF_SHA256_HEXLEN + 1];

	cf_hex_encode(sha256, CF_SHA256_LEN, hex);
	return xasprintf("%s%s%.2s/%s", s->prefix, *s->prefix ? "/" : "", hex, hex + 2);
}

/* ENDPOINT/BUCKET[/KEY][?query]; our keys need no escaping */
static char *
key_url(const struct objstore *s, const char *key, const char *query)
{
	return xasprintf("%s/%s%s%s%s%s", s->endpoint, s->bucket, key ? "/" : "",
			 key ? key : "", query ? "?" : "", query ? query : "");
}

/* ENDPOINT/BUCKET[/PREFIX/ab/cdef…][?query] */
static char *
object_url(const struct objstore *s, const unsigned char *sha256, const char *query)
{
	char *key = sha256 ? object_key(s, sha256) : NULL, *url = key_url(s, key, query);

	free(key);
	return url;
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
		/* an error document (64 KiB is plenty), or a listing: a page of
		   1,000 versions is about 400 KB, so 32 MiB is far past any page */
		if (r->resp.len < (r->status == 200 ? (size_t)32 << 20 : 65536))
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
		r->version[0] = '\0';
		r->length = -1;
		sscanf(buf, "HTTP/%*s %ld", &r->status);
	} else if (n > 17 && strncasecmp(buf, "x-amz-version-id:", 17) == 0) {
		const char *v = buf + 17;

		while (*v == ' ')
			v++;
		for (l = 0; l + 1 < sizeof(r->version) && v + l < buf + n &&
			    v[l] != '\r' && v[l] != '\n'; l++)
			r->version[l] = v[l];
		r->version[l] = '\0';
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

	/* a HEAD's answer has no body: say what its status usually means */
	if (code == NULL && r->status == 404)
		code = xstrdup("NoSuchKey");
	if (code == NULL && r->status == 403)
		hint = ": check the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and "
		       "that they may use this bucket";
	else if (code == NULL && r->status == 503)
		hint = " (SlowDown: the store sheds load, or is unavailable)";
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
		ret = cf_err_set(err, CF_ENET, "%s: %s said %s%s%s", what, s->endpoint, code, hint,
				 r->tries > 1 ? " (tried " OBJSTORE_TRIES_TEXT " times)" : "");
	free(code);
	return ret;
}

/*
 * Retries (issue 18).  A request that got no answer (connection refused,
 * reset, timed out) or a 5xx answer (500, 502, 503 SlowDown, 504) is tried
 * again after 0.5, 1, 2 and 4 s: OBJSTORE_TRIES in all, about 8 s of
 * waiting, enough for a gateway to restart or a load balancer to fail over.
 * Only requests that can be repeated are: every GET, HEAD, PUT (objects are
 * named by their content, parts by their number) and DELETE, never a POST
 * (a second initiation would start another upload; a completion that lost
 * its answer fails the put, and the re-run completes).  A GET into a file
 * starts again from the file's offset at the first try.
 */
static unsigned retry_delay_ms[OBJSTORE_TRIES - 1] = { 500, 1000, 2000, 4000 };

static uint64_t copy_max;	/* 0: COPY_MAX; else a test's */

void
objstore_test_hooks(const char *copy_max_bytes, const char *retry_ms)
{
	if (copy_max_bytes && *copy_max_bytes)
		copy_max = strtoull(copy_max_bytes, NULL, 10);
	if (retry_ms && *retry_ms)
		for (size_t i = 0; i < OBJSTORE_TRIES - 1; i++)
			retry_delay_ms[i] = (unsigned)strtoul(retry_ms, NULL, 10);
}

static int
transient(CURLcode rc, long status)
{
	if (rc == CURLE_OK)
		return status >= 500 && status <= 599;
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_COULDNT_RESOLVE_HOST:
		return 1;
	default:
		return 0;
	}
}

/* One try of r on the (locked) handle. */
static CURLcode
perform_once(struct objstore *s, struct req *r)
{
	CURL *c = s->curl;
	CURLcode rc;

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
	return rc;
}

/* Back to the state before a try: nothing sent, nothing received. */
static int
req_rewind(struct req *r, off_t outstart)
{
	r->bodyoff = 0;
	r->status = 0;
	r->etag[0] = '\0';
	r->version[0] = '\0';
	r->length = -1;
	cf_buf_reset(&r->resp);
	if (r->outfd >= 0) {
		if (outstart < 0 || lseek(r->outfd, outstart, SEEK_SET) < 0 ||
		    ftruncate(r->outfd, outstart) < 0 ||
		    !EVP_DigestInit_ex(r->outmd, EVP_sha256(), NULL))
			return -1;
	}
	return 0;
}

/*
 * Perform r: signed, with payload hash payload_hex (NULL: the body's, or
 * the empty string's), retried as above.  0 when a status came back (see
 * r->status; a 5xx only once the tries are used up), -1 when none did
 * (CF_ENET: connection refused, reset, timed out — after OBJSTORE_TRIES
 * tries, said in the message).
 */
static int
perform(struct objstore *s, struct req *r, const char *payload_hex, const char *what,
	struct cf_err *err)
{
	unsigned char h[CF_SHA256_LEN];
	char hex[CF_SHA256_HEXLEN + 1];
	off_t outstart = r->outfd >= 0 ? lseek(r->outfd, 0, SEEK_CUR) : -1;
	int tries = strcmp(r->method, "POST") ? OBJSTORE_TRIES : 1, i;
	CURLcode rc = CURLE_OK;

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
	for (i = 0; i < tries; i++) {
		if (i > 0) {
			struct timespec ts = { retry_delay_ms[i - 1] / 1000,
					       (long)(retry_delay_ms[i - 1] % 1000) * 1000000 };

			if (r->outfail || req_rewind(r, outstart) < 0)
				break;
			nanosleep(&ts, NULL);
		}
		pthread_mutex_lock(&s->mu);
		rc = perform_once(s, r);
		pthread_mutex_unlock(&s->mu);
		if (r->outfail || !transient(rc, r->status))
			break;
	}
	r->tries = i < tries ? i + 1 : tries;
	if (r->outfail)
		return cf_err_set(err, CF_EIO, "%s: cannot write the download: %s", what,
				  strerror(r->outfail));
	if (rc != CURLE_OK)
		return cf_err_set(err, CF_ENET, "%s: cannot reach %s: %s%s", what, s->endpoint,
				  curl_easy_strerror(rc),
				  r->tries > 1 ? " (tried " OBJSTORE_TRIES_TEXT " times)" : "");
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

/* HEAD key: *size (-1: none) and, when etag is not NULL, its ETag. */
static int
head_key(struct objstore *s, const char *key, int64_t *size, char *etag, size_t etag_size,
	 struct cf_err *err)
{
	struct req r;
	int ret = -1;

	req_init(&r, "HEAD", key_url(s, key, NULL));
	if (perform(s, &r, NULL, "cannot look up an object", err) < 0)
		goto out;
	if (r.status == 404) {
		*size = -1;
	} else if (r.status == 200) {
		*size = r.length;
		if (etag)
			snprintf(etag, etag_size, "%s", r.etag);
	} else {
		store_error(s, &r, "cannot look up an object", err);
		goto out;
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
	char *key = object_key(s, sha256);
	int ret = head_key(s, key, size, NULL, 0, err);

	free(key);
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

/*
 * One checked PUT of p to key (an object, or part `part` of upload
 * `upload`); its MD5 goes to md5_out when not NULL.
 */
static int
put_checked(struct objstore *s, const char *key, const void *p, size_t n, int part,
	    const char *upload, int lock, char *etag_out, size_t etag_size,
	    unsigned char md5_out[16], struct cf_err *err)
{
	struct digests d;
	struct req r;
	char *q = NULL;
	int ret = -1;

	if (digest(p, n, &d, NULL, err) < 0)
		return -1;
	if (md5_out)
		cf_hex_decode(d.md5_hex, 32, md5_out, 16);
	if (upload) {
		char *e = curl_easy_escape(NULL, upload, 0);

		q = xasprintf("partNumber=%d&uploadId=%s", part, e);
		curl_free(e);
	}
	req_init(&r, "PUT", key_url(s, key, q));
	r.body = p;
	r.bodylen = n;
	req_header(&r, "Content-MD5: %s", d.md5_b64.data);
	if (lock)
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
	char *key = object_key(s, sha256);
	int ret = put_checked(s, key, p, n, 0, NULL, 1, NULL, 0, NULL, err);

	free(key);
	return ret;
}

/* DELETE key (one version of it when version is not empty); err says why not. */
static int
delete_key(struct objstore *s, const char *key, const char *version, long *status,
	   struct cf_err *err)
{
	char *q = NULL;
	struct req r;
	int ret = -1;

	if (version && *version) {
		char *e = curl_easy_escape(NULL, version, 0);

		q = xasprintf("versionId=%s", e);
		curl_free(e);
	}
	req_init(&r, "DELETE", key_url(s, key, q));
	if (perform(s, &r, NULL, "cannot remove an object", err) == 0) {
		if (status)
			*status = r.status;
		if (r.status == 200 || r.status == 204 || r.status == 404)
			ret = 0;
		else
			store_error(s, &r, "cannot remove an object", err);
	}
	req_release(&r);
	free(q);
	return ret;
}

/* ---- streamed uploads -------------------------------------------------- */

/*
 * Theory of operation (objstore.h has the contract).  The object's name is
 * its SHA-256, known only once the last byte has been read, so the bytes
 * are sent while they are read to a temporary key, PREFIX/tmp/<random>, as
 * a multipart upload without any lock headers.  Each part is one checked
 * PUT (x-amz-content-sha256 and Content-MD5 recomputed by the store, the
 * ETag compared with our MD5), sent by a helper thread while the caller
 * reads and hashes the next one.  At the end:
 *
 *   1. The object exists under its name with the same size: the upload is
 *      aborted, nothing else is written.
 *   2. Else the upload is completed; the store's ETag for it must be the
 *      multipart ETag of our parts, MD5(MD5(part 1) ‖ … ‖ MD5(part N))-N
 *      (Ceph RGW 16 answers an empty <ETag>: a HEAD says it).
 *   3. It is copied inside the store to its name (CopyObject) with the
 *      Object Lock headers: only this final copy is retained.  The copy's ETag must be
 *      the same multipart ETag — the store's own digest of the bytes it
 *      holds, part by part, equal to ours; a store that reports anything
 *      else (a re-computed whole-object MD5, an encrypted object's ETag) is
 *      read back instead and the SHA-256 of what it returns must be the
 *      name.  A HEAD then shows the full size; with a retention the lock is
 *      set again (PutObjectRetention, for stores that ignore the headers).
 *   4. The temporary object is deleted — by its version id in a versioned
 *      bucket, where a plain DELETE only hides it.  A failure here leaves
 *      an object no row names; `audit` lists it, `audit --repair` removes
 *      it (or says the bucket's default retention keeps it).
 *
 * Only then does objstore_upload_finish() return 0.  On Ceph RGW a copy
 * inside one pool shares the data (0.5 s for 500 MB here), on AWS it runs
 * at the store's internal speed.  CopyObject takes at most 5 GiB
 * (objstore_copy_max()), and the part-by-part copy (UploadPartCopy) cannot
 * be signed by libcurl 7.88 (it sorts x-amz-copy-source-range before
 * x-amz-copy-source, and the store refuses the signature), so a larger
 * object is uploaded to its name directly once its hash is known: a
 * "named" upload (objstore_upload_begin with the hash), the caller reading
 * its source a second time.  Its completion is checked the same way (the
 * store's multipart ETag equal to ours, the full size), and it is locked.
 */
#define COPY_MAX ((uint64_t)5 << 30)

struct objstore_upload {
	struct objstore *s;
	char *key, *upload;		/* PREFIX/tmp/<hex>, its UploadId */
	int named;			/* to the object's name (sha256) directly */
	unsigned char sha256[CF_SHA256_LEN];
	unsigned char (*md5)[16];	/* each part's MD5 */
	int nparts, cap;
	uint64_t sent;
	/* the part on its way (helper thread) */
	pthread_t tid;
	int running;
	const unsigned char *buf;
	size_t n;
	int rc;
	struct cf_err err;
};

static int
start_multipart(struct objstore *s, const char *key, int lock, char **upload,
		struct cf_err *err)
{
	struct req r;
	int ret = -1;

	req_init(&r, "POST", key_url(s, key, "uploads="));
	if (lock)
		lock_headers(s, &r);
	if (perform(s, &r, NULL, "cannot start a multipart upload", err) < 0)
		goto out;
	if (r.status != 200) {
		store_error(s, &r, "cannot start a multipart upload", err);
		goto out;
	}
	*upload = objstore_xml_text(r.resp.data ? r.resp.data : "", r.resp.len, "UploadId");
	if (*upload == NULL || **upload == '\0') {
		free(*upload);
		*upload = NULL;
		cf_err_set(err, CF_ENET, "cannot start a multipart upload: %s gave no UploadId",
			   s->endpoint);
		goto out;
	}
	ret = 0;
out:
	req_release(&r);
	return ret;
}

static void
abort_multipart(struct objstore *s, const char *key, const char *upload)
{
	struct cf_err e = CF_ERR_INIT;
	char *u = curl_easy_escape(NULL, upload, 0), *q = xasprintf("uploadId=%s", u);
	struct req r;

	req_init(&r, "DELETE", key_url(s, key, q));
	perform(s, &r, NULL, "abort", &e);	/* best effort: audit lists what is left */
	req_release(&r);
	cf_err_release(&e);
	curl_free(u);
	free(q);
}

/* "md5hex-N" of the parts, as S3 computes a multipart object's ETag */
static void
multipart_etag(unsigned char (*md5)[16], int n, char *out, size_t size)
{
	unsigned char m[16];
	unsigned int l = sizeof(m);
	char hex[33];

	EVP_Digest(md5, (size_t)n * 16, m, &l, EVP_md5(), NULL);
	cf_hex_encode(m, sizeof(m), hex);
	snprintf(out, size, "%s-%d", hex, n);
}

/* An ETag as answered (quoted, or not): is it want? */
static int
etag_is(const char *got, const char *want)
{
	size_t l;

	if (got == NULL)
		return 0;
	if (*got == '"')
		got++;
	l = strlen(want);
	return strncasecmp(got, want, l) == 0 && (got[l] == '\0' || (got[l] == '"' && !got[l + 1]));
}

static void *
part_thread(void *arg)
{
	struct objstore_upload *u = arg;
	char etag[80];

	u->rc = put_checked(u->s, u->key, u->buf, u->n, u->nparts, u->upload, 0, etag,
			    sizeof(etag), u->md5[u->nparts - 1], &u->err);
	if (u->rc < 0)
		cf_err_prefix(&u->err, "part %d", u->nparts);
	return NULL;
}

/* Wait for the part on its way; -1 with its error when it failed. */
static int
part_wait(struct objstore_upload *u, struct cf_err *err)
{
	if (!u->running)
		return 0;
	pthread_join(u->tid, NULL);
	u->running = 0;
	if (u->rc == 0)
		return 0;
	cf_err_set(err, u->err.code, "%s", u->err.msg ? u->err.msg : "a part failed");
	cf_err_release(&u->err);
	return -1;
}

int
objstore_upload_begin(struct objstore *s, const unsigned char *sha256,
		      struct objstore_upload **out, struct cf_err *err)
{
	struct objstore_upload *u = xcalloc(1, sizeof(*u));
	unsigned char rnd[16];
	char hex[33];

	u->s = s;
	if (sha256) {
		u->named = 1;
		memcpy(u->sha256, sha256, CF_SHA256_LEN);
		u->key = object_key(s, sha256);
	} else {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			free(u);
			return cf_err_ssl(err, "no random bytes for a temporary name");
		}
		cf_hex_encode(rnd, sizeof(rnd), hex);
		u->key = xasprintf("%s%stmp/%s", s->prefix, *s->prefix ? "/" : "", hex);
	}
	if (start_multipart(s, u->key, u->named, &u->upload, err) < 0) {
		free(u->key);
		free(u);
		return -1;
	}
	*out = u;
	return 0;
}

int
objstore_upload_part(struct objstore_upload *u, const void *buf, size_t n, struct cf_err *err)
{
	if (part_wait(u, err) < 0)
		return -1;
	if (n == 0)
		return 0;
	if (u->nparts == u->cap) {
		u->cap = u->cap ? 2 * u->cap : 64;
		u->md5 = xreallocarray(u->md5, (size_t)u->cap, sizeof(*u->md5));
	}
	u->nparts++;
	u->buf = buf;
	u->n = n;
	u->sent += n;
	if (pthread_create(&u->tid, NULL, part_thread, u) != 0) {
		u->nparts--;
		return cf_err_set(err, CF_EIO, "cannot start a thread");
	}
	u->running = 1;
	return 0;
}

/* POST the list of parts; *etag is what the store says the result is. */
static int
complete_multipart(struct objstore *s, const char *key, const char *upload,
		   const char (*etags)[80], int n, char *etag, size_t etag_size,
		   char *version, size_t version_size, struct cf_err *err)
{
	struct cf_buf xml = CF_BUF_INIT;
	char *u = curl_easy_escape(NULL, upload, 0), *q = xasprintf("uploadId=%s", u), *e;
	struct req r;
	int i, ret = -1;

	curl_free(u);
	cf_buf_addstr(&xml, "<CompleteMultipartUpload>");
	for (i = 0; i < n; i++)
		cf_buf_addf(&xml, "<Part><PartNumber>%d</PartNumber><ETag>\"%s\"</ETag></Part>",
			    i + 1, etags[i]);
	cf_buf_addstr(&xml, "</CompleteMultipartUpload>");
	req_init(&r, "POST", key_url(s, key, q));
	r.body = (const unsigned char *)xml.data;
	r.bodylen = xml.len;
	if (perform(s, &r, NULL, "cannot complete a multipart upload", err) < 0)
		goto out;
	/* an error may come in a 200 answer's body */
	if (r.status != 200 || (r.resp.data && strstr(r.resp.data, "<Error>"))) {
		store_error(s, &r, "cannot complete a multipart upload", err);
		goto out;
	}
	e = objstore_xml_text(r.resp.data ? r.resp.data : "", r.resp.len, "ETag");
	snprintf(etag, etag_size, "%s", e ? e : r.etag);
	free(e);
	snprintf(version, version_size, "%s", r.version);
	ret = 0;
out:
	req_release(&r);
	cf_buf_release(&xml);
	free(q);
	return ret;
}

/* x-amz-copy-source of the temporary object (one version of it) */
static void
copy_source_headers(struct objstore_upload *u, struct req *r, const char *version,
		    const char *etag)
{
	char *src;

	if (*version) {
		char *e = curl_easy_escape(NULL, version, 0);

		src = xasprintf("/%s/%s?versionId=%s", u->s->bucket, u->key, e);
		curl_free(e);
	} else {
		src = xasprintf("/%s/%s", u->s->bucket, u->key);
	}
	/*
	 * No x-amz-copy-source-if-match on etag: Ceph RGW 16 then refuses the
	 * signature.  The key is random and only this upload wrote it, and
	 * the copy's ETag is checked against ours anyway.
	 */
	(void)etag;
	req_header(r, "x-amz-copy-source: %s", src);
	free(src);
}

/* CopyObject: the temporary object to key, locked; *got is the copy's ETag. */
static int
copy_whole(struct objstore_upload *u, const char *key, const char *version,
	   const char *etag, char *got, size_t got_size, char *newver, size_t newver_size,
	   struct cf_err *err)
{
	struct req r;
	char *e;
	int ret = -1;

	req_init(&r, "PUT", key_url(u->s, key, NULL));
	copy_source_headers(u, &r, version, etag);
	req_header(&r, "x-amz-metadata-directive: %s", "COPY");
	lock_headers(u->s, &r);
	if (perform(u->s, &r, NULL, "cannot copy an object into place", err) < 0)
		goto out;
	if (r.status != 200 || (r.resp.data && strstr(r.resp.data, "<Error>"))) {
		store_error(u->s, &r, "cannot copy an object into place", err);
		goto out;
	}
	e = objstore_xml_text(r.resp.data ? r.resp.data : "", r.resp.len, "ETag");
	snprintf(got, got_size, "%s", e ? e : "");
	snprintf(newver, newver_size, "%s", r.version);
	free(e);
	ret = 0;
out:
	req_release(&r);
	return ret;
}

/* Read the object back: does it hash to its name? */
static int
read_back(struct objstore *s, const unsigned char sha256[CF_SHA256_LEN], struct cf_err *err)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return cf_err_errno(err, CF_EIO, "cannot open /dev/null");
	ret = objstore_get_fd(s, sha256, fd, err);
	close(fd);
	return ret;
}

uint64_t
objstore_copy_max(void)
{
	return copy_max ? copy_max : COPY_MAX;
}

uint64_t
objstore_upload_sent(const struct objstore_upload *u)
{
	return u->sent;
}

int
objstore_upload_finish(struct objstore_upload *u, const unsigned char sha256[CF_SHA256_LEN],
		       int *created, struct cf_err *err)
{
	struct objstore *s = u->s;
	char (*etags)[80] = NULL, want[80], etag[128] = "", version[256] = "", got[128];
	char *key = object_key(s, sha256);
	int64_t have = -1;
	char placed_version[256] = "";
	int i, completed = 0, placed = 0, ret = -1;

	if (part_wait(u, err) < 0)
		goto out;
	if (u->nparts == 0) {
		cf_err_set(err, CF_EIO, "an upload without parts");
		goto out;
	}
	if (u->named ? memcmp(u->sha256, sha256, CF_SHA256_LEN) != 0
		     : u->sent > objstore_copy_max()) {
		cf_err_set(err, CF_EVERIFY, u->named ? "the content changed while it was stored"
						     : "too large to copy into place");
		goto out;
	}
	/* 1. stored already: nothing to do (a named upload asked before) */
	if (!u->named && objstore_stat(s, sha256, &have, err) < 0)
		goto out;
	if (!u->named && have >= 0 && (uint64_t)have == u->sent) {
		*created = 0;
		ret = 0;
		goto out;
	}
	/* 2. complete the temporary object */
	etags = xcalloc((size_t)u->nparts, sizeof(*etags));
	for (i = 0; i < u->nparts; i++)
		cf_hex_encode(u->md5[i], 16, etags[i]);
	multipart_etag(u->md5, u->nparts, want, sizeof(want));
	if (complete_multipart(s, u->key, u->upload, (const char (*)[80])etags, u->nparts, etag,
			       sizeof(etag), version, sizeof(version), err) < 0)
		goto out;
	completed = 1;
	if (*etag == '\0') {
		/* Ceph RGW 16 answers <ETag></ETag>: ask for it */
		int64_t sz = -1;

		if (head_key(s, u->key, &sz, etag, sizeof(etag), err) < 0)
			goto out;
	}
	if (!etag_is(etag, want)) {
		cf_err_set(err, CF_ENET, "cannot complete a multipart upload: %s answered ETag "
			   "'%s' for parts whose ETag is %s", s->endpoint, etag, want);
		goto out;
	}
	/* 3. copy it to its name, locked, and check what the store holds */
	if (u->named) {
		snprintf(got, sizeof(got), "%s", etag);
		snprintf(placed_version, sizeof(placed_version), "%s", version);
	} else if (copy_whole(u, key, version, want, got, sizeof(got), placed_version,
			      sizeof(placed_version), err) < 0) {
		goto out;
	}
	placed = 1;
	if (!etag_is(got, want) && read_back(s, sha256, err) < 0) {
		cf_err_prefix(err, "after copying an object into place");
		goto out;
	}
	if (objstore_stat(s, sha256, &have, err) < 0)
		goto out;
	if (have < 0 || (uint64_t)have != u->sent) {
		cf_err_set(err, CF_ENET, "after an upload %s holds %lld bytes, not %llu",
			   s->endpoint, (long long)have, (unsigned long long)u->sent);
		goto out;
	}
	if (lock_object(s, sha256, err) < 0)
		goto out;
	*created = 1;
	ret = 0;
out:
	/*
	 * An object under its name that failed its checks goes (unless locked:
	 * then audit names it), lest a re-run find it "stored" by its size.
	 */
	if (placed && ret < 0) {
		struct cf_err e = CF_ERR_INIT;

		delete_key(s, key, placed_version, NULL, &e);
		cf_err_release(&e);
	}
	/* 4. the temporary object or upload goes, whatever happened */
	if (u->named && completed) {
		/* it was the object itself */
	} else if (completed) {
		struct cf_err e = CF_ERR_INIT;

		delete_key(s, u->key, version, NULL, &e);
		cf_err_release(&e);
	} else {
		abort_multipart(s, u->key, u->upload);
	}
	free(u->upload);
	u->upload = NULL;
	free(etags);
	free(key);
	return ret;
}

void
objstore_upload_free(struct objstore_upload *u)
{
	struct cf_err e = CF_ERR_INIT;

	if (u == NULL)
		return;
	part_wait(u, &e);
	cf_err_release(&e);
	if (u->upload)
		abort_multipart(u->s, u->key, u->upload);
	free(u->upload);
	free(u->key);
	free(u->md5);
	free(u);
}

/* ---- listing and removing (audit) ------------------------------------- */

/* The kind of key rest (the key without "PREFIX/"), and its hash. */
static enum objstore_kind
key_kind(const char *rest, unsigned char sha256[CF_SHA256_LEN])
{
	char hex[CF_SHA256_HEXLEN + 1];

	if (strncmp(rest, "tmp/", 4) == 0 && rest[4] && !strchr(rest + 4, '/'))
		return OBJSTORE_TEMP;
	if (strlen(rest) != CF_SHA256_HEXLEN + 1 || rest[2] != '/')
		return OBJSTORE_FOREIGN;
	memcpy(hex, rest, 2);
	memcpy(hex + 2, rest + 3, CF_SHA256_HEXLEN - 2);
	hex[CF_SHA256_HEXLEN] = '\0';
	if (strspn(hex, "0123456789abcdef") != CF_SHA256_HEXLEN ||
	    cf_hex_decode(hex, CF_SHA256_HEXLEN, sha256, CF_SHA256_LEN) < 0)
		return OBJSTORE_FOREIGN;
	return OBJSTORE_OBJECT;
}

/*
 * The next <tag …>…</tag> element at or after p, before end: its content is
 * [*b, *e).  1 found, 0 none, -1 opened but never closed.
 */
static int
next_block(const char *p, const char *end, const char *tag, const char **b, const char **e)
{
	char close[40];
	size_t tl = strlen(tag), cl;
	const char *q;

	snprintf(close, sizeof(close), "</%s>", tag);
	cl = strlen(close);
	for (q = p; q + tl + 2 <= end; q++)
		if (q[0] == '<' && memcmp(q + 1, tag, tl) == 0 &&
		    (q[tl + 1] == '>' || q[tl + 1] == ' '))
			break;
	if (q + tl + 2 > end)
		return 0;
	while (q < end && *q != '>')
		q++;
	if (q == end)
		return -1;
	*b = q + 1;
	for (q = *b; q + cl <= end; q++)
		if (memcmp(q, close, cl) == 0) {
			*e = q;
			return 1;
		}
	return -1;
}

/* The two listings objstore_list() reads, and what their items hold. */
static const struct listing_shape {
	const char *root, *item, *id, *next_id;
	int upload;		/* items are uploads in progress (no size) */
} shapes[] = {
	{ "ListVersionsResult", "Version", "VersionId", "NextVersionIdMarker", 0 },
	{ "ListMultipartUploadsResult", "Upload", "UploadId", "NextUploadIdMarker", 1 },
};

int
objstore_listing_parse(const char *xml, size_t len, const char *prefix,
		       struct objstore_listing *l, struct cf_err *err)
{
	const char *end = xml + len, *p, *b = NULL, *e = NULL;
	const struct listing_shape *sh = NULL;
	size_t pl = strlen(prefix), k;
	char *t;
	int r;

	for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]) && sh == NULL; k++)
		if (next_block(xml, end, shapes[k].root, &b, &e) == 1)
			sh = &shapes[k];
	if (sh == NULL)
		return cf_err_set(err, CF_ENET, "the store's listing is not a ListVersionsResult "
				  "or ListMultipartUploadsResult");
	end = e;
	p = b;
	free(l->next_key);
	free(l->next_version);
	l->next_key = l->next_version = NULL;
	t = objstore_xml_text(b, (size_t)(end - b), "IsTruncated");
	l->truncated = t && strcmp(t, "true") == 0;
	if (t && !l->truncated && strcmp(t, "false") != 0) {
		free(t);
		return cf_err_set(err, CF_ENET, "the store's listing has a bad IsTruncated");
	}
	free(t);
	while ((r = next_block(p, end, sh->item, &b, &e)) == 1) {
		struct objstore_entry en;
		char *key = objstore_xml_text(b, (size_t)(e - b), "Key");
		char *id = objstore_xml_text(b, (size_t)(e - b), sh->id);
		char *size = sh->upload ? NULL : objstore_xml_text(b, (size_t)(e - b), "Size");
		char *se = NULL;
		unsigned long long sz = 0;
		int bad;

		memset(&en, 0, sizeof(en));
		errno = 0;
		if (size && size[0] >= '0' && size[0] <= '9')
			sz = strtoull(size, &se, 10);
		bad = !key || !*key ||
		      (sh->upload ? !id || !*id
				  : !size || size[0] < '0' || size[0] > '9' || errno || *se);
		free(size);
		if (bad) {
			free(key);
			free(id);
			return cf_err_set(err, CF_ENET, "the store's listing has %s without a key "
					  "or %s", sh->upload ? "an upload" : "a version",
					  sh->upload ? "an upload id" : "a size");
		}
		en.key = key;
		en.version = id && strcmp(id, "null") != 0 ? id : xstrdup("");
		if (id && en.version != id)
			free(id);
		en.size = sz;
		en.upload = sh->upload;
		if (pl && (strncmp(key, prefix, pl) != 0 || key[pl] != '/'))
			en.kind = OBJSTORE_FOREIGN;
		else
			en.kind = key_kind(key + (pl ? pl + 1 : 0), en.sha256);
		if (l->n == l->cap) {
			l->cap = l->cap ? 2 * l->cap : 64;
			l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
		}
		l->v[l->n++] = en;
		p = e;
	}
	if (r < 0)
		return cf_err_set(err, CF_ENET, "the store's listing has an unclosed <%s>",
				  sh->item);
	if (l->truncated) {
		l->next_key = objstore_xml_text(xml, len, "NextKeyMarker");
		l->next_version = objstore_xml_text(xml, len, sh->next_id);
		if (l->next_key == NULL || *l->next_key == '\0')
			return cf_err_set(err, CF_ENET, "the store's listing is truncated but says "
					  "no NextKeyMarker");
	}
	return 0;
}

void
objstore_listing_release(struct objstore_listing *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].version);
	}
	free(l->v);
	free(l->next_key);
	free(l->next_version);
	memset(l, 0, sizeof(*l));
}

/* "k=v" with v escaped, appended to a canonical (sorted) query */
static void
query_add(struct cf_buf *q, const char *k, const char *v)
{
	char *e = curl_easy_escape(NULL, v, 0);

	cf_buf_addf(q, "%s%s=%s", q->len ? "&" : "", k, e);
	curl_free(e);
}

/* Every page of one listing (uploads: in progress, else versions) into *l. */
static int
list_pages(struct objstore *s, const char *pfx, int uploads, struct objstore_listing *l,
	   struct cf_err *err)
{
	int pages = 0;

	l->truncated = 0;
	do {
		struct cf_buf q = CF_BUF_INIT;
		struct req r;
		int ok;

		if (l->next_key)
			query_add(&q, "key-marker", l->next_key);
		query_add(&q, "prefix", pfx);
		if (l->next_key && l->next_version && *l->next_version)
			query_add(&q, uploads ? "upload-id-marker" : "version-id-marker",
				  l->next_version);
		query_add(&q, uploads ? "uploads" : "versions", "");
		req_init(&r, "GET", key_url(s, NULL, q.data));
		cf_buf_release(&q);
		ok = perform(s, &r, NULL, "cannot list the store", err) == 0;
		if (ok && r.status != 200) {
			store_error(s, &r, "cannot list the store", err);
			ok = 0;
		}
		if (ok && objstore_listing_parse(r.resp.data ? r.resp.data : "", r.resp.len,
						 s->prefix, l, err) < 0)
			ok = 0;
		req_release(&r);
		if (!ok)
			return -1;
	} while (l->truncated && ++pages < 1000000);
	free(l->next_key);
	free(l->next_version);
	l->next_key = l->next_version = NULL;
	return 0;
}

int
objstore_list(struct objstore *s, struct objstore_listing *l, struct cf_err *err)
{
	char *pfx = *s->prefix ? xasprintf("%s/", s->prefix) : xstrdup("");
	int ret;

	memset(l, 0, sizeof(*l));
	ret = list_pages(s, pfx, 0, l, err) < 0 || list_pages(s, pfx, 1, l, err) < 0 ? -1 : 0;
	if (ret < 0)
		objstore_listing_release(l);
	free(pfx);
	return ret;
}

int
objstore_remove(struct objstore *s, const struct objstore_entry *en, char *until,
		size_t until_size, struct cf_err *err)
{
	struct cf_buf q = CF_BUF_INIT;
	struct req r;
	char *t = NULL, now[32];
	time_t tt = time(NULL);
	struct tm tm;
	long status = 0;
	int ret = -1;

	*until = '\0';
	if (en->upload) {
		char *e = curl_easy_escape(NULL, en->version, 0), *uq = xasprintf("uploadId=%s", e);

		curl_free(e);
		req_init(&r, "DELETE", key_url(s, en->key, uq));
		free(uq);
		if (perform(s, &r, NULL, "cannot abort an upload", err) == 0) {
			if (r.status == 200 || r.status == 204 || r.status == 404)
				ret = 0;
			else
				store_error(s, &r, "cannot abort an upload", err);
		}
		goto out;
	}
	query_add(&q, "retention", "");
	if (*en->version)
		query_add(&q, "versionId", en->version);
	req_init(&r, "GET", key_url(s, en->key, q.data));
	cf_buf_release(&q);
	if (perform(s, &r, NULL, "cannot read an object's retention", err) < 0)
		goto out;
	/* no lock (404, or a bucket without Object Lock: 400): removable */
	if (r.status == 200) {
		t = objstore_xml_text(r.resp.data ? r.resp.data : "", r.resp.len,
				      "RetainUntilDate");
		gmtime_r(&tt, &tm);
		strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%S", &tm);
		if (t && strncmp(t, now, 19) > 0) {
			snprintf(until, until_size, "%.19s", t);
			ret = 1;
			goto out;
		}
	}
	if (delete_key(s, en->key, en->version, &status, err) < 0) {
		if (status == 403) {	/* a lock we could not read, a legal hold */
			cf_err_release(err);
			ret = 1;
		}
		goto out;
	}
	ret = 0;
out:
	free(t);
	req_release(&r);
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

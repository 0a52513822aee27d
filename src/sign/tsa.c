/* SPDX-License-Identifier: MIT */
/*
 * tsa — RFC 3161 client, token verification and in-process TSA.
 *
 * The client builds a TimeStampReq (SHA-256 imprint, random nonce,
 * certReq), hands it to a transport (libcurl by default: it honours
 * http_proxy/https_proxy/no_proxy and does TLS itself), then checks the
 * reply in this order: parseable, status granted, token parseable, imprint
 * equals the request's, nonce equals the request's, TSA signature and
 * certificate valid.  Only then is the token handed back.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "casefile/buf.h"
#include "casefile/tsa.h"
#include "casefile/xalloc.h"

#define TSA_MAX_RESPONSE (1u << 20)

void
tsa_info_release(struct tsa_info *info)
{
	if (info == NULL)
		return;
	free(info->tsa_name);
	free(info->serial);
	free(info->policy);
	free(info->url);
	memset(info, 0, sizeof(*info));
}

size_t
tsa_urls_split(const char *list, char ***urls)
{
	const char *p = list, *comma;
	size_t n = 0;

	*urls = NULL;
	if (list == NULL || *list == '\0')
		return 0;
	for (;;) {
		comma = strchr(p, ',');
		if (comma ? comma > p : *p != '\0') {
			*urls = xreallocarray(*urls, n + 2, sizeof(**urls));
			(*urls)[n++] = comma ? xstrndup(p, (size_t)(comma - p)) : xstrdup(p);
			(*urls)[n] = NULL;
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return n;
}

void
tsa_urls_free(char **urls)
{
	size_t i;

	for (i = 0; urls && urls[i]; i++)
		free(urls[i]);
	free(urls);
}

/* --- HTTP transport --------------------------------------------------- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
	struct cf_buf *b;
	int overflow;
};

static size_t
curl_sink(char *p, size_t size, size_t nmemb, void *u)
{
	struct sink *s = u;
	size_t n = size * nmemb;

	if (s->b->len + n > TSA_MAX_RESPONSE) {
		s->overflow = 1;
		return 0;
	}
	cf_buf_add(s->b, p, n);
	return n;
}

int
tsa_http_request(const struct tsa_opts *o, const char *what, const char *url,
		 const char *ctype, const char *accept, const unsigned char *req, size_t n,
		 struct cf_buf *resp, struct cf_err *err)
{
	long timeout = o && o->timeout_ms > 0 ? o->timeout_ms : 15000, code = 0;
	struct curl_slist *h = NULL;
	struct sink s = { resp, 0 };
	char ebuf[CURL_ERROR_SIZE] = "", *hdr;
	CURL *c;
	CURLcode r;
	int ret = -1;

	if (url == NULL || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)))
		return cf_err_set(err, CF_EINPUT, "%s url '%s' is not http:// or https://",
				  what, url ? url : "");
	pthread_once(&curl_once, curl_init_once);
	if ((c = curl_easy_init()) == NULL)
		return cf_err_set(err, CF_ENET, "cannot initialise libcurl");
	if (ctype) {
		hdr = xasprintf("Content-Type: %s", ctype);
		h = curl_slist_append(h, hdr);
		free(hdr);
	}
	if (accept) {
		hdr = xasprintf("Accept: %s", accept);
		h = curl_slist_append(h, hdr);
		free(hdr);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (req) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)req);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)n);
	}
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_USERAGENT, "casefile");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	if (o && o->tls_ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->tls_ca_file);
	r = curl_easy_perform(c);
	if (r == CURLE_OPERATION_TIMEDOUT) {
		cf_err_set(err, CF_ENET, "%s '%s' did not answer within %.1f s", what, url,
			   (double)timeout / 1000.0);
		goto out;
	}
	if (r == CURLE_WRITE_ERROR && s.overflow) {
		cf_err_set(err, CF_ENET, "%s '%s' sent more than %u bytes", what, url, TSA_MAX_RESPONSE);
		goto out;
	}
	if (r != CURLE_OK) {
		cf_err_set(err, CF_ENET, "cannot reach %s '%s': %s", what, url,
			   ebuf[0] ? ebuf : curl_easy_strerror(r));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		cf_err_set(err, CF_ENET, "%s '%s' answered HTTP %ld", what, url, code);
		goto out;
	}
	ret = 0;
out:
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return ret;
}

int
tsa_http_transport(void *cookie, const unsigned char *req, size_t n,
		   struct cf_buf *resp, struct cf_err *err)
{
	const struct tsa_opts *o = cookie;

	if (o->url == NULL || (strncmp(o->url, "http://", 7) && strncmp(o->url, "https://", 8)))
		return cf_err_set(err, CF_EINPUT, "tsa url '%s' is not http:// or https://",
				  o->url ? o->url : "");
	return tsa_http_request(o, "tsa", o->url, "application/timestamp-query",
				"application/timestamp-reply", req, n, resp, err);
}

/* --- verification ------------------------------------------------------ */

static long long
asn1_time_utc(const ASN1_TIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!ASN1_TIME_to_tm(t, &tm))
		return 0;
	return (long long)timegm(&tm);
}

static void
fill_info(PKCS7 *p7, TS_TST_INFO *tst, int trusted, struct tsa_info *info)
{
	STACK_OF(X509) *signers;
	const ASN1_INTEGER *ser;
	BIGNUM *bn;
	char buf[128];

	if (info == NULL)
		return;
	tsa_info_release(info);
	info->time = asn1_time_utc(TS_TST_INFO_get_time(tst));
	info->trusted = trusted;
	ser = TS_TST_INFO_get_serial(tst);
	if (ser && (bn = ASN1_INTEGER_to_BN(ser, NULL)) != NULL) {
		char *h = BN_bn2hex(bn);

		info->serial = xstrdup(h ? h : "?");
		OPENSSL_free(h);
		BN_free(bn);
	}
	if (TS_TST_INFO_get_policy_id(tst)) {
		OBJ_obj2txt(buf, sizeof(buf), TS_TST_INFO_get_policy_id(tst), 1);
		info->policy = xstrdup(buf);
	}
	signers = PKCS7_get0_signers(p7, NULL, 0);
	if (signers && sk_X509_num(signers) > 0) {
		X509_NAME *nm = X509_get_subject_name(sk_X509_value(signers, 0));

		if (X509_NAME_get_text_by_NID(nm, NID_commonName, buf, sizeof(buf)) < 0)
			X509_NAME_oneline(nm, buf, sizeof(buf));
		info->tsa_name = xstrdup(buf);
	}
	sk_X509_free(signers);
	ERR_clear_error();
}

static int
verify_parsed(PKCS7 *p7, TS_TST_INFO *tst, const unsigned char digest[CF_SHA256_LEN],
	      const char *ca_file, time_t at, struct tsa_info *info, struct cf_err *err)
{
	TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(tst);
	X509_ALGOR *alg = TS_MSG_IMPRINT_get_algo(mi);
	ASN1_OCTET_STRING *md = TS_MSG_IMPRINT_get_msg(mi);
	STACK_OF(X509) *certs;
	TS_VERIFY_CTX *v = NULL;
	X509_STORE *store = NULL;
	int i, ret = -1;

	if (TS_TST_INFO_get_version(tst) != 1)
		return cf_err_set(err, CF_EVERIFY, "timestamp token has unsupported version %ld",
				  TS_TST_INFO_get_version(tst));
	if (OBJ_obj2nid(alg->algorithm) != NID_sha256)
		return cf_err_set(err, CF_EVERIFY, "timestamp imprint is not SHA-256");
	if (ASN1_STRING_length(md) != CF_SHA256_LEN ||
	    memcmp(ASN1_STRING_get0_data(md), digest, CF_SHA256_LEN) != 0)
		return cf_err_set(err, CF_EVERIFY,
				  "timestamp imprint does not match (the token is for other data)");
	if (!PKCS7_type_is_signed(p7) || p7->d.sign == NULL)
		return cf_err_set(err, CF_EINPUT, "timestamp token is not signed data");
	certs = p7->d.sign->cert;
	if ((v = TS_VERIFY_CTX_new()) == NULL || (store = X509_STORE_new()) == NULL)
		goto ssl;
	if (ca_file) {
		if (X509_STORE_load_file(store, ca_file) != 1) {
			cf_err_ssl(err, "cannot load tsa ca file '%s'", ca_file);
			goto out;
		}
	} else {
		/* No CA: anchor on the token's own certificates. */
		if (certs == NULL || sk_X509_num(certs) == 0) {
			cf_err_set(err, CF_EVERIFY, "timestamp token carries no certificate and no tsa ca was given");
			goto out;
		}
		for (i = 0; i < sk_X509_num(certs); i++)
			X509_STORE_add_cert(store, sk_X509_value(certs, i));
		X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
	}
	if (at)	/* the chain as it was at a proved time (an archive timestamp) */
		X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), at);
	TS_VERIFY_CTX_set_flags(v, TS_VFY_SIGNATURE | TS_VFY_VERSION);
	TS_VERIFY_CTX_set_store(v, store);
	store = NULL;
	if (certs)
		TS_VERIFY_CTX_set_certs(v, X509_chain_up_ref(certs));
	if (TS_RESP_verify_token(v, p7) != 1) {
		unsigned long e = ERR_peek_last_error();
		char reason[256] = "";

		if (e)
			ERR_error_string_n(e, reason, sizeof(reason));
		ERR_clear_error();
		cf_err_set(err, CF_EVERIFY, "timestamp signature or tsa certificate is invalid%s%s",
			   reason[0] ? ": " : "", reason);
		goto out;
	}
	fill_info(p7, tst, ca_file != NULL, info);
	ret = 0;
	goto out;
ssl:
	cf_err_ssl(err, "cannot verify timestamp token");
out:
	X509_STORE_free(store);
	TS_VERIFY_CTX_free(v);
	return ret;
}

int
tsa_token_verify_digest_at(const unsigned char *token, size_t len,
			   const unsigned char digest[CF_SHA256_LEN], const char *ca_file,
			   time_t at, struct tsa_info *info, struct cf_err *err)
{
	const unsigned char *p = token;
	PKCS7 *p7 = d2i_PKCS7(NULL, &p, (long)len);
	TS_TST_INFO *tst = NULL;
	int r;

	if (p7 == NULL || (tst = PKCS7_to_TS_TST_INFO(p7)) == NULL) {
		ERR_clear_error();
		PKCS7_free(p7);
		return cf_err_set(err, CF_EINPUT, "timestamp token is not an RFC 3161 token");
	}
	r = verify_parsed(p7, tst, digest, ca_file, at, info, err);
	TS_TST_INFO_free(tst);
	PKCS7_free(p7);
	return r;
}

int
tsa_token_verify_digest(const unsigned char *token, size_t len,
			const unsigned char digest[CF_SHA256_LEN], const char *ca_file,
			struct tsa_info *info, struct cf_err *err)
{
	return tsa_token_verify_digest_at(token, len, digest, ca_file, 0, info, err);
}

int
tsa_token_verify(const unsigned char *token, size_t len, const void *data, size_t n,
		 const char *ca_file, struct tsa_info *info, struct cf_err *err)
{
	unsigned char d[CF_SHA256_LEN];

	cf_sha256(data, n, d);
	return tsa_token_verify_digest(token, len, d, ca_file, info, err);
}

/* --- client ------------------------------------------------------------ */

static TS_REQ *
make_request(const unsigned char digest[CF_SHA256_LEN], ASN1_INTEGER **nonce_out)
{
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_INTEGER *nonce = NULL;
	BIGNUM *bn = BN_new();
	unsigned char rnd[8];
	int ok = 0;

	if (!req || !mi || !alg || !bn || RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto out;
	rnd[0] &= 0x7f;
	rnd[0] |= 0x40;
	if (!X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) ||
	    !TS_MSG_IMPRINT_set_algo(mi, alg) ||
	    !TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)digest, CF_SHA256_LEN) ||
	    !TS_REQ_set_version(req, 1) || !TS_REQ_set_msg_imprint(req, mi) ||
	    !BN_bin2bn(rnd, sizeof(rnd), bn) || (nonce = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    !TS_REQ_set_nonce(req, nonce) || !TS_REQ_set_cert_req(req, 1))
		goto out;
	ok = 1;
out:
	TS_MSG_IMPRINT_free(mi);
	X509_ALGOR_free(alg);
	BN_free(bn);
	if (!ok) {
		ASN1_INTEGER_free(nonce);
		TS_REQ_free(req);
		return NULL;
	}
	*nonce_out = nonce;
	return req;
}

static const char *
status_word(long s)
{
	static const char *const w[] = { "granted", "grantedWithMods", "rejection",
					 "waiting", "revocationWarning", "revocationNotification" };

	return s >= 0 && s < 6 ? w[s] : "unknown";
}

static int
timestamp_one(const struct tsa_opts *o, const unsigned char digest[CF_SHA256_LEN],
	      unsigned char **token, size_t *token_len, struct tsa_info *info,
	      struct cf_err *err)
{
	unsigned char *der = NULL, *tok = NULL;
	const unsigned char *p;
	struct cf_buf resp = CF_BUF_INIT;
	ASN1_INTEGER *nonce = NULL;
	TS_REQ *req = NULL;
	TS_RESP *rsp = NULL;
	TS_TST_INFO *tst;
	PKCS7 *p7;
	const char *who = o->url ? o->url : "(in-process)";
	long status;
	int len, ret = -1, k, fd;

	/* OpenSSL and libcurl open these by name: a FIFO there would block them */
	for (k = 0; k < 2; k++) {
		const char *f = k ? o->tls_ca_file : o->ca_file;

		if (f && (fd = cf_open_regular(f, 0, k ? "tsa tls ca file" : "tsa ca file",
					       CF_EINPUT, err)) < 0)
			return -1;
		if (f)
			close(fd);
	}
	if ((req = make_request(digest, &nonce)) == NULL ||
	    (len = i2d_TS_REQ(req, &der)) <= 0) {
		cf_err_ssl(err, "cannot build the timestamp request");
		goto out;
	}
	if ((o->transport ? o->transport(o->cookie, der, (size_t)len, &resp, err)
			  : tsa_http_transport((void *)o, der, (size_t)len, &resp, err)) < 0)
		goto out;
	p = (const unsigned char *)resp.data;
	if ((rsp = d2i_TS_RESP(NULL, &p, (long)resp.len)) == NULL) {
		ERR_clear_error();
		cf_err_set(err, CF_ENET, "tsa '%s' sent a reply that is not an RFC 3161 response (%zu bytes)",
			   who, resp.len);
		goto out;
	}
	status = ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(rsp)));
	if (status != 0 && status != 1) {
		cf_err_set(err, CF_ENET, "tsa '%s' refused the request: status %ld (%s)", who,
			   status, status_word(status));
		goto out;
	}
	p7 = TS_RESP_get_token(rsp);
	tst = TS_RESP_get_tst_info(rsp);
	if (p7 == NULL || tst == NULL) {
		cf_err_set(err, CF_ENET, "tsa '%s' granted the request but sent no token", who);
		goto out;
	}
	if (TS_TST_INFO_get_nonce(tst) == NULL ||
	    ASN1_INTEGER_cmp(TS_TST_INFO_get_nonce(tst), nonce) != 0) {
		cf_err_set(err, CF_ENET, "tsa '%s' answered with the wrong nonce (a replayed or foreign reply)", who);
		goto out;
	}
	if (verify_parsed(p7, tst, digest, o->ca_file, 0, info, err) < 0) {
		err->code = CF_ENET;
		cf_err_prefix(err, "tsa '%s' sent a bad token", who);
		goto out;
	}
	if ((len = i2d_PKCS7(p7, &tok)) <= 0) {
		cf_err_ssl(err, "cannot encode the timestamp token");
		goto out;
	}
	*token = xmemdup(tok, (size_t)len);
	*token_len = (size_t)len;
	ret = 0;
out:
	OPENSSL_free(tok);
	OPENSSL_free(der);
	cf_buf_release(&resp);
	ASN1_INTEGER_free(nonce);
	TS_REQ_free(req);
	TS_RESP_free(rsp);
	return ret;
}

/*
 * A list "URL1,URL2,...": try each in order, the first that answers with a
 * good token wins; the error of each one that failed is kept for the
 * message when none did.
 */
int
tsa_timestamp(const struct tsa_opts *o, const void *data, size_t n,
	      unsigned char **token, size_t *token_len, struct tsa_info *info,
	      struct cf_err *err)
{
	unsigned char digest[CF_SHA256_LEN];

	cf_sha256(data, n, digest);
	return tsa_timestamp_digest(o, digest, token, token_len, info, err);
}

int
tsa_timestamp_digest(const struct tsa_opts *o, const unsigned char digest[CF_SHA256_LEN],
		     unsigned char **token, size_t *token_len, struct tsa_info *info,
		     struct cf_err *err)
{
	struct cf_err e = CF_ERR_INIT;
	struct cf_buf why = CF_BUF_INIT;
	struct tsa_opts one;
	enum cf_status code = CF_ENET;
	char **urls = NULL;
	size_t nurls, i;
	int ret = -1;

	if (o->url == NULL || strchr(o->url, ',') == NULL) {
		ret = timestamp_one(o, digest, token, token_len, info, err);
		if (ret == 0 && info && o->url)
			info->url = xstrdup(o->url);
		return ret;
	}
	nurls = tsa_urls_split(o->url, &urls);
	for (i = 0; i < nurls && ret < 0; i++) {
		one = *o;
		one.url = urls[i];
		if (o->transport == tsa_http_transport && o->cookie == o)
			one.cookie = &one;	/* the HTTP transport reads its own opts */
		if (timestamp_one(&one, digest, token, token_len, info, &e) == 0) {
			if (info)
				info->url = xstrdup(urls[i]);
			ret = 0;
			break;
		}
		if (e.code != CF_ENET)
			code = e.code;	/* a local problem (a CA file) is not the TSA's */
		cf_buf_addf(&why, "%s%s", why.len ? "; " : "", e.msg ? e.msg : "failed");
		cf_err_release(&e);
	}
	if (ret < 0)
		cf_err_set(err, code, "none of the %zu TSAs answered: %s", nurls,
			   why.len ? why.data : "empty list");
	cf_buf_release(&why);
	tsa_urls_free(urls);
	return ret;
}

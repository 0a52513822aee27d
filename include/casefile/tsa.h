/* SPDX-License-Identifier: MIT */
/*
 * tsa — RFC 3161 time-stamping: a client (over HTTP/HTTPS with libcurl, or
 * any caller-supplied transport), token verification, and a small
 * in-process time-stamp authority built on OpenSSL's TS_RESP_CTX for tests
 * and the test server (tests/tools/tsa_server.c).
 *
 * The API is generic: timestamp arbitrary bytes and get a DER token (a CMS
 * SignedData holding a TSTInfo); verify a token against bytes or their
 * SHA-256.  Requests always use SHA-256, a random 64-bit nonce and
 * certReq=true, so the token carries the TSA certificate.
 *
 * Trust: a token is checked against a CA file when one is given; otherwise
 * against the certificates inside the token itself, which proves integrity
 * but not who the TSA is.  struct tsa_info says which was done.
 */
#ifndef CASEFILE_TSA_H
#define CASEFILE_TSA_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "casefile/buf.h"
#include "casefile/err.h"
#include "casefile/hash.h"

/*
 * Send the DER request req[0..n) and append the DER response to resp.
 * Returns 0, or -1 with CF_ENET naming the failure.
 */
typedef int (*tsa_transport_fn)(void *cookie, const unsigned char *req, size_t n,
				struct cf_buf *resp, struct cf_err *err);

struct tsa_opts {
	const char *url;		/* http:// or https:// (used by the HTTP transport) */
	long timeout_ms;		/* whole exchange; 0 means 15000 */
	const char *ca_file;		/* PEM CA(s) trusted for the TSA, or NULL */
	const char *tls_ca_file;	/* PEM CA(s) for an https:// TSA's server
					   certificate; NULL: the system store */
	tsa_transport_fn transport;	/* NULL: HTTP POST to url with libcurl */
	void *cookie;			/* for transport */
};

struct tsa_info {
	long long time;		/* genTime, UTC seconds */
	char *tsa_name;		/* TSA certificate subject CN (heap) */
	char *serial;		/* token serial number, hex (heap) */
	char *policy;		/* policy OID (heap) */
	int trusted;		/* 1: chain checked against ca_file */
	char *url;		/* the TSA that answered (heap), or NULL */
};

void tsa_info_release(struct tsa_info *info);

/*
 * Split a TSA list "URL1,URL2,..." (the tsa.url setting) into a
 * NULL-terminated array (tsa_urls_free); empty items are skipped.
 * Returns the number of URLs.
 */
size_t tsa_urls_split(const char *list, char ***urls);
void tsa_urls_free(char **urls);

/*
 * Timestamp data[0..n): build a request over its SHA-256, send it, check the
 * response (status granted, version, imprint, nonce, TSA signature and
 * chain) and return the DER token in *token (malloc'd; caller frees).
 * info (may be NULL) is filled on success; release it with
 * tsa_info_release.  Fails with CF_ENET for transport problems and for any
 * response that is refused, garbage or does not match the request.
 * o->url may be a list "URL1,URL2,...": they are tried in order and the
 * first good token is returned (info->url names the TSA that gave it);
 * when all fail, the message names each failure.
 */
int tsa_timestamp(const struct tsa_opts *o, const void *data, size_t n,
		  unsigned char **token, size_t *token_len, struct tsa_info *info,
		  struct cf_err *err);

/* The same for an already computed SHA-256 (a PDF document timestamp). */
int tsa_timestamp_digest(const struct tsa_opts *o, const unsigned char digest[CF_SHA256_LEN],
			 unsigned char **token, size_t *token_len, struct tsa_info *info,
			 struct cf_err *err);

/*
 * Verify a DER token against data[0..n) (or an already computed SHA-256):
 * the imprint must be SHA-256 of the data, the TSA signature valid, and the
 * signer certificate fit for time-stamping and chained to ca_file (or to the
 * token's own certificates when ca_file is NULL).  CF_EVERIFY on mismatch,
 * CF_EINPUT when the token cannot be parsed.
 */
int tsa_token_verify(const unsigned char *token, size_t len, const void *data,
		     size_t n, const char *ca_file, struct tsa_info *info,
		     struct cf_err *err);
int tsa_token_verify_digest(const unsigned char *token, size_t len,
			    const unsigned char digest[CF_SHA256_LEN],
			    const char *ca_file, struct tsa_info *info,
			    struct cf_err *err);

/*
 * tsa_token_verify_digest with the TSA chain checked as it was at `at`
 * (UTC seconds; 0: now): for a token whose TSA certificate has since
 * expired but whose existence before then a later archive timestamp
 * proves.
 */
int tsa_token_verify_digest_at(const unsigned char *token, size_t len,
			       const unsigned char digest[CF_SHA256_LEN],
			       const char *ca_file, time_t at, struct tsa_info *info,
			       struct cf_err *err);

/*
 * One HTTP exchange with libcurl under the TSA client's rules: o's timeout
 * (0: 15 s) for connecting and for the whole exchange, o's tls_ca_file,
 * http_proxy/https_proxy/no_proxy from the environment, at most 1 MB of
 * reply.  POST req[0..n) with Content-Type ctype when req is not NULL,
 * else GET.  what names the peer in messages ("tsa", "ocsp responder").
 * Appends the body of a 200 reply to resp; otherwise -1 with CF_ENET
 * (CF_EINPUT for a url that is not http(s)).  o may be NULL.
 */
int tsa_http_request(const struct tsa_opts *o, const char *what, const char *url,
		     const char *ctype, const char *accept, const unsigned char *req,
		     size_t n, struct cf_buf *resp, struct cf_err *err);

/* The HTTP transport (libcurl); cookie is the struct tsa_opts. */
int tsa_http_transport(void *cookie, const unsigned char *req, size_t n,
		       struct cf_buf *resp, struct cf_err *err);

#endif

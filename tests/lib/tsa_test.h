/* SPDX-License-Identifier: MIT */
/*
 * tsa_test — a small in-process RFC 3161 time-stamp authority built on
 * OpenSSL's TS_RESP_CTX, for the unit tests, the test server
 * (tests/tools/tsa_server.c) and the benchmarks.  It lives under tests/
 * and is never linked into casefile: a real dossier is stamped by a real
 * TSA (README, "Choosing a TSA").
 *
 * Every token carries the test policy OID TSA_TEST_POLICY, under IANA's
 * documentation enterprise number 32473 (RFC 5612), so a token from this
 * TSA can never pass for one from a real TSA's policy.
 */
#ifndef CASEFILE_TSA_TEST_H
#define CASEFILE_TSA_TEST_H

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "casefile/buf.h"
#include "casefile/err.h"

#define TSA_TEST_POLICY "1.3.6.1.4.1.32473.1.3161"

struct tsa_server;

enum tsa_server_mode {
	TSA_SERVER_OK,		/* grant every valid request */
	TSA_SERVER_REJECT,	/* answer status rejection */
	TSA_SERVER_GARBAGE,	/* answer bytes that are not a TimeStampResp */
	TSA_SERVER_BADNONCE,	/* grant, but with a different nonce */
};

/*
 * A TSA signing with key/cert (cert must carry the critical
 * extendedKeyUsage timeStamping); chain (may be NULL) is included in
 * tokens.  The server takes its own references.  Free with tsa_server_free.
 */
int tsa_server_new(EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain,
		   struct tsa_server **out, struct cf_err *err);
void tsa_server_free(struct tsa_server *s);
void tsa_server_set_mode(struct tsa_server *s, enum tsa_server_mode mode);
/* Answer one DER request; *resp is malloc'd. */
int tsa_server_respond(struct tsa_server *s, const unsigned char *req, size_t n,
		       unsigned char **resp, size_t *resp_len, struct cf_err *err);
/* A tsa_transport_fn whose cookie is a struct tsa_server. */
int tsa_server_transport(void *cookie, const unsigned char *req, size_t n,
			 struct cf_buf *resp, struct cf_err *err);

#endif

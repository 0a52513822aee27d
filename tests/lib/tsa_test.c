/* SPDX-License-Identifier: MIT */
/*
 * tsa_test — the in-process test TSA (see tsa_test.h), moved out of
 * src/sign/tsa.c so that casefile itself holds no TSA.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ts.h>

#include "casefile/xalloc.h"
#include "tsa_test.h"

struct tsa_server {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain;
	enum tsa_server_mode mode;
	unsigned long serial;
};

int
tsa_server_new(EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain,
	       struct tsa_server **out, struct cf_err *err)
{
	struct tsa_server *s = xcalloc(1, sizeof(*s));

	if (X509_check_private_key(cert, key) != 1) {
		free(s);
		return cf_err_ssl(err, "tsa certificate does not match its key");
	}
	EVP_PKEY_up_ref(key);
	X509_up_ref(cert);
	s->key = key;
	s->cert = cert;
	s->chain = chain ? X509_chain_up_ref(chain) : NULL;
	s->mode = TSA_SERVER_OK;
	*out = s;
	return 0;
}

void
tsa_server_free(struct tsa_server *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	sk_X509_pop_free(s->chain, X509_free);
	free(s);
}

void
tsa_server_set_mode(struct tsa_server *s, enum tsa_server_mode mode)
{
	s->mode = mode;
}

static ASN1_INTEGER *
serial_cb(TS_RESP_CTX *ctx, void *data)
{
	struct tsa_server *s = data;
	ASN1_INTEGER *a = ASN1_INTEGER_new();

	(void)ctx;
	if (a)
		ASN1_INTEGER_set_uint64(a, ++s->serial + ((uint64_t)time(NULL) << 16));
	return a;
}

int
tsa_server_respond(struct tsa_server *s, const unsigned char *req, size_t n,
		   unsigned char **resp, size_t *resp_len, struct cf_err *err)
{
	TS_RESP_CTX *ctx = NULL;
	TS_RESP *r = NULL;
	ASN1_OBJECT *policy = NULL;
	BIO *in = NULL;
	unsigned char *der = NULL;
	int len, ret = -1;

	if (s->mode == TSA_SERVER_GARBAGE) {
		static const char junk[] = "<html>502 bad gateway: this is not a timestamp</html>\n";

		*resp = xmemdup(junk, sizeof(junk) - 1);
		*resp_len = sizeof(junk) - 1;
		return 0;
	}
	if (s->mode == TSA_SERVER_REJECT) {
		TS_STATUS_INFO *si = TS_STATUS_INFO_new();

		r = TS_RESP_new();
		if (!si || !r || !TS_STATUS_INFO_set_status(si, TS_STATUS_REJECTION) ||
		    !TS_RESP_set_status_info(r, si)) {
			TS_STATUS_INFO_free(si);
			goto ssl;
		}
		TS_STATUS_INFO_free(si);
		goto encode;
	}
	if (s->mode == TSA_SERVER_BADNONCE) {
		const unsigned char *p = req;
		TS_REQ *q = d2i_TS_REQ(NULL, &p, (long)n);
		ASN1_INTEGER *nn = ASN1_INTEGER_new();
		unsigned char *d2 = NULL;
		int l2;

		if (!q || !nn || !ASN1_INTEGER_set(nn, 12345) || !TS_REQ_set_nonce(q, nn) ||
		    (l2 = i2d_TS_REQ(q, &d2)) <= 0) {
			TS_REQ_free(q);
			ASN1_INTEGER_free(nn);
			goto ssl;
		}
		in = BIO_new(BIO_s_mem());
		BIO_write(in, d2, l2);
		OPENSSL_free(d2);
		TS_REQ_free(q);
		ASN1_INTEGER_free(nn);
	} else {
		in = BIO_new_mem_buf(req, (int)n);
	}
	if ((ctx = TS_RESP_CTX_new()) == NULL || in == NULL ||
	    (policy = OBJ_txt2obj(TSA_TEST_POLICY, 1)) == NULL ||
	    !TS_RESP_CTX_set_signer_cert(ctx, s->cert) ||
	    !TS_RESP_CTX_set_signer_key(ctx, s->key) ||
	    (s->chain && !TS_RESP_CTX_set_certs(ctx, s->chain)) ||
	    !TS_RESP_CTX_set_def_policy(ctx, policy) ||
	    !TS_RESP_CTX_add_md(ctx, EVP_sha256()) ||
	    !TS_RESP_CTX_set_signer_digest(ctx, EVP_sha256()) ||
	    !TS_RESP_CTX_set_ess_cert_id_digest(ctx, EVP_sha256()) ||
	    !TS_RESP_CTX_set_accuracy(ctx, 1, 0, 0))
		goto ssl;
	TS_RESP_CTX_set_serial_cb(ctx, serial_cb, s);
	if ((r = TS_RESP_create_response(ctx, in)) == NULL)
		goto ssl;
encode:
	if ((len = i2d_TS_RESP(r, &der)) <= 0)
		goto ssl;
	*resp = xmemdup(der, (size_t)len);
	*resp_len = (size_t)len;
	ret = 0;
	goto out;
ssl:
	cf_err_ssl(err, "test tsa failed");
out:
	OPENSSL_free(der);
	ASN1_OBJECT_free(policy);
	BIO_free(in);
	TS_RESP_free(r);
	TS_RESP_CTX_free(ctx);
	return ret;
}

int
tsa_server_transport(void *cookie, const unsigned char *req, size_t n,
		     struct cf_buf *resp, struct cf_err *err)
{
	unsigned char *r;
	size_t len;

	if (tsa_server_respond(cookie, req, n, &r, &len, err) < 0) {
		/* to the client this is a TSA that failed, like an HTTP 500 */
		if (err)
			err->code = CF_ENET;
		return -1;
	}
	cf_buf_add(resp, r, len);
	free(r);
	return 0;
}

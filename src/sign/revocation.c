/* SPDX-License-Identifier: MIT */
/*
 * revocation — OCSP and CRL fetching and checking (revocation.h), on
 * OpenSSL 3's OCSP_* and X509_CRL_* functions and the TSA client's HTTP.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "casefile/buf.h"
#include "casefile/revocation.h"
#include "casefile/xalloc.h"

static long long
gt_utc(const ASN1_GENERALIZEDTIME *t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return (long long)timegm(&tm);
}

static int
check_ocsp(const unsigned char *der, size_t len, X509 *cert, X509 *issuer,
	   STACK_OF(X509) *extra, struct revo_status *st, struct cf_err *err)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *rsp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
	OCSP_BASICRESP *bs = NULL;
	OCSP_CERTID *id = NULL;
	X509_STORE *store = NULL;
	STACK_OF(X509) *untrusted = NULL;
	ASN1_GENERALIZEDTIME *rev = NULL, *thisu = NULL, *nextu = NULL;
	int status, reason, i, ret = -1;

	if (rsp == NULL) {
		cf_err_set(err, CF_EINPUT, "not an OCSP response (%zu bytes)", len);
		goto out;
	}
	if (OCSP_response_status(rsp) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		cf_err_set(err, CF_EVERIFY, "the OCSP responder answered '%s'",
			   OCSP_response_status_str(OCSP_response_status(rsp)));
		goto out;
	}
	if ((bs = OCSP_response_get1_basic(rsp)) == NULL) {
		cf_err_set(err, CF_EINPUT, "the OCSP response holds no basic response");
		goto out;
	}
	if ((id = OCSP_cert_to_id(EVP_sha1(), cert, issuer)) == NULL) {
		cf_err_ssl(err, "cannot compute the OCSP certificate id");
		goto out;
	}
	if (!OCSP_resp_find_status(bs, id, &status, &reason, &rev, &thisu, &nextu)) {
		cf_err_set(err, CF_ENOTFOUND, "the OCSP response is about other certificates");
		goto out;
	}
	/* the responder: the issuer itself, or delegated by it; the chain as it
	 * was when the response was produced */
	store = X509_STORE_new();
	untrusted = sk_X509_new_null();
	if (store == NULL || untrusted == NULL || !X509_STORE_add_cert(store, issuer))
		goto ssl;
	X509_STORE_set_flags(store, X509_V_FLAG_PARTIAL_CHAIN);
	X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store),
				   (time_t)gt_utc(OCSP_resp_get0_produced_at(bs)));
	sk_X509_push(untrusted, issuer);
	for (i = 0; extra && i < sk_X509_num(extra); i++)
		sk_X509_push(untrusted, sk_X509_value(extra, i));
	if (OCSP_basic_verify(bs, untrusted, store, 0) <= 0) {
		char why[256] = "";
		unsigned long e = ERR_peek_last_error();

		if (e)
			ERR_error_string_n(e, why, sizeof(why));
		cf_err_set(err, CF_EVERIFY, "the OCSP response is not signed by the issuer or "
			   "its delegated responder%s%s", why[0] ? ": " : "", why);
		goto out;
	}
	memset(st, 0, sizeof(*st));
	st->kind = REVO_OCSP;
	st->state = status == V_OCSP_CERTSTATUS_GOOD ? REVO_GOOD :
		    status == V_OCSP_CERTSTATUS_REVOKED ? REVO_REVOKED : REVO_UNKNOWN;
	st->revoked_at = gt_utc(rev);
	st->produced = gt_utc(OCSP_resp_get0_produced_at(bs));
	if (st->produced == 0)
		st->produced = gt_utc(thisu);
	st->next_update = gt_utc(nextu);
	ret = 0;
	goto out;
ssl:
	cf_err_ssl(err, "cannot check the OCSP response");
out:
	ERR_clear_error();
	sk_X509_free(untrusted);
	X509_STORE_free(store);
	OCSP_CERTID_free(id);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(rsp);
	return ret;
}

static int
check_crl(const unsigned char *der, size_t len, X509 *cert, X509 *issuer,
	  struct revo_status *st, struct cf_err *err)
{
	const unsigned char *p = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)len);
	X509_REVOKED *rv = NULL;
	int ret = -1;

	if (crl == NULL) {
		cf_err_set(err, CF_EINPUT, "not a DER CRL (%zu bytes)", len);
		goto out;
	}
	if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(cert)) != 0) {
		cf_err_set(err, CF_ENOTFOUND, "the CRL is from another issuer");
		goto out;
	}
	if (X509_CRL_verify(crl, X509_get0_pubkey(issuer)) != 1) {
		cf_err_set(err, CF_EVERIFY, "the CRL is not signed by the certificate's issuer");
		goto out;
	}
	memset(st, 0, sizeof(*st));
	st->kind = REVO_CRL;
	st->produced = gt_utc(X509_CRL_get0_lastUpdate(crl));
	st->next_update = gt_utc(X509_CRL_get0_nextUpdate(crl));
	if (X509_CRL_get0_by_cert(crl, &rv, cert) == 1 && rv) {
		st->state = REVO_REVOKED;
		st->revoked_at = gt_utc(X509_REVOKED_get0_revocationDate(rv));
	} else
		st->state = REVO_GOOD;
	ret = 0;
out:
	ERR_clear_error();
	X509_CRL_free(crl);
	return ret;
}

int
revo_check(enum revo_kind kind, const unsigned char *der, size_t len, X509 *cert,
	   X509 *issuer, STACK_OF(X509) *extra, struct revo_status *st, struct cf_err *err)
{
	if (kind == REVO_OCSP)
		return check_ocsp(der, len, cert, issuer, extra, st, err);
	return check_crl(der, len, cert, issuer, st, err);
}

/* http(s) CRL distribution point URIs of cert (a new stack of heap strings). */
static STACK_OF(OPENSSL_STRING) *
crl_urls(X509 *cert)
{
	STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);
	STACK_OF(OPENSSL_STRING) *out = sk_OPENSSL_STRING_new_null();
	int i, j;

	for (i = 0; dps && i < sk_DIST_POINT_num(dps); i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);

		if (dp->distpoint == NULL || dp->distpoint->type != 0)
			continue;
		for (j = 0; j < sk_GENERAL_NAME_num(dp->distpoint->name.fullname); j++) {
			GENERAL_NAME *gn = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, j);
			const char *u;

			if (gn->type != GEN_URI)
				continue;
			u = (const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier);
			sk_OPENSSL_STRING_push(out, OPENSSL_strndup(u,
				(size_t)ASN1_STRING_length(gn->d.uniformResourceIdentifier)));
		}
	}
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	ERR_clear_error();
	return out;
}

static void
str_free(char *s)
{
	OPENSSL_free(s);
}

/* One OCSP request to url; the checked response's DER in *out. */
static int
ocsp_one(const char *url, X509 *cert, X509 *issuer, const struct tsa_opts *net,
	 struct cf_buf *out, struct cf_err *err)
{
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	OCSP_CERTID *id = OCSP_cert_to_id(EVP_sha1(), cert, issuer);
	unsigned char *der = NULL;
	struct revo_status st;
	int n, ret = -1;

	if (req == NULL || id == NULL || OCSP_request_add0_id(req, id) == NULL) {
		OCSP_CERTID_free(id);
		cf_err_ssl(err, "cannot build the OCSP request");
		goto out;
	}
	if ((n = i2d_OCSP_REQUEST(req, &der)) <= 0) {
		cf_err_ssl(err, "cannot encode the OCSP request");
		goto out;
	}
	if (tsa_http_request(net, "ocsp responder", url, "application/ocsp-request",
			     "application/ocsp-response", der, (size_t)n, out, err) < 0)
		goto out;
	if (check_ocsp((const unsigned char *)out->data, out->len, cert, issuer, NULL,
		       &st, err) < 0) {
		cf_err_prefix(err, "ocsp responder '%s'", url);
		err->code = CF_ENET;
		goto out;
	}
	ret = 0;
out:
	OPENSSL_free(der);
	OCSP_REQUEST_free(req);
	return ret;
}

static int
crl_one(const char *url, X509 *cert, X509 *issuer, const struct tsa_opts *net,
	struct cf_buf *out, struct cf_err *err)
{
	struct revo_status st;

	if (tsa_http_request(net, "crl distribution point", url, NULL, NULL, NULL, 0, out,
			     err) < 0)
		return -1;
	if (check_crl((const unsigned char *)out->data, out->len, cert, issuer, &st, err) < 0) {
		cf_err_prefix(err, "crl distribution point '%s'", url);
		err->code = CF_ENET;
		return -1;
	}
	return 0;
}

int
revo_fetch(X509 *cert, X509 *issuer, const struct tsa_opts *net, enum revo_kind *kind,
	   unsigned char **der, size_t *len, struct cf_err *err)
{
	STACK_OF(OPENSSL_STRING) *urls[2];
	struct cf_buf why = CF_BUF_INIT, body = CF_BUF_INIT;
	struct cf_err e = CF_ERR_INIT;
	size_t tried = 0;
	int k, i, ret = -1;

	urls[0] = X509_get1_ocsp(cert);
	urls[1] = crl_urls(cert);
	for (k = 0; k < 2 && ret < 0; k++)
		for (i = 0; urls[k] && i < sk_OPENSSL_STRING_num(urls[k]) && ret < 0; i++) {
			const char *u = sk_OPENSSL_STRING_value(urls[k], i);

			if (strncmp(u, "http://", 7) && strncmp(u, "https://", 8))
				continue;
			tried++;
			body.len = 0;
			if ((k == 0 ? ocsp_one(u, cert, issuer, net, &body, &e)
				    : crl_one(u, cert, issuer, net, &body, &e)) == 0) {
				*kind = k == 0 ? REVO_OCSP : REVO_CRL;
				*der = xmemdup(body.data, body.len);
				*len = body.len;
				ret = 0;
				break;
			}
			cf_buf_addf(&why, "%s%s", why.len ? "; " : "", e.msg ? e.msg : "failed");
			cf_err_release(&e);
		}
	if (ret < 0 && tried == 0)
		cf_err_set(err, CF_ENOTFOUND, "the certificate names no http OCSP responder "
			   "and no CRL distribution point");
	else if (ret < 0)
		cf_err_set(err, CF_ENET, "%s", why.data);
	X509_email_free(urls[0]);
	sk_OPENSSL_STRING_pop_free(urls[1], str_free);
	cf_buf_release(&why);
	cf_buf_release(&body);
	return ret;
}

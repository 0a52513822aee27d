/* SPDX-License-Identifier: MIT */
/*
 * testpki — fresh keys and certificates for unit tests, made in memory
 * (never committed): a CA, and certificates it issues with given
 * extensions.  Include after testutil.h.
 */
#ifndef CASEFILE_TESTPKI_H
#define CASEFILE_TESTPKI_H

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

static inline void
testpki_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ex;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, issuer ? issuer : cert, cert, NULL, NULL, 0);
	ex = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	assert_non_null(ex);
	assert_true(X509_add_ext(cert, ex, -1));
	X509_EXTENSION_free(ex);
}

/*
 * A certificate for key, named cn, issued by issuer/ikey (self-signed when
 * issuer is NULL), valid from now + from_days for days.  kind: "ca",
 * "signer" or "tsa" picks the extensions.
 */
static inline X509 *
testpki_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey,
	     const char *kind, long from_days, long days)
{
	static long serial = 1;
	X509 *c = X509_new();
	time_t now = time(NULL);

	assert_non_null(c);
	X509_set_version(c, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(c), serial++);
	ASN1_TIME_adj(X509_getm_notBefore(c), now, (int)from_days, 0);
	ASN1_TIME_adj(X509_getm_notAfter(c), now, (int)(from_days + days), 0);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(c), "CN", MBSTRING_UTF8,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(c));
	X509_set_pubkey(c, key);
	if (!strcmp(kind, "ca")) {
		testpki_ext(c, issuer, NID_basic_constraints, "critical,CA:TRUE");
		testpki_ext(c, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else if (!strcmp(kind, "tsa")) {
		testpki_ext(c, issuer, NID_key_usage, "critical,digitalSignature");
		testpki_ext(c, issuer, NID_ext_key_usage, "critical,timeStamping");
	} else {
		testpki_ext(c, issuer, NID_key_usage, "critical,digitalSignature,nonRepudiation");
	}
	assert_true(X509_sign(c, ikey ? ikey : key, EVP_sha256()) > 0);
	return c;
}

static inline void
testpki_write_cert(const char *path, X509 *c)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(PEM_write_X509(f, c));
	fclose(f);
}

#endif

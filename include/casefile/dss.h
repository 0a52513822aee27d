/* SPDX-License-Identifier: MIT */
/*
 * dss — PAdES long-term validation data (ETSI EN 319 142-1, B-LT and
 * B-LTA): the Document Security Store and the document timestamp.
 *
 * Theory of operation (what dss_extend_file appends to a signed PDF):
 *
 *   update 1 (B-LT)
 *     M+i 0 obj  one unfiltered stream per certificate (DER X.509), per
 *                OCSP response (DER OCSPResponse, RFC 6960) and per CRL
 *                (DER CertificateList)
 *     D 0 obj    <</Type /DSS /Certs [..] /OCSPs [..] /CRLs [..]
 *                  /VRI << /KEY << /Cert [..] /OCSP [..] /CRL [..] >> .. >> >>
 *     catalog    rewritten with /DSS D 0 R (and /Extensions /ESIC
 *                <</BaseVersion /1.7 /ExtensionLevel 5>> when absent)
 *   update 2 (B-LTA, when a TSA is given)
 *     a document timestamp field (pades.h, doc_timestamp): an RFC 3161
 *     token over everything before it, DSS included.
 *
 * Every signature and document timestamp already in the file is covered:
 * for its signer and for the TSA of each of its tokens, the chain is built
 * from the certificates in the signature, the tokens, an existing DSS and
 * the CA files; every certificate of the chain except a
 * self-signed root gets an OCSP response (from its AIA) or else a CRL
 * (from its CRL distribution points), each checked (revocation.h) before
 * it is stored.  KEY, the VRI key of a signature, is the upper-case hex
 * SHA-1 of its /Contents string bytes (as decoded, placeholder zeros
 * included), as ETSI EN 319 142-1 5.4.2.2 and the common validators do.
 * An existing DSS is kept: its entries stay, certificates already in it are
 * not added twice, fresh revocation data is added (`casefile extend`).
 */
#ifndef CASEFILE_DSS_H
#define CASEFILE_DSS_H

#include <stddef.h>

#include <openssl/x509.h>

#include "casefile/err.h"
#include "casefile/tsa.h"

struct dss_opts {
	const struct tsa_opts *net;	/* timeout, proxy and TLS rules of the
					   OCSP/CRL fetches (url unused) */
	const char *const *ca_files;	/* NULL-terminated PEM files whose
					   certificates complete chains (the
					   TSA's CA, roots); NULL: none */
	const struct tsa_opts *tsa;	/* NULL: B-LT only; else a document
					   timestamp from it (B-LTA) */
	time_t when;			/* now */
};

struct dss_result {
	size_t nsigs;			/* signatures and document timestamps covered */
	size_t ncerts, nocsp, ncrl;	/* added by this update */
	size_t nmissing;		/* certificates left without revocation data */
	char *missing;			/* heap: "'CN': why; ..." or NULL */
	int written;			/* 1: the DSS update was appended */
	int timestamped;		/* 1: the document timestamp too */
	struct tsa_info tsa;		/* the document timestamp */
};

void dss_result_release(struct dss_result *r);

/*
 * Add validation data (and, with o->tsa, a document timestamp) to the
 * signed PDF in_path, writing out_path (may equal in_path: replaced
 * atomically).  When some certificate gets no revocation data, nothing is
 * written, res->nmissing says how many and res->missing why, and 0 is
 * returned: the caller decides whether B-T is acceptable.  Errors: CF_EPDF
 * (unreadable PDF, no signature), CF_ENET (the document timestamp's TSA),
 * CF_EIO, CF_ECRYPTO, CF_EINPUT (a CA file); out_path is then unchanged,
 * except when only the document timestamp failed: res->written says the
 * DSS update (B-LT) was written.
 */
int dss_extend_file(const char *in_path, const char *out_path, const struct dss_opts *o,
		    struct dss_result *res, struct cf_err *err);

/* --- shared with verify ------------------------------------------------ */

/*
 * From a signature's /Contents bytes (a CMS SignedData, or an RFC 3161
 * token when doc_ts): every certificate it carries, its timestamp tokens'
 * included, appended to pool (own references), and the certificates whose
 * validity matters (the signer, each token's TSA) appended to ends.
 * Returns -1 (CF_EINPUT) when the bytes do not parse.
 */
int dss_sig_certs(const unsigned char *p, size_t n, int doc_ts, STACK_OF(X509) *pool,
		  STACK_OF(X509) *ends, struct cf_err *err);

/* 1 when c is self-signed (subject = issuer, signed by its own key). */
int dss_self_signed(X509 *c);

/* The issuer of cert in pool (borrowed), or NULL; a self-signed cert: NULL. */
X509 *dss_find_issuer(STACK_OF(X509) *pool, X509 *cert);

/* The VRI key of a signature: 40 upper-case hex digits and a NUL. */
void dss_vri_key(const unsigned char *contents, size_t n, char key[41]);

#endif

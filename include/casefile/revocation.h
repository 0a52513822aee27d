/* SPDX-License-Identifier: MIT */
/*
 * revocation — fetching and checking the revocation status of a
 * certificate: OCSP (RFC 6960) from the responders named in its Authority
 * Information Access, else a CRL (RFC 5280) from its CRL distribution
 * points, for the PAdES B-LT validation data (dss.h) and for verify.
 *
 * Fetches go through tsa_http_request: the TSA client's timeout, proxy and
 * TLS rules, so an unreachable responder costs at most the timeout and never
 * hangs a build.  Only http:// and https:// locations are used.
 *
 * Checking an OCSP response: status successful, a BasicOCSPResponse signed
 * by the certificate's issuer or by a responder the issuer delegated to
 * (id-kp-OCSPSigning), its certificate chain checked as it was when the
 * response was produced; then the SingleResponse for the certificate (by
 * its SHA-1 CertID).  A CRL: signed by the issuer, issuer name matching,
 * then the entry for the certificate's serial, if any.
 */
#ifndef CASEFILE_REVOCATION_H
#define CASEFILE_REVOCATION_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

#include "casefile/err.h"
#include "casefile/tsa.h"

enum revo_kind { REVO_OCSP = 1, REVO_CRL = 2 };
enum revo_state { REVO_GOOD, REVO_REVOKED, REVO_UNKNOWN };

struct revo_status {
	enum revo_kind kind;
	enum revo_state state;
	long long revoked_at;	/* REVO_REVOKED: revocationTime / revocationDate */
	long long produced;	/* OCSP producedAt, CRL thisUpdate */
	long long next_update;	/* nextUpdate, 0 when absent */
};

/*
 * Fetch revocation data for cert (issued by issuer): OCSP first, then the
 * CRL distribution points.  What comes back is checked (revo_check) before
 * it is returned in *der (malloc'd, the caller frees) with its kind.
 * Fails with CF_ENOTFOUND when the certificate names no http(s) OCSP
 * responder and no CRL location, CF_ENET when every location failed or
 * sent something unusable (the message names each).
 */
int revo_fetch(X509 *cert, X509 *issuer, const struct tsa_opts *net,
	       enum revo_kind *kind, unsigned char **der, size_t *len,
	       struct cf_err *err);

/*
 * Check der[0..len) (an OCSPResponse or a CRL, per kind) for cert issued
 * by issuer.  extra (may be NULL) holds certificates that may complete a
 * delegated OCSP responder's chain.  Fills *st and returns 0 when the data
 * is authentic and speaks about cert; CF_ENOTFOUND when it is authentic
 * (or at least parses) but is about other certificates; CF_EINPUT when it
 * does not parse; CF_EVERIFY when the signature or the responder is wrong.
 */
int revo_check(enum revo_kind kind, const unsigned char *der, size_t len, X509 *cert,
	       X509 *issuer, STACK_OF(X509) *extra, struct revo_status *st,
	       struct cf_err *err);

#endif

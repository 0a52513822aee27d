/* SPDX-License-Identifier: MIT */
/*
 * verify_ltv — verify's long-term checks (PAdES B-LT/B-LTA, issue 17 item
 * 4), run after each signature and document timestamp was checked:
 *
 *   revisions        each signature's /ByteRange ends at a revision's
 *                    %%EOF, and every later revision adds only validation
 *                    data (the DSS and what it references), signature or
 *                    document-timestamp fields, and rewrites only the
 *                    catalog (/DSS, /AcroForm, /Extensions), the AcroForm
 *                    (/Fields, /SigFlags) and pages (/Annots)
 *   dss              the Document Security Store parses: certificates,
 *                    OCSP responses, CRLs (a garbage entry is a FAIL)
 *   revocation       per signature and document timestamp: every
 *                    certificate of the signer's and each TSA's chain but
 *                    the root has an OCSP response or CRL in the DSS that is
 *                    authentic (revocation.h) and says "not revoked" -- or
 *                    revoked only after the time the signature is proved to
 *                    have existed (its timestamp).  Revoked before: FAIL,
 *                    naming the certificate and the revocation time
 *   level            the PAdES baseline level the newest signature reaches:
 *                    B-B (signature), B-T (+ its timestamp), B-LT (+ complete
 *                    and good validation data for it in the DSS), B-LTA (+ a
 *                    valid document timestamp over the DSS)
 */
#ifndef CASEFILE_VERIFY_LTV_H
#define CASEFILE_VERIFY_LTV_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/pdfread.h"

/* What verify.c found about one signature field. */
struct verify_sig {
	const struct pdfread_obj *sig;	/* the /V dictionary */
	const char *name;		/* the field name */
	uint64_t end;			/* where its byte range ends */
	int doc_ts;			/* a document timestamp */
	int sig_ok;			/* the signature (or token) is valid */
	int ts_ok;			/* its timestamp (or itself) is valid */
	int trusted;			/* the TSA chained to a given CA */
	long long ts_time;		/* that timestamp's time */
	long long poe;			/* the later archive timestamp's time, 0 */
};

/* Where the checks go (verify.c adds them to its report). */
enum ltv_status { LTV_PASS, LTV_WARN, LTV_FAIL };
struct ltv_report {
	void (*add)(void *cookie, const char *name, enum ltv_status st, const char *detail);
	void *cookie;
};

/*
 * Add the checks above to r.  v[0..n) in field order, order[] the indexes
 * in revision order.
 */
void verify_ltv_check(struct pdfread *pdf, const struct verify_sig *v, const size_t *order,
		      size_t n, struct ltv_report *r);

/*
 * 1 when the bytes of the file from `from` to `to` (both revision ends) are
 * revisions that add only validation data and signature or timestamp
 * fields (as for "revisions" above); else 0 with *why (heap, one clause).
 */
int verify_ltv_region(const unsigned char *data, uint64_t from, uint64_t to, char **why);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * pades — PAdES baseline signatures (B-B, and B-T with an RFC 3161 token)
 * appended to any PDF as an incremental update.
 *
 * Theory of operation (the bytes pades_sign_file appends after the input):
 *
 *   N+0 0 obj  /Type/Sig /Filter/Adobe.PPKLite /SubFilter/ETSI.CAdES.detached
 *              /ByteRange [0 a b c] /Contents <hex…> /M /Reason /Location
 *              /ContactInfo
 *   N+1 0 obj  the signature field merged with its invisible widget
 *              (/FT/Sig /V N+0 0 R /Rect [0 0 0 0] /F 132 /P page 1)
 *   N+2 0 obj  /AcroForm: the old fields plus N+1, /SigFlags 3
 *   page 1     rewritten with /Annots = old annotations + N+1
 *   catalog    rewritten with /AcroForm N+2 0 R
 *   xref       a classic table (or an xref stream N+3 when the input's
 *              newest section is a stream) with /Prev, /Root, /Info, /ID
 *
 * /ByteRange is [0, off(<), off(>)+1, size - off(>)-1]: everything except
 * the /Contents hex string including its angle brackets.  /Contents holds a
 * DER CMS SignedData (detached) whose one SignerInfo has exactly the signed
 * attributes contentType, messageDigest and signing-certificate-v2 (no
 * signingTime: PAdES takes the time from /M), signed by encoding the
 * attribute SET ourselves and calling EVP_DigestSign.  With a TSA, the
 * RFC 3161 token over SHA-256 of the signature value is added as the
 * unsigned attribute id-aa-signatureTimeStampToken.
 *
 * The placeholder is sized from a trial CMS plus a margin; when the final
 * CMS does not fit, the update is rebuilt once with a larger placeholder
 * (the digest of the unchanged input prefix is reused).  The input is read
 * once, streamed through SHA-256 into a temporary file beside the output,
 * which is renamed over the output only when complete: memory use does not
 * grow with the file and a failure leaves no partial output.
 */
#ifndef CASEFILE_PADES_H
#define CASEFILE_PADES_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "casefile/err.h"
#include "casefile/hash.h"
#include "casefile/pdfread.h"
#include "casefile/tsa.h"

struct pades_opts {
	const char *reason;		/* /Reason (UTF-8), NULL to omit */
	const char *location;		/* /Location */
	const char *contact;		/* /ContactInfo */
	time_t when;			/* /M, the claimed signing time */
	const struct tsa_opts *tsa;	/* NULL: sign at B-B without a timestamp */
	int doc_timestamp;		/* 1: no signer (key, cert, chain unused):
					   a document timestamp (PAdES B-LTA):
					   /Type /DocTimeStamp /SubFilter
					   /ETSI.RFC3161, /Contents the RFC 3161
					   token over the SHA-256 of the byte
					   ranges, from tsa (required); field
					   "DocTimeStampN"; no /M */
};

struct pades_result {
	int timestamped;		/* 1: B-T, 0: B-B */
	struct tsa_info tsa;		/* when timestamped; release with tsa_info_release */
	size_t cms_len;			/* DER bytes of the CMS */
	size_t placeholder;		/* bytes reserved for it */
	int retried;			/* 1 when the placeholder had to grow */
};

/*
 * Sign in_path into out_path (which may equal in_path: the file is then
 * replaced atomically).  The signer certificate must be valid at o->when.
 * res (may be NULL) receives what was done.  The copy is written with
 * outfile.h: unnamed until complete, leftovers of dead signers of out_path
 * removed first, and no larger than the input plus the update.  On failure
 * out_path is not created or changed, no temporary file remains, and a
 * write error names out_path and the cause; errors are CF_EPDF (input PDF unusable, encrypted),
 * CF_EINPUT (certificate), CF_ENET (TSA down, refused, garbage, timeout),
 * CF_EIO, CF_ECRYPTO.
 */
int pades_sign_file(const char *in_path, const char *out_path, EVP_PKEY *key,
		    X509 *cert, STACK_OF(X509) *chain,
		    const struct pades_opts *o, struct pades_result *res,
		    struct cf_err *err);

/*
 * Build the detached CMS for a document digest (exposed for tests and for
 * signing other byte streams).  *der is malloc'd.  tsa may be NULL.
 */
int pades_cms_build(EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain,
		    const unsigned char digest[CF_SHA256_LEN],
		    const struct tsa_opts *tsa, unsigned char **der, size_t *len,
		    struct tsa_info *tinfo, struct cf_err *err);

/*
 * An object of a plain incremental update: obj in PDF syntax, or (stream
 * not NULL) an unfiltered stream of slen bytes.
 */
struct pades_obj {
	unsigned num, gen;
	const struct pdfread_obj *obj;
	const unsigned char *stream;
	size_t slen;
};

/*
 * Append objs[0..n) to in_path as one incremental update (xref section or
 * stream as the input's newest one, /Prev, the catalog as /Root, /Size
 * covering every new number) into out_path, which may equal in_path; the
 * same guarantees as pades_sign_file (nothing changed on failure).  The
 * caller picks new object numbers from pdfread_xref_size upwards and
 * passes the rewritten catalog itself when it changes.  Used for the DSS
 * (dss.h).
 */
int pades_append_objects(const char *in_path, const char *out_path,
			 const struct pades_obj *objs, size_t n, struct cf_err *err);

/*
 * What the dossier prints on its signature page before signing: the signer
 * CN, the certificate SHA-256 fingerprint ("AB:CD:…") and the timestamp
 * authority (the TSA URL, or "no timestamp (PAdES B-B)").
 */
struct pades_signer_info {
	char *cn;
	char fingerprint[3 * CF_SHA256_LEN];
	char *timestamp;
	long long not_after;		/* certificate expiry, UTC seconds */
};
void pades_signer_info_init(struct pades_signer_info *si, X509 *cert,
			    const char *tsa_url);
void pades_signer_info_release(struct pades_signer_info *si);

#endif

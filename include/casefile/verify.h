/* SPDX-License-Identifier: MIT */
/*
 * verify — check a signed dossier (or any PAdES-signed PDF) and report one
 * line per check: PASS, WARN or FAIL.
 *
 * Checks, in order (names as printed):
 *   pdf              the file parses (xref, catalog); not encrypted
 *   byterange        /ByteRange covers the whole file except the /Contents
 *                    hex string ("total document signed"); bytes appended
 *                    after the signature are a FAIL naming how many, unless
 *                    they are revisions adding only validation data and
 *                    signature/timestamp fields (verify_ltv_region)
 *   cms digest       messageDigest = hash of the byte ranges
 *   cms signature    the SignerInfo signature over the signed attributes
 *   cades attributes contentType, signing-certificate-v2 matching the signer
 *   certificate      validity at the timestamp time (else now), key usage
 *   trust            chain to --trust; WARN self-signed/untrusted + fingerprint
 *   timestamp        RFC 3161 token: TSA signature, imprint = SHA-256 of the
 *                    signature value; time in UTC and China time.  WARN at B-B.
 *                    Its TSA chain is checked at the time of the first valid
 *                    later document timestamp when there is one, else now
 *   document timestamp  a /SubFilter /ETSI.RFC3161 field (PAdES B-LTA): the
 *                    token over the SHA-256 of its byte ranges
 *   dss, revocation, level  see verify_ltv.h
 * Signatures are checked newest first (a document timestamp proves what
 * precedes it) and reported in field order.
 *   manifest         manifest.json attached and readable
 *   exhibit N        each manifest entry vs its attachment's SHA-256/size
 *   attachment X     an embedded file the manifest does not list (WARN)
 *   vault exhibit N  with a vault: the object is stored and unchanged
 *   vault facts exhibit N
 *                    with a vault: the exhibit's parsed rows are what a
 *                    re-parse of its sealed original gives (rederive.h)
 *   vault dispute    with a vault: the order's dispute records and events
 *                    are what the ledger sealed
 *   proofs           proofs.json attached (WARN when not) and what it proves
 *   proof exhibit N  the exhibit's inclusion proof against its tree head,
 *                    the head's signature and timestamp; the sealed time
 *                    (WARN "not yet sealed"); see proofs_verify_hook
 * Checks added by modules above this one (proofs.json) are passed in by
 * the caller as verify_opts.hooks, so verify.c names none of them.
 *
 * A report is "ok" when it has no FAIL; WARN never fails it.
 */
#ifndef CASEFILE_VERIFY_H
#define CASEFILE_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "casefile/buf.h"
#include "casefile/err.h"

enum verify_status { VERIFY_PASS, VERIFY_WARN, VERIFY_FAIL };

struct verify_check {
	char *name;		/* "byterange", "exhibit 3", … */
	enum verify_status status;
	char *detail;		/* one line, lowercase, names the item */
};

struct verify_report {
	struct verify_check *v;
	size_t n;
	size_t nfail, nwarn;
};

struct verify_doc;
struct verify_opts;

/* A check another module adds; it appends its findings to r. */
typedef void (*verify_hook_fn)(struct verify_doc *d, const struct verify_opts *o,
			       struct verify_report *r);

struct verify_opts {
	const char *trust_file;		/* PEM CA(s) for the signer, or NULL */
	const char *tsa_ca_file;	/* PEM CA(s) for the TSA (default trust_file) */
	const char *vault_dir;		/* compare exhibits with this vault, or NULL */
	time_t now;			/* "current time" for certificate checks */
	const verify_hook_fn *hooks;	/* NULL-terminated, run after the
					   built-in checks; NULL: none */
	void *hook_cookie;		/* for the hooks: verify_opts.hook_cookie */
};

void verify_report_init(struct verify_report *r);
void verify_report_release(struct verify_report *r);
void verify_report_add(struct verify_report *r, const char *name,
		       enum verify_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* 1 when no check failed. */
int verify_report_ok(const struct verify_report *r);
const char *verify_status_word(enum verify_status st);
/*
 * The report as a new JSON object (free with json_decref):
 * {"file":…,"ok":…,"failures":…,"warnings":…,"checks":[{"check":…,"status":…,"detail":…}]}
 */
json_t *verify_report_json(const struct verify_report *r, const char *file);

/*
 * Run every check on path, appending to r.  Returns 0 when the checks ran
 * (whatever they found: look at the report), -1 only when the system failed
 * (CF_EIO reading, out of resources).  An unreadable or unsigned PDF is a
 * FAIL in the report, not an error.
 */
int verify_file(const char *path, const struct verify_opts *o,
		struct verify_report *r, struct cf_err *err);

/* --- for checks added by other modules ------------------------------ */

/*
 * Read the embedded file called name (name-tree key, /UF or /F) into out,
 * at most max bytes.  CF_ENOTFOUND when there is no such attachment.
 */
int verify_doc_attachment(struct verify_doc *d, const char *name, size_t max,
			  struct cf_buf *out, struct cf_err *err);

/*
 * Write the embedded file called name, decoded, to fd as it is read (memory
 * bounded whatever its size, e.g. a 500 MB video), hashing it: *size and
 * sha256 get what was written.  CF_ENOTFOUND when there is no such
 * attachment, CF_EPDF when it cannot be decoded, CF_EIO when fd fails.
 */
int verify_doc_attachment_write(struct verify_doc *d, const char *name, int fd,
				unsigned char sha256[32], uint64_t *size, struct cf_err *err);

/*
 * The certificate that made the newest signature (taken from its CMS), or
 * NULL when the PDF has none.  Borrowed: valid until verify_file returns.
 * Whether that signature verified is in the report, not here.
 */
X509 *verify_doc_signer(struct verify_doc *d);

#endif

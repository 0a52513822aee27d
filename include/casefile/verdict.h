/* SPDX-License-Identifier: MIT */
/*
 * verdict — what a verify report establishes, in three separate answers
 * (issue 17 item 2), so a headline never says more than the checks did:
 *
 *   integrity  the signature over the bytes, the attachments against the
 *              manifest, the inclusion proofs: no FAIL among them;
 *   signer     who signed: a certificate chain to a trust anchor given with
 *              --trust, valid at the signing (or timestamp) time -- a
 *              self-signed or unchecked certificate is only a fingerprint;
 *   time       when: an RFC 3161 timestamp whose TSA chained to a CA given
 *              with --tsa-ca (or --trust).  A token checked only against its
 *              own certificate says a time but not who vouches for it.
 *
 * The verdict is read from the report's checks (names as in verify.h); it
 * adds no check of its own.
 */
#ifndef CASEFILE_VERDICT_H
#define CASEFILE_VERDICT_H

#include <jansson.h>

#include "casefile/buf.h"
#include "casefile/verify.h"

struct verify_verdict {
	int integrity;		/* 1: verified */
	int signer;		/* 1: established */
	int time;		/* 1: proved */
	char *integrity_why;	/* heap, one clause each, never NULL after */
	char *signer_why;	/*   verify_verdict() */
	char *time_why;
	char *level;		/* the PAdES level reached ("B-LTA"), or NULL
				   (no valid signature) */
};

/* Fill v from r.  Release with verify_verdict_release (accepts zeroed v). */
void verify_verdict(const struct verify_report *r, struct verify_verdict *v);
void verify_verdict_release(struct verify_verdict *v);
/* 1 when all three are established (verify --strict). */
int verify_verdict_all(const struct verify_verdict *v);
/*
 * The headline, no newline:
 * "VERIFIED integrity (…); signer NOT ESTABLISHED (…); time NOT PROVED (…)"
 */
void verify_verdict_line(const struct verify_verdict *v, struct cf_buf *out);
/* {"integrity":{"verified":true,"detail":…},"signer":{"established":…},"time":{"proved":…},
 *  "all":…,"level":"B-LTA"|…|null} */
json_t *verify_verdict_json(const struct verify_verdict *v);

#endif

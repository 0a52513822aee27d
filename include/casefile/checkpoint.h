/* SPDX-License-Identifier: MIT */
/*
 * checkpoint — signed tree heads in the C2SP tlog-checkpoint format
 * (c2sp.org/tlog-checkpoint), a C2SP signed note (c2sp.org/signed-note).
 *
 * Theory of operation
 * -------------------
 * A checkpoint is UTF-8 text; the signed part ("note text") is three lines,
 * each ending in '\n':
 *
 *   <origin>                     "casefile/<vault id>", unique per vault
 *   <tree size>                  decimal, no leading zeros
 *   <root hash>                  standard base64 of the 32-byte RFC 9162 root
 *
 * followed by one blank line and one signature line per signature:
 *
 *   — <key name> <base64(key ID[4] || signature)>
 *
 * ("—" is U+2014, bytes E2 80 94).  casefile signs with the vault key and
 * uses the origin as the key name.  The signature covers the note text
 * exactly, including its final newline and excluding the blank line.
 *
 * Signature types (signed-note identifier byte):
 *   ECDSA (P-256; P-384/P-521 accepted): type 0x02, as assigned by C2SP for
 *     github.com/transparency-dev/witness: signature = DER ECDSA-Sig-Value
 *     over SHA-256(note text); key ID = SHA-256(DER SubjectPublicKeyInfo)[:4]
 *     (the C2SP rule for 0x02).
 *   RSA (keygen --rsa): no C2SP identifier exists, so casefile uses the
 *     reserved 0xff escape followed by the ASCII label
 *     "casefile-rsa-pkcs1-sha256": signature = RSASSA-PKCS1-v1_5 with
 *     SHA-256 over the note text; key ID = SHA-256(key name || 0x0A || 0xff
 *     || "casefile-rsa-pkcs1-sha256" || DER SubjectPublicKeyInfo)[:4] (the
 *     signed-note recommendation with the long identifier).
 * Checking one with standard tools: cut the text before the blank line,
 * base64-decode the signature, drop 4 bytes, and
 *   openssl dgst -sha256 -verify pub.pem -signature sig.der text
 *
 * Extension lines after the root line are allowed by the parser (and
 * ignored); casefile writes none.
 */
#ifndef CASEFILE_CHECKPOINT_H
#define CASEFILE_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "casefile/buf.h"
#include "casefile/err.h"
#include "casefile/hash.h"

#define CHECKPOINT_MAX_LEN (64 * 1024)	/* parser limit on a whole note */
#define CHECKPOINT_MAX_SIGS 100
#define CHECKPOINT_RSA_LABEL "casefile-rsa-pkcs1-sha256"

struct checkpoint_sig {
	char *name;			/* key name */
	unsigned char key_id[4];
	unsigned char *sig;		/* signature bytes after the key ID */
	size_t sig_len;
};

/* A parsed checkpoint; caller-owned (checkpoint_init / _release). */
struct checkpoint {
	char *origin;
	uint64_t size;
	unsigned char root[CF_SHA256_LEN];
	size_t text_len;		/* bytes of the signed note text */
	struct checkpoint_sig *sigs;
	size_t nsigs;
};

/* Append the note text "origin\nsize\nbase64(root)\n" to out. */
void checkpoint_text(const char *origin, uint64_t size,
		     const unsigned char root[CF_SHA256_LEN], struct cf_buf *out);

/*
 * Key ID of pub for key name (see the signature types above).  Returns 0,
 * or -1 (CF_ECRYPTO) for a key type casefile does not sign with.
 */
int checkpoint_key_id(const char *name, EVP_PKEY *pub, unsigned char id[4],
		      struct cf_err *err);

/*
 * Make the signed checkpoint of (origin, size, root) with key, whose key
 * name is origin.  *note (NUL-terminated, *len bytes without the NUL) is
 * the caller's to free; key_id (may be NULL) gets the 4-byte key ID.
 * -1 with CF_EINPUT for a bad origin, CF_ECRYPTO when signing fails;
 * nothing allocated then.
 */
int checkpoint_sign(const char *origin, uint64_t size,
		    const unsigned char root[CF_SHA256_LEN], EVP_PKEY *key,
		    char **note, size_t *len, unsigned char key_id[4],
		    struct cf_err *err);

void checkpoint_init(struct checkpoint *cp);
/* Free what the checkpoint holds; it is empty afterwards.  Accepts NULL. */
void checkpoint_release(struct checkpoint *cp);

/*
 * Parse a signed checkpoint note s[0..n) (outside bytes: strictly checked).
 * Returns 0, or -1 with CF_EINPUT and what is wrong ("line 2: bad tree
 * size"); *cp is left empty on failure.  Does not verify signatures.
 */
int checkpoint_parse(const char *s, size_t n, struct checkpoint *cp,
		     struct cf_err *err);

/*
 * Verify the signature by pub in a parsed checkpoint whose note bytes are
 * s[0..n) (the same bytes given to checkpoint_parse).  The signature used
 * is the one whose key name is the origin and whose key ID is pub's.
 * Returns 0, or -1 with CF_EVERIFY ("no signature by key 'casefile/…'",
 * "bad signature by key …").
 */
int checkpoint_verify(const struct checkpoint *cp, const char *s, size_t n,
		      EVP_PKEY *pub, struct cf_err *err);

/*
 * The signed-note verifier key of pub under key name `name`, the one line
 * a note verifier is configured with (c2sp.org/signed-note):
 *   <name>+<key ID, 8 hex digits>+<base64(type byte || public key)>
 * with type 0x02 and the DER SubjectPublicKeyInfo for ECDSA, and for RSA
 * the 0xff escape, the label "casefile-rsa-pkcs1-sha256", then the DER
 * SubjectPublicKeyInfo.  *out is malloc'd.  0 or -1 (CF_ECRYPTO).
 */
int checkpoint_verifier_key(const char *name, EVP_PKEY *pub, char **out,
			    struct cf_err *err);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * keys — the vault's signing key and certificate chain.
 *
 *   VAULT/keys/signing.key   PKCS#8 PEM, mode 0600 (encrypted with AES-256
 *                            when a passphrase was given)
 *   VAULT/keys/signing.crt   the signer's certificate (PEM)
 *   VAULT/keys/chain.pem     intermediate/CA certificates (PEM, optional)
 *
 * Invariants: the key file is created with O_CREAT|O_EXCL and mode 0600 and
 * is never overwritten; a key file readable or writable by group or others
 * is refused at load time; passphrases are wiped with OPENSSL_cleanse.
 * Keys are ECDSA P-256 (default) or RSA-3072; Ed25519 is not offered
 * (OpenSSL 3.0 CMS and poppler cannot verify it in PDF signatures).
 */
#ifndef CASEFILE_KEYS_H
#define CASEFILE_KEYS_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "casefile/err.h"
#include "casefile/hash.h"

enum keys_gen_flags {
	KEYS_GEN_RSA = 1 << 0,	/* RSA-3072 instead of ECDSA P-256 */
};

struct keys_gen_opts {
	const char *cn;		/* subject CN (default "casefile signer") */
	const char *org;	/* subject O, may be NULL */
	time_t not_before;	/* validity start (usually now) */
	long days;		/* validity length, > 0 */
	unsigned flags;		/* enum keys_gen_flags */
	const char *pass;	/* passphrase or NULL (key stored unencrypted) */
};

/*
 * Create a key and a self-signed certificate (keyUsage digitalSignature and
 * nonRepudiation, critical) in vault_dir/keys/.  Fails with CF_EINPUT when a
 * key already exists there (nothing is touched), CF_EIO / CF_ECRYPTO
 * otherwise; on failure no new file is left behind.
 */
int keys_generate(const char *vault_dir, const struct keys_gen_opts *o,
		  struct cf_err *err);

/*
 * Import a merchant's key and certificate: src is a PKCS#12 file (cert and
 * chain inside; cert_path/chain_path may then be NULL) or a PEM private key
 * (cert_path required).  src_pass decrypts the source; pass (may be NULL)
 * encrypts the stored copy.  The certificate must match the key.
 */
int keys_import(const char *vault_dir, const char *src, const char *src_pass,
		const char *cert_path, const char *chain_path, const char *pass,
		struct cf_err *err);

/*
 * Load the vault's key, certificate and chain, decrypting with pass (NULL:
 * none; keys_read_pass() finds it) when the key is encrypted.  *chain may
 * be an empty stack.  The caller frees with EVP_PKEY_free, X509_free and
 * sk_X509_pop_free(chain, X509_free).  CF_ENOTFOUND when the vault has no key.
 */
int keys_load_pass(const char *vault_dir, const char *pass, EVP_PKEY **key,
		   X509 **cert, STACK_OF(X509) **chain, struct cf_err *err);

/*
 * Load only the vault's certificate (no passphrase needed): for checking
 * what the vault key signed (tree heads).  *cert is the caller's
 * (X509_free).  CF_ENOTFOUND when the vault has none.
 */
int keys_load_cert(const char *vault_dir, X509 **cert, struct cf_err *err);

/*
 * Sign msg with key over SHA-256 (ECDSA: DER signature; RSA: PKCS#1 v1.5).
 * *sig is malloc'd, the caller frees it.  Used for ledger tree heads.
 */
int keys_sign(EVP_PKEY *key, const void *msg, size_t n, unsigned char **sig,
	      size_t *siglen, struct cf_err *err);
/* Verify such a signature with a certificate's public key; CF_EVERIFY on mismatch. */
int keys_verify(X509 *cert, const void *msg, size_t n, const unsigned char *sig,
		size_t siglen, struct cf_err *err);

/* SHA-256 of the DER certificate, and its "AB:CD:..." display form (96 bytes). */
void keys_cert_fingerprint(X509 *cert, unsigned char out[CF_SHA256_LEN]);
char *keys_fingerprint_str(const unsigned char fp[CF_SHA256_LEN], char *buf,
			   size_t n);
/* The subject's CN (or the whole one-line subject); caller frees. */
char *keys_cert_cn(X509 *cert);

/*
 * Read a passphrase: the first line of path (without its newline), or
 * env_pass (the value of $CASEFILE_PASSPHRASE, read once by main; NULL
 * when unset, refused when empty) when path is NULL.  *pass is NULL when
 * neither is set.  Free with keys_pass_free (which wipes it).
 */
int keys_read_pass(const char *path, const char *env_pass, char **pass,
		   struct cf_err *err);
void keys_pass_free(char *pass);

#endif

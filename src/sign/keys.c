/* SPDX-License-Identifier: MIT */
/*
 * keys — key generation, import, loading and the small signing helpers of
 * keys.h.  Files are written to a temporary name in keys/ with O_EXCL and
 * mode 0600, then linked into place with link(2), which fails when the
 * target exists: an existing key is never overwritten, even by a race.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "casefile/buf.h"
#include "casefile/keys.h"
#include "casefile/xalloc.h"

#define KEY_FILE "signing.key"
#define CERT_FILE "signing.crt"
#define CHAIN_FILE "chain.pem"

void
keys_pass_free(char *pass)
{
	if (pass) {
		OPENSSL_cleanse(pass, strlen(pass));
		free(pass);
	}
}

int
keys_read_pass(const char *path, const char *env, char **pass, struct cf_err *err)
{
	char buf[1024];
	size_t n = 0;
	ssize_t r;
	struct stat st;
	int fd;

	*pass = NULL;
	if (path == NULL) {
		if (env && *env == '\0')
			return cf_err_set(err, CF_EINPUT, "CASEFILE_PASSPHRASE is set but empty: an "
					  "empty passphrase is refused; to use a key without a "
					  "passphrase, unset the variable (unset CASEFILE_PASSPHRASE)");
		if (env)
			*pass = xstrdup(env);
		return 0;
	}
	if ((fd = cf_open_regular(path, 0, "passphrase file", CF_EINPUT, err)) < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return cf_err_errno(err, CF_EIO, "cannot read passphrase file '%s'", path);
	}
	if (st.st_mode & 077) {
		close(fd);
		return cf_err_set(err, CF_EINPUT, "refusing passphrase file '%s': it is accessible "
				  "by group or others (mode %04o); chmod 600 '%s'", path,
				  (unsigned)(st.st_mode & 07777), path);
	}
	while (n < sizeof(buf) - 1 && (r = read(fd, buf + n, sizeof(buf) - 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cf_err_errno(err, CF_EIO, "cannot read passphrase file '%s'", path);
			close(fd);
			OPENSSL_cleanse(buf, sizeof(buf));
			return -1;
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	n = strcspn(buf, "\r\n");
	if (n == sizeof(buf) - 1) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return cf_err_set(err, CF_EINPUT, "passphrase in '%s' is too long", path);
	}
	buf[n] = '\0';
	if (n == 0) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return cf_err_set(err, CF_EINPUT, "passphrase file '%s' is empty (its first line "
				  "is the passphrase)", path);
	}
	*pass = xstrdup(buf);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

/*
 * Key files, read the same way for every command (issue 11, item 7): every
 * problem a user can fix is CF_EINPUT (exit 3) with a message that says
 * what is wrong and how to fix it; CF_EIO and CF_ECRYPTO are left for the
 * system and the library failing.
 */
#define KEY_FILE_MAX (1u << 20)

/* Read a whole key, certificate or PKCS#12 file, refusing what is not a
 * regular file; with nofollow (the vault's own files), a symbolic link. */
static int
read_key_file(const char *path, const char *what, int nofollow, struct cf_buf *b,
	      struct stat *st, struct cf_err *err)
{
	char chunk[8192];
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0))) < 0) {
		char target[4096];
		ssize_t tl;

		if (errno == ENOENT)
			return cf_err_errno(err, CF_ENOTFOUND, "cannot open %s '%s'", what, path);
		if (errno == ELOOP && nofollow &&
		    (tl = readlink(path, target, sizeof(target) - 1)) >= 0) {
			target[tl] = '\0';
			return cf_err_set(err, CF_EINPUT, "refusing %s '%s': it is a symbolic link "
					  "(to '%s'); put the file itself there (mode 0600): "
					  "cp --remove-destination '%s' '%s'", what, path, target,
					  target, path);
		}
		if (errno == EACCES)
			return cf_err_errno(err, CF_EINPUT, "cannot read %s '%s' (run casefile as "
					    "the user who owns it)", what, path);
		return cf_err_errno(err, CF_EIO, "cannot open %s '%s'", what, path);
	}
	if (fstat(fd, st) < 0) {
		cf_err_errno(err, CF_EIO, "cannot read %s '%s'", what, path);
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		cf_err_set(err, CF_EINPUT, "refusing %s '%s': it is %s, not a regular file; "
			   "put the file itself there", what, path,
			   S_ISDIR(st->st_mode) ? "a directory" : S_ISFIFO(st->st_mode) ? "a FIFO" :
			   S_ISSOCK(st->st_mode) ? "a socket" : "a device");
		goto fail;
	}
	if (st->st_size > KEY_FILE_MAX) {
		cf_err_set(err, CF_EINPUT, "refusing %s '%s': %lld bytes is too large for a key "
			   "or certificate file", what, path, (long long)st->st_size);
		goto fail;
	}
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cf_err_errno(err, CF_EIO, "cannot read %s '%s'", what, path);
			goto fail;
		}
		if (b->len + (size_t)r > KEY_FILE_MAX) {
			cf_err_set(err, CF_EINPUT, "refusing %s '%s': too large for a key or "
				   "certificate file", what, path);
			goto fail;
		}
		cf_buf_add(b, chunk, (size_t)r);
	}
	OPENSSL_cleanse(chunk, sizeof(chunk));
	close(fd);
	return 0;
fail:
	OPENSSL_cleanse(chunk, sizeof(chunk));
	close(fd);
	return -1;
}

static int
mode_private(const char *path, const char *what, const struct stat *st, struct cf_err *err)
{
	if ((st->st_mode & 077) == 0)
		return 0;
	return cf_err_set(err, CF_EINPUT, "refusing %s '%s': it is accessible by group or others "
			  "(mode %04o); chmod 600 '%s'", what, path,
			  (unsigned)(st->st_mode & 07777), path);
}

static int pass_cb(char *buf, int size, int rwflag, void *u);

/*
 * Decode the PEM private key in b.  An empty file, garbage, an encrypted
 * key without a passphrase, a wrong passphrase and a damaged key each get
 * their own message; how_pass says how to give the passphrase, fix how to
 * get a good file.
 */
static EVP_PKEY *
pem_key_decode(const struct cf_buf *b, const char *path, const char *pass,
	       const char *how_pass, const char *fix, struct cf_err *err)
{
	EVP_PKEY *k = NULL;
	BIO *mb;
	int encrypted, pem;

	if (b->len == 0)
		return cf_err_set(err, CF_EINPUT, "key file '%s' is empty; %s", path, fix), NULL;
	encrypted = memmem(b->data, b->len, "-----BEGIN ENCRYPTED PRIVATE KEY-----", 37) != NULL ||
		    memmem(b->data, b->len, "Proc-Type: 4,ENCRYPTED", 22) != NULL;
	pem = memmem(b->data, b->len, "-----BEGIN", 10) != NULL &&
	      memmem(b->data, b->len, "PRIVATE KEY-----", 16) != NULL;
	if (encrypted && pass == NULL)
		return cf_err_set(err, CF_EINPUT, "key file '%s' is encrypted: give its "
				  "passphrase %s", path, how_pass), NULL;
	if ((mb = BIO_new_mem_buf(b->data, (int)b->len)) == NULL)
		return cf_err_ssl(err, "cannot read '%s'", path), NULL;
	k = PEM_read_bio_PrivateKey(mb, NULL, pass_cb, (void *)pass);
	BIO_free(mb);
	if (k != NULL)
		return k;
	ERR_clear_error();
	if (encrypted)
		cf_err_set(err, CF_EINPUT, "wrong passphrase for key file '%s'", path);
	else if (pem)
		cf_err_set(err, CF_EINPUT, "key file '%s' is damaged: its PEM private key cannot "
			   "be decoded; %s", path, fix);
	else
		cf_err_set(err, CF_EINPUT, "key file '%s' is not a PEM private key; %s", path, fix);
	return NULL;
}

/* Write data to dir/name via an exclusive temp file + link(2). */
static int
write_new_file(const char *dir, const char *name, const void *data, size_t n,
	       struct cf_err *err)
{
	char *tmp = xasprintf("%s/.%s.tmp%ld", dir, name, (long)getpid());
	char *dst = xasprintf("%s/%s", dir, name);
	const unsigned char *p = data;
	int fd, ret = -1;

	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600)) < 0) {
		cf_err_errno(err, CF_EIO, "cannot create '%s'", tmp);
		goto out;
	}
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			cf_err_errno(err, CF_EIO, "cannot write '%s'", tmp);
			close(fd);
			unlink(tmp);
			goto out;
		}
		p += w;
		n -= (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		cf_err_errno(err, CF_EIO, "cannot write '%s'", tmp);
		unlink(tmp);
		goto out;
	}
	if (link(tmp, dst) < 0) {
		if (errno == EEXIST)
			cf_err_set(err, CF_EINPUT, "'%s' already exists; refusing to overwrite it", dst);
		else
			cf_err_errno(err, CF_EIO, "cannot create '%s'", dst);
		unlink(tmp);
		goto out;
	}
	unlink(tmp);
	ret = 0;
out:
	free(tmp);
	free(dst);
	return ret;
}

static int
bio_bytes(BIO *b, const void **p, size_t *n)
{
	char *d;
	long len = BIO_get_mem_data(b, &d);

	if (len < 0)
		return -1;
	*p = d;
	*n = (size_t)len;
	return 0;
}

static char *
keys_dir_new(const char *vault_dir, struct cf_err *err)
{
	char *dir = xasprintf("%s/keys", vault_dir);
	struct stat st;

	if (stat(vault_dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		cf_err_set(err, CF_ENOTFOUND, "'%s' is not a vault (run 'casefile init')", vault_dir);
		free(dir);
		return NULL;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		cf_err_errno(err, CF_EIO, "cannot create '%s'", dir);
		free(dir);
		return NULL;
	}
	return dir;
}

/* Store key, cert and chain; on failure remove what this call created. */
static int
store_all(const char *vault_dir, EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain,
	  const char *pass, struct cf_err *err)
{
	BIO *kb = NULL, *cb = NULL, *chb = NULL;
	char *dir = NULL, *path = NULL;
	const void *p = NULL;
	size_t n = 0;
	int i, ret = -1, wrote_key = 0, wrote_cert = 0;

	if ((dir = keys_dir_new(vault_dir, err)) == NULL)
		return -1;
	path = xasprintf("%s/%s", dir, KEY_FILE);
	if (access(path, F_OK) == 0) {
		cf_err_set(err, CF_EINPUT, "the vault already has a signing key ('%s')", path);
		goto out;
	}
	kb = BIO_new(BIO_s_mem());
	cb = BIO_new(BIO_s_mem());
	chb = BIO_new(BIO_s_mem());
	if (!kb || !cb || !chb ||
	    !PEM_write_bio_PKCS8PrivateKey(kb, key, pass ? EVP_aes_256_cbc() : NULL,
					   NULL, 0, NULL, (void *)pass) ||
	    !PEM_write_bio_X509(cb, cert)) {
		cf_err_ssl(err, "cannot encode the key");
		goto out;
	}
	for (i = 0; chain && i < sk_X509_num(chain); i++)
		if (!PEM_write_bio_X509(chb, sk_X509_value(chain, i))) {
			cf_err_ssl(err, "cannot encode the chain");
			goto out;
		}
	bio_bytes(kb, &p, &n);
	if (write_new_file(dir, KEY_FILE, p, n, err) < 0)
		goto out;
	wrote_key = 1;
	bio_bytes(cb, &p, &n);
	if (write_new_file(dir, CERT_FILE, p, n, err) < 0)
		goto out;
	wrote_cert = 1;
	bio_bytes(chb, &p, &n);
	if (n > 0 && write_new_file(dir, CHAIN_FILE, p, n, err) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0) {
		char *f;

		if (wrote_key) {
			f = xasprintf("%s/%s", dir, KEY_FILE);
			unlink(f);
			free(f);
		}
		if (wrote_cert) {
			f = xasprintf("%s/%s", dir, CERT_FILE);
			unlink(f);
			free(f);
		}
	}
	if (kb) {
		char *d;
		long len = BIO_get_mem_data(kb, &d);

		if (len > 0)
			OPENSSL_cleanse(d, (size_t)len);
	}
	BIO_free(kb);
	BIO_free(cb);
	BIO_free(chb);
	free(path);
	free(dir);
	return ret;
}

static int
add_ext(X509 *cert, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ex;
	int ok;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, cert, cert, NULL, NULL, 0);
	if ((ex = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		return 0;
	ok = X509_add_ext(cert, ex, -1);
	X509_EXTENSION_free(ex);
	return ok;
}

int
keys_generate(const char *vault_dir, const struct keys_gen_opts *o, struct cf_err *err)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	X509_NAME *name;
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = NULL;
	unsigned char rnd[16];
	int ret = -1;

	if (o->days <= 0)
		return cf_err_set(err, CF_EINPUT, "certificate validity must be at least one day");
	key = (o->flags & KEYS_GEN_RSA) ? EVP_RSA_gen(3072) : EVP_EC_gen("P-256");
	if (key == NULL)
		return cf_err_ssl(err, "cannot generate a key");
	if ((cert = X509_new()) == NULL || !X509_set_version(cert, 2) ||
	    RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto ssl;
	rnd[0] &= 0x7f;
	rnd[0] |= 0x01;
	if ((bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) == NULL ||
	    (serial = BN_to_ASN1_INTEGER(bn, NULL)) == NULL ||
	    !X509_set_serialNumber(cert, serial))
		goto ssl;
	if (!ASN1_TIME_set(X509_getm_notBefore(cert), o->not_before) ||
	    !ASN1_TIME_adj(X509_getm_notAfter(cert), o->not_before, (int)o->days, 0))
		goto ssl;
	name = X509_get_subject_name(cert);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)(o->cn ? o->cn : "casefile signer"),
					-1, -1, 0) ||
	    (o->org && !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
						   (const unsigned char *)o->org, -1, -1, 0)) ||
	    !X509_set_issuer_name(cert, name) || !X509_set_pubkey(cert, key))
		goto ssl;
	if (!add_ext(cert, NID_basic_constraints, "critical,CA:FALSE") ||
	    !add_ext(cert, NID_key_usage, "critical,digitalSignature,nonRepudiation") ||
	    !add_ext(cert, NID_subject_key_identifier, "hash") ||
	    !X509_sign(cert, key, EVP_sha256()))
		goto ssl;
	ret = store_all(vault_dir, key, cert, NULL, o->pass, err);
	goto out;
ssl:
	cf_err_ssl(err, "cannot create the certificate");
out:
	OPENSSL_cleanse(rnd, sizeof(rnd));
	BN_free(bn);
	ASN1_INTEGER_free(serial);
	X509_free(cert);
	EVP_PKEY_free(key);
	return ret;
}

static int
pass_cb(char *buf, int size, int rwflag, void *u)
{
	const char *p = u;
	int n;

	(void)rwflag;
	if (p == NULL)
		return -1;
	n = (int)strlen(p);
	if (n > size)
		n = size;
	memcpy(buf, p, (size_t)n);
	return n;
}

static int
read_certs(const char *path, int nofollow, STACK_OF(X509) *out, struct cf_err *err)
{
	struct cf_buf b = CF_BUF_INIT;
	struct stat st;
	BIO *mb = NULL;
	X509 *x;
	int n = 0, ret = -1;

	if (read_key_file(path, "certificate file", nofollow, &b, &st, err) < 0) {
		if (err && err->code == CF_ENOTFOUND)
			err->code = CF_EINPUT;	/* a named file that is missing */
		goto out;
	}
	if ((mb = BIO_new_mem_buf(b.data, (int)b.len)) == NULL) {
		cf_err_ssl(err, "cannot read '%s'", path);
		goto out;
	}
	while ((x = PEM_read_bio_X509(mb, NULL, NULL, NULL)) != NULL) {
		sk_X509_push(out, x);
		n++;
	}
	ERR_clear_error();
	if (n == 0) {
		cf_err_set(err, CF_EINPUT, "'%s' holds no PEM certificate", path);
		goto out;
	}
	ret = 0;
out:
	BIO_free(mb);
	cf_buf_release(&b);
	return ret;
}

int
keys_import(const char *vault_dir, const char *src, const char *src_pass,
	    const char *cert_path, const char *chain_path, const char *pass,
	    struct cf_err *err)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *chain = sk_X509_new_null(), *tmp = NULL;
	PKCS12 *p12 = NULL;
	struct cf_buf kb = CF_BUF_INIT;
	struct stat st;
	BIO *b = NULL;
	int ret = -1;

	if (read_key_file(src, "key file", 0, &kb, &st, err) < 0) {
		if (err && err->code == CF_ENOTFOUND)
			err->code = CF_EINPUT;
		goto out;
	}
	if ((b = BIO_new_mem_buf(kb.data, (int)kb.len)) == NULL) {
		cf_err_ssl(err, "cannot read '%s'", src);
		goto out;
	}
	if (kb.len > 0 && (p12 = d2i_PKCS12_bio(b, NULL)) != NULL) {
		STACK_OF(X509) *ca = NULL;

		/* a PKCS#12 file is encrypted: its mode is not checked */
		if (PKCS12_mac_present(p12) &&
		    !PKCS12_verify_mac(p12, src_pass ? src_pass : "", -1) &&
		    (src_pass || !PKCS12_verify_mac(p12, NULL, 0))) {
			ERR_clear_error();
			if (src_pass)
				cf_err_set(err, CF_EINPUT, "wrong passphrase for PKCS#12 file '%s'", src);
			else
				cf_err_set(err, CF_EINPUT, "PKCS#12 file '%s' needs its passphrase: "
					   "give it with --import-passphrase-file", src);
			goto out;
		}
		if (!PKCS12_parse(p12, src_pass ? src_pass : "", &key, &cert, &ca)) {
			unsigned long e = ERR_peek_last_error();
			const char *why = e ? ERR_reason_error_string(e) : NULL;

			cf_err_set(err, CF_EINPUT, "cannot open PKCS#12 file '%s': %s", src,
				   why ? why : "unreadable");
			ERR_clear_error();
			goto out;
		}
		while (ca && sk_X509_num(ca) > 0)
			sk_X509_push(chain, sk_X509_shift(ca));
		sk_X509_free(ca);
	} else {
		ERR_clear_error();
		if (mode_private(src, "key file", &st, err) < 0)
			goto out;
		if ((key = pem_key_decode(&kb, src, src_pass, "with --import-passphrase-file",
					  "export the key again", err)) == NULL) {
			if (err && kb.len > 0 && strstr(err->msg, "is not a PEM private key"))
				cf_err_set(err, CF_EINPUT, "'%s' is neither a PKCS#12 file nor a PEM "
					   "private key", src);
			goto out;
		}
	}
	if (cert_path) {
		tmp = sk_X509_new_null();
		if (read_certs(cert_path, 0, tmp, err) < 0)
			goto out;
		X509_free(cert);
		cert = sk_X509_shift(tmp);
		while (sk_X509_num(tmp) > 0)
			sk_X509_push(chain, sk_X509_shift(tmp));
	}
	if (cert == NULL) {
		cf_err_set(err, CF_EINPUT, "no certificate for the key in '%s' (use --cert)", src);
		goto out;
	}
	if (chain_path && read_certs(chain_path, 0, chain, err) < 0)
		goto out;
	if (X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		cf_err_set(err, CF_EINPUT, "the certificate does not match the private key in '%s'", src);
		goto out;
	}
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC && EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		cf_err_set(err, CF_EINPUT, "'%s': only ECDSA and RSA keys can sign PDFs here", src);
		goto out;
	}
	ret = store_all(vault_dir, key, cert, chain, pass, err);
out:
	sk_X509_pop_free(tmp, X509_free);
	sk_X509_pop_free(chain, X509_free);
	PKCS12_free(p12);
	BIO_free(b);
	if (kb.len)
		OPENSSL_cleanse(kb.data, kb.len);
	cf_buf_release(&kb);
	X509_free(cert);
	EVP_PKEY_free(key);
	return ret;
}

int
keys_load_pass(const char *vault_dir, const char *pass, EVP_PKEY **key, X509 **cert,
	       STACK_OF(X509) **chain, struct cf_err *err)
{
	char *kp = xasprintf("%s/keys/%s", vault_dir, KEY_FILE);
	char *cp = xasprintf("%s/keys/%s", vault_dir, CERT_FILE);
	char *chp = xasprintf("%s/keys/%s", vault_dir, CHAIN_FILE);
	STACK_OF(X509) *certs = NULL, *ch = sk_X509_new_null();
	struct cf_buf kb = CF_BUF_INIT;
	EVP_PKEY *k = NULL;
	struct stat st;
	int ret = -1;

	if (read_key_file(kp, "key file", 1, &kb, &st, err) < 0) {
		if (err && err->code == CF_ENOTFOUND)
			cf_err_set(err, CF_ENOTFOUND, "the vault has no signing key (run 'casefile keygen')");
		goto out;
	}
	if (mode_private(kp, "key file", &st, err) < 0)
		goto out;
	if ((k = pem_key_decode(&kb, kp, pass, "in CASEFILE_PASSPHRASE or with --passphrase-file",
				"restore it from a backup", err)) == NULL)
		goto out;
	certs = sk_X509_new_null();
	if (read_certs(cp, 1, certs, err) < 0)
		goto out;
	if (access(chp, F_OK) == 0 && read_certs(chp, 1, ch, err) < 0)
		goto out;
	if (X509_check_private_key(sk_X509_value(certs, 0), k) != 1) {
		ERR_clear_error();
		cf_err_set(err, CF_EINPUT, "'%s' does not match '%s'", cp, kp);
		goto out;
	}
	*cert = sk_X509_shift(certs);
	*key = k;
	*chain = ch;
	k = NULL;
	ch = NULL;
	ret = 0;
out:
	if (kb.len)
		OPENSSL_cleanse(kb.data, kb.len);
	cf_buf_release(&kb);
	EVP_PKEY_free(k);
	sk_X509_pop_free(certs, X509_free);
	sk_X509_pop_free(ch, X509_free);
	free(kp);
	free(cp);
	free(chp);
	return ret;
}

int
keys_load_cert(const char *vault_dir, X509 **cert, struct cf_err *err)
{
	char *cp = xasprintf("%s/keys/%s", vault_dir, CERT_FILE);
	STACK_OF(X509) *certs = NULL;
	int ret = -1;

	if (access(cp, F_OK) != 0) {
		cf_err_set(err, CF_ENOTFOUND, "the vault has no signing certificate (run 'casefile keygen')");
		goto out;
	}
	certs = sk_X509_new_null();
	if (read_certs(cp, 1, certs, err) < 0)
		goto out;
	*cert = sk_X509_shift(certs);
	ret = 0;
out:
	sk_X509_pop_free(certs, X509_free);
	free(cp);
	return ret;
}

int
keys_sign(EVP_PKEY *key, const void *msg, size_t n, unsigned char **sig, size_t *siglen,
	  struct cf_err *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char *s = NULL;
	size_t len = 0;
	int ret = -1;

	if (md == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &len, msg, n) != 1) {
		cf_err_ssl(err, "cannot sign");
		goto out;
	}
	s = xmalloc(len);
	if (EVP_DigestSign(md, s, &len, msg, n) != 1) {
		cf_err_ssl(err, "cannot sign");
		free(s);
		goto out;
	}
	*sig = s;
	*siglen = len;
	ret = 0;
out:
	EVP_MD_CTX_free(md);
	return ret;
}

int
keys_verify(X509 *cert, const void *msg, size_t n, const unsigned char *sig, size_t siglen,
	    struct cf_err *err)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY *pub = X509_get0_pubkey(cert);
	int r = -1;

	if (md == NULL || pub == NULL ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) != 1) {
		cf_err_ssl(err, "cannot verify");
		goto out;
	}
	if (EVP_DigestVerify(md, sig, siglen, msg, n) != 1) {
		ERR_clear_error();
		cf_err_set(err, CF_EVERIFY, "signature does not match");
		goto out;
	}
	r = 0;
out:
	EVP_MD_CTX_free(md);
	return r;
}

void
keys_cert_fingerprint(X509 *cert, unsigned char out[CF_SHA256_LEN])
{
	unsigned int len = CF_SHA256_LEN;

	if (!X509_digest(cert, EVP_sha256(), out, &len))
		memset(out, 0, CF_SHA256_LEN);
}

char *
keys_fingerprint_str(const unsigned char fp[CF_SHA256_LEN], char *buf, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < CF_SHA256_LEN && o + 3 < n; i++)
		o += (size_t)snprintf(buf + o, n - o, i ? ":%02X" : "%02X", fp[i]);
	if (n)
		buf[o < n ? o : n - 1] = '\0';
	return buf;
}

char *
keys_cert_cn(X509 *cert)
{
	X509_NAME *name = X509_get_subject_name(cert);
	int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	unsigned char *utf8 = NULL;
	char *s;
	int n;

	if (i >= 0) {
		n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
		if (n >= 0) {
			s = xstrndup((char *)utf8, (size_t)n);
			OPENSSL_free(utf8);
			return s;
		}
	}
	{
		char *line = X509_NAME_oneline(name, NULL, 0);

		s = xstrdup(line ? line : "(no subject)");
		OPENSSL_free(line);
	}
	return s;
}

/* SPDX-License-Identifier: MIT */
/*
 * checkpoint — writing, parsing and verifying C2SP signed-note checkpoints.
 *
 * The parser follows the signed-note rules literally: valid UTF-8, no
 * control characters but '\n', the text ends at the last blank line, every
 * signature line is "— name base64" with a name free of spaces and '+'.
 * Then the checkpoint rules: origin non-empty, size decimal without leading
 * zeros, root exactly 32 bytes of canonical base64.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "casefile/base64.h"
#include "casefile/checkpoint.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"

#define EM_DASH "\xe2\x80\x94"

void
checkpoint_text(const char *origin, uint64_t size, const unsigned char root[CF_SHA256_LEN],
		struct cf_buf *out)
{
	cf_buf_addf(out, "%s\n%llu\n", origin, (unsigned long long)size);
	base64_encode(root, CF_SHA256_LEN, out);
	cf_buf_addch(out, '\n');
}

static int
key_is_ec(EVP_PKEY *k)
{
	return EVP_PKEY_get_base_id(k) == EVP_PKEY_EC;
}

static int
key_is_rsa(EVP_PKEY *k)
{
	return EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA;
}

int
checkpoint_key_id(const char *name, EVP_PKEY *pub, unsigned char id[4], struct cf_err *err)
{
	unsigned char *der = NULL, h[CF_SHA256_LEN];
	struct cf_buf b = CF_BUF_INIT;
	int len;

	if (!key_is_ec(pub) && !key_is_rsa(pub))
		return cf_err_set(err, CF_ECRYPTO,
				  "checkpoint keys must be ECDSA or RSA, not '%s'",
				  EVP_PKEY_get0_type_name(pub));
	if ((len = i2d_PUBKEY(pub, &der)) <= 0)
		return cf_err_ssl(err, "cannot encode the public key");
	if (key_is_ec(pub)) {
		cf_sha256(der, (size_t)len, h);
	} else {
		cf_buf_addstr(&b, name);
		cf_buf_addch(&b, '\n');
		cf_buf_addch(&b, 0xff);
		cf_buf_addstr(&b, CHECKPOINT_RSA_LABEL);
		cf_buf_add(&b, der, (size_t)len);
		cf_sha256(b.data, b.len, h);
		cf_buf_release(&b);
	}
	OPENSSL_free(der);
	memcpy(id, h, 4);
	return 0;
}

static int
valid_key_name(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (*p == '\0')
		return 0;
	for (; *p; p++)
		if (*p <= ' ' || *p == '+' || *p == 0x7f)
			return 0;
	return 1;
}

int
checkpoint_sign(const char *origin, uint64_t size, const unsigned char root[CF_SHA256_LEN],
		EVP_PKEY *key, char **note, size_t *len, unsigned char key_id[4],
		struct cf_err *err)
{
	struct cf_buf text = CF_BUF_INIT, sigb = CF_BUF_INIT;
	EVP_MD_CTX *mctx = NULL;
	unsigned char id[4], *sig = NULL;
	size_t siglen = 0;
	int ret = -1;

	if (!valid_key_name(origin))
		return cf_err_set(err, CF_EINPUT, "bad checkpoint origin '%s'", origin);
	if (checkpoint_key_id(origin, key, id, err) < 0)
		return -1;
	checkpoint_text(origin, size, root, &text);
	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(mctx, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(mctx, NULL, &siglen, (const unsigned char *)text.data, text.len) != 1) {
		cf_err_ssl(err, "cannot sign the checkpoint");
		goto out;
	}
	sig = xmalloc(siglen);
	if (EVP_DigestSign(mctx, sig, &siglen, (const unsigned char *)text.data, text.len) != 1) {
		cf_err_ssl(err, "cannot sign the checkpoint");
		goto out;
	}
	cf_buf_add(&sigb, id, 4);
	cf_buf_add(&sigb, sig, siglen);
	cf_buf_addstr(&text, "\n" EM_DASH " ");
	cf_buf_addstr(&text, origin);
	cf_buf_addch(&text, ' ');
	base64_encode(sigb.data, sigb.len, &text);
	cf_buf_addch(&text, '\n');
	if (key_id)
		memcpy(key_id, id, 4);
	*note = cf_buf_detach(&text, len);
	ret = 0;
out:
	EVP_MD_CTX_free(mctx);
	free(sig);
	cf_buf_release(&sigb);
	cf_buf_release(&text);
	return ret;
}

void
checkpoint_init(struct checkpoint *cp)
{
	memset(cp, 0, sizeof(*cp));
}

void
checkpoint_release(struct checkpoint *cp)
{
	size_t i;

	if (cp == NULL)
		return;
	for (i = 0; i < cp->nsigs; i++) {
		free(cp->sigs[i].name);
		free(cp->sigs[i].sig);
	}
	free(cp->sigs);
	free(cp->origin);
	checkpoint_init(cp);
}

static int
parse_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int
parse_sig_line(const char *s, size_t n, struct checkpoint_sig *sig, struct cf_err *err,
	       size_t lineno)
{
	const char *name, *sp;
	struct cf_buf b = CF_BUF_INIT;
	size_t dash = sizeof(EM_DASH) - 1;

	if (n < dash + 1 || memcmp(s, EM_DASH " ", dash + 1) != 0)
		return cf_err_set(err, CF_EINPUT, "line %zu: signature line does not start with '— '",
				  lineno);
	name = s + dash + 1;
	sp = memchr(name, ' ', n - dash - 1);
	if (sp == NULL || sp == name)
		return cf_err_set(err, CF_EINPUT, "line %zu: signature line has no key name", lineno);
	sig->name = xstrndup(name, (size_t)(sp - name));
	if (!valid_key_name(sig->name))
		goto bad_name;
	if (base64_decode(sp + 1, (size_t)(s + n - sp - 1), &b) < 0 || b.len < 5) {
		cf_buf_release(&b);
		free(sig->name);
		sig->name = NULL;
		return cf_err_set(err, CF_EINPUT, "line %zu: bad signature encoding", lineno);
	}
	memcpy(sig->key_id, b.data, 4);
	sig->sig_len = b.len - 4;
	sig->sig = xmemdup(b.data + 4, sig->sig_len);
	cf_buf_release(&b);
	return 0;
bad_name:
	free(sig->name);
	sig->name = NULL;
	return cf_err_set(err, CF_EINPUT, "line %zu: bad key name", lineno);
}

int
checkpoint_parse(const char *s, size_t n, struct checkpoint *cp, struct cf_err *err)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *line, *end, *text_end = NULL;
	struct cf_buf root = CF_BUF_INIT;
	size_t i, lineno;

	checkpoint_init(cp);
	if (n > CHECKPOINT_MAX_LEN)
		return cf_err_set(err, CF_EINPUT, "checkpoint is larger than %d bytes",
				  CHECKPOINT_MAX_LEN);
	for (i = 0; i < n;) {
		unsigned c;
		size_t l;

		if (u[i] < 0x20 && u[i] != '\n')
			return cf_err_set(err, CF_EINPUT, "checkpoint has a control character at byte %zu", i);
		if ((l = textenc_utf8_seq(u + i, n - i, &c)) == 0)
			return cf_err_set(err, CF_EINPUT, "checkpoint is not valid UTF-8 at byte %zu", i);
		i += l;
	}
	if (n == 0 || s[n - 1] != '\n')
		return cf_err_set(err, CF_EINPUT, "checkpoint does not end with a newline");
	/* The text ends at the last blank line: the last "\n\n". */
	for (i = n - 1; i > 0; i--)
		if (s[i] == '\n' && s[i - 1] == '\n') {
			text_end = s + i;	/* points at the blank line */
			break;
		}
	if (text_end == NULL)
		return cf_err_set(err, CF_EINPUT, "checkpoint has no signatures (no blank line)");
	cp->text_len = (size_t)(text_end - s);

	/* Signature lines. */
	lineno = 1;
	for (i = 0; i < cp->text_len + 1; i++)
		if (s[i] == '\n')
			lineno++;
	for (line = text_end + 1; line < s + n; line = end + 1, lineno++) {
		end = memchr(line, '\n', (size_t)(s + n - line));
		if (cp->nsigs == CHECKPOINT_MAX_SIGS) {
			cf_err_set(err, CF_EINPUT, "checkpoint has more than %d signatures",
				   CHECKPOINT_MAX_SIGS);
			goto fail;
		}
		cp->sigs = xreallocarray(cp->sigs, cp->nsigs + 1, sizeof(*cp->sigs));
		memset(&cp->sigs[cp->nsigs], 0, sizeof(*cp->sigs));
		if (parse_sig_line(line, (size_t)(end - line), &cp->sigs[cp->nsigs], err, lineno) < 0)
			goto fail;
		cp->nsigs++;
	}
	if (cp->nsigs == 0) {
		cf_err_set(err, CF_EINPUT, "checkpoint has no signature lines");
		goto fail;
	}

	/* The checkpoint body: origin, size, root, extension lines. */
	line = s;
	end = memchr(line, '\n', cp->text_len);
	if (end == line) {
		cf_err_set(err, CF_EINPUT, "line 1: empty origin");
		goto fail;
	}
	cp->origin = xstrndup(line, (size_t)(end - line));
	line = end + 1;
	end = line < text_end ? memchr(line, '\n', (size_t)(text_end - line)) : NULL;
	if (end == NULL || parse_size(line, (size_t)(end - line), &cp->size) < 0) {
		cf_err_set(err, CF_EINPUT, "line 2: bad tree size");
		goto fail;
	}
	line = end + 1;
	end = line < text_end ? memchr(line, '\n', (size_t)(text_end - line)) : NULL;
	if (end == NULL || base64_decode(line, (size_t)(end - line), &root) < 0 ||
	    root.len != CF_SHA256_LEN) {
		cf_err_set(err, CF_EINPUT, "line 3: bad root hash");
		goto fail;
	}
	memcpy(cp->root, root.data, CF_SHA256_LEN);
	cf_buf_release(&root);
	/* Extension lines must not be empty (the last blank line ends the text). */
	for (line = end + 1; line < text_end; line = end + 1) {
		end = memchr(line, '\n', (size_t)(text_end - line));
		if (end == line) {
			cf_err_set(err, CF_EINPUT, "checkpoint has an empty line in its text");
			goto fail;
		}
	}
	return 0;
fail:
	cf_buf_release(&root);
	checkpoint_release(cp);
	return -1;
}

int
checkpoint_verify(const struct checkpoint *cp, const char *s, size_t n, EVP_PKEY *pub,
		  struct cf_err *err)
{
	unsigned char id[4];
	EVP_MD_CTX *mctx = NULL;
	size_t i;
	int rc;

	if (cp->text_len > n)
		CF_BUG("checkpoint_verify on other bytes than were parsed");
	if (checkpoint_key_id(cp->origin, pub, id, err) < 0)
		return -1;
	for (i = 0; i < cp->nsigs; i++)
		if (!strcmp(cp->sigs[i].name, cp->origin) && !memcmp(cp->sigs[i].key_id, id, 4))
			break;
	if (i == cp->nsigs)
		return cf_err_set(err, CF_EVERIFY, "checkpoint has no signature by key '%s' (id %02x%02x%02x%02x)",
				  cp->origin, id[0], id[1], id[2], id[3]);
	if ((mctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(mctx, NULL, EVP_sha256(), NULL, pub) != 1) {
		EVP_MD_CTX_free(mctx);
		return cf_err_ssl(err, "cannot verify the checkpoint");
	}
	rc = EVP_DigestVerify(mctx, cp->sigs[i].sig, cp->sigs[i].sig_len,
			      (const unsigned char *)s, cp->text_len);
	EVP_MD_CTX_free(mctx);
	ERR_clear_error();
	if (rc != 1)
		return cf_err_set(err, CF_EVERIFY, "bad checkpoint signature by key '%s'", cp->origin);
	return 0;
}

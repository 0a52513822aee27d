/* SPDX-License-Identifier: MIT */
/*
 * test_checkpoint — C2SP checkpoints: exact text, ECDSA and RSA signatures,
 * key IDs, a signed-note example from the spec, forgeries and malformed
 * notes; and the strict base64 they rely on.
 */
#include "testutil.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "casefile/base64.h"
#include "casefile/checkpoint.h"
#include "casefile/hash.h"

static EVP_PKEY *
ec_key(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	assert_non_null(k);
	return k;
}

static EVP_PKEY *
rsa_key(void)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);

	assert_non_null(k);
	return k;
}

static void
test_base64(void **state)
{
	static const struct { const char *raw, *enc; } v[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	static const char *const bad[] = {
		"Zg=", "Zg", "Zh==", "Zm9=", "Z===", "Zm 9v", "Zm9v\n", "=Zg=", "Zm=v", "Zm9vY",
	};
	struct cf_buf b = CF_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cf_buf_reset(&b);
		base64_encode(v[i].raw, strlen(v[i].raw), &b);
		assert_string_equal(b.data, v[i].enc);
		cf_buf_reset(&b);
		assert_int_equal(base64_decode(v[i].enc, strlen(v[i].enc), &b), 0);
		assert_int_equal(b.len, strlen(v[i].raw));
		assert_memory_equal(b.data, v[i].raw, b.len);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cf_buf_reset(&b);
		cf_buf_addstr(&b, "x");
		assert_int_equal(base64_decode(bad[i], strlen(bad[i]), &b), -1);
		assert_int_equal(b.len, 1);	/* unchanged on failure */
	}
	cf_buf_release(&b);
}

static void
root_of(const char *s, unsigned char r[32])
{
	cf_sha256(s, strlen(s), r);
}

static void
sign_verify(EVP_PKEY *key, EVP_PKEY *other)
{
	struct cf_err err = CF_ERR_INIT;
	struct checkpoint cp;
	struct cf_buf want = CF_BUF_INIT;
	unsigned char root[32], id[4], id2[4];
	char *note = NULL;
	size_t len;

	root_of("root", root);
	assert_int_equal(checkpoint_sign("casefile/abc-123", 42, root, key, &note, &len, id, &err), 0);
	assert_int_equal(strlen(note), len);
	/* The text is exactly origin, size, base64 root, blank line, signature. */
	cf_buf_addstr(&want, "casefile/abc-123\n42\n");
	base64_encode(root, 32, &want);
	cf_buf_addstr(&want, "\n\n\xe2\x80\x94 casefile/abc-123 ");
	assert_memory_equal(note, want.data, want.len);
	assert_int_equal(note[len - 1], '\n');

	assert_int_equal(checkpoint_parse(note, len, &cp, &err), 0);
	assert_string_equal(cp.origin, "casefile/abc-123");
	assert_int_equal(cp.size, 42);
	assert_memory_equal(cp.root, root, 32);
	assert_int_equal(cp.nsigs, 1);
	assert_int_equal(cp.text_len, strchr(strchr(strchr(note, '\n') + 1, '\n') + 1, '\n') + 1 - note);
	assert_memory_equal(cp.sigs[0].key_id, id, 4);
	assert_int_equal(checkpoint_key_id("casefile/abc-123", key, id2, &err), 0);
	assert_memory_equal(id, id2, 4);
	assert_int_equal(checkpoint_verify(&cp, note, len, key, &err), 0);
	/* Another key: no signature by it. */
	assert_int_equal(checkpoint_verify(&cp, note, len, other, &err), -1);
	assert_int_equal(err.code, CF_EVERIFY);
	assert_non_null(strstr(err.msg, "no signature by key"));
	checkpoint_release(&cp);

	/* Forged size: the text changes, the signature no longer matches. */
	note[strlen("casefile/abc-123\n")] = '9';
	assert_int_equal(checkpoint_parse(note, len, &cp, &err), 0);
	assert_int_equal(cp.size, 92);
	assert_int_equal(checkpoint_verify(&cp, note, len, key, &err), -1);
	assert_int_equal(err.code, CF_EVERIFY);
	assert_non_null(strstr(err.msg, "bad checkpoint signature"));
	checkpoint_release(&cp);
	note[strlen("casefile/abc-123\n")] = '4';

	/* A flipped signature byte (keep the base64 canonical: swap A/B). */
	{
		char *sig = strrchr(note, ' ') + 1;
		char *c = sig + 12;

		*c = *c == 'A' ? 'B' : 'A';
		assert_int_equal(checkpoint_parse(note, len, &cp, &err), 0);
		assert_int_equal(checkpoint_verify(&cp, note, len, key, &err), -1);
		checkpoint_release(&cp);
	}
	free(note);
	cf_buf_release(&want);
	cf_err_release(&err);
}

static void
test_sign_ecdsa(void **state)
{
	EVP_PKEY *k = ec_key(), *o = ec_key();
	unsigned char *der = NULL, h[32], id[4];
	int len;
	struct cf_err err = CF_ERR_INIT;

	(void)state;
	sign_verify(k, o);
	/* ECDSA key ID = SHA-256(SPKI DER)[:4], the C2SP rule for type 0x02. */
	len = i2d_PUBKEY(k, &der);
	assert_true(len > 0);
	cf_sha256(der, (size_t)len, h);
	assert_int_equal(checkpoint_key_id("any/name", k, id, &err), 0);
	assert_memory_equal(id, h, 4);
	OPENSSL_free(der);
	EVP_PKEY_free(k);
	EVP_PKEY_free(o);
}

static void
test_sign_rsa(void **state)
{
	EVP_PKEY *k = rsa_key(), *o = ec_key();
	unsigned char id1[4], id2[4];
	struct cf_err err = CF_ERR_INIT;

	(void)state;
	sign_verify(k, o);
	/* RSA key IDs depend on the name (signed-note recommendation). */
	assert_int_equal(checkpoint_key_id("a/b", k, id1, &err), 0);
	assert_int_equal(checkpoint_key_id("a/c", k, id2, &err), 0);
	assert_memory_not_equal(id1, id2, 4);
	EVP_PKEY_free(k);
	EVP_PKEY_free(o);
}

static void
test_unsupported_key(void **state)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	struct cf_err err = CF_ERR_INIT;
	unsigned char root[32] = { 0 };
	char *note = NULL;
	size_t len;

	(void)state;
	assert_non_null(k);
	assert_int_equal(checkpoint_sign("a/b", 1, root, k, &note, &len, NULL, &err), -1);
	assert_int_equal(err.code, CF_ECRYPTO);
	assert_null(note);
	EVP_PKEY_free(k);
	k = ec_key();
	assert_int_equal(checkpoint_sign("bad name", 1, root, k, &note, &len, NULL, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_int_equal(checkpoint_sign("a+b", 1, root, k, &note, &len, NULL, &err), -1);
	EVP_PKEY_free(k);
	cf_err_release(&err);
}

/* A checkpoint with foreign extension lines and a second signer parses. */
static void
test_parse_foreign(void **state)
{
	static const char note[] =
		"example.com/log\n"
		"0\n"
		"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
		"extension line\n"
		"\n"
		"\xe2\x80\x94 example.com/log AAAAAQEC\n"
		"\xe2\x80\x94 witness.example/w1 AQIDBAUG\n";
	struct cf_err err = CF_ERR_INIT;
	struct checkpoint cp;
	unsigned char empty[32];

	(void)state;
	assert_int_equal(checkpoint_parse(note, sizeof(note) - 1, &cp, &err), 0);
	assert_string_equal(cp.origin, "example.com/log");
	assert_int_equal(cp.size, 0);
	cf_sha256("", 0, empty);
	assert_memory_equal(cp.root, empty, 32);
	assert_int_equal(cp.nsigs, 2);
	assert_string_equal(cp.sigs[1].name, "witness.example/w1");
	assert_int_equal(cp.sigs[1].sig_len, 2);
	assert_int_equal(cp.text_len, strstr(note, "\n\n") + 1 - note);
	checkpoint_release(&cp);
}

static void
test_parse_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"a/b\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",	/* no sigs */
		"a/b\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n",	/* blank, no sig */
		"a/b\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 a/b AAAAAQEC",	/* no final NL */
		"a/b\n01\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 a/b AAAAAQEC\n",
		"a/b\n-1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 a/b AAAAAQEC\n",
		"a/b\n18446744073709551616\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 a/b AAAAAQEC\n",
		"a/b\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuF=\n\n\xe2\x80\x94 a/b AAAAAQEC\n",
		"a/b\n1\nAAAA\n\n\xe2\x80\x94 a/b AAAAAQEC\n",				/* short root */
		"a/b\n1\n\n\xe2\x80\x94 a/b AAAAAQEC\n",				/* no root */
		"\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 a/b AAAAAQEC\n",
		"a/b\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n-- a/b AAAAAQEC\n",
		"a/b\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 a/b AAAA\n",	/* sig < 5 bytes */
		"a/b\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 a/b\n",
		"a/b\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94  AAAAAQEC\n",
		"a/b\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 a+b AAAAAQEC\n",
		"a/b\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 a/b AAAAAQEC\n\n",
		"a/b\t\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 a/b AAAAAQEC\n",
		"a/\xff\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 a/b AAAAAQEC\n",
		"a/\xc0\xaf\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 a/b AAAAAQEC\n",
		"a/b\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\n\xe2\x80\x94 a/b AAAAAQEC\n",
		"a/b\n1\n\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\xe2\x80\x94 a/b AAAAAQEC\n",
		"a/b\n\n\xe2\x80\x94 a/b AAAAAQEC\n",
	};
	struct cf_err err = CF_ERR_INIT;
	struct checkpoint cp;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (checkpoint_parse(bad[i], strlen(bad[i]), &cp, &err) == 0)
			fail_msg("malformed checkpoint %zu accepted", i);
		assert_int_equal(err.code, CF_EINPUT);
		assert_null(cp.origin);
		assert_int_equal(cp.nsigs, 0);
	}
	/* A NUL byte inside. */
	assert_int_equal(checkpoint_parse("a/b\0\n1\n", 7, &cp, &err), -1);
	cf_err_release(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_sign_ecdsa),
		cmocka_unit_test(test_sign_rsa),
		cmocka_unit_test(test_unsupported_key),
		cmocka_unit_test(test_parse_foreign),
		cmocka_unit_test(test_parse_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/* Unit tests for keys.c: generation, loading, key hygiene, sign/verify. */
#include "testutil.h"

#include <sys/stat.h>

#include "casefile/keys.h"

static void
test_generate_load_sign(void **state)
{
	struct keys_gen_opts o = { "Unit Shop", "Org", 0, 30, 0, NULL };
	struct cf_err err = CF_ERR_INIT;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *chain = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	struct stat st;
	char *cn;

	(void)state;
	o.not_before = time(NULL);
	assert_int_equal(mkdir("v", 0755), 0);
	assert_int_equal(keys_generate("v", &o, &err), 0);
	assert_int_equal(stat("v/keys/signing.key", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(keys_load_pass("v", NULL, &key, &cert, &chain, &err), 0);
	assert_int_equal(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
	assert_int_equal(sk_X509_num(chain), 0);
	cn = keys_cert_cn(cert);
	assert_string_equal(cn, "Unit Shop");
	free(cn);
	assert_int_equal(keys_sign(key, "tree head", 9, &sig, &siglen, &err), 0);
	assert_int_equal(keys_verify(cert, "tree head", 9, sig, siglen, &err), 0);
	assert_int_equal(keys_verify(cert, "tree heaD", 9, sig, siglen, &err), -1);
	assert_int_equal(err.code, CF_EVERIFY);
	cf_err_release(&err);
	free(sig);
	/* never overwritten */
	assert_int_equal(keys_generate("v", &o, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	cf_err_release(&err);
	/* a key readable by others is refused */
	assert_int_equal(chmod("v/keys/signing.key", 0640), 0);
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(chain, X509_free);
	key = NULL;
	cert = NULL;
	chain = NULL;
	assert_int_equal(keys_load_pass("v", NULL, &key, &cert, &chain, &err), -1);
	assert_non_null(strstr(err.msg, "accessible by group or others"));
	assert_null(key);
	cf_err_release(&err);
}

static void
test_passphrase(void **state)
{
	struct keys_gen_opts o = { NULL, NULL, 0, 30, KEYS_GEN_RSA, "pw" };
	struct cf_err err = CF_ERR_INIT;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *chain = NULL;
	char *pass = NULL;

	(void)state;
	o.not_before = time(NULL);
	assert_int_equal(mkdir("w", 0755), 0);
	assert_int_equal(keys_generate("w", &o, &err), 0);
	/* issue 11, item 7 (2026-12): every key problem is CF_EINPUT, said exactly */
	assert_int_equal(keys_load_pass("w", NULL, &key, &cert, &chain, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_non_null(strstr(err.msg, "is encrypted: give its passphrase in CASEFILE_PASSPHRASE"));
	cf_err_release(&err);
	assert_int_equal(keys_load_pass("w", "wrong", &key, &cert, &chain, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_string_equal(err.msg, "wrong passphrase for key file 'w/keys/signing.key'");
	cf_err_release(&err);
	assert_int_equal(keys_load_pass("w", "pw", &key, &cert, &chain, &err), 0);
	assert_int_equal(EVP_PKEY_get_bits(key), 3072);
	test_write_file("pass.txt", "pw\n", 3);
	assert_int_equal(keys_read_pass("pass.txt", NULL, &pass, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_non_null(strstr(err.msg, "accessible by group or others"));
	cf_err_release(&err);
	assert_int_equal(chmod("pass.txt", 0600), 0);
	assert_int_equal(keys_read_pass("pass.txt", NULL, &pass, &err), 0);
	assert_string_equal(pass, "pw");
	keys_pass_free(pass);
	test_write_file("empty.txt", "\n", 1);
	assert_int_equal(chmod("empty.txt", 0600), 0);
	assert_int_equal(keys_read_pass("empty.txt", NULL, &pass, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	cf_err_release(&err);
	assert_int_equal(keys_read_pass(NULL, "", &pass, &err), -1);
	assert_non_null(strstr(err.msg, "set but empty"));
	cf_err_release(&err);
	unsetenv("CASEFILE_PASSPHRASE");
	assert_int_equal(keys_load_pass("nowhere", NULL, &key, &cert, &chain, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	cf_err_release(&err);
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(chain, X509_free);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate_load_sign),
		cmocka_unit_test(test_passphrase),
	};

	return cmocka_run_group_tests(tests, test_tmpdir_setup, test_tmpdir_teardown);
}

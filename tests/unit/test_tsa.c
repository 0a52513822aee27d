/* SPDX-License-Identifier: MIT */
/* Unit tests for tsa.c: the RFC 3161 client against the in-process TSA. */
#include "testutil.h"
#include "testpki.h"

#include "casefile/tsa.h"
#include "tsa_test.h"

static EVP_PKEY *ca_key, *tsa_key;
static X509 *ca, *tsa_cert;
static struct tsa_server *srv;

static int
setup(void **state)
{
	struct cf_err err = CF_ERR_INIT;

	if (test_tmpdir_setup(state) < 0)
		return -1;
	ca_key = EVP_EC_gen("P-256");
	tsa_key = EVP_EC_gen("P-256");
	ca = testpki_cert(ca_key, "unit CA", NULL, NULL, "ca", 0, 2);
	tsa_cert = testpki_cert(tsa_key, "unit tsa", ca, ca_key, "tsa", 0, 2);
	testpki_write_cert("ca.pem", ca);
	return tsa_server_new(tsa_key, tsa_cert, NULL, &srv, &err);
}

static int
teardown(void **state)
{
	tsa_server_free(srv);
	X509_free(ca);
	X509_free(tsa_cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(tsa_key);
	return test_tmpdir_teardown(state);
}

static struct tsa_opts
opts(const char *ca_file)
{
	struct tsa_opts o;

	memset(&o, 0, sizeof(o));
	o.transport = tsa_server_transport;
	o.cookie = srv;
	o.ca_file = ca_file;
	return o;
}

static void
test_timestamp_and_verify(void **state)
{
	struct tsa_opts o = opts(NULL);
	struct cf_err err = CF_ERR_INIT;
	struct tsa_info info;
	unsigned char *tok = NULL;
	size_t len = 0;
	time_t now = time(NULL);

	(void)state;
	memset(&info, 0, sizeof(info));
	tsa_server_set_mode(srv, TSA_SERVER_OK);
	assert_int_equal(tsa_timestamp(&o, "hello", 5, &tok, &len, &info, &err), 0);
	assert_true(len > 100);
	assert_string_equal(info.tsa_name, "unit tsa");
	/* a test TSA stamps a test policy, never a real TSA's */
	assert_string_equal(info.policy, TSA_TEST_POLICY);
	assert_int_equal(info.trusted, 0);
	assert_true(info.time >= now - 5 && info.time <= now + 5);
	tsa_info_release(&info);
	/* against the right CA: trusted */
	assert_int_equal(tsa_token_verify(tok, len, "hello", 5, "ca.pem", &info, &err), 0);
	assert_int_equal(info.trusted, 1);
	tsa_info_release(&info);
	/* other data: the imprint does not match */
	assert_int_equal(tsa_token_verify(tok, len, "hellO", 5, NULL, NULL, &err), -1);
	assert_int_equal(err.code, CF_EVERIFY);
	assert_non_null(strstr(err.msg, "imprint does not match"));
	cf_err_release(&err);
	/* a byte flipped in the token */
	tok[len - 10] ^= 1;
	assert_int_equal(tsa_token_verify(tok, len, "hello", 5, NULL, NULL, &err), -1);
	cf_err_release(&err);
	/* garbage */
	assert_int_equal(tsa_token_verify((const unsigned char *)"xx", 2, "hello", 5, NULL, NULL, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	cf_err_release(&err);
	free(tok);
}

static void
test_untrusted_ca(void **state)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *other = testpki_cert(k, "other CA", NULL, NULL, "ca", 0, 2);
	struct tsa_opts o = opts("other.pem");
	struct cf_err err = CF_ERR_INIT;
	unsigned char *tok = NULL;
	size_t len;

	(void)state;
	testpki_write_cert("other.pem", other);
	tsa_server_set_mode(srv, TSA_SERVER_OK);
	assert_int_equal(tsa_timestamp(&o, "x", 1, &tok, &len, NULL, &err), -1);
	assert_int_equal(err.code, CF_ENET);
	assert_non_null(strstr(err.msg, "timestamp signature or tsa certificate is invalid"));
	assert_null(tok);
	cf_err_release(&err);
	X509_free(other);
	EVP_PKEY_free(k);
}

static void
test_bad_servers(void **state)
{
	static const struct { enum tsa_server_mode m; const char *msg; } cases[] = {
		{ TSA_SERVER_REJECT, "refused the request: status 2 (rejection)" },
		{ TSA_SERVER_GARBAGE, "not an RFC 3161 response" },
		{ TSA_SERVER_BADNONCE, "wrong nonce" },
	};
	struct tsa_opts o = opts(NULL);
	struct cf_err err = CF_ERR_INIT;
	unsigned char *tok = NULL;
	size_t len, i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tsa_server_set_mode(srv, cases[i].m);
		assert_int_equal(tsa_timestamp(&o, "x", 1, &tok, &len, NULL, &err), -1);
		assert_int_equal(err.code, CF_ENET);
		assert_non_null(strstr(err.msg, cases[i].msg));
		assert_null(tok);
		cf_err_release(&err);
	}
	tsa_server_set_mode(srv, TSA_SERVER_OK);
}

static void
test_http_errors(void **state)
{
	struct tsa_opts o;
	struct cf_err err = CF_ERR_INIT;
	unsigned char *tok = NULL;
	size_t len;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.url = "http://127.0.0.1:1/";	/* nothing listens on port 1 */
	o.timeout_ms = 2000;
	assert_int_equal(tsa_timestamp(&o, "x", 1, &tok, &len, NULL, &err), -1);
	assert_int_equal(err.code, CF_ENET);
	assert_non_null(strstr(err.msg, "cannot reach tsa 'http://127.0.0.1:1/'"));
	cf_err_release(&err);
	o.url = "file:///etc/passwd";
	assert_int_equal(tsa_timestamp(&o, "x", 1, &tok, &len, NULL, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	cf_err_release(&err);
}

static void
test_tsa_cert_without_eku(void **state)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *c = testpki_cert(k, "not a tsa", ca, ca_key, "signer", 0, 2);
	struct tsa_server *bad = NULL;
	struct tsa_opts o = opts(NULL);
	struct cf_err err = CF_ERR_INIT;
	unsigned char *tok = NULL;
	size_t len;

	(void)state;
	assert_int_equal(tsa_server_new(k, c, NULL, &bad, &err), 0);
	o.cookie = bad;
	/* TS_RESP_CTX refuses to sign, or the client refuses the token */
	assert_int_equal(tsa_timestamp(&o, "x", 1, &tok, &len, NULL, &err), -1);
	assert_int_equal(err.code, CF_ENET);
	assert_null(tok);
	cf_err_release(&err);
	tsa_server_free(bad);
	X509_free(c);
	EVP_PKEY_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timestamp_and_verify),
		cmocka_unit_test(test_untrusted_ca),
		cmocka_unit_test(test_bad_servers),
		cmocka_unit_test(test_http_errors),
		cmocka_unit_test(test_tsa_cert_without_eku),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

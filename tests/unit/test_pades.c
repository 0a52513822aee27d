/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for pades.c (and verify.c over its output): the CMS has exactly
 * the three signed attributes, B-T with the in-process TSA, the placeholder
 * retry, atomic failure, certificate checks, the signer summary.
 */
#include "testutil.h"
#include "testpki.h"

#include <dirent.h>
#include <sys/stat.h>

#include <openssl/cms.h>

#include "casefile/keys.h"
#include "casefile/pades.h"
#include "tsa_test.h"
#include "casefile/verify.h"

static EVP_PKEY *key, *ca_key, *tsa_key;
static X509 *cert, *ca, *tsa_cert;
static STACK_OF(X509) *chain;

static const char pdf_text[] =
	"%PDF-1.4\n"
	"1 0 obj\n<</Type /Catalog /Pages 2 0 R>>\nendobj\n"
	"2 0 obj\n<</Type /Pages /Kids [3 0 R] /Count 1>>\nendobj\n"
	"3 0 obj\n<</Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]>>\nendobj\n"
	"xref\n0 4\n0000000000 65535 f\r\n0000000009 00000 n\r\n0000000056 00000 n\r\n"
	"0000000111 00000 n\r\ntrailer\n<</Size 4 /Root 1 0 R>>\nstartxref\n180\n%%EOF";

static int
setup(void **state)
{
	struct keys_gen_opts o = { "Unit Signer", NULL, 0, 30, 0, NULL };
	struct cf_err err = CF_ERR_INIT;

	if (test_tmpdir_setup(state) < 0)
		return -1;
	o.not_before = time(NULL) - 60;
	if (mkdir("v", 0755) < 0 || keys_generate("v", &o, &err) < 0 ||
	    keys_load_pass("v", NULL, &key, &cert, &chain, &err) < 0)
		return -1;
	ca_key = EVP_EC_gen("P-256");
	tsa_key = EVP_EC_gen("P-256");
	ca = testpki_cert(ca_key, "unit CA", NULL, NULL, "ca", 0, 2);
	tsa_cert = testpki_cert(tsa_key, "unit tsa", ca, ca_key, "tsa", 0, 2);
	testpki_write_cert("ca.pem", ca);
	return 0;
}

static int
teardown(void **state)
{
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(tsa_key);
	X509_free(cert);
	X509_free(ca);
	X509_free(tsa_cert);
	sk_X509_pop_free(chain, X509_free);
	return test_tmpdir_teardown(state);
}

static void
test_cms_attributes(void **state)
{
	unsigned char digest[CF_SHA256_LEN] = { 1, 2, 3 }, *der = NULL;
	const unsigned char *p;
	struct cf_err err = CF_ERR_INIT;
	CMS_ContentInfo *cms;
	CMS_SignerInfo *si;
	size_t len;

	(void)state;
	assert_int_equal(pades_cms_build(key, cert, chain, digest, NULL, &der, &len, NULL, &err), 0);
	p = der;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
	assert_non_null(cms);
	assert_null(CMS_get0_content(cms) ? *CMS_get0_content(cms) : NULL);	/* detached */
	si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
	assert_int_equal(CMS_signed_get_attr_count(si), 3);
	assert_true(CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, -1) >= 0);
	assert_true(CMS_signed_get_attr_by_NID(si, NID_pkcs9_messageDigest, -1) >= 0);
	assert_true(CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1) >= 0);
	assert_true(CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) < 0);
	assert_true(CMS_unsigned_get_attr_count(si) <= 0);
	/* the signature we set is valid over the DER attributes OpenSSL re-encodes */
	CMS_SignerInfo_set1_signer_cert(si, cert);
	assert_int_equal(CMS_SignerInfo_verify(si), 1);
	CMS_ContentInfo_free(cms);
	free(der);
}

static int
count_temp_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, "casefile-sign"))
			n++;
	closedir(d);
	return n;
}

static void
sign_and_verify(struct tsa_server *srv, struct pades_result *res)
{
	struct tsa_opts to;
	struct pades_opts po;
	struct verify_opts vo;
	struct verify_report r;
	struct cf_err err = CF_ERR_INIT;
	size_t i;

	memset(&to, 0, sizeof(to));
	to.transport = tsa_server_transport;
	to.cookie = srv;
	to.ca_file = "ca.pem";
	memset(&po, 0, sizeof(po));
	po.when = time(NULL);
	po.reason = "证据";
	po.tsa = &to;
	test_write_file("in.pdf", pdf_text, sizeof(pdf_text) - 1);
	if (pades_sign_file("in.pdf", "out.pdf", key, cert, chain, &po, res, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(res->timestamped, 1);
	assert_true(res->cms_len <= res->placeholder);
	memset(&vo, 0, sizeof(vo));
	vo.tsa_ca_file = "ca.pem";
	vo.now = time(NULL);
	verify_report_init(&r);
	assert_int_equal(verify_file("out.pdf", &vo, &r, &err), 0);
	for (i = 0; i < r.n; i++)
		if (r.v[i].status == VERIFY_FAIL)
			fail_msg("%s: %s", r.v[i].name, r.v[i].detail);
	assert_true(verify_report_ok(&r));
	for (i = 0; i < r.n; i++)
		if (!strcmp(r.v[i].name, "timestamp"))
			assert_int_equal(r.v[i].status, VERIFY_PASS);
	verify_report_release(&r);
}

static void
test_sign_bt(void **state)
{
	struct tsa_server *srv = NULL;
	struct pades_result res;
	struct cf_err err = CF_ERR_INIT;

	(void)state;
	assert_int_equal(tsa_server_new(tsa_key, tsa_cert, NULL, &srv, &err), 0);
	sign_and_verify(srv, &res);
	assert_int_equal(res.retried, 0);
	assert_string_equal(res.tsa.tsa_name, "unit tsa");
	assert_int_equal(res.tsa.trusted, 1);
	tsa_info_release(&res.tsa);
	tsa_server_free(srv);
}

static void
test_placeholder_retry(void **state)
{
	STACK_OF(X509) *big = sk_X509_new_null();
	struct tsa_server *srv = NULL;
	struct pades_result res;
	struct cf_err err = CF_ERR_INIT;
	int i;

	(void)state;
	/* a TSA that ships a long chain makes a token larger than the reserve */
	for (i = 0; i < 60; i++) {
		X509 *c = testpki_cert(ca_key, "padding CA certificate with a long name", NULL,
				       NULL, "ca", 0, 2);

		sk_X509_push(big, c);
	}
	assert_int_equal(tsa_server_new(tsa_key, tsa_cert, big, &srv, &err), 0);
	sign_and_verify(srv, &res);
	assert_int_equal(res.retried, 1);
	assert_true(res.cms_len > 12288);
	tsa_info_release(&res.tsa);
	tsa_server_free(srv);
	sk_X509_pop_free(big, X509_free);
}

static void
test_failures_leave_nothing(void **state)
{
	struct tsa_server *srv = NULL;
	struct tsa_opts to;
	struct pades_opts po;
	struct pades_result res;
	struct cf_err err = CF_ERR_INIT;
	struct stat st;

	(void)state;
	assert_int_equal(tsa_server_new(tsa_key, tsa_cert, NULL, &srv, &err), 0);
	tsa_server_set_mode(srv, TSA_SERVER_REJECT);
	memset(&to, 0, sizeof(to));
	to.transport = tsa_server_transport;
	to.cookie = srv;
	memset(&po, 0, sizeof(po));
	po.when = time(NULL);
	po.tsa = &to;
	test_write_file("in.pdf", pdf_text, sizeof(pdf_text) - 1);
	unlink("fail.pdf");
	assert_int_equal(pades_sign_file("in.pdf", "fail.pdf", key, cert, chain, &po, &res, &err), -1);
	assert_int_equal(err.code, CF_ENET);
	cf_err_release(&err);
	assert_int_equal(stat("fail.pdf", &st), -1);
	assert_int_equal(count_temp_files("."), 0);
	/* expired certificate */
	po.tsa = NULL;
	po.when = time(NULL) + 40 * 86400;
	assert_int_equal(pades_sign_file("in.pdf", "fail.pdf", key, cert, chain, &po, &res, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_non_null(strstr(err.msg, "expired"));
	cf_err_release(&err);
	/* not a PDF */
	po.when = time(NULL);
	test_write_file("junk.pdf", "junk", 4);
	assert_int_equal(pades_sign_file("junk.pdf", "fail.pdf", key, cert, chain, &po, &res, &err), -1);
	assert_int_equal(err.code, CF_EPDF);
	cf_err_release(&err);
	assert_int_equal(stat("fail.pdf", &st), -1);
	assert_int_equal(count_temp_files("."), 0);
	tsa_server_free(srv);
}

static void
test_signer_info(void **state)
{
	struct pades_signer_info si;

	(void)state;
	pades_signer_info_init(&si, cert, NULL);
	assert_string_equal(si.cn, "Unit Signer");
	assert_int_equal(strlen(si.fingerprint), 95);
	assert_string_equal(si.timestamp, "no timestamp (PAdES B-B)");
	assert_true(si.not_after > time(NULL));
	pades_signer_info_release(&si);
	pades_signer_info_init(&si, cert, "https://tsa.example/");
	assert_string_equal(si.timestamp, "https://tsa.example/");
	pades_signer_info_release(&si);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cms_attributes),
		cmocka_unit_test(test_sign_bt),
		cmocka_unit_test(test_placeholder_retry),
		cmocka_unit_test(test_failures_leave_nothing),
		cmocka_unit_test(test_signer_info),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

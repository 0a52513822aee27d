/* SPDX-License-Identifier: MIT */
/*
 * test_seal — seal_run with a real RFC 3161 token (an in-process TSA built
 * on OpenSSL's TS_RESP_CTX right here), proofs.json written and verified,
 * and every tamper twin of proofs.json refused.
 */
#include "testutil.h"

#include <time.h>

#include <openssl/evp.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "casefile/db.h"
#include "casefile/db_sqlite.h"
#include "casefile/ledger.h"
#include "casefile/proofs.h"
#include "casefile/seal.h"
#include "casefile/tsa.h"
#include "tsa_test.h"
#include "casefile/vault.h"

/* --- a minimal TSA --------------------------------------------------------- */

struct tsa {
	EVP_PKEY *key;
	X509 *cert;
	int calls;
	int fail;
	int wrong_data;		/* timestamp other bytes than asked */
};

static X509 *
tsa_cert(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *nm;
	X509_EXTENSION *ext;

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"test tsa", -1, -1, 0);
	X509_set_issuer_name(x, nm);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	ext = X509V3_EXT_conf_nid(NULL, NULL, NID_ext_key_usage, "critical,timeStamping");
	assert_non_null(ext);
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	return x;
}

static int
tsa_stamp(void *cookie, const char *url, const void *data, size_t n, unsigned char **token,
	  size_t *len, struct cf_err *err)
{
	struct tsa *t = cookie;
	unsigned char dg[32];
	TS_REQ *req;
	TS_MSG_IMPRINT *mi;
	X509_ALGOR *alg;
	TS_RESP_CTX *ctx;
	ASN1_OBJECT *policy;
	BIO *bio;
	TS_RESP *resp;
	unsigned char *der = NULL;
	int dl;

	(void)url;
	t->calls++;
	if (t->fail)
		return cf_err_set(err, CF_ENET, "test tsa is down");
	req = TS_REQ_new();
	mi = TS_MSG_IMPRINT_new();
	alg = X509_ALGOR_new();
	ctx = TS_RESP_CTX_new();
	policy = OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1);
	bio = BIO_new(BIO_s_mem());
	cf_sha256(t->wrong_data ? "other" : data, t->wrong_data ? 5 : n, dg);
	X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL);
	TS_MSG_IMPRINT_set_algo(mi, alg);
	TS_MSG_IMPRINT_set_msg(mi, dg, 32);
	TS_REQ_set_version(req, 1);
	TS_REQ_set_msg_imprint(req, mi);
	TS_REQ_set_cert_req(req, 1);
	assert_true(i2d_TS_REQ_bio(bio, req) == 1);
	TS_RESP_CTX_set_signer_cert(ctx, t->cert);
	TS_RESP_CTX_set_signer_key(ctx, t->key);
	TS_RESP_CTX_set_def_policy(ctx, policy);
	TS_RESP_CTX_add_md(ctx, EVP_sha256());
	resp = TS_RESP_create_response(ctx, bio);
	assert_non_null(resp);
	assert_int_equal(ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(TS_RESP_get_status_info(resp))),
			 TS_STATUS_GRANTED);
	dl = i2d_PKCS7(TS_RESP_get_token(resp), &der);
	assert_true(dl > 0);
	*token = malloc((size_t)dl);
	memcpy(*token, der, (size_t)dl);
	*len = (size_t)dl;
	OPENSSL_free(der);
	TS_RESP_free(resp);
	BIO_free(bio);
	ASN1_OBJECT_free(policy);
	TS_RESP_CTX_free(ctx);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	TS_REQ_free(req);
	return 0;
}

/* --- fixtures ----------------------------------------------------------- */

struct fx {
	struct vault *v;
	struct cf_db *db;
	EVP_PKEY *key;
	struct tsa tsa;
	void *dir;		/* the test's temporary directory */
};

static void
add_rows(struct cf_db *db, int from, int to)
{
	int i;

	for (i = from; i <= to; i++) {
		char *sql = sqlite3_mprintf(
			"INSERT INTO objects VALUES(CAST(printf('%%032d', %d) AS BLOB), %d, 0);"
			"INSERT INTO evidence(id, order_id, kind, sha256, size, name, name_raw,"
			" ingested_at, tool_version) VALUES(%d, 'A1', 'photo',"
			" CAST(printf('%%032d', %d) AS BLOB), %d, 'p%d.jpg', x'00', %d, 't')",
			i, 100 + i, i, i, 100 + i, i, 1746238320 + i);

		assert_int_equal(sqlite3_exec(db_sqlite(db), sql, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_free(sql);
	}
}

static int
setup(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct fx *f = calloc(1, sizeof(*f));

	if (test_tmpdir_setup(&f->dir) < 0)
		return -1;
	if (vault_init("v", &err) < 0 || vault_open("v", 0, &f->v, &err) < 0)
		return -1;
	f->db = vault_db(f->v);
	f->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	f->tsa.key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	f->tsa.cert = tsa_cert(f->tsa.key);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	vault_close(f->v);
	EVP_PKEY_free(f->key);
	EVP_PKEY_free(f->tsa.key);
	X509_free(f->tsa.cert);
	*state = f->dir;
	free(f);
	return test_tmpdir_teardown(state);
}

static void
opts_for(struct fx *f, struct seal_opts *o, int with_tsa)
{
	memset(o, 0, sizeof(*o));
	o->key = f->key;
	o->now = 1746238400;
	if (with_tsa) {
		o->tsa_url = "http://tsa.test/";
		o->timestamp = tsa_stamp;
		o->cookie = &f->tsa;
	}
}

/* --- tests ----------------------------------------------------------------- */

static void
test_seal_with_token(void **state)
{
	struct fx *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct seal_opts o;
	struct seal_head h, h2;
	unsigned char root6[32];
	int sealed;
	int64_t t;
	uint64_t bf;

	add_rows(f->db, 1, 5);
	opts_for(f, &o, 1);
	assert_int_equal(seal_run(f->db, &o, &h, &sealed, &bf, &err), 0);
	assert_int_equal(sealed, 1);
	assert_int_equal(bf, 5);
	assert_int_equal(h.tree_size, 5);
	assert_non_null(h.tst);
	assert_int_equal(f->tsa.calls, 1);
	assert_int_equal(seal_token_check(h.tst, h.tst_len, h.checkpoint, h.checkpoint_len, &t, &err), 0);
	assert_true(t > time(NULL) - 600 && t < time(NULL) + 600);
	/* A token is bound to the exact bytes. */
	assert_int_equal(seal_token_check(h.tst, h.tst_len, h.checkpoint, h.checkpoint_len - 1, NULL, &err), -1);
	assert_int_equal(err.code, CF_EVERIFY);
	assert_non_null(strstr(err.msg, "imprint"));
	/* A flipped byte inside the token breaks its signature or its DER. */
	h.tst[h.tst_len - 10] ^= 1;
	assert_int_equal(seal_token_check(h.tst, h.tst_len, h.checkpoint, h.checkpoint_len, NULL, &err), -1);
	assert_int_equal(seal_token_check((const unsigned char *)"junk", 4, "x", 1, NULL, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);

	/* Nothing new: no TSA call, no head. */
	assert_int_equal(seal_run(f->db, &o, &h2, &sealed, NULL, &err), 0);
	assert_int_equal(sealed, 0);
	assert_int_equal(h2.tree_size, 5);
	assert_int_equal(f->tsa.calls, 1);
	seal_head_release(&h2);

	/* A TSA failure stores no head. */
	add_rows(f->db, 6, 6);
	f->tsa.fail = 1;
	assert_int_equal(seal_run(f->db, &o, &h2, &sealed, NULL, &err), -1);
	assert_int_equal(err.code, CF_ENET);
	assert_non_null(strstr(err.msg, "cannot timestamp tree head 6"));
	f->tsa.fail = 0;
	/* A TSA answering for other bytes is refused too. */
	f->tsa.wrong_data = 1;
	assert_int_equal(seal_run(f->db, &o, &h2, &sealed, NULL, &err), -1);
	assert_int_equal(err.code, CF_EVERIFY);
	f->tsa.wrong_data = 0;
	/*
	 * The default client is tsa.h's: its options come through the cookie.
	 * A TSA that refuses stores nothing ...
	 */
	{
		struct tsa_server *srv = NULL;
		struct tsa_opts to;

		assert_int_equal(tsa_server_new(f->tsa.key, f->tsa.cert, NULL, &srv, &err), 0);
		memset(&to, 0, sizeof(to));
		to.transport = tsa_server_transport;
		to.cookie = srv;
		o.timestamp = NULL;
		o.cookie = &to;
		tsa_server_set_mode(srv, TSA_SERVER_REJECT);
		assert_int_equal(seal_run(f->db, &o, &h2, &sealed, NULL, &err), -1);
		assert_int_equal(err.code, CF_ENET);
		assert_non_null(strstr(err.msg, "cannot timestamp tree head 6"));
		cf_err_release(&err);
		/* ... and one that grants gives a token seal_token_check accepts. */
		tsa_server_set_mode(srv, TSA_SERVER_OK);
		assert_int_equal(seal_run(f->db, &o, &h2, &sealed, NULL, &err), 0);
		assert_int_equal(sealed, 1);
		assert_non_null(h2.tst);
		assert_int_equal(seal_token_check(h2.tst, h2.tst_len, h2.checkpoint,
						  h2.checkpoint_len, NULL, &err), 0);
		assert_int_equal(h2.prev_size, 5);
		memcpy(root6, h2.root, sizeof(root6));
		seal_head_release(&h2);
		tsa_server_free(srv);
		o.cookie = &f->tsa;
		o.timestamp = tsa_stamp;
	}
	add_rows(f->db, 7, 7);
	{
		struct seal_head *all;
		size_t n;

		assert_int_equal(seal_heads(f->db, &all, &n, &err), 0);
		assert_int_equal(n, 2);
		seal_heads_free(all, n);
	}
	/* Without a TSA it seals, with the consistency proof 6 -> 7. */
	o.tsa_url = NULL;
	assert_int_equal(seal_run(f->db, &o, &h2, &sealed, NULL, &err), 0);
	assert_int_equal(sealed, 1);
	assert_null(h2.tst);
	assert_int_equal(h2.prev_size, 6);
	assert_true(h2.nconsistency > 0);
	assert_int_equal(ledger_verify_consistency(6, 7, root6, h2.root,
		(const unsigned char (*)[32])h2.consistency, h2.nconsistency, &err), 0);
	seal_head_release(&h2);
	seal_head_release(&h);
	cf_err_release(&err);
}

static char *
replace_once(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	char *r;

	assert_non_null(p);
	r = malloc(strlen(s) + strlen(to) + 1);
	memcpy(r, s, (size_t)(p - s));
	strcpy(r + (p - s), to);
	strcat(r, p + strlen(from));
	return r;
}

static void
test_proofs_roundtrip(void **state)
{
	struct fx *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct seal_opts o;
	struct proofs_report rep;
	int64_t ids[4] = { 1, 3, 4, 5 };
	char *json = NULL, *bad;
	size_t len, i;
	int sealed;
	EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	add_rows(f->db, 1, 4);
	opts_for(f, &o, 1);
	assert_int_equal(seal_run(f->db, &o, NULL, &sealed, NULL, &err), 0);
	add_rows(f->db, 5, 5);
	assert_int_equal(ledger_rebuild(f->db, NULL, &err), 0);
	assert_int_equal(proofs_json_new(f->db, ids, 4, &json, &len, &err), 0);
	assert_int_equal(strlen(json), len);

	assert_int_equal(proofs_verify_json(json, len, f->key, &rep, &err), 0);
	assert_int_equal(rep.n, 4);
	assert_int_equal(rep.nfailed, 0);
	assert_int_equal(rep.nunsealed, 1);
	for (i = 0; i < 3; i++) {
		assert_true(rep.items[i].ok && rep.items[i].sealed && rep.items[i].timestamped);
		assert_int_equal(rep.items[i].tree_size, 4);
		assert_true(rep.items[i].sealed_at > 0);
	}
	assert_int_equal(rep.items[1].leaf_index, 2);
	assert_string_equal(rep.items[1].name, "p3.jpg");
	assert_false(rep.items[3].sealed);
	assert_int_equal(rep.items[3].leaf_index, 4);
	proofs_report_release(&rep);
	/* No key given: signatures skipped, the rest still checked. */
	assert_int_equal(proofs_verify_json(json, len, NULL, &rep, &err), 0);
	proofs_report_release(&rep);

	/* Tamper twins. */
	assert_int_equal(proofs_verify_json(json, len, other, &rep, &err), -1);
	assert_int_equal(err.code, CF_EVERIFY);
	assert_non_null(strstr(err.msg, "no signature by key"));
	assert_int_equal(rep.nfailed, 3);
	proofs_report_release(&rep);

	bad = replace_once(json, "\"name\":\"p3.jpg\"", "\"name\":\"p9.jpg\"");
	assert_int_equal(proofs_verify_json(bad, strlen(bad), f->key, &rep, &err), -1);
	assert_non_null(strstr(err.msg, "exhibit 2 ('p9.jpg'): leaf_hash does not match"));
	assert_int_equal(rep.nfailed, 1);
	proofs_report_release(&rep);
	free(bad);

	bad = replace_once(json, "\"leaf_index\":2", "\"leaf_index\":1");
	assert_int_equal(proofs_verify_json(bad, strlen(bad), f->key, &rep, &err), -1);
	assert_non_null(strstr(err.msg, "inclusion proof"));
	proofs_report_release(&rep);
	free(bad);

	bad = replace_once(json, "\"tree_size\":4", "\"tree_size\":5");
	assert_int_equal(proofs_verify_json(bad, strlen(bad), f->key, &rep, &err), -1);
	proofs_report_release(&rep);
	free(bad);

	/* The checkpoint text rewritten to another size: signature fails. */
	bad = replace_once(json, "\\n4\\n", "\\n5\\n");
	assert_int_equal(proofs_verify_json(bad, strlen(bad), f->key, &rep, &err), -1);
	proofs_report_release(&rep);
	free(bad);

	/* A token from another exhibit's document would still match; a token
	 * over other bytes must not: swap in a token of a different checkpoint. */
	{
		const char *p = strstr(json, "\"checkpoint_timestamp\":\"") + 24;
		char *q = strdup(json);
		size_t off = (size_t)(p - json) + 60;

		q[off] = q[off] == 'A' ? 'B' : 'A';
		assert_int_equal(proofs_verify_json(q, strlen(q), f->key, &rep, &err), -1);
		assert_non_null(strstr(err.msg, "checkpoint_timestamp"));
		proofs_report_release(&rep);
		free(q);
	}

	/* A document claiming another log. */
	bad = replace_once(json, "\"log_origin\":\"casefile/", "\"log_origin\":\"casefile/x");
	assert_int_equal(proofs_verify_json(bad, strlen(bad), f->key, &rep, &err), -1);
	assert_non_null(strstr(err.msg, "is from log"));
	proofs_report_release(&rep);
	free(bad);

	/* Not proofs.json at all. */
	assert_int_equal(proofs_verify_json("{}", 2, f->key, &rep, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_int_equal(proofs_verify_json("[1,", 3, f->key, &rep, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	bad = replace_once(json, "\"status\":\"sealed\"", "\"status\":\"maybe\"");
	assert_int_equal(proofs_verify_json(bad, strlen(bad), f->key, &rep, &err), -1);
	assert_non_null(strstr(err.msg, "bad status"));
	proofs_report_release(&rep);
	free(bad);

	/* Unknown evidence id. */
	ids[0] = 99;
	free(json);
	json = NULL;
	assert_int_equal(proofs_json_new(f->db, ids, 1, &json, &len, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	assert_null(json);
	EVP_PKEY_free(other);
	cf_err_release(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seal_with_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proofs_roundtrip, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

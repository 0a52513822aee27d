/* SPDX-License-Identifier: MIT */
/* verdict.c: the three answers read from a verify report (issue 17 item 2). */
#include "testutil.h"

#include <string.h>

#include "casefile/verdict.h"

#define FP "SHA-256 2E:4B:20:35"

/* A report of a good B-B, self-signed dossier, then what each test changes. */
static void
base(struct verify_report *r, enum verify_status trust, enum verify_status ts,
     const char *ts_detail)
{
	verify_report_init(r);
	verify_report_add(r, "pdf", VERIFY_PASS, "parsed");
	verify_report_add(r, "byterange", VERIFY_PASS, "total document signed");
	verify_report_add(r, "cms digest", VERIFY_PASS, "matches");
	verify_report_add(r, "cms signature", VERIFY_PASS, "valid");
	verify_report_add(r, "timestamp", ts, "%s", ts_detail);
	verify_report_add(r, "certificate", VERIFY_PASS, "signer 'X', valid");
	verify_report_add(r, "trust", trust, trust == VERIFY_PASS
			  ? "signer certificate chains to a certificate in 'ca.pem' (" FP ")"
			  : "signer certificate 'X' is self-signed, not checked (" FP "; use --trust)");
	verify_report_add(r, "exhibit 1", VERIFY_PASS, "matches");
	verify_report_add(r, "proofs", VERIFY_WARN, "no proofs.json attached: the exhibits carry no ledger proofs");
}

static void
test_bb_self_signed(void **state)
{
	struct verify_report r;
	struct verify_verdict v;
	struct cf_buf b = CF_BUF_INIT;

	(void)state;
	base(&r, VERIFY_WARN, VERIFY_WARN, "no timestamp (PAdES B-B)");
	verify_verdict(&r, &v);
	assert_int_equal(v.integrity, 1);
	assert_int_equal(v.signer, 0);
	assert_int_equal(v.time, 0);
	assert_int_equal(verify_verdict_all(&v), 0);
	verify_verdict_line(&v, &b);
	assert_string_equal(b.data, "VERIFIED integrity (signature, 1 attachment; no inclusion "
			    "proofs attached); signer NOT ESTABLISHED (self-signed, fingerprint "
			    "2E:4B:20:35); time NOT PROVED (no timestamp)");
	cf_buf_release(&b);
	verify_verdict_release(&v);
	verify_report_release(&r);
}

static void
test_all_established(void **state)
{
	struct verify_report r;
	struct verify_verdict v;
	struct cf_buf b = CF_BUF_INIT;

	(void)state;
	base(&r, VERIFY_PASS, VERIFY_PASS, "PAdES B-T: signature value timestamped at "
	     "2026-12-03T10:00:00Z (China time 2026-12-03 18:00:00) by 'TSA' (chain checked "
	     "against 'ca.pem'; serial 01)");
	verify_verdict(&r, &v);
	assert_int_equal(verify_verdict_all(&v), 1);
	{
		json_t *j = verify_verdict_json(&v);
		char *t = json_dumps(j, JSON_COMPACT);

		cf_buf_addstr(&b, t);
		free(t);
		json_decref(j);
	}
	assert_non_null(strstr(b.data, "\"time\":{\"proved\":true,\"detail\":\"timestamp "
			       "2026-12-03T10:00:00Z (China time 2026-12-03 18:00:00)\"}"));
	assert_non_null(strstr(b.data, "\"all\":true"));
	cf_buf_release(&b);
	verify_verdict_release(&v);
	verify_report_release(&r);
}

/* A token checked only against its own certificate: a time, but not proved. */
static void
test_untrusted_tsa(void **state)
{
	struct verify_report r;
	struct verify_verdict v;

	(void)state;
	base(&r, VERIFY_PASS, VERIFY_PASS, "PAdES B-T: signature value timestamped at "
	     "2026-12-03T10:00:00Z by 'TSA' (tsa signature checked against the token's own "
	     "certificate; give --tsa-ca to check who the tsa is)");
	verify_verdict(&r, &v);
	assert_int_equal(v.signer, 1);
	assert_int_equal(v.time, 0);
	assert_non_null(strstr(v.time_why, "give --tsa-ca"));
	verify_verdict_release(&v);
	verify_report_release(&r);
}

/* A failed integrity check wins; a failed certificate is the signer's. */
static void
test_failures(void **state)
{
	struct verify_report r;
	struct verify_verdict v;

	(void)state;
	base(&r, VERIFY_PASS, VERIFY_WARN, "no timestamp");
	verify_report_add(&r, "exhibit 2", VERIFY_FAIL, "sha256 mismatch");
	verify_report_add(&r, "certificate", VERIFY_FAIL, "never mind, the first one counts");
	verify_verdict(&r, &v);
	assert_int_equal(v.integrity, 0);
	assert_string_equal(v.integrity_why, "1 check failed, first 'exhibit 2'");
	verify_verdict_release(&v);
	verify_report_release(&r);

	/* no signature at all: nothing is verified */
	verify_report_init(&r);
	verify_report_add(&r, "pdf", VERIFY_PASS, "parsed");
	verify_verdict(&r, &v);
	assert_int_equal(v.integrity, 0);
	assert_int_equal(v.signer, 0);
	assert_int_equal(v.time, 0);
	verify_verdict_release(&v);
	verify_report_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bb_self_signed),
		cmocka_unit_test(test_all_established),
		cmocka_unit_test(test_untrusted_tsa),
		cmocka_unit_test(test_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

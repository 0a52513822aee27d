/* SPDX-License-Identifier: MIT */
/*
 * test_verify — the verify report and its JSON, and verify_file() on real
 * files: not a PDF, a missing file, an unsigned PDF with an attachment, a
 * PAdES B-B signature and its tamper twins (a byte flipped inside the
 * signed range, bytes appended), and the hooks the caller passes in
 * (verify_opts.hooks: run once each, reading attachments and the signer).
 */
#include "testutil.h"

#include <sys/stat.h>

#include <jansson.h>

#include "casefile/buf.h"
#include "casefile/keys.h"
#include "casefile/pades.h"
#include "casefile/pdf.h"
#include "casefile/jout.h"
#include "casefile/verify.h"
#include "casefile/xalloc.h"

static EVP_PKEY *key;
static X509 *cert;
static STACK_OF(X509) *chain;

static int
setup(void **state)
{
	struct keys_gen_opts o = { "Verify Unit", NULL, 0, 30, 0, NULL };
	struct cf_err err = CF_ERR_INIT;

	if (test_tmpdir_setup(state) < 0)
		return -1;
	o.not_before = time(NULL) - 60;
	if (mkdir("v", 0755) < 0 || keys_generate("v", &o, &err) < 0 ||
	    keys_load_pass("v", NULL, &key, &cert, &chain, &err) < 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(chain, X509_free);
	key = NULL;
	cert = NULL;
	chain = NULL;
	return test_tmpdir_teardown(state);
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	b = xmalloc((size_t)len + 1);
	assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return b;
}

/* The first check called name, or NULL. */
static const struct verify_check *
check_of(const struct verify_report *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			return &r->v[i];
	return NULL;
}

static void
assert_check(const struct verify_report *r, const char *name, enum verify_status st,
	     const char *detail_part)
{
	const struct verify_check *c = check_of(r, name);

	if (c == NULL)
		fail_msg("no check '%s'", name);
	if (c->status != st)
		fail_msg("check '%s' is %s (%s), want %s", name, verify_status_word(c->status),
			 c->detail, verify_status_word(st));
	if (detail_part && strstr(c->detail, detail_part) == NULL)
		fail_msg("check '%s': '%s' lacks '%s'", name, c->detail, detail_part);
}

/* An unsigned one-page PDF with note.txt attached. */
static void
make_pdf(const char *path)
{
	struct cf_err err = CF_ERR_INIT;
	struct pdf *p;

	if (pdf_new(NULL, &p, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(pdf_text(p, "证据 exhibit page", 12, 0, &err), 0);
	assert_int_equal(pdf_attach_mem(p, "note.txt", "hello", 5, "text/plain", NULL, 0, &err), 0);
	if (pdf_save(p, path, NULL, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	pdf_free(p);
}

static void
sign(const char *in, const char *out)
{
	struct cf_err err = CF_ERR_INIT;
	struct pades_opts po;
	struct pades_result res;

	memset(&po, 0, sizeof(po));
	memset(&res, 0, sizeof(res));
	po.when = time(NULL);
	po.reason = "unit";
	if (pades_sign_file(in, out, key, cert, chain, &po, &res, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(res.timestamped, 0);
}

/* What the hook saw. */
static int hook_calls;
static char hook_note[32];
static int hook_missing_code;
static int hook_has_signer;

static void
hook(struct verify_doc *d, const struct verify_opts *o, struct verify_report *r)
{
	struct cf_buf b = CF_BUF_INIT;
	struct cf_err err = CF_ERR_INIT;

	(void)o;
	hook_calls++;
	if (verify_doc_attachment(d, "note.txt", 100, &b, &err) == 0)
		snprintf(hook_note, sizeof(hook_note), "%.*s", (int)b.len, b.data);
	cf_err_release(&err);
	cf_buf_release(&b);
	hook_missing_code = verify_doc_attachment(d, "nope.txt", 100, &b, &err) < 0 ? (int)err.code : 0;
	cf_err_release(&err);
	cf_buf_release(&b);
	hook_has_signer = verify_doc_signer(d) != NULL;
	verify_report_add(r, "unit hook", VERIFY_PASS, "ran");
}

static const verify_hook_fn hooks[] = { hook, NULL };

static void
run(const char *path, const verify_hook_fn *h, struct verify_report *r)
{
	struct verify_opts o;
	struct cf_err err = CF_ERR_INIT;

	memset(&o, 0, sizeof(o));
	o.now = time(NULL);
	o.hooks = h;
	verify_report_init(r);
	if (verify_file(path, &o, r, &err) < 0)
		fail_msg("verify_file: %s", err.msg);
}

/* 1. The report counts, decides ok, and its JSON parses with every field. */
static void
test_report(void **state)
{
	struct verify_report r;
	struct cf_buf b = CF_BUF_INIT;
	json_t *j, *c;
	json_error_t je;

	(void)state;
	verify_report_init(&r);
	verify_report_add(&r, "a", VERIFY_PASS, "fine %d", 1);
	verify_report_add(&r, "b", VERIFY_WARN, "hmm");
	assert_true(verify_report_ok(&r));
	verify_report_add(&r, "exhibit \"3\"", VERIFY_FAIL, "bad \"q\" \\ \n end");
	assert_false(verify_report_ok(&r));
	assert_int_equal(r.n, 3);
	assert_int_equal(r.nfail, 1);
	assert_int_equal(r.nwarn, 1);
	assert_string_equal(r.v[0].detail, "fine 1");
	assert_string_equal(verify_status_word(VERIFY_PASS), "PASS");
	assert_string_equal(verify_status_word(VERIFY_WARN), "WARN");
	assert_string_equal(verify_status_word(VERIFY_FAIL), "FAIL");
	{
		char *text = jout_dumps(verify_report_json(&r, "d\"x.pdf"));

		cf_buf_addstr(&b, text);
		free(text);
	}
	j = json_loadb(b.data, b.len, 0, &je);
	if (j == NULL)
		fail_msg("json: %s: %s", je.text, b.data);
	assert_string_equal(json_string_value(json_object_get(j, "file")), "d\"x.pdf");
	assert_true(json_is_false(json_object_get(j, "ok")));
	assert_int_equal(json_integer_value(json_object_get(j, "failures")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "warnings")), 1);
	assert_int_equal(json_array_size(json_object_get(j, "checks")), 3);
	c = json_array_get(json_object_get(j, "checks"), 2);
	assert_string_equal(json_string_value(json_object_get(c, "check")), "exhibit \"3\"");
	assert_string_equal(json_string_value(json_object_get(c, "status")), "FAIL");
	assert_string_equal(json_string_value(json_object_get(c, "detail")), "bad \"q\" \\ \n end");
	json_decref(j);
	cf_buf_release(&b);
	verify_report_release(&r);
}

/* 2. Not a PDF, and no file at all: a FAIL in the report, not an error. */
static void
test_not_pdf(void **state)
{
	struct verify_report r;

	(void)state;
	test_write_file("x.pdf", "hello, not a pdf\n", 17);
	hook_calls = 0;
	run("x.pdf", hooks, &r);
	assert_check(&r, "pdf", VERIFY_FAIL, NULL);
	assert_false(verify_report_ok(&r));
	assert_int_equal(hook_calls, 0);	/* nothing to look at */
	verify_report_release(&r);
	run("nosuch.pdf", hooks, &r);
	assert_check(&r, "pdf", VERIFY_FAIL, "nosuch.pdf");
	verify_report_release(&r);
}

/* 3. Unsigned: parsed, no signature; the hooks run once and see the attachment. */
static void
test_unsigned_hooks(void **state)
{
	struct verify_report r;

	(void)state;
	make_pdf("u.pdf");
	hook_calls = 0;
	hook_note[0] = '\0';
	run("u.pdf", hooks, &r);
	assert_check(&r, "pdf", VERIFY_PASS, "parsed");
	assert_check(&r, "signature", VERIFY_FAIL, "the PDF has no signature");
	assert_check(&r, "unit hook", VERIFY_PASS, "ran");
	assert_int_equal(hook_calls, 1);
	assert_string_equal(hook_note, "hello");
	assert_int_equal(hook_missing_code, CF_ENOTFOUND);
	assert_int_equal(hook_has_signer, 0);
	assert_false(verify_report_ok(&r));
	verify_report_release(&r);
	/* no hooks given: verify.c runs none of its own */
	run("u.pdf", NULL, &r);
	assert_int_equal(hook_calls, 1);
	assert_null(check_of(&r, "unit hook"));
	verify_report_release(&r);
}

/* 4. Signed at B-B: every cryptographic check passes; trust and time warn. */
static void
test_signed(void **state)
{
	struct verify_report r;

	(void)state;
	make_pdf("u.pdf");
	sign("u.pdf", "s.pdf");
	hook_calls = 0;
	run("s.pdf", hooks, &r);
	assert_check(&r, "byterange", VERIFY_PASS, NULL);
	assert_check(&r, "cms digest", VERIFY_PASS, NULL);
	assert_check(&r, "cms signature", VERIFY_PASS, NULL);
	assert_check(&r, "timestamp", VERIFY_WARN, NULL);
	assert_int_equal(r.nfail, 0);
	assert_true(verify_report_ok(&r));
	assert_int_equal(hook_calls, 1);
	assert_int_equal(hook_has_signer, 1);
	assert_string_equal(hook_note, "hello");
	verify_report_release(&r);
}

/* 5. Tamper twins: a flipped byte in the signed range; bytes appended. */
static void
test_tampered(void **state)
{
	struct verify_report r;
	size_t n, i;
	char *b;
	FILE *f;

	(void)state;
	make_pdf("u.pdf");
	sign("u.pdf", "s.pdf");
	b = slurp("s.pdf", &n);
	/* the header line is inside the first signed range: flip its version digit */
	for (i = 0; i < 16 && b[i] != '\n'; i++)
		;
	assert_true(i < 16);
	b[i - 1] ^= 0x01;	/* "%PDF-1.x" version digit */
	test_write_file("t.pdf", b, n);
	run("t.pdf", NULL, &r);
	assert_check(&r, "cms digest", VERIFY_FAIL, NULL);
	assert_false(verify_report_ok(&r));
	verify_report_release(&r);
	b[i - 1] ^= 0x01;
	test_write_file("a.pdf", b, n);
	f = fopen("a.pdf", "ab");
	assert_non_null(f);
	fputs("\n% appended after signing\n", f);
	fclose(f);
	run("a.pdf", NULL, &r);
	assert_check(&r, "byterange", VERIFY_FAIL, NULL);
	assert_false(verify_report_ok(&r));
	verify_report_release(&r);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report),
		cmocka_unit_test_setup_teardown(test_not_pdf, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_unsigned_hooks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

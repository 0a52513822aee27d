/* SPDX-License-Identifier: MIT */
/*
 * test_proofs — proofs.json as a dossier attachment: the attach hook embeds
 * it, pdfdetach gets it back byte for byte, and the extracted document
 * verifies (sealed exhibits proved, the late one "not yet sealed").
 * (proofs_json_new / proofs_verify_json and their tamper twins are in
 * test_seal.c, next to the in-process TSA they use.)
 */
#include "testutil.h"

#include <fcntl.h>

#include <openssl/evp.h>

#include "casefile/dossier.h"
#include "casefile/ingest.h"
#include "casefile/pdf.h"
#include "casefile/proofs.h"
#include "casefile/seal.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

static void
ingest_note(struct vault *v, const char *order, const char *name)
{
	struct cf_err err = CF_ERR_INIT;
	struct ingest *in;
	struct ingest_item it = { .order_id = order, .name = name, .source_path = name,
				   .rel_path = NULL, .mtime = -1, .kind = -1 };
	struct ingest_result res;
	int fd;

	test_write_file(name, name, strlen(name));
	assert_int_equal(ingest_begin(v, NULL, NULL, &in, &err), 0);
	fd = open(name, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(ingest_fd(in, &it, fd, &res, &err), 0);
	close(fd);
	assert_int_equal(ingest_commit(in, &err), 0);
	ingest_free(in);
}

static void
test_dossier_attachment(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v;
	struct exhibits ex;
	struct seal_opts o;
	struct proofs_report rep;
	struct pdf *p = NULL;
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	char *font, *json, *want;
	size_t n, wn, i;
	int64_t ids[8];
	int sealed;

	(void)state;
	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, &v, &err), 0);
	ingest_note(v, "6931000000000001", "a.txt");
	ingest_note(v, "6931000000000001", "b.txt");
	ingest_note(v, "6931000000000002", "other-order.txt");
	memset(&o, 0, sizeof(o));
	o.key = key;
	o.now = 1746238400;
	assert_int_equal(seal_run(vault_db(v), &o, NULL, &sealed, NULL, &err), 0);
	ingest_note(v, "6931000000000001", "late.txt");

	assert_int_equal(exhibits_load(vault_db(v), "6931000000000001", &ex, &err), 0);
	assert_int_equal(ex.n, 3);
	font = pdf_font_find(NULL, &err);
	assert_non_null(font);
	assert_int_equal(pdf_new(font, &p, &err), 0);
	free(font);
	assert_int_equal(pdf_page_new(p, &err), 0);
	assert_int_equal(proofs_dossier_attach(vault_db(v), p, &ex, &err), 0);
	if (pdf_save(p, "d.pdf", NULL, NULL, &err) < 0)
		fail_msg("save: %s", err.msg);
	pdf_free(p);

	assert_int_equal(system("pdfdetach -list d.pdf | grep -qx '1: proofs.json'"), 0);
	assert_int_equal(system("pdfdetach -save 1 -o got.json d.pdf"), 0);
	json = test_load_file("got.json", &n);
	for (i = 0; i < ex.n; i++)
		ids[i] = ex.v[i].evidence_id;
	assert_int_equal(proofs_json_new(vault_db(v), ids, ex.n, &want, &wn, &err), 0);
	assert_int_equal(n, wn);
	assert_memory_equal(json, want, n);

	assert_int_equal(proofs_verify_json(json, n, key, &rep, &err), 0);
	assert_int_equal(rep.n, 3);
	assert_int_equal(rep.nunsealed, 1);
	assert_true(rep.items[0].sealed && rep.items[1].sealed);
	assert_string_equal(rep.items[2].name, "late.txt");
	assert_false(rep.items[2].sealed);
	proofs_report_release(&rep);
	free(json);
	free(want);
	exhibits_release(&ex);
	vault_close(v);
	EVP_PKEY_free(key);
	cf_err_release(&err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dossier_attachment, test_tmpdir_setup,
						test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

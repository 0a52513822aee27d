/* SPDX-License-Identifier: MIT */
/*
 * test_bag — the BagIt writer on a vault filled through ingest: the output
 * format from OUT's name; a folder bag with its payload, manifests,
 * bag-info and evidence.json, checked byte for byte; a zip bag under its
 * folder name; and the failures that must leave nothing at OUT: an
 * unknown order, a day with nothing, an object damaged in the vault.
 * A row whose relative path climbs out ("../../x") stays inside data/.
 */
#include "testutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <jansson.h>

#include "casefile/bag.h"
#include "casefile/db.h"
#include "casefile/hash.h"
#include "casefile/xalloc.h"
#include "vaultfix.h"

#define A "6931000000000001"
#define B "6931000000000002"
#define NOW 1764720000LL	/* 2025-12-03 00:00:00 UTC */

enum { A1, A2, B1 };

static void
fill(struct vaultfix *f)
{
	f->id[A1] = vaultfix_ingest_str(f->v, A, "a.txt", "first version");
	f->id[A2] = vaultfix_ingest_str(f->v, A, "a.txt", "second version");	/* same name */
	f->id[B1] = vaultfix_ingest_str(f->v, B, "b.txt", "bee");
}

static int
setup(void **state)
{
	return vaultfix_setup(state, fill);
}

#define teardown vaultfix_teardown

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void
test_output_check(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	enum bag_format fmt;

	(void)state;
	assert_int_equal(bag_output_check("out.zip", &fmt, &err), 0);
	assert_int_equal(fmt, BAG_ZIP);
	assert_int_equal(bag_output_check("dir/OUT.TAR.GZ", &fmt, &err), 0);
	assert_int_equal(fmt, BAG_TGZ);
	assert_int_equal(bag_output_check("out.tgz", &fmt, &err), 0);
	assert_int_equal(fmt, BAG_TGZ);
	assert_int_equal(bag_output_check("a.b/out", &fmt, &err), 0);
	assert_int_equal(fmt, BAG_DIR);
	/* an extension it does not know */
	assert_int_equal(bag_output_check("out.pdf", &fmt, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_non_null(strstr(err.msg, "cannot tell the output format of 'out.pdf'"));
	cf_err_release(&err);
	/* ".zip" alone is a name, not an extension */
	assert_int_equal(bag_output_check(".zip", &fmt, &err), -1);
	cf_err_release(&err);
	/* an existing file is never overwritten */
	test_write_file("taken.zip", "x", 1);
	assert_int_equal(bag_output_check("taken.zip", &fmt, &err), -1);
	assert_string_equal(err.msg, "'taken.zip' already exists: not overwriting it");
	cf_err_release(&err);
	assert_true(exists("taken.zip"));
	/* an empty folder makes way; a folder with something in it does not */
	assert_int_equal(mkdir("empty.d", 0700), 0);
	assert_int_equal(bag_output_check("empty.d", &fmt, &err), 0);
	assert_int_equal(fmt, BAG_DIR);
	assert_false(exists("empty.d"));
	assert_int_equal(mkdir("full", 0700), 0);
	test_write_file("full/x", "x", 1);
	assert_int_equal(bag_output_check("full", &fmt, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	cf_err_release(&err);
	assert_true(exists("full/x"));
}

static int
write_bag(struct vault *v, const char *out, char *const *orders, int n, const char *date,
	  struct bag_report *rep, struct cf_err *err)
{
	struct bag_opts o = { out, BAG_DIR, orders, n, date, 0, NOW };

	if (bag_output_check(out, &o.format, err) < 0)
		return -1;
	return bag_write(v, &o, rep, err);
}

static void
test_folder(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct bag_report rep;
	char *s, *orders[] = { A };
	unsigned char sha[CF_SHA256_LEN];
	char hex[CF_SHA256_HEXLEN + 1], *line;
	json_t *ev;

	assert_int_equal(write_bag(f->v, "out", orders, 1, NULL, &rep, &err), 0);
	assert_int_equal(rep.orders, 1);
	assert_int_equal(rep.files, 2);
	assert_int_equal(rep.bytes, strlen("first version") + strlen("second version"));
	s = test_load_file("out/bagit.txt", NULL);
	assert_string_equal(s, "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
	free(s);
	/* two versions of one name: the second gets -v2 */
	s = test_load_file("out/data/" A "/a.txt", NULL);
	assert_string_equal(s, "first version");
	free(s);
	s = test_load_file("out/data/" A "/a-v2.txt", NULL);
	assert_string_equal(s, "second version");
	free(s);
	assert_false(exists("out/data/" B));
	/* the manifest line of each payload file is its real hash */
	cf_sha256("second version", 14, sha);
	cf_hex_encode(sha, CF_SHA256_LEN, hex);
	line = xasprintf("%s  data/" A "/a-v2.txt\n", hex);
	s = test_load_file("out/manifest-sha256.txt", NULL);
	assert_non_null(strstr(s, line));
	free(line);
	free(s);
	s = test_load_file("out/bag-info.txt", NULL);
	assert_non_null(strstr(s, "Payload-Oxum: 27.2\n"));
	assert_non_null(strstr(s, "Bagging-Date: 2025-12-03\n"));
	assert_non_null(strstr(s, "Source-Organization: unknown\n"));
	assert_non_null(strstr(s, "evidence of 1 order, 2 files\n"));
	free(s);
	/* evidence.json: one record per payload file, with its row */
	ev = json_load_file("out/casefile/evidence.json", 0, NULL);
	assert_non_null(ev);
	assert_int_equal(json_array_size(ev), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 1), "path")),
			    "data/" A "/a-v2.txt");
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 1), "sha256")),
			    hex);
	json_decref(ev);
	s = test_load_file("out/tagmanifest-sha256.txt", NULL);
	assert_non_null(strstr(s, "  bag-info.txt\n"));
	assert_non_null(strstr(s, "  manifest-sha256.txt\n"));
	free(s);
}

static void
test_zip(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct bag_report rep;
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int payload = 0, bagit = 0;

	assert_int_equal(write_bag(f->v, "case.zip", NULL, 0, NULL, &rep, &err), 0);
	assert_int_equal(rep.orders, 2);
	assert_int_equal(rep.files, 3);
	archive_read_support_format_zip(a);
	assert_int_equal(archive_read_open_filename(a, "case.zip", 10240), ARCHIVE_OK);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *p = archive_entry_pathname(e);

		/* everything under the folder named after OUT */
		assert_true(strncmp(p, "case/", 5) == 0);
		payload += strncmp(p, "case/data/", 10) == 0;
		bagit += strcmp(p, "case/bagit.txt") == 0;
	}
	assert_int_equal(payload, 3);
	assert_int_equal(bagit, 1);
	archive_read_free(a);
}

static void
test_nothing_left(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct bag_report rep;
	char *orders[] = { A, "6931000000000009" };
	unsigned char sha[CF_SHA256_LEN];
	char *obj;
	FILE *fp;

	/* an unknown order is refused before anything is written */
	assert_int_equal(write_bag(f->v, "u.zip", orders, 2, NULL, &rep, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	assert_string_equal(err.msg, "unknown order '6931000000000009': nothing in the vault");
	cf_err_release(&err);
	assert_false(exists("u.zip"));
	/* a day without files */
	assert_int_equal(write_bag(f->v, "d", NULL, 0, "1999-01-01", &rep, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	assert_non_null(strstr(err.msg, "nothing to export for 1999-01-01"));
	cf_err_release(&err);
	assert_false(exists("d"));
	/* an object damaged in the vault stops the bag: no bag that lies */
	cf_sha256("bee", 3, sha);
	obj = vault_object_path(f->v, sha);
	assert_int_equal(chmod(obj, 0600), 0);
	fp = fopen(obj, "r+b");
	assert_non_null(fp);
	fputc('B', fp);
	fclose(fp);
	free(obj);
	orders[0] = B;
	assert_int_equal(write_bag(f->v, "x.tar.gz", orders, 1, NULL, &rep, &err), -1);
	assert_int_equal(err.code, CF_EVERIFY);
	assert_non_null(strstr(err.msg, "does not match its SHA-256"));
	cf_err_release(&err);
	assert_false(exists("x.tar.gz"));
	assert_int_equal(write_bag(f->v, "xd", orders, 1, NULL, &rep, &err), -1);
	assert_int_equal(err.code, CF_EVERIFY);
	cf_err_release(&err);
	assert_false(exists("xd"));
}

static void
test_hostile_rows(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct bag_report rep;
	char *orders[] = { B };
	char *s;

	/* a row edited to climb out of the bag, with a control byte */
	assert_int_equal(db_exec(vault_db(f->v), "UPDATE evidence SET rel_path = "
				 "'../../x/./y' || char(10) || 'z' WHERE order_id = '" B "'",
				 &err), 0);
	assert_int_equal(write_bag(f->v, "h", orders, 1, NULL, &rep, &err), 0);
	s = test_load_file("h/data/" B "/_/_/x/_/y_z", NULL);
	assert_string_equal(s, "bee");
	free(s);
	assert_false(exists("x"));
	assert_false(exists("h/x"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_output_check, test_tmpdir_setup,
						test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_left, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_rows, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

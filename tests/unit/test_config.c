/* SPDX-License-Identifier: MIT */
/*
 * test_config — settings table, validators and normalisation, and the
 * import limits read back from a vault.
 */
#include "testutil.h"

#include "casefile/bundle.h"
#include "casefile/config.h"
#include "casefile/db.h"
#include "casefile/vault.h"

static void
test_sizes(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	unsigned long long v = 0;

	(void)state;
	assert_int_equal(config_parse_size("123", &v, &err), 0);
	assert_int_equal(v, 123);
	assert_int_equal(config_parse_size("64K", &v, &err), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(config_parse_size("512MiB", &v, &err), 0);
	assert_int_equal(v, 512ULL << 20);
	assert_int_equal(config_parse_size("4g", &v, &err), 0);
	assert_int_equal(v, 4ULL << 30);
	assert_int_equal(config_parse_size("1TB", &v, &err), 0);
	assert_int_equal(v, 1ULL << 40);
	v = 7;
	assert_int_equal(config_parse_size("", &v, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_int_equal(config_parse_size(" 5", &v, &err), -1);
	assert_int_equal(config_parse_size("5X", &v, &err), -1);
	assert_int_equal(config_parse_size("5KK", &v, &err), -1);
	assert_int_equal(config_parse_size("0", &v, &err), -1);
	assert_int_equal(config_parse_size("99999999999999999999", &v, &err), -1);
	assert_int_equal(config_parse_size("20000000T", &v, &err), -1);
	assert_string_equal(err.msg, "'20000000T': too large");
	assert_int_equal(v, 7);
	cf_err_release(&err);
}

static void
test_check(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	char *norm = NULL;
	size_t i;

	(void)state;
	assert_null(config_find("vault_id"));
	assert_null(config_find("tsa"));
	for (i = 0; i < config_nkeys(); i++)
		assert_ptr_equal(config_find(config_key(i)->name), config_key(i));
	assert_int_equal(config_check(config_find("import.max_entry_size"), "2M", &norm, &err), 0);
	assert_string_equal(norm, "2097152");
	free(norm);
	assert_int_equal(config_check(config_find("import.max_ratio"), "150.50", &norm, &err), 0);
	assert_string_equal(norm, "150.5");
	free(norm);
	assert_int_equal(config_check(config_find("import.max_ratio"), "inf", &norm, &err), -1);
	assert_int_equal(config_check(config_find("import.max_ratio"), "1e400", &norm, &err), -1);
	assert_int_equal(config_check(config_find("import.max_entries"), "+5", &norm, &err), -1);
	assert_int_equal(config_check(config_find("tsa.url"), "https://tsa.example/ts", &norm, &err), 0);
	free(norm);
	assert_int_equal(config_check(config_find("tsa.url"), "https://tsa.example/\xe4\xb8\xad", &norm, &err), -1);
	assert_int_equal(config_check(config_find("shop.name"), "青瓷小铺", &norm, &err), 0);
	assert_string_equal(norm, "青瓷小铺");
	free(norm);
	assert_int_equal(config_check(config_find("shop.name"), "a\nb", &norm, &err), -1);
	assert_string_equal(err.msg, "control character in text");
	cf_err_release(&err);
}

static void
test_limits_from_vault(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;
	struct bundle_limits lim;
	struct cf_db *db;

	(void)state;
	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, &v, &err), 0);
	db = vault_db(v);
	assert_int_equal(config_import_limits(db, &lim, &err), 0);
	assert_int_equal(lim.max_entry_size, BUNDLE_DEFAULT_MAX_ENTRY_SIZE);
	assert_true(lim.max_ratio == BUNDLE_DEFAULT_MAX_RATIO);
	assert_int_equal(db_meta_set(db, "import.max_entry_size", "1024", &err), 0);
	assert_int_equal(db_meta_set(db, "import.max_ratio", "12.5", &err), 0);
	assert_int_equal(db_meta_set(db, "import.max_entries", "9", &err), 0);
	assert_int_equal(config_import_limits(db, &lim, &err), 0);
	assert_int_equal(lim.max_entry_size, 1024);
	assert_true(lim.max_ratio == 12.5);
	assert_int_equal(lim.max_entries, 9);
	assert_int_equal(config_unset(db, config_find("import.max_entries"), &err), 0);
	assert_int_equal(config_import_limits(db, &lim, &err), 0);
	assert_int_equal(lim.max_entries, BUNDLE_DEFAULT_MAX_ENTRIES);
	/* A value stored behind casefile's back is caught, naming the key. */
	assert_int_equal(db_meta_set(db, "import.max_entry_size", "huge", &err), 0);
	assert_int_equal(config_import_limits(db, &lim, &err), -1);
	assert_non_null(strstr(err.msg, "setting 'import.max_entry_size': 'huge' is not a size"));
	cf_err_release(&err);
	vault_close(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_check),
		cmocka_unit_test_setup_teardown(test_limits_from_vault, test_tmpdir_setup, test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

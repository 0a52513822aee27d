/* SPDX-License-Identifier: MIT */
/*
 * test_roles — role and supplier names (English, Chinese, synonyms,
 * unknown), the roles an item has (explicit, implied by its kind), who
 * supplied it, exclusion, and finding an order's items by role.
 */
#include "casefile/db.h"
#include "casefile/db_sqlite.h"
#include "casefile/roles.h"
#include "testutil.h"

static void
test_names(void **state)
{
	enum cf_role r = CF_ROLE_OTHER;
	enum cf_supplier s = CF_SUPPLIER_UNKNOWN;
	int i;

	(void)state;
	for (i = 0; i < CF_ROLE_COUNT; i++) {
		assert_int_equal(cf_role_from_name(cf_role_name((enum cf_role)i), &r), 0);
		assert_int_equal(r, i);
		assert_int_equal(cf_role_from_name(cf_role_label((enum cf_role)i, NULL), &r), 0);
		assert_int_equal(r, i);
		assert_non_null(strstr(cf_role_names(), cf_role_name((enum cf_role)i)));
	}
	assert_int_equal(cf_role_from_name("shipping-label", &r), 0);
	assert_int_equal(r, CF_ROLE_SHIPPING_LABEL);
	assert_int_equal(cf_role_from_name("打包", &r), 0);
	assert_int_equal(r, CF_ROLE_PACKING);
	assert_int_equal(cf_role_from_name("签收", &r), 0);
	assert_int_equal(r, CF_ROLE_PICKUP);
	r = CF_ROLE_CHAT;
	assert_int_equal(cf_role_from_name("packingvideo", &r), -1);
	assert_int_equal(cf_role_from_name("", &r), -1);
	assert_int_equal(cf_role_from_name(NULL, &r), -1);
	assert_int_equal(r, CF_ROLE_CHAT);
	assert_null(cf_role_name(CF_ROLE_COUNT));
	assert_string_equal(cf_role_label(CF_ROLE_PACKING, "en"), "packing photo/video");
	assert_int_equal(cf_supplier_from_name("买家", &s), 0);
	assert_int_equal(s, CF_SUPPLIER_BUYER);
	assert_int_equal(cf_supplier_from_name("courier", &s), 0);
	assert_int_equal(s, CF_SUPPLIER_COURIER);
	assert_int_equal(cf_supplier_from_name("seller", &s), -1);
	assert_null(cf_supplier_name(CF_SUPPLIER_UNKNOWN));
	assert_int_equal(roles_implied_by_kind("receipt"), CF_ROLE_INVOICE);
	assert_int_equal(roles_implied_by_kind("photo"), CF_ROLE_COUNT);
}

static void
add_row(struct cf_db *db, int64_t id, const char *order, const char *kind)
{
	char *sql = sqlite3_mprintf(
		"INSERT OR IGNORE INTO objects VALUES(zeroblob(32), 0, 0);"
		"INSERT INTO evidence(id, order_id, kind, sha256, size, name, name_raw,"
		" ingested_at, tool_version) VALUES(%lld, %Q, %Q, zeroblob(32), 0,"
		" 'n%lld', 'n%lld', 0, 't')", (long long)id, order, kind,
		(long long)id, (long long)id);

	assert_int_equal(sqlite3_exec(db_sqlite(db), sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_free(sql);
}

static void
test_lookup(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct cf_db *db;
	unsigned m = 99;
	enum cf_supplier s;
	char *reason = (char *)"x";
	int64_t *ids = NULL;
	size_t n = 9;

	(void)state;
	assert_int_equal(db_open("c.db", 1, &db, &err), 0);
	add_row(db, 1, "100001", "video");
	add_row(db, 2, "100001", "chat");
	add_row(db, 3, "100001", "photo");
	add_row(db, 4, "100002", "video");
	add_row(db, 5, "100001", "receipt");
	assert_int_equal(sqlite3_exec(db_sqlite(db),
		"INSERT INTO evidence_roles VALUES(1, 'packing', NULL), (3, 'damage_photo', NULL),"
		" (3, 'delivery_photo', NULL), (4, 'packing', NULL), (2, 'order', NULL);"
		"UPDATE evidence SET supplied_by = 'buyer' WHERE id = 3;"
		"UPDATE evidence SET excluded = '重复' WHERE id = 5", NULL, NULL, NULL), SQLITE_OK);
	/* The schema refuses a role or a supplier that is not on the list. */
	assert_int_not_equal(sqlite3_exec(db_sqlite(db), "INSERT INTO evidence_roles VALUES(1, 'x', NULL)",
					  NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_sqlite(db), "UPDATE evidence SET supplied_by = 'me'",
					  NULL, NULL, NULL), SQLITE_OK);

	assert_int_equal(roles_of(db, 1, 0, &m, &err), 0);
	assert_int_equal(m, CF_ROLE_BIT(CF_ROLE_PACKING));
	assert_int_equal(roles_of(db, 2, 0, &m, &err), 0);
	assert_int_equal(m, CF_ROLE_BIT(CF_ROLE_CHAT) | CF_ROLE_BIT(CF_ROLE_ORDER));
	assert_int_equal(roles_of(db, 2, ROLES_EXPLICIT, &m, &err), 0);
	assert_int_equal(m, CF_ROLE_BIT(CF_ROLE_ORDER));
	assert_int_equal(roles_of(db, 3, 0, &m, &err), 0);
	assert_int_equal(m, CF_ROLE_BIT(CF_ROLE_DAMAGE_PHOTO) | CF_ROLE_BIT(CF_ROLE_DELIVERY_PHOTO));
	assert_int_equal(roles_of(db, 77, 0, &m, &err), 0);
	assert_int_equal(m, 0);

	assert_int_equal(roles_supplied_by(db, 3, &s, &err), 0);
	assert_int_equal(s, CF_SUPPLIER_BUYER);
	assert_int_equal(roles_supplied_by(db, 1, &s, &err), 0);
	assert_int_equal(s, CF_SUPPLIER_UNKNOWN);
	assert_int_equal(roles_excluded(db, 5, &reason, &err), 0);
	assert_string_equal(reason, "重复");
	free(reason);
	assert_int_equal(roles_excluded(db, 1, &reason, &err), 0);
	assert_null(reason);

	/* By role: the order's included items only, explicit or by kind. */
	assert_int_equal(roles_find(db, "100001", CF_ROLE_PACKING, 0, &ids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 1);
	free(ids);
	assert_int_equal(roles_find(db, "100001", CF_ROLE_CHAT, 0, &ids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 2);
	free(ids);
	assert_int_equal(roles_find(db, "100001", CF_ROLE_CHAT, ROLES_EXPLICIT, &ids, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(ids);
	/* The receipt implies invoice but is excluded. */
	assert_int_equal(roles_find(db, "100001", CF_ROLE_INVOICE, 0, &ids, &n, &err), 0);
	assert_int_equal(n, 0);
	db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_lookup, test_tmpdir_setup, test_tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

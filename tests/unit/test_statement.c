/* SPDX-License-Identifier: MIT */
/*
 * test_statement — the statement module: scenarios, the --max-chars
 * parser, truncation of text that is not valid UTF-8 (one rule with
 * textenc), the order facts gathered from the vault's rows (fallbacks
 * included), and drafts from the English templates: masking on and off,
 * the dispute's reason choosing the scenario, exhibit citations.
 * (The Chinese drafts and optional parts are in test_dossier.)
 */
#include "testutil.h"

#include "casefile/db_sqlite.h"
#include "casefile/order_facts.h"
#include "casefile/statement.h"
#include "casefile/templates.h"
#include "casefile/textenc.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

static char srcdir[4096], tpldir[4200];

static void
exec_sql(struct vault *v, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db_sqlite(vault_db(v)), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("sql: %s", msg);
}

/*
 * Order A: an order record (no shipping time), a logistics file whose
 * first event is the collection and one "delivered" event, a chat where
 * the merchant speaks first and the buyer's first words carry a phone
 * number.  Order B has an unrelated chat.
 */
static struct vault *
make_vault(void)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v;

	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, &v, &err), 0);
	exec_sql(v, "PRAGMA foreign_keys = OFF;"
		 "INSERT INTO evidence(id, order_id, kind, sha256, size, name, name_raw, "
		 "ingested_at, tool_version) VALUES"
		 "(1, 'A', 'order', randomblob(32), 10, 'order.json', x'00', 100, 'v'),"
		 "(2, 'A', 'logistics', randomblob(32), 10, 'sf.json', x'00', 100, 'v'),"
		 "(3, 'A', 'chat', randomblob(32), 10, 'chat.json', x'00', 100, 'v'),"
		 "(4, 'B', 'chat', randomblob(32), 10, 'b.json', x'00', 100, 'v');"
		 "INSERT INTO order_records(evidence_id, order_id, shop, total_fen, currency, "
		 "buyer_phone, paid_at) VALUES(1, 'A', 'Celadon Shop', 12345, 'CNY', '13900001111', 1746000000);"
		 "INSERT INTO logistics(evidence_id, carrier, tracking_no) VALUES(2, 'SF', 'SF1234567890');"
		 "INSERT INTO logistics_events(evidence_id, seq, time, status) VALUES"
		 "(2, 1, 1746100000, 'collected'), (2, 2, 1746200000, 'in_transit'),"
		 "(2, 3, 1746300000, 'delivered');"
		 "INSERT INTO messages(evidence_id, seq, time, sender, text) VALUES"
		 "(3, 1, 1746310000, 'merchant', 'hello'),"
		 "(3, 2, 1746320000, 'buyer', 'broken, call 13812345678'),"
		 "(3, 3, 1746330000, 'buyer', 'second words'),"
		 "(4, 1, 1746000001, 'buyer', 'not this order')");
	return v;
}

/* 1. Scenarios: the list is NULL-terminated, ends with "other", each valid. */
static void
test_scenarios(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; statement_scenarios[i]; i++)
		assert_true(statement_scenario_valid(statement_scenarios[i]));
	assert_int_equal(i, 10);
	assert_string_equal(statement_scenarios[i - 1], "other");
	assert_false(statement_scenario_valid("bogus"));
	assert_false(statement_scenario_valid(""));
	assert_false(statement_scenario_valid("Quality"));
	assert_false(statement_scenario_valid(NULL));
}

/* 2. --max-chars: decimal 1..STATEMENT_MAX_CHARS only; refusals leave n. */
static void
test_max_parse(void **state)
{
	static const char *const bad[] = {
		"", "0", "-1", "+5", " 5", "5 ", "5x", "0x10", "1000001", "99999999999999999999",
	};
	size_t n = 7, i;

	(void)state;
	assert_int_equal(statement_max_parse("1", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(statement_max_parse("000300", &n), 0);
	assert_int_equal(n, 300);
	assert_int_equal(statement_max_parse("1000000", &n), 0);
	assert_int_equal(n, STATEMENT_MAX_CHARS);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(statement_max_parse(bad[i], &n), -1);
		assert_int_equal(n, STATEMENT_MAX_CHARS);
	}
}

/*
 * 3. Truncation counts characters as textenc reads them: an invalid byte
 * is one character, and the cut never leaves a partial sequence.
 */
static void
test_truncate_invalid(void **state)
{
	char s[64];
	size_t chars;

	(void)state;
	strcpy(s, "\xff\xfe\xfd" "abc");
	assert_int_equal(statement_truncate(s, 4), 4);
	assert_string_equal(s, "\xff\xfe\xfd…");
	strcpy(s, "a\xe4\xb8");		/* a cut sequence: two invalid bytes */
	assert_int_equal(statement_truncate(s, 3), 3);
	assert_string_equal(s, "a\xe4\xb8");
	assert_int_equal(statement_truncate(s, 2), 1);
	assert_string_equal(s, "…");
	strcpy(s, "证据一二三");
	assert_int_equal(statement_truncate(s, 2), 2);
	assert_string_equal(s, "证…");
	assert_int_equal(textenc_utf8_check(s, strlen(s), &chars), 0);
	assert_int_equal(chars, 2);
}

/* 4. Order facts from the rows, with the logistics fallbacks; then a dispute. */
static void
test_facts(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct order_facts f;
	struct vault *v = make_vault();

	(void)state;
	assert_int_equal(order_facts_load(vault_db(v), "A", &f, &err), 0);
	assert_string_equal(f.shop, "Celadon Shop");
	assert_int_equal(f.total_fen, 12345);
	assert_string_equal(f.currency, "CNY");
	assert_string_equal(f.buyer_phone, "13900001111");
	assert_int_equal(f.paid_at, 1746000000);
	assert_int_equal(f.created_at, -1);
	assert_string_equal(f.carrier, "SF");
	assert_string_equal(f.tracking_no, "SF1234567890");
	assert_int_equal(f.shipped_at, 1746100000);	/* the first event */
	assert_int_equal(f.delivered_at, 1746300000);	/* the delivered event */
	assert_string_equal(f.buyer_quote, "broken, call 13812345678");
	assert_int_equal(f.buyer_quote_at, 1746320000);
	assert_int_equal(f.has_dispute, 0);
	assert_null(f.reason);
	assert_int_equal(f.deadline, -1);
	order_facts_release(&f);
	assert_null(f.shop);
	/* an order the vault does not hold: nothing known, not an error */
	assert_int_equal(order_facts_load(vault_db(v), "Z", &f, &err), 0);
	assert_null(f.shop);
	assert_null(f.buyer_quote);
	assert_int_equal(f.total_fen, -1);
	assert_int_equal(f.shipped_at, -1);
	order_facts_release(&f);
	exec_sql(v, "INSERT INTO disputes(id, order_id, reason, claim, amount_fen, status, profile, "
		 "requested_at, deadline, opened_at) VALUES(1, 'A', 'not_received', 'full refund', "
		 "12345, 'requested', 'douyin', 1746400000, 1746600000, 1746400000)");
	assert_int_equal(order_facts_load(vault_db(v), "A", &f, &err), 0);
	assert_int_equal(f.has_dispute, 1);
	assert_string_equal(f.reason, "not_received");
	assert_string_equal(f.claim, "full refund");
	assert_string_equal(f.status, "requested");
	assert_int_equal(f.amount_fen, 12345);
	assert_int_equal(f.requested_at, 1746400000);
	assert_int_equal(f.deadline, 1746600000);
	order_facts_release(&f);
	vault_close(v);
}

/* 5. English drafts: masking on and off, exhibit citations, the dispute's scenario. */
static void
test_draft_en(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct templates *t;
	struct vault *v = make_vault();
	char *s;

	(void)state;
	assert_int_equal(templates_load(tpldir, "en", &t, &err), 0);
	assert_int_equal(statement_draft(vault_db(v), t, "A", "other", 0, 1, 0, &s, &err), 0);
	assert_non_null(strstr(s, "Order A (Celadon Shop, paid 123.45 CNY)"));
	assert_non_null(strstr(s, "Order details: Exhibit 1."));
	/* exhibits: order, chat, logistics (exhibits.h); the delivered event's time */
	assert_non_null(strstr(s, "Logistics: Exhibit 3 (delivered 2025-05-03 19:20:00 +00:00)."));
	assert_non_null(strstr(s, "Chat: Exhibit 2."));
	assert_non_null(strstr(s, "\"broken, call 138****5678\" (2025-05-04 00:53:20 +00:00)"));
	assert_null(strstr(s, "13812345678"));
	assert_null(strstr(s, "not this order"));
	free(s);
	assert_int_equal(statement_draft(vault_db(v), t, "A", "other", 0, 0, 0, &s, &err), 0);
	assert_non_null(strstr(s, "\"broken, call 13812345678\""));
	free(s);
	/* no scenario given: the dispute's recorded reason picks it */
	exec_sql(v, "INSERT INTO disputes(id, order_id, reason, status, profile, opened_at) "
		 "VALUES(1, 'A', 'not_received', 'requested', 'douyin', 1746400000)");
	assert_int_equal(statement_draft(vault_db(v), t, "A", NULL, 0, 1, 0, &s, &err), 0);
	assert_non_null(strstr(s, "the buyer says the parcel was not received"));
	assert_non_null(strstr(s, "tracking no. SF1234567890"));
	assert_null(strstr(s, "{"));
	free(s);
	/* a limit cuts on a character, with the ellipsis */
	assert_int_equal(statement_draft(vault_db(v), t, "A", NULL, 20, 1, 0, &s, &err), 0);
	assert_int_equal(strlen(s), 19 + strlen("…"));
	assert_non_null(strstr(s, "…"));
	free(s);
	templates_free(t);
	vault_close(v);
}

int
main(void)
{
	if (getcwd(srcdir, sizeof(srcdir)) == NULL)
		return 1;
	snprintf(tpldir, sizeof(tpldir), "%s/templates", srcdir);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenarios),
		cmocka_unit_test(test_max_parse),
		cmocka_unit_test(test_truncate_invalid),
		cmocka_unit_test_setup_teardown(test_facts, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_draft_en, test_tmpdir_setup, test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * test_evidence — the reads commands make about evidence rows, on a vault
 * filled through ingest: orders exist or not, the list of orders with
 * their counts, the row ids of an order, rows never sealed, chat senders
 * nobody is; and each read on a vault whose tables are missing fails
 * with CF_EDB instead of answering.
 */
#include "testutil.h"

#include <sys/stat.h>

#include "casefile/db.h"
#include "casefile/evidence.h"
#include "fixture.h"
#include "vaultfix.h"

#define A "6931000000000001"
#define B "6931000000000002"

static const char chat[] =
	"{\"order_id\": \"" A "\", \"messages\": ["
	"{\"time\": \"2025-05-03 10:12\", \"from\": \"buyer\", \"text\": \"杯子裂了\"}]}";

enum { A1, A2, B1 };

static void
fill(struct vaultfix *f)
{
	f->id[A1] = vaultfix_ingest_str(f->v, A, "chat.json", chat);
	f->id[A2] = vaultfix_ingest_str(f->v, A, "note.txt", "a note");
	f->id[B1] = vaultfix_ingest_str(f->v, B, "b.txt", "bb");
}

static int
setup(void **state)
{
	return vaultfix_setup(state, fill);
}

#define teardown vaultfix_teardown

static void
drop(struct vault *v, const char *sql)
{
	struct cf_err err = CF_ERR_INIT;

	assert_int_equal(db_exec(vault_db(v), sql, &err), 0);
}

static void
test_order_exists(void **state)
{
	struct vaultfix *f = *state;

	assert_int_equal(evidence_order_exists(f->v, A), 1);
	assert_int_equal(evidence_order_exists(f->v, B), 1);
	assert_int_equal(evidence_order_exists(f->v, "6931000000000009"), 0);
	assert_int_equal(evidence_order_exists(f->v, ""), 0);
	/* a LIKE pattern is a value, not a pattern */
	assert_int_equal(evidence_order_exists(f->v, "6931%"), 0);
}

static void
test_orders(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct evidence_order *o;
	size_t n;

	assert_int_equal(evidence_orders(f->v, &o, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(o[0].order_id, A);
	assert_int_equal(o[0].items, 2);
	assert_int_equal(o[0].bytes, (long long)(sizeof(chat) - 1 + 6));
	assert_int_equal(o[0].kinds[CF_KIND_CHAT], 1);
	assert_int_equal(o[0].kinds[CF_KIND_OTHER], 1);
	assert_int_equal(o[0].kinds[CF_KIND_PHOTO], 0);
	assert_true(o[0].last_ingested_at > 0);
	assert_string_equal(o[1].order_id, B);
	assert_int_equal(o[1].items, 1);
	assert_int_equal(o[1].bytes, 2);
	evidence_orders_free(o, n);
	evidence_orders_free(NULL, 0);
}

static void
test_orders_empty_and_broken(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct evidence_order *o = (void *)1;
	struct vault *v;
	size_t n = 9;

	(void)state;
	assert_int_equal(mkdir("empty", 0700), 0);
	assert_int_equal(chdir("empty"), 0);
	v = vaultfix_new();
	assert_int_equal(evidence_orders(v, &o, &n, &err), 0);
	assert_null(o);
	assert_int_equal(n, 0);
	/* a vault whose warnings table is gone: an error, not a short list */
	drop(v, "DROP TABLE warnings");
	assert_int_equal(evidence_orders(v, &o, &n, &err), -1);
	assert_int_equal(err.code, CF_EDB);
	assert_non_null(strstr(err.msg, "no such table: warnings"));
	assert_null(o);
	cf_err_release(&err);
	vault_close(v);
	assert_int_equal(chdir(".."), 0);
}

static void
test_ids(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	int64_t *ids;
	size_t n;

	assert_int_equal(evidence_ids(f->v, NULL, &ids, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_true(ids[0] == f->id[A1] && ids[1] == f->id[A2] && ids[2] == f->id[B1]);
	free(ids);
	assert_int_equal(evidence_ids(f->v, B, &ids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_true(ids[0] == f->id[B1]);
	free(ids);
	assert_int_equal(evidence_ids(f->v, "nope", &ids, &n, &err), 0);
	assert_int_equal(n, 0);
	free(ids);
}

static void
test_unsealed(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	uint64_t leafless = 99;
	long long late = -1;

	/* ingest appends leaves; nothing is sealed, so every row is unsealed */
	assert_int_equal(evidence_count_leafless(f->v, &leafless, &err), 0);
	assert_int_equal(leafless, 0);
	assert_int_equal(evidence_count_unsealed(f->v, A, &late, &err), 0);
	assert_int_equal(late, 2);
	assert_int_equal(evidence_count_unsealed(f->v, "nope", &late, &err), 0);
	assert_int_equal(late, 0);
	/* a row whose leaf was lost counts as leafless */
	drop(f->v, "UPDATE evidence SET leaf_index = NULL WHERE order_id = '" B "'");
	assert_int_equal(evidence_count_leafless(f->v, &leafless, &err), 0);
	assert_int_equal(leafless, 1);
	/* no heads table: the count fails, it does not say 0 */
	drop(f->v, "DROP TABLE heads");
	assert_int_equal(evidence_count_unsealed(f->v, A, &late, &err), -1);
	assert_int_equal(err.code, CF_EDB);
	cf_err_release(&err);
}

struct names {
	char got[256];
	long long total;
};

static void
on_name(void *cookie, const char *name, long long messages)
{
	struct names *s = cookie;

	snprintf(s->got + strlen(s->got), sizeof(s->got) - strlen(s->got), "%s%s=%lld",
		 *s->got ? "," : "", name, messages);
	s->total += messages;
}

static void
test_unknown_senders(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct names s = { "", 0 };
	size_t n;
	char *feige = fixture_load("chat-feige.txt", &n);
	int64_t id = vaultfix_ingest(f->v, A, "chat.txt", feige, n, NULL);

	assert_int_equal(evidence_unknown_senders(f->v, NULL, id, on_name, &s, &err), 0);
	/* no shop agents, no order record: every named sender is unknown */
	assert_non_null(strstr(s.got, "客服-阿青="));
	assert_non_null(strstr(s.got, "小青="));
	assert_true(s.total >= 3);
	memset(&s, 0, sizeof(s));
	assert_int_equal(db_meta_set(vault_db(f->v), "shop.agents", "客服-阿青、小青", &err), 0);
	assert_int_equal(evidence_unknown_senders(f->v, NULL, id, on_name, &s, &err), 0);
	assert_null(strstr(s.got, "客服-阿青"));
	assert_null(strstr(s.got, "小青="));
	/* the chat.json senders are named by the file: none is unknown */
	memset(&s, 0, sizeof(s));
	assert_int_equal(evidence_unknown_senders(f->v, NULL, f->id[A1], on_name, &s, &err), 0);
	assert_string_equal(s.got, "");
	/* a row that does not exist has no senders */
	assert_int_equal(evidence_unknown_senders(f->v, NULL, 999, on_name, &s, &err), 0);
	assert_string_equal(s.got, "");
	/* a query kept for the run gives the same answers, call after call */
	{
		struct evidence_senders *keep = NULL;
		char first[sizeof(s.got)];

		db_meta_set(vault_db(f->v), "shop.agents", "", &err);
		memset(&s, 0, sizeof(s));
		assert_int_equal(evidence_unknown_senders(f->v, &keep, id, on_name, &s, &err), 0);
		assert_non_null(keep);
		assert_non_null(strstr(s.got, "小青="));
		memcpy(first, s.got, sizeof(first));
		memset(&s, 0, sizeof(s));
		assert_int_equal(evidence_unknown_senders(f->v, &keep, f->id[A1], on_name, &s,
							  &err), 0);
		assert_string_equal(s.got, "");
		memset(&s, 0, sizeof(s));
		assert_int_equal(evidence_unknown_senders(f->v, &keep, id, on_name, &s, &err), 0);
		assert_string_equal(s.got, first);
		evidence_senders_free(keep);
		evidence_senders_free(NULL);
	}
	drop(f->v, "DROP TABLE messages");
	assert_int_equal(evidence_unknown_senders(f->v, NULL, id, on_name, &s, &err), -1);
	assert_int_equal(err.code, CF_EDB);
	cf_err_release(&err);
	free(feige);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_exists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsealed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_senders, setup, teardown),
		cmocka_unit_test_setup_teardown(test_orders_empty_and_broken, test_tmpdir_setup,
						test_tmpdir_teardown),
	};

	(void)argc;
	fixture_init(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

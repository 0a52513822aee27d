/* SPDX-License-Identifier: MIT */
/*
 * test_itemview — what `show` shows, read from a vault filled through
 * ingest with the real fixtures: ORDER versus ITEM; the custody facts and
 * the parsed facts of a chat, an order record and a note; each message as
 * parsed with --messages; one item with its history; and rows that are
 * missing or damaged: no rows is an empty view, a row without a proper
 * hash shows "?", a parsed table gone leaves its facts out, the warnings
 * table gone is an error.
 */
#include "testutil.h"

#include "casefile/db.h"
#include "casefile/itemview.h"
#include "casefile/tag.h"
#include "fixture.h"
#include "vaultfix.h"

#define A "6931000000000001"

enum { CHAT, ORDER, NOTE };

static int64_t
ingest_fixture(struct vault *v, const char *name)
{
	size_t n;
	char *body = fixture_load(name, &n);
	int64_t id = vaultfix_ingest(v, A, name, body, n, NULL);

	free(body);
	return id;
}

static void
fill(struct vaultfix *f)
{
	f->id[CHAT] = ingest_fixture(f->v, "chat.json");
	f->id[ORDER] = ingest_fixture(f->v, "order.json");
	f->id[NOTE] = vaultfix_ingest_str(f->v, A, "note.txt", "just a note");
}

static int
setup(void **state)
{
	return vaultfix_setup(state, fill);
}

#define teardown vaultfix_teardown

static const struct itemview_fact *
fact(const struct itemview *iv, const char *key)
{
	size_t i;

	for (i = 0; i < iv->nfacts; i++)
		if (!strcmp(iv->facts[i].key, key))
			return &iv->facts[i];
	return NULL;
}

static void
sql(struct vault *v, const char *s)
{
	struct cf_err err = CF_ERR_INIT;

	if (db_exec(vault_db(v), s, &err) < 0)
		fail_msg("%s: %s", s, err.msg);
}

static void
test_resolve(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	char spec[32];
	int64_t item = -1;

	assert_int_equal(itemview_resolve(f->v, A, &item, &err), 0);
	assert_int_equal(item, 0);
	snprintf(spec, sizeof(spec), "#%lld", (long long)f->id[ORDER]);
	assert_int_equal(itemview_resolve(f->v, spec, &item, &err), 0);
	assert_int_equal(item, f->id[ORDER]);
	assert_int_equal(itemview_resolve(f->v, A ":E9", &item, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	cf_err_release(&err);
	assert_int_equal(itemview_resolve(f->v, "999", &item, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	cf_err_release(&err);
	assert_int_equal(itemview_resolve(f->v, "no such thing", &item, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	cf_err_release(&err);
}

static void
test_order(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct itemview *iv;
	const struct itemview_fact *x;
	size_t n;

	assert_int_equal(itemview_read(f->v, A, 0, 0, &iv, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_true(iv[0].id == f->id[CHAT] && iv[1].id == f->id[ORDER] && iv[2].id == f->id[NOTE]);
	assert_string_equal(iv[0].kind, "chat");
	assert_string_equal(iv[0].order_id, A);
	assert_string_equal(iv[0].name, "chat.json");
	assert_int_equal(strlen(iv[0].sha256), CF_SHA256_HEXLEN);
	assert_true(iv[0].ingested_at > 0);
	assert_non_null(iv[0].tool_version);
	assert_null(iv[0].bundle);
	assert_int_equal(iv[0].has_records, 0);
	/* the chat's facts: six messages, two from the buyer, times as times */
	assert_non_null(x = fact(&iv[0], "messages"));
	assert_int_equal(x->type, ITEMVIEW_INT);
	assert_int_equal(x->num, 6);
	assert_int_equal(fact(&iv[0], "from_buyer")->num, 2);
	assert_int_equal(fact(&iv[0], "from_merchant")->num, 2);
	assert_non_null(x = fact(&iv[0], "first"));
	assert_int_equal(x->type, ITEMVIEW_TIME);
	assert_int_equal(x->num, 1746238320);	/* 2025-05-03T10:12:00+08:00 */
	/* the order record's: money as yuan, the shop, two items */
	assert_string_equal(iv[1].kind, "order");
	assert_string_equal(fact(&iv[1], "total")->str, "89.00");
	assert_string_equal(fact(&iv[1], "shop")->str, "青瓷小铺");
	assert_int_equal(fact(&iv[1], "items")->num, 2);
	assert_null(fact(&iv[1], "messages"));
	/* a note has no parsed facts at all */
	assert_string_equal(iv[2].kind, "other");
	assert_null(fact(&iv[2], "messages"));
	assert_null(fact(&iv[2], "excluded"));
	itemview_free(iv, n);
	itemview_free(NULL, 0);
	/* an order with nothing: an empty view, not an error */
	assert_int_equal(itemview_read(f->v, "6931000000000009", 0, 0, &iv, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(iv);
}

static void
test_records(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct itemview *iv;
	size_t n;

	assert_int_equal(itemview_read(f->v, A, 0, ITEMVIEW_RECORDS, &iv, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(iv[0].has_records, 1);
	assert_int_equal(iv[0].chat, 1);
	assert_int_equal(iv[0].nrecords, 6);
	assert_string_equal(iv[0].records[0].f[0], "buyer");
	assert_string_equal(iv[0].records[0].f[1], "小**");
	assert_string_equal(iv[0].records[0].f[2], "收到的杯子有裂痕");
	assert_non_null(strstr(iv[0].records[0].f[3], "IMG_0001.jpg"));
	assert_int_equal(iv[0].records[0].has_time, 1);
	assert_int_equal(iv[0].records[0].time, 1746238320);
	assert_true(iv[0].records[0].seq < iv[0].records[1].seq);
	/* neither a chat nor logistics: no records */
	assert_int_equal(iv[1].has_records, 0);
	assert_int_equal(iv[2].has_records, 0);
	itemview_free(iv, n);
}

struct hist {
	int n;
	char value[128];
};

static void
on_event(void *cookie, const struct tag_event *e)
{
	struct hist *h = cookie;

	h->n++;
	snprintf(h->value, sizeof(h->value), "%s", e->value);
}

static void
test_item_history(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct tag_change c = TAG_CHANGE_INIT;
	struct hist h = { 0, "" };
	struct itemview *iv;
	size_t n;

	c.note = "shows the crack";
	assert_int_equal(tag_apply(f->v, f->id[NOTE], &c, "tester", 1764720000, NULL, NULL, NULL,
				   &err), 0);
	assert_int_equal(itemview_read(f->v, "ignored", f->id[NOTE], 0, &iv, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(iv[0].order_id, A);
	assert_string_equal(iv[0].note, "shows the crack");
	itemview_free(iv, n);
	assert_int_equal(itemview_history(f->v, f->id[NOTE], on_event, &h, &err), 0);
	assert_int_equal(h.n, 1);
	assert_non_null(strstr(h.value, "shows the crack"));
	h.n = 0;
	assert_int_equal(itemview_history(f->v, f->id[CHAT], on_event, &h, &err), 0);
	assert_int_equal(h.n, 0);
}

static void
test_damaged(void **state)
{
	struct vaultfix *f = *state;
	struct cf_err err = CF_ERR_INIT;
	struct itemview *iv;
	size_t n;

	/* a hash that is not 32 bytes shows as "?" */
	sql(f->v, "PRAGMA foreign_keys = OFF; UPDATE evidence SET sha256 = x'0102' "
		  "WHERE kind = 'other'");
	/* the parsed tables of chats gone: the chat is shown without its facts */
	sql(f->v, "DROP TABLE messages");
	assert_int_equal(itemview_read(f->v, A, 0, ITEMVIEW_RECORDS, &iv, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(iv[2].sha256, "?");
	assert_null(fact(&iv[0], "messages"));
	assert_int_equal(iv[0].has_records, 0);
	assert_string_equal(fact(&iv[1], "total")->str, "89.00");
	itemview_free(iv, n);
	/* the warnings are part of every item: without them, an error */
	sql(f->v, "DROP TABLE warnings");
	iv = (void *)1;
	assert_int_equal(itemview_read(f->v, A, 0, 0, &iv, &n, &err), -1);
	assert_int_equal(err.code, CF_EDB);
	assert_null(iv);
	assert_int_equal(n, 0);
	cf_err_release(&err);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_item_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
	};

	(void)argc;
	fixture_init(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * test_parse_export — issue 15's readers at the parse level: order exports
 * (CSV header synonyms, grouping by order, selecting one order, XLSX
 * malformed zips and sheets), courier descriptions of every status
 * family, and 飞鸽 name lines.
 */
#include "testutil.h"

#include "casefile/parse.h"
#include "casefile/parse_int.h"
#include "casefile/xalloc.h"
#include "fixture.h"

static struct parsed *
parse_buf(const void *s, size_t n, int forced)
{
	struct parsed *p = NULL;
	struct cf_err err = CF_ERR_INIT;

	assert_int_equal(parse_evidence(s, n, 1, n, -1, "x", forced, &p, &err), 0);
	assert_non_null(p);
	return p;
}

static int
nwarn(const struct parsed *p, int bad, const char *sub)
{
	size_t i;
	int c = 0;

	for (i = 0; i < parsed_warning_count(p); i++)
		if (parsed_warning_bad(p, i) == bad &&
		    (sub == NULL || strstr(parsed_warning(p, i), sub)))
			c++;
	return c;
}

static void
t1_csv_synonyms(void **state)
{
	/* 微信小店 names, any order, a 'tab-guarded id, an unknown column */
	const char *s = "实付金额,订单号,商品名称,数量,商品单价,下单时间,备注\n"
			"89.00,\t3700000000000009,杯,1,89.00,2026-12-01 09:00:00,无\n"
			"118.00,3700000000000008,杯,1,89.00,2026-12-01 09:05:00,\n"
			"118.00,3700000000000008,垫,1,29.00,2026-12-01 09:05:00,\n";
	struct parsed *p = parse_buf(s, strlen(s), -1);

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_ORDER);
	assert_int_equal(parsed_order_count(p), 2);
	assert_string_equal(parsed_order_at(p, 0), "3700000000000009");
	assert_string_equal(parsed_order_at(p, 1), "3700000000000008");
	assert_null(parsed_order_id(p));
	parsed_select_order(p, "3700000000000008");
	assert_string_equal(parsed_order_id(p), "3700000000000008");
	assert_int_equal(p->nitems, 2);
	assert_int_equal(p->items[1].source_row, 4);
	assert_int_equal(p->order.source_row, 3);
	assert_int_equal(p->order.total.v, 11800);
	assert_int_equal(nwarn(p, 1, NULL), 0);
	parsed_free(p);
	/* selecting an order that is not there */
	p = parse_buf(s, strlen(s), -1);
	parsed_select_order(p, "1");
	assert_int_equal(nwarn(p, 1, "the export has no order 1; it holds 2 orders"), 1);
	parsed_free(p);
}

static void
t2_csv_not_export(void **state)
{
	/* an order id alone is not an export; forced order is told why */
	const char *s = "订单号,名字\n1,2\n";
	struct parsed *p = parse_buf(s, strlen(s), -1);

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(parsed_order_count(p), 0);
	parsed_free(p);
	/* header only */
	p = parse_buf("主订单编号,选购商品,订单应付金额\n", 47, -1);
	assert_int_equal(nwarn(p, 1, "has a header but no orders"), 1);
	parsed_free(p);
}

static void
t3_xlsx_fixture(void **state)
{
	size_t n;
	char *d = fixture_load("orders-wechat.xlsx", &n);
	struct parsed *p = parse_buf(d, n, -1);

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_ORDER);
	assert_int_equal(parsed_order_count(p), 2);
	parsed_select_order(p, "3700000000000001");
	assert_int_equal(p->nitems, 2);
	assert_string_equal(p->order.nick, "青瓷爱好者");
	assert_true(p->order.paid.set);
	parsed_free(p);
	free(d);
}

static void
t4_xlsx_malformed(void **state)
{
	static const char zip_no_sheet[] =
		"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		"\x00\x00\x00\x00\x00\x00\x00\x00\x0f\x00\x00\x00xl/workbook.xml";
	size_t n;
	char *d = fixture_load("orders-wechat.xlsx", &n);
	struct parsed *p;
	size_t cut;

	(void)state;
	p = parse_buf(zip_no_sheet, sizeof(zip_no_sheet) - 1, -1);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(nwarn(p, 1, "xlsx: "), 1);
	parsed_free(p);
	/*
	 * every truncation of a real workbook: bad input, never a crash (or,
	 * cut inside the central directory after every part was read, all
	 * the orders)
	 */
	for (cut = 30; cut < n; cut += 37) {
		p = parse_buf(d, cut, -1);
		assert_true(nwarn(p, 1, NULL) >= 1 || parsed_order_count(p) == 2);
		parsed_free(p);
	}
	/* forced order on a zip that is no workbook */
	p = parse_buf("PK\x05\x06" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 35, CF_KIND_ORDER);
	assert_true(nwarn(p, 1, NULL) >= 1);
	parsed_free(p);
	free(d);
}

static void
t5_status_families(void **state)
{
	static const struct { const char *desc, *status; } v[] = {
		{ "【杭州】快件已揽收", "collected" }, { "已揽件", "collected" },
		{ "快件已发往 上海", "in_transit" }, { "到达 上海转运中心", "in_transit" },
		{ "运输中", "in_transit" }, { "快递员正在派件", "out_for_delivery" },
		{ "派送中", "out_for_delivery" }, { "已签收,签收人:本人", "delivered" },
		{ "本人签收", "delivered" }, { "菜鸟驿站代收", "locker" },
		{ "已放入丰巢快递柜", "locker" }, { "已签收,签收人:门卫", "locker" },
		{ "快件已退回", "returned" }, { "派送异常", "exception" },
		{ "快件滞留", "exception" }, { "包裹信息已更新", NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const char *s = parse_status_from_desc(v[i].desc, strlen(v[i].desc));

		if (v[i].status)
			assert_string_equal(s, v[i].status);
		else
			assert_null(s);
	}
}

static void
t6_feige_lines(void **state)
{
	const char *s = "用户1  2026-12-02 10:00:00\n你好\n第二行\n客服  2026-12-02 10:01:00\n"
			"好的\n用户1: 2026-12-02 10:02:00\n";
	struct parsed *p = parse_buf(s, strlen(s), -1);

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(p->nmsgs, 2);
	/* a name with a colon is no name line: it is text of the last message */
	assert_string_equal(p->msgs[1].text, "好的\n用户1: 2026-12-02 10:02:00");
	assert_string_equal(p->msgs[0].sender, "unknown");
	assert_string_equal(p->msgs[1].name, "客服");
	parsed_free(p);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t1_csv_synonyms),
		cmocka_unit_test(t2_csv_not_export),
		cmocka_unit_test(t3_xlsx_fixture),
		cmocka_unit_test(t4_xlsx_malformed),
		cmocka_unit_test(t5_status_families),
		cmocka_unit_test(t6_feige_lines),
	};
	(void)argc;
	fixture_init(argv[0]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

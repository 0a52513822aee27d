/* SPDX-License-Identifier: MIT */
/*
 * test_dossier — exhibit numbering, masking, templates, statement drafts.
 */
#include "testutil.h"

#include "casefile/argument.h"
#include "casefile/checklist.h"
#include "casefile/db_sqlite.h"
#include "casefile/dossier.h"
#include "casefile/exhibits.h"
#include "casefile/mask.h"
#include "casefile/statement.h"
#include "casefile/templates.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

/* The source tree: make test runs the unit tests from there. */
static char srcdir[4096];
#define SRCDIR srcdir
#define TPL_DIR (strcat(strcpy(tplbuf, srcdir), "/templates"))
static char tplbuf[4200];

static void
masked(const char *in, const char *want)
{
	char *got = mask_text(in);

	assert_string_equal(got, want);
	free(got);
}

static void
test_mask(void **state)
{
	char *a;

	(void)state;
	masked("电话13812345678谢谢", "电话138****5678谢谢");
	masked("tel 13812345678.", "tel 138****5678.");
	masked("身份证11010119900307123X", "身份证110101********123X");
	masked("id 110101199003071234 ok", "id 110101********1234 ok");
	masked("文三路123号4栋502室", "文三路***号*栋***室");
	/* not personal data: tracking numbers, transaction ids, prices */
	masked("SF1234567890 4200000000000000000 89.00", "SF1234567890 4200000000000000000 89.00");
	masked("12345678901", "12345678901");		/* not a mobile prefix */
	masked("113812345678", "113812345678");		/* 12 digits */
	masked("", "");
	a = mask_address("浙江省杭州市西湖区文三路123号");
	assert_string_equal(a, "浙江省杭州市西湖区****");
	free(a);
}

/* The phone forms people type in chats, country code and groups included. */
static void
test_mask_phone_forms(void **state)
{
	(void)state;
	masked("电话+86 138 1234 5678", "电话+86 138****5678");
	masked("电话 138-1234-5678 谢谢", "电话 138****5678 谢谢");
	masked("138 1234 5678", "138****5678");
	masked("+8613812345678。", "+86138****5678。");
	masked("86-138-1234-5678", "86-138****5678");
	masked("86-13812345678", "86-138****5678");
	masked("0086 13812345678", "0086 138****5678");
	masked("打8613812345678", "打86138****5678");
	masked("+86-15900001111,", "+86-159****1111,");
	masked("号码13812345678和13900001111", "号码138****5678和139****1111");
	/* ID numbers stay masked as before, next to a phone too */
	masked("11010119900307123X 13812345678", "110101********123X 138****5678");
	masked("130102199003071234", "130102********1234");
}

/* Street addresses in chat text are cut after the district like mask_address. */
static void
test_mask_street(void **state)
{
	(void)state;
	masked("北京市朝阳区建国路88号SOHO现代城2号楼3单元1501",
	       "北京市朝阳区****");
	masked("寄到北京市朝阳区建国路88号SOHO现代城2号楼3单元1501，谢谢",
	       "寄到北京市朝阳区****，谢谢");
	masked("地址是杭州市西湖区文三路123号4栋502室, order looks broken",
	       "地址是杭州市西湖区****, order looks broken");
	masked("上海市浦东新区世纪大道100号 请尽快", "上海市浦东新区**** 请尽快");
	masked("东莞市东城路12号", "东莞市****");
	masked("余杭区良渚文化村玉鸟苑5幢", "余杭区****");
	/* the rest of the message after the address stays */
	masked("朝阳区建国路88号1501室明天到吗", "朝阳区****明天到吗");
	/* a district with no street and house number is not an address */
	masked("我在朝阳区等了3天", "我在朝阳区等了3天");
	masked("超市买的3个杯子坏了2个", "超市买的3个杯子坏了2个");
	masked("浦东新区2号线", "浦东新区2号线");
	/* a house number alone is still masked; a date "5月3号" is not */
	masked("文三路123号4栋502室", "文三路***号*栋***室");
	masked("5月3号发货", "5月3号发货");
}

/* Ordinary text keeps every digit: ids, tracking numbers, money, times. */
static void
test_mask_keeps_ordinary(void **state)
{
	static const char *const keep[] = {
		"订单6931000000000001已发货",
		"order 6931000000000001, SF1234567890, YT1381234567890",
		"SF13812345678",
		"交易号 4200000000000000000 实付 89.00 元 ¥1380.50",
		"2025-05-03 10:12:00 +08:00",
		"2025/05/03 10:14 收到 2 件, 共 3 箱",
		"1380 1234 5678 9",
		"价格 138.12 元, 1381234.5678",
		"138-12345-678",
		"订单号 13812345678901",
		"时间 13:81 与 12:34:56",
		"+1 415 555 0100",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		masked(keep[i], keep[i]);
}

static void
test_mask_address(void **state)
{
	char *a;

	(void)state;
	a = mask_address("浙江省杭州市西湖区文三路123号");
	assert_string_equal(a, "浙江省杭州市西湖区****");
	free(a);
	a = mask_address("Some Road 5");
	assert_string_equal(a, "Some R****");
	free(a);
}

static void
test_truncate(void **state)
{
	char s[64];

	(void)state;
	strcpy(s, "一二三四五");
	assert_int_equal(statement_truncate(s, 10), 5);
	assert_string_equal(s, "一二三四五");
	assert_int_equal(statement_truncate(s, 3), 3);
	assert_string_equal(s, "一二…");
	strcpy(s, "ab语c");
	assert_int_equal(statement_truncate(s, 4), 4);
	assert_string_equal(s, "ab语c");
	assert_int_equal(statement_truncate(s, 3), 3);
	assert_string_equal(s, "ab…");
	/* regression 2026-11-26: "…" over a short ASCII tail overflowed */
	strcpy(s, "abcd");
	assert_int_equal(statement_truncate(s, 3), 2);
	assert_string_equal(s, "a…");
	strcpy(s, "ab");
	assert_int_equal(statement_truncate(s, 1), 1);
	assert_string_equal(s, "a");
	strcpy(s, "abc");
	assert_int_equal(statement_truncate(s, 0), 0);
	assert_string_equal(s, "");
}

static void
test_templates(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct templates *t;
	const char *langs[] = { "zh", "en" };
	size_t i, j;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(templates_load(TPL_DIR, langs[i], &t, &err), 0);
		for (j = 0; statement_scenarios[j]; j++)
			assert_non_null(templates_statement(t, statement_scenarios[j]));
		assert_string_not_equal(templates_get(t, "title"), "title");
		assert_string_equal(templates_get(t, "no such key"), "no such key");
		templates_free(t);
	}
	assert_int_equal(templates_load(TPL_DIR, "fr", &t, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	cf_err_release(&err);
	assert_int_equal(templates_load("nowhere", "en", &t, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	assert_non_null(strstr(err.msg, "nowhere/en.txt"));
	cf_err_release(&err);
	assert_int_equal(system("mkdir -p tpl && printf 'a = 1\\n[statement other]\\nX {order_id}\\n"
				"[bogus]\\n' > tpl/en.txt"), 0);
	assert_int_equal(templates_load("tpl", "en", &t, &err), -1);
	assert_non_null(strstr(err.msg, "line 4"));
	cf_err_release(&err);
}

static void
exec_sql(struct vault *v, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db_sqlite(vault_db(v)), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("sql: %s", msg);
}

/* An order's rows inserted in the given id order. */
static struct vault *
make_vault(const char *dir, int reverse)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v;
	const char *rows[] = {
		"(%d, 'A', 'photo', randomblob(32), 10, 'b.jpg', x'00', 100, 'v')",
		"(%d, 'A', 'chat', randomblob(32), 10, 'chat.json', x'00', 100, 'v')",
		"(%d, 'A', 'photo', randomblob(32), 10, 'a.jpg', x'00', 100, 'v')",
		"(%d, 'A', 'order', randomblob(32), 10, 'order.json', x'00', 100, 'v')",
		"(%d, 'B', 'chat', randomblob(32), 10, 'other.json', x'00', 100, 'v')",
	};
	int i;

	assert_int_equal(vault_init(dir, &err), 0);
	assert_int_equal(vault_open(dir, 0, &v, &err), 0);
	exec_sql(v, "PRAGMA foreign_keys = OFF");
	for (i = 0; i < 5; i++) {
		int k = reverse ? 4 - i : i;
		char *row = xasprintf(rows[k], 10 + i);
		char *sql = xasprintf("INSERT INTO evidence(id, order_id, kind, sha256, size, name, "
				      "name_raw, ingested_at, tool_version) VALUES %s", row);

		exec_sql(v, sql);
		free(row);
		free(sql);
	}
	return v;
}

static void
test_numbering(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct exhibits a, b;
	struct vault *va = make_vault("va", 0), *vb = make_vault("vb", 1);
	const char *want[] = { "order.json", "chat.json", "a.jpg", "b.jpg" };
	size_t i;

	(void)state;
	assert_int_equal(exhibits_load(vault_db(va), "A", &a, &err), 0);
	assert_int_equal(exhibits_load(vault_db(vb), "A", &b, &err), 0);
	assert_int_equal(a.n, 4);
	assert_int_equal(b.n, 4);
	for (i = 0; i < 4; i++) {
		assert_string_equal(a.v[i].name, want[i]);
		assert_string_equal(b.v[i].name, want[i]);
		assert_int_equal(a.v[i].no, (int)i + 1);
		assert_int_equal(exhibits_no(&a, a.v[i].evidence_id), (int)i + 1);
	}
	assert_int_equal(exhibits_no(&a, 9999), 0);
	exhibits_release(&a);
	exhibits_release(&b);
	assert_int_equal(exhibits_load(vault_db(va), "C", &a, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	assert_string_equal(err.msg, "no evidence for order 'C'");
	cf_err_release(&err);
	vault_close(va);
	vault_close(vb);
}

static void
test_draft(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = make_vault("v", 0);
	struct templates *t;
	char *s;

	(void)state;
	exec_sql(v, "INSERT INTO messages(evidence_id, seq, time, sender, sender_raw, name, text, "
		    "attachments) VALUES(11, 1, 1746238320, 'buyer', '买家', '小**', "
		    "'杯子裂了 13812345678', NULL);"
		    "INSERT INTO order_records(evidence_id, order_id, shop, total_fen, delivered_at) "
		    "VALUES(13, 'A', '青瓷小铺', 8900, 1746165780)");
	assert_int_equal(templates_load(TPL_DIR, "zh", &t, &err), 0);
	assert_int_equal(statement_draft(vault_db(v), t, "A", "quality", 0, 1, 8 * 3600, &s, &err), 0);
	assert_non_null(strstr(s, "关于订单 A（青瓷小铺，实付 89.00 CNY）"));
	assert_non_null(strstr(s, "“杯子裂了 138****5678”（5月3日 10:12），见证据2"));
	/* no shipping time recorded: the point says what is known */
	assert_non_null(strstr(s, "1. 商品已于5月2日 14:03签收。"));
	/* issue 16: the default stance refuses, and never concedes */
	assert_non_null(strstr(s, "请平台依据上述证据驳回买家的退款申请。"));
	assert_null(strstr(s, "{"));
	free(s);
	assert_int_equal(statement_draft(vault_db(v), t, "A", "quality", 30, 1, 8 * 3600, &s, &err), 0);
	{
		size_t chars = 0;
		const unsigned char *q;

		for (q = (const unsigned char *)s; *q; q++)
			chars += (*q & 0xC0) != 0x80;
		assert_int_equal(chars, 30);
		assert_non_null(strstr(s, "…"));
	}
	free(s);
	assert_int_equal(statement_draft(vault_db(v), t, "A", "bogus", 0, 1, 0, &s, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	cf_err_release(&err);
	assert_int_equal(statement_draft(vault_db(v), t, "Z", NULL, 0, 1, 0, &s, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	cf_err_release(&err);
	templates_free(t);
	vault_close(v);
}

/*
 * Optional parts: {?A?} goes when a placeholder directly in A has no value,
 * {?A|B?} falls back to B, parts nest; a line left empty goes and "N. "
 * points are numbered again; outside a part a missing fact is "unknown".
 */
static void
test_optional(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = make_vault("vopt", 0);
	struct templates *t;
	char *s;

	(void)state;
	exec_sql(v, "INSERT INTO order_records(evidence_id, order_id, shop, total_fen) "
		    "VALUES(13, 'A', '青瓷小铺', 8900)");
	assert_int_equal(system("mkdir -p opt && printf '%s' 'lang = en\nunknown = ?\nnone = -\n"
				"exhibit_ref = E%d\nlist_sep = ,\n"
				"[statement other]\n"
				"A{? ({shop}{?, paid {amount}?}{?, at {paid_at}?})?}.\n"
				"1. {?shipped {shipped_at}?}\n"
				"2. {?claim {claim}|no claim?} {?x {claim}|y {tracking_no}?}|\n"
				"3. photos {?{ex_photo}?}{?{ex_receipt}|none?} top {ex_receipt} {tracking_no}\n"
				"{?{carrier}?}\n"
				"\n"
				"4. {?a ?} b {?{?{claim}?}c?} {?d\n"
				"END ?}x\n'"
				" >opt/en.txt"), 0);
	assert_int_equal(templates_load("opt", "en", &t, &err), 0);
	assert_int_equal(statement_draft(vault_db(v), t, "A", "other", 0, 1, 0, &s, &err), 0);
	assert_string_equal(s, "A (青瓷小铺, paid 89.00 CNY).\n"
			       "1. no claim |\n"
			       "2. photos E3,E4none top - ?\n"
			       "\n"
			       "3. a  b c {?d\n"
			       "END ?}x");
	free(s);
	templates_free(t);
	/* parts nest 8 deep; a ninth "{?" is text (bounded recursion) */
	assert_int_equal(system("printf '%s' 'lang = en\nunknown = ?\n[statement other]\n"
				"{?{?{?{?{?{?{?{?o{?n?}?}?}?}?}?}?}?}?}|\n"
				"{?{?{?{?{?{?{?{?{?x?}?}?}?}?}?}?}?}?}|\n'"
				" >opt/en.txt"), 0);
	assert_int_equal(templates_load("opt", "en", &t, &err), 0);
	assert_int_equal(statement_draft(vault_db(v), t, "A", "other", 0, 1, 0, &s, &err), 0);
	assert_string_equal(s, "o{?n?}|\n{?x?}|");
	free(s);
	templates_free(t);
	vault_close(v);
}

/*
 * Placeholders: {ex_a+b} lists several kinds in exhibit order; exhibit_ref
 * is text with one %d, never a printf format (a merchant's %s/%n stays
 * literal); "\\s" keeps a space at a value's end; unknown placeholders
 * stay as written; templates_load(NULL) searches like templates.h.
 */
static void
test_placeholders(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = make_vault("v", 0);
	struct templates *t;
	char *s;
	size_t n = 7;

	(void)state;
	assert_int_equal(system("mkdir -p tpl && printf '%s' 'lang = en\n"
				"exhibit_ref = %s#%d%n\nlist_sep = ;\\s\nnone = -\nunknown = ?\n"
				"[statement other]\n"
				"P {ex_photo} | C {ex_chat+order} | V {ex_video} | R {reason} | {ex_} {nosuch}\n"
				"Q {buyer_quote}\n'"
				" >tpl/en.txt"), 0);
	/* a 100-character first message: quoted as 79 and "…" */
	exec_sql(v, "INSERT INTO messages(evidence_id, seq, time, sender, sender_raw, name, text, "
		    "attachments) VALUES(11, 1, 100, 'buyer', '买家', 'x', "
		    "'一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
		    "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
		    "一二三四五六七八九十一二三四五六七八九十', NULL)");
	assert_int_equal(setenv("CASEFILE_TEMPLATES", "tpl", 1), 0);
	assert_int_equal(templates_load(NULL, "en", &t, &err), 0);	/* found via the env */
	assert_string_equal(templates_get(t, "list_sep"), "; ");
	assert_int_equal(statement_draft(vault_db(v), t, "A", "other", 0, 1, 0, &s, &err), 0);
	assert_non_null(strstr(s, "P %s#3%n; %s#4%n | C %s#1%n; %s#2%n | V - | R other | {ex_} {nosuch}\nQ "));
	assert_int_equal(checklist_utf8_chars(strstr(s, "\nQ ") + 3, strlen(strstr(s, "\nQ ") + 3)),
			 ARGUMENT_QUOTE_CHARS);
	assert_non_null(strstr(s, "七八九…"));
	free(s);
	templates_free(t);
	vault_close(v);
	assert_int_equal(statement_max_parse("1", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(statement_max_parse("1000000", &n), 0);
	assert_int_equal(n, STATEMENT_MAX_CHARS);
	assert_int_equal(statement_max_parse("1000001", &n), -1);
	assert_int_equal(statement_max_parse("99999999999999999999999", &n), -1);
	assert_int_equal(statement_max_parse("0", &n), -1);
	assert_int_equal(statement_max_parse("", &n), -1);
	assert_int_equal(statement_max_parse("+5", &n), -1);
	assert_int_equal(statement_max_parse(" 5", &n), -1);
	assert_int_equal(statement_max_parse("5x", &n), -1);
	assert_int_equal(n, STATEMENT_MAX_CHARS);	/* unchanged by refusals */
}

/*
 * Re-exports (issue 12, 2026-12-03): a chat or logistics file whose every
 * record is in a larger (or equal and later) file of the same kind is
 * superseded by the top one; overlap alone, a repeated record, an empty
 * file or another kind never supersedes.
 */
static void
test_superseded(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct exhibits ex;
	struct vault *v;
	/* id, kind, name, records ("t|who|text;..." for chat, "t|status;..." for logistics) */
	static const struct {
		int id;
		const char *kind, *name, *recs;
		int want;
	} f[] = {
		{ 20, "chat", "c1.csv", "10|buyer|a;20|merchant|b", 6 },
		{ 21, "chat", "c2.csv", "10|buyer|a;20|merchant|b;30|buyer|c", 6 },
		{ 22, "chat", "c3.csv", "20|merchant|b;30|buyer|c", 6 },
		{ 23, "chat", "c4.csv", "30|buyer|c;40|merchant|d", 0 },
		{ 24, "chat", "c5.csv", "", 0 },
		{ 25, "chat", "c6.csv", "30|buyer|c;10|buyer|a;20|merchant|b", 0 },
		{ 26, "chat", "c7.csv", "10|buyer|a;10|buyer|a", 0 },
		{ 27, "chat", "c8.csv", "-|buyer|x", 9 },
		{ 28, "chat", "c9.csv", "-|buyer|x;5|buyer|y", 0 },
		{ 30, "logistics", "l1.csv", "100|collected;200|in_transit", 11 },
		{ 31, "logistics", "l2.csv", "100|collected;200|in_transit;300|delivered", 0 },
		{ 32, "logistics", "l3.csv", "100|collected;200|delivered", 0 },
	};
	size_t i;

	(void)state;
	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, &v, &err), 0);
	exec_sql(v, "PRAGMA foreign_keys = OFF");
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		char *sql = xasprintf("INSERT INTO evidence(id, order_id, kind, sha256, size, name,"
				      " name_raw, ingested_at, tool_version) VALUES(%d, 'S', '%s',"
				      " randomblob(32), 1, '%s', x'00', 1, 'v')",
				      f[i].id, f[i].kind, f[i].name);
		char *recs = xstrdup(f[i].recs), *r, *save = NULL;
		int seq = 0;

		exec_sql(v, sql);
		free(sql);
		for (r = strtok_r(recs, ";", &save); r; r = strtok_r(NULL, ";", &save)) {
			char *t = r, *a = strchr(t, '|'), *b;

			*a++ = '\0';
			if (strcmp(f[i].kind, "chat") == 0) {
				b = strchr(a, '|');
				*b++ = '\0';
				sql = xasprintf("INSERT INTO messages(evidence_id, seq, time, sender, text)"
						" VALUES(%d, %d, %s, '%s', '%s')", f[i].id, seq++,
						strcmp(t, "-") ? t : "NULL", a, b);
			} else {
				sql = xasprintf("INSERT INTO logistics_events(evidence_id, seq, time,"
						" status) VALUES(%d, %d, %s, '%s')", f[i].id, seq++,
						t, a);
			}
			exec_sql(v, sql);
			free(sql);
		}
		free(recs);
	}
	/* a chat of another order, holding everything, supersedes nothing here */
	exec_sql(v, "INSERT INTO evidence(id, order_id, kind, sha256, size, name, name_raw,"
		    " ingested_at, tool_version) VALUES(40, 'T', 'chat', randomblob(32), 1,"
		    " 'all.csv', x'00', 1, 'v');"
		    "INSERT INTO messages(evidence_id, seq, time, sender, text) SELECT 40,"
		    " row_number() OVER (), time, sender, text FROM messages;");
	assert_int_equal(exhibits_load(vault_db(v), "S", &ex, &err), 0);
	assert_int_equal(ex.n, sizeof(f) / sizeof(f[0]));
	for (i = 0; i < ex.n; i++) {
		assert_string_equal(ex.v[i].name, f[i].name);
		if (ex.v[i].superseded_by != f[i].want)
			fail_msg("%s: superseded by %d, want %d", f[i].name, ex.v[i].superseded_by,
				 f[i].want);
	}
	exhibits_release(&ex);
	vault_close(v);
}

int
main(void)
{
	if (getcwd(srcdir, sizeof(srcdir)) == NULL)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_mask_phone_forms),
		cmocka_unit_test(test_mask_street),
		cmocka_unit_test(test_mask_keeps_ordinary),
		cmocka_unit_test(test_mask_address),
		cmocka_unit_test_setup_teardown(test_optional, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test(test_truncate),
		cmocka_unit_test_setup_teardown(test_templates, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_numbering, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_superseded, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_draft, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_placeholders, test_tmpdir_setup,
						test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

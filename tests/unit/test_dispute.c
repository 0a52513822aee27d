/* SPDX-License-Identifier: MIT */
/*
 * test_dispute — vocabularies, money, the deadline clock across day, month
 * and year boundaries and time zones, and dispute records with their events
 * (every refusal leaves the database as it was).
 */
#include "testutil.h"

#include "casefile/cftime.h"
#include "casefile/db_sqlite.h"
#include "casefile/dispute.h"
#include "casefile/money.h"
#include "casefile/profile.h"
#include "casefile/vault.h"
#include "casefile/who.h"

/* The checkout (the tests start there), for its templates/. */
static char srcdir[4096];

static struct profile *
test_profile(long esc, long evid)
{
	struct profile *p = NULL;
	char text[512];

	snprintf(text, sizeof(text), "name = t\nbuyer_escalation_hours = %ld\n"
		 "merchant_evidence_hours = %ld\nstatement_max_chars = 500\n"
		 "images_per_submission = 9\naccepted_formats = jpeg\nmax_file_size = 5MB\n",
		 esc, evid);
	assert_int_equal(profile_parse(text, strlen(text), "t", &p, NULL), 0);
	return p;
}

static long long
T(const char *s)
{
	long long t;
	struct cf_err err = CF_ERR_INIT;

	if (cftime_parse(s, strlen(s), &t, &err) < 0)
		fail_msg("%s", err.msg);
	return t;
}

static void
test_reasons(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	const char *const *rs = dispute_reasons();
	const char *zh[] = { "质量问题", "描述不符", "运输损坏", "未收到货", "错发漏发",
			     "不支持退货", "价格或支付问题", "发货延迟或服务问题", "疑似恶意退款", "其他" };
	int i;

	(void)state;
	for (i = 0; rs[i]; i++) {
		assert_ptr_equal(dispute_reason_parse(rs[i], &err), rs[i]);
		assert_ptr_equal(dispute_reason_parse(zh[i], &err), rs[i]);
		assert_string_equal(dispute_reason_zh(rs[i]), zh[i]);
	}
	assert_int_equal(i, 10);
	assert_string_equal(dispute_reason_parse("Not-Received", &err), "not_received");
	assert_string_equal(dispute_reason_parse("not received", &err), "not_received");
	assert_string_equal(dispute_reason_parse("少件", &err), "wrong_or_missing_item");
	assert_string_equal(dispute_reason_parse("与描述不符", &err), "not_as_described");
	assert_null(dispute_reason_parse("not_receive", &err));
	assert_null(dispute_reason_parse("", &err));
	assert_string_equal(dispute_reason_parse("质量", NULL), "quality");
	assert_null(dispute_reason_parse("refund", &err));
	assert_int_equal(err.code, CF_EINPUT);
	for (i = 0; rs[i]; i++)
		assert_non_null(strstr(err.msg, rs[i]));
	assert_non_null(strstr(err.msg, "unknown reason 'refund' (one of: quality (质量问题)"));
	assert_string_equal(dispute_outcome_parse("WON", &err), "won");
	assert_null(dispute_outcome_parse("win", &err));
	assert_non_null(strstr(err.msg, "won, lost, settled, withdrawn"));
	assert_string_equal(dispute_resolution_parse("partial-refund", &err), "partial_refund");
	assert_null(dispute_resolution_parse("refund", &err));
	assert_string_equal(dispute_status_parse("arbitration", &err), "arbitration");
	assert_null(dispute_status_parse("closed", &err));
	assert_non_null(strstr(err.msg, "dispute close"));
	cf_err_release(&err);
}

static void
test_money(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	long long f = 7;
	char buf[32];
	static const struct { const char *in; long long fen; } ok[] = {
		{ "89.00", 8900 }, { "89", 8900 }, { "89.5", 8950 }, { "0.05", 5 },
		{ "¥30.00", 3000 }, { "￥0.1", 10 }, { "12元", 1200 }, { " 7.70 ", 770 },
		{ "9999999999999.99", 999999999999999LL },
	};
	static const char *const bad[] = {
		"", "-1", "8.999", "1e3", "89.", ".5", "8 9", "1,089.00", "abc", "89.0x",
		"10000000000001", "¥", "元",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(money_parse_fen(ok[i].in, &f, &err), 0);
		assert_int_equal(f, ok[i].fen);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = 42;
		if (money_parse_fen(bad[i], &f, &err) == 0)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(f, 42);
		assert_int_equal(err.code, CF_EINPUT);
	}
	assert_string_equal(money_format_fen(8900, buf, sizeof(buf)), "89.00");
	assert_string_equal(money_format_fen(5, buf, sizeof(buf)), "0.05");
	assert_string_equal(money_format_fen(-350, buf, sizeof(buf)), "-3.50");
	cf_err_release(&err);
}

static void
test_deadline_arithmetic(void **state)
{
	struct profile *p = test_profile(48, 24);
	const char *src = "x";
	long long d;
	char buf[48];

	(void)state;
	/* Nothing set: no deadline. */
	assert_true(dispute_deadline(T("2025-05-03 10:00"), DISPUTE_NO_TIME, DISPUTE_NO_TIME,
				     DISPUTE_NO_TIME, p, &src) == DISPUTE_NO_TIME);
	assert_null(src);
	/* Month boundary in China time: 01-31 23:30 + 48 h. */
	d = dispute_deadline(DISPUTE_NO_TIME, T("2025-01-31 23:30"), DISPUTE_NO_TIME,
			     DISPUTE_NO_TIME, p, &src);
	assert_string_equal(src, "escalation");
	assert_string_equal(cftime_format(d, CFTIME_CST_OFFSET, buf, sizeof(buf)),
			    "2025-02-02 23:30:00 +08:00");
	/* Year boundary: given in UTC, shown in China time and in UTC. */
	d = dispute_deadline(DISPUTE_NO_TIME, T("2024-12-31T20:00:00Z"), DISPUTE_NO_TIME,
			     DISPUTE_NO_TIME, p, &src);
	assert_string_equal(cftime_format(d, CFTIME_CST_OFFSET, buf, sizeof(buf)),
			    "2025-01-03 04:00:00 +08:00");
	assert_string_equal(cftime_format(d, 0, buf, sizeof(buf)), "2025-01-02 20:00:00 +00:00");
	/* Leap day, input at -05:00. */
	d = dispute_deadline(DISPUTE_NO_TIME, T("2024-02-28T12:00:00-05:00"), DISPUTE_NO_TIME,
			     DISPUTE_NO_TIME, p, &src);
	assert_string_equal(cftime_format(d, CFTIME_CST_OFFSET, buf, sizeof(buf)),
			    "2024-03-02 01:00:00 +08:00");
	/* Arbitration wins over the rejection: 12-31 12:00 + 24 h crosses the year. */
	d = dispute_deadline(DISPUTE_NO_TIME, T("2024-12-30 08:00"), T("2024-12-31 12:00"),
			     DISPUTE_NO_TIME, p, &src);
	assert_string_equal(src, "evidence");
	assert_string_equal(cftime_format(d, CFTIME_CST_OFFSET, buf, sizeof(buf)),
			    "2025-01-01 12:00:00 +08:00");
	/* An explicit deadline overrides both. */
	d = dispute_deadline(DISPUTE_NO_TIME, T("2024-12-30 08:00"), T("2024-12-31 12:00"),
			     T("2025-01-01 09:00:00+09:00"), p, &src);
	assert_string_equal(src, "explicit");
	assert_int_equal(d, T("2025-01-01 08:00"));
	/* Same rejection, different zones of input, same instant. */
	assert_int_equal(dispute_deadline(DISPUTE_NO_TIME, T("2025-03-01 00:30"), DISPUTE_NO_TIME,
					  DISPUTE_NO_TIME, p, NULL),
			 dispute_deadline(DISPUTE_NO_TIME, T("2025-02-28T16:30:00Z"), DISPUTE_NO_TIME,
					  DISPUTE_NO_TIME, p, NULL));
	/* A week (WeChat): 2025-02-25 10:00 + 168 h = 03-04 (not a leap year). */
	profile_free(p);
	p = test_profile(168, 48);
	d = dispute_deadline(DISPUTE_NO_TIME, T("2025-02-25 10:00"), DISPUTE_NO_TIME,
			     DISPUTE_NO_TIME, p, NULL);
	assert_string_equal(cftime_format(d, CFTIME_CST_OFFSET, buf, sizeof(buf)),
			    "2025-03-04 10:00:00 +08:00");
	assert_string_equal(dispute_format_left(0, buf, sizeof(buf)), "0h 00m");
	assert_string_equal(dispute_format_left(59, buf, sizeof(buf)), "0h 00m");
	assert_string_equal(dispute_format_left(3 * 86400 + 3600 + 7 * 60 + 5, buf, sizeof(buf)), "73h 07m");
	assert_string_equal(dispute_format_left(-90 * 60, buf, sizeof(buf)), "1h 30m");
	profile_free(p);
}

static struct cf_db *
open_db(struct vault **v)
{
	struct cf_err err = CF_ERR_INIT;

	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, v, &err), 0);
	return vault_db(*v);
}

static long long
count(struct cf_db *db, const char *sql)
{
	sqlite3_stmt *st;
	long long n;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
test_records(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;
	struct cf_db *db = open_db(&v);
	struct profile *p = test_profile(48, 24);
	struct dispute_change c;
	struct dispute *d = NULL, **all = NULL;
	struct dispute_event *ev = NULL;
	size_t n = 0, nev = 0;
	long long now = T("2025-05-04 12:00");
	int64_t id = 0;

	(void)state;
	dispute_change_init(&c);
	c.amount_fen = 8900;
	c.requested_at = T("2025-05-03 10:00");
	c.rejected_at = T("2025-05-03 18:00");
	c.claim = "没收到";
	assert_int_equal(dispute_open(db, "A", "not_received", &c, p, now, "u@h", &id, &err), 0);
	assert_int_equal(id, 1);
	assert_int_equal(dispute_get(db, "A", 1, &d, &err), 0);
	assert_string_equal(d->status, "rejected");
	assert_int_equal(d->deadline, T("2025-05-05 18:00"));
	assert_string_equal(d->deadline_source, "escalation");
	assert_string_equal(d->profile, "t");
	assert_int_equal(d->opened_at, now);
	assert_true(d->closed_at == DISPUTE_NO_TIME);
	dispute_free(d);

	/* Refusals change nothing. */
	assert_int_equal(dispute_open(db, "A", "quality", &c, p, now, "u@h", NULL, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_non_null(strstr(err.msg, "order 'A' already has an open dispute (#1"));
	dispute_change_init(&c);
	c.deadline = now - 1;
	assert_int_equal(dispute_open(db, "B", "quality", &c, p, now, "u@h", NULL, &err), -1);
	assert_non_null(strstr(err.msg, "is in the past"));
	dispute_change_init(&c);
	c.requested_at = now + 3600;
	assert_int_equal(dispute_open(db, "B", "quality", &c, p, now, "u@h", NULL, &err), -1);
	assert_non_null(strstr(err.msg, "future"));
	dispute_change_init(&c);
	assert_int_equal(dispute_update(db, "A", &c, p, now, "u@h", &err), -1);
	assert_non_null(strstr(err.msg, "nothing to change"));
	c.arbitration_at = T("2025-05-03 17:00");	/* before the rejection */
	assert_int_equal(dispute_update(db, "A", &c, p, now, "u@h", &err), -1);
	assert_non_null(strstr(err.msg, "arbitration-at is before rejected-at"));
	assert_int_equal(dispute_update(db, "Z", &c, p, now, "u@h", &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_int_equal(dispute_close(db, "A", "settled", 9000, NULL, NULL, now, "u@h", &err), -1);
	assert_non_null(strstr(err.msg, "refund 90.00 is more than the disputed amount 89.00"));
	assert_int_equal(count(db, "SELECT count(*) FROM disputes"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM dispute_events"), 1);
	assert_int_equal(sqlite3_get_autocommit(db_sqlite(db)), 1);	/* no transaction left open */

	/* Arbitration: status and clock move; note recorded. */
	dispute_change_init(&c);
	c.arbitration_at = T("2025-05-04 09:00");
	c.note = "平台介入";
	assert_int_equal(dispute_update(db, "A", &c, p, now + 60, "u@h", &err), 0);
	assert_int_equal(dispute_get(db, "A", 1, &d, &err), 0);
	assert_string_equal(d->status, "arbitration");
	assert_int_equal(d->deadline, T("2025-05-05 09:00"));
	dispute_free(d);
	assert_int_equal(dispute_close(db, "A", "won", 0, "none", NULL, now + 120, "u@h", &err), 0);
	assert_int_equal(dispute_close(db, "A", "won", 0, "none", NULL, now + 120, "u@h", &err), -1);
	assert_non_null(strstr(err.msg, "order 'A' has no open dispute (#1 is closed: won)"));
	assert_int_equal(dispute_get(db, "A", 1, &d, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	assert_int_equal(dispute_get(db, "A", 0, &d, &err), 0);
	assert_string_equal(d->outcome, "won");
	assert_int_equal(d->refunded_fen, 0);
	assert_int_equal(d->closed_at, now + 120);
	assert_int_equal(dispute_events(db, d->id, &ev, &nev, &err), 0);
	assert_int_equal(nev, 4);
	assert_string_equal(ev[0].kind, "open");
	assert_string_equal(ev[1].kind, "update");
	assert_non_null(strstr(ev[1].what, "status rejected -> arbitration"));
	assert_string_equal(ev[2].kind, "note");
	assert_string_equal(ev[2].what, "平台介入");
	assert_int_equal(ev[2].at, now + 60);
	assert_string_equal(ev[3].what, "closed: outcome won; refunded 0.00; resolution none");
	assert_string_equal(ev[3].who, "u@h");
	dispute_events_free(ev, nev);
	dispute_free(d);

	/* A new dispute once the first is closed; list. */
	dispute_change_init(&c);
	assert_int_equal(dispute_open(db, "A", "quality", &c, p, now, "u@h", NULL, &err), 0);
	assert_int_equal(dispute_list(db, 0, &all, &n, &err), 0);
	assert_int_equal(n, 2);
	dispute_list_free(all, n);
	assert_int_equal(dispute_list(db, 1, &all, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(all[0]->reason, "quality");
	assert_true(all[0]->deadline == DISPUTE_NO_TIME);
	dispute_list_free(all, n);
	/* The schema itself refuses a second open dispute. */
	assert_int_not_equal(sqlite3_exec(db_sqlite(db), "INSERT INTO disputes(order_id, reason, status, "
					  "profile, opened_at) VALUES('A','other','requested','t',0)",
					  NULL, NULL, NULL), SQLITE_OK);
	{
		char *u = who_user_new(), *h = who_host_new();

		assert_true(*u && *h);
		free(u);
		free(h);
	}
	profile_free(p);
	vault_close(v);
	cf_err_release(&err);
}

/*
 * The buyer of an order for stats and the suspected_abuse checklist: the
 * phone, else an unmasked nick; a platform-masked nick is nobody; the
 * order's first record counts; dispute_context needs a dispute or a reason.
 */
static void
test_buyer_and_context(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;
	struct dispute *d = NULL;
	struct profile *p = NULL;
	const char *reason = NULL;
	char *phone, *nick;
	struct cf_db *db;

	(void)state;
	db = open_db(&v);
	assert_int_equal(sqlite3_exec(db_sqlite(db),
		"INSERT INTO objects VALUES(x'0100000000000000000000000000000000000000000000000000000000000000', 1, 0), (x'0200000000000000000000000000000000000000000000000000000000000000', 1, 0);"
		"INSERT INTO evidence(id, order_id, kind, sha256, size, name, name_raw, ingested_at,"
		" tool_version) VALUES (1, 'P', 'order', x'0100000000000000000000000000000000000000000000000000000000000000', 1, 'o', x'00', 0, 't'),"
		" (2, 'P', 'order', x'0200000000000000000000000000000000000000000000000000000000000000', 1, 'o2', x'00', 0, 't'), (3, 'N', 'order', x'0100000000000000000000000000000000000000000000000000000000000000', 1, 'o', x'00', 0, 't'),"
		" (4, 'M', 'order', x'0100000000000000000000000000000000000000000000000000000000000000', 1, 'o', x'00', 0, 't');"
		"INSERT INTO order_records(evidence_id, order_id, buyer_phone, buyer_nick) VALUES"
		" (1, 'P', '13800000001', '老王'), (2, 'P', '13900000002', NULL),"
		" (3, 'N', '', '老王'), (4, 'M', NULL, '小**');", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(dispute_buyer_identity(db, "P", &phone, &nick, &err), 0);
	assert_string_equal(phone, "13800000001");	/* the first record */
	assert_null(nick);
	free(phone);
	assert_int_equal(dispute_buyer_identity(db, "N", &phone, &nick, &err), 0);
	assert_null(phone);				/* an empty phone is none */
	assert_string_equal(nick, "老王");
	free(nick);
	assert_int_equal(dispute_buyer_identity(db, "M", &phone, &nick, &err), 0);
	assert_null(phone);
	assert_null(nick);				/* masked: nobody */
	assert_int_equal(dispute_buyer_identity(db, "X", &phone, &nick, &err), 0);
	assert_null(phone);
	assert_null(nick);

	{
		char tpl[4200];

		snprintf(tpl, sizeof(tpl), "%s/templates", srcdir);
		assert_int_equal(setenv("CASEFILE_TEMPLATES", tpl, 1), 0);
	}
	assert_int_equal(dispute_context(db, "P", NULL, NULL, &d, &reason, &p, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	assert_null(d);
	cf_err_release(&err);
	assert_int_equal(dispute_context(db, "P", "quality", NULL, &d, &reason, &p, &err), 0);
	assert_null(d);
	assert_string_equal(reason, "quality");
	assert_string_equal(p->name, "douyin");
	profile_free(p);
	assert_int_equal(dispute_context(db, "P", NULL, "wechat", &d, NULL, &p, &err), 0);
	assert_string_equal(p->name, "wechat");		/* a dispute is optional */
	profile_free(p);
	assert_int_equal(dispute_context(db, "P", NULL, "nosuch", &d, NULL, &p, &err), -1);
	assert_int_equal(err.code, CF_ENOTFOUND);
	cf_err_release(&err);
	vault_close(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_deadline_arithmetic),
		cmocka_unit_test_setup_teardown(test_records, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_buyer_and_context, test_tmpdir_setup,
						test_tmpdir_teardown),
	};

	if (getcwd(srcdir, sizeof(srcdir)) == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

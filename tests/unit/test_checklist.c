/* SPDX-License-Identifier: MIT */
/*
 * test_checklist — the checklist parser (shipped files and every syntax
 * error with its line), rule evaluation over vault rows, character counts.
 */
#include "testutil.h"

#include "casefile/checklist.h"
#include "casefile/db_sqlite.h"
#include "casefile/dispute.h"
#include "casefile/profile.h"
#include "casefile/vault.h"

static char srcdir[4096];

static void
bad(const char *text, const char *want)
{
	struct cf_err err = CF_ERR_INIT;
	struct checklist *cl = NULL;

	assert_int_equal(checklist_parse(text, strlen(text), "c.txt", &cl, &err), -1);
	assert_null(cl);
	if (strstr(err.msg, want) == NULL)
		fail_msg("error '%s' lacks '%s'", err.msg, want);
	cf_err_release(&err);
}

static void
test_shipped(void **state)
{
	static const char *const files[] = { "checklists.zh-CN.txt", "checklists.en.txt" };
	const char *const *rs = dispute_reasons();
	struct cf_err err = CF_ERR_INIT;
	struct checklist *cl, *other;
	char path[4200];
	size_t f, i;

	(void)state;
	for (f = 0; f < 2; f++) {
		snprintf(path, sizeof(path), "%s/templates/%s", srcdir, files[f]);
		if (checklist_load(path, &cl, &err) < 0)
			fail_msg("%s", err.msg);
		for (i = 0; rs[i]; i++)
			assert_true(checklist_count(cl, rs[i]) >= 3);
		if (f == 1) {
			/* Both languages have the same items per reason. */
			snprintf(path, sizeof(path), "%s/templates/%s", srcdir, files[0]);
			assert_int_equal(checklist_load(path, &other, &err), 0);
			for (i = 0; rs[i]; i++)
				assert_int_equal(checklist_count(cl, rs[i]), checklist_count(other, rs[i]));
			checklist_free(other);
		}
		checklist_free(cl);
	}
}

static void
test_syntax(void **state)
{
	(void)state;
	bad("required | x | evidence kind=photo\n", "checklist 'c.txt': line 1: item before the first '[reason]' section");
	bad("# c\n[quality\n", "line 2: expected '[reason]'");
	bad("[nonsense]\n", "line 1: unknown reason 'nonsense'");
	bad("[quality]\n[质量问题]\n", "line 2: section 'quality' given twice");
	bad("[quality]\nrequired evidence\n", "line 2: expected 'LEVEL | TEXT | RULE'");
	bad("[quality]\nmust | x | evidence kind=photo\n", "line 2: unknown level 'must'");
	bad("[quality]\nrequired |  | evidence kind=photo\n", "line 2: the item has no text");
	bad("[quality]\nrequired | x | \n", "line 2: the item has no rule");
	bad("[quality]\nrequired | x | a | b\n", "line 2: too many '|'");
	bad("[quality]\n\nrequired | x | photos min=2\n", "line 3: unknown rule 'photos'");
	bad("[quality]\nrequired | x | evidence min=2\n", "line 2: rule 'evidence' needs kind=");
	bad("[quality]\nrequired | x | evidence kind=pic\n", "line 2: unknown kind 'pic'");
	bad("[quality]\nrequired | x | evidence kind=photo min=0\n", "line 2: bad min '0'");
	bad("[quality]\nrequired | x | evidence kind=photo min=2x\n", "line 2: bad min '2x'");
	bad("[quality]\nrequired | x | evidence kind=photo kind=video\n", "given twice");
	bad("[quality]\nrequired | x | evidence kind=photo status=delivered\n", "line 2: rule 'evidence' does not take 'status'");
	bad("[quality]\nrequired | x | evidence kind\n", "line 2: expected key=value");
	bad("[quality]\nrequired | x | logistics\n", "line 2: rule 'logistics' needs status= or keyword=");
	bad("[quality]\nrequired | x | chat from=buyer\n", "line 2: rule 'chat' needs keyword=");
	bad("[quality]\nrequired | x | chat keyword=a from=cat\n", "line 2: unknown sender 'cat'");
	bad("[quality]\nrequired | x | order field=password\n", "line 2: unknown order field 'password'");
	bad("[quality]\nrequired | x | captured before=buyer_phone\n", "line 2: unknown order field 'buyer_phone'");
	bad("[quality]\nrequired | x | chat keyword=,\n", "line 2: bad word list ','");
	{
		const char nul[] = "[quality]\nrequired | x\0 | chat keyword=a\n";
		struct cf_err err = CF_ERR_INIT;
		struct checklist *cl = NULL;

		assert_int_equal(checklist_parse(nul, sizeof(nul) - 1, "c.txt", &cl, &err), -1);
		assert_non_null(strstr(err.msg, "line 2: NUL byte"));
		cf_err_release(&err);
	}
}

static void
exec(struct cf_db *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db_sqlite(db), sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static void
test_eval(void **state)
{
	static const char text[] =
		"[suspected_abuse]\n"
		"required | packing | evidence kind=video note=打包,PACKING\n"
		"required | two photos | evidence kind=photo min=2\n"
		"required | delivered | logistics status=delivered\n"
		"recommended | station | chat keyword=驿站，快递柜 from=merchant\n"
		"recommended | history | buyer_disputes\n"
		"required | before | captured before=shipped_at\n"
		"required | paid | order field=pay_txn; evidence kind=receipt\n";
	struct cf_err err = CF_ERR_INIT;
	struct checklist *cl = NULL;
	struct check_report *r = NULL;
	struct vault *v = NULL;
	struct profile *p = NULL;
	struct cf_db *db;
	static const char prof[] = "name = t\nbuyer_escalation_hours = 48\n"
		"merchant_evidence_hours = 48\nstatement_max_chars = 5\n"
		"images_per_submission = 1\naccepted_formats = jpeg\nmax_file_size = 1KB\n";

	(void)state;
	assert_int_equal(checklist_parse(text, strlen(text), "c", &cl, &err), 0);
	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, &v, &err), 0);
	db = vault_db(v);
	exec(db, "INSERT INTO objects VALUES(x'0100000000000000000000000000000000000000000000000000000000000000', 1, 0);"
		 "INSERT INTO objects VALUES(x'0200000000000000000000000000000000000000000000000000000000000000', 1, 0);"
		 "INSERT INTO objects VALUES(x'0300000000000000000000000000000000000000000000000000000000000000', 1, 0);"
		 "INSERT INTO objects VALUES(x'0400000000000000000000000000000000000000000000000000000000000000', 1, 0);"
		 "INSERT INTO objects VALUES(x'0500000000000000000000000000000000000000000000000000000000000000', 1, 0);"
		 "INSERT INTO objects VALUES(x'0600000000000000000000000000000000000000000000000000000000000000', 1, 0);"
		 "INSERT INTO objects VALUES(x'0700000000000000000000000000000000000000000000000000000000000000', 1, 0);"
		"INSERT INTO evidence(id, order_id, kind, sha256, size, name, name_raw, ingested_at, tool_version, note) VALUES"
		 "(1, 'A', 'video', x'0100000000000000000000000000000000000000000000000000000000000000', 1, 'v.mp4', x'00', 0, 't', 'packing video'),"
		 "(2, 'A', 'photo', x'0200000000000000000000000000000000000000000000000000000000000000', 2048, 'p.webp', x'00', 0, 't', NULL),"
		 "(3, 'A', 'logistics', x'0300000000000000000000000000000000000000000000000000000000000000', 1, 'l.json', x'00', 0, 't', NULL),"
		 "(4, 'A', 'chat', x'0400000000000000000000000000000000000000000000000000000000000000', 1, 'c.json', x'00', 0, 't', NULL),"
		 "(5, 'A', 'order', x'0500000000000000000000000000000000000000000000000000000000000000', 1, 'o.json', x'00', 0, 't', NULL),"
		 "(6, 'B', 'order', x'0600000000000000000000000000000000000000000000000000000000000000', 1, 'o.json', x'00', 0, 't', NULL),"
		 "(7, 'A', 'photo', x'0700000000000000000000000000000000000000000000000000000000000000', 1, 'q.jpg', x'00', 0, 't', NULL);"
		 "INSERT INTO media(evidence_id, format, captured_at) VALUES(2, 'webp', 100), (7, 'jpeg', 5000);"
		 "INSERT INTO logistics_events(evidence_id, seq, time, status, description) VALUES"
		 "(3, 0, 10, 'collected', 'x'), (3, 1, 20, 'delivered', '已签收');"
		 "INSERT INTO messages(evidence_id, seq, time, sender, text) VALUES"
		 "(4, 0, 1, 'buyer', '驿站没有'), (4, 1, 2, 'merchant', '请到快递柜取件');"
		 "INSERT INTO order_records(evidence_id, order_id, shipped_at, buyer_phone) VALUES"
		 "(5, 'A', 1000, '13800000000'), (6, 'B', 1000, '13800000000');"
		 "INSERT INTO disputes(order_id, reason, status, profile, opened_at, outcome, closed_at) VALUES"
		 "('B', 'not_received', 'closed', 't', 0, 'lost', 1);");
	assert_int_equal(checklist_eval(db, cl, "suspected_abuse", "A", &r, &err), 0);
	assert_int_equal(r->nitems, 7);
	assert_true(r->items[0].have);			/* note matches case-insensitively */
	assert_int_equal(r->items[0].cites[0].evidence_id, 1);
	assert_int_equal(r->items[0].cites[0].exhibit_no, 6);	/* the dossier's numbering */
	assert_true(r->items[1].have);			/* two photos */
	assert_int_equal(r->items[1].ncites, 2);
	assert_true(r->items[2].have);
	assert_int_equal(r->items[2].ncites, 1);		/* only the delivered event */
	assert_non_null(strstr(r->items[2].cites[0].detail, "delivered"));
	assert_true(r->items[3].have);			/* full-width comma list, merchant only */
	assert_int_equal(r->items[3].ncites, 1);
	assert_non_null(strstr(r->items[3].cites[0].detail, "merchant: 请到快递柜取件"));
	assert_true(r->items[4].have);			/* B's dispute, same phone */
	assert_int_equal(r->items[4].cites[0].evidence_id, 0);
	assert_int_equal(r->items[4].cites[0].exhibit_no, 0);	/* not an exhibit */
	assert_non_null(strstr(r->items[4].cites[0].name, "order B dispute #1"));
	assert_true(r->items[5].have);			/* photo 2 captured at 100 < 1000 */
	assert_int_equal(r->items[5].ncites, 1);
	assert_int_equal(r->items[5].cites[0].evidence_id, 2);
	assert_int_equal(r->items[5].cites[0].exhibit_no, 4);
	assert_false(r->items[6].have);			/* no pay_txn, no receipt */
	assert_int_equal(r->missing_required, 1);
	assert_int_equal(r->missing_recommended, 0);

	assert_int_equal(profile_parse(prof, strlen(prof), "p", &p, &err), 0);
	assert_int_equal(checklist_limits(db, p, "A", "一二三四五六", strlen("一二三四五六"), "s.txt", r, &err), 0);
	assert_int_equal(r->statement_chars, 6);
	/* photo 2: too big and webp; 2 photos > 1; statement 6 > 5 */
	assert_int_equal(r->nlimits, 4);
	/* exhibit numbers: order 5 → 1, chat 4 → 2, logistics 3 → 3,
	 * photos p.webp (2) → 4 and q.jpg (7) → 5, video 1 → 6 */
	assert_string_equal(r->limits[0].what, "photo 'p.webp' (exhibit 4, evidence #2)");
	assert_non_null(strstr(r->limits[1].problem, "format webp is not accepted"));
	assert_string_equal(r->limits[2].problem, "2 photos, the form takes 1 per submission");
	assert_string_equal(r->limits[3].fix, "cut 1 characters");
	check_report_free(r);
	/* An order with nothing: every item missing. */
	assert_int_equal(checklist_eval(db, cl, "suspected_abuse", "Z", &r, &err), 0);
	assert_int_equal(r->missing_required, 5);
	assert_int_equal(r->missing_recommended, 2);
	check_report_free(r);
	/* Masked nicks ("小**") are no identity: C and D are not the same buyer,
	 * while the unmasked nick of E and F is. */
	exec(db, "INSERT INTO objects VALUES(x'08" "00000000000000000000000000000000000000000000000000000000000000', 1, 0);"
		 "INSERT INTO evidence(id, order_id, kind, sha256, size, name, name_raw, ingested_at, tool_version) VALUES"
		 "(8, 'C', 'order', x'08" "00000000000000000000000000000000000000000000000000000000000000', 1, 'o', x'00', 0, 't'),"
		 "(9, 'D', 'order', x'08" "00000000000000000000000000000000000000000000000000000000000000', 1, 'o', x'00', 0, 't'),"
		 "(10, 'E', 'order', x'08" "00000000000000000000000000000000000000000000000000000000000000', 1, 'o', x'00', 0, 't'),"
		 "(11, 'F', 'order', x'08" "00000000000000000000000000000000000000000000000000000000000000', 1, 'o', x'00', 0, 't');"
		 "INSERT INTO order_records(evidence_id, order_id, buyer_nick) VALUES"
		 "(8, 'C', '小**'), (9, 'D', '小**'), (10, 'E', '青青'), (11, 'F', '青青');"
		 "INSERT INTO disputes(order_id, reason, status, profile, opened_at) VALUES"
		 "('D', 'other', 'requested', 't', 0), ('F', 'other', 'requested', 't', 0);");
	assert_int_equal(checklist_eval(db, cl, "suspected_abuse", "C", &r, &err), 0);
	assert_false(r->items[4].have);
	check_report_free(r);
	assert_int_equal(checklist_eval(db, cl, "suspected_abuse", "E", &r, &err), 0);
	assert_true(r->items[4].have);
	assert_non_null(strstr(r->items[4].cites[0].name, "order F dispute #"));
	check_report_free(r);
	assert_int_equal(checklist_eval(db, cl, "quality", "A", &r, &err), -1);
	assert_non_null(strstr(err.msg, "no section '[quality]'"));
	profile_free(p);
	checklist_free(cl);
	vault_close(v);
	cf_err_release(&err);
}

static void
test_chars(void **state)
{
	(void)state;
	assert_int_equal(checklist_utf8_chars("", 0), 0);
	assert_int_equal(checklist_utf8_chars("abc", 3), 3);
	assert_int_equal(checklist_utf8_chars("证据1", strlen("证据1")), 3);
	assert_int_equal(checklist_utf8_chars("😀a", strlen("😀a")), 2);
	assert_int_equal(checklist_utf8_chars("\xe8\xaf", 2), 2);	/* cut sequence */
	assert_int_equal(checklist_utf8_chars("\xff\xfe", 2), 2);
	assert_int_equal(checklist_utf8_chars("a\0b", 3), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_syntax),
		cmocka_unit_test_setup_teardown(test_eval, test_tmpdir_setup, test_tmpdir_teardown),
		cmocka_unit_test(test_chars),
	};

	if (getcwd(srcdir, sizeof(srcdir)) == NULL)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

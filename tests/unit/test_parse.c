/* SPDX-License-Identifier: MIT */
/*
 * test_parse — parse_evidence() sniffing and every reader, on the fixtures
 * and on inline variants and malformed inputs, and parsed_store() into a
 * real vault database checked with SQL.
 */
#include "testutil.h"

#include <fcntl.h>

#include "casefile/cftime.h"
#include "casefile/db.h"
#include "casefile/db_sqlite.h"
#include "casefile/parse.h"
#include "casefile/parsed_writer.h"
#include "casefile/xalloc.h"
#include "fixture.h"

static struct parsed *
parse_buf(const char *s, size_t n, int forced)
{
	struct parsed *p = NULL;
	struct cf_err err = CF_ERR_INIT;

	assert_int_equal(parse_evidence(s, n, 1, n, -1, "x", forced, &p, &err), 0);
	assert_non_null(p);
	return p;
}

static struct parsed *
parse_str(const char *s, int forced)
{
	return parse_buf(s, strlen(s), forced);
}

static struct parsed *
parse_fixture(const char *name, int forced)
{
	size_t n;
	char *d = fixture_load(name, &n);
	struct parsed *p = NULL;
	struct cf_err err = CF_ERR_INIT;

	assert_int_equal(parse_evidence(d, n, 1, n, -1, name, forced, &p, &err), 0);
	free(d);
	return p;
}

/* Number of warnings of that badness containing sub (NULL: any). */
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
dump_warnings(const struct parsed *p)
{
	size_t i;

	for (i = 0; i < parsed_warning_count(p); i++)
		fprintf(stderr, "  %s: %s\n", parsed_warning_bad(p, i) ? "bad" : "note",
			parsed_warning(p, i));
}

static long long
cst(const char *s)
{
	long long t;

	assert_int_equal(cftime_parse(s, strlen(s), &t, NULL), 0);
	return t;
}

/* ---- a real vault DB ---- */

static struct cf_db *
db_with_evidence(int64_t id)
{
	struct cf_db *db = NULL;
	struct cf_err err = CF_ERR_INIT;
	char sql[512];

	assert_int_equal(db_open("casefile.db", 1, &db, &err), 0);
	assert_int_equal(db_exec(db, "INSERT OR IGNORE INTO objects(sha256, size, stored_at) "
				 "VALUES(zeroblob(32), 1, 0)", &err), 0);
	snprintf(sql, sizeof(sql), "INSERT INTO evidence(id, order_id, kind, sha256, size, "
		 "name, name_raw, ingested_at, tool_version) VALUES(%lld, '6931000000000001', "
		 "'other', zeroblob(32), 1, 'x', X'78', 0, 'test')", (long long)id);
	assert_int_equal(db_exec(db, sql, &err), 0);
	return db;
}

static long long
q_int(struct cf_db *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -999 : sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* First column of the first row as text (static buffer), "NULL" when null. */
static const char *
q_text(struct cf_db *db, const char *sql)
{
	static char buf[4096];
	sqlite3_stmt *st;
	const unsigned char *t;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	t = sqlite3_column_text(st, 0);
	snprintf(buf, sizeof(buf), "%s", t ? (const char *)t : "NULL");
	sqlite3_finalize(st);
	return buf;
}

static struct cf_db *
store(const struct parsed *p)
{
	struct cf_db *db = db_with_evidence(1);
	struct cf_err err = CF_ERR_INIT;

	assert_int_equal(db_begin(db, &err), 0);
	assert_int_equal(parsed_store(p, db, 1, &err), 0);
	assert_int_equal(db_commit(db, &err), 0);
	return db;
}

static void
finish(struct cf_db *db)
{
	db_close(db);
	unlink("casefile.db");
	unlink("casefile.db-wal");
	unlink("casefile.db-shm");
}

/* ---- kinds ---- */

static void
t01_kind_names(void **state)
{
	enum cf_kind k;
	int i;

	(void)state;
	for (i = CF_KIND_CHAT; i <= CF_KIND_OTHER; i++) {
		assert_int_equal(cf_kind_from_name(cf_kind_name((enum cf_kind)i), &k), 0);
		assert_int_equal(k, i);
	}
	assert_string_equal(cf_kind_name(CF_KIND_LOGISTICS), "logistics");
	k = CF_KIND_PHOTO;
	assert_int_equal(cf_kind_from_name("picture", &k), -1);
	assert_int_equal(k, CF_KIND_PHOTO);
}

/* ---- chat ---- */

static void
t02_chat_json_fixture_stored(void **state)
{
	struct parsed *p = parse_fixture("chat.json", -1);
	struct cf_db *db;

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_string_equal(parsed_order_id(p), "6931000000000001");
	assert_int_equal(nwarn(p, 1, NULL), 0);
	assert_int_equal(nwarn(p, 0, "message 6: unknown sender 'bot', shown as system"), 1);
	db = store(p);
	assert_int_equal(q_int(db, "SELECT count(*) FROM messages WHERE evidence_id = 1"), 6);
	assert_int_equal(q_int(db, "SELECT time FROM messages WHERE seq = 1"),
			 cst("2025-05-03T10:12:00+08:00"));
	/* "YYYY-MM-DD HH:MM:SS" is China time, never UTC */
	assert_int_equal(q_int(db, "SELECT time FROM messages WHERE seq = 2"),
			 cst("2025-05-03T02:14:05Z"));
	assert_int_equal(q_int(db, "SELECT time FROM messages WHERE seq = 3"), 1746238800);
	/* milliseconds */
	assert_int_equal(q_int(db, "SELECT time FROM messages WHERE seq = 4"), 1746239100);
	/* 2025/05/03 11:02 */
	assert_int_equal(q_int(db, "SELECT time FROM messages WHERE seq = 5"),
			 cst("2025-05-03T11:02:00+08:00"));
	/* +0800 */
	assert_int_equal(q_int(db, "SELECT time FROM messages WHERE seq = 6"),
			 cst("2025-05-03T03:05:00Z"));
	assert_string_equal(q_text(db, "SELECT sender || '|' || name || '|' || text || '|' || "
				   "attachments FROM messages WHERE seq = 1"),
			    "buyer|小**|收到的杯子有裂痕|[\"IMG_0001.jpg\"]");
	assert_string_equal(q_text(db, "SELECT sender || '|' || sender_raw FROM messages "
				   "WHERE seq = 6"), "system|bot");
	assert_string_equal(q_text(db, "SELECT sender FROM messages WHERE seq = 5"), "platform");
	finish(db);
	parsed_free(p);
}

static void
t03_chat_json_array_and_bom(void **state)
{
	static const char s[] = "\xEF\xBB\xBF[{\"time\":\"2025-05-03 10:12\",\"from\":\"买家\","
				"\"text\":\"在吗\"},{\"time\":1746238800000,\"from\":\"客服\","
				"\"content\":\"在的\"}]";
	struct parsed *p = parse_str(s, -1);
	struct cf_db *db;

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_null(parsed_order_id(p));
	assert_int_equal(nwarn(p, 1, NULL), 0);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT group_concat(sender || ':' || text, ';') "
				   "FROM messages"), "buyer:在吗;merchant:在的");
	finish(db);
	parsed_free(p);
}

static void
t04_chat_json_bad_entries(void **state)
{
	static const char s[] =
		"{\"order_id\": 6931000000000001, \"messages\": [\n"
		" {\"time\": \"2025-02-30 10:00\", \"from\": \"buyer\", \"text\": \"a\"},\n"
		" \"not an object\",\n"
		" {\"time\": 1.5, \"from\": 7, \"text\": [\"x\"], \"attachments\": 3},\n"
		" {\"time\": \"2025-13-01 10:00\", \"from\": \"buyer\", \"text\": \"b\\u0000c\"},\n"
		" {\"time\": 20250503, \"from\": \"buyer\", \"text\": \"d\"}\n"
		"]}";
	struct parsed *p = parse_str(s, -1);
	struct cf_db *db;

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_string_equal(parsed_order_id(p), "6931000000000001");
	assert_int_equal(nwarn(p, 0, "order: 'order_id' given as a number"), 1);
	assert_int_equal(nwarn(p, 1, "message 1: bad time '2025-02-30 10:00': no such day"), 1);
	assert_int_equal(nwarn(p, 1, "message 2: not an object, skipped"), 1);
	assert_int_equal(nwarn(p, 1, "message 3: bad time 1.5"), 1);
	assert_int_equal(nwarn(p, 1, "message 3: 'text' is not a string"), 1);
	assert_int_equal(nwarn(p, 1, "message 3: 'attachments' is not a list"), 1);
	assert_int_equal(nwarn(p, 1, "message 4: bad time '2025-13-01 10:00': no such month"), 1);
	assert_int_equal(nwarn(p, 1, "message 5: bad time 20250503: not a Unix time"), 1);
	db = store(p);
	assert_int_equal(q_int(db, "SELECT count(*) FROM messages"), 4);
	/* the record is kept, the unreadable field is NULL */
	assert_int_equal(q_int(db, "SELECT count(*) FROM messages WHERE time IS NULL"), 4);
	assert_string_equal(q_text(db, "SELECT text FROM messages WHERE seq = 1"), "a");
	/* an escaped NUL is replaced, never truncates */
	assert_string_equal(q_text(db, "SELECT text FROM messages WHERE seq = 3"),
			    "b\xEF\xBF\xBD" "c");
	finish(db);
	parsed_free(p);
}

static void
t05_chat_csv_fixture(void **state)
{
	struct parsed *p = parse_fixture("chat.csv", -1);
	struct cf_db *db;

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 0, "extra columns kept beside the text: '消息ID'"), 1);
	/* the sloppy last row: an unquoted comma */
	assert_int_equal(nwarn(p, 1, "line 6: 6 fields, the header has 5"), 1);
	db = store(p);
	assert_int_equal(q_int(db, "SELECT count(*) FROM messages"), 4);
	/* 2026-12 (issue 12): extra columns beside the text, never in it */
	assert_string_equal(q_text(db, "SELECT text FROM messages WHERE seq = 3"),
			    "拍好了\n杯口这里有一条\"裂纹\"");
	assert_string_equal(q_text(db, "SELECT extra FROM messages WHERE seq = 3"),
			    "{\"消息ID\":\"m003\"}");
	assert_string_equal(q_text(db, "SELECT sender || '|' || name FROM messages WHERE seq = 2"),
			    "merchant|客服-阿青");
	assert_int_equal(q_int(db, "SELECT time FROM messages WHERE seq = 4"),
			 cst("2025-05-03T10:25:00+08:00"));
	finish(db);
	parsed_free(p);
}

static void
t06_chat_csv_english_reordered(void **state)
{
	static const char s[] = "text,name,time,from\n"
				"\"hello, is the cup ok?\",xiao,2025-05-03T10:12:00Z,buyer\n"
				"yes,shop,2025-02-29 09:00,seller\n";
	struct parsed *p = parse_str(s, -1);
	struct cf_db *db;

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 1, "line 3: bad time '2025-02-29 09:00': no such day"), 1);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT text || '|' || name || '|' || sender FROM "
				   "messages WHERE seq = 1"), "hello, is the cup ok?|xiao|buyer");
	assert_int_equal(q_int(db, "SELECT time FROM messages WHERE seq = 1"),
			 cst("2025-05-03T10:12:00Z"));
	assert_int_equal(q_int(db, "SELECT time IS NULL FROM messages WHERE seq = 2"), 1);
	finish(db);
	parsed_free(p);
}

static void
t07_chat_csv_unterminated(void **state)
{
	static const char s[] = "时间,发送方,内容\n2025-05-03 10:12,买家,\"没有结束的引号\n下一行";
	struct parsed *p = parse_str(s, -1);

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 1, "line 2: unterminated quoted field"), 1);
	parsed_free(p);
}

static void
t08_transcripts(void **state)
{
	static const char *const files[] = { "chat.txt", "chat-gbk.txt", "chat-utf16.txt",
					     "chat-utf16be.txt" };
	struct parsed *p;
	struct cf_db *db;
	size_t i;

	(void)state;
	p = parse_fixture("chat.txt", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 1, NULL), 0);
	assert_int_equal(nwarn(p, 0, "1 line before the first message not read as messages"), 1);
	db = store(p);
	assert_int_equal(q_int(db, "SELECT count(*) FROM messages"), 5);
	/* continuation line joins the previous message */
	assert_string_equal(q_text(db, "SELECT text FROM messages WHERE seq = 2"),
			    "您好,物流显示5月4日由菜鸟驿站代签收\n麻烦您去小区门口的驿站问一下");
	assert_string_equal(q_text(db, "SELECT sender || '|' || sender_raw || '|' || name "
				   "FROM messages WHERE seq = 2"), "merchant|商家|客服-小满");
	/* full-width brackets and colon: （客服）： */
	assert_string_equal(q_text(db, "SELECT sender || '|' || coalesce(name, '-') || '|' || "
				   "text FROM messages WHERE seq = 3"),
			    "merchant|-|驿站取件码是 8-3-1024");
	/* [time] and 平台小二 */
	assert_string_equal(q_text(db, "SELECT sender FROM messages WHERE seq = 4"), "platform");
	assert_int_equal(q_int(db, "SELECT time FROM messages WHERE seq = 4"),
			 cst("2025-05-05 10:02:10"));
	assert_string_equal(q_text(db, "SELECT sender FROM messages WHERE seq = 5"), "buyer");
	finish(db);
	parsed_free(p);
	for (i = 1; i < 4; i++) {
		p = parse_fixture(files[i], -1);
		assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
		assert_int_equal(nwarn(p, 1, NULL), 0);
		assert_int_equal(nwarn(p, 0, "text read as "), 1);
		db = store(p);
		assert_int_equal(q_int(db, "SELECT count(*) FROM messages"), 2);
		assert_string_equal(q_text(db, "SELECT sender || '|' || substr(text, 1, 2) FROM "
					   "messages WHERE seq = 2"),
				    i == 1 ? "merchant|您好" : "merchant|麻烦");
		finish(db);
		parsed_free(p);
	}
}

static void
t09_transcript_variants_and_bad(void **state)
{
	static const char s[] =
		"2025/05/03 10:12 +0800 消费者（小**）：杯子裂了\r\n"
		"2025-02-30 10:00:00 客服: 这一行日期不存在\r\n"
		"2025-05-03 10:14:05 阿姨: 我是谁\r\n"
		"2025-05-03 10:15:00 订单已发货,单号:SF1234567890\r\n"
		"[2025-05-03 10:16:00 UTC] 【商家】 青瓷小铺: 好的\r\n";
	struct parsed *p = parse_str(s, -1);
	struct cf_db *db;

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 1, "line 2: bad time '2025-02-30 10:00:00': no such day"), 1);
	assert_int_equal(nwarn(p, 0, "line 3: unknown sender '阿姨', shown as system"), 1);
	assert_int_equal(nwarn(p, 0, "line 4: no sender, shown as system"), 1);
	db = store(p);
	assert_int_equal(q_int(db, "SELECT count(*) FROM messages"), 5);
	assert_int_equal(q_int(db, "SELECT time FROM messages WHERE seq = 1"),
			 cst("2025-05-03T02:12:00Z"));
	assert_string_equal(q_text(db, "SELECT sender || '|' || name || '|' || text FROM "
				   "messages WHERE seq = 1"), "buyer|小**|杯子裂了");
	assert_int_equal(q_int(db, "SELECT time IS NULL FROM messages WHERE seq = 2"), 1);
	assert_string_equal(q_text(db, "SELECT text FROM messages WHERE seq = 2"),
			    "这一行日期不存在");
	assert_string_equal(q_text(db, "SELECT sender || '|' || text FROM messages WHERE seq = 4"),
			    "system|订单已发货,单号:SF1234567890");
	assert_int_equal(q_int(db, "SELECT time FROM messages WHERE seq = 5"),
			 cst("2025-05-03T10:16:00Z"));
	assert_string_equal(q_text(db, "SELECT sender || '|' || name FROM messages WHERE seq = 5"),
			    "merchant|青瓷小铺");
	finish(db);
	parsed_free(p);
}

static void
t10_invalid_utf8_and_nul(void **state)
{
	static const char s[] = "2025-05-03 10:12:00 买家: 杯子\xFF坏了\n"
				"2025-05-03 10:13:00 客服: a\0b\0c\n";
	struct parsed *p = parse_buf(s, sizeof(s) - 1, -1);
	struct cf_db *db;

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 1, "invalid utf-8 text: 1 byte sequence replaced with U+FFFD"), 1);
	assert_int_equal(nwarn(p, 1, "2 NUL characters replaced with U+FFFD"), 1);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT text FROM messages WHERE seq = 1"),
			    "杯子\xEF\xBF\xBD坏了");
	/* never cut at a NUL */
	assert_string_equal(q_text(db, "SELECT text FROM messages WHERE seq = 2"),
			    "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c");
	finish(db);
	parsed_free(p);
}

static void
t11_huge_line(void **state)
{
	size_t n = (1 << 20) + 64, i;
	char *s = malloc(n + 1);
	struct parsed *p;
	struct cf_db *db;

	(void)state;
	assert_non_null(s);
	/* one 1 MB transcript message */
	i = (size_t)sprintf(s, "2025-05-03 10:12:00 买家: ");
	memset(s + i, 'a', n - i);
	s[n] = '\0';
	p = parse_buf(s, n, -1);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	db = store(p);
	assert_int_equal(q_int(db, "SELECT length(text) FROM messages"), (long long)(n - i));
	finish(db);
	parsed_free(p);
	/* one 1 MB line of nothing recognisable */
	memset(s, 'z', n);
	p = parse_buf(s, n, -1);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(nwarn(p, 1, "content not recognised"), 1);
	parsed_free(p);
	/* a 1 MB JSON string value */
	memcpy(s, "[{\"from\":\"buyer\",\"text\":\"", 25);
	memset(s + 25, 'q', n - 25 - 3);
	memcpy(s + n - 3, "\"}]", 3);
	p = parse_buf(s, n, -1);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 1, NULL), 0);
	parsed_free(p);
	free(s);
}

/* ---- bad JSON ---- */

static void
t12_bad_json(void **state)
{
	static const char trunc[] = "{\"order_id\": \"6931000000000001\",\n \"messages\": [\n"
				    "  {\"time\": \"2025-05-03 10:12\", \"from\": \"buyer\"";
	struct parsed *p;

	(void)state;
	p = parse_str(trunc, -1);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(nwarn(p, 1, NULL), 1);
	assert_true(strncmp(parsed_warning(p, 0), "line 3, column ", 15) == 0);
	parsed_free(p);
	/* wrong type: messages is a string */
	p = parse_str("{\"order_id\":\"1\",\"messages\":\"收到的杯子有裂痕\"}", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(nwarn(p, 1, "'messages' is not a list"), 1);
	parsed_free(p);
	/* duplicate keys are refused, not resolved silently */
	p = parse_str("{\"messages\":[],\"messages\":[{\"text\":\"x\"}]}", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(nwarn(p, 1, "duplicate object key"), 1);
	parsed_free(p);
	/* valid JSON, unknown shape */
	p = parse_str("{\"hello\": \"world\"}", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(nwarn(p, 1, "json not recognised"), 1);
	parsed_free(p);
	/* forced kind keeps the kind, without rows */
	p = parse_str("{\"messages\": 5}", CF_KIND_CHAT);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 1, "'messages' is not a list"), 1);
	parsed_free(p);
	/* a lone '[' and deep nesting */
	p = parse_str("[", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(nwarn(p, 1, "line 1, column 1: "), 1);
	parsed_free(p);
	{
		char deep[6001];

		memset(deep, '[', 6000);
		deep[6000] = '\0';
		p = parse_str(deep, -1);
		assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
		assert_int_equal(nwarn(p, 1, NULL), 1);
		parsed_free(p);
	}
}

static void
t13_empty_and_binary(void **state)
{
	struct parsed *p;

	(void)state;
	p = parse_buf("", 0, -1);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(nwarn(p, 1, "empty file (0 bytes)"), 1);
	parsed_free(p);
	p = parse_buf("", 0, CF_KIND_CHAT);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 1, "empty file (0 bytes)"), 1);
	parsed_free(p);
	p = parse_buf("PK\x03\x04\x14\x00\x00\x00", 8, -1);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(nwarn(p, 1, "content not recognised: zip archive"), 1);
	parsed_free(p);
	p = parse_str("just some notes about the order\n", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(nwarn(p, 1, "content not recognised as a chat log"), 1);
	parsed_free(p);
	/* forced other: nothing parsed, nothing said */
	p = parse_str("{\"messages\":[]}", CF_KIND_OTHER);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(parsed_warning_count(p), 0);
	parsed_free(p);
}

/* ---- logistics ---- */

static void
t14_logistics_json(void **state)
{
	struct parsed *p = parse_fixture("logistics.json", -1);
	struct cf_db *db;

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_LOGISTICS);
	assert_string_equal(parsed_order_id(p), "6931000000000002");
	assert_int_equal(nwarn(p, 1, NULL), 0);
	/* since issue 15 a status word is also read as a description: 驿站 = locker */
	assert_int_equal(nwarn(p, 0, "event 5: unknown status"), 0);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT carrier || '|' || tracking_no FROM logistics"),
			    "中通快递|ZT78000000000012");
	assert_string_equal(q_text(db, "SELECT group_concat(coalesce(status, 'NULL'), ',') FROM "
				   "(SELECT status FROM logistics_events ORDER BY seq)"),
			    "collected,in_transit,out_for_delivery,locker,locker");	/* 签收人:菜鸟驿站代收 */
	assert_string_equal(q_text(db, "SELECT status_raw FROM logistics_events WHERE seq = 5"),
			    "驿站入库");
	assert_int_equal(q_int(db, "SELECT time FROM logistics_events WHERE seq = 2"),
			 cst("2025-05-02T22:11:00Z"));
	finish(db);
	parsed_free(p);
}

static void
t15_logistics_csv(void **state)
{
	struct parsed *p = parse_fixture("logistics.csv", -1);
	struct cf_db *db;

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_LOGISTICS);
	assert_int_equal(nwarn(p, 1, NULL), 0);
	db = store(p);
	assert_int_equal(q_int(db, "SELECT count(*) FROM logistics_events"), 3);
	assert_string_equal(q_text(db, "SELECT status || '|' || location || '|' || description "
				   "FROM logistics_events WHERE seq = 3"),
			    "delivered|上海|已签收,签收人:本人");
	assert_int_equal(q_int(db, "SELECT time FROM logistics_events WHERE seq = 3"),
			 cst("2025-05-02T06:03:00Z"));
	finish(db);
	parsed_free(p);
	/* English header, extra columns, bad status and time */
	p = parse_str("time,status,location,desc,tracking_no,weight\n"
		      "2025-05-01 18:20,Out For Delivery,杭州,派送中,SF123,1.2kg\n"
		      "yesterday,lost?,,,,\n", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_LOGISTICS);
	assert_int_equal(nwarn(p, 1, "line 3: bad time 'yesterday'"), 1);
	assert_int_equal(nwarn(p, 0, "line 3: unknown status 'lost?'"), 1);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT tracking_no FROM logistics"), "SF123");
	assert_string_equal(q_text(db, "SELECT status || '|' || description || '|' || extra "
				   "FROM logistics_events WHERE seq = 1"),
			    "out_for_delivery|派送中|{\"weight\":\"1.2kg\"}");
	finish(db);
	parsed_free(p);
	/* wrong type */
	p = parse_str("{\"carrier\":\"SF\",\"tracking_no\":\"SF1\",\"events\":{}}", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(nwarn(p, 1, "'events' is not a list"), 1);
	parsed_free(p);
}

/* ---- order ---- */

static void
t16_order_fixture(void **state)
{
	struct parsed *p = parse_fixture("order.json", -1);
	struct cf_db *db;

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_ORDER);
	assert_string_equal(parsed_order_id(p), "6931000000000001");
	assert_int_equal(parsed_warning_count(p), 0);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT order_id || '|' || shop || '|' || buyer_nick || '|' "
				   "|| buyer_phone || '|' || total_fen || '|' || currency || '|' "
				   "|| pay_method || '|' || pay_txn FROM order_records"),
			    "6931000000000001|青瓷小铺|小**|13812345678|8900|CNY|douyin_pay|"
			    "4200000000000000000");
	assert_int_equal(q_int(db, "SELECT paid_at FROM order_records"),
			 cst("2025-04-30T20:01:35+08:00"));
	assert_int_equal(q_int(db, "SELECT shipped_at FROM order_records"),
			 cst("2025-05-01T18:20:00+08:00"));
	assert_string_equal(q_text(db, "SELECT extra FROM order_records"),
			    "{\"remark\":\"易碎品,请加固包装\"}");
	assert_string_equal(q_text(db, "SELECT group_concat(sku || ':' || qty || ':' || price_fen, ',')"
				   " FROM order_items"), "CUP-01:1:8900,BOX-GIFT:1:0");
	finish(db);
	parsed_free(p);
}

static void
t17_order_money(void **state)
{
	static const char s[] =
		"{\"order_id\":\"6931000000000003\",\"shop\":\"青瓷小铺\",\n"
		" \"items\":[{\"sku\":\"A\",\"qty\":2,\"price\":19.99},\n"
		"           {\"sku\":\"B\",\"qty\":\"1\",\"price\":\"¥1,089.5\"},\n"
		"           {\"sku\":\"C\",\"qty\":-1,\"price\":\"8.999\"},\n"
		"           {\"sku\":\"D\",\"qty\":1,\"price\":0.1},\n"
		"           {\"sku\":\"E\",\"qty\":1,\"price\":\"abc\"},\n"
		"           {\"sku\":\"F\",\"qty\":1,\"price\":1e-05},\n"
		"           {\"sku\":\"G\",\"qty\":1,\"price\":12}],\n"
		" \"total\": 89.9, \"paid_at\": \"2025-04-31 10:00\"}";
	struct parsed *p = parse_str(s, -1);
	struct cf_db *db;

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_ORDER);
	assert_int_equal(nwarn(p, 0, "item 1: price given as a JSON number, read as 19.99"), 1);
	assert_int_equal(nwarn(p, 1, "item 3: bad qty"), 1);
	assert_int_equal(nwarn(p, 1, "item 3: bad price '8.999': at most two decimals"), 1);
	assert_int_equal(nwarn(p, 0, "item 4: price given as a JSON number, read as 0.10"), 1);
	assert_int_equal(nwarn(p, 1, "item 5: bad price 'abc'"), 1);
	assert_int_equal(nwarn(p, 1, "item 6: bad price 1e-05"), 1);
	assert_int_equal(nwarn(p, 0, "item 7: price given as a JSON number, read as 12.00"), 1);
	assert_int_equal(nwarn(p, 0, "order: total given as a JSON number, read as 89.90"), 1);
	assert_int_equal(nwarn(p, 1, "order: paid_at: bad time '2025-04-31 10:00': no such day"), 1);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT group_concat(sku || ':' || coalesce(qty, 'N') || ':' "
				   "|| coalesce(price_fen, 'N'), ',') FROM order_items"),
			    "A:2:1999,B:1:108950,C:N:N,D:1:10,E:1:N,F:1:N,G:1:1200");
	assert_int_equal(q_int(db, "SELECT total_fen FROM order_records"), 8990);
	assert_int_equal(q_int(db, "SELECT paid_at IS NULL FROM order_records"), 1);
	finish(db);
	parsed_free(p);
	/* money.h's limit holds for strings and JSON numbers alike; an
	 * export's "　89.00　" (full-width spaces) and "-5.50" are read */
	p = parse_str("{\"order_id\":\"1\",\"items\":[{\"qty\":1,\"price\":\"10,000,000,000,000.01\"},"
		      "{\"qty\":1,\"price\":10000000000001},{\"qty\":1,\"price\":\"\u300089.00\u3000\"},"
		      "{\"qty\":1,\"price\":\"-5.50\"},{\"qty\":1,\"price\":\"89.000\"}]}", -1);
	assert_int_equal(nwarn(p, 1, "item 1: bad price '10,000,000,000,000.01': too large"), 1);
	assert_int_equal(nwarn(p, 1, "item 2: bad price 10000000000001: amount too large"), 1);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT group_concat(coalesce(price_fen, 'N'), ',') FROM order_items"),
			    "N,N,8900,-550,8900");
	finish(db);
	parsed_free(p);
	/* items not adding up is a note, nothing is corrected */
	p = parse_str("{\"order_id\":\"1\",\"items\":[{\"qty\":2,\"price\":\"10.00\"}],"
		      "\"total\":\"25.00\",\"buyer\":\"x\"}", -1);
	assert_int_equal(nwarn(p, 0, "order: items add up to 20.00, total is 25.00"), 1);
	assert_int_equal(nwarn(p, 1, "order: 'buyer' is not an object"), 1);
	parsed_free(p);
}

/* ---- forced kinds and media through parse_evidence ---- */

static void
t18_forced_kinds(void **state)
{
	struct parsed *p;

	(void)state;
	p = parse_fixture("chat.txt", CF_KIND_ORDER);
	assert_int_equal(parsed_kind(p), CF_KIND_ORDER);
	assert_int_equal(nwarn(p, 1, "content is a chat transcript, not a order record"), 1);
	parsed_free(p);
	p = parse_fixture("chat.csv", CF_KIND_LOGISTICS);
	assert_int_equal(parsed_kind(p), CF_KIND_LOGISTICS);
	parsed_free(p);
	p = parse_fixture("photo-orient6.jpg", CF_KIND_CHAT);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 1, "content is a jpeg image, not a chat record"), 1);
	parsed_free(p);
	p = parse_fixture("order.json", CF_KIND_PHOTO);
	assert_int_equal(parsed_kind(p), CF_KIND_PHOTO);
	assert_int_equal(nwarn(p, 1, "content not recognised as an image"), 1);
	parsed_free(p);
	p = parse_fixture("photo-orient6.jpg", CF_KIND_RECEIPT);
	assert_int_equal(parsed_kind(p), CF_KIND_RECEIPT);
	assert_int_equal(nwarn(p, 1, NULL), 0);
	parsed_free(p);
}

static void
t19_media_stored(void **state)
{
	struct parsed *p = parse_fixture("gps.jpg", -1);
	struct cf_db *db;

	(void)state;
	assert_int_equal(parsed_kind(p), CF_KIND_PHOTO);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT format || '|' || width || '|' || height || '|' || "
				   "has_gps || '|' || coalesce(orientation, 'N') FROM media"),
			    "jpeg|64|48|1|N");
	assert_int_equal(q_int(db, "SELECT captured_at FROM media"), cst("2025-05-03 10:22:00"));
	finish(db);
	parsed_free(p);
	p = parse_str("%PDF-1.7\n1 0 obj\n", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_RECEIPT);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT format || '|' || coalesce(width, 'N') FROM media"),
			    "pdf|N");
	finish(db);
	parsed_free(p);
}

/* A prefix in memory, the rest through the fd (text bigger than n). */
static void
t20_prefix_and_fd(void **state)
{
	size_t n;
	char *d = fixture_load("order.json", &n);
	struct parsed *p = NULL;
	struct cf_err err = CF_ERR_INIT;
	int fd = open("order.json", O_RDWR | O_CREAT | O_TRUNC, 0600);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, d, n), (ssize_t)n);
	assert_int_equal(parse_evidence(d, 40, 0, n, fd, "order.json", -1, &p, &err), 0);
	assert_int_equal(parsed_kind(p), CF_KIND_ORDER);
	assert_int_equal(parsed_warning_count(p), 0);
	parsed_free(p);
	/* the file is shorter than it claims: an internal (I/O) failure */
	p = NULL;
	assert_int_equal(parse_evidence(d, 40, 0, n + 100, fd, "order.json", -1, &p, &err), -1);
	assert_null(p);
	assert_int_equal(err.code, CF_EIO);
	cf_err_release(&err);
	close(fd);
	free(d);
}

/* Two evidence rows in one DB: rows are keyed by evidence id. */
static void
t21_store_two(void **state)
{
	struct parsed *a = parse_fixture("chat.json", -1), *b = parse_fixture("chat.txt", -1);
	struct cf_db *db = db_with_evidence(1);
	struct cf_err err = CF_ERR_INIT;

	(void)state;
	assert_int_equal(db_exec(db, "INSERT INTO evidence(id, order_id, kind, sha256, size, name,"
				 " name_raw, ingested_at, tool_version) VALUES(2, 'x', 'chat', "
				 "zeroblob(32), 1, 'y', X'79', 0, 't')", &err), 0);
	assert_int_equal(parsed_store(a, db, 1, &err), 0);
	assert_int_equal(parsed_store(b, db, 2, &err), 0);
	assert_int_equal(q_int(db, "SELECT count(*) FROM messages WHERE evidence_id = 2"), 5);
	/* storing twice for the same evidence is refused by the schema */
	assert_int_equal(parsed_store(a, db, 1, &err), -1);
	assert_int_equal(err.code, CF_EDB);
	cf_err_release(&err);
	finish(db);
	parsed_free(a);
	parsed_free(b);
	(void)dump_warnings;
}

/* A broken line in every row: warnings are capped, with a summary. */
static void
t22_warning_cap(void **state)
{
	size_t rows = 5000, i;
	char *s = malloc(rows * 64 + 64), *q = s;
	struct parsed *p;

	(void)state;
	assert_non_null(s);
	q += sprintf(q, "time,from,text\n");
	for (i = 0; i < rows; i++)
		q += sprintf(q, "2025-02-30 10:%02zu,buyer,x\n", i % 60);
	p = parse_str(s, -1);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(parsed_warning_count(p), PARSE_MAX_WARNINGS + 1);
	assert_string_equal(parsed_warning(p, PARSE_MAX_WARNINGS),
			    "... and 4800 more warnings");
	assert_int_equal(parsed_warning_bad(p, PARSE_MAX_WARNINGS), 1);
	parsed_free(p);
	free(s);
	/* "%PDF-" quoted inside a chat log does not make it a receipt */
	p = parse_str("[{\"from\":\"buyer\",\"text\":\"%PDF-1.4 是发票吗\"}]", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	parsed_free(p);
}

/* Encodings under CSV and JSON: GBK headers, UTF-16 JSON, cut UTF-16. */
static void
t23_encoded_csv_json(void **state)
{
	/* "时间,发送方,内容\n2025-05-03 10:12,客服,您好\n" in GBK */
	static const char gbk[] = "\xCA\xB1\xBC\xE4,\xB7\xA2\xCB\xCD\xB7\xBD,"
				  "\xC4\xDA\xC8\xDD\n2025-05-03 10:12,\xBF\xCD\xB7\xFE,"
				  "\xC4\xFA\xBA\xC3\n";
	/* {"events":[{"status":"签收"}]} as UTF-16LE with BOM, one byte cut */
	static const char u16[] = "\xFF\xFE{\0\"\0e\0v\0e\0n\0t\0s\0\"\0:\0[\0{\0"
				  "\"\0s\0t\0a\0t\0u\0s\0\"\0:\0\"\0\x7E\x7B\x36\x65\"\0}\0]\0}\0";
	struct parsed *p;
	struct cf_db *db;

	(void)state;
	p = parse_buf(gbk, sizeof(gbk) - 1, -1);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 0, "text read as gb18030"), 1);
	assert_int_equal(nwarn(p, 1, NULL), 0);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT sender || '|' || sender_raw || '|' || text "
				   "FROM messages"), "merchant|客服|您好");
	finish(db);
	parsed_free(p);
	p = parse_buf(u16, sizeof(u16) - 1, -1);
	assert_int_equal(parsed_kind(p), CF_KIND_LOGISTICS);
	assert_int_equal(nwarn(p, 0, "text read as utf-16le"), 1);
	assert_int_equal(nwarn(p, 1, NULL), 0);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT status || '|' || status_raw FROM logistics_events"),
			    "delivered|签收");
	finish(db);
	parsed_free(p);
	/* the same, cut inside its last character: still read, and said */
	p = parse_buf(u16, sizeof(u16) - 2, -1);
	assert_int_equal(nwarn(p, 1, "invalid utf-16le text: 1 byte sequence replaced"), 1);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);	/* the JSON is cut too */
	assert_int_equal(nwarn(p, 1, "line 1, column "), 1);
	parsed_free(p);
}

/* ---- issue 12 (2026-12): keep every good record, flag every bad one ---- */

/* One number jansson cannot hold used to make the whole file 'other'. */
static void
t24_out_of_range_numbers(void **state)
{
	struct parsed *p;
	struct cf_db *db;
	char *s;

	(void)state;
	s = xasprintf("{\"order_id\": \"6931000000000001\", \"messages\": [\n"
		      " {\"time\": 1e400, \"from\": \"buyer\", \"text\": \"一\"},\n"
		      " {\"time\": 99999999999999999999999, \"from\": \"buyer\", \"text\": \"二\"},\n"
		      " {\"time\": \"2025-05-03 10:12\", \"from\": \"merchant\", \"text\": \"三\"},\n"
		      " {\"time\": -99999999999999999999999, \"from\": \"buyer\", \"text\": \"四\","
		      " \"n\": [1, {\"x\": 2e999}]}]}");
	p = parse_str(s, -1);
	free(s);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_string_equal(parsed_order_id(p), "6931000000000001");
	assert_int_equal(nwarn(p, 1, "message 1: 'time': number 1e400 is out of range, "
			       "read as null"), 1);
	assert_int_equal(nwarn(p, 1, "message 2: 'time': number 99999999999999999999999 is "
			       "out of range"), 1);
	assert_int_equal(nwarn(p, 1, "message 4: 'time': number -9999"), 1);
	assert_int_equal(nwarn(p, 1, "message 4: 'n[2].x': number 2e999 is out of range"), 1);
	assert_int_equal(nwarn(p, 1, "message 3"), 0);
	db = store(p);
	assert_int_equal(q_int(db, "SELECT count(*) FROM messages"), 4);
	assert_int_equal(q_int(db, "SELECT count(*) FROM messages WHERE time IS NULL"), 3);
	assert_int_equal(q_int(db, "SELECT time FROM messages WHERE seq = 3"),
			 cst("2025-05-03 10:12"));
	assert_string_equal(q_text(db, "SELECT group_concat(text, '') FROM messages"),
			    "一二三四");
	assert_string_equal(q_text(db, "SELECT extra FROM messages WHERE seq = 4"),
			    "{\"n\":[1,{\"x\":null}]}");
	finish(db);
	parsed_free(p);

	/* a top-level list of messages, and the order id itself */
	p = parse_str("[{\"time\": 1E+400, \"from\": \"buyer\", \"text\": \"a\"},"
		      " {\"time\": \"2025-05-03 10:12\", \"from\": \"buyer\", \"text\": \"b\"}]", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 1, "message 1: 'time': number 1E+400"), 1);
	db = store(p);
	assert_int_equal(q_int(db, "SELECT count(*) FROM messages"), 2);
	finish(db);
	parsed_free(p);

	/* logistics: the event is kept, its time flagged */
	p = parse_str("{\"carrier\": \"SF\", \"tracking_no\": \"SF1\", \"events\": ["
		      "{\"time\": 1e400, \"status\": \"collected\"},"
		      "{\"time\": \"2025-05-02 14:03\", \"status\": \"delivered\"}]}", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_LOGISTICS);
	assert_int_equal(nwarn(p, 1, "event 1: 'time': number 1e400 is out of range"), 1);
	db = store(p);
	assert_int_equal(q_int(db, "SELECT count(*) FROM logistics_events"), 2);
	assert_string_equal(q_text(db, "SELECT status FROM logistics_events WHERE seq = 1"),
			    "collected");
	finish(db);
	parsed_free(p);

	/* order: total, an item's price and qty, a time */
	p = parse_str("{\"order_id\": \"6931000000000001\", \"shop\": \"青瓷小铺\","
		      " \"created_at\": 1e400, \"total\": 1e400, \"items\": ["
		      "{\"sku\": \"CUP-01\", \"qty\": 123456789012345678901234567890,"
		      " \"price\": \"89.00\"}, {\"sku\": \"B\", \"price\": -1e999}]}", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_ORDER);
	assert_int_equal(nwarn(p, 1, "'total': number 1e400 is out of range"), 1);
	assert_int_equal(nwarn(p, 1, "'created_at': number 1e400 is out of range"), 1);
	assert_int_equal(nwarn(p, 1, "item 1: 'qty': number 1234"), 1);
	assert_int_equal(nwarn(p, 1, "item 2: 'price': number -1e999"), 1);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT shop FROM order_records"), "青瓷小铺");
	assert_string_equal(q_text(db, "SELECT total_fen IS NULL FROM order_records"), "1");
	assert_int_equal(q_int(db, "SELECT count(*) FROM order_items"), 2);
	assert_int_equal(q_int(db, "SELECT price_fen FROM order_items WHERE seq = 1"), 8900);
	finish(db);
	parsed_free(p);
}

/* A syntax error inside one message costs that message only. */
static void
t25_json_bad_message(void **state)
{
	struct parsed *p;
	struct cf_db *db;

	(void)state;
	p = parse_str("{\"messages\": [\n"
		      " {\"time\": \"2025-05-03 10:12\", \"from\": \"buyer\", \"text\": \"a\"},\n"
		      " {\"time\": \"2025-05-03 10:13\" \"from\": \"buyer\", \"text\": \"b\"},\n"
		      " {\"time\": \"2025-05-03 10:14\", \"from\": \"buyer\", \"text\": \"c\", "
		      "\"text\": \"d\"},\n"
		      " {\"time\": \"2025-05-03 10:15\", \"from\": \"merchant\", \"text\": \"e\"}]}", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 1, "message 2: line 3, column "), 1);
	assert_int_equal(nwarn(p, 1, "message 3: line 4, column "), 1);
	assert_int_equal(nwarn(p, 1, "duplicate object key"), 1);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT group_concat(text, '') FROM messages"), "ae");
	finish(db);
	parsed_free(p);
	/* the outline itself broken: unreadable as before, with its line */
	p = parse_str("{\"messages\": [\n {\"text\": \"a\"}\n {\"text\": \"b\"}]}", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(nwarn(p, 1, "line 3, column 2: expected ',' or ']'"), 1);
	parsed_free(p);
	p = parse_str("{\"messages\": [{\"text\": \"a\"}]} x", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(nwarn(p, 1, "end of file expected"), 1);
	parsed_free(p);
	p = parse_str("{\"messages\": [{\"text\": \"a\"]}]}", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_OTHER);
	assert_int_equal(nwarn(p, 1, "unexpected ']'"), 1);
	parsed_free(p);
}

/* Unknown keys beside the text; \u0000 and coerced types are said. */
static void
t26_json_extra_nul_types(void **state)
{
	struct parsed *p;
	struct cf_db *db;

	(void)state;
	p = parse_str("{\"messages\": [\n"
		      " {\"time\": \"2025-05-03 10:12\", \"from\": \"buyer\", \"text\": \"想退货\","
		      " \"msg_id\": \"m001\", \"read\": true},\n"
		      " {\"time\": \"2025-05-03 10:13\", \"from\": \"buyer\", \"text\": \"b\\u0000c\"},\n"
		      " {\"time\": \"2025-05-03 10:14\", \"from\": \"buyer\", \"attachments\": \"a.jpg\"},\n"
		      " {\"time\": \"2025-05-03 10:15\", \"from\": \"buyer\", \"text\": 42},\n"
		      " {\"time\": \"2025-05-03 10:16\", \"from\": \"buyer\", \"text\": true},\n"
		      " {\"time\": \"2025-05-03 10:17\", \"from\": \"buyer\", \"text\": \"x\","
		      " \"attachments\": 5}]}", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 1, "message 2: 'text': 1 NUL character (\\u0000) replaced "
			       "with U+FFFD"), 1);
	assert_int_equal(nwarn(p, 0, "message 3: 'attachments' given as a string"), 1);
	assert_int_equal(nwarn(p, 0, "message 4: 'text' given as a number"), 1);
	assert_int_equal(nwarn(p, 1, "message 5: 'text' is not a string"), 1);
	assert_int_equal(nwarn(p, 1, "message 6: 'attachments' is not a list"), 1);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT text FROM messages WHERE seq = 1"), "想退货");
	assert_string_equal(q_text(db, "SELECT extra FROM messages WHERE seq = 1"),
			    "{\"msg_id\":\"m001\",\"read\":true}");
	assert_string_equal(q_text(db, "SELECT extra FROM messages WHERE seq = 2"), "NULL");
	assert_string_equal(q_text(db, "SELECT text FROM messages WHERE seq = 2"),
			    "b\xEF\xBF\xBD" "c");
	assert_string_equal(q_text(db, "SELECT attachments FROM messages WHERE seq = 3"),
			    "[\"a.jpg\"]");
	assert_string_equal(q_text(db, "SELECT text FROM messages WHERE seq = 4"), "42");
	finish(db);
	parsed_free(p);
	/* a logistics event's unknown keys, and an order item's \u0000 */
	p = parse_str("{\"carrier\": \"SF\", \"events\": [{\"time\": \"2025-05-02 14:03\","
		      " \"status\": \"delivered\", \"courier\": \"王\"}]}", -1);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT extra FROM logistics_events"),
			    "{\"courier\":\"王\"}");
	finish(db);
	parsed_free(p);
	p = parse_str("{\"order_id\": \"1\", \"shop\": \"a\\u0000b\", \"total\": \"1.00\"}", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_ORDER);
	assert_int_equal(nwarn(p, 1, "order: 'shop': 1 NUL character"), 1);
	parsed_free(p);
}

/* Sub-second times keep their milliseconds, and a cut is said. */
static void
t27_milliseconds(void **state)
{
	struct parsed *p;
	struct cf_db *db;

	(void)state;
	p = parse_str("{\"messages\": [\n"
		      " {\"time\": \"2025-05-03T10:12:00.123+08:00\", \"from\": \"buyer\", \"text\": \"a\"},\n"
		      " {\"time\": 1746238320456, \"from\": \"buyer\", \"text\": \"b\"},\n"
		      " {\"time\": \"2025-05-03 10:12:00.5\", \"from\": \"buyer\", \"text\": \"c\"},\n"
		      " {\"time\": \"2025-05-03 10:12:00.123456\", \"from\": \"buyer\", \"text\": \"d\"},\n"
		      " {\"time\": \"2025-05-03 10:12:00\", \"from\": \"buyer\", \"text\": \"e\"},\n"
		      " {\"time\": \"1746238320789\", \"from\": \"buyer\", \"text\": \"f\"},\n"
		      " {\"time\": \"2025-05-03 10:12:00.000\", \"from\": \"buyer\", \"text\": \"g\"}]}",
		      -1);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 0, "message 4: time '2025-05-03 10:12:00.123456': digits past "
			       "the millisecond not kept"), 1);
	assert_int_equal(nwarn(p, 1, NULL), 0);
	db = store(p);
	assert_int_equal(q_int(db, "SELECT count(DISTINCT time) FROM messages"), 1);
	assert_int_equal(q_int(db, "SELECT time FROM messages WHERE seq = 1"),
			 cst("2025-05-03 10:12:00"));
	assert_string_equal(q_text(db, "SELECT group_concat(coalesce(time_ms, 'null'), ',') "
				   "FROM (SELECT time_ms FROM messages ORDER BY seq)"),
			    "123,456,500,123,null,789,0");
	finish(db);
	parsed_free(p);
	/* CSV, transcript and logistics too */
	p = parse_str("time,from,text\n2025-05-03 10:12:00.250,buyer,a\n", -1);
	db = store(p);
	assert_int_equal(q_int(db, "SELECT time_ms FROM messages"), 250);
	finish(db);
	parsed_free(p);
	p = parse_str("2025-05-03 10:12:00.075 买家(小**): 收到的杯子有裂痕\n", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	db = store(p);
	assert_int_equal(q_int(db, "SELECT time_ms FROM messages"), 75);
	finish(db);
	parsed_free(p);
	p = parse_str("time,status\n2025-05-02 14:03:00.9,delivered\n", -1);
	db = store(p);
	assert_int_equal(q_int(db, "SELECT time_ms FROM logistics_events"), 900);
	finish(db);
	parsed_free(p);
	/* order times are whole seconds: the cut is said */
	p = parse_str("{\"order_id\": \"1\", \"total\": \"1.00\","
		      " \"paid_at\": \"2025-05-03 10:12:00.250\"}", -1);
	assert_int_equal(nwarn(p, 0, "order: paid_at: milliseconds (.250) not kept"), 1);
	parsed_free(p);
}

/* An unclosed quote no longer swallows the rest of the file. */
static void
t28_csv_resync(void **state)
{
	struct parsed *p;
	struct cf_db *db;

	(void)state;
	p = parse_str("时间,发送方,昵称,内容\n"
		      "2025-05-03 10:12:00,买家,小**,\"收到的杯子有裂痕\n"
		      "2025-05-03 10:14:05,商家,客服-阿青,您好\n"
		      "2025-05-03 10:15:00,买家,小**,好的\n", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_CHAT);
	assert_int_equal(nwarn(p, 1, "line 2: quoted field not closed: the record ends with "
			       "line 2, reading resumed at line 3"), 1);
	db = store(p);
	assert_int_equal(q_int(db, "SELECT count(*) FROM messages"), 3);
	assert_string_equal(q_text(db, "SELECT text FROM messages WHERE seq = 1"),
			    "收到的杯子有裂痕");
	assert_string_equal(q_text(db, "SELECT sender || '|' || text FROM messages "
				   "WHERE seq = 2"), "merchant|您好");
	finish(db);
	parsed_free(p);
	/* the time column need not be first; CRLF; logistics too */
	p = parse_str("status,time,desc\r\n揽收,2025-05-01 18:20,\"已收取\r\n"
		      "签收,2025-05-02 14:03,已签收\r\n", -1);
	assert_int_equal(parsed_kind(p), CF_KIND_LOGISTICS);
	assert_int_equal(nwarn(p, 1, "reading resumed at line 3"), 1);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT group_concat(status || ':' || description, ';') "
				   "FROM logistics_events"),
			    "collected:已收取;delivered:已签收");
	finish(db);
	parsed_free(p);
	/* a quoted line break before a line that is no record is kept */
	p = parse_str("time,from,text\n2025-05-03 10:12,buyer,\"第一行\n第二行\"\n", -1);
	assert_int_equal(nwarn(p, 1, NULL), 0);
	db = store(p);
	assert_string_equal(q_text(db, "SELECT text FROM messages"), "第一行\n第二行");
	finish(db);
	parsed_free(p);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t01_kind_names),
		cmocka_unit_test(t02_chat_json_fixture_stored),
		cmocka_unit_test(t03_chat_json_array_and_bom),
		cmocka_unit_test(t04_chat_json_bad_entries),
		cmocka_unit_test(t05_chat_csv_fixture),
		cmocka_unit_test(t06_chat_csv_english_reordered),
		cmocka_unit_test(t07_chat_csv_unterminated),
		cmocka_unit_test(t08_transcripts),
		cmocka_unit_test(t09_transcript_variants_and_bad),
		cmocka_unit_test(t10_invalid_utf8_and_nul),
		cmocka_unit_test(t11_huge_line),
		cmocka_unit_test(t12_bad_json),
		cmocka_unit_test(t13_empty_and_binary),
		cmocka_unit_test(t14_logistics_json),
		cmocka_unit_test(t15_logistics_csv),
		cmocka_unit_test(t16_order_fixture),
		cmocka_unit_test(t17_order_money),
		cmocka_unit_test(t18_forced_kinds),
		cmocka_unit_test(t19_media_stored),
		cmocka_unit_test(t20_prefix_and_fd),
		cmocka_unit_test(t21_store_two),
		cmocka_unit_test(t22_warning_cap),
		cmocka_unit_test(t23_encoded_csv_json),
		cmocka_unit_test(t24_out_of_range_numbers),
		cmocka_unit_test(t25_json_bad_message),
		cmocka_unit_test(t26_json_extra_nul_types),
		cmocka_unit_test(t27_milliseconds),
		cmocka_unit_test(t28_csv_resync),
	};

	(void)argc;
	fixture_init(argv[0]);
	return cmocka_run_group_tests(tests, test_tmpdir_setup, test_tmpdir_teardown);
}

/* SPDX-License-Identifier: MIT */
/*
 * test_pack — the parts of pack that need no media library: platform
 * profiles (every figure set, sources named, aliases), the statement's
 * length counted each platform's way and cut at a character boundary, and
 * the QR payload of a card spec ("CFK1", pack.h).
 */
#include "testutil.h"

#include "casefile/pack.h"
#include "casefile/statement.h"

static void
profiles_complete(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; pack_profiles[i]; i++) {
		const struct pack_profile *p = pack_profiles[i];

		assert_non_null(p->source);
		assert_true(p->max_images >= 1 && p->max_images <= 9);
		assert_true(p->max_image_bytes >= 100000);
		assert_true(p->max_text >= 100);
		assert_true(p->min_text >= 1 && p->min_text < p->max_text);
		assert_ptr_equal(pack_profile_find(p->name), p);
	}
	assert_int_equal((int)i, 6);
	assert_string_equal(pack_profile_find("wechat")->name, "wxshop");
	assert_string_equal(pack_profile_find("taobao")->name, "taobao-refuse");
	assert_null(pack_profile_find("jd"));
	assert_null(pack_profile_find(NULL));
	/* the published figures of the table */
	assert_int_equal(pack_profile_find("taobao-refuse")->max_image_bytes, 130000);
	assert_int_equal(pack_profile_find("taobao-message")->count, PACK_COUNT_BYTES);
	assert_int_equal(pack_profile_find("wxpay")->max_text, 200);
	assert_int_equal(pack_profile_find("douyin")->max_images, 4);
	assert_false(pack_profile_find("douyin")->max_image_bytes_verified);
}

/*
 * Counting is the platform's way; fitting is statement_fit's (the one
 * implementation, used by statement_variant for statement.txt).
 */
static void
text_fit(void **state)
{
	const struct pack_profile *chars = pack_profile_find("wxpay");	/* 200 chars */
	const struct pack_profile *bytes = pack_profile_find("taobao-message");	/* 400 bytes */
	char s[2048];
	size_t i, n;

	(void)state;
	/* 300 Chinese characters: 900 bytes */
	for (i = 0; i < 300; i++)
		memcpy(s + 3 * i, "长", 3);
	s[900] = '\0';
	assert_int_equal(pack_text_length(chars, s), 300);
	assert_int_equal(pack_text_length(bytes, s), 900);
	assert_int_equal(pack_text_length(chars, s), statement_count(s, 0));
	assert_int_equal(pack_text_length(bytes, s), statement_count(s, 1));
	n = statement_fit(s, chars->max_text, chars->count == PACK_COUNT_BYTES);
	assert_true(n <= 200);
	assert_int_equal(pack_text_length(chars, s), n);
	assert_string_equal(s + strlen(s) - 3, "…");
	n = statement_fit(s, bytes->max_text, bytes->count == PACK_COUNT_BYTES);
	assert_true(n <= 400);
	assert_int_equal(strlen(s) % 3, 0);		/* never half a character */
	/* whole sentences are kept when one fits */
	strcpy(s, "第一句。");
	for (i = 0; i < 150; i++)
		strcat(s, "长");
	n = statement_fit(s, bytes->max_text, 1);
	assert_string_equal(s, "第一句。");
	assert_int_equal(n, 12);
}

static void
qr_payload(void **state)
{
	json_t *spec = json_pack("{s:s, s:s, s:i, s:i, s:[{s:i, s:s, s:s, s:s}, {s:i, s:s, s:s, s:s}]}",
				 "order", "6931000000000002", "dossier", "fe0cb827dfb30c9b",
				 "card", 2, "cards", 4, "sources",
				 "exhibit", 4, "sha256",
				 "41913acc999632340000000000000000000000000000000000000000000000aa",
				 "sealed_utc", "20250503T120000Z", "tsa", "tsa.example",
				 "exhibit", 5, "sha256",
				 "b88c4083c3c4453e0000000000000000000000000000000000000000000000bb",
				 "sealed_utc", "20250504T120000Z", "tsa", "");
	char *q;

	(void)state;
	assert_non_null(spec);
	q = pack_card_qr_text(spec);
	/* the latest seal of the sources, "-" for no TSA */
	assert_string_equal(q, "CFK1\no=6931000000000002\nd=fe0cb827dfb30c9b\nc=2/4\n"
			    "e=4:41913acc99963234\ne=5:b88c4083c3c4453e\ns=20250504T120000Z@-\n");
	free(q);
	/* a source not sealed: no s= line */
	json_object_set_new(json_array_get(json_object_get(spec, "sources"), 1), "sealed_utc",
			    json_string(""));
	q = pack_card_qr_text(spec);
	assert_null(strstr(q, "\ns="));
	free(q);
	json_decref(spec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(profiles_complete),
		cmocka_unit_test(text_fit),
		cmocka_unit_test(qr_payload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

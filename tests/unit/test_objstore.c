/* SPDX-License-Identifier: MIT */
/*
 * test_objstore — what objstore reads from outside without a store: the
 * s3:// address, the retention, the XML answers (malformed ones too), and
 * where credentials come from (environment, credentials file, a file others
 * can read refused).  The requests themselves are tested against a real
 * Ceph RADOS Gateway by tests/scale/ (make test-scale).
 */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/objstore.h"

static void
t1_url(void **state)
{
	static const char *bad[] = {
		"", "s3:/b/x", "http://bucket/x", "s3://", "s3://ab", "s3://Bucket/x",
		"s3://bu_ck/x", "s3://bucket//x", "s3://bucket/x/", "s3://bucket/a/../b",
		"s3://bucket/a b", "s3://bucket/%2F", "s3://bucket/a?b",
		"s3://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/x",
	};
	struct cf_err err = CF_ERR_INIT;
	char *b = NULL, *p = NULL;
	size_t i;

	(void)state;
	assert_int_equal(objstore_parse_url("s3://evidence/shop1/2026", &b, &p, &err), 0);
	assert_string_equal(b, "evidence");
	assert_string_equal(p, "shop1/2026");
	free(b);
	free(p);
	assert_int_equal(objstore_parse_url("s3://my.bucket-1", &b, &p, &err), 0);
	assert_string_equal(b, "my.bucket-1");
	assert_string_equal(p, "");
	free(b);
	free(p);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = p = NULL;
		assert_int_equal(objstore_parse_url(bad[i], &b, &p, &err), -1);
		assert_int_equal(err.code, CF_EINPUT);
		assert_null(b);
		assert_null(p);
		cf_err_release(&err);
	}
}

static void
t2_retention(void **state)
{
	static const char *bad[] = {
		"", "3", "y", "3x", "3yy", "-1y", "0d", "+3y", " 3y", "3y ", "101y",
		"36501d", "99999999999999999999d", "1.5y",
	};
	struct cf_err err = CF_ERR_INIT;
	long d = 0;
	size_t i;

	(void)state;
	assert_int_equal(objstore_parse_retention("3y", &d, &err), 0);
	assert_int_equal(d, 3 * 365);
	assert_int_equal(objstore_parse_retention("18m", &d, &err), 0);
	assert_int_equal(d, 18 * 30);
	assert_int_equal(objstore_parse_retention("90d", &d, &err), 0);
	assert_int_equal(d, 90);
	assert_int_equal(objstore_parse_retention("100y", &d, &err), 0);
	assert_int_equal(d, 36500);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = 7;
		assert_int_equal(objstore_parse_retention(bad[i], &d, &err), -1);
		assert_int_equal(err.code, CF_EINPUT);
		assert_int_equal(d, 7);
		cf_err_release(&err);
	}
}

static void
xml_is(const char *xml, const char *tag, const char *want)
{
	char *got = objstore_xml_text(xml, strlen(xml), tag);

	if (want == NULL) {
		assert_null(got);
	} else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
	free(got);
}

static void
t3_xml(void **state)
{
	(void)state;
	xml_is("<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code><Message></Message>"
	       "</Error>", "Code", "NoSuchBucket");
	xml_is("<Error><Code>NoSuchBucket</Code></Error>", "Message", NULL);
	xml_is("<Message></Message>", "Message", "");
	xml_is("<InitiateMultipartUploadResult><UploadId>2~a-b_c.d</UploadId>"
	       "</InitiateMultipartUploadResult>", "UploadId", "2~a-b_c.d");
	xml_is("<ETag>&quot;abc&quot; &amp; &lt;&gt;&apos;</ETag>", "ETag", "\"abc\" & <>'");
	/* malformed: unclosed, nested, unknown entity, truncated, empty input */
	xml_is("<Code>NoSuchBucket", "Code", NULL);
	xml_is("<Code><X>1</X></Code>", "Code", NULL);
	xml_is("<Code>&bogus;</Code>", "Code", NULL);
	xml_is("<Code>&amp</Code>", "Code", NULL);
	xml_is("<Cod", "Code", NULL);
	xml_is("", "Code", NULL);
	/* a tag whose name starts another's is not it */
	xml_is("<CodeX>1</CodeX><Code>2</Code>", "Code", "2");
	{
		/* not NUL-terminated: the length bounds the scan */
		const char buf[] = { '<', 'A', '>', 'x', '<', '/', 'A', '>' };
		char *got = objstore_xml_text(buf, 7, "A");

		assert_null(got);
		got = objstore_xml_text(buf, 8, "A");
		assert_string_equal(got, "x");
		free(got);
	}
}

/* The environment as main() would hand it over (objstore_set_env). */
static struct objstore_env tenv;

static void
clear_env(void)
{
	memset(&tenv, 0, sizeof(tenv));
	tenv.credentials_file = "no-such-file";
}

static int
open_with(const char *endpoint, struct objstore **s, struct cf_err *err)
{
	struct objstore_conf c = { "s3://bucket/p", endpoint, NULL, 0 };

	*s = NULL;
	objstore_set_env(&tenv);
	return objstore_open(&c, s, err);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static void
t4_credentials(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct objstore *s = NULL;

	(void)state;
	clear_env();
	/* none at all */
	assert_int_equal(open_with("http://127.0.0.1:9", &s, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_non_null(strstr(err.msg, "no credentials for 's3://bucket/p'"));
	cf_err_release(&err);
	/* from the environment; endpoint and region defaults */
	tenv.access_key = "AK";
	tenv.secret_key = "SK";
	assert_int_equal(open_with(NULL, &s, &err), 0);
	assert_string_equal(objstore_endpoint(s), "https://s3.us-east-1.amazonaws.com");
	objstore_close(s);
	tenv.endpoint = "http://127.0.0.1:7480/";
	assert_int_equal(open_with(NULL, &s, &err), 0);
	assert_string_equal(objstore_endpoint(s), "http://127.0.0.1:7480");
	assert_string_equal(objstore_url(s), "s3://bucket/p");
	objstore_close(s);
	/* bad endpoints */
	assert_int_equal(open_with("ftp://x", &s, &err), -1);
	cf_err_release(&err);
	assert_int_equal(open_with("http://x/path", &s, &err), -1);
	cf_err_release(&err);
	assert_int_equal(open_with("http://x?a=b", &s, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	cf_err_release(&err);
	/* a credentials file: its profile; refused when others can read it */
	clear_env();
	tenv.credentials_file = "creds";
	write_file("creds", "[other]\naws_access_key_id = X\naws_secret_access_key = Y\n"
		   "[default]\naws_access_key_id = AK2\n  aws_secret_access_key=SK2  \n", 0644);
	assert_int_equal(open_with("http://127.0.0.1:9", &s, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	assert_non_null(strstr(err.msg, "is readable by others"));
	cf_err_release(&err);
	assert_int_equal(chmod("creds", 0600), 0);
	assert_int_equal(open_with("http://127.0.0.1:9", &s, &err), 0);
	objstore_close(s);
	tenv.profile = "nosuch";
	assert_int_equal(open_with("http://127.0.0.1:9", &s, &err), -1);
	assert_non_null(strstr(err.msg, "profile 'nosuch'"));
	cf_err_release(&err);
	/* malformed files: no section, no '=', a half profile */
	write_file("creds", "aws_access_key_id = AK\n[default\nnonsense\n"
		   "aws_secret_access_key\n", 0600);
	tenv.profile = NULL;
	assert_int_equal(open_with("http://127.0.0.1:9", &s, &err), -1);
	assert_int_equal(err.code, CF_EINPUT);
	cf_err_release(&err);
	clear_env();
}

/* 5. A ListVersionsResult page: keys classified, versions, paging. */
#define HEX62 "cdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
static void
t5_listing(void **state)
{
	static const char page[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		"<ListVersionsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
		"<Name>b</Name><Prefix>shop1/</Prefix><IsTruncated>true</IsTruncated>"
		"<NextKeyMarker>shop1/tmp/x</NextKeyMarker>"
		"<NextVersionIdMarker>v&amp;9</NextVersionIdMarker>"
		"<Version><Key>shop1/ab/" HEX62 "</Key><VersionId>v1</VersionId>"
		"<IsLatest>true</IsLatest><Size>12</Size></Version>"
		"<DeleteMarker><Key>shop1/zz</Key><VersionId>d1</VersionId></DeleteMarker>"
		"<Version><Key>shop1/tmp/0011</Key><VersionId>null</VersionId>"
		"<Size>0</Size></Version>"
		"<Version><Key>shop1/AB/" HEX62 "</Key><Size>1</Size></Version>"
		"<Version><Key>shop1/ab/" HEX62 "x</Key><Size>1</Size></Version>"
		"<Version><Key>shop1/tmp/a/b</Key><Size>1</Size></Version>"
		"<Version><Key>shop10/ab/" HEX62 "</Key><Size>1</Size></Version>"
		"<Version><Key>shop1/notes.txt</Key><Size>18446744073709551615</Size></Version>"
		"</ListVersionsResult>";
	struct objstore_listing l;
	struct cf_err err = CF_ERR_INIT;

	(void)state;
	memset(&l, 0, sizeof(l));
	assert_int_equal(objstore_listing_parse(page, strlen(page), "shop1", &l, &err), 0);
	assert_int_equal(l.n, 7);
	assert_string_equal(l.v[0].key, "shop1/ab/" HEX62);
	assert_string_equal(l.v[0].version, "v1");
	assert_int_equal(l.v[0].size, 12);
	assert_int_equal(l.v[0].kind, OBJSTORE_OBJECT);
	assert_int_equal(l.v[0].sha256[0], 0xab);
	assert_int_equal(l.v[0].sha256[31], 0x89);
	assert_int_equal(l.v[1].kind, OBJSTORE_TEMP);
	assert_string_equal(l.v[1].version, "");	/* "null": unversioned */
	assert_int_equal(l.v[2].kind, OBJSTORE_FOREIGN);	/* upper case */
	assert_int_equal(l.v[3].kind, OBJSTORE_FOREIGN);	/* too long */
	assert_int_equal(l.v[4].kind, OBJSTORE_FOREIGN);	/* nested under tmp/ */
	assert_int_equal(l.v[5].kind, OBJSTORE_FOREIGN);	/* another prefix */
	assert_int_equal(l.v[6].kind, OBJSTORE_FOREIGN);
	assert_true(l.v[6].size == UINT64_MAX);
	assert_true(l.truncated);
	assert_string_equal(l.next_key, "shop1/tmp/x");
	assert_string_equal(l.next_version, "v&9");
	objstore_listing_release(&l);

	/* no prefix: every key is judged whole */
	{
		static const char p2[] = "<ListVersionsResult><IsTruncated>false</IsTruncated>"
			"<Version><Key>ab/" HEX62 "</Key><Size>3</Size></Version>"
			"</ListVersionsResult>";

		assert_int_equal(objstore_listing_parse(p2, strlen(p2), "", &l, &err), 0);
		assert_int_equal(l.n, 1);
		assert_int_equal(l.v[0].kind, OBJSTORE_OBJECT);
		assert_false(l.truncated);
		assert_null(l.next_key);
		objstore_listing_release(&l);
	}
}

/* 5b. A ListMultipartUploadsResult page: uploads in progress. */
static void
t5_uploads(void **state)
{
	static const char page[] =
		"<ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
		"<Bucket>b</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>"
		"<NextKeyMarker>shop1/tmp/z</NextKeyMarker><NextUploadIdMarker>2~u</NextUploadIdMarker>"
		"<IsTruncated>true</IsTruncated>"
		"<Upload><Key>shop1/tmp/00ff</Key><UploadId>2~abc</UploadId>"
		"<Initiator><ID>x</ID></Initiator><Initiated>2026-12-03T10:00:00.000Z</Initiated>"
		"</Upload>"
		"<Upload><Key>shop1/ab/" HEX62 "</Key><UploadId>2~def</UploadId></Upload>"
		"</ListMultipartUploadsResult>";
	struct objstore_listing l;
	struct cf_err err = CF_ERR_INIT;

	(void)state;
	memset(&l, 0, sizeof(l));
	assert_int_equal(objstore_listing_parse(page, strlen(page), "shop1", &l, &err), 0);
	assert_int_equal(l.n, 2);
	assert_true(l.v[0].upload);
	assert_int_equal(l.v[0].kind, OBJSTORE_TEMP);
	assert_string_equal(l.v[0].version, "2~abc");
	assert_int_equal(l.v[0].size, 0);
	assert_int_equal(l.v[1].kind, OBJSTORE_OBJECT);
	assert_string_equal(l.v[1].version, "2~def");
	assert_true(l.truncated);
	assert_string_equal(l.next_key, "shop1/tmp/z");
	assert_string_equal(l.next_version, "2~u");
	objstore_listing_release(&l);
}

/* 6. Malformed listings are refused with CF_ENET, never half-read silently. */
static void
t6_listing_malformed(void **state)
{
	static const char *bad[] = {
		"",
		"<Error><Code>AccessDenied</Code></Error>",
		"<ListVersionsResult>",				/* never closed */
		"<ListVersionsResult",				/* truncated tag */
		"<ListVersionsResult><Version><Size>1</Size></Version></ListVersionsResult>",
		"<ListVersionsResult><Version><Key>k</Key></Version></ListVersionsResult>",
		"<ListVersionsResult><Version><Key></Key><Size>1</Size></Version>"
		"</ListVersionsResult>",
		"<ListVersionsResult><Version><Key>k</Key><Size>-1</Size></Version>"
		"</ListVersionsResult>",
		"<ListVersionsResult><Version><Key>k</Key><Size>1x</Size></Version>"
		"</ListVersionsResult>",
		"<ListVersionsResult><Version><Key>k</Key><Size>99999999999999999999999</Size>"
		"</Version></ListVersionsResult>",
		"<ListVersionsResult><Version><Key>k</Key><Size></Size></Version>"
		"</ListVersionsResult>",
		"<ListVersionsResult><Version><Key>k</Key><Size>1</Size>"
		"</ListVersionsResult>",			/* version not closed */
		"<ListVersionsResult><Version><Key>&bad;</Key><Size>1</Size></Version>"
		"</ListVersionsResult>",
		"<ListVersionsResult><IsTruncated>true</IsTruncated></ListVersionsResult>",
		"<ListVersionsResult><IsTruncated>true</IsTruncated><NextKeyMarker></NextKeyMarker>"
		"</ListVersionsResult>",
		"<ListVersionsResult><IsTruncated>maybe</IsTruncated></ListVersionsResult>",
		"<ListMultipartUploadsResult><Upload><Key>k</Key></Upload>"
		"</ListMultipartUploadsResult>",		/* no UploadId */
		"<ListMultipartUploadsResult><Upload><Key>k</Key><UploadId></UploadId></Upload>"
		"</ListMultipartUploadsResult>",
		"<ListMultipartUploadsResult><Upload><UploadId>u</UploadId></Upload>"
		"</ListMultipartUploadsResult>",		/* no Key */
		"<ListMultipartUploadsResult><Upload><Key>k</Key><UploadId>u</UploadId>"
		"</ListMultipartUploadsResult>",		/* upload not closed */
		"<ListMultipartUploadsResult><IsTruncated>true</IsTruncated>"
		"</ListMultipartUploadsResult>",
		"<ListMultipartUploadsResult>",
	};
	struct objstore_listing l;
	struct cf_err err = CF_ERR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&l, 0, sizeof(l));
		assert_int_equal(objstore_listing_parse(bad[i], strlen(bad[i]), "p", &l, &err), -1);
		assert_int_equal(err.code, CF_ENET);
		cf_err_release(&err);
		objstore_listing_release(&l);
	}
	/* the length bounds the scan: the same page cut short is refused */
	{
		static const char ok[] = "<ListVersionsResult><IsTruncated>false</IsTruncated>"
			"<Version><Key>k</Key><Size>1</Size></Version></ListVersionsResult>";

		for (i = 0; i < sizeof(ok) - 1; i++) {
			memset(&l, 0, sizeof(l));
			assert_int_equal(objstore_listing_parse(ok, i, "", &l, &err), -1);
			cf_err_release(&err);
			objstore_listing_release(&l);
		}
		memset(&l, 0, sizeof(l));
		assert_int_equal(objstore_listing_parse(ok, sizeof(ok) - 1, "", &l, &err), 0);
		assert_int_equal(l.n, 1);
		assert_int_equal(l.v[0].kind, OBJSTORE_FOREIGN);
		objstore_listing_release(&l);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t1_url),
		cmocka_unit_test(t2_retention),
		cmocka_unit_test(t3_xml),
		cmocka_unit_test(t5_listing),
		cmocka_unit_test(t5_uploads),
		cmocka_unit_test(t6_listing_malformed),
		cmocka_unit_test_setup_teardown(t4_credentials, test_tmpdir_setup,
						test_tmpdir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

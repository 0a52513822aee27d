/* SPDX-License-Identifier: MIT */
/*
 * parsedump — test helper: run parse_evidence() on files and print the
 * kind, warnings and the rows parsed_store() writes (via an in-memory
 * vault database), one line per fact.  Used to check fixtures and
 * examples by eye and from CLI tests.
 *
 * usage: parsedump [-k KIND] [-n PREFIX_BYTES] FILE...
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/db_sqlite.h"
#include "casefile/parse.h"
#include "casefile/parsed_writer.h"
#include "casefile/xalloc.h"

static int
dump_rows(struct cf_db *db)
{
	static const char *const q[] = {
		"SELECT 'msg', seq, time, sender, sender_raw, name, text, attachments FROM messages",
		"SELECT 'logistics', carrier, tracking_no FROM logistics",
		"SELECT 'event', seq, time, status, status_raw, location, description FROM logistics_events",
		"SELECT 'order', order_id, shop, created_at, paid_at, shipped_at, delivered_at, "
		"buyer_nick, buyer_phone, buyer_address, total_fen, currency, pay_method, pay_txn, extra FROM order_records",
		"SELECT 'item', seq, sku, title, qty, price_fen FROM order_items",
		"SELECT 'media', format, width, height, orientation, captured_at, has_gps, duration_ms FROM media",
	};
	size_t i;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		sqlite3_stmt *st;
		int c;

		if (sqlite3_prepare_v2(db_sqlite(db), q[i], -1, &st, NULL) != SQLITE_OK)
			return -1;
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (c = 0; c < sqlite3_column_count(st); c++) {
				const unsigned char *t = sqlite3_column_text(st, c);

				printf("%s%s", c ? "|" : "", t ? (const char *)t : "NULL");
			}
			putchar('\n');
		}
		sqlite3_finalize(st);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int i, forced = -1, opt, rc = 0;
	size_t prefix = 65536;

	while ((opt = getopt(argc, argv, "k:n:")) != -1) {
		enum cf_kind k;

		if (opt == 'k' && cf_kind_from_name(optarg, &k) == 0)
			forced = (int)k;
		else if (opt == 'n')
			prefix = strtoul(optarg, NULL, 10);
		else {
			fprintf(stderr, "usage: parsedump [-k KIND] [-n BYTES] FILE...\n");
			return 2;
		}
	}
	for (i = optind; i < argc; i++) {
		struct cf_err err = CF_ERR_INIT;
		struct parsed *p = NULL;
		struct stat sb;
		struct cf_db *db = NULL;
		char *buf;
		ssize_t n;
		int fd = open(argv[i], O_RDONLY);
		size_t w;

		if (fd < 0 || fstat(fd, &sb) < 0) {
			perror(argv[i]);
			return 1;
		}
		buf = xmalloc(prefix + 1);
		n = pread(fd, buf, prefix, 0);
		if (n < 0) {
			perror(argv[i]);
			return 1;
		}
		if (parse_evidence(buf, (size_t)n, (uint64_t)n == (uint64_t)sb.st_size,
				   (uint64_t)sb.st_size, fd, argv[i], forced, &p, &err) < 0) {
			fprintf(stderr, "parsedump: %s: %s\n", argv[i], err.msg);
			return 1;
		}
		printf("file|%s\nkind|%s\norder_id|%s\n", argv[i],
		       cf_kind_name(parsed_kind(p)),
		       parsed_order_id(p) ? parsed_order_id(p) : "NULL");
		for (w = 0; w < parsed_warning_count(p); w++)
			printf("%s|%s\n", parsed_warning_bad(p, w) ? "bad" : "note",
			       parsed_warning(p, w));
		char dbpath[] = "/tmp/parsedump-XXXXXX";
		int dfd = mkstemp(dbpath);

		if (dfd >= 0)
			close(dfd);
		if (dfd >= 0 && unlink(dbpath) == 0 && db_open(dbpath, 1, &db, &err) == 0) {
			sqlite3_exec(db_sqlite(db), "PRAGMA foreign_keys = OFF", NULL, NULL, NULL);
			if (parsed_store(p, db, 1, &err) < 0 || dump_rows(db) < 0) {
				fprintf(stderr, "parsedump: store: %s\n", err.msg ? err.msg : "?");
				rc = 1;
			}
			db_close(db);
			unlink(dbpath);
			{ char *x = xasprintf("%s-wal", dbpath); unlink(x); free(x); x = xasprintf("%s-shm", dbpath); unlink(x); free(x); }
		} else {
			fprintf(stderr, "parsedump: db: %s\n", err.msg);
			rc = 1;
		}
		cf_err_release(&err);
		parsed_free(p);
		free(buf);
		close(fd);
	}
	return rc;
}

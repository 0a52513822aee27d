/* SPDX-License-Identifier: MIT */
/*
 * fuzz_parse — libFuzzer harness for parse_classify() (parse_evidence() and
 * the name hints) and parsed_store().
 * The first byte picks the forced kind (0..7), a hinted name (8..15) or
 * plain sniffing; the rest is the file.
 * Parsed rows are stored into a scratch vault database inside a
 * transaction that is rolled back, so the SQL path is exercised too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/db_sqlite.h"
#include "casefile/parse.h"
#include "casefile/parsed_writer.h"

static struct cf_db *db;
static char db_path[] = "/tmp/fuzz-parse-XXXXXX";

/* libFuzzer ends with exit(): remove the scratch database and its WAL. */
static void
remove_db(void)
{
	char side[sizeof(db_path) + 8];

	db_close(db);
	unlink(db_path);
	snprintf(side, sizeof(side), "%s-wal", db_path);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", db_path);
	unlink(side);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = mkstemp(db_path);
	struct cf_err err = CF_ERR_INIT;

	(void)argc;
	(void)argv;
	if (fd < 0)
		abort();
	close(fd);
	unlink(db_path);
	if (db_open(db_path, 1, &db, &err) < 0)
		abort();
	atexit(remove_db);
	sqlite3_exec(db_sqlite(db), "PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF", NULL, NULL, NULL);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parsed *p = NULL;
	struct cf_err err = CF_ERR_INIT;
	/* a first byte of 8..15 picks a name and folder hint (parse_classify) */
	static const char *const paths[] = { "chat.json", "logistics.csv", "order.json",
					     "photos/a.png", "videos/v.mp4", "receipts/r.pdf",
					     "receipts/scan.jpg", "a.webp" };
	const char *path = "fuzz";
	int forced = -1;
	size_t i;

	if (size > 0) {
		forced = data[0] < 8 ? (int)data[0] : -1;
		if (data[0] >= 8 && data[0] < 16)
			path = paths[data[0] - 8];
		data++;
		size--;
	}
	if (parse_classify(data, size, 1, size, -1, strrchr(path, '/') ? strrchr(path, '/') + 1
								       : path,
			   path, forced, &p, &err) < 0)
		abort();	/* complete input: only bad-input paths are legal */
	for (i = 0; i < parsed_warning_count(p); i++)
		if (parsed_warning(p, i) == NULL)
			abort();
	sqlite3_exec(db_sqlite(db), "BEGIN", NULL, NULL, NULL);
	if (parsed_store(p, db, 1, &err) < 0)
		abort();
	sqlite3_exec(db_sqlite(db), "ROLLBACK", NULL, NULL, NULL);
	parsed_free(p);
	cf_err_release(&err);
	return 0;
}

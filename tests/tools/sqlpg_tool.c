/* SPDX-License-Identifier: MIT */
/*
 * sqlpg_tool — the SQL dialect translator (sqlpg.h) from the shell, for
 * tests/scale/t9201 and for looking at what a statement becomes.
 *
 *   sqlpg_tool schema        print sqlpg_schema() (PostgreSQL DDL)
 *   sqlpg_tool source        print sqlpg_schema_source() (SQLite dialect)
 *   sqlpg_tool translate     read SQL texts separated by NUL bytes on stdin;
 *                            for each write "OK N\n" (N parameters) and the
 *                            translation, or "ERR message", then a NUL byte
 *
 * Exit 0, or 2 on misuse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/sqlpg.h"

static void
one(const char *sql)
{
	struct cf_err err = CF_ERR_INIT;
	int np = 0;
	char *pg = sqlpg_translate(sql, &np, &err);

	if (pg)
		printf("OK %d\n%s", np, pg);
	else
		printf("ERR %s", err.msg);
	putchar('\0');
	free(pg);
	cf_err_release(&err);
}

int
main(int argc, char **argv)
{
	struct cf_buf b = CF_BUF_INIT;
	int c;

	if (argc == 2 && strcmp(argv[1], "schema") == 0) {
		fputs(sqlpg_schema(), stdout);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "source") == 0) {
		fputs(sqlpg_schema_source(), stdout);
		return 0;
	}
	if (argc != 2 || strcmp(argv[1], "translate") != 0) {
		fprintf(stderr, "usage: sqlpg_tool schema | source | translate <NUL-separated SQL\n");
		return 2;
	}
	while ((c = getchar()) != EOF) {
		if (c == '\0') {
			one(b.data);
			cf_buf_reset(&b);
		} else {
			cf_buf_addch(&b, c);
		}
	}
	if (b.len)
		one(b.data);
	cf_buf_release(&b);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* SPDX-License-Identifier: MIT */
/*
 * sqlpg_cat — test helper: print sqlpg_translate() of SQL (the arguments,
 * joined by newlines, or stdin) — casefile's SQLite dialect in
 * PostgreSQL's.  The CLI suite's PostgreSQL mode (tests/lib.sh, the
 * sqlite3 stand-in tests/lib/sqlite3-on-pg) reads a PostgreSQL vault's
 * tables with the tests' own SQLite-dialect queries through it.
 * Exit 1 with sqlpg's message when the text has no PostgreSQL form.
 *
 * usage: sqlpg_cat [SQL...]
 *        sqlpg_cat -s    the current schema in SQLite's dialect
 *                        (sqlpg_schema_source), for a SQLite copy of a
 *                        PostgreSQL vault's tables
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/err.h"
#include "casefile/sqlpg.h"
#include "casefile/xalloc.h"

int
main(int argc, char **argv)
{
	struct cf_err err = CF_ERR_INIT;
	size_t len = 0, cap = 4096;
	char *sql = xmalloc(cap), *pg;
	int i;

	sql[0] = '\0';
	if (argc == 2 && !strcmp(argv[1], "-s")) {
		free(sql);
		fputs(sqlpg_schema_source(), stdout);
		return 0;
	}
	if (argc > 1) {
		for (i = 1; i < argc; i++) {
			size_t n = strlen(argv[i]);

			while (len + n + 2 > cap)
				sql = xrealloc(sql, cap *= 2);
			memcpy(sql + len, argv[i], n);
			len += n;
			sql[len++] = '\n';
			sql[len] = '\0';
		}
	} else {
		size_t n;

		while ((n = fread(sql + len, 1, cap - len - 1, stdin)) > 0) {
			len += n;
			if (len + 1 == cap)
				sql = xrealloc(sql, cap *= 2);
		}
		sql[len] = '\0';
	}
	pg = sqlpg_translate(sql, NULL, &err);
	free(sql);
	if (!pg) {
		fprintf(stderr, "sqlpg_cat: %s\n", err.msg);
		cf_err_release(&err);
		return 1;
	}
	fputs(pg, stdout);
	fputc('\n', stdout);
	free(pg);
	return 0;
}

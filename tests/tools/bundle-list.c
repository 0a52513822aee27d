/* SPDX-License-Identifier: MIT */
/*
 * bundle-list — print what the bundle reader makes of a bundle, one line
 * per entry ("ENTRY order rel_path kind size sha-prefix" or "REFUSED msg"
 * or "STOP msg"), for tests and debugging.  Reads every byte.
 *
 *   bundle-list BUNDLE [MAX_ENTRY_SIZE [MAX_RATIO [MAX_ENTRIES]]]
 */
#include <stdio.h>
#include <stdlib.h>

#include "casefile/bundle.h"
#include "casefile/hash.h"

int
main(int argc, char **argv)
{
	struct bundle *b = NULL;
	struct bundle_entry e;
	struct bundle_limits lim;
	struct cf_err err = CF_ERR_INIT;
	static char buf[65536];
	int r;

	if (argc < 2)
		return 2;
	bundle_limits_init(&lim);
	if (argc > 2)
		lim.max_entry_size = strtoull(argv[2], NULL, 10);
	if (argc > 3)
		lim.max_ratio = strtod(argv[3], NULL);
	if (argc > 4)
		lim.max_entries = strtoull(argv[4], NULL, 10);
	if (bundle_open(argv[1], NULL, &lim, &b, &err) < 0) {
		printf("OPENFAIL %d %s\n", err.code, err.msg);
		return 1;
	}
	while ((r = bundle_next(b, &e, &err)) != 0) {
		unsigned long long n = 0;
		ssize_t k;

		if (r < 0) {
			printf("%s %s\n", err.code == CF_EINPUT ? "REFUSED" : "STOP", err.msg);
			cf_err_release(&err);
			continue;
		}
		while ((k = bundle_read(b, buf, sizeof(buf), &err)) > 0)
			n += (unsigned long long)k;
		if (k < 0) {
			printf("%s %s\n", bundle_entry_status(b) == BUNDLE_ENTRY_REFUSED ?
			       "REFUSED" : "STOP", err.msg);
			cf_err_release(&err);
			continue;
		}
		printf("ENTRY %s %s %s %lld %llu\n", e.order_id, e.rel_path,
		       e.kind ? e.kind : "-", (long long)e.size, n);
	}
	printf("END ignored=%lu wrapper=%s\n", bundle_ignored(b),
	       bundle_wrapper_date(b) ? bundle_wrapper_date(b) : "-");
	bundle_close(b);
	return 0;
}

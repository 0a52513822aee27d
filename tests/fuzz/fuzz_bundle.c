/* SPDX-License-Identifier: MIT */
/*
 * fuzz_bundle — libFuzzer harness: the bytes are an archive (any format the
 * bundle reader accepts); open it, walk every entry, read every byte.
 * Small limits so a bomb costs little.  Invariants checked: accepted
 * entries have a valid order id and a relative, dot-free, UTF-8 rel_path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "casefile/bundle.h"
#include "casefile/ingest.h"
#include "casefile/order_id.h"
#include "casefile/textenc.h"

/* 1 when p has an empty, "." or ".." component, or is absolute. */
static int
bad_path(const char *p)
{
	const char *c = p, *end;
	size_t n;

	if (*p == '/')
		return 1;
	for (;;) {
		end = strchr(c, '/');
		n = end ? (size_t)(end - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return 1;
		if (!end)
			return 0;
		c = end + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[65536];
	struct bundle_limits lim = { 1 << 20, 50.0, 2000 };
	struct bundle *b = NULL;
	struct bundle_entry e;
	struct cf_err err = CF_ERR_INIT;
	char path[64];
	int fd, r, n = 0;

	fd = memfd_create("fuzz_bundle", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (bundle_open(path, NULL, &lim, &b, &err) == 0) {
		while ((r = bundle_next(b, &e, &err)) != 0 && n++ < 4000) {
			if (r < 0) {
				cf_err_release(&err);
				continue;
			}
			/*
			 * A name that was not UTF-8 is shown decoded or with
			 * \xNN escapes (name_note set): still valid UTF-8.
			 */
			if (!order_id_valid(e.order_id) || bad_path(e.rel_path) ||
			    bad_path(e.path) ||
			    textenc_utf8_check(e.rel_path, strlen(e.rel_path), NULL) != 0 ||
			    (e.name_note == NULL &&
			     bundle_name_problem(e.rel_path, strlen(e.rel_path)) != NULL))
				abort();
			while (bundle_read(b, buf, sizeof(buf), &err) > 0)
				;
			cf_err_release(&err);
		}
		bundle_close(b);
	}
	cf_err_release(&err);
	close(fd);
	return 0;
}

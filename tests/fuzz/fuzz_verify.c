/* SPDX-License-Identifier: MIT */
/*
 * fuzz_verify — libFuzzer harness for `casefile verify`: arbitrary bytes as
 * a signed PDF, through every check (ByteRange, the CMS in the hole, the
 * timestamp token, the embedded manifest.json and attachments).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "casefile/proofs.h"
#include "casefile/verify.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	static const verify_hook_fn hooks[] = { proofs_verify_hook, NULL };
	struct verify_opts o = { NULL, NULL, NULL, 1700000000, hooks };
	struct verify_report r;
	struct cf_err err = CF_ERR_INIT;
	FILE *f;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/fuzz_verify.%ld.pdf", (long)getpid());
	if ((f = fopen(path, "wb")) == NULL)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	verify_report_init(&r);
	verify_file(path, &o, &r, &err);
	cf_err_release(&err);
	verify_report_release(&r);
	unlink(path);
	return 0;
}

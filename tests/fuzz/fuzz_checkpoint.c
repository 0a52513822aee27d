/* SPDX-License-Identifier: MIT */
/*
 * fuzz_checkpoint — libFuzzer harness for the checkpoint (signed note)
 * parser and the base64 decoder.  Invariants checked: a parsed checkpoint
 * re-encodes to the same text; verification of any parsed input with a
 * fixed key fails cleanly (nobody can forge it); decoded base64 re-encodes
 * to its input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/base64.h"
#include "casefile/checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static EVP_PKEY *key;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_err err = CF_ERR_INIT;
	struct checkpoint cp;
	struct cf_buf b = CF_BUF_INIT, e = CF_BUF_INIT;

	if (key == NULL)
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	if (checkpoint_parse((const char *)data, size, &cp, &err) == 0) {
		checkpoint_text(cp.origin, cp.size, cp.root, &b);
		/* The first three lines are exactly what we would write. */
		if (b.len > cp.text_len || memcmp(b.data, data, b.len) != 0)
			abort();
		if (checkpoint_verify(&cp, (const char *)data, size, key, &err) == 0)
			abort();
		checkpoint_release(&cp);
	}
	cf_err_release(&err);
	cf_buf_reset(&b);
	if (base64_decode((const char *)data, size, &b) == 0) {
		base64_encode(b.data, b.len, &e);
		if (e.len != size || memcmp(e.data, data, size) != 0)
			abort();
	}
	cf_buf_release(&b);
	cf_buf_release(&e);
	return 0;
}

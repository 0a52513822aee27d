/* SPDX-License-Identifier: MIT */
/*
 * fuzz_proofs — libFuzzer harness for the proofs.json reader
 * (proofs_verify_json: JSON, hex, base64, checkpoints, RFC 3161 tokens,
 * inclusion proofs).  Invariant checked: the report is consistent with the
 * verdict, and nothing crashes or leaks.
 */
#include <stdint.h>
#include <stdlib.h>

#include "casefile/proofs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cf_err err = CF_ERR_INIT;
	struct proofs_report rep;
	int rc;

	rc = proofs_verify_json((const char *)data, size, NULL, &rep, &err);
	if (rc == 0 && rep.nfailed != 0)
		abort();
	if (rc < 0 && err.code == CF_EVERIFY && rep.nfailed == 0)
		abort();
	proofs_report_release(&rep);
	cf_err_release(&err);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * audit — check a whole vault against itself, in hashdeep's spirit:
 *
 *  objects   every objects row: the file exists, has the recorded size and
 *            (unless AUDIT_FAST) hashes to its name — hashed in parallel
 *            threads; files in objects/ that no row names are "unexpected"
 *  rows      evidence rows whose object row or file is missing
 *  ledger    every leaf recomputed from its evidence row (the canonical
 *            record of ledger.h) and compared with the stored leaf; leaf
 *            indexes without a row (a deleted row) and rows without a leaf;
 *            every stored tree node recomputed from the leaves
 *  facts     (unless AUDIT_QUICK or AUDIT_FAST) every evidence row's parsed
 *            rows equal a re-parse of its sealed original (rederive.h);
 *            parsed rows whose evidence row does not exist
 *  disputes  every dispute record and event equals its sealed annotation
 *            leaf (dispute_check_sealed)
 *  heads     each head's root equals the recomputed root at its size and
 *            the root in its checkpoint; the checkpoint signature (with the
 *            vault's public key); the timestamp token over the checkpoint;
 *            the stored consistency proof from the previous head, and that
 *            the chain of heads has no gap
 *
 * A finding is data, not an error: audit_run() returns 0 having filled the
 * report with every problem it found, and -1 only when it could not run.
 */
#ifndef CASEFILE_AUDIT_H
#define CASEFILE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "casefile/err.h"

struct vault;

enum audit_flags {
	AUDIT_FAST = 1 << 0,	/* sizes instead of hashes; ledger still checked;
				   no content is read, so no re-parse either */
	AUDIT_QUICK = 1 << 1,	/* hashes, ledger, disputes, but no re-parse */
};

enum audit_kind {
	AUDIT_MISSING,		/* object file missing */
	AUDIT_CHANGED,		/* object file size or content differs */
	AUDIT_UNREADABLE,	/* object file cannot be read */
	AUDIT_UNEXPECTED,	/* file in objects/ that no row names */
	AUDIT_ROW_NO_OBJECT,	/* evidence row whose object is gone */
	AUDIT_LEAF,		/* ledger leaf / node / row mismatch */
	AUDIT_HEAD,		/* tree head fails a check */
	AUDIT_FACTS,		/* parsed rows differ from a re-parse of the original */
	AUDIT_DISPUTE,		/* dispute record/event differs from its sealed leaf */
};

struct audit_problem {
	enum audit_kind kind;
	char *subject;		/* "object 3fa2…", "leaf 17", "head 120" */
	char *detail;		/* what is wrong */
};

struct audit_report {
	int fast;
	uint64_t objects, matched, missing, changed, unreadable, unexpected;
	uint64_t bytes;			/* bytes hashed (or sized) */
	uint64_t rows, rows_no_object;
	uint64_t leaves, leaves_bad;
	uint64_t heads, heads_bad;
	int reparsed;			/* 0 with AUDIT_QUICK / AUDIT_FAST */
	uint64_t facts, facts_bad;	/* evidence rows re-parsed, differing */
	uint64_t disputes_bad;		/* dispute findings */
	struct audit_problem *problems;
	size_t nproblems;
};

/* "missing", "changed", ... (static). */
const char *audit_kind_name(enum audit_kind k);

/*
 * Audit the vault v.  pub (may be NULL) verifies head signatures; without
 * it every head is reported as unverifiable.  threads is the number of
 * hashing threads (0 = 2).  *rep is the caller's (audit_report_release).
 * Returns 0 when the audit ran (rep->nproblems says the verdict), -1 with
 * err when it could not (database unreadable, objects/ unreadable).
 */
int audit_run(struct vault *v, EVP_PKEY *pub, unsigned flags, unsigned threads,
	      struct audit_report *rep, struct cf_err *err);

void audit_report_release(struct audit_report *rep);

#endif

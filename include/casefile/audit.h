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
 *  kept      the checkpoints kept outside the database (kept.h) against
 *            the heads: audit_checkpoints()
 *
 * Files in objects/ named like an object but named by no row are the
 * leftovers of an interrupted ingest or import, not tampering: they are
 * counted as one notice (and each torn one named), not as problems;
 * audit_repair() removes them.
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
	AUDIT_CHECKPOINT,	/* kept checkpoint (kept.h) missing, changed or
				   not a head */
	/* Notices: reported, but not problems (the vault is intact). */
	AUDIT_INTERRUPTED,	/* objects no row names (an interrupted run) */
	AUDIT_TORN,		/* such an object cut short: it does not hash
				   to its name */
	AUDIT_NOTICE,		/* anything else worth saying */
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
	uint64_t interrupted, interrupted_bytes, torn;	/* notices */
	uint64_t kept, kept_bad;	/* kept checkpoints read / failing */
	struct audit_problem *problems;
	size_t nproblems;
	struct audit_problem *notices;	/* INTERRUPTED, TORN, NOTICE */
	size_t nnotices;
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

/*
 * The kept checkpoints (kept.h) against the heads, added to *rep (after
 * audit_run): every checkpoint kept in VAULT/checkpoints/ and, when mirror
 * is not NULL, in the mirror folder must be a head of the database, byte
 * for byte (token included), under its number; every head must be kept.
 * A kept checkpoint that is no head is also checked against the ledger (is
 * the tree still there, is the next head consistent with it, recomputed
 * from the ledger) to say what happened.  A vault with no head but kept
 * checkpoints is a problem; one whose ledger has leaves older than a day
 * and no head at all gets a notice (never sealed, or everything deleted).
 * VAULT/checkpoints/ missing: a problem when the vault keeps checkpoints
 * (meta "checkpoints.kept"), else (a vault from before them) it is created
 * with the existing heads and a notice says so.  A mirror that cannot be
 * read (not mounted) is a problem: audit cannot vouch for it.
 * Returns 0, or -1 when the database cannot be read.
 */
int audit_checkpoints(struct vault *v, EVP_PKEY *pub, const char *mirror,
		      int64_t now, struct audit_report *rep, struct cf_err *err);

/* What audit_repair() removed. */
struct audit_repair {
	uint64_t removed;	/* whole objects no row named */
	uint64_t torn;		/* of which cut short (did not hash to their name) */
	uint64_t bytes;
	uint64_t aborted;	/* an S3 store's uploads in progress, aborted */
	/* an S3 store's orphans that a retention keeps (not removed) */
	uint64_t kept, kept_bytes;
	char **kept_list;	/* "s3://B/KEY (retained until …)", nkept_list */
	size_t nkept_list;
};

/*
 * Remove the leftovers of interrupted runs from objects/: files named like
 * an object that no objects or evidence row names, whole or torn.  They are
 * removed, not recorded: which order and kind they belonged to is known
 * only to the run that stored them, and re-running it stores them again.
 * The caller must hold vault_lock_exclusive() (no other process has the
 * vault open, so no import is between storing an object and recording it);
 * the rows are read again under the database's write lock, and only files
 * named by no row are touched.  Files not named like objects are left for
 * a human.  A vault whose objects are in an S3 store: the store's objects no
 * row names and the temporary objects of uploads that did not finish
 * (objstore.h) are removed too, each version, and uploads in progress
 * aborted, unless a retention (Object
 * Lock) keeps it: those are counted and named in res->kept_list.  Returns 0,
 * or -1 with err (what was removed so far is in *res; release it either
 * way).
 */
int audit_repair(struct vault *v, struct audit_repair *res, struct cf_err *err);
/* Free what audit_repair() listed in *res (kept_list); accepts a zeroed one. */
void audit_repair_release(struct audit_repair *res);

#endif

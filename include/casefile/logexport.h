/* SPDX-License-Identifier: MIT */
/*
 * logexport — the ledger's history for an outside auditor (issue 17
 * item 3): `casefile log --export DIR` and `casefile log --check FILE`.
 *
 * Theory of operation (the export folder)
 * ---------------------------------------
 *   DIR/checkpoints/00000001.txt    the n-th tree head's signed checkpoint,
 *                                   byte for byte (C2SP tlog-checkpoint)
 *   DIR/checkpoints/00000001.tsr    its RFC 3161 token (DER), when it has one
 *   DIR/checkpoints/00000001.2.tsr  its further tokens (tsa.require, seal
 *                                   --timestamp), numbered from 2
 *   DIR/consistency/00000001-00000002.json
 *                                   RFC 9162 section 2.1.4 consistency proof
 *                                   from head 1 to head 2: {"size1","root1",
 *                                   "size2","root2","proof":[hex...]}
 *   DIR/heads.json                  every head, as `log --json` lists them
 *   DIR/cert.pem                    the vault certificate (and its chain)
 *   DIR/pubkey.pem                  the checkpoint verification key (SPKI)
 *   DIR/verifier-key.txt            the same as a C2SP signed-note verifier
 *                                   key line (checkpoint_verifier_key)
 * Every consistency proof is checked against the two heads' roots before
 * it is written.  DIR must not exist or be empty; nothing in the vault
 * changes.
 */
#ifndef CASEFILE_LOGEXPORT_H
#define CASEFILE_LOGEXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/db.h"

#include "casefile/err.h"
#include "casefile/hash.h"

struct log_export_stats {
	size_t heads, tokens, proofs;
};

/*
 * Write the export folder described above.  CF_EINPUT when dir exists and
 * is not empty, CF_ENOTFOUND when nothing was sealed or the vault has no
 * certificate, CF_EVERIFY when a stored consistency proof does not hold,
 * CF_EIO when writing failed.
 */
int log_export(struct cf_db *db, const char *vault_dir, const char *dir,
	       struct log_export_stats *st, struct cf_err *err);

struct log_check_result {
	uint64_t old_size, head_size;
	unsigned char old_root[CF_SHA256_LEN], head_root[CF_SHA256_LEN];
	unsigned char (*proof)[CF_SHA256_LEN];	/* malloc'd, RFC 9162 order */
	size_t nproof;
};

void log_check_result_release(struct log_check_result *r);

/*
 * Prove that the log extends an earlier checkpoint note[0..len) (kept by
 * an auditor, e.g. from an older dossier's proofs.json): it must be this
 * vault's (origin), signed by the vault key, no larger than the latest
 * head, and a consistency proof from it to the latest head must hold.
 * Returns 0 with *r filled; -1 with CF_EINPUT (not a checkpoint),
 * CF_EVERIFY (another vault, bad signature, a history that does not extend
 * it: the reason says which), CF_ENOTFOUND (nothing sealed).
 */
int log_check(struct cf_db *db, const char *vault_dir, const char *note, size_t len,
	      struct log_check_result *r, struct cf_err *err);

#endif

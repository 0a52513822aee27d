/* SPDX-License-Identifier: MIT */
/*
 * proofs — the proofs.json document attached to a dossier: for each
 * exhibit, its ledger leaf, the inclusion proof against a sealed tree head,
 * and that head as signed checkpoint plus RFC 3161 token; and the verifier
 * of such a document.
 *
 * proofs.json, format "casefile-proofs-1" (stable; UTF-8 JSON)
 * -------------------------------------------------------------
 *   {
 *     "format": "casefile-proofs-1",
 *     "log_origin": "casefile/<vault id>",
 *     "leaf_hash": "<how to recompute, in words (below)>",
 *     "exhibits": [ EXHIBIT, ... ],       -- in the order asked for
 *     "certificate": "<PEM>",             -- the vault certificate, and
 *     "verifier_key": "<C2SP line>"       -- its verifier key (when the
 *   }                                        vault has a key)
 *   EXHIBIT (sealed):
 *     "evidence_id"   integer, the vault's row id
 *     "order_id", "kind", "name"           strings, as in the leaf record
 *     "size"          integer, bytes
 *     "ingested_at"   integer, Unix seconds UTC
 *     "sha256"        hex SHA-256 of the original file
 *     "status"        "sealed"
 *     "leaf_index"    integer, 0-based position in the log
 *     "leaf_hash"     hex
 *     "tree_size"     integer, size of the head proved against
 *     "root_hash"     hex root of that head
 *     "inclusion_path" array of hex, leaf to root (RFC 9162 section 2.1.3)
 *     "checkpoint"    the signed checkpoint text, byte for byte (checkpoint.h)
 *     "checkpoint_timestamp"  base64 DER RFC 3161 token over the exact
 *                     checkpoint bytes, or null when sealed without a TSA
 *     "sealed_at"     ISO 8601 UTC seal time by the vault's clock
 *                     (informative; the token's genTime is the proof)
 *     "first_head"    {"tree_size","root_hash","checkpoint",
 *                     "checkpoint_timestamp"}: the head that first sealed
 *                     the exhibit (issue 17)
 *     "consistency_proof" array of hex: RFC 9162 section 2.1.4 from
 *                     first_head to the head above (empty when the same)
 *     "leaf_version", "name_raw_hex"   only for a version 3 leaf
 *                     (ledger.h): 3 and the name's raw bytes in hex
 *   EXHIBIT (not sealed yet): the same fields up to "sha256", "status":
 *     "not yet sealed", "leaf_index" (null when it has no leaf), "leaf_hash"
 *     (or null); no proof fields.
 *
 * Recomputing leaf_hash (the "leaf_hash" text in the document says it too):
 *   record = 0x01 || u32(len(order_id)) || order_id || u32(len(kind)) || kind
 *            || sha256 (32 raw bytes) || u64(size) || u32(len(name)) || name
 *            || i64(ingested_at)        -- big-endian, strings as UTF-8 bytes
 *   leaf_hash = SHA-256(0x00 || record)
 * Checking inclusion: RFC 9162 section 2.1.3.2 with leaf_index, tree_size,
 * leaf_hash and inclusion_path must give root_hash; the checkpoint's second
 * line is tree_size and its third line is base64(root_hash); the checkpoint
 * signature is by the vault key; the token's imprint is SHA-256 of the
 * checkpoint text (all of it, signature line included).
 */
#ifndef CASEFILE_PROOFS_H
#define CASEFILE_PROOFS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include "casefile/db.h"

#include "casefile/err.h"
#include "casefile/hash.h"

#define PROOFS_FORMAT "casefile-proofs-1"

/*
 * Build proofs.json for evidence rows ids[0..n), proved against the latest
 * tree head; rows whose leaf is beyond it (or that have none) are "not yet
 * sealed".  *json (NUL-terminated, *len bytes) is the caller's to free.
 * CF_ENOTFOUND when an id is not an evidence row; nothing allocated then.
 */
int proofs_json_new(struct cf_db *db, const int64_t *ids, size_t n, char **json,
		    size_t *len, struct cf_err *err);

/* The outcome for one exhibit of a checked document. */
struct proofs_item {
	char sha256[CF_SHA256_HEXLEN + 1];	/* as given (may be empty if bad) */
	char *name;		/* exhibit name, or NULL */
	int64_t leaf_index;	/* -1 when none */
	uint64_t tree_size;	/* 0 when not sealed */
	int sealed;		/* 0: "not yet sealed" (not a failure) */
	int ok;			/* 1: every check on it passed */
	int timestamped;	/* 1: a token was present and checked */
	int64_t sealed_at;	/* token genTime (UTC s), -1 when no token */
	char *problem;		/* first failed check, NULL when ok */
};

struct proofs_report {
	struct proofs_item *items;
	size_t n;
	size_t nfailed;
	size_t nunsealed;
};

void proofs_report_release(struct proofs_report *rep);

/*
 * Check a proofs.json document json[0..n) (outside bytes): per exhibit the
 * recomputed leaf hash, the inclusion proof against its root, that the
 * checkpoint states that size and root and comes from the document's
 * log_origin, its signature by pub (skipped when
 * pub is NULL — e.g. give X509_get0_pubkey(cert) of the vault certificate),
 * and the timestamp token (seal_token_check: imprint and token signature;
 * the TSA's chain is not judged here).  *rep is filled in every case but a
 * malformed document and is released by proofs_report_release().
 * Returns 0 when every sealed exhibit passed; -1 with CF_EVERIFY naming the
 * first failure, or CF_EINPUT when the document is not proofs.json.
 */
int proofs_verify_json(const char *json, size_t n, EVP_PKEY *pub,
		       struct proofs_report *rep, struct cf_err *err);

/*
 * A dossier_attach_fn (dossier.h) that attaches proofs.json for all of a
 * dossier's exhibits, in exhibit order, as the embedded file "proofs.json"
 * (application/json).  arg is the vault's database (struct cf_db *).  Wire it with
 *	o.attach_hook = proofs_dossier_attach;
 *	o.hook_arg = vault_db(v);
 * Returns 0, or -1 with err (CF_EVERIFY when a row no longer matches its
 * leaf: such a dossier must not be built).
 */
struct pdf;
struct exhibits;
int proofs_dossier_attach(void *arg, struct pdf *p, const struct exhibits *ex,
			  struct cf_err *err);

/*
 * The `casefile verify` check of a dossier's proofs (a verify_hook_fn,
 * which `casefile verify` passes in verify_opts.hooks).  Reads the attached
 * proofs.json (WARN "proofs" when there is none) and adds, per exhibit, "proof exhibit
 * N": PASS with the leaf, tree head and sealed time (the token's genTime in
 * UTC and China time) when the inclusion proof, the head's checkpoint
 * signature and its RFC 3161 token all check; WARN for "not yet sealed"
 * and for a head without a timestamp; FAIL naming the exhibit and the
 * failed check otherwise.  The heads' signatures are checked with the
 * vault's certificate when o->vault_dir is given (and has one), else with
 * the certificate of the dossier's own signature; the TSA's chain against
 * o->tsa_ca_file (or o->trust_file) when given.  Each proofs.json entry must
 * prove the file the manifest lists under the same number.
 */
struct verify_doc;
struct verify_opts;
struct verify_report;
void proofs_verify_hook(struct verify_doc *d, const struct verify_opts *o,
			struct verify_report *r);

#endif

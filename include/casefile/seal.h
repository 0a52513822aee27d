/* SPDX-License-Identifier: MIT */
/*
 * seal — closing the ledger at its current size: a signed tree head
 * (C2SP checkpoint, see checkpoint.h), an RFC 3161 timestamp token over the
 * exact checkpoint bytes, and the consistency proof from the previous head,
 * stored in the heads table (schema v2, see db.c).
 *
 * Invariants:
 *  - heads are append-only and strictly growing in tree_size; a head is
 *    written only after its consistency proof from the previous head has
 *    been verified against the previous head's stored root, so a ledger
 *    rewritten under an old head can never be sealed over.
 *  - heads.checkpoint holds the note byte for byte as signed; the token in
 *    heads.tst is over exactly those bytes (all of the note, signature
 *    lines included).
 *  - sealing with nothing new changes nothing.
 *
 * Timestamps: seal_run() calls opts->timestamp (default seal_timestamp_tsa,
 * the RFC 3161 client of tsa.h) when opts->tsa_url is set.  The vault key
 * comes from keys.h (keys_load_pass).
 */
#ifndef CASEFILE_SEAL_H
#define CASEFILE_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include "casefile/db.h"

#include "casefile/err.h"
#include "casefile/hash.h"

/* A further RFC 3161 token over a head's checkpoint (head_tokens). */
struct seal_token {
	unsigned char *tst;		/* DER */
	size_t len;
	char *tsa_url;			/* or NULL */
	int64_t added_at;		/* when it was stored (local clock) */
};

/* One stored tree head; caller-owned, freed with seal_head_release(). */
struct seal_head {
	uint64_t tree_size;
	unsigned char root[CF_SHA256_LEN];
	int64_t created_at;		/* UTC seconds, the sealing machine's clock */
	char *origin;
	char *checkpoint;		/* signed note, NUL-terminated */
	size_t checkpoint_len;
	unsigned char key_id[4];
	int has_key_id;
	unsigned char *tst;		/* DER RFC 3161 token, or NULL */
	size_t tst_len;
	char *tsa_url;			/* or NULL */
	uint64_t prev_size;		/* 0 for the first head */
	unsigned char (*consistency)[CF_SHA256_LEN];	/* from prev_size */
	size_t nconsistency;
	struct seal_token *extra;	/* tokens after the first (seal_head_tokens
					   fills them; seal_run for a new head) */
	size_t nextra;
	size_t stamped_now;		/* seal_run: tokens this run added to a head
					   sealed before (late timestamp) */
};

void seal_head_release(struct seal_head *h);

/*
 * Obtain an RFC 3161 token over data[0..n) from the TSA at url: *token is
 * malloc'd DER (free()), *len its size.  Returns 0 or -1 with err set.
 */
typedef int (*seal_timestamp_fn)(void *cookie, const char *url, const void *data,
				 size_t n, unsigned char **token, size_t *len,
				 struct cf_err *err);

/*
 * The TSA step of `casefile seal --tsa URL`: the RFC 3161 client of tsa.h
 * (tsa_timestamp).  cookie is NULL or a struct tsa_opts whose CA files and
 * timeout are used (its url is replaced by url).  CF_ENET when the TSA is
 * down, refuses or answers garbage.
 */
int seal_timestamp_tsa(void *cookie, const char *url, const void *data, size_t n,
		       unsigned char **token, size_t *len, struct cf_err *err);

struct seal_opts {
	EVP_PKEY *key;			/* the vault key (required) */
	const char *tsa_url;		/* NULL: no timestamp; "URL1,URL2,...":
					   tried in order */
	int tsa_require;		/* tokens from this many TSAs (different
					   signing keys) per head; 0 means 1 */
	int timestamp_again;		/* seal --timestamp: add tokens to the
					   latest head even when it has one */
	seal_timestamp_fn timestamp;	/* NULL: seal_timestamp_tsa */
	void *cookie;			/* for timestamp (seal_timestamp_tsa:
					   a struct tsa_opts or NULL) */
	int64_t now;			/* seal time (UTC seconds) */
	const char *kept_dir;		/* VAULT/checkpoints (kept.h), or NULL:
					   keep no copy (unit tests) */
	const char *mirror_dir;		/* seal.mirror: a second copy, or NULL */
};

/*
 * Seal: backfill leaves for evidence rows that have none (ledger_rebuild),
 * then, when the ledger grew since the last head, sign a checkpoint for the
 * current size, timestamp it (opts->tsa_url) and store the head with the
 * consistency proof from the previous head.  *sealed is 1 when a head was
 * written (then *head, which may be NULL, receives it), 0 when there was
 * nothing new (then *head receives the latest head, or tree_size 0 when the
 * ledger is empty).  *backfilled (may be NULL) gets the number of leaves
 * backfilled.  Two seals at once are safe: the one that finds another's
 * head stored first starts over (and usually finds nothing new).  On -1 no
 * head was written: CF_EVERIFY when the ledger no longer matches the
 * previous head, CF_ENET/CF_ECRYPTO/CF_EDB otherwise.
 *
 * TSAs: opts->tsa_url lists them; they are asked in order until
 * opts->tsa_require of them, each signing with another key, gave a good
 * token (CF_ENET naming each failure when fewer did; nothing stored).
 * The first token is heads.tst, the others head_tokens rows.  When nothing
 * is new but the latest head has no token (a TSA configured after it was
 * sealed), or opts->timestamp_again, the latest head gets its tokens now
 * (head->stamped_now says how many; its kept .tsr is written first, and a
 * kept .tsr left by an interrupted run is taken as its token).
 *
 * Kept checkpoints (kept.h), when opts->kept_dir is set: each new head's
 * checkpoint and token are written to kept_dir and to opts->mirror_dir
 * before the head row is committed; a head is stored only once both copies
 * are durable (a mirror that cannot be written fails the seal: CF_EIO).
 * Before sealing, the kept folders must agree with the heads table:
 *  - kept_dir missing and the vault never kept checkpoints (meta
 *    "checkpoints.kept" unset: a vault from before them): it is created and
 *    every existing head written to it (the upgrade);
 *  - one kept checkpoint more than there are heads: a seal was interrupted
 *    between writing it and committing its head; when the ledger still
 *    has exactly that tree and the vault key's signature holds, its head
 *    is stored (completing that seal) before anything new is sealed;
 *  - the mirror gets every kept checkpoint it lacks (one it holds must be
 *    byte-identical);
 *  - anything else (kept_dir deleted, more kept checkpoints than heads,
 *    a kept checkpoint that differs from its head): CF_EVERIFY, nothing
 *    sealed — `casefile audit` says what is wrong.
 */
int seal_run(struct cf_db *db, const struct seal_opts *opts, struct seal_head *head,
	     int *sealed, uint64_t *backfilled, struct cf_err *err);

/*
 * The kept-checkpoint folders of the vault in vault_dir whose database is
 * db, for seal_opts: *kept = "VAULT/checkpoints", *mirror = the setting
 * seal.mirror or NULL.  Both malloc'd (free()).  Every seal of a real vault
 * must pass them: a head stored without its kept copy fails the audit.
 */
void seal_kept_dirs(struct cf_db *db, const char *vault_dir, char **kept, char **mirror);

/*
 * Create dir (kept.h) and keep heads[0..n) in it as checkpoints 1..n: the
 * upgrade of a vault from before kept checkpoints.  Returns 0 or -1.
 */
int seal_kept_backfill(const char *dir, const struct seal_head *heads, size_t n,
		       struct cf_err *err);

/*
 * Copy the checkpoints kept in kept_dir into mirror (a folder that becomes
 * seal.mirror): those it lacks are written, those it has must be identical.
 * Nothing kept yet: nothing to do.  Returns 0, or -1 with CF_EVERIFY when
 * mirror holds other checkpoints (another vault's folder), CF_EIO.
 */
int seal_kept_mirror(const char *kept_dir, const char *mirror, struct cf_err *err);

/* The checkpoint origin of this vault: "casefile/<vault id>"; caller frees. */
int seal_origin(struct cf_db *db, char **origin, struct cf_err *err);

/*
 * All heads, ascending by size: *heads is a malloc'd array of *n (free with
 * seal_heads_free).  Returns 0 or -1.
 */
int seal_heads(struct cf_db *db, struct seal_head **heads, size_t *n, struct cf_err *err);
void seal_heads_free(struct seal_head *heads, size_t n);

/*
 * The latest head (*found = 1), or *found = 0 when nothing was sealed.
 * If min_size > 0, the first head with tree_size >= min_size instead.
 */
int seal_head_find(struct cf_db *db, uint64_t min_size, struct seal_head *head, int *found,
		   struct cf_err *err);

/*
 * Check an RFC 3161 token (DER ContentInfo/SignedData) against the bytes it
 * claims to timestamp: the CMS signature by the certificate embedded in the
 * token, and a SHA-256 message imprint equal to SHA-256(data).  The TSA's
 * certificate chain is NOT judged here (that is `verify --trust` /
 * `openssl ts -verify`).  *gen_time (may be NULL) gets the token's time.
 * Returns 0 or -1 with CF_EVERIFY (or CF_EINPUT when it is not a token).
 */
int seal_token_check(const unsigned char *token, size_t len, const void *data,
		     size_t n, int64_t *gen_time, struct cf_err *err);

/*
 * Fill head->extra/nextra with the head's further tokens (head_tokens, in
 * the order obtained).  Returns 0 or -1 (CF_EDB).
 */
int seal_head_tokens(struct cf_db *db, struct seal_head *head, struct cf_err *err);

#endif

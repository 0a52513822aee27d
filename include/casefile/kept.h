/* SPDX-License-Identifier: MIT */
/*
 * kept — every signed checkpoint, kept again outside the database, in a
 * folder only ever appended to: VAULT/checkpoints/ and, when the vault
 * setting seal.mirror names one, a second folder on another disk or share.
 *
 * Why: the heads table lives in the same SQLite file as the evidence, so
 * whoever can delete evidence rows can delete the heads that sealed them,
 * and a fresh seal then makes the shortened history look original.  A copy
 * of each checkpoint the database does not own (and, with a mirror, one
 * the vault's disk does not hold) makes that truncation visible: `casefile
 * audit` requires every kept checkpoint to be a head, byte for byte, or at
 * least a tree that the ledger still extends.
 *
 * Theory of operation (on-disk layout)
 * ------------------------------------
 *   DIR/00000001.txt   the 1st head's checkpoint, exactly the signed note
 *                      bytes of heads.checkpoint (checkpoint.h)
 *   DIR/00000001.tsr   its RFC 3161 token (DER), only when it has one
 *   DIR/00000001-H.tsr each further token of that head (tsa.require > 1,
 *                      another TSA), H the first 16 hex digits of the
 *                      token's SHA-256 (content-named: no order to keep)
 *   DIR/00000002.txt   the 2nd head (ascending tree size), and so on
 * Numbers are decimal, zero-padded to 8 digits (longer when they outgrow
 * them), and run 1, 2, 3 … without gaps: the n-th file is the n-th head.
 *
 * Invariants:
 *  - a file is written once and never rewritten: it is written to a
 *    temporary name (".tmp-<pid>-<name>", O_EXCL, mode 0444), fsynced,
 *    then linked under its final name (which fails when the name exists,
 *    like O_EXCL), and the folder is fsynced; where the file system has no
 *    hard links it is created under its final name with O_EXCL instead;
 *  - seal writes a head's files (the .tsr first, then the .txt) before it
 *    commits the head row, so a committed head always has its kept copy;
 *    a crash in between leaves one checkpoint that is not (yet) a head,
 *    which the next seal completes (seal.h);
 *  - a .tsr without its .txt is the leftover of such a crash and is the
 *    only file that may be replaced.
 */
#ifndef CASEFILE_KEPT_H
#define CASEFILE_KEPT_H

#include <stddef.h>
#include <stdint.h>

#include "casefile/err.h"

/* The vault's own folder, relative to the vault. */
#define KEPT_DIR "checkpoints"
/* meta key set once a vault keeps its checkpoints (init, first seal). */
#define KEPT_META "checkpoints.kept"

/* One kept checkpoint, as read back. */
struct kept_file {
	uint64_t number;
	char *note;			/* file bytes, NUL-terminated */
	size_t note_len;
	unsigned char *tst;		/* the .tsr bytes, or NULL */
	size_t tst_len;
	int64_t mtime;			/* the .txt's modification time */
};

/* "00000001.txt" (ext "txt") or "00000001.tsr"; caller frees. */
char *kept_name(uint64_t number, const char *ext);

/*
 * Read every kept checkpoint of dir, ascending by number: *files is a
 * malloc'd array of *n (kept_files_free).  Files other than NUMBER.txt and
 * NUMBER.tsr are ignored; files over 1 MiB are read as their first 1 MiB.
 * Returns 0; -1 with CF_ENOTFOUND when dir does not exist, CF_EIO when it
 * cannot be read (then nothing is allocated).
 */
int kept_read(const char *dir, struct kept_file **files, size_t *n,
	      struct cf_err *err);
void kept_files_free(struct kept_file *files, size_t n);

/*
 * Keep checkpoint number `number` (note[0..len), token tst[0..tst_len) or
 * NULL) in dir, durably (see the invariants).  When the file exists with
 * exactly these bytes, nothing is written and 0 is returned.  Returns -1
 * with CF_EVERIFY when dir already holds another checkpoint under that
 * number (nothing changed), CF_EIO when writing failed (a temporary file
 * may be left only if removing it failed too).
 */
int kept_write(const char *dir, uint64_t number, const char *note, size_t len,
	       const unsigned char *tst, size_t tst_len, struct cf_err *err);

/* Create dir (when missing) and make its name durable.  0 or -1 (CF_EIO). */
int kept_mkdir(const char *dir, struct cf_err *err);

/*
 * Give the kept checkpoint `number`, kept without a token, its first token
 * (a head timestamped after it was sealed: `casefile seal` once a TSA is
 * set).  Write-once like kept_write: 0 when the .tsr is created or holds
 * exactly these bytes; CF_EVERIFY when the .txt is missing or the .tsr
 * holds another token; CF_EIO when writing failed.
 */
int kept_add_token(const char *dir, uint64_t number, const unsigned char *tst,
		   size_t tst_len, struct cf_err *err);

/*
 * Further tokens of checkpoint `number` (head_tokens rows): NUMBER-H.tsr
 * (kept_extra_name, caller frees).  kept_add_extra writes one once (0 when
 * it exists with these bytes; CF_EVERIFY other bytes; CF_EIO).
 * kept_check_extra: 0 when it is kept with exactly these bytes, else
 * CF_ENOTFOUND (missing) or CF_EVERIFY (different), CF_EIO.
 */
char *kept_extra_name(uint64_t number, const unsigned char *tst, size_t tst_len);
int kept_add_extra(const char *dir, uint64_t number, const unsigned char *tst,
		   size_t tst_len, struct cf_err *err);
int kept_check_extra(const char *dir, uint64_t number, const unsigned char *tst,
		     size_t tst_len, struct cf_err *err);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * tmpdir — the folder for temporary files outside a vault: $TMPDIR when set
 * and non-empty, else /tmp.  main() reads the environment once and hands it
 * over with cf_tmpdir_set(); no module below cli reads it (README,
 * Development).
 */
#ifndef CASEFILE_TMPDIR_H
#define CASEFILE_TMPDIR_H

/* dir is borrowed (the environment's string); NULL or "" means /tmp. */
void cf_tmpdir_set(const char *dir);
/* The folder: never NULL. */
const char *cf_tmpdir(void);

#endif

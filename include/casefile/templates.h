/* SPDX-License-Identifier: MIT */
/*
 * templates — where the editable text files (profiles, checklists, statement
 * templates) are found.
 *
 * The templates directory is, in order:
 *   1. $CASEFILE_TEMPLATES when set and non-empty;
 *   2. templates/ next to the running binary (the source tree: ./casefile
 *      is built at the top of the checkout, beside templates/);
 *   3. CASEFILE_DATADIR/templates (the installed copy, `make install`).
 * The first that exists as a directory wins.
 */
#ifndef CASEFILE_TEMPLATES_H
#define CASEFILE_TEMPLATES_H

#include "casefile/err.h"

/*
 * The templates directory as above.  Returns a malloc'd path (caller frees),
 * or NULL with CF_ENOTFOUND naming the places looked at.
 */
char *templates_dir_new(struct cf_err *err);

/*
 * "DIR/rel" for an existing regular file rel under the templates directory.
 * Returns a malloc'd path, or NULL with CF_ENOTFOUND ("template
 * 'profiles/x.conf' not found in '/…/templates'").
 */
char *templates_path_new(const char *rel, struct cf_err *err);

#endif

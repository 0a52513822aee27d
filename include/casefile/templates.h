/* SPDX-License-Identifier: MIT */
/*
 * templates — where the editable text files (profiles, checklists, statement
 * templates) are found, and the language templates read from them.
 *
 * The templates directory is, in order:
 *   1. $CASEFILE_TEMPLATES when set and non-empty (main() reads it once and
 *      hands it over with templates_set_env(); this module never reads the
 *      environment);
 *   2. templates/ next to the running binary (the source tree: ./casefile
 *      is built at the top of the checkout, beside templates/);
 *   3. CASEFILE_DATADIR/templates (the installed copy, `make install`).
 * The first that exists as a directory wins.
 *
 * Language templates live in one readable UTF-8 file per language
 * (templates/zh-CN.txt, templates/en.txt): "key = value" lines for the
 * dossier's strings (a value may use \n for a line break and \s for a
 * space that trimming would drop), and "[statement SCENARIO]" blocks
 * holding each scenario's statement with {placeholders} for the order's
 * facts; {ex_KIND} lists the exhibits of one kind and {ex_KIND+KIND} of
 * several, in exhibit order (statement.h fills them).
 */
#ifndef CASEFILE_TEMPLATES_H
#define CASEFILE_TEMPLATES_H

#include "casefile/err.h"

struct templates;

/*
 * The folder $CASEFILE_TEMPLATES names (NULL or "": unset), for the search
 * above.  main() calls it once, before any command runs; tests call it
 * instead of setenv.  dir is borrowed and must outlive its use (main passes
 * the environment's own string).
 */
void templates_set_env(const char *dir);

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

/*
 * Load the templates of lang ("zh", "zh-CN", "en") from dir (NULL: the
 * search order above).  Fails with CF_ENOTFOUND naming the file, or
 * CF_EINPUT with "file: line N: ..." for a malformed line.
 * *out is freed with templates_free().
 */
int templates_load(const char *dir, const char *lang, struct templates **out,
		   struct cf_err *err);
void templates_free(struct templates *t);
/* A string by key; the key itself when missing (never NULL).  Borrowed. */
const char *templates_get(const struct templates *t, const char *key);
/* The statement template of a scenario, or NULL.  Borrowed. */
const char *templates_statement(const struct templates *t,
				const char *scenario);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * who — the person and machine a run acts for, as the audit trail names
 * them (ingested evidence, dispute events).  One rule for every row:
 *
 *   user  the password database's name for the real uid (what the system
 *         vouches for; $USER may be stale under su or sudo), else $USER
 *         when set and non-empty, else "unknown";
 *   host  gethostname(), else "unknown".
 *
 * main() reads them once into struct cf_ctx (ctx.h); commands pass them
 * down.  Modules that need a default (tests, tools) call the same functions.
 */
#ifndef CASEFILE_WHO_H
#define CASEFILE_WHO_H

/*
 * The user name by the rule above; env_user is $USER as the caller read it
 * (main: once, into the context), or NULL.  Malloc'd: caller frees.
 */
char *who_user_new(const char *env_user);
/* The host name.  Malloc'd: caller frees. */
char *who_host_new(void);

#endif

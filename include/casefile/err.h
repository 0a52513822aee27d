/* SPDX-License-Identifier: MIT */
/*
 * err — the one error type of casefile.
 *
 * A fallible function returns 0 on success or -1 on failure and fills the
 * caller's struct cf_err.  Modules never print and never exit: only main.c
 * and the cmd_*.c files turn an error into a message and an exit code.
 *
 * The setters return -1 so a failure reads as one statement:
 *
 *	return cf_err_errno(err, CF_EIO, "cannot open '%s'", path);
 *
 * Invariants:
 *  - err may be NULL everywhere: the error is then dropped.
 *  - msg is heap-allocated (never truncated), owned by the struct, and freed
 *    by cf_err_release() or replaced by the next setter.
 *  - messages are lowercase, without a trailing period, and name the exact
 *    subject: "cannot read 'chat.json': line 17, column 3: expected ','".
 */
#ifndef CASEFILE_ERR_H
#define CASEFILE_ERR_H

#include <stdarg.h>

enum cf_status {
	CF_OK = 0,
	CF_EINPUT,	/* the input is bad: user's data, options, files */
	CF_EIO,		/* the system failed: read/write/fsync/permissions */
	CF_EDB,		/* SQLite failed */
	CF_ECRYPTO,	/* OpenSSL failed */
	CF_EPDF,	/* libharu or PDF structure */
	CF_EARCHIVE,	/* libarchive */
	CF_EVERIFY,	/* a check found a problem */
	CF_ENOTFOUND,	/* the thing asked for does not exist */
	CF_ENET,	/* network / remote service (TSA) */
};

struct cf_err {
	enum cf_status code;
	int sys_errno;	/* errno at the time of cf_err_errno(), else 0 */
	char *msg;	/* heap, NULL when code == CF_OK */
};

#define CF_ERR_INIT { CF_OK, 0, NULL }

/* Record code and a formatted message; returns -1. */
int cf_err_set(struct cf_err *err, enum cf_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int cf_err_vset(struct cf_err *err, enum cf_status code, const char *fmt,
		va_list ap) __attribute__((format(printf, 3, 0)));

/* Like cf_err_set, appending ": strerror(errno)"; keeps errno in sys_errno. */
int cf_err_errno(struct cf_err *err, enum cf_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Like cf_err_set with code CF_ECRYPTO, appending the reason of the newest
 * entry of the OpenSSL error queue (if any) and clearing the queue.
 */
int cf_err_ssl(struct cf_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prepend "<prefix>: " to an error already set (no-op when none is set). */
void cf_err_prefix(struct cf_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Free the message and reset to CF_OK.  Accepts NULL. */
void cf_err_release(struct cf_err *err);

/* Move src's error into dst (releasing dst's); src is reset. */
void cf_err_move(struct cf_err *dst, struct cf_err *src);

/* Abort with file:line: for broken invariants only, never for input. */
#define CF_BUG(...) cf_bug(__FILE__, __LINE__, __VA_ARGS__)
void cf_bug(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

#endif

/* SPDX-License-Identifier: MIT */
/*
 * buf — a growable byte buffer, always NUL-terminated.
 *
 * Invariants: data is never NULL after cf_buf_init() or CF_BUF_INIT (it points
 * at a shared empty string until the first append); data[len] == '\0'; the
 * buffer may hold NUL bytes (len is the truth, not strlen).
 * Growth aborts on out-of-memory (see xalloc.h).
 */
#ifndef CASEFILE_BUF_H
#define CASEFILE_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "casefile/err.h"

struct cf_buf {
	char *data;
	size_t len;
	size_t cap;	/* 0 while data points at the shared empty string */
};

extern char cf_buf_empty[];
#define CF_BUF_INIT { cf_buf_empty, 0, 0 }

void cf_buf_init(struct cf_buf *b);
/* Free the storage; the buffer is empty and reusable afterwards. */
void cf_buf_release(struct cf_buf *b);
/* Make room for at least n more bytes. */
void cf_buf_grow(struct cf_buf *b, size_t n);
void cf_buf_reset(struct cf_buf *b);
void cf_buf_add(struct cf_buf *b, const void *p, size_t n);
void cf_buf_addstr(struct cf_buf *b, const char *s);
void cf_buf_addch(struct cf_buf *b, int c);
void cf_buf_addf(struct cf_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cf_buf_vaddf(struct cf_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/*
 * Append a JSON string literal (quotes included) for UTF-8 text s[0..n):
 * ", \ and \n \r \t escaped by name, other bytes below 0x20 as \u00xx
 * (lowercase), everything else as is.  The canonical encoding of sealed
 * bytes (ledger_payload_from_row: its output is hashed into annotation
 * leaves, so it must never change; test_ledger pins it).  Any other JSON
 * is built with jansson (jout.h).
 */
void cf_buf_add_json_str(struct cf_buf *b, const char *s, size_t n);
/*
 * Append the whole file at path to b, reading at most max bytes (the small
 * text files merchants edit or name: profiles, checklists, templates,
 * statements).  what names the file's role in messages, or NULL:
 * "cannot open profile 'x.conf': No such file or directory", "cannot read
 * …", "profile 'x.conf': larger than 1 MiB".  Open and read failures have
 * code (CF_EIO for casefile's own files, CF_EINPUT for a file the user
 * named) and err->sys_errno set; too large is CF_EINPUT.  Returns 0 or -1;
 * b may hold part of the file on failure (the caller releases it).
 */
int cf_buf_read_file(struct cf_buf *b, const char *path, const char *what,
		     size_t max, enum cf_status code, struct cf_err *err);
/*
 * Open path for reading without ever blocking in open() (O_NONBLOCK: a FIFO
 * named where a file is expected), and refuse what is not a regular file
 * ("cannot read statement 'x': a FIFO, not a regular file").  flags are
 * added to O_RDONLY (O_NOFOLLOW, say).  Failures have code (and sys_errno
 * when the system said why).  Returns the descriptor, in blocking mode, or
 * -1.  cf_buf_read_file() opens through it.
 */
int cf_open_regular(const char *path, int flags, const char *what,
		    enum cf_status code, struct cf_err *err);
/*
 * Hand the storage to the caller (free() it) and reset the buffer.
 * Never returns NULL; *len_out (when not NULL) gets the length.
 */
char *cf_buf_detach(struct cf_buf *b, size_t *len_out);

#endif

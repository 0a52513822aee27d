/* SPDX-License-Identifier: MIT */
/*
 * xalloc — allocation that never returns NULL.
 *
 * Policy: casefile does not propagate ENOMEM.  Every allocation goes through
 * these wrappers, which print "casefile: out of memory" and exit with
 * CF_EXIT_INTERNAL (5) when the system cannot satisfy the request.  This keeps
 * every other function's error paths about the errors a user can act on.
 * Memory returned by these functions is freed with free().
 */
#ifndef CASEFILE_XALLOC_H
#define CASEFILE_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* realloc of nmemb * size bytes; aborts on multiplication overflow. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
/* n bytes at an address that is a multiple of align (a power of two). */
void *xmemalign(size_t align, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A copy of n bytes with a NUL appended (n + 1 bytes allocated). */
void *xmemdup(const void *p, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif

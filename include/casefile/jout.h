/* SPDX-License-Identifier: MIT */
/*
 * jout — the --json output of the commands, built with jansson.
 *
 * Every JSON document a command prints is a json_t built with these
 * helpers and json_pack(), then written by jout_print(): so it is valid
 * JSON whatever bytes the user gave (quotes, backslashes, control
 * characters, newlines, bytes that are not UTF-8).
 *
 * Strings: JSON strings are Unicode, the vault's names are bytes.  Bytes
 * that are not UTF-8 are written as U+FFFD, one per bad byte; every other
 * character is kept (escaped by jansson where JSON wants it).
 */
#ifndef CASEFILE_JOUT_H
#define CASEFILE_JOUT_H

#include <stddef.h>

#include <jansson.h>

/* An integer argument of json_pack's "I". */
#define JI(x) ((json_int_t)(x))

/* A new JSON string of s (json null when s is NULL). */
json_t *jout_str(const char *s);
/* The same for n bytes that may hold NUL. */
json_t *jout_strn(const char *s, size_t n);
/* A new JSON integer, or null when is_null. */
json_t *jout_int_or_null(long long v, int is_null);
/* A real with at most `decimals` digits after the point (seconds: 3). */
json_t *jout_real(double v, int decimals);

/* Set key on obj (stealing v); returns obj for chaining. */
json_t *jout_set(json_t *obj, const char *key, json_t *v);

/*
 * Write v as one compact line on stdout and release it (v may be NULL: a
 * json_pack that failed is a bug and aborts).
 */
void jout_print(json_t *v);
/* The same into a new heap string (no newline); free() it. */
char *jout_dumps(json_t *v);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * err — setters for struct cf_err, and the OpenSSL error-queue adapter.
 * The SQLite adapter lives in db.c, the libarchive one in bundle.c, the
 * libharu one in pdf.c: each beside the only code that calls the library.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "casefile/err.h"
#include "casefile/xalloc.h"

int
cf_err_vset(struct cf_err *err, enum cf_status code, const char *fmt, va_list ap)
{
	if (err == NULL)
		return -1;
	free(err->msg);
	err->code = code;
	err->sys_errno = 0;
	err->msg = xvasprintf(fmt, ap);
	return -1;
}

int
cf_err_set(struct cf_err *err, enum cf_status code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cf_err_vset(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int
cf_err_errno(struct cf_err *err, enum cf_status code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	char *head;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	head = xvasprintf(fmt, ap);
	va_end(ap);
	cf_err_set(err, code, "%s: %s", head, strerror(saved));
	err->sys_errno = saved;
	free(head);
	errno = saved;
	return -1;
}

int
cf_err_ssl(struct cf_err *err, const char *fmt, ...)
{
	unsigned long e, last = 0;
	char reason[256];
	va_list ap;
	char *head;

	while ((e = ERR_get_error()) != 0)
		last = e;
	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	head = xvasprintf(fmt, ap);
	va_end(ap);
	if (last != 0) {
		ERR_error_string_n(last, reason, sizeof(reason));
		cf_err_set(err, CF_ECRYPTO, "%s: %s", head, reason);
	} else {
		cf_err_set(err, CF_ECRYPTO, "%s", head);
	}
	free(head);
	return -1;
}

void
cf_err_prefix(struct cf_err *err, const char *fmt, ...)
{
	va_list ap;
	char *head, *msg;

	if (err == NULL || err->code == CF_OK)
		return;
	va_start(ap, fmt);
	head = xvasprintf(fmt, ap);
	va_end(ap);
	msg = xasprintf("%s: %s", head, err->msg ? err->msg : "error");
	free(head);
	free(err->msg);
	err->msg = msg;
}

void
cf_err_release(struct cf_err *err)
{
	if (err == NULL)
		return;
	free(err->msg);
	err->msg = NULL;
	err->code = CF_OK;
	err->sys_errno = 0;
}

void
cf_err_move(struct cf_err *dst, struct cf_err *src)
{
	if (dst == NULL) {
		cf_err_release(src);
		return;
	}
	cf_err_release(dst);
	*dst = *src;
	src->msg = NULL;
	src->code = CF_OK;
	src->sys_errno = 0;
}

void
cf_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "casefile: BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

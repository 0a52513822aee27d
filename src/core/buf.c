/* SPDX-License-Identifier: MIT */
/*
 * buf — growable byte buffer (see include/casefile/buf.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/xalloc.h"

char cf_buf_empty[1];

void
cf_buf_init(struct cf_buf *b)
{
	b->data = cf_buf_empty;
	b->len = 0;
	b->cap = 0;
}

void
cf_buf_release(struct cf_buf *b)
{
	if (b == NULL)
		return;
	if (b->cap)
		free(b->data);
	cf_buf_init(b);
}

static void __attribute__((noreturn))
buf_overflow(void)
{
	fputs("casefile: out of memory\n", stderr);
	exit(5);
}

void
cf_buf_grow(struct cf_buf *b, size_t n)
{
	size_t want;

	if (n > SIZE_MAX - b->len - 1)
		buf_overflow();
	want = b->len + n + 1;
	if (want <= b->cap)
		return;
	if (want < 64)
		want = 64;
	if (b->cap && want < b->cap + b->cap / 2) {
		if (b->cap > SIZE_MAX / 2)
			buf_overflow();
		want = b->cap + b->cap / 2;
	}
	if (b->cap == 0) {
		b->data = xmalloc(want);
		b->data[0] = '\0';
	} else {
		b->data = xrealloc(b->data, want);
	}
	b->cap = want;
}

void
cf_buf_reset(struct cf_buf *b)
{
	b->len = 0;
	if (b->cap)
		b->data[0] = '\0';
}

void
cf_buf_add(struct cf_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	cf_buf_grow(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
cf_buf_addstr(struct cf_buf *b, const char *s)
{
	cf_buf_add(b, s, strlen(s));
}

void
cf_buf_addch(struct cf_buf *b, int c)
{
	char ch = (char)c;

	cf_buf_add(b, &ch, 1);
}

void
cf_buf_vaddf(struct cf_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n <= 0)
		return;
	cf_buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
cf_buf_addf(struct cf_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cf_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void
cf_buf_add_json_str(struct cf_buf *b, const char *s, size_t n)
{
	size_t i;

	cf_buf_addch(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"': cf_buf_add(b, "\\\"", 2); break;
		case '\\': cf_buf_add(b, "\\\\", 2); break;
		case '\n': cf_buf_add(b, "\\n", 2); break;
		case '\r': cf_buf_add(b, "\\r", 2); break;
		case '\t': cf_buf_add(b, "\\t", 2); break;
		default:
			if (c < 0x20)
				cf_buf_addf(b, "\\u%04x", c);
			else
				cf_buf_addch(b, c);
		}
	}
	cf_buf_addch(b, '"');
}

char *
cf_buf_detach(struct cf_buf *b, size_t *len_out)
{
	char *p;

	if (len_out)
		*len_out = b->len;
	if (b->cap == 0)
		p = xstrdup("");
	else
		p = b->data;
	cf_buf_init(b);
	return p;
}

int
cf_open_regular(const char *path, int flags, const char *what, enum cf_status code,
		struct cf_err *err)
{
	const char *sp = what ? " " : "";
	struct stat st;
	int fd;

	if (what == NULL)
		what = "";
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | flags)) < 0)
		return cf_err_errno(err, code, "cannot open %s%s'%s'", what, sp, path);
	if (fstat(fd, &st) < 0) {
		cf_err_errno(err, code, "cannot read %s%s'%s'", what, sp, path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return cf_err_set(err, code, "cannot read %s%s'%s': %s, not a regular file",
				  what, sp, path, S_ISFIFO(st.st_mode) ? "a FIFO" :
				  S_ISDIR(st.st_mode) ? "a directory" :
				  S_ISSOCK(st.st_mode) ? "a socket" : "a device");
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		cf_err_errno(err, code, "cannot read %s%s'%s'", what, sp, path);
		close(fd);
		return -1;
	}
	return fd;
}

int
cf_buf_read_file(struct cf_buf *b, const char *path, const char *what,
		 size_t max, enum cf_status code, struct cf_err *err)
{
	const char *sp = what ? " " : "";
	char chunk[8192];
	size_t start = b->len;
	ssize_t r;
	int fd, ret = -1;

	if ((fd = cf_open_regular(path, 0, what, code, err)) < 0)
		return -1;
	if (what == NULL)
		what = "";
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			cf_err_errno(err, code, "cannot read %s%s'%s'", what, sp, path);
			goto out;
		}
		if ((size_t)r > max - (b->len - start)) {
			if (max % (1024 * 1024) == 0)
				cf_err_set(err, CF_EINPUT, "%s%s'%s': larger than %zu MiB", what,
					   sp, path, max / (1024 * 1024));
			else
				cf_err_set(err, CF_EINPUT, "%s%s'%s': larger than %zu bytes", what,
					   sp, path, max);
			goto out;
		}
		cf_buf_add(b, chunk, (size_t)r);
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

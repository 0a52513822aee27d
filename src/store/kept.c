/* SPDX-License-Identifier: MIT */
/*
 * kept — checkpoints kept in a folder outside the database (see kept.h).
 *
 * Reading lists the folder once and reads each NUMBER.txt / NUMBER.tsr
 * whole (they are a few hundred bytes).  Writing goes through a temporary
 * file and link(2), so a crash never leaves half a checkpoint under a
 * kept name; the folder is fsynced after the link.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/hash.h"
#include "casefile/kept.h"
#include "casefile/xalloc.h"

#define KEPT_READ_MAX (1u << 20)

char *
kept_name(uint64_t number, const char *ext)
{
	return xasprintf("%08llu.%s", (unsigned long long)number, ext);
}

/* NUMBER.ext with NUMBER all digits, at least 8 of them, not 0: 1, else 0. */
static int
parse_name(const char *name, uint64_t *number, int *is_tst)
{
	const char *dot = strchr(name, '.');
	size_t digits = dot ? (size_t)(dot - name) : 0;
	uint64_t v = 0;
	size_t i;

	if (digits < 8 || digits > 19 || strspn(name, "0123456789") != digits)
		return 0;
	if (strcmp(dot, ".txt") == 0)
		*is_tst = 0;
	else if (strcmp(dot, ".tsr") == 0)
		*is_tst = 1;
	else
		return 0;
	for (i = 0; i < digits; i++)
		v = v * 10 + (uint64_t)(name[i] - '0');
	if (v == 0 || (digits > 8 && name[0] == '0'))
		return 0;
	*number = v;
	return 1;
}

/* Read at most KEPT_READ_MAX bytes of dfd/name into a NUL-terminated buffer. */
static int
read_small(int dfd, const char *dir, const char *name, char **out, size_t *len,
	   int64_t *mtime, struct cf_err *err)
{
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat sb;
	char *buf;
	size_t n = 0;

	if (fd < 0)
		return cf_err_errno(err, CF_EIO, "cannot read '%s/%s'", dir, name);
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return cf_err_set(err, CF_EIO, "cannot read '%s/%s': not a regular file", dir, name);
	}
	buf = xmalloc(KEPT_READ_MAX + 1);
	while (n < KEPT_READ_MAX) {
		ssize_t r = read(fd, buf + n, KEPT_READ_MAX - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cf_err_errno(err, CF_EIO, "cannot read '%s/%s'", dir, name);
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = xrealloc(buf, n + 1);
	*len = n;
	if (mtime)
		*mtime = (int64_t)sb.st_mtime;
	return 0;
}

static int
file_cmp(const void *a, const void *b)
{
	const struct kept_file *x = a, *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

void
kept_files_free(struct kept_file *files, size_t n)
{
	size_t i;

	for (i = 0; files && i < n; i++) {
		free(files[i].note);
		free(files[i].tst);
	}
	free(files);
}

int
kept_read(const char *dir, struct kept_file **files, size_t *n, struct cf_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct kept_file *v = NULL;
	size_t count = 0, i;
	int ret = -1;

	if (d == NULL) {
		if (errno == ENOENT)
			return cf_err_set(err, CF_ENOTFOUND, "'%s' does not exist", dir);
		return cf_err_errno(err, CF_EIO, "cannot read '%s'", dir);
	}
	/* The .txt files first; their tokens are looked up by name after. */
	while ((errno = 0, e = readdir(d)) != NULL) {
		uint64_t num;
		int is_tst;

		if (!parse_name(e->d_name, &num, &is_tst) || is_tst)
			continue;
		v = xreallocarray(v, count + 1, sizeof(*v));
		memset(&v[count], 0, sizeof(*v));
		v[count].number = num;
		if (read_small(dirfd(d), dir, e->d_name, &v[count].note, &v[count].note_len,
			       &v[count].mtime, err) < 0)
			goto out;
		count++;
	}
	if (errno) {
		cf_err_errno(err, CF_EIO, "cannot read '%s'", dir);
		goto out;
	}
	if (count > 1)
		qsort(v, count, sizeof(*v), file_cmp);
	for (i = 0; i < count; i++) {
		char *name = kept_name(v[i].number, "tsr"), *tst = NULL;
		size_t len = 0;

		if (faccessat(dirfd(d), name, F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
		    read_small(dirfd(d), dir, name, &tst, &len, NULL, err) < 0) {
			free(name);
			goto out;
		}
		free(name);
		v[i].tst = (unsigned char *)tst;
		v[i].tst_len = len;
	}
	*files = v;
	*n = count;
	v = NULL;
	ret = 0;
out:
	if (ret < 0)
		kept_files_free(v, count);
	closedir(d);
	return ret;
}

/* Write all of p[0..n) to fd; 0 or -1 with errno. */
static int
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

/* 1 when dfd/name holds exactly data[0..n), 0 when not, -1 on error. */
static int
same_bytes(int dfd, const char *dir, const char *name, const void *data, size_t n,
	   struct cf_err *err)
{
	char *have = NULL;
	size_t len = 0;
	int same;

	if (read_small(dfd, dir, name, &have, &len, NULL, err) < 0)
		return -1;
	same = len == n && memcmp(have, data, n) == 0;
	free(have);
	return same;
}

/*
 * Create dfd/name holding data[0..n): temporary file, fsync, link.  1 when
 * created, 0 when name exists already (untouched), -1 on error.
 */
static int
create_once(int dfd, const char *dir, const char *name, const void *data, size_t n,
	    struct cf_err *err)
{
	char *tmp = xasprintf(".tmp-%ld-%s", (long)getpid(), name);
	int fd, ret = -1, direct = 0;

	unlinkat(dfd, tmp, 0);	/* ours by name: a leftover of a reused pid */
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0) {
		cf_err_errno(err, CF_EIO, "cannot create '%s/%s'", dir, tmp);
		goto out;
	}
	if (write_all(fd, data, n) < 0 || fsync(fd) < 0) {
		cf_err_errno(err, CF_EIO, "cannot write '%s/%s'", dir, tmp);
		close(fd);
		unlinkat(dfd, tmp, 0);
		goto out;
	}
	close(fd);
	if (linkat(dfd, tmp, dfd, name, 0) == 0) {
		ret = 1;
	} else if (errno == EEXIST) {
		ret = 0;
	} else if (errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP ||
		   errno == EMLINK || errno == ENOSYS) {
		direct = 1;	/* no hard links here (some shares): O_EXCL */
	} else {
		cf_err_errno(err, CF_EIO, "cannot create '%s/%s'", dir, name);
	}
	unlinkat(dfd, tmp, 0);
	if (!direct)
		goto out;
	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (fd < 0 && errno == EEXIST) {
		ret = 0;
		goto out;
	}
	if (fd < 0 || write_all(fd, data, n) < 0 || fsync(fd) < 0) {
		cf_err_errno(err, CF_EIO, "cannot write '%s/%s'", dir, name);
		if (fd >= 0) {
			close(fd);
			unlinkat(dfd, name, 0);
		}
		goto out;
	}
	close(fd);
	ret = 1;
out:
	free(tmp);
	return ret;
}

int
kept_write(const char *dir, uint64_t number, const char *note, size_t len,
	   const unsigned char *tst, size_t tst_len, struct cf_err *err)
{
	char *txt = kept_name(number, "txt"), *tsr = kept_name(number, "tsr");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r, ret = -1;

	if (dfd < 0) {
		cf_err_errno(err, CF_EIO, "cannot write into '%s'", dir);
		goto out;
	}
	/* Kept already, byte for byte (a seal completing an earlier one)? */
	if (faccessat(dfd, txt, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		if ((r = same_bytes(dfd, dir, txt, note, len, err)) < 0)
			goto out;
		if (r == 0) {
			cf_err_set(err, CF_EVERIFY, "'%s/%s' holds another checkpoint", dir, txt);
			goto out;
		}
		if (tst && (r = same_bytes(dfd, dir, tsr, tst, tst_len, err)) <= 0) {
			if (r == 0)
				cf_err_set(err, CF_EVERIFY, "'%s/%s' holds another token", dir, tsr);
			goto out;
		}
		ret = 0;
		goto out;
	}
	if (tst) {
		if ((r = create_once(dfd, dir, tsr, tst, tst_len, err)) < 0)
			goto out;
		if (r == 0) {
			/* A token without its note: left by a crash, replace it. */
			if (unlinkat(dfd, tsr, 0) < 0) {
				cf_err_errno(err, CF_EIO, "cannot replace '%s/%s'", dir, tsr);
				goto out;
			}
			if ((r = create_once(dfd, dir, tsr, tst, tst_len, err)) < 0)
				goto out;
			if (r == 0) {
				cf_err_set(err, CF_EVERIFY, "'%s/%s' is being written by another seal",
					   dir, tsr);
				goto out;
			}
		}
	}
	if ((r = create_once(dfd, dir, txt, note, len, err)) < 0)
		goto out;
	if (r == 0) {	/* another writer got there meanwhile */
		if ((r = same_bytes(dfd, dir, txt, note, len, err)) < 0)
			goto out;
		if (r == 0) {
			cf_err_set(err, CF_EVERIFY, "'%s/%s' holds another checkpoint", dir, txt);
			goto out;
		}
	}
	if (fsync(dfd) < 0) {
		cf_err_errno(err, CF_EIO, "cannot sync '%s'", dir);
		goto out;
	}
	ret = 0;
out:
	if (dfd >= 0)
		close(dfd);
	free(txt);
	free(tsr);
	return ret;
}

int
kept_mkdir(const char *dir, struct cf_err *err)
{
	char *parent = xstrdup(dir), *slash;
	int fd;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		free(parent);
		return cf_err_errno(err, CF_EIO, "cannot create '%s'", dir);
	}
	/* The new name must survive a crash like the files in it. */
	slash = strrchr(parent, '/');
	if (slash == parent)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(parent, ".");
	if ((fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(fd) < 0) {
		cf_err_errno(err, CF_EIO, "cannot sync '%s'", parent);
		if (fd >= 0)
			close(fd);
		free(parent);
		return -1;
	}
	close(fd);
	free(parent);
	return 0;
}

/*
 * Write a token once under name in dfd (dir for messages): an existing file
 * must hold the same bytes.  The folder is synced.  0, or -1 with err.
 */
static int
put_token(int dfd, const char *dir, const char *name, const unsigned char *tst,
	  size_t tst_len, struct cf_err *err)
{
	int r;

	if ((r = create_once(dfd, dir, name, tst, tst_len, err)) < 0)
		return -1;
	if (r == 0) {
		if ((r = same_bytes(dfd, dir, name, tst, tst_len, err)) < 0)
			return -1;
		if (r == 0)
			return cf_err_set(err, CF_EVERIFY, "'%s/%s' holds another token", dir, name);
	}
	if (fsync(dfd) < 0)
		return cf_err_errno(err, CF_EIO, "cannot sync '%s'", dir);
	return 0;
}

int
kept_add_token(const char *dir, uint64_t number, const unsigned char *tst, size_t tst_len,
	       struct cf_err *err)
{
	char *txt = kept_name(number, "txt"), *tsr = kept_name(number, "tsr");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = -1;

	if (dfd < 0) {
		cf_err_errno(err, CF_EIO, "cannot write into '%s'", dir);
		goto out;
	}
	if (faccessat(dfd, txt, F_OK, AT_SYMLINK_NOFOLLOW) != 0) {
		cf_err_set(err, CF_EVERIFY, "'%s/%s' is missing: run 'casefile audit'", dir, txt);
		goto out;
	}
	ret = put_token(dfd, dir, tsr, tst, tst_len, err);
out:
	if (dfd >= 0)
		close(dfd);
	free(txt);
	free(tsr);
	return ret;
}

/* --- further timestamp tokens (tsa.require > 1) ----------------------- */

char *
kept_extra_name(uint64_t number, const unsigned char *tst, size_t tst_len)
{
	unsigned char md[CF_SHA256_LEN];
	char hex[2 * CF_SHA256_LEN + 1];

	cf_sha256(tst, tst_len, md);
	cf_hex_encode(md, 8, hex);
	hex[16] = '\0';
	return xasprintf("%08llu-%s.tsr", (unsigned long long)number, hex);
}

int
kept_add_extra(const char *dir, uint64_t number, const unsigned char *tst, size_t tst_len,
	       struct cf_err *err)
{
	char *name = kept_extra_name(number, tst, tst_len);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret;

	if (dfd < 0)
		ret = cf_err_errno(err, CF_EIO, "cannot write into '%s'", dir);
	else
		ret = put_token(dfd, dir, name, tst, tst_len, err);
	if (dfd >= 0)
		close(dfd);
	free(name);
	return ret;
}

int
kept_check_extra(const char *dir, uint64_t number, const unsigned char *tst, size_t tst_len,
		 struct cf_err *err)
{
	char *name = kept_extra_name(number, tst, tst_len);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = -1, r;

	if (dfd < 0) {
		cf_err_errno(err, CF_EIO, "cannot read '%s'", dir);
		goto out;
	}
	if (faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) != 0) {
		cf_err_set(err, CF_ENOTFOUND, "'%s' is missing (deleted?)", name);
		goto out;
	}
	if ((r = same_bytes(dfd, dir, name, tst, tst_len, err)) < 0)
		goto out;
	if (r == 0) {
		cf_err_set(err, CF_EVERIFY, "'%s' differs from the token in the database", name);
		goto out;
	}
	ret = 0;
out:
	if (dfd >= 0)
		close(dfd);
	free(name);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * outfile — output files that appear only when complete, leftovers that
 * the next run removes, and a size limit for runaway writers.  The theory
 * of operation is in include/casefile/outfile.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/outfile.h"
#include "casefile/xalloc.h"

struct outfile {
	char *path;	/* final name */
	char *tmp;	/* temporary name, or NULL when unnamed */
	char *proc;	/* /proc/PID/fd/N of an unnamed file */
	int fd;		/* the file, or the folder (held for its lock) */
	int is_dir;
	int committed;
	uint64_t bytes, limit;
};

static unsigned long seq;

/* The folder of path ("." when it has none); caller frees. */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static const char *
base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static char *
tmp_name_new(const char *path)
{
	return xasprintf("%s.tmp-%ld-%lu", path, (long)getpid(), ++seq);
}

static void
fsync_dir(const char *path)
{
	char *dir = dir_of(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

/* Remove the folder name in the folder parent, with everything in it. */
static void
remove_tree_at(int parent, const char *name, int depth)
{
	int fd;
	DIR *d;
	struct dirent *de;

	if (depth > 64)
		return;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat sb;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(sb.st_mode))
			remove_tree_at(dirfd(d), de->d_name, depth + 1);
		else
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
	unlinkat(parent, name, AT_REMOVEDIR);
}

/* "<pid>" or "<pid>-<n>": the pid, or 0 when name is not of that form. */
static long
leftover_pid(const char *s)
{
	char *end;
	long pid;

	if (*s < '1' || *s > '9')
		return 0;
	errno = 0;
	pid = strtol(s, &end, 10);
	if (errno || pid <= 0)
		return 0;
	if (*end == '-') {
		s = end + 1;
		if (*s < '0' || *s > '9')
			return 0;
		strtoul(s, &end, 10);
	}
	return *end == '\0' ? pid : 0;
}

unsigned
outfile_sweep(const char *path)
{
	char *dir = dir_of(path), *prefix = xasprintf("%s.tmp-", base_of(path));
	size_t plen = strlen(prefix);
	unsigned removed = 0;
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL) {
		struct stat sb;
		long pid;
		int fd;

		if (strncmp(de->d_name, prefix, plen) != 0 ||
		    (pid = leftover_pid(de->d_name + plen)) == 0 || pid == (long)getpid())
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno == EPERM)
			continue;	/* its writer may still run */
		fd = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &sb) < 0 || !(S_ISREG(sb.st_mode) || S_ISDIR(sb.st_mode)) ||
		    flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd);	/* a live writer holds it (another namespace) */
			continue;
		}
		if (S_ISDIR(sb.st_mode)) {
			remove_tree_at(dirfd(d), de->d_name, 0);
			removed++;
		} else if (unlinkat(dirfd(d), de->d_name, 0) == 0) {
			removed++;
		}
		close(fd);
	}
	if (d)
		closedir(d);
	free(prefix);
	free(dir);
	return removed;
}

int
outfile_err(const struct outfile *of, int errnum, struct cf_err *err)
{
	cf_err_set(err, CF_EIO, "cannot write '%s': %s", of->path, strerror(errnum));
	if (err)
		err->sys_errno = errnum;
	return -1;
}

/* An unnamed file in dir, usable through /proc; -1 where not supported. */
static int
open_unnamed(struct outfile *of, const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	of->proc = xasprintf("/proc/%ld/fd/%d", (long)getpid(), fd);
	if (access(of->proc, F_OK) < 0) {	/* no /proc: linkat cannot name it */
		free(of->proc);
		of->proc = NULL;
		close(fd);
		return -1;
	}
	of->fd = fd;
	return 0;
}

int
outfile_open(const char *path, uint64_t limit, struct outfile **out, struct cf_err *err)
{
	struct outfile *of = xcalloc(1, sizeof(*of));
	char *dir = dir_of(path);

	*out = NULL;
	of->path = xstrdup(path);
	of->limit = limit;
	of->fd = -1;
	outfile_sweep(path);
	if (open_unnamed(of, dir) < 0) {
		of->tmp = tmp_name_new(path);
		of->fd = open(of->tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (of->fd < 0) {
			cf_err_errno(err, CF_EIO, "cannot write '%s'", path);
			free(dir);
			free(of->tmp);
			of->tmp = NULL;
			outfile_close(of);
			return -1;
		}
		/* held while we run: tells the sweep of another run we live */
		flock(of->fd, LOCK_EX);
	}
	free(dir);
	*out = of;
	return 0;
}

int
outfile_mkdir(const char *path, struct outfile **out, struct cf_err *err)
{
	struct outfile *of = xcalloc(1, sizeof(*of));

	*out = NULL;
	of->path = xstrdup(path);
	of->is_dir = 1;
	of->fd = -1;
	outfile_sweep(path);
	of->tmp = tmp_name_new(path);
	if (mkdir(of->tmp, 0755) < 0 ||
	    (of->fd = open(of->tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		cf_err_errno(err, CF_EIO, "cannot write '%s'", path);
		rmdir(of->tmp);
		free(of->tmp);
		of->tmp = NULL;
		outfile_close(of);
		return -1;
	}
	flock(of->fd, LOCK_EX);
	*out = of;
	return 0;
}

int
outfile_fd(const struct outfile *of)
{
	return of->is_dir ? -1 : of->fd;
}

const char *
outfile_tmp_path(const struct outfile *of)
{
	return of->tmp ? of->tmp : of->proc;
}

const char *
outfile_path(const struct outfile *of)
{
	return of->path;
}

uint64_t
outfile_bytes(const struct outfile *of)
{
	return of->bytes;
}

void
outfile_set_limit(struct outfile *of, uint64_t limit)
{
	of->limit = limit;
}

static int
over_limit(const struct outfile *of, uint64_t n, struct cf_err *err)
{
	cf_err_set(err, CF_EIO,
		   "cannot write '%s': stopped at %" PRIu64 " bytes, the most its inputs can "
		   "make (%" PRIu64 "); the writer ran away", of->path, of->bytes + n, of->limit);
	if (err)
		err->sys_errno = EFBIG;
	return -1;
}

int
outfile_count(struct outfile *of, uint64_t n, struct cf_err *err)
{
	if (of->limit && (n > of->limit || of->bytes > of->limit - n))
		return over_limit(of, n, err);
	of->bytes += n;
	return 0;
}

int
outfile_write(struct outfile *of, const void *p, size_t n, struct cf_err *err)
{
	const char *q = p;

	if (of->limit && (n > of->limit || of->bytes > of->limit - n))
		return over_limit(of, n, err);
	while (n > 0) {
		ssize_t w = write(of->fd, q, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return outfile_err(of, errno, err);
		if (w == 0)
			return outfile_err(of, ENOSPC, err);
		q += w;
		n -= (size_t)w;
		of->bytes += (uint64_t)w;
	}
	return 0;
}

int
outfile_commit(struct outfile *of, mode_t mode, struct cf_err *err)
{
	if (of->committed)
		return cf_err_set(err, CF_EIO, "'%s' is written already", of->path);
	if (of->is_dir) {
		if (rename(of->tmp, of->path) < 0)
			return outfile_err(of, errno, err);
		fsync_dir(of->path);
		free(of->tmp);
		of->tmp = NULL;
		of->committed = 1;
		return 0;
	}
	if (fsync(of->fd) < 0 || fchmod(of->fd, mode) < 0)
		return outfile_err(of, errno, err);
	if (of->tmp) {
		if (rename(of->tmp, of->path) < 0)
			return outfile_err(of, errno, err);
		free(of->tmp);
		of->tmp = NULL;
	} else if (linkat(AT_FDCWD, of->proc, AT_FDCWD, of->path, AT_SYMLINK_FOLLOW) < 0) {
		char *tmp;

		if (errno != EEXIST)
			return outfile_err(of, errno, err);
		/* replace: a name of its own first, then rename over */
		tmp = tmp_name_new(of->path);
		if (linkat(AT_FDCWD, of->proc, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) < 0 ||
		    rename(tmp, of->path) < 0) {
			int e = errno;

			unlink(tmp);
			free(tmp);
			return outfile_err(of, e, err);
		}
		free(tmp);
	}
	fsync_dir(of->path);
	of->committed = 1;
	return 0;
}

void
outfile_close(struct outfile *of)
{
	if (of == NULL)
		return;
	if (!of->committed && of->tmp) {
		if (of->is_dir)
			remove_tree_at(AT_FDCWD, of->tmp, 0);
		else
			unlink(of->tmp);
	}
	if (of->fd >= 0)
		close(of->fd);
	free(of->path);
	free(of->tmp);
	free(of->proc);
	free(of);
}

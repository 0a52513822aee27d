/* SPDX-License-Identifier: MIT */
/*
 * outfile — writing a command's output file (or folder) so that it appears
 * under its name only when complete, and so that nothing a crash leaves
 * behind outlives the next run, and so that a runaway writer stops early.
 *
 * Theory of operation:
 *  - A file is written to an unnamed file (O_TMPFILE) in the folder of its
 *    final name, where the file system and /proc allow it.  A kill -9
 *    leaves nothing under any name: the kernel frees the inode.  On commit
 *    the file is linked to its final name (linkat), or, when that name
 *    exists already, linked to a temporary name and renamed over it.
 *  - Otherwise (and always for a folder) the data goes to
 *    "<final name>.tmp-<pid>-<n>", on which the writer holds an exclusive
 *    flock() for as long as it runs; commit renames it into place.
 *  - outfile_open()/outfile_mkdir() first remove the leftovers for the same
 *    final name: "<final name>.tmp-<pid>" or "<final name>.tmp-<pid>-<n>"
 *    whose pid is no longer a running process AND whose lock is free (a
 *    lock is what tells a live writer in another PID namespace, or one
 *    whose pid was reused, apart from a dead one).
 *  - Every write is counted against a limit, which the caller sets to what
 *    its inputs can produce (sum of input sizes plus a bound).  A write
 *    past it fails with an error saying so, before any byte goes to disk:
 *    a writer stuck in a loop fails fast instead of filling the disk.
 *  - Errors name the final path and the cause ("No space left on device",
 *    "File too large"), never the temporary name.
 */
#ifndef CASEFILE_OUTFILE_H
#define CASEFILE_OUTFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "casefile/err.h"

struct outfile;

/*
 * Start writing the file that becomes path on outfile_commit().  limit is
 * the most bytes the output may reach (0: no limit).  Removes leftovers of
 * dead writers of path first.  On success *out is a new handle (free with
 * outfile_close) and returns 0; on failure -1, nothing was created.
 */
int outfile_open(const char *path, uint64_t limit, struct outfile **out,
		 struct cf_err *err);

/*
 * The same for a folder: creates the (named, locked) folder
 * "<path>.tmp-<pid>-<n>"; outfile_tmp_path() names it.  Writes into it are
 * the caller's; its bytes are counted with outfile_count().
 */
int outfile_mkdir(const char *path, struct outfile **out, struct cf_err *err);

/* The descriptor to write to (O_RDWR; -1 for a folder).  Borrowed. */
int outfile_fd(const struct outfile *of);

/*
 * A path that names the data written so far, for code that must open it
 * again (/proc/PID/fd/N for an unnamed file, which other processes can open
 * too, else the temporary name).
 * Valid until outfile_close().  Never show it to a user: use the final path.
 */
const char *outfile_tmp_path(const struct outfile *of);

/* The final path given to outfile_open()/outfile_mkdir().  Borrowed. */
const char *outfile_path(const struct outfile *of);

/* Bytes counted so far. */
uint64_t outfile_bytes(const struct outfile *of);

/* Change the limit (0: none); counted bytes stay. */
void outfile_set_limit(struct outfile *of, uint64_t limit);

/*
 * Write all n bytes at the end of what was written (retrying short
 * writes).  Returns 0, or -1 with err naming the final path and the cause
 * (errno's text; the limit when the output would pass it, in which case
 * nothing of this call was written).
 */
int outfile_write(struct outfile *of, const void *p, size_t n, struct cf_err *err);

/*
 * Count n bytes written by other means (copy_file_range, a library that
 * writes to outfile_fd() or into the folder).  Returns -1 with err set when
 * the total passes the limit.
 */
int outfile_count(struct outfile *of, uint64_t n, struct cf_err *err);

/*
 * Fill err for a failed write to the output whose errno is errnum: "cannot
 * write 'PATH': <strerror>".  Returns -1.
 */
int outfile_err(const struct outfile *of, int errnum, struct cf_err *err);

/*
 * Finish: fsync the data, set mode (files; folders keep theirs), give it
 * its final name (replacing a file of that name) and fsync the folder.
 * Returns 0, or -1 with err set and nothing under the final name changed.
 * Either way the handle must still be closed.
 */
int outfile_commit(struct outfile *of, mode_t mode, struct cf_err *err);

/* Close; an uncommitted output is removed.  Accepts NULL. */
void outfile_close(struct outfile *of);

/*
 * Remove the leftovers of dead writers of path (see above); returns how
 * many were removed.  Never fails: what cannot be removed stays.
 */
unsigned outfile_sweep(const char *path);

#endif

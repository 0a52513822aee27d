/* SPDX-License-Identifier: MIT */
/*
 * test_outfile — outputs appear only when complete, leftovers of dead
 * writers are swept, a runaway writer stops at its limit, and write errors
 * name the final path and the cause (issue 11 items 1, 4 and 6).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "testutil.h"

#include "casefile/outfile.h"

/* Entries of the current folder, "." and ".." left out. */
static int
count_entries(void)
{
	DIR *d = opendir(".");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void
read_back(const char *path, const char *want)
{
	char buf[256];
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, n);
}

/* A pid that was ours a moment ago and is no longer running. */
static pid_t
dead_pid(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

static void
test_commit_and_discard(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct outfile *of;
	struct stat sb;

	(void)state;
	assert_int_equal(outfile_open("out.pdf", 0, &of, &err), 0);
	assert_int_equal(outfile_write(of, "hello ", 6, &err), 0);
	assert_int_equal(outfile_write(of, "world", 5, &err), 0);
	assert_int_equal(outfile_bytes(of), 11);
	/* nothing under the final name until commit */
	assert_int_equal(access("out.pdf", F_OK), -1);
	read_back(outfile_tmp_path(of), "hello world");
	assert_int_equal(outfile_commit(of, 0644, &err), 0);
	outfile_close(of);
	read_back("out.pdf", "hello world");
	assert_int_equal(stat("out.pdf", &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0644);
	assert_int_equal(count_entries(), 1);

	/* a second output replaces the first, atomically */
	assert_int_equal(outfile_open("out.pdf", 0, &of, &err), 0);
	assert_int_equal(outfile_write(of, "second", 6, &err), 0);
	read_back("out.pdf", "hello world");
	assert_int_equal(outfile_commit(of, 0600, &err), 0);
	outfile_close(of);
	read_back("out.pdf", "second");
	assert_int_equal(count_entries(), 1);

	/* closed without commit: nothing stays, the old file is untouched */
	assert_int_equal(outfile_open("out.pdf", 0, &of, &err), 0);
	assert_int_equal(outfile_write(of, "third", 5, &err), 0);
	outfile_close(of);
	read_back("out.pdf", "second");
	assert_int_equal(count_entries(), 1);
	outfile_close(NULL);
	cf_err_release(&err);
}

static void
test_limit(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct outfile *of;
	char buf[100];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(outfile_open("big.pdf", 250, &of, &err), 0);
	assert_int_equal(outfile_write(of, buf, 100, &err), 0);
	assert_int_equal(outfile_count(of, 100, &err), 0);
	assert_int_equal(outfile_write(of, buf, 50, &err), 0);	/* exactly at the limit */
	assert_int_equal(outfile_write(of, buf, 1, &err), -1);
	assert_non_null(strstr(err.msg, "cannot write 'big.pdf'"));
	assert_non_null(strstr(err.msg, "ran away"));
	assert_int_equal(err.sys_errno, EFBIG);
	assert_int_equal(outfile_bytes(of), 250);
	assert_int_equal(outfile_count(of, UINT64_MAX, &err), -1);
	/* nothing of the refused write reached the file */
	{
		struct stat sb;

		assert_int_equal(fstat(outfile_fd(of), &sb), 0);
		assert_int_equal(sb.st_size, 150);
	}
	outfile_set_limit(of, 0);
	assert_int_equal(outfile_write(of, buf, 100, &err), 0);
	outfile_close(of);
	assert_int_equal(count_entries(), 0);
	cf_err_release(&err);
}

static void
test_write_error_names_path(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct outfile *of;
	struct rlimit old, small = { 4096, 4096 };
	char buf[8192];
	void (*prev)(int);
	int r;

	(void)state;
	memset(buf, 'y', sizeof(buf));
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small.rlim_max = old.rlim_max;
	prev = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(outfile_open("sub-full.zip", 0, &of, &err), 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	r = outfile_write(of, buf, sizeof(buf), &err);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, prev);
	assert_int_equal(r, -1);
	assert_string_equal(err.msg, "cannot write 'sub-full.zip': File too large");
	assert_int_equal(err.sys_errno, EFBIG);
	outfile_close(of);
	assert_int_equal(count_entries(), 0);
	cf_err_release(&err);
}

static void
test_sweep(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct outfile *of;
	char name[128];
	pid_t dead = dead_pid();
	int held;

	(void)state;
	/* leftovers of a dead writer: file, legacy name, folder with files */
	snprintf(name, sizeof(name), "out.zip.tmp-%ld-3", (long)dead);
	test_write_file(name, "partial", 7);
	snprintf(name, sizeof(name), "out.zip.tmp-%ld", (long)dead);
	test_write_file(name, "partial", 7);
	snprintf(name, sizeof(name), "out.zip.tmp-%ld-9", (long)dead);
	assert_int_equal(mkdir(name, 0755), 0);
	snprintf(name, sizeof(name), "out.zip.tmp-%ld-9/data", (long)dead);
	assert_int_equal(mkdir(name, 0755), 0);
	snprintf(name, sizeof(name), "out.zip.tmp-%ld-9/data/a.bin", (long)dead);
	test_write_file(name, "a", 1);
	/* kept: a living writer's (our parent), a locked one, other names */
	snprintf(name, sizeof(name), "out.zip.tmp-%ld-1", (long)getppid());
	test_write_file(name, "live", 4);
	snprintf(name, sizeof(name), "out.zip.tmp-%ld-7", (long)dead);
	test_write_file(name, "locked", 6);
	held = open(name, O_RDONLY);
	assert_true(held >= 0);
	assert_int_equal(flock(held, LOCK_EX), 0);
	test_write_file("out.zip.tmp-abc", "x", 1);
	test_write_file("out.zip.tmp-12x", "x", 1);
	snprintf(name, sizeof(name), "other.zip.tmp-%ld-1", (long)dead);
	test_write_file(name, "x", 1);
	assert_int_equal(count_entries(), 8);

	assert_int_equal(outfile_sweep("out.zip"), 3);
	assert_int_equal(count_entries(), 5);
	assert_int_equal(outfile_sweep("./out.zip"), 0);
	close(held);	/* its writer is gone now */
	assert_int_equal(outfile_sweep("out.zip"), 1);
	assert_int_equal(count_entries(), 4);

	/* opening an output sweeps too */
	snprintf(name, sizeof(name), "other.zip.tmp-%ld-1", (long)dead);
	assert_int_equal(access(name, F_OK), 0);
	assert_int_equal(outfile_open("other.zip", 0, &of, &err), 0);
	assert_int_equal(access(name, F_OK), -1);
	outfile_close(of);
	cf_err_release(&err);
}

static void
test_mkdir(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct outfile *of, *other;
	char path[256];
	struct stat sb;

	(void)state;
	assert_int_equal(outfile_mkdir("bag", &of, &err), 0);
	assert_int_equal(outfile_fd(of), -1);
	assert_int_equal(access("bag", F_OK), -1);
	snprintf(path, sizeof(path), "%s/f.txt", outfile_tmp_path(of));
	test_write_file(path, "payload", 7);
	/* a second run does not take the living writer's folder */
	assert_int_equal(outfile_sweep("bag"), 0);
	assert_int_equal(stat(outfile_tmp_path(of), &sb), 0);
	assert_int_equal(outfile_commit(of, 0, &err), 0);
	outfile_close(of);
	read_back("bag/f.txt", "payload");
	assert_int_equal(count_entries(), 1);

	/* discarded with its content */
	assert_int_equal(outfile_mkdir("bag2", &other, &err), 0);
	snprintf(path, sizeof(path), "%s/sub", outfile_tmp_path(other));
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sub/g.txt", outfile_tmp_path(other));
	test_write_file(path, "g", 1);
	outfile_close(other);
	assert_int_equal(count_entries(), 1);
	cf_err_release(&err);
}

static void
test_open_fails(void **state)
{
	struct cf_err err = CF_ERR_INIT;
	struct outfile *of = (struct outfile *)1;

	(void)state;
	assert_int_equal(outfile_open("no-such-dir/out.pdf", 0, &of, &err), -1);
	assert_null(of);
	assert_non_null(strstr(err.msg, "cannot write 'no-such-dir/out.pdf'"));
	assert_non_null(strstr(err.msg, "No such file or directory"));
	cf_err_release(&err);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, test_tmpdir_setup, test_tmpdir_teardown)
	const struct CMUnitTest tests[] = {
		T(test_commit_and_discard),
		T(test_limit),
		T(test_write_error_names_path),
		T(test_sweep),
		T(test_mkdir),
		T(test_open_fails),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}

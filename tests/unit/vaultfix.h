/* SPDX-License-Identifier: MIT */
/*
 * vaultfix — a vault in the test's temporary directory filled through the
 * real ingest, for the unit tests of services that read it.
 */
#ifndef CASEFILE_TEST_VAULTFIX_H
#define CASEFILE_TEST_VAULTFIX_H

#include <fcntl.h>
#include <unistd.h>

#include "casefile/ingest.h"
#include "casefile/vault.h"

/* A fresh vault "v" in the current directory, open for writing. */
static inline struct vault *
vaultfix_new(void)
{
	struct cf_err err = CF_ERR_INIT;
	struct vault *v = NULL;

	assert_int_equal(vault_init("v", &err), 0);
	assert_int_equal(vault_open("v", 0, &v, &err), 0);
	return v;
}

/*
 * Ingest n bytes of body as file name (written to the current directory
 * first) into order, at rel (or NULL), kind sniffed.  The evidence row id,
 * or fails the test.
 */
static inline int64_t
vaultfix_ingest(struct vault *v, const char *order, const char *name, const void *body,
		size_t n, const char *rel)
{
	struct cf_err err = CF_ERR_INIT;
	struct ingest_item it = { order, name, name, rel, -1, -1, NULL, NULL, NULL };
	struct ingest_result res;
	struct ingest *in = NULL;
	int fd;

	test_write_file(name, body, n);
	fd = open(name, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(ingest_begin(v, NULL, NULL, &in, &err), 0);
	if (ingest_fd(in, &it, fd, &res, &err) < 0 || ingest_commit(in, &err) < 0)
		fail_msg("ingest '%s': %s", name, err.msg);
	ingest_free(in);
	close(fd);
	return res.evidence_id;
}

static inline int64_t
vaultfix_ingest_str(struct vault *v, const char *order, const char *name, const char *body)
{
	return vaultfix_ingest(v, order, name, body, strlen(body), NULL);
}

/* A test's state: its temporary directory, the vault and the rows it holds. */
struct vaultfix {
	void *dir;
	struct vault *v;
	int64_t id[8];		/* rows ingested by the fill function */
};

/*
 * cmocka setup: a fresh temporary directory holding vault "v", filled by
 * fill(f); *state is the struct vaultfix.  Pair with vaultfix_teardown.
 */
static inline int
vaultfix_setup(void **state, void (*fill)(struct vaultfix *f))
{
	struct vaultfix *f = calloc(1, sizeof(*f));

	if (f == NULL || test_tmpdir_setup(&f->dir) < 0)
		return -1;
	f->v = vaultfix_new();
	fill(f);
	*state = f;
	return 0;
}

static inline int
vaultfix_teardown(void **state)
{
	struct vaultfix *f = *state;
	int rc;

	vault_close(f->v);
	rc = test_tmpdir_teardown(&f->dir);
	free(f);
	return rc;
}

#endif

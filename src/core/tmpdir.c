/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "casefile/tmpdir.h"

static const char *tmpdir_env;

void
cf_tmpdir_set(const char *dir)
{
	tmpdir_env = dir && *dir ? dir : NULL;
}

const char *
cf_tmpdir(void)
{
	return tmpdir_env ? tmpdir_env : "/tmp";
}

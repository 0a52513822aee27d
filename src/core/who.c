/* SPDX-License-Identifier: MIT */
/*
 * who — the user and host an audit row names (contract and rule in who.h).
 */
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include "casefile/who.h"
#include "casefile/xalloc.h"

char *
who_user_new(const char *env_user)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw && pw->pw_name && *pw->pw_name)
		return xstrdup(pw->pw_name);
	return xstrdup(env_user && *env_user ? env_user : "unknown");
}

char *
who_host_new(void)
{
	char h[256];

	if (gethostname(h, sizeof(h)) < 0)
		return xstrdup("unknown");
	h[sizeof(h) - 1] = '\0';
	return xstrdup(h);
}

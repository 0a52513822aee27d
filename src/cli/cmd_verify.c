/* SPDX-License-Identifier: MIT */
/*
 * cmd_verify — `casefile verify FILE.pdf`: every check of verify.h, one line
 * each, and exit 0 only when none failed.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/jout.h"
#include "casefile/proofs.h"
#include "casefile/verify.h"

/* The checks verify.c runs for modules above it. */
static const verify_hook_fn verify_hooks[] = {
	proofs_verify_hook,
	NULL,
};

static enum cf_exit
run_verify(int argc, char **argv, struct cf_ctx *ctx)
{
	struct verify_opts o;
	struct verify_report r;
	struct cf_err err = CF_ERR_INIT;
	int first, rr;
	size_t i;
	enum cf_exit rc;

	memset(&o, 0, sizeof(o));
	{
		const struct cli_opt opts[] = {
			{ "trust", 0, CLI_VALUE, &o.trust_file, NULL, 0 },
			{ "tsa-ca", 0, CLI_VALUE, &o.tsa_ca_file, NULL, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((rr = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(rr);
	}
	if (first + 1 != argc)
		return ctx_usage(ctx, "verify needs exactly one PDF");
	/* OpenSSL opens these by name, as often as it needs: a FIFO would block it */
	for (i = 0; i < 2; i++) {
		const char *f = i ? o.tsa_ca_file : o.trust_file;
		int fd;

		if (f && (fd = cf_open_regular(f, 0, i ? "--tsa-ca file" : "--trust file",
					       CF_EINPUT, &err)) < 0) {
			rc = ctx_fail(ctx, &err);
			cf_err_release(&err);
			return rc;
		}
		if (f)
			close(fd);
	}
	o.vault_dir = ctx->vault_after_cmd ? ctx->vault_dir : NULL;
	o.now = ctx->now;
	o.hooks = verify_hooks;
	verify_report_init(&r);
	if (verify_file(argv[first], &o, &r, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		cf_err_release(&err);
		verify_report_release(&r);
		return rc;
	}
	if (ctx->json) {
		jout_print(verify_report_json(&r, argv[first]));
	} else {
		for (i = 0; i < r.n; i++)
			if (!ctx->quiet || r.v[i].status == VERIFY_FAIL)
				printf("%s  %s: %s\n", verify_status_word(r.v[i].status),
				       r.v[i].name, r.v[i].detail);
		if (!ctx->quiet)
			printf("%s: %zu checks, %zu failed, %zu warnings\n",
			       verify_report_ok(&r) ? "VERIFIED" : "NOT VERIFIED", r.n, r.nfail, r.nwarn);
	}
	rc = verify_report_ok(&r) ? CF_EXIT_OK : CF_EXIT_PROBLEM;
	verify_report_release(&r);
	if (fflush(stdout) || ferror(stdout))
		return CF_EXIT_INTERNAL;
	return rc;
}

const struct cmd cmd_verify = {
	.name = "verify",
	.usage = "casefile verify FILE.pdf [--vault DIR] [--trust CA.pem] [--tsa-ca CA.pem] [--json]",
	.summary = "check a signed dossier: signature, coverage, timestamp, attachments",
	.help = "Prints one line per check, PASS, WARN or FAIL:\n"
		"  byterange         the signature covers the whole file but /Contents\n"
		"                    (\"total document signed\"); bytes appended after\n"
		"                    signing are reported\n"
		"  cms digest/signature, cades attributes   the CMS signature\n"
		"  certificate       signer validity (at the timestamp time) and key usage\n"
		"  trust             chain to --trust; otherwise WARN with the fingerprint\n"
		"  timestamp         RFC 3161 token over the signature value (--tsa-ca:\n"
		"                    the TSA's CA, default --trust); WARN at PAdES B-B\n"
		"  manifest, exhibit N   each attachment's SHA-256 against manifest.json\n"
		"  vault exhibit N   with --vault: each exhibit is stored unchanged\n"
		"Exit 0 when no check failed (warnings allowed), 1 otherwise.\n"
		"Unlike pdfsig, a broken signature always gives a non-zero exit.\n",
	.flags = 0,
	.run = run_verify,
};

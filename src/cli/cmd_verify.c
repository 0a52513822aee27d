/* SPDX-License-Identifier: MIT */
/*
 * cmd_verify — `casefile verify FILE.pdf`: every check of verify.h, one line
 * each, and exit 0 only when none failed.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/commands.h"
#include "casefile/proofs.h"
#include "casefile/verdict.h"
#include "casefile/verify.h"

enum {
	OPT_TRUST = CTX_OPT_BASE + 100,
	OPT_TSA_CA,
	OPT_STRICT,
};

/* The checks verify.c runs for modules above it. */
static const verify_hook_fn verify_hooks[] = {
	proofs_verify_hook,
	NULL,
};

static enum cf_exit
run_verify(int argc, char **argv, struct cf_ctx *ctx)
{
	static const struct option opts[] = {
		CTX_COMMON_OPTIONS,
		{ "trust", 1, NULL, OPT_TRUST },
		{ "tsa-ca", 1, NULL, OPT_TSA_CA },
		{ "strict", 0, NULL, OPT_STRICT },
		{ 0 },
	};
	struct verify_opts o;
	struct verify_report r;
	struct verify_verdict vd;
	int strict = 0;
	struct cf_err err = CF_ERR_INIT;
	int c, rr, vault_given = 0;
	size_t i;
	enum cf_exit rc;

	memset(&o, 0, sizeof(o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case OPT_TRUST: o.trust_file = optarg; break;
		case OPT_TSA_CA: o.tsa_ca_file = optarg; break;
		case OPT_STRICT: strict = 1; break;
		case '?':
			return ctx_usage(ctx, "unknown option or missing value '%s'", argv[optind - 1]);
		default:
			if (c == CTX_OPT_VAULT)
				vault_given = 1;
			rr = ctx_common_opt(ctx, c, optarg);
			if (rr < 0)
				return CF_EXIT_USAGE;
			if (rr == 2)
				return CF_EXIT_OK;
		}
	}
	if (optind + 1 != argc)
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
	o.vault_dir = vault_given ? ctx->vault_dir : NULL;
	o.now = ctx->now;
	o.hooks = verify_hooks;
	verify_report_init(&r);
	if (verify_file(argv[optind], &o, &r, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		cf_err_release(&err);
		verify_report_release(&r);
		return rc;
	}
	verify_verdict(&r, &vd);
	if (ctx->json) {
		struct cf_buf b = CF_BUF_INIT;

		verify_report_json(&r, argv[optind], &b);
		/* the report's object, with the verdict as its last member */
		if (b.len >= 2 && b.data[b.len - 1] == '\n' && b.data[b.len - 2] == '}')
			b.len -= 2;
		cf_buf_addstr(&b, ",\"verdict\":");
		verify_verdict_json(&vd, &b);
		cf_buf_addstr(&b, "}\n");
		fwrite(b.data, 1, b.len, stdout);
		cf_buf_release(&b);
	} else {
		struct cf_buf h = CF_BUF_INIT;

		for (i = 0; i < r.n; i++)
			if (!ctx->quiet || r.v[i].status == VERIFY_FAIL)
				printf("%s  %s: %s\n", verify_status_word(r.v[i].status),
				       r.v[i].name, r.v[i].detail);
		if (!ctx->quiet) {
			verify_verdict_line(&vd, &h);
			printf("%s\n%zu checks, %zu failed, %zu warnings\n", h.data, r.n, r.nfail,
			       r.nwarn);
		}
		cf_buf_release(&h);
	}
	rc = verify_report_ok(&r) && (!strict || verify_verdict_all(&vd)) ? CF_EXIT_OK
									  : CF_EXIT_PROBLEM;
	verify_verdict_release(&vd);
	verify_report_release(&r);
	if (fflush(stdout) || ferror(stdout))
		return CF_EXIT_INTERNAL;
	return rc;
}

const struct cmd cmd_verify = {
	.name = "verify",
	.usage = "casefile verify FILE.pdf [--vault DIR] [--trust CA.pem] [--tsa-ca CA.pem]\n"
		 "       [--strict] [--json]",
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
		"The headline then says, separately, what is established and what not:\n"
		"  VERIFIED integrity (...); signer NOT ESTABLISHED (self-signed,\n"
		"  fingerprint ...); time NOT PROVED (no timestamp)\n"
		"integrity: no failed check on the bytes, attachments and proofs;\n"
		"signer: a chain to --trust, valid at the signing time; time: a\n"
		"timestamp whose TSA chains to --tsa-ca (or --trust).  --json has the\n"
		"same as \"verdict\".\n"
		"Exit 0 when no check failed (warnings allowed), 1 otherwise; with\n"
		"--strict, 1 also unless integrity, signer and time are all established.\n"
		"Unlike pdfsig, a broken signature always gives a non-zero exit.\n",
	.flags = 0,
	.run = run_verify,
};

/* SPDX-License-Identifier: MIT */
/*
 * cmd_verify — `casefile verify FILE.pdf`: every check of verify.h, one line
 * each, and exit 0 only when none failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/jout.h"
#include "casefile/proofs.h"
#include "casefile/verdict.h"
#include "casefile/verify.h"
#include "casefile/xalloc.h"

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
	struct verify_verdict vd;
	int strict = 0;
	const char *dossier = NULL;
	struct cf_err err = CF_ERR_INIT;
	int first, rr;
	size_t i;
	enum cf_exit rc;

	memset(&o, 0, sizeof(o));
	{
		const struct cli_opt opts[] = {
			{ "trust", 0, CLI_VALUE, &o.trust_file, NULL, 0 },
			{ "tsa-ca", 0, CLI_VALUE, &o.tsa_ca_file, NULL, 0 },
			{ "strict", 0, CLI_FLAG, NULL, &strict, 0 },
			{ "dossier", 0, CLI_VALUE, &dossier, NULL, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((rr = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(rr);
	}
	if (first + 1 != argc)
		return ctx_usage(ctx, "verify needs exactly one PDF or kit");
	{
		/* a kit from `casefile pack`: a .zip, or a folder holding kit.json */
		const char *a = argv[first];
		size_t n = strlen(a);
		struct stat sb;
		char *kj = xasprintf("%s/kit.json", a);
		int dir_kit = stat(a, &sb) == 0 && S_ISDIR(sb.st_mode) && access(kj, F_OK) == 0;

		free(kj);
		if ((n > 4 && strcasecmp(a + n - 4, ".zip") == 0) || dir_kit)
			return cmd_verify_kit(ctx, a, dossier);
	}
	if (dossier)
		return ctx_usage(ctx, "--dossier goes with a kit (KIT.zip or a folder with kit.json)");
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
	verify_verdict(&r, &vd);
	if (ctx->json) {
		json_t *j = verify_report_json(&r, argv[first]);

		/* the report's object, with the verdict as its last member */
		json_object_set_new(j, "verdict", verify_verdict_json(&vd));
		jout_print(j);
	} else {
		struct cf_buf h = CF_BUF_INIT;

		for (i = 0; i < r.n; i++)
			if (!ctx->quiet || r.v[i].status == VERIFY_FAIL)
				printf("%s  %s: %s\n", verify_status_word(r.v[i].status),
				       r.v[i].name, r.v[i].detail);
		if (!ctx->quiet) {
			verify_verdict_line(&vd, &h);
			printf("%s\n", h.data);
			if (vd.level)
				printf("level PAdES %s\n", vd.level);
			printf("%zu checks, %zu failed, %zu warnings\n", r.n, r.nfail, r.nwarn);
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
		 "       [--strict] [--json]\n"
		 "       casefile verify KIT.zip|KITDIR [--vault DIR | --dossier FILE.pdf] [--json]",
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
		"  document timestamp  each archive timestamp (PAdES B-LTA) over the file\n"
		"                    before it; a valid one proves that everything before\n"
		"                    existed then: older tokens' TSA chains are checked at\n"
		"                    its time (an expired TSA or signer certificate passes)\n"
		"  dss, revocation   the Document Security Store parses; for each\n"
		"                    signature every certificate of its chains has an\n"
		"                    authentic OCSP response or CRL there; revoked before\n"
		"                    the signature's timestamp: FAIL, with the time\n"
		"  level             PAdES B-B, B-T, B-LT or B-LTA reached (also a line\n"
		"                    after the headline, and \"level\" in --json's verdict)\n"
		"  byterange         also: bytes after a signature must be revisions that\n"
		"                    add only validation data and signature/timestamp fields\n"
		"  manifest, exhibit N   each attachment's SHA-256 against manifest.json\n"
		"  vault exhibit N   with --vault: each exhibit is stored unchanged\n"
		"A kit from `casefile pack` (folder or .zip) is checked against the\n"
		"vault: every card re-derived from its spec and originals, byte for byte,\n"
		"and recorded as derived evidence; the statement within the platform's\n"
		"limit.  One PASS/FAIL line per check.  Without the vault (an arbiter, a\n"
		"lawyer), --dossier FILE.pdf takes the originals from that signed\n"
		"dossier instead: the dossier is verified first (one line), it must be\n"
		"the dossier the cards name, and every card is re-derived from the\n"
		"originals attached to it; an original the dossier does not attach\n"
		"(--no-attach-media) fails its card, saying so.\n"
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

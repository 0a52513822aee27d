/* SPDX-License-Identifier: MIT */
/*
 * cmd_extend — `casefile extend FILE.pdf`: the archive renewal of a signed
 * dossier (PAdES B-LTA, dss.h): fresh validation data for every signature
 * and timestamp in it, then a new document timestamp over the whole file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/cftime.h"
#include "casefile/ctx.h"
#include "casefile/db.h"
#include "casefile/dss.h"
#include "casefile/jout.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

static enum cf_exit
run_extend(int argc, char **argv, struct cf_ctx *ctx)
{
	const char *out = NULL, *tsa_o = NULL, *ca_o = NULL, *tls_o = NULL, *timeout_o = NULL,
		   *chain_o = NULL;
	char *tsa_url = NULL, *tsa_ca = NULL, *tls_ca = NULL, when[40];
	const char *cas[3] = { NULL, NULL, NULL };
	int first, r, no_timestamp = 0;
	size_t nca = 0;
	double timeout = 15;
	struct tsa_opts to;
	struct dss_opts dop;
	struct dss_result res;
	struct cf_err err = CF_ERR_INIT;
	enum cf_exit rc = CF_EXIT_OK;
	const struct cli_opt opts[] = {
		{ "output", 'o', CLI_VALUE, &out, NULL, 0 },
		{ "tsa", 0, CLI_VALUE, &tsa_o, NULL, CLI_NONEMPTY },
		{ "tsa-ca", 0, CLI_VALUE, &ca_o, NULL, CLI_NONEMPTY },
		{ "tsa-tls-ca", 0, CLI_VALUE, &tls_o, NULL, CLI_NONEMPTY },
		{ "tsa-timeout", 0, CLI_VALUE, &timeout_o, NULL, 0 },
		{ "ca", 0, CLI_VALUE, &chain_o, NULL, CLI_NONEMPTY },
		{ "no-timestamp", 0, CLI_FLAG, NULL, &no_timestamp, 0 },
		{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
	};

	memset(&res, 0, sizeof(res));
	if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
		return CLI_PARSE_EXIT(r);
	if (first + 1 != argc)
		return ctx_usage(ctx, "extend needs exactly one signed PDF");
	if (no_timestamp && tsa_o)
		return ctx_usage(ctx, "--no-timestamp conflicts with --tsa");
	if (ctx_parse_tsa_timeout(ctx, timeout_o, &timeout) < 0)
		return CF_EXIT_USAGE;
	if (out == NULL)
		out = argv[first];
	tsa_url = tsa_o ? xstrdup(tsa_o) : NULL;
	tsa_ca = ca_o ? xstrdup(ca_o) : NULL;
	tls_ca = tls_o ? xstrdup(tls_o) : NULL;
	/* without --tsa the vault's settings (a vault is then needed) */
	if (!no_timestamp && tsa_url == NULL) {
		if (ctx_open_vault_for(ctx, 0) < 0) {
			rc = CF_EXIT_USAGE;
			goto out;
		}
		tsa_url = db_setting(vault_db(ctx->vault), "tsa.url");
		if (!tsa_ca)
			tsa_ca = db_setting(vault_db(ctx->vault), "tsa.ca");
		if (!tls_ca)
			tls_ca = db_setting(vault_db(ctx->vault), "tsa.tls_ca");
		if (tsa_url == NULL || !*tsa_url) {
			rc = ctx_usage(ctx, "extend needs a TSA for the new document timestamp: "
				       "--tsa URL or 'casefile config tsa.url URL' (or --no-timestamp)");
			goto out;
		}
	}
	if (tsa_ca)
		cas[nca++] = tsa_ca;
	if (chain_o)
		cas[nca++] = chain_o;
	memset(&to, 0, sizeof(to));
	to.url = tsa_url;
	to.timeout_ms = (long)(timeout * 1000);
	to.ca_file = tsa_ca;
	to.tls_ca_file = tls_ca;
	memset(&dop, 0, sizeof(dop));
	dop.net = &to;
	dop.ca_files = cas;
	dop.tsa = no_timestamp ? NULL : &to;
	dop.when = ctx->now;
	if (dss_extend_file(argv[first], out, &dop, &res, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		if (err.code == CF_EPDF)
			rc = CF_EXIT_INPUT;
		if (res.written)
			ctx_error(ctx, "'%s' got the validation data (PAdES B-LT) but no new "
				  "document timestamp", out);
		goto out;
	}
	if (res.nmissing) {
		ctx_error(ctx, "'%s' was not extended: no revocation data for %zu certificate%s: %s",
			  argv[first], res.nmissing, res.nmissing == 1 ? "" : "s", res.missing);
		rc = CF_EXIT_PROBLEM;
		goto out;
	}
	if (ctx->json) {
		json_t *o = json_object();

		jout_set(o, "file", jout_str(out));
		jout_set(o, "signatures", json_integer((json_int_t)res.nsigs));
		jout_set(o, "certificates_added", json_integer((json_int_t)res.ncerts));
		jout_set(o, "ocsp_added", json_integer((json_int_t)res.nocsp));
		jout_set(o, "crl_added", json_integer((json_int_t)res.ncrl));
		jout_set(o, "level", json_string(res.timestamped ? "B-LTA" : "B-LT"));
		if (res.timestamped)
			jout_set(o, "timestamp",
				 json_string(cftime_format_iso(res.tsa.time, when, sizeof(when))));
		jout_print(o);
	} else {
		printf("%s: validation data for %zu signature%s (%zu certificate%s, %zu OCSP "
		       "response%s, %zu CRL%s added)\n", out, res.nsigs, res.nsigs == 1 ? "" : "s",
		       res.ncerts, res.ncerts == 1 ? "" : "s", res.nocsp, res.nocsp == 1 ? "" : "s",
		       res.ncrl, res.ncrl == 1 ? "" : "s");
		if (res.timestamped)
			printf("PAdES B-LTA: document timestamp %s from '%s'\n",
			       ctx_fmt_time(ctx, res.tsa.time, when, sizeof(when)),
			       res.tsa.tsa_name ? res.tsa.tsa_name : "?");
		else
			printf("PAdES B-LT: no new document timestamp (--no-timestamp)\n");
	}
	if (fflush(stdout) || ferror(stdout))
		rc = CF_EXIT_INTERNAL;
out:
	dss_result_release(&res);
	cf_err_release(&err);
	free(tsa_url);
	free(tsa_ca);
	free(tls_ca);
	return rc;
}

const struct cmd cmd_extend = {
	.name = "extend",
	.usage = "casefile extend FILE.pdf [-o OUT.pdf] [--tsa URL | --no-timestamp]\n"
		 "       [--tsa-ca CA.pem] [--tsa-tls-ca CA.pem] [--tsa-timeout SEC] [--ca CA.pem]",
	.summary = "add fresh validation data and a document timestamp (PAdES B-LTA)",
	.help = "The archive renewal of a signed dossier: for every signature and\n"
		"document timestamp in FILE.pdf, the certificate chains of the signer\n"
		"and of each TSA and their revocation data (an OCSP response from the\n"
		"certificate's AIA, else a CRL from its distribution points) go into the\n"
		"PDF's Document Security Store (ETSI EN 319 142-1 DSS, with VRI\n"
		"entries), then a new document timestamp covers the whole file.  Run it\n"
		"before the newest timestamp's TSA certificate expires, and again\n"
		"before the next one's does.  Each step is an incremental update: the\n"
		"signatures stay valid, pdfsig still checks them.\n"
		"\n"
		"The TSA is --tsa URL or the vault's tsa.url (then tsa.ca and\n"
		"tsa.tls_ca too); --tsa-ca names the TSA's CA (its certificates also\n"
		"complete the chains), --ca more CA certificates.  OCSP and CRL fetches\n"
		"follow the TSA's rules: --tsa-timeout (default 15 s) for each, and\n"
		"http_proxy/https_proxy/no_proxy.  --no-timestamp adds the validation\n"
		"data only (B-LT).  Without -o the file is replaced atomically; when\n"
		"some certificate gets no revocation data nothing is written.\n"
		"\n"
		"Exit codes: 0 extended; 1 revocation data missing (the message names\n"
		"each certificate and why); 2 usage; 3 not a signed PDF, or the TSA\n"
		"failed; 5 internal error.\n",
	.flags = 0,
	.run = run_extend,
};

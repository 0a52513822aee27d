/* SPDX-License-Identifier: MIT */
/*
 * cmd_sign — `casefile sign IN.pdf [-o OUT]`: PAdES-sign any PDF with the
 * vault's key, timestamped (B-T) when a TSA is configured or given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/jout.h"
#include "casefile/db.h"
#include "casefile/keys.h"
#include "casefile/pades.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"


static void
print_result(struct cf_ctx *ctx, const char *out, X509 *cert, const char *tsa_url,
	     const struct pades_result *res, int fell_back)
{
	struct pades_signer_info si;
	char when[40];

	pades_signer_info_init(&si, cert, res->timestamped ? tsa_url : NULL);
	if (ctx->json) {
		json_t *o = json_pack("{s:o,s:s,s:o,s:o,s:I,s:I}", "file", jout_str(out),
				      "level", res->timestamped ? "B-T" : "B-B",
				      "signer", jout_str(si.cn),
				      "sha256_fingerprint", jout_str(si.fingerprint),
				      "cms_bytes", JI(res->cms_len),
				      "placeholder_bytes", JI(res->placeholder));

		if (res->timestamped) {
			jout_set(o, "tsa", jout_str(tsa_url));
			jout_set(o, "timestamp", json_string(cftime_format_iso(res->tsa.time, when,
										sizeof(when))));
		}
		jout_set(o, "tsa_fallback", json_boolean(fell_back));
		jout_print(o);
	} else {
		ctx_info(ctx, "signed '%s' as '%s' (certificate SHA-256 %s)", out, si.cn, si.fingerprint);
		if (res->timestamped)
			ctx_info(ctx, "PAdES B-T: timestamp %s from '%s' (%s)",
				 ctx_fmt_time(ctx, res->tsa.time, when, sizeof(when)),
				 res->tsa.tsa_name ? res->tsa.tsa_name : "?", tsa_url);
		else
			ctx_info(ctx, "PAdES B-B: no timestamp (no TSA configured; set one with "
				 "'casefile config tsa.url URL' or --tsa URL)");
	}
	pades_signer_info_release(&si);
}

static enum cf_exit
run_sign(int argc, char **argv, struct cf_ctx *ctx)
{
	const char *out = NULL, *in, *passfile = NULL;
	char *tsa_url = NULL, *tsa_ca = NULL, *tls_ca = NULL, *reason = NULL, *location = NULL,
	     *contact = NULL, *pass = NULL;
	int tsa_optional = 0, no_tsa = 0, first, r, fell_back = 0;
	double timeout = 15;
	struct cf_err err = CF_ERR_INIT;
	struct pades_opts po;
	struct pades_result res;
	struct tsa_opts to;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *chain = NULL;
	enum cf_exit rc = CF_EXIT_OK;
	struct cf_db *db;

	memset(&res, 0, sizeof(res));
	{
		const char *tsa_o = NULL, *ca_o = NULL, *tls_o = NULL, *timeout_o = NULL,
			   *reason_o = NULL, *location_o = NULL, *contact_o = NULL;
		const struct cli_opt opts[] = {
			{ "output", 'o', CLI_VALUE, &out, NULL, 0 },
			{ "tsa", 0, CLI_VALUE, &tsa_o, NULL, 0 },
			{ "tsa-optional", 0, CLI_FLAG, NULL, &tsa_optional, 0 },
			{ "no-tsa", 0, CLI_FLAG, NULL, &no_tsa, 0 },
			{ "tsa-ca", 0, CLI_VALUE, &ca_o, NULL, 0 },
			{ "tsa-timeout", 0, CLI_VALUE, &timeout_o, NULL, 0 },
			{ "tsa-tls-ca", 0, CLI_VALUE, &tls_o, NULL, 0 },
			{ "reason", 0, CLI_VALUE, &reason_o, NULL, 0 },
			{ "location", 0, CLI_VALUE, &location_o, NULL, 0 },
			{ "contact", 0, CLI_VALUE, &contact_o, NULL, 0 },
			{ "passphrase-file", 0, CLI_VALUE, &passfile, NULL, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(r);
		if (ctx_parse_tsa_timeout(ctx, timeout_o, &timeout) < 0)
			return CF_EXIT_USAGE;
		tsa_url = tsa_o ? xstrdup(tsa_o) : NULL;
		tsa_ca = ca_o ? xstrdup(ca_o) : NULL;
		tls_ca = tls_o ? xstrdup(tls_o) : NULL;
		reason = reason_o ? xstrdup(reason_o) : NULL;
		location = location_o ? xstrdup(location_o) : NULL;
		contact = contact_o ? xstrdup(contact_o) : NULL;
	}
	if (first + 1 != argc) {
		rc = ctx_usage(ctx, "sign needs exactly one PDF");
		goto out;
	}
	if (no_tsa && (tsa_url || tsa_optional)) {
		rc = ctx_usage(ctx, "--no-tsa conflicts with --tsa and --tsa-optional");
		goto out;
	}
	in = argv[first];
	if (out == NULL)
		out = in;
	if (ctx_open_vault(ctx) < 0) {
		rc = CF_EXIT_USAGE;
		goto out;
	}
	db = vault_db(ctx->vault);
	if (!tsa_url && !no_tsa)
		tsa_url = db_meta_get(db, "tsa.url");
	if (tsa_url && !*tsa_url) {
		free(tsa_url);
		tsa_url = NULL;
	}
	if (!tsa_ca)
		tsa_ca = db_meta_get(db, "tsa.ca");
	if (!tls_ca)
		tls_ca = db_meta_get(db, "tsa.tls_ca");
	if (!reason)
		reason = db_meta_get(db, "sign.reason");
	if (!location)
		location = db_meta_get(db, "sign.location");
	if (!contact)
		contact = db_meta_get(db, "sign.contact");
	if (keys_read_pass(passfile, ctx->passphrase, &pass, &err) < 0 ||
	    keys_load_pass(ctx->vault_dir, pass, &key, &cert, &chain, &err) < 0)
		goto fail;
	memset(&to, 0, sizeof(to));
	to.url = tsa_url;
	to.timeout_ms = (long)(timeout * 1000);
	to.ca_file = tsa_ca;
	to.tls_ca_file = tls_ca;
	memset(&po, 0, sizeof(po));
	po.reason = reason;
	po.location = location;
	po.contact = contact;
	po.when = ctx->now;
	po.tsa = tsa_url ? &to : NULL;
	if (pades_sign_file(in, out, key, cert, chain, &po, &res, &err) < 0) {
		if (err.code != CF_ENET || !tsa_optional)
			goto fail;
		ctx_warn(ctx, "%s; signing without a timestamp (PAdES B-B) as --tsa-optional allows",
			 err.msg);
		cf_err_release(&err);
		po.tsa = NULL;
		fell_back = 1;
		if (pades_sign_file(in, out, key, cert, chain, &po, &res, &err) < 0)
			goto fail;
	}
	print_result(ctx, out, cert, tsa_url, &res, fell_back);
	goto out;
fail:
	rc = ctx_fail(ctx, &err);
	/* an unreadable, encrypted or broken input PDF is bad input, not a bug */
	if (err.code == CF_EPDF)
		rc = CF_EXIT_INPUT;
	if (err.code == CF_ENET)
		ctx_error(ctx, "'%s' was not signed (use --tsa-optional to sign without a timestamp)", in);
out:
	tsa_info_release(&res.tsa);
	cf_err_release(&err);
	keys_pass_free(pass);
	free(tsa_url);
	free(tsa_ca);
	free(tls_ca);
	free(reason);
	free(location);
	free(contact);
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

const struct cmd cmd_sign = {
	.name = "sign",
	.usage = "casefile sign IN.pdf [-o OUT.pdf] [--tsa URL | --no-tsa] [--tsa-optional]\n"
		 "       [--tsa-ca CA.pem] [--tsa-tls-ca CA.pem] [--tsa-timeout SEC]\n"
		 "       [--reason R] [--location L]\n"
		 "       [--contact C] [--passphrase-file F]",
	.summary = "PAdES-sign a PDF (timestamped when a TSA is configured)",
	.help = "Appends an incremental update holding a PAdES signature (CAdES detached\n"
		"CMS, signing-certificate-v2, no signingTime) made with the vault's key.\n"
		"Without -o the file is replaced atomically; on any failure the output\n"
		"is left untouched.\n"
		"\n"
		"With a TSA (--tsa URL, or 'casefile config tsa.url URL') an RFC 3161\n"
		"timestamp over the signature is embedded: PAdES B-T.  Without one the\n"
		"signature is B-B and the output says so.  A TSA that is down, slow\n"
		"(--tsa-timeout, default 15 s), refuses or answers garbage stops the\n"
		"signing with exit code 3, unless --tsa-optional: then it falls back\n"
		"to B-B with a warning.  --tsa-ca (or config tsa.ca) names the CA the\n"
		"TSA certificate must chain to; --tsa-tls-ca (or config tsa.tls_ca) the\n"
		"CA of an https:// TSA's server certificate (default: the system's).\n"
		"http_proxy, https_proxy and no_proxy are honoured.\n"
		"/Reason, /Location and /ContactInfo\n"
		"default to the config keys sign.reason, sign.location, sign.contact.\n"
		"The key's passphrase comes from --passphrase-file or $CASEFILE_PASSPHRASE.\n",
	.flags = CMD_NEEDS_VAULT,
	.run = run_sign,
};

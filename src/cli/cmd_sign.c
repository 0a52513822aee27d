/* SPDX-License-Identifier: MIT */
/*
 * cmd_sign — `casefile sign IN.pdf [-o OUT]`: PAdES-sign any PDF with the
 * vault's key, timestamped (B-T) when a TSA is configured or given.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/commands.h"
#include "casefile/db.h"
#include "casefile/keys.h"
#include "casefile/pades.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

enum {
	OPT_TSA = CTX_OPT_BASE + 100,
	OPT_TSA_OPTIONAL,
	OPT_NO_TSA,
	OPT_TSA_CA,
	OPT_TSA_TIMEOUT,
	OPT_TSA_TLS_CA,
	OPT_REASON,
	OPT_LOCATION,
	OPT_CONTACT,
	OPT_PASSFILE,
};

static void
print_result(struct cf_ctx *ctx, const char *out, X509 *cert, const char *tsa_url,
	     const struct pades_result *res, int fell_back)
{
	struct pades_signer_info si;
	char when[40];

	pades_signer_info_init(&si, cert, res->timestamped ? tsa_url : NULL);
	if (ctx->json) {
		struct cf_buf b = CF_BUF_INIT;

		cf_buf_addstr(&b, "{\"file\":");
		cf_buf_add_json_str(&b, out, strlen(out));
		cf_buf_addf(&b, ",\"level\":\"%s\",\"signer\":", res->timestamped ? "B-T" : "B-B");
		cf_buf_add_json_str(&b, si.cn, strlen(si.cn));
		cf_buf_addf(&b, ",\"sha256_fingerprint\":\"%s\",\"cms_bytes\":%zu,\"placeholder_bytes\":%zu",
			    si.fingerprint, res->cms_len, res->placeholder);
		if (res->timestamped) {
			cf_buf_addstr(&b, ",\"tsa\":");
			cf_buf_add_json_str(&b, tsa_url, strlen(tsa_url));
			cf_buf_addf(&b, ",\"timestamp\":\"%s\"",
				    cftime_format_iso(res->tsa.time, when, sizeof(when)));
		}
		cf_buf_addf(&b, ",\"tsa_fallback\":%s}\n", fell_back ? "true" : "false");
		fputs(b.data, stdout);
		cf_buf_release(&b);
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
	static const struct option opts[] = {
		CTX_COMMON_OPTIONS,
		{ "output", 1, NULL, 'o' },
		{ "tsa", 1, NULL, OPT_TSA },
		{ "tsa-optional", 0, NULL, OPT_TSA_OPTIONAL },
		{ "no-tsa", 0, NULL, OPT_NO_TSA },
		{ "tsa-ca", 1, NULL, OPT_TSA_CA },
		{ "tsa-timeout", 1, NULL, OPT_TSA_TIMEOUT },
		{ "tsa-tls-ca", 1, NULL, OPT_TSA_TLS_CA },
		{ "reason", 1, NULL, OPT_REASON },
		{ "location", 1, NULL, OPT_LOCATION },
		{ "contact", 1, NULL, OPT_CONTACT },
		{ "passphrase-file", 1, NULL, OPT_PASSFILE },
		{ 0 },
	};
	const char *out = NULL, *in, *passfile = NULL;
	char *tsa_url = NULL, *tsa_ca = NULL, *tls_ca = NULL, *reason = NULL, *location = NULL,
	     *contact = NULL, *pass = NULL, *end;
	int tsa_optional = 0, no_tsa = 0, c, r, fell_back = 0;
	double timeout = 15;
	struct cf_err err = CF_ERR_INIT;
	struct pades_opts po;
	struct pades_result res;
	struct tsa_opts to;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *chain = NULL;
	enum cf_exit rc = CF_EXIT_OK;
	sqlite3 *db;

	memset(&res, 0, sizeof(res));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (out)
				return ctx_usage(ctx, "-o given twice");
			out = optarg;
			break;
		case OPT_TSA: free(tsa_url); tsa_url = xstrdup(optarg); break;
		case OPT_TSA_OPTIONAL: tsa_optional = 1; break;
		case OPT_NO_TSA: no_tsa = 1; break;
		case OPT_TSA_CA: free(tsa_ca); tsa_ca = xstrdup(optarg); break;
		case OPT_TSA_TLS_CA: free(tls_ca); tls_ca = xstrdup(optarg); break;
		case OPT_TSA_TIMEOUT:
			timeout = strtod(optarg, &end);
			if (*end || !(timeout > 0 && timeout <= 600))
				return ctx_usage(ctx, "bad --tsa-timeout '%s' (seconds, 0..600)", optarg);
			break;
		case OPT_REASON: free(reason); reason = xstrdup(optarg); break;
		case OPT_LOCATION: free(location); location = xstrdup(optarg); break;
		case OPT_CONTACT: free(contact); contact = xstrdup(optarg); break;
		case OPT_PASSFILE: passfile = optarg; break;
		case '?':
			rc = ctx_usage(ctx, "unknown option or missing value '%s'", argv[optind - 1]);
			goto out;
		default:
			r = ctx_common_opt(ctx, c, optarg);
			if (r != 1) {
				rc = r < 0 ? CF_EXIT_USAGE : CF_EXIT_OK;
				goto out;
			}
		}
	}
	if (optind + 1 != argc) {
		rc = ctx_usage(ctx, "sign needs exactly one PDF");
		goto out;
	}
	if (no_tsa && (tsa_url || tsa_optional)) {
		rc = ctx_usage(ctx, "--no-tsa conflicts with --tsa and --tsa-optional");
		goto out;
	}
	in = argv[optind];
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

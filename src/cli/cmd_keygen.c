/* SPDX-License-Identifier: MIT */
/*
 * cmd_keygen — `casefile keygen`: create the vault's signing key and a
 * self-signed certificate, or import a merchant's CA-issued one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/jout.h"
#include "casefile/keys.h"
#include "casefile/textenc.h"
#include "casefile/xalloc.h"

static enum cf_exit
run_keygen(int argc, char **argv, struct cf_ctx *ctx)
{
	struct keys_gen_opts g = { NULL, NULL, 0, 1095, 0, NULL };
	const char *passfile = NULL, *import = NULL, *certp = NULL, *chainp = NULL,
		   *ipassfile = NULL;
	struct cf_err err = CF_ERR_INIT;
	char *pass = NULL, *ipass = NULL, *end;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *chain = NULL;
	unsigned char fp[CF_SHA256_LEN];
	char fps[3 * CF_SHA256_LEN], *cn = NULL;
	enum cf_exit rc = CF_EXIT_OK;
	int first, r;

	{
		const char *days = NULL;
		int rsa = 0;
		const struct cli_opt opts[] = {
			{ "cn", 0, CLI_VALUE, &g.cn, NULL, 0 },
			{ "org", 0, CLI_VALUE, &g.org, NULL, 0 },
			{ "rsa", 0, CLI_FLAG, NULL, &rsa, 0 },
			{ "days", 0, CLI_VALUE, &days, NULL, 0 },
			{ "passphrase-file", 0, CLI_VALUE, &passfile, NULL, 0 },
			{ "import", 0, CLI_VALUE, &import, NULL, 0 },
			{ "cert", 0, CLI_VALUE, &certp, NULL, 0 },
			{ "chain", 0, CLI_VALUE, &chainp, NULL, 0 },
			{ "import-passphrase-file", 0, CLI_VALUE, &ipassfile, NULL, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(r);
		if (rsa)
			g.flags |= KEYS_GEN_RSA;
		if (days) {
			g.days = strtol(days, &end, 10);
			if (*end || g.days <= 0 || g.days > 36500)
				return ctx_usage(ctx, "bad --days '%s' (1..36500)", days);
		}
	}
	if (first < argc)
		return ctx_usage(ctx, "keygen takes no arguments");
	if (import && (g.cn || g.org || (g.flags & KEYS_GEN_RSA)))
		return ctx_usage(ctx, "--import cannot be combined with --cn, --org or --rsa");
	if (!import && (certp || chainp || ipassfile))
		return ctx_usage(ctx, "--cert, --chain and --import-passphrase-file need --import");
	/* a certificate's names are UTF8String: bytes that are not UTF-8 are refused */
	for (r = 0; r < 2; r++) {
		const char *v = r ? g.org : g.cn;

		if (v && textenc_utf8_check(v, strlen(v), NULL) != 0) {
			ctx_error(ctx, "%s is not valid UTF-8: give the name as UTF-8 text",
				  r ? "--org" : "--cn");
			return CF_EXIT_INPUT;
		}
	}
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (keys_read_pass(passfile, ctx->passphrase, &pass, &err) < 0)
		goto fail;
	if (import) {
		if (ipassfile && keys_read_pass(ipassfile, ctx->passphrase, &ipass, &err) < 0)
			goto fail;
		if (keys_import(ctx->vault_dir, import, ipass, certp, chainp, pass, &err) < 0)
			goto fail;
	} else {
		g.not_before = ctx->now;
		g.pass = pass;
		if (keys_generate(ctx->vault_dir, &g, &err) < 0)
			goto fail;
	}
	if (keys_load_pass(ctx->vault_dir, pass, &key, &cert, &chain, &err) < 0)
		goto fail;
	keys_cert_fingerprint(cert, fp);
	keys_fingerprint_str(fp, fps, sizeof(fps));
	cn = keys_cert_cn(cert);
	if (ctx->json) {
		jout_print(json_pack("{s:o,s:s,s:s,s:b,s:b}", "subject_cn", jout_str(cn),
				     "algorithm", EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ? "RSA"
											 : "ECDSA",
				     "sha256_fingerprint", fps, "encrypted", pass != NULL,
				     "imported", import != NULL));
	} else {
		ctx_info(ctx, "%s %s key and certificate for '%s' in '%s/keys'%s",
			 import ? "imported" : "created",
			 EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ?
				 (import ? "RSA" : "RSA-3072") : (import ? "ECDSA" : "ECDSA P-256"),
			 cn, ctx->vault_dir, pass ? " (key encrypted)" : "");
		ctx_info(ctx, "certificate SHA-256: %s", fps);
	}
	goto out;
fail:
	rc = ctx_fail(ctx, &err);
out:
	cf_err_release(&err);
	keys_pass_free(pass);
	keys_pass_free(ipass);
	free(cn);
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(chain, X509_free);
	return rc;
}

const struct cmd cmd_keygen = {
	.name = "keygen",
	.usage = "casefile keygen [--cn NAME] [--org SHOP] [--rsa] [--days N] [--passphrase-file F]\n"
		 "       casefile keygen --import FILE.p12|KEY.pem [--cert CERT.pem] [--chain CHAIN.pem]",
	.summary = "create or import the vault's signing key and certificate",
	.help = "Creates an ECDSA P-256 key (RSA-3072 with --rsa) and a self-signed\n"
		"certificate (key usage digitalSignature, nonRepudiation; valid --days,\n"
		"default 1095, from now) in VAULT/keys/.  The key file is created with\n"
		"mode 0600 and never overwritten; a key readable by others is refused.\n"
		"With a passphrase (--passphrase-file, or $CASEFILE_PASSPHRASE) the key\n"
		"is stored encrypted (PKCS#8, AES-256); signing then needs the same.\n"
		"An empty $CASEFILE_PASSPHRASE is refused: unset it for no passphrase.\n"
		"\n"
		"--import reads a PKCS#12 file (its passphrase from\n"
		"--import-passphrase-file) or a PEM private key with --cert and\n"
		"optionally --chain: a merchant's CA-issued certificate.  A PEM key or\n"
		"passphrase file readable by group or others is refused (chmod 600).\n"
		"Every key problem exits 3 and says how to fix it.\n"
		"Ed25519 is not offered: OpenSSL 3.0 CMS and poppler's pdfsig cannot\n"
		"verify it in PDF signatures.\n",
	.run = run_keygen,
};

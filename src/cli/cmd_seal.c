/* SPDX-License-Identifier: MIT */
/*
 * cmd_seal — `casefile seal [--tsa URL]`: close the ledger at its current
 * size with a signed, timestamped tree head.
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
#include "casefile/seal.h"
#include "casefile/tsa.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

enum {
	OPT_TSA = CTX_OPT_BASE + 100,
	OPT_TSA_CA,
	OPT_TSA_TLS_CA,
	OPT_TSA_TIMEOUT,
	OPT_PASSFILE,
};

/* A value from the vault settings, NULL when unset or empty. */
static char *
setting(sqlite3 *db, const char *key)
{
	char *v = db_meta_get(db, key);

	if (v && *v == '\0') {
		free(v);
		v = NULL;
	}
	return v;
}

static enum cf_exit
run_seal(int argc, char **argv, struct cf_ctx *ctx)
{
	static const struct option opts[] = {
		CTX_COMMON_OPTIONS,
		{ "tsa", 1, NULL, OPT_TSA },
		{ "tsa-ca", 1, NULL, OPT_TSA_CA },
		{ "tsa-tls-ca", 1, NULL, OPT_TSA_TLS_CA },
		{ "tsa-timeout", 1, NULL, OPT_TSA_TIMEOUT },
		{ "passphrase-file", 1, NULL, OPT_PASSFILE },
		{ 0 },
	};
	struct cf_err err = CF_ERR_INIT;
	struct seal_opts so;
	struct seal_head head;
	struct tsa_opts to;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *chain = NULL;
	char *tsa = NULL, *tsa_ca = NULL, *tls_ca = NULL, *pass = NULL, *end;
	char *kept = NULL, *mirror = NULL;
	char hex[CF_SHA256_HEXLEN + 1], when[32];
	const char *tsa_opt = NULL, *ca_opt = NULL, *tls_opt = NULL, *passfile = NULL;
	double timeout = 15;
	uint64_t backfilled = 0;
	enum cf_exit rc = CF_EXIT_OK;
	sqlite3 *db;
	int c, r, sealed = 0;

	memset(&head, 0, sizeof(head));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_TSA) {
			if (tsa_opt)
				return ctx_usage(ctx, "option '--tsa' given twice");
			if (*optarg == '\0')
				return ctx_usage(ctx, "option '--tsa' needs a URL");
			tsa_opt = optarg;
			continue;
		}
		if (c == OPT_TSA_CA || c == OPT_TSA_TLS_CA || c == OPT_PASSFILE) {
			const char **slot = c == OPT_TSA_CA ? &ca_opt :
					    c == OPT_TSA_TLS_CA ? &tls_opt : &passfile;

			if (*slot)
				return ctx_usage(ctx, "option '%s' given twice", argv[optind - 1]);
			*slot = optarg;
			continue;
		}
		if (c == OPT_TSA_TIMEOUT) {
			timeout = strtod(optarg, &end);
			if (*end || !(timeout > 0 && timeout <= 600))
				return ctx_usage(ctx, "bad --tsa-timeout '%s' (seconds, 0..600)", optarg);
			continue;
		}
		if (c == '?')
			return ctx_usage(ctx, "unknown option or missing value '%s'", argv[optind - 1]);
		r = ctx_common_opt(ctx, c, optarg);
		if (r < 0)
			return CF_EXIT_USAGE;
		if (r == 2)
			return CF_EXIT_OK;
	}
	if (optind < argc)
		return ctx_usage(ctx, "seal takes no arguments");
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	db = vault_db(ctx->vault);
	/* `casefile config tsa.url URL` (older vaults: "tsa"). */
	tsa = tsa_opt ? xstrdup(tsa_opt) : setting(db, "tsa.url");
	if (tsa == NULL && tsa_opt == NULL)
		tsa = setting(db, "tsa");
	tsa_ca = ca_opt ? xstrdup(ca_opt) : setting(db, "tsa.ca");
	tls_ca = tls_opt ? xstrdup(tls_opt) : setting(db, "tsa.tls_ca");
	if (keys_read_pass(passfile, ctx->passphrase, &pass, &err) < 0 ||
	    keys_load_pass(vault_dir(ctx->vault), pass, &key, &cert, &chain, &err) < 0) {
		/* as every command that loads the key: no key is a usage error (2),
		 * a key problem bad input (3), the system failing 5 */
		goto fail;
	}
	memset(&to, 0, sizeof(to));
	to.timeout_ms = (long)(timeout * 1000);
	to.ca_file = tsa_ca;
	to.tls_ca_file = tls_ca;
	memset(&so, 0, sizeof(so));
	so.key = key;
	so.tsa_url = tsa;
	so.cookie = &to;
	so.now = (int64_t)ctx->now;
	seal_kept_dirs(db, vault_dir(ctx->vault), &kept, &mirror);
	so.kept_dir = kept;
	so.mirror_dir = mirror;
	if (seal_run(db, &so, &head, &sealed, &backfilled, &err) < 0)
		goto fail;
	cf_hex_encode(head.root, CF_SHA256_LEN, hex);
	if (backfilled)	/* rows from before the ledger, or inserted around ingest */
		ctx_info(ctx, "added %llu evidence rows without a leaf to the ledger",
			 (unsigned long long)backfilled);
	if (ctx->json) {
		struct cf_buf b = CF_BUF_INIT;

		cf_buf_addf(&b, "{\"sealed\":%s,\"tree_size\":%llu,\"prev_size\":%llu,"
			    "\"new_leaves\":%llu,\"backfilled\":%llu",
			    sealed ? "true" : "false", (unsigned long long)head.tree_size,
			    (unsigned long long)(sealed ? head.prev_size : head.tree_size),
			    (unsigned long long)(sealed ? head.tree_size - head.prev_size : 0),
			    (unsigned long long)backfilled);
		if (head.tree_size) {
			cf_buf_addf(&b, ",\"root\":\"%s\",\"created_at\":\"%s\",\"timestamped\":%s",
				    hex, cftime_format_iso(head.created_at, when, sizeof(when)),
				    head.tst ? "true" : "false");
			cf_buf_addstr(&b, ",\"checkpoint\":");
			cf_buf_add_json_str(&b, head.checkpoint, head.checkpoint_len);
		}
		cf_buf_addstr(&b, "}\n");
		fwrite(b.data, 1, b.len, stdout);
		cf_buf_release(&b);
	} else if (!sealed && head.tree_size == 0) {
		ctx_info(ctx, "nothing to seal: the ledger is empty");
	} else if (!sealed) {
		ctx_info(ctx, "nothing new to seal: tree size %llu is sealed already",
			 (unsigned long long)head.tree_size);
	} else {
		ctx_info(ctx, "sealed tree size %llu (%llu new leaves), root %s",
			 (unsigned long long)head.tree_size,
			 (unsigned long long)(head.tree_size - head.prev_size), hex);
		if (head.tst)
			ctx_info(ctx, "timestamped by '%s'", head.tsa_url);
		else
			ctx_info(ctx, "signed, not timestamped: no TSA configured (--tsa URL, or "
				 "'tsa.url' in the vault settings)");
	}
	goto out;
fail:
	rc = ctx_fail(ctx, &err);
out:
	seal_head_release(&head);
	EVP_PKEY_free(key);
	X509_free(cert);
	sk_X509_pop_free(chain, X509_free);
	keys_pass_free(pass);
	free(tsa);
	free(tsa_ca);
	free(tls_ca);
	free(kept);
	free(mirror);
	cf_err_release(&err);
	return rc;
}

const struct cmd cmd_seal = {
	.name = "seal",
	.usage = "casefile seal [--tsa URL] [--tsa-ca CA.pem] [--tsa-tls-ca CA.pem]\n"
		 "       [--tsa-timeout SEC] [--passphrase-file F] [--json] [--quiet]",
	.summary = "close the ledger: signed, timestamped tree head",
	.help = "Seals the evidence ledger at its current size N: computes the Merkle\n"
		"tree head (N, root), signs it with the vault key as a C2SP checkpoint,\n"
		"gets an RFC 3161 timestamp token over the checkpoint from the TSA\n"
		"(--tsa URL, else the vault setting 'tsa.url'), and stores it with the\n"
		"consistency proof from the previous head.  One timestamp proves the\n"
		"existence time of every item sealed so far.  --tsa-ca (or 'tsa.ca')\n"
		"names the CA the TSA certificate must chain to, --tsa-tls-ca (or\n"
		"'tsa.tls_ca') the CA of an https:// TSA's server certificate; the TSA\n"
		"must answer within --tsa-timeout seconds (default 15).  An encrypted\n"
		"vault key is opened with --passphrase-file or $CASEFILE_PASSPHRASE.\n"
		"\n"
		"Every checkpoint is also kept, before its head is stored, as a numbered\n"
		"file in VAULT/checkpoints/ and in the folder named by the vault setting\n"
		"'seal.mirror' (if set; a mirror that cannot be written fails the seal).\n"
		"A seal interrupted after keeping its checkpoint is completed by the next.\n"
		"\n"
		"Sealing when nothing was added since the last seal changes nothing and\n"
		"says so (exit 0).  Evidence rows from before the ledger existed are\n"
		"added as leaves first.\n"
		"\n"
		"exit codes: 0 sealed or nothing new; 1 the ledger no longer matches the\n"
		"last head, or the kept checkpoints disagree with the heads (run\n"
		"'casefile audit'); 2 usage, no vault or no vault key;\n"
		"3 the TSA failed (nothing was stored); 5 internal error\n"
		"\nexample (cron):\n  casefile import orders-$(date +%F).zip && casefile seal --quiet\n",
	.flags = CMD_NEEDS_VAULT | CMD_WRITES,
	.run = run_seal,
};

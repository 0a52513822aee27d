/* SPDX-License-Identifier: MIT */
/*
 * cmd_seal — `casefile seal [--tsa URL]`: close the ledger at its current
 * size with a signed, timestamped tree head.
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
#include "casefile/seal.h"
#include "casefile/tsa.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"


static enum cf_exit
run_seal(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct seal_opts so;
	struct seal_head head;
	struct tsa_opts to;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *chain = NULL;
	char *tsa = NULL, *tsa_ca = NULL, *tls_ca = NULL, *pass = NULL;
	char *kept = NULL, *mirror = NULL;
	char hex[CF_SHA256_HEXLEN + 1], when[32];
	const char *tsa_opt = NULL, *ca_opt = NULL, *tls_opt = NULL, *passfile = NULL;
	double timeout = 15;
	uint64_t backfilled = 0;
	enum cf_exit rc = CF_EXIT_OK;
	struct cf_db *db;
	int first, r, sealed = 0, again = 0;
	char *require = NULL;

	memset(&head, 0, sizeof(head));
	{
		const char *timeout_opt = NULL;
		const struct cli_opt opts[] = {
			{ "tsa", 0, CLI_VALUE, &tsa_opt, NULL, 0 },
			{ "tsa-ca", 0, CLI_VALUE, &ca_opt, NULL, 0 },
			{ "tsa-tls-ca", 0, CLI_VALUE, &tls_opt, NULL, 0 },
			{ "tsa-timeout", 0, CLI_VALUE, &timeout_opt, NULL, 0 },
			{ "passphrase-file", 0, CLI_VALUE, &passfile, NULL, 0 },
			{ "timestamp", 0, CLI_FLAG, NULL, &again, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(r);
		if (tsa_opt && *tsa_opt == '\0')
			return ctx_usage(ctx, "option '--tsa' needs a URL");
		if (ctx_parse_tsa_timeout(ctx, timeout_opt, &timeout) < 0)
			return CF_EXIT_USAGE;
	}
	if (first < argc)
		return ctx_usage(ctx, "seal takes no arguments");
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	db = vault_db(ctx->vault);
	/* `casefile config tsa.url URL` (older vaults: "tsa"). */
	tsa = tsa_opt ? xstrdup(tsa_opt) : db_setting(db, "tsa.url");
	if (tsa == NULL && tsa_opt == NULL)
		tsa = db_setting(db, "tsa");
	tsa_ca = ca_opt ? xstrdup(ca_opt) : db_setting(db, "tsa.ca");
	tls_ca = tls_opt ? xstrdup(tls_opt) : db_setting(db, "tsa.tls_ca");
	require = db_setting(db, "tsa.require");
	if (again && tsa == NULL) {
		rc = ctx_usage(ctx, "--timestamp needs a TSA: --tsa URL, or 'casefile config "
			       "tsa.url URL' (see the README, \"Choosing a TSA\")");
		goto out;
	}
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
	so.tsa_require = require ? atoi(require) : 1;
	so.timestamp_again = again;
	so.cookie = &to;
	so.now = (int64_t)ctx->now;
	seal_kept_dirs(db, vault_dir(ctx->vault), &kept, &mirror);
	so.kept_dir = kept;
	so.mirror_dir = mirror;
	if (seal_run(db, &so, &head, &sealed, &backfilled, &err) < 0)
		goto fail;
	if (head.tree_size && seal_head_tokens(db, &head, &err) < 0)
		goto fail;
	cf_hex_encode(head.root, CF_SHA256_LEN, hex);
	if (backfilled)	/* rows from before the ledger, or inserted around ingest */
		ctx_info(ctx, "added %llu evidence rows without a leaf to the ledger",
			 (unsigned long long)backfilled);
	if (ctx->json) {
		json_t *o = json_pack("{s:b,s:I,s:I,s:I,s:I}", "sealed", sealed,
				      "tree_size", JI(head.tree_size),
				      "prev_size", JI(sealed ? head.prev_size : head.tree_size),
				      "new_leaves", JI(sealed ? head.tree_size - head.prev_size : 0),
				      "backfilled", JI(backfilled));

		if (head.tree_size) {
			jout_set(o, "root", json_string(hex));
			jout_set(o, "created_at", json_string(cftime_format_iso(head.created_at, when,
										 sizeof(when))));
			jout_set(o, "timestamped", json_boolean(head.tst != NULL));
			jout_set(o, "tokens", json_integer(head.tst ? 1 + (json_int_t)head.nextra : 0));
			jout_set(o, "stamped_now", json_integer((json_int_t)head.stamped_now));
			jout_set(o, "checkpoint", jout_strn(head.checkpoint, head.checkpoint_len));
		}
		jout_print(o);
	} else if (!sealed && head.stamped_now) {
		ctx_info(ctx, "timestamped tree head %llu (sealed before): %zu token%s, first from '%s'",
			 (unsigned long long)head.tree_size, head.stamped_now,
			 head.stamped_now == 1 ? "" : "s", head.tsa_url ? head.tsa_url : "?");
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
			ctx_info(ctx, "timestamped by '%s'%s", head.tsa_url,
				 head.nextra ? " and further TSAs (tsa.require)" : "");
	}
	/* once a run, after whatever else was said (stdout: a notice, not a failure) */
	if (!head.tst && head.tree_size)
		ctx_info(ctx, "warning: tree head %llu is signed, not timestamped: no TSA is set "
			 "(casefile config tsa.url URL; see the README, \"Choosing a TSA\")",
			 (unsigned long long)head.tree_size);
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
	free(require);
	free(kept);
	free(mirror);
	cf_err_release(&err);
	return rc;
}

const struct cmd cmd_seal = {
	.name = "seal",
	.usage = "casefile seal [--tsa URL[,URL...]] [--timestamp] [--tsa-ca CA.pem]\n"
		 "       [--tsa-tls-ca CA.pem] [--tsa-timeout SEC] [--passphrase-file F]\n"
		 "       [--json] [--quiet]",
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
		"TSAs: --tsa (or 'tsa.url') may list several, comma-separated; they are\n"
		"asked in order until one answers, or, with the setting tsa.require = N,\n"
		"until N TSAs signing with different keys gave a token each.\n"
		"\n"
		"Sealing when nothing was added since the last seal changes nothing and\n"
		"says so (exit 0) -- unless the latest head has no timestamp (a TSA set\n"
		"after it was sealed): then it is timestamped now.  --timestamp adds\n"
		"fresh tokens to the latest head even when it has one.  Without a TSA\n"
		"seal warns once that the head is not timestamped.  Evidence rows from before the ledger existed are\n"
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

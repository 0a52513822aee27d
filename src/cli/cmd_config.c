/* SPDX-License-Identifier: MIT */
/*
 * cmd_config — `casefile config [KEY [VALUE]] [--unset KEY]`: list, get,
 * set and unset the vault settings kept in the meta table.
 *
 * Only known keys are accepted, each with its own validator; values are
 * stored normalised (sizes in bytes), so readers never re-parse suffixes.
 * Internal meta rows (vault_id, created_at, ...) are not settings and are
 * neither listed nor writable here.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/bundle.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/jout.h"
#include "casefile/config.h"
#include "casefile/db.h"
#include "casefile/kept.h"
#include "casefile/profile.h"
#include "casefile/seal.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

static enum cf_exit
unknown_key(struct cf_ctx *ctx, const char *key)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t i;

	for (i = 0; i < config_nkeys(); i++)
		cf_buf_addf(&b, "%s%s", i ? ", " : "", config_key(i)->name);
	ctx_error(ctx, "unknown setting '%s' (known: %s)", key, b.data);
	cf_buf_release(&b);
	fprintf(stderr, "try 'casefile config --help'\n");
	return CF_EXIT_USAGE;
}

static void
print_value(struct cf_ctx *ctx, json_t *json, const struct config_key *k,
	    const char *val, int is_default, int list)
{
	if (ctx->json) {
		jout_set(json, k->name, json_pack("{s:o,s:b,s:s}", "value", jout_str(val),
						  "default", is_default, "description", k->desc));
	} else if (val) {
		printf("%s=%s%s\n", k->name, val, is_default ? "  (default)" : "");
		if (list)
			printf("    %s\n", k->desc);
	} else if (list) {
		/* every known setting, so a new user learns that it exists */
		printf("%s  (unset)\n    %s\n", k->name, k->desc);
	}
}

/* A profile named by a setting must exist; on failure *norm is freed. */
static int
profile_exists(const char *name, char **norm, struct cf_err *err)
{
	struct profile *p = NULL;

	if (profile_find(name, &p, err) < 0) {
		free(*norm);
		*norm = NULL;
		return -1;
	}
	profile_free(p);
	return 0;
}

static int
fill_mirror(struct cf_ctx *ctx, const char *mirror, struct cf_err *err)
{
	char *kept = vault_path_new(ctx->vault, KEPT_DIR);
	int r = seal_kept_mirror(kept, mirror, err);

	free(kept);
	return r;
}

static enum cf_exit
run_config(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	json_t *json = NULL;
	const struct config_key *k = NULL;
	const char *unset = NULL;
	char *val = NULL, *norm = NULL;
	struct cf_db *db;
	enum cf_exit rc = CF_EXIT_OK;
	int first, r;
	size_t i;

	{
		const struct cli_opt opts[] = {
			{ "unset", 0, CLI_VALUE, &unset, NULL, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(r);
	}
	argc -= first;
	argv += first;
	if (argc > 2)
		return ctx_usage(ctx, "too many arguments");
	if (unset && argc > 0)
		return ctx_usage(ctx, "--unset takes no other arguments");
	if (unset && (k = config_find(unset)) == NULL)
		return unknown_key(ctx, unset);
	if (argc >= 1 && (k = config_find(argv[0])) == NULL)
		return unknown_key(ctx, argv[0]);
	if (argc == 2 && (config_check(k, argv[1], &norm, &err) < 0 ||
			  (config_names_profile(k) && profile_exists(argv[1], &norm, &err) < 0))) {
		ctx_error(ctx, "bad value for '%s': %s", k->name, err.msg);
		cf_err_release(&err);
		return CF_EXIT_USAGE;
	}
	if (ctx_open_vault(ctx) < 0) {
		free(norm);
		return CF_EXIT_USAGE;
	}
	db = vault_db(ctx->vault);
	if (unset) {
		if (config_unset(db, k, &err) < 0)
			goto fail;
		goto out;
	}
	if (argc == 2) {
		/* A new mirror gets the checkpoints kept so far, or is refused. */
		if (strcmp(k->name, "seal.mirror") == 0 && fill_mirror(ctx, norm, &err) < 0) {
			if (err.code != CF_EVERIFY)
				goto fail;
			/* another vault's folder: refused like any bad value */
			ctx_error(ctx, "bad value for '%s': %s", k->name, err.msg);
			rc = CF_EXIT_USAGE;
			goto out;
		}
		if (db_meta_set(db, k->name, norm, &err) < 0)
			goto fail;
		goto out;
	}
	if (ctx->json)
		json = json_object();
	if (argc == 1) {
		val = db_meta_get(db, k->name);
		if (val == NULL && k->def == NULL) {
			/* Unset without a default: nothing to print (git config). */
			rc = CF_EXIT_PROBLEM;
			if (ctx->json)
				print_value(ctx, json, k, NULL, 0, 0);
		} else if (!ctx->json) {
			printf("%s\n", val ? val : k->def);
		} else {
			print_value(ctx, json, k, val ? val : k->def, val == NULL, 0);
		}
		free(val);
		val = NULL;
	} else {
		for (i = 0; i < config_nkeys(); i++) {
			k = config_key(i);
			val = db_meta_get(db, k->name);
			print_value(ctx, json, k, val ? val : k->def, val == NULL, 1);
			free(val);
			val = NULL;
		}
	}
	if (ctx->json) {
		jout_print(json);
		json = NULL;
	}
	goto out;
fail:
	rc = ctx_fail(ctx, &err);
out:
	json_decref(json);
	cf_err_release(&err);
	free(norm);
	return rc;
}

const struct cmd cmd_config = {
	.name = "config",
	.usage = "casefile config [KEY [VALUE]] [--unset KEY] [--json]",
	.summary = "list, get or set vault settings (TSA, import limits, signer)",
	.help = "With no argument, lists every known setting with its value (defaults\n"
		"marked, unset ones too) and a one-line description.  With KEY,\n"
		"prints its value (exit 1 when it is unset and has no default, like\n"
		"git config).  With KEY VALUE, checks and stores the value.\n"
		"\nsettings:\n"
		"  tsa.url                 RFC 3161 timestamp server, http(s)://...\n"
		"  tsa.ca                  CA certificate (PEM file) the TSA's tokens must chain\n"
		"                          to; stored as an absolute path\n"
		"  tsa.tls_ca              CA certificate (PEM file) of an https TSA's server\n"
		"  import.max_entry_size   largest bundle entry, bytes; K M G T suffixes\n"
		"                          (default 4G)\n"
		"  import.max_ratio        largest decompressed/compressed ratio of an\n"
		"                          entry, compression-bomb guard (default 200)\n"
		"  import.max_entries      most entries read from one bundle (default 1000000)\n"
		"  import.ignore           comma-separated shell patterns: a file or folder\n"
		"                          outside the order folders whose name matches is\n"
		"                          skipped quietly instead of refused (default:\n"
		"                          summary spreadsheets and screenshot folders,\n"
		"                          " CONFIG_IMPORT_IGNORE "; 'none' for none)\n"
		"  order.id_pattern        what an order id looks like, for ingest and import:\n"
		"                          a POSIX extended regular expression matching the\n"
		"                          whole id (default ^[0-9]{6,32}$); bundle folders\n"
		"                          that do not match are not orders\n"
		"  sign.reason, sign.location, sign.contact\n"
		"                          text placed in PDF signatures\n"
		"  shop.name               the shop, shown on dossiers and in exports\n"
		"  shop.agents             the shop's customer-service names, comma-separated\n"
		"                          (客服-阿青, 小青): chat senders with these names are\n"
		"                          the merchant in 飞鸽-style transcripts\n"
		"  dispute.profile         default platform profile for disputes (douyin, ...)\n"
		"  dossier.max_bytes       largest dossier PDF `build` writes, bytes; K M G T\n"
		"                          suffixes (default and most: 9999999999, the\n"
		"                          offsets a PDF cross-reference table can name)\n"
		"  seal.mirror             an existing folder (another disk, a mounted share)\n"
		"                          that every seal also writes its checkpoint to;\n"
		"                          audit checks it; stored as an absolute path\n"
		"\nexamples:\n"
		"  casefile config import.max_entry_size 512M\n"
		"  casefile config order.id_pattern '^[A-Z]{2}[0-9]{10,20}$'\n"
		"  casefile config --unset tsa.url\n",
	.flags = CMD_NEEDS_VAULT | CMD_WRITES,
	.run = run_config,
};

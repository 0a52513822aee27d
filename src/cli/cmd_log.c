/* SPDX-License-Identifier: MIT */
/*
 * cmd_log — `casefile log [--json]`: list the sealed tree heads.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/base64.h"
#include "casefile/buf.h"
#include "casefile/checkpoint.h"
#include "casefile/cftime.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/db_sqlite.h"
#include "casefile/jout.h"
#include "casefile/db.h"
#include "casefile/ledger.h"
#include "casefile/logexport.h"
#include "casefile/proofs.h"
#include "casefile/xalloc.h"
#include "casefile/seal.h"
#include "casefile/vault.h"

static json_t *
json_head(const struct seal_head *h)
{
	char hex[CF_SHA256_HEXLEN + 1], when[32];
	json_t *proof = json_array(), *tst = json_null();
	size_t i;

	for (i = 0; i < h->nconsistency; i++) {
		cf_hex_encode(h->consistency[i], CF_SHA256_LEN, hex);
		json_array_append_new(proof, json_string(hex));
	}
	if (h->tst) {
		struct cf_buf b = CF_BUF_INIT;

		base64_encode(h->tst, h->tst_len, &b);
		json_decref(tst);
		tst = jout_strn(b.data, b.len);
		cf_buf_release(&b);
	}
	cf_hex_encode(h->root, CF_SHA256_LEN, hex);
	return json_pack("{s:I,s:s,s:s,s:I,s:o,s:o,s:o,s:o}", "tree_size", JI(h->tree_size),
			 "root_hash", hex, "created_at",
			 cftime_format_iso(h->created_at, when, sizeof(when)),
			 "prev_size", JI(h->prev_size), "consistency_proof", proof,
			 "checkpoint", jout_strn(h->checkpoint, h->checkpoint_len),
			 "checkpoint_timestamp", tst, "tsa_url", jout_str(h->tsa_url));
}

static int
count_leafless(struct cf_db *db, uint64_t *n, struct cf_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (db_prepare(db, "SELECT count(*) FROM evidence WHERE leaf_index IS NULL", &st, err) < 0)
		return -1;
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : db_err(db, err, "cannot count evidence rows");
}

/* `log --proofs ID...`: print proofs.json for those evidence rows. */
static enum cf_exit
print_proofs(struct cf_ctx *ctx, int argc, char **argv)
{
	struct cf_err err = CF_ERR_INIT;
	int64_t *ids;
	char *json = NULL;
	size_t len = 0;
	int i;
	enum cf_exit rc = CF_EXIT_OK;

	if (argc == 0)
		return ctx_usage(ctx, "--proofs needs evidence ids");
	ids = xcalloc((size_t)argc, sizeof(*ids));
	for (i = 0; i < argc; i++) {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(argv[i], &end, 10);
		if (*argv[i] == '\0' || *end || v < 1 || errno) {
			free(ids);
			return ctx_usage(ctx, "bad evidence id '%s'", argv[i]);
		}
		ids[i] = v;
	}
	if (proofs_json_new(vault_db(ctx->vault), ids, (size_t)argc, &json, &len, &err) < 0)
		rc = ctx_fail(ctx, &err);
	else
		fwrite(json, 1, len, stdout);
	free(json);
	free(ids);
	cf_err_release(&err);
	return rc;
}

/* `log --export DIR`: the history for an outside auditor (logexport.h). */
static enum cf_exit
export_log(struct cf_ctx *ctx, const char *dir)
{
	struct cf_err err = CF_ERR_INIT;
	struct log_export_stats st;
	enum cf_exit rc = CF_EXIT_OK;

	if (log_export(vault_db(ctx->vault), vault_dir(ctx->vault), dir, &st, &err) < 0)
		rc = ctx_fail(ctx, &err);
	else if (ctx->json)
		jout_print(json_pack("{s:o,s:I,s:I,s:I}", "dir", jout_str(dir), "heads", JI(st.heads),
				     "tokens", JI(st.tokens), "consistency_proofs", JI(st.proofs)));
	else
		ctx_info(ctx, "exported %zu tree heads, %zu timestamp tokens, %zu consistency "
			 "proofs, the certificate and the verifier key to '%s'", st.heads, st.tokens,
			 st.proofs, dir);
	cf_err_release(&err);
	return rc;
}

/* `log --check OLD_CHECKPOINT`: does the log extend a checkpoint kept earlier? */
static enum cf_exit
check_log(struct cf_ctx *ctx, const char *path)
{
	struct cf_err err = CF_ERR_INIT;
	struct log_check_result r;
	struct cf_buf note = CF_BUF_INIT;
	char hex[CF_SHA256_HEXLEN + 1];
	enum cf_exit rc = CF_EXIT_OK;
	FILE *f = fopen(path, "rb");
	size_t i, got;
	char chunk[4096];

	memset(&r, 0, sizeof(r));
	if (f == NULL) {
		cf_err_errno(&err, CF_EINPUT, "cannot read '%s'", path);
		goto fail;
	}
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0 && note.len <= CHECKPOINT_MAX_LEN)
		cf_buf_add(&note, chunk, got);
	fclose(f);
	if (note.len > CHECKPOINT_MAX_LEN) {
		cf_err_set(&err, CF_EINPUT, "'%s' is larger than a checkpoint can be", path);
		goto fail;
	}
	if (log_check(vault_db(ctx->vault), vault_dir(ctx->vault), note.data ? note.data : "",
		      note.len, &r, &err) < 0) {
		cf_err_prefix(&err, "'%s'", path);
		goto fail;
	}
	cf_hex_encode(r.head_root, CF_SHA256_LEN, hex);
	if (ctx->json) {
		struct cf_buf b = CF_BUF_INIT;

		cf_buf_addf(&b, "{\"extends\":true,\"old_size\":%llu,\"head_size\":%llu,"
			    "\"head_root\":\"%s\",\"consistency_proof\":[",
			    (unsigned long long)r.old_size, (unsigned long long)r.head_size, hex);
		for (i = 0; i < r.nproof; i++) {
			cf_hex_encode(r.proof[i], CF_SHA256_LEN, hex);
			cf_buf_addf(&b, "%s\"%s\"", i ? "," : "", hex);
		}
		cf_buf_addstr(&b, "]}\n");
		fwrite(b.data, 1, b.len, stdout);
		cf_buf_release(&b);
	} else
		ctx_info(ctx, "the log extends the checkpoint of %llu leaves: tree head %llu "
			 "(root %s) contains it, consistency proof of %zu hashes verified",
			 (unsigned long long)r.old_size, (unsigned long long)r.head_size, hex,
			 r.nproof);
	goto out;
fail:
	rc = ctx_fail(ctx, &err);
out:
	log_check_result_release(&r);
	cf_buf_release(&note);
	cf_err_release(&err);
	return rc;
}

static enum cf_exit
run_log(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct seal_head *heads = NULL;
	size_t n = 0, i;
	uint64_t size = 0, leafless = 0, unsealed;
	int first, r, proofs = 0;
	const char *export_dir = NULL, *check_file = NULL;
	enum cf_exit rc = CF_EXIT_OK;

	{
		const struct cli_opt opts[] = {
			{ "proofs", 0, CLI_FLAG, NULL, &proofs, 0 },
			{ "export", 0, CLI_VALUE, &export_dir, NULL, CLI_NONEMPTY },
			{ "check", 0, CLI_VALUE, &check_file, NULL, CLI_NONEMPTY },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(r);
	}
	if (!proofs && first < argc)
		return ctx_usage(ctx, "log takes no arguments");
	if (proofs + !!export_dir + !!check_file > 1)
		return ctx_usage(ctx, "--proofs, --export and --check go one at a time");
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (proofs)
		return print_proofs(ctx, argc - first, argv + first);
	if (export_dir)
		return export_log(ctx, export_dir);
	if (check_file)
		return check_log(ctx, check_file);
	if (seal_heads(vault_db(ctx->vault), &heads, &n, &err) < 0 ||
	    ledger_size(vault_db(ctx->vault), &size, &err) < 0 ||
	    count_leafless(vault_db(ctx->vault), &leafless, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	unsealed = size - (n ? heads[n - 1].tree_size : 0) + leafless;
	if (ctx->json) {
		json_t *list = json_array();

		for (i = 0; i < n; i++)
			json_array_append_new(list, json_head(&heads[i]));
		jout_print(json_pack("{s:I,s:I,s:o}", "ledger_size", JI(size),
				     "unsealed", JI(unsealed), "heads", list));
		goto out;
	}
	if (ctx->quiet)
		goto out;
	for (i = n; i-- > 0;) {
		char hex[CF_SHA256_HEXLEN + 1], when[32];

		char gen[32];
		int64_t t = -1;

		cf_hex_encode(heads[i].root, CF_SHA256_LEN, hex);
		printf("head %llu  %s  root %s  ", (unsigned long long)heads[i].tree_size,
		       ctx_fmt_time(ctx, heads[i].created_at, when, sizeof(when)), hex);
		if (heads[i].tst == NULL) {
			printf("not timestamped\n");
			continue;
		}
		/* the token's own time is the proof; say so only when it checks out */
		if (seal_token_check(heads[i].tst, heads[i].tst_len, heads[i].checkpoint,
				     heads[i].checkpoint_len, &t, &err) < 0) {
			printf("timestamp does not check: %s\n", err.msg);
			cf_err_release(&err);
			continue;
		}
		printf("timestamped %s by '%s'\n", ctx_fmt_time(ctx, t, gen, sizeof(gen)),
		       heads[i].tsa_url ? heads[i].tsa_url : "?");
	}
	if (n == 0)
		printf("no tree heads: nothing sealed yet (%llu evidence rows)\n",
		       (unsigned long long)unsealed);
	else if (unsealed)
		printf("%llu evidence rows not yet sealed (last head %llu)\n",
		       (unsigned long long)unsealed, (unsigned long long)heads[n - 1].tree_size);
out:
	seal_heads_free(heads, n);
	cf_err_release(&err);
	return rc;
}

const struct cmd cmd_log = {
	.name = "log",
	.usage = "casefile log [--json] | casefile log --proofs EVIDENCE_ID...\n"
		 "       casefile log --export DIR | casefile log --check OLD_CHECKPOINT",
	.summary = "list the sealed tree heads of the ledger",
	.help = "Lists the ledger's tree heads, newest first: tree size, seal time, root\n"
		"hash and whether an RFC 3161 timestamp covers it; then how many leaves\n"
		"are not yet sealed.  --json adds the signed checkpoint text, the token\n"
		"(base64 DER) and the consistency proof from the previous head.\n"
		"\n"
		"--proofs EVIDENCE_ID... prints the proofs.json document (the one attached\n"
		"to dossiers) for those evidence rows: each one's leaf, its inclusion proof\n"
		"against the latest tree head, and that head's checkpoint and timestamp.\n"
		"\n"
		"--export DIR writes the whole history for an outside auditor: every\n"
		"checkpoint (checkpoints/NNNNNNNN.txt) and its timestamp tokens (.tsr),\n"
		"the RFC 9162 consistency proof from each head to the next\n"
		"(consistency/), heads.json, the vault certificate (cert.pem), the\n"
		"checkpoint key (pubkey.pem) and its C2SP verifier-key line.\n"
		"--check OLD_CHECKPOINT proves that the log extends a checkpoint kept\n"
		"earlier (exit 1 when it does not: the history was rewritten).\n",
	.flags = CMD_NEEDS_VAULT,
	.run = run_log,
};

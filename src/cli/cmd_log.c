/* SPDX-License-Identifier: MIT */
/*
 * cmd_log — `casefile log [--json]`: list the sealed tree heads.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/base64.h"
#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/commands.h"
#include "casefile/db.h"
#include "casefile/ledger.h"
#include "casefile/proofs.h"
#include "casefile/xalloc.h"
#include "casefile/seal.h"
#include "casefile/vault.h"

static void
json_head(struct cf_buf *b, const struct seal_head *h)
{
	char hex[CF_SHA256_HEXLEN + 1], when[32];
	size_t i;

	cf_hex_encode(h->root, CF_SHA256_LEN, hex);
	cf_buf_addf(b, "{\"tree_size\":%llu,\"root_hash\":\"%s\",\"created_at\":\"%s\","
		    "\"prev_size\":%llu,\"consistency_proof\":[",
		    (unsigned long long)h->tree_size, hex,
		    cftime_format_iso(h->created_at, when, sizeof(when)),
		    (unsigned long long)h->prev_size);
	for (i = 0; i < h->nconsistency; i++) {
		cf_hex_encode(h->consistency[i], CF_SHA256_LEN, hex);
		cf_buf_addf(b, "%s\"%s\"", i ? "," : "", hex);
	}
	cf_buf_addstr(b, "],\"checkpoint\":");
	cf_buf_add_json_str(b, h->checkpoint, h->checkpoint_len);
	cf_buf_addstr(b, ",\"checkpoint_timestamp\":");
	if (h->tst) {
		cf_buf_addch(b, '"');
		base64_encode(h->tst, h->tst_len, b);
		cf_buf_addch(b, '"');
	} else
		cf_buf_addstr(b, "null");
	cf_buf_addstr(b, ",\"tsa_url\":");
	if (h->tsa_url)
		cf_buf_add_json_str(b, h->tsa_url, strlen(h->tsa_url));
	else
		cf_buf_addstr(b, "null");
	cf_buf_addch(b, '}');
}

enum { OPT_PROOFS = CTX_OPT_BASE + 100 };

static int
count_leafless(sqlite3 *db, uint64_t *n, struct cf_err *err)
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

static enum cf_exit
run_log(int argc, char **argv, struct cf_ctx *ctx)
{
	static const struct option opts[] = {
		CTX_COMMON_OPTIONS,
		{ "proofs", 0, NULL, OPT_PROOFS },
		{ 0 },
	};
	struct cf_err err = CF_ERR_INIT;
	struct seal_head *heads = NULL;
	struct cf_buf b = CF_BUF_INIT;
	size_t n = 0, i;
	uint64_t size = 0, leafless = 0, unsealed;
	int c, r, proofs = 0;
	enum cf_exit rc = CF_EXIT_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_PROOFS) {
			proofs = 1;
			continue;
		}
		if (c == '?')
			return ctx_usage(ctx, "unknown option '%s'", argv[optind - 1]);
		r = ctx_common_opt(ctx, c, optarg);
		if (r < 0)
			return CF_EXIT_USAGE;
		if (r == 2)
			return CF_EXIT_OK;
	}
	if (!proofs && optind < argc)
		return ctx_usage(ctx, "log takes no arguments");
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (proofs)
		return print_proofs(ctx, argc - optind, argv + optind);
	if (seal_heads(vault_db(ctx->vault), &heads, &n, &err) < 0 ||
	    ledger_size(vault_db(ctx->vault), &size, &err) < 0 ||
	    count_leafless(vault_db(ctx->vault), &leafless, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	unsealed = size - (n ? heads[n - 1].tree_size : 0) + leafless;
	if (ctx->json) {
		cf_buf_addf(&b, "{\"ledger_size\":%llu,\"unsealed\":%llu,\"heads\":[",
			    (unsigned long long)size, (unsigned long long)unsealed);
		for (i = 0; i < n; i++) {
			if (i)
				cf_buf_addch(&b, ',');
			json_head(&b, &heads[i]);
		}
		cf_buf_addstr(&b, "]}\n");
		fwrite(b.data, 1, b.len, stdout);
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
	cf_buf_release(&b);
	seal_heads_free(heads, n);
	cf_err_release(&err);
	return rc;
}

const struct cmd cmd_log = {
	.name = "log",
	.usage = "casefile log [--json] | casefile log --proofs EVIDENCE_ID...",
	.summary = "list the sealed tree heads of the ledger",
	.help = "Lists the ledger's tree heads, newest first: tree size, seal time, root\n"
		"hash and whether an RFC 3161 timestamp covers it; then how many leaves\n"
		"are not yet sealed.  --json adds the signed checkpoint text, the token\n"
		"(base64 DER) and the consistency proof from the previous head.\n"
		"\n"
		"--proofs EVIDENCE_ID... prints the proofs.json document (the one attached\n"
		"to dossiers) for those evidence rows: each one's leaf, its inclusion proof\n"
		"against the latest tree head, and that head's checkpoint and timestamp.\n",
	.flags = CMD_NEEDS_VAULT,
	.run = run_log,
};

/* SPDX-License-Identifier: MIT */
/*
 * cmd_log — `casefile log [--json]`: list the sealed tree heads.
 */
#include <stdio.h>
#include <string.h>

#include "casefile/base64.h"
#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/commands.h"
#include "casefile/ledger.h"
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

static enum cf_exit
run_log(int argc, char **argv, struct cf_ctx *ctx)
{
	struct cf_err err = CF_ERR_INIT;
	struct seal_head *heads = NULL;
	struct cf_buf b = CF_BUF_INIT;
	size_t n = 0, i;
	uint64_t size = 0;
	int first, r;
	enum cf_exit rc = CF_EXIT_OK;

	if ((r = ctx_parse_common(ctx, argc, argv, &first)) != 0)
		return r > 0 ? CF_EXIT_OK : CF_EXIT_USAGE;
	if (first < argc)
		return ctx_usage(ctx, "log takes no arguments");
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if (seal_heads(vault_db(ctx->vault), &heads, &n, &err) < 0 ||
	    ledger_size(vault_db(ctx->vault), &size, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	if (ctx->json) {
		cf_buf_addf(&b, "{\"ledger_size\":%llu,\"unsealed\":%llu,\"heads\":[",
			    (unsigned long long)size,
			    (unsigned long long)(size - (n ? heads[n - 1].tree_size : 0)));
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

		cf_hex_encode(heads[i].root, CF_SHA256_LEN, hex);
		printf("head %llu  %s  root %s  %s\n", (unsigned long long)heads[i].tree_size,
		       ctx_fmt_time(ctx, heads[i].created_at, when, sizeof(when)), hex,
		       heads[i].tst ? "timestamped" : "not timestamped");
	}
	if (n == 0)
		printf("no tree heads: nothing sealed yet (%llu leaves)\n", (unsigned long long)size);
	else if (size > heads[n - 1].tree_size)
		printf("%llu leaves not yet sealed (ledger size %llu)\n",
		       (unsigned long long)(size - heads[n - 1].tree_size), (unsigned long long)size);
out:
	cf_buf_release(&b);
	seal_heads_free(heads, n);
	cf_err_release(&err);
	return rc;
}

const struct cmd cmd_log = {
	.name = "log",
	.usage = "casefile log [--json]",
	.summary = "list the sealed tree heads of the ledger",
	.help = "Lists the ledger's tree heads, newest first: tree size, seal time, root\n"
		"hash and whether an RFC 3161 timestamp covers it; then how many leaves\n"
		"are not yet sealed.  --json adds the signed checkpoint text, the token\n"
		"(base64 DER) and the consistency proof from the previous head.\n",
	.flags = CMD_NEEDS_VAULT,
	.run = run_log,
};

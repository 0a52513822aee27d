/* SPDX-License-Identifier: MIT */
/*
 * cmd_audit — `casefile audit [--json] [--quick | --fast]`: re-hash and
 * re-parse every object, recompute the ledger, check every head and
 * dispute; exit 1 naming each problem.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/audit.h"
#include "casefile/buf.h"
#include "casefile/commands.h"
#include "casefile/seal.h"
#include "casefile/keys.h"
#include "casefile/vault.h"

enum { OPT_FAST = CTX_OPT_BASE + 100, OPT_THREADS, OPT_QUICK, OPT_REPAIR };

static void
print_json_list(struct cf_buf *b, const struct audit_problem *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		cf_buf_addf(b, "%s{\"kind\":\"%s\",\"subject\":", i ? "," : "",
			    audit_kind_name(v[i].kind));
		cf_buf_add_json_str(b, v[i].subject, strlen(v[i].subject));
		cf_buf_addstr(b, ",\"detail\":");
		cf_buf_add_json_str(b, v[i].detail, strlen(v[i].detail));
		cf_buf_addch(b, '}');
	}
}

static void
print_json(const struct audit_report *rep, const struct audit_repair *repair)
{
	struct cf_buf b = CF_BUF_INIT;

	cf_buf_addf(&b, "{\"ok\":%s,\"fast\":%s,\"objects\":{\"total\":%llu,\"matched\":%llu,"
		    "\"missing\":%llu,\"changed\":%llu,\"unreadable\":%llu,\"unexpected\":%llu,"
		    "\"bytes\":%llu},\"rows\":{\"total\":%llu,\"without_object\":%llu},"
		    "\"ledger\":{\"leaves\":%llu,\"bad\":%llu},\"heads\":{\"total\":%llu,"
		    "\"failing\":%llu},\"facts\":{\"reparsed\":%s,\"checked\":%llu,"
		    "\"differing\":%llu},\"disputes\":{\"problems\":%llu},\"problems\":[",
		    rep->nproblems ? "false" : "true", rep->fast ? "true" : "false",
		    (unsigned long long)rep->objects, (unsigned long long)rep->matched,
		    (unsigned long long)rep->missing, (unsigned long long)rep->changed,
		    (unsigned long long)rep->unreadable, (unsigned long long)rep->unexpected,
		    (unsigned long long)rep->bytes, (unsigned long long)rep->rows,
		    (unsigned long long)rep->rows_no_object, (unsigned long long)rep->leaves,
		    (unsigned long long)rep->leaves_bad, (unsigned long long)rep->heads,
		    (unsigned long long)rep->heads_bad, rep->reparsed ? "true" : "false",
		    (unsigned long long)rep->facts, (unsigned long long)rep->facts_bad,
		    (unsigned long long)rep->disputes_bad);
	print_json_list(&b, rep->problems, rep->nproblems);
	cf_buf_addf(&b, "],\"interrupted\":{\"objects\":%llu,\"bytes\":%llu,\"torn\":%llu},"
		    "\"kept\":{\"total\":%llu,\"failing\":%llu}",
		    (unsigned long long)rep->interrupted,
		    (unsigned long long)rep->interrupted_bytes, (unsigned long long)rep->torn,
		    (unsigned long long)rep->kept, (unsigned long long)rep->kept_bad);
	if (repair)
		cf_buf_addf(&b, ",\"repaired\":{\"removed\":%llu,\"torn\":%llu,\"bytes\":%llu}",
			    (unsigned long long)repair->removed, (unsigned long long)repair->torn,
			    (unsigned long long)repair->bytes);
	cf_buf_addstr(&b, ",\"notices\":[");
	print_json_list(&b, rep->notices, rep->nnotices);
	cf_buf_addstr(&b, "]}\n");
	fwrite(b.data, 1, b.len, stdout);
	cf_buf_release(&b);
}

/* --repair: alone with the vault, remove what interrupted runs left. */
static enum cf_exit
run_repair(struct cf_ctx *ctx, struct audit_repair *fixed)
{
	struct cf_err err = CF_ERR_INIT;
	enum cf_exit ret = CF_EXIT_OK;

	if (vault_lock_exclusive(ctx->vault, 1, &err) < 0) {
		if (err.sys_errno != EWOULDBLOCK)
			goto fail;
		cf_err_release(&err);
		if (ctx->tty && !ctx->quiet)	/* progress: only on a terminal, as import */
			fprintf(stderr, "casefile: waiting for the other casefile commands on vault "
				"'%s' to finish\n", ctx->vault_dir);
		if (vault_lock_exclusive(ctx->vault, 0, &err) < 0)
			goto fail;
	}
	if (audit_repair(ctx->vault, fixed, &err) < 0) {
		vault_lock_shared(ctx->vault);
		goto fail;
	}
	vault_lock_shared(ctx->vault);
	if (!ctx->json && fixed->removed)
		printf("repaired: objects/: removed %llu object%s (%llu bytes, %llu torn) that an "
		       "interrupted run left and no row names\n",
		       (unsigned long long)fixed->removed, fixed->removed == 1 ? "" : "s",
		       (unsigned long long)fixed->bytes, (unsigned long long)fixed->torn);
	goto out;
fail:
	ret = ctx_fail(ctx, &err);
out:
	cf_err_release(&err);
	return ret;
}

static enum cf_exit
run_audit(int argc, char **argv, struct cf_ctx *ctx)
{
	static const struct option opts[] = {
		CTX_COMMON_OPTIONS,
		{ "fast", 0, NULL, OPT_FAST },
		{ "threads", 1, NULL, OPT_THREADS },
		{ "quick", 0, NULL, OPT_QUICK },
		{ "repair", 0, NULL, OPT_REPAIR },
		{ 0 },
	};
	struct cf_err err = CF_ERR_INIT;
	struct audit_report rep;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	struct audit_repair fixed;
	unsigned flags = 0, threads = 2;
	enum cf_exit rc = CF_EXIT_OK;
	int c, r, repair = 0;
	char *mirror = NULL, *kept = NULL;
	size_t i;

	memset(&rep, 0, sizeof(rep));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == OPT_FAST) {
			flags |= AUDIT_FAST;
			continue;
		}
		if (c == OPT_QUICK) {
			flags |= AUDIT_QUICK;
			continue;
		}
		if (c == OPT_REPAIR) {
			repair = 1;
			continue;
		}
		if (c == OPT_THREADS) {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*optarg == '\0' || *end || v < 1 || v > 16)
				return ctx_usage(ctx, "bad thread count '%s' (1 to 16)", optarg);
			threads = (unsigned)v;
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
		return ctx_usage(ctx, "audit takes no arguments");
	if ((flags & AUDIT_FAST) && (flags & AUDIT_QUICK))
		return ctx_usage(ctx, "--quick and --fast cannot be combined (--fast implies --quick)");
	if (ctx_open_vault_for(ctx, repair) < 0)	/* --repair removes files */
		return CF_EXIT_USAGE;
	/* Without the certificate the heads are still checked, but reported unverifiable. */
	if (keys_load_cert(vault_dir(ctx->vault), &cert, &err) < 0)
		cf_err_release(&err);
	else if ((key = X509_get0_pubkey(cert)) != NULL)
		EVP_PKEY_up_ref(key);
	memset(&fixed, 0, sizeof(fixed));
	if (repair && (rc = run_repair(ctx, &fixed)) != CF_EXIT_OK)
		goto out;
	seal_kept_dirs(vault_db(ctx->vault), vault_dir(ctx->vault), &kept, &mirror);
	if (audit_run(ctx->vault, key, flags, threads, &rep, &err) < 0 ||
	    audit_checkpoints(ctx->vault, key, mirror, (int64_t)ctx->now, &rep, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	if (ctx->json) {
		print_json(&rep, repair ? &fixed : NULL);
	} else {
		for (i = 0; i < rep.nproblems; i++)
			printf("%s: %s: %s\n", audit_kind_name(rep.problems[i].kind),
			       rep.problems[i].subject, rep.problems[i].detail);
		/* Notices even with --quiet: something to do, though nothing is wrong. */
		for (i = 0; i < rep.nnotices; i++)
			printf("%s: %s: %s\n", audit_kind_name(rep.notices[i].kind),
			       rep.notices[i].subject, rep.notices[i].detail);
		if (!ctx->quiet) {
			printf("objects: %llu checked%s, %llu matched, %llu missing, %llu changed, "
			       "%llu unreadable, %llu unexpected files\n",
			       (unsigned long long)rep.objects, rep.fast ? " by size" : "",
			       (unsigned long long)rep.matched, (unsigned long long)rep.missing,
			       (unsigned long long)rep.changed, (unsigned long long)rep.unreadable,
			       (unsigned long long)rep.unexpected);
			printf("evidence rows: %llu, %llu without object\n",
			       (unsigned long long)rep.rows, (unsigned long long)rep.rows_no_object);
			printf("ledger: %llu leaves recomputed, %llu bad; heads: %llu checked, "
			       "%llu failing\n", (unsigned long long)rep.leaves,
			       (unsigned long long)rep.leaves_bad, (unsigned long long)rep.heads,
			       (unsigned long long)rep.heads_bad);
			if (rep.reparsed)
				printf("parsed rows: %llu evidence rows re-parsed from their "
				       "originals, %llu differing\n", (unsigned long long)rep.facts,
				       (unsigned long long)rep.facts_bad);
			else
				printf("parsed rows: not re-parsed (%s)\n",
				       rep.fast ? "--fast" : "--quick");
			printf("disputes: %llu problem%s\n", (unsigned long long)rep.disputes_bad,
			       rep.disputes_bad == 1 ? "" : "s");
			printf("kept checkpoints: %llu checked, %llu problems%s\n",
			       (unsigned long long)rep.kept, (unsigned long long)rep.kept_bad,
			       mirror ? " (with the mirror)" : "");
		}
	}
	if (rep.nproblems) {
		ctx_error(ctx, "audit found %zu problem%s", rep.nproblems,
			  rep.nproblems == 1 ? "" : "s");
		rc = CF_EXIT_PROBLEM;
	}
out:
	audit_report_release(&rep);
	free(mirror);
	free(kept);
	EVP_PKEY_free(key);
	X509_free(cert);
	cf_err_release(&err);
	return rc;
}

const struct cmd cmd_audit = {
	.name = "audit",
	.usage = "casefile audit [--quick | --fast] [--threads N] [--repair] [--json]",
	.summary = "re-hash and re-parse every object, recompute the ledger, check every head",
	.help = "Checks the whole vault against itself:\n"
		"  objects  every stored original is present, has its size and hashes to\n"
		"           its name (hashed on 2 threads; --threads N); files in objects/\n"
		"           not named like objects are listed as unexpected\n"
		"  rows     evidence rows whose original is gone\n"
		"  ledger   every leaf recomputed from its evidence row, every tree node\n"
		"           from the leaves; deleted or edited rows show up here\n"
		"  heads    each tree head's root, checkpoint signature (vault key),\n"
		"           timestamp token and consistency with the previous head\n"
		"  facts    every original re-parsed: its parsed rows (messages, order\n"
		"           records, logistics events, media facts, warnings) must be\n"
		"           exactly the stored rows; edited, deleted or added rows show\n"
		"           up here ('casefile reparse' puts back what the originals say)\n"
		"  disputes every dispute record and event equals its sealed ledger leaf\n"
		"  kept     every checkpoint kept in VAULT/checkpoints/ (and in the\n"
		"           'seal.mirror' folder) is a head, byte for byte, and every head\n"
		"           is kept there; a mirror that cannot be read is a problem\n"
		"--quick skips the re-parse (for cron; objects are still hashed).\n"
		"--fast checks object sizes instead of hashes and reads no content, so\n"
		"it skips the re-parse too (the ledger and disputes are still checked).\n"
		"Each problem is one line 'KIND: SUBJECT: DETAIL' on stdout.\n"
		"\n"
		"Objects that an interrupted ingest or import stored but never recorded\n"
		"are not problems: they are one 'interrupted:' line (and a 'torn:' line\n"
		"for each one cut short), shown even with --quiet, and exit 0.  Re-running\n"
		"the import records them; --repair removes them first (it waits until no\n"
		"other casefile command has the vault open, and removes only files that no\n"
		"row names), then audits.\n"
		"\nexit codes: 0 everything matched (notices aside); 1 a problem was found;\n"
		"2 no vault; 5 internal error\n",
	.flags = CMD_NEEDS_VAULT,
	.run = run_audit,
};

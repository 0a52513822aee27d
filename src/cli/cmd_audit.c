/* SPDX-License-Identifier: MIT */
/*
 * cmd_audit — `casefile audit [--json] [--quick | --fast]`: re-hash and
 * re-parse every object, recompute the ledger, check every head and
 * dispute; exit 1 naming each problem.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/audit.h"
#include "casefile/objstore.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/jout.h"
#include "casefile/seal.h"
#include "casefile/keys.h"
#include "casefile/vault.h"

static json_t *
json_list(const struct audit_problem *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s,s:o,s:o}", "kind",
						   audit_kind_name(v[i].kind),
						   "subject", jout_str(v[i].subject),
						   "detail", jout_str(v[i].detail)));
	return a;
}

static void
print_json(const struct audit_report *rep, const struct audit_repair *repair)
{
	json_t *o = json_pack(
		"{s:b,s:b,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I},s:{s:I,s:I},s:{s:I,s:I},"
		"s:{s:b,s:I,s:I},s:{s:I},s:o,s:{s:I,s:I,s:I},s:{s:I,s:I}}",
		"ok", rep->nproblems == 0, "fast", rep->fast,
		"objects", "total", JI(rep->objects), "matched", JI(rep->matched),
		"missing", JI(rep->missing), "changed", JI(rep->changed),
		"unreadable", JI(rep->unreadable), "unexpected", JI(rep->unexpected),
		"bytes", JI(rep->bytes),
		"rows", "total", JI(rep->rows), "without_object", JI(rep->rows_no_object),
		"ledger", "leaves", JI(rep->leaves), "bad", JI(rep->leaves_bad),
		"heads", "total", JI(rep->heads), "failing", JI(rep->heads_bad),
		"facts", "reparsed", rep->reparsed != 0, "checked", JI(rep->facts),
		"differing", JI(rep->facts_bad),
		"disputes", "problems", JI(rep->disputes_bad),
		"problems", json_list(rep->problems, rep->nproblems),
		"interrupted", "objects", JI(rep->interrupted), "bytes", JI(rep->interrupted_bytes),
		"torn", JI(rep->torn),
		"kept", "total", JI(rep->kept), "failing", JI(rep->kept_bad));

	if (repair)
		jout_set(o, "repaired", json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "removed",
						  JI(repair->removed), "torn", JI(repair->torn),
						  "bytes", JI(repair->bytes),
						  "aborted_uploads", JI(repair->aborted),
						  "kept_by_retention", JI(repair->kept),
						  "kept_bytes", JI(repair->kept_bytes)));
	jout_set(o, "notices", json_list(rep->notices, rep->nnotices));
	jout_print(o);
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
		printf("repaired: %s: removed %llu object%s (%llu bytes, %llu torn) that an "
		       "interrupted run left and no row names\n",
		       vault_objstore(ctx->vault) ? objstore_url(vault_objstore(ctx->vault))
						  : "objects/",
		       (unsigned long long)fixed->removed, fixed->removed == 1 ? "" : "s",
		       (unsigned long long)fixed->bytes, (unsigned long long)fixed->torn);
	if (!ctx->json && fixed->aborted)
		printf("repaired: %s: aborted %llu upload%s that did not finish\n",
		       objstore_url(vault_objstore(ctx->vault)), (unsigned long long)fixed->aborted,
		       fixed->aborted == 1 ? "" : "s");
	if (!ctx->json) {
		size_t i;

		for (i = 0; i < fixed->nkept_list; i++)
			printf("kept: %s: no row names it, but the store keeps it under "
			       "retention\n", fixed->kept_list[i]);
	}
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
	struct cf_err err = CF_ERR_INIT;
	struct audit_report rep;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	struct audit_repair fixed;
	unsigned flags = 0, threads = 2;
	enum cf_exit rc = CF_EXIT_OK;
	int first, r, repair = 0;
	char *mirror = NULL, *kept = NULL;
	size_t i;

	memset(&rep, 0, sizeof(rep));
	{
		const char *threads_opt = NULL;
		int fast = 0, quick = 0;
		const struct cli_opt opts[] = {
			{ "fast", 0, CLI_FLAG, NULL, &fast, 0 },
			{ "threads", 0, CLI_VALUE, &threads_opt, NULL, 0 },
			{ "quick", 0, CLI_FLAG, NULL, &quick, 0 },
			{ "repair", 0, CLI_FLAG, NULL, &repair, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((r = cli_parse(ctx, argc, argv, opts, &first)) != 0)
			return CLI_PARSE_EXIT(r);
		if (threads_opt) {
			char *end;
			long v = strtol(threads_opt, &end, 10);

			if (*threads_opt == '\0' || *end || v < 1 || v > 16)
				return ctx_usage(ctx, "bad thread count '%s' (1 to 16)", threads_opt);
			threads = (unsigned)v;
		}
		flags = (fast ? AUDIT_FAST : 0) | (quick ? AUDIT_QUICK : 0);
	}
	if (first < argc)
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
		if (rep.facts_bad)
			ctx_error(ctx, "parsed rows that differ from their sealed originals "
				  "(edited in the database, or read differently by an older "
				  "version): 'casefile reparse' puts back what the originals say");
		rc = CF_EXIT_PROBLEM;
	}
out:
	audit_report_release(&rep);
	audit_repair_release(&fixed);
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
	.run = run_audit,
};

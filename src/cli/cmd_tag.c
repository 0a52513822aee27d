/* SPDX-License-Identifier: MIT */
/*
 * cmd_tag — `casefile tag ITEM [--kind K] [--role R]... [--not-role R]...
 * [--note TEXT] [--supplied-by WHO]`, `casefile exclude ITEM --reason TEXT`
 * and `casefile include ITEM`: correct what the vault says about a stored
 * item without touching its original (tag.h); every change is a ledger
 * leaf, shown by `casefile show ITEM`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/dispute.h"
#include "casefile/parse.h"
#include "casefile/roles.h"
#include "casefile/item.h"
#include "casefile/jout.h"
#include "casefile/tag.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

struct warn_ctx {
	struct cf_ctx *ctx;
	const char *item;
};

static void
on_warn(void *cookie, const char *msg, int bad)
{
	struct warn_ctx *w = cookie;

	ctx_warn(w->ctx, "item %s: %s%s", w->item, msg, bad ? "" : " (note)");
}

/* Parse one --role / --not-role value into *mask; 0 or -1 (usage printed). */
static int
add_role(struct cf_ctx *ctx, const char *arg, unsigned *mask)
{
	char *s = xstrdup(arg), *tok, *p;
	int ret = 0;

	/* split at ',' and '，' (U+FF0C) */
	while ((p = strstr(s, "\xEF\xBC\x8C")) != NULL)
		memmove(p + 1, p + 3, strlen(p + 3) + 1), *p = ',';
	for (tok = s; tok; tok = p) {
		enum cf_role r;

		if ((p = strchr(tok, ',')) != NULL)
			*p++ = '\0';
		if (!*tok)
			continue;
		if (cf_role_from_name(tok, &r) < 0) {
			ctx_usage(ctx, "unknown role '%s': use %s", tok, cf_role_names());
			ret = -1;
			break;
		}
		*mask |= CF_ROLE_BIT(r);
	}
	free(s);
	return ret;
}

static enum cf_exit
resolve(struct cf_ctx *ctx, const char *spec, int64_t *id)
{
	struct cf_err err = CF_ERR_INIT;

	if (item_resolve(vault_db(ctx->vault), spec, id, &err) < 0) {
		enum cf_exit rc = err.code == CF_EDB ? ctx_fail(ctx, &err) : CF_EXIT_USAGE;

		if (err.code != CF_EDB)
			ctx_error(ctx, "%s", err.msg);
		cf_err_release(&err);
		return rc;
	}
	return CF_EXIT_OK;
}

static enum cf_exit
run_tag(int argc, char **argv, struct cf_ctx *ctx)
{
	const char *kind = NULL, *add = NULL, *del = NULL, *sup = NULL;
	struct tag_change ch = TAG_CHANGE_INIT;
	struct cf_err err = CF_ERR_INIT;
	struct warn_ctx w = { ctx, NULL };
	enum cf_kind k;
	enum cf_supplier s;
	enum cf_exit rc;
	unsigned leaves = 0;
	int64_t id;
	char *who;
	int c, optind;
	const struct cli_opt opts[] = {
		{ "kind", 0, CLI_VALUE, &kind, NULL, 0 },
		{ "role", 0, CLI_VALUE, &add, NULL, 0 },
		{ "not-role", 0, CLI_VALUE, &del, NULL, 0 },
		{ "note", 0, CLI_VALUE, &ch.note, NULL, 0 },
		{ "supplied-by", 0, CLI_VALUE, &sup, NULL, 0 },
		{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
	};

	if ((c = cli_parse(ctx, argc, argv, opts, &optind)) != 0)
		return CLI_PARSE_EXIT(c);
	if (kind) {
		if (cf_kind_from_name(kind, &k) < 0)
			return ctx_usage(ctx, "unknown kind '%s': use chat, logistics, order, "
					      "photo, video, receipt or other", kind);
		ch.kind = (int)k;
	}
	if ((add && add_role(ctx, add, &ch.add_roles) < 0) ||
	    (del && add_role(ctx, del, &ch.remove_roles) < 0))
		return CF_EXIT_USAGE;
	if (ch.note && !*ch.note)
		return ctx_usage(ctx, "--note is empty");
	if (sup) {
		if (cf_supplier_from_name(sup, &s) < 0)
			return ctx_usage(ctx, "unknown supplier '%s': use buyer, merchant, "
					      "platform or courier", sup);
		ch.supplied_by = (int)s;
	}
	if (argc - optind != 1)
		return ctx_usage(ctx, "tag needs exactly one ITEM");
	if (ch.add_roles & ch.remove_roles)
		return ctx_usage(ctx, "a role is both given (--role) and taken away (--not-role)");
	if (ch.kind < 0 && !ch.add_roles && !ch.remove_roles && !ch.note && ch.supplied_by < 0)
		return ctx_usage(ctx, "nothing to change: give --kind, --role, --not-role, --note "
				      "or --supplied-by");
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if ((rc = resolve(ctx, argv[optind], &id)) != CF_EXIT_OK)
		return rc;
	w.item = argv[optind];
	who = xasprintf("%s@%s", ctx->user, ctx->host);
	if (tag_apply(ctx->vault, id, &ch, who, (int64_t)ctx->now, on_warn, &w, &leaves,
		      &err) < 0) {
		if (err.code == CF_EINPUT) {
			ctx_error(ctx, "%s", err.msg);
			ctx->bad_items++;
			rc = CF_EXIT_INPUT;
		} else {
			rc = ctx_fail(ctx, &err);
		}
		goto out;
	}
	if (ctx->json)
		jout_print(json_pack("{s:I, s:I}", "evidence_id", JI(id), "changes", JI(leaves)));
	else if (!ctx->quiet)
		printf(leaves ? "evidence #%lld: %u change%s recorded in the ledger\n"
			      : "evidence #%lld: nothing changed (already so)\n",
		       (long long)id, leaves, leaves == 1 ? "" : "s");
	rc = CF_EXIT_OK;
out:
	free(who);
	cf_err_release(&err);
	return rc;
}

static enum cf_exit
run_exclude_include(int argc, char **argv, struct cf_ctx *ctx, int exclude)
{
	struct cf_err err = CF_ERR_INIT;
	const char *reason = NULL;
	enum cf_exit rc;
	unsigned leaves = 0;
	int64_t id;
	char *who;
	int c, optind;
	const struct cli_opt xopts[] = {
		{ "reason", 0, CLI_VALUE, &reason, NULL, 0 },
		{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
	};
	const struct cli_opt iopts[] = {
		{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
	};

	if ((c = cli_parse(ctx, argc, argv, exclude ? xopts : iopts, &optind)) != 0)
		return CLI_PARSE_EXIT(c);
	if (argc - optind != 1)
		return ctx_usage(ctx, "%s needs exactly one ITEM", exclude ? "exclude" : "include");
	if (exclude && (!reason || !*reason))
		return ctx_usage(ctx, "exclude needs --reason TEXT (it is printed in the dossier)");
	if (ctx_open_vault(ctx) < 0)
		return CF_EXIT_USAGE;
	if ((rc = resolve(ctx, argv[optind], &id)) != CF_EXIT_OK)
		return rc;
	who = xasprintf("%s@%s", ctx->user, ctx->host);
	if (tag_exclude(vault_db(ctx->vault), id, exclude ? reason : NULL, who,
			(int64_t)ctx->now, &leaves, &err) < 0) {
		rc = err.code == CF_EINPUT ? (ctx_error(ctx, "%s", err.msg), CF_EXIT_USAGE)
					   : ctx_fail(ctx, &err);
		goto out;
	}
	if (ctx->json)
		jout_print(json_pack("{s:I, s:b, s:I}", "evidence_id", JI(id), "excluded", exclude,
				     "changes", JI(leaves)));
	else if (!ctx->quiet)
		printf(!leaves ? "evidence #%lld: nothing changed (already %s)\n"
			       : "evidence #%lld: %s (recorded in the ledger)\n",
		       (long long)id, exclude ? (leaves ? "left out of dossiers, checklists and kits"
							: "left out")
					      : (leaves ? "taken back in" : "included"));
	rc = CF_EXIT_OK;
out:
	free(who);
	cf_err_release(&err);
	return rc;
}

static enum cf_exit
run_exclude(int argc, char **argv, struct cf_ctx *ctx)
{
	return run_exclude_include(argc, argv, ctx, 1);
}

static enum cf_exit
run_include(int argc, char **argv, struct cf_ctx *ctx)
{
	return run_exclude_include(argc, argv, ctx, 0);
}

#define ITEM_HELP                                                                   \
	"ITEM is an evidence number (12 or #12, as 'casefile show ORDER' lists\n"    \
	"them), an exhibit of an order as the dossier numbers it (ORDER:E3), or a\n" \
	"SHA-256 prefix of at least 6 hex digits that names one item.\n"

const struct cmd cmd_tag = {
	.name = "tag",
	.usage = "casefile tag ITEM [--kind KIND] [--role ROLE]... [--not-role ROLE]... "
		 "[--note TEXT] [--supplied-by WHO]",
	.summary = "re-parse a stored item as another kind, give it roles, a note, a supplier",
	.help = "Corrects what the vault says about a stored item; the original is never\n"
		"touched.  Every change is an event with who and when, appended to the\n"
		"ledger as a leaf of its own and listed by 'casefile show ITEM'.\n"
		"\n" ITEM_HELP
		"\n  --kind KIND        re-parse the original as chat, logistics, order, photo,\n"
		"                     video, receipt or other; with the warnings ingest\n"
		"                     gives, and nothing changed when it cannot be read so\n"
		"                     (exit 3)\n"
		"  --role ROLE        what the item is for (repeatable, or comma-separated):\n"
		"                     packing shipping_label pickup delivery_photo\n"
		"                     damage_photo listing quality_report invoice chat\n"
		"                     logistics order other (Chinese names work too: 打包,\n"
		"                     面单, 签收, 破损 ...)\n"
		"  --not-role ROLE    take a role away\n"
		"  --note TEXT        what the item shows (the dossier's exhibit index)\n"
		"  --supplied-by WHO  buyer, merchant, platform or courier\n"
		"\nexamples:\n  casefile tag 12 --role packing\n"
		"  casefile tag 6931000000000001:E3 --kind chat\n"
		"  casefile tag 3f2a9c --role damage_photo --supplied-by buyer\n",
	.flags = CMD_WRITES,
	.run = run_tag,
};

const struct cmd cmd_exclude = {
	.name = "exclude",
	.usage = "casefile exclude ITEM --reason TEXT",
	.summary = "leave an item out of dossiers, checklists and kits",
	.help = "The item stays in the vault and the ledger; the dossier's exhibit index\n"
		"says how many items were left out and why, and its manifest still lists\n"
		"them.  'casefile include ITEM' undoes it.  Both are ledger leaves.\n"
		"\n" ITEM_HELP "\nexample:\n  casefile exclude 7 --reason '重复的截图'\n",
	.flags = CMD_WRITES,
	.run = run_exclude,
};

const struct cmd cmd_include = {
	.name = "include",
	.usage = "casefile include ITEM",
	.summary = "take an excluded item back into dossiers, checklists and kits",
	.help = "Undoes 'casefile exclude'; recorded in the ledger.\n\n" ITEM_HELP
		"\nexample:\n  casefile include 7\n",
	.flags = CMD_WRITES,
	.run = run_include,
};

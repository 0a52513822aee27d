/* SPDX-License-Identifier: MIT */
/*
 * cmd_pack — `casefile pack ORDER`: the submission kit (evidence cards,
 * statement.txt, kit.json) for a platform's evidence form; and the kit
 * half of `casefile verify KIT.zip|DIR` (cmd_verify_kit).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "casefile/argument.h"
#include "casefile/buf.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/dispute.h"
#include "casefile/jout.h"
#include "casefile/order_id.h"
#include "casefile/pack.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

static int
parse_exhibit(const char *s, int *out)
{
	char *end;
	long v;

	if (*s == 'E' || *s == 'e')
		s++;
	v = strtol(s, &end, 10);
	if (end == s || *end || v < 1 || v > 100000)
		return -1;
	*out = (int)v;
	return 0;
}

static enum cf_exit
run_pack(int argc, char **argv, struct cf_ctx *ctx)
{
	struct pack_opts o;
	struct pack_report rep;
	struct cf_err err = CF_ERR_INIT;
	const char *platform = NULL, *cards = NULL, *picks = NULL, *reason = NULL;
	const char *stance = NULL;
	enum argument_stance st = ARGUMENT_REFUSE;
	char *defout = NULL;
	int *pick = NULL, r, optind;
	size_t npick = 0, i;
	enum cf_exit rc = CF_EXIT_OK;

	memset(&o, 0, sizeof(o));
	memset(&rep, 0, sizeof(rep));
	{
		const struct cli_opt opts[] = {
			{ "output", 'o', CLI_VALUE, &o.out, NULL, 0 },
			{ "platform", 0, CLI_VALUE, &platform, NULL, 0 },
			{ "cards", 0, CLI_VALUE, &cards, NULL, 0 },
			{ "pick", 0, CLI_VALUE, &picks, NULL, 0 },
			{ "reason", 0, CLI_VALUE, &reason, NULL, 0 },
			{ "stance", 0, CLI_VALUE, &stance, NULL, 0 },
			{ "templates", 0, CLI_VALUE, &o.templates_dir, NULL, 0 },
			{ "font", 0, CLI_VALUE, &o.font_file, NULL, 0 },
			{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
		};

		if ((r = cli_parse(ctx, argc, argv, opts, &optind)) != 0)
			return CLI_PARSE_EXIT(r);
	}
	if (stance && argument_stance_parse(stance, &st) < 0)
		return ctx_usage(ctx, "unknown stance '%s': use refuse, partial or accept", stance);
	o.stance = (int)st;
	if (cards && (parse_exhibit(cards, &o.cards) < 0 || o.cards > 100))
		return ctx_usage(ctx, "bad --cards '%s' (1..100)", cards);
	if (picks) {
		/* --pick 3,4 (or --pick 3 4: the rest are operands, below) */
		char *s = xstrdup(picks), *tok, *save = NULL;

		for (tok = strtok_r(s, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
			pick = xreallocarray(pick, npick + 1, sizeof(*pick));
			if (parse_exhibit(tok, &pick[npick]) < 0) {
				rc = ctx_usage(ctx, "bad --pick '%s': exhibit numbers", tok);
				free(s);
				goto out;
			}
			for (i = 0; i < npick; i++)
				if (pick[i] == pick[npick]) {
					rc = ctx_usage(ctx, "--pick %d given twice", pick[i]);
					free(s);
					goto out;
				}
			npick++;
		}
		free(s);
	}
	o.scenario = reason;
	/*
	 * `--pick 3 4 5`: getopt moves the 4 and 5 among the operands; the
	 * order id is the one operand that is not an exhibit number.
	 */
	if (npick > 0 && argc - optind > 1) {
		int order_at = -1, k, x;

		for (k = optind; k < argc; k++) {
			if (parse_exhibit(argv[k], &x) == 0 && argv[k][0] != 'E' && argv[k][0] != 'e')
				continue;
			if (order_at >= 0) {
				rc = ctx_usage(ctx, "pack needs exactly one order id");
				goto out;
			}
			order_at = k;
		}
		if (order_at < 0) {
			rc = ctx_usage(ctx, "pack needs exactly one order id");
			goto out;
		}
		for (k = optind; k < argc; k++) {
			if (k == order_at)
				continue;
			pick = xreallocarray(pick, npick + 1, sizeof(*pick));
			parse_exhibit(argv[k], &pick[npick]);
			for (i = 0; i < npick; i++)
				if (pick[i] == pick[npick]) {
					rc = ctx_usage(ctx, "--pick %d given twice", pick[i]);
					goto out;
				}
			npick++;
		}
		optind = order_at;
		argc = order_at + 1;
	}
	if (argc - optind != 1) {
		rc = ctx_usage(ctx, "pack needs exactly one order id");
		goto out;
	}
	o.order_id = argv[optind];
	if (!order_id_valid(o.order_id)) {
		rc = ctx_usage(ctx, "bad order id '%s'", o.order_id);
		goto out;
	}
	if (platform == NULL)
		platform = "douyin";
	if ((o.profile = pack_profile_find(platform)) == NULL) {
		struct cf_buf b = CF_BUF_INIT;

		for (i = 0; pack_profiles[i]; i++)
			cf_buf_addf(&b, "%s%s", i ? ", " : "", pack_profiles[i]->name);
		rc = ctx_usage(ctx, "unknown platform '%s' (one of: %s)", platform, b.data);
		cf_buf_release(&b);
		goto out;
	}
	if (o.scenario && (o.scenario = dispute_reason_parse(o.scenario, &err)) == NULL) {
		rc = ctx_usage(ctx, "--reason: %s", err.msg);
		goto out;
	}
	if (o.templates_dir == NULL)
		o.templates_dir = ctx->templates_dir;
	o.fonts_dir = ctx->fonts_dir;
	if (o.out == NULL)
		o.out = defout = xasprintf("kit-%s-%s.zip", o.order_id, o.profile->name);
	o.pick = pick;
	o.npick = npick;
	o.now = ctx->now;
	o.tz_offset = ctx->tz_offset;
	o.tz_name = ctx->tz_name;
	if (ctx_open_vault(ctx) < 0) {
		rc = CF_EXIT_USAGE;
		goto out;
	}
	if (pack_build(ctx->vault, &o, &rep, &err) < 0) {
		if (err.code == CF_ENOTFOUND) {
			ctx_error(ctx, "%s", err.msg);
			rc = CF_EXIT_USAGE;
		} else {
			rc = ctx_fail(ctx, &err);
		}
		goto out;
	}
	for (i = 0; i < rep.nunverified; i++)
		ctx_warn(ctx, "platform '%s': the %s limit is not published; using a cautious "
			 "default (unverified)", o.profile->name, rep.unverified[i]);
	for (i = 0; i < rep.nnotes; i++)
		ctx_error(ctx, "%s", rep.notes[i]);
	if (rep.statement_cut)
		ctx_warn(ctx, "statement cut to %zu %s (the platform's limit)", rep.statement_len,
			 o.profile->count == PACK_COUNT_BYTES ? "bytes" : "characters");
	if (ctx->json) {
		json_t *cj = json_array();

		for (i = 0; i < rep.ncards; i++)
			json_array_append_new(cj, json_pack(
				"{s:o, s:I, s:i, s:i, s:o, s:b, s:o}", "file",
				jout_str(rep.cards[i].file), "bytes", JI(rep.cards[i].bytes),
				"width", rep.cards[i].width, "quality", rep.cards[i].quality,
				"sha256", jout_str(rep.cards[i].sha256), "noted", rep.cards[i].noted,
				"title", jout_str(rep.cards[i].title)));
		jout_print(json_pack("{s:o, s:o, s:o, s:o, s:I, s:b, s:I, s:o}",
				     "order_id", jout_str(o.order_id),
				     "platform", jout_str(o.profile->name), "kit", jout_str(o.out),
				     "dossier_id", jout_str(rep.dossier_id),
				     "statement_length", JI(rep.statement_len),
				     "statement_cut", rep.statement_cut, "bad", JI(rep.nbad),
				     "cards", cj));
	} else {
		for (i = 0; i < rep.ncards; i++)
			ctx_info(ctx, "%s  %7llu bytes  %d px q%d  %s", rep.cards[i].file,
				 (unsigned long long)rep.cards[i].bytes, rep.cards[i].width,
				 rep.cards[i].quality, rep.cards[i].title);
		ctx_info(ctx, "statement.txt  %zu %s (limit %zu)", rep.statement_len,
			 o.profile->count == PACK_COUNT_BYTES ? "bytes" : "characters",
			 o.profile->max_text);
		ctx_info(ctx, "%s", o.out);
	}
	if (rep.nbad > 0) {
		ctx_error(ctx, "%u item%s could not be shown; the cards say so", rep.nbad,
			  rep.nbad == 1 ? "" : "s");
		rc = CF_EXIT_INPUT;
	}
	if (fflush(stdout) || ferror(stdout))
		rc = CF_EXIT_INTERNAL;
out:
	cf_err_release(&err);
	pack_report_release(&rep);
	free(pick);
	free(defout);
	return rc;
}

/* `casefile verify KIT.zip|DIR` (called by cmd_verify). */
enum cf_exit
cmd_verify_kit(struct cf_ctx *ctx, const char *path, const char *dossier)
{
	struct pack_verify_report rep;
	struct cf_err err = CF_ERR_INIT;
	enum cf_exit rc;
	size_t i;

	memset(&rep, 0, sizeof(rep));
	if (dossier == NULL && ctx_open_vault(ctx) < 0) {
		ctx_error(ctx, "or check the kit against its signed dossier's attached "
			  "originals: casefile verify %s --dossier FILE.pdf", path);
		return ctx->open_exit ? ctx->open_exit : CF_EXIT_USAGE;
	}
	if (pack_verify(dossier ? NULL : ctx->vault, path, dossier, NULL, ctx->fonts_dir, &rep, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		cf_err_release(&err);
		return rc;
	}
	if (ctx->json) {
		json_t *checks = json_array();

		for (i = 0; i < rep.n; i++)
			json_array_append_new(checks, json_pack(
				"{s:o, s:s, s:o}", "what", jout_str(rep.v[i].what),
				"status", rep.v[i].ok ? "PASS" : "FAIL",
				"detail", jout_str(rep.v[i].detail)));
		jout_print(json_pack("{s:o, s:b, s:o}", "kit", jout_str(path),
				     "ok", rep.nfailed == 0, "checks", checks));
	} else {
		for (i = 0; i < rep.n; i++)
			if (!ctx->quiet || !rep.v[i].ok)
				printf("%s  %s: %s\n", rep.v[i].ok ? "PASS" : "FAIL", rep.v[i].what,
				       rep.v[i].detail);
		if (!ctx->quiet)
			printf("%s: %zu checks, %zu failed\n", rep.nfailed ? "NOT VERIFIED" : "VERIFIED",
			       rep.n, rep.nfailed);
	}
	rc = rep.nfailed ? CF_EXIT_PROBLEM : CF_EXIT_OK;
	pack_verify_report_release(&rep);
	if (fflush(stdout) || ferror(stdout))
		return CF_EXIT_INTERNAL;
	return rc;
}

const struct cmd cmd_pack = {
	.name = "pack",
	.usage = "casefile pack ORDER [--platform NAME] [-o DIR | -o FILE.zip] [--cards N]\n"
		 "       [--pick EXHIBIT...] [--reason R] [--stance S] [--json]",
	.summary = "make the submission kit: evidence cards, statement.txt, kit.json",
	.help = "Makes what the platform's evidence form takes: at most its number of\n"
		"images, each an evidence card (the decisive photo(s), video key frames,\n"
		"a chat excerpt or the logistics trace, with a caption band naming the\n"
		"exhibits, capture time, original name, first 16 hex of each original's\n"
		"SHA-256, seal time and timestamp authority, the dossier id, and a QR code\n"
		"of the same facts), each within the byte limit; statement.txt, the text\n"
		"`casefile statement` drafts for this form (the full form when it fits the\n"
		"limit counted the platform's way, else the short form cut after the last\n"
		"whole sentence that fits); kit.json.  Every card is recorded\n"
		"in the vault as derived evidence (a ledger leaf; the next seal covers it)\n"
		"and can be re-derived byte for byte: `casefile verify KIT` (against the\n"
		"vault), or `casefile verify KIT --dossier FILE.pdf` (against the originals\n"
		"attached to the signed dossier, for whoever has no vault).\n"
		"\nWhich cards: those the dispute's scenario needs, by each item's role\n"
		"(`casefile tag ITEM --role R`, `--supplied-by buyer`): not received — the\n"
		"trace with the delivery/locker drop highlighted, the signing or pickup\n"
		"record, the buyer's words, the courier's delivery photo; damaged in\n"
		"transit — the packing video's frames, the packing photo beside the\n"
		"buyer's; and so on (README, pack).  An excluded item is on no card.\n"
		"\nplatforms (README, pack, has the limits and their sources):\n"
		"  douyin (default), douyin-reject, wxshop (alias wechat), wxpay,\n"
		"  taobao-refuse (alias taobao), taobao-message\n"
		"\noptions:\n"
		"  --platform NAME  the evidence form to fit\n"
		"  -o DIR|FILE.zip  output (default kit-ORDER-PLATFORM.zip); a folder must\n"
		"                   not exist yet; nothing appears until the kit is whole\n"
		"  --cards N        at most N cards\n"
		"  --pick N...      these exhibits, one card each in this order (photos\n"
		"                   share a card when there are more than cards)\n"
		"  --reason R       scenario (default: the dispute's reason)\n"
		"  --stance S       refuse (default), partial or accept: the statement's\n"
		"                   closing, as `casefile statement --stance`\n"
		"  --templates DIR  templates folder ($CASEFILE_TEMPLATES)\n"
		"  --font FILE      font for the cards (default: the dossier's)\n"
		"\nexit codes: 0 ok, 2 usage or unknown order, 3 an item could not be shown\n"
		"(its card says so) or the platform's limits cannot be met (nothing\n"
		"written), 5 internal error\n"
		"\nexample:\n  casefile pack 6931000000000001 --platform douyin -o kit.zip\n",
	.flags = CMD_WRITES,
	.run = run_pack,
};

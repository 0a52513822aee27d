/* SPDX-License-Identifier: MIT */
/*
 * cmd_build — `casefile build ORDER`: make the arbitration dossier PDF.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/cliopt.h"
#include "casefile/commands.h"
#include "casefile/db_sqlite.h"
#include "casefile/jout.h"
#include "casefile/db.h"
#include "casefile/dispute.h"
#include "casefile/dossier.h"
#include "casefile/ingest.h"
#include "casefile/keys.h"
#include "casefile/order_id.h"
#include "casefile/pades.h"
#include "casefile/profile.h"
#include "casefile/proofs.h"
#include "casefile/seal.h"
#include "casefile/statement.h"
#include "casefile/vault.h"
#include "casefile/stale.h"
#include "casefile/xalloc.h"

/* "500K", "10M", "2G", "1234" → bytes; -1 when malformed. */
static int64_t
parse_size(const char *s)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || v > (unsigned long long)INT64_MAX)
		return -1;
	return (int64_t)v;
}

/* Signing the finished dossier: the presave hook's state. */
struct signer {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain;
	struct pades_opts po;
	struct tsa_opts to;
	struct pades_result res;
	struct pades_signer_info si;
	char *tsa_url, *tsa_ca, *tls_ca, *reason, *location, *contact;
};

static void
signer_release(struct signer *sg)
{
	EVP_PKEY_free(sg->key);
	X509_free(sg->cert);
	sk_X509_pop_free(sg->chain, X509_free);
	tsa_info_release(&sg->res.tsa);
	pades_signer_info_release(&sg->si);
	free(sg->tsa_url);
	free(sg->tsa_ca);
	free(sg->tls_ca);
	free(sg->reason);
	free(sg->location);
	free(sg->contact);
	memset(sg, 0, sizeof(*sg));
}

/* pdf_presave_fn: write the signed copy of the saved PDF (PAdES B-T or B-B). */
static int
sign_presave(void *arg, const char *tmp_path, const char *out_path, struct cf_err *err)
{
	struct signer *sg = arg;

	tsa_info_release(&sg->res.tsa);
	memset(&sg->res, 0, sizeof(sg->res));
	if (pades_sign_file(tmp_path, out_path, sg->key, sg->cert, sg->chain, &sg->po,
			    &sg->res, err) < 0) {
		cf_err_prefix(err, "cannot sign the dossier");
		return -1;
	}
	return 0;
}

/*
 * build --seal: seal the ledger (as `casefile seal`, with the same TSA)
 * so that every exhibit gets an inclusion proof.  --tsa-optional seals
 * without a timestamp when the TSA fails.
 */
static int
seal_first(struct cf_ctx *ctx, const struct signer *sg, int tsa_optional,
	   struct cf_err *err)
{
	struct seal_opts so;
	struct seal_head head;
	char *kept = NULL, *mirror = NULL;
	int sealed = 0, r;

	memset(&so, 0, sizeof(so));
	memset(&head, 0, sizeof(head));
	so.key = sg->key;
	so.tsa_url = sg->tsa_url;
	{
		char *req = db_setting(vault_db(ctx->vault), "tsa.require");

		so.tsa_require = req ? atoi(req) : 1;
		free(req);
	}
	so.cookie = (void *)&sg->to;
	so.now = (int64_t)ctx->now;
	seal_kept_dirs(vault_db(ctx->vault), vault_dir(ctx->vault), &kept, &mirror);
	so.kept_dir = kept;
	so.mirror_dir = mirror;
	r = seal_run(vault_db(ctx->vault), &so, &head, &sealed, NULL, err);
	if (r < 0 && err->code == CF_ENET && tsa_optional) {
		ctx_warn(ctx, "%s; sealing without a timestamp as --tsa-optional allows", err->msg);
		cf_err_release(err);
		so.tsa_url = NULL;
		r = seal_run(vault_db(ctx->vault), &so, &head, &sealed, NULL, err);
	}
	if (r == 0 && sealed)
		ctx_info(ctx, "sealed tree size %llu%s", (unsigned long long)head.tree_size,
			 head.tst ? ", timestamped" : ", not timestamped");
	seal_head_release(&head);
	free(kept);
	free(mirror);
	return r;
}

/* What was signed: into the JSON object j, or as lines on stdout (j NULL). */
/* The signature's fields of the --json output. */
static void
json_signed(json_t *o, const struct signer *sg, int fell_back)
{
	char when[40];

	jout_set(o, "signed", json_true());
	jout_set(o, "level", json_string(sg->res.timestamped ? "B-T" : "B-B"));
	jout_set(o, "signer", jout_str(sg->si.cn));
	jout_set(o, "sha256_fingerprint", jout_str(sg->si.fingerprint));
	jout_set(o, "signing_time",
		 json_string(cftime_format_iso(sg->po.when, when, sizeof(when))));
	if (sg->res.timestamped) {
		jout_set(o, "tsa", jout_str(sg->res.tsa.url ? sg->res.tsa.url : sg->tsa_url));
		jout_set(o, "timestamp",
			 json_string(cftime_format_iso(sg->res.tsa.time, when, sizeof(when))));
	}
	jout_set(o, "tsa_fallback", json_boolean(fell_back));
}

static void
print_signed(struct cf_ctx *ctx, const struct signer *sg)
{
	char when[40];

	ctx_info(ctx, "signed as '%s' (certificate SHA-256 %s)", sg->si.cn, sg->si.fingerprint);
	if (sg->res.timestamped)
		ctx_info(ctx, "PAdES B-T: timestamp %s from '%s' (%s)",
			 ctx_fmt_time(ctx, sg->res.tsa.time, when, sizeof(when)),
			 sg->res.tsa.tsa_name ? sg->res.tsa.tsa_name : "?",
			 sg->res.tsa.url ? sg->res.tsa.url : sg->tsa_url);
	else	/* the one notice of the run */
		ctx_info(ctx, "warning: PAdES B-B: no timestamp (no TSA is set: --tsa URL or "
			 "'casefile config tsa.url URL'; see the README, \"Choosing a TSA\")");
}

/* build's options beyond struct dossier_opts. */
struct build_args {
	const char *profile_opt, *tsa_opt, *ca_opt, *tls_opt, *passfile;
	int no_sign, tsa_optional, do_seal;
	double timeout;
	size_t max_opt;
};

/* Parse build's options into *o and the signing options; 0, 1 (--help), -1. */
static int
build_options(struct cf_ctx *ctx, int argc, char **argv, struct dossier_opts *o,
	      struct build_args *a, int *first)
{
	const char *lang = NULL, *media = NULL, *scenario = NULL, *max = NULL,
		   *timeout_opt = NULL;
	const struct cli_opt opts[] = {
		{ "output", 'o', CLI_VALUE, &o->out_path, NULL, 0 },
		{ "lang", 0, CLI_VALUE, &lang, NULL, 0 },
		{ "no-attach-media", 0, CLI_OPTIONAL, &media, NULL, 0 },
		{ "statement", 0, CLI_VALUE, &o->statement_path, NULL, 0 },
		{ "no-mask", 0, CLI_FLAG, NULL, &o->no_mask, 0 },
		{ "templates", 0, CLI_VALUE, &o->templates_dir, NULL, 0 },
		{ "scenario", 0, CLI_VALUE, &scenario, NULL, 0 },
		{ "profile", 0, CLI_VALUE, &a->profile_opt, NULL, 0 },
		{ "max-chars", 0, CLI_VALUE, &max, NULL, 0 },
		{ "no-sign", 0, CLI_FLAG, NULL, &a->no_sign, 0 },
		{ "seal", 0, CLI_FLAG, NULL, &a->do_seal, 0 },
		{ "tsa", 0, CLI_VALUE, &a->tsa_opt, NULL, CLI_NONEMPTY },
		{ "tsa-optional", 0, CLI_FLAG, NULL, &a->tsa_optional, 0 },
		{ "tsa-ca", 0, CLI_VALUE, &a->ca_opt, NULL, CLI_NONEMPTY },
		{ "tsa-tls-ca", 0, CLI_VALUE, &a->tls_opt, NULL, CLI_NONEMPTY },
		{ "tsa-timeout", 0, CLI_VALUE, &timeout_opt, NULL, 0 },
		{ "passphrase-file", 0, CLI_VALUE, &a->passfile, NULL, CLI_NONEMPTY },
		{ NULL, 0, CLI_FLAG, NULL, NULL, 0 },
	};
	int r;

	if ((r = cli_parse(ctx, argc, argv, opts, first)) != 0)
		return r;
	if (lang) {
		if (strcmp(lang, "zh") != 0 && strcmp(lang, "zh-CN") != 0 && strcmp(lang, "en") != 0) {
			ctx_usage(ctx, "unknown language '%s': use zh or en", lang);
			return -1;
		}
		o->lang = lang;
	}
	if (media) {
		o->media_max = 0;
		if (*media && (o->media_max = parse_size(media)) < 0) {
			ctx_usage(ctx, "bad size '%s' for --no-attach-media (e.g. 20M)", media);
			return -1;
		}
	}
	if (scenario && !statement_scenario_valid(scenario)) {
		ctx_usage(ctx, "unknown scenario '%s'", scenario);
		return -1;
	}
	o->scenario = scenario;
	if (max && statement_max_parse(max, &a->max_opt) < 0) {
		ctx_usage(ctx, "bad --max-chars '%s' (1..%d)", max, STATEMENT_MAX_CHARS);
		return -1;
	}
	if (ctx_parse_tsa_timeout(ctx, timeout_opt, &a->timeout) < 0)
		return -1;
	return 0;
}

static enum cf_exit
run_build(int argc, char **argv, struct cf_ctx *ctx)
{
	struct dossier_opts o;
	struct dossier_report rep;
	struct dossier_signature dsig;
	struct signer sg;
	struct cf_err err = CF_ERR_INIT;
	char *out_default = NULL, *pass = NULL;
	struct build_args a = { NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 15, 0 };
	int fell_back = 0;
	struct profile *prof = NULL;
	struct dispute *d = NULL;
	enum cf_exit rc = CF_EXIT_OK;
	int first, r;
	size_t i;

	memset(&o, 0, sizeof(o));
	memset(&rep, 0, sizeof(rep));
	memset(&sg, 0, sizeof(sg));
	o.media_max = -1;
	o.lang = "zh";
	if ((r = build_options(ctx, argc, argv, &o, &a, &first)) != 0)
		return CLI_PARSE_EXIT(r);
	if (argc - first != 1)
		return ctx_usage(ctx, "build needs exactly one order id");
	if (a.no_sign && !a.do_seal && (a.tsa_opt || a.tsa_optional || a.ca_opt || a.tls_opt || a.passfile))
		return ctx_usage(ctx, "--no-sign conflicts with the signing options");
	o.order_id = argv[first];
	if (!order_id_valid(o.order_id))
		return ctx_usage(ctx, "bad order id '%s'", o.order_id);
	if (o.out_path == NULL)
		o.out_path = out_default = xasprintf("dossier-%s.pdf", o.order_id);
	if (o.templates_dir == NULL)
		o.templates_dir = ctx->templates_dir;
	o.now = ctx->now;
	o.tz_offset = ctx->tz_offset;
	/* Only --seal writes: a plain build reads, and never waits for a writer. */
	if (ctx_open_vault_for(ctx, a.do_seal) < 0) {
		rc = CF_EXIT_USAGE;
		goto out;
	}
	/* the statement's limit, as `casefile statement` finds it */
	if (dispute_context(vault_db(ctx->vault), o.order_id, NULL, a.profile_opt, &d, NULL,
			    &prof, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	o.statement_max_chars = a.max_opt ? a.max_opt : (size_t)prof->statement_max_chars;
	{
		/* stored normalised (decimal bytes) by `casefile config` */
		char *mb = db_setting(vault_db(ctx->vault), "dossier.max_bytes");

		o.max_bytes = mb ? strtoull(mb, NULL, 10) : 0;
		free(mb);
	}
	if (!a.no_sign || a.do_seal) {
		struct cf_db *db = vault_db(ctx->vault);

		if (keys_read_pass(a.passfile, ctx->passphrase, &pass, &err) < 0) {
			rc = ctx_fail(ctx, &err);
			goto out;
		}
		if (keys_load_pass(vault_dir(ctx->vault), pass, &sg.key, &sg.cert, &sg.chain,
				   &err) < 0) {
			if (err.code == CF_ENOTFOUND) {
				ctx_error(ctx, "the vault has no signing key: run 'casefile keygen' "
					  "first, or build an unsigned dossier with --no-sign");
				rc = CF_EXIT_USAGE;
			} else {
				rc = ctx_fail(ctx, &err);	/* a key problem: 3 */
			}
			goto out;
		}
		sg.tsa_url = a.tsa_opt ? xstrdup(a.tsa_opt) : db_setting(db, "tsa.url");
		sg.tsa_ca = a.ca_opt ? xstrdup(a.ca_opt) : db_setting(db, "tsa.ca");
		sg.tls_ca = a.tls_opt ? xstrdup(a.tls_opt) : db_setting(db, "tsa.tls_ca");
		sg.reason = db_setting(db, "sign.reason");
		sg.location = db_setting(db, "sign.location");
		sg.contact = db_setting(db, "sign.contact");
		sg.to.url = sg.tsa_url;
		sg.to.timeout_ms = (long)(a.timeout * 1000);
		sg.to.ca_file = sg.tsa_ca;
		sg.to.tls_ca_file = sg.tls_ca;
		sg.po.reason = sg.reason;
		sg.po.location = sg.location;
		sg.po.contact = sg.contact;
		sg.po.when = (time_t)ctx->now;
		sg.po.tsa = sg.tsa_url ? &sg.to : NULL;
		if (a.do_seal && seal_first(ctx, &sg, a.tsa_optional, &err) < 0) {
			rc = ctx_fail(ctx, &err);
			if (err.code == CF_ENET)
				ctx_error(ctx, "no dossier was written (use --tsa-optional to seal "
					  "and sign without a timestamp)");
			goto out;
		}
	}
	if (!a.no_sign) {
		pades_signer_info_init(&sg.si, sg.cert, sg.tsa_url);
		dsig.signer = sg.si.cn;
		dsig.fingerprint = sg.si.fingerprint;
		dsig.tsa = sg.tsa_url;
		dsig.when = ctx->now;
		o.signature = &dsig;
		o.presave_hook = sign_presave;
		o.presave_arg = &sg;
	}
	/*
	 * Tell the merchant, not the arbiter: the PDF only states the fact
	 * ("not yet sealed at the time of building").
	 */
	if (!a.do_seal) {
		sqlite3_stmt *q = NULL;

		if (db_prepare(vault_db(ctx->vault), "SELECT count(*) FROM evidence WHERE "
			       "order_id = ? AND (leaf_index IS NULL OR leaf_index >= "
			       "coalesce((SELECT max(tree_size) FROM heads), 0))", &q, &err) == 0) {
			sqlite3_bind_text(q, 1, o.order_id, -1, SQLITE_STATIC);
			if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int64(q, 0) > 0)
				/* on stdout like "not signed (--no-sign)": a build that works
				   stays silent on stderr (see README) */
				ctx_info(ctx, "note: %lld exhibit%s of order '%s' not sealed yet: the dossier "
					 "will say so and hold no inclusion proof for %s; run "
					 "'casefile seal' first, or 'casefile build --seal'",
					 (long long)sqlite3_column_int64(q, 0),
					 sqlite3_column_int64(q, 0) == 1 ? "" : "s", o.order_id,
					 sqlite3_column_int64(q, 0) == 1 ? "it" : "them");
		}
		sqlite3_finalize(q);
		cf_err_release(&err);
	}
	/* proofs.json and its table in the integrity appendix */
	o.ledger_proofs = 1;
	o.attach_hook = proofs_dossier_attach;
	o.hook_arg = vault_db(ctx->vault);
	if (dossier_build(ctx->vault, &o, &rep, &err) < 0 && err.code == CF_ENET &&
	    a.tsa_optional && sg.po.tsa) {
		/* rebuilt so that the signature page says B-B too */
		ctx_warn(ctx, "%s; signing without a timestamp (PAdES B-B) as --tsa-optional "
			 "allows", err.msg);
		cf_err_release(&err);
		dossier_report_release(&rep);
		sg.po.tsa = NULL;
		dsig.tsa = NULL;
		fell_back = 1;
	}
	if (err.code != CF_OK || (fell_back && dossier_build(ctx->vault, &o, &rep, &err) < 0)) {
		if (err.code == CF_ENOTFOUND && strncmp(err.msg, "no evidence", 11) == 0) {
			ctx_no_order(ctx, err.msg, o.order_id);
			rc = CF_EXIT_USAGE;
		} else {
			rc = ctx_fail(ctx, &err);
			if (err.code == CF_ENET)
				ctx_error(ctx, "no dossier was written (use --tsa-optional to sign "
					  "without a timestamp)");
		}
		goto out;
	}
	for (i = 0; i < rep.nnotes; i++)
		ctx_warn(ctx, "%s", rep.notes[i]);
	/* so that due/check/show can say when evidence arrives after it (stale.h) */
	if (stale_record(ctx->vault, o.order_id, rep.dossier_id,
			 (long long)ctx->now, &err) < 0) {
		ctx_warn(ctx, "%s", err.msg);
		cf_err_release(&err);
	}
	if (ctx->json) {
		json_t *j = json_pack("{s:o,s:o,s:s,s:i,s:I,s:I,s:I,s:I}",
				      "path", jout_str(o.out_path), "order_id", jout_str(o.order_id),
				      "dossier_id", rep.dossier_id, "pages", rep.pages,
				      "exhibits", JI(rep.exhibits), "attached", JI(rep.attached),
				      "left_out", JI(rep.left_out), "cards", JI(rep.cards));

		if (a.no_sign) {
			jout_set(j, "signed", json_false());
			jout_set(j, "level", json_null());
		} else {
			json_signed(j, &sg, fell_back);
		}
		jout_print(j);
	} else {
		ctx_info(ctx, "%s", o.out_path);
		if (a.no_sign)
			ctx_info(ctx, "not signed (--no-sign): the dossier says so on its last page");
		else
			print_signed(ctx, &sg);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = CF_EXIT_INTERNAL;
out:
	dossier_report_release(&rep);
	cf_err_release(&err);
	free(out_default);
	keys_pass_free(pass);
	signer_release(&sg);
	profile_free(prof);
	dispute_free(d);
	return rc;
}

const struct cmd cmd_build = {
	.name = "build",
	.usage = "casefile build ORDER [-o FILE] [--lang zh|en] [--no-attach-media[=SIZE]]\n"
		 "       [--statement FILE] [--scenario NAME] [--no-mask] [--templates DIR]\n"
		 "       [--no-sign | [--tsa URL] [--tsa-optional] [--tsa-ca CA.pem]\n"
		 "       [--tsa-tls-ca CA.pem] [--tsa-timeout SEC] [--passphrase-file F]]\n"
		 "       [--profile P] [--max-chars N]",
	.summary = "build the arbitration dossier PDF of an order",
	.help = "Builds one PDF with a cover, the merchant's statement, a timeline, the\n"
		"exhibit index, every exhibit (chat transcript, photos, logistics, order,\n"
		"receipts, cards for videos) and an integrity appendix.  The originals and\n"
		"manifest.json are attached; phone numbers, ID numbers and street addresses\n"
		"are masked in the rendered text (the originals are unchanged).  The PDF is\n"
		"written to an unnamed temp file and named only when complete: a failed or\n"
		"killed build leaves no half file; a full disk is reported with the path.\n"
		"\n"
		"The dossier is signed with the vault's key (PAdES, see 'casefile sign')\n"
		"before it gets its name; its last page shows the signer, the\n"
		"signing time, the certificate's SHA-256 fingerprint and the timestamp\n"
		"authority.  With a TSA (--tsa URL, or the vault setting 'tsa.url') the\n"
		"signature carries an RFC 3161 timestamp (PAdES B-T), otherwise it is B-B\n"
		"and the output says so.  A TSA that fails stops the build (exit 3, no\n"
		"file written) unless --tsa-optional, which falls back to B-B with a\n"
		"warning.  --no-sign builds an unsigned dossier.  A vault without a key:\n"
		"run 'casefile keygen' first (exit 2).  An encrypted key is opened with\n"
		"--passphrase-file or $CASEFILE_PASSPHRASE.\n"
		"\noptions:\n"
		"  -o FILE                  output (default dossier-ORDER.pdf)\n"
		"  --lang zh|en             language (default zh)\n"
		"  --no-attach-media[=SIZE] leave out videos and photos (larger than SIZE,\n"
		"                           e.g. 20M) from the attachments; they are listed\n"
		"  --statement FILE         use this text as the statement\n"
		"  --scenario NAME          statement template: quality, not_as_described,\n"
		"                           damaged_in_transit, not_received,\n"
		"                           wrong_or_missing_item, non_returnable,\n"
		"                           price_or_payment, late_or_service,\n"
		"                           suspected_abuse, other\n"
		"  --no-mask                do not mask personal data\n"
		"  --profile P, --max-chars N\n"
		"                           the drafted statement's length limit, as in\n"
		"                           'casefile statement' (default: the profile's)\n"
		"  --templates DIR          templates folder ($CASEFILE_TEMPLATES)\n"
		"  --no-sign                do not sign (the last page says so)\n"
		"  --tsa URL                RFC 3161 TSA for a B-T signature (default:\n"
		"                           the vault setting tsa.url; none: B-B)\n"
		"  --tsa-optional           sign at B-B when the TSA fails\n"
		"  --seal                   seal the ledger first, as 'casefile seal' (the\n"
		"                           one part of build that writes: it waits for\n"
		"                           another writer, or fails at once with --no-wait)\n"
		"  --tsa-ca, --tsa-tls-ca, --tsa-timeout, --passphrase-file\n"
		"                           as in 'casefile sign'\n"
		"\nan image that cannot be decoded is shown as a card; the build still\n"
		"succeeds and says so on stderr.  Unknown order or no vault key: exit 2;\n"
		"TSA failure: exit 3.  A stored row that is not what the sealed originals\n"
		"or the sealed dispute say (edited in the database): exit 1, no PDF,\n"
		"naming the row; run 'casefile audit'.\n"
		"\nexample:\n  casefile build 6931000000000001 -o dossier.pdf\n",
	.flags = CMD_NEEDS_VAULT,
	.run = run_build,
};

/* SPDX-License-Identifier: MIT */
/*
 * cmd_build — `casefile build ORDER`: make the arbitration dossier PDF.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/commands.h"
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

/* A vault setting, NULL when unset or empty. */
static char *
setting(sqlite3 *db, const char *key)
{
	char *v = db_meta_get(db, key);

	if (v && *v == '\0') {
		free(v);
		v = NULL;
	}
	return v;
}

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
static void
print_signed(struct cf_ctx *ctx, struct cf_buf *j, const struct signer *sg, int fell_back)
{
	char when[40];

	if (j) {
		cf_buf_addf(j, ",\"signed\":true,\"level\":\"%s\",\"signer\":",
			    sg->res.timestamped ? "B-T" : "B-B");
		cf_buf_add_json_str(j, sg->si.cn, strlen(sg->si.cn));
		cf_buf_addf(j, ",\"sha256_fingerprint\":\"%s\",\"signing_time\":\"%s\"",
			    sg->si.fingerprint, cftime_format_iso(sg->po.when, when, sizeof(when)));
		if (sg->res.timestamped) {
			cf_buf_addstr(j, ",\"tsa\":");
			cf_buf_add_json_str(j, sg->tsa_url, strlen(sg->tsa_url));
			cf_buf_addf(j, ",\"timestamp\":\"%s\"",
				    cftime_format_iso(sg->res.tsa.time, when, sizeof(when)));
		}
		cf_buf_addf(j, ",\"tsa_fallback\":%s", fell_back ? "true" : "false");
		return;
	}
	ctx_info(ctx, "signed as '%s' (certificate SHA-256 %s)", sg->si.cn, sg->si.fingerprint);
	if (sg->res.timestamped)
		ctx_info(ctx, "PAdES B-T: timestamp %s from '%s' (%s)",
			 ctx_fmt_time(ctx, sg->res.tsa.time, when, sizeof(when)),
			 sg->res.tsa.tsa_name ? sg->res.tsa.tsa_name : "?", sg->tsa_url);
	else
		ctx_info(ctx, "PAdES B-B: no timestamp (no TSA configured; set one with "
			 "--tsa URL or the vault setting 'tsa.url')");
}

static enum cf_exit
run_build(int argc, char **argv, struct cf_ctx *ctx)
{
	enum { OPT_LANG = CTX_OPT_BASE, OPT_NOMEDIA, OPT_STATEMENT, OPT_NOMASK,
	       OPT_TEMPLATES, OPT_SCENARIO, OPT_PROFILE, OPT_MAX, OPT_NOSIGN, OPT_TSA,
	       OPT_TSA_OPTIONAL, OPT_TSA_CA, OPT_TSA_TLS_CA, OPT_TSA_TIMEOUT, OPT_PASSFILE,
	       OPT_SEAL };
	static const struct option opts[] = {
		CTX_COMMON_OPTIONS,
		{ "output", 1, NULL, 'o' },
		{ "lang", 1, NULL, OPT_LANG },
		{ "no-attach-media", 2, NULL, OPT_NOMEDIA },
		{ "statement", 1, NULL, OPT_STATEMENT },
		{ "no-mask", 0, NULL, OPT_NOMASK },
		{ "templates", 1, NULL, OPT_TEMPLATES },
		{ "scenario", 1, NULL, OPT_SCENARIO },
		{ "profile", 1, NULL, OPT_PROFILE },
		{ "max-chars", 1, NULL, OPT_MAX },
		{ "no-sign", 0, NULL, OPT_NOSIGN },
		{ "seal", 0, NULL, OPT_SEAL },
		{ "tsa", 1, NULL, OPT_TSA },
		{ "tsa-optional", 0, NULL, OPT_TSA_OPTIONAL },
		{ "tsa-ca", 1, NULL, OPT_TSA_CA },
		{ "tsa-tls-ca", 1, NULL, OPT_TSA_TLS_CA },
		{ "tsa-timeout", 1, NULL, OPT_TSA_TIMEOUT },
		{ "passphrase-file", 1, NULL, OPT_PASSFILE },
		{ 0 },
	};
	struct dossier_opts o;
	struct dossier_report rep;
	struct dossier_signature dsig;
	struct signer sg;
	struct cf_err err = CF_ERR_INIT;
	char *out_default = NULL, *pass = NULL;
	const char *profile_opt = NULL, *tsa_opt = NULL, *ca_opt = NULL, *tls_opt = NULL;
	const char *passfile = NULL;
	int no_sign = 0, tsa_optional = 0, fell_back = 0, do_seal = 0;
	double timeout = 15;
	struct profile *prof = NULL;
	struct dispute *d = NULL;
	size_t max_opt = 0;
	enum cf_exit rc = CF_EXIT_OK;
	int c, seen_media = 0;
	size_t i;

	memset(&o, 0, sizeof(o));
	memset(&rep, 0, sizeof(rep));
	memset(&sg, 0, sizeof(sg));
	o.media_max = -1;
	o.lang = "zh";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (o.out_path)
				return ctx_usage(ctx, "-o given twice");
			o.out_path = optarg;
			break;
		case OPT_LANG:
			if (strcmp(optarg, "zh") != 0 && strcmp(optarg, "zh-CN") != 0 &&
			    strcmp(optarg, "en") != 0)
				return ctx_usage(ctx, "unknown language '%s': use zh or en", optarg);
			o.lang = optarg;
			break;
		case OPT_NOMEDIA:
			if (seen_media++)
				return ctx_usage(ctx, "--no-attach-media given twice");
			o.media_max = 0;
			if (optarg && (o.media_max = parse_size(optarg)) < 0)
				return ctx_usage(ctx, "bad size '%s' for --no-attach-media "
						      "(e.g. 20M)", optarg);
			break;
		case OPT_STATEMENT:
			if (o.statement_path)
				return ctx_usage(ctx, "--statement given twice");
			o.statement_path = optarg;
			break;
		case OPT_NOMASK:
			o.no_mask = 1;
			break;
		case OPT_TEMPLATES:
			o.templates_dir = optarg;
			break;
		case OPT_SCENARIO:
			if (!statement_scenario_valid(optarg))
				return ctx_usage(ctx, "unknown scenario '%s'", optarg);
			o.scenario = optarg;
			break;
		case OPT_PROFILE:
			if (profile_opt)
				return ctx_usage(ctx, "--profile given twice");
			profile_opt = optarg;
			break;
		case OPT_MAX:
			if (max_opt)
				return ctx_usage(ctx, "--max-chars given twice");
			if (statement_max_parse(optarg, &max_opt) < 0)
				return ctx_usage(ctx, "bad --max-chars '%s' (1..%d)", optarg,
						 STATEMENT_MAX_CHARS);
			break;
		case OPT_NOSIGN:
			no_sign = 1;
			break;
		case OPT_SEAL:
			do_seal = 1;
			break;
		case OPT_TSA_OPTIONAL:
			tsa_optional = 1;
			break;
		case OPT_TSA:
		case OPT_TSA_CA:
		case OPT_TSA_TLS_CA:
		case OPT_PASSFILE: {
			const char **slot = c == OPT_TSA ? &tsa_opt : c == OPT_TSA_CA ? &ca_opt :
					    c == OPT_TSA_TLS_CA ? &tls_opt : &passfile;

			if (*slot)
				return ctx_usage(ctx, "option '%s' given twice", argv[optind - 1]);
			if (*optarg == '\0')
				return ctx_usage(ctx, "option '%s' needs a value", argv[optind - 1]);
			*slot = optarg;
			break;
		}
		case OPT_TSA_TIMEOUT: {
			char *end;

			timeout = strtod(optarg, &end);
			if (*end || !(timeout > 0 && timeout <= 600))
				return ctx_usage(ctx, "bad --tsa-timeout '%s' (seconds, 0..600)", optarg);
			break;
		}
		case '?':
			return ctx_usage(ctx, "unknown option '%s'", argv[optind - 1]);
		default:
			switch (ctx_common_opt(ctx, c, optarg)) {
			case 2:
				return CF_EXIT_OK;
			case -1:
				return CF_EXIT_USAGE;
			}
		}
	}
	if (argc - optind != 1)
		return ctx_usage(ctx, "build needs exactly one order id");
	if (no_sign && !do_seal && (tsa_opt || tsa_optional || ca_opt || tls_opt || passfile))
		return ctx_usage(ctx, "--no-sign conflicts with the signing options");
	o.order_id = argv[optind];
	if (!order_id_valid(o.order_id))
		return ctx_usage(ctx, "bad order id '%s'", o.order_id);
	if (o.out_path == NULL)
		o.out_path = out_default = xasprintf("dossier-%s.pdf", o.order_id);
	if (o.templates_dir == NULL)
		o.templates_dir = ctx->templates_dir;
	o.now = ctx->now;
	o.tz_offset = ctx->tz_offset;
	/* Only --seal writes: a plain build reads, and never waits for a writer. */
	if (ctx_open_vault_for(ctx, do_seal) < 0) {
		rc = CF_EXIT_USAGE;
		goto out;
	}
	/* the statement's limit, as `casefile statement` finds it */
	if (dispute_context(vault_db(ctx->vault), o.order_id, NULL, profile_opt, &d, NULL,
			    &prof, &err) < 0) {
		rc = ctx_fail(ctx, &err);
		goto out;
	}
	o.statement_max_chars = max_opt ? max_opt : (size_t)prof->statement_max_chars;
	{
		/* stored normalised (decimal bytes) by `casefile config` */
		char *mb = setting(vault_db(ctx->vault), "dossier.max_bytes");

		o.max_bytes = mb ? strtoull(mb, NULL, 10) : 0;
		free(mb);
	}
	if (!no_sign || do_seal) {
		sqlite3 *db = vault_db(ctx->vault);

		if (keys_read_pass(passfile, ctx->passphrase, &pass, &err) < 0) {
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
		sg.tsa_url = tsa_opt ? xstrdup(tsa_opt) : setting(db, "tsa.url");
		sg.tsa_ca = ca_opt ? xstrdup(ca_opt) : setting(db, "tsa.ca");
		sg.tls_ca = tls_opt ? xstrdup(tls_opt) : setting(db, "tsa.tls_ca");
		sg.reason = setting(db, "sign.reason");
		sg.location = setting(db, "sign.location");
		sg.contact = setting(db, "sign.contact");
		sg.to.url = sg.tsa_url;
		sg.to.timeout_ms = (long)(timeout * 1000);
		sg.to.ca_file = sg.tsa_ca;
		sg.to.tls_ca_file = sg.tls_ca;
		sg.po.reason = sg.reason;
		sg.po.location = sg.location;
		sg.po.contact = sg.contact;
		sg.po.when = (time_t)ctx->now;
		sg.po.tsa = sg.tsa_url ? &sg.to : NULL;
		if (do_seal && seal_first(ctx, &sg, tsa_optional, &err) < 0) {
			rc = ctx_fail(ctx, &err);
			if (err.code == CF_ENET)
				ctx_error(ctx, "no dossier was written (use --tsa-optional to seal "
					  "and sign without a timestamp)");
			goto out;
		}
	}
	if (!no_sign) {
		pades_signer_info_init(&sg.si, sg.cert, sg.tsa_url);
		dsig.signer = sg.si.cn;
		dsig.fingerprint = sg.si.fingerprint;
		dsig.tsa = sg.tsa_url;
		dsig.when = ctx->now;
		o.signature = &dsig;
		o.presave_hook = sign_presave;
		o.presave_arg = &sg;
	}
	/* proofs.json and its table in the integrity appendix */
	o.ledger_proofs = 1;
	o.attach_hook = proofs_dossier_attach;
	o.hook_arg = vault_db(ctx->vault);
	if (dossier_build(ctx->vault, &o, &rep, &err) < 0 && err.code == CF_ENET &&
	    tsa_optional && sg.po.tsa) {
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
			ctx_error(ctx, "%s", err.msg);
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
	if (ctx->json) {
		struct cf_buf j = CF_BUF_INIT;

		cf_buf_addstr(&j, "{\"path\":");
		cf_buf_add_json_str(&j, o.out_path, strlen(o.out_path));
		cf_buf_addf(&j, ",\"order_id\":\"%s\",\"dossier_id\":\"%s\",\"pages\":%d,"
			    "\"exhibits\":%zu,\"attached\":%zu,\"left_out\":%zu,\"cards\":%zu",
			    o.order_id, rep.dossier_id, rep.pages, rep.exhibits, rep.attached,
			    rep.left_out, rep.cards);
		if (no_sign)
			cf_buf_addstr(&j, ",\"signed\":false,\"level\":null");
		else
			print_signed(ctx, &j, &sg, fell_back);
		cf_buf_addstr(&j, "}\n");
		fputs(j.data, stdout);
		cf_buf_release(&j);
	} else {
		ctx_info(ctx, "%s", o.out_path);
		if (no_sign)
			ctx_info(ctx, "not signed (--no-sign): the dossier says so on its last page");
		else
			print_signed(ctx, NULL, &sg, fell_back);
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

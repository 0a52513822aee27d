/* SPDX-License-Identifier: MIT */
/*
 * proofs — writing proofs.json from the vault (jansson, one pass) and
 * checking one read from a dossier (jansson; every field type-checked,
 * every hex and base64 string strictly decoded, sizes bounded).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/pem.h>

#include "casefile/base64.h"
#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/checkpoint.h"
#include "casefile/db.h"
#include "casefile/db_stmt.h"
#include "casefile/exhibits.h"
#include "casefile/jout.h"
#include "casefile/keys.h"
#include "casefile/ledger.h"
#include "casefile/pdf.h"
#include "casefile/proofs.h"
#include "casefile/seal.h"
#include "casefile/tsa.h"
#include "casefile/verify.h"
#include "casefile/xalloc.h"

#define LEAF_RECIPE \
	"leaf_hash = SHA-256(0x00 || record); record = 0x01 || u32(len(order_id)) || " \
	"order_id || u32(len(kind)) || kind || sha256 (32 bytes) || u64(size) || " \
	"u32(len(name)) || name || i64(ingested_at); integers big-endian, strings " \
	"UTF-8; with leaf_version 3 the record starts 0x03 and has " \
	"u32(len(name_raw)) || name_raw (the bytes of name_raw_hex) after name; " \
	"interior nodes SHA-256(0x01 || left || right) (RFC 9162)"

/* A SHA-256 as a JSON string of lowercase hex. */
static json_t *
hex_json(const unsigned char *h)
{
	char hex[CF_SHA256_HEXLEN + 1];

	cf_hex_encode(h, CF_SHA256_LEN, hex);
	return json_string(hex);
}

/* A list of hashes as a JSON array of hex strings. */
static json_t *
hexes_json(const unsigned char (*v)[CF_SHA256_LEN], size_t n)
{
	json_t *a = json_array();
	size_t j;

	for (j = 0; j < n; j++)
		json_array_append_new(a, hex_json(v[j]));
	return a;
}

/* A head's checkpoint and its timestamp token (base64, or null). */
static void
checkpoint_json(json_t *o, const struct seal_head *h)
{
	json_object_set_new(o, "checkpoint", jout_strn(h->checkpoint, h->checkpoint_len));
	if (h->tst) {
		struct cf_buf b = CF_BUF_INIT;

		base64_encode(h->tst, h->tst_len, &b);
		json_object_set_new(o, "checkpoint_timestamp", jout_strn(b.data, b.len));
		cf_buf_release(&b);
	} else
		json_object_set_new(o, "checkpoint_timestamp", json_null());
}

/*
 * "first_head": the head that first covered leaf idx (its checkpoint and
 * token), and "consistency_proof": RFC 9162 from it to head (the newest),
 * so an auditor sees the exhibit was sealed then and the log only grew.
 */
static int
first_head_json(struct cf_db *db, uint64_t idx, const struct seal_head *head, json_t *x,
		struct cf_err *err)
{
	struct seal_head first;
	unsigned char (*proof)[CF_SHA256_LEN] = NULL;
	size_t np = 0;
	int found = 0, ret = -1;
	json_t *fh;

	if (seal_head_find(db, idx + 1, &first, &found, err) < 0)
		return -1;
	if (!found || first.tree_size > head->tree_size) {
		seal_head_release(&first);
		return 0;
	}
	if (ledger_consistency_proof(db, first.tree_size, head->tree_size, &proof, &np, err) < 0 ||
	    ledger_verify_consistency(first.tree_size, head->tree_size, first.root, head->root,
				      (const unsigned char (*)[CF_SHA256_LEN])proof, np, err) < 0)
		goto out;
	fh = json_pack("{s:I, s:o}", "tree_size", JI(first.tree_size), "root_hash",
		       hex_json(first.root));
	checkpoint_json(fh, &first);
	json_object_set_new(x, "first_head", fh);
	json_object_set_new(x, "consistency_proof",
			    hexes_json((const unsigned char (*)[CF_SHA256_LEN])proof, np));
	ret = 0;
out:
	free(proof);
	seal_head_release(&first);
	return ret;
}

/* "certificate" (PEM) and "verifier_key" (C2SP line) of the vault key. */
static int
cert_json(const char *vault_dir, const char *origin, json_t *root, struct cf_err *err)
{
	X509 *cert = NULL;
	BIO *bio = NULL;
	BUF_MEM *mem;
	char *vk = NULL;
	int ret = -1;

	if (keys_load_cert(vault_dir, &cert, err) < 0) {
		if (err && err->code == CF_ENOTFOUND) {	/* an unsigned vault: nothing to add */
			cf_err_release(err);
			return 0;
		}
		return -1;
	}
	if ((bio = BIO_new(BIO_s_mem())) == NULL || PEM_write_bio_X509(bio, cert) != 1) {
		cf_err_ssl(err, "cannot write the certificate");
		goto out;
	}
	if (checkpoint_verifier_key(origin, X509_get0_pubkey(cert), &vk, err) < 0)
		goto out;
	BIO_get_mem_ptr(bio, &mem);
	json_object_set_new(root, "certificate", jout_strn(mem->data, mem->length));
	json_object_set_new(root, "verifier_key", jout_str(vk));
	ret = 0;
out:
	BIO_free(bio);
	X509_free(cert);
	free(vk);
	return ret;
}

/* The vault folder: the one holding the database file; NULL in memory. */
static char *
vault_dir_of(struct cf_db *db)
{
	const char *f = db_filename(db);
	const char *slash = f ? strrchr(f, '/') : NULL;

	if (f == NULL)
		return NULL;
	return slash ? xstrndup(f, (size_t)(slash - f)) : xstrdup(".");
}

/*
 * The proofs of one exhibit (ids[i], leaf lh at index idx, or idx -1 when
 * it has none): appended to x.  -1 when its row does not match its leaf.
 */
static int
exhibit_proofs(struct cf_db *db, int64_t id, int64_t idx, const unsigned char *lh,
	       const struct seal_head *head, int found, json_t *x, struct cf_err *err)
{
	unsigned char (*path)[CF_SHA256_LEN] = NULL, stored[CF_SHA256_LEN];
	size_t np = 0;
	char when[32];

	if (idx < 0 || !found || (uint64_t)idx >= head->tree_size) {
		json_object_set_new(x, "status", json_string("not yet sealed"));
		json_object_set_new(x, "leaf_index", jout_int_or_null(idx, idx < 0));
		json_object_set_new(x, "leaf_hash", idx < 0 ? json_null() : hex_json(lh));
		return 0;
	}
	/* Prove what the ledger holds, and make sure it is this row. */
	if (ledger_leaf_hash_at(db, (uint64_t)idx, stored, err) < 0)
		return -1;
	if (memcmp(stored, lh, CF_SHA256_LEN) != 0)
		return cf_err_set(err, CF_EVERIFY, "evidence row %lld does not match its "
				  "ledger leaf %lld: run 'casefile audit'",
				  (long long)id, (long long)idx);
	if (ledger_inclusion_proof(db, (uint64_t)idx, head->tree_size, &path, &np, err) < 0)
		return -1;
	json_object_set_new(x, "status", json_string("sealed"));
	json_object_set_new(x, "leaf_index", json_integer(idx));
	json_object_set_new(x, "leaf_hash", hex_json(lh));
	json_object_set_new(x, "tree_size", json_integer(JI(head->tree_size)));
	json_object_set_new(x, "root_hash", hex_json(head->root));
	json_object_set_new(x, "inclusion_path",
			    hexes_json((const unsigned char (*)[CF_SHA256_LEN])path, np));
	free(path);
	checkpoint_json(x, head);
	json_object_set_new(x, "sealed_at",
			    json_string(cftime_format_iso(head->created_at, when, sizeof(when))));
	return first_head_json(db, (uint64_t)idx, head, x, err);
}

int
proofs_json_new(struct cf_db *db, const int64_t *ids, size_t n, char **json, size_t *len,
		struct cf_err *err)
{
	struct seal_head head;
	struct db_stmt *st = NULL;
	char *origin = NULL, *vault_dir = vault_dir_of(db), *s;
	int found = 0, ret = -1;
	json_t *root = NULL, *exs;
	size_t i;

	memset(&head, 0, sizeof(head));
	if (seal_origin(db, &origin, err) < 0 || seal_head_find(db, 0, &head, &found, err) < 0 ||
	    db_prepare(db, "SELECT leaf_index FROM evidence WHERE id = ?", &st, err) < 0)
		goto out;
	root = json_pack("{s:s, s:o, s:s, s:[]}", "format", PROOFS_FORMAT,
			 "log_origin", jout_str(origin), "leaf_hash", LEAF_RECIPE, "exhibits");
	if (root == NULL)
		CF_BUG("proofs.json");
	exs = json_object_get(root, "exhibits");
	for (i = 0; i < n; i++) {
		struct ledger_leaf leaf;
		unsigned char lh[CF_SHA256_LEN];
		int64_t idx = -1;
		json_t *x;

		if (ledger_leaf_load(db, ids[i], &leaf, err) < 0)
			goto out;
		db_reset(st);
		db_bind_int64(st, 1, ids[i]);
		if (db_step(st) == DB_ROW && db_col_type(st, 0) != DB_NULL)
			idx = db_col_int64(st, 0);
		db_reset(st);
		ledger_leaf_hash(&leaf, lh);
		x = json_pack("{s:I, s:o, s:o, s:o, s:I, s:I, s:o}", "evidence_id", JI(ids[i]),
			      "order_id", jout_str(leaf.order_id), "kind", jout_str(leaf.kind),
			      "name", jout_str(leaf.name), "size", JI(leaf.size),
			      "ingested_at", JI(leaf.ingested_at), "sha256", hex_json(leaf.sha256));
		if (leaf.version == LEDGER_LEAF_VERSION_RAW) {
			char *hx = xmalloc(leaf.name_raw_len * 2 + 1);

			cf_hex_encode(leaf.name_raw, leaf.name_raw_len, hx);
			json_object_set_new(x, "leaf_version", json_integer(3));
			json_object_set_new(x, "name_raw_hex", json_string(hx));
			free(hx);
		}
		ledger_leaf_release(&leaf);
		json_array_append_new(exs, x);
		if (exhibit_proofs(db, ids[i], idx, lh, &head, found, x, err) < 0)
			goto out;
	}
	if (vault_dir && cert_json(vault_dir, origin, root, err) < 0)
		goto out;
	/* One line and a newline, as casefile-proofs-1 always was. */
	s = jout_dumps(root);
	root = NULL;
	*json = xasprintf("%s\n", s);
	*len = strlen(*json);
	free(s);
	ret = 0;
out:
	json_decref(root);
	db_finalize(st);
	seal_head_release(&head);
	free(origin);
	free(vault_dir);
	return ret;
}

void
proofs_report_release(struct proofs_report *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->n; i++) {
		free(rep->items[i].name);
		free(rep->items[i].problem);
	}
	free(rep->items);
	memset(rep, 0, sizeof(*rep));
}

/* --- reading ------------------------------------------------------------- */

static const char *
get_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
get_int(json_t *o, const char *key, long long *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

static int
get_hash(json_t *o, const char *key, unsigned char out[CF_SHA256_LEN])
{
	const char *s = get_str(o, key);

	return s && cf_hex_decode(s, strlen(s), out, CF_SHA256_LEN) == 0 ? 0 : -1;
}

/* Check one sealed exhibit; returns NULL when good, else a heap message. */
static char *
check_exhibit(json_t *ex, const char *origin, EVP_PKEY *pub, struct proofs_item *it)
{
	struct cf_err err = CF_ERR_INIT;
	struct ledger_leaf leaf;
	struct checkpoint cp;
	unsigned char lh[CF_SHA256_LEN], want[CF_SHA256_LEN], root[CF_SHA256_LEN];
	unsigned char path[LEDGER_MAX_PROOF][CF_SHA256_LEN], raw[4096];
	const char *cptext, *tst;
	long long idx, size, fsize, ingested;
	json_t *arr;
	size_t i, np;
	char *msg = NULL;

	checkpoint_init(&cp);
	memset(&leaf, 0, sizeof(leaf));
	leaf.order_id = get_str(ex, "order_id");
	leaf.kind = get_str(ex, "kind");
	leaf.name = get_str(ex, "name");
	if (!leaf.order_id || !leaf.kind || !leaf.name || get_hash(ex, "sha256", leaf.sha256) < 0 ||
	    get_int(ex, "size", &fsize) < 0 || !json_is_integer(json_object_get(ex, "ingested_at")))
		return xstrdup("missing or bad leaf fields (order_id, kind, name, sha256, size, ingested_at)");
	ingested = json_integer_value(json_object_get(ex, "ingested_at"));
	leaf.size = (uint64_t)fsize;
	leaf.ingested_at = ingested;
	{
		/* leaf version 3 binds the name's raw bytes (ledger.h) */
		json_t *v = json_object_get(ex, "leaf_version");
		const char *rh = get_str(ex, "name_raw_hex");
		size_t rl;

		if (v && (!json_is_integer(v) || (json_integer_value(v) != LEDGER_LEAF_VERSION &&
						   json_integer_value(v) != LEDGER_LEAF_VERSION_RAW)))
			return xstrdup("bad leaf_version");
		if (v && json_integer_value(v) == LEDGER_LEAF_VERSION_RAW) {
			if (rh == NULL || (rl = strlen(rh)) % 2 || rl / 2 > 4096 ||
			    cf_hex_decode(rh, rl, raw, rl / 2) < 0)
				return xstrdup("leaf version 3 without a good name_raw_hex");
			leaf.version = LEDGER_LEAF_VERSION_RAW;
			leaf.name_raw = raw;
			leaf.name_raw_len = rl / 2;
		}
	}
	if (get_int(ex, "leaf_index", &idx) < 0 || get_hash(ex, "leaf_hash", want) < 0 ||
	    get_int(ex, "tree_size", &size) < 0 || get_hash(ex, "root_hash", root) < 0)
		return xstrdup("missing or bad proof fields (leaf_index, leaf_hash, tree_size, root_hash)");
	it->leaf_index = idx;
	it->tree_size = (uint64_t)size;
	ledger_leaf_hash(&leaf, lh);
	if (memcmp(lh, want, CF_SHA256_LEN) != 0)
		return xstrdup("leaf_hash does not match the exhibit's fields");
	arr = json_object_get(ex, "inclusion_path");
	if (!json_is_array(arr) || (np = json_array_size(arr)) > LEDGER_MAX_PROOF)
		return xstrdup("bad inclusion_path");
	for (i = 0; i < np; i++) {
		json_t *h = json_array_get(arr, i);
		const char *s = json_is_string(h) ? json_string_value(h) : NULL;

		if (s == NULL || cf_hex_decode(s, strlen(s), path[i], CF_SHA256_LEN) < 0)
			return xasprintf("bad inclusion_path entry %zu", i);
	}
	if (ledger_verify_inclusion((uint64_t)idx, (uint64_t)size, lh,
				    (const unsigned char (*)[CF_SHA256_LEN])path, np, root, &err) < 0)
		goto fail;
	cptext = get_str(ex, "checkpoint");
	if (cptext == NULL)
		return xstrdup("no checkpoint");
	if (checkpoint_parse(cptext, strlen(cptext), &cp, &err) < 0) {
		cf_err_prefix(&err, "checkpoint");
		goto fail;
	}
	if (cp.size != (uint64_t)size || memcmp(cp.root, root, CF_SHA256_LEN) != 0) {
		msg = xstrdup("the checkpoint is for another tree size or root");
		goto out;
	}
	if (strcmp(cp.origin, origin) != 0) {
		msg = xasprintf("the checkpoint is from log '%s', not '%s'", cp.origin, origin);
		goto out;
	}
	if (pub && checkpoint_verify(&cp, cptext, strlen(cptext), pub, &err) < 0)
		goto fail;
	tst = get_str(ex, "checkpoint_timestamp");
	if (tst) {
		struct cf_buf der = CF_BUF_INIT;
		int64_t t;

		if (base64_decode(tst, strlen(tst), &der) < 0) {
			cf_buf_release(&der);
			msg = xstrdup("checkpoint_timestamp is not base64");
			goto out;
		}
		if (seal_token_check((const unsigned char *)der.data, der.len, cptext,
				     strlen(cptext), &t, &err) < 0) {
			cf_buf_release(&der);
			cf_err_prefix(&err, "checkpoint_timestamp");
			goto fail;
		}
		cf_buf_release(&der);
		it->timestamped = 1;
		it->sealed_at = t;
	} else if (!json_is_null(json_object_get(ex, "checkpoint_timestamp"))) {
		msg = xstrdup("bad checkpoint_timestamp");
		goto out;
	}
	goto out;
fail:
	msg = xstrdup(err.msg ? err.msg : "check failed");
out:
	checkpoint_release(&cp);
	cf_err_release(&err);
	return msg;
}

int
proofs_verify_json(const char *json, size_t n, EVP_PKEY *pub, struct proofs_report *rep,
		   struct cf_err *err)
{
	json_error_t jerr;
	json_t *root, *arr;
	const char *fmt, *origin;
	size_t i, first_bad = (size_t)-1;

	memset(rep, 0, sizeof(*rep));
	root = json_loadb(json, n, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return cf_err_set(err, CF_EINPUT, "proofs.json: line %d: %s", jerr.line, jerr.text);
	fmt = get_str(root, "format");
	arr = json_object_get(root, "exhibits");
	origin = get_str(root, "log_origin");
	if (fmt == NULL || strcmp(fmt, PROOFS_FORMAT) != 0 || !json_is_array(arr) || !origin) {
		json_decref(root);
		return cf_err_set(err, CF_EINPUT, "proofs.json: not a '%s' document", PROOFS_FORMAT);
	}
	rep->n = json_array_size(arr);
	rep->items = xcalloc(rep->n ? rep->n : 1, sizeof(*rep->items));
	for (i = 0; i < rep->n; i++) {
		json_t *ex = json_array_get(arr, i);
		struct proofs_item *it = &rep->items[i];
		const char *s, *status;

		it->leaf_index = -1;
		it->sealed_at = -1;
		if (!json_is_object(ex)) {
			it->problem = xstrdup("not an object");
			goto bad;
		}
		if ((s = get_str(ex, "sha256")) && strlen(s) == CF_SHA256_HEXLEN)
			memcpy(it->sha256, s, CF_SHA256_HEXLEN + 1);
		if ((s = get_str(ex, "name")))
			it->name = xstrdup(s);
		status = get_str(ex, "status");
		if (status && !strcmp(status, "not yet sealed")) {
			long long idx;

			if (get_int(ex, "leaf_index", &idx) == 0)
				it->leaf_index = idx;
			it->ok = 1;
			rep->nunsealed++;
			continue;
		}
		if (status == NULL || strcmp(status, "sealed") != 0) {
			it->problem = xstrdup("bad status");
			goto bad;
		}
		it->sealed = 1;
		if ((it->problem = check_exhibit(ex, origin, pub, it)) != NULL)
			goto bad;
		it->ok = 1;
		continue;
bad:
		rep->nfailed++;
		if (first_bad == (size_t)-1)
			first_bad = i;
	}
	json_decref(root);
	if (rep->nfailed)
		return cf_err_set(err, CF_EVERIFY, "proofs.json: exhibit %zu ('%s'): %s",
				  first_bad + 1,
				  rep->items[first_bad].name ? rep->items[first_bad].name : "?",
				  rep->items[first_bad].problem);
	return 0;
}

int
proofs_dossier_attach(void *arg, struct pdf *p, const struct exhibits *ex,
		      struct cf_err *err)
{
	int64_t *ids = xcalloc(ex->n ? ex->n : 1, sizeof(*ids));
	char *json = NULL;
	size_t i, len;
	int ret = -1;

	for (i = 0; i < ex->n; i++)
		ids[i] = ex->v[i].evidence_id;
	if (proofs_json_new(arg, ids, ex->n, &json, &len, err) < 0 ||
	    pdf_attach_mem(p, "proofs.json", json, len, "application/json",
			   "Merkle ledger inclusion proofs, signed tree head and timestamp "
			   "(format " PROOFS_FORMAT ")", 0, err) < 0)
		goto out;
	ret = 0;
out:
	free(json);
	free(ids);
	return ret;
}

/* --- casefile verify ------------------------------------------------------ */

#define PROOFS_MAX (64u << 20)

/* The manifest's sha256 and number of exhibit i, or NULL. */
static const char *
manifest_sha(json_t *mex, size_t i, long long *no)
{
	json_t *e = json_array_get(mex, i);
	json_t *n = json_object_get(e, "no");

	*no = json_is_integer(n) ? json_integer_value(n) : (long long)i + 1;
	return get_str(e, "sha256");
}

/* With a CA for the TSA: the token of exhibit i chains to it.  NULL or why not. */
static char *
tsa_chain_problem(json_t *pex, size_t i, const char *ca)
{
	json_t *e = json_array_get(json_object_get(pex, "exhibits"), i);
	const char *cp = get_str(e, "checkpoint"), *tst = get_str(e, "checkpoint_timestamp");
	struct cf_buf der = CF_BUF_INIT;
	struct cf_err err = CF_ERR_INIT;
	char *why = NULL;

	if (cp == NULL || tst == NULL)
		return NULL;
	if (base64_decode(tst, strlen(tst), &der) < 0)
		why = xstrdup("checkpoint_timestamp is not base64");
	else if (tsa_token_verify((const unsigned char *)der.data, der.len, cp, strlen(cp), ca,
				  NULL, &err) < 0)
		why = xasprintf("checkpoint timestamp not trusted ('%s'): %s", ca, err.msg);
	cf_buf_release(&der);
	cf_err_release(&err);
	return why;
}

void
proofs_verify_hook(struct verify_doc *d, const struct verify_opts *o, struct verify_report *r)
{
	struct cf_buf pj = CF_BUF_INIT, mj = CF_BUF_INIT;
	struct cf_err e = CF_ERR_INIT;
	struct proofs_report rep;
	X509 *vcert = NULL, *cert = NULL;
	json_t *pdoc = NULL, *man = NULL, *mex = NULL;
	const char *whose = "", *ca = o->tsa_ca_file ? o->tsa_ca_file : o->trust_file;
	char *cn = NULL;
	size_t i, nsealed = 0;

	memset(&rep, 0, sizeof(rep));
	if (verify_doc_attachment(d, "proofs.json", PROOFS_MAX, &pj, &e) < 0) {
		if (e.code == CF_ENOTFOUND)
			verify_report_add(r, "proofs", VERIFY_WARN, "no proofs.json attached: the "
					  "exhibits carry no ledger proofs");
		else
			verify_report_add(r, "proofs", VERIFY_FAIL, "cannot read proofs.json: %s",
					  e.msg);
		goto out;
	}
	/* whose key signed the tree heads: the vault's, else the dossier signer's */
	if (o->vault_dir && keys_load_cert(o->vault_dir, &vcert, &e) == 0) {
		cert = vcert;
		whose = "the vault's certificate";
	} else if ((cert = verify_doc_signer(d)) != NULL) {
		whose = "the dossier signer's certificate";
	}
	cf_err_release(&e);
	if (proofs_verify_json(pj.data, pj.len, cert ? X509_get0_pubkey(cert) : NULL, &rep,
			       &e) < 0 && e.code != CF_EVERIFY) {
		verify_report_add(r, "proofs", VERIFY_FAIL, "%s", e.msg);
		goto out;
	}
	cf_err_release(&e);
	pdoc = json_loadb(pj.data, pj.len, 0, NULL);
	if (verify_doc_attachment(d, "manifest.json", PROOFS_MAX, &mj, &e) == 0 &&
	    (man = json_loadb(mj.data, mj.len, 0, NULL)) != NULL)
		mex = json_object_get(man, "exhibits");
	cf_err_release(&e);
	if (!json_is_array(mex)) {
		verify_report_add(r, "proofs", VERIFY_FAIL, "proofs.json cannot be matched to "
				  "the exhibits: no readable manifest.json");
		goto out;
	}
	if (json_array_size(mex) != rep.n) {
		verify_report_add(r, "proofs", VERIFY_FAIL, "proofs.json has %zu exhibits, "
				  "manifest.json %zu", rep.n, json_array_size(mex));
		goto out;
	}
	for (i = 0; i < rep.n; i++) {
		struct proofs_item *it = &rep.items[i];
		const char *name = it->name ? it->name : "?";
		const char *msha;
		char *name_check, *why = NULL;
		long long no;

		msha = manifest_sha(mex, i, &no);
		name_check = xasprintf("proof exhibit %lld", no);
		if (msha == NULL || strcmp(msha, it->sha256) != 0) {
			verify_report_add(r, name_check, VERIFY_FAIL, "'%s': proofs.json proves "
					  "another file than manifest.json lists", name);
		} else if (!it->ok) {
			verify_report_add(r, name_check, VERIFY_FAIL, "'%s': %s", name,
					  it->problem ? it->problem : "proof does not check");
		} else if (!it->sealed) {
			verify_report_add(r, name_check, VERIFY_WARN, "'%s': not yet sealed", name);
		} else if (ca && (why = tsa_chain_problem(pdoc, i, ca)) != NULL) {
			verify_report_add(r, name_check, VERIFY_FAIL, "'%s': %s", name, why);
		} else if (!it->timestamped) {
			nsealed++;
			verify_report_add(r, name_check, VERIFY_WARN, "'%s': leaf %lld in tree head "
					  "%llu; the head has no timestamp, so its seal time is "
					  "not proved", name, (long long)it->leaf_index,
					  (unsigned long long)it->tree_size);
		} else {
			char utc[40], cst[40];

			nsealed++;
			verify_report_add(r, name_check, VERIFY_PASS, "'%s': leaf %lld in tree head "
					  "%llu, sealed at %s (China time %s)", name, (long long)it->leaf_index,
					  (unsigned long long)it->tree_size,
					  cftime_format_iso(it->sealed_at, utc, sizeof(utc)),
					  cftime_format(it->sealed_at, 8 * 3600, cst, sizeof(cst)));
		}
		free(why);
		free(name_check);
	}
	if (cert)
		cn = keys_cert_cn(cert);
	if (rep.nfailed)
		verify_report_add(r, "proofs", VERIFY_FAIL, "proofs.json: %zu of %zu exhibit "
				  "proofs fail", rep.nfailed, rep.n);
	else if (cert == NULL && nsealed)
		verify_report_add(r, "proofs", VERIFY_WARN, "proofs.json: %zu exhibits, %zu "
				  "sealed, %zu not yet sealed; tree head signatures not checked "
				  "(an unsigned dossier: give --vault)", rep.n, nsealed,
				  rep.nunsealed);
	else {
		char *by = nsealed ? xasprintf("; tree heads signed by '%s' (%s)", cn, whose)
				   : xstrdup("");

		verify_report_add(r, "proofs", rep.nunsealed ? VERIFY_WARN : VERIFY_PASS,
				  "proofs.json: %zu exhibits, %zu sealed, %zu not yet sealed%s",
				  rep.n, nsealed, rep.nunsealed, by);
		free(by);
	}
out:
	free(cn);
	proofs_report_release(&rep);
	json_decref(pdoc);
	json_decref(man);
	X509_free(vcert);
	cf_buf_release(&pj);
	cf_buf_release(&mj);
	cf_err_release(&e);
}

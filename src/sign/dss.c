/* SPDX-License-Identifier: MIT */
/*
 * dss — gathers the validation data described in dss.h and appends it with
 * pades_append_objects, then the document timestamp with pades_sign_file.
 *
 * Certificates are collected into one pool (signatures, tokens, existing
 * DSS, CA file); each certificate whose status is needed is fetched once,
 * and CRLs shared by several certificates are stored once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs7.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "casefile/buf.h"
#include "casefile/dss.h"
#include "casefile/keys.h"
#include "casefile/pades.h"
#include "casefile/pdfread.h"
#include "casefile/revocation.h"
#include "casefile/xalloc.h"

#define MAX_SIGS 64
#define MAX_CHAIN 10

void
dss_result_release(struct dss_result *r)
{
	if (r == NULL)
		return;
	free(r->missing);
	tsa_info_release(&r->tsa);
	memset(r, 0, sizeof(*r));
}

void
dss_vri_key(const unsigned char *contents, size_t n, char key[41])
{
	static const char hx[] = "0123456789ABCDEF";
	unsigned char md[SHA_DIGEST_LENGTH];
	int i;

	SHA1(contents, n, md);
	for (i = 0; i < SHA_DIGEST_LENGTH; i++) {
		key[2 * i] = hx[md[i] >> 4];
		key[2 * i + 1] = hx[md[i] & 15];
	}
	key[40] = '\0';
}

static void
push_ref(STACK_OF(X509) *sk, X509 *c)
{
	if (c && X509_up_ref(c))
		sk_X509_push(sk, c);
}

/* A token's certificates into pool, its signer into ends. */
static int
token_certs(PKCS7 *p7, STACK_OF(X509) *pool, STACK_OF(X509) *ends)
{
	STACK_OF(X509) *signers;
	int i;

	if (p7 == NULL || !PKCS7_type_is_signed(p7) || p7->d.sign == NULL)
		return -1;
	for (i = 0; p7->d.sign->cert && i < sk_X509_num(p7->d.sign->cert); i++)
		push_ref(pool, sk_X509_value(p7->d.sign->cert, i));
	signers = PKCS7_get0_signers(p7, NULL, 0);
	if (signers && sk_X509_num(signers) > 0)
		push_ref(ends, sk_X509_value(signers, 0));
	sk_X509_free(signers);
	ERR_clear_error();
	return 0;
}

int
dss_sig_certs(const unsigned char *p, size_t n, int doc_ts, STACK_OF(X509) *pool,
	      STACK_OF(X509) *ends, struct cf_err *err)
{
	const unsigned char *q = p;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	STACK_OF(X509) *certs = NULL;
	PKCS7 *p7;
	int i, j, ret = -1;

	if (doc_ts) {
		p7 = d2i_PKCS7(NULL, &q, (long)n);
		ret = token_certs(p7, pool, ends);
		PKCS7_free(p7);
		if (ret < 0)
			cf_err_set(err, CF_EINPUT, "the document timestamp is not an RFC 3161 token");
		ERR_clear_error();
		return ret;
	}
	if ((cms = d2i_CMS_ContentInfo(NULL, &q, (long)n)) == NULL ||
	    (sis = CMS_get0_SignerInfos(cms)) == NULL) {
		cf_err_set(err, CF_EINPUT, "the signature is not a CMS SignedData");
		goto out;
	}
	certs = CMS_get1_certs(cms);
	for (i = 0; certs && i < sk_X509_num(certs); i++)
		push_ref(pool, sk_X509_value(certs, i));
	for (j = 0; j < sk_CMS_SignerInfo_num(sis); j++) {
		CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, j);
		int k;

		for (i = 0; certs && i < sk_X509_num(certs); i++)
			if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0)
				push_ref(ends, sk_X509_value(certs, i));
		for (k = -1; (k = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, k)) >= 0;) {
			ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, k), 0);
			const unsigned char *tp;

			if (t == NULL || t->type != V_ASN1_SEQUENCE)
				continue;
			tp = ASN1_STRING_get0_data(t->value.sequence);
			p7 = d2i_PKCS7(NULL, &tp, ASN1_STRING_length(t->value.sequence));
			token_certs(p7, pool, ends);
			PKCS7_free(p7);
		}
	}
	ret = 0;
out:
	ERR_clear_error();
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
	return ret;
}

int
dss_self_signed(X509 *c)
{
	/* not X509_check_issued(c, c): a self-signed end-entity certificate
	 * (casefile keygen) has no keyCertSign and would not count */
	int r = X509_NAME_cmp(X509_get_subject_name(c), X509_get_issuer_name(c)) == 0 &&
		X509_verify(c, X509_get0_pubkey(c)) == 1;

	ERR_clear_error();
	return r;
}

X509 *
dss_find_issuer(STACK_OF(X509) *pool, X509 *cert)
{
	int i;

	if (dss_self_signed(cert))
		return NULL;
	for (i = 0; pool && i < sk_X509_num(pool); i++) {
		X509 *c = sk_X509_value(pool, i);

		if (X509_cmp(c, cert) != 0 && X509_check_issued(c, cert) == X509_V_OK &&
		    X509_verify(cert, X509_get0_pubkey(c)) == 1) {
			ERR_clear_error();
			return c;
		}
	}
	ERR_clear_error();
	return NULL;
}

/* --- what goes into the update ---------------------------------------- */

struct blob {
	unsigned char *p;
	size_t n;
	unsigned num;		/* object number */
	int old;		/* already in the file (an earlier DSS) */
};

struct blobs {
	struct blob *v;
	size_t n;
};

/* Index of der in b (added when new, with object number *next). */
static size_t
blob_add(struct blobs *b, const unsigned char *p, size_t n, unsigned *next, int *added)
{
	size_t i;

	*added = 0;
	for (i = 0; i < b->n; i++)
		if (b->v[i].n == n && memcmp(b->v[i].p, p, n) == 0)
			return i;
	b->v = xreallocarray(b->v, b->n + 1, sizeof(*b->v));
	b->v[b->n].p = xmemdup(p, n);
	b->v[b->n].n = n;
	b->v[b->n].num = (*next)++;
	b->v[b->n].old = 0;
	*added = 1;
	return b->n++;
}

static void
blobs_release(struct blobs *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->v[i].p);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

/* The per-signature VRI entry being built: indexes into the blobs. */
struct vri {
	char key[41];
	size_t *cert, *ocsp, *crl;
	size_t ncert, nocsp, ncrl;
};

static void
idx_add(size_t **v, size_t *n, size_t i)
{
	size_t k;

	for (k = 0; k < *n; k++)
		if ((*v)[k] == i)
			return;
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = i;
}

/* Revocation data fetched for a certificate (one fetch per certificate). */
struct fetched {
	X509 *cert;		/* borrowed from the pool */
	int ok;
	enum revo_kind kind;
	size_t idx;		/* into ocsps or crls */
};

struct gather {
	const struct dss_opts *o;
	STACK_OF(X509) *pool;
	struct blobs certs, ocsps, crls;
	struct fetched *f;
	size_t nf;
	unsigned next;			/* next free object number */
	struct dss_result *res;
	struct cf_buf missing;
};

static size_t
cert_blob(struct gather *g, X509 *c)
{
	unsigned char *der = NULL;
	int n = i2d_X509(c, &der), added;
	size_t i;

	if (n <= 0)
		CF_BUG("cannot encode a parsed certificate");
	i = blob_add(&g->certs, der, (size_t)n, &g->next, &added);
	g->res->ncerts += (size_t)added;
	OPENSSL_free(der);
	return i;
}

/* The revocation data of cert (issued by issuer), fetched once. */
static struct fetched *
fetch(struct gather *g, X509 *cert, X509 *issuer)
{
	struct cf_err e = CF_ERR_INIT;
	struct fetched *f;
	unsigned char *der = NULL;
	size_t len = 0, i;
	int added;

	for (i = 0; i < g->nf; i++)
		if (g->f[i].cert == cert)
			return &g->f[i];
	g->f = xreallocarray(g->f, g->nf + 1, sizeof(*g->f));
	f = &g->f[g->nf++];
	memset(f, 0, sizeof(*f));
	f->cert = cert;
	if (revo_fetch(cert, issuer, g->o->net, &f->kind, &der, &len, &e) < 0) {
		char *cn = keys_cert_cn(cert);

		cf_buf_addf(&g->missing, "%s'%s': %s", g->missing.len ? "; " : "", cn,
			    e.msg ? e.msg : "failed");
		g->res->nmissing++;
		free(cn);
		cf_err_release(&e);
		return f;
	}
	f->ok = 1;
	if (f->kind == REVO_OCSP) {
		f->idx = blob_add(&g->ocsps, der, len, &g->next, &added);
		g->res->nocsp += (size_t)added;
	} else {
		f->idx = blob_add(&g->crls, der, len, &g->next, &added);
		g->res->ncrl += (size_t)added;
	}
	free(der);
	return f;
}

/* Chains of the signature's end certificates into v, with their status. */
static void
cover(struct gather *g, STACK_OF(X509) *ends, struct vri *v)
{
	int i, depth;

	for (i = 0; i < sk_X509_num(ends); i++) {
		X509 *c = sk_X509_value(ends, i), *iss;

		for (depth = 0; c && depth < MAX_CHAIN; depth++, c = iss) {
			idx_add(&v->cert, &v->ncert, cert_blob(g, c));
			iss = dss_find_issuer(g->pool, c);
			if (iss == NULL) {
				if (!dss_self_signed(c)) {
					char *cn = keys_cert_cn(c);

					cf_buf_addf(&g->missing, "%s'%s': its issuer's certificate "
						    "is not available (give the CA file)",
						    g->missing.len ? "; " : "", cn);
					g->res->nmissing++;
					free(cn);
				}
				break;
			}
			{
				struct fetched *f = fetch(g, c, iss);

				if (f->ok && f->kind == REVO_OCSP)
					idx_add(&v->ocsp, &v->nocsp, f->idx);
				else if (f->ok)
					idx_add(&v->crl, &v->ncrl, f->idx);
			}
		}
	}
}

static int
load_ca_file(const char *path, STACK_OF(X509) *pool, struct cf_err *err)
{
	FILE *fp = fopen(path, "r");
	X509 *c;
	int n = 0;

	if (fp == NULL)
		return cf_err_errno(err, CF_EINPUT, "cannot open ca file '%s'", path);
	while ((c = PEM_read_X509(fp, NULL, NULL, NULL)) != NULL) {
		sk_X509_push(pool, c);
		n++;
	}
	fclose(fp);
	ERR_clear_error();
	if (n == 0)
		return cf_err_set(err, CF_EINPUT, "ca file '%s' holds no PEM certificate", path);
	return 0;
}

/* The signature dictionaries of the form, as (contents, doc_ts) pairs. */
struct sigv {
	const struct pdfread_obj *contents;
	int doc_ts;
};

static void
walk_fields(struct pdfread *pdf, const struct pdfread_obj *arr, int depth, struct sigv *out,
	    size_t *n)
{
	size_t i;

	if (arr == NULL || arr->type != PDFREAD_ARRAY || depth > 16)
		return;
	for (i = 0; i < arr->u.a.n && *n < MAX_SIGS; i++) {
		const struct pdfread_obj *f = pdfread_resolve(pdf, arr->u.a.v[i]);
		const struct pdfread_obj *v = pdfread_dict_getr(pdf, f, "V");
		const struct pdfread_obj *c = pdfread_dict_getr(pdf, v, "Contents");

		if (f == NULL || f->type != PDFREAD_DICT)
			continue;
		if (pdfread_is_name(pdfread_dict_getr(pdf, f, "FT"), "Sig") && c &&
		    c->type == PDFREAD_STRING) {
			out[*n].contents = c;
			out[*n].doc_ts = pdfread_is_name(pdfread_dict_getr(pdf, v, "SubFilter"),
							 "ETSI.RFC3161");
			(*n)++;
		}
		walk_fields(pdf, pdfread_dict_getr(pdf, f, "Kids"), depth + 1, out, n);
	}
}

/* An array of references to the objects of b at idx (all of b: idx NULL). */
static struct pdfread_obj *
ref_array(const struct blobs *b, const size_t *idx, size_t n, const struct pdfread_obj *old)
{
	struct pdfread_obj *a = pdfread_obj_new(PDFREAD_ARRAY);
	size_t i;

	for (i = 0; old && old->type == PDFREAD_ARRAY && i < old->u.a.n; i++)
		pdfread_array_push(a, pdfread_obj_copy(old->u.a.v[i]));
	for (i = 0; i < n; i++) {
		const struct blob *x = &b->v[idx ? idx[i] : i];

		if (idx || !x->old)	/* the old ones are in old already */
			pdfread_array_push(a, pdfread_obj_new_ref(x->num, 0));
	}
	return a;
}

/* Existing DSS certificates: into the pool and (numbered 0) into certs. */
static void
old_dss_certs(struct pdfread *pdf, const struct pdfread_obj *dss, struct gather *g)
{
	const struct pdfread_obj *arr = pdfread_dict_getr(pdf, dss, "Certs");
	size_t i;

	for (i = 0; arr && arr->type == PDFREAD_ARRAY && i < arr->u.a.n; i++) {
		const struct pdfread_obj *s = pdfread_resolve(pdf, arr->u.a.v[i]);
		struct cf_buf b = CF_BUF_INIT;
		struct cf_err e = CF_ERR_INIT;
		const unsigned char *p;
		X509 *c;

		if (arr->u.a.v[i]->type == PDFREAD_REF && s && s->type == PDFREAD_STREAM &&
		    pdfread_stream_read(pdf, s, 1u << 20, &b, &e) == 0) {
			p = (const unsigned char *)b.data;
			if ((c = d2i_X509(NULL, &p, (long)b.len)) != NULL) {
				unsigned zero = 0;
				int added;
				size_t k = blob_add(&g->certs, (unsigned char *)b.data, b.len, &zero, &added);

				if (added) {
					g->certs.v[k].num = arr->u.a.v[i]->u.ref.num;
					g->certs.v[k].old = 1;
				}
				sk_X509_push(g->pool, c);
			}
		}
		ERR_clear_error();
		cf_err_release(&e);
		cf_buf_release(&b);
	}
}

static int
write_dss(const char *in_path, const char *out_path, struct pdfread *pdf,
	  const struct pdfread_obj *cat, unsigned cnum, unsigned cgen,
	  const struct pdfread_obj *old, struct gather *g, struct vri *vr, size_t nv,
	  struct cf_err *err)
{
	struct pdfread_obj *dss = pdfread_obj_new(PDFREAD_DICT), *vri, *ncat, *ext, *esic;
	const struct pdfread_obj *ovri = pdfread_dict_getr(pdf, old, "VRI");
	struct pades_obj *objs;
	size_t n = 0, i, cap = g->certs.n + g->ocsps.n + g->crls.n + 2;
	unsigned dnum = g->next++;
	const struct blobs *all[3] = { &g->certs, &g->ocsps, &g->crls };
	int k, ret;

	pdfread_dict_set(dss, "Type", pdfread_obj_new_name("DSS"));
	pdfread_dict_set(dss, "Certs", ref_array(&g->certs, NULL, g->certs.n,
						 pdfread_dict_getr(pdf, old, "Certs")));
	pdfread_dict_set(dss, "OCSPs", ref_array(&g->ocsps, NULL, g->ocsps.n,
						 pdfread_dict_getr(pdf, old, "OCSPs")));
	pdfread_dict_set(dss, "CRLs", ref_array(&g->crls, NULL, g->crls.n,
						pdfread_dict_getr(pdf, old, "CRLs")));
	vri = ovri && ovri->type == PDFREAD_DICT ? pdfread_obj_copy(ovri) : pdfread_obj_new(PDFREAD_DICT);
	for (i = 0; i < nv; i++) {
		struct pdfread_obj *e = pdfread_obj_new(PDFREAD_DICT);

		/* a certificate already in the file is referenced by its old number */
		pdfread_dict_set(e, "Cert", ref_array(&g->certs, vr[i].cert, vr[i].ncert, NULL));
		if (vr[i].nocsp)
			pdfread_dict_set(e, "OCSP", ref_array(&g->ocsps, vr[i].ocsp, vr[i].nocsp, NULL));
		if (vr[i].ncrl)
			pdfread_dict_set(e, "CRL", ref_array(&g->crls, vr[i].crl, vr[i].ncrl, NULL));
		pdfread_dict_set(vri, vr[i].key, e);
	}
	pdfread_dict_set(dss, "VRI", vri);
	ncat = pdfread_obj_copy(cat);
	pdfread_dict_set(ncat, "DSS", pdfread_obj_new_ref(dnum, 0));
	if (pdfread_dict_get(cat, "Extensions") == NULL) {
		ext = pdfread_obj_new(PDFREAD_DICT);
		esic = pdfread_obj_new(PDFREAD_DICT);
		pdfread_dict_set(esic, "BaseVersion", pdfread_obj_new_name("1.7"));
		pdfread_dict_set(esic, "ExtensionLevel", pdfread_obj_new_int(5));
		pdfread_dict_set(ext, "ESIC", esic);
		pdfread_dict_set(ncat, "Extensions", ext);
	}
	objs = xcalloc(cap, sizeof(*objs));
	for (k = 0; k < 3; k++)
		for (i = 0; i < all[k]->n; i++)
			if (!all[k]->v[i].old) {
				objs[n].num = all[k]->v[i].num;
				objs[n].stream = all[k]->v[i].p;
				objs[n++].slen = all[k]->v[i].n;
			}
	objs[n].num = dnum;
	objs[n++].obj = dss;
	objs[n].num = cnum;
	objs[n].gen = cgen;
	objs[n++].obj = ncat;
	ret = pades_append_objects(in_path, out_path, objs, n, err);
	free(objs);
	pdfread_obj_free(dss);
	pdfread_obj_free(ncat);
	return ret;
}

int
dss_extend_file(const char *in_path, const char *out_path, const struct dss_opts *o,
		struct dss_result *res, struct cf_err *err)
{
	struct pdfread *pdf = NULL;
	const struct pdfread_obj *cat, *af, *old;
	struct sigv sigs[MAX_SIGS];
	struct vri *vr = NULL;
	struct gather g;
	unsigned cnum, cgen;
	size_t nsigs = 0, i;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	memset(&g, 0, sizeof(g));
	g.o = o;
	g.res = res;
	g.pool = sk_X509_new_null();
	cf_buf_init(&g.missing);
	if (pdfread_open(in_path, &pdf, err) < 0)
		goto out;
	if ((cat = pdfread_catalog(pdf, &cnum, &cgen)) == NULL) {
		cf_err_set(err, CF_EPDF, "'%s' has no document catalog", in_path);
		goto out;
	}
	g.next = pdfread_xref_size(pdf);
	af = pdfread_dict_getr(pdf, cat, "AcroForm");
	walk_fields(pdf, pdfread_dict_getr(pdf, af, "Fields"), 0, sigs, &nsigs);
	if (nsigs == 0) {
		cf_err_set(err, CF_EPDF, "'%s' has no signature to extend", in_path);
		goto out;
	}
	old = pdfread_dict_getr(pdf, cat, "DSS");
	if (old && old->type != PDFREAD_DICT)
		old = NULL;
	old_dss_certs(pdf, old, &g);
	for (i = 0; o->ca_files && o->ca_files[i]; i++)
		if (load_ca_file(o->ca_files[i], g.pool, err) < 0)
			goto out;
	vr = xcalloc(nsigs, sizeof(*vr));
	for (i = 0; i < nsigs; i++) {
		STACK_OF(X509) *ends = sk_X509_new_null();
		struct cf_err e = CF_ERR_INIT;
		const unsigned char *p = (const unsigned char *)sigs[i].contents->u.s.p;
		size_t n = sigs[i].contents->u.s.n;

		dss_vri_key(p, n, vr[i].key);
		if (dss_sig_certs(p, n, sigs[i].doc_ts, g.pool, ends, &e) < 0) {
			cf_err_set(err, CF_EPDF, "signature %zu of '%s': %s", i + 1, in_path, e.msg);
			cf_err_release(&e);
			sk_X509_pop_free(ends, X509_free);
			goto out;
		}
		sk_X509_pop_free(ends, X509_free);
	}
	/* the pool is complete: now the chains and their status */
	for (i = 0; i < nsigs; i++) {
		STACK_OF(X509) *ends = sk_X509_new_null(), *junk = sk_X509_new_null();
		struct cf_err e = CF_ERR_INIT;

		dss_sig_certs((const unsigned char *)sigs[i].contents->u.s.p,
			      sigs[i].contents->u.s.n, sigs[i].doc_ts, junk, ends, &e);
		/* the pool's own copies, so that fetches are shared */
		{
			int k, m;

			for (k = 0; k < sk_X509_num(ends); k++)
				for (m = 0; m < sk_X509_num(g.pool); m++)
					if (X509_cmp(sk_X509_value(g.pool, m), sk_X509_value(ends, k)) == 0) {
						X509_free(sk_X509_value(ends, k));
						X509_up_ref(sk_X509_value(g.pool, m));
						sk_X509_set(ends, k, sk_X509_value(g.pool, m));
						break;
					}
		}
		cover(&g, ends, &vr[i]);
		cf_err_release(&e);
		sk_X509_pop_free(ends, X509_free);
		sk_X509_pop_free(junk, X509_free);
	}
	res->nsigs = nsigs;
	if (res->nmissing) {
		res->missing = xstrdup(g.missing.data);
		ret = 0;
		goto out;
	}
	if (write_dss(in_path, out_path, pdf, cat, cnum, cgen, old, &g, vr, nsigs, err) < 0)
		goto out;
	res->written = 1;
	pdfread_close(pdf);
	pdf = NULL;
	if (o->tsa) {
		struct pades_opts po;
		struct pades_result pr;

		memset(&po, 0, sizeof(po));
		po.doc_timestamp = 1;
		po.tsa = o->tsa;
		po.when = o->when;
		if (pades_sign_file(out_path, out_path, NULL, NULL, NULL, &po, &pr, err) < 0) {
			cf_err_prefix(err, "cannot add the document timestamp");
			goto out;
		}
		res->timestamped = 1;
		res->tsa = pr.tsa;
	}
	ret = 0;
out:
	for (i = 0; vr && i < nsigs; i++) {
		free(vr[i].cert);
		free(vr[i].ocsp);
		free(vr[i].crl);
	}
	free(vr);
	free(g.f);
	blobs_release(&g.certs);
	blobs_release(&g.ocsps);
	blobs_release(&g.crls);
	cf_buf_release(&g.missing);
	sk_X509_pop_free(g.pool, X509_free);
	pdfread_close(pdf);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * verify_ltv — the checks of verify_ltv.h.
 *
 * Revisions are compared by opening the file twice over memory, cut at two
 * revision ends (pdfread_open_mem of a prefix reads that revision as a
 * reader of the time would), and comparing every object whose header
 * appears in the bytes between: new objects must be validation data or
 * signature/timestamp fields, changed ones may differ only in the keys a
 * signature or a DSS update rewrites.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "casefile/buf.h"
#include "casefile/cftime.h"
#include "casefile/dss.h"
#include "casefile/keys.h"
#include "casefile/revocation.h"
#include "casefile/verify_ltv.h"
#include "casefile/xalloc.h"

#define MAX_DSS_ITEMS 10000
#define MAX_DSS_ITEM (1u << 20)
#define MAX_REGION_OBJECTS 100000

static void
ltv_add(struct ltv_report *r, const char *name, enum ltv_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
ltv_add(struct ltv_report *r, const char *name, enum ltv_status st, const char *fmt, ...)
{
	va_list ap;
	char *d;

	va_start(ap, fmt);
	d = xvasprintf(fmt, ap);
	va_end(ap);
	r->add(r->cookie, name, st, d);
	free(d);
}

/* --- revisions ---------------------------------------------------------- */

/* 1 when the bytes just before end are "%%EOF" (and line ends). */
static int
ends_with_eof(const unsigned char *data, uint64_t end)
{
	while (end > 0 && (data[end - 1] == '\n' || data[end - 1] == '\r' ||
			   data[end - 1] == ' '))
		end--;
	return end >= 5 && memcmp(data + end - 5, "%%EOF", 5) == 0;
}

static int
in_set(const unsigned *v, size_t n, unsigned x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

static void
set_add_ref(unsigned **v, size_t *n, const struct pdfread_obj *o)
{
	if (o && o->type == PDFREAD_REF) {
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		(*v)[(*n)++] = o->u.ref.num;
	}
}

/* The object numbers of the DSS and everything it references. */
static void
dss_objects(struct pdfread *pdf, unsigned **v, size_t *n)
{
	const struct pdfread_obj *cat = pdfread_catalog(pdf, NULL, NULL), *dss, *vri, *a;
	static const char *const keys[] = { "Certs", "OCSPs", "CRLs" };
	static const char *const vkeys[] = { "Cert", "OCSP", "CRL" };
	size_t i, j, k;

	set_add_ref(v, n, pdfread_dict_get(cat, "DSS"));
	dss = pdfread_dict_getr(pdf, cat, "DSS");
	if (dss == NULL || dss->type != PDFREAD_DICT)
		return;
	for (k = 0; k < 3; k++)
		if ((a = pdfread_dict_getr(pdf, dss, keys[k])) && a->type == PDFREAD_ARRAY) {
			set_add_ref(v, n, pdfread_dict_get(dss, keys[k]));
			for (i = 0; i < a->u.a.n && i < MAX_DSS_ITEMS; i++)
				set_add_ref(v, n, a->u.a.v[i]);
		}
	set_add_ref(v, n, pdfread_dict_get(dss, "VRI"));
	vri = pdfread_dict_getr(pdf, dss, "VRI");
	if (vri == NULL || vri->type != PDFREAD_DICT)
		return;
	for (i = 0; i < vri->u.d.n && i < MAX_DSS_ITEMS; i++) {
		const struct pdfread_obj *e = pdfread_resolve(pdf, vri->u.d.v[i]);

		set_add_ref(v, n, vri->u.d.v[i]);
		for (k = 0; e && e->type == PDFREAD_DICT && k < 3; k++) {
			set_add_ref(v, n, pdfread_dict_get(e, vkeys[k]));
			if ((a = pdfread_dict_getr(pdf, e, vkeys[k])) && a->type == PDFREAD_ARRAY)
				for (j = 0; j < a->u.a.n && j < MAX_DSS_ITEMS; j++)
					set_add_ref(v, n, a->u.a.v[j]);
		}
	}
}

/* o serialised without the keys in skip (a stream: its dictionary and data). */
static void
canon(const unsigned char *data, const struct pdfread_obj *o, const char *const *skip,
      struct cf_buf *b)
{
	struct pdfread_obj *c;
	size_t i, k;

	if (o->type == PDFREAD_DICT || o->type == PDFREAD_STREAM) {
		/* the dictionary without the skipped keys */
		c = pdfread_obj_new(PDFREAD_DICT);
		for (i = 0; i < o->u.d.n; i++) {
			for (k = 0; skip && skip[k] && strcmp(skip[k], o->u.d.k[i]); k++)
				;
			if (skip == NULL || skip[k] == NULL)
				pdfread_dict_set(c, o->u.d.k[i], pdfread_obj_copy(o->u.d.v[i]));
		}
	} else
		c = pdfread_obj_copy(o);
	pdfread_obj_write(b, c);
	if (o->type == PDFREAD_STREAM)
		cf_buf_add(b, data + o->soff, (size_t)o->slen);
	pdfread_obj_free(c);
}

static int
same(const unsigned char *data, const struct pdfread_obj *a, const struct pdfread_obj *b,
     const char *const *skip)
{
	struct cf_buf x = CF_BUF_INIT, y = CF_BUF_INIT;
	int eq;

	canon(data, a, skip, &x);
	canon(data, b, skip, &y);
	eq = x.len == y.len && memcmp(x.data, y.data, x.len) == 0;
	cf_buf_release(&x);
	cf_buf_release(&y);
	return eq;
}

/* A new object a signature or a DSS update may add. */
static int
allowed_new(struct pdfread *pdf, const struct pdfread_obj *o)
{
	const struct pdfread_obj *t = pdfread_dict_getr(pdf, o, "Type");

	if (o->type != PDFREAD_DICT && o->type != PDFREAD_STREAM)
		return 0;
	/* an AcroForm a later signature update replaced again */
	if (pdfread_dict_get(o, "Fields") && pdfread_dict_get(o, "SigFlags") &&
	    pdfread_dict_get(o, "Type") == NULL)
		return 1;
	return pdfread_is_name(t, "DocTimeStamp") || pdfread_is_name(t, "Sig") ||
	       pdfread_is_name(t, "XRef") || pdfread_is_name(t, "DSS") ||
	       pdfread_is_name(pdfread_dict_getr(pdf, o, "FT"), "Sig");
}

int
verify_ltv_region(const unsigned char *data, uint64_t from, uint64_t to, char **why)
{
	static const char *const cat_skip[] = { "AcroForm", "DSS", "Extensions", NULL };
	static const char *const af_skip[] = { "Fields", "SigFlags", NULL };
	static const char *const page_skip[] = { "Annots", NULL };
	struct pdfread *p0 = NULL, *p1 = NULL;
	struct cf_err e = CF_ERR_INIT;
	unsigned *dss = NULL, cnum = 0, afnum = 0;
	const struct pdfread_obj *cat, *af;
	size_t ndss = 0, nobj = 0;
	uint64_t k;
	int ok = 0;

	*why = NULL;
	if (!ends_with_eof(data, from) || !ends_with_eof(data, to)) {
		*why = xstrdup("they are not a complete incremental update");
		goto out;
	}
	if (pdfread_open_mem(data, (size_t)from, &p0, &e) < 0 ||
	    pdfread_open_mem(data, (size_t)to, &p1, &e) < 0) {
		*why = xasprintf("a revision does not parse: %s", e.msg);
		goto out;
	}
	cat = pdfread_catalog(p1, &cnum, NULL);
	af = pdfread_dict_get(cat, "AcroForm");
	if (af && af->type == PDFREAD_REF)
		afnum = af->u.ref.num;
	dss_objects(p1, &dss, &ndss);
	for (k = from; k < to; k++) {
		unsigned long num, gen;
		const struct pdfread_obj *o0, *o1;
		char *end;

		if (!(k == from || data[k - 1] == '\n' || data[k - 1] == '\r') ||
		    data[k] < '0' || data[k] > '9')
			continue;
		num = strtoul((const char *)data + k, &end, 10);
		if ((uint64_t)(end - (const char *)data) >= to || *end != ' ')
			continue;
		gen = strtoul(end + 1, &end, 10);
		(void)gen;
		if ((uint64_t)(end - (const char *)data) + 4 > to || memcmp(end, " obj", 4) != 0)
			continue;
		if (++nobj > MAX_REGION_OBJECTS) {
			*why = xstrdup("too many objects");
			goto out;
		}
		if ((o1 = pdfread_get(p1, (unsigned)num, NULL)) == NULL)
			continue;
		o0 = pdfread_get(p0, (unsigned)num, NULL);
		if (o0 == NULL) {
			if (in_set(dss, ndss, (unsigned)num) || num == afnum || allowed_new(p1, o1))
				continue;
			*why = xasprintf("a later revision adds object %lu, which is neither "
					 "validation data nor a signature field", num);
			goto out;
		}
		if ((num == cnum && same(data, o0, o1, cat_skip)) ||
		    (num == afnum && same(data, o0, o1, af_skip)) ||
		    (pdfread_is_name(pdfread_dict_getr(p1, o1, "Type"), "Page") &&
		     same(data, o0, o1, page_skip)) ||
		    in_set(dss, ndss, (unsigned)num) || same(data, o0, o1, NULL))
			continue;
		*why = xasprintf("a later revision changes object %lu", num);
		goto out;
	}
	ok = 1;
out:
	cf_err_release(&e);
	free(dss);
	pdfread_close(p0);
	pdfread_close(p1);
	return ok;
}

/* --- the DSS ------------------------------------------------------------ */

struct item {
	unsigned char *p;
	size_t n;
	int bad;		/* does not parse */
};

struct dssdata {
	int present;
	struct item *ocsp, *crl;
	size_t nocsp, ncrl, ncert, nvri;
	STACK_OF(X509) *pool;
};

static void
dssdata_release(struct dssdata *d)
{
	size_t i;

	for (i = 0; i < d->nocsp; i++)
		free(d->ocsp[i].p);
	for (i = 0; i < d->ncrl; i++)
		free(d->crl[i].p);
	free(d->ocsp);
	free(d->crl);
	sk_X509_pop_free(d->pool, X509_free);
}

/* Read one DSS array of streams into items; a FAIL for each bad entry. */
static void
read_items(struct pdfread *pdf, const struct pdfread_obj *dss, const char *key,
	   const char *what, struct item **out, size_t *n, struct ltv_report *r)
{
	const struct pdfread_obj *a = pdfread_dict_getr(pdf, dss, key);
	size_t i;

	if (a == NULL)
		return;
	if (a->type != PDFREAD_ARRAY) {
		ltv_add(r, "dss", LTV_FAIL, "/DSS /%s is not an array", key);
		return;
	}
	for (i = 0; i < a->u.a.n && i < MAX_DSS_ITEMS; i++) {
		const struct pdfread_obj *s = pdfread_resolve(pdf, a->u.a.v[i]);
		struct cf_buf b = CF_BUF_INIT;
		struct cf_err e = CF_ERR_INIT;

		if (s == NULL || s->type != PDFREAD_STREAM ||
		    pdfread_stream_read(pdf, s, MAX_DSS_ITEM, &b, &e) < 0) {
			ltv_add(r, "dss", LTV_FAIL, "/DSS /%s entry %zu is not a "
					  "readable stream%s%s", key, i + 1, e.msg ? ": " : "",
					  e.msg ? e.msg : "");
			cf_err_release(&e);
			cf_buf_release(&b);
			continue;
		}
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[*n].p = xmemdup(b.data ? b.data : "", b.len);
		(*out)[*n].n = b.len;
		(*out)[*n].bad = 0;
		(*n)++;
		cf_buf_release(&b);
	}
	(void)what;
}

static void
read_dss(struct pdfread *pdf, struct dssdata *d, struct ltv_report *r)
{
	const struct pdfread_obj *cat = pdfread_catalog(pdf, NULL, NULL);
	const struct pdfread_obj *dss = pdfread_dict_getr(pdf, cat, "DSS"), *vri;
	struct item *certs = NULL;
	size_t ncerts = 0, i, bad = 0;

	memset(d, 0, sizeof(*d));
	d->pool = sk_X509_new_null();
	if (dss == NULL)
		return;
	d->present = 1;
	if (dss->type != PDFREAD_DICT) {
		ltv_add(r, "dss", LTV_FAIL, "/DSS is not a dictionary");
		return;
	}
	read_items(pdf, dss, "Certs", "certificate", &certs, &ncerts, r);
	read_items(pdf, dss, "OCSPs", "OCSP response", &d->ocsp, &d->nocsp, r);
	read_items(pdf, dss, "CRLs", "CRL", &d->crl, &d->ncrl, r);
	for (i = 0; i < ncerts; i++) {
		const unsigned char *p = certs[i].p;
		X509 *c = d2i_X509(NULL, &p, (long)certs[i].n);

		if (c == NULL) {
			ltv_add(r, "dss", LTV_FAIL,
					  "/DSS /Certs entry %zu is not a DER certificate", i + 1);
			bad++;
		} else
			sk_X509_push(d->pool, c);
		free(certs[i].p);
	}
	free(certs);
	ERR_clear_error();
	d->ncert = ncerts - bad;
	vri = pdfread_dict_getr(pdf, dss, "VRI");
	if (vri && vri->type == PDFREAD_DICT)
		d->nvri = vri->u.d.n;
	else if (vri)
		ltv_add(r, "dss", LTV_FAIL, "/DSS /VRI is not a dictionary");
}

/* The status of cert in the DSS: 0 found (st), -1 none. */
static int
find_status(struct dssdata *d, X509 *cert, X509 *issuer, struct revo_status *st,
	    struct ltv_report *r)
{
	struct cf_err e = CF_ERR_INIT;
	size_t i;
	int k;

	for (k = 0; k < 2; k++) {
		struct item *v = k ? d->crl : d->ocsp;
		size_t n = k ? d->ncrl : d->nocsp;

		for (i = 0; i < n; i++) {
			if (v[i].bad)
				continue;
			if (revo_check(k ? REVO_CRL : REVO_OCSP, v[i].p, v[i].n, cert, issuer,
				       d->pool, st, &e) == 0)
				return 0;
			if (e.code == CF_EINPUT || e.code == CF_EVERIFY) {
				ltv_add(r, "dss", LTV_FAIL, "/DSS /%s entry %zu: %s",
						  k ? "CRLs" : "OCSPs", i + 1, e.msg);
				v[i].bad = 1;
			}
			cf_err_release(&e);
		}
	}
	return -1;
}

/*
 * Check the chains of one signature against the DSS; appends a
 * "revocation" check.  Returns 1 when every certificate has good data.
 */
static int
check_revocation(struct pdfread *pdf, const struct verify_sig *v, const char *prefix,
		 int newest, struct dssdata *d, struct ltv_report *r)
{
	const struct pdfread_obj *c = pdfread_dict_getr(pdf, v->sig, "Contents");
	STACK_OF(X509) *ends = sk_X509_new_null();
	struct cf_buf pass = CF_BUF_INIT, fail = CF_BUF_INIT, warn = CF_BUF_INIT;
	struct cf_err e = CF_ERR_INIT;
	long long t = v->ts_ok ? v->ts_time : 0;
	char *name = xasprintf("%srevocation", prefix), a[40], b[40];
	int i, depth, complete = 1;

	if (c == NULL || c->type != PDFREAD_STRING ||
	    dss_sig_certs((const unsigned char *)c->u.s.p, c->u.s.n, v->doc_ts, d->pool, ends,
			  &e) < 0) {
		ltv_add(r, name, LTV_FAIL, "cannot read the certificates: %s",
				  e.msg ? e.msg : "no /Contents");
		complete = 0;
		goto out;
	}
	for (i = 0; i < sk_X509_num(ends); i++) {
		X509 *cert = sk_X509_value(ends, i), *iss;

		for (depth = 0; cert && depth < 10; depth++, cert = iss) {
			struct revo_status st;
			char *cn;

			if ((iss = dss_find_issuer(d->pool, cert)) == NULL) {
				if (!dss_self_signed(cert)) {
					cn = keys_cert_cn(cert);
					cf_buf_addf(&warn, "%s'%s': its issuer is not in the DSS",
						    warn.len ? "; " : "", cn);
					free(cn);
					complete = 0;
				}
				ERR_clear_error();
				break;
			}
			cn = keys_cert_cn(cert);
			if (find_status(d, cert, iss, &st, r) < 0) {
				cf_buf_addf(&warn, "%s'%s': no OCSP response or CRL", warn.len ? "; " : "",
					    cn);
				complete = 0;
			} else if (st.state == REVO_REVOKED && (t == 0 || st.revoked_at <= t)) {
				cf_buf_addf(&fail, "%scertificate '%s' was revoked at %s (%s of %s)%s%s",
					    fail.len ? "; " : "", cn,
					    cftime_format_iso(st.revoked_at, a, sizeof(a)),
					    st.kind == REVO_OCSP ? "OCSP response" : "CRL",
					    cftime_format_iso(st.produced, b, sizeof(b)),
					    t ? ", before the signature's timestamp " : "",
					    t ? cftime_format_iso(t, a, sizeof(a)) : "");
				complete = 0;
			} else if (st.state == REVO_REVOKED) {
				cf_buf_addf(&warn, "%s'%s' was revoked at %s, after the timestamp "
					    "(the signature predates it)", warn.len ? "; " : "", cn,
					    cftime_format_iso(st.revoked_at, a, sizeof(a)));
			} else if (st.state == REVO_UNKNOWN) {
				cf_buf_addf(&warn, "%s'%s': the responder does not know it",
					    warn.len ? "; " : "", cn);
				complete = 0;
			} else
				cf_buf_addf(&pass, "%s'%s' good (%s of %s)", pass.len ? ", " : "", cn,
					    st.kind == REVO_OCSP ? "OCSP" : "CRL",
					    cftime_format_iso(st.produced, a, sizeof(a)));
			free(cn);
		}
	}
	if (fail.len)
		ltv_add(r, name, LTV_FAIL, "%s", fail.data);
	else if (warn.len && newest && v->doc_ts)
		/* the newest archive timestamp is checked now, online; its own
		 * validation data comes with the next `casefile extend` */
		ltv_add(r, name, LTV_PASS, "the newest archive timestamp: its certificates "
			"are checked at the current time (their revocation data is added "
			"by the next 'casefile extend')%s%s", pass.len ? "; " : "",
			pass.len ? pass.data : "");
	else if (warn.len)
		ltv_add(r, name, LTV_WARN, "incomplete validation data: %s%s%s",
				  warn.data, pass.len ? "; " : "", pass.len ? pass.data : "");
	else
		ltv_add(r, name, LTV_PASS, "%s", pass.len ? pass.data :
				  "no certificate needs revocation data");
out:
	cf_err_release(&e);
	cf_buf_release(&pass);
	cf_buf_release(&fail);
	cf_buf_release(&warn);
	sk_X509_pop_free(ends, X509_free);
	free(name);
	return complete && !fail.len;
}

/* 1 when the revision ending at end already holds a DSS. */
static int
has_dss_at(struct pdfread *pdf, uint64_t end)
{
	struct pdfread *p = NULL;
	struct cf_err e = CF_ERR_INIT;
	int yes;

	if (pdfread_open_mem(pdfread_data(pdf), (size_t)end, &p, &e) < 0) {
		cf_err_release(&e);
		return 0;
	}
	yes = pdfread_dict_get(pdfread_catalog(p, NULL, NULL), "DSS") != NULL;
	pdfread_close(p);
	return yes;
}

void
verify_ltv_check(struct pdfread *pdf, const struct verify_sig *v, const size_t *order,
		 size_t n, struct ltv_report *r)
{
	struct dssdata d;
	size_t i, j, newest = n;
	int *complete = xcalloc(n, sizeof(*complete)), lta = 0;
	const char *level;
	char when[40];

	read_dss(pdf, &d, r);
	/* every certificate the signatures carry helps complete chains */
	for (i = 0; i < n; i++) {
		const struct pdfread_obj *c = pdfread_dict_getr(pdf, v[i].sig, "Contents");
		STACK_OF(X509) *ends = sk_X509_new_null();
		struct cf_err e = CF_ERR_INIT;

		if (c && c->type == PDFREAD_STRING)
			dss_sig_certs((const unsigned char *)c->u.s.p, c->u.s.n, v[i].doc_ts,
				      d.pool, ends, &e);
		cf_err_release(&e);
		sk_X509_pop_free(ends, X509_free);
	}
	if (d.present)
		ltv_add(r, "dss", LTV_PASS, "document security store: %zu "
				  "certificate%s, %zu OCSP response%s, %zu CRL%s, %zu VRI entr%s",
				  d.ncert, d.ncert == 1 ? "" : "s", d.nocsp, d.nocsp == 1 ? "" : "s",
				  d.ncrl, d.ncrl == 1 ? "" : "s", d.nvri, d.nvri == 1 ? "y" : "ies");
	for (j = 0; j < n; j++) {
		i = order[j];
		if (!v[i].doc_ts)
			newest = i;
		if (d.present) {
			char *pre = n > 1 ? xasprintf("%s: ", v[i].name) : xstrdup("");

			complete[i] = check_revocation(pdf, &v[i], pre, j == n - 1, &d, r);
			free(pre);
		}
	}
	/* the level of the newest signature */
	if (newest == n || !v[newest].sig_ok) {
		level = NULL;
	} else if (!v[newest].ts_ok) {
		level = "B-B";
	} else if (!d.present || !complete[newest]) {
		level = "B-T";
	} else {
		level = "B-LT";
		for (j = 0; j < n; j++) {
			i = order[j];
			if (v[i].doc_ts && v[i].ts_ok && v[i].end > v[newest].end &&
			    has_dss_at(pdf, v[i].end)) {
				lta = 1;
				cftime_format_iso(v[i].ts_time, when, sizeof(when));
			}
		}
		if (lta)
			level = "B-LTA";
	}
	if (level == NULL)
		ltv_add(r, "level", LTV_FAIL, "no valid signature: no PAdES level");
	else if (lta)
		ltv_add(r, "level", LTV_PASS, "PAdES B-LTA: signature, timestamp, "
				  "validation data (DSS) and an archive timestamp over them (newest "
				  "%s)", when);
	else
		ltv_add(r, "level", LTV_PASS, "PAdES %s%s", level,
				  !strcmp(level, "B-B") ? ": signature without a timestamp" :
				  !strcmp(level, "B-T") ? ": signature and timestamp; no complete "
							  "validation data (DSS)" :
				  ": signature, timestamp and validation data (DSS); no archive "
				  "timestamp");
	free(complete);
	dssdata_release(&d);
}

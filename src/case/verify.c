/* SPDX-License-Identifier: MIT */
/*
 * verify — the checks of verify.h.
 *
 * The PDF is mapped, but the signed byte ranges are hashed with pread()
 * in fixed-size chunks and attachments are inflated through a streaming
 * sink, so memory stays bounded whatever the file size.  The CMS is taken
 * from the bytes inside the ByteRange hole itself (not from the parsed
 * /Contents object), so what is checked is exactly what was excluded.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "casefile/cftime.h"
#include "casefile/hash.h"
#include "casefile/jout.h"
#include "casefile/keys.h"
#include "casefile/pdfread.h"
#include "casefile/tsa.h"
#include "casefile/dispute.h"
#include "casefile/rederive.h"
#include "casefile/vault.h"
#include "casefile/verify.h"
#include "casefile/verify_ltv.h"
#include "casefile/xalloc.h"

#define MAX_MANIFEST (16u << 20)
/* Attachments read, and exhibits a manifest may list (issue 11, item 5). */
#define MAX_ATTACHMENTS 100000
#define MAX_EXHIBITS 100000
/* Signature fields checked (each one hashes the file), and form fields visited. */
#define MAX_SIGNATURES 16
#define MAX_FIELD_VISITS 100000


struct verify_doc {
	struct pdfread *pdf;
	const char *path;
	int fd;
	X509 *signer;		/* the newest signature's signer (own reference) */
};

/* --- report --------------------------------------------------------- */

void
verify_report_init(struct verify_report *r)
{
	memset(r, 0, sizeof(*r));
}

void
verify_report_release(struct verify_report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].detail);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

void
verify_report_add(struct verify_report *r, const char *name, enum verify_status st,
		  const char *fmt, ...)
{
	va_list ap;

	if ((r->n & (r->n - 1)) == 0)	/* grow geometrically: 0, 1, 2, 4, ... */
		r->v = xreallocarray(r->v, r->n ? 2 * r->n : 1, sizeof(*r->v));
	r->v[r->n].name = xstrdup(name);
	r->v[r->n].status = st;
	va_start(ap, fmt);
	r->v[r->n].detail = xvasprintf(fmt, ap);
	va_end(ap);
	r->n++;
	if (st == VERIFY_FAIL)
		r->nfail++;
	else if (st == VERIFY_WARN)
		r->nwarn++;
}

int
verify_report_ok(const struct verify_report *r)
{
	return r->nfail == 0 && r->n > 0;
}

const char *
verify_status_word(enum verify_status st)
{
	return st == VERIFY_PASS ? "PASS" : st == VERIFY_WARN ? "WARN" : "FAIL";
}

json_t *
verify_report_json(const struct verify_report *r, const char *file)
{
	json_t *checks = json_array();
	size_t i;

	for (i = 0; i < r->n; i++)
		json_array_append_new(checks, json_pack("{s:o,s:s,s:o}",
							"check", jout_str(r->v[i].name),
							"status", verify_status_word(r->v[i].status),
							"detail", jout_str(r->v[i].detail)));
	return json_pack("{s:o,s:b,s:I,s:I,s:o}", "file", jout_str(file),
			 "ok", verify_report_ok(r), "failures", JI(r->nfail),
			 "warnings", JI(r->nwarn), "checks", checks);
}

/* --- helpers -------------------------------------------------------- */

static void
fmt_both(long long t, char *buf, size_t n)
{
	char a[40], b[40];

	cftime_format_iso(t, a, sizeof(a));
	cftime_format(t, CFTIME_CST_OFFSET, b, sizeof(b));
	snprintf(buf, n, "%s (China time %s)", a, b);
}

static void
ssl_reason(char *buf, size_t n)
{
	unsigned long e = ERR_peek_last_error();

	buf[0] = '\0';
	if (e)
		ERR_error_string_n(e, buf, n);
	ERR_clear_error();
}

/* Hash [off, off+len) of fd into md with pread in chunks. */
static int
hash_range(int fd, uint64_t off, uint64_t len, EVP_MD_CTX *md, unsigned char *buf,
	   size_t cap, struct cf_err *err)
{
	while (len > 0) {
		size_t want = len < cap ? (size_t)len : cap;
		ssize_t r = pread(fd, buf, want, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return cf_err_errno(err, CF_EIO, "cannot read at offset %llu",
					    (unsigned long long)off);
		EVP_DigestUpdate(md, buf, (size_t)r);
		off += (uint64_t)r;
		len -= (uint64_t)r;
	}
	return 0;
}

/*
 * SHA-256 of a signature's byte ranges, computed on a thread while the
 * attachments are hashed on the main one (verify reads two different sets
 * of bytes; doing them side by side keeps verify near one pass over the
 * file).  The thread touches only fd, offsets and its own buffers.
 */
struct range_job {
	int fd;
	uint64_t a_len, b_off, b_len;
	unsigned char md[CF_SHA256_LEN];
	int started, ok;
	pthread_t t;
};

static void *
range_job_run(void *arg)
{
	struct range_job *j = arg;
	unsigned char *buf = xmalloc(1u << 20);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int len;

	j->ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
		hash_range(j->fd, 0, j->a_len, md, buf, 1u << 20, NULL) == 0 &&
		hash_range(j->fd, j->b_off, j->b_len, md, buf, 1u << 20, NULL) == 0 &&
		EVP_DigestFinal_ex(md, j->md, &len);
	EVP_MD_CTX_free(md);
	free(buf);
	return NULL;
}

static void
range_job_start(struct range_job *j, int fd, struct pdfread *pdf, const struct pdfread_obj *sig)
{
	const struct pdfread_obj *br = pdfread_dict_getr(pdf, sig, "ByteRange");
	uint64_t size = pdfread_size(pdf);
	int i;

	memset(j, 0, sizeof(*j));
	if (!br || br->type != PDFREAD_ARRAY || br->u.a.n != 4)
		return;
	for (i = 0; i < 4; i++)
		if (br->u.a.v[i]->type != PDFREAD_INT || br->u.a.v[i]->u.i < 0 ||
		    (uint64_t)br->u.a.v[i]->u.i > size)
			return;
	j->fd = fd;
	j->a_len = (uint64_t)br->u.a.v[1]->u.i;
	j->b_off = (uint64_t)br->u.a.v[2]->u.i;
	j->b_len = (uint64_t)br->u.a.v[3]->u.i;
	if (j->b_len > size - j->b_off)
		return;
	j->started = pthread_create(&j->t, NULL, range_job_run, j) == 0;
}

/* Join the job; 1 with its digest when it ran to completion. */
static int
range_job_join(struct range_job *j)
{
	if (!j->started)
		return 0;
	pthread_join(j->t, NULL);
	j->started = 0;
	return j->ok;
}

/* --- signature ------------------------------------------------------ */

struct sigref {
	const struct pdfread_obj *sig;	/* the /V dictionary */
	char *field;			/* /T */
};

/*
 * Collect the signature fields under arr.  Kids may share subtrees (a DAG
 * of depth 16 would take exponential time), so the walk stops after
 * MAX_FIELD_VISITS fields in all.
 */
static void
collect_fields(struct pdfread *pdf, const struct pdfread_obj *arr, int depth, struct sigref **out,
	       size_t *n, size_t *visits)
{
	size_t i;

	if (arr == NULL || arr->type != PDFREAD_ARRAY || depth > 16)
		return;
	for (i = 0; i < arr->u.a.n && *visits < MAX_FIELD_VISITS; i++, (*visits)++) {
		const struct pdfread_obj *f = pdfread_resolve(pdf, arr->u.a.v[i]);
		const struct pdfread_obj *ft = pdfread_dict_getr(pdf, f, "FT");
		const struct pdfread_obj *v = pdfread_dict_getr(pdf, f, "V");
		const struct pdfread_obj *t = pdfread_dict_getr(pdf, f, "T");

		if (f == NULL || f->type != PDFREAD_DICT)
			continue;
		if (pdfread_is_name(ft, "Sig") && v && v->type == PDFREAD_DICT) {
			if (*n == MAX_SIGNATURES + 1)
				continue;	/* one more than checked: says "too many" */
			*out = xreallocarray(*out, *n + 1, sizeof(**out));
			(*out)[*n].sig = v;
			(*out)[*n].field = t && t->type == PDFREAD_STRING ?
				xstrndup(t->u.s.p, t->u.s.n) : xstrdup("(unnamed)");
			(*n)++;
		}
		collect_fields(pdf, pdfread_dict_getr(pdf, f, "Kids"), depth + 1, out, n, visits);
	}
}

struct sigctx {
	const char *prefix;	/* "" or "Signature2: " */
	int last;		/* the newest signature: must cover everything */
	time_t at;		/* when the TSA chains are checked: the time of
				   the first valid later document timestamp
				   (the proof of existence), else now */
	int poe;		/* 1: at comes from a document timestamp */
	int later_sig;		/* a later signature (not a timestamp) exists */
	struct verify_sig *out;	/* what the check found, for verify_ltv */
};

static char *
cname(const struct sigctx *s, const char *name)
{
	return xasprintf("%s%s", s->prefix, name);
}

static void
add(struct verify_report *r, const struct sigctx *s, const char *name,
    enum verify_status st, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
add(struct verify_report *r, const struct sigctx *s, const char *name,
    enum verify_status st, const char *fmt, ...)
{
	char *n = cname(s, name), *d;
	va_list ap;

	va_start(ap, fmt);
	d = xvasprintf(fmt, ap);
	va_end(ap);
	verify_report_add(r, n, st, "%s", d);
	free(n);
	free(d);
}

static X509 *
find_signer(CMS_ContentInfo *cms, CMS_SignerInfo *si, STACK_OF(X509) *certs)
{
	int i;

	for (i = 0; certs && i < sk_X509_num(certs); i++)
		if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0)
			return sk_X509_value(certs, i);
	(void)cms;
	return NULL;
}

static void
check_cert(struct verify_report *r, const struct sigctx *s, X509 *cert,
	   STACK_OF(X509) *certs, time_t at, const char *at_what, const struct verify_opts *o)
{
	unsigned char fp[CF_SHA256_LEN];
	char fps[3 * CF_SHA256_LEN], nb[40], na[40], reason[256];
	struct tm tm;
	long long tnb = 0, tna = 0;
	uint32_t ku = X509_get_key_usage(cert);
	char *cn = keys_cert_cn(cert);
	time_t t = at;

	keys_cert_fingerprint(cert, fp);
	keys_fingerprint_str(fp, fps, sizeof(fps));
	memset(&tm, 0, sizeof(tm));
	if (ASN1_TIME_to_tm(X509_get0_notBefore(cert), &tm))
		tnb = timegm(&tm);
	memset(&tm, 0, sizeof(tm));
	if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm))
		tna = timegm(&tm);
	cftime_format_iso(tnb, nb, sizeof(nb));
	cftime_format_iso(tna, na, sizeof(na));
	if (X509_cmp_time(X509_get0_notAfter(cert), &t) < 0)
		add(r, s, "certificate", VERIFY_FAIL,
		    "signer certificate '%s' expired on %s (checked at %s)", cn, na, at_what);
	else if (X509_cmp_time(X509_get0_notBefore(cert), &t) > 0)
		add(r, s, "certificate", VERIFY_FAIL,
		    "signer certificate '%s' is not valid before %s (checked at %s)", cn, nb, at_what);
	else if (ku != UINT32_MAX &&
		 !(ku & (X509v3_KU_DIGITAL_SIGNATURE | X509v3_KU_NON_REPUDIATION)))
		add(r, s, "certificate", VERIFY_FAIL,
		    "signer certificate '%s' key usage allows no signatures", cn);
	else
		add(r, s, "certificate", VERIFY_PASS,
		    "signer '%s', valid %s to %s (checked at %s), key usage %s", cn, nb, na, at_what,
		    ku == UINT32_MAX ? "unrestricted" :
		    (ku & X509v3_KU_NON_REPUDIATION) ? "nonRepudiation" : "digitalSignature");

	if (o->trust_file) {
		X509_STORE *store = X509_STORE_new();
		X509_STORE_CTX *vc = X509_STORE_CTX_new();

		if (store && vc && X509_STORE_load_file(store, o->trust_file) == 1 &&
		    X509_STORE_CTX_init(vc, store, cert, certs) == 1) {
			X509_STORE_CTX_set_time(vc, 0, at);
			X509_STORE_CTX_set_purpose(vc, X509_PURPOSE_ANY);
			if (X509_verify_cert(vc) == 1)
				add(r, s, "trust", VERIFY_PASS,
				    "signer certificate chains to a certificate in '%s' (SHA-256 %s)",
				    o->trust_file, fps);
			else
				add(r, s, "trust", VERIFY_FAIL,
				    "signer certificate '%s' does not chain to '%s': %s (SHA-256 %s)",
				    cn, o->trust_file,
				    X509_verify_cert_error_string(X509_STORE_CTX_get_error(vc)), fps);
		} else {
			ssl_reason(reason, sizeof(reason));
			add(r, s, "trust", VERIFY_FAIL, "cannot load trust file '%s': %s",
			    o->trust_file, reason);
		}
		X509_STORE_CTX_free(vc);
		X509_STORE_free(store);
	} else if (X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0 &&
		   X509_verify(cert, X509_get0_pubkey(cert)) == 1) {
		add(r, s, "trust", VERIFY_WARN,
		    "signer certificate '%s' is self-signed, not checked against a trusted CA "
		    "(SHA-256 %s; compare it with the merchant's published fingerprint or use --trust)",
		    cn, fps);
	} else {
		add(r, s, "trust", VERIFY_WARN,
		    "signer certificate '%s' not checked against a trusted CA (SHA-256 %s; use --trust)",
		    cn, fps);
	}
	ERR_clear_error();
	free(cn);
}

/*
 * A document timestamp (PAdES B-LTA): /Contents is an RFC 3161 token whose
 * imprint is the SHA-256 of the byte ranges; its TSA chain is checked at
 * s->at (the next archive timestamp's time, else now).
 */
static void
check_doc_timestamp(struct verify_doc *d, const struct sigctx *s, struct range_job *job,
		    uint64_t hole_a, uint64_t hole_b, uint64_t tail, const struct verify_opts *o,
		    struct verify_report *r)
{
	const unsigned char *data = pdfread_data(d->pdf);
	const char *ca = o->tsa_ca_file ? o->tsa_ca_file : o->trust_file;
	size_t derlen = (size_t)((hole_b - hole_a - 2) / 2);
	unsigned char *der = xmalloc(derlen + 1), digest[CF_SHA256_LEN], *buf = NULL;
	struct cf_err e = CF_ERR_INIT;
	struct tsa_info ti;
	EVP_MD_CTX *md = NULL;
	char when[128];
	unsigned dlen;

	memset(&ti, 0, sizeof(ti));
	s->out->doc_ts = 1;
	if (cf_hex_decode((const char *)data + hole_a + 1, derlen * 2, der, derlen) < 0) {
		add(r, s, "document timestamp", VERIFY_FAIL, "/Contents is not hex");
		goto out;
	}
	if (range_job_join(job) && job->a_len == hole_a && job->b_off == hole_b &&
	    job->b_len == tail) {
		memcpy(digest, job->md, CF_SHA256_LEN);
	} else if ((buf = xmalloc(1u << 20)) == NULL || (md = EVP_MD_CTX_new()) == NULL ||
		   !EVP_DigestInit_ex(md, EVP_sha256(), NULL) ||
		   hash_range(d->fd, 0, hole_a, md, buf, 1u << 20, &e) < 0 ||
		   hash_range(d->fd, hole_b, tail, md, buf, 1u << 20, &e) < 0 ||
		   !EVP_DigestFinal_ex(md, digest, &dlen)) {
		add(r, s, "document timestamp", VERIFY_FAIL, "cannot hash the covered ranges: %s",
		    e.msg ? e.msg : "digest failed");
		goto out;
	}
	if (tsa_token_verify_digest_at(der, derlen, digest, ca, s->at, &ti, &e) < 0) {
		add(r, s, "document timestamp", VERIFY_FAIL, "%s", e.msg);
		goto out;
	}
	fmt_both(ti.time, when, sizeof(when));
	s->out->sig_ok = s->out->ts_ok = 1;
	s->out->ts_time = ti.time;
	s->out->trusted = ti.trusted;
	add(r, s, "document timestamp", VERIFY_PASS,
	    "PAdES B-LTA archive timestamp over the first %llu bytes at %s by '%s' (%s%s%s)",
	    (unsigned long long)(hole_b + tail), when, ti.tsa_name ? ti.tsa_name : "?",
	    ti.trusted ? "chain checked against '" : "tsa signature checked against the "
			 "token's own certificate; give --tsa-ca to check who the tsa is",
	    ti.trusted ? ca : "", ti.trusted ? "'" : "");
out:
	ERR_clear_error();
	tsa_info_release(&ti);
	cf_err_release(&e);
	EVP_MD_CTX_free(md);
	free(buf);
	free(der);
}

static void
check_signature(struct verify_doc *d, const struct sigref *sr, const struct sigctx *s,
		struct range_job *job, const struct verify_opts *o, struct verify_report *r)
{
	struct pdfread *pdf = d->pdf;
	const struct pdfread_obj *br = pdfread_dict_getr(pdf, sr->sig, "ByteRange");
	const struct pdfread_obj *sf = pdfread_dict_getr(pdf, sr->sig, "SubFilter");
	const unsigned char *data = pdfread_data(pdf);
	uint64_t size = pdfread_size(pdf), v[4], hole_a, hole_b, k;
	unsigned char *der = NULL, *buf = NULL, digest[EVP_MAX_MD_SIZE];
	size_t derlen = 0;
	unsigned int dlen = 0;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	CMS_SignerInfo *si;
	STACK_OF(X509) *certs = NULL;
	X509 *signer;
	X509_ALGOR *dalg = NULL, *salg = NULL;
	const EVP_MD *mdt;
	EVP_MD_CTX *md = NULL;
	ASN1_OCTET_STRING *sigval, *mdattr;
	ASN1_STRING *scv2;
	const unsigned char *p;
	char reason[256], when[128], *why = NULL;
	unsigned char sigdig[CF_SHA256_LEN];
	long long tstime = 0;
	int i, have_ts = 0;
	struct cf_err e = CF_ERR_INIT;

	/* 1. byte range */
	if (!br || br->type != PDFREAD_ARRAY || br->u.a.n != 4) {
		add(r, s, "byterange", VERIFY_FAIL, "signature has no valid /ByteRange");
		return;
	}
	for (i = 0; i < 4; i++) {
		if (br->u.a.v[i]->type != PDFREAD_INT || br->u.a.v[i]->u.i < 0) {
			add(r, s, "byterange", VERIFY_FAIL, "/ByteRange holds a bad number");
			return;
		}
		v[i] = (uint64_t)br->u.a.v[i]->u.i;
	}
	hole_a = v[1];
	hole_b = v[2];
	if (v[0] != 0 || hole_a >= hole_b || v[3] > size || hole_b > size - v[3] ||
	    hole_b - hole_a < 2) {
		add(r, s, "byterange", VERIFY_FAIL,
		    "/ByteRange [%llu %llu %llu %llu] does not fit the file (%llu bytes)",
		    (unsigned long long)v[0], (unsigned long long)v[1], (unsigned long long)v[2],
		    (unsigned long long)v[3], (unsigned long long)size);
		return;
	}
	if (data[hole_a] != '<' || data[hole_b - 1] != '>') {
		add(r, s, "byterange", VERIFY_FAIL,
		    "the /ByteRange gap at %llu..%llu is not the /Contents hex string",
		    (unsigned long long)hole_a, (unsigned long long)hole_b);
		return;
	}
	for (k = hole_a + 1; k + 1 < hole_b; k++) {
		int c = data[k];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
			add(r, s, "byterange", VERIFY_FAIL,
			    "the unsigned /ByteRange gap holds a non-hex byte at offset %llu",
			    (unsigned long long)k);
			return;
		}
	}
	if (hole_b + v[3] == size)
		add(r, s, "byterange", VERIFY_PASS,
		    "total document signed: /ByteRange covers all %llu bytes except the /Contents string",
		    (unsigned long long)size);
	else if (!verify_ltv_region(data, hole_b + v[3], size, &why)) {
		add(r, s, "byterange", VERIFY_FAIL,
		    "%llu bytes were appended after signing (signature covers %llu of %llu bytes)%s%s",
		    (unsigned long long)(size - hole_b - v[3]),
		    (unsigned long long)(hole_b + v[3]), (unsigned long long)size,
		    why ? ": " : "", why ? why : "");
		free(why);
	} else if (s->later_sig)
		add(r, s, "byterange", VERIFY_PASS,
		    "covers the revision of %llu bytes; a later signature covers the rest",
		    (unsigned long long)(hole_b + v[3]));
	else
		add(r, s, "byterange", VERIFY_PASS,
		    "covers the revision of %llu bytes; the later revisions add only validation "
		    "data (DSS) and document timestamps",
		    (unsigned long long)(hole_b + v[3]));
	s->out->end = hole_b + v[3];
	if (pdfread_is_name(sf, "ETSI.RFC3161")) {
		check_doc_timestamp(d, s, job, hole_a, hole_b, v[3], o, r);
		return;
	}
	if (!pdfread_is_name(sf, "ETSI.CAdES.detached") && !pdfread_is_name(sf, "adbe.pkcs7.detached")) {
		add(r, s, "cms", VERIFY_FAIL,
		    "unsupported /SubFilter (not ETSI.CAdES.detached or ETSI.RFC3161)");
		return;
	}

	/* 2. the CMS from the hole */
	derlen = (size_t)((hole_b - hole_a - 2) / 2);
	der = xmalloc(derlen + 1);
	if (cf_hex_decode((const char *)data + hole_a + 1, derlen * 2, der, derlen) < 0) {
		add(r, s, "cms", VERIFY_FAIL, "/Contents is not hex");
		goto out;
	}
	p = der;
	if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)derlen)) == NULL ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		ERR_clear_error();
		add(r, s, "cms", VERIFY_FAIL, "/Contents is not a CMS SignedData");
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	if (sis == NULL || sk_CMS_SignerInfo_num(sis) != 1) {
		add(r, s, "cms", VERIFY_FAIL, "the CMS must have exactly one signer");
		goto out;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	certs = CMS_get1_certs(cms);
	if ((signer = find_signer(cms, si, certs)) == NULL) {
		add(r, s, "cms", VERIFY_FAIL, "the signer's certificate is not in the CMS");
		goto out;
	}
	if (d->signer == NULL && X509_up_ref(signer))	/* newest first */
		d->signer = signer;
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dalg, &salg);
	mdt = dalg ? EVP_get_digestbyobj(dalg->algorithm) : NULL;
	if (mdt == NULL || EVP_MD_get_size(mdt) < 32) {
		add(r, s, "cms digest", VERIFY_FAIL, "unsupported or weak digest algorithm");
		goto out;
	}
	/* messageDigest over the ranges, streamed (usually done by the job) */
	if (EVP_MD_is_a(mdt, "SHA256") && range_job_join(job) && job->a_len == hole_a &&
	    job->b_off == hole_b && job->b_len == v[3]) {
		memcpy(digest, job->md, CF_SHA256_LEN);
		dlen = CF_SHA256_LEN;
	} else if ((buf = xmalloc(1u << 20)) == NULL || (md = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(md, mdt, NULL) ||
	    hash_range(d->fd, 0, hole_a, md, buf, 1u << 20, &e) < 0 ||
	    hash_range(d->fd, hole_b, v[3], md, buf, 1u << 20, &e) < 0 ||
	    !EVP_DigestFinal_ex(md, digest, &dlen)) {
		add(r, s, "cms digest", VERIFY_FAIL, "cannot hash the signed ranges: %s",
		    e.msg ? e.msg : "digest failed");
		goto out;
	}
	mdattr = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3,
					     V_ASN1_OCTET_STRING);
	if (mdattr == NULL)
		add(r, s, "cms digest", VERIFY_FAIL, "the CMS has no messageDigest attribute");
	else if ((unsigned)ASN1_STRING_length(mdattr) != dlen ||
		 memcmp(ASN1_STRING_get0_data(mdattr), digest, dlen) != 0)
		add(r, s, "cms digest", VERIFY_FAIL,
		    "the signed bytes were changed: their %s differs from the signed messageDigest",
		    EVP_MD_get0_name(mdt));
	else
		add(r, s, "cms digest", VERIFY_PASS, "messageDigest matches the %s of the signed ranges",
		    EVP_MD_get0_name(mdt));
	/* signature over the signed attributes */
	CMS_SignerInfo_set1_signer_cert(si, signer);
	if (CMS_SignerInfo_verify(si) == 1) {
		add(r, s, "cms signature", VERIFY_PASS, "signature over the signed attributes is valid (%s)",
		    OBJ_nid2sn(OBJ_obj2nid(salg->algorithm)));
		s->out->sig_ok = mdattr && (unsigned)ASN1_STRING_length(mdattr) == dlen &&
				 memcmp(ASN1_STRING_get0_data(mdattr), digest, dlen) == 0;
	} else {
		ssl_reason(reason, sizeof(reason));
		add(r, s, "cms signature", VERIFY_FAIL, "signature over the signed attributes is invalid: %s",
		    reason);
	}
	/* CAdES attributes */
	scv2 = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2),
					   -3, V_ASN1_SEQUENCE);
	if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, -1) < 0)
		add(r, s, "cades attributes", VERIFY_FAIL, "contentType attribute missing");
	else if (scv2 == NULL)
		add(r, s, "cades attributes", VERIFY_FAIL, "signing-certificate-v2 attribute missing");
	else {
		const unsigned char *q = ASN1_STRING_get0_data(scv2);
		ESS_SIGNING_CERT_V2 *ss = d2i_ESS_SIGNING_CERT_V2(NULL, &q, ASN1_STRING_length(scv2));
		STACK_OF(X509) *ch = sk_X509_new_null();

		sk_X509_push(ch, signer);
		if (ss && OSSL_ESS_check_signing_certs(NULL, ss, ch, 1) > 0)
			add(r, s, "cades attributes", VERIFY_PASS,
			    "contentType, messageDigest, signing-certificate-v2 (matches the signer)%s",
			    CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0 ?
			    "; signingTime present (PAdES takes the time from /M)" : "");
		else
			add(r, s, "cades attributes", VERIFY_FAIL,
			    "signing-certificate-v2 does not match the signer certificate");
		ERR_clear_error();
		ESS_SIGNING_CERT_V2_free(ss);
		sk_X509_free(ch);
	}

	/* timestamp */
	sigval = CMS_SignerInfo_get0_signature(si);
	cf_sha256(ASN1_STRING_get0_data(sigval), (size_t)ASN1_STRING_length(sigval), sigdig);
	i = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
	if (i < 0) {
		add(r, s, "timestamp", VERIFY_WARN,
		    "no timestamp (PAdES B-B): the signing time in /M is only claimed by the signer");
	} else {
		X509_ATTRIBUTE *a = CMS_unsigned_get_attr(si, i);
		ASN1_TYPE *t = X509_ATTRIBUTE_get0_type(a, 0);
		struct tsa_info ti;
		const char *ca = o->tsa_ca_file ? o->tsa_ca_file : o->trust_file;

		memset(&ti, 0, sizeof(ti));
		if (t == NULL || t->type != V_ASN1_SEQUENCE) {
			add(r, s, "timestamp", VERIFY_FAIL, "signatureTimeStampToken attribute is malformed");
		} else if (tsa_token_verify_digest_at(ASN1_STRING_get0_data(t->value.sequence),
						      (size_t)ASN1_STRING_length(t->value.sequence),
						      sigdig, ca, s->at, &ti, &e) < 0) {
			add(r, s, "timestamp", VERIFY_FAIL, "%s%s", e.msg,
			    s->poe ? " (checked at the time of the archive timestamp)" : "");
			cf_err_release(&e);
		} else {
			char poe[80] = "";

			fmt_both(ti.time, when, sizeof(when));
			have_ts = 1;
			tstime = ti.time;
			s->out->ts_ok = 1;
			s->out->ts_time = ti.time;
			if (s->poe) {
				char iso[32];

				snprintf(poe, sizeof(poe), "; tsa chain as of the archive timestamp %s",
					 cftime_format_iso((long long)s->at, iso, sizeof(iso)));
			}
			if (ti.trusted)
				add(r, s, "timestamp", VERIFY_PASS,
				    "PAdES B-T: signature value timestamped at %s by '%s' (chain checked against '%s'%s; serial %s)",
				    when, ti.tsa_name ? ti.tsa_name : "?", ca, poe, ti.serial ? ti.serial : "?");
			else
				add(r, s, "timestamp", VERIFY_PASS,
				    "PAdES B-T: signature value timestamped at %s by '%s' (tsa signature checked "
				    "against the token's own certificate; give --tsa-ca to check who the tsa is)",
				    when, ti.tsa_name ? ti.tsa_name : "?");
		}
		tsa_info_release(&ti);
	}
	/* certificate at the timestamp time, else now */
	if (have_ts) {
		char iso[32];

		snprintf(when, sizeof(when), "the timestamp time %s",
			 cftime_format_iso(tstime, iso, sizeof(iso)));
		check_cert(r, s, signer, certs, (time_t)tstime, when, o);
	} else {
		char iso[32];

		snprintf(when, sizeof(when), "the current time %s",
			 cftime_format_iso((long long)o->now, iso, sizeof(iso)));
		check_cert(r, s, signer, certs, o->now, when, o);
	}
out:
	ERR_clear_error();
	cf_err_release(&e);
	EVP_MD_CTX_free(md);
	free(buf);
	free(der);
	sk_X509_pop_free(certs, X509_free);
	CMS_ContentInfo_free(cms);
}

/* --- attachments and manifest ----------------------------------------- */

struct efile {
	char *name;			/* name-tree key */
	char *uf;			/* /UF or /F of the filespec */
	const struct pdfread_obj *stream;	/* /EF /F */
	int used;
};

struct efiles {
	struct efile *v;
	size_t n, cap;
	struct efile **by_name, **by_uf;	/* sorted views for efile_find() */
	size_t nuf;
	struct pdfread *pdf;
};

static char *
obj_text(const struct pdfread_obj *o)
{
	struct cf_buf b = CF_BUF_INIT;
	size_t i;

	if (o == NULL || o->type != PDFREAD_STRING)
		return NULL;
	if (o->u.s.n >= 2 && (unsigned char)o->u.s.p[0] == 0xfe && (unsigned char)o->u.s.p[1] == 0xff) {
		for (i = 2; i + 1 < o->u.s.n; i += 2) {
			unsigned long cp = ((unsigned char)o->u.s.p[i] << 8) | (unsigned char)o->u.s.p[i + 1];

			if (cp >= 0xd800 && cp < 0xdc00 && i + 3 < o->u.s.n) {
				unsigned long lo = ((unsigned char)o->u.s.p[i + 2] << 8) |
						   (unsigned char)o->u.s.p[i + 3];

				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			}
			if (cp < 0x80)
				cf_buf_addch(&b, (int)cp);
			else if (cp < 0x800) {
				cf_buf_addch(&b, (int)(0xc0 | (cp >> 6)));
				cf_buf_addch(&b, (int)(0x80 | (cp & 0x3f)));
			} else if (cp < 0x10000) {
				cf_buf_addch(&b, (int)(0xe0 | (cp >> 12)));
				cf_buf_addch(&b, (int)(0x80 | ((cp >> 6) & 0x3f)));
				cf_buf_addch(&b, (int)(0x80 | (cp & 0x3f)));
			} else {
				cf_buf_addch(&b, (int)(0xf0 | (cp >> 18)));
				cf_buf_addch(&b, (int)(0x80 | ((cp >> 12) & 0x3f)));
				cf_buf_addch(&b, (int)(0x80 | ((cp >> 6) & 0x3f)));
				cf_buf_addch(&b, (int)(0x80 | (cp & 0x3f)));
			}
		}
	} else {
		for (i = 0; i < o->u.s.n; i++)
			cf_buf_addch(&b, o->u.s.p[i] ? o->u.s.p[i] : '?');
	}
	return cf_buf_detach(&b, NULL);
}

static int
efile_cb(void *cookie, const struct pdfread_obj *key, const struct pdfread_obj *value, struct cf_err *err)
{
	struct efiles *ef = cookie;
	const struct pdfread_obj *fs = pdfread_resolve(ef->pdf, value), *efd, *st, *uf;

	(void)err;
	if (fs == NULL || fs->type != PDFREAD_DICT || ef->n >= MAX_ATTACHMENTS)
		return 0;
	efd = pdfread_dict_getr(ef->pdf, fs, "EF");
	st = pdfread_dict_getr(ef->pdf, efd, "F");
	if (st == NULL)
		st = pdfread_dict_getr(ef->pdf, efd, "UF");
	uf = pdfread_dict_getr(ef->pdf, fs, "UF");
	if (uf == NULL)
		uf = pdfread_dict_getr(ef->pdf, fs, "F");
	if (ef->n == ef->cap) {
		ef->cap = ef->cap ? 2 * ef->cap : 16;
		ef->v = xreallocarray(ef->v, ef->cap, sizeof(*ef->v));
	}
	ef->v[ef->n].name = obj_text(key);
	if (ef->v[ef->n].name == NULL)
		ef->v[ef->n].name = xstrdup("(unnamed)");
	ef->v[ef->n].uf = obj_text(uf);
	ef->v[ef->n].stream = st && st->type == PDFREAD_STREAM ? st : NULL;
	ef->v[ef->n].used = 0;
	ef->n++;
	return 0;
}

/* By name, then by position in the tree (the first of equal names wins). */
static int
efile_cmp_name(const void *a, const void *b)
{
	const struct efile *x = *(struct efile *const *)a, *y = *(struct efile *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x < y ? -1 : x > y);
}

static int
efile_cmp_uf(const void *a, const void *b)
{
	const struct efile *x = *(struct efile *const *)a, *y = *(struct efile *const *)b;
	int c = strcmp(x->uf, y->uf);

	return c ? c : (x < y ? -1 : x > y);
}

/* The first of v[0..n) (sorted by key) whose key is name, or NULL. */
static struct efile *
efile_search(struct efile **v, size_t n, const char *name, int uf)
{
	size_t a = 0, b = n;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (strcmp(uf ? v[m]->uf : v[m]->name, name) < 0)
			a = m + 1;
		else
			b = m;
	}
	if (a < n && strcmp(uf ? v[a]->uf : v[a]->name, name) == 0)
		return v[a];
	return NULL;
}

static void
efiles_load(struct pdfread *pdf, struct efiles *ef, struct cf_err *err)
{
	const struct pdfread_obj *cat = pdfread_catalog(pdf, NULL, NULL);
	const struct pdfread_obj *names = pdfread_dict_getr(pdf, cat, "Names");
	const struct pdfread_obj *root = pdfread_dict_getr(pdf, names, "EmbeddedFiles");

	size_t i;

	memset(ef, 0, sizeof(*ef));
	ef->pdf = pdf;
	if (root)
		pdfread_name_tree_walk(pdf, root, efile_cb, ef, err);
	/*
	 * Sorted views, so that matching N manifest entries to N attachments
	 * costs O(N log N) (it was N^2: 6 s for 50,000 of each).
	 */
	ef->by_name = xreallocarray(NULL, ef->n + 1, sizeof(*ef->by_name));
	ef->by_uf = xreallocarray(NULL, ef->n + 1, sizeof(*ef->by_uf));
	for (i = 0; i < ef->n; i++) {
		ef->by_name[i] = &ef->v[i];
		if (ef->v[i].uf)
			ef->by_uf[ef->nuf++] = &ef->v[i];
	}
	qsort(ef->by_name, ef->n, sizeof(*ef->by_name), efile_cmp_name);
	qsort(ef->by_uf, ef->nuf, sizeof(*ef->by_uf), efile_cmp_uf);
}

static void
efiles_release(struct efiles *ef)
{
	size_t i;

	for (i = 0; i < ef->n; i++) {
		free(ef->v[i].name);
		free(ef->v[i].uf);
	}
	free(ef->v);
	free(ef->by_name);
	free(ef->by_uf);
}

static struct efile *
efile_find(struct efiles *ef, const char *name)
{
	struct efile *f = efile_search(ef->by_name, ef->n, name, 0);

	return f ? f : efile_search(ef->by_uf, ef->nuf, name, 1);
}

struct hsink {
	EVP_MD_CTX *md;
	uint64_t n;
};

static int
hash_sink(void *cookie, const void *p, size_t n, struct cf_err *err)
{
	struct hsink *h = cookie;

	(void)err;
	EVP_DigestUpdate(h->md, p, n);
	h->n += n;
	return 0;
}

static int
efile_hash(struct pdfread *pdf, const struct efile *f, unsigned char out[CF_SHA256_LEN],
	   uint64_t *size, struct cf_err *err)
{
	struct hsink h = { EVP_MD_CTX_new(), 0 };
	unsigned int len;
	int r = -1;

	if (f->stream == NULL) {
		cf_err_set(err, CF_EPDF, "attachment has no embedded stream");
		goto out;
	}
	if (h.md == NULL || !EVP_DigestInit_ex(h.md, EVP_sha256(), NULL))
		goto out;
	if (pdfread_stream_decode(pdf, f->stream, hash_sink, &h, err) < 0)
		goto out;
	EVP_DigestFinal_ex(h.md, out, &len);
	*size = h.n;
	r = 0;
out:
	EVP_MD_CTX_free(h.md);
	return r;
}

X509 *
verify_doc_signer(struct verify_doc *d)
{
	return d->signer;
}

int
verify_doc_attachment(struct verify_doc *d, const char *name, size_t max, struct cf_buf *out,
		      struct cf_err *err)
{
	struct efiles ef;
	struct efile *f;
	int r;

	efiles_load(d->pdf, &ef, NULL);
	f = efile_find(&ef, name);
	if (f == NULL || f->stream == NULL)
		r = cf_err_set(err, CF_ENOTFOUND, "no attachment '%s'", name);
	else
		r = pdfread_stream_read(d->pdf, f->stream, max, out, err);
	efiles_release(&ef);
	return r;
}

struct wsink {
	int fd;
	EVP_MD_CTX *md;
	uint64_t n;
};

static int
write_sink(void *cookie, const void *p, size_t n, struct cf_err *err)
{
	struct wsink *w = cookie;
	const char *c = p;

	EVP_DigestUpdate(w->md, p, n);
	w->n += n;
	while (n > 0) {
		ssize_t k = write(w->fd, c, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return cf_err_errno(err, CF_EIO, "cannot write the attachment");
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

int
verify_doc_attachment_write(struct verify_doc *d, const char *name, int fd,
			    unsigned char sha256[CF_SHA256_LEN], uint64_t *size,
			    struct cf_err *err)
{
	struct efiles ef;
	struct efile *f;
	struct wsink w = { fd, EVP_MD_CTX_new(), 0 };
	unsigned int len;
	int r = -1;

	efiles_load(d->pdf, &ef, NULL);
	f = efile_find(&ef, name);
	if (f == NULL || f->stream == NULL)
		cf_err_set(err, CF_ENOTFOUND, "no attachment '%s'", name);
	else if (w.md == NULL || !EVP_DigestInit_ex(w.md, EVP_sha256(), NULL))
		cf_err_set(err, CF_EIO, "cannot hash attachment '%s'", name);
	else if (pdfread_stream_decode(d->pdf, f->stream, write_sink, &w, err) == 0) {
		EVP_DigestFinal_ex(w.md, sha256, &len);
		*size = w.n;
		r = 0;
	}
	EVP_MD_CTX_free(w.md);
	efiles_release(&ef);
	return r;
}

static int
vault_object_check(struct vault *v, const unsigned char sha[CF_SHA256_LEN], char *why,
		   size_t whyn)
{
	unsigned char buf[65536], got[CF_SHA256_LEN];
	char hex[CF_SHA256_HEXLEN + 1];
	struct cf_err e = CF_ERR_INIT;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int len;
	ssize_t n;
	int fd = -1, ok = -1;

	if (vault_object_open(v, sha, &fd, &e) < 0) {
		snprintf(why, whyn, "is missing from the vault (%s)", e.msg ? e.msg : "not found");
		goto out;
	}
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(md, buf, (size_t)n);
	if (n < 0) {
		snprintf(why, whyn, "cannot be read from the vault: %s", strerror(errno));
		goto out;
	}
	EVP_DigestFinal_ex(md, got, &len);
	if (memcmp(got, sha, CF_SHA256_LEN) != 0) {
		cf_hex_encode(got, CF_SHA256_LEN, hex);
		snprintf(why, whyn, "was changed in the vault (its content now hashes to %s)", hex);
		goto out;
	}
	ok = 0;
out:
	cf_err_release(&e);
	EVP_MD_CTX_free(md);
	if (fd >= 0)
		close(fd);
	return ok;
}

/*
 * With a vault: the facts the dossier rendered must still be what the
 * vault's sealed originals and sealed dispute say (rederive.h): one line
 * per exhibit that names its evidence row, one for the order's disputes.
 */
static void
check_vault_facts(struct vault *v, json_t *root, struct verify_report *r)
{
	json_t *ex = json_object_get(root, "exhibits");
	const char *order = json_string_value(json_object_get(root, "order_id"));
	struct rederive *rd = NULL;
	struct cf_err e = CF_ERR_INIT;
	size_t i;

	if (rederive_open(v, &rd, &e) < 0) {
		verify_report_add(r, "vault facts", VERIFY_FAIL, "cannot check the parsed rows: %s",
				  e.msg);
		goto out;
	}
	for (i = 0; i < json_array_size(ex); i++) {
		json_t *x = json_array_get(ex, i), *id = json_object_get(x, "evidence_id");
		json_t *no = json_object_get(x, "no");
		char name[80];
		int rc;

		if (!json_is_integer(id))
			continue;
		snprintf(name, sizeof(name), "vault facts exhibit %lld",
			 json_is_integer(no) ? (long long)json_integer_value(no) : (long long)i + 1);
		rc = rederive_check(rd, (int64_t)json_integer_value(id), &e);
		if (rc == 0)
			verify_report_add(r, name, VERIFY_PASS, "its parsed rows are what its sealed "
					  "original says");
		else if (rc < 0)
			verify_report_add(r, name, VERIFY_FAIL, "%s", e.msg);
		/* rc > 0: the object itself is missing or changed, named by "vault exhibit N" */
		cf_err_release(&e);
	}
	if (order) {
		if (dispute_verify_order(vault_db(v), order, &e) < 0)
			verify_report_add(r, "vault dispute", VERIFY_FAIL, "%s", e.msg);
		else
			verify_report_add(r, "vault dispute", VERIFY_PASS, "the dispute records of "
					  "order %s are what the ledger sealed", order);
	}
out:
	cf_err_release(&e);
	rederive_close(rd);
}

static void
check_manifest(struct verify_doc *d, const struct verify_opts *o, struct verify_report *r)
{
	struct pdfread *pdf = d->pdf;
	struct efiles ef;
	struct efile *mf;
	struct cf_buf mb = CF_BUF_INIT;
	struct cf_err e = CF_ERR_INIT;
	struct vault *v = NULL;
	json_t *root = NULL, *ex;
	json_error_t je;
	size_t i, nattached = 0, nok = 0;
	char name[64];

	efiles_load(pdf, &ef, &e);
	cf_err_release(&e);
	mf = efile_find(&ef, "manifest.json");
	if (mf == NULL) {
		verify_report_add(r, "manifest", VERIFY_WARN,
				  "no manifest.json attachment: not a casefile dossier, exhibits not checked");
		for (i = 0; i < ef.n; i++)
			verify_report_add(r, "attachment", VERIFY_WARN,
					  "attachment '%s' is not described by any manifest", ef.v[i].name);
		goto out;
	}
	mf->used = 1;
	/*
	 * The manifest is parsed whole (about 6 bytes of memory per byte of
	 * JSON), so it may not be larger than a quarter of the file that
	 * carries it (plus 1 MB): a small file cannot inflate into a 16 MB
	 * manifest.  A dossier's pages and originals are always far larger.
	 */
	if (mf->stream == NULL || pdfread_stream_read(pdf, mf->stream,
			pdfread_size(pdf) / 4 + (1u << 20) < MAX_MANIFEST ?
			pdfread_size(pdf) / 4 + (1u << 20) : MAX_MANIFEST, &mb, &e) < 0) {
		verify_report_add(r, "manifest", VERIFY_FAIL, "cannot read the manifest.json attachment: %s",
				  e.msg ? e.msg : "no data");
		cf_err_release(&e);
		goto out;
	}
	root = json_loadb(mb.data, mb.len, 0, &je);
	ex = root ? json_object_get(root, "exhibits") : NULL;
	if (root == NULL || !json_is_object(root) || !json_is_array(ex)) {
		verify_report_add(r, "manifest", VERIFY_FAIL, "manifest.json is not a casefile manifest%s%s",
				  root ? "" : ": ", root ? "" : je.text);
		goto out;
	}
	{
		const char *fmt = json_string_value(json_object_get(root, "format"));

		if (fmt == NULL || strncmp(fmt, "casefile-manifest/", 18) != 0) {
			verify_report_add(r, "manifest", VERIFY_FAIL, "manifest.json has no casefile format tag");
			goto out;
		}
		if (json_array_size(ex) > MAX_EXHIBITS) {
			verify_report_add(r, "manifest", VERIFY_FAIL, "manifest.json lists %zu exhibits, "
					  "more than the %d a dossier may hold", json_array_size(ex),
					  MAX_EXHIBITS);
			goto out;
		}
		verify_report_add(r, "manifest", VERIFY_PASS, "manifest.json (%s) lists %zu exhibits%s%s",
				  fmt, json_array_size(ex),
				  json_string_value(json_object_get(root, "order_id")) ? " for order " : "",
				  json_string_value(json_object_get(root, "order_id")) ?
				  json_string_value(json_object_get(root, "order_id")) : "");
	}
	if (o->vault_dir && vault_open(o->vault_dir, VAULT_OPEN_NO_CLEANUP | VAULT_OPEN_READONLY, &v, &e) < 0) {
		verify_report_add(r, "vault", VERIFY_FAIL, "cannot open vault '%s': %s", o->vault_dir, e.msg);
		cf_err_release(&e);
		v = NULL;
	}
	for (i = 0; i < json_array_size(ex); i++) {
		json_t *x = json_array_get(ex, i);
		const char *nm = json_string_value(json_object_get(x, "name"));
		const char *att = json_string_value(json_object_get(x, "attachment"));
		const char *hex = json_string_value(json_object_get(x, "sha256"));
		json_t *no = json_object_get(x, "no"), *sz = json_object_get(x, "size");
		unsigned char want[CF_SHA256_LEN], got[CF_SHA256_LEN];
		char gothex[CF_SHA256_HEXLEN + 1], why[256];
		uint64_t gotsize;
		struct efile *f;

		if (json_is_integer(no))
			snprintf(name, sizeof(name), "exhibit %lld", (long long)json_integer_value(no));
		else
			snprintf(name, sizeof(name), "exhibit #%zu", i + 1);
		if (nm == NULL)
			nm = "?";
		if (hex == NULL || cf_hex_decode(hex, strlen(hex), want, sizeof(want)) < 0) {
			verify_report_add(r, name, VERIFY_FAIL, "manifest entry '%s' has no valid sha256", nm);
			continue;
		}
		if (att == NULL) {
			verify_report_add(r, name, VERIFY_WARN,
					  "'%s' is listed but not attached (sha256 %s); check it against the vault",
					  nm, hex);
		} else if ((f = efile_find(&ef, att)) == NULL) {
			verify_report_add(r, name, VERIFY_FAIL,
					  "'%s': attachment '%s' named by the manifest is missing", nm, att);
		} else {
			f->used = 1;
			nattached++;
			if (efile_hash(pdf, f, got, &gotsize, &e) < 0) {
				verify_report_add(r, name, VERIFY_FAIL, "'%s': cannot read attachment '%s': %s",
						  nm, att, e.msg);
				cf_err_release(&e);
			} else if (memcmp(got, want, sizeof(want)) != 0) {
				cf_hex_encode(got, sizeof(got), gothex);
				verify_report_add(r, name, VERIFY_FAIL,
						  "'%s': attachment '%s' has sha256 %s, the manifest says %s",
						  nm, att, gothex, hex);
			} else if (json_is_integer(sz) && (uint64_t)json_integer_value(sz) != gotsize) {
				verify_report_add(r, name, VERIFY_FAIL,
						  "'%s': attachment '%s' has %llu bytes, the manifest says %lld",
						  nm, att, (unsigned long long)gotsize,
						  (long long)json_integer_value(sz));
			} else {
				nok++;
				verify_report_add(r, name, VERIFY_PASS, "'%s': attachment '%s' matches sha256 %s",
						  nm, att, hex);
			}
		}
		if (v) {
			char vname[80];

			snprintf(vname, sizeof(vname), "vault %s", name);
			if (vault_object_check(v, want, why, sizeof(why)) < 0)
				verify_report_add(r, vname, VERIFY_FAIL, "'%s' (sha256 %s) %s", nm, hex, why);
			else
				verify_report_add(r, vname, VERIFY_PASS, "'%s' is stored unchanged in '%s'",
						  nm, o->vault_dir);
		}
	}
	if (v)
		check_vault_facts(v, root, r);
	for (i = 0; i < ef.n; i++)
		if (!ef.v[i].used && strcmp(ef.v[i].name, "proofs.json") != 0)
			verify_report_add(r, "attachment", VERIFY_WARN,
					  "attachment '%s' is not listed in the manifest", ef.v[i].name);
	(void)nattached;
	(void)nok;
out:
	vault_close(v);
	json_decref(root);
	cf_buf_release(&mb);
	efiles_release(&ef);
}

static void
ltv_to_report(void *cookie, const char *name, enum ltv_status st, const char *detail)
{
	verify_report_add(cookie, name, st == LTV_FAIL ? VERIFY_FAIL :
			  st == LTV_WARN ? VERIFY_WARN : VERIFY_PASS, "%s", detail);
}

int
verify_file(const char *path, const struct verify_opts *o, struct verify_report *r,
	    struct cf_err *err)
{
	struct verify_doc d = { NULL, path, -1, NULL };
	struct cf_err e = CF_ERR_INIT;
	struct sigref *sigs = NULL;
	size_t nsigs = 0, i, visits = 0;
	const struct pdfread_obj *af;
	struct stat st;
	int ret = -1;

	if (pdfread_open(path, &d.pdf, &e) < 0) {
		verify_report_add(r, "pdf", VERIFY_FAIL, "%s", e.msg);
		cf_err_release(&e);
		return 0;
	}
	/* the ranges are hashed from a second descriptor: never block on a FIFO */
	if ((d.fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0 || fstat(d.fd, &st) < 0) {
		cf_err_errno(err, CF_EIO, "cannot open '%s'", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != pdfread_size(d.pdf)) {
		verify_report_add(r, "pdf", VERIFY_FAIL, "'%s' changed while it was read", path);
		ret = 0;
		goto out;
	}
	verify_report_add(r, "pdf", VERIFY_PASS, "'%s' parsed: %llu bytes", path,
			  (unsigned long long)pdfread_size(d.pdf));
	af = pdfread_dict_getr(d.pdf, pdfread_catalog(d.pdf, NULL, NULL), "AcroForm");
	collect_fields(d.pdf, pdfread_dict_getr(d.pdf, af, "Fields"), 0, &sigs, &nsigs, &visits);
	if (nsigs > MAX_SIGNATURES) {
		verify_report_add(r, "signature", VERIFY_FAIL, "the PDF has more than %d "
				  "signature fields; only the first %d are checked",
				  MAX_SIGNATURES, MAX_SIGNATURES);
		free(sigs[MAX_SIGNATURES].field);
		nsigs = MAX_SIGNATURES;
	}
	if (nsigs == 0) {
		verify_report_add(r, "signature", VERIFY_FAIL, "the PDF has no signature");
	} else {
		/* revision order: by the end of each signature's byte range */
		struct verify_report r2, *rs = xcalloc(nsigs, sizeof(*rs));
		struct range_job *jobs = xcalloc(nsigs, sizeof(*jobs));
		struct verify_sig *vs = xcalloc(nsigs, sizeof(*vs));
		size_t *order = xcalloc(nsigs, sizeof(*order)), j, k;
		time_t poe = 0;

		for (i = 0; i < nsigs; i++) {
			const struct pdfread_obj *br = pdfread_dict_getr(d.pdf, sigs[i].sig, "ByteRange");

			order[i] = i;
			vs[i].sig = sigs[i].sig;
			vs[i].name = sigs[i].field;
			if (br && br->type == PDFREAD_ARRAY && br->u.a.n == 4 &&
			    br->u.a.v[2]->type == PDFREAD_INT && br->u.a.v[3]->type == PDFREAD_INT)
				vs[i].end = (uint64_t)(br->u.a.v[2]->u.i + br->u.a.v[3]->u.i);
		}
		for (i = 1; i < nsigs; i++)	/* a handful: insertion sort */
			for (j = i; j > 0 && vs[order[j - 1]].end > vs[order[j]].end; j--) {
				k = order[j];
				order[j] = order[j - 1];
				order[j - 1] = k;
			}
		for (i = 0; i < nsigs && i < 4; i++)
			range_job_start(&jobs[i], d.fd, d.pdf, sigs[i].sig);
		/* attachments on this thread while the ranges hash on the others */
		verify_report_init(&r2);
		check_manifest(&d, o, &r2);
		/* newest first: a valid document timestamp proves that everything
		 * before it existed at its time, so older tokens are checked then */
		for (j = nsigs; j-- > 0;) {
			char *pre;
			struct sigctx s;

			i = order[j];
			pre = nsigs > 1 ? xasprintf("%s: ", sigs[i].field) : xstrdup("");
			s.prefix = pre;
			s.last = j == nsigs - 1;
			s.later_sig = 0;
			for (k = j + 1; k < nsigs; k++)
				if (!pdfread_is_name(pdfread_dict_getr(d.pdf, sigs[order[k]].sig,
								       "SubFilter"), "ETSI.RFC3161"))
					s.later_sig = 1;
			s.at = poe ? poe : o->now;
			s.poe = poe != 0;
			s.out = &vs[i];
			vs[i].poe = poe;
			verify_report_init(&rs[i]);
			check_signature(&d, &sigs[i], &s, &jobs[i], o, &rs[i]);
			range_job_join(&jobs[i]);
			if (vs[i].doc_ts && vs[i].ts_ok)
				poe = (time_t)vs[i].ts_time;
			free(pre);
		}
		for (i = 0; i < nsigs; i++) {
			for (k = 0; k < rs[i].n; k++)
				verify_report_add(r, rs[i].v[k].name, rs[i].v[k].status, "%s",
						  rs[i].v[k].detail);
			verify_report_release(&rs[i]);
		}
		{
			struct ltv_report lr = { ltv_to_report, r };

			verify_ltv_check(d.pdf, vs, order, nsigs, &lr);
		}
		free(rs);
		free(vs);
		free(order);
		free(jobs);
		for (i = 0; i < r2.n; i++)
			verify_report_add(r, r2.v[i].name, r2.v[i].status, "%s", r2.v[i].detail);
		verify_report_release(&r2);
	}
	if (nsigs == 0)
		check_manifest(&d, o, r);
	for (i = 0; o->hooks && o->hooks[i]; i++)
		o->hooks[i](&d, o, r);
	if (pdfread_exhausted(d.pdf))
		verify_report_add(r, "pdf", VERIFY_FAIL, "'%s': some objects were not read: "
				  "they need more memory than a %llu-byte file may", path,
				  (unsigned long long)pdfread_size(d.pdf));
	ret = 0;
out:
	for (i = 0; i < nsigs; i++)
		free(sigs[i].field);
	free(sigs);
	if (d.fd >= 0)
		close(d.fd);
	X509_free(d.signer);
	pdfread_close(d.pdf);
	return ret;
}

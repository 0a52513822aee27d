/* SPDX-License-Identifier: MIT */
/*
 * pades — builds the incremental update and the CMS described in pades.h.
 *
 * The update is assembled in memory (it is a few kilobytes plus the
 * placeholder); only the input file is streamed.  The digest of the input
 * is computed once while copying it into the temporary output, kept in an
 * EVP_MD_CTX, and duplicated for each attempt at the update.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "casefile/keys.h"
#include "casefile/outfile.h"
#include "casefile/pades.h"
#include "casefile/pdfread.h"
#include "casefile/xalloc.h"

#define BR_WIDTH 12		/* digits reserved per /ByteRange number */
#define TSA_TOKEN_RESERVE 12288	/* room for a token (certs included) */
#define CMS_MARGIN 512

void
pades_signer_info_init(struct pades_signer_info *si, X509 *cert, const char *tsa_url)
{
	unsigned char fp[CF_SHA256_LEN];
	struct tm tm;

	memset(si, 0, sizeof(*si));
	si->cn = keys_cert_cn(cert);
	keys_cert_fingerprint(cert, fp);
	keys_fingerprint_str(fp, si->fingerprint, sizeof(si->fingerprint));
	si->timestamp = xstrdup(tsa_url && *tsa_url ? tsa_url : "no timestamp (PAdES B-B)");
	memset(&tm, 0, sizeof(tm));
	if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm))
		si->not_after = (long long)timegm(&tm);
}

void
pades_signer_info_release(struct pades_signer_info *si)
{
	if (si == NULL)
		return;
	free(si->cn);
	free(si->timestamp);
	memset(si, 0, sizeof(*si));
}

/* --- CMS ------------------------------------------------------------- */

struct der {
	unsigned char *p;
	int n;
};

static int
der_cmp(const void *a, const void *b)
{
	const struct der *x = a, *y = b;
	int m = x->n < y->n ? x->n : y->n, c = memcmp(x->p, y->p, (size_t)m);

	return c ? c : x->n - y->n;
}

/*
 * DER of the signed attributes as a SET OF (tag 0x31), elements sorted as
 * DER requires: the bytes EVP_DigestSign must sign (RFC 5652 5.4).
 */
static int
encode_signed_attrs(CMS_SignerInfo *si, struct cf_buf *out)
{
	int i, n = CMS_signed_get_attr_count(si), ok = -1;
	struct der *d;
	size_t total = 0;

	if (n <= 0)
		return -1;
	d = xcalloc((size_t)n, sizeof(*d));
	for (i = 0; i < n; i++) {
		d[i].n = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &d[i].p);
		if (d[i].n <= 0)
			goto out;
		total += (size_t)d[i].n;
	}
	qsort(d, (size_t)n, sizeof(*d), der_cmp);
	cf_buf_addch(out, 0x31);
	if (total < 0x80)
		cf_buf_addch(out, (int)total);
	else if (total < 0x100) {
		cf_buf_addch(out, 0x81);
		cf_buf_addch(out, (int)total);
	} else if (total < 0x10000) {
		cf_buf_addch(out, 0x82);
		cf_buf_addch(out, (int)(total >> 8));
		cf_buf_addch(out, (int)(total & 0xff));
	} else
		goto out;
	for (i = 0; i < n; i++)
		cf_buf_add(out, d[i].p, (size_t)d[i].n);
	ok = 0;
out:
	for (i = 0; i < n; i++)
		OPENSSL_free(d[i].p);
	free(d);
	return ok;
}

int
pades_cms_build(EVP_PKEY *key, X509 *cert, STACK_OF(X509) *chain,
		const unsigned char digest[CF_SHA256_LEN], const struct tsa_opts *tsa,
		unsigned char **der, size_t *len, struct tsa_info *tinfo,
		struct cf_err *err)
{
	const unsigned flags = CMS_PARTIAL | CMS_DETACHED | CMS_BINARY;
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	struct cf_buf attrs = CF_BUF_INIT;
	unsigned char *sig = NULL, *tok = NULL, *out = NULL;
	size_t siglen = 0, toklen = 0;
	int i, n, ret = -1;

	if ((cms = CMS_sign(NULL, NULL, NULL, NULL, flags)) == NULL ||
	    (si = CMS_add1_signer(cms, cert, key, EVP_sha256(),
				  flags | CMS_NOSMIMECAP | CMS_CADES)) == NULL)
		goto ssl;
	for (i = 0; chain && i < sk_X509_num(chain); i++)
		if (!CMS_add1_cert(cms, sk_X509_value(chain, i)))
			goto ssl;
	if (CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1) < 0) {
		cf_err_set(err, CF_ECRYPTO, "openssl did not add signing-certificate-v2");
		goto out;
	}
	if (!CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
					 OBJ_nid2obj(NID_pkcs7_data), -1) ||
	    !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
					 digest, CF_SHA256_LEN))
		goto ssl;
	if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) >= 0) {
		cf_err_set(err, CF_ECRYPTO, "unexpected signingTime attribute");
		goto out;
	}
	if (encode_signed_attrs(si, &attrs) < 0)
		goto ssl;
	if (keys_sign(key, attrs.data, attrs.len, &sig, &siglen, err) < 0)
		goto out;
	if (!ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)siglen))
		goto ssl;
	if (tsa) {
		if (tsa_timestamp(tsa, sig, siglen, &tok, &toklen, tinfo, err) < 0)
			goto out;
		if (!CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken,
						   V_ASN1_SEQUENCE, tok, (int)toklen))
			goto ssl;
	}
	if ((n = i2d_CMS_ContentInfo(cms, &out)) <= 0)
		goto ssl;
	*der = xmemdup(out, (size_t)n);
	*len = (size_t)n;
	ret = 0;
	goto out;
ssl:
	cf_err_ssl(err, "cannot build the CMS signature");
out:
	OPENSSL_free(out);
	free(sig);
	free(tok);
	cf_buf_release(&attrs);
	CMS_ContentInfo_free(cms);
	return ret;
}

/* --- the incremental update ------------------------------------------ */

/* A PDF text string: ASCII as is, anything else as UTF-16BE with a BOM. */
static struct pdfread_obj *
text_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct cf_buf b = CF_BUF_INIT;
	struct pdfread_obj *o;
	int ascii = 1;
	size_t i;

	for (i = 0; p[i]; i++)
		if (p[i] >= 0x80)
			ascii = 0;
	if (ascii)
		return pdfread_obj_new_string(s, strlen(s));
	cf_buf_addch(&b, 0xfe);
	cf_buf_addch(&b, 0xff);
	for (i = 0; p[i];) {
		unsigned long cp;
		int extra;

		if (p[i] < 0x80) { cp = p[i]; extra = 0; }
		else if ((p[i] & 0xe0) == 0xc0) { cp = p[i] & 0x1f; extra = 1; }
		else if ((p[i] & 0xf0) == 0xe0) { cp = p[i] & 0x0f; extra = 2; }
		else if ((p[i] & 0xf8) == 0xf0) { cp = p[i] & 0x07; extra = 3; }
		else { cp = 0xfffd; extra = 0; }
		i++;
		while (extra-- > 0) {
			if ((p[i] & 0xc0) != 0x80) { cp = 0xfffd; break; }
			cp = (cp << 6) | (p[i++] & 0x3f);
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			cf_buf_addch(&b, (int)(0xd8 | (cp >> 18)));
			cf_buf_addch(&b, (int)((cp >> 10) & 0xff));
			cf_buf_addch(&b, (int)(0xdc | ((cp >> 8) & 3)));
			cf_buf_addch(&b, (int)(cp & 0xff));
		} else {
			cf_buf_addch(&b, (int)(cp >> 8));
			cf_buf_addch(&b, (int)(cp & 0xff));
		}
	}
	o = pdfread_obj_new_string(b.data, b.len);
	cf_buf_release(&b);
	return o;
}

struct update {
	struct cf_buf b;		/* the bytes appended to the input */
	size_t contents_off;		/* offset of '<' in b */
	size_t contents_end;		/* offset after '>' in b */
	size_t br_off;			/* offset of the first ByteRange digit field */
	unsigned nobj, cap;
	unsigned *num;
	unsigned *gen;
	uint64_t *off;			/* relative to b */
};

static void
update_release(struct update *u)
{
	cf_buf_release(&u->b);
	free(u->num);
	free(u->gen);
	free(u->off);
	u->num = u->gen = NULL;
	u->off = NULL;
	u->nobj = u->cap = 0;
}

/* Room for one more object entry. */
static void
update_grow(struct update *u)
{
	if (u->nobj < u->cap)
		return;
	u->cap = u->cap ? 2 * u->cap : 16;
	u->num = xreallocarray(u->num, u->cap, sizeof(*u->num));
	u->gen = xreallocarray(u->gen, u->cap, sizeof(*u->gen));
	u->off = xreallocarray(u->off, u->cap, sizeof(*u->off));
}

static void
obj_begin(struct update *u, unsigned num, unsigned gen)
{
	update_grow(u);
	u->num[u->nobj] = num;
	u->gen[u->nobj] = gen;
	u->off[u->nobj++] = u->b.len;
	cf_buf_addf(&u->b, "%u %u obj\n", num, gen);
}

static int
cmp_uint_idx(const void *a, const void *b, void *ctx)
{
	const unsigned *num = ctx;
	unsigned x = num[*(const unsigned *)a], y = num[*(const unsigned *)b];

	return x < y ? -1 : x > y;
}

static void
sort_idx(const struct update *u, unsigned *idx)
{
	unsigned i;

	for (i = 0; i < u->nobj; i++)
		idx[i] = i;
	qsort_r(idx, u->nobj, sizeof(*idx), cmp_uint_idx, (void *)u->num);
}

static void
id_string(struct cf_buf *b, const struct pdfread_obj *trailer, const unsigned char fresh[16])
{
	const struct pdfread_obj *id = pdfread_dict_get(trailer, "ID");
	struct pdfread_obj *arr = pdfread_obj_new(PDFREAD_ARRAY);

	if (id && id->type == PDFREAD_ARRAY && id->u.a.n >= 1 && id->u.a.v[0]->type == PDFREAD_STRING)
		pdfread_array_push(arr, pdfread_obj_copy(id->u.a.v[0]));
	else
		pdfread_array_push(arr, pdfread_obj_new_string(fresh, 16));
	pdfread_array_push(arr, pdfread_obj_new_string(fresh, 16));
	pdfread_obj_write(b, arr);
	pdfread_obj_free(arr);
}

static void
write_xref(struct update *u, struct pdfread *pdf, uint64_t base, unsigned root_num,
	   unsigned root_gen, unsigned size, const unsigned char fresh[16])
{
	const struct pdfread_obj *tr = pdfread_trailer(pdf), *info = pdfread_dict_get(tr, "Info");
	unsigned *idx, i, j;
	uint64_t xref_off;

	update_grow(u);
	idx = xcalloc(u->nobj + 1, sizeof(*idx));
	if (!pdfread_xref_is_stream(pdf)) {
		sort_idx(u, idx);
		xref_off = base + u->b.len;
		cf_buf_addstr(&u->b, "xref\n");
		for (i = 0; i < u->nobj; i = j) {
			for (j = i + 1; j < u->nobj && u->num[idx[j]] == u->num[idx[j - 1]] + 1; j++)
				;
			cf_buf_addf(&u->b, "%u %u\n", u->num[idx[i]], j - i);
			for (; i < j; i++)
				cf_buf_addf(&u->b, "%010llu %05u n\r\n",
					    (unsigned long long)(base + u->off[idx[i]]), u->gen[idx[i]]);
		}
		cf_buf_addf(&u->b, "trailer\n<</Size %u /Root %u %u R", size, root_num, root_gen);
		if (info && info->type == PDFREAD_REF)
			cf_buf_addf(&u->b, " /Info %u %u R", info->u.ref.num, info->u.ref.gen);
		cf_buf_addstr(&u->b, " /ID ");
		id_string(&u->b, tr, fresh);
		cf_buf_addf(&u->b, " /Prev %llu>>\nstartxref\n%llu\n%%%%EOF\n",
			    (unsigned long long)pdfread_startxref(pdf), (unsigned long long)xref_off);
		free(idx);
		return;
	}
	/* The input uses xref streams: continue with one (object `size`). */
	{
		unsigned xnum = size;
		struct cf_buf data = CF_BUF_INIT;

		xref_off = base + u->b.len;
		u->num[u->nobj] = xnum;
		u->gen[u->nobj] = 0;
		u->off[u->nobj++] = u->b.len;
		sort_idx(u, idx);
		cf_buf_addf(&u->b, "%u 0 obj\n<</Type /XRef /Size %u /Root %u %u R", xnum,
			    size + 1, root_num, root_gen);
		if (info && info->type == PDFREAD_REF)
			cf_buf_addf(&u->b, " /Info %u %u R", info->u.ref.num, info->u.ref.gen);
		cf_buf_addstr(&u->b, " /ID ");
		id_string(&u->b, tr, fresh);
		cf_buf_addstr(&u->b, " /W [1 8 2] /Index [");
		for (i = 0; i < u->nobj; i = j) {
			for (j = i + 1; j < u->nobj && u->num[idx[j]] == u->num[idx[j - 1]] + 1; j++)
				;
			cf_buf_addf(&u->b, "%s%u %u", i ? " " : "", u->num[idx[i]], j - i);
			for (; i < j; i++) {
				uint64_t o = base + u->off[idx[i]];
				int k;

				cf_buf_addch(&data, 1);
				for (k = 7; k >= 0; k--)
					cf_buf_addch(&data, (int)((o >> (8 * k)) & 0xff));
				cf_buf_addch(&data, (int)(u->gen[idx[i]] >> 8));
				cf_buf_addch(&data, (int)(u->gen[idx[i]] & 0xff));
			}
		}
		cf_buf_addf(&u->b, "] /Prev %llu /Length %zu>>\nstream\n",
			    (unsigned long long)pdfread_startxref(pdf), data.len);
		cf_buf_add(&u->b, data.data, data.len);
		cf_buf_addstr(&u->b, "\nendstream\nendobj\n");
		cf_buf_addf(&u->b, "startxref\n%llu\n%%%%EOF\n", (unsigned long long)xref_off);
		cf_buf_release(&data);
	}
	free(idx);
}

static void
write_obj(struct update *u, unsigned num, unsigned gen, const struct pdfread_obj *o)
{
	obj_begin(u, num, gen);
	pdfread_obj_write(&u->b, o);
	cf_buf_addstr(&u->b, "\nendobj\n");
}

static int
field_name_taken(struct pdfread *pdf, const struct pdfread_obj *fields, const char *name)
{
	size_t i;

	for (i = 0; fields && i < fields->u.a.n; i++) {
		const struct pdfread_obj *f = pdfread_resolve(pdf, fields->u.a.v[i]);
		const struct pdfread_obj *t = pdfread_dict_getr(pdf, f, "T");

		if (t && t->type == PDFREAD_STRING && t->u.s.n == strlen(name) &&
		    memcmp(t->u.s.p, name, t->u.s.n) == 0)
			return 1;
	}
	return 0;
}

/*
 * Build the update appended to an input of `base` bytes (so b[0] is at file
 * offset base; b starts with a newline when add_nl) with a /Contents hole
 * of `hexlen` hex digits.
 */
static int
build_update(struct pdfread *pdf, uint64_t base, int add_nl, size_t hexlen,
	     const struct pades_opts *o, const unsigned char fresh[16],
	     struct update *u, struct cf_err *err)
{
	unsigned N = pdfread_xref_size(pdf), cnum, cgen, pnum, pgen, k;
	const struct pdfread_obj *cat, *page, *annots, *af, *fields;
	struct pdfread_obj *ncat = NULL, *npage = NULL, *naf = NULL, *widget = NULL, *arr, *tmp;
	char name[32], date[64];
	struct tm tm;
	size_t i;
	int ret = -1;

	memset(u, 0, sizeof(*u));
	cf_buf_init(&u->b);
	if (add_nl)
		cf_buf_addch(&u->b, '\n');
	if ((cat = pdfread_catalog(pdf, &cnum, &cgen)) == NULL) {
		cf_err_set(err, CF_EPDF, "no document catalog");
		goto out;
	}
	if (pdfread_first_page(pdf, &pnum, &pgen, err) < 0)
		goto out;
	if ((page = pdfread_get(pdf, pnum, err)) == NULL || page->type != PDFREAD_DICT) {
		cf_err_set(err, CF_EPDF, "page 1 (object %u) is unreadable", pnum);
		goto out;
	}
	if (pnum == cnum) {
		cf_err_set(err, CF_EPDF, "the catalog is also a page");
		goto out;
	}
	if (N + 4 > PDFREAD_MAX_OBJECTS) {
		cf_err_set(err, CF_EPDF, "too many objects");
		goto out;
	}
	af = pdfread_dict_getr(pdf, cat, "AcroForm");
	fields = pdfread_dict_getr(pdf, af, "Fields");
	if (fields && fields->type != PDFREAD_ARRAY)
		fields = NULL;
	for (k = 1;; k++) {
		snprintf(name, sizeof(name), "%s%u", o->doc_timestamp ? "DocTimeStamp" : "Signature", k);
		if (!field_name_taken(pdf, fields, name))
			break;
	}

	/* N: the signature dictionary, written by hand for the two holes */
	obj_begin(u, N, 0);
	cf_buf_addstr(&u->b, o->doc_timestamp ?
		      "<</Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161 /ByteRange [0 " :
		      "<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 ");
	u->br_off = u->b.len;
	cf_buf_addf(&u->b, "%*s]", 3 * BR_WIDTH + 2, "");
	cf_buf_addstr(&u->b, " /Contents ");
	u->contents_off = u->b.len;
	cf_buf_addch(&u->b, '<');
	cf_buf_grow(&u->b, hexlen + 1);
	memset(u->b.data + u->b.len, '0', hexlen);
	u->b.len += hexlen;
	u->b.data[u->b.len] = '\0';
	cf_buf_addch(&u->b, '>');
	u->contents_end = u->b.len;
	gmtime_r(&o->when, &tm);
	strftime(date, sizeof(date), "D:%Y%m%d%H%M%S+00'00'", &tm);
	if (!o->doc_timestamp)	/* a document timestamp's time is its token's */
		cf_buf_addf(&u->b, " /M (%s)", date);
	if (o->reason && *o->reason) {
		tmp = text_string(o->reason);
		cf_buf_addstr(&u->b, " /Reason ");
		pdfread_obj_write(&u->b, tmp);
		pdfread_obj_free(tmp);
	}
	if (o->location && *o->location) {
		tmp = text_string(o->location);
		cf_buf_addstr(&u->b, " /Location ");
		pdfread_obj_write(&u->b, tmp);
		pdfread_obj_free(tmp);
	}
	if (o->contact && *o->contact) {
		tmp = text_string(o->contact);
		cf_buf_addstr(&u->b, " /ContactInfo ");
		pdfread_obj_write(&u->b, tmp);
		pdfread_obj_free(tmp);
	}
	cf_buf_addstr(&u->b, ">>\nendobj\n");

	/* N+1: field merged with its widget */
	widget = pdfread_obj_new(PDFREAD_DICT);
	pdfread_dict_set(widget, "Type", pdfread_obj_new_name("Annot"));
	pdfread_dict_set(widget, "Subtype", pdfread_obj_new_name("Widget"));
	pdfread_dict_set(widget, "FT", pdfread_obj_new_name("Sig"));
	pdfread_dict_set(widget, "T", pdfread_obj_new_string(name, strlen(name)));
	pdfread_dict_set(widget, "V", pdfread_obj_new_ref(N, 0));
	pdfread_dict_set(widget, "F", pdfread_obj_new_int(132));
	arr = pdfread_obj_new(PDFREAD_ARRAY);
	for (k = 0; k < 4; k++)
		pdfread_array_push(arr, pdfread_obj_new_int(0));
	pdfread_dict_set(widget, "Rect", arr);
	pdfread_dict_set(widget, "P", pdfread_obj_new_ref(pnum, pgen));
	write_obj(u, N + 1, 0, widget);

	/* N+2: the AcroForm */
	naf = af && af->type == PDFREAD_DICT ? pdfread_obj_copy(af) : pdfread_obj_new(PDFREAD_DICT);
	arr = pdfread_obj_new(PDFREAD_ARRAY);
	for (i = 0; fields && i < fields->u.a.n; i++)
		pdfread_array_push(arr, pdfread_obj_copy(fields->u.a.v[i]));
	pdfread_array_push(arr, pdfread_obj_new_ref(N + 1, 0));
	pdfread_dict_set(naf, "Fields", arr);
	pdfread_dict_set(naf, "SigFlags", pdfread_obj_new_int(3));
	write_obj(u, N + 2, 0, naf);

	/* page 1 with the widget in /Annots */
	npage = pdfread_obj_copy(page);
	npage->type = PDFREAD_DICT;
	annots = pdfread_dict_getr(pdf, page, "Annots");
	arr = pdfread_obj_new(PDFREAD_ARRAY);
	for (i = 0; annots && annots->type == PDFREAD_ARRAY && i < annots->u.a.n; i++)
		pdfread_array_push(arr, pdfread_obj_copy(annots->u.a.v[i]));
	pdfread_array_push(arr, pdfread_obj_new_ref(N + 1, 0));
	pdfread_dict_set(npage, "Annots", arr);
	write_obj(u, pnum, pgen, npage);

	/* the catalog pointing at the new AcroForm */
	ncat = pdfread_obj_copy(cat);
	pdfread_dict_set(ncat, "AcroForm", pdfread_obj_new_ref(N + 2, 0));
	write_obj(u, cnum, cgen, ncat);

	write_xref(u, pdf, base, cnum, cgen, N + 3, fresh);
	ret = 0;
out:
	pdfread_obj_free(widget);
	pdfread_obj_free(naf);
	pdfread_obj_free(npage);
	pdfread_obj_free(ncat);
	if (ret < 0)
		update_release(u);
	return ret;
}

/* Fill in /ByteRange now that every length is known. */
static void
set_byterange(struct update *u, uint64_t base)
{
	uint64_t a = base + u->contents_off, b = base + u->contents_end;
	uint64_t c = base + u->b.len - b;
	char tmp[3 * BR_WIDTH + 8];

	snprintf(tmp, sizeof(tmp), "%-*llu %-*llu %-*llu", BR_WIDTH, (unsigned long long)a,
		 BR_WIDTH, (unsigned long long)b, BR_WIDTH, (unsigned long long)c);
	memcpy(u->b.data + u->br_off, tmp, 3 * BR_WIDTH + 2);
}

static int
write_all(int fd, const void *p, size_t n, const char *path, struct cf_err *err)
{
	const char *q = p;

	while (n > 0) {
		ssize_t w = write(fd, q, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return cf_err_errno(err, CF_EIO, "cannot write '%s'", path);
		q += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * The copy of the input into the temporary file runs inside the kernel
 * (copy_file_range: no trip through user space, a reflink where the file
 * system can) on a second thread while this one reads and hashes the
 * input: the two passes overlap instead of adding up.
 */
#define COPY_CHUNK (8u << 20)

struct copy_job {
	int in_fd, out_fd;
	uint64_t total, done;
	int sync_errno;		/* the wait for writeback failed (a write error) */
	pthread_t t;
};

static void *
copy_job_run(void *arg)
{
	struct copy_job *j = arg;
	loff_t ioff = 0, ooff = 0;

	while (j->done < j->total) {
		uint64_t want = j->total - j->done;
		ssize_t c = copy_file_range(j->in_fd, &ioff, j->out_fd, &ooff,
					    (size_t)(want < COPY_CHUNK ? want : COPY_CHUNK), 0);

		if (c <= 0)
			break;
		/* start writing this chunk to disk now, without waiting */
		sync_file_range(j->out_fd, (off_t)j->done, c, SYNC_FILE_RANGE_WRITE);
		j->done += (uint64_t)c;
	}
	/* wait for the copied data to reach the disk while the hashing goes on,
	 * so that the final fsync has little left to do */
	/* (waiting consumes a write error: keep it for the caller, not fsync) */
	if (j->done && sync_file_range(j->out_fd, 0, (off_t)j->done,
				       SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				       SYNC_FILE_RANGE_WAIT_AFTER) < 0)
		j->sync_errno = errno;
	return NULL;
}

/* Copy in_path (expected_size bytes) into out_fd and hash it into md. */
static int
copy_hash(const char *in_path, uint64_t expected_size, int out_fd, const char *out_path,
	  EVP_MD_CTX *md, uint64_t *size, int *last_byte, struct cf_err *err)
{
	const size_t cap = 1u << 20;
	unsigned char *buf = xmalloc(cap);
	struct copy_job job;
	uint64_t total = 0;
	int fd, cfd = -1, ret = -1, started = 0;

	*last_byte = -1;
	memset(&job, 0, sizeof(job));
	if ((fd = open(in_path, O_RDONLY)) < 0 || (cfd = open(in_path, O_RDONLY)) < 0) {
		cf_err_errno(err, CF_EIO, "cannot open '%s'", in_path);
		goto out;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	job.in_fd = cfd;
	job.out_fd = out_fd;
	job.total = expected_size;
	started = pthread_create(&job.t, NULL, copy_job_run, &job) == 0;
	for (;;) {
		ssize_t r = read(fd, buf, cap);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cf_err_errno(err, CF_EIO, "cannot read '%s'", in_path);
			goto out;
		}
		if (r == 0)
			break;
		if (!EVP_DigestUpdate(md, buf, (size_t)r)) {
			cf_err_ssl(err, "sha-256 failed");
			goto out;
		}
		total += (uint64_t)r;
		*last_byte = buf[r - 1];
	}
	if (started) {
		pthread_join(job.t, NULL);
		started = 0;
	}
	if (total != expected_size) {
		cf_err_set(err, CF_EIO, "'%s' changed while it was being signed", in_path);
		goto out;
	}
	if (job.sync_errno && job.sync_errno != ENOSYS && job.sync_errno != EINVAL &&
	    job.sync_errno != ESPIPE) {
		errno = job.sync_errno;
		cf_err_errno(err, CF_EIO, "cannot write '%s'", out_path);
		goto out;
	}
	/* no copy_file_range (or it stopped short): finish with read/write */
	if (job.done < total && lseek(out_fd, (off_t)job.done, SEEK_SET) < 0) {
		cf_err_errno(err, CF_EIO, "cannot write '%s'", out_path);
		goto out;
	}
	while (job.done < total) {
		ssize_t r = pread(fd, buf, cap, (off_t)job.done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			cf_err_errno(err, CF_EIO, "cannot read '%s'", in_path);
			goto out;
		}
		if (write_all(out_fd, buf, (size_t)r, out_path, err) < 0)
			goto out;
		job.done += (uint64_t)r;
	}
	if (lseek(out_fd, (off_t)total, SEEK_SET) < 0) {
		cf_err_errno(err, CF_EIO, "cannot write '%s'", out_path);
		goto out;
	}
	*size = total;
	ret = 0;
out:
	if (started)
		pthread_join(job.t, NULL);
	if (fd >= 0)
		close(fd);
	if (cfd >= 0)
		close(cfd);
	free(buf);
	return ret;
}

static int
cert_usable(X509 *cert, time_t when, struct cf_err *err)
{
	time_t t = when;
	uint32_t ku;

	if (X509_cmp_time(X509_get0_notBefore(cert), &t) > 0)
		return cf_err_set(err, CF_EINPUT, "the signing certificate is not valid yet");
	if (X509_cmp_time(X509_get0_notAfter(cert), &t) < 0)
		return cf_err_set(err, CF_EINPUT, "the signing certificate has expired");
	ku = X509_get_key_usage(cert);
	if (ku != UINT32_MAX && !(ku & (X509v3_KU_DIGITAL_SIGNATURE | X509v3_KU_NON_REPUDIATION)))
		return cf_err_set(err, CF_EINPUT,
				  "the signing certificate's key usage allows no signatures");
	return 0;
}

/*
 * The most the signed copy can take: the input and its update (placeholder
 * of hexlen characters, a few small objects and an xref section).  A copy
 * that passes it has run away.
 */
static uint64_t
size_limit(uint64_t in_size, size_t hexlen)
{
	return in_size + hexlen + (1u << 20);
}

int
pades_sign_file(const char *in_path, const char *out_path, EVP_PKEY *key, X509 *cert,
		STACK_OF(X509) *chain, const struct pades_opts *o,
		struct pades_result *res, struct cf_err *err)
{
	struct pdfread *pdf = NULL;
	struct update u;
	EVP_MD_CTX *base_md = NULL, *md = NULL;
	unsigned char fresh[16], digest[CF_SHA256_LEN], *cms = NULL, dummy[CF_SHA256_LEN] = { 0 };
	size_t cms_len = 0, hexlen;
	uint64_t size = 0;
	struct outfile *of = NULL;
	struct stat st;
	int fd = -1, ret = -1, attempt, last_byte, add_nl, have_u = 0;
	unsigned int dlen;

	memset(&u, 0, sizeof(u));
	if (res) {
		memset(res, 0, sizeof(*res));
	}
	if (o->doc_timestamp && o->tsa == NULL)
		CF_BUG("a document timestamp needs a tsa");
	if (!o->doc_timestamp && cert_usable(cert, o->when, err) < 0)
		goto out;
	if (pdfread_open(in_path, &pdf, err) < 0)
		goto out;
	if (stat(in_path, &st) < 0) {
		cf_err_errno(err, CF_EIO, "cannot stat '%s'", in_path);
		goto out;
	}
	/* trial CMS (no TSA) for the placeholder size */
	if (!o->doc_timestamp &&
	    pades_cms_build(key, cert, chain, dummy, NULL, &cms, &cms_len, NULL, err) < 0)
		goto out;
	hexlen = 2 * (cms_len + CMS_MARGIN + (o->tsa ? TSA_TOKEN_RESERVE : 0));
	free(cms);
	cms = NULL;
	if (RAND_bytes(fresh, sizeof(fresh)) != 1) {
		cf_err_ssl(err, "no randomness");
		goto out;
	}

	/*
	 * copy + hash the input into a temp file beside the output (unnamed
	 * where possible, outfile.h), which can only be the input and the
	 * update (placeholder and a few objects)
	 */
	if (outfile_open(out_path, size_limit(pdfread_size(pdf), hexlen), &of, err) < 0)
		goto out;
	fd = outfile_fd(of);
	if ((base_md = EVP_MD_CTX_new()) == NULL || (md = EVP_MD_CTX_new()) == NULL ||
	    !EVP_DigestInit_ex(base_md, EVP_sha256(), NULL)) {
		cf_err_ssl(err, "sha-256 failed");
		goto out;
	}
	if (copy_hash(in_path, pdfread_size(pdf), fd, out_path, base_md, &size, &last_byte, err) < 0 ||
	    outfile_count(of, size, err) < 0)
		goto out;
	add_nl = last_byte != '\n' && last_byte != '\r';

	for (attempt = 0; attempt < 2; attempt++) {
		if (have_u)
			update_release(&u);
		if (build_update(pdf, size, add_nl, hexlen, o, fresh, &u, err) < 0)
			goto out;
		have_u = 1;
		set_byterange(&u, size);
		if (!EVP_MD_CTX_copy_ex(md, base_md) ||
		    !EVP_DigestUpdate(md, u.b.data, u.contents_off) ||
		    !EVP_DigestUpdate(md, u.b.data + u.contents_end, u.b.len - u.contents_end) ||
		    !EVP_DigestFinal_ex(md, digest, &dlen)) {
			cf_err_ssl(err, "sha-256 failed");
			goto out;
		}
		free(cms);
		cms = NULL;
		if (res)
			tsa_info_release(&res->tsa);
		if (o->doc_timestamp ?
		    tsa_timestamp_digest(o->tsa, digest, &cms, &cms_len, res ? &res->tsa : NULL,
					 err) < 0 :
		    pades_cms_build(key, cert, chain, digest, o->tsa, &cms, &cms_len,
				    res ? &res->tsa : NULL, err) < 0)
			goto out;
		if (2 * cms_len <= hexlen)
			break;
		if (attempt == 1) {
			cf_err_set(err, CF_ECRYPTO,
				   "the signature (%zu bytes) does not fit its placeholder (%zu bytes)",
				   cms_len, hexlen / 2);
			goto out;
		}
		if (res)
			res->retried = 1;
		hexlen = 2 * (cms_len + 4096);
	}
	{
		static const char hx[] = "0123456789ABCDEF";
		size_t i;
		char *h = u.b.data + u.contents_off + 1;

		for (i = 0; i < cms_len; i++) {
			h[2 * i] = hx[cms[i] >> 4];
			h[2 * i + 1] = hx[cms[i] & 15];
		}
	}
	outfile_set_limit(of, size_limit(size, hexlen));
	if (outfile_write(of, u.b.data, u.b.len, err) < 0 ||
	    outfile_commit(of, st.st_mode & 0666, err) < 0)
		goto out;
	if (res) {
		res->timestamped = o->tsa != NULL;
		res->cms_len = cms_len;
		res->placeholder = hexlen / 2;
	}
	ret = 0;
out:
	outfile_close(of);
	if (have_u)
		update_release(&u);
	if (ret < 0 && res)
		tsa_info_release(&res->tsa);
	free(cms);
	EVP_MD_CTX_free(md);
	EVP_MD_CTX_free(base_md);
	pdfread_close(pdf);
	return ret;
}

/* --- other incremental updates (validation data) ------------------------ */

int
pades_append_objects(const char *in_path, const char *out_path,
		     const struct pades_obj *objs, size_t n, struct cf_err *err)
{
	struct pdfread *pdf = NULL;
	struct update u;
	struct outfile *of = NULL;
	struct stat st;
	EVP_MD_CTX *md = NULL;
	unsigned char fresh[16];
	unsigned cnum = 0, cgen = 0, size;
	uint64_t in_size = 0, total = 0;
	int fd, ret = -1, last_byte;
	size_t i;

	memset(&u, 0, sizeof(u));
	cf_buf_init(&u.b);
	if (pdfread_open(in_path, &pdf, err) < 0)
		goto out;
	if (stat(in_path, &st) < 0) {
		cf_err_errno(err, CF_EIO, "cannot stat '%s'", in_path);
		goto out;
	}
	if (pdfread_catalog(pdf, &cnum, &cgen) == NULL) {
		cf_err_set(err, CF_EPDF, "no document catalog");
		goto out;
	}
	size = pdfread_xref_size(pdf);
	for (i = 0; i < n; i++) {
		total += objs[i].slen + 256;
		if (objs[i].num >= size)
			size = objs[i].num + 1;
	}
	if (size + 1 > PDFREAD_MAX_OBJECTS) {
		cf_err_set(err, CF_EPDF, "too many objects");
		goto out;
	}
	if (RAND_bytes(fresh, sizeof(fresh)) != 1) {
		cf_err_ssl(err, "no randomness");
		goto out;
	}
	if (outfile_open(out_path, size_limit(pdfread_size(pdf), 0) + 2 * total, &of, err) < 0)
		goto out;
	fd = outfile_fd(of);
	if ((md = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
		cf_err_ssl(err, "sha-256 failed");
		goto out;
	}
	if (copy_hash(in_path, pdfread_size(pdf), fd, out_path, md, &in_size, &last_byte, err) < 0 ||
	    outfile_count(of, in_size, err) < 0)
		goto out;
	if (last_byte != '\n' && last_byte != '\r')
		cf_buf_addch(&u.b, '\n');
	for (i = 0; i < n; i++) {
		obj_begin(&u, objs[i].num, objs[i].gen);
		if (objs[i].stream) {
			cf_buf_addf(&u.b, "<</Length %zu>>\nstream\n", objs[i].slen);
			cf_buf_add(&u.b, objs[i].stream, objs[i].slen);
			cf_buf_addstr(&u.b, "\nendstream\nendobj\n");
		} else {
			pdfread_obj_write(&u.b, objs[i].obj);
			cf_buf_addstr(&u.b, "\nendobj\n");
		}
	}
	write_xref(&u, pdf, in_size, cnum, cgen, size, fresh);
	if (outfile_write(of, u.b.data, u.b.len, err) < 0 ||
	    outfile_commit(of, st.st_mode & 0666, err) < 0)
		goto out;
	ret = 0;
out:
	outfile_close(of);
	update_release(&u);
	EVP_MD_CTX_free(md);
	pdfread_close(pdf);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * cms_tool — test helper that takes a signed PDF apart the way an auditor
 * with only openssl would, and builds forgeries for tamper tests.
 *
 *   cms_tool parts SIGNED.pdf DIR
 *       DIR/cms.der (the CMS in the /Contents hole, padding stripped),
 *       DIR/signed.bin (the bytes /ByteRange covers),
 *       DIR/sigvalue.bin (the SignerInfo signature value),
 *       DIR/token.der (the signature timestamp token, when present)
 *   cms_tool swap-token SIGNED.pdf DONOR.pdf OUT.pdf
 *       OUT = SIGNED with its timestamp token replaced by DONOR's
 *       (same length hole; the byte ranges are untouched)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/x509.h>

static unsigned char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p;
	long len;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)len + 1);
	if (fread(p, 1, (size_t)len, f) != (size_t)len)
		return NULL;
	fclose(f);
	*n = (size_t)len;
	return p;
}

static int
spit(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, 1, n, f) != n)
		return -1;
	return fclose(f);
}

static int
byterange(const unsigned char *p, size_t n, unsigned long long br[4])
{
	const char *key = "/ByteRange [";
	size_t k = strlen(key), i, last = (size_t)-1;

	for (i = 0; i + k < n; i++)
		if (memcmp(p + i, key, k) == 0)
			last = i;
	if (last == (size_t)-1)
		return -1;
	return sscanf((const char *)p + last + k, "%llu %llu %llu %llu", &br[0], &br[1], &br[2], &br[3]) == 4 ? 0 : -1;
}

static CMS_ContentInfo *
load_cms(const unsigned char *pdf, size_t n, unsigned long long br[4])
{
	size_t hl, i;
	unsigned char *der;
	const unsigned char *q;
	CMS_ContentInfo *cms;

	if (byterange(pdf, n, br) < 0)
		return NULL;
	hl = (size_t)(br[2] - br[1] - 2) / 2;
	der = malloc(hl);
	for (i = 0; i < hl; i++) {
		unsigned v;

		sscanf((const char *)pdf + br[1] + 1 + 2 * i, "%2x", &v);
		der[i] = (unsigned char)v;
	}
	q = der;
	cms = d2i_CMS_ContentInfo(NULL, &q, (long)hl);
	free(der);
	return cms;
}

static ASN1_STRING *
token_of(CMS_SignerInfo *si)
{
	int i = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
	ASN1_TYPE *t;

	if (i < 0)
		return NULL;
	t = X509_ATTRIBUTE_get0_type(CMS_unsigned_get_attr(si, i), 0);
	return t && t->type == V_ASN1_SEQUENCE ? t->value.sequence : NULL;
}

int
main(int argc, char **argv)
{
	unsigned long long br[4];
	unsigned char *pdf, *der = NULL;
	size_t n;
	CMS_ContentInfo *cms;
	CMS_SignerInfo *si;
	char path[4096];
	int len;

	if (argc < 4)
		return 2;
	if ((pdf = slurp(argv[2], &n)) == NULL || (cms = load_cms(pdf, n, br)) == NULL) {
		fprintf(stderr, "cms_tool: cannot read the CMS of '%s'\n", argv[2]);
		return 1;
	}
	si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
	if (!strcmp(argv[1], "parts")) {
		ASN1_OCTET_STRING *sv = CMS_SignerInfo_get0_signature(si);
		ASN1_STRING *tok = token_of(si);
		unsigned char *signed_bytes = malloc(br[1] + br[3] + 1);

		len = i2d_CMS_ContentInfo(cms, &der);
		snprintf(path, sizeof(path), "%s/cms.der", argv[3]);
		spit(path, der, (size_t)len);
		snprintf(path, sizeof(path), "%s/sigvalue.bin", argv[3]);
		spit(path, ASN1_STRING_get0_data(sv), (size_t)ASN1_STRING_length(sv));
		memcpy(signed_bytes, pdf, br[1]);
		memcpy(signed_bytes + br[1], pdf + br[2], br[3]);
		snprintf(path, sizeof(path), "%s/signed.bin", argv[3]);
		spit(path, signed_bytes, br[1] + br[3]);
		if (tok) {
			snprintf(path, sizeof(path), "%s/token.der", argv[3]);
			spit(path, ASN1_STRING_get0_data(tok), (size_t)ASN1_STRING_length(tok));
		}
		free(signed_bytes);
		OPENSSL_free(der);
		CMS_ContentInfo_free(cms);
		free(pdf);
		return 0;
	}
	if (!strcmp(argv[1], "swap-token") && argc == 5) {
		unsigned long long br2[4];
		unsigned char *donor;
		size_t dn, i;
		CMS_ContentInfo *dcms;
		ASN1_STRING *dtok;
		int idx;

		if ((donor = slurp(argv[3], &dn)) == NULL || (dcms = load_cms(donor, dn, br2)) == NULL ||
		    (dtok = token_of(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(dcms), 0))) == NULL) {
			fprintf(stderr, "cms_tool: donor has no token\n");
			return 1;
		}
		idx = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1);
		if (idx >= 0)
			X509_ATTRIBUTE_free(CMS_unsigned_delete_attr(si, idx));
		CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE,
					      ASN1_STRING_get0_data(dtok), ASN1_STRING_length(dtok));
		len = i2d_CMS_ContentInfo(cms, &der);
		if ((unsigned long long)len * 2 > br[2] - br[1] - 2) {
			fprintf(stderr, "cms_tool: forged CMS does not fit\n");
			return 1;
		}
		memset(pdf + br[1] + 1, '0', br[2] - br[1] - 2);
		for (i = 0; i < (size_t)len; i++) {
			char h[3];

			snprintf(h, sizeof(h), "%02X", der[i]);
			memcpy(pdf + br[1] + 1 + 2 * i, h, 2);
		}
		len = spit(argv[4], pdf, n) ? 1 : 0;
		OPENSSL_free(der);
		CMS_ContentInfo_free(cms);
		CMS_ContentInfo_free(dcms);
		free(pdf);
		free(donor);
		return len;
	}
	return 2;
}

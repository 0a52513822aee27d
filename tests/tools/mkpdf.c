/* SPDX-License-Identifier: MIT */
/*
 * mkpdf — test fixture generator: a libharu PDF with N pages and embedded
 * files, optionally with a casefile-manifest/1 manifest.json describing them
 * (the shape the dossier builder writes).
 *
 *   mkpdf OUT.pdf [-n PAGES] [-z] [-m] [FILE...]
 *     -n PAGES  number of pages (default 2)
 *     -z        compress streams (attachments included)
 *     -m        write and attach manifest.json for FILE... (in the cwd)
 * FILEs are attached under their base names; run it in their directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hpdf.h>
#include <openssl/evp.h>

static void
on_error(HPDF_STATUS e, HPDF_STATUS d, void *u)
{
	(void)u;
	fprintf(stderr, "mkpdf: libharu error %04X/%u\n", (unsigned)e, (unsigned)d);
	exit(1);
}

static int
sha256_file(const char *path, char hex[65], long *size)
{
	unsigned char buf[65536], md[32];
	unsigned int len;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rb");
	size_t n;
	int i;

	if (!f)
		return -1;
	*size = 0;
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		EVP_DigestUpdate(c, buf, n);
		*size += (long)n;
	}
	fclose(f);
	EVP_DigestFinal_ex(c, md, &len);
	EVP_MD_CTX_free(c);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
	return 0;
}

int
main(int argc, char **argv)
{
	int pages = 2, manifest = 0, compress = 0, c, i;
	HPDF_Doc pdf;
	HPDF_Font font;

	while ((c = getopt(argc, argv, "n:mz")) != -1) {
		if (c == 'n')
			pages = atoi(optarg);
		else if (c == 'm')
			manifest = 1;
		else if (c == 'z')
			compress = 1;
		else
			return 2;
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: mkpdf OUT.pdf [-n PAGES] [-z] [-m] [FILE...]\n");
		return 2;
	}
	pdf = HPDF_New(on_error, NULL);
	if (compress)
		HPDF_SetCompressionMode(pdf, HPDF_COMP_ALL);
	font = HPDF_GetFont(pdf, "Helvetica", NULL);
	for (i = 0; i < pages; i++) {
		HPDF_Page p = HPDF_AddPage(pdf);
		char line[64];

		HPDF_Page_SetSize(p, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
		HPDF_Page_BeginText(p);
		HPDF_Page_SetFontAndSize(p, font, 14);
		snprintf(line, sizeof(line), "casefile test dossier, page %d", i + 1);
		HPDF_Page_TextOut(p, 60, 760, line);
		HPDF_Page_EndText(p);
	}
	for (i = optind + 1; i < argc; i++)
		HPDF_AttachFile(pdf, argv[i]);
	if (manifest) {
		FILE *m = fopen("manifest.json", "w");

		fprintf(m, "{\"format\":\"casefile-manifest/1\",\"dossier_id\":\"D-TEST\","
			   "\"order_id\":\"6931000000000001\",\"generated_at\":\"2025-05-04T00:00:00Z\","
			   "\"exhibits\":[");
		for (i = optind + 1; i < argc; i++) {
			char hex[65];
			long size;

			if (sha256_file(argv[i], hex, &size) < 0) {
				fprintf(stderr, "mkpdf: cannot read '%s'\n", argv[i]);
				return 1;
			}
			fprintf(m, "%s{\"no\":%d,\"kind\":\"other\",\"name\":\"%s\",\"attachment\":\"%s\","
				   "\"sha256\":\"%s\",\"size\":%ld,\"ingested_at\":\"2025-05-03T00:00:00Z\","
				   "\"evidence_id\":%d}",
				i > optind + 1 ? "," : "", i - optind, argv[i], argv[i], hex, size, i - optind);
		}
		fprintf(m, "]}\n");
		fclose(m);
		HPDF_AttachFile(pdf, "manifest.json");
	}
	if (HPDF_SaveToFile(pdf, argv[optind]) != HPDF_OK)
		return 1;
	HPDF_Free(pdf);
	return 0;
}

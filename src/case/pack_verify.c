/* SPDX-License-Identifier: MIT */
/*
 * pack_verify — `casefile verify KIT`: read the kit (folder or zip, with
 * libarchive), and for each card check its bytes against kit.json, that
 * the vault records it as derived evidence with the same spec, that its
 * originals are in the vault unchanged, and that rendering the spec again
 * gives the same bytes; then the statement against the profile.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "casefile/buf.h"
#include "casefile/db.h"
#include "casefile/db_stmt.h"
#include "casefile/hash.h"
#include "casefile/pack.h"
#include "casefile/tmpdir.h"
#include "casefile/pdf.h"
#include "casefile/vault.h"
#include "casefile/verify.h"
#include "casefile/xalloc.h"

#define KIT_MAX_ENTRY (64u * 1024 * 1024)
#define KIT_MAX_ENTRIES 64

struct kitfile {
	char *name;
	unsigned char *data;
	size_t len;
};

struct kit {
	struct kitfile *v;
	size_t n;
};

static void
kit_release(struct kit *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		free(k->v[i].name);
		free(k->v[i].data);
	}
	free(k->v);
	k->v = NULL;
	k->n = 0;
}

static const struct kitfile *
kit_get(const struct kit *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->v[i].name, name) == 0)
			return &k->v[i];
	return NULL;
}

static void
kit_add(struct kit *k, const char *name, unsigned char *data, size_t len)
{
	k->v = xreallocarray(k->v, k->n + 1, sizeof(*k->v));
	k->v[k->n].name = xstrdup(name);
	k->v[k->n].data = data;
	k->v[k->n].len = len;
	k->n++;
}

static int
kit_read_zip(const char *path, struct kit *k, struct cf_err *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r, ret = -1;

	archive_read_support_format_zip(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		cf_err_set(err, CF_EINPUT, "cannot read kit '%s': %s", path,
			   archive_error_string(a));
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		la_int64_t sz = archive_entry_size(e);
		unsigned char *buf;
		la_ssize_t got;

		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (k->n >= KIT_MAX_ENTRIES || sz < 0 || (uint64_t)sz > KIT_MAX_ENTRY) {
			cf_err_set(err, CF_EINPUT, "kit '%s': entry '%s' too large or too many "
				   "entries", path, name ? name : "?");
			goto out;
		}
		buf = xmalloc((size_t)sz + 1);
		got = sz > 0 ? archive_read_data(a, buf, (size_t)sz) : 0;
		if (got != sz) {
			free(buf);
			cf_err_set(err, CF_EINPUT, "kit '%s': entry '%s': %s", path, name,
				   got < 0 ? archive_error_string(a) : "truncated");
			goto out;
		}
		buf[sz] = '\0';
		kit_add(k, name, buf, (size_t)sz);
	}
	if (r != ARCHIVE_EOF) {
		cf_err_set(err, CF_EINPUT, "cannot read kit '%s': %s", path, archive_error_string(a));
		goto out;
	}
	ret = 0;
out:
	archive_read_free(a);
	if (ret < 0)
		kit_release(k);
	return ret;
}

static int
kit_read_file(const char *dir, const char *name, struct kit *k, struct cf_err *err)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct cf_buf b = CF_BUF_INIT;
	int r;

	r = cf_buf_read_file(&b, p, "kit file", KIT_MAX_ENTRY, CF_EINPUT, err);
	free(p);
	if (r < 0)
		return -1;
	cf_buf_addch(&b, '\0');
	b.len--;
	{
		size_t len = b.len;
		char *d = cf_buf_detach(&b, NULL);

		kit_add(k, name, (unsigned char *)d, len);
	}
	return 0;
}

static void
check(struct pack_verify_report *rep, const char *what, int ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
check(struct pack_verify_report *rep, const char *what, int ok, const char *fmt, ...)
{
	va_list ap;

	rep->v = xreallocarray(rep->v, rep->n + 1, sizeof(*rep->v));
	rep->v[rep->n].what = xstrdup(what);
	rep->v[rep->n].ok = ok;
	va_start(ap, fmt);
	rep->v[rep->n].detail = xvasprintf(fmt, ap);
	va_end(ap);
	rep->n++;
	if (!ok)
		rep->nfailed++;
}

void
pack_verify_report_release(struct pack_verify_report *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->n; i++) {
		free(rep->v[i].what);
		free(rep->v[i].detail);
	}
	free(rep->v);
	memset(rep, 0, sizeof(*rep));
}

struct vlocate {
	struct vault *v;
	const char *problem;
};

/* SHA-256 of the file at path, streamed (a video is never read whole). */
static int
hash_file(const char *path, unsigned char out[CF_SHA256_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char buf[65536];
	ssize_t n;
	int fd, ok = 0;

	if (md == NULL || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		EVP_MD_CTX_free(md);
		return -1;
	}
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			EVP_DigestUpdate(md, buf, (size_t)n);
		ok = n == 0 && EVP_DigestFinal_ex(md, out, NULL) == 1;
	}
	close(fd);
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

/* The original by hash, only when the stored bytes still hash to it. */
static char *
locate_checked(void *cookie, const char *hex)
{
	struct vlocate *c = cookie;
	unsigned char want[CF_SHA256_LEN], got[CF_SHA256_LEN];
	char *p;

	if (cf_hex_decode(hex, strlen(hex), want, sizeof(want)) < 0)
		return NULL;
	p = vault_object_path(c->v, want);
	if (hash_file(p, got) < 0) {
		free(p);
		c->problem = "missing from the vault";
		return NULL;
	}
	if (memcmp(want, got, sizeof(want)) != 0) {
		free(p);
		c->problem = "changed in the vault";
		return NULL;
	}
	return p;
}

/*
 * Originals from a signed dossier (--dossier): verify_file() checks the
 * dossier itself (signature, manifest, every attachment's SHA-256), and its
 * hook writes each original a card names (by SHA-256, through the
 * manifest) into a private temporary folder, hashing as it writes; cards
 * are then re-derived from those files.  Nothing is read whole: a 500 MB
 * video streams from the PDF to the file.
 */
struct dsource {
	const char *pdf;		/* the dossier's path */
	char *tmpdir;			/* mkdtemp'd; files named by hex SHA-256 */
	json_t *want;			/* hex -> 1: the originals the cards name */
	json_t *manifest;		/* the dossier's manifest.json, or NULL */
	json_t *have;			/* hex -> {"no", "name", "path" | "problem"} */
	char *id;			/* manifest dossier_id */
};

/* 64 lowercase hex digits. */
static int
hex_ok(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != CF_SHA256_HEXLEN)
		return 0;
	for (i = 0; i < CF_SHA256_HEXLEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static const json_t *
manifest_entry(const struct dsource *ds, const char *hex)
{
	const json_t *x;
	size_t i;

	json_array_foreach(json_object_get(ds->manifest, "exhibits"), i, x)
		if (json_string_value(json_object_get(x, "sha256")) &&
		    strcmp(json_string_value(json_object_get(x, "sha256")), hex) == 0)
			return x;
	return NULL;
}

static void
dossier_hook(struct verify_doc *d, const struct verify_opts *o, struct verify_report *r)
{
	struct dsource *ds = o->hook_cookie;
	struct cf_buf mb = CF_BUF_INIT;
	struct cf_err e = CF_ERR_INIT;
	const char *hex;
	json_t *one;

	(void)r;
	if (verify_doc_attachment(d, "manifest.json", KIT_MAX_ENTRY, &mb, &e) < 0 ||
	    (ds->manifest = json_loadb(mb.data ? mb.data : "", mb.len, 0, NULL)) == NULL) {
		cf_err_release(&e);
		cf_buf_release(&mb);
		return;
	}
	cf_buf_release(&mb);
	if (json_string_value(json_object_get(ds->manifest, "dossier_id")))
		ds->id = xstrdup(json_string_value(json_object_get(ds->manifest, "dossier_id")));
	json_object_foreach(ds->want, hex, one) {
		const json_t *x = manifest_entry(ds, hex);
		const char *att = x ? json_string_value(json_object_get(x, "attachment")) : NULL;
		json_t *h = json_object();
		unsigned char got[CF_SHA256_LEN];
		char gothex[CF_SHA256_HEXLEN + 1], *path;
		uint64_t size = 0;
		int fd;

		(void)one;
		json_object_set_new(ds->have, hex, h);
		if (x == NULL) {
			json_object_set_new(h, "problem", json_string("is not an exhibit of the dossier"));
			continue;
		}
		json_object_set(h, "no", json_object_get(x, "no"));
		json_object_set(h, "name", json_object_get(x, "name"));
		if (att == NULL) {
			json_object_set_new(h, "problem", json_string(
				"is listed in the dossier but not attached (built with "
				"--no-attach-media?)"));
			continue;
		}
		path = xasprintf("%s/%s", ds->tmpdir, hex);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || verify_doc_attachment_write(d, att, fd, got, &size, &e) < 0) {
			char *m = xasprintf("cannot be read from the dossier: %s",
					    e.msg ? e.msg : strerror(errno));

			json_object_set_new(h, "problem", json_string(m));
			free(m);
			cf_err_release(&e);
		} else {
			cf_hex_encode(got, CF_SHA256_LEN, gothex);
			if (strcmp(gothex, hex) != 0)
				json_object_set_new(h, "problem", json_string(
					"is attached to the dossier changed (another SHA-256)"));
			else
				json_object_set_new(h, "path", json_string(path));
		}
		if (fd >= 0)
			close(fd);
		free(path);
	}
}

static char *
locate_dossier(void *cookie, const char *hex)
{
	struct dsource *ds = cookie;
	const char *p = json_string_value(json_object_get(json_object_get(ds->have, hex), "path"));

	return p ? xstrdup(p) : NULL;
}

static void
dsource_release(struct dsource *ds)
{
	const char *hex;
	json_t *h;

	/* every file the hook may have begun, written whole or not */
	json_object_foreach(ds->want, hex, h) {
		char *p;

		if (ds->tmpdir == NULL)
			break;
		p = xasprintf("%s/%s", ds->tmpdir, hex);
		unlink(p);
		free(p);
	}
	if (ds->tmpdir)
		rmdir(ds->tmpdir);
	free(ds->tmpdir);
	free(ds->id);
	json_decref(ds->want);
	json_decref(ds->manifest);
	json_decref(ds->have);
}

/*
 * Check the dossier (one line, its failed checks named) and make its
 * originals available for the cards.  0, or -1 (system error).
 */
static int
dossier_open(struct dsource *ds, const json_t *imgs, struct pack_verify_report *rep,
	     struct cf_err *err)
{
	static const verify_hook_fn hooks[] = { dossier_hook, NULL };
	struct verify_opts vo;
	struct verify_report vr;
	const json_t *im, *src;
	size_t i, k;
	char *what = xasprintf("dossier %s", ds->pdf);

	ds->want = json_object();
	ds->have = json_object();
	/* only well-formed hashes: each names a file in the temporary folder */
	json_array_foreach(imgs, i, im)
		json_array_foreach(json_object_get(json_object_get(im, "spec"), "sources"), k, src)
			if (hex_ok(json_string_value(json_object_get(src, "sha256"))))
				json_object_set_new(ds->want, json_string_value(
					json_object_get(src, "sha256")), json_true());
	ds->tmpdir = xasprintf("%s/casefile-kit-XXXXXX", cf_tmpdir());
	if (mkdtemp(ds->tmpdir) == NULL) {
		cf_err_errno(err, CF_EIO, "cannot make a temporary folder '%s'", ds->tmpdir);
		free(ds->tmpdir);
		ds->tmpdir = NULL;
		free(what);
		return -1;
	}
	memset(&vo, 0, sizeof(vo));
	vo.now = time(NULL);
	vo.hooks = hooks;
	vo.hook_cookie = ds;
	verify_report_init(&vr);
	if (verify_file(ds->pdf, &vo, &vr, err) < 0) {
		verify_report_release(&vr);
		free(what);
		return -1;
	}
	if (verify_report_ok(&vr) && ds->manifest != NULL) {
		check(rep, what, 1, "signed dossier %s: %zu checks passed (signature, manifest, "
		      "every attachment's SHA-256), %zu warning%s (`casefile verify %s` lists "
		      "them)", ds->id ? ds->id : "?", vr.n - vr.nwarn, vr.nwarn,
		      vr.nwarn == 1 ? "" : "s", ds->pdf);
	} else {
		struct cf_buf b = CF_BUF_INIT;

		for (i = 0; i < vr.n; i++)
			if (vr.v[i].status == VERIFY_FAIL)
				cf_buf_addf(&b, "%s%s: %s", b.len ? "; " : "", vr.v[i].name,
					    vr.v[i].detail);
		check(rep, what, 0, "%s", b.len ? b.data :
		      "not a casefile dossier: it has no manifest.json");
		cf_buf_release(&b);
	}
	verify_report_release(&vr);
	free(what);
	return 0;
}

/* With a dossier: each source of the card is an exhibit of it, attached. */
static int
card_sources_in_dossier(const struct dsource *ds, const json_t *spec, const char *f,
			struct pack_verify_report *rep)
{
	const json_t *src;
	size_t k;

	json_array_foreach(json_object_get(spec, "sources"), k, src) {
		const char *hex = json_string_value(json_object_get(src, "sha256"));
		const json_t *h = json_object_get(ds->have, hex ? hex : "");
		const char *problem = json_string_value(json_object_get(h, "problem"));
		long long no = json_integer_value(json_object_get(src, "exhibit"));
		const char *name = json_string_value(json_object_get(src, "name"));

		if (h == NULL || problem) {
			check(rep, f, 0, "cannot re-derive: the original of exhibit %lld '%s' "
			      "(SHA-256 %.16s…) %s: check the kit against the vault that holds it "
			      "(--vault DIR)", no, name ? name : "?", hex ? hex : "?",
			      problem ? problem : "is not in the dossier");
			return -1;
		}
		if (json_integer_value(json_object_get(h, "no")) != no) {
			check(rep, f, 0, "the card calls '%s' exhibit %lld; in dossier '%s' it is "
			      "exhibit %lld", name ? name : "?", no, ds->pdf,
			      (long long)json_integer_value(json_object_get(h, "no")));
			return -1;
		}
	}
	return 0;
}

int
pack_verify(struct vault *v, const char *path, const char *dossier, const char *font_file,
	    const char *fonts_dir,
	    struct pack_verify_report *rep, struct cf_err *err)
{
	struct dsource ds;
	struct kit k = { NULL, 0 };
	const struct kitfile *kj, *sf;
	const struct pack_profile *prof;
	json_t *kit = NULL, *imgs, *im;
	json_error_t je;
	struct stat sb;
	char *font = NULL;
	size_t i;
	int ret = -1;

	memset(rep, 0, sizeof(*rep));
	memset(&ds, 0, sizeof(ds));
	assert(v != NULL || dossier != NULL);
	if (pack_vips_init(err) < 0)
		return -1;
	if (stat(path, &sb) < 0)
		return cf_err_errno(err, CF_EINPUT, "cannot read kit '%s'", path);
	if (S_ISDIR(sb.st_mode)) {
		if (kit_read_file(path, "kit.json", &k, err) < 0)
			goto out;
	} else if (kit_read_zip(path, &k, err) < 0) {
		goto out;
	}
	if ((kj = kit_get(&k, "kit.json")) == NULL) {
		cf_err_set(err, CF_EINPUT, "'%s' is not a kit: no kit.json", path);
		goto out;
	}
	if ((kit = json_loadb((const char *)kj->data, kj->len, 0, &je)) == NULL ||
	    !json_is_object(kit) ||
	    strcmp(json_string_value(json_object_get(kit, "format")) ?
		   json_string_value(json_object_get(kit, "format")) : "", "casefile-kit/1") != 0) {
		cf_err_set(err, CF_EINPUT, "'%s': kit.json is not a casefile-kit/1 document%s%s",
			   path, kit ? "" : ": ", kit ? "" : je.text);
		goto out;
	}
	prof = pack_profile_find(json_string_value(json_object_get(kit, "platform")));
	if (prof == NULL) {
		cf_err_set(err, CF_EINPUT, "'%s': kit.json names an unknown platform", path);
		goto out;
	}
	imgs = json_object_get(kit, "images");
	if (!json_is_array(imgs)) {
		cf_err_set(err, CF_EINPUT, "'%s': kit.json has no images list", path);
		goto out;
	}
	if (S_ISDIR(sb.st_mode)) {
		json_array_foreach(imgs, i, im) {
			const char *f = json_string_value(json_object_get(im, "file"));

			if (f == NULL || strchr(f, '/') || f[0] == '.') {
				cf_err_set(err, CF_EINPUT, "'%s': kit.json: bad image file name", path);
				goto out;
			}
			if (kit_read_file(path, f, &k, err) < 0) {
				check(rep, f, 0, "%s", err->msg);
				cf_err_release(err);
			}
		}
		if (kit_read_file(path, "statement.txt", &k, err) < 0) {
			check(rep, "statement.txt", 0, "%s", err->msg);
			cf_err_release(err);
		}
	}
	if (font_file)
		font = xstrdup(font_file);
	else if ((font = pdf_font_find(fonts_dir, err)) == NULL)
		goto out;
	if (dossier) {
		const char *kid = json_string_value(json_object_get(kit, "dossier_id"));

		ds.pdf = dossier;
		if (dossier_open(&ds, imgs, rep, err) < 0)
			goto out;
		if (ds.id)
			check(rep, "dossier id", kid && strcmp(kid, ds.id) == 0,
			      kid && strcmp(kid, ds.id) == 0 ? "the kit's cards name dossier %s, "
			      "this one" : "the kit's cards name dossier %s; '%s' is dossier %s "
			      "(built from other exhibits or with --no-attach-media)",
			      kid ? kid : "(none)", dossier, ds.id);
	}
	check(rep, "images", json_array_size(imgs) <= (size_t)prof->max_images,
	      "%zu image%s, platform '%s' takes at most %d", json_array_size(imgs),
	      json_array_size(imgs) == 1 ? "" : "s", prof->name, prof->max_images);
	json_array_foreach(imgs, i, im) {
		const char *f = json_string_value(json_object_get(im, "file"));
		const char *want = json_string_value(json_object_get(im, "sha256"));
		const json_t *spec = json_object_get(im, "spec");
		const struct kitfile *cf;
		unsigned char h[CF_SHA256_LEN];
		char hex[CF_SHA256_HEXLEN + 1], *params = NULL, *stored = NULL;
		unsigned char *re = NULL;
		size_t relen = 0;
		struct cf_err e2 = CF_ERR_INIT;
		struct vlocate vl = { v, NULL };
		struct db_stmt *st = NULL;

		if (f == NULL || want == NULL || !json_is_object(spec)) {
			check(rep, f ? f : "image", 0, "kit.json entry incomplete");
			continue;
		}
		if ((cf = kit_get(&k, f)) == NULL) {
			if (!S_ISDIR(sb.st_mode))
				check(rep, f, 0, "missing from the kit");
			continue;
		}
		cf_sha256(cf->data, cf->len, h);
		cf_hex_encode(h, CF_SHA256_LEN, hex);
		if (strcmp(hex, want) != 0) {
			check(rep, f, 0, "SHA-256 %.16s… is not the %.16s… kit.json records "
			      "(changed after packing)", hex, want);
			continue;
		}
		if (prof->max_image_bytes && cf->len > prof->max_image_bytes) {
			check(rep, f, 0, "%zu bytes, over the platform's %llu", cf->len,
			      (unsigned long long)prof->max_image_bytes);
			continue;
		}
		params = json_dumps(spec, JSON_COMPACT | JSON_SORT_KEYS);
		if (v != NULL) {
			/* recorded in the vault as derived evidence, with this spec */
			if (db_prepare(vault_db(v), "SELECT d.params FROM evidence e JOIN "
				       "derivations d ON d.evidence_id = e.id WHERE e.sha256 = ? "
				       "LIMIT 1", &st, &e2) == 0) {
				db_bind_blob(st, 1, h, CF_SHA256_LEN, DB_STATIC);
				if (db_step(st) == DB_ROW)
					stored = xstrdup((const char *)db_col_text(st, 0));
				db_finalize(st);
			}
			cf_err_release(&e2);
			if (stored == NULL) {
				check(rep, f, 0, "not recorded in the vault as derived evidence");
				goto next;
			}
			if (strcmp(stored, params) != 0) {
				check(rep, f, 0, "kit.json's derivation differs from the vault's record");
				goto next;
			}
		} else if (card_sources_in_dossier(&ds, spec, f, rep) < 0) {
			goto next;
		}
		if (pack_card_render(spec, font, v ? locate_checked : locate_dossier,
				     v ? (void *)&vl : (void *)&ds, &re, &relen, &e2) < 0) {
			check(rep, f, 0, "cannot re-derive: %s%s%s", e2.msg, vl.problem ? ": original " : "",
			      vl.problem ? vl.problem : "");
			cf_err_release(&e2);
			goto next;
		}
		if (relen != cf->len || memcmp(re, cf->data, relen) != 0)
			check(rep, f, 0, "re-derived card differs from the kit's (%zu vs %zu bytes)",
			      relen, cf->len);
		else
			check(rep, f, 1, "re-derived from %zu original%s%s, identical (%.16s…)",
			      json_array_size(json_object_get(spec, "sources")),
			      json_array_size(json_object_get(spec, "sources")) == 1 ? "" : "s",
			      v ? "" : " attached to the dossier", hex);
next:
		free(re);
		free(params);
		free(stored);
	}
	if ((sf = kit_get(&k, "statement.txt")) != NULL) {
		const char *txt = json_string_value(json_object_get(json_object_get(kit, "statement"),
								   "text"));
		char *s = xstrndup((const char *)sf->data, sf->len);
		size_t n = strlen(s), len;

		if (n > 0 && s[n - 1] == '\n')
			s[--n] = '\0';
		len = pack_text_length(prof, s);
		if (txt && strcmp(txt, s) != 0)
			check(rep, "statement.txt", 0, "differs from kit.json's text");
		else if (len > prof->max_text || len < prof->min_text)
			check(rep, "statement.txt", 0, "%zu %s, platform '%s' takes %zu..%zu", len,
			      prof->count == PACK_COUNT_BYTES ? "bytes" : "characters", prof->name,
			      prof->min_text, prof->max_text);
		else
			check(rep, "statement.txt", 1, "%zu %s, within %zu", len,
			      prof->count == PACK_COUNT_BYTES ? "bytes" : "characters",
			      prof->max_text);
		free(s);
	} else if (!S_ISDIR(sb.st_mode)) {
		check(rep, "statement.txt", 0, "missing from the kit");
	}
	ret = 0;
out:
	dsource_release(&ds);
	free(font);
	json_decref(kit);
	kit_release(&k);
	return ret;
}

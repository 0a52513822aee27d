/* SPDX-License-Identifier: MIT */
/*
 * logexport — `log --export` and `log --check` (see logexport.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "casefile/base64.h"
#include "casefile/buf.h"
#include "casefile/checkpoint.h"
#include "casefile/cftime.h"
#include "casefile/jout.h"
#include "casefile/keys.h"
#include "casefile/ledger.h"
#include "casefile/logexport.h"
#include "casefile/seal.h"
#include "casefile/xalloc.h"

static int
put_file(const char *dir, const char *name, const void *data, size_t n, struct cf_err *err)
{
	char *path = xasprintf("%s/%s", dir, name);
	const char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	int ret = -1;

	if (fd < 0) {
		cf_err_errno(err, CF_EIO, "cannot create '%s'", path);
		goto out;
	}
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			cf_err_errno(err, CF_EIO, "cannot write '%s'", path);
			goto out;
		}
		p += w;
		n -= (size_t)w;
	}
	if (fsync(fd) < 0) {
		cf_err_errno(err, CF_EIO, "cannot write '%s'", path);
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

/* dir absent (made now) or empty; 0 or -1. */
static int
make_dir(const char *dir, struct cf_err *err)
{
	DIR *d;
	struct dirent *e;

	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno != EEXIST)
		return cf_err_errno(err, CF_EIO, "cannot create '%s'", dir);
	if ((d = opendir(dir)) == NULL)
		return cf_err_errno(err, CF_EINPUT, "'%s' exists and is not a folder", dir);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			closedir(d);
			return cf_err_set(err, CF_EINPUT, "'%s' is not empty: export into a new "
					  "folder", dir);
		}
	closedir(d);
	return 0;
}

static json_t *
hex_json(const unsigned char *h)
{
	char hex[CF_SHA256_HEXLEN + 1];

	cf_hex_encode(h, CF_SHA256_LEN, hex);
	return json_string(hex);
}

/* A consistency proof, RFC 9162 section 2.1.4, as its own file. */
static json_t *
proof_json(uint64_t s1, const unsigned char *r1, uint64_t s2, const unsigned char *r2,
	   const unsigned char (*p)[CF_SHA256_LEN], size_t n)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(list, hex_json(p[i]));
	return json_pack("{s:I,s:o,s:I,s:o,s:o}", "size1", JI(s1), "root1", hex_json(r1),
			 "size2", JI(s2), "root2", hex_json(r2), "proof", list);
}

/* A timestamp token: its TSA (null when not recorded) and the DER, base64. */
static json_t *
token_json(const char *url, const unsigned char *tst, size_t len)
{
	struct cf_buf b = CF_BUF_INIT;
	json_t *o;

	base64_encode(tst, len, &b);
	o = json_pack("{s:o,s:o}", "tsa_url", url ? jout_str(url) : json_null(), "token",
		      jout_strn(b.data, b.len));
	cf_buf_release(&b);
	return o;
}

/* Write v as one line of JSON; v is consumed. */
static int
put_json(const char *dir, const char *name, json_t *v, struct cf_err *err)
{
	char *t = jout_dumps(v);
	struct cf_buf b = CF_BUF_INIT;
	int r;

	cf_buf_addstr(&b, t);
	cf_buf_addch(&b, '\n');
	r = put_file(dir, name, b.data, b.len, err);
	cf_buf_release(&b);
	free(t);	/* jout_dumps took v */
	return r;
}

/* The certificate (and chain) as PEM, the key as PEM and the verifier line. */
static int
export_keys(const char *vault_dir, const char *dir, const char *origin, struct cf_err *err)
{
	X509 *cert = NULL;
	BIO *bio = NULL;
	BUF_MEM *mem;
	char *src = xasprintf("%s/keys/cert.pem", vault_dir), *vk = NULL, *data = NULL;
	size_t len = 0;
	FILE *f = NULL;
	int ret = -1;

	if (keys_load_cert(vault_dir, &cert, err) < 0)
		goto out;
	/* cert.pem as the vault keeps it: the certificate, then its chain */
	if ((f = fopen(src, "rb")) != NULL) {
		struct cf_buf b = CF_BUF_INIT;
		char chunk[4096];
		size_t r;

		while ((r = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < (1u << 20))
			cf_buf_add(&b, chunk, r);
		fclose(f);
		data = cf_buf_detach(&b, &len);
	}
	if (data == NULL || strstr(data, "-----BEGIN CERTIFICATE-----") == NULL) {
		free(data);
		bio = BIO_new(BIO_s_mem());
		if (bio == NULL || PEM_write_bio_X509(bio, cert) != 1) {
			cf_err_ssl(err, "cannot write the certificate");
			goto out;
		}
		BIO_get_mem_ptr(bio, &mem);
		data = xmemdup(mem->data, mem->length);
		len = mem->length;
		BIO_free(bio);
	}
	if (put_file(dir, "cert.pem", data, len, err) < 0)
		goto out;
	if ((bio = BIO_new(BIO_s_mem())) == NULL ||
	    PEM_write_bio_PUBKEY(bio, X509_get0_pubkey(cert)) != 1) {
		cf_err_ssl(err, "cannot write the public key");
		goto out;
	}
	BIO_get_mem_ptr(bio, &mem);
	if (put_file(dir, "pubkey.pem", mem->data, mem->length, err) < 0 ||
	    checkpoint_verifier_key(origin, X509_get0_pubkey(cert), &vk, err) < 0)
		goto out;
	{
		char *line = xasprintf("%s\n", vk);

		ret = put_file(dir, "verifier-key.txt", line, strlen(line), err);
		free(line);
	}
out:
	BIO_free(bio);
	X509_free(cert);
	free(vk);
	free(data);
	free(src);
	return ret;
}

static json_t *
head_json(const struct seal_head *h, size_t number)
{
	char when[32];
	json_t *tokens = json_array();
	size_t i;

	if (h->tst) {
		json_array_append_new(tokens, token_json(h->tsa_url, h->tst, h->tst_len));
		for (i = 0; i < h->nextra; i++)
			json_array_append_new(tokens, token_json(h->extra[i].tsa_url, h->extra[i].tst,
								 h->extra[i].len));
	}
	return json_pack("{s:I,s:I,s:o,s:s,s:I,s:o,s:o}", "number", JI(number), "tree_size",
			 JI(h->tree_size), "root_hash", hex_json(h->root), "created_at",
			 cftime_format_iso(h->created_at, when, sizeof(when)), "prev_size",
			 JI(h->prev_size), "checkpoint", jout_strn(h->checkpoint, h->checkpoint_len),
			 "tokens", tokens);
}

int
log_export(struct cf_db *db, const char *vault_dir, const char *dir,
	   struct log_export_stats *st, struct cf_err *err)
{
	struct seal_head *heads = NULL;
	json_t *list = json_array();
	char *sub = NULL, *name = NULL, *origin = NULL;
	size_t n = 0, i, j;
	int ret = -1;

	memset(st, 0, sizeof(*st));
	if (seal_heads(db, &heads, &n, err) < 0 || seal_origin(db, &origin, err) < 0)
		goto out;
	if (n == 0) {
		cf_err_set(err, CF_ENOTFOUND, "nothing sealed yet: run 'casefile seal' first");
		goto out;
	}
	/* every stored consistency proof must hold before anything is written */
	for (i = 1; i < n; i++)
		if (heads[i].prev_size != heads[i - 1].tree_size ||
		    ledger_verify_consistency(heads[i - 1].tree_size, heads[i].tree_size,
					      heads[i - 1].root, heads[i].root,
					      (const unsigned char (*)[CF_SHA256_LEN])heads[i].consistency,
					      heads[i].nconsistency, err) < 0) {
			if (err)
				err->code = CF_EVERIFY;
			cf_err_prefix(err, "tree head %llu does not extend head %llu: run 'casefile "
				      "audit'", (unsigned long long)heads[i].tree_size,
				      (unsigned long long)heads[i - 1].tree_size);
			goto out;
		}
	if (make_dir(dir, err) < 0)
		goto out;
	sub = xasprintf("%s/checkpoints", dir);
	if (mkdir(sub, 0755) < 0) {
		cf_err_errno(err, CF_EIO, "cannot create '%s'", sub);
		goto out;
	}
	free(sub);
	sub = xasprintf("%s/consistency", dir);
	if (mkdir(sub, 0755) < 0) {
		cf_err_errno(err, CF_EIO, "cannot create '%s'", sub);
		goto out;
	}
	free(sub);
	sub = xasprintf("%s/checkpoints", dir);
	for (i = 0; i < n; i++) {
		struct seal_head *h = &heads[i];

		if (seal_head_tokens(db, h, err) < 0)
			goto out;
		free(name);
		name = xasprintf("%08zu.txt", i + 1);
		if (put_file(sub, name, h->checkpoint, h->checkpoint_len, err) < 0)
			goto out;
		if (h->tst) {
			free(name);
			name = xasprintf("%08zu.tsr", i + 1);
			if (put_file(sub, name, h->tst, h->tst_len, err) < 0)
				goto out;
			st->tokens++;
			for (j = 0; j < h->nextra; j++) {
				free(name);
				name = xasprintf("%08zu.%zu.tsr", i + 1, j + 2);
				if (put_file(sub, name, h->extra[j].tst, h->extra[j].len, err) < 0)
					goto out;
				st->tokens++;
			}
		}
		if (i > 0) {
			char *cdir = xasprintf("%s/consistency", dir);
			int r;

			free(name);
			name = xasprintf("%08zu-%08zu.json", i, i + 1);
			r = put_json(cdir, name,
				     proof_json(heads[i - 1].tree_size, heads[i - 1].root,
						h->tree_size, h->root,
						(const unsigned char (*)[CF_SHA256_LEN])h->consistency,
						h->nconsistency), err);
			free(cdir);
			if (r < 0)
				goto out;
			st->proofs++;
		}
		json_array_append_new(list, head_json(h, i + 1));
	}
	if (put_json(dir, "heads.json",
		     json_pack("{s:o,s:O}", "origin", jout_str(origin), "heads", list), err) < 0 ||
	    export_keys(vault_dir, dir, origin, err) < 0)
		goto out;
	st->heads = n;
	ret = 0;
out:
	seal_heads_free(heads, n);
	json_decref(list);
	free(sub);
	free(name);
	free(origin);
	return ret;
}

void
log_check_result_release(struct log_check_result *r)
{
	if (r == NULL)
		return;
	free(r->proof);
	memset(r, 0, sizeof(*r));
}

int
log_check(struct cf_db *db, const char *vault_dir, const char *note, size_t len,
	  struct log_check_result *r, struct cf_err *err)
{
	struct checkpoint cp;
	struct seal_head last;
	unsigned char now_root[CF_SHA256_LEN];
	X509 *cert = NULL;
	char *origin = NULL;
	int found = 0, ret = -1;

	memset(r, 0, sizeof(*r));
	memset(&last, 0, sizeof(last));
	checkpoint_init(&cp);
	if (checkpoint_parse(note, len, &cp, err) < 0) {
		cf_err_prefix(err, "not a checkpoint");
		goto out;
	}
	if (seal_origin(db, &origin, err) < 0 || keys_load_cert(vault_dir, &cert, err) < 0)
		goto out;
	if (strcmp(cp.origin, origin) != 0) {
		cf_err_set(err, CF_EVERIFY, "the checkpoint is of another log ('%s'; this vault "
			   "is '%s')", cp.origin, origin);
		goto out;
	}
	if (checkpoint_verify(&cp, note, len, X509_get0_pubkey(cert), err) < 0) {
		cf_err_prefix(err, "the checkpoint is not signed by this vault's key");
		goto out;
	}
	if (seal_head_find(db, 0, &last, &found, err) < 0)
		goto out;
	if (!found) {
		cf_err_set(err, CF_ENOTFOUND, "nothing sealed yet");
		goto out;
	}
	r->old_size = cp.size;
	memcpy(r->old_root, cp.root, CF_SHA256_LEN);
	r->head_size = last.tree_size;
	memcpy(r->head_root, last.root, CF_SHA256_LEN);
	if (cp.size > last.tree_size) {
		cf_err_set(err, CF_EVERIFY, "the checkpoint has %llu leaves, the latest tree head "
			   "only %llu: the log was cut back (run 'casefile audit')",
			   (unsigned long long)cp.size, (unsigned long long)last.tree_size);
		goto out;
	}
	/* the ledger must still hold the latest head's tree ... */
	if (ledger_root(db, last.tree_size, now_root, err) < 0)
		goto out;
	if (memcmp(now_root, last.root, CF_SHA256_LEN) != 0) {
		cf_err_set(err, CF_EVERIFY, "the ledger no longer matches tree head %llu: run "
			   "'casefile audit'", (unsigned long long)last.tree_size);
		goto out;
	}
	/* ... and that tree extends the old one */
	if (cp.size > 0 &&
	    ledger_consistency_proof(db, cp.size, last.tree_size, &r->proof, &r->nproof, err) < 0)
		goto out;
	if (ledger_verify_consistency(cp.size, last.tree_size, cp.root, last.root,
				      (const unsigned char (*)[CF_SHA256_LEN])r->proof, r->nproof,
				      err) < 0) {
		if (err)
			err->code = CF_EVERIFY;
		cf_err_prefix(err, "the log does not extend the checkpoint of %llu leaves: its "
			      "history was rewritten", (unsigned long long)cp.size);
		goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		log_check_result_release(r);
	checkpoint_release(&cp);
	seal_head_release(&last);
	X509_free(cert);
	free(origin);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * rederive — re-parse a sealed original and compare with its stored rows
 * (contract in rederive.h).
 *
 * How: the parsed tables' CREATE statements are copied from the vault's
 * sqlite_master into a private ":memory:" connection (so a column added by
 * a later migration is compared too); parsed_store() — the very function
 * ingest uses — writes the re-parse there under the same evidence id, and
 * the warnings go in as ingest writes them.  Then each table is read on
 * both connections with the same "SELECT * … ORDER BY seq" and compared in
 * step.  The in-memory tables are emptied before each item.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "casefile/buf.h"
#include "casefile/db.h"
#include "casefile/dispute.h"
#include "casefile/ingest.h"
#include "casefile/ledger.h"
#include "casefile/parse.h"
#include "casefile/rederive.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

/* The tables a parse fills (parsed_store, plus ingest's warnings). */
static const struct {
	const char *name;
	int has_seq;
} tables[] = {
	{ "order_records", 0 },
	{ "order_items", 1 },
	{ "messages", 1 },
	{ "logistics", 0 },
	{ "logistics_events", 1 },
	{ "media", 0 },
	{ "warnings", 1 },
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

struct rederive {
	struct vault *v;
	sqlite3 *db, *mem;
	sqlite3_stmt *row;		/* the evidence row and its leaf index */
	sqlite3_stmt *sel[NTABLES];	/* on db */
	sqlite3_stmt *msel[NTABLES];	/* on mem */
	sqlite3_stmt *mdel[NTABLES];	/* on mem */
	sqlite3_stmt *mwarn;		/* on mem */
	struct parsed_writer *pw;	/* on mem */
	struct cf_buf data;		/* the object's first INGEST_KEEP_MAX bytes */
	char *subject, *detail;		/* of the last check's finding */
};

void
rederive_close(struct rederive *r)
{
	size_t i;

	if (r == NULL)
		return;
	sqlite3_finalize(r->row);
	for (i = 0; i < NTABLES; i++) {
		sqlite3_finalize(r->sel[i]);
		sqlite3_finalize(r->msel[i]);
		sqlite3_finalize(r->mdel[i]);
	}
	sqlite3_finalize(r->mwarn);
	parsed_writer_free(r->pw);
	if (r->mem)
		sqlite3_close(r->mem);
	cf_buf_release(&r->data);
	free(r->subject);
	free(r->detail);
	free(r);
}

/* Copy table name's CREATE statement from db to mem. */
static int
copy_table(sqlite3 *db, sqlite3 *mem, const char *name, struct cf_err *err)
{
	sqlite3_stmt *st = NULL;
	int ret = -1;

	if (db_prepare(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
		       &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		cf_err_set(err, CF_EDB, "the vault has no table '%s'", name);
		goto out;
	}
	if (db_exec(mem, (const char *)sqlite3_column_text(st, 0), err) < 0)
		goto out;
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

int
rederive_open(struct vault *v, struct rederive **out, struct cf_err *err)
{
	struct rederive *r = xcalloc(1, sizeof(*r));
	size_t i;

	r->v = v;
	r->db = vault_db(v);
	cf_buf_init(&r->data);
	if (sqlite3_open_v2(":memory:", &r->mem, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		db_err(r->mem, err, "cannot open an in-memory database");
		goto fail;
	}
	/* The rows reference evidence(id), which the copy does not have. */
	if (db_exec(r->mem, "PRAGMA foreign_keys = OFF", err) < 0 ||
	    db_prepare(r->db, "SELECT leaf_index, " LEDGER_EVIDENCE_COLUMNS
		       " FROM evidence WHERE id = ?", &r->row, err) < 0)
		goto fail;
	for (i = 0; i < NTABLES; i++) {
		char *sel = xasprintf("SELECT * FROM %s WHERE evidence_id = ?%s", tables[i].name,
				      tables[i].has_seq ? " ORDER BY seq" : "");
		char *del = xasprintf("DELETE FROM %s", tables[i].name);
		int r1 = copy_table(r->db, r->mem, tables[i].name, err) < 0 ||
			 db_prepare(r->db, sel, &r->sel[i], err) < 0 ||
			 db_prepare(r->mem, sel, &r->msel[i], err) < 0 ||
			 db_prepare(r->mem, del, &r->mdel[i], err) < 0;

		free(sel);
		free(del);
		if (r1)
			goto fail;
	}
	if (db_prepare(r->mem, "INSERT INTO warnings(evidence_id, seq, message) VALUES(?, ?, ?)",
		       &r->mwarn, err) < 0)
		goto fail;
	r->pw = parsed_writer_new(r->mem);
	*out = r;
	return 0;
fail:
	rederive_close(r);
	return -1;
}

static int
step_done(sqlite3 *db, sqlite3_stmt *st, struct cf_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(db, err, "re-parse");
	return 0;
}

/*
 * Read the object of leaf into r->data (its first INGEST_KEEP_MAX bytes)
 * and open it as *fd.  0; 1 with err set when the object is missing,
 * unreadable or no longer its recorded size or hash; -1 on failure.
 */
static int
load_object(struct rederive *r, const struct ledger_leaf *leaf, int *fd, int *complete,
	    struct cf_err *err)
{
	unsigned char got[CF_SHA256_LEN];
	unsigned int len = CF_SHA256_LEN;
	struct stat sb;
	size_t want;

	cf_buf_reset(&r->data);
	if (vault_object_open(r->v, leaf->sha256, fd, err) < 0)
		return 1;
	if (fstat(*fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size != leaf->size) {
		cf_err_set(err, CF_EVERIFY, "its object is not the %llu bytes it was",
			   (unsigned long long)leaf->size);
		return 1;
	}
	want = leaf->size < INGEST_KEEP_MAX ? (size_t)leaf->size : INGEST_KEEP_MAX;
	cf_buf_grow(&r->data, want + 1);
	while (r->data.len < want) {
		ssize_t n = pread(*fd, r->data.data + r->data.len, want - r->data.len,
				  (off_t)r->data.len);

		if (n <= 0) {
			cf_err_errno(err, CF_EIO, "cannot read its object");
			return 1;
		}
		r->data.len += (size_t)n;
	}
	*complete = leaf->size <= INGEST_KEEP_MAX;
	/* A whole small original is hashed: rows are compared with the sealed bytes only. */
	if (*complete) {
		if (!EVP_Digest(r->data.data, r->data.len, got, &len, EVP_sha256(), NULL))
			CF_BUG("SHA-256 failed");
		if (memcmp(got, leaf->sha256, CF_SHA256_LEN) != 0) {
			cf_err_set(err, CF_EVERIFY, "its object no longer hashes to its name");
			return 1;
		}
	}
	return 0;
}

/* Parse the loaded object (forced: -1 sniff, else a kind) into the in-memory tables. */
static int
derive(struct rederive *r, const struct ledger_leaf *leaf, int64_t id, int fd, int complete,
       int forced, enum cf_kind *kind, struct cf_err *err)
{
	struct parsed *p = NULL;
	char *note = NULL;
	size_t i;
	int seq = 0, ret = -1;

	for (i = 0; i < NTABLES; i++)
		if (step_done(r->mem, r->mdel[i], err) < 0)
			return -1;
	if (parse_evidence(r->data.data, r->data.len, complete, leaf->size, fd, leaf->name,
			   forced, &p, err) < 0)
		return -1;
	*kind = parsed_kind(p);
	if (parsed_writer_store(r->pw, p, id, err) < 0)
		goto out;
	/* The warnings exactly as ingest records them (ingest.c record_item). */
	for (i = 0; i <= parsed_warning_count(p); i++) {
		const char *msg = i < parsed_warning_count(p) ? parsed_warning(p, i)
							      : (note = ingest_order_note(p, leaf->order_id));

		if (msg == NULL)
			break;
		sqlite3_bind_int64(r->mwarn, 1, id);
		sqlite3_bind_int(r->mwarn, 2, seq++);
		sqlite3_bind_text(r->mwarn, 3, msg, -1, SQLITE_STATIC);
		if (step_done(r->mem, r->mwarn, err) < 0)
			goto out;
	}
	ret = 0;
out:
	free(note);
	parsed_free(p);
	return ret;
}

static int
same_value(sqlite3_stmt *a, sqlite3_stmt *b, int i)
{
	int t = sqlite3_column_type(a, i);

	if (t != sqlite3_column_type(b, i))
		return 0;
	switch (t) {
	case SQLITE_NULL:
		return 1;
	case SQLITE_INTEGER:
		return sqlite3_column_int64(a, i) == sqlite3_column_int64(b, i);
	case SQLITE_FLOAT:
		return sqlite3_column_double(a, i) == sqlite3_column_double(b, i);
	default: {
		const void *pa = sqlite3_column_blob(a, i), *pb = sqlite3_column_blob(b, i);
		int na = sqlite3_column_bytes(a, i), nb = sqlite3_column_bytes(b, i);

		return na == nb && (na == 0 || memcmp(pa, pb, (size_t)na) == 0);
	}
	}
}

/* "messages seq 3" or "media". */
static char *
row_name(size_t t, sqlite3_stmt *st)
{
	if (!tables[t].has_seq)
		return xstrdup(tables[t].name);
	return xasprintf("%s seq %lld", tables[t].name, (long long)sqlite3_column_int64(st, 1));
}

/* Compare table t for evidence id: NULL when equal, else what differs. */
static char *
compare_table(struct rederive *r, size_t t, int64_t id, struct cf_err *err, int *failed)
{
	sqlite3_stmt *s = r->sel[t], *m = r->msel[t];
	char *diff = NULL;
	int rs, rm, i;

	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(m, 1, id);
	rs = sqlite3_step(s);
	rm = sqlite3_step(m);
	while (diff == NULL && rs == SQLITE_ROW && rm == SQLITE_ROW) {
		long long ks = tables[t].has_seq ? sqlite3_column_int64(s, 1) : 0;
		long long km = tables[t].has_seq ? sqlite3_column_int64(m, 1) : 0;
		char *what;

		if (ks != km) {
			what = row_name(t, ks < km ? s : m);
			diff = xasprintf(ks < km ? "%s: row not in the sealed original (added?)"
						 : "%s: row of the sealed original is missing (deleted?)",
					 what);
			free(what);
			break;
		}
		for (i = 0; i < sqlite3_column_count(s); i++)
			if (!same_value(s, m, i)) {
				what = row_name(t, s);
				diff = xasprintf("%s: %s differs from the sealed original (edited?)",
						 what, sqlite3_column_name(s, i));
				free(what);
				break;
			}
		rs = sqlite3_step(s);
		rm = sqlite3_step(m);
	}
	if (diff == NULL && rs == SQLITE_ROW && rm == SQLITE_DONE) {
		char *what = row_name(t, s);

		diff = xasprintf("%s: row not in the sealed original (added?)", what);
		free(what);
	} else if (diff == NULL && rm == SQLITE_ROW && rs == SQLITE_DONE) {
		char *what = row_name(t, m);

		diff = xasprintf("%s: row of the sealed original is missing (deleted?)", what);
		free(what);
	} else if (diff == NULL && (rs != SQLITE_DONE || rm != SQLITE_DONE)) {
		db_err(rs != SQLITE_DONE ? r->db : r->mem, err, "cannot read %s", tables[t].name);
		*failed = 1;
	}
	sqlite3_reset(s);
	sqlite3_reset(m);
	return diff;
}

/* 0 and *diff (NULL: equal), or -1. */
static int
compare(struct rederive *r, int64_t id, char **diff, struct cf_err *err)
{
	size_t t;
	int failed = 0;

	*diff = NULL;
	for (t = 0; t < NTABLES && *diff == NULL && !failed; t++)
		*diff = compare_table(r, t, id, err, &failed);
	return failed ? -1 : 0;
}

/* Re-parse (forced) and compare: 0 with *diff as compare(), or -1. */
static int
derive_compare(struct rederive *r, const struct ledger_leaf *leaf, int64_t id, int fd,
	       int complete, int forced, char **diff, struct cf_err *err)
{
	enum cf_kind k;

	*diff = NULL;
	if (derive(r, leaf, id, fd, complete, forced, &k, err) < 0)
		return -1;
	if (strcmp(cf_kind_name(k), leaf->kind) != 0) {
		*diff = xasprintf("its original parses as kind %s, sealed as %s",
				  cf_kind_name(k), leaf->kind);
		return 0;
	}
	return compare(r, id, diff, err);
}

int
rederive_check(struct rederive *r, int64_t id, struct cf_err *err)
{
	struct ledger_leaf leaf;
	unsigned char h[CF_SHA256_LEN], stored[CF_SHA256_LEN];
	char *label = NULL, *diff = NULL, *diff2 = NULL;
	enum cf_kind k;
	int fd = -1, complete = 0, rc, ret = -1;

	sqlite3_bind_int64(r->row, 1, id);
	rc = sqlite3_step(r->row);
	if (rc == SQLITE_DONE) {
		cf_err_set(err, CF_ENOTFOUND, "no evidence row %lld", (long long)id);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		db_err(r->db, err, "cannot read evidence row %lld", (long long)id);
		goto out;
	}
	if (ledger_leaf_from_row(r->row, 1, &leaf, err) < 0) {
		cf_err_prefix(err, "evidence row %lld", (long long)id);
		goto out;
	}
	label = xasprintf("evidence row %lld ('%s', order %s)", (long long)id, leaf.name,
			  leaf.order_id);
	/* The fields the re-parse depends on must be the sealed ones. */
	if (sqlite3_column_type(r->row, 0) != SQLITE_NULL) {
		ledger_leaf_hash(&leaf, h);
		if (ledger_leaf_hash_at(r->db, (uint64_t)sqlite3_column_int64(r->row, 0), stored,
					NULL) < 0 || memcmp(h, stored, CF_SHA256_LEN) != 0) {
			cf_err_set(err, CF_EVERIFY, "%s: the evidence row no longer hashes to its "
				   "ledger leaf (edited?)", label);
			goto out;
		}
	}
	if ((rc = load_object(r, &leaf, &fd, &complete, err)) != 0) {
		if (rc > 0) {
			cf_err_prefix(err, "%s", label);
			ret = 1;
		}
		goto out;
	}
	/* As ingest without --kind; then with the sealed kind forced (rederive.h). */
	if (derive_compare(r, &leaf, id, fd, complete, -1, &diff, err) < 0)
		goto out;
	if (diff && cf_kind_from_name(leaf.kind, &k) == 0) {
		if (derive_compare(r, &leaf, id, fd, complete, (int)k, &diff2, err) < 0)
			goto out;
		if (diff2 == NULL) {
			free(diff);
			diff = NULL;
		}
	}
	if (diff) {
		cf_err_set(err, CF_EVERIFY, "%s: %s", label, diff);
		goto out;
	}
	ret = 0;
out:
	free(r->subject);
	free(r->detail);
	r->subject = r->detail = NULL;
	if (ret < 0 && err && err->code == CF_EVERIFY && label && err->msg &&
	    strlen(err->msg) > strlen(label) + 2) {
		r->subject = xstrdup(label);
		r->detail = xstrdup(err->msg + strlen(label) + 2);
	}
	sqlite3_reset(r->row);
	if (fd >= 0)
		close(fd);
	free(label);
	free(diff);
	free(diff2);
	return ret;
}

const char *
rederive_subject(const struct rederive *r)
{
	return r->subject;
}

const char *
rederive_detail(const struct rederive *r)
{
	return r->detail;
}

int
rederive_check_order(struct vault *v, const char *order, struct cf_err *err)
{
	struct rederive *r = NULL;
	sqlite3_stmt *st = NULL;
	sqlite3 *db = vault_db(v);
	int rc, ret = -1;

	if (rederive_open(v, &r, err) < 0 ||
	    db_prepare(db, "SELECT id FROM evidence WHERE order_id = ? ORDER BY id", &st, err) < 0)
		goto out;
	sqlite3_bind_text(st, 1, order, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = rederive_check(r, sqlite3_column_int64(st, 0), err)) != 0) {
			if (rc > 0)	/* a missing or changed original: vault damage */
				err->code = CF_EVERIFY;
			goto fail;
		}
	if (rc != SQLITE_DONE) {
		db_err(db, err, "cannot read the evidence of order '%s'", order);
		goto out;
	}
	if (dispute_verify_order(db, order, err) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	if (err->code == CF_EVERIFY) {
		char *msg = xstrdup(err->msg);

		cf_err_set(err, CF_EVERIFY, "%s; it is not what was sealed, so no dossier was "
			   "built (run 'casefile audit')", msg);
		free(msg);
	}
out:
	sqlite3_finalize(st);
	rederive_close(r);
	return ret;
}

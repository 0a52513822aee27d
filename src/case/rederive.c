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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "casefile/buf.h"
#include "casefile/db.h"
#include "casefile/dispute.h"
#include "casefile/evidence.h"
#include "casefile/ingest.h"
#include "casefile/ledger_stmt.h"
#include "casefile/parse.h"
#include "casefile/parsed_writer.h"
#include "casefile/rederive.h"
#include "casefile/tag.h"
#include "casefile/vault.h"
#include "casefile/workq.h"
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

/* The columns item_new() reads. */
#define ITEM_COLUMNS "leaf_index, " LEDGER_EVIDENCE_COLUMNS ", note, coalesce(rel_path, source_path), kind"

struct rederive {
	struct vault *v;
	struct cf_db *db, *mem;
	struct db_stmt *row;		/* the evidence row and its leaf index */
	struct db_stmt *sel[NTABLES];	/* on db */
	struct db_stmt *msel[NTABLES];	/* on mem */
	struct db_stmt *mdel[NTABLES];	/* on mem */
	struct db_stmt *mwarn;		/* on mem */
	struct parsed_writer *pw;	/* on mem */
	struct db_stmt *leaf;		/* a stored leaf hash */
	struct db_stmt *noted;		/* does a note annotation exist */
	char *subject, *detail;		/* of the last check's finding */
	int repairable;			/* the finding is about parsed rows only */
	struct parsed_writer *dbpw;	/* rederive_repair(): on db */
	struct db_stmt *dbwarn, *dbdel[NTABLES];
};

void
rederive_close(struct rederive *r)
{
	size_t i;

	if (r == NULL)
		return;
	db_finalize(r->row);
	for (i = 0; i < NTABLES; i++) {
		db_finalize(r->sel[i]);
		db_finalize(r->msel[i]);
		db_finalize(r->mdel[i]);
	}
	db_finalize(r->mwarn);
	parsed_writer_free(r->pw);
	db_close(r->mem);
	db_finalize(r->leaf);
	db_finalize(r->noted);
	parsed_writer_free(r->dbpw);
	db_finalize(r->dbwarn);
	for (i = 0; i < NTABLES; i++)
		db_finalize(r->dbdel[i]);
	free(r->subject);
	free(r->detail);
	free(r);
}

/* Copy table name's CREATE statement from db to mem. */
static int
copy_table(struct cf_db *db, struct cf_db *mem, const char *name, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	int ret = -1;

	if (db_prepare(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, name, -1, DB_STATIC);
	if (db_step(st) != DB_ROW) {
		cf_err_set(err, CF_EDB, "the vault has no table '%s'", name);
		goto out;
	}
	if (db_exec(mem, (const char *)db_col_text(st, 0), err) < 0)
		goto out;
	ret = 0;
out:
	db_finalize(st);
	return ret;
}

int
rederive_open(struct vault *v, struct rederive **out, struct cf_err *err)
{
	struct rederive *r = xcalloc(1, sizeof(*r));
	size_t i;

	r->v = v;
	r->db = vault_db(v);
	if (db_open_memory(&r->mem, err) < 0)
		goto fail;
	/* The rows reference evidence(id), which the copy does not have. */
	if (db_exec(r->mem, "PRAGMA foreign_keys = OFF", err) < 0 ||
	    db_prepare(r->db, "SELECT " ITEM_COLUMNS " FROM evidence WHERE id = ?", &r->row,
		       err) < 0 ||
	    db_prepare(r->db, "SELECT hash FROM ledger_nodes WHERE level = 0 AND idx = ?",
		       &r->leaf, err) < 0 ||
	    db_prepare(r->db, "SELECT 1 FROM annotations WHERE type = '" INGEST_NOTE_TYPE
		       "' AND subject = ?", &r->noted, err) < 0)
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
step_done(struct cf_db *db, struct db_stmt *st, struct cf_err *err)
{
	int rc = db_step(st);

	db_reset(st);
	if (rc != DB_DONE)
		return db_err(db, err, "re-parse");
	return 0;
}

/* One evidence row on its way through a check. */
struct item {
	int64_t id;
	int64_t leaf_index;		/* -1: none (made before the ledger) */
	struct ledger_leaf leaf;	/* owned strings */
	char *label;			/* "evidence row 8 ('chat.json', order X)" */
	char *note;			/* evidence.note, or NULL */
	char *path;			/* rel_path, else source_path: ingest's hint */
	char *kind;			/* evidence.kind: the leaf's, or a tag's (tag.h) */
	struct cf_buf data;		/* the object's first INGEST_KEEP_MAX bytes */
	int fd, complete;
	int objrc;			/* load_object(): 0, 1 (object problem), -1 */
	int parse_failed;		/* parse_evidence() failed (I/O) */
	struct cf_err err;		/* why objrc / parse_failed */
	struct parsed *p;		/* the parse as ingest without --kind */
};

/* An item from the ITEM_COLUMNS at col of st (id given). */
static struct item *
item_new(int64_t id, struct db_stmt *st, int col, struct cf_err *err)
{
	struct item *it = xcalloc(1, sizeof(*it));
	struct ledger_leaf leaf;

	it->fd = -1;
	cf_buf_init(&it->data);
	if (ledger_leaf_from_row(st, col + 1, &leaf, err) < 0) {
		cf_err_prefix(err, "evidence row %lld", (long long)id);
		free(it);
		return NULL;
	}
	it->id = id;
	it->leaf_index = db_col_type(st, col) == DB_NULL ? -1
								      : db_col_int64(st, col);
	it->leaf = leaf;
	it->leaf.order_id = xstrdup(leaf.order_id);
	it->leaf.kind = xstrdup(leaf.kind);
	it->leaf.name = xstrdup(leaf.name);
	it->leaf.name_raw = leaf.name_raw_len ? xmemdup(leaf.name_raw, leaf.name_raw_len) : NULL;
	it->label = xasprintf("evidence row %lld ('%s', order %s)", (long long)id, leaf.name,
			      leaf.order_id);
	if (db_col_type(st, col + 1 + LEDGER_EVIDENCE_NCOLUMNS) != DB_NULL)
		it->note = xstrdup((const char *)db_col_text(st, col + 1 +
								     LEDGER_EVIDENCE_NCOLUMNS));
	if (db_col_type(st, col + 2 + LEDGER_EVIDENCE_NCOLUMNS) != DB_NULL)
		it->path = xstrdup((const char *)db_col_text(st, col + 2 +
								     LEDGER_EVIDENCE_NCOLUMNS));
	it->kind = xstrdup(db_col_type(st, col + 3 + LEDGER_EVIDENCE_NCOLUMNS) ==
					   DB_NULL
				   ? leaf.kind
				   : (const char *)db_col_text(st, col + 3 +
								       LEDGER_EVIDENCE_NCOLUMNS));
	return it;
}

static void
item_free(struct item *it)
{
	if (it == NULL)
		return;
	if (it->fd >= 0)
		close(it->fd);
	ledger_leaf_release(&it->leaf);
	free(it->label);
	free(it->note);
	free(it->path);
	free(it->kind);
	cf_buf_release(&it->data);
	cf_err_release(&it->err);
	parsed_free(it->p);
	free(it);
}

/*
 * Read the item's object (its first INGEST_KEEP_MAX bytes) and keep it
 * open.  0; 1 with it->err set when the object is missing, unreadable or no
 * longer its recorded size or hash.
 */
static int
load_object(struct vault *v, struct item *it)
{
	const struct ledger_leaf *leaf = &it->leaf;
	struct cf_err *err = &it->err;
	unsigned char got[CF_SHA256_LEN];
	unsigned int len = CF_SHA256_LEN;
	struct stat sb;
	size_t want;

	if (vault_object_open(v, leaf->sha256, &it->fd, err) < 0)
		return 1;
	if (fstat(it->fd, &sb) < 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size != leaf->size)
		return cf_err_set(err, CF_EVERIFY, "its object is not the %llu bytes it was",
				  (unsigned long long)leaf->size), 1;
	want = leaf->size < INGEST_KEEP_MAX ? (size_t)leaf->size : INGEST_KEEP_MAX;
	cf_buf_grow(&it->data, want + 1);
	while (it->data.len < want) {
		ssize_t n = pread(it->fd, it->data.data + it->data.len, want - it->data.len,
				  (off_t)it->data.len);

		if (n <= 0)
			return cf_err_errno(err, CF_EIO, "cannot read its object"), 1;
		it->data.len += (size_t)n;
	}
	it->complete = leaf->size <= INGEST_KEEP_MAX;
	/* A whole small original is hashed: rows are compared with the sealed bytes only. */
	if (it->complete) {
		if (!EVP_Digest(it->data.data, it->data.len, got, &len, EVP_sha256(), NULL))
			CF_BUG("SHA-256 failed");
		if (memcmp(got, leaf->sha256, CF_SHA256_LEN) != 0)
			return cf_err_set(err, CF_EVERIFY, "its object no longer hashes to its name"), 1;
	}
	return 0;
}

static int
item_parse(const struct item *it, int forced, struct parsed **p, struct cf_err *err)
{
	/* As ingest: the name and folder are hints the content must agree with. */
	int r = parse_classify(it->data.data, it->data.len, it->complete, it->leaf.size, it->fd,
			       it->leaf.name, it->path, forced, p, err);

	/* an order export holds many orders: this row's (parse.h) */
	if (r == 0)
		parsed_select_order(*p, it->leaf.order_id);
	return r;
}

/*
 * The part of a check that needs no database (so a second thread can run
 * it): read the object and parse it as ingest did without --kind.
 */
static void
item_stage(struct vault *v, struct item *it)
{
	if ((it->objrc = load_object(v, it)) == 0 && item_parse(it, -1, &it->p, &it->err) < 0)
		it->parse_failed = 1;
}

/* Write parse p of item it with writer pw and warning INSERT warn, as ingest writes it. */
static int
store_rows(struct cf_db *db, struct parsed_writer *pw, struct db_stmt *warn, const struct item *it,
	   const struct parsed *p, struct cf_err *err)
{
	char *note = NULL;
	size_t i;
	int seq = 0, ret = -1;

	if (parsed_writer_store(pw, p, it->id, err) < 0)
		goto out;
	/* The warnings exactly as ingest records them (ingest.c record_item). */
	for (i = 0; i <= parsed_warning_count(p); i++) {
		const char *msg = i < parsed_warning_count(p) ? parsed_warning(p, i)
							      : (note = ingest_order_note(p, it->leaf.order_id));

		if (msg == NULL)
			break;
		db_bind_int64(warn, 1, it->id);
		db_bind_int(warn, 2, seq++);
		db_bind_text(warn, 3, msg, -1, DB_STATIC);
		if (step_done(db, warn, err) < 0)
			goto out;
	}
	ret = 0;
out:
	free(note);
	return ret;
}

/* Write parse p of item it into the (emptied) in-memory tables. */
static int
derive(struct rederive *r, const struct item *it, const struct parsed *p, struct cf_err *err)
{
	size_t i;

	for (i = 0; i < NTABLES; i++)
		if (step_done(r->mem, r->mdel[i], err) < 0)
			return -1;
	return store_rows(r->mem, r->pw, r->mwarn, it, p, err);
}

static int
same_value(struct db_stmt *a, struct db_stmt *b, int i)
{
	int t = db_col_type(a, i);

	if (t != db_col_type(b, i))
		return 0;
	switch (t) {
	case DB_NULL:
		return 1;
	case DB_INTEGER:
		return db_col_int64(a, i) == db_col_int64(b, i);
	case DB_FLOAT:
		return db_col_double(a, i) == db_col_double(b, i);
	default: {
		const void *pa = db_col_blob(a, i), *pb = db_col_blob(b, i);
		int na = db_col_bytes(a, i), nb = db_col_bytes(b, i);

		return na == nb && (na == 0 || memcmp(pa, pb, (size_t)na) == 0);
	}
	}
}

/* "messages seq 3" or "media". */
static char *
row_name(size_t t, struct db_stmt *st)
{
	if (!tables[t].has_seq)
		return xstrdup(tables[t].name);
	return xasprintf("%s seq %lld", tables[t].name, (long long)db_col_int64(st, 1));
}

/* Compare table t for evidence id: NULL when equal, else what differs. */
static char *
compare_table(struct rederive *r, size_t t, int64_t id, struct cf_err *err, int *failed)
{
	struct db_stmt *s = r->sel[t], *m = r->msel[t];
	char *diff = NULL;
	int rs, rm, i;

	db_bind_int64(s, 1, id);
	db_bind_int64(m, 1, id);
	rs = db_step(s);
	rm = db_step(m);
	while (diff == NULL && rs == DB_ROW && rm == DB_ROW) {
		long long ks = tables[t].has_seq ? db_col_int64(s, 1) : 0;
		long long km = tables[t].has_seq ? db_col_int64(m, 1) : 0;
		char *what;

		if (ks != km) {
			what = row_name(t, ks < km ? s : m);
			diff = xasprintf(ks < km ? "%s: row not in the sealed original (added?)"
						 : "%s: row of the sealed original is missing (deleted?)",
					 what);
			free(what);
			break;
		}
		for (i = 0; i < db_col_count(s); i++)
			if (!same_value(s, m, i)) {
				what = row_name(t, s);
				diff = xasprintf("%s: %s differs from the sealed original (edited?)",
						 what, db_col_name(s, i));
				free(what);
				break;
			}
		rs = db_step(s);
		rm = db_step(m);
	}
	if (diff == NULL && rs == DB_ROW && rm == DB_DONE) {
		char *what = row_name(t, s);

		diff = xasprintf("%s: row not in the sealed original (added?)", what);
		free(what);
	} else if (diff == NULL && rm == DB_ROW && rs == DB_DONE) {
		char *what = row_name(t, m);

		diff = xasprintf("%s: row of the sealed original is missing (deleted?)", what);
		free(what);
	} else if (diff == NULL && (rs != DB_DONE || rm != DB_DONE)) {
		db_err(rs != DB_DONE ? r->db : r->mem, err, "cannot read %s", tables[t].name);
		*failed = 1;
	}
	db_reset(s);
	db_reset(m);
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

/* Parse p stored and compared: 0 with *diff as compare(), or -1. */
static int
derive_compare(struct rederive *r, const struct item *it, const struct parsed *p, char **diff,
	       struct cf_err *err)
{
	*diff = NULL;
	if (strcmp(cf_kind_name(parsed_kind(p)), it->kind) != 0) {
		*diff = xasprintf("its original parses as kind %s, sealed as %s",
				  cf_kind_name(parsed_kind(p)), it->kind);
		return 0;
	}
	if (derive(r, it, p, err) < 0)
		return -1;
	return compare(r, it->id, diff, err);
}

/* 1 when the evidence row still hashes to its stored leaf (or has none). */
static int
leaf_matches(struct rederive *r, const struct item *it)
{
	unsigned char h[CF_SHA256_LEN];
	int ok;

	if (it->leaf_index < 0)
		return 1;
	ledger_leaf_hash(&it->leaf, h);
	db_bind_int64(r->leaf, 1, it->leaf_index);
	ok = db_step(r->leaf) == DB_ROW &&
	     db_col_bytes(r->leaf, 0) == CF_SHA256_LEN &&
	     memcmp(db_col_blob(r->leaf, 0), h, CF_SHA256_LEN) == 0;
	db_reset(r->leaf);
	return ok;
}

/* What is wrong with the item's note (ingest.h), or NULL; *failed on a read error. */
static char *
note_problem(struct rederive *r, const struct item *it, int *failed, struct cf_err *err)
{
	struct cf_buf sealed = CF_BUF_INIT;
	char *subject = xasprintf("evidence %lld", (long long)it->id), *why = NULL;
	int st;

	/* Most rows have no note and none sealed: one kept statement says so. */
	if (it->note == NULL) {
		db_bind_text(r->noted, 1, subject, -1, DB_STATIC);
		st = db_step(r->noted);
		db_reset(r->noted);
		if (st == DB_DONE) {
			free(subject);
			return NULL;
		}
	}
	st = ledger_annotation_latest(r->db, INGEST_NOTE_TYPE, subject, &sealed, err);
	if (st < 0)
		*failed = 1;
	else if (st == LEDGER_ANNOTATION_FORGED)
		why = xstrdup("its sealed note no longer hashes to its ledger leaf (edited?)");
	else if (st == LEDGER_ANNOTATION_NONE && it->note)
		why = xstrdup("its note is not in the ledger yet (run 'casefile seal' to add it)");
	else if (st == LEDGER_ANNOTATION_SEALED && it->note == NULL)
		why = xstrdup("its sealed note is gone (deleted?)");
	else if (st == LEDGER_ANNOTATION_SEALED &&
		 (sealed.len != strlen(it->note) || memcmp(sealed.data, it->note, sealed.len)))
		why = xstrdup("its note differs from the sealed note (edited?)");
	cf_buf_release(&sealed);
	free(subject);
	return why;
}

/* The part of a check on the database, after item_stage(); as rederive_check(). */
static int
item_finish(struct rederive *r, struct item *it, struct cf_err *err)
{
	struct parsed *p2 = NULL;
	char *diff = NULL, *diff2 = NULL;
	enum cf_kind k;
	int ret = -1, failed = 0;

	free(r->subject);
	free(r->detail);
	r->subject = r->detail = NULL;
	r->repairable = 0;
	/* The fields the re-parse depends on must be the sealed ones. */
	if (!leaf_matches(r, it)) {
		diff = xstrdup("the evidence row no longer hashes to its ledger leaf (edited?)");
		goto found;
	}
	if ((diff = note_problem(r, it, &failed, err)) != NULL)
		goto found;
	if (failed)
		return -1;
	/* kind, roles, supplier, exclusion: the fold of the item's leaves (tag.h) */
	if ((failed = tag_check(r->db, it->id, &diff, err)) != 0) {
		if (failed < 0)
			return -1;
		goto found;
	}
	if (it->objrc != 0 || it->parse_failed) {
		cf_err_move(err, &it->err);
		cf_err_prefix(err, "%s", it->label);
		return it->objrc > 0 ? 1 : -1;
	}
	/* As ingest without --kind; then with the sealed kind forced (rederive.h). */
	if (derive_compare(r, it, it->p, &diff, err) < 0)
		goto out;
	if (diff && cf_kind_from_name(it->kind, &k) == 0) {
		if (item_parse(it, (int)k, &p2, err) < 0 ||
		    derive_compare(r, it, p2, &diff2, err) < 0)
			goto out;
		if (diff2 == NULL) {
			free(diff);
			diff = NULL;
		}
	}
	if (diff == NULL) {
		ret = 0;
		goto out;
	}
	r->repairable = 1;
found:
	cf_err_set(err, CF_EVERIFY, "%s: %s", it->label, diff);
	r->subject = xstrdup(it->label);
	r->detail = diff;
	diff = NULL;
out:
	parsed_free(p2);
	free(diff);
	free(diff2);
	return ret;
}

/* Evidence row id as a staged item (item_free), or NULL with err. */
static struct item *
item_load(struct rederive *r, int64_t id, struct cf_err *err)
{
	struct item *it = NULL;
	int rc;

	db_bind_int64(r->row, 1, id);
	rc = db_step(r->row);
	if (rc == DB_DONE)
		cf_err_set(err, CF_ENOTFOUND, "no evidence row %lld", (long long)id);
	else if (rc != DB_ROW)
		db_err(r->db, err, "cannot read evidence row %lld", (long long)id);
	else
		it = item_new(id, r->row, 0, err);
	db_reset(r->row);
	if (it)
		item_stage(r->v, it);
	return it;
}

int
rederive_check(struct rederive *r, int64_t id, struct cf_err *err)
{
	struct item *it = item_load(r, id, err);
	int ret;

	if (it == NULL)
		return -1;
	ret = item_finish(r, it, err);
	item_free(it);
	return ret;
}

/* Replace the stored parsed rows of it with parse p (in the caller's transaction). */
static int
rewrite_rows(struct rederive *r, const struct item *it, const struct parsed *p,
	     struct cf_err *err)
{
	size_t i;

	if (r->dbpw == NULL) {
		for (i = 0; i < NTABLES; i++) {
			char *sql = xasprintf("DELETE FROM %s WHERE evidence_id = ?", tables[i].name);
			int rc = db_prepare(r->db, sql, &r->dbdel[i], err);

			free(sql);
			if (rc < 0)
				return -1;
		}
		if (db_prepare(r->db, "INSERT INTO warnings(evidence_id, seq, message) "
			       "VALUES(?, ?, ?)", &r->dbwarn, err) < 0)
			return -1;
		r->dbpw = parsed_writer_new(r->db);
	}
	for (i = 0; i < NTABLES; i++) {
		db_bind_int64(r->dbdel[i], 1, it->id);
		if (step_done(r->db, r->dbdel[i], err) < 0)
			return -1;
	}
	return store_rows(r->db, r->dbpw, r->dbwarn, it, p, err);
}

int
rederive_repair(struct rederive *r, int64_t id, int *changed, struct cf_err *err)
{
	struct item *it = NULL;
	struct parsed *p2 = NULL;
	const struct parsed *p;
	enum cf_kind k;
	int rc, ret = -1;

	*changed = 0;
	if (!db_in_transaction(r->db))
		CF_BUG("rederive_repair outside a transaction");
	if ((it = item_load(r, id, err)) == NULL)
		return -1;
	rc = item_finish(r, it, err);
	if (rc >= 0 || err->code != CF_EVERIFY) {
		ret = rc;
		goto out;
	}
	if (!r->repairable) {	/* the row or its note differs from the ledger: not ours to fix */
		ret = 1;
		goto out;
	}
	cf_err_release(err);
	/* The parse as ingest without --kind when it gives the sealed kind, else forced. */
	p = it->p;
	if (strcmp(cf_kind_name(parsed_kind(p)), it->kind) != 0) {
		if (cf_kind_from_name(it->kind, &k) < 0 ||
		    item_parse(it, (int)k, &p2, err) < 0)
			goto out;
		p = p2;
	}
	if (rewrite_rows(r, it, p, err) < 0)
		goto out;
	*changed = 1;
	ret = 0;
out:
	parsed_free(p2);
	item_free(it);
	return ret;
}

/* --- every row, on two threads ------------------------------------------- */

struct stager {
	struct vault *v;
	struct item **items;
	size_t n;
	struct workq *q;
};

static void *
stager_run(void *arg)
{
	struct stager *sg = arg;
	size_t i;

	for (i = 0; i < sg->n; i++) {
		item_stage(sg->v, sg->items[i]);
		if (workq_put(sg->q, sg->items[i], sg->items[i]->data.len + 1) < 0)
			break;	/* closed: the consumer gave up */
	}
	return NULL;
}

/* Parsed rows whose evidence row does not exist (never rendered, but added by someone). */
static int
report_orphans(struct rederive *r, rederive_finding_fn fn, void *cookie, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	size_t t;
	int rc = DB_DONE;

	for (t = 0; t < NTABLES && rc == DB_DONE; t++) {
		char *sql = xasprintf("SELECT evidence_id, count(*) FROM %s WHERE evidence_id "
				      "NOT IN (SELECT id FROM evidence) GROUP BY evidence_id",
				      tables[t].name);

		rc = db_prepare(r->db, sql, &st, err) < 0 ? DB_ERROR : DB_DONE;
		free(sql);
		if (rc != DB_DONE)
			return -1;
		while ((rc = db_step(st)) == DB_ROW) {
			long long id = db_col_int64(st, 0), n = db_col_int64(st, 1);
			char *subject = xasprintf("%s of evidence row %lld", tables[t].name, id);
			char *detail = xasprintf("%lld row%s of an evidence row that does not "
						 "exist (added?)", n, n == 1 ? "" : "s");

			fn(cookie, id, subject, detail);
			free(subject);
			free(detail);
		}
		db_finalize(st);
		st = NULL;
	}
	if (rc != DB_DONE)
		return db_err(r->db, err, "cannot read the parsed rows");
	return 0;
}

int
rederive_check_all(struct rederive *r, rederive_finding_fn fn, void *cookie,
		   uint64_t *checked, struct cf_err *err)
{
	struct stager sg = { r->v, NULL, 0, NULL };
	struct db_stmt *st = NULL;
	struct cf_err e = CF_ERR_INIT;
	pthread_t tid;
	size_t i, cap = 0, done = 0;
	int rc, started = 0, ret = -1;

	*checked = 0;
	if (db_prepare(r->db, "SELECT id, " ITEM_COLUMNS " FROM evidence ORDER BY id", &st,
		       err) < 0)
		return -1;
	while ((rc = db_step(st)) == DB_ROW) {
		struct item *it = item_new(db_col_int64(st, 0), st, 1, err);

		if (it == NULL)
			goto out;
		if (sg.n == cap) {
			cap = cap ? 2 * cap : 1024;
			sg.items = xreallocarray(sg.items, cap, sizeof(*sg.items));
		}
		sg.items[sg.n++] = it;
	}
	if (rc != DB_DONE) {
		db_err(r->db, err, "cannot read the evidence rows");
		goto out;
	}
	/* Bounded: 64 items or 64 MB of object bytes in flight. */
	sg.q = workq_new(64, 64u << 20);
	started = pthread_create(&tid, NULL, stager_run, &sg) == 0;
	for (; done < sg.n; done++) {
		struct item *it = started ? workq_get(sg.q) : sg.items[done];

		if (!started)	/* no second thread: one after the other */
			item_stage(r->v, it);
		rc = item_finish(r, it, &e);
		if (rc < 0 && e.code != CF_EVERIFY) {
			cf_err_move(err, &e);
			goto out;
		}
		(*checked)++;
		if (rc < 0)
			fn(cookie, it->id, r->subject, r->detail);
		cf_err_release(&e);
	}
	if (report_orphans(r, fn, cookie, err) < 0)
		goto out;
	ret = 0;
out:
	if (sg.q) {
		workq_close(sg.q);
		if (started)
			pthread_join(tid, NULL);
		while (workq_try_get(sg.q) != NULL)
			;
		workq_free(sg.q);
	}
	for (i = 0; i < sg.n; i++)
		item_free(sg.items[i]);	/* finished or drained: each once, here */
	free(sg.items);
	cf_err_release(&e);
	db_finalize(st);
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
	struct db_stmt *st = NULL;
	struct cf_db *db = vault_db(v);
	int rc, ret = -1, rows = 0;

	if (rederive_open(v, &r, err) < 0 ||
	    db_prepare(db, "SELECT id FROM evidence WHERE order_id = ? ORDER BY id", &st, err) < 0)
		goto out;
	db_bind_text(st, 1, order, -1, DB_STATIC);
	while ((rc = db_step(st)) == DB_ROW)
		if ((rc = rederive_check(r, db_col_int64(st, 0), err)) != 0) {
			if (rc > 0)	/* a missing or changed original: vault damage */
				err->code = CF_EVERIFY;
			else		/* parsed rows that differ: reparse puts them back */
				rows = 1;
			goto fail;
		}
	if (rc != DB_DONE) {
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

		cf_err_set(err, CF_EVERIFY, "%s; refused: it is not what was sealed (run "
			   "'casefile audit'%s)", msg, rows ? "; 'casefile reparse' rebuilds the "
			   "parsed rows from the sealed originals" : "");
		free(msg);
	}
out:
	db_finalize(st);
	rederive_close(r);
	return ret;
}

/* rederive_repair() for the rows of one order (NULL: all), counting into t. */
static int
repair_order(struct rederive *r, const char *order, rederive_repair_fn fn, void *cookie,
	     struct rederive_tally *t, struct cf_err *err)
{
	int64_t *ids;
	size_t n, i;
	int changed, res, ret = -1;

	if (evidence_ids(r->v, order, &ids, &n, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		t->checked++;
		if ((res = rederive_repair(r, ids[i], &changed, err)) < 0)
			goto out;
		if (res > 0) {
			t->refused++;
			fn(cookie, err);
			cf_err_release(err);
		} else if (changed) {
			t->rebuilt++;
			fn(cookie, NULL);
		}
	}
	ret = 0;
out:
	free(ids);
	return ret;
}

int
rederive_repair_orders(struct rederive *r, char *const *orders, int norders,
		       rederive_repair_fn fn, void *cookie, struct rederive_tally *t,
		       struct cf_err *err)
{
	int i;

	memset(t, 0, sizeof(*t));
	if (db_begin(r->db, err) < 0)
		return -1;
	for (i = 0; i < norders || (i == 0 && norders == 0); i++) {
		if (repair_order(r, norders ? orders[i] : NULL, fn, cookie, t, err) < 0) {
			db_rollback(r->db);
			return -1;
		}
	}
	return db_commit(r->db, err);
}

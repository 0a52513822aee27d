/* SPDX-License-Identifier: MIT */
/*
 * tag — kind, roles, notes, supplier and exclusion of stored items, each
 * change a sealed annotation leaf (see tag.h for the leaf types).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "casefile/buf.h"
#include "casefile/db.h"
#include "casefile/db_stmt.h"
#include "casefile/hash.h"
#include "casefile/ingest.h"
#include "casefile/ledger.h"
#include "casefile/parse.h"
#include "casefile/parsed_writer.h"
#include "casefile/roles.h"
#include "casefile/tag.h"
#include "casefile/vault.h"
#include "casefile/xalloc.h"

/* The parsed tables of an item, emptied before a re-parse is written. */
static const char *const parsed_tables[] = {
	"order_records", "order_items", "messages", "logistics", "logistics_events",
	"media", "warnings",
};
#define NPARSED (sizeof(parsed_tables) / sizeof(parsed_tables[0]))

/* ---- transactions ---------------------------------------------------------- */

/* Begin: own transaction (1) or a savepoint in the caller's (0); -1 error. */
static int
tx_begin(struct cf_db *db, struct cf_err *err)
{
	if (!db_in_transaction(db))
		return db_begin(db, err) < 0 ? -1 : 1;
	return db_exec(db, "SAVEPOINT tag", err) < 0 ? -1 : 0;
}

static int
tx_end(struct cf_db *db, int own, int ok, struct cf_err *err)
{
	if (own)
		return ok ? db_commit(db, err) : (db_rollback(db), -1);
	if (ok)
		return db_exec(db, "RELEASE tag", err);
	db_exec_quiet(db, "ROLLBACK TO tag; RELEASE tag");
	return -1;
}

struct row {
	char *order_id, *kind, *name, *note, *supplied_by, *excluded;
	unsigned char sha256[CF_SHA256_LEN];
	uint64_t size;
};

static char *
dup_col(struct db_stmt *st, int i)
{
	return db_col_type(st, i) == DB_NULL
		       ? NULL : xstrdup((const char *)db_col_text(st, i));
}

static void
row_release(struct row *r)
{
	free(r->order_id);
	free(r->kind);
	free(r->name);
	free(r->note);
	free(r->supplied_by);
	free(r->excluded);
}

static int
row_load(struct cf_db *db, int64_t id, struct row *r, struct cf_err *err)
{
	struct db_stmt *st;
	int rc;

	memset(r, 0, sizeof(*r));
	if (db_prepare(db, "SELECT order_id, kind, name, note, supplied_by, excluded, sha256,"
			   " size FROM evidence WHERE id = ?", &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW && db_col_bytes(st, 6) == CF_SHA256_LEN) {
		r->order_id = dup_col(st, 0);
		r->kind = dup_col(st, 1);
		r->name = dup_col(st, 2);
		r->note = dup_col(st, 3);
		r->supplied_by = dup_col(st, 4);
		r->excluded = dup_col(st, 5);
		memcpy(r->sha256, db_col_blob(st, 6), CF_SHA256_LEN);
		r->size = (uint64_t)db_col_int64(st, 7);
	}
	db_finalize(st);
	if (rc == DB_DONE)
		return cf_err_set(err, CF_ENOTFOUND, "no evidence #%lld", (long long)id);
	if (rc != DB_ROW || r->order_id == NULL)
		return db_err(db, err, "cannot read evidence #%lld", (long long)id);
	return 0;
}

static int
seal(struct cf_db *db, const struct row *r, int64_t id, const char *type, const char *value,
     int64_t at, const char *who, uint64_t *index, struct cf_err *err)
{
	char *subject = xasprintf("evidence %lld", (long long)id);
	struct ledger_annotation a = { type, r->order_id, subject, at, who, value,
				       strlen(value) };
	int rc = ledger_append_annotation(db, &a, index, err);

	free(subject);
	return rc;
}

static int
exec1(struct cf_db *db, const char *sql, int64_t id, const char *text, struct cf_err *err)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, sql, &st, err) < 0)
		return -1;
	db_bind_int64(st, 1, id);
	if (text)
		db_bind_text(st, 2, text, -1, DB_STATIC);
	rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot update evidence #%lld", (long long)id);
	return 0;
}

/* Parse the stored original of r as kind k. */
static int
reparse(struct vault *v, const struct row *r, int k, struct parsed **out, struct cf_err *err)
{
	struct cf_buf data = CF_BUF_INIT;
	size_t want = r->size < INGEST_KEEP_MAX ? (size_t)r->size : INGEST_KEEP_MAX;
	int fd = -1, ret = -1;

	if (vault_object_open(v, r->sha256, &fd, err) < 0)
		return -1;
	cf_buf_grow(&data, want + 1);
	while (data.len < want) {
		ssize_t n = pread(fd, data.data + data.len, want - data.len, (off_t)data.len);

		if (n <= 0) {
			cf_err_errno(err, CF_EIO, "cannot read the stored original of '%s'", r->name);
			goto out;
		}
		data.len += (size_t)n;
	}
	ret = parse_evidence(data.data, data.len, r->size <= INGEST_KEEP_MAX, r->size, fd,
			     r->name, k, out, err);
	if (ret == 0)
		parsed_select_order(*out, r->order_id);
out:
	cf_buf_release(&data);
	close(fd);
	return ret;
}

static int
write_parse(struct cf_db *db, int64_t id, const struct row *r, const struct parsed *p,
	    struct cf_err *err)
{
	struct db_stmt *st = NULL;
	char *note = NULL;
	size_t i;
	int seq = 0, ret = -1;

	for (i = 0; i < NPARSED; i++) {
		char *sql = xasprintf("DELETE FROM %s WHERE evidence_id = ?", parsed_tables[i]);
		int rc = exec1(db, sql, id, NULL, err);

		free(sql);
		if (rc < 0)
			return -1;
	}
	if (parsed_store(p, db, id, err) < 0 ||
	    db_prepare(db, "INSERT INTO warnings(evidence_id, seq, message) VALUES(?, ?, ?)",
		       &st, err) < 0)
		goto out;
	for (i = 0; i <= parsed_warning_count(p); i++) {
		const char *msg = i < parsed_warning_count(p) ? parsed_warning(p, i)
							      : (note = ingest_order_note(p, r->order_id));

		if (msg == NULL)
			break;
		db_bind_int64(st, 1, id);
		db_bind_int(st, 2, seq++);
		db_bind_text(st, 3, msg, -1, DB_STATIC);
		if (db_step(st) != DB_DONE) {
			db_err(db, err, "cannot record the warnings of evidence #%lld", (long long)id);
			goto out;
		}
		db_reset(st);
	}
	ret = 0;
out:
	db_finalize(st);
	free(note);
	return ret;
}

int
tag_apply(struct vault *v, int64_t id, const struct tag_change *c, const char *who,
	  int64_t at, tag_warn_fn warn, void *cookie, unsigned *leaves, struct cf_err *err)
{
	struct cf_db *db = vault_db(v);
	struct parsed *p = NULL;
	struct row r;
	unsigned have = 0, n = 0;
	int own = -1, ok = 0, i;

	if (leaves)
		*leaves = 0;
	if (row_load(db, id, &r, err) < 0)
		return -1;
	/* The re-parse first, outside any transaction: a failure changes nothing. */
	if (c->kind >= 0 && strcmp(cf_kind_name((enum cf_kind)c->kind), r.kind) != 0) {
		size_t w, nbad = 0;
		const char *first_bad = NULL;

		if (reparse(v, &r, c->kind, &p, err) < 0)
			goto out;
		for (w = 0; w < parsed_warning_count(p); w++) {
			if (warn)
				warn(cookie, parsed_warning(p, w), parsed_warning_bad(p, w));
			if (parsed_warning_bad(p, w) && nbad++ == 0)
				first_bad = parsed_warning(p, w);
		}
		if (nbad) {
			cf_err_set(err, CF_EINPUT, "cannot read '%s' as %s: %s%s; nothing changed",
				   r.name, cf_kind_name((enum cf_kind)c->kind), first_bad,
				   nbad > 1 ? " (and more, above)" : "");
			goto out;
		}
	}
	if ((own = tx_begin(db, err)) < 0)
		goto out;
	if (roles_of(db, id, ROLES_EXPLICIT, &have, err) < 0)
		goto done;
	if (p) {
		const char *k = cf_kind_name(parsed_kind(p));

		if (write_parse(db, id, &r, p, err) < 0 ||
		    exec1(db, "UPDATE evidence SET kind_sealed = ifnull(kind_sealed, kind), "
			      "kind = ?2 WHERE id = ?1", id, k, err) < 0 ||
		    seal(db, &r, id, TAG_TYPE_KIND, k, at, who, NULL, err) < 0)
			goto done;
		n++;
	}
	for (i = 0; i < CF_ROLE_COUNT; i++) {
		unsigned bit = CF_ROLE_BIT(i);
		const char *name = cf_role_name((enum cf_role)i);
		char *val;
		uint64_t idx;
		int rc;

		if ((c->add_roles & bit) && !(have & bit)) {
			val = xasprintf("+%s", name);
			rc = seal(db, &r, id, TAG_TYPE_ROLE, val, at, who, &idx, err);
			free(val);
			if (rc < 0)
				goto done;
			{
				struct db_stmt *st;

				if (db_prepare(db, "INSERT INTO evidence_roles(evidence_id, role,"
						   " leaf_index) VALUES(?, ?, ?)", &st, err) < 0)
					goto done;
				db_bind_int64(st, 1, id);
				db_bind_text(st, 2, name, -1, DB_STATIC);
				db_bind_int64(st, 3, (int64_t)idx);
				rc = db_step(st);
				db_finalize(st);
				if (rc != DB_DONE) {
					db_err(db, err, "cannot give evidence #%lld role %s",
					       (long long)id, name);
					goto done;
				}
			}
			n++;
		} else if ((c->remove_roles & bit) && (have & bit)) {
			val = xasprintf("-%s", name);
			rc = seal(db, &r, id, TAG_TYPE_ROLE, val, at, who, NULL, err);
			free(val);
			if (rc < 0 || exec1(db, "DELETE FROM evidence_roles WHERE evidence_id = ?1"
					    " AND role = ?2", id, name, err) < 0)
				goto done;
			n++;
		}
	}
	if (c->note && (!r.note || strcmp(r.note, c->note) != 0)) {
		if (exec1(db, "UPDATE evidence SET note = ?2 WHERE id = ?1", id, c->note, err) < 0 ||
		    ingest_seal_note(db, id, r.order_id, c->note, at, who, err) < 0)
			goto done;
		n++;
	}
	if (c->supplied_by >= 0) {
		const char *s = cf_supplier_name((enum cf_supplier)c->supplied_by);

		if (s && (!r.supplied_by || strcmp(r.supplied_by, s) != 0)) {
			if (exec1(db, "UPDATE evidence SET supplied_by = ?2 WHERE id = ?1", id, s,
				  err) < 0 ||
			    seal(db, &r, id, TAG_TYPE_SUPPLIED, s, at, who, NULL, err) < 0)
				goto done;
			n++;
		}
	}
	ok = 1;
done:
	if (tx_end(db, own, ok, ok ? err : NULL) < 0)
		ok = 0;
	if (ok && leaves)
		*leaves = n;
out:
	parsed_free(p);
	row_release(&r);
	return ok ? 0 : -1;
}

int
tag_exclude(struct cf_db *db, int64_t id, const char *reason, const char *who, int64_t at,
	    unsigned *leaves, struct cf_err *err)
{
	struct row r;
	int own, ok = 0;

	if (leaves)
		*leaves = 0;
	if (reason && !*reason)
		return cf_err_set(err, CF_EINPUT, "the reason is empty");
	if (row_load(db, id, &r, err) < 0)
		return -1;
	if ((reason && r.excluded && !strcmp(reason, r.excluded)) || (!reason && !r.excluded)) {
		row_release(&r);
		return 0;
	}
	if ((own = tx_begin(db, err)) < 0) {
		row_release(&r);
		return -1;
	}
	if (exec1(db, reason ? "UPDATE evidence SET excluded = ?2 WHERE id = ?1"
			     : "UPDATE evidence SET excluded = NULL WHERE id = ?1", id, reason,
		  err) == 0 &&
	    seal(db, &r, id, reason ? TAG_TYPE_EXCLUDE : TAG_TYPE_INCLUDE, reason ? reason : "",
		 at, who, NULL, err) == 0)
		ok = 1;
	if (tx_end(db, own, ok, ok ? err : NULL) < 0)
		ok = 0;
	if (ok && leaves)
		*leaves = 1;
	row_release(&r);
	return ok ? 0 : -1;
}

int
tag_history(struct cf_db *db, int64_t id, tag_event_fn fn, void *cookie, struct cf_err *err)
{
	struct db_stmt *st;
	char *subject = xasprintf("evidence %lld", (long long)id);
	int rc;

	if (db_prepare(db, "SELECT leaf_index, at, type, who, CAST(payload AS TEXT) FROM "
			   "annotations WHERE subject = ? ORDER BY leaf_index", &st, err) < 0) {
		free(subject);
		return -1;
	}
	db_bind_text(st, 1, subject, -1, DB_STATIC);
	while ((rc = db_step(st)) == DB_ROW) {
		struct tag_event e;

		e.leaf_index = db_col_int64(st, 0);
		e.at = db_col_int64(st, 1);
		e.type = (const char *)db_col_text(st, 2);
		e.who = (const char *)db_col_text(st, 3);
		e.value = (const char *)db_col_text(st, 4);
		if (e.value == NULL)
			e.value = "";
		fn(cookie, &e);
	}
	db_finalize(st);
	free(subject);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot read the history of evidence #%lld", (long long)id);
	return 0;
}

/* The fold of an item's leaves (tag.h). */
struct fold {
	char *kind, *supplied_by, *excluded;
	unsigned roles;
};

static void
fold_event(void *cookie, const struct tag_event *e)
{
	struct fold *f = cookie;
	enum cf_role r;

	if (!strcmp(e->type, TAG_TYPE_KIND)) {
		free(f->kind);
		f->kind = xstrdup(e->value);
	} else if (!strcmp(e->type, TAG_TYPE_ROLE) && (e->value[0] == '+' || e->value[0] == '-') &&
		   cf_role_from_name(e->value + 1, &r) == 0) {
		if (e->value[0] == '+')
			f->roles |= CF_ROLE_BIT(r);
		else
			f->roles &= ~CF_ROLE_BIT(r);
	} else if (!strcmp(e->type, TAG_TYPE_SUPPLIED)) {
		free(f->supplied_by);
		f->supplied_by = xstrdup(e->value);
	} else if (!strcmp(e->type, TAG_TYPE_EXCLUDE)) {
		free(f->excluded);
		f->excluded = xstrdup(e->value);
	} else if (!strcmp(e->type, TAG_TYPE_INCLUDE)) {
		free(f->excluded);
		f->excluded = NULL;
	}
}

static int
str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int
tag_check(struct cf_db *db, int64_t id, char **why, struct cf_err *err)
{
	struct fold f = { NULL, NULL, NULL, 0 };
	struct row r;
	struct db_stmt *st = NULL;
	unsigned have = 0;
	char *sealed_kind = NULL;
	int ret = -1, rc;

	*why = NULL;
	if (row_load(db, id, &r, err) < 0)
		return -1;
	if (db_prepare(db, "SELECT ifnull(kind_sealed, kind) FROM evidence WHERE id = ?", &st,
		       err) < 0)
		goto out;
	db_bind_int64(st, 1, id);
	if ((rc = db_step(st)) == DB_ROW)
		sealed_kind = dup_col(st, 0);
	db_finalize(st);
	if (rc != DB_ROW) {
		db_err(db, err, "cannot read evidence #%lld", (long long)id);
		goto out;
	}
	f.kind = sealed_kind;
	sealed_kind = NULL;
	if (tag_history(db, id, fold_event, &f, err) < 0 ||
	    roles_of(db, id, ROLES_EXPLICIT, &have, err) < 0)
		goto out;
	if (!str_eq(f.kind, r.kind))
		*why = xasprintf("its kind %s is not the kind the ledger says (%s; edited?)",
				 r.kind, f.kind ? f.kind : "?");
	else if (f.roles != have) {
		unsigned diff = f.roles ^ have;
		int i;

		for (i = 0; i < CF_ROLE_COUNT; i++)
			if (diff & CF_ROLE_BIT(i))
				break;
		*why = xasprintf("its role %s %s (edited?)", cf_role_name((enum cf_role)i),
				 (have & CF_ROLE_BIT(i)) ? "is not in the ledger"
							 : "is in the ledger but not in the vault");
	} else if (!str_eq(f.supplied_by, r.supplied_by))
		*why = xasprintf("who supplied it (%s) is not what the ledger says (%s; edited?)",
				 r.supplied_by ? r.supplied_by : "not said",
				 f.supplied_by ? f.supplied_by : "not said");
	else if (!str_eq(f.excluded, r.excluded))
		*why = xasprintf("its exclusion (%s) is not what the ledger says (%s; edited?)",
				 r.excluded ? r.excluded : "included",
				 f.excluded ? f.excluded : "included");
	ret = *why ? 1 : 0;
out:
	free(f.kind);
	free(f.supplied_by);
	free(f.excluded);
	free(sealed_kind);
	row_release(&r);
	return ret;
}

/* SPDX-License-Identifier: MIT */
/*
 * ingest — store, parse and record evidence (contract in ingest.h).
 *
 * Per item, in two steps (ingest_stage, then ingest_record):
 *   1. vault_put(): stream the bytes into objects/, hashing; keep the first
 *      KEEP_MAX bytes in memory so small files are parsed without a re-read.
 *   2. parse_evidence() on the kept bytes (larger files via the object's fd).
 *   Then, inside SAVEPOINT item:
 *   3. (order, sha256, name, path under the order folder) already recorded
 *      → duplicate, nothing else happens.  The same bytes under another
 *      name or path get a row (and a leaf) of their own, sharing the object.
 *   4. INSERT objects (if new), evidence, ledger leaf, parsed rows, warnings.
 * Any failure in 3-4 rolls back to the savepoint: the item leaves no row.
 * Steps 1-2 touch no database, so `casefile import` runs them on a second
 * thread (see ingest.h for the rules).
 *
 * Objects created by this batch are remembered until the commit.  When the
 * item or the whole batch is rolled back they are unlinked again, so a
 * failed command (disk full, permissions) leaves neither a row nor a stray
 * object.  Two rules keep that from ever removing an object somebody else
 * relies on:
 *  - puts only happen inside one of our write transactions (the gate:
 *    ingest_stage holds it while it puts, a commit from COMMIT to the next
 *    BEGIN), so no other process can start to use an object between its
 *    creation and our next commit or rollback;
 *  - a pipeline may record an object in the transaction after the one in
 *    which it was put (the reader runs on while the recorder commits), and
 *    between those two transactions another process may have recorded the
 *    same bytes.  So a whole batch's rollback re-checks each object under a
 *    fresh write lock and keeps those that a committed row names.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uninorm.h>

#include "casefile/buf.h"
#include "casefile/db.h"
#include "casefile/db_stmt.h"
#include "casefile/ingest.h"
#include "casefile/ledger.h"
#include "casefile/order_id.h"
#include "casefile/parse.h"
#include "casefile/parsed_writer.h"
#include "casefile/textenc.h"
#include "casefile/version.h"
#include "casefile/who.h"
#include "casefile/xalloc.h"

/* Bytes kept in memory for parsing; larger files are parsed via the fd. */
#define KEEP_MAX INGEST_KEEP_MAX
/*
 * Of a file known to be larger than KEEP_MAX only this head is kept: the
 * parser sniffs a prefix and reads the rest through the object's fd anyway,
 * and 16 MiB kept per video was a third of the command's memory (issue 19).
 */
#define KEEP_HEAD (256u << 10)
/* Kept bytes above which ingest_stage() parses even when not asked to. */
#define STAGE_RAW_MAX (256u << 10)

struct ingest {
	struct vault *v;
	struct cf_db *db;
	ingest_warn_fn warn;
	void *cookie;
	int open;		/* a transaction is open (written under gate) */
	pthread_mutex_t gate;	/* held by a put, and by a commit until BEGIN */
	char *user, *host;
	struct cf_buf keep;
	struct db_stmt *q_dup, *q_obj, *q_ev, *q_warn, *q_savepoint, *q_release;
	struct parsed_writer *pw;	/* the parsed rows' INSERTs */
	int no_savepoints;	/* ingest_whole_batch() */
	int shared;		/* ingest_begin_shared() on a db_shared() vault */
	int failed;		/* a record failed without a savepoint */
	struct ledger_writer *lw;	/* appends each new row's leaf */
	unsigned char (*created)[CF_SHA256_LEN]; /* objects new in this batch */
	size_t ncreated, capcreated;
};

static void
created_add(struct ingest *in, const unsigned char sha[CF_SHA256_LEN])
{
	if (in->shared)
		return;	/* another writer may record them at once: never removed */
	if (in->ncreated == in->capcreated) {
		in->capcreated = in->capcreated ? 2 * in->capcreated : 256;
		in->created = xreallocarray(in->created, in->capcreated, CF_SHA256_LEN);
	}
	memcpy(in->created[in->ncreated++], sha, CF_SHA256_LEN);
}

/* Unlink the objects created since index `from` (rollback). */
static void
created_unlink(struct ingest *in, size_t from)
{
	size_t i;

	for (i = from; i < in->ncreated; i++) {
		char *path = vault_object_path(in->v, in->created[i]);

		unlink(path);
		free(path);
	}
	in->ncreated = from;
}

/*
 * After a whole batch was rolled back: unlink the objects it created,
 * except those a committed row names (see the top comment).  Needs the
 * write lock to look; without it they stay (stray objects, which `casefile
 * audit` reports and a re-run uses, rather than a lost one).
 */
static void
created_cleanup(struct ingest *in)
{
	struct db_stmt *q = NULL;
	size_t i, keep = 0;

	if (in->ncreated == 0)
		return;
	if (db_prepare(in->db, "SELECT 1 FROM objects WHERE sha256 = ?", &q, NULL) < 0 ||
	    db_begin(in->db, NULL) < 0) {
		db_finalize(q);
		in->ncreated = 0;
		return;
	}
	for (i = 0; i < in->ncreated; i++) {
		int named;

		db_bind_blob(q, 1, in->created[i], CF_SHA256_LEN, DB_STATIC);
		named = db_step(q);
		db_reset(q);
		if (named == DB_DONE)
			memcpy(in->created[keep++], in->created[i], CF_SHA256_LEN);
	}
	in->ncreated = keep;
	created_unlink(in, 0);
	db_rollback(in->db);
	db_finalize(q);
}

/*
 * The evidence row.  Where other writers record at once (shared), OR
 * IGNORE: the same row committed by another since the duplicate check is a
 * duplicate (no id returned), not an error; PostgreSQL's ON CONFLICT DO
 * NOTHING ignores only that conflict.  RETURNING gives the id in the same
 * round trip.
 */
#define SQL_EVIDENCE_INSERT \
	"INTO evidence(order_id, kind, sha256, size, name, name_raw, source_path, rel_path," \
	" mtime, ingested_at, tool_version, user, host, note, bundle, leaf_version)" \
	" VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"

static int
prepare_all(struct ingest *in, struct cf_err *err)
{
	if (db_prepare(in->db, "SELECT id, kind FROM evidence WHERE order_id = ? AND sha256 = ?"
			   " AND name_raw = ? AND ifnull(rel_path, '') = ifnull(?, '')",
		       &in->q_dup, err) < 0 ||
	    db_prepare(in->db, "INSERT OR IGNORE INTO objects(sha256, size, stored_at) VALUES(?, ?, ?)",
		       &in->q_obj, err) < 0 ||
	    db_prepare(in->db, in->shared ? "INSERT OR IGNORE " SQL_EVIDENCE_INSERT " RETURNING id"
					  : "INSERT " SQL_EVIDENCE_INSERT, &in->q_ev, err) < 0 ||
	    db_prepare(in->db, "INSERT INTO warnings(evidence_id, seq, message) VALUES(?, ?, ?)",
		       &in->q_warn, err) < 0 ||
	    db_prepare(in->db, "SAVEPOINT item", &in->q_savepoint, err) < 0 ||
	    db_prepare(in->db, "RELEASE item", &in->q_release, err) < 0 ||
	    ledger_writer_open(in->db, &in->lw, err) < 0)
		return -1;
	in->pw = parsed_writer_new(in->db);
	if (in->shared)
		ledger_writer_queue(in->lw);
	return 0;
}

void
ingest_set_who(struct ingest *in, const char *user, const char *host)
{
	free(in->user);
	free(in->host);
	in->user = xstrdup(user);
	in->host = xstrdup(host);
}

static int
begin(struct vault *v, int shared, ingest_warn_fn warn, void *cookie, struct ingest **out,
      struct cf_err *err)
{
	struct ingest *in = xcalloc(1, sizeof(*in));

	in->v = v;
	in->db = vault_db(v);
	in->shared = shared && db_shared(in->db);
	in->warn = warn;
	in->cookie = cookie;
	in->user = who_user_new(NULL);
	in->host = who_host_new();
	pthread_mutex_init(&in->gate, NULL);	/* cannot fail for default attributes */
	cf_buf_init(&in->keep);
	if (db_tune_bulk(in->db, err) < 0 || prepare_all(in, err) < 0 ||
	    (in->shared ? db_begin_shared(in->db, err) : db_begin(in->db, err)) < 0) {
		ingest_free(in);
		return -1;
	}
	in->open = 1;
	*out = in;
	return 0;
}

int
ingest_begin(struct vault *v, ingest_warn_fn warn, void *cookie, struct ingest **out,
	     struct cf_err *err)
{
	return begin(v, 0, warn, cookie, out, err);
}

int
ingest_begin_shared(struct vault *v, ingest_warn_fn warn, void *cookie, struct ingest **out,
		    struct cf_err *err)
{
	return begin(v, 1, warn, cookie, out, err);
}

/* The name as NFC UTF-8; invalid bytes become U+FFFD. */
static char *
name_nfc(const char *raw)
{
	struct cf_buf b = CF_BUF_INIT;
	const uint8_t *p = (const uint8_t *)raw, *end = p + strlen(raw);
	uint8_t *nfc;
	size_t len = 0;

	while (p < end) {
		unsigned uc;
		size_t k = textenc_utf8_next(p, (size_t)(end - p), &uc);

		if (k == 1 && uc == 0xFFFD)
			cf_buf_add(&b, "\xEF\xBF\xBD", 3);
		else
			cf_buf_add(&b, p, k);
		p += k;
	}
	nfc = u8_normalize(UNINORM_NFC, (const uint8_t *)b.data, b.len, NULL, &len);
	if (nfc == NULL)
		return cf_buf_detach(&b, NULL);
	cf_buf_release(&b);
	{
		char *s = xmemdup(nfc, len);

		free(nfc);
		return s;
	}
}

static void
bind_text_or_null(struct db_stmt *st, int i, const char *s)
{
	if (s)
		db_bind_text(st, i, s, -1, DB_TRANSIENT);
	else
		db_bind_null(st, i);
}

static int
step_done(struct ingest *in, struct db_stmt *st, const char *what, struct cf_err *err)
{
	int rc = db_step(st);

	db_reset(st);
	if (rc != DB_DONE)
		return db_err(in->db, err, "%s", what);
	return 0;
}

static void
item_warn(struct ingest *in, const struct ingest_item *it, const char *msg, int bad)
{
	if (in->warn)
		in->warn(in->cookie, it, msg, bad);
}

static int
add_warning(struct ingest *in, int64_t id, int seq, const char *msg, struct cf_err *err)
{
	db_bind_int64(in->q_warn, 1, id);
	db_bind_int(in->q_warn, 2, seq);
	db_bind_text(in->q_warn, 3, msg, -1, DB_TRANSIENT);
	return step_done(in, in->q_warn, "cannot record a warning", err);
}

/* One item stored and parsed, waiting to be recorded (ingest.h). */
struct ingest_staged {
	struct ingest_item it;		/* strings owned by `strings` */
	char *strings;
	struct vault_put_result put;
	struct parsed *parsed;		/* NULL: not parsed yet */
	struct cf_buf raw;		/* then: the kept bytes */
	int complete;			/* raw holds all of them */
};

static char *
copy_str(const char *s, char **at)
{
	char *d;
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	d = memcpy(*at, s, n);
	*at += n;
	return d;
}

static struct ingest_staged *
staged_new(const struct ingest_item *it)
{
	const char *const f[] = { it->order_id, it->name, it->source_path, it->rel_path,
				  it->note, it->bundle, it->name_raw };
	struct ingest_staged *s = xcalloc(1, sizeof(*s));
	size_t i, len = 0;
	char *at;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		len += f[i] ? strlen(f[i]) + 1 : 0;
	s->strings = at = xmalloc(len ? len : 1);
	s->it = *it;
	s->it.order_id = copy_str(it->order_id, &at);
	s->it.name = copy_str(it->name, &at);
	s->it.source_path = copy_str(it->source_path, &at);
	s->it.rel_path = copy_str(it->rel_path, &at);
	s->it.note = copy_str(it->note, &at);
	s->it.bundle = copy_str(it->bundle, &at);
	s->it.name_raw = copy_str(it->name_raw, &at);
	return s;
}

static void
staged_free(struct ingest_staged *s)
{
	parsed_free(s->parsed);
	cf_buf_release(&s->raw);
	free(s->strings);
	free(s);
}

/* Parse the stored content: data/n kept in memory, the rest via the object. */
static int
stage_parse(struct ingest *in, struct ingest_staged *s, const void *data, size_t n,
	    int complete, struct cf_err *err)
{
	int ofd = -1, r;

	/* Only content too large to keep in memory is read back from the object. */
	if (!complete && vault_object_open(in->v, s->put.sha256, &ofd, err) < 0)
		return -1;
	r = parse_classify(data, n, complete, s->put.size, ofd, s->it.name,
			   s->it.rel_path ? s->it.rel_path : s->it.source_path, s->it.kind,
			   &s->parsed, err);
	/* an order export: this order's record (parse.h) */
	if (r == 0)
		parsed_select_order(s->parsed, s->it.order_id);
	if (ofd >= 0)
		close(ofd);
	return r;
}

int
ingest_stage(struct ingest *in, const struct ingest_item *it, vault_read_fn fn, void *cookie,
	     int fd, int parse_now, struct ingest_staged **out, struct cf_err *err)
{
	struct ingest_staged *s;
	int complete = 0, r;

	if (!order_id_valid(it->order_id))
		return cf_err_set(err, CF_EINPUT,
				  "bad order id '%s': use 1 to 64 letters, digits, '_' or '-'",
				  it->order_id);
	s = staged_new(it);
	cf_buf_reset(&in->keep);
	/*
	 * The parse runs under the gate too: should it fail, the object this
	 * put created is removed in the same transaction that saw it made, so
	 * no other process can have started to use it.
	 */
	pthread_mutex_lock(&in->gate);
	if (!in->open)
		r = cf_err_set(err, CF_EIO, "the batch has ended");
	else if (fd >= 0) {
		struct stat sb;
		size_t keep_max = KEEP_MAX;

		/*
		 * Room for the kept bytes in one allocation: growing it step by
		 * step leaves the allocator (mimalloc) holding about as much
		 * again, which counted against a large chat log's parse.
		 */
		if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0) {
			if ((uint64_t)sb.st_size > KEEP_MAX)
				keep_max = KEEP_HEAD;
			cf_buf_grow(&in->keep, (uint64_t)sb.st_size < keep_max ? (size_t)sb.st_size
										: keep_max);
		}
		r = vault_put_fd(in->v, fd, &in->keep, keep_max, &complete, &s->put, err);
	}
	else
		r = vault_put(in->v, fn, cookie, &in->keep, KEEP_MAX, &complete, &s->put, err);
	/*
	 * A pipeline queues what it staged: a large file's kept bytes waiting
	 * there for the recording side to parse them held up to the queue's
	 * 24 MB of photos (peak RSS 31 -> 53 MB in bench/ingest.sh), while the
	 * parse leaves a few facts.  So such a file is parsed here anyway.
	 */
	if (r == 0 && !parse_now && in->keep.len > STAGE_RAW_MAX)
		parse_now = 1;
	if (r == 0 && parse_now &&
	    (r = stage_parse(in, s, in->keep.data, in->keep.len, complete, err)) < 0 &&
	    s->put.created && !in->shared) {
		/* Nothing can refer to an object this very put created: drop it. */
		char *path = vault_object_path(in->v, s->put.sha256);

		unlink(path);
		free(path);
	}
	pthread_mutex_unlock(&in->gate);
	if (r < 0) {
		staged_free(s);
		return -1;
	}
	if (!parse_now) {
		/* the recording side parses: hand it the kept bytes */
		s->raw = in->keep;
		cf_buf_init(&in->keep);
		s->complete = complete;
	}
	*out = s;
	return 0;
}

uint64_t
ingest_staged_cost(const struct ingest_staged *s)
{
	enum cf_kind k;

	if (s->parsed == NULL)
		return s->raw.len;
	/* parsed text keeps about its own size in rows; media only a few facts */
	k = parsed_kind(s->parsed);
	if (k == CF_KIND_CHAT || k == CF_KIND_LOGISTICS || k == CF_KIND_ORDER)
		return s->put.size < KEEP_MAX ? s->put.size : KEEP_MAX;
	return 1024;
}

void
ingest_discard(struct ingest *in, struct ingest_staged *s)
{
	if (s == NULL)
		return;
	/* The object goes when the batch is rolled back (ingest_free). */
	if (s->put.created)
		created_add(in, s->put.sha256);
	staged_free(s);
}

static int seal_note(struct cf_db *db, struct ledger_writer *w, int64_t evidence_id,
		     const char *order_id, const char *note, int64_t at, const char *who,
		     struct cf_err *err);

/* 1 when the item is already recorded: res says which row. */
static int
find_duplicate(struct ingest *in, const struct ingest_staged *s, struct ingest_result *res)
{
	const struct ingest_item *it = &s->it;
	int found = 0;

	db_bind_text(in->q_dup, 1, it->order_id, -1, DB_STATIC);
	db_bind_blob(in->q_dup, 2, s->put.sha256, CF_SHA256_LEN, DB_STATIC);
	db_bind_blob(in->q_dup, 3, it->name, (int)strlen(it->name), DB_STATIC);
	bind_text_or_null(in->q_dup, 4, it->rel_path);
	if (db_step(in->q_dup) == DB_ROW) {
		enum cf_kind k;

		res->evidence_id = db_col_int64(in->q_dup, 0);
		res->duplicate = 1;
		res->kind = cf_kind_from_name((const char *)db_col_text(in->q_dup, 1), &k) == 0
				    ? cf_kind_name(k) : "other";
		found = 1;
	}
	db_reset(in->q_dup);
	return found;
}

/* Record a staged item (inside the savepoint). */
static int
record_item(struct ingest *in, struct ingest_staged *s, struct ingest_result *res,
	    struct cf_err *err)
{
	const struct ingest_item *it = &s->it;
	const struct vault_put_result *put = &s->put;
	const struct parsed *p = s->parsed;
	char *nfc = NULL, *extra = NULL, *note = NULL;
	int ret = -1, seq = 0;
	size_t i;
	int64_t id, ingested_at;
	struct ledger_leaf leaf;
	const char *raw;
	int raw_leaf;

	memset(res, 0, sizeof(*res));
	memcpy(res->sha256, put->sha256, CF_SHA256_LEN);
	res->size = put->size;
	res->new_object = put->created;

	/*
	 * Shared: no separate check, the evidence row's INSERT ... OR IGNORE
	 * below is one (a round trip less per item; the item is parsed even
	 * when it turns out to be a duplicate).
	 */
	if (!in->shared && find_duplicate(in, s, res))
		return 0;
	if (p == NULL) {
		if (stage_parse(in, s, s->raw.data, s->raw.len, s->complete, err) < 0)
			return -1;
		cf_buf_release(&s->raw);
		p = s->parsed;
	}
	res->kind = cf_kind_name(parsed_kind(p));

	db_bind_blob(in->q_obj, 1, put->sha256, CF_SHA256_LEN, DB_STATIC);
	db_bind_int64(in->q_obj, 2, (int64_t)put->size);
	db_bind_int64(in->q_obj, 3, (int64_t)time(NULL));
	if (step_done(in, in->q_obj, "cannot record the object", err) < 0)
		goto out;

	nfc = name_nfc(it->name);
	db_bind_text(in->q_ev, 1, it->order_id, -1, DB_STATIC);
	db_bind_text(in->q_ev, 2, res->kind, -1, DB_STATIC);
	db_bind_blob(in->q_ev, 3, put->sha256, CF_SHA256_LEN, DB_STATIC);
	db_bind_int64(in->q_ev, 4, (int64_t)put->size);
	db_bind_text(in->q_ev, 5, nfc, -1, DB_STATIC);
	raw = it->name_raw ? it->name_raw : it->name;
	db_bind_blob(in->q_ev, 6, raw, (int)strlen(raw), DB_STATIC);
	/* a name whose bytes are not its display form: bind them (leaf v3) */
	raw_leaf = strcmp(raw, nfc) != 0;
	db_bind_int(in->q_ev, 16, raw_leaf ? LEDGER_LEAF_VERSION_RAW : LEDGER_LEAF_VERSION);
	bind_text_or_null(in->q_ev, 7, it->source_path);
	bind_text_or_null(in->q_ev, 8, it->rel_path);
	if (it->mtime >= 0)
		db_bind_int64(in->q_ev, 9, it->mtime);
	else
		db_bind_null(in->q_ev, 9);
	ingested_at = (int64_t)time(NULL);
	db_bind_int64(in->q_ev, 10, (int64_t)ingested_at);
	db_bind_text(in->q_ev, 11, CASEFILE_VERSION, -1, DB_STATIC);
	db_bind_text(in->q_ev, 12, in->user, -1, DB_STATIC);
	db_bind_text(in->q_ev, 13, in->host, -1, DB_STATIC);
	note = db_text_for(in->db, it->note);	/* stored and sealed alike */
	bind_text_or_null(in->q_ev, 14, note);
	bind_text_or_null(in->q_ev, 15, it->bundle);
	if (in->shared) {
		int rc = db_step(in->q_ev);

		id = rc == DB_ROW ? db_col_int64(in->q_ev, 0) : 0;
		db_reset(in->q_ev);
		if (rc != DB_ROW && rc != DB_DONE) {
			db_err(in->db, err, "cannot record the evidence");
			goto out;
		}
		if (rc == DB_DONE) {
			/* recorded before, by this run or another writer */
			ret = find_duplicate(in, s, res) ? 0
				: cf_err_set(err, CF_EDB, "the evidence row was neither added nor found");
			goto out;
		}
	} else {
		if (step_done(in, in->q_ev, "cannot record the evidence", err) < 0)
			goto out;
		id = db_last_insert_id(in->db);
	}
	res->evidence_id = id;

	/* Ledger leaf: appended here, in the same transaction (ledger.h). */
	leaf.order_id = it->order_id;
	leaf.kind = res->kind;
	memcpy(leaf.sha256, put->sha256, CF_SHA256_LEN);
	leaf.size = put->size;
	leaf.name = nfc;
	leaf.ingested_at = ingested_at;
	leaf.version = raw_leaf ? LEDGER_LEAF_VERSION_RAW : LEDGER_LEAF_VERSION;
	leaf.name_raw = (const unsigned char *)raw;
	leaf.name_raw_len = strlen(raw);
	if (ledger_writer_append(in->lw, &leaf, id, NULL, err) < 0)
		goto out;
	if (it->note) {
		char *who = xasprintf("%s@%s", in->user, in->host);
		int r = seal_note(in->db, in->lw, id, it->order_id, note, ingested_at, who,
				  err);

		free(who);
		if (r < 0)
			goto out;
	}

	if (parsed_writer_store(in->pw, p, id, err) < 0)
		goto out;
	for (i = 0; i < parsed_warning_count(p); i++) {
		const char *msg = parsed_warning(p, i);
		int bad = parsed_warning_bad(p, i);

		if (add_warning(in, id, seq++, msg, err) < 0)
			goto out;
		if (bad)
			res->nbad++;
		else
			res->nnotes++;
		item_warn(in, it, msg, bad);
	}
	if ((extra = ingest_order_note(p, it->order_id)) != NULL) {
		if (add_warning(in, id, seq++, extra, err) < 0)
			goto out;
		res->nnotes++;
		item_warn(in, it, extra, 0);
	}
	ret = 0;
out:
	free(nfc);
	free(extra);
	free(note);
	return ret;
}

/* The note's annotation leaf: through w (queued in shared mode) when not NULL. */
static int
seal_note(struct cf_db *db, struct ledger_writer *w, int64_t evidence_id, const char *order_id,
	  const char *note, int64_t at, const char *who, struct cf_err *err)
{
	char *subject = xasprintf("evidence %lld", (long long)evidence_id);
	struct ledger_annotation a = { INGEST_NOTE_TYPE, order_id, subject, at, who, note,
				       strlen(note) };
	int r = w ? ledger_writer_append_annotation(w, &a, err)
		  : ledger_append_annotation(db, &a, NULL, err);

	free(subject);
	return r;
}

int
ingest_seal_note(struct cf_db *db, int64_t evidence_id, const char *order_id, const char *note,
		 int64_t at, const char *who, struct cf_err *err)
{
	return seal_note(db, NULL, evidence_id, order_id, note, at, who, err);
}

int
ingest_seal_notes(struct cf_db *db, uint64_t *added, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	uint64_t n = 0;
	int own = !db_in_transaction(db), rc, ret = -1;

	if (own && db_begin(db, err) < 0)
		return -1;
	if (db_prepare(db, "SELECT id, order_id, note, ingested_at, coalesce(user, 'unknown') || "
			   "'@' || coalesce(host, 'unknown') FROM evidence e WHERE note IS NOT NULL "
			   "AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.type = '"
			   INGEST_NOTE_TYPE "' AND a.subject = 'evidence ' || e.id) ORDER BY id",
		       &st, err) < 0)
		goto out;
	while ((rc = db_step(st)) == DB_ROW) {
		if (ingest_seal_note(db, db_col_int64(st, 0),
				     (const char *)db_col_text(st, 1),
				     (const char *)db_col_text(st, 2),
				     db_col_int64(st, 3),
				     (const char *)db_col_text(st, 4), err) < 0)
			goto out;
		n++;
	}
	if (rc != DB_DONE) {
		db_err(db, err, "cannot read the notes");
		goto out;
	}
	db_finalize(st);
	st = NULL;
	if (own) {
		own = 0;
		if (db_commit(db, err) < 0)
			goto out;
	}
	if (added)
		*added = n;
	ret = 0;
out:
	db_finalize(st);
	if (own)
		db_rollback(db);
	return ret;
}

char *
ingest_order_note(const struct parsed *p, const char *order_id)
{
	const char *stated = parsed_order_id(p);

	if (stated == NULL || strcmp(stated, order_id) == 0)
		return NULL;
	return xasprintf("the file names order '%s' but was ingested for order '%s'",
			 stated, order_id);
}

/* record_item() inside SAVEPOINT item: on -1 the item left no row and no leaf. */
static int
record_saved(struct ingest *in, struct ingest_staged *s, struct ingest_result *res,
	     struct cf_err *err)
{
	size_t mark = in->ncreated, queued = ledger_writer_queued(in->lw);

	if (step_done(in, in->q_savepoint, "cannot start the item's savepoint", err) < 0 ||
	    record_item(in, s, res, err) < 0) {
		db_exec_quiet(in->db, "ROLLBACK TO item; RELEASE item");
		created_unlink(in, mark);
		ledger_writer_truncate(in->lw, queued);
		return -1;
	}
	return step_done(in, in->q_release, "cannot release the item's savepoint", err);
}

static int commit_batch(struct ingest *in, int reopen, struct cf_err *err);

/*
 * Shared mode: another writer holds an uncommitted row of this item (the
 * same object or evidence row, db_begin_shared).  Commit this batch, so
 * that nothing is held, then record the item again waiting for the other
 * writer: once it commits the item is a duplicate; if it rolls back, new.
 */
static int
record_after_wait(struct ingest *in, struct ingest_staged *s, struct ingest_result *res,
		  struct cf_err *err)
{
	int r;

	cf_err_release(err);
	if (commit_batch(in, 1, err) < 0 || db_wait_rows(in->db, 1, err) < 0)
		return -1;
	r = record_saved(in, s, res, err);
	if (db_wait_rows(in->db, 0, r < 0 ? NULL : err) < 0)
		r = -1;
	return r;
}

int
ingest_record(struct ingest *in, struct ingest_staged *s, struct ingest_result *res,
	      struct cf_err *err)
{
	int r;

	if (!in->open)
		CF_BUG("ingest used after commit");
	if (in->failed)
		CF_BUG("ingest used after a failed record without savepoints");
	if (s->put.created)
		created_add(in, s->put.sha256);
	if (in->no_savepoints && !in->shared) {
		if (record_item(in, s, res, err) < 0)
			in->failed = 1;	/* only ingest_free() is left: it rolls back */
		staged_free(s);
		return in->failed ? -1 : 0;
	}
	/* shared: a savepoint per item, so that a conflict costs no more than it */
	r = record_saved(in, s, res, err);
	if (r < 0 && in->shared && db_last_busy(in->db))
		r = record_after_wait(in, s, res, err);
	staged_free(s);
	return r;
}

void
ingest_whole_batch(struct ingest *in)
{
	in->no_savepoints = 1;
}

static int
ingest_item(struct ingest *in, const struct ingest_item *it, vault_read_fn fn, void *cookie,
	    int fd, struct ingest_result *res, struct cf_err *err)
{
	struct ingest_staged *s;

	if (!in->open)	/* before storing anything (ingest_record checks it too late) */
		CF_BUG("ingest used after commit");
	if (ingest_stage(in, it, fn, cookie, fd, 1, &s, err) < 0)
		return -1;
	return ingest_record(in, s, res, err);
}

int
ingest_fd(struct ingest *in, const struct ingest_item *it, int fd, struct ingest_result *res,
	  struct cf_err *err)
{
	return ingest_item(in, it, NULL, NULL, fd, res, err);
}

int
ingest_stream(struct ingest *in, const struct ingest_item *it, vault_read_fn fn, void *cookie,
	      struct ingest_result *res, struct cf_err *err)
{
	return ingest_item(in, it, fn, cookie, -1, res, err);
}

/*
 * Make the batch's objects durable and COMMIT; with reopen, BEGIN the next
 * batch before a stage can put again (the gate).  On -1 the batch is over:
 * either rolled back (its objects are left for ingest_free() to clean up),
 * or committed but no new one started.
 */
static int
commit_batch(struct ingest *in, int reopen, struct cf_err *err)
{
	int r;

	if (!in->open)
		CF_BUG("ingest committed twice");
	if (in->failed)
		CF_BUG("ingest commit after a failed record without savepoints");
	if (vault_sync(in->v, err) < 0)
		return -1;	/* still open: ingest_free() rolls back */
	pthread_mutex_lock(&in->gate);
	/* shared: the batch's leaves, under the write lock until COMMIT */
	if ((r = ledger_writer_flush(in->lw, err)) < 0)
		db_rollback(in->db);
	else if ((r = db_commit(in->db, err)) == 0) {
		in->ncreated = 0;
		if (reopen)
			r = in->shared ? db_begin_shared(in->db, err) : db_begin(in->db, err);
	}
	in->open = reopen && r == 0;
	pthread_mutex_unlock(&in->gate);
	return r;
}

int
ingest_commit(struct ingest *in, struct cf_err *err)
{
	return commit_batch(in, 0, err);
}

int
ingest_checkpoint(struct ingest *in, struct cf_err *err)
{
	return commit_batch(in, 1, err);
}

void
ingest_free(struct ingest *in)
{
	if (in == NULL)
		return;
	if (in->open)
		db_rollback(in->db);
	created_cleanup(in);
	pthread_mutex_destroy(&in->gate);
	free(in->created);
	db_finalize(in->q_dup);
	db_finalize(in->q_obj);
	db_finalize(in->q_ev);
	db_finalize(in->q_warn);
	db_finalize(in->q_savepoint);
	db_finalize(in->q_release);
	parsed_writer_free(in->pw);
	ledger_writer_close(in->lw);
	cf_buf_release(&in->keep);
	free(in->user);
	free(in->host);
	free(in);
}

/* SPDX-License-Identifier: MIT */
/*
 * db — SQLite handle setup and forward-only schema migrations.
 *
 * Migration i (1-based) takes a database from user_version i-1 to i.  Each
 * runs in its own IMMEDIATE transaction together with the user_version
 * bump, so a crash leaves the database at a whole version.  Never edit a
 * released migration: add a new one.
 */
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casefile/db_stmt.h"
#include "casefile/sqlpg.h"
#include "casefile/xalloc.h"
#include "db_int.h"

#define DB_BUSY_TIMEOUT_MS 60000

/* A waiting writer says so (db_wait.notice) after this long. */
#define DB_WAIT_NOTICE_MS 1000

/* v1: objects, evidence and everything parsed from them. */
static const char schema_v1[] =
	"CREATE TABLE meta(\n"
	"  key TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL);\n"
	"CREATE TABLE objects(\n"
	"  sha256 BLOB PRIMARY KEY CHECK(length(sha256) = 32),\n"
	"  size INTEGER NOT NULL CHECK(size >= 0),\n"
	"  stored_at INTEGER NOT NULL) WITHOUT ROWID;\n"
	"CREATE TABLE evidence(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  order_id TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK(kind IN ('chat','logistics','order','photo',"
	"'video','receipt','other')),\n"
	"  sha256 BLOB NOT NULL REFERENCES objects(sha256),\n"
	"  size INTEGER NOT NULL,\n"
	"  name TEXT NOT NULL,          -- NFC UTF-8 base name\n"
	"  name_raw BLOB NOT NULL,      -- the name's bytes as found\n"
	"  source_path TEXT,            -- path as given / inside the bundle\n"
	"  rel_path TEXT,               -- path under the order folder\n"
	"  mtime INTEGER,               -- source file mtime, UTC seconds\n"
	"  ingested_at INTEGER NOT NULL,\n"
	"  tool_version TEXT NOT NULL,\n"
	"  user TEXT,\n"
	"  host TEXT,\n"
	"  note TEXT,\n"
	"  bundle TEXT,\n"
	"  leaf_index INTEGER UNIQUE,   -- position in the Merkle ledger\n"
	"  UNIQUE(order_id, sha256));\n"
	"CREATE INDEX evidence_order ON evidence(order_id, id);\n"
	"CREATE TABLE warnings(\n"
	"  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL,\n"
	"  message TEXT NOT NULL,\n"
	"  PRIMARY KEY(evidence_id, seq)) WITHOUT ROWID;\n"
	"CREATE TABLE order_records(\n"
	"  evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  order_id TEXT, shop TEXT,\n"
	"  created_at INTEGER, paid_at INTEGER, shipped_at INTEGER, delivered_at INTEGER,\n"
	"  buyer_nick TEXT, buyer_phone TEXT, buyer_address TEXT,\n"
	"  total_fen INTEGER, currency TEXT,\n"
	"  pay_method TEXT, pay_txn TEXT,\n"
	"  extra TEXT);                 -- JSON of fields not mapped above\n"
	"CREATE TABLE order_items(\n"
	"  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL,\n"
	"  sku TEXT, title TEXT, qty INTEGER, price_fen INTEGER,\n"
	"  PRIMARY KEY(evidence_id, seq)) WITHOUT ROWID;\n"
	"CREATE TABLE messages(\n"
	"  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL,\n"
	"  time INTEGER,                -- NULL when the time could not be read\n"
	"  sender TEXT NOT NULL CHECK(sender IN ('buyer','merchant','platform','system')),\n"
	"  sender_raw TEXT,\n"
	"  name TEXT,\n"
	"  text TEXT NOT NULL,\n"
	"  attachments TEXT,            -- JSON array of names, or NULL\n"
	"  PRIMARY KEY(evidence_id, seq)) WITHOUT ROWID;\n"
	"CREATE TABLE logistics(\n"
	"  evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  carrier TEXT, tracking_no TEXT);\n"
	"CREATE TABLE logistics_events(\n"
	"  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL,\n"
	"  time INTEGER,\n"
	"  status TEXT,                 -- collected in_transit out_for_delivery delivered exception returned, or NULL\n"
	"  status_raw TEXT,\n"
	"  location TEXT,\n"
	"  description TEXT,\n"
	"  PRIMARY KEY(evidence_id, seq)) WITHOUT ROWID;\n"
	"CREATE TABLE media(\n"
	"  evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  format TEXT,                 -- jpeg png webp heic mp4 mov pdf ...\n"
	"  width INTEGER, height INTEGER,\n"
	"  orientation INTEGER,         -- EXIF 1..8\n"
	"  captured_at INTEGER,         -- EXIF DateTimeOriginal, read as China time\n"
	"  has_gps INTEGER NOT NULL DEFAULT 0,\n"
	"  duration_ms INTEGER);\n";

/*
 * v2: the Merkle ledger (see ledger.h for the theory of operation).
 * ledger_nodes holds every complete perfect subtree: level 0 = leaf hashes,
 * level L idx i = MTH of leaves [i*2^L, (i+1)*2^L).  heads holds one row per
 * seal: the signed checkpoint text exactly as signed, its RFC 3161 token,
 * and the consistency proof from the previous head (concatenated 32-byte
 * hashes, RFC 9162 order; empty for the first head).
 */
static const char schema_v2[] =
	"CREATE TABLE ledger_nodes(\n"
	"  level INTEGER NOT NULL CHECK(level BETWEEN 0 AND 63),\n"
	"  idx INTEGER NOT NULL CHECK(idx >= 0),\n"
	"  hash BLOB NOT NULL CHECK(length(hash) = 32),\n"
	"  PRIMARY KEY(level, idx)) WITHOUT ROWID;\n"
	"CREATE TABLE heads(\n"
	"  tree_size INTEGER PRIMARY KEY CHECK(tree_size > 0),\n"
	"  root BLOB NOT NULL CHECK(length(root) = 32),\n"
	"  created_at INTEGER NOT NULL,   -- seal time, UTC seconds (local clock)\n"
	"  origin TEXT NOT NULL,          -- checkpoint origin line = key name\n"
	"  checkpoint TEXT NOT NULL,      -- signed note, byte-exact\n"
	"  key_id BLOB,                   -- 4-byte signed-note key ID\n"
	"  tst BLOB,                      -- RFC 3161 token (DER) over checkpoint\n"
	"  tsa_url TEXT,\n"
	"  prev_size INTEGER,             -- previous head, NULL for the first\n"
	"  consistency_proof BLOB NOT NULL DEFAULT x'');\n";

/*
 * v3: disputes (the dispute module).  A dispute is open while closed_at IS
 * NULL; the partial unique index allows one open dispute per order.  deadline
 * holds the effective deadline computed at the last change (explicit
 * --deadline when deadline_source = 'explicit'); amounts are integer fen.
 * Every change is appended to dispute_events (never updated or deleted).
 */
static const char schema_v3[] =
	"CREATE TABLE disputes(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  order_id TEXT NOT NULL,\n"
	"  reason TEXT NOT NULL,         -- quality not_as_described ... other\n"
	"  claim TEXT,                   -- the buyer's claim in their words\n"
	"  amount_fen INTEGER CHECK(amount_fen >= 0),\n"
	"  status TEXT NOT NULL CHECK(status IN ('requested','rejected','arbitration','closed')),\n"
	"  profile TEXT NOT NULL,        -- platform profile name (douyin, wechat, ...)\n"
	"  requested_at INTEGER,         -- buyer asked for the refund\n"
	"  rejected_at INTEGER,          -- merchant rejected it\n"
	"  arbitration_at INTEGER,       -- platform arbitration started\n"
	"  deadline INTEGER,             -- effective deadline, UTC seconds\n"
	"  deadline_source TEXT CHECK(deadline_source IN ('explicit','escalation','evidence')),\n"
	"  outcome TEXT CHECK(outcome IN ('won','lost','settled','withdrawn')),\n"
	"  refunded_fen INTEGER CHECK(refunded_fen >= 0),\n"
	"  resolution TEXT CHECK(resolution IN ('partial_refund','coupon','exchange',"
	"'return_refund','full_refund','none')),\n"
	"  opened_at INTEGER NOT NULL,\n"
	"  closed_at INTEGER,\n"
	"  CHECK((status = 'closed') = (closed_at IS NOT NULL)));\n"
	"CREATE UNIQUE INDEX disputes_one_open ON disputes(order_id) WHERE closed_at IS NULL;\n"
	"CREATE INDEX disputes_order ON disputes(order_id, id);\n"
	"CREATE TABLE dispute_events(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  dispute_id INTEGER NOT NULL REFERENCES disputes(id),\n"
	"  at INTEGER NOT NULL,          -- when the change was recorded, UTC seconds\n"
	"  who TEXT NOT NULL,            -- user@host\n"
	"  kind TEXT NOT NULL CHECK(kind IN ('open','update','note','close')),\n"
	"  what TEXT NOT NULL);          -- one readable line: what changed\n"
	"CREATE INDEX dispute_events_dispute ON dispute_events(dispute_id, id);\n";

/*
 * v4 (parse): what the readers used to fold away.  time_ms is the
 * sub-second part (0..999) of `time` when the original gave one (time stays
 * whole UTC seconds, floored, so every reader of `time` is unchanged), NULL
 * when it gave none.  extra holds the fields beside the text that no column
 * maps (unknown CSV columns, unknown JSON keys) as a JSON object, NULL when
 * there were none; they used to be appended to the text or description.
 * Rows stored before v4 have NULL in both; re-parsing the stored original
 * fills them.
 */
static const char schema_v4_parse[] =
	"ALTER TABLE messages ADD COLUMN time_ms INTEGER CHECK(time_ms BETWEEN 0 AND 999);\n"
	"ALTER TABLE messages ADD COLUMN extra TEXT;\n"
	"ALTER TABLE logistics_events ADD COLUMN time_ms INTEGER "
	"CHECK(time_ms BETWEEN 0 AND 999);\n"
	"ALTER TABLE logistics_events ADD COLUMN extra TEXT;\n";

/*
 * v5: one evidence row per distinct name and place (issue 12).  The same
 * bytes under two names in one order are two rows (and two ledger leaves)
 * sharing one object; the same bytes under the same name stay one row.  The
 * place is rel_path, the path under the order folder of a bundle entry (the
 * same whether the bundle is a zip, a tar or a folder; NULL for `ingest`,
 * where the name alone counts, so a re-run from another directory or with
 * another spelling of the path is still a no-op).  v1's table constraint UNIQUE(order_id, sha256) cannot
 * be dropped in place, so the table is rebuilt as SQLite's ALTER TABLE page
 * describes: migrate() runs with foreign keys off (a DROP TABLE with them on
 * would cascade into every child table) and runs foreign_key_check before
 * COMMIT.  Ids are copied, so every child row keeps its parent; the children
 * name their parent table by name, which the rename restores.
 */
static const char schema_v5_evidence_names[] =
	"CREATE TABLE evidence_v5(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  order_id TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL CHECK(kind IN ('chat','logistics','order','photo',"
	"'video','receipt','other')),\n"
	"  sha256 BLOB NOT NULL REFERENCES objects(sha256),\n"
	"  size INTEGER NOT NULL,\n"
	"  name TEXT NOT NULL,          -- NFC UTF-8 base name\n"
	"  name_raw BLOB NOT NULL,      -- the name's bytes as found\n"
	"  source_path TEXT,            -- path as given / inside the bundle\n"
	"  rel_path TEXT,               -- path under the order folder\n"
	"  mtime INTEGER,               -- source file mtime, UTC seconds\n"
	"  ingested_at INTEGER NOT NULL,\n"
	"  tool_version TEXT NOT NULL,\n"
	"  user TEXT,\n"
	"  host TEXT,\n"
	"  note TEXT,\n"
	"  bundle TEXT,\n"
	"  leaf_index INTEGER UNIQUE);  -- position in the Merkle ledger\n"
	"INSERT INTO evidence_v5(id, order_id, kind, sha256, size, name, name_raw,"
	" source_path, rel_path, mtime, ingested_at, tool_version, user, host, note,"
	" bundle, leaf_index)\n"
	"  SELECT id, order_id, kind, sha256, size, name, name_raw, source_path,"
	" rel_path, mtime, ingested_at, tool_version, user, host, note, bundle,"
	" leaf_index FROM evidence ORDER BY id;\n"
	"DROP TABLE evidence;\n"
	"ALTER TABLE evidence_v5 RENAME TO evidence;\n"
	"CREATE INDEX evidence_order ON evidence(order_id, id);\n"
	"CREATE UNIQUE INDEX evidence_same ON evidence(order_id, sha256, name_raw,"
	" ifnull(rel_path, ''));\n";

/*
 * v6 (sealed annotations): the byte-exact records of the ledger's version 2
 * leaves (ledger.h), one row per leaf, written with the leaf.  Dispute
 * records and events are sealed as such leaves (dispute.c): type
 * 'dispute' (subject 'dispute <id>', the whole disputes row after a change)
 * and 'dispute_event' (subject 'dispute <id> event <event id>').  Rows of a
 * vault made before this version get their leaves at the next seal or
 * change of the dispute (dispute_seal_all), not here: SQL cannot hash.
 */
static const char schema_v6_sealed_annotations[] =
	"CREATE TABLE annotations(\n"
	"  leaf_index INTEGER PRIMARY KEY,\n"
	"  type TEXT NOT NULL,\n"
	"  order_id TEXT NOT NULL,\n"
	"  subject TEXT NOT NULL,\n"
	"  at INTEGER NOT NULL,\n"
	"  who TEXT NOT NULL,\n"
	"  payload BLOB NOT NULL);\n"
	"CREATE INDEX annotations_subject ON annotations(type, subject, leaf_index);\n"
	"CREATE INDEX annotations_order ON annotations(order_id, leaf_index);\n";

/*
 * v7 (issue 17): more than one RFC 3161 token per tree head (tsa.require,
 * `seal --timestamp`), and evidence.leaf_version (raw name bytes, ledger.h).  heads.tst stays the head's first token; every
 * further token, from another TSA or added later, is a row here, in the
 * order it was obtained (seq 1, 2, ...).
 */
static const char schema_v7_head_tokens[] =
	"CREATE TABLE head_tokens(\n"
	"  tree_size INTEGER NOT NULL REFERENCES heads(tree_size),\n"
	"  seq INTEGER NOT NULL,\n"
	"  tsa_url TEXT,\n"
	"  tst BLOB NOT NULL,\n"
	"  added_at INTEGER NOT NULL,\n"
	"  PRIMARY KEY(tree_size, seq));\n"
	/* the leaf format of each evidence row: 1, or 3 when its leaf binds
	   the name's raw bytes (ledger.h); rows from before stay 1 */
	"ALTER TABLE evidence ADD COLUMN leaf_version INTEGER NOT NULL DEFAULT 1"
	" CHECK(leaf_version IN (1, 3));\n";

/*
 * v8: derived evidence (`casefile pack`).  A derivation row marks an
 * evidence row whose object was made by casefile from other objects (an
 * evidence card): the originals by hash (JSON array of hex SHA-256), the
 * parameters that re-derive it byte for byte (JSON, pack.h), the tool and
 * casefile version.  Derived rows are ledger leaves like any other but are
 * not exhibits (exhibits.c leaves them out).
 */
static const char schema_v8_pack[] =
	"CREATE TABLE derivations(\n"
	"  evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  tool TEXT NOT NULL,            -- 'pack-card'\n"
	"  inputs TEXT NOT NULL,          -- JSON array of hex SHA-256\n"
	"  params TEXT NOT NULL,          -- JSON, re-derives the object\n"
	"  casefile_version TEXT NOT NULL,\n"
	"  created_at INTEGER NOT NULL);\n";

/*
 * v9 (roles, issue 15): correcting the record without touching originals.
 *  - evidence_roles: what an item is for (roles.h lists the names); one row
 *    per (item, role), leaf_index = the annotation leaf that added it.
 *  - evidence.supplied_by: who supplied the item (buyer merchant platform
 *    courier), NULL = not said.
 *  - evidence.excluded: the reason the item is left out of dossiers,
 *    checklists and kits, NULL = included.
 *  - evidence.kind_sealed: the kind in the row's version 1 leaf when a tag
 *    has since changed kind; NULL = kind (ledger.h reads
 *    ifnull(kind_sealed, kind), so a re-tag never breaks the ledger).
 *  - messages.sender may be 'unknown': a sender that is neither a shop
 *    agent (vault setting shop.agents) nor the order's buyer nickname.
 *    CHECK constraints cannot be altered, so messages is rebuilt (foreign
 *    keys off, as v5).
 *  - order_records.source_row / order_items.source_row: the row of a
 *    multi-order export (CSV line or XLSX row number, header = 1) the
 *    record came from; the file is the evidence row's object.
 * Every change is also an annotation leaf (type role, supplied_by,
 * exclude, include, kind, note; subject "evidence <id>"): the history that
 * `show ITEM` prints is table annotations.
 */
static const char schema_v9_roles[] =
	"CREATE TABLE evidence_roles(\n"
	"  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  role TEXT NOT NULL CHECK(role IN ('packing','shipping_label','pickup',"
	"'delivery_photo','damage_photo','listing','quality_report','invoice',"
	"'chat','logistics','order','other')),\n"
	"  leaf_index INTEGER,           -- the annotation leaf that added it\n"
	"  PRIMARY KEY(evidence_id, role)) WITHOUT ROWID;\n"
	"CREATE INDEX evidence_roles_role ON evidence_roles(role, evidence_id);\n"
	"ALTER TABLE evidence ADD COLUMN supplied_by TEXT "
	"CHECK(supplied_by IN ('buyer','merchant','platform','courier'));\n"
	"ALTER TABLE evidence ADD COLUMN excluded TEXT;\n"
	"ALTER TABLE evidence ADD COLUMN kind_sealed TEXT;\n"
	"CREATE TABLE messages_v9(\n"
	"  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,\n"
	"  seq INTEGER NOT NULL,\n"
	"  time INTEGER,\n"
	"  sender TEXT NOT NULL CHECK(sender IN ('buyer','merchant','platform','system','unknown')),\n"
	"  sender_raw TEXT,\n"
	"  name TEXT,\n"
	"  text TEXT NOT NULL,\n"
	"  attachments TEXT,\n"
	"  time_ms INTEGER CHECK(time_ms BETWEEN 0 AND 999),\n"
	"  extra TEXT,\n"
	"  PRIMARY KEY(evidence_id, seq)) WITHOUT ROWID;\n"
	"INSERT INTO messages_v9 SELECT evidence_id, seq, time, sender, sender_raw, name,"
	" text, attachments, time_ms, extra FROM messages;\n"
	"DROP TABLE messages;\n"
	"ALTER TABLE messages_v9 RENAME TO messages;\n"
	"ALTER TABLE order_records ADD COLUMN source_row INTEGER;\n"
	"ALTER TABLE order_items ADD COLUMN source_row INTEGER;\n";

static const char *const migrations[] = {
	schema_v1,
	schema_v2,
	schema_v3,
	schema_v4_parse,
	schema_v5_evidence_names,
	schema_v6_sealed_annotations,
	schema_v7_head_tokens,
	schema_v8_pack,
	schema_v9_roles,
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int
db_is_url(const char *where)
{
	return where && (strncmp(where, "postgresql://", 13) == 0 ||
			 strncmp(where, "postgres://", 11) == 0);
}

int
db_schema_version(void)
{
	return NMIGRATIONS;
}

const char *
db_migration_sql(int version)
{
	return version >= 1 && version <= NMIGRATIONS ? migrations[version - 1] : NULL;
}

int
db_err(struct cf_db *db, struct cf_err *err, const char *fmt, ...)
{
	va_list ap;
	char *head;
	sqlite3 *sq = db ? db->sq : NULL;

	if (db && db->pg) {
		va_start(ap, fmt);
		head = xvasprintf(fmt, ap);
		va_end(ap);
		pgdb_err(db, err, head);
		free(head);
		return -1;
	}
	int code = sq ? sqlite3_errcode(sq) : SQLITE_ERROR;
	enum cf_status st = CF_EDB;
	int sys = sq ? sqlite3_system_errno(sq) : 0;

	if (code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_CANTOPEN ||
	    code == SQLITE_READONLY || code == SQLITE_PERM)
		st = CF_EIO;
	va_start(ap, fmt);
	head = xvasprintf(fmt, ap);
	va_end(ap);
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		cf_err_set(err, st, "%s: the vault is busy: another casefile command is "
			   "writing to it", head);
	else if (st == CF_EIO && sys != 0) {
		/* "disk I/O error" alone does not name the cause (a full disk
		   fails the -shm or -wal file as an I/O error). */
		cf_err_set(err, st, "%s: %s (%s)", head, sqlite3_errmsg(sq), strerror(sys));
		err->sys_errno = sys;
	} else
		cf_err_set(err, st, "%s: %s", head, sq ? sqlite3_errmsg(sq) : "out of memory");
	free(head);
	return -1;
}

int
db_exec(struct cf_db *db, const char *sql, struct cf_err *err)
{
	if (db->pg)
		return pgdb_exec(db, sql) == DB_OK ? 0 : db_err(db, err, "vault database");
	if (sqlite3_exec(db->sq, sql, NULL, NULL, NULL) != SQLITE_OK) {
		const char *fn = sqlite3_db_filename(db->sq, "main");

		return db_err(db, err, "database '%s'", fn && *fn ? fn : "(memory)");
	}
	return 0;
}

char *
db_text_for(struct cf_db *db, const char *s)
{
	if (s == NULL)
		return NULL;
	return db->pg ? pgdb_text(s) : xstrdup(s);
}

int
db_tune_bulk(struct cf_db *db, struct cf_err *err)
{
	if (db->pg)
		return 0;
	return db_exec(db, "PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY", err);
}

int
db_begin(struct cf_db *db, struct cf_err *err)
{
	if (db->pg)
		return pgdb_begin(db) == DB_OK ? 0 : db_err(db, err, "cannot start a transaction");
	if (sqlite3_exec(db->sq, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_err(db, err, "cannot start a transaction");
	return 0;
}

int
db_shared(struct cf_db *db)
{
	return db->pg != NULL;
}

int
db_begin_shared(struct cf_db *db, struct cf_err *err)
{
	if (db->pg == NULL)
		return db_begin(db, err);
	return pgdb_begin_shared(db) == DB_OK ? 0 : db_err(db, err, "cannot start a transaction");
}

int
db_lock_writer(struct cf_db *db, struct cf_err *err)
{
	if (db->pg == NULL)
		return 0;	/* BEGIN IMMEDIATE took it */
	return pgdb_lock(db, 1) == DB_OK ? 0 : db_err(db, err, "cannot lock the vault");
}

int
db_wait_rows(struct cf_db *db, int wait, struct cf_err *err)
{
	if (db->pg == NULL)
		return 0;
	return pgdb_exec(db, wait ? "SET LOCAL lock_timeout = 0"
				  : "SET LOCAL lock_timeout = '" PGDB_NO_WAIT "'") == DB_OK
		       ? 0 : db_err(db, err, "cannot set how the transaction waits");
}

int
db_last_busy(struct cf_db *db)
{
	return db->pg ? pgdb_busy(db) : 0;
}

int
db_commit(struct cf_db *db, struct cf_err *err)
{
	if (db->pg) {
		if (pgdb_exec(db, "COMMIT") == DB_OK)
			return 0;
		db_err(db, err, "cannot commit");
		db_rollback(db);
		return -1;
	}
	if (sqlite3_exec(db->sq, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		db_err(db, err, "cannot commit");
		db_rollback(db);
		return -1;
	}
	return 0;
}

void
db_rollback(struct cf_db *db)
{
	if (db && db->pg) {
		if (pgdb_in_transaction(db))
			pgdb_exec(db, "ROLLBACK");
	} else if (db && !sqlite3_get_autocommit(db->sq))
		sqlite3_exec(db->sq, "ROLLBACK", NULL, NULL, NULL);
}

static int
user_version(struct cf_db *db, int *v, struct cf_err *err)
{
	struct db_stmt *st;

	if (db_prepare(db, "PRAGMA user_version", &st, err) < 0)
		return -1;
	if (db_step(st) != DB_ROW) {
		db_finalize(st);
		return db_err(db, err, "cannot read the schema version");
	}
	*v = db_col_int(st, 0);
	db_finalize(st);
	return 0;
}

/* 0 when no row breaks a foreign key (a migration rebuilt a table right). */
static int
foreign_keys_intact(struct cf_db *db, struct cf_err *err)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, "PRAGMA foreign_key_check", &st, err) < 0)
		return -1;
	rc = db_step(st);
	if (rc == DB_ROW)
		cf_err_set(err, CF_EDB, "table '%s' has a row whose '%s' row is missing",
			   (const char *)db_col_text(st, 0),
			   (const char *)db_col_text(st, 2));
	else if (rc != DB_DONE)
		db_err(db, err, "cannot check foreign keys");
	db_finalize(st);
	return rc == DB_DONE ? 0 : -1;
}

/*
 * Bring the schema to NMIGRATIONS.  The write lock is taken only when a
 * migration is due (once per upgrade): opening a current vault never waits
 * for a writer.
 */
static int
migrate_locked(struct cf_db *db, struct cf_err *err)
{
	int v = 0, i;
	char pragma[64];

	if (user_version(db, &v, err) < 0)
		return -1;
	if (v == NMIGRATIONS)
		return 0;
	if (db_begin(db, err) < 0)
		return -1;
	if (user_version(db, &v, err) < 0)
		goto fail;
	if (v > NMIGRATIONS) {
		cf_err_set(err, CF_EINPUT,	/* not a failure of the system: exit 2 */
			   "vault schema %d is newer than this casefile (schema %d): "
			   "upgrade casefile", v, NMIGRATIONS);
		goto fail;
	}
	for (i = v; i < NMIGRATIONS; i++) {
		if (migrations[i][0] && db_exec(db, migrations[i], err) < 0) {
			cf_err_prefix(err, "schema migration %d", i + 1);
			goto fail;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", i + 1);
		if (db_exec(db, pragma, err) < 0)
			goto fail;
	}
	if (v < NMIGRATIONS && foreign_keys_intact(db, err) < 0) {
		cf_err_prefix(err, "schema migration");
		goto fail;
	}
	return db_commit(db, err);
fail:
	db_rollback(db);
	return -1;
}

/*
 * Foreign keys are off while migrations run (they can only be switched
 * outside a transaction): a migration that rebuilds a table drops the old
 * one, which with them on would delete every child row.  Before COMMIT,
 * foreign_key_check proves each child row still has its parent.
 */
static int
migrate(struct cf_db *db, struct cf_err *err)
{
	int r;

	if (db_exec(db, "PRAGMA foreign_keys = OFF", err) < 0)
		return -1;
	r = migrate_locked(db, err);
	if (db_exec(db, "PRAGMA foreign_keys = ON", r < 0 ? NULL : err) < 0)
		r = -1;
	return r;
}

/*
 * Once per process, before the first connection: no allocation statistics
 * (they take a global mutex on every malloc, and casefile never reads them).
 */
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

static void
configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/*
 * The busy handler of a writing connection (see struct db_wait): wait for
 * ever, saying so once after DB_WAIT_NOTICE_MS, or refuse at once.
 */
static int
busy_wait(void *arg, int n)
{
	struct db_wait *w = arg;
	struct timespec ts;
	long ms = n < 10 ? n + 1 : 20;

	if (w->no_wait)
		return 0;
	if (n == 0)
		w->waited_ms = 0;
	if (!w->told && w->waited_ms >= DB_WAIT_NOTICE_MS) {
		w->told = 1;
		if (w->notice)
			w->notice(w->arg);
	}
	ts.tv_sec = 0;
	ts.tv_nsec = ms * 1000000L;
	nanosleep(&ts, NULL);
	w->waited_ms += ms;
	return 1;
}

void
db_set_wait(struct cf_db *db, struct db_wait *w)
{
	if (db->pg) {
		pgdb_set_wait(db, w);
		return;
	}
	if (w)
		sqlite3_busy_handler(db->sq, busy_wait, w);
	else
		sqlite3_busy_timeout(db->sq, DB_BUSY_TIMEOUT_MS);
}

static int
open_handle(const char *path, int flags, struct cf_db **out, struct cf_err *err)
{
	struct cf_db *db = xcalloc(1, sizeof(*db));
	char *jm = NULL;

	pthread_once(&config_once, configure_sqlite);
	if (sqlite3_open_v2(path, &db->sq, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (db->sq == NULL) {
			free(db);
			return cf_err_set(err, CF_EIO, "cannot open database '%s'", path);
		}
		db_err(db, err, "cannot open database '%s'", path);
		goto fail;
	}
	sqlite3_extended_result_codes(db->sq, 0);
	sqlite3_busy_timeout(db->sq, DB_BUSY_TIMEOUT_MS);
	if (db_exec(db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;", err) < 0)
		goto fail;
	{
		struct db_stmt *st;

		if (db_prepare(db, "PRAGMA journal_mode = WAL", &st, err) < 0)
			goto fail;
		if (db_step(st) == DB_ROW)
			jm = xstrdup((const char *)db_col_text(st, 0));
		db_finalize(st);
		if (jm == NULL || strcmp(jm, "wal") != 0) {
			cf_err_set(err, CF_EDB, "database '%s': cannot enable WAL mode", path);
			goto fail;
		}
	}
	free(jm);
	*out = db;
	return 0;
fail:
	free(jm);
	db_close(db);
	return -1;
}

int
db_open(const char *path, int create, struct cf_db **out, struct cf_err *err)
{
	struct cf_db *db;

	if (db_is_url(path))
		return pgdb_open(path, create, 0, out, err);

	if (open_handle(path, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0),
			&db, err) < 0)
		return -1;
	if (migrate(db, err) < 0) {
		cf_err_prefix(err, "database '%s'", path);
		db_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

int
db_open_readonly(const char *path, struct cf_db **out, struct cf_err *err)
{
	struct cf_db *db;
	int v = 0;

	if (db_is_url(path))
		return pgdb_open(path, 0, 1, out, err);
	if (open_handle(path, SQLITE_OPEN_READONLY, &db, err) < 0)
		return -1;
	if (user_version(db, &v, err) < 0) {
		cf_err_prefix(err, "database '%s'", path);
		db_close(db);
		return -1;
	}
	if (v != NMIGRATIONS) {
		/* Older (migrate it once, writing) or newer (refused there). */
		db_close(db);
		if (db_open(path, 0, &db, err) < 0)
			return -1;
		db_close(db);
		if (open_handle(path, SQLITE_OPEN_READONLY, &db, err) < 0)
			return -1;
	}
	*out = db;
	return 0;
}

void
db_close(struct cf_db *db)
{
	if (db) {
		if (db->pg)
			pgdb_close(db->pg);
		else
			sqlite3_close(db->sq);
		free(db->home);
		free(db);
	}
}

int
db_open_memory(struct cf_db **out, struct cf_err *err)
{
	struct cf_db *db = xcalloc(1, sizeof(*db));

	pthread_once(&config_once, configure_sqlite);
	if (sqlite3_open_v2(":memory:", &db->sq, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		db_err(db, err, "cannot open an in-memory database");
		db_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

char *
db_meta_get(struct cf_db *db, const char *key)
{
	struct db_stmt *st;
	char *v = NULL;

	if (db_prepare_quiet(db, "SELECT value FROM meta WHERE key = ?", &st) != DB_OK)
		return NULL;
	db_bind_text(st, 1, key, -1, DB_STATIC);
	if (db_step(st) == DB_ROW)
		v = xstrdup((const char *)db_col_text(st, 0));
	db_finalize(st);
	return v;
}

char *
db_setting(struct cf_db *db, const char *key)
{
	char *v = db_meta_get(db, key);

	if (v && *v == '\0') {
		free(v);
		v = NULL;
	}
	return v;
}

int
db_meta_set(struct cf_db *db, const char *key, const char *value, struct cf_err *err)
{
	struct db_stmt *st;
	int rc;

	if (db_prepare(db, "INSERT INTO meta(key, value) VALUES(?, ?) "
			   "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
		       &st, err) < 0)
		return -1;
	db_bind_text(st, 1, key, -1, DB_STATIC);
	db_bind_text(st, 2, value, -1, DB_STATIC);
	rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return db_err(db, err, "cannot set '%s'", key);
	return 0;
}

/*
 * The statement "CREATE TABLE name(...)" in schema (statements each ending
 * with ';' outside quotes and parentheses): malloc'd, or NULL.
 */
static char *
schema_table(const char *schema, const char *name)
{
	size_t n = strlen(name);
	const char *p = schema, *q;
	int depth = 0;
	char quote = 0;

	for (;;) {
		if ((p = strstr(p, "CREATE TABLE ")) == NULL)
			return NULL;
		if ((p == schema || p[-1] == '\n') && strncmp(p + 13, name, n) == 0 &&
		    (p[13 + n] == '(' || p[13 + n] == ' '))
			break;
		p += 13;
	}
	for (q = p; *q; q++) {
		if (quote) {
			if (*q == quote)
				quote = 0;
		} else if (*q == '\'' || *q == '"') {
			quote = *q;
		} else if (*q == '(') {
			depth++;
		} else if (*q == ')') {
			depth--;
		} else if (*q == ';' && depth == 0) {
			break;
		}
	}
	return xstrndup(p, (size_t)(q - p));
}

char *
db_table_sql(struct cf_db *db, const char *name, struct cf_err *err)
{
	struct db_stmt *st = NULL;
	char *sql = NULL;

	if (db->pg) {
		sql = schema_table(sqlpg_schema_source(), name);
	} else if (db_prepare(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND "
			      "name = ?", &st, err) < 0) {
		return NULL;
	} else {
		db_bind_text(st, 1, name, -1, DB_STATIC);
		if (db_step(st) == DB_ROW && db_col_text(st, 0))
			sql = xstrdup((const char *)db_col_text(st, 0));
		db_finalize(st);
	}
	if (sql == NULL)
		cf_err_set(err, CF_EDB, "the vault has no table '%s'", name);
	return sql;
}

void
db_set_home(struct cf_db *db, const char *dir)
{
	free(db->home);
	db->home = dir ? xstrdup(dir) : NULL;
}

const char *
db_home(struct cf_db *db)
{
	return db->home;
}

int
db_has_table(struct cf_db *db, const char *name)
{
	struct db_stmt *st;
	int found = 0;

	if (db->pg)
		return pgdb_has_table(db, name);
	if (db_prepare_quiet(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", &st) != DB_OK)
		return 0;
	db_bind_text(st, 1, name, -1, DB_STATIC);
	found = db_step(st) == DB_ROW;
	db_finalize(st);
	return found;
}

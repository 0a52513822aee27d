CREATE TABLE meta(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL);
CREATE TABLE objects(
  sha256 BLOB PRIMARY KEY CHECK(length(sha256) = 32),
  size INTEGER NOT NULL CHECK(size >= 0),
  stored_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE evidence(
  id INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('chat','logistics','order','photo','video','receipt','other')),
  sha256 BLOB NOT NULL REFERENCES objects(sha256),
  size INTEGER NOT NULL,
  name TEXT NOT NULL,
  name_raw BLOB NOT NULL,
  source_path TEXT,
  rel_path TEXT,
  mtime INTEGER,
  ingested_at INTEGER NOT NULL,
  tool_version TEXT NOT NULL,
  user TEXT,
  host TEXT,
  note TEXT,
  bundle TEXT,
  leaf_index INTEGER UNIQUE,
  leaf_version INTEGER NOT NULL DEFAULT 1 CHECK(leaf_version IN (1, 3)),
  supplied_by TEXT CHECK(supplied_by IN ('buyer','merchant','platform','courier')),
  excluded TEXT,
  kind_sealed TEXT);
CREATE INDEX evidence_order ON evidence(order_id, id);
CREATE UNIQUE INDEX evidence_same ON evidence(order_id, sha256, name_raw, ifnull(rel_path, ''));
CREATE TABLE warnings(
  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY(evidence_id, seq)) WITHOUT ROWID;
CREATE TABLE order_records(
  evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,
  order_id TEXT, shop TEXT,
  created_at INTEGER, paid_at INTEGER, shipped_at INTEGER, delivered_at INTEGER,
  buyer_nick TEXT, buyer_phone TEXT, buyer_address TEXT,
  total_fen INTEGER, currency TEXT,
  pay_method TEXT, pay_txn TEXT,
  extra TEXT,
  source_row INTEGER);
CREATE TABLE order_items(
  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  sku TEXT, title TEXT, qty INTEGER, price_fen INTEGER,
  source_row INTEGER,
  PRIMARY KEY(evidence_id, seq)) WITHOUT ROWID;
CREATE TABLE messages(
  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  time INTEGER,
  sender TEXT NOT NULL CHECK(sender IN ('buyer','merchant','platform','system','unknown')),
  sender_raw TEXT,
  name TEXT,
  text TEXT NOT NULL,
  attachments TEXT,
  time_ms INTEGER CHECK(time_ms BETWEEN 0 AND 999),
  extra TEXT,
  PRIMARY KEY(evidence_id, seq)) WITHOUT ROWID;
CREATE TABLE logistics(
  evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,
  carrier TEXT, tracking_no TEXT);
CREATE TABLE logistics_events(
  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  time INTEGER,
  status TEXT,
  status_raw TEXT,
  location TEXT,
  description TEXT,
  time_ms INTEGER CHECK(time_ms BETWEEN 0 AND 999),
  extra TEXT,
  PRIMARY KEY(evidence_id, seq)) WITHOUT ROWID;
CREATE TABLE media(
  evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,
  format TEXT,
  width INTEGER, height INTEGER,
  orientation INTEGER,
  captured_at INTEGER,
  has_gps INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER);
CREATE TABLE ledger_nodes(
  level INTEGER NOT NULL CHECK(level BETWEEN 0 AND 63),
  idx INTEGER NOT NULL CHECK(idx >= 0),
  hash BLOB NOT NULL CHECK(length(hash) = 32),
  PRIMARY KEY(level, idx)) WITHOUT ROWID;
CREATE TABLE heads(
  tree_size INTEGER PRIMARY KEY CHECK(tree_size > 0),
  root BLOB NOT NULL CHECK(length(root) = 32),
  created_at INTEGER NOT NULL,
  origin TEXT NOT NULL,
  checkpoint TEXT NOT NULL,
  key_id BLOB,
  tst BLOB,
  tsa_url TEXT,
  prev_size INTEGER,
  consistency_proof BLOB NOT NULL DEFAULT x'');
CREATE TABLE disputes(
  id INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  claim TEXT,
  amount_fen INTEGER CHECK(amount_fen >= 0),
  status TEXT NOT NULL CHECK(status IN ('requested','rejected','arbitration','closed')),
  profile TEXT NOT NULL,
  requested_at INTEGER,
  rejected_at INTEGER,
  arbitration_at INTEGER,
  deadline INTEGER,
  deadline_source TEXT CHECK(deadline_source IN ('explicit','escalation','evidence')),
  outcome TEXT CHECK(outcome IN ('won','lost','settled','withdrawn')),
  refunded_fen INTEGER CHECK(refunded_fen >= 0),
  resolution TEXT CHECK(resolution IN ('partial_refund','coupon','exchange','return_refund','full_refund','none')),
  opened_at INTEGER NOT NULL,
  closed_at INTEGER,
  CHECK((status = 'closed') = (closed_at IS NOT NULL)));
CREATE UNIQUE INDEX disputes_one_open ON disputes(order_id) WHERE closed_at IS NULL;
CREATE INDEX disputes_order ON disputes(order_id, id);
CREATE TABLE dispute_events(
  id INTEGER PRIMARY KEY,
  dispute_id INTEGER NOT NULL REFERENCES disputes(id),
  at INTEGER NOT NULL,
  who TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('open','update','note','close')),
  what TEXT NOT NULL);
CREATE INDEX dispute_events_dispute ON dispute_events(dispute_id, id);
CREATE TABLE annotations(
  leaf_index INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  order_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  at INTEGER NOT NULL,
  who TEXT NOT NULL,
  payload BLOB NOT NULL);
CREATE INDEX annotations_subject ON annotations(type, subject, leaf_index);
CREATE INDEX annotations_order ON annotations(order_id, leaf_index);
CREATE TABLE head_tokens(
  tree_size INTEGER NOT NULL REFERENCES heads(tree_size),
  seq INTEGER NOT NULL,
  tsa_url TEXT,
  tst BLOB NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY(tree_size, seq));
CREATE TABLE derivations(
  evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id) ON DELETE CASCADE,
  tool TEXT NOT NULL,
  inputs TEXT NOT NULL,
  params TEXT NOT NULL,
  casefile_version TEXT NOT NULL,
  created_at INTEGER NOT NULL);
CREATE TABLE evidence_roles(
  evidence_id INTEGER NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK(role IN ('packing','shipping_label','pickup','delivery_photo','damage_photo','listing','quality_report','invoice','chat','logistics','order','other')),
  leaf_index INTEGER,
  PRIMARY KEY(evidence_id, role)) WITHOUT ROWID;
CREATE INDEX evidence_roles_role ON evidence_roles(role, evidence_id);

#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/lib/sqlpg_diff.py — do the translator's rewrites mean the same?

    sqlpg_diff.py --tool SQLPG_TOOL --url PG_URL

Makes the current schema twice — sqlpg_schema_source() in an in-memory
SQLite, sqlpg_schema() in a fresh PostgreSQL schema "sqlpg_diff" at PG_URL
— fills both with the same rows (the INSERTs written once, in SQLite's
dialect, translated for PostgreSQL), runs each query of CASES on both (the
PostgreSQL one translated) and compares the rows.  The rows are chosen
where the engines differ: NULLs in ORDER BY, LIKE's case folding and its
missing escape character, byte order of text, BLOBs as text, comparisons
summed, group_concat, hex, dates, IS.  Prints TAP; exit 1 on a difference.
"""
import argparse, sqlite3, subprocess, sys

ROWS = r"""
INSERT INTO objects VALUES (x'0000000000000000000000000000000000000000000000000000000000000001', 3, 0);
INSERT INTO objects VALUES (x'ab00000000000000000000000000000000000000000000000000000000000002', 5, 0);
INSERT INTO evidence(id, order_id, kind, sha256, size, name, name_raw, ingested_at, tool_version,
  user, bundle, rel_path, leaf_index)
VALUES (1, 'o1', 'photo', x'0000000000000000000000000000000000000000000000000000000000000001', 3,
  'b.jpg', x'622e6a7067', 1733200000, 't', 'me', 'ABC def', NULL, 0),
 (2, 'o1', 'chat', x'ab00000000000000000000000000000000000000000000000000000000000002', 5,
  'A.txt', x'412e747874', 1733286399, 't', NULL, 'abc%x', 'chat/A.txt', NULL),
 (3, 'o1', 'photo', x'ab00000000000000000000000000000000000000000000000000000000000002', 5,
  'é.jpg', x'c3a92e6a7067', 1733286400, 't', 'you', 'a\b', NULL, 1),
 (4, 'o2', 'photo', x'0000000000000000000000000000000000000000000000000000000000000001', 3,
  'É.jpg', x'c3892e6a7067', 0, 't', NULL, NULL, NULL, NULL);
INSERT INTO logistics_events(evidence_id, seq, time, status) VALUES
 (2, 1, 50, 'x'), (2, 2, NULL, 'y'), (2, 3, 10, NULL), (2, 4, NULL, 'delivered');
INSERT INTO evidence_roles(evidence_id, role, leaf_index) VALUES
 (1, 'packing', NULL), (1, 'damage_photo', 2), (3, 'listing', NULL);
INSERT INTO annotations VALUES (5, 'note', 'o1', 'evidence 1', 0, 'me', x'6e6f746520c3a9');
INSERT INTO messages(evidence_id, seq, time, sender, text, attachments) VALUES
 (2, 1, 5, 'buyer', 'hi', '["b.jpg","x.png"]'), (2, 2, 6, 'buyer', 'a', NULL),
 (2, 3, 7, 'merchant', 'b', '[oops'), (2, 4, 8, 'buyer', 'c', '["é.jpg"]');
INSERT OR IGNORE INTO objects VALUES (x'0000000000000000000000000000000000000000000000000000000000000001', 9, 9);
"""

# (what, query in SQLite's dialect)
CASES = [
    ('ORDER BY a NULL-able column: NULLs first',
     'SELECT seq FROM logistics_events ORDER BY time, seq'),
    ('ORDER BY ... DESC: NULLs last',
     'SELECT seq FROM logistics_events ORDER BY time DESC, seq'),
    ('ORDER BY a NULL-able text column and an alias.column',
     'SELECT le.seq FROM logistics_events le ORDER BY le.status, le.seq'),
    ('LIMIT -1 OFFSET', 'SELECT seq FROM logistics_events ORDER BY seq LIMIT -1 OFFSET 2'),
    ('LIKE folds ASCII case', "SELECT id FROM evidence WHERE bundle LIKE 'abc%' ORDER BY id"),
    ('LIKE does not fold é/É', "SELECT id FROM evidence WHERE name LIKE 'é%' ORDER BY id"),
    ('LIKE has no escape character', "SELECT id FROM evidence WHERE bundle LIKE 'a\\b' ORDER BY id"),
    ('LIKE with a parameter-like concatenation',
     "SELECT id FROM evidence WHERE bundle LIKE 'ABC' || ' %' ORDER BY id"),
    ('text sorts by bytes (A < b < É < é)', 'SELECT name FROM evidence ORDER BY name'),
    ('CAST(text AS BLOB) sorts by bytes', 'SELECT id FROM evidence ORDER BY CAST(name AS BLOB), id'),
    ('CAST(blob AS TEXT) gives the bytes as text',
     'SELECT CAST(payload AS TEXT) FROM annotations'),
    ('sum() of comparisons', "SELECT sum(kind = 'photo'), sum(kind = 'chat'), sum(user IS NULL), "
     "sum(leaf_index = 0) FROM evidence"),
    ('group_concat, one argument, in order',
     'SELECT group_concat(role) FROM (SELECT role FROM evidence_roles ORDER BY role)'),
    ('group_concat with a separator', "SELECT e.id, (SELECT group_concat(role, ' ') FROM "
     "(SELECT role FROM evidence_roles r WHERE r.evidence_id = e.id ORDER BY role)) "
     "FROM evidence e ORDER BY e.id"),
    ('hex() of a BLOB, in upper case', 'SELECT hex(sha256) FROM objects ORDER BY sha256'),
    ('lower(hex()) prefix match', "SELECT id FROM evidence WHERE substr(lower(hex(sha256)), 1, 4) "
     "= lower('AB00') ORDER BY id"),
    ("date(x, 'unixepoch') in UTC", "SELECT id, date(ingested_at, 'unixepoch'), "
     "date(ingested_at + 28800, 'unixepoch') FROM evidence ORDER BY id"),
    ('IS / IS NOT between values', 'SELECT a.id, b.id FROM evidence a, evidence b '
     'WHERE a.user IS b.user AND a.id < b.id ORDER BY 1, 2'),
    ('IS NOT between values', 'SELECT count(*) FROM evidence a, evidence b WHERE a.rel_path IS NOT b.rel_path'),
    ('ifnull, instr, user',
     "SELECT id, ifnull(user, 'unknown'), instr(name, '.') FROM evidence ORDER BY id"),
    ('INSERT OR IGNORE kept the first row', 'SELECT size, stored_at FROM objects ORDER BY sha256'),
    ('a subquery in FROM without a name', 'SELECT count(*) FROM (SELECT 1 FROM evidence)'),
    ('coalesce in the unique index: NULL rel_path is one place',
     "SELECT count(*) FROM evidence WHERE ifnull(rel_path, '') = ''"),
    ('max() of a CASE, min(), count()',
     "SELECT min(time), max(CASE WHEN status IN ('delivered') THEN seq END), count(*) "
     "FROM logistics_events"),
    ('json_valid() of NULL, malformed, an array (as a condition)',
     'SELECT seq FROM messages WHERE json_valid(attachments) ORDER BY seq'),
    ('NOT json_valid()', 'SELECT seq FROM messages WHERE NOT json_valid(attachments) ORDER BY seq'),
    ("json_each() of a message's attachments, guarded by json_valid()",
     "SELECT m.seq, j.value FROM messages m, json_each(CASE WHEN json_valid(m.attachments) "
     "THEN m.attachments ELSE '[]' END) j ORDER BY m.seq, j.value"),
    ('an item a chat message carries (as checklist.c asks)',
     "SELECT e.id FROM evidence e WHERE EXISTS(SELECT 1 FROM messages cm, json_each(CASE WHEN "
     "json_valid(cm.attachments) THEN cm.attachments ELSE '[]' END) j WHERE cm.sender = 'buyer' "
     "AND j.value = e.name) ORDER BY e.id"),
    ('ORDER BY time DESC NULLS LAST kept',
     'SELECT seq FROM logistics_events ORDER BY time DESC NULLS LAST, seq DESC LIMIT 1'),
]


def translate(tool, texts):
    out = subprocess.run([tool, 'translate'], input='\0'.join(texts).encode(),
                         capture_output=True, check=True).stdout.decode().split('\0')
    res = []
    for t in out[:len(texts)]:
        if not t.startswith('OK '):
            raise SystemExit('sqlpg_diff.py: translator refused: ' + t)
        res.append(t.split('\n', 1)[1])
    return res


def psql(url, sql):
    p = subprocess.run(['psql', url, '-X', '-q', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1'],
                       input='SET search_path TO sqlpg_diff;\n' + sql, capture_output=True, text=True)
    return p.returncode == 0, p.stdout, p.stderr.strip()


def sqlite_rows(db, sql):
    lines = []
    for row in db.execute(sql):
        cells = []
        for v in row:
            if v is None:
                cells.append('')
            elif isinstance(v, bytes):
                cells.append('\\x' + v.hex())
            else:
                cells.append(str(v))
        lines.append('|'.join(cells))
    return ''.join(l + '\n' for l in lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tool', required=True)
    ap.add_argument('--url', required=True)
    a = ap.parse_args()
    src = subprocess.run([a.tool, 'source'], capture_output=True, check=True, text=True).stdout
    pg_schema = subprocess.run([a.tool, 'schema'], capture_output=True, check=True, text=True).stdout
    lite = sqlite3.connect(':memory:')
    lite.executescript(src)
    lite.executescript(ROWS)
    n = bad = 0
    ok, _, err = psql(a.url, 'DROP SCHEMA IF EXISTS sqlpg_diff CASCADE; CREATE SCHEMA sqlpg_diff;\n'
                      'SET search_path TO sqlpg_diff;\n' + pg_schema + translate(a.tool, [ROWS])[0])
    n += 1
    if ok:
        print('ok %d - the same rows in SQLite and PostgreSQL' % n)
    else:
        bad += 1
        print('not ok %d - the rows do not go into PostgreSQL\n#   %s' % (n, err))
    for (what, q), pq in zip(CASES, translate(a.tool, [q for _, q in CASES])):
        n += 1
        want = sqlite_rows(lite, q)
        ok, got, err = psql(a.url, pq + ';\n')
        if ok and got == want:
            print('ok %d - %s' % (n, what))
            continue
        bad += 1
        print('not ok %d - %s' % (n, what))
        print('#   sqlite:     %r' % want)
        print('#   postgresql: %r %s' % (got, err))
        print('#   as: %s' % pq)
    psql(a.url, 'DROP SCHEMA sqlpg_diff CASCADE;')
    print('1..%d' % n)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())

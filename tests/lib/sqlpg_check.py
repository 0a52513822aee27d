#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/lib/sqlpg_check.py — is every SQL text of casefile valid PostgreSQL
once translated (src/store/sqlpg.c)?

    sqlpg_check.py --tool SQLPG_TOOL --url PG_URL --cflags FLAGS \\
                   [--report FILE] SOURCE.c...

Collects the SQL texts of the sources (tests/lib/sql_extract.py: string
literals, macros expanded, that begin with an SQL keyword), completes the
ones built at run time from the SAMPLES below, translates each with
`sqlpg_tool translate` and asks the PostgreSQL at PG_URL (holding
sqlpg_schema()) to PREPARE each statement with its parameter types left
unknown (PREPARE q AS ...), as the backend will.  Statements PREPARE does
not take (transaction control) run inside BEGIN ... ROLLBACK instead.

Prints TAP, one line a statement.  A statement in EXPECTED_FAIL must fail
(it needs a change in the source; PG-SQL-NOTES.md says which and why) and
is "ok" when it does, "not ok" when it passes (then drop it from the list);
every other statement must pass.  Also "not ok": a run-time built text
(printf format) without SAMPLES, an EXPECTED_FAIL or SAMPLES entry that
matches nothing.  --report writes a Markdown table of every statement.
"""
import argparse, os, re, subprocess, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sql_extract  # noqa: E402

PARSED = ['order_records', 'order_items', 'messages', 'logistics', 'logistics_events',
          'media', 'warnings']

# checklist.c: the order fields a rule may name (order_fields, time_fields)
TIME_FIELDS = ['created_at', 'paid_at', 'shipped_at', 'delivered_at']
ORDER_FIELDS = TIME_FIELDS + ['buyer_phone', 'buyer_address', 'buyer_nick', 'total_fen',
                              'pay_txn', 'pay_method', 'shop']

# Texts completed at run time: (file, a piece of the text, [complete texts]).
# The values are the ones the code fills in (the table lists of rederive.c
# and tag.c, checklist.c's order fields, argument.c's column probe).
SAMPLES = [
    ('src/case/argument.c', 'SELECT %s FROM %s LIMIT 0',
     ['SELECT supplied_by FROM evidence LIMIT 0']),
    ('src/case/checklist.c', 'group_concat(x.role)',
     None),  # role_sql(): filled below from the text itself
    ('src/case/checklist.c', 'o.%s IS NOT NULL', ORDER_FIELDS),
    ('src/case/checklist.c', 'min(o.%s)', TIME_FIELDS),
    ('src/case/rederive.c', 'SELECT * FROM %s WHERE evidence_id = ?%s',
     ['SELECT * FROM %s WHERE evidence_id = ?%s' % (t, ' ORDER BY seq' if s else '')
      for t, s in [('order_records', 0), ('order_items', 1), ('messages', 1),
                   ('logistics', 0), ('logistics_events', 1), ('media', 0),
                   ('warnings', 1)]]),
    ('src/case/rederive.c', 'DELETE FROM %s WHERE evidence_id = ?',
     ['DELETE FROM %s WHERE evidence_id = ?' % t for t in PARSED]),
    ('src/case/rederive.c', 'DELETE FROM %s',
     ['DELETE FROM %s' % t for t in PARSED]),
    ('src/case/rederive.c', 'NOT IN (SELECT id FROM evidence)',
     ['SELECT evidence_id, count(*) FROM %s WHERE evidence_id NOT IN (SELECT id FROM '
      'evidence) GROUP BY evidence_id' % t for t in PARSED]),
    ('src/case/tag.c', 'DELETE FROM %s WHERE evidence_id = ?',
     ['DELETE FROM %s WHERE evidence_id = ?' % t for t in PARSED]),
    ('src/store/db.c', 'PRAGMA user_version = %d', ['PRAGMA user_version = 9']),
    # migrate.c: generic over the tables; the ones named here stand for all
    ('src/case/migrate.c', 'SELECT count(*) FROM "%s"',
     ['SELECT count(*) FROM "evidence"', 'SELECT count(*) FROM "meta"']),
    ('src/case/migrate.c', 'DELETE FROM "%s"', ['DELETE FROM "evidence"', 'DELETE FROM "meta"']),
    ('src/case/migrate.c', 'SELECT * FROM "%s"', ['SELECT * FROM "evidence"']),
    ('src/case/migrate.c', 'INSERT INTO "%s"(',
     ['INSERT INTO "meta"("key", "value") VALUES(?, ?)',
      'INSERT INTO "evidence"("id", "order_id", "kind", "sha256", "size", "name", "name_raw", '
      '"source_path", "rel_path", "mtime", "ingested_at", "tool_version", "user", "host", '
      '"note", "bundle", "leaf_index", "leaf_version", "supplied_by", "excluded", '
      '"kind_sealed") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)']),
    ('src/case/migrate.c', 'SELECT setval(',
     ['SELECT setval(pg_get_serial_sequence(?, ?), coalesce((SELECT max("id") FROM '
      '"evidence"), 0) + 1, false)']),
]

# Built piece by piece (cf_buf_add*): the complete forms, beside the prefix
# the extractor finds.  (file, [texts])
EXTRA = [
    ('src/case/bag.c', [
        'SELECT id, order_id, sha256, size, name, rel_path, kind, mtime, ingested_at, '
        'leaf_index FROM evidence WHERE order_id IN (?,?,?) ORDER BY order_id, id',
        "SELECT id, order_id, sha256, size, name, rel_path, kind, mtime, ingested_at, "
        "leaf_index FROM evidence WHERE bundle LIKE ?1 || ' %' OR "
        "date(ingested_at + 28800, 'unixepoch') = ?1 ORDER BY order_id, id",
    ]),
]

# SQL that needs a source change: (file, a piece of the text, why).
# PG-SQL-NOTES.md has the details and the suggested change of each.
EXPECTED_FAIL = [
    ('src/store/db.c', 'PRAGMA', 'PRAGMA: SQLite connection settings; no PostgreSQL form'),
    ('src/store/db.c', 'sqlite_master', 'db_has_table(): sqlite_master'),
    ('src/case/rederive.c', 'PRAGMA foreign_keys', 'PRAGMA on the in-memory SQLite scratch db'),
    ('src/case/migrate.c', 'sqlite_master', 'tables_load(): run on the source, always SQLite'),
    ('src/case/migrate.c', 'pragma_foreign_key_list', 'run on the source, always SQLite'),
    ('src/case/migrate.c', 'pragma_table_info', 'run on the source, always SQLite'),
]

# Statements PostgreSQL cannot type with every parameter unknown, with the
# types the code binds: (file, a piece of the text, {parameter: type}).
# The backend must prepare with the bound types (PG-SQL-NOTES.md); every
# other parameter is left unknown.  A "could not determine data type of
# parameter $N" is retried with $N as text.
PARAM_TYPES = [
    ('src/case/dispute.c', "' event %'", {1: 'bigint'}),
    ('src/case/itemview.c', 'OR id = ?2', {2: 'bigint'}),
]

PREPARABLE = re.compile(r'\s*(SELECT|INSERT|UPDATE|DELETE|WITH|VALUES)\b', re.I)
NOT_SQL = re.compile(r'\s*[A-Za-z]+\s*$')  # one word: an HTTP method, an event kind
TX_WORDS = re.compile(r'\s*(BEGIN|COMMIT|END|ROLLBACK)\s*$', re.I)


def split_statements(sql):
    """split PostgreSQL text at top-level semicolons (outside literals)"""
    out, cur, i, n = [], [], 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            cur.append(sql[i:j + 1]); i = j + 1; continue
        if sql.startswith('--', i):
            j = sql.find('\n', i)
            j = n if j < 0 else j
            cur.append(sql[i:j]); i = j; continue
        if sql.startswith('/*', i):
            j = sql.find('*/', i + 2) + 2
            cur.append(sql[i:j]); i = j; continue
        if c == ';':
            out.append(''.join(cur)); cur = []; i += 1; continue
        cur.append(c); i += 1
    out.append(''.join(cur))
    return [s.strip() for s in out if s.strip()]


def role_sql_samples(sql):
    return [sql % b for b in ['NULL', "(SELECT min(o.paid_at) FROM order_records o JOIN "
                              "evidence e2 ON e2.id = o.evidence_id WHERE e2.order_id = ?1 "
                              "AND e2.excluded IS NULL)"]]


def texts(files, cflags):
    """[(where, sql)] of every statement text to check, and problems"""
    out, problems, used = [], [], set()
    for r in sql_extract.extract(files, cflags=cflags.split()):
        where = '%s:%d' % (r['file'], r['line'])
        sql = r['sql']
        if NOT_SQL.match(sql) and not TX_WORDS.match(sql):
            continue
        if r['file'].endswith('src/store/sqlpg.c') or r['file'].endswith('src/store/db_pg.c'):
            continue  # the translator's own schema; the backend's own PostgreSQL, sent as is
        if r['file'].endswith('src/store/db.c') and ('CREATE TABLE' in sql or
                                                    sql.lstrip().startswith('ALTER TABLE')):
            continue  # a migration: PostgreSQL gets sqlpg_schema() instead
        if not r['format']:
            out.append((where, sql))
            continue
        filled = None
        for k, (f, piece, samples) in enumerate(SAMPLES):
            if r['file'].endswith(f) and piece in sql:
                used.add(k)
                if samples is None:
                    filled = role_sql_samples(sql)
                elif samples in (ORDER_FIELDS, TIME_FIELDS):
                    filled = [sql.replace('%s', fld) for fld in samples]
                else:
                    filled = samples
                break
        if filled is None:
            problems.append('%s: a text built at run time without SAMPLES: %r' % (where, sql[:80]))
            continue
        for i, s in enumerate(filled):
            out.append(('%s#%d' % (where, i + 1), s))
    for k, (f, piece, _) in enumerate(SAMPLES):
        if k not in used:
            problems.append('SAMPLES entry %s %r matches nothing' % (f, piece))
    for f, extra in EXTRA:
        for i, s in enumerate(extra):
            out.append(('%s (complete form %d)' % (f, i + 1), s))
    return out, problems


def psql(url, sql):
    p = subprocess.run(['psql', url, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'],
                       input=sql, capture_output=True, text=True)
    err = '\n'.join(l for l in p.stderr.splitlines() if not l.startswith('WARNING'))
    return p.returncode == 0, err.strip()


def prepare(url, st, nparams, types):
    """PREPARE st with the given parameter types (the rest unknown); retry
    with text for each parameter PostgreSQL cannot type.  (ok, error, types)"""
    types = dict(types)
    while True:
        decl = ''
        if types:
            decl = '(%s)' % ', '.join(types.get(i, 'unknown') for i in range(1, nparams + 1))
        ok, err = psql(url, 'PREPARE q%s AS %s;\nDEALLOCATE q;\n' % (decl, st))
        m = re.search(r'could not determine data type of parameter \$(\d+)', err)
        if ok or not m or int(m.group(1)) in types:
            return ok, err, types
        types[int(m.group(1))] = 'text'


def check_pg(url, pg, nparams, types):
    """(None or PostgreSQL's error, the parameter types it needed)"""
    for st in split_statements(pg):
        if PREPARABLE.match(st):
            ok, err, types = prepare(url, st, nparams, types)
        elif TX_WORDS.match(st):
            ok, err = psql(url, st + ';\n')
        else:
            ok, err = psql(url, 'BEGIN;\nSAVEPOINT item;\nSAVEPOINT tag;\n%s;\nROLLBACK;\n' % st)
        if not ok:
            return re.sub(r'\s+', ' ', err.replace('psql:<stdin>:', '')), types
    return None, types


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tool', required=True)
    ap.add_argument('--url', required=True)
    ap.add_argument('--cflags', default='')
    ap.add_argument('--report')
    ap.add_argument('files', nargs='+')
    a = ap.parse_args()
    todo, problems = texts(a.files, a.cflags)
    tr = subprocess.run([a.tool, 'translate'], input='\0'.join(s for _, s in todo).encode(),
                        capture_output=True, check=True).stdout.decode().split('\0')
    n, bad, rows, matched = 0, 0, [], set()
    for (where, sql), t in zip(todo, tr):
        exp = None
        for k, (f, piece, why) in enumerate(EXPECTED_FAIL):
            if where.startswith(f) and piece in sql:
                exp = why
                matched.add(k)
                break
        types = {}
        for f, piece, ty in PARAM_TYPES:
            if where.startswith(f) and piece in sql:
                types = ty
        typed = ''
        if t.startswith('OK '):
            head, pg = t.split('\n', 1)
            err, used = check_pg(a.url, pg, int(head[3:]), types)
            what = 'PostgreSQL: ' + err if err else None
            if used:
                typed = ' (with %s)' % ', '.join('$%d %s' % kv for kv in sorted(used.items()))
        else:
            pg, what = None, 'translator: ' + t[4:]
        n += 1
        short = re.sub(r'\s+', ' ', sql)[:70]
        if exp is None and what is None:
            print('ok %d - %s: %s%s' % (n, where, short, typed))
            status = 'ok' + typed
        elif exp is None:
            bad += 1
            print('not ok %d - %s: %s' % (n, where, short))
            print('#   %s' % what)
            print('#   translated: %s' % re.sub(r'\s+', ' ', pg or '')[:300])
            status = 'FAILS'
        elif what is None:
            bad += 1
            print('not ok %d - %s: expected to fail (%s) but passes: drop it from '
                  'EXPECTED_FAIL' % (n, where, exp))
            status = 'passes, listed as failing'
        else:
            print('ok %d - %s: fails as expected, needs a source change (%s)' % (n, where, exp))
            print('#   %s' % what)
            status = 'needs a source change: ' + what
        rows.append((where, short, status))
    for k, (f, piece, why) in enumerate(EXPECTED_FAIL):
        if k not in matched:
            n += 1; bad += 1
            print('not ok %d - EXPECTED_FAIL %s %r matches nothing (fixed? drop it)' % (n, f, piece))
    for p in problems:
        n += 1; bad += 1
        print('not ok %d - %s' % (n, p))
    print('1..%d' % n)
    if a.report:
        with open(a.report, 'w') as f:
            f.write('| where | SQL | on PostgreSQL |\n|---|---|---|\n')
            for where, short, status in rows:
                f.write('| %s | `%s` | %s |\n' % (where, short.replace('|', '\\|'),
                                                  status.replace('|', '\\|')))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())

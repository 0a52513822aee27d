#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/lib/sql_extract.py — every SQL text in C sources, macros expanded.

    sql_extract.py [--cc CC] [--cflags FLAGS] FILE.c...

Runs the C preprocessor over each FILE (so "SELECT " LEDGER_EVIDENCE_COLUMNS
" FROM evidence" is one text), joins adjacent string literals as C does,
and prints one JSON object a line for each joined literal that begins with
an SQL keyword and was written in FILE itself (not in a header):
    {"file": "src/case/x.c", "line": 12, "sql": "...", "format": false}
"format" is true when the text is a printf format (it holds %s, %lld, ...):
such SQL is completed at run time and cannot be prepared as it stands.
A text that ends in the middle of a statement (a prefix completed with
cf_buf_add*) is printed too; the caller decides what to do with it.
"""
import json, re, subprocess, sys

KW = re.compile(r'\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|WITH|PRAGMA|BEGIN|COMMIT|'
                r'ROLLBACK|ALTER|DROP|REPLACE|SAVEPOINT|RELEASE|VACUUM|ANALYZE|'
                r'ATTACH|DETACH|REINDEX|END)\b', re.I)
FMT = re.compile(r'%[-+ #0]*[0-9*]*(\.[0-9*]+)?(hh|h|ll|l|z|j|t)?[sdiuxXc]')
ESC = {'n': '\n', 't': '\t', 'r': '\r', '"': '"', '\\': '\\', "'": "'", '0': '\0', 'a': '\a'}

def unescape(body):
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != '\\':
            out.append(c); i += 1; continue
        e = body[i + 1]
        if e == 'x':
            m = re.match(r'[0-9a-fA-F]+', body[i + 2:])
            out.append(chr(int(m.group(0), 16))); i += 2 + len(m.group(0))
        elif e in '01234567':
            m = re.match(r'[0-7]{1,3}', body[i + 1:])
            out.append(chr(int(m.group(0), 8))); i += 1 + len(m.group(0))
        else:
            out.append(ESC.get(e, e)); i += 2
    return ''.join(out)

def groups(text, want):
    """(file, line, joined) for each run of adjacent literals from file want"""
    tok = re.compile(r'''(?P<mark>^\#\s*(?P<ln>\d+)\s+"(?P<fn>[^"]*)".*$)|'''
                     r'''(?P<str>(?:u8|L|u|U)?"(?:[^"\\\n]|\\.)*")|'''
                     r'''(?P<chr>'(?:[^'\\\n]|\\.)*')|(?P<nl>\n)|(?P<ws>[ \t\r\f\v]+)|(?P<other>.)''',
                     re.M)
    fn, ln = None, 1
    cur = None
    for m in tok.finditer(text):
        k = m.lastgroup
        if k == 'mark':
            fn, ln = m.group('fn'), int(m.group('ln')) - 1
            continue
        if k == 'nl':
            ln += 1; continue
        if k == 'ws':
            continue
        if k == 'str':
            s = m.group('str')
            body = unescape(s[s.index('"') + 1:-1])
            if cur is None:
                cur = [fn, ln, body]
            else:
                cur[2] += body
            continue
        if cur is not None:
            if cur[0] == want:
                yield tuple(cur)
            cur = None
    if cur is not None and cur[0] == want:
        yield tuple(cur)

def extract(files, cc='cc', cflags=()):
    """[{file, line, sql, format}] of every SQL text in files"""
    out = []
    for f in files:
        pp = subprocess.run([cc, '-E', *cflags, f], capture_output=True, text=True)
        if pp.returncode != 0:
            sys.stderr.write(pp.stderr)
            sys.exit(f'sql_extract.py: cannot preprocess {f}')
        for fn, ln, sql in groups(pp.stdout, f):
            if KW.match(sql):
                out.append({'file': f, 'line': ln, 'sql': sql,
                            'format': bool(FMT.search(sql))})
    return out

def main(argv):
    cc, cflags, files = 'cc', [], []
    i = 0
    while i < len(argv):
        if argv[i] == '--cc':
            cc = argv[i + 1]; i += 2
        elif argv[i] == '--cflags':
            cflags += argv[i + 1].split(); i += 2
        else:
            files.append(argv[i]); i += 1
    for r in extract(files, cc, cflags):
        print(json.dumps(r, ensure_ascii=False))

if __name__ == '__main__':
    main(sys.argv[1:])

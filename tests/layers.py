#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check that src/ keeps its layers: every #include of a casefile header
points to the same layer or one below, and modules include no cycle.

Layers, top to bottom (README, Development):
    cli -> case -> sign | store | input | pdf -> core
sign, store, input and pdf sit side by side: each may use core, and the
edges listed in SIDEWAYS, nothing else.  A header belongs to the layer of
the .c file of the same name; headers without one are listed in HEADERS.

SQL runs through one statement API whatever the backend (SQLite or
PostgreSQL): only the db module's own files (src/store/db.c, db_stmt.c,
db_int.h) name sqlite3, outside comments; no header of include/ does
except db_sqlite.h, which unit tests use and no source file includes.
Headers named <module>_stmt.h (db_stmt.h, ledger_stmt.h, ...) are the
SQL interface (prepared statements, row decoders): only .c files of the
store and case layers include them (and other *_stmt.h headers), so the
commands of the cli layer call a service, which owns the SQL.

Environment inputs are read once, in src/cli (main into struct cf_ctx),
and passed down: no module below cli calls getenv() (GETENV_OK would list
a documented exception; it is empty).

Usage: tests/layers.py [SRC_DIR INCLUDE_DIR]   exit 0 clean, 1 violations.
"""
import os
import re
import sys

RANK = {"core": 0, "store": 1, "input": 1, "pdf": 1, "sign": 1,
        "case": 2, "cli": 3}
# Allowed edges between the middle layers (from, to): signing writes into
# PDFs, the store writes parsed rows, media probes PDFs with the reader.
SIDEWAYS = {("sign", "pdf"), ("store", "input"), ("input", "pdf")}
HEADERS = {"commands": "cli", "version": "core", "db_sqlite": "store"}
# Private headers of a module split over several files: part of that
# module (pdf_int.h is the pdf writer's, shared by src/pdf/pdf*.c).
PRIVATE = {"pdf_int": "pdf"}
# libharu's private structures are used by one file only (it checks the
# libharu version at compile time): no other file includes an internal
# hpdf_*.h header or touches what they declare.
HARU_FILE = "pdf_haru"
HARU_INTERNAL = re.compile(
    r'#\s*include\s*<hpdf_(?!version\.h)[a-z_]+\.h>'
    r'|\bHPDF_(Dict|Array|Stream|MemStream|List|Xref|Obj|Binary|String|'
    r'NameDict|NameTree|Catalog|CallbackReader|CallbackWriter|DictStream|'
    r'TTFontDef)_[A-Z]|\bHPDF_(FontAttr|TTFontDefAttr|Obj_Header)\b'
    r'|->(attr|mmgr|xref|glyph_tbl|write_fn|filter)\b|\bHPDF_STREAM_|\bHPDF_O(SUB)?CLASS_')

# The SQL interface of a store module, private to store and case .c files.
SQLITE_HDR = re.compile(r'^([a-z0-9_]+)_stmt$')
SQLITE_NAME = re.compile(r'\bsqlite3\w*\b|<sqlite3\.h>')
# The files of the SQLite backend itself, and the test-only header.
SQLITE_OWNERS = {"db", "db_stmt", "db_sqlite"}

# Modules below cli that may read the environment themselves (none).
GETENV_OK = set()
GETENV = re.compile(r'\b(secure_)?getenv\s*\(|\benviron\b')

INCLUDE = re.compile(r'^\s*#\s*include\s+"casefile/([A-Za-z0-9_]+)\.h"')


def modules(src):
    """name -> layer for every src/<layer>/<name>.c"""
    out = {}
    for layer in sorted(os.listdir(src)):
        d = os.path.join(src, layer)
        if not os.path.isdir(d):
            continue
        if layer not in RANK:
            sys.exit("layers.py: unknown layer folder src/%s" % layer)
        for f in os.listdir(d):
            if f.endswith(".c"):
                out[f[:-2]] = layer
    return out


def includes(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            m = INCLUDE.match(line)
            if m:
                yield m.group(1)


def strip_comments(text):
    """text with /* */ comments blanked (newlines kept for line numbers)"""
    return re.sub(r'/\*.*?\*/', lambda m: re.sub(r'[^\n]', ' ', m.group(0)),
                  text, flags=re.S)


def sqlite_problems(path, name, layer, is_header):
    """sqlite3 named outside the db module; db_sqlite.h included by a
    source file; a *_stmt.h included from a header or from a layer that
    must not run SQL"""
    out = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = strip_comments(fh.read())
    base = os.path.basename(path)[:-2]
    private = is_header and SQLITE_HDR.match(base)
    if base not in SQLITE_OWNERS:
        for no, line in enumerate(text.split("\n"), 1):
            m = SQLITE_NAME.search(line)
            if m:
                out.append("%s:%d: %s outside the db module: run SQL through "
                           "db_stmt.h, whatever the backend" % (path, no, m.group(0)))
    for dep in includes(path):
        if dep == "db_sqlite" and not is_header and base not in SQLITE_OWNERS:
            out.append("%s: includes db_sqlite.h, which is for unit tests "
                       "(use db_stmt.h)" % path)
        if not SQLITE_HDR.match(dep) or private:
            continue
        if is_header:
            out.append("%s: a public header includes %s.h" % (path, dep))
        elif layer not in ("store", "case"):
            out.append("%s (%s): includes %s.h: SQL is for the store and "
                       "case layers only (commands call a service)"
                       % (path, layer, dep))
    return out


def getenv_problems(path, name, layer):
    """getenv() in a module below cli"""
    if layer == "cli" or name in GETENV_OK:
        return []
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = strip_comments(fh.read())
    return ["%s:%d: reads the environment below cli (read it in src/cli "
            "into the context and pass it down)" % (path, no)
            for no, line in enumerate(text.split("\n"), 1)
            if GETENV.search(line)]


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "src"
    inc = sys.argv[2] if len(sys.argv) > 2 else "include/casefile"
    mod = modules(src)
    layer_of = dict(HEADERS)
    layer_of.update(mod)
    for h in os.listdir(inc):
        m = SQLITE_HDR.match(h[:-2]) if h.endswith(".h") else None
        if m and m.group(1) in mod:
            PRIVATE[h[:-2]] = m.group(1)
    for h, m in PRIVATE.items():
        layer_of[h] = mod[m]
    bad = []
    graph = {}
    files = [(os.path.join(src, l, m + ".c"), m, l) for m, l in mod.items()]
    for h in os.listdir(inc):
        if h.endswith(".h"):
            name = h[:-2]
            if name not in layer_of:
                bad.append("include/casefile/%s: header with no module; "
                           "add it to HEADERS in tests/layers.py" % h)
                continue
            files.append((os.path.join(inc, h), PRIVATE.get(name, name),
                          layer_of[name]))
    for path, name, layer in sorted(files):
        bad.extend(sqlite_problems(path, name, layer, path.endswith(".h")))
        bad.extend(getenv_problems(path, name, layer))
        if name != HARU_FILE:
            with open(path, encoding="utf-8", errors="replace") as fh:
                for no, line in enumerate(fh, 1):
                    if HARU_INTERNAL.search(line):
                        bad.append("%s:%d: libharu internals outside %s.c"
                                   % (path, no, HARU_FILE))
        for dep in includes(path):
            dep = PRIVATE.get(dep, dep)
            if dep == name:
                continue
            dl = layer_of.get(dep)
            if dl is None:
                bad.append("%s: includes unknown header %s.h" % (path, dep))
                continue
            graph.setdefault(name, set()).add(dep)
            if dl == layer:
                continue
            if RANK[dl] < RANK[layer]:
                continue
            if RANK[dl] == RANK[layer] and (layer, dl) in SIDEWAYS:
                continue
            bad.append("%s (%s) includes %s.h (%s): upward or sideways"
                       % (path, layer, dep, dl))
    # Cycles between modules (a .c and its own header are one module).
    state = {}
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for d in sorted(graph.get(n, ())):
            if state.get(d) == 1:
                cyc = stack[stack.index(d):] + [d]
                bad.append("cycle: " + " -> ".join(cyc))
            elif d not in state:
                visit(d)
        stack.pop()
        state[n] = 2

    sys.setrecursionlimit(10000)
    for n in sorted(graph):
        if n not in state:
            visit(n)
    for b in bad:
        print(b)
    print("layers: %d modules, %d edges, %d problems"
          % (len(mod), sum(len(v) for v in graph.values()), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

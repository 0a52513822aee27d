#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/lib/pg-ledger-check.py URL [ROOT-HEX]: the ledger of a PostgreSQL
vault checked from outside casefile (issue 18, tests/scale/t94xx).

Reads the tables with psql and checks, with its own RFC 9162 code and the
leaf records of ledger.h (theory of operation there):
  - the leaf indexes of the evidence rows and the annotations are exactly
    0..N-1, each once, and N is the number of stored leaves (no gap, no
    leaf twice, no row without its leaf);
  - every row's leaf record hashes to the stored leaf at its index;
  - every stored inner node is the hash of its two children;
  - the root of the N leaves is ROOT-HEX when given (a seal's).
Prints "ledger ok: N leaves, E evidence rows, A annotations, root R" and
exits 0, or prints each problem and exits 1.
"""
import hashlib
import struct
import subprocess
import sys


def rows(url, sql):
    out = subprocess.run(["psql", url, "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
                          "-c", sql], check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def lv(b):
    return struct.pack(">I", len(b)) + b


def evidence_record(order_id, kind, sha, size, name, version, name_raw, at):
    rec = bytes([version]) + lv(order_id.encode()) + lv(kind.encode()) + sha
    rec += struct.pack(">Q", size) + lv(name)
    if version == 3:
        rec += lv(name_raw)
    return rec + struct.pack(">Q", at)


def annotation_record(typ, order_id, subject, at, who, payload):
    return (bytes([2]) + lv(typ.encode()) + lv(order_id.encode()) + lv(subject.encode())
            + struct.pack(">Q", at) + lv(who.encode()) + lv(payload))


def leaf_hash(rec):
    return hashlib.sha256(b"\x00" + rec).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(leaves):
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = list(leaves)
    # RFC 9162: the largest power of two below n splits; iterate bottom-up
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def main():
    url = sys.argv[1]
    want_root = sys.argv[2] if len(sys.argv) > 2 else None
    problems = []
    nodes = {}
    for lvl, idx, h in rows(url, "SELECT level, idx, encode(hash, 'hex') FROM ledger_nodes"):
        nodes[(int(lvl), int(idx))] = bytes.fromhex(h)
    n = sum(1 for (lvl, _) in nodes if lvl == 0)
    seen = {}
    ev = rows(url, "SELECT leaf_index, order_id, kind, encode(sha256, 'hex'), size, "
                   "encode(convert_to(name, 'UTF8'), 'hex'), leaf_version, "
                   "encode(name_raw, 'hex'), ingested_at, id FROM evidence")
    for li, oid, kind, sha, size, name, ver, raw, at, rid in ev:
        if li == "":
            problems.append(f"evidence row {rid} has no leaf")
            continue
        rec = evidence_record(oid, kind, bytes.fromhex(sha), int(size), bytes.fromhex(name),
                              int(ver), bytes.fromhex(raw), int(at))
        seen.setdefault(int(li), []).append((f"evidence row {rid}", leaf_hash(rec)))
    an = rows(url, "SELECT leaf_index, type, order_id, subject, at, who, "
                   "encode(payload, 'hex') FROM annotations")
    for li, typ, oid, subj, at, who, payload in an:
        rec = annotation_record(typ, oid, subj, int(at), who, bytes.fromhex(payload))
        seen.setdefault(int(li), []).append((f"annotation {subj}", leaf_hash(rec)))
    for i in sorted(seen):
        if len(seen[i]) > 1:
            problems.append(f"leaf {i} is claimed {len(seen[i])} times: "
                            + ", ".join(w for w, _ in seen[i]))
        for what, h in seen[i]:
            if nodes.get((0, i)) != h:
                problems.append(f"{what}: its record does not hash to stored leaf {i}")
    missing = [i for i in range(n) if i not in seen]
    if missing:
        problems.append(f"{len(missing)} stored leaves belong to no row (first {missing[0]})")
    beyond = [i for i in seen if i >= n]
    if beyond:
        problems.append(f"{len(beyond)} rows name a leaf beyond the {n} stored (first {min(beyond)})")
    for (lvl, idx), h in nodes.items():
        if lvl == 0:
            continue
        left, right = nodes.get((lvl - 1, 2 * idx)), nodes.get((lvl - 1, 2 * idx + 1))
        if left is None or right is None or node_hash(left, right) != h:
            problems.append(f"node {lvl}/{idx} is not the hash of its children")
    root = mth([nodes.get((0, i), b"") for i in range(n)]).hex()
    if want_root and root != want_root:
        problems.append(f"root of {n} leaves is {root}, the seal said {want_root}")
    for p in problems[:20]:
        print(p)
    if problems:
        return 1
    print(f"ledger ok: {n} leaves, {len(ev)} evidence rows, {len(an)} annotations, root {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

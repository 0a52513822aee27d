#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# This file is free software under the MIT licence, like the rest of casefile
# (https://opensource.org/license/mit): copy it, change it, ship it with your
# own tools.  It depends on nothing but Python 3's standard library.
"""Check casefile's Merkle proofs without casefile (Python 3 standard library).

  casefile-proofcheck.py proofs PROOFS.json
      every sealed exhibit of a dossier's or bag's proofs.json: its leaf hash
      recomputed from its fields, its RFC 9162 inclusion path up to the root
      its checkpoint states, and -- when present -- the consistency proof
      from the head that first sealed it to that newest head.
  casefile-proofcheck.py log EXPORT_DIR
      the folder of `casefile log --export`: each consistency proof from one
      tree head to the next, against the roots their checkpoints state.

One line per item ("ok", "BAD", "unsealed"); exit 0 when all hold, 1 when
any fails, 2 on unreadable input.  Signatures and timestamps are checked
with openssl (README, "Checking a dossier without casefile").
"""
import base64
import hashlib
import json
import os
import struct
import sys


def H(b):
    return hashlib.sha256(b).digest()


def node(left, right):
    return H(b"\x01" + left + right)


def lp(b):
    """u32 big-endian length prefix, then the bytes."""
    return struct.pack(">I", len(b)) + b


def leaf_hash(ex):
    """RFC 9162 leaf hash of a proofs.json exhibit (leaf versions 1 and 3)."""
    head = (lp(ex["order_id"].encode()) + lp(ex["kind"].encode()) +
            bytes.fromhex(ex["sha256"]) + struct.pack(">Q", ex["size"]) +
            lp(ex["name"].encode()))
    version = ex.get("leaf_version", 1)
    if version == 1:
        rec = b"\x01" + head + struct.pack(">q", ex["ingested_at"])
    elif version == 3:   # the name's original bytes bound too
        rec = (b"\x03" + head + lp(bytes.fromhex(ex["name_raw_hex"])) +
               struct.pack(">q", ex["ingested_at"]))
    else:
        raise ValueError("unknown leaf version %r" % version)
    return H(b"\x00" + rec)


def root_from_inclusion(index, size, leaf, path):
    """RFC 9162 section 2.1.3.2; None when the path does not fit."""
    if index >= size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


def consistent(size1, size2, root1, root2, proof):
    """RFC 9162 section 2.1.4.2: the tree (size2, root2) extends (size1, root1)."""
    if size1 == size2:
        return not proof and root1 == root2
    if size1 == 0 or size1 > size2 or not proof:
        return False
    if size1 & (size1 - 1) == 0:          # a power of two: its root starts the path
        proof = [root1] + proof
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2


def checkpoint_head(text):
    """(size, root) from a C2SP checkpoint's second and third lines."""
    lines = text.split("\n")
    return int(lines[1]), base64.b64decode(lines[2], validate=True)


def check_proofs(path):
    doc = json.load(open(path, encoding="utf-8"))
    bad = 0
    for ex in doc["exhibits"]:
        if ex["status"] != "sealed":
            print("unsealed", ex["name"])
            continue
        leaf = leaf_hash(ex)
        root = bytes.fromhex(ex["root_hash"])
        ok = leaf.hex() == ex["leaf_hash"]
        ok = ok and root_from_inclusion(ex["leaf_index"], ex["tree_size"], leaf,
                                        [bytes.fromhex(p) for p in ex["inclusion_path"]]) == root
        ok = ok and checkpoint_head(ex["checkpoint"]) == (ex["tree_size"], root)
        first = ex.get("first_head")
        if ok and first is not None:
            fsize, froot = checkpoint_head(first["checkpoint"])
            ok = (fsize == first["tree_size"] and froot.hex() == first["root_hash"] and
                  fsize > ex["leaf_index"] and
                  consistent(fsize, ex["tree_size"], froot, root,
                             [bytes.fromhex(p) for p in ex["consistency_proof"]]))
        print("ok" if ok else "BAD", ex["name"], ex["leaf_index"], ex["tree_size"],
              "first sealed in %d" % first["tree_size"] if first else "")
        bad += not ok
    return bad


def check_log(folder):
    bad = 0
    heads = {}
    cdir = os.path.join(folder, "checkpoints")
    for name in sorted(os.listdir(cdir)):
        if name.endswith(".txt"):
            with open(os.path.join(cdir, name), encoding="utf-8", newline="") as f:
                heads[int(name[:-4])] = checkpoint_head(f.read())
    pdir = os.path.join(folder, "consistency")
    for n in range(1, len(heads)):
        name = "%08d-%08d.json" % (n, n + 1)
        p = json.load(open(os.path.join(pdir, name), encoding="utf-8"))
        (s1, r1), (s2, r2) = heads[n], heads[n + 1]
        ok = (p["size1"], p["size2"]) == (s1, s2) and \
            consistent(s1, s2, r1, r2, [bytes.fromhex(h) for h in p["proof"]])
        print("ok" if ok else "BAD", "head %d (%d leaves) -> head %d (%d leaves)" % (n, s1, n + 1, s2))
        bad += not ok
    if not heads:
        print("BAD no checkpoints in", cdir)
        bad += 1
    return bad


def main(argv):
    if len(argv) != 3 or argv[1] not in ("proofs", "log"):
        sys.stderr.write(__doc__)
        return 2
    try:
        bad = check_proofs(argv[2]) if argv[1] == "proofs" else check_log(argv[2])
    except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
        sys.stderr.write("casefile-proofcheck: %s: %s\n" % (argv[2], e))
        return 2
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

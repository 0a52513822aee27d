# SPDX-License-Identifier: MIT
# tests/proofs-check.py PROOFS.json: check a proofs.json (include/casefile/
# proofs.h) without casefile: each sealed exhibit's leaf hash from its
# fields, its RFC 9162 inclusion path up to root_hash, and that the
# checkpoint states that size and root.  Prints one line per exhibit
# ("ok"/"BAD"/"unsealed"); exit 1 when any sealed exhibit fails.
import base64, hashlib, json, struct, sys
doc = json.load(open(sys.argv[1]))
H = lambda b: hashlib.sha256(b).digest()
bad = 0
for ex in doc["exhibits"]:
    if ex["status"] != "sealed":
        print("unsealed", ex["name"]); continue
    s = lambda x: struct.pack(">I", len(x.encode())) + x.encode()
    rec = (b"\x01" + s(ex["order_id"]) + s(ex["kind"]) + bytes.fromhex(ex["sha256"])
           + struct.pack(">Q", ex["size"]) + s(ex["name"]) + struct.pack(">q", ex["ingested_at"]))
    leaf = H(b"\x00" + rec)
    ok = leaf.hex() == ex["leaf_hash"]
    # RFC 9162 2.1.3.2
    fn, sn, r = ex["leaf_index"], ex["tree_size"] - 1, leaf
    for p in ex["inclusion_path"]:
        p = bytes.fromhex(p)
        if sn == 0: ok = False; break
        if fn & 1 or fn == sn:
            r = H(b"\x01" + p + r)
            while not fn & 1 and fn != 0: fn >>= 1; sn >>= 1
        else:
            r = H(b"\x01" + r + p)
        fn >>= 1; sn >>= 1
    ok = ok and sn == 0 and r.hex() == ex["root_hash"]
    lines = ex["checkpoint"].split("\n")
    ok = ok and lines[1] == str(ex["tree_size"]) and base64.b64decode(lines[2]).hex() == ex["root_hash"]
    print(("ok" if ok else "BAD"), ex["name"], ex["leaf_index"], ex["tree_size"])
    bad += not ok
sys.exit(1 if bad else 0)

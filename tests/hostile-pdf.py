#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""hostile-pdf.py SHAPE OUT.pdf [SCALE] -- write a PDF that once made
`casefile verify` slow or hungry (issue 11, item 5).

Every file is a structurally valid PDF whose hostile part is reached by
verify (the catalog, the embedded-files name tree, the form fields or the
cross-reference data).  SCALE (default 1.0) multiplies the sizes, which are
chosen so that the quadratic (or exponential) readers of before the fix
blow a 30 s timeout or a 4x-the-file + 32 MB memory bound by far, while a
linear reader finishes in well under a second.

Shapes:
  array        the catalog holds an array of 300,000 integers
  dict         the catalog holds a dictionary of 60,000 long keys (some repeated)
  nest         arrays nested 200,000 deep
  attach       20,000 attachments with long common name prefixes, and a
               manifest listing 20,000 exhibits
  manyexhibits a manifest listing 120,000 exhibits (more than the cap)
  xrefsect     4,000 incremental xref sections whose /XRefStm all name one
               cross-reference stream of 150,000 rows
  bignum       a small file whose xref table names object 8,300,000
  objstm       object streams that inflate to 16 MB each, all referenced
  objstmn      one object stream holding 100,000 objects, all referenced
  xrefbomb     a cross-reference stream that inflates to 256 MB
  nolength     20,000 streams without /Length or endstream, all referenced
  fielddag     form fields whose /Kids share subtrees, 40^6 paths
  namedag      an embedded-files name tree whose /Kids share subtrees
  sigs         3,000 signature fields
"""
import hashlib
import json
import sys
import zlib


class Pdf:
    """Objects numbered from 1; write() adds a classic xref and trailer."""

    def __init__(self):
        self.objs = []

    def add(self, body):
        self.objs.append(body if isinstance(body, bytes) else body.encode())
        return len(self.objs)

    def set(self, num, body):
        self.objs[num - 1] = body if isinstance(body, bytes) else body.encode()

    def write(self, path, extra_trailer=b"", tail=b""):
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offs = []
        for i, body in enumerate(self.objs):
            offs.append(len(out))
            out += b"%d 0 obj\n" % (i + 1) + body + b"\nendobj\n"
        x = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(offs) + 1)
        for o in offs:
            out += b"%010d 00000 n\r\n" % o
        out += b"trailer\n<</Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
            len(offs) + 1, extra_trailer, x)
        out += tail
        with open(path, "wb") as f:
            f.write(out)
        return out


def stream(data, extra=b""):
    return b"<</Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def n(scale, base):
    return max(2, int(base * scale))


def shape_array(path, s):
    p = Pdf()
    p.add(b"<</Type /Catalog /Junk [" + b"0 " * n(s, 300000) + b"]>>")
    p.write(path)


def shape_dict(path, s):
    # keys with a long common prefix: one comparison is not cheap
    k = n(s, 60000)
    key = b"k" + b"0" * 90
    body = b"".join(b"/%s%d %d " % (key, i % (k - k // 8), i) for i in range(k))
    p = Pdf()
    p.add(b"<</Type /Catalog /Junk <<" + body + b">> >>")
    p.write(path)


def shape_nest(path, s):
    d = n(s, 200000)
    p = Pdf()
    p.add(b"<</Type /Catalog /Junk " + b"[" * d + b"]" * d + b">>")
    p.write(path)


def manifest(names, sizes, digests):
    ex = [{"no": i + 1, "name": "x%d" % i, "kind": "other", "attachment": nm,
           "sha256": dg, "size": sz}
          for i, (nm, sz, dg) in enumerate(zip(names, sizes, digests))]
    return json.dumps({"format": "casefile-manifest/1", "order_id": "6931000000000001",
                       "exhibits": ex}, separators=(",", ":")).encode()


def attachments(p, items):
    """Embedded files (name, bytes); returns the name tree's object number."""
    names = []
    for nm, data in items:
        st = p.add(stream(data, b"/Type /EmbeddedFile"))
        fs = p.add(b"<</Type /Filespec /F (%s) /UF (%s) /EF <</F %d 0 R>> >>" % (
            nm.encode(), nm.encode(), st))
        names.append(b"(%s) %d 0 R" % (nm.encode(), fs))
    return p.add(b"<</Names [" + b" ".join(names) + b"]>>")


def shape_attach(path, s):
    k = n(s, 20000)
    prefix = "exhibit-" + "0" * 100 + "-"
    names = ["%s%06d.bin" % (prefix, i) for i in range(k)]
    # originals of 1.2 kB: what a dossier attaches is a whole file
    datas = [(b"%06d" % i) * 200 for i in range(k)]
    mf = manifest(names, [len(d) for d in datas],
                  [hashlib.sha256(d).hexdigest() for d in datas])
    p = Pdf()
    cat = p.add(b"")
    tree = attachments(p, list(zip(names, datas)) + [("manifest.json", mf)])
    p.set(cat, b"<</Type /Catalog /Names <</EmbeddedFiles %d 0 R>> >>" % tree)
    p.write(path)


def shape_manyexhibits(path, s):
    k = n(s, 120000)
    ex = [{"sha256": "00" * 32} for i in range(k)]
    mf = json.dumps({"format": "casefile-manifest/1", "exhibits": ex},
                    separators=(",", ":")).encode()
    p = Pdf()
    cat = p.add(b"")
    p.add(stream(b"\x00" * (3 * len(mf))))  # a manifest may be a quarter of the file
    tree = attachments(p, [("manifest.json", mf)])
    p.set(cat, b"<</Type /Catalog /Names <</EmbeddedFiles %d 0 R>> >>" % tree)
    p.write(path)


def shape_xrefsect(path, s):
    rows, k = n(s, 150000), n(s, 4000)
    p = Pdf()
    p.add(b"<</Type /Catalog>>")
    p.add(stream(b"\x00" * (rows * 14)))  # room for rows in the xref table
    base = bytearray(p.write(path))
    # strip the old xref: keep the objects, then a big xref stream
    base = base[:base.index(b"xref\n0 ")]
    xs_off = len(base)
    data = b"\x00\x00\x00\x00\x00\x00\x00" * rows
    base += b"2 0 obj\n" + stream(data, b"/Type /XRef /W [1 4 2] /Size %d" % rows) + \
        b"\nendobj\n"
    first = None
    prev = None
    # k hybrid sections, each naming the same /XRefStm
    for i in range(k):
        off = len(base)
        if i == k - 1:
            base += b"xref\n0 2\n0000000000 65535 f\r\n%010d 00000 n\r\n" % 15
        else:
            base += b"xref\n0 0\n"
        base += b"trailer\n<</Size 3 /Root 1 0 R /XRefStm %d" % xs_off
        if prev is not None:
            base += b" /Prev %d" % prev
        base += b">>\n"
        prev = off
        first = off
    base += b"startxref\n%d\n%%%%EOF\n" % first
    with open(path, "wb") as f:
        f.write(base)


def shape_bignum(path, s):
    p = Pdf()
    p.add(b"<</Type /Catalog /Pad (" + b"x" * n(s, 400000) + b")>>")
    out = bytearray(p.write(path))
    prev = int(out[out.rindex(b"startxref") + 10:].split(b"\n")[0])
    # a newer section naming object 8,300,000
    x = len(out)
    out += b"xref\n8300000 1\n%010d 00000 n\r\n" % 15
    out += b"trailer\n<</Size 8300001 /Root 1 0 R /Prev %d>>\nstartxref\n%d\n%%%%EOF\n" % (
        prev, x)
    with open(path, "wb") as f:
        f.write(out)


def objstm_body(objs):
    hdr = b""
    body = b""
    for num, o in objs:
        hdr += b"%d %d " % (num, len(body))
        body += o + b" "
    return hdr, body


def shape_objstm(path, s):
    k = n(s, 12)
    big = b" " * (16 << 20)
    p = Pdf()
    cat = p.add(b"")
    refs = []
    entries = []  # (num, type, a, b)
    for i in range(k):
        num_in = 1000 + i
        hdr, body = objstm_body([(num_in, b"<</FT /Tx /T (f)>>")])
        data = zlib.compress(hdr + body + big, 9)
        st = p.add(stream(data, b"/Type /ObjStm /N 1 /First %d /Filter /FlateDecode" % len(hdr)))
        entries.append((num_in, st))
        refs.append(b"%d 0 R" % num_in)
    p.set(cat, b"<</Type /Catalog /AcroForm <</Fields [" + b" ".join(refs) + b"]>> >>")
    write_with_objstm(p, path, entries)


def write_with_objstm(p, path, entries, index_only=False):
    """p's objects in a classic table plus an xref stream section for the
    objects inside object streams (entries: (num, stream number, index))."""
    out = bytearray(p.write(path))
    x = int(out[out.rindex(b"startxref") + 10:].split(b"\n")[0])
    rows = b""
    index = []
    for e in sorted(entries):
        num, st = e[0], e[1]
        idx = e[2] if len(e) > 2 else 0
        if index and index[-2] + index[-1] == num:
            index[-1] += 1
        else:
            index += [num, 1]
        rows += b"\x02" + st.to_bytes(4, "big") + idx.to_bytes(3, "big")
    xs_num = len(p.objs) + 1
    xs_off = len(out)
    out += b"%d 0 obj\n" % xs_num + stream(
        rows, b"/Type /XRef /W [1 4 3] /Size %d /Index [%s]" % (
            xs_num + 1, b" ".join(b"%d" % v for v in index))) + b"\nendobj\n"
    # a hybrid section: the classic table names the xref stream
    t = len(out)
    out += b"xref\n%d 1\n%010d 00000 n\r\n" % (xs_num, xs_off)
    out += b"trailer\n<</Size %d /Root 1 0 R /Prev %d /XRefStm %d>>\nstartxref\n%d\n%%%%EOF\n" % (
        max(xs_num + 1, max(e[0] for e in entries) + 1), x, xs_off, t)
    with open(path, "wb") as f:
        f.write(out)


def shape_objstmn(path, s):
    k = n(s, 100000)
    objs = [(1000 + i, b"<</FT /Tx>>") for i in range(k)]
    hdr, body = objstm_body(objs)
    p = Pdf()
    cat = p.add(b"")
    st = p.add(stream(zlib.compress(hdr + body, 9),
                      b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (k, len(hdr))))
    p.set(cat, b"<</Type /Catalog /AcroForm <</Fields [" +
          b" ".join(b"%d 0 R" % (1000 + i) for i in range(k)) + b"]>> >>")
    write_with_objstm(p, path, [(1000 + i, st, i) for i in range(k)])


def shape_xrefbomb(path, s):
    size = n(s, 256 << 20)
    p = Pdf()
    p.add(b"<</Type /Catalog>>")
    out = bytearray(p.write(path))
    out = out[:out.index(b"xref\n0 ")]
    off = len(out)
    data = zlib.compress(b"\x00" * size, 9)
    out += b"2 0 obj\n" + stream(data, b"/Type /XRef /W [1 4 2] /Size 3 /Filter /FlateDecode") + \
        b"\nendobj\nstartxref\n%d\n%%%%EOF\n" % off
    with open(path, "wb") as f:
        f.write(out)


def shape_nolength(path, s):
    k = n(s, 20000)
    p = Pdf()
    cat = p.add(b"")
    refs = []
    for i in range(k):
        refs.append(b"%d 0 R" % p.add(b"<</FT /Tx>>\nstream\nxx"))
    p.add(b"(" + b"x" * n(s, 2 << 20) + b")")
    p.set(cat, b"<</Type /Catalog /AcroForm <</Fields [" + b" ".join(refs) + b"]>> >>")
    p.write(path)


def dag(p, leaf, width, depth, key):
    node = leaf
    for _ in range(depth):
        node = p.add(b"<<%s [" % key + b" ".join([b"%d 0 R" % node] * width) + b"]>>")
    return node


def shape_fielddag(path, s):
    p = Pdf()
    cat = p.add(b"")
    leaf = p.add(b"<</FT /Tx /T (leaf)>>")
    top = dag(p, leaf, n(s, 40), 6, b"/Kids")
    p.set(cat, b"<</Type /Catalog /AcroForm <</Fields [%d 0 R]>> >>" % top)
    p.write(path)


def shape_namedag(path, s):
    p = Pdf()
    cat = p.add(b"")
    st = p.add(stream(b"x", b"/Type /EmbeddedFile"))
    fs = p.add(b"<</Type /Filespec /F (a) /EF <</F %d 0 R>> >>" % st)
    leaf = p.add(b"<</Names [(a) %d 0 R]>>" % fs)
    top = dag(p, leaf, n(s, 40), 5, b"/Kids")
    p.set(cat, b"<</Type /Catalog /Names <</EmbeddedFiles %d 0 R>> >>" % top)
    p.write(path)


def shape_sigs(path, s):
    k = n(s, 3000)
    p = Pdf()
    cat = p.add(b"")
    size = n(s, 1 << 20)
    pad = p.add(stream(b"\x00" * size))
    refs = []
    for i in range(k):
        v = p.add(b"<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
                  b"/ByteRange [0 10 20 %d] /Contents <3082>>>" % size)
        refs.append(b"%d 0 R" % p.add(b"<</FT /Sig /T (s%d) /V %d 0 R>>" % (i, v)))
    del pad
    p.set(cat, b"<</Type /Catalog /AcroForm <</Fields [" + b" ".join(refs) + b"]>> >>")
    p.write(path)


SHAPES = {name[6:]: fn for name, fn in globals().items() if name.startswith("shape_")}

if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in SHAPES:
        sys.stderr.write("usage: hostile-pdf.py {%s} OUT.pdf [SCALE]\n" % "|".join(sorted(SHAPES)))
        sys.exit(2)
    SHAPES[sys.argv[1]](sys.argv[2], float(sys.argv[3]) if len(sys.argv) == 4 else 1.0)

#!/usr/bin/env python3
"""check.py - reads allocscope recordings for tests/record_test.sh.

  check.py counts REC          prints "allocs frees bytes" as valgrind's
                               "total heap usage" counts them (a realloc
                               that moves or resizes is one alloc and one
                               free; free(NULL) and failed calls count not)
  check.py layout REC BLOCKS   exit 0 iff every live block of the glibc
                               view (BLOCKS: the `blocks` answer after
                               `new glibc REC` and `trace REC`) sits at
                               its recorded address minus its heap's
                               start: the main heap's page (region 0),
                               its arena's 64 MiB heap, or 16 bytes into
                               its mmapped chunk
  check.py known REC CHILDREC  exit 0 iff the calls made by the known_*
                               functions of tests/record/known.c are
                               exactly the ones it documents
"""
import sys


def read(path):
    """(header words, body lines as word lists, trailer lines as word lists)"""
    with open(path) as f:
        lines = f.read().split("\n")
    assert lines[-1] == "", "no final newline"
    head = [l.split() for l in lines[:4]]
    ops = int(head[2][0])
    body = [l.split() for l in lines[4:4 + ops]]
    trailer = [l.split() for l in lines[4 + ops:-1]]
    assert trailer[-1][0] == "end", "no end line"
    return head, body, trailer


def layout(path, blocks_path):
    head, body, _ = read(path)
    heap = [int(w[5:], 16) for w in head[3] if w.startswith("heap=")][0] & ~0xFFF
    where = {}  # id -> (address, glibc field)
    for w in body:
        if w[0] in "ar":
            where[w[1]] = (int(w[4], 16), w[7])
    with open(blocks_path) as f:
        rows = [l.split() for l in f if l.startswith("  #")]
    latest = {}
    for r in rows:  # the last block of each name is the one the id holds now
        latest[r[1]] = r
    checked = 0
    for name, r in latest.items():
        if r[-2] != "live":  # the state column (steps follow it)
            continue
        addr, g = where[name[1:]]
        region, offset = int(r[2]), int(r[3])
        if g.endswith("m"):
            want = 16
        elif g.endswith("n"):
            want = addr & ((1 << 26) - 1)
        else:
            want = addr - heap
            if region != 0:
                print("%s: region %d, expected the main heap" % (name, region))
                return False
        if offset != want:
            print("%s: offset %d, recorded address %x gives %d" % (name, offset, addr, want))
            return False
        checked += 1
    if checked == 0:
        print("no live block to check")
    return checked > 0


def counts(path):
    _, body, _ = read(path)
    allocs = frees = size = 0
    for w in body:
        if w[0] == "a":
            allocs += 1
            size += int(w[2])
        elif w[0] == "r":
            allocs += 1
            frees += 1
            size += int(w[2])
        else:
            frees += 1
    print(allocs, frees, size)


def calls_of(path, prefix):
    """The calls whose caller's symbol starts with prefix, in order, as
    strings: "a SIZE KIND", "r SIZE KIND", "f KIND", "x KIND SIZE ERRNO",
    each with its thread index."""
    _, body, trailer = read(path)
    syms = {}
    for w in trailer:
        if w[0] == "s":
            syms["@" + w[1]] = w[3] if len(w) > 3 else "?"
    def mine(w):
        return w[-1].startswith("@") and syms.get(w[-1], "").startswith(prefix)
    extra = {}
    for w in trailer:
        if w[0] == "x" and mine(w):
            extra.setdefault(int(w[1]), []).append("x %s %s %s t%s" % (w[2], w[3], w[6], w[4]))
    out = []
    for i, w in enumerate(body + [None]):
        out += extra.get(i, [])
        if w is None or not mine(w):
            continue
        if w[0] in "ar":
            out.append("%s %s %s t%s" % (w[0], w[2], w[3], w[5]))
        else:
            out.append("f %s t%s" % (w[2], w[3]))
    return out


KNOWN_MAIN = """a 100 m t0
a 80 c t0
x c 9223372036854775807*4 12 t0
r 200 r t0
f r t0
a 1000 p64 t0
x p3 10 22 t0
a 50 M256 t0
a 256 A128 t0
a 120 R t0
r 240 R t0
x R 4611686018427387903*8 12 t0
a 100 v t0
a 100 P t0
x f 0 0 t0
f f t0
f f t0
f f t0
f f t0
f f t0
f f t0
f f t0
a 0 m t0
f f t0""".split("\n")

KNOWN_CHILD = ["a 77 m t0", "f f t0", "a 88 m t0"]


def known(path, child):
    ok = True
    got = calls_of(path, "known_main+")
    if got != KNOWN_MAIN:
        print("known_main: recorded\n  " + "\n  ".join(got) + "\nexpected\n  " + "\n  ".join(KNOWN_MAIN))
        ok = False
    threads = calls_of(path, "known_thread+")
    for t in ("t1", "t2"):
        mine = [c for c in threads if c.endswith(" " + t)]
        want = []
        for i in range(100):
            want += ["a %d m %s" % (24 + i, t), "f f %s" % t]
        if mine != want:
            print("known_thread on %s: %d calls recorded, not the 200 expected" % (t, len(mine)))
            ok = False
    if len(threads) != 400:
        print("known_thread: %d calls recorded on other threads" % (len(threads) - 400))
        ok = False
    got = calls_of(child, "known_child+")
    if got != KNOWN_CHILD:
        print("known_child: recorded %s, expected %s" % (got, KNOWN_CHILD))
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if sys.argv[1] == "counts":
        counts(sys.argv[2])
    elif sys.argv[1] == "known":
        known(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "layout":
        sys.exit(0 if layout(sys.argv[2], sys.argv[3]) else 1)
    else:
        sys.exit("usage: check.py counts REC | layout REC BLOCKS | known REC CHILDREC")

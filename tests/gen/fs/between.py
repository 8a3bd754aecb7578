#!/usr/bin/env python3
"""between.py - LOW <= GOT <= HIGH for three pfn sets.

    between.py LOW.pfns GOT.pfns HIGH.pfns

The files are in the format of tests/tools/dumpcheck.py pfns (one inclusive
`0xS-0xE` range per line, then `total N`).  Passes (exit 0, one line saying
how far GOT is from each bound) when every pfn of LOW is in GOT and every
pfn of GOT is in HIGH; else exit 1 with the first ranges that break it.
Used for makedumpfile's -e dumps, which drop only some of the struct page
array pages dumpsieve's truth drops (docs/compat.md): LOW is the truth with
-e, HIGH the truth without.
"""
import sys


def ranges(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.startswith("0x"):
                s, e = line.split("-")
                out.append((int(s, 16), int(e, 16) + 1))
    return out


def missing(a, b):
    """ranges of a not covered by b (both sorted, disjoint)"""
    out, j = [], 0
    for s, e in a:
        while j < len(b) and b[j][1] <= s:
            j += 1
        k, p = j, s
        while p < e:
            if k < len(b) and b[k][0] <= p:
                p = max(p, b[k][1])
                k += 1
                continue
            nxt = b[k][0] if k < len(b) else e
            out.append((p, min(nxt, e)))
            p = min(nxt, e)
    return out


def count(rs):
    return sum(e - s for s, e in rs)


def show(rs):
    return ", ".join("0x%x-0x%x" % (s, e - 1) for s, e in rs[:4]) + (" ..." if len(rs) > 4 else "")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    low, got, high = (ranges(p) for p in sys.argv[1:])
    lost, extra = missing(low, got), missing(got, high)
    if lost or extra:
        if lost:
            print("FAIL: %d pfns of the lower bound are not kept: %s" % (count(lost), show(lost)))
        if extra:
            print("FAIL: %d kept pfns are above the upper bound: %s" % (count(extra), show(extra)))
        sys.exit(1)
    print("between: %d kept, %d above the lower bound, %d below the upper" %
          (count(got), count(got) - count(low), count(high) - count(got)))


if __name__ == "__main__":
    main()

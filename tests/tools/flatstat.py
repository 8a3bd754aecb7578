#!/usr/bin/env python3
"""flatstat.py - count the records of a flattened dump stream (-F), how
many arrive behind an earlier offset, and what they cost crash: it sorts
the records by insertion from the end when it opens the stream, so each
record moves past every earlier record with a higher offset ("moves").

  flatstat.py [--max-records N] [--max-out-of-order M] [--max-moves K] STREAM
Exit 1 when a limit is exceeded or the stream is malformed.
"""
import argparse
import bisect
import struct
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("stream")
    ap.add_argument("--max-records", type=int)
    ap.add_argument("--max-out-of-order", type=int)
    ap.add_argument("--max-moves", type=int)
    a = ap.parse_args()
    with open(a.stream, "rb") as f:
        if f.read(16)[:12] != b"makedumpfile":
            sys.exit("%s: no flattened header" % a.stream)
        f.seek(4096)
        records = behind = moves = 0
        highest = -1
        offsets = []                # sorted, as crash keeps them
        while True:
            h = f.read(16)
            if len(h) < 16:
                sys.exit("%s: no end marker after %d records" % (a.stream, records))
            off, size = struct.unpack(">qq", h)
            if off == -1 and size == -1:
                break
            records += 1
            if off < highest:
                behind += 1
            highest = max(highest, off)
            at = bisect.bisect_right(offsets, off)
            moves += len(offsets) - at
            offsets.insert(at, off)
            f.seek(size, 1)
    print("records %d, behind an earlier offset %d, insertion moves %d" % (records, behind, moves))
    if a.max_records is not None and records > a.max_records:
        sys.exit("more than %d records" % a.max_records)
    if a.max_out_of_order is not None and behind > a.max_out_of_order:
        sys.exit("more than %d records out of order" % a.max_out_of_order)
    if a.max_moves is not None and moves > a.max_moves:
        sys.exit("more than %d insertion moves" % a.max_moves)


if __name__ == "__main__":
    main()

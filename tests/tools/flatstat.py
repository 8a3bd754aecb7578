#!/usr/bin/env python3
"""flatstat.py - count the records of a flattened dump stream (-F) and how
many arrive behind an earlier offset (each such record costs crash an
insertion-sort walk when it opens the stream).

  flatstat.py [--max-records N] [--max-out-of-order M] STREAM
Exit 1 when a limit is exceeded or the stream is malformed.
"""
import argparse
import struct
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("stream")
    ap.add_argument("--max-records", type=int)
    ap.add_argument("--max-out-of-order", type=int)
    a = ap.parse_args()
    with open(a.stream, "rb") as f:
        if f.read(16)[:12] != b"makedumpfile":
            sys.exit("%s: no flattened header" % a.stream)
        f.seek(4096)
        records = behind = 0
        highest = -1
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
            f.seek(size, 1)
    print("records %d, behind an earlier offset %d" % (records, behind))
    if a.max_records is not None and records > a.max_records:
        sys.exit("more than %d records" % a.max_records)
    if a.max_out_of_order is not None and behind > a.max_out_of_order:
        sys.exit("more than %d records out of order" % a.max_out_of_order)


if __name__ == "__main__":
    main()

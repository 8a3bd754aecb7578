#!/usr/bin/env python3
"""readcost.py - what one read costs on a file: a fixed cost per request
and a cost per byte, the two numbers that decide how a collector should
read (few large reads or many small ones).

  readcost.py FILE [--offset BYTES] [--span BYTES] [-n REQUESTS]

Reads FILE with pread at evenly spaced offsets in [offset, offset+span):
n reads of 64 bytes (the request's own cost: a struct page), then n/16
reads of 64 KiB and n/256 of 1 MiB, and prints per size the wall time
per request and per GB, and the fit: cost = a + b * bytes (least squares
over the three sizes).  bench/scale.sh's medium is vmcorefs (direct_io:
every read is a FUSE request): an offset in an idle machine's free memory,
which vmcorefs makes at no cost, gives the cost of the requests alone
(docs/performance.md, "Scale").
"""
import argparse
import os
import time


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("file")
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--span", type=int, default=1 << 34)
    ap.add_argument("-n", type=int, default=100000)
    a = ap.parse_args()
    fd = os.open(a.file, os.O_RDONLY)
    pts = []
    for size, count in ((64, a.n), (65536, a.n // 16), (1 << 20, a.n // 256)):
        step = max(a.span // count, size) & ~4095
        t0 = time.perf_counter()
        for i in range(count):
            if len(os.pread(fd, size, a.offset + i * step)) != size:
                raise SystemExit("%s: short read at %d" % (a.file, a.offset + i * step))
        dt = time.perf_counter() - t0
        pts.append((size, dt / count))
        print("size=%d requests=%d us_per_request=%.2f s_per_GB=%.3f"
              % (size, count, dt / count * 1e6, dt / count / size * 1e9))
    n = len(pts)
    mx = sum(p[0] for p in pts) / n
    my = sum(p[1] for p in pts) / n
    b = sum((p[0] - mx) * (p[1] - my) for p in pts) / sum((p[0] - mx) ** 2 for p in pts)
    print("fit: us_per_request=%.2f s_per_GB=%.3f" % ((my - b * mx) * 1e6, b * 1e9))


if __name__ == "__main__":
    main()

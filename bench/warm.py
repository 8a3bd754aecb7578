#!/usr/bin/env python3
"""warm.py - read a file's data into the page cache, skipping its holes.

  warm.py FILE...

A capture kernel reads /proc/vmcore from memory, so benchmarks run with the
input cached.  `cat` would do that for a plain file, but on a sparse
synthetic vmcore (a 1 TiB machine is 20 GiB of data and 1 TiB of holes) it
reads the holes too, which fills the cache with zeros and evicts the data.
This reads only the extents that SEEK_DATA/SEEK_HOLE report.
"""
import os
import sys

CHUNK = 8 << 20

for path in sys.argv[1:]:
    fd = os.open(path, os.O_RDONLY)
    size = os.fstat(fd).st_size
    off = 0
    while off < size:
        try:
            start = os.lseek(fd, off, os.SEEK_DATA)
        except OSError:
            break
        end = os.lseek(fd, start, os.SEEK_HOLE)
        pos = start
        while pos < end:
            n = min(CHUNK, end - pos)
            os.pread(fd, n, pos)
            pos += n
        off = end
    os.close(fd)

#!/usr/bin/env python3
"""kdumpzero.py - pfns of a kdump-compressed dump that use the shared zero page.

    kdumpzero.py DUMP

Prints, in the format of `tests/tools/dumpcheck.py pfns` (one `0xS-0xE`
inclusive range per line, then `total N`), the pfns of the 2nd bitmap whose
page descriptor is the shared zero page's: offset = start of the page data
area, size = block size, flags 0.  With dump level bit 1 that is the set of
all-zero pages the writer found; compare it with mkvmcore's
expected-d<L>.zero.

Written from /work/shared/reference/kdump-format.md section 1 (the LP64
layout, in the dumped machine's byte order: big-endian for s390x, found from
header_version; or i386's, with 4-byte longs and 8-byte members 4-aligned,
found from utsname.machine); shares no code with dumpsieve or dumpcheck.py.
Exit status: 0 done, 1 malformed dump, 2 usage or I/O error.
"""
import re
import struct
import sys


def fail(msg, code=1):
    sys.stderr.write("kdumpzero: %s\n" % msg)
    sys.exit(code)


def main():
    if len(sys.argv) != 2:
        fail(__doc__.strip().splitlines()[2].strip(), 2)
    try:
        f = open(sys.argv[1], "rb")
    except OSError as e:
        fail("cannot open %s: %s" % (sys.argv[1], e.strerror), 2)
    with f:
        head = f.read(464)
        if len(head) < 464 or head[:8] != b"KDUMP   ":
            fail("not a kdump-compressed file")
        # header_version is small (1..6): read the wrong way round it is huge
        order = "<" if struct.unpack_from("<I", head, 8)[0] < 0x10000 else ">"
        version, = struct.unpack_from(order + "i", head, 8)
        machine = head[12 + 65 * 4:12 + 65 * 5].split(b"\0")[0]
        ilp32 = machine in (b"i386", b"i486", b"i586", b"i686")
        # block_size after a timeval of two longs; max_mapnr_64 last of the sub header
        block, sub_blocks, bitmap_blocks, mapnr32 = struct.unpack_from(order + "iiII", head,
                                                                       416 if ilp32 else 428)
        if block <= 0 or block & (block - 1):
            fail("bad block size %d" % block)
        f.seek(block)
        at = 72 if ilp32 else 96
        sub = f.read(at + 8)
        if len(sub) < at + 8:
            fail("truncated sub header")
        max_mapnr = struct.unpack_from(order + "Q", sub, at)[0] if version >= 6 else mapnr32
        half = bitmap_blocks // 2 * block
        f.seek((1 + sub_blocks) * block + half)
        bm2 = f.read(half)
        if len(bm2) < (max_mapnr + 7) // 8:
            fail("truncated 2nd bitmap")
        # pfns in the 2nd bitmap, in order (runs of zero bytes skipped in C)
        nbytes = (max_mapnr + 7) // 8
        nonzero = re.compile(rb"[^\x00]+")
        pfns = []
        for m in nonzero.finditer(bm2, 0, nbytes):
            for pos in range(m.start(), m.end()):
                byte, base = bm2[pos], pos * 8
                if byte == 0xff and base + 8 <= max_mapnr:
                    pfns.extend(range(base, base + 8))
                    continue
                for bit in range(8):
                    if byte >> bit & 1 and base + bit < max_mapnr:
                        pfns.append(base + bit)
        desc_off = (1 + sub_blocks) * block + 2 * half
        f.seek(desc_off)
        raw = f.read(24 * len(pfns))
        if len(raw) < 24 * len(pfns):
            fail("truncated descriptor table")
        data_start = desc_off + 24 * len(pfns)
        out = []
        total = 0
        start = prev = None
        for i, (off, size, flags, _pf) in enumerate(struct.iter_unpack(order + "qIIQ", raw)):
            if off == data_start and size == block and flags == 0:
                p = pfns[i]
                total += 1
                if start is not None and p == prev + 1:
                    prev = p
                    continue
                if start is not None:
                    out.append("0x%x-0x%x" % (start, prev))
                start = prev = p
        if start is not None:
            out.append("0x%x-0x%x" % (start, prev))
        out.append("total %d" % total)
        sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()

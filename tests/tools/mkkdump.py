#!/usr/bin/env python3
"""mkkdump.py - small kdump-compressed and flattened files for the
end-to-end tests: a well-formed one, and damaged variants whose headers,
bitmaps, descriptors or flattened records lie.

Usage: mkkdump.py OUT CASE      (CASE: see CASES below)

The well-formed file ("good") describes 0x2b00 pfns, all present and
dumped, every descriptor pointing at one page of zeros (as a -d 1 dump of
an all-zero machine), with a VMCOREINFO note whose page-table root (pfn
0x2a0a) is such a zero page: dumpsieve reads it and stops at "not mapped".
Each damaged variant changes one thing; the test names the message it must
produce.  Layout facts: docs/formats.md (LP64 little-endian, x86_64).
"""
import struct
import sys
import zlib

BS = 4096
NPFN = 0x2b00
PGD_PFN = 0x2a0a
VMCI = (b"OSRELEASE=6.1.0-test-amd64\nPAGESIZE=4096\n"
        b"SYMBOL(mem_section)=ffff888000100000\nLENGTH(mem_section)=2048\n"
        b"SIZE(mem_section)=16\nOFFSET(mem_section.section_mem_map)=0\n"
        b"SIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page._refcount)=52\n"
        b"OFFSET(page.mapping)=24\nOFFSET(page.lru)=8\nOFFSET(page._mapcount)=48\n"
        b"OFFSET(page.private)=40\nOFFSET(page.compound_head)=8\n"
        b"SYMBOL(init_top_pgt)=ffffffff82a0a000\nNUMBER(phys_base)=0\n"
        b"NUMBER(pgtable_l5_enabled)=0\nCRASHTIME=1700000000\n")


def note(name, ntype, desc):
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(name) + 1, len(desc), ntype) + pad(name + b"\0") + pad(desc)


def kdump(version=6, block=BS, bitmap_blocks=None, max_mapnr=NPFN, mapnr64=None,
          split=None, status=0, descs=None, note_fix=None, truncate=None, data=None):
    notes = note(b"VMCOREINFO", 0, VMCI)
    vmci_off = BS + 104 + 24          # after the note header and "VMCOREINFO\0\0"
    sub_blocks = -(-(104 + len(notes)) // BS)
    bm_bytes = -(-(-(-NPFN // 8)) // BS) * BS
    if bitmap_blocks is None:
        bitmap_blocks = 2 * bm_bytes // BS
    uts = b"".join(s.ljust(65, b"\0") for s in
                   [b"Linux", b"test", b"6.1.0-test-amd64", b"#1", b"x86_64", b""])
    hdr = (b"KDUMP   " + struct.pack("<i", version) + uts + b"\0" * 6 +
           struct.pack("<qqIiiII", 1700000000, 0, status, block, sub_blocks,
                       bitmap_blocks, max_mapnr) + b"\0" * 16 + struct.pack("<i", 1))
    assert len(hdr) == 464
    s_split, s_start, s_end = split or (0, 0, 0)
    note_off, note_size = BS + 104, len(notes)
    if note_fix:
        note_off, note_size, vmci_off = note_fix(note_off, note_size, vmci_off)
    sub = struct.pack("<QiiQQqQqQqQQQQ", 0, 1, s_split, s_start, s_end, vmci_off, len(VMCI),
                      note_off, note_size, 0, 0, s_start, s_end,
                      NPFN if mapnr64 is None else mapnr64)
    assert len(sub) == 104
    bm1 = (b"\xff" * (NPFN // 8)).ljust(bm_bytes, b"\0")
    desc_off = (1 + sub_blocks) * BS + 2 * bm_bytes
    data_off = desc_off + 24 * NPFN
    table = [(data_off, BS, 0, 0)] * NPFN
    for pfn, d in (descs or {}).items():
        table[pfn] = d(data_off)
    out = bytearray(hdr.ljust(BS, b"\0"))
    out += (sub + notes).ljust(sub_blocks * BS, b"\0")
    out += bm1 + bm1
    out += b"".join(struct.pack("<qIIQ", *d) for d in table)
    out += data if data is not None else bytes(BS)
    if truncate is not None:
        out = out[:truncate(desc_off, data_off)]
    return bytes(out), desc_off


def flat(records, end=True):
    hdr = (b"makedumpfile".ljust(16, b"\0") + struct.pack(">qq", 1, 1)).ljust(4096, b"\0")
    body = b"".join(struct.pack(">qq", off, len(d)) + d for off, d in records)
    return hdr + body + (struct.pack(">qq", -1, -1) if end else b"")


def main():
    out, case = sys.argv[1], sys.argv[2]
    good, desc_off = kdump()
    garbage = zlib.compress(b"not a page")[:-4] + b"\xde\xad"
    CASES = {
        "good": lambda: good,
        # older header versions read through as well: 5 (no 64-bit fields)
        # and 3 (no note copy: the VMCOREINFO note is made from the text)
        "good-v5": lambda: kdump(version=5)[0],
        "good-v3": lambda: kdump(version=3)[0],
        "trunc-header": lambda: good[:300],
        "bad-version": lambda: kdump(version=0)[0],
        "bad-block-size": lambda: kdump(block=3000)[0],
        "odd-bitmap-blocks": lambda: kdump(bitmap_blocks=3)[0],
        "bitmaps-past-end": lambda: kdump(bitmap_blocks=0x100000)[0],
        "mapnr-past-bitmaps": lambda: kdump(mapnr64=1 << 40)[0],
        "notes-past-end": lambda: kdump(note_fix=lambda o, s, v: (1 << 40, s, v))[0],
        "vmcoreinfo-outside-notes": lambda: kdump(note_fix=lambda o, s, v: (o, s, v + 0x10000))[0],
        "split-reversed-range": lambda: kdump(split=(1, 0x200, 0x100))[0],
        "short-desc-table": lambda: kdump(truncate=lambda d, e: d + 24 * 100)[0],
        "desc-past-end": lambda: kdump(descs={PGD_PFN: lambda e: (1 << 40, BS, 0, 0)})[0],
        "desc-bad-size": lambda: kdump(descs={PGD_PFN: lambda e: (e, 2 * BS, 0, 0)},
                                       data=bytes(3 * BS))[0],
        "desc-bad-flags": lambda: kdump(descs={PGD_PFN: lambda e: (e, 100, 0x40, 0)})[0],
        "bad-compressed-page": lambda: kdump(descs={PGD_PFN: lambda e: (e + BS, len(garbage), 1, 0)},
                                             data=bytes(BS) + garbage)[0],
        # files of split sets (given together): [0, 0x1000) with a gap, an
        # overlap, or a missing last file after it
        "split-lo": lambda: kdump(split=(1, 0, 0x1000))[0],
        "split-hi-gap": lambda: kdump(split=(1, 0x1800, NPFN))[0],
        "split-hi-overlap": lambda: kdump(split=(1, 0x800, NPFN))[0],
        "split-mid": lambda: kdump(split=(1, 0x1000, 0x2000))[0],
        "flat-good": lambda: flat([(0, good)]),
        "flat-cut": lambda: flat([(0, good)], end=False),
        "flat-bad-record": lambda: flat([(0, good[:4096]), (-5, b"xx")]),
        "flat-record-past-end": lambda: flat([(0, good)])[:4096 + 16 + 100],
        "flat-inner-damage": lambda: flat([(0, kdump(version=0)[0])]),
    }
    if case not in CASES:
        sys.exit("unknown case %s; known: %s" % (case, " ".join(CASES)))
    with open(out, "wb") as f:
        f.write(CASES[case]())


if __name__ == "__main__":
    main()

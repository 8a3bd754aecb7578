#!/usr/bin/env python3
"""vmemmap_oracle.py - what -e must drop, computed independently of dumpsieve.

  vmemmap_oracle.py VMCORE_ELF PLAIN_DUMP E_DUMP [--makedumpfile MDF_E_DUMP]
  vmemmap_oracle.py --list-memmap VMCORE_ELF

PLAIN_DUMP is dumpsieve's -d L output without -e, E_DUMP the same with -e.
From the vmcore alone (own ELF reader, own VMCOREINFO parsing, own
page-table walk of x86_64 (4/5 levels), arm64 (any granule, from
TCR_EL1_T1SZ), ppc64le radix, riscv64 (Sv39/48/57) or s390x (region and
segment tables, big-endian) or i386 (lowmem), own mem_section or
FLATMEM mem_map decoding) this lists every page of the
struct page arrays and the pfns its struct pages describe; a page must be
dropped by -e iff every pfn it describes is present and not dumped in
PLAIN_DUMP's bitmaps.  Passes iff (PLAIN - E) equals that set exactly and
E_DUMP's header has the EXCLUDED_VMEMMAP status bit.

With --makedumpfile, also explains every difference from makedumpfile's -e
output of the same vmcore: a page we drop that it keeps must be a struct
page array page that describes only excluded pfns (makedumpfile looks only
at runs of 128 or more such pfns, and on 5-level paging it mistranslates
the vmemmap); a page it drops that we keep must NOT be one (those are its
mistranslations: ordinary pages lost).  Anything else fails.

--list-memmap prints every page of the struct page arrays (pfn ranges, in
the format of dumpcheck.py pfns): what a scan of the whole arrays reads
(bench/run-all.sh gives them to vmcorefloor for the real rows).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dumpcheck  # noqa: E402  (the kdump-compressed header reader)

START_KERNEL_MAP = 0xffffffff80000000


class Core:
    def __init__(self, path):
        self.f = open(path, "rb")
        eh = self.f.read(64)
        # the crashed machine's byte order (EI_DATA: big-endian s390x)
        self.o = o = ">" if eh[5] == 2 else "<"
        self.machine, = struct.unpack_from(o + "H", eh, 18)
        self.word = 4 if eh[4] == 1 else 8      # ELFCLASS32: i386
        if self.word == 4:
            phoff, = struct.unpack_from(o + "I", eh, 28)
            phnum, = struct.unpack_from(o + "H", eh, 44)
        else:
            phoff, = struct.unpack_from(o + "Q", eh, 32)
            phnum, = struct.unpack_from(o + "H", eh, 56)
        self.f.seek(phoff)
        self.loads, self.notes = [], b""
        for _ in range(phnum):
            if self.word == 4:
                t, off, va, pa, fsz, msz, _fl, _al = struct.unpack(o + "8I", self.f.read(32))
            else:
                t, _fl, off, va, pa, fsz, msz, _al = struct.unpack(o + "IIQQQQQQ", self.f.read(56))
            if t == 1:
                self.loads.append((pa, pa + fsz, off))
            elif t == 4:
                pos = self.f.tell()
                self.f.seek(off)
                self.notes += self.f.read(fsz)
                self.f.seek(pos)

    def phys(self, pa, n):
        for s, e, off in self.loads:
            if s <= pa and pa + n <= e:
                self.f.seek(off + pa - s)
                return self.f.read(n)
        raise KeyError("paddr %#x not in the vmcore" % pa)

    def vmcoreinfo(self):
        pos, n = 0, self.notes
        while pos + 12 <= len(n):
            nsz, dsz, _t = struct.unpack_from(self.o + "III", n, pos)
            name = n[pos + 12:pos + 12 + nsz]
            dpos = pos + 12 + (nsz + 3) // 4 * 4
            if name.rstrip(b"\0") == b"VMCOREINFO":
                return dict(l.split("=", 1) for l in n[dpos:dpos + dsz].decode().splitlines() if "=" in l)
            pos = dpos + (dsz + 3) // 4 * 4
        raise SystemExit("no VMCOREINFO")


def main():
    mdf = None
    listing = len(sys.argv) == 3 and sys.argv[1] == "--list-memmap"
    if listing:
        del sys.argv[1]
    elif len(sys.argv) == 6 and sys.argv[4] == "--makedumpfile":
        mdf = sys.argv[5]
    elif len(sys.argv) != 4:
        sys.exit(__doc__)
    core = Core(sys.argv[1])
    vi = core.vmcoreinfo()
    ps = int(vi["PAGESIZE"])
    vtop = VTOP.get(core.machine)
    if vtop is None:
        sys.exit("vmemmap_oracle: no page-table walk for ELF machine %d" % core.machine)
    vtop = vtop(core, vi, ps)
    levels = 5 if vi.get("NUMBER(pgtable_l5_enabled)", "0") == "1" else 4

    def rd64(va):
        """an unsigned long (a pointer) of the crashed machine"""
        return struct.unpack(core.o + ("I" if core.word == 4 else "Q"), core.phys(vtop(va), core.word))[0]

    if listing:
        bm1 = bm2 = None
        max_pfn = max(e for _s, e, _o in core.loads) // ps
    else:
        bm1, bm2, max_pfn = load_bitmaps(sys.argv[2])
        _, bm2e, _ = load_bitmaps(sys.argv[3])

    sz_page = int(vi["SIZE(page)"])
    expected = set()
    if "SYMBOL(mem_section)" not in vi and "SYMBOL(mem_map)" in vi:
        if listing:
            sys.exit("vmemmap_oracle: --list-memmap: FLATMEM not done")
        # FLATMEM (i386): one array for every pfn from 0, at the address
        # the variable mem_map holds; pages wholly inside it, as below
        check(flatmem_expected(vi, rd64, vtop, ps, sz_page, max_pfn, bm1, bm2), bm2, bm2e, max_pfn, mdf)
        return
    # mem_section: EXTREME (an array of root pointers) unless LENGTH says
    # it is the plain array of all sections
    ms_size = int(vi["SIZE(mem_section)"])
    section_size_bits = int(vi.get("NUMBER(SECTION_SIZE_BITS)", "27"))
    physmem_bits = int(vi.get("NUMBER(MAX_PHYSMEM_BITS)", "52" if levels == 5 else "46"))
    sec_bits = section_size_bits - ps.bit_length() + 1
    nr_sections = 1 << (physmem_bits - section_size_bits)
    per_root = ps // ms_size
    extreme = int(vi.get("LENGTH(mem_section)", "-1")) in (-1, (nr_sections + per_root - 1) // per_root)
    per_sec = 1 << sec_bits
    ms = int(vi["SYMBOL(mem_section)"], 16)
    # the struct page array of each present section: (first pfn, end pfn, base)
    # with the array at base + pfn * SIZE(page)
    arrays = []
    for nr in range((max_pfn + per_sec - 1) // per_sec):
        if extreme:
            root = rd64(ms + (nr // per_root) * core.word)
            if not root:
                continue
            coded = rd64(root + (nr % per_root) * ms_size)
        else:
            coded = rd64(ms + nr * ms_size)
        if coded & 1:
            arrays.append((nr * per_sec, min(nr * per_sec + per_sec, max_pfn), coded & ~0x3f))
    if listing:
        every = set()
        for first, end, b in arrays:
            for vpage in range((b + first * sz_page) // ps, -(-(b + end * sz_page) // ps)):
                every.add(vtop(vpage * ps) // ps)
        start = prev = None
        for p in sorted(every):
            if start is not None and p == prev + 1:
                prev = p
                continue
            if start is not None:
                print("0x%x-0x%x" % (start, prev))
            start = prev = p
        if start is not None:
            print("0x%x-0x%x" % (start, prev))
        print("total %d" % len(every))
        return

    def droppable(lo, hi):
        return droppable_in(bm1, bm2, lo, hi)

    if arrays and len({b for _, _, b in arrays}) == 1:
        # SPARSEMEM_VMEMMAP: one virtually contiguous array, in which a page
        # may describe several (small) sections, as with 64 KiB pages and
        # 16 MiB sections on ppc64; pfns of absent sections count as kept
        base = arrays[0][2]
        covered = set()
        for first, end, _ in arrays:
            covered.update(range((base + first * sz_page) // ps, -(-(base + end * sz_page) // ps)))
        for vpage in sorted(covered):
            lo = max(0, (vpage * ps - base) // sz_page)
            hi = (vpage * ps + ps - 1 - base) // sz_page
            if hi < max_pfn and droppable(lo, hi):
                expected.add(vtop(vpage * ps) // ps)
    else:
        # classic SPARSEMEM: one array per section; pages wholly inside one
        for first, end, b in arrays:
            va0 = b + first * sz_page
            va_end = b + end * sz_page
            va = (va0 + ps - 1) // ps * ps
            while va + ps <= va_end:
                lo = first + (va - va0) // sz_page
                hi = first + (va + ps - 1 - va0) // sz_page
                if droppable(lo, hi):
                    expected.add(vtop(va) // ps)
                va += ps
    check(expected, bm2, bm2e, max_pfn, mdf)


def droppable_in(bm1, bm2, lo, hi):
    """Every pfn in [lo, hi] present (1st bitmap) and not dumped (2nd)."""
    return all(test(bm1, p) and not test(bm2, p) for p in range(lo, hi + 1))


def flatmem_expected(vi, rd, vtop, ps, sz_page, max_pfn, bm1, bm2):
    """The pages wholly inside FLATMEM's mem_map whose struct pages all
    describe excluded pfns."""
    base = rd(int(vi["SYMBOL(mem_map)"], 16))
    expected = set()
    va = (base + ps - 1) // ps * ps
    while va + ps <= base + max_pfn * sz_page:
        lo = (va - base) // sz_page
        hi = (va + ps - 1 - base) // sz_page
        if droppable_in(bm1, bm2, lo, hi):
            expected.add(vtop(va) // ps)
        va += ps
    return expected


def check(expected, bm2, bm2e, max_pfn, mdf):
    """Compare what -e dropped (BM2 - BM2E) with `expected`; exit."""
    dropped = {p for p in range(max_pfn) if test(bm2, p) and not test(bm2e, p)}
    added = {p for p in range(max_pfn) if test(bm2e, p) and not test(bm2, p)}
    status = status_flags(sys.argv[3])
    print("struct page array pages that describe only excluded pfns: %d" % len(expected))
    print("pages -e dropped: %d, added: %d" % (len(dropped), len(added)))
    ok = True
    if dropped != expected or added:
        ok = False
        print("FAIL: dropped but not expected: %s" % fmt(dropped - expected))
        print("FAIL: expected but kept: %s" % fmt(expected - dropped))
    if not status & 0x10:
        ok = False
        print("FAIL: EXCLUDED_VMEMMAP (0x10) not set in status %#x" % status)
    if mdf:
        _, bm2m, mmax = load_bitmaps(mdf)
        n = min(max_pfn, mmax)
        we_drop = {p for p in range(n) if test(bm2m, p) and not test(bm2e, p)}
        it_drops = {p for p in range(n) if test(bm2e, p) and not test(bm2m, p)}
        print("vs makedumpfile -e: we also drop %d struct page array pages it keeps; "
              "it drops %d pages that are not struct page array pages" %
              (len(we_drop & expected), len(it_drops - expected)))
        if we_drop - expected:
            ok = False
            print("FAIL: we drop pages makedumpfile keeps that are not unused struct pages: %s"
                  % fmt(we_drop - expected))
        if it_drops & expected:
            ok = False
            print("FAIL: makedumpfile drops unused struct page pages that we keep: %s"
                  % fmt(it_drops & expected))
    print("OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


EM_X86_64, EM_AARCH64, EM_PPC64, EM_RISCV = 62, 183, 21, 243


def x86_64_vtop(core, vi, _ps):
    phys_base = int(vi.get("NUMBER(phys_base)", "0")) & (2**64 - 1)
    levels = 5 if vi.get("NUMBER(pgtable_l5_enabled)", "0") == "1" else 4
    pgd = int(vi["SYMBOL(init_top_pgt)"], 16) - START_KERNEL_MAP + phys_base
    mask = 0x000ffffffffff000

    def vtop(va):
        table = pgd & (2**64 - 1)
        shifts = [48, 39, 30, 21, 12][5 - levels:]
        for i, sh in enumerate(shifts):
            e, = struct.unpack("<Q", core.phys(table + ((va >> sh) & 0x1ff) * 8, 8))
            if not e & 1:
                return None
            if i == len(shifts) - 1 or (sh in (21, 30) and e & 0x80):
                size = 1 << sh
                return (e & mask & ~(size - 1)) | (va & (size - 1))
            table = e & mask
    return vtop


def arm64_vtop(core, vi, ps):
    """arm64 translation-table walk (ARM ARM D8): descriptors are little-
    endian; bit 0 valid; at the last level a page, above it bit 1 set is a
    table and clear a block.  48-bit output addresses (no LPA/LPA2)."""
    shift = ps.bit_length() - 1
    t1sz = vi.get("NUMBER(TCR_EL1_T1SZ)")
    va_bits = 64 - int(t1sz, 0) if t1sz else int(vi["NUMBER(VA_BITS)"])
    per = shift - 3
    levels = -(-(va_bits - shift) // per)
    pgd = (int(vi["SYMBOL(swapper_pg_dir)"], 16) - int(vi["NUMBER(kimage_voffset)"], 0)) % 2**64
    oa = ((1 << 48) - 1) & ~(ps - 1)

    def vtop(va):
        table = pgd
        for lvl in range(levels):
            sh = shift + (levels - 1 - lvl) * per
            idx = ((va & ((1 << va_bits) - 1)) >> sh) & ((1 << per) - 1)
            e, = struct.unpack("<Q", core.phys(table + idx * 8, 8))
            if not e & 1:
                return None
            if lvl == levels - 1 or not e & 2:
                size = 1 << sh
                return (e & oa & ~(size - 1)) | (va & (size - 1))
            table = e & oa
    return vtop


def ppc64_radix_vtop(core, vi, ps):
    """ppc64 radix tree (Book3S-64): entries are big-endian; bit 63 valid,
    bit 62 leaf; a directory entry holds the next table's address below its
    8 low (size) bits.  Index bits 13/9/9/5 (64K pages) or 13/9/9/9 (4K)."""
    if vi.get("NUMBER(RADIX_MMU)", "1") != "1":
        sys.exit("vmemmap_oracle: ppc64 hash MMU: no walk here")
    pgd = int(vi["SYMBOL(swapper_pg_dir)"], 16) - 0xc000000000000000
    shift = ps.bit_length() - 1
    bits = [13, 9, 9, 5 if shift == 16 else 9]
    shifts = [shift + bits[3] + 18, shift + bits[3] + 9, shift + bits[3], shift]
    rpn = ((1 << 56) - 1) & ~(ps - 1)

    def vtop(va):
        table = pgd
        for lvl in range(4):
            idx = (va >> shifts[lvl]) & ((1 << bits[lvl]) - 1)
            e, = struct.unpack(">Q", core.phys(table + idx * 8, 8))
            if not e >> 63:
                return None
            if e >> 62 & 1:
                size = 1 << shifts[lvl]
                return (e & rpn & ~(size - 1)) | (va & (size - 1))
            if lvl == 3:
                return None
            table = e & ~0xc0000000000000ff & ((1 << 60) - 1)
    return vtop


def riscv64_vtop(core, vi, _ps):
    """riscv64 Sv39/Sv48/Sv57 (privileged spec 4.3-4.5; levels from
    NUMBER(VA_BITS)): 8-byte little-endian entries, 9 index bits per level;
    bit 0 valid; R, W or X (bits 1-3) set makes a leaf at any level; the
    PPN is bits 10-53.  The root is swapper_pg_dir, a kernel-image address
    (pa = va - va_kernel_pa_offset)."""
    levels = (int(vi["NUMBER(VA_BITS)"]) - 12) // 9
    root = (int(vi["SYMBOL(swapper_pg_dir)"], 16) - int(vi["NUMBER(va_kernel_pa_offset)"], 0)) % 2**64

    def vtop(va):
        table = root
        for lvl in range(levels):
            sh = 12 + 9 * (levels - 1 - lvl)
            e, = struct.unpack("<Q", core.phys(table + ((va >> sh) & 0x1ff) * 8, 8))
            if not e & 1:
                return None
            pa = ((e >> 10) & ((1 << 44) - 1)) << 12
            if e & 0xe:
                size = 1 << sh
                return (pa & ~(size - 1)) | (va & (size - 1))
            table = pa
        return None
    return vtop


def s390x_vtop(core, vi, _ps):
    """s390x DAT (z/Architecture Principles of Operation, ch. 3): 8-byte
    big-endian entries; region-first/second/third tables (11 index bits at
    VA bits 53, 42, 31), a segment table (11 at 20), a page table (8 at 12).
    Every region or segment entry carries its table type in bits 2-3 (the
    first entry of the top table tells how many region levels there are);
    0x20 marks it invalid, 0x400 in a region-third or segment entry a 2 GiB
    or 1 MiB frame (EDAT); origins are the entry without its low 12 bits
    (region) or 11 (segment: 2 KiB page tables); a page entry is invalid
    with 0x400.  Only kernels that map memory 1:1 (_stext below 4 GiB, as
    6.1): swapper_pg_dir's address is its physical one."""
    if int(vi.get("SYMBOL(_stext)", "0"), 16) >= 1 << 32:
        sys.exit("vmemmap_oracle: s390x kernel not identity-mapped: no walk here")
    root = int(vi["SYMBOL(swapper_pg_dir)"], 16)

    def entry(table, idx):
        return struct.unpack(">Q", core.phys(table + idx * 8, 8))[0]

    top = entry(root, 0) >> 2 & 3              # 3 region-first ... 0 segment

    def vtop(va):
        table = root
        for tt in range(top, -1, -1):          # region/segment levels
            sh = 20 + 11 * tt
            if tt == top < 3 and va >> (sh + 11):
                return None                    # beyond what the top table maps
            e = entry(table, (va >> sh) & 0x7ff)
            if e & 0x20:
                return None
            if tt <= 1 and e & 0x400:          # 2 GiB / 1 MiB frame
                size = 1 << sh
                return (e & ~(size - 1) & (2**64 - 1)) | (va & (size - 1))
            table = e & ~(0x7ff if tt == 0 else 0xfff)
        e = entry(table, (va >> 12) & 0xff)
        if e & 0x400:
            return None
        return (e & ~0xfff) | (va & 0xfff)
    return vtop


def i386_vtop(_core, _vi, _ps):
    """i386 lowmem only (where mem_map and every struct page array live):
    virtual = physical + PAGE_OFFSET (0xc0000000, Debian's 3G/1G split),
    up to the 896 MiB lowmem limit."""
    def vtop(va):
        return va - 0xc0000000 if 0xc0000000 <= va < 0xf8000000 else None
    return vtop


EM_S390, EM_386 = 22, 3
VTOP = {EM_X86_64: x86_64_vtop, EM_AARCH64: arm64_vtop, EM_PPC64: ppc64_radix_vtop,
        EM_RISCV: riscv64_vtop, EM_S390: s390x_vtop, EM_386: i386_vtop}


def fmt(s):
    s = sorted(s)
    return ", ".join("%#x" % p for p in s[:10]) + (" ..." if len(s) > 10 else "") if s else "none"


def load_bitmaps(path):
    """The two bitmaps and max_mapnr of a kdump-compressed file, in the
    dumped machine's header layout (LP64, ILP32, either byte order), read
    by tests/tools/dumpcheck.py."""
    k = dumpcheck.KdumpFile(path)
    b1 = bytes(k.buf[k.bitmap_off:k.bitmap_off + k.bitmap_bytes])
    b2 = bytes(k.buf[k.bitmap2_off:k.bitmap2_off + k.bitmap_bytes])
    return b1, b2, k.max_mapnr


def status_flags(path):
    return dumpcheck.KdumpFile(path).hdr["status"]


def test(bm, p):
    return bm[p >> 3] >> (p & 7) & 1


if __name__ == "__main__":
    main()

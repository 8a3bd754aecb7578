#!/usr/bin/python3
"""dumpcheck.py - independent checker for kdump-compressed dump files.

Owned by the dumpsieve test suite (tests/tools/dumpcheck.py).  It is the
"second opinion" the tests use on dumpsieve's output: it does not share any
code with the collector, it parses the on-disk format itself from the written
specification in /work/shared/reference/kdump-format.md (sections 1.1-1.6:
main header, sub header, the two bitmaps, the page descriptor table and the
page data area), in the layout of the dumped machine: LP64 little-endian
(x86_64, arm64, ppc64le, riscv64), LP64 big-endian (s390x) or i386 (4-byte
longs, 8-byte members 4-aligned), chosen from utsname.machine; and it reads the
stored pages back through libkdumpfile (python3-libkdumpfile 0.5.1) to prove
a third-party reader accepts every dumpable page.

Run it with the system interpreter, /usr/bin/python3 (only it has the
`kdumpfile` module).  Standard library + kdumpfile only.

Subcommands
  pfns DUMP [--bitmap 1|2] [--page-size N]
      Page frame numbers present in DUMP as merged inclusive ranges
      ("0xSTART-0xEND" per line, then "total N").  DUMP may be
      kdump-compressed (2nd bitmap by default, --bitmap 1 for the 1st) or an
      ELF core, ELF32 or ELF64 of either byte order (pages with file data,
      i.e. covered by some PT_LOAD's p_filesz, even partially; --bitmap 1 =
      covered by p_memsz).
  compare A B [--expect FILE]
      Compare the 2nd-bitmap pfn sets of A and B.  Without --expect the check
      passes iff they are identical.  With --expect, FILE lists the allowed
      differences, one per line:
          only-in-A 0xSTART-0xEND reason text
          only-in-B 0xSTART[-0xEND] reason text
      ('#' starts a comment line); the check passes iff the observed
      differences are EXACTLY the listed ones (an unexpected difference and a
      listed difference that does not occur both fail).
  verify SOURCE_ELF DUMP [--zero-shared]
      Every page stored in DUMP (set in its 2nd bitmap) must equal the same
      physical page of SOURCE_ELF.  DUMP pages are read through libkdumpfile
      (machine physical addresses, one page per call); SOURCE_ELF is read
      directly (PT_LOADs by p_paddr, bytes past p_filesz up to p_memsz are
      zero).  The page descriptor table is checked too (offset != 0 and
      inside the data area, raw pages have size == block_size, compressed
      pages size < block_size, flags in {0,1,2,4,0x20}).  --zero-shared (for
      dump levels including 1, "exclude zero pages"): every page that is all zero in SOURCE must
      use the shared zero-page descriptor {offset = start of data area,
      size = block_size, flags = 0, page_flags = 0}, the data there must be
      zeros, and no other page may point there.
  header DUMP
      Main header and sub header fields as "name = value" lines, plus a few
      derived values and vmcoreinfo_at_offset_ok = yes|no.

Exit status: 0 = check passed, 1 = check failed (including a malformed
dump), 2 = usage error or an input file that cannot be opened/read.
"""

import argparse
import importlib
import json
import mmap
import os
import re
import signal
import struct
import sys
import time

# ---------------------------------------------------------------------------
# constants from kdump-format.md
# ---------------------------------------------------------------------------

KDUMP_SIGNATURE = b"KDUMP   "
DISKDUMP_SIGNATURE = b"DISKDUMP"
FLAT_SIGNATURE = b"makedumpfile"
DESC_SIZE = 24                  # page_desc: s64 offset, u32 size, u32 flags, u64 page_flags


class Layout:
    """The C layout makedumpfile of one architecture writes (kdump-format.md
    1.2, 1.3): byte order, and where the main and sub header fields are."""

    def __init__(self, name, order, long_size):
        self.name, self.order = name, order
        if long_size == 8:      # LP64: timeval is two 8-byte longs at 408
            self.main = struct.Struct(order + "qqIiiIIIIIIi")
            self.main_at, self.main_size = 408, 464
            self.sub = struct.Struct(order + "QiiQQqQqQqQQQQ")
        else:                   # i386: 4-byte longs, 8-byte members 4-aligned
            self.main = struct.Struct(order + "iiIiiIIIIIIi")
            self.main_at, self.main_size = 404, 452
            self.sub = struct.Struct(order + "IiiIIqIqIqIQQQ")
        self.sub_size = self.sub.size
        self.desc = struct.Struct(order + "qIIQ")


LP64_LE = Layout("LP64 little-endian", "<", 8)
LP64_BE = Layout("LP64 big-endian", ">", 8)
I386 = Layout("i386 (ILP32 little-endian)", "<", 4)
# utsname.machine of the crashed kernel -> layout of its makedumpfile
MACHINE_LAYOUT = {"x86_64": LP64_LE, "aarch64": LP64_LE, "ppc64le": LP64_LE,
                  "riscv64": LP64_LE, "loongarch64": LP64_LE,
                  "s390x": LP64_BE, "ppc64": LP64_BE,
                  "i386": I386, "i486": I386, "i586": I386, "i686": I386}
# the x86_64 layout, for callers that know no better
MAIN_HEADER_SIZE = LP64_LE.main_size
SUB_HEADER_SIZE = LP64_LE.sub_size
DESC_STRUCT = LP64_LE.desc

FLAG_ZLIB = 0x01
FLAG_LZO = 0x02
FLAG_SNAPPY = 0x04
FLAG_INCOMPLETE = 0x08
FLAG_EXCLUDED_VMEMMAP = 0x10
FLAG_ZSTD = 0x20
PAGE_FLAGS_OK = (0, FLAG_ZLIB, FLAG_LZO, FLAG_SNAPPY, FLAG_ZSTD)
STATUS_NAMES = ((FLAG_ZLIB, "zlib"), (FLAG_LZO, "lzo"), (FLAG_SNAPPY, "snappy"),
                (FLAG_INCOMPLETE, "incomplete"),
                (FLAG_EXCLUDED_VMEMMAP, "excluded_vmemmap"), (FLAG_ZSTD, "zstd"))
PAGE_FLAG_NAMES = {0: "raw", FLAG_ZLIB: "zlib", FLAG_LZO: "lzo",
                   FLAG_SNAPPY: "snappy", FLAG_ZSTD: "zstd"}

UTS_FIELDS = ("sysname", "nodename", "release", "version", "machine", "domainname")

PT_LOAD = 1
PT_NOTE = 4
PN_XNUM = 0xFFFF

MAX_LISTED = 20
# progress markers shared with the verify child (anything else is a pfn)
PHASE_OPENING = (1 << 64) - 1
PHASE_OPENED = (1 << 64) - 2


class CheckFailed(Exception):
    """The input is malformed or a check did not hold (exit status 1)."""


class InputError(Exception):
    """Usage or I/O problem (exit status 2)."""


# ---------------------------------------------------------------------------
# pfn range lists: sorted, disjoint, non-adjacent [(start, end_exclusive)]
# ---------------------------------------------------------------------------

def _byte_runs():
    table = []
    for value in range(256):
        runs = []
        bit = 0
        while bit < 8:
            if value >> bit & 1:
                start = bit
                while bit < 8 and value >> bit & 1:
                    bit += 1
                runs.append((start, bit))
            else:
                bit += 1
        table.append(tuple(runs))
    return tuple(table)


BYTE_RUNS = _byte_runs()
_NONZERO_SPAN = re.compile(rb"[^\x00]+")
_FF_OR_BYTE = re.compile(rb"\xff+|[^\xff]", re.S)


def bitmap_ranges(buf, first, nbytes, nbits):
    """Set bits of the LSB-first bitmap buf[first:first+nbytes] as ranges.

    Bit i (pfn i) is byte i >> 3, bit i & 7.  Bits >= nbits are returned
    separately as the second result (they should not exist)."""
    out = []
    append = out.append
    last = first + nbytes
    for span in _NONZERO_SPAN.finditer(buf, first, last):
        for m in _FF_OR_BYTE.finditer(buf, span.start(), span.end()):
            base = (m.start() - first) * 8
            if m.end() - m.start() > 1 or buf[m.start()] == 0xFF:
                runs = ((base, (m.end() - first) * 8),)
            else:
                runs = tuple((base + lo, base + hi) for lo, hi in BYTE_RUNS[buf[m.start()]])
            for s, e in runs:
                if out and out[-1][1] == s:
                    out[-1] = (out[-1][0], e)
                else:
                    append((s, e))
    inside = clip_ranges(out, 0, nbits)
    beyond = clip_ranges(out, nbits, 1 << 63)
    return inside, beyond


def merge_ranges(ranges):
    """Union of arbitrary (start, end_exclusive) ranges."""
    out = []
    for s, e in sorted(ranges):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def clip_ranges(ranges, lo, hi):
    out = []
    for s, e in ranges:
        s, e = max(s, lo), min(e, hi)
        if s < e:
            out.append((s, e))
    return out


def subtract_ranges(a, b):
    """a minus b (both normalised range lists)."""
    out = []
    j = 0
    for s, e in a:
        while j < len(b) and b[j][1] <= s:
            j += 1
        k = j
        cur = s
        while k < len(b) and b[k][0] < e:
            if b[k][0] > cur:
                out.append((cur, b[k][0]))
            cur = max(cur, b[k][1])
            k += 1
        if cur < e:
            out.append((cur, e))
    return out


def count_ranges(ranges):
    return sum(e - s for s, e in ranges)


def fmt_range(s, e):
    return "0x%x-0x%x" % (s, e - 1)


def fmt_ranges_lines(ranges, prefix=""):
    return ["%s%s (%d page%s)" % (prefix, fmt_range(s, e), e - s, "" if e - s == 1 else "s")
            for s, e in ranges]


# ---------------------------------------------------------------------------
# file access
# ---------------------------------------------------------------------------

def map_file(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as e:
        raise InputError("cannot open %s: %s" % (path, e.strerror)) from None
    try:
        size = os.fstat(fd).st_size
        if size == 0:
            raise CheckFailed("%s: empty file" % path)
        try:
            return mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ), size
        except (OSError, ValueError) as e:
            raise InputError("cannot map %s: %s" % (path, e)) from None
    finally:
        os.close(fd)


def cstr(raw):
    return raw.split(b"\0", 1)[0].decode("ascii", "backslashreplace")


def parse_notes(buf, start, size, order="<"):
    """ELF notes in buf[start:start+size] -> [(name, type, desc_off, desc_size)]."""
    notes = []
    pos, end = start, start + size
    while pos + 12 <= end:
        namesz, descsz, ntype = struct.unpack_from(order + "III", buf, pos)
        if namesz == 0 and descsz == 0 and ntype == 0:
            break
        name_off = pos + 12
        desc_off = name_off + ((namesz + 3) & ~3)
        nxt = desc_off + ((descsz + 3) & ~3)
        if nxt > end:
            notes.append(("<truncated note>", ntype, desc_off, descsz))
            break
        name = buf[name_off:name_off + namesz].rstrip(b"\0").decode("ascii", "backslashreplace")
        notes.append((name, ntype, desc_off, descsz))
        pos = nxt
    return notes


# ---------------------------------------------------------------------------
# kdump-compressed file (kdump-format.md 1.1-1.6, LP64 little endian)
# ---------------------------------------------------------------------------

class KdumpFile:
    def __init__(self, path, buf=None, size=None):
        self.path = path
        if buf is None:
            buf, size = map_file(path)
        self.buf, self.size = buf, size
        self.warnings = []
        self._parse()

    def fail(self, msg):
        raise CheckFailed("%s: %s" % (self.path, msg))

    def _parse(self):
        b = self.buf
        if self.size < 12 + 65 * 6:
            self.fail("file too short for a kdump main header (%d bytes)" % self.size)
        h = {}
        h["signature"] = bytes(b[0:8])
        if h["signature"] != KDUMP_SIGNATURE:
            self.fail("bad signature %r (expected %r)" % (h["signature"], KDUMP_SIGNATURE))
        for i, name in enumerate(UTS_FIELDS):
            h["utsname_" + name] = cstr(b[12 + 65 * i:12 + 65 * (i + 1)])
        lay = MACHINE_LAYOUT.get(h["utsname_machine"])
        if lay is None:
            self.fail("utsname.machine %r: no known kdump header layout" % h["utsname_machine"])
        self.layout = lay
        if self.size < lay.main_size:
            self.fail("file too short for a %s kdump main header (%d bytes)" % (lay.name, self.size))
        h["header_version"], = struct.unpack_from(lay.order + "i", b, 8)
        (h["timestamp_sec"], h["timestamp_usec"], h["status"], h["block_size"],
         h["sub_hdr_size"], h["bitmap_blocks"], h["max_mapnr"], h["total_ram_blocks"],
         h["device_blocks"], h["written_blocks"], h["current_cpu"],
         h["nr_cpus"]) = lay.main.unpack_from(b, lay.main_at)
        self.hdr = h
        bs = h["block_size"]
        if bs < 512 or bs > (1 << 20) or bs & (bs - 1):
            self.fail("implausible block_size %d" % bs)
        self.bs = bs
        if h["header_version"] < 1:
            self.fail("header_version %d < 1: no sub header" % h["header_version"])
        if h["header_version"] > 6:
            self.warnings.append("header_version %d > 6, parsed as 6" % h["header_version"])
        if h["sub_hdr_size"] < 1:
            self.fail("sub_hdr_size %d < 1" % h["sub_hdr_size"])
        if h["bitmap_blocks"] < 1:
            self.fail("bitmap_blocks is 0")
        if self.size < bs + lay.sub_size:
            self.fail("file too short for the sub header")
        s = {}
        (s["phys_base"], s["dump_level"], s["split"], s["start_pfn"], s["end_pfn"],
         s["offset_vmcoreinfo"], s["size_vmcoreinfo"], s["offset_note"], s["size_note"],
         s["offset_eraseinfo"], s["size_eraseinfo"], s["start_pfn_64"], s["end_pfn_64"],
         s["max_mapnr_64"]) = lay.sub.unpack_from(b, bs)
        v = h["header_version"]
        # fields that do not exist in older versions
        absent = []
        if v < 2:
            absent += ["split", "start_pfn", "end_pfn"]
        if v < 3:
            absent += ["offset_vmcoreinfo", "size_vmcoreinfo"]
        if v < 4:
            absent += ["offset_note", "size_note"]
        if v < 5:
            absent += ["offset_eraseinfo", "size_eraseinfo"]
        if v < 6:
            absent += ["start_pfn_64", "end_pfn_64", "max_mapnr_64"]
        for k in absent:
            s[k] = None
        self.sub = s
        self.max_mapnr = s["max_mapnr_64"] if v >= 6 else h["max_mapnr"]
        if s["split"]:
            if v >= 6:
                self.split_range = (s["start_pfn_64"], s["end_pfn_64"])
            else:
                self.split_range = (s["start_pfn"], s["end_pfn"])
        else:
            self.split_range = None

        # bitmaps (1.4): two if bitmap_blocks covers 2 * max_mapnr bits
        self.bitmap_off = (1 + h["sub_hdr_size"]) * bs
        need_blocks = -(-(-(-self.max_mapnr // 8)) // bs)
        if h["bitmap_blocks"] >= 2 * need_blocks:
            self.nbitmaps = 2
            self.bitmap_bytes = h["bitmap_blocks"] // 2 * bs
            self.bitmap2_off = self.bitmap_off + self.bitmap_bytes
        elif h["bitmap_blocks"] >= need_blocks:
            self.nbitmaps = 1
            self.bitmap_bytes = h["bitmap_blocks"] * bs
            self.bitmap2_off = self.bitmap_off
            self.warnings.append("only one bitmap (bitmap_blocks %d < 2 * %d): "
                                 "it serves as both" % (h["bitmap_blocks"], need_blocks))
        else:
            self.fail("bitmap_blocks %d too small for max_mapnr 0x%x (needs %d blocks per bitmap)"
                      % (h["bitmap_blocks"], self.max_mapnr, need_blocks))
        self.desc_off = (1 + h["sub_hdr_size"] + h["bitmap_blocks"]) * bs
        if self.size < self.desc_off:
            self.fail("file (%d bytes) ends before the end of the bitmaps (%d)"
                      % (self.size, self.desc_off))
        self._ranges = {}

    def ranges(self, which=2):
        """pfns set in bitmap `which`, below max_mapnr."""
        if which not in self._ranges:
            off = self.bitmap_off if which == 1 else self.bitmap2_off
            inside, beyond = bitmap_ranges(self.buf, off, self.bitmap_bytes, self.max_mapnr)
            if beyond:
                self.warnings.append(
                    "bitmap %d has %d bit(s) set at or beyond max_mapnr 0x%x (first %s); ignored"
                    % (which, count_ranges(beyond), self.max_mapnr, fmt_range(*beyond[0])))
            self._ranges[which] = inside
        return self._ranges[which]

    @property
    def num_dumpable(self):
        return count_ranges(self.ranges(2))

    @property
    def data_off(self):
        return self.desc_off + DESC_SIZE * self.num_dumpable

    def vmcoreinfo_check(self):
        """(ok, reason) - is offset_vmcoreinfo the VMCOREINFO note descriptor?"""
        s = self.sub
        if s["offset_vmcoreinfo"] is None or s["offset_note"] is None:
            return False, "header_version %d has no vmcoreinfo/note fields" % self.hdr["header_version"]
        vo, vs = s["offset_vmcoreinfo"], s["size_vmcoreinfo"]
        no, ns = s["offset_note"], s["size_note"]
        if vo == 0 or vs == 0:
            return False, "offset_vmcoreinfo/size_vmcoreinfo is 0"
        if ns == 0 or no == 0:
            return False, "no note area (offset_note/size_note is 0)"
        if not (no <= vo and vo + vs <= no + ns):
            return False, ("vmcoreinfo [0x%x, 0x%x) not inside the note area [0x%x, 0x%x)"
                           % (vo, vo + vs, no, no + ns))
        if no + ns > self.size:
            return False, "note area extends beyond end of file"
        if bytes(self.buf[vo:vo + 10]) != b"OSRELEASE=":
            return False, "bytes at offset_vmcoreinfo do not start with OSRELEASE="
        for name, ntype, doff, dsz in parse_notes(self.buf, no, ns, self.layout.order):
            if name == "VMCOREINFO":
                if doff == vo and dsz == vs:
                    return True, "VMCOREINFO note descriptor at 0x%x, %d bytes" % (doff, dsz)
                return False, ("VMCOREINFO note descriptor is at 0x%x (%d bytes), header says 0x%x (%d)"
                               % (doff, dsz, vo, vs))
        return False, "no VMCOREINFO note in the note area"


# ---------------------------------------------------------------------------
# ELF core: ELF32 or ELF64, either byte order
# ---------------------------------------------------------------------------

class ElfCore:
    def __init__(self, path, buf=None, size=None):
        self.path = path
        if buf is None:
            buf, size = map_file(path)
        self.buf, self.size = buf, size
        b = buf
        if size < 64 or bytes(b[0:4]) != b"\x7fELF":
            raise CheckFailed("%s: not an ELF file" % path)
        if b[4] not in (1, 2) or b[5] not in (1, 2):
            raise CheckFailed("%s: bad ELF class %d or data encoding %d" % (path, b[4], b[5]))
        o = "<" if b[5] == 1 else ">"
        self.elf64 = b[4] == 2
        e_type, = struct.unpack_from(o + "H", b, 16)
        if e_type != 4:
            raise CheckFailed("%s: ELF type %d is not ET_CORE" % (path, e_type))
        if self.elf64:
            e_phoff, e_shoff, self.e_flags = struct.unpack_from(o + "QQI", b, 32)
            e_phentsize, e_phnum = struct.unpack_from(o + "HH", b, 54)
            phfmt, shdr_size, shdr_info = o + "IIQQQQQQ", 64, 44
        else:
            e_phoff, e_shoff, self.e_flags = struct.unpack_from(o + "III", b, 28)
            e_phentsize, e_phnum = struct.unpack_from(o + "HH", b, 42)
            phfmt, shdr_size, shdr_info = o + "IIIIIIII", 40, 28
        if e_phnum == PN_XNUM:
            if e_shoff == 0 or e_shoff + shdr_size > size:
                raise CheckFailed("%s: e_phnum is PN_XNUM but there is no section header 0" % path)
            e_phnum, = struct.unpack_from(o + "I", b, e_shoff + shdr_info)
        if e_phentsize < struct.calcsize(phfmt):
            raise CheckFailed("%s: e_phentsize %d < %d" % (path, e_phentsize, struct.calcsize(phfmt)))
        if e_phoff + e_phnum * e_phentsize > size:
            raise CheckFailed("%s: program headers beyond end of file" % path)
        try:
            self.fd = os.open(path, os.O_RDONLY)   # page data is read with pread
        except OSError as e:
            raise InputError("cannot open %s: %s" % (path, e.strerror)) from None
        self.loads = []         # (paddr, filesz, memsz, offset)
        self.notes = []
        for i in range(e_phnum):
            v = struct.unpack_from(phfmt, b, e_phoff + i * e_phentsize)
            if self.elf64:
                p_type, _flags, p_offset, _vaddr, p_paddr, p_filesz, p_memsz, _align = v
            else:
                p_type, p_offset, _vaddr, p_paddr, p_filesz, p_memsz, _flags, _align = v
            if p_type == PT_LOAD:
                if p_filesz > p_memsz:
                    raise CheckFailed("%s: PT_LOAD #%d has p_filesz 0x%x > p_memsz 0x%x"
                                      % (path, i, p_filesz, p_memsz))
                if p_filesz and p_offset + p_filesz > size:
                    raise CheckFailed("%s: PT_LOAD #%d (paddr 0x%x) needs file bytes up to 0x%x "
                                      "but the file has 0x%x (truncated?)"
                                      % (path, i, p_paddr, p_offset + p_filesz, size))
                self.loads.append((p_paddr, p_filesz, p_memsz, p_offset))
            elif p_type == PT_NOTE:
                self.notes.append((p_offset, p_filesz))

    def ranges(self, page_size, memsz=False):
        rs = []
        for paddr, filesz, mem, _off in self.loads:
            n = mem if memsz else filesz
            if n:
                rs.append((paddr // page_size, -(-(paddr + n) // page_size)))
        return merge_ranges(rs)


class SourcePages:
    """Physical pages of an ELF core, by pfn."""

    def __init__(self, elf, page_size):
        self.elf, self.ps = elf, page_size
        self.zero = bytes(page_size)
        # disjoint pfn intervals fully covered (within p_memsz) by one PT_LOAD
        full = []
        for seg in elf.loads:
            paddr, _filesz, memsz, _off = seg
            s = -(-paddr // page_size)
            e = (paddr + memsz) // page_size
            if s < e:
                full.append((s, e, seg))
        full.sort(key=lambda t: (t[0], -t[1]))
        self.intervals = []
        cur = -1
        for s, e, seg in full:
            if e <= cur:
                continue
            self.intervals.append((max(s, cur), e, seg))
            cur = e

    def read(self, n, off):
        data = os.pread(self.elf.fd, n, off)
        if len(data) != n:
            raise CheckFailed("%s: short read of %d bytes at 0x%x" % (self.elf.path, n, off))
        return data

    def segment_page(self, seg, pfn):
        paddr, filesz, _memsz, off = seg
        ps = self.ps
        rel = pfn * ps - paddr
        if rel + ps <= filesz:
            return self.read(ps, off + rel)
        if rel >= filesz:
            return self.zero
        return self.read(filesz - rel, off + rel) + bytes(rel + ps - filesz)

    def partial_page(self, pfn):
        """Page not fully inside one PT_LOAD: assemble it, None if no byte is covered."""
        ps = self.ps
        lo, hi = pfn * ps, pfn * ps + ps
        page = bytearray(ps)
        covered = False
        for paddr, filesz, memsz, off in self.elf.loads:
            s, e = max(lo, paddr), min(hi, paddr + memsz)
            if s >= e:
                continue
            covered = True
            fe = min(e, paddr + filesz)
            if s < fe:
                page[s - lo:fe - lo] = self.read(fe - s, off + s - paddr)
        return bytes(page) if covered else None


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def open_any(path):
    buf, size = map_file(path)
    head = bytes(buf[0:16])
    if head.startswith(KDUMP_SIGNATURE):
        return KdumpFile(path, buf, size)
    if head.startswith(b"\x7fELF"):
        return ElfCore(path, buf, size)
    if head.startswith(FLAT_SIGNATURE):
        raise CheckFailed("%s: flattened (makedumpfile -F) format is not supported; "
                          "rearrange it first (makedumpfile -R)" % path)
    if head.startswith(DISKDUMP_SIGNATURE):
        raise CheckFailed("%s: old DISKDUMP format is not supported" % path)
    raise CheckFailed("%s: neither a kdump-compressed file (signature %r) nor an ELF core "
                      "(first bytes %r)" % (path, KDUMP_SIGNATURE, head[:8]))


def pfn_ranges_of(path, which=2, page_size=4096, kdump_only=False):
    d = open_any(path)
    if isinstance(d, KdumpFile):
        rs = d.ranges(which)
        for w in d.warnings:
            print("warning: %s: %s" % (path, w), file=sys.stderr)
        return d, rs
    if kdump_only:
        raise CheckFailed("%s: is an ELF file, expected kdump-compressed" % path)
    return d, d.ranges(page_size, memsz=(which == 1))


def libkdumpfile_usec_quirk(usec):
    """libkdumpfile 0.5.1 tries the 32-bit header layout first when tv_usec is
    a power of two in 4096..262144 (libkdumpfile.md section 5)."""
    return 4096 <= usec <= 262144 and usec & (usec - 1) == 0


# ---------------------------------------------------------------------------
# subcommands
# ---------------------------------------------------------------------------

def cmd_pfns(a):
    _d, rs = pfn_ranges_of(a.dump, a.bitmap, a.page_size)
    out = [fmt_range(s, e) for s, e in rs]
    out.append("total %d" % count_ranges(rs))
    sys.stdout.write("\n".join(out) + "\n")
    return 0


RANGE_RE = re.compile(r"^(0[xX][0-9a-fA-F]+|\d+)(?:-(0[xX][0-9a-fA-F]+|\d+))?$")


def read_expect(path):
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise InputError("cannot read %s: %s" % (path, e.strerror)) from None
    entries = []
    for no, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        parts = text.split(None, 2)
        if len(parts) < 2 or parts[0] not in ("only-in-A", "only-in-B"):
            raise InputError("%s:%d: expected 'only-in-A|only-in-B 0xSTART-0xEND reason', got %r"
                             % (path, no, line))
        m = RANGE_RE.match(parts[1])
        if not m:
            raise InputError("%s:%d: bad range %r (want 0xSTART-0xEND, END inclusive)"
                             % (path, no, parts[1]))
        s = int(m.group(1), 0)
        e = int(m.group(2), 0) if m.group(2) else s
        if e < s:
            raise InputError("%s:%d: range end 0x%x < start 0x%x" % (path, no, e, s))
        if len(parts) < 3 or not parts[2].strip():
            raise InputError("%s:%d: missing reason text for %s %s" % (path, no, parts[0], parts[1]))
        entries.append((no, parts[0][-1], s, e + 1, parts[2].strip()))
    return entries


def cmd_compare(a):
    expect = read_expect(a.expect) if a.expect else None
    da, ra = pfn_ranges_of(a.a, 2, kdump_only=True)
    db, rb = pfn_ranges_of(a.b, 2, kdump_only=True)
    only = {"A": subtract_ranges(ra, rb), "B": subtract_ranges(rb, ra)}
    print("A: %s: %d pfns in 2nd bitmap (dump_level %s)" % (a.a, count_ranges(ra), da.sub["dump_level"]))
    print("B: %s: %d pfns in 2nd bitmap (dump_level %s)" % (a.b, count_ranges(rb), db.sub["dump_level"]))
    for side in "AB":
        rs = only[side]
        print("only in %s: %d pfns in %d ranges" % (side, count_ranges(rs), len(rs)))
        for line in fmt_ranges_lines(rs, "  only-in-%s " % side):
            print(line)
    if expect is None:
        if only["A"] or only["B"]:
            print("FAIL: the 2nd bitmaps differ (no --expect file given)")
            return 1
        print("OK: identical pfn sets")
        return 0

    ok = True
    for side in "AB":
        listed = merge_ranges([(s, e) for _no, sd, s, e, _r in expect if sd == side])
        unexpected = subtract_ranges(only[side], listed)
        missing = subtract_ranges(listed, only[side])
        if unexpected:
            ok = False
            print("FAIL: %d pfn(s) only in %s that %s does not list:"
                  % (count_ranges(unexpected), side, a.expect))
            for line in fmt_ranges_lines(unexpected, "  only-in-%s " % side):
                print(line)
        if missing:
            ok = False
            for no, sd, s, e, reason in expect:
                if sd != side:
                    continue
                gone = subtract_ranges([(s, e)], only[side])
                if gone:
                    print("FAIL: %s:%d lists only-in-%s %s (%s) but %d of its pfns are not "
                          "only in %s: %s"
                          % (a.expect, no, side, fmt_range(s, e), reason, count_ranges(gone), side,
                             " ".join(fmt_range(*r) for r in gone[:MAX_LISTED])
                             + (" ..." if len(gone) > MAX_LISTED else "")))
    if ok:
        print("OK: differences are exactly the %d listed range(s) of %s" % (len(expect), a.expect))
        return 0
    return 1


def cmd_header(a):
    d = KdumpFile(a.dump)
    h, s = d.hdr, d.sub
    lines = []

    def put(name, value):
        lines.append("%s = %s" % (name, value))

    put("signature", h["signature"].decode("ascii", "backslashreplace"))
    put("layout", d.layout.name)
    put("header_version", h["header_version"])
    for name in UTS_FIELDS:
        put("utsname_" + name, h["utsname_" + name])
    put("timestamp_sec", h["timestamp_sec"])
    put("timestamp_usec", h["timestamp_usec"])
    put("status", "0x%x" % h["status"])
    put("status_flags", "|".join(n for bit, n in STATUS_NAMES if h["status"] & bit) or "none")
    for name in ("block_size", "sub_hdr_size", "bitmap_blocks"):
        put(name, h[name])
    put("max_mapnr", "0x%x" % h["max_mapnr"])
    for name in ("total_ram_blocks", "device_blocks", "written_blocks", "current_cpu", "nr_cpus"):
        put(name, h[name])
    hexfields = {"phys_base", "start_pfn", "end_pfn", "offset_vmcoreinfo", "offset_note",
                 "offset_eraseinfo", "start_pfn_64", "end_pfn_64", "max_mapnr_64"}
    for name in ("phys_base", "dump_level", "split", "start_pfn", "end_pfn",
                 "offset_vmcoreinfo", "size_vmcoreinfo", "offset_note", "size_note",
                 "offset_eraseinfo", "size_eraseinfo", "start_pfn_64", "end_pfn_64",
                 "max_mapnr_64"):
        v = s[name]
        if v is None:
            put(name, "absent")
        elif name in hexfields:
            put(name, "0x%x" % v)
        else:
            put(name, v)
    ok, why = d.vmcoreinfo_check()
    put("vmcoreinfo_at_offset_ok", "yes" if ok else "no")
    put("vmcoreinfo_at_offset_detail", why)
    # derived values
    if s["offset_note"] and s["size_note"] and s["offset_note"] + s["size_note"] <= d.size:
        notes = parse_notes(d.buf, s["offset_note"], s["size_note"], d.layout.order)
        counts = {}
        for name, ntype, _o, _z in notes:
            key = "%s/%d" % (name, ntype)
            counts[key] = counts.get(key, 0) + 1
        put("notes", ", ".join("%s x%d" % kv for kv in counts.items()) or "none")
        put("prstatus_notes", counts.get("CORE/1", 0))
    put("nbitmaps", d.nbitmaps)
    put("bitmap1_offset", "0x%x" % d.bitmap_off)
    put("bitmap2_offset", "0x%x" % d.bitmap2_off)
    put("bitmap1_pfns", count_ranges(d.ranges(1)))
    put("bitmap2_pfns", d.num_dumpable)
    put("desc_table_offset", "0x%x" % d.desc_off)
    put("data_offset", "0x%x" % d.data_off)
    put("file_size", d.size)
    put("libkdumpfile_0.5.1_usec_quirk", "yes" if libkdumpfile_usec_quirk(h["timestamp_usec"]) else "no")
    print("\n".join(lines))
    for w in d.warnings:
        print("warning: %s" % w, file=sys.stderr)
    return 0


# --- verify ----------------------------------------------------------------

def describe_desc(desc):
    off, size, flags, pflags = desc
    return "desc{offset=0x%x size=%d flags=0x%x page_flags=0x%x}" % (off, size, flags, pflags)


def scan_pages(d, src, pfn_ranges, zero_shared, progress, lost_ok=False):
    """Walk DUMP's dumpable pfns with their descriptors; compare with SOURCE.

    Returns a JSON-able result dict.  progress: shared buffer where the pfn
    being processed is stored (8 bytes), so a crash inside libkdumpfile can be
    attributed to a page by the parent process."""
    import kdumpfile  # only here: the fork child owns the libkdumpfile context
    bs = d.bs
    res = {"checked": 0, "equal": 0, "source_zero": 0, "shared_zero_desc": 0,
           "problems": {}, "first": [], "flags": {}, "min_offset": None}
    problems, first = res["problems"], res["first"]

    def problem(kind, pfn, detail):
        problems[kind] = problems.get(kind, 0) + 1
        if len(first) < MAX_LISTED:
            first.append((pfn, kind, detail))

    try:
        kd = kdumpfile.kdumpfile(d.path)
    except Exception as e:  # noqa: BLE001 - any failure to open is the finding
        res["open_error"] = "%s: %s" % (type(e).__name__, e)
        return res
    try:
        res["libkdumpfile_max_pfn"] = kd.attr["max_pfn"]
    except Exception:  # noqa: BLE001
        res["libkdumpfile_max_pfn"] = None
    struct.pack_into("<Q", progress, 0, PHASE_OPENED)
    read = kd.read
    PH = kdumpfile.KDUMP_MACHPHYSADDR

    data_off = d.data_start
    fsize = d.size
    zero_desc = (data_off, bs, 0, 0)
    zero = src.zero
    flag_counts = res["flags"]
    intervals = src.intervals
    ii = 0
    nint = len(intervals)
    pack_progress = struct.Struct("<Q").pack_into
    descs = d.layout.desc.iter_unpack(memoryview(d.buf)[d.desc_off:d.desc_off + DESC_SIZE * count_ranges(pfn_ranges)])
    segment_page = src.segment_page
    min_off = None

    for rs, re_ in pfn_ranges:
        for pfn in range(rs, re_):
            pack_progress(progress, 0, pfn)
            desc = next(descs)
            res["checked"] += 1
            off, size, flags, pflags = desc
            fk = PAGE_FLAG_NAMES.get(flags, "0x%x" % flags)
            flag_counts[fk] = flag_counts.get(fk, 0) + 1
            readable = True
            if off > 0 and (min_off is None or off < min_off):
                min_off = off
            if off == 0 and lost_ok and desc == (0, 0, 0, 0):
                res["lost"] = res.get("lost", 0) + 1   # a page an interrupted dump never wrote
                continue
            if off == 0:
                problem("desc_offset_zero", pfn, "%s (lost page of an incomplete dump?)" % describe_desc(desc))
                readable = False
            elif off < data_off or off + size > fsize:
                problem("desc_out_of_bounds", pfn, "%s outside data area [0x%x, 0x%x)"
                        % (describe_desc(desc), data_off, fsize))
                readable = False
            if flags not in PAGE_FLAGS_OK:
                problem("desc_bad_flags", pfn, describe_desc(desc))
            elif flags == 0 and size != bs:
                problem("desc_raw_size", pfn, "%s: raw page size != block_size %d" % (describe_desc(desc), bs))
                readable = readable and size < bs
            elif flags and not 0 < size < bs:
                problem("desc_compressed_size", pfn, "%s: compressed size not in (0, %d)"
                        % (describe_desc(desc), bs))
                readable = readable and size < bs   # 0.5.1 crashes on size > page size
            if pflags:
                problem("desc_page_flags", pfn, "%s: page_flags != 0" % describe_desc(desc))

            # source page
            while ii < nint and intervals[ii][1] <= pfn:
                ii += 1
            if ii < nint and intervals[ii][0] <= pfn:
                want = segment_page(intervals[ii][2], pfn)
            else:
                want = src.partial_page(pfn)
            if want is None:
                problem("not_in_source", pfn, "pfn is dumped but no PT_LOAD of SOURCE covers it")
            else:
                is_zero = want == zero
                if is_zero:
                    res["source_zero"] += 1
                if desc == zero_desc:
                    res["shared_zero_desc"] += 1
                if zero_shared:
                    if is_zero and desc != zero_desc:
                        problem("zero_not_shared", pfn, "source page is zero but %s != shared zero "
                                "page %s" % (describe_desc(desc), describe_desc(zero_desc)))
                    elif not is_zero and off == data_off:
                        problem("nonzero_uses_zero_page", pfn, "source page is not zero but %s "
                                "points at the shared zero page" % describe_desc(desc))

            if not readable:
                continue
            try:
                got = read(PH, pfn * bs, bs)
            except Exception as e:  # noqa: BLE001 - any libkdumpfile error is a finding
                problem("read_error", pfn, "libkdumpfile: %s: %s; %s" % (type(e).__name__, e, describe_desc(desc)))
                continue
            if want is None:
                continue
            if len(got) != bs:
                problem("read_short", pfn, "libkdumpfile returned %d bytes; %s" % (len(got), describe_desc(desc)))
            elif got == want:
                res["equal"] += 1
            else:
                at = next(i for i in range(bs) if got[i] != want[i])
                problem("content_mismatch", pfn, "first difference at byte 0x%x (dump 0x%02x, source 0x%02x); %s"
                        % (at, got[at], want[at], describe_desc(desc)))
    res["min_offset"] = min_off
    return res


def run_scan_forked(d, src, pfn_ranges, zero_shared, lost_ok=False):
    """Run scan_pages in a child so that a libkdumpfile crash (0.5.1 has a few:
    SIGSEGV/SIGBUS on damaged files) is reported with the pfn it happened on."""
    progress = mmap.mmap(-1, 8)
    struct.pack_into("<Q", progress, 0, PHASE_OPENING)
    rfd, wfd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(rfd)
            out = json.dumps(scan_pages(d, src, pfn_ranges, zero_shared, progress, lost_ok)).encode()
            with os.fdopen(wfd, "wb") as w:
                w.write(out)
        except BaseException as e:  # noqa: BLE001
            try:
                sys.stderr.write("dumpcheck: verify child failed: %s: %s\n" % (type(e).__name__, e))
                sys.stderr.flush()
            finally:
                code = 3
        os._exit(code)
    os.close(wfd)
    chunks = []
    with os.fdopen(rfd, "rb") as r:
        while True:
            c = r.read(1 << 16)
            if not c:
                break
            chunks.append(c)
    _pid, status = os.waitpid(pid, 0)
    last, = struct.unpack_from("<Q", progress, 0)
    where = {PHASE_OPENING: "while opening the dump with kdumpfile.kdumpfile()",
             PHASE_OPENED: "after opening the dump, before reading any page"}.get(
                 last, "while processing pfn 0x%x" % last)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        raise CheckFailed("libkdumpfile (or the checker) crashed with %s %s"
                          % (signal.Signals(sig).name, where))
    if os.WEXITSTATUS(status) != 0 or not chunks:
        raise CheckFailed("page scan failed (exit status %d) %s" % (os.WEXITSTATUS(status), where))
    r = json.loads(b"".join(chunks))
    r["first"] = [tuple(x) for x in r["first"]]
    return r


def cmd_verify(a):
    t0 = time.monotonic()
    try:
        importlib.import_module("kdumpfile")   # used in scan_pages (fork child)
    except ImportError as e:
        raise InputError("cannot import the kdumpfile module (%s): run this with /usr/bin/python3 "
                         "and python3-libkdumpfile installed" % e) from None
    src_elf = open_any(a.source)
    if not isinstance(src_elf, ElfCore):
        raise CheckFailed("%s: SOURCE must be an ELF vmcore, not a kdump-compressed file" % a.source)
    d = open_any(a.dump)
    if not isinstance(d, KdumpFile):
        raise CheckFailed("%s: DUMP must be kdump-compressed, not ELF" % a.dump)
    bs = d.bs
    h, s = d.hdr, d.sub
    structural = []
    r1, r2 = d.ranges(1), d.ranges(2)
    structural.extend(d.warnings)
    if d.nbitmaps != 2:
        structural.append("file does not have two bitmaps")
    only2 = subtract_ranges(r2, r1)
    if only2:
        structural.append("%d pfn(s) set in the 2nd bitmap but not in the 1st (first %s)"
                          % (count_ranges(only2), fmt_range(*only2[0])))
    n_total = count_ranges(r2)
    table_end = d.desc_off + DESC_SIZE * n_total
    if table_end > d.size:
        raise CheckFailed("%s: descriptor table for %d pages ends at 0x%x beyond end of file 0x%x"
                          % (a.dump, n_total, table_end, d.size))
    pfn_ranges = r2
    if d.split_range:
        pfn_ranges = clip_ranges(r2, d.split_range[0], d.split_range[1])
    dump_level = s["dump_level"]

    src = SourcePages(src_elf, bs)
    src_ranges = src_elf.ranges(bs, memsz=True)
    print("source: %s: ELF, %d PT_LOAD, %d pages" % (a.source, len(src_elf.loads), count_ranges(src_ranges)))
    print("dump:   %s: kdump-compressed v%d (%s), block_size %d, dump_level %s, status 0x%x, "
          "max_mapnr 0x%x, bitmap1 %d pfns, bitmap2 %d pfns%s"
          % (a.dump, h["header_version"], d.layout.name, bs, dump_level, h["status"], d.max_mapnr,
             count_ranges(r1), n_total,
             ", split [0x%x, 0x%x): %d pfns" % (d.split_range + (count_ranges(pfn_ranges),))
             if d.split_range else ""))
    if h["status"] & FLAG_INCOMPLETE:
        print("note: status has INCOMPLETE (0x8) set")
    if libkdumpfile_usec_quirk(h["timestamp_usec"]):
        print("note: timestamp_usec %d triggers the libkdumpfile 0.5.1 32-bit header "
              "misdetection" % h["timestamp_usec"])
    b1_vs_src = (count_ranges(subtract_ranges(r1, src_ranges)),
                 count_ranges(subtract_ranges(src_ranges, r1)))
    print("info: bitmap1 vs source PT_LOAD pages: %d only in bitmap1, %d only in source"
          % b1_vs_src)
    if dump_level is not None and dump_level & 1 and not a.zero_shared:
        print("note: dump_level includes 1 (exclude zero pages) but --zero-shared was not given")
    if a.zero_shared and dump_level is not None and not dump_level & 1:
        print("note: --zero-shared given but dump_level %d does not include 1 (exclude zero pages)" % dump_level)

    lost_ok = a.lost_ok and bool(h["status"] & FLAG_INCOMPLETE)
    if a.lost_ok and not lost_ok:
        structural.append("--lost-ok given but the dump is not flagged INCOMPLETE")
    # where page data starts: right after the table, or further on in a dump
    # that lost pages (see below); the shared zero page is the first page there
    offs = [o for o, _, _, _ in d.layout.desc.iter_unpack(
        memoryview(d.buf)[d.desc_off:d.desc_off + DESC_SIZE * count_ranges(pfn_ranges)]) if o > 0]
    d.data_start = max(d.data_off, min(offs)) if offs else d.data_off
    if a.no_fork:
        progress = bytearray(8)
        r = scan_pages(d, src, pfn_ranges, a.zero_shared, progress, lost_ok)
    else:
        r = run_scan_forked(d, src, pfn_ranges, a.zero_shared, lost_ok)
    elapsed = time.monotonic() - t0

    if "open_error" in r:
        print("FAIL: libkdumpfile cannot open %s: %s" % (a.dump, r["open_error"]))
        return 1
    if r.get("libkdumpfile_max_pfn") is not None and r["libkdumpfile_max_pfn"] != d.max_mapnr:
        print("note: libkdumpfile max_pfn 0x%x != max_mapnr 0x%x"
              % (r["libkdumpfile_max_pfn"], d.max_mapnr))
    # 1.5: page data begins immediately after the table (shared zero page first
    # when zero pages are excluded); anything else suggests the descriptor
    # count does not match the 2nd bitmap.  A dump that lost pages (it stopped
    # early, or pages could not be read) keeps the table's place and size as
    # planned and packs the descriptors it has to its front: there the data
    # starts past the table's end, and the first page of data is the zero page.
    data_start = d.data_start
    if r["min_offset"] is not None:
        allowed = [d.data_off]
        if dump_level is not None and dump_level & 1:
            allowed.append(d.data_off + bs)
        if r["min_offset"] > d.data_off:
            print("note: page data starts at 0x%x, 0x%x bytes past the %d-entry table "
                  "(a table planned for %d pages)" % (data_start, data_start - d.data_off,
                                                       n_total, (data_start - d.desc_off) // DESC_SIZE))
        elif r["min_offset"] not in allowed:
            structural.append("lowest page data offset is 0x%x, expected %s (right after the %d-entry "
                              "descriptor table): bitmap 2 and descriptor table disagree?"
                              % (r["min_offset"], " or ".join("0x%x" % x for x in allowed), n_total))
    # a dump holding no page (a stream cut before any data) has no data area
    if n_total and (a.zero_shared or dump_level is not None and dump_level & 1):
        if not (data_start + bs <= d.size and d.buf[data_start:data_start + bs] == src.zero):
            structural.append("dump_level %s: the first page of the data area (0x%x) is not a page of zeros"
                              % (dump_level, data_start))
    nprob = sum(r["problems"].values())
    print("pages checked:     %d" % r["checked"])
    if lost_ok:
        print("pages lost:        %d (empty descriptors of an interrupted dump)" % r.get("lost", 0))
    print("pages equal:       %d" % r["equal"])
    shared = ""
    if a.zero_shared or dump_level is not None and dump_level & 1:
        shared = ", %d use the shared zero-page descriptor" % r["shared_zero_desc"]
    print("zero pages:        %d (all zero in source)%s" % (r["source_zero"], shared))
    print("page data:         %s" % ", ".join("%s %d" % kv for kv in sorted(r["flags"].items())))
    print("mismatches:        %d" % nprob)
    for kind, n in sorted(r["problems"].items()):
        print("  %-22s %d" % (kind, n))
    for pfn, kind, detail in r["first"]:
        print("  pfn 0x%x: %s: %s" % (pfn, kind, detail))
    if nprob > len(r["first"]):
        print("  ... %d more" % (nprob - len(r["first"])))
    for msg in structural:
        print("structural: %s" % msg)
    print("time:              %.1f s" % elapsed)
    if nprob or structural:
        print("FAIL: %s" % ", ".join(["%d page problem(s)" % nprob] * bool(nprob)
                                     + ["%d structural problem(s)" % len(structural)] * bool(structural)))
        return 1
    print("OK: all %d dumped pages match the source" % r["checked"])
    return 0


# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(prog="dumpcheck.py", description=__doc__.split("\n\n", 1)[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Exit status: 0 ok, 1 check failed, 2 usage/IO error.")
    sub = ap.add_subparsers(dest="cmd", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser("pfns", help="print the pfn set of a dump as ranges")
    p.add_argument("dump")
    p.add_argument("--bitmap", type=int, choices=(1, 2), default=2,
                   help="kdump: which bitmap (default 2); ELF: 1 = p_memsz coverage")
    p.add_argument("--page-size", type=int, default=4096, help="page size for ELF input (default 4096)")
    p.set_defaults(func=cmd_pfns)
    p = sub.add_parser("compare", help="compare the 2nd-bitmap pfn sets of two kdump files")
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--expect", metavar="FILE", help="allowed differences (see module docstring)")
    p.set_defaults(func=cmd_compare)
    p = sub.add_parser("verify", help="check every stored page against the source ELF vmcore")
    p.add_argument("source")
    p.add_argument("dump")
    p.add_argument("--zero-shared", action="store_true",
                   help="zero pages must use the shared zero page (dump level includes 1)")
    p.add_argument("--no-fork", action="store_true",
                   help="read pages in this process (debugging; a libkdumpfile crash then kills it)")
    p.add_argument("--lost-ok", action="store_true",
                   help="in a dump flagged INCOMPLETE, an all-zero descriptor (a page a killed "
                   "dump never wrote) is counted as lost, not a problem")
    p.set_defaults(func=cmd_verify)
    p = sub.add_parser("header", help="print the main and sub header fields")
    p.add_argument("dump")
    p.set_defaults(func=cmd_header)
    a = ap.parse_args(argv)
    try:
        return a.func(a)
    except CheckFailed as e:
        print("FAIL: %s" % e)
        return 1
    except InputError as e:
        print("dumpcheck: error: %s" % e, file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 2


if __name__ == "__main__":
    sys.exit(main())

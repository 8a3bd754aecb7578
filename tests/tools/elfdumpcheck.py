#!/usr/bin/python3
"""elfdumpcheck.py - independent checks of an ELF dump (dumpsieve -E).

Owned by the dumpsieve test suite.  Shares no code with the collector: it
parses the ELF program headers itself and reads pages back through
libkdumpfile (python3-libkdumpfile), as tests/tools/dumpcheck.py does for
kdump-compressed files (whose ELF source reader it reuses).

Usage (run with /usr/bin/python3, which has the kdumpfile module):
  elfdumpcheck.py verify SOURCE_ELF DUMP_ELF
      Every page inside some PT_LOAD's p_filesz of DUMP_ELF, read through
      libkdumpfile by physical address, equals the same page of SOURCE_ELF;
      every PT_LOAD's file data lies inside the file; the notes equal the
      source's.  Prints the page count and exits 0, or lists the first
      problems and exits 1.
  elfdumpcheck.py drgn SOURCE_ELF DUMP
      drgn (python3-drgn) opens DUMP as a Linux kernel core and reads
      physical memory: every 16th page of DUMP's PT_LOADs (an ELF DUMP) must
      equal SOURCE_ELF's page.  Virtual reads are not tried: Debian 12's drgn
      0.0.22 cannot translate kernel addresses on QEMU's vmcores either
      (their PT_LOADs carry no kernel virtual addresses).
  elfdumpcheck.py holes DUMP_ELF
      Prints how much of the page data is file holes (st_blocks).
  elfdumpcheck.py flags DUMP_ELF
      Prints the ELF header's e_flags ("0x1": makedumpfile's and crash's
      DUMP_ELF_INCOMPLETE, the dump did not finish; "0x0": a whole dump).
  elfdumpcheck.py absent DUMP_ELF PFN_FILE
      None of the pfns listed in PFN_FILE (one a line, 0x hex) may be in a
      PT_LOAD of DUMP_ELF, not even in a p_memsz tail: pages that could not
      be read must read as not present, never as zeros.  Exits 1 naming the
      first ones that are.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dumpcheck  # noqa: E402  (ELF source reader)


def phdrs(path):
    """(p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz) of every
    program header: ELF64 or ELF32, either byte order (the dumped machine's)."""
    with open(path, "rb") as f:
        eh = f.read(64)
        if eh[:4] != b"\x7fELF" or eh[4] not in (1, 2) or eh[5] not in (1, 2):
            raise SystemExit("%s: not an ELF file of a known class and byte order" % path)
        o = "<" if eh[5] == 1 else ">"
        if eh[4] == 2:
            phoff, shoff = struct.unpack_from(o + "QQ", eh, 32)
            phentsize, phnum = struct.unpack_from(o + "HH", eh, 54)
            sh_info, phfmt = 44, "IIQQQQQQ"
        else:
            phoff, shoff = struct.unpack_from(o + "II", eh, 28)
            phentsize, phnum = struct.unpack_from(o + "HH", eh, 42)
            sh_info, phfmt = 28, "IIIIIIII"
        if phnum == 0xffff:                      # PN_XNUM: sh_info of section 0
            f.seek(shoff + sh_info)
            phnum, = struct.unpack(o + "I", f.read(4))
        f.seek(phoff)
        raw = f.read(phentsize * phnum)
    out = []
    for i in range(phnum):
        v = struct.unpack_from(o + phfmt, raw, i * phentsize)
        if eh[4] == 2:
            p_type, _flags, off, vaddr, paddr, filesz, memsz, _align = v
        else:
            p_type, off, vaddr, paddr, filesz, memsz, _flags, _align = v
        out.append((p_type, off, vaddr, paddr, filesz, memsz))
    return out


def page_size_of(elf):
    """The crashed kernel's page size: VMCOREINFO's PAGESIZE, else 4096."""
    for off, n in getattr(elf, "notes", []):
        raw = bytes(elf.buf[off:off + n])
        i = raw.find(b"PAGESIZE=")
        if i >= 0:
            return int(raw[i + 9:raw.index(b"\n", i)])
    return 4096


def cmd_verify(src_path, dump_path):
    import kdumpfile
    src_elf = dumpcheck.open_any(src_path)
    ps = page_size_of(src_elf)
    src = dumpcheck.SourcePages(src_elf, ps)
    size = os.path.getsize(dump_path)
    problems = []
    pfns = set()
    notes = None
    for p_type, off, vaddr, paddr, filesz, memsz in phdrs(dump_path):
        if off + filesz > size:
            problems.append("segment at paddr 0x%x: file data 0x%x+0x%x past the end 0x%x"
                            % (paddr, off, filesz, size))
        if p_type == 4:
            with open(dump_path, "rb") as f:
                f.seek(off)
                notes = f.read(filesz)
        if p_type == 1:
            for pfn in range(paddr // ps, -(-(paddr + filesz) // ps)):
                pfns.add(pfn)
    src_notes = b"".join(bytes(src_elf.buf[o:o + n]) for o, n in src_elf.notes) \
        if hasattr(src_elf, "notes") else None
    if src_notes is not None and notes != src_notes:
        problems.append("the notes differ from the source's")
    kd = kdumpfile.kdumpfile(dump_path)
    PH = kdumpfile.KDUMP_MACHPHYSADDR
    checked = 0
    for pfn in sorted(pfns):
        want = None
        for s, e, seg in src.intervals:
            if s <= pfn < e:
                want = src.segment_page(seg, pfn)
                break
        if want is None:
            want = src.partial_page(pfn)
        if want is None:
            problems.append("pfn 0x%x is in the dump but not in the source" % pfn)
            continue
        try:
            got = kd.read(PH, pfn * ps, ps)
        except Exception as e:  # noqa: BLE001
            problems.append("pfn 0x%x: libkdumpfile cannot read it: %s" % (pfn, e))
            continue
        checked += 1
        if bytes(got) != want:
            problems.append("pfn 0x%x differs from the source" % pfn)
        if len(problems) > 20:
            break
    if problems:
        for p in problems[:20]:
            print("FAIL:", p)
        return 1
    print("ok: %d pages equal the source (read through libkdumpfile)" % checked)
    return 0


def cmd_drgn(src_path, dump_path):
    import drgn
    src_elf = dumpcheck.open_any(src_path)
    ps = page_size_of(src_elf)
    src = dumpcheck.SourcePages(src_elf, ps)
    prog = drgn.Program()
    prog.set_core_dump(dump_path)
    if not prog.flags & drgn.ProgramFlags.IS_LINUX_KERNEL:
        print("FAIL: drgn does not take %s for a Linux kernel core" % dump_path)
        return 1
    pfns = sorted({pfn for t, off, v, paddr, filesz, m in phdrs(dump_path) if t == 1
                   for pfn in range(paddr // ps, (paddr + filesz) // ps)})
    checked = 0
    for pfn in pfns[::16]:
        want = src.partial_page(pfn)
        got = prog.read(pfn * ps, ps, True)
        if got != want:
            print("FAIL: pfn 0x%x read through drgn differs from the source" % pfn)
            return 1
        checked += 1
    print("ok: drgn opens it; %d pages read through drgn equal the source" % checked)
    return 0


def ehdr_flags(path):
    with open(path, "rb") as f:
        eh = f.read(64)
    if eh[:4] != b"\x7fELF":
        raise SystemExit("%s: not an ELF file" % path)
    o = "<" if eh[5] == 1 else ">"
    return struct.unpack_from(o + "I", eh, 48 if eh[4] == 2 else 36)[0]


def cmd_absent(path, pfn_file):
    with open(pfn_file) as f:
        want = sorted(int(x, 16) for x in f.read().split())
    ps = 4096
    loads = [(paddr, memsz) for t, off, v, paddr, filesz, memsz in phdrs(path) if t == 1]
    present = [p for p in want if any(a <= p * ps < a + n for a, n in loads)]
    if present:
        print("FAIL: %d of the %d pfns are in a PT_LOAD: %s" % (
            len(present), len(want), " ".join("0x%x" % p for p in present[:10])))
        return 1
    print("ok: none of the %d pfns is in a PT_LOAD" % len(want))
    return 0


def cmd_holes(path):
    st = os.stat(path)
    print("size %d, allocated %d" % (st.st_size, st.st_blocks * 512))
    return 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "verify":
        return cmd_verify(sys.argv[2], sys.argv[3])
    if len(sys.argv) == 4 and sys.argv[1] == "drgn":
        return cmd_drgn(sys.argv[2], sys.argv[3])
    if len(sys.argv) == 3 and sys.argv[1] == "holes":
        return cmd_holes(sys.argv[2])
    if len(sys.argv) == 3 and sys.argv[1] == "flags":
        print("0x%x" % ehdr_flags(sys.argv[2]))
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "absent":
        return cmd_absent(sys.argv[2], sys.argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

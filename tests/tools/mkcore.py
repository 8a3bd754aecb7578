#!/usr/bin/env python3
"""mkcore.py - write small, deliberately broken ELF vmcores for bad-input tests.

Not a vmcore generator with known truth (that is tests/gen, later): each file
here is just real enough to reach one error path of dumpsieve.

  mkcore.py OUT CASE

CASE is one of:
  notelf        a text file
  elf32         an ELF32 x86 core header
  aarch64       an ELF64 core with e_machine AArch64 (and x86_64's VMCOREINFO)
  sparc64       an ELF64 core of a machine dumpsieve does not read (SPARC v9)
  exec          an ELF64 executable, not a core
  trunc-phdrs   program headers that end past the end of the file
  trunc-load    a PT_LOAD whose data ends past the end of the file
  no-vmcoreinfo a core whose notes hold only NT_PRSTATUS
  bad-note      a note whose size runs past its segment
  no-pagesize   VMCOREINFO without PAGESIZE
  no-pgt        VMCOREINFO without SYMBOL(init_top_pgt)
  garbage-vmci  VMCOREINFO holding binary garbage
  good-minimal  a well-formed core (1 MiB of RAM) whose page table is empty:
                dumpsieve gets as far as the kernel reads, then fails cleanly
  huge-memsz    good-minimal whose PT_LOAD claims 1 PiB of memory (p_memsz)
"""
import struct
import sys

EM_X86_64, EM_AARCH64, EM_SPARCV9 = 62, 183, 43
PT_LOAD, PT_NOTE = 1, 4
ET_CORE, ET_EXEC = 4, 2

VMCI = (b"OSRELEASE=6.1.0-test-amd64\nPAGESIZE=4096\n"
        b"SYMBOL(init_uts_ns)=ffffffff82a12340\nOFFSET(uts_namespace.name)=0\n"
        b"SYMBOL(mem_section)=ffff888000100000\nLENGTH(mem_section)=2048\n"
        b"SIZE(mem_section)=16\nOFFSET(mem_section.section_mem_map)=0\n"
        b"SIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page._refcount)=52\n"
        b"OFFSET(page.mapping)=24\nOFFSET(page.lru)=8\nOFFSET(page._mapcount)=48\n"
        b"OFFSET(page.private)=40\nOFFSET(page.compound_head)=8\n"
        b"NUMBER(PG_lru)=4\nNUMBER(PG_private)=13\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
        b"SYMBOL(init_top_pgt)=ffffffff82a0a000\nNUMBER(phys_base)=0\n"
        b"NUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=0\nCRASHTIME=1700000000\n")


def note(name, ntype, desc):
    name_b = name + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(name_b), len(desc), ntype) + pad(name_b) + pad(desc)


def ehdr(machine=EM_X86_64, etype=ET_CORE, phoff=64, phnum=2, cls=2):
    ident = b"\x7fELF" + bytes([cls, 1, 1, 0]) + b"\0" * 8
    return ident + struct.pack("<HHIQQQIHHHHHH", etype, machine, 1, 0, phoff, 0, 0,
                               64, 56, phnum, 64, 0, 0)


def phdr(ptype, offset, paddr, filesz, memsz, vaddr=0):
    return struct.pack("<IIQQQQQQ", ptype, 0, offset, vaddr, paddr, filesz, memsz, 0)


def core(notes, ram=1 << 20, machine=EM_X86_64, etype=ET_CORE, truncate_load=False,
         memsz=None):
    head = 64 + 2 * 56
    note_off = head
    load_off = (note_off + len(notes) + 4095) // 4096 * 4096
    out = bytearray(ehdr(machine, etype))
    out += phdr(PT_NOTE, note_off, 0, len(notes), len(notes))
    out += phdr(PT_LOAD, load_off, 0, ram, memsz or ram, 0xffff888000000000)
    out += notes
    out += b"\0" * (load_off - len(out))
    out += b"\0" * (ram // 2 if truncate_load else ram)
    return bytes(out)


def prstatus():
    return note(b"CORE", 1, b"\0" * 336)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    out, case = sys.argv[1], sys.argv[2]
    vmci_note = note(b"VMCOREINFO", 0, VMCI)
    data = {
        "notelf": lambda: b"this is not a vmcore\n" * 10,
        "elf32": lambda: ehdr(cls=1) + b"\0" * 256,
        "aarch64": lambda: core(prstatus() + vmci_note, machine=EM_AARCH64),
        "sparc64": lambda: core(prstatus() + vmci_note, machine=EM_SPARCV9),
        "exec": lambda: core(prstatus() + vmci_note, etype=ET_EXEC),
        "trunc-phdrs": lambda: ehdr(phnum=200) + b"\0" * 100,
        "trunc-load": lambda: core(prstatus() + vmci_note, truncate_load=True),
        "no-vmcoreinfo": lambda: core(prstatus()),
        "bad-note": lambda: core(struct.pack("<III", 11, 100000, 0) + b"VMCOREINFO\0\0"),
        "no-pagesize": lambda: core(prstatus() + note(b"VMCOREINFO", 0, VMCI.replace(b"PAGESIZE=4096\n", b""))),
        "no-pgt": lambda: core(prstatus() + note(b"VMCOREINFO", 0,
                                                 VMCI.replace(b"SYMBOL(init_top_pgt)=ffffffff82a0a000\n", b""))),
        "garbage-vmci": lambda: core(prstatus() + note(b"VMCOREINFO", 0, bytes(range(1, 10)) * 20)),
        "good-minimal": lambda: core(prstatus() + vmci_note),
        "huge-memsz": lambda: core(prstatus() + vmci_note, memsz=1 << 50),
    }
    if case not in data:
        sys.exit("unknown case %r" % case)
    with open(out, "wb") as f:
        f.write(data[case]())


if __name__ == "__main__":
    main()

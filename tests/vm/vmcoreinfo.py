#!/usr/bin/env python3
"""tests/vm/vmcoreinfo.py - print the VMCOREINFO text of an ELF core.

Owned by the VM test harness (tests/vm/capture-vmcore.sh checks every new
dump with it and saves the text as OUTDIR/vmcoreinfo.txt); tests/vm/fixcore.py
imports its Core class.  Reads ELF32 and ELF64 in either byte order and
follows e_phoff (and PN_XNUM), so it reads QEMU's layout (section headers
first), the standard one and /proc/vmcore copies of every architecture.

    vmcoreinfo.py CORE                 the VMCOREINFO note; exit 1 if none
    vmcoreinfo.py CORE PADDR SIZE      the note the kernel keeps in its own
                                       memory at physical PADDR (SIZE bytes;
                                       both hex, as /sys/kernel/vmcoreinfo
                                       prints them), read from CORE's PT_LOADs
"""
import struct
import sys

PT_LOAD = 1
PT_NOTE = 4
PN_XNUM = 0xFFFF


class CoreError(Exception):
    pass


def parse_notes(data, order):
    """(name, type, desc) of each note in data (byte order '<' or '>')."""
    out = []
    pos = 0
    while pos + 12 <= len(data):
        namesz, descsz, ntype = struct.unpack_from(order + "III", data, pos)
        if namesz == 0 and descsz == 0:
            break
        desc_at = pos + 12 + ((namesz + 3) & ~3)
        end = desc_at + ((descsz + 3) & ~3)
        if end > len(data):
            raise CoreError("note at +0x%x runs past its segment" % pos)
        name = data[pos + 12:pos + 12 + namesz].rstrip(b"\0").decode(errors="replace")
        out.append((name, ntype, data[desc_at:desc_at + descsz]))
        pos = end
    return out


class Core:
    """ELF header, program headers and notes of a core file."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            eh = f.read(64)
            if len(eh) < 52 or eh[:4] != b"\x7fELF" or eh[4] not in (1, 2) or eh[5] not in (1, 2):
                raise CoreError("%s: not an ELF file" % path)
            self.elf64 = eh[4] == 2
            self.order = o = "<" if eh[5] == 1 else ">"
            if self.elf64:
                (self.type, self.machine, _, _, self.phoff, self.shoff, self.flags, _,
                 self.phentsize, phnum) = struct.unpack_from(o + "HHIQQQIHHH", eh, 16)
                self.ehsize, self.phfmt, shnum_info = 64, o + "IIQQQQQQ", 44
            else:
                (self.type, self.machine, _, _, self.phoff, self.shoff, self.flags, _,
                 self.phentsize, phnum) = struct.unpack_from(o + "HHIIIIIHHH", eh, 16)
                self.ehsize, self.phfmt, shnum_info = 52, o + "IIIIIIII", 28
            if phnum == PN_XNUM:
                f.seek(self.shoff + shnum_info)
                phnum, = struct.unpack(o + "I", f.read(4))
            if self.phentsize < struct.calcsize(self.phfmt):
                raise CoreError("%s: e_phentsize %d too small" % (path, self.phentsize))
            f.seek(self.phoff)
            table = f.read(self.phentsize * phnum)
            if len(table) != self.phentsize * phnum:
                raise CoreError("%s: program headers beyond end of file" % path)
            self.phdrs = []
            for i in range(phnum):
                v = struct.unpack_from(self.phfmt, table, i * self.phentsize)
                if self.elf64:
                    p_type, p_flags, off, vaddr, paddr, filesz, memsz, align = v
                else:
                    p_type, off, vaddr, paddr, filesz, memsz, p_flags, align = v
                self.phdrs.append(dict(type=p_type, flags=p_flags, offset=off, vaddr=vaddr,
                                       paddr=paddr, filesz=filesz, memsz=memsz, align=align))

    @property
    def loads(self):
        return [p for p in self.phdrs if p["type"] == PT_LOAD]

    def read(self, off, n):
        with open(self.path, "rb") as f:
            f.seek(off)
            data = f.read(n)
        if len(data) != n:
            raise CoreError("%s: short read of %d bytes at 0x%x" % (self.path, n, off))
        return data

    def note_segments(self):
        return [self.read(p["offset"], p["filesz"]) for p in self.phdrs if p["type"] == PT_NOTE]

    def notes(self, order=None):
        out = []
        for seg in self.note_segments():
            out += parse_notes(seg, order or self.order)
        return out

    def vmcoreinfo(self):
        for name, _, desc in self.notes():
            if name == "VMCOREINFO":
                return desc.rstrip(b"\0")
        return None

    def read_phys(self, paddr, n):
        for p in self.loads:
            if p["paddr"] <= paddr and paddr + n <= p["paddr"] + p["filesz"]:
                return self.read(p["offset"] + paddr - p["paddr"], n)
        raise CoreError("%s: physical 0x%x (+0x%x) is in no PT_LOAD" % (self.path, paddr, n))

    def vmcoreinfo_in_memory(self, paddr, size):
        """The VMCOREINFO note at physical paddr, in the guest's byte order
        (which need not be the ELF header's: QEMU 7.2 writes a big-endian
        header for a little-endian ppc64 guest)."""
        data = self.read_phys(paddr, size)
        for order in "<>":
            try:
                notes = parse_notes(data, order)
            except CoreError:
                continue
            if notes and notes[0][0] == "VMCOREINFO":
                return notes[0][2].rstrip(b"\0")
        raise CoreError("%s: no VMCOREINFO note at physical 0x%x" % (self.path, paddr))


def main(argv):
    if len(argv) not in (2, 4):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        core = Core(argv[1])
        if len(argv) == 4:
            text = core.vmcoreinfo_in_memory(int(argv[2], 16), int(argv[3], 16))
        else:
            text = core.vmcoreinfo()
    except (OSError, CoreError, struct.error) as e:
        print("vmcoreinfo.py: %s" % e, file=sys.stderr)
        return 1
    if text is None:
        print("vmcoreinfo.py: %s: no VMCOREINFO note" % argv[1], file=sys.stderr)
        return 1
    sys.stdout.write(text.decode(errors="replace"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

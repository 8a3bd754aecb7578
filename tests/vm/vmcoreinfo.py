#!/usr/bin/env python3
"""tests/vm/vmcoreinfo.py - print the VMCOREINFO note text of an ELF64 core.

Owned by the VM test harness (tests/vm/capture-vmcore.sh checks every new
dump with it and saves the text as OUTDIR/vmcoreinfo.txt).  Follows e_phoff,
so it reads both QEMU's layout (section headers first) and the standard one.

    vmcoreinfo.py CORE        exit 1 if CORE has no VMCOREINFO note
"""
import struct
import sys

PT_NOTE = 4


def notes(path):
    """Yield (name, type, desc) for every note in every PT_NOTE segment."""
    with open(path, "rb") as f:
        eh = f.read(64)
        if eh[:4] != b"\x7fELF" or eh[4] != 2 or eh[5] != 1:
            raise ValueError(f"{path}: not a little-endian ELF64 file")
        (phoff,) = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
        for i in range(phnum):
            p_type, _, p_offset, _, _, p_filesz = struct.unpack_from(
                "<IIQQQQ", table, i * phentsize)
            if p_type != PT_NOTE:
                continue
            f.seek(p_offset)
            data = f.read(p_filesz)
            pos = 0
            while pos + 12 <= len(data):
                namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
                if namesz == 0 and descsz == 0:
                    break
                name = data[pos + 12:pos + 12 + namesz].rstrip(b"\0")
                desc_at = pos + 12 + ((namesz + 3) & ~3)
                yield name.decode(errors="replace"), ntype, data[desc_at:desc_at + descsz]
                pos = desc_at + ((descsz + 3) & ~3)


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    for name, _, desc in notes(argv[1]):
        if name == "VMCOREINFO":
            sys.stdout.write(desc.rstrip(b"\0").decode(errors="replace"))
            return 0
    print(f"vmcoreinfo.py: {argv[1]}: no VMCOREINFO note", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

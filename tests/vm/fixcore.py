#!/usr/bin/env python3
"""tests/vm/fixcore.py - turn a QEMU dump-guest-memory ELF into the layout a
kdump /proc/vmcore has, IN PLACE, for every architecture the tests capture.

Owned by the VM test harness (tests/vm/capture-vmcore.sh -a ARCH).  QEMU 7.2
writes dumps that makedumpfile 1.7.2 cannot read, in ways that depend on the
guest architecture:

  * every arch: section headers at offset 64 and the program headers after
    them (makedumpfile reads the program headers at offset 64, whatever
    e_phoff says);
  * ppc64el, s390x, riscv64: no VMCOREINFO note (QEMU's -device vmcoreinfo
    needs fw_cfg with DMA, which pseries, s390-ccw-virtio and riscv virt do
    not have): the note is read from guest memory, at the physical address
    the guest printed from /sys/kernel/vmcoreinfo;
  * ppc64el: the ELF header and QEMU's notes are big-endian although the
    guest is little-endian: the header is rewritten little-endian and
    QEMU's (big-endian) register notes are dropped;
  * i386: an ELF64 with e_machine EM_386 (makedumpfile:i386 crashes on it):
    rewritten as ELF32, RAM only (PT_LOADs below --ram-end), with the
    kernel's linear-map addresses as p_vaddr below the 896 MiB lowmem limit
    and p_vaddr 0xffffffff above it, as kexec-tools writes them.

The result: ELF header, then the program headers; one PT_NOTE (QEMU's notes
that are in the right byte order, plus the VMCOREINFO note if QEMU's dump had
none) appended at the end of the file; PT_LOAD data where it was (so the
rewrite only touches the first bytes and the end: no copy of a GiB file).

    fixcore.py ARCH CORE [--vmcoreinfo TEXTFILE] [--ram-end BYTES]

ARCH is x86_64, arm64, ppc64el, s390x, riscv64 or i386.  Prints one line
saying what it did.  Exit 1 with a message if CORE is not what ARCH's QEMU
writes (wrong machine, no room for the new headers, no VMCOREINFO at all).
"""
import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vmcoreinfo import PT_LOAD, PT_NOTE, Core, CoreError  # noqa: E402

# arch -> (e_machine, ELF64?, byte order of the guest)
ARCHES = {
    "x86_64": (62, True, "<"),
    "arm64": (183, True, "<"),
    "ppc64el": (21, True, "<"),
    "s390x": (22, True, ">"),
    "riscv64": (243, True, "<"),
    "i386": (3, False, "<"),
}
I386_PAGE_OFFSET = 0xC0000000
I386_LOWMEM_LIMIT = 0x38000000      # 896 MiB: the default 3G/1G split's lowmem


def note_bytes(name, ntype, desc, order):
    name = name.encode() + b"\0"
    return (struct.pack(order + "III", len(name), len(desc), ntype)
            + name.ljust((len(name) + 3) & ~3, b"\0") + desc.ljust((len(desc) + 3) & ~3, b"\0"))


def i386_loads(loads, ram_end):
    """RAM PT_LOADs split at the lowmem limit, with kexec-style vaddrs."""
    out = []
    for p in loads:
        if p["paddr"] >= ram_end:
            continue
        start, size, off = p["paddr"], min(p["filesz"], ram_end - p["paddr"]), p["offset"]
        pieces = [(start, size, off)]
        if start < I386_LOWMEM_LIMIT < start + size:
            cut = I386_LOWMEM_LIMIT - start
            pieces = [(start, cut, off), (I386_LOWMEM_LIMIT, size - cut, off + cut)]
        for a, n, o in pieces:
            vaddr = I386_PAGE_OFFSET + a if a < I386_LOWMEM_LIMIT else 0xFFFFFFFF
            out.append(dict(p, paddr=a, vaddr=vaddr, offset=o, filesz=n, memsz=n))
    return out


def fix(arch, path, vmcoreinfo_text=None, ram_end=None):
    machine, elf64, order = ARCHES[arch]
    core = Core(path)
    if core.machine != machine:
        raise CoreError("%s: e_machine %d, but %s is %d" % (path, core.machine, arch, machine))
    if core.phoff == (64 if elf64 else 52) and not core.shoff and core.elf64 == elf64 \
            and core.order == order:
        raise CoreError("%s: already in the standard layout (fixed before?)" % path)
    what = []
    # notes: QEMU's own, if they are in the guest's byte order
    notes = []
    if core.order == order:
        notes = core.notes()
    elif core.note_segments():
        what.append("dropped QEMU's %s-endian notes" % ("big" if core.order == ">" else "little"))
    have_vmcoreinfo = any(n[0] == "VMCOREINFO" for n in notes)
    if not have_vmcoreinfo:
        if vmcoreinfo_text is None:
            raise CoreError("%s: no VMCOREINFO note, and no --vmcoreinfo given" % path)
        text = vmcoreinfo_text if vmcoreinfo_text.endswith(b"\n") else vmcoreinfo_text + b"\n"
        notes.append(("VMCOREINFO", 0, text))
        what.append("added the VMCOREINFO note from guest memory")
    blob = b"".join(note_bytes(n, t, d, order) for n, t, d in notes)

    loads = core.loads
    if arch == "i386":
        if ram_end is None:
            raise CoreError("i386 needs --ram-end (the guest's memory size)")
        loads = i386_loads(loads, ram_end)
        what.append("ELF64 -> ELF32, %d RAM PT_LOADs with kexec vaddrs" % len(loads))
    if not loads:
        raise CoreError("%s: no PT_LOAD" % path)
    first_data = min(p["offset"] for p in core.loads if p["filesz"]) if any(
        p["filesz"] for p in core.loads) else os.path.getsize(path)

    end = os.path.getsize(path)
    note_off = (end + 7) & ~7
    phdrs = [dict(type=PT_NOTE, flags=0, offset=note_off, vaddr=0, paddr=0,
                  filesz=len(blob), memsz=len(blob), align=0)] + loads
    ehsize, phentsize = (64, 56) if elf64 else (52, 32)
    if ehsize + phentsize * len(phdrs) > first_data:
        raise CoreError("%s: no room for %d program headers before the first segment at 0x%x"
                        % (path, len(phdrs), first_data))
    ident = b"\x7fELF" + bytes([2 if elf64 else 1, 1 if order == "<" else 2, 1, 0]) + bytes(8)
    if elf64:
        head = ident + struct.pack(order + "HHIQQQIHHHHHH", 4, machine, 1, 0, ehsize, 0,
                                   core.flags, ehsize, phentsize, len(phdrs), 0, 0, 0)
        table = b"".join(struct.pack(order + "IIQQQQQQ", p["type"], p["flags"], p["offset"],
                                     p["vaddr"], p["paddr"], p["filesz"], p["memsz"], p["align"])
                         for p in phdrs)
    else:
        head = ident + struct.pack(order + "HHIIIIIHHHHHH", 4, machine, 1, 0, ehsize, 0,
                                   core.flags, ehsize, phentsize, len(phdrs), 0, 0, 0)
        table = b"".join(struct.pack(order + "IIIIIIII", p["type"], p["offset"], p["vaddr"],
                                     p["paddr"], p["filesz"], p["memsz"], p["flags"], p["align"])
                         for p in phdrs)
    with open(path, "r+b") as f:
        f.seek(note_off)
        f.write(blob)
        f.seek(0)
        f.write(head + table + bytes(first_data - len(head) - len(table)))
    what.insert(0, "program headers at %d, one PT_NOTE (%d notes) at 0x%x"
                % (ehsize, len(notes), note_off))
    return "; ".join(what)


def main(argv):
    ap = argparse.ArgumentParser(prog="fixcore.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("arch", choices=sorted(ARCHES))
    ap.add_argument("core")
    ap.add_argument("--vmcoreinfo", metavar="TEXTFILE",
                    help="VMCOREINFO text to add when the dump has no such note")
    ap.add_argument("--ram-end", type=lambda s: int(s, 0),
                    help="i386: PT_LOADs at or above this address are not RAM (VGA, BIOS)")
    a = ap.parse_args(argv)
    try:
        text = None
        if a.vmcoreinfo:
            with open(a.vmcoreinfo, "rb") as f:
                text = f.read()
        print("fixcore.py: %s: %s" % (a.core, fix(a.arch, a.core, text, a.ram_end)))
    except (OSError, CoreError, struct.error) as e:
        print("fixcore.py: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

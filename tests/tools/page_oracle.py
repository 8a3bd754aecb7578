#!/usr/bin/python3
"""page_oracle.py - the pages a dump level must leave out, read from the
vmcore's own struct pages: the oracle where makedumpfile cannot be one.

  page_oracle.py VMCORE_ELF OURS MDF --level L [--meminfo-free-kb N]

OURS and MDF are dumpsieve's and makedumpfile's -l -d L dumps of VMCORE_ELF.
Written for trixie's makedumpfile 1.7.6 on Debian's riscv64 6.12 kernel,
which reports "Free pages: 0" there (its slab test misreads 6.12's page
types; fixed in 1.7.7), so its pfn set is no truth for -d 16 and -d 31.

From the vmcore alone (vmemmap_oracle.py's ELF reader, VMCOREINFO parsing
and page-table walks; nothing from dumpsieve) it reads the struct page of
every pfn the vmcore holds, at SYMBOL(vmemmap) + pfn * SIZE(page)
(SPARSEMEM_VMEMMAP), and decides each with the rules of docs/filtering.md
for 6.12 (one page type per page, in the top byte of page._mapcount):
  - a compound tail (compound_head & 1) goes with its head;
  - free (16): the buddy type heads a block of 2^page.private pfns (order
    below LENGTH(zone.free_area), block aligned; no buddy head inside);
  - cache (2, 4): PG_lru, or PG_swapcache with PG_swapbacked; not anonymous;
    level 2 only without PG_private;
  - user data (8): anonymous (page.mapping & 1, not slab), or the hugetlb type;
  - offline type: at every level;
  and a compound head left out takes its 2^order pfns (order in the low
  byte of the first tail's flags, 6.6+) along.
Passes iff
  - both dumps have the same 1st bitmap (the same memory), and
  - dumpsieve's 2nd bitmap is exactly the held pfns minus those the rules
    leave out, and
  - dumpsieve keeps nothing makedumpfile drops but what the rules leave out,
    and every pfn makedumpfile keeps and dumpsieve drops is one the rules
    leave out (with -d 16: a free one).
It prints, by the rules' class, where makedumpfile differs (on 6.12 at
-d 31 it also keeps user pages and drops pages that are no cache or user
data: see docs/compat.md).  --meminfo-free-kb N (the guest's MemFree just
before the capture) prints how the free pfns found compare with it
(information only: the guest ran on between the two).
Exit status 0 passed, 1 failed, 2 usage or unreadable input.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dumpcheck  # noqa: E402
from vmemmap_oracle import VTOP, Core, fmt  # noqa: E402

PGTY_BUDDY, PGTY_OFFLINE, PGTY_HUGETLB, PGTY_SLAB = 0xf0, 0xf1, 0xf4, 0xf5


def pfn_set(path, which):
    _d, ranges = dumpcheck.pfn_ranges_of(path, which, kdump_only=True)
    s = set()
    for a, b in ranges:          # [a, b)
        s.update(range(a, b))
    return s


class StructPages:
    def __init__(self, core, vi, ps):
        vtop = VTOP.get(core.machine)
        if vtop is None:
            sys.exit("page_oracle: no page-table walk for ELF machine %d" % core.machine)
        if "SYMBOL(vmemmap)" not in vi:
            sys.exit("page_oracle: VMCOREINFO has no SYMBOL(vmemmap) (SPARSEMEM_VMEMMAP only)")
        self.core, self.ps, self.vtop = core, ps, vtop(core, vi, ps)
        self.vmemmap = int(vi["SYMBOL(vmemmap)"], 16)
        self.sz = int(vi["SIZE(page)"])
        self.cache = {}

    def get(self, pfn):
        va = (self.vmemmap + pfn * self.sz) % 2**64
        page, off = va - va % self.ps, va % self.ps
        if page not in self.cache:
            pa = self.vtop(page)
            self.cache[page] = self.core.phys(pa, self.ps) if pa is not None else None
        raw = self.cache[page]
        if raw is None or off + self.sz > self.ps:
            return None
        return raw[off:off + self.sz]


def decide(vi, sp, present, level):
    """{pfn: class} of the pfns level L leaves out; (bad struct pages, no struct page)"""
    def off(name):
        return int(vi["OFFSET(page.%s)" % name])

    def word(b, o, n=8):
        return int.from_bytes(b[o:o + n], "little")

    def bit(name):
        v = vi.get("NUMBER(%s)" % name)
        return 1 << int(v) if v is not None else 0

    def ptype(name):
        v = int(vi["NUMBER(PAGE_%s_MAPCOUNT_VALUE)" % name]) & 0xffffffff
        if v & 0xffffff:
            sys.exit("page_oracle: %s page type %#x is not a 6.12 top-byte type" % (name, v))
        return v >> 24
    o_flags, o_head, o_map = off("flags"), off("compound_head"), off("mapping")
    o_priv, o_type = off("private"), off("_mapcount")
    lru, private, swapcache, swapbacked = bit("PG_lru"), bit("PG_private"), bit("PG_swapcache"), bit("PG_swapbacked")
    head_mask = int(vi.get("NUMBER(PG_head_mask)", "0"))
    t_buddy, t_slab, t_offline = ptype("BUDDY"), ptype("SLAB"), ptype("OFFLINE")
    t_hugetlb = ptype("HUGETLB")
    nr_orders = int(vi["LENGTH(zone.free_area)"])
    out, bad, nostruct = {}, [], 0
    for pfn in sorted(present):
        b = sp.get(pfn)
        if b is None:
            nostruct += 1
            continue
        ty = word(b, o_type, 4) >> 24
        if pfn in out:
            if out[pfn] == "free" and ty == t_buddy:
                bad.append("pfn %#x: a buddy head inside another free block" % pfn)
            continue
        if word(b, o_head) & 1:
            continue                       # a tail: with its head
        flags = word(b, o_flags)
        if level & 16 and ty == t_buddy:
            order = word(b, o_priv)
            if order >= nr_orders or pfn % (1 << order):
                bad.append("pfn %#x: buddy head with order %d (%d orders)" % (pfn, order, nr_orders))
                continue
            out.update((p, "free") for p in range(pfn, pfn + (1 << order)))
            continue
        slab = ty == t_slab
        anon = not slab and word(b, o_map) & 1
        cache = flags & lru or (flags & swapcache and flags & swapbacked)
        cls = None
        if cache and not anon and (level & 4 or (level & 2 and not flags & private)):
            cls = "cache"
        elif level & 8 and (anon or ty == t_hugetlb):
            cls = "user"
        elif ty == t_offline:
            cls = "offline"
        if cls is None:
            continue
        n = 1
        if head_mask and flags & head_mask:
            t = sp.get(pfn + 1)
            n = 1 << (word(t, o_flags) & 0xff) if t is not None and word(t, o_head) & 1 else 1
        out.update((p, cls) for p in range(pfn, pfn + n))
    return out, bad, nostruct


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vmcore")
    ap.add_argument("ours")
    ap.add_argument("mdf")
    ap.add_argument("--level", type=int, required=True)
    ap.add_argument("--meminfo-free-kb", type=int)
    a = ap.parse_args()
    try:
        core = Core(a.vmcore)
        ours1, mdf1 = pfn_set(a.ours, 1), pfn_set(a.mdf, 1)
        ours, mdf = pfn_set(a.ours, 2), pfn_set(a.mdf, 2)
    except dumpcheck.CheckFailed as e:
        print("FAIL: %s" % e)
        return 1
    except (OSError, dumpcheck.InputError) as e:
        print("page_oracle: %s" % e, file=sys.stderr)
        return 2
    vi = core.vmcoreinfo()
    ps = int(vi["PAGESIZE"])
    present = {p for s, e, _o in core.loads for p in range(s // ps, -(-e // ps))}
    out, bad, nostruct = decide(vi, StructPages(core, vi, ps), present, a.level)
    ok = not bad
    for b in bad[:10]:
        print("FAIL: %s" % b)

    def by_class(s):
        c = {}
        for p in s:
            k = out.get(p, "kept")
            c[k] = c.get(k, 0) + 1
        return " ".join("%s %d" % kv for kv in sorted(c.items())) or "none"
    left_out = set(out) & present
    truth = present - left_out
    print("-d %d: %d pfns held, %d without a struct page; the rules leave out %d (%s)"
          % (a.level, len(present), nostruct, len(left_out), by_class(left_out)))
    if a.meminfo_free_kb is not None and a.level & 16:
        mf = a.meminfo_free_kb * 1024 // ps
        nfree = sum(1 for p in left_out if out[p] == "free")
        print("guest MemFree before the capture: %d pages; free pfns found: %d (%+.1f%%)"
              % (mf, nfree, 100.0 * (nfree - mf) / mf))
    print("kept: dumpsieve %d, makedumpfile %d, the rules %d" % (len(ours), len(mdf), len(truth)))
    print("makedumpfile keeps, dumpsieve drops: %d (%s)" % (len(mdf - ours), by_class(mdf - ours)))
    print("dumpsieve keeps, makedumpfile drops: %d (%s)" % (len(ours - mdf), by_class(ours - mdf)))
    checks = [
        (ours1 ^ mdf1, "1st bitmaps differ (pfns in one only)"),
        (ours - truth, "dumpsieve keeps pfns the rules leave out"),
        (truth - ours, "dumpsieve drops pfns the rules keep"),
    ]
    if a.level & ~16 & 31 == 0:
        # only free pages to leave out: makedumpfile's one error is that
        # it finds none
        checks += [
            (ours - mdf, "dumpsieve keeps pfns makedumpfile drops"),
            ({p for p in mdf - ours if out.get(p) != "free"},
             "makedumpfile keeps and dumpsieve drops pfns that are not free"),
        ]
    for s, what in checks:
        if s:
            ok = False
            print("FAIL: %s: %d: %s" % (what, len(s), fmt(s)))
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

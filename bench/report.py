#!/usr/bin/env python3
"""report.py - turn bench/compare.sh rows into the tables of docs/performance.md.

  report.py RESULTS.tsv [--floor FLOOR.tsv] > table.md

For each case: the median over runs of each tool's wall time (tool + sync,
and the tool alone), the ratio makedumpfile / dumpsieve (above 1 = dumpsieve
faster), peak anonymous memory, page-cache growth and output size.  A case
run by dumpsieve alone (thread cases) is compared with the case named in
its "vs" column: CASE@BASE means "ratio against BASE's dumpsieve median"
(and against BASE's makedumpfile median, when BASE has one).  With --floor,
the median floor of each case that has one (tests/gen/fs/floor.c: reading
what must be read plus the codec alone) and dumpsieve's time against it.
"""
import collections
import statistics
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    floors = collections.defaultdict(list)
    if "--floor" in sys.argv:
        path = sys.argv[sys.argv.index("--floor") + 1]
        try:
            with open(path) as f:
                head = f.readline().rstrip("\n").split("\t")
                for line in f:
                    r = dict(zip(head, line.rstrip("\n").split("\t")))
                    floors[r["case"]].append(float(r["floor_s"]))
        except OSError:
            pass
    rows = collections.OrderedDict()
    with open(sys.argv[1]) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(header, line.rstrip("\n").split("\t")))
            if r.get("case") == "case" or not r.get("case"):
                continue
            rows.setdefault(r["case"], collections.defaultdict(list))[r["tool"]].append(r)

    def med(rs, key):
        return statistics.median(float(r[key]) for r in rs)

    print("| case | runs | dumpsieve s (+sync) | makedumpfile s (+sync) | ratio (+sync) | "
          "ratio (tool alone) | peak anon MiB ds / mdf | page cache growth MiB ds / mdf | output MB ds / mdf "
          "| floor s | ds (tool alone) / floor |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for case, tools in rows.items():
        name, _, base = case.partition("@")
        ds = tools.get("dumpsieve", [])
        md = tools.get("makedumpfile", [])
        if any(r["rc"] != "0" for r in ds + md):
            failed = ", ".join(sorted({r["tool"] for r in ds + md if r["rc"] != "0"}))
            note = " (failed: %s)" % failed
        else:
            note = ""
        if not ds:
            continue
        ds_s, ds_t = med(ds, "wall_sync"), med(ds, "wall")
        cells = [name + note, str(len(ds))]
        if md:
            md_s, md_t = med(md, "wall_sync"), med(md, "wall")
            cells += ["%.2f" % ds_s, "%.2f" % md_s, "**%.2fx**" % (md_s / ds_s), "%.2fx" % (md_t / ds_t),
                      "%.1f / %.1f" % (med(ds, "anon_kb") / 1024, med(md, "anon_kb") / 1024),
                      "%.1f / %.1f" % (med(ds, "cache_growth_kb") / 1024, med(md, "cache_growth_kb") / 1024),
                      "%.1f / %.1f" % (med(ds, "out_bytes") / 1e6, med(md, "out_bytes") / 1e6)]
        elif base and base in rows and rows[base].get("dumpsieve"):
            b = rows[base]["dumpsieve"]
            vs = "**%.2fx** vs %s" % (med(b, "wall_sync") / ds_s, base)
            bm = rows[base].get("makedumpfile")
            if bm:      # and against makedumpfile's (one-thread) run of the base case
                vs += "; **%.2fx** vs its makedumpfile" % (med(bm, "wall_sync") / ds_s)
            cells += ["%.2f" % ds_s, "—", vs,
                      "%.2fx" % (med(b, "wall") / ds_t),
                      "%.1f / —" % (med(ds, "anon_kb") / 1024),
                      "%.1f / —" % (med(ds, "cache_growth_kb") / 1024),
                      "%.1f / —" % (med(ds, "out_bytes") / 1e6)]
        else:
            cells += ["%.2f" % ds_s, "—", "—", "—", "%.1f / —" % (med(ds, "anon_kb") / 1024),
                      "%.1f / —" % (med(ds, "cache_growth_kb") / 1024),
                      "%.1f / —" % (med(ds, "out_bytes") / 1e6)]
        if floors.get(name):
            fl = statistics.median(floors[name])
            cells += ["%.2f" % fl, "%.2fx" % (ds_t / fl) if fl > 0 else "—"]
        else:
            cells += ["—", "—"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

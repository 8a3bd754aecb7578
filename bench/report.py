#!/usr/bin/env python3
"""report.py - turn bench/compare.sh rows into the tables of docs/performance.md.

  report.py RESULTS.tsv [--floor FLOOR.tsv] [--cpu] > table.md

For each case: the median over runs of each tool's wall time (tool + sync,
and the tool alone), the ratio makedumpfile / dumpsieve (above 1 = dumpsieve
faster), peak anonymous memory, page-cache growth and output size.  A case
run by dumpsieve alone (thread cases) is compared with the case named in
its "vs" column: CASE@BASE means "ratio against BASE's dumpsieve median"
(and against BASE's makedumpfile median, when BASE has one).  With --floor,
the median floor of each case that has one (tests/gen/fs/floor.c: reading
what must be read plus the codec alone) and dumpsieve's time against it.

With --cpu (rows of bench/compare.sh with cpu_s and load1, a floor file
with floor_cpu_s and load1: bench/run-all.sh --real-floor), a table for a
shared machine instead: the CPU seconds (user+sys) of each tool and of the
floor, the ratios the performance issue sets targets for (makedumpfile /
dumpsieve, dumpsieve / floor), the same in wall time, and the range of the
1-minute load average over the runs.
"""
import collections
import statistics
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    floors = collections.defaultdict(list)
    floor_rows = collections.defaultdict(list)
    if "--floor" in sys.argv:
        path = sys.argv[sys.argv.index("--floor") + 1]
        try:
            with open(path) as f:
                head = f.readline().rstrip("\n").split("\t")
                for line in f:
                    r = dict(zip(head, line.rstrip("\n").split("\t")))
                    floors[r["case"]].append(float(r["floor_s"]))
                    floor_rows[r["case"]].append(r)
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

    if "--cpu" in sys.argv:
        cpu_table(rows, floor_rows, med)
        return

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


def cpu_table(rows, floor_rows, med):
    """The CPU-time table of bench/run-all.sh --real-floor (see above)."""
    print("| case | runs | CPU s dumpsieve | CPU s makedumpfile | CPU s floor | "
          "mdf / ds (CPU) | ds / floor (CPU) | wall s ds / mdf / floor | "
          "mdf / ds (wall) | ds / floor (wall) | load | output MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for case, tools in rows.items():
        ds, md, fl = tools.get("dumpsieve", []), tools.get("makedumpfile", []), floor_rows.get(case, [])
        if not ds or not md:
            continue
        bad = sorted({r["tool"] for r in ds + md if r["rc"] != "0"})
        loads = [float(r["load1"]) for r in ds + md + fl if r.get("load1")]
        ds_c, md_c, ds_w, md_w = med(ds, "cpu_s"), med(md, "cpu_s"), med(ds, "wall"), med(md, "wall")
        cells = [case + (" (failed: %s)" % ", ".join(bad) if bad else ""), str(len(ds)),
                 "%.3f" % ds_c, "%.3f" % md_c]
        if fl:
            fl_c, fl_w = med(fl, "floor_cpu_s"), med(fl, "floor_s")
            cells += ["%.3f" % fl_c, "**%.2fx**" % (md_c / ds_c), "**%.2fx**" % (ds_c / fl_c),
                      "%.3f / %.3f / %.3f" % (ds_w, md_w, fl_w), "%.2fx" % (md_w / ds_w),
                      "%.2fx" % (ds_w / fl_w)]
        else:
            cells += ["—", "**%.2fx**" % (md_c / ds_c), "—", "%.3f / %.3f / —" % (ds_w, md_w),
                      "%.2fx" % (md_w / ds_w), "—"]
        cells += ["%.1f-%.1f" % (min(loads), max(loads)) if loads else "?",
                  "%.1f / %.1f" % (med(ds, "out_bytes") / 1e6, med(md, "out_bytes") / 1e6)]
        print("| " + " | ".join(cells) + " |")
    print()
    print("CPU s: user+sys of the tool (or of vmcorefloor), median of the runs; the ratios are "
          "of the medians (targets: makedumpfile / dumpsieve at least 1.5x, dumpsieve / floor at "
          "most 1.5x); wall s: the tool alone, without the final sync; load: the 1-minute load "
          "average when each run ended, lowest-highest.")


if __name__ == "__main__":
    main()

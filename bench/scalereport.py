#!/usr/bin/env python3
"""scalereport.py - the table and the plot data of bench/scale.sh.

  scalereport.py SCALE.tsv FLOORS.tsv [--plot-data FILE] > table.md

One table row per machine, level and memory limit: dumpsieve's wall time
(its CPU time in brackets) beside the row's floor and its ratio to it,
makedumpfile's time or "did not finish in N min", the speed-up, the bytes
each read from the input (and dumpsieve's share of makedumpfile's), peak
anonymous memory, the cgroup's peak (page cache included), the dump's size
and whether the kept pages matched the generator's truth.  The ratios are
given in CPU time (user+sys of the process) as well as wall time: on a
loaded machine only the CPU ones mean something.  --plot-data writes the
series bench/scale.gp draws: wall and CPU time against machine size (a
stopped run: the limit and the CPU time it had used, lower bounds).
"""
import collections
import sys

TIB = {"T": 1, "G": 1 / 1024}


def tib(size):
    return float(size[:-1]) * TIB[size[-1]]


def read_tsv(path):
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        return [dict(zip(head, line.rstrip("\n").split("\t"))) for line in f if line.strip()]


def secs(s):
    s = float(s)
    if s >= 3600:
        return "%dh%02dm" % (s // 3600, s % 3600 // 60)
    if s >= 60:
        return "%dm%02ds" % (s // 60, s % 60)
    return "%.1f s" % s


def r_load(*runs):
    """The 1-minute load averages at the end of the runs (scale.sh's load1)."""
    return " / ".join(r.get("load1") or "?" for r in runs if r) or "—"


def main():
    args = sys.argv[1:]
    plot = None
    if "--plot-data" in args:
        i = args.index("--plot-data")
        plot = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    runs, floors = read_tsv(args[0]), read_tsv(args[1])
    floor = {(f["machine"], f["size"], f["level"]): f for f in floors}
    rows = collections.OrderedDict()
    for r in runs:
        rows.setdefault((r["machine"], r["size"], r["level"], r["mem_mib"]), {})[r["tool"]] = r

    print("| machine | level | cgroup | dumpsieve (CPU) | floor (CPU) | ds / floor (CPU) "
          "| makedumpfile (CPU) | speed-up (CPU) | load ds / mdf | read GB ds / mdf | peak anon MiB ds / mdf | cgroup peak MiB ds / mdf "
          "| dump MB ds / mdf | truth ds / mdf |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    series = collections.OrderedDict()
    for (machine, size, level, mem), tools in rows.items():
        ds, md = tools.get("dumpsieve"), tools.get("makedumpfile")
        fl = floor.get((machine, size, level))

        def t(r):
            if not r:
                return "—"
            if r["finished"] != "1":
                if r["rc"] == "-9":
                    return "did not finish in %s min" % r["limit_min"]
                return "failed (exit %s)" % r["rc"]
            return "%s (%s)" % (secs(r["wall_s"]), secs(r["cpu_s"]))

        def stopped(r):
            return " (%s CPU so far)" % secs(r["cpu_s"]) if r and r["rc"] == "-9" else ""

        def floor_cpu(f):
            return float(f.get("floor_cpu_s") or 0) if f else 0

        def ok(r):
            return r and r["finished"] == "1"

        cells = ["%s %s" % (machine, size), level, "%s MiB" % mem, t(ds)]
        cells.append("%s (%s)" % (secs(fl["floor_s"]), secs(floor_cpu(fl))) if fl else "—")
        cells.append("%.2fx (%s)" % (float(ds["wall_s"]) / float(fl["floor_s"]),
                                     "%.2fx" % (float(ds["cpu_s"]) / floor_cpu(fl)) if floor_cpu(fl) > 0 else "—")
                     if ok(ds) and fl and float(fl["floor_s"]) > 0 else "—")
        cells.append(t(md) + stopped(md))
        if ok(ds) and ok(md):
            cells.append("**%.1fx** (%.1fx)" % (float(md["wall_s"]) / float(ds["wall_s"]),
                                                float(md["cpu_s"]) / float(ds["cpu_s"])))
        elif ok(ds) and md and md["rc"] == "-9":
            cells.append("**> %.1fx** (> %.1fx)" % (float(md["limit_min"]) * 60 / float(ds["wall_s"]),
                                                    float(md["cpu_s"]) / float(ds["cpu_s"])))
        else:
            cells.append("—")
        cells.append(r_load(ds, md))
        rb_ds = float(ds["read_bytes"]) / 1e9 if ds else 0
        rb_md = float(md["read_bytes"]) / 1e9 if md else 0
        share = " (%.3f)" % (rb_ds / rb_md) if rb_md > 0 and ok(md) else ""
        cells.append("%.2f / %.2f%s%s" % (rb_ds, rb_md, "" if ok(md) else " so far", share))
        cells.append("%.1f / %.1f" % (float(ds["peak_anon_kb"]) / 1024 if ds else 0,
                                      float(md["peak_anon_kb"]) / 1024 if md else 0))
        cells.append("%.0f / %.0f" % (float(ds["cg_peak_kb"]) / 1024 if ds else 0,
                                      float(md["cg_peak_kb"]) / 1024 if md else 0))
        cells.append("%.1f / %s" % (float(ds["dump_bytes"]) / 1e6 if ok(ds) else 0,
                                    "%.1f" % (float(md["dump_bytes"]) / 1e6) if ok(md) else "—"))
        cells.append("%s / %s" % (ds["truth"] if ds else "—", md["truth"] if md else "—"))
        print("| " + " | ".join(cells) + " |")
        if mem != "384":
            continue
        for tool, r in (("dumpsieve", ds), ("makedumpfile", md)):
            if not r:
                continue
            key = "%s %s %s" % (tool, machine, level)
            series.setdefault(key, []).append((tib(size), float(r["cpu_s"]), r["finished"] == "1",
                                               float(r["wall_s"])))
        if floor_cpu(fl) > 0:
            series.setdefault("floor %s %s" % (machine, level), []).append(
                (tib(size), floor_cpu(fl), True, float(fl["floor_s"])))
    print()
    print("Times are wall clock (CPU time, user+sys, of the tool in brackets: on a loaded machine "
          "compare those); \"load\" is the 1-minute load average when each run ended; the floor is "
          "the time to read "
          "the bytes a collector must read plus the codec alone on the kept pages "
          "(tests/gen/fs/floor.c); speed-up = makedumpfile / dumpsieve; \"read GB\" counts what "
          "vmcorefs served, with dumpsieve's share of makedumpfile's in brackets; a run stopped "
          "at the limit shows what it had read so far.")
    if plot:
        with open(plot, "w") as f:
            for key, pts in series.items():
                f.write('"%s"\n' % key)
                for x, y, fin, wall in pts:
                    f.write("%g %g %d %g\n" % (x, y, 1 if fin else 0, wall))
                f.write("\n\n")


if __name__ == "__main__":
    main()

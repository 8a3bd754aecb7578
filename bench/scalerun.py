#!/usr/bin/env python3
"""scalerun.py - one run of a collector on the virtual vmcore, the way
bench/scale.sh measures it: in a memory cgroup, under a time limit, its -F
stream counted by flatsink.

  scalerun.py --flatsink BIN --mnt MNT [--mem BYTES] [--limit SECONDS]
              [--keep FILE --descriptors N] -- TOOL ARGS...

TOOL runs in a new memory cgroup limited to --mem bytes (v1 or v2, page
cache included: what the kernel charges to the cgroup), its standard
output piped into flatsink (outside the cgroup).  Every 10 ms the tool's
RssAnon and VmHWM and the cgroup's usage are sampled.  Past --limit seconds
the tool is killed and the run recorded as not finished.  MNT is the
vmcorefs mount: its stats before and after give the bytes the tool read.

Prints one line of key=value pairs:
  rc wall_s cpu_user_s cpu_sys_s peak_anon_kb peak_rss_kb cg_peak_kb
  read_bytes read_requests stream_bytes dump_bytes finished
rc is the tool's exit status (-9 when killed at the limit), finished 1 or 0.
"""
import argparse
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peakmem import sample  # noqa: E402  (the /proc/PID/status reader)


def stats(mnt):
    out = {}
    with open(os.path.join(mnt, "stats")) as f:
        for line in f:
            k, _, v = line.partition(" ")
            try:
                out[k] = int(v)
            except ValueError:
                pass
    return out


def make_cgroup(limit):
    """A fresh memory cgroup with the limit; returns (dir, v1?)."""
    name = "ds-scale-%d" % os.getpid()
    for base, v1 in (("/sys/fs/cgroup/memory", True), ("/sys/fs/cgroup", False),
                     ("/sys/fs/cgroup/unified", False)):
        if v1 and os.path.exists(os.path.join(base, "memory.limit_in_bytes")):
            d = os.path.join(base, name)
            os.mkdir(d)
            with open(os.path.join(d, "memory.limit_in_bytes"), "w") as f:
                f.write(str(limit))
            return d, True
        if not v1 and os.path.exists(os.path.join(base, "cgroup.controllers")):
            with open(os.path.join(base, "cgroup.controllers")) as f:
                if "memory" not in f.read().split():
                    continue
            d = os.path.join(base, name)
            os.mkdir(d)
            with open(os.path.join(d, "memory.max"), "w") as f:
                f.write(str(limit))
            with open(os.path.join(d, "memory.swap.max"), "w") as f:
                f.write("0")
            return d, False
    sys.exit("scalerun: no memory cgroup controller (v1 or v2) to limit the tool")


def cg_read(d, v1, what):
    names = {"usage": ("memory.usage_in_bytes", "memory.current"),
             "peak": ("memory.max_usage_in_bytes", "memory.peak")}[what]
    try:
        with open(os.path.join(d, names[0] if v1 else names[1])) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--flatsink", required=True)
    ap.add_argument("--mnt", required=True)
    ap.add_argument("--mem", type=int, default=0)
    ap.add_argument("--limit", type=float, default=0)
    ap.add_argument("--keep")
    ap.add_argument("--descriptors", type=int, default=0)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        sys.exit(__doc__)

    cg = v1 = None
    if a.mem:
        cg, v1 = make_cgroup(a.mem)
    sink_cmd = [a.flatsink]
    if a.keep:
        sink_cmd += ["--keep", a.keep, "--descriptors", str(a.descriptors)]
    s0 = stats(a.mnt)

    def enter_cgroup():
        if cg:
            with open(os.path.join(cg, "cgroup.procs"), "w") as f:
                f.write(str(os.getpid()))

    start = time.monotonic()
    tool = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            preexec_fn=enter_cgroup)
    sink = subprocess.Popen(sink_cmd, stdin=tool.stdout, stdout=subprocess.PIPE)
    tool.stdout.close()
    peaks = [0, 0]
    cg_peak = 0
    killed = False
    rusage = None
    while True:
        pid, status, ru = os.wait4(tool.pid, os.WNOHANG)
        if pid:
            rusage = ru
            break
        sample(tool.pid, peaks)
        if cg:
            cg_peak = max(cg_peak, cg_read(cg, v1, "usage"))
        if a.limit and not killed and time.monotonic() - start > a.limit:
            os.kill(tool.pid, signal.SIGKILL)
            killed = True
        time.sleep(0.01)
    wall = time.monotonic() - start
    sink_out = sink.communicate()[0].decode()
    rc = os.waitstatus_to_exitcode(status)
    s1 = stats(a.mnt)
    if cg:
        cg_peak = max(cg_peak, cg_read(cg, v1, "peak"))
        for _ in range(50):
            try:
                os.rmdir(cg)
                break
            except OSError:
                time.sleep(0.1)
    sink_vals = dict(kv.split("=") for kv in sink_out.split()) if sink.returncode == 0 else {}
    print("rc=%d wall_s=%.2f cpu_user_s=%.2f cpu_sys_s=%.2f peak_anon_kb=%d peak_rss_kb=%d "
          "cg_peak_kb=%d read_bytes=%d read_requests=%d stream_bytes=%s dump_bytes=%s finished=%d"
          % (rc, wall, rusage.ru_utime, rusage.ru_stime, peaks[0], peaks[1], cg_peak // 1024,
             s1.get("bytes", 0) - s0.get("bytes", 0), s1.get("requests", 0) - s0.get("requests", 0),
             sink_vals.get("stream_bytes", "0"), sink_vals.get("dump_bytes", "0"),
             0 if killed or rc != 0 else 1))


if __name__ == "__main__":
    main()

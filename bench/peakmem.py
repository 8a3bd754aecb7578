#!/usr/bin/env python3
"""peakmem.py - run a command, report its wall time and peak memory.

  peakmem.py [--stdout FILE] [--stdin FILE] -- CMD ARGS...

Prints one line:  wall=<s> cpu_s=<s> peak_anon_kb=<n> peak_rss_kb=<n> rc=<n>
cpu_s is the command's user+system CPU time (its rusage from wait4, the
children it waited for included): on a shared machine the comparable figure,
where wall time also counts the time others held the cores.
peak_anon_kb is the highest RssAnon seen (sampled every 5 ms from
/proc/PID/status): memory the process allocated, without the file pages it
maps (dumpsieve maps its input; those pages are the page cache's, not its
own).  peak_rss_kb is the kernel's VmHWM, mappings included.
"""
import os
import subprocess
import sys
import time


def field(status, name):
    for line in status.splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def sample(pid, peaks):
    """Raise peaks ([anon_kb, hwm_kb]) to what /proc/PID/status says now."""
    try:
        with open("/proc/%d/status" % pid) as f:
            s = f.read()
    except OSError:
        return
    peaks[0] = max(peaks[0], field(s, "RssAnon"))
    peaks[1] = max(peaks[1], field(s, "VmHWM"))


def main():
    args = sys.argv[1:]
    out = inp = None
    while args and args[0] != "--":
        if args[0] == "--stdout":
            out = open(args[1], "wb")
            args = args[2:]
        elif args[0] == "--stdin":
            inp = open(args[1], "rb")
            args = args[2:]
        else:
            sys.exit(__doc__)
    cmd = args[1:]
    if not cmd:
        sys.exit(__doc__)
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdout=out or subprocess.DEVNULL, stdin=inp,
                         stderr=subprocess.DEVNULL)
    peaks = [0, 0]
    while True:
        # wait4, not Popen.poll: the rusage of the reaped child is its CPU time
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid:
            break
        sample(p.pid, peaks)
        time.sleep(0.005)
    wall = time.monotonic() - start
    rc = os.waitstatus_to_exitcode(status)
    print("wall=%.3f cpu_s=%.3f peak_anon_kb=%d peak_rss_kb=%d rc=%d"
          % (wall, ru.ru_utime + ru.ru_stime, peaks[0], peaks[1], rc))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""progress_check.py - dumpsieve's progress display as a person or a log sees it.

Usage: progress_check.py DUMPSIEVE MKVMCORE

Makes a synthetic vmcore (tests/gen/specs/v61-l4-4k.spec, 320 MiB) with
MKVMCORE, then dumps it (-c -d 0, so that copying lasts) four ways:

  terminal   standard error is a pseudo-terminal (python's pty): each phase
             is one line rewritten in place with "\\r", ended by a newline at
             "[100.0 %]", with a time estimate ("left" / "in all"); no line
             holds two phases
  plain      standard error is a pipe, as in the capture kernel's console
             log: no "\\r" at all, every progress line is a whole line, each
             phase ends with one "[100.0 %] ... in all" line, percentages never
             go down
  -F         the stream on standard output, plain progress on standard error
  silent     --message-level 6 (no progress bit): no progress line at all,
             and the dump is still made

Prints one "ok"/"FAIL" line per check and "N passed, M failed"; exit 1 on a
failure.
"""
import os
import pty
import re
import select
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.join(HERE, '..', 'gen', 'specs', 'v61-l4-4k.spec')
PHASES = ('Excluding unnecessary pages', 'Copying data')
LINE = re.compile(r'^(?P<phase>[A-Z][a-z ]+?) *: \[(?P<pct>[ \d]{3}\.\d) %\]'
                  r'(?: (?P<time>\d+[smh][\dms]*) (?P<what>left|in all))?$')


def run_pty(argv):
    """Run argv with standard error on a pseudo-terminal; return its bytes."""
    master, slave = pty.openpty()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    out = b''
    while True:
        r, _, _ = select.select([master], [], [], 600)
        if not r:
            p.kill()
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:          # EIO: the child closed its end
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return p.wait(), out.decode('utf-8', 'replace').replace('\r\n', '\n')


def run(argv, **kw):
    """subprocess.run with text output but without newline translation
    (which would turn a "\\r" into a line end)."""
    r = subprocess.run(argv, **kw)
    for f in ('stdout', 'stderr'):
        v = getattr(r, f)
        if isinstance(v, bytes):
            setattr(r, f, v.decode('utf-8', 'replace'))
    return r


def remove(path):
    if os.path.exists(path):
        os.unlink(path)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, mkvmcore = sys.argv[1:]
    passed = failed = 0

    def check(name, ok, detail=''):
        nonlocal passed, failed
        print(('ok   ' if ok else 'FAIL ') + name)
        if ok:
            passed += 1
        else:
            failed += 1
            for d in str(detail).splitlines()[:20]:
                print('  | ' + d)

    with tempfile.TemporaryDirectory(dir='/var/tmp', prefix='ds-progress.') as work:
        gen = subprocess.run([mkvmcore, '-q', SPEC, work], capture_output=True, text=True)
        if gen.returncode != 0:
            check('mkvmcore ' + os.path.basename(SPEC), False, gen.stderr)
            print(f'{passed} passed, {failed} failed')
            return 1
        core = os.path.join(work, 'vmcore.elf')
        dump = os.path.join(work, 'dump')
        args = [binary, '-c', '-d', '0', core, dump]

        # ---- terminal
        rc, text = run_pty(args)
        lines = [l for l in text.split('\n') if '%]' in l]
        shown = {p: [l for l in lines if l.lstrip('\r').startswith(p)] for p in PHASES}
        check('terminal: the dump succeeds', rc == 0 and os.path.exists(dump), text[-2000:])
        check('terminal: one line per phase, rewritten in place with \\r',
              all(len(shown[p]) == 1 and shown[p][0].count('\r') >= 2 for p in PHASES) and
              len(lines) == len(PHASES), repr(lines))
        ends = [l.split('\r')[-1] for l in lines]
        check('terminal: each line ends at [100.0 %] with the time it took',
              all(LINE.match(e.rstrip()) and '[100.0 %]' in e and e.rstrip().endswith(' in all')
                  for e in ends), repr(ends))
        updates = [u.rstrip() for l in lines for u in l.split('\r') if u]
        check('terminal: every update is phase, percentage and time',
              all(LINE.match(u) for u in updates), '\n'.join(u for u in updates if not LINE.match(u)))
        remove(dump)

        # ---- plain (a pipe, as a service manager's console log)
        r = run(args, capture_output=True)
        prog = [l for l in r.stderr.split('\n') if '%]' in l]
        check('plain: the dump succeeds', r.returncode == 0, r.stderr[-2000:])
        check('plain: no \\r anywhere', '\r' not in r.stderr, repr(r.stderr[:300]))
        check('plain: every progress line is phase, percentage and time',
              prog and all(LINE.match(l) for l in prog), '\n'.join(prog))
        ok = True
        for p in PHASES:
            mine = [LINE.match(l) for l in prog if l.startswith(p)]
            pcts = [float(m.group('pct')) for m in mine if m]
            ok &= bool(pcts) and pcts == sorted(pcts) and pcts.count(100.0) == 1 \
                and mine[-1].group('what') == 'in all'
        check('plain: each phase rises to one [100.0 %] ... in all line', ok, '\n'.join(prog))
        remove(dump)

        # ---- -F: the stream on stdout, plain progress on stderr
        with open(os.path.join(work, 'stream'), 'wb') as stream:
            r = run([binary, '-F', '-c', '-d', '0', core], stdout=stream, stderr=subprocess.PIPE)
        prog = [l for l in r.stderr.split('\n') if '%]' in l]
        check('-F: plain progress on standard error, none in the stream',
              r.returncode == 0 and prog and all(LINE.match(l) for l in prog) and
              b'%]' not in open(os.path.join(work, 'stream'), 'rb').read(4096), r.stderr[-2000:])

        # ---- silent
        r = run([binary, '--message-level', '6'] + args[1:], capture_output=True)
        check('--message-level 6: no progress, the dump is made',
              r.returncode == 0 and '%]' not in r.stderr + r.stdout and os.path.exists(dump),
              r.stderr + r.stdout)
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""check-optdoc.py - the manual page, --help and the option table list the
same options (a meson test, suite "doc").

Usage: check-optdoc.py LIST_OPTIONS DUMPSIEVE MANPAGE

LIST_OPTIONS is tests/tools/list-options (the table of programs/options.c,
each option "supported" or "later" as cli_parse answers it), DUMPSIEVE the
built binary, MANPAGE the roff source docs/dumpsieve.8.  Checks:

  1. the options --help describes (the option column of its "Options:"
     section) are exactly the supported options of the table;
  2. the options the manual page's OPTIONS section describes (its .TP tags)
     are exactly the same set;
  3. its "NOT YET SUPPORTED" section names exactly the table's "later"
     options;
  4. its .TH line names the version `dumpsieve -v` prints;
  5. options are written "\\-" in the source: a roff "-" is a hyphen, which
     renders (outside Debian's groff setup) as a character nobody can type;
  6. when man(1) is installed: `man -l MANPAGE` renders without warnings and
     its text shows every supported option.

Prints one "ok"/"FAIL" line per check and what differs; exit 1 on a failure.
"""
import os
import re
import shutil
import subprocess
import sys

OPT_RE = re.compile(r'(?<![\w-])(--[a-z][a-z0-9_-]*|-[A-Za-z])(?![\w-])')


def table(list_options):
    supported, later = set(), set()
    out = subprocess.run([list_options], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split('\t')
        (supported if f[2] == 'supported' else later).add(f[0])
    return supported, later


def help_options(binary):
    out = subprocess.run([binary, '--help'], check=True, capture_output=True, text=True).stdout
    opts, inside = set(), False
    for line in out.splitlines():
        if line.startswith('Options:'):
            inside = True
            continue
        if inside and line and not line.startswith(' '):
            break
        m = re.match(r'^ {1,4}(-\S.*?)(?: {2,}|$)', line) if inside else None
        if m:
            opts |= set(OPT_RE.findall(m.group(1)))
    return opts


def roff_text(line):
    """The words of one roff line: macro name, quotes and font escapes gone."""
    line = re.sub(r'^\.[A-Z]+\s*', '', line)
    line = re.sub(r'\\f[BIRP]', '', line).replace('\\-', '-').replace('\\&', '')
    return line.replace('"', ' ')


def man_sections(path):
    sections, name = {}, None
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        if line.startswith('.SH'):
            name = roff_text(line).strip()
            sections[name] = []
        elif name:
            sections[name].append((line, lines[i - 1] if i else ''))
    return lines, sections


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    list_options, binary, manpage = sys.argv[1:]
    failed = passed = 0

    def check(name, ok, detail=''):
        nonlocal failed, passed
        passed += bool(ok)
        print(('ok   ' if ok else 'FAIL ') + name)
        if not ok:
            failed += 1
            for d in detail.splitlines():
                print('  | ' + d)

    def diff(a_name, a, b_name, b):
        out = []
        if a - b:
            out.append(f'in {a_name} but not in {b_name}: ' + ' '.join(sorted(a - b)))
        if b - a:
            out.append(f'in {b_name} but not in {a_name}: ' + ' '.join(sorted(b - a)))
        return '\n'.join(out)

    supported, later = table(list_options)
    check('the option table has options', len(supported) > 10,
          f'only {len(supported)} supported options: is list-options broken?')

    helped = help_options(binary)
    check('--help describes exactly the supported options of the table',
          helped == supported, diff('the table', supported, '--help', helped))

    lines, sections = man_sections(manpage)
    tagged = set()
    for line, prev in sections.get('OPTIONS', []):
        if prev.strip() == '.TP' and not line.startswith('.TP'):
            tagged |= set(OPT_RE.findall(roff_text(line)))
    check('the manual page OPTIONS section describes exactly the supported options',
          tagged == supported, diff('the table', supported, 'the manual page', tagged))

    plain = [l for l in lines if not l.startswith('.\\"')
             and re.search(r'(?<![\\\w-])--?[A-Za-z]', l)]
    check('the manual page writes every option with \\- (a minus, not a hyphen)', not plain,
          '\n'.join(plain[:10]))

    later_name = [n for n in sections if 'NOT YET SUPPORTED' in n]
    named = set()
    for line, _ in sections.get(later_name[0] if later_name else '', []):
        named |= set(OPT_RE.findall(roff_text(line)))
    check('the manual page NOT YET SUPPORTED section names exactly the later options',
          bool(later_name) and named == later,
          diff('the table (later)', later, 'the manual page', named) or 'no such section')

    version = subprocess.run([binary, '-v'], check=True, capture_output=True,
                             text=True).stdout.split('\n')[0].split()[-1]
    th = next((l for l in lines if l.startswith('.TH')), '')
    check(f'the manual page is of version {version}', f'dumpsieve {version}"' in th, th)

    if not shutil.which('man'):
        print('skip rendering checks: man(1) is not installed (apt-get install man-db)')
    else:
        env = dict(os.environ, LC_ALL='C.UTF-8', MANWIDTH='100', MAN_KEEP_FORMATTING='')
        r = subprocess.run(['man', '--warnings', '-E', 'UTF-8', '-l', manpage],
                           capture_output=True, text=True, env=env)
        text = re.sub(r'.\x08', '', r.stdout)
        check('man -l renders it without warnings', r.returncode == 0 and not r.stderr.strip(),
              r.stderr)
        shown = set(OPT_RE.findall(text))
        check('the rendered page shows every supported option',
              supported <= shown, 'not shown: ' + ' '.join(sorted(supported - shown)))
    print(f'{passed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env bash
# mkcorpus.sh - (re)make the seed corpus of the fuzz targets, corpus/<dir>/.
#
# Usage: tests/fuzz/mkcorpus.sh [BUILD]     (BUILD: a gcc build dir, default build)
#
# Seeds are committed; run this only when the generator or a target's input
# format changes, and commit the result.  What it makes (README.md):
#   vmcore/      each specs/seed-*.spec through tests/gen/mkvmcore, cut down by
#                fuzz-mkseed to the pages the library reads (~350 KiB each), with
#                a trailer of options (fuzz_vmcore, fuzz_pagewalk, fuzz_dump)
#                and real vmcores of \$DS_CACHE cut down to what --dump-dmesg reads
#   elf/         the ELF headers and notes of those and of the real vmcores in
#                $DS_CACHE when there are any (fuzz_elf)
#   vmcoreinfo/  the VMCOREINFO text of each (fuzz_vmcoreinfo)
#   classify/    one struct page of each kind and encoding (fuzz_classify)
#   printk/      the logs of the seeds, of the generator's log specs (every
#                layout, damaged ones too), of the real vmcores, and hand-made
#                ones (fuzz_printk)
#   kdump/       kdump-compressed dumps of those seeds, whole, cut, by -L and by
#                makedumpfile (fuzz_repair, fuzz_input)
#   flat/        flattened streams by dumpsieve -F and makedumpfile -F, and
#                small hand-made ones (fuzz_flat)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
mkvmcore=$build/tests/mkvmcore
mkseed=$build/tests/fuzz/fuzz-mkseed
dumpsieve=$build/programs/dumpsieve
cache=${DS_CACHE:-$HOME/.cache/dumpsieve}
out=$here/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for t in "$mkvmcore" "$mkseed" "$dumpsieve"; do
	[ -x "$t" ] || { echo "mkcorpus: $t missing (ninja -C $build)" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$out"/{vmcore,elf,vmcoreinfo,classify,flat,printk,kdump}

# Options in each seed's trailer, so that the targets start from every dump
# level, -e, --non-mmap, each codec, threads and a real output file.  Zero
# pages are left out at most levels (odd): fuzz_dump then copies ~80 pages
# per run, not 4000.
#        spec                   level flags codec threads
#        (flags: 1 -e, 2 --non-mmap, 4 write, 8 --dump-dmesg, 16 --mem-usage)
params=" seed-v61-l4            31    4     2     0
         seed-v61-l5            31    5     4     2
         seed-v419-l4-classic   1     8     1     0
         seed-v510-l4-static    3     2     3     0
         seed-v64-l5-classic    5     4     3     0
         seed-v66-l4-4k         9     1     2     3
         seed-v69-l5-2m         17    6     1     0
         seed-v610-l4-classic   0     4     3     0
         seed-v612-l4-typedata  31    19    0     0
         seed-v71-l5            17    5     2     2
         seed-v61-l4-noktext    31    8     1     0"

while read -r name level flags codec threads; do
	[ -n "$name" ] || continue
	"$mkvmcore" "$here/specs/$name.spec" "$tmp/$name" >/dev/null
	log=()        # two seeds keep their (small) kernel log, for --dump-dmesg
	case $name in seed-v419-l4-classic|seed-v61-l4-noktext) log=(--log) ;; esac
	"$mkseed" vmcore "$tmp/$name/vmcore.elf" "$out/vmcore/$name" \
		--level "$level" --flags "$flags" --codec "$codec" --threads "$threads" "${log[@]}"
	"$mkseed" headers "$tmp/$name/vmcore.elf" "$out/elf/$name"
	cp "$tmp/$name/vmcoreinfo.txt" "$out/vmcoreinfo/$name"
	"$mkseed" classify "$tmp/$name/vmcore.elf" "$out/classify"
	# the one seed with a structured log (the others' are lockless, as the
	# gen-* logs below)
	[ "$name" = seed-v419-l4-classic ] && "$mkseed" printk "$tmp/$name/vmcore.elf" "$out/printk/$name"
	# a seed must still take the library all the way through a dump
	"$dumpsieve" --dry-run -d 31 "$out/vmcore/$name" x >/dev/null 2>&1 ||
		{ echo "mkcorpus: $name: the cut-down seed does not dump" >&2; exit 1; }
done <<<"$params"

# the generator's logs of every layout, whole and damaged (tests/gen/specs/log)
for spec in "$here"/../gen/specs/log/*.spec; do
	name=gen-$(basename "$spec" .spec)
	"$mkvmcore" "$spec" "$tmp/$name" >/dev/null
	"$mkseed" printk "$tmp/$name/vmcore.elf" "$out/printk/$name"
	rm -rf "${tmp:?}/$name"
	# fuzz_printk tries inputs up to 256 KiB
	[ "$(stat -c %s "$out/printk/$name")" -le 262144 ] || rm "$out/printk/$name"
done

# real vmcores captured by tests/vm (tests/real): their headers and notes
for v in "$cache"/vmcores/*/vmcore.elf; do
	[ -f "$v" ] && [ -f "$(dirname "$v")/.done" ] || continue
	name=real-$(basename "$(dirname "$v")")
	"$mkseed" headers "$v" "$out/elf/$name"
	[ -f "$(dirname "$v")/vmcoreinfo.txt" ] && cp "$(dirname "$v")/vmcoreinfo.txt" "$out/vmcoreinfo/$name"
	# one vmcore per kernel (the others have the same layouts): its log
	# alone, and the vmcore cut down to what --dump-dmesg reads (real page
	# tables, the real log: ~170 KiB)
	case $name in *-1024M-max-busy)
		"$mkseed" printk "$v" "$out/printk/$name"
		"$mkseed" dmesg "$v" "$out/vmcore/$name-dmesg" ;;
	esac
done

# logs of the layouts no cached kernel has: plain (< 3.5), structured (3.5 -
# 5.9, with and without caller id, the 3.5-3.10 struct name), after
# tests/unit/test_printk.c; fuzz_printk's input format is in fuzz_printk.c
python3 - "$out/printk" <<'PY'
import struct, sys
d = sys.argv[1]
def seed(name, flags, vmci, regions):
    vi = vmci.encode()
    s = struct.pack("<BBH", flags, 0, len(vi)) + vi
    for va, data in regions:
        s += struct.pack("<QI", va, len(data)) + data
    open(d + "/" + name, "wb").write(s)
SYMS, BUF = 0xffffffff81800000, 0xffff888000100000
plain = ("OSRELEASE=3.2.0-4-amd64\nPAGESIZE=4096\n"
         "SYMBOL(log_buf)=ffffffff81800000\nSYMBOL(log_buf_len)=ffffffff81800008\n"
         "SYMBOL(log_end)=ffffffff81800010\n")
text = b"<6>Linux version 3.2.0\n<4>second line\n<6>third\n"
ring = bytearray(128); ring[:len(text)] = text
syms = struct.pack("<QIII", BUF, 128, 0, len(text)).ljust(64, b"\0")
seed("plain", 0, plain, [(SYMS, syms), (BUF, bytes(ring))])
wrapped = bytes(ring[100:] + ring[:100])
seed("plain-wrapped", 1, plain, [(SYMS, struct.pack("<QIII", BUF, 128, 0, 300).ljust(64, b"\0")), (BUF, wrapped)])
def structured(name, osrel, struct_name, hdr, caller, flags):
    v = ("OSRELEASE=%s\nPAGESIZE=4096\n" % osrel +
         "SYMBOL(log_buf)=ffffffff82000000\nSYMBOL(log_buf_len)=ffffffff82000008\n"
         "SYMBOL(log_first_idx)=ffffffff8200000c\nSYMBOL(log_next_idx)=ffffffff82000010\n"
         "SYMBOL(clear_idx)=ffffffff82000014\n"
         "SIZE(%s)=%d\n" % (struct_name, hdr) +
         "OFFSET(%s.ts_nsec)=0\nOFFSET(%s.len)=8\nOFFSET(%s.text_len)=10\n" % ((struct_name,) * 3) +
         "OFFSET(%s.dict_len)=12\n" % struct_name +
         ("OFFSET(%s.caller_id)=16\n" % struct_name if caller else ""))
    buf = bytearray(512); off = 0; offs = []
    for i, t in enumerate([b"first record", b"second\nwith a newline", b"\x01odd bytes\xff", b"last"]):
        dl = 5; rlen = (hdr + len(t) + dl + 7) & ~7
        rec = struct.pack("<QHHH", 1000000 * (i + 1) + 123, rlen, len(t), dl).ljust(hdr, b"\0")
        if caller: rec = rec[:16] + struct.pack("<I", 0x80000001 + i) + rec[20:]
        buf[off:off + rlen] = (rec + t + b"DICT=").ljust(rlen, b"\0"); offs.append(off); off += rlen
    syms = struct.pack("<QIIII", 0xffff888000200000, 512, 0, off, offs[1]).ljust(64, b"\0")
    seed(name, flags, v, [(0xffffffff82000000, syms), (0xffff888000200000, bytes(buf))])
structured("structured-4.19", "4.19.0-27-amd64", "printk_log", 16, False, 0)
structured("structured-5.4-caller", "5.4.0-1-amd64", "printk_log", 24, True, 3)
structured("structured-3.10-log", "3.10.0-1-amd64", "log", 16, False, 1)
PY

# flattened streams: ours and makedumpfile's, cut short, and hand-made ones
"$dumpsieve" -F -z -e -d 31 "$out/vmcore/seed-v61-l4" >"$out/flat/dumpsieve-z-e-d31" 2>/dev/null
if command -v makedumpfile >/dev/null; then
	makedumpfile -F -c -d 31 "$out/vmcore/seed-v66-l4-4k" >"$out/flat/makedumpfile-c-d31" 2>/dev/null
fi
head -c 20000 "$out/flat/dumpsieve-z-e-d31" >"$out/flat/dumpsieve-cut"
python3 - "$out/flat" <<'PY'
import struct, sys
d = sys.argv[1]
def stream(records, end=True):
    h = bytearray(4096)
    h[0:12] = b"makedumpfile"
    h[16:24] = struct.pack(">Q", 1)
    h[24:32] = struct.pack(">Q", 1)
    s = bytes(h)
    for off, data in records:
        s += struct.pack(">QQ", off, len(data)) + data
    if end:
        s += b"\xff" * 16
    return s
recs = [(0, b"KDUMP   " + b"A" * 56), (8192, b"B" * 100), (4096, b"C" * 4096), (40, b"D" * 40)]
open(d + "/hand-overlap", "wb").write(stream(recs))
open(d + "/hand-noend", "wb").write(stream(recs[:2], end=False))
open(d + "/hand-empty", "wb").write(stream([]))
PY
du -sh "$out"/*

# kdump-compressed files, whole and cut short (fuzz_repair, fuzz_input)
"$dumpsieve" -z -d 31 "$out/vmcore/seed-v61-l4" "$out/kdump/dumpsieve-z-d31" >/dev/null 2>&1
"$dumpsieve" -l -d 31 -e "$out/vmcore/seed-v71-l5" "$out/kdump/dumpsieve-l-d31-e" >/dev/null 2>&1
"$dumpsieve" -z -d 31 -L 100K "$out/vmcore/seed-v419-l4-classic" "$out/kdump/dumpsieve-L100K" >/dev/null 2>&1 || true
head -c 70000 "$out/kdump/dumpsieve-z-d31" >"$out/kdump/dumpsieve-cut"
if command -v makedumpfile >/dev/null; then
	makedumpfile -c -d 31 "$out/vmcore/seed-v66-l4-4k" "$out/kdump/makedumpfile-c-d31" >/dev/null 2>&1
fi
for f in "$out"/kdump/*; do [ -s "$f" ] || { echo "mkcorpus: $f is empty" >&2; exit 1; }; done

# the dictionary of VMCOREINFO keys (fuzz_vmcoreinfo, fuzz_classify, and the
# targets whose input holds notes)
python3 - "$out/vmcoreinfo" "$here/vmcoreinfo.dict" <<'PY'
import glob, sys
keys = set()
for f in glob.glob(sys.argv[1] + "/*"):
    for line in open(f, errors="replace"):
        if "=" in line:
            keys.add(line.split("=", 1)[0] + "=")
out = ["# VMCOREINFO keys of every seed kernel, and the parts of a line (mkcorpus.sh)"]
for p in ["SYMBOL(", "SIZE(", "OFFSET(", "LENGTH(", "NUMBER(", ")=", "=0x", "=-", "\\x0a",
          "VMCOREINFO", "CORE", "OSRELEASE=6.1.0-1-amd64\\x0a", "PAGESIZE=4096\\x0a"]:
    out.append('"%s"' % p)
for k in sorted(keys):
    out.append('"%s"' % k.replace("\\", "\\\\").replace('"', '\\"'))
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY

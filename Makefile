# Thin wrapper over meson/ninja.  `make demo` and `make check` set up what is
# missing (tools/ensure-deps.sh), build, and run.  Builds:
#   build/        gcc, release-ish (the binary you use)
#   build-san/    gcc + ASan/UBSan (unit and end-to-end tests run here too)
#   build-clang/  clang, warnings as errors (compile check)
#   build-static/ static, stripped (make static; the capture-kernel binary)
#   build-fuzz/   clang + libFuzzer + ASan/UBSan: the fuzz targets (tests/fuzz)
MESON ?= meson
NINJA ?= ninja

.PHONY: all deps test-deps arch-deps archcheck build build-san build-clang build-fuzz static install deb check unit crosscheck e2e fuzzcheck realcheck gencheck kdumpcheck crashcheck robustcheck debcheck benchsmoke demo clean

all: build

deps:
	@tools/ensure-deps.sh build

test-deps:
	@tools/ensure-deps.sh test

arch-deps:
	@tools/ensure-deps.sh arch

build: deps
	@[ -f build/build.ninja ] || $(MESON) setup build --werror -Dbuildtype=debugoptimized
	$(NINJA) -C build

build-san: deps
	@[ -f build-san/build.ninja ] || $(MESON) setup build-san --werror -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
	$(NINJA) -C build-san

build-clang: deps
	@[ -f build-clang/build.ninja ] || CC=clang $(MESON) setup build-clang --werror
	$(NINJA) -C build-clang

# the libFuzzer targets of tests/fuzz (tests/fuzz/README.md)
build-fuzz: deps
	@[ -f build-fuzz/build.ninja ] || CC=clang $(MESON) setup build-fuzz --werror -Dfuzz=true -Dtests=false -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
	$(NINJA) -C build-fuzz

# statically linked, all four codecs, stripped: for a capture-kernel initramfs
static: deps
	@[ -f build-static/build.ninja ] || $(MESON) setup build-static --werror -Dstatic=true -Dtests=false -Dbuildtype=release
	$(NINJA) -C build-static
	strip -o build-static/dumpsieve build-static/programs/dumpsieve
	@ls -l build-static/dumpsieve

# the binary, dumpsieve(8) and the documents under build/'s prefix
# (/usr/local unless `meson configure build -Dprefix=/usr`); DESTDIR is honoured
install: build
	DESTDIR="$(DESTDIR)" $(MESON) install -C build --no-rebuild

# the Debian package (dpkg-buildpackage on a copy of the tree): build-deb/*.deb
deb: test-deps
	tools/mkdeb.sh build-deb

unit: build build-san
	$(MESON) test -C build --print-errorlogs
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $(MESON) test -C build-san --print-errorlogs

# the unit tests cross-built for s390x and run under qemu-user: a big-endian
# host (Debian's s390x cmocka and codec libraries, cached in $DS_CACHE/cross)
crosscheck:
	@tools/ensure-deps.sh cross
	tests/cross/run-unit.sh s390x

e2e: build build-san test-deps
	tests/run-e2e.sh build-san/programs/dumpsieve
	python3 tests/tools/progress_check.py build-san/programs/dumpsieve build/tests/mkvmcore

# each fuzz target: every saved input, then a fixed number of mutations
# with a fixed seed (reproducible; ~1 CPU minute in all, 2 targets at a time)
fuzzcheck: build-fuzz
	tests/fuzz/run.sh -r check -j 2 build-fuzz

realcheck: build build-san test-deps
	tests/real/run.sh build/programs/dumpsieve build-san/programs/dumpsieve
	tests/real/dmesg.sh build/programs/dumpsieve build-san/programs/dumpsieve
	tests/real/mem-usage.sh build/programs/dumpsieve

# synthetic vmcores of every kernel encoding, with the generator's truth
gencheck: build build-san test-deps
	tests/gen-run.sh build-san/programs/dumpsieve build/tests/mkvmcore
	tests/gen-dmesg.sh build-san/programs/dumpsieve build/tests/mkvmcore

# the virtual vmcore (FUSE): same bytes as mkvmcore, both collectors keep its truth
fscheck: build test-deps
	tests/vmcorefs-run.sh build/programs/dumpsieve build

# a real kdump: panic a QEMU guest, run the static dumpsieve in its capture kernel
kdumpcheck: static test-deps
	tests/kdump/run.sh build-static/dumpsieve

# crash with the kernel's debug vmlinux (linux-image-*-dbg, cached) on our dumps
crashcheck: build test-deps
	tests/crash/run.sh build/programs/dumpsieve

# nothing lost when things go wrong: a full disk, unreadable input pages
# (FUSE), signals, cut -F streams, on the real vmcore
robustcheck: build test-deps
	tests/robust/run.sh build/programs/dumpsieve build/tests/eiofs

# real vmcores of arm64, ppc64el, s390x, riscv64, i386 under QEMU, against
# each architecture's own makedumpfile (under qemu-user); cached captures
archcheck: build arch-deps
	tests/arch/run.sh build/programs/dumpsieve

# make install, the Debian package and lintian; then Debian 12's own
# kdump-tools through a real panic under QEMU with the package installed
# (installing it is tested in the guest, never on this host)
debcheck: build test-deps
	tests/debian/pkg-check.sh build build-deb
	tests/debian/run.sh build/programs/dumpsieve "$$(ls build-deb/dumpsieve_*.deb | head -n 1)"

# the benchmark harness on one small case: it runs and its rows are sane
# (timing claims come only from bench/run-all.sh, see docs/performance.md)
benchsmoke: build test-deps
	bench/run-all.sh --smoke

check: test-deps arch-deps build build-san build-clang build-fuzz static
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory crosscheck
	$(MAKE) --no-print-directory e2e
	$(MAKE) --no-print-directory fuzzcheck
	$(MAKE) --no-print-directory realcheck
	$(MAKE) --no-print-directory gencheck
	$(MAKE) --no-print-directory fscheck
	$(MAKE) --no-print-directory kdumpcheck
	$(MAKE) --no-print-directory crashcheck
	$(MAKE) --no-print-directory robustcheck
	$(MAKE) --no-print-directory archcheck
	$(MAKE) --no-print-directory debcheck
	$(MAKE) --no-print-directory benchsmoke

demo: build test-deps
	tests/demo.sh build/programs/dumpsieve

clean:
	rm -rf build build-san build-clang build-static build-deb build-fuzz build-s390x

/* test_input.c - the input seam's ELF member (lib/input/elf.c) on a fake
 * ELF vmcore (tests/unit/fakecore.c): format choice, the physical map (which
 * pfns are present: partial pages at the edges of a range are not, except a
 * range's first page), exact reads that name the missing address, whole
 * pages for the copy (zero-copy from the mapping, zeros outside the ranges
 * and past p_filesz), what the member tells about the file, and ranges the
 * caller leaves out (/proc/kcore's crashkernel reservation).  And the
 * kdump member on small dumps written by lib/format/kdump_write for each
 * dumped machine's layout (x86_64, big-endian s390x, i386): the fields it
 * reports, both bitmaps and the pages read back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/bytes.h"
#include "format/kdump_write.h"
#include "input/input.h"
#include "io/sink.h"
#include "fakecore.h"

/* regions: tables at 0x100000 (fc_init); A [0x1000, 0x3800) ends inside a
 * page; B [0x5000, 0x6000) with only 0x800 bytes in the file; C [0x8800,
 * 0xa000) starts inside a page. */
static void build(struct fakecore *fc)
{
	uint8_t *a, *b, *c;

	fc_init(fc, 4, 0x100000, 1);
	a = fc_add_region(fc, 0x1000, 0x2800);
	b = fc_add_region(fc, 0x5000, 0x1000);
	c = fc_add_region(fc, 0x8800, 0x1800);
	for (unsigned i = 0; i < 0x2800; i++)
		a[i] = (uint8_t)(i * 7 + 1);
	memset(b, 0xbb, 0x1000);
	fc->regions[fc->n_regions - 2].filesz = 0x800;
	memset(c, 0xcc, 0x1800);
	fc->regions[fc->n_regions - 1].vaddr = 0xffffffff81000000ull;
	fc->nr_cpus = 3;
	fc_set_vmcoreinfo(fc, "OSRELEASE=6.1.0\nPAGESIZE=4096\n");
	fc_write(fc);
}

static void test_elf_member(void **state)
{
	struct fakecore fc;
	struct input in;
	struct keepmap km;
	struct ds_err err = { 0 };
	uint8_t buf[4096], exp[4096];
	const uint8_t *page;
	int r;

	(void)state;
	build(&fc);
	WHERE("open");
	/* the program routes SIGBUS to source_fault; a file is still read with
	 * pread (mmap is for /proc/vmcore: lib/io/source.h) */
	r = input_open(&in, fc.path, &(struct input_config){ .faults_handled = true }, &err);
	if (r < 0)
		fail_msg("input_open: %s", err.msg);
	CHECK(in.ops == &input_elf_ops);
	CHECK_EQ(in.elf_machine, EM_X86_64);
	CHECK_EQ(in.page_size, 0);
	CHECK_EQ(in.nr_cpus, 3);
	CHECK(in.vmcoreinfo_size > 0);
	CHECK(!memcmp(in.notes + in.vmcoreinfo_off, "OSRELEASE=6.1.0\n", 16));
	CHECK_EQ(in.n_vmaps, 4);
	CHECK_EQ(in.vmaps[3].vaddr, 0xffffffff81000000ull);
	CHECK_EQ(in.vmaps[3].paddr, 0x8800);

	WHERE("physical map");
	CHECK_EQ(input_max_pfn(&in, 12), 0x101);
	CHECK_EQ(keepmap_init(&km, 0x101, &err), 0);
	CHECK_EQ(input_map_pages(&in, 12, &km, &err), 0);
	for (uint64_t pfn = 0; pfn < 0x101; pfn++) {
		bool want = pfn == 1 || pfn == 2 || pfn == 5 || pfn == 8 || pfn == 9 ||
			    pfn == 0x100;

		WHERE("pfn 0x%llx present", (unsigned long long)pfn);
		CHECK_EQ(keepmap_is_present(&km, pfn), want);
		CHECK_EQ(keepmap_is_dumped(&km, pfn), want);
	}
	keepmap_release(&km);

	WHERE("a whole page in the file: from the read buffer, aligned");
	CHECK_EQ(input_read_page(&in, 0x2000, 4096, buf, &page, &err), 0);
	CHECK(page != buf);
	CHECK_EQ((uintptr_t)page % 64, 0);
	CHECK(!memcmp(page, fc_phys(&fc, 0x2000, 4096), 4096));
	CHECK_EQ(in.src.mmap_calls, 0);
	CHECK_EQ(in.src.fs, SOURCE_FILE);

	WHERE("a page with a p_memsz tail: zeros after p_filesz");
	CHECK_EQ(input_read_page(&in, 0x5000, 4096, buf, &page, &err), 0);
	memset(exp, 0xbb, 0x800);
	memset(exp + 0x800, 0, 0x800);
	CHECK(!memcmp(page, exp, 4096));

	WHERE("a range's partial first page: zeros before it");
	CHECK_EQ(input_read_page(&in, 0x8000, 4096, buf, &page, &err), 0);
	memset(exp, 0, 0x800);
	memset(exp + 0x800, 0xcc, 0x800);
	CHECK(!memcmp(page, exp, 4096));

	WHERE("read_phys across a range's end");
	CHECK_EQ(input_read_phys(&in, 0x37f0, buf, 16, &err), 0);
	CHECK(!memcmp(buf, fc_phys(&fc, 0x37f0, 16), 16));
	CHECK_EQ(input_read_phys(&in, 0x37f0, buf, 17, &err), -DS_ENODATA);
	CHECK_MSG(&err, "physical address 0x3800 is not in the vmcore");
	input_prefetch(&in, 0, 0x10000);      /* holes are skipped, never fails */
	input_close(&in);
	input_close(&in);                     /* safe twice */
	fc_free(&fc);
}

/* /proc/kcore: the crashkernel reservation (here: half of page 1, and all of
 * page 5) is left out of the present pfns, whole pages at a time */
static void test_omit(void **state)
{
	static const struct input_range omit[] = { { 0x5000, 0x6000 }, { 0x1800, 0x2000 } };
	struct fakecore fc;
	struct input in;
	struct keepmap km;
	struct ds_err err = { 0 };
	int r;

	(void)state;
	build(&fc);
	WHERE("omitted ranges");
	r = input_open(&in, fc.path, &(struct input_config){ .omit = omit, .n_omit = 2 }, &err);
	if (r < 0)
		fail_msg("input_open: %s", err.msg);
	CHECK_EQ(keepmap_init(&km, 0x101, &err), 0);
	CHECK_EQ(input_map_pages(&in, 12, &km, &err), 0);
	for (uint64_t pfn = 0; pfn < 0x101; pfn++) {
		bool want = pfn == 2 || pfn == 8 || pfn == 9 || pfn == 0x100;

		WHERE("omitted ranges: pfn 0x%llx present", (unsigned long long)pfn);
		CHECK_EQ(keepmap_is_present(&km, pfn), want);
	}
	keepmap_release(&km);
	input_close(&in);
	fc_free(&fc);
}

static void test_open_errors(void **state)
{
	struct input in;
	struct ds_err err = { 0 };
	char path[] = "/tmp/test_input.XXXXXX";
	char junk[256];
	int fd;

	(void)state;
	WHERE("missing file");
	CHECK_EQ(input_open(&in, "/tmp/test_input.does-not-exist", NULL, &err), -DS_ESYS);
	CHECK_MSG(&err, "cannot open");

	WHERE("unknown format: the ELF member says what is wrong");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	memset(junk, 'x', sizeof(junk));
	CHECK_EQ(write(fd, junk, sizeof(junk)), sizeof(junk));
	close(fd);
	CHECK_EQ(input_open(&in, path, NULL, &err), -DS_ECORRUPT);
	CHECK_MSG(&err, "is not an ELF file (bad magic)");
	input_close(&in);
	unlink(path);
}

/* ---- the kdump member, in each machine's layout ---- */

static uint8_t kbyte(uint64_t pfn, size_t i)
{
	return (uint8_t)(pfn * 29 + i * 3 + (i >> 8));
}

static void kdump_machine(const char *uts_machine, struct machine mach)
{
	static const char vmci[] = "OSRELEASE=6.1.0\nPAGESIZE=4096\n";
	struct kdump_params p;
	struct keepmap km, got;
	struct kdump_writer *w = NULL;
	struct sink sink;
	struct input in;
	struct ds_err err = { 0 };
	uint8_t notes[64], page[4096], buf[4096];
	const uint8_t *pg;
	char path[] = "/tmp/test_input.kdump.XXXXXX";
	uint64_t bytes;
	int fd, r;

	WHERE("kdump member, %s: write", uts_machine);
	/* one VMCOREINFO note, in the machine's byte order */
	memset(notes, 0, sizeof(notes));
	bytes_put_u32(mach.big_endian, notes, 11);
	bytes_put_u32(mach.big_endian, notes + 4, sizeof(vmci) - 1);
	memcpy(notes + 12, "VMCOREINFO", 11);
	memcpy(notes + 24, vmci, sizeof(vmci) - 1);
	memset(&p, 0, sizeof(p));
	p.mach = mach;
	p.block_size = 4096;
	p.max_mapnr = 64;
	p.notes = notes;
	p.notes_size = 24 + ((sizeof(vmci) - 1 + 3) & ~3u);
	p.vmcoreinfo_off = 24;
	p.vmcoreinfo_size = sizeof(vmci) - 1;
	snprintf(p.utsname[0], KDUMP_UTS_LEN, "Linux");
	snprintf(p.utsname[2], KDUMP_UTS_LEN, "6.1.0");
	snprintf(p.utsname[4], KDUMP_UTS_LEN, "%s", uts_machine);
	p.nr_cpus = 2;
	p.dump_level = 31;
	p.phys_base = 0x1000000;
	p.exclude_zero = true;
	CHECK_EQ(keepmap_init(&km, 64, &err), 0);
	keepmap_add_present(&km, 0, 40);
	keepmap_add_present(&km, 48, 64);
	keepmap_exclude(&km, 10, 20);
	fd = mkstemp(path);
	CHECK(fd >= 0);
	sink_file_init(&sink, fd, path);
	CHECK_EQ(kdump_writer_open(&w, &sink, &p, &km, &err), 0);
	for (uint64_t pfn = keepmap_next_dumped(&km, 0); pfn < 64;
	     pfn = keepmap_next_dumped(&km, pfn + 1)) {
		for (size_t i = 0; i < sizeof(page); i++)
			page[i] = kbyte(pfn, i);
		r = pfn % 7 == 3 ? kdump_writer_add_zero(w, pfn, &err)
				 : kdump_writer_add_page(w, pfn, page, sizeof(page), 0, &err);
		CHECK_EQ(r, 0);
	}
	CHECK_EQ(kdump_writer_finish(w, &bytes, &err), 0);
	close(fd);

	WHERE("kdump member, %s: open", uts_machine);
	r = input_open(&in, path, NULL, &err);
	if (r < 0)
		fail_msg("%s: input_open: %s", where, err.msg);
	CHECK(in.ops == &input_kdump_ops);
	CHECK_EQ(in.big_endian, mach.big_endian);
	CHECK(!strcmp(in.machine, uts_machine));
	CHECK_EQ(in.page_size, 4096);
	CHECK_EQ(in.nr_cpus, 2);
	CHECK_EQ(in.dump_level, 31);
	CHECK(in.has_phys_base && in.phys_base == 0x1000000);
	CHECK(!in.split && !in.incomplete);
	CHECK_EQ(in.vmcoreinfo_size, sizeof(vmci) - 1);
	CHECK(!memcmp(in.notes + in.vmcoreinfo_off, vmci, sizeof(vmci) - 1));
	CHECK_EQ(input_max_pfn(&in, 12), 64);

	WHERE("kdump member, %s: bitmaps", uts_machine);
	CHECK_EQ(keepmap_init(&got, 64, &err), 0);
	CHECK_EQ(input_map_pages(&in, 12, &got, &err), 0);
	for (uint64_t pfn = 0; pfn < 64; pfn++) {
		WHERE("kdump member, %s: pfn %llu", uts_machine, (unsigned long long)pfn);
		CHECK_EQ(keepmap_is_present(&got, pfn), keepmap_is_present(&km, pfn));
		CHECK_EQ(keepmap_is_dumped(&got, pfn), keepmap_is_dumped(&km, pfn));
		if (!keepmap_is_dumped(&km, pfn))
			continue;
		for (size_t i = 0; i < sizeof(page); i++)
			page[i] = pfn % 7 == 3 ? 0 : kbyte(pfn, i);
		CHECK_EQ(input_read_page(&in, pfn << 12, 4096, buf, &pg, &err), 0);
		CHECK(!memcmp(pg, page, sizeof(page)));
	}
	keepmap_release(&got);
	keepmap_release(&km);
	input_close(&in);
	unlink(path);
}

static void test_kdump_member_machines(void **state)
{
	(void)state;
	kdump_machine("x86_64", (struct machine){ .word_size = 8 });
	kdump_machine("s390x", (struct machine){ .big_endian = true, .word_size = 8 });
	kdump_machine("i686", (struct machine){ .word_size = 4 });
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_member),
		cmocka_unit_test(test_omit),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_kdump_member_machines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

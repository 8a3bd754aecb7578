/* test_x86_64.c - unit tests for lib/arch/x86_64 and lib/kernel/kernel:
 * fake ELF vmcores (tests/unit/fakecore.c) whose physical memory holds
 * hand-made page tables, opened with kernel_init, then kernel_vtop /
 * kernel_read / kernel_read_u64 / kernel_read_phys.  Covers 4-level 4 KiB
 * pages, 2 MiB PMD and 1 GiB PUD huge pages (offset inside the page, the PAT
 * bit 12 of a huge entry masked), 5-level paging, reads that cross pages
 * mapped out of order, the translation cache not reaching past its mapping,
 * not-present entries at each level ("not mapped"), non-canonical addresses,
 * the SME C-bit stripped with NUMBER(sme_mask) (and its absence failing),
 * phys_base from NUMBER(phys_base) or from the kernel-text PT_LOAD,
 * init_top_pgt / init_level4_pgt, the kernel_init failures (no VMCOREINFO,
 * OSRELEASE, PAGESIZE, a bad page size, an unknown machine, no page-table
 * root, no phys_base), the SPARSEMEM defaults of the ops table, and
 * kernel_parse_version. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "common/bytes.h"
#include "kernel/kernel.h"
#include "fakecore.h"

/* ---- the standard fake machine ---- */

#define TABLES     0x100000ull            /* page tables; pgd first */
#define NTABLES    32
#define PGD_SYM    (FC_START_KERNEL_MAP + TABLES)   /* SYMBOL(init_top_pgt), phys_base 0 */
#define SMALL      0x300000ull            /* two 4 KiB data pages */
#define HUGE2M     0x400000ull            /* a 2 MiB data page */
#define HUGE1G     0x40000000ull          /* a 1 GiB page, of which ... */
#define HUGE1G_PART 0x43456000ull         /* ... these two 4 KiB are in the file */

#define V4K   (FC_PAGE_OFFSET_4L + 0x200000)     /* -> SMALL + 0x1000 */
#define V4K_2 (V4K + 0x1000)                     /* -> SMALL */
#define V2M   (FC_PAGE_OFFSET_4L + 0x40000000)   /* -> HUGE2M */
#define V1G   (FC_PAGE_OFFSET_4L + 0x100000000)  /* -> HUGE1G */
#define VIMG  (FC_START_KERNEL_MAP + SMALL)      /* -> SMALL (kernel image) */

/* The byte at physical address p in every data region. */
static uint8_t phys_byte(uint64_t p)
{
	return (uint8_t)(p * 11u + (p >> 9) * 5u + (p >> 17) + 3u);
}

static void fill_region(uint8_t *data, uint64_t paddr, uint64_t size)
{
	for (uint64_t i = 0; i < size; i++)
		data[i] = phys_byte(paddr + i);
}

static void add_data_region(struct fakecore *fc, uint64_t paddr, uint64_t size)
{
	fill_region(fc_add_region(fc, paddr, size), paddr, size);
}

static const char vmci_base[] =
	"OSRELEASE=6.1.0-47-amd64\n"
	"BUILD-ID=0123456789abcdef0123456789abcdef01234567\n"
	"PAGESIZE=4096\n"
	"CRASHTIME=1712345678\n";

/* VMCOREINFO = vmci_base + the extra lines given. */
static void set_vmci(struct fakecore *fc, const char *extra)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s%s", vmci_base, extra);
	fc_set_vmcoreinfo(fc, text);
}

/* 4-level machine with the 4 KiB, 2 MiB and 1 GiB mappings above. */
static void std_machine(struct fakecore *fc, unsigned levels, uint64_t entry_bits)
{
	fc_init(fc, levels, TABLES, NTABLES);
	fc->entry_bits = entry_bits;
	fc->nr_cpus = 2;
	add_data_region(fc, SMALL, 0x2000);
	add_data_region(fc, HUGE2M, 0x200000);
	add_data_region(fc, HUGE1G_PART, 0x2000);
	fc_map(fc, V4K, SMALL + 0x1000, 12, 0);
	fc_map(fc, V4K_2, SMALL, 12, 0);
	fc_map(fc, VIMG, SMALL, 12, 0);
	fc_map(fc, V2M, HUGE2M, 21, FC_PAT_HUGE | FC_G | FC_NX);
	fc_map(fc, V1G, HUGE1G, 30, FC_PAT_HUGE | FC_G);
}

static void open_ok(struct fakecore *fc, struct fc_open *o)
{
	struct ds_err err = { 0 };
	int r = fc_open_kernel(fc, o, &err);

	if (r != 0)
		fail_msg("%s: kernel_init = %d: %s", where, r, err.msg);
}

static void vtop_is(struct kernel *k, uint64_t vaddr, uint64_t want)
{
	struct ds_err err = { 0 };
	uint64_t paddr = 0xdeadbeef;
	int r = kernel_vtop(k, vaddr, &paddr, &err);

	if (r != 0)
		fail_msg("%s: kernel_vtop(0x%llx) = %d: %s", where,
			 (unsigned long long)vaddr, r, err.msg);
	if (paddr != want)
		fail_msg("%s: kernel_vtop(0x%llx) = 0x%llx, expected 0x%llx", where,
			 (unsigned long long)vaddr, (unsigned long long)paddr,
			 (unsigned long long)want);
}

/* kernel_read of [vaddr, +len) must give the bytes at the paddrs listed as
 * pieces {paddr, len}. */
struct piece {
	uint64_t paddr, len;
};

static void read_is(struct kernel *k, uint64_t vaddr, const struct piece *pieces,
		    size_t npieces)
{
	uint8_t buf[256], want[256];
	struct ds_err err = { 0 };
	size_t len = 0;
	int r;

	for (size_t i = 0; i < npieces; i++)
		for (uint64_t j = 0; j < pieces[i].len; j++)
			want[len++] = phys_byte(pieces[i].paddr + j);
	assert_true(len <= sizeof(buf));
	memset(buf, 0xee, sizeof(buf));
	r = kernel_read(k, vaddr, buf, len, &err);
	if (r != 0)
		fail_msg("%s: kernel_read(0x%llx, %zu) = %d: %s", where,
			 (unsigned long long)vaddr, len, r, err.msg);
	for (size_t i = 0; i < len; i++)
		if (buf[i] != want[i])
			fail_msg("%s: kernel_read(0x%llx): byte %zu is 0x%02x, expected 0x%02x",
				 where, (unsigned long long)vaddr, i, buf[i], want[i]);
}

static void vtop_fails(struct kernel *k, uint64_t vaddr, int status, const char *sub)
{
	struct ds_err err = { 0 };
	uint64_t paddr = 0;
	char hex[32];
	int r = kernel_vtop(k, vaddr, &paddr, &err);

	if (r != -status)
		fail_msg("%s: kernel_vtop(0x%llx) = %d (paddr 0x%llx, \"%s\"), expected %d",
			 where, (unsigned long long)vaddr, r, (unsigned long long)paddr,
			 err.msg, -status);
	CHECK_EQ(err.status, status);
	CHECK_MSG(&err, sub);
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)vaddr);
	CHECK_MSG(&err, hex);
}

/* ---- tests ---- */

static void test_init_fields(void **state)
{
	struct fakecore fc;
	struct fc_open o;

	(void)state;
	WHERE("kernel_init fields");
	std_machine(&fc, 4, 0);
	set_vmci(&fc, "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n"
		 "NUMBER(pgtable_l5_enabled)=0\n");
	open_ok(&fc, &o);
	CHECK(o.k.arch == &arch_x86_64_ops);
	CHECK(o.k.arch == arch_find(EM_X86_64));
	assert_string_equal(o.k.arch->name, "x86_64");
	CHECK_EQ(o.k.page_size, 4096);
	CHECK_EQ(o.k.page_shift, 12);
	assert_string_equal(o.k.osrelease, "6.1.0-47-amd64");
	CHECK_EQ(o.k.version, KERNEL_VERSION_CODE(6, 1, 0));
	CHECK_EQ(o.k.crashtime, 1712345678);
	CHECK_EQ(o.k.phys_base, 0);
	CHECK_EQ(o.in.nr_cpus, 2);
	CHECK(arch_find_name("x86_64") == &arch_x86_64_ops);
	CHECK(arch_find_name("aarch64") == &arch_arm64_ops);
	CHECK(arch_find_name("i586") == &arch_i386_ops);
	CHECK(arch_find_name("ppc64") == &arch_ppc64_ops);
	CHECK(arch_find_name("i58") == NULL);
	CHECK(arch_find_name("sparc64") == NULL);
	CHECK(arch_find_name("") == NULL);
	CHECK(o.k.vi != NULL);
	CHECK_EQ(o.k.arch->section_size_bits(&o.k), 27);
	CHECK_EQ(o.k.arch->max_physmem_bits(&o.k), 46);
	CHECK(arch_find(EM_SPARCV9) == NULL);
	fc_close(&o);
	fc_free(&fc);
}

static void test_4level(void **state)
{
	struct fakecore fc;
	struct fc_open o;

	(void)state;
	WHERE("4-level, 4 KiB pages");
	std_machine(&fc, 4, 0);
	set_vmci(&fc, "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n"
		 "NUMBER(pgtable_l5_enabled)=0\n");
	open_ok(&fc, &o);
	vtop_is(&o.k, V4K, SMALL + 0x1000);
	vtop_is(&o.k, V4K + 0x123, SMALL + 0x1123);
	vtop_is(&o.k, V4K + 0xfff, SMALL + 0x1fff);
	/* the next page maps lower: the cache must not stretch the first */
	vtop_is(&o.k, V4K_2, SMALL);
	vtop_is(&o.k, V4K_2 + 0xabc, SMALL + 0xabc);
	vtop_is(&o.k, V4K + 0x10, SMALL + 0x1010);
	vtop_is(&o.k, VIMG + 0x42, SMALL + 0x42);
	{
		const struct piece p[] = { { SMALL + 0x1000, 64 } };

		read_is(&o.k, V4K, p, 1);
	}
	{
		/* crossing from V4K (-> SMALL+0x1000) into V4K_2 (-> SMALL) */
		const struct piece p[] = { { SMALL + 0x1fc0, 64 }, { SMALL, 64 } };

		read_is(&o.k, V4K + 0xfc0, p, 2);
	}
	{
		uint64_t v = 0, want = 0;
		struct ds_err err = { 0 };

		for (int i = 7; i >= 0; i--)
			want = want << 8 | phys_byte(SMALL + 0x1008 + (uint64_t)i);
		CHECK_EQ(kernel_read_u64(&o.k, V4K + 8, &v, &err), 0);
		CHECK_EQ(v, want);
	}
	{
		uint8_t b[16];
		struct ds_err err = { 0 };

		CHECK_EQ(kernel_read_phys(&o.k, SMALL + 0x10, b, 16, &err), 0);
		CHECK_EQ(b[0], phys_byte(SMALL + 0x10));
		CHECK_EQ(b[15], phys_byte(SMALL + 0x1f));
		CHECK_EQ(kernel_read_phys(&o.k, 0x200000, b, 16, &err), -DS_ENODATA);
	}
	fc_close(&o);
	fc_free(&fc);
}

static void test_huge_pages(void **state)
{
	struct fakecore fc;
	struct fc_open o;

	(void)state;
	WHERE("4-level, 2 MiB and 1 GiB pages");
	std_machine(&fc, 4, 0);
	set_vmci(&fc, "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n");
	open_ok(&fc, &o);
	/* 2 MiB: the PAT bit (12) of the entry is not an address bit */
	vtop_is(&o.k, V2M, HUGE2M);
	vtop_is(&o.k, V2M + 0x12345, HUGE2M + 0x12345);
	vtop_is(&o.k, V2M + 0x1000, HUGE2M + 0x1000);
	vtop_is(&o.k, V2M + 0x1fffff, HUGE2M + 0x1fffff);
	{
		const struct piece p[] = { { HUGE2M + 0x1fff80, 128 } };

		read_is(&o.k, V2M + 0x1fff80, p, 1);
	}
	{
		/* 4 KiB reads across a page boundary inside the huge page */
		const struct piece p[] = { { HUGE2M + 0x13fc0, 128 } };

		read_is(&o.k, V2M + 0x13fc0, p, 1);
	}
	/* right after the 2 MiB page: nothing (the cache must not cover it) */
	vtop_fails(&o.k, V2M + 0x200000, DS_ENODATA, "not mapped");
	/* 1 GiB */
	vtop_is(&o.k, V1G, HUGE1G);
	vtop_is(&o.k, V1G + 0x3456789, HUGE1G + 0x3456789);
	vtop_is(&o.k, V1G + 0x1000, HUGE1G + 0x1000);
	vtop_is(&o.k, V1G + 0x3fffffff, HUGE1G + 0x3fffffff);
	{
		const struct piece p[] = { { HUGE1G_PART + 0xfc0, 128 } };

		read_is(&o.k, V1G + (HUGE1G_PART - HUGE1G) + 0xfc0, p, 1);
	}
	vtop_fails(&o.k, V1G + 0x40000000, DS_ENODATA, "not mapped");
	/* back to 2 MiB after the cache held the 1 GiB page */
	vtop_is(&o.k, V2M + 0x7, HUGE2M + 0x7);
	fc_close(&o);
	fc_free(&fc);
}

static void test_not_mapped(void **state)
{
	struct fakecore fc;
	struct fc_open o;

	(void)state;
	WHERE("not-present entries");
	std_machine(&fc, 4, 0);
	set_vmci(&fc, "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n");
	open_ok(&fc, &o);
	/* PTE (level 1) missing: next page after V4K_2 */
	vtop_fails(&o.k, V4K_2 + 0x1000, DS_ENODATA, "not mapped (level 1");
	/* PMD (level 2) missing */
	vtop_fails(&o.k, V4K + 0x200000, DS_ENODATA, "not mapped (level 2");
	/* PUD (level 3) missing */
	vtop_fails(&o.k, FC_PAGE_OFFSET_4L + 0x200000000ull, DS_ENODATA, "not mapped (level 3");
	/* PGD (level 4) missing: vmalloc area, user space */
	vtop_fails(&o.k, 0xffffc90000000000ull, DS_ENODATA, "not mapped (level 4");
	vtop_fails(&o.k, 0x1000, DS_ENODATA, "not mapped (level 4");
	/* a mapped address still works after the failures */
	vtop_is(&o.k, V4K + 1, SMALL + 0x1001);
	{
		uint8_t b[16];
		struct ds_err err = { 0 };

		/* kernel_read failing on its second page */
		CHECK_EQ(kernel_read(&o.k, V4K_2 + 0xff8, b, 16, &err), -DS_ENODATA);
		CHECK_MSG(&err, "not mapped");
	}
	fc_close(&o);
	fc_free(&fc);
}

static void test_non_canonical(void **state)
{
	static const uint64_t bad4[] = {
		0x0000800000000000ull, 0x00ff888000000000ull, 0x7fffffffffffffffull,
		0xffff7fffffffffffull, 0x8000000000000000ull, FC_PAGE_OFFSET_5L,
	};
	struct fakecore fc;
	struct fc_open o;

	(void)state;
	std_machine(&fc, 4, 0);
	set_vmci(&fc, "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n");
	WHERE("non-canonical, 4-level");
	open_ok(&fc, &o);
	for (size_t i = 0; i < sizeof(bad4) / sizeof(bad4[0]); i++) {
		WHERE("non-canonical 0x%llx, 4-level", (unsigned long long)bad4[i]);
		vtop_fails(&o.k, bad4[i], DS_ECORRUPT, "canonical");
	}
	/* the highest canonical addresses are fine (just not mapped) */
	WHERE("canonical edges, 4-level");
	vtop_fails(&o.k, 0x00007fffffffffffull, DS_ENODATA, "not mapped");
	vtop_fails(&o.k, 0xffff800000000000ull, DS_ENODATA, "not mapped");
	fc_close(&o);
	fc_free(&fc);
}

static void test_5level(void **state)
{
	struct fakecore fc;
	struct fc_open o;
	const uint64_t vdirect = FC_PAGE_OFFSET_5L + 0x200000;
	const uint64_t vmemmap5 = 0xffd4000000000000ull;

	(void)state;
	WHERE("5-level");
	fc_init(&fc, 5, TABLES, NTABLES);
	add_data_region(&fc, SMALL, 0x2000);
	add_data_region(&fc, HUGE2M, 0x200000);
	add_data_region(&fc, HUGE1G_PART, 0x2000);
	fc_map(&fc, vdirect, SMALL + 0x1000, 12, 0);
	fc_map(&fc, vdirect + 0x1000, SMALL, 12, 0);
	fc_map(&fc, vmemmap5 + 0x40000000, HUGE2M, 21, FC_PAT_HUGE);
	fc_map(&fc, FC_PAGE_OFFSET_5L + 0x100000000ull, HUGE1G, 30, FC_PAT_HUGE);
	/* a 4-level-looking address is still valid under LA57 */
	fc_map(&fc, V4K, SMALL, 12, 0);
	set_vmci(&fc, "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n"
		 "NUMBER(pgtable_l5_enabled)=1\n");
	open_ok(&fc, &o);
	CHECK_EQ(o.k.arch->max_physmem_bits(&o.k), 52);
	vtop_is(&o.k, vdirect + 0x321, SMALL + 0x1321);
	vtop_is(&o.k, vdirect + 0x1321, SMALL + 0x321);
	vtop_is(&o.k, vmemmap5 + 0x40012345, HUGE2M + 0x12345);
	vtop_is(&o.k, FC_PAGE_OFFSET_5L + 0x103456789ull, HUGE1G + 0x3456789);
	vtop_is(&o.k, V4K + 0x10, SMALL + 0x10);
	{
		const struct piece p[] = { { SMALL + 0x1fe0, 32 }, { SMALL, 32 } };

		read_is(&o.k, vdirect + 0xfe0, p, 2);
	}
	/* level 5 entry missing */
	vtop_fails(&o.k, 0xff20000000000000ull, DS_ENODATA, "not mapped (level 5");
	/* level 4 entry missing */
	vtop_fails(&o.k, FC_PAGE_OFFSET_5L + (1ull << 40), DS_ENODATA, "not mapped (level 4");
	/* 57-bit canonical rules */
	vtop_fails(&o.k, 0x0100000000000000ull, DS_ECORRUPT, "canonical");
	vtop_fails(&o.k, 0xfe00000000000000ull, DS_ECORRUPT, "canonical");
	vtop_fails(&o.k, 0x00ff000000000000ull, DS_ENODATA, "not mapped");
	fc_close(&o);

	/* The same tables read as 4-level (pgtable_l5_enabled=0) do not
	 * translate the 5-level address. */
	WHERE("5-level tables, VMCOREINFO says 4-level");
	set_vmci(&fc, "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n"
		 "NUMBER(pgtable_l5_enabled)=0\n");
	open_ok(&fc, &o);
	CHECK_EQ(o.k.arch->max_physmem_bits(&o.k), 46);
	vtop_fails(&o.k, vdirect, DS_ECORRUPT, "canonical");
	fc_close(&o);
	fc_free(&fc);
}

static void test_sme(void **state)
{
	const uint64_t cbit = 1ull << 47;
	struct fakecore fc;
	struct fc_open o;
	struct ds_err err = { 0 };
	uint64_t paddr;

	(void)state;
	WHERE("SME C-bit in every entry, NUMBER(sme_mask)");
	std_machine(&fc, 4, cbit);
	set_vmci(&fc, "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n"
		 "NUMBER(sme_mask)=0x800000000000\n");
	open_ok(&fc, &o);
	/* the entries really carry the bit */
	CHECK((bytes_get_le64(fc_phys(&fc, fc_entry_addr(&fc, V4K, 1), 8)) & cbit) != 0);
	CHECK((bytes_get_le64(fc_phys(&fc, fc_entry_addr(&fc, V4K, 4), 8)) & cbit) != 0);
	vtop_is(&o.k, V4K + 0x123, SMALL + 0x1123);
	vtop_is(&o.k, V2M + 0x12345, HUGE2M + 0x12345);
	vtop_is(&o.k, V1G + 0x3456789, HUGE1G + 0x3456789);
	{
		const struct piece p[] = { { SMALL + 0x1fe0, 32 }, { SMALL, 32 } };

		read_is(&o.k, V4K + 0xfe0, p, 2);
	}
	fc_close(&o);

	/* the same mask given in decimal */
	WHERE("SME, decimal sme_mask");
	set_vmci(&fc, "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n"
		 "NUMBER(sme_mask)=140737488355328\n");
	open_ok(&fc, &o);
	vtop_is(&o.k, V2M + 0x12345, HUGE2M + 0x12345);
	fc_close(&o);

	/* without NUMBER(sme_mask) the C-bit is taken as an address bit */
	WHERE("SME C-bit, no sme_mask");
	set_vmci(&fc, "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n");
	open_ok(&fc, &o);
	CHECK(kernel_vtop(&o.k, V4K, &paddr, &err) < 0);
	CHECK_MSG(&err, "page table walk");
	fc_close(&o);
	fc_free(&fc);
}

static void test_phys_base(void **state)
{
	struct fakecore fc;
	struct fc_open o;
	struct ds_err err = { 0 };
	int r;

	(void)state;

	/* kdump /proc/vmcore: the kernel text PT_LOAD gives phys_base */
	WHERE("phys_base 0 from the kernel-text PT_LOAD");
	std_machine(&fc, 4, 0);
	fc_add_region(&fc, 0x1000000, 0x1000);
	fc.regions[fc.n_regions - 1].vaddr = 0xffffffff81000000ull;
	set_vmci(&fc, "SYMBOL(init_top_pgt)=ffffffff80100000\n");
	open_ok(&fc, &o);
	CHECK_EQ(o.k.phys_base, 0);
	vtop_is(&o.k, V4K + 0x123, SMALL + 0x1123);
	fc_close(&o);
	fc_free(&fc);

	/* the kernel loaded 64 MiB higher: the tables are too */
	WHERE("phys_base 0x4000000 from the kernel-text PT_LOAD");
	fc_init(&fc, 4, 0x4000000 + TABLES, NTABLES);
	add_data_region(&fc, SMALL, 0x2000);
	fc_map(&fc, V4K, SMALL + 0x1000, 12, 0);
	fc_add_region(&fc, 0x5000000, 0x1000);
	fc.regions[fc.n_regions - 1].vaddr = 0xffffffff81000000ull;
	set_vmci(&fc, "SYMBOL(init_top_pgt)=ffffffff80100000\n");
	open_ok(&fc, &o);
	CHECK_EQ(o.k.phys_base, 0x4000000);
	vtop_is(&o.k, V4K + 0x123, SMALL + 0x1123);
	fc_close(&o);

	/* NUMBER(phys_base) wins over the PT_LOAD */
	WHERE("NUMBER(phys_base) beats the PT_LOAD");
	set_vmci(&fc, "SYMBOL(init_top_pgt)=ffffffff84100000\nNUMBER(phys_base)=0\n");
	open_ok(&fc, &o);
	CHECK_EQ(o.k.phys_base, 0);
	vtop_is(&o.k, V4K + 0x123, SMALL + 0x1123);
	fc_close(&o);

	WHERE("NUMBER(phys_base)=67108864, no kernel PT_LOAD");
	fc.regions[fc.n_regions - 1].vaddr = 0;
	set_vmci(&fc, "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=67108864\n");
	open_ok(&fc, &o);
	CHECK_EQ(o.k.phys_base, 0x4000000);
	vtop_is(&o.k, V4K + 0x123, SMALL + 0x1123);
	fc_close(&o);

	WHERE("no NUMBER(phys_base), no kernel PT_LOAD");
	set_vmci(&fc, "SYMBOL(init_top_pgt)=ffffffff80100000\n");
	r = fc_open_kernel(&fc, &o, &err);
	CHECK_EQ(r, -DS_ENODATA);
	CHECK_MSG(&err, "phys_base");
	fc_close(&o);
	fc_free(&fc);
}

/* kernel_init failures: table of VMCOREINFO texts / machines. */
struct init_case {
	const char *what;
	const char *vmci;          /* full text; NULL = no VMCOREINFO note */
	uint16_t machine;
	int status;
	const char *msg;
};

static const struct init_case init_cases[] = {
	{ "no VMCOREINFO note", NULL, EM_X86_64, DS_ENODATA, "VMCOREINFO" },
	{ "VMCOREINFO without any KEY=value", "garbage\n", EM_X86_64, DS_ECORRUPT,
	  "no KEY=value" },
	{ "no OSRELEASE", "PAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff80100000\n"
	  "NUMBER(phys_base)=0\n", EM_X86_64, DS_ENODATA, "OSRELEASE" },
	{ "no PAGESIZE", "OSRELEASE=6.1.0\nSYMBOL(init_top_pgt)=ffffffff80100000\n"
	  "NUMBER(phys_base)=0\n", EM_X86_64, DS_ENODATA, "PAGESIZE" },
	{ "PAGESIZE=1000", "OSRELEASE=6.1.0\nPAGESIZE=1000\n"
	  "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n",
	  EM_X86_64, DS_ECORRUPT, "PAGESIZE=1000" },
	{ "PAGESIZE=2048", "OSRELEASE=6.1.0\nPAGESIZE=2048\n"
	  "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n",
	  EM_X86_64, DS_ECORRUPT, "PAGESIZE=2048" },
	{ "PAGESIZE=12288", "OSRELEASE=6.1.0\nPAGESIZE=12288\n"
	  "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n",
	  EM_X86_64, DS_ECORRUPT, "PAGESIZE=12288" },
	{ "sparcv9 core", "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
	  "SYMBOL(init_top_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n",
	  EM_SPARCV9, DS_EUNSUPP, "unsupported architecture" },
	{ "no SYMBOL(init_top_pgt)", "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
	  "SYMBOL(swapper_pg_dir)=ffffffff80100000\nNUMBER(phys_base)=0\n",
	  EM_X86_64, DS_ENODATA, "SYMBOL(init_top_pgt)" },
	{ "malformed SYMBOL(init_top_pgt)", "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
	  "SYMBOL(init_top_pgt)=zz\nNUMBER(phys_base)=0\n",
	  EM_X86_64, DS_ENODATA, "init_top_pgt" },
	{ "init_top_pgt outside the kernel image", "OSRELEASE=6.1.0\nPAGESIZE=4096\n"
	  "SYMBOL(init_top_pgt)=ffff888000100000\nNUMBER(phys_base)=0\n",
	  EM_X86_64, DS_ECORRUPT, "0xffff888000100000" },
};

static void test_init_failures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(init_cases) / sizeof(init_cases[0]); i++) {
		const struct init_case *c = &init_cases[i];
		struct fakecore fc;
		struct fc_open o;
		struct ds_err err = { 0 };
		int r;

		WHERE("kernel_init: %s", c->what);
		std_machine(&fc, 4, 0);
		fc.machine = c->machine;
		if (c->vmci)
			fc_set_vmcoreinfo(&fc, c->vmci);
		r = fc_open_kernel(&fc, &o, &err);
		if (r != -c->status)
			fail_msg("%s: kernel_init = %d (\"%s\"), expected %d", where, r,
				 err.msg, -c->status);
		CHECK_EQ(err.status, c->status);
		CHECK_MSG(&err, c->msg);
		fc_close(&o);
		fc_free(&fc);
	}
}

/* Older kernels name the root init_level4_pgt. */
static void test_init_level4_pgt(void **state)
{
	struct fakecore fc;
	struct fc_open o;

	(void)state;
	WHERE("SYMBOL(init_level4_pgt)");
	std_machine(&fc, 4, 0);
	set_vmci(&fc, "SYMBOL(init_level4_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n");
	open_ok(&fc, &o);
	vtop_is(&o.k, V2M + 0x2345, HUGE2M + 0x2345);
	fc_close(&o);
	fc_free(&fc);
}

/* max_physmem_bits follows the kernel version on 4-level kernels. */
static void test_physmem_bits_by_version(void **state)
{
	static const struct {
		const char *osrelease;
		unsigned bits;
	} cases[] = {
		{ "2.6.18-419.el5", 40 },
		{ "2.6.25", 40 },
		{ "2.6.26", 44 },
		{ "2.6.30.10", 44 },
		{ "2.6.31", 46 },
		{ "3.10.0-1160.el7.x86_64", 46 },
		{ "unknown", 46 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fakecore fc;
		struct fc_open o;
		char text[512];

		WHERE("max_physmem_bits for %s", cases[i].osrelease);
		std_machine(&fc, 4, 0);
		snprintf(text, sizeof(text), "OSRELEASE=%s\nPAGESIZE=4096\n"
			 "SYMBOL(init_level4_pgt)=ffffffff80100000\nNUMBER(phys_base)=0\n",
			 cases[i].osrelease);
		fc_set_vmcoreinfo(&fc, text);
		open_ok(&fc, &o);
		CHECK_EQ(o.k.arch->max_physmem_bits(&o.k), cases[i].bits);
		CHECK_EQ(o.k.arch->section_size_bits(&o.k), 27);
		fc_close(&o);
		fc_free(&fc);
	}
}

static void test_parse_version(void **state)
{
	static const struct {
		const char *s;
		unsigned code;
	} cases[] = {
		{ "6.1.0-47-amd64", KERNEL_VERSION_CODE(6, 1, 0) },
		{ "6.12.9", KERNEL_VERSION_CODE(6, 12, 9) },
		{ "5.15", KERNEL_VERSION_CODE(5, 15, 0) },
		{ "4.19.300", KERNEL_VERSION_CODE(4, 19, 255) },   /* sublevel clipped */
		{ "2.6.32-754.35.1.el6.x86_64", KERNEL_VERSION_CODE(2, 6, 32) },
		{ "3.10.0-1160.el7.x86_64", KERNEL_VERSION_CODE(3, 10, 0) },
		{ "6.8.0-rc3+", KERNEL_VERSION_CODE(6, 8, 0) },
		{ "7.0.0", KERNEL_VERSION_CODE(7, 0, 0) },
		{ "6", 0 },
		{ "", 0 },
		{ "abc", 0 },
		{ "v6.1.0", 0 },
		{ "256.1.0", 0 },
		{ "6.256.0", 0 },
		{ NULL, 0 },
	};

	(void)state;
	CHECK_EQ(KERNEL_VERSION_CODE(6, 1, 0), 0x060100);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		WHERE("kernel_parse_version(\"%s\")", cases[i].s ? cases[i].s : "(null)");
		CHECK_EQ(kernel_parse_version(cases[i].s), cases[i].code);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_fields),
		cmocka_unit_test(test_4level),
		cmocka_unit_test(test_huge_pages),
		cmocka_unit_test(test_not_mapped),
		cmocka_unit_test(test_non_canonical),
		cmocka_unit_test(test_5level),
		cmocka_unit_test(test_sme),
		cmocka_unit_test(test_phys_base),
		cmocka_unit_test(test_init_failures),
		cmocka_unit_test(test_init_level4_pgt),
		cmocka_unit_test(test_physmem_bits_by_version),
		cmocka_unit_test(test_parse_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

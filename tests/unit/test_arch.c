/* test_arch.c - unit tests for the architectures on the generic page-table
 * walk (lib/arch: arm64, riscv64, i386, s390x, ppc64) through kernel_init /
 * kernel_vtop / kernel_read on fake vmcores (tests/unit/fakecore.c) whose
 * page tables are built from this file's own statement of each paging
 * form:
 *   arm64   4K pages with 48 VA bits (4 levels, 1 GiB and 2 MiB blocks,
 *           KASLR through kimage_voffset, a reserved 01 page descriptor),
 *           4K with 52 bits run with 52 (5 levels, LPA2: PA 51:50 in bits
 *           9:8) and with 48 (4 levels, bits 9:8 are shareability),
 *           64K with 52 bits run with 48 (3 levels, LPA: PA 51:48 in bits
 *           15:12, the full 1024-entry top table), 16K with 47 bits
 *           (3 levels), 64K with 42 bits (2 levels), and a pre-5.4 kernel
 *           without kimage_voffset or PHYS_OFFSET (root and phys_base
 *           through the upper-half linear map and a PT_LOAD);
 *   riscv64 Sv39 (image-mapped root, 1 GiB leaf, Svpbmt bits), Sv48, Sv57
 *           (linear-map root), non-canonical addresses;
 *   i386    2-level with 4 MiB and PSE-36 pages, PAE with 2 MiB pages and
 *           NX, in ELF32 files, a 64-bit address refused;
 *   s390x   big-endian files; a region-third table on top (3 levels, 1 MiB
 *           and 2 GiB frames, invalid entries carrying their table type) and
 *           a region-first one (5 levels) whose root comes from os_info
 *           (decoupled virtual addresses);
 *   ppc64le radix 64K (big-endian entries in a little-endian file, vmemmap
 *           by the page tables, linear map by offset) and hash 64K (vmemmap
 *           from vmemmap_list).
 * Each also fails where it must: unmapped addresses name their level and
 * entry, missing VMCOREINFO keys name the key. */
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

/* ---- shared ---- */

static uint8_t phys_byte(uint64_t p)
{
	return (uint8_t)(p * 13u + (p >> 9) * 7u + (p >> 21) + (p >> 40) * 3u + 5u);
}

static void add_data(struct fakecore *fc, uint64_t paddr, uint64_t size)
{
	uint8_t *d = fc_add_region(fc, paddr, size);

	for (uint64_t i = 0; i < size; i++)
		d[i] = phys_byte(paddr + i);
}

static void open_ok(struct fakecore *fc, struct fc_open *o)
{
	struct ds_err err = { 0 };
	int r = fc_open_kernel(fc, o, &err);

	if (r != 0)
		fail_msg("%s: kernel_init = %d (%s)", where, r, err.msg);
}

static void expect_vtop(struct kernel *k, uint64_t vaddr, uint64_t paddr)
{
	struct ds_err err = { 0 };
	uint64_t got = 0;
	int r = kernel_vtop(k, vaddr, &got, &err);

	if (r != 0)
		fail_msg("%s: vtop(0x%llx) = %d (%s), expected 0x%llx", where,
			 (unsigned long long)vaddr, r, err.msg, (unsigned long long)paddr);
	if (got != paddr)
		fail_msg("%s: vtop(0x%llx) = 0x%llx, expected 0x%llx", where,
			 (unsigned long long)vaddr, (unsigned long long)got,
			 (unsigned long long)paddr);
}

/* kernel_read of len bytes at vaddr gives the bytes of paddr. */
static void expect_read(struct kernel *k, uint64_t vaddr, uint64_t paddr, size_t len)
{
	uint8_t buf[64];
	struct ds_err err = { 0 };

	assert_true(len <= sizeof(buf));
	if (kernel_read(k, vaddr, buf, len, &err) != 0)
		fail_msg("%s: read at 0x%llx: %s", where, (unsigned long long)vaddr, err.msg);
	for (size_t i = 0; i < len; i++)
		if (buf[i] != phys_byte(paddr + i))
			fail_msg("%s: read at 0x%llx: byte %zu wrong", where,
				 (unsigned long long)vaddr, i);
}

static void expect_fail(struct kernel *k, uint64_t vaddr, int status, const char *msg)
{
	struct ds_err err = { 0 };
	uint64_t got;
	int r = kernel_vtop(k, vaddr, &got, &err);

	if (r == 0)
		fail_msg("%s: vtop(0x%llx) = 0x%llx, expected a failure", where,
			 (unsigned long long)vaddr, (unsigned long long)got);
	CHECK_EQ(r, -status);
	CHECK_MSG(&err, msg);
}

static void expect_init_fail(struct fakecore *fc, int status, const char *msg)
{
	struct fc_open o;
	struct ds_err err = { 0 };
	int r = fc_open_kernel(fc, &o, &err);

	if (r == 0)
		fail_msg("%s: kernel_init succeeded, expected \"%s\"", where, msg);
	CHECK_EQ(r, -status);
	CHECK_MSG(&err, msg);
	fc_close(&o);
}

static void vmci(struct fakecore *fc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void vmci(struct fakecore *fc, const char *fmt, ...)
{
	char text[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	fc_set_vmcoreinfo(fc, text);
}

/* ---- arm64 ---- */

enum arm64_pa { A_PA48, A_LPA, A_LPA2 };
static enum arm64_pa arm64_pa;
static uint64_t arm64_extra;            /* ORed into every descriptor (SH bits) */

static uint64_t arm64_enc(const struct fakecore *fc, uint64_t pa)
{
	unsigned ps = fc->pg.shift[fc->pg.levels - 1];
	uint64_t low = pa & (((uint64_t)1 << (arm64_pa == A_LPA2 ? 50 : 48)) - 1) &
		       ~(((uint64_t)1 << ps) - 1);

	if (arm64_pa == A_LPA)
		return low | ((pa >> 48) & 0xf) << 12;
	if (arm64_pa == A_LPA2)
		return low | ((pa >> 50) & 0x3) << 8;
	return low;
}

static uint64_t arm64_dec(const struct fakecore *fc, uint64_t e)
{
	unsigned ps = fc->pg.shift[fc->pg.levels - 1];
	uint64_t pa = e & (((uint64_t)1 << (arm64_pa == A_LPA2 ? 50 : 48)) - 1) &
		      ~(((uint64_t)1 << ps) - 1);

	if (arm64_pa == A_LPA)
		pa |= ((e >> 12) & 0xf) << 48;
	else if (arm64_pa == A_LPA2)
		pa |= ((e >> 8) & 0x3) << 50;
	return pa;
}

static uint64_t arm64_table(const struct fakecore *fc, unsigned level, uint64_t pa)
{
	(void)level;
	return arm64_enc(fc, pa) | 3 | arm64_extra;
}

static uint64_t arm64_leaf(const struct fakecore *fc, unsigned level, uint64_t pa)
{
	bool page = level + 1 == fc->pg.levels;

	/* AF, inner shareable attributes left to arm64_extra */
	return arm64_enc(fc, pa) | (page ? 3 : 1) | 0x400 | arm64_extra;
}

static uint64_t arm64_next(const struct fakecore *fc, unsigned level, uint64_t e)
{
	(void)level;
	return (e & 3) == 3 ? arm64_dec(fc, e) : 0;
}

/* levels for va bits and a page shift, top index bits */
static struct fc_paging arm64_paging(unsigned page_shift, unsigned levels, unsigned top_bits)
{
	struct fc_paging pg = {
		.machine = EM_AARCH64, .elf_class = 64, .levels = levels, .entry_size = 8,
		.table_entry = arm64_table, .leaf_entry = arm64_leaf, .next_table = arm64_next,
	};

	for (unsigned l = 0; l < levels; l++) {
		pg.shift[l] = page_shift + (levels - 1 - l) * (page_shift - 3);
		pg.bits[l] = l == 0 ? top_bits : page_shift - 3;
	}
	return pg;
}

#define A_PHYS_OFFSET 0x40000000ull
#define A_TABLES      0x41000000ull
#define A_KIMAGE_VA   0xffff800008000000ull
#define A_KIMAGE_PA   0x40200000ull
#define A_VOFF        (A_KIMAGE_VA - A_KIMAGE_PA)
/* the image sits in the upper half of the kernel VA space, whatever its size */
#define A_VOFF47      (0xffffc00008000000ull - A_KIMAGE_PA)
#define A_VOFF42      (0xfffffe0008000000ull - A_KIMAGE_PA)

static void test_arm64_4k_48(void **state)
{
	struct fc_paging pg = arm64_paging(12, 4, 9);
	struct fakecore fc;
	struct fc_open o;
	uint64_t slot;

	(void)state;
	WHERE("arm64 4K 48-bit");
	arm64_pa = A_PA48;
	arm64_extra = 0;
	fc_init_paging(&fc, &pg, A_TABLES, 0x10000);
	add_data(&fc, 0x42000000, 0x2000);
	add_data(&fc, 0x40300000, 0x1000);
	add_data(&fc, 0x80123000, 0x1000);
	/* vmemmap: two 4K pages mapped crosswise */
	fc_map(&fc, 0xfffffc0000000000ull, 0x42001000, 12, 0);
	fc_map(&fc, 0xfffffc0000001000ull, 0x42000000, 12, 0);
	/* linear map (flipped: lower half): a 2M block and a 1G block */
	fc_map(&fc, 0xffff000000200000ull, 0x40200000, 21, 0);
	fc_map(&fc, 0xffff000040000000ull, 0x80000000, 30, 0);
	vmci(&fc, "OSRELEASE=6.1.0-57-arm64\nPAGESIZE=4096\n"
	     "SYMBOL(swapper_pg_dir)=%llx\nSYMBOL(_stext)=ffff800008010000\n"
	     "NUMBER(VA_BITS)=48\nNUMBER(kimage_voffset)=0x%llx\n"
	     "NUMBER(PHYS_OFFSET)=0x40000000\nNUMBER(TCR_EL1_T1SZ)=0x10\n"
	     "NUMBER(MAX_PHYSMEM_BITS)=48\n",
	     (unsigned long long)(A_TABLES + A_VOFF), (unsigned long long)A_VOFF);
	open_ok(&fc, &o);
	CHECK_EQ(o.k.arch, &arch_arm64_ops);
	CHECK_EQ(o.k.mach.word_size, 8);
	CHECK(!o.k.mach.big_endian);
	CHECK_EQ(o.k.phys_base, A_PHYS_OFFSET);
	expect_vtop(&o.k, 0xfffffc0000000010ull, 0x42001010);
	expect_vtop(&o.k, 0xfffffc0000001ff8ull, 0x42000ff8);
	expect_read(&o.k, 0xfffffc0000000ff8ull, 0x42001ff8, 8);
	expect_read(&o.k, 0xfffffc0000000ffcull, 0x42001ffc, 4);
	expect_vtop(&o.k, 0xffff000000300040ull, 0x40300040);
	expect_read(&o.k, 0xffff000000300040ull, 0x40300040, 32);
	expect_vtop(&o.k, 0xffff000040123456ull, 0x80123456);
	expect_read(&o.k, 0xffff000040123456ull, 0x80123456, 16);
	/* unmapped: the level-1 (PUD) table has no entry for it */
	expect_fail(&o.k, 0xffff000100000000ull, DS_ENODATA, "not mapped (level 3 entry 0x0");
	expect_fail(&o.k, 0x0000000012345000ull, DS_ECORRUPT, "not an arm64 kernel address");
	fc_close(&o);

	/* a page descriptor of type 01 is reserved: not mapped */
	WHERE("arm64 4K 48-bit, reserved page descriptor");
	slot = fc_entry_addr(&fc, 0xfffffc0000000000ull, 1);
	assert_true(slot != 0);
	bytes_put_le64(fc_phys(&fc, slot, 8), 0x42001000 | 0x401);
	open_ok(&fc, &o);
	expect_fail(&o.k, 0xfffffc0000000000ull, DS_ENODATA, "not mapped (level 1");
	fc_close(&o);

	WHERE("arm64 without SYMBOL(swapper_pg_dir)");
	vmci(&fc, "OSRELEASE=6.1.0\nPAGESIZE=4096\nNUMBER(VA_BITS)=48\n"
	     "NUMBER(kimage_voffset)=0x1\nNUMBER(PHYS_OFFSET)=0x0\n");
	expect_init_fail(&fc, DS_ENODATA, "SYMBOL(swapper_pg_dir)");
	WHERE("arm64 without NUMBER(VA_BITS)");
	vmci(&fc, "OSRELEASE=6.1.0\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffff800009000000\n");
	expect_init_fail(&fc, DS_ENODATA, "NUMBER(VA_BITS)");
	WHERE("arm64 with 8K pages");
	vmci(&fc, "OSRELEASE=6.1.0\nPAGESIZE=8192\nNUMBER(VA_BITS)=48\n");
	expect_init_fail(&fc, DS_ECORRUPT, "not an arm64 granule");
	fc_free(&fc);
}

/* 4K pages, kernel built for 52 bits and run with 52: five levels, LPA2. */
static void test_arm64_4k_52_lpa2(void **state)
{
	struct fc_paging pg = arm64_paging(12, 5, 4);
	struct fakecore fc;
	struct fc_open o;
	const uint64_t high = 0x000c000000005000ull;   /* PA bits 51:50 set */

	(void)state;
	WHERE("arm64 4K 52-bit LPA2");
	arm64_pa = A_LPA2;
	arm64_extra = 0;
	fc_init_paging(&fc, &pg, A_TABLES, 0x10000);
	add_data(&fc, high, 0x1000);
	fc_map(&fc, 0xfff0000000000000ull, high, 12, 0);
	fc_map(&fc, 0xfffffc0000200000ull, 0x0003000000200000ull, 21, 0);  /* PA bit 49:48 */
	vmci(&fc, "OSRELEASE=6.12.0\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=%llx\n"
	     "SYMBOL(_stext)=ffff800008010000\nNUMBER(VA_BITS)=52\nNUMBER(TCR_EL1_T1SZ)=12\n"
	     "NUMBER(kimage_voffset)=0x%llx\nNUMBER(PHYS_OFFSET)=0x40000000\n"
	     "NUMBER(MAX_PHYSMEM_BITS)=52\n",
	     (unsigned long long)(A_TABLES + A_VOFF), (unsigned long long)A_VOFF);
	open_ok(&fc, &o);
	expect_vtop(&o.k, 0xfff0000000000abcull, high + 0xabc);
	expect_read(&o.k, 0xfff0000000000ff0ull, high + 0xff0, 16);
	expect_vtop(&o.k, 0xfffffc0000212345ull, 0x0003000000212345ull);
	fc_close(&o);
	fc_free(&fc);
}

/* The same kernel on hardware without LPA2: T1SZ 16, the fifth level folded
 * away (swapper_pg_dir is the 4-level top), and bits 9:8 are shareability,
 * not address. */
static void test_arm64_4k_52_on_48(void **state)
{
	struct fc_paging pg = arm64_paging(12, 4, 9);
	struct fakecore fc;
	struct fc_open o;

	(void)state;
	WHERE("arm64 4K 52-bit kernel running 48-bit");
	arm64_pa = A_PA48;
	arm64_extra = 0x300;              /* inner shareable in every descriptor */
	fc_init_paging(&fc, &pg, A_TABLES, 0x10000);
	add_data(&fc, 0x42000000, 0x1000);
	fc_map(&fc, 0xffff000002000000ull, 0x42000000, 12, 0);
	vmci(&fc, "OSRELEASE=6.12.0\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=%llx\n"
	     "SYMBOL(_stext)=ffff800008010000\nNUMBER(VA_BITS)=52\nNUMBER(TCR_EL1_T1SZ)=16\n"
	     "NUMBER(kimage_voffset)=0x%llx\nNUMBER(PHYS_OFFSET)=0x40000000\n"
	     "NUMBER(MAX_PHYSMEM_BITS)=52\n",
	     (unsigned long long)(A_TABLES + A_VOFF), (unsigned long long)A_VOFF);
	open_ok(&fc, &o);
	expect_vtop(&o.k, 0xffff000002000123ull, 0x42000123);
	expect_read(&o.k, 0xffff000002000123ull, 0x42000123, 16);
	/* 52-bit addresses are not in use */
	expect_fail(&o.k, 0xfff0000000000000ull, DS_ECORRUPT, "(48 VA bits)");
	fc_close(&o);
	arm64_extra = 0;
	fc_free(&fc);
}

/* 64K pages, a 52-bit kernel run with 48 bits: 3 levels either way, so the
 * kernel keeps its 1024-entry top table and 48-bit addresses index its top
 * 64 entries; LPA puts PA bits 51:48 in bits 15:12. */
static void test_arm64_64k_52_lpa(void **state)
{
	struct fc_paging pg = arm64_paging(16, 3, 10);
	struct fakecore fc;
	struct fc_open o;
	const uint64_t high = 0x000f000012340000ull;

	(void)state;
	WHERE("arm64 64K 52-bit LPA, 48 bits in use");
	arm64_pa = A_LPA;
	arm64_extra = 0;
	fc_init_paging(&fc, &pg, A_TABLES, 0x40000);
	add_data(&fc, high, 0x1000);
	add_data(&fc, 0x60000000, 0x1000);
	fc_map(&fc, 0xffff000000000000ull, high, 16, 0);
	fc_map(&fc, 0xffff000020000000ull, 0x60000000, 29, 0);     /* 512M block */
	vmci(&fc, "OSRELEASE=6.1.0\nPAGESIZE=65536\nSYMBOL(swapper_pg_dir)=%llx\n"
	     "SYMBOL(_stext)=ffff800008010000\nNUMBER(VA_BITS)=52\nNUMBER(TCR_EL1_T1SZ)=16\n"
	     "NUMBER(kimage_voffset)=0x%llx\nNUMBER(PHYS_OFFSET)=0x40000000\n"
	     "NUMBER(MAX_PHYSMEM_BITS)=52\n",
	     (unsigned long long)(A_TABLES + A_VOFF), (unsigned long long)A_VOFF);
	open_ok(&fc, &o);
	expect_vtop(&o.k, 0xffff00000000fff0ull, high + 0xfff0);
	expect_read(&o.k, 0xffff000000000010ull, high + 0x10, 16);
	expect_vtop(&o.k, 0xffff000020000800ull, 0x60000800);
	expect_read(&o.k, 0xffff000020000800ull, 0x60000800, 32);
	fc_close(&o);
	fc_free(&fc);
}

static void test_arm64_16k_47_and_64k_42(void **state)
{
	struct fc_paging pg16 = arm64_paging(14, 3, 11), pg64 = arm64_paging(16, 2, 13);
	struct fakecore fc;
	struct fc_open o;

	(void)state;
	WHERE("arm64 16K 47-bit");
	arm64_pa = A_PA48;
	arm64_extra = 0;
	fc_init_paging(&fc, &pg16, A_TABLES, 0x40000);
	add_data(&fc, 0x42004000, 0x4000);
	fc_map(&fc, 0xffff800000004000ull, 0x42004000, 14, 0);
	fc_map(&fc, 0xffffc00002000000ull, 0x44000000, 25, 0);     /* 32M block */
	vmci(&fc, "OSRELEASE=6.1.0\nPAGESIZE=16384\nSYMBOL(swapper_pg_dir)=%llx\n"
	     "SYMBOL(_stext)=ffffc00008010000\nNUMBER(VA_BITS)=47\n"
	     "NUMBER(kimage_voffset)=0x%llx\nNUMBER(PHYS_OFFSET)=0x40000000\n",
	     (unsigned long long)(A_TABLES + A_VOFF47), (unsigned long long)A_VOFF47);
	open_ok(&fc, &o);
	expect_vtop(&o.k, 0xffff800000005678ull, 0x42005678);
	expect_read(&o.k, 0xffff800000007ff0ull, 0x42007ff0, 16);
	expect_vtop(&o.k, 0xffffc00003000000ull, 0x45000000);
	expect_fail(&o.k, 0xffff000000000000ull, DS_ECORRUPT, "47 VA bits");
	fc_close(&o);
	fc_free(&fc);

	WHERE("arm64 64K 42-bit");
	fc_init_paging(&fc, &pg64, A_TABLES, 0x40000);
	add_data(&fc, 0x42010000, 0x1000);
	fc_map(&fc, 0xfffffc0000010000ull, 0x42010000, 16, 0);
	vmci(&fc, "OSRELEASE=6.1.0\nPAGESIZE=65536\nSYMBOL(swapper_pg_dir)=%llx\n"
	     "SYMBOL(_stext)=fffffe0008010000\nNUMBER(VA_BITS)=42\n"
	     "NUMBER(kimage_voffset)=0x%llx\nNUMBER(PHYS_OFFSET)=0x40000000\n",
	     (unsigned long long)(A_TABLES + A_VOFF42), (unsigned long long)A_VOFF42);
	open_ok(&fc, &o);
	expect_vtop(&o.k, 0xfffffc0000010abcull, 0x42010abc);
	expect_read(&o.k, 0xfffffc0000010abcull, 0x42010abc, 16);
	fc_close(&o);
	fc_free(&fc);
}

/* Before 5.4 the linear map was the upper half of the kernel VA space and
 * before 4.6 the image lived in it: no kimage_voffset; and without
 * PHYS_OFFSET, a linear-map PT_LOAD gives phys_base. */
static void test_arm64_old_layout(void **state)
{
	struct fc_paging pg = arm64_paging(12, 4, 9);
	const uint64_t page_offset = 0xffff800000000000ull;
	struct fakecore fc;
	struct fc_open o;

	(void)state;
	WHERE("arm64 pre-5.4 layout, no kimage_voffset, no PHYS_OFFSET");
	arm64_pa = A_PA48;
	arm64_extra = 0;
	fc_init_paging(&fc, &pg, A_TABLES, 0x10000);
	fc.regions[0].vaddr = page_offset + (A_TABLES - A_PHYS_OFFSET);
	add_data(&fc, 0x42000000, 0x1000);
	fc_map(&fc, page_offset + 0x2000000, 0x42000000, 12, 0);
	vmci(&fc, "OSRELEASE=4.4.0\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=%llx\n"
	     "SYMBOL(_stext)=ffff000008080000\nNUMBER(VA_BITS)=48\n",
	     (unsigned long long)(page_offset + (A_TABLES - A_PHYS_OFFSET)));
	open_ok(&fc, &o);
	CHECK_EQ(o.k.phys_base, A_PHYS_OFFSET);
	expect_vtop(&o.k, page_offset + 0x2000010, 0x42000010);
	expect_read(&o.k, page_offset + 0x2000010, 0x42000010, 16);
	fc_close(&o);

	WHERE("arm64 without kimage_voffset, PHYS_OFFSET or a linear PT_LOAD");
	fc.regions[0].vaddr = 0;
	expect_init_fail(&fc, DS_ENODATA, "PHYS_OFFSET");
	fc_free(&fc);
}

/* ---- riscv64 ---- */

static uint64_t rv_table(const struct fakecore *fc, unsigned level, uint64_t pa)
{
	(void)fc, (void)level;
	return (pa >> 12) << 10 | 0x1;
}

static uint64_t rv_leaf(const struct fakecore *fc, unsigned level, uint64_t pa)
{
	(void)fc, (void)level;
	/* V R W X A D, and Svpbmt "NC" in bits 62:61 */
	return (pa >> 12) << 10 | 0xcf | (1ull << 61);
}

static uint64_t rv_next(const struct fakecore *fc, unsigned level, uint64_t e)
{
	(void)fc, (void)level;
	return (e & 1) && !(e & 0xe) ? ((e >> 10) & ((1ull << 44) - 1)) << 12 : 0;
}

static struct fc_paging rv_paging(unsigned levels)
{
	struct fc_paging pg = {
		.machine = EM_RISCV, .elf_class = 64, .levels = levels, .entry_size = 8,
		.table_entry = rv_table, .leaf_entry = rv_leaf, .next_table = rv_next,
	};

	for (unsigned l = 0; l < levels; l++) {
		pg.shift[l] = 12 + 9 * (levels - 1 - l);
		pg.bits[l] = 9;
	}
	return pg;
}

#define RV_RAM_BASE  0x80000000ull
#define RV_KPA       0x80200000ull
#define RV_LINK      0xffffffff80000000ull
#define RV_TABLES    0x81000000ull

static void test_riscv64(void **state)
{
	static const struct { unsigned bits; uint64_t page_offset, vmemmap; } forms[] = {
		{ 39, 0xffffffd800000000ull, 0xffffffc600000000ull },
		{ 48, 0xffffaf8000000000ull, 0xffff8d8000000000ull },
		{ 57, 0xff60000000000000ull, 0xff1c000000000000ull },
	};

	(void)state;
	for (size_t f = 0; f < 3; f++) {
		struct fc_paging pg = rv_paging((forms[f].bits - 12) / 9);
		struct fakecore fc;
		struct fc_open o;
		uint64_t sym;

		WHERE("riscv64 Sv%u", forms[f].bits);
		fc_init_paging(&fc, &pg, RV_TABLES, 0x10000);
		add_data(&fc, 0x82000000, 0x2000);
		add_data(&fc, 0x80ff0000, 0x1000);
		fc_map(&fc, forms[f].vmemmap, 0x82001000, 12, 0);
		fc_map(&fc, forms[f].vmemmap + 0x1000, 0x82000000, 12, 0);
		fc_map(&fc, forms[f].page_offset, RV_RAM_BASE, 30, 0);
		/* Sv39 and Sv48: root by the image mapping; Sv57: by the linear map */
		sym = f < 2 ? RV_LINK + (RV_TABLES - RV_KPA)
			    : forms[f].page_offset + (RV_TABLES - RV_RAM_BASE);
		vmci(&fc, "OSRELEASE=6.12.118+deb13-riscv64\nPAGESIZE=4096\n"
		     "SYMBOL(swapper_pg_dir)=%llx\nNUMBER(phys_ram_base)=2147483648\n"
		     "NUMBER(PAGE_OFFSET)=0x%llx\nNUMBER(VA_BITS)=%u\n"
		     "NUMBER(KERNEL_LINK_ADDR)=0x%llx\nNUMBER(va_kernel_pa_offset)=0x%llx\n",
		     (unsigned long long)sym, (unsigned long long)forms[f].page_offset,
		     forms[f].bits, (unsigned long long)RV_LINK,
		     (unsigned long long)(RV_LINK - RV_KPA));
		open_ok(&fc, &o);
		CHECK_EQ(o.k.arch, &arch_riscv64_ops);
		CHECK_EQ(o.k.phys_base, RV_RAM_BASE);
		expect_vtop(&o.k, forms[f].vmemmap + 0x40, 0x82001040);
		expect_read(&o.k, forms[f].vmemmap + 0xff8, 0x82001ff8, 8);
		expect_vtop(&o.k, forms[f].page_offset + 0xff0123, 0x80ff0123);
		expect_read(&o.k, forms[f].page_offset + 0xff0123, 0x80ff0123, 16);
		expect_fail(&o.k, forms[f].vmemmap + 0x40000000, DS_ENODATA, "not mapped");
		expect_fail(&o.k, 1ull << (forms[f].bits - 1), DS_ECORRUPT, "not a canonical");
		fc_close(&o);
		fc_free(&fc);
	}
}

static void test_riscv64_missing(void **state)
{
	struct fc_paging pg = rv_paging(3);
	struct fakecore fc;

	(void)state;
	fc_init_paging(&fc, &pg, RV_TABLES, 0x1000);
	WHERE("riscv64 without NUMBER(va_kernel_pa_offset)");
	vmci(&fc, "OSRELEASE=6.12.0\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffffffff80e00000\n"
	     "NUMBER(phys_ram_base)=2147483648\nNUMBER(PAGE_OFFSET)=0xffffffd800000000\n"
	     "NUMBER(VA_BITS)=39\nNUMBER(KERNEL_LINK_ADDR)=0xffffffff80000000\n");
	expect_init_fail(&fc, DS_ENODATA, "va_kernel_pa_offset");
	WHERE("riscv64 with VA_BITS=40");
	vmci(&fc, "OSRELEASE=6.12.0\nPAGESIZE=4096\nNUMBER(VA_BITS)=40\n");
	expect_init_fail(&fc, DS_ECORRUPT, "not Sv39, Sv48 or Sv57");
	fc_free(&fc);
}

/* ---- i386 ---- */

static void test_i386(void **state)
{
	struct fc_paging two = fc_paging_i386(false), pae = fc_paging_i386(true);
	struct fakecore fc;
	struct fc_open o;

	(void)state;
	WHERE("i386 2-level");
	fc_init_paging(&fc, &two, 0x1000000, 0x4000);
	add_data(&fc, 0, 0x2000);
	add_data(&fc, 0x2000000, 0x1000);
	fc_map(&fc, 0xc0000000, 0, 22, 0);
	fc_map(&fc, 0xc0400000, 0x300400000ull, 22, 0);   /* PSE-36: above 4 GiB */
	fc_map(&fc, 0xd0000000, 0x2000000, 12, 0);
	vmci(&fc, "OSRELEASE=6.1.0-57-686\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=c1000000\n");
	open_ok(&fc, &o);
	CHECK_EQ(o.k.arch, &arch_i386_ops);
	CHECK_EQ(o.k.mach.word_size, 4);
	CHECK_EQ(o.k.phys_base, 0);
	expect_vtop(&o.k, 0xc0001234, 0x1234);
	expect_read(&o.k, 0xc0001ff8, 0x1ff8, 8);
	expect_vtop(&o.k, 0xc0512345, 0x300512345ull);
	expect_vtop(&o.k, 0xd0000abc, 0x2000abc);
	expect_read(&o.k, 0xd0000abc, 0x2000abc, 16);
	expect_fail(&o.k, 0xe0000000, DS_ENODATA, "not mapped (level 2 entry 0x0");
	expect_fail(&o.k, 0x100000000ull, DS_ECORRUPT, "not a 32-bit address");
	fc_close(&o);
	fc_free(&fc);

	WHERE("i386 PAE");
	fc_init_paging(&fc, &pae, 0x1000000, 0x8000);
	add_data(&fc, 0, 0x1000);
	add_data(&fc, 0x2000000, 0x1000);
	fc_map(&fc, 0xc0000000, 0, 21, 0);
	fc_map(&fc, 0xf8000000, 0x2000000, 12, 0);
	fc_map(&fc, 0xf8001000, 0x123456000ull, 12, 0);      /* above 4 GiB */
	vmci(&fc, "OSRELEASE=6.1.0-57-686-pae\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=c1000000\n"
	     "CONFIG_X86_PAE=y\n");
	open_ok(&fc, &o);
	expect_vtop(&o.k, 0xc0000123, 0x123);
	expect_read(&o.k, 0xc0000123, 0x123, 16);
	expect_vtop(&o.k, 0xf8000010, 0x2000010);
	expect_read(&o.k, 0xf8000010, 0x2000010, 16);
	expect_vtop(&o.k, 0xf8001010, 0x123456010ull);
	expect_fail(&o.k, 0x80000000, DS_ENODATA, "not mapped (level 3 entry 0x0");
	fc_close(&o);

	WHERE("i386 swapper_pg_dir below PAGE_OFFSET");
	vmci(&fc, "OSRELEASE=6.1.0\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=1000000\n");
	expect_init_fail(&fc, DS_ECORRUPT, "not a lowmem address");
	fc_free(&fc);
}

/* ---- s390x ---- */

static void test_s390x(void **state)
{
	struct fc_paging pg3 = fc_paging_s390x(3), pg5 = fc_paging_s390x(5);
	struct fakecore fc;
	struct fc_open o;
	uint8_t *lc;

	(void)state;
	WHERE("s390x region-third top, identity-mapped kernel");
	fc_init_paging(&fc, &pg3, 0x1000000, 0x20000);
	add_data(&fc, 0x2000000, 0x2000);
	add_data(&fc, 0x3050000, 0x1000);
	add_data(&fc, 0x80001000, 0x1000);
	fc_map(&fc, 0x3d080000000ull, 0x2001000, 12, 0);      /* vmemmap-like */
	fc_map(&fc, 0x3d080001000ull, 0x2000000, 12, 0);
	fc_map(&fc, 0x3000000, 0x3000000, 20, 0);             /* 1 MiB frame */
	fc_map(&fc, 0x80000000, 0x80000000, 31, 0);           /* 2 GiB frame */
	vmci(&fc, "OSRELEASE=6.1.0-50-s390x\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=1000000\n");
	open_ok(&fc, &o);
	CHECK_EQ(o.k.arch, &arch_s390x_ops);
	CHECK(o.k.mach.big_endian);
	CHECK_EQ(o.k.mach.word_size, 8);
	expect_vtop(&o.k, 0x3d080000010ull, 0x2001010);
	expect_read(&o.k, 0x3d080000ff8ull, 0x2001ff8, 8);
	expect_vtop(&o.k, 0x3050123, 0x3050123);
	expect_read(&o.k, 0x3050123, 0x3050123, 16);
	expect_vtop(&o.k, 0x80001abc, 0x80001abc);
	expect_read(&o.k, 0x80001abc, 0x80001abc, 16);
	/* the invalid entries carry their table type, but are invalid */
	expect_fail(&o.k, 0x3e000000000ull, DS_ENODATA, "not mapped (level 3 entry 0x24");
	expect_fail(&o.k, 0x3d080002000ull, DS_ENODATA, "not mapped (level 1 entry 0x400");
	expect_fail(&o.k, 1ull << 42, DS_ECORRUPT, "beyond the 42-bit address space");
	fc_close(&o);
	fc_free(&fc);

	/* a region-first top, and a kernel image at its own virtual address:
	 * os_info (pointed at from the lowcore) gives the KASLR offsets */
	WHERE("s390x region-first top, decoupled virtual addresses");
	fc_init_paging(&fc, &pg5, 0x1000000, 0x40000);
	lc = fc_add_region(&fc, 0, 0x2000);
	bytes_put_be64(lc + 0xe18, 0x1000);
	bytes_put_be64(lc + 0x1000, 0x4f53494e464f535aull);               /* magic */
	bytes_put_be64(lc + 0x1000 + 32 + 5 * 20, 0x3ffe0000000ull);      /* KASLR offset */
	bytes_put_be64(lc + 0x1000 + 32 + 6 * 20, 0x800000);              /* ... physical */
	add_data(&fc, 0x2000000, 0x1000);
	fc_map(&fc, 0x1000000000000000ull, 0x2000000, 12, 0);
	vmci(&fc, "OSRELEASE=6.12.0\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=%llx\n",
	     (unsigned long long)(0x3ffe0000000ull + 0x1000000 - 0x800000));
	open_ok(&fc, &o);
	expect_vtop(&o.k, 0x1000000000000123ull, 0x2000123);
	expect_read(&o.k, 0x1000000000000123ull, 0x2000123, 16);
	fc_close(&o);
	fc_free(&fc);
}

/* ---- ppc64 ---- */

static uint64_t ppc_table(const struct fakecore *fc, unsigned level, uint64_t pa)
{
	/* valid, and the next level's size in the low bits (radix NLS) */
	return (1ull << 63) | pa | fc->pg.bits[level + 1];
}

static uint64_t ppc_leaf(const struct fakecore *fc, unsigned level, uint64_t pa)
{
	(void)fc, (void)level;
	return (1ull << 63) | (1ull << 62) | pa | 0x10e;     /* present, PTE, RWX + A */
}

static uint64_t ppc_next(const struct fakecore *fc, unsigned level, uint64_t e)
{
	(void)fc, (void)level;
	return e && !(e & (1ull << 62)) ? e & ~0xc0000000000000ffull : 0;
}

static struct fc_paging ppc_paging(const unsigned bits[4], unsigned page_shift)
{
	struct fc_paging pg = {
		.machine = EM_PPC64, .elf_class = 64, .entries_big_endian = true,
		.levels = 4, .entry_size = 8,
		.table_entry = ppc_table, .leaf_entry = ppc_leaf, .next_table = ppc_next,
	};
	unsigned shift = page_shift;

	for (int l = 3; l >= 0; l--) {
		pg.shift[l] = shift;
		pg.bits[l] = bits[l];
		shift += bits[l];
	}
	return pg;
}

#define PPC_LINEAR 0xc000000000000000ull

static void test_ppc64_radix(void **state)
{
	static const unsigned radix64k[4] = { 13, 9, 9, 5 };
	struct fc_paging pg = ppc_paging(radix64k, 16);
	struct fakecore fc;
	struct fc_open o;
	uint8_t *kdata;

	(void)state;
	WHERE("ppc64le radix 64K");
	fc_init_paging(&fc, &pg, 0x1000000, 0x40000);
	kdata = fc_add_region(&fc, 0x2000000, 0x1000);     /* vmemmap_list = NULL */
	(void)kdata;
	add_data(&fc, 0x3000000, 0x20000);
	fc_map(&fc, 0xc00c000000000000ull, 0x3010000, 16, 0);
	fc_map(&fc, 0xc00c000000010000ull, 0x3000000, 16, 0);
	fc_map(&fc, 0xc008000000000000ull, 0x3000000, 21, 0);   /* vmalloc, 2M */
	vmci(&fc, "OSRELEASE=6.1.0-57-powerpc64le\nPAGESIZE=65536\n"
	     "SYMBOL(swapper_pg_dir)=c000000001000000\nSYMBOL(vmemmap_list)=c000000002000000\n"
	     "SYMBOL(mmu_vmemmap_psize)=c000000002000100\nSYMBOL(mmu_psize_defs)=c000000002000200\n"
	     "SIZE(vmemmap_backing)=32\nOFFSET(vmemmap_backing.list)=0\n"
	     "OFFSET(vmemmap_backing.phys)=8\nOFFSET(vmemmap_backing.virt_addr)=16\n"
	     "SIZE(mmu_psize_def)=24\nOFFSET(mmu_psize_def.shift)=0\n"
	     "NUMBER(RADIX_MMU)=1\nNUMBER(MAX_PHYSMEM_BITS)=51\n");
	open_ok(&fc, &o);
	CHECK_EQ(o.k.arch, &arch_ppc64_ops);
	CHECK(!o.k.mach.big_endian);
	expect_vtop(&o.k, 0xc00c000000000040ull, 0x3010040);
	expect_read(&o.k, 0xc00c00000000fff8ull, 0x301fff8, 16);
	expect_vtop(&o.k, 0xc008000000012345ull, 0x3012345);
	expect_vtop(&o.k, PPC_LINEAR + 0x3000abc, 0x3000abc);
	expect_read(&o.k, PPC_LINEAR + 0x3000abc, 0x3000abc, 16);
	expect_fail(&o.k, 0xc00c000100000000ull, DS_ENODATA, "not mapped");
	fc_close(&o);

	/* before 6.7 VMCOREINFO does not say which MMU: a radix kernel has
	 * its linear map in the page tables, and is recognised by that */
	WHERE("ppc64le radix 64K, MMU not in VMCOREINFO");
	fc_map(&fc, PPC_LINEAR, 0, 30, 0);                /* 1 GiB of linear map */
	vmci(&fc, "OSRELEASE=6.1.0-57-powerpc64le\nPAGESIZE=65536\n"
	     "SYMBOL(swapper_pg_dir)=c000000001000000\nSYMBOL(vmemmap_list)=c000000002000000\n"
	     "NUMBER(MAX_PHYSMEM_BITS)=51\n");
	open_ok(&fc, &o);
	expect_vtop(&o.k, 0xc00c000000000040ull, 0x3010040);   /* radix geometry */
	expect_vtop(&o.k, 0xc008000000012345ull, 0x3012345);
	fc_close(&o);
	fc_free(&fc);
}

static void test_ppc64_hash_vmemmap_list(void **state)
{
	static const unsigned hash64k[4] = { 8, 10, 10, 8 };
	struct fc_paging pg = ppc_paging(hash64k, 16);
	struct fakecore fc;
	struct fc_open o;
	const uint64_t kd = 0x2000000;          /* kernel data, linear map */

	(void)state;
	WHERE("ppc64le hash 64K, vmemmap_list");
	fc_init_paging(&fc, &pg, 0x1000000, 0x40000);
	fc_add_region(&fc, kd, 0x1000);
	add_data(&fc, 0x4000000, 0x2000);
	add_data(&fc, 0x6000000, 0x1000);
	/* two 16 MiB blocks, listed in the opposite order of their addresses */
	fc_put_u64(&fc, kd + 0x000, PPC_LINEAR + kd + 0x400);     /* vmemmap_list */
	fc_put_u64(&fc, kd + 0x400, PPC_LINEAR + kd + 0x440);     /* list */
	fc_put_u64(&fc, kd + 0x408, 0x6000000);                   /* phys */
	fc_put_u64(&fc, kd + 0x410, 0xc00c000001000000ull);       /* virt_addr */
	fc_put_u64(&fc, kd + 0x440, 0);
	fc_put_u64(&fc, kd + 0x448, 0x4000000);
	fc_put_u64(&fc, kd + 0x450, 0xc00c000000000000ull);
	fc_put_u32(&fc, kd + 0x100, 2);                           /* mmu_vmemmap_psize */
	fc_put_u32(&fc, kd + 0x200 + 2 * 24, 24);                 /* mmu_psize_defs[2].shift */
	vmci(&fc, "OSRELEASE=6.1.0\nPAGESIZE=65536\n"
	     "SYMBOL(swapper_pg_dir)=c000000001000000\nSYMBOL(vmemmap_list)=c000000002000000\n"
	     "SYMBOL(mmu_vmemmap_psize)=c000000002000100\nSYMBOL(mmu_psize_defs)=c000000002000200\n"
	     "SIZE(vmemmap_backing)=32\nOFFSET(vmemmap_backing.list)=0\n"
	     "OFFSET(vmemmap_backing.phys)=8\nOFFSET(vmemmap_backing.virt_addr)=16\n"
	     "SIZE(mmu_psize_def)=24\nOFFSET(mmu_psize_def.shift)=0\n"
	     "NUMBER(RADIX_MMU)=0\n");
	open_ok(&fc, &o);
	expect_vtop(&o.k, 0xc00c000000001234ull, 0x4001234);
	expect_read(&o.k, 0xc00c000000001234ull, 0x4001234, 16);
	expect_vtop(&o.k, 0xc00c000001000abcull, 0x6000abc);
	expect_read(&o.k, 0xc00c000001000abcull, 0x6000abc, 16);
	/* between the blocks: the page tables, which do not map it */
	expect_fail(&o.k, 0xc00c000002000000ull, DS_ENODATA, "not mapped");
	fc_close(&o);

	WHERE("ppc64 vmemmap_list with an impossible page shift");
	fc_put_u32(&fc, kd + 0x200 + 2 * 24, 70);
	expect_init_fail(&fc, DS_ECORRUPT, "vmemmap page shift 70");
	fc_free(&fc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arm64_4k_48),
		cmocka_unit_test(test_arm64_4k_52_lpa2),
		cmocka_unit_test(test_arm64_4k_52_on_48),
		cmocka_unit_test(test_arm64_64k_52_lpa),
		cmocka_unit_test(test_arm64_16k_47_and_64k_42),
		cmocka_unit_test(test_arm64_old_layout),
		cmocka_unit_test(test_riscv64),
		cmocka_unit_test(test_riscv64_missing),
		cmocka_unit_test(test_i386),
		cmocka_unit_test(test_s390x),
		cmocka_unit_test(test_ppc64_radix),
		cmocka_unit_test(test_ppc64_hash_vmemmap_list),
	};

	return cmocka_run_group_tests_name("arch", tests, NULL, NULL);
}

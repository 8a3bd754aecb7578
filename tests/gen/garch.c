/* garch.c - the machines mkvmcore can simulate: for each, its page size,
 * paging form (levels, index bits, how an entry encodes a table, a page or
 * a block), address layout and KASLR, byte order, and the VMCOREINFO lines
 * its kernel adds.  The statements here are mkvmcore's own, written from
 * the kernels' headers (arch/ * /include/asm/pgtable*.h, memory.h,
 * sparsemem.h, vmcore_info.c) and kept apart from lib/arch, so the
 * generated dumps check dumpsieve against an independent description.
 *
 *   x86_64   4K pages, 4 or 5 levels (`paging`), KASLR of the image, the
 *            direct map and vmemmap
 *   arm64    4K (39/48 VA bits), 16K (47/48) or 64K (42/48) pages
 *            (`page-size`, `va-bits`); 5.4+ layout (linear map in the lower
 *            half), KASLR of the image (kimage_voffset), PHYS_OFFSET the
 *            start of RAM (1 GiB aligned)
 *   ppc64le  64K or 4K pages, radix or hash MMU (`mmu`): big-endian
 *            entries in a little-endian machine; the image in the linear
 *            map at 0xc000000000000000; vmemmap in 2 MiB (radix) or 16 MiB
 *            (hash) blocks, found through vmemmap_list (`vmemmap-list on`,
 *            always with hash) or the page tables
 *   s390x    big-endian; a region-third table on top (3 levels, 4 TiB), 1 MiB
 *            segment and 2 GiB region frames; memory mapped 1:1
 *   riscv64  Sv39, Sv48 or Sv57 (`va-bits`); the image at KERNEL_LINK_ADDR,
 *            the linear map from phys_ram_base
 *   i386     ILP32 (40-byte struct page, ELF32 core), `paging 3` (PAE: a
 *            4-entry pointer table, 9 + 9 bits, 8-byte entries, 2 MiB pages)
 *            or `paging 2` (10 + 10 bits, 4-byte entries, 4 MiB PSE pages);
 *            lowmem (the first 896 MiB) linear at PAGE_OFFSET 0xc0000000,
 *            the image in it (KASLR moves both together, below 512 MiB),
 *            highmem outside it; FLATMEM: one mem_map for every pfn, as
 *            Debian's 686-pae kernel has
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gen.h"

#ifndef EM_AARCH64
#define EM_AARCH64 183
#endif
#ifndef EM_RISCV
#define EM_RISCV 243
#endif

#define SZ_1G (1ull << 30)
#define SZ_2M (2ull << 20)

static unsigned last(const struct model *m)
{
	return m->levels - 1;
}

/* shifts and bits for `levels` levels of `bits` above a page, the top
 * level having `top` bits */
static void geometry(struct model *m, unsigned levels, unsigned bits, unsigned top)
{
	m->levels = levels;
	for (unsigned l = 0; l < levels; l++) {
		m->pt_shift[l] = (uint8_t)(m->page_shift + (levels - 1 - l) * bits);
		m->pt_bits[l] = (uint8_t)(l == 0 ? top : bits);
	}
	m->entry_size = 8;
}

/* ---- x86_64 ---- */

#define X86_P      0x001ull
#define X86_PSE    0x080ull
#define X86_NX     (1ull << 63)
#define X86_ADDR   0x000ffffffffff000ull
#define X86_START_KERNEL_MAP 0xffffffff80000000ull
#define X86_START_KERNEL     0xffffffff81000000ull

static void x86_configure(struct model *m)
{
	unsigned levels = m->sp->paging;

	m->page_shift = 12;
	geometry(m, levels, 9, 9);
	m->max_leaf_up = 2;
	m->va_bits = levels == 5 ? 57 : 48;
	m->section_bits = 27;
	m->physmem_bits = levels == 5 ? 52 : 46;
	m->max_order = 10;
	m->pmd_order = 9;
	m->page_offset = levels == 5 ? 0xff11000000000000ull : 0xffff888000000000ull;
	m->vmemmap_base = levels == 5 ? 0xffd4000000000000ull : 0xffffea0000000000ull;
	m->vmalloc_start = m->page_offset + (levels == 5 ? 1ull << 52 : 32ull << 40);
	m->image_base_va = X86_START_KERNEL_MAP;
	m->image_va_lo = X86_START_KERNEL;
	m->image_va_span = SZ_1G - (16ull << 20);
	m->memmap_leaf = m->sp->vmemmap_leaf;
}

static void x86_kaslr(struct model *m)
{
	if (m->levels == 5) {
		m->page_offset += rng_below(&m->rng, 1ull << 20) * SZ_1G;
		m->vmemmap_base += rng_below(&m->rng, 1ull << 16) * SZ_1G;
	} else {
		m->page_offset += rng_below(&m->rng, 1ull << 14) * SZ_1G;
		m->vmemmap_base = 0xffffe80000000000ull + rng_below(&m->rng, 1ull << 10) * SZ_1G;
	}
	/* vmalloc space follows the direct map's region */
	m->vmalloc_start = m->page_offset + (m->levels == 5 ? 1ull << 52 : 32ull << 40);
}

static uint64_t x86_table(const struct model *m, unsigned level, uint64_t pa)
{
	(void)m, (void)level;
	return pa | 0x063;                       /* present rw accessed dirty */
}

static uint64_t x86_leaf(const struct model *m, unsigned level, uint64_t pa, bool exec)
{
	uint64_t e = pa | 0x163 | (level < last(m) ? X86_PSE : 0);   /* + global */

	return exec ? e : e | X86_NX;
}

static int x86_decode(const struct model *m, unsigned level, uint64_t e, uint64_t *pa)
{
	if (!(e & X86_P))
		return 0;
	*pa = e & X86_ADDR;
	return level == last(m) || (m->pt_shift[level] <= 30 && (e & X86_PSE)) ? 2 : 1;
}

static void x86_vmcoreinfo(const struct model *m, struct sbuf *b)
{
	const struct gen *g = m->g;
	bool v510 = g->major > 5 || (g->major == 5 && g->minor >= 10);

	/* arch/x86/kernel/crash_core_64.c (machine_kexec_64.c before 5.x) */
	sb_printf(b, "NUMBER(phys_base)=%lld\n", (long long)m->phys_base);
	sb_printf(b, "SYMBOL(init_top_pgt)=%llx\n", (unsigned long long)image_va(m, m->pgd_paddr));
	sb_printf(b, "NUMBER(pgtable_l5_enabled)=%d\n", m->levels == 5);
	sb_printf(b, "SYMBOL(node_data)=%llx\n", (unsigned long long)m->sym_node_data);
	sb_printf(b, "LENGTH(node_data)=1024\n");
	sb_printf(b, "KERNELOFFSET=%llx\n", (unsigned long long)(m->ktext - X86_START_KERNEL));
	sb_printf(b, "NUMBER(KERNEL_IMAGE_SIZE)=%llu\n", (unsigned long long)SZ_1G);
	if (v510)
		sb_printf(b, "NUMBER(sme_mask)=0\n");
}

/* ---- arm64 ---- */

static uint64_t arm64_addr_mask(const struct model *m)
{
	return ((1ull << 48) - 1) & ~(m->page_size - 1);
}

static void arm64_configure(struct model *m)
{
	unsigned ps = m->sp->page_shift ? m->sp->page_shift : 12;
	unsigned va = m->sp->va_bits ? m->sp->va_bits : 48;
	unsigned levels;

	if (ps != 12 && ps != 14 && ps != 16)
		die("arm64 pages are 4K, 16K or 64K");
	if (!(va == 48 || (ps == 12 && va == 39) || (ps == 14 && va == 47) || (ps == 16 && va == 42)))
		die("arm64 with %u KiB pages: va-bits 48 or %u", 1u << (ps - 10),
		    ps == 12 ? 39 : ps == 14 ? 47 : 42);
	m->page_shift = ps;
	levels = (va - 4) / (ps - 3);
	geometry(m, levels, ps - 3, va - (ps + (levels - 1) * (ps - 3)));
	m->max_leaf_up = ps == 12 ? 2 : 1;       /* 1G only with 4K; 32M / 512M blocks */
	m->va_bits = va;
	m->section_bits = ps == 16 ? 29 : 27;
	m->physmem_bits = 48;
	m->max_order = ps == 16 ? 13 : ps == 14 ? 11 : 10;
	m->pmd_order = ps - 3;
	/* 5.4+: the linear map is the lower half of the kernel VA space, the
	 * image after the modules at the start of the upper half, vmemmap
	 * near the top */
	m->page_offset = 0ull - (1ull << va);
	m->image_base_va = 0ull - (1ull << (va - 1));
	m->image_va_lo = m->image_base_va + (128ull << 20);
	m->image_va_span = SZ_1G;
	m->vmalloc_start = m->image_va_lo;
	m->vmemmap_base = 0ull - (1ull << (va - ps + 6));   /* VMEMMAP_START; RAM start later */
	m->memmap_leaf = ps == 12 ? m->sp->vmemmap_leaf : 0;  /* 16K/64K: base pages */
}

static uint64_t arm64_table(const struct model *m, unsigned level, uint64_t pa)
{
	(void)m, (void)level;
	return pa | 3;
}

static uint64_t arm64_leaf(const struct model *m, unsigned level, uint64_t pa, bool exec)
{
	/* AF, inner shareable, normal memory (AttrIndx 4), PXN|UXN unless code */
	uint64_t attrs = 0x400 | 0x300 | (4 << 2) | (exec ? 1ull << 54 : 3ull << 53);

	return pa | attrs | (level == last(m) ? 3 : 1);
}

static int arm64_decode(const struct model *m, unsigned level, uint64_t e, uint64_t *pa)
{
	if (!(e & 1))
		return 0;
	*pa = e & arm64_addr_mask(m);
	if (level == last(m))
		return (e & 3) == 3 ? 2 : 0;
	return (e & 3) == 3 ? 1 : 2;
}

static void arm64_vmcoreinfo(const struct model *m, struct sbuf *b)
{
	uint64_t vmemmap_start = m->vmemmap_base + (m->linear_base >> m->page_shift) * SP_SIZE;

	sb_printf(b, "NUMBER(VA_BITS)=%u\n", m->va_bits);
	sb_printf(b, "NUMBER(MODULES_VADDR)=0x%llx\n", (unsigned long long)m->image_base_va);
	sb_printf(b, "NUMBER(MODULES_END)=0x%llx\n", (unsigned long long)m->image_va_lo);
	sb_printf(b, "NUMBER(VMEMMAP_START)=0x%llx\n", (unsigned long long)vmemmap_start);
	sb_printf(b, "NUMBER(kimage_voffset)=0x%llx\n", (unsigned long long)m->image_voff);
	sb_printf(b, "NUMBER(PHYS_OFFSET)=0x%llx\n", (unsigned long long)m->linear_base);
	sb_printf(b, "NUMBER(TCR_EL1_T1SZ)=0x%x\n", 64 - m->va_bits);
	sb_printf(b, "KERNELOFFSET=%llx\n", (unsigned long long)(m->ktext - m->image_va_lo));
	sb_printf(b, "NUMBER(KERNELPACMASK)=0x0\n");
}

/* ---- ppc64le ---- */

#define PPC_PRESENT (1ull << 63)
#define PPC_PTE     (1ull << 62)

static void ppc64_configure(struct model *m)
{
	static const uint8_t radix64k[] = { 13, 9, 9, 5 }, radix4k[] = { 13, 9, 9, 9 };
	static const uint8_t hash64k[] = { 8, 10, 10, 8 }, hash4k[] = { 9, 9, 7, 9 };
	unsigned ps = m->sp->page_shift ? m->sp->page_shift : 16, shift;
	bool hash = m->sp->hash_mmu;
	const uint8_t *bits;

	if (ps != 12 && ps != 16)
		die("ppc64 pages are 4K or 64K");
	m->page_shift = ps;
	bits = hash ? (ps == 16 ? hash64k : hash4k) : (ps == 16 ? radix64k : radix4k);
	m->levels = 4;
	shift = ps;
	for (int l = 3; l >= 0; l--) {
		m->pt_shift[l] = (uint8_t)shift;
		m->pt_bits[l] = bits[l];
		shift += bits[l];
	}
	m->entry_size = 8;
	m->max_leaf_up = hash ? 1 : 2;
	m->va_bits = shift;
	m->section_bits = 24;
	m->physmem_bits = 51;
	m->max_order = ps == 16 ? 8 : 10;
	m->pmd_order = m->pt_shift[2] - ps;
	m->page_offset = 0xc000000000000000ull;
	m->image_base_va = m->page_offset;
	m->vmemmap_base = 0xc00c000000000000ull;
	m->vmalloc_start = 0xc008000000000000ull;
	/* vmemmap blocks: 2 MiB (radix), 16 MiB (hash 64K), both a PMD leaf */
	m->memmap_leaf = 1;
	m->memmap_chunk = 1ull << m->pt_shift[2];
}

static uint64_t ppc64_table(const struct model *m, unsigned level, uint64_t pa)
{
	/* valid, and (radix) the next level's index size in the low bits */
	return PPC_PRESENT | pa | m->pt_bits[level + 1];
}

static uint64_t ppc64_leaf(const struct model *m, unsigned level, uint64_t pa, bool exec)
{
	(void)m, (void)level;
	/* present, leaf, accessed + dirty, read, write, (exec) */
	return PPC_PRESENT | PPC_PTE | pa | 0x300 | 0x4 | 0x2 | (exec ? 0x1 : 0);
}

static int ppc64_decode(const struct model *m, unsigned level, uint64_t e, uint64_t *pa)
{
	if (!e)
		return 0;
	if (e & PPC_PTE) {
		*pa = e & ((1ull << 53) - 1) & ~(m->page_size - 1);
		return 2;
	}
	if (level == last(m))
		return 0;
	*pa = e & ~0xc0000000000000ffull;
	return 1;
}

static void ppc64_vmcoreinfo(const struct model *m, struct sbuf *b)
{
	sb_printf(b, "SYMBOL(vmemmap_list)=%llx\n", (unsigned long long)m->vmemmap_list_va);
	sb_printf(b, "SYMBOL(mmu_vmemmap_psize)=%llx\n", (unsigned long long)m->vmemmap_psize_va);
	sb_printf(b, "SYMBOL(mmu_psize_defs)=%llx\n", (unsigned long long)m->psize_defs_va);
	sb_printf(b, "SIZE(vmemmap_backing)=24\nOFFSET(vmemmap_backing.list)=0\n"
		  "OFFSET(vmemmap_backing.phys)=8\nOFFSET(vmemmap_backing.virt_addr)=16\n"
		  "SIZE(mmu_psize_def)=96\nOFFSET(mmu_psize_def.shift)=0\n");
	/* Linux 6.7 added the MMU type (and cur_cpu_spec) */
	if (m->g->major > 6 || (m->g->major == 6 && m->g->minor >= 7))
		sb_printf(b, "NUMBER(RADIX_MMU)=%d\n", !m->sp->hash_mmu);
	sb_printf(b, "KERNELOFFSET=0\n");
}

/* ---- s390x ---- */

/* table type of a level: region-third 1, segment 0, page -1 */
static int s390_type(const struct model *m, unsigned level)
{
	return (int)m->levels - 2 - (int)level;
}

static void s390x_configure(struct model *m)
{
	static const uint8_t shift[] = { 31, 20, 12 }, bits[] = { 11, 11, 8 };

	if (m->sp->page_shift && m->sp->page_shift != 12)
		die("s390x pages are 4K");
	m->page_shift = 12;
	m->levels = 3;
	for (unsigned l = 0; l < 3; l++) {
		m->pt_shift[l] = shift[l];
		m->pt_bits[l] = bits[l];
	}
	m->entry_size = 8;
	m->max_leaf_up = 2;                      /* 1 MiB segment, 2 GiB region-third frames */
	m->va_bits = 42;
	m->section_bits = 28;
	m->physmem_bits = 46;
	m->max_order = 10;
	m->pmd_order = 8;                        /* 1 MiB huge pages */
	m->page_offset = 0;                      /* memory mapped 1:1 */
	m->image_base_va = 0;
	m->vmemmap_base = 0x3c000000000ull;
	m->vmalloc_start = 0x3a000000000ull;
	m->memmap_leaf = m->sp->vmemmap_leaf;
}

static uint64_t s390x_table(const struct model *m, unsigned level, uint64_t pa)
{
	int t = s390_type(m, level);

	/* region entries: type and the table length (a full 4-page table) */
	return pa | (uint64_t)t << 2 | (t > 0 ? 3 : 0);
}

static uint64_t s390x_leaf(const struct model *m, unsigned level, uint64_t pa, bool exec)
{
	int t = s390_type(m, level);

	(void)exec;
	if (t < 0)
		return pa;                       /* a valid page */
	return pa | 0x400 | (uint64_t)t << 2;    /* a large segment / region-third frame */
}

static uint64_t s390x_empty(const struct model *m, unsigned level)
{
	int t = s390_type(m, level);

	return t < 0 ? 0x400 : 0x20 | (uint64_t)t << 2;
}

static int s390x_decode(const struct model *m, unsigned level, uint64_t e, uint64_t *pa)
{
	int t = s390_type(m, level);

	if (t < 0) {
		if (e & 0x400)
			return 0;
		*pa = e & ~0xfffull;
		return 2;
	}
	if (e & 0x20)
		return 0;
	if (e & 0x400) {
		*pa = e & ~(t ? 0x7fffffffull : 0xfffffull);
		return 2;
	}
	*pa = e & ~(t ? 0xfffull : 0x7ffull);
	return 1;
}

static void s390x_vmcoreinfo(const struct model *m, struct sbuf *b)
{
	sb_printf(b, "SYMBOL(high_memory)=%llx\n", (unsigned long long)(m->sym_misc + 0x600));
	sb_printf(b, "KERNELOFFSET=0\n");
}

/* ---- riscv64 ---- */

static void riscv64_configure(struct model *m)
{
	unsigned va = m->sp->va_bits ? m->sp->va_bits : 39;

	if (va != 39 && va != 48 && va != 57)
		die("riscv64 va-bits 39, 48 or 57");
	if (m->sp->page_shift && m->sp->page_shift != 12)
		die("riscv64 pages are 4K");
	m->page_shift = 12;
	geometry(m, (va - 12) / 9, 9, 9);
	m->max_leaf_up = 2;
	m->va_bits = va;
	m->section_bits = 27;
	m->physmem_bits = 56;
	m->max_order = 10;
	m->pmd_order = 9;
	/* Documentation/arch/riscv/vm-layout.rst */
	m->page_offset = va == 39 ? 0xffffffd800000000ull : va == 48 ? 0xffffaf8000000000ull
		       : 0xff60000000000000ull;
	m->vmemmap_base = va == 39 ? 0xffffffc600000000ull : va == 48 ? 0xffff8d8000000000ull
			: 0xff1c000000000000ull;          /* VMEMMAP_START; RAM start later */
	m->image_base_va = 0xffffffff80000000ull;          /* KERNEL_LINK_ADDR */
	m->image_va_lo = m->image_base_va;
	m->image_va_span = 0;                              /* no virtual KASLR */
	m->vmalloc_start = m->page_offset - (va == 39 ? 1ull << 36 : va == 48 ? 1ull << 45
					     : 1ull << 54);
	m->memmap_leaf = m->sp->vmemmap_leaf;
}

static uint64_t riscv64_table(const struct model *m, unsigned level, uint64_t pa)
{
	(void)m, (void)level;
	return (pa >> 12) << 10 | 0x1;
}

static uint64_t riscv64_leaf(const struct model *m, unsigned level, uint64_t pa, bool exec)
{
	(void)m, (void)level;
	/* V R W (X) G A D */
	return (pa >> 12) << 10 | 0x1 | 0x2 | 0x4 | (exec ? 0x8 : 0) | 0x20 | 0x40 | 0x80;
}

static int riscv64_decode(const struct model *m, unsigned level, uint64_t e, uint64_t *pa)
{
	if (!(e & 1))
		return 0;
	*pa = ((e >> 10) & ((1ull << 44) - 1)) << 12;
	if (e & 0xe)
		return 2;
	return level == last(m) ? 0 : 1;
}

static void riscv64_vmcoreinfo(const struct model *m, struct sbuf *b)
{
	uint64_t vmemmap_start = m->vmemmap_base + (m->linear_base >> m->page_shift) * SP_SIZE;

	/* 6.9+ print VMALLOC_START in the generic part */
	if (m->g->major < 6 || (m->g->major == 6 && m->g->minor < 9))
		sb_printf(b, "NUMBER(VMALLOC_START)=0x%llx\n", (unsigned long long)m->vmalloc_start);
	sb_printf(b, "NUMBER(phys_ram_base)=%lld\n", (long long)m->linear_base);
	sb_printf(b, "NUMBER(PAGE_OFFSET)=0x%llx\n", (unsigned long long)m->page_offset);
	sb_printf(b, "NUMBER(VMALLOC_END)=0x%llx\n", (unsigned long long)m->page_offset);
	sb_printf(b, "NUMBER(VA_BITS)=%u\n", m->va_bits);
	sb_printf(b, "NUMBER(VMEMMAP_START)=0x%llx\n", (unsigned long long)vmemmap_start);
	sb_printf(b, "NUMBER(VMEMMAP_END)=0x%llx\n", (unsigned long long)m->vmalloc_start);
	sb_printf(b, "NUMBER(MODULES_VADDR)=0x%llx\n",
		  (unsigned long long)(m->image_base_va - (2ull << 30)));
	sb_printf(b, "NUMBER(MODULES_END)=0x%llx\n", (unsigned long long)m->image_base_va);
	sb_printf(b, "NUMBER(KERNEL_LINK_ADDR)=0x%llx\n", (unsigned long long)m->image_base_va);
	sb_printf(b, "NUMBER(va_kernel_pa_offset)=0x%llx\n", (unsigned long long)m->image_voff);
}

/* ---- i386 ---- */

#define I386_PAGE_OFFSET 0xc0000000ull
#define I386_LOWMEM      (896ull << 20)     /* 4 GiB - PAGE_OFFSET - 128 MiB vmalloc */

static bool i386_pae(const struct model *m)
{
	return m->levels == 3;
}

static void i386_configure(struct model *m)
{
	bool pae = m->sp->paging == 3;

	if (m->sp->page_shift && m->sp->page_shift != 12)
		die("i386 pages are 4K");
	if (m->g->order_loc != ORD_FIELD)
		die("i386: kernel 4.19 .. 6.1 (the ILP32 page[1] of 6.3+ is not modelled)");
	/* above 4 GiB kexec-tools writes an ELF64 core: not modelled */
	if (m->sp->memory > (4ull << 30))
		die("i386: memory up to 4G (an ELF32 core)");
	if (m->sp->nodes > 1)
		die("i386: FLATMEM has one node");
	m->page_shift = 12;
	if (pae) {
		geometry(m, 3, 9, 2);
	} else {
		geometry(m, 2, 10, 10);
		m->entry_size = 4;
	}
	m->max_leaf_up = 1;                      /* 2 MiB (PAE) / 4 MiB PSE pages */
	m->va_bits = 32;
	m->word = 4;
	m->sp_size = 40;
	m->flatmem = true;
	m->section_bits = pae ? 29 : 26;         /* sparsemem_32.h (unused by FLATMEM) */
	m->physmem_bits = pae ? 36 : 32;
	m->max_order = 10;
	m->pmd_order = pae ? 9 : 10;
	m->page_offset = I386_PAGE_OFFSET;
	m->image_base_va = I386_PAGE_OFFSET;
	m->vmemmap_base = 0;
	m->vmalloc_start = I386_PAGE_OFFSET + I386_LOWMEM + (8ull << 20);
	m->lowmem_end = I386_LOWMEM >> m->page_shift;
	m->kaslr_phys_max = 512ull << 20;        /* KERNEL_IMAGE_SIZE */
	m->memmap_leaf = 0;
}

static uint64_t i386_table(const struct model *m, unsigned level, uint64_t pa)
{
	(void)level;
	/* a PAE pointer-table entry is present only; others rw accessed dirty */
	return pa | (i386_pae(m) && level == 0 ? 0x001 : 0x063);
}

static uint64_t i386_leaf(const struct model *m, unsigned level, uint64_t pa, bool exec)
{
	uint64_t e = pa | 0x163 | (level < last(m) ? X86_PSE : 0);   /* + global */

	/* NX exists with PAE only */
	return exec || !i386_pae(m) ? e : e | X86_NX;
}

static int i386_decode(const struct model *m, unsigned level, uint64_t e, uint64_t *pa)
{
	if (!(e & X86_P))
		return 0;
	if (level == last(m)) {
		*pa = e & (i386_pae(m) ? X86_ADDR : 0xfffff000ull);
		return 2;
	}
	if (!i386_pae(m) && (e & X86_PSE)) {
		*pa = e & 0xffc00000ull;         /* 4 MiB page (PSE-36 bits stay 0 below 4 GiB) */
		return 2;
	}
	if (i386_pae(m) && level == 1 && (e & X86_PSE)) {
		*pa = e & X86_ADDR & ~((1ull << 21) - 1);
		return 2;
	}
	*pa = e & (i386_pae(m) ? X86_ADDR : 0xfffff000ull);
	return 1;
}

static void i386_vmcoreinfo(const struct model *m, struct sbuf *b)
{
	/* arch/x86/kernel/crash_core_32.c */
	if (i386_pae(m))
		sb_printf(b, "CONFIG_X86_PAE=y\n");
}

/* ---- the list ---- */

static const struct garch arches[] = {
	{ "x86_64", "x86_64", EM_X86_64, false, false, false, 336, 12, 0,
	  x86_configure, x86_kaslr, x86_table, x86_leaf, NULL, x86_decode, x86_vmcoreinfo },
	{ "arm64", "aarch64", EM_AARCH64, false, false, false, 392, 12, SZ_1G,
	  arm64_configure, NULL, arm64_table, arm64_leaf, NULL, arm64_decode, arm64_vmcoreinfo },
	{ "ppc64le", "ppc64le", EM_PPC64, false, true, true, 504, 16, 0,
	  ppc64_configure, NULL, ppc64_table, ppc64_leaf, NULL, ppc64_decode, ppc64_vmcoreinfo },
	{ "s390x", "s390x", EM_S390, true, true, true, 336, 12, 0,
	  s390x_configure, NULL, s390x_table, s390x_leaf, s390x_empty, s390x_decode,
	  s390x_vmcoreinfo },
	{ "riscv64", "riscv64", EM_RISCV, false, false, false, 376, 12, 4096,
	  riscv64_configure, NULL, riscv64_table, riscv64_leaf, NULL, riscv64_decode,
	  riscv64_vmcoreinfo },
	{ "i386", "i686", EM_386, false, false, true, 144, 12, 0,
	  i386_configure, NULL, i386_table, i386_leaf, NULL, i386_decode, i386_vmcoreinfo },
};

const struct garch *garch_by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strcasecmp(arches[i].name, name))
			return &arches[i];
	return NULL;
}

void garch_list(void)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		printf("%s\n", arches[i].name);
}

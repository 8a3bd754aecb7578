/* arm64.c - arm64 (AArch64) address translation for the crashed kernel.
 *
 * Paging form (the generic walk in pgtable.c does the walking): granules of
 * 4, 16 or 64 KiB (the VMCOREINFO PAGESIZE), 8-byte little-endian
 * descriptors, PAGE_SHIFT - 3 index bits per level and
 * (va_bits - 4) / (PAGE_SHIFT - 3) levels: 4K pages give 3 levels at 39
 * bits, 4 at 48 and 5 at 52; 16K 2 at 36, 3 at 47, 4 at 48 and 52; 64K 2 at
 * 42, 3 at 48 and 52.  Descriptor bits 1:0 are 11 for a table (or a page at
 * the last level), 01 for a block (a huge page above the last level); bit 0
 * clear is invalid.  Output addresses are bits 47:PAGE_SHIFT, and with
 * 52-bit physical addresses (NUMBER(MAX_PHYSMEM_BITS)=52) either LPA (64K
 * pages: PA bits 51:48 in descriptor bits 15:12) or LPA2 (4K/16K pages,
 * FEAT_LPA2 in use: bits 49:PAGE_SHIFT, and PA bits 51:50 in bits 9:8).
 *
 * VA bits: NUMBER(VA_BITS) is what the kernel was built for; TCR_EL1.T1SZ
 * (NUMBER(TCR_EL1_T1SZ), 5.9+) what it ran with: a 52-bit kernel runs with
 * 48 bits on hardware without LVA/LPA2.  Where that changes the number of
 * levels (4K pages with LPA2: 5 -> 4, the top level folded away) the walk
 * uses the bits in use; where it does not (64K, 16K), the kernel keeps its
 * full-size top table and points TTBR1 into it, so indexing that table with
 * the built-in VA bits is what the kernel itself does.  LPA2 is in use when
 * 4K/16K pages run with 52 VA bits (the kernel enables 52-bit VA only with
 * LPA2); otherwise bits 9:8 are shareability bits.
 *
 * The top table is swapper_pg_dir, a kernel image symbol: its physical
 * address is vaddr - NUMBER(kimage_voffset) (KASLR moves the image).
 * Kernels without kimage_voffset (before 4.6) have the image in the linear
 * map: paddr = vaddr - PAGE_OFFSET + PHYS_OFFSET, where the linear map is
 * the upper half of the kernel VA space before 5.4 and the lower half from
 * 5.4 (the "flipped" layout): which one is told by where _stext lies, not by
 * the version.  phys_base (the kdump sub header's) is NUMBER(PHYS_OFFSET),
 * as makedumpfile's; without it, a linear-map PT_LOAD gives it.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>

#include "arch.h"
#include "pgtable.h"
#include "../kernel/kernel.h"

#ifndef EM_AARCH64
#define EM_AARCH64 183
#endif

#define DESC_VALID   0x1ull
#define DESC_TABLE   0x2ull     /* with VALID: table, or page at the last level */

enum arm64_pa52 { PA48, PA52_LPA, PA52_LPA2 };

struct arm64_data {
	struct pgtable_format pt;
	uint64_t root;                  /* physical address of swapper_pg_dir */
	unsigned va_bits;               /* NUMBER(VA_BITS) */
	unsigned va_bits_actual;        /* 64 - T1SZ, else va_bits */
	unsigned walk_va_bits;          /* the bits the walk's top level indexes */
	bool flipped;                   /* linear map in the lower half (5.4+) */
	uint64_t page_offset;           /* start of the linear map */
};

static unsigned arm64_levels(unsigned va_bits, unsigned page_shift)
{
	return (va_bits - 4) / (page_shift - 3);
}

static enum pgtable_entry arm64_decode(const struct pgtable_format *f, unsigned level,
				       uint64_t e, uint64_t *ret_addr)
{
	uint64_t addr = e & f->addr_mask;

	if (!(e & DESC_VALID))
		return PGTABLE_INVALID;
	if (f->param == PA52_LPA)
		addr |= ((e >> 12) & 0xf) << 48;
	else if (f->param == PA52_LPA2)
		addr |= ((e >> 8) & 0x3) << 50;
	*ret_addr = addr;
	if (level + 1 == f->levels)
		return (e & DESC_TABLE) ? PGTABLE_LEAF : PGTABLE_INVALID;  /* 01 is reserved there */
	return (e & DESC_TABLE) ? PGTABLE_TABLE : PGTABLE_LEAF;
}

/* SPARSEMEM: 30-bit sections until 5.12, then 29 with 64K pages and 27
 * with 4K and 16K. */
static unsigned arm64_section_size_bits(const struct kernel *k)
{
	if (k->version && k->version < KERNEL_VERSION_CODE(5, 12, 0))
		return 30;
	return k->page_shift == 16 ? 29 : 27;
}

static unsigned arm64_max_physmem_bits(const struct kernel *k)
{
	const struct arm64_data *d = k->arch_data;

	return d && d->va_bits == 52 ? 52 : 48;
}

static bool is_linear(const struct arm64_data *d, uint64_t vaddr)
{
	bool upper_half = (vaddr >> (d->va_bits_actual - 1)) & 1;

	return d->flipped ? !upper_half : upper_half;
}

/* The linear map's physical base: NUMBER(PHYS_OFFSET), else a linear-map
 * PT_LOAD (a kdump /proc/vmcore has them). */
static int find_phys_offset(struct kernel *k, struct arm64_data *d, struct ds_err *err)
{
	uint64_t vaddr, paddr, size;
	int64_t num;

	if (vmci_number(k->vi, "PHYS_OFFSET", &num)) {
		k->phys_base = (uint64_t)num;
		return 0;
	}
	for (size_t i = 0; kernel_input_mapping(k, i, &vaddr, &paddr, &size); i++) {
		if (vaddr >= d->page_offset && is_linear(d, vaddr)) {
			k->phys_base = paddr - (vaddr - d->page_offset);
			return 0;
		}
	}
	return ds_err_set(err, DS_ENODATA,
			  "VMCOREINFO has no NUMBER(PHYS_OFFSET) and no mapping of the "
			  "arm64 linear map is known");
}

static int arm64_init(struct kernel *k, struct ds_err *err)
{
	struct arm64_data *d = calloc(1, sizeof(*d));
	unsigned ps = k->page_shift, levels, levels_built;
	uint64_t sym, stext, voff = 0;
	int64_t num;
	bool has_voff;
	int r;

	if (!d)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	k->arch_data = d;
	if (ps != 12 && ps != 14 && ps != 16)
		return ds_err_set(err, DS_ECORRUPT,
				  "PAGESIZE=%u is not an arm64 granule (4K, 16K, 64K)", k->page_size);
	if (!vmci_number(k->vi, "VA_BITS", &num))
		return ds_err_set(err, DS_ENODATA, "VMCOREINFO has no NUMBER(VA_BITS) (arm64)");
	if (num < 36 || num > 52)
		return ds_err_set(err, DS_ECORRUPT, "NUMBER(VA_BITS)=%" PRId64 " is not an arm64 "
				  "VA size (36..52)", num);
	d->va_bits = (unsigned)num;
	d->va_bits_actual = d->va_bits;
	if (vmci_number(k->vi, "TCR_EL1_T1SZ", &num)) {
		if (num < 12 || num > 28)
			return ds_err_set(err, DS_ECORRUPT,
					  "NUMBER(TCR_EL1_T1SZ)=%" PRId64 " is out of range (12..28)", num);
		d->va_bits_actual = 64 - (unsigned)num;
	}
	levels_built = arm64_levels(d->va_bits, ps);
	levels = arm64_levels(d->va_bits_actual, ps);
	if (levels < 2 || levels > PGTABLE_MAX_LEVELS || levels_built > PGTABLE_MAX_LEVELS)
		return ds_err_set(err, DS_ECORRUPT,
				  "arm64 with %u-byte pages and %u VA bits is not a paging form",
				  k->page_size, d->va_bits_actual);
	d->walk_va_bits = levels == levels_built ? d->va_bits : d->va_bits_actual;
	pgtable_geometry(&d->pt, levels, ps, ps - 3,
			 d->walk_va_bits - (ps + (levels - 1) * (ps - 3)));
	d->pt.entry_size = 8;
	d->pt.big_endian = k->mach.big_endian;   /* descriptors follow the data order */
	d->pt.decode = arm64_decode;
	d->pt.addr_mask = ((UINT64_C(1) << 48) - 1) & ~((UINT64_C(1) << ps) - 1);
	d->pt.param = PA48;
	if (vmci_number(k->vi, "MAX_PHYSMEM_BITS", &num) && num == 52) {
		if (ps == 16) {
			d->pt.param = PA52_LPA;
		} else if (d->va_bits_actual == 52) {
			d->pt.param = PA52_LPA2;
			d->pt.addr_mask = ((UINT64_C(1) << 50) - 1) & ~((UINT64_C(1) << ps) - 1);
		}
	}

	/* where the linear map is: _stext lies in the upper half of the
	 * kernel VA space from 5.4 on (the image moved out of the linear map
	 * in 4.6, below it until 5.4) */
	if (vmci_symbol(k->vi, "_stext", &stext)) {
		unsigned min_bits = d->va_bits > 48 ? 48 : d->va_bits;

		d->flipped = stext > (uint64_t)0 - (UINT64_C(1) << (min_bits - 1));
	} else {
		d->flipped = k->version >= KERNEL_VERSION_CODE(5, 4, 0);
	}
	d->page_offset = d->flipped ? (uint64_t)0 - (UINT64_C(1) << d->va_bits_actual)
				    : (uint64_t)0 - (UINT64_C(1) << (d->va_bits_actual - 1));

	has_voff = vmci_number(k->vi, "kimage_voffset", &num);
	if (has_voff)
		voff = (uint64_t)num;
	if ((r = find_phys_offset(k, d, err)) < 0 && !has_voff)
		return r;
	if (r < 0) {           /* translation does not need it: header gets 0 */
		ds_err_clear(err);
		k->phys_base = 0;
	}
	if (!vmci_symbol(k->vi, "swapper_pg_dir", &sym))
		return ds_err_set(err, DS_ENODATA,
				  "VMCOREINFO has no SYMBOL(swapper_pg_dir) (arm64 page table root)");
	if (has_voff && !is_linear(d, sym))
		d->root = sym - voff;
	else
		d->root = sym - d->page_offset + k->phys_base;
	return 0;
}

static int arm64_vtop(struct kernel *k, uint64_t vaddr, uint64_t *ret_paddr,
		      uint64_t *ret_map_size, struct ds_err *err)
{
	const struct arm64_data *d = k->arch_data;

	/* TTBR1 addresses only: every bit above the VA size set */
	if ((vaddr >> d->va_bits_actual) != UINT64_MAX >> d->va_bits_actual)
		return ds_err_set(err, DS_ECORRUPT,
				  "0x%" PRIx64 " is not an arm64 kernel address (%u VA bits)",
				  vaddr, d->va_bits_actual);
	return pgtable_walk(k, &d->pt, d->root, vaddr, ret_paddr, ret_map_size, err);
}

const struct arch_ops arch_arm64_ops = {
	.name = "aarch64",
	.elf_machine = EM_AARCH64,
	.word_size = 8,
	.byte_orders = ARCH_LITTLE_ENDIAN | ARCH_BIG_ENDIAN,
	.section_size_bits = arm64_section_size_bits,
	.max_physmem_bits = arm64_max_physmem_bits,
	.init = arm64_init,
	.vtop = arm64_vtop,
};

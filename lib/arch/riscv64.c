/* riscv64.c - riscv64 address translation for the crashed kernel.
 *
 * Paging form (walked by pgtable.c): Sv39, Sv48 or Sv57 - 3, 4 or 5 levels
 * of 9 index bits above 4 KiB pages, 8-byte little-endian entries.  An
 * entry is valid with bit 0 (V); it is a leaf, at any level, when one of
 * R/W/X (bits 1-3) is set, else it points at the next table.  The physical
 * page number is in bits 53:10 (the bits above are Svpbmt/Svnapot
 * attributes).  NUMBER(VA_BITS) says which form the kernel ran with.
 *
 * The top table is swapper_pg_dir, in the kernel image: images addresses
 * (from NUMBER(KERNEL_LINK_ADDR) up) map at vaddr - NUMBER(va_kernel_pa_offset),
 * linear-map addresses at vaddr - NUMBER(PAGE_OFFSET) + NUMBER(phys_ram_base).
 * phys_base (the kdump sub header's) is phys_ram_base, as makedumpfile's.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>

#include "arch.h"
#include "pgtable.h"
#include "../kernel/kernel.h"

#ifndef EM_RISCV
#define EM_RISCV 243
#endif

#define PTE_V      0x1ull
#define PTE_RWX    0xeull
#define PTE_PPN    0x003ffffffffffc00ull     /* bits 53:10 */

struct riscv64_data {
	struct pgtable_format pt;
	uint64_t root;
	unsigned va_bits;
};

static enum pgtable_entry riscv64_decode(const struct pgtable_format *f, unsigned level,
					 uint64_t e, uint64_t *ret_addr)
{
	if (!(e & PTE_V))
		return PGTABLE_INVALID;
	*ret_addr = (e & PTE_PPN) << 2;          /* PPN << 12, from bit 10 */
	if (e & PTE_RWX)
		return PGTABLE_LEAF;
	return level + 1 == f->levels ? PGTABLE_INVALID : PGTABLE_TABLE;
}

static unsigned riscv64_section_size_bits(const struct kernel *k)
{
	(void)k;
	return 27;
}

static unsigned riscv64_max_physmem_bits(const struct kernel *k)
{
	(void)k;
	return 56;
}

/* NUMBER(name), with makedumpfile's lower-case spelling as a fallback. */
static bool number(const struct kernel *k, const char *name, const char *alt, uint64_t *ret)
{
	int64_t v;

	if (!vmci_number(k->vi, name, &v) && !(alt && vmci_number(k->vi, alt, &v)))
		return false;
	*ret = (uint64_t)v;
	return true;
}

static int riscv64_init(struct kernel *k, struct ds_err *err)
{
	struct riscv64_data *d = calloc(1, sizeof(*d));
	uint64_t va_bits, page_offset, link_addr, kpa_off, ram_base, sym;

	if (!d)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	k->arch_data = d;
	if (k->page_shift != 12)
		return ds_err_set(err, DS_ECORRUPT,
				  "PAGESIZE=%u: riscv64 pages are 4096 bytes", k->page_size);
	if (!number(k, "VA_BITS", "va_bits", &va_bits))
		return ds_err_set(err, DS_ENODATA, "VMCOREINFO has no NUMBER(VA_BITS) (riscv64)");
	if (va_bits != 39 && va_bits != 48 && va_bits != 57)
		return ds_err_set(err, DS_ECORRUPT,
				  "NUMBER(VA_BITS)=%" PRIu64 " is not Sv39, Sv48 or Sv57", va_bits);
	d->va_bits = (unsigned)va_bits;
	pgtable_geometry(&d->pt, (d->va_bits - 12) / 9, 12, 9, 9);
	d->pt.entry_size = 8;
	d->pt.decode = riscv64_decode;
	d->pt.addr_mask = PTE_PPN;

	if (!number(k, "PAGE_OFFSET", "page_offset", &page_offset) ||
	    !number(k, "KERNEL_LINK_ADDR", "kernel_link_addr", &link_addr) ||
	    !number(k, "va_kernel_pa_offset", NULL, &kpa_off))
		return ds_err_set(err, DS_ENODATA,
				  "VMCOREINFO lacks NUMBER(PAGE_OFFSET), NUMBER(KERNEL_LINK_ADDR) or "
				  "NUMBER(va_kernel_pa_offset) (riscv64)");
	if (!number(k, "phys_ram_base", NULL, &ram_base))
		return ds_err_set(err, DS_ENODATA, "VMCOREINFO has no NUMBER(phys_ram_base) (riscv64)");
	k->phys_base = ram_base;
	if (!vmci_symbol(k->vi, "swapper_pg_dir", &sym))
		return ds_err_set(err, DS_ENODATA,
				  "VMCOREINFO has no SYMBOL(swapper_pg_dir) (riscv64 page table root)");
	if (sym >= link_addr)
		d->root = sym - kpa_off;
	else if (sym >= page_offset)
		d->root = sym - page_offset + ram_base;
	else
		return ds_err_set(err, DS_ECORRUPT,
				  "SYMBOL(swapper_pg_dir)=0x%" PRIx64 " is below PAGE_OFFSET", sym);
	return 0;
}

static int riscv64_vtop(struct kernel *k, uint64_t vaddr, uint64_t *ret_paddr,
			uint64_t *ret_map_size, struct ds_err *err)
{
	const struct riscv64_data *d = k->arch_data;
	uint64_t top = vaddr >> (d->va_bits - 1);

	/* addresses are sign-extended from bit va_bits - 1 */
	if (top != 0 && top != UINT64_MAX >> (d->va_bits - 1))
		return ds_err_set(err, DS_ECORRUPT,
				  "0x%" PRIx64 " is not a canonical Sv%u address", vaddr, d->va_bits);
	return pgtable_walk(k, &d->pt, d->root, vaddr, ret_paddr, ret_map_size, err);
}

const struct arch_ops arch_riscv64_ops = {
	.name = "riscv64",
	.elf_machine = EM_RISCV,
	.word_size = 8,
	.byte_orders = ARCH_LITTLE_ENDIAN,
	.section_size_bits = riscv64_section_size_bits,
	.max_physmem_bits = riscv64_max_physmem_bits,
	.init = riscv64_init,
	.vtop = riscv64_vtop,
};

/* i386.c - 32-bit x86 address translation for the crashed kernel.
 *
 * Paging form (walked by pgtable.c), as the kernel was built:
 *   - two levels of 10 index bits and 4-byte entries above 4 KiB pages,
 *     a directory entry with PSE mapping 4 MiB (PSE-36 puts physical
 *     address bits 35:32 in entry bits 16:13);
 *   - PAE (VMCOREINFO CONFIG_X86_PAE=y): three levels, a 4-entry pointer
 *     table (2 bits), then 9 + 9 bits, 8-byte entries, 2 MiB pages where
 *     a middle-level entry has PSE; NX (bit 63) and the bits above the
 *     physical address are not address.
 * Entries are present with bit 0.  The top table is swapper_pg_dir, whose
 * physical address is vaddr - PAGE_OFFSET: the kernel image lives in the
 * lowmem linear map (KASLR moves it physically and virtually together).
 * PAGE_OFFSET is 0xc0000000 unless a PT_LOAD of the vmcore says otherwise
 * (kexec maps lowmem at PAGE_OFFSET + paddr).  phys_base is 0.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "pgtable.h"
#include "../kernel/kernel.h"

#define PAGE_OFFSET_DEFAULT 0xc0000000ull
#define PTE_PRESENT 0x1ull
#define PTE_PSE     0x80ull

struct i386_data {
	struct pgtable_format pt;
	uint64_t root;
	uint64_t page_offset;
	bool pae;
};

static enum pgtable_entry i386_decode(const struct pgtable_format *f, unsigned level,
				      uint64_t e, uint64_t *ret_addr)
{
	bool last = level + 1 == f->levels;

	if (!(e & PTE_PRESENT))
		return PGTABLE_INVALID;
	*ret_addr = e & f->addr_mask;
	if (last)
		return PGTABLE_LEAF;
	/* PSE: 4 MiB (2-level, top) or 2 MiB (PAE, middle); the PAE pointer
	 * table has no PSE bit */
	if ((e & PTE_PSE) && f->shift[level] <= 22) {
		if (f->entry_size == 4)   /* PSE-36: PA 35:32 in bits 16:13 */
			*ret_addr = (e & 0xffc00000ull) | ((e >> 13) & 0xfull) << 32;
		return PGTABLE_LEAF;
	}
	return PGTABLE_TABLE;
}

static unsigned i386_section_size_bits(const struct kernel *k)
{
	const struct i386_data *d = k->arch_data;

	if (d && d->pae)
		return k->version && k->version < KERNEL_VERSION_CODE(2, 6, 26) ? 30 : 29;
	return 26;
}

static unsigned i386_max_physmem_bits(const struct kernel *k)
{
	const struct i386_data *d = k->arch_data;

	return d && d->pae ? 36 : 32;
}

/* kexec maps lowmem at PAGE_OFFSET + paddr: a PT_LOAD with a vaddr above
 * 2 GiB (the lowest split the kernel offers) tells PAGE_OFFSET. */
static uint64_t find_page_offset(const struct kernel *k)
{
	uint64_t vaddr, paddr, size;

	for (size_t i = 0; kernel_input_mapping(k, i, &vaddr, &paddr, &size); i++)
		if (vaddr >= 0x40000000ull && vaddr <= 0xffffffffull && vaddr > paddr &&
		    ((vaddr - paddr) & 0xffffff) == 0)
			return vaddr - paddr;
	return PAGE_OFFSET_DEFAULT;
}

static int i386_init(struct kernel *k, struct ds_err *err)
{
	struct i386_data *d = calloc(1, sizeof(*d));
	const char *pae = vmci_string(k->vi, "CONFIG_X86_PAE");
	uint64_t sym;

	if (!d)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	k->arch_data = d;
	if (k->page_shift != 12)
		return ds_err_set(err, DS_ECORRUPT,
				  "PAGESIZE=%u: i386 pages are 4096 bytes", k->page_size);
	d->pae = pae && !strcmp(pae, "y");
	if (d->pae) {
		d->pt.levels = 3;
		d->pt.shift[0] = 30, d->pt.bits[0] = 2;
		d->pt.shift[1] = 21, d->pt.bits[1] = 9;
		d->pt.shift[2] = 12, d->pt.bits[2] = 9;
		d->pt.entry_size = 8;
		d->pt.addr_mask = 0x000ffffffffff000ull;
	} else {
		pgtable_geometry(&d->pt, 2, 12, 10, 10);
		d->pt.entry_size = 4;
		d->pt.addr_mask = 0xfffff000ull;
	}
	d->pt.decode = i386_decode;
	k->phys_base = 0;
	d->page_offset = find_page_offset(k);
	if (!vmci_symbol(k->vi, "swapper_pg_dir", &sym))
		return ds_err_set(err, DS_ENODATA,
				  "VMCOREINFO has no SYMBOL(swapper_pg_dir) (i386 page table root)");
	if (sym < d->page_offset || sym > 0xffffffffull)
		return ds_err_set(err, DS_ECORRUPT,
				  "SYMBOL(swapper_pg_dir)=0x%" PRIx64 " is not a lowmem address "
				  "(PAGE_OFFSET 0x%" PRIx64 ")", sym, d->page_offset);
	d->root = sym - d->page_offset;
	return 0;
}

static int i386_vtop(struct kernel *k, uint64_t vaddr, uint64_t *ret_paddr,
		     uint64_t *ret_map_size, struct ds_err *err)
{
	const struct i386_data *d = k->arch_data;

	if (vaddr > 0xffffffffull)
		return ds_err_set(err, DS_ECORRUPT,
				  "0x%" PRIx64 " is not a 32-bit address", vaddr);
	return pgtable_walk(k, &d->pt, d->root, vaddr, ret_paddr, ret_map_size, err);
}

const struct arch_ops arch_i386_ops = {
	.name = "i686",
	.uts_aliases = "i386 i486 i586",
	.elf_machine = EM_386,
	.word_size = 4,
	.byte_orders = ARCH_LITTLE_ENDIAN,
	.section_size_bits = i386_section_size_bits,
	.max_physmem_bits = i386_max_physmem_bits,
	.init = i386_init,
	.vtop = i386_vtop,
};

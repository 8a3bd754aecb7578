/* x86_64.c - x86_64 address translation for the crashed kernel.
 *
 * How it works: the kernel's top-level page table is init_top_pgt (older
 * kernels: init_level4_pgt), a symbol in the kernel image.  Kernel-image
 * addresses map linearly: paddr = vaddr - __START_KERNEL_map + phys_base,
 * where phys_base is where the (relocatable, KASLR-moved) kernel was loaded.
 * Everything else (direct map, vmemmap: both randomised by KASLR) is found
 * by the generic walk (pgtable.c): 4 levels, or 5 when the kernel ran with
 * LA57 (VMCOREINFO NUMBER(pgtable_l5_enabled)=1), 9 index bits each, 8-byte
 * little-endian entries.  AMD SME sets a C-bit in entries (NUMBER(sme_mask));
 * it is masked off.  Huge pages end the walk at the PUD (1 GiB) or PMD
 * (2 MiB) level when the PSE bit is set.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>

#include "arch.h"
#include "pgtable.h"
#include "../common/bytes.h"
#include "../kernel/kernel.h"

#define START_KERNEL_MAP   0xffffffff80000000ull
#define KERNEL_IMAGE_LIMIT 0xffffffffff000000ull   /* end of the image/module area we trust */
#define PTE_PRESENT        0x1ull
#define PTE_PSE            0x80ull
#define PTE_NX             (1ull << 63)
#define PTE_ADDR_MASK      0x000ffffffffff000ull

struct x86_64_data {
	uint64_t pgd_paddr;
	unsigned va_bits;          /* 48 or 57 */
	struct pgtable_format pt;
};

static unsigned x86_64_section_size_bits(const struct kernel *k)
{
	(void)k;
	return 27;
}

static unsigned x86_64_max_physmem_bits(const struct kernel *k)
{
	const struct x86_64_data *d = k->arch_data;

	if (d && d->pt.levels == 5)
		return 52;
	if (k->version && k->version < KERNEL_VERSION_CODE(2, 6, 26))
		return 40;
	if (k->version && k->version < KERNEL_VERSION_CODE(2, 6, 31))
		return 44;
	return 46;
}

static bool in_kernel_image(uint64_t vaddr)
{
	return vaddr >= START_KERNEL_MAP && vaddr < KERNEL_IMAGE_LIMIT;
}

/* Present; a leaf at the last level, or where PSE marks a 1 GiB or 2 MiB
 * page (the PAT bit 12 of such an entry falls below the page size). */
static enum pgtable_entry x86_64_decode(const struct pgtable_format *f, unsigned level,
					uint64_t e, uint64_t *ret_addr)
{
	if (!(e & PTE_PRESENT))
		return PGTABLE_INVALID;
	*ret_addr = e & f->addr_mask;
	if (level + 1 == f->levels || (f->shift[level] <= 30 && (e & PTE_PSE)))
		return PGTABLE_LEAF;
	return PGTABLE_TABLE;
}

/* phys_base: VMCOREINFO says it since 4.10; else a dump file's header may
 * (kdump-compressed sub header); else a kdump /proc/vmcore maps the kernel
 * text, and that mapping's vaddr/paddr pair gives it. */
static int find_phys_base(struct kernel *k, struct ds_err *err)
{
	uint64_t vaddr, paddr, size;
	int64_t num;

	if (vmci_number(k->vi, "phys_base", &num)) {
		k->phys_base = (uint64_t)num;
		return 0;
	}
	if (k->in->has_phys_base) {
		k->phys_base = k->in->phys_base;
		return 0;
	}
	for (size_t i = 0; kernel_input_mapping(k, i, &vaddr, &paddr, &size); i++) {
		if (in_kernel_image(vaddr)) {
			k->phys_base = paddr - (vaddr - START_KERNEL_MAP);
			return 0;
		}
	}
	return ds_err_set(err, DS_ENODATA,
			  "VMCOREINFO has no NUMBER(phys_base) and no mapping of the kernel text is known");
}

static int x86_64_init(struct kernel *k, struct ds_err *err)
{
	struct x86_64_data *d = calloc(1, sizeof(*d));
	unsigned levels;
	uint64_t pgd;
	int64_t num;
	int r;

	if (!d)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	k->arch_data = d;
	levels = vmci_number(k->vi, "pgtable_l5_enabled", &num) && num ? 5 : 4;
	d->va_bits = levels == 5 ? 57 : 48;
	pgtable_geometry(&d->pt, levels, 12, 9, 9);
	d->pt.entry_size = 8;
	d->pt.decode = x86_64_decode;
	d->pt.addr_mask = PTE_ADDR_MASK;
	if (vmci_number(k->vi, "sme_mask", &num))
		d->pt.addr_mask &= ~(uint64_t)num;
	if ((r = find_phys_base(k, err)) < 0)
		return r;
	if (!vmci_symbol(k->vi, "init_top_pgt", &pgd) &&
	    !vmci_symbol(k->vi, "init_level4_pgt", &pgd))
		return ds_err_set(err, DS_ENODATA,
				  "VMCOREINFO has no SYMBOL(init_top_pgt) (x86_64 page table root)");
	if (!in_kernel_image(pgd))
		return ds_err_set(err, DS_ECORRUPT,
				  "SYMBOL(init_top_pgt)=0x%" PRIx64 " is not a kernel image address", pgd);
	d->pgd_paddr = pgd - START_KERNEL_MAP + k->phys_base;
	return 0;
}

static int x86_64_vtop(struct kernel *k, uint64_t vaddr, uint64_t *ret_paddr,
		       uint64_t *ret_map_size, struct ds_err *err)
{
	const struct x86_64_data *d = k->arch_data;
	/* canonical: bits above va_bits-1 equal bit va_bits-1 */
	uint64_t top = vaddr >> (d->va_bits - 1);

	if (top != 0 && top != (UINT64_MAX >> (d->va_bits - 1)))
		return ds_err_set(err, DS_ECORRUPT,
				  "0x%" PRIx64 " is not a canonical x86_64 address", vaddr);
	return pgtable_walk(k, &d->pt, d->pgd_paddr, vaddr, ret_paddr, ret_map_size, err);
}

/* Every table of the kernel's half (top-level entries 256 and up), depth
 * first, and every 4 KiB page of module data mapped in the module area
 * (not executable: struct module, the modules' symbols; loaded after boot,
 * vmalloc'd, found by nothing else); a table that cannot be read is
 * skipped.  Bounded:
 * `levels` deep, 512 entries per table. */
#define MODULES_VADDR (START_KERNEL_MAP + (1ull << 30))
#define MODULES_END   0xffffffffff000000ull

static void walk_level(struct kernel *k, uint64_t table, unsigned level, uint64_t vbase,
		       unsigned first, void (*fn)(void *, uint64_t, bool), void *arg)
{
	const struct x86_64_data *d = k->arch_data;
	static const unsigned shifts5[] = { 48, 39, 30, 21, 12 };
	const unsigned *shift = d->pt.levels == 5 ? shifts5 : shifts5 + 1;
	uint64_t addr_mask = d->pt.addr_mask;      /* without the SME C-bit */
	uint8_t entries[512 * 8];
	struct ds_err ignored;

	fn(arg, table, true);
	if (kernel_read_phys(k, table, entries, sizeof(entries), &ignored) < 0)
		return;
	for (unsigned i = first; i < 512; i++) {
		uint64_t e = bytes_get_u64(false, entries + 8 * i);
		uint64_t v = vbase | (uint64_t)i << shift[level];
		bool last = level + 1 == d->pt.levels;

		if (!(e & PTE_PRESENT))
			continue;
		if (level == 0)      /* the kernel's half is sign-extended */
			v |= ~0ull << (shift[0] + 9);
		if (last) {
			/* module data, not code: NX set (struct module, symbols) */
			if (v >= MODULES_VADDR && v < MODULES_END && (e & PTE_NX))
				fn(arg, e & addr_mask, false);
			continue;
		}
		if ((d->pt.levels - level <= 3) && (e & PTE_PSE))
			continue;            /* a huge page: no table below */
		walk_level(k, e & addr_mask, level + 1, v, 0, fn, arg);
	}
}

static void x86_64_walk_tables(struct kernel *k, void (*fn)(void *, uint64_t, bool),
			       void *arg)
{
	const struct x86_64_data *d = k->arch_data;

	walk_level(k, d->pgd_paddr, 0, 0, 256, fn, arg);
}

const struct arch_ops arch_x86_64_ops = {
	.name = "x86_64",
	.elf_machine = EM_X86_64,
	.word_size = 8,
	.byte_orders = ARCH_LITTLE_ENDIAN,
	.section_size_bits = x86_64_section_size_bits,
	.max_physmem_bits = x86_64_max_physmem_bits,
	.init = x86_64_init,
	.vtop = x86_64_vtop,
	.walk_tables = x86_64_walk_tables,
};

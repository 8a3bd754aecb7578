/* x86_64.c - x86_64 address translation for the crashed kernel.
 *
 * How it works: the kernel's top-level page table is init_top_pgt (older
 * kernels: init_level4_pgt), a symbol in the kernel image.  Kernel-image
 * addresses map linearly: paddr = vaddr - __START_KERNEL_map + phys_base,
 * where phys_base is where the (relocatable, KASLR-moved) kernel was loaded.
 * Everything else (direct map, vmemmap: both randomised by KASLR) is found
 * by walking the page tables: 4 levels, or 5 when the kernel ran with LA57
 * (VMCOREINFO NUMBER(pgtable_l5_enabled)=1).  AMD SME sets a C-bit in
 * entries (NUMBER(sme_mask)); it is masked off.  Huge pages end the walk at
 * the PUD (1 GiB) or PMD (2 MiB) level when the PSE bit is set.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>

#include "arch.h"
#include "../kernel/kernel.h"

#define START_KERNEL_MAP   0xffffffff80000000ull
#define KERNEL_IMAGE_LIMIT 0xffffffffff000000ull   /* end of the image/module area we trust */
#define PTE_PRESENT        0x1ull
#define PTE_PSE            0x80ull
#define PTE_NX             (1ull << 63)
#define PTE_ADDR_MASK      0x000ffffffffff000ull

struct x86_64_data {
	uint64_t pgd_paddr;
	unsigned levels;           /* 4 or 5 */
	uint64_t sme_mask;
};

static unsigned x86_64_section_size_bits(const struct kernel *k)
{
	(void)k;
	return 27;
}

static unsigned x86_64_max_physmem_bits(const struct kernel *k)
{
	const struct x86_64_data *d = k->arch_data;

	if (d && d->levels == 5)
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

/* phys_base: VMCOREINFO says it since 4.10; else a dump file's header may
 * (kdump-compressed sub header); else a kdump /proc/vmcore maps the kernel
 * text, and that mapping's vaddr/paddr pair gives it. */
static int find_phys_base(struct kernel *k, struct ds_err *err)
{
	int64_t num;

	if (vmci_number(k->vi, "phys_base", &num)) {
		k->phys_base = (uint64_t)num;
		return 0;
	}
	if (k->in->has_phys_base) {
		k->phys_base = k->in->phys_base;
		return 0;
	}
	for (size_t i = 0; i < k->in->n_vmaps; i++) {
		const struct dump_vmap *m = &k->in->vmaps[i];

		if (in_kernel_image(m->vaddr)) {
			k->phys_base = m->paddr - (m->vaddr - START_KERNEL_MAP);
			return 0;
		}
	}
	return ds_err_set(err, DS_ENODATA,
			  "VMCOREINFO has no NUMBER(phys_base) and no mapping of the kernel text is known");
}

static int x86_64_init(struct kernel *k, struct ds_err *err)
{
	struct x86_64_data *d = calloc(1, sizeof(*d));
	uint64_t pgd;
	int64_t num;
	int r;

	if (!d)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	k->arch_data = d;
	d->levels = vmci_number(k->vi, "pgtable_l5_enabled", &num) && num ? 5 : 4;
	if (vmci_number(k->vi, "sme_mask", &num))
		d->sme_mask = (uint64_t)num;
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

static void x86_64_release(struct kernel *k)
{
	free(k->arch_data);
	k->arch_data = NULL;
}

static int x86_64_vtop(struct kernel *k, uint64_t vaddr, uint64_t *ret_paddr,
		       uint64_t *ret_map_size, struct ds_err *err)
{
	const struct x86_64_data *d = k->arch_data;
	/* shift of the index at each level, top first */
	static const unsigned shifts5[] = { 48, 39, 30, 21, 12 };
	const unsigned *shift = d->levels == 5 ? shifts5 : shifts5 + 1;
	uint64_t table = d->pgd_paddr;
	uint64_t addr_mask = PTE_ADDR_MASK & ~d->sme_mask;
	unsigned va_bits = d->levels == 5 ? 57 : 48;

	/* canonical: bits above va_bits-1 equal bit va_bits-1 */
	uint64_t top = vaddr >> (va_bits - 1);
	if (top != 0 && top != (UINT64_MAX >> (va_bits - 1)))
		return ds_err_set(err, DS_ECORRUPT,
				  "0x%" PRIx64 " is not a canonical x86_64 address", vaddr);

	for (unsigned level = 0; level < d->levels; level++) {
		uint64_t idx = (vaddr >> shift[level]) & 0x1ff;
		uint64_t entry;
		int r;

		r = kernel_read_phys(k, table + idx * 8, &entry, sizeof(entry), err);
		if (r < 0)
			return ds_err_wrap(err, "page table walk for 0x%" PRIx64, vaddr);
		if (!(entry & PTE_PRESENT))
			return ds_err_set(err, DS_ENODATA,
					  "0x%" PRIx64 " is not mapped (level %u entry 0x%" PRIx64
					  " at paddr 0x%" PRIx64 ")", vaddr, d->levels - level, entry,
					  table + idx * 8);
		/* a huge page ends the walk at the PUD (1 GiB) or PMD (2 MiB) */
		bool last = level == d->levels - 1;
		bool huge = !last && shift[level] <= 30 && (entry & PTE_PSE);
		if (last || huge) {
			uint64_t size = 1ull << shift[level];

			*ret_paddr = (entry & addr_mask & ~(size - 1)) | (vaddr & (size - 1));
			*ret_map_size = size;
			return 0;
		}
		table = entry & addr_mask;
	}
	return ds_err_set(err, DS_ECORRUPT, "page table walk for 0x%" PRIx64 " fell through", vaddr);
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
	const unsigned *shift = d->levels == 5 ? shifts5 : shifts5 + 1;
	uint64_t addr_mask = PTE_ADDR_MASK & ~d->sme_mask, entries[512];
	struct ds_err ignored;

	fn(arg, table, true);
	if (kernel_read_phys(k, table, entries, sizeof(entries), &ignored) < 0)
		return;
	for (unsigned i = first; i < 512; i++) {
		uint64_t v = vbase | (uint64_t)i << shift[level];
		bool last = level + 1 == d->levels;

		if (!(entries[i] & PTE_PRESENT))
			continue;
		if (level == 0)      /* the kernel's half is sign-extended */
			v |= ~0ull << (shift[0] + 9);
		if (last) {
			/* module data, not code: NX set (struct module, symbols) */
			if (v >= MODULES_VADDR && v < MODULES_END && (entries[i] & PTE_NX))
				fn(arg, entries[i] & addr_mask, false);
			continue;
		}
		if ((d->levels - level <= 3) && (entries[i] & PTE_PSE))
			continue;            /* a huge page: no table below */
		walk_level(k, entries[i] & addr_mask, level + 1, v, 0, fn, arg);
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
	.section_size_bits = x86_64_section_size_bits,
	.max_physmem_bits = x86_64_max_physmem_bits,
	.init = x86_64_init,
	.release = x86_64_release,
	.vtop = x86_64_vtop,
	.walk_tables = x86_64_walk_tables,
};

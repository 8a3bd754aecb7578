/* ppc64.c - 64-bit PowerPC (Book3S, ppc64le and ppc64) address translation
 * for the crashed kernel.
 *
 * Three kinds of kernel address:
 *   - the linear map, 0xc000000000000000 + paddr (the kernel image is in
 *     it): translated by offset, under either MMU;
 *   - the vmemmap (struct pages): through vmemmap_list, a list of
 *     vmemmap_backing {list, phys, virt_addr} blocks of
 *     1 << mmu_psize_defs[mmu_vmemmap_psize].shift bytes, when the kernel
 *     kept one (hash MMU always; radix until 6.6), else through the page
 *     tables;
 *   - anything else (vmalloc): the page tables of swapper_pg_dir.
 * The page tables (walked by pgtable.c) have 4 levels whose index sizes
 * depend on the MMU and the page size (NUMBER(RADIX_MMU) or
 * cur_cpu_spec->mmu_features bit 0x40, both from 6.7; before, a radix
 * kernel is told by its linear map being in its page tables):
 *   radix 64K: 13 9 9 5 bits     radix 4K: 13 9 9 9
 *   hash  64K: 8 10 10 8 (4.17+; PUD 7 in 4.12-4.16, 12 5 5 8 in 4.6-4.11)
 *   hash  4K:  9 9 7 9
 * Entries are big-endian whatever the kernel's byte order (the MMU reads
 * them; Linux keeps its hash-MMU tables in the same format since 4.7).
 * An entry is empty when 0; bit 62 (_PAGE_PTE) makes it a leaf at any
 * level, whose physical address is bits 52:PAGE_SHIFT; otherwise bits
 * 61:8 point at the next table (a physical address since 4.6).  Leaves at
 * the last level must have bit 63 (_PAGE_PRESENT).  Kernels before 4.6
 * stored virtual addresses in the tables: their vmalloc space is not
 * translated (their struct pages still are, through vmemmap_list).
 * phys_base is 0.
 */
#include <elf.h>
#include <inttypes.h>
#include <stdlib.h>

#include "arch.h"
#include "pgtable.h"
#include "../kernel/kernel.h"

#define PPC64_PAGE_OFFSET  0xc000000000000000ull
#define PTE_PRESENT        (1ull << 63)
#define PTE_LEAF           (1ull << 62)   /* _PAGE_PTE */
#define DIR_MASKED_BITS    0xc0000000000000ffull
#define RADIX_MMU_FEATURE  0x40u

struct vmemmap_block {
	uint64_t virt, phys;
};

struct ppc64_data {
	struct pgtable_format pt;
	bool have_pt;                  /* page tables usable (4.6+) */
	bool radix;
	uint64_t root;
	uint64_t linear_end;           /* PAGE_OFFSET + 2^MAX_PHYSMEM_BITS */
	struct vmemmap_block *vmemmap; /* sorted by virt */
	size_t n_vmemmap;
	uint64_t vmemmap_block_size;
};

static enum pgtable_entry ppc64_decode(const struct pgtable_format *f, unsigned level,
				       uint64_t e, uint64_t *ret_addr)
{
	if (!e)
		return PGTABLE_INVALID;
	if (e & PTE_LEAF) {
		if (!(e & PTE_PRESENT))
			return PGTABLE_INVALID;
		*ret_addr = e & f->param;
		return PGTABLE_LEAF;
	}
	if (level + 1 == f->levels)
		return PGTABLE_INVALID;
	*ret_addr = e & f->addr_mask;
	return PGTABLE_TABLE;
}

static unsigned ppc64_section_size_bits(const struct kernel *k)
{
	(void)k;
	return 24;
}

static unsigned ppc64_max_physmem_bits(const struct kernel *k)
{
	uint32_t v = k->version;

	if (v && v < KERNEL_VERSION_CODE(3, 7, 0))
		return 44;
	if (v && v < KERNEL_VERSION_CODE(4, 19, 0))
		return 46;
	if (v && v < KERNEL_VERSION_CODE(4, 20, 0))
		return 47;
	return 51;
}

/* 1 radix, 0 hash, -1 VMCOREINFO does not say (before 6.7). */
static int vmcoreinfo_radix(struct kernel *k)
{
	uint64_t spec_sym, off, spec;
	uint32_t features;
	struct ds_err ignored = { 0 };
	int64_t num;

	if (vmci_number(k->vi, "RADIX_MMU", &num))
		return num == 1;
	if (vmci_symbol(k->vi, "cur_cpu_spec", &spec_sym) &&
	    vmci_offset(k->vi, "cpu_spec.mmu_features", &off) &&
	    kernel_read_word(k, spec_sym, &spec, &ignored) == 0 &&
	    kernel_read_u32(k, spec + off, &features, &ignored) == 0)
		return (features & RADIX_MMU_FEATURE) != 0;
	return -1;
}

/* Index bits per level, top first. */
static void set_geometry(struct kernel *k, struct ppc64_data *d)
{
	static const uint8_t radix64k[] = { 13, 9, 9, 5 }, radix4k[] = { 13, 9, 9, 9 };
	static const uint8_t hash64k[] = { 8, 10, 10, 8 }, hash64k_412[] = { 8, 7, 10, 8 };
	static const uint8_t hash64k_46[] = { 12, 5, 5, 8 }, hash4k[] = { 9, 9, 7, 9 };
	const uint8_t *bits;
	unsigned shift = k->page_shift;
	uint32_t v = k->version;

	if (d->radix)
		bits = k->page_shift == 16 ? radix64k : radix4k;
	else if (k->page_shift != 16)
		bits = hash4k;
	else if (v && v < KERNEL_VERSION_CODE(4, 12, 0))
		bits = hash64k_46;
	else if (v && v < KERNEL_VERSION_CODE(4, 17, 0))
		bits = hash64k_412;
	else
		bits = hash64k;
	d->pt.levels = 4;
	for (int i = 3; i >= 0; i--) {
		d->pt.shift[i] = (uint8_t)shift;
		d->pt.bits[i] = bits[i];
		shift += bits[i];
	}
	d->pt.entry_size = 8;
	d->pt.big_endian = true;
	d->pt.decode = ppc64_decode;
	d->pt.addr_mask = ~DIR_MASKED_BITS;
	d->pt.param = ((UINT64_C(1) << 53) - 1) & ~((UINT64_C(1) << k->page_shift) - 1);
}

static int cmp_block(const void *a, const void *b)
{
	const struct vmemmap_block *x = a, *y = b;

	return x->virt < y->virt ? -1 : x->virt > y->virt;
}

#define MAX_VMEMMAP_BLOCKS (1u << 24)

/* vmemmap_list, when the kernel exports it and it is not empty. */
static int read_vmemmap_list(struct kernel *k, struct ppc64_data *d, struct ds_err *err)
{
	uint64_t list_sym, psize_sym, defs_sym, sz_backing, off_list, off_phys, off_virt;
	uint64_t sz_def, off_shift, head, cur;
	uint32_t psize, shift;
	size_t cap = 0;
	int r;

	if (!vmci_symbol(k->vi, "vmemmap_list", &list_sym) ||
	    !vmci_symbol(k->vi, "mmu_vmemmap_psize", &psize_sym) ||
	    !vmci_symbol(k->vi, "mmu_psize_defs", &defs_sym) ||
	    !vmci_size(k->vi, "vmemmap_backing", &sz_backing) ||
	    !vmci_offset(k->vi, "vmemmap_backing.list", &off_list) ||
	    !vmci_offset(k->vi, "vmemmap_backing.phys", &off_phys) ||
	    !vmci_offset(k->vi, "vmemmap_backing.virt_addr", &off_virt) ||
	    !vmci_size(k->vi, "mmu_psize_def", &sz_def) ||
	    !vmci_offset(k->vi, "mmu_psize_def.shift", &off_shift))
		return 0;                 /* the page tables will do */
	if ((r = kernel_read_word(k, list_sym, &head, err)) < 0)
		return ds_err_wrap(err, "reading vmemmap_list");
	if (!head)
		return 0;
	if ((r = kernel_read_u32(k, psize_sym, &psize, err)) < 0 ||
	    (r = kernel_read_u32(k, defs_sym + psize * sz_def + off_shift, &shift, err)) < 0)
		return ds_err_wrap(err, "reading the vmemmap page size");
	if (shift < 12 || shift > 34)
		return ds_err_set(err, DS_ECORRUPT,
				  "vmemmap page shift %u (mmu_psize_defs[%u]) is impossible",
				  shift, psize);
	d->vmemmap_block_size = UINT64_C(1) << shift;
	for (cur = head; cur; ) {
		struct vmemmap_block b;

		if (d->n_vmemmap == MAX_VMEMMAP_BLOCKS)
			return ds_err_set(err, DS_ECORRUPT,
					  "vmemmap_list has more than %u entries (a loop?)",
					  MAX_VMEMMAP_BLOCKS);
		if ((r = kernel_read_word(k, cur + off_phys, &b.phys, err)) < 0 ||
		    (r = kernel_read_word(k, cur + off_virt, &b.virt, err)) < 0 ||
		    (r = kernel_read_word(k, cur + off_list, &cur, err)) < 0)
			return ds_err_wrap(err, "reading vmemmap_list entry %zu", d->n_vmemmap);
		if (d->n_vmemmap == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct vmemmap_block *grown = realloc(d->vmemmap, ncap * sizeof(*grown));

			if (!grown)
				return ds_err_set(err, DS_ENOMEM, "out of memory");
			d->vmemmap = grown;
			cap = ncap;
		}
		d->vmemmap[d->n_vmemmap++] = b;
		if (cur == head)
			break;
	}
	qsort(d->vmemmap, d->n_vmemmap, sizeof(*d->vmemmap), cmp_block);
	return 0;
}

static int ppc64_init(struct kernel *k, struct ds_err *err)
{
	struct ppc64_data *d = calloc(1, sizeof(*d));
	uint64_t sym;
	int64_t num;
	unsigned physbits;
	int radix;

	if (!d)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	k->arch_data = d;
	if (k->page_shift != 12 && k->page_shift != 16)
		return ds_err_set(err, DS_ECORRUPT,
				  "PAGESIZE=%u: ppc64 pages are 4 KiB or 64 KiB", k->page_size);
	k->phys_base = 0;
	physbits = vmci_number(k->vi, "MAX_PHYSMEM_BITS", &num) && num > 0 && num < 60
		   ? (unsigned)num : ppc64_max_physmem_bits(k);
	d->linear_end = PPC64_PAGE_OFFSET + (UINT64_C(1) << physbits);
	d->have_pt = !k->version || k->version >= KERNEL_VERSION_CODE(4, 6, 0);
	if (vmci_symbol(k->vi, "swapper_pg_dir", &sym) && sym >= PPC64_PAGE_OFFSET &&
	    sym < d->linear_end)
		d->root = sym - PPC64_PAGE_OFFSET;
	else
		d->have_pt = false;
	radix = vmcoreinfo_radix(k);
	d->radix = radix != 0;
	set_geometry(k, d);
	if (radix < 0) {
		/* Unsaid: a radix kernel maps its linear map in the page tables
		 * (the MMU walks them), a hash one does not (bolted hash
		 * entries).  So: is the start of the linear map in them? */
		struct ds_err ignored = { 0 };
		uint64_t pa, size;

		if (!d->have_pt ||
		    pgtable_walk(k, &d->pt, d->root, PPC64_PAGE_OFFSET, &pa, &size, &ignored) < 0 ||
		    pa != 0) {
			d->radix = false;
			set_geometry(k, d);
		}
	}
	return read_vmemmap_list(k, d, err);
}

static void ppc64_release(struct kernel *k)
{
	struct ppc64_data *d = k->arch_data;

	if (d)
		free(d->vmemmap);
	free(d);
}

static const struct vmemmap_block *find_block(const struct ppc64_data *d, uint64_t vaddr)
{
	size_t lo = 0, hi = d->n_vmemmap;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vmemmap_block *b = &d->vmemmap[mid];

		if (vaddr < b->virt)
			hi = mid;
		else if (vaddr - b->virt >= d->vmemmap_block_size)
			lo = mid + 1;
		else
			return b;
	}
	return NULL;
}

static int ppc64_vtop(struct kernel *k, uint64_t vaddr, uint64_t *ret_paddr,
		      uint64_t *ret_map_size, struct ds_err *err)
{
	const struct ppc64_data *d = k->arch_data;
	const struct vmemmap_block *b;

	if (vaddr >= PPC64_PAGE_OFFSET && vaddr < d->linear_end) {
		/* cache it in 16 MiB pieces, the linear map's page size */
		*ret_paddr = vaddr - PPC64_PAGE_OFFSET;
		*ret_map_size = UINT64_C(1) << 24;
		return 0;
	}
	if (d->n_vmemmap && (b = find_block(d, vaddr)) != NULL) {
		*ret_paddr = b->phys + (vaddr - b->virt);
		*ret_map_size = d->vmemmap_block_size;
		return 0;
	}
	if (!d->have_pt)
		return ds_err_set(err, DS_EUNSUPP,
				  "0x%" PRIx64 " is not in the linear map or vmemmap_list, and the "
				  "page tables of this kernel are not read (before 4.6, or no "
				  "SYMBOL(swapper_pg_dir))", vaddr);
	return pgtable_walk(k, &d->pt, d->root, vaddr, ret_paddr, ret_map_size, err);
}

const struct arch_ops arch_ppc64_ops = {
	.name = "ppc64le",
	.uts_aliases = "ppc64",
	.elf_machine = EM_PPC64,
	.word_size = 8,
	.byte_orders = ARCH_LITTLE_ENDIAN | ARCH_BIG_ENDIAN,
	.section_size_bits = ppc64_section_size_bits,
	.max_physmem_bits = ppc64_max_physmem_bits,
	.init = ppc64_init,
	.release = ppc64_release,
	.vtop = ppc64_vtop,
};

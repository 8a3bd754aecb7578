/* memmap.c - decode mem_section[] (SPARSEMEM) or mem_map (FLATMEM) into
 * struct page ranges (see memmap.h).
 *
 * SPARSEMEM: physical memory is cut into sections of 2^SECTION_SIZE_BITS
 * bytes.  Each present section has section_mem_map, an "encoded" pointer:
 * the address of its first struct page minus start_pfn * SIZE(page), with
 * flag bits in the low bits.  With SPARSEMEM_EXTREME, mem_section is an array
 * of pointers to pages of struct mem_section ("roots"); SYMBOL(mem_section)
 * in VMCOREINFO is the array itself (since 4.15 the kernel variable is a
 * pointer to it, and VMCOREINFO prints its value).
 */
#include "memmap.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../arch/arch.h"

/* section_mem_map flag bits: present, has_mem_map, online, early,
 * zone_device taint (5 in 6.1) and one spare for later kernels.  The encoded
 * pointer is at least 64-byte aligned, so masking 6 bits loses nothing. */
#define SECTION_MARKED_PRESENT 0x1ull
#define SECTION_FLAG_MASK      0x3full
#define MAX_SECTIONS_SCANNED   (1ull << 26)

static int add_range(struct memmap *mm, size_t *cap, uint64_t start,
		     uint64_t end, uint64_t vaddr, uint64_t page_struct_size,
		     struct ds_err *err)
{
	if (mm->n_ranges) {
		struct memmap_range *last = &mm->ranges[mm->n_ranges - 1];

		/* merge when the struct pages continue where the last ended */
		if (last->end_pfn == start &&
		    last->page_vaddr + (start - last->start_pfn) * page_struct_size == vaddr) {
			last->end_pfn = end;
			return 0;
		}
	}
	if (mm->n_ranges == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct memmap_range *grown = realloc(mm->ranges, ncap * sizeof(*grown));

		if (!grown)
			return ds_err_set(err, DS_ENOMEM, "out of memory");
		mm->ranges = grown;
		*cap = ncap;
	}
	mm->ranges[mm->n_ranges++] = (struct memmap_range){ start, end, vaddr };
	return 0;
}

static int build_sparse(struct memmap *mm, struct kernel *k, uint64_t max_pfn,
			uint64_t sym, struct ds_err *err)
{
	uint64_t ms_size, off_map, len, section_bits, physmem_bits, page_sz;
	int64_t num;
	size_t cap = 0;
	uint8_t *roots = NULL;
	unsigned word = k->mach.word_size;
	int r = 0;

	if (!vmci_size(k->vi, "mem_section", &ms_size) || ms_size == 0 || ms_size > 4096)
		return ds_err_set(err, DS_ENODATA, "VMCOREINFO has no valid SIZE(mem_section)");
	if (!vmci_offset(k->vi, "mem_section.section_mem_map", &off_map) ||
	    off_map + k->mach.word_size > ms_size)
		return ds_err_set(err, DS_ENODATA,
				  "VMCOREINFO has no valid OFFSET(mem_section.section_mem_map)");
	if (!vmci_size(k->vi, "page", &page_sz))
		return ds_err_set(err, DS_ENODATA,
				  "VMCOREINFO has no SIZE(page): cannot read struct pages");
	if (page_sz == 0 || page_sz > 1024)
		return ds_err_set(err, DS_ECORRUPT,
				  "VMCOREINFO SIZE(page)=%" PRIu64 " is not a struct page size (at most 1024)",
				  page_sz);
	section_bits = vmci_number(k->vi, "SECTION_SIZE_BITS", &num) ? (uint64_t)num
		     : k->arch->section_size_bits(k);
	physmem_bits = vmci_number(k->vi, "MAX_PHYSMEM_BITS", &num) ? (uint64_t)num
		     : k->arch->max_physmem_bits(k);
	if (section_bits <= k->page_shift || section_bits > 40 ||
	    physmem_bits < section_bits || physmem_bits > 64)
		return ds_err_set(err, DS_ECORRUPT,
				  "bad SECTION_SIZE_BITS=%" PRIu64 " / MAX_PHYSMEM_BITS=%" PRIu64,
				  section_bits, physmem_bits);

	uint64_t pfn_shift = section_bits - k->page_shift;
	uint64_t per_section = 1ull << pfn_shift;
	uint64_t nr_sections = 1ull << (physmem_bits - section_bits);
	uint64_t per_root_extreme = k->page_size / ms_size;
	uint64_t nr_roots_extreme = (nr_sections + per_root_extreme - 1) / per_root_extreme;
	bool extreme = !vmci_length(k->vi, "mem_section", &len) || len == nr_roots_extreme;
	uint64_t per_root = extreme ? per_root_extreme : 1;
	uint64_t scan = (max_pfn + per_section - 1) / per_section;

	if (scan > nr_sections)
		scan = nr_sections;
	if (scan > MAX_SECTIONS_SCANNED)
		return ds_err_set(err, DS_EUNSUPP, "too many memory sections (%" PRIu64 ")", scan);
	mm->model = extreme ? MEMMAP_SPARSE_EXTREME : MEMMAP_SPARSE;
	mm->pages_per_section = per_section;

	/* EXTREME: read the root pointers we need in one go */
	uint64_t n_roots = (scan + per_root - 1) / per_root;
	if (extreme && n_roots) {
		roots = malloc(n_roots * word);
		if (!roots)
			return ds_err_set(err, DS_ENOMEM, "out of memory");
		if ((r = kernel_read(k, sym, roots, n_roots * word, err)) < 0) {
			r = ds_err_wrap(err, "reading mem_section roots at 0x%" PRIx64, sym);
			goto out;
		}
	}
	for (uint64_t nr = 0; nr < scan; nr++) {
		uint64_t base, coded;

		if (extreme) {
			uint64_t root = machine_get_word(&k->mach, roots + nr / per_root * word);

			if (!root) {
				nr = (nr / per_root + 1) * per_root - 1;   /* skip this root */
				continue;
			}
			base = root + (nr % per_root) * ms_size;
		} else {
			base = sym + nr * ms_size;
		}
		if ((r = kernel_read_word(k, base + off_map, &coded, err)) < 0) {
			r = ds_err_wrap(err, "reading mem_section %" PRIu64, nr);
			goto out;
		}
		if (!(coded & SECTION_MARKED_PRESENT) || !(coded & ~SECTION_FLAG_MASK))
			continue;
		uint64_t start = nr * per_section, end = start + per_section;
		/* the encoded pointer wraps around like the kernel's unsigned long */
		uint64_t vaddr = ((coded & ~SECTION_FLAG_MASK) + start * page_sz) &
				 machine_word_max(&k->mach);

		if (end > max_pfn)
			end = max_pfn;
		if ((r = add_range(mm, &cap, start, end, vaddr, page_sz, err)) < 0)
			goto out;
	}
	if (!mm->n_ranges)
		r = ds_err_set(err, DS_ECORRUPT,
			       "mem_section at 0x%" PRIx64 " has no present section", sym);
out:
	free(roots);
	return r;
}

int memmap_build(struct memmap *mm, struct kernel *k, uint64_t max_pfn,
		 struct ds_err *err)
{
	uint64_t sym;
	int r;

	memset(mm, 0, sizeof(*mm));
	if (vmci_symbol(k->vi, "mem_section", &sym)) {
		r = build_sparse(mm, k, max_pfn, sym, err);
	} else if (vmci_symbol(k->vi, "mem_map", &sym)) {
		uint64_t map, page_sz;
		size_t cap = 0;

		mm->model = MEMMAP_FLAT;
		if (!vmci_size(k->vi, "page", &page_sz))
			return ds_err_set(err, DS_ENODATA, "VMCOREINFO has no SIZE(page)");
		if ((r = kernel_read_word(k, sym, &map, err)) < 0)
			return ds_err_wrap(err, "reading mem_map pointer");
		r = add_range(mm, &cap, 0, max_pfn, map, page_sz, err);
	} else {
		return ds_err_set(err, DS_ENODATA,
				  "VMCOREINFO has neither SYMBOL(mem_section) nor SYMBOL(mem_map)");
	}
	if (r < 0) {
		memmap_release(mm);
		return r;
	}
	mm->end_pfn = mm->n_ranges ? mm->ranges[mm->n_ranges - 1].end_pfn : 0;
	return 0;
}

void memmap_release(struct memmap *mm)
{
	free(mm->ranges);
	mm->ranges = NULL;
	mm->n_ranges = 0;
}

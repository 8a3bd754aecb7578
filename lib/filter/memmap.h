/* memmap.h - where the crashed kernel's struct page arrays are.
 *
 * The result is a list of pfn ranges, each with the kernel virtual address of
 * the struct page describing its first pfn; consecutive struct pages follow
 * at SIZE(page) strides.  SPARSEMEM (with or without VMEMMAP, EXTREME or not)
 * and FLATMEM are decoded; facts in docs/filtering.md ("locating mem_map").
 */
#ifndef DS_MEMMAP_H
#define DS_MEMMAP_H

#include <stdint.h>

#include "../common/err.h"
#include "../kernel/kernel.h"

enum memmap_model { MEMMAP_SPARSE, MEMMAP_SPARSE_EXTREME, MEMMAP_FLAT };

struct memmap_range {
	uint64_t start_pfn, end_pfn;   /* [start, end) */
	uint64_t page_vaddr;           /* struct page of start_pfn */
};

struct memmap {
	enum memmap_model model;
	struct memmap_range *ranges;
	size_t n_ranges;
	uint64_t end_pfn;              /* end of the highest range */
	uint64_t pages_per_section;    /* SPARSEMEM: pfns per section */
};

/* Build the list for pfns below max_pfn. */
int memmap_build(struct memmap *mm, struct kernel *k, uint64_t max_pfn,
		 struct ds_err *err);
void memmap_release(struct memmap *mm);

#endif

/* vmemmap.h - -e: leave out the pages of the struct page arrays that only
 * describe excluded memory.
 *
 * On an idle machine most of a -d 31 dump is struct pages of free memory
 * (3.67 M pages per TiB).  Once the keep-map is final, every page of a
 * struct page array whose struct pages all describe present, excluded pfns
 * is itself excluded.  Works from the memmap ranges and the architecture's
 * address translation, so it needs no per-architecture code: 4- and 5-level
 * x86_64, vmemmap mapped with 2 MiB or 4 KiB pages, and classic SPARSEMEM
 * alike.  The decisions are all taken against the keep-map as the scan left
 * it and applied afterwards, so excluding one array page never makes another
 * look unused.
 */
#ifndef DS_VMEMMAP_H
#define DS_VMEMMAP_H

#include <stdint.h>

#include "../common/err.h"
#include "../common/keepmap.h"
#include "../kernel/kernel.h"
#include "memmap.h"

/* *ret_pages = pages newly excluded. */
int vmemmap_exclude(struct kernel *k, const struct memmap *mm, uint64_t page_struct_size,
		    struct keepmap *km, uint64_t *ret_pages, struct ds_err *err);

#endif

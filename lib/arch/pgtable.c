/* pgtable.c - the generic page-table walk (see pgtable.h).
 *
 * The walk reads one entry per level through the kernel's physical reads,
 * in the entries' own byte order, and asks the architecture's decode what
 * it is.  It is bounded by the level count, so a table that points back at
 * itself ends as "not mapped" or a bad entry, never as a loop.
 */
#include "pgtable.h"

#include <inttypes.h>

#include "../common/bytes.h"
#include "../kernel/kernel.h"

void pgtable_geometry(struct pgtable_format *f, unsigned levels, unsigned page_shift,
		      unsigned bits_per_level, unsigned top_bits)
{
	f->levels = levels;
	for (unsigned i = 0; i < levels; i++) {
		unsigned below = levels - 1 - i;     /* levels under this one */

		f->shift[i] = (uint8_t)(page_shift + below * bits_per_level);
		f->bits[i] = (uint8_t)(i == 0 ? top_bits : bits_per_level);
	}
}

int pgtable_walk(struct kernel *k, const struct pgtable_format *f, uint64_t root,
		 uint64_t vaddr, uint64_t *ret_paddr, uint64_t *ret_size,
		 struct ds_err *err)
{
	uint64_t table = root;

	for (unsigned level = 0; level < f->levels; level++) {
		uint64_t idx = (vaddr >> f->shift[level]) & ((UINT64_C(1) << f->bits[level]) - 1);
		uint64_t ea = table + idx * f->entry_size;
		uint8_t raw[8];
		uint64_t e, addr;
		int r;

		r = kernel_read_phys(k, ea, raw, f->entry_size, err);
		if (r < 0)
			return ds_err_wrap(err, "page table walk for 0x%" PRIx64, vaddr);
		e = bytes_get_uint(f->big_endian, raw, f->entry_size);
		switch (f->decode(f, level, e, &addr)) {
		case PGTABLE_INVALID:
			return ds_err_set(err, DS_ENODATA,
					  "0x%" PRIx64 " is not mapped (level %u entry 0x%" PRIx64
					  " at paddr 0x%" PRIx64 ")", vaddr, f->levels - level, e, ea);
		case PGTABLE_LEAF: {
			uint64_t size = UINT64_C(1) << f->shift[level];

			*ret_paddr = (addr & ~(size - 1)) | (vaddr & (size - 1));
			*ret_size = size;
			return 0;
		}
		case PGTABLE_TABLE:
			if (level + 1 == f->levels)
				break;
			table = addr;
			continue;
		}
		return ds_err_set(err, DS_ECORRUPT,
				  "page table walk for 0x%" PRIx64 ": level %u entry 0x%" PRIx64
				  " at paddr 0x%" PRIx64 " points at a table below the last level",
				  vaddr, f->levels - level, e, ea);
	}
	return ds_err_set(err, DS_ECORRUPT, "page table walk for 0x%" PRIx64 " fell through", vaddr);
}

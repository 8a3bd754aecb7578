/* pgtable.h - the one page-table walk, driven by a per-architecture
 * description.
 *
 * Every architecture dumpsieve reads translates kernel virtual addresses
 * the same way: a fixed number of levels, each indexed by a slice of the
 * virtual address, each entry either invalid, a pointer to the next table,
 * or a leaf mapping a page (at the last level) or a block (a huge page, at
 * a level above).  What differs is the geometry (levels, index bits, entry
 * size, the entries' byte order) and how an entry encodes its address and
 * its kind: that is what struct pgtable_format holds, filled by the
 * architecture's file (arch/x86_64.c, arm64.c, ...) at init.
 */
#ifndef DS_PGTABLE_H
#define DS_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/err.h"

#define PGTABLE_MAX_LEVELS 5

struct kernel;

enum pgtable_entry {
	PGTABLE_INVALID,     /* not present: the address is not mapped */
	PGTABLE_TABLE,       /* points at the next level's table */
	PGTABLE_LEAF,        /* maps a page or block of 2^shift bytes */
};

struct pgtable_format;

/* What entry `e` at `level` (0 = top) means; *ret_addr = the physical
 * address of the next table, or of the page/block it maps (bits below the
 * block size are ignored).  A TABLE at the last level is corruption. */
typedef enum pgtable_entry (*pgtable_decode_fn)(const struct pgtable_format *f,
						 unsigned level, uint64_t e,
						 uint64_t *ret_addr);

struct pgtable_format {
	unsigned levels;                       /* 1 .. PGTABLE_MAX_LEVELS */
	uint8_t shift[PGTABLE_MAX_LEVELS];     /* lowest VA bit of each level's index, top first */
	uint8_t bits[PGTABLE_MAX_LEVELS];      /* index bits of each level */
	uint8_t entry_size;                    /* 4 or 8 bytes */
	bool big_endian;                       /* the entries' byte order */
	pgtable_decode_fn decode;
	/* the architecture's parameters for decode (masks, flags) */
	uint64_t addr_mask;                    /* address bits of an entry */
	uint64_t param;                        /* one more, as the architecture likes */
};

/* Fill shift[] and bits[] for `levels` levels of `bits_per_level` index bits
 * each above a page of 2^page_shift bytes, the top level having top_bits. */
void pgtable_geometry(struct pgtable_format *f, unsigned levels, unsigned page_shift,
		      unsigned bits_per_level, unsigned top_bits);

/* Walk from the top table at physical `root` for vaddr.  *ret_paddr is
 * vaddr's physical address, *ret_size the size of the page or block that
 * maps it (so the caller can cache the whole mapping).  Errors: DS_ENODATA
 * "0x... is not mapped (level N entry 0x... at paddr 0x...)", levels
 * counted from the bottom (1 = the last); a table that cannot be read;
 * DS_ECORRUPT for an entry that makes no sense at its level. */
int pgtable_walk(struct kernel *k, const struct pgtable_format *f, uint64_t root,
		 uint64_t vaddr, uint64_t *ret_paddr, uint64_t *ret_size,
		 struct ds_err *err);

#endif

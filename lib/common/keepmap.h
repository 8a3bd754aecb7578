/* keepmap.h - per-pfn "present" and "dumped" bits: the 1st and 2nd bitmaps of
 * the kdump-compressed format.
 *
 * present = the pfn is RAM in the vmcore (inside a PT_LOAD);
 * dumped  = present and not excluded by filtering.
 * Bit p lives in byte p/8 at bit p%8 (LSB first), exactly the on-disk layout,
 * so the writer copies the words out unchanged.  This is the plain
 * representation (2 bits per pfn: 64 MiB per TiB); the interface hides it so
 * that a compact one (runs for uniform regions, spilling to --work-dir) can
 * replace it without touching callers.
 */
#ifndef DS_KEEPMAP_H
#define DS_KEEPMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct keepmap {
	uint64_t npfn;             /* pfns covered: [0, npfn) */
	uint64_t *present;
	uint64_t *dumped;
};

int keepmap_init(struct keepmap *km, uint64_t npfn, struct ds_err *err);
void keepmap_release(struct keepmap *km);

/* [start, end) clipped to npfn */
void keepmap_add_present(struct keepmap *km, uint64_t start, uint64_t end);
void keepmap_exclude(struct keepmap *km, uint64_t start, uint64_t end);

bool keepmap_is_present(const struct keepmap *km, uint64_t pfn);
bool keepmap_is_dumped(const struct keepmap *km, uint64_t pfn);

/* First dumped pfn >= from, or npfn. */
uint64_t keepmap_next_dumped(const struct keepmap *km, uint64_t from);

uint64_t keepmap_count_present(const struct keepmap *km);
uint64_t keepmap_count_dumped(const struct keepmap *km);
/* Dumped pfns in [start, end). */
uint64_t keepmap_count_dumped_range(const struct keepmap *km, uint64_t start, uint64_t end);

/* Copy `len` bytes of the on-disk bitmap (1st when `dumped` is false) from
 * byte offset `off`; bytes past the map read as zero. */
void keepmap_copy_bytes(const struct keepmap *km, bool dumped, uint64_t off,
			void *buf, size_t len);

#endif

/* keepmap.h - per-pfn "present" and "dumped" bits: the 1st and 2nd bitmaps of
 * the kdump-compressed format.
 *
 * present = the pfn is RAM in the vmcore (inside a PT_LOAD);
 * dumped  = present and not excluded by filtering.
 * Bit p lives in byte p/8 at bit p%8 (LSB first), exactly the on-disk layout,
 * as the writer copies it out.  Inside, the maps are chunks that cost a few
 * bytes when uniform (all kept or all dropped), a list of runs when mixed
 * with few runs, and a 4 KiB bitmap when mixed with many; see keepmap.c.
 *
 * Past the memory budget, with no spill file, the dumped bits of a chunk
 * the scan has finished (keepmap_seal) may be dropped and made again when
 * they are read (keepmap_set_regen: the scan reads that chunk's struct
 * pages again), so that a busy machine of any size fits a capture kernel's
 * memory.
 */
#ifndef DS_KEEPMAP_H
#define DS_KEEPMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The maps are kept in chunks of KEEPMAP_CHUNK_PFNS pfns (keepmap.c). */
#define KEEPMAP_CHUNK_SHIFT 15u
#define KEEPMAP_CHUNK_PFNS (UINT64_C(1) << KEEPMAP_CHUNK_SHIFT)

struct keepmap_chunk;
struct keepmap_spill;
struct keepmap_regen;
struct ds_err;

/* Make again the dumped bits of the n pfns from first (a chunk the scan
 * sealed): bit i of bits (LSB first, 64-bit words, n <= 32768) = pfn
 * first + i is dumped.  0 or a negative -DS_E* with err filled. */
typedef int (*keepmap_regen_fn)(void *arg, uint64_t first, uint64_t n, uint64_t *bits,
				struct ds_err *err);

struct keepmap {
	uint64_t npfn;             /* pfns covered: [0, npfn) */
	struct keepmap_chunk *present;
	struct keepmap_chunk *dumped;
	uint64_t mixed_chunks;     /* chunks that hold a bitmap */
	uint64_t run_chunks;       /* chunks that hold a run list */
	size_t run_bytes;          /* bytes allocated for run lists */
	/* Memory budget for the mixed chunks' bitmaps and run lists; past it a
	 * chunk that needs more becomes a bitmap in the spill file (if any),
	 * else takes memory anyway (over_budget is set). */
	size_t budget;
	struct keepmap_spill *spill;
	uint64_t spilled_chunks;
	bool over_budget;
	struct keepmap_regen *regen;   /* NULL: nothing is ever dropped */
};

int keepmap_init(struct keepmap *km, uint64_t npfn, struct ds_err *err);
void keepmap_release(struct keepmap *km);

/* [start, end) clipped to npfn.  They return 0, or -DS_ENOMEM when a
 * mixed chunk needs a bigger run list or its 4 KiB bitmap and none can be
 * had. */
int keepmap_add_present(struct keepmap *km, uint64_t start, uint64_t end);
int keepmap_exclude(struct keepmap *km, uint64_t start, uint64_t end);

bool keepmap_is_present(const struct keepmap *km, uint64_t pfn);
bool keepmap_is_dumped(const struct keepmap *km, uint64_t pfn);

/* First dumped pfn >= from, or npfn. */
uint64_t keepmap_next_dumped(const struct keepmap *km, uint64_t from);
/* First pfn >= from that is not dumped, or npfn. */
uint64_t keepmap_next_undumped(const struct keepmap *km, uint64_t from);

uint64_t keepmap_count_present(const struct keepmap *km);
uint64_t keepmap_count_dumped(const struct keepmap *km);
/* Dumped / present pfns in [start, end). */
uint64_t keepmap_count_dumped_range(const struct keepmap *km, uint64_t start, uint64_t end);
uint64_t keepmap_count_present_range(const struct keepmap *km, uint64_t start, uint64_t end);

/* Copy `len` bytes of the on-disk bitmap (1st when `dumped` is false) from
 * byte offset `off`; bytes past the map read as zero. */
void keepmap_copy_bytes(const struct keepmap *km, bool dumped, uint64_t off,
			void *buf, size_t len);

/* Limit the bitmaps and run lists kept in memory to budget bytes; with
 * spill_dir, the mixed chunks past it hold bitmaps in an unlinked file there
 * (mapped, so the kernel can write them out instead of running out of
 * memory).  Fails only when spill_dir is unusable. */
int keepmap_set_budget(struct keepmap *km, size_t budget, const char *spill_dir,
		       struct ds_err *err);

/* Bytes the maps of npfn pfns take before any chunk holds a bitmap or a
 * run list (their bookkeeping), so that a claim can be checked before it
 * is allocated. */
uint64_t keepmap_overhead(uint64_t npfn);

/* Bytes of memory the maps use now (spilled chunks not counted). */
size_t keepmap_memory(const struct keepmap *km);

/* Past the budget with no spill file, sealed chunks' dumped bits may be
 * dropped and made again by fn when read.  Fails only when out of memory. */
int keepmap_set_regen(struct keepmap *km, keepmap_regen_fn fn, void *arg, struct ds_err *err);

/* The dumped bits of every pfn below pfn are final: the scan is past them.
 * Past the budget, their chunks' storage is dropped (with a regen set). */
void keepmap_seal(struct keepmap *km, uint64_t pfn);

/* 0, or the first failure to make dropped bits again (a read error, or bits
 * that came out other than the first time): then what the maps answered
 * since is wrong, and the dump must fail. */
int keepmap_regen_status(const struct keepmap *km, struct ds_err *err);

/* Chunks dropped, and times one was made again (for tests, benchmarks). */
uint64_t keepmap_lost_chunks(const struct keepmap *km);
uint64_t keepmap_regenerated_chunks(const struct keepmap *km);

#endif

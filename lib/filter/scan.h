/* scan.h - the one pass over the struct page arrays that decides, per pfn,
 * whether it is dumped.  Results go into the keep-map and per-category
 * counts; zero pages are found later, while copying (each kept page is read
 * once). */
#ifndef DS_SCAN_H
#define DS_SCAN_H

#include <stdint.h>

#include "../common/err.h"
#include "../common/keepmap.h"
#include "../kernel/kernel.h"
#include "classify.h"
#include "memmap.h"

struct scan_stats {
	uint64_t excluded[PAGE_CLASS_MAX];   /* pfns excluded, per class */
	uint64_t bad_order;                  /* impossible orders seen (kept) */
	uint64_t struct_pages_read;          /* struct pages actually read */
	/* Struct pages the input could not give (an I/O error, not a broken
	 * pointer): the pfns they describe are kept, undecided. */
	uint64_t unreadable;
	char first_unreadable[DS_ERR_MSG_MAX + 64];
};

/* What it takes to make a keep-map chunk's bits again after the scan has
 * dropped them (keepmap.h): where the scan entered each chunk, and whether
 * what came before that in it was excluded by an object from before the
 * chunk.  The scan then replays from there, with the same rules, over the
 * chunk's struct pages.  Only for inputs whose dumped bits before the scan
 * are their present bits (an ELF vmcore). */
struct scan_regen {
	struct kernel *k;
	const struct memmap *mm;
	const struct page_rules *rules;
	unsigned dump_level;
	struct keepmap *km;        /* read only, while making bits again */
	uint32_t *entry;          /* per keep-map chunk */
	uint64_t nchunks;
	uint64_t pos;             /* the scan's position */
	uint8_t *buf;             /* struct pages read again */
	bool scanned;
};

int scan_regen_init(struct scan_regen *g, struct kernel *k, const struct memmap *mm,
		    const struct page_rules *rules, unsigned dump_level, struct keepmap *km,
		    struct ds_err *err);
void scan_regen_release(struct scan_regen *g);
/* keepmap_regen_fn */
int scan_regen_chunk(void *arg, uint64_t first, uint64_t n, uint64_t *bits, struct ds_err *err);

/* g: NULL, or set up (scan_regen_init) so that the keep-map may drop
 * chunks the scan is done with. */
int scan_run(struct kernel *k, const struct memmap *mm,
	     const struct page_rules *rules, unsigned dump_level,
	     struct keepmap *km, struct scan_regen *g, struct scan_stats *st,
	     struct ds_err *err);

#endif

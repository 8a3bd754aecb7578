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

int scan_run(struct kernel *k, const struct memmap *mm,
	     const struct page_rules *rules, unsigned dump_level,
	     struct keepmap *km, struct scan_stats *st, struct ds_err *err);

#endif

/* classify.h - which dump-level category a struct page falls in.
 *
 * page_rules_init() reads, once, every kernel fact the rules need from
 * VMCOREINFO (struct page member offsets, PG_* bit numbers, page-type
 * values) and decides which encoding generation applies (see
 * docs/filtering.md and the table in classify.c).  page_classify() is then a
 * pure function of the raw bytes of one struct page (and of the next one, the
 * first tail page, for compound heads): no I/O, no allocation, so it is cheap
 * and unit-testable for every kernel encoding.
 *
 * When a rule cannot be applied for lack of VMCOREINFO, the rule is disabled,
 * the page is kept, and page_rules.missing says which rule and why, so the
 * caller can warn once.
 */
#ifndef DS_CLASSIFY_H
#define DS_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/err.h"
#include "../common/machine.h"
#include "../kernel/vmcoreinfo.h"

/* dump_level bits (-d) */
#define DL_EXCLUDE_ZERO      1u
#define DL_EXCLUDE_CACHE     2u
#define DL_EXCLUDE_CACHE_PRI 4u
#define DL_EXCLUDE_USER_DATA 8u
#define DL_EXCLUDE_FREE      16u
#define DL_MAX               31u

enum page_class {
	PAGE_KEEP,           /* dumped */
	PAGE_TAIL,           /* compound tail: decided with its head, skip it */
	PAGE_CACHE,          /* non-private page cache (level 2 or 4) */
	PAGE_CACHE_PRIVATE,  /* page cache with PG_private (level 4) */
	PAGE_USER,           /* anonymous or hugetlbfs (level 8) */
	PAGE_FREE,           /* buddy allocator free block (level 16) */
	PAGE_UNACCEPTED,     /* unaccepted memory (level 16, counted as free) */
	PAGE_HWPOISON,       /* always excluded */
	PAGE_OFFLINE,        /* always excluded */
	PAGE_CLASS_MAX
};

struct page_verdict {
	enum page_class cls;
	/* Number of pfns the verdict covers, starting at this pfn: 1, or
	 * 2^order for an excluded buddy block or compound page.  Always 1 for
	 * PAGE_KEEP and PAGE_TAIL. */
	uint64_t npages;
	/* An order was impossible (>= the bound, or pfn not aligned to it):
	 * a free or unaccepted block is then kept; a compound head is treated
	 * as order 0 (only the head page takes the verdict). */
	bool bad_order;
};

struct page_rules {
	/* struct page geometry */
	uint32_t page_size;          /* SIZE(page) */
	uint32_t off_flags, off_mapping, off_mapcount, off_private;
	uint32_t off_compound_head;  /* compound_head, or compound_info (7.1+) */
	bool has_compound_head;

	/* ---- the rest is private to classify.c (filled by page_rules_init) ---- */
	struct machine mach;         /* byte order and word size of struct pages */
	unsigned word_size;          /* bytes in the kernel's unsigned long: 4 or 8 */
	uint32_t kernel_version;     /* from OSRELEASE, KERNEL_VERSION_CODE();
				      * 0 unknown */
	uint32_t off_refcount;       /* _refcount (_count before 4.6); read, not
				      * needed by any rule */
	bool has_refcount, has_mapping, has_mapcount, has_private;

	/* PG_* bit numbers in page.flags; -1 = unknown */
	int16_t pg_lru, pg_private, pg_swapcache, pg_swapbacked, pg_slab;
	int16_t pg_hwpoison, pg_buddy;
	int16_t pg_hugetlb;          /* 6.6-6.8: tested in page[1].flags */
	uint64_t head_mask;          /* compound-head bit(s) in flags; 0 unknown */

	/* page_type values compared against the 32-bit _mapcount word */
	struct page_type_value {
		bool known;
		bool top_byte;       /* 6.12+ encoding: compare bits 24..31 only */
		uint32_t value;
	} pt_buddy, pt_offline, pt_slab, pt_unaccepted, pt_hugetlb;

	/* how a free buddy block is recognised (section 3.1) */
	enum page_free_rule {
		FREE_RULE_NONE,      /* not possible: free pages kept */
		FREE_RULE_MAPCOUNT,  /* _mapcount == PAGE_BUDDY_MAPCOUNT_VALUE */
		FREE_RULE_FLAG,      /* PG_buddy set (2.6.17 - 2.6.37) */
	} free_rule;
	uint32_t max_order;          /* LENGTH(zone.free_area) (orders 0..n-1) */

	/* where a compound head keeps its order: in page[1] */
	enum page_order_src {
		ORDER_SRC_NONE,      /* unknown: heads treated as order 0 */
		ORDER_SRC_FIELD,     /* byte(s) at off1_order (4.4 - 6.5) */
		ORDER_SRC_FLAGS1,    /* low byte of page[1].flags (6.6+) */
		ORDER_SRC_LRU,       /* page[1].lru.prev (< 4.4) */
	} order_src;
	/* how a hugetlbfs head is recognised */
	enum page_hugetlb_src {
		HUGETLB_SRC_NONE,
		HUGETLB_SRC_DTOR,    /* page[1] dtor byte(s) == HUGETLB_PAGE_DTOR */
		HUGETLB_SRC_DTOR_ADDR, /* page[1].lru.next == SYMBOL(free_huge_page) */
		HUGETLB_SRC_FLAG1,   /* PG_hugetlb in page[1].flags (6.6 - 6.8) */
		HUGETLB_SRC_MAPCOUNT,/* head _mapcount == PAGE_HUGETLB_MAPCOUNT_VALUE */
	} hugetlb_src;
	uint32_t off1_order, off1_dtor; /* byte offsets inside page[1] */
	uint8_t order_width, dtor_width; /* bytes (1, 2 or word_size) */
	uint64_t hugetlb_dtor;       /* HUGETLB_PAGE_DTOR id, or free_huge_page */

	/* rules that could be enabled */
	bool cache_rule;             /* PG_lru and page.mapping known */
	bool cache_nonpriv_rule;     /* ... and PG_private known (level 2) */
	bool anon_rule;              /* anon(page) can be trusted */

	/* Rules disabled for lack of VMCOREINFO, as one human-readable line
	 * per rule ("free pages: no NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)"). */
	unsigned n_missing;
	const char *missing[8];
};

/* Fill rules from VMCOREINFO for the given dump level; struct pages are
 * read in mach's byte order and word size.  Fails (DS_ENODATA,
 * naming the key) only when even the basics are absent: SIZE(page) or
 * OFFSET(page.flags), or DS_ECORRUPT when they are impossible (SIZE(page)
 * outside 8..1024, page.flags beyond it).  Rules it cannot apply are listed
 * in rules->missing, only those the dump level uses. */
int page_rules_init(struct page_rules *rules, const struct vmcoreinfo *vi,
		    const struct machine *mach, unsigned dump_level, struct ds_err *err);

/* Does the scan need to read struct pages at all at this level? */
bool page_rules_need_scan(const struct page_rules *rules, unsigned dump_level);

/* Classify the struct page `page` (rules->page_size bytes) describing `pfn`.
 * `next` is the struct page of pfn+1 (the first tail page when `page` is a
 * compound head) or NULL when it is not available; compound heads then are
 * treated as order 0.  `max_npages` bounds verdict->npages (pfns left in the
 * memory section): a block running past it is clipped to it. */
void page_classify(const struct page_rules *rules, const uint8_t *page,
		   const uint8_t *next, uint64_t pfn, unsigned dump_level,
		   uint64_t max_npages, struct page_verdict *verdict);

/* Does this raw struct page have the compound-head flag? (The scan uses it
 * to decide whether it must fetch page[1] before classifying.) */
bool page_is_compound_head(const struct page_rules *rules, const uint8_t *page);

#endif

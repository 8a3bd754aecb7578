/* scan.c - one sequential pass over the struct page arrays (see scan.h).
 *
 * Struct pages are read only where a pfn needs a decision: a free buddy
 * block or an excluded compound page is decided from its head, and the scan
 * jumps past it without reading the tail struct pages.  So the cost follows
 * the memory in use, not the memory size.  What is read at a time follows
 * the scan: after a jump, only the head and the struct page after it (which
 * holds a compound page's order), SPARSE_PAGES of them; when the scan goes
 * on right where the last read ended, aligned chunks of CHUNK_PAGES entries
 * (4 KiB), announced ahead in growing windows.  An idle machine's scan thus
 * reads 128 bytes per free 4 MiB block, a busy one's streams the arrays.
 * Pfns that are not present in the vmcore are skipped a chunk of the
 * keep-map at a time.
 *
 * A chunk the input cannot give (DS_EREAD: EIO from /proc/vmcore or a
 * disk, a vmcore file shorter than its headers say) leaves its pfns kept:
 * when unsure, keep the page.
 * A chunk that is not there at all (an unmapped or out-of-vmcore address:
 * a broken mem_section or page table) still stops the scan with its error.
 */
#include "scan.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_PAGES 64u
#define SPARSE_PAGES 2u
/* Struct page bytes announced ahead of the scan (kernel_prefetch), so that
 * they are read in large pieces (one pread of up to 1 MiB, or disk
 * readahead) rather than a chunk at a time, but only while the scan reads
 * chunk after chunk: where it skips (an idle machine's free blocks: one
 * chunk read in sixteen), announcing would read what it skips.  The window
 * starts at SCAN_PREFETCH_MIN on the second chunk in a row and doubles up to
 * SCAN_PREFETCH, like the kernel's readahead; a skip closes it. */
#define SCAN_PREFETCH_MIN (32u << 10)
#define SCAN_PREFETCH (8u << 20)

struct chunk {
	uint64_t first_pfn;      /* pfn of entry 0, UINT64_MAX when empty */
	uint64_t n;              /* entries loaded */
	bool unreadable;         /* an I/O error: its pfns stay kept */
	uint8_t *buf;            /* CHUNK_PAGES * SIZE(page) bytes */
	uint64_t ahead;          /* struct page vaddrs below it are announced */
	uint64_t next_vaddr;     /* where the chunk after the last one loaded starts */
	uint64_t window;         /* bytes announced at a time; 0 while skipping */
};

static int load_chunk(struct kernel *k, const struct memmap_range *mr,
		      uint64_t page_sz, uint64_t pfn, struct chunk *c,
		      struct scan_stats *st, struct ds_err *err)
{
	uint64_t first = pfn, n;
	uint64_t vaddr = mr->page_vaddr + (first - mr->start_pfn) * page_sz;
	uint64_t range_end = mr->page_vaddr + (mr->end_pfn - mr->start_pfn) * page_sz;
	int r;

	if (vaddr != c->next_vaddr) {
		/* after a jump: the head and the page after it */
		c->window = 0;
		n = SPARSE_PAGES;
	} else {
		/* going on: up to the next aligned chunk boundary */
		n = CHUNK_PAGES - (pfn - mr->start_pfn) % CHUNK_PAGES;
	}
	if (n > mr->end_pfn - first)
		n = mr->end_pfn - first;
	if (vaddr == c->next_vaddr && vaddr + c->window / 2 >= c->ahead) {
		uint64_t from, to;

		c->window = c->window ? c->window * 2 : SCAN_PREFETCH_MIN;
		if (c->window > SCAN_PREFETCH)
			c->window = SCAN_PREFETCH;
		from = c->ahead > vaddr ? c->ahead : vaddr;
		to = range_end - vaddr > c->window ? vaddr + c->window : range_end;
		if (to > from)
			kernel_prefetch(k, from, to - from);
		c->ahead = to;
	}
	c->next_vaddr = vaddr + n * page_sz;
	r = kernel_read(k, vaddr, c->buf, n * page_sz, err);
	c->unreadable = r < 0 && err->status == DS_EREAD;
	if (r < 0 && !c->unreadable) {
		c->first_pfn = UINT64_MAX;
		return ds_err_wrap(err, "cannot read the struct pages of pfn 0x%" PRIx64
				   "-0x%" PRIx64 " at 0x%" PRIx64, first, first + n - 1, vaddr);
	}
	c->first_pfn = first;
	c->n = n;
	if (c->unreadable) {
		if (!st->unreadable++)
			snprintf(st->first_unreadable, sizeof(st->first_unreadable),
				 "pfn 0x%" PRIx64 "-0x%" PRIx64 ": %s", first, first + n - 1, err->msg);
		return 0;
	}
	st->struct_pages_read += n;
	return 0;
}

/* Scan one struct page range from pfn *resume on (a verdict of an earlier
 * range may already cover its start).  A verdict may run past the range's
 * end: a 1 GiB hugetlb page spans eight 128 MiB sections, each its own
 * range with classic SPARSEMEM.  It is applied whole, and *resume tells the
 * next range where to go on. */
static int scan_range(struct kernel *k, const struct memmap_range *mr,
		      const struct page_rules *rules, unsigned dump_level,
		      struct keepmap *km, struct scan_stats *st,
		      struct chunk *c, uint64_t *resume, struct ds_err *err)
{
	uint64_t page_sz = rules->page_size;
	uint64_t end = mr->end_pfn < km->npfn ? mr->end_pfn : km->npfn;
	uint8_t next_buf[1024];
	uint64_t pfn = mr->start_pfn > *resume ? mr->start_pfn : *resume;
	int r;

	c->first_pfn = UINT64_MAX;
	c->ahead = 0;
	c->next_vaddr = UINT64_MAX;
	c->window = 0;
	while (pfn < end) {
		struct page_verdict v;
		const uint8_t *page, *next = NULL;

		if (!keepmap_is_dumped(km, pfn)) {
			pfn = keepmap_next_dumped(km, pfn);
			continue;
		}
		if (c->first_pfn == UINT64_MAX || pfn < c->first_pfn ||
		    pfn >= c->first_pfn + c->n) {
			if ((r = load_chunk(k, mr, page_sz, pfn, c, st, err)) < 0)
				return r;
		}
		if (c->unreadable) {         /* undecided: kept */
			pfn = c->first_pfn + c->n;
			continue;
		}
		page = c->buf + (pfn - c->first_pfn) * page_sz;
		if (pfn + 1 < mr->end_pfn && page_is_compound_head(rules, page)) {
			if (pfn + 1 < c->first_pfn + c->n) {
				next = page + page_sz;
			} else {
				uint64_t vaddr = mr->page_vaddr + (pfn + 1 - mr->start_pfn) * page_sz;

				if ((r = kernel_read(k, vaddr, next_buf, page_sz, err)) < 0 &&
				    err->status != DS_EREAD)
					return ds_err_wrap(err, "cannot read the struct page of pfn 0x%"
							   PRIx64, pfn + 1);
				/* unreadable: the head is decided without its tail */
				next = r < 0 ? NULL : next_buf;
			}
		}
		page_classify(rules, page, next, pfn, dump_level, km->npfn - pfn, &v);
		if (v.bad_order)
			st->bad_order++;
		if (v.cls == PAGE_KEEP || v.cls == PAGE_TAIL) {
			pfn++;
			continue;
		}
		uint64_t stop = pfn + (v.npages ? v.npages : 1);

		if (stop > km->npfn)
			stop = km->npfn;
		st->excluded[v.cls] += keepmap_count_dumped_range(km, pfn, stop);
		if (keepmap_exclude(km, pfn, stop) < 0)
			return ds_err_set(err, DS_ENOMEM, "out of memory for the page maps");
		pfn = stop;
	}
	if (pfn > *resume)
		*resume = pfn;
	return 0;
}

int scan_run(struct kernel *k, const struct memmap *mm,
	     const struct page_rules *rules, unsigned dump_level,
	     struct keepmap *km, struct scan_stats *st, struct ds_err *err)
{
	struct chunk c;
	uint64_t resume = 0;
	int r = 0;

	memset(st, 0, sizeof(*st));
	if (rules->page_size == 0 || rules->page_size > 1024)
		return ds_err_set(err, DS_ECORRUPT, "bad SIZE(page)=%u", rules->page_size);
	c.buf = malloc((size_t)CHUNK_PAGES * rules->page_size);
	if (!c.buf)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	for (size_t i = 0; i < mm->n_ranges && r == 0; i++)
		r = scan_range(k, &mm->ranges[i], rules, dump_level, km, st, &c, &resume, err);
	free(c.buf);
	return r;
}

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
 * starts at SCAN_PREFETCH_MIN on the second whole chunk in a row and
 * doubles up to SCAN_PREFETCH, like the kernel's readahead; a skip closes
 * it.  (On an idle machine the pages in use come in short runs: a window
 * opened sooner, or wider, reads struct pages the scan then jumps over.) */
#define SCAN_PREFETCH_MIN (8u << 10)
#define SCAN_PREFETCH (8u << 20)

struct chunk {
	uint64_t first_pfn;      /* pfn of entry 0, UINT64_MAX when empty */
	uint64_t n;              /* entries loaded */
	bool unreadable;         /* an I/O error: its pfns stay kept */
	uint8_t *buf;            /* CHUNK_PAGES * SIZE(page) bytes */
	uint64_t ahead;          /* struct page vaddrs below it are announced */
	uint64_t next_vaddr;     /* where the chunk after the last one loaded starts */
	uint64_t window;         /* bytes announced at a time; 0 while skipping */
	unsigned streak;         /* loads in a row, each where the last one ended */
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
		c->streak = 0;
		n = SPARSE_PAGES;
	} else {
		/* going on: up to the next aligned chunk boundary */
		c->streak++;
		n = CHUNK_PAGES - (pfn - mr->start_pfn) % CHUNK_PAGES;
	}
	if (n > mr->end_pfn - first)
		n = mr->end_pfn - first;
	if (c->streak >= 2 && vaddr + c->window / 2 >= c->ahead) {
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

/* Where the scan's decisions go: the keep-map (the scan), or one keep-map
 * chunk's bitmap (its bits made again, scan_regen_chunk). */
struct target {
	struct keepmap *km;        /* the scan: tests, exclusions and stats here */
	struct scan_stats *st;
	struct scan_regen *g;      /* the scan, when chunks may be made again */
	uint64_t *bits;            /* made again: the bits of [first, first + n) */
	uint64_t first, n, npfn;
};

#define ENTRY_EXCLUDED (UINT32_C(1) << 31)
#define ENTRY_UNSET UINT32_MAX

/* The scan went from pfn `from` to `to` (excluding [from, to) when
 * `excluded`): each chunk it entered remembers where, and whether what
 * came before in it was excluded by an object from before it; the chunks
 * left behind are final. */
static void moved(struct target *t, uint64_t from, uint64_t to, bool excluded)
{
	struct scan_regen *g = t->g;
	uint64_t ci, last;

	if (!g || from >> KEEPMAP_CHUNK_SHIFT == to >> KEEPMAP_CHUNK_SHIFT)
		return;
	last = to >> KEEPMAP_CHUNK_SHIFT;
	for (ci = (from >> KEEPMAP_CHUNK_SHIFT) + 1; ci <= last && ci < g->nchunks; ci++) {
		uint64_t base = ci << KEEPMAP_CHUNK_SHIFT;
		uint64_t off = to - base < KEEPMAP_CHUNK_PFNS ? to - base : KEEPMAP_CHUNK_PFNS;

		if (g->entry[ci] == ENTRY_UNSET)
			g->entry[ci] = (uint32_t)off | (excluded && off ? ENTRY_EXCLUDED : 0);
	}
	keepmap_seal(t->km, to & ~(KEEPMAP_CHUNK_PFNS - 1));
}

static bool t_dumped(const struct target *t, uint64_t pfn)
{
	if (!t->bits)
		return keepmap_is_dumped(t->km, pfn);
	pfn -= t->first;
	return (t->bits[pfn / 64] >> (pfn & 63)) & 1;
}

static uint64_t t_next_dumped(const struct target *t, uint64_t pfn)
{
	if (!t->bits)
		return keepmap_next_dumped(t->km, pfn);
	for (uint64_t off = pfn - t->first; off < t->n;) {
		uint64_t w = t->bits[off / 64] & (~UINT64_C(0) << (off & 63));

		if (w)
			return t->first + (off & ~UINT64_C(63)) + (uint64_t)__builtin_ctzll(w);
		off = (off | 63) + 1;
	}
	return t->first + t->n;
}

static int t_exclude(struct target *t, uint64_t pfn, uint64_t stop, enum page_class cls)
{
	if (!t->bits) {
		t->st->excluded[cls] += keepmap_count_dumped_range(t->km, pfn, stop);
		return keepmap_exclude(t->km, pfn, stop);
	}
	if (stop > t->first + t->n)
		stop = t->first + t->n;
	for (uint64_t p = pfn - t->first; p < stop - t->first; p++)
		t->bits[p / 64] &= ~(UINT64_C(1) << (p & 63));
	return 0;
}

/* Scan one struct page range from pfn *resume on (a verdict of an earlier
 * range may already cover its start), up to `end` (the keep-map's or the
 * chunk's).  A verdict may run past the range's end: a 1 GiB hugetlb page
 * spans eight 128 MiB sections, each its own range with classic SPARSEMEM.
 * It is applied whole, and *resume tells the next range where to go on. */
static int scan_range(struct kernel *k, const struct memmap_range *mr,
		      const struct page_rules *rules, unsigned dump_level,
		      struct target *t, uint64_t end, struct scan_stats *st,
		      struct chunk *c, uint64_t *resume, struct ds_err *err)
{
	uint64_t page_sz = rules->page_size;
	uint8_t next_buf[1024];
	uint64_t pfn = mr->start_pfn > *resume ? mr->start_pfn : *resume;
	int r;

	if (mr->end_pfn < end)
		end = mr->end_pfn;
	c->first_pfn = UINT64_MAX;
	c->ahead = 0;
	c->next_vaddr = UINT64_MAX;
	c->window = 0;
	c->streak = 0;
	if (t->g) {
		moved(t, t->g->pos, pfn, false);
		t->g->pos = pfn;
	}
	while (pfn < end) {
		struct page_verdict v;
		const uint8_t *page, *next = NULL;
		uint64_t to;

		if (!t_dumped(t, pfn)) {
			to = t_next_dumped(t, pfn);
			moved(t, pfn, to, false);
			pfn = to;
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
		page_classify(rules, page, next, pfn, dump_level, t->npfn - pfn, &v);
		if (v.bad_order)
			st->bad_order++;
		if (v.cls == PAGE_KEEP || v.cls == PAGE_TAIL) {
			moved(t, pfn, pfn + 1, false);
			pfn++;
			continue;
		}
		uint64_t stop = pfn + (v.npages ? v.npages : 1);

		if (stop > t->npfn)
			stop = t->npfn;
		if (t_exclude(t, pfn, stop, v.cls) < 0)
			return ds_err_set(err, DS_ENOMEM, "out of memory for the page maps");
		moved(t, pfn, stop, true);
		pfn = stop;
	}
	if (t->g)
		t->g->pos = pfn;
	if (pfn > *resume)
		*resume = pfn;
	return 0;
}

int scan_run(struct kernel *k, const struct memmap *mm,
	     const struct page_rules *rules, unsigned dump_level,
	     struct keepmap *km, struct scan_regen *g, struct scan_stats *st,
	     struct ds_err *err)
{
	struct chunk c;
	struct target t = { .km = km, .st = st, .g = g, .npfn = km->npfn };
	uint64_t resume = 0;
	int r = 0;

	memset(st, 0, sizeof(*st));
	if (rules->page_size == 0 || rules->page_size > 1024)
		return ds_err_set(err, DS_ECORRUPT, "bad SIZE(page)=%u", rules->page_size);
	c.buf = malloc((size_t)CHUNK_PAGES * rules->page_size);
	if (!c.buf)
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	for (size_t i = 0; i < mm->n_ranges && r == 0; i++)
		r = scan_range(k, &mm->ranges[i], rules, dump_level, &t, km->npfn, st, &c,
			       &resume, err);
	free(c.buf);
	if (r == 0 && g) {
		g->scanned = true;
		keepmap_seal(km, km->npfn);
	}
	return r;
}

/* ---- bits made again ---- */

int scan_regen_init(struct scan_regen *g, struct kernel *k, const struct memmap *mm,
		    const struct page_rules *rules, unsigned dump_level, struct keepmap *km,
		    struct ds_err *err)
{
	memset(g, 0, sizeof(*g));
	g->k = k;
	g->mm = mm;
	g->rules = rules;
	g->dump_level = dump_level;
	g->km = km;
	g->nchunks = (km->npfn + KEEPMAP_CHUNK_PFNS - 1) >> KEEPMAP_CHUNK_SHIFT;
	g->entry = malloc((g->nchunks ? g->nchunks : 1) * sizeof(*g->entry));
	g->buf = malloc((size_t)CHUNK_PAGES * (rules->page_size ? rules->page_size : 1));
	if (!g->entry || !g->buf) {
		scan_regen_release(g);
		return ds_err_set(err, DS_ENOMEM, "out of memory");
	}
	for (uint64_t i = 0; i < g->nchunks; i++)
		g->entry[i] = ENTRY_UNSET;
	return keepmap_set_regen(km, scan_regen_chunk, g, err);
}

void scan_regen_release(struct scan_regen *g)
{
	free(g->entry);
	free(g->buf);
	g->entry = NULL;
	g->buf = NULL;
}

int scan_regen_chunk(void *arg, uint64_t first, uint64_t n, uint64_t *bits, struct ds_err *err)
{
	struct scan_regen *g = arg;
	struct scan_stats scratch;
	struct chunk c = { .buf = g->buf };
	struct target t = { .km = g->km, .st = &scratch, .bits = bits, .first = first, .n = n,
			    .npfn = g->km->npfn };
	uint32_t e = g->scanned ? g->entry[first >> KEEPMAP_CHUNK_SHIFT] : ENTRY_UNSET;
	uint64_t off = e == ENTRY_UNSET ? 0 : e & ~ENTRY_EXCLUDED, resume;
	int r = 0;

	if (!g->scanned)
		return ds_err_set(err, DS_EINVAL, "internal: page maps made again before the scan ended");
	memset(&scratch, 0, sizeof(scratch));
	/* before the scan: the present pfns (an ELF vmcore holds data for all) */
	keepmap_copy_bytes(g->km, false, first / 8, bits, (size_t)((n + 7) / 8));
	if (e != ENTRY_UNSET && (e & ENTRY_EXCLUDED))
		t_exclude(&t, first, first + off, PAGE_FREE);
	resume = first + off;
	for (size_t i = 0; i < g->mm->n_ranges && r == 0; i++) {
		const struct memmap_range *mr = &g->mm->ranges[i];

		if (mr->end_pfn <= resume)
			continue;
		if (mr->start_pfn >= first + n)
			break;
		r = scan_range(g->k, mr, g->rules, g->dump_level, &t, first + n, &scratch, &c,
			       &resume, err);
	}
	return r < 0 ? ds_err_wrap(err, "making the page maps of pfn 0x%" PRIx64 " again", first) : 0;
}

/* vmemmap.c - exclude struct page array pages that describe only excluded
 * pfns (-e); see vmemmap.h.
 *
 * A page of the arrays (a "window": the struct pages of 64 pfns with 4 KiB
 * pages and 64-byte struct pages) goes when every pfn it describes is
 * present and excluded.  Decisions are taken against the keep-map as the
 * scan left it: the array pages themselves are pfns (kernel memory, kept),
 * and excluding one must not make the window that describes it look
 * unused.  Keeping every decision until the end would cost memory that
 * grows with the machine (a run per stretch of unused windows: millions at
 * 64 TiB), so:
 *   1. the physical pages of the arrays are listed first (one address
 *      translation per mapping page, runs merged: a few per NUMA node);
 *   2. the windows that describe one of those pages are decided, and the
 *      rare ones that go are kept in a short list;
 *   3. every other window is decided and excluded at once: excluding an
 *      array page cannot change a later decision, since no window left
 *      describes one;
 *   4. the list of step 2 is applied.
 * Whole keep-map batches of unused, present pfns are decided at once.
 */
#include "vmemmap.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>

#define BATCH_PFNS (UINT64_C(1) << 15)     /* pfns whose state is checked at once */

struct pfn_run {
	uint64_t start, end;
};

struct run_list {
	struct pfn_run *v;
	size_t n, cap;
};

/* Append [start, end), merging with the last run when contiguous. */
static int push(struct run_list *l, uint64_t start, uint64_t end)
{
	if (l->n && l->v[l->n - 1].end == start) {
		l->v[l->n - 1].end = end;
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct pfn_run *grown = realloc(l->v, cap * sizeof(*grown));

		if (!grown)
			return -1;
		l->v = grown;
		l->cap = cap;
	}
	l->v[l->n++] = (struct pfn_run){ start, end };
	return 0;
}

static int cmp_run(const void *a, const void *b)
{
	const struct pfn_run *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

struct walk {
	struct kernel *k;
	const struct memmap *mm;
	uint64_t sz, ps;
	struct keepmap *km;
	const struct run_list *arrays;   /* physical pfns of the arrays, sorted */
	size_t ai;                       /* first array run not below the walk */
	/* the batch whose state is known: all pfns present and excluded? */
	uint64_t batch;
	bool batch_unused;
	struct run_list *out;            /* step 2: decisions collected here */
	uint64_t run_start, run_end;     /* pending physical run of array pages */
	uint64_t pages;
};

/* Does [first, last] meet an array run?  (first only grows between calls,
 * until the walk restarts: ai = 0) */
static bool meets_arrays(struct walk *w, uint64_t first, uint64_t last)
{
	const struct run_list *l = w->arrays;

	while (w->ai < l->n && l->v[w->ai].end <= first)
		w->ai++;
	return w->ai < l->n && l->v[w->ai].start <= last;
}

/* The state of the batch holding pfn: all present and excluded? */
static bool batch_unused(struct walk *w, uint64_t pfn)
{
	uint64_t b = pfn / BATCH_PFNS;

	if (b != w->batch) {
		uint64_t s = b * BATCH_PFNS, e = s + BATCH_PFNS;

		if (e > w->km->npfn)
			e = w->km->npfn;
		w->batch = b;
		w->batch_unused = s < e && keepmap_count_dumped_range(w->km, s, e) == 0 &&
				  keepmap_count_present_range(w->km, s, e) == e - s;
	}
	return w->batch_unused;
}

/* Are the pfns [first, last] all present and excluded? */
static bool unused(struct walk *w, uint64_t first, uint64_t last)
{
	if (first / BATCH_PFNS == last / BATCH_PFNS && batch_unused(w, first))
		return true;
	return keepmap_count_dumped_range(w->km, first, last + 1) == 0 &&
	       keepmap_count_present_range(w->km, first, last + 1) == last + 1 - first;
}

static int flush_run(struct walk *w)
{
	int r = 0;

	if (w->run_end > w->run_start) {
		if (w->out) {
			r = push(w->out, w->run_start, w->run_end);
		} else {
			w->pages += keepmap_count_dumped_range(w->km, w->run_start, w->run_end);
			r = keepmap_exclude(w->km, w->run_start, w->run_end);
		}
	}
	w->run_start = w->run_end = 0;
	return r;
}

/* The array pages [va, va + n pages) go (physically contiguous). */
static int drop(struct walk *w, uint64_t va, uint64_t n, uint64_t first, struct ds_err *err)
{
	uint64_t paddr, pfn;

	if (kernel_vtop(w->k, va, &paddr, err) < 0)
		return ds_err_wrap(err, "-e: struct pages of pfn 0x%" PRIx64, first);
	pfn = paddr >> w->k->page_shift;
	if (pfn != w->run_end && flush_run(w) < 0)
		return ds_err_set(err, DS_ENOMEM, "out of memory for the page maps");
	if (w->run_end == w->run_start)
		w->run_start = w->run_end = pfn;
	w->run_end += n;
	return 0;
}

/* Decide the windows of range mr from va on while they describe pfns below
 * stop_pfn; with only_arrays, only those that describe array pages. */
static int walk_range(struct walk *w, const struct memmap_range *mr, uint64_t va,
		      uint64_t stop_pfn, bool only_arrays, struct ds_err *err)
{
	uint64_t va0 = mr->page_vaddr, sz = w->sz, ps = w->ps;
	uint64_t va_end = va0 + (mr->end_pfn - mr->start_pfn) * sz;
	/* windows per batch, when a batch's struct pages fill whole pages */
	uint64_t per_batch = ps % sz == 0 && (BATCH_PFNS * sz) % ps == 0 ? BATCH_PFNS * sz / ps : 0;

	/* only pages that hold nothing but this range's struct pages */
	if (va < va0)
		va = va0;
	for (va = (va + ps - 1) & ~(ps - 1); va + ps <= va_end;) {
		uint64_t first = mr->start_pfn + (va - va0) / sz;
		uint64_t last = mr->start_pfn + (va + ps - 1 - va0) / sz;   /* inclusive */
		uint64_t paddr;

		if (first >= stop_pfn)
			break;
		/* a whole unused batch in one mapping page, no array page in it */
		if (!only_arrays && per_batch && first % BATCH_PFNS == 0 &&
		    va + per_batch * ps <= va_end && batch_unused(w, first) &&
		    (first + BATCH_PFNS <= w->km->npfn) &&
		    !meets_arrays(w, first, first + BATCH_PFNS - 1)) {
			if (kernel_vtop(w->k, va, &paddr, err) < 0)
				return ds_err_wrap(err, "-e: struct pages of pfn 0x%" PRIx64, first);
			if (w->k->tlb_vaddr + w->k->tlb_size >= va + per_batch * ps) {
				if (drop(w, va, per_batch, first, err) < 0)
					return -1;
				va += per_batch * ps;
				continue;
			}
		}
		if (meets_arrays(w, first, last) == only_arrays && unused(w, first, last) &&
		    drop(w, va, 1, first, err) < 0)
			return -1;
		va += ps;
	}
	return 0;
}

/* the range holding pfn, or n_ranges */
static size_t range_of(const struct memmap *mm, uint64_t pfn)
{
	size_t lo = 0, hi = mm->n_ranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mm->ranges[mid].end_pfn <= pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < mm->n_ranges && mm->ranges[lo].start_pfn <= pfn ? lo : mm->n_ranges;
}

/* Step 2: the windows that describe array pages, found from the arrays'
 * runs; decisions go to w->out. */
static int walk_array_windows(struct walk *w, struct ds_err *err)
{
	const struct run_list *l = w->arrays;

	for (size_t i = 0; i < l->n; i++) {
		uint64_t pfn = l->v[i].start;

		while (pfn < l->v[i].end) {
			size_t ri = range_of(w->mm, pfn);
			const struct memmap_range *mr;

			if (ri == w->mm->n_ranges) {
				pfn++;          /* no struct page: nothing describes it */
				continue;
			}
			mr = &w->mm->ranges[ri];
			w->ai = 0;
			if (walk_range(w, mr, (mr->page_vaddr + (pfn - mr->start_pfn) * w->sz) & ~(w->ps - 1),
				       l->v[i].end, true, err) < 0)
				return -1;
			pfn = mr->end_pfn < l->v[i].end ? mr->end_pfn : l->v[i].end;
		}
	}
	return flush_run(w) < 0 ? ds_err_set(err, DS_ENOMEM, "out of memory") : 0;
}

/* Step 1: the physical pfns of every page of the arrays. */
static int list_arrays(struct kernel *k, const struct memmap *mm, uint64_t sz,
		       struct run_list *l, struct ds_err *err)
{
	uint64_t ps = k->page_size;

	for (size_t i = 0; i < mm->n_ranges; i++) {
		const struct memmap_range *mr = &mm->ranges[i];
		uint64_t va = mr->page_vaddr & ~(ps - 1);
		uint64_t va_end = mr->page_vaddr + (mr->end_pfn - mr->start_pfn) * sz;

		while (va < va_end) {
			uint64_t paddr, step;

			if (kernel_vtop(k, va, &paddr, err) < 0)
				return ds_err_wrap(err, "-e: struct pages of pfn 0x%" PRIx64,
						   mr->start_pfn + (va > mr->page_vaddr ?
								    (va - mr->page_vaddr) / sz : 0));
			/* to the end of the mapping page that holds va */
			step = k->tlb_size && va >= k->tlb_vaddr ?
			       k->tlb_vaddr + k->tlb_size - va : ps;
			if (step > va_end - va)
				step = (va_end - va + ps - 1) & ~(ps - 1);
			if (push(l, paddr >> k->page_shift, (paddr + step + ps - 1) >> k->page_shift) < 0)
				return ds_err_set(err, DS_ENOMEM, "out of memory");
			va += step;
		}
	}
	qsort(l->v, l->n, sizeof(*l->v), cmp_run);
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (n && l->v[i].start <= l->v[n - 1].end) {
			if (l->v[i].end > l->v[n - 1].end)
				l->v[n - 1].end = l->v[i].end;
		} else {
			l->v[n++] = l->v[i];
		}
	}
	l->n = n;
	return 0;
}

int vmemmap_exclude(struct kernel *k, const struct memmap *mm, uint64_t sz,
		    struct keepmap *km, uint64_t *ret_pages, struct ds_err *err)
{
	struct run_list arrays = { 0 }, later = { 0 };
	struct walk w = { .k = k, .mm = mm, .sz = sz, .ps = k->page_size, .km = km,
			  .arrays = &arrays, .batch = UINT64_MAX };
	int r;

	*ret_pages = 0;
	if (!sz || sz > w.ps)
		return ds_err_set(err, DS_ECORRUPT, "bad SIZE(page)=%" PRIu64, sz);
	if ((r = list_arrays(k, mm, sz, &arrays, err)) < 0)
		goto out;
	/* 2: the windows describing array pages, against the scan's keep-map */
	w.out = &later;
	if ((r = walk_array_windows(&w, err)) < 0)
		goto out;
	/* 3: every other window, excluded as it is found */
	w.out = NULL;
	w.batch = UINT64_MAX;
	w.ai = 0;
	for (size_t i = 0; i < mm->n_ranges; i++)
		if ((r = walk_range(&w, &mm->ranges[i], mm->ranges[i].page_vaddr, UINT64_MAX,
				    false, err)) < 0)
			goto out;
	if (flush_run(&w) < 0) {
		r = ds_err_set(err, DS_ENOMEM, "out of memory for the page maps");
		goto out;
	}
	/* 4 */
	for (size_t i = 0; i < later.n; i++) {
		w.pages += keepmap_count_dumped_range(km, later.v[i].start, later.v[i].end);
		if (keepmap_exclude(km, later.v[i].start, later.v[i].end) < 0) {
			r = ds_err_set(err, DS_ENOMEM, "out of memory for the page maps");
			goto out;
		}
	}
	*ret_pages = w.pages;
out:
	free(arrays.v);
	free(later.v);
	return r;
}

/* vmemmap.c - exclude struct page array pages that describe only excluded
 * pfns (-e); see vmemmap.h. */
#include "vmemmap.h"

#include <inttypes.h>
#include <stdlib.h>

struct pfn_run {
	uint64_t start, end;
};

struct run_list {
	struct pfn_run *v;
	size_t n, cap;
};

/* Append pfn, merging with the last run when contiguous (vmemmap pages
 * backed by one huge page are physically contiguous: runs stay few). */
static int push(struct run_list *l, uint64_t pfn)
{
	if (l->n && l->v[l->n - 1].end == pfn) {
		l->v[l->n - 1].end++;
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct pfn_run *grown = realloc(l->v, cap * sizeof(*grown));

		if (!grown)
			return -1;
		l->v = grown;
		l->cap = cap;
	}
	l->v[l->n++] = (struct pfn_run){ pfn, pfn + 1 };
	return 0;
}

int vmemmap_exclude(struct kernel *k, const struct memmap *mm, uint64_t sz,
		    struct keepmap *km, uint64_t *ret_pages, struct ds_err *err)
{
	uint64_t ps = k->page_size;
	struct run_list l = { 0 };
	int r = 0;

	*ret_pages = 0;
	if (!sz || sz > ps)
		return ds_err_set(err, DS_ECORRUPT, "bad SIZE(page)=%" PRIu64, sz);
	for (size_t i = 0; i < mm->n_ranges && r == 0; i++) {
		const struct memmap_range *mr = &mm->ranges[i];
		uint64_t va0 = mr->page_vaddr;
		uint64_t va_end = va0 + (mr->end_pfn - mr->start_pfn) * sz;

		/* only pages that hold nothing but this range's struct pages */
		for (uint64_t va = (va0 + ps - 1) & ~(ps - 1); va + ps <= va_end; va += ps) {
			uint64_t first = mr->start_pfn + (va - va0) / sz;
			uint64_t last = mr->start_pfn + (va + ps - 1 - va0) / sz;   /* inclusive */
			uint64_t paddr;

			if (keepmap_count_dumped_range(km, first, last + 1) != 0 ||
			    keepmap_count_present_range(km, first, last + 1) != last + 1 - first)
				continue;
			if (kernel_vtop(k, va, &paddr, err) < 0) {
				r = ds_err_wrap(err, "-e: struct pages of pfn 0x%" PRIx64, first);
				break;
			}
			if (push(&l, paddr >> k->page_shift) < 0) {
				r = ds_err_set(err, DS_ENOMEM, "out of memory");
				break;
			}
		}
	}
	for (size_t i = 0; i < l.n && r == 0; i++) {
		*ret_pages += keepmap_count_dumped_range(km, l.v[i].start, l.v[i].end);
		if (keepmap_exclude(km, l.v[i].start, l.v[i].end) < 0)
			r = ds_err_set(err, DS_ENOMEM, "out of memory for the page maps");
	}
	free(l.v);
	return r;
}

/* fuzz_vmcore.c - fuzz target: from a vmcore to the keep-map, every step
 * that reads the crashed kernel's data structures, run as a dump runs them
 * (lib/session.c): the input, the kernel model, mem_section / mem_map
 * decoding (lib/filter/memmap), the keep-map from the input's physical
 * map, the filtering rules, the struct page scan and its classification
 * (scan, classify), -e (vmemmap), the utsname.  Not the copy (fuzz_dump).
 *
 * Input: a vmcore whose last 64 bytes also give the dump level, -e and
 * --non-mmap (struct fuzz_params); seeds are small synthetic vmcores of
 * every kernel encoding (README.md).  Promises checked: the struct page
 * ranges are sorted, apart and inside the keep-map; filtering only clears
 * bits, and what it cleared is what the scan and -e counted.  And the scan
 * (chunked reads, jumps past whole blocks, verdicts that run into the next
 * range) must leave the keep-map that a plain reference scan written here
 * leaves: every present pfn's struct page read on its own and classified
 * (ref_scan).
 */
#include <inttypes.h>
#include <string.h>

#include "fuzz.h"
#include "filter/vmemmap.h"
#include "session.h"

/* keep-maps up to this size get the reference scan (a struct page read per
 * pfn costs a page-table lookup each) */
#define REF_MAX_PFN (1u << 20)

static void check_memmap(const struct memmap *mm, uint64_t max_pfn)
{
	for (size_t i = 0; i < mm->n_ranges; i++) {
		const struct memmap_range *r = &mm->ranges[i];

		fuzz_check(r->start_pfn < r->end_pfn,
			   "memmap range %zu: [0x%" PRIx64 ", 0x%" PRIx64 ")", i, r->start_pfn,
			   r->end_pfn);
		fuzz_check(i == 0 || mm->ranges[i - 1].end_pfn <= r->start_pfn,
			   "memmap range %zu overlaps the one before", i);
	}
	fuzz_check(mm->end_pfn == (mm->n_ranges ? mm->ranges[mm->n_ranges - 1].end_pfn : 0),
		   "end_pfn 0x%" PRIx64, mm->end_pfn);
	fuzz_check(max_pfn <= mm->end_pfn, "keep-map of 0x%" PRIx64 " pfns past the struct pages",
		   max_pfn);
}

/* The scan's rule, plainly: in range order, each pfn still dumped is
 * classified from its own struct page (and the next one for a compound
 * head); a verdict excludes its pages and the walk goes on past them, into
 * the next range if it runs over.  false when a struct page cannot be read
 * (the real scan reads 64 at a time, so it may fail where this does not). */
static bool ref_scan(struct session *s, struct keepmap *km)
{
	struct kernel *k = &s->k;
	const struct page_rules *r = &s->rules;
	uint8_t page[1024], next[1024];
	uint64_t resume = 0;
	struct ds_err err;

	for (size_t i = 0; i < s->mm.n_ranges; i++) {
		const struct memmap_range *mr = &s->mm.ranges[i];
		uint64_t end = mr->end_pfn < km->npfn ? mr->end_pfn : km->npfn;
		uint64_t pfn = mr->start_pfn > resume ? mr->start_pfn : resume;

		while (pfn < end) {
			struct page_verdict v;
			bool has_next = false;

			if (!keepmap_is_dumped(km, pfn)) {
				pfn++;
				continue;
			}
			if (kernel_read(k, mr->page_vaddr + (pfn - mr->start_pfn) * r->page_size, page,
					r->page_size, &err) < 0)
				return false;
			if (pfn + 1 < mr->end_pfn && page_is_compound_head(r, page)) {
				if (kernel_read(k, mr->page_vaddr + (pfn + 1 - mr->start_pfn) * r->page_size,
						next, r->page_size, &err) < 0)
					return false;
				has_next = true;
			}
			page_classify(r, page, has_next ? next : NULL, pfn, s->o->dump_level,
				      km->npfn - pfn, &v);
			if (v.cls == PAGE_KEEP || v.cls == PAGE_TAIL) {
				pfn++;
				continue;
			}
			uint64_t stop = pfn + v.npages < km->npfn ? pfn + v.npages : km->npfn;

			if (keepmap_exclude(km, pfn, stop) < 0)
				return false;
			pfn = stop;
		}
		if (pfn > resume)
			resume = pfn;
	}
	return true;
}

static void compare_maps(const struct keepmap *got, const struct keepmap *want)
{
	uint64_t a = 0, b = 0;

	fuzz_check(keepmap_count_dumped(got) == keepmap_count_dumped(want),
		   "the scan keeps %" PRIu64 " pfns, the reference scan %" PRIu64,
		   keepmap_count_dumped(got), keepmap_count_dumped(want));
	for (;;) {
		a = keepmap_next_dumped(got, a);
		b = keepmap_next_dumped(want, b);
		fuzz_check(a == b, "the scan keeps pfn 0x%" PRIx64 ", the reference 0x%" PRIx64, a, b);
		if (a >= got->npfn)
			break;
		a++;
		b++;
	}
}

static void filter(struct session *s)
{
	struct ds_err err;
	uint64_t present, dumped, excluded = 0;
	struct dump_meta m;

	if (session_open_input(s, &err) < 0 || session_kernel(s, &err) < 0) {
		fuzz_say("vmcore: %s", err.msg);
		return;
	}
	if (session_page_maps(s, &err) < 0) {
		fuzz_say("vmcore: page maps: %s", err.msg);
		return;
	}
	check_memmap(&s->mm, s->max_pfn);
	/* the same keep-map again, for the reference scan */
	struct keepmap ref;
	bool have_ref = s->max_pfn <= REF_MAX_PFN && keepmap_init(&ref, s->max_pfn, &err) == 0;

	if (have_ref && (keepmap_set_budget(&ref, 1u << 20, NULL, &err) < 0 ||
			 input_map_pages(&s->in, s->k.page_shift, &ref, &err) < 0)) {
		keepmap_release(&ref);
		have_ref = false;
	}
	present = keepmap_count_present(&s->km);
	dumped = keepmap_count_dumped(&s->km);
	fuzz_check(dumped <= present, "%" PRIu64 " dumped of %" PRIu64 " present", dumped, present);
	if (session_filter(s, &err) < 0) {
		fuzz_say("vmcore: filter: %s", err.msg);
		if (have_ref)
			keepmap_release(&ref);
		return;
	}
	if (have_ref) {
		uint64_t sz, vm;

		if (ref_scan(s, &ref) &&
		    (!s->o->exclude_vmemmap ||
		     (vmci_size(s->k.vi, "page", &sz) &&
		      vmemmap_exclude(&s->k, &s->mm, sz, &ref, &vm, &err) == 0)))
			compare_maps(&s->km, &ref);
		keepmap_release(&ref);
	}
	for (int c = 0; c < PAGE_CLASS_MAX; c++)
		excluded += s->scan.excluded[c];
	fuzz_check(s->scan.excluded[PAGE_KEEP] == 0 && s->scan.excluded[PAGE_TAIL] == 0,
		   "kept or tail pages counted as excluded");
	fuzz_check(keepmap_count_present(&s->km) == present &&
		   keepmap_count_dumped(&s->km) + excluded + s->vmemmap_pages == dumped,
		   "present %" PRIu64 " -> %" PRIu64 ", dumped %" PRIu64 " -> %" PRIu64
		   ", the scan excluded %" PRIu64 " and -e %" PRIu64, present,
		   keepmap_count_present(&s->km), dumped, keepmap_count_dumped(&s->km),
		   excluded, s->vmemmap_pages);
	fuzz_say("vmcore: -d %u%s: %zu struct page ranges, %" PRIu64 " present, %" PRIu64
		 " dumped, %" PRIu64 " struct pages read", s->o->dump_level,
		 s->o->exclude_vmemmap ? " -e" : "", s->mm.n_ranges, present,
		 keepmap_count_dumped(&s->km), s->scan.struct_pages_read);
	session_meta(s, &m);          /* reads the utsname */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_params p;
	struct ds_options o;
	struct session s;

	fuzz_params_get(data, size, &p);
	memset(&o, 0, sizeof(o));
	o.input = fuzz_file(data, size);
	o.dump_level = p.level & 31;
	o.exclude_vmemmap = p.flags & FUZZ_F_EXCLUDE_VMEMMAP;
	o.no_mmap = p.flags & FUZZ_F_NO_MMAP;
	o.map_budget = 1u << 20;
	session_init(&s, &o);
	filter(&s);
	session_end(&s, -1);
	return 0;
}

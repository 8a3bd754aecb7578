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
 * bits, and what it cleared is what the scan and -e counted.
 */
#include <inttypes.h>
#include <string.h>

#include "fuzz.h"
#include "session.h"

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
	present = keepmap_count_present(&s->km);
	dumped = keepmap_count_dumped(&s->km);
	fuzz_check(dumped <= present, "%" PRIu64 " dumped of %" PRIu64 " present", dumped, present);
	if (session_filter(s, &err) < 0) {
		fuzz_say("vmcore: filter: %s", err.msg);
		return;
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

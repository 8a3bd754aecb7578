/* fuzz_vmcoreinfo.c - fuzz target: the VMCOREINFO parser
 * (lib/kernel/vmcoreinfo) and what is built from it alone, the filtering
 * rules (page_rules_init in lib/filter/classify).
 *
 * Input: the text of a VMCOREINFO note.  Every typed lookup the library
 * makes is made; for each dump level the rules are built and their
 * promise checked (every struct page field they will read lies inside
 * SIZE(page)), then pages of all-zero, all-one and input bytes are
 * classified from buffers of exactly SIZE(page) bytes, so that a read past
 * the struct page is an ASan finding.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "filter/classify.h"
#include "kernel/vmcoreinfo.h"

static const char *const names[] = {
	"mem_section", "mem_map", "init_top_pgt", "init_level4_pgt", "init_uts_ns",
	"free_huge_page", "page", "page.flags", "page.mapping", "page._mapcount",
	"page.private", "page.compound_head", "page.compound_info", "page.lru",
	"page.compound_order", "page.compound_dtor", "folio._folio_order",
	"folio._folio_dtor", "mem_section.section_mem_map", "uts_namespace.name",
	"zone.free_area", "PG_lru", "PG_private", "PG_swapcache", "PG_swapbacked",
	"PG_slab", "PG_hwpoison", "PG_buddy", "PG_hugetlb", "PG_head_mask", "PG_head",
	"PAGE_BUDDY_MAPCOUNT_VALUE", "PAGE_OFFLINE_MAPCOUNT_VALUE",
	"PAGE_SLAB_MAPCOUNT_VALUE", "PAGE_HUGETLB_MAPCOUNT_VALUE",
	"PAGE_UNACCEPTED_MAPCOUNT_VALUE", "HUGETLB_PAGE_DTOR", "SECTION_SIZE_BITS",
	"MAX_PHYSMEM_BITS", "pgtable_l5_enabled", "phys_base", "sme_mask",
	"OSRELEASE", "PAGESIZE", "CRASHTIME", "KERNELOFFSET", "BUILD-ID",
};

static void check_rules(const struct page_rules *r)
{
	uint32_t ps = r->page_size;

	fuzz_check(ps >= 8 && ps <= 1024, "SIZE(page)=%u accepted", ps);
	fuzz_check(r->off_flags + 8 <= ps, "flags at %u", r->off_flags);
	fuzz_check(!r->has_mapping || r->off_mapping + 8 <= ps, "mapping at %u", r->off_mapping);
	fuzz_check(!r->has_mapcount || r->off_mapcount + 4 <= ps, "_mapcount at %u",
		   r->off_mapcount);
	fuzz_check(!r->has_private || r->off_private + 8 <= ps, "private at %u", r->off_private);
	fuzz_check(!r->has_compound_head || r->off_compound_head + 8 <= ps,
		   "compound_head at %u", r->off_compound_head);
	fuzz_check(r->order_src == ORDER_SRC_NONE || r->off1_order + r->order_width <= ps,
		   "order at %u width %u", r->off1_order, r->order_width);
	fuzz_check((r->hugetlb_src != HUGETLB_SRC_DTOR && r->hugetlb_src != HUGETLB_SRC_DTOR_ADDR) ||
		   r->off1_dtor + r->dtor_width <= ps, "dtor at %u width %u",
		   r->off1_dtor, r->dtor_width);
	fuzz_check(r->max_order >= 1 && r->max_order <= 64, "max_order %u", r->max_order);
	fuzz_check(r->n_missing <= sizeof(r->missing) / sizeof(r->missing[0]), "%u missing",
		   r->n_missing);
	for (unsigned i = 0; i < r->n_missing; i++)
		fuzz_check(r->missing[i] && r->missing[i][0], "missing[%u] empty", i);
}

static void classify_all(const struct page_rules *r, unsigned level,
			 const uint8_t *data, size_t size)
{
	uint32_t ps = r->page_size;
	uint8_t *page = malloc(ps), *next = malloc(ps);
	static const uint64_t pfns[] = { 0, 1, 512, 0x40000, UINT64_MAX };
	struct page_verdict v;

	if (!page || !next)
		abort();
	for (int fill = 0; fill < 3; fill++) {
		if (fill < 2) {
			memset(page, fill ? 0xff : 0, ps);
			memset(next, fill ? 0xff : 0, ps);
		} else {
			for (uint32_t i = 0; i < ps; i++) {
				page[i] = size ? data[i % size] : 0;
				next[i] = size ? data[(i + ps) % size] : 0;
			}
		}
		for (size_t i = 0; i < sizeof(pfns) / sizeof(pfns[0]); i++) {
			(void)page_is_compound_head(r, page);
			page_classify(r, page, next, pfns[i], level, 1u << 20, &v);
			fuzz_check(v.cls < PAGE_CLASS_MAX && v.npages >= 1 && v.npages <= 1u << 20,
				   "verdict class %d npages %llu", v.cls, (unsigned long long)v.npages);
			page_classify(r, page, NULL, pfns[i], level, 0, &v);
			fuzz_check(v.npages == 1, "npages %llu with max_npages 0",
				   (unsigned long long)v.npages);
		}
	}
	free(page);
	free(next);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned levels[] = { 0, 1, 2, 4, 8, 16, 31 };
	struct vmcoreinfo *vi;
	struct ds_err err;
	uint64_t u;
	int64_t n;

	if (vmcoreinfo_parse((const char *)data, size, &vi, &err) < 0)
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		(void)vmci_symbol(vi, names[i], &u);
		(void)vmci_size(vi, names[i], &u);
		(void)vmci_offset(vi, names[i], &u);
		(void)vmci_length(vi, names[i], &u);
		(void)vmci_number(vi, names[i], &n);
		(void)vmci_hex(vi, names[i], &u);
		(void)vmci_decimal(vi, names[i], &u);
		const char *s = vmci_string(vi, names[i]);
		if (s)
			(void)kernel_parse_version(s);
	}
	(void)vmci_bad_lines(vi);
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		struct page_rules r;

		static const struct machine x86_64 = { .big_endian = false, .word_size = 8 };

		if (page_rules_init(&r, vi, &x86_64, levels[i], &err) < 0)
			continue;
		check_rules(&r);
		(void)page_rules_need_scan(&r, levels[i]);
		classify_all(&r, levels[i], data, size);
	}
	vmcoreinfo_free(vi);
	return 0;
}
